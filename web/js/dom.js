// dom.js — small DOM builders shared by the pages: elements, tables that turn into cards on a
// phone, paging, alerts with a retry, and forms whose errors appear beside the fields they name.
//
// Everything from the API is written with textContent (h() turns strings into text nodes);
// nothing here ever parses HTML, and nothing sets inline styles or inline handlers (the server's
// Content-Security-Policy has no 'unsafe-inline').

import { AuthError, ProblemError, ServiceError, downloadExport } from './api.js';
import { T, fieldLabel, formatDate, formatDateTime, formatNumber, parseDate, problemText, translateError } from './i18n.js';

/**
 * h('a', {href: '#/teams', class: 'btn', onclick: fn}, 'text', child, [more]) → the element.
 * Props: class, text, dataset (object), on<event> (function), hidden/disabled/checked/...
 * (booleans), anything else as an attribute. Children: nodes, strings (text), arrays, null.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.append(c);
    else el.append(document.createTextNode(String(c)));
  }
}

export const clear = (el) => el.replaceChildren();

/** A link inside the app (hash route). */
export const link = (href, text, props = {}) => h('a', { href, ...props }, text);

/** A button that runs fn; type=button unless said. */
export const button = (text, onclick, props = {}) =>
  h('button', { type: 'button', class: 'btn', onclick, ...props }, text);

/** Page heading (focused by the router after navigation) with optional actions on its right. */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-head' },
    h('h1', { tabindex: '-1', id: 'page-title' }, title),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

/**
 * The export buttons of a list, side by side: "Xuất Excel (CSV)" and "Tải Excel (.xlsx)" (or the
 * labels given), each downloading `path` with the filters `query` gives at the click (an object,
 * or a function, possibly async, returning one) as `basename`.csv or .xlsx. A failure shows in
 * `box`, with a retry. `id` names the CSV button; the Excel one is `${id}-xlsx`.
 * Returns { buttons: [csv, xlsx], box }.
 */
export function exportButtons(path, query, basename, { id, csvLabel = T.exportCsv, xlsxLabel = T.exportXlsx, disabled = false } = {}) {
  const box = h('div', { class: 'form-alert' });
  const make = (format, text, buttonId) => {
    const b = button(text, async () => {
      b.disabled = true;
      box.replaceChildren();
      try {
        const q = typeof query === 'function' ? await query() : query;
        await downloadExport(path, q, typeof basename === 'function' ? basename() : basename, format);
      } catch (err) {
        box.append(errorBox(err, () => b.click()));
      } finally {
        b.disabled = false;
      }
    }, { id: buttonId, disabled, 'data-export': format });
    return b;
  };
  return { buttons: [make('csv', csvLabel, id), make('xlsx', xlsxLabel, id ? `${id}-xlsx` : undefined)], box };
}

/** A coloured label: kind 'ok' | 'warn' | 'bad' | 'info' | 'muted'. */
export const badge = (text, kind = 'info') => h('span', { class: `badge badge-${kind}` }, text);

// ---------------------------------------------------------------------------------------------
// Messages.

let statusTimer;
/** A short message in the page's polite live region ("Đã lưu."). */
export function announce(text) {
  const region = document.getElementById('status');
  if (!region) return;
  region.textContent = '';
  clearTimeout(statusTimer);
  // A fresh text node makes screen readers read it even when it repeats.
  requestAnimationFrame(() => {
    region.textContent = text;
    placeToast(region);
    statusTimer = setTimeout(() => { region.textContent = ''; }, 6000);
  });
}

const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * The toast never covers the field the person is in: at the bottom of the screen, or at the top
 * when the focused element is under it (on a phone the keyboard pushes fields down there).
 */
function placeToast(region) {
  if (!region.textContent) return;
  region.classList.remove('toast-top');
  const focused = document.activeElement;
  if (!focused || focused === document.body || !region.getBoundingClientRect) return;
  if (overlaps(region.getBoundingClientRect(), focused.getBoundingClientRect())) region.classList.add('toast-top');
}
for (const event of ['focusin', 'scroll', 'resize']) {
  window.addEventListener(event, () => {
    const region = document.getElementById('status');
    if (region) placeToast(region);
  }, { passive: true, capture: true });
}

/** "Số liệu lấy lúc 03/12/2026 14:05 (giờ Việt Nam)." for a page whose figures were read at `when`. */
export const takenAt = (when) => h('p', { class: 'taken-at', id: 'taken-at' }, T.takenAt(formatDateTime(when)));

