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
 */
#include "db/db.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static struct {
    pthread_mutex_t lock;
    struct waiter *queue_head, *queue_tail; /* waiting threads, first come first */
    char *conninfo;
    PGconn **conns; /* NULL slot: not connected yet or dropped */
    bool *busy;
    bool *masked;   /* cdt.mask_personal is on for this connection */
    struct prepared **prepared; /* per connection: its statements, named "s<index>" */
    int *nprepared;
    int size;
    long statement_timeout_ms, bulk_timeout_ms;
} pool = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0};

void db_pool_init(const char *conninfo, int size, long statement_timeout_ms, long bulk_timeout_ms)
{
    pool.statement_timeout_ms = statement_timeout_ms;
    pool.bulk_timeout_ms = bulk_timeout_ms;
    pool.conninfo = xstrdup(conninfo);
    pool.size = size > 0 ? size : 1;
    pool.conns = xcalloc((size_t)pool.size, sizeof *pool.conns);
    pool.busy = xcalloc((size_t)pool.size, sizeof *pool.busy);
    pool.masked = xcalloc((size_t)pool.size, sizeof *pool.masked);
    pool.prepared = xcalloc((size_t)pool.size, sizeof *pool.prepared);
    pool.nprepared = xcalloc((size_t)pool.size, sizeof *pool.nprepared);
}

/* The connection of slot i is gone: so are the statements prepared on it. */
static void forget_prepared(int i)
{
    for (int k = 0; k < pool.nprepared[i]; k++)
        free(pool.prepared[i][k].sql);
    free(pool.prepared[i]);
    pool.prepared[i] = NULL;
    pool.nprepared[i] = 0;
}

void db_pool_shutdown(void)
{
    for (int i = 0; i < pool.size; i++) {
        if (pool.conns[i])
            PQfinish(pool.conns[i]);
        forget_prepared(i);
    }
    free(pool.prepared);
    free(pool.nprepared);
    pool.prepared = NULL;
    pool.nprepared = NULL;
    free(pool.conns);
    free(pool.busy);
    free(pool.masked);
    free(pool.conninfo);
    pool.conns = NULL;
    pool.busy = NULL;
    pool.masked = NULL;
    pool.conninfo = NULL;
    pool.size = 0;
}

static PGconn *connect_fresh(void)
{
    PGconn *c = PQconnectdb(pool.conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return NULL;
    }
    PQclear(PQexec(c, "SET TIME ZONE 'Asia/Ho_Chi_Minh'"));
    char sql[64];
    snprintf(sql, sizeof sql, "SET statement_timeout = %ld", pool.statement_timeout_ms);
    PQclear(PQexec(c, sql));
    return c;
}

long db_bulk_timeout_ms(void)
{
    return pool.bulk_timeout_ms;
}

/* A free slot, marked busy, or -1. Called with pool.lock held. */
static int free_slot_locked(void)
{
    for (int i = 0; i < pool.size; i++)
        if (!pool.busy[i]) {
            pool.busy[i] = true;
            return i;
        }
    return -1;
}

/* Takes w out of the queue. Called with pool.lock held. */
static void unqueue_locked(struct waiter *w)
{
    struct waiter **at = &pool.queue_head, *prev = NULL;
    while (*at && *at != w) {
        prev = *at;
        at = &(*at)->next;
    }
    if (!*at)
        return;
    *at = w->next;
    if (pool.queue_tail == w)
        pool.queue_tail = prev;
}

static long ms_waited(const struct waiter *w)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - w->since.tv_sec) * 1000 + (now.tv_nsec - w->since.tv_nsec) / 1000000;
}

/*
 * Waits up to 5 s for a free slot; returns its index or -1.
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
static int take_slot(void)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&pool.lock);
    int i = free_slot_locked();
    if (i >= 0) {
        pthread_mutex_unlock(&pool.lock);
        return i;
    }
    struct waiter w = {.next = NULL, .slot = -1};
    clock_gettime(CLOCK_MONOTONIC, &w.since);
    pthread_cond_init(&w.handed, NULL);
    if (pool.queue_tail)
        pool.queue_tail->next = &w;
    else
        pool.queue_head = &w;
    pool.queue_tail = &w;
    while (w.slot < 0) {
        int rc = pthread_cond_timedwait(&w.handed, &pool.lock, &deadline);
        if (w.slot >= 0)
            break; /* handed to it (and taken out of the queue) */
        if ((w.slot = free_slot_locked()) >= 0 || rc != 0) {
            unqueue_locked(&w); /* took a freed slot, or timed out still queued */
            break;
        }
    }
    pthread_mutex_unlock(&pool.lock);
    pthread_cond_destroy(&w.handed);
    return w.slot;
}

