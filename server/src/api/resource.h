/*
 * api/resource.h — the shared machinery every resource file is built from.
 *
 * A resource declares data — its field table, list spec (filters, sort keys, SQL) and write
 * SQL — and its handlers are a few calls into the generic list/get/create/update/delete below,
 * so that every resource behaves the same way: scope, 404/403/412/422, ETag, audit.
 *
 * SQL conventions for every constant: $1 = the caller's unit code (or NULL), $2 = the caller's
 * enterprise id (or NULL); scope is always the SQL function in_scope()/unit_visible(), or for
 * lists its set form IN_SCOPE_SET below.
 */
#ifndef CDT_API_RESOURCE_H
#define CDT_API_RESOURCE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "http/columns.h"
#include "http/query.h"
#include "http/request.h"
#include "http/validate.h"

struct list_spec {
    /*
     * The filtered rows: "SELECT t.* FROM teams t WHERE <scope> AND <filters>". Parameters: $1, $2
     * actor, then one per filter in declared order ($5, $6, ...); $3 and $4 (limit and offset)
     * are used by the statement list_run wraps around it. Sort keys refer to its columns as f.x.
     */
    const char *filtered;
    const char *table;   /* the table each document is built from, e.g. "teams" */
    const char *key;     /* its key column, e.g. "id" */
    const char *doc;     /* the SQL expression of row x's JSON document, e.g. "team_doc(x)";
                            it may use the caller's scope, $1 and $2 */
    const char *const *csv_columns; /* NULL-terminated API field names: the columns=api export's */
    /*
     * The export a person reads (?columns=labels, sql/functions/45_exports.sql): the SQL
     * expression of row x's object whose keys are Vietnamese headers (it may use $1 and $2), and
     * those headers with the kind of each value (dates, moments, rates: http/columns.h) in column
     * order, ending in a NULL name. NULL when the list has none (then columns=labels answers 422).
     */
    const char *labels_doc;
    const struct column *label_columns;
    const char *sheet; /* the Excel sheet's name, in Vietnamese (at most 31 characters) */
    const struct filter *filters;
    size_t nfilters;
    const struct sort_key *sorts;
    size_t nsorts;
    const char *default_sort; /* e.g. "name" (may carry '-') */
    const char *tiebreak;     /* SQL appended to every order, e.g. "f.id" (the key, maybe " DESC") */
    const char *tiebreak_type; /* its SQL type, e.g. "uuid" (for ?after= cursors) */
    /*
     * Optional, for a list too long to read whole for each page: the CTEs of the first pages in
     * the default order (offset + limit up to RECENT_DEPTH_MAX, api/resource.c), with the
     * parameters of the generic page (the cursor's place and the order asked after the
     * filters), ending in page (keys: the page's keys, one more when there is a next page); the
     * SQL of its total, over the same parameters; and the filters (NULL-terminated names) that
     * leave the page to the generic statement when given: those that can make the newest rows
     * rare, which the generic page reads once where the recent one would read them twice. The
     * answer is the generic page's. It runs with its generic plan (db_query_generic), so it
     * makes its choices on the parameters as it runs. Optionally too, the document of row x as
     * that page builds it (recent_doc), from x and what recent_doc_join joins to it: the same
     * document as doc, made in one join instead of a call for each row, which a plan made once
     * can afford (a custom plan of the join took longer to make than the calls).
     */
    const char *recent_keys;
    const char *recent_total;
    const char *const *recent_unless;
    const char *recent_doc;
    const char *recent_doc_join;
    /*
     * Optional, for the list of the rows under one thing (a team's members): SQL true when that
     * thing is in the caller's scope, over the list's parameters, and the detail of the 404
     * answered when it is not. A page asks it in its own statement, an export before its rows.
     */
    const char *found;
    const char *not_found;
};

