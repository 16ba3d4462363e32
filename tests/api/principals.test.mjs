// The principal check behind every token (auth/principals.c; issue 11): a token is only as good
// as the account or client behind it is now. An account made read-only loses its writes (403,
// as a read-only token does) at once in the process that made the change and within the cache's
// TTL in any other; the check reads the current flag, so an account made writable again writes.
// Accounts and clients of a closed unit (units.valid_to, unit_open()) cannot sign in (403 naming
// the unit and the day it closed) and their tokens stop (401), as a disabled account's do.

import { after, before, describe, test } from 'node:test';
import {
  api, assert, assertProblem, createEnterprise, DEMO, freeUnitCode, haveDb, PASSWORD, RUN, show, sql, uniq,
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

describe('accounts of closed units (issue 11 item 10)', () => {
  // Long before any instant the other files set app_clock to, so the unit is closed whatever "now" they set.
  const CLOSED_ON = '2000-01-01';
  let code;
  let unitName;
  const who = {}; // user, enterprise user and client of the unit: {username | client_id, secret, token}

  before(async () => {
    code = await freeUnitCode(P);
    unitName = uniq('Phường Sắp Sáp Nhập');
    const unit = await api('POST', '/units', { as: P, body: { code, name: unitName, level: 'commune', parent_code: DEMO.district } });
    assert.equal(unit.status, 201, show(unit));
    who.user = await newAccount({ unit_code: code });
    const ent = await createEnterprise(P, { unit_code: code });
    who.ent = await newAccount({ role: 'enterprise', unit_code: undefined, enterprise_id: ent.id });
    const client = await api('POST', '/clients', { as: P, body: { name: uniq('Hệ thống xã'), role: 'commune', unit_code: code } });
    assert.equal(client.status, 201, show(client));
    who.client = client.json;
  });

  const login = (username, password = PASSWORD) => api('POST', '/auth/login', { body: { username, password } });
  const exchange = (c) => api('POST', '/auth/token', {
    body: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
  });
  const setValidTo = async (validTo) => {
    const res = await api('PATCH', `/units/${code}`, { as: P, body: { valid_to: validTo } });
    assert.equal(res.status, 200, show(res));
  };

  function assertClosed(res) {
    assertProblem(res, 403, { kind: 'forbidden' });
    assert.match(res.json.detail, new RegExp(`unit \\(${code}, ${unitName}\\) was closed on ${CLOSED_ON}`), show(res));
  }

  test('sign-in is refused with the unit and the day it closed; existing tokens stop at once', async () => {
    const tokens = [
      (await login(who.user.username)).json.access_token,
      (await login(who.ent.username)).json.access_token,
      (await exchange(who.client)).json.access_token,
    ];
    for (const token of tokens) assert.equal((await api('GET', '/auth/me', { token })).status, 200, 'works (and is cached) before');

    await setValidTo(CLOSED_ON);
    for (const token of tokens) {
      const res = await api('GET', '/teams', { token, query: { limit: 1 } });
      assertProblem(res, 401);
      assert.match(res.json.detail, /unit closed/, show(res));
    }
    assertClosed(await login(who.user.username));
    assertClosed(await login(who.ent.username)); // an enterprise account: its enterprise's unit
    assertClosed(await exchange(who.client));
    // A wrong password tells nothing about the unit.
    assertProblem(await login(who.user.username, 'sai-mat-khau-1'), 401);
    if (haveDb()) {
      const refused = sql(`SELECT coalesce(changes->>'reason', '-') FROM audit WHERE action = 'login_failed' AND actor = :'u' ORDER BY id`,
        { u: who.user.username });
      assert.deepEqual(refused.map((r) => r[0]), ['unit_closed', '-'], 'audited: refused for the closed unit, then the wrong password');
    }
  });

  test('an account left on a version whose code passed on (as 25747@2025-07-01 did) is refused, naming the code', async () => {
    // A commune of this run under a province of the tests' own (valid since before the records, so
    // that a version may start in 2000; 13 is no GSO province code, then or now), and its account;
    // then the same code loaded as a new unit from CLOSED_ON, as the 2025 list did to 25747: the
    // old version is re-keyed code@CLOSED_ON and closed that day, and the account, which follows
    // it, belongs to a closed unit.
    const N = 'demo.national';
    const gso = await freeUnitCode(N);
    const oldName = uniq('Phường Cũ');
    const units = (csv, query) => api('POST', '/import/units', { as: N, query, raw: csv, headers: { 'Content-Type': 'text/csv' } });
    const made = await units(`code,name,level,parent_code\n13,Tỉnh Thử Phiên Bản,province,\n${gso},${oldName},commune,13\n`);
    assert.equal(made.status, 200, show(made));
    const acct = await api('POST', '/users', { as: N, body: { username: `pr.${RUN}.v${gso}`, password: PASSWORD, role: 'commune', unit_code: gso } });
    assert.equal(acct.status, 201, show(acct));
    const token = (await login(acct.json.username)).json.access_token;
    assert.equal((await api('GET', '/auth/me', { token })).status, 200);
    const load = await units(`code,name,level,parent_code\n${gso},${uniq('Phường Mới')},commune,13\n`, { valid_from: CLOSED_ON });
    assert.equal(load.status, 200, show(load));
    assert.equal((await api('GET', `/users/${acct.json.id}`, { as: N })).json.unit_code, `${gso}@${CLOSED_ON}`);
    assertProblem(await api('GET', '/auth/me', { token }), 401);
    const refused = await login(acct.json.username);
    assertProblem(refused, 403);
    assert.match(refused.json.detail, new RegExp(`unit \\(${gso}, ${oldName}\\) was closed on ${CLOSED_ON}`), show(refused));
  });

  test('a unit that closes later still signs in; reopened, the accounts are back', async () => {
    await setValidTo('2199-12-31');
    assert.equal((await login(who.user.username)).status, 200);
    await setValidTo(null);
    assert.equal((await login(who.ent.username)).status, 200);
    assert.equal((await exchange(who.client)).status, 200);
  });
});

describe('an account moved to another unit (issue 11)', () => {
  test('its old token, which names the old unit, stops at once; signed in again it acts for the new unit', async () => {
    const acct = await newAccount();
    const token = await signIn(acct.username);
    assert.equal((await api('GET', '/auth/me', { token })).json.unit, DEMO.commune);
    // demo.province is above both communes, so it may move the account (api/users.c).
    const moved = await api('PATCH', `/users/${acct.id}`, { as: P, body: { unit_code: DEMO.dian } });
    assert.equal(moved.status, 200, show(moved));
    assertProblem(await api('GET', '/auth/me', { token }), 401);
    assertProblem(await api('POST', '/teams', { token, body: teamBody() }), 401);
    const fresh = await signIn(acct.username);
    assert.equal((await api('GET', '/auth/me', { token: fresh })).json.unit, DEMO.dian);
    const team = await api('POST', '/teams', { token: fresh, body: teamBody() });
    assertProblem(team, 403); // Phú Cường is no longer the account's
  });
});
