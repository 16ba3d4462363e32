/* The tables of api/auth.c for the fuzz targets (see ../tables.h). */
#include "api/auth.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_auth[] = {
    {"auth/login", LOGIN_FIELDS, COUNT_OF(LOGIN_FIELDS)},
    {"auth/token", TOKEN_FIELDS, COUNT_OF(TOKEN_FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_auth[] = {
    {NULL, NULL},
};
