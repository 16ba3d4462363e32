-- 025_team_hamlet_key: each team's hamlet as compared (search_key: no case, no diacritics, no
-- surrounding spaces), kept beside it, so that the overview's count of hamlets with a team
-- (stats_overview's hf, sql/functions/40_stats.sql) reads it instead of running unaccent on every
-- team of the province at each call (21 of 48 ms at Thành phố Hồ Chí Minh on the national data).
ALTER TABLE teams ADD COLUMN hamlet_key text GENERATED ALWAYS AS (search_key(btrim(hamlet))) STORED;
