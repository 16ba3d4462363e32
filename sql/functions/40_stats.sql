-- 40_stats: GET /stats/overview and GET /stats/timeseries (what each figure counts: 005_stats.sql
-- and docs/reporting.md; how it is computed: 014_activity_rollup.sql).
--
-- Compliance is judged against the rules of the province the asked unit lies in (rules_of,
-- 20_rules.sql): a unit's subtree lies in one province, and an enterprise's teams are filed in the
-- commune where it is located (team_place_refusal, 10_scope.sql).
--
-- The structure (issue 12): figures are about the units valid on a day, p_on (by default today;
-- for a unit closed since, such as 74 Tỉnh Bình Dương, its last day). On today's structure every
-- team counts where it is now and so do all its activities, those held before a reorganisation
-- included: they roll up into the new units. On a past day's structure a team counts where it was
-- that day (team_homes) and an activity under the unit its team was in when it was held
-- (activity_month_unit.held_unit): the figures of 2024 read under the units of 2024.

-- The unit a figures request is about: the one asked for, else the caller's unit, else (an
-- enterprise account) the commune its enterprise is located in; the version its code names on
-- p_on (by default: today's, else its latest). No row when there is none or it is outside the
-- caller's scope; the handler answers 404 for both.
CREATE OR REPLACE FUNCTION stats_root(actor_unit text, actor_enterprise uuid, asked text, p_on date)
RETURNS SETOF units LANGUAGE sql STABLE AS $$
    SELECT u.* FROM units u
     WHERE u.code = (SELECT CASE WHEN p_on IS NULL THEN unit_key_now(c) ELSE unit_key(c, p_on) END
                       FROM coalesce(asked, nullif(actor_unit, '*'),
                                     (SELECT e.unit_code FROM enterprises e WHERE e.id = actor_enterprise)) c)
       AND unit_visible(actor_unit, actor_enterprise, u.code)
$$;

-- The day whose structure the figures of root are about: p_on, else today, else (root closed
-- since) its last day.
CREATE OR REPLACE FUNCTION stats_day(root units, p_on date) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT coalesce(p_on, CASE WHEN unit_open(root.valid_to) THEN unit_today() ELSE root.valid_to - 1 END)
$$;

-- The teams counted for root on day p_day, each with the child of root it lies under (NULL when
-- it lies in root itself). For a unit-scoped caller: every team in root's subtree, where it is now
-- (p_day today or later) or where it was on p_day. For an enterprise caller: only its enterprise's
-- teams, wherever they serve, with no child (its figures have no children rows).
CREATE OR REPLACE FUNCTION stats_teams(root text, actor_enterprise uuid, p_day date)
RETURNS TABLE (id uuid, kind text, status text, unit_code text, child text)
LANGUAGE sql STABLE AS $$
    SELECT t.id, t.kind, t.status, t.unit_code, u.ancestors[array_position(u.ancestors, root) + 1]
      FROM units u JOIN teams t ON t.unit_code = u.code
     WHERE actor_enterprise IS NULL AND p_day >= unit_today() AND u.ancestors @> ARRAY[root]
    UNION ALL
    SELECT t.id, t.kind, t.status, h.unit_code, u.ancestors[array_position(u.ancestors, root) + 1]
      FROM team_homes h JOIN units u ON u.code = h.unit_code JOIN teams t ON t.id = h.team_id
     WHERE actor_enterprise IS NULL AND p_day < unit_today() AND u.ancestors @> ARRAY[root]
       AND (h.since IS NULL OR h.since <= p_day) AND (h.until IS NULL OR h.until > p_day)
    UNION ALL
    SELECT t.id, t.kind, t.status, t.unit_code, NULL
      FROM teams t
     WHERE actor_enterprise IS NOT NULL AND t.enterprise_id = actor_enterprise
$$;

-- A rate of the overview: num / den rounded to 4 decimals (0.3333 is 33.33 %), NULL (not 0) when
-- there is nothing to divide by (docs/reporting.md, "Rates").
CREATE OR REPLACE FUNCTION stats_rate(num bigint, den bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(num::numeric / nullif(den, 0), 4)
$$;

-- The figures added to a row of the overview after stats_figures (issue 13): hamlets with a team
-- (counted by the caller, from the teams) and the rates, each taken over the row's own counts.
CREATE OR REPLACE FUNCTION stats_rates(f stats_figures, hamlets bigint)
RETURNS TABLE (hamlets_with_team bigint, coverage_rate numeric, compliance_rate numeric, trained_rate numeric)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT hamlets, stats_rate(f.communes_with_team, f.communes_total), stats_rate(f.teams_compliant, f.teams_active),
           stats_rate(f.members_trained, f.members_active)
$$;

-- The rollup rows of one unit for the months from p_lo to before p_hi: where the teams are now
-- (today's structure) or, past, where they were when the activities were held. Inlined into the
-- caller (LATERAL), each branch an index range: a join on CASE WHEN past THEN held_unit ELSE
-- unit_code END could use no index, and read the whole country's rollup.
CREATE OR REPLACE FUNCTION activity_month_rows(p_unit text, p_past boolean, p_lo date, p_hi date)
RETURNS SETOF activity_month_unit LANGUAGE sql STABLE AS $$
    SELECT m.* FROM activity_month_unit m
     WHERE NOT p_past AND m.unit_code = p_unit AND m.month >= p_lo AND m.month < p_hi
    UNION ALL
    SELECT m.* FROM activity_month_unit m
     WHERE p_past AND m.held_unit = p_unit AND m.month >= p_lo AND m.month < p_hi
$$;

CREATE OR REPLACE FUNCTION stats_overview(actor_unit text, actor_enterprise uuid, asked text, p_from date, p_to date,
                                          p_on date)
RETURNS json LANGUAGE plpgsql STABLE
-- One plan per connection: a custom plan took ~2.5 ms to make at each call (more than half of a
-- province's call), and the one-time filters on the variables (v_past, actor_enterprise, the
-- bounds) switch the branches off at run time as the planner did with the values. Without JIT:
-- the generic plan's cost (its branches for the past structure read every activity) is above
-- jit_above_cost, and compiling it took ~150 ms per call. docs/performance.md §9.
SET plan_cache_mode = force_generic_plan SET jit = off AS $fn$
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
    v_root  units;
    v_day   date;  -- the day whose structure is counted
    v_past  boolean;
BEGIN
SELECT * INTO v_root FROM stats_root(actor_unit, actor_enterprise, asked, p_on);
IF v_root.code IS NULL THEN
    RETURN NULL;
END IF;
v_day := stats_day(v_root, p_on);
v_past := v_day < v_today;
RETURN (
WITH root AS (SELECT v_root.code, v_root.name, v_root.level, v_root.ancestors[1] AS province),
rules AS (SELECT x AS r, x.team_kind FROM root, rules_of(root.province) x),
-- Every unit of the subtree, with the child of root it lies under (NULL for root itself); the
-- versions of every day, for what is still filed under them.
sub AS (
    SELECT u.code, u.level, u.valid_from, u.valid_to, u.ancestors[array_position(u.ancestors, r.code) + 1] AS child
      FROM root r JOIN units u ON u.ancestors @> ARRAY[r.code]),
tm AS (SELECT t.* FROM root r, stats_teams(r.code, actor_enterprise, v_day) t),
-- Today's units, a unit-scoped caller: the units whose team figures are kept and hold today
-- (unit_team_figures, 55_team_documents.sql; by the rules of root's province, which is theirs).
-- The teams of the other units (tl) are counted from their members, as for a past day's units
-- or an enterprise caller, for which uf is empty.
uf AS (
    SELECT s.code, s.child, f.teams_active, f.teams_compliant, f.members_active, f.members_trained,
           f.hamlets_with_team
      FROM sub s JOIN unit_team_figures f ON f.unit_code = s.code
     WHERE NOT v_past AND actor_enterprise IS NULL AND team_document_valid(f.fresh_from, f.fresh_until)),
tl AS (
    SELECT tm.* FROM tm WHERE v_past OR actor_enterprise IS NOT NULL
    UNION ALL
    -- As stats_teams counts them on today's units, those of the units without figures only.
    SELECT t.id, t.kind, t.status, t.unit_code, s.child
      FROM sub s JOIN teams t ON t.unit_code = s.code
     WHERE NOT v_past AND actor_enterprise IS NULL AND NOT EXISTS (SELECT 1 FROM uf WHERE uf.code = s.code)),

cf AS (
    SELECT CASE WHEN grouping(s.child) = 1 THEN '' ELSE s.child END AS key,
           count(*) AS communes_total,
           count(*) FILTER (WHERE s.code IN (SELECT tl.unit_code FROM tl WHERE tl.status = 'active')
                               OR s.code IN (SELECT uf.code FROM uf WHERE uf.teams_active > 0))
               AS communes_with_team
      FROM sub s
     WHERE s.level = 'commune' AND unit_valid_on(s.valid_from, s.valid_to, v_day)
     GROUP BY GROUPING SETS ((s.child), ())),

-- Hamlets (khu phố, ấp) with a team: there is no list of hamlets (they are not units), so they
-- are known only by the hamlet named on active teams; one per commune and name, the name compared
-- without case, diacritics or surrounding spaces (teams.hamlet_key). Counted live for the teams
-- counted live (tl), kept for the units whose figures are kept (uf: hamlets_with_team, the same
-- count per unit, 026_overview_unit_totals.sql). A hamlet is one of one unit, so the count of a
-- child (and of root) is the sum of its units' counts.
hf AS (
    SELECT CASE WHEN grouping(x.child) = 1 THEN '' ELSE x.child END AS key,
           sum(x.hamlets)::bigint AS hamlets
      FROM (SELECT tl.child, count(DISTINCT (tl.unit_code, t.hamlet_key)) AS hamlets
              FROM tl JOIN teams t ON t.id = tl.id
             WHERE tl.status = 'active' AND t.hamlet_key <> ''
             GROUP BY tl.child
            UNION ALL
            SELECT uf.child, uf.hamlets_with_team FROM uf) x
     GROUP BY GROUPING SETS ((x.child), ())),

-- One row per active team counted live with its active members' counts (active_members: not yet
-- left).
ms AS (
    SELECT tl.child, tl.kind, count(m.id) AS members,
           count(*) FILTER (WHERE m.position = 'leader') AS leaders,
           count(*) FILTER (WHERE m.position = 'deputy') AS deputies,
           count(*) FILTER (WHERE m.it_skilled) AS it_skilled,
           count(*) FILTER (WHERE m.trained_on IS NOT NULL) AS trained,
           array_agg(DISTINCT m.affiliation) FILTER (WHERE m.affiliation IS NOT NULL) AS affiliations
      FROM tl LEFT JOIN members m ON m.team_id = tl.id AND (m.left_on IS NULL OR m.left_on > current_date)
     WHERE tl.status = 'active'
     GROUP BY tl.id, tl.child, tl.kind),
tf AS (
    SELECT CASE WHEN grouping(x.child) = 1 THEN '' ELSE x.child END AS key,
           coalesce(sum(x.teams_active), 0)::bigint AS teams_active,
           coalesce(sum(x.teams_compliant), 0)::bigint AS teams_compliant,
           coalesce(sum(x.members_active), 0)::bigint AS members_active,
           coalesce(sum(x.members_trained), 0)::bigint AS members_trained
      FROM (SELECT ms.child, 1 AS teams_active,
                   structure_ok(rl.r, ms.members, ms.leaders, ms.deputies, ms.it_skilled, ms.affiliations)::int
                       AS teams_compliant,
                   ms.members AS members_active, ms.trained AS members_trained
              FROM ms LEFT JOIN rules rl ON rl.team_kind = ms.kind
            UNION ALL
            SELECT uf.child, uf.teams_active, uf.teams_compliant, uf.members_active, uf.members_trained FROM uf) x
     GROUP BY GROUPING SETS ((x.child), ())),

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
     WHERE NOT v_past AND (v_lo < v_head_hi OR v_tail_lo < v_hi)
    UNION ALL
    -- A past structure: the days of the partial months by the unit each team was in that day.
    SELECT s.child, x.people_reached, x.outcomes
      FROM activities x JOIN sub s ON s.code = team_home_on(x.team_id, x.held_on)
     WHERE v_past AND actor_enterprise IS NULL
       AND ((x.held_on >= v_lo AND x.held_on < v_head_hi) OR (x.held_on >= v_tail_lo AND x.held_on < v_hi))),
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
    -- Every month on today's structure (the default range): each unit's total over all months
    -- (activity_unit_total, 026_overview_unit_totals.sql), one row instead of one per month.
    SELECT s.child, r.activities, r.people_reached, r.vneid_activations,
           r.public_service_applications, r.cashless_accounts, r.ecommerce_shops, r.app_installs,
           r.people_trained
      FROM sub s JOIN activity_unit_total r ON r.unit_code = s.code
     WHERE NOT v_past AND v_m_lo = '-infinity' AND v_m_hi = 'infinity'
    UNION ALL
    SELECT s.child, r.activities, r.people_reached, r.vneid_activations,
           r.public_service_applications, r.cashless_accounts, r.ecommerce_shops, r.app_installs,
           r.people_trained
      FROM sub s CROSS JOIN LATERAL activity_month_rows(s.code, v_past, v_m_lo, v_m_hi) r
     WHERE v_m_lo < v_m_hi AND (v_past OR v_m_lo <> '-infinity' OR v_m_hi <> 'infinity')),
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

-- The deadlines due in the range, each with the moment it ends (deadline_end: once per deadline,
-- not twice per target).
dl AS MATERIALIZED (
    SELECT d.id, deadline_end(d.due_on) AS due_end FROM deadlines d
     WHERE (p_from IS NULL OR d.due_on >= p_from) AND (p_to IS NULL OR d.due_on <= p_to)),
-- Deadline targets due in the range: a unit of the subtree, or an enterprise located in it
-- (for an enterprise caller: its own targets only).
tg AS (
    SELECT s.child, dt.completed_at, d.due_end
      FROM sub s JOIN deadline_targets dt ON dt.unit_code = s.code
                 JOIN dl d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NULL
    UNION ALL
    -- (enterprise_id IS NOT NULL, implied by the join, is said so that the planner can start
    -- from the few enterprise targets instead of probing every enterprise of the subtree.)
    SELECT s.child, dt.completed_at, d.due_end
      FROM sub s JOIN enterprises e ON e.unit_code = s.code
                 JOIN deadline_targets dt ON dt.enterprise_id = e.id
                 JOIN dl d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NULL AND dt.enterprise_id IS NOT NULL
    UNION ALL
    SELECT NULL, dt.completed_at, d.due_end
      FROM deadline_targets dt JOIN dl d ON d.id = dt.deadline_id
     WHERE actor_enterprise IS NOT NULL AND dt.enterprise_id = actor_enterprise),
-- Status as target_status() says at v_now; on time as target_on_time() says.
gs AS (
    SELECT tg.child, CASE WHEN tg.completed_at IS NOT NULL THEN 'done'
                          WHEN v_now >= tg.due_end THEN 'overdue'
                          ELSE 'pending' END AS status,
           tg.completed_at < tg.due_end AS on_time
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
    -- The children valid on v_day, and any other (closed) that still holds what is counted.
    SELECT k.code, k.code, k.name, k.level
      FROM root r JOIN units k ON k.parent_code = r.code
     WHERE actor_enterprise IS NULL
       AND (unit_valid_on(k.valid_from, k.valid_to, v_day)
            OR k.code IN (SELECT tf.key FROM tf WHERE tf.teams_active > 0
                          UNION SELECT af.key FROM af WHERE af.activities > 0
                          UNION SELECT gf.key FROM gf
                           WHERE gf.pending + gf.overdue + gf.done_on_time + gf.done_late > 0))),
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
           )::stats_figures AS f,
           coalesce(h.hamlets, 0) AS hamlets
      FROM keys k
      LEFT JOIN cf c ON c.key = k.key
      LEFT JOIN tf t ON t.key = k.key
      LEFT JOIN af a ON a.key = k.key
      LEFT JOIN gf g ON g.key = k.key
      LEFT JOIN hf h ON h.key = k.key)
