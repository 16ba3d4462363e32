-- 001_core: the reference tree, enterprises, teams, members, structure rules, users and audit.
-- Scope is computed from units.ancestors (every unit's own code and those above it), so that
-- "is X inside the subtree of Y" is one indexed array test, never a recursive walk per row.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Case- and diacritic-insensitive search key: 'Phú Cường' -> 'phu cuong', 'Đ' -> 'd'.
CREATE FUNCTION search_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize(t, NFC))) $$;

CREATE TABLE units (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{2}([0-9]|[0-9]{3})?$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    level       text NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    parent_code text REFERENCES units (code),
    valid_to    date,
    ancestors   text[] NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((level = 'province') = (parent_code IS NULL)),
    CONSTRAINT units_level_code_check
        CHECK (length(code) = CASE level WHEN 'province' THEN 2 WHEN 'district' THEN 3 ELSE 5 END)
);
CREATE INDEX units_parent ON units (parent_code);
CREATE INDEX units_ancestors ON units USING gin (ancestors);
CREATE INDEX units_search ON units (search_key(name));

-- Keeps ancestors in step with parent_code; a move re-roots the whole subtree below it.
CREATE FUNCTION units_set_ancestors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_path text[];
BEGIN
    IF NEW.parent_code IS NULL THEN
        NEW.ancestors := ARRAY[NEW.code];
    ELSE
        SELECT ancestors INTO parent_path FROM units WHERE code = NEW.parent_code;
        IF parent_path IS NULL THEN
            RAISE foreign_key_violation USING MESSAGE = 'refers to a unit that does not exist', COLUMN = 'parent_code';
        END IF;
        IF NEW.code = ANY (parent_path) THEN
            RAISE check_violation USING MESSAGE = 'cannot place a unit under itself', COLUMN = 'parent_code';
        END IF;
        IF (SELECT level FROM units WHERE code = NEW.parent_code) NOT IN
           (CASE NEW.level WHEN 'district' THEN 'province' ELSE 'district' END, 'province')
           OR NEW.level = 'province' THEN
            RAISE check_violation USING MESSAGE = 'must be a unit one level above', COLUMN = 'parent_code';
        END IF;
        NEW.ancestors := parent_path || NEW.code;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER units_ancestors_biu BEFORE INSERT OR UPDATE OF parent_code ON units
    FOR EACH ROW EXECUTE FUNCTION units_set_ancestors();

CREATE FUNCTION units_reroot_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        UPDATE units SET parent_code = parent_code WHERE parent_code = NEW.code;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER units_reroot_au AFTER UPDATE OF parent_code ON units
    FOR EACH ROW EXECUTE FUNCTION units_reroot_children();

CREATE TABLE enterprises (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL,
    tax_code      text NOT NULL UNIQUE,
    unit_code     text NOT NULL REFERENCES units (code),
    address       text,
    contact_name  text,
    contact_phone text,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprises_unit ON enterprises (unit_code);

CREATE TABLE teams (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id    text UNIQUE,
    name           text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('commune', 'hamlet', 'enterprise', 'organization')),
    unit_code      text NOT NULL REFERENCES units (code),
    hamlet         text,
    enterprise_id  uuid REFERENCES enterprises (id),
    decision_no    text,
    established_on date,
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dissolved')),
    note           text,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teams_hamlet_check CHECK (kind <> 'hamlet' OR coalesce(hamlet, '') <> ''),
    CONSTRAINT teams_enterprise_check CHECK (kind NOT IN ('enterprise', 'organization') OR enterprise_id IS NOT NULL)
);
CREATE INDEX teams_unit ON teams (unit_code);
CREATE INDEX teams_enterprise ON teams (enterprise_id);

-- A team serves a commune: its unit must exist at commune level.
CREATE FUNCTION teams_check_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM units WHERE code = NEW.unit_code) THEN
        RAISE foreign_key_violation USING MESSAGE = 'refers to a unit that does not exist', COLUMN = 'unit_code';
    END IF;
    IF (SELECT level FROM units WHERE code = NEW.unit_code) <> 'commune' THEN
        RAISE check_violation USING MESSAGE = 'must be a commune', COLUMN = 'unit_code';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER teams_unit_biu BEFORE INSERT OR UPDATE OF unit_code ON teams
    FOR EACH ROW EXECUTE FUNCTION teams_check_unit();

