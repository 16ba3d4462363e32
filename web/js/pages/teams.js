// pages/teams.js — #/teams: the teams in the caller's scope, with filters (unit, kind, status,
// compliance), a search that ignores diacritics (the API's q), paging and exports (CSV, .xlsx).
// The filters live in the address (#/teams?kind=hamlet&q=...), so a reload or a shared link
// shows the same list.

import { get } from '../api.js';
import { badge, exportButtons, filterBox, form, h, link, load, optionsOf, pageHeader, pager, table } from '../dom.js';
import { LABELS, T, formatNumber, label } from '../i18n.js';
import { unitField, unitNames } from '../refdata.js';

const LIMIT = 20;
const FILTERS = ['q', 'unit', 'kind', 'status', 'compliant'];

export async function render(ctx) {
  const { view, user, query } = ctx;
  const filters = {};
  for (const k of FILTERS) filters[k] = query.get(k) || '';
  const offset = Math.max(0, Number(query.get('offset')) || 0);

  const exported = exportButtons('/teams', filters, 'to-cnscd');
  view.append(pageHeader(T.teams,
    user.read_only ? null : link('#/teams/new', 'Thêm tổ', { class: 'btn btn-primary' }),
    ...exported.buttons), exported.box);

  const defs = [
    { name: 'q', label: 'Tìm theo tên tổ', value: filters.q, hint: 'Gõ có dấu hoặc không dấu đều được, ví dụ “phu cuong”.' },
    { name: 'kind', label: 'Loại tổ', type: 'select', options: optionsOf(LABELS.teamKind, T.all), value: filters.kind },
    { name: 'status', label: 'Trạng thái', type: 'select', options: optionsOf(LABELS.teamStatus, T.all), value: filters.status },
    { name: 'compliant', label: 'Cơ cấu', type: 'select', value: filters.compliant,
      options: [{ value: '', label: T.all }, { value: 'true', label: LABELS.compliance.true }, { value: 'false', label: LABELS.compliance.false }] },
  ];
  if (user.unit) defs.splice(1, 0, unitField('unit', 'Địa bàn', { root: user.unit, mode: 'filter' }));
  const filterForm = form(defs, {
    id: 'team-filters',
    className: 'filters',
    submitLabel: T.filter,
    onSubmit: async (el) => {
      const v = el.values();
      if (!v) return;
      ctx.navigate(ctx.hashFor('/teams', v));
    },
    onCancel: () => ctx.navigate('#/teams'),
    cancelLabel: T.clearFilters,
  });
  filterForm.setAttribute('role', 'search');
  filterForm.setAttribute('aria-label', 'Lọc danh sách tổ');
  if (filters.unit && filterForm.field('unit')) filterForm.field('unit').set(filters.unit);
  view.append(filterBox(filterForm, Object.entries(filters).filter(([k, v]) => v && k !== 'offset').length));

  const list = h('section', { 'aria-labelledby': 'page-title', id: 'team-list' });
  view.append(list);
  await load(list, async () => {
    const page = await get('/teams', { ...filters, limit: LIMIT, offset });
    const names = await unitNames(page.items.map((t) => t.unit_code));
    const out = h('div', {});
    out.append(h('p', { class: 'muted', id: 'team-count' }, `Tìm thấy ${formatNumber(page.total)} tổ.`));
    out.append(table([
      { label: 'Tên tổ', value: (t) => link(`#/teams/${t.id}`, t.name) },
      { label: 'Loại tổ', value: (t) => label('teamKind', t.kind) },
      { label: 'Xã, phường, thị trấn', value: (t) => names.get(t.unit_code) || t.unit_code },
      { label: 'Khu phố, ấp', value: (t) => t.hamlet },
      { label: 'Số thành viên', class: 'num', value: (t) => formatNumber(t.member_count) },
      { label: 'Tổ trưởng', value: (t) => t.leader?.full_name },
      { label: 'Cơ cấu', value: (t) => complianceBadge(t) },
      { label: 'Trạng thái', value: (t) => badge(label('teamStatus', t.status), t.status === 'active' ? 'info' : 'muted') },
    ], page.items, { caption: 'Danh sách tổ', empty: 'Không có tổ nào phù hợp với điều kiện lọc.' }));
    out.append(pager(page.total, LIMIT, offset, (o) => ctx.navigate(ctx.hashFor('/teams', { ...filters, offset: o || '' }))));
    return out;
  });
}

export function complianceBadge(team) {
  const ok = team.compliance?.ok;
  return h('span', {}, badge(label('compliance', ok), ok ? 'ok' : 'bad'),
    ok ? null : h('span', { class: 'visually-hidden' }, `: ${team.compliance.problems.map((p) => p.message).join('; ')}`));
}
