/* The tables of api/enterprises.c for the fuzz targets (see ../tables.h). */
#include "api/enterprises.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_enterprises[] = {
    {"enterprises", FIELDS, COUNT_OF(FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_enterprises[] = {
    {"enterprises", &ENTERPRISES_LIST},
    {NULL, NULL},
};
