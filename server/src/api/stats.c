/*
 * api/stats.c — /api/v1/stats: the steering committee's figures.
 *
 * GET /stats/overview gives a unit's totals and one row per child unit; GET /stats/timeseries
 * one value per week or month. Both are about a unit in the caller's scope (the caller's own by
 * default; an enterprise account's figures are its enterprise's). PostgreSQL computes and builds
 * everything (stats_overview and stats_timeseries, sql/functions/40_stats.sql, which also
 * decide scope through unit_visible); the handlers only check the query parameters, which are
 * declared as data below. `on` is the day whose units the figures are about (today by default):
 * the units of 2024 for the figures of 2024 by old units. The figures are defined in
 * docs/reporting.md.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

/*
 * $1, $2 actor, $3 unit or NULL, $4 from, $5 to, $6 the day of the structure (NULL: today, or a
 * closed unit's last day) -> the document, or NULL: unknown or out of scope.
 */
static const char SQL_OVERVIEW[] =
    "SELECT stats_overview($1, $2::uuid, $3, $4::date, $5::date, $6::date)::text";

/*
 * $1, $2 actor, $3 unit or NULL, $4 from, $5 to, $6 interval, $7 metric, $8 the structure's day ->
 * (from, to, periods, series) as settled after the defaults; series is NULL when the range is
 * refused; no row: unknown or out of scope.
 */
static const char SQL_TIMESERIES[] =
    "SELECT s.from_on::text, s.to_on::text, s.periods, s.series::text"
    "  FROM stats_timeseries($1, $2::uuid, $3, $4::date, $5::date, $6, $7, $8::date) s";

enum { PERIODS_MAX = 400 };

static const char *const INTERVALS[] = {"week", "month", NULL};
static const char *const METRICS[] = {
    "activities",        "people_reached",  "vneid_activations", "public_service_applications",
    "cashless_accounts", "ecommerce_shops", "app_installs",      "people_trained",
    NULL,
};

/* The query parameters, in the order they follow $1, $2 in the SQL. */
static const struct filter OVERVIEW_PARAMS[] = {
    {"unit", FIELD_STRING, NULL},
    {"from", FIELD_DATE, NULL},
    {"to", FIELD_DATE, NULL},
    {"on", FIELD_DATE, NULL},
};

static const struct filter TIMESERIES_PARAMS[] = {
    {"unit", FIELD_STRING, NULL},         {"from", FIELD_DATE, NULL},
    {"to", FIELD_DATE, NULL},             {"interval", FIELD_ENUM, INTERVALS},
    {"metric", FIELD_ENUM, METRICS},      {"on", FIELD_DATE, NULL},
};

enum { P_UNIT = 2, P_INTERVAL = 5, P_METRIC = 6 };

/*
 * Fills params[0..1] with the caller's scope and params[2..] with the declared query parameters
 * (NULL when absent or empty). A unit that is not a GSO code answers 404, as an unknown one does;
 * other bad values are field errors. False after recording the problem.
 */
static bool read_params_or_fail(request *r, const struct filter *decl, size_t n, const char **params)
{
    actor_params(r, params);
    for (size_t i = 0; i < n; i++) {
        const char *v = query_get(r, decl[i].name);
        if (v && !*v)
            v = NULL; /* ?unit= means the default, as forms send it */
        const char *problem = v ? query_filter_problem(&decl[i], v) : NULL;
        if (problem)
            request_field_error(r, decl[i].name, problem);
        params[2 + i] = v;
    }
    reversed_range_check(r, decl, n, params + 2);
    if (!request_fields_ok_or_fail(r))
        return false;
    if (params[P_UNIT] && check_unit_code(params[P_UNIT])) {
        request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code in your scope");
        return false;
    }
    return true;
}

int stats_overview(request *r)
{
    const char *params[2 + COUNT_OF(OVERVIEW_PARAMS)];
    if (!read_params_or_fail(r, OVERVIEW_PARAMS, COUNT_OF(OVERVIEW_PARAMS), params))
        return API_FAILED;
    PGresult *res = db_query(r, SQL_OVERVIEW, COUNT_OF(params), params);
    if (!res)
        return API_FAILED;
    const char *doc = db_value(res, 0);
    if (!doc)
        return request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code in your scope");
    return respond_json(r, 200, doc, 0);
}

int stats_timeseries(request *r)
{
    const char *params[2 + COUNT_OF(TIMESERIES_PARAMS)];
    if (!read_params_or_fail(r, TIMESERIES_PARAMS, COUNT_OF(TIMESERIES_PARAMS), params))
        return API_FAILED;
    if (!params[P_INTERVAL])
        params[P_INTERVAL] = "month";
    if (!params[P_METRIC])
        params[P_METRIC] = "activities";
    PGresult *res = db_query(r, SQL_TIMESERIES, COUNT_OF(params), params);
    if (!res)
        return API_FAILED;
    if (PQntuples(res) == 0)
        return request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code in your scope");

    const char *from = db_value(res, 0), *to = db_value(res, 1), *series = db_value(res, 3);
    long periods = atol(db_value(res, 2));
    if (strcmp(from, to) > 0)
        request_field_error(r, "from", "must not be after to (today when to is not given)");
    else if (periods > PERIODS_MAX)
        request_field_error(r, "from", arena_printf(r->arena, "the range spans %ld %ss; at most %d",
                                                    periods, params[P_INTERVAL], PERIODS_MAX));
    if (!request_fields_ok_or_fail(r))
        return API_FAILED;
    if (!series)
        return request_fail(r, PROBLEM_INTERNAL, NULL); /* cannot happen: from <= to gives a period */
    return respond_json(r, 200, series, 0);
}
