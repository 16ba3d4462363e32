// The production topology of docker-compose.yml, natively (issue 15, items 2 and 3): two server
// instances behind Debian's nginx running deploy/nginx.conf, a PostgreSQL primary and a streaming
// replica made by deploy/replica.sh (tests/deploy/run). The tests run in order and share them:
//   1. a token from one instance works on the other (no session state);
//   2. /metrics: 403 through nginx from an address outside the allow-list, 200 from inside, each
//      instance's own, in strict Prometheus text format with routes as the table names them;
//   3. no GET writes: every GET route of the table, with a recurring deadline due to roll, leaves
//      no writing statement in the primary's pg_stat_statements; the roller makes the period;
//   4. the figures come from the replica (replay paused: a stale figure; resumed: the new one),
//      nothing else does, and nothing is written there;
//   5. the replica down: the figures come from the primary, /readyz stays 200;
//   6. an import of 200,000 members through nginx;
//   7. one instance killed with SIGKILL under a steady load: only POSTs in flight on it fail.

import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  assert, DATABASE_READ_URL, getFrom, login, parsePrometheus, replica, replicaCaughtUp,
  replicaSql, request, RUN, sleep, sql, startNginx, startServer, tally, total,
} from './lib.mjs';

const SECRET = randomBytes(36).toString('base64');
const routeTable = () => execFileSync(process.env.CDT_SERVER, ['--routes'], { encoding: 'utf8' }).trim().split('\n')
  .map((l) => l.split('\t'));
// Both instances as docker-compose.yml runs them; no deadline roller (test 3 starts one).
const ENV = {
  JWT_SECRET: SECRET, DATABASE_READ_URL, TRUSTED_PROXIES: '127.0.0.1', DEADLINE_ROLL_SECONDS: '0',
  HTTP_THREADS: '64', DB_POOL_SIZE: '4',
};
const COMMUNE = '25747';
const YEAR = { from: '2026-01-01', to: '2026-12-31' };
let A, B, nginx, token;

before(async () => {
  [A, B] = await Promise.all([startServer(ENV), startServer(ENV)]);
  nginx = await startNginx(A.port, B.port);
});

after(async () => {
  await nginx?.stop();
  for (const s of [A, B]) if (s?.alive()) await s.stop();
});

/** GET through nginx as the province account; the parsed body. */
async function get(path, as = token) {
  const res = await request(nginx.url, 'GET', path, { token: as, timeoutMs: 30_000 });
  assert.equal(res.status, 200, `GET ${path}: ${res.status} ${res.text ?? res.error}`);
  return res.json;
}

/** Each instance's metrics through nginx (the allowed address), parsed. */
async function metricsOf(instance) {
  const res = await getFrom('127.0.0.1', `${nginx.url}/metrics/${instance}`);
  assert.equal(res.status, 200, res.text);
  return parsePrometheus(res.text);
}

// The change feed's numbering (changes_sequence(), sql/functions/70_feed.sql) is left out: the
// sequencer thread of each process (server/src/db/sequencer.c) runs it on a connection of its
// own once a second, whatever the requests, and it numbers only what writes have committed. No
// request's transaction runs it. (Skipping its lock and update when nothing waits for a number
// cost the writes 25 times their speed: an index-only scan of every dead entry of the numbered
// rows, 32 POSTs/s where 930 had been.)
const FEED_NUMBERING = ['SELECT pg_advisory_xact_lock($1)', 'SELECT pg_advisory_xact_lock(727275)', 'WITH pending AS MATERIALIZED ('];

/** Statements run on a database since its last reset that write, or that roll deadlines. */
function writingStatements(query = sql) {
  return query(`SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_statements
                 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'cdt')
                   AND query !~* 'pg_stat_statements'
                   AND NOT regexp_replace(query, '\\s+', ' ', 'g') LIKE ANY (ARRAY['${FEED_NUMBERING.join("%', '")}%'])
                   AND (query ~* '^\\s*(insert|update|delete|merge|copy|truncate|create|alter|drop|grant|revoke|lock|vacuum|analyze|refresh)\\M'
                        OR query ~* '^\\s*with\\M' AND query ~* '\\m(insert\\s+into|update\\s+\\w+(\\s+\\w+)?\\s+set|delete\\s+from)\\M'
                        OR query ~* 'deadlines_roll|nextval|setval|pg_advisory')`);
}

