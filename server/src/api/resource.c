/*
 * api/resource.c — generic list, get, create, update and delete over a resource's declared data.
 */
#define _GNU_SOURCE /* strcasestr */
#include "api/resource.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "db/db.h"
#include "http/csv.h"
#include "http/response.h"
#include "util/log.h"
#include "util/spool.h"
#include "util/utf8.h"

enum { LIMIT_DEFAULT = 50, LIMIT_MAX = 1000, CURSOR_MAX = 2048 /* characters of ?after= (openapi) */ };

void actor_params(const request *r, const char **params)
{
    /* '*': a national actor, whose scope is every unit (in_scope, sql/functions/05_units.sql). */
    params[0] = r->claims && r->claims->role == ROLE_NATIONAL ? "*"
                : r->claims && r->claims->unit[0] ? r->claims->unit
                                                   : NULL;
    params[1] = r->claims && r->claims->enterprise[0] ? r->claims->enterprise : NULL;
}

static void sink_to_request(void *ctx, const char *field, const char *message)
{
    request_field_error(ctx, field, message);
}

bool body_valid_or_fail(request *r, const cJSON *body, const struct field *fields, size_t nfields,
                        validate_mode mode)
{
    validate_object(body, fields, nfields, mode, "", sink_to_request, r);
    return request_fields_ok_or_fail(r);
}

bool path_uuid_or_fail(request *r, const char *value)
{
    if (value && text_is_uuid(value))
        return true;
    request_fail(r, PROBLEM_NOT_FOUND, "No record with this id");
    return false;
}

/* The order asked (?sort=, or the list's default). */
static const char *sort_asked(request *r, const struct list_spec *spec)
{
    const char *asked = query_get(r, "sort");
    return asked && *asked ? asked : spec->default_sort;
}

/* The ORDER BY list for ?sort= (or the default); NULL after recording a field error. */
static char *order_clause(request *r, const struct list_spec *spec)
{
    buf order = {0};
    char *out = NULL;
    if (query_order_by(sort_asked(r, spec), spec->sorts, spec->nsorts, spec->tiebreak, &order)) {
        out = arena_strdup(r->arena, order.data);
    } else {
        buf names = {0};
        for (size_t i = 0; i < spec->nsorts; i++)
            buf_printf(&names, "%s%s", i ? ", " : "", spec->sorts[i].name);
        request_field_error(r, "sort", arena_printf(r->arena, "can order by: %s (prefix - for descending)", names.data));
        buf_free(&names);
    }
    buf_free(&order);
    return out;
}

/*
 * The page: one row, one column, the whole {items, total, limit, offset, next} document.
 * Arguments: 1 the filtered rows, 2 the key, 3 the order, 4 "row f comes after the cursor",
 * 5 the document of row x, 6 the table, 7 a row's place in the order (query_keyset), 8 and 9 the
 * numbers of the parameters after the filters: the cursor's place (jsonb, NULL without ?after=)
 * and the order asked. The page's keys come in order from one top-N sort (no window over every
 * row); one more than the page tells whether there is a next page, whose cursor is the place of
 * the page's last row: {"s": order, "v": place} as base64url.
 */
static const char PAGE_SQL[] =
    "WITH f AS MATERIALIZED (%1$s),"
    " page AS (SELECT ARRAY(SELECT f.%2$s FROM f WHERE $%8$d::jsonb IS NULL OR (%4$s)"
    "                        ORDER BY %3$s LIMIT $3::int + 1 OFFSET $4::int) AS keys),"
    " p AS (SELECT u.k, u.n FROM page, unnest(page.keys[1 : $3::int]) WITH ORDINALITY AS u (k, n))"
    " SELECT json_build_object("
    "  'items', coalesce((SELECT json_agg(%5$s ORDER BY p.n) FROM p JOIN %6$s x ON x.%2$s = p.k), '[]'),"
    "  'total', (SELECT count(*) FROM f), 'limit', $3::int, 'offset', $4::int,"
    "  'next', (SELECT translate(encode(convert_to(jsonb_build_object('s', $%9$d::text, 'v', %7$s)::text,"
    "                                             'UTF8'), 'base64'), E'+/=\\n', '-_')"
    "             FROM page, f WHERE cardinality(page.keys) > $3::int AND f.%2$s = page.keys[$3::int]))::text";

static void delete_printed(void *p)
{
    cJSON_free(p);
}

static char *print_json(request *r, const cJSON *json)
{
    char *text = cJSON_PrintUnformatted(json);
    if (!text)
        abort(); /* cJSON fails only on allocation */
    arena_defer(r->arena, delete_printed, text);
    return text;
}

/*
 * The place a cursor (?after=) holds, as the JSON text of its values; NULL after recording a field
 * error when it is not a cursor of this list in the order asked (the next of one of its pages).
 */
