-- 027_activities_recent: activities newest first, in the order of a page of them (issue 14, item
-- 1; docs/performance.md §9, "Activities of a district").
--
-- A page of a district's activities in the default order (-held_on, then id) read every activity
-- of its teams and sorted them (~108,000 for the largest district of the national data: 103 ms).
-- The recent page of api/activities.c reads, for a wide scope, the country's activities from the
-- newest day down, keeping those of the caller's teams, and stops at the page's end (a scope
-- holding a share s of the activities reads about limit / s entries of activities_held, never
-- the table); for a narrow one, each team's newest from activities_team_held. Both now hold the
-- page's order (held_on DESC, id): with held_on alone, a team's activities of one day were all
-- read and sorted to find the first few. activities_held keeps serving the range scans of the
-- figures (the days of a partial month), activities_team_held the teams' figures (INCLUDE).
-- Built once; about 20 s for 5,300,000 activities on 2 cores.
CREATE INDEX activities_held_id ON activities (held_on DESC, id) INCLUDE (team_id);
DROP INDEX activities_held;
ALTER INDEX activities_held_id RENAME TO activities_held;
CREATE INDEX activities_team_held_id ON activities (team_id, held_on DESC, id) INCLUDE (people_reached, outcomes);
DROP INDEX activities_team_held;
ALTER INDEX activities_team_held_id RENAME TO activities_team_held;
