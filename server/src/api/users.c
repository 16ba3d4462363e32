/*
 * api/users.c — /api/v1/users: the accounts of people, managed inside the caller's scope.
 *
 * Province accounts manage every role inside their subtree; district accounts create and
 * manage commune and enterprise accounts of their own communes (DESIGN §3); national accounts
 * every account. An administrator above both the old and the new unit moves an account to
 * another unit of its role's level (after a reorganisation, for one). Passwords are
 * hashed here (yescrypt) and never stored, returned or audited in clear; setting one moves
 * password_changed_at, which ends the account's older tokens.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/resource.h"
#include "auth/password.h"
#include "auth/principals.h"
#include "db/db.h"

static const char SQL_LIST[] =
    "SELECT u.* FROM users u"
    "  WHERE " IN_SCOPE_SET("user_unit(u)", "u.enterprise_id")
    "    AND ($5::text IS NULL OR in_subtree(user_unit(u), $5))"
    "    AND ($6::text IS NULL OR u.role = $6)"
    "    AND ($7::boolean IS NULL OR u.disabled = $7::boolean)"
    "    AND ($8::text IS NULL OR strpos(search_key(u.username || ' ' || u.full_name), search_key($8)) > 0)";

static const char SQL_GET[] =
    "SELECT user_admin_doc(u)::text, u.version FROM users u"
    " WHERE u.id = $3::uuid AND in_scope($1, $2::uuid, user_unit(u), u.enterprise_id)";

static const char SQL_LOCK[] =
    "SELECT u.version, user_unit(u), u.enterprise_id, u.role FROM users u"
    " WHERE u.id = $3::uuid AND in_scope($1, $2::uuid, user_unit(u), u.enterprise_id) FOR UPDATE";

/* $3 body, $4 password hash. The new account's place must be in scope (no row: 403). */
static const char SQL_INSERT[] =
    "INSERT INTO users (username, password_hash, full_name, role, unit_code, enterprise_id, read_only)"
    " SELECT x.username, $4, coalesce(x.full_name, ''), x.role, x.unit_code, x.enterprise_id,"
    "        coalesce(x.read_only, false)"
    "   FROM jsonb_populate_record(NULL::users, $3::jsonb) x"
    "  WHERE in_scope($1, $2::uuid,"
    "                 coalesce(x.unit_code, (SELECT unit_code FROM enterprises WHERE id = x.enterprise_id)),"
    "                 x.enterprise_id)"
    " RETURNING id, user_unit(users), enterprise_id";

/*
 * $3 patch, $4 id, $5 new password hash or NULL. A new unit_code must be in the caller's scope
 * too: an administrator above both moves an account (the role stays, and must fit the new unit's
 * level: the trigger of sql/functions/60_accounts.sql). No row: the new unit is outside scope.
 */
static const char SQL_UPDATE[] =
    "UPDATE users u SET full_name = coalesce(x.full_name, ''), read_only = x.read_only, disabled = x.disabled,"
    "       unit_code = x.unit_code, password_hash = coalesce($5, u.password_hash),"
    "       password_changed_at = CASE WHEN $5::text IS NULL THEN u.password_changed_at ELSE now() END,"
    "       version = u.version + 1, updated_at = now()"
    "  FROM users c, jsonb_populate_record(c, $3::jsonb) x"
    " WHERE c.id = $4::uuid AND u.id = c.id AND in_scope($1, $2::uuid, user_unit(c), c.enterprise_id)"
    "   AND (x.unit_code IS NOT DISTINCT FROM c.unit_code OR in_scope($1, $2::uuid, x.unit_code, NULL))"
    " RETURNING u.id, user_unit(u), u.enterprise_id";

static const char *const ROLES[] = {"province", "district", "commune", "enterprise", NULL};

