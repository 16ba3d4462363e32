// cdt-server --create-admin (issue 15, item 1): the first account of a database that has none,
// its password read from stdin, then signing in with it through the API.

import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { api, assert, CDT_SERVER, DATABASE_URL, haveDb, ROOT, RUN, show, sqlValue } from './lib.mjs';

const run = (args, input) => spawnSync(CDT_SERVER, ['--create-admin', ...args], {
  cwd: ROOT, env: { ...process.env, DATABASE_URL }, input, encoding: 'utf8',
});

test('a national account made from the command line signs in; a taken name, a weak password and bad arguments are refused',
  { skip: !haveDb() && 'DATABASE_URL not set' }, async () => {
    const username = `quantri.${RUN}`;
    const made = run([username, '--full-name', 'Quản trị toàn quốc'], 'Mat-khau-quan-tri-2026\n');
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, new RegExp(`^created national account ${username.replace('.', '\\.')}`));
    const signin = await api('POST', '/auth/login', { body: { username, password: 'Mat-khau-quan-tri-2026' } });
    assert.equal(signin.status, 200, show(signin));
    assert.deepEqual([signin.json.user.role, signin.json.user.unit], ['national', null]);
    // It can do what only a national account can: see every province.
    const units = await api('GET', '/units', { token: signin.json.access_token, query: { level: 'province' } });
    assert.ok(units.json.total >= 1);
    assert.equal(sqlValue(`SELECT count(*) FROM audit WHERE actor = 'cdt-server --create-admin' AND changes->>'username' = :'u'`,
      { u: username }), '1', 'audited');

    const again = run([username], 'Mat-khau-khac-2026\n');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists already/);
    const weak = run([`yeu.${RUN}`], 'abc\n');
    assert.equal(weak.status, 2);
    assert.match(weak.stderr, /password/);
    assert.equal(run([], 'Mat-khau-quan-tri-2026\n').status, 2);
    assert.equal(run([`tinh.${RUN}`, '--role', 'province'], 'Mat-khau-quan-tri-2026\n').status, 2, 'a province account needs its unit');

    // A province's first account, at a unit of province level only.
    const prov = run([`tinh.${RUN}`, '--role', 'province', '--unit', '79'], 'Mat-khau-quan-tri-2026\n');
    assert.equal(prov.status, 0, prov.stderr);
    const wrong = run([`xa.${RUN}`, '--role', 'province', '--unit', '25747'], 'Mat-khau-quan-tri-2026\n');
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /province level/);
  });
