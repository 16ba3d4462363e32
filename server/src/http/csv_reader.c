/*
 * http/csv_reader.c — the import CSV reader (see csv_reader.h).
 */
#include "http/csv_reader.h"

#include <string.h>

void csv_reader_init(csv_reader *r, const char *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->record = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    /* Whichever of ',' and ';' the header line uses more often, outside quotes. */
    size_t commas = 0, semicolons = 0;
    bool quoted = false;
    for (size_t i = r->pos; i < len && (quoted || (data[i] != '\n' && data[i] != '\r')); i++) {
        if (data[i] == '"')
            quoted = !quoted;
        else if (!quoted && data[i] == ',')
            commas++;
        else if (!quoted && data[i] == ';')
            semicolons++;
    }
    r->separator = semicolons > commas ? ';' : ',';
}

static bool at_line_end(const csv_reader *r)
{
    return r->pos >= r->len || r->data[r->pos] == '\n' || r->data[r->pos] == '\r';
}

static void skip_line_end(csv_reader *r)
{
    if (r->pos < r->len && r->data[r->pos] == '\r')
        r->pos++;
    if (r->pos < r->len && r->data[r->pos] == '\n')
        r->pos++;
}

csv_result csv_read_record(csv_reader *r, buf *storage, size_t *offsets, size_t max_fields,
                           size_t *count)
{
    storage->len = 0;
    *count = 0;
    /* Blank lines separate nothing: skip them. */
    while (r->pos < r->len && (r->data[r->pos] == '\n' || r->data[r->pos] == '\r'))
        skip_line_end(r);
    if (r->pos >= r->len)
        return CSV_END;
    r->record++;
    for (;;) {
        if (*count < max_fields)
            offsets[*count] = storage->len;
        (*count)++;
        if (r->pos < r->len && r->data[r->pos] == '"') {
            r->pos++;
            for (;;) {
                if (r->pos >= r->len)
                    return CSV_BAD_QUOTE;
                const char *start = r->data + r->pos;
                const char *quote = memchr(start, '"', r->len - r->pos);
                if (!quote)
                    return CSV_BAD_QUOTE;
                buf_append(storage, start, (size_t)(quote - start));
                r->pos += (size_t)(quote - start) + 1;
                if (r->pos < r->len && r->data[r->pos] == '"') {
                    buf_append(storage, "\"", 1);
                    r->pos++;
                    continue;
                }
                break;
            }
            /* After a closing quote only the separator or the line end may follow. */
            if (!at_line_end(r) && r->data[r->pos] != r->separator)
                return CSV_BAD_QUOTE;
        } else {
            size_t start = r->pos;
            while (r->pos < r->len && r->data[r->pos] != r->separator && r->data[r->pos] != '\n' &&
                   r->data[r->pos] != '\r')
                r->pos++;
            buf_append(storage, r->data + start, r->pos - start);
        }
        buf_append(storage, "", 1); /* each field NUL-terminated in storage */
        if (r->pos < r->len && r->data[r->pos] == r->separator) {
            r->pos++;
            continue;
        }
        skip_line_end(r);
        return CSV_ROW;
    }
}
