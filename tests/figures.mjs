// The figures export's columns a person reads (GET /stats/overview?columns=labels, CSV or .xlsx):
// each header with the overview's field it shows, for the API and browser tests that check the
// files cell by cell against GET /stats/overview (server/src/api/stats.c, sql/functions/46_reports.sql),
// and the check of the Excel workbook itself.

import assert from 'node:assert/strict';

/** The counts: header → the figure's name in the overview's rows and totals. */
export const OVERVIEW_COUNTS = {
  'Số xã, phường, thị trấn': 'communes_total', 'Số xã có tổ': 'communes_with_team',
  'Số khu phố, ấp có tổ': 'hamlets_with_team', 'Tổ đang hoạt động': 'teams_active',
  'Tổ đạt cơ cấu': 'teams_compliant', 'Thành viên': 'members_active', 'Thành viên đã tập huấn': 'members_trained',
  'Số hoạt động': 'activities', 'Số người được hỗ trợ': 'people_reached',
  'Tài khoản định danh điện tử được kích hoạt': 'vneid_activations', 'Hồ sơ dịch vụ công trực tuyến': 'public_service_applications',
  'Tài khoản thanh toán được mở': 'cashless_accounts', 'Gian hàng thương mại điện tử': 'ecommerce_shops',
  'Lượt cài đặt ứng dụng': 'app_installs', 'Người được tập huấn kỹ năng số': 'people_trained',
  'Nhiệm vụ chưa đến hạn': 'targets_pending', 'Nhiệm vụ quá hạn': 'targets_overdue',
  'Hoàn thành đúng hạn': 'targets_done_on_time', 'Hoàn thành trễ hạn': 'targets_done_late',
};

/** The rates: header → [part, whole] of a row's figures (empty when the whole is 0). */
export const OVERVIEW_RATES = {
  'Tỷ lệ xã có tổ': (f) => [f.communes_with_team, f.communes_total],
  'Tỷ lệ tổ đạt cơ cấu': (f) => [f.teams_compliant, f.teams_active],
  'Tỷ lệ đã tập huấn': (f) => [f.members_trained, f.members_active],
};

/** The rows the export has, in order: one per child unit, then the totals. */
export const overviewRows = (overview) => [
  ...overview.children.map((c) => ({ code: c.code, name: c.name, f: c })),
  { code: null, name: `Tổng cộng: ${overview.unit.name}`, f: overview.totals },
];

/**
 * Asserts the figures workbook (tests/xlsx.mjs's readXlsx, columns=labels) cell by cell against
 * GET /stats/overview's answer for from..to: a bold header, one row per child unit and the totals,
 * counts as numbers, the dates as dates shown dd/mm/yyyy, the rates as fractions shown as
 * percentages (an empty cell where there is nothing to take a rate of). Returns the rates checked.
 */
export function assertOverviewWorkbook(book, overview, from, to) {
  assert.equal(book.sheet, 'Số liệu tổng hợp');
  assert.deepEqual(book.frozen, { rows: 1, state: 'frozen' });
  assert.ok(book.rows[0].every((c) => c.type === 'text' && c.bold), 'a bold header row');
  const want = overviewRows(overview);
  const rows = book.records();
  assert.equal(rows.length, want.length, 'a row per child unit and the totals');
  let rates = 0;
  rows.forEach((row, i) => {
    const w = want[i];
    assert.equal(row['Mã đơn vị']?.value ?? null, w.code);
    assert.equal(row['Đơn vị'].value, w.name);
    assert.deepEqual([row['Từ ngày'].type, row['Từ ngày'].value, row['Từ ngày'].format], ['date', from, 'dd/mm/yyyy']);
    assert.deepEqual([row['Đến ngày'].type, row['Đến ngày'].value], ['date', to]);
    for (const [h, k] of Object.entries(OVERVIEW_COUNTS)) {
      assert.deepEqual([row[h].type, row[h].value], ['number', w.f[k]], `${w.name}: ${h}`);
    }
    for (const [h, parts] of Object.entries(OVERVIEW_RATES)) {
      const [part, whole] = parts(w.f);
      if (!whole) {
        assert.equal(row[h], undefined, `${w.name}: ${h} empty, nothing to take a rate of`);
        continue;
      }
      assert.deepEqual([row[h].type, row[h].format], ['number', '0.0%'], `${w.name}: ${h} shown as a percentage`);
      assert.ok(Math.abs(row[h].value - part / whole) < 1e-12, `${w.name}: ${h} ${row[h].value} = ${part}/${whole}`);
      rates += 1;
    }
    const onTime = row['Tỷ lệ đúng hạn'];
    if (w.f.on_time_rate === null) assert.equal(onTime, undefined, `${w.name}: no on-time rate`);
    else assert.deepEqual([onTime.type, onTime.value, onTime.format], ['number', w.f.on_time_rate, '0.0%']);
  });
  return rates;
}
