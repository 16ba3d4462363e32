-- 80_rehome: moving what closed units hold to the units that took their place (issue 12; API
-- POST /api/v1/rehome, command cdt-server --rehome; docs/reform.md).
--
-- After a reorganisation the old units are closed (units_load, 05_units.sql) and linked to their
-- successors (unit_successors_load). What is still filed under an old unit moves to its successor:
-- its teams (their members and activities go with them), the enterprises located there, the
-- accounts and API clients that hold it, and its targets of deadlines due after it closed that
-- are not done. An old unit that went whole into one unit moves everything there; one split in
-- parts needs a choice per record (p_choices: {"<id>": "<successor code>"}) or a rule (p_rule
-- 'first': the successor with the lowest code). A unit with no successor (a district abolished
-- in 2025) keeps what it holds: its accounts are refused at sign-in, their unit being closed.
--
-- Statuses: move; merge (a deadline target whose successor already has one on that deadline: the
-- old one is removed, the successor's stands for both); choose (a split, no choice or rule yet);
-- invalid (the choice is not a successor); stays (no successor).

CREATE OR REPLACE FUNCTION rehome_plan(actor_unit text, actor_enterprise uuid, p_units text[], p_choices jsonb,
                                       p_rule text)
RETURNS TABLE (resource text, id text, name text, from_unit text, to_unit text, status text, options text[],
               members bigint, activities bigint)
LANGUAGE sql STABLE AS $$
WITH old AS (
    SELECT u.code, u.valid_to,
           ARRAY(SELECT s.successor FROM unit_successors s JOIN units n ON n.code = s.successor
                  WHERE s.predecessor = u.code AND unit_open(n.valid_to) ORDER BY n.gso_code) AS options
      FROM units u
     WHERE NOT unit_open(u.valid_to)
       AND in_scope(actor_unit, actor_enterprise, u.code, NULL)
       AND (p_units IS NULL OR u.code = ANY (p_units) OR u.gso_code = ANY (p_units))),
held AS (
    SELECT 'teams' AS resource, t.id::text AS id, t.name, t.unit_code AS from_unit, o.options,
           (SELECT count(*) FROM members m WHERE m.team_id = t.id) AS members,
           (SELECT count(*) FROM activities a WHERE a.team_id = t.id) AS activities, NULL::uuid AS deadline
      FROM old o JOIN teams t ON t.unit_code = o.code
    UNION ALL
    SELECT 'enterprises', e.id::text, e.name, e.unit_code, o.options, NULL, NULL, NULL
      FROM old o JOIN enterprises e ON e.unit_code = o.code
    UNION ALL
    SELECT 'users', us.id::text, us.username, us.unit_code, o.options, NULL, NULL, NULL
      FROM old o JOIN users us ON us.unit_code = o.code
    UNION ALL
    SELECT 'clients', c.id::text, c.name, c.unit_code, o.options, NULL, NULL, NULL
      FROM old o JOIN api_clients c ON c.unit_code = o.code AND c.revoked_at IS NULL
    UNION ALL
    SELECT 'deadline_targets', dt.id::text, d.title, dt.unit_code, o.options, NULL, NULL, d.id
      FROM old o JOIN deadline_targets dt ON dt.unit_code = o.code AND dt.completed_at IS NULL
           JOIN deadlines d ON d.id = dt.deadline_id AND d.due_on >= o.valid_to),
chosen AS (
    SELECT h.*, p_choices ->> h.id AS choice,
           CASE WHEN p_choices ? h.id THEN
                    CASE WHEN (p_choices ->> h.id) = ANY (h.options) THEN p_choices ->> h.id
                         ELSE (SELECT k FROM unnest(h.options) k
                                WHERE split_part(k, '@', 1) = p_choices ->> h.id LIMIT 1) END
                WHEN cardinality(h.options) = 1 THEN h.options[1]
                WHEN p_rule = 'first' THEN h.options[1]
           END AS target
      FROM held h)
SELECT c.resource, c.id, c.name, c.from_unit, c.target,
       CASE WHEN cardinality(c.options) = 0 THEN 'stays'
            WHEN c.choice IS NOT NULL AND c.target IS NULL THEN 'invalid'
            WHEN c.target IS NULL THEN 'choose'
            -- Targets of one deadline meeting in one successor: the first moves (unless it has
            -- one already), the others merge into it.
            WHEN c.deadline IS NOT NULL
                 AND (EXISTS (SELECT 1 FROM deadline_targets x WHERE x.deadline_id = c.deadline AND x.unit_code = c.target)
                      OR row_number() OVER (PARTITION BY c.deadline, c.target ORDER BY c.from_unit, c.id) > 1)
                THEN 'merge'
            ELSE 'move' END,
       c.options, c.members, c.activities
  FROM chosen c
 ORDER BY c.from_unit, c.resource, c.name, c.id
$$;

-- Moves what rehome_plan lists as move or merge, in one transaction, with an audit row each (action
-- rehome, by p_actor). Refuses (nothing written) while anything is left to choose or chosen wrongly.
-- The writes go through the tables' triggers: the change feed (old and new scope), the activity
-- rollup and the team's homes, the team set-up targets. Returns the rows it acted on.
CREATE OR REPLACE FUNCTION rehome_apply(actor_unit text, actor_enterprise uuid, p_units text[], p_choices jsonb,
                                        p_rule text, p_actor text, p_actor_id uuid)
RETURNS TABLE (resource text, id text, name text, from_unit text, to_unit text, status text, options text[],
               members bigint, activities bigint)
LANGUAGE plpgsql AS $$
DECLARE
    undecided record;
BEGIN
    CREATE TEMP TABLE rehome_rows ON COMMIT DROP AS
    SELECT * FROM rehome_plan(actor_unit, actor_enterprise, p_units, p_choices, p_rule);
    SELECT * INTO undecided FROM rehome_rows r WHERE r.status IN ('choose', 'invalid') LIMIT 1;
    IF FOUND THEN
        RAISE check_violation USING
            MESSAGE = format('%s %s (%s) of split unit %s: choose one of %s', undecided.resource, undecided.id,
                             undecided.name, undecided.from_unit, array_to_string(undecided.options, ', ')),
            COLUMN = 'choices';
    END IF;

    UPDATE teams t SET unit_code = r.to_unit, version = t.version + 1, updated_at = now()
      FROM rehome_rows r WHERE r.resource = 'teams' AND r.status = 'move' AND t.id = r.id::uuid;
    UPDATE enterprises e SET unit_code = r.to_unit, version = e.version + 1, updated_at = now()
      FROM rehome_rows r WHERE r.resource = 'enterprises' AND r.status = 'move' AND e.id = r.id::uuid;
    UPDATE users u SET unit_code = r.to_unit, version = u.version + 1, updated_at = now()
      FROM rehome_rows r WHERE r.resource = 'users' AND r.status = 'move' AND u.id = r.id::uuid;
    UPDATE api_clients c SET unit_code = r.to_unit, version = c.version + 1
      FROM rehome_rows r WHERE r.resource = 'clients' AND r.status = 'move' AND c.id = r.id::uuid;
    UPDATE deadline_targets t SET unit_code = r.to_unit, version = t.version + 1, updated_at = now()
      FROM rehome_rows r WHERE r.resource = 'deadline_targets' AND r.status = 'move' AND t.id = r.id::uuid;
    DELETE FROM deadline_targets t
     USING rehome_rows r WHERE r.resource = 'deadline_targets' AND r.status = 'merge' AND t.id = r.id::uuid;

    INSERT INTO audit (actor, actor_id, action, resource, resource_id, unit_code, changes)
    SELECT p_actor, p_actor_id, 'rehome', r.resource, r.id, r.to_unit,
           jsonb_strip_nulls(jsonb_build_object('unit_code', jsonb_build_object('from', r.from_unit, 'to', r.to_unit),
                                                'status', r.status, 'name', r.name,
                                                'members', r.members, 'activities', r.activities))
      FROM rehome_rows r WHERE r.status IN ('move', 'merge');

    RETURN QUERY SELECT * FROM rehome_rows;
    DROP TABLE rehome_rows;
END $$;
