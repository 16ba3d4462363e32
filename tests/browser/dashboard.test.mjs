// The dashboard (issue 5 item 3): each demo account signs in and sees its own unit's figures,
// equal to GET /stats/overview; the charts are drawn; clicking a district drills down to it.

import { after, describe, test } from 'node:test';
import {
  DEMO, DESKTOP, PHONE, api, apiOk, assert, assertClean, assertNoHorizontalScroll, close, closeBrowser, fmtNumber,
  fmtPercent, goto, newPage, screenshot, settled, signIn, todayPlus, uniq,
} from './lib.mjs';

after(closeBrowser);

/** data-figure → text shown, for every figure on the page. */
async function shownFigures(page) {
  await page.locator('[data-figure="teams_active"]').waitFor();
  return page.evaluate(() => Object.fromEntries(
    [...document.querySelectorAll('[data-figure]')].map((el) => [el.dataset.figure, el.textContent.trim()])));
}

function expectFigures(shown, totals) {
  const keys = Object.keys(shown);
  assert.ok(keys.length >= 17, `figures shown: ${keys.join(', ')}`);
  for (const k of keys) {
    assert.ok(k in totals, `the page shows ${k}, which the API does not have`);
    const want = k.endsWith('_rate') ? fmtPercent(totals[k]) : fmtNumber(totals[k]);
    assert.equal(shown[k], want, `figure ${k}`);
  }
}

