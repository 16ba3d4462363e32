// SIGTERM under load (issue 6, item 6): in-flight requests finish, new ones are refused, exit 0.
//
// Writes are held in flight deterministically: a psql session locks the teams table (EXCLUSIVE:
// reads go on, writes wait) while several creates are sent, and reads keep arriving. SIGTERM goes
// to the server while the creates wait. Then: every request sent after SIGTERM is refused at
// once, with 503 (problem+json) while the held creates drain, and with a refused connection once
// the process is gone; when the lock is released every create that was in flight completes with
// 201, its answer delivered and its row there; nothing answers 500; the process exits with status
// 0 (and, on a sanitizer build, without a report). See http/edge.h for why the server drains
// before it lets civetweb stop.

import { test } from 'node:test';
import { assert, COMMUNE, login, request, RUN, sleep, sql, sqlInBackground, startServer, tally } from './lib.mjs';

const HELD = 4; // creates in flight when SIGTERM arrives
const LOCK_SECONDS = 4;

test('SIGTERM under load: in-flight requests finish, new ones are refused, exit status 0', async (t) => {
  const srv = await startServer({ DB_POOL_SIZE: '8', HTTP_THREADS: '16' });
  const token = await login(srv.url);

  const lock = sqlInBackground(`BEGIN; LOCK TABLE teams IN EXCLUSIVE MODE; SELECT pg_sleep(${LOCK_SECONDS}); COMMIT;`);
  const locked = () => sql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'teams' AND l.mode = 'ExclusiveLock' AND l.granted")[0][0] !== '0';
  for (let i = 0; i < 100 && !locked(); i++) await sleep(50);
  assert.ok(locked(), 'the psql session holds the lock');

  const names = Array.from({ length: HELD }, (_, i) => `Tổ dừng máy ${RUN} ${i}`);
  const held = names.map((name) => request(srv.url, 'POST', '/api/v1/teams', { token, body: { name, kind: 'commune', unit_code: COMMUNE }, timeoutMs: 30_000 }));
  await sleep(500); // the creates now wait for the lock inside the server

  let reading = true;
  const reads = [];
  const reader = (async () => {
    while (reading) {
      reads.push(await request(srv.url, 'GET', '/api/v1/units?limit=5', { token, timeoutMs: 10_000 }));
      await sleep(20);
    }
  })();
  await sleep(300);
  const termAt = Date.now();
  srv.signal('SIGTERM');

  // While the held creates drain, a new request is refused at once.
  await sleep(200);
  const during = await request(srv.url, 'POST', '/api/v1/teams', { token, body: { name: `Tổ sau SIGTERM ${RUN}`, kind: 'commune', unit_code: COMMUNE }, timeoutMs: 5_000 });
  assert.ok(during.status === 503 || during.error, `a create sent after SIGTERM: ${during.status ?? during.error} ${during.text ?? ''}`);
  assert.ok(during.ms < 1_000, `refused after ${during.ms} ms`);
  if (during.status === 503) assert.equal(during.json?.status, 503, `503 is problem+json: ${during.text}`);

  const done = await Promise.all(held);
  const heldDoneAt = Date.now();
  await lock;
  reading = false;
  await reader;
  for (const [i, r] of done.entries()) {
    assert.equal(r.status, 201, `in-flight create ${i}, answered after SIGTERM: ${r.status ?? r.error} ${r.text ?? ''}`);
    assert.equal(r.json?.name, names[i], 'its body arrived whole');
  }
  assert.ok(heldDoneAt - termAt > 1_000, 'the creates were still in flight well after SIGTERM');

  const exit = await srv.exited;
  const gone = await request(srv.url, 'GET', '/healthz', { timeoutMs: 2_000 });
  assert.equal(gone.error, 'ECONNREFUSED', `after the process ended: ${gone.status ?? gone.error}`);
  await srv.stop(); // exit status 0, no sanitizer report
  assert.deepEqual(exit, { code: 0, signal: null });

  const rows = sql(`SELECT count(*) FROM teams WHERE name LIKE 'Tổ dừng máy ${RUN} %'`)[0][0];
  assert.equal(rows, String(HELD), 'every create answered 201 is in the database');
  assert.equal(sql(`SELECT count(*) FROM teams WHERE name = 'Tổ sau SIGTERM ${RUN}'`)[0][0], '0', 'the refused create wrote nothing');
  const afterTerm = reads.filter((r) => r.at > termAt + 50);
  assert.ok(reads.every((r) => r.error || r.status === 200 || r.status === 503), `reads around SIGTERM: ${JSON.stringify(tally(reads))}`);
  assert.ok(afterTerm.every((r) => r.error || r.status === 503), `reads sent after SIGTERM are refused: ${JSON.stringify(tally(afterTerm))}`);

  const summary = `sigterm fault: ${HELD} creates in flight at SIGTERM answered 201 ${heldDoneAt - termAt} ms after it; requests sent after SIGTERM ${JSON.stringify(tally([during, ...afterTerm]))}; connection refused once stopped; exit 0`;
  t.diagnostic(summary);
  console.log(summary);
});
