-- 007_clients: API clients, the other provincial e-government systems that sync our data.
--
-- A client is scoped like a user: a role with a unit (province, district, commune) or an
-- enterprise. Its secret is stored only as a yescrypt hash; the server shows the secret once,
-- when the client is created. Clients are revoked (revoked_at), never deleted, so that the audit
-- trail keeps naming them. personal_data says whether the client may read members' phone and
-- email (issue 6).

CREATE TABLE api_clients (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id     text NOT NULL UNIQUE CONSTRAINT api_clients_client_id_check CHECK (client_id ~ '^cdt_[0-9a-f]{24}$'),
    secret_hash   text NOT NULL,
    name          text NOT NULL CONSTRAINT api_clients_name_check CHECK (length(name) BETWEEN 1 AND 200),
    role          text NOT NULL CHECK (role IN ('province', 'district', 'commune', 'enterprise')),
    unit_code     text REFERENCES units (code),
    enterprise_id uuid REFERENCES enterprises (id),
    read_only     boolean NOT NULL DEFAULT false,
    personal_data boolean NOT NULL DEFAULT false,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL,  -- the actor who created it, as the audit trail names actors
    revoked_at    timestamptz,
    -- As for users, and stricter: exactly one of a unit or an enterprise, as the role says.
    CONSTRAINT api_clients_enterprise_check CHECK ((role = 'enterprise') = (enterprise_id IS NOT NULL)),
    CONSTRAINT api_clients_unit_check CHECK ((role = 'enterprise') <> (unit_code IS NOT NULL))
);
CREATE INDEX api_clients_unit ON api_clients (unit_code);
CREATE INDEX api_clients_enterprise ON api_clients (enterprise_id);

-- A unit-scoped client's unit is at its role's level: a district client holds a district.
CREATE FUNCTION api_clients_check_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.unit_code IS NOT NULL AND
       (SELECT level FROM units WHERE code = NEW.unit_code) IS DISTINCT FROM NEW.role THEN
        RAISE check_violation USING MESSAGE = format('must be a unit at %s level for a %s client', NEW.role, NEW.role),
                                    COLUMN = 'unit_code';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER api_clients_unit_biu BEFORE INSERT OR UPDATE OF unit_code, role ON api_clients
    FOR EACH ROW EXECUTE FUNCTION api_clients_check_unit();

-- Where a client sits in the tree, for the scope predicate: its unit, or its enterprise's unit.
CREATE FUNCTION api_client_unit(c api_clients) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(c.unit_code, (SELECT e.unit_code FROM enterprises e WHERE e.id = c.enterprise_id))
$$;

-- The client as GET /clients shows it: never the secret or its hash.
CREATE FUNCTION client_doc(c api_clients) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'client_id', c.client_id, 'name', c.name, 'role', c.role,
        'unit_code', c.unit_code, 'enterprise_id', c.enterprise_id, 'read_only', c.read_only,
        'personal_data', c.personal_data, 'created_at', c.created_at, 'created_by', c.created_by,
        'revoked_at', c.revoked_at, 'version', c.version)
$$;

-- The client as the signed-in principal (token answer, GET /auth/me): the shape of user_doc.
CREATE FUNCTION client_principal_doc(c api_clients) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'username', c.name, 'full_name', c.name, 'role', c.role,
        'unit', c.unit_code, 'enterprise', c.enterprise_id, 'read_only', c.read_only,
        'kind', 'client', 'client_id', c.client_id, 'personal_data', c.personal_data)
$$;
