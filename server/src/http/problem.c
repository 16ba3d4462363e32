/*
 * http/problem.c — the error catalogue, the problem+json body and the SQLSTATE mapping (see
 * problem.h).
 */
#include "http/problem.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct problem_info catalogue[] = {
    [PROBLEM_NONE] = {200, "none", "OK"},
    [PROBLEM_BAD_REQUEST] = {400, "bad-request", "Malformed request"},
    [PROBLEM_UNAUTHORIZED] = {401, "unauthorized", "Authentication required"},
    [PROBLEM_FORBIDDEN] = {403, "forbidden", "Not allowed"},
    [PROBLEM_NOT_FOUND] = {404, "not-found", "Not found"},
    [PROBLEM_METHOD_NOT_ALLOWED] = {405, "method-not-allowed", "Method not allowed"},
    [PROBLEM_CONFLICT] = {409, "conflict", "Conflict"},
    [PROBLEM_PRECONDITION_FAILED] = {412, "precondition-failed", "Version mismatch"},
    [PROBLEM_PAYLOAD_TOO_LARGE] = {413, "payload-too-large", "Request body too large"},
    [PROBLEM_UNSUPPORTED_MEDIA_TYPE] = {415, "unsupported-media-type", "Unsupported media type"},
    [PROBLEM_VALIDATION] = {422, "validation", "Validation failed"},
    [PROBLEM_TOO_MANY_REQUESTS] = {429, "too-many-requests", "Too many attempts"},
    [PROBLEM_INTERNAL] = {500, "internal", "Internal error"},
    [PROBLEM_UNAVAILABLE] = {503, "unavailable", "Service unavailable"},
    [PROBLEM_URI_TOO_LONG] = {414, "uri-too-long", "Request URI too long"},
    [PROBLEM_HEADERS_TOO_LARGE] = {431, "headers-too-large", "Request header fields too large"},
    [PROBLEM_CONFIRM] = {409, "confirmation-required", "Confirmation required"},
};

const struct problem_info *problem_info(problem_kind kind)
{
    if ((unsigned)kind >= sizeof catalogue / sizeof catalogue[0])
        kind = PROBLEM_INTERNAL;
    return &catalogue[kind];
}

char *problem_body(const struct problem_info *info, const char *detail, const char *request_id,
                   cJSON *errors)
{
    cJSON *p = cJSON_CreateObject();
    char type[96] = "about:blank";
    if (info->slug)
        snprintf(type, sizeof type, "https://cdt.example/problems/%s", info->slug);
    cJSON_AddStringToObject(p, "type", type);
    cJSON_AddStringToObject(p, "title", info->title);
    cJSON_AddNumberToObject(p, "status", info->status);
    cJSON_AddStringToObject(p, "detail", detail ? detail : info->title);
    cJSON_AddStringToObject(p, "request_id", request_id);
    if (errors)
        cJSON_AddItemReferenceToObject(p, "errors", errors);
    else
        cJSON_AddItemToObject(p, "errors", cJSON_CreateArray());
    char *text = cJSON_PrintUnformatted(p);
    cJSON_Delete(p); /* a reference: errors itself stays the caller's */
    if (!text)
        abort(); /* cJSON fails only on allocation */
    return text;
}

static const struct {
    const char *sqlstate;  /* full code, or a two-character class */
    problem_kind kind;
    int retry;
} sqlstates[] = {
    {"23505", PROBLEM_CONFLICT, 0},        /* unique_violation */
    {"23503", PROBLEM_VALIDATION, 0},      /* foreign_key_violation: a reference to nothing */
    {"23514", PROBLEM_VALIDATION, 0},      /* check_violation */
    {"23502", PROBLEM_VALIDATION, 0},      /* not_null_violation */
    {"23P01", PROBLEM_CONFLICT, 0},        /* exclusion_violation: a unit code taken in that period */
    {"22P02", PROBLEM_BAD_REQUEST, 0},     /* invalid_text_representation */
    {"22007", PROBLEM_BAD_REQUEST, 0},     /* invalid_datetime_format */
    {"22008", PROBLEM_BAD_REQUEST, 0},     /* datetime_field_overflow */
    {"22003", PROBLEM_BAD_REQUEST, 0},     /* numeric_value_out_of_range */
    {"22021", PROBLEM_BAD_REQUEST, 0},     /* character_not_in_repertoire */
    {"40001", PROBLEM_CONFLICT, 1},        /* serialization_failure */
    {"40P01", PROBLEM_CONFLICT, 1},        /* deadlock_detected */
    {"55P03", PROBLEM_CONFLICT, 0},        /* lock_not_available */
    {"08", PROBLEM_UNAVAILABLE, 0},        /* connection exceptions */
    {"57014", PROBLEM_UNAVAILABLE, 0},     /* query_canceled: statement_timeout (db/pool.c) */
    {"57P01", PROBLEM_UNAVAILABLE, 0},     /* admin_shutdown */
    {"57P02", PROBLEM_UNAVAILABLE, 0},     /* crash_shutdown */
    {"57P03", PROBLEM_UNAVAILABLE, 0},     /* cannot_connect_now */
};

problem_kind problem_from_sqlstate(const char *sqlstate, int *retry)
{
    if (retry)
        *retry = 0;
    if (!sqlstate)
        return PROBLEM_UNAVAILABLE; /* no SQLSTATE: libpq lost the server */
    for (size_t i = 0; i < sizeof sqlstates / sizeof sqlstates[0]; i++) {
        size_t n = strlen(sqlstates[i].sqlstate);
        if (strncmp(sqlstate, sqlstates[i].sqlstate, n) == 0) {
            if (retry)
                *retry = sqlstates[i].retry;
            return sqlstates[i].kind;
        }
    }
    return PROBLEM_INTERNAL;
}
