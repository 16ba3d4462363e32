/*
 * api/clients.c — /api/v1/clients: API clients, the other e-government systems that sync with us.
 *
 * Province accounts create them inside their scope, each with a role and a unit (or an
 * enterprise) like a user, a read_only flag and a personal_data flag (may it read members' phone
 * and email). The server makes the client_id ("cdt_" + 24 hex digits) and a random secret, shows
 * the secret once in the 201 answer and keeps only its yescrypt hash. DELETE revokes: the row
 * stays, for the audit trail, with revoked_at set; the client's tokens stop working at once in
 * this process and within 60 s in every other one (auth/principals.h). Clients exchange their
 * credentials for a token at POST /api/v1/auth/token (api/auth.c).
 *
 * A client is in scope through its unit, or through the unit its enterprise is located in
 * (api_client_unit in sql/functions/60_accounts.sql).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/api.h"
#include "api/resource.h"
#include "auth/password.h"
#include "auth/principals.h"
#include "db/db.h"

static const char SQL_LIST[] =
    "SELECT c.* FROM api_clients c"
    "  WHERE " IN_SCOPE_SET("api_client_unit(c)", "c.enterprise_id")
    "    AND ($5::text IS NULL OR c.role = $5)"
    "    AND ($6::boolean IS NULL OR (c.revoked_at IS NOT NULL) = $6::boolean)"
    "    AND ($7::text IS NULL OR strpos(search_key(c.name || ' ' || c.client_id), search_key($7)) > 0)";

static const char SQL_GET[] =
    "SELECT client_doc(c)::text, c.version FROM api_clients c"
    " WHERE c.id = $3::uuid AND in_scope($1, $2::uuid, api_client_unit(c), c.enterprise_id)";

static const char SQL_LOCK[] =
    "SELECT c.version, api_client_unit(c), c.enterprise_id, c.revoked_at IS NOT NULL"
    "  FROM api_clients c"
    " WHERE c.id = $3::uuid AND in_scope($1, $2::uuid, api_client_unit(c), c.enterprise_id)"
    "   FOR UPDATE";

/* $3 body, $4 client_id, $5 secret hash, $6 creator. The client's place must be in scope (no row: 403). */
static const char SQL_INSERT[] =
    "INSERT INTO api_clients (client_id, secret_hash, name, role, unit_code, enterprise_id,"
    "                         read_only, personal_data, created_by)"
    " SELECT $4, $5, x.name, x.role, x.unit_code, x.enterprise_id, coalesce(x.read_only, false),"
    "        coalesce(x.personal_data, false), $6"
    "   FROM jsonb_populate_record(NULL::api_clients, $3::jsonb) x"
    "  WHERE in_scope($1, $2::uuid,"
    "                 coalesce(x.unit_code, (SELECT unit_code FROM enterprises WHERE id = x.enterprise_id)),"
    "                 x.enterprise_id)"
    " RETURNING id, api_client_unit(api_clients), enterprise_id";

/* $1 id (already locked in scope). */
static const char SQL_REVOKE[] =
    "UPDATE api_clients SET revoked_at = now(), version = version + 1 WHERE id = $1::uuid";

static const char *const ROLES[] = {"province", "district", "commune", "enterprise", NULL};

