/*
 * http/metrics.c — request counters by status class and total latency, kept with atomics.
 */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdio.h>

#include "http/edge.h"

static atomic_ulong by_class[6]; /* index status / 100: 1xx..5xx */
static atomic_ulong micros_total;

void metrics_count_request(int status, double seconds)
{
    int cls = status / 100;
    if (cls < 1 || cls > 5)
        cls = 5;
    atomic_fetch_add_explicit(&by_class[cls], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&micros_total, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

size_t metrics_render(char *out, size_t cap)
{
    unsigned long count = 0;
    int n = snprintf(out, cap,
                     "# HELP cdt_http_requests_total API requests answered, by status class.\n"
                     "# TYPE cdt_http_requests_total counter\n");
    for (int cls = 1; cls <= 5 && n >= 0 && (size_t)n < cap; cls++) {
        unsigned long v = atomic_load_explicit(&by_class[cls], memory_order_relaxed);
        count += v;
        n += snprintf(out + n, cap - (size_t)n, "cdt_http_requests_total{status=\"%dxx\"} %lu\n", cls, v);
    }
    if (n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n,
                      "# HELP cdt_http_request_duration_seconds Time spent answering API requests.\n"
                      "# TYPE cdt_http_request_duration_seconds summary\n"
                      "cdt_http_request_duration_seconds_sum %.6f\n"
                      "cdt_http_request_duration_seconds_count %lu\n",
                      (double)atomic_load_explicit(&micros_total, memory_order_relaxed) / 1e6, count);
    int open;
    unsigned long refused;
    edge_connection_counts(&open, &refused);
    if (n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n,
                      "# HELP cdt_http_connections Connections held by worker threads now.\n"
                      "# TYPE cdt_http_connections gauge\n"
                      "cdt_http_connections %d\n"
                      "# HELP cdt_http_connections_refused_total Connections answered 503 for HTTP_MAX_CONNECTIONS.\n"
                      "# TYPE cdt_http_connections_refused_total counter\n"
                      "cdt_http_connections_refused_total %lu\n",
                      open, refused);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
