// Names, not codes (issue 13, item 7), and input that protects the figures (item 6): the audit log
// says positions, kinds and units in words; the activity list names each activity's commune; a
// deadline's targets are listed with their district; an activity dated after today is refused
// beside its date; a team entered twice is asked about; the import page asks for dates as the
// CSV needs them (YYYY-MM-DD) and names its columns for what they hold.

import { after, before, test } from 'node:test';
import {
  DEMO, DESKTOP, apiOk, assert, assertClean, close, closeBrowser, fmtDate, goto, newPage, settled, signIn, todayPlus, uniq,
} from './lib.mjs';

const P = 'demo.province';
let page;
let team;

before(async () => {
  team = await apiOk('POST', '/teams', { body: { name: uniq('Tổ CNSCĐ Tên Gọi'), kind: 'hamlet', unit_code: DEMO.commune, hamlet: uniq('Khu phố') } });
  page = await newPage(DESKTOP);
  await signIn(page, P);
});

after(async () => {
  await close(page);
  await closeBrowser();
});

test('the audit log says positions, kinds and units in words', async () => {
  const member = await apiOk('POST', `/teams/${team.id}/members`, { body: { full_name: uniq('Lê Thị Tổ Phó'), position: 'deputy', affiliation: 'youth_union' } });
  await goto(page, `#/admin/audit?resource=members&resource_id=${member.id}`);
  await settled(page);
  const memberText = await page.locator('table.data tbody').textContent();
  assert.match(memberText, /Chức danh: Tổ phó/);
  assert.match(memberText, /Thành phần: Đoàn Thanh niên/);
  assert.doesNotMatch(memberText, /deputy|youth_union/);
  await goto(page, `#/admin/audit?resource=teams&resource_id=${team.id}`);
  await settled(page);
  const teamText = await page.locator('table.data tbody').textContent();
  assert.match(teamText, /Loại: Tổ khu phố, ấp/);
  assert.match(teamText, /Phường Thủ Dầu Một/);
  assert.doesNotMatch(teamText, /: hamlet|: 25747/);
  await assertClean(page);
});

test('the activity list names each activity\'s team and commune', async () => {
  const a = await apiOk('POST', '/activities', { body: { team_id: team.id, held_on: '2026-02-03', kind: 'vneid', title: uniq('Hướng dẫn VNeID') } });
  await goto(page, `#/activities?team=${team.id}`);
  await settled(page);
  const row = page.locator(`tr[data-activity="${a.id}"]`);
  assert.equal(await row.locator('td[data-label="Xã, phường"]').textContent(), 'Phường Thủ Dầu Một');
  assert.equal(await row.locator('td[data-label="Tổ"]').textContent(), team.name);
  await assertClean(page);
});

test('a deadline\'s targets are listed with their district', async () => {
  const d = await apiOk('POST', '/deadlines', { body: { title: uniq('Báo cáo theo huyện'), kind: 'report', due_on: todayPlus(12), target_level: 'commune', scope_unit: DEMO.province } });
  await goto(page, `#/deadlines/${d.id}`);
  await settled(page);
  const row = page.locator(`#targets tr[data-target="${DEMO.commune}"]`);
  assert.equal(await row.locator('td[data-label="Huyện, quận"]').textContent(), 'Khu vực Thủ Dầu Một');
  assert.equal(await page.locator(`#targets tr[data-target="${DEMO.dian}"] td[data-label="Huyện, quận"]`).textContent(), 'Khu vực Dĩ An');
  await assertClean(page);
});

test('an activity dated after today is refused beside its date', async () => {
  await goto(page, `#/activities/new?team=${team.id}`);
  await settled(page);
  await page.getByLabel('Ngày thực hiện').fill(fmtDate(todayPlus(2)));
  await page.getByLabel('Loại hoạt động').selectOption({ label: 'Kỹ năng số' });
  await page.getByLabel('Nội dung hoạt động').fill(uniq('Chưa diễn ra'));
  await page.getByRole('button', { name: 'Ghi nhận' }).click();
  const field = page.locator('#activity-form [data-field="held_on"]');
  await field.locator('.field-error:not([hidden])').waitFor();
  assert.match(await field.locator('.field-error').textContent(), /^Không được sau ngày hôm nay \(\d{2}\/\d{2}\/\d{4}\): chỉ ghi nhận hoạt động đã diễn ra\.$/);
  assert.equal(await field.locator('input').getAttribute('aria-invalid'), 'true');
  await assertClean(page, { allowStatus: [422] });
});

test('a team entered twice is asked about before it is saved', async () => {
  const commune = await newPage(DESKTOP);
  try {
    await signIn(commune, 'demo.commune', { hash: '#/teams/new' });
    await settled(commune);
    // The same name and hamlet, written without diacritics and in other case.
    await commune.getByLabel('Tên tổ').fill(team.name.replace('Tổ CNSCĐ Tên Gọi', 'to cnscd ten goi'));
    await commune.getByLabel('Loại tổ').selectOption('hamlet');
    await commune.getByLabel('Khu phố, ấp').fill(team.hamlet.toUpperCase());
    await commune.getByRole('button', { name: 'Lưu' }).click();
    const dialog = commune.locator('dialog.confirm');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /đã có một tổ đang hoạt động cùng tên ở cùng khu phố, ấp/);
    await dialog.getByRole('button', { name: 'Hủy' }).click();
    assert.equal((await apiOk('GET', '/teams', { query: { q: team.name, limit: 100 } })).total, 1, 'not saved');
    assert.match(new URL(commune.url()).hash, /^#\/teams\/new/, 'still on the form');
    await assertClean(commune, { allowStatus: [409] });
  } finally {
    await close(commune);
  }
});

test('the import page asks for dates as the file needs them', async () => {
  await goto(page, '#/import?resource=activities');
  await settled(page);
  await page.locator('#import-resource').selectOption('activities');
  const columns = page.locator('details.table-alt');
  await columns.locator('summary').click();
  const heldOn = columns.locator('tr', { has: page.locator('code', { hasText: /^held_on$/ }) });
  assert.match(await heldOn.textContent(), /YYYY-MM-DD, ví dụ 2026-03-15.*không sau ngày hôm nay/);
  const teamCol = columns.locator('tr', { has: page.locator('code', { hasText: /^team_external_id$/ }) });
  assert.match(await teamCol.textContent(), /external_id của tổ trong tệp tổ.*team_id.*Có \(hoặc team_id\)/);
  const csv = `external_id,team_id,held_on,kind,title\n${uniq('x').replace(/\s+/g, '-')},${team.id},15/03/2026,vneid,Sai ngày\n`;
  await page.locator('#import-file').setInputFiles({ name: 'hoat-dong.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.locator('#dry-run').click();
  const error = page.locator('#import-errors tbody tr').first();
  await error.waitFor();
  const text = await error.textContent();
  assert.match(text, /Ngày phải ghi theo dạng YYYY-MM-DD, ví dụ 2026-03-15/);
  assert.doesNotMatch(text, /dd\/mm\/yyyy/);
  await assertClean(page, { allowStatus: [422] });
});
