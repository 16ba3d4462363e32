// CSV export of every list (DESIGN §4; issue 3 item 4): `Accept: text/csv` or `format=csv` answers
// every matching row (no paging), streamed, UTF-8 with a BOM, a header row of the API field names
// (nested values as dotted columns), RFC 4180 quoting with CRLF line ends. The file parses the CSV
// with its own strict RFC 4180 parser and compares every cell with the JSON list of the same query.

import { before, describe, test } from 'node:test';
import {
  api, assert, assertProblem, BASE_URL, createActivity, createEnterprise, createMember, createTeam, csvTextCell, DEMO,
  FORMULA_START, freeUnitCode, listAll, login, parseCsv, PREFIX, RUN, show, uniq, whoami,
} from './lib.mjs';

const P = 'demo.province';
const C = 'demo.commune';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const OUTCOME_KEYS = ['vneid_activations', 'public_service_applications', 'cashless_accounts',
  'ecommerce_shops', 'app_installs', 'people_trained'];

test('the test\'s own CSV parser follows RFC 4180', () => {
  assert.deepEqual(parseCsv('a,b\r\n'), [['a', 'b']]);
  assert.deepEqual(parseCsv('a,,"",b\r\n'), [['a', '', '', 'b']]);
  assert.deepEqual(parseCsv('"x,y","say ""hi""","l1\r\nl2\nl3\rl4"\r\nz\r\n'), [['x,y', 'say "hi"', 'l1\r\nl2\nl3\rl4'], ['z']]);
  assert.deepEqual(parseCsv('""""\r\n'), [['"']]);
  for (const bad of ['a,b', 'a\nb\r\n', 'a"b\r\n', '"a"b\r\n', '"a\r\n', 'a\rb\r\n']) {
    assert.throws(() => parseCsv(bad), `parses ${JSON.stringify(bad)}`);
  }
});

// ---------------------------------------------------------------------------------------------
// HTTP

/**
 * GET a list as CSV. how: 'accept' (Accept: text/csv), 'format' (?format=csv) or 'both'.
 * Returns {status, headers, bytes, text (without the BOM), header, rows, res} — rows without the header.
 */
async function getCsv(path, { as = P, query = {}, how = 'format', headers = {} } = {}) {
  const token = await login(as);
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) qs.append(k, String(v));
  if (how === 'format' || how === 'both') qs.append('format', 'csv');
  const h = { Authorization: `Bearer ${token}`, ...headers };
  if (how === 'accept' || how === 'both') h.Accept = 'text/csv';
  const s = qs.toString();
  const res = await fetch(`${BASE_URL}${PREFIX}${path}${s ? '?' + s : ''}`, { headers: h });
  const bytes = Buffer.from(await res.arrayBuffer());
  const out = { status: res.status, headers: res.headers, bytes, path };
  if (res.status !== 200) {
    out.text = bytes.toString('utf8');
    return out;
  }
  assert.match(res.headers.get('content-type') || '', /^text\/csv\b/i, `${path}: content-type`);
  assert.ok(bytes.subarray(0, 3).equals(BOM), `${path}: the body starts with the UTF-8 BOM (got ${bytes.subarray(0, 8).toString('hex')})`);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  out.text = decoder.decode(bytes.subarray(3));
  assert.ok(!out.text.startsWith('\ufeff'), `${path}: one BOM only`);
  const rows = parseCsv(out.text);
  assert.ok(rows.length >= 1, `${path}: no header row`);
  out.header = rows[0];
  out.rows = rows.slice(1);
  for (const [k, r] of out.rows.entries()) {
    assert.equal(r.length, out.header.length, `${path}: row ${k + 1} has ${r.length} fields, the header ${out.header.length}`);
  }
  return out;
}

const csvShow = (r) => `${r.path} -> ${r.status} ${String(r.text).slice(0, 400)}`;

/** The value at a dotted column of a JSON document (undefined when a step is missing). */
function at(doc, column) {
  let v = doc;
  for (const step of column.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = v[step];
  }
  return v;
}