static const char *cursor_place(request *r, const struct list_spec *spec, const char *after, const char *sort)
{
    const char *types[QUERY_ORDER_KEYS_MAX + 1];
    size_t n = query_keyset_types(sort, spec->sorts, spec->nsorts, spec->tiebreak_type, types, COUNT_OF(types));
    buf json = {0};
    cJSON *cursor = NULL;
    const char *place = NULL;
    if (n == 0 || strlen(after) > CURSOR_MAX || !query_base64url_decode(after, &json) || !utf8_valid(json.data, json.len) ||
        !(cursor = cJSON_Parse(json.data)))
        goto out;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(cursor, "s");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cursor, "v");
    if (!cJSON_IsString(s) || strcmp(s->valuestring, sort) != 0 || !cJSON_IsArray(v) ||
        (size_t)cJSON_GetArraySize(v) != n)
        goto out;
    size_t i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        const char *t = types[i];
        bool fits = cJSON_IsNull(e) ? i + 1 < n /* the key is never NULL */
                    : strcmp(t, "integer") == 0 || strcmp(t, "bigint") == 0
                        ? cJSON_IsNumber(e) && e->valuedouble == (double)(long long)e->valuedouble
                    : !cJSON_IsString(e)       ? false
                    : strcmp(t, "uuid") == 0   ? text_is_uuid(e->valuestring)
                    : strcmp(t, "date") == 0   ? text_is_date(e->valuestring)
                                               : true;
        if (!fits)
            goto out;
    }
    place = print_json(r, v);
out:
    if (!place)
        request_field_error(r, "after", "is not a cursor of this list in this order: give the next of a "
                                        "page of it, with the same sort");
    cJSON_Delete(cursor);
    buf_free(&json);
    return place;
}

/* The export: one document per row, in order; $3 is NULL (LIMIT NULL is no limit). */
static const char EXPORT_SQL[] =
    "WITH f AS (%s) SELECT (%s)::text FROM f JOIN %s x ON x.%s = f.%s ORDER BY %s"
    " LIMIT $3::int OFFSET $4::int";

/* ?format=csv (or json), else an Accept header naming text/csv before JSON. A bad format is
 * recorded as a field error. */
static bool wants_csv(request *r)
{
    const char *format = query_get(r, "format");
    if (format) {
        if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
            request_field_error(r, "format", "must be csv or json");
        return strcmp(format, "csv") == 0;
    }
    const char *accept = mg_get_header(r->conn, "Accept");
    const char *csv_at = accept ? strcasestr(accept, "text/csv") : NULL;
    const char *json_at = accept ? strcasestr(accept, "application/json") : NULL;
    return csv_at && (!json_at || csv_at < json_at);
}

/* Bytes of an export kept in memory before the rest goes to a temporary file (util/spool.h). */
enum { EXPORT_MEMORY_MAX = 256 * 1024, EXPORT_CHUNK = 64 * 1024 };

/* Reads every row of the export query into out; false after recording the problem. */
static bool spool_rows(request *r, const struct list_spec *spec, spool *out)
{
    buf rows = {0};
    buf_puts(&rows, CSV_BOM);
    csv_append_header(&rows, spec->csv_columns);
    bool ok = true;
    PGresult *res;
    while ((res = PQgetResult(r->db))) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE && ok) {
            cJSON *doc = cJSON_Parse(PQgetvalue(res, 0, 0));
            csv_append_row(&rows, doc, spec->csv_columns);
            cJSON_Delete(doc);
            if (rows.len >= EXPORT_CHUNK) {
                ok = spool_write(out, rows.data, rows.len);
                rows.len = 0;
            }
        } else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && ok) {
            db_record_error(r, res);
            ok = false;
        }
        PQclear(res); /* every result is read, so that the connection is idle again */
    }
    if (ok)
        ok = spool_write(out, rows.data, rows.len);
    if (out->failed && !r->problem) {
        log_event("error", r->request_id, "export: the temporary file could not be written", NULL, NULL);
        request_fail(r, PROBLEM_UNAVAILABLE, "The export could not be prepared; try again later");
    }
    buf_free(&rows);
    return ok;
}

/*
 * CSV export. Every matching row is read from PostgreSQL (single-row mode, under the bulk
 * statement timeout) into a spool, memory up to EXPORT_MEMORY_MAX and then an unlinked temporary
 * file, and the pooled connection goes back to the pool before the first byte is sent: a client
 * that reads slowly, or never, holds its own worker thread and nothing else. Sending while
 * reading held the connection as long as the client took: four clients that never read held the
 * whole pool, and every account got 503 (issue 11, item 2). A write that makes no progress for
 * REQUEST_TIMEOUT_MS fails (civetweb), which ends the answer, cut short, and the connection, so
 * the worker is free too. Since the answer is complete before its head is sent, a database error
 * is a problem+json answer, never a stream cut in the middle.
 */