/**
 * A filter form folded away on a phone (open on a wider screen, or while a filter is applied
 * and the screen is wide): its summary says how many filters apply.
 */
export function filterBox(formEl, active = 0) {
  const narrow = window.matchMedia('(max-width: 48rem)').matches;
  return h('details', { class: 'filter-box', open: !narrow },
    h('summary', {}, active ? T.filtersActive(active) : T.filters), formEl);
}

/**
 * Sends a write; when the API asks to confirm it (409 confirmation-required: a deadline due in
 * the past or repeated, a team entered twice), shows its reasons and sends it again with
 * confirm=true once the person agrees. send(confirm) performs the request. Resolves to its
 * answer, or null when the person declined.
 */
export async function withConfirmation(send) {
  try {
    return await send(false);
  } catch (err) {
    if (!(err instanceof ProblemError) || !err.needsConfirmation) throw err;
    const reasons = err.errors.map((e) => translateError(e));
    if (!(await confirmAction([T.confirmIntro, ...reasons], T.confirmGoOn, { danger: false }))) return null;
    return send(true);
  }
}

/** A notice box: kind 'error' | 'info' | 'success'. */
export function notice(kind, text, ...extra) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('p', {}, text), extra);
}

/**
 * The box shown when something could not be loaded or done: plain Vietnamese, and for network
 * failures and 503 a "Thử lại" button that runs retry.
 */
export function errorBox(err, retry) {
  if (err instanceof AuthError) return document.createDocumentFragment();
  if (err instanceof ServiceError) {
    return notice('error', err.status ? T.unavailable : T.networkError,
      retry ? button(T.retry, retry, { class: 'btn btn-primary', 'data-retry': '' }) : null);
  }
  if (err instanceof ProblemError) {
    const lines = err.errors.map((e) => `${fieldLabel(e.field)}: ${translateError(e)}`);
    return notice('error', err.status === 422 && lines.length ? T.genericInvalid : problemText(err.status, err.detail),
      lines.length ? h('ul', {}, lines.map((l) => h('li', {}, l))) : null,
      err.status === 412 ? button(T.reload, () => window.dispatchEvent(new HashChangeEvent('hashchange')), { class: 'btn btn-primary' }) : null);
  }
  // A bug in the client: say something useful to a person, log the rest for developers.
  console.warn(err); // eslint-disable-line no-console
  return notice('error', T.status500, retry ? button(T.retry, retry, { class: 'btn btn-primary' }) : null);
}

/**
 * Runs a loader into a container: shows "Đang tải…", then what fn builds, or the error box
 * (with a retry that runs it again). AuthError shows nothing: the app is going to sign-in.
 */