/** Asserts that one CSV row holds exactly the JSON document's values. */
function assertRowMatches(header, cells, doc, what) {
  header.forEach((col, k) => {
    const v = at(doc, col);
    const cell = cells[k];
    const where = `${what}, column ${col}`;
    if (v === undefined || v === null) assert.equal(cell, '', `${where}: null is an empty field`);
    else if (typeof v === 'string') assert.equal(cell, csvTextCell(v), `${where}: text, guarded against formulas`);
    else if (typeof v === 'number') assert.equal(Number(cell), v, `${where}: ${cell}`);
    else if (typeof v === 'boolean') assert.equal(cell, String(v), where);
    else assert.deepEqual(JSON.parse(cell), v, `${where}: objects and arrays are compact JSON`);
  });
}

/**
 * The header names the API's fields: every column is a field of the JSON document or a dotted
 * path into one, and every field of the document has a column (itself or dotted ones below it).
 */
function assertHeaderIsFields(header, doc, what) {
  assert.equal(new Set(header).size, header.length, `${what}: a column appears twice: ${header}`);
  for (const col of header) {
    assert.ok(Object.hasOwn(doc, col.split('.')[0]), `${what}: column ${col} is not an API field (fields: ${Object.keys(doc)})`);
  }
  for (const key of Object.keys(doc)) {
    assert.ok(header.includes(key) || header.some((c) => c.startsWith(key + '.')), `${what}: field ${key} has no column (header: ${header})`);
  }
}

/** Exports path with query and compares it, row by row and cell by cell, with the JSON list. */
async function assertExportMatchesJson(path, query, { as = P, how = 'format', min = 1 } = {}) {
  const json = await listAll(as, path, query);
  const csv = await getCsv(path, { as, query, how });
  assert.equal(csv.status, 200, csvShow(csv));
  assert.ok(json.items.length >= min, `${path}: expected at least ${min} rows for ${JSON.stringify(query)}`);
  assert.equal(csv.rows.length, json.items.length, `${path} ${JSON.stringify(query)}: CSV rows vs JSON items`);
  assertHeaderIsFields(csv.header, json.items[0], path);
  json.items.forEach((doc, k) => assertRowMatches(csv.header, csv.rows[k], doc, `${path} row ${k + 1}`));
  return { csv, json };
}

// ---------------------------------------------------------------------------------------------
// The data: texts that need quoting, Vietnamese in NFC and NFD, characters outside the BMP.

const NASTY = [
  'Tổ CNSCĐ "Ấp Bình Dương", khu phố 1',
  'Dòng một\nDòng hai',
  'Dòng một\r\nDòng hai\r\n',
  'Về nguồn\rchỉ CR',
  '"',
  '""',
  ',',
  ', "; \t ;',
  '  khoảng trắng đầu và cuối  ',
  '=HYPERLINK("http://x"),@SUM(1)',
  'Nguye\u0302\u0303n Văn Đức (NFD)',
  '🇻🇳 Việt Nam 𠀀 chữ Nôm',
  'Ấp Định Thọ, Xã Định An,\r\nHuyện Dầu Tiếng; "Bình Dương"',
  // Formula starts (OWASP's CSV injection list) and a text that starts with the guard itself.
  '+84 274 3822 111',
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1,2)',
  '\t=1+2',
  '\r=1+2',
  "'đã có dấu nháy",
];

