// pages/team.js — #/teams/new and #/teams/<id>: one team, its structure (compliance problems
// spelled out), its members; edit the team, add, edit and remove members. Every write sends the
// version it was read at (If-Match), so two people editing at once cannot overwrite each other.

import * as api from '../api.js';
import {
  announce, badge, button, clear, confirmAction, details, errorBox, form, h, link, load, notice, openBesideRow, optionsOf,
  pageHeader, table, withConfirmation,
} from '../dom.js';
import { FIELDS, LABELS, T, formatDate, formatNumber, label, todayIso } from '../i18n.js';
import { enterprises, getUnit, unitField } from '../refdata.js';

export async function render(ctx) {
  if (!ctx.params.id) return newTeam(ctx);
  return teamPage(ctx, ctx.params.id);
}

// ---------------------------------------------------------------------------------------------
// The team form (create and edit).

async function teamDefs(user, team) {
  const isEnterprise = user.role === 'enterprise';
  const kinds = isEnterprise
    ? { enterprise: LABELS.teamKind.enterprise, organization: LABELS.teamKind.organization }
    : LABELS.teamKind;
  const list = await enterprises();
  const entOptions = [{ value: '', label: '— Chọn —' }, ...list.map((e) => ({ value: e.id, label: `${e.name} (MST ${e.tax_code})` }))];
  const defs = [
    { name: 'name', label: 'Tên tổ', required: true, wide: true, maxlength: 200, value: team?.name, placeholder: 'Ví dụ: Tổ CNSCĐ khu phố 1' },
    { name: 'kind', label: 'Loại tổ', type: 'select', required: true, options: [{ value: '', label: '— Chọn —' }, ...optionsOf(kinds)], value: team?.kind || (isEnterprise ? 'enterprise' : '') },
  ];
  if (isEnterprise) {
    const own = list.find((e) => e.id === user.enterprise);
    defs.push({ name: 'unit_code', label: FIELDS.unit_code, type: 'text', readonly: false, hidden: true, value: team?.unit_code || own?.unit_code || '' });
    defs.push({ name: 'enterprise_id', label: FIELDS.enterprise_id, type: 'select', options: entOptions, value: team?.enterprise_id || user.enterprise, hidden: true });
  } else {
    defs.push(unitField('unit_code', 'Xã, phường, thị trấn nơi tổ hoạt động', { root: user.unit, mode: 'commune', required: true }));
    defs.push({ name: 'hamlet', label: 'Khu phố, ấp', maxlength: 200, value: team?.hamlet, hint: 'Bắt buộc với Tổ khu phố, ấp.' });
    defs.push({ name: 'enterprise_id', label: FIELDS.enterprise_id, type: 'select', options: entOptions, value: team?.enterprise_id || '', hint: 'Bắt buộc với Tổ doanh nghiệp và Tổ cơ quan, tổ chức.' });
  }
  defs.push(
    { name: 'decision_no', label: FIELDS.decision_no, maxlength: 100, value: team?.decision_no },
    { name: 'established_on', label: FIELDS.established_on, type: 'date', value: team?.established_on },
  );
  if (team) defs.push({ name: 'status', label: FIELDS.status, type: 'select', options: optionsOf(LABELS.teamStatus), value: team.status });
  defs.push(
    { name: 'external_id', label: FIELDS.external_id, maxlength: 100, value: team?.external_id, hint: 'Mã của tổ trong hệ thống khác, nếu có (dùng khi nhập dữ liệu).' },
    { name: 'note', label: FIELDS.note, type: 'textarea', wide: true, maxlength: 2000, value: team?.note },
  );
  return defs;
}

/** Shows the hamlet and enterprise fields only for the kinds that need them. */
function kindDependent(f) {
  const kind = f.field('kind');
  const sync = () => {
    const k = kind.read();
    const hamlet = f.field('hamlet');
    const ent = f.field('enterprise_id');
    if (hamlet) hamlet.wrap.hidden = k !== 'hamlet';
    if (ent && !ent.def.hidden) ent.wrap.hidden = !(k === 'enterprise' || k === 'organization');
  };
  kind.input.addEventListener('change', sync);
  sync();
}

