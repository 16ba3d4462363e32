// pages/reports.js — #/reports: the periodic report (báo cáo định kỳ) of a unit in scope for a
// month, quarter, half-year or year: preview it (the API's HTML, laid out by css/report.css in a
// frame of its own), print it, download it as PDF, and export its figures per child unit (CSV, .xlsx).
// The choice lives in the address (#/reports?period=quarter&year=2026&number=3&unit=...).
//
// The frame is sandboxed without scripts (allow-same-origin only lets this page call its print());
// the document's own inline stylesheet is replaced by the same file linked, since this page's
// Content-Security-Policy, which the frame inherits, allows no inline style.

import * as api from '../api.js';
import { button, errorBox, exportButtons, form, h, pageHeader } from '../dom.js';
import { T } from '../i18n.js';
import { unitField } from '../refdata.js';

export const PERIODS = { month: 'Tháng', quarter: 'Quý', half: '6 tháng', year: 'Năm' };
const NUMBERS = {
  month: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i + 1), `Tháng ${i + 1}`])),
  quarter: { 1: 'Quý I', 2: 'Quý II', 3: 'Quý III', 4: 'Quý IV' },
  half: { 1: '6 tháng đầu năm', 2: '6 tháng cuối năm' },
  year: {},
};

/** The form fields of a period (shared with the deadline's "Đính kèm báo cáo"). */
export function periodDefs(values = {}) {
  const now = new Date();
  const period = values.period || 'month';
  const numbers = Object.entries(NUMBERS.month).map(([value, label]) => ({ value, label }))
    .concat(Object.entries(NUMBERS.quarter).map(([value, label]) => ({ value: `q${value}`, label })))
    .concat(Object.entries(NUMBERS.half).map(([value, label]) => ({ value: `h${value}`, label })));
  return [
    { name: 'period', label: 'Kỳ báo cáo', type: 'select', required: true, value: period,
      options: Object.entries(PERIODS).map(([value, label]) => ({ value, label })) },
    { name: 'number', label: 'Tháng, quý hoặc nửa năm', type: 'select', value: values.number || String(now.getMonth() + 1),
      options: [{ value: '', label: '— (cả năm)' }, ...numbers],
      hint: 'Chọn theo kỳ: tháng 1–12, quý I–IV, 6 tháng đầu hoặc cuối năm; để trống khi báo cáo cả năm.' },
    { name: 'year', label: 'Năm', type: 'number', required: true, value: values.year || String(now.getFullYear()) },
  ];
}

/** The API's period arguments from the form's values ("q3" is quarter 3 and so on). */
export function periodArgs(v) {
  const out = { period: v.period, year: v.year };
  const n = v.number ? String(v.number).replace(/^[qh]/, '') : '';
  if (v.period !== 'year' && n) out.number = Number(n);
  return out;
}

/** The API's HTML as a document for the frame: the inline stylesheet becomes the linked file. */
export function frameDocument(html) {
  // Taken out of the text before it is parsed: even an inert parse would have the page's policy
  // refuse (and report) the inline stylesheet.
  const doc = new DOMParser().parseFromString(String(html).replace(/<style>[\s\S]*?<\/style>/g, ''), 'text/html');
  const css = doc.createElement('link');
  css.rel = 'stylesheet';
  css.href = new URL('css/report.css', document.baseURI).href;
  doc.head.append(css);
  return `<!DOCTYPE html>\n${doc.documentElement.outerHTML}`;
}

/** A frame showing a report; .print() prints it. */
export function reportFrame(html, title) {
  const frame = h('iframe', { class: 'report-frame', title, sandbox: 'allow-same-origin allow-modals' });
  frame.srcdoc = frameDocument(html);
  return frame;
}