describe('CSV export', () => {
  const tag = `${RUN}csv`;
  let teams = [];
  let team; // one Phú Cường team of this file, with members and activities
  let dianTeam;
  let units = [];

  before(async () => {
    teams = [];
    for (const s of NASTY) {
      teams.push(await createTeam(P, { name: `${s} ${tag}`, note: s, hamlet: s, decision_no: `${s.slice(0, 20)}/QĐ` }));
    }
    team = teams[0];
    for (const s of NASTY) {
      await createMember(P, team.id, { full_name: `${s} ${tag}`, email: null, phone: '0274 3822 111', it_skilled: true, position: 'member' });
    }
    await createMember(P, team.id, { full_name: `Trưởng ${tag}`, position: 'leader' });
    for (const [k, s] of NASTY.entries()) {
      await createActivity(P, team.id, {
        title: `${s} ${tag}`, location: s, note: s, held_on: `2025-06-${String(k + 1).padStart(2, '0')}`,
        people_reached: k * 3, outcomes: k % 2 ? { vneid_activations: k, people_trained: 0 } : {},
      });
    }
    for (const s of NASTY.slice(0, 4)) {
      await createEnterprise(P, { name: `${s} ${tag}`, address: s, contact_name: s });
    }
    dianTeam = await createTeam(P, { name: `Tổ Dĩ An, "ngoài" ${tag}`, unit_code: DEMO.dian });
    await createMember(P, dianTeam.id, { full_name: `Người Dĩ An ${tag}` });
    await createActivity(P, dianTeam.id, { title: `Hoạt động Dĩ An ${tag}` });
    units = [];
    for (const s of NASTY.slice(0, 2)) {
      const code = await freeUnitCode(P);
      const r = await api('POST', '/units', { as: P, body: { code, name: `${s} ${tag}`, level: 'commune', parent_code: DEMO.district } });
      assert.equal(r.status, 201, show(r));
      units.push(r.json);
    }
  });

  test('teams, members, activities, enterprises, units and audit parse back to the JSON values', async () => {
    const t = await assertExportMatchesJson('/teams', { q: tag, sort: 'name' }, { min: NASTY.length + 1 });
    // The texts really went through: every nasty string is a note, byte for byte.
    const noteCol = t.csv.header.indexOf('note');
    const notes = t.csv.rows.map((r) => r[noteCol]);
    for (const s of NASTY) assert.ok(notes.includes(csvTextCell(s)), `team note ${JSON.stringify(s)} did not survive`);

    const m = await assertExportMatchesJson('/members', { q: tag, sort: 'full_name' }, { min: NASTY.length + 2 });
    const nameCol = m.csv.header.indexOf('full_name');
    for (const s of NASTY) assert.ok(m.csv.rows.some((r) => r[nameCol] === csvTextCell(`${s} ${tag}`)), `member ${JSON.stringify(s)}`);
    await assertExportMatchesJson(`/teams/${team.id}/members`, { sort: 'full_name' }, { min: NASTY.length + 1, how: 'accept' });

    const a = await assertExportMatchesJson('/activities', { q: tag, sort: 'held_on' }, { min: NASTY.length + 1 });
    const locCol = a.csv.header.indexOf('location');
    for (const s of NASTY) assert.ok(a.csv.rows.some((r) => r[locCol] === csvTextCell(s)), `activity location ${JSON.stringify(s)}`);

    await assertExportMatchesJson('/enterprises', { q: tag, sort: 'name' }, { min: 4 });
    await assertExportMatchesJson('/units', { q: tag }, { min: 2 });
    // Audit entries carry the written JSON (quotes, newlines) inside a CSV field.
    const au = await assertExportMatchesJson('/audit', { resource_id: team.id }, { min: 1 });
    const changesCol = au.csv.header.indexOf('changes');
    const created = JSON.parse(au.csv.rows[au.csv.rows.length - 1][changesCol]);
    assert.equal(created.note, NASTY[0], 'the audit entry\'s changes survive two layers of quoting');
  });

  test('no text cell starts like a formula: each such text leaves with a \' in front (issue 11 item 4)', async () => {
    const exports = [
      await getCsv('/teams', { query: { q: tag } }), await getCsv('/members', { query: { q: tag } }),
      await getCsv('/activities', { query: { q: tag } }), await getCsv('/enterprises', { query: { q: tag } }),
      await getCsv('/audit', { query: { resource_id: team.id } }),
    ];
    let guarded = 0;
    for (const r of exports) {
      assert.equal(r.status, 200, csvShow(r));
      for (const row of r.rows) {
        for (const [k, cell] of row.entries()) {
          assert.ok(!FORMULA_START.test(cell), `${r.path} column ${r.header[k]}: a live formula ${JSON.stringify(cell)}`);
          if (/^'[=+\-@\t\r']/.test(cell)) guarded += 1;
        }
      }
    }
    assert.ok(guarded >= 7 * 4, `guarded cells: ${guarded}`);
  });

  test('BOM, Content-Type, Content-Disposition; Accept: text/csv and format=csv give the same file', async () => {
    const byFormat = await getCsv('/teams', { query: { q: tag, sort: 'name' }, how: 'format' });
    const byAccept = await getCsv('/teams', { query: { q: tag, sort: 'name' }, how: 'accept' });
    const byBoth = await getCsv('/teams', { query: { q: tag, sort: 'name' }, how: 'both' });
    for (const r of [byFormat, byAccept, byBoth]) {
      assert.equal(r.status, 200, csvShow(r));
      assert.match(r.headers.get('content-type'), /^text\/csv\s*(;\s*charset=utf-8\s*)?$/i);
      assert.match(r.headers.get('content-disposition') || '', /^attachment\s*;\s*filename="?[^"]+\.csv"?/i);
      assert.ok(r.headers.get('x-request-id'), 'X-Request-Id on an export too');
    }
    assert.ok(byFormat.bytes.equals(byAccept.bytes), 'Accept: text/csv and format=csv answer the same bytes');
    assert.ok(byFormat.bytes.equals(byBoth.bytes));
    // Line ends are CRLF, also inside the header.
    assert.ok(byFormat.text.endsWith('\r\n'));
    assert.ok(byFormat.text.startsWith(byFormat.header.join(',') + '\r\n'), 'the header is the first line, unquoted');
    // format=csv wins over an Accept that asks for JSON; without either the list stays JSON.
    const formatWins = await getCsv('/teams', { query: { q: tag }, how: 'format', headers: { Accept: 'application/json' } });
    assert.equal(formatWins.status, 200);
    assert.equal(formatWins.rows.length, NASTY.length + 1);
    for (const accept of [undefined, 'application/json', '*/*']) {
      const r = await api('GET', '/teams', { as: P, query: { q: tag }, headers: accept ? { Accept: accept } : {} });
      assert.equal(r.status, 200, show(r));
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assert.equal(r.json.total, NASTY.length + 1, 'the nasty teams and the Dĩ An one');
    }
    const csvWithQ = await getCsv('/teams', { query: { q: tag }, how: 'accept', headers: { Accept: 'text/csv; q=1.0' } });
    assert.equal(csvWithQ.status, 200, csvShow(csvWithQ));
  });

  test('the headers of every list are its API field names', async () => {
    const activities = await getCsv('/activities', { query: { q: tag } });
    assert.deepEqual(activities.header, [
      'id', 'external_id', 'team_id', 'team_name', 'unit_name', 'held_on', 'kind', 'title', 'location', 'people_reached',
      ...OUTCOME_KEYS.map((k) => `outcomes.${k}`), 'note', 'version', 'created_at', 'updated_at',
    ]);
    const teamsCsv = await getCsv('/teams', { query: { q: tag } });
    for (const col of ['id', 'name', 'kind', 'unit_code', 'hamlet', 'enterprise_id', 'member_count', 'leader.id',
      'leader.full_name', 'compliance.ok', 'version', 'created_at', 'updated_at']) {
      assert.ok(teamsCsv.header.includes(col), `teams header lacks ${col}: ${teamsCsv.header}`);
    }
    // The leader's name as a dotted column.
    const lead = teamsCsv.rows.find((r) => r[teamsCsv.header.indexOf('id')] === team.id);
    assert.equal(lead[teamsCsv.header.indexOf('leader.full_name')], `Trưởng ${tag}`);
    const expected = {
      '/units': ['code', 'name', 'level', 'parent_code'],
      '/enterprises': ['id', 'name', 'tax_code', 'unit_code', 'address', 'contact_name', 'contact_phone'],
      '/members': ['id', 'team_id', 'full_name', 'position', 'affiliation', 'it_skilled', 'trained_on'],
      [`/teams/${team.id}/members`]: ['id', 'team_id', 'full_name', 'position'],
      '/audit': ['id', 'at', 'actor', 'action', 'resource', 'resource_id', 'changes'],
    };
    for (const [path, cols] of Object.entries(expected)) {
      const r = await getCsv(path, { query: { limit: 1 } });
      assert.equal(r.status, 200, csvShow(r));
      for (const col of cols) assert.ok(r.header.includes(col), `${path} header lacks ${col}: ${r.header}`);
      const first = await api('GET', path, { as: P, query: { limit: 1 } });
      if (first.json.items.length) assertHeaderIsFields(r.header, first.json.items[0], path);
    }
  });

  test('an empty result is the BOM and the header row only', async () => {
    for (const path of ['/teams', '/members', '/activities', '/enterprises', '/units']) {
      const r = await getCsv(path, { query: { q: `${RUN}nothing` } });
      assert.equal(r.status, 200, csvShow(r));
      assert.equal(r.rows.length, 0, `${path}: no rows`);
      assert.equal(r.text, r.header.join(',') + '\r\n', `${path}: BOM, header, CRLF and nothing else`);
      assert.ok(r.header.includes(path === '/units' ? 'code' : 'id'));
    }
    const audit = await getCsv('/audit', { query: { resource_id: `${RUN}-none` } });
    assert.equal(audit.rows.length, 0);
    assert.ok(audit.header.includes('changes'));
    const activities = await getCsv('/activities', { query: { team: team.id, from: '2030-01-01' } });
    assert.equal(activities.rows.length, 0);
    assert.equal(activities.header.length, 20);
  });

  test('bad queries and out-of-scope parents answer problems, not CSV', async () => {
    const bad = await getCsv('/teams', { query: { kind: 'bogus', sort: 'nope' } });
    assert.equal(bad.status, 422, csvShow(bad));
    assert.match(bad.headers.get('content-type'), /^application\/problem\+json/);
    const names = JSON.parse(bad.text).errors.map((e) => e.field);
    for (const f of ['kind', 'sort']) assert.ok(names.includes(f), `422 names ${f}: ${bad.text}`);
    const hidden = await getCsv(`/teams/${dianTeam.id}/members`, { as: C, how: 'accept' });
    assert.equal(hidden.status, 404, csvShow(hidden));
    const anon = await fetch(`${BASE_URL}${PREFIX}/teams?format=csv`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get('www-authenticate') || '', /^Bearer/);
    await anon.arrayBuffer();
  });

  test('filters apply to the export', async () => {
    const byTeam = await getCsv('/activities', { query: { q: tag, team: dianTeam.id } });
    assert.equal(byTeam.rows.length, 1);
    const byUnit = await assertExportMatchesJson('/teams', { q: tag, unit: DEMO.dianDistrict });
    assert.equal(byUnit.csv.rows.length, 1);
    const window = await assertExportMatchesJson('/activities', { q: tag, from: '2025-06-02', to: '2025-06-04', sort: '-held_on' });
    assert.deepEqual(window.csv.rows.map((r) => r[window.csv.header.indexOf('held_on')]), ['2025-06-04', '2025-06-03', '2025-06-02'], 'from/to inclusive, sorted');
    const odd = await assertExportMatchesJson('/activities', { q: tag, sort: '-people_reached' });
    const pr = odd.csv.rows.map((r) => Number(r[odd.csv.header.indexOf('people_reached')]));
    assert.deepEqual(pr, [...pr].sort((x, y) => y - x), 'the sort applies');
    const leaders = await assertExportMatchesJson('/members', { q: tag, position: 'leader' });
    assert.equal(leaders.csv.rows.length, 1);
  });

  test('scope applies: demo.commune\'s exports hold only Phú Cường rows; demo.enterprise only its own', async () => {
    const teamsCsv = await getCsv('/teams', { as: C });
    const unitCol = teamsCsv.header.indexOf('unit_code');
    const idCol = teamsCsv.header.indexOf('id');
    assert.ok(teamsCsv.rows.length > NASTY.length);
    for (const r of teamsCsv.rows) assert.equal(r[unitCol], DEMO.commune, `team ${r[idCol]} of ${r[unitCol]} exported to the commune`);
    const myTeams = new Set(teamsCsv.rows.map((r) => r[idCol]));
    assert.ok(myTeams.has(team.id));
    assert.ok(!myTeams.has(dianTeam.id));

    const members = await getCsv('/members', { as: C });
    const mTeam = members.header.indexOf('team_id');
    assert.ok(members.rows.length >= NASTY.length);
    for (const r of members.rows) assert.ok(myTeams.has(r[mTeam]), `member of team ${r[mTeam]} exported to the commune`);
    const activities = await getCsv('/activities', { as: C });
    const aTeam = activities.header.indexOf('team_id');
    assert.ok(activities.rows.length >= NASTY.length);
    for (const r of activities.rows) assert.ok(myTeams.has(r[aTeam]), `activity of team ${r[aTeam]} exported to the commune`);
    const enterprises = await getCsv('/enterprises', { as: C });
    for (const r of enterprises.rows) assert.equal(r[enterprises.header.indexOf('unit_code')], DEMO.commune);

    // Asking for the other commune by filter yields the header only.
    for (const path of ['/teams', '/members', '/activities']) {
      const r = await getCsv(path, { as: C, query: { unit: DEMO.dian } });
      assert.equal(r.rows.length, 0, `${path}?unit=${DEMO.dian} exported to the commune`);
    }
    // The audit trail: the Dĩ An team's entries are not in the commune's export, its own are.
    const audit = await getCsv('/audit', { as: C });
    const ridCol = audit.header.indexOf('resource_id');
    const rids = new Set(audit.rows.map((r) => r[ridCol]));
    assert.ok(rids.has(team.id), 'the commune\'s own team is in its audit export');
    assert.ok(!rids.has(dianTeam.id), 'a Dĩ An team is in the commune\'s audit export');
    const dianAudit = await getCsv('/audit', { as: C, query: { resource_id: dianTeam.id } });
    assert.equal(dianAudit.rows.length, 0);

    const ent = (await whoami('demo.enterprise')).enterprise;
    const entTeams = await getCsv('/teams', { as: 'demo.enterprise' });
    assert.ok(entTeams.rows.length >= 1);
    for (const r of entTeams.rows) assert.equal(r[entTeams.header.indexOf('enterprise_id')], ent);
    const entEnterprises = await getCsv('/enterprises', { as: 'demo.enterprise' });
    assert.deepEqual(entEnterprises.rows.map((r) => r[entEnterprises.header.indexOf('id')]), [ent]);
  });
});

