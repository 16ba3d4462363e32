// Activities (issue 5 item 5): the commune logs an activity with its outcome counts from a
// 360 px phone and finds it in the list; the list filters and exports CSV; the team list
// searches without diacritics, pages and exports.

import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import {
  DEMO, DESKTOP, PHONE, apiOk, assert, assertClean, assertNoHorizontalScroll, close, closeBrowser, fmtNumber, goto,
  newPage, screenshot, settled, signIn, uniq,
} from './lib.mjs';

after(closeBrowser);

describe('activities', () => {
  const title = uniq('Hướng dẫn kích hoạt VNeID tại nhà văn hóa');
  let activityId;
  let today; // dd/mm/yyyy, as the form fills it in

  test('the commune logs an activity from a 360 px phone and it appears in the list', async () => {
    const before = await apiOk('GET', '/stats/overview', { as: 'demo.commune' });
    const teams = await apiOk('GET', '/teams', { as: 'demo.commune', query: { status: 'active', sort: 'name', limit: 1 } });
    const team = teams.items[0];
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune');
    await page.getByRole('button', { name: 'Danh mục' }).click();
    await page.locator('#site-nav').getByRole('link', { name: 'Hoạt động' }).click();
    await page.getByRole('link', { name: 'Ghi nhận hoạt động' }).click();
    await page.waitForURL(/#\/activities\/new$/);
    await settled(page);
    // Today (in Vietnam) is filled in, as dd/mm/yyyy.
    today = await page.getByLabel('Ngày thực hiện').inputValue();
    assert.match(today, /^\d{2}\/\d{2}\/\d{4}$/);
    await page.getByLabel('Tổ thực hiện').selectOption(team.id);
    // Today's date keeps the new activity on the list's first page (newest first), however many
    // activities the API tests logged before.
    await page.getByLabel('Loại hoạt động').selectOption({ label: 'Hướng dẫn định danh điện tử (VNeID)' });
    await page.getByLabel('Nội dung hoạt động').fill(title);
    await page.getByLabel('Địa điểm').fill('Nhà văn hóa khu phố 1');
    await page.getByLabel('Số người được hỗ trợ').fill('1.250');
    await page.getByLabel('Tài khoản định danh điện tử được kích hoạt').fill('37');
    await page.getByLabel('Lượt cài đặt ứng dụng').fill('12');
    // The counts take numeric keypads on a phone.
    assert.equal(await page.getByLabel('Số người được hỗ trợ').getAttribute('inputmode'), 'numeric');
    await assertNoHorizontalScroll(page);
    await screenshot(page, 'activity-form-360');
    await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();

    await page.waitForURL(/#\/activities\?created=/);
    activityId = /created=([0-9a-f-]{36})/.exec(page.url())[1];
    await page.getByText('Đã ghi nhận hoạt động.').first().waitFor();
    await settled(page);
    const row = page.locator(`tr[data-activity="${activityId}"]`);
    await row.getByRole('link', { name: title }).waitFor();
    await row.getByText(today).waitFor();
    await row.getByText(fmtNumber(1250)).waitFor();
    await row.getByText('Tài khoản định danh điện tử được kích hoạt: 37').waitFor();
    await assertNoHorizontalScroll(page);
    await screenshot(page, 'activity-list-360');

    const saved = await apiOk('GET', `/activities/${activityId}`, { as: 'demo.commune' });
    assert.equal(saved.team_id, team.id);
    assert.equal(saved.held_on, today.split('/').reverse().join('-'));
    assert.equal(saved.kind, 'vneid');
    assert.equal(saved.people_reached, 1250);
    assert.deepEqual(saved.outcomes, { vneid_activations: 37, app_installs: 12 });

    // The dashboard moves.
    await page.getByRole('button', { name: 'Danh mục' }).click();
    await page.locator('#site-nav').getByRole('link', { name: 'Tổng quan' }).click();
    await settled(page);
    await page.locator('[data-figure="activities"]').waitFor();
    assert.equal(await page.locator('[data-figure="activities"]').textContent(), fmtNumber(before.totals.activities + 1));
    assert.equal(await page.locator('[data-figure="people_reached"]').textContent(), fmtNumber(before.totals.people_reached + 1250));
    await assertClean(page);
    await close(page);
  });

  test('filters by kind and date, keeps them in the address, exports CSV, and edits', async () => {
    const page = await newPage(DESKTOP, { acceptDownloads: true });
    await signIn(page, 'demo.commune', { hash: '#/activities' });
    await settled(page);
    await page.getByLabel('Loại hoạt động').selectOption({ label: 'Hướng dẫn định danh điện tử (VNeID)' });
    const iso = today.split('/').reverse().join('-');
    await page.getByLabel('Từ ngày').fill(today);
    await page.getByLabel('Đến ngày').fill(today);
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/kind=vneid/);
    assert.ok(page.url().includes(`from=${iso}&to=${iso}`), page.url());
    await settled(page);
    await page.locator(`tr[data-activity="${activityId}"]`).waitFor();
    const expected = await apiOk('GET', '/activities', { as: 'demo.commune', query: { kind: 'vneid', from: iso, to: iso } });
    assert.equal(await page.locator('tr[data-activity]').count(), Math.min(expected.total, 20));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Xuất Excel (CSV)' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\ufeff'), 'CSV starts with a BOM for Excel');
    assert.ok(csv.includes(title), 'the export has the activity');
    assert.equal(download.suggestedFilename(), 'hoat-dong.csv');

    await page.locator(`tr[data-activity="${activityId}"]`).getByRole('link', { name: title }).click();
    await page.waitForURL(new RegExp(`#/activities/${activityId}$`));
    await settled(page);
    assert.equal(await page.getByLabel('Số người được hỗ trợ').inputValue(), '1250');
    await page.getByLabel('Hồ sơ dịch vụ công trực tuyến').fill('5');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#\/activities$/);
    const saved = await apiOk('GET', `/activities/${activityId}`, { as: 'demo.commune' });
    assert.deepEqual(saved.outcomes, { vneid_activations: 37, app_installs: 12, public_service_applications: 5 });
    await assertClean(page);
    await close(page);
  });
});

