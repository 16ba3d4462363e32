-- 022_h14_activities_team_held_id: the activities of a team by day, with their ids (issue 14,
-- item 1). A page of a district's activities read every activity of its teams (~30,000 for a
-- district of 17 communes) from the table, for its id; with the id in the index (as people_reached
-- and outcomes already are, for the figures) the page reads the index alone. Built once; about
-- 15 s for 5,000,000 activities on 2 cores.
CREATE INDEX activities_team_held_id ON activities (team_id, held_on) INCLUDE (id, people_reached, outcomes);
DROP INDEX activities_team_held;
ALTER INDEX activities_team_held_id RENAME TO activities_team_held;
