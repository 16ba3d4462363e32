-- 004_deadlines: deadlines issued down the hierarchy — who sees them, their JSON documents, the
-- team_setup targets that complete by themselves, and recurring series that roll forward.
--
-- The tables are in 003_reporting.sql. Statuses stay derived (target_status, at app_now()); the
-- only stored facts are completed_at / completed_by, which the API (complete, reopen) and the
-- team_setup triggers below write.

-- ---------------------------------------------------------------------------------------------
-- Recurring series. Each period is one deadlines row; previous_id links it to the period before
-- and next_id (derived) to the one after. series_anchor is the first period's due date and
-- series_period the period's number (0 for the first), so that period n is due on the anchor plus
-- n whole periods (Jan 31 -> Feb 28/29 -> Mar 31), however short a month in between was and
-- whatever an issuer did to one period's due_on. series_ended marks a period after which the
-- issuer deleted the rest of the series: no successor is made for it again.
ALTER TABLE deadlines
    ADD COLUMN series_anchor date,
    ADD COLUMN series_period integer,
    ADD COLUMN series_ended boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT deadlines_series_check CHECK ((recurrence = 'none') = (series_anchor IS NULL)
                                                AND (series_anchor IS NULL) = (series_period IS NULL));
-- At most one period after each one, whoever makes it.
CREATE UNIQUE INDEX deadlines_previous ON deadlines (previous_id);
-- The tails the roll looks for: open series only.
CREATE INDEX deadlines_open_series ON deadlines (id) WHERE recurrence <> 'none' AND NOT series_ended;

-- A deleted enterprise takes its targets with it (units are never deleted): a target of nothing
-- means nothing, and deleting an enterprise must not fail on a deadline that happens to name it.
ALTER TABLE deadline_targets
    DROP CONSTRAINT deadline_targets_enterprise_id_fkey,
    ADD CONSTRAINT deadline_targets_enterprise_id_fkey
        FOREIGN KEY (enterprise_id) REFERENCES enterprises (id) ON DELETE CASCADE;

-- Is a unit open today in Vietnam? A unit closes on its valid_to (as the figures count them).
CREATE FUNCTION unit_open(valid_to date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT valid_to IS NULL OR valid_to > (app_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
$$;

-- Is a completed target on time? NULL while it is not done.
CREATE FUNCTION target_on_time(completed_at timestamptz, due_on date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT completed_at < deadline_end(due_on)
$$;

-- ---------------------------------------------------------------------------------------------
-- Scope, built from in_scope (001_core.sql) only.

-- The deadlines an actor sees: those whose scope_unit is the actor's unit or below it (their
-- issuer and the units above; also a district for a province's deadline scoped to that district),
-- and those of which the actor is a target. Which of a deadline's targets an actor sees is
-- in_scope's business: a target is located at its unit, or at its enterprise (which lies in the
-- enterprise's unit). Inlined by the planner: the caller's targets are read once, by index, and
-- `WHERE d.id = ...` on the result reads one row.
CREATE FUNCTION deadlines_visible(actor_unit text, actor_enterprise uuid)
RETURNS SETOF deadlines LANGUAGE sql STABLE AS $$
    SELECT d.* FROM deadlines d
     WHERE d.id IN (SELECT t.deadline_id FROM deadline_targets t
                     WHERE t.unit_code = actor_unit OR t.enterprise_id = actor_enterprise)
        OR in_scope(actor_unit, actor_enterprise, d.scope_unit, NULL)
$$;

-- May the actor act as the deadline's issuer (edit, delete, reopen, complete on a target's
-- behalf)? Its unit is the issuing unit or above it.
CREATE FUNCTION deadline_issuer(actor_unit text, actor_enterprise uuid, d deadlines)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT in_scope(actor_unit, actor_enterprise, d.issued_by_unit, NULL)
$$;

-- ---------------------------------------------------------------------------------------------
-- Documents (DESIGN §5: PostgreSQL builds the JSON).

CREATE FUNCTION deadline_doc(d deadlines) RETURNS json LANGUAGE sql STABLE AS $$
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
                              FROM deadline_targets t WHERE t.deadline_id = d.id) c,
                           -- What every target not done is, asked once.
                           target_status(NULL, d.due_on) open_status),
        'version', d.version, 'created_at', d.created_at, 'updated_at', d.updated_at)
