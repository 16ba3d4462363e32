-- 008_import: helpers for bulk imports (server/src/api/import.c).

-- The value a file row gives for a column, or the stored one when the file has no such column:
-- an import updates only the columns it carries.
CREATE FUNCTION import_pick(present text[], col text, new anyelement, old anyelement)
RETURNS anyelement LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN col = ANY (present) THEN new ELSE old END
$$;
