// Bulk import (DESIGN §4 `POST /import/{resource}`; issue 4 items 1–6): CSV (UTF-8 with or without
// BOM, ',' or ';', RFC 4180 quoting) or a JSON array; upsert by natural key with
// {rows, inserted, updated, unchanged, rejected, dry_run, error_count, errors}; all or nothing by
// default (422 listing every bad row: row as the file counts it, header = row 1), atomic=false,
// dry_run=true; every row checked against the caller's scope; the CSV templates of docs/examples/.
//
// Every natural key a test invents carries RUN, so the file can run twice against one database.
// Checks on stored rows go through psql (lib's sql()); without DATABASE_URL those tests are skipped.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  api, assert, assertFieldErrors, assertProblem, CDT_SERVER, csvTextCell, DATABASE_URL, DEMO, existsSync, expectStatus, FORMULA_START,
  freeUnitCode, haveDb, parseCsv, PASSWORD, ROOT, RUN, show, sql, sqlValue, taxCode, uniq,
} from './lib.mjs';
import { startServer } from './spawn.mjs';

const P = 'demo.province';
const C = 'demo.commune';
const NO_DB = haveDb() ? false : 'DATABASE_URL is not set';

// ---------------------------------------------------------------------------------------------
// Helpers

/** CSV text from rows of cells: quotes a cell holding the separator, ',', ';', a quote, CR or LF. */
function csv(rows, { sep = ',', bom = false, eol = '\n' } = {}) {
  const cell = (v) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (bom ? '\uFEFF' : '') + rows.map((r) => r.map(cell).join(sep)).join(eol) + eol;
}

/** POST /import/{resource}: a string or Buffer goes as text/csv, anything else as a JSON body. */
function imp(resource, payload, { as = P, query, type, token } = {}) {
  const isText = typeof payload === 'string' || Buffer.isBuffer(payload);
  return api('POST', `/import/${resource}`, {
    as: token ? undefined : as,
    token,
    query,
    raw: isText ? payload : JSON.stringify(payload),
    headers: { 'Content-Type': type ?? (isText ? 'text/csv' : 'application/json') },
  });
}

const RESULT_KEYS = ['rows', 'inserted', 'updated', 'unchanged', 'rejected', 'dry_run', 'error_count', 'errors'];

/** Asserts a 200 import result of the documented shape; returns it. */
function result(res, msg = '') {
  expectStatus(res, 200, msg);
  const r = res.json;
  assert.ok(r && typeof r === 'object', `no JSON result: ${show(res)}`);
  for (const k of RESULT_KEYS) assert.ok(k in r, `result lacks ${k}: ${show(res)}`);
  assert.equal(r.rows, r.inserted + r.updated + r.unchanged + r.rejected, `rows add up: ${show(res)}`);
  assert.ok(Array.isArray(r.errors), 'errors is an array');
  assertFieldErrors(r.errors, show(res));
  return r;
}

/** The counts of a result, for deepEqual. */
const counts = (r) => ({
  rows: r.rows, inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected,
  error_count: r.error_count,
});

/** [row, field] of each listed error. */
const where = (errors) => errors.map((e) => [e.row, e.field]);

/** Asserts a 422 import problem; every error has a numeric row, a field and a message. */
function rejected(res) {
  const body = assertProblem(res, 422, { kind: 'validation' });
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `no errors[]: ${show(res)}`);
  for (const e of body.errors) {
    assert.equal(typeof e.row, 'number', `error without row: ${JSON.stringify(e)}`);
    assert.equal(typeof e.field, 'string', `error without field: ${JSON.stringify(e)}`);
    assert.ok(typeof e.message === 'string' && e.message.length > 0, `error without message: ${JSON.stringify(e)}`);
  }
  return body;
}

const count = (table, prefix) =>
  Number(sqlValue(`SELECT count(*) FROM ${table} WHERE external_id LIKE :'p'`, { p: `${prefix}%` }));

/** One jsonb value computed by a query (no newlines in jsonb text, so psql keeps it on one line). */
const sqlJson = (query, vars = {}) => JSON.parse(sqlValue(query, vars));

/** The stored members whose external_id starts with prefix, without the prefix, in key order. */
function storedMembers(prefix) {
  return sqlJson(`
    SELECT coalesce(jsonb_agg(jsonb_build_object(
      'key', substr(m.external_id, length(:'p') + 1), 'team', t.external_id, 'full_name', m.full_name,
      'gender', m.gender, 'birth_year', m.birth_year, 'phone', m.phone, 'email', m.email,
      'position', m.position, 'affiliation', m.affiliation, 'it_skilled', m.it_skilled,
      'trained_on', m.trained_on, 'joined_on', m.joined_on, 'left_on', m.left_on, 'version', m.version)
      ORDER BY m.external_id), '[]')
    FROM members m JOIN teams t ON t.id = m.team_id WHERE m.external_id LIKE :'p' || '%'`, { p: prefix });
}

function storedActivities(prefix) {
  return sqlJson(`
    SELECT coalesce(jsonb_agg(jsonb_build_object(
      'key', substr(a.external_id, length(:'p') + 1), 'team', t.external_id, 'held_on', a.held_on,
      'kind', a.kind, 'title', a.title, 'location', a.location, 'people_reached', a.people_reached,
      'outcomes', a.outcomes, 'note', a.note, 'version', a.version)
      ORDER BY a.external_id), '[]')
    FROM activities a JOIN teams t ON t.id = a.team_id WHERE a.external_id LIKE :'p' || '%'`, { p: prefix });
}

const MEMBER_HEADER = ['external_id', 'team_external_id', 'full_name', 'gender', 'birth_year', 'phone', 'email',
  'position', 'affiliation', 'it_skilled', 'trained_on', 'joined_on', 'left_on'];

/** n good member rows (without header) of team, keyed `${prefix}${i}`. */
function goodMembers(prefix, team, n, tag = prefix) {
  const positions = ['leader', 'deputy', 'member'];
  const affiliations = ['hamlet_head', 'youth_union', 'police', 'women_union', 'telecom', 'volunteer'];
  return Array.from({ length: n }, (_, i) => [
    `${prefix}${i + 1}`, team, `Nguyễn Thị Thu ${tag} ${i + 1}`, i % 2 ? 'male' : 'female', 1970 + i,
    `0912 ${String(100000 + i).slice(-6)}`, i % 3 === 0 ? `tv${i + 1}.${RUN}@example.vn` : '',
    positions[Math.min(i, 2)], affiliations[i % affiliations.length], i % 2 === 0, '2024-05-20', '2024-03-15', '',
  ]);
}

// Teams of this run (hamlet teams in Phú Cường, DEMO.commune), made by import.
const T1 = `${RUN}-team-1`;
const T2 = `${RUN}-team-2`;

before(async () => {
  const r = result(await imp('teams', csv([
    ['external_id', 'name', 'kind', 'unit_code', 'hamlet', 'decision_no', 'established_on'],
    [T1, uniq('Tổ CNSCĐ khu phố nhập 1'), 'hamlet', DEMO.commune, 'Khu phố 7', '301/QĐ-UBND', '2024-03-01'],
    [T2, uniq('Tổ CNSCĐ khu phố nhập 2'), 'hamlet', DEMO.commune, 'Khu phố 8', '302/QĐ-UBND', '2024-03-01'],
  ])), 'fixture teams');
  assert.equal(r.inserted, 2, 'fixture teams inserted');
});

