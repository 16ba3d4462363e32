/*
 * db/pool.c — a fixed-size pool of libpq connections shared by the worker threads.
 *
 * A request borrows one connection for its whole life, so its statements share a transaction.
 * Broken connections are re-made on the next borrow; while PostgreSQL is down a borrow fails at
 * once and the request answers 503, and the pool recovers by itself once it is back. A
 * connection the server closed while it sat in the pool (a restart or crash of PostgreSQL) is
 * seen before it is lent (closed_by_server), so no request after a restart pays for it.
 *
 * Each connection remembers the statements prepared on it (db_prepared_name): the server keeps
 * their plans, so a statement is parsed and planned once per connection rather than once per
 * request. They belong to the connection: a connection dropped or re-made starts with none.
 *
 * Two pools of the same shape (issue 15): the primary's (DATABASE_URL), which every write and
 * almost every read uses, and, when DATABASE_READ_URL is set, a streaming replica's, which the
 * routes flagged ROUTE_REPLICA read from (the figures). A replica that cannot be reached sends
 * those reads to the primary for READ_DOWN_SECONDS before it is tried again.
 *
 * No read writes: a GET's statements run with default_transaction_read_only on (set on the
 * connection only when it changes, with cdt.mask_personal), so a read path that tried to write
 * would fail (SQLSTATE 25006, answered 500) instead of writing, on the primary as on a replica.
 */
#include "db/db.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/metrics.h"
#include "util/log.h"
#include "util/mem.h"

/* At most this many statements are prepared per connection; others run unprepared. */
enum { PREPARED_MAX = 256 };

struct prepared {
    unsigned hash;
    char *sql; /* owned */
};

/* A thread waiting for a connection; lives on its stack while queued. */
struct waiter {
    struct waiter *next;
    pthread_cond_t handed;
    int slot;              /* -1 until it has a slot */
    struct timespec since; /* CLOCK_MONOTONIC, when it began to wait */
};

/* A waiter that has waited this long is owed the next freed slot (milliseconds). */
enum { HANDOFF_AFTER_MS = 10 };

struct pool {
    pthread_mutex_t lock;
    struct waiter *queue_head, *queue_tail; /* waiting threads, first come first */
    char *conninfo;
    PGconn **conns; /* NULL slot: not connected yet or dropped */
    bool *busy;
    bool *masked;    /* cdt.mask_personal is on for this connection */
    bool *read_only; /* default_transaction_read_only is on for this connection */
    struct prepared **prepared; /* per connection: its statements, named "s<index>" */
    int *nprepared;
    int size;
};

/* DB_PRIMARY, DB_READ (db.h); a pool of size 0 is not configured. */
static struct pool pools[2] = {{.lock = PTHREAD_MUTEX_INITIALIZER}, {.lock = PTHREAD_MUTEX_INITIALIZER}};
static long statement_timeout_ms, bulk_timeout_ms;

/* After the replica failed to connect, reads go to the primary until then (CLOCK_MONOTONIC s). */
enum { READ_DOWN_SECONDS = 5 };
static _Atomic long read_down_until;

static void pool_open(struct pool *p, const char *conninfo, int size)
{
    p->conninfo = xstrdup(conninfo);
    p->size = size > 0 ? size : 1;
    p->conns = xcalloc((size_t)p->size, sizeof *p->conns);
    p->busy = xcalloc((size_t)p->size, sizeof *p->busy);
    p->masked = xcalloc((size_t)p->size, sizeof *p->masked);
    p->read_only = xcalloc((size_t)p->size, sizeof *p->read_only);
    p->prepared = xcalloc((size_t)p->size, sizeof *p->prepared);
    p->nprepared = xcalloc((size_t)p->size, sizeof *p->nprepared);
}

void db_pool_init(const char *conninfo, int size, long statement_timeout, long bulk_timeout)
{
    statement_timeout_ms = statement_timeout;
    bulk_timeout_ms = bulk_timeout;
    pool_open(&pools[DB_PRIMARY], conninfo, size);
}

void db_read_pool_init(const char *conninfo, int size)
{
    pool_open(&pools[DB_READ], conninfo, size);
}

/* The connection of slot i is gone: so are the statements prepared on it. */
static void forget_prepared(struct pool *p, int i)
{
    for (int k = 0; k < p->nprepared[i]; k++)
        free(p->prepared[i][k].sql);
    free(p->prepared[i]);
    p->prepared[i] = NULL;
    p->nprepared[i] = 0;
}

