/* The tables of api/activities.c for the fuzz targets (see ../tables.h). */
#include "api/activities.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_activities[] = {
    {"activities", FIELDS, COUNT_OF(FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_activities[] = {
    {"activities", &ACTIVITIES_LIST},
    {NULL, NULL},
};
