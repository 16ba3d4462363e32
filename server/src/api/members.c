/*
 * api/members.c — /api/v1/members and /api/v1/teams/{id}/members: the people in each team.
 *
 * A member is in scope exactly when its team is; members of an out-of-scope team answer 404.
 */
#include <cjson/cJSON.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

#define SQL_LIST_FROM                                                                               \
    "SELECT m.id, m.full_name, m.position, m.joined_on, m.created_at"                              \
    "  FROM members m JOIN teams t ON t.id = m.team_id"
#define SQL_LIST_UNIT "    AND ($5::text IS NULL OR in_subtree(t.unit_code, $5))"
#define SQL_LIST_OTHERS                                                                             \
    "    AND ($7::text IS NULL OR m.position = $7)"                                                 \
    "    AND ($8::text IS NULL OR m.affiliation = $8)"                                              \
    "    AND ($9::text IS NULL OR strpos(search_key(m.full_name), search_key($9)) > 0)"

static const char SQL_LIST[] =
    SQL_LIST_FROM
    "  WHERE " IN_SCOPE_SET("t.unit_code", "t.enterprise_id")
    SQL_LIST_UNIT
    "    AND ($6::uuid IS NULL OR m.team_id = $6::uuid)"
    SQL_LIST_OTHERS;

/*
 * The members of one team ($6, never NULL): the same rows, the scope checked on the team's one row
 * with in_scope() rather than against the set of the caller's units. Nothing in it then depends
 * on the values for its plan, and the generic plan PostgreSQL keeps after five runs is the custom
 * one (team by key, its members by members_team): the statement is no longer planned at every
 * request (0.30 ms, three times its run; docs/performance.md §9).
 */
static const char SQL_TEAM_LIST[] =
    SQL_LIST_FROM
    "  WHERE m.team_id = $6::uuid AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"
    SQL_LIST_UNIT
    SQL_LIST_OTHERS;

static const char SQL_GET[] =
    "SELECT member_doc(m)::text, m.version FROM members m JOIN teams t ON t.id = m.team_id"
    " WHERE m.id = $3::uuid AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)";

static const char SQL_LOCK[] =
    "SELECT m.version, t.unit_code, t.enterprise_id FROM members m JOIN teams t ON t.id = m.team_id"
    " WHERE m.id = $3::uuid AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"
    " FOR UPDATE OF m";

/* The team is checked in scope; the team row is locked so its compliance is read consistently. */
static const char SQL_INSERT[] =
    "WITH x AS (SELECT * FROM jsonb_populate_record(NULL::members, $3::jsonb)),"
    " t AS (SELECT t.* FROM teams t, x WHERE t.id = x.team_id"
    "        AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id) FOR UPDATE OF t),"
    " ins AS (INSERT INTO members (external_id, team_id, full_name, gender, birth_year, phone, email,"
    "                              position, affiliation, it_skilled, trained_on, joined_on, left_on)"
    "   SELECT x.external_id, x.team_id, x.full_name, x.gender, x.birth_year, x.phone, x.email,"
    "          coalesce(x.position, 'member'), x.affiliation, coalesce(x.it_skilled, false),"
    "          x.trained_on, x.joined_on, x.left_on"
    "     FROM x JOIN t ON t.id = x.team_id RETURNING id)"
    " SELECT ins.id, t.unit_code, t.enterprise_id FROM ins, t";

static const char SQL_UPDATE[] =
    "UPDATE members m SET external_id = x.external_id, team_id = x.team_id, full_name = x.full_name,"
    "       gender = x.gender, birth_year = x.birth_year, phone = x.phone, email = x.email,"
    "       position = x.position, affiliation = x.affiliation, it_skilled = x.it_skilled,"
    "       trained_on = x.trained_on, joined_on = x.joined_on, left_on = x.left_on,"
    "       version = m.version + 1, updated_at = now()"
    "  FROM members c, jsonb_populate_record(c, $3::jsonb) x, teams t"
    " WHERE c.id = $4::uuid AND m.id = c.id AND t.id = x.team_id"
    "   AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"
    " RETURNING m.id, t.unit_code, t.enterprise_id";

static const char SQL_DELETE[] = "DELETE FROM members WHERE id = $1::uuid";

static const char SQL_TEAM_VISIBLE[] =
    "SELECT 1 FROM teams t WHERE t.id = $3::uuid AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)";

static const char *const GENDERS[] = {"male", "female", "other", NULL};
static const char *const POSITIONS[] = {"leader", "deputy", "member", NULL};

