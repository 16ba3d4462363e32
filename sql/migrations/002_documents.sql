-- 002_documents: the JSON documents the API returns, built by PostgreSQL (DESIGN §5: reads are
-- assembled here and streamed by the server as text). One function per resource so that a
-- single row, a list page and a write's answer are always the same shape.

CREATE FUNCTION unit_visible(actor_unit text, actor_enterprise uuid, unit text)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN actor_enterprise IS NOT NULL THEN
            unit = (SELECT e.unit_code FROM enterprises e WHERE e.id = actor_enterprise)
        ELSE in_scope(actor_unit, NULL, unit, NULL)
    END
$$;

-- Is `unit` inside the subtree rooted at `root` (itself included)?
CREATE FUNCTION in_subtree(unit text, root text)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM units u WHERE u.code = unit AND u.ancestors @> ARRAY[root])
$$;

CREATE FUNCTION unit_doc(u units) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'code', u.code, 'name', u.name, 'level', u.level, 'parent_code', u.parent_code,
        'valid_to', u.valid_to, 'version', u.version)
$$;

CREATE FUNCTION enterprise_doc(e enterprises) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', e.id, 'name', e.name, 'tax_code', e.tax_code, 'unit_code', e.unit_code,
        'address', e.address, 'contact_name', e.contact_name, 'contact_phone', e.contact_phone,
        'version', e.version, 'created_at', e.created_at, 'updated_at', e.updated_at)
$$;

CREATE FUNCTION member_doc(m members) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', m.id, 'external_id', m.external_id, 'team_id', m.team_id, 'full_name', m.full_name,
        'gender', m.gender, 'birth_year', m.birth_year, 'phone', m.phone, 'email', m.email,
        'position', m.position, 'affiliation', m.affiliation, 'it_skilled', m.it_skilled,
        'trained_on', m.trained_on, 'joined_on', m.joined_on, 'left_on', m.left_on,
        'version', m.version, 'created_at', m.created_at, 'updated_at', m.updated_at)
$$;

CREATE FUNCTION team_member_count(p_team uuid) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM active_members WHERE team_id = p_team
$$;

CREATE FUNCTION team_doc(t teams) RETURNS json LANGUAGE sql STABLE AS $$
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
$$;

CREATE FUNCTION rules_doc() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_object_agg(r.team_kind, jsonb_build_object(
               'min_members', r.min_members, 'max_members', r.max_members,
               'leader_required', r.leader_required, 'deputy_required', r.deputy_required,
               'min_it_skilled', r.min_it_skilled, 'required_affiliations', to_jsonb(r.required_affiliations)))
           || jsonb_build_object('version', max(r.version))
      FROM structure_rules r
$$;

CREATE FUNCTION audit_doc(a audit) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id, 'at', a.at, 'actor', a.actor, 'actor_id', a.actor_id, 'action', a.action,
        'resource', a.resource, 'resource_id', a.resource_id, 'changes', a.changes)
$$;

CREATE FUNCTION user_doc(u users) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id, 'username', u.username, 'full_name', u.full_name, 'role', u.role,
        'unit', u.unit_code, 'enterprise', u.enterprise_id, 'read_only', u.read_only)
$$;
