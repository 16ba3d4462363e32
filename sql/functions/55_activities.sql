-- 55_activities: an activity's document and what a write of one must pass.

-- The document of GET /activities and /activities/{id} (first in 003_reporting.sql), with the
-- names a person reads beside the codes (issue 13): its team's name and the name of the commune
-- the team serves. Exports carry them; imports ignore them (api/import.c). Its one shape is the
-- type activity_item (030_activity_item.sql), made by activity_item: an expression (inlined where
-- it is called), that the recent page of the list (api/activities.c) builds for its 50 rows in
-- one join and aggregates as rows (json_agg), 0.25 ms less a page than 50 calls of activity_doc
-- and ~0.1 ms less than as json_build_object (docs/performance.md §9).
CREATE OR REPLACE FUNCTION activity_item(a activities, team_name text, unit_name text)
RETURNS activity_item LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(a.id, a.external_id, a.team_id, team_name, unit_name, a.held_on, a.kind, a.title,
               a.location, a.people_reached, a.outcomes, a.note, a.version, a.created_at,
               a.updated_at)::activity_item
$$;

CREATE OR REPLACE FUNCTION activity_document(a activities, team_name text, unit_name text)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT to_json(activity_item(a, team_name, unit_name))
$$;

-- The same for one activity, reading the names.
-- plpgsql: its plan lasts the connection. As a SQL function (which cannot be inlined: it reads
-- tables) its body was parsed and planned again by every statement that called it, ~0.15 ms of
-- each write's read-back (docs/performance.md §9, "Writes"); a list or an export of many rows
-- takes ~5 % longer per row than it did.
CREATE OR REPLACE FUNCTION activity_doc(a activities) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT activity_document(a, t.name, u.name)
              FROM teams t LEFT JOIN units u ON u.code = t.unit_code
             WHERE t.id = a.team_id);
END $$;

-- Why an activity cannot be held on day d, or NULL: after today in Vietnam (unit_today()), it has
-- not happened yet. The API's writes ask with one argument; an import (api/import.c) passes today,
-- read once for all its rows: unit_today() read once a row was 0.4-0.7 s of 182,000. With two
-- columns or parameters as its arguments (an import's) the planner inlines it.
CREATE OR REPLACE FUNCTION activity_held_on_problem(d date, today date) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN d > today THEN format('must not be after today (%s, Vietnam time)', to_char(today, 'YYYY-MM-DD')) END
$$;
-- plpgsql, with today in a variable: called as activity_held_on_problem(d, unit_today()) the
-- function above, which reads today twice, was not inlined, and its body was parsed and planned
-- again by every write's checks (docs/performance.md §9, "Writes: the rollup of one activity").
CREATE OR REPLACE FUNCTION activity_held_on_problem(d date) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    today date := unit_today();
BEGIN
    RETURN activity_held_on_problem(d, today);
END $$;

-- The checks of a write of an activity (api/resource.h, sql_checks): its day, when it is given.
CREATE OR REPLACE FUNCTION activity_checks(actor_unit text, actor_enterprise uuid, body jsonb, id uuid)
RETURNS TABLE (field text, message text, doubt boolean) LANGUAGE sql STABLE AS $$
    SELECT 'held_on', p.problem, false FROM activity_held_on_problem((body ->> 'held_on')::date) p (problem)
     WHERE p.problem IS NOT NULL
$$;