CREATE TABLE members (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    full_name   text NOT NULL,
    gender      text CHECK (gender IN ('male', 'female', 'other')),
    birth_year  integer CONSTRAINT members_birth_year_check CHECK (birth_year BETWEEN 1900 AND 2100),
    phone       text,
    email       text,
    position    text NOT NULL DEFAULT 'member' CHECK (position IN ('leader', 'deputy', 'member')),
    affiliation text CHECK (affiliation IN ('commune_government', 'police', 'military', 'youth_union',
        'women_union', 'farmers_union', 'veterans_union', 'trade_union', 'fatherland_front', 'telecom',
        'enterprise', 'school', 'hamlet_head', 'volunteer', 'other')),
    it_skilled  boolean NOT NULL DEFAULT false,
    trained_on  date,
    joined_on   date,
    left_on     date,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX members_team ON members (team_id);

CREATE TABLE structure_rules (
    team_kind             text PRIMARY KEY CHECK (team_kind IN ('commune', 'hamlet', 'enterprise', 'organization')),
    min_members           integer NOT NULL DEFAULT 0,
    max_members           integer,
    leader_required       boolean NOT NULL DEFAULT false,
    deputy_required       boolean NOT NULL DEFAULT false,
    min_it_skilled        integer NOT NULL DEFAULT 0,
    required_affiliations text[] NOT NULL DEFAULT '{}',
    version               integer NOT NULL DEFAULT 1,
    updated_at            timestamptz NOT NULL DEFAULT now()
);
-- Defaults follow Bình Dương's Plan 4862/KH-UBND for hamlet teams; enterprise teams: a leader, 3+ members.
INSERT INTO structure_rules VALUES
    ('hamlet',       3, 7,    true, true,  1, '{}'),
    ('commune',      3, NULL, true, false, 1, '{}'),
    ('enterprise',   3, NULL, true, false, 0, '{}'),
    ('organization', 3, NULL, true, false, 0, '{}');

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username            text NOT NULL UNIQUE,
    password_hash       text NOT NULL,
    full_name           text NOT NULL DEFAULT '',
    role                text NOT NULL CHECK (role IN ('province', 'district', 'commune', 'enterprise')),
    unit_code           text REFERENCES units (code),
    enterprise_id       uuid REFERENCES enterprises (id),
    read_only           boolean NOT NULL DEFAULT false,
    disabled            boolean NOT NULL DEFAULT false,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'enterprise') = (enterprise_id IS NOT NULL)),
    CHECK ((role = 'enterprise') OR unit_code IS NOT NULL)
);

CREATE TABLE audit (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL,
    actor_id      uuid,
    action        text NOT NULL,
    resource      text NOT NULL,
    resource_id   text,
    unit_code     text,
    enterprise_id uuid,
    changes       jsonb
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_resource ON audit (resource, resource_id);

-- The scope predicate, the one place it is written: is a thing located at (unit, enterprise)
-- visible to an actor scoped to actor_unit or actor_enterprise? Enterprise actors see only their
-- enterprise; unit actors see their unit and everything below it.
CREATE FUNCTION in_scope(actor_unit text, actor_enterprise uuid, thing_unit text, thing_enterprise uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN actor_enterprise IS NOT NULL THEN thing_enterprise IS NOT DISTINCT FROM actor_enterprise
        WHEN actor_unit IS NULL THEN false
        ELSE EXISTS (SELECT 1 FROM units u WHERE u.code = thing_unit AND u.ancestors @> ARRAY[actor_unit])
    END
$$;

-- Active members: joined and not yet left.
CREATE VIEW active_members AS
    SELECT * FROM members WHERE left_on IS NULL OR left_on > current_date;

-- A team's compliance with its kind's structure rules: {ok, problems:[{code, message}]}.
CREATE FUNCTION team_compliance(p_team uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH t AS (SELECT * FROM teams WHERE id = p_team),
    r AS (SELECT sr.* FROM structure_rules sr JOIN t ON sr.team_kind = t.kind),
    m AS (SELECT count(*) AS n,
                 count(*) FILTER (WHERE position = 'leader') AS leaders,
                 count(*) FILTER (WHERE position = 'deputy') AS deputies,
                 count(*) FILTER (WHERE it_skilled) AS it,
                 coalesce(array_agg(DISTINCT affiliation) FILTER (WHERE affiliation IS NOT NULL), '{}') AS affs
          FROM active_members WHERE team_id = p_team),
    p AS (
        SELECT 1 AS ord, 'too_few_members' AS code,
               format('Tổ có %s thành viên, cần ít nhất %s', m.n, r.min_members) AS message
          FROM m, r WHERE m.n < r.min_members
        UNION ALL
        SELECT 2, 'too_many_members', format('Tổ có %s thành viên, tối đa %s', m.n, r.max_members)
          FROM m, r WHERE r.max_members IS NOT NULL AND m.n > r.max_members
        UNION ALL
        SELECT 3, 'no_leader', 'Tổ chưa có Tổ trưởng' FROM m, r WHERE r.leader_required AND m.leaders = 0
        UNION ALL
        SELECT 4, 'no_deputy', 'Tổ chưa có Tổ phó' FROM m, r WHERE r.deputy_required AND m.deputies = 0
        UNION ALL
        SELECT 5, 'too_few_it_skilled',
               format('Tổ có %s thành viên có kỹ năng công nghệ thông tin cơ bản, cần ít nhất %s', m.it, r.min_it_skilled)
          FROM m, r WHERE m.it < r.min_it_skilled
        UNION ALL
        SELECT 6, 'missing_affiliation', format('Tổ chưa có thành viên thuộc lực lượng: %s', a)
          FROM m, r, unnest(r.required_affiliations) AS a WHERE NOT a = ANY (m.affs)
    )
    SELECT jsonb_build_object(
        'ok', NOT EXISTS (SELECT 1 FROM p),
        'problems', coalesce((SELECT jsonb_agg(jsonb_build_object('code', code, 'message', message) ORDER BY ord) FROM p), '[]'))
$$;
