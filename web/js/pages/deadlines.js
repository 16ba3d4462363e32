// pages/deadlines.js — deadlines issued down the hierarchy.
//   #/deadlines       "what I must do" (GET /deadlines?mine=true) with a complete button, note and
//                     link; for issuers (province, district) the deadlines they watch.
//   #/deadlines/new   issue one: target level, scope, due date, recurrence (province, district).
//   #/deadlines/<id>  the deadline and each target's status; the issuer completes on a target's
//                     behalf or reopens; a target completes its own.

import * as api from '../api.js';
import {
  announce, badge, button, clear, confirmAction, details, errorBox, exportButtons, filterBox, form, h, link, load, notice,
  openBesideRow, optionsOf, pageHeader, pager, table, withConfirmation,
} from '../dom.js';
import { FIELDS, LABELS, T, formatDate, formatDateTime, formatNumber, label, todayIso } from '../i18n.js';
import { chainBetween, unitField, unitName } from '../refdata.js';
import { periodArgs, periodDefs, reportFrame } from './reports.js';

const isIssuerRole = (user) => user.role === 'province' || user.role === 'district';

export async function render(ctx) {
  if (ctx.path === '/deadlines/new') return create(ctx);
  if (ctx.params.id) return detail(ctx, ctx.params.id);
  return overview(ctx);
}

function statusBadge(status) {
  return badge(label('targetStatus', status), status === 'overdue' ? 'bad' : status === 'done' ? 'ok' : 'warn');
}

const safeLink = (url) => (/^https?:\/\//i.test(url || '')
  ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url)
  : url || null);

/** The note and link form that completes a target (the caller's own, or `target` on its behalf). */
function completeForm(deadline, target, onDone) {
  return form([
    { name: 'note', label: 'Ghi chú kết quả', type: 'textarea', wide: true, maxlength: 2000 },
    { name: 'link', label: 'Đường dẫn kết quả (nếu có)', type: 'url', wide: true, placeholder: 'https://…', hint: 'Ví dụ: đường dẫn tới văn bản báo cáo đã đăng tải.' },
  ], {
    id: `complete-${deadline.id}${target ? `-${target.unit_code || target.enterprise_id}` : ''}`,
    submitLabel: target ? 'Xác nhận hoàn thành thay' : 'Xác nhận hoàn thành',
    onSubmit: async (el) => {
      const body = el.values({ omitEmpty: true });
      if (!body) return;
      if (target) {
        if (target.unit_code) body.unit_code = target.unit_code;
        else body.enterprise_id = target.enterprise_id;
      }
      await api.post(`/deadlines/${deadline.id}/complete`, body);
      announce('Đã ghi nhận hoàn thành.');
      onDone();
    },
    onCancel: () => onDone(true),
  });
}

/**
 * "Đính kèm báo cáo": a target answers a deadline of kind report with the periodic report of its
 * own unit, made now (POST /deadlines/{id}/report), which also completes it.
 */
function attachForm(deadline, onDone) {
  return form([
    ...periodDefs(),
    { name: 'doc_number', label: 'Số văn bản', hint: 'Ví dụ 15/BC-UBND; có thể để trống.' },
    { name: 'signer_name', label: 'Người ký' },
    { name: 'note', label: 'Ghi chú', type: 'textarea', wide: true, maxlength: 2000 },
  ], {
    id: `attach-${deadline.id}`,
    submitLabel: 'Lập và gửi báo cáo',
    onSubmit: async (el) => {
      const v = el.values({ omitEmpty: true });
      if (!v) return;
      const body = { ...periodArgs(v), year: Number(v.year) };
      for (const k of ['doc_number', 'signer_name', 'note']) if (v[k]) body[k] = v[k];
      await api.post(`/deadlines/${deadline.id}/report`, body);
      announce('Đã gửi báo cáo.');
      onDone();
    },
    onCancel: () => onDone(true),
  });
}

