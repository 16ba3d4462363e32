/*
 * api/auth.c — POST /api/v1/auth/login, POST /api/v1/auth/token and GET /api/v1/auth/me.
 *
 * Sign-in and the client-credentials exchange run outside the dispatcher's transaction
 * (ROUTE_NO_TX) because a failed attempt must still leave its audit row. Unknown user (or
 * client) and wrong password (or secret) get the same answer and take the same time
 * (password_verify checks a decoy hash when there is no row). Both answer with the same shape:
 * {access_token, token_type, expires_in, user}, where user says which kind of principal it is.
 *
 * Failed attempts are counted per account name (known or not, so a refusal tells nothing about
 * whether it exists) and per client address, in the database so that every instance counts the
 * same (012_signin_limits.sql). A name or an address at its limit is answered 429 with
 * Retry-After before any password is checked: no hash is computed for it and nothing is audited.
 * A successful sign-in clears its name's count and gives its address back the one attempt, no
 * more: otherwise one valid account would let an address go on guessing the others.
 *
 * An account or client whose unit is closed (an enterprise account: its enterprise's unit;
 * unit_open(), sql/functions/05_units.sql) is refused with 403 naming the unit and the day it
 * closed, but only once its password checked out: before that it gets the same 401 as anyone, so
 * the refusal tells a guesser nothing. Its tokens stop in auth/principals.c.
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

/* The user as the signed-in principal: user_doc with its kind. */
#define USER_PRINCIPAL_DOC "(to_jsonb(user_doc(u)) || jsonb_build_object('kind', 'user'))::text"

/*
 * The principal's unit when it is closed: (GSO code, name, valid_to), NULLs while it is open. The
 * GSO code, not the key: an account left on a version whose code passed on holds the key
 * "25747@2025-07-01" (018_unit_versions.sql), and people know the unit by "25747". The name is
 * cut to 80 characters to keep the refusal's detail within its buffer.
 */
#define CLOSED_UNIT_COLUMNS "closed.gso_code, left(closed.name, 80), closed.valid_to"
#define CLOSED_UNIT_JOIN(unit) " LEFT JOIN units closed ON closed.code = " unit " AND NOT unit_open(closed.valid_to)"

static const char SQL_FIND_USER[] =
    "SELECT u.id, u.password_hash, u.role, coalesce(u.unit_code, ''),"
    "       coalesce(u.enterprise_id::text, ''), u.read_only, u.disabled, " USER_PRINCIPAL_DOC ","
    "       " CLOSED_UNIT_COLUMNS
    "  FROM users u" CLOSED_UNIT_JOIN("user_unit(u)") " WHERE u.username = $1";

static const char SQL_ME[] =
    "SELECT " USER_PRINCIPAL_DOC ", u.version FROM users u WHERE u.id = $1::uuid AND NOT u.disabled";

static const char SQL_FIND_CLIENT[] =
    "SELECT c.id, c.secret_hash, c.role, coalesce(c.unit_code, ''),"
    "       coalesce(c.enterprise_id::text, ''), c.read_only, c.revoked_at IS NOT NULL,"
    "       client_principal_doc(c)::text, c.personal_data, api_client_unit(c), " CLOSED_UNIT_COLUMNS
    "  FROM api_clients c" CLOSED_UNIT_JOIN("api_client_unit(c)") " WHERE c.client_id = $1";

static const char SQL_ME_CLIENT[] =
    "SELECT client_principal_doc(c)::text, c.version FROM api_clients c"
    " WHERE c.id = $1::uuid AND c.revoked_at IS NULL";

static const char SQL_SIGNIN_BEGIN[] =
    "SELECT signin_begin(ARRAY[$1, $2], ARRAY[$3::int, $4::int], $5::int)";
static const char SQL_SIGNIN_SUCCEEDED[] = "SELECT signin_succeeded($1, $2)";

static const struct field LOGIN_FIELDS[] = {
    {"username", FIELD_STRING, FIELD_REQUIRED, 1, 100, NULL, NULL},
    {"password", FIELD_STRING, FIELD_REQUIRED, 1, 256, NULL, NULL},
};

static const struct field TOKEN_FIELDS[] = {
    {"grant_type", FIELD_STRING, FIELD_REQUIRED, 1, 100, NULL, NULL},
    {"client_id", FIELD_STRING, FIELD_REQUIRED, 1, 100, NULL, NULL},
    {"client_secret", FIELD_STRING, FIELD_REQUIRED, 1, 256, NULL, NULL},
    {"scope", FIELD_STRING, 0, 0, 1000, NULL, NULL}, /* accepted from OAuth libraries, unused */
};

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* The two counters one attempt is held to: its account name (prefix "user" or "client") and its address. */
struct signin_keys {
    const char *account;
    const char *address;
};

