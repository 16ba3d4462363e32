-- 014_activity_rollup: the figures of stats/overview and stats/timeseries without reading every
-- activity ever held (docs/performance.md §6.3, §7 #4).
--
-- stats_overview of 005_stats.sql read, for a province, one index entry per activity its teams
-- ever held (273,000 for the largest at national scale) and called app_now() once per commune
-- and per deadline target. Here:
--   a. app_now() is read once per call, and the target status written with it (what
--      target_status() says, 003_reporting.sql);
--   b. the members are aggregated per team in one pass over the teams (no join of two CTEs,
--      whose 3-row estimate once gave a 1.5 s plan on small data);
--   c. activities come from activity_month_unit, one row per commune (the team's unit) and month,
--      kept by the triggers below; only the days of a partial month at either end of from/to
--      (and every activity, for an enterprise caller, whose figures count its own teams only)
--      are read from activities;
--   d. the function is plpgsql, so its plan is kept per connection.
-- The answers are the same JSON text as before (tests/api/stats.test.mjs).

-- Figures of the activities held in one month by the teams located in one unit. Rows are never
-- deleted: a unit and month whose activities all went keep a row of zeros, which adds nothing.
CREATE TABLE activity_month_unit (
    unit_code                   text NOT NULL,
    month                       date NOT NULL, -- the 1st
    activities                  bigint NOT NULL,
    people_reached              bigint NOT NULL,
    vneid_activations           bigint NOT NULL,
    public_service_applications bigint NOT NULL,
    cashless_accounts           bigint NOT NULL,
    ecommerce_shops             bigint NOT NULL,
    app_installs                bigint NOT NULL,
    people_trained              bigint NOT NULL,
    PRIMARY KEY (unit_code, month)
);

-- One activity's figures as a rollup row for `unit`, each multiplied by sign (1: add, -1: remove).
-- An outcome not reported counts 0 (the figures sum what is reported).
CREATE FUNCTION activity_rollup_row(unit text, a activities, sign bigint)
RETURNS activity_month_unit LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ROW(unit, date_trunc('month', a.held_on)::date, sign, sign * a.people_reached,
               sign * coalesce((a.outcomes ->> 'vneid_activations')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'public_service_applications')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'cashless_accounts')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'ecommerce_shops')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'app_installs')::bigint, 0),
               sign * coalesce((a.outcomes ->> 'people_trained')::bigint, 0))::activity_month_unit
$$;

