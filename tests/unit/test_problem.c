/*
 * tests/unit/test_problem.c — the error catalogue, the problem+json body and the SQLSTATE mapping
 * (http/problem.c).
 */
#include <cjson/cJSON.h>

#include "check.h"
#include "http/problem.h"

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
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "field", "name");
    cJSON_AddStringToObject(e, "message", "is required");
    cJSON_AddItemToArray(errors, e);
    body = problem_body(problem_info(PROBLEM_VALIDATION), "1 field(s) failed validation", "r3", errors);
    CHECK_STR(body, "{\"type\":\"https://cdt.example/problems/validation\",\"title\":\"Validation failed\","
                    "\"status\":422,\"detail\":\"1 field(s) failed validation\",\"request_id\":\"r3\","
                    "\"errors\":[{\"field\":\"name\",\"message\":\"is required\"}]}");
    cJSON_free(body);
    CHECK(cJSON_GetArraySize(errors) == 1); /* still the caller's, whole */
    cJSON_Delete(errors);
    CHECK_SUMMARY();
}
