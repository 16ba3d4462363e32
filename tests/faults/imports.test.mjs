// Imports do not lock the country (issue 11, item 8).
//
// Every import of a resource took one lock for the whole country, for the whole import, and
// waited for it holding a pooled connection: one commune's long import (or dry run) made every
// other commune's wait, and the waiting imports held the pool, so other requests got 503. Now
// (api/import.c, scope_locks_or_fail) the locks follow the unit tree: an import excludes only
// imports whose scopes overlap its own, dry runs take none, and a lock is only ever tried, the
// connection going back to the pool between tries; after IMPORT_LOCK_WAIT_MS, 409 with
// Retry-After. And a JSON array is read one element at a time instead of as one cJSON tree.
//
// 1. With DB_POOL_SIZE=2, while commune 25747 imports 40,000 teams: commune 25942 (another
//    district) imports and is answered before it ends; a dry run of 25747 too; district 718
//    (which contains 25747) waits and is answered after it, 200; and all the while other accounts'
//    requests are answered 200, never 503.
// 2. With IMPORT_LOCK_WAIT_MS=1000, while another session holds commune 25747's teams lock: its
//    import answers 409 with Retry-After after about a second, 25942's is served; once the lock
//    goes, 25747's import is served.
// 3. A JSON body of 4,000,000 elements (8 MB, `[0,0,...]`, 41 times its size as one cJSON tree)
//    raises the server's peak memory by less than three times its size (the body's own buffer),
//    and every element is counted.

import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { assert, COMMUNE, login, memoryKiB, request, RUN, sleep, sql, sqlInBackground, startServer, tally } from './lib.mjs';

const DIAN = '25942'; // Phường Dĩ An, in district 724, outside 718
const BIG = 40_000;

function teamsCsv(tag, unit, n) {
  const lines = ['external_id,name,kind,unit_code'];
  for (let i = 0; i < n; i++) lines.push(`imp-${RUN}-${tag}-${i},Tổ nhập ${tag} ${i},commune,${unit}`);
  return lines.join('\n') + '\n';
}

function importTeams(srv, token, body, query = '', timeoutMs = 120_000) {
  return request(srv.url, 'POST', `/api/v1/import/teams${query}`, { token, raw: body, headers: { 'Content-Type': 'text/csv' }, timeoutMs });
}

const done = (res) => res.at + res.ms;
const count = (tag) => Number(sql(`SELECT count(*) FROM teams WHERE external_id LIKE 'imp-${RUN}-${tag}-%'`)[0][0]);
const advisoryLocks = () => Number(sql('SELECT count(*) FROM pg_locks WHERE locktype = \'advisory\' AND classid = 727276 AND granted')[0][0]);

test('imports of other scopes run beside a long one; an overlapping one waits without a pool connection', async (t) => {
  const srv = await startServer({ DB_POOL_SIZE: '2', IMPORT_LOCK_WAIT_MS: '120000' });
  t.after(() => srv.alive() && srv.signal('SIGKILL'));
  const tokens = {};
  for (const who of ['demo.commune', 'demo.commune.dian', 'demo.district', 'demo.province']) tokens[who] = await login(srv.url, who);

  const long = importTeams(srv, tokens['demo.commune'], teamsCsv('long', COMMUNE, BIG));
  for (let i = 0; i < 600 && advisoryLocks() === 0; i++) await sleep(50); // it has read its file and holds its locks
  assert.ok(advisoryLocks() > 0, 'the long import took its locks');

  const beside = importTeams(srv, tokens['demo.commune.dian'], teamsCsv('beside', DIAN, 5));
  const dry = importTeams(srv, tokens['demo.commune'], teamsCsv('dry', COMMUNE, 5), '?dry_run=true');
  const above = importTeams(srv, tokens['demo.district'], teamsCsv('above', COMMUNE, 5));
  const others = [];
  let longDone = null;
  long.then((r) => { longDone = r; });
  while (!longDone) {
    others.push(await request(srv.url, 'GET', '/api/v1/teams?limit=5', { token: tokens['demo.commune.dian'], timeoutMs: 10_000 }));
    others.push(await request(srv.url, 'GET', '/api/v1/units/74', { token: tokens['demo.province'], timeoutMs: 10_000 }));
    await sleep(100);
  }
  const [b, d, a] = await Promise.all([beside, dry, above]);
  const l = longDone;
  assert.equal(l.status, 200, `the long import: ${l.status ?? l.error} ${l.text?.slice(0, 300)}`);
  assert.equal(b.status, 200, `25942 beside it: ${b.status ?? b.error} ${b.text?.slice(0, 300)}`);
  assert.equal(d.status, 200, `a dry run of 25747 beside it: ${d.status ?? d.error} ${d.text?.slice(0, 300)}`);
  assert.equal(a.status, 200, `district 718 after it: ${a.status ?? a.error} ${a.text?.slice(0, 300)}`);
  assert.ok(done(b) < done(l), `25942 answered ${done(l) - done(b)} ms before the long import ended`);
  assert.ok(done(d) < done(l), 'the dry run answered before the long import ended');
  assert.ok(done(a) >= done(l), 'the overlapping import waited for the long one');
  const statuses = tally(others);
  assert.deepEqual(Object.keys(statuses), ['200'], `other requests meanwhile: ${JSON.stringify(statuses)}`);
  assert.equal(count('long'), BIG);
  assert.equal(count('beside'), 5);
  assert.equal(count('above'), 5);
  assert.equal(count('dry'), 0, 'the dry run wrote nothing');
  await srv.stop();

  const summary = `imports: a ${BIG}-row teams import of ${COMMUNE} took ${l.ms} ms; beside it ${DIAN}'s import answered ` +
    `200 in ${b.ms} ms and a dry run of ${COMMUNE} in ${d.ms} ms; district 718's waited and answered 200 ` +
    `${done(a) - done(l)} ms after it; ${others.length} other requests meanwhile ${JSON.stringify(statuses)} with a pool of 2`;
  t.diagnostic(summary);
  console.log(summary);
});

