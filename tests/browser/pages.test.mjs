// Every page, for every kind of account, at 360 px and at 1280 px (issue 5 items 1 and 10): no
// console errors, no CSP violations, no horizontal scrolling on a phone, every form control
// labelled, nothing in English or raw; a screenshot of each is written to
// tests/browser/screenshots/ for people to look at.

import { after, before, describe, test } from 'node:test';
import {
  DEMO, DESKTOP, PHONE, apiOk, assert, assertClean, assertNoHorizontalScroll, close, closeBrowser, goto, newPage,
  screenshot, settled, signIn, todayPlus, uniq,
} from './lib.mjs';

after(closeBrowser);

let ids = {};

before(async () => {
  const team = (await apiOk('GET', '/teams', { as: 'demo.commune', query: { q: 'khu pho 3' } })).items[0];
  const activity = await apiOk('POST', '/activities', {
    as: 'demo.commune',
    body: { team_id: team.id, held_on: todayPlus(-3), kind: 'digital_skills', title: uniq('Lớp kỹ năng số cho người cao tuổi'), people_reached: 48, outcomes: { people_trained: 40 } },
  });
  const deadline = await apiOk('POST', '/deadlines', {
    as: 'demo.province',
    body: { title: uniq('Thành lập tổ ở mọi xã'), kind: 'team_setup', due_on: todayPlus(10), target_level: 'commune', scope_unit: DEMO.district, recurrence: 'monthly' },
  });
  ids = { team: team.id, activity: activity.id, deadline: deadline.id };
});

const PAGES = {
  'demo.province': () => ['#/', `#/dashboard/${DEMO.district}`, '#/teams', `#/teams/${ids.team}`, '#/teams/new', '#/activities',
    `#/activities/${ids.activity}`, '#/activities/new', '#/deadlines', '#/deadlines/new', `#/deadlines/${ids.deadline}`, '#/import',
    '#/admin/users', '#/admin/clients', '#/admin/rules', '#/admin/audit', '#/khong-co-trang-nay'],
  'demo.district': () => ['#/', '#/teams', '#/deadlines', '#/deadlines/new', `#/deadlines/${ids.deadline}`, '#/admin/users'],
  'demo.commune': () => ['#/', '#/teams', `#/teams/${ids.team}`, '#/teams/new', '#/activities', '#/activities/new', '#/deadlines',
    `#/deadlines/${ids.deadline}`, '#/import', '#/admin/rules', '#/admin/audit'],
  'demo.enterprise': () => ['#/', '#/teams', '#/teams/new', '#/activities/new', '#/deadlines', '#/import', '#/admin'],
  'demo.readonly': () => ['#/', '#/teams', `#/teams/${ids.team}`, '#/activities/new', '#/admin/users'],
};

const ENGLISH = /\b(undefined|null|NaN|Error|Loading|Submit|Cancel|Delete|Choose File|No file chosen)\b|\[object|\{"/;

async function checkPage(page, hash, shotName, viewport) {
  await goto(page, hash);
  await page.locator('#page-title').waitFor();
  await settled(page);
  // Charts draw once the page has settled.
  await page.waitForTimeout(100);
  const info = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    h1: document.querySelectorAll('h1').length,
    unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.id || el.name),
    noAlt: [...document.querySelectorAll('img:not([alt])')].length,
    text: document.querySelector('main').innerText,
  }));
  assert.equal(info.lang, 'vi');
  assert.equal(info.h1, 1, `one h1 on ${hash}`);
  assert.deepEqual(info.unlabelled, [], `controls without a label on ${hash}`);
  assert.equal(info.noAlt, 0);
  assert.doesNotMatch(info.text, ENGLISH, `English or raw text on ${hash}`);
  assert.match(info.title, / — Tổ công nghệ số cộng đồng$/);
  if (viewport.width <= 400) await assertNoHorizontalScroll(page);
  await screenshot(page, shotName);
}

describe('every page', () => {
  test('the sign-in page, signed out, and the skip link for keyboards', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const page = await newPage(viewport);
      await goto(page, '#/teams');
      await page.waitForURL(/#\/signin$/);
      await page.getByRole('heading', { name: 'Đăng nhập hệ thống' }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-form-username');
      if (viewport === PHONE) await assertNoHorizontalScroll(page);
      await screenshot(page, `signin-${viewport.width}`);
      // The skip link is the first thing a keyboard reaches; focused, it shows and leads to the content.
      const first = await page.evaluate(() => [...document.querySelectorAll('a[href], button:not([hidden]), input, select, textarea')]
        .find((el) => el.offsetParent !== null || el.classList.contains('skip-link')).textContent);
      assert.equal(first, 'Chuyển đến nội dung chính');
      await page.locator('.skip-link').focus();
      const box = await page.locator('.skip-link').boundingBox();
      assert.ok(box.y >= 0, 'the focused skip link is on screen');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
      await assertClean(page);
      await close(page);
    }
  });

  for (const [username, pages] of Object.entries(PAGES)) {
    for (const viewport of [PHONE, DESKTOP]) {
      // The read-only and enterprise accounts at one width keep the run short.
      if (viewport === DESKTOP && (username === 'demo.readonly' || username === 'demo.enterprise')) continue;
      test(`${username} at ${viewport.width} px`, async () => {
        const page = await newPage(viewport);
        await signIn(page, username);
        for (const hash of pages()) {
          const name = hash.replace(/^#\//, '').replace(/[0-9a-f-]{36}/, 'id').replace(/\W+/g, '-') || 'dashboard';
          await checkPage(page, hash, `${username}-${name}-${viewport.width}`, viewport);
        }
        await assertClean(page);
        await close(page);
      });
    }
  }

  test('keyboard: the phone menu opens with Enter, moves focus to the new page\'s heading', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune');
    await settled(page);
    const toggle = page.getByRole('button', { name: 'Danh mục' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    // The menu's links come next (after "Đăng xuất").
    const reached = [];
    for (let i = 0; i < 5 && reached[reached.length - 1] !== 'Tổ CNSCĐ'; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement.textContent));
    }
    assert.equal(reached[reached.length - 1], 'Tổ CNSCĐ', `tab order: ${reached.join(' → ')}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/teams$/);
    await settled(page);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'page-title');
    assert.equal(await page.locator('#site-nav a[aria-current="page"]').textContent(), 'Tổ CNSCĐ');
    await assertClean(page);
    await close(page);
  });
});
