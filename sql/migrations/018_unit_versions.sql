-- 018_unit_versions: administrative units as versions in time, with their lineage (issue 12).
--
-- Since 1 July 2025 Vietnam has two levels, and 3,316 of the 3,321 new commune codes reuse a code
-- of 2024, most of them for another unit (25747 was Phường Phú Cường under district 718; it is now
-- Phường Thủ Dầu Một, made of Phú Cường and parts of four more, under 79). So a unit row is now a
-- version: a code, name, level and parent valid from valid_from (NULL: since before the records)
-- to valid_to (exclusive, NULL: still valid). The same code names different units in different
-- periods, and records made under the old one keep pointing at the old one.
--
-- The key. The primary key `code` is what every reference holds. The version that holds a GSO
-- code last (the current one) keys it plainly, so everything made and asked today reads as before;
-- an earlier version whose code passed on to a later one is keyed code@<day it closed>
-- ('25747@2025-07-01'). Passing a code on re-keys the earlier version, and ON UPDATE CASCADE carries
-- the new key into every reference (sql/functions/15_units.sql, unit_pass_code). gso_code is the
-- code alone.
--
-- Lineage. unit_successors links each version to those that took its place, with how: a merge
-- (whole into a unit that took others too), a split (part of it into each of several), a rename
-- or a move (whole into one unit of its own, under another name or parent).
--
-- Scope over time. scope_path holds the unit's ancestors and, recursively, those of its parent's
-- and of its successors' scope paths: an account of the new unit (or of its province) reads what
-- was recorded under the units it came from, since their history is now its own. in_scope and
-- scope_unit_codes read scope_path; subtrees of one structure (in_subtree, the figures) still read
-- ancestors.
--
-- National accounts. Loading the national list closes and re-keys units of every province, which
-- no province account may do: role `national` has every unit in its scope (the actor unit '*' in
-- SQL) and no unit of its own.

CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE units
    ADD COLUMN valid_from date,
    ADD COLUMN gso_code text GENERATED ALWAYS AS (split_part(code, '@', 1)) STORED,
    ADD COLUMN scope_path text[],
    DROP CONSTRAINT units_code_check,
    ADD CONSTRAINT units_code_check CHECK (code ~ '^[0-9]{2}([0-9]|[0-9]{3})?(@[0-9]{4}-[0-9]{2}-[0-9]{2})?$'),
    DROP CONSTRAINT units_level_code_check,
    ADD CONSTRAINT units_level_code_check
        CHECK (length(gso_code) = CASE level WHEN 'province' THEN 2 WHEN 'district' THEN 3 ELSE 5 END),
    ADD CONSTRAINT units_valid_check CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to),
    -- A code names one unit at a time.
    ADD CONSTRAINT units_code_period_excl
        EXCLUDE USING gist (gso_code WITH =, daterange(valid_from, valid_to) WITH &&);
UPDATE units SET scope_path = ancestors;
ALTER TABLE units ALTER COLUMN scope_path SET NOT NULL;
CREATE INDEX units_scope_path ON units USING gin (scope_path);
CREATE INDEX units_gso_code ON units (gso_code);

-- Re-keying a version carries its new key into every reference.
ALTER TABLE units DROP CONSTRAINT units_parent_code_fkey,
    ADD CONSTRAINT units_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES units (code) ON UPDATE CASCADE;
ALTER TABLE enterprises DROP CONSTRAINT enterprises_unit_code_fkey,
    ADD CONSTRAINT enterprises_unit_code_fkey FOREIGN KEY (unit_code) REFERENCES units (code) ON UPDATE CASCADE;
ALTER TABLE teams DROP CONSTRAINT teams_unit_code_fkey,
    ADD CONSTRAINT teams_unit_code_fkey FOREIGN KEY (unit_code) REFERENCES units (code) ON UPDATE CASCADE;
ALTER TABLE users DROP CONSTRAINT users_unit_code_fkey,
    ADD CONSTRAINT users_unit_code_fkey FOREIGN KEY (unit_code) REFERENCES units (code) ON UPDATE CASCADE;
