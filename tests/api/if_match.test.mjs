// If-Match as RFC 9110 §13.1.1 says (issue 11 item 5): `*`, or a comma-separated list of
// entity-tags compared strongly with the resource's ETag `"<version>"`. A value that is neither,
// or a list none of whose tags matches, answers 412 and writes nothing; before, anything but a
// quoted stale number (`"abc"`, an unquoted `3`, `""`, a list) let the write through. PATCH and
// DELETE of every resource and the deadline routes complete and reopen read it in one place.

import { before, describe, test } from 'node:test';
import {
  api, assert, assertProblem, createMember, createTeam, DEMO, etag, show, uniq,
} from './lib.mjs';

const P = 'demo.province';
const C = 'demo.commune';

// Each refused for a resource at version 1 (none names "1" as a strong tag, or the value is malformed).
const REFUSED = [
  ['"abc"', 'a tag that is not a version'],
  ['1', 'the current version unquoted'],
  ['""', 'an empty tag'],
  ['"7", "8"', 'a list none of which matches'],
  ['W/"1"', 'a weak tag: If-Match compares strongly'],
  ['"1', 'an unclosed quote'],
  ['"1" "2"', 'two tags without a comma'],
  ['*, "1"', '* inside a list'],
  ['"1", x', 'a list with a bare word'],
  ['', 'an empty value'],
];

// Each accepted for a resource at version v.
const ACCEPTED = [
  (v) => etag(v),
  (v) => `"9", ${etag(v)}`,
  (v) => `${etag(v)},"99"`,
  (v) => ` ${etag(v)} `,
  (v) => `"x", , ${etag(v)}`,
  (v) => `W/"${v + 1}", ${etag(v)}`,
  () => '*',
];

describe('If-Match (RFC 9110 §13.1.1)', () => {
  let team;

  before(async () => {
    team = await createTeam(P, { note: 'If-Match' });
  });

  test('PATCH: every malformed or unmatched value answers 412 and changes nothing', async () => {
    for (const [value, what] of REFUSED) {
      const res = await api('PATCH', `/teams/${team.id}`, { as: P, body: { note: `đổi: ${what}` }, headers: { 'If-Match': value } });
      assertProblem(res, 412, { kind: 'precondition-failed' });
      assert.match(res.json.detail, /If-Match/, `${what}: ${show(res)}`);
    }
    const now = await api('GET', `/teams/${team.id}`, { as: P });
    assert.equal(now.json.version, 1, 'no refused PATCH wrote');
    assert.equal(now.json.note, 'If-Match');
  });

  test('PATCH: the current tag alone, in a list, with spaces, empty elements or weak others, and *', async () => {
    let version = 1;
    for (const make of ACCEPTED) {
      const value = make(version);
      const res = await api('PATCH', `/teams/${team.id}`, { as: P, body: { note: `ok ${value}` }, headers: { 'If-Match': value } });
      assert.equal(res.status, 200, `If-Match: ${value}: ${show(res)}`);
      assert.equal(res.json.version, version + 1);
      assert.equal(res.headers.get('etag'), etag(version + 1));
      version += 1;
    }
  });

  test('DELETE: refused values keep the row; a list holding the current tag deletes it', async () => {
    const member = await createMember(P, team.id, { full_name: uniq('Thành viên If-Match') });
    for (const [value] of REFUSED) {
      assertProblem(await api('DELETE', `/members/${member.id}`, { as: P, headers: { 'If-Match': value } }), 412);
    }
    assert.equal((await api('GET', `/members/${member.id}`, { as: P })).status, 200, 'no refused DELETE deleted');
    const del = await api('DELETE', `/members/${member.id}`, { as: P, headers: { 'If-Match': '"5", "1"' } });
    assert.equal(del.status, 204, show(del));
  });

  test('deadline complete and reopen read If-Match the same way', async () => {
    const issued = await api('POST', '/deadlines', {
      as: P, body: { title: uniq('Báo cáo If-Match'), kind: 'report', due_on: '2030-12-31', target_level: 'commune', scope_unit: DEMO.district },
    });
    assert.equal(issued.status, 201, show(issued));
    const id = issued.json.id;
    const targets = await api('GET', `/deadlines/${id}/targets`, { as: C });
    const own = targets.json.items.find((t) => t.unit_code === DEMO.commune);
    for (const value of ['"abc"', String(own.version), '""', `"${own.version + 1}", "${own.version + 2}"`]) {
      assertProblem(await api('POST', `/deadlines/${id}/complete`, { as: C, body: {}, headers: { 'If-Match': value } }), 412);
    }
    const done = await api('POST', `/deadlines/${id}/complete`, { as: C, body: {}, headers: { 'If-Match': `"0", ${etag(own.version)}` } });
    assert.equal(done.status, 200, show(done));
    const after = done.json.version;
    for (const value of ['"abc"', String(after), `W/"${after}"`]) {
      assertProblem(await api('POST', `/deadlines/${id}/reopen`, { as: P, body: { unit_code: DEMO.commune }, headers: { 'If-Match': value } }), 412);
    }
    const reopened = await api('POST', `/deadlines/${id}/reopen`, { as: P, body: { unit_code: DEMO.commune }, headers: { 'If-Match': `${etag(after)}, "x"` } });
    assert.equal(reopened.status, 200, show(reopened));
  });
});