static const struct field FIELDS[] = {
    {"id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"external_id", FIELD_STRING, 0, 1, 100, NULL, NULL},
    {"team_id", FIELD_UUID, FIELD_REQUIRED, 0, 0, NULL, NULL},
    {"full_name", FIELD_STRING, FIELD_REQUIRED, 1, 200, NULL, NULL},
    {"gender", FIELD_ENUM, 0, 0, 0, GENDERS, NULL},
    {"birth_year", FIELD_INT, 0, 1900, FIELD_MAX_THIS_YEAR, NULL, NULL},
    {"phone", FIELD_STRING, 0, 0, 0, NULL, check_phone},
    {"email", FIELD_STRING, 0, 0, 254, NULL, check_email},
    {"position", FIELD_ENUM, 0, 0, 0, POSITIONS, NULL},
    {"affiliation", FIELD_ENUM, 0, 0, 0, AFFILIATIONS, NULL},
    {"it_skilled", FIELD_BOOL, 0, 0, 0, NULL, NULL},
    {"trained_on", FIELD_DATE, 0, 0, 0, NULL, NULL},
    {"joined_on", FIELD_DATE, 0, 0, 0, NULL, NULL},
    {"left_on", FIELD_DATE, 0, 0, 0, NULL, NULL},
    {"version", FIELD_INT, FIELD_READONLY, 0, 0, NULL, NULL},
    {"created_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"updated_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
};

static const struct reference REFS[] = {
    {"team_id", "SELECT 1 FROM teams WHERE id = $1::uuid"},
};

static const struct filter FILTERS[] = {
    {"unit", FIELD_STRING, NULL},           {"team", FIELD_UUID, NULL},
    {"position", FIELD_ENUM, POSITIONS},    {"affiliation", FIELD_ENUM, AFFILIATIONS},
    {"q", FIELD_STRING, NULL},
};

static const struct sort_key SORTS[] = {
    {"full_name", "f.full_name", "text"},
    {"position", "array_position(ARRAY['leader','deputy','member'], f.position)", "integer"},
    {"joined_on", "f.joined_on", "date"},
    {"created_at", "f.created_at", "timestamptz"},
};

static const char *const CSV_COLUMNS[] = {
    "id", "external_id", "team_id", "full_name", "gender", "birth_year", "phone", "email",
    "position", "affiliation", "it_skilled", "trained_on", "joined_on", "left_on", "version",
    "created_at", "updated_at", NULL,
};

/* The export a person reads (columns=labels): member_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Họ và tên", COLUMN_AUTO}, {"Giới tính", COLUMN_AUTO}, {"Năm sinh", COLUMN_AUTO},
    {"Điện thoại", COLUMN_AUTO}, {"Thư điện tử", COLUMN_AUTO}, {"Chức danh", COLUMN_AUTO},
    {"Thành phần", COLUMN_AUTO}, {"Có kỹ năng công nghệ thông tin cơ bản", COLUMN_AUTO},
    {"Ngày hoàn thành tập huấn", COLUMN_DATE}, {"Ngày tham gia", COLUMN_DATE},
    {"Ngày rời tổ", COLUMN_DATE}, {"Tên tổ", COLUMN_AUTO}, {"Mã xã", COLUMN_AUTO},
    {"Xã, phường, thị trấn", COLUMN_AUTO}, {"Quận, huyện", COLUMN_AUTO},
    {"Mã trong hệ thống khác", COLUMN_AUTO}, {0},
};

#define MEMBERS_LIST_SPEC(sql)                                                                      \
    {                                                                                              \
        .filtered = sql, .table = "members", .key = "id", .doc = "member_doc(x)",                  \
        .csv_columns = CSV_COLUMNS, .labels_doc = "member_labels(x)", .label_columns = LABEL_COLUMNS, \
        .sheet = "Thành viên", .filters = FILTERS, .nfilters = COUNT_OF(FILTERS), .sorts = SORTS,  \
        .nsorts = COUNT_OF(SORTS), .default_sort = "position,full_name", .tiebreak = "f.id",       \
        .tiebreak_type = "uuid",                                                                   \
    }

static const struct list_spec LIST = MEMBERS_LIST_SPEC(SQL_LIST);
static const struct list_spec TEAM_LIST = MEMBERS_LIST_SPEC(SQL_TEAM_LIST);

static const struct resource MEMBERS = {
    .name = "members",
    .fields = FIELDS,
    .nfields = COUNT_OF(FIELDS),
    .refs = REFS,
    .nrefs = COUNT_OF(REFS),
    .sql_get = SQL_GET,
    .sql_lock = SQL_LOCK,
    .sql_insert = SQL_INSERT,
    .sql_update = SQL_UPDATE,
    .sql_delete = SQL_DELETE,
    .location = "/api/v1/members/%s",
};

/* 404 unless the team in the path exists in the caller's scope. */
static bool team_visible_or_fail(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return false;
    const char *params[3];
    actor_params(r, params);
    params[2] = r->params[0];
    PGresult *res = db_query(r, SQL_TEAM_VISIBLE, 3, params);
    if (!res)
        return false;
    if (PQntuples(res) == 0) {
        request_fail(r, PROBLEM_NOT_FOUND, "No team with this id in your scope");
        return false;
    }
    return true;
}

int members_list(request *r)
{
    return list_run(r, &LIST, NULL, NULL);
}

int members_list_of_team(request *r)
{
    if (!team_visible_or_fail(r))
        return API_FAILED;
    return list_run(r, &TEAM_LIST, "team", r->params[0]);
}

int members_create_in_team(request *r)
{
    if (!team_visible_or_fail(r))
        return API_FAILED;
    if (cJSON_IsObject(r->body)) {
        /* The team is the one in the path, whatever the body says. */
        cJSON_DeleteItemFromObjectCaseSensitive(r->body, "team_id");
        cJSON_AddStringToObject(r->body, "team_id", r->params[0]);
    }
    return resource_create(r, &MEMBERS);
}

int members_get(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return API_FAILED;
    return resource_get(r, &MEMBERS, r->params[0]);
}

int members_update(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return API_FAILED;
    return resource_update(r, &MEMBERS, r->params[0]);
}

int members_delete(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return API_FAILED;
    return resource_delete(r, &MEMBERS, r->params[0]);
}
