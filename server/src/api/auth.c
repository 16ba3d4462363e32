/*
 * api/auth.c — POST /api/v1/auth/login and GET /api/v1/auth/me.
 *
 * Sign-in runs outside the dispatcher's transaction (ROUTE_NO_TX) because a failed attempt must
 * still leave its audit row. Unknown user and wrong password get the same answer and take the
 * same time (password_verify checks a decoy hash when there is no user).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/resource.h"
#include "auth/password.h"
#include "db/db.h"
#include "http/router.h"

static const char SQL_FIND_USER[] =
    "SELECT u.id, u.password_hash, u.role, coalesce(u.unit_code, ''),"
    "       coalesce(u.enterprise_id::text, ''), u.read_only, u.disabled, user_doc(u)::text"
    "  FROM users u WHERE u.username = $1";

static const char SQL_ME[] =
    "SELECT user_doc(u)::text, u.version FROM users u WHERE u.id = $1::uuid AND NOT u.disabled";

static const struct field LOGIN_FIELDS[] = {
    {"username", FIELD_STRING, FIELD_REQUIRED, 1, 100, NULL, NULL},
    {"password", FIELD_STRING, FIELD_REQUIRED, 1, 256, NULL, NULL},
};

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int auth_login(request *r)
{
    if (!body_valid_or_fail(r, r->body, LOGIN_FIELDS, COUNT_OF(LOGIN_FIELDS), VALIDATE_CREATE))
        return API_FAILED;
    const char *username = cJSON_GetObjectItemCaseSensitive(r->body, "username")->valuestring;
    const char *password = cJSON_GetObjectItemCaseSensitive(r->body, "password")->valuestring;

    PGresult *user = db_query(r, SQL_FIND_USER, 1, &username);
    if (!user)
        return API_FAILED;
    bool found = PQntuples(user) == 1;
    bool ok = password_verify(password, found ? db_value(user, 1) : NULL) && found &&
              strcmp(db_value(user, 6), "f") == 0;

    struct claims *c = arena_alloc(r->arena, sizeof *c);
    copy_text(c->name, sizeof c->name, username);
    if (found) {
        copy_text(c->sub, sizeof c->sub, db_value(user, 0));
        c->role = role_parse(db_value(user, 2));
        copy_text(c->unit, sizeof c->unit, db_value(user, 3));
        copy_text(c->enterprise, sizeof c->enterprise, db_value(user, 4));
        c->read_only = strcmp(db_value(user, 5), "t") == 0;
    }
    r->claims = c; /* the audit row names who tried */
    if (!audit_record(r, ok ? "login" : "login_failed", "auth", found ? c->sub : NULL,
                      c->unit[0] ? c->unit : NULL, c->enterprise[0] ? c->enterprise : NULL, NULL))
        return API_FAILED;
    if (!ok) {
        r->extra_header = "WWW-Authenticate: Bearer";
        return request_fail(r, PROBLEM_UNAUTHORIZED, "Wrong username or password");
    }

    char *token = token_issue(&server_config->token, c, time(NULL));
    if (!token)
        return request_fail(r, PROBLEM_INTERNAL, NULL);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "access_token", token);
    cJSON_AddStringToObject(out, "token_type", "Bearer");
    cJSON_AddNumberToObject(out, "expires_in", (double)server_config->token.ttl_seconds);
    cJSON_AddItemToObject(out, "user", cJSON_Parse(db_value(user, 7)));
    char *text = cJSON_PrintUnformatted(out);
    const char *body = arena_strdup(r->arena, text);
    cJSON_free(text);
    cJSON_Delete(out);
    free(token);
    return respond_json(r, 200, body, 0);
}

int auth_me(request *r)
{
    const char *id = r->claims->sub;
    PGresult *me = db_query(r, SQL_ME, 1, &id);
    if (!me)
        return API_FAILED;
    if (PQntuples(me) == 0) {
        r->extra_header = "WWW-Authenticate: Bearer";
        return request_fail(r, PROBLEM_UNAUTHORIZED, "This account no longer exists or is disabled");
    }
    return respond_json(r, 200, db_value(me, 0), 0);
}
