// pages/admin.js — #/admin/<tab>: administration inside the caller's scope.
//   users    accounts (province and district): list, filters, create, edit, lock, new password
//   clients  API clients of other e-government systems (province): the secret is shown once
//   rules    the structure rules every team is checked against (editable by province)
//   audit    the audit log with filters

import * as api from '../api.js';
import {
  announce, badge, button, clear, confirmAction, details, errorBox, exportButtons, filterBox, form, h, load, notice,
  optionsOf, pageHeader, pager, table,
} from '../dom.js';
import { FIELDS, LABELS, T, fieldLabel, formatDate, formatDateTime, formatNumber, label } from '../i18n.js';
import { enterprises, unitField, unitNames } from '../refdata.js';

const TABS = [
  ['users', T.users, (u) => u.role === 'province' || u.role === 'district'],
  ['clients', T.clients, (u) => u.role === 'province'],
  ['rules', T.rules, () => true],
  ['audit', T.audit, () => true],
];

export async function render(ctx) {
  const { view, user, params } = ctx;
  const tabs = TABS.filter(([, , allowed]) => allowed(user));
  const tab = tabs.find(([k]) => k === params.tab) || tabs[0];
  ctx.setTitle(`${T.admin}: ${tab[1]}`);
  view.append(pageHeader(`${T.admin}: ${tab[1]}`),
    h('nav', { class: 'tabs', 'aria-label': T.admin },
      tabs.map(([k, text]) => h('a', { href: `#/admin/${k}`, 'aria-current': k === tab[0] ? 'page' : undefined }, text))));
  const body = h('div', { id: `admin-${tab[0]}` });
  view.append(body);
  await ({ users, clients, rules, audit })[tab[0]](ctx, body);
}

/** "Phường Phú Cường" or the enterprise's name for an account or client. */
async function placeNames(items) {
  const units = await unitNames(items.map((x) => x.unit_code));
  let ents = [];
  if (items.some((x) => x.enterprise_id)) ents = await enterprises().catch(() => []);
  return (x) => (x.enterprise_id ? (ents.find((e) => e.id === x.enterprise_id)?.name || T.none) : units.get(x.unit_code) || x.unit_code);
}

/** Role → unit or enterprise fields, shown as the role needs. */
function placeDefs(user, roles, prefix) {
  return [
    { name: 'role', label: FIELDS.role, type: 'select', required: true, options: [{ value: '', label: '— Chọn —' }, ...roles.map((r) => ({ value: r, label: LABELS.role[r] }))] },
    unitField('unit_code', 'Đơn vị hành chính', { root: user.unit, mode: 'any', hint: `Cấp của đơn vị phải đúng với cấp ${prefix}.` }),
    { name: 'enterprise_id', label: FIELDS.enterprise_id, type: 'select', options: [{ value: '', label: '— Chọn —' }] },
  ];
}

async function wirePlace(f) {
  const ents = await enterprises();
  f.field('enterprise_id').input.setOptions([{ value: '', label: '— Chọn —' }, ...ents.map((e) => ({ value: e.id, label: e.name }))]);
  const sync = () => {
    const ent = f.field('role').read() === 'enterprise';
    f.field('enterprise_id').wrap.hidden = !ent;
    f.field('unit_code').wrap.hidden = ent;
  };
  f.field('role').input.addEventListener('change', sync);
  sync();
}

