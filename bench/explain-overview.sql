-- bench/explain-overview.sql — EXPLAIN ANALYZE of each figure query of GET /stats/overview.
--
--   psql -X -v unit=38 -f bench/explain-overview.sql "$DATABASE_URL"
--
-- Reads the body of stats_overview() as it is in the database (sql/migrations/005_stats.sql),
-- prepares it once per figure group with the function's parameters as $1..$5 (actor_unit,
-- actor_enterprise, asked, p_from, p_to; called as a province account on :unit, no from/to),
-- and explains each group alone: cf (communes), tf (teams and members), af (activities), gf
-- (deadline targets). Then the whole call, with its wall time. Nothing is written.

\set ON_ERROR_STOP 1
\pset pager off
SET client_min_messages = warning;

-- The function body without its final SELECT, parameters renamed to $n.
SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
           left(prosrc, length(prosrc) - strpos(reverse(prosrc), reverse('SELECT json_build_object(')) - length('SELECT json_build_object(') + 1),
           '\mactor_unit\M', '$1', 'g'), '\mactor_enterprise\M', '$2', 'g'), '\masked\M', '$3', 'g'),
           '\mp_from\M', '$4', 'g'), '\mp_to\M', '$5', 'g') AS body
  FROM pg_proc WHERE oid = 'stats_overview'::regproc \gset

SELECT format('PREPARE fig_%s(text, uuid, text, date, date) AS %s SELECT * FROM %s', g, :'body', g)
  FROM unnest(ARRAY['cf', 'tf', 'af', 'gf']) g \gexec

\echo '=== cf: communes_total, communes_with_team'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_cf(:'unit', NULL, :'unit', NULL, NULL);
\echo '=== tf: teams_active, teams_compliant, members_active, members_trained'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_tf(:'unit', NULL, :'unit', NULL, NULL);
\echo '=== af: activities, people_reached and the outcome sums'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_af(:'unit', NULL, :'unit', NULL, NULL);
\echo '=== gf: targets pending, overdue, done on time, done late'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_gf(:'unit', NULL, :'unit', NULL, NULL);

\echo '=== the whole call, three times (wall time)'
\timing on
SELECT length(stats_overview(:'unit', NULL, :'unit', NULL, NULL)::text) AS bytes;
SELECT length(stats_overview(:'unit', NULL, :'unit', NULL, NULL)::text) AS bytes;
SELECT length(stats_overview(:'unit', NULL, :'unit', NULL, NULL)::text) AS bytes;
