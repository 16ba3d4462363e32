// Import (issue 5 item 7): pick a resource, download its CSV template, upload a file, check it
// first and see exactly the bad rows (row, column, message); a good file reports its counts and
// imports; progress is shown while it runs.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  BASE_URL, DESKTOP, PHONE, ROOT, RUN, apiOk, assert, assertClean, assertNoHorizontalScroll, close, closeBrowser,
  newPage, screenshot, settled, signIn,
} from './lib.mjs';

after(closeBrowser);

const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

describe('import', () => {
  test('each resource\'s template downloads, the same file as docs/examples', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.province', { hash: '#/import' });
    await settled(page);
    for (const [resource, label] of [['units', 'Đơn vị hành chính'], ['enterprises', 'Doanh nghiệp, cơ quan, tổ chức'],
      ['teams', 'Tổ CNSCĐ'], ['members', 'Thành viên tổ'], ['activities', 'Hoạt động']]) {
      await page.getByLabel('Loại dữ liệu', { exact: true }).selectOption({ label });
      const link = page.getByRole('link', { name: `Tải tệp mẫu CSV: ${label}` });
      assert.equal(await link.getAttribute('href'), `templates/${resource}.csv`);
      const served = Buffer.from(await (await fetch(`${BASE_URL}/templates/${resource}.csv`)).arrayBuffer());
      assert.ok(served.equals(readFileSync(resolve(ROOT, `docs/examples/${resource}.csv`))), `templates/${resource}.csv is docs/examples/${resource}.csv`);
    }
    await assertClean(page);
    await close(page);
  });

  test('the columns shown are the server\'s (GET /import/{resource}), codes with their Vietnamese labels', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.commune', { hash: '#/import' });
    await settled(page);
    for (const [resource, label] of [['teams', 'Tổ CNSCĐ'], ['activities', 'Hoạt động']]) {
      await page.getByLabel('Loại dữ liệu', { exact: true }).selectOption({ label });
      await page.getByText('Các cột của tệp và giá trị hợp lệ').click();
      const { columns } = await apiOk('GET', `/import/${resource}`, { as: 'demo.commune' });
      const rows = page.locator(`caption:has-text("Các cột của tệp ${label}")`).locator('xpath=..').locator('tbody tr');
      await rows.first().waitFor();
      assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.column)), columns.map((c) => c.name));
      const kind = rows.filter({ has: page.locator('code', { hasText: /^kind$/ }) });
      const shown = await kind.locator('li').allInnerTexts();
      const expected = resource === 'teams'
        ? ['hamlet — Tổ khu phố, ấp', 'enterprise — Tổ doanh nghiệp']
        : ['vneid — Hướng dẫn định danh điện tử (VNeID)', 'digital_skills — Kỹ năng số'];
      for (const e of expected) assert.ok(shown.includes(e), `${resource} kind shows "${e}": ${JSON.stringify(shown)}`);
      assert.equal(shown.length, columns.find((c) => c.name === 'kind').choices.length);
      await page.getByText('Các cột của tệp và giá trị hợp lệ').click();
    }
    await assertClean(page);
    await close(page);
  });

  test('a file with bad rows: the dry run lists exactly those rows, in Vietnamese, and nothing can be imported', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: '#/import' });
    await settled(page);
    // Units are for province accounts only.
    assert.equal(await page.locator('#import-resource option[value="units"]').count(), 0);
    await page.getByLabel('Loại dữ liệu', { exact: true }).selectOption({ label: 'Thành viên tổ' });
    const file = [
      'external_id,team_external_id,full_name,gender,birth_year',
      `${RUN}-m1,demo-team-25747-kp3,Nguyễn Văn A,male,1980`,
      `${RUN}-m2,demo-team-25747-kp3,Nguyễn Văn B,robot,1980`,
      `${RUN}-m3,khong-co-to-nay,Nguyễn Thị C,female,1990`,
      `${RUN}-m4,demo-team-25747-kp3,,female,1800`,
    ].join('\n');
    await page.locator('#import-file').setInputFiles(csvFile('thanh-vien.csv', file));
    await page.getByText('Đã chọn: thanh-vien.csv').waitFor();
    // Slow the answer down a little so that the progress can be seen.
    await page.route('**/api/v1/import/**', async (route) => {
      await new Promise((r) => setTimeout(r, 700));
      await route.continue();
    });
    await page.getByRole('button', { name: 'Kiểm tra trước' }).click();
    await page.locator('#import-progress progress').waitFor({ state: 'visible' });
    await page.locator('#import-errors').waitFor();
    const rows = await page.locator('#import-errors tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.row, tr.dataset.field]));
    assert.deepEqual(rows, [['3', 'gender'], ['4', 'team_external_id'], ['5', 'birth_year'], ['5', 'full_name']]);
    const messages = await page.locator('#import-errors tbody tr td:nth-child(3)').allTextContents();
    assert.deepEqual(messages, [
      'Chỉ nhận một trong các giá trị: male, female, other.',
      'Không có tổ với mã này.',
      `Phải từ năm 1900 đến năm ${new Date().getFullYear()}.`,
      'Bắt buộc nhập.',
    ]);
    await page.getByText('Tệp có 4 lỗi nên không dòng nào được chấp nhận').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Nhập dữ liệu', exact: true }).isDisabled(), true);
    await assertNoHorizontalScroll(page);
    await screenshot(page, 'import-bad-rows-360');

    // With "import the good rows anyway", the dry run counts them and still lists the bad ones.
    await page.getByLabel(/vẫn nhập các dòng hợp lệ/).check();
    await page.getByRole('button', { name: 'Kiểm tra trước' }).click();
    await page.locator('#import-counts').waitFor();
    assert.equal(await page.locator('[data-count="inserted"]').textContent(), '1');
    assert.equal(await page.locator('[data-count="rejected"]').textContent(), '3');
    assert.equal(await page.locator('#import-errors tbody tr').count(), 4);
    const none = await apiOk('GET', '/members', { as: 'demo.commune', query: { q: RUN } });
    assert.equal(none.total, 0, 'a dry run writes nothing');
    await assertClean(page, { allowStatus: [422] });
    await close(page);
  });

  test('a good file: the dry run reports the counts, then the import writes them', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.commune', { hash: '#/import' });
    await settled(page);
    await page.getByLabel('Loại dữ liệu', { exact: true }).selectOption({ label: 'Tổ CNSCĐ' });
    const file = [
      '\ufeffexternal_id,name,kind,unit_code,hamlet,decision_no,established_on',
      `${RUN}-t1,Tổ CNSCĐ khu phố nhập ${RUN} 1,hamlet,25747,Khu phố nhập 1,12/QĐ-UBND,2026-02-01`,
      `${RUN}-t2,"Tổ CNSCĐ khu phố nhập ${RUN} 2, mới",hamlet,25747,Khu phố nhập 2,,`,
    ].join('\r\n');
    await page.locator('#import-file').setInputFiles(csvFile('to.csv', file));
    await page.getByRole('button', { name: 'Kiểm tra trước' }).click();
    await page.getByText('Tệp hợp lệ: chưa có gì được ghi.').waitFor();
    assert.equal(await page.locator('[data-count="rows"]').textContent(), '2');
    assert.equal(await page.locator('[data-count="inserted"]').textContent(), '2');
    assert.equal((await apiOk('GET', '/teams', { as: 'demo.commune', query: { q: RUN } })).total, 0);

    const importButton = page.getByRole('button', { name: 'Nhập dữ liệu', exact: true });
    assert.equal(await importButton.isDisabled(), false);
    await importButton.click();
    await page.getByText('Đã nhập xong 2 dòng.').waitFor();
    assert.equal(await page.locator('[data-count="inserted"]').textContent(), '2');
    const teams = await apiOk('GET', '/teams', { as: 'demo.commune', query: { q: RUN, sort: 'name' } });
    assert.deepEqual(teams.items.map((t) => t.name), [`Tổ CNSCĐ khu phố nhập ${RUN} 1`, `Tổ CNSCĐ khu phố nhập ${RUN} 2, mới`]);
    await assertClean(page);
    await close(page);
  });
});
