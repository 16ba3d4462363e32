-- 70_feed: what the change feed records (GET /changes) and how its rows are numbered.
--
-- Recording. Statement-level triggers on every table of the feed write one row per created,
-- updated or deleted row into changes, with the unit and enterprise of who may see it (and, for
-- a row that moved, those of its old place too), in the writing transaction, with no number.
--
-- Numbering (019_h14_feed_after_commit.sql says why it moved here). changes_sequence() numbers
-- every change that has committed and has no number yet, one pass at a time (an advisory lock,
-- held until the pass has committed): a pass reads, with a snapshot taken after the lock, all
-- that committed before it and gives it numbers above those of every earlier pass. So:
--   - no gap: a reader that sees number N sees every number below it, since every pass that
--     gave a lower number committed before the pass that gave N began;
--   - a change that commits late is numbered by a later pass, above every number handed out
--     before it committed: a client paging with after=<last seq> never skips it;
--   - commit order: within a pass, transactions are ordered by their last change (its id, from
--     a sequence). A transaction that waited for another to commit (a row lock, a constraint)
--     makes its last change after that commit, hence after every change of the other, so it
--     comes later; transactions that ran side by side come in either order, as they might
--     have committed.
-- The server runs the passes (db/sequencer.c): after each write it answers once a pass that
-- began after its commit has ended, and GET /changes reads after such a pass too, so what a
-- client wrote, or any other writer committed before its read, is in the feed it reads.

-- Where a change of row j of resource is announced: its unit and enterprise (for members and
-- activities, those of their team: team_unit, team_ent).
CREATE OR REPLACE FUNCTION change_unit(resource text, j jsonb, team_unit text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE resource WHEN 'members' THEN team_unit WHEN 'activities' THEN team_unit
                         WHEN 'deadlines' THEN j->>'scope_unit' WHEN 'units' THEN j->>'code'
                         ELSE j->>'unit_code' END
$$;
CREATE OR REPLACE FUNCTION change_enterprise(resource text, j jsonb, team_ent uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE resource WHEN 'members' THEN team_ent WHEN 'activities' THEN team_ent
                         WHEN 'enterprises' THEN (j->>'id')::uuid
                         WHEN 'teams' THEN (j->>'enterprise_id')::uuid
                         WHEN 'deadline_targets' THEN (j->>'enterprise_id')::uuid END
$$;

-- The rows a statement wrote (new_rows, old_rows) as changes: created, deleted, or updated and
-- announced to the old place too when the row moved. A unit's new key (unit_pass_code) changes
-- nothing anyone reads: no row. Each row is made jsonb once (MATERIALIZED), so that one function
-- serves every table; members' and activities' places are their teams'.
CREATE OR REPLACE FUNCTION record_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF unit_rekeying() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        WITH r AS MATERIALIZED (SELECT to_jsonb(n) AS j FROM new_rows n)
        INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id)
        SELECT TG_TABLE_NAME, coalesce(r.j->>'id', r.j->>'code'), 'created',
               change_unit(TG_TABLE_NAME, r.j, t.unit_code), change_enterprise(TG_TABLE_NAME, r.j, t.enterprise_id)
          FROM r LEFT JOIN teams t ON t.id = (r.j->>'team_id')::uuid;
    ELSIF TG_OP = 'DELETE' THEN
        WITH r AS MATERIALIZED (SELECT to_jsonb(o) AS j FROM old_rows o)
        INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id)
        SELECT TG_TABLE_NAME, coalesce(r.j->>'id', r.j->>'code'), 'deleted',
               change_unit(TG_TABLE_NAME, r.j, t.unit_code), change_enterprise(TG_TABLE_NAME, r.j, t.enterprise_id)
          FROM r LEFT JOIN teams t ON t.id = (r.j->>'team_id')::uuid;
    ELSE
        WITH n AS MATERIALIZED (SELECT j, coalesce(j->>'id', j->>'code') AS key FROM new_rows x, to_jsonb(x) j),
        o AS MATERIALIZED (SELECT j, coalesce(j->>'id', j->>'code') AS key FROM old_rows x, to_jsonb(x) j),
        placed AS (
            SELECT n.key,
                   change_unit(TG_TABLE_NAME, n.j, tn.unit_code) AS unit,
                   change_enterprise(TG_TABLE_NAME, n.j, tn.enterprise_id) AS ent,
                   change_unit(TG_TABLE_NAME, o.j, tn0.unit_code) AS old_unit,
                   change_enterprise(TG_TABLE_NAME, o.j, tn0.enterprise_id) AS old_ent
              FROM n JOIN o ON o.key = n.key
              LEFT JOIN teams tn ON tn.id = (n.j->>'team_id')::uuid
              LEFT JOIN teams tn0 ON tn0.id = (o.j->>'team_id')::uuid)
        INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id, old_unit_code, old_enterprise_id)
        SELECT TG_TABLE_NAME, p.key, 'updated', p.unit, p.ent,
               CASE WHEN moved THEN p.old_unit END, CASE WHEN moved THEN p.old_ent END
          FROM placed p, LATERAL (SELECT (p.old_unit, p.old_ent) IS DISTINCT FROM (p.unit, p.ent) AS moved) m;
    END IF;
    RETURN NULL;
END $$;

-- PostgreSQL allows transition tables only on triggers of one event: three per table.
CREATE OR REPLACE TRIGGER units_change_ai AFTER INSERT ON units REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER units_change_au AFTER UPDATE ON units REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER units_change_ad AFTER DELETE ON units REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER enterprises_change_ai AFTER INSERT ON enterprises REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER enterprises_change_au AFTER UPDATE ON enterprises REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER enterprises_change_ad AFTER DELETE ON enterprises REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER teams_change_ai AFTER INSERT ON teams REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER teams_change_au AFTER UPDATE ON teams REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER teams_change_ad AFTER DELETE ON teams REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER members_change_ai AFTER INSERT ON members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER members_change_au AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER members_change_ad AFTER DELETE ON members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER activities_change_ai AFTER INSERT ON activities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER activities_change_au AFTER UPDATE ON activities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER activities_change_ad AFTER DELETE ON activities REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER deadlines_change_ai AFTER INSERT ON deadlines REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER deadlines_change_au AFTER UPDATE ON deadlines REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER deadlines_change_ad AFTER DELETE ON deadlines REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER deadline_targets_change_ai AFTER INSERT ON deadline_targets REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER deadline_targets_change_au AFTER UPDATE ON deadline_targets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();
CREATE OR REPLACE TRIGGER deadline_targets_change_ad AFTER DELETE ON deadline_targets REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_changes();

-- One numbering pass (see the top of this file). Returns how many changes it numbered. The lock
-- is waited for: when it returns, every change committed before it was called has a number.
-- Run in READ COMMITTED (the server's connections are), so that the numbering statement's
-- snapshot is taken after the lock, and sees what the pass before committed.
CREATE OR REPLACE FUNCTION changes_sequence() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    numbered bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(727275);
    -- Numbers are given in the order of the sorted rows (volatile expressions of the select
    -- list are evaluated after ORDER BY).
    WITH pending AS MATERIALIZED (
        SELECT c.id, max(c.id) OVER (PARTITION BY c.txid) AS last FROM changes c WHERE c.seq IS NULL),
    given AS MATERIALIZED (
        SELECT p.id, nextval('changes_seq') AS seq FROM pending p ORDER BY p.last, p.id),
    upd AS (
        UPDATE changes c SET seq = g.seq FROM given g WHERE c.id = g.id RETURNING 1)
    SELECT count(*) INTO numbered FROM upd;
    RETURN numbered;
END $$;
