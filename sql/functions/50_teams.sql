-- 50_teams: the commune a team serves; a team like one already there.

-- A team serves a commune: its unit must exist at commune level, and a team cannot be set up in,
-- or moved to, a commune that is closed (unit_open, 05_units.sql): its teams belong to the
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

-- The checks of a write of a team (POST, or PATCH of `id`; api/resource.h, sql_checks): rows
-- (field, message, doubt). One doubt, asked to be confirmed (issue 13): another active team of the
-- caller's scope in the same commune and hamlet with the same name (both compared without case,
-- diacritics or surrounding spaces) is most likely the same team entered twice. A PATCH is looked
-- at only when it changes the name, the commune or the hamlet.
CREATE OR REPLACE FUNCTION team_checks(actor_unit text, actor_enterprise uuid, body jsonb, id uuid)
RETURNS TABLE (field text, message text, doubt boolean) LANGUAGE sql STABLE AS $$
    SELECT 'name', format('an active team of this name is already registered in this commune and hamlet (id %s)', t.id),
           true
      FROM jsonb_populate_record(coalesce((SELECT c FROM teams c WHERE c.id = team_checks.id), NULL::teams), body) x
      JOIN teams t ON t.unit_code = x.unit_code AND t.status = 'active' AND t.id IS DISTINCT FROM team_checks.id
                  AND search_key(btrim(t.name)) = search_key(btrim(x.name))
                  AND coalesce(search_key(btrim(t.hamlet)), '') = coalesce(search_key(btrim(x.hamlet)), '')
     WHERE (team_checks.id IS NULL OR body ?| ARRAY['name', 'unit_code', 'hamlet'])
       AND in_scope(actor_unit, actor_enterprise, t.unit_code, t.enterprise_id)
     ORDER BY t.created_at
     LIMIT 1
$$;
