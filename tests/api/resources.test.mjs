// CRUD, lists, search, concurrency control and derived fields of units, enterprises, teams,
// members and structure rules (DESIGN §2, §4). Everything is done as demo.province unless said.

import { describe, test } from 'node:test';
import {
  api, assert, assertCreated, assertProblem, createEnterprise, createMember, createTeam, DEMO, etag,
  freeUnitCode, haveDb, RUN, show, sql, taxCode, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';

/** GET, PATCH (If-Match right, stale, *), DELETE (stale, right), then 404 — on one resource. */
async function lifecycle(collection, created, patch1, patch2, idField = 'id', { deletable = true } = {}) {
  const id = created[idField];
  const path = `${collection}/${id}`;

  const got = await api('GET', path, { as: P });
  assert.equal(got.status, 200, show(got));
  assert.equal(got.headers.get('etag'), etag(1));
  assert.deepEqual(got.json, created, 'GET returns what POST returned');

  const p1 = await api('PATCH', path, { as: P, body: patch1, headers: { 'If-Match': etag(1) } });
  assert.equal(p1.status, 200, show(p1));
  assert.equal(p1.json.version, 2);
  assert.equal(p1.headers.get('etag'), etag(2));
  for (const [k, v] of Object.entries(patch1)) assert.deepEqual(p1.json[k], v, `patched ${k}`);
  for (const [k, v] of Object.entries(created)) {
    if (!(k in patch1) && !['version', 'updated_at', 'compliance', 'member_count', 'leader'].includes(k)) {
      assert.deepEqual(p1.json[k], v, `PATCH kept ${k}`);
    }
  }
  if (created.updated_at) assert.ok(Date.parse(p1.json.updated_at) >= Date.parse(created.updated_at), 'updated_at moves');

  const stale = await api('PATCH', path, { as: P, body: patch2, headers: { 'If-Match': etag(1) } });
  assertProblem(stale, 412, { kind: 'precondition-failed' });
  const still = await api('GET', path, { as: P });
  assert.equal(still.json.version, 2, 'a stale PATCH changed nothing');

  const star = await api('PATCH', path, { as: P, body: patch2, headers: { 'If-Match': '*' } });
  assert.equal(star.status, 200, show(star));
  assert.equal(star.json.version, 3);

  const bare = await api('PATCH', path, { as: P, body: patch1 });
  assert.equal(bare.status, 200, `PATCH without If-Match: ${show(bare)}`);
  assert.equal(bare.json.version, 4);

  if (!deletable) return;
  const staleDel = await api('DELETE', path, { as: P, headers: { 'If-Match': etag(3) } });
  assertProblem(staleDel, 412);
  assert.equal((await api('GET', path, { as: P })).status, 200, 'a stale DELETE deleted');

  const del = await api('DELETE', path, { as: P, headers: { 'If-Match': etag(4) } });
  assert.equal(del.status, 204, show(del));
  assert.equal(del.text, '');
  assertProblem(await api('GET', path, { as: P }), 404, { kind: 'not-found' });
  assertProblem(await api('PATCH', path, { as: P, body: patch1 }), 404);
  assertProblem(await api('DELETE', path, { as: P }), 404);

  if (haveDb()) {
    const actions = sql(`SELECT action FROM audit WHERE resource_id = :'id' ORDER BY id`, { id }).map((r) => r[0]);
    assert.deepEqual(actions, ['create', 'update', 'update', 'update', 'delete'], `audit of ${path}`);
  }
}

function assertListShape(res, { limit = 50, offset = 0 } = {}) {
  assert.equal(res.status, 200, show(res));
  assert.ok(Array.isArray(res.json.items), 'items');
  assert.ok(Number.isInteger(res.json.total), 'total');
  assert.equal(res.json.limit, limit, 'limit');
  assert.equal(res.json.offset, offset, 'offset');
  assert.ok(res.json.items.length <= limit);
}

const names = (res) => res.json.items.map((x) => x.name ?? x.full_name);

describe('enterprises', () => {
  test('create, read, update with If-Match, delete', async () => {
    const body = {
      name: uniq('Công ty TNHH Điện tử'), tax_code: taxCode(), unit_code: DEMO.commune,
      address: '1 Đường Yersin, Phú Cường', contact_name: 'Lê Thị Hoa', contact_phone: '0274 3822 111',
    };
    const res = await api('POST', '/enterprises', { as: P, body });
    const created = assertCreated(res, '/enterprises');
    for (const [k, v] of Object.entries(body)) assert.equal(created[k], v, k);
    for (const k of ['created_at', 'updated_at']) assert.ok(!Number.isNaN(Date.parse(created[k])), k);
    assert.match(created.created_at, /(Z|[+-]\d\d:\d\d)$/, 'RFC 3339 with offset');
    await lifecycle('/enterprises', created, { contact_name: 'Phạm Văn Bình' }, { address: null });
  });

  test('tax code: 10 digits or 10-3; duplicates answer 409', async () => {
    const branch = `${taxCode()}-001`;
    const e = await createEnterprise(P, { tax_code: branch });
    assert.equal(e.tax_code, branch);
    const dup = await api('POST', '/enterprises', { as: P, body: { name: uniq('Công ty trùng'), tax_code: branch, unit_code: DEMO.commune } });
    assertProblem(dup, 409, { kind: 'conflict' });
    const other = await createEnterprise(P);
    assertProblem(await api('PATCH', `/enterprises/${other.id}`, { as: P, body: { tax_code: branch } }), 409);
    for (const bad of ['123', '12345678901', '0123456789-01', 'abcdefghij']) {
      assertProblem(await api('POST', '/enterprises', { as: P, body: { name: uniq('x'), tax_code: bad, unit_code: DEMO.commune } }), 422, { fields: ['tax_code'] });
    }
  });

  test('list: q ignores case and diacritics, sort, paging, unit filter', async () => {
    const tag = `${RUN}e`;
    const [b, a, c] = [
      await createEnterprise(P, { name: `Công ty Bình ${tag}` }),
      await createEnterprise(P, { name: `Công ty An ${tag}` }),
      await createEnterprise(P, { name: `Công ty Điện ${tag}`, unit_code: DEMO.dian }),
    ];
    const asc = await api('GET', '/enterprises', { as: P, query: { q: tag, sort: 'name' } });
    assertListShape(asc);
    assert.equal(asc.json.total, 3);
    assert.deepEqual(asc.json.items.map((x) => x.id), [a.id, b.id, c.id], names(asc).join(', '));
    const desc = await api('GET', '/enterprises', { as: P, query: { q: tag, sort: '-name' } });
    assert.deepEqual(desc.json.items.map((x) => x.id), [c.id, b.id, a.id]);
    const page = await api('GET', '/enterprises', { as: P, query: { q: tag, sort: 'name', limit: 2, offset: 1 } });
    assertListShape(page, { limit: 2, offset: 1 });
    assert.equal(page.json.total, 3);
    assert.deepEqual(page.json.items.map((x) => x.id), [b.id, c.id]);

    for (const q of [`dien ${tag}`, `ĐIỆN ${tag}`, `điện ${tag}`, `DIEN ${tag.toUpperCase()}`]) {
      const r = await api('GET', '/enterprises', { as: P, query: { q } });
      assert.deepEqual(r.json.items.map((x) => x.id), [c.id], `q=${q}`);
    }
    const inTdm = await api('GET', '/enterprises', { as: P, query: { q: tag, unit: DEMO.district } });
    assert.deepEqual(inTdm.json.items.map((x) => x.id).sort(), [a.id, b.id].sort(), 'unit=718 is a subtree filter');
    const inDian = await api('GET', '/enterprises', { as: P, query: { q: tag, unit: DEMO.dian } });
    assert.deepEqual(inDian.json.items.map((x) => x.id), [c.id]);
    const byTax = await api('GET', '/enterprises', { as: P, query: { q: tag, sort: 'tax_code' } });
    const taxes = byTax.json.items.map((x) => x.tax_code);
    assert.deepEqual(taxes, [...taxes].sort(), 'sort=tax_code');
  });
});

describe('teams', () => {
  test('create, read, update with If-Match, delete (which removes its members)', async () => {
    const body = {
      external_id: `T-${RUN}-1`, name: uniq('Tổ CNSCĐ khu phố 3'), kind: 'hamlet', unit_code: DEMO.commune,
      hamlet: 'Khu phố 3', decision_no: '123/QĐ-UBND', established_on: '2022-10-15', status: 'active', note: 'thử',
    };
    const res = await api('POST', '/teams', { as: P, body });
    const created = assertCreated(res, '/teams');
    for (const [k, v] of Object.entries(body)) assert.equal(created[k], v, k);
    assert.equal(created.enterprise_id ?? null, null);
    assert.equal(created.member_count, 0);
    assert.equal(created.leader, null);
    assert.equal(typeof created.compliance?.ok, 'boolean');

    // Members go with the team.
    const m = await createMember(P, created.id);
    const withMember = (await api('GET', `/teams/${created.id}`, { as: P })).json;
    assert.equal(withMember.member_count, 1);
    assert.equal(withMember.version, 1, 'adding a member does not bump the team version');

    await lifecycle('/teams', withMember, { note: 'đã cập nhật', status: 'dissolved' }, { decision_no: null }, 'id', { deletable: false });
    const cur = (await api('GET', `/teams/${created.id}`, { as: P })).json;
    const del = await api('DELETE', `/teams/${created.id}`, { as: P, headers: { 'If-Match': etag(cur.version) } });
    assert.equal(del.status, 204, show(del));
    assertProblem(await api('GET', `/teams/${created.id}`, { as: P }), 404);
    assertProblem(await api('GET', `/members/${m.id}`, { as: P }), 404, { kind: 'not-found' });
  });

  test('duplicate external_id answers 409', async () => {
    const ext = `T-${RUN}-dup`;
    await createTeam(P, { external_id: ext });
    const dup = await api('POST', '/teams', { as: P, body: { external_id: ext, name: uniq('Tổ trùng'), kind: 'commune', unit_code: DEMO.commune } });
    assertProblem(dup, 409, { kind: 'conflict' });
    const other = await createTeam(P);
    assertProblem(await api('PATCH', `/teams/${other.id}`, { as: P, body: { external_id: ext } }), 409);
  });

  test('kind rules: hamlet needs hamlet, enterprise needs enterprise_id, unit must be a commune', async () => {
    assertProblem(await api('POST', '/teams', { as: P, body: { name: uniq('x'), kind: 'hamlet', unit_code: DEMO.commune } }), 422, { fields: ['hamlet'] });
    assertProblem(await api('POST', '/teams', { as: P, body: { name: uniq('x'), kind: 'enterprise', unit_code: DEMO.commune } }), 422, { fields: ['enterprise_id'] });
    assertProblem(await api('POST', '/teams', { as: P, body: { name: uniq('x'), kind: 'organization', unit_code: DEMO.commune } }), 422, { fields: ['enterprise_id'] });
    assertProblem(await api('POST', '/teams', { as: P, body: { name: uniq('x'), kind: 'commune', unit_code: DEMO.district } }), 422, { fields: ['unit_code'] });
    assertProblem(await api('POST', '/teams', { as: P, body: { name: uniq('x'), kind: 'commune', unit_code: '99999' } }), 422, { fields: ['unit_code'] });
    const ent = await createEnterprise(P);
    const t = await createTeam(P, { kind: 'enterprise', enterprise_id: ent.id });
    assert.equal(t.enterprise_id, ent.id);
  });

  test('derived fields: member_count, leader and compliance follow the members', async () => {
    const rules = await api('GET', '/rules', { as: P });
    assert.deepEqual(
      { ...rules.json.hamlet },
      { min_members: 3, max_members: 7, leader_required: true, deputy_required: true, min_it_skilled: 1, required_affiliations: [] },
      'hamlet rules are the defaults (another test changed them?)');

    const team = await createTeam(P, { kind: 'hamlet', hamlet: 'Khu phố 5' });
    assert.equal(team.member_count, 0);
    assert.equal(team.leader, null);
    assert.equal(team.compliance.ok, false);
    const codes = team.compliance.problems.map((p) => p.code);
    assert.deepEqual(codes, ['too_few_members', 'no_leader', 'no_deputy', 'too_few_it_skilled']);
    for (const p of team.compliance.problems) assert.ok(typeof p.message === 'string' && p.message.length > 0);

    const leader = await createMember(P, team.id, { full_name: uniq('Trưởng khu phố Nguyễn Văn An'), position: 'leader', affiliation: 'hamlet_head' });
    let t = (await api('GET', `/teams/${team.id}`, { as: P })).json;
    assert.equal(t.member_count, 1);
    assert.deepEqual(t.leader, { id: leader.id, full_name: leader.full_name });
    assert.deepEqual(t.compliance.problems.map((p) => p.code), ['too_few_members', 'no_deputy', 'too_few_it_skilled']);

    await createMember(P, team.id, { position: 'deputy', affiliation: 'youth_union' });
    t = (await api('GET', `/teams/${team.id}`, { as: P })).json;
    assert.deepEqual(t.compliance.problems.map((p) => p.code), ['too_few_members', 'too_few_it_skilled']);

    const it = await createMember(P, team.id, { position: 'member', affiliation: 'telecom', it_skilled: true });
    t = (await api('GET', `/teams/${team.id}`, { as: P })).json;
    assert.equal(t.member_count, 3);
    assert.deepEqual(t.compliance, { ok: true, problems: [] });

    // Compliance is filterable.
    const ok = await api('GET', '/teams', { as: P, query: { q: team.name, compliant: 'true' } });
    assert.deepEqual(ok.json.items.map((x) => x.id), [team.id]);
    assert.equal((await api('GET', '/teams', { as: P, query: { q: team.name, compliant: 'false' } })).json.total, 0);

    // A member who has left no longer counts.
    const left = await api('PATCH', `/members/${it.id}`, { as: P, body: { left_on: '2020-01-01' } });
    assert.equal(left.status, 200, show(left));
    t = (await api('GET', `/teams/${team.id}`, { as: P })).json;
    assert.equal(t.member_count, 2);
    assert.deepEqual(t.compliance.problems.map((p) => p.code), ['too_few_members', 'too_few_it_skilled']);

    // Too many.
    for (let i = 0; i < 6; i++) await createMember(P, team.id, { it_skilled: true });
    t = (await api('GET', `/teams/${team.id}`, { as: P })).json;
    assert.equal(t.member_count, 8);
    assert.deepEqual(t.compliance.problems.map((p) => p.code), ['too_many_members']);
  });

  test('list filters and sorts', async () => {
    const tag = `${RUN}t`;
    const ent = await createEnterprise(P);
    const a = await createTeam(P, { name: `Tổ Đồng Hành A ${tag}`, kind: 'hamlet', unit_code: DEMO.commune });
    const b = await createTeam(P, { name: `Tổ Bến Bãi B ${tag}`, kind: 'commune', unit_code: DEMO.dian, status: 'dissolved' });
    const c = await createTeam(P, { name: `Tổ Công ty C ${tag}`, kind: 'enterprise', unit_code: DEMO.commune, enterprise_id: ent.id, established_on: '2021-01-01' });
    await createMember(P, c.id);
    await createMember(P, c.id);
    await createMember(P, b.id);
    const ids = (r) => r.json.items.map((x) => x.id);
    const q = async (query) => {
      const r = await api('GET', '/teams', { as: P, query: { q: tag, ...query } });
      assert.equal(r.status, 200, show(r));
      return r;
    };
    // 'Tổ Bến…' < 'Tổ Công…' < 'Tổ Đồng…' under C and ICU collations alike.
    const byName = ids(await q({ sort: 'name' }));
    assert.deepEqual(byName, [b.id, c.id, a.id]);
    assert.deepEqual(ids(await q({ sort: '-name' })), [...byName].reverse());
    assert.deepEqual(ids(await q({ sort: '-member_count,name' })), [c.id, b.id, a.id]);
    assert.deepEqual(ids(await q({ sort: 'member_count,name' })), [a.id, b.id, c.id]);
    assert.deepEqual(ids(await q({ kind: 'enterprise' })), [c.id]);
    assert.deepEqual(ids(await q({ kind: 'commune' })), [b.id]);
    assert.deepEqual(ids(await q({ status: 'dissolved' })), [b.id]);
    assert.deepEqual(ids(await q({ enterprise: ent.id })), [c.id]);
    assert.deepEqual(ids(await q({ unit: DEMO.dianDistrict })), [b.id], 'unit is a subtree filter');
    assert.deepEqual(ids(await q({ unit: DEMO.district, sort: 'name' })).sort(), [a.id, c.id].sort());
    assert.equal(ids(await q({ unit: DEMO.province })).length, 3);
    // Search ignores case and diacritics, including đ/Đ.
    for (const s of [`dong hanh a ${tag}`, `ĐỒNG HÀNH`, `đồng hành a`, `DONG HANH A ${tag.toUpperCase()}`]) {
      const r = await api('GET', '/teams', { as: P, query: { q: s, limit: 1000 } });
      assert.ok(r.json.items.some((x) => x.id === a.id), `q=${s} misses ${a.name}`);
    }
    const paged = await q({ sort: 'name', limit: 1, offset: 2 });
    assertListShape(paged, { limit: 1, offset: 2 });
    assert.equal(paged.json.total, 3);
    assert.deepEqual(ids(paged), [byName[2]]);
  });
});

describe('members', () => {
  test('create, read, update with If-Match, delete', async () => {
    const team = await createTeam(P);
    const body = {
      external_id: `M-${RUN}-1`, full_name: uniq('Trần Thị Đào'), gender: 'female', birth_year: 1990,
      phone: '0912345678', email: 'dao@example.vn', position: 'deputy', affiliation: 'women_union',
      it_skilled: true, trained_on: '2023-03-01', joined_on: '2022-11-01',
    };
    const res = await api('POST', `/teams/${team.id}/members`, { as: P, body });
    const created = assertCreated(res, '/members');
    for (const [k, v] of Object.entries(body)) assert.equal(created[k], v, k);
    assert.equal(created.team_id, team.id);
    assert.equal(created.left_on ?? null, null);
    await lifecycle('/members', created, { position: 'leader', phone: '0987654321' }, { email: null });
  });

  test('defaults: position member, it_skilled false', async () => {
    const team = await createTeam(P);
    const m = await createMember(P, team.id);
    assert.equal(m.position, 'member');
    assert.equal(m.it_skilled, false);
  });

  test('duplicate external_id answers 409', async () => {
    const team = await createTeam(P);
    const ext = `M-${RUN}-dup`;
    await createMember(P, team.id, { external_id: ext });
    assertProblem(await api('POST', `/teams/${team.id}/members`, { as: P, body: { full_name: uniq('x'), external_id: ext } }), 409, { kind: 'conflict' });
  });

  test('lists: per team and overall, filters, q, sort', async () => {
    const tag = `${RUN}m`;
    const t1 = await createTeam(P);
    const t2 = await createTeam(P, { unit_code: DEMO.dian });
    const a = await createMember(P, t1.id, { full_name: `Đặng Văn Bảo ${tag}`, position: 'leader', affiliation: 'police' });
    const b = await createMember(P, t1.id, { full_name: `Anh Thư ${tag}`, position: 'member', affiliation: 'youth_union' });
    const c = await createMember(P, t2.id, { full_name: `Cao Thị Cúc ${tag}`, position: 'member', affiliation: 'police' });
    const ids = (r) => r.json.items.map((x) => x.id);

    const perTeam = await api('GET', `/teams/${t1.id}/members`, { as: P, query: { sort: 'full_name' } });
    assertListShape(perTeam);
    assert.deepEqual(ids(perTeam), [b.id, a.id], 'Anh… before Đặng…');

    const all = async (query) => {
      const r = await api('GET', '/members', { as: P, query: { q: tag, ...query } });
      assert.equal(r.status, 200, show(r));
      return r;
    };
    assert.equal((await all({})).json.total, 3);
    assert.deepEqual(ids(await all({ team: t1.id, sort: 'full_name' })), [b.id, a.id]);
    assert.deepEqual(ids(await all({ position: 'leader' })), [a.id]);
    assert.deepEqual(new Set(ids(await all({ affiliation: 'police' }))), new Set([a.id, c.id]));
    assert.deepEqual(ids(await all({ unit: DEMO.dianDistrict })), [c.id]);
    assert.deepEqual(ids(await all({ position: 'member', sort: '-full_name' })), [c.id, b.id]);
    const byName = ids(await all({ sort: 'full_name' }));
    assert.deepEqual(ids(await all({ sort: '-full_name' })), [...byName].reverse());
    for (const s of [`dang van bao ${tag}`, `ĐẶNG VĂN`, `đặng văn bảo`]) {
      const r = await api('GET', '/members', { as: P, query: { q: s, limit: 1000 } });
      assert.ok(r.json.items.some((x) => x.id === a.id), `q=${s} misses ${a.full_name}`);
    }
    const byPos = ids(await api('GET', `/teams/${t1.id}/members`, { as: P, query: { position: 'leader' } }));
    assert.deepEqual(byPos, [a.id]);
  });
});

describe('units (province only)', () => {
  const freeCode = () => freeUnitCode(P);

  test('create, read, update with If-Match; units are never deleted', async () => {
    const code = await freeCode();
    const body = { code, name: `Phường Thử Nghiệm ${RUN}`, level: 'commune', parent_code: DEMO.district };
    const res = await api('POST', '/units', { as: P, body });
    const created = assertCreated(res, '/units', 'code');
    assert.equal(created.name, body.name);
    assert.equal(created.level, 'commune');
    assert.equal(created.parent_code, DEMO.district);
    assert.equal(created.valid_to ?? null, null);
    await lifecycle('/units', created, { name: `Phường Thử Nghiệm Mới ${RUN}` }, { valid_to: '2099-12-31' }, 'code', { deletable: false });
    const after = (await api('GET', `/units/${code}`, { as: P })).json;
    assert.equal(after.name, `Phường Thử Nghiệm Mới ${RUN}`);
    const del = await api('DELETE', `/units/${code}`, { as: P });
    assertProblem(del, 405);
    assert.match(del.headers.get('allow') || '', /GET/);
    assert.match(del.headers.get('allow') || '', /PATCH/);
    // Duplicate code.
    assertProblem(await api('POST', '/units', { as: P, body }), 409, { kind: 'conflict' });
    // The district now lists it among its children, and it is inside the district's scope.
    const kids = await api('GET', '/units', { as: 'demo.district', query: { parent: DEMO.district, q: RUN } });
    assert.ok(kids.json.items.some((u) => u.code === code));
  });

  test('validation: level and parent must fit, parent must exist', async () => {
    const code = await freeCode();
    assertProblem(await api('POST', '/units', { as: P, body: { code, name: uniq('x'), level: 'village', parent_code: DEMO.district } }), 422, { fields: ['level'] });
    assertProblem(await api('POST', '/units', { as: P, body: { code: '12a', name: uniq('x'), level: 'commune', parent_code: DEMO.district } }), 422, { fields: ['code'] });
    assertProblem(await api('POST', '/units', { as: P, body: { code, name: uniq('x'), level: 'commune', parent_code: '99999' } }), 422, { fields: ['parent_code'] });
    assertProblem(await api('POST', '/units', { as: P, body: { code, name: uniq('x'), level: 'commune' } }), 422, { fields: ['parent_code'] });
    assertProblem(await api('PATCH', `/units/${DEMO.district}`, { as: P, body: { parent_code: DEMO.commune } }), 422, { fields: ['parent_code'] });
    assert.equal((await api('GET', `/units/${code}`, { as: P })).status, 404, 'nothing written');
  });

  test('list: filters, sort, q ignoring case and diacritics', async () => {
    const kids = await api('GET', '/units', { as: P, query: { parent: DEMO.district, sort: 'code', limit: 1000 } });
    assert.equal(kids.status, 200, show(kids));
    const codes = kids.json.items.map((u) => u.code);
    assert.deepEqual(codes, [...codes].sort(), 'sort=code');
    assert.ok(codes.includes(DEMO.commune));
    // Today 79 has the test suite's two intermediate units (tests/fixtures/intermediate-level.sql);
    // on 30/06/2025 Bình Dương still had its 9 districts.
    const dists = await api('GET', '/units', { as: P, query: { level: 'district', parent: DEMO.province } });
    assert.deepEqual(dists.json.items.map((u) => u.code), [DEMO.district, DEMO.dianDistrict]);
    const old = await api('GET', '/units', { as: P, query: { level: 'district', parent: '74', on: '2025-06-30' } });
    assert.equal(old.json.total, 9, 'Bình Dương had 9 districts');
    for (const u of [...dists.json.items, ...old.json.items]) assert.equal(u.level, 'district');
    const def = await api('GET', '/units', { as: P, query: { level: 'district' } });
    const dcodes = def.json.items.map((u) => u.code);
    assert.deepEqual(dcodes, [...dcodes].sort(), 'default sort is code');

    for (const q of ['thu dau mot', 'THU DAU MOT', 'Thủ Dầu Một', 'thủ dầu một', 'THỦ DẦU MỘT']) {
      const r = await api('GET', '/units', { as: P, query: { q } });
      assert.ok(r.json.items.some((u) => u.code === DEMO.commune), `q=${q}`);
    }
    // 'd' finds 'đ': Phường Định Hoà (25759, until 2025), Phường Dĩ An (25942).
    for (const q of ['dinh hoa', 'Đinh hoa', 'đinh', 'DINH HOA']) {
      const r = await api('GET', '/units', { as: P, query: { q, on: '2025-06-30' } });
      assert.ok(r.json.items.some((u) => u.gso_code === '25759'), `q=${q} misses Phường Định Hoà`);
    }
    const d = await api('GET', '/units', { as: P, query: { q: 'd', limit: 1000 } });
    assert.ok(d.json.items.some((u) => u.name.includes('Đ') || u.name.includes('đ')), 'q=d finds names with đ');
    const byName = await api('GET', '/units', { as: P, query: { parent: DEMO.district, sort: '-name', limit: 1000 } });
    assert.equal(byName.status, 200);
    assert.equal(byName.json.total, kids.json.total);
  });
});

describe('structure rules', () => {
  test('GET, PUT (province), validation, effect on compliance, restore', async () => {
    const orig = await api('GET', '/rules', { as: P });
    assert.equal(orig.status, 200, show(orig));
    const kinds = ['commune', 'hamlet', 'enterprise', 'organization'];
    for (const k of kinds) {
      const r = orig.json[k];
      assert.ok(r, `rules.${k}`);
      for (const f of ['min_members', 'max_members', 'leader_required', 'deputy_required', 'min_it_skilled', 'required_affiliations']) {
        assert.ok(f in r, `rules.${k}.${f}`);
      }
    }
    assert.ok(Number.isInteger(orig.json.version));
    const original = Object.fromEntries(kinds.map((k) => [k, orig.json[k]]));
    // Everyone may read them.
    assert.equal((await api('GET', '/rules', { as: 'demo.enterprise' })).status, 200);

    const team = await createTeam(P, { kind: 'commune' });
    await createMember(P, team.id, { position: 'leader', it_skilled: true });
    await createMember(P, team.id);
    await createMember(P, team.id, { affiliation: 'police' });
    const before = (await api('GET', `/teams/${team.id}`, { as: P })).json;
    assert.deepEqual(before.compliance, { ok: true, problems: [] }, 'commune team with 3 members, leader, IT');

    try {
      const changed = structuredClone(original);
      changed.commune = { ...changed.commune, min_members: 2, max_members: 2, deputy_required: true, required_affiliations: ['police', 'youth_union'] };
      const put = await api('PUT', '/rules', { as: P, body: changed });
      assert.equal(put.status, 200, show(put));
      const now = await api('GET', '/rules', { as: P });
      assert.equal(now.json.version, orig.json.version + 1);
      assert.deepEqual(now.json.commune, changed.commune);
      const t = (await api('GET', `/teams/${team.id}`, { as: P })).json;
      assert.deepEqual(t.compliance.problems.map((p) => p.code), ['too_many_members', 'no_deputy', 'missing_affiliation']);

      // Validation: all four kinds required; values checked.
      const { organization, ...three } = original;
      assertProblem(await api('PUT', '/rules', { as: P, body: three }), 422, { fields: ['organization'] });
      const bad = structuredClone(original);
      bad.hamlet.min_members = -1;
      bad.hamlet.required_affiliations = ['aliens'];
      bad.enterprise.leader_required = 'yes';
      assertProblem(await api('PUT', '/rules', { as: P, body: bad }), 422, { fields: ['min_members', 'required_affiliations', 'leader_required'] });
      const inverted = structuredClone(original);
      inverted.hamlet.min_members = 9;
      inverted.hamlet.max_members = 3;
      assertProblem(await api('PUT', '/rules', { as: P, body: inverted }), 422);
      assert.equal((await api('GET', '/rules', { as: P })).json.version, orig.json.version + 1, 'refused PUTs wrote nothing');
      // Not for other roles.
      assertProblem(await api('PUT', '/rules', { as: 'demo.district', body: original }), 403);
    } finally {
      const restore = await api('PUT', '/rules', { as: P, body: original });
      assert.equal(restore.status, 200, `restore rules: ${show(restore)}`);
    }
    const back = await api('GET', '/rules', { as: P });
    for (const k of kinds) assert.deepEqual(back.json[k], original[k]);
    assert.deepEqual((await api('GET', `/teams/${team.id}`, { as: P })).json.compliance, { ok: true, problems: [] });
  });
});

test('enterprise actor writes within its own enterprise', async () => {
  const ent = (await whoami('demo.enterprise')).enterprise;
  const t = await createTeam(P, { kind: 'enterprise', enterprise_id: ent });
  const m = await createMember('demo.enterprise', t.id, { position: 'leader' });
  const p = await api('PATCH', `/members/${m.id}`, { as: 'demo.enterprise', body: { phone: '0900000000' }, headers: { 'If-Match': etag(1) } });
  assert.equal(p.status, 200, show(p));
  const d = await api('DELETE', `/members/${m.id}`, { as: 'demo.enterprise' });
  assert.equal(d.status, 204, show(d));
});