$$;

CREATE FUNCTION deadline_target_doc(t deadline_targets) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', t.id, 'deadline_id', t.deadline_id,
        'unit_code', t.unit_code, 'unit_name', (SELECT u.name FROM units u WHERE u.code = t.unit_code),
        'enterprise_id', t.enterprise_id,
        'enterprise_name', (SELECT e.name FROM enterprises e WHERE e.id = t.enterprise_id),
        'status', target_status(t.completed_at, d.due_on), 'completed_at', t.completed_at,
        'on_time', target_on_time(t.completed_at, d.due_on), 'completed_by', t.completed_by,
        'note', t.note, 'link', t.link, 'version', t.version)
      FROM deadlines d WHERE d.id = t.deadline_id
$$;

-- The deadline of a caller's own target, with that target as my_target (GET /deadlines?mine=true).
-- The deadline's document is extended as text so that its fields keep their order.
CREATE FUNCTION deadline_mine_doc(t deadline_targets) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT (left(deadline_doc(d)::text, -1) || ', "my_target" : ' || deadline_target_doc(t)::text || '}')::json
      FROM deadlines d WHERE d.id = t.deadline_id
$$;

-- A deadline's status as a whole: done when every target is; else overdue once its due date has
-- ended, else pending. Used by the status filter of GET /deadlines.
CREATE FUNCTION deadline_status(d deadlines) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM deadline_targets t
                                  WHERE t.deadline_id = d.id AND t.completed_at IS NULL) THEN 'done'
                ELSE target_status(NULL, d.due_on) END
$$;

-- ---------------------------------------------------------------------------------------------
-- Targets.

-- Creates the targets of a new deadline: every open unit of target_level inside scope_unit's
-- subtree, or every enterprise located there. Returns how many.
CREATE FUNCTION deadline_materialize(p_deadline uuid) RETURNS bigint LANGUAGE sql AS $$
    WITH d AS (SELECT * FROM deadlines WHERE id = p_deadline),
    ins AS (
        INSERT INTO deadline_targets (deadline_id, unit_code, enterprise_id)
        SELECT d.id, u.code, NULL FROM d JOIN units u ON u.level = d.target_level
         WHERE d.target_level <> 'enterprise' AND in_subtree(u.code, d.scope_unit) AND unit_open(u.valid_to)
        UNION ALL
        SELECT d.id, NULL, e.id FROM d JOIN enterprises e ON in_subtree(e.unit_code, d.scope_unit)
         WHERE d.target_level = 'enterprise'
        RETURNING 1)
    SELECT count(*) FROM ins
$$;

-- Does the target have an active team that meets the structure rules? A commune's own teams are
-- the ones it hosts itself (commune and hamlet teams, not those of enterprises located there); an
-- enterprise's are those it hosts. A district has no teams of its own: its targets never qualify.
CREATE FUNCTION target_has_compliant_team(p_unit text, p_enterprise uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM teams t
         WHERE t.status = 'active'
           AND CASE WHEN p_enterprise IS NOT NULL THEN t.enterprise_id = p_enterprise
                    ELSE t.unit_code = p_unit AND t.enterprise_id IS NULL END
           AND (team_compliance(t.id)->>'ok')::boolean)
$$;

