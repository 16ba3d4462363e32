// API clients and their tokens (issue 4, items 7 and the principal checks of issue 6):
// create (the secret shown once), exchange as a form and as JSON, use, revoke, rejected
// afterwards; read-only clients; a client's scope; and tokens of users who were disabled or whose
// password changed after the token was issued.
//
// Revocation through the API takes effect at once on the server that did it (it drops its cached
// answer); other server processes notice within 60 s (auth/principals.h).

import { test } from 'node:test';
import {
  api, assert, assertCreated, assertProblem, claims, createTeam, DEMO, haveDb, login, PASSWORD,
  RUN, show, sql, sqlValue, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';

function assert401(res) {
  assertProblem(res, 401, { kind: 'unauthorized' });
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/i, `WWW-Authenticate on ${show(res)}`);
}

async function createClient(fields = {}, as = P) {
  const res = await api('POST', '/clients', { as, body: { name: uniq('Hệ thống thử'), role: 'commune', unit_code: DEMO.commune, ...fields } });
  assertCreated(res, '/clients');
  return res.json;
}

/** POST /auth/token as a form (the default) or as JSON. */
function exchange(client_id, client_secret, { json = false, grant_type = 'client_credentials' } = {}) {
  const fields = { grant_type, client_id, client_secret };
  if (json) return api('POST', '/auth/token', { body: fields });
  return api('POST', '/auth/token', {
    raw: new URLSearchParams(fields).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}

async function tokenOf(client) {
  const res = await exchange(client.client_id, client.client_secret);
  assert.equal(res.status, 200, show(res));
  return res.json.access_token;
}

/** A user of this run made directly in the database (password demo12345), never used before. */
function freshUser(fields = {}) {
  const username = `cli.${RUN}.${Math.random().toString(36).slice(2, 8)}`;
  sql(`INSERT INTO users (username, password_hash, full_name, role, unit_code)
       SELECT :'u', password_hash, 'Người dùng thử', 'commune', :'unit' FROM users WHERE username = 'demo.commune'`,
  { u: username, unit: fields.unit ?? DEMO.commune });
  return username;
}

test('a province creates a client: the secret is shown once, stored hashed, never listed', async () => {
  const name = uniq('Kho dữ liệu tỉnh');
  const created = await createClient({ name, read_only: true });
  assert.match(created.client_id, /^cdt_[0-9a-f]{24}$/, 'client_id');
  assert.equal(typeof created.client_secret, 'string');
  assert.ok(created.client_secret.length >= 32, 'a long random secret');
  for (const [k, v] of Object.entries({ name, role: 'commune', unit_code: DEMO.commune, enterprise_id: null, read_only: true, personal_data: false, revoked_at: null })) {
    assert.deepEqual(created[k], v, `created.${k}`);
  }
  assert.equal(created.created_by, P);
  assert.ok(!('secret_hash' in created), 'no hash in the answer');

  const list = await api('GET', '/clients', { as: P, query: { q: name } });
  assert.equal(list.status, 200, show(list));
  assert.equal(list.json.total, 1, show(list));
  const listed = list.json.items[0];
  assert.equal(listed.id, created.id);
  assert.ok(!('client_secret' in listed) && !('secret_hash' in listed), `listed client shows a secret: ${list.text}`);
  assert.ok(!list.text.includes(created.client_secret) && !list.text.includes('$y$'), 'the secret or its hash in the list');
  const csv = await api('GET', '/clients', { as: P, query: { q: name, format: 'csv' } });
  assert.equal(csv.status, 200, show(csv));
  assert.ok(csv.text.includes(created.client_id) && !csv.text.includes(created.client_secret), 'CSV export without the secret');

  if (haveDb()) {
    const hash = sqlValue(`SELECT secret_hash FROM api_clients WHERE id = :'id'`, { id: created.id });
    assert.match(hash, /^\$y\$/, 'yescrypt hash');
    assert.ok(!hash.includes(created.client_secret));
    const audited = sql(`SELECT action, actor, changes::text FROM audit WHERE resource = 'clients' AND resource_id = :'id'`, { id: created.id });
    assert.deepEqual(audited.map((r) => r[0]), ['create'], 'one create audit row');
    assert.equal(audited[0][1], P);
    assert.ok(!audited[0][2].includes(created.client_secret), 'no secret in the audit trail');
  }
});

test('creating a client: validation, scope, role and read-only accounts', async () => {
  assertProblem(await api('POST', '/clients', { as: P, body: {} }), 422, { fields: ['name', 'role'] });
  assertProblem(await api('POST', '/clients', { as: P, body: { name: uniq('x'), role: 'commune' } }), 422, { fields: ['unit_code'] });
  assertProblem(await api('POST', '/clients', { as: P, body: { name: uniq('x'), role: 'enterprise', unit_code: DEMO.commune } }), 422,
    { fields: ['enterprise_id', 'unit_code'] });
  assertProblem(await api('POST', '/clients', { as: P, body: { name: uniq('x'), role: 'commune', unit_code: DEMO.commune, client_secret: 'mine' } }), 422,
    { fields: ['client_secret'] });
  assertProblem(await api('POST', '/clients', { as: P, body: { name: uniq('x'), role: 'commune', unit_code: DEMO.commune, colour: 'red' } }), 422,
    { fields: ['colour'] });
  // The unit must be at the role's level.
  assertProblem(await api('POST', '/clients', { as: P, body: { name: uniq('x'), role: 'district', unit_code: DEMO.commune } }), 422,
    { fields: ['unit_code'] });
  assertProblem(await api('POST', '/clients', { as: P, body: { name: uniq('x'), role: 'commune', unit_code: '99998' } }), 422,
    { fields: ['unit_code'] });
  // Province only; read-only accounts never write.
  for (const as of ['demo.district', 'demo.commune', 'demo.enterprise', 'demo.readonly']) {
    assertProblem(await api('POST', '/clients', { as, body: { name: uniq('x'), role: 'commune', unit_code: DEMO.commune } }), 403);
  }
  for (const as of ['demo.district', 'demo.commune']) assertProblem(await api('GET', '/clients', { as }), 403);
  if (haveDb()) {
    // A unit outside the province (made as the matrix does): 403.
    sql(`INSERT INTO units (code, name, level, parent_code) VALUES
           ('98', 'Tỉnh Ngoài Thử nghiệm', 'province', NULL),
           ('98001', 'Xã Ngoài Thử nghiệm', 'commune', '98') ON CONFLICT (code) DO NOTHING`);
    assertProblem(await api('POST', '/clients', { as: P, body: { name: uniq('x'), role: 'commune', unit_code: '98001' } }), 403);
  }
  // An enterprise client, by the enterprise's id.
  const ent = (await whoami('demo.enterprise')).enterprise;
  const c = await createClient({ role: 'enterprise', enterprise_id: ent, unit_code: undefined });
  assert.equal(c.enterprise_id, ent);
  assert.equal(c.unit_code, null);
});

test('client credentials: exchange as a form and as JSON, then use the token', async () => {
  const client = await createClient({ personal_data: true });
  for (const json of [false, true]) {
    const res = await exchange(client.client_id, client.client_secret, { json });
    assert.equal(res.status, 200, show(res));
    const b = res.json;
    assert.equal(b.token_type, 'Bearer');
    assert.equal(typeof b.access_token, 'string');
    assert.ok(Number.isInteger(b.expires_in) && b.expires_in > 0);
    const u = b.user;
    assert.deepEqual(
      { id: u.id, username: u.username, role: u.role, unit: u.unit, enterprise: u.enterprise, read_only: u.read_only, kind: u.kind },
      { id: client.id, username: client.name, role: 'commune', unit: DEMO.commune, enterprise: null, read_only: false, kind: 'client' });
    assert.equal(typeof u.full_name, 'string');
    const c = claims(b.access_token);
    assert.equal(c.kind, 'client');
    assert.equal(c.sub, client.id);
    assert.equal(c.exp - c.iat, b.expires_in);

    const me = await api('GET', '/auth/me', { token: b.access_token });
    assert.equal(me.status, 200, show(me));
    assert.equal(me.json.kind, 'client');
    assert.equal(me.json.id, client.id);
    assert.equal(me.json.role, 'commune');
    const teams = await api('GET', '/teams', { token: b.access_token });
    assert.equal(teams.status, 200, show(teams));
  }
  // The audit trail has the successful exchanges under the client.
  if (haveDb()) {
    const n = Number(sqlValue(`SELECT count(*) FROM audit WHERE action = 'login' AND resource = 'clients' AND resource_id = :'id'`, { id: client.id }));
    assert.equal(n, 2, 'one login audit row per exchange');
  }
});

test('wrong secret, unknown client and bad requests to /auth/token', async () => {
  const client = await createClient();
  const wrong = await exchange(client.client_id, 'not-the-secret');
  const unknown = await exchange(`cdt_${'0'.repeat(24)}`, client.client_secret);
  assert401(wrong);
  assert401(unknown);
  const strip = ({ request_id, ...rest }) => rest;
  assert.deepEqual(strip(unknown.json), strip(wrong.json), 'bodies must not tell which part was wrong');
  if (haveDb()) {
    const n = Number(sqlValue(`SELECT count(*) FROM audit WHERE action = 'login_failed' AND resource = 'clients' AND resource_id = :'id'`, { id: client.id }));
    assert.equal(n, 1, 'a login_failed audit row for the wrong secret');
    assert.equal(Number(sqlValue(`SELECT count(*) FROM audit WHERE changes::text LIKE '%not-the-secret%'`)), 0);
  }

  // Another grant type: 400 naming grant_type, OAuth's error code in the message.
  for (const json of [false, true]) {
    const res = await exchange(client.client_id, client.client_secret, { json, grant_type: 'password' });
    const p = assertProblem(res, 400, { fields: ['grant_type'] });
    assert.match(p.errors.find((e) => e.field === 'grant_type').message, /unsupported_grant_type/);
  }
  // Missing fields: 422, each named.
  const missing = await api('POST', '/auth/token', { raw: 'grant_type=client_credentials', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assertProblem(missing, 422, { fields: ['client_id', 'client_secret'] });
  // Other media types: 415. A field given twice: 400. A form with charset and + for spaces is fine.
  assertProblem(await api('POST', '/auth/token', { raw: 'grant_type=client_credentials', headers: { 'Content-Type': 'text/plain' } }), 415);
  const twice = await api('POST', '/auth/token', {
    raw: `grant_type=client_credentials&client_id=${client.client_id}&client_id=x&client_secret=y`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assertProblem(twice, 400, { fields: ['client_id'] });
  const charset = await api('POST', '/auth/token', {
    raw: `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${encodeURIComponent(client.client_secret)}&scope=read+all`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
  });
  assert.equal(charset.status, 200, show(charset));
  assertProblem(await api('POST', '/auth/token', { raw: 'grant_type=client_credentials&client_id=%FF&client_secret=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 400);
});

test('revoking a client: its tokens stop working at once and it cannot get new ones', async () => {
  const client = await createClient();
  const token = await tokenOf(client);
  assert.equal((await api('GET', '/teams', { token })).status, 200, 'works before');

  // If-Match is honoured; a stale one changes nothing.
  assertProblem(await api('DELETE', `/clients/${client.id}`, { as: P, headers: { 'If-Match': '"99"' } }), 412);
  assert.equal((await api('GET', '/teams', { token })).status, 200, 'still works after a refused revocation');

  const del = await api('DELETE', `/clients/${client.id}`, { as: P, headers: { 'If-Match': '"1"' } });
  assert.equal(del.status, 204, show(del));
  assert401(await api('GET', '/teams', { token }));
  assert401(await api('GET', '/auth/me', { token }));
  assert401(await exchange(client.client_id, client.client_secret));

  // Revoked clients stay listed with revoked_at; revoking again changes nothing.
  const listed = await api('GET', '/clients', { as: P, query: { q: client.client_id, revoked: true } });
  assert.equal(listed.json.total, 1, show(listed));
  assert.ok(listed.json.items[0].revoked_at, 'revoked_at set');
  assert.equal(listed.json.items[0].version, 2);
  assert.equal((await api('DELETE', `/clients/${client.id}`, { as: P })).status, 204);
  if (haveDb()) {
    const actions = sql(`SELECT action FROM audit WHERE resource = 'clients' AND resource_id = :'id' ORDER BY id`, { id: client.id }).map((r) => r[0]);
    assert.deepEqual(actions.filter((a) => a === 'create' || a === 'revoke'), ['create', 'revoke'], `audit: ${actions}`);
  }
  // Out of scope and unknown ids: 404.
  assertProblem(await api('DELETE', `/clients/00000000-0000-4000-8000-999999999999`, { as: P }), 404);
  assertProblem(await api('DELETE', `/clients/not-a-uuid`, { as: P }), 404);
});

test('a read-only client reads but cannot write', async () => {
  const client = await createClient({ read_only: true });
  const token = await tokenOf(client);
  assert.equal((await api('GET', '/teams', { token })).status, 200);
  const res = await api('POST', '/teams', { token, body: { name: uniq('Tổ'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 1' } });
  assertProblem(res, 403);
  assertProblem(await api('POST', '/import/teams', { token, raw: 'name\n', headers: { 'Content-Type': 'text/csv' } }), 403);
});

test('a client scoped to commune 25747 sees only its teams', async () => {
  const inside = await createTeam(P, { unit_code: DEMO.commune });
  const outside = await createTeam(P, { unit_code: DEMO.dian });
  const client = await createClient({ unit_code: DEMO.commune });
  const token = await tokenOf(client);
  const items = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await api('GET', '/teams', { token, query: { limit: 1000, offset } });
    assert.equal(page.status, 200, show(page));
    items.push(...page.json.items);
    if (items.length >= page.json.total || page.json.items.length === 0) break;
  }
  assert.ok(items.length > 0, 'sees teams');
  assert.ok(items.every((t) => t.unit_code === DEMO.commune), `teams outside 25747: ${items.filter((t) => t.unit_code !== DEMO.commune).map((t) => t.unit_code)}`);
  assert.ok(items.some((t) => t.id === inside.id));
  assert.equal((await api('GET', `/teams/${inside.id}`, { token })).status, 200);
  assertProblem(await api('GET', `/teams/${outside.id}`, { token }), 404);
  // A writing client writes inside its scope only.
  const created = await api('POST', '/teams', { token, body: { name: uniq('Tổ của hệ thống'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 2' } });
  assert.equal(created.status, 201, show(created));
  assertProblem(await api('POST', '/teams', { token, body: { name: uniq('Tổ'), kind: 'hamlet', unit_code: DEMO.dian, hamlet: 'Khu phố 2' } }), 403);
  // Province-only routes stay closed to a commune client.
  assertProblem(await api('GET', '/clients', { token }), 403);
  if (haveDb()) {
    const actor = sqlValue(`SELECT actor FROM audit WHERE resource = 'teams' AND resource_id = :'id' AND action = 'create'`, { id: created.json.id });
    assert.equal(actor, client.client_id, 'writes are audited under the client_id');
  }
});

test('a disabled user\'s token answers 401', { skip: !haveDb() && 'DATABASE_URL is not set' }, async () => {
  const username = freshUser();
  const token = await login(username, { fresh: true });
  sql(`UPDATE users SET disabled = true WHERE username = :'u'`, { u: username });
  assert401(await api('GET', '/teams', { token }));
  assert401(await api('POST', '/auth/login', { body: { username, password: PASSWORD } }));
});

test('a token issued before the password changed answers 401; a new one works', { skip: !haveDb() && 'DATABASE_URL is not set' }, async () => {
  const username = freshUser();
  const token = await login(username, { fresh: true });
  await new Promise((r) => setTimeout(r, 1100)); // iat has whole seconds
  sql(`UPDATE users SET password_changed_at = now() WHERE username = :'u'`, { u: username });
  assert401(await api('GET', '/teams', { token }));
  const again = await login(username, { fresh: true });
  assert.equal((await api('GET', '/teams', { token: again })).status, 200);
});

test('disabling a user through the API ends its tokens at once', async () => {
  const username = `dis.${RUN}`;
  const created = await api('POST', '/users', { as: P, body: { username, password: PASSWORD, role: 'commune', unit_code: DEMO.commune } });
  assert.equal(created.status, 201, show(created));
  const token = await login(username, { fresh: true });
  assert.equal((await api('GET', '/teams', { token })).status, 200, 'works (and is cached) before');
  const patched = await api('PATCH', `/users/${created.json.id}`, { as: P, body: { disabled: true } });
  assert.equal(patched.status, 200, show(patched));
  assert401(await api('GET', '/teams', { token }));
});
