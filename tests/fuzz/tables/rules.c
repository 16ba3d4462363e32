/* The tables of api/rules.c for the fuzz targets (see ../tables.h). */
#include "api/rules.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_rules[] = {
    {"rules", RULE_FIELDS, COUNT_OF(RULE_FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_rules[] = {
    {NULL, NULL},
};
