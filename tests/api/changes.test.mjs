// The change feed (DESIGN §4; issue 3 item 5): GET /api/v1/changes?after=SEQ&limit=N answers
// {items: [{seq, resource, id, op, at}], next_after} in the caller's scope, in seq order, and a
// client that pages with after=next_after sees every change exactly once — also while many
// writers commit concurrently, and when a transaction that began earlier commits late.
//
// Other test files write at the same time, so every check here looks at the rows of this file
// (known by the ids the API returned, or by a unit created for the run).

import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, test } from 'node:test';
import {
  api, assert, assertProblem, createActivity, createEnterprise, createMember, createTeam, DATABASE_URL, DEMO,
  freeUnitCode, haveDb, randomUUID, RUN, show, sql, sqlValue, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';
const C = 'demo.commune';
const RESOURCES = new Set(['units', 'teams', 'members', 'activities', 'enterprises', 'deadlines', 'deadline_targets']);
const OPS = new Set(['created', 'updated', 'deleted']);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const key = (resource, id, op) => `${resource}/${id}/${op}`;
const itemKey = (it) => key(it.resource, it.id, it.op);

/**
 * A feed reader for one account: pages from a cursor, checks every page's shape and that
 * seqs strictly increase across pages, and keeps every item it saw.
 */
class Reader {
  constructor(as, after = 0) {
    this.as = as;
    this.cursor = after;
    this.items = [];
    this.pages = 0;
  }

  /** One page; returns its items. */
  async page(limit) {
    const res = await api('GET', '/changes', { as: this.as, query: { after: this.cursor, limit } });
    assert.equal(res.status, 200, show(res));
    const { items, next_after: next } = res.json;
    assert.deepEqual(Object.keys(res.json).sort(), ['items', 'next_after'], show(res));
    assert.ok(Array.isArray(items), show(res));
    assert.ok(Number.isSafeInteger(next), `next_after ${next}`);
    if (limit !== undefined) assert.ok(items.length <= limit, `${items.length} items for limit ${limit}`);
    let last = this.cursor;
    for (const it of items) {
      assert.deepEqual(Object.keys(it).sort(), ['at', 'id', 'op', 'resource', 'seq'], JSON.stringify(it));
      assert.ok(Number.isSafeInteger(it.seq) && it.seq > last, `seq ${it.seq} after ${last} (${this.as}, after=${this.cursor})`);
      assert.ok(RESOURCES.has(it.resource), `resource ${it.resource}`);
      assert.ok(OPS.has(it.op), `op ${it.op}`);
      assert.equal(typeof it.id, 'string');
      assert.match(it.at, RFC3339);
      last = it.seq;
    }
    assert.equal(next, items.length ? last : this.cursor, 'next_after is the last seq of the page, or the cursor when empty');
    this.items.push(...items);
    this.cursor = next;
    this.pages += 1;
    return items;
  }

  /** Pages until an empty page. */
  async toEnd(limit = 1000) {
    while ((await this.page(limit)).length > 0);
    return this;
  }

  /** Pages until pred(items seen) holds; the feed may hold changes back while a transaction runs. */
  async until(pred, what, { limit = 1000, timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const got = await this.page(limit);
      if (pred(this.items)) return this;
      if (got.length === 0) {
        assert.ok(Date.now() < deadline, `${this.as}: the feed never showed ${what}`);
        await sleep(50);
      }
    }
  }

  count(k) {
    return this.items.filter((it) => itemKey(it) === k).length;
  }

  has(resource, id, op) {
    return this.items.some((it) => it.resource === resource && it.id === id && (!op || it.op === op));
  }
}

/** The end of the feed now: the seq a client that has read everything holds. */
async function feedEnd() {
  return (await new Reader(P, 0).toEnd()).cursor;
}

/** No seq twice among the items. */
function assertNoDuplicates(items, what) {
  const seqs = items.map((it) => it.seq);
  assert.equal(new Set(seqs).size, seqs.length, `${what}: a seq was handed out twice`);
  for (let k = 1; k < seqs.length; k++) assert.ok(seqs[k] > seqs[k - 1], `${what}: seq ${seqs[k]} after ${seqs[k - 1]}`);
}

/**
 * Compares what a reader saw between two cursors with the changes table: every sequenced row
 * in the account's scope, no more, no less, with the same resource, id and op.
 */
async function assertFeedIsTable(reader, from, to) {
  if (!haveDb()) return;
  const who = await whoami(reader.as);
  const rows = sql(
    `SELECT seq, resource, resource_id, op FROM changes
      WHERE seq > :from AND seq <= :to
        AND in_scope(nullif(:'unit', ''), nullif(:'ent', '')::uuid, unit_code, enterprise_id)
      ORDER BY seq`,
    { from, to, unit: who.unit ?? '', ent: who.enterprise ?? '' },
  ).map(([seq, resource, id, op]) => `${seq} ${resource}/${id}/${op}`);
  const seen = reader.items.filter((it) => it.seq > from && it.seq <= to).map((it) => `${it.seq} ${it.resource}/${it.id}/${it.op}`);
  const missing = rows.filter((r) => !seen.includes(r));
  const extra = seen.filter((r) => !rows.includes(r));
  assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }, { missing: [], extra: [] },
    `${reader.as}: the feed between ${from} and ${to} vs the changes table in scope (${rows.length} rows, ${seen.length} seen)`);
}

