/*
 * api/reports.h — the periodic report (báo cáo định kỳ): its arguments, its making and its
 * answer, shared by GET /reports/periodic (api/reports.c) and the report a target attaches to a
 * deadline of kind `report` (api/deadlines.c).
 */
#ifndef CDT_API_REPORTS_H
#define CDT_API_REPORTS_H

#include <stdbool.h>

#include "http/request.h"
#include "http/validate.h"
#include "util/mem.h"

struct cJSON;

/* The heading's parts a person may set; each has a default derived from the unit (reports.c). */
enum {
    REPORT_DOC_NUMBER,       /* "15/BC-BCĐ": what follows "Số:" */
    REPORT_AUTHORITY,        /* cơ quan chủ quản, e.g. "UBND Thành phố Hồ Chí Minh" */
    REPORT_ISSUER,           /* cơ quan ban hành, e.g. "Ban Chỉ đạo chuyển đổi số" */
    REPORT_PLACE,            /* địa danh, e.g. "Thành phố Hồ Chí Minh" */
    REPORT_SIGNER_AUTHORITY, /* quyền hạn, e.g. "TM. Ban Chỉ đạo" */
    REPORT_SIGNER_TITLE,     /* chức vụ, e.g. "Trưởng ban" */
    REPORT_SIGNER_NAME,
    REPORT_RECIPIENTS,       /* nơi nhận, one per line */
    REPORT_HEADINGS
};

/* The heading parameters' names, in the order above. */
extern const char *const REPORT_HEADING_NAMES[REPORT_HEADINGS];

struct report_args {
    const char *unit;   /* NULL: the caller's own (an enterprise's: its commune) */
    const char *period; /* month, quarter, half or year */
    long year;
    long number;        /* the month, quarter or half; 0 for a year */
    const char *heading[REPORT_HEADINGS]; /* NULL or "": the default */
};

/*
 * The body fields of an attached report (POST /deadlines/{id}/report): period, year, number,
 * the headings, and note. For body_valid_or_fail.
 */
extern const struct field REPORT_BODY_FIELDS[];
extern const size_t REPORT_BODY_FIELD_COUNT;

/* From the query string (GET /reports/periodic); false after recording 422 naming each field. */
bool report_args_from_query_or_fail(request *r, struct report_args *a);
/* From a body that passed REPORT_BODY_FIELDS; false after recording 422 (number vs period). */
bool report_args_from_body_or_fail(request *r, const struct cJSON *body, struct report_args *a);

/*
 * Makes the report as the caller sees it: *figures is report_figures()'s document (arena text)
 * and html the rendered document (appended; the caller frees it). False after recording the
 * problem: 404 when the unit is unknown or outside the caller's scope.
 */
bool report_make_or_fail(request *r, const struct report_args *a, const char **figures, buf *html);

/* The arguments as JSON text (arena), as stored with an attached report. */
const char *report_args_json(request *r, const struct report_args *a);

/*
 * Answers with the report in format "html" (text/html), "pdf" (rendered from the html) or
 * "json" (the figures document). The database connection is given back before a PDF is
 * rendered. html and figures are borrowed for the request. Returns the status or API_FAILED.
 */
int report_answer(request *r, const char *format, const char *html, const char *figures, const char *name);

/* The format asked for (?format=html|pdf|json, else the Accept header; html by default); NULL
 * after recording a field error. */
const char *report_format_or_fail(request *r);

#endif
