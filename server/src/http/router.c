/*
 * http/router.c — matching the route table and the central checks every request passes.
 *
 * Order of the checks (each answers through the error catalogue, never the handler): route
 * (404/405), token (401), principal still allowed in (401: client revoked, user disabled or
 * password changed; auth/principals.h), role (403), read-only (403), media type (415), size
 * (413), UTF-8, a body cut short, JSON nesting deeper than JSON_MAX_DEPTH and JSON syntax (400);
 * a query value holding NUL (%00) answers 422 after the read-only check.
 * A query string over QUERY_MAX_BYTES answers 414 before any of them. Writes run in one
 * transaction committed only on success.
 *
 * CORS: an Origin listed in CORS_ALLOWED_ORIGINS gets Access-Control-Allow-Origin on every
 * answer (response.c adds it); others get no CORS header. OPTIONS is not a route: the dispatcher
 * answers it before the table, a preflight (Access-Control-Request-Method present) with 204 and
 * the path's methods when the Origin is allowed and 403 when it is not, a plain OPTIONS with 204
 * and Allow.
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

#include "auth/principals.h"
#include "db/db.h"
#include "http/edge.h"
#include "http/metrics.h"
#include "http/query.h"
#include "http/response.h"
#include "http/validate.h"
#include "util/log.h"
#include "util/utf8.h"

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

/* "GET, POST" for the routes of the request's path; "" when no route has the path. */
static const char *methods_of_path(request *r)
{
    buf methods = {0};
    const char *unused[MAX_PATH_PARAMS];
    buf_puts(&methods, "");
    for (size_t i = 0; i < ROUTE_COUNT; i++)
        if (pattern_matches(ROUTES[i].pattern, r->path, unused, MAX_PATH_PARAMS, NULL))
            buf_printf(&methods, "%s%s", methods.len ? ", " : "", ROUTES[i].method);
    const char *out = arena_strdup(r->arena, methods.data);
    buf_free(&methods);
    return out;
}

static void set_allow_header(request *r)
{
    r->extra_header = arena_printf(r->arena, "Allow: %s", methods_of_path(r));
}

/* The request's Origin when it is in the allow-list (exact match), else NULL. */
static const char *allowed_origin(request *r)
{
    const char *origin = mg_get_header(r->conn, "Origin");
    if (!origin)
        return NULL;
    for (size_t i = 0; i < server_config->cors_origin_count; i++)
        if (strcmp(origin, server_config->cors_origins[i]) == 0)
            return server_config->cors_origins[i];
    return NULL;
}