let runUnit; // a commune created for this file, under Thủ Dầu Một (718)

before(async () => {
  runUnit = await freeUnitCode(P);
  const res = await api('POST', '/units', { as: P, body: { code: runUnit, name: `Phường Nhật Ký ${RUN}`, level: 'commune', parent_code: DEMO.district } });
  assert.equal(res.status, 201, show(res));
});

test('concurrent writers: every change exactly once, in increasing seq, while a reader pages with limit 7', async () => {
  const start = await feedEnd();
  const reader = new Reader(P, start);
  const expected = new Map(); // key -> count
  const order = new Map(); // id -> [op, ...] in the order the writer committed them
  const expect = (resource, id, op) => {
    expected.set(key(resource, id, op), (expected.get(key(resource, id, op)) ?? 0) + 1);
    if (!order.has(id)) order.set(id, []);
    order.get(id).push(op);
  };
  const ok = (res, status, what) => {
    assert.equal(res.status, status, `${what}: ${show(res)}`);
    return res.json;
  };

  const WRITERS = 4;
  const CYCLES = 3; // 10 requests a cycle: 30 a writer
  let requests = 0;
  const writer = async (w) => {
    const as = w === 2 ? 'demo.district' : P;
    for (let c = 0; c < CYCLES; c++) {
      const team = ok(await api('POST', '/teams', { as, body: { name: uniq(`Tổ ghi ${w}.${c}`), kind: 'commune', unit_code: runUnit } }), 201, 'team');
      expect('teams', team.id, 'created');
      const [m1, m2, act] = await Promise.all([
        api('POST', `/teams/${team.id}/members`, { as, body: { full_name: uniq('Thành viên một') } }),
        api('POST', `/teams/${team.id}/members`, { as, body: { full_name: uniq('Thành viên hai') } }),
        api('POST', '/activities', { as, body: { team_id: team.id, held_on: '2026-02-02', kind: 'vneid', title: uniq('Ghi nhật ký') } }),
      ]).then(([a, b, d]) => [ok(a, 201, 'member'), ok(b, 201, 'member'), ok(d, 201, 'activity')]);
      expect('members', m1.id, 'created');
      expect('members', m2.id, 'created');
      expect('activities', act.id, 'created');
      await Promise.all([
        api('PATCH', `/teams/${team.id}`, { as, body: { note: `lần ${c}` } }).then((r) => ok(r, 200, 'patch team')),
        api('PATCH', `/members/${m1.id}`, { as, body: { position: 'leader' } }).then((r) => ok(r, 200, 'patch member')),
        api('PATCH', `/activities/${act.id}`, { as, body: { people_reached: c + 1 } }).then((r) => ok(r, 200, 'patch activity')),
      ]);
      expect('teams', team.id, 'updated');
      expect('members', m1.id, 'updated');
      expect('activities', act.id, 'updated');
      await Promise.all([
        api('DELETE', `/activities/${act.id}`, { as }).then((r) => ok(r, 204, 'delete activity')),
        api('DELETE', `/members/${m1.id}`, { as }).then((r) => ok(r, 204, 'delete member')),
      ]);
      expect('activities', act.id, 'deleted');
      expect('members', m1.id, 'deleted');
      ok(await api('DELETE', `/teams/${team.id}`, { as }), 204, 'delete team');
      expect('teams', team.id, 'deleted');
      expect('members', m2.id, 'deleted'); // the team's remaining member goes with it
      requests += 10;
    }
  };

  let writing = true;
  const paging = (async () => {
    while (writing) {
      const got = await reader.page(7);
      if (got.length === 0) await sleep(1);
    }
  })();
  try {
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  } finally {
    writing = false;
    await paging;
  }
  assert.equal(requests, WRITERS * CYCLES * 10);
  const pagesWhileWriting = reader.pages;

  // After the writers: page on (small pages still) until every expected change has come.
  const mine = new Set([...order.keys()]);
  await reader.until((items) => [...expected].every(([k, n]) => items.filter((it) => itemKey(it) === k).length >= n),
    'every change of the writers', { limit: 7 });
  await reader.toEnd(7);
  assert.ok(pagesWhileWriting > 3, `the reader paged while the writers wrote (${pagesWhileWriting} pages)`);

  assertNoDuplicates(reader.items, 'province feed');
  for (const [k, n] of expected) assert.equal(reader.count(k), n, `${k} appears ${reader.count(k)} times, expected ${n}`);
  const unexpected = reader.items.filter((it) => mine.has(it.id) && !expected.has(itemKey(it)));
  assert.deepEqual(unexpected, [], 'changes of the writers\' rows that they did not make');
  // Each row's changes come in the order they were committed.
  for (const [id, ops] of order) {
    assert.deepEqual(reader.items.filter((it) => it.id === id).map((it) => it.op), ops, `order of the changes of ${id}`);
  }
  await assertFeedIsTable(reader, start, reader.cursor);
  if (haveDb()) {
    // Every change row of the run's unit is sequenced and was handed out once.
    const rows = sql(`SELECT seq FROM changes WHERE unit_code = :'unit' AND resource <> 'units' ORDER BY id`, { unit: runUnit });
    assert.equal(rows.length, [...expected.values()].reduce((a, b) => a + b, 0), 'change rows of the run\'s unit');
    for (const [seq] of rows) {
      assert.notEqual(seq, '', 'a change of the run\'s unit is still without seq after it was read');
      assert.equal(reader.items.filter((it) => it.seq === Number(seq)).length, 1, `seq ${seq} handed out once`);
    }
  }
});

