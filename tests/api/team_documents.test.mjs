// Stored team documents (issue 14, item 1; sql/functions/55_team_documents.sql): every team's
// document is kept built by the transaction that changes what it is built from, and the API
// reads it as stored; with them each unit's team figures, which GET /stats/overview reads (item 2). After every kind of write the stored document must be the one team_doc()
// builds from the same snapshot: the team's own fields, its members (added, changed, left,
// removed, imported, several at once), the rules of its province, its commune moved or re-keyed
// by a reorganisation, its unit moved to another province.
//
// The check is global (every team of the database, in one snapshot): a stored document is written
// in the same transaction as the change it follows, so at any moment, whatever other test files
// write meanwhile, each valid stored document equals a fresh build.

import { before, describe, test } from 'node:test';
import {
  api, assert, createMember, createTeam, haveDb, login, show, sql, sqlValue, uniq,
} from './lib.mjs';

const N = 'demo.national';
const P = 'demo.province';

/**
 * Every team has a stored document, and each one valid today is what team_doc() builds now (in
 * the server's zone, which its connections read in and the documents are built in).
 */
function assertStoredAreFresh(what) {
  const [[teams, missing, stale]] = sql(`
    SET TIME ZONE 'Asia/Ho_Chi_Minh';
    SELECT count(*), count(*) FILTER (WHERE d.team_id IS NULL),
           count(*) FILTER (WHERE d.team_id IS NOT NULL AND team_document_valid(d.fresh_from, d.fresh_until)
                              AND d.doc::text <> team_doc(t)::text)
      FROM teams t LEFT JOIN team_documents d ON d.team_id = t.id`);
  assert.ok(Number(teams) > 0);
  assert.deepEqual({ missing: Number(missing), stale: Number(stale) }, { missing: 0, stale: 0 },
    `after ${what}: ${teams} teams, stored documents missing or not as built now`);
  // Each unit's team figures (unit_team_figures, valid today) are what its teams give now, its
  // hamlets with a team included (026_overview_unit_totals.sql).
  const [[units, wrong]] = sql(`
    SET TIME ZONE 'Asia/Ho_Chi_Minh';
    WITH fresh AS (
        SELECT t.unit_code,
               count(*) FILTER (WHERE t.status = 'active') AS active,
               count(*) FILTER (WHERE t.status = 'active' AND (team_compliance(t.id)->>'ok')::boolean) AS compliant,
               coalesce(sum(team_member_count(t.id)) FILTER (WHERE t.status = 'active'), 0) AS members,
               coalesce(sum((SELECT count(*) FROM active_members m WHERE m.team_id = t.id AND m.trained_on IS NOT NULL))
                            FILTER (WHERE t.status = 'active'), 0) AS trained,
               count(DISTINCT t.hamlet_key) FILTER (WHERE t.status = 'active' AND t.hamlet_key <> '') AS hamlets
          FROM teams t GROUP BY t.unit_code)
    SELECT count(*),
           count(*) FILTER (WHERE (coalesce(x.active, 0), coalesce(x.compliant, 0), coalesce(x.members, 0), coalesce(x.trained, 0),
                                   coalesce(x.hamlets, 0))
                                  IS DISTINCT FROM
                                  (coalesce(f.teams_active, 0), coalesce(f.teams_compliant, 0), coalesce(f.members_active, 0),
                                   coalesce(f.members_trained, 0), coalesce(f.hamlets_with_team, 0))
                              AND (f.unit_code IS NULL OR team_document_valid(f.fresh_from, f.fresh_until)))
      FROM fresh x FULL JOIN unit_team_figures f ON f.unit_code = x.unit_code`);
  assert.equal(Number(wrong), 0, `after ${what}: ${wrong} of ${units} units' team figures are not what their teams give now`);
}

/** The stored document of one team, as text; and the API's answer is it. */
async function stored(teamId, as = N) {
  const text = sqlValue(`SET TIME ZONE 'Asia/Ho_Chi_Minh';
    SELECT d.doc::text FROM team_documents d WHERE d.team_id = :'t'
                          AND team_document_valid(d.fresh_from, d.fresh_until)`, { t: teamId });
  assert.ok(text, `team ${teamId} has a stored document valid today`);
  const res = await api('GET', `/teams/${teamId}`, { as });
  assert.equal(res.status, 200, show(res));
  assert.deepEqual(res.json, JSON.parse(text), 'GET answers the stored document');
  return JSON.parse(text);
}