/** The body to send: fields that do not apply to the kind are cleared. */
function teamBody(f, { create }) {
  const v = f.values({ omitEmpty: create });
  if (!v) return null;
  const k = f.field('kind').read();
  if (f.field('hamlet') && k !== 'hamlet') {
    if (create) delete v.hamlet; else v.hamlet = null;
  }
  if (!f.field('enterprise_id').def.hidden && !(k === 'enterprise' || k === 'organization')) {
    if (create) delete v.enterprise_id; else v.enterprise_id = null;
  }
  if (create && v.kind === null) delete v.kind;
  return v;
}

async function newTeam(ctx) {
  const { view, user } = ctx;
  view.append(pageHeader('Thêm tổ'), h('p', {}, link('#/teams', `‹ ${T.back} danh sách tổ`)));
  if (user.read_only) {
    view.append(notice('info', T.status403ReadOnly));
    return;
  }
  const box = h('div', { class: 'panel' });
  view.append(box);
  await load(box, async () => {
    const f = form(await teamDefs(user, null), {
      id: 'team-form',
      submitLabel: T.save,
      onSubmit: async (el) => {
        const body = teamBody(el, { create: true });
        if (!body) return;
        // The same team entered twice (same commune, hamlet and name) is asked about first.
        const team = await withConfirmation((confirm) => api.post('/teams', body, confirm ? { confirm: 'true' } : undefined));
        if (!team) return;
        announce(T.saved);
        ctx.navigate(`#/teams/${team.id}?created=1`);
      },
      onCancel: () => ctx.navigate('#/teams'),
    });
    kindDependent(f);
    return f;
  });
}

// ---------------------------------------------------------------------------------------------
// The team page.

