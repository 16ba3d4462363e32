-- 60_accounts: an account's or an API client's unit matches its role.

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
