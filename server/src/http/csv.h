/*
 * http/csv.h — CSV for spreadsheets: RFC 4180 quoting, one row per JSON document.
 *
 * Pure functions over a buffer, unit-tested in tests/unit/test_csv.c; api/resource.c streams
 * what they produce. Values are written as the API returns them: text as is (but see
 * csv_append_text), numbers and booleans as JSON writes them, null as an empty cell, objects and
 * arrays as compact JSON.
 */
#ifndef CDT_HTTP_CSV_H
#define CDT_HTTP_CSV_H

#include "util/mem.h"

struct cJSON;

/* The UTF-8 byte order mark, so that Excel reads Vietnamese text correctly. */
#define CSV_BOM "\xEF\xBB\xBF"

/* Appends one field as is, quoted when it holds a comma, quote, CR or LF (quotes doubled). */
void csv_append_field(buf *out, const char *text);
/*
 * Appends a text value: as csv_append_field, but a text starting with = + - @ TAB CR (which a
 * spreadsheet would run as a formula) or ' gets a ' in front (OWASP's CSV injection rule).
 */
void csv_append_text(buf *out, const char *text);
/*
 * The value an imported CSV cell stands for: the cell without its first character when that is
 * a ' followed by one of = + - @ TAB CR ' (what csv_append_text added), else the cell itself.
 * So every exported text imports back unchanged, and a hand-typed 'x keeps its quote.
 * Borrowed from cell. Cannot fail.
 */
const char *csv_cell_text(const char *cell);
/* Appends the header row: the column names, CRLF-terminated. */
void csv_append_header(buf *out, const char *const *columns);
/* Appends one row: each column's value from the JSON object doc, CRLF-terminated. A column
 * named "a.b" takes member b of the object a (an empty cell when a is null). */
void csv_append_row(buf *out, const struct cJSON *doc, const char *const *columns);

#endif
