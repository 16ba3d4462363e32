// Tokens from the province's identity provider (issue 4, item 8): a second server process started
// here with IDP_PUBLIC_KEY_FILE (an RSA key made by openssl in a temporary directory) accepts
// RS256 tokens signed with the matching private key and maps role, unit, enterprise and read_only
// from their claims; it refuses every other algorithm, notably HS256 "signed" with the public key
// as an HMAC secret, and alg none; issuer, audience and times are checked. A third process
// configured for ES256 accepts ES256 (JOSE r||s signatures) and refuses RS256. Configurations the
// server must refuse end the process with status 2.

import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  api, assert, assertProblem, b64url, DEMO, haveDb, PASSWORD, show, signHS256, sqlValue, uniq, whoami,
} from './lib.mjs';
import { runServerExpectingExit, startServer } from './spawn.mjs';

const ISSUER = 'https://sso.example.gov.vn/realms/binhduong';
const AUDIENCE = 'cdt-api-test';
const SANITIZER = /runtime error:|ERROR: AddressSanitizer|LeakSanitizer/;

let dir;
let rsa; // {private, public (PEM text), file}
let rsaOther;
let ec;
let rsServer;
let esServer;

function keyPair(name, args) {
  const priv = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub.pem`);
  execFileSync('openssl', ['genpkey', ...args, '-out', priv], { stdio: 'ignore' });
  execFileSync('openssl', ['pkey', '-in', priv, '-pubout', '-out', pub], { stdio: 'ignore' });
  return { private: createPrivateKey(readFileSync(priv)), public: readFileSync(pub, 'utf8'), file: pub };
}

/** A JWT over payload, signed with RS256 or ES256 (JOSE: r||s for ECDSA). */
function signAsym(alg, key, payload, header = { alg, typ: 'JWT' }) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const opts = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key;
  return `${input}.${sign('sha256', Buffer.from(input), opts).toString('base64url')}`;
}

function claimsFor(fields = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: AUDIENCE, iat: now, nbf: now, exp: now + 600, sub: `sso-${uniq('u').replace(/\W/g, '')}`, ...fields };
}

const commune = (extra = {}) => claimsFor({ role: 'commune', unit: DEMO.commune, ...extra });

function me(server, token) {
  return api('GET', `${server.url}/api/v1/auth/me`, { token });
}

function assert401(res) {
  assertProblem(res, 401, { kind: 'unauthorized' });
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer\b/i, `WWW-Authenticate on ${show(res)}`);
}

async function stopped(server) {
  if (!server) return;
  const { code } = await server.stop();
  assert.equal(code, 0, `server exit status ${code}:\n${server.log().slice(-2000)}`);
  assert.ok(!SANITIZER.test(server.log()), `sanitizer report:\n${server.log().slice(-4000)}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdt-idp-'));
  rsa = keyPair('rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  rsaOther = keyPair('rsa-other', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  ec = keyPair('ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  const common = { IDP_ISSUER: ISSUER, IDP_AUDIENCE: AUDIENCE };
  rsServer = await startServer({ ...common, IDP_PUBLIC_KEY_FILE: rsa.file, IDP_ALGORITHM: 'RS256' });
  esServer = await startServer({ ...common, IDP_PUBLIC_KEY_FILE: ec.file, IDP_ALGORITHM: 'ES256' });
});

