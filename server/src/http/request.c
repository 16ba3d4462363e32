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
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "field", field);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddItemToArray(r->problem_errors, e);
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

bool if_match_or_fail(request *r, long current_version)
{
    if (r->if_match < 0 || r->if_match == 0 || r->if_match == current_version)
        return true;
    request_fail(r, PROBLEM_PRECONDITION_FAILED,
                 "If-Match names version %ld but the current version is %ld", r->if_match,
                 current_version);
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
