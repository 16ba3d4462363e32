-- 20_rules: the structure rules, one set per province, and a team's compliance with them.
--
-- structure_rules holds the defaults (province_code '', Bình Dương's plan: 001_core.sql) and the
-- rows of each province that set its own (PUT /rules writes every team kind at once, so a
-- province has all four rows or none).

-- The rules a province's teams are held to: its own, or the defaults until it sets them.
CREATE OR REPLACE FUNCTION rules_of(p_province text) RETURNS SETOF structure_rules
LANGUAGE sql STABLE AS $$
    SELECT r.* FROM structure_rules r WHERE r.province_code = p_province
    UNION ALL
    SELECT r.* FROM structure_rules r
     WHERE r.province_code = ''
       AND NOT EXISTS (SELECT 1 FROM structure_rules o WHERE o.province_code = p_province)
$$;

-- GET /rules: the province's rules per team kind, and their version.
CREATE OR REPLACE FUNCTION rules_doc(p_province text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_object_agg(r.team_kind, jsonb_build_object(
               'min_members', r.min_members, 'max_members', r.max_members,
               'leader_required', r.leader_required, 'deputy_required', r.deputy_required,
               'min_it_skilled', r.min_it_skilled, 'required_affiliations', to_jsonb(r.required_affiliations)))
           || jsonb_build_object('version', max(r.version))
      FROM rules_of(p_province) r
$$;

-- A team's compliance with its province's rules for its kind: {ok, problems:[{code, message}]}.
-- plpgsql, so that its plan lasts the connection (013_list_performance.sql). structure_ok
-- (below) is its set-based twin for the figures; tests/api/stats.test.mjs compares them.
CREATE OR REPLACE FUNCTION team_compliance(p_team uuid) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    WITH t AS (SELECT * FROM teams WHERE id = p_team),
    r AS (SELECT sr.* FROM t, rules_of(unit_province(t.unit_code)) sr WHERE sr.team_kind = t.kind),
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

-- Does a team whose active members have these counts meet its kind's structure rules? The
-- set-based twin of team_compliance(team)->'ok', for figures over many teams at once
-- (40_stats.sql): it must say ok exactly when team_compliance lists no problem
-- (tests/api/stats.test.mjs compares the two). A kind without a rules row is compliant, as there.
-- Inlined by the planner.
CREATE OR REPLACE FUNCTION structure_ok(r structure_rules, members bigint, leaders bigint, deputies bigint,
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
