-- bench/accounts.sql — the accounts the load runs sign in with, and the places they look at.
--
--   psql -X -v ON_ERROR_STOP=1 -v hash="$(echo "$PASSWORD" | build/cdt-server --hash-password)" \
--        -f bench/accounts.sql "$DATABASE_URL"
--
-- The province is the one with the most communes (national data: 79 Thành phố Hồ Chí Minh, 168
-- communes directly under it; demo: 79, 36 communes), the district the unit at district level
-- with the most communes, in any province (national: 970, the first intermediate unit of 38 Thanh
-- Hóa, 17 communes; demo: 990 of tests/fixtures/intermediate-level.sql), the commune that
-- district's first. Units of today only (valid_to NULL). Accounts: bench.province, bench.district, bench.commune
-- (upserted, so the file can run again). Prints the three codes as key=value lines for bench/run.

\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on

CREATE TEMP TABLE bench_places AS
WITH p AS (
    SELECT p.code FROM units p
      JOIN units c ON c.ancestors @> ARRAY[p.code] AND c.level = 'commune' AND c.valid_to IS NULL
     WHERE p.level = 'province' AND p.valid_to IS NULL
     GROUP BY p.code ORDER BY count(*) DESC, p.code LIMIT 1),
d AS (
    SELECT d.code FROM units d
      JOIN units c ON c.parent_code = d.code AND c.level = 'commune' AND c.valid_to IS NULL
     WHERE d.level = 'district' AND d.valid_to IS NULL
     GROUP BY d.code ORDER BY count(*) DESC, d.code LIMIT 1),
c AS (
    SELECT c.code FROM d JOIN units c ON c.parent_code = d.code AND c.level = 'commune'
      JOIN teams t ON t.unit_code = c.code
     GROUP BY c.code ORDER BY c.code LIMIT 1)
SELECT (SELECT code FROM p) AS province, (SELECT code FROM d) AS district, (SELECT code FROM c) AS commune;

INSERT INTO users (username, password_hash, full_name, role, unit_code)
SELECT x.username, :'hash', x.full_name, x.role, x.unit_code
  FROM bench_places b,
       LATERAL (VALUES ('bench.province', 'Benchmark province', 'province', b.province),
                       ('bench.district', 'Benchmark district', 'district', b.district),
                       ('bench.commune', 'Benchmark commune', 'commune', b.commune)) x (username, full_name, role, unit_code)
ON CONFLICT (username) DO UPDATE
   SET password_hash = excluded.password_hash, role = excluded.role, unit_code = excluded.unit_code,
       disabled = false, read_only = false;

SELECT 'province=' || province FROM bench_places
UNION ALL SELECT 'district=' || district FROM bench_places
UNION ALL SELECT 'commune=' || commune FROM bench_places;
