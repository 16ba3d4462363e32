/* The tables of api/import.c for the fuzz targets (see ../tables.h). */
#include "api/import.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_import[] = {
    {"import/units", UNIT_FIELDS, COUNT_OF(UNIT_FIELDS)},
    {"import/enterprises", ENTERPRISE_FIELDS, COUNT_OF(ENTERPRISE_FIELDS)},
    {"import/teams", TEAM_FIELDS, COUNT_OF(TEAM_FIELDS)},
    {"import/members", MEMBER_FIELDS, COUNT_OF(MEMBER_FIELDS)},
    {"import/activities", ACTIVITY_FIELDS, COUNT_OF(ACTIVITY_FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_import[] = {
    {NULL, NULL},
};
