/*
 * db/db.c — db_query, transactions, and turning PostgreSQL errors into problems.
 *
 * Constraint violations become field errors: the constraint's name (teams_external_id_key,
 * members_team_id_fkey, teams_hamlet_check) or the column a trigger names says which field.
 * Anything unexpected is logged with its detail and answered 500 without it.
 */
#include "db/db.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

static void clear_result(void *res)
{
    PQclear(res);
}

const char *db_value(const PGresult *res, int col)
{
    if (!res || PQntuples(res) < 1 || col >= PQnfields(res) || PQgetisnull(res, 0, col))
        return NULL;
    return PQgetvalue(res, 0, col);
}

/* Messages for CHECK constraints whose generic reading would not help a person. */
static const struct {
    const char *constraint, *field, *message;
} check_messages[] = {
    {"teams_hamlet_check", "hamlet", "is required for hamlet teams"},
    {"teams_enterprise_check", "enterprise_id", "is required for enterprise and organization teams"},
    {"units_check", "parent_code", "is required below province level and empty for a province"},
    {"units_level_code_check", "code", "must have 2 digits for a province, 3 for a district, 5 for a commune"},
    {"members_birth_year_check", "birth_year", "must be between 1900 and this year"},
    {"users_check", "enterprise_id", "is required for enterprise accounts only"},
    {"users_unit_check", "unit_code", "is required for every role but enterprise and national, and only then"},
    {"units_code_period_excl", "valid_from", "another unit holds this code in that period"},
    {"units_valid_check", "valid_to", "must be after valid_from"},
    {"api_clients_enterprise_check", "enterprise_id", "is required for enterprise clients only"},
    {"api_clients_unit_check", "unit_code", "is required for every role but enterprise, and only then"},
};

/*
 * "teams_external_id_key" on table teams -> "external_id": PostgreSQL names a constraint it made
 * itself <table>_<columns>_<suffix>, so the table's name (which the error carries) and the
 * suffix come off. A name of another form is kept whole.
 */
static char *field_of_constraint(arena *a, const char *table, const char *constraint)
{
    static const char *const suffixes[] = {"_fkey", "_key", "_check", "_not_null"};
    const char *start = constraint;
    size_t tl = table ? strlen(table) : 0;
    if (tl && strncmp(constraint, table, tl) == 0 && constraint[tl] == '_')
        start = constraint + tl + 1;
    size_t len = strlen(start);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (len > sl && strcmp(start + len - sl, suffixes[i]) == 0) {
            len -= sl;
            break;
        }
    }
    return arena_strndup(a, start, len);
}

void db_record_error(request *r, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    problem_kind kind = problem_from_sqlstate(state, NULL);
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    const char *table = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (state && strncmp(state, "23", 2) == 0 && (constraint || column)) {
        const char *field = column ? column : field_of_constraint(r->arena, table, constraint);
        const char *message = "is not valid";
        if (strcmp(state, "23505") == 0)
            message = "already exists";
        else if (strcmp(state, "23503") == 0)
            message = "refers to a record that does not exist";
        else if (strcmp(state, "23502") == 0)
            message = "is required";
        else if (!constraint && primary)
            message = primary; /* raised by our own triggers, written for people */
        for (size_t i = 0; constraint && i < sizeof check_messages / sizeof check_messages[0]; i++)
            if (strcmp(constraint, check_messages[i].constraint) == 0) {
                field = check_messages[i].field;
                message = check_messages[i].message;
            }
        request_field_error(r, field, message);
        request_fail(r, kind, kind == PROBLEM_CONFLICT ? "A record with this %s already exists"
                                                        : "The %s field is not valid",
                     field);
        return;
    }
    if (state && strcmp(state, "57014") == 0)
        request_fail(r, kind, "The request took longer than the database allows; narrow it or try again later");
    else if (kind == PROBLEM_UNAVAILABLE)
        request_fail(r, kind, "The database is unavailable; try again shortly");
    else if (kind == PROBLEM_BAD_REQUEST)
        request_fail(r, kind, "A value in the request has the wrong form");
    else if (kind == PROBLEM_CONFLICT)
        request_fail(r, kind, "The record was changed by someone else at the same time; try again");
    else
        request_fail(r, kind, NULL);
    if (kind == PROBLEM_INTERNAL || kind == PROBLEM_UNAVAILABLE)
        log_event("error", r->request_id, "database error", state ? state : "none",
                  res ? PQresultErrorMessage(res) : PQerrorMessage(r->db));
}

PGresult *db_query(request *r, const char *sql, int nparams, const char *const *params)
{
    return db_query_typed(r, sql, nparams, NULL, params);
}

/* Reads the results of one statement of a pipeline up to the NULL that ends them: the first
 * one, which the caller clears. */
static PGresult *pipeline_result(PGconn *c)
{
    PGresult *first = PQgetResult(c), *more;
    while (first && (more = PQgetResult(c)))
        PQclear(more);
    return first;
}

/* What a statement may have sent before it in the same round trip (exec_pipelined). */
static const char PLAN_GENERIC[] = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)";

