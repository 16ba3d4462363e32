-- 013_list_performance: the documents keep their plans, and lists read only the caller's scope
-- (docs/performance.md §6.1, §6.2, §7 #1 and #2).
--
-- Documents. A SQL function's plan lives only as long as the statement that calls it, and a SQL
-- function called from inside another (team_compliance from team_doc) is parsed and planned again
-- for every row: ~6 ms per team document, 0.4 ms of it executing. The same queries in plpgsql keep
-- their plans for the life of the connection, and the pool's connections live long. The bodies
-- are those of 001_core.sql, 002_documents.sql and 004_deadlines.sql, unchanged, each wrapped in
-- `BEGIN RETURN (...); END`; the answers are the same text. target_status() (003_reporting.sql)
-- stays a SQL function: it has no sub-select, so the planner inlines it into each caller's query,
-- which plpgsql would prevent.

-- As in 001_core.sql.
CREATE OR REPLACE FUNCTION team_compliance(p_team uuid) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    WITH t AS (SELECT * FROM teams WHERE id = p_team),
    r AS (SELECT sr.* FROM structure_rules sr JOIN t ON sr.team_kind = t.kind),
    m AS (SELECT count(*) AS n,
                 count(*) FILTER (WHERE position = 'leader') AS leaders,
                 count(*) FILTER (WHERE position = 'deputy') AS deputies,
                 count(*) FILTER (WHERE it_skilled) AS it,
                 coalesce(array_agg(DISTINCT affiliation) FILTER (WHERE affiliation IS NOT NULL), '{}') AS affs
          FROM active_members WHERE team_id = p_team),
    p AS (
        SELECT 1 AS ord, 'too_few_members' AS code,
               format('Tổ có %s thành viên, cần ít nhất %s', m.n, r.min_members) AS message
          FROM m, r WHERE m.n < r.min_members
        UNION ALL
        SELECT 2, 'too_many_members', format('Tổ có %s thành viên, tối đa %s', m.n, r.max_members)
          FROM m, r WHERE r.max_members IS NOT NULL AND m.n > r.max_members
        UNION ALL
        SELECT 3, 'no_leader', 'Tổ chưa có Tổ trưởng' FROM m, r WHERE r.leader_required AND m.leaders = 0
        UNION ALL
        SELECT 4, 'no_deputy', 'Tổ chưa có Tổ phó' FROM m, r WHERE r.deputy_required AND m.deputies = 0
        UNION ALL
        SELECT 5, 'too_few_it_skilled',
               format('Tổ có %s thành viên có kỹ năng công nghệ thông tin cơ bản, cần ít nhất %s', m.it, r.min_it_skilled)
          FROM m, r WHERE m.it < r.min_it_skilled
        UNION ALL
        SELECT 6, 'missing_affiliation', format('Tổ chưa có thành viên thuộc lực lượng: %s', a)
          FROM m, r, unnest(r.required_affiliations) AS a WHERE NOT a = ANY (m.affs)
    )
    SELECT jsonb_build_object(
        'ok', NOT EXISTS (SELECT 1 FROM p),
        'problems', coalesce((SELECT jsonb_agg(jsonb_build_object('code', code, 'message', message) ORDER BY ord) FROM p), '[]'))
); END
$$;

-- As in 002_documents.sql.
CREATE OR REPLACE FUNCTION team_member_count(p_team uuid) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT count(*) FROM active_members WHERE team_id = p_team
); END
$$;

-- As in 002_documents.sql.
CREATE OR REPLACE FUNCTION team_doc(t teams) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT json_build_object(
        'id', t.id, 'external_id', t.external_id, 'name', t.name, 'kind', t.kind,
        'unit_code', t.unit_code, 'hamlet', t.hamlet, 'enterprise_id', t.enterprise_id,
        'decision_no', t.decision_no, 'established_on', t.established_on, 'status', t.status,
        'note', t.note,
        'member_count', team_member_count(t.id),
        'leader', (SELECT json_build_object('id', m.id, 'full_name', m.full_name)
                     FROM active_members m WHERE m.team_id = t.id AND m.position = 'leader'
                    ORDER BY m.joined_on NULLS LAST, m.created_at LIMIT 1),
        'compliance', team_compliance(t.id),
        'version', t.version, 'created_at', t.created_at, 'updated_at', t.updated_at)
); END
$$;

