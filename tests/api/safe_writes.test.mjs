// Writes that protect the figures (issue 13, items 1, 5, 6, 7): a deadline whose due date has
// ended or that repeats one exactly asks to be confirmed (409 confirmation-required, nothing
// written, until confirm=true); recurring titles name their own period; every reader gets the
// issuing unit's name; targets carry their district; the deadline list seen as a unit below;
// activities held after today (Vietnam time, app_clock) are refused, by the API and by imports; a
// team like an active one of the same commune, hamlet and name asks to be confirmed; a reversed
// date range is refused by every list that takes one.
//
// "Now" is moved by writing app_clock, only to instants in the past and always put back, as in
// deadlines.test.mjs. Everything lives in a commune of this run under 990.

import { after, before, describe, test } from 'node:test';
import {
  api, assert, assertCreated, assertProblem, createTeam, DEMO, freeUnitCode, listAll, show, sql, uniq,
} from './lib.mjs';

const P = 'demo.province';
const D = 'demo.district';
const C = 'demo.commune'; // 25747, under 990

let X; // a commune of this run under 990
let team; // a team of X

function setClock(instant) {
  sql(`INSERT INTO app_clock (only_row, at) VALUES (true, :'at')
       ON CONFLICT (only_row) DO UPDATE SET at = EXCLUDED.at;`, { at: instant });
}

async function at(instant, fn) {
  setClock(instant);
  try {
    return await fn();
  } finally {
    sql('DELETE FROM app_clock;');
  }
}

const deadline = (fields = {}) => ({
  title: uniq('Báo cáo an toàn'), kind: 'report', due_on: '2031-06-30', target_level: 'commune', scope_unit: X, ...fields,
});

/** The 409 asking for confirmation, naming exactly these fields. */
function assertAsks(res, fields) {
  assertProblem(res, 409, { fields });
  assert.equal(res.json.type, 'https://cdt.example/problems/confirmation-required', show(res));
  assert.match(res.json.detail, /confirm=true/);
}

async function titled(prefix) {
  const { items } = await listAll(P, '/deadlines', { from: '2025-01-01', to: '2031-12-31' });
  return items.filter((d) => d.title.startsWith(prefix)).sort((a, b) => (a.due_on < b.due_on ? -1 : 1));
}

before(async () => {
  X = await freeUnitCode(P);
  const unit = await api('POST', '/units', { as: P, body: { code: X, name: uniq('Phường An Toàn'), level: 'commune', parent_code: DEMO.district } });
  assert.equal(unit.status, 201, show(unit));
  team = await createTeam(P, { unit_code: X, hamlet: 'Khu phố An Toàn' });
});

after(() => sql('DELETE FROM app_clock;'));