SELECT json_build_object(
           'unit', json_build_object('code', r.code, 'name', r.name, 'level', r.level),
           'from', p_from, 'to', p_to, 'on', v_day,
           'totals', (SELECT to_json(x) FROM (SELECT (fig.f).*, e.* FROM fig, stats_rates(fig.f, fig.hamlets) e
                                                WHERE fig.key = '') x),
           'children', coalesce((SELECT json_agg(x ORDER BY x.code)
                                   FROM (SELECT fig.code, fig.name, fig.level, (fig.f).*, e.*
                                           FROM fig, stats_rates(fig.f, fig.hamlets) e WHERE fig.key <> '') x), '[]'))
  FROM root r);
END $fn$;

-- GET /stats/timeseries, as in 005_stats.sql, on the structure of p_on as above. By month, a
-- unit-scoped caller's series is the rollup's sums over the subtree's units (where the teams are
-- now, or where they were when the activities were held); weeks, and enterprise callers (their
-- own teams only), read activities.
CREATE OR REPLACE FUNCTION stats_timeseries(actor_unit text, actor_enterprise uuid, asked text, p_from date,
                                            p_to date, p_interval text, p_metric text, p_on date)
RETURNS TABLE (from_on date, to_on date, periods bigint, series json) LANGUAGE sql STABLE AS $$
WITH root AS MATERIALIZED (SELECT r.code, stats_day(r, p_on) < unit_today() AS past
                             FROM stats_root(actor_unit, actor_enterprise, asked, p_on) r),
step AS (SELECT CASE p_interval WHEN 'week' THEN interval '1 week' ELSE interval '1 month' END AS len),
fin AS (SELECT coalesce(p_to, unit_today()) AS to_on),
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
                   FROM step, (SELECT x.* FROM stats_teams(r.code, actor_enterprise, unit_today()) tm
                                 JOIN activities x ON x.team_id = tm.id
                                WHERE actor_enterprise IS NOT NULL OR NOT r.past
                               UNION ALL
                               -- A past structure: each activity under the unit its team was in then.
                               SELECT x.* FROM activities x
                                WHERE actor_enterprise IS NULL AND r.past
                                  AND EXISTS (SELECT 1 FROM units u WHERE u.code = team_home_on(x.team_id, x.held_on)
                                                                      AND u.ancestors @> ARRAY[r.code])) a
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
                   FROM units u CROSS JOIN LATERAL activity_month_rows(u.code, r.past, s.first, s.last + 1) m
                  WHERE p_interval = 'month' AND actor_enterprise IS NULL AND u.ancestors @> ARRAY[r.code]
                  GROUP BY 1) v ON v.start = p.start)
       END
  FROM root r, span s
$$;
