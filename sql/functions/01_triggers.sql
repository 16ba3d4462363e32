-- 01_triggers: statement-level triggers with transition tables, made the one way every file that
-- keeps something set-wise needs them (the change feed, the teams' documents, the activity rollup).
--
-- PostgreSQL allows transition tables only on triggers of one event, so a table gets one trigger
-- per event asked: <prefix>_ai (INSERT, new_rows), <prefix>_au (UPDATE, old_rows and new_rows),
-- <prefix>_ad (DELETE, old_rows), each running p_function once per statement. Triggers of one
-- event fire in name order.
CREATE OR REPLACE FUNCTION statement_triggers(p_table regclass, p_prefix text, p_function text, p_events text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    e text;
BEGIN
    FOREACH e IN ARRAY p_events LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER %s ON %s REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       p_prefix || CASE e WHEN 'insert' THEN '_ai' WHEN 'update' THEN '_au' ELSE '_ad' END,
                       upper(e), p_table,
                       CASE e WHEN 'insert' THEN 'NEW TABLE AS new_rows'
                              WHEN 'update' THEN 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
                              ELSE 'OLD TABLE AS old_rows' END,
                       p_function);
    END LOOP;
END $$;
