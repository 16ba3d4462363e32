// The dashboard's rates (issue 13, item 1): coverage, compliance, trained and on-time shares as
// the API gives them, per child unit in a table that sorts by any column; charts with one measure
// per axis; "no activity" instead of flat zero lines; a reversed date range said beside the field;
// the deadline panel of the unit drilled into; an enterprise's dashboard titled with its name.

import { after, before, test } from 'node:test';
import {
  DEMO, DESKTOP, api, apiOk, assert, assertClean, close, closeBrowser, fmtPercent, goto, newPage, settled, signIn,
  todayPlus, uniq,
} from './lib.mjs';

const P = 'demo.province';
let page;

before(async () => {
  page = await newPage(DESKTOP);
  await signIn(page, P);
});

after(async () => {
  await close(page);
  await closeBrowser();
});

const rateText = (rate, num, den) => (rate === null ? '—' : `${fmtPercent(rate)} (${num}/${den})`);

test('rate cards and the per-unit table show the API\'s rates; the table sorts by a rate, empty ones last', async () => {
  const o = await apiOk('GET', '/stats/overview', { query: { unit: DEMO.district } });
  await goto(page, `#/dashboard/${DEMO.district}`);
  await settled(page);
  for (const r of ['coverage_rate', 'compliance_rate', 'trained_rate', 'on_time_rate']) {
    assert.equal(await page.locator(`#rates [data-figure="${r}"]`).textContent(), fmtPercent(o.totals[r]), r);
  }
  // The table is folded under the chart when the units are many (other files add communes to 990).
  await page.locator('section[aria-labelledby="bar-title"] details.table-alt').evaluate((d) => { d.open = true; });
  const cells = async () => page.locator('table.data tbody tr[data-unit]').evaluateAll((rows) => rows.map((tr) => [
    tr.dataset.unit, tr.querySelector('[data-rate="compliance_rate"]').textContent]));
  const expect = (c) => [c.code, rateText(c.compliance_rate, c.teams_compliant, c.teams_active)];
  assert.deepEqual(await cells(), o.children.map(expect));
  // Largest first, the empty ones ("—") last; then the other way, still last.
  const header = page.getByRole('button', { name: 'Tỷ lệ tổ đạt cơ cấu' });
  await header.click();
  const byRate = (dir) => [...o.children].sort((a, b) => {
    if (a.compliance_rate === null) return b.compliance_rate === null ? 0 : 1;
    if (b.compliance_rate === null) return -1;
    return (a.compliance_rate - b.compliance_rate) * dir;
  }).map(expect);
  assert.deepEqual(await cells(), byRate(-1));
  assert.equal(await page.locator('th[aria-sort="descending"]').textContent(), 'Tỷ lệ tổ đạt cơ cấu');
  await header.click();
  assert.deepEqual(await cells(), byRate(1));
  assert.ok(o.children.some((c) => c.compliance_rate === null), 'the district has a commune without a team');
  await assertClean(page);
});

test('each chart has one measure per axis', async () => {
  await goto(page, `#/dashboard/${DEMO.district}`);
  await settled(page);
  const axes = await page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => {
    const chart = window.Chart.getChart(c);
    const byAxis = {};
    for (const d of chart.data.datasets) {
      const axis = chart.config.type === 'bar' ? (chart.options.indexAxis === 'y' ? 'x' : 'y') : d.yAxisID;
      (byAxis[axis] ||= { title: chart.options.scales[axis].title?.text, labels: [], max: 0 });
      byAxis[axis].labels.push(d.label);
      byAxis[axis].max = Math.max(byAxis[axis].max, ...d.data.filter((v) => v !== null));
    }
    return byAxis;
  }));
  assert.equal(axes.length, 2, 'the bar chart and the line chart');
  const [bars, lines] = axes;
  // The bars: three shares, one axis of percentages.
  assert.deepEqual(Object.values(bars).map((a) => a.title), ['Tỷ lệ (%)']);
  assert.deepEqual(Object.values(bars)[0].labels, ['Tỷ lệ xã có tổ', 'Tỷ lệ tổ đạt cơ cấu', 'Tỷ lệ thành viên đã tập huấn']);
  assert.ok(Object.values(bars)[0].max <= 100);
  // The lines: activities and people reached, each on an axis of its own.
  assert.deepEqual(Object.values(lines).map((a) => a.labels.length), [1, 1]);
  await assertClean(page);
});

