// Scope edges (issue 11, items 7 and 10): where enterprises and their teams may be put, accounts
// whose role does not match their unit's level, a district's view of a province's deadline, one
// province's structure rules, teams in closed communes.
//
// A province of its own (code 99, "Tỉnh Thử nghiệm", made here if missing) keeps the deadline and
// the rules of this file away from the demo province's figures: a province-wide deadline in 74
// would add a target to every demo commune, and the rules are per province. Each run adds new
// communes to it, so counts are taken from the database, never assumed.

import { after, before, describe, test } from 'node:test';
import {
  api, assert, assertCreated, assertProblem, createTeam, DEMO, show, sql, sqlValue, taxCode, uniq,
} from './lib.mjs';

const P = 'demo.province';
const C = 'demo.commune'; // 25747
const E = 'demo.enterprise'; // enterprise 1, located in 25747
const OWN_ENTERPRISE = '00000000-0000-4000-8000-200000000001';
const DIAN_ENTERPRISE = { id: '00000000-0000-4000-8000-200000000002', tax: '3703259146' }; // located in 25942

/** An account made in the database (password demo12345, as the demo accounts). */
function account(prefix, role, unit) {
  const name = `${prefix}.${uniq('x').split(' ')[1]}`.toLowerCase();
  sql(`INSERT INTO users (username, password_hash, full_name, role, unit_code)
       SELECT :'name', password_hash, 'Thử phạm vi', :'role', :'unit' FROM users WHERE username = 'demo.commune';`,
  { name, role, unit });
  return name;
}

/** n commune codes no unit has (99100..99899, kept for this file). */
function freeCodes(n) {
  return sql(`SELECT c::text FROM generate_series(99100, 99899) c
               WHERE NOT EXISTS (SELECT 1 FROM units WHERE code = c::text) LIMIT ${n}`).map((r) => r[0]);
}

let T; // the test province: {p99, d998, communes: [a, b], provinceUser, districtUser, communeUser}

before(() => {
  sql(`INSERT INTO units (code, name, level, parent_code, ancestors) VALUES
         ('99', 'Tỉnh Thử nghiệm', 'province', NULL, '{}'),
         ('998', 'Huyện Thử nghiệm Một', 'district', '99', '{}'),
         ('999', 'Huyện Thử nghiệm Hai', 'district', '99', '{}')
       ON CONFLICT (code) DO NOTHING;`);
  const [a, b, c] = freeCodes(3);
  sql(`INSERT INTO units (code, name, level, parent_code, ancestors) VALUES
         (:'a', 'Xã Thử A', 'commune', '998', '{}'), (:'b', 'Xã Thử B', 'commune', '998', '{}'),
         (:'c', 'Xã Thử C', 'commune', '999', '{}');`, { a, b, c });
  T = {
    communes: [a, b, c],
    provinceUser: account('p99', 'province', '99'),
    districtUser: account('d998', 'district', '998'),
  };
});

