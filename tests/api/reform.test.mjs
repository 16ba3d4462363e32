// The 2025 reform (issue 12): units as versions in time with their lineage, a province without
// districts end to end, re-homing (dry run, then an apply that moves exactly what it listed), the
// figures of 2024 by the old units and by the new ones, unit changes in the change feed.
//
// The demo (sql/seed/demo.sql) is Thành phố Hồ Chí Minh with Bình Dương's history re-homed. The
// re-homing here runs on a reorganisation this file makes itself, in a province of its own (97, in
// no official list), as a national account would: its communes merge and split on 1 January 2026.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  api, assert, assertCreated, assertProblem, CDT_SERVER, DATABASE_URL, DEMO, haveDb, login, ROOT, show, sql, sqlValue,
  uniq,
} from './lib.mjs';

const N = 'demo.national';
const P = 'demo.province'; // 79 since the reform
const csv = (rows) => rows.map((r) => r.join(',')).join('\n') + '\n';
const imp = (resource, text, query, as = N) => api('POST', `/import/${resource}`, {
  ...(as === N ? { as } : { token: tokens.get(as) }), raw: text, query, headers: { 'Content-Type': 'text/csv' },
});
const tokens = new Map(); // username → token, for the accounts this file makes

/** An account made through the API by the national account (password given). */
async function account(role, unit) {
  const username = `rf.${uniq('a').split(' ')[1]}`.toLowerCase();
  const res = await api('POST', '/users', { as: N, body: { username, password: 'Mat-khau-2026!', role, unit_code: unit } });
  assert.equal(res.status, 201, show(res));
  const signin = await api('POST', '/auth/login', { body: { username, password: 'Mat-khau-2026!' } });
  assert.equal(signin.status, 200, show(signin));
  tokens.set(username, signin.json.access_token);
  return { username, token: signin.json.access_token, id: res.json.id };
}

describe('the same code names different units by date', () => {
  test('25747: Phường Thủ Dầu Một today, Phường Phú Cường until 30/06/2025', async () => {
    const now = await api('GET', `/units/${DEMO.commune}`, { as: P });
    assert.equal(now.status, 200, show(now));
    assert.deepEqual([now.json.code, now.json.gso_code, now.json.name, now.json.parent_code, now.json.valid_from],
      ['25747', '25747', 'Phường Thủ Dầu Một', DEMO.district, '2025-07-01']);
    const then = await api('GET', `/units/${DEMO.commune}`, { as: P, query: { on: '2025-06-30' } });
    assert.equal(then.status, 200, show(then));
    assert.deepEqual([then.json.code, then.json.gso_code, then.json.name, then.json.parent_code, then.json.valid_to],
      ['25747@2025-07-01', '25747', 'Phường Phú Cường', '718', '2025-07-01']);
    // The key names that version on any day; the lineage links them.
    assert.deepEqual((await api('GET', '/units/25747@2025-07-01', { as: P })).json, then.json);
    assert.deepEqual(then.json.successors, [{ code: '25747', name: 'Phường Thủ Dầu Một', kind: 'merge', share: 'whole' }]);
    const preds = now.json.predecessors.map((p) => [p.code, p.kind, p.share]);
    assert.deepEqual(preds, [['25741', 'split', 'part'], ['25747@2025-07-01', 'merge', 'whole'], ['25753', 'merge', 'whole'],
      ['25756', 'merge', 'whole'], ['25774', 'split', 'part']]);
    // No version of 74 today; on its last day it is Bình Dương with its 9 districts.
    assert.equal((await api('GET', '/units/74', { as: P })).json.valid_to, '2025-07-01');
    assertProblem(await api('GET', '/units/74', { as: P, query: { on: '2025-07-01' } }), 404);
    const old = await api('GET', '/units', { as: P, query: { parent: '74', level: 'district', on: '2024-12-31' } });
    assert.equal(old.json.total, 9);
    assert.equal((await api('GET', '/units', { as: P, query: { parent: '74' } })).json.total, 0, 'nothing of 74 today');
  });

  test('the province of today reads the history of the units it came from; no one else does', async () => {
    // 74 became part of 79: its old units and their records are in 79's scope, not in 98's.
    const pc = await api('GET', '/units/25747@2025-07-01', { as: P });
    assert.equal(pc.status, 200);
    // Phú Cường became part of Thủ Dầu Một, not of Dĩ An.
    assertProblem(await api('GET', '/units/25747@2025-07-01', { as: 'demo.commune.dian' }), 404);
    assert.equal((await api('GET', '/units/25747@2025-07-01', { as: 'demo.commune' })).status, 200);
    const deadline = await api('GET', '/deadlines/00000000-0000-4000-8000-500000000001', { as: P });
    assert.equal(deadline.status, 200, show(deadline));
    assert.equal(deadline.json.issued_by_unit, '74');
    assert.equal(deadline.json.targets.total, 91);
    // Phường Dĩ An of today sees it through its own predecessor's target, and that one only.
    const dian = await api('GET', '/deadlines/00000000-0000-4000-8000-500000000001', { as: 'demo.commune.dian' });
    assert.equal(dian.status, 200, show(dian));
    const predecessors = (await api('GET', `/units/${DEMO.dian}`, { as: P })).json.predecessors;
    assert.deepEqual([dian.json.targets.total, dian.json.targets.done_late], [predecessors.length, 1]);
  });
});

