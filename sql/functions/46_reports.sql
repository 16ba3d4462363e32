-- 46_reports: the periodic report (báo cáo định kỳ, issue 13): GET /reports/periodic and the
-- report a target attaches to a deadline of kind `report` (server/src/api/reports.c).
--
-- The figures are stats_overview's (40_stats.sql) for the period's dates, the very numbers the
-- dashboard and GET /stats/overview give; this file only adds what a report also lists: the
-- deadlines due in the period with their targets in the unit's subtree, and the targets that
-- were late or are overdue. PostgreSQL builds the document; the C side renders it as HTML.

-- The first and last day of a reporting period: month n (1..12), quarter n (1..4), half n (1..2:
-- January to June, July to December) or the year (n ignored).
CREATE OR REPLACE FUNCTION report_period_from(p_kind text, p_year integer, p_number integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT make_date(p_year, CASE p_kind WHEN 'month' THEN p_number
                                         WHEN 'quarter' THEN 3 * p_number - 2
                                         WHEN 'half' THEN 6 * p_number - 5
                                         ELSE 1 END, 1)
$$;

CREATE OR REPLACE FUNCTION report_period_to(p_kind text, p_year integer, p_number integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (report_period_from(p_kind, p_year, p_number)
            + make_interval(months => CASE p_kind WHEN 'month' THEN 1 WHEN 'quarter' THEN 3
                                                  WHEN 'half' THEN 6 ELSE 12 END)
            - interval '1 day')::date
$$;

-- The deadline targets a report of root counts (as stats_overview's tg does): those addressed to
-- a unit of root's subtree or to an enterprise located there; for an enterprise caller its own.
CREATE OR REPLACE FUNCTION report_targets(root text, actor_enterprise uuid)
RETURNS TABLE (id uuid, deadline_id uuid, unit_code text, enterprise_id uuid, completed_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT t.id, t.deadline_id, t.unit_code, t.enterprise_id, t.completed_at
      FROM deadline_targets t JOIN units u ON u.code = t.unit_code
     WHERE actor_enterprise IS NULL AND u.ancestors @> ARRAY[root]
    UNION ALL
    SELECT t.id, t.deadline_id, t.unit_code, t.enterprise_id, t.completed_at
      FROM deadline_targets t JOIN enterprises e ON e.id = t.enterprise_id JOIN units u ON u.code = e.unit_code
     WHERE actor_enterprise IS NULL AND u.ancestors @> ARRAY[root]
    UNION ALL
    SELECT t.id, t.deadline_id, t.unit_code, t.enterprise_id, t.completed_at
      FROM deadline_targets t
     WHERE actor_enterprise IS NOT NULL AND t.enterprise_id = actor_enterprise
$$;

-- The report's document, or NULL when the unit is unknown or outside the caller's scope (the
-- handler answers 404). Its figures are as of app_now(), which it states (`as_of`).
CREATE OR REPLACE FUNCTION report_figures(actor_unit text, actor_enterprise uuid, asked text, p_kind text,
                                          p_year integer, p_number integer)
RETURNS json LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    v_from date := report_period_from(p_kind, p_year, p_number);
    v_to   date := report_period_to(p_kind, p_year, p_number);
    v_overview json;
    v_root units;
BEGIN
v_overview := stats_overview(actor_unit, actor_enterprise, asked, v_from, v_to, NULL);
IF v_overview IS NULL THEN
    RETURN NULL;
END IF;
SELECT * INTO v_root FROM units u WHERE u.code = v_overview -> 'unit' ->> 'code';
RETURN (
WITH tg AS (
    SELECT t.*, d.due_on, d.title, d.kind
      FROM report_targets(v_root.code, actor_enterprise) t JOIN deadlines d ON d.id = t.deadline_id
     WHERE d.due_on BETWEEN v_from AND v_to)
SELECT json_build_object(
    'unit', json_build_object(
        'code', v_root.code, 'name', v_root.name, 'level', v_root.level,
        'parent', (SELECT json_build_object('code', p.code, 'name', p.name) FROM units p WHERE p.code = v_root.parent_code),
        'province', (SELECT json_build_object('code', p.code, 'name', p.name) FROM units p WHERE p.code = v_root.ancestors[1])),
    'enterprise', (SELECT json_build_object('id', e.id, 'name', e.name) FROM enterprises e WHERE e.id = actor_enterprise),
    'period', json_build_object('kind', p_kind, 'year', p_year,
                                'number', CASE WHEN p_kind = 'year' THEN NULL ELSE p_number END,
                                'from', v_from, 'to', v_to),
    'as_of', app_now(),
    'as_of_local', to_char(app_now() AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD"T"HH24:MI:SS'),
    'overview', v_overview,
    -- Each deadline due in the period that has targets in the subtree, counted over those.
    'deadlines', coalesce((
        SELECT json_agg(json_build_object(
                   'id', g.deadline_id, 'title', g.title, 'kind', g.kind, 'due_on', g.due_on,
                   'total', g.total, 'pending', g.pending, 'overdue', g.overdue,
                   'done_on_time', g.on_time, 'done_late', g.late) ORDER BY g.due_on, g.title, g.deadline_id)
          FROM (SELECT tg.deadline_id, tg.title, tg.kind, tg.due_on, count(*) AS total,
                       count(*) FILTER (WHERE tg.completed_at IS NULL AND app_now() < deadline_end(tg.due_on)) AS pending,
                       count(*) FILTER (WHERE tg.completed_at IS NULL AND app_now() >= deadline_end(tg.due_on)) AS overdue,
                       count(*) FILTER (WHERE target_on_time(tg.completed_at, tg.due_on)) AS on_time,
                       count(*) FILTER (WHERE NOT target_on_time(tg.completed_at, tg.due_on)) AS late
                  FROM tg GROUP BY tg.deadline_id, tg.title, tg.kind, tg.due_on) g), '[]'),
    -- The targets done late or overdue (at most 500, the rest counted in late_total).
    'late', coalesce((
        SELECT json_agg(l ORDER BY l.due_on, l.unit_code NULLS LAST, l.name)
          FROM (SELECT tg.unit_code, coalesce(unit_name_of(tg.unit_code), e.name) AS name,
                       unit_district_name(coalesce(tg.unit_code, e.unit_code)) AS district,
                       tg.title AS deadline, tg.due_on,
                       CASE WHEN tg.completed_at IS NULL THEN 'overdue' ELSE 'late' END AS status,
                       tg.completed_at
                  FROM tg LEFT JOIN enterprises e ON e.id = tg.enterprise_id
                 WHERE (tg.completed_at IS NULL AND app_now() >= deadline_end(tg.due_on))
                    OR NOT target_on_time(tg.completed_at, tg.due_on)
                 ORDER BY tg.due_on, tg.unit_code NULLS LAST LIMIT 500) l), '[]'),
    'late_total', (SELECT count(*) FROM tg
                    WHERE (tg.completed_at IS NULL AND app_now() >= deadline_end(tg.due_on))
                       OR NOT target_on_time(tg.completed_at, tg.due_on)))
); END $fn$;

-- The figures export (GET /stats/overview?format=csv): one row per child unit, then the totals,
-- from stats_overview's document. columns=api: the API's names; columns=labels
-- (stats_overview_labels) adds the rates a committee reads: coverage, compliance, trained, on time.
CREATE OR REPLACE FUNCTION stats_overview_rows(doc json) RETURNS SETOF json LANGUAGE sql IMMUTABLE AS $$
    SELECT c FROM json_array_elements(doc -> 'children') c
    UNION ALL
    SELECT (left(json_build_object('code', doc -> 'unit' -> 'code', 'name', doc -> 'unit' -> 'name',
                                   'level', 'total')::text, -1)
            || ', ' || substr((doc -> 'totals')::text, 2))::json
     WHERE doc IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION stats_overview_labels(doc json) RETURNS SETOF json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'Mã đơn vị', CASE WHEN r.total THEN NULL ELSE r.f ->> 'code' END,
        'Đơn vị', CASE WHEN r.total THEN 'Tổng cộng: ' || (doc -> 'unit' ->> 'name') ELSE r.f ->> 'name' END,
        'Từ ngày', (doc ->> 'from')::date, 'Đến ngày', (doc ->> 'to')::date,
        'Số xã, phường, thị trấn', (r.f ->> 'communes_total')::bigint,
        'Số xã có tổ', (r.f ->> 'communes_with_team')::bigint,
        'Tỷ lệ xã có tổ', export_ratio((r.f ->> 'communes_with_team')::numeric, (r.f ->> 'communes_total')::numeric),
        'Số khu phố, ấp có tổ', (r.f ->> 'hamlets_with_team')::bigint,
        'Tổ đang hoạt động', (r.f ->> 'teams_active')::bigint,
        'Tổ đạt cơ cấu', (r.f ->> 'teams_compliant')::bigint,
        'Tỷ lệ tổ đạt cơ cấu', export_ratio((r.f ->> 'teams_compliant')::numeric, (r.f ->> 'teams_active')::numeric),
        'Thành viên', (r.f ->> 'members_active')::bigint,
        'Thành viên đã tập huấn', (r.f ->> 'members_trained')::bigint,
        'Tỷ lệ đã tập huấn', export_ratio((r.f ->> 'members_trained')::numeric, (r.f ->> 'members_active')::numeric),
        'Số hoạt động', (r.f ->> 'activities')::bigint,
        'Số người được hỗ trợ', (r.f ->> 'people_reached')::bigint,
        'Tài khoản định danh điện tử được kích hoạt', (r.f ->> 'vneid_activations')::bigint,
        'Hồ sơ dịch vụ công trực tuyến', (r.f ->> 'public_service_applications')::bigint,
        'Tài khoản thanh toán được mở', (r.f ->> 'cashless_accounts')::bigint,
        'Gian hàng thương mại điện tử', (r.f ->> 'ecommerce_shops')::bigint,
        'Lượt cài đặt ứng dụng', (r.f ->> 'app_installs')::bigint,
        'Người được tập huấn kỹ năng số', (r.f ->> 'people_trained')::bigint,
        'Nhiệm vụ chưa đến hạn', (r.f ->> 'targets_pending')::bigint,
        'Nhiệm vụ quá hạn', (r.f ->> 'targets_overdue')::bigint,
        'Hoàn thành đúng hạn', (r.f ->> 'targets_done_on_time')::bigint,
        'Hoàn thành trễ hạn', (r.f ->> 'targets_done_late')::bigint,
        'Tỷ lệ đúng hạn', (r.f ->> 'on_time_rate')::numeric)
      FROM (SELECT c AS f, false AS total, n FROM json_array_elements(doc -> 'children') WITH ORDINALITY x(c, n)
            UNION ALL
            SELECT doc -> 'totals', true, 1e9 WHERE doc IS NOT NULL) r
     ORDER BY r.n
$$;

