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
 * docs/reporting.md. The overview also answers CSV (format=csv, as the lists do): one row per
 * child unit and a totals row, with the API's names or, with columns=labels, Vietnamese headers
 * and the rates (sql/functions/46_reports.sql).
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

/* The figures export: $1 the overview document -> one row per child unit, then the totals. */
static const char SQL_OVERVIEW_ROWS[] = "SELECT x::text FROM stats_overview_rows($1::json) x";
static const char SQL_OVERVIEW_LABELS[] = "SELECT x::text FROM stats_overview_labels($1::json) x";

/* columns=api: the unit's code, name and level ("total" on the totals row), then the figures. */
static const char *const OVERVIEW_COLUMNS[] = {
    "code", "name", "level", "communes_total", "communes_with_team", "teams_active",
    "teams_compliant", "members_active", "members_trained", "activities", "people_reached",
    "vneid_activations", "public_service_applications", "cashless_accounts", "ecommerce_shops",
    "app_installs", "people_trained", "targets_pending", "targets_overdue", "targets_done_on_time",
    "targets_done_late", "on_time_rate", "hamlets_with_team", "coverage_rate", "compliance_rate",
    "trained_rate", NULL,
};

/* columns=labels: stats_overview_labels(), sql/functions/46_reports.sql (with the rates). */
static const struct column OVERVIEW_LABEL_COLUMNS[] = {
    {"Mã đơn vị", COLUMN_AUTO}, {"Đơn vị", COLUMN_AUTO}, {"Từ ngày", COLUMN_DATE},
    {"Đến ngày", COLUMN_DATE}, {"Số xã, phường, thị trấn", COLUMN_AUTO},
    {"Số xã có tổ", COLUMN_AUTO}, {"Tỷ lệ xã có tổ", COLUMN_PERCENT},
    {"Số khu phố, ấp có tổ", COLUMN_AUTO},
    {"Tổ đang hoạt động", COLUMN_AUTO}, {"Tổ đạt cơ cấu", COLUMN_AUTO},
    {"Tỷ lệ tổ đạt cơ cấu", COLUMN_PERCENT}, {"Thành viên", COLUMN_AUTO},
    {"Thành viên đã tập huấn", COLUMN_AUTO}, {"Tỷ lệ đã tập huấn", COLUMN_PERCENT},
    {"Số hoạt động", COLUMN_AUTO}, {"Số người được hỗ trợ", COLUMN_AUTO},
    {"Tài khoản định danh điện tử được kích hoạt", COLUMN_AUTO},
    {"Hồ sơ dịch vụ công trực tuyến", COLUMN_AUTO}, {"Tài khoản thanh toán được mở", COLUMN_AUTO},
    {"Gian hàng thương mại điện tử", COLUMN_AUTO}, {"Lượt cài đặt ứng dụng", COLUMN_AUTO},
    {"Người được tập huấn kỹ năng số", COLUMN_AUTO}, {"Nhiệm vụ chưa đến hạn", COLUMN_AUTO},
    {"Nhiệm vụ quá hạn", COLUMN_AUTO}, {"Hoàn thành đúng hạn", COLUMN_AUTO},
    {"Hoàn thành trễ hạn", COLUMN_AUTO}, {"Tỷ lệ đúng hạn", COLUMN_PERCENT}, {0},
};

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
    export_kind export = export_wanted(r); /* its field errors join the parameters' */
    if (!read_params_or_fail(r, OVERVIEW_PARAMS, COUNT_OF(OVERVIEW_PARAMS), params))
        return API_FAILED;
    PGresult *res = db_query(r, SQL_OVERVIEW, COUNT_OF(params), params);
    if (!res)
        return API_FAILED;
    const char *doc = db_value(res, 0);
    if (!doc)
        return request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code in your scope");
    if (export.format != EXPORT_NONE)
        return export_rows(r, export.format, "stats-overview", "Số liệu tổng hợp",
                           export.labels ? OVERVIEW_LABEL_COLUMNS : columns_named(r->arena, OVERVIEW_COLUMNS),
                           export.labels ? SQL_OVERVIEW_LABELS : SQL_OVERVIEW_ROWS, 1, &doc);
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
