// The authorization matrix, generated from the server's own route table (`$CDT_SERVER --routes`):
// every route × every kind of caller × a target inside and outside the caller's scope.
//
// Expected outcome, in the order the dispatcher checks (server/README.md "Request life" step 2):
//   public route                       → never 401 or 403
//   no token / garbage token           → 401 with WWW-Authenticate: Bearer
//   ACCESS province, role not province → 403
//   read-only account, write method    → 403
//   path resource outside scope        → 404 (exactly like a missing one, on every method)
//   otherwise allowed                  → not 401/403/404/405 and not 5xx
// Writes send bodies that are invalid on purpose ({}), so an allowed write answers 422 (or
// 200/201) and changes nothing; DELETEs that are expected to succeed get a fresh, disposable
// target; every write that is expected to be refused carries a stale If-Match as a safety net.
//
// ROUTES below maps every route to its fixture; a route printed by --routes and missing here
// fails the first test, so a new route cannot be added without its row in this matrix.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { before, test } from 'node:test';
import {
  api, assert, CDT_SERVER, createActivity, createEnterprise, createMember, createTeam, DEMO, existsSync, freeUnitCode, haveDb, login,
  PASSWORD, RUN, show, sql, taxCode, uniq, whoami,
} from './lib.mjs';

// target: which fixture fills the path's {param}; body: what a write sends.
const ROUTES = {
  'POST /api/v1/auth/login': { login: true },
  'GET /api/v1/auth/me': {},
  'GET /api/v1/units': {},
  'POST /api/v1/units': { body: {} },
  'GET /api/v1/units/{code}': { target: 'unit' },
  'PATCH /api/v1/units/{code}': { target: 'unit', body: {} },
  'GET /api/v1/enterprises': {},
  'POST /api/v1/enterprises': { body: {} },
  'GET /api/v1/enterprises/{id}': { target: 'enterprise' },
  'PATCH /api/v1/enterprises/{id}': { target: 'enterprise', body: {} },
  'DELETE /api/v1/enterprises/{id}': { target: 'enterprise', dispose: true },
  'GET /api/v1/teams': {},
  'POST /api/v1/teams': { body: {} },
  'GET /api/v1/teams/{id}': { target: 'team' },
  'PATCH /api/v1/teams/{id}': { target: 'team', body: {} },
  'DELETE /api/v1/teams/{id}': { target: 'team', dispose: true },
  'GET /api/v1/teams/{id}/members': { target: 'team' },
  'POST /api/v1/teams/{id}/members': { target: 'team', body: {} },
  'GET /api/v1/members': {},
  'GET /api/v1/members/{id}': { target: 'member' },
  'PATCH /api/v1/members/{id}': { target: 'member', body: {} },
  'DELETE /api/v1/members/{id}': { target: 'member', dispose: true },
  'GET /api/v1/rules': {},
  'PUT /api/v1/rules': { body: {} },
  'GET /api/v1/activities': {},
  'POST /api/v1/activities': { body: {} },
  'GET /api/v1/activities/{id}': { target: 'activity' },
  'PATCH /api/v1/activities/{id}': { target: 'activity', body: {} },
  'DELETE /api/v1/activities/{id}': { target: 'activity', dispose: true },
  'GET /api/v1/deadlines': {},
  'POST /api/v1/deadlines': { body: {} },
  'GET /api/v1/deadlines/{id}': { target: 'deadline' },
  'PATCH /api/v1/deadlines/{id}': { target: 'deadline', body: {} },
  'DELETE /api/v1/deadlines/{id}': { target: 'deadline', dispose: true },
  'GET /api/v1/deadlines/{id}/targets': { target: 'deadline' },
  'POST /api/v1/deadlines/{id}/complete': { target: 'deadline', body: { link: 'not a web address' } },
  'POST /api/v1/deadlines/{id}/reopen': { target: 'deadline', body: {} },
  // No period: an allowed caller gets 422 (no report is made, nothing completed).
  'POST /api/v1/deadlines/{id}/report': { target: 'deadline', body: {} },
  // A format that does not exist: an allowed caller gets 422 before any report is looked for.
  'GET /api/v1/deadlines/{id}/report': { target: 'deadline', query: { format: 'none' } },
  'GET /api/v1/changes': {},
  // {resource} names a kind of import, not a scoped resource: "in scope" is 'members', "out of
  // scope" an unknown name answering 404 (see importResource in before()). An empty JSON array
  // is a valid body with no rows, so an allowed import answers 422 and writes nothing.
  'GET /api/v1/import/{resource}': { target: 'importResource' },
  'POST /api/v1/import/{resource}': { target: 'importResource', body: [] },
  // A dry run changes nothing; with a unit that is not a code, an allowed caller gets 422.
  'POST /api/v1/rehome': { body: { units: ['x'] } },
  'GET /api/v1/stats/overview': {},
  'GET /api/v1/stats/timeseries': {},
  'GET /api/v1/reports/periodic': {},
  'GET /api/v1/users': {},
  'POST /api/v1/users': { body: {} },
  'GET /api/v1/users/{id}': { target: 'user' },
  'PATCH /api/v1/users/{id}': { target: 'user', body: {} },
  'POST /api/v1/auth/token': { body: {} },
  'GET /api/v1/clients': {},
  'POST /api/v1/clients': { body: {} },
  'GET /api/v1/clients/{id}': { target: 'client' },
  'DELETE /api/v1/clients/{id}': { target: 'client', dispose: true },
  'GET /api/v1/audit': {},
  'GET /api/v1/openapi.yaml': {},
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const STALE = { 'If-Match': '"999999"' };
const P = 'demo.province';

/** The route table as the server prints it. */
function readRoutes() {
  assert.ok(existsSync(CDT_SERVER), `CDT_SERVER ${CDT_SERVER} does not exist`);
  const out = execFileSync(CDT_SERVER, ['--routes'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  const routes = [];
  for (const line of out.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [method, path, access, ...rest] = line.split('\t');
    assert.ok(method && path && access && rest.length === 0, `bad --routes line: ${JSON.stringify(line)}`);
    assert.ok(['public', 'user', 'province', 'issuer'].includes(access), `unknown ACCESS ${access} in ${line}`);
    routes.push({ method, path, access, key: `${method} ${path}` });
  }
  assert.ok(routes.length > 0, '--routes printed nothing');
  return routes;
}

let routes;
let fx; // fixtures: per caller {in: {unit, team, member, enterprise}, out: {...}}
let callers;

/** Things outside the demo province (a province of two levels, 98, in no official list), for the province's out-of-scope cases. */
function outsideProvince() {
  const rows = sql(`
    INSERT INTO units (code, name, level, parent_code) VALUES
      ('98', 'Tỉnh Ngoài Thử nghiệm', 'province', NULL),
      ('98001', 'Xã Ngoài Thử nghiệm', 'commune', '98')
    ON CONFLICT (code) DO NOTHING;
    WITH e AS (INSERT INTO enterprises (name, tax_code, unit_code) VALUES (:'ename', :'tax', '98001') RETURNING id),
         t AS (INSERT INTO teams (name, kind, unit_code, hamlet) VALUES (:'tname', 'hamlet', '98001', 'Khu phố 1') RETURNING id),
         m AS (INSERT INTO members (team_id, full_name) SELECT id, :'mname' FROM t RETURNING id),
         a AS (INSERT INTO activities (team_id, held_on, kind, title) SELECT id, '2026-10-01', 'vneid', :'mname' FROM t RETURNING id),
         u AS (INSERT INTO users (username, password_hash, role, unit_code) VALUES (:'uname', '!', 'commune', '98001') RETURNING id)
    SELECT (SELECT id FROM e), (SELECT id FROM t), (SELECT id FROM m), (SELECT id FROM a), (SELECT id FROM u);`,
  { ename: uniq('Công ty ngoài tỉnh'), tax: taxCode(), tname: uniq('Tổ ngoài tỉnh'), mname: uniq('Người ngoài tỉnh'),
    uname: `outside.${RUN}`.toLowerCase() });
  const [enterprise, team, member, activity, user] = rows[rows.length - 1];
  return { unit: '98001', enterprise, team, member, activity, user };
}

/** An API client of this run, made by the province in a commune of the demo (province-only routes). */
async function createClient(unit) {
  const res = await api('POST', '/clients', { as: P, body: { name: uniq('Hệ thống ma trận'), role: 'commune', unit_code: unit } });
  assert.equal(res.status, 201, show(res));
  return res.json.id;
}

/** An API client outside the demo province (in the commune outsideProvince() makes). */
function outsideClient() {
  return sql(`INSERT INTO api_clients (client_id, secret_hash, name, role, unit_code, created_by)
              VALUES (:'cid', '!', :'name', 'commune', '98001', 'matrix') RETURNING id`,
  { cid: `cdt_${randomBytes(12).toString('hex')}`, name: uniq('Hệ thống ngoài tỉnh') })[0][0];
}

/** A deadline of this run issued by `as`: a report due in 2030 to communes unless fields say otherwise. */
async function createDeadline(as, fields = {}) {
  const body = { title: uniq('Thời hạn ma trận'), kind: 'report', due_on: '2030-12-31', target_level: 'commune', ...fields };
  const res = await api('POST', '/deadlines', { as, body });
  assert.equal(res.status, 201, show(res));
  return res.json.id;
}

/** A deadline outside the demo province: issued by 98 to its commune 98001 (made by outsideProvince()). */
function outsideDeadline() {
  return sql(`WITH d AS (INSERT INTO deadlines (title, kind, due_on, issued_by_unit, target_level, scope_unit)
                         VALUES (:'title', 'report', '2030-12-31', '98', 'commune', '98') RETURNING id),
                   t AS (INSERT INTO deadline_targets (deadline_id, unit_code) SELECT id, '98001' FROM d)
              SELECT id FROM d`, { title: uniq('Thời hạn ngoài tỉnh') })[0][0];
}

before(async () => {
  routes = readRoutes();
  const ent = (await whoami('demo.enterprise')).enterprise;
  assert.ok(ent, 'demo.enterprise has an enterprise');
  const entUnit = (await api('GET', `/enterprises/${ent}`, { as: P })).json.unit_code;

  // Inside 25747 (so inside 718 and 74), not of the demo enterprise.
  const ePc = await createEnterprise(P, { unit_code: DEMO.commune });
  const tPc = await createTeam(P, { unit_code: DEMO.commune });
  const mPc = await createMember(P, tPc.id);
  const aPc = await createActivity(P, tPc.id);
  // Inside Dĩ An (25942 < 724 < 74).
  const eDa = await createEnterprise(P, { unit_code: DEMO.dian });
  const tDa = await createTeam(P, { unit_code: DEMO.dian });
  const mDa = await createMember(P, tDa.id);
  const aDa = await createActivity(P, tDa.id);
  // The demo enterprise's own team.
  const tEnt = await createTeam(P, { kind: 'enterprise', unit_code: entUnit, enterprise_id: ent });
  const mEnt = await createMember(P, tEnt.id);
  const aEnt = await createActivity(P, tEnt.id);
  const outside = haveDb() ? outsideProvince() : null;

  // A unit of this run under 718, so that the province's allowed PATCH leaves demo units alone.
  const code = await freeUnitCode(P);
  const unit = await api('POST', '/units', { as: P, body: { code, name: uniq('Phường Ma Trận'), level: 'commune', parent_code: DEMO.district } });
  assert.equal(unit.status, 201, show(unit));

  // Accounts: a commune account is what both province and district accounts may manage.
  const users = Object.fromEntries(
    sql(`SELECT username, id FROM users WHERE username IN ('demo.commune', 'demo.commune.dian', 'demo.enterprise')`));
  const pc = { unit: code, enterprise: ePc.id, team: tPc.id, member: mPc.id, activity: aPc.id, user: users['demo.commune'] };
  const da = { unit: DEMO.dian, enterprise: eDa.id, team: tDa.id, member: mDa.id, activity: aDa.id, user: users['demo.commune.dian'] };
  pc.client = await createClient(DEMO.commune);
  da.client = await createClient(DEMO.dian);
  if (outside) outside.client = outsideClient();
  fx = {
    'demo.province': { in: pc, out: outside },
    'demo.readonly': { in: pc, out: outside },
    'demo.district': { in: pc, out: da },
    'demo.commune': { in: { ...pc, unit: DEMO.commune }, out: da },
    // An enterprise actor's scope is its enterprise; of the units it sees the one its enterprise
    // is located in (unit_visible in sql/functions/10_scope.sql).
    'demo.enterprise': {
      in: { unit: entUnit, enterprise: ent, team: tEnt.id, member: mEnt.id, activity: aEnt.id, user: users['demo.enterprise'] },
      out: { unit: DEMO.dian, enterprise: ePc.id, team: tPc.id, member: mPc.id, activity: aPc.id, user: users['demo.commune'] },
    },
  };
  Object.assign(fx['demo.enterprise'].in, { client: pc.client });
  Object.assign(fx['demo.enterprise'].out, { client: da.client });
  for (const f of Object.values(fx)) {
    f.in.importResource = 'members';
    if (f.out) f.out.importResource = 'no-such-import';
  }
  // Deadlines: one is visible through its scope unit (issuer and above) or a target in scope
  // (a commune, an enterprise, the district of a province's deadline to its communes); editing,
  // deleting and reopening are for its issuer or above, so the district's "in" is one it issued.
  // Its "out" is a deadline to the communes of Dĩ An (724), which no 718 or 25747 account sees.
  const dProvince = await createDeadline(P, { scope_unit: DEMO.district });
  const dDistrict = await createDeadline('demo.district', { scope_unit: DEMO.district });
  const dDian = await createDeadline(P, { scope_unit: DEMO.dianDistrict });
  const dEnterprise = await createDeadline(P, { scope_unit: entUnit, target_level: 'enterprise' });
  const dOutside = outside ? outsideDeadline() : null;
  for (const [name, inside, out] of [[P, dProvince, dOutside], ['demo.readonly', dProvince, dOutside],
    ['demo.district', dDistrict, dDian], ['demo.commune', dProvince, dDian], ['demo.enterprise', dEnterprise, dProvince]]) {
    fx[name] = { in: { ...fx[name].in, deadline: inside }, out: fx[name].out && { ...fx[name].out, deadline: out } };
  }
  callers = [];
  for (const username of Object.keys(fx)) {
    const token = await login(username);
    const w = await whoami(username);
    callers.push({ name: username, token, role: w.role, ro: w.ro, ent: w.enterprise });
  }
});

/** A fresh in-scope target for a DELETE that is expected to succeed. */
async function disposable(target, caller) {
  const forEnt = caller.role === 'enterprise';
  if (target === 'deadline') return { id: await createDeadline(caller.name, { scope_unit: DEMO.district }) };
  if (target === 'client') return { id: await createClient(DEMO.commune) };
  if (target === 'enterprise') {
    if (forEnt) return { id: caller.ent, headers: STALE }; // its only enterprise: never really deleted
    return { id: (await createEnterprise(P, { unit_code: DEMO.commune })).id };
  }
  const team = forEnt
    ? await createTeam(P, { kind: 'enterprise', enterprise_id: caller.ent, name: uniq('Tổ xoá được') })
    : await createTeam(P, { unit_code: DEMO.commune, name: uniq('Tổ xoá được') });
  if (target === 'team') return { id: team.id };
  if (target === 'activity') return { id: (await createActivity(P, team.id)).id };
  return { id: (await createMember(P, team.id)).id };
}

function expectation(route, caller, scope) {
  if (route.access === 'public') return { not: [401, 403], why: 'public route' };
  if (!caller || caller.anonymous) return { is: 401, why: 'no valid token' };
  if (route.access === 'province' && caller.role !== 'province') return { is: 403, why: 'province-only route' };
  if (route.access === 'issuer' && !['province', 'district'].includes(caller.role)) return { is: 403, why: 'issuer-only route' };
  if (WRITES.has(route.method) && caller.ro) return { is: 403, why: 'read-only account' };
  if (scope === 'out') return { is: 404, why: 'target outside scope' };
  return { not: [401, 403, 404, 405], why: 'allowed' };
}

test('every route printed by --routes has a row in the matrix', (t) => {
  const missing = routes.filter((r) => !(r.key in ROUTES)).map((r) => `${r.key}\t${r.access}`);
  assert.deepEqual(missing, [], `routes without a fixture mapping in tests/api/matrix.test.mjs:\n${missing.join('\n')}`);
  for (const r of routes) {
    const params = r.path.match(/\{[^}]+\}/g) || [];
    assert.ok(params.length === 0 || ROUTES[r.key].target, `${r.key} has path parameters but no target fixture`);
    assert.ok(params.length <= 1, `${r.key}: more than one path parameter; extend the matrix`);
    if (WRITES.has(r.method) && !ROUTES[r.key].login) {
      assert.ok('body' in ROUTES[r.key] || r.method === 'DELETE', `${r.key}: write without a body in the matrix`);
    }
  }
  const printed = new Set(routes.map((r) => r.key));
  const unused = Object.keys(ROUTES).filter((k) => !printed.has(k));
  if (unused.length) t.diagnostic(`matrix rows for routes the server does not print: ${unused.join(', ')}`);
});

test('authorization matrix', async (t) => {
  const failures = [];
  let checked = 0;
  let skipped = 0;
  const anonymous = [
    { name: '(no token)', anonymous: true, token: null },
    { name: '(garbage token)', anonymous: true, token: 'not.a.jwt' },
  ];

  async function run(route, caller, scope, fixtures) {
    const spec = ROUTES[route.key];
    const exp = expectation(route, caller, scope);
    let id = null;
    let headers = {};
    if (spec.target) {
      if (spec.dispose && scope === 'in' && exp.not && caller && !caller.anonymous) {
        const d = await disposable(spec.target, caller);
        id = d.id;
        headers = d.headers || {};
      } else {
        id = fixtures?.[spec.target];
      }
      if (!id) {
        skipped += 1;
        return;
      }
    }
    if (WRITES.has(route.method) && !exp.not) headers = { ...headers, ...STALE };
    const path = route.path.replace(/\{[^}]+\}/, encodeURIComponent(id ?? ''));
    let body = spec.body;
    if (spec.login) body = { username: caller && !caller.anonymous ? caller.name : P, password: PASSWORD };
    const res = await api(route.method, path, { token: caller?.token || undefined, body, headers, query: spec.query });
    checked += 1;
    const who = `${caller ? caller.name : '(none)'}${spec.target ? ` [${scope}]` : ''}`;
    const desc = `${route.method} ${path} as ${who} (${exp.why})`;
    let ok;
    if (exp.is) ok = res.status === exp.is;
    else ok = !exp.not.includes(res.status) && res.status < 500;
    if (ok && exp.is === 401) {
      ok = /^Bearer\b/i.test(res.headers.get('www-authenticate') || '');
      if (!ok) failures.push(`${desc}: 401 without WWW-Authenticate: Bearer`);
      return;
    }
    if (ok && exp.is && !(res.headers.get('content-type') || '').startsWith('application/problem+json')) {
      failures.push(`${desc}: ${res.status} is not problem+json`);
      return;
    }
    if (!ok) {
      const want = exp.is ? `${exp.is}` : `not ${exp.not.join('/')} and < 500`;
      failures.push(`${desc}: want ${want}, got ${res.status} ${res.text.slice(0, 200)}`);
    }
  }

  for (const route of routes) {
    if (!(route.key in ROUTES)) continue; // reported by the test above
    const spec = ROUTES[route.key];
    for (const a of anonymous) await run(route, a, 'in', fx[P].in);
    for (const caller of callers) {
      if (spec.target) {
        await run(route, caller, 'in', fx[caller.name].in);
        await run(route, caller, 'out', fx[caller.name].out);
      } else {
        await run(route, caller, 'in', null);
      }
    }
  }
  const summary = `authorization matrix: ${checked} cases checked over ${routes.length} routes, ${skipped} without a fixture, ${failures.length} failed (run ${RUN})`;
  t.diagnostic(summary);
  console.log(summary);
  assert.deepEqual(failures, [], `${failures.length} of ${checked} matrix cases failed:\n${failures.join('\n')}`);
});
