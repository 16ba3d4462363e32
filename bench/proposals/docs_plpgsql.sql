-- bench/proposals/docs_plpgsql.sql — docs/performance.md §6.2 / §7 #2: team_compliance,
-- team_member_count and team_doc, bodies unchanged, as plpgsql (plans kept per connection).
-- Generated from the definitions of 001/002 as of 2026-11-29; a migration would do the same with
-- the then-current bodies (and likewise deadline_doc, deadline_target_doc, target_status).

CREATE OR REPLACE FUNCTION public.team_compliance(p_team uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$ BEGIN RETURN (WITH t AS (SELECT * FROM teams WHERE id = p_team),
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
        'problems', coalesce((SELECT jsonb_agg(jsonb_build_object('code', code, 'message', message) ORDER BY ord) FROM p), '[]'))); END $function$;
CREATE OR REPLACE FUNCTION public.team_member_count(p_team uuid)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE
AS $function$ BEGIN RETURN (SELECT count(*) FROM active_members WHERE team_id = p_team); END $function$;
CREATE OR REPLACE FUNCTION public.team_doc(t teams)
 RETURNS json
 LANGUAGE plpgsql
 STABLE
AS $function$ BEGIN RETURN (SELECT json_build_object(
        'id', t.id, 'external_id', t.external_id, 'name', t.name, 'kind', t.kind,
        'unit_code', t.unit_code, 'hamlet', t.hamlet, 'enterprise_id', t.enterprise_id,
        'decision_no', t.decision_no, 'established_on', t.established_on, 'status', t.status,
        'note', t.note,
        'member_count', team_member_count(t.id),
        'leader', (SELECT json_build_object('id', m.id, 'full_name', m.full_name)
                     FROM active_members m WHERE m.team_id = t.id AND m.position = 'leader'
                    ORDER BY m.joined_on NULLS LAST, m.created_at LIMIT 1),
        'compliance', team_compliance(t.id),
        'version', t.version, 'created_at', t.created_at, 'updated_at', t.updated_at)); END $function$;
