/*
 * http/edge.c — civetweb's own errors as problem+json, the methods outside /api, and the drain
 * before a stop (see edge.h).
 */
#include "http/edge.h"

#include <civetweb.h>
#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "http/problem.h"
#include "http/response.h"
#include "http/router.h"
#include "util/log.h"

/* The statuses civetweb answers by itself, with the kind and a detail that names no file. */
static const struct {
    int status;
    problem_kind kind;
    const char *detail;
} known[] = {
    {400, PROBLEM_BAD_REQUEST, "The request line or a header is malformed"},
    {403, PROBLEM_FORBIDDEN, "This path is not served"},
    {404, PROBLEM_NOT_FOUND, "No such file"},
    {405, PROBLEM_METHOD_NOT_ALLOWED, "Only GET and HEAD are allowed outside /api"},
    {413, PROBLEM_PAYLOAD_TOO_LARGE, "The request is too large"},
    {414, PROBLEM_URI_TOO_LONG, "The request URI is too long"},
    {431, PROBLEM_HEADERS_TOO_LARGE,
     "The request line and headers must end within " EDGE_MAX_REQUEST_HEAD_TEXT " bytes"},
    {500, PROBLEM_INTERNAL, NULL},
    {503, PROBLEM_UNAVAILABLE, "The server is busy or stopping; try again shortly"},
};

static void new_request_id(char *out, size_t cap)
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        memset(raw, 0, sizeof raw);
    for (size_t i = 0; i < sizeof raw && 2 * i + 2 < cap; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/*
 * Sends the problem+json answer of info (problem_body) with the headers every answer carries, and
 * the header `extra` ("Name: value", or NULL); false if civetweb refused.
 */
static bool send_problem(struct mg_connection *conn, const struct problem_info *info, const char *detail,
                         const char *request_id, const char *extra)
{
    char *text = problem_body(info, detail, request_id, NULL);
    char len[24];
    snprintf(len, sizeof len, "%zu", strlen(text));
    bool ok = mg_response_header_start(conn, info->status) == 0;
    if (ok) {
        mg_response_header_add(conn, "Content-Type", "application/problem+json", -1);
        mg_response_header_add(conn, "Content-Length", len, -1);
        mg_response_header_add(conn, "Cache-Control", "no-store", -1);
        mg_response_header_add(conn, "X-Request-Id", request_id, -1);
        for (int i = 0; SECURITY_HEADERS[i][0]; i++)
            mg_response_header_add(conn, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1], -1);
        if (extra)
            mg_response_header_add_lines(conn, extra);
        mg_response_header_send(conn);
        const struct mg_request_info *ri = mg_get_request_info(conn);
        if (!ri || !ri->request_method || strcmp(ri->request_method, "HEAD") != 0)
            mg_write(conn, text, strlen(text));
    }
    cJSON_free(text);
    return ok;
}

int edge_http_error(struct mg_connection *conn, int status, const char *message)
{
    if (status < 400)
        return 1; /* no body to write: civetweb's own answer is right */
    /* civetweb reports a request head that did not end within max_request_size this way. */
    if (status == 400 && message && strcmp(message, "Malformed message") == 0)
        status = 431;
    char request_id[40];
    new_request_id(request_id, sizeof request_id);
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    log_event(status >= 500 ? "error" : "warn", request_id, "answered by civetweb", code,
              message ? message : "");

    problem_kind kind = PROBLEM_NONE;
    const char *detail = NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].status == status)
            kind = known[i].kind, detail = known[i].detail;
    /* A status the catalogue has no kind for: about:blank, titled by its reason phrase. */
    struct problem_info blank = {status, NULL, mg_get_response_code_text(conn, status)};
    const struct problem_info *info = kind != PROBLEM_NONE ? problem_info(kind) : &blank;
    return send_problem(conn, info, detail, request_id, status == 405 ? "Allow: GET, HEAD" : NULL) ? 0 : 1;
}

int edge_outside_api(struct mg_connection *conn, const char *method, const char *path,
                     const char *request_id)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "%.32s is not allowed here: only GET and HEAD", method);
        send_problem(conn, problem_info(PROBLEM_METHOD_NOT_ALLOWED), detail, request_id, "Allow: GET, HEAD");
        return 405;
    }
    return response_outside_api(conn, path, request_id);
}

/*
 * Requests admitted and not yet answered, and whether edge_drain began. Sequentially consistent:
 * a request adds itself before it reads `draining`, edge_drain sets `draining` before it reads
 * the count, so either the drain waits for the request or the request sees the drain.
 */
static atomic_int in_flight;
static atomic_bool draining;

/* The connections workers hold (edge.h), the limit, and how many were turned away. */
static atomic_int open_connections;
static int max_connections = 1 << 30;
static atomic_ulong refused_connections;

/*
 * Whether the connection this worker thread holds came over the limit. civetweb calls
 * init_connection in the worker that then serves the connection until it closes, so the thread
 * is the connection here; the conn_data init_connection may hand back did not survive to the
 * request handler in civetweb 1.15 (it read NULL there), hence a thread-local.
 */
static _Thread_local bool over_limit;

void edge_limit_connections(int max)
{
    max_connections = max;
}

int edge_connection_opened(const struct mg_connection *conn, void **conn_data)
{
    (void)conn, (void)conn_data;
    over_limit = atomic_fetch_add(&open_connections, 1) + 1 > max_connections;
    if (over_limit)
        atomic_fetch_add(&refused_connections, 1);
    return 0;
}

void edge_connection_closed(const struct mg_connection *conn)
{
    (void)conn;
    atomic_fetch_sub(&open_connections, 1);
}

void edge_connection_counts(int *open, unsigned long *refused)
{
    *open = atomic_load(&open_connections);
    *refused = atomic_load(&refused_connections);
}

/* A 503 problem+json; `extra` as for send_problem. */
static int refuse(struct mg_connection *conn, const char *detail, const char *extra)
{
    char request_id[40];
    new_request_id(request_id, sizeof request_id);
    send_problem(conn, problem_info(PROBLEM_UNAVAILABLE), detail, request_id, extra);
    return 503;
}

int edge_dispatch(struct mg_connection *conn, void *cbdata)
{
    /* Answered whatever it asks, /healthz included (a busy instance is one to route around), and
     * closed, so that the spare worker it holds is free again at once. */
    if (over_limit) {
        mg_disable_connection_keep_alive(conn);
        return refuse(conn, "The server is serving as many connections as it may; try again shortly",
                      "Retry-After: 1");
    }
    atomic_fetch_add(&in_flight, 1);
    if (atomic_load(&draining)) {
        atomic_fetch_sub(&in_flight, 1);
        return refuse(conn, "The server is stopping; send the request again", NULL);
    }
    int status = router_dispatch(conn, cbdata);
    atomic_fetch_sub(&in_flight, 1);
    return status;
}

bool edge_drain(int seconds)
{
    atomic_store(&draining, true);
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (int waited = 0; atomic_load(&in_flight) > 0; waited++) {
        if (waited * 20 >= seconds * 1000)
            return false;
        nanosleep(&pause, NULL);
    }
    return true;
}
