// The commune officer's phone (issue 13, item 8), at 390 × 844: filters folded away by default, a
// member's form opens right below its row, saving it keeps the place (scroll and focus), the
// "Đã lưu." toast never covers the focused field, and every control on the officer's pages is at
// least 44 × 44 px.

import { after, before, test } from 'node:test';
import {
  DEMO, api, apiOk, assert, assertClean, close, closeBrowser, goto, newPage, settled, signIn, uniq,
} from './lib.mjs';

const PHONE = { width: 390, height: 844 };
const C = 'demo.commune';
let team; // a team of 25747 with enough members to scroll
let page;

before(async () => {
  team = await apiOk('POST', '/teams', { as: C, body: { name: uniq('Tổ CNSCĐ Điện Thoại'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: uniq('Khu phố') } });
  for (let i = 0; i < 9; i++) {
    await apiOk('POST', `/teams/${team.id}/members`, { as: C, body: { full_name: uniq(`Thành viên ${i}`), phone: `09130000${10 + i}` } });
  }
  page = await newPage(PHONE);
  await signIn(page, C);
});

after(async () => {
  await close(page);
  await closeBrowser();
});

test('filters are folded away by default on a phone', async () => {
  for (const hash of ['#/teams', '#/activities', '#/deadlines']) {
    await goto(page, hash);
    await settled(page);
    const box = page.locator('details.filter-box');
    assert.equal(await box.count(), 1, `${hash} has a filter box`);
    assert.equal(await box.evaluate((d) => d.open), false, `${hash}: folded`);
    assert.equal(await box.locator('form').isVisible(), false, `${hash}: its fields hidden`);
    await box.locator('summary').click();
    assert.equal(await box.locator('form').isVisible(), true, `${hash}: a tap opens it`);
  }
  await assertClean(page);
});

test('a member\'s form opens right below its row; saving keeps the place and the toast clear of focus', async () => {
  await goto(page, `#/teams/${team.id}`);
  await settled(page);
  const rows = page.locator('#members tbody tr[data-member]');
  const n = await rows.count();
  const row = rows.nth(n - 2); // far down the page
  const id = await row.getAttribute('data-member');
  await row.scrollIntoViewIfNeeded();
  await row.locator('.actions button', { hasText: 'Sửa' }).click();
  const formRow = page.locator('#members tr.row-form');
  await formRow.locator('#member-edit-form').waitFor();
  // The form is the very next row after the member's, not at the end of the list.
  assert.equal(await row.evaluate((tr) => tr.nextElementSibling?.classList.contains('row-form')), true);
  const [rowBox, formBox] = [await row.boundingBox(), await formRow.boundingBox()];
  assert.ok(formBox.y - (rowBox.y + rowBox.height) < 30, `form right below the row: ${JSON.stringify([rowBox, formBox])}`);

  const phone = formRow.getByLabel('Điện thoại');
  await phone.fill('0913 999 888');
  const submit = formRow.getByRole('button', { name: 'Lưu' });
  await submit.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => window.scrollY);
  assert.ok(before > 300, `scrolled down the list (${before})`);
  await submit.click();
  await page.locator('#status', { hasText: 'Đã lưu.' }).waitFor();
  await settled(page);
  // Back where the person was, down the list (not at the top of the page), focus on that member's
  // row (the form that was open below it is gone, so the page is shorter by its height).
  const after = await page.evaluate(() => window.scrollY);
  assert.ok(after > before / 2, `kept the place: ${before} → ${after}`);
  const focused = await page.evaluate(() => document.activeElement.closest('tr')?.dataset.member);
  assert.equal(focused, id, 'focus on the saved member');
  const inView = await page.evaluate(() => {
    const b = document.activeElement.getBoundingClientRect();
    return b.top >= 0 && b.bottom <= window.innerHeight;
  });
  assert.ok(inView, 'the saved member is on screen');
  assert.match(await row.textContent(), /0913 999 888/);
  const overlap = await page.evaluate(() => {
    const t = document.getElementById('status').getBoundingClientRect();
    const f = document.activeElement.getBoundingClientRect();
    return t.width > 0 && t.left < f.right && f.left < t.right && t.top < f.bottom && f.top < t.bottom;
  });
  assert.equal(overlap, false, 'the toast does not cover the focused element');
  await assertClean(page);
});

test('the toast moves away from a focused field at the bottom of the screen', async () => {
  await goto(page, '#/activities/new');
  await settled(page);
  const overlap = await page.evaluate(async () => {
    const field = document.querySelector('#activity-form textarea');
    field.scrollIntoView({ block: 'end' });
    field.focus({ preventScroll: true });
    (await import('/js/dom.js')).announce('Đã lưu.');
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const t = document.getElementById('status').getBoundingClientRect();
    const f = field.getBoundingClientRect();
    return { shown: t.height > 0, covers: t.left < f.right && f.left < t.right && t.top < f.bottom && f.top < t.bottom, t: t.top, f: f.top };
  });
  assert.ok(overlap.shown, 'the toast is shown');
  assert.equal(overlap.covers, false, `the toast covers the field: ${JSON.stringify(overlap)}`);
  await assertClean(page);
});

/** Every visible control of the page smaller than 44 × 44 px (a checkbox counts with its label). */
async function smallTargets(p) {
  return p.evaluate(() => {
    const out = [];
    const controls = document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])');
    for (const el of controls) {
      if (el.closest('[hidden], .visually-hidden') || el.classList.contains('visually-hidden')) continue;
      let box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not displayed
      if (el.type === 'checkbox' || el.type === 'radio') {
        const label = el.closest('label') || document.querySelector(`label[for="${el.id}"]`);
        if (label) {
          const l = label.getBoundingClientRect();
          box = { width: Math.max(l.right, box.right) - Math.min(l.left, box.left), height: Math.max(l.bottom, box.bottom) - Math.min(l.top, box.top) };
        }
      }
      if (box.width < 44 || box.height < 44) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.name || '').trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return out;
  });
}

test('every control on the commune officer\'s pages is at least 44 × 44 px', async () => {
  const activity = await apiOk('POST', '/activities', { as: C, body: { team_id: team.id, held_on: '2026-01-05', kind: 'vneid', title: uniq('Hướng dẫn') } });
  const deadline = (await api('GET', '/deadlines', { as: C, query: { mine: 'true', limit: 1 } })).json.items[0];
  const pages = ['#/', '#/teams', `#/teams/${team.id}`, '#/activities', '#/activities/new', `#/activities/${activity.id}`, '#/deadlines', '#/import'];
  if (deadline) pages.push(`#/deadlines/${deadline.id}`);
  const small = [];
  for (const hash of pages) {
    await goto(page, hash);
    await settled(page);
    // Folded parts count too: open every filter box and table.
    await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
    for (const s of await smallTargets(page)) small.push(`${hash}: ${s}`);
    // The menu, opened.
    if (hash === '#/') {
      await page.locator('#menu-toggle').click();
      for (const s of await smallTargets(page)) small.push(`${hash} (menu): ${s}`);
      await page.locator('#menu-toggle').click();
    }
  }
  assert.deepEqual(small, [], 'tap targets under 44 px');
  await assertClean(page);
});
