-- 005_stats: the steering committee's figures, GET /stats/overview and GET /stats/timeseries.
--
-- Every figure is defined in docs/reporting.md; keep the two in step. The functions are built to
-- stay set-based at national scale (10,000 communes, 100k teams, 5M activities):
--   - the asked unit's subtree is enumerated once through units.ancestors (GIN-indexed), the set
--     form of in_subtree(); scope is decided once, for the asked unit, by unit_visible();
--   - every team, activity and target is attached to the child of the asked unit it lies under by
--     reading its unit's ancestors (ancestors[position of the asked unit + 1]), never by a lookup
--     per row;
--   - each figure group is one aggregate over its rows with GROUPING SETS ((child), ()), which gives
--     the per-child rows and the totals in the same pass.
-- The only per-row function calls left are the ones that define a figure (target_status,
-- deadline_end) and structure_ok, which PostgreSQL inlines. Measured on a generated national data
-- set (63 provinces, 10,395 communes, 104k teams, 520k members, 5.2M activities, 208k targets) on
-- a loaded 2-core machine: a province's overview over all time about 0.2 s (82,500 activities),
-- over a quarter under 0.1 s; a district's about 0.1 s; a commune's 5 to 40 ms; a province's
-- timeseries 0.1 s.

-- One row of figures, in the order the API answers them (the totals, and each child after its
-- code, name and level).
CREATE TYPE stats_figures AS (
    communes_total              bigint,
    communes_with_team          bigint,
    teams_active                bigint,
    teams_compliant             bigint,
    members_active              bigint,
    members_trained             bigint,
    activities                  bigint,
    people_reached              bigint,
    vneid_activations           bigint,
    public_service_applications bigint,
    cashless_accounts           bigint,
    ecommerce_shops             bigint,
    app_installs                bigint,
    people_trained              bigint,
    targets_pending             bigint,
    targets_overdue             bigint,
    targets_done_on_time        bigint,
    targets_done_late           bigint,
    on_time_rate                numeric
);

-- Does a team whose active members have these counts meet its kind's structure rules? The
-- set-based twin of team_compliance(team)->'ok' (001_core.sql), for figures over many teams at
-- once: it must say ok exactly when team_compliance lists no problem (tests/api/stats.test.mjs
-- compares the two). A kind without a rules row is compliant, as there. Inlined by the planner.
CREATE FUNCTION structure_ok(r structure_rules, members bigint, leaders bigint, deputies bigint,
                             it_skilled bigint, affiliations text[])
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT r.team_kind IS NULL OR (
        members >= r.min_members
        AND (r.max_members IS NULL OR members <= r.max_members)
        AND NOT (r.leader_required AND leaders = 0)
        AND NOT (r.deputy_required AND deputies = 0)
        AND it_skilled >= r.min_it_skilled
        AND r.required_affiliations <@ coalesce(affiliations, '{}'))
$$;

-- The unit a figures request is about: the one asked for, else the caller's unit, else (an
-- enterprise account) the commune its enterprise is located in. No row when that unit does not
-- exist or is outside the caller's scope; the handler answers 404 for both.
CREATE FUNCTION stats_root(actor_unit text, actor_enterprise uuid, asked text)
RETURNS SETOF units LANGUAGE sql STABLE AS $$
    SELECT u.* FROM units u
     WHERE u.code = coalesce(asked, actor_unit,
                             (SELECT e.unit_code FROM enterprises e WHERE e.id = actor_enterprise))
       AND unit_visible(actor_unit, actor_enterprise, u.code)
$$;

-- The teams counted for root, each with the child of root it lies under (NULL when it lies in
-- root itself). For a unit-scoped caller: every team located in root's subtree, whatever its kind.
-- For an enterprise caller (actor_enterprise given): only its enterprise's teams, wherever they
-- serve, with no child (its figures have no children rows).
CREATE FUNCTION stats_teams(root text, actor_enterprise uuid)
RETURNS TABLE (id uuid, kind text, status text, unit_code text, child text)
LANGUAGE sql STABLE AS $$
    SELECT t.id, t.kind, t.status, t.unit_code, u.ancestors[array_position(u.ancestors, root) + 1]
      FROM units u JOIN teams t ON t.unit_code = u.code
     WHERE actor_enterprise IS NULL AND u.ancestors @> ARRAY[root]
    UNION ALL
    SELECT t.id, t.kind, t.status, t.unit_code, NULL
      FROM teams t
     WHERE actor_enterprise IS NOT NULL AND t.enterprise_id = actor_enterprise
