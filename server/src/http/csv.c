/*
 * http/csv.c — writing CSV rows from JSON documents (see csv.h).
 */
#include "http/csv.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * OWASP's rule for CSV injection: a spreadsheet reads a cell that starts with one of = + - @ TAB
 * or CR as a formula (=HYPERLINK(...) sends whoever clicks it anywhere; DDE runs commands), so
 * such a text cell is written with a ' before it, which spreadsheets take as "this is text".
 * A text that itself starts with ' gets one more, so that csv_cell_text can always take exactly
 * one away again and every exported value imports back as it was. Only the start of a cell is
 * guarded: a spreadsheet that splits the comma-separated file on ';' (Excel set to a ';' list
 * separator) starts cells inside texts too, where neither this nor quoting helps
 * (docs/security.md §6 says what is left).
 */
static bool neutralised(const char *text)
{
    return text[0] != '\0' && strchr("=+-@\t\r'", text[0]) != NULL;
}

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

void csv_append_text(buf *out, const char *text)
{
    if (!neutralised(text)) {
        csv_append_field(out, text);
        return;
    }
    buf guarded = {0};
    buf_append(&guarded, "'", 1);
    buf_puts(&guarded, text);
    csv_append_field(out, guarded.data);
    buf_free(&guarded);
}

const char *csv_cell_text(const char *cell)
{
    return cell[0] == '\'' && neutralised(cell + 1) ? cell + 1 : cell;
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
            csv_append_text(out, v->valuestring);
        } else {
            /* Numbers, booleans, objects and arrays: JSON text, which no spreadsheet runs. */
            char *text = cJSON_PrintUnformatted(v);
            if (!text)
                abort(); /* cJSON fails only on allocation */
            csv_append_field(out, text);
            cJSON_free(text);
        }
    }
    buf_append(out, "\r\n", 2);
}
