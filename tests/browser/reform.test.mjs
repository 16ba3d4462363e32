// The 2025 reform in the web client (issue 12): the dashboard shows each year side by side on the
// units of today, and where a unit came from with a link to the old unit's own figures; a
// province without districts works end to end (its communes on the dashboard and in the picker,
// deadlines to communes only).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  DEMO, DESKTOP, PHONE, ROOT, api, apiOk, assert, assertClean, assertNoHorizontalScroll, close, closeBrowser, fmtNumber,
  goto, newPage, screenshot, settled, signIn, uniq,
} from './lib.mjs';

after(closeBrowser);

describe('the reform on the dashboard', () => {
  test('2024 and 2026 side by side under the units of today, and Bình Dương as it was', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.province');
    await settled(page);
    await page.locator('#years-title').waitFor();
    for (const year of [2024, 2026]) {
      const o = await apiOk('GET', '/stats/overview', { query: { from: `${year}-01-01`, to: `${year}-12-31` } });
      assert.ok(o.totals.activities > 0, `the demo has activities in ${year}`);
      for (const k of ['activities', 'people_reached', 'vneid_activations']) {
        const shown = await page.locator(`[data-year="${year}"][data-year-figure="${k}"]`).textContent();
        assert.equal(shown, fmtNumber(o.totals[k]), `${k} of ${year}`);
      }
    }
    // Where 79 came from: Bình Dương, whose figures are on its own units of 30/06/2025.
    const note = page.locator('#lineage');
    await note.getByText('hình thành ngày 01/07/2025').waitFor();
    await screenshot(page, 'reform-dashboard-79');
    await note.getByRole('link', { name: 'Tỉnh Bình Dương' }).click();
    await page.waitForURL(/#\/dashboard\/74$/);
    await settled(page);
    await page.getByRole('heading', { level: 1, name: 'Tổng quan: Tỉnh Bình Dương' }).waitFor();
    await page.locator('#lineage').getByText('đã kết thúc từ ngày 01/07/2025').waitFor();
    assert.match(await page.locator('#lineage').textContent(), /theo địa giới ngày 30\/06\/2025/);
    const old = await apiOk('GET', '/stats/overview', { query: { unit: '74', from: '2024-01-01', to: '2024-12-31' } });
    assert.equal(await page.locator('[data-year="2024"][data-year-figure="activities"]').textContent(), fmtNumber(old.totals.activities));
    assert.equal(await page.locator('[data-year="2026"][data-year-figure="activities"]').textContent(), '0');
    // Its children are the nine districts of then.
    const districts = await page.locator('table[data-label], table').filter({ hasText: 'Thành phố Thủ Dầu Một' }).count();
    assert.ok(districts > 0, 'the districts of 2024 are listed');
    await screenshot(page, 'reform-dashboard-74');
    await assertClean(page);
    await close(page);
  });
});

describe('a province without districts', () => {
  test('its officials work end to end: dashboard, picker, teams, deadlines to communes', async () => {
    // Cao Bằng's units of the 2025 list (two levels), loaded as a national account would.
    const lines = readFileSync(resolve(ROOT, 'sql/reference/vn-units-2025.csv'), 'utf8').trim().split('\n');
    const rows = lines.filter((l, i) => i === 0 || l.startsWith('04,') || l.endsWith(',04'));
    await apiOk('POST', '/import/units', { as: 'demo.national', raw: rows.join('\n') + '\n', query: { valid_from: '2025-07-01' } });
    const commune = rows.find((l) => l.endsWith(',04')).split(',')[0];
    const username = `cb.${uniq('p').split(' ')[1]}`.toLowerCase();
    await apiOk('POST', '/users', { as: 'demo.national', body: { username, password: 'Mat-khau-2026!', role: 'province', unit_code: '04' } });

    const page = await newPage(PHONE);
    await page.goto(`${process.env.BASE_URL || 'http://127.0.0.1:8080'}/#/signin`);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill('Mat-khau-2026!');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((url) => !url.hash.startsWith('#/signin'));
    await settled(page);
    await page.getByRole('heading', { level: 1, name: 'Tổng quan: Tỉnh Cao Bằng' }).waitFor();
    await page.getByRole('heading', { name: /^Theo xã, phường, thị trấn/ }).waitFor();
    await assertNoHorizontalScroll(page);

    // A team in one of its communes: the picker lists the communes directly.
    await goto(page, '#/teams/new');
    await settled(page);
    const picker = page.getByLabel('Xã, phường, thị trấn', { exact: true });
    await picker.selectOption(commune);
    assert.equal(await page.getByLabel('Huyện, quận, thị xã, thành phố thuộc tỉnh').count(), 0, 'no district to choose');
    const name = uniq('Tổ CNSCĐ xóm Nà Pò');
    await page.getByLabel('Tên tổ').fill(name);
    await page.getByLabel('Loại tổ').selectOption('commune');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#\/teams\/[0-9a-f-]{36}/);
    const teams = await api('GET', '/teams', { as: 'demo.national', query: { q: name } });
    assert.equal(teams.json.items[0].unit_code, commune);

    // Deadlines go to its communes: no district level is offered.
    await goto(page, '#/deadlines/new');
    await settled(page);
    const levels = await page.getByLabel('Giao cho cấp').locator('option').allTextContents();
    assert.ok(!levels.some((l) => /huyện/i.test(l)), `levels offered: ${levels}`);
    assert.ok(levels.some((l) => /xã/i.test(l)), `levels offered: ${levels}`);
    await screenshot(page, 'reform-province-without-districts');
    await assertClean(page);
    await close(page);
  });
});
