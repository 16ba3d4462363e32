// migrate.test.mjs — migrations apply once even when two servers start at the same moment.
// Needs DATABASE_URL (a superuser of the throwaway cluster) to create a scratch database.
import test from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { assert, CDT_SERVER, DATABASE_URL, haveDb, ROOT, RUN, sql } from './lib.mjs';

const valueAt = (url, query) =>
  execFileSync('psql', [url, '-XAtqc', query], { encoding: 'utf8' }).trim();

function migrate(url) {
  return new Promise((done) => {
    const child = spawn(CDT_SERVER, ['--migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (code) => done({ code, stderr }));
  });
}

test('two servers migrating one empty database at once apply each migration and function file once', { skip: !haveDb() && 'DATABASE_URL not given' }, async () => {
  const name = `cdt_migrate_${RUN}`.toLowerCase();
  sql(`CREATE DATABASE ${name}`);
  try {
    const url = DATABASE_URL.replace(/\/cdt(\?|$)/, `/${name}$1`);
    assert.notEqual(url, DATABASE_URL, 'DATABASE_URL names the database cdt');
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const files = readdirSync(resolve(ROOT, 'sql/migrations')).filter((f) => /^\d{3}_.*\.sql$/.test(f));
    const applied = valueAt(url, 'SELECT count(*) FROM schema_migrations');
    assert.equal(Number(applied), files.length);
    const logged = (a.stderr + b.stderr).split('\n').filter((l) => l.includes('"migration applied"'));
    assert.equal(logged.length, files.length, 'each migration was applied by exactly one of the two');
    assert.equal(Number(valueAt(url, 'SELECT count(*) FROM structure_rules')), 4);

    // The repeatable function files (sql/functions/) after them, each once, and again only when changed.
    const functions = readdirSync(resolve(ROOT, 'sql/functions')).filter((f) => f.endsWith('.sql'));
    assert.ok(functions.length > 0);
    const appliedIn = (out) => out.split('\n').filter((l) => l.includes('"functions applied"')).length;
    assert.equal(appliedIn(a.stderr + b.stderr), functions.length, 'each function file was applied by exactly one of the two');
    assert.equal(Number(valueAt(url, 'SELECT count(*) FROM schema_functions')), functions.length);
    const again = await migrate(url);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(appliedIn(again.stderr), 0, 'unchanged files are not applied again');
    valueAt(url, `UPDATE schema_functions SET checksum = 'stale' WHERE file = '${functions[0]}'`);
    const changed = await migrate(url);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(appliedIn(changed.stderr), 1, 'a file whose text changed is applied again');
  } finally {
    sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
});
