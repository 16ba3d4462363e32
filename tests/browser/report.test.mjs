// The periodic report and the exports a person reads (issue 13, items 2 and 3), as a steering
// committee uses them in the browser:
//   - the province previews its year's report, downloads the PDF, and the PDF is checked page by
//     page (pdfinfo, pdftoppm, pdftotext -bbox): A4, the decree's heading blocks where the decree
//     puts them, inside its margins, the figures equal the API's;
//   - the figures export and a deadline's targets export are downloaded and checked cell by cell
//     against the API, as CSV and as an Excel workbook (.xlsx, read as a spreadsheet program does:
//     tests/xlsx.mjs, with each cell's type and number format);
//   - a commune answers a report deadline with "Đính kèm báo cáo" and its district reads it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  DEMO, DESKTOP, PHONE, apiOk, assert, assertClean, close, closeBrowser, downloadBy, fmtNumber, newPage,
  screenshot, settled, signIn, todayPlus, uniq,
} from './lib.mjs';
import { OVERVIEW_COUNTS, OVERVIEW_RATES, assertOverviewWorkbook, overviewRows } from '../figures.mjs';
import { readXlsx } from '../xlsx.mjs';

after(closeBrowser);

const YEAR = new Date().getFullYear();
const MM = 72 / 25.4; // PDF points per millimetre

