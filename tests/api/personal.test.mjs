// personal.test.mjs — members' phone and email, and enterprises' contact phone, are masked for
// read-only API clients that were not granted personal data (issue 6 item 4; sql/functions/25_documents.sql), in single
// reads, lists, CSV exports and the audit trail; everyone else reads them whole.
import test from 'node:test';
import { api, assert, assertCreated, createEnterprise, createMember, createTeam, DEMO, show, uniq } from './lib.mjs';

const P = 'demo.province';

async function clientToken(fields) {
  const created = await api('POST', '/clients', {
    as: P, body: { name: uniq('Kho dữ liệu'), role: 'commune', unit_code: DEMO.commune, ...fields },
  });
  assertCreated(created, '/clients');
  const res = await api('POST', '/auth/token', {
    body: { grant_type: 'client_credentials', client_id: created.json.client_id, client_secret: created.json.client_secret },
  });
  assert.equal(res.status, 200, show(res));
  return res.json.access_token;
}

test('read-only clients without the grant see phone and email masked everywhere; others see them whole', async () => {
  const team = await createTeam(P, { unit_code: DEMO.commune });
  const member = await createMember(P, team.id, { phone: '0912345678', email: 'thanh.vien@example.vn' });
  const masked = await clientToken({ read_only: true });
  const granted = await clientToken({ read_only: true, personal_data: true });
  const writer = await clientToken({ read_only: false });

  const one = await api('GET', `/members/${member.id}`, { token: masked });
  assert.equal(one.status, 200, show(one));
  assert.equal(one.json.phone, '*******678');
  assert.equal(one.json.email, '******************.vn');
  assert.equal(one.json.full_name, member.full_name, 'only the contacts are masked');

  const list = await api('GET', '/members', { token: masked, query: { team: team.id } });
  assert.deepEqual(list.json.items.map((m) => m.phone), ['*******678']);
  const csv = await api('GET', '/members', { token: masked, query: { team: team.id, format: 'csv' } });
  assert.ok(!csv.text.includes('0912345678') && csv.text.includes('*******678'), csv.text);
  const audit = await api('GET', '/audit', { token: masked, query: { resource: 'members', resource_id: member.id } });
  assert.equal(audit.status, 200, show(audit));
  assert.ok(!audit.text.includes('0912345678'), 'the audit trail masks the phone too');

  for (const token of [granted, writer]) {
    const whole = await api('GET', `/members/${member.id}`, { token });
    assert.equal(whole.json.phone, '0912345678');
    assert.equal(whole.json.email, 'thanh.vien@example.vn');
  }
  // An enterprise's contact phone likewise, as its labelled export and the audit trail already did.
  const enterprise = await createEnterprise(P, { unit_code: DEMO.commune, contact_phone: '0283 822 9999' });
  const masking = await api('GET', `/enterprises/${enterprise.id}`, { token: masked });
  assert.equal(masking.status, 200, show(masking));
  assert.equal(masking.json.contact_phone, '**********999');
  const enterprises = await api('GET', '/enterprises', { token: masked, query: { q: enterprise.name, format: 'csv' } });
  assert.ok(!enterprises.text.includes('0283 822 9999') && enterprises.text.includes('**********999'), enterprises.text);
  assert.equal((await api('GET', `/enterprises/${enterprise.id}`, { token: granted })).json.contact_phone, '0283 822 9999');

  // People read them whole, also right after a masked request on the same pooled connection.
  const person = await api('GET', `/members/${member.id}`, { as: 'demo.commune' });
  assert.equal(person.json.phone, '0912345678');
});