describe('figures of 2024 by the old units and by the new ones', () => {
  test('the activities of 2024 count under Bình Dương of 2024 and under Hồ Chí Minh of today', async () => {
    const year = { from: '2024-01-01', to: '2024-12-31' };
    const byNew = (await api('GET', '/stats/overview', { as: P, query: { unit: DEMO.province, ...year } })).json;
    const byOld = (await api('GET', '/stats/overview', { as: P, query: { unit: '74', ...year } })).json;
    assert.equal(byOld.on, '2025-06-30', 'a closed unit is about its last day');
    assert.deepEqual(byOld.unit, { code: '74', name: 'Tỉnh Bình Dương', level: 'province' });
    assert.equal(byOld.children.length, 9, 'the 9 districts of 2024');
    // Under the old units: where each team was when its activity was held. Under the new: where
    // the teams are now. The demo's teams were re-homed from the one to the other, so their
    // activities of 2024 count in both (other files add activities of their own to 79).
    const sum = (where) => Number(sqlValue(`SELECT count(*) FROM activities a JOIN units u ON ${where}
                                             WHERE a.held_on BETWEEN '2024-01-01' AND '2024-12-31'`));
    const old = sum(`u.code = team_home_on(a.team_id, a.held_on) AND u.ancestors @> ARRAY['74']`);
    const now = sum(`u.code = (SELECT t.unit_code FROM teams t WHERE t.id = a.team_id) AND u.ancestors @> ARRAY['79']`);
    const demo = Number(sqlValue(`SELECT count(*) FROM activities WHERE held_on BETWEEN '2024-01-01' AND '2024-12-31'
                                    AND external_id LIKE 'demo-act-%'`));
    assert.ok(demo > 0 && old >= demo && now >= demo, `demo ${demo}, old ${old}, now ${now}`);
    assert.equal(byOld.totals.activities, old);
    assert.equal(byNew.totals.activities, now, 'rolled up into the new units');
    assert.equal(byOld.children.reduce((a, c) => a + c.activities, 0), old, 'the districts add up');
    // Phú Cường's teams of then are Thủ Dầu Một's of now: the old commune on its last day.
    const phuCuong = (await api('GET', '/stats/overview', { as: P, query: { unit: DEMO.commune, on: '2025-06-30', ...year } })).json;
    assert.equal(phuCuong.unit.name, 'Phường Phú Cường');
    assert.equal(phuCuong.totals.activities,
      sum(`u.code = team_home_on(a.team_id, a.held_on) AND u.code = '25747@2025-07-01'`));
    // 2026 happens only under the new units.
    const y2026 = { from: '2026-01-01', to: '2026-12-31' };
    assert.ok((await api('GET', '/stats/overview', { as: P, query: { unit: DEMO.province, ...y2026 } })).json.totals.activities > 0);
    assert.equal((await api('GET', '/stats/overview', { as: P, query: { unit: '74', ...y2026 } })).json.totals.activities, 0);
    // The timeseries on the old structure, month by month, sums to the year.
    const series = (await api('GET', '/stats/timeseries', { as: P, query: { unit: '74', ...year, interval: 'month' } })).json;
    assert.equal(series.reduce((a, p) => a + p.value, 0), old);
  });
});