function placeBody(v) {
  if (v.role === 'enterprise') delete v.unit_code;
  else delete v.enterprise_id;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Users

async function users(ctx, box) {
  const { user, query } = ctx;
  const filters = { q: query.get('q') || '', role: query.get('role') || '', disabled: query.get('disabled') || '', unit: query.get('unit') || '' };
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const roles = user.role === 'province' ? ['province', 'district', 'commune', 'enterprise'] : ['commune', 'enterprise'];
  const formBox = h('div', { id: 'user-form-box' });
  const addButton = user.read_only ? null : button('Thêm người dùng', () => openCreate(), { class: 'btn btn-primary' });

  const filterForm = form([
    { name: 'q', label: 'Tìm theo tên đăng nhập, họ tên', value: filters.q },
    unitField('unit', 'Địa bàn', { root: user.unit, mode: 'filter' }),
    { name: 'role', label: FIELDS.role, type: 'select', options: optionsOf(LABELS.role, T.all), value: filters.role },
    { name: 'disabled', label: FIELDS.status, type: 'select', value: filters.disabled,
      options: [{ value: '', label: T.all }, { value: 'false', label: 'Đang hoạt động' }, { value: 'true', label: 'Đã khóa' }] },
  ], {
    id: 'user-filters', className: 'filters', submitLabel: T.filter,
    onSubmit: async (el) => ctx.navigate(ctx.hashFor('/admin/users', el.values() || {})),
    onCancel: () => ctx.navigate('#/admin/users'), cancelLabel: T.clearFilters,
  });
  filterForm.setAttribute('role', 'search');
  if (filters.unit) filterForm.field('unit').set(filters.unit);
  const listBox = h('div', {});
  box.append(h('div', { class: 'page-actions toolbar' }, addButton), formBox, filterForm, listBox);

  function openCreate() {
    clear(formBox);
    const f = form([
      { name: 'username', label: FIELDS.username, required: true, autocomplete: 'off', hint: 'Chữ thường không dấu, chữ số, dấu “.”, “_”, “-”; ví dụ: phuong.phucuong' },
      { name: 'password', label: 'Mật khẩu ban đầu', type: 'password', required: true, hint: 'Tối thiểu 8 ký tự.' },
      { name: 'full_name', label: FIELDS.full_name, maxlength: 200 },
      ...placeDefs(user, roles, 'tài khoản'),
      { name: 'read_only', label: `${FIELDS.read_only} (không được thay đổi dữ liệu)`, type: 'checkbox', wide: true },
    ], {
      id: 'user-form',
      submitLabel: 'Tạo tài khoản',
      onSubmit: async (el) => {
        const v = el.values({ omitEmpty: true });
        if (!v) return;
        await api.post('/users', placeBody(v));
        announce('Đã tạo tài khoản.');
        ctx.navigate('#/admin/users', { replace: true });
      },
      onCancel: () => clear(formBox),
    });
    wirePlace(f).catch(() => {});
    formBox.append(h('div', { class: 'panel' }, h('h2', {}, 'Thêm người dùng'), f));
    f.field('username').focus();
  }

  async function openEdit(u) {
    clear(formBox);
    try {
      const { data, version } = await api.request('GET', `/users/${u.id}`);
      // An account of a unit moves to another unit of its level (after a reorganisation, say),
      // by an administrator above both.
      const unitDef = data.unit_code ? {
        ...unitField('unit_code', 'Đơn vị hành chính', { root: user.unit, mode: 'any', hint: `Đơn vị phải là ${label('levelShort', data.role).toLowerCase()}.` }),
        value: data.unit_code,
      } : null;
      const f = form([
        { name: 'full_name', label: FIELDS.full_name, maxlength: 200, value: data.full_name },
        ...(unitDef ? [unitDef] : []),
        { name: 'password', label: 'Mật khẩu mới', type: 'password', hint: 'Để trống nếu không đổi. Đổi mật khẩu sẽ đăng xuất tài khoản khỏi mọi thiết bị.' },
        { name: 'read_only', label: FIELDS.read_only, type: 'checkbox', value: data.read_only },
        { name: 'disabled', label: 'Khóa tài khoản (không cho đăng nhập)', type: 'checkbox', value: data.disabled },
      ], {
        id: 'user-edit-form',
        onSubmit: async (el) => {
          const v = el.values();
          if (!v) return;
          if (!v.password) delete v.password;
          if (!v.unit_code || v.unit_code === data.unit_code) delete v.unit_code;
          await api.patch(`/users/${u.id}`, v, version);
          announce(T.saved);
          ctx.navigate(location.hash, { replace: true });
        },
        onCancel: () => clear(formBox),
      });
      formBox.append(h('div', { class: 'panel' }, h('h2', {}, `Sửa tài khoản: ${data.username}`), f));
      f.field('full_name').focus();
    } catch (err) {
      formBox.append(errorBox(err));
    }
  }

  await load(listBox, async () => {
    const page = await api.get('/users', { ...filters, limit: 50, offset });
    const place = await placeNames(page.items);
    return h('div', {},
      table([
        { label: FIELDS.username, value: (u) => h('code', {}, u.username) },
        { label: FIELDS.full_name, value: (u) => u.full_name },
        { label: FIELDS.role, value: (u) => label('role', u.role) },
        { label: 'Đơn vị', value: (u) => place(u) },
        { label: 'Quyền', value: (u) => (u.read_only ? badge(T.readOnlyAccount, 'muted') : 'Cập nhật dữ liệu') },
        { label: FIELDS.status, value: (u) => (u.disabled ? badge('Đã khóa', 'bad') : badge('Đang hoạt động', 'ok')) },
        user.read_only ? null : { label: 'Thao tác', class: 'actions', value: (u) => (u.id === user.id ? null
          : button(T.edit, () => openEdit(u), { class: 'btn btn-small', 'aria-label': `${T.edit} ${u.username}` })) },
      ].filter(Boolean), page.items, { caption: T.users, empty: 'Không có tài khoản nào.' }),
      pager(page.total, 50, offset, (o) => ctx.navigate(ctx.hashFor('/admin/users', { ...filters, offset: o || '' }))));
  });
}

// ---------------------------------------------------------------------------------------------
// API clients

async function clients(ctx, box) {
  const { user } = ctx;
  const formBox = h('div', { id: 'client-form-box' });
  const listBox = h('div', {});
  const addButton = user.read_only ? null : button('Thêm ứng dụng kết nối', () => openCreate(), { class: 'btn btn-primary' });
  box.append(
    h('p', { class: 'lead' }, 'Các hệ thống chính quyền điện tử khác kết nối qua API bằng mã ứng dụng và khóa bí mật.'),
    h('div', { class: 'page-actions toolbar' }, addButton), formBox, listBox);

  function openCreate() {
    clear(formBox);
    const f = form([
      { name: 'name', label: 'Tên ứng dụng, hệ thống', required: true, wide: true, maxlength: 200, placeholder: 'Ví dụ: Cổng dịch vụ công tỉnh' },
      ...placeDefs(user, ['province', 'district', 'commune', 'enterprise'], 'ứng dụng'),
      { name: 'read_only', label: 'Chỉ được đọc dữ liệu', type: 'checkbox', value: true, wide: true },
      { name: 'personal_data', label: FIELDS.personal_data, type: 'checkbox', wide: true },
    ], {
      id: 'client-form',
      submitLabel: 'Tạo ứng dụng',
      onSubmit: async (el) => {
        const v = el.values({ omitEmpty: true });
        if (!v) return;
        const created = await api.post('/clients', placeBody(v));
        showSecret(created);
        refresh();
      },
      onCancel: () => clear(formBox),
    });
    wirePlace(f).catch(() => {});
    formBox.append(h('div', { class: 'panel' }, h('h2', {}, 'Thêm ứng dụng kết nối'), f));
    f.field('name').focus();
  }

  function showSecret(c) {
    clear(formBox);
    const code = h('code', { id: 'client-secret' }, c.client_secret);
    const status = h('span', { role: 'status', class: 'muted' });
    const copy = button(T.copy, async () => {
      try {
        await navigator.clipboard.writeText(c.client_secret);
      } catch {
        // No clipboard permission: select the text so that Ctrl+C works.
        const range = document.createRange();
        range.selectNodeContents(code);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
      }
      status.textContent = T.copied;
    }, { class: 'btn btn-primary', id: 'copy-secret' });
    const panel = h('div', { class: 'notice notice-warn', role: 'alert', id: 'secret-panel', tabindex: '-1' },
      h('p', {}, h('strong', {}, `Đã tạo ứng dụng “${c.name}”. `), 'Khóa bí mật chỉ hiển thị một lần này: hãy sao chép và lưu giữ an toàn. Nếu làm mất, phải tạo ứng dụng mới.'),
      details([[FIELDS.client_id, h('code', {}, c.client_id)], [FIELDS.client_secret, h('div', { class: 'secret' }, code, copy, status)]]),
      button(T.close, () => clear(formBox), { class: 'btn' }));
    formBox.append(panel);
    panel.focus();
  }

  const refresh = () => load(listBox, async () => {
    const page = await api.get('/clients', { limit: 200, sort: 'name' });
    const place = await placeNames(page.items);
    return table([
      { label: 'Tên', value: (c) => c.name },
      { label: FIELDS.client_id, value: (c) => h('code', {}, c.client_id) },
      { label: FIELDS.role, value: (c) => label('role', c.role) },
      { label: 'Đơn vị', value: (c) => place(c) },
      { label: 'Quyền', value: (c) => [c.read_only ? 'Chỉ đọc' : 'Đọc và ghi', c.personal_data ? '; xem thông tin cá nhân' : ''].join('') },
      { label: FIELDS.created_at, value: (c) => `${formatDate(c.created_at)} (${c.created_by})` },
      { label: FIELDS.status, value: (c) => (c.revoked_at ? badge(`Đã thu hồi ${formatDate(c.revoked_at)}`, 'muted') : badge('Đang dùng', 'ok')) },
      user.read_only ? null : { label: 'Thao tác', class: 'actions', value: (c) => (c.revoked_at ? null : button('Thu hồi', async () => {
        if (!(await confirmAction(`Thu hồi ứng dụng “${c.name}”? Hệ thống này sẽ không kết nối được nữa.`, 'Thu hồi'))) return;
        try {
          await api.del(`/clients/${c.id}`, c.version);
          announce('Đã thu hồi.');
          refresh();
        } catch (err) {
          formBox.replaceChildren(errorBox(err));
        }
      }, { class: 'btn btn-small btn-danger', 'aria-label': `Thu hồi ${c.name}` })) },
    ].filter(Boolean), page.items, { caption: T.clients, empty: 'Chưa có ứng dụng kết nối nào.' });
  });
  await refresh();
}

// ---------------------------------------------------------------------------------------------
// Structure rules

const RULE_KINDS = ['hamlet', 'commune', 'enterprise', 'organization'];

async function rules(ctx, box) {
  const { user } = ctx;
  const editable = user.role === 'province' && !user.read_only;
  await load(box, async () => {
    const r = await api.get('/rules');
    const defs = [];
    for (const kind of RULE_KINDS) {
      const k = r[kind];
      defs.push(
        { type: 'heading', label: LABELS.teamKind[kind] },
        { name: `${kind}.min_members`, label: FIELDS.min_members, type: 'number', value: k.min_members },
        { name: `${kind}.max_members`, label: FIELDS.max_members, type: 'number', value: k.max_members, hint: 'Để trống: không giới hạn.' },
        { name: `${kind}.min_it_skilled`, label: FIELDS.min_it_skilled, type: 'number', value: k.min_it_skilled },
        { name: `${kind}.leader_required`, label: FIELDS.leader_required, type: 'checkbox', value: k.leader_required },
        { name: `${kind}.deputy_required`, label: FIELDS.deputy_required, type: 'checkbox', value: k.deputy_required },
        { name: `${kind}.required_affiliations`, label: `${FIELDS.required_affiliations} (${LABELS.teamKind[kind]})`, type: 'checkboxes',
          options: Object.entries(LABELS.affiliation).map(([value, text]) => ({ value, label: text })), value: k.required_affiliations },
      );
    }
    const f = form(defs, {
      id: 'rules-form',
      submitLabel: 'Lưu quy định',
      onSubmit: editable ? async (el) => {
        const v = el.values();
        if (!v) return;
        await api.put('/rules', v);
        announce(T.saved);
        ctx.navigate('#/admin/rules', { replace: true });
      } : null,
    });
    if (!editable) {
      for (const el of f.querySelectorAll('input, select, textarea')) el.disabled = true;
      f.querySelector('.form-buttons').remove();
    }
    return h('div', {},
      h('p', { class: 'lead' }, 'Mỗi tổ được đối chiếu với quy định của loại tổ mình; tổ đáp ứng đủ được tính là “Đạt cơ cấu”.'),
      editable ? null : notice('info', 'Chỉ tài khoản cấp tỉnh được sửa quy định cơ cấu tổ.'),
      h('div', { class: 'panel' }, f));
  });
}

// ---------------------------------------------------------------------------------------------
// Audit log

const AUDIT_RESOURCES = ['teams', 'members', 'activities', 'enterprises', 'units', 'deadlines', 'users', 'clients', 'rules', 'auth'];

function changeLines(obj, prefix = '') {
  const lines = [];
  for (const [k, v] of Object.entries(obj || {})) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) lines.push(...changeLines(v, name));
    else lines.push([name, v]);
  }
  return lines;
}

