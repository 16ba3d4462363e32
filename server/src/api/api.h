/*
 * api/api.h — every handler the route table names, one group per resource file.
 */
#ifndef CDT_API_API_H
#define CDT_API_API_H

#include "http/request.h"

/* What the generic handlers of api/resource.h serve, named by the route table as its data. */
struct resource;
struct list_spec;
extern const struct resource ACTIVITIES, CLIENTS, ENTERPRISES, MEMBERS, TEAMS, UNITS, USERS;
extern const struct list_spec ACTIVITIES_LIST, AUDIT_LIST, CLIENTS_LIST, ENTERPRISES_LIST, MEMBERS_LIST,
    TEAMS_LIST, UNITS_LIST, USERS_LIST;

int auth_login(request *r);
int auth_me(request *r);
int auth_token(request *r);

int units_get(request *r);
int units_update(request *r);



int members_list_of_team(request *r);
int members_create_in_team(request *r);

int rules_get(request *r);
int rules_put(request *r);


int deadlines_list(request *r);
int deadlines_get(request *r);
int deadlines_create(request *r);
int deadlines_update(request *r);
int deadlines_delete(request *r);
int deadlines_targets(request *r);
int deadlines_complete(request *r);
int deadlines_reopen(request *r);
/*
 * The thread that rolls recurring deadlines forward (deadlines_roll()): at once, just after each
 * midnight in Vietnam and every interval_seconds; 0 starts none. Stop joins it (at shutdown,
 * before db_pool_shutdown).
 */
void deadlines_roller_start(long interval_seconds);
void deadlines_roller_stop(void);

int changes_list(request *r);

int imports_post(request *r);
int imports_columns(request *r);

int rehome_post(request *r);
/* cdt-server --rehome ARGS: the same from the command line (api/rehome.c). Returns the exit status. */
int rehome_command(const char *conninfo, int argc, char **argv);

int stats_overview(request *r);
int stats_timeseries(request *r);

int reports_periodic(request *r);
int deadlines_report_attach(request *r);
int deadlines_report_get(request *r);

int users_create(request *r);
int users_update(request *r);
/* cdt-server --create-admin ARGS: the first account of a new database (api/users.c). Returns the exit status. */
int users_create_admin_command(const char *conninfo, int argc, char **argv);

int clients_create(request *r);
int clients_delete(request *r);


int openapi_get(request *r);

#endif
