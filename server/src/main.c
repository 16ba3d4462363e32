/*
 * main.c — start-up: configuration from the environment, migrations, the HTTP server, signals.
 *
 * Everything else lives in the cdt library that the tests link too; this file only wires it.
 * SIGTERM/SIGINT stop accepting, let in-flight requests finish (mg_stop joins the workers),
 * close the pool and exit 0.
 */
#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/password.h"
#include "db/db.h"
#include "http/response.h"
#include "http/router.h"
#include "util/log.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static long env_long(const char *name, long fallback, long min, long max)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return fallback;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max) {
        fprintf(stderr, "%s must be a number from %ld to %ld\n", name, min, max);
        exit(2);
    }
    return n;
}

static int print_routes(void)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++)
        printf("%s\t%s\t%s\n", ROUTES[i].method, ROUTES[i].pattern, access_name(ROUTES[i].access));
    return 0;
}

static int hash_password_from_stdin(void)
{
    char line[1024];
    if (!fgets(line, sizeof line, stdin))
        return 1;
    line[strcspn(line, "\r\n")] = '\0';
    char *hash = password_hash(line);
    if (!hash)
        return 1;
    puts(hash);
    free(hash);
    return 0;
}

static int log_civetweb(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    log_event("warn", NULL, "http", "detail", message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--routes") == 0)
        return print_routes();
    if (argc > 1 && strcmp(argv[1], "--hash-password") == 0)
        return hash_password_from_stdin();

    const char *database_url = getenv("DATABASE_URL");
    const char *migrations = env_or("MIGRATIONS_DIR", "sql/migrations");
    if (!database_url || !*database_url) {
        fprintf(stderr, "DATABASE_URL is not set: give a libpq connection string\n");
        return 2;
    }
    if (db_migrate(database_url, migrations) != 0)
        return 1;
    if (argc > 1 && strcmp(argv[1], "--migrate") == 0)
        return 0;

    const char *secret = getenv("JWT_SECRET");
    if (!secret || strlen(secret) < 32) {
        fprintf(stderr, "JWT_SECRET must be set to at least 32 bytes; refusing to start\n");
        return 2;
    }
    static struct server_config config;
    config.token.secret = (const unsigned char *)secret;
    config.token.secret_len = strlen(secret);
    config.token.issuer = env_or("JWT_ISSUER", "cdt");
    config.token.audience = env_or("JWT_AUDIENCE", "cdt-api");
    config.token.ttl_seconds = env_long("JWT_TTL_SECONDS", 3600, 60, 86400);
    config.token.leeway_seconds = 30;
    config.max_body_bytes = (size_t)env_long("MAX_BODY_BYTES", 1 << 20, 1024, 1L << 30);
    config.import_max_body_bytes =
        (size_t)env_long("IMPORT_MAX_BODY_BYTES", 128L << 20, 1024, 1L << 31);
    config.openapi_path = env_or("OPENAPI_PATH", "docs/openapi.yaml");
    config.migrations_dir = migrations;
    server_config = &config;

    db_pool_init(database_url, (int)env_long("DB_POOL_SIZE", 4, 1, 256));

    char security_headers[1024] = "";
    for (int i = 0; SECURITY_HEADERS[i][0]; i++) {
        size_t used = strlen(security_headers);
        snprintf(security_headers + used, sizeof security_headers - used, "%s%s: %s",
                 i ? "\r\n" : "", SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
    }
    const char *options[] = {
        "listening_ports", env_or("LISTEN", "8080"),
        "num_threads", env_or("HTTP_THREADS", "16"),
        "document_root", env_or("WEB_ROOT", "web"),
        "enable_directory_listing", "no",
        "tcp_nodelay", "1",
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", "15000",
        "request_timeout_ms", "30000",
        "additional_header", security_headers,
        NULL,
    };
    struct mg_callbacks callbacks = {0};
    callbacks.log_message = log_civetweb;

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    mg_init_library(0);
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (!ctx) {
        log_event("fatal", NULL, "cannot start the HTTP server", "listen", env_or("LISTEN", "8080"));
        db_pool_shutdown();
        return 1;
    }
    mg_set_request_handler(ctx, "/", router_dispatch, NULL);
    log_event("info", NULL, "listening", "listen", env_or("LISTEN", "8080"));

    while (!stopping)
        pause();

    log_event("info", NULL, "stopping: finishing in-flight requests", NULL, NULL);
    mg_stop(ctx);
    mg_exit_library();
    db_pool_shutdown();
    log_event("info", NULL, "stopped", NULL, NULL);
    return 0;
}
