/* The tables of api/audit.c for the fuzz targets (see ../tables.h). */
#include "api/audit.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_audit[] = {
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_audit[] = {
    {"audit", &AUDIT_LIST},
    {NULL, NULL},
};
