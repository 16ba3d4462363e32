/*
 * api/audit.c — the audit log: one row per write, import and sign-in, and GET /api/v1/audit.
 *
 * An entry is in scope through the unit or enterprise of the thing it is about, so a commune
 * reads its own history and a province reads everything below it.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

static const char SQL_INSERT[] =
    "INSERT INTO audit (actor, actor_id, action, resource, resource_id, unit_code, enterprise_id, changes)"
    " VALUES ($1, $2::uuid, $3, $4, $5, $6, $7::uuid, $8::jsonb)";

/* The same row written before a SELECT of the caller's (%s, its parameters $1..$%d first), in one
 * statement: the parameters of the row are numbered after the SELECT's. */
static const char SQL_INSERT_THEN[] =
    "WITH audited AS ("
    "INSERT INTO audit (actor, actor_id, action, resource, resource_id, unit_code, enterprise_id, changes)"
    " VALUES ($%d, $%d::uuid, $%d, $%d, $%d, $%d, $%d::uuid, $%d::jsonb)) %s";

static const char SQL_LIST[] =
    "SELECT a.id, a.at FROM audit a"
    "  WHERE " IN_SCOPE_SET("a.unit_code", "a.enterprise_id")
    "    AND ($5::text IS NULL OR a.resource = $5)"
    "    AND ($6::text IS NULL OR a.resource_id = $6)"
    "    AND ($7::text IS NULL OR a.actor = $7)"
    "    AND ($8::date IS NULL OR a.at >= $8::date)"
    "    AND ($9::date IS NULL OR a.at < $9::date + 1)";

static const struct filter FILTERS[] = {
    {"resource", FIELD_STRING, NULL}, {"resource_id", FIELD_STRING, NULL},
    {"actor", FIELD_STRING, NULL},    {"from", FIELD_DATE, NULL},
    {"to", FIELD_DATE, NULL},
};

static const struct sort_key SORTS[] = {
    {"at", "f.at", "timestamptz"},
};

static const char *const CSV_COLUMNS[] = {
    "id", "at", "actor", "actor_id", "action", "resource", "resource_id", "changes", NULL,
};

/* The export a person reads (columns=labels): audit_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Thời điểm", COLUMN_TIME}, {"Người thao tác", COLUMN_AUTO}, {"Thao tác", COLUMN_AUTO},
    {"Đối tượng", COLUMN_AUTO}, {"Mã đối tượng", COLUMN_AUTO}, {"Mã đơn vị", COLUMN_AUTO},
    {"Tên đơn vị", COLUMN_AUTO}, {"Nội dung thay đổi", COLUMN_AUTO}, {0},
};

const struct list_spec AUDIT_LIST = {
    .filtered = SQL_LIST,
    .table = "audit",
    .key = "id",
    .doc = "audit_doc(x)",
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "audit_labels(x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Nhật ký thao tác",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "-at",
    .tiebreak = "f.id DESC",
    .tiebreak_type = "bigint",
};

/* The audit row's eight values into params. */
static void audit_values(const request *r, const char *action, const char *resource, const char *resource_id,
                         const char *unit, const char *enterprise, const char *changes, const char **params)
{
    /* An identity-provider principal's subject is not one of our ids: its name carries it. */
    params[0] = r->claims && r->claims->name[0] ? r->claims->name : "system";
    params[1] = r->claims && r->claims->sub[0] && r->claims->kind != PRINCIPAL_IDP ? r->claims->sub : NULL;
    params[2] = action;
    params[3] = resource;
    params[4] = resource_id;
    params[5] = unit;
    params[6] = enterprise;
    params[7] = changes;
}

bool audit_record(request *r, const char *action, const char *resource, const char *resource_id,
                  const char *unit, const char *enterprise, const char *changes)
{
    const char *params[8];
    audit_values(r, action, resource, resource_id, unit, enterprise, changes, params);
    return db_query(r, SQL_INSERT, 8, params) != NULL;
}

PGresult *audit_record_then(request *r, const char *action, const char *resource, const char *resource_id,
                            const char *unit, const char *enterprise, const char *changes,
                            const char *select, int nparams, const char *const *params)
{
    const char *all[AUDIT_THEN_MAX_PARAMS + 8];
    if (nparams > AUDIT_THEN_MAX_PARAMS)
        abort(); /* a caller's mistake, as an allocation failure: never at run time */
    memcpy(all, params, (size_t)nparams * sizeof *all);
    audit_values(r, action, resource, resource_id, unit, enterprise, changes, all + nparams);
    int n = nparams;
    const char *sql = arena_printf(r->arena, SQL_INSERT_THEN, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6,
                                   n + 7, n + 8, select);
    return (r->commit_with_reply ? db_query_commit : db_query)(r, sql, nparams + 8, all);
}
