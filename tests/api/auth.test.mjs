// Sign-in, tokens and the 401 paths (DESIGN §4, server/README.md "Request life" step 2).

import { test } from 'node:test';
import {
  api, assert, assertProblem, b64url, claims, DEMO, haveDb, login, PASSWORD, RUN, show, signHS256,
  sqlValue,
} from './lib.mjs';

const PROTECTED = '/auth/me';

function assert401(res) {
  assertProblem(res, 401, { kind: 'unauthorized' });
  const www = res.headers.get('www-authenticate') || '';
  assert.match(www, /^Bearer\b/i, `WWW-Authenticate "${www}" on ${show(res)}`);
}

/** The unit code of a unit field that may be a code or {code, ...}. */
const codeOf = (u) => (u && typeof u === 'object' ? u.code : u);
const entOf = (e) => (e && typeof e === 'object' ? e.id : e);

test('every demo account signs in', async () => {
  for (const username of DEMO.accounts) {
    const res = await api('POST', '/auth/login', { body: { username, password: PASSWORD } });
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers.get('content-type') || '', /^application\/json/);
    const b = res.json;
    assert.equal(typeof b.access_token, 'string');
    assert.equal(b.access_token.split('.').length, 3, 'a JWT');
    assert.equal(b.token_type, 'Bearer');
    assert.ok(Number.isInteger(b.expires_in) && b.expires_in > 0, `expires_in ${b.expires_in}`);
    assert.ok(b.user && typeof b.user === 'object', 'user object');
    assert.equal(b.user.username, username);
    assert.ok(b.user.id, 'user.id');
    assert.ok(['province', 'district', 'commune', 'enterprise'].includes(b.user.role), `role ${b.user.role}`);
    assert.equal(typeof b.user.read_only, 'boolean', 'user.read_only');
    assert.ok(!('password_hash' in b.user) && !JSON.stringify(b).includes('$y$'), 'no password hash');
    const c = claims(b.access_token);
    assert.equal(c.sub, b.user.id, 'sub claim is the user id');
    assert.equal(c.role, b.user.role);
    assert.ok(c.exp > c.iat && c.exp - c.iat === b.expires_in, `exp-iat ${c.exp - c.iat} vs expires_in ${b.expires_in}`);
    // The token works.
    const me = await api('GET', PROTECTED, { token: b.access_token });
    assert.equal(me.status, 200, show(me));
  }
});

test('/auth/me returns role, unit, enterprise and read_only', async () => {
  const expect = {
    'demo.province': { role: 'province', unit: DEMO.province, ro: false },
    'demo.district': { role: 'district', unit: DEMO.district, ro: false },
    'demo.commune': { role: 'commune', unit: DEMO.commune, ro: false },
    'demo.commune.dian': { role: 'commune', unit: DEMO.dian, ro: false },
    'demo.readonly': { role: 'province', unit: DEMO.province, ro: true },
    'demo.enterprise': { role: 'enterprise', unit: undefined, ro: false },
  };
  for (const [username, want] of Object.entries(expect)) {
    const res = await api('GET', '/auth/me', { as: username });
    assert.equal(res.status, 200, show(res));
    const me = res.json;
    for (const k of ['id', 'username', 'full_name', 'role', 'unit', 'enterprise', 'read_only']) {
      assert.ok(k in me, `/auth/me of ${username} lacks "${k}": ${res.text}`);
    }
    assert.equal(me.username, username);
    assert.equal(me.role, want.role, `${username} role`);
    assert.equal(me.read_only, want.ro, `${username} read_only`);
    if (want.unit !== undefined) assert.equal(codeOf(me.unit), want.unit, `${username} unit`);
    if (want.role === 'enterprise') {
      assert.match(String(entOf(me.enterprise)), /^[0-9a-f-]{36}$/i, `${username} enterprise id`);
    } else {
      assert.equal(entOf(me.enterprise) ?? null, null, `${username} has no enterprise`);
    }
  }
});

test('wrong password and unknown user answer the same 401', async () => {
  const wrong = await api('POST', '/auth/login', { body: { username: 'demo.commune', password: 'not-the-password' } });
  const unknown = await api('POST', '/auth/login', { body: { username: `nobody.${RUN}`, password: PASSWORD } });
  assertProblem(wrong, 401);
  assertProblem(unknown, 401);
  const strip = (j) => {
    const { instance, request_id, ...rest } = j; // per-request fields may differ
    return rest;
  };
  assert.deepEqual(strip(unknown.json), strip(wrong.json), 'bodies must not tell which part was wrong');
  assert.ok(!('access_token' in wrong.json));
});

test('missing, garbage, tampered, alg:none and badly signed tokens answer 401 with WWW-Authenticate', async () => {
  assert401(await api('GET', PROTECTED));
  assert401(await api('GET', '/teams'));
  assert401(await api('GET', PROTECTED, { token: 'garbage' }));
  assert401(await api('GET', PROTECTED, { token: 'a.b.c' }));
  assert401(await api('GET', PROTECTED, { headers: { Authorization: 'Basic ZGVtbzpkZW1v' } }));
  assert401(await api('GET', PROTECTED, { headers: { Authorization: 'Bearer' } }));

  const good = await login('demo.commune');
  const [h, p, s] = good.split('.');
  const c = claims(good);

  // Tampered: the commune claims to be province, signature kept.
  const forged = b64url({ ...c, role: 'province', unit: DEMO.province });
  assert401(await api('GET', PROTECTED, { token: `${h}.${forged}.${s}` }));
  // Signature of another token / truncated signature.
  assert401(await api('GET', PROTECTED, { token: `${h}.${p}.${s.slice(0, -4)}` }));
  assert401(await api('GET', PROTECTED, { token: `${h}.${p}.` }));

  // alg none, with and without a signature part.
  const none = b64url({ alg: 'none', typ: 'JWT' });
  const promoted = b64url({ ...c, role: 'province', unit: DEMO.province });
  assert401(await api('GET', PROTECTED, { token: `${none}.${promoted}.` }));
  assert401(await api('GET', PROTECTED, { token: `${none}.${p}.` }));
  assert401(await api('GET', PROTECTED, { token: `${none}.${p}` }));

  // HS256 with a wrong secret, fresh and expired.
  const now = Math.floor(Date.now() / 1000);
  const wrongSecret = 'this-is-not-the-server-secret-0123456789';
  assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now, nbf: now, exp: now + 600 }, wrongSecret) }));
  assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }, wrongSecret) }));
});

