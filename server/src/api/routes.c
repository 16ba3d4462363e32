/*
 * api/routes.c — the route table: method, path pattern, handler, access, flags.
 *
 * Everything that needs to know the API's surface reads this table: the dispatcher, the
 * `--routes` listing, the OpenAPI check and the authorization matrix test.
 */
#include "api/api.h"
#include "http/router.h"

#define J ROUTE_JSON_BODY

const struct route ROUTES[] = {
    {"POST", "/api/v1/auth/login", auth_login, ACCESS_PUBLIC, J | ROUTE_NO_TX | ROUTE_SMALL_BODY},
    {"POST", "/api/v1/auth/token", auth_token, ACCESS_PUBLIC,
     J | ROUTE_FORM_BODY | ROUTE_NO_TX | ROUTE_SMALL_BODY},
    {"GET", "/api/v1/auth/me", auth_me, ACCESS_USER, 0},

    {"GET", "/api/v1/units", units_list, ACCESS_USER, 0},
    {"POST", "/api/v1/units", units_create, ACCESS_PROVINCE, J},
    {"GET", "/api/v1/units/{code}", units_get, ACCESS_USER, 0},
    {"PATCH", "/api/v1/units/{code}", units_update, ACCESS_PROVINCE, J},

    {"GET", "/api/v1/enterprises", enterprises_list, ACCESS_USER, 0},
    {"POST", "/api/v1/enterprises", enterprises_create, ACCESS_USER, J},
    {"GET", "/api/v1/enterprises/{id}", enterprises_get, ACCESS_USER, 0},
    {"PATCH", "/api/v1/enterprises/{id}", enterprises_update, ACCESS_USER, J},
    {"DELETE", "/api/v1/enterprises/{id}", enterprises_delete, ACCESS_USER, 0},

    {"GET", "/api/v1/teams", teams_list, ACCESS_USER, 0},
    {"POST", "/api/v1/teams", teams_create, ACCESS_USER, J},
    {"GET", "/api/v1/teams/{id}", teams_get, ACCESS_USER, 0},
    {"PATCH", "/api/v1/teams/{id}", teams_update, ACCESS_USER, J},
    {"DELETE", "/api/v1/teams/{id}", teams_delete, ACCESS_USER, 0},
    {"GET", "/api/v1/teams/{id}/members", members_list_of_team, ACCESS_USER, 0},
    {"POST", "/api/v1/teams/{id}/members", members_create_in_team, ACCESS_USER, J},

    {"GET", "/api/v1/members", members_list, ACCESS_USER, 0},
    {"GET", "/api/v1/members/{id}", members_get, ACCESS_USER, 0},
    {"PATCH", "/api/v1/members/{id}", members_update, ACCESS_USER, J},
    {"DELETE", "/api/v1/members/{id}", members_delete, ACCESS_USER, 0},

    {"GET", "/api/v1/rules", rules_get, ACCESS_USER, 0},
    {"PUT", "/api/v1/rules", rules_put, ACCESS_PROVINCE, J},

    {"GET", "/api/v1/activities", activities_list, ACCESS_USER, 0},
    {"POST", "/api/v1/activities", activities_create, ACCESS_USER, J},
    {"GET", "/api/v1/activities/{id}", activities_get, ACCESS_USER, 0},
    {"PATCH", "/api/v1/activities/{id}", activities_update, ACCESS_USER, J},
    {"DELETE", "/api/v1/activities/{id}", activities_delete, ACCESS_USER, 0},

    {"GET", "/api/v1/deadlines", deadlines_list, ACCESS_USER, 0},
    {"POST", "/api/v1/deadlines", deadlines_create, ACCESS_ISSUER, J},
    {"GET", "/api/v1/deadlines/{id}", deadlines_get, ACCESS_USER, 0},
    {"PATCH", "/api/v1/deadlines/{id}", deadlines_update, ACCESS_ISSUER, J},
    {"DELETE", "/api/v1/deadlines/{id}", deadlines_delete, ACCESS_ISSUER, 0},
    {"GET", "/api/v1/deadlines/{id}/targets", deadlines_targets, ACCESS_USER, 0},
    {"POST", "/api/v1/deadlines/{id}/complete", deadlines_complete, ACCESS_USER, J},
    {"POST", "/api/v1/deadlines/{id}/reopen", deadlines_reopen, ACCESS_ISSUER, J},
    {"POST", "/api/v1/deadlines/{id}/report", deadlines_report_attach, ACCESS_USER, J},
    {"GET", "/api/v1/deadlines/{id}/report", deadlines_report_get, ACCESS_USER, 0},

    {"GET", "/api/v1/changes", changes_list, ACCESS_USER, 0},

    {"GET", "/api/v1/import/{resource}", imports_columns, ACCESS_USER, 0},
    {"POST", "/api/v1/import/{resource}", imports_post, ACCESS_USER, ROUTE_RAW_BODY | ROUTE_NO_TX},
    {"POST", "/api/v1/rehome", rehome_post, ACCESS_PROVINCE, J},

    /* The figures: aggregates that a second's replication delay does not change in substance. */
    {"GET", "/api/v1/stats/overview", stats_overview, ACCESS_USER, ROUTE_REPLICA},
    {"GET", "/api/v1/stats/timeseries", stats_timeseries, ACCESS_USER, ROUTE_REPLICA},
    {"GET", "/api/v1/reports/periodic", reports_periodic, ACCESS_USER, ROUTE_REPLICA},

    {"GET", "/api/v1/users", users_list, ACCESS_USER, 0},
    {"POST", "/api/v1/users", users_create, ACCESS_ISSUER, J},
    {"GET", "/api/v1/users/{id}", users_get, ACCESS_USER, 0},
    {"PATCH", "/api/v1/users/{id}", users_update, ACCESS_ISSUER, J},

    {"GET", "/api/v1/clients", clients_list, ACCESS_PROVINCE, 0},
    {"POST", "/api/v1/clients", clients_create, ACCESS_PROVINCE, J},
    {"GET", "/api/v1/clients/{id}", clients_get, ACCESS_PROVINCE, 0},
    {"DELETE", "/api/v1/clients/{id}", clients_delete, ACCESS_PROVINCE, 0},

    {"GET", "/api/v1/audit", audit_list, ACCESS_USER, 0},

    {"GET", "/api/v1/openapi.yaml", openapi_get, ACCESS_PUBLIC, 0},
};

const size_t ROUTE_COUNT = sizeof ROUTES / sizeof ROUTES[0];