export async function load(container, fn) {
  clear(container);
  container.append(h('p', { class: 'loading', role: 'status' }, T.loading));
  container.setAttribute('aria-busy', 'true');
  try {
    const content = await fn();
    clear(container);
    if (content) container.append(content);
    // Things that must measure themselves once in the document (charts) mount now.
    if (content && typeof content.mount === 'function') content.mount();
  } catch (err) {
    clear(container);
    if (!(err instanceof AuthError)) container.append(errorBox(err, () => load(container, fn)));
  } finally {
    container.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------------------------------------
// Tables: a real <table> on a desktop; under 40rem each row becomes a card, each cell labelled by
// its column (data-label, shown through CSS).

/**
 * columns: [{label, value: (row) => node|string, class, sort: (row) => number|string|null}];
 * rows: array. caption: accessible name. A column with `sort` has a header button that orders
 * the rows by it (again: the other way); empty values (null) always come last. Returns a wrapper
 * element.
 */
export function table(columns, rows, { caption, empty = T.noData, rowProps } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  const rowOf = (row) => h('tr', rowProps ? rowProps(row) : {}, columns.map((c) => {
    const v = c.value(row);
    return h('td', { 'data-label': c.label, class: c.class }, v === null || v === undefined || v === '' ? T.none : v);
  }));
  const body = h('tbody', {}, rows.map(rowOf));
  const heads = columns.map((c) => h('th', { scope: 'col', class: c.class }, c.sort
    ? h('button', { type: 'button', class: 'sort', onclick: () => sortBy(c) }, c.label)
    : c.label));
  function sortBy(c) {
    const th = heads[columns.indexOf(c)];
    const key = (r) => c.sort(r);
    // First names A to Z, figures largest first; again: the other way.
    const was = th.getAttribute('aria-sort');
    const dir = was ? (was === 'ascending' ? -1 : 1) : (rows.some((r) => typeof key(r) === 'string') ? 1 : -1);
    for (const other of heads) other.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    const sorted = [...rows].sort((a, b) => {
      const x = key(a); const y = key(b);
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === 'string' ? x.localeCompare(y, 'vi') : x - y) * dir;
    });
    body.replaceChildren(...sorted.map(rowOf));
  }
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data' }, caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h('thead', {}, h('tr', {}, heads)), body));
}

/**
 * Opens `content` (a form) in a row of its own right below the table row holding `trigger`, so
 * that it opens next to what it is about (a phone shows it under that row's card); any other one
 * open in the table closes. Returns the new row (remove() closes it).
 */
export function openBesideRow(trigger, content) {
  const tr = trigger.closest('tr');
  for (const open of tr.parentElement.querySelectorAll('tr.row-form')) open.remove();
  const row = h('tr', { class: 'row-form' }, h('td', { colspan: String(tr.children.length) }, content));
  tr.after(row);
  return row;
}

/** "Trang 2/5" with previous / next; onPage(offset). */
export function pager(total, limit, offset, onPage) {
  if (total <= limit) {
    return h('p', { class: 'pager-info' }, `${T.total}: ${formatNumber(total)}`);
  }
  const pages = Math.ceil(total / limit);
  const page = Math.floor(offset / limit) + 1;
  return h('nav', { class: 'pager', 'aria-label': 'Phân trang' },
    button(T.previous, () => onPage(Math.max(0, offset - limit)), { disabled: page <= 1 }),
    h('span', { 'aria-live': 'polite' }, `${T.page(page, pages)} · ${T.total}: ${formatNumber(total)}`),
    button(T.next, () => onPage(offset + limit), { disabled: page >= pages }));
}

/** A <dl> of label → value pairs (values null/'' show "—"). */
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(Boolean).map(([k, v]) => [
    h('dt', {}, k),
    h('dd', {}, v === null || v === undefined || v === '' ? T.none : v),
  ]));
}

// ---------------------------------------------------------------------------------------------
// Forms.

let formSeq = 0;

/**
 * A form from field definitions. def: {name, label, type, options, value, required, hint,
 * placeholder, min, max, autocomplete, inputmode, rows, wide, readonly}. Types: text, password,
 * email, tel, url, textarea, number (whole numbers), date (dd/mm/yyyy), select, checkbox,
 * checkboxes (options → array), custom (def.element: a node with .value; def.read()).
 *
 * Returns the <form> with: .values({omitEmpty}) → object or null after marking client-side
 * errors; .showErrors(err) → puts problem+json field errors beside their fields; .field(name).
 */
