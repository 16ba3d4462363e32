/* The tables of api/users.c for the fuzz targets (see ../tables.h). */
#include "api/users.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_users[] = {
    {"users", FIELDS, COUNT_OF(FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_users[] = {
    {"users", &USERS_LIST},
    {NULL, NULL},
};