/* A result that ended well: a statement's rows or command, as PQexec* report them. */
static bool result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/*
 * `before` (or nothing), the statement, then `after` (or nothing), in one round trip: libpq's
 * pipeline mode, where each answers as if it had been sent alone, and after a failure the rest
 * is skipped. BEGIN goes so with a transaction's first statement, one exchange with the server
 * fewer for each write (docs/performance.md §9, "Writes"); PLAN_GENERIC so with a statement
 * planned once per connection (db_query_generic); COMMIT so after a write's last statement
 * (db_query_commit). The statement's result, or the failed `before`'s (the statement then did
 * not run), or the failed `after`'s. Caller clears it.
 */
static PGresult *exec_pipelined(request *r, const char *before, const char *name, const char *sql, int nparams,
                                const Oid *types, const char *const *params, const char *after)
{
    PGconn *c = r->db;
    if (PQenterPipelineMode(c) != 1)
        return NULL;
    bool sent = (!before || PQsendQueryParams(c, before, 0, NULL, NULL, NULL, NULL, 0) == 1) &&
                (name ? PQsendQueryPrepared(c, name, nparams, params, NULL, NULL, 0)
                      : PQsendQueryParams(c, sql, nparams, types, params, NULL, NULL, 0)) == 1 &&
                (!after || PQsendQueryParams(c, after, 0, NULL, NULL, NULL, NULL, 0) == 1) &&
                PQpipelineSync(c) == 1;
    PGresult *first = sent && before ? pipeline_result(c) : NULL;
    PGresult *res = sent ? pipeline_result(c) : NULL;
    PGresult *last = sent && after ? pipeline_result(c) : NULL;
    PGresult *sync = sent ? PQgetResult(c) : NULL; /* PGRES_PIPELINE_SYNC */
    PQclear(sync);
    PGresult *answer = before && !result_ok(first) ? first
                       : !result_ok(res) || !after || result_ok(last) ? res
                                                                        : last;
    if (PQexitPipelineMode(c) != 1) /* results left unread: the exchange broke off, whatever came */
        answer = NULL; /* an error all the same; the pool drops a connection left busy */
    if (first != answer)
        PQclear(first);
    if (res != answer)
        PQclear(res);
    if (last != answer)
        PQclear(last);
    return answer; /* NULL when the connection broke: an error all the same */
}

static PGresult *run(request *r, bool generic, const char *sql, int nparams, const Oid *types,
                     const char *const *params, const char *after)
{
    if (!db_connect_or_fail(r))
        return NULL;
    /* Statements without parameters (BEGIN, COMMIT, the import's DDL) run as they are. */
    PGresult *res = NULL;
    const char *name = nparams > 0 ? db_prepared_name(r, sql, nparams, types, &res) : NULL;
    /* Outside a transaction, set_config(..., true) lasts until the pipeline's end: this statement.
     * Inside one it would outlast it, so there the statement is planned as any other. */
    const char *before = r->begin_pending ? "BEGIN" : generic && name && !r->in_transaction ? PLAN_GENERIC : NULL;
    if (!res && (before || after)) {
        r->begin_pending = false;
        res = exec_pipelined(r, before, name, sql, nparams, types, params, after);
    } else if (name)
        res = PQexecPrepared(r->db, name, nparams, params, NULL, NULL, 0);
    else if (!res)
        res = PQexecParams(r->db, sql, nparams, types, params, NULL, NULL, 0);
    if (result_ok(res)) {
        arena_defer(r->arena, clear_result, res);
        return res;
    }
    db_record_error(r, res);
    PQclear(res);
    return NULL;
}

PGresult *db_query_typed(request *r, const char *sql, int nparams, const Oid *types,
                         const char *const *params)
{
    return run(r, false, sql, nparams, types, params, NULL);
}

PGresult *db_query_generic(request *r, const char *sql, int nparams, const char *const *params)
{
    return run(r, true, sql, nparams, NULL, params, NULL);
}

PGresult *db_query_commit(request *r, const char *sql, int nparams, const char *const *params)
{
    if (!r->in_transaction)
        return db_query(r, sql, nparams, params);
    PGresult *res = run(r, false, sql, nparams, NULL, params, "COMMIT");
    /* On failure the router rolls back: the transaction is still open after a failed statement
     * (COMMIT was skipped), and already ended after a failed COMMIT (ROLLBACK then ends nothing). */
    if (res)
        r->in_transaction = false;
    return res;
}

static bool exec_simple(request *r, const char *sql)
{
    return db_query(r, sql, 0, NULL) != NULL;
}

bool db_begin_or_fail(request *r)
{
    if (!db_connect_or_fail(r))
        return false;
    r->in_transaction = true;
    r->begin_pending = true; /* sent with the first statement (exec_pipelined) */
    return true;
}

bool db_begin_bulk_or_fail(request *r)
{
    if (!exec_simple(r, "BEGIN"))
        return false;
    r->in_transaction = true;
    char sql[64];
    snprintf(sql, sizeof sql, "SET LOCAL statement_timeout = %ld", db_bulk_timeout_ms());
    return exec_simple(r, sql);
}

bool db_commit_or_fail(request *r)
{
    if (!r->in_transaction) /* committed with the last statement (db_query_commit) */
        return true;
    r->in_transaction = false;
    if (r->begin_pending) { /* no statement ran: there is no transaction to end */
        r->begin_pending = false;
        return true;
    }
    return exec_simple(r, "COMMIT");
}

void db_rollback(request *r)
{
    r->in_transaction = false;
    if (r->begin_pending)
        r->begin_pending = false;
    else if (r->db)
        PQclear(PQexec(r->db, "ROLLBACK"));
}
