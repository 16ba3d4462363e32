// The periodic report and the exports a person reads (issue 13, items 2 and 3):
//   - GET /reports/periodic: period validation as problem+json naming the field, 404 outside the
//     caller's scope, the figures equal GET /stats/overview's for the period, the HTML in the
//     Decree 30/2020 layout with its own CSP and every name escaped, the PDF;
//   - POST /deadlines/{id}/report: a commune answers a report deadline with its report (stored,
//     completed, audited), the issuer reads it, another commune cannot; other kinds refuse it;
//   - ?columns=labels: Vietnamese headers, names beside codes, labels, dd/mm/yyyy, checked against
//     the JSON; columns=api stays the default; the figures export (GET /stats/overview?format=csv).

import { describe, test } from 'node:test';
import {
  DEMO, api, assert, assertProblem, createTeam, expectStatus, fetchBytes, parseCsv, uniq,
} from './lib.mjs';

const P = 'demo.province';
const YEAR = new Date().getFullYear();

/** The CSV's rows as objects keyed by header (fetch's text() has taken the BOM off already). */
function csvObjects(text) {
  const [header, ...rows] = parseCsv(text.replace(/^\ufeff/, '')).filter((r) => r.length > 1 || r[0] !== '');
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

const vnDate = (iso) => (iso ? iso.slice(0, 10).split('-').reverse().join('/') : '');

describe('GET /reports/periodic', () => {
  test('a bad period is a problem naming the field', async () => {
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { year: YEAR } }), 422, { fields: ['period'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'week', year: YEAR } }), 422, { fields: ['period'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'month', year: YEAR } }), 422, { fields: ['number'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'month', year: YEAR, number: 13 } }), 422, { fields: ['number'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'quarter', year: YEAR, number: 5 } }), 422, { fields: ['number'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'half', year: YEAR, number: 3 } }), 422, { fields: ['number'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'year', year: 1999 } }), 422, { fields: ['year'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'year', year: 'x' } }), 422, { fields: ['year'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'year', year: YEAR, format: 'docx' } }), 422, { fields: ['format'] });
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { period: 'year', year: YEAR, signer_name: 'x'.repeat(101) } }), 422, { fields: ['signer_name'] });
  });

  test('a unit outside the caller\'s scope answers 404, as an unknown one', async () => {
    const q = { period: 'year', year: YEAR, format: 'json' };
    assertProblem(await api('GET', '/reports/periodic', { as: 'demo.commune', query: { ...q, unit: DEMO.province } }), 404);
    assertProblem(await api('GET', '/reports/periodic', { as: 'demo.commune', query: { ...q, unit: DEMO.dian } }), 404);
    assertProblem(await api('GET', '/reports/periodic', { as: 'demo.district', query: { ...q, unit: DEMO.dianDistrict } }), 404);
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { ...q, unit: '00000' } }), 404);
    assertProblem(await api('GET', '/reports/periodic', { as: P, query: { ...q, unit: 'nope' } }), 404);
  });

  for (const [period, number, from, to] of [
    ['month', 2, `${YEAR}-02-01`, `${YEAR}-02-${new Date(Date.UTC(YEAR, 2, 0)).getUTCDate()}`],
    ['quarter', 3, `${YEAR}-07-01`, `${YEAR}-09-30`],
    ['half', 1, `${YEAR}-01-01`, `${YEAR}-06-30`],
    ['year', undefined, `${YEAR}-01-01`, `${YEAR}-12-31`],
  ]) {
    test(`the ${period}'s figures are GET /stats/overview's for ${from}..${to}`, async () => {
      for (const as of [P, 'demo.district', 'demo.commune', 'demo.enterprise']) {
        const res = await api('GET', '/reports/periodic', { as, query: { period, year: YEAR, number, format: 'json' } });
        expectStatus(res, 200);
        const doc = res.json;
        assert.deepEqual(doc.period, { kind: period, year: YEAR, number: number ?? null, from, to });
        const overview = (await api('GET', '/stats/overview', { as, query: { from, to } })).json;
        assert.deepEqual(doc.overview, overview, `${as}: the same figures as the dashboard's`);
        assert.ok(!Number.isNaN(Date.parse(doc.as_of)), 'as_of is a moment');
        // Each deadline's counts add up to the overview's targets.
        const sum = (k) => doc.deadlines.reduce((n, d) => n + d[k], 0);
        assert.equal(sum('done_on_time'), overview.totals.targets_done_on_time);
        assert.equal(sum('done_late'), overview.totals.targets_done_late);
        assert.equal(sum('overdue'), overview.totals.targets_overdue);
        assert.equal(sum('pending'), overview.totals.targets_pending);
        assert.equal(doc.late_total, overview.totals.targets_done_late + overview.totals.targets_overdue);
      }
    });
  }

  test('the HTML is the decree\'s document, with its own policy and every name escaped', async () => {
    const signer = '<img src=x onerror=alert(1)> Nguyễn "A" & B';
    const res = await api('GET', '/reports/periodic', {
      as: P, query: { period: 'year', year: 2024, unit: '74', signer_name: signer, doc_number: '15/BC-BCĐ' },
      headers: { Accept: 'text/html' },
    });
    expectStatus(res, 200);
    assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'unsafe-inline'/);
    assert.doesNotMatch(csp, /script-src/);
    const html = res.text;
    assert.ok(!html.includes('<img'), 'the signer is text, not markup');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt; Nguyễn &quot;A&quot; &amp; B'));
    for (const part of ['Cộng hòa xã hội chủ nghĩa Việt Nam', 'Độc lập - Tự do - Hạnh phúc', 'Số: 15/BC-BCĐ',
      'Bình Dương, ngày ', 'Báo cáo</h1>', 'Kết quả hoạt động của Tổ công nghệ số cộng đồng năm 2024',
      'Số liệu tính đến ', 'Nơi nhận:', 'TM. Ban Chỉ đạo', 'Trưởng ban', '@page', 'size: A4']) {
      assert.ok(html.includes(part), `the document has ${part}`);
    }
    // The year 2024 of Tỉnh Bình Dương had a report deadline: its late units are listed.
    const doc = (await api('GET', '/reports/periodic', { as: P, query: { period: 'year', year: 2024, unit: '74', format: 'json' } })).json;
    assert.ok(doc.deadlines.length >= 1);
    for (const l of doc.late.slice(0, 5)) assert.ok(html.includes(l.name), `late unit ${l.name} listed`);
  });

  test('the PDF is A4, made by the renderer, named for the unit and period', async () => {
    const res = await fetchBytes('/reports/periodic', { as: P, query: { period: 'quarter', year: YEAR, number: 4, format: 'pdf' } });
    assert.equal(res.status, 200, res.bytes.toString().slice(0, 300));
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition'), /attachment; filename="bao-cao-79-quy-4-\d{4}\.pdf"/);
    assert.equal(res.bytes.subarray(0, 5).toString(), '%PDF-');
    assert.ok(/\/MediaBox \[ ?0 0 595\.\d+ 841\.\d+ ?\]/.test(res.bytes.toString('latin1')), 'A4 pages');
    // Accept: application/pdf asks for the same.
    const byAccept = await fetchBytes('/reports/periodic', { as: P, query: { period: 'year', year: YEAR }, headers: { Accept: 'application/pdf' } });
    assert.equal(byAccept.headers.get('content-type'), 'application/pdf');
  });
});