test('a transaction that commits late is not skipped: it comes after it commits, above every seq handed out', { skip: !haveDb() && 'needs DATABASE_URL' }, async () => {
  const start = await feedEnd();
  const reader = new Reader(P, start);
  const lateId = randomUUID();
  const app = `cdt-late-${RUN}`;
  const child = spawn('psql', [DATABASE_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', `id=${lateId}`, '-v', `name=Tổ muộn ${RUN}`],
    { env: { ...process.env, PGAPPNAME: app }, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin.end(`BEGIN;
INSERT INTO teams (id, name, kind, unit_code) VALUES (:'id', :'name', 'commune', '${DEMO.commune}');
SELECT pg_sleep(6);
COMMIT;
`);
  // Wait until the INSERT is done and the transaction sleeps.
  const deadline = Date.now() + 10_000;
  while (sqlValue(`SELECT count(*) FROM pg_stat_activity WHERE application_name = :'app' AND state = 'active' AND query LIKE '%pg_sleep%'`, { app }) !== '1') {
    assert.ok(Date.now() < deadline, `the psql transaction did not start: ${stderr}`);
    await sleep(20);
  }
  // Writes through the API commit while the early transaction still runs.
  // (In another commune: the late team's commune is locked for team_setup bookkeeping until it commits.)
  const quick = await Promise.all(Array.from({ length: 5 }, () => createTeam(P, { kind: 'commune', unit_code: DEMO.dian })));
  const quickMember = await createMember(P, quick[0].id);
  // A reader pages all the while; nothing it is handed may be numbered below the late row later.
  // Only pages that ended while the transaction still slept count: the commit may come at any
  // moment of a page, and what that page hands out may then rightly include the late team.
  let duringSleep = 0;
  let confirmed = 0;
  let handedOut = reader.cursor; // the cursor after the last page known to end before the commit
  const sleeping = () => sqlValue(`SELECT count(*) FROM pg_stat_activity WHERE application_name = :'app' AND query LIKE '%pg_sleep%' AND state = 'active'`, { app }) === '1';
  while (sleeping()) {
    await reader.page(2);
    if (!sleeping()) break;
    confirmed = reader.items.length;
    handedOut = reader.cursor;
    duringSleep += 1;
    await sleep(25);
  }
  // One page during the sleep is what matters; on a loaded machine there may be few.
  assert.ok(duringSleep > 0, `the reader paged during the sleep (${duringSleep} pages)`);
  assert.ok(!reader.items.slice(0, confirmed).some((it) => it.resource === 'teams' && it.id === lateId),
    'the late team was handed out before it committed');
  // (The page that saw the transaction end may have handed out the late team already: rightly.)
  assert.equal(await exited, 0, `psql failed: ${stderr}`);

  await reader.until((items) => items.some((it) => it.id === lateId) && quick.every((t) => items.some((it) => it.id === t.id)) &&
    items.some((it) => it.id === quickMember.id), 'the late team and the quick writes', { limit: 3 });
  await reader.toEnd(3);
  assertNoDuplicates(reader.items, 'feed around a late commit');
  const late = reader.items.filter((it) => it.id === lateId);
  assert.equal(late.length, 1, 'the late team appears once');
  assert.equal(late[0].op, 'created');
  assert.equal(late[0].resource, 'teams');
  assert.ok(late[0].seq > handedOut, `the late team's seq ${late[0].seq} is above every seq handed out before it committed (${handedOut})`);
  for (const t of quick) assert.equal(reader.count(key('teams', t.id, 'created')), 1, `quick team ${t.id} once`);
  assert.equal(reader.count(key('members', quickMember.id, 'created')), 1);
  await assertFeedIsTable(reader, start, reader.cursor);
  assert.equal((await api('DELETE', `/teams/${lateId}`, { as: P })).status, 204);
});

/** Runs a psql script in a child process named app; resolves to {code, stderr} when it ends. */
function psqlChild(script, app, vars = {}) {
  const args = [DATABASE_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1'];
  for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
  const child = spawn('psql', args, { env: { ...process.env, PGAPPNAME: app }, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdin.end(script);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

async function waitForSql(query, vars, what) {
  const deadline = Date.now() + 10_000;
  while (sqlValue(query, vars) !== '1') {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('interleaved transactions that commit out of the order they wrote in: a client polling all the while misses nothing', {
  skip: !haveDb() && 'needs DATABASE_URL',
}, async () => {
  // Four sessions each run six transactions: a team, a pause of 0 to 250 ms, a member of it, a
  // pause, commit. Their transactions overlap and commit in another order than they wrote; API
  // writes commit in between. A feed numbered as rows are written (a sequence default on seq,
  // or the transaction's id) hands out a later write before an earlier one commits, and the
  // client, paging by after=<last seq> all the while, never sees the earlier one.
  const start = await feedEnd();
  const reader = new Reader(P, start);
  const expected = new Set();
  const scripts = [];
  for (let w = 0; w < 4; w++) {
    let script = '';
    for (let k = 0; k < 6; k++) {
      const team = randomUUID();
      const member = randomUUID();
      expected.add(key('teams', team, 'created'));
      expected.add(key('members', member, 'created'));
      const pause = () => (((w * 7 + k * 13) % 6) * 0.05).toFixed(2);
      script += `BEGIN;
INSERT INTO teams (id, name, kind, unit_code) VALUES ('${team}', 'Tổ xen kẽ ${w}.${k} ${RUN}', 'commune', '${runUnit}');
SELECT pg_sleep(${pause()});
INSERT INTO members (id, team_id, full_name) VALUES ('${member}', '${team}', 'Thành viên xen kẽ ${w}.${k}');
SELECT pg_sleep(${((k + w) % 3) * 0.04});
COMMIT;
`;
    }
    scripts.push(script);
  }
  let writing = true;
  let pagesWhileWriting = 0;
  const paging = (async () => {
    while (writing) {
      await reader.page(5);
      pagesWhileWriting += 1;
      await sleep(5);
    }
  })();
  const apiWrites = (async () => {
    for (let k = 0; k < 8; k++) {
      const t = await createTeam(P, { kind: 'commune', unit_code: runUnit });
      expected.add(key('teams', t.id, 'created'));
    }
  })();
  let results;
  try {
    results = await Promise.all([...scripts.map((s, w) => psqlChild(s, `cdt-interleave-${w}-${RUN}`)), apiWrites]);
  } finally {
    writing = false;
    await paging;
  }
  for (const r of results.slice(0, 4)) assert.equal(r.code, 0, r.stderr);
  assert.ok(pagesWhileWriting > 5, `the client paged while the sessions wrote (${pagesWhileWriting} pages)`);
  await reader.until((items) => [...expected].every((k) => items.some((it) => itemKey(it) === k)),
    'every change of the sessions', { limit: 5, timeout: 10_000 });
  await reader.toEnd(5);
  assertNoDuplicates(reader.items, 'interleaved feed');
  for (const k of expected) assert.equal(reader.count(k), 1, `${k} handed out once`);
  await assertFeedIsTable(reader, start, reader.cursor);
});

test('changes come in commit order, also when the later commit began first', {
  skip: !haveDb() && 'needs DATABASE_URL',
}, async () => {
  // Transaction A (deleting a team) starts first and waits on a member row locked elsewhere;
  // transaction B (a PATCH of another team) starts later and commits first. In commit order B's
  // change comes before A's, although A's transaction id is the smaller.
  const start = await feedEnd();
  const team = await createTeam(P);
  const m1 = await createMember(P, team.id);
  const other = await createTeam(P);
  const app = `cdt-order-${RUN}`;
  const holder = psqlChild(`BEGIN;
SELECT 1 FROM members WHERE id = :'id' FOR UPDATE;
SELECT pg_sleep(5);
COMMIT;
`, app, { id: m1.id });
  await waitForSql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = :'app' AND state = 'active' AND query LIKE '%pg_sleep%'`, { app }, 'the lock holder');
  const deleting = api('DELETE', `/teams/${team.id}`, { as: P });
  await waitForSql(`SELECT count(*) FROM pg_stat_activity a, pg_stat_activity h
                     WHERE h.application_name = :'app' AND a.pid <> h.pid AND pg_blocking_pids(a.pid) @> ARRAY[h.pid]
                       AND a.query LIKE 'DELETE FROM teams%'`, { app }, 'the team delete to wait on the member');
  const patched = await api('PATCH', `/teams/${other.id}`, { as: P, body: { note: 'committed first' } });
  assert.equal(patched.status, 200, show(patched));
  const del = await deleting;
  assert.equal(del.status, 204, show(del));
  assert.equal((await holder).code, 0);

  const reader = await new Reader(P, start).until((items) => items.some((it) => it.id === team.id && it.op === 'deleted') &&
    items.some((it) => it.id === other.id && it.op === 'updated'), 'the delete and the patch');
  assertNoDuplicates(reader.items, 'commit order');
  const seqOf = (id, op) => reader.items.find((it) => it.id === id && it.op === op).seq;
  assert.ok(seqOf(other.id, 'updated') < seqOf(team.id, 'deleted'),
    'the PATCH committed first, so its change has the smaller seq');
  assert.ok(seqOf(m1.id, 'deleted') > seqOf(other.id, 'updated'), 'the member deleted with the team comes after too');
});

test('a row moved out of a scope is announced to the old scope too', { skip: !haveDb() && 'needs DATABASE_URL' }, async () => {
  const start = await feedEnd();
  const team = await createTeam(P, { unit_code: DEMO.commune });
  const moved = await api('PATCH', `/teams/${team.id}`, { as: P, body: { unit_code: DEMO.dian } });
  assert.equal(moved.status, 200, show(moved));
  for (const [as, ops] of [[C, ['created', 'updated']], ['demo.commune.dian', ['updated']], [P, ['created', 'updated']]]) {
    const reader = await new Reader(as, start).until((items) => items.some((it) => it.id === team.id && it.op === 'updated'), `the move, as ${as}`);
    assert.deepEqual(reader.items.filter((it) => it.id === team.id).map((it) => it.op), ops, as);
  }
  // The old scope can no longer read it: GET answers 404, which tells a sync client to drop it.
  assert.equal((await api('GET', `/teams/${team.id}`, { as: C })).status, 404);
});

describe('scope of the feed', () => {
  let start;
  const rows = {};
  let ent;

  before(async () => {
    ent = (await whoami('demo.enterprise')).enterprise;
    start = await feedEnd();
    const make = async (name, teamFields) => {
      const team = await createTeam(P, teamFields);
      const member = await createMember(P, team.id);
      const activity = await createActivity(P, team.id);
      rows[name] = { team: team.id, member: member.id, activity: activity.id };
    };
    await make('pc', { kind: 'commune', unit_code: DEMO.commune });
    await make('dian', { kind: 'commune', unit_code: DEMO.dian });
    await make('ent', { kind: 'enterprise', unit_code: DEMO.commune, enterprise_id: ent });
    rows.enterprise = (await createEnterprise(P, { unit_code: DEMO.commune })).id;
    rows.dianEnterprise = (await createEnterprise(P, { unit_code: DEMO.dian })).id;
    // Everything has reached the feed.
    await new Reader(P, start).until((items) => [rows.pc, rows.dian, rows.ent].every((r) => items.some((it) => it.id === r.activity)) &&
      items.some((it) => it.id === rows.dianEnterprise), 'the scope fixtures');
  });

  const ids = (r) => [r.team, r.member, r.activity];
  async function sees(as, visible, hidden) {
    const reader = await new Reader(as, start).until((items) => visible.every((id) => items.some((it) => it.id === id)), `rows visible to ${as}`, { limit: 50 });
    await reader.toEnd(50);
    assertNoDuplicates(reader.items, as);
    for (const id of visible) assert.equal(reader.items.filter((it) => it.id === id && it.op === 'created').length, 1, `${as} sees ${id} created once`);
    for (const id of hidden) assert.ok(!reader.items.some((it) => it.id === id), `${as} sees ${id}, which is outside its scope`);
    await assertFeedIsTable(reader, start, reader.cursor);
    return reader;
  }

  test('demo.commune sees its commune\'s teams, members, activities and enterprises, never a Dĩ An row', async () => {
    const reader = await sees(C, [...ids(rows.pc), ...ids(rows.ent), rows.enterprise], [...ids(rows.dian), rows.dianEnterprise]);
    if (haveDb()) {
      const seqs = reader.items.map((it) => it.seq).join(',') || '0';
      const outside = sql(`SELECT seq, resource, unit_code FROM changes WHERE seq IN (${seqs}) AND NOT in_subtree(unit_code, '${DEMO.commune}')`);
      assert.deepEqual(outside, [], 'rows of other units in the commune\'s feed');
    }
  });

  test('demo.commune.dian and demo.district see their own subtrees', async () => {
    await sees('demo.commune.dian', [...ids(rows.dian), rows.dianEnterprise], [...ids(rows.pc), ...ids(rows.ent), rows.enterprise]);
    await sees('demo.district', [...ids(rows.pc), ...ids(rows.ent), rows.enterprise], [...ids(rows.dian), rows.dianEnterprise]);
    await sees(P, [...ids(rows.pc), ...ids(rows.ent), ...ids(rows.dian), rows.enterprise, rows.dianEnterprise], []);
  });

  test('demo.enterprise sees only its enterprise\'s rows', async () => {
    const reader = await sees('demo.enterprise', ids(rows.ent), [...ids(rows.pc), ...ids(rows.dian), rows.enterprise, rows.dianEnterprise]);
    if (haveDb()) {
      const seqs = reader.items.map((it) => it.seq).join(',') || '0';
      const foreign = sql(`SELECT seq, resource, enterprise_id FROM changes WHERE seq IN (${seqs}) AND enterprise_id IS DISTINCT FROM :'ent'::uuid`, { ent });
      assert.deepEqual(foreign, [], 'rows of other enterprises in the enterprise\'s feed');
    }
    // From the beginning, too.
    const all = await new Reader('demo.enterprise', 0).toEnd();
    assertNoDuplicates(all.items, 'enterprise feed from 0');
    await assertFeedIsTable(all, 0, all.cursor);
  });
});

test('deleting a team yields deleted rows for the team and each of its members, visible to the commune', async () => {
  const start = await feedEnd();
  const team = await createTeam(C, { kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 9' });
  const members = [];
  for (let k = 0; k < 3; k++) members.push(await createMember(C, team.id));
  const left = await api('PATCH', `/members/${members[2].id}`, { as: C, body: { left_on: '2020-01-01' } });
  assert.equal(left.status, 200, show(left));
  const del = await api('DELETE', `/teams/${team.id}`, { as: C });
  assert.equal(del.status, 204, show(del));

  for (const as of [C, 'demo.district', P]) {
    const reader = await new Reader(as, start).until((items) => items.some((it) => it.id === team.id && it.op === 'deleted') &&
      members.every((m) => items.some((it) => it.id === m.id && it.op === 'deleted')), `the deletion, as ${as}`, { limit: 5 });
    await reader.toEnd(5);
    assertNoDuplicates(reader.items, as);
    assert.deepEqual(reader.items.filter((it) => it.id === team.id).map((it) => it.op), ['created', 'deleted'], `${as}: the team`);
    for (const [k, m] of members.entries()) {
      assert.deepEqual(reader.items.filter((it) => it.id === m.id).map((it) => `${it.resource}/${it.op}`),
        k === 2 ? ['members/created', 'members/updated', 'members/deleted'] : ['members/created', 'members/deleted'], `${as}: member ${k}`);
    }
    // The team's row comes after its members' (they go first, while the team still exists).
    const teamSeq = reader.items.find((it) => it.id === team.id && it.op === 'deleted').seq;
    for (const m of members) assert.ok(reader.items.find((it) => it.id === m.id && it.op === 'deleted').seq < teamSeq);
  }
  const dian = await new Reader('demo.commune.dian', start).toEnd();
  assert.ok(!dian.items.some((it) => it.id === team.id || members.some((m) => m.id === it.id)), 'Dĩ An sees the deletion');
});

describe('paging parameters', () => {
  test('after beyond the end gives no items and next_after unchanged', async () => {
    const end = await feedEnd();
    for (const after of [end + 1_000_000, 1_000_000_000_000_000]) {
      const res = await api('GET', '/changes', { as: P, query: { after, limit: 5 } });
      assert.equal(res.status, 200, show(res));
      assert.deepEqual(res.json, { items: [], next_after: after });
    }
    const max = await api('GET', '/changes', { as: P, query: { after: '9000000000000000000' } });
    assert.equal(max.status, 200, show(max));
    assert.match(max.text, /"next_after"\s*:\s*9000000000000000000\b/);
    assert.deepEqual(max.json.items, []);
  });

  test('defaults: after=0 from the beginning, limit 100; limit 1..1000', async () => {
    const first = await api('GET', '/changes', { as: P });
    assert.equal(first.status, 200, show(first));
    const explicit = await api('GET', '/changes', { as: P, query: { after: 0, limit: 100 } });
    assert.deepEqual(first.json, explicit.json, 'no parameters = after=0&limit=100');
    assert.equal(first.json.items.length, 100, 'the feed has more than 100 rows by now, so a full page');
    assert.equal(first.json.next_after, first.json.items[99].seq);
    const one = await api('GET', '/changes', { as: P, query: { limit: 1 } });
    assert.deepEqual(one.json.items, first.json.items.slice(0, 1));
    const big = await api('GET', '/changes', { as: P, query: { limit: 1000 } });
    assert.equal(big.status, 200);
    assert.deepEqual(big.json.items.slice(0, 100), first.json.items);
    // Paging by next_after walks the same rows as one big page.
    const r = new Reader(P, 0);
    while (r.items.length < 300 && (await r.page(13)).length > 0);
    const n = Math.min(300, r.items.length, big.json.items.length);
    assert.deepEqual(r.items.slice(0, n), big.json.items.slice(0, n));
  });

  test('bad after or limit answer 422 naming them', async () => {
    for (const after of ['-1', 'abc', '1.5', '1e3', '9000000000000000001', '99999999999999999999', '0x10']) {
      assertProblem(await api('GET', '/changes', { as: P, query: { after } }), 422, { fields: ['after'] });
    }
    for (const limit of ['0', '1001', '-5', 'x', '2.5']) {
      assertProblem(await api('GET', '/changes', { as: P, query: { limit } }), 422, { fields: ['limit'] });
    }
    assertProblem(await api('GET', '/changes', { as: P, query: { after: 'x', limit: '0' } }), 422, { fields: ['after', 'limit'] });
  });

  test('no token answers 401; read-only accounts read the feed', async () => {
    const res = await api('GET', '/changes');
    assertProblem(res, 401);
    assert.match(res.headers.get('www-authenticate') || '', /^Bearer/);
    const ro = await api('GET', '/changes', { as: 'demo.readonly', query: { limit: 3 } });
    assert.equal(ro.status, 200, show(ro));
  });
});
