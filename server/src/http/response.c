/*
 * http/response.c — the only place response headers and bodies are written.
 */
#include "http/response.h"

#include <civetweb.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* length < 0: chunked. cors_origin: an allowed Origin (the dispatcher checked it) or NULL. */
static void start_headers(struct mg_connection *conn, int status, const char *content_type,
                          long length, const char *request_id, const char *cors_origin)
{
    char len[32];
    snprintf(len, sizeof len, "%ld", length);
    mg_response_header_start(conn, status);
    if (content_type)
        mg_response_header_add(conn, "Content-Type", content_type, -1);
    if (length >= 0)
        mg_response_header_add(conn, "Content-Length", len, -1);
    else
        mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
    mg_response_header_add(conn, "Cache-Control", "no-store", -1);
    if (request_id)
        mg_response_header_add(conn, "X-Request-Id", request_id, -1);
    for (int i = 0; SECURITY_HEADERS[i][0]; i++)
        mg_response_header_add(conn, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1], -1);
    if (cors_origin) {
        mg_response_header_add(conn, "Access-Control-Allow-Origin", cors_origin, -1);
        mg_response_header_add(conn, "Vary", "Origin", -1);
        mg_response_header_add(conn, "Access-Control-Expose-Headers", CORS_EXPOSED, -1);
    }
}

/* Adds "Name: value" lines, several joined by \r\n. */
static void add_header_lines(struct mg_connection *conn, const char *lines)
{
    while (*lines) {
        size_t len = strcspn(lines, "\r\n");
        const char *colon = memchr(lines, ':', len);
        if (colon) {
            char name[64], value[512];
            snprintf(name, sizeof name, "%.*s", (int)(colon - lines), lines);
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            snprintf(value, sizeof value, "%.*s", (int)(lines + len - v), v);
            mg_response_header_add(conn, name, value, -1);
        }
        lines += len;
        lines += strspn(lines, "\r\n");
    }
}

int response_send(request *r, int status)
{
    bool has_body = r->response_body && status != 204;
    start_headers(r->conn, status, has_body ? r->content_type : NULL,
                  has_body ? (long)r->response_len : 0, r->request_id, r->cors_origin);
    if (r->etag_version > 0) {
        char etag[32];
        snprintf(etag, sizeof etag, "\"%ld\"", r->etag_version);
        mg_response_header_add(r->conn, "ETag", etag, -1);
    }
    if (r->location)
        mg_response_header_add(r->conn, "Location", r->location, -1);
    if (r->extra_header)
        add_header_lines(r->conn, r->extra_header);
    mg_response_header_send(r->conn);
    if (has_body && strcmp(r->method, "HEAD") != 0)
        mg_write(r->conn, r->response_body, r->response_len);
    return status;
}

void response_stream_begin(request *r, const char *content_type, const char *filename)
{
    start_headers(r->conn, 200, content_type, -1, r->request_id, r->cors_origin);
    char disposition[160];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
    mg_response_header_add(r->conn, "Content-Disposition", disposition, -1);
    mg_response_header_send(r->conn);
    r->streamed = true;
}

int response_send_problem(request *r)
{
    const struct problem_info *info = problem_info(r->problem ? r->problem : PROBLEM_INTERNAL);
    cJSON *p = cJSON_CreateObject();
    char type[96];
    snprintf(type, sizeof type, "https://cdt.example/problems/%s", info->slug);
    cJSON_AddStringToObject(p, "type", type);
    cJSON_AddStringToObject(p, "title", info->title);
    cJSON_AddNumberToObject(p, "status", info->status);
    cJSON_AddStringToObject(p, "detail", r->problem_detail ? r->problem_detail : info->title);
    cJSON_AddStringToObject(p, "request_id", r->request_id);
    if (r->problem_errors)
        cJSON_AddItemReferenceToObject(p, "errors", r->problem_errors);
    else
        cJSON_AddItemToObject(p, "errors", cJSON_CreateArray());
    char *text = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
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
    start_headers(conn, status, type, (long)strlen(text), request_id, NULL);
    mg_response_header_send(conn);
    mg_write(conn, text, strlen(text));
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
        char text[2048];
        metrics_render(text, sizeof text);
        return send_small(conn, 200, "text/plain; version=0.0.4", text, request_id);
    }
    return 0;
}