describe('item 7: enterprises and their teams', () => {
  test('a commune cannot attach a team to an enterprise outside its scope: API 403, import 422, nothing written', async () => {
    const name = uniq('Tổ DN ngoài phạm vi');
    const res = await api('POST', '/teams', {
      as: C, body: { name, kind: 'enterprise', unit_code: DEMO.commune, enterprise_id: DIAN_ENTERPRISE.id },
    });
    assertProblem(res, 403);
    assert.match(res.json.detail, /enterprise/);
    const ext = `edge-${uniq('t').split(' ')[1]}`;
    const csv = `external_id,name,kind,unit_code,enterprise_tax_code\n${ext},${name},enterprise,${DEMO.commune},${DIAN_ENTERPRISE.tax}\n`;
    const imp = await api('POST', '/import/teams', { as: C, raw: csv, headers: { 'Content-Type': 'text/csv' } });
    assertProblem(imp, 422, { fields: ['enterprise_tax_code'] });
    assert.deepEqual(imp.json.errors.map((e) => [e.row, e.field, e.message]),
      [[2, 'enterprise_tax_code', 'no enterprise with this tax code in your scope']]);
    assert.equal(sqlValue('SELECT count(*) FROM teams WHERE name = :\'name\' OR external_id = :\'ext\'', { name, ext }), '0');
    // The province, whose scope holds both, may.
    const ok = await api('POST', '/teams', {
      as: P, body: { name, kind: 'enterprise', unit_code: DEMO.commune, enterprise_id: DIAN_ENTERPRISE.id },
    });
    assertCreated(ok, '/teams');
    assert.equal((await api('DELETE', `/teams/${ok.json.id}`, { as: P })).status, 204);
  });

  test('an enterprise account cannot move its enterprise to another unit', async () => {
    const before = (await api('GET', `/enterprises/${OWN_ENTERPRISE}`, { as: E })).json;
    const res = await api('PATCH', `/enterprises/${OWN_ENTERPRISE}`, { as: E, body: { unit_code: DEMO.dian } });
    assertProblem(res, 403);
    const now = (await api('GET', `/enterprises/${OWN_ENTERPRISE}`, { as: E })).json;
    assert.equal(now.unit_code, DEMO.commune);
    assert.equal(now.version, before.version, 'the refused move changed nothing');
    // Its other fields it still edits; the same unit_code is no move.
    const edit = await api('PATCH', `/enterprises/${OWN_ENTERPRISE}`, { as: E, body: { unit_code: DEMO.commune, contact_name: before.contact_name } });
    assert.equal(edit.status, 200, show(edit));
  });

  test('an enterprise account files only enterprise and organization teams of its own, in its commune', async () => {
    const refusedCommuneKind = await api('POST', '/teams', {
      as: E, body: { name: uniq('Tổ xã giả'), kind: 'commune', unit_code: DEMO.commune, enterprise_id: OWN_ENTERPRISE },
    });
    assertProblem(refusedCommuneKind, 403);
    const refusedElsewhere = await api('POST', '/teams', {
      as: E, body: { name: uniq('Tổ nơi khác'), kind: 'enterprise', unit_code: DEMO.dian, enterprise_id: OWN_ENTERPRISE },
    });
    assertProblem(refusedElsewhere, 403);
    const own = await api('POST', '/teams', {
      as: E, body: { name: uniq('Tổ doanh nghiệp'), kind: 'organization', unit_code: DEMO.commune, enterprise_id: OWN_ENTERPRISE },
    });
    const team = assertCreated(own, '/teams');
    assertProblem(await api('PATCH', `/teams/${team.id}`, { as: E, body: { kind: 'hamlet', hamlet: 'Khu phố 9' } }), 403);
    assertProblem(await api('PATCH', `/teams/${team.id}`, { as: E, body: { unit_code: DEMO.dian } }), 403);
    assert.equal((await api('GET', `/teams/${team.id}`, { as: E })).json.version, 1);

    const rows = [
      `external_id,name,kind,unit_code,hamlet,enterprise_id`,
      `edge-h-${team.id},${uniq('Tổ ấp giả')},hamlet,${DEMO.commune},Ấp 1,${OWN_ENTERPRISE}`,
      `edge-d-${team.id},${uniq('Tổ nơi khác')},enterprise,${DEMO.dian},,${OWN_ENTERPRISE}`,
    ].join('\n');
    const imp = await api('POST', '/import/teams', { as: E, raw: rows, headers: { 'Content-Type': 'text/csv' } });
    assertProblem(imp, 422);
    assert.deepEqual(imp.json.errors.map((e) => [e.row, e.field]), [[2, 'kind'], [3, 'unit_code']]);
    assert.equal((await api('DELETE', `/teams/${team.id}`, { as: E })).status, 204);
  });

  test('an account\'s role matches its unit\'s level', async () => {
    const res = await api('POST', '/users', {
      as: P, body: { username: `edge.${uniq('u').split(' ')[1]}`, password: 'Mat-khau-2026!', role: 'commune', unit_code: DEMO.district },
    });
    assertProblem(res, 422, { fields: ['unit_code'] });
    assert.match(res.json.errors[0].message, /commune level/);
    // Nor can it be written around the API.
    assert.throws(() => sql(`INSERT INTO users (username, password_hash, role, unit_code)
                             VALUES ('edge.sql.${Date.now()}', '!', 'commune', '718');`), /commune level/);
    const ok = await api('POST', '/users', {
      as: P, body: { username: `edge.${uniq('u').split(' ')[1]}`, password: 'Mat-khau-2026!', role: 'district', unit_code: DEMO.district },
    });
    assert.equal(ok.status, 201, show(ok));
  });
});

