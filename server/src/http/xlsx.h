/*
 * http/xlsx.h — an export as an Excel workbook (.xlsx) of one sheet, written by libxlsxwriter.
 *
 * The other writer of an export beside CSV (http/csv.h): api/resource.c reads the same rows from
 * PostgreSQL and hands each one to one writer or the other. Cells have their types: text is a text
 * cell, numbers numbers, true/false booleans, dates and moments real Excel dates shown dd/mm/yyyy
 * (HH:MM), rates numbers shown as percentages (http/columns.h). The header row is bold, frozen and
 * filtered; each column is as wide as its values (within limits).
 *
 * No formula can arise: libxlsxwriter writes a formula only through worksheet_write_formula*,
 * which this file never calls; worksheet_write_string makes a text cell (an inline string,
 * <c t="inlineStr">) whatever the text starts with, so "=HYPERLINK(...)" is shown, never run, and
 * CSV's guard (a ' before = + - @, http/csv.c) is neither needed nor added here.
 *
 * Memory is bounded whatever the size: libxlsxwriter's constant_memory mode keeps one row in
 * memory and the rest in a temporary file in $TMPDIR; the finished workbook is written to another,
 * unlinked one (util/spool.h), which is what gets sent.
 */
#ifndef CDT_HTTP_XLSX_H
#define CDT_HTTP_XLSX_H

#include <stdbool.h>
#include <stdio.h>

#include "http/columns.h"
#include "util/mem.h"

struct cJSON;

/* The rows a sheet holds below its header row (Excel's 1,048,576 less one). */
#define XLSX_ROWS_MAX 1048575L
/* The characters a cell holds (Excel's limit); a longer text is cut, ending with "…". */
#define XLSX_TEXT_MAX 32767

typedef struct xlsx_sheet xlsx_sheet;

/*
 * A workbook of one sheet named `sheet` (at most 31 characters, none of []:*?/\) with the columns'
 * header row written. NULL when libxlsxwriter refuses it (a temporary file cannot be made, a bad
 * sheet name). Caller frees with xlsx_finish or xlsx_free.
 */
xlsx_sheet *xlsx_open(const char *sheet, const struct column *columns);

/* Appends one row: each column's value from doc (column_value) as its kind says. False once the
 * sheet is full (XLSX_ROWS_MAX rows; nothing more is written) or a write failed. */
bool xlsx_append_row(xlsx_sheet *x, const struct cJSON *doc);

/* True when xlsx_append_row refused a row because the sheet was full. */
bool xlsx_full(const xlsx_sheet *x);

/*
 * Sets the column widths and the header's filter, writes the workbook and frees x. Returns the
 * file holding the .xlsx (unlinked; caller closes it, e.g. by spool_adopt), or NULL when it could
 * not be written.
 */
FILE *xlsx_finish(xlsx_sheet *x);

/* Frees x without writing anything. Accepts NULL. */
void xlsx_free(xlsx_sheet *x);

/*
 * Appends text as a cell holds it: cut after XLSX_TEXT_MAX - 1 characters with "…" added, and
 * each "_xHHHH_" (which a spreadsheet reads as the escape of one character) written as
 * "_x005F_xHHHH_", so that it reads back as the same text. Appends nothing for "".
 */
void xlsx_cell_text(buf *out, const char *text);

#endif
