/*
 * http/xlsx.c — an export as an Excel workbook, through libxlsxwriter (see xlsx.h).
 *
 * libxlsxwriter 1.1.4 (Debian 12) writes a workbook only to a file it opens by name. The name
 * given is /proc/self/fd/N of a spool_temp_file, which is unlinked already: the file goes away
 * with the process whatever happens, as a CSV export's spool does. Its only non-reentrant call is
 * gmtime() for the workbook's creation time (docProps/core.xml): two exports finishing in the
 * same instant could at worst garble that timestamp, never a cell.
 */
#include "http/xlsx.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "util/spool.h"
#include "util/utf8.h"

/* Column widths in characters: the least, the most a value widens it to, and how wide a header
 * may make it before it wraps onto more lines. */
enum { WIDTH_MIN = 8, WIDTH_MAX = 50, HEADER_WIDTH_MAX = 24, LINE_POINTS = 15 };

struct xlsx_sheet {
    FILE *file; /* the workbook's file, unlinked */
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *header, *date, *time, *percent;
    const struct column *columns;
    int ncolumns;
    unsigned *widths; /* per column, the widest value in characters */
    long rows;        /* rows written below the header */
    bool full;
};

void xlsx_free(xlsx_sheet *x)
{
    if (!x)
        return;
    if (x->book)
        lxw_workbook_free(x->book);
    if (x->file)
        fclose(x->file);
    free(x->widths);
    free(x);
}

/* The "_xHHHH_" at p, which a spreadsheet reads as the character U+HHHH. */
static bool escape_like(const char *p)
{
    if (p[0] != '_' || p[1] != 'x')
        return false;
    for (int i = 2; i < 6; i++)
        if (!p[i] || !strchr("0123456789abcdefABCDEF", p[i]))
            return false;
    return p[6] == '_';
}

/* One character of text at p: its bytes, and the characters it takes in the cell. */
static size_t char_bytes(const char *p)
{
    unsigned char c = (unsigned char)*p;
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    for (size_t i = 1; i < n; i++)
        if (!p[i])
            return i; /* cut short: the text is valid UTF-8 (PostgreSQL's), so never here */
    return n;
}

void xlsx_cell_text(buf *out, const char *text)
{
    static const char ESCAPE[] = "_x005F"; /* "_x005F_" stands for "_": "_x005F_x0041_" is "_x0041_" */
    size_t total = 0;
    for (const char *p = text; *p; p += char_bytes(p))
        total += escape_like(p) ? 7 : 1;
    size_t room = total <= XLSX_TEXT_MAX ? total : XLSX_TEXT_MAX - 1, used = 0;
    const char *p = text;
    while (*p) {
        size_t width = escape_like(p) ? 7 : 1, n = char_bytes(p);
        if (used + width > room)
            break;
        if (width == 7)
            buf_append(out, ESCAPE, sizeof ESCAPE - 1);
        buf_append(out, p, n);
        used += width;
        p += n;
    }
    if (*p)
        buf_puts(out, "…");
}

/* Lines the header takes when wrapped at `width` characters, word by word. */
static int header_lines(const char *name, unsigned width)
{
    int lines = 1;
    unsigned line = 0;
    const char *p = name;
    while (*p) {
        const char *end = strchr(p, ' ');
        size_t bytes = end ? (size_t)(end - p) : strlen(p);
        char word[256];
        snprintf(word, sizeof word, "%.*s", (int)bytes, p);
        unsigned n = (unsigned)utf8_length(word);
        if (line && line + 1 + n > width) {
            lines++;
            line = n;
        } else {
            line += (line ? 1 : 0) + n;
        }
        p += bytes;
        while (*p == ' ')
            p++;
    }
    return lines;
}

xlsx_sheet *xlsx_open(const char *sheet, const struct column *columns)
{
    xlsx_sheet *x = xcalloc(1, sizeof *x);
    x->columns = columns;
    while (columns[x->ncolumns].name)
        x->ncolumns++;
    x->widths = xcalloc((size_t)x->ncolumns + 1, sizeof *x->widths);
    x->file = spool_temp_file();
    if (!x->file)
        goto fail;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(x->file));
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = (char *)spool_temp_dir()};
    x->book = workbook_new_opt(path, &options);
    if (!x->book || workbook_validate_sheet_name(x->book, sheet) != LXW_NO_ERROR ||
        !(x->sheet = workbook_add_worksheet(x->book, sheet)))
        goto fail;

    x->header = workbook_add_format(x->book);
    format_set_bold(x->header);
    format_set_text_wrap(x->header);
    format_set_align(x->header, LXW_ALIGN_VERTICAL_TOP);
    x->date = workbook_add_format(x->book);
    format_set_num_format(x->date, "dd/mm/yyyy");
    x->time = workbook_add_format(x->book);
    format_set_num_format(x->time, "dd/mm/yyyy hh:mm");
    x->percent = workbook_add_format(x->book);
    format_set_num_format(x->percent, "0.0%");
    if (!x->header || !x->date || !x->time || !x->percent)
        goto fail;

    /* The header row: bold, wrapped within its column, tall enough for its longest header (set
     * before the row is written: constant_memory writes each row out as the next one starts). */
    int lines = 1;
    for (int i = 0; i < x->ncolumns; i++) {
        unsigned n = (unsigned)utf8_length(columns[i].name);
        x->widths[i] = n < HEADER_WIDTH_MAX ? n : HEADER_WIDTH_MAX;
        int l = header_lines(columns[i].name, x->widths[i] > WIDTH_MIN ? x->widths[i] : WIDTH_MIN);
        lines = l > lines ? l : lines;
    }
    if (worksheet_set_row(x->sheet, 0, LINE_POINTS * lines, NULL) != LXW_NO_ERROR)
        goto fail;
    for (int i = 0; i < x->ncolumns; i++)
        if (worksheet_write_string(x->sheet, 0, (lxw_col_t)i, columns[i].name, x->header) != LXW_NO_ERROR)
            goto fail;
    worksheet_freeze_panes(x->sheet, 1, 0);
    return x;