ALTER TABLE deadlines DROP CONSTRAINT deadlines_issued_by_unit_fkey,
    ADD CONSTRAINT deadlines_issued_by_unit_fkey FOREIGN KEY (issued_by_unit) REFERENCES units (code) ON UPDATE CASCADE,
    DROP CONSTRAINT deadlines_scope_unit_fkey,
    ADD CONSTRAINT deadlines_scope_unit_fkey FOREIGN KEY (scope_unit) REFERENCES units (code) ON UPDATE CASCADE;
ALTER TABLE deadline_targets DROP CONSTRAINT deadline_targets_unit_code_fkey,
    ADD CONSTRAINT deadline_targets_unit_code_fkey FOREIGN KEY (unit_code) REFERENCES units (code) ON UPDATE CASCADE;
ALTER TABLE api_clients DROP CONSTRAINT api_clients_unit_code_fkey,
    ADD CONSTRAINT api_clients_unit_code_fkey FOREIGN KEY (unit_code) REFERENCES units (code) ON UPDATE CASCADE;

CREATE TABLE unit_successors (
    predecessor  text NOT NULL REFERENCES units (code) ON UPDATE CASCADE,
    successor    text NOT NULL REFERENCES units (code) ON UPDATE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('merge', 'split', 'rename', 'move')),
    share        text NOT NULL CHECK (share IN ('whole', 'part')),
    effective_on date NOT NULL,
    PRIMARY KEY (predecessor, successor),
    CHECK (predecessor <> successor)
);
CREATE INDEX unit_successors_successor ON unit_successors (successor);

-- Where each team was, and since when: activities and teams are counted in a past structure under
-- the unit their team was in then (sql/functions/40_stats.sql). One open row per team (until NULL).
CREATE TABLE team_homes (
    team_id   uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    unit_code text NOT NULL REFERENCES units (code) ON UPDATE CASCADE,
    since     date,  -- NULL: since the team was registered
    until     date,  -- exclusive; NULL: still there
    CHECK (since IS NULL OR until IS NULL OR since < until)
);
CREATE UNIQUE INDEX team_homes_open ON team_homes (team_id) WHERE until IS NULL;
CREATE INDEX team_homes_team ON team_homes (team_id, since);
INSERT INTO team_homes (team_id, unit_code) SELECT id, unit_code FROM teams;

-- The activity rollup (014) also keys the unit the team was in when the activity was held, so
-- that figures in a past structure need not read every activity. unit_code stays the team's unit
-- now (moved along when a team moves); held_unit never moves.
ALTER TABLE activity_month_unit ADD COLUMN held_unit text;
UPDATE activity_month_unit SET held_unit = unit_code;
ALTER TABLE activity_month_unit ALTER COLUMN held_unit SET NOT NULL,
    DROP CONSTRAINT activity_month_unit_pkey,
    ADD CONSTRAINT activity_month_unit_pkey PRIMARY KEY (unit_code, held_unit, month);
CREATE INDEX activity_month_unit_held ON activity_month_unit (held_unit, month);
-- Their signatures change (the held unit): sql/functions/35_rollup.sql.
DROP FUNCTION activity_rollup_add(activity_month_unit[]);
DROP FUNCTION activity_rollup_row(text, activities, bigint);

-- National accounts: every unit in scope, no unit of their own.
ALTER TABLE users
    DROP CONSTRAINT users_role_check,
    ADD CONSTRAINT users_role_check CHECK (role IN ('national', 'province', 'district', 'commune', 'enterprise')),
    DROP CONSTRAINT users_check1,
    ADD CONSTRAINT users_unit_check CHECK ((role IN ('enterprise', 'national')) = (unit_code IS NULL));

-- Units are in the change feed too: a new version, a closing, a code passed on.
CREATE TRIGGER units_change AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION record_change();

-- The figures take the day of the structure they are about (sql/functions/40_stats.sql).
DROP FUNCTION stats_overview(text, uuid, text, date, date);
DROP FUNCTION stats_timeseries(text, uuid, text, date, date, text, text);
DROP FUNCTION stats_teams(text, uuid);
DROP FUNCTION stats_root(text, uuid, text);
