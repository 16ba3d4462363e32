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

/* One statement of an exchange: its text, the name it is prepared under (NULL: sent as text),
 * its parameters, and then its result. */
struct step {
    const char *sql, *name;
    int nparams;
    const Oid *types;
    const char *const *params;
    PGresult *res;
};

/* A statement without parameters (BEGIN, COMMIT, PLAN_GENERIC), sent as text. */
static struct step plain_step(const char *sql)
{
    return (struct step){.sql = sql};
}

/* sql as a step, prepared on the request's connection where it can be (db_prepared_name); false
 * after a failed preparation, whose result is then *failed. */
static bool step_of(request *r, const char *sql, int nparams, const Oid *types, const char *const *params,
                    struct step *step, PGresult **failed)
{
    *step = (struct step){.sql = sql, .nparams = nparams, .types = types, .params = params};
    /* Statements without parameters (BEGIN, COMMIT, the import's DDL) run as they are. */
    if (nparams > 0)
        step->name = db_prepared_name(r, sql, nparams, types, failed);
    return !*failed;
}

static bool send_step(PGconn *c, const struct step *s)
{
    return (s->name ? PQsendQueryPrepared(c, s->name, s->nparams, s->params, NULL, NULL, 0)
                    : PQsendQueryParams(c, s->sql, s->nparams, s->types, s->params, NULL, NULL, 0)) == 1;
}

/*
 * The steps in one round trip: libpq's pipeline mode, where each answers as if it had been sent
 * alone, and after a failure the rest are skipped (PGRES_PIPELINE_ABORTED). BEGIN goes so with a
 * transaction's first statement, one exchange with the server fewer for each write
 * (docs/performance.md §9, "Writes"); PLAN_GENERIC so with a statement planned once per
 * connection (db_query_generic); COMMIT so after a write's last statement (db_query_commit); a
 * write so after its checks (db_query_then). Each step's result is in its res; false (and every
 * res cleared) when the exchange broke off.
 */
static bool exchange(PGconn *c, struct step *steps, int n)
{
    if (PQenterPipelineMode(c) != 1)
        return false;
    bool sent = true;
    for (int i = 0; i < n && sent; i++)
        sent = send_step(c, &steps[i]);
    sent = sent && PQpipelineSync(c) == 1;
    for (int i = 0; i < n; i++)
        steps[i].res = sent ? pipeline_result(c) : NULL;
    if (sent)
        PQclear(PQgetResult(c)); /* PGRES_PIPELINE_SYNC */
    if (PQexitPipelineMode(c) == 1)
        return true;
    /* Results left unread: the exchange broke off, whatever came. An error all the same; the
     * pool drops a connection left busy. */
    for (int i = 0; i < n; i++) {
        PQclear(steps[i].res);
        steps[i].res = NULL;
    }
    return false;
}

/* What steps[0..last] answer together: the first failed result among them, or last's. The
 * others are cleared; caller clears the answer. */
static PGresult *answer_of(struct step *steps, int last)
{
    int answer = last;
    for (int i = 0; i < last; i++)
        if (!result_ok(steps[i].res)) {
            answer = i;
            break;
        }
    for (int i = 0; i <= last; i++)
        if (i != answer)
            PQclear(steps[i].res);
    return steps[answer].res;
}

/* res, released with the request's arena; or NULL after recording its problem (NULL res: the
 * connection broke). */
static PGresult *kept_or_recorded(request *r, PGresult *res)
{
    if (result_ok(res)) {
        arena_defer(r->arena, clear_result, res);
        return res;
    }
    db_record_error(r, res);
    PQclear(res);
    return NULL;
}

/* The step a transaction's first statement sends before it (BEGIN), or a generic statement outside
 * one (PLAN_GENERIC); NULL when none. */
static const char *step_before(request *r, bool generic, const struct step *statement)
{
    /* Outside a transaction, set_config(..., true) lasts until the pipeline's end: this statement.
     * Inside one it would outlast it, so there the statement is planned as any other. */
    const char *before = r->begin_pending                                        ? "BEGIN"
                         : generic && statement->name && !r->in_transaction ? PLAN_GENERIC
                                                                                   : NULL;
    r->begin_pending = false;
    return before;
}

static PGresult *run(request *r, bool generic, const char *sql, int nparams, const Oid *types,
                     const char *const *params, const char *after)
{
    if (!db_connect_or_fail(r))
        return NULL;
    struct step statement;
    PGresult *res = NULL;
    if (!step_of(r, sql, nparams, types, params, &statement, &res))
        return kept_or_recorded(r, res);
    const char *before = step_before(r, generic, &statement);
    if (!before && !after)
        return kept_or_recorded(r, statement.name
                                       ? PQexecPrepared(r->db, statement.name, nparams, params, NULL, NULL, 0)
                                       : PQexecParams(r->db, sql, nparams, types, params, NULL, NULL, 0));
    struct step steps[3];
    int n = 0;
    if (before)
        steps[n++] = plain_step(before);
    int at = n;
    steps[n++] = statement;
    if (after)
        steps[n++] = plain_step(after);
    if (!exchange(r->db, steps, n))
        return kept_or_recorded(r, NULL);
    res = answer_of(steps, at);
    PGresult *last = after ? steps[n - 1].res : NULL;
    if (result_ok(res) && last && !result_ok(last)) { /* the statement ran, the COMMIT failed */
        PQclear(res);
        res = last;
    } else
        PQclear(last);
    return kept_or_recorded(r, res);
}

PGresult *db_query_then(request *r, const char *sql, int nparams, const char *const *params,
                        const char *next_sql, int next_nparams, const char *const *next_params,
                        PGresult **next)
{
    *next = NULL;
    if (!db_connect_or_fail(r))
        return NULL;
    struct step first, second;
    PGresult *failed = NULL;
    if (!step_of(r, sql, nparams, NULL, params, &first, &failed) ||
        !step_of(r, next_sql, next_nparams, NULL, next_params, &second, &failed))
        return kept_or_recorded(r, failed);
    const char *before = step_before(r, false, &first);
    struct step steps[3];
    int n = 0;
    if (before)
        steps[n++] = plain_step(before);
    steps[n++] = first;
    steps[n++] = second;
    if (!exchange(r->db, steps, n))
        return kept_or_recorded(r, NULL);
    *next = steps[n - 1].res;
    arena_defer(r->arena, clear_result, *next);
    return kept_or_recorded(r, answer_of(steps, n - 2));
}

PGresult *db_result_or_fail(request *r, PGresult *res)
{
    if (result_ok(res))
        return res;
    db_record_error(r, res); /* cleared with the arena (db_query_then) */
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