/** Shows the report a target attached (GET /deadlines/{id}/report) in box, with print and PDF. */
async function showReport(box, deadline, target) {
  const query = target ? { target: target.id } : {};
  box.replaceChildren(h('p', { class: 'muted' }, 'Đang tải báo cáo…'));
  try {
    const { data } = await api.request('GET', `/deadlines/${deadline.id}/report`, { query: { ...query, format: 'html' }, accept: 'text/html' });
    const frame = reportFrame(String(data), `Báo cáo của ${target ? target.unit_name || target.enterprise_name : 'đơn vị'}`);
    const name = `bao-cao-${target ? target.unit_code || target.enterprise_id : 'don-vi'}.pdf`;
    box.replaceChildren(h('div', { class: 'form-buttons' },
      button('In báo cáo', () => frame.contentWindow.print()),
      button('Tải PDF', () => api.download(`/deadlines/${deadline.id}/report`, { ...query, format: 'pdf' }, name, 'application/pdf')
        .catch((err) => box.append(errorBox(err))))), frame);
  } catch (err) {
    box.replaceChildren(errorBox(err));
  }
}

// ---------------------------------------------------------------------------------------------
// #/deadlines

async function overview(ctx) {
  const { view, user, query } = ctx;
  const status = query.get('status') || '';
  view.append(pageHeader(T.deadlines,
    isIssuerRole(user) && !user.read_only ? link('#/deadlines/new', 'Giao nhiệm vụ mới', { class: 'btn btn-primary' }) : null));

  const statusFilter = form([
    { name: 'status', label: 'Trạng thái', type: 'select', options: optionsOf(LABELS.targetStatus, T.all), value: status },
  ], {
    id: 'deadline-filters', className: 'filters', submitLabel: T.filter,
    onSubmit: async (el) => ctx.navigate(ctx.hashFor('/deadlines', el.values() || {})),
  });
  view.append(filterBox(statusFilter, status ? 1 : 0));

  if (user.role !== 'province') {
    const mine = h('section', { class: 'panel', 'aria-labelledby': 'mine-title', id: 'mine' });
    view.append(mine);
    await load(mine, () => mineList(ctx, status));
  }
  if (isIssuerRole(user)) {
    const issued = h('section', { class: 'panel', 'aria-labelledby': 'issued-title', id: 'issued' });
    view.append(issued);
    await load(issued, () => issuedList(ctx, status));
  }
}

async function mineList(ctx, status) {
  const { user } = ctx;
  const page = await api.get('/deadlines', { mine: 'true', status, limit: 100, sort: 'status,due_on' });
  const out = h('div', {}, h('h2', { id: 'mine-title' }, 'Việc đơn vị phải làm'));
  if (!page.items.length) {
    out.append(h('p', { class: 'empty' }, 'Không có nhiệm vụ nào.'));
    return out;
  }
  const listEl = h('div', { class: 'deadline-cards' });
  for (const d of page.items) listEl.append(mineCard(ctx, d, user));
  out.append(listEl);
  if (page.total > page.items.length) out.append(h('p', { class: 'muted' }, `Hiển thị ${page.items.length}/${page.total} nhiệm vụ.`));
  return out;
}

