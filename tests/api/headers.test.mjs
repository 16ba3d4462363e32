// Response headers and what answers reveal (issue 6, item 9).
//
// Every kind of answer the server gives — API success, every API error, CSV export, preflight,
// health, the web client's files and their 404, and the pages civetweb writes by itself (a
// malformed request, headers too large, an HTTP version it does not speak) — carries
// Content-Security-Policy with frame-ancestors 'none', X-Content-Type-Options: nosniff and
// Referrer-Policy, and names no server software or version. No answer, whatever the input,
// shows SQL, a file path or a stack.

import { connect } from 'node:net';
import { before, test } from 'node:test';
import { api, assert, assertNoLeak, BASE_URL, createTeam, DEMO, login, PREFIX, RUN, show } from './lib.mjs';

const P = 'demo.province';
let team;

before(async () => {
  await login(P);
  team = await createTeam(P);
});

/*
 * A raw request (for what fetch cannot send) that the server refuses and closes the connection
 * after; resolves {status, headers, text} of the answer. The client's side is left open: a FIN
 * sent after the server's reset would fail with EPIPE and take the unread answer with it.
 */
function raw(text) {
  const { hostname, port } = new URL(BASE_URL);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => s.write(text));
    const chunks = [];
    s.on('data', (d) => {
      chunks.push(d);
      // A whole answer is enough: the server may keep the connection to read the rest it expects.
      const all = Buffer.concat(chunks);
      const cut = all.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(all.subarray(0, cut).toString());
      if (cut >= 0 && length && all.length >= cut + 4 + Number(length[1])) s.destroy();
    });
    s.on('error', (e) => (['ECONNRESET', 'EPIPE'].includes(e.code) ? null : reject(e)));
    const guard = setTimeout(() => s.destroy(), 15_000);
    s.on('close', () => {
      clearTimeout(guard);
      const all = Buffer.concat(chunks).toString('utf8');
      const cut = all.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = all.slice(0, cut).split('\r\n');
      const headers = new Headers();
      for (const l of lines) headers.append(l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim());
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: all.slice(cut + 4), method: 'RAW', path: text.split('\r\n')[0] });
    });
  });
}

/** Retries a raw request whose answer a TCP reset threw away (see limits.test.mjs). */
async function rawAnswered(text) {
  for (let i = 0; i < 3; i++) {
    const res = await raw(text);
    if (res.status) return res;
  }
  return raw(text);
}

const CSP_MUST = ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"];
const BANNER = /civetweb|mongoose|nginx|apache|libpq|postgres|cjson|libjwt|\d+\.\d+\.\d+/i;

/** The headers every answer carries, and no server banner in any header. */
function assertSecurityHeaders(res, label = `${res.method} ${res.path} -> ${res.status}`) {
  const csp = res.headers.get('content-security-policy') || '';
  for (const d of CSP_MUST) assert.ok(csp.includes(d), `${label}: CSP lacks ${d}: "${csp}"`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${label}: X-Content-Type-Options`);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${label}: Referrer-Policy`);
  assertNoBanner(res, label);
}

function assertNoBanner(res, label = `${res.method} ${res.path} -> ${res.status}`) {
  assert.equal(res.headers.get('server'), null, `${label}: Server header "${res.headers.get('server')}"`);
  assert.equal(res.headers.get('x-powered-by'), null, `${label}: X-Powered-By`);
  for (const [name, value] of res.headers) {
    if (['date', 'etag', 'last-modified', 'content-length', 'content-type', 'x-request-id', 'content-security-policy', 'location'].includes(name)) continue;
    assert.ok(!BANNER.test(value), `${label}: header ${name}: ${value} names software or a version`);
  }
  assert.ok(!/civetweb/i.test(res.text || ''), `${label}: the body names civetweb`);
}

/** An error answer: problem+json that shows no SQL, path or stack, with the headers above. */
function assertCleanProblem(res, status) {
  assert.equal(res.status, status, show(res));
  assert.ok((res.headers.get('content-type') || '').startsWith('application/problem+json'), `${show(res)}: content-type ${res.headers.get('content-type')}`);
  const body = JSON.parse(res.text);
  assert.equal(body.status, status);
  assert.ok(res.headers.get('x-request-id'), `${show(res)}: no X-Request-Id`);
  assertNoLeak(res);
  assertSecurityHeaders(res);
}