test('no activity in the range: the chart says so instead of drawing flat zero lines', async () => {
  await goto(page, '#/?from=2019-01-01&to=2019-12-31');
  await settled(page);
  assert.equal(await page.locator('#line-empty').textContent(), 'Chưa có hoạt động trong khoảng thời gian này.');
  assert.equal(await page.locator('section[aria-labelledby="line-title"] canvas').count(), 0);
  // A district whose communes have no team: no empty bars either.
  const free = async () => {
    for (let code = 989; code > 900; code--) if ((await api('GET', `/units/${code}`)).status === 404) return String(code);
    throw new Error('no free district code');
  };
  const d = await free();
  await apiOk('POST', '/units', { body: { code: d, name: uniq('Khu vực Trống'), level: 'district', parent_code: DEMO.province } });
  for (let i = 0; i < 2; i++) {
    let c;
    for (c = 99000 + Math.floor(Math.random() * 900); (await api('GET', `/units/${c}`)).status !== 404; c++);
    await apiOk('POST', '/units', { body: { code: String(c), name: uniq('Xã Trống'), level: 'commune', parent_code: d } });
  }
  await goto(page, `#/dashboard/${d}`);
  await settled(page);
  assert.equal(await page.locator('#bar-empty').textContent(), 'Chưa có tổ nào ở các đơn vị trực thuộc.');
  assert.equal(await page.locator('#line-empty').count(), 1);
  assert.equal(await page.locator('canvas').count(), 0);
  await assertClean(page);
});

test('a reversed date range is an error beside the field, from the form and from the address', async () => {
  await goto(page, '#/');
  await settled(page);
  await page.locator('details.period summary').click();
  await page.getByLabel('Từ ngày').fill('10/02/2026');
  await page.getByLabel('Đến ngày').fill('01/02/2026');
  await page.getByRole('button', { name: 'Áp dụng' }).click();
  const from = page.locator('#period-form [data-field="from"]');
  assert.equal(await from.locator('input').getAttribute('aria-invalid'), 'true');
  assert.equal(await from.locator('.field-error').textContent(), 'Ngày bắt đầu không được sau ngày kết thúc.');
  assert.equal(new URL(page.url()).hash, '#/', 'not applied');
  // Typed into the address: the API refuses it (422), and the form says why beside the field.
  await goto(page, '#/?from=2026-02-10&to=2026-02-01');
  await settled(page);
  assert.equal(await page.locator('details.period').evaluate((d) => d.open), true);
  assert.equal(await page.locator('#period-form [data-field="from"] .field-error').textContent(), 'Ngày bắt đầu không được sau ngày kết thúc.');
  await assertClean(page, { allowStatus: [422] });
  page.problems.length = 0; // the 422 was this test's
});

test('the deadline panel follows the unit drilled into', async () => {
  const title = uniq('Báo cáo riêng Dĩ An');
  await apiOk('POST', '/deadlines', { body: { title, kind: 'report', due_on: todayPlus(5), target_level: 'commune', scope_unit: DEMO.dianDistrict } });
  const panelHas = async (hash) => {
    await goto(page, hash);
    await settled(page);
    return page.locator('section[aria-labelledby="dl-title"] .deadline-list li', { hasText: title }).count();
  };
  assert.equal(await panelHas('#/'), 1, 'the province follows it');
  assert.equal(await panelHas(`#/dashboard/${DEMO.dianDistrict}`), 1, 'Dĩ An has it');
  assert.equal(await page.locator('#dl-title').textContent(), 'Nhiệm vụ quá hạn và sắp đến hạn: Khu vực Dĩ An');
  assert.equal(await panelHas(`#/dashboard/${DEMO.district}`), 0, 'Thủ Dầu Một has not');
  assert.equal(await panelHas(`#/dashboard/${DEMO.dian}`), 1, 'its commune Phường Dĩ An has it too');
  const item = page.locator('.deadline-list li', { hasText: title });
  assert.match(await item.textContent(), /chưa đến hạn 1 \/ 1 đơn vị/, 'counted over the commune\'s own target');
  await assertClean(page);
});

test('an enterprise\'s dashboard is titled with the enterprise\'s name', async () => {
  const p = await newPage(DESKTOP);
  try {
    await signIn(p, 'demo.enterprise');
    await settled(p);
    const me = await apiOk('GET', '/auth/me', { as: 'demo.enterprise' });
    const ent = await apiOk('GET', `/enterprises/${me.enterprise}`, { as: 'demo.enterprise' });
    assert.equal(await p.locator('#page-title').textContent(), `Tổng quan: ${ent.name}`);
    await assertClean(p);
  } finally {
    await close(p);
  }
});