static const char *check_username(const char *v)
{
    size_t n = strlen(v);
    if (n < 3 || n > 64 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
        return "must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-'";
    return NULL;
}

static const struct field FIELDS[] = {
    {"id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"username", FIELD_STRING, FIELD_REQUIRED | FIELD_IMMUTABLE, 0, 0, NULL, check_username},
    {"password", FIELD_STRING, FIELD_REQUIRED, 0, 0, NULL, password_rule_violation},
    {"full_name", FIELD_STRING, 0, 0, 200, NULL, NULL},
    {"role", FIELD_ENUM, FIELD_REQUIRED | FIELD_IMMUTABLE, 0, 0, ROLES, NULL},
    {"unit_code", FIELD_STRING, 0, 0, 0, NULL, check_unit_code},
    {"enterprise_id", FIELD_UUID, FIELD_IMMUTABLE, 0, 0, NULL, NULL},
    {"read_only", FIELD_BOOL, 0, 0, 0, NULL, NULL},
    {"disabled", FIELD_BOOL, 0, 0, 0, NULL, NULL},
    {"password_changed_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"version", FIELD_INT, FIELD_READONLY, 0, 0, NULL, NULL},
    {"created_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"updated_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
};

static const struct reference REFS[] = {
    {"unit_code", "SELECT 1 FROM units WHERE code = $1"},
    {"enterprise_id", "SELECT 1 FROM enterprises WHERE id = $1::uuid"},
};

static const struct filter FILTERS[] = {
    {"unit", FIELD_STRING, NULL},
    {"role", FIELD_ENUM, ROLES},
    {"disabled", FIELD_BOOL, NULL},
    {"q", FIELD_STRING, NULL},
};

static const struct sort_key SORTS[] = {
    {"username", "f.username", "text"},
    {"full_name", "f.full_name", "text"},
    {"role", "array_position(ARRAY['province','district','commune','enterprise'], f.role)", "integer"},
    {"created_at", "f.created_at", "timestamptz"},
};

static const char *const CSV_COLUMNS[] = {
    "id", "username", "full_name", "role", "unit_code", "enterprise_id", "read_only", "disabled",
    "password_changed_at", "version", "created_at", "updated_at", NULL,
};

/* The export a person reads (columns=labels): user_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Tên đăng nhập", COLUMN_AUTO}, {"Họ và tên", COLUMN_AUTO}, {"Vai trò", COLUMN_AUTO},
    {"Mã đơn vị", COLUMN_AUTO}, {"Tên đơn vị", COLUMN_AUTO},
    {"Doanh nghiệp, cơ quan, tổ chức", COLUMN_AUTO}, {"Tài khoản chỉ xem", COLUMN_AUTO},
    {"Bị khóa", COLUMN_AUTO}, {"Đổi mật khẩu lúc", COLUMN_TIME}, {"Ngày tạo", COLUMN_TIME}, {0},
};

const struct list_spec USERS_LIST = {
    .filtered = SQL_LIST,
    .table = "users",
    .key = "id",
    .doc = "user_admin_doc(x)",
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "user_labels(x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Người dùng",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "username",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
};

/* Only sql_get is used generically; writes are below because of the password. */
const struct resource USERS = {
    .name = "users", .sql_get = SQL_GET, .location = "/api/v1/users/%s",
};

/* Districts create and manage only commune and enterprise accounts (DESIGN §3). */
static bool role_allowed_or_fail(request *r, const char *role)
{
    if (r->claims->role == ROLE_PROVINCE || r->claims->role == ROLE_NATIONAL ||
        (role && (strcmp(role, "commune") == 0 || strcmp(role, "enterprise") == 0)))
        return true;
    request_fail(r, PROBLEM_FORBIDDEN, "District accounts manage only commune and enterprise accounts");
    return false;
}

/* The body without its password, for the audit trail. */
static const char *redacted(request *r)
{
    cJSON *copy = cJSON_Duplicate(r->body, 1);
    if (cJSON_GetObjectItemCaseSensitive(copy, "password"))
        cJSON_ReplaceItemInObjectCaseSensitive(copy, "password", cJSON_CreateString("(changed)"));
    char *text = cJSON_PrintUnformatted(copy);
    const char *out = arena_strdup(r->arena, text);
    cJSON_free(text);
    cJSON_Delete(copy);
    return out;
}

/* Hashes the body's password, if any, into *hash (NULL when absent). */
static bool hash_or_fail(request *r, const char **hash)
{
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(r->body, "password");
    *hash = NULL;
    if (!cJSON_IsString(pw))
        return true;
    char *h = password_hash(pw->valuestring);
    if (!h) {
        request_fail(r, PROBLEM_INTERNAL, NULL);
        return false;
    }
    *hash = arena_strdup(r->arena, h);
    free(h);
    return true;
}

int users_create(request *r)
{
    if (!body_valid_or_fail(r, r->body, FIELDS, COUNT_OF(FIELDS), VALIDATE_CREATE))
        return API_FAILED;
    const char *role = cJSON_GetObjectItemCaseSensitive(r->body, "role")->valuestring;
    bool for_enterprise = strcmp(role, "enterprise") == 0;
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->body, for_enterprise ? "enterprise_id" : "unit_code")))
        request_field_error(r, for_enterprise ? "enterprise_id" : "unit_code",
                            for_enterprise ? "is required for enterprise accounts" : "is required for this role");
    if (cJSON_GetObjectItemCaseSensitive(r->body, for_enterprise ? "unit_code" : "enterprise_id"))
        request_field_error(r, for_enterprise ? "unit_code" : "enterprise_id",
                            for_enterprise ? "must be empty for enterprise accounts" : "is only for enterprise accounts");
    const char *hash;
    if (!request_fields_ok_or_fail(r) || !role_allowed_or_fail(r, role) || !hash_or_fail(r, &hash))
        return API_FAILED;

    cJSON *copy = cJSON_Duplicate(r->body, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "password");
    char *text = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    const char *params[4];
    actor_params(r, params);
    params[2] = arena_strdup(r->arena, text);
    params[3] = hash;
    cJSON_free(text);
    PGresult *row = db_query(r, SQL_INSERT, 4, params);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return resource_refused_write(r, REFS, COUNT_OF(REFS), r->body, "The account's unit is outside your scope");
    const char *id = arena_strdup(r->arena, db_value(row, 0));
    if (!audit_record(r, "create", "users", id, db_value(row, 1), db_value(row, 2), redacted(r)))
        return API_FAILED;
    int status = resource_get(r, &USERS, id);
    if (status == API_FAILED)
        return status;
    r->location = arena_printf(r->arena, USERS.location, id);
    return 201;
}

int users_update(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]) ||
        !body_valid_or_fail(r, r->body, FIELDS, COUNT_OF(FIELDS), VALIDATE_UPDATE))
        return API_FAILED;
    PGresult *locked = path_row_or_fail(r, SQL_LOCK, "No account with this id in your scope");
    if (!locked)
        return API_FAILED;
    const char *params[5];
    actor_params(r, params);
    const char *hash;
    if (!if_match_or_fail(r, atol(db_value(locked, 0))) ||
        !role_allowed_or_fail(r, db_value(locked, 3)) || !hash_or_fail(r, &hash))
        return API_FAILED;
    if (cJSON_GetArraySize(r->body) == 0)
        return resource_get(r, &USERS, r->params[0]);

    cJSON *copy = cJSON_Duplicate(r->body, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "password");
    char *text = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    params[2] = arena_strdup(r->arena, text);
    params[3] = r->params[0];
    params[4] = hash;
    cJSON_free(text);
    PGresult *row = db_query(r, SQL_UPDATE, 5, params);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return resource_refused_write(r, REFS, COUNT_OF(REFS), r->body, "The account's new unit is outside your scope");
    if (!audit_record(r, "update", "users", r->params[0], db_value(row, 1), db_value(row, 2), redacted(r)))
        return API_FAILED;
    /* Disabled, read-only or a new password: this process applies it to the old tokens at once
     * (auth/principals.h). */
    request_after_commit(r, principals_forget_hook, (void *)r->params[0]);
    return resource_get(r, &USERS, r->params[0]);
}

