-- 50_teams: the commune a team serves.

-- A team serves a commune: its unit must exist at commune level, and a team cannot be set up in,
-- or moved to, a commune that is closed (unit_open, 004_deadlines.sql): its teams belong to the
-- commune that took its place. A team already there may still be changed (dissolved, renamed). A
-- new key of the same unit (unit_pass_code, 05_units.sql) is no move.
CREATE OR REPLACE FUNCTION teams_check_unit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    u units;
BEGIN
    IF unit_rekeying() THEN
        RETURN NEW;
    END IF;
    SELECT * INTO u FROM units WHERE code = NEW.unit_code;
    IF u.code IS NULL THEN
        RAISE foreign_key_violation USING MESSAGE = 'refers to a unit that does not exist', COLUMN = 'unit_code';
    END IF;
    IF u.level <> 'commune' THEN
        RAISE check_violation USING MESSAGE = 'must be a commune', COLUMN = 'unit_code';
    END IF;
    IF (TG_OP = 'INSERT' OR NEW.unit_code IS DISTINCT FROM OLD.unit_code) AND NOT unit_open(u.valid_to) THEN
        RAISE check_violation USING
            MESSAGE = format('the commune was closed on %s: choose the commune that took its place',
                             to_char(u.valid_to, 'DD/MM/YYYY')),
            COLUMN = 'unit_code';
    END IF;
    RETURN NEW;
END $$;
