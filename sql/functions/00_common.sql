-- 00_common: small helpers of no one topic: the clock every status is derived at, the search key,
-- and an import's choice of a column's value.

-- "Now" for every status and timestamp this service derives. Tests move it by writing one row
-- into app_clock (003_reporting.sql); in production the table stays empty and app_now() is the
-- transaction's now().
--
-- The table is read by a plpgsql function (its plan lasts the connection) and app_now() holds no
-- subquery, so that the planner inlines it (and unit_today()) into the statement that calls it:
-- as a SQL function that read the table, its body was parsed and planned again by every statement
-- (docs/performance.md §9, "Writes"; in_scope below is made the same way).
CREATE OR REPLACE FUNCTION app_clock_at() RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT at FROM app_clock);
END $$;

CREATE OR REPLACE FUNCTION app_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce(app_clock_at(), now())
$$;

-- Case- and diacritic-insensitive search key: 'Phú Cường' -> 'phu cuong', 'Đ' -> 'd'.
CREATE OR REPLACE FUNCTION search_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize(t, NFC))) $$;

-- The value a file row gives for a column, or the stored one when the file has no such column:
-- an import updates only the columns it carries (server/src/api/import.c).
CREATE OR REPLACE FUNCTION import_pick(present text[], col text, new anyelement, old anyelement)
RETURNS anyelement LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN col = ANY (present) THEN new ELSE old END
$$;
