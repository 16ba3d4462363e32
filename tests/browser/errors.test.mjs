// Errors (issue 5 item 9): the API's problem+json field errors appear beside the fields they name,
// in Vietnamese, linked to their inputs for screen readers, with a summary at the top of the
// form; nothing raw (JSON, English messages, stack traces) reaches the page.

import { after, describe, test } from 'node:test';
import {
  DEMO, DESKTOP, PHONE, apiOk, assert, assertClean, close, closeBrowser, goto, newPage, settled, signIn, todayPlus, uniq,
} from './lib.mjs';

after(closeBrowser);

/** The error shown beside the input labelled `label` (the input says it is invalid and describes itself with it). */
async function errorBeside(page, label, scope = page) {
  const input = scope.getByLabel(label);
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `${label} is marked invalid`);
  const ids = (await input.getAttribute('aria-describedby')).split(' ');
  const errorId = ids.find((id) => id.endsWith('-error'));
  const error = page.locator(`#${errorId}`);
  assert.ok(await error.isVisible(), `the error of ${label} is visible`);
  // Beside it: the error sits in the same field box as the input.
  assert.ok(await page.evaluate(([a, b]) => document.getElementById(a).closest('.field') === document.getElementById(b).closest('.field'),
    [errorId, await input.getAttribute('id')]));
  return (await error.textContent()).trim();
}

