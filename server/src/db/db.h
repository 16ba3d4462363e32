/*
 * db/db.h — the connection pool and the one parameterized query wrapper.
 *
 * Handlers reach PostgreSQL only through db_query: parameters are always sent separately from
 * the SQL text (a statement prepared once per connection, PQexecPrepared), results are released
 * with the request's arena, and failures are mapped to the error catalogue here, never by the
 * caller.
 */
#ifndef CDT_DB_DB_H
#define CDT_DB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "http/request.h"

/*
 * Opens nothing yet: connections are made on first use and re-made after failures. Every
 * statement on them is cancelled after statement_timeout_ms (SQLSTATE 57014, answered 503), so
 * that no request holds a connection indefinitely; db_begin_bulk_or_fail gives a transaction
 * bulk_timeout_ms instead.
 */
void db_pool_init(const char *conninfo, int size, long statement_timeout_ms, long bulk_timeout_ms);
/*
 * The pool of a read replica (DATABASE_READ_URL), made like the primary's. The routes flagged
 * ROUTE_REPLICA (request.replica_ok) read from it; when it cannot be reached they read from the
 * primary for a few seconds before it is tried again.
 */
void db_read_pool_init(const char *conninfo, int size);
bool db_read_pool_configured(void);
void db_pool_shutdown(void);

/* The pools, as request.db_pool and the metrics name them. */
enum { DB_PRIMARY = 0, DB_READ = 1 };

/*
 * Borrows a healthy connection for the request (kept until request end); false → 503 recorded.
 * A GET's or HEAD's connection runs with default_transaction_read_only on: a statement that
 * writes fails (SQLSTATE 25006) instead of writing.
 */
bool db_connect_or_fail(request *r);
/* Returns the request's connection to the pool, rolling back an open transaction. */
void db_release(request *r);

bool db_begin_or_fail(request *r);
/* BEGIN with the bulk statement timeout: imports and CSV exports, which handle whole files. */
bool db_begin_bulk_or_fail(request *r);
bool db_commit_or_fail(request *r);
void db_rollback(request *r);

/*
 * Runs sql with text parameters (NULL elements are SQL NULL). Returns the result, released with
 * the request's arena, or NULL after recording the problem (constraint names become field errors).
 */
PGresult *db_query(request *r, const char *sql, int nparams, const char *const *params);
/* The same with the parameters' types given (then a statement may leave some unused). */
PGresult *db_query_typed(request *r, const char *sql, int nparams, const Oid *types,
                         const char *const *params);
/*
 * db_query with the statement's generic plan, made once per connection instead of a plan for each
 * run's values: for a statement whose every choice on its parameters is made as it runs (one-time
 * filters, index bounds), where planning costs as much as running (the activities' recent page,
 * api/activities.c). Inside a transaction it runs as db_query does.
 */
PGresult *db_query_generic(request *r, const char *sql, int nparams, const char *const *params);
/*
 * db_query, then COMMIT of the request's transaction, in one exchange with the database: for a
 * write whose last statement this is (r->commit_with_reply). NULL when either failed; the
 * transaction is then over (a failed COMMIT) or left for the router to roll back. Outside a
 * transaction it runs as db_query does.
 */
PGresult *db_query_commit(request *r, const char *sql, int nparams, const char *const *params);
/*
 * db_query of sql, and of next_sql after it in the same exchange with the database, which runs
 * only when sql succeeded: for a statement that decides whether the next one's work stands (a
 * write's checks and the write; when the checks refuse, the router rolls the write back). Returns
 * sql's result as db_query does; *next is next_sql's, released with the request's arena and
 * unread: take it with db_result_or_fail once sql's has been read.
 */
PGresult *db_query_then(request *r, const char *sql, int nparams, const char *const *params,
                        const char *next_sql, int next_nparams, const char *const *next_params,
                        PGresult **next);
/* res when it holds a statement's success; else NULL after recording its problem (db_query's). */
PGresult *db_result_or_fail(request *r, PGresult *res);

/*
 * The name under which sql is prepared on the request's connection, preparing it the first time
 * (pool.c). NULL when it is not: *failed is then the failed result (caller clears it), or NULL
 * when the connection holds as many statements as it may and sql should run unprepared.
 */
const char *db_prepared_name(request *r, const char *sql, int nparams, const Oid *types,
                             PGresult **failed);
/* The bulk statement timeout given to db_pool_init (pool.c). */
long db_bulk_timeout_ms(void);
/* Records the problem a failed result stands for (what db_query does on failure). */
void db_record_error(request *r, const PGresult *res);

/* The first cell of the first row, or NULL when there is no row. Borrowed from res. */
const char *db_value(const PGresult *res, int col);

/*
 * Runs sql (no parameters) on a connection of its own, outside the pool, all within timeout_ms,
 * connecting included: a database that accepts connections and never answers (stopped, hung, a
 * network that drops packets) cannot hold the caller longer. Returns the rows, or NULL after the
 * deadline or any failure. Caller frees with PQclear. For readiness checks, not requests.
 */
PGresult *db_query_within(const char *sql, int timeout_ms);

/*
 * The change feed's sequencer (db/sequencer.c): a thread with a connection of its own that numbers
 * committed changes (changes_sequence(), sql/functions/70_feed.sql). Started once the pool is;
 * stopped before it closes.
 */
void db_sequencer_start(const char *conninfo, long statement_timeout_ms);
void db_sequencer_stop(void);
/*
 * Returns once a numbering pass that began after the call has ended: every change committed
 * before the call then has its number. False when none succeeded within timeout_ms (the database
 * is unavailable; the changes get their numbers later) or the sequencer is not running. Holds no
 * database connection while it waits.
 */
bool db_sequencer_wait(long timeout_ms);
/* How long a request waits for it: writes, and GET /changes before it reads. */
enum { DB_SEQUENCER_WAIT_MS = 2000 };

/* Apply pending migrations from dir under an advisory lock. Returns 0 on success. */
int db_migrate(const char *conninfo, const char *dir);

/* How long db_ready may take, at most, before it says "not ready". */
enum { DB_READY_TIMEOUT_MS = 1500 };
/*
 * True when the database answers within DB_READY_TIMEOUT_MS and has every migration in dir
 * applied. Uses a connection of its own (db_query_within): the answer does not wait for a busy
 * pool, and a hung database makes it false in time for a load balancer's probe.
 */
bool db_ready(const char *migrations_dir);

#endif
