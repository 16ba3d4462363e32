// The contract in the other direction (issue 11, item 10): real answers of the running server
// validate against the schemas docs/openapi.yaml gives for them. openapi.test.mjs checks that the
// spec and the router have the same routes; this file checks that what those routes answer is
// what the spec says, so that a system generating its client from the spec can read every answer.
//
// JSON Schema 2020-12 (OpenAPI 3.1) with ajv; `format` is an annotation here, as in the spec.

import { before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { api, assert, DEMO, ROOT, show, uniq } from './lib.mjs';

const spec = parse(readFileSync(resolve(ROOT, 'docs', 'openapi.yaml'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(spec, 'openapi');

const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The JSON Pointer (into the spec) of the schema of a JSON answer, following $refs of responses. */
function schemaPointer(method, path, status) {
  let where = `#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status))}`;
  let response = spec.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)];
  assert.ok(response, `the spec has no ${status} answer for ${method} ${path}`);
  if (response.$ref) {
    where = response.$ref;
    response = response.$ref.slice(2).split('/').reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  const media = Object.keys(response.content || {}).find((m) => /json/.test(m));
  assert.ok(media, `the spec's ${status} answer for ${method} ${path} has no JSON content`);
  return `${where}/${pointer('content', media, 'schema')}`;
}

/** Asserts that the answer to METHOD path (the spec's template) validates against the spec. */
async function conforms(method, template, concrete, opts = {}) {
  const res = await api(method, concrete, opts);
  const validate = ajv.getSchema(`openapi${schemaPointer(method, template, res.status)}`);
  assert.ok(validate(res.json), `${show(res)}\ndoes not match the spec: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  return res;
}

let deadline;
before(async () => {
  const res = await api('POST', '/deadlines', {
    as: 'demo.district',
    body: { title: uniq('Hợp đồng API'), kind: 'report', due_on: '2032-01-31', target_level: 'commune', scope_unit: DEMO.district },
  });
  assert.equal(res.status, 201, show(res));
  deadline = res.json;
});

test('GET /deadlines answers match the spec: plain, mine=true, and an empty page', async () => {
  for (const as of ['demo.province', 'demo.district', 'demo.commune', 'demo.enterprise']) {
    const plain = await conforms('GET', '/api/v1/deadlines', '/deadlines', { as });
    assert.equal(plain.status, 200);
    const mine = await conforms('GET', '/api/v1/deadlines', '/deadlines', { as, query: { mine: 'true' } });
    assert.equal(mine.status, 200);
  }
  const empty = await conforms('GET', '/api/v1/deadlines', '/deadlines', { as: 'demo.province', query: { from: '2199-01-01' } });
  assert.equal(empty.json.items.length, 0);
});

test('a deadline, its targets, completing and reopening one match the spec', async () => {
  await conforms('GET', '/api/v1/deadlines/{id}', `/deadlines/${deadline.id}`, { as: 'demo.commune' });
  await conforms('GET', '/api/v1/deadlines/{id}/targets', `/deadlines/${deadline.id}/targets`, { as: 'demo.district' });
  const done = await conforms('POST', '/api/v1/deadlines/{id}/complete', `/deadlines/${deadline.id}/complete`,
    { as: 'demo.commune', body: { note: 'Đã gửi báo cáo' } });
  assert.equal(done.status, 200);
  await conforms('POST', '/api/v1/deadlines/{id}/reopen', `/deadlines/${deadline.id}/reopen`,
    { as: 'demo.district', body: { unit_code: DEMO.commune } });
});

test('every list and document of the demo accounts matches the spec', async () => {
  const reads = [
    ['/api/v1/auth/me', '/auth/me'], ['/api/v1/units', '/units'], ['/api/v1/units/{code}', `/units/${DEMO.commune}`],
    ['/api/v1/enterprises', '/enterprises'], ['/api/v1/teams', '/teams'], ['/api/v1/members', '/members'],
    ['/api/v1/activities', '/activities'], ['/api/v1/rules', '/rules'], ['/api/v1/changes', '/changes'],
    ['/api/v1/stats/overview', '/stats/overview'], ['/api/v1/stats/timeseries', '/stats/timeseries'],
    ['/api/v1/users', '/users'], ['/api/v1/audit', '/audit'],
  ];
  for (const as of ['demo.province', 'demo.commune', 'demo.enterprise']) {
    for (const [template, path] of reads) {
      const res = await conforms('GET', template, path, { as });
      assert.equal(res.status, 200, show(res));
    }
  }
  const team = (await api('GET', '/teams', { as: 'demo.commune' })).json.items[0];
  await conforms('GET', '/api/v1/teams/{id}', `/teams/${team.id}`, { as: 'demo.commune' });
  await conforms('GET', '/api/v1/teams/{id}/members', `/teams/${team.id}/members`, { as: 'demo.commune' });
  const clients = await conforms('GET', '/api/v1/clients', '/clients', { as: 'demo.province' });
  if (clients.json.items.length) {
    await conforms('GET', '/api/v1/clients/{id}', `/clients/${clients.json.items[0].id}`, { as: 'demo.province' });
  }
});

test('problem answers match the spec', async () => {
  const missing = await conforms('GET', '/api/v1/deadlines/{id}', '/deadlines/00000000-0000-4000-8000-000000000000', { as: 'demo.commune' });
  assert.equal(missing.status, 404);
  const invalid = await conforms('POST', '/api/v1/teams', '/teams', { as: 'demo.commune', body: { kind: 'nope' } });
  assert.equal(invalid.status, 422);
});
