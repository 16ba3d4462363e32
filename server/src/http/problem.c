/*
 * http/problem.c — the error catalogue, the problem+json body, the SQLSTATE mapping and the
 * field codes (see problem.h).
 */
#include "http/problem.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
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

/*
 * The field codes, as PostgreSQL's errcodes.txt keeps its SQLSTATEs: one table, searched in
 * order, the first pattern the message begins with giving the code. Messages are written for
 * people all over the server (validate.c, the handlers, db.c's constraint messages, the SQL
 * functions' RAISEs, the import's checks), and other systems read them as they are; the code is
 * what the web client translates. A pattern is the message's printf format (or its beginning):
 * "%s", "%ld" and the like stand for any text. More specific patterns come before those they
 * begin with ("is required for " before "is required"); tests/unit/test_problem.c checks that
 * no pattern is hidden by an earlier one of another code.
 */
static const struct problem_field_pattern field_patterns[] = {
    /* A name the body, the query or the file may not hold, or holds twice. */
    {"is not a known field", "unknown_field"},
    {"is not a column of this import", "unknown_field"},
    {"is not a team kind", "unknown_field"},
    {"is set by the server and cannot be written", "read_only"},
    {"cannot be changed", "immutable"},
    {"cannot change: the unit exists as %s", "immutable"},
    {"is given more than once", "repeated"},
    {"the column appears twice in the header", "repeated"},

    /* Missing: required because of another field's value first, as "is required" begins them. */
    {"is required for ", "required_if"},
    {"is required below province level", "required_if"},
    {"needs valid_from", "required_if"},
    {"a later unit holds code %s: give this one the day it closed", "required_if"},
    {"is required", "required"},
    {"the required column is missing from the header", "required"},
    {"must be empty for ", "not_applicable"},
    {"is only for enterprise ", "not_applicable"},
    {"give either unit_code or enterprise_id, not both", "not_applicable"},
    {"cannot be given with after", "not_applicable"},
    {"this list has only the API's columns", "not_applicable"},

    /* The JSON type. "must be an integer" begins the range of "must be an integer from". */
    {"must be an integer from %ld to %ld", "range"},
    {"must be a string", "type"},
    {"must be an integer", "type"},
    {"must be a whole number", "type"},
    {"must be true or false", "type"},
    {"must be an object", "type"},
    {"must be an array", "type"},
    {"must map each key to a string", "type"},
    {"must be a JSON object", "type"},
    {"the body must be a JSON array of objects", "type"},

    /* Values out of their set, length or bounds. */
    {"must be one of:", "enum"},
    {"is not one of the allowed values", "enum"},
    {"has an unknown count", "enum"},
    {"must be month, quarter, half or year", "enum"},
    {"must be csv, xlsx or json", "enum"},
    {"must be api or labels", "enum"},
    {"must be html, pdf or json", "enum"},
    {"unsupported_grant_type", "enum"},
    {"can order by:", "enum"},
    {"%s, split: choose one of ", "enum"},
    {"%s of split unit ", "enum"},
    {"must not be empty", "too_short"},
    {"must be at least %ld characters", "too_short"},
    {"must be at most %ld characters", "too_long"},
    {"is too long", "too_long"},
    {"the row is larger than %zu bytes", "too_long"},
    {"must have at most %ld %s", "too_many"},
    {"must list at most %d values, each once", "too_many"},
    {"the header row has too many columns", "too_many"},
    {"an Excel sheet holds at most", "too_many"},
    {"the range spans %ld %ss; at most %d", "too_many"},
    {"must be between %ld and %ld", "range"},
    {"%s must be an integer from ", "range"},
    {"must be a non-negative integer", "range"},
    {"must be a year from 2000 to 2100", "range"},
    {"must be from 1 to %ld for a %s", "range"},
    {"must not repeat a ", "repeated_value"},

    /* The form of a text. */
    {"must be a date YYYY-MM-DD", "date"},
    {"must be a UUID", "uuid"},
    {"has a key that is not a UUID", "uuid"},
    {"must be a target's id", "uuid"},
    {"must be a phone number of 8 to 15 digits", "format"},
    {"must be an email address", "format"},
    {"must be a 10-digit tax code", "format"},
    {"must be a GSO code of 2, 3 or 5 digits", "format"},
    {"must be 3 to 64 characters of a-z", "format"},
    {"must be an http:// or https:// address", "format"},
    {"must not contain spaces or control characters", "format"},
    {"must not contain the NUL character", "format"},
    {"must be valid UTF-8", "format"},
    {"is not a cursor of this list", "format"},
    {"the file is empty: a header row is required", "format"},
    {"the header row has an unclosed quote", "format"},
    {"unclosed quote: the rest of the file cannot be read", "format"},
    {"the row has fewer cells than the header", "format"},
    {"the row has more cells than the header", "format"},

    /* Against what is stored. */
    {"already exists", "duplicate"},
    {"appears more than once in the file", "duplicate"},
    {"another unit holds this code in that period", "duplicate"},
    {"refers to a record that does not exist", "not_found"},
    {"refers to a unit that does not exist", "not_found"},
    {"no unit with this code", "not_found"},
    {"no unit %s on ", "not_found"},
    {"no enterprise with this ", "not_found"},
    {"no team with this ", "not_found"},
    {"must be a commune", "level"},
    {"must be a unit one level above", "level"},
    {"must be a unit at %s level", "level"},
    {"must be a level below the issuing unit", "level"},
    {"must have 2 digits for a province, 3 for a district, 5 for a commune", "level"},
    {"cannot place a unit under itself", "level"},
    {"has no open %s inside it to target", "level"},
    {"the commune was closed on %s", "unit_period"},
    {"unit %s is still valid: close it before its code passes on", "unit_period"},
    {"is outside your scope", "scope"},
    {"the %s outside your scope", "scope"},
    {"must be the commune where your enterprise is located", "scope"},
    {"an enterprise account imports only enterprise and organization teams", "scope"},
    /* "must not be after to" begins "must not be after today". */
    {"must not be after today (%s, Vietnam time)", "future_date"},
    {"must not be after to", "order"},
    {"must be after valid_from", "order"},
    {"must not be less than min_members", "order"},

    /* Doubts a write may go past with ?confirm=true (PROBLEM_CONFIRM). */
    {"has already ended (Vietnam time)", "confirm"},
    {"the same deadline was already issued", "confirm"},
    {"an active team of this name is already registered", "confirm"},
};

