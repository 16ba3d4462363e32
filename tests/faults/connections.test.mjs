// Idle and slow connections do not stop the service (issue 11, item 1).
//
// civetweb gives every connection a worker thread of its own until it closes. Before, 70 TCP
// connections that sent nothing held all 64 workers for 30 s each, and GET /healthz from a fresh
// connection waited unanswered behind them. Now (http/edge.h, main.c): 512 workers serve at most
// 448 connections, a request head must arrive within REQUEST_TIMEOUT_MS (10 s, however slowly it
// trickles in), a keep-alive connection may idle KEEP_ALIVE_TIMEOUT_MS (5 s), and connections
// over HTTP_MAX_CONNECTIONS are answered 503 with Retry-After by the spare workers.
//
// With the defaults: 100 connections that send nothing, 100 that send a request head one byte
// every 2 s and 20 keep-alive connections idle after one request; meanwhile /healthz and an API
// read on fresh connections answer within 1 s, and the server closes every one of the 220 within
// its timeout. With a limit of 8: the ninth connection is answered 503 at once, and once the
// eight close, the next is served.

import { get } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { assert, login, metric, sleep, startServer } from './lib.mjs';

/**
 * GET on a connection of its own (fetch would reuse one of its pool's keep-alive connections,
 * which the server took before the test's). {status, headers, text, ms} or {error, ms}.
 */
function fresh(port, path, token) {
  const started = Date.now();
  return new Promise((resolveDone) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000,
      headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolveDone({ status: res.statusCode, headers: res.headers, text, ms: Date.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolveDone({ error: e.code || e.message, ms: Date.now() - started }));
  });
}

/** A raw connection; `closedAt` is set when the server closes it. */
function open(port, { onConnect } = {}) {
  return new Promise((resolveOpen) => {
    const s = connect(port, '127.0.0.1', () => {
      onConnect?.(s);
      resolveOpen(s);
    });
    s.received = '';
    s.on('data', (d) => { s.received += d; });
    s.on('error', () => {});
    s.on('close', () => { s.closedAt = Date.now(); });
  });
}

/** Writes the request head one byte every `everyMs`, then the same byte forever. */
function trickle(s, everyMs) {
  const head = 'GET /api/v1/teams HTTP/1.1\r\nHost: x\r\nX-Slow: ';
  let i = 0;
  s.timer = setInterval(() => {
    if (s.destroyed) return clearInterval(s.timer);
    s.write(head[i] ?? 'a');
    i++;
  }, everyMs);
}

test('200 idle and slow connections: fresh requests answer within 1 s; each is closed in time', async (t) => {
  const srv = await startServer();
  t.after(() => srv.alive() && srv.signal('SIGKILL')); // a failed assertion must not leave it running
  const token = await login(srv.url);
  const started = Date.now();
  const idle = await Promise.all(Array.from({ length: 100 }, () => open(srv.port)));
  const slow = await Promise.all(Array.from({ length: 100 }, () => open(srv.port, { onConnect: (s) => trickle(s, 2000) })));
  const kept = await Promise.all(Array.from({ length: 20 }, () => open(srv.port, {
    onConnect: (s) => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
  })));
  await sleep(1000); // every connection is now held by a worker, or waits for one
  assert.ok(idle.concat(slow, kept).every((s) => !s.closedAt), 'all 220 still open');
  assert.ok(kept.every((s) => s.received.startsWith('HTTP/1.1 200')), 'the keep-alive ones were answered');

  const probes = [];
  for (let i = 0; i < 5; i++) {
    const health = await fresh(srv.port, '/healthz');
    const teams = await fresh(srv.port, '/api/v1/teams?limit=5', token);
    probes.push(health, teams);
    assert.equal(health.status, 200, `GET /healthz: ${health.status ?? health.error} after ${health.ms} ms`);
    assert.equal(teams.status, 200, `GET /api/v1/teams: ${teams.status ?? teams.error} after ${teams.ms} ms`);
    assert.ok(health.ms < 1000 && teams.ms < 1000, `answered in ${health.ms} ms and ${teams.ms} ms`);
    await sleep(500);
  }
  const held = await metric(srv.url, 'cdt_http_connections');
  assert.ok(held >= 200, `the server holds ${held} connections`);

  // Each kind is closed by the server within its timeout (and some slack for a loaded machine).
  const deadline = started + 10_000 + 5_000;
  while (Date.now() < deadline && idle.concat(slow, kept).some((s) => !s.closedAt)) await sleep(200);
  const after = (list) => Math.max(...list.map((s) => (s.closedAt ?? Infinity) - started));
  const keptMs = after(kept), idleMs = after(idle), slowMs = after(slow);
  assert.ok(keptMs < 5000 + 3000, `keep-alive connections closed after ${keptMs} ms`);
  assert.ok(idleMs < 10_000 + 5000, `idle connections closed after ${idleMs} ms`);
  assert.ok(slowMs < 10_000 + 5000, `slow connections closed after ${slowMs} ms (one byte every 2 s)`);
  for (const s of slow) clearInterval(s.timer);
  assert.ok(await metric(srv.url, 'cdt_http_connections') <= 2, 'no connection is counted once closed');
  await srv.stop();

  const worst = Math.max(...probes.map((p) => p.ms));
  const summary = `idle connections: with 100 idle, 100 slow and 20 keep-alive connections open, ${probes.length} ` +
    `fresh requests answered 200 in at most ${worst} ms; the server closed keep-alive ones after ${keptMs} ms, ` +
    `idle ones after ${idleMs} ms, slow ones after ${slowMs} ms`;
  t.diagnostic(summary);
  console.log(summary);
});

test('connections over HTTP_MAX_CONNECTIONS are answered 503 with Retry-After, at once', async (t) => {
  const srv = await startServer({ HTTP_THREADS: '16', HTTP_MAX_CONNECTIONS: '8' });
  t.after(() => srv.alive() && srv.signal('SIGKILL'));
  const idle = await Promise.all(Array.from({ length: 8 }, () => open(srv.port)));
  await sleep(500);
  const over = await fresh(srv.port, '/api/v1/teams');
  assert.equal(over.status, 503, `over the limit: ${over.status ?? over.error} after ${over.ms} ms`);
  assert.ok(over.ms < 1000, `answered in ${over.ms} ms`);
  assert.equal(JSON.parse(over.text).type, 'https://cdt.example/problems/unavailable', over.text);
  assert.match(over.headers['content-type'], /^application\/problem\+json/);
  assert.equal(over.headers['retry-after'], '1');
  assert.equal(over.headers.connection, 'close');
  const health = await fresh(srv.port, '/healthz');
  assert.equal(health.status, 503, 'a busy instance says so to the load balancer too');

  for (const s of idle) s.destroy();
  await sleep(500);
  const served = await fresh(srv.port, '/healthz');
  assert.equal(served.status, 200, `once the eight closed: ${served.status ?? served.error}`);
  const refused = await metric(srv.url, 'cdt_http_connections_refused_total');
  assert.ok(refused >= 2, `${refused} connections refused`);
  await srv.stop();
  t.diagnostic(`connection limit: 8 held, the next answered 503 in ${over.ms} ms; served again once they closed`);
});