/** A CSV's rows (RFC 4180), the BOM off. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\ufeff/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && s[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; i++;
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The words of one page with their boxes (pdftotext -bbox), in points from the top left. */
function pageWords(pdf, n) {
  const html = execFileSync('pdftotext', ['-bbox', '-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' });
  const page = html.match(/<page width="([\d.]+)" height="([\d.]+)">/);
  const words = [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .map((m) => ({ x0: +m[1], y0: +m[2], x1: +m[3], y1: +m[4], text: m[5].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"') }));
  return { width: +page[1], height: +page[2], words };
}

const find = (p, text) => p.words.find((w) => w.text === text);
/** The demo's report deadline of 2024 (Bình Dương's 91 communes: one on time, one late, the rest overdue). */
const report2024 = async () => (await apiOk('GET', '/deadlines', { query: { kind: 'report', limit: 100 } })).items
  .find((x) => x.targets.total > 10);

const vnRate = (part, whole) => {
  if (!whole) return '';
  const r = Math.round((1000 * part) / whole) / 10;
  return `${String(r).replace('.', ',')}%`;
};

describe('periodic report', () => {
  test('the province previews its year\'s report and prints it as PDF: checked page by page', async () => {
    const page = await newPage(DESKTOP, { acceptDownloads: true });
    await signIn(page, 'demo.province', { hash: '#/reports' });
    await settled(page);
    await page.getByLabel('Kỳ báo cáo').selectOption('year');
    await page.getByLabel('Tháng, quý hoặc nửa năm').selectOption('');
    await page.getByRole('textbox', { name: 'Năm' }).fill(String(YEAR));
    await page.getByLabel('Người ký').fill('Nguyễn Văn <An>');
    await page.getByRole('button', { name: 'Xem báo cáo' }).click();
    await page.waitForURL(/period=year/);
    await settled(page);
    const frame = page.frameLocator('iframe.report-frame');
    await frame.locator('h1.bc-kind').waitFor();
    assert.equal(await frame.locator('h1.bc-kind').textContent(), 'Báo cáo');
    // The frame's stylesheet is the linked css/report.css: the title is upper-cased by it.
    assert.equal(await frame.locator('h1.bc-kind').evaluate((el) => getComputedStyle(el).textTransform), 'uppercase');
    assert.equal(await frame.locator('.bc-sign-name').textContent(), 'Nguyễn Văn <An>');
    const figures = await apiOk('GET', '/reports/periodic', { query: { period: 'year', year: YEAR, format: 'json' } });
    const overview = await apiOk('GET', '/stats/overview', { query: { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` } });
    assert.deepEqual(figures.overview.totals, overview.totals);
    for (const key of ['activities', 'people_reached', 'vneid_activations', 'app_installs']) {
      assert.equal(await frame.locator(`tr[data-figure="${key}"] td.num`).last().textContent(), fmtNumber(overview.totals[key]), key);
    }
    await screenshot(page, 'report-province-1280');

    const download = await downloadBy(page.getByRole('button', { name: 'Tải PDF' }));
    assert.equal(download.suggestedFilename(), `bao-cao-${DEMO.province}-year-${YEAR}.pdf`);
    const dir = mkdtempSync(join(tmpdir(), 'cdt-report-'));
    const pdf = join(dir, 'report.pdf');
    await download.saveAs(pdf);
    assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');

    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    const pages = Number(info.match(/^Pages:\s+(\d+)/m)[1]);
    assert.ok(pages >= 2, `the province's report with its 36 communes spans pages (${pages})`);
    assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    // Every page renders (pdftoppm), each a picture of its own with something on it.
    execFileSync('pdftoppm', ['-r', '40', '-png', pdf, join(dir, 'page')]);
    const pngs = readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    assert.equal(pngs.length, pages, 'one image per page');
    for (const f of pngs) assert.ok(statSync(join(dir, f)).size > 2000, `${f} is not blank`);

    for (let n = 1; n <= pages; n++) {
      const p = pageWords(pdf, n);
      assert.equal(Math.round(p.width), 595);
      assert.equal(Math.round(p.height), 842);
      const body = p.words.filter((w) => !(n > 1 && w.y1 < 20 * MM)); // the page number sits in the top margin
      // The decree's margins: left 30 mm, right 15 mm, top 20 mm, bottom 20 mm (1 mm of slack).
      for (const w of body) {
        assert.ok(w.x0 >= 29 * MM, `page ${n}: "${w.text}" inside the left margin (${w.x0})`);
        assert.ok(w.x1 <= p.width - 14 * MM, `page ${n}: "${w.text}" inside the right margin (${w.x1})`);
        assert.ok(w.y0 >= 19 * MM, `page ${n}: "${w.text}" inside the top margin (${w.y0})`);
        assert.ok(w.y1 <= p.height - 19 * MM, `page ${n}: "${w.text}" inside the bottom margin (${w.y1})`);
      }
      const number = p.words.find((w) => w.y1 < 20 * MM);
      if (n === 1) assert.equal(number, undefined, 'no page number on the first page');
      else {
        assert.equal(number?.text, String(n), `page ${n} is numbered at the top`);
        assert.ok(Math.abs((number.x0 + number.x1) / 2 - (30 * MM + (p.width - 15 * MM)) / 2) < 10, 'centred');
      }
    }

    // Page 1: the issuing body top left, quốc hiệu and tiêu ngữ top right, then the title.
    const first = pageWords(pdf, 1);
    const mid = first.width / 2 + 7.5 * MM; // the middle of the text block
    const ubnd = find(first, 'UBND');
    const cong = find(first, 'CỘNG');
    const doc = find(first, 'Độc');
    const so = find(first, 'Số:');
    const title = find(first, 'BÁO');
    assert.ok(ubnd && cong && doc && so && title, 'heading words found');
    // The heading's two columns (css/report.css): 40% of the text block from the left margin, the rest.
    const split = 30 * MM + 0.40 * 165 * MM;
    assert.ok(ubnd.x0 < split && so.x1 < split, 'the issuing body and its number on the left');
    assert.ok(cong.x0 > split - 5 && doc.x0 > split, 'quốc hiệu and tiêu ngữ on the right');
    assert.ok(Math.abs(ubnd.y0 - cong.y0) < 3, 'both blocks start on the first line');
    assert.ok(cong.y0 < 30 * MM, 'at the top of the page');
    assert.ok(doc.y0 > cong.y0 && so.y0 > ubnd.y0, 'tiêu ngữ under quốc hiệu, số under the body');
    assert.ok(title.y0 > so.y0, 'the title below the heading');
    const text1 = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' });
    assert.match(text1, /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/);
    assert.match(text1, /Độc lập - Tự do - Hạnh phúc/);
    assert.match(text1, /BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ/);
    assert.match(text1, /Thành phố Hồ Chí Minh, ngày \d{2} tháng \d{1,2} năm \d{4}/, 'place and date on one line');
    assert.match(text1, /Kết quả hoạt động của Tổ công nghệ số cộng đồng năm \d{4}/);
    assert.match(text1, /Số liệu tính đến \d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}/);
    // The figures equal the API's.
    const flat = text1.replace(/\s+/g, ' ');
    assert.ok(flat.includes(`có ${fmtNumber(overview.totals.communes_with_team)}/${fmtNumber(overview.totals.communes_total)} xã, phường, thị trấn`));
    assert.ok(flat.includes(`${fmtNumber(overview.totals.teams_active)} tổ đang hoạt động`));
    assert.ok(flat.includes(`${fmtNumber(overview.totals.members_active)} thành viên`));
    for (const [label, key] of [['Số hoạt động', 'activities'], ['Số người được hỗ trợ', 'people_reached'],
      ['Lượt cài đặt ứng dụng', 'app_installs']]) {
      const line = text1.split('\n').find((l) => l.includes(label));
      assert.ok(line, `the outcomes table has ${label}`);
      assert.equal(line.trim().split(/\s+/).at(-1), fmtNumber(overview.totals[key]), label);
    }
    // The last page: Nơi nhận bottom left, the signer bottom right.
    const last = pageWords(pdf, pages);
    const noi = find(last, 'Nhận:') || find(last, 'nhận:');
    const tm = find(last, 'TM.');
    const name = find(last, '<An>');
    assert.ok(noi && tm && name, 'recipients and signer on the last page');
    assert.ok(noi.x1 < mid && tm.x0 > mid, 'recipients left, signer right');
    assert.ok(name.y0 > tm.y0 + 15 * MM, 'room for the signature above the name');
    const lastText = execFileSync('pdftotext', ['-layout', '-f', String(pages), '-l', String(pages), pdf, '-'], { encoding: 'utf8' });
    assert.match(lastText, /Tổng cộng/);
    const totalLine = lastText.split('\n').find((l) => l.includes('Tổng cộng'));
    assert.ok(totalLine.includes(`${overview.totals.communes_with_team}/${overview.totals.communes_total}`));
    assert.ok(totalLine.includes(fmtNumber(overview.totals.people_reached)));
    await assertClean(page);
    await close(page);
  });

  test('the figures export, downloaded from the report page, equals the API cell by cell', async () => {
    const page = await newPage(PHONE, { acceptDownloads: true });
    await signIn(page, 'demo.province', { hash: `#/reports?period=quarter&number=q4&year=${YEAR}` });
    await settled(page);
    await page.frameLocator('iframe.report-frame').locator('h1.bc-kind').waitFor();
    const download = await downloadBy(page.getByRole('button', { name: 'Xuất số liệu (CSV)' }));
    const text = readFileSync(await download.path(), 'utf8');
    assert.ok(text.startsWith('\ufeff'), 'a BOM, for Excel');
    const [header, ...rows] = parseCsv(text);
    assert.deepEqual(header.slice(0, 7), ['Mã đơn vị', 'Đơn vị', 'Từ ngày', 'Đến ngày', 'Số xã, phường, thị trấn', 'Số xã có tổ', 'Tỷ lệ xã có tổ']);
    const overview = await apiOk('GET', '/stats/overview', { query: { from: `${YEAR}-10-01`, to: `${YEAR}-12-31` } });
    assert.equal(rows.length, overview.children.length + 1, 'a row per child unit and the totals');
    const want = overviewRows(overview);
    rows.forEach((row, i) => {
      const cell = Object.fromEntries(header.map((h, k) => [h, row[k]]));
      const w = want[i];
      assert.equal(row.length, header.length, `row ${i + 1}: every cell`);
      assert.equal(cell['Mã đơn vị'], w.code ?? '');
      assert.equal(cell['Đơn vị'], w.name);
      assert.equal(cell['Từ ngày'], `01/10/${YEAR}`);
      assert.equal(cell['Đến ngày'], `31/12/${YEAR}`);
      for (const [h, k] of Object.entries(OVERVIEW_COUNTS)) assert.equal(cell[h], String(w.f[k]), `${w.name}: ${h}`);
      for (const [h, parts] of Object.entries(OVERVIEW_RATES)) assert.equal(cell[h], vnRate(...parts(w.f)), `${w.name}: ${h}`);
      assert.equal(cell['Tỷ lệ đúng hạn'], w.f.on_time_rate === null ? '' : vnRate(w.f.on_time_rate * 10000, 10000), `${w.name}: on time`);
    });

    // The same figures as an Excel workbook: counts as numbers, dates as dates, rates as percentages.
    const xlsx = await downloadBy(page.getByRole('button', { name: 'Tải Excel (.xlsx)' }));
    assert.equal(xlsx.suggestedFilename(), `so-lieu-bao-cao-${DEMO.province}-quarter-4-${YEAR}.xlsx`);
    const book = readXlsx(readFileSync(await xlsx.path()));
    assert.deepEqual(book.rows[0].map((c) => c.value), header, 'the CSV\'s columns');
    assertOverviewWorkbook(book, overview, `${YEAR}-10-01`, `${YEAR}-12-31`);
    await screenshot(page, 'report-province-360');
    await assertClean(page);
    await close(page);
  });

  test('a deadline\'s targets export: which communes are late, cell by cell against the API', async () => {
    const d = await report2024();
    const page = await newPage(DESKTOP, { acceptDownloads: true });
    await signIn(page, 'demo.province', { hash: `#/deadlines/${d.id}` });
    await settled(page);
    const download = await downloadBy(page.locator('#targets-export'));
    const [header, ...rows] = parseCsv(readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(header, ['Mã đơn vị', 'Tên đơn vị', 'Quận, huyện', 'Doanh nghiệp, cơ quan, tổ chức', 'Mã số thuế',
      'Hạn hoàn thành', 'Kết quả', 'Trạng thái', 'Thời điểm hoàn thành', 'Người hoàn thành', 'Báo cáo đính kèm', 'Ghi chú', 'Liên kết']);
    const items = (await apiOk('GET', `/deadlines/${d.id}/targets`, { query: { limit: 1000, sort: 'status,name' } })).items;
    assert.equal(rows.length, items.length);
    const STATUS = { pending: 'Chưa đến hạn', overdue: 'Quá hạn', done: 'Đã hoàn thành' };
    items.forEach((t, i) => {
      const c = Object.fromEntries(header.map((h, k) => [h, rows[i][k]]));
      assert.equal(c['Mã đơn vị'], (t.unit_code || '').split('@')[0]);
      assert.equal(c['Tên đơn vị'], t.unit_name || t.enterprise_name);
      assert.equal(c['Hạn hoàn thành'], d.due_on.split('-').reverse().join('/'));
      assert.equal(c['Kết quả'], t.status === 'done' ? (t.on_time ? 'Đúng hạn' : 'Trễ hạn') : STATUS[t.status]);
      assert.equal(c['Trạng thái'], STATUS[t.status]);
      assert.equal(c['Thời điểm hoàn thành'], t.completed_at
        ? new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .format(new Date(t.completed_at)).replace(',', '') : '');
      assert.equal(c['Người hoàn thành'], t.completed_by === 'auto' ? 'Tự động (đủ tổ đạt cơ cấu)' : t.completed_by || '');
      assert.equal(c['Báo cáo đính kèm'], t.report ? 'Có' : 'Không');
      assert.equal(c['Ghi chú'], t.note || '');
      assert.equal(c['Liên kết'], t.link || '');
    });
    assert.ok(rows.some((r) => r[6] === 'Quá hạn'), 'the late communes are there');
    await assertClean(page);
    await close(page);
  });

  test('a deadline\'s targets as Excel (Tải Excel (.xlsx)): typed cells, cell by cell against the API', async () => {
    const d = await report2024();
    const page = await newPage(PHONE, { acceptDownloads: true });
    await signIn(page, 'demo.province', { hash: `#/deadlines/${d.id}?status=overdue` });
    await settled(page);
    const download = await downloadBy(page.getByRole('button', { name: 'Tải Excel (.xlsx)' }));
    assert.equal(download.suggestedFilename(), `tinh-hinh-thuc-hien-${d.due_on}.xlsx`);
    const book = readXlsx(readFileSync(await download.path()));
    assert.equal(book.sheet, 'Tình hình thực hiện');
    assert.deepEqual(book.frozen, { rows: 1, state: 'frozen' });
    assert.ok(book.rows[0].every((c) => c.bold), 'a bold header row');
    const rows = book.records();
    const items = (await apiOk('GET', `/deadlines/${d.id}/targets`, { query: { status: 'overdue', limit: 1000, sort: 'status,name' } })).items;
    assert.ok(items.length > 10, 'the page\'s filter (overdue) applies to the file');
    assert.equal(rows.length, items.length);
    items.forEach((t, i) => {
      const c = rows[i];
      assert.deepEqual([c['Mã đơn vị'].type, c['Mã đơn vị'].value], ['text', t.unit_code.split('@')[0]]);
      assert.equal(c['Tên đơn vị'].value, t.unit_name);
      assert.deepEqual([c['Hạn hoàn thành'].type, c['Hạn hoàn thành'].value, c['Hạn hoàn thành'].format], ['date', d.due_on, 'dd/mm/yyyy']);
      assert.equal(c['Kết quả'].value, 'Quá hạn');
      assert.equal(c['Trạng thái'].value, 'Quá hạn');
      assert.equal(c['Thời điểm hoàn thành'], undefined, 'not done: an empty cell');
      assert.equal(c['Báo cáo đính kèm'].value, t.report ? 'Có' : 'Không');
    });
    await screenshot(page, 'deadline-targets-360');
    await assertClean(page);
    await close(page);
  });

  test('a commune answers a report deadline with "Đính kèm báo cáo"; its district reads the report', async () => {
    const title = uniq('Báo cáo định kỳ tháng');
    const d = await apiOk('POST', '/deadlines', {
      as: 'demo.district',
      body: { title, kind: 'report', due_on: todayPlus(10), target_level: 'commune', scope_unit: DEMO.district },
    });
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: '#/deadlines' });
    await settled(page);
    const card = page.locator(`[data-deadline="${d.id}"]`);
    await card.getByRole('button', { name: 'Đính kèm báo cáo' }).click();
    await card.getByLabel('Kỳ báo cáo').selectOption('quarter');
    await card.getByLabel('Tháng, quý hoặc nửa năm').selectOption('q1');
    await card.getByRole('textbox', { name: 'Năm' }).fill(String(YEAR));
    await card.getByLabel('Người ký').fill('Lê Thị Hoa');
    await card.getByRole('button', { name: 'Lập và gửi báo cáo' }).click();
    await settled(page);
    const targets = (await apiOk('GET', `/deadlines/${d.id}/targets`, { as: 'demo.district', query: { limit: 100 } })).items;
    const mine = targets.find((t) => t.unit_code === DEMO.commune);
    assert.equal(mine.status, 'done');
    assert.equal(mine.report.period.kind, 'quarter');
    assert.equal(mine.report.period.number, 1);
    await assertClean(page);
    await close(page);

    const issuer = await newPage(DESKTOP);
    await signIn(issuer, 'demo.district', { hash: `#/deadlines/${d.id}` });
    await settled(issuer);
    await issuer.getByRole('button', { name: /^Xem báo cáo: Phường Thủ Dầu Một/ }).click();
    const frame = issuer.frameLocator('iframe.report-frame');
    await frame.locator('h1.bc-kind').waitFor();
    assert.match(await frame.locator('.bc-summary').textContent(), new RegExp(`quý I năm ${YEAR}`));
    assert.equal(await frame.locator('.bc-sign-name').textContent(), 'Lê Thị Hoa');
    await screenshot(issuer, 'report-attached-district');
    await assertClean(issuer);
    await close(issuer);
  });
});
