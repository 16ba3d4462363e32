// Printing the dashboard and the lists (issue 13, item 4): on paper there is no navigation, no
// filters or buttons; every folded table is open and prints as a table; the time the figures were
// taken is under the title. Checked with print media emulated, and in the PDF Chromium prints
// (read back with pdftotext).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  DEMO, DESKTOP, apiOk, assert, assertClean, close, closeBrowser, goto, newPage, settled, signIn,
} from './lib.mjs';

const TAKEN = /^Số liệu lấy lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(giờ Việt Nam\)\.$/;
let page;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdt-print-'));
  page = await newPage(DESKTOP);
  await signIn(page, 'demo.province');
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await close(page);
  await closeBrowser();
});

const escaped = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether the word is in text (pdftotext -layout), or wrapped in its table cell: a narrow
 * column breaks a long word (overflow-wrap: break-word), and its rest begins the next line of the
 * cell while the row's other cells follow the first part ("…a379-  12  34 %" then "15").
 */
function printedWord(text, word) {
  const ways = [escaped(word)];
  for (let i = 1; i < word.length; i++) {
    ways.push(`(?<!\\S)${escaped(word.slice(0, i))}(?=\\s)[^\\n]*\\n\\s*${escaped(word.slice(i))}(?!\\S)`);
  }
  return new RegExp(ways.join('|'), 'u').test(text);
}

/** The text of the page as Chromium prints it to PDF. */
async function printedText(p) {
  const file = join(dir, 'page.pdf');
  writeFileSync(file, await p.pdf({ format: 'A4' }));
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

test('the dashboard prints its figures and tables, without navigation, with the time they were taken', async () => {
  await goto(page, `#/dashboard/${DEMO.district}`);
  await settled(page);
  const monthly = page.locator('section[aria-labelledby="line-title"] details.table-alt');
  assert.equal(await monthly.evaluate((d) => d.open), false, 'the monthly table is folded on screen');
  await page.emulateMedia({ media: 'print' });
  try {
    for (const hidden of ['.site-header', '.site-nav', 'details.period', '.site-footer']) {
      assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} not printed`);
    }
    assert.equal(await page.locator('main .btn:visible, main button:visible:not(.sort)').count(), 0, 'no buttons on paper');
    assert.match(await page.locator('.taken-at').textContent(), TAKEN);
    assert.equal(await page.locator('.taken-at').isVisible(), true);
    // The folded tables are open, and print as tables.
    assert.equal(await monthly.locator('tbody tr').first().isVisible(), true, 'the monthly table is printed');
    assert.equal(await page.locator('table.data thead').first().evaluate((t) => getComputedStyle(t).display), 'table-header-group');
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
  assert.equal(await monthly.evaluate((d) => d.open), false, 'folded again on screen');
  await page.emulateMedia({ media: null }); // page.pdf() prints with print media, as a person's printer does

  const o = await apiOk('GET', '/stats/overview', { query: { unit: DEMO.district } });
  const text = await printedText(page);
  assert.match(text, /Tổng quan: Khu vực Thủ Dầu Một/);
  assert.match(text, /Số liệu lấy lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  for (const c of o.children) assert.ok(printedWord(text, c.name.split(' ').slice(-1)[0]), `${c.name} is in the printed table`);
  assert.match(text, /Bảng|Tháng/, 'the monthly table is printed');
  assert.doesNotMatch(text, /Nhập dữ liệu|Đăng xuất|Khoảng thời gian/, 'no navigation, no period form');
  await assertClean(page);
});

test('a list prints as a table, even from a phone, without its filters', async () => {
  const phone = await newPage({ width: 390, height: 844 });
  try {
    await signIn(phone, 'demo.commune');
    await goto(phone, '#/teams');
    await settled(phone);
    // On the phone's screen the rows are cards with the header hidden.
    assert.notEqual(await phone.locator('table.data tbody tr').first().evaluate((tr) => getComputedStyle(tr).display), 'table-row');
    await phone.emulateMedia({ media: 'print' });
    assert.equal(await phone.locator('table.data tbody tr').first().evaluate((tr) => getComputedStyle(tr).display), 'table-row');
    assert.equal(await phone.locator('table.data thead th').first().isVisible(), true, 'the header row is printed');
    assert.equal(await phone.locator('details.filter-box').isVisible(), false, 'no filters on paper');
    assert.match(await phone.locator('.taken-at').textContent(), TAKEN);
    const text = await printedText(phone);
    assert.match(text, /Tên tổ/);
    assert.match(text, /Số liệu lấy lúc/);
    assert.doesNotMatch(text, /Bộ lọc|Xuất Excel/);
    await phone.emulateMedia({ media: 'screen' });
    await assertClean(phone);
  } finally {
    await close(phone);
  }
});