test('an import that cannot get its scope within IMPORT_LOCK_WAIT_MS answers 409 with Retry-After', async (t) => {
  const srv = await startServer({ IMPORT_LOCK_WAIT_MS: '1000' });
  t.after(() => srv.alive() && srv.signal('SIGKILL'));
  const commune = await login(srv.url, 'demo.commune');
  const dian = await login(srv.url, 'demo.commune.dian');
  // Another session holds what an import of 25747's teams takes exclusively (SQL_SCOPE_LOCKS).
  const held = sqlInBackground(`SELECT pg_advisory_lock(727276, hashtext('teams ${COMMUNE}')), pg_sleep(3)`);
  for (let i = 0; i < 100 && advisoryLocks() === 0; i++) await sleep(50);
  const refused = await importTeams(srv, commune, teamsCsv('held', COMMUNE, 3));
  assert.equal(refused.status, 409, `${refused.status ?? refused.error} ${refused.text}`);
  assert.match(refused.json.detail, /Another import of teams/);
  assert.ok(refused.ms >= 900 && refused.ms < 4000, `refused after ${refused.ms} ms`);
  const retry = await fetch(`${srv.url}/api/v1/import/teams`, {
    method: 'POST', headers: { Authorization: `Bearer ${commune}`, 'Content-Type': 'text/csv' }, body: teamsCsv('held', COMMUNE, 3),
  });
  assert.equal(retry.status, 409);
  assert.equal(retry.headers.get('retry-after'), '5');
  await retry.text();
  const other = await importTeams(srv, dian, teamsCsv('free', DIAN, 3));
  assert.equal(other.status, 200, `another scope meanwhile: ${other.status ?? other.error} ${other.text}`);
  await held;
  const after = await importTeams(srv, commune, teamsCsv('held', COMMUNE, 3));
  assert.equal(after.status, 200, `once the lock went: ${after.status ?? after.error} ${after.text}`);
  assert.equal(count('held'), 3);
  await srv.stop();
  t.diagnostic(`import lock wait: 409 with Retry-After: 5 after ${refused.ms} ms; another scope served meanwhile`);
});

test('a JSON import is read one element at a time: peak memory stays near the body size', async (t) => {
  // The sanitizer's quarantine keeps freed blocks resident; a small one shows the live memory.
  const asan = `${process.env.ASAN_OPTIONS ?? ''}:quarantine_size_mb=4:thread_local_quarantine_size_kb=64`;
  const srv = await startServer({ ASAN_OPTIONS: asan });
  t.after(() => srv.alive() && srv.signal('SIGKILL'));
  const token = await login(srv.url, 'demo.commune');
  const n = 4_000_000;
  const body = '[' + Array(n).fill('0').join(',') + ']';
  writeFileSync(`/proc/${srv.pid}/clear_refs`, '5'); // VmHWM from now on
  const before = memoryKiB(srv.pid, 'VmHWM');
  const res = await request(srv.url, 'POST', '/api/v1/import/members?dry_run=true', { token, raw: body, timeoutMs: 300_000 });
  const peak = memoryKiB(srv.pid, 'VmHWM');
  assert.equal(res.status, 422, `${res.status ?? res.error} ${res.text?.slice(0, 300)}`);
  assert.match(res.json.detail, new RegExp(`^${n} error`));
  assert.equal(res.json.errors.length, 1000, 'the first 1000 listed');
  // The body itself, read into a buffer that doubles as it fills (old and new copies live together
  // for a moment): up to twice its size, and a little more under the sanitizer. As one cJSON tree
  // the same body took 313 MiB (41 times its size).
  const growth = (peak - before) * 1024;
  assert.ok(growth < 3 * body.length, `peak memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB for a ${(body.length / 2 ** 20).toFixed(1)} MiB body`);
  await srv.stop();
  const summary = `import memory: a ${(body.length / 2 ** 20).toFixed(1)} MiB JSON array of ${n} elements raised peak RSS by ` +
    `${(growth / 2 ** 20).toFixed(1)} MiB in ${res.ms} ms`;
  t.diagnostic(summary);
  console.log(summary);
});