export async function render(ctx) {
  const { view, user, query } = ctx;
  const values = {
    unit: query.get('unit') || '', period: query.get('period') || 'month',
    number: query.get('number') || '', year: query.get('year') || '',
    doc_number: query.get('doc_number') || '', signer_name: query.get('signer_name') || '',
  };
  const status = h('div', { class: 'form-alert', 'aria-live': 'polite' });
  const preview = h('div', { class: 'report-preview', id: 'report-preview' });
  let frame = null;
  let asked = null;

  const defs = [
    ...(user.unit ? [{ ...unitField('unit', 'Đơn vị', { root: user.unit, mode: 'filter', hint: 'Để trống: đơn vị của bạn.' }),
      value: values.unit || undefined }] : []),
    ...periodDefs(values),
    { name: 'doc_number', label: 'Số văn bản', value: values.doc_number, hint: 'Ví dụ 15/BC-BCĐ; để trống để điền tay sau khi in.' },
    { name: 'signer_name', label: 'Người ký', value: values.signer_name },
  ];
  const args = (v) => {
    const out = periodArgs(v);
    if (v.unit) out.unit = v.unit;
    if (v.doc_number) out.doc_number = v.doc_number;
    if (v.signer_name) out.signer_name = v.signer_name;
    return out;
  };
  const name = (a) => `bao-cao-${a.unit || user.unit || 'don-vi'}-${a.period}-${a.number ? `${a.number}-` : ''}${a.year}`;

  const show = async (a) => {
    asked = a;
    preview.replaceChildren(h('p', { class: 'muted' }, 'Đang lập báo cáo…'));
    try {
      const { data } = await api.request('GET', '/reports/periodic', { query: { ...a, format: 'html' }, accept: 'text/html' });
      frame = reportFrame(String(data), 'Báo cáo định kỳ');
      preview.replaceChildren(frame);
      printButton.disabled = false;
      pdfButton.disabled = false;
      for (const b of exported.buttons) b.disabled = false;
    } catch (err) {
      preview.replaceChildren(errorBox(err));
      if (err.fields) f.showErrors(err);
    }
  };

  const f = form(defs, {
    id: 'report-form', submitLabel: 'Xem báo cáo',
    onSubmit: async (el) => {
      const v = el.values();
      if (!v) return;
      // The address keeps the form's values ("q3" for the third quarter), so a reload shows the same.
      const keep = {};
      for (const [k, x] of Object.entries(v)) if (x !== null && x !== '' && x !== undefined) keep[k] = String(x);
      if (location.hash === ctx.hashFor('/reports', keep)) await show(args(keep));
      else ctx.navigate(ctx.hashFor('/reports', keep), { replace: true });
    },
  });

  const printButton = button('In báo cáo', () => frame && frame.contentWindow.print(), { disabled: true });
  const pdfButton = button('Tải PDF', async () => {
    pdfButton.disabled = true;
    status.replaceChildren();
    try {
      await api.download('/reports/periodic', { ...asked, format: 'pdf' }, `${name(asked)}.pdf`, 'application/pdf');
    } catch (err) {
      status.append(errorBox(err));
    } finally {
      pdfButton.disabled = false;
    }
  }, { disabled: true });
  // The figures per unit below, for the period's dates (which the report's figures state).
  const exported = exportButtons('/stats/overview', async () => {
    const figures = await api.get('/reports/periodic', { ...asked, format: 'json' });
    return { unit: asked.unit || '', from: figures.period.from, to: figures.period.to };
  }, () => `so-lieu-${name(asked)}`, { csvLabel: 'Xuất số liệu (CSV)', disabled: true });

  view.append(pageHeader(T.reports), h('section', { class: 'panel no-print' }, f,
    h('div', { class: 'form-buttons report-actions' }, printButton, pdfButton, exported.buttons), status, exported.box), preview);

  if (query.get('period') && query.get('year')) {
    await show(args(values));
  } else {
    preview.append(h('p', { class: 'muted' }, 'Chọn kỳ báo cáo rồi bấm “Xem báo cáo”.'));
  }
}