// Which label group names a field's codes: `kind` and `status` by the resource they belong to.
const VALUE_LABELS = {
  position: 'position', affiliation: 'affiliation', gender: 'gender', role: 'role', level: 'level',
  recurrence: 'recurrence', target_level: 'targetLevel', team_kind: 'teamKind',
};
const KIND_LABELS = { teams: 'teamKind', activities: 'activityKind', deadlines: 'deadlineKind' };
const STATUS_LABELS = { teams: 'teamStatus', deadlines: 'targetStatus' };
// Fields holding a unit's code: shown by the unit's name.
const UNIT_FIELDS = new Set(['unit_code', 'parent_code', 'scope_unit', 'issued_by_unit', 'code']);

/** The field a changed value belongs to: "unit_code.to" → unit_code, "hamlet.min_members" → min_members. */
const baseField = (name) => name.split('.').filter((p) => !['to', 'from', 'old', 'new'].includes(p)).pop() || name;

/** Words for a value of the audit log: codes by their labels, units by their names (names: code → name). */
function valueText(v, name = '', resource = '', names = new Map()) {
  if (v === null || v === undefined || v === '') return T.none;
  if (typeof v === 'boolean') return v ? T.yes : T.no;
  if (Array.isArray(v)) return v.map((x) => valueText(x, name, resource, names)).join(', ');
  const field = baseField(name);
  const group = VALUE_LABELS[field] || (field === 'kind' && KIND_LABELS[resource])
    || (field === 'status' && (resource === 'teams' || resource === 'deadlines') && STATUS_LABELS[resource])
    || (field === 'status' && LABELS.rehomeStatus[v] && 'rehomeStatus');
  if (group && typeof v === 'string' && LABELS[group]?.[v]) return LABELS[group][v];
  if (UNIT_FIELDS.has(field) && typeof v === 'string' && names.has(v)) return names.get(v);
  if (typeof v === 'number') return formatNumber(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return formatDateTime(v);
  return String(v);
}

function changesList(entry, names) {
  const lines = changeLines(entry.changes);
  if (!lines.length) return null;
  const shown = lines.slice(0, 12);
  return h('ul', { class: 'changes' }, shown.map(([k, v]) => h('li', {}, `${fieldLabel(k)}: ${valueText(v, k, entry.resource, names)}`)),
    lines.length > shown.length ? h('li', {}, `… và ${lines.length - shown.length} mục khác`) : null);
}

/** The codes of units the entries' changes name, by name (one lookup for the page). */
function unitCodesOf(entries) {
  const codes = [];
  for (const e of entries) {
    for (const [k, v] of changeLines(e.changes)) {
      if (UNIT_FIELDS.has(baseField(k)) && typeof v === 'string' && v) codes.push(v);
    }
  }
  return unitNames(codes);
}

async function audit(ctx, box) {
  const { query } = ctx;
  const filters = {};
  for (const k of ['resource', 'resource_id', 'actor', 'from', 'to']) filters[k] = query.get(k) || '';
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const exported = exportButtons('/audit', filters, 'nhat-ky-thao-tac');
  const filterForm = form([
    { name: 'resource', label: FIELDS.resource, type: 'select', value: filters.resource,
      options: [{ value: '', label: T.all }, ...AUDIT_RESOURCES.map((r) => ({ value: r, label: label('resource', r) }))] },
    { name: 'actor', label: `${FIELDS.actor} (tên đăng nhập)`, value: filters.actor },
    { name: 'resource_id', label: FIELDS.resource_id, value: filters.resource_id },
    { name: 'from', label: 'Từ ngày', type: 'date', value: filters.from },
    { name: 'to', label: 'Đến ngày', type: 'date', value: filters.to },
  ], {
    id: 'audit-filters', className: 'filters', submitLabel: T.filter,
    onSubmit: async (el) => {
      const v = el.values();
      if (v) ctx.navigate(ctx.hashFor('/admin/audit', v));
    },
    onCancel: () => ctx.navigate('#/admin/audit'), cancelLabel: T.clearFilters,
  });
  filterForm.setAttribute('role', 'search');
  const listBox = h('div', {});
  box.append(h('div', { class: 'page-actions toolbar' }, exported.buttons), exported.box,
    filterBox(filterForm, Object.values(filters).filter(Boolean).length), listBox);
  await load(listBox, async () => {
    const page = await api.get('/audit', { ...filters, limit: 50, offset });
    const names = await unitCodesOf(page.items);
    return h('div', {},
      table([
        { label: FIELDS.at, value: (e) => h('span', { class: 'nowrap' }, formatDateTime(e.at)) },
        { label: FIELDS.actor, value: (e) => e.actor },
        { label: FIELDS.action, value: (e) => label('auditAction', e.action) },
        { label: FIELDS.resource, value: (e) => label('resource', e.resource) },
        { label: FIELDS.resource_id, value: (e) => (e.resource_id ? h('code', {}, e.resource_id) : null) },
        { label: 'Nội dung', value: (e) => changesList(e, names) },
      ], page.items, { caption: T.audit, empty: 'Không có thao tác nào phù hợp.' }),
      pager(page.total, 50, offset, (o) => ctx.navigate(ctx.hashFor('/admin/audit', { ...filters, offset: o || '' }))));
  });
}
