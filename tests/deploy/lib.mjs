// Helpers for the deployment tests (tests/deploy/run sets the environment):
//   CDT_SERVER                       the server binary
//   DATABASE_URL, DATABASE_READ_URL  the primary and its streaming replica (deploy/replica.sh)
//   PRIMARY_PGDATA/_PGPORT, REPLICA_PGDATA/_PGPORT   their data directories and ports
//   DEPLOY_TMP                       a directory of the run's own, removed after it
//
// nginx runs deploy/nginx.conf itself: only the instances' addresses, the listening address and
// the web root are put in (each must be found exactly where the file has it, or the test fails),
// inside a main configuration like the one of the nginx image that docker-compose.yml runs.
// Server processes, requests and psql come from tests/faults/lib.mjs.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { assert, freePort, ROOT, sleep, sql } from '../faults/lib.mjs';

export * from '../faults/lib.mjs';

const { DATABASE_READ_URL, DEPLOY_TMP, PRIMARY_PGDATA, PRIMARY_PGPORT, REPLICA_PGDATA, REPLICA_PGPORT } = process.env;
export { DATABASE_READ_URL };

/** Rows of a query on the replica. */
export function replicaSql(query) {
  return sql(query, DATABASE_READ_URL);
}

/** Stops the replica ('fast') or starts it again (deploy/replica.sh, as tests/deploy/run did). */
export function replica(action) {
  const script = action === 'start'
    ? '. scripts/lib.sh && PG_OPTIONS="-c fsync=off -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" pg_replica_start "$1" "$2" "$3" "$4"'
    : '. scripts/lib.sh && pg_stop "$1"';
  return new Promise((resolveDone, reject) => {
    execFile('bash', ['-c', script, 'replica', REPLICA_PGDATA, REPLICA_PGPORT, PRIMARY_PGDATA, PRIMARY_PGPORT], { cwd: ROOT },
      (err, stdout, stderr) => (err ? reject(new Error(`replica ${action}: ${stderr}`)) : resolveDone()));
  });
}

