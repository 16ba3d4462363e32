// The principal check behind every token (auth/principals.c; issue 11): a token is only as good
// as the account or client behind it is now. An account made read-only loses its writes (403,
// as a read-only token does) at once in the process that made the change and within the cache's
// TTL in any other; the check reads the current flag, so an account made writable again writes.

import { after, before, describe, test } from 'node:test';
import {
  api, assert, assertProblem, DEMO, haveDb, PASSWORD, RUN, show, sql, uniq,
} from './lib.mjs';
import { startServer } from './spawn.mjs';

const P = 'demo.province';
const NO_DB = haveDb() ? false : 'DATABASE_URL is not set';

let seq = 0;
/** A new commune account of Phú Cường made through the API; {id, username}. */
async function newAccount(fields = {}) {
  seq += 1;
  const username = `pr.${RUN}.${seq}`;
  const res = await api('POST', '/users', { as: P, body: { username, password: PASSWORD, role: 'commune', unit_code: DEMO.commune, ...fields } });
  assert.equal(res.status, 201, show(res));
  return { id: res.json.id, username, version: res.json.version };
}

async function signIn(username, base = '') {
  const res = await api('POST', `${base}/api/v1/auth/login`, { body: { username, password: PASSWORD } });
  assert.equal(res.status, 200, show(res));
  return res.json.access_token;
}

const teamBody = () => ({ name: uniq('Tổ CNSCĐ chỉ xem'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 3' });

function assertReadOnly(res) {
  assertProblem(res, 403, { kind: 'forbidden' });
  assert.match(res.json.detail, /read-only/, show(res));
}

describe('read-only set on an account stops its tokens\' writes (issue 11 item 6)', () => {
  test('through the API: at once in the process that made the change; and back again', async () => {
    const acct = await newAccount();
    const token = await signIn(acct.username);
    assert.equal((await api('POST', '/teams', { token, body: teamBody() })).status, 201, 'writes (and is cached) before');

    const ro = await api('PATCH', `/users/${acct.id}`, { as: P, body: { read_only: true } });
    assert.equal(ro.status, 200, show(ro));
    assertReadOnly(await api('POST', '/teams', { token, body: teamBody() }));
    assert.equal((await api('GET', '/teams', { token, query: { limit: 1 } })).status, 200, 'reads go on');
    const me = await api('GET', '/auth/me', { token });
    assert.equal(me.json.read_only, true);

    const rw = await api('PATCH', `/users/${acct.id}`, { as: P, body: { read_only: false } });
    assert.equal(rw.status, 200, show(rw));
    assert.equal((await api('POST', '/teams', { token, body: teamBody() })).status, 201, 'the current flag decides');
  });

  describe('changed in the database by another process', { skip: NO_DB }, () => {
    let srv;
    before(async () => {
      srv = await startServer({ PRINCIPAL_CACHE_SECONDS: '1' });
    });
    after(async () => {
      await srv?.stop();
    });

    test('a user: refused within the cache TTL', async () => {
      const acct = await newAccount();
      const token = await signIn(acct.username);
      const write = () => api('POST', `${srv.url}/api/v1/teams`, { token, body: teamBody() });
      assert.equal((await write()).status, 201, 'writes (and is cached) before');
      sql(`UPDATE users SET read_only = true WHERE id = :'id'`, { id: acct.id });
      await new Promise((r) => setTimeout(r, 1200));
      assertReadOnly(await write());
    });

    test('an API client: refused too', async () => {
      const created = await api('POST', '/clients', { as: P, body: { name: uniq('Hệ thống'), role: 'commune', unit_code: DEMO.commune } });
      assert.equal(created.status, 201, show(created));
      const grant = await api('POST', `${srv.url}/api/v1/auth/token`, {
        body: { grant_type: 'client_credentials', client_id: created.json.client_id, client_secret: created.json.client_secret },
      });
      assert.equal(grant.status, 200, show(grant));
      const token = grant.json.access_token;
      const write = () => api('POST', `${srv.url}/api/v1/teams`, { token, body: teamBody() });
      assert.equal((await write()).status, 201, 'writes (and is cached) before');
      sql(`UPDATE api_clients SET read_only = true WHERE id = :'id'`, { id: created.json.id });
      await new Promise((r) => setTimeout(r, 1200));
      assertReadOnly(await write());
    });
  });
});
