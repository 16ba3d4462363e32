/*
 * http/metrics.h — process counters exposed at GET /metrics in Prometheus text format.
 */
#ifndef CDT_HTTP_METRICS_H
#define CDT_HTTP_METRICS_H

#include <stddef.h>

/* Counts one finished API request. Thread-safe, lock-free. */
void metrics_count_request(int status, double seconds);

/* Writes the exposition text into out (NUL-terminated, truncated to cap). Returns its length. */
size_t metrics_render(char *out, size_t cap);

#endif
