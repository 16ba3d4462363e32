/*
 * api/units.c — /api/v1/units: the administrative tree (province, district, commune) by GSO code.
 *
 * Units are reference data: read in scope by everyone, written only by province (and national)
 * accounts and only below their own unit. A unit row is a version valid from valid_from to
 * valid_to (sql/migrations/018_unit_versions.sql): lists show the units valid on `on` (today by
 * default), and a code names the version valid on that day (by default today's, else its latest).
 * Units are closed with valid_to, never deleted; new versions come with imports (valid_from).
 */
#include <cjson/cJSON.h>

#include "api/api.h"
#include "api/resource.h"
#include "auth/principals.h"
#include "db/db.h"
#include "resources_gen.h"

/* unit_visible($1, $2, u.code) in set form: the caller's subtree, or its enterprise's commune. */
static const char SQL_LIST[] =
    "SELECT u.code, u.name, u.level FROM units u"
    "  WHERE (u.code = ANY (ARRAY(SELECT s FROM scope_unit_codes($1, $2::uuid) s))"
    "         OR u.code = (SELECT e.unit_code FROM enterprises e WHERE e.id = $2::uuid))"
    "    AND unit_valid_on(u.valid_from, u.valid_to, coalesce($8::date, unit_today()))"
    "    AND ($5::text IS NULL OR u.parent_code = unit_key($5, coalesce($8::date, unit_today())))"
    "    AND ($6::text IS NULL OR u.level = $6)"
    "    AND ($7::text IS NULL OR strpos(search_key(u.name), search_key($7)) > 0)";

/* $3 a code (its version of today, else its latest) or a key. */
static const char SQL_GET[] =
    "SELECT unit_doc(u)::text, u.version FROM units u"
    " WHERE u.code = unit_key_now($3) AND unit_visible($1, $2::uuid, u.code)";

/* $1 a code, $2 a day -> the key of its version valid that day. */
static const char SQL_KEY_ON[] = "SELECT unit_key($1, $2::date)";

static const char SQL_LOCK[] =
    "SELECT u.version, u.code, NULL FROM units u"
    " WHERE u.code = $3 AND unit_visible($1, $2::uuid, u.code) FOR UPDATE";

/* ancestors and scope_path are set by the trigger units_ancestors_biu (sql/functions/05_units.sql). */
static const char SQL_INSERT[] =
    "INSERT INTO units (" UNITS_COLUMNS ", ancestors, scope_path)"
    " SELECT " UNITS_VALUES(x) ", '{}', '{}'"
    "   FROM jsonb_populate_record(NULL::units, $3::jsonb) x"
    "  WHERE unit_visible($1, $2::uuid, x.parent_code)"
    " RETURNING code, code, NULL";

static const char SQL_UPDATE[] =
    "UPDATE units u SET " UNITS_SET(x) ", version = u.version + 1, updated_at = now()"
    "  FROM units c, jsonb_populate_record(c, $3::jsonb) x"
    " WHERE c.code = $4 AND u.code = c.code AND unit_visible($1, $2::uuid, x.parent_code)"
    " RETURNING u.code, u.code, NULL";

static const struct field FIELDS[] = {UNITS_FIELDS};

static const struct reference REFS[] = {
    {"parent_code", "SELECT 1 FROM units WHERE code = $1"},
};

static const struct filter FILTERS[] = {
    {"parent", FIELD_STRING, NULL},
    {"level", FIELD_ENUM, UNIT_LEVELS},
    {"q", FIELD_STRING, NULL},
    {"on", FIELD_DATE, NULL},
};

static const struct sort_key SORTS[] = {
    {"code", "f.code", "text"},
    {"name", "f.name", "text"},
    {"level", "array_position(" UNIT_LEVELS_SQL ", f.level)", "integer"},
};

static const char *const CSV_COLUMNS[] = {UNITS_CSV_COLUMNS};

/* The export a person reads (columns=labels): unit_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Mã đơn vị", COLUMN_AUTO}, {"Tên đơn vị", COLUMN_AUTO}, {"Cấp", COLUMN_AUTO},
    {"Mã đơn vị cấp trên", COLUMN_AUTO}, {"Tên đơn vị cấp trên", COLUMN_AUTO},
    {"Ngày có hiệu lực", COLUMN_DATE}, {"Ngày hết hiệu lực", COLUMN_DATE},
    {"Sáp nhập từ", COLUMN_AUTO}, {"Chuyển thành", COLUMN_AUTO}, {0},
};

const struct list_spec UNITS_LIST = {
    .filtered = SQL_LIST,
    .table = "units",
    .key = "code",
    .doc = "unit_doc(x)",
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "unit_labels(x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Đơn vị hành chính",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "code",
    .tiebreak = "f.code",
    .tiebreak_type = "text",
};

const struct resource UNITS = {
    .name = "units",
    .fields = FIELDS,
    .nfields = COUNT_OF(FIELDS),
    .refs = REFS,
    .nrefs = COUNT_OF(REFS),
    .sql_get = SQL_GET,
    .sql_lock = SQL_LOCK,
    .sql_insert = SQL_INSERT,
    .sql_update = SQL_UPDATE,
    .location = "/api/v1/units/%s",
};

static bool code_or_fail(request *r)
{
    if (r->params[0] && !check_unit_code(r->params[0]))
        return true;
    request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code");
    return false;
}

/* ?on=DAY: the version the code names that day (404 when none), else as SQL_GET says. */
int units_get(request *r)
{
    if (!code_or_fail(r))
        return API_FAILED;
    const char *on = query_get(r, "on");
    if (!on)
        return resource_get(r, &UNITS, r->params[0]);
    static const struct filter ON = {"on", FIELD_DATE, NULL};
    const char *problem = query_filter_problem(&ON, on);
    if (problem) {
        request_field_error(r, "on", problem);
        request_fields_ok_or_fail(r);
        return API_FAILED;
    }
    const char *params[2] = {r->params[0], on};
    PGresult *key = db_query(r, SQL_KEY_ON, 2, params);
    if (!key)
        return API_FAILED;
    if (!db_value(key, 0))
        return request_fail(r, PROBLEM_NOT_FOUND, "No unit with this code on that day");
    return resource_get(r, &UNITS, arena_strdup(r->arena, db_value(key, 0)));
}

int units_update(request *r)
{
    if (!code_or_fail(r))
        return API_FAILED;
    /* A unit closed (or reopened) stops (or lets in) its accounts' tokens: at once in this
     * process, which does not know which cached principals belong to the unit. */
    if (cJSON_GetObjectItemCaseSensitive(r->body, "valid_to"))
        request_after_commit(r, principals_forget_all_hook, NULL);
    return resource_update(r, &UNITS, r->params[0]);
}
