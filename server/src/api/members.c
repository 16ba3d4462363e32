/*
 * api/members.c — /api/v1/members and /api/v1/teams/{id}/members: the people in each team.
 *
 * A member is in scope exactly when its team is; members of an out-of-scope team answer 404.
 */
#include <cjson/cJSON.h>

#include "api/api.h"
#include "api/resource.h"
#include "resources_gen.h"
#include "db/db.h"

#define SQL_LIST_FROM                                                                               \
    "SELECT m.id, m.full_name, m.position, m.joined_on, m.created_at"                              \
    "  FROM members m JOIN teams t ON t.id = m.team_id"

static const char SQL_LIST[] =
    SQL_LIST_FROM
    "  WHERE " IN_SCOPE_SET("t.unit_code", "t.enterprise_id")
    MEMBERS_FILTER_WHERE;

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
    MEMBERS_FILTER_WHERE;

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
    " ins AS (INSERT INTO members (" MEMBERS_COLUMNS ")"
    "   SELECT " MEMBERS_VALUES(x) " FROM x JOIN t ON t.id = x.team_id RETURNING id)"
    " SELECT ins.id, t.unit_code, t.enterprise_id FROM ins, t";

static const char SQL_UPDATE[] =
    "UPDATE members m SET " MEMBERS_SET(x) ", version = m.version + 1, updated_at = now()"
    "  FROM members c, jsonb_populate_record(c, $3::jsonb) x, teams t"
    " WHERE c.id = $4::uuid AND m.id = c.id AND t.id = x.team_id"
    "   AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"
    " RETURNING m.id, t.unit_code, t.enterprise_id";

static const char SQL_DELETE[] = "DELETE FROM members WHERE id = $1::uuid";

/* The team of id (a parameter) is in the caller's scope. */
#define TEAM_VISIBLE(id)                                                                           \
    "EXISTS (SELECT 1 FROM teams t WHERE t.id = " id " AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id))"
static const char SQL_TEAM_VISIBLE[] = "SELECT 1 WHERE " TEAM_VISIBLE("$3::uuid");
static const char TEAM_NOT_FOUND[] = "No team with this id in your scope";

static const struct field FIELDS[] = {MEMBERS_FIELDS};

static const struct reference REFS[] = {
    {"team_id", "SELECT 1 FROM teams WHERE id = $1::uuid"},
};

static const struct filter FILTERS[] = {MEMBERS_FILTERS};

static const struct sort_key SORTS[] = {
    {"full_name", "f.full_name", "text"},
    {"position", "array_position(" POSITIONS_SQL ", f.position)", "integer"},
    {"joined_on", "f.joined_on", "date"},
    {"created_at", "f.created_at", "timestamptz"},
};

static const char *const CSV_COLUMNS[] = {MEMBERS_CSV_COLUMNS};

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

#define MEMBERS_LIST_SPEC(sql, ...)                                                                 \
    {                                                                                              \
        .filtered = sql, .table = "members", .key = "id", .doc = "member_doc(x)",                  \
        .csv_columns = CSV_COLUMNS, .labels_doc = "member_labels(x)", .label_columns = LABEL_COLUMNS, \
        .sheet = "Thành viên", .filters = FILTERS, .nfilters = COUNT_OF(FILTERS), .sorts = SORTS,  \
        .nsorts = COUNT_OF(SORTS), .default_sort = "position,full_name", .tiebreak = "f.id",       \
        .tiebreak_type = "uuid", __VA_ARGS__                                                       \
    }

const struct list_spec MEMBERS_LIST = MEMBERS_LIST_SPEC(SQL_LIST);
/* The team (the team filter, $6) is looked up in the page's statement: one exchange with the
 * database a page instead of two (docs/performance.md §9). */
static const struct list_spec TEAM_LIST =
    MEMBERS_LIST_SPEC(SQL_TEAM_LIST, .found = TEAM_VISIBLE("$6::uuid"), .not_found = TEAM_NOT_FOUND);

const struct resource MEMBERS = {
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
    .reply_in_scope = true,
};

/* 404 unless the team in the path exists in the caller's scope. */
static bool team_visible_or_fail(request *r)
{
    return path_row_or_fail(r, SQL_TEAM_VISIBLE, TEAM_NOT_FOUND) != NULL;
}

int members_list_of_team(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
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
