/*
 * http/csv.c — writing CSV rows from JSON documents (see csv.h).
 */
#include "http/csv.h"

#include <cjson/cJSON.h>
#include <math.h>
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

void csv_append_header(buf *out, const struct column *columns)
{
    for (int i = 0; columns[i].name; i++) {
        if (i)
            buf_append(out, ",", 1);
        csv_append_field(out, columns[i].name);
    }
    buf_append(out, "\r\n", 2);
}

void csv_append_percent(buf *out, double rate)
{
    double tenths = round(rate * 1000.0); /* the percentage in tenths: 54.5 % is 545 */
    char text[64];
    if (fmod(tenths, 10.0) == 0.0)
        snprintf(text, sizeof text, "%.0f%%", tenths / 10.0);
    else
        snprintf(text, sizeof text, "%.1f%%", tenths / 10.0);
    char *point = strchr(text, '.');
    if (point)
        *point = ',';
    csv_append_field(out, text);
}

/* A date or moment dd/mm/yyyy[ HH:MM]; false when the value is no such text. */
static bool append_moment(buf *out, const cJSON *v, bool with_time)
{
    struct column_moment m;
    if (!cJSON_IsString(v) || !column_moment_parse(v->valuestring, &m))
        return false;
    buf_printf(out, "%02d/%02d/%04d", m.day, m.month, m.year);
    if (with_time)
        buf_printf(out, " %02d:%02d", m.hour, m.minute);
    return true;
}

static void append_value(buf *out, const cJSON *v, column_kind kind)
{
    if ((kind == COLUMN_DATE || kind == COLUMN_TIME) && append_moment(out, v, kind == COLUMN_TIME))
        return;
    if (kind == COLUMN_PERCENT && cJSON_IsNumber(v)) {
        csv_append_percent(out, v->valuedouble);
        return;
    }
    if (cJSON_IsString(v)) {
        csv_append_text(out, v->valuestring);
        return;
    }
    /* Numbers, booleans, objects and arrays: JSON text, which no spreadsheet runs. */
    char *text = cJSON_PrintUnformatted(v);
    if (!text)
        abort(); /* cJSON fails only on allocation */
    csv_append_field(out, text);
    cJSON_free(text);
}

void csv_append_row(buf *out, const cJSON *doc, const struct column *columns)
{
    for (int i = 0; columns[i].name; i++) {
        if (i)
            buf_append(out, ",", 1);
        const cJSON *v = column_value(doc, &columns[i]);
        if (v)
            append_value(out, v, columns[i].kind);
    }
    buf_append(out, "\r\n", 2);
}
