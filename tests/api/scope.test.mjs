// Scope (DESIGN §3): the "done when" facts about what each demo account sees and may do.

import { before, test } from 'node:test';
import {
  api, assert, assertProblem, createEnterprise, createMember, createTeam, DEMO, haveDb, listAll,
  randomUUID, show, sql, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';
let dianTeam; // a team in Dĩ An created for this file
let pcTeam; // a team in Phú Cường created for this file
let seedDianTeamId; // a Dĩ An team from the demo data
let ent; // the demo enterprise id

before(async () => {
  pcTeam = await createTeam(P, { unit_code: DEMO.commune });
  dianTeam = await createTeam(P, { unit_code: DEMO.dian });
  const list = await api('GET', '/teams', { as: P, query: { unit: DEMO.dian, limit: 1000 } });
  assert.equal(list.status, 200, show(list));
  const seeded = list.json.items.filter((t) => t.id !== dianTeam.id && !/\sr[0-9a-z]+-\d+$/.test(t.name));
  seedDianTeamId = (seeded[0] ?? list.json.items[0]).id;
  ent = (await whoami('demo.enterprise')).enterprise;
  assert.ok(ent, 'demo.enterprise token carries its enterprise');
});

test('the demo data has teams in Phú Cường (25747) and in Dĩ An (25942)', async () => {
  for (const unit of [DEMO.commune, DEMO.dian]) {
    const res = await api('GET', '/teams', { as: P, query: { unit } });
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json.total >= 1, `no team in ${unit}`);
    for (const t of res.json.items) assert.equal(t.unit_code, unit, `unit filter ${unit}`);
  }
});

test('demo.commune lists only teams of 25747', async () => {
  const { items, total } = await listAll('demo.commune', '/teams');
  assert.ok(total >= 1 && items.length === total, `total ${total}, items ${items.length}`);
  for (const t of items) assert.equal(t.unit_code, DEMO.commune, `team ${t.id} ${t.name} in ${t.unit_code}`);
  assert.ok(items.some((t) => t.id === pcTeam.id), 'own commune team listed');
  assert.ok(!items.some((t) => t.id === dianTeam.id), 'Dĩ An team listed to Phú Cường');
  // Asking for another unit explicitly yields nothing, not its teams.
  const other = await api('GET', '/teams', { as: 'demo.commune', query: { unit: DEMO.dian } });
  assert.ok([200, 404, 403].includes(other.status), show(other));
  if (other.status === 200) assert.equal(other.json.total, 0, `unit=${DEMO.dian} as commune: ${other.text.slice(0, 300)}`);
  // Members too.
  const members = await listAll('demo.commune', '/members');
  const teamIds = new Set(items.map((t) => t.id));
  for (const m of members.items) assert.ok(teamIds.has(m.team_id), `member ${m.id} of team ${m.team_id} out of scope`);
});

test('a Dĩ An team answers 404 to demo.commune, exactly like a missing one', async () => {
  for (const id of [seedDianTeamId, dianTeam.id]) {
    const res = await api('GET', `/teams/${id}`, { as: 'demo.commune' });
    assertProblem(res, 404, { kind: 'not-found' });
    const missing = await api('GET', `/teams/${randomUUID()}`, { as: 'demo.commune' });
    assertProblem(missing, 404);
    assert.equal(res.json.title, missing.json.title);
    assert.equal(res.json.type, missing.json.type);
    // And every other method on it.
    assertProblem(await api('PATCH', `/teams/${id}`, { as: 'demo.commune', body: { note: 'x' } }), 404);
    assertProblem(await api('DELETE', `/teams/${id}`, { as: 'demo.commune' }), 404);
    // The members' page and its exports answer the same 404, whose team the page looks up in
    // its own statement, and for a team that does not exist at all.
    for (const team of [id, randomUUID()]) {
      for (const query of [{}, { limit: 2, sort: 'full_name' }, { format: 'csv' }, { format: 'xlsx' }]) {
        const page = await api('GET', `/teams/${team}/members`, { as: 'demo.commune', query });
        assertProblem(page, 404);
        assert.equal(page.json.detail, 'No team with this id in your scope');
      }
    }
    assertProblem(await api('POST', `/teams/${id}/members`, { as: 'demo.commune', body: { full_name: uniq('Thử') } }), 404);
  }
  // Still there for the province.
  assert.equal((await api('GET', `/teams/${dianTeam.id}`, { as: P })).status, 200);
});

