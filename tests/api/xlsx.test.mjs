// The Excel exports (format=xlsx, issue 13 item 2): every export that answers CSV answers .xlsx
// too, from the same rows, opened here as a spreadsheet program reads it (tests/xlsx.mjs) and
// checked cell by cell:
//   - the file: its media type and name, a sheet named in Vietnamese, a bold header row that is
//     frozen and filtered, column widths within limits;
//   - cell types: text as text (a name starting with = stays text: no cell is ever a formula),
//     numbers as numbers, days and moments as real dates shown dd/mm/yyyy (HH:MM), rates as
//     fractions shown as percentages;
//   - against the API's JSON (a team, the figures, a deadline's targets) and against the CSV of
//     the same export (every list with labels), so both writers render the same rows;
//   - columns=api in Excel (the API's names and values), the Accept header, and errors that stay
//     problem+json.

import { describe, test } from 'node:test';
import {
  DEMO, api, assert, assertProblem, createActivity, createEnterprise, createMember, createTeam,
  csvTextCell, expectStatus, fetchBytes, parseCsv, uniq,
} from './lib.mjs';
import { assertOverviewWorkbook } from '../figures.mjs';
import { columnLetters, readXlsx } from '../xlsx.mjs';

const P = 'demo.province';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const YEAR = new Date().getFullYear();