test('API answers of every kind carry the security headers and no banner', async () => {
  const token = await login(P);
  const ok = [
    await api('GET', '/units', { as: P, query: { limit: 2 } }),
    await api('GET', `/teams/${team.id}`, { as: P }),
    await api('POST', '/teams', { as: P, body: { name: `Tổ tiêu đề ${RUN}`, kind: 'commune', unit_code: DEMO.commune } }),
    await api('GET', '/auth/me', { as: P }),
    await api('GET', '/openapi.yaml'),
    await api('OPTIONS', '/teams'),
    await api('GET', '/healthz'),
    await api('GET', '/readyz'),
    await api('GET', '/metrics'),
  ];
  for (const res of ok) {
    assert.ok(res.status < 300, show(res));
    assertSecurityHeaders(res);
  }
  // Personal data is never cached by a browser or a proxy.
  for (const res of ok.slice(0, 4)) assert.equal(res.headers.get('cache-control'), 'no-store', `${show(res)}: Cache-Control`);
  // The streamed CSV export (chunked, written by a handler itself).
  const csv = await fetch(`${BASE_URL}${PREFIX}/units?format=csv&limit=5`, { headers: { Authorization: `Bearer ${token}` } });
  await csv.text();
  assert.equal(csv.status, 200);
  assertSecurityHeaders({ headers: csv.headers, status: 200, text: '' }, 'CSV export');
  assert.equal(csv.headers.get('cache-control'), 'no-store');
  // DELETE's empty answer.
  const del = await api('DELETE', `/teams/${(await createTeam(P)).id}`, { as: P });
  assert.equal(del.status, 204, show(del));
  assertSecurityHeaders(del);
});

