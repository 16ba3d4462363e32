-- 70_feed: what the change feed records (GET /changes; 003_reporting.sql and
-- 010_feed_commit_order.sql say how it is numbered in commit order).

-- Who may see a change of this row: its unit and enterprise.
CREATE OR REPLACE FUNCTION change_scope(resource text, r jsonb, OUT unit text, OUT ent uuid)
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
        WHEN 'units' THEN
            unit := r->>'code';
    END CASE;
END $$;

-- Records one change of a row (its id; a unit's key), announced to its scope and, when it moved,
-- to its old scope too. A unit's new key (unit_pass_code) changes nothing anyone reads: no entry.
CREATE OR REPLACE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unit text;
    ent uuid;
    old_unit text;
    old_ent uuid;
    row_new jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
    row_old jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
    this jsonb := coalesce(row_new, row_old);
BEGIN
    IF unit_rekeying() THEN
        RETURN NULL;
    END IF;
    SELECT s.unit, s.ent INTO unit, ent FROM change_scope(TG_TABLE_NAME, this) s;
    IF TG_OP = 'UPDATE' THEN
        SELECT s.unit, s.ent INTO old_unit, old_ent FROM change_scope(TG_TABLE_NAME, row_old) s;
        IF (old_unit, old_ent) IS NOT DISTINCT FROM (unit, ent) THEN
            old_unit := NULL;
            old_ent := NULL;
        END IF;
    END IF;
    INSERT INTO changes (resource, resource_id, op, unit_code, enterprise_id, old_unit_code, old_enterprise_id)
    VALUES (TG_TABLE_NAME, coalesce(this->>'id', this->>'code'),
            CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
            unit, ent, old_unit, old_ent);
    INSERT INTO change_transactions VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
