// Keyset paging (issue 14, item 1): every list answers `next`, the cursor of the page after it
// (null on the last page), and `after=<next>` pages in the same order as `offset` does, with ties
// and NULLs in the order keys, ascending and descending, and a tiebreak that descends (audit). A
// cursor stays where it was when rows are added before it; a cursor of another list or order,
// or one with `offset`, answers 422.

import { before, describe, test } from 'node:test';
import {
  api, assert, assertProblem, createActivity, createMember, createTeam, DEMO, freeUnitCode, show, uniq,
} from './lib.mjs';

const P = 'demo.province';

/** Every item of path by after= pages of `limit`; checks each page's shape. */
async function walk(path, query, limit) {
  const items = [];
  let after;
  let total;
  for (let pages = 0; pages < 500; pages++) {
    const res = await api('GET', path, { as: P, query: { ...query, limit, ...(after ? { after } : {}) } });
    assert.equal(res.status, 200, show(res));
    const { items: page, next, offset } = res.json;
    assert.equal(offset, 0);
    if (total === undefined) total = res.json.total;
    assert.equal(res.json.total, total, 'total is the same on every page');
    assert.ok(page.length <= limit);
    items.push(...page);
    if (next === null) {
      assert.equal(items.length, total, 'the last page ends the list');
      return items;
    }
    assert.equal(typeof next, 'string');
    assert.equal(page.length, limit, 'a page before the last is full');
    after = next;
  }
  throw new Error('too many pages');
}

/** All of path in one page by offset. */
async function whole(path, query) {
  const res = await api('GET', path, { as: P, query: { ...query, limit: 1000 } });
  assert.equal(res.status, 200, show(res));
  assert.equal(res.json.next, null, 'one page holds all: no next');
  assert.equal(res.json.items.length, res.json.total);
  return res.json.items;
}

