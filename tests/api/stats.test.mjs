// The steering committee's figures (GET /stats/overview, GET /stats/timeseries; DESIGN §4,
// docs/reporting.md) checked against a known data set built for this file alone.
//
// The data set lives in a new district of Bình Dương (a free 9xx code) that no other test file
// touches, so every figure below is written out by hand and compared exactly:
//
//   district D (new, under 74)
//   ├─ commune C1: T1 hamlet, compliant (3 active members, 2 trained; a 4th, trained, left in 2021)
//   │              T2 hamlet, not compliant (2 members, 1 trained)
//   │              T3 commune kind, dissolved (3 members, 1 trained: none counted)
//   ├─ commune C2: T4 hamlet, compliant (3 members, 2 trained)
//   │              T5 enterprise team of E (E is located in C2), compliant (3 members, 1 trained)
//   ├─ commune C3: no team at all
//   └─ commune C4: closed since 2020-01-01, no team
//
// Only hamlet and enterprise teams are counted as compliant or not: resources.test.mjs changes the
// rules of commune-kind teams for a moment while it runs, possibly at the same time as this file.
//
// Activities (held_on, people_reached, outcomes):
//   A1 T1 2021-01-04  30 {vneid_activations 12, app_installs 5}
//   A2 T1 2021-01-31  20 {public_service_applications 7}
//   A3 T2 2021-02-01  15 {cashless_accounts 4, ecommerce_shops 1}
//   A4 T3 2021-01-15  10 {people_trained 9}              (the team is dissolved: still counted)
//   A5 T4 2021-03-10  50 {vneid_activations 20, people_trained 6}
//   A6 T5 2021-03-31   8 {app_installs 3}
//   A7 T4 2020-12-31 100 {ecommerce_shops 2}             (before the range 2021-01-01..2021-03-31)
//   A8 T4 2021-04-01   1 {}                              (after it)
//
// Deadline targets (kind report; completed_at in Vietnam time, +07:00):
//   DL1 due 2021-03-15, communes: C1 done 2021-03-15 23:59:59 (on time), C2 done 2021-03-16 00:00:00
//       (late), C3 not done (overdue)
//   DL2 due 2099-12-31, communes: C1 not done (pending), C2 done 2021-03-01 (on time), C3 pending
//   DL3 due 2021-02-28, the district D itself: done 2021-03-01 00:00:00 (late; in D's totals only)
//   DL4 due 2021-03-31, the enterprise E: not done (overdue; counted in C2, where E is located)
//   DL5 due 2021-06-30, communes: C1 not done, C2 done 2021-06-30 23:59:59 (on time), C3 done
//       2021-07-01 00:00:00 (late). C1 flips from pending to overdue at 2021-07-01 00:00 +07:00,
//       which the clock test checks by writing app_clock.
//
// "Now" is the real clock except in the tests that say otherwise: every expectation below holds
// for any "now" between July 2021 and 2099.

import { after, before, test } from 'node:test';
import {
  api, assert, assertProblem, createActivity, createEnterprise, createMember, createTeam, DEMO, haveDb,
  show, sql, sqlValue, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';
const RANGE = { from: '2021-01-01', to: '2021-03-31' };

const COUNTS = ['communes_total', 'communes_with_team', 'teams_active', 'teams_compliant', 'members_active',
  'members_trained', 'activities', 'people_reached', 'vneid_activations', 'public_service_applications',
  'cashless_accounts', 'ecommerce_shops', 'app_installs', 'people_trained', 'targets_pending', 'targets_overdue',
  'targets_done_on_time', 'targets_done_late', 'on_time_rate', 'hamlets_with_team'];
// The rates (issue 13) follow the counts: rated() derives them, each null when its denominator is 0.
const RATES = [['coverage_rate', 'communes_with_team', 'communes_total'], ['compliance_rate', 'teams_compliant', 'teams_active'],
  ['trained_rate', 'members_trained', 'members_active']];
const FIGURES = [...COUNTS, ...RATES.map(([r]) => r)];

const rate = (num, den) => (den ? Math.round((num / den) * 10000) / 10000 : null);
/** The figures with their rates worked out from the counts. */
function rated(f) {
  return { ...f, ...Object.fromEntries(RATES.map(([r, num, den]) => [r, rate(f[num], f[den])])) };
}

/** A figures object from the values in COUNTS order. */
function figs(...values) {
  assert.equal(values.length, COUNTS.length, 'figs() takes every count');
  return rated(Object.fromEntries(COUNTS.map((f, i) => [f, values[i]])));
}
const ZERO = figs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0);