static int export_csv(request *r, const struct list_spec *spec, const char *sql, int nparams,
                      const char *const *params)
{
    if (!db_begin_bulk_or_fail(r))
        return API_FAILED;
    if (!PQsendQueryParams(r->db, sql, nparams, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(r->db))
        return request_fail(r, PROBLEM_UNAVAILABLE, "The database is unavailable; try again shortly");
    spool out;
    spool_init(&out, EXPORT_MEMORY_MAX);
    bool ok = spool_rows(r, spec, &out);
    db_release(r); /* ends the read-only transaction; the pool has the connection back */
    if (!ok) {
        spool_free(&out);
        return API_FAILED;
    }
    response_stream_begin(r, "text/csv; charset=utf-8", arena_printf(r->arena, "%s.csv", spec->table));
    char *chunk = xmalloc(EXPORT_CHUNK);
    size_t n, sent = 0;
    while ((n = spool_read(&out, chunk, EXPORT_CHUNK)) > 0 && mg_send_chunk(r->conn, chunk, (unsigned)n) > 0)
        sent += n;
    if (sent == out.size) {
        mg_send_chunk(r->conn, "", 0);
    } else {
        /* Cut short: without its last chunk the client knows it is incomplete; close, not reuse. */
        mg_disable_connection_keep_alive(r->conn);
        log_event("warn", r->request_id, "export cut short: the client stopped reading or went away", NULL, NULL);
    }
    free(chunk);
    spool_free(&out);
    return 200;
}

int list_run(request *r, const struct list_spec *spec, const char *preset_name,
             const char *preset_value)
{
    /* $1..$4 actor, limit, offset; the filters; then the cursor's place and the order asked. */
    const char **params = arena_alloc(r->arena, sizeof(char *) * (6 + spec->nfilters));
    actor_params(r, params);
    bool csv = wants_csv(r);

    long limit = LIMIT_DEFAULT, offset = 0;
    const char *v = query_get(r, "limit");
    if (v && !query_count(v, 1, LIMIT_MAX, &limit))
        request_field_error(r, "limit", "must be an integer from 1 to 1000");
    v = query_get(r, "offset");
    if (v && !query_count(v, 0, 1000000000L, &offset))
        request_field_error(r, "offset", "must be a non-negative integer");
    params[2] = csv ? NULL : arena_printf(r->arena, "%ld", limit); /* an export has every row */
    params[3] = csv ? "0" : arena_printf(r->arena, "%ld", offset);

    for (size_t i = 0; i < spec->nfilters; i++) {
        const struct filter *f = &spec->filters[i];
        bool preset = preset_name && strcmp(preset_name, f->name) == 0;
        v = preset ? preset_value : query_get(r, f->name);
        if (v && !*v && !preset)
            v = NULL; /* ?unit= means no filter, as forms send it */
        const char *problem = v ? query_filter_problem(f, v) : NULL;
        if (problem)
            request_field_error(r, f->name, problem);
        params[4 + i] = v;
    }
    char *order = order_clause(r, spec);
    const char *sort = sort_asked(r, spec);
    const char *after = query_get(r, "after");
    if (after && !*after)
        after = NULL; /* ?after= is the first page, as forms send it */
    if (after && offset != 0)
        request_field_error(r, "offset", "cannot be given with after: a page is found by one or the other");
    params[4 + spec->nfilters] = after && order && !csv ? cursor_place(r, spec, after, sort) : NULL;
    params[5 + spec->nfilters] = sort;
    if (!request_fields_ok_or_fail(r) || !order)
        return API_FAILED;

    int nparams = (int)(4 + spec->nfilters);
    if (csv)
        return export_csv(r, spec,
                          arena_printf(r->arena, EXPORT_SQL, spec->filtered, spec->doc,
                                       spec->table, spec->key, spec->key, order),
                          nparams, params);
    buf place = {0}, later = {0};
    query_keyset(sort, spec->sorts, spec->nsorts, spec->tiebreak, spec->tiebreak_type, nparams + 1, &place, &later);
    const char *sql = arena_printf(r->arena, PAGE_SQL, spec->filtered, spec->key, order, later.data,
                                   spec->doc, spec->table, place.data, nparams + 1, nparams + 2);
    buf_free(&place);
    buf_free(&later);
    PGresult *res = db_query(r, sql, nparams + 2, params);
    if (!res)
        return API_FAILED;
    return respond_json(r, 200, db_value(res, 0), 0);
}

/* Runs sql with the caller's scope as $1, $2 and then `extra` as $3, $4 (NULL ones left off). */
static PGresult *run_scoped(request *r, const char *sql, const char *third, const char *fourth)
{
    const char *params[4];
    actor_params(r, params);
    params[2] = third;
    params[3] = fourth;
    return db_query(r, sql, fourth ? 4 : 3, params);
}

int resource_get(request *r, const struct resource *res, const char *key)
{
    PGresult *row = run_scoped(r, res->sql_get, key, NULL);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return request_fail(r, PROBLEM_NOT_FOUND, "No record with this key in your scope");
    return respond_json(r, 200, db_value(row, 0), atol(db_value(row, 1)));
}

/* A refused write: 422 when a reference points at nothing, else 403 (outside the caller's scope). */
int resource_refused_write(request *r, const struct reference *refs, size_t nrefs, const cJSON *body,
                  const char *forbidden_detail)
{
    for (size_t i = 0; i < nrefs; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, refs[i].field);
        if (!cJSON_IsString(v))
            continue;
        const char *param = v->valuestring;
        PGresult *found = db_query(r, refs[i].sql_exists, 1, &param);
        if (!found)
            return API_FAILED;
        if (PQntuples(found) == 0)
            request_field_error(r, refs[i].field, "refers to a record that does not exist");
    }
    if (!request_fields_ok_or_fail(r))
        return API_FAILED;
    return request_fail(r, PROBLEM_FORBIDDEN, "%s", forbidden_detail);
}

