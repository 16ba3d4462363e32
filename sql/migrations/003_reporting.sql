-- 003_reporting: activities, deadlines with their targets, the change feed, and the clock.
--
-- Deadlines are dates in Asia/Ho_Chi_Minh: a target is on time when completed before midnight at
-- the end of due_on there (deadline_end). Statuses are derived, never stored, from completed_at
-- and app_now().

-- "Now" for every status and timestamp this service derives. Tests move it by writing one row
-- into app_clock; in production the table stays empty and app_now() is the transaction's now().
CREATE TABLE app_clock (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    at       timestamptz NOT NULL
);
CREATE FUNCTION app_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT at FROM app_clock), now())
$$;

-- The first instant after due_on in Vietnam: completed before it is on time, at or after is late.
CREATE FUNCTION deadline_end(due_on date) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((due_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
$$;

CREATE TABLE activities (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id    text UNIQUE,
    team_id        uuid NOT NULL REFERENCES teams (id),
    held_on        date NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('public_services', 'vneid', 'cashless_payment',
                       'ecommerce', 'digital_skills', 'cyber_safety', 'communication', 'other')),
    title          text NOT NULL,
    location       text,
    people_reached integer NOT NULL DEFAULT 0 CHECK (people_reached >= 0),
    outcomes       jsonb NOT NULL DEFAULT '{}',
    note           text,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activities_outcomes_check CHECK (
        jsonb_typeof(outcomes) = 'object'
        AND outcomes - ARRAY['vneid_activations', 'public_service_applications', 'cashless_accounts',
                             'ecommerce_shops', 'app_installs', 'people_trained'] = '{}'::jsonb)
);
CREATE INDEX activities_team_held ON activities (team_id, held_on);
CREATE INDEX activities_held ON activities (held_on);

CREATE TABLE deadlines (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title          text NOT NULL,
    description    text,
    kind           text NOT NULL CHECK (kind IN ('team_setup', 'report', 'other')),
    due_on         date NOT NULL,
    issued_by_unit text NOT NULL REFERENCES units (code),
    target_level   text NOT NULL CHECK (target_level IN ('district', 'commune', 'enterprise')),
    scope_unit     text NOT NULL REFERENCES units (code),
    recurrence     text NOT NULL DEFAULT 'none' CHECK (recurrence IN ('none', 'monthly', 'quarterly')),
    previous_id    uuid REFERENCES deadlines (id) ON DELETE SET NULL, -- the period before, for recurring ones
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deadlines_scope ON deadlines (scope_unit);
CREATE INDEX deadlines_due ON deadlines (due_on);

CREATE TABLE deadline_targets (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    deadline_id   uuid NOT NULL REFERENCES deadlines (id) ON DELETE CASCADE,
    unit_code     text REFERENCES units (code),
    enterprise_id uuid REFERENCES enterprises (id),
    completed_at  timestamptz,
    completed_by  text,          -- username, or 'auto' when a team_setup rule completed it
    note          text,
    link          text,
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((unit_code IS NULL) <> (enterprise_id IS NULL)),
    UNIQUE (deadline_id, unit_code),
    UNIQUE (deadline_id, enterprise_id)
);
CREATE INDEX deadline_targets_unit ON deadline_targets (unit_code);
CREATE INDEX deadline_targets_enterprise ON deadline_targets (enterprise_id);

-- A target's derived status at app_now().
CREATE FUNCTION target_status(completed_at timestamptz, due_on date) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN completed_at IS NOT NULL THEN 'done'
                WHEN app_now() >= deadline_end(due_on) THEN 'overdue'
                ELSE 'pending' END
$$;

-- The change feed. Rows are written by triggers in the writing transaction with no sequence
-- number; changes_sequence() numbers them only once every transaction that could still add an
-- earlier row has ended (their xid is below the snapshot's xmin), so a reader paging by seq can
-- never skip a change that commits late.
CREATE TABLE changes (
    id            bigserial PRIMARY KEY,
    seq           bigint UNIQUE,
    txid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    resource      text NOT NULL,
    resource_id   text NOT NULL,
    op            text NOT NULL CHECK (op IN ('created', 'updated', 'deleted')),
    at            timestamptz NOT NULL DEFAULT now(),
    unit_code     text,
    enterprise_id uuid
);
CREATE INDEX changes_unsequenced ON changes (txid, id) WHERE seq IS NULL;
CREATE SEQUENCE changes_seq;

CREATE FUNCTION changes_sequence() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- One sequencer at a time, so numbers are handed out in one order.
    PERFORM pg_advisory_xact_lock(727275);
    UPDATE changes c SET seq = nextval('changes_seq')
      FROM (SELECT id FROM changes
             WHERE seq IS NULL AND txid < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY txid, id) ready
     WHERE c.id = ready.id;
END $$;

-- Records one change; the scope columns say who may see it in the feed.
CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
    unit text;
    ent uuid;
BEGIN
    r := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    CASE TG_TABLE_NAME
        WHEN 'teams' THEN unit := r.unit_code; ent := r.enterprise_id;
        WHEN 'enterprises' THEN unit := r.unit_code; ent := r.id;
        WHEN 'members', 'activities' THEN
            SELECT t.unit_code, t.enterprise_id INTO unit, ent FROM teams t WHERE t.id = r.team_id;
        WHEN 'deadlines' THEN unit := r.scope_unit;
        WHEN 'deadline_targets' THEN unit := r.unit_code; ent := r.enterprise_id;
    END CASE;
    INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id)
    VALUES (TG_TABLE_NAME, r.id::text,
            CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
            unit, ent);
    RETURN NULL;
END $$;

CREATE TRIGGER teams_change AFTER INSERT OR UPDATE OR DELETE ON teams
    FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER members_change AFTER INSERT OR UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER activities_change AFTER INSERT OR UPDATE OR DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER enterprises_change AFTER INSERT OR UPDATE OR DELETE ON enterprises
    FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER deadlines_change AFTER INSERT OR UPDATE OR DELETE ON deadlines
    FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE TRIGGER deadline_targets_change AFTER INSERT OR UPDATE OR DELETE ON deadline_targets
    FOR EACH ROW EXECUTE FUNCTION record_change();

CREATE FUNCTION activity_doc(a activities) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id, 'external_id', a.external_id, 'team_id', a.team_id, 'held_on', a.held_on,
        'kind', a.kind, 'title', a.title, 'location', a.location,
        'people_reached', a.people_reached, 'outcomes', a.outcomes, 'note', a.note,
        'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)
$$;