/* A reference field checked when a write is refused, to tell 422 (no such thing) from 403. */
struct reference {
    const char *field;
    const char *sql_exists; /* $1 = the value; returns a row when it exists */
};

struct resource {
    const char *name; /* audit resource name, e.g. "teams" */
    const struct field *fields;
    size_t nfields;
    const struct reference *refs;
    size_t nrefs;
    const char *sql_get;    /* $1,$2 actor, $3 key -> (doc text, version), only in scope */
    const char *sql_lock;   /* $1,$2 actor, $3 key -> (version, unit, enterprise) FOR UPDATE, in scope */
    const char *sql_insert; /* $1,$2 actor, $3 body jsonb -> (key, unit, enterprise); no row: out of scope */
    const char *sql_update; /* $1,$2 actor, $3 patch jsonb, $4 key -> (key, unit, enterprise); no row: out of scope */
    const char *sql_delete; /* $1 key (the row is already locked in scope) */
    const char *location;   /* printf pattern for Location with the key, e.g. "/api/v1/teams/%s" */
    const char *sql_in_use; /* optional: $1 key -> a row when something still depends on it (409) */
    const char *in_use_message;
    const char *refused_detail; /* optional: the 403's detail when a write is refused (default below) */
    /*
     * Optional checks that need the database, run before a create or update writes: $1, $2 actor,
     * $3 the body (jsonb), $4 the key (NULL on create) -> rows (field, message, doubt). A doubt
     * (true) is asked to be confirmed: 409 confirmation-required unless ?confirm=true; any other
     * row is refused, 422.
     */
    const char *sql_checks;
    /*
     * The write's statement admits only rows its sql_get reads back (the same scope predicate on
     * the new values), so the generic create and update routes may send COMMIT with the read-back
     * (r->commit_with_reply): no write is then committed whose reply would be a 404.
     */
    bool reply_in_scope;
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The lists' scope predicate: true for exactly the rows in_scope($1, $2, UNIT, ENTERPRISE)
 * accepts, written with its set form scope_unit_codes() (sql/functions/05_units.sql; why:
 * sql/migrations/013_list_performance.sql) so that UNIT = ANY (...) is an index condition
 * instead of a function call per row of the table. Called in FROM, so that its body is inlined into the statement and planned with the request's
 * values: called as a value (SELECT scope_unit_codes(...)), it ran a plan of its own made for any
 * actor, where "actor_unit = '*' OR scope_path @> ..." is a scan of every unit (0.5 ms a page,
 * docs/performance.md §9). Single rows and writes keep in_scope().
 */
#define IN_SCOPE_SET(unit, enterprise)                                                             \
    "(" unit " = ANY (ARRAY(SELECT s FROM scope_unit_codes($1, $2::uuid) s)) OR " enterprise " = $2::uuid)"

/*
 * How an export is asked for. format: none (JSON), CSV (format=csv or Accept: text/csv) or Excel
 * (format=xlsx or Accept: XLSX_MEDIA_TYPE), the Accept type named before application/json
 * winning. labels: the columns a person reads (columns=labels) rather than the API's
 * (columns=api, which a CSV imports back); CSV has the API's by default, Excel the labelled ones.
 * Bad values are recorded as field errors of format or columns.
 */
typedef enum { EXPORT_NONE, EXPORT_CSV, EXPORT_XLSX } export_format;
typedef struct {
    export_format format;
    bool labels;
} export_kind;
export_kind export_wanted(request *r);

#define XLSX_MEDIA_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/*
 * Answers an export in `format`, CSV or Excel, from one row source: every result row of sql (one
 * column: a JSON object, looked up by the columns' names) goes to the format's writer, the CSV
 * text (BOM, header, rows; http/csv.h) or the sheet named `sheet` (http/xlsx.h), all of it
 * before the first byte is sent and with the database connection given back (util/spool.h).
 * `name` names the file (name.csv, name.xlsx). Returns 200 or API_FAILED.
 */
int export_rows(request *r, export_format format, const char *name, const char *sheet,
                const struct column *columns, const char *sql, int nparams, const char *const *params);

/* Fills params[0..1] with the caller's scope. */
void actor_params(const request *r, const char **params);

/*
 * The row that sql ($1, $2 the caller's scope, $3 the UUID in the path's first parameter) finds
 * for the thing the path names; NULL after 422 (not a UUID) or 404 with not_found (no row: it does
 * not exist or lies outside the scope, which the caller must not learn apart).
 */
PGresult *path_row_or_fail(request *r, const char *sql, const char *not_found);

/* ?name=true or false (absent: fallback); another value is recorded as a field error. */
bool query_flag(request *r, const char *name, bool fallback);

/*
 * A write that may need confirming (issue 13): once its input is valid, and only when it was not
 * sent with ?confirm=true (query_flag), the handler records each doubt as a field error and calls
 * this. Any recorded: 409 confirmation-required listing them, `what` as the detail, and false.
 */
bool doubts_cleared_or_fail(request *r, const char *what);

/*
 * Records a field error on "from" when the declared date filters "from" and "to" both hold valid
 * dates and from is after to (values[i] is filters[i]'s value or NULL). Lists and figures share it.
 */
void reversed_range_check(request *r, const struct filter *filters, size_t n, const char *const *values);

/*
 * A page of a list (or, when asked, every row as CSV). preset_name/value (may be NULL) force one
 * filter, e.g. "team" from the path. Pages go by ?offset= or by ?after=, the cursor that the page
 * before gave as `next` (keyset: the rows after that one in the page's order, however many were
 * added or removed before it meanwhile).
 */
int list_run(request *r, const struct list_spec *spec, const char *preset_name,
             const char *preset_value);
int resource_get(request *r, const struct resource *res, const char *key);

/*
 * Handlers of routes that name what they serve as data (api/routes.c): a list (struct
 * list_spec, resource_list_route) or a resource whose path's first parameter is its UUID key
 * (struct resource, the others), so each resource file declares its tables and SQL and no
 * handler of its own for the plain cases.
 */
int resource_list_route(request *r);
int resource_get_route(request *r);
int resource_create_route(request *r);
int resource_update_route(request *r);
int resource_delete_route(request *r);
int resource_create(request *r, const struct resource *res);
int resource_update(request *r, const struct resource *res, const char *key);
int resource_delete(request *r, const struct resource *res, const char *key);

/* Validation of the request body against a field table; records 422 and returns false on errors. */
bool body_valid_or_fail(request *r, const struct cJSON *body, const struct field *fields,
                        size_t nfields, validate_mode mode);
bool path_uuid_or_fail(request *r, const char *value);

/*
 * A write that touched no row: 422 naming each reference that points at nothing, else 403 with
 * forbidden_detail (the target is outside the caller's scope). Always returns API_FAILED.
 */
int resource_refused_write(request *r, const struct reference *refs, size_t nrefs, const struct cJSON *body,
                  const char *forbidden_detail);

/* One audit row in the request's transaction. changes may be NULL. */
bool audit_record(request *r, const char *action, const char *resource, const char *resource_id,
                  const char *unit, const char *enterprise, const char *changes);

enum { AUDIT_THEN_MAX_PARAMS = 8 };
/*
 * The same row, then `select` (a SELECT with nparams ≤ AUDIT_THEN_MAX_PARAMS parameters) in the
 * same statement, one exchange with the database: a write's audit row and its read-back, and the
 * COMMIT when the route asked for it (r->commit_with_reply: nothing follows in the transaction).
 * Returns the SELECT's result (released with the arena), or NULL with the problem recorded.
 */
PGresult *audit_record_then(request *r, const char *action, const char *resource, const char *resource_id,
                            const char *unit, const char *enterprise, const char *changes,
                            const char *select, int nparams, const char *const *params);

#endif
