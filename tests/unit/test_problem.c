/*
 * tests/unit/test_problem.c — the error catalogue, the problem+json body, the SQLSTATE mapping and
 * the field codes (http/problem.c).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "check.h"
#include "http/problem.h"
#include "http/query.h"
#include "http/validate.h"

/* Replaces each conversion of a pattern by "x": a message the pattern was written for. */
static void instance_of(const char *pattern, char *out, size_t cap)
{
    size_t used = 0;
    for (const char *p = pattern; *p && used + 2 < cap;) {
        size_t n = p[0] == '%' ? 1 + strspn(p + 1, "-.*0123456789lz") : 0;
        if (n && p[n] && strchr("sdu", p[n])) {
            out[used++] = 'x';
            p += n + 1;
        } else {
            out[used++] = *p++;
        }
    }
    out[used] = '\0';
}

static int uncoded;

/* A validator's message: every one it can give has a code of its own. */
static void coded_sink(void *ctx, const char *field, const char *message)
{
    (void)ctx;
    if (strcmp(problem_field_code(message), "invalid") == 0) {
        uncoded++;
        fprintf(stderr, "no field code for %s: \"%s\"\n", field, message);
    }
}

static const char *const CHOICES[] = {"a", "b", NULL};
static const struct field FIELDS[] = {
    {"id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"code", FIELD_STRING, FIELD_IMMUTABLE, 0, 0, NULL, check_unit_code},
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 5, NULL, NULL},
    {"long", FIELD_STRING, 0, 3, 0, NULL, NULL},
    {"phone", FIELD_STRING, 0, 0, 0, NULL, check_phone},
    {"email", FIELD_STRING, 0, 0, 0, NULL, check_email},
    {"tax_code", FIELD_STRING, 0, 0, 0, NULL, check_tax_code},
    {"kind", FIELD_ENUM, 0, 0, 0, CHOICES, NULL},
    {"on", FIELD_DATE, 0, 0, 0, NULL, NULL},
    {"ref", FIELD_UUID, 0, 0, 0, NULL, NULL},
    {"year", FIELD_INT, 0, 1900, FIELD_MAX_THIS_YEAR, NULL, NULL},
    {"count", FIELD_INT, 0, 0, 10, NULL, NULL},
    {"flag", FIELD_BOOL, 0, 0, 0, NULL, NULL},
    {"outcomes", FIELD_COUNTS, 0, 0, 10, CHOICES, NULL},
    {"tags", FIELD_ENUM_LIST, 0, 0, 0, CHOICES, NULL},
    {"units", FIELD_TEXT_LIST, 0, 0, 2, NULL, check_unit_code},
    {"map", FIELD_UUID_MAP, 0, 0, 2, NULL, NULL},
};

#define U1 "0b8e4a0e-8f6e-4d3a-9a59-2c1f0b7f2a11"
#define U2 "1b8e4a0e-8f6e-4d3a-9a59-2c1f0b7f2a11"

/* Bodies that, between them, reach every message validate_object and the checks can give. */
static const char *const BAD_BODIES[] = {
    "[]",
    "{\"name\": \"ab\", \"name\": \"cd\", \"unknown\": 1, \"id\": \"x\"}",
    "{\"name\": null}",
    "{\"name\": 1, \"long\": \"ab\", \"phone\": \"12\", \"email\": \"no\", \"tax_code\": \"1\", \"code\": \"1\"}",
    "{\"name\": \"\", \"kind\": \"c\", \"on\": \"2026-02-30\", \"ref\": \"x\", \"year\": 1800, \"count\": 1.5}",
    "{\"name\": \"toolong\", \"count\": 11, \"flag\": 1, \"outcomes\": [], \"tags\": {}, \"units\": {}, \"map\": []}",
    "{\"outcomes\": {\"c\": 1}, \"tags\": [\"a\", \"b\", \"a\"], \"units\": [\"1\", \"2\", \"3\"]}",
    "{\"outcomes\": {\"a\": 11}, \"tags\": [\"c\"], \"units\": [1], \"map\": {\"k\": \"v\"}}",
    "{\"outcomes\": {\"a\": 1, \"a\": 2}, \"tags\": [\"a\", \"a\"], \"units\": [\"79\", \"79\"]}",
    "{\"units\": [\"7\"], \"map\": {\"" U1 "\": 1}}",
    "{\"map\": {\"" U1 "\": \"v\", \"" U1 "\": \"w\"}}",
    "{\"map\": {\"" U1 "\": \"v\", \"" U2 "\": \"w\", \"k\": \"x\"}}",
};