test('expired, not-yet-valid and wrong-audience tokens signed with the real secret answer 401', async (t) => {
  const secret = process.env.JWT_SECRET;
  if (!secret) {
    t.skip('JWT_SECRET not given to the tests');
    return;
  }
  const c = claims(await login('demo.commune'));
  const now = Math.floor(Date.now() / 1000);
  // Sanity: a token we sign ourselves with the same claims is accepted.
  const ok = await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now, nbf: now, exp: now + 600 }, secret) });
  assert.equal(ok.status, 200, `self-signed valid token: ${show(ok)}`);
  assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }, secret) }));
  assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now, nbf: now + 3600, exp: now + 7200 }, secret) }));
  assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now, nbf: now, exp: now + 600, aud: 'someone-else' }, secret) }));
  assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now, nbf: now, exp: now + 600, iss: 'someone-else' }, secret) }));
  // HS256 header claiming another algorithm.
  assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now, nbf: now, exp: now + 600 }, secret, { alg: 'HS512', typ: 'JWT' }) }));
  // Claims of the wrong type (issue 11 item 9): libjwt read a non-boolean "ro" as false, writable.
  for (const ro of [1, 0, 'false', 'true', null, []]) {
    assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now, nbf: now, exp: now + 600, ro }, secret) }));
  }
  // Issued in the future beyond the 30 s leeway, or not a number.
  for (const iat of [now + 3600, now + 86400 * 365, String(now), -1]) {
    assert401(await api('GET', PROTECTED, { token: signHS256({ ...c, iat, nbf: now, exp: now + 600 }, secret) }));
  }
  const ahead = await api('GET', PROTECTED, { token: signHS256({ ...c, iat: now + 5, nbf: now, exp: now + 600 }, secret) });
  assert.equal(ahead.status, 200, `a clock a little ahead, within the leeway: ${show(ahead)}`);
});

test('public routes need no token', async () => {
  const h = await api('GET', '/healthz');
  assert.equal(h.status, 200, show(h));
  assert.equal(h.json?.status, 'ok');
  const spec = await api('GET', '/openapi.yaml');
  assert.notEqual(spec.status, 401, show(spec));
});

test('login success and failure each add an audit row', async () => {
  const user = 'demo.commune.dian'; // used only by this file, so counts are not disturbed by other files
  const ghost = `ghost.${RUN}`;
  const db = haveDb();
  const countOk = () => Number(sqlValue(
    `SELECT count(*) FROM audit WHERE action = 'login' AND (actor = :'u' OR changes::text LIKE '%' || :'u' || '%')`, { u: user }));
  const countFailed = (u) => Number(sqlValue(
    `SELECT count(*) FROM audit WHERE action = 'login_failed' AND (actor = :'u' OR changes::text LIKE '%' || :'u' || '%')`, { u }));
  const before = db ? { ok: countOk(), badpw: countFailed(user), ghost: countFailed(ghost) } : null;
  const t0 = Date.now() - 5000;

  const good = await api('POST', '/auth/login', { body: { username: user, password: PASSWORD } });
  assert.equal(good.status, 200, show(good));
  const badpw = await api('POST', '/auth/login', { body: { username: user, password: 'wrong-password' } });
  assert.equal(badpw.status, 401, show(badpw));
  const unknown = await api('POST', '/auth/login', { body: { username: ghost, password: 'whatever' } });
  assert.equal(unknown.status, 401, show(unknown));

  // Through the API, as the province: the success is there, newest first.
  const res = await api('GET', '/audit', { as: 'demo.province', query: { resource: 'auth', limit: 200 } });
  assert.equal(res.status, 200, show(res));
  const userId = good.json.user.id;
  const mine = res.json.items.filter((e) => (e.actor === user || e.actor === userId) && Date.parse(e.at) >= t0);
  assert.ok(mine.some((e) => e.action === 'login'), `no login audit entry for ${user} in ${res.text.slice(0, 800)}`);
  assert.ok(mine.some((e) => e.action === 'login_failed'), `no login_failed audit entry for ${user}`);
  for (let i = 1; i < res.json.items.length; i++) {
    assert.ok(Date.parse(res.json.items[i - 1].at) >= Date.parse(res.json.items[i].at), 'audit newest first');
  }
  for (const e of res.json.items) assert.equal(e.resource, 'auth', 'resource filter');
  // No secrets in the audit trail.
  assert.ok(!res.text.includes('wrong-password') && !res.text.includes(PASSWORD), 'passwords in audit');

  if (db) {
    assert.equal(countOk(), before.ok + 1, 'one login row');
    assert.equal(countFailed(user), before.badpw + 1, 'one login_failed row for a wrong password');
    assert.equal(countFailed(ghost), before.ghost + 1, 'one login_failed row for an unknown user');
    const leaked = Number(sqlValue(`SELECT count(*) FROM audit WHERE changes::text LIKE '%wrong-password%' OR changes::text LIKE '%demo12345%'`));
    assert.equal(leaked, 0, 'passwords stored in audit.changes');
  }
});
