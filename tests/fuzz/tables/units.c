/* The tables of api/units.c for the fuzz targets (see ../tables.h). */
#include "api/units.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_units[] = {
    {"units", FIELDS, COUNT_OF(FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_units[] = {
    {"units", &UNITS_LIST},
    {NULL, NULL},
};