static struct signin_keys signin_keys(request *r, const char *prefix, const char *name)
{
    return (struct signin_keys){
        .account = arena_printf(r->arena, "%s:%s", prefix, name),
        .address = arena_printf(r->arena, "addr:%s", request_client_address(r)),
    };
}

/*
 * Counts this attempt as a failure under both keys, or, when either is at its limit, fails the
 * request with 429 and returns false.
 */
static bool signin_allowed_or_fail(request *r, const struct signin_keys *k)
{
    char per_account[16], per_address[16], window[16];
    snprintf(per_account, sizeof per_account, "%d", server_config->signin.max_failures_per_account);
    snprintf(per_address, sizeof per_address, "%d", server_config->signin.max_failures_per_address);
    snprintf(window, sizeof window, "%d", server_config->signin.window_seconds);
    const char *params[] = {k->account, k->address, per_account, per_address, window};
    PGresult *wait = db_query(r, SQL_SIGNIN_BEGIN, 5, params);
    if (!wait)
        return false;
    long seconds = atol(db_value(wait, 0));
    if (seconds <= 0)
        return true;
    r->extra_header = arena_printf(r->arena, "Retry-After: %ld", seconds);
    request_fail(r, PROBLEM_TOO_MANY_REQUESTS, "Too many failed sign-in attempts; try again in %ld seconds",
                 seconds);
    return false;
}

/* The attempt counted by signin_allowed_or_fail was not a failure after all. */
static bool signin_succeeded(request *r, const struct signin_keys *k)
{
    const char *params[] = {k->account, k->address};
    return db_query(r, SQL_SIGNIN_SUCCEEDED, 2, params) != NULL;
}

/* The audit row's changes for a sign-in refused because the unit is closed. */
static const char UNIT_CLOSED_AUDIT[] = "{\"reason\":\"unit_closed\"}";

/* 403 for a principal (whose: "account" or "client") whose unit is closed; the unit at columns col.. */
static int unit_closed_fail(request *r, const char *whose, const PGresult *row, int col)
{
    return request_fail(r, PROBLEM_FORBIDDEN, "The %s's unit (%s, %s) was closed on %s; it can no longer sign in",
                        whose, db_value(row, col), db_value(row, col + 1), db_value(row, col + 2));
}

/* Answers 200 with a new token for c; user_doc is the principal's JSON text. */
static int respond_token(request *r, const struct claims *c, const char *user_doc)
{
    char *token = token_issue(&server_config->token, c, time(NULL));
    if (!token)
        return request_fail(r, PROBLEM_INTERNAL, NULL);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "access_token", token);
    cJSON_AddStringToObject(out, "token_type", "Bearer");
    cJSON_AddNumberToObject(out, "expires_in", (double)server_config->token.ttl_seconds);
    cJSON_AddItemToObject(out, "user", cJSON_Parse(user_doc));
    char *text = cJSON_PrintUnformatted(out);
    const char *body = arena_strdup(r->arena, text);
    cJSON_free(text);
    cJSON_Delete(out);
    free(token);
    return respond_json(r, 200, body, 0);
}

int auth_login(request *r)
{
    if (!body_valid_or_fail(r, r->body, LOGIN_FIELDS, COUNT_OF(LOGIN_FIELDS), VALIDATE_CREATE))
        return API_FAILED;
    const char *username = cJSON_GetObjectItemCaseSensitive(r->body, "username")->valuestring;
    const char *password = cJSON_GetObjectItemCaseSensitive(r->body, "password")->valuestring;
    struct signin_keys keys = signin_keys(r, "user", username);
    if (!signin_allowed_or_fail(r, &keys))
        return API_FAILED;

    PGresult *user = db_query(r, SQL_FIND_USER, 1, &username);
    if (!user)
        return API_FAILED;
    bool found = PQntuples(user) == 1;
    bool ok = password_verify(password, found ? db_value(user, 1) : NULL) && found &&
              strcmp(db_value(user, 6), "f") == 0;
    bool closed = ok && db_value(user, 8); /* the right password, but the unit is closed */

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
    if (!audit_record(r, ok && !closed ? "login" : "login_failed", "auth", found ? c->sub : NULL,
                      c->unit[0] ? c->unit : NULL, c->enterprise[0] ? c->enterprise : NULL,
                      closed ? UNIT_CLOSED_AUDIT : NULL) ||
        (ok && !signin_succeeded(r, &keys))) /* closed or not, the password was no guess */
        return API_FAILED;
    if (!ok) {
        r->extra_header = "WWW-Authenticate: Bearer";
        return request_fail(r, PROBLEM_UNAUTHORIZED, "Wrong username or password");
    }
    if (closed)
        return unit_closed_fail(r, "account", user, 8);

    return respond_token(r, c, db_value(user, 7));
}

