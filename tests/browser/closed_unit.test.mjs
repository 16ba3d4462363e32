// An account whose unit was closed (issue 11 item 10): its session ends, and signing in again
// says in Vietnamese which unit closed and on which day, instead of a generic refusal.

import { after, test } from 'node:test';
import {
  DEMO, PASSWORD, PHONE, RUN, api, apiOk, assertClean, close, closeBrowser, goto, newPage, screenshot, settled, signIn, uniq,
} from './lib.mjs';

after(closeBrowser);

/** A commune code no unit has yet (90000..99989, beyond every GSO code). */
async function freeUnitCode() {
  for (;;) {
    const code = String(90000 + Math.floor(Math.random() * 9990));
    if (code !== '99998' && (await api('GET', `/units/${code}`)).status === 404) return code;
  }
}

test('a closed unit\'s account is sent to sign-in and told which unit closed on which day', async () => {
  const code = await freeUnitCode();
  const name = uniq('Phường Đã Sáp Nhập');
  await apiOk('POST', '/units', { body: { code, name, level: 'commune', parent_code: DEMO.district } });
  const username = `dong.${RUN}.${code}`;
  await apiOk('POST', '/users', { body: { username, password: PASSWORD, role: 'commune', unit_code: code } });

  const page = await newPage(PHONE);
  await signIn(page, username);
  // The dashboard's requests done first: one still in flight when the unit closes answers 404.
  await settled(page);
  await apiOk('PATCH', `/units/${code}`, { body: { valid_to: '2000-01-01' } });

  // The session's next request is refused (401): back to sign-in.
  await goto(page, '#/teams');
  await page.getByText('Phiên làm việc đã hết hạn').waitFor();
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByText(`Đơn vị ${name} (mã ${code}) của tài khoản đã hết hiệu lực từ ngày 01/01/2000, nên tài khoản không thể đăng nhập.`,
    { exact: false }).waitFor();
  await screenshot(page, 'signin-closed-unit');
  await assertClean(page, { allowStatus: [401, 403] });
  await close(page);
});
