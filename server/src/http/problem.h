/*
 * http/problem.h — the one error catalogue.
 *
 * Every failure a handler or the dispatcher can report is a problem_kind. problem.c maps each to
 * its HTTP status, problem `type` and title, and writes the application/problem+json body in one
 * place (problem_body: a handler's problem through http/response.c, civetweb's own errors through
 * http/edge.c); SQLSTATEs are mapped to kinds there too. A field error's machine code is read
 * from its message by one table there as well (problem_field_code).
 */
#ifndef CDT_HTTP_PROBLEM_H
#define CDT_HTTP_PROBLEM_H

#include <stddef.h>

struct cJSON;

typedef enum {
    PROBLEM_NONE = 0,
    PROBLEM_BAD_REQUEST,
    PROBLEM_UNAUTHORIZED,
    PROBLEM_FORBIDDEN,
    PROBLEM_NOT_FOUND,
    PROBLEM_METHOD_NOT_ALLOWED,
    PROBLEM_CONFLICT,
    PROBLEM_PRECONDITION_FAILED,
    PROBLEM_PAYLOAD_TOO_LARGE,
    PROBLEM_UNSUPPORTED_MEDIA_TYPE,
    PROBLEM_VALIDATION,
    PROBLEM_TOO_MANY_REQUESTS,
    PROBLEM_INTERNAL,
    PROBLEM_UNAVAILABLE,
    PROBLEM_URI_TOO_LONG,      /* the query string is over QUERY_MAX_BYTES (http/query.h) */
    PROBLEM_HEADERS_TOO_LARGE, /* the request head is over civetweb's max_request_size (http/edge.h) */
    PROBLEM_CONFIRM,           /* a write that needs ?confirm=true: its errors say what to confirm */
} problem_kind;

struct problem_info {
    int status;
    const char *slug;  /* last segment of the problem `type` URI; NULL: about:blank */
    const char *title;
};

/* Borrowed; static. Cannot fail. */
const struct problem_info *problem_info(problem_kind kind);

/*
 * The application/problem+json body: type (from info's slug; about:blank, RFC 9457 §4.2.1, for
 * a status the catalogue has no kind for), title and status from info, detail (NULL: the title),
 * request_id, and errors, the array of field errors (NULL: an empty one; borrowed, not copied).
 * The one place the body's shape is written. Caller frees with cJSON_free. Cannot fail.
 */
char *problem_body(const struct problem_info *info, const char *detail, const char *request_id,
                   struct cJSON *errors);

/*
 * The machine code of a field error, read from its message: "required", "enum", ... (the table
 * in problem.c; docs/integrating.md §4 lists them), or "invalid" for a message the table does not
 * know. Clients translate by the code; the message stays as it was for those that read it.
 * Borrowed; static. Cannot fail.
 */
const char *problem_field_code(const char *message);

/* As row for problem_add_field_error: an error of no row (any but an import's). */
enum { PROBLEM_NO_ROW = -1 };

/*
 * Appends {row, field, message, code} to the array errors, row left out when PROBLEM_NO_ROW
 * (an import's rows count from 0, the body as a whole). The one place a field error's shape is
 * written. Cannot fail.
 */
void problem_add_field_error(struct cJSON *errors, long row, const char *field, const char *message);

/* One row of the field codes' table: a message pattern and its code (for tests/unit). */
struct problem_field_pattern {
    const char *pattern; /* the message's beginning; a printf conversion (%s, %ld) stands for any text */
    const char *code;
};

/* The table, in the order it is searched; *n is set to its length. Borrowed; static. */
const struct problem_field_pattern *problem_field_patterns(size_t *n);

/*
 * Maps a SQLSTATE to the kind the client sees; `retry` is set for serialization failures and
 * deadlocks, which the caller may retry.
 */
problem_kind problem_from_sqlstate(const char *sqlstate, int *retry);

#endif
