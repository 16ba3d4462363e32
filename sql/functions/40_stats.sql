-- 40_stats: GET /stats/overview (what each figure counts: 005_stats.sql and docs/reporting.md;
-- how it is computed: 014_activity_rollup.sql).
--
-- Compliance is judged against the rules of the province the asked unit lies in (rules_of,
-- 20_rules.sql): a unit's subtree lies in one province, and an enterprise's teams are filed in the
-- commune where it is located (team_place_refusal, 10_scope.sql).

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
WITH root AS (SELECT r.code, r.name, r.level, r.ancestors[1] AS province
               FROM stats_root(actor_unit, actor_enterprise, asked) r),
rules AS (SELECT x AS r, x.team_kind FROM root, rules_of(root.province) x),
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
           count(*) FILTER (WHERE structure_ok(rl.r, ms.members, ms.leaders, ms.deputies, ms.it_skilled,
                                               ms.affiliations)) AS teams_compliant,
           coalesce(sum(ms.members), 0)::bigint AS members_active,
           coalesce(sum(ms.trained), 0)::bigint AS members_trained
      FROM ms LEFT JOIN rules rl ON rl.team_kind = ms.kind
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