describe('a province without districts, end to end', () => {
  let CB; // {province, communes: [...], provinceUser, communeUser}

  before(async () => {
    // Cao Bằng's rows of the 2025 list, loaded by the national account as of 1 July 2025.
    const lines = readFileSync(resolve(ROOT, 'sql/reference/vn-units-2025.csv'), 'utf8').trim().split('\n');
    const rows = lines.filter((l, i) => i === 0 || l.startsWith('04,') || l.endsWith(',04'));
    const load = await imp('units', rows.join('\n') + '\n', { valid_from: '2025-07-01' });
    assert.equal(load.status, 200, show(load));
    assert.equal(load.json.rows, rows.length - 1);
    const communes = rows.slice(1).filter((l) => l.endsWith(',04')).map((l) => l.split(',')[0]);
    CB = { province: '04', communes };
    CB.provinceUser = await account('province', '04');
    CB.communeUser = await account('commune', communes[0]);
  });

  test('units, scope and a district level refused', async () => {
    const kids = await api('GET', '/units', { token: CB.provinceUser.token, query: { parent: '04', limit: 1000 } });
    assert.equal(kids.json.total, CB.communes.length);
    assert.ok(kids.json.items.every((u) => u.level === 'commune' && u.parent_code === '04'));
    assertProblem(await api('POST', '/users', { as: N, body: { username: `rf.d.${Date.now()}`, password: 'Mat-khau-2026!', role: 'district', unit_code: '04' } }),
      422, { fields: ['unit_code'] });
    // The commune sees itself, not its neighbour; nor does 79 see Cao Bằng.
    assertProblem(await api('GET', `/units/${CB.communes[1]}`, { token: CB.communeUser.token }), 404);
    assertProblem(await api('GET', `/units/${CB.communes[0]}`, { as: P }), 404);
  });

  test('teams, members, activities, imports, deadlines and figures', async () => {
    const c = CB.communes[0];
    const cu = { token: CB.communeUser.token };
    const team = assertCreated(await api('POST', '/teams', { ...cu, body: { name: uniq('Tổ CNSCĐ xóm'), kind: 'hamlet', unit_code: c, hamlet: 'Xóm 1' } }), '/teams');
    for (const [position, it] of [['leader', true], ['deputy', false], ['member', false]]) {
      assert.equal((await api('POST', `/teams/${team.id}/members`, { ...cu, body: { full_name: uniq('Nông Văn'), position, it_skilled: it } })).status, 201);
    }
    assert.equal((await api('GET', `/teams/${team.id}`, cu)).json.compliance.ok, true);
    assert.equal((await api('POST', '/activities', { ...cu, body: { team_id: team.id, held_on: '2026-03-02', kind: 'vneid', title: uniq('VNeID'), people_reached: 40 } })).status, 201);
    const ext = `rf-${team.id.slice(0, 8)}`;
    const byCommune = await api('POST', '/import/teams', { ...cu, raw: csv([['external_id', 'name', 'kind', 'unit_code'], [ext, uniq('Tổ nhập'), 'commune', c]]), headers: { 'Content-Type': 'text/csv' } });
    assert.equal(byCommune.status, 200, show(byCommune));
    assert.equal(byCommune.json.inserted, 1);

    // The province issues to its communes; to districts there is none.
    const pu = { token: CB.provinceUser.token };
    assertProblem(await api('POST', '/deadlines', { ...pu, body: { title: uniq('Báo cáo'), kind: 'report', due_on: '2031-01-31', target_level: 'district', scope_unit: '04' } }),
      422, { fields: ['scope_unit'] });
    const d = assertCreated(await api('POST', '/deadlines', { ...pu, body: { title: uniq('Báo cáo quý'), kind: 'report', due_on: '2031-01-31', target_level: 'commune', scope_unit: '04' } }), '/deadlines');
    assert.equal(d.targets.total, CB.communes.length);
    assert.equal((await api('POST', `/deadlines/${d.id}/complete`, { ...cu, body: { note: 'Đã gửi' } })).status, 200);

    // Figures: the province's children are its communes.
    const o = (await api('GET', '/stats/overview', { ...pu, query: { from: '2026-01-01', to: '2031-12-31' } })).json;
    assert.deepEqual(o.unit, { code: '04', name: 'Tỉnh Cao Bằng', level: 'province' });
    assert.equal(o.children.length, CB.communes.length);
    assert.ok(o.children.every((ch) => ch.level === 'commune'));
    assert.equal(o.totals.communes_total, CB.communes.length);
    assert.equal(o.totals.communes_with_team, 1);
    assert.equal(o.totals.teams_active, 2);
    assert.equal(o.totals.activities, 1);
    assert.equal(o.totals.targets_done_on_time, 1);
    assert.deepEqual(o.children.find((ch) => ch.code === c).activities, 1);
    const series = (await api('GET', '/stats/timeseries', { ...pu, query: { from: '2026-01-01', to: '2026-06-30' } })).json;
    assert.equal(series.find((p) => p.period_start === '2026-03-01').value, 1);
  });
});

