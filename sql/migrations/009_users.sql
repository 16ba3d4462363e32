-- 009_users: accounts as administrators see them (never the password hash), and their scope.

-- An account's place in the tree: its unit, or the unit its enterprise is located in.
CREATE FUNCTION user_unit(u users) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(u.unit_code, (SELECT e.unit_code FROM enterprises e WHERE e.id = u.enterprise_id))
$$;

CREATE FUNCTION user_admin_doc(u users) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id, 'username', u.username, 'full_name', u.full_name, 'role', u.role,
        'unit_code', u.unit_code, 'enterprise_id', u.enterprise_id, 'read_only', u.read_only,
        'disabled', u.disabled, 'password_changed_at', u.password_changed_at,
        'version', u.version, 'created_at', u.created_at, 'updated_at', u.updated_at)
$$;