/* Frees slot i, or hands it to the first waiter when that one is owed it. */
static void give_slot(int i)
{
    pthread_mutex_lock(&pool.lock);
    struct waiter *w = pool.queue_head;
    if (w && ms_waited(w) >= HANDOFF_AFTER_MS) {
        pool.queue_head = w->next;
        if (!pool.queue_head)
            pool.queue_tail = NULL;
        w->slot = i; /* stays busy: it changes hands */
    } else {
        pool.busy[i] = false;
    }
    if (w)
        pthread_cond_signal(&w->handed);
    pthread_mutex_unlock(&pool.lock);
}

static int slot_of(PGconn *c)
{
    for (int i = 0; i < pool.size; i++)
        if (pool.conns[i] == c)
            return i;
    return -1;
}

/*
 * Read-only API clients without the personal-data grant read members' contacts masked
 * (sql/migrations/011_personal_data.sql); the setting follows the connection, so it is checked
 * on every use: the token is verified after the request first borrowed its connection.
 */
static bool apply_mask_or_fail(request *r, int i)
{
    bool mask = r->claims && r->claims->kind == PRINCIPAL_CLIENT && r->claims->read_only &&
                !r->claims->personal_data;
    if (mask == pool.masked[i])
        return true;
    PGresult *res = PQexec(r->db, mask ? "SELECT set_config('cdt.mask_personal', 'on', false)"
                                       : "SELECT set_config('cdt.mask_personal', 'off', false)");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (!ok) {
        db_release(r);
        request_fail(r, PROBLEM_UNAVAILABLE, "The database is unavailable; try again shortly");
        return false;
    }
    pool.masked[i] = mask;
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

bool db_connect_or_fail(request *r)
{
    if (r->db)
        return apply_mask_or_fail(r, slot_of(r->db));
    int i = take_slot();
    if (i < 0) {
        request_fail(r, PROBLEM_UNAVAILABLE, "All database connections are busy; try again");
        return false;
    }
    if (pool.conns[i] && (PQstatus(pool.conns[i]) != CONNECTION_OK || closed_by_server(pool.conns[i]))) {
        PQfinish(pool.conns[i]);
        pool.conns[i] = NULL;
    }
    if (!pool.conns[i]) {
        forget_prepared(i);
        pool.conns[i] = connect_fresh();
        pool.masked[i] = false;
    }
    if (!pool.conns[i]) {
        give_slot(i);
        request_fail(r, PROBLEM_UNAVAILABLE, "The database is unavailable; try again shortly");
        return false;
    }
    r->db = pool.conns[i];
    return apply_mask_or_fail(r, i);
}

void db_release(request *r)
{
    if (!r->db)
        return;
    if (r->in_transaction)
        db_rollback(r);
    int i = slot_of(r->db);
    /* A connection left mid-transaction or broken is dropped rather than handed on. */
    if (PQstatus(r->db) != CONNECTION_OK || PQtransactionStatus(r->db) != PQTRANS_IDLE) {
        PQfinish(r->db);
        pool.conns[i] = NULL;
        forget_prepared(i);
    }
    r->db = NULL;
    give_slot(i);
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
    PGconn *c = PQconnectStart(pool.conninfo);
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
    int i = slot_of(r->db);
    unsigned h = text_hash(sql);
    int n = pool.nprepared[i];
    for (int k = 0; k < n; k++)
        if (pool.prepared[i][k].hash == h && strcmp(pool.prepared[i][k].sql, sql) == 0)
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
        pool.prepared[i] = xrealloc(pool.prepared[i], (size_t)(n + 32) * sizeof *pool.prepared[i]);
    pool.prepared[i][n].hash = h;
    pool.prepared[i][n].sql = xstrdup(sql);
    pool.nprepared[i] = n + 1;
    return name;
}
