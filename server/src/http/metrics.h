/*
 * http/metrics.h — process counters exposed at GET /metrics in Prometheus text format (0.0.4).
 *
 * Every counter is a lock-free atomic kept for the life of the process; GET /metrics renders
 * them. Label values come from bounded sets only: a route is its pattern in the route table
 * (api/routes.c), never the path asked for; an import resource is one of the import routes'.
 * The families (deploy/README.md lists them for operators):
 *   cdt_http_requests_total{method,route,status}         counter
 *   cdt_http_request_duration_seconds{method,route}     histogram
 *   cdt_db_pool_wait_seconds{pool}                      histogram of every borrow's wait
 *   cdt_db_pool_timeouts_total{pool}                    borrows that waited 5 s in vain (503)
 *   cdt_db_read_fallbacks_total                         replica unreachable: read from the primary
 *   cdt_import_rows_total{resource,outcome}             rows of imports (not dry runs)
 *   cdt_deadline_periods_rolled_total, cdt_deadline_roll_failures_total
 *   cdt_http_connections, cdt_http_connections_refused_total (http/edge.h)
 */
#ifndef CDT_HTTP_METRICS_H
#define CDT_HTTP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/mem.h"

/* Routes the counters have room for; more in the table is a build error caught by test_router. */
enum { METRICS_MAX_ROUTES = 96 };

/*
 * Counts one finished API request: route is its index in ROUTES, or ROUTE_COUNT when none
 * matched (404, 405, OPTIONS, 414: route "none"). Thread-safe, lock-free.
 */
void metrics_count_request(size_t route, int status, double seconds);

/* One borrow from pool DB_PRIMARY or DB_READ (db/db.h): how long it waited, and if in vain. */
void metrics_count_pool_wait(int pool, double seconds, bool timed_out);

/* A read that was to go to the replica went to the primary (db/pool.c). */
void metrics_count_read_fallback(void);

/*
 * The rows of one import that was not a dry run, by outcome: written as new, changed, found
 * unchanged, or rejected (bad rows: skipped with atomic=false, or the reason nothing was written).
 * resource must live as long as the process (a string constant).
 */
void metrics_count_import_rows(const char *resource, long inserted, long updated, long unchanged, long rejected);

/* One run of the deadline roller (api/deadlines.c): periods it made, or a failure. */
void metrics_count_deadline_roll(long periods, bool failed);

/* Appends the exposition text to out. */
void metrics_render(buf *out);

#endif