function mineCard(ctx, d, user) {
  const t = d.my_target;
  const formBox = h('div', {});
  const card = h('article', { class: ['panel', 'deadline-item', t.status], dataset: { deadline: d.id }, 'aria-labelledby': `d-${d.id}` },
    h('h3', { id: `d-${d.id}` }, link(`#/deadlines/${d.id}`, d.title)),
    h('p', {}, statusBadge(t.status), ' ',
      t.status === 'done' ? badge(label('onTime', t.on_time), t.on_time ? 'ok' : 'warn') : null),
    details([
      [FIELDS.kind, label('deadlineKind', d.kind)],
      [FIELDS.due_on, formatDate(d.due_on)],
      d.recurrence !== 'none' ? [FIELDS.recurrence, label('recurrence', d.recurrence)] : null,
      d.description ? [FIELDS.description, d.description] : null,
      t.completed_at ? ['Hoàn thành lúc', formatDateTime(t.completed_at)] : null,
      t.note ? [FIELDS.note, t.note] : null,
      t.link ? [FIELDS.link, safeLink(t.link)] : null,
    ]),
    formBox);
  if (t.status !== 'done' && !user.read_only) {
    const open = button('Đánh dấu hoàn thành', () => {
      open.hidden = true;
      const f = completeForm(d, null, (cancelled) => {
        if (cancelled) {
          clear(formBox);
          formBox.append(open);
          open.hidden = false;
          open.focus();
        } else {
          ctx.navigate(location.hash, { replace: true });
        }
      });
      clear(formBox);
      formBox.append(f);
      f.field('note').focus();
    }, { class: 'btn btn-primary' });
    if (d.kind === 'team_setup') formBox.append(h('p', { class: 'hint' }, 'Nhiệm vụ thành lập tổ tự hoàn thành khi đơn vị có tổ đang hoạt động đạt cơ cấu.'));
    formBox.append(open);
    if (d.kind === 'report') {
      const attach = button('Đính kèm báo cáo', () => {
        const f = attachForm(d, (cancelled) => {
          if (cancelled) ctx.navigate(location.hash, { replace: true });
          else ctx.navigate(location.hash, { replace: true });
        });
        clear(formBox);
        formBox.append(h('h4', {}, 'Đính kèm báo cáo định kỳ'), f);
        f.field('period').focus();
      }, { class: 'btn' });
      formBox.append(' ', attach);
    }
  }
  return card;
}

async function issuedList(ctx, status) {
  const { user } = ctx;
  const page = await api.get('/deadlines', { status, limit: 200, sort: 'due_on' });
  // The deadlines the units below must meet: those it issued, and for a district also the
  // province's to its communes (counted over its own communes). The province's deadlines to the
  // district itself are its own work, in the list above.
  const items = page.items.filter((d) => d.target_level !== user.role);
  return h('div', {},
    h('h2', { id: 'issued-title' }, 'Nhiệm vụ của đơn vị cấp dưới'),
    table([
      { label: FIELDS.title, value: (d) => link(`#/deadlines/${d.id}`, d.title) },
      { label: FIELDS.kind, value: (d) => label('deadlineKind', d.kind) },
      { label: FIELDS.due_on, value: (d) => formatDate(d.due_on) },
      { label: 'Giao cho', value: (d) => `${label('targetLevel', d.target_level)} thuộc ${d.scope_unit_name}` },
      { label: FIELDS.issued_by_unit, value: (d) => d.issued_by_unit_name },
      { label: FIELDS.recurrence, value: (d) => label('recurrence', d.recurrence) },
      { label: 'Đã hoàn thành', class: 'num', value: (d) => `${formatNumber(d.targets.done_on_time + d.targets.done_late)} / ${formatNumber(d.targets.total)}` },
      { label: 'Quá hạn', class: 'num', value: (d) => (d.targets.overdue ? badge(formatNumber(d.targets.overdue), 'bad') : '0') },
    ], items, { caption: 'Nhiệm vụ của đơn vị cấp dưới', empty: 'Không có nhiệm vụ nào giao cho đơn vị cấp dưới.' }));
}

// ---------------------------------------------------------------------------------------------
// #/deadlines/new

