/*
 * http/csv.h — CSV for spreadsheets: RFC 4180 quoting, one row per JSON document.
 *
 * Pure functions over a buffer, unit-tested in tests/unit/test_csv.c; api/resource.c spools
 * what they produce. Values are written by their column's kind (http/columns.h): text as is (but
 * see csv_append_text), numbers and booleans as JSON writes them, null as an empty cell, objects
 * and arrays as compact JSON; dates dd/mm/yyyy, moments dd/mm/yyyy HH:MM and rates "54,5%" as
 * Vietnam writes them.
 */
#ifndef CDT_HTTP_CSV_H
#define CDT_HTTP_CSV_H

#include "http/columns.h"
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
void csv_append_header(buf *out, const struct column *columns);
/* Appends one row: each column's value from the JSON object doc (column_value), rendered by its
 * kind, CRLF-terminated. A value that does not fit its kind is written as COLUMN_AUTO would. */
void csv_append_row(buf *out, const struct cJSON *doc, const struct column *columns);
/* A rate as Vietnam writes it: one decimal after a comma, none when it is zero ("54,5%", "100%").
 * Rounds half away from zero, as PostgreSQL's round(). */
void csv_append_percent(buf *out, double rate);

#endif