static const struct field FIELDS[] = {
    {"id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"client_id", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"client_secret", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 200, NULL, NULL},
    {"role", FIELD_ENUM, FIELD_REQUIRED, 0, 0, ROLES, NULL},
    {"unit_code", FIELD_STRING, 0, 0, 0, NULL, check_unit_code},
    {"enterprise_id", FIELD_UUID, 0, 0, 0, NULL, NULL},
    {"read_only", FIELD_BOOL, 0, 0, 0, NULL, NULL},
    {"personal_data", FIELD_BOOL, 0, 0, 0, NULL, NULL},
    {"created_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"created_by", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"revoked_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"version", FIELD_INT, FIELD_READONLY, 0, 0, NULL, NULL},
};

static const struct reference REFS[] = {
    {"unit_code", "SELECT 1 FROM units WHERE code = $1"},
    {"enterprise_id", "SELECT 1 FROM enterprises WHERE id = $1::uuid"},
};

static const struct filter FILTERS[] = {
    {"role", FIELD_ENUM, ROLES},
    {"revoked", FIELD_BOOL, NULL},
    {"q", FIELD_STRING, NULL},
};

static const struct sort_key SORTS[] = {
    {"name", "f.name", "text"},
    {"created_at", "f.created_at", "timestamptz"},
    {"revoked_at", "f.revoked_at", "timestamptz"},
};

static const char *const CSV_COLUMNS[] = {
    "id", "client_id", "name", "role", "unit_code", "enterprise_id", "read_only", "personal_data",
    "created_at", "created_by", "revoked_at", "version", NULL,
};

/* The export a person reads (columns=labels): client_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Mã ứng dụng", COLUMN_AUTO}, {"Tên ứng dụng", COLUMN_AUTO}, {"Vai trò", COLUMN_AUTO},
    {"Mã đơn vị", COLUMN_AUTO}, {"Tên đơn vị", COLUMN_AUTO},
    {"Doanh nghiệp, cơ quan, tổ chức", COLUMN_AUTO}, {"Chỉ xem", COLUMN_AUTO},
    {"Được xem dữ liệu cá nhân", COLUMN_AUTO}, {"Người tạo", COLUMN_AUTO},
    {"Ngày tạo", COLUMN_TIME}, {"Thu hồi lúc", COLUMN_TIME}, {0},
};

const struct list_spec CLIENTS_LIST = {
    .filtered = SQL_LIST,
    .table = "api_clients",
    .key = "id",
    .doc = "client_doc(x)",
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "client_labels(x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Ứng dụng kết nối",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "name",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
};

/* Only sql_get is used generically; create and revoke are below (secret, revocation). */
const struct resource CLIENTS = {
    .name = "clients", .sql_get = SQL_GET, .location = "/api/v1/clients/%s",
};

/* n random bytes as 2n lower-case hex digits into out (2n + 1 bytes). Aborts without entropy. */
static void random_hex(char *out, size_t n)
{
    unsigned char raw[32];
    if (n > sizeof raw || getrandom(raw, n, 0) != (ssize_t)n)
        abort();
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* 32 random bytes, base64url without padding (43 characters) into out (44 bytes). */
static void random_secret(char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[33] = {0};
    if (getrandom(raw, 32, 0) != 32)
        abort();
    size_t o = 0;
    for (size_t i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
        for (int k = 3; k >= 0 && o < 43; k--)
            out[o++] = alphabet[(v >> (6 * k)) & 63];
    }
    out[o] = '\0';
}

/* Exactly one of unit_code or enterprise_id, as the role says; records field errors. */
static void check_place(request *r)
{
    const char *role = cJSON_GetObjectItemCaseSensitive(r->body, "role")->valuestring;
    bool for_enterprise = strcmp(role, "enterprise") == 0;
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->body, for_enterprise ? "enterprise_id" : "unit_code")))
        request_field_error(r, for_enterprise ? "enterprise_id" : "unit_code",
                            for_enterprise ? "is required for enterprise clients" : "is required for this role");
    const cJSON *other = cJSON_GetObjectItemCaseSensitive(r->body, for_enterprise ? "unit_code" : "enterprise_id");
    if (other && !cJSON_IsNull(other))
        request_field_error(r, for_enterprise ? "unit_code" : "enterprise_id",
                            for_enterprise ? "must be empty for enterprise clients" : "is only for enterprise clients");
}

int clients_create(request *r)
{
    if (!body_valid_or_fail(r, r->body, FIELDS, COUNT_OF(FIELDS), VALIDATE_CREATE))
        return API_FAILED;
    check_place(r);
    if (!request_fields_ok_or_fail(r))
        return API_FAILED;

    char client_id[4 + 24 + 1] = "cdt_", secret[44];
    random_hex(client_id + 4, 12);
    random_secret(secret);
    char *hash = password_hash(secret);
    if (!hash)
        return request_fail(r, PROBLEM_INTERNAL, NULL);
    char *text = cJSON_PrintUnformatted(r->body);
    const char *params[6];
    actor_params(r, params);
    params[2] = arena_strdup(r->arena, text);
    params[3] = client_id;
    params[4] = arena_strdup(r->arena, hash);
    params[5] = r->claims->name;
    cJSON_free(text);
    free(hash);

    PGresult *row = db_query(r, SQL_INSERT, 6, params);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return resource_refused_write(r, REFS, COUNT_OF(REFS), r->body, "The client's unit or enterprise is outside your scope");
    const char *id = arena_strdup(r->arena, db_value(row, 0));
    if (!audit_record(r, "create", "clients", id, db_value(row, 1), db_value(row, 2), params[2]))
        return API_FAILED;
    if (resource_get(r, &CLIENTS, id) == API_FAILED)
        return API_FAILED;

    /* The answer is the client as GET shows it, plus the secret: the only time it is shown. */
    cJSON *doc = cJSON_Parse(r->response_body);
    cJSON_AddStringToObject(doc, "client_secret", secret);
    char *printed = cJSON_PrintUnformatted(doc);
    const char *body = arena_strdup(r->arena, printed);
    cJSON_free(printed);
    cJSON_Delete(doc);
    explicit_bzero(secret, sizeof secret);
    respond_json(r, 201, body, r->etag_version);
    r->location = arena_printf(r->arena, CLIENTS.location, id);
    return 201;
}

int clients_delete(request *r)
{
    PGresult *locked = path_row_or_fail(r, SQL_LOCK, "No client with this id in your scope");
    if (!locked || !if_match_or_fail(r, atol(db_value(locked, 0))))
        return API_FAILED;
    if (strcmp(db_value(locked, 3), "t") == 0)
        return respond_empty(r, 204); /* already revoked: nothing changes, no audit row */
    const char *id = r->params[0];
    if (!db_query(r, SQL_REVOKE, 1, &id) ||
        !audit_record(r, "revoke", "clients", id, db_value(locked, 1), db_value(locked, 2), NULL))
        return API_FAILED;
    /* This process forgets the client at once; others within the cache's TTL. */
    request_after_commit(r, principals_forget_hook, (void *)r->params[0]);
    return respond_empty(r, 204);
}
