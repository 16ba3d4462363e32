// pages/import.js — #/import: bulk import from a CSV file (POST /api/v1/import/{resource}).
// Pick what to import, download its template, choose the file, check it first (dry_run=true:
// nothing is written) and see every bad row (row, column, message); then import. Progress is
// shown while the file uploads and while the server works.

import * as api from '../api.js';
import { AuthError, ProblemError } from '../api.js';
import { clear, errorBox, h, notice, pageHeader, table } from '../dom.js';
import { LABELS, T, fieldLabel, formatNumber, translateError, translateMessage } from '../i18n.js';

// What can be imported here (unit_successors, the reform's lineage, is loaded with curl:
// docs/reform.md). Each import's columns come from the server (GET /import/{resource}), which
// makes them from the same declaration as its checks (server/src/api/resources.def).
const RESOURCES = Object.keys(LABELS.importResource);

const ORDER_NOTE = 'Thứ tự nhập: đơn vị hành chính → doanh nghiệp → tổ → thành viên → hoạt động (dữ liệu được tham chiếu phải có trước).';

// A file's dates are the API's (YYYY-MM-DD), not the dd/mm/yyyy that forms take.
const DATE_FORMAT = 'Ngày ghi theo dạng YYYY-MM-DD, ví dụ 2026-03-15 (không ghi 15/03/2026)';
const DATE_NOTE = `${DATE_FORMAT}: trong Excel, đặt định dạng ô của cột ngày là Văn bản (Text) để Excel không tự đổi.`;

// What a column of the file holds, where the field's own label would mislead: a team is named by
// the external_id given to it in the teams file (or by team_id, as exports carry it).
const COLUMN_MEANING = {
  external_id: 'Mã riêng của dòng trong hệ thống của bạn (nhập lại cùng mã thì cập nhật, không thêm mới)',
  team_external_id: 'Mã của tổ: cột external_id của tổ trong tệp tổ (hoặc thay bằng cột team_id, như tệp xuất ra)',
  team_id: 'Mã định danh (id) của tổ trong hệ thống, như tệp xuất ra; dùng thay cho team_external_id',
  enterprise_id: 'Mã định danh (id) của doanh nghiệp trong hệ thống, như tệp xuất ra; dùng thay cho enterprise_tax_code',
  enterprise_tax_code: 'Mã số thuế của doanh nghiệp, cơ quan có tổ (với Tổ doanh nghiệp, Tổ cơ quan, tổ chức)',
  unit_code: 'Mã đơn vị hành chính',
  held_on: 'Ngày tổ chức hoạt động',
};

