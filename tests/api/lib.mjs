// Shared helpers for the API tests (node --test tests/api/).
//
// The tests run against a real server and a real, throwaway PostgreSQL database seeded with
// sql/seed/demo.sql. Environment:
//   BASE_URL      the server, e.g. http://127.0.0.1:18080 (default http://127.0.0.1:8080)
//   DATABASE_URL  libpq URI of the same database; used through psql for fixtures that the API
//                 cannot create (things outside the demo province) and for checks on rows
//   CDT_SERVER    the server binary; `$CDT_SERVER --routes` prints the route table
//   JWT_SECRET    optional; when given, auth tests also craft a correctly signed expired token
//
// Only node builtins. Every test creates its own data with names carrying RUN, so that files can
// run in parallel and the suite can run twice against the same database.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const PREFIX = '/api/v1';
export const DATABASE_URL = process.env.DATABASE_URL || '';
export const CDT_SERVER = resolve(ROOT, process.env.CDT_SERVER || 'build/cdt-server');
export const PASSWORD = 'demo12345';

// Lower-case alphanumeric, so that it survives the diacritics-insensitive search unchanged.
export const RUN = 'r' + Date.now().toString(36) + randomBytes(3).toString('hex');

// The demo facts the tests rely on (sql/seed/demo.sql, issue 2).
export const DEMO = {
  province: '79', // Thành phố Hồ Chí Minh (sql/seed/demo.sql)
  district: '990', // Khu vực Thủ Dầu Một, parent of 25747 (tests/fixtures/intermediate-level.sql)
  commune: '25747', // Phường Thủ Dầu Một (Phường Phú Cường until the 2025 reform)
  dianDistrict: '991', // Khu vực Dĩ An
  dian: '25942', // Phường Dĩ An, under 991, outside 990
  accounts: ['demo.province', 'demo.district', 'demo.commune', 'demo.enterprise', 'demo.readonly',
    'demo.commune.dian'],
};

let seq = 0;
/** A name unique to this run: `${prefix} RUN-n`. */
export function uniq(prefix = 'test') {
  seq += 1;
  return `${prefix} ${RUN}-${seq}`;
}

/** A tax code (10 digits) that is unique with overwhelming probability. */
export function taxCode() {
  const n = BigInt('0x' + randomBytes(8).toString('hex')) % 10_000_000_000n;
  return n.toString().padStart(10, '0');
}

// ---------------------------------------------------------------------------------------------
// HTTP

function urlFor(path) {
  if (/^https?:/.test(path)) return path;
  if (path.startsWith(PREFIX) || path.startsWith('/healthz') || path.startsWith('/readyz') ||
      path.startsWith('/metrics')) {
    return BASE_URL + path;
  }
  return BASE_URL + PREFIX + (path.startsWith('/') ? path : '/' + path);
}

/*
 * sql() runs psql synchronously, which on a busy machine can hold the event loop for seconds.
 * fetch's idle sockets then miss their keep-alive timer (undici's 4 s), and the next request can
 * go out on one that the server is closing after its own 5 s (KEEP_ALIVE_TIMEOUT_MS): "fetch
 * failed: other side closed". After a pause that long, the loop runs through its timers first, so
 * that undici retires the sockets that are due.
 */
