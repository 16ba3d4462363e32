/* The tables of api/members.c for the fuzz targets (see ../tables.h). */
#include "api/members.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_members[] = {
    {"members", FIELDS, COUNT_OF(FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_members[] = {
    {"members", &MEMBERS_LIST},
    {"members/team", &TEAM_LIST},
    {NULL, NULL},
};
