-- bench/proposals/stats_overview.sql — the measured prototype of docs/performance.md §6.3 / §7 #4:
-- stats_overview() of 005_stats.sql with (a) app_now() once and the target status inline, (b) the
-- members aggregated in one pass over the teams (no join of two CTEs), (c) activities from a
-- monthly rollup per commune when the range is open, (d) a plpgsql twin that keeps its plan.
-- Loaded beside the real function, in schema `proposal`, on a scratch copy of the data:
--   psql -X -v ON_ERROR_STOP=1 -f bench/proposals/stats_overview.sql "$DATABASE_URL"
--   SELECT stats_overview('38', NULL, '38', NULL, NULL)::text
--        = proposal.stats_overview_v5pl('38', NULL, '38', NULL, NULL)::text;   -- true
-- Written against 005_stats.sql as of 2026-11-29; a prototype for the figures' owner, not a migration.

-- The rollup the prototype reads (no triggers here: a real migration keeps it with triggers on
-- activities, insert/update/delete, and on teams for a change of unit_code; see docs/performance.md §6.3).
CREATE SCHEMA IF NOT EXISTS proposal;
DROP TABLE IF EXISTS proposal.activity_month_unit;
CREATE TABLE proposal.activity_month_unit AS
SELECT t.unit_code, date_trunc('month', a.held_on)::date AS month, count(*)::bigint AS activities,
       sum(a.people_reached)::bigint AS people_reached,
       sum((a.outcomes ->> 'vneid_activations')::bigint)::bigint AS vneid_activations,
       sum((a.outcomes ->> 'public_service_applications')::bigint)::bigint AS public_service_applications,
       sum((a.outcomes ->> 'cashless_accounts')::bigint)::bigint AS cashless_accounts,
       sum((a.outcomes ->> 'ecommerce_shops')::bigint)::bigint AS ecommerce_shops,
       sum((a.outcomes ->> 'app_installs')::bigint)::bigint AS app_installs,
       sum((a.outcomes ->> 'people_trained')::bigint)::bigint AS people_trained
  FROM activities a JOIN teams t ON t.id = a.team_id
 GROUP BY 1, 2;
CREATE INDEX ON proposal.activity_month_unit (unit_code, month)
    INCLUDE (activities, people_reached, vneid_activations, public_service_applications,
             cashless_accounts, ecommerce_shops, app_installs, people_trained);
ANALYZE proposal.activity_month_unit;

