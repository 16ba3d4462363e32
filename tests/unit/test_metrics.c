/*
 * tests/unit/test_metrics.c — the counters of GET /metrics and their exposition text
 * (http/metrics.c): labels from the route table, cumulative buckets, import rows by outcome.
 */
#include <stdlib.h>

#include "check.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/router.h"

/* The value of the sample line that starts with prefix (name and labels), or -1 when absent. */
static double sample(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, prefix, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
    return -1;
}

static size_t route_index(const char *method, const char *pattern)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++)
        if (strcmp(ROUTES[i].method, method) == 0 && strcmp(ROUTES[i].pattern, pattern) == 0)
            return i;
    return ROUTE_COUNT;
}

int main(void)
{
    /* Room for every route and for "none". */
    CHECK(ROUTE_COUNT + 1 <= METRICS_MAX_ROUTES);

    size_t teams = route_index("GET", "/api/v1/teams/{id}");
    CHECK(teams < ROUTE_COUNT);
    metrics_count_request(teams, 200, 0.003);
    metrics_count_request(teams, 200, 0.2);
    metrics_count_request(teams, 404, 7);
    metrics_count_request(ROUTE_COUNT, 405, 0.001);
    metrics_count_pool_wait(DB_PRIMARY, 0, false);
    metrics_count_pool_wait(DB_PRIMARY, 5.2, true);
    metrics_count_import_rows("members", 3, 2, 1, 0);
    metrics_count_import_rows("members", 1, 0, 0, 4);
    metrics_count_import_rows("teams", 0, 0, 0, 2);

    buf out = {0};
    metrics_render(&out);
    const char *t = out.data;

    CHECK(sample(t, "cdt_http_requests_total{method=\"GET\",route=\"/api/v1/teams/{id}\",status=\"200\"}") == 2);
    CHECK(sample(t, "cdt_http_requests_total{method=\"GET\",route=\"/api/v1/teams/{id}\",status=\"404\"}") == 1);
    CHECK(sample(t, "cdt_http_requests_total{method=\"none\",route=\"none\",status=\"405\"}") == 1);
    /* Unused statuses and routes are not rendered. */
    CHECK(sample(t, "cdt_http_requests_total{method=\"GET\",route=\"/api/v1/teams/{id}\",status=\"500\"}") < 0);
    CHECK(!strstr(t, "route=\"/api/v1/units\""));

    /* Buckets are cumulative and +Inf is the count: 0.003 <= 0.005; 0.2 <= 0.25; 7 <= 10. */
#define TEAMS "cdt_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/teams/{id}\","
    CHECK(sample(t, TEAMS "le=\"0.005\"}") == 1);
    CHECK(sample(t, TEAMS "le=\"0.1\"}") == 1);
    CHECK(sample(t, TEAMS "le=\"0.25\"}") == 2);
    CHECK(sample(t, TEAMS "le=\"5\"}") == 2);
    CHECK(sample(t, TEAMS "le=\"10\"}") == 3);
    CHECK(sample(t, TEAMS "le=\"+Inf\"}") == 3);
    CHECK(sample(t, "cdt_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/teams/{id}\"}") == 3);
    double sum = sample(t, "cdt_http_request_duration_seconds_sum{method=\"GET\",route=\"/api/v1/teams/{id}\"}");
    CHECK(sum > 7.2 && sum < 7.21);

    CHECK(sample(t, "cdt_db_pool_wait_seconds_bucket{pool=\"primary\",le=\"0.0001\"}") == 1);
    CHECK(sample(t, "cdt_db_pool_wait_seconds_bucket{pool=\"primary\",le=\"5\"}") == 1);
    CHECK(sample(t, "cdt_db_pool_wait_seconds_count{pool=\"primary\"}") == 2);
    CHECK(sample(t, "cdt_db_pool_timeouts_total{pool=\"primary\"}") == 1);
    /* No replica configured: no read pool series. */
    CHECK(!strstr(t, "pool=\"read\""));

    CHECK(sample(t, "cdt_import_rows_total{resource=\"members\",outcome=\"inserted\"}") == 4);
    CHECK(sample(t, "cdt_import_rows_total{resource=\"members\",outcome=\"updated\"}") == 2);
    CHECK(sample(t, "cdt_import_rows_total{resource=\"members\",outcome=\"unchanged\"}") == 1);
    CHECK(sample(t, "cdt_import_rows_total{resource=\"members\",outcome=\"rejected\"}") == 4);
    CHECK(sample(t, "cdt_import_rows_total{resource=\"teams\",outcome=\"rejected\"}") == 2);
    CHECK(sample(t, "cdt_http_connections") == 0);

    /* Every family is announced once, HELP then TYPE, before its samples. */
    CHECK(strstr(t, "# HELP cdt_http_requests_total ") && strstr(t, "# TYPE cdt_http_requests_total counter\n"));
    CHECK(strstr(t, "# TYPE cdt_http_request_duration_seconds histogram\n"));
    CHECK(strstr(t, "# TYPE cdt_db_pool_wait_seconds histogram\n"));
    CHECK(strstr(t, "# TYPE cdt_http_connections gauge\n"));
    CHECK(t[out.len - 1] == '\n');
    buf_free(&out);
    CHECK_SUMMARY();
}
