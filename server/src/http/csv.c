/*
 * http/csv.c — writing CSV rows from JSON documents (see csv.h).
 */
#include "http/csv.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_append_field(buf *out, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        buf_puts(out, text);
        return;
    }
    buf_append(out, "\"", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            buf_append(out, "\"", 1);
        buf_append(out, p, 1);
    }
    buf_append(out, "\"", 1);
}

void csv_append_header(buf *out, const char *const *columns)
{
    for (int i = 0; columns[i]; i++) {
        if (i)
            buf_append(out, ",", 1);
        csv_append_field(out, columns[i]);
    }
    buf_append(out, "\r\n", 2);
}

/* "leader.full_name" reaches into nested objects; NULL when any step is missing. */
static const cJSON *lookup(const cJSON *doc, const char *path)
{
    char step[64];
    const char *dot;
    while ((dot = strchr(path, '.'))) {
        snprintf(step, sizeof step, "%.*s", (int)(dot - path), path);
        doc = cJSON_GetObjectItemCaseSensitive(doc, step);
        path = dot + 1;
    }
    return cJSON_GetObjectItemCaseSensitive(doc, path);
}

void csv_append_row(buf *out, const cJSON *doc, const char *const *columns)
{
    for (int i = 0; columns[i]; i++) {
        if (i)
            buf_append(out, ",", 1);
        const cJSON *v = lookup(doc, columns[i]);
        if (!v || cJSON_IsNull(v))
            continue;
        if (cJSON_IsString(v)) {
            csv_append_field(out, v->valuestring);
        } else {
            char *text = cJSON_PrintUnformatted(v);
            if (!text)
                abort(); /* cJSON fails only on allocation */
            csv_append_field(out, text);
            cJSON_free(text);
        }
    }
    buf_append(out, "\r\n", 2);
}