-- Adds rows (any number per unit and month, signed) into the rollup. Writers of the same unit
-- and month wait for each other's commit on its row.
CREATE FUNCTION activity_rollup_add(d activity_month_unit[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO activity_month_unit AS r
    SELECT x.unit_code, x.month, sum(x.activities), sum(x.people_reached), sum(x.vneid_activations),
           sum(x.public_service_applications), sum(x.cashless_accounts), sum(x.ecommerce_shops),
           sum(x.app_installs), sum(x.people_trained)
      FROM unnest(d) x
     GROUP BY x.unit_code, x.month
    ON CONFLICT (unit_code, month) DO UPDATE SET
        activities = r.activities + EXCLUDED.activities,
        people_reached = r.people_reached + EXCLUDED.people_reached,
        vneid_activations = r.vneid_activations + EXCLUDED.vneid_activations,
        public_service_applications = r.public_service_applications + EXCLUDED.public_service_applications,
        cashless_accounts = r.cashless_accounts + EXCLUDED.cashless_accounts,
        ecommerce_shops = r.ecommerce_shops + EXCLUDED.ecommerce_shops,
        app_installs = r.app_installs + EXCLUDED.app_installs,
        people_trained = r.people_trained + EXCLUDED.people_trained
$$;

-- The rollup from scratch, from every activity (this migration; bench/generate.sql after its bulk
-- load, which skips triggers). One batch per unit keeps the arrays small.
CREATE FUNCTION activity_rollup_fill() RETURNS void LANGUAGE sql AS $$
    DELETE FROM activity_month_unit;
    SELECT activity_rollup_add(array_agg(activity_rollup_row(t.unit_code, a, 1)))
      FROM activities a JOIN teams t ON t.id = a.team_id
     GROUP BY t.unit_code;
$$;

-- An activity written, changed or deleted: its figures leave its old team's unit and month and
-- join the new ones. (A team with activities cannot be deleted, so its unit is always there.)
CREATE FUNCTION activities_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d activity_month_unit[] := '{}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        d := d || activity_rollup_row((SELECT unit_code FROM teams WHERE id = OLD.team_id), OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        d := d || activity_rollup_row((SELECT unit_code FROM teams WHERE id = NEW.team_id), NEW, 1);
    END IF;
    PERFORM activity_rollup_add(d);
    RETURN NULL;
END $$;
CREATE TRIGGER activities_rollup_aid AFTER INSERT OR DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_rollup();
CREATE TRIGGER activities_rollup_au AFTER UPDATE OF team_id, held_on, people_reached, outcomes ON activities
    FOR EACH ROW
    WHEN ((OLD.team_id, OLD.held_on, OLD.people_reached, OLD.outcomes)
          IS DISTINCT FROM (NEW.team_id, NEW.held_on, NEW.people_reached, NEW.outcomes))
    EXECUTE FUNCTION activities_rollup();

-- A team moved to another unit takes its activities' figures along.
CREATE FUNCTION teams_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM activity_rollup_add(array_agg(activity_rollup_row(u.unit_code, a, u.sign)))
       FROM activities a, (VALUES (OLD.unit_code, -1::bigint), (NEW.unit_code, 1::bigint)) u (unit_code, sign)
      WHERE a.team_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER teams_rollup_au AFTER UPDATE OF unit_code ON teams
    FOR EACH ROW WHEN (OLD.unit_code IS DISTINCT FROM NEW.unit_code)
    EXECUTE FUNCTION teams_rollup_move();

SELECT activity_rollup_fill();
ANALYZE activity_month_unit;

-- GET /stats/overview, as in 005_stats.sql (what each figure counts is said there).
CREATE OR REPLACE FUNCTION stats_overview(actor_unit text, actor_enterprise uuid, asked text, p_from date, p_to date)
RETURNS json LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    v_now   timestamptz := app_now();
    v_today date := (v_now AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
    -- Activities held from v_lo to before v_hi: the whole months from v_m_lo to before v_m_hi
    -- from the rollup (none for an enterprise caller), the days before and after them from
    -- activities.
    v_lo    date := coalesce(p_from, '-infinity');
    v_hi    date := coalesce(p_to + 1, 'infinity');
    v_m_lo  date := CASE WHEN actor_enterprise IS NOT NULL THEN v_hi
                         WHEN p_from IS NULL THEN '-infinity'
                         ELSE (date_trunc('month', p_from - 1) + interval '1 month')::date END;
    v_m_hi  date := CASE WHEN actor_enterprise IS NOT NULL THEN v_hi
                         WHEN p_to IS NULL THEN 'infinity'
                         ELSE date_trunc('month', p_to + 1)::date END;
    v_head_hi date := least(v_m_lo, v_hi);
    v_tail_lo date := greatest(v_m_hi, v_head_hi);
BEGIN
RETURN (
WITH root AS (SELECT r.code, r.name, r.level FROM stats_root(actor_unit, actor_enterprise, asked) r),
-- Every unit of the subtree, with the child of root it lies under (NULL for root itself).
sub AS (
    SELECT u.code, u.level, u.valid_to, u.ancestors[array_position(u.ancestors, r.code) + 1] AS child
      FROM root r JOIN units u ON u.ancestors @> ARRAY[r.code]),
tm AS (SELECT t.* FROM root r, stats_teams(r.code, actor_enterprise) t),

cf AS (
    SELECT CASE WHEN grouping(s.child) = 1 THEN '' ELSE s.child END AS key,
           count(*) AS communes_total,
           count(*) FILTER (WHERE s.code IN (SELECT tm.unit_code FROM tm WHERE tm.status = 'active'))
               AS communes_with_team
      FROM sub s
     WHERE s.level = 'commune' AND (s.valid_to IS NULL OR s.valid_to > v_today)
     GROUP BY GROUPING SETS ((s.child), ())),

-- One row per active team with its active members' counts (active_members: not yet left).
ms AS (
    SELECT tm.child, tm.kind, count(m.id) AS members,
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
           count(*) FILTER (WHERE structure_ok(r, ms.members, ms.leaders, ms.deputies, ms.it_skilled,
                                               ms.affiliations)) AS teams_compliant,
           coalesce(sum(ms.members), 0)::bigint AS members_active,
           coalesce(sum(ms.trained), 0)::bigint AS members_trained
      FROM ms LEFT JOIN structure_rules r ON r.team_kind = ms.kind
     GROUP BY GROUPING SETS ((ms.child), ())),

-- Activities held in the range by the teams counted (active or dissolved since): the days of
-- the partial months at either end (each range read only when not empty, by index), then the
-- whole months of the rollup.
ad AS (
    -- Per team, by index (OFFSET 0 keeps the subquery per team: with the bounds unknown when
    -- the plan is kept, the planner would otherwise read the whole country's days and hash them).
    SELECT tm.child, a.people_reached, a.outcomes
      FROM tm CROSS JOIN LATERAL (
               SELECT x.people_reached, x.outcomes FROM activities x
                WHERE v_lo < v_head_hi AND x.team_id = tm.id AND x.held_on >= v_lo AND x.held_on < v_head_hi
               UNION ALL
               SELECT x.people_reached, x.outcomes FROM activities x
                WHERE v_tail_lo < v_hi AND x.team_id = tm.id AND x.held_on >= v_tail_lo AND x.held_on < v_hi
               OFFSET 0) a
     WHERE v_lo < v_head_hi OR v_tail_lo < v_hi),
ap AS (
    SELECT ad.child, 1 AS activities, ad.people_reached,
           (ad.outcomes ->> 'vneid_activations')::bigint AS vneid_activations,
           (ad.outcomes ->> 'public_service_applications')::bigint AS public_service_applications,
           (ad.outcomes ->> 'cashless_accounts')::bigint AS cashless_accounts,
           (ad.outcomes ->> 'ecommerce_shops')::bigint AS ecommerce_shops,
           (ad.outcomes ->> 'app_installs')::bigint AS app_installs,
           (ad.outcomes ->> 'people_trained')::bigint AS people_trained
      FROM ad
    UNION ALL
    SELECT s.child, r.activities, r.people_reached, r.vneid_activations,
           r.public_service_applications, r.cashless_accounts, r.ecommerce_shops, r.app_installs,
           r.people_trained
      FROM sub s JOIN activity_month_unit r ON r.unit_code = s.code
     WHERE v_m_lo < v_m_hi AND r.month >= v_m_lo AND r.month < v_m_hi),
af AS (
    SELECT CASE WHEN grouping(ap.child) = 1 THEN '' ELSE ap.child END AS key,
           sum(ap.activities)::bigint AS activities,
           sum(ap.people_reached)::bigint AS people_reached,
           sum(ap.vneid_activations)::bigint AS vneid_activations,
           sum(ap.public_service_applications)::bigint AS public_service_applications,
           sum(ap.cashless_accounts)::bigint AS cashless_accounts,
           sum(ap.ecommerce_shops)::bigint AS ecommerce_shops,
           sum(ap.app_installs)::bigint AS app_installs,
           sum(ap.people_trained)::bigint AS people_trained
      FROM ap
     GROUP BY GROUPING SETS ((ap.child), ())),

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
-- Status as target_status() says at v_now; on time as target_on_time() says.
gs AS (
    SELECT tg.child, CASE WHEN tg.completed_at IS NOT NULL THEN 'done'
                          WHEN v_now >= deadline_end(tg.due_on) THEN 'overdue'
                          ELSE 'pending' END AS status,
           tg.completed_at < deadline_end(tg.due_on) AS on_time
      FROM tg),
gf AS (
    SELECT CASE WHEN grouping(gs.child) = 1 THEN '' ELSE gs.child END AS key,
           count(*) FILTER (WHERE gs.status = 'pending') AS pending,
           count(*) FILTER (WHERE gs.status = 'overdue') AS overdue,
           count(*) FILTER (WHERE gs.status = 'done' AND gs.on_time) AS done_on_time,
           count(*) FILTER (WHERE gs.status = 'done' AND NOT gs.on_time) AS done_late
      FROM gs
     GROUP BY GROUPING SETS ((gs.child), ())),

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
  FROM root r);
END $fn$;

-- GET /stats/timeseries, as in 005_stats.sql. By month, a unit-scoped caller's series is the
-- rollup's sums over the subtree's units: each period is a whole month, exactly its grain. Weeks,
-- and enterprise callers (their own teams only), still read activities.
CREATE OR REPLACE FUNCTION stats_timeseries(actor_unit text, actor_enterprise uuid, asked text, p_from date,
                                 p_to date, p_interval text, p_metric text)
RETURNS TABLE (from_on date, to_on date, periods bigint, series json) LANGUAGE sql STABLE AS $$
WITH root AS (SELECT r.code FROM stats_root(actor_unit, actor_enterprise, asked) r),
step AS (SELECT CASE p_interval WHEN 'week' THEN interval '1 week' ELSE interval '1 month' END AS len),
fin AS (SELECT coalesce(p_to, (app_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) AS to_on),
last AS (SELECT fin.to_on, date_trunc(p_interval, fin.to_on::timestamp)::date AS last FROM fin),
span AS (
    SELECT coalesce(p_from, f.first) AS from_on, l.to_on, f.first, l.last,
           CASE p_interval
               WHEN 'week' THEN (l.last - f.first) / 7 + 1
               ELSE (extract(year FROM l.last) - extract(year FROM f.first)) * 12
                    + extract(month FROM l.last) - extract(month FROM f.first) + 1
           END::bigint AS periods
      FROM last l, step,
           LATERAL (SELECT coalesce(date_trunc(p_interval, p_from::timestamp),
                                    l.last - 11 * step.len)::date AS first) f)
SELECT s.from_on, s.to_on, s.periods,
       CASE WHEN s.from_on <= s.to_on AND s.periods BETWEEN 1 AND 400 THEN (
           SELECT json_agg(json_build_object('period_start', p.start, 'value', coalesce(v.value, 0))
                           ORDER BY p.start)
             FROM (SELECT g::date AS start
                     FROM step, generate_series(s.first::timestamp, s.last::timestamp, step.len) g) p
             LEFT JOIN (
                 SELECT date_trunc(p_interval, a.held_on::timestamp)::date AS start,
                        sum(CASE p_metric
                                WHEN 'activities' THEN 1
                                WHEN 'people_reached' THEN a.people_reached
                                ELSE (a.outcomes ->> p_metric)::bigint
                            END)::bigint AS value
                   FROM step, stats_teams(r.code, actor_enterprise) tm
                   JOIN activities a ON a.team_id = tm.id
                  WHERE NOT (p_interval = 'month' AND actor_enterprise IS NULL)
                    AND a.held_on >= s.first AND a.held_on < s.last + step.len
                  GROUP BY 1
                 UNION ALL
                 -- Months of a unit-scoped caller: whole months, the rollup's grain.
                 SELECT m.month,
                        sum(CASE p_metric
                                WHEN 'activities' THEN m.activities
                                WHEN 'people_reached' THEN m.people_reached
                                WHEN 'vneid_activations' THEN m.vneid_activations
                                WHEN 'public_service_applications' THEN m.public_service_applications
                                WHEN 'cashless_accounts' THEN m.cashless_accounts
                                WHEN 'ecommerce_shops' THEN m.ecommerce_shops
                                WHEN 'app_installs' THEN m.app_installs
                                WHEN 'people_trained' THEN m.people_trained
                            END)::bigint
                   FROM units u JOIN activity_month_unit m ON m.unit_code = u.code
                  WHERE p_interval = 'month' AND actor_enterprise IS NULL
                    AND u.ancestors @> ARRAY[r.code] AND m.month >= s.first AND m.month <= s.last
                  GROUP BY 1) v ON v.start = p.start)
       END
  FROM root r, span s
$$;