/** Waits until the replica has replayed everything the primary has written so far. */
export async function replicaCaughtUp(timeoutMs = 15_000) {
  const [[lsn]] = sql('SELECT pg_current_wal_lsn()');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [[done]] = replicaSql(`SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`);
    if (done === 't') return;
    assert.ok(Date.now() < deadline, `the replica did not replay up to ${lsn} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** text with `from` replaced by `to`, which must occur exactly `times` times. */
function substitute(text, from, to, times) {
  const found = text.split(from).length - 1;
  assert.equal(found, times, `deploy/nginx.conf: expected "${from}" ${times} time(s), found ${found}`);
  return text.split(from).join(to);
}

/**
 * Starts nginx (in the foreground, as a child) on 127.0.0.1:port with deploy/nginx.conf in front
 * of the two instances; resolves {url, port, stop(), errorLog()} once it answers.
 */
export async function startNginx(api1Port, api2Port) {
  const dir = join(DEPLOY_TMP, `nginx-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  let site = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
  site = substitute(site, 'api1:8080', `127.0.0.1:${api1Port}`, 2);
  site = substitute(site, 'api2:8080', `127.0.0.1:${api2Port}`, 2);
  site = substitute(site, 'listen 80;', `listen 127.0.0.1:${port};`, 1);
  site = substitute(site, 'root /usr/share/nginx/html;', `root ${join(ROOT, 'web')};`, 1);
  writeFileSync(join(dir, 'default.conf'), site);
  const temp = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  for (const t of temp) mkdirSync(join(dir, t), { mode: 0o777 });
  // As root the workers run as nobody (nginx's default), and must write their temporary files.
  const root = process.getuid?.() === 0;
  writeFileSync(join(dir, 'nginx.conf'), `# The nginx image's /etc/nginx/nginx.conf, with this run's paths.
${root ? 'user nobody nogroup;' : ''}
daemon off;
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log ${dir}/access.log;
    sendfile on;
${temp.map((t) => `    ${t === 'body' ? 'client_body' : t}_temp_path ${dir}/${t};`).join('\n')}
    include ${dir}/default.conf;
}
`);
  if (root) execFileSync('chmod', ['-R', 'a+rwX', dir]);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  let done = null;
  const exited = new Promise((res) => child.on('exit', (code, signal) => { done = { code, signal }; res(done); }));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (done) throw new Error(`nginx exited ${JSON.stringify(done)}:\n${output}\n${errorLog()}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).status) break;
    } catch { /* not yet */ }
    if (i > 100) throw new Error(`nginx did not answer within 10 s:\n${output}`);
    await sleep(100);
  }
  function errorLog() {
    try { return readFileSync(join(dir, 'error.log'), 'utf8'); } catch { return ''; }
  }
  return {
    url, port, errorLog,
    async stop() {
      if (!done) child.kill('SIGQUIT');
      return exited;
    },
  };
}

/**
 * A GET through node:http from a chosen local address (127.0.0.2 is loopback too, and nginx sees
 * it as the client's address). Resolves {status, text}.
 */
export function getFrom(localAddress, url) {
  return new Promise((res, rej) => {
    const req = http.get(url, { localAddress, headers: { Connection: 'close' }, timeout: 10_000 }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d) => { text += d; });
      r.on('end', () => res({ status: r.statusCode, text, headers: r.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
  });
}

/**
 * Parses Prometheus text exposition format 0.0.4 strictly, failing the test on any line that is
 * not a comment, a HELP/TYPE line or a sample; checks that each family is announced (HELP then
 * TYPE) once, before its samples, that counters end in _total, and that every histogram's
 * buckets are cumulative with le="+Inf" equal to _count. Returns [{name, labels, value}].
 */
export function parsePrometheus(text) {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const samples = [];
  const types = new Map();
  const helped = new Set();
  const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g;
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = line.match(/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$/))) {
      assert.ok(!helped.has(m[1]), `HELP ${m[1]} twice`);
      helped.add(m[1]);
    } else if ((m = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/))) {
      assert.ok(helped.has(m[1]) && !types.has(m[1]), `TYPE ${m[1]}: after its HELP, once`);
      assert.ok(m[2] !== 'counter' || m[1].endsWith('_total'), `counter ${m[1]} ends in _total`);
      types.set(m[1], m[2]);
    } else if ((m = line.match(sampleLine))) {
      const name = m[1];
      const family = [...types.keys()].find((f) => name === f || (types.get(f) === 'histogram' &&
        [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(name)));
      assert.ok(family, `sample ${name} comes after its family's TYPE`);
      const labels = {};
      for (const l of (m[2] || '').matchAll(label)) labels[l[1]] = l[2];
      samples.push({ name, family, labels, value: Number(m[3]) });
    } else {
      assert.fail(`not a line of the Prometheus text format: ${JSON.stringify(line)}`);
    }
  }
  // Histograms: per label set (le aside), cumulative buckets ending in +Inf = _count.
  const series = new Map();
  for (const s of samples.filter((x) => types.get(x.family) === 'histogram')) {
    const { le, ...rest } = s.labels;
    const key = `${s.family}${JSON.stringify(rest)}`;
    if (!series.has(key)) series.set(key, { buckets: [], count: null, sum: null });
    const h = series.get(key);
    if (s.name.endsWith('_bucket')) h.buckets.push([le, s.value]);
    else if (s.name.endsWith('_count')) h.count = s.value;
    else h.sum = s.value;
  }
  for (const [key, h] of series) {
    assert.ok(h.buckets.length > 1 && h.count !== null && h.sum !== null, `${key}: buckets, _sum and _count`);
    assert.equal(h.buckets.at(-1)[0], '+Inf', `${key}: the last bucket is +Inf`);
    assert.equal(h.buckets.at(-1)[1], h.count, `${key}: +Inf equals _count`);
    for (let i = 1; i < h.buckets.length; i++) {
      assert.ok(Number(h.buckets[i][0]) > Number(h.buckets[i - 1][0]) || h.buckets[i][0] === '+Inf', `${key}: le ascending`);
      assert.ok(h.buckets[i][1] >= h.buckets[i - 1][1], `${key}: buckets cumulative`);
    }
  }
  return samples;
}

/** The sum of the samples of name whose labels include `labels`. */
export function total(samples, name, labels = {}) {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}
