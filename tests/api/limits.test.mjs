// Input limits (issue 6, item 5): every input has a bound, and going past it answers a clear 4xx,
// problem+json naming the limit or the field, with nothing written.
//
//   body size        413 (announced or streamed past MAX_BODY_BYTES, imports past theirs)
//   a body cut short 400 (covered with real connection cuts in tests/faults/import-cut.test.mjs)
//   JSON nesting     400 past 32 levels of objects and arrays (http/validate.h JSON_MAX_DEPTH)
//   string length    422 past each field's limit, in characters; no string field is unbounded
//   array length     422 past the number of distinct values allowed
//   numeric range    422 outside each field's range; not an integer, or not a number
//   dates            422 unless a real calendar date YYYY-MM-DD from 1900 to 2200
//   UTF-8            400 for bodies (JSON, CSV, form), 422 for query values
//   query string     414 past 4 KiB (http/query.h QUERY_MAX_BYTES)
//   header size      431 past 16 KiB of request line and headers (http/edge.h)
//   unknown fields   422 on every write route with a JSON body (the list is checked against
//                    `cdt-server --routes`, so that a new route needs its case here)

import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { before, test } from 'node:test';
import {
  api, assert, assertProblem, BASE_URL, CDT_SERVER, createActivity, createEnterprise, createMember, createTeam,
  DEMO, haveDb, login, PREFIX, RUN, show, sqlValue, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';
let team; // a team in 25747 for members, activities and PATCH checks
let member;
let activity;
let enterprise;

before(async () => {
  await login(P);
  team = await createTeam(P);
  member = await createMember(P, team.id);
  activity = await createActivity(P, team.id);
  enterprise = await createEnterprise(P);
});

/** Teams named `name` in the database (0 when nothing was written); skipped without psql. */
function teamsNamed(name) {
  return haveDb() ? Number(sqlValue(`SELECT count(*) FROM teams WHERE name = :'n'`, { n: name })) : 0;
}

/**
 * One request over a raw socket: the head as given, then `body` (a Buffer or string, possibly
 * shorter than announced), then the client's side is closed unless `end` is false (a request
 * the server refuses before reading all of it: it closes the connection itself, and a FIN sent
 * after its reset would fail with EPIPE and take the unread answer with it). Resolves the status
 * line, the headers (lower-case names) and the body text of the answer, whatever the server did.
 */
function raw(head, body = '', { end = true } = {}) {
  const { hostname, port } = new URL(BASE_URL);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => {
      s.write(head);
      if (end) s.end(body);
      else if (body.length) s.write(body);
    });
    const chunks = [];
    s.on('data', (d) => {
      chunks.push(d);
      // A whole answer is enough: the server may keep the connection to read the rest it expects.
      const all = Buffer.concat(chunks);
      const cut = all.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(all.subarray(0, cut).toString());
      if (cut >= 0 && length && all.length >= cut + 4 + Number(length[1])) s.destroy();
    });
    s.on('error', (e) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? null : reject(e)));
    const guard = setTimeout(() => s.destroy(), 15_000);
    s.on('close', () => {
      clearTimeout(guard);
      const text = Buffer.concat(chunks).toString('utf8');
      const [headText, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = headText.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const bodyText = rest.join('\r\n\r\n');
      let json;
      try { json = JSON.parse(bodyText); } catch { /* not JSON */ }
      resolve({ status: Number(statusLine.split(' ')[1]), statusLine, headers, text: bodyText, json });
    });
  });
}

/*
 * raw() for a request the server refuses before reading all of it: the server answers and closes,
 * and the rest of what the client sent can make the client's kernel see a reset that throws the
 * answer away before it is read. An answer lost that way (nothing at all came back) is asked for
 * again, up to three times; a wrong answer is never retried.
 */
async function rawRefused(head, body = '') {
  let res;
  for (let i = 0; i < 3; i++) {
    res = await raw(head, body, { end: false });
    if (res.statusLine) return res;
  }
  return res;
}

function assertRawProblem(res, status, kind) {
  assert.equal(res.status, status, `${res.statusLine}\n${res.text}`);
  assert.ok((res.headers['content-type'] || '').startsWith('application/problem+json'), `content-type ${res.headers['content-type']}`);
  assert.equal(res.json?.status, status, res.text);
  if (kind) assert.ok(res.json.type.endsWith('/' + kind), res.json.type);
}

