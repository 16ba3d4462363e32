/*
 * db/migrate.c — applying sql/migrations/NNN_name.sql in order, each once, in its own transaction,
 * then the repeatable files of sql/functions/ (the `functions` directory beside the migrations).
 *
 * Migrations change tables and data, once. Functions (documents, scope, figures, triggers) are
 * defined where they are read: each file of sql/functions/ holds the current definitions
 * (CREATE OR REPLACE) and is applied again, in name order and in its own transaction, whenever its
 * text differs from the one last applied (md5 recorded in schema_functions). So a change to a
 * function is a change to one file, not a restatement in a new migration; a migration still
 * drops a function whose signature changes, since CREATE OR REPLACE cannot.
 *
 * Then stored derivations are brought in line with the definitions (derived_data_synced).
 *
 * A session-level advisory lock serializes servers starting at the same time: the second waits,
 * then finds every migration recorded and every function file current, and applies nothing.
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

static bool is_functions_name(const char *n)
{
    size_t len = strlen(n);
    return len > 4 && n[0] != '.' && strcmp(n + len - 4, ".sql") == 0;
}

/* The files of dir whose names `wanted` accepts, sorted by name. Caller frees with free_list. */
static bool list_sql_files(const char *dir, bool (*wanted)(const char *), struct migration_list *out)
{
    out->names = NULL;
    out->count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!wanted(e->d_name))
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

/* The directory of repeatable function files: `functions` beside the migrations directory. */
static char *functions_dir(const char *migrations_dir)
{
    const char *slash = strrchr(migrations_dir, '/');
    buf b = {0};
    if (slash)
        buf_append(&b, migrations_dir, (size_t)(slash - migrations_dir + 1));
    buf_puts(&b, "functions");
    return b.data;
}

/*
 * Runs one file in its own transaction and records it with `record` ($1 the file's name, $2 its
 * text). Logs `done` with the name once committed.
 */
static bool apply_file(PGconn *c, const char *dir, const char *name, const char *record, const char *done)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *sql = read_file(path);
    if (!sql) {
        log_event("error", NULL, "cannot read SQL file", "file", path);
        return false;
    }
    const char *params[2] = {name, sql};
    const Oid types[2] = {25, 25}; /* text, text: typed, so that a statement may leave $2 unused */
    bool ok = exec_ok(c, "BEGIN", name) && exec_ok(c, sql, name);
    if (ok) {
        PGresult *res = PQexecParams(c, record, 2, types, params, NULL, NULL, 0);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
    }
    ok = ok && exec_ok(c, "COMMIT", name);
    if (!ok)
        exec_ok(c, "ROLLBACK", name);
    else
        log_event("info", NULL, done, "file", name);
    free(sql);
    return ok;
}

static const char SQL_RECORD_MIGRATION[] = "INSERT INTO schema_migrations (version) VALUES ($1)";

static const char SQL_RECORD_FUNCTIONS[] =
    "INSERT INTO schema_functions (file, checksum) VALUES ($1, md5($2))"
    " ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()";

/* True when the file's text is the one last applied. */
static bool functions_current(PGconn *c, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *sql = read_file(path);
    if (!sql)
        return false;
    const char *params[2] = {name, sql};
    PGresult *res = PQexecParams(c, "SELECT 1 FROM schema_functions WHERE file = $1 AND checksum = md5($2)", 2,
                                 NULL, params, NULL, NULL, 0);
    bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
    PQclear(res);
    free(sql);
    return yes;
}

/*
 * Stored derivations (the teams' documents) brought in line with the definitions just applied:
 * derived_data_sync() (sql/functions/95_derived.sql) rebuilds what is missing or was built by
 * another definition, in one transaction.
 */
static bool derived_data_synced(PGconn *c)
{
    PGresult *res = PQexec(c, "SELECT derived_data_sync()");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        log_event("error", NULL, "migration step failed", "derived data", PQresultErrorMessage(res));
    else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        log_event("info", NULL, "derived data rebuilt", "what", PQgetvalue(res, 0, 0));
    PQclear(res);
    return ok;
}

int db_migrate(const char *conninfo, const char *dir)
{
    struct migration_list list, functions = {0};
    char *fdir = functions_dir(dir);
    if (!list_sql_files(dir, is_migration_name, &list)) {
        log_event("error", NULL, "cannot open migrations directory", "dir", dir);
        free(fdir);
        return 1;
    }
    if (!list_sql_files(fdir, is_functions_name, &functions))
        log_event("info", NULL, "no functions directory", "dir", fdir);
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
                 "schema_migrations") ||
        !exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_functions (file text PRIMARY KEY, "
                    "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                 "schema_functions"))
        goto out;
    rc = 0;
    for (size_t i = 0; i < list.count && rc == 0; i++)
        if (!applied(c, list.names[i]) &&
            !apply_file(c, dir, list.names[i], SQL_RECORD_MIGRATION, "migration applied"))
            rc = 1;
    for (size_t i = 0; i < functions.count && rc == 0; i++)
        if (!functions_current(c, fdir, functions.names[i]) &&
            !apply_file(c, fdir, functions.names[i], SQL_RECORD_FUNCTIONS, "functions applied"))
            rc = 1;
    if (rc == 0 && !derived_data_synced(c))
        rc = 1;
out:
    PQfinish(c); /* ends the session, releasing the advisory lock */
    free_list(&list);
    free_list(&functions);
    free(fdir);
    return rc;
}

bool db_ready(const char *migrations_dir)
{
    struct migration_list list, functions = {0};
    char *fdir = functions_dir(migrations_dir);
    if (!list_sql_files(migrations_dir, is_migration_name, &list)) {
        free(fdir);
        return false;
    }
    list_sql_files(fdir, is_functions_name, &functions);
    PGresult *res = db_query_within("SELECT (SELECT count(*) FROM schema_migrations), (SELECT count(*) FROM schema_functions)",
                                    DB_READY_TIMEOUT_MS);
    bool ready = res && (size_t)atol(db_value(res, 0)) == list.count && (size_t)atol(db_value(res, 1)) >= functions.count;
    PQclear(res);
    free_list(&list);
    free_list(&functions);
    free(fdir);
    return ready;
}