int main(void)
{
    CHECK(problem_info(PROBLEM_VALIDATION)->status == 422);
    CHECK(problem_info(PROBLEM_UNAUTHORIZED)->status == 401);
    CHECK(problem_info(PROBLEM_PRECONDITION_FAILED)->status == 412);
    CHECK(problem_info((problem_kind)999)->status == 500);
    int retry;
    CHECK(problem_from_sqlstate("23505", &retry) == PROBLEM_CONFLICT && !retry);
    CHECK(problem_from_sqlstate("23503", &retry) == PROBLEM_VALIDATION);
    CHECK(problem_from_sqlstate("22P02", &retry) == PROBLEM_BAD_REQUEST);
    CHECK(problem_from_sqlstate("40001", &retry) == PROBLEM_CONFLICT && retry);
    CHECK(problem_from_sqlstate("08006", &retry) == PROBLEM_UNAVAILABLE);
    CHECK(problem_from_sqlstate(NULL, &retry) == PROBLEM_UNAVAILABLE);
    CHECK(problem_from_sqlstate("42P01", &retry) == PROBLEM_INTERNAL);
    CHECK(problem_info(PROBLEM_URI_TOO_LONG)->status == 414);
    CHECK(problem_info(PROBLEM_HEADERS_TOO_LARGE)->status == 431);
    CHECK(problem_info(PROBLEM_CONFIRM)->status == 409);
    for (int k = PROBLEM_BAD_REQUEST; k <= PROBLEM_CONFIRM; k++)
        CHECK(problem_info((problem_kind)k)->status >= 400);

    /* The body: its members in this order, detail defaulting to the title, errors [] when none. */
    char *body = problem_body(problem_info(PROBLEM_NOT_FOUND), NULL, "r1", NULL);
    CHECK_STR(body, "{\"type\":\"https://cdt.example/problems/not-found\",\"title\":\"Not found\","
                    "\"status\":404,\"detail\":\"Not found\",\"request_id\":\"r1\",\"errors\":[]}");
    cJSON_free(body);
    struct problem_info blank = {418, NULL, "I'm a teapot"};
    body = problem_body(&blank, "short and stout", "r2", NULL);
    CHECK_STR(body, "{\"type\":\"about:blank\",\"title\":\"I'm a teapot\",\"status\":418,"
                    "\"detail\":\"short and stout\",\"request_id\":\"r2\",\"errors\":[]}");
    cJSON_free(body);
    cJSON *errors = cJSON_CreateArray();
    problem_add_field_error(errors, PROBLEM_NO_ROW, "name", "is required");
    problem_add_field_error(errors, 0, "", "the body must be a JSON array of objects");
    body = problem_body(problem_info(PROBLEM_VALIDATION), "2 field(s) failed validation", "r3", errors);
    CHECK_STR(body, "{\"type\":\"https://cdt.example/problems/validation\",\"title\":\"Validation failed\","
                    "\"status\":422,\"detail\":\"2 field(s) failed validation\",\"request_id\":\"r3\","
                    "\"errors\":[{\"field\":\"name\",\"message\":\"is required\",\"code\":\"required\"},"
                    "{\"row\":0,\"field\":\"\",\"message\":\"the body must be a JSON array of objects\","
                    "\"code\":\"type\"}]}");
    cJSON_free(body);
    CHECK(cJSON_GetArraySize(errors) == 2); /* still the caller's, whole */
    cJSON_Delete(errors);

    /* No pattern is hidden by an earlier one of another code. */
    size_t n;
    const struct problem_field_pattern *patterns = problem_field_patterns(&n);
    CHECK(n > 50);
    for (size_t i = 0; i < n; i++) {
        char text[200];
        instance_of(patterns[i].pattern, text, sizeof text);
        const char *code = problem_field_code(text);
        if (strcmp(code, patterns[i].code) != 0)
            fprintf(stderr, "\"%s\" reads as %s, not %s\n", text, code, patterns[i].code);
        CHECK_STR(code, patterns[i].code);
        CHECK(strcmp(patterns[i].code, "invalid") != 0);
    }

    /* Representative messages as the server writes them, and the fallback. */
    CHECK_STR(problem_field_code("is required"), "required");
    CHECK_STR(problem_field_code("is required: name the target by unit_code or enterprise_id"), "required");
    CHECK_STR(problem_field_code("is required for hamlet teams"), "required_if");
    CHECK_STR(problem_field_code("is not a known field"), "unknown_field");
    CHECK_STR(problem_field_code("must be one of: male, female, other"), "enum");
    CHECK_STR(problem_field_code("must be a date YYYY-MM-DD"), "date");
    CHECK_STR(problem_field_code("must be an integer"), "type");
    CHECK_STR(problem_field_code("must be an integer from 1 to 1000"), "range");
    CHECK_STR(problem_field_code("people_trained must be an integer from 0 to 1000000"), "range");
    CHECK_STR(problem_field_code("must be between 1900 and this year"), "range");
    CHECK_STR(problem_field_code("must be at most 200 characters"), "too_long");
    CHECK_STR(problem_field_code("already exists"), "duplicate");
    CHECK_STR(problem_field_code("appears more than once in the file (first on row 2)"), "duplicate");
    CHECK_STR(problem_field_code("no team with this external_id in your scope"), "not_found");
    CHECK_STR(problem_field_code("the unit exists outside your scope and cannot be changed"), "scope");
    CHECK_STR(problem_field_code("must not be after today (2026-03-15, Vietnam time)"), "future_date");
    CHECK_STR(problem_field_code("must not be after to"), "order");
    CHECK_STR(problem_field_code("must not contain the NUL character (%00)"), "format");
    CHECK_STR(problem_field_code("the commune was closed on 01/07/2025: choose the commune that took its place"),
              "unit_period");
    CHECK_STR(problem_field_code("teams 5d0c… (Tổ 1) of split unit 718: choose one of 25747, 25750"), "enum");
    CHECK_STR(problem_field_code("is not valid"), "invalid");
    CHECK_STR(problem_field_code("something no one wrote"), "invalid");
    CHECK_STR(problem_field_code(""), "invalid");
    CHECK_STR(problem_field_code(NULL), "invalid");

    /* Every message the validator, the shared checks and the query filters give has a code. */
    for (size_t i = 0; i < sizeof BAD_BODIES / sizeof BAD_BODIES[0]; i++) {
        cJSON *obj = cJSON_Parse(BAD_BODIES[i]);
        CHECK(obj != NULL);
        for (int mode = VALIDATE_CREATE; mode <= VALIDATE_UPDATE; mode++)
            CHECK(validate_object(obj, FIELDS, sizeof FIELDS / sizeof FIELDS[0], (validate_mode)mode, "",
                                  coded_sink, NULL) > 0);
        cJSON_Delete(obj);
    }
    static const struct filter FILTERS[] = {
        {"ref", FIELD_UUID, NULL}, {"on", FIELD_DATE, NULL}, {"flag", FIELD_BOOL, NULL}, {"kind", FIELD_ENUM, CHOICES}};
    for (size_t i = 0; i < sizeof FILTERS / sizeof FILTERS[0]; i++) {
        coded_sink(NULL, FILTERS[i].name, query_filter_problem(&FILTERS[i], "\xff"));
        coded_sink(NULL, FILTERS[i].name, query_filter_problem(&FILTERS[i], "zz"));
    }
    char *huge = malloc(QUERY_VALUE_MAX + 2);
    memset(huge, 'a', QUERY_VALUE_MAX + 1);
    huge[QUERY_VALUE_MAX + 1] = '\0';
    coded_sink(NULL, "kind", query_filter_problem(&FILTERS[3], huge));
    free(huge);
    CHECK(uncoded == 0);
    CHECK_SUMMARY();
}
