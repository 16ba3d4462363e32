-- 30_deadlines: who sees which deadline and which of its targets, and the caller's view of it.
--
-- A deadline is visible when its scope_unit is in the caller's subtree (its issuer and the units
-- above), or when one of its targets is: a district sees the province's deadline to all
-- communes, since some of those communes are its own. Of the targets, each caller sees those in
-- its scope (all of them for the issuer; a district those of its communes; a commune or an
-- enterprise its own), and a deadline's counts and status are taken over those alone, so that
-- the list, the document, the targets and the dashboard's figures (stats_overview) agree.

-- Deadlines are dates in Asia/Ho_Chi_Minh: a target is on time when completed before midnight at
-- the end of due_on there (deadline_end). Statuses are derived, never stored, from completed_at
-- and app_now() (00_common.sql); the only stored facts are completed_at / completed_by, which the
-- API (complete, reopen) and the team_setup triggers (below) write.

-- The first instant after due_on in Vietnam: completed before it is on time, at or after is late.
CREATE OR REPLACE FUNCTION deadline_end(due_on date) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((due_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
$$;

-- A target's derived status at app_now().
CREATE OR REPLACE FUNCTION target_status(completed_at timestamptz, due_on date) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN completed_at IS NOT NULL THEN 'done'
                WHEN app_now() >= deadline_end(due_on) THEN 'overdue'
                ELSE 'pending' END
$$;

-- Is a completed target on time? NULL while it is not done.
CREATE OR REPLACE FUNCTION target_on_time(completed_at timestamptz, due_on date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT completed_at < deadline_end(due_on)
$$;

-- The targets of one deadline that the actor sees: located in its scope (an enterprise target
-- lies where its enterprise is located), or the actor's own enterprise.
CREATE OR REPLACE FUNCTION deadline_targets_in_scope(actor_unit text, actor_enterprise uuid, p_deadline uuid)
RETURNS SETOF deadline_targets LANGUAGE sql STABLE AS $$
    SELECT t.* FROM deadline_targets t LEFT JOIN enterprises e ON e.id = t.enterprise_id
     WHERE t.deadline_id = p_deadline
       AND (coalesce(t.unit_code, e.unit_code) = ANY (ARRAY(SELECT s FROM scope_unit_codes(actor_unit, actor_enterprise) s))
            OR t.enterprise_id = actor_enterprise)
$$;

-- The deadlines an actor sees. in_scope comes first: the issuer and the units above it never
-- need the targets looked at.
CREATE OR REPLACE FUNCTION deadlines_visible(actor_unit text, actor_enterprise uuid)
RETURNS SETOF deadlines LANGUAGE sql STABLE AS $$
    SELECT d.* FROM deadlines d
     WHERE in_scope(actor_unit, actor_enterprise, d.scope_unit, NULL)
        OR d.id IN (SELECT t.deadline_id FROM deadline_targets t
                     WHERE t.unit_code = ANY (ARRAY(SELECT s FROM scope_unit_codes(actor_unit, actor_enterprise) s))
                        OR t.enterprise_id = actor_enterprise
                        OR t.enterprise_id IN (SELECT e.id FROM enterprises e
                                                WHERE e.unit_code = ANY (ARRAY(SELECT s FROM scope_unit_codes(actor_unit, actor_enterprise) s))))
$$;

-- May the actor act as the deadline's issuer (edit, delete, reopen, complete on a target's
-- behalf)? Its unit is the issuing unit or above it.
CREATE OR REPLACE FUNCTION deadline_issuer(actor_unit text, actor_enterprise uuid, d deadlines)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT in_scope(actor_unit, actor_enterprise, d.issued_by_unit, NULL)
$$;

-- The deadline as the actor sees it: its counts are of the targets the actor sees.
CREATE OR REPLACE FUNCTION deadline_doc(actor_unit text, actor_enterprise uuid, d deadlines) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT json_build_object(
        'id', d.id, 'title', d.title, 'description', d.description, 'kind', d.kind,
        'due_on', d.due_on, 'issued_by_unit', d.issued_by_unit,
        'issued_by_unit_name', (SELECT u.name FROM units u WHERE u.code = d.issued_by_unit),
        'target_level', d.target_level, 'scope_unit', d.scope_unit,
        'scope_unit_name', (SELECT u.name FROM units u WHERE u.code = d.scope_unit),
        'recurrence', d.recurrence, 'previous_id', d.previous_id,
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

-- A target's document (first in 004_deadlines.sql): its unit's or enterprise's name, the district
-- (Huyện) its unit (an enterprise's: the commune it is located in) lies in, when it lies in one,
-- so that a province's list of communes reads by district, and the report it attached when the
-- deadline is of kind report (when, by whom, for which period; 46_reports.sql). PL/pgSQL, so that
-- the body is checked when first run, after deadline_reports exists.
CREATE OR REPLACE FUNCTION deadline_target_doc(t deadline_targets) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN (
    SELECT json_build_object(
        'id', t.id, 'deadline_id', t.deadline_id,
        'unit_code', t.unit_code, 'unit_name', (SELECT u.name FROM units u WHERE u.code = t.unit_code),
        'enterprise_id', t.enterprise_id,
        'enterprise_name', (SELECT e.name FROM enterprises e WHERE e.id = t.enterprise_id),
        'district_code', dist.code, 'district_name', dist.name,
        'status', target_status(t.completed_at, d.due_on), 'completed_at', t.completed_at,
        'on_time', target_on_time(t.completed_at, d.due_on), 'completed_by', t.completed_by,
        'note', t.note, 'link', t.link,
        'report', (SELECT json_build_object('created_at', r.created_at, 'created_by', r.created_by,
                                            'period', r.figures -> 'period')
                     FROM deadline_reports r WHERE r.target_id = t.id),
        'version', t.version)
      FROM deadlines d
      LEFT JOIN LATERAL (
          SELECT a.code, a.name
            FROM units u JOIN units a ON a.code = ANY (u.ancestors) AND a.code <> u.code AND a.level = 'district'
           WHERE u.code = coalesce(t.unit_code, (SELECT e.unit_code FROM enterprises e WHERE e.id = t.enterprise_id))
           LIMIT 1) dist ON true
     WHERE d.id = t.deadline_id
); END
$$;

-- ---------------------------------------------------------------------------------------------
-- Recurring titles name their own period (issue 13): "Báo cáo tháng 11/2026", then "Báo cáo
-- tháng 12/2026"; "Báo cáo quý IV/2026", then "Báo cáo quý I/2027".

-- The period a date lies in, as titles name it: "tháng 11/2026", "quý IV/2026".
CREATE OR REPLACE FUNCTION deadline_period_label(recurrence text, d date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE recurrence
               WHEN 'quarterly' THEN 'quý ' || (ARRAY['I', 'II', 'III', 'IV'])[extract(quarter FROM d)::int]
                                    || '/' || extract(year FROM d)::int
               ELSE 'tháng ' || to_char(d, 'MM/YYYY') END
$$;

-- The title of a period `advance` periods after the one titled `title` (0: that one itself). The
-- period a title names ("tháng 10/2026", "Tháng 1/2027", "quý III/2026", "quý 3/2026") moves on
-- by `advance` periods, so the issuer's choice holds: a monthly report due on 05/12 may say
-- "tháng 11/2026". A title that names no period gets the one due_on lies in: after a last word
-- "tháng" ("quý"), else in brackets. At most 200 characters (the title's limit).
CREATE OR REPLACE FUNCTION deadline_titled(title text, recurrence text, due_on date, advance integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
    months constant integer := CASE recurrence WHEN 'quarterly' THEN 3 ELSE 1 END;
    pattern constant text := CASE recurrence
        WHEN 'quarterly' THEN '(quý|Quý|QUÝ)\s+(IV|III|II|I|[1-4])\s*/\s*(\d{4})'
        ELSE '(tháng|Tháng|THÁNG)\s+(\d{1,2})\s*/\s*(\d{4})' END;
    m text[];
    start date;
    label text;
BEGIN
    IF recurrence IS NULL OR recurrence = 'none' THEN
        RETURN title;
    END IF;
    m := regexp_match(title, pattern);
    IF m IS NOT NULL AND recurrence = 'quarterly' THEN
        start := make_date(m[3]::int, (coalesce(array_position(ARRAY['I', 'II', 'III', 'IV'], m[2]), m[2]::int) - 1) * 3 + 1, 1);
    ELSIF m IS NOT NULL AND m[2]::int BETWEEN 1 AND 12 THEN
        start := make_date(m[3]::int, m[2]::int, 1);
    END IF;
    IF start IS NULL THEN
        label := deadline_period_label(recurrence, due_on);
        -- "Báo cáo tháng" becomes "Báo cáo tháng 11/2026"; anything else gets it in brackets.
        IF title ~ (split_part(pattern, '\s+', 1) || '\s*$') THEN
            RETURN left(rtrim(title), 200 - length(label) + strpos(label, ' ') - 1) || substr(label, strpos(label, ' '));
        END IF;
        RETURN left(title, 200 - length(label) - 3) || ' (' || label || ')';
    END IF;
    IF advance = 0 THEN
        RETURN title;
    END IF;
    label := deadline_period_label(recurrence, (start + make_interval(months => advance * months))::date);
    -- The word as the issuer wrote it ("Tháng"), then the new period.
    RETURN left(regexp_replace(title, pattern, m[1] || substr(label, strpos(label, ' '))), 200);
END $fn$;

-- Every deadline of a series is titled by deadline_titled as it is made: the first with its own
-- period (POST /deadlines), each next one (deadlines_roll, below, which copies its
-- predecessor's title) with the period after its predecessor's.
CREATE OR REPLACE FUNCTION deadlines_title_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.recurrence <> 'none' THEN
        NEW.title := deadline_titled(NEW.title, NEW.recurrence, NEW.due_on,
                                     CASE WHEN NEW.previous_id IS NULL THEN 0 ELSE 1 END);
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER deadlines_title_period BEFORE INSERT ON deadlines
    FOR EACH ROW EXECUTE FUNCTION deadlines_title_period();

-- What issuing this deadline would need confirmed (POST /deadlines without confirm=true, issue
-- 13): its due date has already ended in Vietnam (every target would be overdue at once), and an
-- exact duplicate: a deadline of the same issuing unit with the same title, kind, due date, target
-- level and scope (the title as it will be stored). x is jsonb_populate_record(NULL::deadlines,
-- body).
CREATE OR REPLACE FUNCTION deadline_issue_doubts(issuer text, x deadlines)
RETURNS TABLE (past boolean, duplicate uuid) LANGUAGE sql STABLE AS $$
    SELECT x.due_on < unit_today(),
           (SELECT d.id FROM deadlines d
             WHERE d.issued_by_unit = issuer AND d.due_on = x.due_on
               AND d.title = deadline_titled(x.title, coalesce(x.recurrence, 'none'), x.due_on, 0)
               AND d.kind = x.kind AND d.target_level = x.target_level AND d.scope_unit = x.scope_unit
             ORDER BY d.created_at LIMIT 1)
$$;

-- Creates the targets of a new deadline: every open unit of target_level inside scope_unit's
-- subtree, or every enterprise located there. Returns how many.
CREATE OR REPLACE FUNCTION deadline_materialize(p_deadline uuid) RETURNS bigint LANGUAGE sql AS $$
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
CREATE OR REPLACE FUNCTION target_has_compliant_team(p_unit text, p_enterprise uuid) RETURNS boolean
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
CREATE OR REPLACE FUNCTION team_setup_refresh(p_deadlines uuid[], p_units text[], p_enterprises uuid[])
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

-- The functions of the team_setup triggers (004_deadlines.sql: statement-level, so that an import
-- of many rows evaluates each commune once).

-- Team changes: the communes and enterprises of the teams before and after.
CREATE OR REPLACE FUNCTION teams_refresh_team_setup() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION members_refresh_team_setup() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION rules_refresh_team_setup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM team_setup_refresh(NULL, NULL, NULL);
    RETURN NULL;
END $$;

-- Recurring series (004_deadlines.sql says how periods are linked and numbered).

-- The due date of period n of a series first due on anchor.
CREATE OR REPLACE FUNCTION deadline_period_due(anchor date, recurrence text, n integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (anchor + make_interval(months => n * CASE recurrence WHEN 'quarterly' THEN 3 ELSE 1 END))::date
$$;

-- A series' last period needs a successor when it is the series' first (just issued) or when
-- the period before it has ended: then it is the current one, and the one after must exist.
CREATE OR REPLACE FUNCTION deadline_tails() RETURNS SETOF deadlines LANGUAGE sql STABLE AS $$
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
CREATE OR REPLACE FUNCTION deadlines_roll() RETURNS integer LANGUAGE plpgsql AS $$
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
