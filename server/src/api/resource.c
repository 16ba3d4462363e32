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
#include "http/xlsx.h"
#include "util/log.h"
#include "util/spool.h"
#include "util/utf8.h"

enum {
    LIMIT_DEFAULT = 50,
    LIMIT_MAX = 1000,
    CURSOR_MAX = 2048, /* characters of ?after= (openapi) */
    RECENT_DEPTH_MAX = 2000, /* offset + limit served by a list's recent_keys; deeper, every row is read */
};

void actor_params(const request *r, const char **params)
{
    /* '*': a national actor, whose scope is every unit (in_scope, sql/functions/05_units.sql). */
    params[0] = r->claims && r->claims->role == ROLE_NATIONAL ? "*"
                : r->claims && r->claims->unit[0] ? r->claims->unit
                                                   : NULL;
    params[1] = r->claims && r->claims->enterprise[0] ? r->claims->enterprise : NULL;
}

PGresult *path_row_or_fail(request *r, const char *sql, const char *not_found)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return NULL;
    const char *params[3];
    actor_params(r, params);
    params[2] = r->params[0];
    PGresult *res = db_query(r, sql, 3, params);
    if (res && PQntuples(res) == 0) {
        request_fail(r, PROBLEM_NOT_FOUND, "%s", not_found);
        return NULL;
    }
    return res;
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
 * The page: one row, one column, the whole {items, total, limit, offset, next} document, around
 * 1 the statement's CTEs, which end in page (keys: the page's keys in order, one more than the
 * page when there is a next page); 2 the document of row x, 3 the table, 4 its key, 5 the SQL of
 * total, 6 the rows a key's place is read from, as f (the table or the filtered rows), 7 that place
 * (query_keyset), 8 the number of the parameter of the order asked, 9 what the document joins to
 * x (or nothing), 10 the list's found (or true), a second column. The next page's cursor is the
 * place of the page's last row: {"s": order, "v": place} as base64url.
 */
static const char PAGE_SQL[] =
    "WITH %1$s,"
    " p AS (SELECT u.k, u.n FROM page, unnest(page.keys[1 : $3::int]) WITH ORDINALITY AS u (k, n))"
    " SELECT json_build_object("
    "  'items', coalesce((SELECT json_agg(%2$s ORDER BY p.n) FROM p JOIN %3$s x ON x.%4$s = p.k%9$s), '[]'),"
    "  'total', %5$s, 'limit', $3::int, 'offset', $4::int,"
    "  'next', (SELECT translate(encode(convert_to(jsonb_build_object('s', $%8$d::text, 'v', %7$s)::text,"
    "                                             'UTF8'), 'base64'), E'+/=\\n', '-_')"
    "             FROM page, %6$s f WHERE cardinality(page.keys) > $3::int AND f.%4$s = page.keys[$3::int]))::text,"
    " %10$s";

/*
 * Any list's page keys, in any order: 1 the filtered rows, read whole (f), 2 the key, 3 the order,
 * 4 "row f comes after the cursor", 5 the number of the cursor's parameter (its place as jsonb,
 * NULL without ?after=). The keys come in order from one top-N sort (no window over every row).
 */
static const char PAGE_KEYS_SQL[] =
    "f AS MATERIALIZED (%1$s),"
    " page AS (SELECT ARRAY(SELECT f.%2$s FROM f WHERE $%5$d::jsonb IS NULL OR (%4$s)"
    "                        ORDER BY %3$s LIMIT $3::int + 1 OFFSET $4::int) AS keys)";

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

/* Where an Accept header names type: its offset, or -1. */
static long accept_at(const char *accept, const char *type)
{
    const char *at = accept ? strcasestr(accept, type) : NULL;
    return at ? at - accept : -1;
}

/* ?format=csv, xlsx (or json), else the first of text/csv and XLSX_MEDIA_TYPE that an Accept
 * header names before JSON; then ?columns=, whose default depends on the format. */
