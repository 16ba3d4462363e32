-- 25_documents: the JSON documents of enterprises, members, teams and the audit trail (DESIGN §5:
-- reads are assembled here and streamed by the server as text; one function per resource, so
-- that a single row, a list page and a write's answer are always the same shape), and the masking
-- of members' contact details in them.

-- Members' phone and email masked for callers not granted personal data (011_personal_data.sql):
-- Decree 13/2023 protects the volunteers' contact details. The server sets cdt.mask_personal on
-- the connection for such a request (server/src/db/pool.c), and the documents read it.
CREATE OR REPLACE FUNCTION personal_masked() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('cdt.mask_personal', true), '') = 'on'
$$;

-- Keeps the last three characters: enough to tell two numbers apart, not to call one.
CREATE OR REPLACE FUNCTION mask_text(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NULL THEN NULL
                WHEN length(t) <= 3 THEN repeat('*', length(t))
                ELSE repeat('*', length(t) - 3) || right(t, 3) END
$$;

CREATE OR REPLACE FUNCTION enterprise_doc(e enterprises) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', e.id, 'name', e.name, 'tax_code', e.tax_code, 'unit_code', e.unit_code,
        'address', e.address, 'contact_name', e.contact_name,
        'contact_phone', CASE WHEN personal_masked() THEN mask_text(e.contact_phone) ELSE e.contact_phone END,
        'version', e.version, 'created_at', e.created_at, 'updated_at', e.updated_at)
$$;

CREATE OR REPLACE FUNCTION member_doc(m members) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', m.id, 'external_id', m.external_id, 'team_id', m.team_id, 'full_name', m.full_name,
        'gender', m.gender, 'birth_year', m.birth_year,
        'phone', CASE WHEN personal_masked() THEN mask_text(m.phone) ELSE m.phone END,
        'email', CASE WHEN personal_masked() THEN mask_text(m.email) ELSE m.email END,
        'position', m.position, 'affiliation', m.affiliation, 'it_skilled', m.it_skilled,
        'trained_on', m.trained_on, 'joined_on', m.joined_on, 'left_on', m.left_on,
        'version', m.version, 'created_at', m.created_at, 'updated_at', m.updated_at)
$$;

-- Team documents are plpgsql, so that their plans last the connection (013_list_performance.sql);
-- what is stored of them: 55_team_documents.sql.
CREATE OR REPLACE FUNCTION team_member_count(p_team uuid) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT count(*) FROM active_members WHERE team_id = p_team
); END
$$;

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

-- An audit entry, its changes masked as member_doc masks (and an enterprise's contact_phone).
CREATE OR REPLACE FUNCTION audit_doc(a audit) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id, 'at', a.at, 'actor', a.actor, 'actor_id', a.actor_id, 'action', a.action,
        'resource', a.resource, 'resource_id', a.resource_id,
        'changes', CASE WHEN personal_masked() AND a.changes ?| ARRAY['phone', 'email', 'contact_phone']
                        THEN a.changes
                             || CASE WHEN a.changes ? 'phone' THEN jsonb_build_object('phone', mask_text(a.changes->>'phone')) ELSE '{}' END
                             || CASE WHEN a.changes ? 'email' THEN jsonb_build_object('email', mask_text(a.changes->>'email')) ELSE '{}' END
                             || CASE WHEN a.changes ? 'contact_phone' THEN jsonb_build_object('contact_phone', mask_text(a.changes->>'contact_phone')) ELSE '{}' END
                        ELSE a.changes END)
$$;
