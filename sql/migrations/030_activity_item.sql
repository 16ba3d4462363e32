-- 030_activity_item: an activity's document as a row of a named type (issue 14, item 1;
-- sql/functions/55_activities.sql, activity_item; docs/performance.md §9, "Activities: the
-- documents as rows").
--
-- json_build_object spent ~5.5 µs an activity on the first page of a district's activities:
-- every call looks up each argument's type and escapes each of the 15 keys again, 20 % of the
-- page's database time. A row of a named type turns into the same JSON object (json_agg,
-- to_json) for ~3.5 µs. The attributes are the document's keys, in its order.
CREATE TYPE activity_item AS (
    id             uuid,
    external_id    text,
    team_id        uuid,
    team_name      text,
    unit_name      text,
    held_on        date,
    kind           text,
    title          text,
    location       text,
    people_reached integer,
    outcomes       jsonb,
    note           text,
    version        integer,
    created_at     timestamptz,
    updated_at     timestamptz
);
