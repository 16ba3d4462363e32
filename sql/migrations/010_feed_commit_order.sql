-- 010_feed_commit_order: number changes in commit order, and tell the old scope of a move.
--
-- 003 numbered changes by transaction id once no older transaction was running; but
-- transactions commit in another order than they start, so a change that committed first
-- could get the larger number. Now each writing transaction numbers its own changes at commit
-- time (a deferred constraint trigger), holding a lock that is released only after the commit
-- is visible: numbers are handed out in commit order, and a reader that sees number N has
-- already been able to see every number below it.

CREATE TABLE change_transactions (
    txid xid8 PRIMARY KEY
);

CREATE FUNCTION changes_number_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(727275);
    UPDATE changes c SET seq = nextval('changes_seq')
      FROM (SELECT id FROM changes WHERE seq IS NULL AND txid = NEW.txid ORDER BY id) mine
     WHERE c.id = mine.id;
    DELETE FROM change_transactions WHERE txid = NEW.txid;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER change_transactions_commit AFTER INSERT ON change_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION changes_number_at_commit();

CREATE INDEX changes_txid_unnumbered ON changes (txid) WHERE seq IS NULL;

-- Rows moved from one scope to another are announced to both, in one change: the old scope
-- sees an update of something it can no longer read (GET answers 404), the new one an update
-- of something new.
ALTER TABLE changes ADD COLUMN old_unit_code text, ADD COLUMN old_enterprise_id uuid;

-- Who may see a change of this row: its unit and enterprise.
CREATE FUNCTION change_scope(resource text, r jsonb, OUT unit text, OUT ent uuid)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    CASE resource
        WHEN 'teams', 'deadline_targets' THEN
            unit := r->>'unit_code'; ent := (r->>'enterprise_id')::uuid;
        WHEN 'enterprises' THEN
            unit := r->>'unit_code'; ent := (r->>'id')::uuid;
        WHEN 'members', 'activities' THEN
            SELECT t.unit_code, t.enterprise_id INTO unit, ent FROM teams t WHERE t.id = (r->>'team_id')::uuid;
        WHEN 'deadlines' THEN
            unit := r->>'scope_unit';
    END CASE;
END $$;

CREATE OR REPLACE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unit text;
    ent uuid;
    old_unit text;
    old_ent uuid;
BEGIN
    SELECT s.unit, s.ent INTO unit, ent FROM change_scope(TG_TABLE_NAME,
        CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) s;
    IF TG_OP = 'UPDATE' THEN
        SELECT s.unit, s.ent INTO old_unit, old_ent FROM change_scope(TG_TABLE_NAME, to_jsonb(OLD)) s;
        IF (old_unit, old_ent) IS NOT DISTINCT FROM (unit, ent) THEN
            old_unit := NULL;
            old_ent := NULL;
        END IF;
    END IF;
    INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id, old_unit_code, old_enterprise_id)
    VALUES (TG_TABLE_NAME, (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text,
            CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
            unit, ent, old_unit, old_ent);
    INSERT INTO change_transactions VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

-- What 003 left unnumbered gets its numbers now; its reader-side numbering is gone.
UPDATE changes c SET seq = nextval('changes_seq')
  FROM (SELECT id FROM changes WHERE seq IS NULL ORDER BY txid, id) rest
 WHERE c.id = rest.id;
DROP FUNCTION changes_sequence();
DROP INDEX changes_unsequenced;