CREATE OR REPLACE FUNCTION proposal.stats_overview_v5(actor_unit text, actor_enterprise uuid, asked text, p_from date, p_to date) RETURNS json LANGUAGE sql STABLE AS $fn$
WITH root AS (SELECT r.code, r.name, r.level FROM stats_root(actor_unit, actor_enterprise, asked) r),
now_c AS MATERIALIZED (SELECT app_now() AS at),
today AS MATERIALIZED (SELECT (now_c.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d FROM now_c),
-- Every unit of the subtree, with the child of root it lies under (NULL for root itself).
sub AS (
    SELECT u.code, u.level, u.valid_to, u.ancestors[array_position(u.ancestors, r.code) + 1] AS child
      FROM root r JOIN units u ON u.ancestors @> ARRAY[r.code]),
tm AS (SELECT t.* FROM root r, stats_teams(r.code, actor_enterprise) t),

-- Communes: open ones (valid_to empty or after today in Vietnam), and those with an active team
-- counted above (for an enterprise: one of its own). `key` is the child's code, '' for the totals.
cf AS (
    SELECT CASE WHEN grouping(s.child) = 1 THEN '' ELSE s.child END AS key,
           count(*) AS communes_total,
           count(*) FILTER (WHERE s.code IN (SELECT tm.unit_code FROM tm WHERE tm.status = 'active'))
               AS communes_with_team
      FROM sub s, today
     WHERE s.level = 'commune' AND (s.valid_to IS NULL OR s.valid_to > today.d)
     GROUP BY GROUPING SETS ((s.child), ())),

-- Teams and members: the current state. Active members (active_members) of active teams.
ms AS (
    -- one row per active team with its active members' counts: one pass, no join back to tm
    SELECT tm.id, tm.child, tm.kind, count(m.id) AS members,
           count(*) FILTER (WHERE m.position = 'leader') AS leaders,
           count(*) FILTER (WHERE m.position = 'deputy') AS deputies,
           count(*) FILTER (WHERE m.it_skilled) AS it_skilled,
           count(*) FILTER (WHERE m.trained_on IS NOT NULL) AS trained,
           array_agg(DISTINCT m.affiliation) FILTER (WHERE m.affiliation IS NOT NULL) AS affiliations
      FROM tm LEFT JOIN members m ON m.team_id = tm.id AND (m.left_on IS NULL OR m.left_on > current_date)
     WHERE tm.status = 'active'
     GROUP BY tm.id, tm.child, tm.kind),
tf AS (
    SELECT CASE WHEN grouping(ms.child) = 1 THEN '' ELSE ms.child END AS key,
           count(*) AS teams_active,
           count(*) FILTER (WHERE structure_ok(r, coalesce(ms.members, 0), coalesce(ms.leaders, 0),
                                               coalesce(ms.deputies, 0), coalesce(ms.it_skilled, 0),
                                               ms.affiliations)) AS teams_compliant,
           coalesce(sum(ms.members), 0)::bigint AS members_active,
           coalesce(sum(ms.trained), 0)::bigint AS members_trained
      FROM ms LEFT JOIN structure_rules r ON r.team_kind = ms.kind
     GROUP BY GROUPING SETS ((ms.child), ())),

-- Activities held in the range by the teams counted (active or dissolved since).
af AS (
    SELECT CASE WHEN grouping(tm.child) = 1 THEN '' ELSE tm.child END AS key,
           count(*) AS activities,
           sum(a.people_reached)::bigint AS people_reached,
           sum((a.outcomes ->> 'vneid_activations')::bigint)::bigint AS vneid_activations,
           sum((a.outcomes ->> 'public_service_applications')::bigint)::bigint AS public_service_applications,
           sum((a.outcomes ->> 'cashless_accounts')::bigint)::bigint AS cashless_accounts,
           sum((a.outcomes ->> 'ecommerce_shops')::bigint)::bigint AS ecommerce_shops,
           sum((a.outcomes ->> 'app_installs')::bigint)::bigint AS app_installs,
           sum((a.outcomes ->> 'people_trained')::bigint)::bigint AS people_trained
      FROM tm JOIN activities a ON a.team_id = tm.id
     WHERE (p_from IS NULL OR a.held_on >= p_from) AND (p_to IS NULL OR a.held_on <= p_to)
       AND NOT (actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL)
     GROUP BY GROUPING SETS ((tm.child), ())
    HAVING NOT (actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL)
    UNION ALL
    SELECT CASE WHEN grouping(s.child) = 1 THEN '' ELSE s.child END,
           sum(r.activities)::bigint, sum(r.people_reached)::bigint,
           sum(r.vneid_activations)::bigint, sum(r.public_service_applications)::bigint,
           sum(r.cashless_accounts)::bigint, sum(r.ecommerce_shops)::bigint,
           sum(r.app_installs)::bigint, sum(r.people_trained)::bigint
      FROM sub s JOIN proposal.activity_month_unit r ON r.unit_code = s.code
     WHERE actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL
     GROUP BY GROUPING SETS ((s.child), ())
    HAVING actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL),

-- Deadline targets due in the range: a unit of the subtree, or an enterprise located in it
-- (for an enterprise caller: its own targets only).
tg AS (
    SELECT s.child, dt.completed_at, d.due_on
      FROM sub s JOIN deadline_targets dt ON dt.unit_code = s.code
                 JOIN deadlines d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NULL
       AND (p_from IS NULL OR d.due_on >= p_from) AND (p_to IS NULL OR d.due_on <= p_to)
    UNION ALL
    SELECT s.child, dt.completed_at, d.due_on
      FROM sub s JOIN enterprises e ON e.unit_code = s.code
                 JOIN deadline_targets dt ON dt.enterprise_id = e.id
                 JOIN deadlines d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NULL
       AND (p_from IS NULL OR d.due_on >= p_from) AND (p_to IS NULL OR d.due_on <= p_to)
    UNION ALL
    SELECT NULL, dt.completed_at, d.due_on
      FROM deadline_targets dt JOIN deadlines d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NOT NULL AND dt.enterprise_id = actor_enterprise
       AND (p_from IS NULL OR d.due_on >= p_from) AND (p_to IS NULL OR d.due_on <= p_to)),
gs AS (
    SELECT tg.child, CASE WHEN tg.completed_at IS NOT NULL THEN 'done'
                          WHEN now_c.at >= deadline_end(tg.due_on) THEN 'overdue' ELSE 'pending' END AS status,
           tg.completed_at < deadline_end(tg.due_on) AS on_time
      FROM tg, now_c),
gf AS (
    SELECT CASE WHEN grouping(gs.child) = 1 THEN '' ELSE gs.child END AS key,
           count(*) FILTER (WHERE gs.status = 'pending') AS pending,
           count(*) FILTER (WHERE gs.status = 'overdue') AS overdue,
           count(*) FILTER (WHERE gs.status = 'done' AND gs.on_time) AS done_on_time,
           count(*) FILTER (WHERE gs.status = 'done' AND NOT gs.on_time) AS done_late
      FROM gs
     GROUP BY GROUPING SETS ((gs.child), ())),

-- One row for the totals (key '') and one per child unit (for unit-scoped callers), zeros where
-- nothing was counted.
keys AS (
    SELECT '' AS key, NULL::text AS code, NULL::text AS name, NULL::text AS level
    UNION ALL
    SELECT k.code, k.code, k.name, k.level
      FROM root r JOIN units k ON k.parent_code = r.code
     WHERE actor_enterprise IS NULL),
fig AS (
    SELECT k.key, k.code, k.name, k.level, ROW(
               coalesce(c.communes_total, 0), coalesce(c.communes_with_team, 0),
               coalesce(t.teams_active, 0), coalesce(t.teams_compliant, 0),
               coalesce(t.members_active, 0), coalesce(t.members_trained, 0),
               coalesce(a.activities, 0), coalesce(a.people_reached, 0),
               coalesce(a.vneid_activations, 0), coalesce(a.public_service_applications, 0),
               coalesce(a.cashless_accounts, 0), coalesce(a.ecommerce_shops, 0),
               coalesce(a.app_installs, 0), coalesce(a.people_trained, 0),
               coalesce(g.pending, 0), coalesce(g.overdue, 0),
               coalesce(g.done_on_time, 0), coalesce(g.done_late, 0),
               round(g.done_on_time::numeric / nullif(g.done_on_time + g.done_late + g.overdue, 0), 4)
           )::stats_figures AS f
      FROM keys k
      LEFT JOIN cf c ON c.key = k.key
      LEFT JOIN tf t ON t.key = k.key
      LEFT JOIN af a ON a.key = k.key
      LEFT JOIN gf g ON g.key = k.key)
SELECT json_build_object(
           'unit', json_build_object('code', r.code, 'name', r.name, 'level', r.level),
           'from', p_from, 'to', p_to,
           'totals', (SELECT to_json(fig.f) FROM fig WHERE fig.key = ''),
           'children', coalesce((SELECT json_agg(x ORDER BY x.code)
                                   FROM (SELECT fig.code, fig.name, fig.level, (fig.f).*
                                           FROM fig WHERE fig.key <> '') x), '[]'))
  FROM root r
$fn$;
CREATE OR REPLACE FUNCTION proposal.stats_overview_v5pl(actor_unit text, actor_enterprise uuid, asked text, p_from date, p_to date) RETURNS json LANGUAGE plpgsql STABLE AS $fn$ BEGIN RETURN (
WITH root AS (SELECT r.code, r.name, r.level FROM stats_root(actor_unit, actor_enterprise, asked) r),
now_c AS MATERIALIZED (SELECT app_now() AS at),
today AS MATERIALIZED (SELECT (now_c.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d FROM now_c),
-- Every unit of the subtree, with the child of root it lies under (NULL for root itself).
sub AS (
    SELECT u.code, u.level, u.valid_to, u.ancestors[array_position(u.ancestors, r.code) + 1] AS child
      FROM root r JOIN units u ON u.ancestors @> ARRAY[r.code]),
tm AS (SELECT t.* FROM root r, stats_teams(r.code, actor_enterprise) t),

-- Communes: open ones (valid_to empty or after today in Vietnam), and those with an active team
-- counted above (for an enterprise: one of its own). `key` is the child's code, '' for the totals.
cf AS (
    SELECT CASE WHEN grouping(s.child) = 1 THEN '' ELSE s.child END AS key,
           count(*) AS communes_total,
           count(*) FILTER (WHERE s.code IN (SELECT tm.unit_code FROM tm WHERE tm.status = 'active'))
               AS communes_with_team
      FROM sub s, today
     WHERE s.level = 'commune' AND (s.valid_to IS NULL OR s.valid_to > today.d)
     GROUP BY GROUPING SETS ((s.child), ())),

-- Teams and members: the current state. Active members (active_members) of active teams.
ms AS (
    -- one row per active team with its active members' counts: one pass, no join back to tm
    SELECT tm.id, tm.child, tm.kind, count(m.id) AS members,
           count(*) FILTER (WHERE m.position = 'leader') AS leaders,
           count(*) FILTER (WHERE m.position = 'deputy') AS deputies,
           count(*) FILTER (WHERE m.it_skilled) AS it_skilled,
           count(*) FILTER (WHERE m.trained_on IS NOT NULL) AS trained,
           array_agg(DISTINCT m.affiliation) FILTER (WHERE m.affiliation IS NOT NULL) AS affiliations
      FROM tm LEFT JOIN members m ON m.team_id = tm.id AND (m.left_on IS NULL OR m.left_on > current_date)
     WHERE tm.status = 'active'
     GROUP BY tm.id, tm.child, tm.kind),
tf AS (
    SELECT CASE WHEN grouping(ms.child) = 1 THEN '' ELSE ms.child END AS key,
           count(*) AS teams_active,
           count(*) FILTER (WHERE structure_ok(r, coalesce(ms.members, 0), coalesce(ms.leaders, 0),
                                               coalesce(ms.deputies, 0), coalesce(ms.it_skilled, 0),
                                               ms.affiliations)) AS teams_compliant,
           coalesce(sum(ms.members), 0)::bigint AS members_active,
           coalesce(sum(ms.trained), 0)::bigint AS members_trained
      FROM ms LEFT JOIN structure_rules r ON r.team_kind = ms.kind
     GROUP BY GROUPING SETS ((ms.child), ())),

-- Activities held in the range by the teams counted (active or dissolved since).
af AS (
    SELECT CASE WHEN grouping(tm.child) = 1 THEN '' ELSE tm.child END AS key,
           count(*) AS activities,
           sum(a.people_reached)::bigint AS people_reached,
           sum((a.outcomes ->> 'vneid_activations')::bigint)::bigint AS vneid_activations,
           sum((a.outcomes ->> 'public_service_applications')::bigint)::bigint AS public_service_applications,
           sum((a.outcomes ->> 'cashless_accounts')::bigint)::bigint AS cashless_accounts,
           sum((a.outcomes ->> 'ecommerce_shops')::bigint)::bigint AS ecommerce_shops,
           sum((a.outcomes ->> 'app_installs')::bigint)::bigint AS app_installs,
           sum((a.outcomes ->> 'people_trained')::bigint)::bigint AS people_trained
      FROM tm JOIN activities a ON a.team_id = tm.id
     WHERE (p_from IS NULL OR a.held_on >= p_from) AND (p_to IS NULL OR a.held_on <= p_to)
       AND NOT (actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL)
     GROUP BY GROUPING SETS ((tm.child), ())
    HAVING NOT (actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL)
    UNION ALL
    SELECT CASE WHEN grouping(s.child) = 1 THEN '' ELSE s.child END,
           sum(r.activities)::bigint, sum(r.people_reached)::bigint,
           sum(r.vneid_activations)::bigint, sum(r.public_service_applications)::bigint,
           sum(r.cashless_accounts)::bigint, sum(r.ecommerce_shops)::bigint,
           sum(r.app_installs)::bigint, sum(r.people_trained)::bigint
      FROM sub s JOIN proposal.activity_month_unit r ON r.unit_code = s.code
     WHERE actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL
     GROUP BY GROUPING SETS ((s.child), ())
    HAVING actor_enterprise IS NULL AND p_from IS NULL AND p_to IS NULL),

-- Deadline targets due in the range: a unit of the subtree, or an enterprise located in it
-- (for an enterprise caller: its own targets only).
tg AS (
    SELECT s.child, dt.completed_at, d.due_on
      FROM sub s JOIN deadline_targets dt ON dt.unit_code = s.code
                 JOIN deadlines d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NULL
       AND (p_from IS NULL OR d.due_on >= p_from) AND (p_to IS NULL OR d.due_on <= p_to)
    UNION ALL
    SELECT s.child, dt.completed_at, d.due_on
      FROM sub s JOIN enterprises e ON e.unit_code = s.code
                 JOIN deadline_targets dt ON dt.enterprise_id = e.id
                 JOIN deadlines d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NULL
       AND (p_from IS NULL OR d.due_on >= p_from) AND (p_to IS NULL OR d.due_on <= p_to)
    UNION ALL
    SELECT NULL, dt.completed_at, d.due_on
      FROM deadline_targets dt JOIN deadlines d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NOT NULL AND dt.enterprise_id = actor_enterprise
       AND (p_from IS NULL OR d.due_on >= p_from) AND (p_to IS NULL OR d.due_on <= p_to)),
gs AS (
    SELECT tg.child, CASE WHEN tg.completed_at IS NOT NULL THEN 'done'
                          WHEN now_c.at >= deadline_end(tg.due_on) THEN 'overdue' ELSE 'pending' END AS status,
           tg.completed_at < deadline_end(tg.due_on) AS on_time
      FROM tg, now_c),
gf AS (
    SELECT CASE WHEN grouping(gs.child) = 1 THEN '' ELSE gs.child END AS key,
           count(*) FILTER (WHERE gs.status = 'pending') AS pending,
           count(*) FILTER (WHERE gs.status = 'overdue') AS overdue,
           count(*) FILTER (WHERE gs.status = 'done' AND gs.on_time) AS done_on_time,
           count(*) FILTER (WHERE gs.status = 'done' AND NOT gs.on_time) AS done_late
      FROM gs
     GROUP BY GROUPING SETS ((gs.child), ())),

-- One row for the totals (key '') and one per child unit (for unit-scoped callers), zeros where
-- nothing was counted.
keys AS (
    SELECT '' AS key, NULL::text AS code, NULL::text AS name, NULL::text AS level
    UNION ALL
    SELECT k.code, k.code, k.name, k.level
      FROM root r JOIN units k ON k.parent_code = r.code
     WHERE actor_enterprise IS NULL),
fig AS (
    SELECT k.key, k.code, k.name, k.level, ROW(
               coalesce(c.communes_total, 0), coalesce(c.communes_with_team, 0),
               coalesce(t.teams_active, 0), coalesce(t.teams_compliant, 0),
               coalesce(t.members_active, 0), coalesce(t.members_trained, 0),
               coalesce(a.activities, 0), coalesce(a.people_reached, 0),
               coalesce(a.vneid_activations, 0), coalesce(a.public_service_applications, 0),
               coalesce(a.cashless_accounts, 0), coalesce(a.ecommerce_shops, 0),
               coalesce(a.app_installs, 0), coalesce(a.people_trained, 0),
               coalesce(g.pending, 0), coalesce(g.overdue, 0),
               coalesce(g.done_on_time, 0), coalesce(g.done_late, 0),
               round(g.done_on_time::numeric / nullif(g.done_on_time + g.done_late + g.overdue, 0), 4)
           )::stats_figures AS f
      FROM keys k
      LEFT JOIN cf c ON c.key = k.key
      LEFT JOIN tf t ON t.key = k.key
      LEFT JOIN af a ON a.key = k.key
      LEFT JOIN gf g ON g.key = k.key)
SELECT json_build_object(
           'unit', json_build_object('code', r.code, 'name', r.name, 'level', r.level),
           'from', p_from, 'to', p_to,
           'totals', (SELECT to_json(fig.f) FROM fig WHERE fig.key = ''),
           'children', coalesce((SELECT json_agg(x ORDER BY x.code)
                                   FROM (SELECT fig.code, fig.name, fig.level, (fig.f).*
                                           FROM fig WHERE fig.key <> '') x), '[]'))
  FROM root r
); END $fn$;
