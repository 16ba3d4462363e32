// CSV exports that nobody reads do not take the database pool (issue 11, item 2).
//
// An export used to send its rows while reading them from PostgreSQL, so a client that stopped
// reading held a pooled connection for as long as it liked: four of them held the whole pool
// (DB_POOL_SIZE 4) and every account got 503. Now (api/resource.c, export_rows) the rows go to a
// spool (256 KiB in memory, the rest in an unlinked temporary file) and the connection returns to
// the pool before the first byte is sent; a write that makes no progress for REQUEST_TIMEOUT_MS
// ends the answer and the connection.
//
// Four clients ask for a 60,000-row export (~30 MB, more than the kernel's socket buffers hold)
// and never read. Once the exports' queries are done, three other accounts list, read and sign
// in for 6 s without a 503; each stalled export holds one temporary file and no pool connection;
// within twice REQUEST_TIMEOUT_MS of their stall the server gives up on the four (one civetweb
// write may have moved a little before the one that times out), holds no worker and no file for
// them, and logs each as cut short. A client that reads gets every row. Then statement_timeout:
// with STATEMENT_TIMEOUT_MS=500, a list waiting on a lock is answered 503 after it, and the
// pool's connection serves the next request.

import { readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { assert, COMMUNE, login, memoryKiB, metric, request, RUN, sleep, sql, sqlInBackground, startServer, tally } from './lib.mjs';

const ROWS = 60_000;

/** Temporary files the server holds open (unlinked: "(deleted)"). */
function spoolFiles(pid) {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try { return /cdt-spool-.* \(deleted\)$/.test(readlinkSync(`/proc/${pid}/fd/${fd}`)); } catch { return false; }
  }).length;
}

/** Asks for the export and never reads a byte of the answer. */
function stalled(port, token, path) {
  return new Promise((resolveOpen) => {
    const s = connect(port, '127.0.0.1', () => {
      s.pause(); // nothing is read: the kernel's buffers fill, then the server's writes stall
      s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      resolveOpen(s);
    });
    s.on('error', () => {});
  });
}