static void pool_close(struct pool *p)
{
    for (int i = 0; i < p->size; i++) {
        if (p->conns[i])
            PQfinish(p->conns[i]);
        forget_prepared(p, i);
    }
    free(p->prepared);
    free(p->nprepared);
    free(p->conns);
    free(p->busy);
    free(p->masked);
    free(p->read_only);
    free(p->conninfo);
    p->prepared = NULL;
    p->nprepared = NULL;
    p->conns = NULL;
    p->busy = NULL;
    p->masked = NULL;
    p->read_only = NULL;
    p->conninfo = NULL;
    p->size = 0;
}

void db_pool_shutdown(void)
{
    pool_close(&pools[DB_PRIMARY]);
    pool_close(&pools[DB_READ]);
}

static PGconn *connect_fresh(const struct pool *p)
{
    PGconn *c = PQconnectdb(p->conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return NULL;
    }
    PQclear(PQexec(c, "SET TIME ZONE 'Asia/Ho_Chi_Minh'"));
    /* No JIT: a generic plan is costed as if each of its one-time-filtered branches ran, and past
     * jit_above_cost the activities' first page (2 ms) spent 35-55 ms compiling on every call
     * (docs/performance.md §9, "JIT"). The pages, documents, figures and writes run in
     * milliseconds, far below a compilation; whether it would shorten the national exports was
     * not measured. */
    PQclear(PQexec(c, "SET jit = off"));
    char sql[64];
    snprintf(sql, sizeof sql, "SET statement_timeout = %ld", statement_timeout_ms);
    PQclear(PQexec(c, sql));
    return c;
}

long db_bulk_timeout_ms(void)
{
    return bulk_timeout_ms;
}

bool db_read_pool_configured(void)
{
    return pools[DB_READ].size > 0;
}

static long monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec;
}

/* A free slot of p, marked busy, or -1. Called with p->lock held. */
static int free_slot_locked(struct pool *p)
{
    for (int i = 0; i < p->size; i++)
        if (!p->busy[i]) {
            p->busy[i] = true;
            return i;
        }
    return -1;
}

/* Takes w out of p's queue. Called with p->lock held. */
static void unqueue_locked(struct pool *p, struct waiter *w)
{
    struct waiter **at = &p->queue_head, *prev = NULL;
    while (*at && *at != w) {
        prev = *at;
        at = &(*at)->next;
    }
    if (!*at)
        return;
    *at = w->next;
    if (p->queue_tail == w)
        p->queue_tail = prev;
}

static double seconds_since(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/*
 * Waits up to 5 s for a free slot of p; returns its index or -1. Every borrow's wait goes to the
 * metrics (http/metrics.h).
 *
 * A freed slot goes to whichever thread runs first: the first waiter is woken, and a thread that
 * arrives meanwhile may take it. Handing every slot to the first waiter (as from 75b8f58 to
 * issue 14) kept the slot idle until that waiter's thread was scheduled again, which on a busy
 * machine took tens of milliseconds, while other threads were running and queued behind it: at
 * 16 clients get one team had a p99 of 44-120 ms and stalls of 300-700 ms (docs/performance.md,
 * issue 14 item 5). Fairness is kept where it matters: a waiter that has waited HANDOFF_AFTER_MS is
 * owed the next freed slot, which is then handed to it alone (the 503s of §6.5 came from waiters
 * passed over again and again until the 5 s limit).
 */
static int take_slot(struct pool *p, int kind)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&p->lock);
    int i = free_slot_locked(p);
    if (i >= 0) {
        pthread_mutex_unlock(&p->lock);
        metrics_count_pool_wait(kind, 0, false);
        return i;
    }
    struct waiter w = {.next = NULL, .slot = -1};
    clock_gettime(CLOCK_MONOTONIC, &w.since);
    pthread_cond_init(&w.handed, NULL);
    if (p->queue_tail)
        p->queue_tail->next = &w;
    else
        p->queue_head = &w;
    p->queue_tail = &w;
    while (w.slot < 0) {
        int rc = pthread_cond_timedwait(&w.handed, &p->lock, &deadline);
        if (w.slot >= 0)
            break; /* handed to it (and taken out of the queue) */
        if ((w.slot = free_slot_locked(p)) >= 0 || rc != 0) {
            unqueue_locked(p, &w); /* took a freed slot, or timed out still queued */
            break;
        }
    }
    pthread_mutex_unlock(&p->lock);
    pthread_cond_destroy(&w.handed);
    metrics_count_pool_wait(kind, seconds_since(&w.since), w.slot < 0);
    return w.slot;
}