fail:
    xlsx_free(x);
    return NULL;
}

static void widen(xlsx_sheet *x, int i, unsigned chars)
{
    if (chars > x->widths[i])
        x->widths[i] = chars;
}

static lxw_error write_text(xlsx_sheet *x, lxw_row_t row, int i, const char *text)
{
    buf cell = {0};
    xlsx_cell_text(&cell, text);
    const char *shown = cell.data ? cell.data : ""; /* nothing appended for an empty text */
    widen(x, i, (unsigned)utf8_length(shown));
    lxw_error e = worksheet_write_string(x->sheet, row, (lxw_col_t)i, shown, NULL);
    buf_free(&cell);
    return e;
}

/* A date or moment as an Excel date; LXW_ERROR_PARAMETER_VALIDATION when the value is none
 * (or before 1900, which Excel's dates do not reach), so that it is written as text instead. */
static lxw_error write_moment(xlsx_sheet *x, lxw_row_t row, int i, const cJSON *v, bool with_time)
{
    struct column_moment m;
    if (!cJSON_IsString(v) || !column_moment_parse(v->valuestring, &m) || m.year < 1900)
        return LXW_ERROR_PARAMETER_VALIDATION;
    lxw_datetime dt = {m.year, m.month, m.day, with_time ? m.hour : 0, with_time ? m.minute : 0,
                       with_time ? m.second : 0};
    widen(x, i, with_time ? 16 : 10);
    return worksheet_write_datetime(x->sheet, row, (lxw_col_t)i, &dt, with_time ? x->time : x->date);
}

static lxw_error write_value(xlsx_sheet *x, lxw_row_t row, int i, const cJSON *v)
{
    column_kind kind = x->columns[i].kind;
    if (kind == COLUMN_DATE || kind == COLUMN_TIME) {
        lxw_error e = write_moment(x, row, i, v, kind == COLUMN_TIME);
        if (e != LXW_ERROR_PARAMETER_VALIDATION)
            return e;
    }
    if (cJSON_IsNumber(v)) {
        char shown[32];
        snprintf(shown, sizeof shown, kind == COLUMN_PERCENT ? "%.1f%%" : "%.15g",
                 kind == COLUMN_PERCENT ? 100 * v->valuedouble : v->valuedouble);
        widen(x, i, (unsigned)strlen(shown));
        return worksheet_write_number(x->sheet, row, (lxw_col_t)i, v->valuedouble,
                                      kind == COLUMN_PERCENT ? x->percent : NULL);
    }
    if (cJSON_IsBool(v)) {
        widen(x, i, 5);
        return worksheet_write_boolean(x->sheet, row, (lxw_col_t)i, cJSON_IsTrue(v), NULL);
    }
    if (cJSON_IsString(v))
        return write_text(x, row, i, v->valuestring);
    char *json = cJSON_PrintUnformatted(v); /* an object or an array, as CSV writes it */
    if (!json)
        abort(); /* cJSON fails only on allocation */
    lxw_error e = write_text(x, row, i, json);
    cJSON_free(json);
    return e;
}

bool xlsx_append_row(xlsx_sheet *x, const cJSON *doc)
{
    if (x->rows >= XLSX_ROWS_MAX) {
        x->full = true;
        return false;
    }
    lxw_row_t row = (lxw_row_t)++x->rows;
    for (int i = 0; i < x->ncolumns; i++) {
        const cJSON *v = column_value(doc, &x->columns[i]);
        if (v && write_value(x, row, i, v) != LXW_NO_ERROR)
            return false;
    }
    return true;
}

bool xlsx_full(const xlsx_sheet *x)
{
    return x->full;
}

FILE *xlsx_finish(xlsx_sheet *x)
{
    for (int i = 0; i < x->ncolumns; i++) {
        unsigned w = x->widths[i] + 2;
        w = w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w;
        worksheet_set_column(x->sheet, (lxw_col_t)i, (lxw_col_t)i, w, NULL);
    }
    if (x->ncolumns > 0)
        worksheet_autofilter(x->sheet, 0, 0, (lxw_row_t)x->rows, (lxw_col_t)(x->ncolumns - 1));
    lxw_error e = workbook_close(x->book); /* frees the workbook, written or not */
    x->book = NULL;
    FILE *f = NULL;
    if (e == LXW_NO_ERROR) {
        f = x->file;
        x->file = NULL;
    }
    xlsx_free(x);
    return f;
}
