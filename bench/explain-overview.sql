-- bench/explain-overview.sql — EXPLAIN ANALYZE of each figure query of GET /stats/overview.
--
--   psql -X -v unit=79 -f bench/explain-overview.sql "$DATABASE_URL"
--
-- Reads the query of stats_overview() as it is in the database (sql/functions/40_stats.sql:
-- plpgsql, RETURN (WITH ...)), prepares it once per figure group with the function's parameters
-- as $1..$6 (actor_unit, actor_enterprise, asked, p_from, p_to, p_on; called as a province
-- account on :unit, no from/to, the units of today) and its variables as $7..$16 (v_now, v_today,
-- the activity bounds with the values the function gives them for an open range: no partial
-- month, every month from the rollup; v_day today, v_past false; v_root is :unit's row), and
-- explains each group alone: cf (communes), tf (teams and members), af (activities), gf
-- (deadline targets). Then the whole call, with its wall time. Nothing is written.

\set ON_ERROR_STOP 1
\pset pager off
SET client_min_messages = warning;
SET TIME ZONE 'Asia/Ho_Chi_Minh';
-- As the function runs its query (its SET clauses, 40_stats.sql): one generic plan, without JIT.
SET plan_cache_mode = force_generic_plan;
SET jit = off;

-- The function's query without its final SELECT, parameters and variables renamed to $n.
SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
       regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
       regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
           substr(prosrc, strpos(prosrc, 'WITH root AS'),
                  length(prosrc) - strpos(reverse(prosrc), reverse('SELECT json_build_object(')) - length('SELECT json_build_object(') + 2
                  - strpos(prosrc, 'WITH root AS')),
           '\mactor_unit\M', '$1', 'g'), '\mactor_enterprise\M', '$2', 'g'), '\masked\M', '$3', 'g'),
           '\mp_from\M', '$4', 'g'), '\mp_to\M', '$5', 'g'), '\mp_on\M', '$6', 'g'), '\mv_now\M', '$7', 'g'),
           '\mv_today\M', '$8', 'g'), '\mv_lo\M', '$9', 'g'), '\mv_hi\M', '$10', 'g'), '\mv_m_lo\M', '$11', 'g'),
           '\mv_m_hi\M', '$12', 'g'), '\mv_head_hi\M', '$13', 'g'), '\mv_tail_lo\M', '$14', 'g'),
           '\mv_day\M', '$15', 'g'), '\mv_past\M', '$16', 'g') AS body
  FROM pg_proc WHERE oid = 'stats_overview'::regproc \gset
SELECT regexp_replace(:'body', '\mv_root\.', '((SELECT u FROM units u WHERE u.code = $3)).', 'g') AS body \gset

SELECT format('PREPARE fig_%s(text, uuid, text, date, date, date, timestamptz, date, date, date, date, date, date,'
              ' date, date, boolean) AS %s SELECT * FROM %s', g, :'body', g)
  FROM unnest(ARRAY['cf', 'tf', 'af', 'gf']) g \gexec

SELECT app_now() AS now, (app_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS today \gset
\echo '=== cf: communes_total, communes_with_team'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_cf(:'unit', NULL, :'unit', NULL, NULL, NULL, :'now', :'today', '-infinity', 'infinity', '-infinity', 'infinity', '-infinity', 'infinity', :'today', false);
\echo '=== tf: teams_active, teams_compliant, members_active, members_trained'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_tf(:'unit', NULL, :'unit', NULL, NULL, NULL, :'now', :'today', '-infinity', 'infinity', '-infinity', 'infinity', '-infinity', 'infinity', :'today', false);
\echo '=== af: activities, people_reached and the outcome sums'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_af(:'unit', NULL, :'unit', NULL, NULL, NULL, :'now', :'today', '-infinity', 'infinity', '-infinity', 'infinity', '-infinity', 'infinity', :'today', false);
\echo '=== gf: targets pending, overdue, done on time, done late'
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fig_gf(:'unit', NULL, :'unit', NULL, NULL, NULL, :'now', :'today', '-infinity', 'infinity', '-infinity', 'infinity', '-infinity', 'infinity', :'today', false);

\echo '=== the whole call, three times (wall time)'
\timing on
SELECT length(stats_overview(:'unit', NULL, :'unit', NULL, NULL, NULL)::text) AS bytes;
SELECT length(stats_overview(:'unit', NULL, :'unit', NULL, NULL, NULL)::text) AS bytes;
SELECT length(stats_overview(:'unit', NULL, :'unit', NULL, NULL, NULL)::text) AS bytes;