async function create(ctx) {
  const { view, user } = ctx;
  view.append(h('p', {}, link('#/deadlines', `‹ ${T.back} danh sách nhiệm vụ`)), pageHeader('Giao nhiệm vụ mới'));
  if (!isIssuerRole(user) || user.read_only) {
    view.append(notice('info', user.read_only ? T.status403ReadOnly : 'Chỉ cấp tỉnh và cấp huyện được giao nhiệm vụ.'));
    return;
  }
  // A province issues to its districts only where it has some: since the 2025 reform most have
  // none, their communes being directly under them.
  const hasDistricts = user.role === 'province'
    && (await api.get('/units', { parent: user.unit, level: 'district', limit: 1 })).total > 0;
  const levels = hasDistricts ? LABELS.targetLevel : { commune: LABELS.targetLevel.commune, enterprise: LABELS.targetLevel.enterprise };
  const f = form([
    { name: 'title', label: FIELDS.title, required: true, wide: true, maxlength: 200, placeholder: 'Ví dụ: Báo cáo kết quả hoạt động tháng 11/2026',
      hint: 'Nhiệm vụ định kỳ: tên mỗi kỳ ghi kỳ của nó. Ghi “tháng 11/2026” (hoặc “quý IV/2026”) thì các kỳ sau là “tháng 12/2026”, “tháng 01/2027”…; không ghi thì hệ thống thêm kỳ theo hạn hoàn thành.' },
    { name: 'kind', label: 'Loại nhiệm vụ', type: 'select', required: true, options: [{ value: '', label: '— Chọn —' }, ...optionsOf(LABELS.deadlineKind)] },
    { name: 'due_on', label: FIELDS.due_on, type: 'date', required: true, value: todayIso(30) },
    { name: 'target_level', label: FIELDS.target_level, type: 'select', required: true, options: [{ value: '', label: '— Chọn —' }, ...optionsOf(levels)] },
    { name: 'recurrence', label: FIELDS.recurrence, type: 'select', options: optionsOf(LABELS.recurrence), value: 'none' },
    unitField('scope_unit', 'Phạm vi giao (mọi đơn vị của cấp được chọn trong phạm vi này)', { root: user.unit, mode: 'any', required: true }),
    { name: 'description', label: FIELDS.description, type: 'textarea', wide: true, maxlength: 4000 },
  ], {
    id: 'deadline-form',
    submitLabel: 'Giao nhiệm vụ',
    onSubmit: async (el) => {
      const body = el.values({ omitEmpty: true });
      if (!body) return;
      // A due date already past, or the same deadline issued again, is asked about first.
      const d = await withConfirmation((confirm) => api.post('/deadlines', body, confirm ? { confirm: 'true' } : undefined));
      if (!d) return;
      announce('Đã giao nhiệm vụ.');
      ctx.navigate(`#/deadlines/${d.id}?created=1`);
    },
    onCancel: () => ctx.navigate('#/deadlines'),
  });
  view.append(h('div', { class: 'panel' }, f));
}

// ---------------------------------------------------------------------------------------------
// #/deadlines/<id>