/* Frees slot i of p, or hands it to the first waiter when that one is owed it. */
static void give_slot(struct pool *p, int i)
{
    pthread_mutex_lock(&p->lock);
    struct waiter *w = p->queue_head;
    if (w && seconds_since(&w->since) * 1000 >= HANDOFF_AFTER_MS) {
        p->queue_head = w->next;
        if (!p->queue_head)
            p->queue_tail = NULL;
        w->slot = i; /* stays busy: it changes hands */
    } else {
        p->busy[i] = false;
    }
    if (w)
        pthread_cond_signal(&w->handed);
    pthread_mutex_unlock(&p->lock);
}

static int slot_of(const struct pool *p, PGconn *c)
{
    for (int i = 0; i < p->size; i++)
        if (p->conns[i] == c)
            return i;
    return -1;
}

/*
 * The connection's session settings as the request needs them, set only when they change:
 * - cdt.mask_personal: read-only API clients without the personal-data grant read members'
 *   contacts masked (personal_masked in sql/functions/25_documents.sql); the token is verified
 *   after the request first borrowed its connection, so it is checked on every use;
 * - default_transaction_read_only: on for GET and HEAD, so that no read path writes.
 */
static bool apply_session_or_fail(request *r)
{
    struct pool *p = &pools[r->db_pool];
    int i = slot_of(p, r->db);
    bool mask = r->claims && r->claims->kind == PRINCIPAL_CLIENT && r->claims->read_only &&
                !r->claims->personal_data;
    bool read_only = r->method && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0);
    if (mask == p->masked[i] && read_only == p->read_only[i])
        return true;
    const char *values[2] = {mask ? "on" : "off", read_only ? "on" : "off"};
    PGresult *res = PQexecParams(r->db,
                                 "SELECT set_config('cdt.mask_personal', $1, false),"
                                 "       set_config('default_transaction_read_only', $2, false)",
                                 2, NULL, values, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (!ok) {
        db_release(r);
        request_fail(r, PROBLEM_UNAVAILABLE, "The database is unavailable; try again shortly");
        return false;
    }
    p->masked[i] = mask;
    p->read_only[i] = read_only;
    return true;
}

/*
 * True when an idle connection has something to read, or its socket is closed or in error. An
 * idle connection has nothing to read: the server speaks only when asked, and we LISTEN to
 * nothing. When PostgreSQL stops, restarts or crashes it ends every backend, which closes its
 * socket (after a FATAL message, for a clean stop), while libpq still says CONNECTION_OK until it
 * reads that; without this look, each pooled connection failed the first request that used it
 * after a restart. A connection that died silently (a network cut, no FIN) is not seen here: its
 * request fails (503) and the connection is re-made on the next borrow. A failed statement is
 * not retried on a fresh connection instead: one that reached the server may have committed,
 * and nothing tells which.
 */
static bool closed_by_server(PGconn *c)
{
    struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
    return p.fd < 0 || poll(&p, 1, 0) != 0;
}

/*
 * Borrows a connection of pools[kind] for r: r->db and r->db_pool set, true. False with nothing
 * recorded when the database cannot be reached (*unreachable) or every connection stayed busy.
 */
static bool borrow(request *r, int kind, bool *unreachable)
{
    struct pool *p = &pools[kind];
    *unreachable = false;
    int i = take_slot(p, kind);
    if (i < 0)
        return false;
    if (p->conns[i] && (PQstatus(p->conns[i]) != CONNECTION_OK || closed_by_server(p->conns[i]))) {
        PQfinish(p->conns[i]);
        p->conns[i] = NULL;
    }
    if (!p->conns[i]) {
        forget_prepared(p, i);
        p->conns[i] = connect_fresh(p);
        p->masked[i] = false;
        p->read_only[i] = false;
    }
    if (!p->conns[i]) {
        give_slot(p, i);
        *unreachable = true;
        return false;
    }
    r->db = p->conns[i];
    r->db_pool = (unsigned char)kind;
    return true;
}

