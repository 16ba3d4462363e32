/*
 * db/sequencer.c — numbers the change feed after commit (sql/functions/70_feed.sql).
 *
 * Writes leave their changes unnumbered; a pass of changes_sequence() numbers all that has
 * committed, one pass at a time across every server process (an advisory lock). One thread per
 * process runs the passes on a connection of its own, outside the pool: when asked, and once a
 * second besides (changes written by other means, such as psql, get their numbers then).
 *
 * db_sequencer_wait asks for a pass and waits until one that began after the call has ended.
 * The router calls it after every committed write, with the request's pooled connection already
 * given back, and GET /changes before it reads: so a write is in the feed when it is answered,
 * and a reader reads every change committed before its request. Many waiters share one pass:
 * those who ask while a pass runs, or in the PASS_SPACING_MS after it began, are served together
 * by the next one, so there are at most ~500 passes a second, whatever the number of writers, and
 * no writer holds a pooled connection while it waits.
 */
#include "db/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/mem.h"

/* An idle process still runs a pass this often (ms). Under load a pass begins at most once in
 * PASS_SPACING_MS after the one before began: the writers who commit meanwhile share it. Without
 * the spacing a pass followed each one before as soon as it ended, ~1,000 passes a second for
 * 1,500 writes, and the passes were ~10 % of the machine's CPU (docs/performance.md §9). */
enum { IDLE_PASS_MS = 1000, PASS_SPACING_MS = 2 };

static struct {
    pthread_mutex_t lock;
    pthread_cond_t asked; /* the thread waits on it for work */
    pthread_cond_t ended; /* waiters wait on it for a pass to end */
    unsigned long begun;  /* passes begun, counting from 1 */
    unsigned long ended_ok, ended_any; /* the last pass that ended (numbered, or at all) */
    bool requested, stopping, running;
    pthread_t thread;
    char *conninfo;
    PGconn *conn; /* the thread's own */
    long statement_timeout_ms;
} sq = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0,
        false, false, false, 0, NULL, NULL, 0};

/* t += ms. */
static void add_ms(struct timespec *t, long ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

/* deadline = now + ms on CLOCK_REALTIME (what pthread_cond_timedwait measures). */
static void deadline_in(struct timespec *deadline, long ms)
{
    clock_gettime(CLOCK_REALTIME, deadline);
    add_ms(deadline, ms);
}

/* One pass on the thread's connection, made (again) when needed. True when it numbered. */
static bool run_pass(void)
{
    if (sq.conn && PQstatus(sq.conn) != CONNECTION_OK) {
        PQfinish(sq.conn);
        sq.conn = NULL;
    }
    if (!sq.conn) {
        sq.conn = PQconnectdb(sq.conninfo);
        if (PQstatus(sq.conn) != CONNECTION_OK) {
            PQfinish(sq.conn);
            sq.conn = NULL;
            return false;
        }
        char sql[64];
        snprintf(sql, sizeof sql, "SET statement_timeout = %ld", sq.statement_timeout_ms);
        PQclear(PQexec(sq.conn, sql));
    }
    PGresult *res = PQexec(sq.conn, "SELECT changes_sequence()");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        log_event("warn", NULL, "change feed: a numbering pass failed", "error",
                  PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* Waits (holding sq.lock, released meanwhile) until PASS_SPACING_MS after *since, or a stop. */
static void wait_spacing_locked(const struct timespec *since)
{
    struct timespec at = *since;
    add_ms(&at, PASS_SPACING_MS);
    while (!sq.stopping && pthread_cond_timedwait(&sq.asked, &sq.lock, &at) != ETIMEDOUT)
        ; /* another writer asking changes nothing: the pass will serve it */
}

static void *sequencer_main(void *unused)
{
    (void)unused;
    struct timespec last_begun = {0, 0};
    pthread_mutex_lock(&sq.lock);
    for (;;) {
        if (!sq.requested && !sq.stopping) {
            struct timespec idle;
            deadline_in(&idle, IDLE_PASS_MS);
            pthread_cond_timedwait(&sq.asked, &sq.lock, &idle); /* a pass either way */
        }
        wait_spacing_locked(&last_begun);
        if (sq.stopping)
            break;
        clock_gettime(CLOCK_REALTIME, &last_begun);
        sq.requested = false;
        unsigned long pass = ++sq.begun;
        pthread_mutex_unlock(&sq.lock);
        bool ok = run_pass();
        pthread_mutex_lock(&sq.lock);
        sq.ended_any = pass;
        if (ok)
            sq.ended_ok = pass;
        pthread_cond_broadcast(&sq.ended);
        if (!ok && !sq.stopping) {
            /* The database is away: waiters are answered at once (above); passes slow down. */
            struct timespec pause;
            deadline_in(&pause, 200);
            pthread_cond_timedwait(&sq.asked, &sq.lock, &pause);
        }
    }
    pthread_mutex_unlock(&sq.lock);
    if (sq.conn)
        PQfinish(sq.conn);
    sq.conn = NULL;
    return NULL;
}

void db_sequencer_start(const char *conninfo, long statement_timeout_ms)
{
    sq.conninfo = xstrdup(conninfo);
    sq.statement_timeout_ms = statement_timeout_ms;
    sq.stopping = false;
    if (pthread_create(&sq.thread, NULL, sequencer_main, NULL) != 0)
        abort(); /* as an allocation failure: the process cannot run without its threads */
    sq.running = true;
}

void db_sequencer_stop(void)
{
    if (!sq.running)
        return;
    pthread_mutex_lock(&sq.lock);
    sq.stopping = true;
    pthread_cond_broadcast(&sq.asked);
    pthread_cond_broadcast(&sq.ended);
    pthread_mutex_unlock(&sq.lock);
    pthread_join(sq.thread, NULL);
    sq.running = false;
    free(sq.conninfo);
    sq.conninfo = NULL;
}

bool db_sequencer_wait(long timeout_ms)
{
    if (!sq.running)
        return false;
    struct timespec deadline;
    deadline_in(&deadline, timeout_ms);
    pthread_mutex_lock(&sq.lock);
    unsigned long want = sq.begun + 1; /* the next pass to begin, after this call */
    sq.requested = true;
    pthread_cond_signal(&sq.asked);
    while (sq.ended_any < want && !sq.stopping)
        if (pthread_cond_timedwait(&sq.ended, &sq.lock, &deadline) == ETIMEDOUT)
            break;
    bool ok = sq.ended_ok >= want;
    pthread_mutex_unlock(&sq.lock);
    return ok;
}
