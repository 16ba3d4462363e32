// Issuing deadlines safely (issue 13, item 5): a due date that has ended, or the same deadline
// again, asks first in a dialog with the reason, and nothing is issued until the person agrees;
// a recurring deadline's title names its period, and so does the next period's; the commune sees
// the issuing unit's name, never a code.

import { after, before, test } from 'node:test';
import {
  DEMO, DESKTOP, apiOk, assert, assertClean, close, closeBrowser, fmtDate, goto, newPage, settled, signIn, todayPlus, uniq,
} from './lib.mjs';

let page;

before(async () => {
  page = await newPage(DESKTOP);
  await signIn(page, 'demo.province');
});

after(async () => {
  await close(page);
  await closeBrowser();
});

async function issued(title) {
  const res = await apiOk('GET', '/deadlines', { query: { limit: 1000, sort: '-created_at' } });
  return res.items.filter((d) => d.title.startsWith(title));
}

/** Fills the issue form: commune level, the whole province, kind report. */
async function fill(title, due, recurrence = 'Một lần') {
  await goto(page, '#/deadlines/new');
  await settled(page);
  await page.getByLabel('Tiêu đề').fill(title);
  await page.getByLabel('Loại nhiệm vụ').selectOption({ label: 'Báo cáo' });
  await page.getByLabel('Hạn hoàn thành').fill(fmtDate(due));
  await page.getByLabel('Giao cho cấp').selectOption({ label: 'Cấp xã' });
  await page.getByLabel('Lặp lại').selectOption({ label: recurrence });
}

const dialog = () => page.locator('dialog.confirm');

test('a due date that has ended asks first; "Hủy" issues nothing, "Vẫn tiếp tục" issues it', async () => {
  const title = uniq('Báo cáo quá hạn');
  await fill(title, todayPlus(-3));
  await page.getByRole('button', { name: 'Giao nhiệm vụ' }).click();
  await dialog().waitFor();
  assert.match(await dialog().textContent(), /Hạn hoàn thành đã qua: mọi đơn vị được giao sẽ bị tính quá hạn ngay khi giao\./);
  await dialog().getByRole('button', { name: 'Hủy' }).click();
  assert.equal(await dialog().count(), 0);
  assert.equal((await issued(title)).length, 0, 'nothing issued');
  assert.equal(await page.getByLabel('Tiêu đề').inputValue(), title, 'the form keeps what was typed');
  await page.getByRole('button', { name: 'Giao nhiệm vụ' }).click();
  await dialog().getByRole('button', { name: 'Vẫn tiếp tục' }).click();
  await page.waitForURL(/#\/deadlines\/[0-9a-f-]{36}\?created=1$/);
  assert.equal((await issued(title)).length, 1);
  await assertClean(page, { allowStatus: [409] });
  page.problems.length = 0; // the 409s were this test's
});

test('the same deadline again asks first, saying it is the same', async () => {
  const title = uniq('Báo cáo trùng');
  const due = todayPlus(20);
  await fill(title, due);
  await page.getByRole('button', { name: 'Giao nhiệm vụ' }).click();
  await page.waitForURL(/created=1$/);
  await fill(title, due);
  await page.getByRole('button', { name: 'Giao nhiệm vụ' }).click();
  await dialog().waitFor();
  assert.match(await dialog().textContent(), /Đơn vị đã giao một nhiệm vụ giống hệt/);
  await dialog().getByRole('button', { name: 'Hủy' }).click();
  assert.equal((await issued(title)).length, 1, 'not issued twice');
  await assertClean(page, { allowStatus: [409] });
  page.problems.length = 0; // the 409s were this test's
});

test('a recurring deadline names its period, and so does the next one', async () => {
  const base = uniq('Báo cáo hoạt động');
  const due = todayPlus(10);
  await fill(`${base} tháng`, due, 'Hằng tháng');
  await page.getByRole('button', { name: 'Giao nhiệm vụ' }).click();
  await page.waitForURL(/created=1$/);
  await settled(page);
  const [y, m] = due.split('-');
  const month = (yy, mm) => `${base} tháng ${String(mm).padStart(2, '0')}/${yy}`;
  assert.equal(await page.locator('#page-title').textContent(), month(y, Number(m)));
  await page.getByRole('link', { name: 'Xem kỳ sau' }).click();
  await settled(page);
  const next = Number(m) === 12 ? month(Number(y) + 1, 1) : month(y, Number(m) + 1);
  assert.equal(await page.locator('#page-title').textContent(), next);
  await assertClean(page);
});

test('the commune reads who issued its deadline by name, never by code', async () => {
  const title = uniq('Báo cáo cho phường');
  const d = await apiOk('POST', '/deadlines', { body: { title, kind: 'report', due_on: todayPlus(15), target_level: 'commune', scope_unit: DEMO.district } });
  const commune = await newPage(DESKTOP);
  try {
    await signIn(commune, 'demo.commune');
    await goto(commune, `#/deadlines/${d.id}`);
    await settled(commune);
    assert.equal(await commune.locator('#issued-by').textContent(), 'Thành phố Hồ Chí Minh');
    const text = await commune.locator('main').textContent();
    assert.doesNotMatch(text, /mã \d/, 'no "mã 79"');
    assert.match(text, /Cấp xã thuộc Khu vực Thủ Dầu Một/);
    await assertClean(commune);
  } finally {
    await close(commune);
  }
});