test('API errors of every kind are clean problem+json with the security headers', async () => {
  const cases = [
    [await api('GET', '/teams'), 401],
    [await api('GET', '/teams', { token: 'not.a.token' }), 401],
    [await api('GET', '/clients', { as: 'demo.commune' }), 403],
    [await api('GET', '/teams/00000000-0000-4000-8000-00000000dead', { as: P }), 404],
    [await api('GET', '/no-such-thing', { as: P }), 404],
    [await api('PUT', '/teams', { as: P, body: {} }), 405],
    [await api('POST', '/teams', { as: P, raw: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400],
    [await api('POST', '/teams', { as: P, raw: 'name=x', headers: { 'Content-Type': 'text/plain' } }), 415],
    [await api('POST', '/teams', { as: P, body: { nope: 1 } }), 422],
    [await api('PATCH', `/teams/${team.id}`, { as: P, body: { note: 'x' }, headers: { 'If-Match': '"999"' } }), 412],
    [await api('GET', `${PREFIX}/teams?q=${'x'.repeat(5000)}`, { as: P }), 414],
    [await api('POST', '/teams', { as: P, raw: JSON.stringify({ note: 'x'.repeat(1100 * 1024) }) }), 413],
  ];
  for (const [res, status] of cases) assertCleanProblem(res, status);
});

test('the web client and its 404 carry the security headers; only GET and HEAD are served', async () => {
  for (const path of ['/', '/index.html', '/js/app.js', '/css/app.css', '/favicon.svg']) {
    const res = await fetch(BASE_URL + path);
    const text = await res.text();
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    assertSecurityHeaders({ headers: res.headers, status: 200, text: '' }, `GET ${path}`);
    assert.ok(!/civetweb/i.test(text));
  }
  const head = await fetch(BASE_URL + '/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assertSecurityHeaders({ headers: head.headers, status: 200, text: '' }, 'HEAD /');
  // A file that is not there: problem+json, not civetweb's page.
  for (const path of ['/nope.html', '/js/nope.js', '/.git/config', '/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
    const res = await api('GET', BASE_URL + path);
    assertCleanProblem(res, 404);
  }
  // Writing methods (civetweb would run its PUT/DELETE and WebDAV handlers) answer 405 with Allow.
  for (const method of ['POST', 'PUT', 'DELETE', 'PROPFIND', 'MKCOL', 'OPTIONS']) {
    const res = await api(method, `${BASE_URL}/index.html`, { raw: method === 'PUT' || method === 'POST' ? 'x' : undefined, headers: { 'Content-Type': 'text/plain' } });
    assertCleanProblem(res, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD', `${method}: Allow`);
    assert.equal(res.headers.get('www-authenticate'), null, `${method}: civetweb's Digest challenge`);
    assert.equal(res.headers.get('dav'), null, `${method}: DAV header`);
  }
  // A directory without its slash is redirected by civetweb: no body, and no banner either.
  const redirect = await fetch(`${BASE_URL}/js`, { redirect: 'manual' });
  await redirect.text();
  assertNoBanner({ headers: redirect.headers, status: redirect.status, text: '' }, 'GET /js');
  const listing = await api('GET', `${BASE_URL}/js/`);
  assert.ok([403, 404].includes(listing.status), `directory listing: ${show(listing)}`);
  assertCleanProblem(listing, listing.status);
});

test("civetweb's own error pages are problem+json with the security headers and nothing else", async () => {
  const cases = [
    ['GARBAGE\r\n\r\n', 400],
    ['GET / HTTP/9.9\r\nHost: x\r\n\r\n', 505],
    ['BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(17_000)}\r\n\r\n`, 431],
    [`GET /${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', null],
    ['POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', null],
  ];
  for (const [request, status] of cases) {
    const res = await rawAnswered(request);
    assert.ok(res.status >= 400 && res.status < 500 || res.status === 505, `${request.slice(0, 40)}: ${res.status} ${res.text}`);
    if (status) assert.equal(res.status, status, `${request.slice(0, 40)}: ${res.text}`);
    assertCleanProblem(res, res.status);
  }
});

test('no answer shows SQL, a file path or a stack, whatever the input', async () => {
  // Inputs that reach the database's parsers, casts and constraints in odd ways.
  const probes = [
    ['GET', '/teams', { query: { sort: "name;SELECT pg_sleep(1)--" } }],
    ['GET', '/teams', { query: { offset: '99999999999999999999999' } }],
    ['GET', '/teams', { query: { unit: "25747' OR '1'='1" } }],
    ['GET', '/teams', { query: { enterprise: '00000000-0000-0000-0000-000000000000' } }],
    ['GET', '/changes', { query: { after: '9223372036854775807' } }],
    ['GET', '/changes', { query: { after: '-1' } }],
    ['GET', '/units/%27%3B%20DROP%20TABLE%20units%3B--', {}],
    ['GET', '/audit', { query: { from: '0001-01-01', to: '9999-12-31' } }],
    ['GET', '/stats/timeseries', { query: { unit: DEMO.province, from: '1900-01-01', to: '2200-12-31', interval: 'week', metric: 'activities' } }],
    ['POST', '/teams', { body: { name: 'x', kind: 'commune', unit_code: '99998' } }],
    ['POST', '/teams', { body: { name: 'x', kind: 'enterprise', unit_code: DEMO.commune, enterprise_id: '00000000-0000-4000-8000-000000000000' } }],
    ['POST', '/enterprises', { body: { name: 'x', tax_code: '0000000000', unit_code: DEMO.commune } }],
    ['POST', '/enterprises', { body: { name: 'y', tax_code: '0000000000', unit_code: DEMO.commune } }],
    ['PATCH', `/teams/${team.id}`, { body: { enterprise_id: '00000000-0000-4000-8000-000000000000', kind: 'enterprise' } }],
    ['POST', '/import/members', { raw: 'external_id,team_external_id,full_name\nx,no-such-team,A\n', headers: { 'Content-Type': 'text/csv' } }],
    ['POST', '/import/units', { raw: '[{"code":"1","name":"x","level":"commune"}]' }],
    ['DELETE', '/units/74', {}],
  ];
  for (const [method, path, opts] of probes) {
    const res = await api(method, path, { as: P, ...opts });
    assert.ok(res.status < 500, `${show(res)}: a server error`);
    assertNoLeak(res);
    assertSecurityHeaders(res);
  }
});
