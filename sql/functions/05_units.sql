-- 05_units: unit versions in time (018_unit_versions.sql says what a version, its key and its
-- lineage are), the scope predicate that follows lineage, and loading a list of units as of a day.

-- Today in Vietnam: the day every "valid now" is asked about.
CREATE OR REPLACE FUNCTION unit_today() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (app_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
$$;

-- Is a version with this validity valid on day d? From valid_from (inclusive) to valid_to (exclusive).
CREATE OR REPLACE FUNCTION unit_valid_on(valid_from date, valid_to date, d date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (valid_from IS NULL OR valid_from <= d) AND (valid_to IS NULL OR valid_to > d)
$$;

-- Is a unit open today in Vietnam? A unit closes on its valid_to (as the figures count them).
-- (004_deadlines.sql; the closing alone: a version not yet begun is not asked about there.)
CREATE OR REPLACE FUNCTION unit_open(valid_to date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT valid_to IS NULL OR valid_to > unit_today()
$$;

-- The key of the version a code names on day d: the key itself when given one ('25747@2025-07-01'),
-- else the version of that GSO code valid on d. NULL when there is none.
CREATE OR REPLACE FUNCTION unit_key(p_code text, d date) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN position('@' IN p_code) > 0 THEN (SELECT u.code FROM units u WHERE u.code = p_code)
                ELSE (SELECT u.code FROM units u
                       WHERE u.gso_code = p_code AND unit_valid_on(u.valid_from, u.valid_to, d)) END
$$;

-- The version a code names when no day is asked: the one valid today, else its latest (a unit
-- closed since, such as 74 Tỉnh Bình Dương, still answers with its last version).
CREATE OR REPLACE FUNCTION unit_key_now(p_code text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(unit_key(p_code, unit_today()),
                    (SELECT u.code FROM units u WHERE u.gso_code = p_code
                      ORDER BY u.valid_to DESC NULLS FIRST LIMIT 1))
$$;

-- A unit's scope_path (018_unit_versions.sql), NULL for no unit: in_scope's one read of a table, in
-- plpgsql (its plan lasts the connection) so that in_scope itself holds no subquery.
CREATE OR REPLACE FUNCTION unit_scope_path(p_code text) RETURNS text[] LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT u.scope_path FROM units u WHERE u.code = p_code);
END $$;

-- The scope predicate, the one place it is written: is a thing located at (unit, enterprise)
-- visible to an actor scoped to actor_unit or actor_enterprise? Enterprise actors see only their
-- enterprise; national actors ('*') everything; unit actors their unit and everything below it,
-- and what was recorded under the units those came from (scope_path, 018_unit_versions.sql).
-- No subquery (the unit's path is read by unit_scope_path), so the planner inlines it into the
-- statement that calls it: with an EXISTS here, its body was parsed and planned again by every
-- statement that called it, twice in each write (docs/performance.md §9, "Writes").
CREATE OR REPLACE FUNCTION in_scope(actor_unit text, actor_enterprise uuid, thing_unit text, thing_enterprise uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN actor_enterprise IS NOT NULL THEN thing_enterprise IS NOT DISTINCT FROM actor_enterprise
        WHEN actor_unit IS NULL THEN false
        WHEN actor_unit = '*' THEN thing_unit IS NOT NULL OR thing_enterprise IS NOT NULL
        ELSE coalesce(unit_scope_path(thing_unit) @> ARRAY[actor_unit], false)
    END
$$;

-- Its set form (013_list_performance.sql says why): the codes of the units a unit-scoped actor
-- sees; none for an enterprise actor. Two branches rather than one OR, so that a generic plan
-- (the activities' recent page, api/activities.c) reads a unit's subtree by units_scope_path as
-- a custom plan does; with the OR it read all 3,365 units twice a page (docs/performance.md §9).
CREATE OR REPLACE FUNCTION scope_unit_codes(actor_unit text, actor_enterprise uuid) RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE ROWS 50 AS $$
    SELECT u.code FROM units u WHERE actor_enterprise IS NULL AND actor_unit = '*'
    UNION ALL
    SELECT u.code FROM units u
     WHERE actor_enterprise IS NULL AND actor_unit <> '*' AND u.scope_path @> ARRAY[actor_unit]
$$;

-- Keeps ancestors (and the structural part of scope_path) in step with parent_code and code; a move
-- or a new key re-roots the subtree below it (units_reroot_children). The parent is one level up,
-- or the province for a commune of a province without districts.
CREATE OR REPLACE FUNCTION units_set_ancestors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p units;
BEGIN
    IF NEW.parent_code IS NULL THEN
        NEW.ancestors := ARRAY[NEW.code];
        NEW.scope_path := ARRAY[NEW.code];
    ELSE
        SELECT * INTO p FROM units WHERE code = NEW.parent_code;
        IF p.code IS NULL THEN
            RAISE foreign_key_violation USING MESSAGE = 'refers to a unit that does not exist', COLUMN = 'parent_code';
        END IF;
        IF NEW.code = ANY (p.ancestors) THEN
            RAISE check_violation USING MESSAGE = 'cannot place a unit under itself', COLUMN = 'parent_code';
        END IF;
        IF p.level NOT IN (CASE NEW.level WHEN 'district' THEN 'province' ELSE 'district' END, 'province')
           OR NEW.level = 'province' THEN
            RAISE check_violation USING MESSAGE = 'must be a unit one level above', COLUMN = 'parent_code';
        END IF;
        NEW.ancestors := p.ancestors || NEW.code;
        NEW.scope_path := p.scope_path || NEW.code;
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER units_ancestors_biu BEFORE INSERT OR UPDATE OF parent_code, code ON units
    FOR EACH ROW EXECUTE FUNCTION units_set_ancestors();

-- A unit whose ancestors changed re-roots its children, and so on down the subtree (trigger
-- units_reroot_au, 001_core.sql).
CREATE OR REPLACE FUNCTION units_reroot_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        UPDATE units SET parent_code = parent_code WHERE parent_code = NEW.code;
    END IF;
    RETURN NULL;
END $$;

-- scope_path of every unit: its own code, its parent's scope_path and its successors'. Computed to
-- a fixpoint (lineage goes forward in time, so a few rounds) after units or lineage change.
CREATE OR REPLACE FUNCTION units_refresh_scope_paths() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    UPDATE units SET scope_path = ancestors WHERE scope_path IS DISTINCT FROM ancestors;
    LOOP
        WITH wanted AS (
            SELECT u.code,
                   ARRAY(SELECT DISTINCT x FROM unnest(u.scope_path || coalesce(p.scope_path, '{}')
                                                      || coalesce(s.paths, '{}')) x ORDER BY 1) AS path
              FROM units u
              LEFT JOIN units p ON p.code = u.parent_code
              LEFT JOIN LATERAL (SELECT array_agg(y) AS paths
                                   FROM unit_successors l JOIN units n ON n.code = l.successor,
                                        unnest(n.scope_path) y
                                  WHERE l.predecessor = u.code) s ON true),
        upd AS (
            UPDATE units u SET scope_path = w.path FROM wanted w
             WHERE u.code = w.code AND NOT (u.scope_path @> w.path)
            RETURNING 1)
        SELECT count(*) INTO changed FROM upd;
        EXIT WHEN changed = 0;
    END LOOP;
END $$;

-- Re-keys the version that holds the plain code p_code to p_code@<its valid_to>, so that a later
-- version can take the code. ON UPDATE CASCADE carries the key into every reference; the triggers
-- that would see it as a move (feed, rollup, the team's commune check) stand aside while
-- cdt.unit_rekey is on, and the rollup and its totals are re-keyed here. The version must be closed.
CREATE OR REPLACE FUNCTION unit_pass_code(p_code text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    closed_on date;
    new_key text;
BEGIN
    SELECT valid_to INTO closed_on FROM units WHERE code = p_code;
    IF closed_on IS NULL THEN
        RAISE check_violation USING MESSAGE = format('unit %s is still valid: close it before its code passes on', p_code),
                                    COLUMN = 'code';
    END IF;
    new_key := p_code || '@' || to_char(closed_on, 'YYYY-MM-DD');
    PERFORM set_config('cdt.unit_rekey', 'on', true);
    UPDATE units SET code = new_key WHERE code = p_code;
    UPDATE activity_month_unit SET unit_code = new_key WHERE unit_code = p_code;
    UPDATE activity_month_unit SET held_unit = new_key WHERE held_unit = p_code;
    UPDATE activity_unit_total SET unit_code = new_key WHERE unit_code = p_code;
    PERFORM set_config('cdt.unit_rekey', 'off', true);
    RETURN new_key;
END $$;

-- True while unit_pass_code re-keys: references change key, nothing moves.
CREATE OR REPLACE FUNCTION unit_rekeying() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('cdt.unit_rekey', true), '') = 'on'
$$;

-- Loading a list of units as of a day, in two steps so that an import can count before it writes
-- (dry run): units_load_plan reads the rows into the temporary table units_load_rows and says
-- what each will do; units_load_apply does it. units_load does both (sql/seed/demo.sql).
--
-- p_rows is a JSON array of {code, name, level, parent_code, valid_from, valid_to} (GSO codes;
-- parent_code as it was on the row's day). Each row speaks of the version of its code valid on its
-- day (valid_from, else p_valid_from, else the day before valid_to, else today):
--   - 'unchanged': the same name, level, parent and end;
--   - 'version': otherwise, with a valid_from after that version began: a new version from
--     valid_from, the old one closed on it (and, when the new one is the latest, the old one's key
--     passes it the code);
--   - 'update': otherwise, that version corrected in place (its name, parent or end);
--   - 'insert': no version valid on that day: a new one for its period (keyed code@valid_to when
--     a later version holds the code).
CREATE OR REPLACE FUNCTION units_load_plan(p_rows jsonb, p_valid_from date) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL client_min_messages = warning;  -- no notice when there is no table to drop
    DROP TABLE IF EXISTS units_load_rows;
    CREATE TEMP TABLE units_load_rows ON COMMIT DROP AS
    SELECT x.code, x.name, x.level, x.parent_code,
           coalesce(x.valid_from, p_valid_from) AS valid_from, x.valid_to,
           coalesce(x.valid_from, p_valid_from, x.valid_to - 1, unit_today()) AS ref,
           NULL::text AS key, NULL::text AS parent_key, NULL::text AS action
      FROM jsonb_to_recordset(p_rows) AS x(code text, name text, level text, parent_code text,
                                           valid_from date, valid_to date);
    PERFORM units_load_classify(NULL);
END $$;

-- Resolves and classifies the rows of one level (NULL: every level) against the units as they are.
-- (plpgsql: the temporary table exists only when it runs.)
CREATE OR REPLACE FUNCTION units_load_classify(p_level text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE units_load_rows l SET key = unit_key(l.code, l.ref), parent_key = unit_key(l.parent_code, l.ref)
     WHERE p_level IS NULL OR l.level = p_level;
    UPDATE units_load_rows l SET action = CASE
            WHEN l.key IS NULL THEN 'insert'
            WHEN (u.name, u.level, u.parent_code, u.valid_to) IS NOT DISTINCT FROM
                 (l.name, l.level, l.parent_key, l.valid_to) THEN 'unchanged'
            WHEN l.valid_from IS NOT NULL AND (u.valid_from IS NULL OR u.valid_from < l.valid_from) THEN 'version'
            ELSE 'update' END
      FROM (SELECT l2.code AS row_code, u.* FROM units_load_rows l2 LEFT JOIN units u ON u.code = l2.key
             WHERE p_level IS NULL OR l2.level = p_level) u
     WHERE u.row_code = l.code;
END $$;

-- Does what units_load_plan planned, parents before children. With p_close_under (keys of units,
-- or '{*}' for the whole country) and p_valid_from, every other unit under them valid that day and
-- absent from the list closes on it. Refreshes the scope paths. Returns the counts.
CREATE OR REPLACE FUNCTION units_load_apply(p_valid_from date, p_close_under text[],
                                            OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
                                            OUT closed bigint)
LANGUAGE plpgsql AS $$
DECLARE
    lvl text;
    r record;
BEGIN
    inserted := 0; updated := 0; unchanged := 0; closed := 0;
    FOREACH lvl IN ARRAY ARRAY['province', 'district', 'commune'] LOOP
        PERFORM units_load_classify(lvl);  -- again: the parents of this level are loaded now
        -- A new version: the old one closes on its first day.
        WITH c AS (
            UPDATE units u SET valid_to = l.valid_from, version = u.version + 1, updated_at = now()
              FROM units_load_rows l
             WHERE l.level = lvl AND l.action = 'version' AND u.code = l.key
               AND (u.valid_to IS NULL OR u.valid_to > l.valid_from)
            RETURNING 1)
        SELECT closed + count(*) INTO closed FROM c;
        FOR r IN SELECT l.* FROM units_load_rows l WHERE l.level = lvl AND l.action IN ('version', 'insert')
                  ORDER BY l.code LOOP
            IF NOT EXISTS (SELECT 1 FROM units u WHERE u.gso_code = r.code
                            AND coalesce(u.valid_from, '-infinity') > coalesce(r.valid_from, '-infinity')) THEN
                -- The latest version of its code: it takes the plain code.
                IF EXISTS (SELECT 1 FROM units u WHERE u.code = r.code) THEN
                    PERFORM unit_pass_code(r.code);
                END IF;
                INSERT INTO units (code, name, level, parent_code, valid_from, valid_to, ancestors, scope_path)
                VALUES (r.code, r.name, r.level, unit_key(r.parent_code, r.ref), r.valid_from, r.valid_to, '{}', '{}');
            ELSE
                IF r.valid_to IS NULL THEN
                    RAISE check_violation USING MESSAGE = format(
                        'a later unit holds code %s: give this one the day it closed (valid_to)', r.code),
                        COLUMN = 'valid_to';
                END IF;
                INSERT INTO units (code, name, level, parent_code, valid_from, valid_to, ancestors, scope_path)
                VALUES (r.code || '@' || to_char(r.valid_to, 'YYYY-MM-DD'), r.name, r.level,
                        unit_key(r.parent_code, r.ref), r.valid_from, r.valid_to, '{}', '{}');
            END IF;
            inserted := inserted + 1;
        END LOOP;
        WITH upd AS (
            UPDATE units u SET name = l.name, parent_code = l.parent_key, valid_to = l.valid_to,
                               version = u.version + 1, updated_at = now()
              FROM units_load_rows l
             WHERE l.level = lvl AND l.action = 'update' AND u.code = l.key
            RETURNING 1)
        SELECT updated + count(*) INTO updated FROM upd;
        SELECT unchanged + count(*) INTO unchanged FROM units_load_rows WHERE level = lvl AND action = 'unchanged';
    END LOOP;

    IF p_close_under IS NOT NULL AND p_valid_from IS NOT NULL THEN
        WITH c AS (
            UPDATE units u SET valid_to = p_valid_from, version = u.version + 1, updated_at = now()
             WHERE unit_valid_on(u.valid_from, u.valid_to, p_valid_from)
               AND coalesce(u.valid_from, '-infinity') < p_valid_from
               AND ('*' = ANY (p_close_under) OR u.ancestors && p_close_under)
               AND NOT EXISTS (SELECT 1 FROM units_load_rows l WHERE l.code = u.gso_code)
            RETURNING 1)
        SELECT closed + count(*) INTO closed FROM c;
    END IF;
    PERFORM units_refresh_scope_paths();
END $$;

CREATE OR REPLACE FUNCTION units_load(p_rows jsonb, p_valid_from date, p_close_under text[],
                                      OUT inserted bigint, OUT updated bigint, OUT unchanged bigint,
                                      OUT closed bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM units_load_plan(p_rows, p_valid_from);
    SELECT a.inserted, a.updated, a.unchanged, a.closed INTO inserted, updated, unchanged, closed
      FROM units_load_apply(p_valid_from, p_close_under) a;
    DROP TABLE units_load_rows;
END $$;

-- Loads lineage: p_rows is a JSON array of {old_code, new_code, share} (share 'whole' or 'part'),
-- for a reorganisation that took effect on p_effective: old_code names the unit of the day before,
-- new_code the unit from that day (GSO codes, or keys). The kind is worked out: a split where the
-- old unit went in parts, a merge where the new unit took others too, else a rename or a move.
-- Provinces are linked too: an old province to every new one its units went into (whole when all
-- went to one). Idempotent. Returns how many links it wrote.
CREATE OR REPLACE FUNCTION unit_successors_load(p_rows jsonb, p_effective date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
    missing record;
BEGIN
    CREATE TEMP TABLE lineage_rows ON COMMIT DROP AS
    SELECT x.old_code, x.new_code, x.share, p_effective AS effective_on,
           unit_key(x.old_code, p_effective - 1) AS predecessor, unit_key(x.new_code, p_effective) AS successor
      FROM jsonb_to_recordset(p_rows) AS x(old_code text, new_code text, share text);
    SELECT * INTO missing FROM lineage_rows WHERE predecessor IS NULL OR successor IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING
            MESSAGE = CASE WHEN missing.predecessor IS NULL
                           THEN format('no unit %s on the day before %s', missing.old_code, p_effective)
                           ELSE format('no unit %s on %s', missing.new_code, p_effective) END,
            COLUMN = CASE WHEN missing.predecessor IS NULL THEN 'old_code' ELSE 'new_code' END;
    END IF;
    WITH links AS (
        SELECT l.predecessor, l.successor, l.share, l.effective_on,
               CASE WHEN l.share = 'part' THEN 'split'
                    WHEN count(*) OVER (PARTITION BY l.successor) > 1 THEN 'merge'
                    WHEN o.name IS DISTINCT FROM n.name THEN 'rename'
                    ELSE 'move' END AS kind
          FROM lineage_rows l JOIN units o ON o.code = l.predecessor JOIN units n ON n.code = l.successor
        UNION ALL
        SELECT op.code, np.code,
               CASE WHEN count(*) OVER (PARTITION BY op.code) = 1 THEN 'whole' ELSE 'part' END,
               min(l.effective_on),
               CASE WHEN count(*) OVER (PARTITION BY op.code) > 1 THEN 'split' ELSE 'merge' END
          FROM lineage_rows l JOIN units o ON o.code = l.predecessor JOIN units n ON n.code = l.successor
               JOIN units op ON op.code = o.ancestors[1] JOIN units np ON np.code = n.ancestors[1]
         WHERE op.code <> np.code
         GROUP BY op.code, np.code),
    ins AS (
        INSERT INTO unit_successors (predecessor, successor, kind, share, effective_on)
        SELECT predecessor, successor, kind, share, effective_on FROM links
        ON CONFLICT (predecessor, successor) DO UPDATE
           SET kind = EXCLUDED.kind, share = EXCLUDED.share, effective_on = EXCLUDED.effective_on
        RETURNING 1)
    SELECT count(*) INTO added FROM ins;
    DROP TABLE lineage_rows;
    PERFORM units_refresh_scope_paths();
    RETURN added;
END $$;

-- A unit version as the API shows it: code is its key (the GSO code, or code@day for a version
-- that passed its code on), gso_code the code alone; where it came from and what took its place.
CREATE OR REPLACE FUNCTION unit_doc(u units) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'code', u.code, 'gso_code', u.gso_code, 'name', u.name, 'level', u.level, 'parent_code', u.parent_code,
        'valid_from', u.valid_from, 'valid_to', u.valid_to,
        'predecessors', coalesce((SELECT json_agg(json_build_object('code', p.code, 'name', p.name, 'kind', l.kind,
                                                                    'share', l.share) ORDER BY p.code)
                                    FROM unit_successors l JOIN units p ON p.code = l.predecessor
                                   WHERE l.successor = u.code), '[]'),
        'successors', coalesce((SELECT json_agg(json_build_object('code', n.code, 'name', n.name, 'kind', l.kind,
                                                                  'share', l.share) ORDER BY n.code)
                                  FROM unit_successors l JOIN units n ON n.code = l.successor
                                 WHERE l.predecessor = u.code), '[]'),
        'version', u.version)
$$;

-- The units import's plan (server/src/api/import.c): p_rows are the file's good rows; the day and
-- the scope to close come from the import's options (import_options). Makes import_final (each
-- row new, changed or unchanged) and counts in import_options.closed the units it would close: the
-- versions a row replaces and, with close_under, the other units valid that day.
CREATE OR REPLACE FUNCTION units_import_final(p_rows jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    o record;
BEGIN
    SELECT * INTO o FROM import_options;
    PERFORM units_load_plan(coalesce(p_rows, '[]'), o.valid_from);
    CREATE TEMP TABLE import_final ON COMMIT DROP AS
    SELECT r.row_no, l.action IN ('insert', 'version') AS is_new, l.action = 'update' AS changed
      FROM import_rows r JOIN units_load_rows l ON l.code = r.code;
    UPDATE import_options SET closed =
        (SELECT count(*) FROM units_load_rows l JOIN units u ON u.code = l.key
          WHERE l.action = 'version' AND (u.valid_to IS NULL OR u.valid_to > l.valid_from))
        + CASE WHEN o.close_under IS NULL OR o.valid_from IS NULL THEN 0 ELSE
          (SELECT count(*) FROM units u
            WHERE unit_valid_on(u.valid_from, u.valid_to, o.valid_from)
              AND coalesce(u.valid_from, '-infinity') < o.valid_from
              AND ('*' = ANY (o.close_under) OR u.ancestors && o.close_under)
              AND NOT EXISTS (SELECT 1 FROM units_load_rows l WHERE l.code = u.gso_code)) END;
END $$;
