// Bodies with very many keys (issue 11, item 3).
//
// The duplicate-key check compared every key with every later one: a 0.8 MB body of 100,000
// keys to the public sign-in route cost 16 s of CPU, and one client sending a few of them in a
// loop took the server's cores. Now the sign-in routes take at most 8 KiB (ROUTE_SMALL_BODY,
// http/router.h), answered 413 before the body is read, and the check sorts the names
// (json_repeated_names, http/validate.c), so a body under any limit is answered in time linear
// in its size (tests/unit/test_validate.c checks the function itself).

import { test } from 'node:test';
import { api, assert, assertProblem, login } from './lib.mjs';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** {"x0":1,"x1":1,...,"x255r":1} (or the same key n times) as JSON text. */
function manyKeys(n, key = (i) => 'x' + i.toString(36)) {
  return '{' + Array.from({ length: n }, (_, i) => `"${key(i)}":1`).join(',') + '}';
}

/** The answer and how long it took, in ms. */
async function timed(method, path, opts) {
  const started = Date.now();
  const res = await api(method, path, opts);
  return { res, ms: Date.now() - started };
}

test('sign-in bodies over 8 KiB answer 413 at once, JSON and form alike', async () => {
  const json = manyKeys(100_000);
  assert.ok(json.length > 800_000, `a ${json.length}-byte body`);
  const login = await timed('POST', '/auth/login', { raw: json });
  assertProblem(login.res, 413, { kind: 'payload-too-large' });
  assert.match(login.res.json.detail, /8192 bytes/);
  assert.ok(login.ms < 1000, `POST /auth/login with 100,000 keys answered in ${login.ms} ms`);

  const form = Array.from({ length: 100_000 }, (_, i) => `k${i}=1`).join('&');
  const token = await timed('POST', '/auth/token', { raw: form, headers: FORM });
  assertProblem(token.res, 413, { kind: 'payload-too-large' });
  assert.ok(token.ms < 1000, `POST /auth/token with a 100,000-field form answered in ${token.ms} ms`);
});

test('below the limit, many repeated or unknown keys answer 4xx at once', async () => {
  // 600 times one name (under 8 KiB): each repeat is named, and no password is checked.
  const repeated = manyKeys(600, () => 'username');
  assert.ok(repeated.length < 8192);
  const dup = await timed('POST', '/auth/login', { raw: repeated });
  const body = assertProblem(dup.res, 422, { fields: ['username'] });
  assert.equal(body.errors.filter((e) => /more than once/.test(e.message)).length, 599);
  assert.ok(dup.ms < 1000, `${dup.ms} ms`);

  const form = Array.from({ length: 600 }, () => 'client_id=x').join('&');
  const formDup = await timed('POST', '/auth/token', { raw: form, headers: FORM });
  assertProblem(formDup.res, 400, { fields: ['client_id'] });
  assert.ok(formDup.ms < 1000, `${formDup.ms} ms`);
});

test('a 1 MiB write body with 100,000 keys answers 422 in linear time', async () => {
  // The other routes keep MAX_BODY_BYTES (1 MiB); their bodies go through the same check.
  const json = manyKeys(100_000);
  const res = await timed('POST', '/teams', { token: await login('demo.commune'), raw: json });
  const body = assertProblem(res.res, 422, { fields: ['x0', 'x' + (99_999).toString(36), 'name'] });
  assert.equal(body.errors.filter((e) => /not a known field/.test(e.message)).length, 100_000);
  // The quadratic check took 16 s here (and several times that under the sanitizers).
  assert.ok(res.ms < 3000, `POST /teams with 100,000 keys answered in ${res.ms} ms`);
});