const struct problem_field_pattern *problem_field_patterns(size_t *n)
{
    *n = sizeof field_patterns / sizeof field_patterns[0];
    return field_patterns;
}

/* The length of the printf conversion p begins with ("%s", "%ld", "%.*s", "%zu"), else 0. */
static size_t conversion_length(const char *p)
{
    if (p[0] != '%')
        return 0;
    size_t n = 1 + strspn(p + 1, "-.*0123456789lz");
    return p[n] && strchr("sdu", p[n]) ? n + 1 : 0;
}

/*
 * Whether message begins with pattern, each conversion standing for one or more characters. A
 * conversion after a literal beginning is tried only on messages that begin so, and none of the
 * patterns that open with one has a second: the backtracking stays linear in the message.
 */
static bool begins_with(const char *pattern, const char *message)
{
    for (; *pattern; pattern++, message++) {
        size_t conv = conversion_length(pattern);
        if (conv) {
            for (size_t at = 1, len = strlen(message); at <= len; at++)
                if (begins_with(pattern + conv, message + at))
                    return true;
            return false;
        }
        if (*pattern != *message)
            return false;
    }
    return true;
}

const char *problem_field_code(const char *message)
{
    for (size_t i = 0; message && i < sizeof field_patterns / sizeof field_patterns[0]; i++)
        if (begins_with(field_patterns[i].pattern, message))
            return field_patterns[i].code;
    return "invalid";
}

void problem_add_field_error(cJSON *errors, long row, const char *field, const char *message)
{
    cJSON *e = cJSON_CreateObject();
    if (row != PROBLEM_NO_ROW)
        cJSON_AddNumberToObject(e, "row", (double)row);
    cJSON_AddStringToObject(e, "field", field);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddStringToObject(e, "code", problem_field_code(message));
    cJSON_AddItemToArray(errors, e);
}
