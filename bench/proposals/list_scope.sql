-- bench/proposals/list_scope.sql — docs/performance.md §6.1 / §7 #1: the scope predicate in set
-- form, so that lists read only the caller's subtree through indexes instead of calling
-- in_scope() once per row of the whole table. A prototype for the lead, not a migration.
--
--   psql -X -v ON_ERROR_STOP=1 -f bench/proposals/list_scope.sql "$DATABASE_URL"

-- The codes of the units in the subtree of actor_unit (none for an enterprise caller). Inlinable:
-- one SELECT, no sub-select in a scalar position, so the planner sees through it.
CREATE OR REPLACE FUNCTION scope_unit_codes(actor_unit text, actor_enterprise uuid) RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE ROWS 50 AS $$
    SELECT u.code FROM units u WHERE actor_enterprise IS NULL AND u.ancestors @> ARRAY[actor_unit]
$$;

-- In each list's SQL (api/teams.c SQL_LIST shown; members, activities join teams t the same way;
-- enterprises use e.unit_code / e.id), the row predicate
--     in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)
-- becomes
--     (t.unit_code = ANY (ARRAY(SELECT c FROM scope_unit_codes($1, $2::uuid) c))
--      OR t.enterprise_id = $2::uuid)
-- which is true for exactly the rows in_scope() accepts: unit actors see their subtree,
-- enterprise actors their enterprise (for them scope_unit_codes() is empty). Measured with
-- bench/pgbench/list_teams.sql changed that way: district 380, 4 connections, 1.4 -> 5.6 tps;
-- with the plpgsql documents of docs_plpgsql.sql, 114.6 tps; -M prepared 230 tps.