const ok = (res, status, what) => {
  assert.equal(res.status, status, `${what}: ${show(res)}`);
  return res.json;
};

describe('stored team documents', { skip: !haveDb() && 'needs DATABASE_URL' }, () => {
  let province; // a province of this file's own, with its own rules
  let other; // another, with the default rules
  let communeA;
  let communeB;
  let provinceToken;

  before(async () => {
    [province, other] = sql(`SELECT c FROM (SELECT lpad(g::text, 2, '0') AS c FROM generate_series(20, 95) g) x
                              WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.gso_code = x.c)
                              ORDER BY random() LIMIT 2`).map((r) => r[0]);
    const codes = sql(`SELECT lpad(g::text, 5, '0') FROM generate_series(80000, 89999) g
                        WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.gso_code = lpad(g::text, 5, '0'))
                        ORDER BY random() LIMIT 2`).map((r) => r[0]);
    [communeA, communeB] = codes;
    const units = ['code,name,level,parent_code', ...[province, other].map((p) => `${p},Tỉnh Tài Liệu ${p},province,`),
      ...codes.map((c) => `${c},Xã Tài Liệu ${c},commune,${province}`)].join('\n') + '\n';
    ok(await api('POST', '/import/units', { as: N, raw: units, headers: { 'Content-Type': 'text/csv' } }), 200, 'units');
    const username = `docs.${uniq('p').split(' ')[1]}`.toLowerCase();
    ok(await api('POST', '/users', { as: N, body: { username, password: 'Mat-khau-2026!', role: 'province', unit_code: province } }), 201, 'user');
    provinceToken = (await api('POST', '/auth/login', { body: { username, password: 'Mat-khau-2026!' } })).json.access_token;
    assert.ok(provinceToken);
  });

  test('a new team, its members added, changed, left and removed', async () => {
    const team = await createTeam(N, { kind: 'hamlet', unit_code: communeA, hamlet: 'Ấp 1' });
    assertStoredAreFresh('a team created');
    assert.equal((await stored(team.id)).member_count, 0);

    const leader = await createMember(N, team.id, { position: 'leader', affiliation: 'hamlet_head', it_skilled: true });
    const deputy = await createMember(N, team.id, { position: 'deputy', affiliation: 'youth_union' });
    const third = await createMember(N, team.id, { affiliation: 'police' });
    assertStoredAreFresh('members added');
    let doc = await stored(team.id);
    assert.equal(doc.member_count, 3);
    assert.equal(doc.leader.id, leader.id);
    assert.equal(doc.compliance.ok, true, JSON.stringify(doc.compliance));

    ok(await api('PATCH', `/members/${leader.id}`, { as: N, body: { position: 'member', full_name: 'Trần Thị Đổi Tên' } }), 200, 'patch');
    assertStoredAreFresh('a member changed');
    doc = await stored(team.id);
    assert.equal(doc.leader, null);
    assert.equal(doc.compliance.ok, false);

    ok(await api('PATCH', `/members/${deputy.id}`, { as: N, body: { left_on: '2020-01-01' } }), 200, 'left');
    assertStoredAreFresh('a member left');
    doc = await stored(team.id);
    assert.equal(doc.member_count, 2);

    // One who leaves in the future counts until then: the stored document holds until that day.
    const later = new Date(Date.now() + 40 * 86400e3).toISOString().slice(0, 10);
    ok(await api('PATCH', `/members/${third.id}`, { as: N, body: { left_on: later } }), 200, 'leaves later');
    assertStoredAreFresh('a member who leaves later');
    assert.equal((await stored(team.id)).member_count, 2);
    assert.deepEqual(sql(`SELECT fresh_from, fresh_until FROM team_documents WHERE team_id = :'t'`, { t: team.id }),
      [['2020-01-01', later]], 'valid from the last departure to the next');

    ok(await api('DELETE', `/members/${third.id}`, { as: N }), 204, 'delete member');
    assertStoredAreFresh('a member deleted');
    assert.equal((await stored(team.id)).member_count, 1);

    // A change that the document does not read (a phone) leaves it as it was, and still equal.
    const before = sqlValue(`SELECT xmin FROM team_documents WHERE team_id = :'t'`, { t: team.id });
    ok(await api('PATCH', `/members/${leader.id}`, { as: N, body: { phone: '0912345678' } }), 200, 'phone');
    assert.equal(sqlValue(`SELECT xmin FROM team_documents WHERE team_id = :'t'`, { t: team.id }), before, 'not rebuilt');
    assertStoredAreFresh('a phone changed');
  });

  test('the team changed, moved to another commune, dissolved, deleted', async () => {
    const team = await createTeam(N, { kind: 'commune', unit_code: communeA });
    await createMember(N, team.id, { position: 'leader' });
    ok(await api('PATCH', `/teams/${team.id}`, { as: N, body: { name: uniq('Tổ Đổi Tên'), note: 'ghi chú' } }), 200, 'rename');
    assertStoredAreFresh('a team renamed');
    ok(await api('PATCH', `/teams/${team.id}`, { as: N, body: { unit_code: communeB } }), 200, 'move');
    assertStoredAreFresh('a team moved');
    assert.equal((await stored(team.id)).unit_code, communeB);
    ok(await api('PATCH', `/teams/${team.id}`, { as: N, body: { status: 'dissolved' } }), 200, 'dissolve');
    assert.equal((await stored(team.id)).status, 'dissolved');
    ok(await api('DELETE', `/teams/${team.id}`, { as: N }), 204, 'delete');
    assert.equal(sqlValue(`SELECT count(*) FROM team_documents WHERE team_id = :'t'`, { t: team.id }), '0');
    assertStoredAreFresh('a dissolved team deleted');
    // An active team with members, deleted: its commune counts one team fewer.
    const active = await createTeam(N, { kind: 'hamlet', unit_code: communeA, hamlet: 'Ấp 4' });
    await createMember(N, active.id, { position: 'leader' });
    ok(await api('DELETE', `/teams/${active.id}`, { as: N }), 204, 'delete active');
    assertStoredAreFresh('an active team deleted');
  });

  test('many members added at once to one team: the last to commit builds from all', async () => {
    const team = await createTeam(N, { kind: 'hamlet', unit_code: communeA, hamlet: 'Ấp 2' });
    const made = await Promise.all(Array.from({ length: 12 }, (_, k) => createMember(N, team.id, { full_name: `Người ${k}` })));
    assert.equal(made.length, 12);
    assertStoredAreFresh('members added concurrently');
    assert.equal((await stored(team.id)).member_count, 12);
    await Promise.all(made.slice(0, 6).map((m) => api('DELETE', `/members/${m.id}`, { as: N }).then((r) => ok(r, 204, 'delete'))));
    assertStoredAreFresh('members deleted concurrently');
    assert.equal((await stored(team.id)).member_count, 6);
  });

  test('imports of teams and members', async () => {
    const ext = uniq('tl').split(' ')[1];
    const teams = `external_id,name,kind,unit_code,hamlet\n${ext}-1,Tổ Nhập 1,hamlet,${communeA},Ấp 5\n${ext}-2,Tổ Nhập 2,commune,${communeB},\n`;
    ok(await api('POST', '/import/teams', { as: N, raw: teams, headers: { 'Content-Type': 'text/csv' } }), 200, 'import teams');
    assertStoredAreFresh('teams imported');
    const members = 'external_id,team_external_id,full_name,position,affiliation,it_skilled\n'
      + Array.from({ length: 9 }, (_, k) => `${ext}-m${k},${ext}-${1 + (k % 2)},Người Nhập ${k},${k < 2 ? 'leader' : 'member'},police,${k % 3 === 0}`).join('\n') + '\n';
    ok(await api('POST', '/import/members', { as: N, raw: members, headers: { 'Content-Type': 'text/csv' } }), 200, 'import members');
    assertStoredAreFresh('members imported');
    const id = sqlValue(`SELECT id FROM teams WHERE external_id = :'e'`, { e: `${ext}-1` });
    assert.equal((await stored(id)).member_count, 5);
    // Again, with a change: positions moved by the file.
    ok(await api('POST', '/import/members', { as: N, raw: members.replace(',leader,', ',deputy,'), headers: { 'Content-Type': 'text/csv' } }), 200, 'again');
    assertStoredAreFresh('members imported again');
  });

  test('the rules of the team\'s province, set and changed by that province', async () => {
    const team = await createTeam(N, { kind: 'hamlet', unit_code: communeA, hamlet: 'Ấp 9' });
    for (const [position, affiliation] of [['leader', 'hamlet_head'], ['deputy', 'youth_union'], ['member', 'police']]) {
      await createMember(N, team.id, { position, affiliation, it_skilled: true });
    }
    assert.equal((await stored(team.id)).compliance.ok, true);
    const current = (await api('GET', '/rules', { token: provinceToken })).json;
    const { version, ...rules } = current;
    ok(await api('PUT', '/rules', { token: provinceToken, body: { ...rules, hamlet: { ...rules.hamlet, min_members: 5 } } }), 200, 'rules');
    assertStoredAreFresh('the province set its rules');
    const doc = await stored(team.id);
    assert.equal(doc.compliance.ok, false);
    assert.deepEqual(doc.compliance.problems.map((p) => p.code), ['too_few_members']);
    ok(await api('PUT', '/rules', { token: provinceToken, body: { ...rules, hamlet: { ...rules.hamlet, required_affiliations: ['police', 'women_union'] } } }), 200, 'rules again');
    assertStoredAreFresh('the province changed its rules');
    assert.deepEqual((await stored(team.id)).compliance.problems.map((p) => p.code), ['missing_affiliation']);
  });

  test('a reorganisation: the commune closed and its code passed on, the commune moved to another province', async () => {
    const team = await createTeam(N, { kind: 'commune', unit_code: communeB });
    await createMember(N, team.id, { position: 'leader' });
    // Its code passes to a new unit: the old version is re-keyed, and the team follows.
    sql(`UPDATE units SET valid_to = '2026-01-01' WHERE code = :'c'`, { c: communeB });
    const key = sqlValue(`SELECT unit_pass_code(:'c')`, { c: communeB });
    assert.equal(key, `${communeB}@2026-01-01`);
    assertStoredAreFresh('a unit re-keyed');
    assert.equal((await stored(team.id)).unit_code, key);
    // A commune moved under another province is judged by that province's rules (the defaults).
    const moved = await createTeam(N, { kind: 'hamlet', unit_code: communeA, hamlet: 'Ấp 7' });
    assert.equal(sqlValue(`SELECT count(*) FROM structure_rules WHERE province_code = :'p'`, { p: province }), '4');
    const ownRules = (await stored(moved.id)).compliance;
    sql(`UPDATE units SET parent_code = :'p' WHERE code = :'c'`, { p: other, c: communeA });
    assertStoredAreFresh('a commune moved to another province');
    const defaults = (await stored(moved.id)).compliance;
    assert.notDeepEqual(defaults, ownRules, 'judged by the other province\'s rules now');
    sql(`UPDATE units SET parent_code = :'p' WHERE code = :'c'`, { p: province, c: communeA });
    assertStoredAreFresh('moved back');
    assert.deepEqual((await stored(moved.id)).compliance, ownRules);
  });

  test('a missing stored document is answered right all the same, and built by the sync', async () => {
    const team = await createTeam(N, { kind: 'commune', unit_code: communeA });
    await createMember(N, team.id, { position: 'leader' });
    const doc = await stored(team.id);
    sql(`DELETE FROM team_documents WHERE team_id = :'t'`, { t: team.id });
    const res = await api('GET', `/teams/${team.id}`, { as: N });
    assert.deepEqual(res.json, doc, 'built when not stored');
    const list = await api('GET', '/teams', { as: N, query: { unit: communeA, limit: 1000 } });
    assert.deepEqual(list.json.items.find((t) => t.id === team.id), doc);
    assert.ok(Number(sqlValue('SELECT team_documents_sync()')) >= 1);
    assertStoredAreFresh('the sync');
    await stored(team.id);
  });
});

test('the demo\'s teams and every team written by other files have fresh stored documents', { skip: !haveDb() && 'needs DATABASE_URL' }, async () => {
  await login(P);
  assertStoredAreFresh('the demo');
});
