// Backup and restore (issue 15, item 3; deploy/README.md, "Backup and restore"): pg_dump -Fc of
// the database the instances use, after writes through the API; pg_restore into a new cluster;
// a server started on the restored copy answers every read as the original does, the same token
// is accepted, sign-in works, and the change feed goes on from where it was.

import { after, before, test } from 'node:test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { assert, freePort, login, request, ROOT, RUN, startServer } from './lib.mjs';

const SECRET = randomBytes(36).toString('base64');
const { DEPLOY_TMP } = process.env;
const DUMP = join(DEPLOY_TMP, 'cdt.dump');
const RESTORED = join(DEPLOY_TMP, 'restored');
let restoredPort;
let original, restored, token;

/** Runs a bash script with scripts/lib.sh loaded; resolves its stdout. */
function shell(script, ...args) {
  return new Promise((resolveDone, reject) => {
    execFile('bash', ['-c', `. scripts/lib.sh && ${script}`, 'shell', ...args], { cwd: ROOT, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => (err ? reject(new Error(`${script}: ${stderr}`)) : resolveDone(stdout.trim())));
  });
}

before(async () => {
  // The original: the primary itself (no replica, no roller, so nothing changes behind the test).
  original = await startServer({ JWT_SECRET: SECRET, DEADLINE_ROLL_SECONDS: '0', DATABASE_READ_URL: '' });
  token = await login(original.url);
});

after(async () => {
  for (const s of [original, restored]) if (s?.alive()) await s.stop();
  await shell('pg_stop "$1"', RESTORED);
});

/** A list's items in the order of their ids (rows that tie on the sort key come in any order). */
function byId(doc) {
  if (!Array.isArray(doc?.items) || doc.items.some((x) => x.id === undefined)) return doc;
  return { ...doc, items: [...doc.items].sort((x, y) => String(x.id).localeCompare(String(y.id))) };
}

async function call(base, method, path, body, as = token) {
  const res = await request(base, method, path, { token: as, body });
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text ?? res.error}`);
  return res;
}

test('pg_dump, pg_restore into a new cluster: the restored service answers as the original', async () => {
  // Writes of every kind the reads below show: documents, a change of version, an import, audit.
  const O = original.url;
  const team = (await call(O, 'POST', '/api/v1/teams', {
    name: `Tổ sao lưu ${RUN}`, kind: 'hamlet', unit_code: '25747', hamlet: `Khu phố ${RUN}`, external_id: `bk-${RUN}`,
  })).json;
  const member = (await call(O, 'POST', `/api/v1/teams/${team.id}/members`, {
    full_name: 'Nguyễn Thị Sao Lưu', position: 'leader', affiliation: 'youth_union', it_skilled: true,
  })).json;
  await call(O, 'PATCH', `/api/v1/teams/${team.id}`, { note: 'đã sửa' });
  const activity = (await call(O, 'POST', '/api/v1/activities', {
    team_id: team.id, held_on: '2026-03-02', kind: 'vneid', title: `Sao lưu ${RUN}`, people_reached: 42,
  })).json;
  const csv = `external_id,team_external_id,full_name,position,affiliation\nbk-${RUN}-1,bk-${RUN},Trần Văn Một,deputy,police\n` +
    `bk-${RUN}-2,bk-${RUN},Lê Thị Hai,member,telecom\n`;
  const imported = await request(O, 'POST', '/api/v1/import/members', { token, raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(imported.status, 200, imported.text);

  let started = Date.now();
  await shell('"$PG_BIN/pg_dump" -Fc -f "$1" "$DATABASE_URL"', DUMP);
  const dumpMs = Date.now() - started;
  restoredPort = await freePort();
  started = Date.now();
  await shell('pg_start "$1" "$2" && "$PG_BIN/pg_restore" --exit-on-error --no-owner -d "$(pg_url "$1" "$2")" "$3"',
    RESTORED, String(restoredPort), DUMP);
  console.log(`pg_dump -Fc: ${(statSync(DUMP).size / 1048576).toFixed(1)} MiB in ${dumpMs} ms; ` +
    `new cluster and pg_restore: ${Date.now() - started} ms`);

  const url = await shell('pg_url "$1" "$2"', RESTORED, String(restoredPort));
  restored = await startServer({ JWT_SECRET: SECRET, DEADLINE_ROLL_SECONDS: '0', DATABASE_URL: url, DATABASE_READ_URL: '' });
  const R = restored.url;
  assert.equal((await request(R, 'GET', '/readyz')).status, 200, 'every migration and function file is there');

  const reads = [
    '/api/v1/auth/me',
    '/api/v1/teams?limit=1000&sort=name',
    '/api/v1/members?limit=1000&sort=full_name',
    `/api/v1/teams/${team.id}`, `/api/v1/members/${member.id}`, `/api/v1/activities/${activity.id}`,
    `/api/v1/teams/${team.id}/members`,
    '/api/v1/changes?after=0&limit=1000',
    '/api/v1/audit?limit=1000',
    '/api/v1/deadlines?limit=1000',
    '/api/v1/users?limit=1000',
    '/api/v1/stats/overview?unit=79&from=2024-01-01&to=2026-12-31',
    '/api/v1/stats/timeseries?unit=79&interval=month&metric=people_reached&from=2024-01-01&to=2026-12-31',
  ];
  for (const path of reads) {
    // The original's token: the restored copy has its account, and the instances share JWT_SECRET.
    const [a, b] = [await call(O, 'GET', path), await call(R, 'GET', path)];
    assert.deepEqual(byId(b.json), byId(a.json), `GET ${path} answers the same on the restored copy`);
  }
  const feed = (await call(O, 'GET', '/api/v1/changes?after=0&limit=1000')).json;
  assert.ok(feed.items.some((c) => c.id === activity.id), 'the feed has the writes of this test');

  // Sign-in (password hashes, sign-in limits) and writes go on; the feed continues after its last number.
  const fresh = await login(R, 'demo.commune');
  const more = (await call(R, 'POST', '/api/v1/activities', {
    team_id: team.id, held_on: '2026-03-03', kind: 'other', title: `Sau phục hồi ${RUN}`,
  }, fresh)).json;
  const next = (await call(R, 'GET', `/api/v1/changes?after=${feed.next_after}`, undefined, fresh)).json;
  assert.ok(next.items.some((c) => c.id === more.id && c.seq > feed.next_after), 'numbered after the restored feed');
});
