/*
 * tests/unit/test_problem.c — the error catalogue and the SQLSTATE mapping (http/problem.c).
 */
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
    CHECK_SUMMARY();
}