export async function render(ctx) {
  const { view, user } = ctx;
  view.append(pageHeader(T.import));
  if (user.read_only) {
    view.append(notice('info', T.status403ReadOnly));
    return;
  }
  const resources = RESOURCES.filter((r) => r !== 'units' || user.role === 'province' || user.role === 'national');
  let resource = ctx.query.get('resource');
  if (!resources.includes(resource)) resource = 'teams';

  // Step 1: what to import, its template and its columns.
  const select = h('select', { id: 'import-resource', name: 'resource' },
    resources.map((r) => h('option', { value: r, selected: r === resource }, LABELS.importResource[r])));
  const templateLink = h('a', { class: 'btn', download: '', id: 'template-link' });
  const columnsBox = h('div', {});
  const showResource = () => {
    resource = select.value;
    templateLink.href = `templates/${resource}.csv`;
    templateLink.textContent = `Tải tệp mẫu CSV: ${LABELS.importResource[resource]}`;
    templateLink.setAttribute('download', `mau-${resource}.csv`);
    showColumns(columnsBox, resource);
    reset();
  };

  // Step 2: the file and the options.
  // The browser's own file button speaks the browser's language: a Vietnamese one stands in
  // for it (the real input stays focusable, visually hidden, and labelled by it).
  const file = h('input', { type: 'file', id: 'import-file', name: 'file', accept: '.csv,text/csv', class: 'visually-hidden file-input', 'aria-describedby': 'import-file-hint import-file-name' });
  const fileName = h('span', { id: 'import-file-name', class: 'muted' }, 'Chưa chọn tệp.');
  file.addEventListener('change', () => {
    const chosen = file.files && file.files[0];
    fileName.textContent = chosen ? `Đã chọn: ${chosen.name} (${formatNumber(Math.ceil(chosen.size / 1024))} KB)` : 'Chưa chọn tệp.';
  });
  const partial = h('input', { type: 'checkbox', id: 'import-partial', name: 'partial' });
  const checkButton = h('button', { type: 'button', class: 'btn btn-primary', id: 'dry-run' }, T.dryRun);
  const importButton = h('button', { type: 'button', class: 'btn', id: 'do-import', disabled: true }, T.import);
  const progressBox = h('div', { class: 'progress-box', hidden: true, id: 'import-progress' });
  const results = h('section', { id: 'import-results', 'aria-live': 'polite', tabindex: '-1' });
  let checked = null; // {file, partial, ok}

  function reset() {
    checked = null;
    importButton.disabled = true;
    clear(results);
  }
  select.addEventListener('change', showResource);
  file.addEventListener('change', reset);
  partial.addEventListener('change', reset);

  view.append(
    h('section', { class: 'panel', 'aria-labelledby': 'step1' },
      h('h2', { id: 'step1' }, '1. Chọn loại dữ liệu và tải tệp mẫu'),
      h('div', { class: 'field' }, h('label', { for: 'import-resource' }, 'Loại dữ liệu'), select),
      h('p', { class: 'hint' }, ORDER_NOTE),
      h('p', {}, templateLink),
      h('details', { class: 'table-alt' }, h('summary', {}, 'Các cột của tệp và giá trị hợp lệ'), columnsBox)),
    h('section', { class: 'panel', 'aria-labelledby': 'step2' },
      h('h2', { id: 'step2' }, '2. Chọn tệp, kiểm tra trước rồi nhập'),
      h('div', { class: 'field' },
        h('p', { class: 'field-title' }, 'Tệp CSV (UTF-8, dòng đầu là tên cột như tệp mẫu)'),
        h('p', { class: 'hint', id: 'import-file-hint' }, 'Trong Excel: Lưu thành → “CSV UTF-8 (Comma delimited)”. ',
          DATE_NOTE),
        h('div', { class: 'file-pick' }, file, h('label', { for: 'import-file', class: 'btn' }, 'Chọn tệp CSV…'), fileName)),
      h('div', { class: 'check' }, partial,
        h('label', { for: 'import-partial' }, 'Nếu có dòng lỗi: vẫn nhập các dòng hợp lệ (mặc định: có lỗi thì không nhập dòng nào)')),
      h('div', { class: 'form-buttons' }, checkButton, importButton),
      progressBox),
    results);
  showResource();

  async function run(dryRun) {
    const chosen = file.files && file.files[0];
    clear(results);
    if (!chosen) {
      results.append(notice('error', 'Vui lòng chọn tệp CSV cần nhập.'));
      file.focus();
      return;
    }
    checkButton.disabled = true;
    importButton.disabled = true;
    select.disabled = true;
    const bar = h('progress', { max: '100', id: 'import-bar', 'aria-labelledby': 'import-progress-text' });
    const text = h('p', { id: 'import-progress-text', role: 'status' }, 'Đang tải tệp lên…');
    progressBox.replaceChildren(text, bar);
    progressBox.hidden = false;
    const query = { dry_run: dryRun ? 'true' : undefined, atomic: partial.checked ? 'false' : undefined };
    try {
      const res = await api.upload(`/import/${resource}`, query, chosen, 'text/csv', (fraction, phase) => {
        if (phase === 'upload' && fraction < 1) {
          bar.value = Math.round(fraction * 100);
          text.textContent = `Đang tải tệp lên… ${Math.round(fraction * 100)}%`;
        } else {
          bar.removeAttribute('value'); // indeterminate while the server works
          text.textContent = dryRun ? 'Máy chủ đang kiểm tra dữ liệu…' : 'Máy chủ đang nhập dữ liệu…';
        }
      });
      showResult(res.data, dryRun);
      checked = { file: chosen, partial: partial.checked, ok: res.data.error_count === 0 || partial.checked };
      importButton.disabled = !dryRun || !checked.ok;
    } catch (err) {
      if (err instanceof AuthError) return;
      if (err instanceof ProblemError && err.status === 422) {
        showRejected(err, dryRun);
      } else {
        results.append(errorBox(err, () => run(dryRun)));
      }
    } finally {
      progressBox.hidden = true;
      checkButton.disabled = false;
      select.disabled = false;
      results.focus();
    }
  }
  checkButton.addEventListener('click', () => run(true));
  importButton.addEventListener('click', () => run(false));

  function counts(data) {
    return h('ul', { class: 'cards cards-small', id: 'import-counts' },
      [['rows', 'Số dòng trong tệp'], ['inserted', 'Thêm mới'], ['updated', 'Cập nhật'], ['unchanged', 'Không thay đổi'], ['rejected', 'Bị loại (có lỗi)']]
        .map(([k, label]) => h('li', { class: 'card' }, h('p', { class: 'card-label' }, label),
          h('p', { class: 'card-value' }, h('span', { dataset: { count: k } }, formatNumber(data[k]))))));
  }

  function showResult(data, dryRun) {
    const ok = data.error_count === 0;
    results.append(h('h2', {}, dryRun ? 'Kết quả kiểm tra' : 'Kết quả nhập dữ liệu'));
    if (dryRun) {
      results.append(notice(ok ? 'success' : 'warn', ok
        ? 'Tệp hợp lệ: chưa có gì được ghi. Bấm “Nhập dữ liệu” để nhập.'
        : `Có ${formatNumber(data.error_count)} lỗi. Các dòng hợp lệ sẽ được nhập, các dòng lỗi bị bỏ qua.`));
    } else {
      results.append(notice(ok ? 'success' : 'warn', ok
        ? `Đã nhập xong ${formatNumber(data.rows)} dòng.`
        : `Đã nhập các dòng hợp lệ; ${formatNumber(data.rejected)} dòng có lỗi không được nhập.`));
    }
    results.append(counts(data));
    if (data.errors && data.errors.length) results.append(errorTable(data.errors, data.error_count));
  }

  function showRejected(err, dryRun) {
    const total = /^(\d+) error/.exec(err.detail || '');
    const n = total ? Number(total[1]) : err.errors.length;
    results.append(h('h2', {}, dryRun ? 'Kết quả kiểm tra' : 'Kết quả nhập dữ liệu'),
      notice('error', `Tệp có ${formatNumber(n)} lỗi nên không dòng nào được ${dryRun ? 'chấp nhận' : 'nhập'}. Sửa các dòng dưới đây trong tệp rồi kiểm tra lại${err.errors.length < n ? ` (hiển thị ${formatNumber(err.errors.length)} lỗi đầu tiên)` : ''}.`),
      errorTable(err.errors, n));
    if (!err.errors.length) results.append(h('p', {}, translateMessage(err.detail)));
  }
}

