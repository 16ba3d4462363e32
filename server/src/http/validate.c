/*
 * http/validate.c — the field-table validator and the small text predicates it uses.
 */
#include "http/validate.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Reads the byte text[*i] of JSON text: +1 for a bracket that opens an object or array, -1 for
 * one that closes it, 0 for anything else, brackets inside strings included (*in_string follows
 * the quotes; an escape skips the character after it, advancing *i). The text need not be valid
 * JSON: this runs before the parser.
 */
static int bracket_at(const char *text, size_t *i, bool *in_string)
{
    char c = text[*i];
    if (*in_string) {
        if (c == '\\')
            (*i)++; /* the escaped character, whatever it is */
        else if (c == '"')
            *in_string = false;
        return 0;
    }
    if (c == '"')
        *in_string = true;
    return c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
}

long json_depth_exceeded_at(const char *text, size_t len, int max)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        int bracket = bracket_at(text, &i, &in_string);
        if (bracket > 0 && ++depth > max)
            return (long)i;
        if (bracket < 0 && depth > 0)
            depth--; /* unbalanced closers never lower the count: the parser refuses them anyway */
    }
    return -1;
}

size_t json_value_end(const char *text, size_t len, size_t at)
{
    if (at >= len)
        return len;
    if (text[at] != '{' && text[at] != '[' && text[at] != '"') {
        /* Up to a separator, or to what cJSON takes for white space: any byte up to 32. */
        while (at < len && (unsigned char)text[at] > 32 && text[at] != ',' && text[at] != ']' && text[at] != '}')
            at++;
        return at;
    }
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = at; i < len; i++) {
        int bracket = bracket_at(text, &i, &in_string);
        if (bracket > 0)
            depth++;
        else if (bracket < 0 && depth > 0)
            depth--;
        if (!in_string && depth == 0)
            return i + 1; /* the closer, or the quote that ends a string value */
    }
    return len;
}

struct named_member {
    const char *name;
    size_t index; /* position in the object: ties sort by it, so the first of a name leads */
};

static int by_name_then_index(const void *a, const void *b)
{
    const struct named_member *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

size_t json_repeated_names(const cJSON *obj, bool *repeated, size_t n)
{
    struct named_member *sorted = xcalloc(n ? n : 1, sizeof *sorted);
    size_t count = 0;
    const cJSON *member;
    cJSON_ArrayForEach(member, obj)
    {
        if (count == n)
            break;
        sorted[count].name = member->string ? member->string : "";
        sorted[count].index = count;
        repeated[count++] = false;
    }
    qsort(sorted, count, sizeof *sorted, by_name_then_index);
    size_t marked = 0;
    for (size_t i = 1; i < count; i++)
        if (strcmp(sorted[i].name, sorted[i - 1].name) == 0) {
            repeated[sorted[i].index] = true;
            marked++;
        }
    free(sorted);
    return marked;
}

bool text_is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!strchr("0123456789abcdefABCDEF", s[i]) || s[i] == '\0') {
            return false;
        }
    }
    return true;
}

bool text_is_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static bool all_chars_in(const char *s, const char *set)
{
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

const char *check_phone(const char *v)
{
    size_t digits = 0;
    for (const char *p = v; *p; p++)
        digits += (*p >= '0' && *p <= '9');
    if (!all_chars_in(v, "0123456789+ .-()") || digits < 8 || digits > 15 || strlen(v) > 32)
        return "must be a phone number of 8 to 15 digits"; /* and at most 32 characters in all */
    return NULL;
}

const char *check_email(const char *v)
{
    const char *at = strchr(v, '@');
    if (!at || at == v || strchr(at + 1, '@') || !strchr(at + 1, '.') || strchr(v, ' ') ||
        at[1] == '.' || v[strlen(v) - 1] == '.')
        return "must be an email address";
    return NULL;
}

const char *check_tax_code(const char *v)
{
    size_t n = strlen(v);
    bool ok = (n == 10 || (n == 14 && v[10] == '-')) && all_chars_in(v, "0123456789-") &&
              strchr(v, '-') == (n == 14 ? v + 10 : NULL);
    return ok ? NULL : "must be a 10-digit tax code, or 10 digits, '-' and 3 digits for a branch";
}

const char *check_unit_code(const char *v)
{
    /* A GSO code, or the key of a version that passed its code on: 25747@2025-07-01. */
    const char *at = strchr(v, '@');
    size_t n = at ? (size_t)(at - v) : strlen(v);
    bool digits = strspn(v, "0123456789") == n;
    bool key_ok = !at || (strlen(at) == 11 && strspn(at + 1, "0123456789-") == 10 && at[5] == '-' &&
                          at[8] == '-' && strspn(at + 1, "0123456789") == 4);
    if ((n != 2 && n != 3 && n != 5) || !digits || !key_ok)
        return "must be a GSO code of 2, 3 or 5 digits";
    return NULL;
}

/*
 * Bytes of s to print so that at most max bytes are taken and no character is cut in two: names
 * and values echoed in messages go back to the client, which must get valid UTF-8 text.
 */
static int utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--; /* s[max] continues the character that starts before it: stop before that one */
    return (int)max;
}