/*
 * The OAuth 2.0 client-credentials grant (RFC 6749 §4.4), the credentials in the body as a form
 * or as JSON (the dispatcher turns a form into the same JSON object). A grant other than
 * client_credentials answers 400 naming grant_type; missing fields 422; wrong, unknown or revoked
 * credentials 401, all alike.
 */
int auth_token(request *r)
{
    const cJSON *grant = cJSON_GetObjectItemCaseSensitive(r->body, "grant_type");
    if (cJSON_IsString(grant) && strcmp(grant->valuestring, "client_credentials") != 0) {
        request_field_error(r, "grant_type", "unsupported_grant_type: only client_credentials is accepted");
        return request_fail(r, PROBLEM_BAD_REQUEST, "Unsupported grant_type; use client_credentials");
    }
    if (!body_valid_or_fail(r, r->body, TOKEN_FIELDS, COUNT_OF(TOKEN_FIELDS), VALIDATE_CREATE))
        return API_FAILED;
    const char *client_id = cJSON_GetObjectItemCaseSensitive(r->body, "client_id")->valuestring;
    const char *secret = cJSON_GetObjectItemCaseSensitive(r->body, "client_secret")->valuestring;
    struct signin_keys keys = signin_keys(r, "client", client_id);
    if (!signin_allowed_or_fail(r, &keys))
        return API_FAILED;

    PGresult *client = db_query(r, SQL_FIND_CLIENT, 1, &client_id);
    if (!client)
        return API_FAILED;
    bool found = PQntuples(client) == 1;
    bool ok = password_verify(secret, found ? db_value(client, 1) : NULL) && found &&
              strcmp(db_value(client, 6), "f") == 0;
    bool closed = ok && db_value(client, 10);

    struct claims *c = arena_alloc(r->arena, sizeof *c);
    c->kind = PRINCIPAL_CLIENT;
    copy_text(c->name, sizeof c->name, client_id);
    if (found) {
        copy_text(c->sub, sizeof c->sub, db_value(client, 0));
        c->role = role_parse(db_value(client, 2));
        copy_text(c->unit, sizeof c->unit, db_value(client, 3));
        copy_text(c->enterprise, sizeof c->enterprise, db_value(client, 4));
        c->read_only = strcmp(db_value(client, 5), "t") == 0;
        c->personal_data = strcmp(db_value(client, 8), "t") == 0;
    }
    r->claims = c; /* the audit row names who tried */
    if (!audit_record(r, ok && !closed ? "login" : "login_failed", "clients", found ? c->sub : NULL,
                      found ? db_value(client, 9) : NULL, c->enterprise[0] ? c->enterprise : NULL,
                      closed ? UNIT_CLOSED_AUDIT : NULL) ||
        (ok && !signin_succeeded(r, &keys)))
        return API_FAILED;
    if (!ok) {
        r->extra_header = "WWW-Authenticate: Bearer";
        return request_fail(r, PROBLEM_UNAUTHORIZED, "Wrong, unknown or revoked client credentials");
    }
    if (closed)
        return unit_closed_fail(r, "client", client, 10);
    return respond_token(r, c, db_value(client, 7));
}

/* An identity-provider principal has no row: it is what its token's claims say. */
static int me_from_claims(request *r)
{
    const struct claims *c = r->claims;
    cJSON *me = cJSON_CreateObject();
    cJSON_AddStringToObject(me, "id", c->sub);
    cJSON_AddStringToObject(me, "username", c->sub);
    cJSON_AddStringToObject(me, "full_name", "");
    cJSON_AddStringToObject(me, "role", role_name(c->role));
    if (c->unit[0])
        cJSON_AddStringToObject(me, "unit", c->unit);
    else
        cJSON_AddNullToObject(me, "unit");
    if (c->enterprise[0])
        cJSON_AddStringToObject(me, "enterprise", c->enterprise);
    else
        cJSON_AddNullToObject(me, "enterprise");
    cJSON_AddBoolToObject(me, "read_only", c->read_only);
    cJSON_AddStringToObject(me, "kind", "idp");
    char *text = cJSON_PrintUnformatted(me);
    const char *body = arena_strdup(r->arena, text);
    cJSON_free(text);
    cJSON_Delete(me);
    return respond_json(r, 200, body, 0);
}

int auth_me(request *r)
{
    if (r->claims->kind == PRINCIPAL_IDP)
        return me_from_claims(r);
    const char *id = r->claims->sub;
    PGresult *me = db_query(r, r->claims->kind == PRINCIPAL_CLIENT ? SQL_ME_CLIENT : SQL_ME, 1, &id);
    if (!me)
        return API_FAILED;
    if (PQntuples(me) == 0) {
        r->extra_header = "WWW-Authenticate: Bearer";
        return request_fail(r, PROBLEM_UNAUTHORIZED, "This account no longer exists or is disabled");
    }
    return respond_json(r, 200, db_value(me, 0), 0);
}