async function teamPage(ctx, id) {
  const { view, user, query } = ctx;
  const { data: team, version } = await api.request('GET', `/teams/${id}`);
  const [unit, ents] = await Promise.all([getUnit(team.unit_code), enterprises()]);
  const enterprise = ents.find((e) => e.id === team.enterprise_id);
  ctx.setTitle(team.name);
  const writable = !user.read_only;

  const editBox = h('div', { class: 'panel', hidden: true, id: 'team-edit' });
  const messages = h('div', { id: 'team-messages' });
  const editButton = writable ? button(T.edit, () => toggleEdit()) : null;
  const deleteButton = writable ? button(`${T.delete} tổ`, async () => {
    if (!(await confirmAction(T.confirmDelete(`tổ “${team.name}” và toàn bộ thành viên`)))) return;
    try {
      await api.del(`/teams/${id}`, version);
      announce(T.deleted);
      ctx.navigate('#/teams');
    } catch (err) {
      messages.replaceChildren(errorBox(err));
      messages.querySelector('[role=alert]')?.focus();
    }
  }, { class: 'btn btn-danger' }) : null;

  view.append(
    h('p', {}, link('#/teams', `‹ ${T.back} danh sách tổ`)),
    pageHeader(team.name, editButton, deleteButton),
    messages);
  if (query.get('created')) messages.append(notice('success', 'Đã thêm tổ. Hãy thêm thành viên để tổ đạt cơ cấu.'));

  // Structure: what is missing, in words.
  const compliance = team.compliance.ok
    ? notice('success', `${LABELS.compliance.true}: tổ đáp ứng quy định cơ cấu của ${label('teamKind', team.kind).toLowerCase()}.`)
    : notice('warn', `${LABELS.compliance.false}. Lý do:`,
      h('ul', { class: 'problems', id: 'compliance-problems' }, team.compliance.problems.map((p) => h('li', { dataset: { code: p.code } }, p.message))));
  compliance.id = 'compliance';

  view.append(h('section', { class: 'panel', 'aria-labelledby': 'info-title' },
    h('h2', { id: 'info-title' }, 'Thông tin tổ'),
    compliance,
    details([
      [FIELDS.kind, label('teamKind', team.kind)],
      [FIELDS.status, badge(label('teamStatus', team.status), team.status === 'active' ? 'info' : 'muted')],
      ['Xã, phường, thị trấn', unit ? unit.name : team.unit_code],
      team.hamlet || team.kind === 'hamlet' ? [FIELDS.hamlet, team.hamlet] : null,
      team.enterprise_id ? [FIELDS.enterprise_id, enterprise ? enterprise.name : team.enterprise_id] : null,
      [FIELDS.decision_no, team.decision_no],
      [FIELDS.established_on, formatDate(team.established_on)],
      [FIELDS.leader, team.leader?.full_name],
      [FIELDS.member_count, formatNumber(team.member_count)],
      [FIELDS.external_id, team.external_id],
      [FIELDS.note, team.note],
    ]),
    h('p', {},
      link(`#/activities?team=${id}`, 'Xem hoạt động của tổ'),
      writable ? ' · ' : null,
      writable ? link(`#/activities/new?team=${id}`, 'Ghi nhận hoạt động') : null)),
  editBox);

  async function toggleEdit() {
    if (!editBox.hidden) {
      editBox.hidden = true;
      editButton.setAttribute('aria-expanded', 'false');
      return;
    }
    clear(editBox);
    editBox.append(h('h2', { id: 'edit-title' }, 'Sửa thông tin tổ'));
    const f = form(await teamDefs(user, team), {
      id: 'team-edit-form',
      onSubmit: async (el) => {
        const body = teamBody(el, { create: false });
        if (!body) return;
        const saved = await withConfirmation((confirm) => api.patch(`/teams/${id}`, body, version, confirm ? { confirm: 'true' } : undefined));
        if (!saved) return;
        announce(T.saved);
        ctx.navigate(`#/teams/${id}`, { replace: true });
      },
      onCancel: () => toggleEdit(),
    });
    if (f.field('unit_code') && f.field('unit_code').def.type === 'custom') f.field('unit_code').set(team.unit_code);
    kindDependent(f);
    editBox.append(f);
    editBox.hidden = false;
    editButton.setAttribute('aria-expanded', 'true');
    f.field('name').focus();
  }
  if (editButton) editButton.setAttribute('aria-expanded', 'false');

  // Members.
  const membersBox = h('section', { class: 'panel', 'aria-labelledby': 'members-title', id: 'members' });
  view.append(membersBox);
  await renderMembers(ctx, membersBox, team, writable);
}

// ---------------------------------------------------------------------------------------------
// Members.

function memberDefs(m) {
  return [
    { name: 'full_name', label: FIELDS.full_name, required: true, maxlength: 200, value: m?.full_name, autocomplete: 'off' },
    { name: 'position', label: FIELDS.position, type: 'select', options: optionsOf(LABELS.position), value: m?.position || 'member' },
    { name: 'affiliation', label: FIELDS.affiliation, type: 'select', options: optionsOf(LABELS.affiliation, '— Chưa chọn —'), value: m?.affiliation || '' },
    { name: 'gender', label: FIELDS.gender, type: 'select', options: optionsOf(LABELS.gender, '— Chưa chọn —'), value: m?.gender || '' },
    { name: 'birth_year', label: FIELDS.birth_year, type: 'number', value: m?.birth_year },
    { name: 'phone', label: FIELDS.phone, type: 'tel', value: m?.phone, autocomplete: 'off' },
    { name: 'email', label: FIELDS.email, type: 'email', value: m?.email, autocomplete: 'off' },
    { name: 'it_skilled', label: FIELDS.it_skilled, type: 'checkbox', value: m?.it_skilled || false, wide: true },
    { name: 'trained_on', label: FIELDS.trained_on, type: 'date', value: m?.trained_on },
    { name: 'joined_on', label: FIELDS.joined_on, type: 'date', value: m ? m.joined_on : todayIso() },
    { name: 'left_on', label: FIELDS.left_on, type: 'date', value: m?.left_on, hint: 'Để trống khi thành viên vẫn đang tham gia.' },
    { name: 'external_id', label: FIELDS.external_id, maxlength: 100, value: m?.external_id },
  ];
}