describe('issuing a deadline safely', () => {
  test('an exact duplicate asks to be confirmed; confirm=true issues it', async () => {
    const body = deadline();
    const first = assertCreated(await api('POST', '/deadlines', { as: P, body }), '/deadlines');
    const again = await api('POST', '/deadlines', { as: P, body });
    assertAsks(again, ['title']);
    assert.match(again.json.errors[0].message, new RegExp(first.id));
    assert.equal((await titled(body.title)).length, 1, 'nothing written');
    // Not a duplicate: another due date, another scope, another title.
    for (const other of [{ due_on: '2031-07-01' }, { scope_unit: DEMO.district }, { title: `${body.title} bổ sung` }]) {
      assertCreated(await api('POST', '/deadlines', { as: P, body: { ...body, ...other } }), '/deadlines');
    }
    // Another issuer (the district) issuing the same is not the province's duplicate.
    assertCreated(await api('POST', '/deadlines', { as: D, body }), '/deadlines');
    const confirmed = assertCreated(await api('POST', '/deadlines', { as: P, body, query: { confirm: 'true' } }), '/deadlines');
    assert.notEqual(confirmed.id, first.id);
    assertProblem(await api('POST', '/deadlines', { as: P, body, query: { confirm: 'yes' } }), 422, { fields: ['confirm'] });
  });

  test('a due date that has ended in Vietnam asks to be confirmed; today does not', async () => {
    await at('2026-03-01T23:59:59+07:00', async () => {
      assertCreated(await api('POST', '/deadlines', { as: P, body: deadline({ due_on: '2026-03-01' }) }), '/deadlines');
    });
    await at('2026-03-02T00:00:00+07:00', async () => {
      const body = deadline({ due_on: '2026-03-01' });
      assertAsks(await api('POST', '/deadlines', { as: P, body }), ['due_on']);
      assert.equal((await titled(body.title)).length, 0, 'nothing written');
      const made = assertCreated(await api('POST', '/deadlines', { as: P, body, query: { confirm: 'true' } }), '/deadlines');
      assert.equal(made.targets.overdue, 1, 'overdue at once, as the question said');
      // Both doubts at once.
      assertAsks(await api('POST', '/deadlines', { as: P, body }), ['due_on', 'title']);
    });
  });

  test('invalid input is a 422 first, never a question', async () => {
    assertProblem(await api('POST', '/deadlines', { as: P, body: deadline({ due_on: '2020-01-01', kind: 'nope' }) }), 422, { fields: ['kind'] });
  });

  test('recurring titles name their own period', async () => {
    const monthly = uniq('Báo cáo tình hình');
    const quarterly = `${uniq('Báo cáo')} quý`; // a last word "quý" takes the quarter after it
    const plain = uniq('Báo cáo định kỳ');
    const heads = [];
    // One stretch of moved time: back at today's date, the deadline roller (and the change of
    // app_clock itself) would make every period up to today at once.
    await at('2025-01-15T09:00:00+07:00', async () => {
      try {
        // The issuer names November's report due on 5 December: the periods go on from its month.
        heads.push(assertCreated(await api('POST', '/deadlines', { as: P, body: deadline({ title: `${monthly} tháng 12/2024`, due_on: '2025-01-20', recurrence: 'monthly' }) }), '/deadlines'));
        heads.push(assertCreated(await api('POST', '/deadlines', { as: P, body: deadline({ title: quarterly, due_on: '2025-03-31', recurrence: 'quarterly' }) }), '/deadlines'));
        heads.push(assertCreated(await api('POST', '/deadlines', { as: P, body: deadline({ title: plain, due_on: '2025-01-31', recurrence: 'monthly' }) }), '/deadlines'));
        assert.deepEqual((await titled(monthly)).map((d) => [d.due_on, d.title]),
          [['2025-01-20', `${monthly} tháng 12/2024`], ['2025-02-20', `${monthly} tháng 01/2025`]]);
        assert.deepEqual((await titled(quarterly)).map((d) => d.title), [`${quarterly} I/2025`, `${quarterly} II/2025`]);
        assert.deepEqual((await titled(plain)).map((d) => d.title), [`${plain} (tháng 01/2025)`, `${plain} (tháng 02/2025)`]);
        setClock('2025-02-21T00:00:00+07:00');
        assert.deepEqual((await titled(monthly)).map((d) => d.title),
          [`${monthly} tháng 12/2024`, `${monthly} tháng 01/2025`, `${monthly} tháng 02/2025`, `${monthly} tháng 03/2025`],
          'rolled on: due 20/03 is current, 20/04 next');
        assert.deepEqual((await titled(plain)).map((d) => d.title),
          [`${plain} (tháng 01/2025)`, `${plain} (tháng 02/2025)`, `${plain} (tháng 03/2025)`]);
      } finally {
        for (const h of heads) assert.equal((await api('DELETE', `/deadlines/${h.id}`, { as: P })).status, 204);
      }
    });
  });
});

describe('names beside codes', () => {
  test('a commune reads the issuing unit\'s name; targets carry their district', async () => {
    const d = assertCreated(await api('POST', '/deadlines', { as: P, body: deadline({ scope_unit: DEMO.district }) }), '/deadlines');
    const seen = await api('GET', `/deadlines/${d.id}`, { as: C });
    assert.equal(seen.status, 200, show(seen));
    assert.equal(seen.json.issued_by_unit, DEMO.province);
    assert.equal(seen.json.issued_by_unit_name, 'Thành phố Hồ Chí Minh', 'a unit the commune cannot read, by name');
    assert.equal(seen.json.scope_unit_name, 'Khu vực Thủ Dầu Một');
    const mine = await api('GET', '/deadlines', { as: C, query: { mine: 'true', limit: 1000 } });
    assert.equal(mine.json.items.find((x) => x.id === d.id).issued_by_unit_name, 'Thành phố Hồ Chí Minh');
    const targets = await api('GET', `/deadlines/${d.id}/targets`, { as: P, query: { limit: 1000 } });
    const t = targets.json.items.find((x) => x.unit_code === DEMO.commune);
    assert.deepEqual([t.district_code, t.district_name], [DEMO.district, 'Khu vực Thủ Dầu Một']);
    // A province's deadline to its districts: a district target has no district above it.
    const toDistricts = assertCreated(await api('POST', '/deadlines', { as: P, body: deadline({ target_level: 'district', scope_unit: DEMO.province }) }), '/deadlines');
    const dt = (await api('GET', `/deadlines/${toDistricts.id}/targets`, { as: P, query: { limit: 1000 } })).json.items;
    assert.ok(dt.length > 0 && dt.every((x) => x.district_code === null && x.district_name === null), show({ json: dt }));
  });

  test('an activity carries its team\'s and commune\'s names', async () => {
    const res = await api('POST', '/activities', { as: P, body: { team_id: team.id, held_on: '2026-01-05', kind: 'vneid', title: uniq('Hướng dẫn') } });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json.team_name, team.name);
    assert.match(res.json.unit_name, /^Phường An Toàn/);
    const list = await api('GET', '/activities', { as: P, query: { team: team.id } });
    assert.equal(list.json.items[0].unit_name, res.json.unit_name);
  });
});

