// pages/activities.js — #/activities: what the teams did, with filters and exports (CSV, .xlsx);
// #/activities/new: the quick "log an activity" form, made for a phone in the field (one column,
// big targets, numeric keypads for the counts); #/activities/<id>: edit or delete one.

import * as api from '../api.js';
import {
  announce, button, confirmAction, errorBox, exportButtons, filterBox, form, h, link, load, notice, optionsOf, pageHeader,
  pager, table,
} from '../dom.js';
import { FIELDS, LABELS, T, formatDate, formatNumber, label, todayIso } from '../i18n.js';
import { teamOptions, unitField } from '../refdata.js';

const LIMIT = 20;
const FILTERS = ['q', 'unit', 'team', 'kind', 'from', 'to'];

export async function render(ctx) {
  if (ctx.path === '/activities/new') return logForm(ctx, null);
  if (ctx.params.id) return logForm(ctx, ctx.params.id);
  return list(ctx);
}

// ---------------------------------------------------------------------------------------------
// The list.

export function outcomeSummary(outcomes) {
  const parts = Object.entries(outcomes || {}).filter(([, v]) => v).map(([k, v]) => `${label('outcome', k)}: ${formatNumber(v)}`);
  return parts.length ? h('ul', { class: 'changes' }, parts.map((p) => h('li', {}, p))) : null;
}

async function list(ctx) {
  const { view, user, query } = ctx;
  const filters = {};
  for (const k of FILTERS) filters[k] = query.get(k) || '';
  const offset = Math.max(0, Number(query.get('offset')) || 0);

  const exported = exportButtons('/activities', filters, 'hoat-dong');
  view.append(pageHeader(T.activities,
    user.read_only ? null : link(`#/activities/new${filters.team ? `?team=${filters.team}` : ''}`, 'Ghi nhận hoạt động', { class: 'btn btn-primary' }),
    ...exported.buttons), exported.box);
  // Just logged: the newest logged first, so that it shows whatever day it was held on.
  const created = query.get('created');
  if (created) view.append(notice('success', 'Đã ghi nhận hoạt động. Danh sách đang xếp theo thời điểm ghi nhận, mới nhất trước.'));

  const teams = await teamOptions({});
  const defs = [
    { name: 'q', label: 'Tìm theo tiêu đề', value: filters.q },
  ];
  if (user.unit) defs.push(unitField('unit', 'Địa bàn', { root: user.unit, mode: 'filter' }));
  defs.push(
    { name: 'team', label: 'Tổ', type: 'select', options: [{ value: '', label: T.all }, ...teams.options], value: filters.team },
    { name: 'kind', label: 'Loại hoạt động', type: 'select', options: optionsOf(LABELS.activityKind, T.all), value: filters.kind },
    { name: 'from', label: 'Từ ngày', type: 'date', value: filters.from },
    { name: 'to', label: 'Đến ngày', type: 'date', value: filters.to },
  );
  const filterForm = form(defs, {
    id: 'activity-filters',
    className: 'filters',
    submitLabel: T.filter,
    onSubmit: async (el) => {
      const v = el.values();
      if (v) ctx.navigate(ctx.hashFor('/activities', v));
    },
    onCancel: () => ctx.navigate('#/activities'),
    cancelLabel: T.clearFilters,
  });
  filterForm.setAttribute('role', 'search');
  filterForm.setAttribute('aria-label', 'Lọc danh sách hoạt động');
  if (filters.unit && filterForm.field('unit')) filterForm.field('unit').set(filters.unit);
  view.append(filterBox(filterForm, FILTERS.filter((k) => filters[k]).length));

  const box = h('section', { id: 'activity-list', 'aria-labelledby': 'page-title' });
  view.append(box);
  await load(box, async () => {
    const page = await api.get('/activities', { ...filters, limit: LIMIT, offset, sort: created ? '-created_at' : undefined });
    return h('div', {},
      h('p', { class: 'muted' }, `Tìm thấy ${formatNumber(page.total)} hoạt động.`),
      table([
        { label: FIELDS.held_on, value: (a) => h('span', { class: 'nowrap' }, formatDate(a.held_on)) },
        { label: FIELDS.title, value: (a) => link(`#/activities/${a.id}`, a.title) },
        { label: 'Loại hoạt động', value: (a) => label('activityKind', a.kind) },
        { label: 'Tổ', value: (a) => link(`#/teams/${a.team_id}`, a.team_name) },
        { label: 'Xã, phường', value: (a) => a.unit_name },
        { label: FIELDS.location, value: (a) => a.location },
        { label: FIELDS.people_reached, class: 'num', value: (a) => formatNumber(a.people_reached) },
        { label: 'Kết quả', value: (a) => outcomeSummary(a.outcomes) },
      ], page.items, {
        caption: 'Danh sách hoạt động',
        empty: 'Chưa có hoạt động nào phù hợp.',
        rowProps: (a) => ({ dataset: { activity: a.id }, class: a.id === created ? 'highlight' : undefined }),
      }),
      pager(page.total, LIMIT, offset, (o) => ctx.navigate(ctx.hashFor('/activities', { ...filters, offset: o || '' }))));
  });
}

