/* The tables of api/teams.c for the fuzz targets (see ../tables.h). */
#include "api/teams.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_teams[] = {
    {"teams", FIELDS, COUNT_OF(FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_teams[] = {
    {"teams", &TEAMS_LIST},
    {NULL, NULL},
};