describe('CSV export of many rows', () => {
  const tag = `${RUN}bulk`;
  const N = 75;
  let created = [];
  // About 2 KB a row, so that the export spans several 64 KiB chunks.
  const longNote = (k) => `Ghi chú số ${k}, "dài": ` + 'Tập huấn kỹ năng số cho người dân khu phố, ấp; '.repeat(40) + `\r\nhết ${k}`;

  before(async () => {
    const team = await createTeam(P);
    created = [];
    for (let k = 0; k < N; k += 15) {
      const batch = [];
      for (let j = k; j < Math.min(N, k + 15); j++) {
        batch.push(createActivity(P, team.id, {
          title: `Buổi ${String(j).padStart(3, '0')} ${tag}`, note: longNote(j).slice(0, 2000),
          held_on: `2024-${String((j % 12) + 1).padStart(2, '0')}-15`, people_reached: j,
        }));
      }
      created.push(...(await Promise.all(batch)));
    }
  });

  test('every matching row, whatever limit and offset say, in chunks', async () => {
    const page = await api('GET', '/activities', { as: P, query: { q: tag } });
    assert.equal(page.json.total, N);
    assert.equal(page.json.items.length, 50, 'the JSON list pages');

    for (const query of [{ q: tag }, { q: tag, limit: 10 }, { q: tag, limit: 1, offset: 60 }]) {
      const r = await getCsv('/activities', { query, how: 'accept' });
      assert.equal(r.status, 200, csvShow(r));
      assert.equal(r.rows.length, N, `${JSON.stringify(query)}: every row`);
      const idCol = r.header.indexOf('id');
      assert.deepEqual(new Set(r.rows.map((x) => x[idCol])), new Set(created.map((a) => a.id)));
      assert.ok(r.bytes.length > 128 * 1024, `the export is ${r.bytes.length} bytes`);
      assert.equal(r.headers.get('content-length'), null, 'streamed: no Content-Length');
    }
    // And the values are right in every chunk.
    const { csv } = await assertExportMatchesJson('/activities', { q: tag, sort: 'title' }, { min: N });
    const noteCol = csv.header.indexOf('note');
    csv.rows.forEach((r, k) => assert.equal(r[noteCol], longNote(k).slice(0, 2000), `row ${k} note`));
  });
});
