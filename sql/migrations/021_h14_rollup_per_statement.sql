-- 021_h14_rollup_per_statement: the activities' monthly rollup kept once per statement (issue 14,
-- item 4; sql/functions/35_rollup.sql). The row-level triggers of 014 go: the functions file makes
-- statement-level ones (transition tables allow no column list, so the update trigger fires on
-- every update and counts only the rows whose figures changed). activities_rollup_au is made
-- again by that file under the same name.
DROP TRIGGER activities_rollup_aid ON activities;
DROP TRIGGER activities_rollup_au ON activities;