async function detail(ctx, id) {
  const { view, user, query } = ctx;
  const { data: d, version } = await api.request('GET', `/deadlines/${id}`);
  ctx.setTitle(d.title);
  const issuer = isIssuerRole(user) && user.unit && (d.issued_by_unit === user.unit || (await chainBetween(user.unit, d.issued_by_unit)).length > 0);
  const canWrite = !user.read_only;
  const messages = h('div', {});
  const editBox = h('div', { class: 'panel', hidden: true });

  const editButton = issuer && canWrite ? button(T.edit, () => {
    if (!editBox.hidden) { editBox.hidden = true; return; }
    clear(editBox);
    const f = form([
      { name: 'title', label: FIELDS.title, required: true, wide: true, maxlength: 200, value: d.title },
      { name: 'due_on', label: FIELDS.due_on, type: 'date', required: true, value: d.due_on },
      { name: 'description', label: FIELDS.description, type: 'textarea', wide: true, maxlength: 4000, value: d.description },
    ], {
      id: 'deadline-edit-form',
      onSubmit: async (el) => {
        const body = el.values();
        if (!body) return;
        await api.patch(`/deadlines/${id}`, body, version);
        announce(T.saved);
        ctx.navigate(`#/deadlines/${id}`, { replace: true });
      },
      onCancel: () => { editBox.hidden = true; },
    });
    editBox.append(h('h2', {}, 'Sửa nhiệm vụ'), f);
    editBox.hidden = false;
    f.field('title').focus();
  }) : null;
  const deleteButton = issuer && canWrite ? button(T.delete, async () => {
    const what = d.recurrence === 'none' ? `nhiệm vụ “${d.title}”` : `nhiệm vụ “${d.title}” và các kỳ sau của nó`;
    if (!(await confirmAction(T.confirmDelete(what)))) return;
    try {
      await api.del(`/deadlines/${id}`, version);
      announce(T.deleted);
      ctx.navigate('#/deadlines');
    } catch (err) {
      messages.replaceChildren(errorBox(err));
    }
  }, { class: 'btn btn-danger' }) : null;

  view.append(h('p', {}, link('#/deadlines', `‹ ${T.back} danh sách nhiệm vụ`)), pageHeader(d.title, editButton, deleteButton), messages, editBox);
  if (query.get('created')) messages.append(notice('success', `Đã giao nhiệm vụ cho ${formatNumber(d.targets.total)} đơn vị.`));

  view.append(h('section', { class: 'panel', 'aria-labelledby': 'dl-info' },
    h('h2', { id: 'dl-info' }, 'Thông tin nhiệm vụ'),
    details([
      [FIELDS.kind, label('deadlineKind', d.kind)],
      [FIELDS.due_on, formatDate(d.due_on)],
      [FIELDS.recurrence, label('recurrence', d.recurrence)],
      ['Giao cho', `${label('targetLevel', d.target_level)} thuộc ${d.scope_unit_name}`],
      [FIELDS.issued_by_unit, h('span', { id: 'issued-by' }, d.issued_by_unit_name)],
      [FIELDS.description, d.description],
      ['Tiến độ', `Đã hoàn thành ${formatNumber(d.targets.done_on_time + d.targets.done_late)}/${formatNumber(d.targets.total)} (đúng hạn ${formatNumber(d.targets.done_on_time)}, trễ hạn ${formatNumber(d.targets.done_late)}); quá hạn ${formatNumber(d.targets.overdue)}; chưa đến hạn ${formatNumber(d.targets.pending)}`],
      d.previous_id ? ['Kỳ trước', link(`#/deadlines/${d.previous_id}`, 'Xem kỳ trước')] : null,
      d.next_id ? ['Kỳ sau', link(`#/deadlines/${d.next_id}`, 'Xem kỳ sau')] : null,
    ])));

  const targetsBox = h('section', { class: 'panel', 'aria-labelledby': 'targets-title', id: 'targets' });
  view.append(targetsBox);
  const status = query.get('status') || '';
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  await load(targetsBox, () => targets(ctx, d, { issuer, canWrite, status, offset }));
}