bool db_connect_or_fail(request *r)
{
    if (r->db)
        return apply_session_or_fail(r);
    bool unreachable;
    if (r->replica_ok && pools[DB_READ].size > 0 && monotonic_seconds() >= read_down_until) {
        if (borrow(r, DB_READ, &unreachable))
            return apply_session_or_fail(r);
        if (!unreachable) {
            request_fail(r, PROBLEM_UNAVAILABLE, "All database connections are busy; try again");
            return false;
        }
        /* The replica is down: the primary answers its reads for a while (metrics count them). */
        read_down_until = monotonic_seconds() + READ_DOWN_SECONDS;
        log_event("warn", r->request_id, "the read replica (DATABASE_READ_URL) cannot be reached; reading from the primary",
                  NULL, NULL);
        metrics_count_read_fallback();
    }
    if (!borrow(r, DB_PRIMARY, &unreachable)) {
        request_fail(r, PROBLEM_UNAVAILABLE, unreachable ? "The database is unavailable; try again shortly"
                                                         : "All database connections are busy; try again");
        return false;
    }
    return apply_session_or_fail(r);
}

void db_release(request *r)
{
    if (!r->db)
        return;
    if (r->in_transaction)
        db_rollback(r);
    struct pool *p = &pools[r->db_pool];
    int i = slot_of(p, r->db);
    /* A connection left mid-transaction or broken is dropped rather than handed on. */
    if (PQstatus(r->db) != CONNECTION_OK || PQtransactionStatus(r->db) != PQTRANS_IDLE) {
        PQfinish(r->db);
        p->conns[i] = NULL;
        forget_prepared(p, i);
    }
    r->db = NULL;
    give_slot(p, i);
}

/* Milliseconds from now until deadline (CLOCK_MONOTONIC); 0 once it has passed. */
static int ms_until(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? (int)ms : 0;
}

/* Waits until c's socket is readable (or writable); false at the deadline or on an error. */
static bool socket_ready(PGconn *c, bool for_write, const struct timespec *deadline)
{
    struct pollfd p = {.fd = PQsocket(c), .events = for_write ? POLLOUT : POLLIN};
    int ms = ms_until(deadline);
    return p.fd >= 0 && ms > 0 && poll(&p, 1, ms) == 1;
}

PGresult *db_query_within(const char *sql, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    PGresult *out = NULL;
    /* Connecting without blocking: libpq's own connect_timeout has a floor of 2 s and does not
     * cover the query. A host name is still resolved blocking, by getaddrinfo. */
    PGconn *c = PQconnectStart(pools[DB_PRIMARY].conninfo);
    if (!c || PQstatus(c) == CONNECTION_BAD)
        goto out;
    for (PostgresPollingStatusType st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK;) {
        if (st == PGRES_POLLING_FAILED || !socket_ready(c, st == PGRES_POLLING_WRITING, &deadline))
            goto out;
        st = PQconnectPoll(c);
    }
    if (PQsetnonblocking(c, 1) != 0 || !PQsendQuery(c, sql))
        goto out;
    for (;;) {
        int flushed;
        while ((flushed = PQflush(c)) == 1)
            if (!socket_ready(c, true, &deadline))
                goto out;
        if (flushed < 0)
            goto out;
        while (PQisBusy(c))
            if (!socket_ready(c, false, &deadline) || !PQconsumeInput(c))
                goto out;
        PGresult *res = PQgetResult(c);
        if (!res)
            break;
        if (!out && PQresultStatus(res) == PGRES_TUPLES_OK)
            out = res;
        else
            PQclear(res);
    }
    PQfinish(c);
    return out;
out:
    PQclear(out);
    PQfinish(c);
    return NULL;
}

static unsigned text_hash(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

const char *db_prepared_name(request *r, const char *sql, int nparams, const Oid *types,
                             PGresult **failed)
{
    *failed = NULL;
    struct pool *p = &pools[r->db_pool];
    int i = slot_of(p, r->db);
    unsigned h = text_hash(sql);
    int n = p->nprepared[i];
    for (int k = 0; k < n; k++)
        if (p->prepared[i][k].hash == h && strcmp(p->prepared[i][k].sql, sql) == 0)
            return arena_printf(r->arena, "s%d", k);
    if (n >= PREPARED_MAX)
        return NULL;
    const char *name = arena_printf(r->arena, "s%d", n);
    PGresult *res = PQprepare(r->db, name, sql, nparams, types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        *failed = res;
        return NULL;
    }
    PQclear(res);
    if (n % 32 == 0)
        p->prepared[i] = xrealloc(p->prepared[i], (size_t)(n + 32) * sizeof *p->prepared[i]);
    p->prepared[i][n].hash = h;
    p->prepared[i][n].sql = xstrdup(sql);
    p->nprepared[i] = n + 1;
    return name;
}
