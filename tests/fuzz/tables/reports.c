/* The tables of api/reports.c for the fuzz targets (see ../tables.h). */
#include "api/reports.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_reports[] = {
    {"deadlines/report", REPORT_BODY_FIELDS, COUNT_OF(REPORT_BODY_FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_reports[] = {
    {NULL, NULL},
};
