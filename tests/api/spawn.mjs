// A second server process for tests that need a configuration the suite's server does not have
// (an identity provider's key, CORS origins). It uses the suite's database (DATABASE_URL), runs
// from the repository root like scripts/run, and listens on a free loopback port.
//
//   const srv = await startServer({ IDP_PUBLIC_KEY_FILE: ..., ... });
//   await fetch(srv.url + '/api/v1/auth/me', ...);
//   await srv.stop();
//
// Environment: CDT_SERVER and DATABASE_URL as for lib.mjs.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { CDT_SERVER, DATABASE_URL, ROOT } from './lib.mjs';

/** A TCP port nobody listens on now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts CDT_SERVER with env added to a minimal environment and waits for /healthz.
 * Resolves {url, stop(), log()}; rejects with the process's output when it exits or never answers.
 * A configuration the server refuses ends the process: use runServerExpectingExit for those.
 */
export async function startServer(env = {}, { timeoutMs = 20_000 } = {}) {
  const port = await freePort();
  const child = spawn(CDT_SERVER, [], {
    cwd: ROOT,
    env: baseEnv({ LISTEN: `127.0.0.1:${port}`, ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const chunks = [];
  child.stderr.on('data', (d) => { output += d; chunks.push(d); });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`server exited (${JSON.stringify(exited)}) during start-up:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer /healthz within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    log: () => output,
    logBytes: () => Buffer.concat(chunks), // as written: output decodes bad UTF-8 away
    stop: () => new Promise((resolve) => {
      if (exited) return resolve(exited);
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.kill('SIGTERM');
    }),
  };
}

/** Runs CDT_SERVER with env and resolves {code, output} once it exits (for refused configs). */
export async function runServerExpectingExit(env = {}, { timeoutMs = 20_000 } = {}) {
  const port = await freePort();
  const child = spawn(CDT_SERVER, [], {
    cwd: ROOT,
    env: baseEnv({ LISTEN: `127.0.0.1:${port}`, ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
  clearTimeout(timer);
  return { code, output };
}

function baseEnv(extra) {
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL,
    JWT_SECRET: process.env.JWT_SECRET || 'a-test-secret-for-a-second-server-0123456789',
    WEB_ROOT: 'web',
    MIGRATIONS_DIR: 'sql/migrations',
    OPENAPI_PATH: 'docs/openapi.yaml',
    HTTP_THREADS: '4',
    DB_POOL_SIZE: '2',
  };
  // Sanitizer builds report through these; keep them for the child too.
  for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, ...extra };
}