// ---------------------------------------------------------------------------------------------

describe('units: the national list', () => {
  const file = readFileSync(resolve(ROOT, 'sql/reference/vn-units-2024.csv'));

  test('province imports the 10,806 units of 2024 as history; imported again, all unchanged', async () => {
    // The list of before the reform: every row a version that closed on 1 July 2025. Bình Dương's
    // are in the demo already (unchanged); the others become closed versions for reference.
    const history = { valid_to: '2025-07-01' };
    const first = result(await imp('units', file, { query: history }));
    assert.equal(first.rows, 10806, 'rows');
    assert.equal(first.inserted + first.unchanged, 10806, `inserted + unchanged: ${JSON.stringify(counts(first))}`);
    assert.deepEqual([first.updated, first.rejected, first.error_count, first.errors.length], [0, 0, 0, 0]);
    assert.equal(first.dry_run, false);

    const again = result(await imp('units', file, { query: history }));
    assert.deepEqual(counts(again), { rows: 10806, inserted: 0, updated: 0, unchanged: 10806, rejected: 0, error_count: 0 });

    if (haveDb()) {
      const codes = file.toString('utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[0]);
      assert.equal(codes.length, 10806);
      assert.equal(Number(sqlValue(`SELECT count(*) FROM units WHERE gso_code = ANY (string_to_array(:'c', ','))
                                       AND valid_to = '2025-07-01'`, { c: codes.join(',') })),
      10806, 'every code of the list is stored as a version that closed on 1 July 2025');
      assert.equal(sqlValue(`SELECT name || '|' || level || '|' || parent_code FROM units WHERE code = '00001'`),
        'Phường Phúc Xá|commune|001');
      // 79 is the demo's city since the reform: its version of before is keyed 79@2025-07-01.
      assert.equal(sqlValue(`SELECT code FROM units WHERE gso_code = '79' AND valid_to = '2025-07-01'`), '79@2025-07-01');
    }
  });

  test('only province accounts import units (403), read-only ones neither', async () => {
    for (const who of ['demo.district', C, 'demo.enterprise', 'demo.readonly']) {
      assertProblem(await imp('units', file, { as: who }), 403, { kind: 'forbidden' });
    }
  });

  test('units outside the province exist for reference: they cannot be changed by its import', async () => {
    // 01 is in the national list (imported above, as it was until 1 July 2025); renaming that
    // version is outside demo.province's scope.
    const res = await imp('units', csv([['code', 'name', 'level', 'parent_code'], ['01', 'Thành phố Hà Nội (đổi)', 'province', '']]),
      { query: { valid_to: '2025-07-01' } });
    assert.deepEqual(where(rejected(res).errors), [[2, 'code']]);
    if (haveDb()) assert.equal(sqlValue(`SELECT name FROM units WHERE code = '01'`), 'Thành phố Hà Nội');
  });

  test('a new unit in scope is inserted, then renamed (updated 1)', async () => {
    const code = await freeUnitCode(P);
    const name = uniq('Phường Nhập');
    const head = ['code', 'name', 'level', 'parent_code'];
    const ins = result(await imp('units', csv([head, [code, name, 'commune', DEMO.district]])));
    assert.deepEqual(counts(ins), { rows: 1, inserted: 1, updated: 0, unchanged: 0, rejected: 0, error_count: 0 });
    const upd = result(await imp('units', csv([head, [code, `${name} mới`, 'commune', DEMO.district]])));
    assert.deepEqual(counts(upd), { rows: 1, inserted: 0, updated: 1, unchanged: 0, rejected: 0, error_count: 0 });
    const got = await api('GET', `/units/${code}`, { as: P });
    assert.equal(got.status, 200, show(got));
    assert.equal(got.json.name, `${name} mới`);
    assert.equal(got.json.version, 2);
  });

  test('a parent of the wrong level is reported on its row', async () => {
    const code = await freeUnitCode(P);
    const res = await imp('units', csv([['code', 'name', 'level', 'parent_code'], [code, uniq('Xã sai cấp'), 'commune', DEMO.commune]]));
    assert.deepEqual(where(rejected(res).errors), [[2, 'parent_code']]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('members: bad rows, atomic=false, dry_run', () => {
  // Rows 4, 6 and 8 (header = row 1) are bad: unknown team, bad phone, enum typo.
  const badFile = (prefix) => {
    const good = goodMembers(prefix, T1, 5);
    const rows = [MEMBER_HEADER, good[0], good[1]];
    rows.push([`${prefix}x1`, `${RUN}-no-such-team`, 'Trần Văn Không Tổ', 'male', 1980, '', '', 'member', 'police', false, '', '', '']);
    rows.push(good[2]);
    rows.push([`${prefix}x2`, T1, 'Lê Thị Sai Số', 'female', 1985, '12ab', '', 'member', 'police', false, '', '', '']);
    rows.push(good[3]);
    rows.push([`${prefix}x3`, T1, 'Phạm Văn Gõ Nhầm', 'male', 1990, '', '', 'member', 'polce', false, '', '', '']);
    rows.push(good[4]);
    return csv(rows);
  };
  const EXPECTED = [[4, 'team_external_id'], [6, 'phone'], [8, 'affiliation']];

  test('three bad rows: 422 listing exactly those rows; nothing written', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-bad-`;
    const body = rejected(await imp('members', badFile(prefix)));
    assert.deepEqual(where(body.errors), EXPECTED, JSON.stringify(body.errors));
    assert.match(body.detail, /\b3\b/, 'the detail gives the total');
    assert.match(body.errors[2].message, /leader, deputy, member|police/, 'the enum message names the choices');
    assert.equal(count('members', prefix), 0, 'nothing was written');
  });

  test('atomic=false: the good rows saved, the three bad ones listed', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-partial-`;
    const dry = result(await imp('members', badFile(prefix), { query: { atomic: false, dry_run: true } }));
    assert.equal(dry.dry_run, true);
    assert.equal(count('members', prefix), 0, 'dry_run wrote nothing');

    const r = result(await imp('members', badFile(prefix), { query: { atomic: 'false' } }));
    assert.deepEqual(counts(r), { rows: 8, inserted: 5, updated: 0, unchanged: 0, rejected: 3, error_count: 3 });
    assert.deepEqual(where(r.errors), EXPECTED);
    assert.equal(r.dry_run, false);
    assert.deepEqual(counts(dry), counts(r), 'dry_run reported what the import then did');
    assert.deepEqual(where(dry.errors), EXPECTED);
    assert.equal(count('members', prefix), 5);
    assert.equal(count('members', `${prefix}x`), 0, 'no bad row saved');
    const saved = storedMembers(prefix);
    assert.deepEqual(saved.map((m) => m.key), ['1', '2', '3', '4', '5']);
    assert.ok(saved.every((m) => m.team === T1));
  });

  test('dry_run writes nothing and reports the counts the import then has', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-dry-`;
    const file = csv([MEMBER_HEADER, ...goodMembers(prefix, T1, 4)]);
    const auditBefore = Number(sqlValue(`SELECT coalesce(max(id), 0) FROM audit`));
    const dry = result(await imp('members', file, { query: { dry_run: 'true' } }));
    assert.deepEqual(counts(dry), { rows: 4, inserted: 4, updated: 0, unchanged: 0, rejected: 0, error_count: 0 });
    assert.equal(dry.dry_run, true);
    assert.equal(count('members', prefix), 0, 'dry_run wrote nothing');
    assert.equal(Number(sqlValue(`SELECT count(*) FROM audit WHERE id > :'id' AND action = 'import' AND resource = 'members'`,
      { id: auditBefore })), 0, 'no audit entry for a dry run');

    const real = result(await imp('members', file));
    assert.deepEqual(counts(real), counts(dry));
    assert.equal(real.dry_run, false);
    assert.equal(count('members', prefix), 4);

    const dryAgain = result(await imp('members', file, { query: { dry_run: true } }));
    assert.deepEqual(counts(dryAgain), { rows: 4, inserted: 0, updated: 0, unchanged: 4, rejected: 0, error_count: 0 });
    assertProblem(await imp('members', file, { query: { dry_run: 'yes' } }), 422, { fields: ['dry_run'] });
    assertProblem(await imp('members', file, { query: { atomic: '0' } }), 422, { fields: ['atomic'] });
  });

  test('row numbers count records: a quoted line break does not shift them', async () => {
    const head = ['external_id', 'team_external_id', 'held_on', 'kind', 'title', 'note'];
    const res = await imp('activities', csv([head,
      [`${RUN}-rows-1`, T1, '2024-06-01', 'vneid', 'Hướng dẫn VNeID', 'dòng một\ndòng hai\r\ndòng ba'],
      [`${RUN}-rows-2`, T1, '01/06/2024', 'vneid', 'Hướng dẫn VNeID', ''],
    ]));
    assert.deepEqual(where(rejected(res).errors), [[3, 'held_on']]);
  });

  test('more than 1000 bad rows: the first 1000 listed, the total in the detail', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-many-`;
    const rows = Array.from({ length: 1200 }, (_, i) => [`${prefix}${i}`, T1, `Người ${i}`, 'không rõ']);
    const file = csv([['external_id', 'team_external_id', 'full_name', 'gender'], ...rows]);
    const body = rejected(await imp('members', file));
    assert.equal(body.errors.length, 1000);
    assert.match(body.detail, /\b1200\b/);
    assert.deepEqual(body.errors.slice(0, 2).map((e) => e.row), [2, 3], 'in file order');
    const partial = result(await imp('members', file, { query: { atomic: false } }));
    assert.deepEqual(counts(partial), { rows: 1200, inserted: 0, updated: 0, unchanged: 0, rejected: 1200, error_count: 1200 });
    assert.equal(partial.errors.length, 1000);
    assert.equal(count('members', prefix), 0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('formats: separators, BOM, line ends, JSON', () => {
  // Cells that need quoting with either separator.
  const tricky = (prefix) => goodMembers(prefix, T2, 3).map((r, i) => {
    const row = [...r];
    row[2] = ['Nguyễn Văn "Tí", con', 'Lê Thị; Hoa', 'Đặng Ngọc Ánh'][i];
    return row;
  });

  test('a ;-separated file with BOM and CRLF imports as the plain , one does', { skip: NO_DB }, async () => {
    const a = `${RUN}-plain-`;
    const b = `${RUN}-excel-`;
    const plain = result(await imp('members', csv([MEMBER_HEADER, ...tricky(a)])));
    const excel = result(await imp('members', csv([MEMBER_HEADER, ...tricky(b)], { sep: ';', bom: true, eol: '\r\n' })));
    assert.deepEqual(counts(excel), counts(plain));
    assert.deepEqual(counts(plain), { rows: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0, error_count: 0 });
    const sa = storedMembers(a);
    assert.equal(sa[0].full_name, 'Nguyễn Văn "Tí", con');
    assert.deepEqual(storedMembers(b), sa, 'the same stored values');
    // The Excel form of the first file is the same data: all unchanged.
    const same = result(await imp('members', csv([MEMBER_HEADER, ...tricky(a)], { sep: ';', bom: true, eol: '\r\n' })));
    assert.deepEqual(counts(same), { rows: 3, inserted: 0, updated: 0, unchanged: 3, rejected: 0, error_count: 0 });
    // A BOM without ';' and CRLF without BOM too.
    const bomOnly = result(await imp('members', csv([MEMBER_HEADER, ...tricky(a)], { bom: true })));
    assert.equal(bomOnly.unchanged, 3);
    const crlfOnly = result(await imp('members', csv([MEMBER_HEADER, ...tricky(a)], { eol: '\r\n' })));
    assert.equal(crlfOnly.unchanged, 3);
  });

  test('text with tabs, backslashes and line breaks is stored as sent, from CSV and from JSON', { skip: NO_DB }, async () => {
    // What COPY's text format escapes (api/import.c, copy_escape), alone, together and at either end.
    const notes = ['a\tb', 'C:\\Users\\tổ', 'dòng 1\ndòng 2', 'x\r\ny', '\\N', '\\', '\t\\\n', 'Không cần thoát'];
    const head = ['external_id', 'team_external_id', 'held_on', 'kind', 'title', 'note'];
    const rows = (prefix) => notes.map((note, i) => [`${prefix}${i}`, T1, '2024-06-08', 'other', `Ghi chú ${i}`, note]);
    const fromCsv = result(await imp('activities', csv([head, ...rows(`${RUN}-esc-c-`)])));
    const fromJson = result(await imp('activities', rows(`${RUN}-esc-j-`).map((r) =>
      Object.fromEntries(head.map((h, i) => [h, r[i]])))));
    for (const [prefix, res] of [[`${RUN}-esc-c-`, fromCsv], [`${RUN}-esc-j-`, fromJson]]) {
      assert.equal(res.inserted, notes.length, show(res));
      notes.forEach((note, i) => {
        // As hex: psql's output would split a value at its tabs and line breaks.
        const hex = sqlValue(`SELECT encode(convert_to(note, 'UTF8'), 'hex') FROM activities WHERE external_id = :'e'`,
          { e: `${prefix}${i}` });
        assert.equal(Buffer.from(hex, 'hex').toString('utf8'), note, `note ${JSON.stringify(note)} from ${prefix}`);
      });
    }
  });

  test('a JSON array imports as CSV does: outcomes as an object or as outcomes.x keys', { skip: NO_DB }, async () => {
    const head = ['external_id', 'team_external_id', 'held_on', 'kind', 'title', 'location', 'people_reached',
      'outcomes.vneid_activations', 'outcomes.public_service_applications', 'outcomes.app_installs', 'note'];
    const data = [
      ['1', T1, '2024-06-08', 'vneid', 'Hướng dẫn kích hoạt VNeID mức 2', 'Nhà văn hóa khu phố 7', 85, 62, null, 70, null],
      ['2', T1, '2024-06-22', 'public_services', 'Hỗ trợ nộp hồ sơ, "một cửa"', 'UBND phường', 40, null, 28, null, 'Ghi chú; có dấu'],
      ['3', T2, '2024-07-05', 'digital_skills', 'Lớp kỹ năng số', null, 0, null, null, null, null],
    ];
    const A = `${RUN}-acsv-`;
    const B = `${RUN}-aobj-`;
    const D = `${RUN}-adot-`;
    const asCsv = result(await imp('activities', csv([head, ...data.map((r) => [A + r[0], ...r.slice(1)])])));
    const objects = (prefix) => data.map((r) => {
      const o = {};
      head.forEach((h, i) => { if (r[i] !== null && !h.startsWith('outcomes.')) o[h] = r[i]; });
      o.external_id = prefix + r[0];
      const outcomes = {};
      head.forEach((h, i) => { if (r[i] !== null && h.startsWith('outcomes.')) outcomes[h.slice(9)] = r[i]; });
      if (Object.keys(outcomes).length) o.outcomes = outcomes;
      return o;
    });
    const dotted = (prefix) => data.map((r) => {
      const o = {};
      head.forEach((h, i) => { if (r[i] !== null) o[h] = r[i]; });
      o.external_id = prefix + r[0];
      return o;
    });
    const asObj = result(await imp('activities', objects(B)));
    const asDot = result(await imp('activities', dotted(D)));
    for (const r of [asCsv, asObj, asDot]) {
      assert.deepEqual(counts(r), { rows: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0, error_count: 0 });
    }
    const sa = storedActivities(A);
    assert.deepEqual(sa[0].outcomes, { vneid_activations: 62, app_installs: 70 });
    assert.deepEqual(sa[2].outcomes, {});
    assert.equal(sa[1].title, 'Hỗ trợ nộp hồ sơ, "một cửa"');
    assert.deepEqual(storedActivities(B), sa, 'outcomes object: the same stored values');
    assert.deepEqual(storedActivities(D), sa, 'outcomes.x keys: the same stored values');
    // The JSON form of the CSV rows is the same data.
    const again = result(await imp('activities', objects(A)));
    assert.deepEqual(counts(again), { rows: 3, inserted: 0, updated: 0, unchanged: 3, rejected: 0, error_count: 0 });
    // JSON rows are numbered from 1, in array order.
    const bad = await imp('activities', [objects(`${RUN}-ajbad-`)[0], { ...objects(`${RUN}-ajbad-`)[1], kind: 'vneid2' }]);
    assert.deepEqual(where(rejected(bad).errors), [[2, 'kind']]);
  });

  test('JSON bodies that are not an array of objects answer 422', async () => {
    rejected(await imp('members', {}));
    assertProblem(await imp('members', []), 422);
    const mixed = rejected(await imp('members', [42, { external_id: `${RUN}-j1`, team_external_id: T1, full_name: 'A' }]));
    assert.deepEqual(where(mixed.errors), [[1, '']]);
  });

  test('malformed JSON answers 400 as everywhere else', async () => {
    assertProblem(await imp('members', '[{"external_id": ', { type: 'application/json' }), 400);
  });

  // Issue 11, item 8: the array is read one element at a time, with the same answers as a whole.
  test('a JSON array read element by element: whitespace, BOM, brackets in strings, bad tails', { skip: NO_DB }, async () => {
    const json = { type: 'application/json' };
    const row = (i, name) => JSON.stringify({ external_id: `${RUN}-js-${i}`, team_external_id: T1, full_name: name });
    const text = `\uFEFF \n[ ${row(1, 'Tên có ] và } và \\" và [{')} ,\n\t${row(2, 'B')}\n] \n`;
    const ok = result(await imp('members', text, { ...json, query: { dry_run: true } }));
    assert.deepEqual(counts(ok), { rows: 2, inserted: 2, updated: 0, unchanged: 0, rejected: 0, error_count: 0 });
    for (const bad of [`[${row(1, 'A')},]`, `[${row(1, 'A')} ${row(2, 'B')}]`, `[${row(1, 'A')}] x`, `[${row(1, 'A')}`,
      '[42abc]', '[{"a":1}}]', '', '   ', '{"a":']) {
      const res = await imp('members', bad || ' ', json);
      const p = assertProblem(res, 400, { kind: 'bad-request' });
      assert.match(p.detail, /^(Malformed JSON at byte \d+|A request body is required)$/, `${bad}: ${p.detail}`);
    }
    // Rows numbered from 1 in array order, whatever each element is.
    const mixed = rejected(await imp('members', `[${row(3, 'C')}, [], "x", null, ${row(4, '')}]`, json));
    assert.deepEqual(where(mixed.errors), [[2, ''], [3, ''], [4, ''], [5, 'full_name']]);
    // A well-formed document that is not an array: 422, as before.
    rejected(await imp('members', '"rows"', json));
  });

  test('a JSON row larger than MAX_BODY_BYTES is an error on its row, not parsed', { skip: !existsSync(CDT_SERVER) || !DATABASE_URL ? 'needs CDT_SERVER and DATABASE_URL' : false }, async (t) => {
    const srv = await startServer({ MAX_BODY_BYTES: '1024' });
    t.after(() => srv.stop());
    const login = await api('POST', `${srv.url}/api/v1/auth/login`, { body: { username: P, password: PASSWORD } });
    const body = JSON.stringify([
      { external_id: `${RUN}-big-1`, team_external_id: T1, full_name: 'A' },
      { external_id: `${RUN}-big-2`, team_external_id: T1, full_name: 'B', note: 'x'.repeat(2000) },
    ]);
    const res = await api('POST', `${srv.url}/api/v1/import/members`, { token: login.json.access_token, raw: body, query: { dry_run: true } });
    const p = rejected(res);
    assert.deepEqual(where(p.errors), [[2, '']]);
    assert.match(p.errors[0].message, /larger than 1024 bytes/);
  });

  test('numbers in CSV cells are plain integers', async () => {
    const head = ['external_id', 'team_external_id', 'held_on', 'kind', 'title', 'people_reached', 'outcomes.app_installs'];
    const res = await imp('activities', csv([head, [`${RUN}-num-1`, T1, '2024-06-01', 'vneid', 'Số', '1.000', '0x10']]),
      { query: { dry_run: true } });
    assert.deepEqual(where(rejected(res).errors), [[2, 'people_reached'], [2, 'outcomes.app_installs']]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('upsert by natural key', () => {
  test('re-sending a file: all unchanged; changing one cell updates exactly that row', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-up-`;
    const rows = goodMembers(prefix, T1, 3);
    const first = result(await imp('members', csv([MEMBER_HEADER, ...rows])));
    assert.deepEqual(counts(first), { rows: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0, error_count: 0 });
    const again = result(await imp('members', csv([MEMBER_HEADER, ...rows])));
    assert.deepEqual(counts(again), { rows: 3, inserted: 0, updated: 0, unchanged: 3, rejected: 0, error_count: 0 });

    rows[1] = [...rows[1]];
    rows[1][5] = '0987 654 321';
    const changed = result(await imp('members', csv([MEMBER_HEADER, ...rows])));
    assert.deepEqual(counts(changed), { rows: 3, inserted: 0, updated: 1, unchanged: 2, rejected: 0, error_count: 0 });
    const stored = storedMembers(prefix);
    assert.deepEqual(stored.map((m) => m.version), [1, 2, 1], 'only the changed row got a new version');
    assert.equal(stored[1].phone, '0987 654 321');

    // Moving a member to another team is a change of its team_external_id.
    rows[2] = [...rows[2]];
    rows[2][1] = T2;
    const moved = result(await imp('members', csv([MEMBER_HEADER, ...rows])));
    assert.deepEqual([moved.updated, moved.unchanged], [1, 2]);
    assert.equal(storedMembers(prefix)[2].team, T2);
  });

  test('a column the file lacks is left alone; an empty cell clears it', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-cols-`;
    result(await imp('members', csv([MEMBER_HEADER, ...goodMembers(prefix, T1, 2)])));
    const before = storedMembers(prefix);
    assert.ok(before[0].phone && before[0].email, 'fixture has phone and email');
    const narrow = result(await imp('members', csv([
      ['external_id', 'team_external_id', 'full_name'],
      [`${prefix}1`, T1, before[0].full_name],
      [`${prefix}2`, T1, before[1].full_name],
    ])));
    assert.deepEqual([narrow.unchanged, narrow.updated], [2, 0], 'absent columns are not changes');
    assert.deepEqual(storedMembers(prefix), before);
    const cleared = result(await imp('members', csv([
      ['external_id', 'team_external_id', 'full_name', 'email'],
      [`${prefix}1`, T1, before[0].full_name, ''],
    ])));
    assert.deepEqual([cleared.updated, cleared.unchanged], [1, 0]);
    const after = storedMembers(prefix);
    assert.equal(after[0].email, null, 'the empty cell cleared email');
    assert.equal(after[0].phone, before[0].phone, 'phone kept');
  });

  test('a natural key twice in one file: the later row is the error, naming the first', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-dup-`;
    const rows = goodMembers(prefix, T1, 3);
    const dup = [...rows[0]];
    dup[2] = 'Bản sao';
    const body = rejected(await imp('members', csv([MEMBER_HEADER, ...rows, dup])));
    assert.deepEqual(where(body.errors), [[5, 'external_id']]);
    assert.match(body.errors[0].message, /\brow 2\b/);
    assert.equal(count('members', prefix), 0);

    const tax = taxCode();
    const ent = rejected(await imp('enterprises', csv([
      ['tax_code', 'name', 'unit_code'],
      [tax, uniq('Công ty A'), DEMO.commune],
      [tax, uniq('Công ty B'), DEMO.commune],
    ])));
    assert.deepEqual(where(ent.errors), [[3, 'tax_code']]);
    assert.match(ent.errors[0].message, /\brow 2\b/);
  });

  test('teams and enterprises upsert by external_id and tax_code, with references by natural key', async () => {
    const tax = taxCode();
    const ename = uniq('Công ty TNHH Nhập liệu');
    const e = result(await imp('enterprises', csv([['tax_code', 'name', 'unit_code', 'address'], [tax, ename, DEMO.commune, 'Số 3, đường 30/4']])));
    assert.equal(e.inserted, 1);
    const head = ['external_id', 'name', 'kind', 'unit_code', 'enterprise_tax_code'];
    const ext = `${RUN}-ent-team`;
    const t = result(await imp('teams', csv([head, [ext, uniq('Tổ CNSCĐ doanh nghiệp'), 'enterprise', DEMO.commune, tax]])));
    assert.equal(t.inserted, 1);
    const list = await api('GET', '/teams', { as: P, query: { q: RUN, kind: 'enterprise' } });
    const team = list.json.items.find((x) => x.external_id === ext);
    assert.ok(team, show(list));
    const ents = await api('GET', '/enterprises', { as: P, query: { q: ename } });
    assert.equal(team.enterprise_id, ents.json.items[0].id, 'enterprise_tax_code resolved to the enterprise');
    const missing = rejected(await imp('teams', csv([head, [`${RUN}-ent-team-2`, uniq('Tổ'), 'enterprise', DEMO.commune, taxCode()]])));
    assert.deepEqual(where(missing.errors), [[2, 'enterprise_tax_code']]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('round trip: CSV export imports back unchanged', () => {
  const nasty = ['Công ty "Ánh Dương", chi nhánh', 'Số 1, đường Yersin\nPhường Phú Cường', 'dòng 1\r\ndòng 2; "x", y'];

  async function exportCsv(path, query) {
    const res = await api('GET', path, { as: P, query: { ...query, format: 'csv' } });
    assert.equal(res.status, 200, show(res));
    return res.text.replace(/^\uFEFF/, ''); // fetch's text() drops the BOM anyway
  }

  test('enterprises with commas, quotes, line breaks and Vietnamese text', async () => {
    const tag = `${RUN}rte`;
    const file = csv([
      ['tax_code', 'name', 'unit_code', 'address', 'contact_name', 'contact_phone'],
      [taxCode(), `${nasty[0]} ${tag}`, DEMO.commune, nasty[1], 'Lê Văn Tám', '0274 3822 111'],
      [taxCode(), `Hợp tác xã Đông Hòa ${tag}`, DEMO.dian, nasty[2], '', ''],
    ]);
    assert.equal(result(await imp('enterprises', file)).inserted, 2);
    const exported = await exportCsv('/enterprises', { q: tag });
    assert.ok(exported.startsWith('id,'), 'the export carries id, which the import ignores');
    const back = result(await imp('enterprises', exported));
    assert.deepEqual(counts(back), { rows: 2, inserted: 0, updated: 0, unchanged: 2, rejected: 0, error_count: 0 });
    const list = await api('GET', '/enterprises', { as: P, query: { q: tag, sort: 'name' } });
    assert.deepEqual(list.json.items.map((x) => x.address).sort(), [nasty[1], nasty[2]].sort());
  });

  test('teams (id, leader.*, compliance.*, version, timestamps are ignored)', async () => {
    const tag = `${RUN}rtt`;
    const file = csv([
      ['external_id', 'name', 'kind', 'unit_code', 'hamlet', 'note', 'established_on', 'status'],
      [`${RUN}-rt-1`, `Tổ CNSCĐ "Khu phố 9", Phú Cường ${tag}`, 'hamlet', DEMO.commune, 'Khu phố 9; tổ 3', nasty[2], '2024-02-29', 'active'],
      [`${RUN}-rt-2`, `Tổ CNSCĐ phường ${tag}`, 'commune', DEMO.commune, '', nasty[1], '', 'dissolved'],
    ]);
    assert.equal(result(await imp('teams', file)).inserted, 2);
    const exported = await exportCsv('/teams', { q: tag });
    const header = exported.slice(0, exported.indexOf('\r\n')).split(',');
    for (const col of ['id', 'leader.id', 'compliance.problems', 'member_count', 'version']) {
      assert.ok(header.includes(col), `the export has ${col}`);
    }
    const back = result(await imp('teams', exported));
    assert.deepEqual(counts(back), { rows: 2, inserted: 0, updated: 0, unchanged: 2, rejected: 0, error_count: 0 });
  });

  test('units', async () => {
    const code = await freeUnitCode(P);
    const tag = `${RUN}rtu`;
    result(await imp('units', csv([['code', 'name', 'level', 'parent_code'], [code, `Phường "Mới", Thủ Dầu Một ${tag}`, 'commune', DEMO.district]])));
    const back = result(await imp('units', await exportCsv('/units', { q: tag })));
    assert.deepEqual(counts(back), { rows: 1, inserted: 0, updated: 0, unchanged: 1, rejected: 0, error_count: 0 });
  });

  test('members and activities', async () => {
    const prefix = `${RUN}-rtm-`;
    result(await imp('members', csv([MEMBER_HEADER, ...goodMembers(prefix, T2, 2, `${RUN}rtm`)])));
    const m = result(await imp('members', await exportCsv('/members', { q: `${RUN}rtm` })));
    assert.deepEqual([m.rows, m.unchanged], [2, 2]);
    // Exports name the team by team_id, which the import takes as well as team_external_id.
    result(await imp('activities', csv([['external_id', 'team_external_id', 'held_on', 'kind', 'title', 'people_reached', 'outcomes.app_installs'],
      [`${RUN}-rta-1`, T2, '2024-06-01', 'vneid', 'Hướng dẫn "VNeID", phường', '12', '3']])));
    const team = (await api('GET', '/activities', { as: P, query: { q: 'Hướng dẫn "VNeID", phường' } })).json.items[0].team_id;
    const acts = await exportCsv('/activities', { team });
    const a = result(await imp('activities', acts));
    assert.equal(a.unchanged, a.rows);
  });

  test('texts a spreadsheet would run as formulas leave guarded and come back unchanged (issue 11 item 4)', async () => {
    const tag = `${RUN}rtf`;
    const formula = '=HYPERLINK("http://x","y")';
    const teamExt = `${RUN}-rtf-team`;
    // Made from JSON, so that no CSV reading is involved before the export.
    result(await imp('enterprises', [{ tax_code: taxCode(), name: `${formula} ${tag}`, unit_code: DEMO.commune,
      address: '@SUM(1,2)', contact_name: "'Lê Văn Tám", contact_phone: '+84 274 3822 111' }]));
    result(await imp('teams', [{ external_id: teamExt, name: `-Tổ ${tag}`, kind: 'hamlet', unit_code: DEMO.commune,
      hamlet: '+Khu phố 1', note: '\t=1+2', decision_no: '@12/QĐ' }]));
    result(await imp('members', [{ external_id: `${RUN}-rtf-m`, team_external_id: teamExt, full_name: `${formula} ${tag}`,
      phone: '+84 274 3822 111' }]));
    result(await imp('activities', [{ external_id: `${RUN}-rtf-a`, team_external_id: teamExt, held_on: '2025-06-01',
      kind: 'vneid', title: `\r=1+2 ${tag}`, location: '-1', note: "''" }]));
    const team = (await api('GET', '/teams', { as: P, query: { q: tag } })).json.items[0];

    const files = {
      enterprises: await exportCsv('/enterprises', { q: tag }),
      teams: await exportCsv('/teams', { q: tag }),
      members: await exportCsv('/members', { q: tag }),
      activities: await exportCsv('/activities', { team: team.id }),
    };
    for (const [resource, text] of Object.entries(files)) {
      const [header, ...rows] = parseCsv(text);
      assert.equal(rows.length, 1, `${resource}: ${text}`);
      for (const [k, cell] of rows[0].entries()) {
        assert.ok(!FORMULA_START.test(cell), `${resource}.${header[k]}: a live formula ${JSON.stringify(cell)}`);
      }
      const cellOf = (col) => rows[0][header.indexOf(col)];
      if (resource === 'members') {
        assert.equal(cellOf('full_name'), csvTextCell(`${formula} ${tag}`));
        assert.equal(cellOf('phone'), "'+84 274 3822 111");
      }
      if (resource === 'enterprises') assert.equal(cellOf('contact_name'), "''Lê Văn Tám");
      // The file as exported, sent back: every row unchanged.
      const back = result(await imp(resource, text), resource);
      assert.deepEqual(counts(back), { rows: 1, inserted: 0, updated: 0, unchanged: 1, rejected: 0, error_count: 0 }, resource);
    }
    // A quote typed by hand before other text is kept: the stored contact_name has it.
    const [ent] = (await api('GET', '/enterprises', { as: P, query: { q: tag } })).json.items;
    const typed = csv([['tax_code', 'name', 'unit_code', 'contact_name'], [ent.tax_code, ent.name, DEMO.commune, "'Lê Văn Tám"]]);
    assert.equal(result(await imp('enterprises', typed)).unchanged, 1);
  });

  test('a JSON list of teams imports back', async () => {
    const list = await api('GET', '/teams', { as: P, query: { q: `${RUN}rtt` } });
    const back = result(await imp('teams', list.json.items));
    assert.equal(back.unchanged, list.json.items.length);
  });
});

// ---------------------------------------------------------------------------------------------

describe('scope', () => {
  test('a commune importing teams of another commune: those rows rejected, nothing written', { skip: NO_DB }, async () => {
    const own = `${RUN}-pc-team`;
    const foreign = `demo-team-${DEMO.dian}-${RUN}`;
    const file = csv([
      ['external_id', 'name', 'kind', 'unit_code', 'hamlet'],
      [own, uniq('Tổ CNSCĐ khu phố 10'), 'hamlet', DEMO.commune, 'Khu phố 10'],
      [foreign, uniq('Tổ CNSCĐ Dĩ An mới'), 'hamlet', DEMO.dian, 'Khu phố Bình Minh 2'],
      [`demo-team-${DEMO.dian}-kp1`, 'Tổ CNSCĐ bị đổi tên', 'hamlet', DEMO.commune, 'Khu phố 1'],
    ]);
    const dianTeam = () => sql(`SELECT name, unit_code, version FROM teams WHERE external_id = :'e'`, { e: `demo-team-${DEMO.dian}-kp1` })[0];
    const before = dianTeam();
    const body = rejected(await imp('teams', file, { as: C }));
    assert.deepEqual(where(body.errors), [[3, 'unit_code'], [4, 'external_id']]);
    assert.equal(count('teams', own), 0, 'all or nothing');

    const r = result(await imp('teams', file, { as: C, query: { atomic: false } }));
    assert.deepEqual(counts(r), { rows: 3, inserted: 1, updated: 0, unchanged: 0, rejected: 2, error_count: 2 });
    assert.equal(count('teams', own), 1);
    assert.equal(count('teams', foreign), 0, 'nothing written in Dĩ An');
    assert.deepEqual(dianTeam(), before, 'the Dĩ An team is untouched');
  });

  test('a commune importing members of another commune\'s team: those rows rejected, nothing written', { skip: NO_DB }, async () => {
    const own = `${RUN}-pc-team`; // made by the test above
    const prefix = `${RUN}-pcm-`;
    const dianMember = `demo-member-${DEMO.dian}-kp1-1`;
    const file = csv([
      ['external_id', 'team_external_id', 'full_name', 'position'],
      [`${prefix}1`, own, 'Nguyễn Văn Trong Phạm Vi', 'leader'],
      [`${prefix}2`, `demo-team-${DEMO.dian}-kp1`, 'Trần Thị Ngoài Phạm Vi', 'member'],
      [dianMember, own, 'Người của Dĩ An', 'member'],
    ]);
    const memberRow = () => sql(`SELECT m.full_name, t.external_id, m.version FROM members m JOIN teams t ON t.id = m.team_id WHERE m.external_id = :'e'`, { e: dianMember })[0];
    const before = memberRow();
    assert.ok(before, `demo member ${dianMember} exists`);
    const body = rejected(await imp('members', file, { as: C }));
    assert.deepEqual(where(body.errors), [[3, 'team_external_id'], [4, 'external_id']]);
    assert.equal(count('members', prefix), 0);

    const r = result(await imp('members', file, { as: C, query: { atomic: false } }));
    assert.deepEqual(counts(r), { rows: 3, inserted: 1, updated: 0, unchanged: 0, rejected: 2, error_count: 2 });
    assert.equal(count('members', prefix), 1);
    assert.deepEqual(memberRow(), before, 'the Dĩ An member is untouched');
    // Dĩ An's own account may import into its team.
    const dian = result(await imp('members', csv([['external_id', 'team_external_id', 'full_name'], [`${prefix}da`, `demo-team-${DEMO.dian}-kp1`, 'Võ Văn Dĩ An']]),
      { as: 'demo.commune.dian', query: { dry_run: true } }));
    assert.equal(dian.inserted, 1);
  });

  test('a commune importing an activity of another commune: that row rejected, nothing written', { skip: NO_DB }, async () => {
    const own = `${RUN}-pc-team`; // made by the first test of this block
    const ownActivity = `${RUN}-pca-1`;
    const dianActivity = `demo-act-demo-team-${DEMO.dian}-kp1-2024-1`;
    const file = csv([
      ['external_id', 'team_external_id', 'held_on', 'kind', 'title'],
      [ownActivity, own, '2024-05-01', 'vneid', 'Trong phạm vi'],
      [dianActivity, own, '2024-05-02', 'vneid', 'Hoạt động của Dĩ An'],
    ]);
    const activityRow = () => sql(`SELECT a.title, t.external_id, a.held_on, a.version FROM activities a JOIN teams t ON t.id = a.team_id WHERE a.external_id = :'e'`, { e: dianActivity })[0];
    const before = activityRow();
    assert.ok(before, `demo activity ${dianActivity} exists`);
    const body = rejected(await imp('activities', file, { as: C }));
    assert.deepEqual(body.errors.map((e) => [e.row, e.field, e.message]), [[3, 'external_id', 'the activity exists outside your scope']]);
    assert.equal(count('activities', ownActivity), 0, 'all or nothing');

    const r = result(await imp('activities', file, { as: C, query: { atomic: false } }));
    assert.deepEqual(counts(r), { rows: 2, inserted: 1, updated: 0, unchanged: 0, rejected: 1, error_count: 1 });
    assert.equal(count('activities', ownActivity), 1);
    assert.deepEqual(activityRow(), before, 'the Dĩ An activity is untouched');
  });

  test('a read-only account cannot import (403)', async () => {
    const file = csv([['external_id', 'team_external_id', 'full_name'], [`${RUN}-ro-1`, T1, 'A']]);
    assertProblem(await imp('members', file, { as: 'demo.readonly' }), 403);
    assertProblem(await imp('members', file, { as: 'demo.readonly', query: { dry_run: true } }), 403);
  });
});

// ---------------------------------------------------------------------------------------------

describe('request errors', () => {
  test('bad header: unknown column, missing required column, repeated column → 422 on row 1', async () => {
    const unknown = rejected(await imp('members', csv([['external_id', 'team_external_id', 'full_name', 'nickname'], ['a', T1, 'A', 'x']])));
    assert.deepEqual(where(unknown.errors), [[1, 'nickname']]);
    const missing = rejected(await imp('members', csv([['external_id', 'team_external_id', 'phone'], ['a', T1, '0912345678']])));
    assert.deepEqual(where(missing.errors), [[1, 'full_name']]);
    const twice = rejected(await imp('members', csv([['external_id', 'team_external_id', 'full_name', 'full_name'], ['a', T1, 'A', 'B']])));
    assert.deepEqual(where(twice.errors), [[1, 'full_name']]);
    const ragged = rejected(await imp('members', csv([['external_id', 'team_external_id', 'full_name'], ['a', T1]])));
    assert.deepEqual(where(ragged.errors), [[2, '']]);
    assertProblem(await imp('members', 'external_id,team_external_id,full_name\n'), 422, { kind: 'validation' });
  });

  test('wrong content type → 415; unknown resource → 404; empty body → 400', async () => {
    const file = csv([['external_id', 'team_external_id', 'full_name'], [`${RUN}-ct`, T1, 'A']]);
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      assertProblem(await imp('members', file, { type }), 415, { kind: 'unsupported-media-type' });
    }
    assert.equal((await imp('members', file, { type: 'text/csv; charset=utf-8', query: { dry_run: true } })).status, 200);
    assertProblem(await imp('widgets', file), 404, { kind: 'not-found' });
    assertProblem(await imp('members', ''), 400);
    assertProblem(await imp('members', Buffer.from([0x66, 0xff, 0x0a])), 400);
  });

  test('every import and nothing else writes an audit entry with action import', { skip: NO_DB }, async () => {
    const prefix = `${RUN}-audit-`;
    const file = csv([MEMBER_HEADER, ...goodMembers(prefix, T1, 2)]);
    const since = Number(sqlValue(`SELECT coalesce(max(id), 0) FROM audit`));
    result(await imp('members', file, { query: { dry_run: true } }));
    rejected(await imp('members', csv([['external_id', 'team_external_id', 'full_name'], [`${prefix}x`, `${RUN}-nope`, 'A']])));
    result(await imp('members', file));
    const rows = sql(`SELECT actor, resource, unit_code, changes::text FROM audit WHERE id > :'id' AND action = 'import' AND actor = 'demo.province' AND resource = 'members' ORDER BY id`,
      { id: since });
    assert.equal(rows.length, 1, `one audit entry: ${JSON.stringify(rows)}`);
    assert.equal(rows[0][2], DEMO.province);
    assert.deepEqual(JSON.parse(rows[0][3]), { rows: 2, inserted: 2, updated: 0, unchanged: 0 });
    const listed = await api('GET', '/audit', { as: P, query: { resource: 'members', limit: 1000 } });
    assert.equal(listed.status, 200, show(listed));
    assert.ok(listed.json.items.some((a) => a.action === 'import' && a.actor === P), 'GET /audit lists the import');
  });

  test('a body over IMPORT_MAX_BODY_BYTES answers 413', { skip: !existsSync(CDT_SERVER) || !DATABASE_URL ? 'needs CDT_SERVER and DATABASE_URL' : false }, async (t) => {
    // A second server on the same database with a 2 KiB import limit (the default is 128 MiB).
    const srv = await startServer({ IMPORT_MAX_BODY_BYTES: '2048' });
    t.after(() => srv.stop());
    const base = srv.url;
    const login = await api('POST', `${base}/api/v1/auth/login`, { body: { username: P, password: PASSWORD } });
    assert.equal(login.status, 200, show(login));
    const token = login.json.access_token;
    const head = ['external_id', 'team_external_id', 'full_name'];
    const small = csv([head, ...Array.from({ length: 10 }, (_, i) => [`${RUN}-lim-${i}`, T1, 'Nguyễn Văn A'])]);
    assert.ok(Buffer.byteLength(small) < 2048);
    const ok = await api('POST', `${base}/api/v1/import/members`, { token, raw: small, query: { dry_run: true }, headers: { 'Content-Type': 'text/csv' } });
    assert.equal(ok.status, 200, show(ok));
    const big = csv([head, ...Array.from({ length: 100 }, (_, i) => [`${RUN}-lim-${i}`, T1, 'Nguyễn Văn A'])]);
    assert.ok(Buffer.byteLength(big) > 2048);
    assertProblem(await api('POST', `${base}/api/v1/import/members`, { token, raw: big, headers: { 'Content-Type': 'text/csv' } }), 413, { kind: 'payload-too-large' });
    assertProblem(await api('POST', `${base}/api/v1/import/members`, { token, raw: JSON.stringify(Array(1000).fill({})) }), 413);
  });
});

// ---------------------------------------------------------------------------------------------

describe('CSV templates (docs/examples)', () => {
  const COLUMNS = {
    units: ['code', 'name', 'level', 'parent_code', 'valid_from', 'valid_to'],
    unit_successors: ['old_code', 'old_name', 'new_code', 'new_name', 'new_province_code', 'share'],
    enterprises: ['tax_code', 'name', 'unit_code', 'address', 'contact_name', 'contact_phone'],
    teams: ['external_id', 'name', 'kind', 'unit_code', 'hamlet', 'enterprise_tax_code', 'decision_no',
      'established_on', 'status', 'note'],
    members: MEMBER_HEADER,
    activities: ['external_id', 'team_external_id', 'held_on', 'kind', 'title', 'location', 'people_reached',
      'outcomes.vneid_activations', 'outcomes.public_service_applications', 'outcomes.cashless_accounts',
      'outcomes.ecommerce_shops', 'outcomes.app_installs', 'outcomes.people_trained', 'note'],
  };

  // In the order docs/importing.md gives: teams before their members and activities.
  for (const resource of Object.keys(COLUMNS)) {
    test(`${resource}.csv: UTF-8 with BOM, every import column, imports as demo.province without errors`, async () => {
      const bytes = readFileSync(resolve(ROOT, 'docs/examples', `${resource}.csv`));
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with a BOM');
      const text = bytes.toString('utf8').slice(1);
      assert.deepEqual(text.split(/\r?\n/)[0].split(','), COLUMNS[resource], 'the header is the import columns');
      // Lineage is of a reorganisation: the day it took effect.
      const query = resource === 'unit_successors' ? { effective_on: '2025-07-01' } : {};
      const dry = result(await imp(resource, bytes, { query: { ...query, dry_run: true } }));
      assert.ok(dry.rows >= 2 && dry.rows <= 3, `2 or 3 example rows, not ${dry.rows}`);
      const r = result(await imp(resource, bytes, { query }));
      assert.deepEqual([r.rejected, r.error_count, r.errors], [0, 0, []], JSON.stringify(r.errors));
      const again = result(await imp(resource, bytes, { query }));
      assert.equal(again.unchanged, again.rows, 'a template imports once, then is unchanged');
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('GET /import/{resource}: the columns, from the declaration the checks use (issue 15)', () => {
  const RESOURCES = ['units', 'unit_successors', 'enterprises', 'teams', 'members', 'activities'];

  test('every import answers its key and columns, in the documented shape; others 404', async () => {
    for (const resource of RESOURCES) {
      const res = await api('GET', `/import/${resource}`, { as: C });
      expectStatus(res, 200, resource);
      const { resource: name, key, province_only: provinceOnly, columns } = res.json;
      assert.equal(name, resource);
      assert.equal(typeof key, 'string');
      assert.equal(provinceOnly, resource === 'units' || resource === 'unit_successors', `${resource} province_only`);
      assert.ok(Array.isArray(columns) && columns.length > 0, show(res));
      for (const c of columns) {
        assert.ok(['string', 'integer', 'boolean', 'date', 'uuid', 'code'].includes(c.type), JSON.stringify(c));
        assert.equal(typeof c.required, 'boolean');
        assert.equal(c.type === 'code', Array.isArray(c.choices) && c.choices.length > 0, JSON.stringify(c));
      }
      for (const k of key.split(', ')) assert.ok(columns.some((c) => c.name === k && c.required), `${resource}: key ${k} is a required column`);
    }
    assertProblem(await api('GET', '/import/no-such-import', { as: C }), 404);
  });

  test('the listed columns are the ones the import takes: every template column, every required one demanded', async () => {
    for (const resource of ['enterprises', 'teams', 'members', 'activities']) {
      const { columns } = (await api('GET', `/import/${resource}`, { as: P })).json;
      const names = columns.map((c) => c.name);
      const template = readFileSync(resolve(ROOT, 'docs/examples', `${resource}.csv`), 'utf8').slice(1).split(/\r?\n/)[0].split(',');
      for (const t of template) assert.ok(names.includes(t), `${resource}: template column ${t} is listed`);
      // A file of the optional columns only: each required column is named missing on row 1, and no
      // listed column is unknown to the import.
      const optional = columns.filter((c) => !c.required).map((c) => c.name);
      const body = rejected(await imp(resource, csv([optional, optional.map(() => '')]), { query: { dry_run: true } }));
      const onHeader = body.errors.filter((e) => e.row === 1);
      assert.deepEqual(onHeader.map((e) => e.field).sort(), columns.filter((c) => c.required).map((c) => c.name).sort(),
        `${resource}: ${JSON.stringify(body.errors)}`);
    }
  });

  test('codes are the API\'s: a team kind outside the listed choices is refused, each listed one accepted', async () => {
    const { columns } = (await api('GET', '/import/teams', { as: P })).json;
    const kind = columns.find((c) => c.name === 'kind');
    assert.deepEqual(kind.choices, ['commune', 'hamlet', 'enterprise', 'organization']);
    const head = ['external_id', 'name', 'kind', 'unit_code', 'hamlet'];
    const bad = rejected(await imp('teams', csv([head, [`${RUN}-codes-1`, uniq('Tổ'), 'village', DEMO.commune, 'Ấp 1']]), { query: { dry_run: true } }));
    assert.deepEqual(where(bad.errors), [[2, 'kind']]);
    const good = result(await imp('teams', csv([head, [`${RUN}-codes-2`, uniq('Tổ'), 'hamlet', DEMO.commune, 'Ấp 1']]), { query: { dry_run: true } }));
    assert.equal(good.inserted, 1);
  });
});