export_kind export_wanted(request *r)
{
    export_kind kind = {EXPORT_NONE, false};
    const char *format = query_get(r, "format");
    if (format) {
        if (strcmp(format, "csv") == 0)
            kind.format = EXPORT_CSV;
        else if (strcmp(format, "xlsx") == 0)
            kind.format = EXPORT_XLSX;
        else if (strcmp(format, "json") != 0)
            request_field_error(r, "format", "must be csv, xlsx or json");
    } else {
        const char *accept = mg_get_header(r->conn, "Accept");
        long csv = accept_at(accept, "text/csv"), xlsx = accept_at(accept, XLSX_MEDIA_TYPE);
        long json = accept_at(accept, "application/json");
        long first = csv < 0 ? xlsx : xlsx < 0 || csv < xlsx ? csv : xlsx;
        if (first >= 0 && (json < 0 || first < json))
            kind.format = first == csv ? EXPORT_CSV : EXPORT_XLSX;
    }
    const char *columns = query_get(r, "columns");
    if (columns && *columns && strcmp(columns, "api") != 0 && strcmp(columns, "labels") != 0) {
        request_field_error(r, "columns", "must be api or labels");
        columns = NULL;
    }
    kind.labels = columns && *columns ? strcmp(columns, "labels") == 0 : kind.format == EXPORT_XLSX;
    return kind;
}

/* Bytes of an export kept in memory before the rest goes to a temporary file (util/spool.h). */
enum { EXPORT_MEMORY_MAX = 256 * 1024, EXPORT_CHUNK = 64 * 1024 };

/*
 * An export's writer: the CSV text, spooled chunk by chunk, or the Excel sheet, which keeps its
 * own temporary files until it is finished into the spool. Everything else about an export (the
 * rows, the connection, the sending) is the same for both.
 */
struct writer {
    const struct column *columns;
    spool out;        /* the answer's bytes */
    buf csv;          /* CSV rows not yet in the spool */
    xlsx_sheet *xlsx; /* NULL for CSV */
};

static bool writer_open(struct writer *w, export_format format, const char *sheet)
{
    spool_init(&w->out, EXPORT_MEMORY_MAX);
    if (format == EXPORT_XLSX)
        return (w->xlsx = xlsx_open(sheet, w->columns)) != NULL;
    buf_puts(&w->csv, CSV_BOM);
    csv_append_header(&w->csv, w->columns);
    return true;
}

static bool writer_row(struct writer *w, const cJSON *doc)
{
    if (w->xlsx)
        return xlsx_append_row(w->xlsx, doc);
    csv_append_row(&w->csv, doc, w->columns);
    if (w->csv.len < EXPORT_CHUNK)
        return true;
    bool ok = spool_write(&w->out, w->csv.data, w->csv.len);
    w->csv.len = 0;
    return ok;
}

/* The rest into the spool: the last CSV rows, or the finished workbook. */
static bool writer_close(struct writer *w)
{
    if (!w->xlsx)
        return spool_write(&w->out, w->csv.data, w->csv.len);
    FILE *f = xlsx_finish(w->xlsx);
    w->xlsx = NULL;
    return f && spool_adopt(&w->out, f);
}

static void writer_free(struct writer *w)
{
    xlsx_free(w->xlsx);
    buf_free(&w->csv);
    spool_free(&w->out);
}

/* Records why the writer failed: a sheet over Excel's rows (422 on format), else no disk. */
static void writer_failed(request *r, const struct writer *w)
{
    if (r->problem)
        return;
    if (w->xlsx && xlsx_full(w->xlsx)) {
        request_field_error(r, "format",
                            "an Excel sheet holds at most 1048575 rows: narrow the export with filters, "
                            "or ask for format=csv");
        request_fields_ok_or_fail(r);
        return;
    }
    log_event("error", r->request_id, "export: the temporary file could not be written", NULL, NULL);
    request_fail(r, PROBLEM_UNAVAILABLE, "The export could not be prepared; try again later");
}

/* Hands every row of the export query to the writer; false after recording the problem. Every
 * result is read even then, so that the connection is idle again. */
static bool read_rows(request *r, struct writer *w)
{
    bool ok = true;
    PGresult *res;
    while ((res = PQgetResult(r->db))) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE && ok) {
            cJSON *doc = cJSON_Parse(PQgetvalue(res, 0, 0));
            ok = writer_row(w, doc);
            cJSON_Delete(doc);
            if (!ok)
                writer_failed(r, w);
        } else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && ok) {
            db_record_error(r, res);
            ok = false;
        }
        PQclear(res);
    }
    return ok;
}

/*
 * Sends the spool, the answer complete, chunk by chunk. A write that makes no progress for
 * REQUEST_TIMEOUT_MS fails (civetweb), which ends the answer, cut short, and the connection.
 */
