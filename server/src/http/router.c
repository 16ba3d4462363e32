/*
 * http/router.c — matching the route table and the central checks every request passes.
 *
 * Order of the checks (each answers through the error catalogue, never the handler): route
 * (404/405), token (401), role (403), read-only (403), media type (415), size (413), UTF-8 and
 * JSON syntax (400). Writes run in one transaction committed only on success.
 */
#include "http/router.h"

#include <civetweb.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "db/db.h"
#include "http/metrics.h"
#include "http/response.h"
#include "http/validate.h"
#include "util/log.h"

const struct server_config *server_config;

const char *access_name(access_level a)
{
    switch (a) {
    case ACCESS_PUBLIC:
        return "public";
    case ACCESS_USER:
        return "user";
    case ACCESS_PROVINCE:
        return "province";
    case ACCESS_ISSUER:
        return "issuer";
    }
    return "?";
}

/* Matches one pattern; captured segments are copied into the arena. */
static bool pattern_matches(const char *pattern, const char *path, const char **params,
                            size_t max_params, arena *a)
{
    size_t n = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            size_t len = strcspn(path, "/");
            if (len == 0 || n >= max_params)
                return false;
            if (a)
                params[n] = arena_strndup(a, path, len);
            n++;
            pattern = close + 1;
            path += len;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

const struct route *router_match(const char *method, const char *path, const char **params,
                                 size_t max_params, arena *a, int *path_matched)
{
    *path_matched = 0;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (!pattern_matches(ROUTES[i].pattern, path, params, max_params, NULL))
            continue;
        if (strcmp(ROUTES[i].method, method) == 0) {
            pattern_matches(ROUTES[i].pattern, path, params, max_params, a);
            return &ROUTES[i];
        }
        *path_matched = 1;
    }
    return NULL;
}

static void set_allow_header(request *r)
{
    buf allow = {0};
    const char *unused[MAX_PATH_PARAMS];
    buf_puts(&allow, "Allow: ");
    bool first = true;
    for (size_t i = 0; i < ROUTE_COUNT; i++)
        if (pattern_matches(ROUTES[i].pattern, r->path, unused, MAX_PATH_PARAMS, NULL)) {
            buf_printf(&allow, "%s%s", first ? "" : ", ", ROUTES[i].method);
            first = false;
        }
    r->extra_header = arena_strdup(r->arena, allow.data);
    buf_free(&allow);
}

static bool request_id_acceptable(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return false;
    for (; *id; id++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:", *id))
            return false;
    return true;
}

static void assign_request_id(request *r)
{
    const char *given = mg_get_header(r->conn, "X-Request-Id");
    if (given && request_id_acceptable(given)) {
        snprintf(r->request_id, sizeof r->request_id, "%s", given);
        return;
    }
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        memset(raw, 0, sizeof raw);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(r->request_id + 2 * i, 3, "%02x", raw[i]);
}

static long parse_if_match(const char *h)
{
    if (!h)
        return -1;
    while (*h == ' ')
        h++;
    if (strcmp(h, "*") == 0)
        return 0;
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    long v = 0;
    char tail = 0;
    if (sscanf(h, "\"%ld\"%c", &v, &tail) == 1 && v > 0)
        return v;
    return -2; /* matches no version: answers 412 */
}

static struct claims *authenticate(request *r)
{
    const char *h = mg_get_header(r->conn, "Authorization");
    struct claims *c = arena_alloc(r->arena, sizeof *c);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 ||
        !token_verify(&server_config->token, h + 7, time(NULL), c))
        return NULL;
    return c;
}

static void delete_json(void *p)
{
    cJSON_Delete(p);
}

/* True when the JSON text has a \u0000 escape, which cJSON would silently cut the string at. */
static bool has_nul_escape(const char *text, size_t len)
{
    for (const char *p = text; (p = memchr(p, '\\', len - (size_t)(p - text))); ) {
        size_t run = 0;
        while (p + run < text + len && p[run] == '\\')
            run++;
        p += run;
        if (run % 2 == 1 && text + len - p >= 5 && p[0] == 'u' && strncmp(p + 1, "0000", 4) == 0)
            return true;
    }
    return false;
}

/* Reads the whole body up to max bytes into out; false after recording 413 or 400. */
static bool read_body(request *r, size_t max, buf *out)
{
    const struct mg_request_info *ri = mg_get_request_info(r->conn);
    if (ri->content_length > (long long)max) {
        request_fail(r, PROBLEM_PAYLOAD_TOO_LARGE, "The body is larger than %zu bytes", max);
        return false;
    }
    char chunk[16384];
    int n;
    while ((n = mg_read(r->conn, chunk, sizeof chunk)) > 0) {
        buf_append(out, chunk, (size_t)n);
        if (out->len > max) {
            request_fail(r, PROBLEM_PAYLOAD_TOO_LARGE, "The body is larger than %zu bytes", max);
            return false;
        }
    }
    if (out->len == 0) {
        request_fail(r, PROBLEM_BAD_REQUEST, "A request body is required");
        return false;
    }
    if (!utf8_valid(out->data, out->len) || memchr(out->data, '\0', out->len)) {
        request_fail(r, PROBLEM_BAD_REQUEST, "The body is not valid UTF-8 text");
        return false;
    }
    return true;
}

static bool media_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return ct && strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void free_buf_data(void *p)
{
    free(p);
}