export function form(defs, { submitLabel = T.save, onSubmit, onCancel, cancelLabel = T.cancel, extraButtons = [], id, className } = {}) {
  const formId = id || `form-${++formSeq}`;
  const alertBox = h('div', { class: 'form-alert', 'aria-live': 'assertive' });
  const controls = new Map();
  const groups = [];
  for (const def of defs) {
    if (def.type === 'heading') {
      groups.push(h('h3', { class: 'form-subhead' }, def.label));
      continue;
    }
    const f = buildField(formId, def);
    controls.set(def.name, f);
    groups.push(f.wrap);
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
  const buttons = h('div', { class: 'form-buttons' }, submit,
    onCancel ? button(cancelLabel, onCancel) : null, extraButtons);
  const el = h('form', { id: formId, class: ['form', className], novalidate: true },
    alertBox, h('div', { class: 'form-grid' }, groups), buttons);

  el.field = (name) => controls.get(name);
  el.controls = controls;

  el.clearErrors = () => {
    clear(alertBox);
    for (const f of controls.values()) f.setError(null);
  };

  el.values = ({ omitEmpty = false } = {}) => {
    el.clearErrors();
    const out = {};
    const bad = [];
    for (const [name, f] of controls) {
      if (f.def.readonly || f.def.skip) continue;
      const v = f.read();
      if (v && v.error) {
        f.setError(v.error);
        bad.push(f);
        continue;
      }
      if (omitEmpty && (v === '' || v === null || v === undefined)) continue;
      setPath(out, name, v === '' ? null : v);
    }
    if (bad.length) {
      summarize([], bad.map((f) => [f, f.errorText]));
      bad[0].focus();
      return null;
    }
    return out;
  };

  function summarize(unplaced, placed) {
    clear(alertBox);
    const items = [
      ...placed.map(([f, msg]) => h('li', {}, h('a', { href: `#${f.inputId}`, onclick: (e) => { e.preventDefault(); f.focus(); } },
        `${f.def.label}: ${msg}`))),
      ...unplaced.map((line) => h('li', {}, line)),
    ];
    alertBox.append(h('div', { class: 'notice notice-error', role: 'alert' },
      h('p', {}, T.formHasErrors), h('ul', {}, items)));
  }

  el.showErrors = (err, retry) => {
    el.clearErrors();
    if (err instanceof AuthError) return;
    if (!(err instanceof ProblemError) || !err.errors.length) {
      alertBox.append(errorBox(err, retry));
      alertBox.querySelector('button, a')?.focus();
      return;
    }
    const unplaced = [];
    const placed = [];
    for (const e of err.errors) {
      let name = e.field || '';
      // "outcomes" errors name the count inside their message.
      const inner = /^(\w+) must be an integer/.exec(e.message || '');
      if (inner && controls.has(`${name}.${inner[1]}`)) name = `${name}.${inner[1]}`;
      const f = controls.get(name) || controls.get(aliases[name]);
      const msg = translateError(e);
      if (f && !f.def.hidden && !f.wrap.hidden) {
        f.setError(msg);
        placed.push([f, msg]);
      } else {
        unplaced.push(`${fieldLabel(name)}: ${msg}`);
      }
    }
    summarize(unplaced, placed);
    if (placed.length) placed[0][0].focus();
    else alertBox.querySelector('[role=alert]')?.focus();
  };

  const aliases = {};
  for (const def of defs) if (def.alias) aliases[def.alias] = def.name;

  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!onSubmit || el.classList.contains('busy')) return;
    const run = async () => {
      el.classList.add('busy');
      submit.disabled = true;
      const text = submit.textContent;
      submit.textContent = T.saving;
      el.setAttribute('aria-busy', 'true');
      try {
        await onSubmit(el);
      } catch (err) {
        el.showErrors(err, run);
      } finally {
        el.classList.remove('busy');
        submit.disabled = false;
        submit.textContent = text;
        el.removeAttribute('aria-busy');
      }
    };
    await run();
  });
  return el;
}

function setPath(obj, path, value) {
  const parts = path.split('.');
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    o[parts[i]] = o[parts[i]] || {};
    o = o[parts[i]];
  }
  o[parts[parts.length - 1]] = value;
}