// ---------------------------------------------------------------------------------------------
// The quick form (create) and the edit form.

function activityBody(f, create) {
  const v = f.values({ omitEmpty: create });
  if (!v) return null;
  const counts = Object.fromEntries(Object.entries(v.outcomes || {}).filter(([, x]) => x !== null && x !== undefined));
  if (create && !Object.keys(counts).length) delete v.outcomes;
  else v.outcomes = counts;
  if (!create && v.people_reached === null) v.people_reached = 0;
  return v;
}

async function logForm(ctx, id) {
  const { view, user, query } = ctx;
  let activity = null;
  let version;
  if (id) {
    ({ data: activity, version } = await api.request('GET', `/activities/${id}`));
  }
  const title = activity ? 'Sửa hoạt động' : 'Ghi nhận hoạt động';
  ctx.setTitle(title);
  const messages = h('div', {});
  const del = activity && !user.read_only ? button(T.delete, async () => {
    if (!(await confirmAction(T.confirmDelete(`hoạt động “${activity.title}”`)))) return;
    try {
      await api.del(`/activities/${id}`, version);
      announce(T.deleted);
      ctx.navigate('#/activities');
    } catch (err) {
      messages.replaceChildren(errorBox(err));
    }
  }, { class: 'btn btn-danger' }) : null;
  view.append(h('p', {}, link('#/activities', `‹ ${T.back} danh sách hoạt động`)), pageHeader(title, del), messages);
  if (user.read_only) {
    view.append(notice('info', T.status403ReadOnly));
    return;
  }
  const teams = await teamOptions(activity ? {} : { status: 'active' });
  if (!teams.options.length) {
    view.append(notice('info', 'Chưa có tổ nào đang hoạt động. Hãy thêm tổ trước khi ghi nhận hoạt động.'),
      h('p', {}, link('#/teams/new', 'Thêm tổ', { class: 'btn btn-primary' })));
    return;
  }
  const a = activity || {};
  const chosenTeam = a.team_id || query.get('team') || (teams.options.length === 1 ? teams.options[0].value : '');
  const defs = [
    { name: 'team_id', label: 'Tổ thực hiện', type: 'select', required: true, wide: true,
      options: [{ value: '', label: '— Chọn tổ —' }, ...teams.options], value: chosenTeam },
    { name: 'held_on', label: FIELDS.held_on, type: 'date', required: true, value: a.held_on || todayIso() },
    { name: 'kind', label: 'Loại hoạt động', type: 'select', required: true,
      options: [{ value: '', label: '— Chọn —' }, ...optionsOf(LABELS.activityKind)], value: a.kind || '' },
    { name: 'title', label: 'Nội dung hoạt động', required: true, wide: true, maxlength: 300, value: a.title,
      placeholder: 'Ví dụ: Hướng dẫn cài đặt VNeID tại nhà văn hóa' },
    { name: 'location', label: FIELDS.location, maxlength: 300, value: a.location },
    { name: 'people_reached', label: FIELDS.people_reached, type: 'number', value: a.people_reached },
    { type: 'heading', label: 'Kết quả đạt được (nếu có)' },
    ...Object.entries(LABELS.outcome).map(([k, text]) => ({ name: `outcomes.${k}`, label: text, type: 'number', value: a.outcomes?.[k] })),
    { name: 'note', label: FIELDS.note, type: 'textarea', wide: true, maxlength: 2000, value: a.note },
  ];
  const f = form(defs, {
    id: 'activity-form',
    className: 'quick',
    submitLabel: activity ? T.save : 'Ghi nhận',
    onSubmit: async (el) => {
      const body = activityBody(el, !activity);
      if (!body) return;
      if (activity) {
        await api.patch(`/activities/${id}`, body, version);
        announce(T.saved);
        ctx.navigate('#/activities');
      } else {
        const created = await api.post('/activities', body);
        announce('Đã ghi nhận hoạt động.');
        ctx.navigate(`#/activities?created=${created.id}`);
      }
    },
    onCancel: () => ctx.navigate('#/activities'),
  });
  view.append(h('div', { class: 'panel' }, f));
}
