// PostgreSQL restarted, or hung (issue 11 item 9).
//
// After a restart, every request that follows succeeds. Before, each pooled connection failed
// the first request that used it afterwards (503): the restart had closed it, but libpq calls a
// connection CONNECTION_OK until it next uses it. The pool now looks before it lends one.
//
// While every process of the cluster is stopped (SIGSTOP: a database that accepts connections
// and never answers, as a hung host or a lost network does), /readyz answers 503 within 2 s, so
// a load balancer takes the instance out; before, it waited as long as the database did.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assert, COMMUNE, login, pg, request, RUN, sleep, sql, startServer, tally } from './lib.mjs';

const POOL = 4;

test('after a restart (clean, then a crash), every following request succeeds', async (t) => {
  const srv = await startServer({ DB_POOL_SIZE: String(POOL), HTTP_THREADS: '16' });
  const token = await login(srv.url);
  const summary = [];
  for (const mode of ['fast', 'immediate']) {
    // Open every connection of the pool: more parallel requests than it has connections.
    await Promise.all(Array.from({ length: 3 * POOL }, () => request(srv.url, 'GET', '/api/v1/teams?limit=1', { token })));
    const open = Number(sql(`SELECT count(*) FROM pg_stat_activity
                              WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`)[0][0]);
    await pg('stop', mode);
    await pg('start');
    // Right after: reads and writes from as many clients as the pool has connections.
    const results = [];
    await Promise.all(Array.from({ length: POOL }, async (_, w) => {
      for (let i = 0; i < 10; i++) {
        const res = i % 2
          ? await request(srv.url, 'POST', '/api/v1/teams', { token, body: { name: `Tổ sau khởi động lại ${RUN} ${mode} ${w}-${i}`, kind: 'commune', unit_code: COMMUNE } })
          : await request(srv.url, 'GET', '/api/v1/teams?limit=1', { token });
        results.push(res);
      }
    }));
    const failed = results.filter((r) => r.status !== 200 && r.status !== 201);
    summary.push(`${mode}: ${open} pooled connections open before, ${results.length} requests after ${JSON.stringify(tally(results))}`);
    assert.deepEqual(failed.map((r) => `${r.status ?? r.error} ${r.text?.slice(0, 200) ?? ''}`), [],
      `after a ${mode} restart every request succeeds: ${JSON.stringify(tally(results))}`);
    assert.ok(open >= 2, `the pool had connections open before the restart (${open})`);
  }
  const line = `database restart: ${summary.join('; ')}`;
  t.diagnostic(line);
  console.log(line);
  await srv.stop();
});

/**
 * Sends sig to pid; false when the process has gone meanwhile (a backend that was exiting when
 * it was listed, reaped once the postmaster continues), which is no failure of the server's.
 */
function signal(pid, sig) {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if (err.code === 'ESRCH') return false;
    throw err;
  }
}

/** The cluster's processes: the postmaster (postmaster.pid) and its children (/proc). */
function clusterPids() {
  const postmaster = Number(readFileSync(join(process.env.FAULT_PGDATA, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) children.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return [postmaster, ...children];
}

test('/readyz answers 503 within 2 s while PostgreSQL hangs, and 200 once it answers again', async (t) => {
  const srv = await startServer({ DB_POOL_SIZE: '2' });
  await login(srv.url); // the pool holds a connection whose server process will hang too
  const before = await request(srv.url, 'GET', '/readyz');
  assert.equal(before.status, 200, `ready before: ${before.status} ${before.text ?? before.error}`);
  const stopped = [];
  const times = [];
  try {
    for (const pid of clusterPids()) {
      if (signal(pid, 'SIGSTOP')) stopped.push(pid);
    }
    for (let i = 0; i < 3; i++) {
      const ready = await request(srv.url, 'GET', '/readyz', { timeoutMs: 10_000 });
      times.push(ready.ms);
      assert.equal(ready.status, 503, `/readyz while PostgreSQL hangs: ${ready.status ?? ready.error} after ${ready.ms} ms`);
      assert.equal(ready.json?.status, 'unavailable');
      assert.ok(ready.ms <= 2500, `/readyz took ${ready.ms} ms`);
    }
    const health = await request(srv.url, 'GET', '/healthz', { timeoutMs: 2000 });
    assert.equal(health.status, 200, 'the process itself is alive');
  } finally {
    for (const pid of stopped) signal(pid, 'SIGCONT');
  }
  let after = null;
  for (const started = Date.now(); Date.now() - started < 10_000; await sleep(100)) {
    after = await request(srv.url, 'GET', '/readyz');
    if (after.status === 200) break;
  }
  assert.equal(after.status, 200, `ready again after SIGCONT: ${after.status ?? after.error}`);
  const line = `readiness while PostgreSQL hangs: /readyz 503 after ${times.join(', ')} ms; 200 again once resumed`;
  t.diagnostic(line);
  console.log(line);
  await srv.stop();
});
