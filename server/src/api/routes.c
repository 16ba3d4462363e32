/*
 * api/routes.c — the route table: method, path pattern, handler, access, flags, and for the
 * generic handlers (api/resource.h) the resource or list they serve.
 *
 * Everything that needs to know the API's surface reads this table: the dispatcher, the
 * `--routes` listing, the OpenAPI check and the authorization matrix test.
 */
#include "api/api.h"
#include "api/resource.h"
#include "http/router.h"

#define J ROUTE_JSON_BODY

const struct route ROUTES[] = {
    {"POST", "/api/v1/auth/login", auth_login, ACCESS_PUBLIC, J | ROUTE_NO_TX | ROUTE_SMALL_BODY, NULL},
    {"POST", "/api/v1/auth/token", auth_token, ACCESS_PUBLIC,
     J | ROUTE_FORM_BODY | ROUTE_NO_TX | ROUTE_SMALL_BODY, NULL},
    {"GET", "/api/v1/auth/me", auth_me, ACCESS_USER, 0, NULL},

    {"GET", "/api/v1/units", resource_list_route, ACCESS_USER, 0, &UNITS_LIST},
    {"POST", "/api/v1/units", resource_create_route, ACCESS_PROVINCE, J, &UNITS},
    {"GET", "/api/v1/units/{code}", units_get, ACCESS_USER, 0, NULL},
    {"PATCH", "/api/v1/units/{code}", units_update, ACCESS_PROVINCE, J, NULL},

    {"GET", "/api/v1/enterprises", resource_list_route, ACCESS_USER, 0, &ENTERPRISES_LIST},
    {"POST", "/api/v1/enterprises", resource_create_route, ACCESS_USER, J, &ENTERPRISES},
    {"GET", "/api/v1/enterprises/{id}", resource_get_route, ACCESS_USER, 0, &ENTERPRISES},
    {"PATCH", "/api/v1/enterprises/{id}", resource_update_route, ACCESS_USER, J, &ENTERPRISES},
    {"DELETE", "/api/v1/enterprises/{id}", resource_delete_route, ACCESS_USER, 0, &ENTERPRISES},

    {"GET", "/api/v1/teams", resource_list_route, ACCESS_USER, 0, &TEAMS_LIST},
    {"POST", "/api/v1/teams", resource_create_route, ACCESS_USER, J, &TEAMS},
    {"GET", "/api/v1/teams/{id}", resource_get_route, ACCESS_USER, 0, &TEAMS},
    {"PATCH", "/api/v1/teams/{id}", resource_update_route, ACCESS_USER, J, &TEAMS},
    {"DELETE", "/api/v1/teams/{id}", resource_delete_route, ACCESS_USER, 0, &TEAMS},
    {"GET", "/api/v1/teams/{id}/members", members_list_of_team, ACCESS_USER, 0, NULL},
    {"POST", "/api/v1/teams/{id}/members", members_create_in_team, ACCESS_USER, J, NULL},

    {"GET", "/api/v1/members", resource_list_route, ACCESS_USER, 0, &MEMBERS_LIST},
    {"GET", "/api/v1/members/{id}", resource_get_route, ACCESS_USER, 0, &MEMBERS},
    {"PATCH", "/api/v1/members/{id}", resource_update_route, ACCESS_USER, J, &MEMBERS},
    {"DELETE", "/api/v1/members/{id}", resource_delete_route, ACCESS_USER, 0, &MEMBERS},

    {"GET", "/api/v1/rules", rules_get, ACCESS_USER, 0, NULL},
    {"PUT", "/api/v1/rules", rules_put, ACCESS_PROVINCE, J, NULL},

    {"GET", "/api/v1/activities", resource_list_route, ACCESS_USER, 0, &ACTIVITIES_LIST},
    {"POST", "/api/v1/activities", resource_create_route, ACCESS_USER, J, &ACTIVITIES},
    {"GET", "/api/v1/activities/{id}", resource_get_route, ACCESS_USER, 0, &ACTIVITIES},
    {"PATCH", "/api/v1/activities/{id}", resource_update_route, ACCESS_USER, J, &ACTIVITIES},
    {"DELETE", "/api/v1/activities/{id}", resource_delete_route, ACCESS_USER, 0, &ACTIVITIES},

    {"GET", "/api/v1/deadlines", deadlines_list, ACCESS_USER, 0, NULL},
    {"POST", "/api/v1/deadlines", deadlines_create, ACCESS_ISSUER, J, NULL},
    {"GET", "/api/v1/deadlines/{id}", deadlines_get, ACCESS_USER, 0, NULL},
    {"PATCH", "/api/v1/deadlines/{id}", deadlines_update, ACCESS_ISSUER, J, NULL},
    {"DELETE", "/api/v1/deadlines/{id}", deadlines_delete, ACCESS_ISSUER, 0, NULL},
    {"GET", "/api/v1/deadlines/{id}/targets", deadlines_targets, ACCESS_USER, 0, NULL},
    {"POST", "/api/v1/deadlines/{id}/complete", deadlines_complete, ACCESS_USER, J, NULL},
    {"POST", "/api/v1/deadlines/{id}/reopen", deadlines_reopen, ACCESS_ISSUER, J, NULL},
    {"POST", "/api/v1/deadlines/{id}/report", deadlines_report_attach, ACCESS_USER, J, NULL},
    {"GET", "/api/v1/deadlines/{id}/report", deadlines_report_get, ACCESS_USER, 0, NULL},

    {"GET", "/api/v1/changes", changes_list, ACCESS_USER, 0, NULL},

    {"GET", "/api/v1/import/{resource}", imports_columns, ACCESS_USER, 0, NULL},
    {"POST", "/api/v1/import/{resource}", imports_post, ACCESS_USER, ROUTE_RAW_BODY | ROUTE_NO_TX, NULL},
    {"POST", "/api/v1/rehome", rehome_post, ACCESS_PROVINCE, J, NULL},

    /* The figures: aggregates that a second's replication delay does not change in substance. */
    {"GET", "/api/v1/stats/overview", stats_overview, ACCESS_USER, ROUTE_REPLICA, NULL},
    {"GET", "/api/v1/stats/timeseries", stats_timeseries, ACCESS_USER, ROUTE_REPLICA, NULL},
    {"GET", "/api/v1/reports/periodic", reports_periodic, ACCESS_USER, ROUTE_REPLICA, NULL},

    {"GET", "/api/v1/users", resource_list_route, ACCESS_USER, 0, &USERS_LIST},
    {"POST", "/api/v1/users", users_create, ACCESS_ISSUER, J, NULL},
    {"GET", "/api/v1/users/{id}", resource_get_route, ACCESS_USER, 0, &USERS},
    {"PATCH", "/api/v1/users/{id}", users_update, ACCESS_ISSUER, J, NULL},

    {"GET", "/api/v1/clients", resource_list_route, ACCESS_PROVINCE, 0, &CLIENTS_LIST},
    {"POST", "/api/v1/clients", clients_create, ACCESS_PROVINCE, J, NULL},
    {"GET", "/api/v1/clients/{id}", resource_get_route, ACCESS_PROVINCE, 0, &CLIENTS},
    {"DELETE", "/api/v1/clients/{id}", clients_delete, ACCESS_PROVINCE, 0, NULL},

    {"GET", "/api/v1/audit", resource_list_route, ACCESS_USER, 0, &AUDIT_LIST},

    {"GET", "/api/v1/openapi.yaml", openapi_get, ACCESS_PUBLIC, 0, NULL},
};

const size_t ROUTE_COUNT = sizeof ROUTES / sizeof ROUTES[0];