describe('keyset paging', () => {
  let unit;
  let teams;
  let mark; // in the names of this file's units
  let actor; // an account of this file's, whose audit rows no other file writes

  before(async () => {
    unit = await freeUnitCode(P);
    const made = await api('POST', '/units', { as: P, body: { code: unit, name: `Phường Trang ${unit}`, level: 'commune', parent_code: DEMO.district } });
    assert.equal(made.status, 201, show(made));
    // Ties on name and on established_on, and teams without established_on (NULL).
    teams = [];
    for (let k = 0; k < 13; k++) {
      teams.push(await createTeam(P, {
        kind: 'hamlet', unit_code: unit, hamlet: `Khu phố ${k}`, name: `Tổ Trang ${k % 4}`,
        ...(k % 3 === 0 ? {} : { established_on: `2024-0${1 + (k % 5)}-15` }),
      }));
    }
    for (const [k, t] of teams.entries()) {
      for (let m = 0; m < k % 4; m++) await createMember(P, t.id, { full_name: `Người ${m % 2}`, position: m === 0 ? 'leader' : 'member' });
      if (k < 5) await createActivity(P, t.id, { held_on: `2026-0${1 + (k % 3)}-0${1 + (k % 2)}` });
    }
    mark = uniq('Trang').split(' ')[1];
    for (let k = 0; k < 5; k++) {
      const code = await freeUnitCode(P);
      const u = await api('POST', '/units', { as: P, body: { code, name: `Xã ${mark} ${k % 2}`, level: 'commune', parent_code: DEMO.district } });
      assert.equal(u.status, 201, show(u));
    }
    actor = `trang.${mark}`.toLowerCase();
    const user = await api('POST', '/users', { as: P, body: { username: actor, password: 'Mat-khau-2026!', role: 'commune', unit_code: unit } });
    assert.equal(user.status, 201, show(user));
    const token = (await api('POST', '/auth/login', { body: { username: actor, password: 'Mat-khau-2026!' } })).json.access_token;
    for (const t of teams.slice(0, 7)) {
      assert.equal((await api('PATCH', `/teams/${t.id}`, { token, body: { note: 'trang' } })).status, 200);
    }
  });

  const cases = [
    ['/teams', 'name'], ['/teams', '-name'], ['/teams', 'established_on'], ['/teams', '-established_on,name'],
    ['/teams', 'member_count,-created_at'], ['/members', 'position,full_name'], ['/members', '-joined_on'],
    ['/activities', '-held_on'], ['/activities', 'held_on,title'], ['/audit', '-at'], ['/units', 'level,name'],
  ];
  for (const [path, sort] of cases) {
    test(`${path}?sort=${sort}: after= walks the same items as offset, in the same order`, async () => {
      const query = path === '/units' ? { parent: DEMO.district, q: mark, sort } : path === '/audit' ? { actor, sort }
        : { unit, sort };
      const all = await whole(path, query);
      assert.ok(all.length >= 5, `${all.length} items`);
      for (const limit of [1, 2, 5]) {
        const walked = await walk(path, query, limit);
        assert.deepEqual(walked.map((x) => x.id ?? x.code), all.map((x) => x.id ?? x.code), `limit ${limit}`);
      }
    });
  }

  test('next is null on the last page by offset too, and a cursor by offset continues the walk', async () => {
    const all = await whole('/teams', { unit, sort: 'name' });
    const page = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 4, offset: 4 } });
    assert.deepEqual(page.json.items.map((t) => t.id), all.slice(4, 8).map((t) => t.id));
    const next = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 4, after: page.json.next } });
    assert.deepEqual(next.json.items.map((t) => t.id), all.slice(8, 12).map((t) => t.id));
    const last = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 4, offset: all.length - 2 } });
    assert.equal(last.json.items.length, 2);
    assert.equal(last.json.next, null);
  });

  test('a cursor keeps its place when rows are added before it; offset shifts', async () => {
    const first = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 6 } });
    const byOffsetBefore = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 6, offset: 6 } });
    await createTeam(P, { kind: 'hamlet', unit_code: unit, hamlet: 'Khu phố A', name: 'Tổ Trang 0 (mới)' });
    const byCursor = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 6, after: first.json.next } });
    assert.deepEqual(byCursor.json.items.map((t) => t.id), byOffsetBefore.json.items.map((t) => t.id),
      'the page after the cursor is the one that followed it');
    assert.equal(byCursor.json.total, first.json.total + 1, 'total counts the new row');
    const byOffset = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 6, offset: 6 } });
    assert.notDeepEqual(byOffset.json.items.map((t) => t.id), byOffsetBefore.json.items.map((t) => t.id));
  });

  test('a cursor of another order or list, a text that is none, or with offset answers 422', async () => {
    const page = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 2 } });
    const cursor = page.json.next;
    assert.ok(cursor);
    assertProblem(await api('GET', '/teams', { as: P, query: { unit, sort: '-name', after: cursor } }), 422, { fields: ['after'] });
    assertProblem(await api('GET', '/members', { as: P, query: { after: cursor } }), 422, { fields: ['after'] });
    for (const bad of ['x', 'eyJzIjoibmFtZSJ9', 'a'.repeat(3000), '!!!!', Buffer.from('{"s":"name","v":["a","not-a-uuid"]}').toString('base64url'),
      Buffer.from('{"s":"name","v":["a"]}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      assertProblem(await api('GET', '/teams', { as: P, query: { unit, sort: 'name', after: bad } }), 422, { fields: ['after'] });
    }
    assertProblem(await api('GET', '/teams', { as: P, query: { unit, sort: 'name', after: cursor, offset: 2 } }), 422, { fields: ['offset'] });
    // ?after= empty is the first page; CSV ignores paging.
    const empty = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', limit: 2, after: '' } });
    assert.deepEqual(empty.json, page.json);
    const csv = await api('GET', '/teams', { as: P, query: { unit, sort: 'name', after: cursor, format: 'csv' } });
    assert.equal(csv.status, 200);
    assert.equal(csv.text.trim().split('\r\n').length, page.json.total + 1);
  });
});
