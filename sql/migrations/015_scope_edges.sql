-- 015_scope_edges: structure rules per province (issue 11, item 10).
--
-- The rules were one set for the whole deployment, so one province's PUT /rules changed every
-- province's. Each province now has its own rows; the rows of province_code '' are the defaults
-- (Bình Dương's plan, 001_core.sql) that a province follows until it sets its own. The functions
-- that read the rules are in sql/functions/.

ALTER TABLE structure_rules
    ADD COLUMN province_code text NOT NULL DEFAULT '',
    DROP CONSTRAINT structure_rules_pkey,
    ADD CONSTRAINT structure_rules_pkey PRIMARY KEY (province_code, team_kind);
ALTER TABLE structure_rules ALTER COLUMN province_code DROP DEFAULT;

-- Its signature changes (the rules of one province): sql/functions/20_rules.sql.
DROP FUNCTION rules_doc();

-- A deadline's document, the "mine" form and its status are now the caller's view of it: counted
-- over the targets the caller sees (sql/functions/30_deadlines.sql, with the caller's scope first).
DROP FUNCTION deadline_mine_doc(deadline_targets);
DROP FUNCTION deadline_doc(deadlines);
DROP FUNCTION deadline_status(deadlines);
