// Safety (issue 5 item 10): data is rendered as text. A team named `<img src=x onerror=...>`, a
// member named `<script>...</script>` and an activity titled with markup show as those
// characters and run nothing, on every page that shows them; the pages work under the server's
// Content-Security-Policy (no 'unsafe-inline').

import { after, before, describe, test } from 'node:test';
import {
  BASE_URL, DEMO, DESKTOP, PHONE, RUN, apiOk, assert, assertClean, close, closeBrowser, goto, newPage, settled, signIn,
} from './lib.mjs';

after(closeBrowser);

const IMG = `<img src=x onerror="window.__xss=1;alert(1)"> ${RUN}`;
const SCRIPT = `<script>window.__xss=2;alert(2)</script>`;
const TITLE = `</td><b onmouseover=alert(3)>${RUN}</b><svg onload=alert(4)>`;

let team;

before(async () => {
  team = await apiOk('POST', '/teams', { as: 'demo.commune', body: { name: IMG, kind: 'hamlet', unit_code: DEMO.commune, hamlet: SCRIPT, note: `<iframe src="javascript:alert(5)"></iframe>` } });
  await apiOk('POST', `/teams/${team.id}/members`, { as: 'demo.commune', body: { full_name: SCRIPT, position: 'leader', affiliation: 'police' } });
  await apiOk('POST', '/activities', { as: 'demo.commune', body: { team_id: team.id, held_on: '2026-04-01', kind: 'other', title: TITLE, location: IMG } });
});

async function noInjection(page) {
  const found = await page.evaluate(() => ({
    xss: window.__xss,
    img: document.querySelectorAll('main img[src="x"], main svg, main iframe, main b[onmouseover]').length,
    scripts: [...document.scripts].filter((s) => !/\/(js\/app\.js|vendor\/chart\.js\/chart\.umd\.min\.js)$/.test(s.src)).length,
  }));
  assert.deepEqual(found, { xss: undefined, img: 0, scripts: 0 });
}

describe('data is text, never markup', () => {
  test('the CSP header is sent with the client\'s pages and has no unsafe-inline', async () => {
    for (const path of ['/', '/index.html', '/js/app.js']) {
      const res = await fetch(`${BASE_URL}${path}`);
      const csp = res.headers.get('content-security-policy') || '';
      assert.match(csp, /default-src 'self'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    }
  });

  test('the team page shows the markup in a name, a hamlet, a member and a note as text', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.commune', { hash: `#/teams/${team.id}` });
    await settled(page);
    await page.getByRole('heading', { level: 1, name: IMG }).waitFor();
    await page.locator('#members').getByText(SCRIPT, { exact: true }).waitFor();
    await page.getByText(SCRIPT, { exact: true }).first().waitFor();
    await page.getByText('<iframe src="javascript:alert(5)"></iframe>', { exact: true }).waitFor();
    assert.equal(await page.title(), `${IMG} — Tổ công nghệ số cộng đồng`);
    await noInjection(page);
    // The edit form carries the same text in its fields.
    await page.getByRole('button', { name: 'Sửa', exact: true }).click();
    assert.equal(await page.locator('#team-edit-form').getByLabel('Tên tổ').inputValue(), IMG);
    await noInjection(page);
    await assertClean(page);
    await close(page);
  });

  test('the lists, the activity and the audit log show it as text too', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune', { hash: `#/teams?q=${RUN}` });
    await settled(page);
    await page.locator('#team-list').getByRole('link', { name: IMG }).waitFor();
    await noInjection(page);
    await goto(page, `#/activities?team=${team.id}`);
    await settled(page);
    await page.getByRole('link', { name: TITLE }).waitFor();
    await page.getByText(IMG, { exact: true }).first().waitFor();
    await noInjection(page);
    await page.getByRole('link', { name: TITLE }).click();
    await settled(page);
    assert.equal(await page.getByLabel('Nội dung hoạt động').inputValue(), TITLE);
    await noInjection(page);
    await goto(page, `#/admin/audit?resource_id=${team.id}`);
    await settled(page);
    await page.getByText(`Tên: ${IMG}`).first().waitFor();
    await noInjection(page);
    await assertClean(page);
    await close(page);
  });
});
