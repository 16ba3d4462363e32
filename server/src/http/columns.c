/*
 * http/columns.c — an export's columns and their values (see columns.h).
 */
#include "http/columns.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

const cJSON *column_value(const cJSON *doc, const struct column *column)
{
    const char *path = column->name, *dot;
    char step[64];
    while ((dot = strchr(path, '.'))) {
        snprintf(step, sizeof step, "%.*s", (int)(dot - path), path);
        doc = cJSON_GetObjectItemCaseSensitive(doc, step);
        path = dot + 1;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, path);
    return v && !cJSON_IsNull(v) ? v : NULL;
}

const struct column *columns_named(arena *a, const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    struct column *out = arena_alloc(a, (n + 1) * sizeof *out); /* zero-filled: COLUMN_AUTO, NULL end */
    for (size_t i = 0; i < n; i++)
        out[i].name = names[i];
    return out;
}

/* n digits at s as a number; -1 unless they are all digits. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

bool column_moment_parse(const char *text, struct column_moment *m)
{
    size_t len = strlen(text);
    if (len < 10 || text[4] != '-' || text[7] != '-')
        return false;
    struct column_moment t = {digits(text, 4), digits(text + 5, 2), digits(text + 8, 2), 0, 0, 0};
    if (t.year < 1 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month))
        return false;
    if (len > 10) {
        if ((len != 16 && len != 19) || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
            (len == 19 && text[16] != ':'))
            return false;
        t.hour = digits(text + 11, 2);
        t.minute = digits(text + 14, 2);
        t.second = len == 19 ? digits(text + 17, 2) : 0;
        if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 59)
            return false;
    }
    *m = t;
    return true;
}
