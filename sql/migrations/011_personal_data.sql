-- 011_personal_data: members' phone and email masked for callers not granted personal data.
--
-- Decree 13/2023 protects the volunteers' contact details. A read-only API client that was not
-- granted personal data reads them masked, in lists, single reads, CSV exports and the audit
-- trail alike: the server sets cdt.mask_personal on the connection for such a request
-- (server/src/db/pool.c), and these documents read it.

CREATE FUNCTION personal_masked() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('cdt.mask_personal', true), '') = 'on'
$$;

-- Keeps the last three characters: enough to tell two numbers apart, not to call one.
CREATE FUNCTION mask_text(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NULL THEN NULL
                WHEN length(t) <= 3 THEN repeat('*', length(t))
                ELSE repeat('*', length(t) - 3) || right(t, 3) END
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
