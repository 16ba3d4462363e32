// Sign-in attempt limits (issue 6 item 3; api/auth.c, 012_signin_limits.sql): failed attempts
// counted per account name and per client address, 429 with Retry-After at the limit.
//
// A second server with small limits and a short window, which believes X-Forwarded-For from
// loopback (TRUSTED_PROXIES) so that each case can come from its own documentation address
// (198.51.100.0/24) and never touch the counters of the suite's own server, which shares the
// database.

import { after, before, test } from 'node:test';
import {
  api, assert, assertProblem, DEMO, haveDb, PASSWORD, RUN, show, sqlValue,
} from './lib.mjs';
import { runServerExpectingExit, startServer } from './spawn.mjs';

const PER_ACCOUNT = 3;
const PER_ADDRESS = 6;
const WINDOW_SECONDS = 3;

let srv;
before(async () => {
  srv = await startServer({
    SIGNIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
    SIGNIN_MAX_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
    SIGNIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
    TRUSTED_PROXIES: '127.0.0.1, ::1',
  });
});
after(async () => {
  if (srv) assert.equal((await srv.stop()).code, 0, srv.log());
});

// Each call gets its own address unless one is given, so cases do not share an address count.
let nextHost = Number.parseInt(RUN.slice(-2), 16) % 200;
const freshAddress = () => `198.51.100.${(nextHost++ % 250) + 1}`;

function signIn(username, password, address) {
  return api('POST', `${srv.url}/api/v1/auth/login`, {
    body: { username, password },
    headers: { 'X-Forwarded-For': `203.0.113.9, ${address}` },
  });
}

function clientToken(clientId, secret, address) {
  return api('POST', `${srv.url}/api/v1/auth/token`, {
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
    headers: { 'X-Forwarded-For': address },
  });
}

function assert429(res) {
  assertProblem(res, 429, { kind: 'too-many-requests' });
  const retry = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= WINDOW_SECONDS,
    `Retry-After "${res.headers.get('retry-after')}" on ${show(res)}`);
  assert.ok(!('access_token' in res.json));
  return retry;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let users = 0;
/** A commune account of our own, so that locking it disturbs no other test. */
async function newUser() {
  users += 1;
  const username = `lock${users}.${RUN}`.toLowerCase();
  const res = await api('POST', '/users', {
    as: 'demo.province',
    body: { username, password: PASSWORD, role: 'commune', unit_code: DEMO.commune },
  });
  assert.equal(res.status, 201, show(res));
  return username;
}

test('an account name is refused with 429 and Retry-After after its failures, known or not, and even with the right password', async () => {
  const known = await newUser();
  const unknown = `nobody.${RUN}`;
  const answers = {};
  for (const username of [known, unknown]) {
    const address = freshAddress();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      assertProblem(await signIn(username, 'not-the-password', address), 401);
    }
    answers[username] = await signIn(username, 'not-the-password', address);
    assert429(answers[username]);
    // From another address too: the name is what is counted.
    assert429(await signIn(username, 'not-the-password', freshAddress()));
  }
  // The right password does not get through while the name is locked.
  assert429(await signIn(known, PASSWORD, freshAddress()));
  const strip = ({ instance, request_id, detail, ...rest }) => rest;
  assert.deepEqual(strip(answers[unknown].json), strip(answers[known].json), 'a refusal must not tell whether the account exists');

  if (haveDb()) {
    // Refused attempts check no password and write no audit row: only the counted failures do.
    const audited = await sqlValue(
      "SELECT count(*) FROM audit WHERE action = 'login_failed' AND actor = :'name'", { name: known });
    assert.equal(Number(audited), PER_ACCOUNT);
  }
});

test('the window closes: the right password then signs in and clears the count', async () => {
  const username = await newUser();
  const address = freshAddress();
  for (let i = 0; i < PER_ACCOUNT; i++) assertProblem(await signIn(username, 'wrong', address), 401);
  const retry = assert429(await signIn(username, PASSWORD, address));
  await sleep(retry * 1000 + 200);
  const ok = await signIn(username, PASSWORD, address);
  assert.equal(ok.status, 200, show(ok));
  assert.ok(ok.json.access_token);
  // Cleared: a full set of failures is allowed again before the next refusal.
  for (let i = 0; i < PER_ACCOUNT; i++) assertProblem(await signIn(username, 'wrong', address), 401);
  assert429(await signIn(username, 'wrong', address));
});

test('a success clears its account’s failures, so only consecutive failures lock an account', async () => {
  const username = await newUser();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < PER_ACCOUNT - 1; i++) assertProblem(await signIn(username, 'wrong', freshAddress()), 401);
    const ok = await signIn(username, PASSWORD, freshAddress());
    assert.equal(ok.status, 200, `round ${round}: ${show(ok)}`);
  }
});