after(async () => {
  try {
    await stopped(rsServer);
    await stopped(esServer);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

test('an RS256 token signed with the configured key is accepted and mapped from its claims', async () => {
  const c = commune();
  const token = signAsym('RS256', rsa.private, c);
  const res = await me(rsServer, token);
  assert.equal(res.status, 200, show(res));
  assert.deepEqual(
    { id: res.json.id, role: res.json.role, unit: res.json.unit, enterprise: res.json.enterprise, read_only: res.json.read_only, kind: res.json.kind },
    { id: c.sub, role: 'commune', unit: DEMO.commune, enterprise: null, read_only: false, kind: 'idp' });

  // Its scope is its unit's subtree, like a user's.
  const teams = await api('GET', `${rsServer.url}/api/v1/teams`, { token, query: { limit: 1000 } });
  assert.equal(teams.status, 200, show(teams));
  assert.ok(teams.json.items.every((t) => t.unit_code === DEMO.commune), 'teams outside 25747');

  // It writes inside its scope; the audit trail names it by subject.
  const created = await api('POST', `${rsServer.url}/api/v1/teams`, {
    token, body: { name: uniq('Tổ SSO'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: 'Khu phố 3' },
  });
  assert.equal(created.status, 201, show(created));
  if (haveDb()) {
    const actor = sqlValue(`SELECT actor || '|' || coalesce(actor_id::text, '') FROM audit WHERE resource = 'teams' AND resource_id = :'id'`, { id: created.json.id });
    assert.equal(actor, `idp:${c.sub}|`);
  }
});

test('the claim mapping: read_only, enterprise, and roles that do not fit', async () => {
  const ro = signAsym('RS256', rsa.private, claimsFor({ role: 'province', unit: DEMO.province, read_only: true }));
  const meRo = await me(rsServer, ro);
  assert.equal(meRo.status, 200, show(meRo));
  assert.equal(meRo.json.read_only, true);
  assertProblem(await api('POST', `${rsServer.url}/api/v1/teams`, { token: ro, body: { name: 'x', kind: 'commune', unit_code: DEMO.commune } }), 403);

  const ent = (await whoami('demo.enterprise')).enterprise;
  const entToken = signAsym('RS256', rsa.private, claimsFor({ role: 'enterprise', enterprise: ent }));
  const meEnt = await me(rsServer, entToken);
  assert.equal(meEnt.status, 200, show(meEnt));
  assert.equal(meEnt.json.enterprise, ent);

  for (const bad of [
    { role: 'admin', unit: DEMO.province },
    { role: 'province', unit: DEMO.commune }, // a commune's code for a province role
    { role: 'district' }, // no unit
    { role: 'commune', unit: DEMO.commune, enterprise: ent },
    { role: 'enterprise', enterprise: 'not-a-uuid' },
    { role: 'commune', unit: 25747 },
    { role: 'commune', unit: DEMO.commune, read_only: 'yes' },
  ]) {
    assert401(await me(rsServer, signAsym('RS256', rsa.private, claimsFor(bad))));
  }
  assert401(await me(rsServer, signAsym('RS256', rsa.private, { ...commune(), sub: undefined })));
});

test('HS256 signed with the public key as the secret, alg none, other algorithms and keys: 401', async () => {
  const c = commune();
  // The classic confusion: the same claims, HS256, HMAC keyed with the public key PEM text.
  assert401(await me(rsServer, signHS256(c, rsa.public)));
  assert401(await me(rsServer, signHS256(c, rsa.public.trim())));
  // alg none, with and without a signature part.
  const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(c)}`;
  assert401(await me(rsServer, `${none}.`));
  assert401(await me(rsServer, none));
  // A valid RS256 signature under a header naming another algorithm.
  const good = signAsym('RS256', rsa.private, c);
  const [, payload, sig] = good.split('.');
  for (const alg of ['RS512', 'PS256', 'ES256', 'HS256', 'rs256']) {
    assert401(await me(rsServer, `${b64url({ alg, typ: 'JWT' })}.${payload}.${sig}`));
  }
  // Another key; a tampered payload.
  assert401(await me(rsServer, signAsym('RS256', rsaOther.private, c)));
  assert401(await me(rsServer, `${good.split('.')[0]}.${b64url({ ...c, role: 'province', unit: DEMO.province })}.${sig}`));
  // The suite's own server has no identity provider: the good token is refused there.
  assert401(await api('GET', '/auth/me', { token: good }));
  assert.equal((await me(rsServer, good)).status, 200, 'the good token itself is accepted');
});

test('wrong issuer, wrong audience, expired or not yet valid: 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  assert401(await me(rsServer, signAsym('RS256', rsa.private, commune({ iss: 'https://sso.example.gov.vn/realms/other' }))));
  assert401(await me(rsServer, signAsym('RS256', rsa.private, commune({ iss: undefined }))));
  assert401(await me(rsServer, signAsym('RS256', rsa.private, commune({ aud: 'cdt-api' }))));
  assert401(await me(rsServer, signAsym('RS256', rsa.private, commune({ aud: ['portal', 'warehouse'] }))));
  assert401(await me(rsServer, signAsym('RS256', rsa.private, commune({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }))));
  assert401(await me(rsServer, signAsym('RS256', rsa.private, commune({ nbf: now + 3600, exp: now + 7200 }))));
  assert401(await me(rsServer, signAsym('RS256', rsa.private, commune({ exp: undefined }))));
  // An audience array that holds ours is fine.
  assert.equal((await me(rsServer, signAsym('RS256', rsa.private, commune({ aud: ['portal', AUDIENCE] })))).status, 200);
});

test('our own tokens keep working on a server that accepts the provider\'s', async () => {
  const res = await api('POST', `${rsServer.url}/api/v1/auth/login`, { body: { username: 'demo.commune', password: PASSWORD } });
  assert.equal(res.status, 200, show(res));
  const mine = await me(rsServer, res.json.access_token);
  assert.equal(mine.status, 200, show(mine));
  assert.equal(mine.json.username, 'demo.commune');
  // A token of ours cannot pass itself off as a provider's principal.
  if (process.env.JWT_SECRET) {
    const ours = { ...commune(), sub: (await whoami('demo.commune')).sub, iss: 'cdt', aud: 'cdt-api' };
    assert.equal((await me(rsServer, signHS256({ ...ours, kind: 'user' }, process.env.JWT_SECRET))).status, 200, 'sanity');
    assert401(await me(rsServer, signHS256({ ...ours, kind: 'idp' }, process.env.JWT_SECRET)));
  }
});

test('an ES256 server accepts ES256 and refuses RS256', async () => {
  const c = commune();
  const token = signAsym('ES256', ec.private, c);
  const res = await me(esServer, token);
  assert.equal(res.status, 200, show(res));
  assert.equal(res.json.kind, 'idp');
  assert.equal(res.json.unit, DEMO.commune);
  assert401(await me(esServer, signAsym('RS256', rsa.private, c)));
  assert401(await me(esServer, signHS256(c, ec.public)));
  assert401(await me(rsServer, token), 'the RS256 server refuses ES256');
  // A DER-encoded ECDSA signature is not JOSE's r||s.
  const input = token.split('.').slice(0, 2).join('.');
  const der = sign('sha256', Buffer.from(input), ec.private).toString('base64url');
  assert401(await me(esServer, `${input}.${der}`));
});

test('the server refuses to start with an unusable identity-provider configuration', async () => {
  const base = { IDP_ISSUER: ISSUER, IDP_AUDIENCE: AUDIENCE, IDP_PUBLIC_KEY_FILE: rsa.file, IDP_ALGORITHM: 'RS256' };
  const notPem = join(dir, 'not-a-key.txt');
  writeFileSync(notPem, 'hello\n');
  for (const [why, env, pattern] of [
    ['unreadable key file', { IDP_PUBLIC_KEY_FILE: join(dir, 'missing.pem') }, /IDP_PUBLIC_KEY_FILE/],
    ['not a PEM public key', { IDP_PUBLIC_KEY_FILE: notPem }, /IDP_PUBLIC_KEY_FILE/],
    ['HS256', { IDP_ALGORITHM: 'HS256' }, /IDP_ALGORITHM/],
    ['RS512', { IDP_ALGORITHM: 'RS512' }, /IDP_ALGORITHM/],
    ['none', { IDP_ALGORITHM: 'none' }, /IDP_ALGORITHM/],
    ['no issuer', { IDP_ISSUER: '' }, /IDP_ISSUER/],
    ['issuer without key', { IDP_PUBLIC_KEY_FILE: '' }, /IDP_PUBLIC_KEY_FILE/],
  ]) {
    const { code, output } = await runServerExpectingExit({ ...base, ...env });
    assert.equal(code, 2, `${why}: exit status ${code}\n${output}`);
    assert.match(output, pattern, `${why}: message`);
  }
});