-- As in 004_deadlines.sql.
CREATE OR REPLACE FUNCTION deadline_doc(d deadlines) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT json_build_object(
        'id', d.id, 'title', d.title, 'description', d.description, 'kind', d.kind,
        'due_on', d.due_on, 'issued_by_unit', d.issued_by_unit, 'target_level', d.target_level,
        'scope_unit', d.scope_unit, 'recurrence', d.recurrence, 'previous_id', d.previous_id,
        'next_id', (SELECT n.id FROM deadlines n WHERE n.previous_id = d.id),
        'targets', (SELECT json_build_object(
                        'total', c.total,
                        'pending', CASE open_status WHEN 'pending' THEN c.open ELSE 0 END,
                        'overdue', CASE open_status WHEN 'overdue' THEN c.open ELSE 0 END,
                        'done_on_time', c.on_time, 'done_late', c.late)
                      FROM (SELECT count(*) AS total,
                                   count(*) FILTER (WHERE t.completed_at IS NULL) AS open,
                                   count(*) FILTER (WHERE target_on_time(t.completed_at, d.due_on)) AS on_time,
                                   count(*) FILTER (WHERE NOT target_on_time(t.completed_at, d.due_on)) AS late
                              FROM deadline_targets t WHERE t.deadline_id = d.id) c,
                           -- What every target not done is, asked once.
                           target_status(NULL, d.due_on) open_status),
        'version', d.version, 'created_at', d.created_at, 'updated_at', d.updated_at)
); END
$$;

-- As in 004_deadlines.sql.
CREATE OR REPLACE FUNCTION deadline_target_doc(t deadline_targets) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT json_build_object(
        'id', t.id, 'deadline_id', t.deadline_id,
        'unit_code', t.unit_code, 'unit_name', (SELECT u.name FROM units u WHERE u.code = t.unit_code),
        'enterprise_id', t.enterprise_id,
        'enterprise_name', (SELECT e.name FROM enterprises e WHERE e.id = t.enterprise_id),
        'status', target_status(t.completed_at, d.due_on), 'completed_at', t.completed_at,
        'on_time', target_on_time(t.completed_at, d.due_on), 'completed_by', t.completed_by,
        'note', t.note, 'link', t.link, 'version', t.version)
      FROM deadlines d WHERE d.id = t.deadline_id
); END
$$;

-- Scope, set form. in_scope() (001_core.sql) stays the one definition of scope and answers for
-- one thing at a time (single rows, writes). A list that filtered with it called it once per row
-- of the whole table: a SQL function with a sub-select is never inlined, so ~10 µs and three
-- buffer reads for each of 100,000 teams. scope_unit_codes() is its set form: the codes of the
-- units a unit-scoped actor sees (its unit and every unit below it; none when actor_unit is NULL,
-- as in_scope answers false then), and no codes at all for an enterprise actor, who sees only
-- things of its enterprise. So, for every thing located at (unit, enterprise),
--     in_scope(au, ae, unit, enterprise)
--   = unit = ANY (ARRAY(SELECT scope_unit_codes(au, ae))) OR enterprise = ae
-- (when ae is NULL the second half is NULL, never true; when ae is given the first is empty).
-- It is one SELECT with no sub-select in a scalar position, so the planner inlines it and the
-- scope becomes an index condition on the thing's unit. tests/api/scope.test.mjs checks the two
-- agree for every demo account.
CREATE FUNCTION scope_unit_codes(actor_unit text, actor_enterprise uuid) RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE ROWS 50 AS $$
    SELECT u.code FROM units u WHERE actor_enterprise IS NULL AND u.ancestors @> ARRAY[actor_unit]
$$;
