/*
 * tests/unit/test_spool.c — memory up to the threshold, then an unlinked file (util/spool.c).
 */
#include <stdlib.h>

#include "check.h"
#include "util/spool.h"

/* Writes `total` bytes in pieces of `piece` through a spool keeping `memory_max` in memory, reads
 * them back in pieces of 1000 and compares. */
static void round_trip(size_t memory_max, size_t total, size_t piece, bool file_expected)
{
    unsigned char *data = malloc(total), *back = malloc(total + 1000);
    for (size_t i = 0; i < total; i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    spool s;
    spool_init(&s, memory_max);
    for (size_t at = 0; at < total; at += piece)
        CHECK(spool_write(&s, data + at, total - at < piece ? total - at : piece));
    CHECK(s.size == total && (s.file != NULL) == file_expected && !s.failed);
    CHECK(s.memory.len <= memory_max);
    size_t got = 0, n;
    while ((n = spool_read(&s, back + got, 1000)) > 0)
        got += n;
    CHECK(got == total && memcmp(data, back, total) == 0);
    CHECK(spool_read(&s, back, 1000) == 0);
    spool_free(&s);
    free(data);
    free(back);
}

int main(void)
{
    round_trip(1024, 0, 1, false);
    round_trip(1024, 1024, 100, false);        /* exactly the threshold: memory */
    round_trip(1024, 1025, 100, true);         /* one byte over: the file, with what came before */
    round_trip(64 * 1024, 3 << 20, 65536, true);
    CHECK_SUMMARY();
}
