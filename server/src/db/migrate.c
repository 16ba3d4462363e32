/*
 * db/migrate.c — applying sql/migrations/NNN_name.sql in order, each once, in its own transaction.
 *
 * A session-level advisory lock serializes servers starting at the same time: the second waits,
 * then finds every migration recorded and applies nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/log.h"

enum { MIGRATION_LOCK_KEY = 727274 /* any constant shared by every instance */ };

struct migration_list {
    char **names;
    size_t count;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration_name(const char *n)
{
    size_t len = strlen(n);
    return len > 8 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' && n[2] >= '0' &&
           n[2] <= '9' && n[3] == '_' && strcmp(n + len - 4, ".sql") == 0;
}

/* Caller frees with free_list. */
static bool list_migrations(const char *dir, struct migration_list *out)
{
    out->names = NULL;
    out->count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_migration_name(e->d_name))
            continue;
        out->names = xrealloc(out->names, (out->count + 1) * sizeof *out->names);
        out->names[out->count++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(out->names, out->count, sizeof *out->names, by_name);
    return true;
}

static void free_list(struct migration_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->names[i]);
    free(l->names);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    if (!b.data)
        buf_puts(&b, "");
    return b.data;
}

static bool exec_ok(PGconn *c, const char *sql, const char *what)
{
    PGresult *res = PQexec(c, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        log_event("error", NULL, "migration step failed", what, PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static bool applied(PGconn *c, const char *version)
{
    const char *params[1] = {version};
    PGresult *res = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
                                 params, NULL, NULL, 0);
    bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
    PQclear(res);
    return yes;
}

static bool apply_one(PGconn *c, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *sql = read_file(path);
    if (!sql) {
        log_event("error", NULL, "cannot read migration", "file", path);
        return false;
    }
    const char *params[1] = {name};
    bool ok = exec_ok(c, "BEGIN", name) && exec_ok(c, sql, name);
    if (ok) {
        PGresult *res = PQexecParams(c, "INSERT INTO schema_migrations (version) VALUES ($1)", 1,
                                     NULL, params, NULL, NULL, 0);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
    }
    ok = ok && exec_ok(c, "COMMIT", name);
    if (!ok)
        exec_ok(c, "ROLLBACK", name);
    else
        log_event("info", NULL, "migration applied", "version", name);
    free(sql);
    return ok;
}

int db_migrate(const char *conninfo, const char *dir)
{
    struct migration_list list;
    if (!list_migrations(dir, &list)) {
        log_event("error", NULL, "cannot open migrations directory", "dir", dir);
        return 1;
    }
    PGconn *c = PQconnectdb(conninfo);
    int rc = 1;
    if (PQstatus(c) != CONNECTION_OK) {
        log_event("error", NULL, "cannot connect to the database", "error", PQerrorMessage(c));
        goto out;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    char lock[96];
    snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%d)", MIGRATION_LOCK_KEY);
    if (!exec_ok(c, lock, "lock") ||
        !exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, "
                    "applied_at timestamptz NOT NULL DEFAULT now())",
                 "schema_migrations"))
        goto out;
    rc = 0;
    for (size_t i = 0; i < list.count && rc == 0; i++)
        if (!applied(c, list.names[i]) && !apply_one(c, dir, list.names[i]))
            rc = 1;
out:
    PQfinish(c); /* ends the session, releasing the advisory lock */
    free_list(&list);
    return rc;
}

bool db_ready(const char *migrations_dir)
{
    struct migration_list list;
    if (!list_migrations(migrations_dir, &list))
        return false;
    request r = {0};
    r.arena = arena_create();
    bool ready = false;
    PGresult *res = db_query(&r, "SELECT count(*) FROM schema_migrations", 0, NULL);
    if (res && (size_t)atol(db_value(res, 0)) == list.count)
        ready = true;
    db_release(&r);
    arena_destroy(r.arena);
    free_list(&list);
    return ready;
}