/* Keeps a text/csv or JSON body as bytes for the handler; false after recording the problem. */
static bool read_raw_body(request *r)
{
    const char *ct = mg_get_header(r->conn, "Content-Type");
    bool csv = media_type_is(ct, "text/csv");
    if (!csv && !media_type_is(ct, "application/json")) {
        request_fail(r, PROBLEM_UNSUPPORTED_MEDIA_TYPE, "Send the rows as text/csv or as a JSON array (application/json)");
        return false;
    }
    buf body = {0};
    if (!read_body(r, server_config->import_max_body_bytes, &body)) {
        buf_free(&body);
        return false;
    }
    arena_defer(r->arena, free_buf_data, body.data);
    r->raw_body = body.data;
    r->raw_len = body.len;
    r->raw_is_csv = csv;
    return true;
}

/* Reads and parses the JSON body; false after recording 415, 413 or 400. */
static bool read_json_body(request *r)
{
    if (!media_type_is(mg_get_header(r->conn, "Content-Type"), "application/json")) {
        request_fail(r, PROBLEM_UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json");
        return false;
    }
    buf body = {0};
    bool ok = false;
    if (!read_body(r, server_config->max_body_bytes, &body)) {
        /* recorded */
    } else if (has_nul_escape(body.data, body.len)) {
        request_fail(r, PROBLEM_BAD_REQUEST, "Text may not contain the NUL character (\\u0000)");
    } else {
        const char *end = NULL;
        /* buf keeps a NUL after the data: parsing through it rejects trailing garbage. */
        r->body = cJSON_ParseWithLengthOpts(body.data, body.len + 1, &end, 1);
        if (r->body) {
            arena_defer(r->arena, delete_json, r->body);
            ok = true;
        } else {
            /* cJSON sets end to where parsing failed (its global error pointer is not thread-safe). */
            size_t at = end && end >= body.data ? (size_t)(end - body.data) : 0;
            request_fail(r, PROBLEM_BAD_REQUEST, "Malformed JSON at byte %zu", at);
        }
    }
    buf_free(&body);
    return ok;
}

static bool is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static int run_route(request *r, const struct route *route)
{
    if (route->access != ACCESS_PUBLIC) {
        r->claims = authenticate(r);
        if (!r->claims) {
            r->extra_header = "WWW-Authenticate: Bearer";
            return request_fail(r, PROBLEM_UNAUTHORIZED, "Sign in and send the access token as a Bearer token");
        }
        if (route->access == ACCESS_PROVINCE && r->claims->role != ROLE_PROVINCE)
            return request_fail(r, PROBLEM_FORBIDDEN, "Only province accounts may do this");
        if (route->access == ACCESS_ISSUER && r->claims->role != ROLE_PROVINCE &&
            r->claims->role != ROLE_DISTRICT)
            return request_fail(r, PROBLEM_FORBIDDEN, "Only province and district accounts may do this");
        if (is_write(route->method) && r->claims->read_only)
            return request_fail(r, PROBLEM_FORBIDDEN, "This account is read-only");
    }
    if ((route->flags & ROUTE_JSON_BODY) && !read_json_body(r))
        return API_FAILED;
    if ((route->flags & ROUTE_RAW_BODY) && !read_raw_body(r))
        return API_FAILED;
    r->if_match = parse_if_match(mg_get_header(r->conn, "If-Match"));

    bool transaction = is_write(route->method) && !(route->flags & ROUTE_NO_TX);
    if (transaction && (!db_connect_or_fail(r) || !db_begin_or_fail(r)))
        return API_FAILED;
    int status = route->handler(r);
    if (transaction) {
        if (status == API_FAILED)
            db_rollback(r);
        else if (!db_commit_or_fail(r))
            status = API_FAILED;
    }
    return status;
}

int router_dispatch(struct mg_connection *conn, void *unused)
{
    (void)unused;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *path = ri->local_uri ? ri->local_uri : "/";
    request r = {0};
    r.conn = conn;
    r.method = ri->request_method;
    r.path = path;
    r.query = ri->query_string;
    r.if_match = -1;
    assign_request_id(&r);
    if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0)
        return response_outside_api(conn, path, r.request_id); /* health, readiness, web client */

    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    r.arena = arena_create();

    int status;
    int path_matched = 0;
    const struct route *route =
        router_match(r.method, path, r.params, MAX_PATH_PARAMS, r.arena, &path_matched);
    if (route) {
        status = run_route(&r, route);
    } else if (path_matched) {
        set_allow_header(&r);
        status = request_fail(&r, PROBLEM_METHOD_NOT_ALLOWED, "%s is not allowed here", r.method);
    } else {
        status = request_fail(&r, PROBLEM_NOT_FOUND, "No such endpoint");
    }
    db_release(&r);

    int sent = r.streamed                ? status
               : status == API_FAILED ? response_send_problem(&r)
                                      : response_send(&r, status);
    struct timespec done;
    clock_gettime(CLOCK_MONOTONIC, &done);
    double ms = (double)(done.tv_sec - started.tv_sec) * 1e3 + (double)(done.tv_nsec - started.tv_nsec) / 1e6;
    log_request(r.request_id, r.method, path, sent, ms, r.claims ? r.claims->sub : NULL);
    metrics_count_request(sent, ms / 1e3);
    arena_destroy(r.arena);
    return sent;
}