test('demo.commune may not create a team in 25942 (403) but may in 25747', async () => {
  const name = uniq('Tổ ngoài phạm vi');
  const res = await api('POST', '/teams', { as: 'demo.commune', body: { name, kind: 'hamlet', unit_code: DEMO.dian, hamlet: 'Khu phố 2' } });
  assertProblem(res, 403, { kind: 'forbidden' });
  const found = await api('GET', '/teams', { as: P, query: { q: name } });
  assert.equal(found.json.total, 0, 'the refused team was written');
  const ok = await api('POST', '/teams', { as: 'demo.commune', body: { name: uniq('Tổ trong phạm vi'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 2' } });
  assert.equal(ok.status, 201, show(ok));
});

test('demo.commune may not move its team out of scope (403)', async () => {
  const team = await createTeam('demo.commune');
  const res = await api('PATCH', `/teams/${team.id}`, { as: 'demo.commune', body: { unit_code: DEMO.dian } });
  assertProblem(res, 403);
  const after = await api('GET', `/teams/${team.id}`, { as: P });
  assert.equal(after.json.unit_code, DEMO.commune);
  assert.equal(after.json.version, 1);
  // Moving a member to a team out of scope is refused too (404 for the unseen team, or 403).
  const m = await createMember('demo.commune', team.id);
  const mv = await api('PATCH', `/members/${m.id}`, { as: 'demo.commune', body: { team_id: dianTeam.id } });
  assert.ok([403, 404, 422].includes(mv.status), show(mv));
  assert.equal((await api('GET', `/members/${m.id}`, { as: P })).json.team_id, team.id);
});

test('demo.district (990) sees its communes, not Dĩ An (25942, under 991)', async () => {
  const children = await listAll('demo.district', '/units', { parent: DEMO.district });
  const codes = new Set(children.items.map((u) => u.code));
  assert.ok(codes.has(DEMO.commune), '25747 among 990 children');
  assert.ok(codes.size >= 5, `990 has 5 communes, saw ${codes.size}`);
  for (const u of children.items) assert.equal(u.parent_code, DEMO.district);

  const all = await listAll('demo.district', '/units');
  const allCodes = new Set(all.items.map((u) => u.code));
  assert.ok(!allCodes.has(DEMO.dian), 'Dĩ An commune listed to district 990');
  assert.ok(!allCodes.has(DEMO.dianDistrict), 'district 991 listed to district 990');
  assert.ok(!allCodes.has(DEMO.province), 'the province listed to district 990');
  for (const u of all.items) {
    assert.ok(u.code === DEMO.district || u.parent_code === DEMO.district, `unit ${u.code} (parent ${u.parent_code}) outside 990`);
  }
  assertProblem(await api('GET', `/units/${DEMO.dian}`, { as: 'demo.district' }), 404);
  assert.equal((await api('GET', `/units/${DEMO.commune}`, { as: 'demo.district' })).status, 200);

  // Teams: Phú Cường yes, Dĩ An no.
  const teams = await listAll('demo.district', '/teams');
  assert.ok(teams.items.some((t) => t.id === pcTeam.id));
  assert.ok(!teams.items.some((t) => t.unit_code === DEMO.dian), 'Dĩ An team listed to 718');
  assertProblem(await api('GET', `/teams/${dianTeam.id}`, { as: 'demo.district' }), 404);
});

test('demo.enterprise sees only its enterprise and its teams', async () => {
  const own = await createTeam(P, { kind: 'enterprise', enterprise_id: ent, name: uniq('Tổ doanh nghiệp') });
  const other = await createEnterprise(P);
  const otherTeam = await createTeam(P, { kind: 'enterprise', enterprise_id: other.id });

  const teams = await listAll('demo.enterprise', '/teams');
  assert.ok(teams.items.some((t) => t.id === own.id), 'own enterprise team listed');
  for (const t of teams.items) assert.equal(t.enterprise_id, ent, `team ${t.id} of enterprise ${t.enterprise_id}`);
  assertProblem(await api('GET', `/teams/${otherTeam.id}`, { as: 'demo.enterprise' }), 404);
  assertProblem(await api('GET', `/teams/${pcTeam.id}`, { as: 'demo.enterprise' }), 404);

  const ents = await listAll('demo.enterprise', '/enterprises');
  assert.deepEqual(ents.items.map((e) => e.id), [ent], 'enterprise list is just its own');
  assert.equal((await api('GET', `/enterprises/${ent}`, { as: 'demo.enterprise' })).status, 200);
  assertProblem(await api('GET', `/enterprises/${other.id}`, { as: 'demo.enterprise' }), 404);

  // It may add a member to its team; members listed are only its teams'.
  await createMember('demo.enterprise', own.id);
  const members = await listAll('demo.enterprise', '/members');
  const ids = new Set(teams.items.map((t) => t.id));
  for (const m of members.items) assert.ok(ids.has(m.team_id), `member ${m.id} of foreign team`);

  // It may not create a team for another enterprise, nor a team without its enterprise.
  assertProblem(await api('POST', '/teams', { as: 'demo.enterprise', body: { name: uniq('Tổ lạ'), kind: 'enterprise', unit_code: DEMO.commune, enterprise_id: other.id } }), 403);
  const hamlet = await api('POST', '/teams', { as: 'demo.enterprise', body: { name: uniq('Tổ lạ'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 9' } });
  assert.ok([403, 422].includes(hamlet.status), show(hamlet));
});

test('the read-only account gets 403 on every write and may read', async () => {
  assert.equal((await api('GET', '/teams', { as: 'demo.readonly' })).status, 200);
  assert.equal((await api('GET', `/teams/${pcTeam.id}`, { as: 'demo.readonly' })).status, 200);
  const name = uniq('Tổ chỉ xem');
  const writes = [
    ['POST', '/teams', { name, kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 1' }],
    ['PATCH', `/teams/${pcTeam.id}`, { note: 'read-only was here' }],
    ['DELETE', `/teams/${pcTeam.id}`, undefined],
    ['POST', `/teams/${pcTeam.id}/members`, { full_name: name }],
    ['POST', '/enterprises', { name, tax_code: '0123456789', unit_code: DEMO.commune }],
    ['PATCH', `/units/${DEMO.commune}`, { name: 'Phường Phú Cường' }],
  ];
  for (const [method, path, body] of writes) {
    assertProblem(await api(method, path, { as: 'demo.readonly', body }), 403, { kind: 'forbidden' });
  }
  const t = await api('GET', `/teams/${pcTeam.id}`, { as: P });
  assert.equal(t.status, 200);
  assert.equal(t.json.version, pcTeam.version, 'read-only PATCH changed the team');
  assert.equal((await api('GET', '/teams', { as: P, query: { q: name } })).json.total, 0);
});

test('only province writes units', async () => {
  for (const who of ['demo.district', 'demo.commune', 'demo.enterprise']) {
    assertProblem(await api('POST', '/units', { as: who, body: { code: '99998', name: uniq('Xã Thử'), level: 'commune', parent_code: DEMO.district } }), 403);
    assertProblem(await api('PATCH', `/units/${DEMO.commune}`, { as: who, body: { name: 'Phường Thủ Dầu Một Mới' } }), 403);
  }
  const u = await api('GET', `/units/${DEMO.commune}`, { as: P });
  assert.equal(u.json.name, 'Phường Thủ Dầu Một');
  assertProblem(await api('GET', '/units/99998', { as: P }), 404);
});

// Lists filter with the set form of the scope predicate (scope_unit_codes, sql/functions/05_units.sql)
// and single rows with in_scope / unit_visible: both must draw the same line. Every demo account,
// plus no scope at all and a token carrying both a unit and an enterprise, against every place a
// thing can be (each team's and enterprise's place, each unit of the demo province and every
// province and district of the country alone, each enterprise alone, neither).
test('the lists\' set-form scope agrees with in_scope and unit_visible for every demo account', () => {
  assert.ok(haveDb(), 'this test needs DATABASE_URL');
  const rows = sql(`
    WITH actors AS (
        SELECT username AS who, unit_code AS au, enterprise_id AS ae FROM users WHERE username LIKE 'demo.%'
        UNION ALL SELECT 'no scope', NULL, NULL
        UNION ALL SELECT 'unit and enterprise', u.unit_code, u.enterprise_id
          FROM (SELECT :'unit' AS unit_code, (SELECT enterprise_id FROM users
                                               WHERE username = 'demo.enterprise') AS enterprise_id) u),
    things AS (
        SELECT unit_code AS tu, enterprise_id AS te FROM teams
        UNION SELECT unit_code, id FROM enterprises
        UNION SELECT code, NULL FROM units WHERE ancestors @> ARRAY[:'unit'] OR level <> 'commune'
        UNION SELECT NULL, id FROM enterprises
        UNION SELECT NULL, NULL),
    checked AS (
        SELECT a.who, in_scope(a.au, a.ae, t.tu, t.te) AS one,
               coalesce(t.tu = ANY (s.codes) OR t.te = a.ae, false) AS set,
               t.te IS NULL AND t.tu IS NOT NULL AS a_unit,
               CASE WHEN t.te IS NULL AND t.tu IS NOT NULL THEN unit_visible(a.au, a.ae, t.tu) END AS unit_one,
               CASE WHEN t.te IS NULL AND t.tu IS NOT NULL THEN
                   coalesce(t.tu = ANY (s.codes) OR t.tu = s.enterprise_unit, false) END AS unit_set
          FROM actors a
               CROSS JOIN LATERAL (SELECT ARRAY(SELECT scope_unit_codes(a.au, a.ae)) AS codes,
                                          (SELECT e.unit_code FROM enterprises e WHERE e.id = a.ae) AS enterprise_unit) s
               CROSS JOIN things t)
    SELECT who, count(*) FILTER (WHERE one), count(*) FILTER (WHERE one <> set),
           count(*) FILTER (WHERE unit_one), count(*) FILTER (WHERE a_unit AND coalesce(unit_one, false) <> unit_set)
      FROM checked GROUP BY who ORDER BY who`, { unit: DEMO.province });
  const seen = new Map(rows.map(([who, inScope, differ, units, unitsDiffer]) => [who, { inScope: +inScope, differ: +differ, units: +units, unitsDiffer: +unitsDiffer }]));
  for (const who of ['demo.province', 'demo.district', 'demo.commune', 'demo.enterprise', 'demo.readonly', 'demo.commune.dian', 'no scope', 'unit and enterprise']) {
    const r = seen.get(who);
    assert.ok(r, `no row for ${who}`);
    assert.equal(r.differ, 0, `${who}: in_scope and its set form disagree on ${r.differ} places`);
    assert.equal(r.unitsDiffer, 0, `${who}: unit_visible and its set form disagree on ${r.unitsDiffer} units`);
    if (who !== 'no scope') assert.ok(r.inScope > 0 && r.units > 0, `${who} sees nothing: the check would be empty`);
  }
});
