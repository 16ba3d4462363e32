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
    QUERY_ORDER_KEYS_MAX = 32, /* keys in one ?sort= (more answer 422) */
};

struct filter {
    const char *name;            /* query parameter */
    field_type type;             /* FIELD_STRING, FIELD_UUID, FIELD_DATE, FIELD_ENUM, FIELD_BOOL */
    const char *const *choices;  /* for FIELD_ENUM */
};

struct sort_key {
    const char *name; /* as written in ?sort= */
    const char *sql;  /* the expression it orders by; never user text */
    const char *type; /* its SQL type: a cursor's value is read back as it (query_keyset) */
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

/*
 * Keyset paging (?after=) in the same order: appends to `values` the SQL of a row's place in it,
 * "jsonb_build_array(expr, ..., tiebreak)", and to `after` the condition "row f comes after
 * the place held by parameter $param" (that array, as jsonb), read with each key's type. NULLs
 * come last ascending and first descending, as ORDER BY puts them. tiebreak is an expression
 * with an optional " DESC" (never NULL: a key), of type tiebreak_type. False when a name is not
 * among the keys. Pure.
 */
bool query_keyset(const char *asked, const struct sort_key *keys, size_t nkeys, const char *tiebreak,
                  const char *tiebreak_type, int param, buf *values, buf *after);

/*
 * The SQL types of the values of a place in that order (the keys', then the tiebreak's), at most
 * max; their number, or 0 when a name is not among the keys. Pure.
 */
size_t query_keyset_types(const char *asked, const struct sort_key *keys, size_t nkeys,
                          const char *tiebreak_type, const char **types, size_t max);

/*
 * Decodes base64url text (RFC 4648 §5, without padding) into out (NUL-terminated). False on
 * anything else. Pure.
 */
bool query_base64url_decode(const char *text, buf *out);

#endif
