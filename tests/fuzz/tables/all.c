/*
 * tests/fuzz/tables/all.c — the tables of every api/ file in one array each (see ../tables.h).
 */
#include "../tables.h"

enum { MAX_TABLES = 64 };

const struct fuzz_fields *fuzz_all_fields(size_t *count)
{
    static struct fuzz_fields all[MAX_TABLES];
    static size_t n;
    if (n == 0) {
#define FUZZ_COLLECT(file)                                                                        \
    for (const struct fuzz_fields *t = fuzz_fields_##file; t->name && n < MAX_TABLES; t++)        \
        all[n++] = *t;
        FUZZ_TABLE_FILES(FUZZ_COLLECT)
#undef FUZZ_COLLECT
    }
    *count = n;
    return all;
}

const struct fuzz_list *fuzz_all_lists(size_t *count)
{
    static struct fuzz_list all[MAX_TABLES];
    static size_t n;
    if (n == 0) {
#define FUZZ_COLLECT(file)                                                                        \
    for (const struct fuzz_list *t = fuzz_lists_##file; t->name && n < MAX_TABLES; t++)           \
        all[n++] = *t;
        FUZZ_TABLE_FILES(FUZZ_COLLECT)
#undef FUZZ_COLLECT
    }
    *count = n;
    return all;
}