test('four stalled CSV exports hold no pool connection; others are served; the server lets them go', async (t) => {
  const team = sql(`INSERT INTO teams (external_id, name, kind, unit_code, hamlet)
    VALUES ('stall-${RUN}', 'Tổ xuất chậm ${RUN}', 'hamlet', '${COMMUNE}', 'Khu phố ${RUN}') RETURNING id`)[0][0];
  sql(`INSERT INTO members (external_id, team_id, full_name, gender, birth_year, phone, position, affiliation, joined_on)
    SELECT 'stall-${RUN}-' || i, '${team}', 'Nguyễn Thị Xuất ' || repeat('Đặng Ngọc Ánh ', 12) || i, 'female',
           1980 + i % 30, '0912' || lpad(i::text, 6, '0'), 'member', 'volunteer', '2024-01-01'
      FROM generate_series(1, ${ROWS}) i`);
  const srv = await startServer({ DB_POOL_SIZE: '4' });
  t.after(() => srv.alive() && srv.signal('SIGKILL'));
  const path = `/api/v1/members?team=${team}&format=csv`;
  const province = await login(srv.url);
  const others = { commune: await login(srv.url, 'demo.commune'), district: await login(srv.url, 'demo.district') };
  const rssBefore = memoryKiB(srv.pid);

  const started = Date.now();
  const stalls = await Promise.all([1, 2, 3, 4].map(() => stalled(srv.port, province, path)));
  // The four exports' queries take the pool for a moment (seconds each under the sanitizers on a
  // busy machine): wait until they have their rows and are stuck writing. Before the fix the
  // queries stayed active for as long as their clients read nothing.
  const running = () => Number(sql(`SELECT count(*) FROM pg_stat_activity
    WHERE state = 'active' AND query LIKE 'WITH f AS (SELECT m.id%'`)[0][0]);
  for (let i = 0; i < 60 && !(spoolFiles(srv.pid) === 4 && running() === 0); i++) await sleep(500);
  const files = spoolFiles(srv.pid);
  const rssStalled = memoryKiB(srv.pid);

  // Other accounts, for 6 s: lists, single reads and sign-ins, each on a fresh connection.
  const seen = [];
  const probing = Date.now();
  while (Date.now() - probing < 6000) {
    seen.push(await request(srv.url, 'GET', '/api/v1/teams?limit=10', { token: others.commune, timeoutMs: 10_000 }));
    seen.push(await request(srv.url, 'GET', `/api/v1/units/${COMMUNE}`, { token: others.district, timeoutMs: 10_000 }));
    seen.push(await request(srv.url, 'POST', '/api/v1/auth/login', { body: { username: 'demo.enterprise', password: 'demo12345' }, timeoutMs: 10_000 }));
  }
  const statuses = tally(seen);
  assert.deepEqual(Object.keys(statuses), ['200'], `other accounts' answers while four exports stall: ${JSON.stringify(statuses)}`);
  const slowest = Math.max(...seen.map((r) => r.ms));
  assert.ok(slowest < 2000, `the slowest answer took ${slowest} ms`);
  assert.equal(files, 4, 'each stalled export is spooled to a temporary file of its own');

  // A write that makes no progress for REQUEST_TIMEOUT_MS (10 s) fails, and the server gives up:
  // it closes its side (the client, reading nothing, cannot even see the FIN queued behind the
  // data), and neither a worker nor a temporary file is held any more.
  let closedMs;
  while (Date.now() - probing < 40_000) {
    if (spoolFiles(srv.pid) === 0 && await metric(srv.url, 'cdt_http_connections') <= 1) {
      closedMs = Date.now() - started;
      break;
    }
    await sleep(500);
  }
  assert.ok(closedMs, `the server still held the stalled exports 40 s on: ${spoolFiles(srv.pid)} files`);
  closedMs -= probing - started; // from the stall, not from the request (the queries took the rest)
  assert.ok(closedMs < 2 * 10_000 + 8000, `the server let the stalled exports go ${closedMs} ms after they stalled`);
  assert.equal((srv.log().match(/export cut short/g) ?? []).length, 4, 'each stalled export is logged as cut short');
  for (const s of stalls) s.destroy();

  // A client that reads gets every row (the spool's file, read back in order).
  const whole = await request(srv.url, 'GET', path, { token: province, timeoutMs: 60_000 });
  assert.equal(whole.status, 200, whole.error);
  const lines = whole.text.split('\r\n').filter((l) => l.length > 0);
  assert.equal(lines.length, ROWS + 1, 'the header and every row');
  assert.ok(lines[ROWS].includes(`stall-${RUN}-`), 'the last row is whole');

  await srv.stop();
  const summary = `export stall: 4 clients stalled on a ${ROWS}-row CSV (${(Buffer.byteLength(whole.text) / 1e6).toFixed(1)} MB); ` +
    `other accounts ${JSON.stringify(statuses)}, slowest ${slowest} ms; 4 temporary files, RSS ${rssBefore} -> ${rssStalled} KiB; ` +
    `the server let the stalled connections go ${closedMs} ms after they stalled (queries: ${probing - started} ms)`;
  t.diagnostic(summary);
  console.log(summary);
});

test('a statement past STATEMENT_TIMEOUT_MS is cancelled: 503, and the connection serves on', async (t) => {
  const srv = await startServer({ DB_POOL_SIZE: '1', STATEMENT_TIMEOUT_MS: '500', BULK_STATEMENT_TIMEOUT_MS: '1000' });
  t.after(() => srv.alive() && srv.signal('SIGKILL'));
  const token = await login(srv.url, 'demo.commune');
  const held = sqlInBackground('BEGIN; LOCK TABLE teams IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;');
  await sleep(500);
  const list = await request(srv.url, 'GET', '/api/v1/teams', { token });
  assert.equal(list.status, 503, `a list waiting on the lock: ${list.status ?? list.error} after ${list.ms} ms`);
  assert.match(list.json.detail, /took longer than the database allows/);
  assert.ok(list.ms >= 450 && list.ms < 3000, `cancelled after ${list.ms} ms`);
  const exported = await request(srv.url, 'GET', '/api/v1/teams?format=csv', { token });
  assert.equal(exported.status, 503, 'an export too, after BULK_STATEMENT_TIMEOUT_MS');
  assert.ok(exported.ms >= 950 && exported.ms < 3500, `cancelled after ${exported.ms} ms`);
  await held;
  // (A light request: the team of the test above, with its 60,000 members, makes team documents
  // slow enough to reach half a second under the sanitizers on a busy machine.)
  const again = await request(srv.url, 'GET', `/api/v1/units/${COMMUNE}`, { token });
  assert.equal(again.status, 200, 'the one pooled connection serves the next request');
  await srv.stop();
  t.diagnostic(`statement timeout: a list waiting on a lock answered 503 after ${list.ms} ms, an export after ${exported.ms} ms`);
});
