-- 029_team_latest_activity: the day of each team's newest activity, by unit (issue 14, item 1;
-- api/activities.c, the recent page; docs/performance.md §9, "Activities of a district: a fence").
--
-- The first page of a district's activities read the country's newest activities by
-- activities_held and kept its teams': 9,200 index entries for the 51 of a district holding 0.5 %
-- of the teams (0.9 ms of the page's 1.6 ms). With each team's newest day kept by unit, the page
-- reads the N newest days of the teams of its units (N = offset + limit + 1), takes the smallest
-- as a fence, and reads only the activities on or after it of the teams that reach it.
--
-- held_on is never earlier than the team's newest activity: a write raises it, a deletion leaves
-- it (api/activities.c reads the page the other way when the fenced rows are too few).
-- unit_code is the team's: a move or a new key of the unit carries it along (35_rollup.sql).
CREATE TABLE team_latest_activity (
    team_id   uuid PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    unit_code text NOT NULL,
    held_on   date NOT NULL
);
CREATE INDEX team_latest_activity_unit ON team_latest_activity (unit_code, held_on DESC);

-- One probe of activities_team_held a team (0.3 s for 93,000 teams and 5,000,000 activities).
INSERT INTO team_latest_activity (team_id, unit_code, held_on)
SELECT t.id, t.unit_code, n.held_on
  FROM teams t CROSS JOIN LATERAL (SELECT max(a.held_on) AS held_on FROM activities a WHERE a.team_id = t.id) n
 WHERE n.held_on IS NOT NULL;
ANALYZE team_latest_activity;