describe('item 10: a district and the province\'s deadlines', () => {
  let deadline;
  before(async () => {
    const body = {
      title: uniq('Báo cáo toàn tỉnh'), kind: 'report', due_on: '2031-03-17', target_level: 'commune', scope_unit: '99',
    };
    deadline = assertCreated(await api('POST', '/deadlines', { as: T.provinceUser, body }), '/deadlines');
  });
  after(async () => {
    await api('DELETE', `/deadlines/${deadline.id}`, { as: T.provinceUser });
  });

  test('the district lists it, reads it and its targets, counted over its own communes', async () => {
    const mine = Number(sqlValue(`SELECT count(*) FROM deadline_targets t JOIN units u ON u.code = t.unit_code
                                   WHERE t.deadline_id = :'d' AND u.parent_code = '998'`, { d: deadline.id }));
    const all = Number(sqlValue(`SELECT count(*) FROM deadline_targets WHERE deadline_id = :'d'`, { d: deadline.id }));
    assert.ok(mine >= 2 && all > mine, `targets: ${mine} of ${all} in 998`);

    const list = await api('GET', '/deadlines', { as: T.districtUser, query: { from: '2031-03-17', to: '2031-03-17', limit: 1000 } });
    assert.equal(list.status, 200, show(list));
    const item = list.json.items.find((d) => d.id === deadline.id);
    assert.ok(item, 'the district lists the province\'s deadline to its communes');
    assert.equal(item.targets.total, mine, 'its counts are of its own communes');
    assert.equal(item.targets.pending, mine);

    const one = await api('GET', `/deadlines/${deadline.id}`, { as: T.districtUser });
    assert.equal(one.status, 200, show(one));
    assert.deepEqual(one.json.targets, item.targets);
    const targets = await api('GET', `/deadlines/${deadline.id}/targets`, { as: T.districtUser, query: { limit: 1000 } });
    assert.equal(targets.json.total, mine);
    assert.ok(targets.json.items.every((t) => t.unit_code !== T.communes[2]), 'no target of the other district');

    // The dashboard counts the same targets.
    const stats = await api('GET', '/stats/overview', { as: T.districtUser, query: { from: '2031-03-17', to: '2031-03-17' } });
    assert.equal(stats.status, 200, show(stats));
    assert.equal(stats.json.totals.targets_pending + stats.json.totals.targets_overdue, mine);

    // The issuer still sees them all; the other district's status filter is its own.
    assert.equal((await api('GET', `/deadlines/${deadline.id}`, { as: T.provinceUser })).json.targets.total, all);
    const done = await api('POST', `/deadlines/${deadline.id}/complete`, { as: T.provinceUser, body: { unit_code: T.communes[0] } });
    assert.equal(done.status, 200, show(done));
    const byStatus = await api('GET', '/deadlines', { as: T.districtUser, query: { status: 'pending', from: '2031-03-17', to: '2031-03-17' } });
    assert.ok(byStatus.json.items.some((d) => d.id === deadline.id), 'still pending for the district: one of its communes is not done');
  });

  test('a deadline with no target in the district stays invisible to it', async () => {
    const other = assertCreated(await api('POST', '/deadlines', {
      as: T.provinceUser, body: { title: uniq('Báo cáo huyện hai'), kind: 'report', due_on: '2031-03-18', target_level: 'commune', scope_unit: '999' },
    }), '/deadlines');
    assertProblem(await api('GET', `/deadlines/${other.id}`, { as: T.districtUser }), 404);
    await api('DELETE', `/deadlines/${other.id}`, { as: T.provinceUser });
  });
});

