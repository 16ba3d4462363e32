/*
 * http/request.c — failure recording, success bodies and query access for handlers.
 */
#include "http/request.h"

#include <civetweb.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "http/client_address.h"
#include "http/router.h"

int request_fail(request *r, problem_kind kind, const char *detail_fmt, ...)
{
    r->problem = kind;
    if (detail_fmt) {
        char detail[512];
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(detail, sizeof detail, detail_fmt, ap);
        va_end(ap);
        r->problem_detail = arena_strdup(r->arena, detail);
    }
    return API_FAILED;
}

static void delete_json(void *p)
{
    cJSON_Delete(p);
}

void request_field_error(request *r, const char *field, const char *message)
{
    if (!r->problem_errors) {
        r->problem_errors = cJSON_CreateArray();
        arena_defer(r->arena, delete_json, r->problem_errors);
    }
    problem_add_field_error(r->problem_errors, PROBLEM_NO_ROW, field, message);
}

bool request_fields_ok_or_fail(request *r)
{
    if (!r->problem_errors || cJSON_GetArraySize(r->problem_errors) == 0)
        return true;
    request_fail(r, PROBLEM_VALIDATION, "%d field(s) failed validation",
                 cJSON_GetArraySize(r->problem_errors));
    return false;
}

void request_after_commit(request *r, void (*fn)(void *arg), void *arg)
{
    r->after_commit = fn;
    r->after_commit_arg = arg;
}

int respond_json(request *r, int status, const char *text, long version)
{
    r->content_type = "application/json";
    r->response_body = text;
    r->response_len = strlen(text);
    r->etag_version = version;
    return status;
}

int respond_empty(request *r, int status)
{
    r->response_body = NULL;
    r->response_len = 0;
    return status;
}

const char *query_get(request *r, const char *name)
{
    if (!r->query)
        return NULL;
    size_t qlen = strlen(r->query);
    size_t cap = qlen + 1;
    char *value = arena_alloc(r->arena, cap);
    int n = mg_get_var(r->query, qlen, name, value, cap);
    return n >= 0 ? value : NULL;
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/*
 * Anything that is not "*" or a list of entity-tags is malformed and matches nothing: a client
 * that sends If-Match wants the write only if the resource is as it last saw it, and a value we
 * cannot read says nothing about that (before, "abc", an unquoted 3 or a list let it through).
 */
if_match_result if_match_evaluate(const char *field, long current_version)
{
    char etag[32];
    int etag_len = snprintf(etag, sizeof etag, "\"%ld\"", current_version);
    const char *p = skip_ows(field);
    if (*p == '*')
        return *skip_ows(p + 1) ? IF_MATCH_MALFORMED : IF_MATCH_MATCHES;
    bool matched = false;
    for (;;) {
        p = skip_ows(p);
        if (*p == ',') { /* an empty list element (RFC 9110 §5.6.1.2) */
            p++;
            continue;
        }
        if (!*p)
            break;
        bool weak = strncmp(p, "W/", 2) == 0;
        const char *tag = weak ? p + 2 : p;
        if (*tag != '"')
            return IF_MATCH_MALFORMED;
        p = tag + 1;
        /* etagc: any visible character but '"', and obs-text */
        while (*p != '"' && (unsigned char)*p > 0x20 && *p != 0x7f)
            p++;
        if (*p != '"')
            return IF_MATCH_MALFORMED;
        p++;
        if (!weak && p - tag == etag_len && memcmp(tag, etag, (size_t)etag_len) == 0)
            matched = true;
        p = skip_ows(p);
        if (*p && *p != ',')
            return IF_MATCH_MALFORMED;
    }
    return matched ? IF_MATCH_MATCHES : IF_MATCH_NO_MATCH;
}

bool if_match_or_fail(request *r, long current_version)
{
    if (!r->if_match)
        return true;
    switch (if_match_evaluate(r->if_match, current_version)) {
    case IF_MATCH_MATCHES:
        return true;
    case IF_MATCH_NO_MATCH:
        request_fail(r, PROBLEM_PRECONDITION_FAILED,
                     "If-Match names no current version: the current ETag is \"%ld\"", current_version);
        return false;
    case IF_MATCH_MALFORMED:
        break;
    }
    request_fail(r, PROBLEM_PRECONDITION_FAILED,
                 "If-Match must be * or a list of ETags such as \"%ld\" (the current one)", current_version);
    return false;
}

const char *request_client_address(request *r)
{
    const struct mg_request_info *info = mg_get_request_info(r->conn);
    char *out = arena_alloc(r->arena, CLIENT_ADDRESS_MAX);
    client_address(info->remote_addr, mg_get_header(r->conn, "X-Forwarded-For"),
                   server_config->trusted_proxies, server_config->trusted_proxy_count, out,
                   CLIENT_ADDRESS_MAX);
    return out;
}
