// Field errors carry a machine code beside their message (issue 15, item 4): the code a client
// translates, read by the server from the message through one table (server/src/http/problem.c),
// and the message as it was, which other systems read. assertProblem checks in every API test
// that each error has a code other than the fallback; these check that representative errors
// have the right one.

import { test } from 'node:test';
import { api, assert, assertProblem, createTeam, DEMO, RUN, uniq } from './lib.mjs';

const C = 'demo.commune';

test('a body with a missing, an unknown, a read-only, a bad enum and a bad date field: one code each', async () => {
  const res = await api('POST', '/teams', {
    as: C,
    body: { kind: 'nope', unit_code: DEMO.commune, nickname: 'x', established_on: '2026-02-30', member_count: 3 },
  });
  const body = assertProblem(res, 422, {
    kind: 'validation',
    codes: { name: 'required', kind: 'enum', nickname: 'unknown_field', established_on: 'date', member_count: 'read_only' },
  });
  const message = (field) => body.errors.find((e) => e.field === field).message;
  // The messages stay word for word what they were.
  assert.equal(message('name'), 'is required');
  assert.equal(message('kind'), 'must be one of: commune, hamlet, enterprise, organization');
  assert.equal(message('nickname'), 'is not a known field');
  assert.equal(message('established_on'), 'must be a date YYYY-MM-DD');
  assert.deepEqual(Object.keys(body.errors[0]), ['field', 'message', 'code']);
});

test('a rule of the database: a hamlet team without its hamlet is required_if', async () => {
  const res = await api('POST', '/teams', { as: C, body: { name: uniq('Tổ thiếu ấp'), kind: 'hamlet', unit_code: DEMO.commune } });
  const body = assertProblem(res, 422, { codes: { hamlet: 'required_if' } });
  assert.equal(body.errors[0].message, 'is required for hamlet teams');
});

test('a value another record holds: duplicate', async () => {
  const externalId = `${RUN}-codes-dup`;
  await createTeam(C, { external_id: externalId });
  const res = await api('POST', '/teams', {
    as: C, body: { name: uniq('Tổ trùng mã'), kind: 'commune', unit_code: DEMO.commune, external_id: externalId },
  });
  const body = assertProblem(res, 409, { codes: { external_id: 'duplicate' } });
  assert.equal(body.errors[0].message, 'already exists');
});

test('query parameters: a bound and a value outside the choices', async () => {
  assertProblem(await api('GET', '/teams', { as: C, query: { limit: 0 } }), 422, { codes: { limit: 'range' } });
  assertProblem(await api('GET', '/teams', { as: C, query: { sort: 'nope' } }), 422, { codes: { sort: 'enum' } });
});

const importMembers = (lines) => api('POST', '/import/members', {
  as: 'demo.province',
  query: { dry_run: true },
  raw: lines.join('\n') + '\n',
  headers: { 'Content-Type': 'text/csv' },
});

test('an import: each bad row\'s error carries its code beside its row', async () => {
  const team = 'demo-team-25747-kp3';
  const res = await importMembers([
    'external_id,team_external_id,full_name,gender,birth_year,nickname',
    `${RUN}-fc1,${team},Nguyễn Văn A,male,1980,x`,
  ]);
  const header = assertProblem(res, 422, { codes: { nickname: 'unknown_field' } });
  assert.equal(header.errors[0].row, 1);

  const rows = assertProblem(await importMembers([
    'external_id,team_external_id,full_name,gender,birth_year',
    `${RUN}-fc1,${team},Nguyễn Văn A,robot,1980`,
    `${RUN}-fc2,${RUN}-no-such-team,Nguyễn Văn B,male,1980`,
    `${RUN}-fc3,${team},,female,1800`,
  ]), 422);
  assert.deepEqual(rows.errors.map((e) => [e.row, e.field, e.code]), [
    [2, 'gender', 'enum'],
    [3, 'team_external_id', 'not_found'],
    [4, 'birth_year', 'range'],
    [4, 'full_name', 'required'],
  ]);
  assert.deepEqual(Object.keys(rows.errors[0]), ['row', 'field', 'message', 'code']);

  const twice = assertProblem(await importMembers([
    'external_id,team_external_id,full_name',
    `${RUN}-fc4,${team},Nguyễn Văn D`,
    `${RUN}-fc4,${team},Nguyễn Văn E`,
  ]), 422);
  assert.deepEqual(twice.errors.map((e) => [e.row, e.field, e.code]), [[3, 'external_id', 'duplicate']]);
  assert.equal(twice.errors[0].message, 'appears more than once in the file (first on row 2)');
});
