-- 30_deadlines: who sees which deadline and which of its targets, and the caller's view of it.
--
-- A deadline is visible when its scope_unit is in the caller's subtree (its issuer and the units
-- above), or when one of its targets is: a district sees the province's deadline to all
-- communes, since some of those communes are its own. Of the targets, each caller sees those in
-- its scope (all of them for the issuer; a district those of its communes; a commune or an
-- enterprise its own), and a deadline's counts and status are taken over those alone, so that
-- the list, the document, the targets and the dashboard's figures (stats_overview) agree.

-- The targets of one deadline that the actor sees: located in its scope (an enterprise target
-- lies where its enterprise is located), or the actor's own enterprise.
CREATE OR REPLACE FUNCTION deadline_targets_in_scope(actor_unit text, actor_enterprise uuid, p_deadline uuid)
RETURNS SETOF deadline_targets LANGUAGE sql STABLE AS $$
    SELECT t.* FROM deadline_targets t LEFT JOIN enterprises e ON e.id = t.enterprise_id
     WHERE t.deadline_id = p_deadline
       AND (coalesce(t.unit_code, e.unit_code) = ANY (ARRAY(SELECT scope_unit_codes(actor_unit, actor_enterprise)))
            OR t.enterprise_id = actor_enterprise)
$$;

-- The deadlines an actor sees. in_scope comes first: the issuer and the units above it never
-- need the targets looked at.
CREATE OR REPLACE FUNCTION deadlines_visible(actor_unit text, actor_enterprise uuid)
RETURNS SETOF deadlines LANGUAGE sql STABLE AS $$
    SELECT d.* FROM deadlines d
     WHERE in_scope(actor_unit, actor_enterprise, d.scope_unit, NULL)
        OR d.id IN (SELECT t.deadline_id FROM deadline_targets t
                     WHERE t.unit_code = ANY (ARRAY(SELECT scope_unit_codes(actor_unit, actor_enterprise)))
                        OR t.enterprise_id = actor_enterprise
                        OR t.enterprise_id IN (SELECT e.id FROM enterprises e
                                                WHERE e.unit_code = ANY (ARRAY(SELECT scope_unit_codes(actor_unit, actor_enterprise)))))
$$;

-- The deadline as the actor sees it: its counts are of the targets the actor sees.
CREATE OR REPLACE FUNCTION deadline_doc(actor_unit text, actor_enterprise uuid, d deadlines) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT json_build_object(
        'id', d.id, 'title', d.title, 'description', d.description, 'kind', d.kind,
        'due_on', d.due_on, 'issued_by_unit', d.issued_by_unit, 'target_level', d.target_level,
        'scope_unit', d.scope_unit, 'recurrence', d.recurrence, 'previous_id', d.previous_id,
        'next_id', (SELECT n.id FROM deadlines n WHERE n.previous_id = d.id),
        'targets', (SELECT json_build_object(
                        'total', c.total,
                        'pending', CASE open_status WHEN 'pending' THEN c.open ELSE 0 END,
                        'overdue', CASE open_status WHEN 'overdue' THEN c.open ELSE 0 END,
                        'done_on_time', c.on_time, 'done_late', c.late)
                      FROM (SELECT count(*) AS total,
                                   count(*) FILTER (WHERE t.completed_at IS NULL) AS open,
                                   count(*) FILTER (WHERE target_on_time(t.completed_at, d.due_on)) AS on_time,
                                   count(*) FILTER (WHERE NOT target_on_time(t.completed_at, d.due_on)) AS late
                              FROM deadline_targets_in_scope(actor_unit, actor_enterprise, d.id) t) c,
                           -- What every target not done is, asked once.
                           target_status(NULL, d.due_on) open_status),
        'version', d.version, 'created_at', d.created_at, 'updated_at', d.updated_at)
); END
$$;

-- The deadline of a caller's own target, with that target as my_target (GET /deadlines?mine=true).
-- The deadline's document is extended as text so that its fields keep their order.
CREATE OR REPLACE FUNCTION deadline_mine_doc(actor_unit text, actor_enterprise uuid, t deadline_targets)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT (left(deadline_doc(actor_unit, actor_enterprise, d)::text, -1)
            || ', "my_target" : ' || deadline_target_doc(t)::text || '}')::json
      FROM deadlines d WHERE d.id = t.deadline_id
$$;

-- A deadline's status as the actor sees it: done when every target it sees is; else overdue once
-- its due date has ended, else pending. The status filter of GET /deadlines.
CREATE OR REPLACE FUNCTION deadline_status(actor_unit text, actor_enterprise uuid, d deadlines) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM deadline_targets_in_scope(actor_unit, actor_enterprise, d.id) t
                                  WHERE t.completed_at IS NULL) THEN 'done'
                ELSE target_status(NULL, d.due_on) END
$$;

-- "Now" moved (app_clock, which tests and demonstrations set): the periods of recurring series
-- that became due are made at once, as the server's roller makes them when time passes
-- (server/src/api/deadlines.c). No read makes them: a GET writes nothing.
CREATE OR REPLACE FUNCTION app_clock_rolls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deadlines_roll();
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER app_clock_rolls AFTER INSERT OR UPDATE OR DELETE ON app_clock
    FOR EACH STATEMENT EXECUTE FUNCTION app_clock_rolls();
