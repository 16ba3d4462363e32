/*
 * http/html.h — writing HTML text safely: every piece of data goes through html_text.
 *
 * Pure functions over a buffer, unit-tested in tests/unit/test_html.c; api/reports.c builds the
 * periodic report with them. Names come from people (a team called "<b>Tổ 1</b>" is text).
 */
#ifndef CDT_HTTP_HTML_H
#define CDT_HTTP_HTML_H

#include "util/mem.h"

/* Appends text with & < > " ' escaped (so it is safe in element content and quoted attributes). */
void html_text(buf *out, const char *text);
/* Appends a whole number with its thousands grouped by '.', as Vietnam writes them (12.548). */
void html_number(buf *out, long long n);
/* Appends part/whole as a percentage with one decimal after a comma and no trailing zero
 * ("54,5%", "100%"), or "-" when whole is 0. */
void html_percent(buf *out, long long part, long long whole);
/* Appends an ISO date (YYYY-MM-DD...) as dd/mm/yyyy; other text as it is (escaped). */
void html_date(buf *out, const char *iso);

#endif
