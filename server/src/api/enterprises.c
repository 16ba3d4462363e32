/*
 * api/enterprises.c — /api/v1/enterprises: enterprises and organizations that host teams.
 *
 * In scope when located in the caller's subtree or, for an enterprise account, when it is the
 * caller's own enterprise, which it may edit but not move to another unit. One with teams or
 * accounts cannot be deleted (409).
 */
#include "api/api.h"
#include "api/resource.h"
#include "resources_gen.h"

static const char SQL_LIST[] =
    "SELECT e.id, e.name, e.tax_code, e.created_at FROM enterprises e"
    "  WHERE " IN_SCOPE_SET("e.unit_code", "e.id")
    ENTERPRISES_FILTER_WHERE;

static const char SQL_GET[] =
    "SELECT enterprise_doc(e)::text, e.version FROM enterprises e"
    " WHERE e.id = $3::uuid AND in_scope($1, $2::uuid, e.unit_code, e.id)";

static const char SQL_LOCK[] =
    "SELECT e.version, e.unit_code, e.id FROM enterprises e"
    " WHERE e.id = $3::uuid AND in_scope($1, $2::uuid, e.unit_code, e.id) FOR UPDATE";

static const char SQL_INSERT[] =
    "INSERT INTO enterprises (" ENTERPRISES_COLUMNS ")"
    " SELECT " ENTERPRISES_VALUES(x) " FROM jsonb_populate_record(NULL::enterprises, $3::jsonb) x"
    "  WHERE $2::uuid IS NULL AND in_scope($1, NULL, x.unit_code, NULL)"
    " RETURNING id, unit_code, id";

static const char SQL_UPDATE[] =
    "UPDATE enterprises e SET " ENTERPRISES_SET(x) ", version = e.version + 1, updated_at = now()"
    "  FROM enterprises c, jsonb_populate_record(c, $3::jsonb) x"
    " WHERE c.id = $4::uuid AND e.id = c.id AND in_scope($1, $2::uuid, x.unit_code, x.id)"
    /* An enterprise account keeps its enterprise where it is: in_scope alone would let it move
     * out of its district's reach (its own enterprise is in its scope wherever it lies). */
    "   AND ($2::uuid IS NULL OR x.unit_code = c.unit_code)"
    " RETURNING e.id, e.unit_code, e.id";

static const char SQL_DELETE[] = "DELETE FROM enterprises WHERE id = $1::uuid";

static const char SQL_IN_USE[] =
    "SELECT 1 FROM teams WHERE enterprise_id = $1::uuid"
    " UNION ALL SELECT 1 FROM users WHERE enterprise_id = $1::uuid LIMIT 1";

static const struct field FIELDS[] = {ENTERPRISES_FIELDS};

static const struct reference REFS[] = {
    {"unit_code", "SELECT 1 FROM units WHERE code = $1"},
};

static const struct filter FILTERS[] = {ENTERPRISES_FILTERS};

static const struct sort_key SORTS[] = {
    {"name", "f.name", "text"},
    {"tax_code", "f.tax_code", "text"},
    {"created_at", "f.created_at", "timestamptz"},
};

static const char *const CSV_COLUMNS[] = {ENTERPRISES_CSV_COLUMNS};

/* The export a person reads (columns=labels): enterprise_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Tên doanh nghiệp, cơ quan, tổ chức", COLUMN_AUTO}, {"Mã số thuế", COLUMN_AUTO},
    {"Mã xã", COLUMN_AUTO}, {"Xã, phường, thị trấn", COLUMN_AUTO}, {"Quận, huyện", COLUMN_AUTO},
    {"Địa chỉ", COLUMN_AUTO}, {"Người liên hệ", COLUMN_AUTO}, {"Điện thoại liên hệ", COLUMN_AUTO},
    {"Ngày tạo", COLUMN_TIME}, {"Ngày cập nhật", COLUMN_TIME}, {0},
};

const struct list_spec ENTERPRISES_LIST = {
    .filtered = SQL_LIST,
    .table = "enterprises",
    .key = "id",
    .doc = "enterprise_doc(x)",
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "enterprise_labels(x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Doanh nghiệp, cơ quan, tổ chức",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "name",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
};

const struct resource ENTERPRISES = {
    .name = "enterprises",
    .fields = FIELDS,
    .nfields = COUNT_OF(FIELDS),
    .refs = REFS,
    .nrefs = COUNT_OF(REFS),
    .sql_get = SQL_GET,
    .sql_lock = SQL_LOCK,
    .sql_insert = SQL_INSERT,
    .sql_update = SQL_UPDATE,
    .sql_delete = SQL_DELETE,
    .location = "/api/v1/enterprises/%s",
    .sql_in_use = SQL_IN_USE,
    .in_use_message = "The enterprise still has teams or accounts; remove them first",
    .refused_detail = "The unit is outside your scope (an enterprise account cannot move its enterprise to another "
                      "unit; the unit above it can)",
    .reply_in_scope = true,
};
