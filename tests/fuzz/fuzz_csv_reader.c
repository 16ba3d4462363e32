/*
 * tests/fuzz/fuzz_csv_reader.c — the import CSV reader over arbitrary bytes.
 *
 * Reads the input as api/import.c does (csv_reader_init, then csv_read_record until the end or a
 * bad quote), with room for few fields so that the "counted but not stored" path is taken too.
 * Besides the sanitizers, it checks: every record consumes input (the loop ends), the separator
 * is ',' or ';', record numbers count up from 1, every stored field is a NUL-terminated string
 * inside the storage, and after CSV_END the reader stays at the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/csv_reader.h"

#define REQUIRE(cond)                                                                             \
    do {                                                                                          \
        if (!(cond))                                                                              \
            abort();                                                                              \
    } while (0)

enum { MAX_FIELDS = 6 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so that ASan sees any read past the body's end. */
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);

    csv_reader reader;
    csv_reader_init(&reader, text, size);
    REQUIRE(reader.separator == ',' || reader.separator == ';');
    REQUIRE(reader.pos <= size);

    buf storage = {0};
    size_t offsets[MAX_FIELDS], count;
    csv_result res;
    long records = 0;
    for (;;) {
        size_t before = reader.pos;
        res = csv_read_record(&reader, &storage, offsets, MAX_FIELDS, &count);
        if (res != CSV_ROW)
            break;
        records++;
        REQUIRE(reader.record == records);
        REQUIRE(reader.pos > before && reader.pos <= size);
        REQUIRE(count >= 1);
        size_t stored = count < MAX_FIELDS ? count : MAX_FIELDS;
        for (size_t i = 0; i < stored; i++) {
            REQUIRE(offsets[i] < storage.len);
            REQUIRE(memchr(storage.data + offsets[i], '\0', storage.len - offsets[i]));
            if (i > 0)
                REQUIRE(offsets[i] > offsets[i - 1]);
        }
    }
    if (res == CSV_END) {
        REQUIRE(reader.pos >= size);
        REQUIRE(csv_read_record(&reader, &storage, offsets, MAX_FIELDS, &count) == CSV_END);
    }
    buf_free(&storage);
    free(text);
    return 0;
}