-- Brings team_setup targets in line with their teams: a target not done whose unit or enterprise
-- has a compliant team is done now (app_now(), by 'auto'); one done by 'auto' whose team no
-- longer qualifies is pending again, but only before its due date has ended. Targets completed by
-- a person are never touched. The targets looked at are those of the given deadlines, units and
-- enterprises (each array may be NULL); all three NULL means every open team_setup target. Each
-- unit's or enterprise's teams are judged once, however many deadlines name it.
CREATE FUNCTION team_setup_refresh(p_deadlines uuid[], p_units text[], p_enterprises uuid[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    -- The open team_setup targets asked about (by index, unless all of them are).
    IF p_deadlines IS NULL AND p_units IS NULL AND p_enterprises IS NULL THEN
        SELECT array_agg(dt.id) INTO ids
          FROM deadline_targets dt JOIN deadlines d ON d.id = dt.deadline_id
         WHERE d.kind = 'team_setup'
           AND (dt.completed_at IS NULL OR (dt.completed_by = 'auto' AND app_now() < deadline_end(d.due_on)));
    ELSE
        SELECT array_agg(dt.id) INTO ids
          FROM deadline_targets dt JOIN deadlines d ON d.id = dt.deadline_id
         WHERE dt.id IN (SELECT x.id FROM deadline_targets x WHERE x.deadline_id = ANY (p_deadlines)
                         UNION
                         SELECT x.id FROM deadline_targets x WHERE x.unit_code = ANY (p_units)
                         UNION
                         SELECT x.id FROM deadline_targets x WHERE x.enterprise_id = ANY (p_enterprises))
           AND d.kind = 'team_setup'
           AND (dt.completed_at IS NULL OR (dt.completed_by = 'auto' AND app_now() < deadline_end(d.due_on)));
    END IF;
    IF ids IS NULL THEN
        RETURN;
    END IF;
    -- Lock them (in one order, against deadlocks), so that two transactions changing the same
    -- commune's teams judge them one after the other; the next statement's snapshot then sees
    -- what the one waited for committed.
    PERFORM 1 FROM deadline_targets WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
    WITH cand AS MATERIALIZED (
        SELECT dt.id, dt.unit_code, dt.enterprise_id, dt.completed_at IS NOT NULL AS done
          FROM deadline_targets dt
         WHERE dt.id = ANY (ids)),
    judged AS MATERIALIZED (
        SELECT w.unit_code, w.enterprise_id, target_has_compliant_team(w.unit_code, w.enterprise_id) AS ok
          FROM (SELECT DISTINCT unit_code, enterprise_id FROM cand) w)
    UPDATE deadline_targets t
       SET completed_at = CASE WHEN j.ok THEN app_now() END,
           completed_by = CASE WHEN j.ok THEN 'auto' END,
           version = t.version + 1, updated_at = now()
      FROM cand c JOIN judged j ON j.unit_code IS NOT DISTINCT FROM c.unit_code
                               AND j.enterprise_id IS NOT DISTINCT FROM c.enterprise_id
     WHERE t.id = c.id AND j.ok <> c.done
       -- A person may have completed it while we waited for the lock.
       AND (NOT c.done OR t.completed_by = 'auto');
END $$;

-- Team changes: the communes and enterprises of the teams before and after.
CREATE FUNCTION teams_refresh_team_setup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM team_setup_refresh(NULL,
            (SELECT coalesce(array_agg(DISTINCT n.unit_code), '{}') FROM new_rows n),
            (SELECT coalesce(array_agg(DISTINCT n.enterprise_id) FILTER (WHERE n.enterprise_id IS NOT NULL), '{}') FROM new_rows n));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM team_setup_refresh(NULL,
            (SELECT coalesce(array_agg(DISTINCT x.unit_code), '{}')
               FROM (SELECT unit_code FROM new_rows UNION SELECT unit_code FROM old_rows) x),
            (SELECT coalesce(array_agg(DISTINCT x.enterprise_id), '{}')
               FROM (SELECT enterprise_id FROM new_rows UNION SELECT enterprise_id FROM old_rows) x
              WHERE x.enterprise_id IS NOT NULL));
    ELSE
        PERFORM team_setup_refresh(NULL,
            (SELECT coalesce(array_agg(DISTINCT o.unit_code), '{}') FROM old_rows o),
            (SELECT coalesce(array_agg(DISTINCT o.enterprise_id) FILTER (WHERE o.enterprise_id IS NOT NULL), '{}') FROM old_rows o));
    END IF;
    RETURN NULL;
END $$;

-- Member changes: the communes and enterprises of the members' teams, before and after a move.
CREATE FUNCTION members_refresh_team_setup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    team_ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT team_id) INTO team_ids FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT x.team_id) INTO team_ids
          FROM (SELECT team_id FROM new_rows UNION SELECT team_id FROM old_rows) x;
    ELSE
        SELECT array_agg(DISTINCT team_id) INTO team_ids FROM old_rows;
    END IF;
    PERFORM team_setup_refresh(NULL,
        (SELECT coalesce(array_agg(DISTINCT t.unit_code), '{}') FROM teams t WHERE t.id = ANY (team_ids)),
        (SELECT coalesce(array_agg(DISTINCT t.enterprise_id), '{}') FROM teams t
          WHERE t.id = ANY (team_ids) AND t.enterprise_id IS NOT NULL));
    RETURN NULL;
