// An import connection cut mid-way writes nothing (issue 6, item 6).
//
// A CSV of members for a fresh team is sent to POST /api/v1/import/members over a raw socket, and
// the connection is cut after half of it: after a whole line (so the half is itself a valid CSV,
// the case a server that took a short body for a whole one would import), in the middle of a
// line, with the client's side half-closed (the server sees the end of the stream) or reset, with
// Content-Length and chunked. Each time: nothing of it is in the database, no import is audited,
// and the server answers the next request. The same file sent whole imports every row (the
// control: the cut, not the data, is what stops it).

import { connect } from 'node:net';
import { test } from 'node:test';
import { assert, COMMUNE, login, request, RUN, sleep, sql, startServer } from './lib.mjs';

const ROWS = 20_000;

function csv(tag) {
  const lines = ['external_id,team_external_id,full_name,position,affiliation'];
  for (let i = 0; i < ROWS; i++) lines.push(`cut-${RUN}-${tag}-${i},team-${RUN},Nguyễn Văn Cắt ${tag} ${i},member,volunteer`);
  return Buffer.from(lines.join('\n') + '\n');
}

/** Sends the head and `part` of the body, then ends (FIN) or destroys (RST) the socket. */
function sendCut(port, token, body, part, { chunked, reset }) {
  return new Promise((resolveDone) => {
    const s = connect(port, '127.0.0.1', () => {
      const head = ['POST /api/v1/import/members HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${token}`,
        'Content-Type: text/csv; charset=utf-8', chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`, '', ''].join('\r\n');
      s.write(head);
      if (chunked) s.write(`${part.toString(16)}\r\n`);
      s.write(body.subarray(0, part), () => {
        if (reset) s.resetAndDestroy(); else s.end();
      });
    });
    let answer = '';
    s.on('data', (d) => { answer += d; });
    s.on('error', () => {});
    // The server closes its side after answering (or at once); a connection it keeps open is
    // closed here after 20 s so that the test reports rather than waits.
    const guard = setTimeout(() => s.destroy(), 20_000);
    s.on('close', () => {
      clearTimeout(guard);
      resolveDone(answer.split('\r\n')[0]);
    });
  });
}

test('an import connection cut mid-way writes nothing', async (t) => {
  const srv = await startServer();
  const token = await login(srv.url);
  const team = await request(srv.url, 'POST', '/api/v1/teams', { token, body: { name: `Tổ nhập cắt ${RUN}`, kind: 'commune', unit_code: COMMUNE, external_id: `team-${RUN}` } });
  assert.equal(team.status, 201, team.text);
  const audits = () => sql("SELECT count(*) FROM audit WHERE action LIKE '%import%'")[0][0];
  const auditsBefore = audits();

  const cases = [
    { tag: 'line-fin', atLine: true, chunked: false, reset: false },
    { tag: 'line-rst', atLine: true, chunked: false, reset: true },
    { tag: 'mid-fin', atLine: false, chunked: false, reset: false },
    { tag: 'chunk-fin', atLine: true, chunked: true, reset: false },
    { tag: 'chunk-rst', atLine: false, chunked: true, reset: true },
  ];
  const seen = [];
  for (const c of cases) {
    const body = csv(c.tag);
    let part = Math.floor(body.length / 2);
    if (c.atLine) part = body.indexOf(0x0a, part) + 1; // the half ends with a whole row
    const status = await sendCut(srv.port, token, body, part, c);
    seen.push(`${c.tag}: ${status || 'no answer'}`);
    await sleep(500); // anything the server would do with the half, it has done by now
    const rows = sql(`SELECT count(*) FROM members WHERE external_id LIKE 'cut-${RUN}-${c.tag}-%'`)[0][0];
    assert.equal(rows, '0', `${c.tag}: rows written from a cut import (answer: ${status})`);
    assert.ok(!/^HTTP\/1\.[01] 2/.test(status), `${c.tag}: a cut import answered ${status}`);
    const alive = await request(srv.url, 'GET', '/healthz');
    assert.equal(alive.status, 200, `${c.tag}: the server answers after the cut`);
  }
  assert.equal(audits(), auditsBefore, 'no import was audited');

  // Control: the same kind of file, sent whole, imports every row.
  const whole = await request(srv.url, 'POST', '/api/v1/import/members', { token, raw: csv('whole'), headers: { 'Content-Type': 'text/csv' }, timeoutMs: 60_000 });
  assert.equal(whole.status, 200, `whole import: ${whole.status ?? whole.error} ${whole.text?.slice(0, 300)}`);
  assert.equal(sql(`SELECT count(*) FROM members WHERE external_id LIKE 'cut-${RUN}-whole-%'`)[0][0], String(ROWS));

  await srv.stop();
  const summary = `import cut: ${cases.length} cuts of a ${ROWS}-row CSV wrote nothing (${seen.join('; ')}); the whole file imported ${ROWS} rows`;
  t.diagnostic(summary);
  console.log(summary);
});
