/*
 * http/query.c — parsing list query parameters (see query.h).
 */
#include "http/query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

/*
 * Scanning the raw text is exact: a percent escape is '%' and two hex digits, so no escape can
 * swallow part of a "%00", and "%00" is the only way a decoded value can hold NUL (a query string
 * is a C string). Every C string function would otherwise stop there: ?q=%00 read as an empty
 * value, which lists take for "no filter".
 */
bool query_nul_value(const char *query, size_t *name_at, size_t *name_len)
{
    for (const char *p = query; *p;) {
        size_t pair = strcspn(p, "&");
        size_t name = strcspn(p, "=&");
        if (name < pair) {
            for (const char *v = p + name + 1; v + 3 <= p + pair; v++)
                if (v[0] == '%' && v[1] == '0' && v[2] == '0') {
                    *name_at = (size_t)(p - query);
                    *name_len = name;
                    return true;
                }
        }
        p += pair;
        if (*p == '&')
            p++;
    }
    return false;
}

bool query_count(const char *text, long min, long max, long *out)
{
    char *end;
    /* Digits only: strtol would also take leading blanks and a '+'. */
    if (!(text[0] >= '0' && text[0] <= '9') && !(text[0] == '-' && text[1] >= '0' && text[1] <= '9'))
        return false;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

const char *query_filter_problem(const struct filter *f, const char *v)
{
    if (!utf8_valid(v, strlen(v)))
        return "must be valid UTF-8";
    if (utf8_length(v) > QUERY_VALUE_MAX)
        return "is too long";
    switch (f->type) {
    case FIELD_UUID:
        return text_is_uuid(v) ? NULL : "must be a UUID";
    case FIELD_DATE:
        return text_is_date(v) ? NULL : "must be a date YYYY-MM-DD";
    case FIELD_BOOL:
        return strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ? NULL : "must be true or false";
    case FIELD_ENUM:
        for (const char *const *c = f->choices; *c; c++)
            if (strcmp(*c, v) == 0)
                return NULL;
        return "is not one of the allowed values";
    default:
        return NULL;
    }
}

/* One key of an order: its expression, type and direction. */
struct order_term {
    const char *sql;
    const char *type;
    bool desc;
};

/* The keys named by asked ("name,-established_on"), at most QUERY_ORDER_KEYS_MAX; false for an
 * unknown name or too many. */
static bool order_terms(const char *asked, const struct sort_key *keys, size_t nkeys,
                        struct order_term *out, size_t *n)
{
    *n = 0;
    const char *p = asked;
    while (*p) {
        size_t len = strcspn(p, ",");
        bool desc = *p == '-';
        const char *name = desc ? p + 1 : p;
        size_t name_len = desc ? len - 1 : len;
        const struct sort_key *key = NULL;
        for (size_t i = 0; i < nkeys && !key; i++)
            if (strlen(keys[i].name) == name_len && strncmp(keys[i].name, name, name_len) == 0)
                key = &keys[i];
        if (!key || *n == QUERY_ORDER_KEYS_MAX)
            return false;
        out[(*n)++] = (struct order_term){key->sql, key->type, desc};
        p += len;
        if (*p == ',')
            p++;
    }
    return true;
}

bool query_order_by(const char *asked, const struct sort_key *keys, size_t nkeys,
                    const char *tiebreak, buf *out)
{
    struct order_term terms[QUERY_ORDER_KEYS_MAX];
    size_t n;
    if (!order_terms(asked, keys, nkeys, terms, &n))
        return false;
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "%s %s, ", terms[i].sql, terms[i].desc ? "DESC" : "ASC");
    buf_puts(out, tiebreak);
    return true;
}

bool query_keyset(const char *asked, const struct sort_key *keys, size_t nkeys, const char *tiebreak,
                  const char *tiebreak_type, int param, buf *values, buf *after)
{
    struct order_term terms[QUERY_ORDER_KEYS_MAX + 1];
    size_t n;
    if (!order_terms(asked, keys, nkeys, terms, &n))
        return false;
    /* The tiebreak: "f.id" or "f.id DESC". */
    size_t len = strlen(tiebreak);
    bool desc = len > 5 && strcmp(tiebreak + len - 5, " DESC") == 0;
    buf tb = {0};
    buf_append(&tb, tiebreak, desc ? len - 5 : len);
    terms[n++] = (struct order_term){tb.data, tiebreak_type, desc};

    buf_puts(values, "jsonb_build_array(");
    for (size_t i = 0; i < n; i++)
        buf_printf(values, "%s%s", i ? ", " : "", terms[i].sql);
    buf_puts(values, ")");
    /* Row f comes after the cursor c when, for some key i, it equals c on every key before i
     * and comes after it on key i. */
    for (size_t i = 0; i < n; i++) {
        buf_puts(after, i ? " OR (" : "(");
        for (size_t j = 0; j <= i; j++) {
            const char *e = terms[j].sql;
            buf c = {0};
            buf_printf(&c, "($%d::jsonb->>%zu)::%s", param, j, terms[j].type);
            if (j < i)
                buf_printf(after, "%s IS NOT DISTINCT FROM %s AND ", e, c.data);
            else if (!terms[j].desc) /* ascending, NULLs last */
                buf_printf(after, "%s IS NOT NULL AND (%s > %s OR %s IS NULL)", c.data, e, c.data, e);
            else /* descending, NULLs first */
                buf_printf(after, "%s IS NOT NULL AND (%s IS NULL OR %s < %s)", e, c.data, e, c.data);
            buf_free(&c);
        }
        buf_puts(after, ")");
    }
    buf_free(&tb);
    return true;
}

size_t query_keyset_types(const char *asked, const struct sort_key *keys, size_t nkeys,
                          const char *tiebreak_type, const char **types, size_t max)
{
    struct order_term terms[QUERY_ORDER_KEYS_MAX];
    size_t n;
    if (!order_terms(asked, keys, nkeys, terms, &n) || n + 1 > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        types[i] = terms[i].type;
    types[n] = tiebreak_type;
    return n + 1;
}

bool query_base64url_decode(const char *text, buf *out)
{
    unsigned acc = 0;
    int bits = 0;
    for (const char *p = text; *p; p++) {
        int v = *p >= 'A' && *p <= 'Z'   ? *p - 'A'
                : *p >= 'a' && *p <= 'z' ? *p - 'a' + 26
                : *p >= '0' && *p <= '9' ? *p - '0' + 52
                : *p == '-'              ? 62
                : *p == '_'              ? 63
                                         : -1;
        if (v < 0)
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char byte = (char)((acc >> bits) & 0xFF);
            buf_append(out, &byte, 1);
        }
    }
    /* Leftover bits must be zero padding of fewer than 6: 2 or 4 bits, or none. */
    if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0)
        return false;
    if (!out->data)
        buf_puts(out, "");
    return true;
}
