/*
 * http/csv_reader.h — reading CSV files as spreadsheets write them, for imports.
 *
 * Accepts UTF-8 with or without a byte order mark, ',' or ';' separated (Excel in Vietnamese
 * locales writes ';'; the header line decides), CRLF or LF line ends, RFC 4180 quoting with
 * doubled quotes and line breaks inside quoted fields. Pure: no allocation beyond the buffers
 * given, so it is fuzzed directly (tests/fuzz) and unit-tested (tests/unit/test_csv_reader.c).
 */
#ifndef CDT_HTTP_CSV_READER_H
#define CDT_HTTP_CSV_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/mem.h"

typedef struct {
    const char *data;
    size_t len;
    size_t pos;
    char separator;
    long record; /* number of the record read last; the header is record 1 */
} csv_reader;

typedef enum { CSV_ROW, CSV_END, CSV_BAD_QUOTE } csv_result;

/* Skips a BOM and picks the separator from the first line (outside quotes). Cannot fail. */
void csv_reader_init(csv_reader *r, const char *data, size_t len);

/*
 * Reads the next record into fields: field i is the NUL-terminated text at
 * storage->data + offsets[i]. *count is the number of fields (offsets has room for max_fields;
 * further fields are counted but not stored). Blank lines are skipped.
 */
csv_result csv_read_record(csv_reader *r, buf *storage, size_t *offsets, size_t max_fields,
                           size_t *count);

#endif