function buildField(formId, def) {
  const inputId = `${formId}-${def.name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const type = def.type || 'text';
  let input;
  let read;
  let write;

  if (type === 'select') {
    input = h('select', { id: inputId, name: def.name });
    const fill = (options) => {
      clear(input);
      for (const o of options) input.append(h('option', { value: o.value }, o.label));
    };
    fill(def.options || []);
    input.setOptions = (options, keep = true) => {
      const v = input.value;
      fill(options);
      if (keep) input.value = v;
    };
    read = () => input.value;
    write = (v) => { input.value = v === null || v === undefined ? '' : String(v); };
  } else if (type === 'checkbox') {
    input = h('input', { id: inputId, name: def.name, type: 'checkbox' });
    read = () => input.checked;
    write = (v) => { input.checked = Boolean(v); };
  } else if (type === 'checkboxes') {
    const boxes = (def.options || []).map((o, i) => {
      const id = `${inputId}-${i}`;
      const box = h('input', { type: 'checkbox', id, value: o.value, name: def.name });
      return { box, wrap: h('label', { class: 'check', for: id }, box, ' ', o.label) };
    });
    input = h('fieldset', { class: 'checks', id: inputId, tabindex: '-1' },
      h('legend', {}, def.label), boxes.map((b) => b.wrap));
    read = () => boxes.filter((b) => b.box.checked).map((b) => b.box.value);
    write = (v) => { for (const b of boxes) b.box.checked = (v || []).includes(b.box.value); };
    input.focusFirst = () => boxes[0]?.box.focus();
  } else if (type === 'textarea') {
    input = h('textarea', { id: inputId, name: def.name, rows: def.rows || 3, maxlength: def.maxlength });
    read = () => input.value.trim();
    write = (v) => { input.value = v ?? ''; };
  } else if (type === 'custom') {
    input = def.build(inputId);
    read = def.read;
    write = def.write || (() => {});
  } else {
    const htmlType = { password: 'password', email: 'email', tel: 'tel', url: 'url' }[type] || 'text';
    input = h('input', {
      id: inputId, name: def.name, type: htmlType,
      autocomplete: def.autocomplete || (type === 'password' ? 'new-password' : 'off'),
      inputmode: type === 'number' ? 'numeric' : type === 'date' ? 'numeric' : def.inputmode,
      placeholder: type === 'date' ? T.dateFormatHint : def.placeholder,
      maxlength: def.maxlength,
      spellcheck: type === 'text' || type === 'textarea' ? undefined : 'false',
      readonly: def.readonly,
      class: type === 'number' || type === 'date' ? 'narrow' : undefined,
    });
    if (type === 'number') {
      read = () => {
        const s = input.value.trim().replace(/[.\s]/g, '');
        if (!s) return '';
        if (!/^\d+$/.test(s)) return { error: T.badNumber };
        return Number(s);
      };
      write = (v) => { input.value = v === null || v === undefined ? '' : String(v); };
    } else if (type === 'date') {
      read = () => {
        const iso = parseDate(input.value);
        return iso === null ? { error: T.badDate } : iso;
      };
      write = (v) => { input.value = v ? formatDate(v) : ''; };
    } else if (type === 'password') {
      read = () => input.value;
      write = (v) => { input.value = v ?? ''; };
    } else {
      read = () => input.value.trim();
      write = (v) => { input.value = v ?? ''; };
    }
  }

  const errorEl = h('p', { class: 'field-error', id: errorId, hidden: true });
  const hintEl = def.hint ? h('p', { class: 'hint', id: hintId }, def.hint) : null;
  const describedBy = [hintEl ? hintId : null, errorId].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', describedBy);
  if (def.required && type !== 'checkbox' && type !== 'checkboxes') input.setAttribute('aria-required', 'true');

  const grouped = type === 'checkboxes' || def.group;
  const labelEl = grouped ? null : h('label', { for: inputId },
    def.label, def.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const wrap = type === 'checkbox'
    ? h('div', { class: ['field', 'field-check', def.wide && 'wide'], dataset: { field: def.name } },
      h('div', { class: 'check' }, input, labelEl), hintEl, errorEl)
    : h('div', { class: ['field', (def.wide || grouped) && 'wide'], dataset: { field: def.name } },
      labelEl, hintEl, input, errorEl);
  if (def.hidden) wrap.hidden = true;

  const f = {
    def, input, wrap, inputId, errorText: '',
    read: () => read(),
    set: (v) => write(v),
    focus: () => (input.focusFirst ? input.focusFirst() : input.focus()),
    ready: input.ready || Promise.resolve(),
    setError(msg) {
      f.errorText = msg || '';
      errorEl.textContent = msg || '';
      errorEl.hidden = !msg;
      wrap.classList.toggle('has-error', Boolean(msg));
      if (msg) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
  if (def.value !== undefined) write(def.value);
  return f;
}

/** Options for a select from a label table: [{value, label}], with an optional first "all" row. */
export function optionsOf(table, first) {
  const out = first ? [{ value: '', label: first }] : [];
  for (const [value, text] of Object.entries(table)) out.push({ value, label: text });
  return out;
}

/**
 * Asks before a destructive (or doubtful) action, in a modal <dialog> with Vietnamese buttons;
 * resolves to true when confirmed. Esc or "Hủy" cancels; focus returns to where it was. text is a
 * sentence, or [a sentence, then reasons listed below it].
 */
export function confirmAction(text, confirmLabel = T.delete, { danger = true } = {}) {
  return new Promise((resolve) => {
    const before = document.activeElement;
    const [lead, ...reasons] = Array.isArray(text) ? text : [text];
    const ok = h('button', { type: 'button', class: ['btn', danger ? 'btn-danger' : 'btn-primary'], value: 'ok' }, confirmLabel);
    const no = h('button', { type: 'button', class: 'btn', value: 'cancel' }, T.cancel);
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-text' },
      h('p', { id: 'confirm-text' }, lead),
      reasons.length ? h('ul', { class: 'confirm-reasons' }, reasons.map((r) => h('li', {}, r))) : null,
      h('div', { class: 'form-buttons' }, ok, no));
    const done = (answer) => {
      dialog.close();
      dialog.remove();
      if (before && before.focus) before.focus();
      resolve(answer);
    };
    ok.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}
