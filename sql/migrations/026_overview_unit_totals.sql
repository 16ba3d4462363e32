-- 026_overview_unit_totals: what GET /stats/overview still counted per team or per month at each
-- call, kept per unit by the transactions that change it (issue 14, item 2; docs/performance.md §9).
--
-- At Thành phố Hồ Chí Minh (79) on the national data one call took ~25 ms of execution, of which
-- ~14 ms counted the hamlets with a team (4,606 active teams read, each again by its key, and a
-- count of distinct (commune, hamlet) per child) and ~5 ms summed 5,040 monthly rollup rows
-- (169 units × 30 months) for the default range, which is every month.
--
-- a. unit_team_figures.hamlets_with_team: the distinct hamlets (teams.hamlet_key, not empty) of a
--    unit's active teams, summed by unit_team_figures_refresh with the other team figures
--    (sql/functions/55_team_documents.sql), so it holds on the same days and is refreshed by the
--    same triggers (any change of a team refreshes its unit and the one it left).
-- b. activity_unit_total: activity_month_unit summed over every month and held_unit, one row per
--    unit_code, written by activity_rollup_add before the months (sql/functions/35_rollup.sql) and
--    re-keyed with them by unit_pass_code. The overview reads it when the range is open at both
--    ends on today's structure (the default); a range or a past day reads the months as before.

ALTER TABLE unit_team_figures ADD COLUMN hamlets_with_team bigint NOT NULL DEFAULT 0;

UPDATE unit_team_figures f SET hamlets_with_team = x.hamlets
  FROM (SELECT t.unit_code, count(DISTINCT t.hamlet_key) AS hamlets
          FROM teams t WHERE t.status = 'active' AND t.hamlet_key <> ''
         GROUP BY t.unit_code) x
 WHERE f.unit_code = x.unit_code;

-- Rows are never deleted, as in the rollup: a unit whose activities all went keeps a row of zeros.
CREATE TABLE activity_unit_total (
    unit_code                   text PRIMARY KEY,
    activities                  bigint NOT NULL,
    people_reached              bigint NOT NULL,
    vneid_activations           bigint NOT NULL,
    public_service_applications bigint NOT NULL,
    cashless_accounts           bigint NOT NULL,
    ecommerce_shops             bigint NOT NULL,
    app_installs                bigint NOT NULL,
    people_trained              bigint NOT NULL
);

-- Nothing writes the rollup while this runs: the migration holds its lock until it commits.
LOCK TABLE activity_month_unit IN SHARE MODE;
INSERT INTO activity_unit_total
SELECT unit_code, sum(activities), sum(people_reached), sum(vneid_activations), sum(public_service_applications),
       sum(cashless_accounts), sum(ecommerce_shops), sum(app_installs), sum(people_trained)
  FROM activity_month_unit
 GROUP BY unit_code;
ANALYZE activity_unit_total;