static void send_spool(request *r, spool *out, const char *content_type, const char *filename)
{
    response_stream_begin(r, content_type, filename);
    char *chunk = xmalloc(EXPORT_CHUNK);
    size_t n, sent = 0;
    while ((n = spool_read(out, chunk, EXPORT_CHUNK)) > 0 && mg_send_chunk(r->conn, chunk, (unsigned)n) > 0)
        sent += n;
    if (sent == out->size) {
        mg_send_chunk(r->conn, "", 0);
    } else {
        /* Cut short: without its last chunk the client knows it is incomplete; close, not reuse. */
        mg_disable_connection_keep_alive(r->conn);
        log_event("warn", r->request_id, "export cut short: the client stopped reading or went away", NULL, NULL);
    }
    free(chunk);
}

/*
 * An export, CSV or Excel. Every matching row is read from PostgreSQL (single-row mode, under the
 * bulk statement timeout) into the writer, whose output is a spool, memory up to
 * EXPORT_MEMORY_MAX and then an unlinked temporary file (an Excel sheet: libxlsxwriter's own
 * temporary file, then the finished workbook's), and the pooled connection goes back to the pool
 * before the workbook is compressed and before the first byte is sent: a client that reads
 * slowly, or never, holds its own worker thread and nothing else. Sending while reading held the
 * connection as long as the client took: four clients that never read held the whole pool, and
 * every account got 503 (issue 11, item 2). Since the answer is complete before its head is sent,
 * a database error (or a sheet over Excel's rows) is a problem+json answer, never a stream cut in
 * the middle.
 */
int export_rows(request *r, export_format format, const char *name, const char *sheet,
                const struct column *columns, const char *sql, int nparams, const char *const *params)
{
    struct writer w = {.columns = columns};
    int status = API_FAILED;
    if (!writer_open(&w, format, sheet)) {
        writer_failed(r, &w);
        goto out;
    }
    if (!db_begin_bulk_or_fail(r))
        goto out;
    if (!PQsendQueryParams(r->db, sql, nparams, NULL, params, NULL, NULL, 0) || !PQsetSingleRowMode(r->db)) {
        request_fail(r, PROBLEM_UNAVAILABLE, "The database is unavailable; try again shortly");
        goto out;
    }
    bool ok = read_rows(r, &w);
    db_release(r); /* ends the read-only transaction; the pool has the connection back */
    if (!ok)
        goto out;
    if (!writer_close(&w)) {
        writer_failed(r, &w);
        goto out;
    }
    bool xlsx = format == EXPORT_XLSX;
    send_spool(r, &w.out, xlsx ? XLSX_MEDIA_TYPE : "text/csv; charset=utf-8",
               arena_printf(r->arena, "%s.%s", name, xlsx ? "xlsx" : "csv"));
    status = 200;
out:
    writer_free(&w);
    return status;
}

bool query_flag(request *r, const char *name, bool fallback)
{
    const char *v = query_get(r, name);
    if (!v)
        return fallback;
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        request_field_error(r, name, "must be true or false");
    return strcmp(v, "true") == 0;
}

bool doubts_cleared_or_fail(request *r, const char *what)
{
    if (!r->problem_errors || cJSON_GetArraySize(r->problem_errors) == 0)
        return true;
    request_fail(r, PROBLEM_CONFIRM, "%s; send it again with confirm=true to go ahead", what);
    return false;
}

void reversed_range_check(request *r, const struct filter *filters, size_t n, const char *const *values)
{
    const char *from = NULL, *to = NULL;
    for (size_t i = 0; i < n; i++) {
        if (filters[i].type != FIELD_DATE || !values[i] || query_filter_problem(&filters[i], values[i]))
            continue;
        if (strcmp(filters[i].name, "from") == 0)
            from = values[i];
        else if (strcmp(filters[i].name, "to") == 0)
            to = values[i];
    }
    if (from && to && strcmp(from, to) > 0)
        request_field_error(r, "from", "must not be after to");
}

enum { TEXT_OID = 25 }; /* pg_type's text */

/* An export's spec->found, asked before its rows: every parameter typed text, as some go unused. */
static bool export_found_or_fail(request *r, const struct list_spec *spec, int nparams, const char *const *params)
{
    Oid *types = arena_alloc(r->arena, sizeof(Oid) * (size_t)nparams);
    for (int i = 0; i < nparams; i++)
        types[i] = TEXT_OID;
    PGresult *res = db_query_typed(r, arena_printf(r->arena, "SELECT %s", spec->found), nparams, types, params);
    if (!res)
        return false;
    if (strcmp(db_value(res, 0), "t") != 0) {
        request_fail(r, PROBLEM_NOT_FOUND, "%s", spec->not_found);
        return false;
    }
    return true;
}