describe('the deadlines as a unit below sees them (?unit=)', () => {
  test('counts over that unit\'s targets; another unit\'s deadline is not listed', async () => {
    const d = assertCreated(await api('POST', '/deadlines', { as: P, body: deadline({ scope_unit: DEMO.district, due_on: '2031-05-31' }) }), '/deadlines');
    const q = { from: '2031-05-31', to: '2031-05-31', limit: 1000 };
    const whole = (await api('GET', '/deadlines', { as: P, query: q })).json.items.find((x) => x.id === d.id);
    assert.ok(whole.targets.total > 1, show({ json: whole }));
    const one = await api('GET', '/deadlines', { as: P, query: { ...q, unit: DEMO.commune } });
    assert.equal(one.status, 200, show(one));
    assert.deepEqual(one.json.items.find((x) => x.id === d.id).targets, { total: 1, pending: 1, overdue: 0, done_on_time: 0, done_late: 0 });
    const other = await api('GET', '/deadlines', { as: P, query: { ...q, unit: DEMO.dian } });
    assert.equal(other.json.items.find((x) => x.id === d.id), undefined, '25942 is not a target');
    // Outside the caller's scope: nothing.
    const out = await api('GET', '/deadlines', { as: D, query: { ...q, unit: DEMO.dian } });
    assert.equal(out.status, 200, show(out));
    assert.equal(out.json.total, 0);
  });
});

describe('activities are recorded once held', () => {
  test('after today in Vietnam is refused, naming held_on; today is not (app_clock)', async () => {
    const body = (held_on) => ({ team_id: team.id, held_on, kind: 'vneid', title: uniq('Hôm nay') });
    // 00:10 in Vietnam is still the day before in UTC: the day is Vietnam's.
    await at('2026-03-01T00:10:00+07:00', async () => {
      assert.equal((await api('POST', '/activities', { as: P, body: body('2026-03-01') })).status, 201);
      const refused = body('2026-03-02');
      const res = await api('POST', '/activities', { as: P, body: refused });
      assertProblem(res, 422, { fields: ['held_on'] });
      assert.equal(res.json.errors[0].message, 'must not be after today (2026-03-01, Vietnam time)');
      // The insert goes with its checks in one exchange; refused, it is rolled back.
      assert.equal((await api('GET', '/activities', { as: P, query: { team: team.id, q: refused.title } })).json.total, 0,
        'nothing written');
      // An import asks the same, of the same day, for every row.
      const ext = uniq('act-nua-dem').replace(/\s+/g, '-');
      const csv = `external_id,team_id,held_on,kind,title\n${ext}-a,${team.id},2026-03-01,vneid,Hôm nay\n`
        + `${ext}-b,${team.id},2026-03-02,vneid,Ngày mai\n${ext}-c,${team.id},2026-02-28,vneid,Hôm qua\n`;
      const imported = await api('POST', '/import/activities', { as: P, raw: csv, headers: { 'Content-Type': 'text/csv' } });
      assertProblem(imported, 422);
      assert.deepEqual(imported.json.errors.map((e) => [e.row, e.field, e.message]),
        [[3, 'held_on', 'must not be after today (2026-03-01, Vietnam time)']]);
    });
    await at('2026-03-01T23:59:59+07:00', async () => {
      assertProblem(await api('POST', '/activities', { as: P, body: body('2026-03-02') }), 422, { fields: ['held_on'] });
      // PATCH: moving it into the future is refused; other changes of it are not.
      const made = await api('POST', '/activities', { as: P, body: body('2026-02-01') });
      const moved = await api('PATCH', `/activities/${made.json.id}`, { as: P, body: { held_on: '2026-03-05' } });
      assertProblem(moved, 422, { fields: ['held_on'] });
      assert.equal((await api('PATCH', `/activities/${made.json.id}`, { as: P, body: { note: 'ghi chú' } })).status, 200);
    });
  });

  test('an import row held after today is refused with its row; nothing written', async () => {
    const ext = uniq('act-tuong-lai').replace(/\s+/g, '-');
    const csv = `external_id,team_id,held_on,kind,title\n${ext}-a,${team.id},2026-01-10,vneid,Đã tổ chức\n${ext}-b,${team.id},2099-01-10,vneid,Chưa tổ chức\n`;
    const res = await api('POST', '/import/activities', { as: P, raw: csv, headers: { 'Content-Type': 'text/csv' } });
    assertProblem(res, 422);
    assert.deepEqual(res.json.errors.map((e) => [e.row, e.field]), [[3, 'held_on']]);
    assert.match(res.json.errors[0].message, /^must not be after today/);
    assert.equal((await api('GET', '/activities', { as: P, query: { team: team.id, q: 'Đã tổ chức' } })).json.total, 0, 'all or nothing');
  });
});

