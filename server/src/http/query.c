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

bool query_order_by(const char *asked, const struct sort_key *keys, size_t nkeys,
                    const char *tiebreak, buf *out)
{
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
        if (!key)
            return false;
        buf_printf(out, "%s %s, ", key->sql, desc ? "DESC" : "ASC");
        p += len;
        if (*p == ',')
            p++;
    }
    buf_puts(out, tiebreak);
    return true;
}