async function targets(ctx, d, { issuer, canWrite, status, offset }) {
  const { user } = ctx;
  const LIMIT = 100;
  const page = await api.get(`/deadlines/${d.id}/targets`, { status, limit: LIMIT, offset, sort: 'status,name' });
  const exported = exportButtons(`/deadlines/${d.id}/targets`, { status, sort: 'status,name' },
    `tinh-hinh-thuc-hien-${d.due_on}`, { id: 'targets-export' });
  const out = h('div', {}, h('div', { class: 'page-head' }, h('h2', { id: 'targets-title' }, 'Tình hình thực hiện của từng đơn vị'),
    h('div', { class: 'page-actions' }, exported.buttons)), exported.box);
  const filter = form([
    { name: 'status', label: 'Trạng thái', type: 'select', options: optionsOf(LABELS.targetStatus, T.all), value: status },
  ], {
    id: 'target-filters', className: 'filters', submitLabel: T.filter,
    onSubmit: async (el) => ctx.navigate(ctx.hashFor(`/deadlines/${d.id}`, el.values() || {})),
  });
  out.append(filterBox(filter, status ? 1 : 0));
  const formBox = h('div', {});
  const refresh = () => ctx.navigate(location.hash, { replace: true });
  const own = (t) => (t.unit_code && t.unit_code === user.unit) || (t.enterprise_id && t.enterprise_id === user.enterprise);

  const action = (t) => {
    const view = t.report ? button('Xem báo cáo', () => {
      clear(formBox);
      const box = h('div', { class: 'panel' });
      formBox.append(h('h3', {}, `Báo cáo của ${t.unit_name || t.enterprise_name}`), box);
      showReport(box, d, t);
    }, { class: 'btn btn-small', 'aria-label': `Xem báo cáo: ${t.unit_name || t.enterprise_name}` }) : null;
    const act = actionWrite(t);
    return view || act ? h('span', {}, view, view && act ? ' ' : null, act) : null;
  };
  const actionWrite = (t) => {
    if (!canWrite) return null;
    if (t.status !== 'done' && own(t) && d.kind === 'report') {
      return button('Đính kèm báo cáo', () => {
        clear(formBox);
        const f = attachForm(d, (cancelled) => (cancelled ? clear(formBox) : refresh()));
        formBox.append(h('div', { class: 'panel' }, h('h3', {}, 'Đính kèm báo cáo định kỳ'), f));
        f.field('period').focus();
      }, { class: 'btn btn-small' });
    }
    if (t.status !== 'done' && (own(t) || issuer)) {
      return button(own(t) ? 'Đánh dấu hoàn thành' : 'Hoàn thành thay', (event) => {
        clear(formBox);
        const trigger = event.currentTarget;
        let row;
        const f = completeForm(d, own(t) ? null : t, (cancelled) => {
          if (!cancelled) return refresh();
          row.remove();
          return trigger.focus();
        });
        row = openBesideRow(trigger, h('div', { class: 'panel' }, h('h3', {}, `Hoàn thành: ${t.unit_name || t.enterprise_name}`), f));
        f.field('note').focus();
      }, { class: 'btn btn-small', 'aria-label': `Hoàn thành: ${t.unit_name || t.enterprise_name}` });
    }
    if (t.status === 'done' && issuer) {
      return button('Mở lại', async () => {
        if (!(await confirmAction(`Mở lại nhiệm vụ cho ${t.unit_name || t.enterprise_name}? Đơn vị sẽ phải hoàn thành lại.`, 'Mở lại'))) return;
        try {
          await api.post(`/deadlines/${d.id}/reopen`, t.unit_code ? { unit_code: t.unit_code } : { enterprise_id: t.enterprise_id });
          announce('Đã mở lại.');
          refresh();
        } catch (err) {
          formBox.replaceChildren(errorBox(err));
        }
      }, { class: 'btn btn-small', 'aria-label': `Mở lại: ${t.unit_name || t.enterprise_name}` });
    }
    return null;
  };

  // Where targets lie in districts (a province with an intermediate level), say which.
  const districts = page.items.some((t) => t.district_name);
  out.append(table([
    { label: 'Đơn vị', value: (t) => t.unit_name || t.enterprise_name || t.unit_code },
    districts ? { label: 'Huyện, quận', value: (t) => t.district_name } : null,
    { label: FIELDS.status, value: (t) => statusBadge(t.status) },
    { label: 'Hoàn thành lúc', value: (t) => (t.completed_at ? formatDateTime(t.completed_at) : null) },
    { label: 'Đúng hạn', value: (t) => (t.on_time === null || t.on_time === undefined ? null : badge(label('onTime', t.on_time), t.on_time ? 'ok' : 'warn')) },
    { label: FIELDS.note, value: (t) => t.note },
    { label: FIELDS.link, value: (t) => safeLink(t.link) },
    { label: 'Thao tác', class: 'actions', value: action },
  ].filter(Boolean), page.items, { caption: 'Tình hình thực hiện', empty: 'Không có đơn vị nào.', rowProps: (t) => ({ dataset: { target: t.unit_code || t.enterprise_id } }) }));
  out.append(pager(page.total, LIMIT, offset, (o) => ctx.navigate(ctx.hashFor(`/deadlines/${d.id}`, { status, offset: o || '' }))));
  out.append(formBox);
  return out;
}
