/*
 * http/response.c — the only place response headers and bodies are written.
 */
#include "http/response.h"

#include <civetweb.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db/db.h"
#include "http/metrics.h"
#include "http/router.h"

const char *const SECURITY_HEADERS[][2] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
     "frame-ancestors 'none'; form-action 'self'"},
    {NULL, NULL},
};

/* The headers a cross-origin caller may read besides the CORS-safelisted ones. */
static const char CORS_EXPOSED[] = "ETag, Location, X-Request-Id";

/*
 * A response head is built whole and written with its body in one mg_write. civetweb's
 * mg_response_header_send writes the status line and each header with a send() of its own; with
 * tcp_nodelay each goes out as a packet of its own, and a dozen system calls and packets per
 * answer are what the HTTP layer spent most on (docs/performance.md §6.5, §7 #7).
 */

/* What civetweb decides after the answer (should_keep_alive), said to the client beforehand. */
static bool keep_alive(struct mg_connection *conn)
{
    const char *connection = mg_get_header(conn, "Connection");
    if (connection) {
        /* A comma-separated list of options: keep-alive must be one of them. */
        for (const char *p = connection; *p;) {
            p += strspn(p, " \t,");
            size_t n = strcspn(p, " \t,");
            if (n == 10 && strncasecmp(p, "keep-alive", 10) == 0)
                return true;
            p += n;
        }
        return false;
    }
    const char *version = mg_get_request_info(conn)->http_version;
    return version && strcmp(version, "1.1") == 0;
}

static void add_header(buf *head, const char *name, const char *value)
{
    buf_printf(head, "%s: %s\r\n", name, value);
}

/* length < 0: chunked. cors_origin: an allowed Origin (the dispatcher checked it) or NULL.
 * csp: the answer's own Content-Security-Policy (the periodic report's), or NULL for the server's. */
static void start_head(buf *head, struct mg_connection *conn, int status, const char *content_type,
                       long length, const char *request_id, const char *cors_origin, const char *csp)
{
    const char *version = mg_get_request_info(conn)->http_version;
    char date[40];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    buf_printf(head, "HTTP/%s %d %s\r\n", version ? version : "1.1", status,
               mg_get_response_code_text(conn, status));
    add_header(head, "Date", date);
    add_header(head, "Connection", keep_alive(conn) ? "keep-alive" : "close");
    if (content_type)
        add_header(head, "Content-Type", content_type);
    if (length >= 0)
        buf_printf(head, "Content-Length: %ld\r\n", length);
    else
        add_header(head, "Transfer-Encoding", "chunked");
    add_header(head, "Cache-Control", "no-store");
    if (request_id)
        add_header(head, "X-Request-Id", request_id);
    for (int i = 0; SECURITY_HEADERS[i][0]; i++) {
        bool policy = strcmp(SECURITY_HEADERS[i][0], "Content-Security-Policy") == 0;
        add_header(head, SECURITY_HEADERS[i][0], policy && csp ? csp : SECURITY_HEADERS[i][1]);
    }
    if (cors_origin) {
        add_header(head, "Access-Control-Allow-Origin", cors_origin);
        add_header(head, "Vary", "Origin");
        add_header(head, "Access-Control-Expose-Headers", CORS_EXPOSED);
    }
}

/* Ends the head and writes it, with the body unless the request is HEAD, in one write. */
static void send_head_and_body(buf *head, struct mg_connection *conn, const char *body, size_t len)
{
    buf_puts(head, "\r\n");
    const char *method = mg_get_request_info(conn)->request_method;
    if (body && len && !(method && strcmp(method, "HEAD") == 0))
        buf_append(head, body, len);
    mg_write(conn, head->data, head->len);
    buf_free(head);
}

int response_send(request *r, int status)
{
    bool has_body = r->response_body && status != 204;
    buf head = {0};
    start_head(&head, r->conn, status, has_body ? r->content_type : NULL,
               has_body ? (long)r->response_len : 0, r->request_id, r->cors_origin,
               r->content_security_policy);
    if (r->etag_version > 0)
        buf_printf(&head, "ETag: \"%ld\"\r\n", r->etag_version);
    if (r->location)
        add_header(&head, "Location", r->location);
    if (r->extra_header)
        buf_printf(&head, "%s\r\n", r->extra_header);
    send_head_and_body(&head, r->conn, has_body ? r->response_body : NULL, r->response_len);
    return status;
}

void response_stream_begin(request *r, const char *content_type, const char *filename)
{
    buf head = {0};
    start_head(&head, r->conn, 200, content_type, -1, r->request_id, r->cors_origin, NULL);
    buf_printf(&head, "Content-Disposition: attachment; filename=\"%s\"\r\n", filename);
    send_head_and_body(&head, r->conn, NULL, 0);
    r->streamed = true;
}

int response_send_problem(request *r)
{
    const struct problem_info *info = problem_info(r->problem ? r->problem : PROBLEM_INTERNAL);
    char *text = problem_body(info, r->problem_detail, r->request_id, r->problem_errors);
    r->response_body = arena_strdup(r->arena, text);
    r->response_len = strlen(text);
    r->content_type = "application/problem+json";
    r->etag_version = 0;
    r->location = NULL;
    cJSON_free(text);
    return response_send(r, info->status);
}

static int send_small(struct mg_connection *conn, int status, const char *type, const char *text,
                      const char *request_id)
{
    buf head = {0};
    start_head(&head, conn, status, type, (long)strlen(text), request_id, NULL, NULL);
    send_head_and_body(&head, conn, text, strlen(text));
    return status;
}

int response_outside_api(struct mg_connection *conn, const char *path, const char *request_id)
{
    static const char json[] = "application/json";
    if (strcmp(path, "/healthz") == 0)
        return send_small(conn, 200, json, "{\"status\":\"ok\"}", request_id);
    if (strcmp(path, "/readyz") == 0)
        return db_ready(server_config->migrations_dir)
                   ? send_small(conn, 200, json, "{\"status\":\"ready\"}", request_id)
                   : send_small(conn, 503, json, "{\"status\":\"unavailable\"}", request_id);
    if (strcmp(path, "/metrics") == 0) {
        buf text = {0};
        metrics_render(&text);
        int status = send_small(conn, 200, "text/plain; version=0.0.4; charset=utf-8", text.data, request_id);
        buf_free(&text);
        return status;
    }
    return 0;
}