const isActive = (m) => !m.left_on || m.left_on > todayIso();

async function renderMembers(ctx, box, team, writable) {
  const members = await api.getAll(`/teams/${team.id}/members`, { sort: 'position,full_name' });
  const formBox = h('div', { id: 'member-form-box' });
  // After a save the page comes back where it was, focus on the member's row (its edit button).
  const reload = (msg, memberId) => {
    announce(msg);
    ctx.navigate(`#/teams/${team.id}`, { replace: true, keep: memberId ? `[data-member="${memberId}"] .actions button` : null });
  };

  /** The member form: a new member's under the add button, a member's edit form right below its row. */
  function openForm(member, versionOf, trigger) {
    clear(formBox);
    let row = null;
    const f = form(memberDefs(member), {
      id: member ? 'member-edit-form' : 'member-form',
      submitLabel: member ? T.save : 'Thêm thành viên',
      onSubmit: async (el) => {
        let saved;
        if (member) {
          const body = el.values();
          if (!body) return;
          saved = await api.patch(`/members/${member.id}`, body, versionOf);
        } else {
          const body = el.values({ omitEmpty: true });
          if (!body) return;
          saved = await api.post(`/teams/${team.id}/members`, body);
        }
        reload(T.saved, saved.id);
      },
      onCancel: () => {
        if (row) row.remove();
        clear(formBox);
        (trigger || addButton)?.focus();
      },
    });
    const panel = h('div', { class: 'panel' }, h('h3', {}, member ? `Sửa thành viên: ${member.full_name}` : 'Thêm thành viên'), f);
    if (member && trigger) row = openBesideRow(trigger, panel);
    else formBox.append(panel);
    f.field('full_name').focus();
  }

  const addButton = writable ? button('Thêm thành viên', () => openForm(null), { class: 'btn btn-primary', id: 'add-member' }) : null;
  box.append(h('div', { class: 'page-head' }, h('h2', { id: 'members-title' }, `Thành viên (${formatNumber(team.member_count)} đang tham gia)`), addButton));
  box.append(formBox);
  box.append(table([
    { label: FIELDS.full_name, value: (m) => h('span', {}, h('strong', {}, m.full_name), isActive(m) ? null : h('span', {}, ' ', badge('Đã rời tổ', 'muted'))) },
    { label: FIELDS.position, value: (m) => label('position', m.position) },
    { label: FIELDS.affiliation, value: (m) => label('affiliation', m.affiliation) },
    { label: 'Kỹ năng CNTT', value: (m) => (m.it_skilled ? T.yes : T.no) },
    { label: 'Tập huấn', value: (m) => (m.trained_on ? formatDate(m.trained_on) : 'Chưa') },
    { label: FIELDS.phone, value: (m) => m.phone },
    { label: 'Tham gia – rời tổ', value: (m) => `${formatDate(m.joined_on)}${m.left_on ? ` – ${formatDate(m.left_on)}` : ''}` },
    writable ? {
      label: 'Thao tác', class: 'actions', value: (m) => h('span', {},
        button(T.edit, async (event) => {
          const trigger = event.currentTarget;
          try {
            const { data, version } = await api.request('GET', `/members/${m.id}`);
            openForm(data, version, trigger);
          } catch (err) {
            formBox.replaceChildren(errorBox(err));
          }
        }, { class: 'btn btn-small', 'aria-label': `${T.edit} ${m.full_name}` }),
        button(T.delete, async () => {
          if (!(await confirmAction(T.confirmDelete(`thành viên “${m.full_name}” khỏi tổ`)))) return;
          try {
            await api.del(`/members/${m.id}`, m.version);
            reload(T.deleted);
          } catch (err) {
            formBox.replaceChildren(errorBox(err));
          }
        }, { class: 'btn btn-small btn-danger', 'aria-label': `${T.delete} ${m.full_name}` })),
    } : null,
  ].filter(Boolean), members, { caption: `Thành viên của ${team.name}`, empty: 'Tổ chưa có thành viên.', rowProps: (m) => ({ dataset: { member: m.id } }) }));
}
