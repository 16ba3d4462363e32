// Administration (issue 5 item 8): accounts inside the caller's scope, API clients whose secret
// is shown once with a copy button, the structure rules (province edits, others read), and the
// audit log with filters.

import { after, describe, test } from 'node:test';
import {
  BASE_URL, DEMO, DESKTOP, PHONE, RUN, apiOk, assert, assertClean, assertNoHorizontalScroll, close, closeBrowser, goto,
  newPage, screenshot, settled, signIn, uniq,
} from './lib.mjs';

after(closeBrowser);

describe('administration', () => {
  test('a district creates a commune account for one of its communes, then locks it', async () => {
    const username = `xa.${RUN}`;
    const page = await newPage(PHONE);
    await signIn(page, 'demo.district', { hash: '#/admin' });
    await settled(page);
    // A district manages users but not clients or rules.
    assert.equal(await page.locator('.tabs').getByRole('link', { name: 'Ứng dụng kết nối' }).count(), 0);
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    const form = page.locator('#user-form');
    assert.deepEqual(await form.getByLabel('Cấp tài khoản').locator('option').allTextContents(), ['— Chọn —', 'Cấp xã', 'Doanh nghiệp']);
    await form.getByLabel('Tên đăng nhập').fill(username);
    await form.getByLabel('Mật khẩu ban đầu').fill('mat-khau-tam-1');
    await form.getByLabel('Họ và tên').fill('Cán bộ Phường Phú Cường');
    await form.getByLabel('Cấp tài khoản').selectOption('commune');
    await form.getByLabel('Xã, phường, thị trấn', { exact: true }).selectOption(DEMO.commune);
    await form.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await page.locator('#admin-users code', { hasText: username }).waitFor();
    const created = (await apiOk('GET', '/users', { as: 'demo.district', query: { q: username } })).items[0];
    assert.equal(created.unit_code, DEMO.commune);
    assert.equal(created.role, 'commune');

    await page.getByRole('button', { name: `Sửa ${username}` }).click();
    await page.getByLabel('Khóa tài khoản (không cho đăng nhập)').check();
    await page.locator('#user-edit-form').getByRole('button', { name: 'Lưu' }).click();
    await page.locator('tr', { hasText: username }).getByText('Đã khóa').waitFor();
    assert.equal((await apiOk('GET', `/users/${created.id}`, { as: 'demo.district' })).disabled, true);
    await assertNoHorizontalScroll(page);
    await assertClean(page);
    await close(page);
  });

  test('the province moves a commune account to another commune (as after a reorganisation)', async () => {
    const username = `chuyen.${RUN}`;
    const made = await apiOk('POST', '/users', { body: { username, password: 'mat-khau-tam-2', role: 'commune', unit_code: DEMO.commune } });
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.province', { hash: '#/admin' });
    await settled(page);
    await page.getByRole('button', { name: `Sửa ${username}` }).click();
    const form = page.locator('#user-edit-form');
    // The form first shows the account's commune, level by level as the units arrive; a choice
    // made before it is shown raced it (the old level's select could land after the new one's).
    await page.waitForFunction((code) => [...document.querySelectorAll('#user-edit-form select')]
      .some((s) => s.value === code), DEMO.commune, { polling: 100 });
    // 79 has communes directly under it and, in the tests, two intermediate units: one list, two groups.
    await form.getByLabel('Đơn vị trực thuộc').selectOption(DEMO.dianDistrict);
    await form.getByLabel('Xã, phường, thị trấn', { exact: true }).selectOption(DEMO.dian);
    await form.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('tr', { hasText: username }).getByText('Phường Dĩ An').waitFor();
    assert.equal((await apiOk('GET', `/users/${made.id}`)).unit_code, DEMO.dian);
    await assertClean(page);
    await close(page);
  });

  test('the province creates an API client: the secret is shown once, with a copy button, and works', async () => {
    const name = uniq('Cổng dịch vụ công tỉnh');
    const page = await newPage(DESKTOP, { permissions: ['clipboard-read', 'clipboard-write'] });
    await signIn(page, 'demo.province', { hash: '#/admin/clients' });
    await settled(page);
    await page.getByRole('button', { name: 'Thêm ứng dụng kết nối' }).click();
    const form = page.locator('#client-form');
    await form.getByLabel('Tên ứng dụng, hệ thống').fill(name);
    await form.getByLabel('Cấp tài khoản').selectOption('province');
    await form.getByRole('button', { name: 'Tạo ứng dụng' }).click();
    const panel = page.locator('#secret-panel');
    await panel.waitFor();
    await panel.getByText('Khóa bí mật chỉ hiển thị một lần').waitFor();
    const secret = (await page.locator('#client-secret').textContent()).trim();
    const clientId = (await panel.locator('dd code').first().textContent()).trim();
    assert.match(clientId, /^cdt_[0-9a-f]{24}$/);
    assert.ok(secret.length >= 20, 'a secret is shown');
    await screenshot(page, 'admin-client-secret-1280');
    await page.getByRole('button', { name: 'Sao chép' }).click();
    await panel.getByText('Đã sao chép').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

    // The credentials work; the list never shows the secret again.
    const res = await fetch(`${BASE_URL}/api/v1/auth/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
    });
    assert.equal(res.status, 200);
    await page.reload();
    await settled(page);
    await page.getByText(name, { exact: true }).waitFor();
    assert.equal(await page.locator('#client-secret').count(), 0);
    assert.ok(!(await page.locator('main').innerText()).includes(secret));

    // Revoke it.
    await page.getByRole('button', { name: `Thu hồi ${name}` }).click();
    await page.locator('dialog.confirm').getByRole('button', { name: 'Thu hồi' }).click();
    await page.locator('tr', { hasText: name }).getByText(/Đã thu hồi/).waitFor();
    await assertClean(page);
    await close(page);
  });

  test('structure rules: the province changes one, a district only reads them', async () => {
    const rules = await apiOk('GET', '/rules');
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.province', { hash: '#/admin/rules' });
    await settled(page);
    const max = page.locator('#rules-form-organization-max_members');
    assert.equal(await max.inputValue(), rules.organization.max_members === null ? '' : String(rules.organization.max_members));
    await max.fill('25');
    await page.getByRole('button', { name: 'Lưu quy định' }).click();
    await page.locator('#status').getByText('Đã lưu.').waitFor();
    assert.equal((await apiOk('GET', '/rules')).organization.max_members, 25);
    // Put it back.
    await page.locator('#rules-form-organization-max_members').fill(rules.organization.max_members === null ? '' : String(rules.organization.max_members));
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/rules') && r.request().method() === 'PUT'),
      page.getByRole('button', { name: 'Lưu quy định' }).click(),
    ]);
    assert.deepEqual((await apiOk('GET', '/rules')).organization, rules.organization);
    await assertClean(page);
    await close(page);

    const district = await newPage(PHONE);
    await signIn(district, 'demo.district', { hash: '#/admin/rules' });
    await settled(district);
    await district.getByText('Chỉ tài khoản cấp tỉnh được sửa quy định cơ cấu tổ.').waitFor();
    assert.equal(await district.locator('#rules-form-hamlet-min_members').isDisabled(), true);
    assert.equal(await district.getByRole('button', { name: 'Lưu quy định' }).count(), 0);
    await assertClean(district);
    await close(district);
  });

  test('the audit log filters by resource and person, and names actions in Vietnamese', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.province', { hash: '#/admin/audit' });
    await settled(page);
    await page.getByLabel('Loại dữ liệu').selectOption({ label: 'Đăng nhập' });
    await page.getByLabel('Người thực hiện (tên đăng nhập)').fill('demo.province');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/resource=auth/);
    await settled(page);
    const expected = await apiOk('GET', '/audit', { query: { resource: 'auth', actor: 'demo.province', limit: 50 } });
    assert.equal(await page.locator('#admin-audit tbody tr').count(), expected.items.length);
    const actions = await page.locator('#admin-audit tbody tr td:nth-child(3)').allTextContents();
    for (const a of actions) assert.ok(['Đăng nhập', 'Đăng nhập không thành công'].includes(a), a);
    await goto(page, '#/admin/audit?from=2000-01-01&to=2000-01-02');
    await settled(page);
    await page.getByText('Không có thao tác nào phù hợp.').waitFor();
    assert.equal(await page.getByLabel('Từ ngày').inputValue(), '01/01/2000');
    await assertClean(page);
    await close(page);
  });
});
