/*
 * http/query.h — list query parameters: counts, typed filters and ?sort=, declared as data.
 *
 * Pure functions (no request, no database), unit-tested in tests/unit/test_query.c. The
 * generic list handler in api/resource.c turns their answers into field errors.
 */
#ifndef CDT_HTTP_QUERY_H
#define CDT_HTTP_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "http/validate.h"
#include "util/mem.h"

enum {
    QUERY_VALUE_MAX = 200,  /* characters in one filter value */
    QUERY_MAX_BYTES = 4096, /* the whole query string as sent; longer answers 414 (http/router.c) */
};

struct filter {
    const char *name;            /* query parameter */
    field_type type;             /* FIELD_STRING, FIELD_UUID, FIELD_DATE, FIELD_ENUM, FIELD_BOOL */
    const char *const *choices;  /* for FIELD_ENUM */
};

struct sort_key {
    const char *name; /* as written in ?sort= */
    const char *sql;  /* the expression it orders by; never user text */
};

/*
 * The first parameter of a raw query string (as sent, not decoded) whose value decodes to text
 * holding NUL, that is holds "%00": its raw name is query[*name_at, *name_at + *name_len).
 * False when there is none. Pure; cannot fail.
 */
bool query_nul_value(const char *query, size_t *name_at, size_t *name_len);

/* Parses a decimal integer in [min, max] with nothing after it. */
bool query_count(const char *text, long min, long max, long *out);

/* NULL when value fits the filter's type, else the message to report. */
const char *query_filter_problem(const struct filter *f, const char *value);

/*
 * Appends "expr ASC, expr DESC, tiebreak" to out for a comma-separated ?sort= list such as
 * "name,-established_on". False when a name is not among the keys (out is then unspecified).
 */
bool query_order_by(const char *asked, const struct sort_key *keys, size_t nkeys,
                    const char *tiebreak, buf *out);

#endif
