// The district secretary's morning, on a 360 px phone (issue 5, "done when"): she sees how her
// communes stand, creates a team in a commune, adds its members until it meets the structure
// rules and watches it turn compliant on the dashboard; issues a report deadline to her
// communes; the commune completes it from its own phone with a note and a link; both
// dashboards move.

import { after, describe, test } from 'node:test';
import {
  DEMO, PHONE, apiOk, assert, assertClean, assertNoHorizontalScroll, close, closeBrowser, fmtNumber, goto, newPage,
  screenshot, settled, signIn, uniq,
} from './lib.mjs';

after(closeBrowser);

const figure = async (page, key) => {
  await page.locator(`[data-figure="${key}"]`).waitFor();
  return page.locator(`[data-figure="${key}"]`).textContent();
};

/** Opens the phone menu and follows one of its links. */
async function menu(page, name) {
  await page.getByRole('button', { name: 'Danh mục' }).click();
  await page.locator('#site-nav').getByRole('link', { name, exact: true }).click();
}

describe('a district secretary on her phone', () => {
  let teamId;
  let deadlineId;
  const teamName = uniq('Tổ CNSCĐ khu phố');

  test('creates a team, adds members until it meets the rules, and sees it compliant on the dashboard', async () => {
    const before = await apiOk('GET', '/stats/overview', { as: 'demo.district' });
    const page = await newPage(PHONE);
    await signIn(page, 'demo.district');
    await settled(page);
    assert.equal(await figure(page, 'teams_compliant'), fmtNumber(before.totals.teams_compliant));

    await menu(page, 'Tổ CNSCĐ');
    await page.getByRole('link', { name: 'Thêm tổ' }).click();
    await page.waitForURL(/#\/teams\/new$/);
    await settled(page);
    await page.getByLabel('Tên tổ').fill(teamName);
    await page.getByLabel('Loại tổ').selectOption({ label: 'Tổ khu phố, ấp' });
    await page.getByLabel('Xã, phường, thị trấn', { exact: true }).selectOption(DEMO.commune);
    await page.getByLabel('Khu phố, ấp').fill(`Khu phố ${teamName.split(' ').pop()}`);
    await page.getByLabel('Ngày thành lập').fill('15/01/2026');
    await assertNoHorizontalScroll(page);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.waitForURL(/#\/teams\/[0-9a-f-]{36}\?created=1$/);
    teamId = /teams\/([0-9a-f-]{36})/.exec(page.url())[1];
    await page.getByRole('heading', { level: 1, name: teamName }).waitFor();
    // Not compliant yet, and the page says why.
    await page.locator('#compliance').getByText('Chưa đạt cơ cấu').waitFor();
    const codes = await page.locator('#compliance-problems li').evaluateAll((lis) => lis.map((li) => li.dataset.code));
    assert.ok(codes.includes('too_few_members') && codes.includes('no_leader'), `problems shown: ${codes}`);
    const team = await apiOk('GET', `/teams/${teamId}`, { as: 'demo.district' });
    assert.deepEqual(await page.locator('#compliance-problems li').allTextContents(), team.compliance.problems.map((p) => p.message));
    assert.equal(team.unit_code, DEMO.commune);
    assert.equal(team.established_on, '2026-01-15');

    const members = [
      ['Nguyễn Văn Trưởng', 'Tổ trưởng', 'Trưởng khu phố, ấp', false],
      ['Trần Thị Phó', 'Tổ phó', 'Đoàn Thanh niên', true],
      ['Lê Văn Viên', 'Thành viên', 'Doanh nghiệp bưu chính, viễn thông', true],
    ];
    for (const [name, position, affiliation, skilled] of members) {
      await page.locator('#add-member').click();
      const form = page.locator('#member-form');
      await form.getByLabel('Họ và tên').fill(name);
      await form.getByLabel('Chức danh').selectOption({ label: position });
      await form.getByLabel('Thành phần').selectOption({ label: affiliation });
      if (skilled) await form.getByLabel('Có kỹ năng công nghệ thông tin cơ bản').check();
      await form.getByLabel('Điện thoại').fill('0912345678');
      await form.getByRole('button', { name: 'Thêm thành viên' }).click();
      await page.locator('#members').getByText(name, { exact: true }).waitFor();
    }
    await page.locator('#compliance').getByText('Đạt cơ cấu', { exact: false }).waitFor();
    assert.equal(await page.locator('#compliance-problems').count(), 0);
    assert.equal((await apiOk('GET', `/teams/${teamId}`, { as: 'demo.district' })).compliance.ok, true);
    await assertNoHorizontalScroll(page);
    await screenshot(page, 'flow-team-compliant-360');

    await menu(page, 'Tổng quan');
    await settled(page);
    const afterStats = await apiOk('GET', '/stats/overview', { as: 'demo.district' });
    assert.equal(afterStats.totals.teams_compliant, before.totals.teams_compliant + 1);
    assert.equal(await figure(page, 'teams_compliant'), fmtNumber(afterStats.totals.teams_compliant));
    assert.equal(await figure(page, 'members_active'), fmtNumber(before.totals.members_active + 3));
    await assertClean(page);
    await close(page);
  });

  test('edits a member in place (her training date)', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.district', { hash: `#/teams/${teamId}` });
    await settled(page);
    const row = page.locator('#members tr', { hasText: 'Lê Văn Viên' });
    await row.getByRole('button', { name: 'Sửa Lê Văn Viên' }).click();
    const form = page.locator('#member-edit-form');
    await form.getByLabel('Ngày hoàn thành tập huấn').fill('01/03/2026');
    await form.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('#members').getByText('01/03/2026').waitFor();
    const list = await apiOk('GET', `/teams/${teamId}/members`, { as: 'demo.district' });
    assert.equal(list.items.find((m) => m.full_name === 'Lê Văn Viên').trained_on, '2026-03-01');
    await assertClean(page);
    await close(page);
  });

  test('issues a report deadline to her communes and watches each one\'s status', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.district', { hash: '#/deadlines/new' });
    await settled(page);
    await page.getByLabel('Tiêu đề').fill(uniq('Báo cáo kết quả hoạt động'));
    await page.getByLabel('Loại nhiệm vụ').selectOption({ label: 'Báo cáo' });
    await page.getByLabel('Giao cho cấp').selectOption({ label: 'Cấp xã' });
    await page.getByRole('button', { name: 'Giao nhiệm vụ' }).click();
    await page.waitForURL(/#\/deadlines\/[0-9a-f-]{36}\?created=1$/);
    deadlineId = /deadlines\/([0-9a-f-]{36})/.exec(page.url())[1];
    const d = await apiOk('GET', `/deadlines/${deadlineId}`, { as: 'demo.district' });
    assert.equal(d.scope_unit, DEMO.district);
    await page.getByText(`Đã giao nhiệm vụ cho ${fmtNumber(d.targets.total)} đơn vị.`).waitFor();
    await settled(page);
    assert.equal(await page.locator('#targets tr[data-target]').count(), d.targets.total);
    await page.locator(`#targets tr[data-target="${DEMO.commune}"]`).getByText('Chưa đến hạn').waitFor();
    await assertNoHorizontalScroll(page);
    await assertClean(page);
    await close(page);
  });

  test('the commune completes it from its phone with a note and a link; the dashboards move', async () => {
    const before = await apiOk('GET', '/stats/overview', { as: 'demo.commune' });
    const page = await newPage(PHONE);
    await signIn(page, 'demo.commune');
    await settled(page);
    // The dashboard lists it among what is due soon? It is due in 30 days: on the deadlines page.
    await menu(page, 'Nhiệm vụ có thời hạn');
    await settled(page);
    const card = page.locator(`article[data-deadline="${deadlineId}"]`);
    await card.getByRole('button', { name: 'Đánh dấu hoàn thành' }).click();
    await card.getByLabel('Ghi chú kết quả').fill('Đã gửi báo cáo qua hệ thống');
    await card.getByLabel('Đường dẫn kết quả (nếu có)').fill('https://example.vn/bao-cao/1');
    await card.getByRole('button', { name: 'Xác nhận hoàn thành' }).click();
    const done = page.locator(`article[data-deadline="${deadlineId}"]`);
    await done.getByText('Đã hoàn thành').waitFor();
    await done.getByText('Đúng hạn').waitFor();
    await done.getByRole('link', { name: 'https://example.vn/bao-cao/1' }).waitFor();
    await assertNoHorizontalScroll(page);
    await screenshot(page, 'flow-deadline-done-360');

    await menu(page, 'Tổng quan');
    await settled(page);
    const afterStats = await apiOk('GET', '/stats/overview', { as: 'demo.commune' });
    assert.equal(afterStats.totals.targets_done_on_time, before.totals.targets_done_on_time + 1);
    assert.equal(await figure(page, 'targets_done_on_time'), fmtNumber(afterStats.totals.targets_done_on_time));
    await assertClean(page);
    await close(page);

    // The issuer sees it done.
    const district = await newPage(PHONE);
    await signIn(district, 'demo.district', { hash: `#/deadlines/${deadlineId}` });
    await settled(district);
    await district.locator(`#targets tr[data-target="${DEMO.commune}"]`).getByText('Đã hoàn thành').waitFor();
    await district.locator(`#targets tr[data-target="${DEMO.commune}"]`).getByText('Đã gửi báo cáo qua hệ thống').waitFor();
    await assertClean(district);
    await close(district);
  });

  test('the issuer reopens the target, then completes it on the commune\'s behalf', async () => {
    const page = await newPage(PHONE);
    await signIn(page, 'demo.district', { hash: `#/deadlines/${deadlineId}` });
    await settled(page);
    const row = () => page.locator(`#targets tr[data-target="${DEMO.commune}"]`);
    await row().getByRole('button', { name: /^Mở lại/ }).click();
    await page.locator('dialog.confirm').getByRole('button', { name: 'Mở lại' }).click();
    await row().getByText('Chưa đến hạn').waitFor();
    await row().getByRole('button', { name: /^Hoàn thành/ }).click();
    await page.getByLabel('Ghi chú kết quả').fill('Hoàn thành thay theo báo cáo giấy');
    await page.getByRole('button', { name: 'Xác nhận hoàn thành thay' }).click();
    await row().getByText('Đã hoàn thành').waitFor();
    const targets = await apiOk('GET', `/deadlines/${deadlineId}/targets`, { as: 'demo.district', query: { unit: DEMO.commune } });
    assert.equal(targets.items[0].status, 'done');
    assert.equal(targets.items[0].note, 'Hoàn thành thay theo báo cáo giấy');
    await goto(page, '#/deadlines');
    await settled(page);
    await page.locator('#issued').getByRole('link').first().waitFor();
    await assertClean(page);
    await close(page);
  });
});