END $$;

-- Rules changes: every open team_setup target.
CREATE FUNCTION rules_refresh_team_setup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM team_setup_refresh(NULL, NULL, NULL);
    RETURN NULL;
END $$;

-- Statement-level, so that an import of many rows evaluates each commune once. PostgreSQL allows
-- transition tables only on single-event triggers, hence three per table.
CREATE TRIGGER teams_team_setup_ai AFTER INSERT ON teams REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION teams_refresh_team_setup();
CREATE TRIGGER teams_team_setup_au AFTER UPDATE ON teams REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION teams_refresh_team_setup();
CREATE TRIGGER teams_team_setup_ad AFTER DELETE ON teams REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION teams_refresh_team_setup();
CREATE TRIGGER members_team_setup_ai AFTER INSERT ON members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION members_refresh_team_setup();
CREATE TRIGGER members_team_setup_au AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION members_refresh_team_setup();
CREATE TRIGGER members_team_setup_ad AFTER DELETE ON members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION members_refresh_team_setup();
CREATE TRIGGER structure_rules_team_setup AFTER INSERT OR UPDATE OR DELETE ON structure_rules
    FOR EACH STATEMENT EXECUTE FUNCTION rules_refresh_team_setup();

-- ---------------------------------------------------------------------------------------------
-- Rolling recurring series forward.

-- The due date of period n of a series first due on anchor.
CREATE FUNCTION deadline_period_due(anchor date, recurrence text, n integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (anchor + make_interval(months => n * CASE recurrence WHEN 'quarterly' THEN 3 ELSE 1 END))::date
$$;

-- A series' last period needs a successor when it is the series' first (just issued) or when
-- the period before it has ended: then it is the current one, and the one after must exist.
CREATE FUNCTION deadline_tails() RETURNS SETOF deadlines LANGUAGE sql STABLE AS $$
    SELECT d.* FROM deadlines d
     WHERE d.recurrence <> 'none' AND NOT d.series_ended
       AND NOT EXISTS (SELECT 1 FROM deadlines n WHERE n.previous_id = d.id)
       AND (d.previous_id IS NULL
            OR EXISTS (SELECT 1 FROM deadlines p
                        WHERE p.id = d.previous_id AND app_now() >= deadline_end(p.due_on)))
$$;

-- Makes every series hold exactly one period after its current one (idempotent). Each successor
-- copies its predecessor (title, description, kind, issuer, level, scope, recurrence) and its
-- targets, none done; team_setup ones are evaluated at once. Serialized by an advisory lock so
-- that concurrent readers make each period once. Returns how many periods it made.
CREATE FUNCTION deadlines_roll() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    made integer := 0;
    ids uuid[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM deadline_tails()) THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(727276);
    LOOP
        -- A new statement, hence a new snapshot: what another roller made is seen here.
        WITH tails AS (SELECT * FROM deadline_tails()),
        ins AS (
            INSERT INTO deadlines (title, description, kind, due_on, issued_by_unit, target_level,
                                   scope_unit, recurrence, previous_id, series_anchor, series_period)
            SELECT t.title, t.description, t.kind,
                   deadline_period_due(t.series_anchor, t.recurrence, t.series_period + 1),
                   t.issued_by_unit, t.target_level, t.scope_unit, t.recurrence, t.id,
                   t.series_anchor, t.series_period + 1
              FROM tails t
            RETURNING id, previous_id),
        tg AS (
            INSERT INTO deadline_targets (deadline_id, unit_code, enterprise_id)
            SELECT ins.id, x.unit_code, x.enterprise_id
              FROM ins JOIN deadline_targets x ON x.deadline_id = ins.previous_id)
        SELECT array_agg(id) INTO ids FROM ins;
        EXIT WHEN ids IS NULL;
        made := made + cardinality(ids);
        PERFORM team_setup_refresh(ids, NULL, NULL);
    END LOOP;
    RETURN made;
END $$;