test('a body past the limit answers 413 before it is read, and writes nothing', async () => {
  const token = await login(P);
  const name = uniq('Tổ quá lớn');
  const start = Date.now();
  // Announced larger than MAX_BODY_BYTES (1 MiB): refused on the Content-Length alone.
  const announced = await rawRefused(`POST ${PREFIX}/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n`, JSON.stringify({ name, kind: 'commune', unit_code: DEMO.commune }));
  assertRawProblem(announced, 413, 'payload-too-large');
  assert.match(announced.json.detail, /1048576 bytes/);
  assert.ok(Date.now() - start < 5000, 'answered at once, without waiting for the 5 MB');
  // Imports have their own, larger limit (IMPORT_MAX_BODY_BYTES, 128 MiB by default).
  const importAnnounced = await rawRefused(`POST ${PREFIX}/import/members HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: text/csv\r\nContent-Length: ${300 * 1024 * 1024}\r\nConnection: close\r\n\r\n`, 'external_id,team_external_id,full_name\n');
  assertRawProblem(importAnnounced, 413, 'payload-too-large');
  // Streamed (chunked, no length given) past the limit.
  const chunk = 'x'.repeat(64 * 1024);
  let streamed = `{"name":${JSON.stringify(name)},"kind":"commune","unit_code":"${DEMO.commune}","note":"`;
  while (streamed.length < 1.2 * 1024 * 1024) streamed += chunk;
  streamed += '"}';
  const body = Buffer.from(streamed);
  const chunked = await rawRefused(`POST ${PREFIX}/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
  Buffer.concat([Buffer.from(body.length.toString(16) + '\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]));
  assertRawProblem(chunked, 413, 'payload-too-large');
  assert.equal(teamsNamed(name), 0, 'nothing written');
  assert.equal((await api('GET', '/healthz')).status, 200);
});

test('a client that asks first (Expect: 100-continue) is told to go on; a body too large is refused instead', async () => {
  // curl asks so for every body over 1 MiB (the imports) and waits a second when no answer comes.
  const token = await login(P);
  const name = uniq('Tổ hỏi trước');
  const body = JSON.stringify({ name, kind: 'commune', unit_code: DEMO.commune });
  const { hostname, port } = new URL(BASE_URL);
  const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
  const answer = await new Promise((resolve, reject) => {
    let text = '';
    let sent = false;
    const s = connect(Number(port), hostname, () => s.write(`POST ${PREFIX}/teams HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`));
    s.on('data', (d) => {
      text += d.toString('utf8');
      if (!sent && text.startsWith(CONTINUE)) {
        sent = true; // the body goes only once the server has said so
        s.write(body);
      }
    });
    s.on('error', reject);
    const guard = setTimeout(() => s.destroy(), 10_000);
    s.on('close', () => { clearTimeout(guard); resolve({ text, sent }); });
  });
  assert.ok(answer.sent, `100 Continue before the body is sent: ${answer.text.slice(0, 300)}`);
  assert.match(answer.text.slice(CONTINUE.length), /^HTTP\/1\.1 201 /, answer.text.slice(0, 300));
  assert.equal(teamsNamed(name), haveDb() ? 1 : 0, 'the team was written once');
  // Announced past the limit: the final 413 and no invitation to send it.
  const refused = await rawRefused(`POST ${PREFIX}/teams HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`, '');
  assertRawProblem(refused, 413, 'payload-too-large');
});

test('JSON nested deeper than 32 levels answers 400 naming the limit', async () => {
  const name = uniq('Tổ lồng sâu');
  const nested = (levels) => '['.repeat(levels) + ']'.repeat(levels);
  const body = (levels) => `{"name":${JSON.stringify(name)},"kind":"commune","unit_code":"${DEMO.commune}","note":${nested(levels)}}`;
  // The object is level 1: 31 arrays inside it make 32 levels, past the check (then 422: note is text).
  assertProblem(await api('POST', '/teams', { as: P, raw: body(31) }), 422, { fields: ['note'] });
  const deep = await api('POST', '/teams', { as: P, raw: body(32) });
  assertProblem(deep, 400, { kind: 'bad-request' });
  assert.match(deep.json.detail, /deeper than 32 levels/);
  assert.match(deep.json.detail, /byte \d+/);
  // A hundred thousand levels: the same answer, at once, and the server is fine.
  const started = Date.now();
  const abyss = await api('POST', '/teams', { as: P, raw: body(100_000) });
  assertProblem(abyss, 400);
  assert.match(abyss.json.detail, /32 levels/);
  assert.ok(Date.now() - started < 5000);
  // Brackets inside strings are text, not nesting.
  const text = await api('POST', '/teams', { as: P, body: { name: uniq('Tổ ngoặc'), kind: 'commune', unit_code: DEMO.commune, note: '[{'.repeat(900) } });
  assert.equal(text.status, 201, show(text));
  // PATCH, the form-or-JSON sign-in, and JSON imports have the same limit.
  assertProblem(await api('PATCH', `/teams/${team.id}`, { as: P, raw: `{"note":${nested(40)}}` }), 400);
  assertProblem(await api('POST', '/auth/login', { raw: `{"username":${nested(40)},"password":"x"}` }), 400);
  const imp = await api('POST', '/import/units', { as: P, query: { dry_run: true }, raw: `[${nested(40)}]` });
  assertProblem(imp, 400);
  assert.match(imp.json.detail, /32 levels/);
  assert.equal(teamsNamed(name), 0, 'nothing written');
});

test('strings past their limit answer 422 naming the field; limits count characters', async () => {
  const over = (n) => 'ệ'.repeat(n + 1); // 3 bytes each in UTF-8: the limit is in characters
  const marker = `${RUN}-long`;
  const cases = [
    ['POST', '/teams', { name: marker, kind: 'commune', unit_code: DEMO.commune, note: over(2000) }, 'note'],
    ['POST', '/teams', { name: marker, kind: 'commune', unit_code: DEMO.commune, external_id: over(100) }, 'external_id'],
    ['POST', '/teams', { name: marker, kind: 'hamlet', unit_code: DEMO.commune, hamlet: over(200) }, 'hamlet'],
    ['POST', '/teams', { name: marker, kind: 'commune', unit_code: DEMO.commune, decision_no: over(100) }, 'decision_no'],
    ['POST', `/teams/${team.id}/members`, { full_name: over(200) }, 'full_name'],
    ['POST', `/teams/${team.id}/members`, { full_name: marker, email: `${'a'.repeat(250)}@x.vn` }, 'email'],
    // A phone number is 8 to 15 digits with separators, and at most 32 characters in all.
    ['POST', `/teams/${team.id}/members`, { full_name: marker, phone: `0912 345 678${' '.repeat(30)}` }, 'phone'],
    ['POST', '/enterprises', { name: marker, tax_code: '0312345678', unit_code: DEMO.commune, address: over(300) }, 'address'],
    ['POST', '/enterprises', { name: marker, tax_code: '0312345678', unit_code: DEMO.commune, contact_name: over(200) }, 'contact_name'],
    ['POST', '/enterprises', { name: marker, tax_code: '0312345678', unit_code: DEMO.commune, contact_phone: `(${'('.repeat(40)}0912345678` }, 'contact_phone'],
    ['POST', '/activities', { team_id: team.id, held_on: '2026-10-01', kind: 'vneid', title: over(300) }, 'title'],
    ['POST', '/activities', { team_id: team.id, held_on: '2026-10-01', kind: 'vneid', title: marker, location: over(300) }, 'location'],
    ['POST', '/deadlines', { title: over(200), kind: 'report', due_on: '2030-12-31', target_level: 'commune', scope_unit: DEMO.district }, 'title'],
    ['POST', '/deadlines', { title: marker, kind: 'report', due_on: '2030-12-31', target_level: 'commune', scope_unit: DEMO.district, description: over(4000) }, 'description'],
    ['POST', '/users', { username: `u${RUN}`.slice(0, 20), password: 'x'.repeat(257), role: 'commune', unit_code: DEMO.commune }, 'password'],
    ['POST', '/users', { username: 'u'.repeat(65), password: 'long enough 123', role: 'commune', unit_code: DEMO.commune }, 'username'],
    ['POST', '/users', { username: `u${RUN}`.slice(0, 20), password: 'long enough 123', role: 'commune', unit_code: DEMO.commune, full_name: over(200) }, 'full_name'],
    ['POST', '/clients', { name: over(200), role: 'commune', unit_code: DEMO.commune }, 'name'],
    ['POST', '/auth/login', { username: 'u'.repeat(101), password: 'x' }, 'username'],
    ['POST', '/auth/login', { username: 'demo.province', password: 'p'.repeat(257) }, 'password'],
  ];
  for (const [method, path, body, field] of cases) {
    const res = await api(method, path, { as: path.startsWith('/auth') ? undefined : P, body });
    assertProblem(res, 422, { fields: [field] });
    const e = res.json.errors.find((x) => x.field === field);
    assert.match(e.message, /at most|must be/, `${path} ${field}: ${e.message}`);
  }
  // Exactly at the limit is fine, counted in characters (2000 × 3 bytes).
  const at = await api('POST', '/teams', { as: P, body: { name: uniq('Tổ đủ dài'), kind: 'commune', unit_code: DEMO.commune, note: 'ệ'.repeat(2000) } });
  assert.equal(at.status, 201, show(at));
  if (haveDb()) {
    assert.equal(sqlValue(`SELECT count(*) FROM teams WHERE name = :'m'`, { m: marker }), '0');
    assert.equal(sqlValue(`SELECT count(*) FROM members WHERE full_name = :'m'`, { m: marker }), '0');
    assert.equal(sqlValue(`SELECT count(*) FROM activities WHERE title = :'m'`, { m: marker }), '0');
    assert.equal(sqlValue(`SELECT count(*) FROM deadlines WHERE title = :'m'`, { m: marker }), '0');
  }
});

test('arrays longer than the values they may hold answer 422', async () => {
  const current = (await api('GET', '/rules', { as: P })).json;
  const { version, ...rules } = current;
  const all = ['commune_government', 'police', 'military', 'youth_union', 'women_union', 'farmers_union', 'veterans_union',
    'trade_union', 'fatherland_front', 'telecom', 'enterprise', 'school', 'hamlet_head', 'volunteer', 'other'];
  for (const list of [[...all, 'police'], Array(100_000).fill('police')]) {
    const started = Date.now();
    const res = await api('PUT', '/rules', { as: P, body: { ...rules, hamlet: { ...rules.hamlet, required_affiliations: list } } });
    const body = assertProblem(res, 422, { fields: ['hamlet.required_affiliations'] });
    assert.match(body.errors.find((e) => e.field === 'hamlet.required_affiliations').message, /at most 15/);
    assert.ok(Date.now() - started < 5000);
  }
  // All fifteen, each once, is the most there can be: it passes validation and reaches the
  // version check, which an If-Match no version has stops (the shared rules stay as they are).
  const fifteen = await api('PUT', '/rules', { as: P, body: { ...rules, hamlet: { ...rules.hamlet, required_affiliations: all } }, headers: { 'If-Match': '"999999"' } });
  assertProblem(fifteen, 412);
  assert.equal((await api('GET', '/rules', { as: P })).json.version, version, 'refused rules wrote nothing');
});

test('numbers outside their range answer 422', async () => {
  const base = { team_id: team.id, held_on: '2026-10-01', kind: 'vneid', title: `${RUN}-numbers` };
  for (const [raw, field] of [
    [{ ...base, people_reached: -1 }, 'people_reached'],
    [{ ...base, people_reached: 1_000_001 }, 'people_reached'],
    [{ ...base, people_reached: 1.5 }, 'people_reached'],
    [{ ...base, people_reached: '12' }, 'people_reached'],
    [{ ...base, outcomes: { vneid_activations: -3 } }, 'outcomes'],
    [{ ...base, outcomes: { vneid_activations: 2_000_000 } }, 'outcomes'],
    [{ ...base, outcomes: { vneid_activations: 1, nobody_counts_this: 1 } }, 'outcomes'],
  ]) {
    assertProblem(await api('POST', '/activities', { as: P, body: raw }), 422, { fields: [field] });
  }
  // JSON numbers JavaScript cannot even write: past the double range, and huge integers.
  for (const n of ['1e400', '-1e400', '123456789012345678901234567890']) {
    const res = await api('POST', '/activities', { as: P, raw: `{"team_id":"${team.id}","held_on":"2026-10-01","kind":"vneid","title":"${RUN}-numbers","people_reached":${n}}` });
    assertProblem(res, 422, { fields: ['people_reached'] });
  }
  const year = new Date().getFullYear();
  for (const birth_year of [1899, year + 1, 0, -2000]) {
    assertProblem(await api('POST', `/teams/${team.id}/members`, { as: P, body: { full_name: `${RUN}-numbers`, birth_year } }), 422, { fields: ['birth_year'] });
  }
  const { version, ...rules } = (await api('GET', '/rules', { as: P })).json;
  for (const [k, v] of [['min_members', 1001], ['min_members', -1], ['max_members', 0], ['min_it_skilled', 1e6]]) {
    assertProblem(await api('PUT', '/rules', { as: P, body: { ...rules, commune: { ...rules.commune, [k]: v } } }), 422, { fields: [`commune.${k}`] });
  }
  assert.equal((await api('GET', '/rules', { as: P })).json.version, version);
  if (haveDb()) {
    assert.equal(sqlValue(`SELECT count(*) FROM activities WHERE title = :'t'`, { t: `${RUN}-numbers` }), '0');
    assert.equal(sqlValue(`SELECT count(*) FROM members WHERE full_name = :'t'`, { t: `${RUN}-numbers` }), '0');
  }
});

test('dates must be real calendar dates YYYY-MM-DD from 1900 to 2200', async () => {
  const name = `${RUN}-dates`;
  for (const d of ['2023-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '1899-12-31', '2201-01-01', '2025-1-01',
    '2025-01-01T00:00:00Z', '01/02/2025', '２０２５-01-01', '2025-01-01 ', '']) {
    assertProblem(await api('POST', `/teams/${team.id}/members`, { as: P, body: { full_name: name, trained_on: d } }), 422, { fields: ['trained_on'] });
  }
  const leap = await api('POST', `/teams/${team.id}/members`, { as: P, body: { full_name: uniq('Thành viên nhuận'), trained_on: '2024-02-29' } });
  assert.equal(leap.status, 201, show(leap));
  assertProblem(await api('GET', '/activities', { as: P, query: { from: '2025-02-30' } }), 422, { fields: ['from'] });
  assertProblem(await api('GET', '/stats/overview', { as: P, query: { to: '2025-02-30' } }), 422, { fields: ['to'] });
  assertProblem(await api('PATCH', `/activities/${activity.id}`, { as: P, body: { held_on: '2100-02-29' } }), 422, { fields: ['held_on'] });
  if (haveDb()) assert.equal(sqlValue(`SELECT count(*) FROM members WHERE full_name = :'n'`, { n: name }), '0');
});

test('text that is not valid UTF-8 is refused in every kind of input', async () => {
  const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28]);
  // A JSON body (more cases in input.test.mjs), a CSV import, a form sign-in.
  const json = Buffer.concat([Buffer.from(`{"name":"${RUN}-utf8 `), bad, Buffer.from(`","kind":"commune","unit_code":"${DEMO.commune}"}`)]);
  assertProblem(await api('POST', '/teams', { as: P, raw: new Uint8Array(json) }), 400);
  const csv = Buffer.concat([Buffer.from(`code,name,level,parent_code\n99990,${RUN}-utf8 `), bad, Buffer.from(',commune,718\n')]);
  const imp = await api('POST', '/import/units', { as: P, query: { dry_run: true }, raw: new Uint8Array(csv), headers: { 'Content-Type': 'text/csv' } });
  assertProblem(imp, 400);
  const form = await api('POST', '/auth/token', { raw: 'grant_type=client_credentials&client_id=%FF%FE&client_secret=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assertProblem(form, 400);
  // Query values: percent-encoded bytes that are not UTF-8.
  const q = await api('GET', `${PREFIX}/teams?q=%FF%FE`, { as: P });
  assertProblem(q, 422, { fields: ['q'] });
  // Path parameters: not found, never an error of the server.
  const path = await api('GET', `${PREFIX}/teams/%FF%FE`, { as: P });
  assert.ok([400, 404].includes(path.status), show(path));
  if (haveDb()) assert.equal(sqlValue(`SELECT count(*) FROM teams WHERE name LIKE :'n'`, { n: `${RUN}-utf8%` }), '0');
});

test('a query string over 4 KiB answers 414; up to 4 KiB is read', async () => {
  const long = await api('GET', `${PREFIX}/teams?q=${'a'.repeat(5000)}`, { as: P });
  const body = assertProblem(long, 414, { kind: 'uri-too-long' });
  assert.match(body.detail, /4096 bytes/);
  // Before the token is even looked at.
  assertProblem(await api('GET', `${PREFIX}/teams?q=${'a'.repeat(5000)}`), 414);
  // 4096 bytes exactly is within the limit: the value itself is then too long for a filter (200).
  const at = await api('GET', `${PREFIX}/teams?q=${'a'.repeat(4094)}`, { as: P });
  assertProblem(at, 422, { fields: ['q'] });
  const fine = await api('GET', '/teams', { as: P, query: { q: 'a'.repeat(200) } });
  assert.equal(fine.status, 200, show(fine));
});

test('request headers over 16 KiB answer 431 problem+json, and the server goes on', async () => {
  const res = await rawRefused(`GET ${PREFIX}/teams HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(17_000)}\r\nConnection: close\r\n\r\n`);
  assertRawProblem(res, 431, 'headers-too-large');
  assert.match(res.json.detail, /16384 bytes/);
  assert.ok(res.headers['x-request-id'], 'carries a request id');
  assert.equal(res.headers.server, undefined, 'no Server header');
  // Many small headers adding up past the limit are the same.
  const many = Array.from({ length: 60 }, (_, i) => `X-H${i}: ${'v'.repeat(300)}`).join('\r\n');
  assertRawProblem(await rawRefused(`GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\nConnection: close\r\n\r\n`), 431);
  // 8 KiB of headers is fine; an oversized token (over 4 KiB) is simply not a valid token.
  const ok = await api('GET', '/teams', { as: P, headers: { 'X-Padding': 'p'.repeat(8000) } });
  assert.equal(ok.status, 200, show(ok));
  const fat = await api('GET', '/teams', { token: 'e'.repeat(10_000) });
  assertProblem(fat, 401);
});

// The write routes that take a JSON body, each with a valid body: an unknown field added to it
// must answer 422 naming the field, and nothing may be written. Routes with a body that is not a
// JSON object of fields are listed apart with the reason.
const NO_FIELD_BODY = {
  'DELETE': 'no body',
  'POST /api/v1/import/{resource}': 'rows of a file: an unknown column is refused per row (import.test.mjs, and below)',
};

test('unknown JSON fields answer 422 on every write route, and nothing is written', async () => {
  const routes = execFileSync(CDT_SERVER, ['--routes'], { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.split('\t')).filter(([m]) => m !== 'GET');
  // A deadline to patch, complete and reopen, aimed at enterprises in Dĩ An (outside 718, which
  // most tests count in).
  const deadline = (await api('POST', '/deadlines', { as: P, body: { title: uniq('Hạn thử'), kind: 'report', due_on: '2030-12-31', target_level: 'enterprise', scope_unit: DEMO.dian } })).json;
  assert.ok(deadline?.id, 'a deadline to patch');
  const commune = await whoami('demo.commune');
  const rules = (await api('GET', '/rules', { as: P })).json;
  delete rules.version;
  const name = `${RUN}-unknown`;
  const cases = {
    'POST /api/v1/auth/login': ['/auth/login', { username: 'demo.province', password: 'demo12345' }],
    'POST /api/v1/auth/token': ['/auth/token', { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }],
    'POST /api/v1/units': ['/units', { code: '99989', name, level: 'commune', parent_code: DEMO.district }],
    'PATCH /api/v1/units/{code}': [`/units/${DEMO.commune}`, { name }],
    'POST /api/v1/enterprises': ['/enterprises', { name, tax_code: '0312345679', unit_code: DEMO.commune }],
    'PATCH /api/v1/enterprises/{id}': [`/enterprises/${enterprise.id}`, { name }],
    'POST /api/v1/teams': ['/teams', { name, kind: 'commune', unit_code: DEMO.commune }],
    'PATCH /api/v1/teams/{id}': [`/teams/${team.id}`, { name }],
    'POST /api/v1/teams/{id}/members': [`/teams/${team.id}/members`, { full_name: name }],
    'PATCH /api/v1/members/{id}': [`/members/${member.id}`, { full_name: name }],
    'PUT /api/v1/rules': ['/rules', rules],
    'POST /api/v1/activities': ['/activities', { team_id: team.id, held_on: '2026-10-01', kind: 'vneid', title: name }],
    'PATCH /api/v1/activities/{id}': [`/activities/${activity.id}`, { title: name }],
    'POST /api/v1/deadlines': ['/deadlines', { title: name, kind: 'report', due_on: '2030-12-31', target_level: 'commune', scope_unit: DEMO.district }],
    'PATCH /api/v1/deadlines/{id}': [`/deadlines/${deadline.id}`, { title: name }],
    'POST /api/v1/deadlines/{id}/complete': [`/deadlines/${deadline.id}/complete`, { note: name }],
    'POST /api/v1/deadlines/{id}/reopen': [`/deadlines/${deadline.id}/reopen`, { note: name }],
    'POST /api/v1/deadlines/{id}/report': [`/deadlines/${deadline.id}/report`, { period: 'year', year: 2026, note: name }],
    'POST /api/v1/users': ['/users', { username: `u-${RUN}`.slice(0, 30), password: 'long enough 123', role: 'commune', unit_code: DEMO.commune, full_name: name }],
    'PATCH /api/v1/users/{id}': [`/users/${commune.sub}`, { full_name: name }],
    'POST /api/v1/clients': ['/clients', { name, role: 'commune', unit_code: DEMO.commune }],
    'POST /api/v1/rehome?dry_run=true': ['/rehome?dry_run=true', { units: ['74'] }],
  };
  const covered = new Set(Object.keys(cases).map((k) => k.split('?')[0]));
  const missing = routes.map(([m, p]) => `${m} ${p}`).filter((k) => !covered.has(k) && !NO_FIELD_BODY[k] && !NO_FIELD_BODY[k.split(' ')[0]]);
  assert.deepEqual(missing, [], 'write routes without an unknown-field case here');
  for (const [key, [path, body]] of Object.entries(cases)) {
    const method = key.split(' ')[0];
    const res = await api(method, path, { as: path.startsWith('/auth') ? undefined : P, body: { ...body, zzz_unknown: true } });
    assertProblem(res, 422, { fields: ['zzz_unknown'] });
    assert.match(res.json.errors.find((e) => e.field === 'zzz_unknown').message, /not a known field|not a team kind/, key);
  }
  // Nested objects name the path: a rule field, an outcome count.
  assertProblem(await api('PUT', '/rules', { as: P, body: { ...rules, hamlet: { ...rules.hamlet, zzz_unknown: 1 } } }), 422, { fields: ['hamlet.zzz_unknown'] });
  assertProblem(await api('POST', '/activities', { as: P, body: { ...cases['POST /api/v1/activities'][1], outcomes: { zzz_unknown: 1 } } }), 422, { fields: ['outcomes'] });
  // Imports: an unknown column in a CSV header or a JSON row.
  assertProblem(await api('POST', '/import/units', { as: P, raw: `code,name,level,parent_code,zzz_unknown\n99989,${name},commune,${DEMO.district},1\n`, headers: { 'Content-Type': 'text/csv' } }), 422, { fields: ['zzz_unknown'] });
  assertProblem(await api('POST', '/import/units', { as: P, body: [{ code: '99989', name, level: 'commune', parent_code: DEMO.district, zzz_unknown: 1 }] }), 422, { fields: ['zzz_unknown'] });
  if (haveDb()) {
    const written = sqlValue(`SELECT (SELECT count(*) FROM teams WHERE name = :'n') + (SELECT count(*) FROM units WHERE name = :'n')
      + (SELECT count(*) FROM enterprises WHERE name = :'n') + (SELECT count(*) FROM members WHERE full_name = :'n')
      + (SELECT count(*) FROM activities WHERE title = :'n') + (SELECT count(*) FROM deadlines WHERE title = :'n')
      + (SELECT count(*) FROM users WHERE full_name = :'n') + (SELECT count(*) FROM api_clients WHERE name = :'n')`, { n: name });
    assert.equal(written, '0', 'rows written by refused requests');
  }
});
