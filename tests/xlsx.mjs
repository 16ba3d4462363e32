// Reads an .xlsx as a spreadsheet program does, for the API and browser tests of the Excel exports:
// the zip (fflate), then the workbook, the first sheet and the styles (fast-xml-parser). Each cell
// comes back with its type as the file stores it — text, number, boolean, or a date when its
// number format is a date format — its number format, whether its font is bold, and any formula.
//
//   const book = readXlsx(bytes);
//   book.sheet                   'Tổ CNSCĐ'
//   book.frozen                  { rows: 1, state: 'frozen' } (the pane's ySplit)
//   book.filter                  'A1:R12' (the autofilter's range)
//   book.widths                  [23, 10, ...] per column, in characters
//   book.headerHeight            the first row's height in points
//   book.rows[r][c]              { type: 'text', value: 'Phú Cường', format: 'General', bold: false }
//                                { type: 'date', value: '2025-03-04', format: 'dd/mm/yyyy', serial: 45720 }
//                                { type: 'date', value: '2026-01-31T07:05:09', format: 'dd/mm/yyyy hh:mm' }
//                                { type: 'number', value: 0.545, format: '0.0%' }
//                                { type: 'boolean', value: true }; undefined for an empty cell
//   book.records()               the rows below the header as objects keyed by header text

import { XMLParser } from 'fast-xml-parser';
import { strFromU8, unzipSync } from 'fflate';

const ARRAYS = new Set(['sheet', 'row', 'c', 'numFmt', 'xf', 'font', 'col', 'si', 'r']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ARRAYS.has(name),
});

// Excel's built-in number formats that tests meet (ECMA-376 §18.8.30).
const BUILTIN = { 0: 'General', 9: '0%', 10: '0.00%', 14: 'mm-dd-yy', 22: 'm/d/yy h:mm' };

/** The text of an <is> or <si> element: its <t>, or its rich-text runs; _xHHHH_ escapes undone. */
function textOf(node) {
  if (node === undefined || node === null) return '';
  const t = (x) => (typeof x === 'object' ? (x['#text'] ?? '') : String(x ?? ''));
  const raw = node.t !== undefined ? t(node.t) : (node.r || []).map((run) => t(run.t)).join('');
  return raw.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** A date format: d, m, y or h outside quotes and brackets. */
const isDateFormat = (code) => /[dmyh]/i.test(code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '')) && code !== 'General';

/** Column letters to a 0-based index: A -> 0, AA -> 26. */
function colIndex(ref) {
  const letters = ref.match(/^[A-Z]+/)[0];
  return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
}

/** The other way: a 1-based column number to its letters, 1 -> A, 27 -> AA. */
export function columnLetters(n) {
  let out = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return out;
}

/** Excel's 1900 date system (dates after 28/02/1900): serial days since 1899-12-30. */
function serialToIso(serial, withTime) {
  const ms = Math.round(serial * 86400) * 1000 + Date.UTC(1899, 11, 30);
  const iso = new Date(ms).toISOString();
  return withTime ? iso.slice(0, 19) : iso.slice(0, 10);
}

export function readXlsx(bytes) {
  const files = unzipSync(new Uint8Array(bytes));
  const xml = (name) => (files[name] ? parser.parse(strFromU8(files[name])) : undefined);
  const workbook = xml('xl/workbook.xml').workbook;
  const rels = xml('xl/_rels/workbook.xml.rels').Relationships.Relationship;
  const first = workbook.sheets.sheet[0];
  const rel = (Array.isArray(rels) ? rels : [rels]).find((r) => r['@Id'] === first['@r:id']);
  const sheetPath = `xl/${rel['@Target'].replace(/^\/?xl\//, '')}`;
  const sheet = xml(sheetPath).worksheet;

  const styles = xml('xl/styles.xml')?.styleSheet ?? {};
  const custom = Object.fromEntries((styles.numFmts?.numFmt ?? []).map((f) => [f['@numFmtId'], f['@formatCode']]));
  const fonts = styles.fonts?.font ?? [];
  const xfs = (styles.cellXfs?.xf ?? []).map((xf) => ({
    format: custom[xf['@numFmtId']] ?? BUILTIN[xf['@numFmtId'] ?? 0] ?? `#${xf['@numFmtId']}`,
    bold: fonts[Number(xf['@fontId'] ?? 0)]?.b !== undefined,
  }));
  const shared = (xml('xl/sharedStrings.xml')?.sst?.si ?? []).map(textOf);

  const rows = [];
  for (const row of sheet.sheetData?.row ?? []) {
    const cells = [];
    for (const c of row.c ?? []) {
      const style = xfs[Number(c['@s'] ?? 0)] ?? { format: 'General', bold: false };
      const cell = { format: style.format, bold: style.bold };
      const t = c['@t'] ?? 'n';
      if (c.f !== undefined) cell.formula = typeof c.f === 'object' ? c.f['#text'] : String(c.f);
      if (t === 'inlineStr') Object.assign(cell, { type: 'text', value: textOf(c.is) });
      else if (t === 's') Object.assign(cell, { type: 'text', value: shared[Number(c.v)] });
      else if (t === 'str') Object.assign(cell, { type: 'text', value: String(c.v ?? '') });
      else if (t === 'b') Object.assign(cell, { type: 'boolean', value: String(c.v) === '1' });
      else if (c.v === undefined) continue; // a styled blank
      else if (isDateFormat(style.format)) {
        const serial = Number(c.v);
        Object.assign(cell, { type: 'date', serial, value: serialToIso(serial, /h/i.test(style.format)) });
      } else Object.assign(cell, { type: 'number', value: Number(c.v) });
      cells[colIndex(c['@r'])] = cell;
    }
    rows[Number(row['@r']) - 1] = cells;
  }

  const pane = sheet.sheetViews?.sheetView?.pane;
  const book = {
    sheet: first['@name'],
    frozen: pane ? { rows: Number(pane['@ySplit'] ?? 0), state: pane['@state'] } : null,
    filter: sheet.autoFilter?.['@ref'] ?? null,
    widths: [],
    headerHeight: Number(sheet.sheetData?.row?.[0]?.['@ht'] ?? sheet.sheetFormatPr?.['@defaultRowHeight'] ?? 15),
    rows,
    records() {
      const header = rows[0].map((c) => c.value);
      return rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r?.[i]])));
    },
  };
  for (const col of sheet.cols?.col ?? []) {
    for (let i = Number(col['@min']); i <= Number(col['@max']); i++) book.widths[i - 1] = Number(col['@width']);
  }
  return book;
}
