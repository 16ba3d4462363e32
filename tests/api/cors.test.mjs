// CORS (issue 4, item 9): the suite's server has no allowed origins, so browsers elsewhere get no
// CORS header and their preflights 403; a second server started here with CORS_ALLOWED_ORIGINS
// answers preflights for its origins with the path's methods, and marks every answer to them
// (errors and CSV streams too) with Access-Control-Allow-Origin. Origins match exactly.

import { after, before, test } from 'node:test';
import { api, assert, assertProblem, show } from './lib.mjs';
import { runServerExpectingExit, startServer } from './spawn.mjs';

const PORTAL = 'https://portal.example.gov.vn';
const DEV = 'http://localhost:5173';
const EVIL = 'https://evil.example';
const TEAM = '/api/v1/teams/00000000-0000-4000-8000-300000000001';

let srv;

before(async () => {
  srv = await startServer({ CORS_ALLOWED_ORIGINS: ` ${PORTAL}, ${DEV} ` });
});

after(async () => {
  if (!srv) return;
  const { code } = await srv.stop();
  assert.equal(code, 0, `server exit status ${code}:\n${srv.log().slice(-2000)}`);
  assert.ok(!/runtime error:|ERROR: AddressSanitizer|LeakSanitizer/.test(srv.log()), `sanitizer report:\n${srv.log().slice(-4000)}`);
});

function preflight(base, path, origin, method = 'GET') {
  const headers = { 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization, content-type' };
  if (origin) headers.Origin = origin;
  return api('OPTIONS', `${base}${path}`, { headers });
}

const acao = (res) => res.headers.get('access-control-allow-origin');

test('an allowed origin\'s preflight: 204 with the path\'s methods, headers and max-age', async () => {
  for (const origin of [PORTAL, DEV]) {
    const res = await preflight(srv.url, TEAM, origin, 'PATCH');
    assert.equal(res.status, 204, show(res));
    assert.equal(acao(res), origin);
    assert.match(res.headers.get('vary') || '', /\bOrigin\b/);
    assert.deepEqual((res.headers.get('access-control-allow-methods') || '').split(/,\s*/).sort(), ['DELETE', 'GET', 'PATCH']);
    const allowed = (res.headers.get('access-control-allow-headers') || '').toLowerCase().split(/,\s*/);
    for (const h of ['authorization', 'content-type', 'if-match', 'x-request-id']) assert.ok(allowed.includes(h), `Allow-Headers lacks ${h}`);
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.equal(res.text, '');
  }
  const token = await preflight(srv.url, '/api/v1/auth/token', PORTAL, 'POST');
  assert.equal(token.status, 204, show(token));
  assert.equal(token.headers.get('access-control-allow-methods'), 'POST');
});

test('other origins get no CORS header; their preflights answer 403', async () => {
  for (const origin of [EVIL, `${PORTAL}/`, 'https://PORTAL.example.gov.vn', 'null', undefined]) {
    const res = await preflight(srv.url, '/api/v1/teams', origin, 'POST');
    assertProblem(res, 403);
    assert.equal(acao(res), null, `ACAO for ${origin}`);
    const get = await api('GET', `${srv.url}/api/v1/openapi.yaml`, { headers: origin ? { Origin: origin } : {} });
    assert.equal(get.status, 200);
    assert.equal(acao(get), null, `ACAO on GET for ${origin}`);
  }
  // No such path: 404, not a preflight answer.
  assertProblem(await preflight(srv.url, '/api/v1/nothing-here', PORTAL), 404);
});

test('every answer to an allowed origin carries Allow-Origin and the exposed headers', async () => {
  const headers = { Origin: PORTAL };
  const login = await api('POST', `${srv.url}/api/v1/auth/login`, { headers, body: { username: 'demo.commune', password: 'demo12345' } });
  assert.equal(login.status, 200, show(login));
  assert.equal(acao(login), PORTAL);
  const exposed = (login.headers.get('access-control-expose-headers') || '').split(/,\s*/);
  for (const h of ['ETag', 'Location', 'X-Request-Id']) assert.ok(exposed.includes(h), `Expose-Headers lacks ${h}`);
  const token = login.json.access_token;

  const unauthorized = await api('GET', `${srv.url}/api/v1/teams`, { headers });
  assert.equal(unauthorized.status, 401);
  assert.equal(acao(unauthorized), PORTAL, 'errors are readable by the allowed origin');
  const list = await api('GET', `${srv.url}/api/v1/teams`, { token, headers });
  assert.equal(acao(list), PORTAL);
  const csv = await api('GET', `${srv.url}/api/v1/teams`, { token, headers, query: { format: 'csv' } });
  assert.equal(csv.status, 200);
  assert.equal(acao(csv), PORTAL, 'CSV streams too');
  // Outside the API (health, web client) nothing changes.
  assert.equal(acao(await api('GET', `${srv.url}/healthz`, { headers })), null);
});

test('the suite\'s server allows no origin by default; a plain OPTIONS lists the methods', async () => {
  const pre = await preflight('', '/api/v1/teams', PORTAL, 'GET');
  assertProblem(pre, 403);
  assert.equal(acao(pre), null);
  const get = await api('GET', '/api/v1/openapi.yaml', { headers: { Origin: PORTAL } });
  assert.equal(acao(get), null);
  const plain = await api('OPTIONS', '/api/v1/teams');
  assert.equal(plain.status, 204, show(plain));
  assert.equal(plain.headers.get('allow'), 'GET, POST');
});

test('the server refuses to start with an origin it could never match', async () => {
  for (const bad of [`${PORTAL}/`, '*', 'portal.example.gov.vn', `${PORTAL}/app`, 'HTTPS://portal.example.gov.vn']) {
    const { code, output } = await runServerExpectingExit({ CORS_ALLOWED_ORIGINS: bad });
    assert.equal(code, 2, `${bad}: exit status ${code}\n${output}`);
    assert.match(output, /CORS_ALLOWED_ORIGINS/);
  }
});