describe('item 10: structure rules are one set per province', () => {
  test('one province\'s PUT /rules leaves every other province\'s as they were', async () => {
    const demoBefore = (await api('GET', '/rules', { as: P })).json;
    const own = await api('GET', '/rules', { as: T.provinceUser });
    assert.equal(own.status, 200, show(own));
    const { version, ...rules } = own.json;
    // Province 99 asks a hamlet team for a leader alone; the defaults (still the demo's) for 3 to 7
    // members with a leader, a deputy and one IT-skilled member.
    const lenient = { min_members: 1, max_members: null, leader_required: true, deputy_required: false, min_it_skilled: 0, required_affiliations: [] };
    const put = await api('PUT', '/rules', {
      as: T.provinceUser, body: { ...rules, hamlet: lenient }, headers: { 'If-Match': `"${version}"` },
    });
    assert.equal(put.status, 200, show(put));
    assert.deepEqual(put.json.hamlet, lenient);
    assert.ok(put.json.version > version);
    assert.deepEqual((await api('GET', '/rules', { as: P })).json, demoBefore, 'the demo province\'s rules did not move');
    assert.deepEqual((await api('GET', '/rules', { as: T.districtUser })).json.hamlet, lenient, 'a district reads its province\'s');

    // Compliance follows the team's province: one leader is enough in 99, not in 74.
    const teamIn99 = await createTeam(T.provinceUser, { unit_code: T.communes[0] });
    const teamIn74 = await createTeam(P);
    for (const [as, team] of [[T.provinceUser, teamIn99], [P, teamIn74]]) {
      const m = await api('POST', `/teams/${team.id}/members`, { as, body: { full_name: uniq('Tổ trưởng'), position: 'leader' } });
      assert.equal(m.status, 201, show(m));
    }
    assert.deepEqual((await api('GET', `/teams/${teamIn99.id}`, { as: T.provinceUser })).json.compliance, { ok: true, problems: [] });
    assert.equal((await api('GET', `/teams/${teamIn74.id}`, { as: P })).json.compliance.ok, false);
  });
});

describe('item 10: closed communes, error fields', () => {
  test('no team is set up in, or moved to, a closed commune', async () => {
    const [closed] = freeCodes(1);
    sql(`INSERT INTO units (code, name, level, parent_code, valid_to, ancestors)
         VALUES (:'c', 'Xã Đã Giải Thể', 'commune', '998', '2025-07-01', '{}');`, { c: closed });
    const res = await api('POST', '/teams', {
      as: T.provinceUser, body: { name: uniq('Tổ'), kind: 'commune', unit_code: closed },
    });
    assertProblem(res, 422, { fields: ['unit_code'] });
    assert.match(res.json.errors[0].message, /closed on 01\/07\/2025/);
    const team = await createTeam(T.provinceUser, { unit_code: T.communes[1] });
    assertProblem(await api('PATCH', `/teams/${team.id}`, { as: T.provinceUser, body: { unit_code: closed } }), 422, { fields: ['unit_code'] });
    // A team already in a commune that closes can still be changed (dissolved).
    sql(`UPDATE units SET valid_to = '2025-07-01' WHERE code = :'c';`, { c: T.communes[1] });
    try {
      const dissolved = await api('PATCH', `/teams/${team.id}`, { as: T.provinceUser, body: { status: 'dissolved' } });
      assert.equal(dissolved.status, 200, show(dissolved));
    } finally {
      sql(`UPDATE units SET valid_to = NULL WHERE code = :'c';`, { c: T.communes[1] });
    }
  });

  test('a duplicate external_id names the field external_id, for every resource', async () => {
    const team = await createTeam(P, { external_id: `edge-${taxCode()}` });
    const dupTeam = await api('POST', '/teams', { as: P, body: { name: uniq('Tổ'), kind: 'commune', unit_code: DEMO.commune, external_id: team.external_id } });
    assertProblem(dupTeam, 409, { fields: ['external_id'] });
    const ext = `edge-act-${taxCode()}`;
    const body = { external_id: ext, team_id: team.id, held_on: '2026-01-05', kind: 'other', title: uniq('Hoạt động') };
    assert.equal((await api('POST', '/activities', { as: P, body })).status, 201);
    const dup = await api('POST', '/activities', { as: P, body: { ...body, title: uniq('Trùng') } });
    assertProblem(dup, 409);
    assert.deepEqual(dup.json.errors.map((e) => e.field), ['external_id']);
  });
});

describe('item 10: GET /clients/{id}', () => {
  test('the Location of a new client answers, for province accounts in scope only', async () => {
    const made = await api('POST', '/clients', { as: P, body: { name: uniq('Hệ thống'), role: 'commune', unit_code: DEMO.commune } });
    assert.equal(made.status, 201, show(made));
    const location = made.headers.get('location');
    const got = await api('GET', location, { as: P });
    assert.equal(got.status, 200, show(got));
    assert.equal(got.headers.get('etag'), '"1"');
    const { client_secret: secret, ...shown } = made.json;
    assert.ok(secret);
    assert.deepEqual(got.json, shown, 'the client as created, without its secret');
    assertProblem(await api('GET', location, { as: 'demo.district' }), 403);
    assertProblem(await api('GET', location, { as: T.provinceUser }), 404);
  });
});
