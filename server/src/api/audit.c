/*
 * api/audit.c — the audit log: one row per write, import and sign-in, and GET /api/v1/audit.
 *
 * An entry is in scope through the unit or enterprise of the thing it is about, so a commune
 * reads its own history and a province reads everything below it.
 */
#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

static const char SQL_INSERT[] =
    "INSERT INTO audit (actor, actor_id, action, resource, resource_id, unit_code, enterprise_id, changes)"
    " VALUES ($1, $2::uuid, $3, $4, $5, $6, $7::uuid, $8::jsonb)";

static const char SQL_LIST[] =
    "WITH f AS (SELECT a.* FROM audit a"
    "  WHERE in_scope($1, $2::uuid, a.unit_code, a.enterprise_id)"
    "    AND ($5::text IS NULL OR a.resource = $5)"
    "    AND ($6::text IS NULL OR a.resource_id = $6)"
    "    AND ($7::text IS NULL OR a.actor = $7)"
    "    AND ($8::date IS NULL OR a.at >= $8::date)"
    "    AND ($9::date IS NULL OR a.at < $9::date + 1)),"
    " p AS (SELECT f.id, row_number() OVER (ORDER BY %s) AS n FROM f ORDER BY n"
    "       LIMIT $3::int OFFSET $4::int)"
    " SELECT json_build_object("
    "  'items', coalesce((SELECT json_agg(audit_doc(a) ORDER BY p.n) FROM p JOIN audit a USING (id)), '[]'),"
    "  'total', (SELECT count(*) FROM f), 'limit', $3::int, 'offset', $4::int)::text";

static const struct filter FILTERS[] = {
    {"resource", FIELD_STRING, NULL}, {"resource_id", FIELD_STRING, NULL},
    {"actor", FIELD_STRING, NULL},    {"from", FIELD_DATE, NULL},
    {"to", FIELD_DATE, NULL},
};

static const struct sort_key SORTS[] = {
    {"at", "f.at"},
};

static const struct list_spec LIST = {
    SQL_LIST, FILTERS, COUNT_OF(FILTERS), SORTS, COUNT_OF(SORTS), "-at", "f.id DESC",
};

bool audit_record(request *r, const char *action, const char *resource, const char *resource_id,
                  const char *unit, const char *enterprise, const char *changes)
{
    const char *params[8] = {
        r->claims && r->claims->name[0] ? r->claims->name : "system",
        r->claims && r->claims->sub[0] ? r->claims->sub : NULL,
        action, resource, resource_id, unit, enterprise, changes,
    };
    return db_query(r, SQL_INSERT, 8, params) != NULL;
}

int audit_list(request *r)
{
    return list_run(r, &LIST, NULL, NULL);
}