test('one address guessing many names is refused after its failures; other addresses are not', async () => {
  const address = freshAddress();
  const known = await newUser();
  for (let i = 0; i < PER_ADDRESS; i++) {
    assertProblem(await signIn(`guess${i}.${RUN}`, 'wrong', address), 401);
  }
  assert429(await signIn(`guess-next.${RUN}`, 'wrong', address));
  assert429(await signIn(known, PASSWORD, address));
  const elsewhere = await signIn(known, PASSWORD, freshAddress());
  assert.equal(elsewhere.status, 200, show(elsewhere));
});

test('a valid account does not reset its address’s count: guessing goes on being counted', async () => {
  const address = freshAddress();
  const mine = await newUser();
  for (let i = 0; i < PER_ADDRESS; i++) {
    assertProblem(await signIn(`other${i}.${RUN}`, 'wrong', address), 401);
    if (i % 2 === 1) {
      // The attacker's own valid sign-in in between: allowed, but it gives back only itself.
      const ok = await signIn(mine, PASSWORD, address);
      if (i < PER_ADDRESS - 1) assert.equal(ok.status, 200, show(ok));
    }
  }
  assert429(await signIn(`other-last.${RUN}`, 'wrong', address));
});

test('parallel guesses are counted before the password is checked: no more than the limit get an answer', async () => {
  // Its own server with a long window: 20 password checks in parallel may take longer than the
  // short window of the others, which would then rightly start counting again.
  const wide = await startServer({
    SIGNIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
    SIGNIN_WINDOW_SECONDS: '300',
    TRUSTED_PROXIES: '127.0.0.1',
    HTTP_THREADS: '24',
    DB_POOL_SIZE: '4',
  });
  try {
    const username = await newUser();
    const address = freshAddress();
    const answers = await Promise.all(Array.from({ length: 20 }, () => api('POST', `${wide.url}/api/v1/auth/login`, {
      body: { username, password: 'wrong' }, headers: { 'X-Forwarded-For': address },
    })));
    const statuses = answers.map((a) => a.status).sort();
    assert.equal(statuses.filter((s) => s === 401).length, PER_ACCOUNT, `statuses ${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 20 - PER_ACCOUNT, `statuses ${statuses}`);
  } finally {
    assert.equal((await wide.stop()).code, 0, wide.log());
  }
});

test('client credentials are limited per client_id the same way', async () => {
  const clientId = `cdt_nobody_${RUN}`;
  const address = freshAddress();
  for (let i = 0; i < PER_ACCOUNT; i++) assertProblem(await clientToken(clientId, 'wrong-secret', address), 401);
  assert429(await clientToken(clientId, 'wrong-secret', freshAddress()));
});

test('X-Forwarded-For is believed only from a trusted proxy', async (t) => {
  if (!haveDb()) {
    t.skip('needs DATABASE_URL to read the counters');
    return;
  }
  const counted = (address) => Number(sqlValue(
    "SELECT count(*) FROM signin_failures WHERE key = 'addr:' || :'address'", { address }));
  // The suite's server has no TRUSTED_PROXIES: a forged header buys no fresh address.
  const forged = freshAddress();
  const res = await api('POST', '/auth/login', {
    body: { username: `forged.${RUN}`, password: 'wrong' }, headers: { 'X-Forwarded-For': forged },
  });
  assertProblem(res, 401);
  assert.equal(counted(forged), 0, 'an untrusted X-Forwarded-For must not be counted');
  // Behind a trusted proxy the right-most entry the proxy added is the client, whatever the
  // client itself put further left.
  const real = freshAddress();
  assertProblem(await signIn(`proxied.${RUN}`, 'wrong', real), 401);
  assert.equal(counted(real), 1);
  assert.equal(counted('203.0.113.9'), 0, 'the client-supplied left part must not be counted');
});

test('the defaults: five consecutive failures lock a name for the 15-minute window', async () => {
  const username = `default.${RUN}`;
  for (let i = 0; i < 5; i++) {
    assertProblem(await api('POST', '/auth/login', { body: { username, password: 'wrong' } }), 401);
  }
  const res = await api('POST', '/auth/login', { body: { username, password: 'wrong' } });
  assertProblem(res, 429, { kind: 'too-many-requests' });
  const retry = Number(res.headers.get('retry-after'));
  assert.ok(retry > 800 && retry <= 900, `Retry-After ${retry}`);
});

test('the server refuses to start with a trusted proxy that is not an address or a network', async () => {
  for (const bad of ['proxy.local', '10.0.0.0/33', '127.0.0.1, 10.0.0.0/']) {
    const { code, output } = await runServerExpectingExit({ TRUSTED_PROXIES: bad });
    assert.equal(code, 2, `${bad}: exit status ${code}\n${output}`);
    assert.match(output, /TRUSTED_PROXIES: .* is not an address or a network/);
  }
});
