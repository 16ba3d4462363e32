/*
 * tests/unit/test_router.c — route matching and the table's own consistency (http/router.c).
 */
#include "check.h"
#include "http/router.h"

int main(void)
{
    arena *a = arena_create();
    const char *params[MAX_PATH_PARAMS] = {0};
    int path_matched;

    const struct route *r = router_match("GET", "/api/v1/teams/abc", params, MAX_PATH_PARAMS, a, &path_matched);
    CHECK(r && strcmp(r->pattern, "/api/v1/teams/{id}") == 0);
    CHECK_STR(params[0], "abc");
    r = router_match("GET", "/api/v1/teams/abc/members", params, MAX_PATH_PARAMS, a, &path_matched);
    CHECK(r && strcmp(r->pattern, "/api/v1/teams/{id}/members") == 0);
    r = router_match("PUT", "/api/v1/teams/abc", params, MAX_PATH_PARAMS, a, &path_matched);
    CHECK(!r && path_matched);
    r = router_match("GET", "/api/v1/nothing", params, MAX_PATH_PARAMS, a, &path_matched);
    CHECK(!r && !path_matched);
    r = router_match("GET", "/api/v1/teams/", params, MAX_PATH_PARAMS, a, &path_matched);
    CHECK(!r);
    r = router_match("GET", "/api/v1/teams/a/b", params, MAX_PATH_PARAMS, a, &path_matched);
    CHECK(!r);

    /* No two routes share method and pattern; every write route but DELETE takes a body. */
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        for (size_t j = i + 1; j < ROUTE_COUNT; j++)
            CHECK(strcmp(ROUTES[i].method, ROUTES[j].method) != 0 ||
                  strcmp(ROUTES[i].pattern, ROUTES[j].pattern) != 0);
        bool body_method = strcmp(ROUTES[i].method, "POST") == 0 ||
                           strcmp(ROUTES[i].method, "PUT") == 0 ||
                           strcmp(ROUTES[i].method, "PATCH") == 0;
        CHECK(body_method == ((ROUTES[i].flags & (ROUTE_JSON_BODY | ROUTE_RAW_BODY)) != 0));
        CHECK(strncmp(ROUTES[i].pattern, "/api/v1/", 8) == 0);
        /* Only reads go to a replica. */
        CHECK(!(ROUTES[i].flags & ROUTE_REPLICA) || strcmp(ROUTES[i].method, "GET") == 0);
    }
    arena_destroy(a);
    CHECK_SUMMARY();
}