// Hand-computed expectations.        communes  teams  members  acts  reached vneid psa cash shop inst ptr  pend over ontime late  rate  hamlets
const EXPECT_RANGE = {
  C1: figs(1, 1, 2, 1, 5, 3, /**/ 4, 75, 12, 7, 4, 1, 5, 9, /**/ 0, 0, 1, 0, 1, /**/ 2),
  C2: figs(1, 1, 2, 2, 6, 3, /**/ 2, 58, 20, 0, 0, 0, 3, 6, /**/ 0, 1, 0, 1, 0, /**/ 1),
  C3: figs(1, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0, 0, 0, 0, /**/ 0, 1, 0, 0, 0, /**/ 0),
  C4: ZERO,
  // DL1 (C1 on time, C2 late, C3 overdue), DL3 (D late), DL4 (E overdue): 1 / (1 + 2 + 2) = 0.2
  D: figs(3, 2, 4, 3, 11, 6, /**/ 6, 133, 32, 7, 4, 1, 8, 15, /**/ 0, 2, 1, 2, 0.2, /**/ 3),
  E: figs(1, 1, 1, 1, 3, 1, /**/ 1, 8, 0, 0, 0, 0, 3, 0, /**/ 0, 1, 0, 0, 0, /**/ 0),
};
const EXPECT_ALL = {
  // + DL2 pending, DL5 overdue: 1 / (1 + 0 + 1) = 0.5
  C1: figs(1, 1, 2, 1, 5, 3, /**/ 4, 75, 12, 7, 4, 1, 5, 9, /**/ 1, 1, 1, 0, 0.5, /**/ 2),
  // + A7, A8; DL2 and DL5 on time: 2 / (2 + 1 + 1) = 0.5
  C2: figs(1, 1, 2, 2, 6, 3, /**/ 4, 159, 20, 0, 0, 2, 3, 6, /**/ 0, 1, 2, 1, 0.5, /**/ 1),
  // DL1 overdue, DL2 pending, DL5 late: 0 / (0 + 1 + 1) = 0
  C3: figs(1, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0, 0, 0, 0, /**/ 1, 1, 0, 1, 0, /**/ 0),
  C4: ZERO,
  // 3 on time (C1 DL1, C2 DL2, C2 DL5), 3 late (C2 DL1, D DL3, C3 DL5), 3 overdue (C3 DL1, E DL4,
  // C1 DL5): 3 / 9 = 0.3333
  D: figs(3, 2, 4, 3, 11, 6, /**/ 8, 234, 32, 7, 4, 3, 8, 15, /**/ 2, 3, 3, 3, 0.3333, /**/ 3),
  E: figs(1, 1, 1, 1, 3, 1, /**/ 1, 8, 0, 0, 0, 0, 3, 0, /**/ 0, 1, 0, 0, 0, /**/ 0),
};

let D; // the new district's code
let C; // {C1, C2, C3, C4}: its communes' codes
let E; // the enterprise in C2
let dName; // the district's name
const names = {};
let communeUser; // an account of commune C1
let enterpriseUser; // an account of enterprise E
let before718; // demo.district's overview of 718 over RANGE, before this file's data existed
let clockSet = false; // whether this file has app_clock set right now

/**
 * A unit code no unit has, inside or outside the demo province (other files load units elsewhere,
 * which GET /units/{code} answers 404 to as out of scope): the highest free one from `from` down.
 * Districts: 999 and below (GSO district codes end at 973); communes: 99997 and below (GSO codes
 * end below 33000; 99998 stays reserved, see lib.mjs).
 */
function freeCode(from, to) {
  const code = sqlValue(`SELECT c::text FROM generate_series(:from, :to, -1) c
                          WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = c::text) LIMIT 1`, { from, to });
  assert.ok(code, `no free unit code from ${from} to ${to}`);
  return code;
}

async function createUnit(body) {
  const res = await api('POST', '/units', { as: P, body });
  assert.equal(res.status, 201, show(res));
  names[body.code] = body.name;
  return res.json;
}