/** The export as a workbook, after checking that it is one. */
async function workbook(path, query, { as = P, headers = {} } = {}) {
  const res = await fetchBytes(path, { as, query, headers });
  assert.equal(res.status, 200, `${path}: ${res.bytes.toString().slice(0, 300)}`);
  assert.equal(res.headers.get('content-type'), XLSX);
  assert.equal(res.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip');
  return { book: readXlsx(res.bytes), headers: res.headers };
}

/** The CSV of the same export, as rows of cells (BOM off). */
async function csvRows(path, query, as = P) {
  const res = await api('GET', path, { as, query: { ...query, format: 'csv' } });
  expectStatus(res, 200, path);
  return parseCsv(res.text.replace(/^\ufeff/, ''));
}

const two = (n) => String(n).padStart(2, '0');
/** A moment as Vietnam reads it (UTC+7, no daylight saving): YYYY-MM-DDTHH:MM:SS. */
const vnMoment = (iso) => new Date(Date.parse(iso) + 7 * 3600e3).toISOString().slice(0, 19);
const vnRate = (r) => `${String(Math.round(r * 1000) / 10).replace('.', ',')}%`;

/** What the CSV of the same export holds where the workbook has `cell`. */
function asCsv(cell) {
  if (!cell) return '';
  if (cell.type === 'text') return csvTextCell(cell.value);
  if (cell.type === 'boolean') return String(cell.value);
  if (cell.type === 'date') {
    const [y, m, d] = cell.value.slice(0, 10).split('-');
    return cell.format === 'dd/mm/yyyy hh:mm' ? `${d}/${m}/${y} ${cell.value.slice(11, 16)}` : `${d}/${m}/${y}`;
  }
  return cell.format === '0.0%' ? vnRate(cell.value) : String(cell.value);
}

/** The shape every export's workbook has: sheet, bold frozen filtered header, widths. */
function assertSheet(book, sheet, columns) {
  assert.equal(book.sheet, sheet);
  const header = book.rows[0];
  assert.equal(header.length, columns);
  for (const h of header) {
    assert.equal(h.type, 'text');
    assert.equal(h.bold, true, `header ${h.value} is bold`);
  }
  assert.deepEqual(book.frozen, { rows: 1, state: 'frozen' }, 'the header row stays in view');
  assert.equal(book.filter, `A1:${columnLetters(columns)}${book.rows.length}`, 'the header row filters every row');
  assert.equal(book.widths.length, columns, 'every column has a width');
  for (const w of book.widths) assert.ok(w >= 8 && w <= 51, `width ${w}`);
  // A header over 24 characters wraps onto more lines, and the row is made tall enough for them.
  const longest = Math.max(...header.map((h) => h.value.length));
  assert.ok(longest <= 24 ? book.headerHeight === 15 : book.headerHeight >= 30, `header row ${book.headerHeight} pt for ${longest} characters`);
  for (const row of book.rows) for (const c of row ?? []) assert.equal(c?.formula, undefined, 'no formula anywhere');
}

describe('Excel exports (format=xlsx)', () => {
  test('a team: the file, its sheet, and each cell typed, against the JSON', async () => {
    const tag = uniq('Tổ Excel');
    const name = `=HYPERLINK("http://x","${tag}") & <b> _x0041_`;
    const team = await createTeam('demo.commune', { name, kind: 'hamlet', hamlet: '+84 Khu phố 9', established_on: '2025-03-04', note: '@chú ý\r\nhai dòng' });
    const { book, headers } = await workbook('/teams', { format: 'xlsx', q: tag });
    assert.equal(headers.get('content-disposition'), 'attachment; filename="teams.xlsx"');
    assertSheet(book, 'Tổ CNSCĐ', 18);
    const csvHeader = (await csvRows('/teams', { columns: 'labels', q: tag }))[0];
    assert.deepEqual(book.rows[0].map((c) => c.value), csvHeader, 'the CSV\'s headers, in its order');
    const rows = book.records();
    assert.equal(rows.length, 1);
    const row = rows[0];
    const doc = (await api('GET', `/teams/${team.id}`, { as: P })).json;

    // Text is text, exactly as stored: no guard, no formula, escapes and markup as written.
    assert.deepEqual(row['Tên tổ'], { type: 'text', value: name, format: 'General', bold: false });
    assert.equal(row['Khu phố, ấp'].value, '+84 Khu phố 9');
    assert.equal(row['Ghi chú'].value, '@chú ý\r\nhai dòng');
    assert.deepEqual([row['Loại tổ'].value, row['Trạng thái'].value], ['Tổ khu phố, ấp', 'Đang hoạt động']);
    // A code stays text (its leading zeros too); names beside it.
    assert.deepEqual([row['Mã xã'].type, row['Mã xã'].value], ['text', DEMO.commune]);
    assert.equal(row['Xã, phường, thị trấn'].value, 'Phường Thủ Dầu Một');
    assert.equal(row['Quận, huyện'].value, 'Khu vực Thủ Dầu Một');
    assert.equal(row['Tỉnh, thành phố'].value, 'Thành phố Hồ Chí Minh');
    // A day is a date shown dd/mm/yyyy (45720 is 04/03/2025 in Excel's 1900 system).
    assert.deepEqual(row['Ngày thành lập'], { type: 'date', value: '2025-03-04', serial: 45720, format: 'dd/mm/yyyy', bold: false });
    // A moment is a date with its time in Vietnam, shown dd/mm/yyyy hh:mm.
    assert.equal(row['Ngày cập nhật'].type, 'date');
    assert.equal(row['Ngày cập nhật'].format, 'dd/mm/yyyy hh:mm');
    assert.equal(row['Ngày cập nhật'].value, vnMoment(doc.updated_at));
    // Numbers are numbers.
    assert.deepEqual([row['Số thành viên'].type, row['Số thành viên'].value], ['number', doc.member_count]);
    assert.equal(row['Cơ cấu'].value, 'Chưa đạt cơ cấu');
    assert.match(row['Lý do chưa đạt'].value, /Chưa đủ số thành viên tối thiểu/);
    assert.equal(row['Tổ trưởng'], undefined, 'no leader: an empty cell');
  });

  test('every list with labels: the same rows as its CSV, cell by cell', async () => {
    const tag = uniq('Xuất Excel');
    const enterprise = await createEnterprise(P, { name: `${tag} Công ty`, contact_phone: '+84912345678' });
    const team = await createTeam('demo.commune', { name: `${tag} tổ`, established_on: '2024-05-06' });
    await createMember('demo.commune', team.id, { full_name: `${tag} Trần Thị A`, position: 'leader', birth_year: 1990, trained_on: '2025-01-02', joined_on: '2024-05-06' });
    await createActivity('demo.commune', team.id, { title: `=${tag} hoạt động`, held_on: '2026-02-03', people_reached: 12, outcomes: { vneid_activations: 3 } });
    const client = await api('POST', '/clients', { as: P, body: { name: `${tag} hệ thống`, role: 'commune', unit_code: DEMO.commune } });
    expectStatus(client, 201);
    // A deadline of the commune's own, done: its list (mine=true) has a moment of completion.
    const due = '2031-01-17';
    const mine = await api('POST', '/deadlines', { as: 'demo.district', body: { title: `${tag} nhiệm vụ`, kind: 'other', due_on: due, target_level: 'commune', scope_unit: DEMO.district } });
    expectStatus(mine, 201);
    expectStatus(await api('POST', `/deadlines/${mine.json.id}/complete`, { as: 'demo.commune', body: { note: '=ghi chú' } }), 200);
    const report2024 = (await api('GET', '/deadlines', { as: P, query: { kind: 'report', to: '2024-12-31', limit: 100 } })).json.items
      .find((d) => d.targets.total > 10);
    const lists = [
      ['/units', { parent: '718', on: '2024-06-30' }, 'Đơn vị hành chính', P, { 'Ngày hết hiệu lực': 'date', 'Mã đơn vị': 'text' }],
      ['/enterprises', { q: tag }, 'Doanh nghiệp, cơ quan, tổ chức', P, { 'Ngày tạo': 'date', 'Mã số thuế': 'text' }],
      ['/teams', { q: tag }, 'Tổ CNSCĐ', P, { 'Ngày thành lập': 'date', 'Số thành viên': 'number' }],
      ['/members', { team: team.id }, 'Thành viên', P, { 'Năm sinh': 'number', 'Ngày hoàn thành tập huấn': 'date', 'Ngày tham gia': 'date' }],
      ['/activities', { team: team.id }, 'Hoạt động', P, { 'Ngày': 'date', 'Số người được hỗ trợ': 'number', 'Tài khoản định danh điện tử được kích hoạt': 'number' }],
      ['/deadlines', { to: '2024-12-31' }, 'Nhiệm vụ có thời hạn', P, { 'Hạn hoàn thành': 'date', 'Số đơn vị': 'number' }],
      ['/deadlines', { mine: 'true', from: due, to: due }, 'Nhiệm vụ của đơn vị', 'demo.commune', { 'Hạn hoàn thành': 'date', 'Thời điểm hoàn thành': 'date' }],
      [`/deadlines/${report2024.id}/targets`, { sort: 'unit_code' }, 'Tình hình thực hiện', P, { 'Hạn hoàn thành': 'date' }],
      ['/users', { q: 'demo' }, 'Người dùng', P, { 'Ngày tạo': 'date' }],
      ['/audit', { resource_id: team.id }, 'Nhật ký thao tác', P, { 'Thời điểm': 'date' }],
      ['/clients', { q: tag }, 'Ứng dụng kết nối', P, { 'Ngày tạo': 'date' }],
    ];
    for (const [path, query, sheet, as, types] of lists) {
      const { book } = await workbook(path, { ...query, format: 'xlsx', columns: 'labels' }, { as });
      const csv = await csvRows(path, { ...query, columns: 'labels' }, as);
      assertSheet(book, sheet, csv[0].length);
      assert.ok(csv.length > 1, `${path}: rows to compare`);
      assert.equal(book.rows.length, csv.length, `${path}: the header and every row`);
      book.rows.forEach((row, r) => csv[r].forEach((cell, c) => {
        assert.equal(asCsv(row?.[c]), cell, `${path} row ${r + 1}, ${csv[0][c]}`);
      }));
      const records = book.records();
      for (const [h, type] of Object.entries(types)) {
        const cells = records.map((x) => x[h]).filter(Boolean);
        assert.ok(cells.length > 0, `${path}: ${h} has values`);
        for (const cell of cells) assert.equal(cell.type, type, `${path}: ${h} is ${type}`);
      }
    }
    assert.ok(enterprise.id);
  });

  test('the figures: one row per child unit and the totals, numbers, dates and percentages', async () => {
    const query = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
    const overview = (await api('GET', '/stats/overview', { as: P, query })).json;
    const { book, headers } = await workbook('/stats/overview', { ...query, format: 'xlsx' });
    assert.equal(headers.get('content-disposition'), 'attachment; filename="stats-overview.xlsx"');
    assertSheet(book, 'Số liệu tổng hợp', 27);
    const rates = assertOverviewWorkbook(book, overview, query.from, query.to);
    assert.ok(rates > 0, 'some rates to check');
    // columns=api: the API's names, and its values as the JSON has them.
    const machine = (await workbook('/stats/overview', { ...query, format: 'xlsx', columns: 'api' })).book;
    assert.deepEqual(machine.rows[0].slice(0, 4).map((c) => c.value), ['code', 'name', 'level', 'communes_total']);
    const total = machine.records().at(-1);
    assert.equal(total.level.value, 'total');
    assert.deepEqual([total.activities.type, total.activities.value], ['number', overview.totals.activities]);
    // Out of scope is 404 problem+json, in Excel as in CSV.
    assertProblem(await api('GET', '/stats/overview', { as: 'demo.commune', query: { unit: DEMO.province, format: 'xlsx' } }), 404);
  });

  test('a deadline\'s targets: which communes are late, as the targets list says', async () => {
    const d = (await api('GET', '/deadlines', { as: P, query: { kind: 'report', to: '2024-12-31', limit: 100 } })).json.items
      .find((x) => x.targets.total > 10);
    assert.ok(d, 'the demo has the report deadline of 2024');
    const { book } = await workbook(`/deadlines/${d.id}/targets`, { format: 'xlsx', sort: 'unit_code' });
    assertSheet(book, 'Tình hình thực hiện', 13);
    const rows = book.records();
    const items = (await api('GET', `/deadlines/${d.id}/targets`, { as: P, query: { limit: 1000, sort: 'unit_code' } })).json.items;
    assert.equal(rows.length, items.length);
    const STATUS = { pending: 'Chưa đến hạn', overdue: 'Quá hạn', done: 'Đã hoàn thành' };
    items.forEach((t, i) => {
      const row = rows[i];
      assert.deepEqual([row['Mã đơn vị'].type, row['Mã đơn vị'].value], ['text', t.unit_code.split('@')[0]]);
      assert.equal(row['Tên đơn vị'].value, t.unit_name);
      assert.deepEqual([row['Hạn hoàn thành'].type, row['Hạn hoàn thành'].value, row['Hạn hoàn thành'].format], ['date', d.due_on, 'dd/mm/yyyy']);
      assert.equal(row['Kết quả'].value, t.status === 'done' ? (t.on_time ? 'Đúng hạn' : 'Trễ hạn') : STATUS[t.status]);
      assert.equal(row['Trạng thái'].value, STATUS[t.status]);
      if (t.completed_at) {
        assert.deepEqual([row['Thời điểm hoàn thành'].type, row['Thời điểm hoàn thành'].value], ['date', vnMoment(t.completed_at)]);
      } else {
        assert.equal(row['Thời điểm hoàn thành'], undefined);
      }
      assert.equal(row['Báo cáo đính kèm'].value, t.report ? 'Có' : 'Không');
    });
    assert.ok(rows.some((r) => r['Kết quả'].value === 'Quá hạn'), 'the late communes are there');
    assert.ok(rows.some((r) => r['Kết quả'].value === 'Trễ hạn'), 'and the one done late');
  });

  test('columns=api, the Accept header, and errors that stay problem+json', async () => {
    const tag = uniq('Tổ API');
    const team = await createTeam('demo.commune', { name: tag, established_on: '2025-03-04' });
    // columns=api: the API's names and values as the JSON types them (days stay ISO text).
    const { book } = await workbook('/teams', { format: 'xlsx', columns: 'api', q: tag });
    assertSheet(book, 'Tổ CNSCĐ', 19);
    const row = book.records()[0];
    assert.deepEqual([row.id.type, row.id.value], ['text', team.id]);
    assert.deepEqual([row.established_on.type, row.established_on.value], ['text', '2025-03-04']);
    assert.deepEqual([row.member_count.type, row.member_count.value], ['number', 0]);
    assert.deepEqual([row['compliance.ok'].type, row['compliance.ok'].value], ['boolean', false]);
    assert.deepEqual([row.version.type, row.version.value], ['number', 1]);
    // Accept names the type: the labelled columns, as format=xlsx gives.
    const byAccept = await workbook('/teams', { q: tag }, { headers: { Accept: `${XLSX}, application/json;q=0.5` } });
    assert.equal(byAccept.book.rows[0][0].value, 'Tên tổ');
    const jsonFirst = await api('GET', '/teams', { as: P, query: { q: tag }, headers: { Accept: `application/json, ${XLSX}` } });
    assert.match(jsonFirst.headers.get('content-type'), /^application\/json/);
    // Errors are problem+json, never a half-written workbook.
    const bad = assertProblem(await api('GET', '/teams', { as: P, query: { format: 'xls' } }), 422, { fields: ['format'] });
    assert.match(bad.errors[0].message, /csv, xlsx or json/);
    assertProblem(await api('GET', '/teams', { as: P, query: { format: 'xlsx', columns: 'pretty' } }), 422, { fields: ['columns'] });
    assertProblem(await api('GET', '/teams', { as: P, query: { format: 'xlsx', sort: 'nope' } }), 422, { fields: ['sort'] });
    assertProblem(await api('GET', '/teams', { query: { format: 'xlsx' } }), 401);
    assertProblem(await api('GET', '/deadlines/00000000-0000-4000-8000-000000000000/targets', { as: 'demo.commune', query: { format: 'xlsx' } }), 404);
  });

  test('scope holds: a commune\'s workbook has its own teams only', async () => {
    const { book } = await workbook('/teams', { format: 'xlsx' }, { as: 'demo.commune.dian' });
    const rows = book.records();
    assert.ok(rows.length > 0);
    for (const r of rows) assert.equal(r['Mã xã'].value, DEMO.dian);
  });
});