describe('a team entered twice', () => {
  test('the same commune, hamlet and name as an active team asks to be confirmed', async () => {
    const name = uniq('Tổ CNSCĐ Ấp Hai');
    const first = await createTeam(P, { unit_code: X, hamlet: 'Ấp Hai', name });
    // Case, diacritics and spaces aside, it is the same name.
    const body = { name: ` ${name.replace('Tổ CNSCĐ Ấp Hai', 'to cnscd ap hai')} `, kind: 'hamlet', unit_code: X, hamlet: 'AP HAI' };
    const teamsNamed = async () => (await api('GET', '/teams', { as: P, query: { unit: X, q: name } })).json.total;
    assert.equal(await teamsNamed(), 1);
    const res = await api('POST', '/teams', { as: P, body });
    assertProblem(res, 409, { fields: ['name'] });
    assert.equal(res.json.type, 'https://cdt.example/problems/confirmation-required');
    assert.match(res.json.errors[0].message, new RegExp(first.id));
    assert.equal(await teamsNamed(), 1, 'the write that asked is rolled back');
    // Another hamlet is another team.
    const other = await api('POST', '/teams', { as: P, body: { ...body, hamlet: 'Ấp Ba' } });
    assert.equal(other.status, 201, show(other));
    // Renaming it into the first one asks too; changing something else does not.
    const rename = await api('PATCH', `/teams/${other.json.id}`, { as: P, body: { hamlet: 'Ấp Hai' } });
    assertProblem(rename, 409, { fields: ['name'] });
    assert.equal((await api('PATCH', `/teams/${other.json.id}`, { as: P, body: { note: 'ghi chú' } })).status, 200);
    const confirmed = await api('POST', '/teams', { as: P, body, query: { confirm: 'true' } });
    assert.equal(confirmed.status, 201, show(confirmed));
    // A dissolved team is history: no question.
    assert.equal((await api('PATCH', `/teams/${first.id}`, { as: P, body: { status: 'dissolved' } })).status, 200);
    assert.equal((await api('PATCH', `/teams/${confirmed.json.id}`, { as: P, body: { status: 'dissolved' } })).status, 200);
    assert.equal((await api('POST', '/teams', { as: P, body })).status, 201);
  });
});

test('a reversed date range is refused by every list and figure that takes one, naming from', async () => {
  const q = { from: '2026-02-01', to: '2026-01-31' };
  for (const path of ['/activities', '/deadlines', '/audit', '/stats/overview', '/stats/timeseries']) {
    const res = await api('GET', path, { as: P, query: q });
    assertProblem(res, 422, { fields: ['from'] });
    assert.equal(res.json.errors[0].message.startsWith('must not be after to'), true, `${path}: ${show(res)}`);
  }
  assertProblem(await api('GET', '/deadlines', { as: C, query: { ...q, mine: 'true' } }), 422, { fields: ['from'] });
  // The same day at both ends is a range of one day.
  assert.equal((await api('GET', '/activities', { as: P, query: { from: '2026-01-31', to: '2026-01-31' } })).status, 200);
});