/** A deadline issued by the province with exactly these targets ({unit_code|enterprise_id, completed_at}). */
function deadline(due, targetLevel, scopeUnit, targets) {
  sql(`
    INSERT INTO deadlines (title, kind, due_on, issued_by_unit, target_level, scope_unit)
    VALUES (:'title', 'report', :'due', '74', :'level', :'scope') RETURNING id AS deadline_id \\gset
    DELETE FROM deadline_targets WHERE deadline_id = :'deadline_id';
    INSERT INTO deadline_targets (deadline_id, unit_code, enterprise_id, completed_at)
    SELECT :'deadline_id', x.unit_code, x.enterprise_id, x.completed_at
      FROM json_to_recordset(:'targets') AS x(unit_code text, enterprise_id uuid, completed_at timestamptz);`,
  { title: uniq('Báo cáo thống kê'), due, level: targetLevel, scope: scopeUnit, targets: JSON.stringify(targets) });
}

/** An account like a demo one (same password) for another unit or enterprise. */
function createAccount(like, fields) {
  const username = `stats.${fields.role}.${uniq('x').split(' ')[1]}`;
  sql(`INSERT INTO users (username, password_hash, full_name, role, unit_code, enterprise_id)
       SELECT :'username', password_hash, 'Tài khoản thử thống kê', :'role', NULLIF(:'unit', ''), NULLIF(:'ent', '')::uuid
         FROM users WHERE username = :'like'`,
  { username, like, role: fields.role, unit: fields.unit ?? '', ent: fields.enterprise ?? '' });
  return username;
}

// The clock is global to the database (deadlines.test.mjs moves it too), so it is set only around
// the requests that need it, only to instants in the past, and always cleared afterwards.
function setClock(at) {
  clockSet = true;
  sql(`INSERT INTO app_clock (at) VALUES (:'at') ON CONFLICT (only_row) DO UPDATE SET at = EXCLUDED.at`, { at });
}

function clearClock() {
  sql('DELETE FROM app_clock');
  clockSet = false;
}

async function overview(as, query = {}) {
  const res = await api('GET', '/stats/overview', { as, query });
  assert.equal(res.status, 200, show(res));
  return res.json;
}

async function series(as, query = {}) {
  const res = await api('GET', '/stats/timeseries', { as, query });
  assert.equal(res.status, 200, show(res));
  assert.ok(Array.isArray(res.json), `a bare array: ${show(res)}`);
  return res.json;
}

/** [{period_start, value}] from parallel lists. */
function points(starts, values) {
  assert.equal(starts.length, values.length);
  return starts.map((period_start, i) => ({ period_start, value: values[i] }));
}

/**
 * The expected children rows of D, sorted by code: the units valid on the day asked (today), so
 * not C4, closed since 2020 with nothing filed under it (issue 12).
 */
