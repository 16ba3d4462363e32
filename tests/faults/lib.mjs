// Helpers for the fault tests (tests/faults/run sets the environment):
//   CDT_SERVER     the server binary
//   DATABASE_URL   the tests' own cluster, which they stop, crash and restart
//   FAULT_PGDATA, FAULT_PGPORT   that cluster's data directory and port, for scripts/lib.sh
//
// Each test starts its own server process on a free loopback port, so that it can stop it,
// signal it and read its log. Only node builtins.

import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUN = 'f' + Date.now().toString(36) + randomBytes(3).toString('hex');
export const PASSWORD = 'demo12345';
export const COMMUNE = '25747'; // Phường Phú Cường in the demo data
const { CDT_SERVER, DATABASE_URL, FAULT_PGDATA, FAULT_PGPORT } = process.env;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops ('fast': clients disconnected, or 'immediate': a crash) or starts the cluster. Resolves
 * when pg_ctl is done; the event loop runs meanwhile, so the load goes on during the stop.
 */
export function pg(action, mode = 'fast') {
  const script = action === 'start'
    ? '. scripts/lib.sh && pg_start "$1" "$2"'
    : `. scripts/lib.sh && as_pg "$PG_BIN/pg_ctl" stop -w -m ${mode} -D "$1" >/dev/null`;
  return new Promise((resolveDone, reject) => {
    execFile('bash', ['-c', script, 'pg', FAULT_PGDATA, FAULT_PGPORT], { cwd: ROOT },
      (err, stdout, stderr) => (err ? reject(new Error(`pg ${action}: ${stderr}`)) : resolveDone()));
  });
}

/** Rows of a query through psql (tab-separated), as arrays of strings; url: another database. */
export function sql(query, url = DATABASE_URL) {
  const out = execFileSync('psql', [url, '-X', '-A', '-t', '-q', '-F', '\t', '-v', 'ON_ERROR_STOP=1'],
    { input: query, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** Runs a query through psql in the background; resolves when psql exits. */
export function sqlInBackground(query) {
  return new Promise((resolveDone, reject) => {
    const child = execFile('psql', [DATABASE_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', query],
      (err) => (err ? reject(err) : resolveDone()));
    child.stdin?.end();
  });
}

/** A TCP port nobody listens on now on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const SANITIZER = /runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer/;

/**
 * Starts the server on a free port with a fresh JWT secret and waits for /healthz. Returns
 * {url, port, pid, log(), signal(sig), exited: Promise<{code, signal}>, stop()}; stop() sends
 * SIGTERM and asserts exit status 0 within 30 s and no sanitizer report in the log.
 */
export async function startServer(env = {}) {
  const port = await freePort();
  const child = spawn(CDT_SERVER, [], {
    cwd: ROOT,
    env: {
      ...process.env, LISTEN: `127.0.0.1:${port}`, JWT_SECRET: randomBytes(36).toString('base64'),
      DATABASE_URL, ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
  let done = null;
  exited.then((e) => { done = e; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (done) throw new Error(`server exited ${JSON.stringify(done)} during start-up:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch { /* not yet */ }
    if (i > 200) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within 20 s:\n${output}`);
    }
    await sleep(100);
  }
  return {
    url, port, pid: child.pid, exited,
    log: () => output,
    alive: () => done === null,
    signal: (sig) => child.kill(sig),
    async stop() {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const e = await exited;
      clearTimeout(timer);
      assert.deepEqual(e, { code: 0, signal: null }, `server exit after SIGTERM; end of its log:\n${output.slice(-3000)}`);
      assert.ok(!SANITIZER.test(output), `sanitizer report in the server log:\n${output.slice(-6000)}`);
    },
  };
}

/**
 * One request that never hangs: {status, json, text, ms} or {error, ms} (a network error or
 * the timeout). A fresh connection each time (Connection: close), so that a request stands for
 * itself and a server that stopped listening shows as a refused connection.
 */
export async function request(base, method, path, { token, body, raw, headers = {}, timeoutMs = 15_000 } = {}) {
  const h = { Connection: 'close', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload = raw;
  if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
  const started = Date.now();
  try {
    const res = await fetch(base + path, { method, headers: h, body: payload, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text, ms: Date.now() - started, at: started };
  } catch (e) {
    return { error: e.cause?.code || e.name || String(e), ms: Date.now() - started, at: started };
  }
}

export async function login(base, username = 'demo.province') {
  const res = await request(base, 'POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
  assert.equal(res.status, 200, `login ${username}: ${res.status} ${res.text ?? res.error}`);
  return res.json.access_token;
}

/** A value of the server's GET /metrics (Prometheus text), e.g. cdt_http_connections; NaN if absent. */
export async function metric(base, name) {
  const res = await request(base, 'GET', '/metrics', { timeoutMs: 5000 });
  const m = res.text?.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
}

/** A field of /proc/PID/status in KiB: VmRSS (resident now) or VmHWM (the peak since start). */
export function memoryKiB(pid, field = 'VmRSS') {
  return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+)`, 'm'))[1]);
}

/** Counts of a list of statuses or errors, for messages: {"201": 40, "503": 12, "ECONNREFUSED": 3}. */
export function tally(results) {
  const t = {};
  for (const r of results) {
    const k = r.error ?? String(r.status);
    t[k] = (t[k] || 0) + 1;
  }
  return t;
}

export { assert };