async function noRawText(page) {
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /\{"|"errors"|must be|is required|Validation failed|problem|undefined|\[object/);
}

describe('errors beside their fields', () => {
  test('a team without name and kind (422): beside "Tên tổ" and "Loại tổ", summarized, focus on the first', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: '#/teams/new' });
    await settled(page);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('#team-form [role="alert"]').waitFor();
    assert.equal(await errorBeside(page, 'Tên tổ'), 'Bắt buộc nhập.');
    assert.equal(await errorBeside(page, 'Loại tổ'), 'Bắt buộc nhập.');
    const summary = await page.locator('#team-form [role="alert"]').innerText();
    assert.match(summary, /Chưa lưu được/);
    assert.match(summary, /Tên tổ: Bắt buộc nhập\./);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'team-form-name');
    await noRawText(page);

    // Fixing one field clears its error on the next try; a hamlet team then needs its hamlet.
    await page.getByLabel('Tên tổ').fill(uniq('Tổ thử lỗi'));
    await page.getByLabel('Loại tổ').selectOption('hamlet');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('#team-form-hamlet-error:not([hidden])').waitFor();
    assert.equal(await errorBeside(page, 'Khu phố, ấp'), 'Bắt buộc với Tổ khu phố, ấp.');
    assert.equal(await page.getByLabel('Tên tổ').getAttribute('aria-invalid'), null);
    await assertClean(page, { allowStatus: [422] });
    await close(page);
  });

  test('a field error is translated by its code, even when its English message is new to the client', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: '#/teams/new' });
    await settled(page);
    // Messages worded as no release of the server words them: only the codes can be read.
    await page.route('**/api/v1/teams', (route) => (route.request().method() !== 'POST' ? route.continue() : route.fulfill({
      status: 422,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: 'https://cdt.example/problems/validation', title: 'Validation failed', status: 422, detail: '2 field(s) failed validation',
        errors: [
          { field: 'name', message: 'has to be filled in', code: 'required' },
          { field: 'kind', message: 'may only be one of: commune, hamlet', code: 'enum' },
        ],
      }),
    })));
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('#team-form [role="alert"]').waitFor();
    assert.equal(await errorBeside(page, 'Tên tổ'), 'Bắt buộc nhập.');
    assert.equal(await errorBeside(page, 'Loại tổ'), 'Chỉ nhận một trong các giá trị: commune, hamlet.');
    await noRawText(page);
    await assertClean(page, { allowStatus: [422] });
    await close(page);
  });

  test('a duplicate external id (409) is shown beside it', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.commune', { hash: '#/teams/new' });
    await settled(page);
    await page.getByLabel('Tên tổ').fill(uniq('Tổ trùng mã'));
    await page.getByLabel('Loại tổ').selectOption('commune');
    await page.getByLabel('Mã trong hệ thống khác').fill('demo-team-25747-kp3');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('#team-form [role="alert"]').waitFor();
    assert.equal(await errorBeside(page, 'Mã trong hệ thống khác'), 'Đã tồn tại, không được trùng.');
    await noRawText(page);
    await assertClean(page, { allowStatus: [409] });
    await close(page);
  });

  test('a member with a bad phone, e-mail and birth year: three errors, each beside its field', async () => {
    const team = await apiOk('POST', '/teams', { as: 'demo.commune', body: { name: uniq('Tổ thử thành viên'), kind: 'commune', unit_code: DEMO.commune } });
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: `#/teams/${team.id}` });
    await settled(page);
    await page.locator('#add-member').click();
    const form = page.locator('#member-form');
    await form.getByLabel('Họ và tên').fill('Phạm Thị Lỗi');
    await form.getByLabel('Điện thoại').fill('12');
    await form.getByLabel('Thư điện tử').fill('khong-phai-email');
    await form.getByLabel('Năm sinh').fill('1800');
    await form.getByRole('button', { name: 'Thêm thành viên' }).click();
    await form.locator('[role="alert"]').waitFor();
    assert.equal(await errorBeside(page, 'Điện thoại', form), 'Số điện thoại phải có từ 8 đến 15 chữ số.');
    assert.equal(await errorBeside(page, 'Thư điện tử', form), 'Địa chỉ thư điện tử không hợp lệ.');
    assert.match(await errorBeside(page, 'Năm sinh', form), /^Phải từ năm 1900 đến năm \d{4}\.$/);
    // What was typed stays, to be corrected.
    assert.equal(await form.getByLabel('Họ và tên').inputValue(), 'Phạm Thị Lỗi');
    await noRawText(page);
    await assertClean(page, { allowStatus: [422] });
    await close(page);
  });

  test('a date that does not exist is caught in the browser, in Vietnamese, without a request', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: '#/activities/new' });
    await settled(page);
    let posts = 0;
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/v1/activities')) posts += 1; });
    await page.getByLabel('Ngày thực hiện').fill('31/02/2026');
    await page.getByLabel('Số người được hỗ trợ').fill('mười');
    await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
    assert.equal(await errorBeside(page, 'Ngày thực hiện'), 'Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy.');
    assert.equal(await errorBeside(page, 'Số người được hỗ trợ'), 'Phải là số nguyên không âm.');
    assert.equal(posts, 0);
    await assertClean(page);
    await close(page);
  });

  test('a new account with a bad user name and a short password', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.province', { hash: '#/admin/users' });
    await settled(page);
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    const form = page.locator('#user-form');
    await form.getByLabel('Tên đăng nhập').fill('Tên Có Dấu');
    await form.getByLabel('Mật khẩu ban đầu').fill('ngan');
    await form.getByLabel('Cấp tài khoản').selectOption('commune');
    await form.getByLabel('Đơn vị trực thuộc').selectOption(DEMO.district);
    await form.getByLabel('Xã, phường, thị trấn', { exact: true }).selectOption(DEMO.commune);
    await form.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await form.locator('[role="alert"]').waitFor();
    assert.match(await errorBeside(page, 'Tên đăng nhập', form), /^Từ 3 đến 64 ký tự/);
    assert.equal(await errorBeside(page, 'Mật khẩu ban đầu', form), 'Tối thiểu 8 ký tự.');
    await noRawText(page);
    await assertClean(page, { allowStatus: [422] });
    await close(page);
  });

  test('completing a deadline with a link that is not a web address', async () => {
    const d = await apiOk('POST', '/deadlines', { as: 'demo.district', body: { title: uniq('Báo cáo thử lỗi'), kind: 'report', due_on: todayPlus(20), target_level: 'commune', scope_unit: DEMO.district } });
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: '#/deadlines' });
    await settled(page);
    const card = page.locator(`article[data-deadline="${d.id}"]`);
    await card.getByRole('button', { name: 'Đánh dấu hoàn thành' }).click();
    await card.getByLabel('Đường dẫn kết quả (nếu có)').fill('bao cao thang 3');
    await card.getByRole('button', { name: 'Xác nhận hoàn thành' }).click();
    await card.locator('[role="alert"]').waitFor();
    assert.match(await errorBeside(page, 'Đường dẫn kết quả (nếu có)', card), /^Phải là địa chỉ bắt đầu bằng http/);
    await assertClean(page, { allowStatus: [422] });
    await close(page);
  });

  test('a read-only account is offered no writes', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.readonly', { hash: '#/teams' });
    await settled(page);
    await page.locator('#who').getByText('Tài khoản chỉ xem').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Thêm tổ' }).count(), 0);
    assert.equal(await page.locator('#site-nav').getByRole('link', { name: 'Nhập dữ liệu' }).count(), 0);
    await goto(page, '#/teams/new');
    await page.getByText('Tài khoản chỉ xem không được thay đổi dữ liệu.').waitFor();
    await assertClean(page);
    await close(page);
  });
});
