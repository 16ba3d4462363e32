/*
 * api/teams.c — /api/v1/teams: community digital technology teams.
 *
 * A team is in scope when its commune is in the caller's subtree or, for an enterprise
 * account, when it belongs to the caller's enterprise. Where one may put a team (its commune,
 * its enterprise, its kind for an enterprise account) is team_place_refusal
 * (sql/functions/10_scope.sql), for writes here and in imports alike. member_count, leader and
 * compliance are derived by PostgreSQL (team_doc, team_compliance) from the members and the
 * structure rules of the team's province; each team's document is kept built by the writes that
 * change it (sql/functions/55_team_documents.sql) and read as stored while it holds.
 */
#include "api/api.h"
#include "api/resource.h"
#include "resources_gen.h"

/* Row x's document: the stored one while it holds (team_document_valid), else built. */
#define TEAM_DOCUMENT                                                                               \
    "coalesce((SELECT d.doc FROM team_documents d WHERE d.team_id = x.id"                          \
    "           AND team_document_valid(d.fresh_from, d.fresh_until)), team_doc(x))"

static const char SQL_LIST[] =
    "SELECT t.id, t.name, t.established_on, t.created_at, t.unit_code FROM teams t"
    "  WHERE " IN_SCOPE_SET("t.unit_code", "t.enterprise_id")
    TEAMS_FILTER_WHERE;

static const char SQL_GET[] =
    "SELECT " TEAM_DOCUMENT "::text, x.version FROM teams x"
    " WHERE x.id = $3::uuid AND in_scope($1, $2::uuid, x.unit_code, x.enterprise_id)";

static const char SQL_LOCK[] =
    "SELECT t.version, t.unit_code, t.enterprise_id FROM teams t"
    " WHERE t.id = $3::uuid AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id) FOR UPDATE";

static const char SQL_INSERT[] =
    "INSERT INTO teams (" TEAMS_COLUMNS ")"
    " SELECT " TEAMS_VALUES(x) " FROM jsonb_populate_record(NULL::teams, $3::jsonb) x"
    "  WHERE team_place_refusal($1, $2::uuid, x.unit_code, x.enterprise_id, x.kind) IS NULL"
    " RETURNING id, unit_code, enterprise_id";

static const char SQL_UPDATE[] =
    "UPDATE teams t SET " TEAMS_SET(x) ", version = t.version + 1, updated_at = now()"
    "  FROM teams c, jsonb_populate_record(c, $3::jsonb) x"
    " WHERE c.id = $4::uuid AND t.id = c.id AND team_place_refusal($1, $2::uuid, x.unit_code, x.enterprise_id, x.kind) IS NULL"
    " RETURNING t.id, t.unit_code, t.enterprise_id";

/* A team like one already there asks to be confirmed (team_checks, sql/functions/50_teams.sql). */
static const char SQL_CHECKS[] = "SELECT * FROM team_checks($1, $2::uuid, $3::jsonb, $4::uuid)";

static const char SQL_DELETE[] = "DELETE FROM teams WHERE id = $1::uuid";

static const char SQL_IN_USE[] = "SELECT 1 FROM activities WHERE team_id = $1::uuid LIMIT 1";

static const struct field FIELDS[] = {TEAMS_FIELDS};

static const struct reference REFS[] = {
    {"unit_code", "SELECT 1 FROM units WHERE code = $1"},
    {"enterprise_id", "SELECT 1 FROM enterprises WHERE id = $1::uuid"},
};

static const struct filter FILTERS[] = {TEAMS_FILTERS};

static const struct sort_key SORTS[] = {
    {"name", "f.name", "text"},
    {"established_on", "f.established_on", "date"},
    {"created_at", "f.created_at", "timestamptz"},
    {"member_count", "team_member_count(f.id)", "bigint"},
    {"unit_code", "f.unit_code", "text"},
};

static const char *const CSV_COLUMNS[] = {TEAMS_CSV_COLUMNS};

/* The export a person reads (columns=labels): team_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Tên tổ", COLUMN_AUTO}, {"Loại tổ", COLUMN_AUTO}, {"Mã xã", COLUMN_AUTO},
    {"Xã, phường, thị trấn", COLUMN_AUTO}, {"Quận, huyện", COLUMN_AUTO},
    {"Tỉnh, thành phố", COLUMN_AUTO}, {"Khu phố, ấp", COLUMN_AUTO},
    {"Doanh nghiệp, cơ quan, tổ chức", COLUMN_AUTO}, {"Số quyết định thành lập", COLUMN_AUTO},
    {"Ngày thành lập", COLUMN_DATE}, {"Trạng thái", COLUMN_AUTO}, {"Số thành viên", COLUMN_AUTO},
    {"Tổ trưởng", COLUMN_AUTO}, {"Cơ cấu", COLUMN_AUTO}, {"Lý do chưa đạt", COLUMN_AUTO},
    {"Ghi chú", COLUMN_AUTO}, {"Mã trong hệ thống khác", COLUMN_AUTO},
    {"Ngày cập nhật", COLUMN_TIME}, {0},
};

const struct list_spec TEAMS_LIST = {
    .filtered = SQL_LIST,
    .table = "teams",
    .key = "id",
    .doc = TEAM_DOCUMENT,
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "team_labels(x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Tổ CNSCĐ",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "name",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
};

const struct resource TEAMS = {
    .name = "teams",
    .fields = FIELDS,
    .nfields = COUNT_OF(FIELDS),
    .refs = REFS,
    .nrefs = COUNT_OF(REFS),
    .sql_get = SQL_GET,
    .sql_lock = SQL_LOCK,
    .sql_insert = SQL_INSERT,
    .sql_update = SQL_UPDATE,
    .sql_delete = SQL_DELETE,
    .location = "/api/v1/teams/%s",
    .sql_checks = SQL_CHECKS,
    .sql_in_use = SQL_IN_USE,
    .in_use_message = "The team has logged activities; set its status to dissolved instead of deleting it",
    .refused_detail = "The team's commune or enterprise is outside your scope (an enterprise account files "
                      "only enterprise and organization teams of its own, in the commune where it is located)",
    .reply_in_scope = true,
};