function resetStatements() {
  sql('SELECT pg_stat_statements_reset()');
  replicaSql('SELECT pg_stat_statements_reset()');
}

/** Calls of statements mentioning `text` on the primary (or, with replicaSql, the replica). */
function callsOf(text, query = sql) {
  const [[n]] = query(`SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ~ '${text}'
                        AND query !~* 'pg_stat_statements'`);
  return Number(n);
}

test('a token from one instance is accepted by the other, directly and through nginx', async () => {
  token = await login(A.url);
  for (const base of [B.url, A.url, nginx.url]) {
    const me = await request(base, 'GET', '/api/v1/auth/me', { token });
    assert.equal(me.status, 200, `${base}: ${me.text}`);
    assert.equal(me.json.username, 'demo.province');
  }
  const teams = await get('/api/v1/teams?limit=1');
  assert.ok(teams.total > 0);
});

test('/metrics: only from the allowed network, each instance its own, strict Prometheus text', async () => {
  for (const path of ['/metrics', '/metrics/api1', '/metrics/api2']) {
    const outside = await getFrom('127.0.0.2', nginx.url + path);
    assert.equal(outside.status, 403, `${path} from 127.0.0.2 (not allowed): ${outside.status}`);
    const inside = await getFrom('127.0.0.1', nginx.url + path);
    assert.equal(inside.status, 200, `${path} from 127.0.0.1 (allowed): ${inside.status}`);
    assert.match(inside.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  }
  // The sign-in went to A, the /auth/me to each: counted by the route's pattern and status.
  const a = await metricsOf('api1');
  const b = await metricsOf('api2');
  const login = { method: 'POST', route: '/api/v1/auth/login', status: '200' };
  assert.equal(total(a, 'cdt_http_requests_total', login), 1, 'A signed the account in once');
  assert.equal(total(b, 'cdt_http_requests_total', login), 0);
  assert.ok(total(b, 'cdt_http_requests_total', { route: '/api/v1/auth/me', status: '200' }) >= 1);
  // A path with an id is counted under its template: labels come from the route table only.
  const id = sql("SELECT id FROM teams WHERE unit_code = '25747' LIMIT 1")[0][0];
  await request(A.url, 'GET', `/api/v1/teams/${id}`, { token });
  await request(A.url, 'GET', `/api/v1/no/such/${id}`, { token });
  const again = await metricsOf('api1');
  const routes = new Set(routeTable().map(([, pattern]) => pattern));
  routes.add('none');
  for (const s of again.filter((x) => x.labels.route)) assert.ok(routes.has(s.labels.route), `route label ${s.labels.route}`);
  assert.ok(total(again, 'cdt_http_requests_total', { route: '/api/v1/teams/{id}', status: '200' }) >= 1);
  assert.ok(total(again, 'cdt_http_requests_total', { route: 'none', status: '404' }) >= 1);
  assert.ok(total(again, 'cdt_http_request_duration_seconds_count', { route: '/api/v1/teams/{id}' }) >= 1);
  // Both pools, since a replica is configured; every borrow observed.
  assert.ok(total(again, 'cdt_db_pool_wait_seconds_count', { pool: 'primary' }) >= 1);
  assert.ok(again.some((s) => s.name === 'cdt_db_pool_wait_seconds_count' && s.labels.pool === 'read'));
  assert.ok(again.some((s) => s.name === 'cdt_http_connections'));
});

test('no GET writes: every GET route of the table, with a recurring deadline due to roll', async () => {
  // A monthly series whose first period has no next one yet: the next read on main made it.
  const title = `Báo cáo ${RUN}`;
  const [[deadline]] = sql(`INSERT INTO deadlines (title, kind, due_on, issued_by_unit, target_level, scope_unit,
                                                   recurrence, series_anchor, series_period)
                            VALUES ('${title}', 'report', current_date + 20, '79', 'commune', '${COMMUNE}',
                                    'monthly', current_date + 20, 0) RETURNING id`);
  sql(`SELECT deadline_materialize('${deadline}')`);
  const commune = await login(nginx.url, 'demo.commune');
  const client = await request(nginx.url, 'POST', '/api/v1/clients', { token, body: { name: `topo ${RUN}`, role: 'province', unit_code: '79', read_only: true } });
  assert.equal(client.status, 201, client.text);
  const one = (q) => sql(q)[0][0];
  const ids = {
    teams: one(`SELECT id FROM teams WHERE unit_code = '${COMMUNE}' LIMIT 1`),
    members: one(`SELECT m.id FROM members m JOIN teams t ON t.id = m.team_id WHERE t.unit_code = '${COMMUNE}' LIMIT 1`),
    activities: one(`SELECT a.id FROM activities a JOIN teams t ON t.id = a.team_id WHERE t.unit_code = '${COMMUNE}' LIMIT 1`),
    enterprises: one("SELECT id FROM enterprises WHERE unit_code LIKE '2%' LIMIT 1"),
    users: one("SELECT id FROM users WHERE username = 'demo.commune'"),
    clients: client.json.id,
    deadlines: deadline,
    units: COMMUNE,
    import: 'teams', // the columns of an import (its {resource})
  };
  const gets = routeTable().filter(([method]) => method === 'GET').map(([, pattern]) => pattern);
  const paths = [];
  for (const pattern of gets) {
    const resource = pattern.split('/')[3];
    const path = pattern.replace(/\{[a-z_]+\}/g, () => ids[resource]);
    assert.ok(!/[{}]/.test(path) && !path.includes('undefined'), `no id for ${pattern}: add one to the sweep`);
    paths.push(path);
    if (!/\{/.test(pattern) && !/stats|openapi|auth|changes|rules/.test(pattern)) paths.push(`${path}?format=csv`);
  }
  paths.push('/api/v1/deadlines?mine=true', `/api/v1/stats/overview?unit=${COMMUNE}`,
    '/api/v1/stats/timeseries?unit=79&interval=week&metric=people_reached');

  await replicaCaughtUp();
  resetStatements();
  const statuses = {};
  for (const path of paths) {
    for (const as of [token, commune]) {
      const res = await request(nginx.url, 'GET', path, { token: as, timeoutMs: 30_000 });
      assert.ok(res.status < 500, `GET ${path}: ${res.status} ${res.text ?? res.error}`);
      statuses[res.status] = (statuses[res.status] || 0) + 1;
    }
  }
  console.log(`${paths.length} GET paths (${gets.length} routes) as two accounts through nginx: ${JSON.stringify(statuses)}`);
  assert.ok(statuses[200] >= paths.length, 'most reads answered 200');
  assert.deepEqual(writingStatements(), [], 'statements that write, run on the primary by the GETs');
  assert.deepEqual(writingStatements(replicaSql), [], 'statements that write, run on the replica');
  assert.equal(one(`SELECT count(*) FROM deadlines WHERE previous_id = '${deadline}'`), '0', 'no read made the next period');

  // The roller makes it: an instance with DEADLINE_ROLL_SECONDS rolls at start.
  const roller = await startServer({ ...ENV, DEADLINE_ROLL_SECONDS: '1' });
  try {
    for (let i = 0; one(`SELECT count(*) FROM deadlines WHERE previous_id = '${deadline}'`) !== '1'; i++) {
      assert.ok(i < 100, 'the roller made the next period within 10 s');
      await sleep(100);
    }
    const res = await request(roller.url, 'GET', '/metrics');
    assert.ok(total(parsePrometheus(res.text), 'cdt_deadline_periods_rolled_total') >= 1);
  } finally {
    await roller.stop();
  }
  const next = one(`SELECT count(*) FROM deadline_targets t JOIN deadlines d ON d.id = t.deadline_id
                     WHERE d.previous_id = '${deadline}'`);
  assert.equal(next, '1', 'the next period has the same target');
});

test('the figures are read from the replica, everything else from the primary', async () => {
  const team = sql(`SELECT id FROM teams WHERE unit_code = '${COMMUNE}' AND status = 'active' LIMIT 1`)[0][0];
  const overview = `/api/v1/stats/overview?unit=${COMMUNE}&from=${YEAR.from}&to=${YEAR.to}`;
  await replicaCaughtUp();
  const before = (await get(overview)).totals.people_reached;
  resetStatements();
  replicaSql('SELECT pg_wal_replay_pause()');
  let id;
  try {
    const made = await request(nginx.url, 'POST', '/api/v1/activities', {
      token, body: { team_id: team, held_on: '2026-06-15', kind: 'vneid', title: `Topo ${RUN}`, people_reached: 777 },
    });
    assert.equal(made.status, 201, made.text);
    id = made.json.id;
    // The primary has it at once; the replica, its replay paused, still shows the figure before.
    for (let i = 0; i < 4; i++) {
      await get(`/api/v1/activities/${id}`);
      assert.equal((await get(overview)).totals.people_reached, before, 'a figure from the paused replica');
    }
  } finally {
    replicaSql('SELECT pg_wal_replay_resume()');
  }
  for (let i = 0; (await get(overview)).totals.people_reached !== before + 777; i++) {
    assert.ok(i < 100, 'the figure catches up once the replica replays again');
    await sleep(100);
  }
  assert.ok(callsOf('stats_overview', replicaSql) >= 5, 'the replica computed the figures');
  assert.equal(callsOf('stats_overview'), 0, 'the primary computed none');
  assert.ok(callsOf('activity_doc|FROM activities') >= 4, 'the activity was read on the primary');
  assert.deepEqual(writingStatements(replicaSql), [], 'nothing was written on the replica');
});

test('the replica down: the figures come from the primary and /readyz stays 200; back, from it again', async () => {
  const overview = `/api/v1/stats/overview?unit=${COMMUNE}&from=${YEAR.from}&to=${YEAR.to}`;
  const fallbacks = async () => total(await metricsOf('api1'), 'cdt_db_read_fallbacks_total') +
    total(await metricsOf('api2'), 'cdt_db_read_fallbacks_total');
  const before = await fallbacks();
  await replica('stop');
  try {
    resetStatementsOnPrimary();
    for (let i = 0; i < 4; i++) await get(overview);
    assert.ok(callsOf('stats_overview') >= 4, 'the primary computed the figures');
    assert.ok(await fallbacks() > before, 'cdt_db_read_fallbacks_total counts it');
    const ready = await request(nginx.url, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
  } finally {
    await replica('start');
  }
  await replicaCaughtUp();
  await sleep(5500); // the instances try the replica again 5 s after it failed (db/pool.c)
  resetStatements();
  for (let i = 0; i < 4; i++) await get(overview);
  assert.ok(callsOf('stats_overview', replicaSql) >= 4, 'the replica computes them again');
  assert.equal(callsOf('stats_overview'), 0);
});

function resetStatementsOnPrimary() {
  sql('SELECT pg_stat_statements_reset()');
}

test('an import of 200,000 members through nginx', async (t) => {
  const communes = sql("SELECT code FROM units WHERE parent_code = '79' AND level = 'commune' AND valid_to IS NULL ORDER BY code")
    .map(([c]) => c);
  const TEAMS = 10_000, MEMBERS = 200_000;
  // Statements inside functions are not worth recording here (they would slow the import).
  sql("ALTER SYSTEM SET pg_stat_statements.track = 'top'; SELECT pg_reload_conf()");
  t.after(() => sql("ALTER SYSTEM RESET pg_stat_statements.track; SELECT pg_reload_conf()"));
  const teamRows = ['external_id,name,kind,unit_code,status'];
  for (let i = 0; i < TEAMS; i++) teamRows.push(`topo-${RUN}-t${i},Tổ ${RUN} số ${i},commune,${communes[i % communes.length]},active`);
  let started = Date.now();
  const teams = await request(nginx.url, 'POST', '/api/v1/import/teams', {
    token, raw: teamRows.join('\n') + '\n', headers: { 'Content-Type': 'text/csv' }, timeoutMs: 300_000,
  });
  assert.equal(teams.status, 200, teams.text?.slice(0, 2000) ?? teams.error);
  assert.equal(teams.json.inserted, TEAMS);
  console.log(`teams: ${TEAMS} rows in ${Date.now() - started} ms`);

  const names = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Hoàng Cường', 'Phạm Thị Dung', 'Võ Minh Đức'];
  const memberRows = ['external_id,team_external_id,full_name,gender,birth_year,phone,position,affiliation,it_skilled'];
  for (let i = 0; i < MEMBERS; i++) {
    memberRows.push(`topo-${RUN}-m${i},topo-${RUN}-t${i % TEAMS},${names[i % names.length]},${i % 2 ? 'female' : 'male'},` +
      `${1960 + (i % 45)},09${String(10_000_000 + i).slice(-8)},${i % TEAMS === i ? 'leader' : 'member'},volunteer,${i % 3 === 0}`);
  }
  const body = memberRows.join('\n') + '\n';
  started = Date.now();
  const members = await request(nginx.url, 'POST', '/api/v1/import/members', {
    token, raw: body, headers: { 'Content-Type': 'text/csv' }, timeoutMs: 600_000,
  });
  const ms = Date.now() - started;
  assert.equal(members.status, 200, members.text?.slice(0, 2000) ?? members.error);
  assert.equal(members.json.inserted, MEMBERS);
  assert.equal(members.json.error_count, 0);
  console.log(`members: ${MEMBERS} rows, ${(Buffer.byteLength(body) / 1048576).toFixed(1)} MiB through nginx in ${ms} ms ` +
    `(${Math.round(MEMBERS / (ms / 1000))} rows/s)`);
  assert.equal(sql(`SELECT count(*) FROM members WHERE external_id LIKE 'topo-${RUN}-m%'`)[0][0], String(MEMBERS));
  const inserted = total(await metricsOf('api1'), 'cdt_import_rows_total', { resource: 'members', outcome: 'inserted' }) +
    total(await metricsOf('api2'), 'cdt_import_rows_total', { resource: 'members', outcome: 'inserted' });
  assert.equal(inserted, MEMBERS, 'cdt_import_rows_total counts the rows');
});

test('one instance killed with SIGKILL under load: only the POSTs in flight on it fail', async () => {
  const team = sql(`SELECT id FROM teams WHERE unit_code = '${COMMUNE}' AND status = 'active' LIMIT 1`)[0][0];
  const member = sql(`SELECT m.id FROM members m JOIN teams t ON t.id = m.team_id WHERE t.unit_code = '${COMMUNE}' LIMIT 1`)[0][0];
  const title = `Tải ${RUN}`;
  const ops = [
    () => request(nginx.url, 'GET', '/api/v1/teams?limit=5', { token }),
    () => request(nginx.url, 'POST', '/api/v1/activities', {
      token, body: { team_id: team, held_on: '2026-06-16', kind: 'other', title, people_reached: 1 },
    }),
    () => request(nginx.url, 'GET', `/api/v1/members/${member}`, { token }),
    () => request(nginx.url, 'GET', `/api/v1/stats/overview?unit=${COMMUNE}`, { token }),
  ];
  const results = [];
  let stop = false;
  let killedAt = Infinity;
  const worker = async (w) => {
    for (let i = w; !stop; i++) {
      const op = i % ops.length;
      const res = await ops[op]();
      results.push({ ...res, method: op === 1 ? 'POST' : 'GET', end: Date.now() });
    }
  };
  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  await sleep(1500);
  killedAt = Date.now();
  A.signal('SIGKILL');
  await A.exited;
  // The kill takes effect between the signal and the exit seen here: a request sent in between
  // may still reach the dying instance.
  const deadAt = Date.now();
  await sleep(3000);
  stop = true;
  await Promise.all(workers);

  const failed = results.filter((r) => !(r.status >= 200 && r.status < 300));
  const inFlight = results.filter((r) => r.at <= killedAt && r.end >= killedAt);
  const after = results.filter((r) => r.at > killedAt);
  console.log(`${results.length} requests (${after.length} after the kill), ${inFlight.length} in flight at the kill ` +
    `(${inFlight.filter((r) => r.method === 'POST').length} POSTs); answers ${JSON.stringify(tally(results))}; ` +
    `failed: ${JSON.stringify(failed.map((r) => `${r.method} ${r.status ?? r.error}`))}`);
  assert.ok(after.length > 100, 'the load went on after the kill');
  for (const r of failed) {
    assert.equal(r.method, 'POST', `a ${r.method} failed (${r.status ?? r.error}): nginx sends it to the other instance`);
    assert.ok(r.at <= deadAt && r.end >= killedAt,
      `a POST that failed (${r.status ?? r.error}) was in flight at the kill (sent ${r.at - killedAt} ms after the ` +
      `signal, the instance gone ${deadAt - killedAt} ms after it)`);
  }
  // What a failed POST did is unknown to its client: it was written, or not, once.
  const written = Number(sql(`SELECT count(*) FROM activities WHERE title = '${title}'`)[0][0]);
  const created = results.filter((r) => r.method === 'POST' && r.status === 201).length;
  assert.ok(written >= created && written <= created + failed.length, `${written} written for ${created} answered 201`);
  console.log(`POST /activities: ${created} answered 201, ${written} written`);
  assert.match(nginx.errorLog(), /upstream|connect\(\) failed|Connection refused/, 'nginx saw the instance go');
});