let lastAnswerAt = Date.now();
async function retireIdleSockets() {
  if (Date.now() - lastAnswerAt < 3000) return;
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Every problem+json body seen in this process, for the leak check. */
export const seenProblems = [];

/**
 * One request. Options:
 *   token    bearer token (string) — or `as`: a demo username to log in as
 *   body     a value sent as JSON (Content-Type: application/json unless headers say otherwise)
 *   raw      a string or Buffer sent as is (Content-Type application/json unless headers say otherwise)
 *   headers  extra request headers
 *   query    object of query parameters
 * Returns {status, headers, json, text, ok}. json is undefined when the body is not JSON.
 */
export async function api(method, path, opts = {}) {
  const { body, raw, query } = opts;
  const headers = { ...(opts.headers || {}) };
  let token = opts.token;
  if (!token && opts.as) token = await login(opts.as);
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json';
  }
  let url = urlFor(path);
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) qs.append(k, String(v));
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  await retireIdleSockets();
  const res = await fetch(url, { method, headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  lastAnswerAt = Date.now();
  let json;
  const ct = res.headers.get('content-type') || '';
  if (/json/.test(ct) || /^\s*[{[]/.test(text)) {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  if (ct.startsWith('application/problem+json')) {
    seenProblems.push({ method, path, status: res.status, text });
  }
  return { status: res.status, headers: res.headers, json, text, ok: res.ok, method, path };
}

/** A GET whose answer is kept as bytes (a PDF, an .xlsx): {status, headers, bytes}. */
export async function fetchBytes(path, { as, query = {}, headers = {} } = {}) {
  const qs = new URLSearchParams(query).toString();
  const auth = as ? { Authorization: `Bearer ${await login(as)}` } : {};
  await retireIdleSockets();
  const res = await fetch(`${urlFor(path)}${qs ? `?${qs}` : ''}`, { headers: { ...auth, ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  lastAnswerAt = Date.now();
  return { status: res.status, headers: res.headers, bytes };
}

/** A short description of a response for assertion messages. */
export function show(res) {
  const body = res.text && res.text.length > 600 ? res.text.slice(0, 600) + '…' : res.text;
  return `${res.method} ${res.path} -> ${res.status} ${body}`;
}

/** Asserts the status, with the response in the message. */
export function expectStatus(res, status, msg = '') {
  const want = Array.isArray(status) ? status : [status];
  assert.ok(want.includes(res.status), `${msg ? msg + ': ' : ''}expected ${want.join('|')}, got ${show(res)}`);
  return res;
}

// ---------------------------------------------------------------------------------------------
// Auth

const tokens = new Map();
const users = new Map();

/** Logs in (password demo12345) once per process and caches the token. */
export async function login(username, { fresh = false } = {}) {
  if (!fresh && tokens.has(username)) return tokens.get(username);
  const res = await api('POST', '/auth/login', { body: { username, password: PASSWORD } });
  assert.equal(res.status, 200, `login ${username}: ${show(res)}`);
  assert.ok(res.json && typeof res.json.access_token === 'string', `login ${username}: no access_token`);
  tokens.set(username, res.json.access_token);
  users.set(username, res.json.user);
  return res.json.access_token;
}

/** The decoded claims of a JWT (no verification). */
export function claims(token) {
  const part = token.split('.')[1];
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** {role, unit, enterprise, ro} of a demo account, from its token's claims. */
export async function whoami(username) {
  const c = claims(await login(username));
  return { role: c.role, unit: c.unit ?? null, enterprise: c.enterprise ?? null, ro: !!c.ro, sub: c.sub };
}

export function b64url(v) {
  return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
}

/** An HS256 JWT over the given claims with the given secret. */
export function signHS256(payload, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const sig = createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${sig}`;
}

// ---------------------------------------------------------------------------------------------
// Problem assertions

const LEAK = [/SQL/, /pg_/, /\/work\//, /\bPQ[a-z]/, /violates .*constraint/i, /syntax error at/i,
  /\.c:\d+/, /\bat \S+ \(.*:\d+:\d+\)/, /backtrace|segmentation|Traceback/i, /\bERROR:\s/];

/** Asserts that a problem body reveals no SQL, file paths or stack text. */
export function assertNoLeak(res) {
  for (const re of LEAK) assert.ok(!re.test(res.text), `problem body leaks ${re}: ${show(res)}`);
}

/**
 * Asserts an RFC 9457 problem response: the HTTP status, Content-Type application/problem+json,
 * a body whose status equals the HTTP status, type/title strings, and, when fields are given,
 * an errors[] entry naming each field (exact name, or a dotted/bracketed path ending in it).
 */
/**
 * Asserts that every field error has a message and a machine code, and that the code is not the
 * fallback "invalid" unless the message is the generic "is not valid": a message the server's
 * table (server/src/http/problem.c) does not know fails here in whichever test meets it.
 */
export function assertFieldErrors(errors, context = '') {
  for (const e of errors) {
    assert.equal(typeof e.message, 'string', `errors[] entry without message: ${context}`);
    assert.equal(typeof e.code, 'string', `errors[] entry without code: ${JSON.stringify(e)} ${context}`);
    if (e.message !== 'is not valid') {
      assert.notEqual(e.code, 'invalid', `no code for the message "${e.message}" (server/src/http/problem.c): ${context}`);
    }
  }
}

/**
 * Asserts a problem+json answer of that status; `fields` must each be named by an error, `codes`
 * ({field: code}) gives the code the error naming each field must have.
 */
export function assertProblem(res, status, { fields = [], kind, codes = {} } = {}) {
  expectStatus(res, status);
  const ct = res.headers.get('content-type') || '';
  assert.ok(ct.startsWith('application/problem+json'), `content-type ${ct} for ${show(res)}`);
  assert.ok(res.json && typeof res.json === 'object', `problem body is not JSON: ${show(res)}`);
  assert.equal(res.json.status, res.status, `problem status field: ${show(res)}`);
  assert.equal(typeof res.json.type, 'string', `problem type: ${show(res)}`);
  assert.equal(typeof res.json.title, 'string', `problem title: ${show(res)}`);
  if (kind) assert.ok(res.json.type.endsWith('/' + kind), `problem type ${res.json.type}, want …/${kind}`);
  if (fields.length) {
    assert.ok(Array.isArray(res.json.errors), `problem has no errors[]: ${show(res)}`);
    const named = res.json.errors.map((e) => String(e.field ?? ''));
    for (const f of fields) {
      const hit = named.some((n) => n === f || n.endsWith('.' + f) || n.endsWith('/' + f) || n.startsWith(f + '['));
      assert.ok(hit, `errors[] does not name "${f}" (named: ${JSON.stringify(named)}): ${show(res)}`);
    }
  }
  if (Array.isArray(res.json.errors)) assertFieldErrors(res.json.errors, show(res));
  for (const [field, code] of Object.entries(codes)) {
    const e = (res.json.errors || []).find((x) => x.field === field);
    assert.ok(e, `errors[] does not name "${field}": ${show(res)}`);
    assert.equal(e.code, code, `the code of ${field}'s error: ${show(res)}`);
  }
  assertNoLeak(res);
  return res.json;
}

// ---------------------------------------------------------------------------------------------
// Database (psql)

export const haveDb = () => !!DATABASE_URL;

/**
 * Runs SQL through psql and returns the rows as arrays of strings (tab-separated, unaligned).
 * vars become psql variables: use :'name' in the query for a quoted literal.
 */
export function sql(query, vars = {}) {
  assert.ok(DATABASE_URL, 'DATABASE_URL is not set');
  const args = [DATABASE_URL, '-X', '-A', '-t', '-q', '-F', '\t', '-v', 'ON_ERROR_STOP=1'];
  for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
  const out = execFileSync('psql', args, { input: query, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** The single value of a one-row, one-column query. */
export function sqlValue(query, vars = {}) {
  const rows = sql(query, vars);
  return rows.length ? rows[0][0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// CSV: a strict RFC 4180 parser: records end with CRLF; a field is either unquoted (no comma, quote,
// CR or LF) or quoted, where "" stands for one quote and commas, CR and LF are data.

/** Rows of cells of a CSV text (RFC 4180, strict); throws on anything else. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= n) throw new Error('CSV: unterminated quoted field');
        const ch = text[i];
        if (ch === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i += 1;
          break;
        }
        field += ch;
        i += 1;
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`CSV: a quote inside an unquoted field at offset ${i}`);
        field += text[i];
        i += 1;
      }
    }
    row.push(field);
    if (text[i] === ',') { i += 1; continue; }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      rows.push(row);
      row = [];
      i += 2;
      if (i >= n) return rows;
      continue;
    }
    if (i >= n) throw new Error('CSV: the last record does not end with CRLF');
    throw new Error(`CSV: unexpected ${JSON.stringify(text[i])} at offset ${i} (bare CR or LF, or text after a closing quote)`);
  }
}

/**
 * The cell a text value leaves in an export as: with a ' in front when it starts with one of
 * = + - @ TAB CR (a spreadsheet would run it as a formula: OWASP's CSV injection rule) or ' (so
 * that the import can take exactly one away again).
 */
export function csvTextCell(value) {
  return /^[=+\-@\t\r']/.test(value) ? `'${value}` : value;
}

/** Starts a spreadsheet would read as a formula. */
export const FORMULA_START = /^[=+\-@\t\r]/;

// ---------------------------------------------------------------------------------------------
// Fixtures through the API

export function etag(version) {
  return `"${version}"`;
}

/** Asserts a 201 with Location ending in `${collection}/${id}` and ETag "1"; returns the body. */
export function assertCreated(res, collection, idField = 'id') {
  expectStatus(res, 201);
  const id = res.json[idField];
  assert.ok(id, `created body has no ${idField}: ${show(res)}`);
  const loc = res.headers.get('location') || '';
  assert.ok(loc.endsWith(`${PREFIX}${collection}/${id}`), `Location "${loc}" for ${collection}/${id}`);
  assert.equal(res.json.version, 1, `new ${collection} version`);
  assert.equal(res.headers.get('etag'), etag(1), `ETag of new ${collection}`);
  return res.json;
}

export async function createEnterprise(as, fields = {}) {
  const body = { name: uniq('Công ty Thử'), tax_code: taxCode(), unit_code: DEMO.commune, ...fields };
  const res = await api('POST', '/enterprises', { as, body });
  expectStatus(res, 201, 'create enterprise');
  return res.json;
}

export async function createTeam(as, fields = {}) {
  const body = { name: uniq('Tổ CNSCĐ Thử'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 1', ...fields };
  if (body.kind !== 'hamlet' && !('hamlet' in fields)) delete body.hamlet;
  const res = await api('POST', '/teams', { as, body });
  expectStatus(res, 201, 'create team');
  return res.json;
}

export async function createMember(as, teamId, fields = {}) {
  const body = { full_name: uniq('Nguyễn Văn Thử'), ...fields };
  const res = await api('POST', `/teams/${teamId}/members`, { as, body });
  expectStatus(res, 201, 'create member');
  return res.json;
}

export async function createActivity(as, teamId, fields = {}) {
  const body = { team_id: teamId, held_on: '2026-10-01', kind: 'vneid', title: uniq('Hướng dẫn VNeID'), ...fields };
  const res = await api('POST', '/activities', { as, body });
  expectStatus(res, 201, 'create activity');
  return res.json;
}

/**
 * A commune code that no unit has yet (90000..99989: beyond every GSO code), for units a test
 * creates; units are never deleted, so each run needs new ones. 99998 is reserved for a code
 * that must never exist (scope.test.mjs).
 */
export async function freeUnitCode(as = 'demo.province') {
  for (let i = 0; i < 50; i++) {
    const code = String(90000 + Math.floor(Math.random() * 9990));
    if (code === '99998') continue;
    const r = await api('GET', `/units/${code}`, { as });
    if (r.status === 404) return code;
  }
  throw new Error('no free unit code');
}

/** All items of a list (follows offset until total), for scope checks. */
export async function listAll(as, path, query = {}) {
  const items = [];
  let offset = 0;
  for (;;) {
    const res = await api('GET', path, { as, query: { ...query, limit: 1000, offset } });
    expectStatus(res, 200, `list ${path}`);
    items.push(...res.json.items);
    offset += res.json.items.length;
    if (res.json.items.length === 0 || offset >= res.json.total) return { items, total: res.json.total };
  }
}

export { assert, randomUUID, existsSync };
