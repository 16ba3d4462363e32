-- 60_accounts: accounts and API clients: their place in the tree, their documents (never a
-- password hash or a secret), and a unit that matches the role.

-- A unit-scoped account or client holds a unit at its role's level: a "commune" account on a
-- district unit would read the whole district. Enterprise accounts and clients hold an
-- enterprise and no unit (the tables' own checks). One function for both tables.
CREATE OR REPLACE FUNCTION check_unit_level_of_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.unit_code IS NOT NULL AND
       (SELECT level FROM units WHERE code = NEW.unit_code) IS DISTINCT FROM NEW.role THEN
        RAISE check_violation USING
            MESSAGE = format('must be a unit at %s level for a %s %s', NEW.role, NEW.role,
                             CASE TG_TABLE_NAME WHEN 'users' THEN 'account' ELSE 'client' END),
            COLUMN = 'unit_code';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER users_unit_biu BEFORE INSERT OR UPDATE OF unit_code, role ON users
    FOR EACH ROW EXECUTE FUNCTION check_unit_level_of_role();
CREATE OR REPLACE TRIGGER api_clients_unit_biu BEFORE INSERT OR UPDATE OF unit_code, role ON api_clients
    FOR EACH ROW EXECUTE FUNCTION check_unit_level_of_role();
-- Its first form (007_clients.sql), for clients only.
DROP FUNCTION IF EXISTS api_clients_check_unit();

-- An account's place in the tree: its unit, or the unit its enterprise is located in.
CREATE OR REPLACE FUNCTION user_unit(u users) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(u.unit_code, (SELECT e.unit_code FROM enterprises e WHERE e.id = u.enterprise_id))
$$;

-- The signed-in account (token answer, GET /auth/me).
CREATE OR REPLACE FUNCTION user_doc(u users) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id, 'username', u.username, 'full_name', u.full_name, 'role', u.role,
        'unit', u.unit_code, 'enterprise', u.enterprise_id, 'read_only', u.read_only)
$$;

-- An account as administrators see it (GET /users).
CREATE OR REPLACE FUNCTION user_admin_doc(u users) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id, 'username', u.username, 'full_name', u.full_name, 'role', u.role,
        'unit_code', u.unit_code, 'enterprise_id', u.enterprise_id, 'read_only', u.read_only,
        'disabled', u.disabled, 'password_changed_at', u.password_changed_at,
        'version', u.version, 'created_at', u.created_at, 'updated_at', u.updated_at)
$$;

-- Where a client sits in the tree, for the scope predicate: its unit, or its enterprise's unit.
CREATE OR REPLACE FUNCTION api_client_unit(c api_clients) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(c.unit_code, (SELECT e.unit_code FROM enterprises e WHERE e.id = c.enterprise_id))
$$;

-- The client as GET /clients shows it: never the secret or its hash.
CREATE OR REPLACE FUNCTION client_doc(c api_clients) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'client_id', c.client_id, 'name', c.name, 'role', c.role,
        'unit_code', c.unit_code, 'enterprise_id', c.enterprise_id, 'read_only', c.read_only,
        'personal_data', c.personal_data, 'created_at', c.created_at, 'created_by', c.created_by,
        'revoked_at', c.revoked_at, 'version', c.version)
$$;

-- The client as the signed-in principal (token answer, GET /auth/me): the shape of user_doc.
CREATE OR REPLACE FUNCTION client_principal_doc(c api_clients) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'username', c.name, 'full_name', c.name, 'role', c.role,
        'unit', c.unit_code, 'enterprise', c.enterprise_id, 'read_only', c.read_only,
        'kind', 'client', 'client_id', c.client_id, 'personal_data', c.personal_data)
$$;
