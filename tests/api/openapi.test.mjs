// The contract check: docs/openapi.yaml describes exactly the routes the server's router serves
// under /api/v1, with the access each one has, and the server serves that very file.
//
// Run from the repository root: node --test tests/api/
// Environment:
//   CDT_SERVER  the server binary (default build/cdt-server, relative to the repository root);
//               `--routes` prints METHOD<TAB>PATH<TAB>ACCESS lines and needs no database.
//   BASE_URL    a running server (e.g. http://127.0.0.1:8080); the served-spec test is skipped
//               without it.
// Only node builtins and the `yaml` package (tests/package.json).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPEC_PATH = resolve(ROOT, 'docs', 'openapi.yaml');
const SERVER = resolve(ROOT, process.env.CDT_SERVER || 'build/cdt-server');
const API_PREFIX = '/api/v1/';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ACCESS_KINDS = new Set(['public', 'user', 'province', 'issuer']);

const key = (method, path) => `${method} ${path}`;

let routesCache;
/** The router's table: [{method, path, access}], every route the binary prints. */
function routerRoutes() {
  if (routesCache) return routesCache;
  let out;
  try {
    out = execFileSync(SERVER, ['--routes'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'not found (build it, or set CDT_SERVER)' : err.message;
    throw new Error(`cannot run ${SERVER} --routes: ${why}`);
  }
  const routes = [];
  out.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fields = line.split('\t');
    assert.equal(fields.length, 3, `--routes line ${i + 1} is not METHOD<TAB>PATH<TAB>ACCESS: ${JSON.stringify(line)}`);
    const [method, path, access] = fields;
    assert.match(method, /^[A-Z]+$/, `--routes line ${i + 1}: bad method ${JSON.stringify(method)}`);
    assert.match(path, /^\//, `--routes line ${i + 1}: bad path ${JSON.stringify(path)}`);
    assert.ok(ACCESS_KINDS.has(access), `--routes line ${i + 1}: unknown access ${JSON.stringify(access)}`);
    routes.push({ method, path, access });
  });
  assert.ok(routes.length > 0, `${SERVER} --routes printed no route`);
  routesCache = routes;
  return routes;
}

/** The routes the spec must describe: the router's routes under /api/v1 (not /healthz, /readyz, ...). */
function apiRoutes() {
  return routerRoutes().filter((r) => r.path.startsWith(API_PREFIX));
}

let specCache;
function spec() {
  specCache ??= parse(readFileSync(SPEC_PATH, 'utf8'));
  return specCache;
}

/** Every operation in the spec: [{method, path, op}]. */
function specOperations() {
  const ops = [];
  for (const [path, item] of Object.entries(spec().paths ?? {})) {
    for (const m of HTTP_METHODS) {
      if (item && item[m]) ops.push({ method: m.toUpperCase(), path, op: item[m] });
    }
  }
  return ops;
}

test('the spec is OpenAPI 3.1 and every path is under /api/v1', () => {
  const doc = spec();
  assert.match(String(doc.openapi), /^3\.1\.\d+$/);
  const outside = Object.keys(doc.paths ?? {}).filter((p) => !p.startsWith(API_PREFIX));
  assert.deepEqual(outside, [], `paths outside ${API_PREFIX}: ${outside.join(', ')}`);
});

test('the router and the spec have the same (method, path) pairs', (t) => {
  const ignored = routerRoutes().filter((r) => !r.path.startsWith(API_PREFIX));
  if (ignored.length) {
    t.diagnostic(`not compared (outside ${API_PREFIX}): ${ignored.map((r) => key(r.method, r.path)).join(', ')}`);
  }
  const router = new Set(apiRoutes().map((r) => key(r.method, r.path)));
  const documented = new Set(specOperations().map((o) => key(o.method, o.path)));
  const onlyRouter = [...router].filter((k) => !documented.has(k)).sort();
  const onlySpec = [...documented].filter((k) => !router.has(k)).sort();
  const report = [
    `in the router but not in docs/openapi.yaml (${onlyRouter.length}):`,
    ...onlyRouter.map((k) => `  ${k}`),
    `in docs/openapi.yaml but not in the router (${onlySpec.length}):`,
    ...onlySpec.map((k) => `  ${k}`),
  ].join('\n');
  if (onlyRouter.length || onlySpec.length) {
    for (const line of report.split('\n')) t.diagnostic(line);
    assert.fail(`router and spec differ\n${report}`);
  }
  assert.equal(router.size, apiRoutes().length, 'the router lists a (method, path) pair twice');
});

test('public routes have security: [] and every other route needs the bearer token', () => {
  const doc = spec();
  const schemes = doc.components?.securitySchemes ?? {};
  const isBearer = (name) => schemes[name]?.type === 'http' && String(schemes[name]?.scheme).toLowerCase() === 'bearer';
  const ops = new Map(specOperations().map((o) => [key(o.method, o.path), o.op]));
  const problems = [];
  for (const r of apiRoutes()) {
    const k = key(r.method, r.path);
    const op = ops.get(k);
    if (!op) continue; // reported by the route-set test
    if (r.access === 'public') {
      if (!(Array.isArray(op.security) && op.security.length === 0)) {
        problems.push(`${k}: public route, but the operation lacks \`security: []\``);
      }
      continue;
    }
    const effective = Object.hasOwn(op, 'security') ? op.security : doc.security;
    if (!Array.isArray(effective) || effective.length === 0) {
      problems.push(`${k}: ${r.access} route, but the spec needs no authentication`);
    } else if (!effective.every((req) => Object.keys(req).length > 0 && Object.keys(req).every(isBearer))) {
      problems.push(`${k}: ${r.access} route, but its security is not only the bearer scheme: ${JSON.stringify(effective)}`);
    }
  }
  if (problems.length) assert.fail(problems.join('\n'));
});

test('each operation\'s x-access matches the router\'s ACCESS', () => {
  const ops = new Map(specOperations().map((o) => [key(o.method, o.path), o.op]));
  const problems = [];
  for (const r of apiRoutes()) {
    const op = ops.get(key(r.method, r.path));
    if (op && op['x-access'] !== r.access) {
      problems.push(`${key(r.method, r.path)}: router says ${r.access}, spec says ${op['x-access']}`);
    }
  }
  if (problems.length) assert.fail(problems.join('\n'));
});

test(
  'GET /api/v1/openapi.yaml serves docs/openapi.yaml',
  { skip: process.env.BASE_URL ? false : 'BASE_URL is not set' },
  async () => {
    const url = `${process.env.BASE_URL.replace(/\/+$/, '')}/api/v1/openapi.yaml`;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200, `${url} answered ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/yaml\b/);
    const served = await res.text();
    assert.ok(served === readFileSync(SPEC_PATH, 'utf8'), `${url} does not serve the text of docs/openapi.yaml`);
  },
);
