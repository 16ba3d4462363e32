// Activities (DESIGN §2, §4; issue 3 item 1): CRUD with If-Match, outcome counts, list filters and
// sorts, scope as for teams, and the audit trail. Everything is done as demo.province unless said.

import { before, describe, test } from 'node:test';
import {
  api, assert, assertCreated, assertProblem, createActivity, createMember, createTeam, DEMO, etag, freeUnitCode,
  haveDb, listAll, parseCsv, randomUUID, RUN, show, sql, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';
const C = 'demo.commune'; // Phường Phú Cường, 25747
const OUTCOME_KEYS = ['vneid_activations', 'public_service_applications', 'cashless_accounts',
  'ecommerce_shops', 'app_installs', 'people_trained'];
const KINDS = ['public_services', 'vneid', 'cashless_payment', 'ecommerce', 'digital_skills',
  'cyber_safety', 'communication', 'other'];

let pcTeam; // a Phú Cường team of this file
let dianTeam; // a Dĩ An team of this file

before(async () => {
  pcTeam = await createTeam(P, { unit_code: DEMO.commune });
  dianTeam = await createTeam(P, { unit_code: DEMO.dian });
});

const ids = (res) => res.json.items.map((x) => x.id);

async function auditActions(id) {
  const res = await api('GET', '/audit', { as: P, query: { resource_id: id, sort: 'at', limit: 1000 } });
  assert.equal(res.status, 200, show(res));
  return res.json.items.map((e) => [e.action, e.resource, e.actor]);
}

describe('activities: create, read, update, delete', () => {
  test('every field round-trips; defaults; ETag and Location', async () => {
    const body = {
      external_id: `A-${RUN}-1`, team_id: pcTeam.id, held_on: '2026-03-15', kind: 'public_services',
      title: uniq('Hướng dẫn nộp hồ sơ trực tuyến, dịch vụ công'), location: 'Nhà văn hóa khu phố 1',
      people_reached: 120,
      outcomes: { vneid_activations: 14, public_service_applications: 9, cashless_accounts: 0,
        ecommerce_shops: 2, app_installs: 31, people_trained: 1000000 },
      note: 'Phối hợp Đoàn Thanh niên',
    };
    const created = assertCreated(await api('POST', '/activities', { as: P, body }), '/activities');
    for (const [k, v] of Object.entries(body)) assert.deepEqual(created[k], v, k);
    for (const k of ['created_at', 'updated_at']) {
      assert.match(created[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, `${k} is RFC 3339 with offset`);
    }
    assert.deepEqual(Object.keys(created).sort(), ['created_at', 'external_id', 'held_on', 'id', 'kind', 'location',
      'note', 'outcomes', 'people_reached', 'team_id', 'team_name', 'title', 'unit_name', 'updated_at', 'version'],
    'the documented fields, no more');
    const got = await api('GET', `/activities/${created.id}`, { as: P });
    assert.equal(got.status, 200, show(got));
    assert.equal(got.headers.get('etag'), etag(1));
    assert.deepEqual(got.json, created, 'GET returns what POST returned');

    // Only the required fields: people_reached 0, outcomes {}, the rest null.
    const min = assertCreated(await api('POST', '/activities', {
      as: P, body: { team_id: pcTeam.id, held_on: '2026-03-16', kind: 'other', title: uniq('Tối thiểu') },
    }), '/activities');
    assert.equal(min.people_reached, 0);
    assert.deepEqual(min.outcomes, {});
    for (const k of ['external_id', 'location', 'note']) assert.equal(min[k], null, k);

    // Every kind is accepted.
    for (const kind of KINDS) await createActivity(P, pcTeam.id, { kind });
  });

  test('PATCH with If-Match (right, stale, *), DELETE with If-Match, then 404; audited', async () => {
    const a = await createActivity(P, pcTeam.id, { people_reached: 10, outcomes: { app_installs: 5 } });
    const path = `/activities/${a.id}`;

    const p1 = await api('PATCH', path, { as: P, body: { people_reached: 40, title: 'Đổi tên, "mới"' }, headers: { 'If-Match': etag(1) } });
    assert.equal(p1.status, 200, show(p1));
    assert.equal(p1.json.version, 2);
    assert.equal(p1.headers.get('etag'), etag(2));
    assert.equal(p1.json.people_reached, 40);
    assert.equal(p1.json.title, 'Đổi tên, "mới"');
    for (const k of ['team_id', 'held_on', 'kind', 'outcomes', 'created_at', 'external_id', 'location', 'note']) {
      assert.deepEqual(p1.json[k], a[k], `PATCH kept ${k}`);
    }
    assert.ok(Date.parse(p1.json.updated_at) >= Date.parse(a.updated_at), 'updated_at moves');

    const stale = await api('PATCH', path, { as: P, body: { people_reached: 1 }, headers: { 'If-Match': etag(1) } });
    assertProblem(stale, 412, { kind: 'precondition-failed' });
    assert.equal((await api('GET', path, { as: P })).json.people_reached, 40, 'a stale PATCH changed nothing');

    // outcomes is replaced as a whole, like every other field.
    const star = await api('PATCH', path, { as: P, body: { outcomes: { people_trained: 7 } }, headers: { 'If-Match': '*' } });
    assert.equal(star.status, 200, show(star));
    assert.equal(star.json.version, 3);
    assert.deepEqual(star.json.outcomes, { people_trained: 7 });

    const cleared = await api('PATCH', path, { as: P, body: { outcomes: {}, location: null } });
    assert.equal(cleared.status, 200, `PATCH without If-Match: ${show(cleared)}`);
    assert.equal(cleared.json.version, 4);
    assert.deepEqual(cleared.json.outcomes, {});

    const empty = await api('PATCH', path, { as: P, body: {} });
    assert.equal(empty.status, 200, show(empty));
    assert.equal(empty.json.version, 4, 'an empty PATCH makes no new version');

    assertProblem(await api('DELETE', path, { as: P, headers: { 'If-Match': etag(3) } }), 412);
    assert.equal((await api('GET', path, { as: P })).status, 200, 'a stale DELETE deleted');
    const del = await api('DELETE', path, { as: P, headers: { 'If-Match': etag(4) } });
    assert.equal(del.status, 204, show(del));
    assert.equal(del.text, '');
    assertProblem(await api('GET', path, { as: P }), 404, { kind: 'not-found' });
    assertProblem(await api('PATCH', path, { as: P, body: { title: 'x' } }), 404);
    assertProblem(await api('DELETE', path, { as: P }), 404);
    assertProblem(await api('GET', '/activities/not-a-uuid', { as: P }), 404);

    const audited = await auditActions(a.id);
    assert.deepEqual(audited, [
      ['create', 'activities', P], ['update', 'activities', P], ['update', 'activities', P],
      ['update', 'activities', P], ['delete', 'activities', P],
    ], 'one audit entry per write (none for the refused or empty ones)');
    if (haveDb()) {
      const rows = sql(`SELECT action, resource, unit_code FROM audit WHERE resource_id = :'id' ORDER BY id`, { id: a.id });
      assert.deepEqual(rows.map((r) => r[0]), ['create', 'update', 'update', 'update', 'delete']);
      for (const r of rows) assert.equal(r[2], DEMO.commune, 'the audit row carries the team\'s commune (its scope)');
    }
    // The commune reads its activity's history.
    const commune = await api('GET', '/audit', { as: C, query: { resource_id: a.id } });
    assert.equal(commune.status, 200, show(commune));
    assert.equal(commune.json.total, 5, 'the commune sees the audit of its own activity');
  });

  test('moving an activity to another team in scope, and a duplicate external_id', async () => {
    const other = await createTeam(P, { unit_code: DEMO.dian });
    const a = await createActivity(P, pcTeam.id, { external_id: `A-${RUN}-move` });
    const moved = await api('PATCH', `/activities/${a.id}`, { as: P, body: { team_id: other.id } });
    assert.equal(moved.status, 200, show(moved));
    assert.equal(moved.json.team_id, other.id);
    const dup = await api('POST', '/activities', {
      as: P, body: { external_id: `A-${RUN}-move`, team_id: pcTeam.id, held_on: '2026-01-01', kind: 'other', title: uniq('Trùng') },
    });
    assertProblem(dup, 409, { kind: 'conflict' });
  });

  test('a team with activities cannot be deleted (409); without them it can', async () => {
    const team = await createTeam(P);
    const m = await createMember(P, team.id);
    const a = await createActivity(P, team.id);
    const refused = await api('DELETE', `/teams/${team.id}`, { as: P });
    assertProblem(refused, 409, { kind: 'conflict' });
    assert.equal((await api('GET', `/teams/${team.id}`, { as: P })).status, 200, 'the team is still there');
    assert.equal((await api('GET', `/members/${m.id}`, { as: P })).status, 200, 'its member is still there');
    assert.equal((await api('GET', `/activities/${a.id}`, { as: P })).status, 200, 'its activity is still there');
    assert.equal((await api('GET', `/teams/${team.id}`, { as: P })).json.version, 1, 'the refused delete changed nothing');

    assert.equal((await api('DELETE', `/activities/${a.id}`, { as: P })).status, 204);
    const del = await api('DELETE', `/teams/${team.id}`, { as: P });
    assert.equal(del.status, 204, show(del));
    assertProblem(await api('GET', `/members/${m.id}`, { as: P }), 404);
  });

  test('read-only accounts may read but not write (403)', async () => {
    const a = await createActivity(P, pcTeam.id);
    const R = 'demo.readonly';
    assert.equal((await api('GET', `/activities/${a.id}`, { as: R })).status, 200);
    assertProblem(await api('POST', '/activities', { as: R, body: { team_id: pcTeam.id, held_on: '2026-01-01', kind: 'other', title: uniq('x') } }), 403);
    assertProblem(await api('PATCH', `/activities/${a.id}`, { as: R, body: { title: 'x' } }), 403);
    assertProblem(await api('DELETE', `/activities/${a.id}`, { as: R }), 403);
    assert.equal((await api('GET', `/activities/${a.id}`, { as: P })).json.version, 1);
  });
});

describe('activities: validation', () => {
  const base = () => ({ team_id: pcTeam.id, held_on: '2026-04-01', kind: 'vneid', title: uniq('Kiểm tra') });

  test('required fields, types, enums and ranges, every bad field named at once', async () => {
    const none = await api('POST', '/activities', { as: P, body: {} });
    assertProblem(none, 422, { fields: ['team_id', 'held_on', 'kind', 'title'] });

    const bad = await api('POST', '/activities', {
      as: P,
      body: {
        team_id: 'abc', held_on: '2026-02-30', kind: 'party', title: 'x'.repeat(301), people_reached: -1,
        outcomes: { vneid_activations: -2 }, colour: 'red', version: 3,
      },
    });
    assertProblem(bad, 422, { fields: ['team_id', 'held_on', 'kind', 'title', 'people_reached', 'outcomes', 'colour', 'version'] });

    for (const [field, value] of [
      ['people_reached', 1000001], ['people_reached', 1.5], ['people_reached', '10'], ['held_on', '01/04/2026'],
      ['held_on', 20260401], ['title', ''], ['title', null], ['kind', null], ['team_id', null], ['id', randomUUID()],
      ['created_at', '2026-01-01T00:00:00Z'],
    ]) {
      const res = await api('POST', '/activities', { as: P, body: { ...base(), [field]: value } });
      assertProblem(res, 422, { fields: [field] });
    }
    // The boundaries are accepted: 300 characters of title (Vietnamese ones too), 0 and 1000000 people.
    await createActivity(P, pcTeam.id, { title: 'Đ'.repeat(300), people_reached: 1000000 });
    await createActivity(P, pcTeam.id, { people_reached: 0 });

    // A team that does not exist is a bad reference, named.
    const ghost = await api('POST', '/activities', { as: P, body: { ...base(), team_id: randomUUID() } });
    assertProblem(ghost, 422, { fields: ['team_id'] });
    assert.equal((await api('GET', '/activities', { as: P, query: { q: RUN + '-zzz' } })).json.total, 0);
  });

  test('outcomes: unknown key, negative, non-integer, too large, not an object → 422 naming outcomes', async () => {
    const a = await createActivity(P, pcTeam.id, { outcomes: { app_installs: 3 } });
    const cases = [
      { foo: 1 },
      { vneid_activations: 1, VNeID_activations: 1 },
      { vneid_activations: -1 },
      { public_service_applications: 1.5 },
      { cashless_accounts: '3' },
      { ecommerce_shops: null },
      { app_installs: true },
      { people_trained: 1000001 },
      { people_trained: { n: 1 } },
      [],
      [{ vneid_activations: 1 }],
      'vneid_activations=1',
      5,
      true,
    ];
    for (const outcomes of cases) {
      const created = await api('POST', '/activities', { as: P, body: { ...base(), outcomes } });
      assertProblem(created, 422, { fields: ['outcomes'] });
      const patched = await api('PATCH', `/activities/${a.id}`, { as: P, body: { outcomes } });
      assertProblem(patched, 422, { fields: ['outcomes'] });
    }
    // Several bad fields named at once, outcomes among them.
    const several = await api('PATCH', `/activities/${a.id}`, { as: P, body: { outcomes: { foo: 1 }, people_reached: -5, kind: 'x', held_on: 'hôm qua' } });
    assertProblem(several, 422, { fields: ['outcomes', 'people_reached', 'kind', 'held_on'] });
    const after = await api('GET', `/activities/${a.id}`, { as: P });
    assert.equal(after.json.version, 1, 'no refused PATCH wrote anything');
    assert.deepEqual(after.json.outcomes, { app_installs: 3 });

    // Each known key alone, at 0 and at 1000000.
    for (const k of OUTCOME_KEYS) {
      for (const n of [0, 1000000]) {
        const ok = await api('PATCH', `/activities/${a.id}`, { as: P, body: { outcomes: { [k]: n } } });
        assert.equal(ok.status, 200, show(ok));
        assert.deepEqual(ok.json.outcomes, { [k]: n });
      }
    }
  });
});

describe('activities: list filters and sorts', () => {
  const tag = `${RUN}act`;
  let t1; let t2; let t3; // t1, t3 in Phú Cường (718), t2 in Dĩ An (724)
  let a1; let a2; let a3; let a4;
  before(async () => {
    t1 = await createTeam(P, { unit_code: DEMO.commune });
    t2 = await createTeam(P, { unit_code: DEMO.dian });
    t3 = await createTeam(P, { unit_code: DEMO.commune });
    a1 = await createActivity(P, t1.id, { title: `Bình dân học vụ số ${tag}`, held_on: '2025-01-10', kind: 'vneid', people_reached: 30 });
    a2 = await createActivity(P, t1.id, { title: `Chợ 4.0 ${tag}`, held_on: '2025-01-20', kind: 'ecommerce', people_reached: 5 });
    a3 = await createActivity(P, t2.id, { title: `Đăng ký VNeID mức 2 ${tag}`, held_on: '2025-01-31', kind: 'vneid', people_reached: 200 });
    a4 = await createActivity(P, t3.id, { title: `An toàn trên mạng ${tag}`, held_on: '2025-02-01', kind: 'cyber_safety', people_reached: 0 });
  });
  const list = async (query, as = P) => {
    const r = await api('GET', '/activities', { as, query: { q: tag, ...query } });
    assert.equal(r.status, 200, show(r));
    return r;
  };

  test('list shape and default order (-held_on)', async () => {
    const r = await list({});
    assert.equal(r.json.total, 4);
    assert.equal(r.json.limit, 50);
    assert.equal(r.json.offset, 0);
    assert.deepEqual(ids(r), [a4.id, a3.id, a2.id, a1.id]);
    assert.deepEqual(r.json.items[0], a4, 'list items are the same documents as GET');
    const page = await list({ limit: 2, offset: 1 });
    assert.equal(page.json.total, 4);
    assert.deepEqual(ids(page), [a3.id, a2.id]);
  });

  test('unit (subtree), team, kind, from/to (inclusive), q (ignoring diacritics)', async () => {
    assert.deepEqual(new Set(ids(await list({ unit: DEMO.district }))), new Set([a1.id, a2.id, a4.id]), 'unit=718 is a subtree filter');
    assert.deepEqual(new Set(ids(await list({ unit: DEMO.commune }))), new Set([a1.id, a2.id, a4.id]));
    assert.deepEqual(ids(await list({ unit: DEMO.dianDistrict })), [a3.id]);
    assert.deepEqual(ids(await list({ unit: DEMO.dian })), [a3.id]);
    assert.equal((await list({ unit: DEMO.province })).json.total, 4);
    assert.deepEqual(ids(await list({ team: t1.id })), [a2.id, a1.id]);
    assert.deepEqual(ids(await list({ team: t2.id })), [a3.id]);
    assert.deepEqual(ids(await list({ kind: 'vneid' })), [a3.id, a1.id]);
    assert.deepEqual(ids(await list({ kind: 'public_services' })), []);
    assert.deepEqual(ids(await list({ from: '2025-01-20', to: '2025-01-31' })), [a3.id, a2.id], 'both ends inclusive');
    assert.deepEqual(ids(await list({ from: '2025-01-21', to: '2025-01-30' })), []);
    assert.deepEqual(ids(await list({ from: '2025-01-31' })), [a4.id, a3.id]);
    assert.deepEqual(ids(await list({ to: '2025-01-10' })), [a1.id]);
    assert.deepEqual(ids(await list({ from: '2025-02-02' })), []);
    assert.deepEqual(ids(await list({ kind: 'vneid', unit: DEMO.district, from: '2025-01-01', to: '2025-12-31' })), [a1.id], 'filters combine');
    for (const q of [`dang ky vneid muc 2 ${tag}`, `ĐĂNG KÝ VNEID`, `đăng ký vneid mức 2 ${tag.toUpperCase()}`]) {
      const r = await api('GET', '/activities', { as: P, query: { q, limit: 1000 } });
      assert.ok(r.json.items.some((x) => x.id === a3.id), `q=${q} misses ${a3.title}`);
    }
  });

  test('sorts: held_on, title, people_reached, created_at, combined', async () => {
    assert.deepEqual(ids(await list({ sort: 'held_on' })), [a1.id, a2.id, a3.id, a4.id]);
    assert.deepEqual(ids(await list({ sort: '-held_on' })), [a4.id, a3.id, a2.id, a1.id]);
    // 'An…' < 'Bình…' < 'Chợ…' < 'Đăng…' under C and ICU collations alike.
    assert.deepEqual(ids(await list({ sort: 'title' })), [a4.id, a1.id, a2.id, a3.id]);
    assert.deepEqual(ids(await list({ sort: '-title' })), [a3.id, a2.id, a1.id, a4.id]);
    assert.deepEqual(ids(await list({ sort: '-people_reached' })), [a3.id, a1.id, a2.id, a4.id]);
    assert.deepEqual(ids(await list({ sort: 'people_reached' })), [a4.id, a2.id, a1.id, a3.id]);
    assert.deepEqual(ids(await list({ sort: 'created_at' })), [a1.id, a2.id, a3.id, a4.id]);
    assert.deepEqual(ids(await list({ sort: '-created_at' })), [a4.id, a3.id, a2.id, a1.id]);
    assert.deepEqual(ids(await list({ sort: 'held_on,-people_reached' })), [a1.id, a2.id, a3.id, a4.id]);
  });

  test('bad filters and sorts answer 422 naming them', async () => {
    for (const [name, value] of [
      ['kind', 'party'], ['from', '2025-13-01'], ['to', 'yesterday'], ['team', 'not-a-uuid'],
      ['sort', 'location'], ['sort', 'held_on,bogus'], ['limit', '0'], ['limit', '1001'], ['offset', '-1'],
    ]) {
      assertProblem(await api('GET', '/activities', { as: P, query: { [name]: value } }), 422, { fields: [name] });
    }
    assertProblem(await api('GET', '/activities', { as: P, query: { kind: 'party', from: 'x', sort: 'bogus' } }), 422,
      { fields: ['kind', 'from', 'sort'] });
  });

  test('scope in lists: a commune sees its own activities only, whatever it asks for', async () => {
    assert.deepEqual(new Set(ids(await list({}, C))), new Set([a1.id, a2.id, a4.id]));
    assert.deepEqual(ids(await list({ unit: DEMO.dian }, C)), []);
    assert.deepEqual(ids(await list({ team: t2.id }, C)), []);
    assert.deepEqual(ids(await list({}, 'demo.commune.dian')), [a3.id]);
    assert.deepEqual(new Set(ids(await list({}, 'demo.district'))), new Set([a1.id, a2.id, a4.id]));
    assert.equal((await list({}, 'demo.enterprise')).json.total, 0);
  });
});

describe('activities: scope', () => {
  test('demo.commune cannot see, patch or delete a Dĩ An activity (404, like a missing one)', async () => {
    const a = await createActivity(P, dianTeam.id);
    const path = `/activities/${a.id}`;
    const res = await api('GET', path, { as: C });
    assertProblem(res, 404, { kind: 'not-found' });
    const missing = await api('GET', `/activities/${randomUUID()}`, { as: C });
    assertProblem(missing, 404);
    assert.equal(res.json.title, missing.json.title);
    assertProblem(await api('PATCH', path, { as: C, body: { title: 'chiếm' } }), 404);
    assertProblem(await api('PATCH', path, { as: C, body: { title: 'chiếm' }, headers: { 'If-Match': etag(1) } }), 404);
    assertProblem(await api('DELETE', path, { as: C }), 404);
    const still = await api('GET', path, { as: P });
    assert.equal(still.status, 200);
    assert.deepEqual(still.json, a, 'untouched');
    // Its own commune reads it.
    assert.equal((await api('GET', path, { as: 'demo.commune.dian' })).status, 200);
  });

  test('demo.commune cannot create an activity on a Dĩ An team (403), nor move one there', async () => {
    const title = uniq('Ngoài phạm vi');
    const res = await api('POST', '/activities', { as: C, body: { team_id: dianTeam.id, held_on: '2026-05-01', kind: 'vneid', title } });
    assertProblem(res, 403, { kind: 'forbidden' });
    assert.equal((await api('GET', '/activities', { as: P, query: { q: title } })).json.total, 0, 'the refused activity was written');

    const own = assertCreated(await api('POST', '/activities', {
      as: C, body: { team_id: pcTeam.id, held_on: '2026-05-01', kind: 'vneid', title: uniq('Trong phạm vi') },
    }), '/activities');
    const move = await api('PATCH', `/activities/${own.id}`, { as: C, body: { team_id: dianTeam.id } });
    assertProblem(move, 403);
    assert.equal((await api('GET', `/activities/${own.id}`, { as: C })).json.team_id, pcTeam.id, 'not moved');
    const commune = await api('PATCH', `/activities/${own.id}`, { as: C, body: { people_reached: 12 } });
    assert.equal(commune.status, 200, show(commune));
    assert.equal((await api('DELETE', `/activities/${own.id}`, { as: C })).status, 204);
    const audited = await auditActions(own.id);
    assert.deepEqual(audited, [['create', 'activities', C], ['update', 'activities', C], ['delete', 'activities', C]]);
  });

  test('an enterprise account sees and writes the activities of its own teams only', async () => {
    const ent = (await whoami('demo.enterprise')).enterprise;
    const entTeam = await createTeam(P, { kind: 'enterprise', enterprise_id: ent, unit_code: DEMO.commune });
    const mine = await createActivity('demo.enterprise', entTeam.id);
    const other = await createActivity(P, pcTeam.id);
    assert.equal((await api('GET', `/activities/${mine.id}`, { as: 'demo.enterprise' })).status, 200);
    assertProblem(await api('GET', `/activities/${other.id}`, { as: 'demo.enterprise' }), 404);
    assertProblem(await api('POST', '/activities', {
      as: 'demo.enterprise', body: { team_id: pcTeam.id, held_on: '2026-05-01', kind: 'vneid', title: uniq('x') },
    }), 403);
    const { items } = await listAll('demo.enterprise', '/activities');
    assert.ok(items.some((x) => x.id === mine.id), 'its own activity is listed');
    const teams = new Set((await listAll('demo.enterprise', '/teams')).items.map((t) => t.id));
    for (const x of items) assert.ok(teams.has(x.team_id), `activity ${x.id} of team ${x.team_id} is outside the enterprise`);
    // The commune where the enterprise is located sees it too.
    assert.equal((await api('GET', `/activities/${mine.id}`, { as: C })).status, 200);
  });
});

// The first pages in the default order come from their own statement (the recent page of
// api/activities.c: the newest activities by index, a scope's total from the rollup's unit
// totals); every other order, a page deeper than offset + limit 2000, the kind and q filters and
// the CSV export read every row. Both must answer the same rows in the same order, with the same
// total, for every account and filter.
describe('activities: the recent page answers as reading every row', () => {
  const tag = `${RUN}rec`;
  let teams;
  before(async () => {
    teams = [
      await createTeam(P, { unit_code: DEMO.commune }), await createTeam(P, { unit_code: DEMO.commune }),
      await createTeam(P, { unit_code: DEMO.dian }),
    ];
    // Three days with several activities each (ties on held_on, broken by id), kinds mixed.
    const days = ['2026-02-03', '2026-02-03', '2026-02-03', '2026-01-15', '2026-01-15', '2025-12-31', '2026-02-28'];
    for (const [k, held_on] of days.entries()) {
      await createActivity(P, teams[k % 3].id, { held_on, kind: k % 2 ? 'ecommerce' : 'vneid', title: `Hỗ trợ ${tag} ${k}` });
    }
    // The statement reads the index of the newest days for a wide scope and short pages, each
    // team's newest otherwise, judged from the tables' statistics: fresh ones make the wide
    // accounts' short pages below take the first way and the rest the second.
    if (haveDb()) sql('ANALYZE teams; ANALYZE activities;');
  });

  /** The ids of the CSV export (every row, read whole) and the generic page's total. */
  async function everyRow(as, query) {
    const csv = await api('GET', '/activities', { as, query: { ...query, format: 'csv' } });
    assert.equal(csv.status, 200, show(csv));
    const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    assert.equal(rows[0][0], 'id');
    const deep = await api('GET', '/activities', { as, query: { ...query, offset: 2000, limit: 1 } });
    assert.equal(deep.status, 200, show(deep));
    return { ids: rows.slice(1).map((r) => r[0]), total: deep.json.total };
  }

  const queries = (teamId) => [
    {}, { unit: DEMO.commune }, { unit: DEMO.district }, { team: teamId }, { kind: 'ecommerce' },
    { from: '2026-01-15', to: '2026-02-03' }, { to: '2026-01-31' }, { q: tag }, { q: tag, kind: 'vneid' },
  ];
  // demo.national sees every activity: the statement then reads no set of teams.
  for (const as of [...DEMO.accounts, 'demo.national']) {
    test(`${as}: first page, total and cursor walk equal the rows read whole, under every filter`, async () => {
      if (as === DEMO.accounts[1]) {
        // A team moved to another commune takes its activities' count with it (the rollup's
        // unit totals, which the total reads, follow the team's unit).
        const moved = await api('PATCH', `/teams/${teams[1].id}`, { as: P, body: { unit_code: DEMO.dian } });
        assert.equal(moved.status, 200, show(moved));
      }
      for (const query of queries(teams[0].id)) {
        const whole = await everyRow(as, query);
        const first = await api('GET', '/activities', { as, query: { ...query, limit: 1000 } });
        assert.equal(first.status, 200, show(first));
        assert.equal(first.json.total, whole.total, `total, ${JSON.stringify(query)}`);
        assert.equal(first.json.total, whole.ids.length, `total is the export's rows, ${JSON.stringify(query)}`);
        assert.deepEqual(ids(first), whole.ids.slice(0, 1000), `order, ${JSON.stringify(query)}`);
        // The recent page builds its documents in one join (activity_document): each is the one
        // GET /activities/{id} answers (activity_doc), names of the team and its commune included.
        for (const item of first.json.items.slice(0, 3)) {
          const one = await api('GET', `/activities/${item.id}`, { as });
          assert.deepEqual(item, one.json, `document, ${JSON.stringify(query)}`);
        }
        for (const [limit, offset] of [[3, 0], [2, 3]]) {
          const page = await api('GET', '/activities', { as, query: { ...query, limit, offset } });
          assert.equal(page.json.total, whole.total, `total, ${JSON.stringify(query)}`);
          assert.deepEqual(ids(page), whole.ids.slice(offset, offset + limit), `page, ${JSON.stringify(query)}`);
        }
      }
      // A walk by cursor (pages of 2, across the ties of one day) and by offset.
      for (const query of [{ q: tag }, { from: '2025-12-31', to: '2026-02-28' }]) {
      const whole = await everyRow(as, query);
      const walked = [];
      let after;
      for (let pages = 0; pages < 20; pages++) {
        const page = await api('GET', '/activities', { as, query: { ...query, limit: 2, ...(after ? { after } : {}) } });
        assert.equal(page.status, 200, show(page));
        walked.push(...ids(page));
        after = page.json.next;
        if (!after) break;
      }
      assert.deepEqual(walked, whole.ids, 'after= walks every row in order');
      const second = await api('GET', '/activities', { as, query: { ...query, limit: 2, offset: 2 } });
      assert.deepEqual(ids(second), whole.ids.slice(2, 4), 'offset pages too');
      }
    });
  }
});

// A commune's first page is fenced by its teams' newest days (team_latest_activity): the N newest
// of them, the smallest a fence, and the activities on or after it of the teams reaching it. A
// deletion leaves a team's day as it was, so the fenced rows can be too few: the page is then read
// the other way, and must still be whole, with its cursor. The days follow the teams' moves.
describe('activities: the fenced first page', () => {
  let unit;
  let other;
  let actor;
  let token;
  let teams;
  const made = {};
  const page = async (query) => {
    const res = await api('GET', '/activities', { token, query });
    assert.equal(res.status, 200, show(res));
    return res;
  };

  before(async () => {
    unit = await freeUnitCode(P);
    assert.equal((await api('POST', '/units', { as: P, body: { code: unit, name: `Phường Rào ${unit}`, level: 'commune', parent_code: DEMO.district } })).status, 201);
    other = await freeUnitCode(P);
    assert.equal((await api('POST', '/units', { as: P, body: { code: other, name: `Phường Rào ${other}`, level: 'commune', parent_code: DEMO.district } })).status, 201);
    teams = [];
    for (let k = 0; k < 4; k++) teams.push(await createTeam(P, { unit_code: unit, hamlet: `Khu phố ${k}` }));
    // The fence is taken where it reads less than the country's newest activities would: this
    // commune's 4 teams must be few among the database's (more than 48 for a page of 1).
    await Promise.all(Array.from({ length: 60 }, (_, k) => createTeam(P, { unit_code: other, hamlet: `Khu phố ${k}` })));
    // Newest first: A 30 Nov, B 28 Nov, C 25 Nov, A 20 Nov, D 10 Nov.
    for (const [name, k, held_on] of [['A30', 0, '2026-11-30'], ['B28', 1, '2026-11-28'], ['C25', 2, '2026-11-25'],
      ['A20', 0, '2026-11-20'], ['D10', 3, '2026-11-10']]) {
      made[name] = (await createActivity(P, teams[k].id, { held_on })).id;
    }
    actor = `rao.${uniq('x').split(' ')[1]}`.toLowerCase();
    assert.equal((await api('POST', '/users', { as: P, body: { username: actor, password: 'Mat-khau-2026!', role: 'commune', unit_code: unit } })).status, 201);
    token = (await api('POST', '/auth/login', { body: { username: actor, password: 'Mat-khau-2026!' } })).json.access_token;
    if (haveDb()) {
      sql('ANALYZE teams; ANALYZE activities;');
      const fenced = sql(`SELECT count(*) * 20 + 4 < 2 * (SELECT reltuples FROM pg_class WHERE oid = 'teams'::regclass) / 4
                            FROM scope_unit_codes('${unit}', NULL)`)[0][0];
      assert.equal(fenced, 't', 'a page of this commune is fenced (limit=1)');
    }
  });

  test('pages equal the rows in order; too few fenced rows after a deletion read the page whole', async () => {
    const expect = async (order) => {
      const want = order.map((n) => made[n]);
      for (const [limit, offset] of [[1, 0], [2, 0], [3, 0], [2, 1], [1, 3], [50, 0]]) {
        const res = await page({ limit, offset });
        assert.deepEqual(ids(res), want.slice(offset, offset + limit), `limit ${limit} offset ${offset}`);
        assert.equal(res.json.total, want.length, 'total');
        assert.equal(res.json.next !== null, offset + limit < want.length, `next, limit ${limit} offset ${offset}`);
      }
      const walked = [];
      let after;
      for (let pages = 0; pages < 10; pages++) {
        const res = await page({ limit: 2, ...(after ? { after } : {}) });
        walked.push(...ids(res));
        after = res.json.next;
        if (!after) break;
      }
      assert.deepEqual(walked, want, 'after= walks every row');
    };
    await expect(['A30', 'B28', 'C25', 'A20', 'D10']);
    // A's newest day stays 30 Nov: a page of 1 fences at 28 Nov and finds only B's.
    assert.equal((await api('DELETE', `/activities/${made.A30}`, { as: P })).status, 204);
    await expect(['B28', 'C25', 'A20', 'D10']);
    // D moved to 1 Dec: its newest day rises with the change.
    assert.equal((await api('PATCH', `/activities/${made.D10}`, { as: P, body: { held_on: '2026-12-01' } })).status, 200);
    await expect(['D10', 'B28', 'C25', 'A20']);
    // B moves to another commune: its activities leave this commune's pages.
    assert.equal((await api('PATCH', `/teams/${teams[1].id}`, { as: P, body: { unit_code: other } })).status, 200);
    await expect(['D10', 'C25', 'A20']);
    // An activity written on B's team, now of the other commune, is not this commune's.
    made.B29 = (await createActivity(P, teams[1].id, { held_on: '2026-11-29' })).id;
    await expect(['D10', 'C25', 'A20']);
  });

  test("every team's newest day is at least its newest activity's, under its unit", { skip: !haveDb() }, () => {
    const wrong = sql(`SELECT t.id, t.unit_code, l.unit_code, l.held_on, n.held_on
                         FROM teams t CROSS JOIN LATERAL (SELECT max(a.held_on) AS held_on FROM activities a WHERE a.team_id = t.id) n
                         LEFT JOIN team_latest_activity l ON l.team_id = t.id
                        WHERE n.held_on IS NOT NULL
                          AND (l.team_id IS NULL OR l.unit_code <> t.unit_code OR l.held_on < n.held_on)`);
    assert.deepEqual(wrong, []);
  });
});
