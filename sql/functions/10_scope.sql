-- 10_scope: where things lie, and who may put them there.
--
-- The scope predicate itself is in_scope(), with its set form scope_unit_codes() (05_units.sql);
-- what is here builds on them and restates neither.

-- May the actor see this unit? An enterprise actor sees the unit its enterprise is located in.
CREATE OR REPLACE FUNCTION unit_visible(actor_unit text, actor_enterprise uuid, unit text)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN actor_enterprise IS NOT NULL THEN
            unit = (SELECT e.unit_code FROM enterprises e WHERE e.id = actor_enterprise)
        ELSE in_scope(actor_unit, NULL, unit, NULL)
    END
$$;

-- Is `unit` inside the subtree rooted at `root` (itself included)?
CREATE OR REPLACE FUNCTION in_subtree(unit text, root text)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM units u WHERE u.code = unit AND u.ancestors @> ARRAY[root])
$$;

-- The province a unit lies in: the root of its tree. NULL for an unknown unit.
CREATE OR REPLACE FUNCTION unit_province(p_unit text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT u.ancestors[1] FROM units u WHERE u.code = p_unit
$$;

-- The province of an actor: its unit's, or that of the unit its enterprise is located in.
CREATE OR REPLACE FUNCTION actor_province(actor_unit text, actor_enterprise uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT unit_province(coalesce(actor_unit, (SELECT e.unit_code FROM enterprises e WHERE e.id = actor_enterprise)))
$$;

-- May the actor put a team of p_kind at commune p_unit, belonging to p_enterprise (or none)?
-- NULL when it may, else the field at fault:
--   - 'unit_code': the commune is outside its scope (in_scope);
--   - 'enterprise_id': the enterprise the team belongs to is outside its scope: a commune that
--     attached its team to an enterprise elsewhere would complete that enterprise's team_setup
--     target on its behalf;
--   - for an enterprise account, which files only its own enterprise and organization teams in
--     the commune where its enterprise is located: 'kind' for a commune or hamlet team, and
--     'unit_code' for another commune (such teams would count in figures of units that cannot
--     see or correct them).
-- The one rule for creating, changing and importing teams (api/teams.c, api/import.c).
CREATE OR REPLACE FUNCTION team_place_refusal(actor_unit text, actor_enterprise uuid, p_unit text,
                                              p_enterprise uuid, p_kind text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN NOT in_scope(actor_unit, actor_enterprise, p_unit, p_enterprise) THEN
            CASE WHEN actor_enterprise IS NULL THEN 'unit_code' ELSE 'enterprise_id' END
        WHEN p_enterprise IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM enterprises e
                              WHERE e.id = p_enterprise AND in_scope(actor_unit, actor_enterprise, e.unit_code, e.id))
            THEN 'enterprise_id'
        WHEN actor_enterprise IS NOT NULL AND p_kind NOT IN ('enterprise', 'organization') THEN 'kind'
        WHEN actor_enterprise IS NOT NULL
             AND p_unit IS DISTINCT FROM (SELECT e.unit_code FROM enterprises e WHERE e.id = actor_enterprise)
            THEN 'unit_code'
    END
$$;
