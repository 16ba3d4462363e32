/* The tables of api/clients.c for the fuzz targets (see ../tables.h). */
#include "api/clients.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_clients[] = {
    {"clients", FIELDS, COUNT_OF(FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_clients[] = {
    {"clients", &CLIENTS_LIST},
    {NULL, NULL},
};