$$;

-- GET /stats/overview: {unit, from, to, totals, children} for the unit `asked` (NULL: the caller's
-- own), counting activities held and targets due from p_from to p_to (either may be NULL: no
-- bound). NULL when the unit is unknown or outside the caller's scope.
CREATE FUNCTION stats_overview(actor_unit text, actor_enterprise uuid, asked text, p_from date, p_to date)
RETURNS json LANGUAGE sql STABLE AS $$
WITH root AS (SELECT r.code, r.name, r.level FROM stats_root(actor_unit, actor_enterprise, asked) r),
today AS (SELECT (app_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d),
-- Every unit of the subtree, with the child of root it lies under (NULL for root itself).
sub AS (
    SELECT u.code, u.level, u.valid_to, u.ancestors[array_position(u.ancestors, r.code) + 1] AS child
      FROM root r JOIN units u ON u.ancestors @> ARRAY[r.code]),
tm AS (SELECT t.* FROM root r, stats_teams(r.code, actor_enterprise) t),

-- Communes: open ones (valid_to empty or after today in Vietnam: unit_open() of 004_deadlines.sql,
-- written out so that this file stands alone), and those with an active team counted above (for
-- an enterprise: one of its own). `key` is the child's code, '' for the totals.
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
    SELECT m.team_id, count(*) AS members,
           count(*) FILTER (WHERE m.position = 'leader') AS leaders,
           count(*) FILTER (WHERE m.position = 'deputy') AS deputies,
           count(*) FILTER (WHERE m.it_skilled) AS it_skilled,
           count(*) FILTER (WHERE m.trained_on IS NOT NULL) AS trained,
           array_agg(DISTINCT m.affiliation) FILTER (WHERE m.affiliation IS NOT NULL) AS affiliations
      FROM tm JOIN active_members m ON m.team_id = tm.id
     WHERE tm.status = 'active'
     GROUP BY m.team_id),
tf AS (
    SELECT CASE WHEN grouping(tm.child) = 1 THEN '' ELSE tm.child END AS key,
           count(*) AS teams_active,
           count(*) FILTER (WHERE structure_ok(r, coalesce(ms.members, 0), coalesce(ms.leaders, 0),
                                               coalesce(ms.deputies, 0), coalesce(ms.it_skilled, 0),
                                               ms.affiliations)) AS teams_compliant,
           coalesce(sum(ms.members), 0)::bigint AS members_active,
           coalesce(sum(ms.trained), 0)::bigint AS members_trained
      FROM tm LEFT JOIN ms ON ms.team_id = tm.id
              LEFT JOIN structure_rules r ON r.team_kind = tm.kind
     WHERE tm.status = 'active'
     GROUP BY GROUPING SETS ((tm.child), ())),

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
     GROUP BY GROUPING SETS ((tm.child), ())),

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
-- Status as target_status() says; on time as target_on_time() of 004_deadlines.sql says.
gs AS (
    SELECT tg.child, target_status(tg.completed_at, tg.due_on) AS status,
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
$$;

-- GET /stats/timeseries: one value per period (p_interval 'week', from Monday, or 'month', from
-- the 1st) from the period containing from_on to the one containing to_on, zeros included. The
-- defaults: to_on today in Vietnam (app_now()), the first period 11 periods before the last.
-- Each period counts the activities held in the whole period, by the teams stats_teams counts.
-- p_metric: activities (a count), people_reached, or an outcome's name (sums).
-- Returns the range it settled on and its number of periods, so that the handler can refuse a
-- reversed range or one over 400 periods; series is NULL then (nothing is generated). No row when
-- the unit is unknown or outside the caller's scope.
CREATE FUNCTION stats_timeseries(actor_unit text, actor_enterprise uuid, asked text, p_from date,
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
                  WHERE a.held_on >= s.first AND a.held_on < s.last + step.len
                  GROUP BY 1) v ON v.start = p.start)
       END
  FROM root r, span s
$$;


-- The figures read each counted team's activities and active members. Covering indexes let
-- PostgreSQL answer those reads from the index alone (index-only scans) instead of visiting one
-- table page per activity or member: for a province at national scale, about a thousand pages
-- instead of eighty thousand. They replace the plain indexes on the same keys, under the same names.
DROP INDEX activities_team_held;
CREATE INDEX activities_team_held ON activities (team_id, held_on) INCLUDE (people_reached, outcomes);
DROP INDEX members_team;
CREATE INDEX members_team ON members (team_id)
    INCLUDE (position, it_skilled, trained_on, affiliation, left_on);
