-- 023_h14_unit_team_figures: the team figures of each commune, kept with the teams' documents
-- (issue 14, item 2; sql/functions/55_team_documents.sql).
--
-- GET /stats/overview at a province root counted the members of every team of the province
-- (~23,000 members of ~4,700 teams for 79) and judged each team against the rules, for each call:
-- two thirds of its time. What it counts per commune (active teams, compliant ones, their active
-- members, those trained) is now kept per unit, from the stored documents, by the transactions
-- that change them; the overview of today's units reads one row per commune.
ALTER TABLE team_documents ADD COLUMN members_trained bigint NOT NULL DEFAULT 0;

CREATE TABLE unit_team_figures (
    unit_code       text PRIMARY KEY REFERENCES units (code) ON UPDATE CASCADE,
    teams_active    bigint NOT NULL DEFAULT 0,
    teams_compliant bigint NOT NULL DEFAULT 0, -- judged by the rules of the unit's province
    members_active  bigint NOT NULL DEFAULT 0,
    members_trained bigint NOT NULL DEFAULT 0,
    -- The days the figures hold for: those all its active teams' documents hold for (an empty
    -- range when one of them has no document).
    fresh_from      date,
    fresh_until     date
);

-- Its refresh takes the units a team left too (sql/functions/55_team_documents.sql).
DROP FUNCTION IF EXISTS team_documents_refresh(uuid[]);
