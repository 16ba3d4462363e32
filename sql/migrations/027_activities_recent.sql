-- 027_activities_recent: the country's activities newest first, with their ids and teams (issue
-- 14, item 1; docs/performance.md §9, "Activities of a district").
--
-- A page of a district's activities in the default order (-held_on) read every activity of its
-- teams and sorted them (~108,000 for the largest district of the national data: 103 ms). The
-- recent page of api/activities.c reads this index from the newest day down, keeping the rows
-- of the caller's teams, and stops at the page's end: a scope holding a share s of the activities
-- reads about limit / s index entries, never the table. It replaces activities_held (held_on),
-- whose range scans (the days of a partial month in the figures) it serves as well.
-- Built once; about 8 s for 5,300,000 activities on 2 cores.
CREATE INDEX activities_held_id ON activities (held_on DESC, id) INCLUDE (team_id);
DROP INDEX activities_held;
ALTER INDEX activities_held_id RENAME TO activities_held;
