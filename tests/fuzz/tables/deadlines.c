/* The tables of api/deadlines.c for the fuzz targets (see ../tables.h). */
#include "api/deadlines.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_deadlines[] = {
    {"deadlines", FIELDS, COUNT_OF(FIELDS)},
    {"deadlines/complete", COMPLETE_FIELDS, COUNT_OF(COMPLETE_FIELDS)},
    {"deadlines/reopen", REOPEN_FIELDS, COUNT_OF(REOPEN_FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_deadlines[] = {
    {"deadlines", &LIST},
    {"deadlines/mine", &MINE},
    {"deadlines/targets", &TARGETS},
    {NULL, NULL},
};