int list_run(request *r, const struct list_spec *spec, const char *preset_name,
             const char *preset_value)
{
    /* $1..$4 actor, limit, offset; the filters; then the cursor's place and the order asked. */
    const char **params = arena_alloc(r->arena, sizeof(char *) * (6 + spec->nfilters));
    actor_params(r, params);
    export_kind export = export_wanted(r);
    bool exporting = export.format != EXPORT_NONE; /* CSV or Excel: every row */
    if (exporting && export.labels && !spec->labels_doc)
        request_field_error(r, "columns", "this list has only the API's columns (columns=api)");

    long limit = LIMIT_DEFAULT, offset = 0;
    const char *v = query_get(r, "limit");
    if (v && !query_count(v, 1, LIMIT_MAX, &limit))
        request_field_error(r, "limit", "must be an integer from 1 to 1000");
    v = query_get(r, "offset");
    if (v && !query_count(v, 0, 1000000000L, &offset))
        request_field_error(r, "offset", "must be a non-negative integer");
    params[2] = exporting ? NULL : arena_printf(r->arena, "%ld", limit); /* an export has every row */
    params[3] = exporting ? "0" : arena_printf(r->arena, "%ld", offset);

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
    reversed_range_check(r, spec->filters, spec->nfilters, params + 4);
    char *order = order_clause(r, spec);
    const char *sort = sort_asked(r, spec);
    const char *after = query_get(r, "after");
    if (after && !*after)
        after = NULL; /* ?after= is the first page, as forms send it */
    if (after && offset != 0)
        request_field_error(r, "offset", "cannot be given with after: a page is found by one or the other");
    params[4 + spec->nfilters] = after && order && !exporting ? cursor_place(r, spec, after, sort) : NULL;
    params[5 + spec->nfilters] = sort;
    if (!request_fields_ok_or_fail(r) || !order)
        return API_FAILED;

    int nparams = (int)(4 + spec->nfilters);
    if (exporting && spec->found && !export_found_or_fail(r, spec, nparams, params))
        return API_FAILED;
    if (exporting)
        return export_rows(r, export.format, spec->table, spec->sheet,
                           export.labels ? spec->label_columns : columns_named(r->arena, spec->csv_columns),
                           arena_printf(r->arena, EXPORT_SQL, spec->filtered,
                                        export.labels ? spec->labels_doc : spec->doc, spec->table,
                                        spec->key, spec->key, order),
                           nparams, params);
    buf place = {0}, later = {0};
    query_keyset(sort, spec->sorts, spec->nsorts, spec->tiebreak, spec->tiebreak_type, nparams + 1, &place, &later);
    bool recent = spec->recent_keys && strcmp(sort, spec->default_sort) == 0 && offset + limit <= RECENT_DEPTH_MAX;
    for (size_t i = 0; recent && i < spec->nfilters; i++)
        for (const char *const *name = spec->recent_unless; recent && name && *name; name++)
            recent = !(params[4 + i] && strcmp(spec->filters[i].name, *name) == 0);
    const char *keys = recent ? spec->recent_keys
                              : arena_printf(r->arena, PAGE_KEYS_SQL, spec->filtered, spec->key, order,
                                             later.data, nparams + 1);
    bool recent_doc = recent && spec->recent_doc;
    const char *sql = arena_printf(r->arena, PAGE_SQL, keys, recent_doc ? spec->recent_doc : spec->doc,
                                   spec->table, spec->key,
                                   recent ? spec->recent_total : "(SELECT count(*) FROM f)",
                                   recent ? spec->table : "f", place.data, nparams + 2,
                                   recent_doc ? spec->recent_doc_join : "", spec->found ? spec->found : "true");
    buf_free(&place);
    buf_free(&later);
    PGresult *res = (recent ? db_query_generic : db_query)(r, sql, nparams + 2, params);
    if (!res)
        return API_FAILED;
    if (strcmp(db_value(res, 1), "t") != 0)
        return request_fail(r, PROBLEM_NOT_FOUND, "%s", spec->not_found);
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

/* Answers status with the document and version of a row read by a resource's sql_get. */
static int respond_row(request *r, PGresult *row, int status)
{
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return request_fail(r, PROBLEM_NOT_FOUND, "No record with this key in your scope");
    return respond_json(r, status, db_value(row, 0), atol(db_value(row, 1)));
}

int resource_get(request *r, const struct resource *res, const char *key)
{
    return respond_row(r, run_scoped(r, res->sql_get, key, NULL), 200);
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

/* Records the write in the audit log (action, the row's unit and enterprise, the body's text) and
 * answers with the row read back in the same transaction: one statement, one exchange with the
 * database (docs/performance.md §9, "Writes"), which also commits when the route does no more
 * (r->commit_with_reply). */
static int respond_written(request *r, const struct resource *res, const char *action, const char *key,
                           PGresult *written, const char *text, int status)
{
    const char *params[3];
    actor_params(r, params);
    params[2] = key;
    PGresult *row = audit_record_then(r, action, res->name, key, db_value(written, 1), db_value(written, 2),
                                      text, res->sql_get, 3, params);
    int rc = respond_row(r, row, status);
    if (rc == 201)
        r->location = arena_printf(r->arena, res->location, key);
    return rc;
}

/* The 403's detail when a write of res lands outside the caller's scope. */
static const char *refused_detail(const struct resource *res)
{
    return res->refused_detail ? res->refused_detail : "The target is outside your scope";
}

/*
 * The write sql of body text `text` to `key` (NULL: a new row), with the caller's scope as $1, $2,
 * text as $3 and key as $4 (left off when NULL), after the resource's sql_checks of it in the same
 * exchange (db_query_then): one round trip fewer for each checked write (docs/performance.md §9,
 * "Checks and the write in one exchange"). The checks' refusals, and their doubts unless confirmed,
 * answer instead of the write, which the router then rolls back. The write's rows, or NULL after
 * recording the problem.
 */
static PGresult *checked_write(request *r, const struct resource *res, const char *sql, const char *text,
                               const char *key, bool confirmed)
{
    if (!res->sql_checks)
        return run_scoped(r, sql, text, key);
    const char *params[4];
    actor_params(r, params);
    params[2] = text;
    params[3] = key;
    PGresult *written;
    PGresult *rows = db_query_then(r, res->sql_checks, 4, params, sql, key ? 4 : 3, params, &written);
    if (!rows)
        return NULL;
    for (int pass = 0; pass < 2; pass++) { /* refusals first; doubts only when nothing is refused */
        for (int i = 0; i < PQntuples(rows); i++) {
            bool doubt = strcmp(PQgetvalue(rows, i, 2), "t") == 0;
            if (doubt == (pass == 1) && !(doubt && confirmed))
                request_field_error(r, PQgetvalue(rows, i, 0), PQgetvalue(rows, i, 1));
        }
        if (pass == 0 && !request_fields_ok_or_fail(r))
            return NULL;
    }
    if (!doubts_cleared_or_fail(r, "This write needs confirming"))
        return NULL;
    return db_result_or_fail(r, written);
}

int resource_create(request *r, const struct resource *res)
{
    cJSON *body = r->body;
    bool confirmed = res->sql_checks && query_flag(r, "confirm", false);
    if (!body_valid_or_fail(r, body, res->fields, res->nfields, VALIDATE_CREATE))
        return API_FAILED;
    const char *text = print_json(r, body);
    PGresult *row = checked_write(r, res, res->sql_insert, text, NULL, confirmed);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return resource_refused_write(r, res->refs, res->nrefs, body, refused_detail(res));
    const char *key = arena_strdup(r->arena, db_value(row, 0));
    return respond_written(r, res, "create", key, row, text, 201);
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
    bool confirmed = res->sql_checks && query_flag(r, "confirm", false);
    if (!body_valid_or_fail(r, r->body, res->fields, res->nfields, VALIDATE_UPDATE))
        return API_FAILED;
    if (!lock_or_fail(r, res, key))
        return API_FAILED;
    if (cJSON_GetArraySize(r->body) == 0)
        return resource_get(r, res, key); /* nothing to change: no new version, no audit row */
    const char *text = print_json(r, r->body);
    PGresult *row = checked_write(r, res, res->sql_update, text, key, confirmed);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return resource_refused_write(r, res->refs, res->nrefs, r->body, refused_detail(res));
    return respond_written(r, res, "update", key, row, text, 200);
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

int resource_list_route(request *r)
{
    return list_run(r, r->route_data, NULL, NULL);
}

int resource_get_route(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return API_FAILED;
    return resource_get(r, r->route_data, r->params[0]);
}

int resource_create_route(request *r)
{
    const struct resource *res = r->route_data;
    r->commit_with_reply = res->reply_in_scope;
    return resource_create(r, res);
}

int resource_update_route(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return API_FAILED;
    const struct resource *res = r->route_data;
    r->commit_with_reply = res->reply_in_scope;
    return resource_update(r, res, r->params[0]);
}

int resource_delete_route(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return API_FAILED;
    return resource_delete(r, r->route_data, r->params[0]);
}