describe('re-homing after a reorganisation', () => {
  const P97 = '97';
  let C; // the old communes' codes {A, B, S}; new communes N (takes A's code) and M
  let records; // ids of what lies in the old communes
  let user97;

  before(async () => {
    // Province 97 with three communes, valid until 2026-01-01, and what is filed under them.
    const free = sql(`SELECT c::text FROM generate_series(97001, 97899) c
                       WHERE NOT EXISTS (SELECT 1 FROM units WHERE gso_code = c::text) LIMIT 3`).map((r) => r[0]);
    C = { A: free[0], B: free[1], S: free[2] };
    const old = await imp('units', csv([['code', 'name', 'level', 'parent_code'],
      [P97, 'Tỉnh Thử Sắp Xếp', 'province', ''], [C.A, `Xã A ${C.A}`, 'commune', P97], [C.B, `Xã B ${C.B}`, 'commune', P97],
      [C.S, `Xã S ${C.S}`, 'commune', P97]]));
    assert.equal(old.status, 200, show(old));
    user97 = await account('province', P97);
    const u = { token: user97.token };
    records = { teams: [], members: 0, activities: 0 };
    for (const code of [C.A, C.B, C.S, C.S]) {
      const t = assertCreated(await api('POST', '/teams', { ...u, body: { name: uniq(`Tổ ${code}`), kind: 'hamlet', unit_code: code, hamlet: 'Ấp 1' } }), '/teams');
      records.teams.push({ id: t.id, unit: code });
      for (let k = 0; k < 2; k++) {
        assert.equal((await api('POST', `/teams/${t.id}/members`, { ...u, body: { full_name: uniq('Người') } })).status, 201);
        records.members += 1;
      }
      assert.equal((await api('POST', '/activities', { ...u, body: { team_id: t.id, held_on: '2025-11-05', kind: 'vneid', title: uniq('Hỗ trợ') } })).status, 201);
      records.activities += 1;
    }
    const ent = await api('POST', '/enterprises', { ...u, body: { name: uniq('Công ty'), tax_code: String(Date.now()).slice(-10), unit_code: C.B } });
    assert.equal(ent.status, 201, show(ent));
    records.enterprise = ent.json.id;
    records.communeUser = await account('commune', C.B);
    const d = assertCreated(await api('POST', '/deadlines', { ...u, body: { title: uniq('Báo cáo năm 2026'), kind: 'report', due_on: '2026-12-31', target_level: 'commune', scope_unit: P97 } }), '/deadlines');
    records.deadline = d.id;

    // 1 January 2026: A and B merge into N (which takes A's code), S splits between N and M.
    const M = sql(`SELECT c::text FROM generate_series(97001, 97899) c
                    WHERE NOT EXISTS (SELECT 1 FROM units WHERE gso_code = c::text) LIMIT 1`)[0][0];
    C.N = C.A;
    C.M = M;
    // The province's own list from that day: close_others closes the rest of its scope (a
    // national account's would close the rest of the country).
    const reform = await imp('units', csv([['code', 'name', 'level', 'parent_code'],
      [P97, 'Tỉnh Thử Sắp Xếp', 'province', ''], [C.N, `Xã Mới N ${C.N}`, 'commune', P97], [C.M, `Xã Mới M ${C.M}`, 'commune', P97]]),
    { valid_from: '2026-01-01', close_others: 'true' }, user97.username);
    assert.equal(reform.status, 200, show(reform));
    assert.deepEqual([reform.json.inserted, reform.json.unchanged, reform.json.closed], [2, 1, 3], JSON.stringify(reform.json));
    const lineage = await imp('unit_successors', csv([['old_code', 'new_code', 'share'],
      [C.A, C.N, 'whole'], [C.B, C.N, 'whole'], [C.S, C.N, 'part'], [C.S, C.M, 'part']]), { effective_on: '2026-01-01' },
    user97.username);
    assert.equal(lineage.status, 200, show(lineage));
    assert.equal(lineage.json.inserted, 4);
  });

  test('the units: A\'s code passed on to N, the old ones closed on 01/01/2026, in the change feed', async () => {
    const oldA = await api('GET', `/units/${C.A}`, { as: N, query: { on: '2025-12-31' } });
    assert.equal(oldA.json.code, `${C.A}@2026-01-01`);
    assert.equal((await api('GET', `/units/${C.A}`, { as: N })).json.name, `Xã Mới N ${C.N}`);
    const feed = [];
    for (let after = 0; ;) {
      const page = await api('GET', '/changes', { token: user97.token, query: { after, limit: 1000 } });
      feed.push(...page.json.items);
      if (page.json.next_after === after) break;
      after = page.json.next_after;
    }
    const units = feed.filter((c) => c.resource === 'units');
    for (const key of [C.N, C.M]) assert.ok(units.some((c) => c.id === key && c.op === 'created'), `${key} created in the feed`);
    for (const key of [`${C.A}@2026-01-01`, C.B, C.S]) assert.ok(units.some((c) => c.id === key && c.op === 'updated'), `${key} closed in the feed`);
  });

  test('the dry run lists every change and writes nothing; an apply with a split undecided writes nothing', async () => {
    const u = { token: user97.token };
    const before = sql(`SELECT count(*) FROM audit WHERE action = 'rehome'`)[0][0];
    const dry = await api('POST', '/rehome', { ...u, query: { dry_run: 'true' }, body: {} });
    assert.equal(dry.status, 200, show(dry));
    const rows = dry.json.changes;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    for (const t of records.teams) {
      const r = byId[t.id];
      assert.ok(r, `team ${t.id} listed`);
      assert.equal(r.from_unit, t.unit === C.A ? `${C.A}@2026-01-01` : t.unit);
      assert.equal(r.members, 2);
      assert.equal(r.activities, 1);
      if (t.unit === C.S) {
        assert.deepEqual([r.status, r.to_unit, r.options], ['choose', null, [C.N, C.M].sort()]);
      } else {
        assert.deepEqual([r.status, r.to_unit], ['move', C.N]);
      }
    }
    assert.deepEqual([byId[records.enterprise].status, byId[records.enterprise].to_unit], ['move', C.N]);
    assert.deepEqual([byId[records.communeUser.id].status, byId[records.communeUser.id].to_unit], ['move', C.N]);
    // The deadline's targets: B's merges into N's (A's, now N's... A's moves to N first), S's is split.
    const targets = rows.filter((r) => r.resource === 'deadline_targets');
    assert.equal(targets.length, 3);
    assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'rehome'`)[0][0], before, 'the dry run audited nothing');
    assert.equal(sqlValue(`SELECT count(*) FROM teams WHERE unit_code = :'n'`, { n: C.N }), '0', 'the dry run moved nothing');

    const refused = await api('POST', '/rehome', { ...u, body: {} });
    assertProblem(refused, 422, { fields: records.teams.filter((t) => t.unit === C.S).map((t) => `choices.${t.id}`) });
    assert.equal(sqlValue(`SELECT count(*) FROM teams WHERE unit_code = :'n'`, { n: C.N }), '0', 'the refused apply moved nothing');
    // A choice that is not a successor is refused too.
    const wrong = await api('POST', '/rehome', { ...u, query: { dry_run: 'true' }, body: { choices: { [records.teams[2].id]: C.B } } });
    assert.equal(wrong.json.changes.find((r) => r.id === records.teams[2].id).status, 'invalid');
  });

  test('the apply moves exactly what the dry run listed; nothing is lost; audited; in the feed', async () => {
    const u = { token: user97.token };
    const split = records.teams.filter((t) => t.unit === C.S);
    // The split's teams by choice; its deadline target by the rule (the lowest code).
    const choices = { [split[0].id]: C.N, [split[1].id]: C.M };
    const count = (units) => sql(`SELECT (SELECT count(*) FROM teams t WHERE t.unit_code = ANY (string_to_array(:'u', ','))),
                                         (SELECT count(*) FROM members m JOIN teams t ON t.id = m.team_id WHERE t.unit_code = ANY (string_to_array(:'u', ','))),
                                         (SELECT count(*) FROM activities a JOIN teams t ON t.id = a.team_id WHERE t.unit_code = ANY (string_to_array(:'u', ',')))`,
    { u: units.join(',') })[0].map(Number);
    const oldKeys = [`${C.A}@2026-01-01`, C.B, C.S];
    const beforeOld = count(oldKeys);
    assert.deepEqual(beforeOld, [4, records.members, records.activities]);
    const plan = (await api('POST', '/rehome', { ...u, query: { dry_run: 'true' }, body: { choices, split_rule: 'first' } })).json;
    assert.ok(plan.changes.every((r) => ['move', 'merge'].includes(r.status)), JSON.stringify(plan.changes));
    const feedStart = Number(sqlValue('SELECT coalesce(max(seq), 0) FROM changes'));

    const done = await api('POST', '/rehome', { ...u, body: { choices, split_rule: 'first' } });
    assert.equal(done.status, 200, show(done));
    assert.equal(done.json.dry_run, false);
    const strip = (rows) => rows.map(({ resource, id, from_unit, to_unit, status }) => ({ resource, id, from_unit, to_unit, status }))
      .sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(strip(done.json.changes), strip(plan.changes), 'the apply did what the dry run listed');
    assert.deepEqual(count(oldKeys), [0, 0, 0], 'nothing left in the old communes');
    assert.deepEqual(count([C.N, C.M]), beforeOld, 'counts before = after');
    assert.equal(sqlValue(`SELECT unit_code FROM teams WHERE id = :'t'`, { t: split[1].id }), C.M);
    assert.equal(sqlValue(`SELECT unit_code FROM enterprises WHERE id = :'e'`, { e: records.enterprise }), C.N);
    assert.equal(sqlValue(`SELECT unit_code FROM users WHERE id = :'u'`, { u: records.communeUser.id }), C.N);
    // One audit row per record moved or merged.
    const audited = Number(sqlValue(`SELECT count(*) FROM audit WHERE action = 'rehome' AND resource_id = ANY (string_to_array(:'ids', ','))`,
      { ids: plan.changes.map((r) => r.id).join(',') }));
    assert.equal(audited, plan.changes.length);
    // The feed announces the moved teams to their new scope (and old).
    const moved = sql(`SELECT resource_id FROM changes WHERE seq > :'s' AND resource = 'teams' AND unit_code IN (:'n', :'m')`,
      { s: feedStart, n: C.N, m: C.M }).map((r) => r[0]);
    assert.deepEqual(new Set(moved), new Set(records.teams.map((t) => t.id)));
    // The deadline's targets: A's moved to N, B's merged into it; S's went by the rule to the
    // successor with the lowest code.
    const statuses = Object.fromEntries(plan.changes.filter((r) => r.resource === 'deadline_targets').map((r) => [r.from_unit, r.status]));
    assert.deepEqual(statuses, { [`${C.A}@2026-01-01`]: 'move', [C.B]: 'merge', [C.S]: [C.N, C.M].sort()[0] === C.N ? 'merge' : 'move' });
    const left = sql(`SELECT unit_code FROM deadline_targets WHERE deadline_id = :'d' ORDER BY 1`, { d: records.deadline }).map((r) => r[0]);
    assert.deepEqual(left, [...new Set([C.N, [C.N, C.M].sort()[0]])].sort());
    // Figures of 2025 (held before the reorganisation) by the old units and by the new.
    const y = { from: '2025-01-01', to: '2025-12-31' };
    const oldFig = (await api('GET', '/stats/overview', { ...u, query: { unit: P97, on: '2025-12-31', ...y } })).json;
    const newFig = (await api('GET', '/stats/overview', { ...u, query: { unit: P97, ...y } })).json;
    assert.equal(oldFig.totals.activities, records.activities);
    assert.equal(newFig.totals.activities, records.activities);
    assert.deepEqual(oldFig.children.map((c) => [c.code, c.activities]).sort(),
      [[`${C.A}@2026-01-01`, 1], [C.B, 1], [C.S, 2]].sort());
    assert.deepEqual(newFig.children.map((c) => [c.code, c.activities]).sort(), [[C.M, 1], [C.N, 3]].sort());
  });

  test('cdt-server --rehome: the same plan from the command line', { skip: !haveDb() && 'DATABASE_URL not set' }, () => {
    const out = spawnSync(CDT_SERVER, ['--rehome', '--units', C.S], { cwd: ROOT, env: { ...process.env, DATABASE_URL }, encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^rehome dry run \(nothing written\): 0 to move/m, out.stdout);
  });
});