describe('POST /deadlines/{id}/report', () => {
  test('a commune answers a report deadline with its report; the issuer reads it, another commune cannot', async () => {
    const due = new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10);
    const created = await api('POST', '/deadlines', {
      as: 'demo.district',
      body: { title: uniq('Báo cáo tháng'), kind: 'report', due_on: due, target_level: 'commune', scope_unit: DEMO.district },
    });
    expectStatus(created, 201);
    const id = created.json.id;
    const other = await api('POST', '/deadlines', {
      as: 'demo.district',
      body: { title: uniq('Việc khác'), kind: 'other', due_on: due, target_level: 'commune', scope_unit: DEMO.district },
    });
    expectStatus(other, 201);

    const body = { period: 'month', year: YEAR, number: 1, signer_name: 'Trần Thị <B>', doc_number: '7/BC-UBND' };
    assertProblem(await api('POST', `/deadlines/${other.json.id}/report`, { as: 'demo.commune', body }), 409);
    assertProblem(await api('POST', `/deadlines/${id}/report`, { as: 'demo.commune', body: { year: YEAR } }), 422, { fields: ['period'] });
    assertProblem(await api('POST', `/deadlines/${id}/report`, { as: 'demo.commune', body: { ...body, number: 13 } }), 422, { fields: ['number'] });
    assertProblem(await api('POST', `/deadlines/${id}/report`, { as: 'demo.commune', body: { ...body, extra: 1 } }), 422, { fields: ['extra'] });
    // The issuer is no target of it; another district's commune does not see it.
    assertProblem(await api('POST', `/deadlines/${id}/report`, { as: 'demo.district', body }), 404);
    assertProblem(await api('POST', `/deadlines/${id}/report`, { as: 'demo.commune.dian', body }), 404);

    const done = await api('POST', `/deadlines/${id}/report`, { as: 'demo.commune', body });
    expectStatus(done, 200);
    assert.equal(done.json.status, 'done');
    assert.equal(done.json.on_time, true);
    assert.equal(done.json.completed_by, 'demo.commune');
    assert.equal(done.json.report.created_by, 'demo.commune');
    assert.equal(done.json.report.period.kind, 'month');
    assertProblem(await api('POST', `/deadlines/${id}/report`, { as: 'demo.commune', body }), 409);

    // What was sent: the commune's figures for January, as of then.
    const own = await api('GET', `/deadlines/${id}/report`, { as: 'demo.commune', query: { format: 'json' } });
    expectStatus(own, 200);
    const overview = (await api('GET', '/stats/overview', { as: 'demo.commune', query: { from: `${YEAR}-01-01`, to: `${YEAR}-01-31` } })).json;
    assert.deepEqual(own.json.overview.totals, overview.totals);
    assert.equal(own.json.unit.code, DEMO.commune);

    const targets = (await api('GET', `/deadlines/${id}/targets`, { as: 'demo.district', query: { limit: 100 } })).json.items;
    const t = targets.find((x) => x.unit_code === DEMO.commune);
    assert.ok(t.report, 'the issuer sees that the commune attached its report');
    assert.equal(targets.filter((x) => x.report).length, 1);
    const html = await api('GET', `/deadlines/${id}/report`, { as: 'demo.district', query: { target: t.id } });
    expectStatus(html, 200);
    assert.match(html.headers.get('content-type'), /^text\/html/);
    assert.ok(html.text.includes('Trần Thị &lt;B&gt;') && html.text.includes('Số: 7/BC-UBND'));
    assert.ok(html.text.includes('Phường Thủ Dầu Một'));
    const pdf = await fetchBytes(`/deadlines/${id}/report`, { as: 'demo.district', query: { target: t.id, format: 'pdf' } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
    assertProblem(await api('GET', `/deadlines/${id}/report`, { as: 'demo.commune.dian', query: { target: t.id } }), 404);
    assertProblem(await api('GET', `/deadlines/${id}/report`, { as: 'demo.district' }), 404);
    assertProblem(await api('GET', `/deadlines/${id}/report`, { as: 'demo.district', query: { target: 'x' } }), 422, { fields: ['target'] });

    // Audited: the report (its period and totals) and the completion.
    const audit = (await api('GET', '/audit', { as: 'demo.district', query: { resource: 'deadlines', resource_id: id } })).json.items;
    const sent = audit.find((a) => a.action === 'report');
    assert.ok(sent, 'a report row in the audit trail');
    assert.equal(sent.actor, 'demo.commune');
    assert.equal(sent.changes.params.period, 'month');
    assert.deepEqual(sent.changes.totals, overview.totals);
    assert.ok(audit.some((a) => a.action === 'complete'));

    // Reopened, it takes a new report in place of the old one.
    expectStatus(await api('POST', `/deadlines/${id}/reopen`, { as: 'demo.district', body: { unit_code: DEMO.commune } }), 200);
    const again = await api('POST', `/deadlines/${id}/report`, { as: 'demo.commune', body: { period: 'quarter', year: YEAR, number: 1 } });
    expectStatus(again, 200);
    assert.equal(again.json.report.period.kind, 'quarter');
  });
});

describe('exports a person reads (columns=labels)', () => {
  test('a bad columns value is a problem naming it; columns=api is the default', async () => {
    assertProblem(await api('GET', '/teams', { as: P, query: { format: 'csv', columns: 'pretty' } }), 422, { fields: ['columns'] });
    const plain = await api('GET', '/teams', { as: P, query: { format: 'csv' } });
    const api_ = await api('GET', '/teams', { as: P, query: { format: 'csv', columns: 'api' } });
    assert.equal(plain.text.split('\r\n')[0].replace(/^\ufeff/, ''), 'id,external_id,name,kind,unit_code,hamlet,enterprise_id,decision_no,established_on,status,note,member_count,leader.id,leader.full_name,compliance.ok,compliance.problems,version,created_at,updated_at');
    assert.equal(plain.text.split('\r\n')[0], api_.text.split('\r\n')[0]);
  });

  test('teams: Vietnamese headers, names beside codes, labels and dates, cell by cell against the JSON', async () => {
    const tag = uniq('Tổ xuất');
    const team = await createTeam('demo.commune', { name: `=${tag}`, kind: 'hamlet', hamlet: 'Khu phố 9', established_on: '2025-03-04' });
    const csv = await api('GET', '/teams', { as: P, query: { format: 'csv', columns: 'labels', q: tag } });
    expectStatus(csv, 200);
    const { header, rows } = csvObjects(csv.text);
    assert.deepEqual(header.slice(0, 8), ['Tên tổ', 'Loại tổ', 'Mã xã', 'Xã, phường, thị trấn', 'Quận, huyện', 'Tỉnh, thành phố', 'Khu phố, ấp', 'Doanh nghiệp, cơ quan, tổ chức']);
    assert.equal(rows.length, 1);
    const row = rows[0];
    const doc = (await api('GET', `/teams/${team.id}`, { as: P })).json;
    assert.equal(row['Tên tổ'], `'${doc.name}`, 'a text that starts like a formula keeps its guard');
    assert.equal(row['Loại tổ'], 'Tổ khu phố, ấp');
    assert.equal(row['Mã xã'], DEMO.commune);
    assert.equal(row['Xã, phường, thị trấn'], 'Phường Thủ Dầu Một');
    assert.equal(row['Quận, huyện'], 'Khu vực Thủ Dầu Một');
    assert.equal(row['Tỉnh, thành phố'], 'Thành phố Hồ Chí Minh');
    assert.equal(row['Khu phố, ấp'], 'Khu phố 9');
    assert.equal(row['Ngày thành lập'], '04/03/2025');
    assert.equal(row['Trạng thái'], 'Đang hoạt động');
    assert.equal(row['Số thành viên'], '0');
    assert.equal(row['Cơ cấu'], 'Chưa đạt cơ cấu');
    assert.match(row['Lý do chưa đạt'], /Chưa đủ số thành viên tối thiểu/);
    assert.match(row['Ngày cập nhật'], /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    for (const h of header) assert.ok(h in row, `column ${h}`);
  });

  test('every list with labels: each header has its values (no column left empty by a misspelt key)', async () => {
    const lists = ['/units', '/enterprises', '/teams', '/members', '/activities', '/deadlines', '/users', '/audit', '/clients'];
    for (const path of lists) {
      const res = await api('GET', path, { as: P, query: { format: 'csv', columns: 'labels' } });
      expectStatus(res, 200, path);
      const { header, rows } = csvObjects(res.text);
      assert.ok(header.length > 3 && header.every((h) => /^[A-ZĐÂÊÔƠƯĂÁÀẢÃẠ]/.test(h)), `${path}: Vietnamese headers ${header}`);
      if (rows.length === 0) continue;
      // The first header always has a value in some row (a name, a code, a moment).
      assert.ok(rows.some((r) => r[header[0]] !== ''), `${path}: ${header[0]} is never empty`);
    }
  });

  test('a deadline\'s targets: which communes are late, with names, as the targets list says', async () => {
    const deadlines = (await api('GET', '/deadlines', { as: P, query: { kind: 'report', limit: 100 } })).json.items;
    const d = deadlines.find((x) => x.targets.total > 10);
    assert.ok(d, 'the demo has the report deadline of 2024');
    const res = await api('GET', `/deadlines/${d.id}/targets`, { as: P, query: { format: 'csv', columns: 'labels', sort: 'unit_code' } });
    const { rows } = csvObjects(res.text);
    const items = (await api('GET', `/deadlines/${d.id}/targets`, { as: P, query: { limit: 1000, sort: 'unit_code' } })).json.items;
    assert.equal(rows.length, items.length);
    items.forEach((t, i) => {
      const row = rows[i];
      assert.equal(row['Mã đơn vị'], t.unit_code.split('@')[0]);
      assert.equal(row['Tên đơn vị'], t.unit_name);
      assert.equal(row['Hạn hoàn thành'], vnDate(d.due_on));
      const want = t.status === 'done' ? (t.on_time ? 'Đúng hạn' : 'Trễ hạn') : t.status === 'overdue' ? 'Quá hạn' : 'Chưa đến hạn';
      assert.equal(row['Kết quả'], want);
    });
  });

  test('the figures: one row per child unit and the totals, as GET /stats/overview says', async () => {
    const query = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
    const overview = (await api('GET', '/stats/overview', { as: P, query })).json;
    const machine = await api('GET', '/stats/overview', { as: P, query: { ...query, format: 'csv' } });
    expectStatus(machine, 200);
    const m = csvObjects(machine.text);
    assert.equal(m.rows.length, overview.children.length + 1);
    overview.children.forEach((c, i) => {
      for (const [k, v] of Object.entries(c)) assert.equal(m.rows[i][k], v === null ? '' : String(v), `${c.code} ${k}`);
    });
    const total = m.rows.at(-1);
    assert.equal(total.level, 'total');
    for (const [k, v] of Object.entries(overview.totals)) assert.equal(total[k], v === null ? '' : String(v), `total ${k}`);

    const people = await api('GET', '/stats/overview', { as: P, query: { ...query, format: 'csv', columns: 'labels' } });
    const l = csvObjects(people.text);
    assert.equal(l.rows.at(-1)['Đơn vị'], `Tổng cộng: ${overview.unit.name}`);
    assert.equal(l.rows.at(-1)['Từ ngày'], `01/01/${YEAR}`);
    assert.equal(l.rows.at(-1)['Số hoạt động'], String(overview.totals.activities));
    assertProblem(await api('GET', '/stats/overview', { as: 'demo.commune', query: { unit: DEMO.province, format: 'csv' } }), 404);
  });
});
