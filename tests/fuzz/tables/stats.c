/* The query parameters of api/stats.c for the fuzz targets (see ../tables.h); it has no sort. */
#include "api/stats.c"
#include "../tables.h"

static const struct list_spec OVERVIEW = {.filters = OVERVIEW_PARAMS, .nfilters = COUNT_OF(OVERVIEW_PARAMS)};
static const struct list_spec TIMESERIES = {.filters = TIMESERIES_PARAMS,
                                            .nfilters = COUNT_OF(TIMESERIES_PARAMS)};

const struct fuzz_fields fuzz_fields_stats[] = {
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_stats[] = {
    {"stats/overview", &OVERVIEW},
    {"stats/timeseries", &TIMESERIES},
    {NULL, NULL},
};