function errorTable(errors, total) {
  return h('div', { id: 'import-errors' },
    h('h3', {}, `Các dòng có lỗi (${formatNumber(total)})`),
    table([
      { label: 'Dòng', class: 'num', value: (e) => (e.row ? formatNumber(e.row) : '—') },
      { label: 'Cột', value: (e) => (e.field ? h('span', {}, fieldLabel(e.field), ' ', h('code', {}, e.field)) : 'Toàn bộ dòng') },
      { label: 'Lỗi', value: (e) => translateError(e, { inFile: true }) },
    ], errors, { caption: 'Các dòng có lỗi', rowProps: (e) => ({ dataset: { row: e.row, field: e.field } }) }));
}

// The import's columns as the server lists them; a slow answer for an earlier choice is dropped.
async function showColumns(box, resource) {
  box.dataset.resource = resource;
  box.replaceChildren(h('p', { class: 'muted' }, 'Đang tải danh sách cột…'));
  let columns;
  try {
    columns = (await api.get(`/import/${resource}`)).columns;
  } catch (e) {
    if (box.dataset.resource === resource) box.replaceChildren(errorBox(e));
    return;
  }
  if (box.dataset.resource !== resource) return;
  box.replaceChildren(table([
    { label: 'Cột', value: (c) => h('code', {}, c.name) },
    { label: 'Ý nghĩa', value: (c) => COLUMN_MEANING[c.name] || fieldLabel(c.name) },
    { label: 'Bắt buộc', value: (c) => (c.required ? T.yes : c.name === 'team_external_id' ? 'Có (hoặc team_id)' : T.no) },
    { label: 'Giá trị', value: valuesOf },
  ], columns, { caption: `Các cột của tệp ${LABELS.importResource[resource]}`, rowProps: (c) => ({ dataset: { column: c.name } }) }));
}

// The labels of a column's codes: the smallest set of labels that names every one of them.
function codeLabels(choices) {
  const sets = Object.values(LABELS).filter((set) => choices.every((c) => typeof set[c] === 'string'));
  sets.sort((a, b) => Object.keys(a).length - Object.keys(b).length);
  return sets[0] || {};
}

function valuesOf({ name, type, choices }) {
  if (choices) {
    const labels = codeLabels(choices);
    return h('ul', { class: 'changes' }, choices.map((c) => h('li', {}, h('code', {}, c), labels[c] ? ` — ${labels[c]}` : '')));
  }
  if (name === 'held_on') return `${DATE_FORMAT}; không sau ngày hôm nay`;
  if (type === 'date') return DATE_FORMAT;
  if (type === 'boolean') return 'true hoặc false';
  if (name === 'birth_year') return 'Năm, ví dụ 1990';
  if (type === 'integer') return 'Số nguyên không âm';
  if (type === 'uuid') return 'Mã định danh dạng UUID, như trong tệp xuất ra';
  if (name === 'unit_code' || name === 'parent_code' || name === 'code') return 'Mã đơn vị hành chính (2, 3 hoặc 5 chữ số)';
  if (name.endsWith('tax_code')) return 'Mã số thuế 10 chữ số (chi nhánh: thêm -XXX)';
  return null;
}
