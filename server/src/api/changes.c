/*
 * api/changes.c — GET /api/v1/changes: the change feed other systems sync from.
 *
 * Triggers (sql/functions/70_feed.sql) write one row per created, updated or deleted unit, team,
 * member, activity, enterprise, deadline and target; the sequencer (db/sequencer.c) numbers them
 * after their transactions commit, one pass at a time, so that a client that pages with
 * after=<last seq> sees every change exactly once, in commit order. The page is read after a
 * pass that began with this request: it holds every change committed before it.
 */
#include <stdio.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

static const char SQL_PAGE[] =
    "WITH page AS (SELECT c.seq, c.resource, c.resource_id, c.op, c.at FROM changes c"
    "               WHERE c.seq > $3::bigint"
    "                 AND (" IN_SCOPE_SET("c.unit_code", "c.enterprise_id")
    "                      OR (c.old_unit_code IS NOT NULL OR c.old_enterprise_id IS NOT NULL)"
    "                         AND " IN_SCOPE_SET("c.old_unit_code", "c.old_enterprise_id") ")"
    "               ORDER BY c.seq LIMIT $4::int)"
    " SELECT json_build_object("
    "  'items', coalesce((SELECT json_agg(json_build_object('seq', seq, 'resource', resource,"
    "                     'id', resource_id, 'op', op, 'at', at) ORDER BY seq) FROM page), '[]'),"
    "  'next_after', coalesce((SELECT max(seq) FROM page), $3::bigint))::text";

enum { FEED_LIMIT_DEFAULT = 100, FEED_LIMIT_MAX = 1000 };

int changes_list(request *r)
{
    long after = 0, limit = FEED_LIMIT_DEFAULT;
    const char *v = query_get(r, "after");
    if (v && !query_count(v, 0, 9000000000000000000L, &after))
        request_field_error(r, "after", "must be a non-negative integer: the next_after of the previous page");
    v = query_get(r, "limit");
    if (v && !query_count(v, 1, FEED_LIMIT_MAX, &limit))
        request_field_error(r, "limit", "must be an integer from 1 to 1000");
    if (!request_fields_ok_or_fail(r))
        return API_FAILED;

    db_sequencer_wait(DB_SEQUENCER_WAIT_MS); /* else what the last pass numbered */
    const char *params[4];
    actor_params(r, params);
    params[2] = arena_printf(r->arena, "%ld", after);
    params[3] = arena_printf(r->arena, "%ld", limit);
    PGresult *page = db_query(r, SQL_PAGE, 4, params);
    if (!page)
        return API_FAILED;
    return respond_json(r, 200, db_value(page, 0), 0);
}