function expectedChildren(expect) {
  return ['C1', 'C2', 'C3'].map((k) => ({ code: C[k], name: names[C[k]], level: 'commune', ...expect[k] }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

before(async () => {
  assert.ok(haveDb(), 'stats tests need DATABASE_URL (deadlines and accounts are written through psql)');
  before718 = await overview('demo.district', RANGE);

  D = freeCode(999, 900);
  dName = uniq('Huyện Thống Kê');
  await createUnit({ code: D, name: dName, level: 'district', parent_code: DEMO.province });
  C = {};
  for (const k of ['C1', 'C2', 'C3', 'C4']) {
    C[k] = freeCode(99997, 90000);
    await createUnit({ code: C[k], name: uniq(`Xã Thống Kê ${k}`), level: 'commune', parent_code: D,
      ...(k === 'C4' ? { valid_to: '2020-01-01' } : {}) });
  }
  E = (await createEnterprise(P, { unit_code: C.C2 })).id;

  const t1 = await createTeam(P, { kind: 'hamlet', unit_code: C.C1, hamlet: 'Khu phố 1' });
  await createMember(P, t1.id, { position: 'leader', it_skilled: true, trained_on: '2021-01-10', affiliation: 'hamlet_head' });
  await createMember(P, t1.id, { position: 'deputy', trained_on: '2021-01-10', affiliation: 'youth_union' });
  await createMember(P, t1.id, { position: 'member' });
  await createMember(P, t1.id, { position: 'member', trained_on: '2021-01-10', left_on: '2021-02-01' });
  const t2 = await createTeam(P, { kind: 'hamlet', unit_code: C.C1, hamlet: 'Khu phố 2' });
  await createMember(P, t2.id, { position: 'leader', trained_on: '2021-01-20' });
  await createMember(P, t2.id, { position: 'member' });
  const t3 = await createTeam(P, { kind: 'commune', unit_code: C.C1, status: 'dissolved' });
  await createMember(P, t3.id, { position: 'leader', it_skilled: true, trained_on: '2021-01-10' });
  await createMember(P, t3.id, { position: 'deputy' });
  await createMember(P, t3.id, { position: 'member' });
  const t4 = await createTeam(P, { kind: 'hamlet', unit_code: C.C2, hamlet: 'Ấp 1' });
  await createMember(P, t4.id, { position: 'leader', it_skilled: true, trained_on: '2021-02-01' });
  await createMember(P, t4.id, { position: 'deputy' });
  await createMember(P, t4.id, { position: 'member', trained_on: '2021-02-01' });
  const t5 = await createTeam(P, { kind: 'enterprise', unit_code: C.C2, enterprise_id: E });
  await createMember(P, t5.id, { position: 'leader', trained_on: '2021-03-01', affiliation: 'enterprise' });
  await createMember(P, t5.id, { position: 'member' });
  await createMember(P, t5.id, { position: 'member' });

  const acts = [
    [t1, '2021-01-04', 30, { vneid_activations: 12, app_installs: 5 }],
    [t1, '2021-01-31', 20, { public_service_applications: 7 }],
    [t2, '2021-02-01', 15, { cashless_accounts: 4, ecommerce_shops: 1 }],
    [t3, '2021-01-15', 10, { people_trained: 9 }],
    [t4, '2021-03-10', 50, { vneid_activations: 20, people_trained: 6 }],
    [t5, '2021-03-31', 8, { app_installs: 3 }],
    [t4, '2020-12-31', 100, { ecommerce_shops: 2 }],
    [t4, '2021-04-01', 1, {}],
  ];
  for (const [team, held_on, people_reached, outcomes] of acts) {
    await createActivity(P, team.id, { held_on, people_reached, outcomes });
  }

  deadline('2021-03-15', 'commune', D, [
    { unit_code: C.C1, completed_at: '2021-03-15T23:59:59+07:00' },
    { unit_code: C.C2, completed_at: '2021-03-16T00:00:00+07:00' },
    { unit_code: C.C3, completed_at: null },
  ]);
  deadline('2099-12-31', 'commune', D, [
    { unit_code: C.C1, completed_at: null },
    { unit_code: C.C2, completed_at: '2021-03-01T09:00:00+07:00' },
    { unit_code: C.C3, completed_at: null },
  ]);
  deadline('2021-02-28', 'district', DEMO.province, [{ unit_code: D, completed_at: '2021-03-01T00:00:00+07:00' }]);
  deadline('2021-03-31', 'enterprise', D, [{ enterprise_id: E, completed_at: null }]);
  deadline('2021-06-30', 'commune', D, [
    { unit_code: C.C1, completed_at: null },
    { unit_code: C.C2, completed_at: '2021-06-30T23:59:59+07:00' },
    { unit_code: C.C3, completed_at: '2021-07-01T00:00:00+07:00' },
  ]);

  communeUser = createAccount('demo.commune', { role: 'commune', unit: C.C1 });
  enterpriseUser = createAccount('demo.enterprise', { role: 'enterprise', enterprise: E });
});

after(() => {
  if (clockSet) clearClock();
});

test('district overview over a range: every figure of the totals and of each child, zeros included', async () => {
  const res = await overview(P, { unit: D, ...RANGE });
  assert.deepEqual(Object.keys(res), ['unit', 'from', 'to', 'on', 'totals', 'children']);
  assert.deepEqual(res.unit, { code: D, name: dName, level: 'district' });
  assert.equal(res.from, RANGE.from);
  assert.equal(res.to, RANGE.to);
  assert.equal(res.on, sqlValue(`SELECT unit_today()`), 'the units of today');
  assert.deepEqual(Object.keys(res.totals), FIGURES, 'figures in the documented order');
  assert.deepEqual(res.totals, EXPECT_RANGE.D);
  assert.deepEqual(res.children, expectedChildren(EXPECT_RANGE));
  assert.deepEqual(Object.keys(res.children[0]), ['code', 'name', 'level', ...FIGURES]);
});

test('rates: each over its own row\'s counts, null (not 0) with nothing to divide by (issue 13)', async () => {
  const res = await overview(P, { unit: D, ...RANGE });
  // Written out by hand: 2 of 3 communes, 3 of 4 teams, 6 of 11 members.
  assert.deepEqual([res.totals.coverage_rate, res.totals.compliance_rate, res.totals.trained_rate], [0.6667, 0.75, 0.5455]);
  const c3 = res.children.find((c) => c.code === C.C3);
  assert.deepEqual([c3.coverage_rate, c3.compliance_rate, c3.trained_rate], [0, null, null], 'C3: no team, no member');
  const c1 = res.children.find((c) => c.code === C.C1);
  assert.deepEqual([c1.coverage_rate, c1.compliance_rate, c1.trained_rate, c1.hamlets_with_team], [1, 0.5, 0.6, 2]);
  // A hamlet written another way is the same hamlet; a dissolved team names none.
  const again = await createTeam(P, { kind: 'hamlet', unit_code: C.C1, hamlet: '  khu pho 1 ' });
  const gone = await createTeam(P, { kind: 'hamlet', unit_code: C.C1, hamlet: 'Khu phố 9', status: 'dissolved' });
  try {
    const after = await overview(P, { unit: D, ...RANGE });
    assert.equal(after.children.find((c) => c.code === C.C1).hamlets_with_team, 2);
    assert.equal(after.totals.compliance_rate, rate(3, 5), 'the new team, empty, is not compliant');
  } finally {
    for (const t of [again, gone]) assert.equal((await api('DELETE', `/teams/${t.id}`, { as: P })).status, 204);
  }
  // A closed commune on its last day: one commune, no team: coverage 0, not null.
  const c4 = await overview(P, { unit: C.C4 });
  assert.deepEqual([c4.totals.communes_total, c4.totals.coverage_rate, c4.totals.compliance_rate], [1, 0, null]);
});

test('district overview without a range counts every activity and target', async () => {
  const res = await overview(P, { unit: D });
  assert.equal(res.from, null);
  assert.equal(res.to, null);
  assert.deepEqual(res.totals, EXPECT_ALL.D);
  assert.deepEqual(res.children, expectedChildren(EXPECT_ALL));
  // One bound only.
  const fromOnly = await overview(P, { unit: D, from: '2021-01-01' });
  assert.equal(fromOnly.totals.activities, 7, 'A7 (2020-12-31) left out');
  assert.equal(fromOnly.totals.people_reached, 134);
  const toOnly = await overview(P, { unit: D, to: '2021-03-31' });
  assert.equal(toOnly.totals.activities, 7, 'A8 (2021-04-01) left out');
  assert.equal(toOnly.totals.people_reached, 233);
  assert.equal(toOnly.totals.targets_pending, 0, 'DL2 (due 2099) left out');
  // The range is inclusive at both ends: held_on and due_on equal to from/to count.
  const oneDay = await overview(P, { unit: D, from: '2021-03-31', to: '2021-03-31' });
  assert.equal(oneDay.totals.activities, 1, 'A6 held 2021-03-31');
  assert.equal(oneDay.totals.targets_overdue, 1, 'DL4 due 2021-03-31');
});

test('teams_compliant agrees with the teams list (team_compliance)', async () => {
  const yes = await api('GET', '/teams', { as: P, query: { unit: D, status: 'active', compliant: true } });
  const no = await api('GET', '/teams', { as: P, query: { unit: D, status: 'active', compliant: false } });
  assert.equal(yes.status, 200, show(yes));
  assert.equal(yes.json.total, EXPECT_ALL.D.teams_compliant);
  assert.equal(yes.json.total + no.json.total, EXPECT_ALL.D.teams_active);
});

test('province overview: the new district is one child row with its own totals', async () => {
  const res = await overview(P, RANGE);
  assert.deepEqual(res.unit, { code: DEMO.province, name: 'Thành phố Hồ Chí Minh', level: 'province' });
  const codes = res.children.map((c) => c.code);
  assert.deepEqual(codes, [...codes].sort(), 'children sorted by code');
  assert.ok(codes.includes(DEMO.district) && codes.includes(DEMO.dianDistrict), codes.join(','));
  assert.deepEqual(res.children.find((c) => c.code === D), { code: D, name: dName, level: 'district', ...EXPECT_RANGE.D });
  // Districts with no team at all are rows too, never missing.
  const units = await api('GET', '/units', { as: P, query: { parent: DEMO.province, limit: 1000 } });
  for (const u of units.json.items) assert.ok(codes.includes(u.code), `child ${u.code} listed`);
  for (const c of res.children) assert.deepEqual(Object.keys(c), ['code', 'name', 'level', ...FIGURES]);
  for (const f of COUNTS.filter((f) => f !== 'on_time_rate')) {
    assert.ok(res.totals[f] >= EXPECT_RANGE.D[f], `province ${f} ${res.totals[f]} includes the district's ${EXPECT_RANGE.D[f]}`);
  }
});

test('commune level: a commune asked for by the province, and a commune account by default', async () => {
  for (const k of ['C1', 'C2', 'C3', 'C4']) {
    const res = await overview(P, { unit: C[k], ...RANGE });
    assert.deepEqual(res.unit, { code: C[k], name: names[C[k]], level: 'commune' });
    // C4, closed since 2020, is about its last day, when it was one open commune.
    assert.deepEqual(res.totals, k === 'C4' ? rated({ ...EXPECT_RANGE.C4, communes_total: 1 }) : EXPECT_RANGE[k], k);
    assert.equal(res.on, k === 'C4' ? '2019-12-31' : sqlValue(`SELECT unit_today()`));
    assert.deepEqual(res.children, [], `${k} has no children`);
  }
  // The commune account's own figures, by default and when it names its commune.
  const own = await overview(communeUser, RANGE);
  assert.deepEqual(own.unit, { code: C.C1, name: names[C.C1], level: 'commune' });
  assert.deepEqual(own.totals, EXPECT_RANGE.C1);
  assert.deepEqual(own.children, []);
  assert.deepEqual((await overview(communeUser)).totals, EXPECT_ALL.C1);
  assert.deepEqual((await overview(communeUser, { unit: C.C1, ...RANGE })).totals, EXPECT_RANGE.C1);
  // Not its district, nor a sibling.
  for (const unit of [D, C.C2, DEMO.commune]) {
    assertProblem(await api('GET', '/stats/overview', { as: communeUser, query: { unit } }), 404);
  }
});

test('enterprise account: its enterprise\'s figures under its commune, no children', async () => {
  const res = await overview(enterpriseUser, RANGE);
  assert.deepEqual(res.unit, { code: C.C2, name: names[C.C2], level: 'commune' });
  assert.deepEqual(res.totals, EXPECT_RANGE.E);
  assert.deepEqual(res.children, []);
  assert.deepEqual((await overview(enterpriseUser)).totals, EXPECT_ALL.E);
  assert.deepEqual((await overview(enterpriseUser, { unit: C.C2, ...RANGE })).totals, EXPECT_RANGE.E);
  for (const unit of [C.C1, D, DEMO.commune]) {
    assertProblem(await api('GET', '/stats/overview', { as: enterpriseUser, query: { unit } }), 404);
  }
  const ts = await series(enterpriseUser, { from: '2021-01-01', to: '2021-04-30', metric: 'app_installs' });
  assert.deepEqual(ts, points(['2021-01-01', '2021-02-01', '2021-03-01', '2021-04-01'], [0, 0, 3, 0]));
});

test('demo accounts get their own unit: demo.commune its commune, demo.enterprise its enterprise\'s commune', async () => {
  const c = await overview('demo.commune');
  assert.equal(c.unit.code, DEMO.commune);
  assert.equal(c.unit.level, 'commune');
  assert.deepEqual(c.children, []);
  assert.ok(c.totals.teams_active >= 1 && c.totals.communes_total === 1, JSON.stringify(c.totals));

  const ent = (await whoami('demo.enterprise')).enterprise;
  const entUnit = (await api('GET', `/enterprises/${ent}`, { as: P })).json.unit_code;
  const e = await overview('demo.enterprise');
  assert.equal(e.unit.code, entUnit);
  assert.deepEqual(e.children, []);
  assert.equal(e.totals.communes_total, 1);
  // Only its own teams, never the commune's other teams (other test files add teams to both).
  const communeTeams = await api('GET', '/teams', { as: P, query: { unit: entUnit, status: 'active', limit: 1 } });
  assert.ok(e.totals.teams_active >= 1 && e.totals.teams_active < communeTeams.json.total,
    `enterprise ${e.totals.teams_active} active teams, commune ${communeTeams.json.total}`);
  assertProblem(await api('GET', '/stats/overview', { as: 'demo.enterprise', query: { unit: DEMO.district } }), 404);
  assertProblem(await api('GET', '/stats/timeseries', { as: 'demo.enterprise', query: { unit: DEMO.dian } }), 404);
});

test('scope: demo.district never sees the new district, and its own figures never count it', async () => {
  for (const unit of [D, C.C1, C.C3, DEMO.province, DEMO.dian]) {
    const res = await api('GET', '/stats/overview', { as: 'demo.district', query: { unit } });
    assertProblem(res, 404, { kind: 'not-found' });
    assertProblem(await api('GET', '/stats/timeseries', { as: 'demo.district', query: { unit } }), 404);
  }
  // Out of scope answers exactly like a unit that does not exist.
  const missing = await api('GET', '/stats/overview', { as: 'demo.district', query: { unit: '99998' } });
  const hidden = await api('GET', '/stats/overview', { as: 'demo.district', query: { unit: D } });
  assert.equal(hidden.json.detail, missing.json.detail);

  const after718 = await overview('demo.district', RANGE);
  assert.equal(after718.unit.code, DEMO.district);
  const units = await api('GET', '/units', { as: 'demo.district', query: { parent: DEMO.district, limit: 1000 } });
  assert.deepEqual(after718.children.map((c) => c.code), units.json.items.map((u) => u.code).sort(),
    'children: exactly the units whose parent is 718');
  // Activities and targets of RANGE (2021-01..03) exist only in the new district: 718 is unchanged.
  const ranged = FIGURES.slice(FIGURES.indexOf('activities'));
  for (const f of ranged) assert.deepEqual(after718.totals[f], before718.totals[f], `718 ${f} before/after`);
  assert.ok(!after718.children.some((c) => Object.values(C).includes(c.code)));
});

test('on time until 23:59:59 of the due date in Vietnam; overdue from that midnight (app_clock)', async () => {
  const june = { unit: D, from: '2021-06-01', to: '2021-06-30' };
  try {
    setClock('2021-06-30T23:59:59+07:00');
    let t = (await overview(P, june)).totals;
    assert.deepEqual([t.targets_pending, t.targets_overdue, t.targets_done_on_time, t.targets_done_late, t.on_time_rate],
      [1, 0, 1, 1, 0.5], 'one second before midnight: C1 pending');
    setClock('2021-06-30T17:00:00Z'); // = 2021-07-01 00:00:00 in Vietnam
    t = (await overview(P, june)).totals;
    assert.deepEqual([t.targets_pending, t.targets_overdue, t.targets_done_on_time, t.targets_done_late, t.on_time_rate],
      [0, 1, 1, 1, 0.3333], 'at midnight: C1 overdue; 1 / 3 rounded to 4 decimals');
    // A commune closed after today still counts; closed today does not ("open": valid_to after today).
    setClock('2019-12-31T16:59:59Z'); // 2019-12-31 23:59:59 in Vietnam: C4 (valid_to 2020-01-01) is open
    assert.equal((await overview(P, { unit: D })).totals.communes_total, 4);
    setClock('2019-12-31T17:00:00Z'); // 2020-01-01 00:00 in Vietnam
    assert.equal((await overview(P, { unit: D })).totals.communes_total, 3);
  } finally {
    clearClock();
  }
});

test('timeseries: one point per month or week, zeros included, whole periods', async () => {
  const months = ['2020-11-01', '2020-12-01', '2021-01-01', '2021-02-01', '2021-03-01', '2021-04-01', '2021-05-01'];
  const q = { unit: D, from: '2020-11-15', to: '2021-05-10' };
  assert.deepEqual(await series(P, q), points(months, [0, 1, 3, 1, 2, 1, 0]), 'default metric: activities');
  assert.deepEqual(await series(P, { ...q, interval: 'month', metric: 'activities' }), points(months, [0, 1, 3, 1, 2, 1, 0]));
  assert.deepEqual(await series(P, { ...q, metric: 'people_reached' }), points(months, [0, 100, 60, 15, 58, 1, 0]));
  assert.deepEqual(await series(P, { ...q, metric: 'vneid_activations' }), points(months, [0, 0, 12, 0, 20, 0, 0]));
  assert.deepEqual(await series(P, { ...q, metric: 'ecommerce_shops' }), points(months, [0, 2, 0, 1, 0, 0, 0]));
  assert.deepEqual(await series(P, { ...q, metric: 'people_trained' }), points(months, [0, 0, 9, 0, 6, 0, 0]));

  // Weeks start on Monday; 2021-01-01 is a Friday, so the first week is 2020-12-28 and counts A7
  // (2020-12-31): a period is counted whole.
  const weeks = ['2020-12-28', '2021-01-04', '2021-01-11', '2021-01-18', '2021-01-25', '2021-02-01'];
  const w = { unit: D, from: '2021-01-01', to: '2021-02-07', interval: 'week' };
  assert.deepEqual(await series(P, w), points(weeks, [1, 1, 1, 0, 1, 1]));
  assert.deepEqual(await series(P, { ...w, unit: C.C1 }), points(weeks, [0, 1, 1, 0, 1, 1]));
  assert.deepEqual(await series(communeUser, { ...w, unit: undefined }), points(weeks, [0, 1, 1, 0, 1, 1]), 'its own commune');
  assert.deepEqual(await series(P, { ...w, unit: C.C3 }), points(weeks, [0, 0, 0, 0, 0, 0]), 'a commune with no team');

  // One period; a range ending on the period's first day.
  assert.deepEqual(await series(P, { unit: D, from: '2021-03-31', to: '2021-03-31' }), points(['2021-03-01'], [2]));
  assert.deepEqual(await series(P, { unit: D, from: '2021-02-28', to: '2021-03-01', interval: 'week' }),
    points(['2021-02-22', '2021-03-01'], [0, 0]));
  // At most 400 periods: 2000-01 .. 2033-04 is 400 months.
  assert.equal((await series(P, { unit: D, from: '2000-01-01', to: '2033-04-30' })).length, 400);
});

test('timeseries defaults: month, activities, to = today in Vietnam, 12 periods (app_clock)', async () => {
  try {
    setClock('2021-03-20T10:00:00+07:00');
    const m = await series(P, { unit: D });
    assert.equal(m.length, 12);
    assert.equal(m[0].period_start, '2020-04-01');
    assert.equal(m[11].period_start, '2021-03-01');
    assert.deepEqual(m.map((p) => p.value), [0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 1, 2]);
    const w = await series(P, { unit: D, interval: 'week' });
    assert.deepEqual(w.map((p) => p.period_start), ['2020-12-28', '2021-01-04', '2021-01-11', '2021-01-18', '2021-01-25',
      '2021-02-01', '2021-02-08', '2021-02-15', '2021-02-22', '2021-03-01', '2021-03-08', '2021-03-15']);
    assert.deepEqual(w.map((p) => p.value), [1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0]);
    // from only: up to today. to only: the 11 periods before.
    assert.equal((await series(P, { unit: D, from: '2021-01-15' })).map((p) => p.period_start).join(),
      '2021-01-01,2021-02-01,2021-03-01');
    const toOnly = await series(P, { unit: D, to: '2021-02-10' });
    assert.equal(toOnly.length, 12);
    assert.equal(toOnly[0].period_start, '2020-03-01');
    // from after today (to not given) is a reversed range.
    assertProblem(await api('GET', '/stats/timeseries', { as: P, query: { unit: D, from: '2021-03-21' } }), 422, { fields: ['from'] });

    // Today is Vietnam's date: 2021-03-31 17:30 UTC is already 1 April there.
    setClock('2021-03-31T17:30:00Z');
    const april = await series(P, { unit: D });
    assert.equal(april[11].period_start, '2021-04-01');
    assert.equal(april[11].value, 1, 'A8, held 2021-04-01');
  } finally {
    clearClock();
  }
});

test('bad parameters answer 422 naming the parameter; unknown units 404', async () => {
  const bad = [
    ['/stats/overview', { from: '2021-02-30' }, ['from']],
    ['/stats/overview', { to: 'yesterday' }, ['to']],
    ['/stats/overview', { from: '2021-03-01', to: '2021-02-28' }, ['from']],
    ['/stats/timeseries', { interval: 'day' }, ['interval']],
    ['/stats/timeseries', { metric: 'members_active' }, ['metric']],
    ['/stats/timeseries', { interval: 'year', metric: 'x', from: '21-01-01' }, ['interval', 'metric', 'from']],
    ['/stats/timeseries', { from: '2021-03-01', to: '2021-02-28' }, ['from']],
    ['/stats/timeseries', { from: '2000-01-01', to: '2033-05-01' }, ['from']], // 401 months
    ['/stats/timeseries', { from: '2000-01-01', to: '2021-01-01', interval: 'week' }, ['from']],
  ];
  for (const [path, query, fields] of bad) {
    assertProblem(await api('GET', path, { as: P, query: { unit: D, ...query } }), 422, { fields });
  }
  for (const path of ['/stats/overview', '/stats/timeseries']) {
    for (const unit of ['99998', 'abc', '7', '74 ', '0000000']) {
      assertProblem(await api('GET', path, { as: P, query: { unit } }), 404, { kind: 'not-found' });
    }
    // An empty unit means the caller's own.
    const res = await api('GET', path, { as: 'demo.district', query: { unit: '' } });
    assert.equal(res.status, 200, show(res));
    assertProblem(await api('GET', path), 401);
  }
  assert.equal((await overview('demo.district', { unit: '' })).unit.code, DEMO.district);
});