describe('dashboard', () => {
  for (const username of DEMO.accounts) {
    test(`${username} signs in and sees its own figures, equal to the API's`, async () => {
      const page = await newPage(DESKTOP);
      await signIn(page, username);
      assert.match(page.url(), /#\/$/);
      const me = await apiOk('GET', '/auth/me', { as: username });
      const overview = await apiOk('GET', '/stats/overview', { as: username });
      await settled(page);
      // An enterprise's dashboard is titled with the enterprise's name (issue 13), not its commune's.
      const title = me.enterprise ? (await apiOk('GET', `/enterprises/${me.enterprise}`, { as: username })).name : overview.unit.name;
      await assert.doesNotReject(page.getByRole('heading', { level: 1, name: `Tổng quan: ${title}` }).waitFor());
      await assert.doesNotReject(page.locator('#who').getByText(me.full_name).waitFor());
      expectFigures(await shownFigures(page), overview.totals);
      // Unit accounts above a commune get a chart per child unit; everyone gets the line chart.
      const canvases = await page.locator('canvas').count();
      assert.equal(canvases, overview.children.length ? 2 : 1, 'charts drawn');
      if (overview.children.length) {
        const rows = await page.locator('[data-unit]').count();
        assert.equal(rows, overview.children.length, 'one table row per child unit');
      }
      await screenshot(page, `dashboard-${username}-1280`);
      await assertClean(page);
      await close(page);
    });
  }

  test('the province drills down to a district, then to a commune, and back', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.province');
    await settled(page);
    await page.locator('details.table-alt').first().evaluate((d) => { d.open = true; });
    await page.locator(`[data-unit="${DEMO.district}"] a`).click();
    await page.waitForURL(new RegExp(`#/dashboard/${DEMO.district}$`));
    const district = await apiOk('GET', '/stats/overview', { as: 'demo.province', query: { unit: DEMO.district } });
    await page.getByRole('heading', { level: 1, name: `Tổng quan: ${district.unit.name}` }).waitFor();
    await settled(page);
    expectFigures(await shownFigures(page), district.totals);
    await assertNoHorizontalScroll(page);
    await screenshot(page, 'dashboard-drilldown-district-360');

    await page.locator('details.table-alt').first().evaluate((d) => { d.open = true; });
    await page.locator(`[data-unit="${DEMO.commune}"] a`).click();
    await page.waitForURL(new RegExp(`#/dashboard/${DEMO.commune}$`));
    const commune = await apiOk('GET', '/stats/overview', { as: 'demo.province', query: { unit: DEMO.commune } });
    await page.getByRole('heading', { level: 1, name: `Tổng quan: ${commune.unit.name}` }).waitFor();
    await settled(page);
    expectFigures(await shownFigures(page), commune.totals);
    // The breadcrumb leads back up.
    await page.locator('.breadcrumb').getByRole('link', { name: district.unit.name }).click();
    await page.waitForURL(new RegExp(`#/dashboard/${DEMO.district}$`));
    await assertClean(page);
    await close(page);
  });

  test('clicking a district\'s bar in the chart drills down to it', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.province');
    await settled(page);
    const overview = await apiOk('GET', '/stats/overview', { as: 'demo.province' });
    // The first district with members trained has a visible bar; click its centre.
    const index = overview.children.findIndex((c) => c.members_trained > 0);
    await page.locator('#bar-title').scrollIntoViewIfNeeded();
    await page.locator('#bar-title').evaluate((el) => el.closest('section').querySelector('canvas').scrollIntoView({ block: 'center' }));
    // The bar's centre, scrolled into view first (a province of many communes has a tall chart).
    const point = await page.evaluate((i) => {
      const canvas = document.querySelector('#bar-title').closest('section').querySelector('canvas');
      const chart = window.Chart.getChart(canvas);
      const bar = chart.getDatasetMeta(2).data[i];
      const { x, y, base } = bar.getProps(['x', 'y', 'base'], true);
      const horizontal = chart.options.indexAxis === 'y';
      const at = () => {
        const box = canvas.getBoundingClientRect();
        return horizontal ? { x: box.left + (x + base) / 2, y: box.top + y } : { x: box.left + x, y: box.top + (y + base) / 2 };
      };
      window.scrollBy(0, at().y - window.innerHeight / 2);
      return at();
    }, index);
    await page.mouse.click(point.x, point.y);
    await page.waitForURL(new RegExp(`#/dashboard/${overview.children[index].code}$`));
    await page.getByRole('heading', { level: 1, name: `Tổng quan: ${overview.children[index].name}` }).waitFor();
    await assertClean(page);
    await close(page);
  });

  test('a period narrows the activity figures to it, and the address keeps it', async () => {
    const page = await newPage(DESKTOP);
    await signIn(page, 'demo.district');
    await goto(page, '#/?from=2025-01-01&to=2025-12-31');
    await settled(page);
    const overview = await apiOk('GET', '/stats/overview', { as: 'demo.district', query: { from: '2025-01-01', to: '2025-12-31' } });
    expectFigures(await shownFigures(page), overview.totals);
    assert.equal(await page.getByLabel('Từ ngày').inputValue(), '01/01/2025');
    assert.equal(await page.getByLabel('Đến ngày').inputValue(), '31/12/2025');
    await assertClean(page);
    await close(page);
  });

  test('a district follows the province\'s deadline to its communes, counted over its own', async () => {
    const title = uniq('Báo cáo toàn tỉnh');
    const d = await apiOk('POST', '/deadlines', {
      body: { title, kind: 'report', due_on: todayPlus(5), target_level: 'commune', scope_unit: DEMO.province },
    });
    try {
      const seen = await apiOk('GET', `/deadlines/${d.id}`, { as: 'demo.district' });
      assert.ok(seen.targets.total > 0 && seen.targets.total < d.targets.total, 'the district counts its own communes only');
      const page = await newPage(DESKTOP);
      await signIn(page, 'demo.district');
      await settled(page);
      const item = page.locator('[data-list="issued"] li', { hasText: title });
      await item.waitFor();
      assert.match(await item.textContent(), new RegExp(`chưa đến hạn ${fmtNumber(seen.targets.pending)} / ${fmtNumber(seen.targets.total)} đơn vị`));
      await goto(page, '#/deadlines');
      await settled(page);
      await page.locator('#issued').getByRole('link', { name: title }).waitFor();
      await screenshot(page, 'deadlines-district-follows-province');
      await assertClean(page);
      await close(page);
    } finally {
      await api('DELETE', `/deadlines/${d.id}`);
    }
  });
});