describe('teams list', () => {
  test('searches without diacritics, filters, pages, and exports', async () => {
    const page = await newPage(DESKTOP, { acceptDownloads: true });
    await signIn(page, 'demo.province', { hash: '#/teams' });
    await settled(page);
    await page.getByLabel('Tìm theo tên tổ').fill('khu pho');
    await page.getByLabel('Cơ cấu').selectOption({ label: 'Chưa đạt cơ cấu' });
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/q=khu\+pho|q=khu%20pho/);
    await settled(page);
    const expected = await apiOk('GET', '/teams', { query: { q: 'khu pho', compliant: 'false', limit: 20 } });
    assert.ok(expected.total > 0);
    const names = await page.locator('#team-list tbody tr td:first-child a').allTextContents();
    assert.deepEqual(names, expected.items.map((t) => t.name));
    for (const n of names) assert.match(n, /khu phố/i);
    await page.locator('#team-list').getByText(`Tìm thấy ${fmtNumber(expected.total)} tổ.`).waitFor();

    // The unit filter: a district, then one of its communes.
    await goto(page, '#/teams');
    await settled(page);
    await page.getByLabel('Đơn vị trực thuộc').selectOption(DEMO.district);
    await page.getByLabel('Xã, phường, thị trấn', { exact: true }).selectOption(DEMO.commune);
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(new RegExp(`unit=${DEMO.commune}`));
    await settled(page);
    const inCommune = await apiOk('GET', '/teams', { query: { unit: DEMO.commune, limit: 20 } });
    assert.equal(await page.locator('#team-list tbody tr').count(), Math.min(inCommune.total, 20));
    // A reload keeps the filter, and the picker shows it.
    await page.reload();
    await settled(page);
    assert.equal(await page.getByLabel('Xã, phường, thị trấn', { exact: true }).inputValue(), DEMO.commune);

    // Paging: 20 a page.
    const all = await apiOk('GET', '/teams', { query: { limit: 1 } });
    await goto(page, '#/teams');
    await settled(page);
    if (all.total > 20) {
      await page.getByRole('button', { name: 'Trang sau' }).click();
      await page.waitForURL(/offset=20/);
    } else {
      await page.getByText(`Tổng số: ${all.total}`).waitFor();
    }

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Xuất Excel (CSV)' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\ufeff'));
    assert.match(csv.split('\n')[0], /^\ufeffTên tổ,/, 'the export a person reads: Vietnamese headers');
    await assertClean(page);
    await close(page);
  });
});
