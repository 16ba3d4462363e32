// PostgreSQL stopped and restarted under load (issue 6, item 6).
//
// A bounded load of writes and reads runs against one server while the cluster is stopped and
// started again, twice: a clean stop (-m fast) and a crash (-m immediate, recovered on start).
// It proves: every request gets an answer in time (none hangs); answers are 2xx, or 503 while the
// database is away, never 500 or anything else (sign-in included: never a 401 for a password that
// could not be checked); /readyz says 503 during the outage; the same
// process serves writes again after each restart (no restart of the server); and every create
// answered 201 is in the database afterwards, crash included.

import { test } from 'node:test';
import { assert, COMMUNE, login, pg, request, RUN, sleep, sql, startServer, tally } from './lib.mjs';

const WORKERS = 6;
const OK = new Set([200, 201, 503]);

test('PostgreSQL stopped and restarted under load: 503 meanwhile, recovery, no 2xx write lost', async (t) => {
  const srv = await startServer({ DB_POOL_SIZE: '4', HTTP_THREADS: '16' });
  const token = await login(srv.url);
  const results = [];
  const created = []; // {id, name} of every 201
  let seq = 0;
  let running = true;

  async function worker(w) {
    while (running) {
      const n = ++seq;
      let res;
      if (n % 7 === 0) {
        // Signing in needs the database too: 503, never a "wrong password" 401, while it is away.
        res = await request(srv.url, 'POST', '/api/v1/auth/login', { body: { username: 'demo.commune', password: 'demo12345' } });
      } else if (n % 3 === 0) {
        res = await request(srv.url, 'GET', `/api/v1/teams?q=${RUN}&limit=5`, { token });
      } else {
        const name = `Tổ sự cố ${RUN} ${w}-${n}`;
        res = await request(srv.url, 'POST', '/api/v1/teams', { token, body: { name, kind: 'commune', unit_code: COMMUNE } });
        if (res.status === 201) created.push({ id: res.json.id, name });
      }
      results.push({ ...res, phase: phase.name });
      if (res.status === 503 || res.error) await sleep(20); // as a client that backs off would
    }
  }

  const phase = { name: 'before' };
  const load = Array.from({ length: WORKERS }, (_, w) => worker(w));
  const cycles = [];
  try {
    for (const mode of ['fast', 'immediate']) {
      await sleep(1500);
      phase.name = `${mode}: stopping`;
      await pg('stop', mode);
      phase.name = `${mode}: down`;
      await sleep(1500);
      const ready = await request(srv.url, 'GET', '/readyz');
      assert.equal(ready.status, 503, `/readyz while PostgreSQL is down: ${ready.status} ${ready.text ?? ready.error}`);
      const downAt = results.length;
      await sleep(1500);
      const during = results.slice(downAt);
      phase.name = `${mode}: starting`;
      await pg('start');
      phase.name = `${mode}: up again`;
      const upAt = Date.now();
      // Recovery: a write succeeds again within 10 s, from the same process.
      let recovered = null;
      while (!recovered && Date.now() - upAt < 10_000) {
        const probe = await request(srv.url, 'POST', '/api/v1/teams', { token, body: { name: `Tổ hồi phục ${RUN} ${mode}`, kind: 'commune', unit_code: COMMUNE } });
        if (probe.status === 201) {
          created.push({ id: probe.json.id, name: `Tổ hồi phục ${RUN} ${mode}` });
          recovered = Date.now() - upAt;
        } else {
          await sleep(100);
        }
      }
      assert.ok(recovered !== null, `no successful write within 10 s of PostgreSQL's restart (${mode}); ${JSON.stringify(tally(results.slice(-50)))}`);
      assert.ok(srv.alive(), 'the server process is still the same one');
      cycles.push({ mode, during: tally(during), recovered_ms: recovered });
      assert.ok(during.some((r) => r.status === 503), `no 503 while PostgreSQL was down (${mode}): ${JSON.stringify(tally(during))}`);
      assert.ok(during.every((r) => r.status === 503), `while down (${mode}) every answer is 503: ${JSON.stringify(tally(during))}`);
    }
    await sleep(1000);
  } finally {
    running = false;
    await Promise.all(load);
  }

  const hung = results.filter((r) => r.error);
  assert.deepEqual(hung.map((r) => `${r.phase}: ${r.error} after ${r.ms} ms`), [], 'every request is answered, none hangs or is dropped');
  const bad = results.filter((r) => !OK.has(r.status));
  assert.deepEqual(bad.map((r) => `${r.phase}: ${r.status} ${r.text?.slice(0, 200)}`), [], 'answers are 200, 201 or 503 only');
  const slowest = Math.max(...results.map((r) => r.ms));
  assert.ok(slowest < 10_000, `slowest answer ${slowest} ms`);
  for (const r of results.filter((x) => x.status === 503)) {
    assert.equal(r.json?.status, 503, `503 is problem+json: ${r.text}`);
    assert.ok(!/SQL|pg_|\/work\/|ERROR:/.test(r.text), `503 leaks internals: ${r.text}`);
  }

  // No write answered 201 is lost: every one is in the database, with its name.
  const ids = created.map((c) => `'${c.id}'`).join(',');
  const rows = new Map(sql(`SELECT id, name FROM teams WHERE id IN (${ids})`).map(([id, name]) => [id, name]));
  const lost = created.filter((c) => rows.get(c.id) !== c.name);
  assert.deepEqual(lost, [], `writes answered 201 but missing after the restarts (${lost.length} of ${created.length})`);

  const phases = {};
  for (const r of results) (phases[r.phase] ||= []).push(r);
  t.diagnostic(`by phase: ${Object.entries(phases).map(([p, rs]) => `${p} ${JSON.stringify(tally(rs))}`).join('; ')}`);
  const summary = `database faults: ${results.length} requests over ${cycles.length} outages (${cycles.map((c) => `${c.mode}: ${JSON.stringify(c.during)} while down, writes back after ${c.recovered_ms} ms`).join('; ')}); ${created.length} creates answered 201, all present; statuses ${JSON.stringify(tally(results))}`;
  t.diagnostic(summary);
  console.log(summary);
  await srv.stop();
});