static bool in_choices(const char *v, const char *const *choices)
{
    for (; *choices; choices++)
        if (strcmp(v, *choices) == 0)
            return true;
    return false;
}

static const char *choices_message(char *out, size_t cap, const char *const *choices)
{
    size_t used = (size_t)snprintf(out, cap, "must be one of:");
    for (int i = 0; choices[i] && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s %s", i ? "," : "", choices[i]);
    return out;
}

/* Returns NULL when the value is acceptable, else the message; msg is scratch space. */
static const char *check_value(const cJSON *v, const struct field *f, char *msg, size_t cap)
{
    switch (f->type) {
    case FIELD_STRING:
    case FIELD_DATE:
    case FIELD_UUID:
    case FIELD_ENUM: {
        if (!cJSON_IsString(v))
            return "must be a string";
        const char *s = v->valuestring;
        if (f->type == FIELD_DATE)
            return text_is_date(s) ? NULL : "must be a date YYYY-MM-DD";
        if (f->type == FIELD_UUID)
            return text_is_uuid(s) ? NULL : "must be a UUID";
        if (f->type == FIELD_ENUM)
            return in_choices(s, f->choices) ? NULL : choices_message(msg, cap, f->choices);
        size_t n = utf8_length(s);
        if ((long)n < f->min) {
            if (f->min == 1)
                return "must not be empty";
            snprintf(msg, cap, "must be at least %ld characters", f->min);
            return msg;
        }
        long max = f->max ? f->max : FIELD_TEXT_MAX;
        if ((long)n > max) {
            snprintf(msg, cap, "must be at most %ld characters", max);
            return msg;
        }
        return f->check ? f->check(s) : NULL;
    }
    case FIELD_INT: {
        if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
            return "must be an integer";
        long max = f->max;
        if (max == FIELD_MAX_THIS_YEAR) {
            time_t now = time(NULL);
            struct tm tm;
            localtime_r(&now, &tm);
            max = tm.tm_year + 1900;
        }
        if (v->valuedouble < (double)f->min || v->valuedouble > (double)max) {
            snprintf(msg, cap, "must be between %ld and %ld", f->min, max);
            return msg;
        }
        return NULL;
    }
    case FIELD_BOOL:
        return cJSON_IsBool(v) ? NULL : "must be true or false";
    case FIELD_COUNTS: {
        if (!cJSON_IsObject(v))
            return "must be an object of counts";
        const cJSON *item;
        cJSON_ArrayForEach(item, v)
        {
            if (!in_choices(item->string, f->choices)) {
                snprintf(msg, cap, "has an unknown count \"%.*s\"; ", utf8_prefix(item->string, 60), item->string);
                size_t used = strlen(msg);
                choices_message(msg + used, cap - used, f->choices);
                return msg;
            }
            if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) ||
                item->valuedouble < (double)f->min || item->valuedouble > (double)f->max) {
                snprintf(msg, cap, "%.*s must be an integer from %ld to %ld", utf8_prefix(item->string, 60),
                         item->string, f->min, f->max);
                return msg;
            }
            for (const cJSON *other = item->next; other; other = other->next)
                if (strcmp(other->string, item->string) == 0)
                    return "must not repeat a count";
        }
        return NULL;
    }
    case FIELD_TEXT_LIST:
    case FIELD_UUID_MAP: {
        bool map = f->type == FIELD_UUID_MAP;
        if (map ? !cJSON_IsObject(v) : !cJSON_IsArray(v))
            return map ? "must be an object" : "must be an array";
        if (cJSON_GetArraySize(v) > f->max) {
            snprintf(msg, cap, "must have at most %ld %s", f->max, map ? "entries" : "values");
            return msg;
        }
        const cJSON *item, *other;
        cJSON_ArrayForEach(item, v)
        {
            if (map && !text_is_uuid(item->string)) {
                snprintf(msg, cap, "has a key that is not a UUID: \"%.*s\"", utf8_prefix(item->string, 60), item->string);
                return msg;
            }
            if (!cJSON_IsString(item))
                return map ? "must map each key to a string" : "must be an array of strings";
            const char *bad = f->check ? f->check(item->valuestring) : NULL;
            if (bad)
                return bad;
            /* Arrays of a few codes and maps of a few choices: a pairwise check is enough. */
            for (other = item->next; other; other = other->next)
                if (map ? strcmp(other->string, item->string) == 0
                        : cJSON_IsString(other) && strcmp(other->valuestring, item->valuestring) == 0)
                    return map ? "must not repeat a key" : "must not repeat a value";
        }
        return NULL;
    }
    case FIELD_ENUM_LIST: {
        if (!cJSON_IsArray(v))
            return "must be an array";
        int nchoices = 0;
        while (f->choices[nchoices])
            nchoices++;
        if (cJSON_GetArraySize(v) > nchoices) {
            snprintf(msg, cap, "must list at most %d values, each once", nchoices);
            return msg;
        }
        const cJSON *item, *other;
        cJSON_ArrayForEach(item, v)
        {
            if (!cJSON_IsString(item) || !in_choices(item->valuestring, f->choices))
                return choices_message(msg, cap, f->choices);
            for (other = item->next; other; other = other->next)
                if (cJSON_IsString(other) && strcmp(other->valuestring, item->valuestring) == 0)
                    return "must not repeat a value";
        }
        return NULL;
    }
    }
    return "is not valid";
}