/*
 * cdt-server --create-admin USERNAME [--role national|province] [--unit CODE] [--full-name NAME]:
 * the first account of a new database, which has none to sign in with. The password is read from
 * the first line of stdin (so it never shows in a process list or a shell history) and must meet
 * the password rules. By default a national account (every unit: it loads the national lists and
 * creates the provinces' accounts); --role province --unit 79 makes a province's instead. Refuses
 * a username that exists. Audited as "cdt-server --create-admin". Returns the exit status.
 */
static const char SQL_CREATE_ADMIN[] =
    "WITH u AS (INSERT INTO users (username, password_hash, full_name, role, unit_code)"
    "           VALUES ($1, $2, $3, $4, $5) RETURNING id, unit_code)"
    " , a AS (INSERT INTO audit (actor, action, resource, resource_id, unit_code, changes)"
    "         SELECT 'cdt-server --create-admin', 'create', 'users', u.id::text, u.unit_code,"
    "                jsonb_build_object('username', $1::text, 'role', $4::text, 'unit_code', $5::text) FROM u)"
    " SELECT id FROM u";

int users_create_admin_command(const char *conninfo, int argc, char **argv)
{
    const char *username = argc > 0 ? argv[0] : NULL, *role = "national", *unit = NULL, *full_name = "";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc)
            unit = argv[++i];
        else if (strcmp(argv[i], "--full-name") == 0 && i + 1 < argc)
            full_name = argv[++i];
        else
            username = NULL;
    }
    bool province = strcmp(role, "province") == 0;
    if (!username || check_username(username) || (!province && strcmp(role, "national") != 0) ||
        (province != (unit != NULL))) {
        fprintf(stderr, "usage: cdt-server --create-admin USERNAME [--role national | --role province --unit CODE]"
                        " [--full-name NAME] < password\n");
        if (username && check_username(username))
            fprintf(stderr, "  USERNAME %s\n", check_username(username));
        return 2;
    }
    char password[1024];
    if (!fgets(password, sizeof password, stdin)) {
        fprintf(stderr, "--create-admin: give the password on the first line of stdin\n");
        return 2;
    }
    password[strcspn(password, "\r\n")] = '\0';
    const char *weak = password_rule_violation(password);
    if (weak) {
        fprintf(stderr, "--create-admin: the password %s\n", weak);
        explicit_bzero(password, sizeof password);
        return 2;
    }
    char *hash = password_hash(password);
    explicit_bzero(password, sizeof password);
    if (!hash)
        return 1;
    int rc = 1;
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to the database: %s", PQerrorMessage(c));
    } else {
        const char *params[5] = {username, hash, full_name, role, unit};
        PGresult *res = PQexecParams(c, SQL_CREATE_ADMIN, 5, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) == PGRES_TUPLES_OK) {
            printf("created %s account %s (id %s)%s%s\n", role, username, PQgetvalue(res, 0, 0),
                   unit ? " for unit " : "", unit ? unit : "");
            rc = 0;
        } else {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            fprintf(stderr, "--create-admin: %s", state && strcmp(state, "23505") == 0
                                                      ? "an account with this username exists already\n"
                                                      : PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    PQfinish(c);
    free(hash);
    return rc;
}
