// Sessions and failures (issue 5 items 2 and 9): the token lives in memory and sessionStorage
// only; a 401 in the middle of a session goes to sign-in and, once signed in again, back to the
// same page; a network failure or a 503 is said plainly with a retry that works.

import { after, describe, test } from 'node:test';
import {
  DESKTOP, PHONE, apiOk, assert, assertClean, close, closeBrowser, goto, newPage, settled, signIn, staleToken, uniq,
  PASSWORD,
} from './lib.mjs';

after(closeBrowser);

const problem = (status, title) => ({
  status, contentType: 'application/problem+json',
  headers: status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
  body: JSON.stringify({ type: `https://cdt.example/problems/x`, title, status }),
});

async function signInAgain(page, username) {
  await page.getByText('Phiên làm việc đã hết hạn').waitFor();
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

describe('session', () => {
  test('the token is kept in sessionStorage (and memory), never in localStorage or a cookie; sign-out forgets it', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.commune');
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('cdt.token'), local: localStorage.length, cookie: document.cookie,
    }));
    assert.match(stored.session, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(stored.local, 0);
    assert.equal(stored.cookie, '');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByText('Bạn đã đăng xuất.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('cdt.token')), null);
    // Signed out, a page asks for sign-in again.
    await goto(page, '#/teams');
    await page.getByRole('heading', { name: 'Đăng nhập hệ thống' }).waitFor();
    await assertClean(page);
    await close(page);
  });

  test('wrong credentials are said plainly, beside nothing else', async () => {
    const page = await newPage(PHONE);
    await goto(page, '#/signin');
    await page.getByLabel('Tên đăng nhập').fill('demo.commune');
    await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByText('Sai tên đăng nhập hoặc mật khẩu.').waitFor();
    assert.equal(await page.getByLabel('Mật khẩu').inputValue(), '');
    await assertClean(page, { allowStatus: [401] });
    await close(page);
  });

  test('a name locked after too many failures is told how long to wait, in minutes', async () => {
    const page = await newPage(PHONE);
    await goto(page, '#/signin');
    const username = `khoa.${uniq('x').replace(/\W/g, '').toLowerCase()}`;
    const attempt = async () => {
      await page.getByLabel('Tên đăng nhập').fill(username);
      await page.getByLabel('Mật khẩu').fill('sai-mat-khau');
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      return (await answered).status();
    };
    for (let i = 0; i < 5; i++) {
      assert.equal(await attempt(), 401);
      await page.getByText('Sai tên đăng nhập hoặc mật khẩu.').waitFor();
    }
    assert.equal(await attempt(), 429);
    // The server's default window is 15 minutes, counted from the first failure.
    await page.getByText(/^Đăng nhập sai quá nhiều lần\. Vui lòng thử lại sau 1[45] phút\.$/).waitFor();
    await assertClean(page, { allowStatus: [401, 429] });
    await close(page);
  });

  test('a 401 mid-session returns to sign-in, then to the same page', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune');
    await settled(page);
    // The server ends the session: the next list answers 401.
    await page.route('**/api/v1/teams?*', (route) => route.fulfill(problem(401, 'Unauthorized')), { times: 1 });
    await page.getByRole('button', { name: 'Danh mục' }).click();
    await page.locator('#site-nav').getByRole('link', { name: 'Tổ CNSCĐ' }).click();
    await page.waitForURL(/#\/signin\?reason=expired$/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('cdt.token')), null);
    await signInAgain(page, 'demo.commune');
    await page.waitForURL(/#\/teams$/);
    await page.getByRole('heading', { level: 1, name: 'Tổ CNSCĐ' }).waitFor();
    await settled(page);
    assert.ok(await page.locator('#team-list tbody tr').count() > 0);
    await assertClean(page, { allowStatus: [401] });
    await close(page);
  });

  test('an expired token (a real 401 from the server) on a reload: sign-in, then the same page with its filters', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.district');
    const me = await apiOk('GET', '/auth/me', { as: 'demo.district' });
    await page.evaluate((t) => sessionStorage.setItem('cdt.token', t),
      staleToken({ sub: me.id, name: me.username, role: me.role, unit: me.unit, ro: false }));
    await goto(page, '#/activities?kind=vneid');
    await page.reload();
    await page.waitForURL(/#\/signin\?reason=expired$/);
    await signInAgain(page, 'demo.district');
    await page.waitForURL(/#\/activities\?kind=vneid$/);
    await settled(page);
    assert.equal(await page.getByLabel('Loại hoạt động').inputValue(), 'vneid');
    await assertClean(page, { allowStatus: [401] });
    await close(page);
  });

  test('a network failure is said plainly, and "Thử lại" loads the page once the network is back', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune');
    await settled(page);
    await page.route('**/api/v1/teams?*', (route) => route.abort('internetdisconnected'));
    await goto(page, '#/teams');
    await page.getByText('Không kết nối được với máy chủ. Vui lòng kiểm tra mạng rồi thử lại.').waitFor();
    await page.unroute('**/api/v1/teams?*');
    await page.getByRole('button', { name: 'Thử lại' }).click();
    await settled(page);
    assert.ok(await page.locator('#team-list tbody tr').count() > 0);
    await assertClean(page, { allow: [/ERR_INTERNET_DISCONNECTED/] });
    await close(page);
  });

  test('a 503 on a page and on a form is said plainly; "Thử lại" resends the form', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune');
    await settled(page);
    await page.route('**/api/v1/stats/overview*', (route) => route.fulfill(problem(503, 'Service unavailable')), { times: 1 });
    await goto(page, '#/?from=2026-01-01');
    await page.getByText('Hệ thống đang tạm thời gián đoạn. Vui lòng thử lại sau ít phút.').waitFor();
    await page.getByRole('button', { name: 'Thử lại' }).click();
    await page.locator('[data-figure="teams_active"]').waitFor();

    const title = uniq('Tuyên truyền chuyển đổi số');
    await goto(page, '#/activities/new');
    await settled(page);
    await page.getByLabel('Tổ thực hiện').selectOption({ index: 1 });
    await page.getByLabel('Loại hoạt động').selectOption('communication');
    await page.getByLabel('Nội dung hoạt động').fill(title);
    await page.route('**/api/v1/activities', (route) => route.fulfill(problem(503, 'Service unavailable')), { times: 1 });
    await page.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
    const alert = page.locator('#activity-form .form-alert');
    await alert.getByText('Hệ thống đang tạm thời gián đoạn').waitFor();
    // What was typed is still there.
    assert.equal(await page.getByLabel('Nội dung hoạt động').inputValue(), title);
    await alert.getByRole('button', { name: 'Thử lại' }).click();
    await page.waitForURL(/#\/activities\?created=/);
    await page.getByRole('link', { name: title }).waitFor();
    // Nothing raw reached the page.
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /Service unavailable|problem|\{"/);
    await assertClean(page, { allowStatus: [503] });
    await close(page);
  });
});