/* OPTIONS on an API path: a CORS preflight, or a plain question about the path's methods. */
static int answer_options(request *r)
{
    const char *methods = methods_of_path(r);
    if (!*methods)
        return request_fail(r, PROBLEM_NOT_FOUND, "No such endpoint");
    if (!mg_get_header(r->conn, "Access-Control-Request-Method")) {
        r->extra_header = arena_printf(r->arena, "Allow: %s", methods);
        return respond_empty(r, 204);
    }
    if (!r->cors_origin)
        return request_fail(r, PROBLEM_FORBIDDEN,
                            "This origin may not call the API from a browser (CORS_ALLOWED_ORIGINS)");
    r->extra_header = arena_printf(r->arena,
                                   "Access-Control-Allow-Methods: %s\r\n"
                                   "Access-Control-Allow-Headers: Authorization, Content-Type, If-Match, X-Request-Id\r\n"
                                   "Access-Control-Max-Age: 600",
                                   methods);
    return respond_empty(r, 204);
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

/*
 * Every field line of the given name joined by ", ", as RFC 9110 §5.3 combines a list-valued
 * field sent on several lines; NULL when there is none. Owned by the arena.
 */
static const char *header_list(request *r, const char *name)
{
    const struct mg_request_info *ri = mg_get_request_info(r->conn);
    const char *out = NULL;
    for (int i = 0; i < ri->num_headers; i++)
        if (strcasecmp(ri->http_headers[i].name, name) == 0)
            out = out ? arena_printf(r->arena, "%s, %s", out, ri->http_headers[i].value)
                      : ri->http_headers[i].value;
    return out;
}

/*
 * Sets r->claims from a valid token whose principal is still allowed in, with read_only as the
 * account is now (auth/principals.h); else records 401 or 503.
 */
static bool authenticated_or_fail(request *r)
{
    const char *h = mg_get_header(r->conn, "Authorization");
    struct claims *c = arena_alloc(r->arena, sizeof *c);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 ||
        !token_verify(&server_config->token, h + 7, time(NULL), c)) {
        r->extra_header = "WWW-Authenticate: Bearer";
        request_fail(r, PROBLEM_UNAUTHORIZED, "Sign in and send the access token as a Bearer token");
        return false;
    }
    switch (principals_check(r, c)) {
    case PRINCIPAL_OK:
        r->claims = c;
        return true;
    case PRINCIPAL_REJECTED:
        r->extra_header = "WWW-Authenticate: Bearer error=\"invalid_token\"";
        request_fail(r, PROBLEM_UNAUTHORIZED,
                     "The token is no longer valid (the account was disabled or its unit closed, its "
                     "password changed, or the client was revoked); obtain a new one");
        return false;
    case PRINCIPAL_ERROR:
        break;
    }
    return false; /* the database's problem is recorded */
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

/* Reads the whole body up to max bytes into out; false after recording 413 or 400. A client that
 * asks first (Expect: 100-continue, as curl does for a body over 1 MiB) is told to go on here:
 * civetweb leaves that to the handler, and curl otherwise waited a second before each such import
 * (RFC 9110 §10.1.1). A body too large is refused before it is sent. */
static bool read_body(request *r, size_t max, buf *out)
{
    const struct mg_request_info *ri = mg_get_request_info(r->conn);
    if (ri->content_length > (long long)max) {
        request_fail(r, PROBLEM_PAYLOAD_TOO_LARGE, "The body is larger than %zu bytes", max);
        return false;
    }
    const char *expect = mg_get_header(r->conn, "Expect");
    if (expect && strcasecmp(expect, "100-continue") == 0 && strcmp(ri->http_version, "1.1") == 0)
        mg_printf(r->conn, "HTTP/1.1 100 Continue\r\n\r\n");
    char chunk[16384];
    int n;
    while ((n = mg_read(r->conn, chunk, sizeof chunk)) > 0) {
        buf_append(out, chunk, (size_t)n);
        if (out->len > max) {
            request_fail(r, PROBLEM_PAYLOAD_TOO_LARGE, "The body is larger than %zu bytes", max);
            return false;
        }
    }
    /* A body cut short (the client went away mid-way) is not a smaller body: none of it is used. */
    if (n < 0 || (ri->content_length >= 0 && out->len != (size_t)ri->content_length)) {
        request_fail(r, PROBLEM_BAD_REQUEST, "The body ended before all of it arrived");
        return false;
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

/* True after recording 400 when the JSON text nests deeper than JSON_MAX_DEPTH (http/validate.h). */
static bool json_too_deep(request *r, const char *text, size_t len)
{
    long at = json_depth_exceeded_at(text, len, JSON_MAX_DEPTH);
    if (at < 0)
        return false;
    request_fail(r, PROBLEM_BAD_REQUEST, "The JSON nests objects and arrays deeper than %d levels (at byte %ld)",
                 JSON_MAX_DEPTH, at);
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
static bool read_raw_body(request *r, size_t max)
{
    const char *ct = mg_get_header(r->conn, "Content-Type");
    bool csv = media_type_is(ct, "text/csv");
    if (!csv && !media_type_is(ct, "application/json")) {
        request_fail(r, PROBLEM_UNSUPPORTED_MEDIA_TYPE, "Send the rows as text/csv or as a JSON array (application/json)");
        return false;
    }
    buf body = {0};
    if (!read_body(r, max, &body) ||
        (!csv && json_too_deep(r, body.data, body.len))) {
        buf_free(&body);
        return false;
    }
    arena_defer(r->arena, free_buf_data, body.data);
    r->raw_body = body.data;
    r->raw_len = body.len;
    r->raw_is_csv = csv;
    return true;
}

/*
 * Turns an application/x-www-form-urlencoded body into a JSON object of strings, so that a
 * handler reads a form as it reads JSON; false after recording 400 (a name twice, bad text).
 */
static bool parse_form_or_fail(request *r, const char *text, size_t len)
{
    cJSON *obj = cJSON_CreateObject();
    arena_defer(r->arena, delete_json, obj);
    char *name = arena_alloc(r->arena, len + 1), *value = arena_alloc(r->arena, len + 1);
    for (const char *p = text, *end = text + len; p < end;) {
        size_t n = strcspn(p, "&"); /* the body has no NUL and one after its end (read_body) */
        const char *eq = memchr(p, '=', n);
        size_t name_len = eq ? (size_t)(eq - p) : n;
        if (n > 0) {
            int nl = mg_url_decode(p, (int)name_len, name, (int)len + 1, 1);
            int vl = eq ? mg_url_decode(eq + 1, (int)(n - name_len - 1), value, (int)len + 1, 1) : 0;
            if (!eq)
                value[0] = '\0';
            if (nl <= 0) {
                request_fail(r, PROBLEM_BAD_REQUEST, "A form field has no name");
                return false;
            }
            if (vl < 0 || memchr(name, '\0', (size_t)nl) || memchr(value, '\0', (size_t)vl) ||
                !utf8_valid(name, (size_t)nl) || !utf8_valid(value, (size_t)vl)) {
                request_fail(r, PROBLEM_BAD_REQUEST, "The form body is not valid UTF-8 text");
                return false;
            }
            cJSON_AddItemToObject(obj, name, cJSON_CreateString(value));
        }
        p += n + 1;
    }
    /* Names are checked once all are in (json_repeated_names): one lookup per field was quadratic. */
    size_t count = (size_t)cJSON_GetArraySize(obj), at = 0;
    bool *repeated = arena_alloc(r->arena, (count ? count : 1) * sizeof *repeated);
    if (json_repeated_names(obj, repeated, count) > 0) {
        const cJSON *field = obj->child;
        while (!repeated[at])
            field = field->next, at++;
        request_field_error(r, field->string, "is given more than once");
        request_fail(r, PROBLEM_BAD_REQUEST, "A form field is given more than once");
        return false;
    }
    r->body = obj;
    return true;
}

/*
 * Reads and parses the JSON body (or, with form_too, a form body into the same JSON object);
 * false after recording 415, 413 or 400.
 */
static bool read_json_body(request *r, bool form_too, size_t max)
{
    const char *ct = mg_get_header(r->conn, "Content-Type");
    bool form = form_too && media_type_is(ct, "application/x-www-form-urlencoded");
    if (!form && !media_type_is(ct, "application/json")) {
        request_fail(r, PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                     form_too ? "Send the body as application/json or application/x-www-form-urlencoded"
                              : "Send the body as application/json");
        return false;
    }
    buf body = {0};
    bool ok = false;
    if (!read_body(r, max, &body)) {
        /* recorded */
    } else if (form) {
        ok = parse_form_or_fail(r, body.data, body.len);
    } else if (has_nul_escape(body.data, body.len)) {
        request_fail(r, PROBLEM_BAD_REQUEST, "Text may not contain the NUL character (\\u0000)");
    } else if (json_too_deep(r, body.data, body.len)) {
        /* recorded */
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

/*
 * 422 naming the parameter whose value holds NUL (%00), which every C string function would
 * cut short: ?q=%00 would read as no filter at all (http/query.h). False after recording it.
 */
static bool query_without_nul_or_fail(request *r)
{
    size_t at, len;
    if (!r->query || !query_nul_value(r->query, &at, &len))
        return true;
    char *name = arena_alloc(r->arena, len + 1);
    int n = mg_url_decode(r->query + at, (int)len, name, (int)len + 1, 1);
    /* The name goes back in the answer: it must be text (it cannot hold NUL, but may be bad UTF-8). */
    if (n < 0 || memchr(name, '\0', (size_t)n) || !utf8_valid(name, (size_t)n))
        name = "query";
    request_field_error(r, name, "must not contain the NUL character (%00)");
    request_fail(r, PROBLEM_VALIDATION, "A query parameter contains the NUL character (%%00)");
    return false;
}

static bool is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static int run_route(request *r, const struct route *route)
{
    /* Before the principal check, whose query borrows the connection the request keeps. */
    r->replica_ok = route->flags & ROUTE_REPLICA;
    if (route->access != ACCESS_PUBLIC) {
        if (!authenticated_or_fail(r))
            return API_FAILED;
        bool national = r->claims->role == ROLE_NATIONAL;
        if (route->access == ACCESS_PROVINCE && r->claims->role != ROLE_PROVINCE && !national)
            return request_fail(r, PROBLEM_FORBIDDEN, "Only province accounts may do this");
        if (route->access == ACCESS_ISSUER && r->claims->role != ROLE_PROVINCE &&
            r->claims->role != ROLE_DISTRICT && !national)
            return request_fail(r, PROBLEM_FORBIDDEN, "Only province and district accounts may do this");
        if (is_write(route->method) && r->claims->read_only)
            return request_fail(r, PROBLEM_FORBIDDEN, "This account is read-only");
    }
    if (!query_without_nul_or_fail(r))
        return API_FAILED;
    size_t max_body = (route->flags & ROUTE_SMALL_BODY) ? ROUTE_SMALL_BODY_MAX
                      : (route->flags & ROUTE_RAW_BODY)  ? server_config->import_max_body_bytes
                                                         : server_config->max_body_bytes;
    if ((route->flags & ROUTE_JSON_BODY) && !read_json_body(r, route->flags & ROUTE_FORM_BODY, max_body))
        return API_FAILED;
    if ((route->flags & ROUTE_RAW_BODY) && !read_raw_body(r, max_body))
        return API_FAILED;
    r->if_match = header_list(r, "If-Match"); /* if_match_or_fail reads it (http/request.h) */

    bool transaction = is_write(route->method) && !(route->flags & ROUTE_NO_TX);
    if (transaction && (!db_connect_or_fail(r) || !db_begin_or_fail(r)))
        return API_FAILED;
    r->route_data = route->data;
    int status = route->handler(r);
    if (transaction) {
        if (status == API_FAILED)
            db_rollback(r);
        else if (!db_commit_or_fail(r))
            status = API_FAILED;
    }
    if (status != API_FAILED && r->after_commit)
        r->after_commit(r->after_commit_arg); /* committed, or a ROUTE_NO_TX handler's own commit */
    if (status != API_FAILED && is_write(route->method) && route->access != ACCESS_PUBLIC) {
        /* Answered once its changes have their numbers in the feed (db/sequencer.c), with the
         * connection back in the pool meanwhile. Sign-in (public) writes nothing to the feed. */
        db_release(r);
        db_sequencer_wait(DB_SEQUENCER_WAIT_MS);
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
    assign_request_id(&r);
    if (strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0)
        return edge_outside_api(conn, r.method, path, r.request_id); /* health, readiness, web client */

    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    r.arena = arena_create();

    int status;
    int path_matched = 0;
    r.cors_origin = allowed_origin(&r);
    const struct route *route =
        router_match(r.method, path, r.params, MAX_PATH_PARAMS, r.arena, &path_matched);
    if (r.query && strlen(r.query) > QUERY_MAX_BYTES) {
        status = request_fail(&r, PROBLEM_URI_TOO_LONG, "The query string is longer than %d bytes",
                              QUERY_MAX_BYTES);
    } else if (strcmp(r.method, "OPTIONS") == 0) {
        status = answer_options(&r);
    } else if (route) {
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
    metrics_count_request(route ? (size_t)(route - ROUTES) : ROUTE_COUNT, sent, ms / 1e3);
    arena_destroy(r.arena);
    return sent;
}