/* Reads the written row back in the same transaction and answers with it. */
static int respond_written(request *r, const struct resource *res, const char *key, int status)
{
    int rc = resource_get(r, res, key);
    if (rc == API_FAILED)
        return rc;
    if (status == 201)
        r->location = arena_printf(r->arena, res->location, key);
    return status;
}

/* The 403's detail when a write of res lands outside the caller's scope. */
static const char *refused_detail(const struct resource *res)
{
    return res->refused_detail ? res->refused_detail : "The target is outside your scope";
}

int resource_create(request *r, const struct resource *res)
{
    cJSON *body = r->body;
    if (!body_valid_or_fail(r, body, res->fields, res->nfields, VALIDATE_CREATE))
        return API_FAILED;
    const char *text = print_json(r, body);
    PGresult *row = run_scoped(r, res->sql_insert, text, NULL);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return resource_refused_write(r, res->refs, res->nrefs, body, refused_detail(res));
    const char *key = arena_strdup(r->arena, db_value(row, 0));
    if (!audit_record(r, "create", res->name, key, db_value(row, 1), db_value(row, 2), text))
        return API_FAILED;
    return respond_written(r, res, key, 201);
}

/* Locks the row in scope and checks If-Match; false after recording 404 or 412. */
static PGresult *lock_or_fail(request *r, const struct resource *res, const char *key)
{
    PGresult *row = run_scoped(r, res->sql_lock, key, NULL);
    if (!row)
        return NULL;
    if (PQntuples(row) == 0) {
        request_fail(r, PROBLEM_NOT_FOUND, "No record with this key in your scope");
        return NULL;
    }
    if (!if_match_or_fail(r, atol(db_value(row, 0))))
        return NULL;
    return row;
}

int resource_update(request *r, const struct resource *res, const char *key)
{
    if (!body_valid_or_fail(r, r->body, res->fields, res->nfields, VALIDATE_UPDATE))
        return API_FAILED;
    if (!lock_or_fail(r, res, key))
        return API_FAILED;
    if (cJSON_GetArraySize(r->body) == 0)
        return resource_get(r, res, key); /* nothing to change: no new version, no audit row */
    const char *text = print_json(r, r->body);
    PGresult *row = run_scoped(r, res->sql_update, text, key);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return resource_refused_write(r, res->refs, res->nrefs, r->body, refused_detail(res));
    if (!audit_record(r, "update", res->name, key, db_value(row, 1), db_value(row, 2), text))
        return API_FAILED;
    return respond_written(r, res, key, 200);
}

int resource_delete(request *r, const struct resource *res, const char *key)
{
    PGresult *locked = lock_or_fail(r, res, key);
    if (!locked)
        return API_FAILED;
    const char *param = key;
    if (res->sql_in_use) {
        PGresult *users = db_query(r, res->sql_in_use, 1, &param);
        if (!users)
            return API_FAILED;
        if (PQntuples(users) > 0)
            return request_fail(r, PROBLEM_CONFLICT, "%s", res->in_use_message);
    }
    if (!db_query(r, res->sql_delete, 1, &param))
        return API_FAILED;
    if (!audit_record(r, "delete", res->name, key, db_value(locked, 1), db_value(locked, 2), NULL))
        return API_FAILED;
    return respond_empty(r, 204);
}
