/*
 * http/metrics.c — the counters of GET /metrics, kept with atomics, and their exposition text.
 *
 * Requests are counted per route of the table and status (statuses 100 to 599, each its own
 * counter, zero until used: only those used are rendered), their durations in one histogram per
 * route. Histograms keep one counter per bucket (not cumulative) and the sum in microseconds; the
 * text renders them cumulative, as Prometheus expects.
 */
#include "http/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "db/db.h"
#include "http/edge.h"
#include "http/router.h"

/* Upper bounds of the buckets, in seconds; +Inf follows. */
static const double REQUEST_BOUNDS[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
static const double POOL_BOUNDS[] = {0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
enum {
    REQUEST_BUCKETS = sizeof REQUEST_BOUNDS / sizeof REQUEST_BOUNDS[0] + 1,
    POOL_BUCKETS = sizeof POOL_BOUNDS / sizeof POOL_BOUNDS[0] + 1,
    STATUS_MIN = 100,
    STATUS_SPAN = 500,
    IMPORT_SLOTS = 16,
};

struct histogram {
    atomic_ulong buckets[REQUEST_BUCKETS > POOL_BUCKETS ? REQUEST_BUCKETS : POOL_BUCKETS];
    atomic_ulong sum_micros;
};

/* Index METRICS_MAX_ROUTES - 1 at most; the last used is ROUTE_COUNT ("none"). */
static atomic_ulong requests[METRICS_MAX_ROUTES][STATUS_SPAN];
static struct histogram durations[METRICS_MAX_ROUTES];
static struct histogram pool_waits[2];
static atomic_ulong pool_timeouts[2], read_fallbacks, periods_rolled, roll_failures;

static const char *const IMPORT_OUTCOMES[] = {"inserted", "updated", "unchanged", "rejected"};
enum { OUTCOMES = sizeof IMPORT_OUTCOMES / sizeof IMPORT_OUTCOMES[0] };
/* One slot per import resource, claimed on its first import. */
static struct {
    _Atomic(const char *) resource;
    atomic_ulong rows[OUTCOMES];
} imports[IMPORT_SLOTS];
static pthread_mutex_t imports_lock = PTHREAD_MUTEX_INITIALIZER;

static void observe(struct histogram *h, const double *bounds, size_t nbounds, double seconds)
{
    size_t b = 0;
    while (b < nbounds && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&h->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_micros, (unsigned long)(seconds > 0 ? seconds * 1e6 : 0), memory_order_relaxed);
}

void metrics_count_request(size_t route, int status, double seconds)
{
    if (route >= METRICS_MAX_ROUTES)
        route = METRICS_MAX_ROUTES - 1;
    if (status < STATUS_MIN || status >= STATUS_MIN + STATUS_SPAN)
        status = 500;
    atomic_fetch_add_explicit(&requests[route][status - STATUS_MIN], 1, memory_order_relaxed);
    observe(&durations[route], REQUEST_BOUNDS, REQUEST_BUCKETS - 1, seconds);
}

void metrics_count_pool_wait(int pool, double seconds, bool timed_out)
{
    pool = pool == DB_READ ? DB_READ : DB_PRIMARY;
    observe(&pool_waits[pool], POOL_BOUNDS, POOL_BUCKETS - 1, seconds);
    if (timed_out)
        atomic_fetch_add_explicit(&pool_timeouts[pool], 1, memory_order_relaxed);
}

void metrics_count_read_fallback(void)
{
    atomic_fetch_add_explicit(&read_fallbacks, 1, memory_order_relaxed);
}

void metrics_count_import_rows(const char *resource, long inserted, long updated, long unchanged, long rejected)
{
    int slot = -1;
    for (int i = 0; i < IMPORT_SLOTS && slot < 0; i++) {
        const char *name = atomic_load(&imports[i].resource);
        if (!name) {
            /* Claimed under the lock, so that two first imports of one resource share a slot. */
            pthread_mutex_lock(&imports_lock);
            for (int k = i; k < IMPORT_SLOTS && slot < 0; k++) {
                const char *held = atomic_load(&imports[k].resource);
                if (!held)
                    atomic_store(&imports[k].resource, resource);
                if (!held || strcmp(held, resource) == 0)
                    slot = k;
            }
            pthread_mutex_unlock(&imports_lock);
        } else if (strcmp(name, resource) == 0) {
            slot = i;
        }
    }
    if (slot < 0)
        return; /* more resources than slots: a programming error, not worth failing an import */
    const long rows[OUTCOMES] = {inserted, updated, unchanged, rejected};
    for (int o = 0; o < OUTCOMES; o++)
        if (rows[o] > 0)
            atomic_fetch_add_explicit(&imports[slot].rows[o], (unsigned long)rows[o], memory_order_relaxed);
}

void metrics_count_deadline_roll(long periods, bool failed)
{
    if (periods > 0)
        atomic_fetch_add_explicit(&periods_rolled, (unsigned long)periods, memory_order_relaxed);
    if (failed)
        atomic_fetch_add_explicit(&roll_failures, 1, memory_order_relaxed);
}

static unsigned long load(atomic_ulong *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

static void family(buf *out, const char *name, const char *type, const char *help)
{
    buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The samples of one histogram; labels is "" or `name="value",...` with a trailing comma. */
static void render_histogram(buf *out, const char *name, const char *labels, struct histogram *h,
                             const double *bounds, size_t nbounds)
{
    unsigned long cumulative = 0;
    for (size_t b = 0; b <= nbounds; b++) {
        cumulative += load(&h->buckets[b]);
        if (b < nbounds)
            buf_printf(out, "%s_bucket{%sle=\"%g\"} %lu\n", name, labels, bounds[b], cumulative);
        else
            buf_printf(out, "%s_bucket{%sle=\"+Inf\"} %lu\n", name, labels, cumulative);
    }
    size_t len = strlen(labels);
    /* The same labels without the trailing comma, in braces, or nothing. */
    buf_printf(out, "%s_sum%s%.*s%s %.6f\n", name, len ? "{" : "", len ? (int)len - 1 : 0, labels,
               len ? "}" : "", (double)load(&h->sum_micros) / 1e6);
    buf_printf(out, "%s_count%s%.*s%s %lu\n", name, len ? "{" : "", len ? (int)len - 1 : 0, labels,
               len ? "}" : "", cumulative);
}

static unsigned long histogram_count(struct histogram *h, size_t nbuckets)
{
    unsigned long n = 0;
    for (size_t b = 0; b < nbuckets; b++)
        n += load(&h->buckets[b]);
    return n;
}

static void route_labels(size_t route, const char **method, const char **pattern)
{
    *method = route < ROUTE_COUNT ? ROUTES[route].method : "none";
    *pattern = route < ROUTE_COUNT ? ROUTES[route].pattern : "none";
}

void metrics_render(buf *out)
{
    size_t routes = ROUTE_COUNT + 1 < METRICS_MAX_ROUTES ? ROUTE_COUNT + 1 : METRICS_MAX_ROUTES;
    const char *method, *pattern;

    family(out, "cdt_http_requests_total", "counter",
           "API requests answered, by route of the route table (none: no route matched) and status.");
    for (size_t r = 0; r < routes; r++)
        for (int s = 0; s < STATUS_SPAN; s++) {
            unsigned long v = load(&requests[r][s]);
            if (!v)
                continue;
            route_labels(r, &method, &pattern);
            buf_printf(out, "cdt_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %lu\n", method,
                       pattern, STATUS_MIN + s, v);
        }

    family(out, "cdt_http_request_duration_seconds", "histogram",
           "Time from the request's head to the end of its answer, by route.");
    for (size_t r = 0; r < routes; r++) {
        if (!histogram_count(&durations[r], REQUEST_BUCKETS))
            continue;
        route_labels(r, &method, &pattern);
        char labels[160];
        snprintf(labels, sizeof labels, "method=\"%s\",route=\"%s\",", method, pattern);
        render_histogram(out, "cdt_http_request_duration_seconds", labels, &durations[r], REQUEST_BOUNDS,
                         REQUEST_BUCKETS - 1);
    }

    static const char *const POOLS[] = {"primary", "read"};
    int npools = db_read_pool_configured() ? 2 : 1;
    family(out, "cdt_db_pool_wait_seconds", "histogram",
           "Time a request waited for a database connection of the pool (0 when one was free).");
    for (int p = 0; p < npools; p++) {
        char labels[32];
        snprintf(labels, sizeof labels, "pool=\"%s\",", POOLS[p]);
        render_histogram(out, "cdt_db_pool_wait_seconds", labels, &pool_waits[p], POOL_BOUNDS, POOL_BUCKETS - 1);
    }
    family(out, "cdt_db_pool_timeouts_total", "counter",
           "Requests answered 503 because no connection of the pool came free within 5 s.");
    for (int p = 0; p < npools; p++)
        buf_printf(out, "cdt_db_pool_timeouts_total{pool=\"%s\"} %lu\n", POOLS[p], load(&pool_timeouts[p]));
    family(out, "cdt_db_read_fallbacks_total", "counter",
           "Times the read replica (DATABASE_READ_URL) could not be reached and the primary served its reads.");
    buf_printf(out, "cdt_db_read_fallbacks_total %lu\n", load(&read_fallbacks));

    family(out, "cdt_import_rows_total", "counter",
           "Rows of imports (dry runs not counted), by resource and outcome.");
    for (int i = 0; i < IMPORT_SLOTS; i++) {
        const char *resource = atomic_load(&imports[i].resource);
        for (int o = 0; resource && o < OUTCOMES; o++)
            buf_printf(out, "cdt_import_rows_total{resource=\"%s\",outcome=\"%s\"} %lu\n", resource,
                       IMPORT_OUTCOMES[o], load(&imports[i].rows[o]));
    }

    family(out, "cdt_deadline_periods_rolled_total", "counter",
           "Periods of recurring deadlines made by this process's roller.");
    buf_printf(out, "cdt_deadline_periods_rolled_total %lu\n", load(&periods_rolled));
    family(out, "cdt_deadline_roll_failures_total", "counter", "Runs of the deadline roller that failed.");
    buf_printf(out, "cdt_deadline_roll_failures_total %lu\n", load(&roll_failures));

    int open;
    unsigned long refused;
    edge_connection_counts(&open, &refused);
    family(out, "cdt_http_connections", "gauge", "Connections held by worker threads now.");
    buf_printf(out, "cdt_http_connections %d\n", open);
    family(out, "cdt_http_connections_refused_total", "counter", "Connections answered 503 for HTTP_MAX_CONNECTIONS.");
    buf_printf(out, "cdt_http_connections_refused_total %lu\n", refused);
}
