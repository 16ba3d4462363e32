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

-- A row's key and its place in the feed (j: the row as jsonb, made once per row in the caller's
-- FROM; team_unit, team_ent: those of its team, for members and activities). Inlined.
CREATE OR REPLACE FUNCTION change_place(resource text, j jsonb, team_unit text, team_ent uuid)
RETURNS TABLE (key text, unit text, ent uuid) LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(j->>'id', j->>'code'), change_unit(resource, j, team_unit), change_enterprise(resource, j, team_ent)
$$;

-- The rows a statement wrote (new_rows, old_rows) as changes: created, deleted, or updated and
-- announced to the old place too when the row moved. A unit's new key (unit_pass_code) changes
-- nothing anyone reads: no row.
CREATE OR REPLACE FUNCTION record_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF unit_rekeying() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id)
        SELECT TG_TABLE_NAME, p.key, 'created', p.unit, p.ent
          FROM new_rows x, to_jsonb(x) j LEFT JOIN teams t ON t.id = (j->>'team_id')::uuid,
               change_place(TG_TABLE_NAME, j, t.unit_code, t.enterprise_id) p;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id)
        SELECT TG_TABLE_NAME, p.key, 'deleted', p.unit, p.ent
          FROM old_rows x, to_jsonb(x) j LEFT JOIN teams t ON t.id = (j->>'team_id')::uuid,
               change_place(TG_TABLE_NAME, j, t.unit_code, t.enterprise_id) p;
    ELSE
        INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id, old_unit_code, old_enterprise_id)
        SELECT TG_TABLE_NAME, n.key, 'updated', n.unit, n.ent,
               CASE WHEN moved THEN o.unit END, CASE WHEN moved THEN o.ent END
          FROM (SELECT p.* FROM new_rows x, to_jsonb(x) j LEFT JOIN teams t ON t.id = (j->>'team_id')::uuid,
                                change_place(TG_TABLE_NAME, j, t.unit_code, t.enterprise_id) p) n
          JOIN (SELECT p.* FROM old_rows x, to_jsonb(x) j LEFT JOIN teams t ON t.id = (j->>'team_id')::uuid,
                                change_place(TG_TABLE_NAME, j, t.unit_code, t.enterprise_id) p) o ON o.key = n.key,
               LATERAL (SELECT (o.unit, o.ent) IS DISTINCT FROM (n.unit, n.ent) AS moved) m;
    END IF;
    RETURN NULL;
END $$;

-- Every table of the feed, once per statement (01_triggers.sql).
SELECT statement_triggers(t::regclass, t || '_change', 'record_changes', '{insert,update,delete}')
  FROM unnest(ARRAY['units', 'enterprises', 'teams', 'members', 'activities', 'deadlines', 'deadline_targets']) t;

-- One numbering pass (see the top of this file). Returns how many changes it numbered. The lock
-- is waited for: when it returns, every change committed before it was called has a number.
-- Run in READ COMMITTED (the server's connections are), so that the numbering statement's
-- snapshot is taken after the lock, and sees what the pass before committed.
--
-- Where to look (028_feed_pass_bound.sql): what a pass leaves unnumbered was written by a
-- transaction still running at its snapshot, whose txid is at least the snapshot's xmin; the pass
-- records that xmin (changes_sequencer) and the next one reads the unnumbered changes from there,
-- not the dead index entries of every change numbered since the last VACUUM. The bound holds while
-- the cluster runs as it was started; after a restart the first pass reads from the start.
--
-- jit off: the plan is made once per connection from the statistics of changes, and when an ANALYZE
-- ran while many changes were unnumbered (an import's, a burst of writes) its estimated cost passes
-- jit_above_cost, and every pass, however few it numbers, spent ~7 ms compiling it.
CREATE OR REPLACE FUNCTION changes_sequence() RETURNS bigint LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    numbered bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(727275);
    -- Numbers are given in the order of the sorted rows (volatile expressions of the select
    -- list are evaluated after ORDER BY). Every part of the statement has its one snapshot.
    -- (tests/deploy/topology.test.mjs knows the statement by its first words.)
    WITH pending AS MATERIALIZED (
        SELECT c.id, max(c.id) OVER (PARTITION BY c.txid) AS last FROM changes c
         WHERE c.seq IS NULL
           AND c.txid >= coalesce((SELECT s.unnumbered_from FROM changes_sequencer s
                                    WHERE s.started = pg_postmaster_start_time()), '0'::xid8)),
    given AS MATERIALIZED (
        SELECT p.id, nextval('changes_seq') AS seq FROM pending p ORDER BY p.last, p.id),
    upd AS (
        UPDATE changes c SET seq = g.seq FROM given g WHERE c.id = g.id RETURNING 1),
    mark AS ( -- by a pass that numbered something: one that numbers nothing writes nothing, as before
        UPDATE changes_sequencer SET unnumbered_from = pg_snapshot_xmin(pg_current_snapshot()),
                                     started = pg_postmaster_start_time()
         WHERE EXISTS (SELECT FROM given))
    SELECT count(*) INTO numbered FROM upd;
    RETURN numbered;
END $$;

-- A deleted team's members leave the feed with the team's scope (006_feed_cascade.sql). With ON
-- DELETE CASCADE alone, the members' change rows are written after the team row is gone, so their
-- scope (the team's commune) could not be looked up and sync clients in that commune would never
-- hear of the deletions. Deleting them first (trigger teams_members_bd), while the team still
-- exists, keeps their scope.
CREATE OR REPLACE FUNCTION teams_delete_members_first() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM members WHERE team_id = OLD.id;
    RETURN OLD;
END $$;