/* prefix + field into out, cut at a character boundary when it does not fit. */
static void error_name(char *out, size_t cap, const char *prefix, const char *field)
{
    size_t used = strlen(prefix) < cap ? strlen(prefix) : 0;
    snprintf(out, cap, "%.*s%.*s", (int)used, prefix, utf8_prefix(field, cap - 1 - used), field);
}

int validate_object(const cJSON *obj, const struct field *fields, size_t nfields,
                    validate_mode mode, const char *prefix, field_error_sink sink, void *ctx)
{
    char name[160], msg[400];
    int errors = 0;
#define REPORT(field, message)                                                                    \
    do {                                                                                          \
        error_name(name, sizeof name, prefix, field);                                             \
        sink(ctx, name, message);                                                                 \
        errors++;                                                                                 \
    } while (0)

    if (!cJSON_IsObject(obj)) {
        REPORT("", "must be a JSON object");
        return errors;
    }
    /* Duplicate keys would make "which value counts" a guess: each repeat is reported. */
    size_t nmembers = (size_t)cJSON_GetArraySize(obj), at = 0;
    bool *repeated = xcalloc(nmembers ? nmembers : 1, sizeof *repeated);
    json_repeated_names(obj, repeated, nmembers);
    const cJSON *member;
    cJSON_ArrayForEach(member, obj)
    {
        const struct field *f = NULL;
        for (size_t i = 0; i < nfields && !f; i++)
            if (strcmp(fields[i].name, member->string) == 0)
                f = &fields[i];
        if (at < nmembers && repeated[at++])
            REPORT(member->string, "is given more than once");
        if (!f) {
            REPORT(member->string, "is not a known field");
        } else if (f->flags & FIELD_READONLY) {
            REPORT(member->string, "is set by the server and cannot be written");
        } else if (mode == VALIDATE_UPDATE && (f->flags & FIELD_IMMUTABLE)) {
            REPORT(member->string, "cannot be changed");
        } else if (cJSON_IsNull(member)) {
            if (f->flags & FIELD_REQUIRED)
                REPORT(member->string, "is required");
        } else {
            const char *problem = check_value(member, f, msg, sizeof msg);
            if (problem)
                REPORT(member->string, problem);
        }
    }
    free(repeated);
    if (mode == VALIDATE_CREATE)
        for (size_t i = 0; i < nfields; i++)
            if ((fields[i].flags & FIELD_REQUIRED) &&
                !cJSON_GetObjectItemCaseSensitive(obj, fields[i].name))
                REPORT(fields[i].name, "is required");
#undef REPORT
    return errors;
}
