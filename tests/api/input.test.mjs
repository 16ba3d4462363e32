// Hostile and malformed input (server/README.md "Request life" step 2, DESIGN §4 errors):
// what reaches the handlers is well-formed, validated against the field tables, and every
// error is problem+json that says what was wrong without revealing internals.

import { before, test } from 'node:test';
import {
  api, assert, assertNoLeak, assertProblem, createTeam, DEMO, haveDb, login, RUN, seenProblems, show,
  sqlValue, uniq,
} from './lib.mjs';

const P = 'demo.province';
let team; // a team in 25747 for member and PATCH checks

before(async () => {
  await login(P);
  team = await createTeam(P);
});

const validTeam = () => ({ name: uniq('Tổ hợp lệ'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 1' });

test('malformed JSON answers 400 naming the byte offset', async () => {
  for (const raw of ['{"name": "x",', '{name: "x"}', '{"name": "x"} trailing', '', '[1,2', '{"a":1,,}']) {
    const res = await api('POST', '/teams', { as: P, raw });
    assertProblem(res, 400, { kind: 'bad-request' });
    if (raw.length) {
      assert.match(`${res.json.detail}`, /offset|position|byte|column|char/i, `detail of ${JSON.stringify(raw)}: ${res.json.detail}`);
      assert.match(`${res.json.detail}`, /\d/, 'detail carries the number');
    }
  }
  // A JSON value that is not an object.
  for (const raw of ['[]', '"team"', '42', 'null']) {
    const res = await api('POST', '/teams', { as: P, raw });
    assert.ok([400, 422].includes(res.status), show(res));
    assertProblem(res, res.status);
  }
});

test('a body that is not application/json answers 415', async () => {
  const body = JSON.stringify(validTeam());
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv', 'application/jsonx']) {
    const res = await api('POST', '/teams', { as: P, raw: body, headers: { 'Content-Type': ct } });
    assertProblem(res, 415, { kind: 'unsupported-media-type' });
  }
  const noCt = await fetch(`${process.env.BASE_URL || 'http://127.0.0.1:8080'}/api/v1/teams`, {
    method: 'POST', headers: { Authorization: `Bearer ${await login(P)}` }, body: new Uint8Array(Buffer.from(body)),
  });
  const text = await noCt.text();
  assert.equal(noCt.status, 415, `no Content-Type: ${noCt.status} ${text}`);
  // Parameters are fine.
  const ok = await api('POST', '/teams', { as: P, raw: JSON.stringify(validTeam()), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  assert.equal(ok.status, 201, show(ok));
  const ok2 = await api('PATCH', `/teams/${team.id}`, { as: P, raw: JSON.stringify({ note: 'x' }), headers: { 'Content-Type': 'Application/JSON' } });
  assert.equal(ok2.status, 200, show(ok2));
});

test('a body over 1 MiB answers 413', async () => {
  const filler = 'a'.repeat(1024 * 1024 + 16);
  let res;
  try {
    res = await api('POST', '/teams', { as: P, raw: JSON.stringify({ ...validTeam(), note: filler }) });
  } catch (e) {
    assert.fail(`the server dropped the connection instead of answering 413: ${e.cause?.code ?? e.message}`);
  }
  assertProblem(res, 413, { kind: 'payload-too-large' });
  // The server is still fine afterwards, and 1 MiB minus a little is accepted past the size check.
  const near = await api('POST', '/teams', { as: P, raw: JSON.stringify({ ...validTeam(), note: 'b'.repeat(1000 * 1000) }) });
  assert.notEqual(near.status, 413, show(near));
  assert.ok(near.status < 500, show(near));
});

test('invalid UTF-8 answers 400', async () => {
  const cases = [
    Buffer.from([0xff, 0xfe]), // never valid
    Buffer.from([0xc3]), // truncated sequence
    Buffer.from([0xc0, 0xaf]), // overlong '/'
    Buffer.from([0xed, 0xa0, 0x80]), // UTF-16 surrogate
  ];
  for (const bad of cases) {
    const raw = Buffer.concat([Buffer.from(`{"name":"Tổ `), bad, Buffer.from(`","kind":"hamlet","unit_code":"${DEMO.commune}","hamlet":"Khu phố 1"}`)]);
    const res = await api('POST', '/teams', { as: P, raw: new Uint8Array(raw) });
    assertProblem(res, 400, { kind: 'bad-request' });
  }
  // A raw NUL byte: the JSON before it must not be taken as the whole body.
  const withNul = Buffer.concat([Buffer.from(JSON.stringify(validTeam())), Buffer.from([0]), Buffer.from('garbage')]);
  const nul = await api('POST', '/teams', { as: P, raw: new Uint8Array(withNul) });
  assertProblem(nul, 400, { kind: 'bad-request' });
  // An escaped lone surrogate and a NUL are valid JSON but not storable text.
  for (const raw of [`{"name":"Tổ \\ud800","kind":"hamlet","unit_code":"${DEMO.commune}","hamlet":"Khu phố 1"}`,
    `{"name":"Tổ \\u0000 x","kind":"hamlet","unit_code":"${DEMO.commune}","hamlet":"Khu phố 1"}`]) {
    const res = await api('POST', '/teams', { as: P, raw });
    assert.ok([400, 422].includes(res.status), `${raw}: ${show(res)}`);
    assertProblem(res, res.status);
  }
});

test('422 names every bad field at once (teams)', async () => {
  const res = await api('POST', '/teams', {
    as: P,
    body: {
      name: 'x'.repeat(201), kind: 'spaceship', unit_code: 25747, established_on: '2023-02-30',
      status: 'sleeping', decision_no: ['1'], bogus: 1, member_count: 3, id: '00000000-0000-0000-0000-000000000000', version: 7,
    },
  });
  assertProblem(res, 422, {
    kind: 'validation',
    fields: ['name', 'kind', 'unit_code', 'established_on', 'status', 'decision_no', 'bogus', 'member_count', 'id', 'version'],
  });
  // Missing required fields.
  assertProblem(await api('POST', '/teams', { as: P, body: {} }), 422, { fields: ['name', 'kind', 'unit_code'] });
  assertProblem(await api('POST', '/teams', { as: P, body: { name: '', kind: 'commune', unit_code: DEMO.commune } }), 422, { fields: ['name'] });
  assertProblem(await api('POST', '/teams', { as: P, body: { name: null, kind: null, unit_code: null } }), 422, { fields: ['name', 'kind', 'unit_code'] });
  // 200 characters is fine, counted in characters not bytes.
  const ok = await api('POST', '/teams', { as: P, body: { name: 'Đ'.repeat(200), kind: 'commune', unit_code: DEMO.commune } });
  assert.equal(ok.status, 201, show(ok));
  // PATCH: same field table, read-only fields refused.
  assertProblem(await api('PATCH', `/teams/${team.id}`, { as: P, body: { kind: 'x', established_on: 'soon', leader: null, compliance: {}, created_at: '2020-01-01T00:00:00Z', nope: true } }), 422,
    { fields: ['kind', 'established_on', 'leader', 'compliance', 'created_at', 'nope'] });
  const still = (await api('GET', `/teams/${team.id}`, { as: P })).json;
  assert.equal(still.kind, team.kind);
});

test('422 names every bad field at once (members, enterprises, units)', async () => {
  const year = new Date().getFullYear();
  assertProblem(await api('POST', `/teams/${team.id}/members`, {
    as: P,
    body: {
      full_name: 'y'.repeat(201), gender: 'robot', birth_year: 1800, position: 'boss', affiliation: 'aliens',
      it_skilled: 'yes', trained_on: '01/02/2023', joined_on: 20230101, left_on: '2023-13-01', email: 'not-an-email', team_id: 5, extra: 'x',
    },
  }), 422, { fields: ['full_name', 'gender', 'birth_year', 'position', 'affiliation', 'it_skilled', 'trained_on', 'joined_on', 'left_on', 'email', 'extra'] });
  assertProblem(await api('POST', `/teams/${team.id}/members`, { as: P, body: { full_name: uniq('x'), birth_year: year + 1 } }), 422, { fields: ['birth_year'] });
  assertProblem(await api('POST', `/teams/${team.id}/members`, { as: P, body: { full_name: uniq('x'), birth_year: 1990.5 } }), 422, { fields: ['birth_year'] });
  assertProblem(await api('POST', `/teams/${team.id}/members`, { as: P, body: {} }), 422, { fields: ['full_name'] });
  assertProblem(await api('POST', '/enterprises', { as: P, body: { name: 'z'.repeat(201), tax_code: 123, unit_code: 'nowhere', address: 5, contact_phone: [] } }), 422,
    { fields: ['name', 'tax_code', 'unit_code', 'address', 'contact_phone'] });
  assertProblem(await api('POST', '/enterprises', { as: P, body: {} }), 422, { fields: ['name', 'tax_code', 'unit_code'] });
  assertProblem(await api('POST', '/units', { as: P, body: { code: 'abc', name: '', level: 'planet', parent_code: 7, valid_to: 'never', zzz: 1 } }), 422,
    { fields: ['code', 'name', 'level', 'parent_code', 'valid_to', 'zzz'] });
});

test('an SQL injection string is stored and read back verbatim', async () => {
  const evil = `Robert'); DROP TABLE teams;-- ${RUN} \\ " % _ $1 ' OR '1'='1`;
  const res = await api('POST', '/teams', { as: P, body: { name: evil, kind: 'hamlet', unit_code: DEMO.commune, hamlet: `'; DELETE FROM members;--`, note: '"; SELECT pg_sleep(5);--' } });
  assert.equal(res.status, 201, show(res));
  assert.equal(res.json.name, evil);
  const got = await api('GET', `/teams/${res.json.id}`, { as: P });
  assert.equal(got.json.name, evil);
  assert.equal(got.json.hamlet, `'; DELETE FROM members;--`);
  assert.equal(got.json.note, '"; SELECT pg_sleep(5);--');
  const found = await api('GET', '/teams', { as: P, query: { q: `Robert'); DROP TABLE teams;-- ${RUN}` } });
  assert.deepEqual(found.json.items.map((t) => t.id), [res.json.id]);
  // Injection in query parameters and path parameters is just a non-matching value.
  const q = await api('GET', '/teams', { as: P, query: { q: `' OR 1=1 --` } });
  assert.equal(q.status, 200, show(q));
  assert.equal(q.json.total, 0);
  for (const wild of [`Robert%${RUN}`, `Rob_rt'); DROP`]) {
    const r = await api('GET', '/teams', { as: P, query: { q: wild } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.total, 0, `q=${wild}: % and _ are literal characters, not LIKE wildcards`);
  }
  const sort = await api('GET', '/teams', { as: P, query: { sort: 'name; DROP TABLE teams' } });
  assertProblem(sort, 422, { fields: ['sort'] });
  const inj = await api('GET', `/teams/1' OR '1'='1`, { as: P });
  assert.ok([400, 404].includes(inj.status), show(inj));
  assertProblem(inj, inj.status);
  assert.equal((await api('GET', '/teams', { as: P })).status, 200, 'teams still there');
  if (haveDb()) assert.equal(sqlValue(`SELECT count(*) FROM teams WHERE name = :'n'`, { n: evil }), '1');
});

test('path parameters that are not ids answer 400 or 404, never 500', async () => {
  for (const path of ['/teams/not-a-uuid', '/teams/12345', '/members/xyz', '/enterprises/00000000-0000-0000-0000-00000000000g',
    '/units/abc', '/units/123456789', `/teams/${'9'.repeat(300)}`, '/teams/%00', '/teams/%C3%28']) {
    const res = await api('GET', path, { as: P });
    assert.ok([400, 404].includes(res.status), show(res));
    assertProblem(res, res.status);
  }
});

test('list parameters are validated: limit, offset, sort, filters', async () => {
  for (const limit of ['0', '1001', '-1', 'abc', '1.5']) {
    assertProblem(await api('GET', '/teams', { as: P, query: { limit } }), 422, { fields: ['limit'] });
  }
  for (const offset of ['-1', 'abc']) {
    assertProblem(await api('GET', '/teams', { as: P, query: { offset } }), 422, { fields: ['offset'] });
  }
  assertProblem(await api('GET', '/teams', { as: P, query: { sort: 'password' } }), 422, { fields: ['sort'] });
  assertProblem(await api('GET', '/members', { as: P, query: { sort: 'name,-nope' } }), 422, { fields: ['sort'] });
  assertProblem(await api('GET', '/teams', { as: P, query: { compliant: 'maybe' } }), 422, { fields: ['compliant'] });
  assertProblem(await api('GET', '/teams', { as: P, query: { kind: 'spaceship' } }), 422, { fields: ['kind'] });
  assertProblem(await api('GET', '/members', { as: P, query: { team: 'not-a-uuid' } }), 422, { fields: ['team'] });
  const max = await api('GET', '/units', { as: P, query: { limit: 1000 } });
  assert.equal(max.status, 200);
  assert.equal(max.json.limit, 1000);
  const one = await api('GET', '/units', { as: P, query: { limit: 1 } });
  assert.equal(one.json.items.length, 1);
});

test('unknown paths answer 404 and wrong methods 405 with Allow', async () => {
  assertProblem(await api('GET', '/nothing-here', { as: P }), 404);
  const res = await api('PUT', '/teams', { as: P, body: {} });
  assertProblem(res, 405, { kind: 'method-not-allowed' });
  const allow = (res.headers.get('allow') || '').split(/\s*,\s*/);
  assert.deepEqual(allow.filter((m) => ['GET', 'POST'].includes(m)).sort(), ['GET', 'POST'], `Allow: ${allow}`);
  const r2 = await api('POST', `/teams/${team.id}`, { as: P, body: {} });
  assertProblem(r2, 405);
  for (const m of ['GET', 'PATCH', 'DELETE']) assert.ok((r2.headers.get('allow') || '').includes(m), `Allow lacks ${m}`);
});

test('X-Request-Id is echoed, or generated', async () => {
  const mine = `test-${RUN}-42`;
  for (const [method, path, opts] of [['GET', '/healthz', {}], ['GET', '/teams', { as: P }], ['GET', '/teams/not-here', { as: P }],
    ['POST', '/auth/login', { body: { username: `nobody.${RUN}`, password: 'x' } }], ['GET', '/auth/me', {}]]) {
    const echoed = await api(method, path, { ...opts, headers: { 'X-Request-Id': mine } });
    assert.equal(echoed.headers.get('x-request-id'), mine, `${method} ${path} echo`);
    const fresh = await api(method, path, opts);
    const id = fresh.headers.get('x-request-id');
    assert.ok(id && id.length >= 8 && id !== mine, `${method} ${path} generated id "${id}"`);
    const again = (await api(method, path, opts)).headers.get('x-request-id');
    assert.notEqual(again, id, 'ids are unique');
  }
  // A hostile id is not echoed into the headers as is.
  const hostile = await fetch(`${process.env.BASE_URL || 'http://127.0.0.1:8080'}/healthz`, { headers: { 'X-Request-Id': 'x'.repeat(5000) } });
  await hostile.text();
  assert.ok(hostile.status < 500 || hostile.status === 431, `long request id: ${hostile.status}`);
});

// Runs last (tests in a file run in order): every problem body this file saw, whatever the test,
// reveals no SQL, pg_ names, paths or stack text.
test('no problem body leaks internals', () => {
  assert.ok(seenProblems.length > 20, `only ${seenProblems.length} problem bodies seen`);
  for (const p of seenProblems) assertNoLeak(p);
});
