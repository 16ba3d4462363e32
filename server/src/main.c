/*
 * main.c — start-up: configuration from the environment, migrations, the HTTP server, signals.
 *
 * Everything else lives in the cdt library that the tests link too; this file only wires it.
 * SIGTERM/SIGINT: new requests are answered 503 while those in flight finish and are answered
 * (edge_drain, http/edge.h), then mg_stop closes the listening sockets and joins the workers,
 * close the pool and exit 0.
 */
#include <civetweb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/password.h"
#include "auth/principals.h"
#include "db/db.h"
#include "http/edge.h"
#include "http/response.h"
#include "http/router.h"
#include "util/log.h"
#include "util/mem.h"

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

/* Reads the identity provider's settings (all off unless IDP_PUBLIC_KEY_FILE is set); false after
 * printing why the configuration is unsafe or unusable. */
static bool load_idp(struct token_config *token)
{
    static struct idp_config idp;
    const char *file = getenv("IDP_PUBLIC_KEY_FILE");
    if (!file || !*file) {
        static const char *const idp_only[] = {"IDP_ALGORITHM", "IDP_ISSUER", "IDP_AUDIENCE", NULL};
        for (int i = 0; idp_only[i]; i++)
            if (getenv(idp_only[i]) && *getenv(idp_only[i])) {
                fprintf(stderr, "%s is set but IDP_PUBLIC_KEY_FILE is not; refusing to start\n", idp_only[i]);
                return false;
            }
        token->idp = NULL;
        return true;
    }
    idp.algorithm = env_or("IDP_ALGORITHM", "RS256");
    if (!idp_algorithm_supported(idp.algorithm)) {
        fprintf(stderr, "IDP_ALGORITHM must be RS256 or ES256, not \"%s\"; refusing to start\n", idp.algorithm);
        return false;
    }
    FILE *f = fopen(file, "rb");
    buf pem = {0};
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0 && pem.len < (1 << 20))
        buf_append(&pem, chunk, n);
    bool unreadable = !f || ferror(f);
    if (f)
        fclose(f);
    if (unreadable || !pem.data || !strstr(pem.data, "-----BEGIN PUBLIC KEY-----")) {
        fprintf(stderr, "IDP_PUBLIC_KEY_FILE %s %s; refusing to start\n", file,
                unreadable ? "cannot be read" : "holds no PEM public key (-----BEGIN PUBLIC KEY-----)");
        buf_free(&pem);
        return false;
    }
    idp.public_key = (const unsigned char *)pem.data; /* kept for the process's life */
    idp.public_key_len = pem.len;
    idp.issuer = env_or("IDP_ISSUER", NULL);
    idp.audience = env_or("IDP_AUDIENCE", NULL);
    if (!idp.issuer || !idp.audience) {
        fprintf(stderr, "IDP_ISSUER and IDP_AUDIENCE must be set with IDP_PUBLIC_KEY_FILE; refusing to start\n");
        return false;
    }
    idp.claims.sub = env_or("IDP_CLAIM_SUB", "sub");
    idp.claims.role = env_or("IDP_CLAIM_ROLE", "role");
    idp.claims.unit = env_or("IDP_CLAIM_UNIT", "unit");
    idp.claims.enterprise = env_or("IDP_CLAIM_ENTERPRISE", "enterprise");
    idp.claims.read_only = env_or("IDP_CLAIM_READ_ONLY", "read_only");
    token->idp = &idp;
    log_event("info", NULL, "accepting identity-provider tokens", "issuer", idp.issuer);
    return true;
}

/* A comma-separated setting as trimmed, non-empty items (allocated for the life of the process). */
static char **split_setting(const char *list, size_t *count)
{
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    char **items = xcalloc(cap, sizeof *items);
    *count = 0;
    for (const char *p = list; *p;) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len > 0) {
            items[*count] = xcalloc(len + 1, 1);
            memcpy(items[(*count)++], p, len);
        }
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    return items;
}

static void free_setting(char **items, size_t count)
{
    while (count > 0)
        free(items[--count]);
    free(items);
}

/* "https://a.example, http://localhost:3000" -> exact origins; false after printing a bad one. */
static bool load_cors(struct server_config *config)
{
    size_t count;
    char **origins = split_setting(env_or("CORS_ALLOWED_ORIGINS", ""), &count);
    for (size_t i = 0; i < count; i++) {
        const char *origin = origins[i];
        const char *host = strncmp(origin, "https://", 8) == 0  ? origin + 8
                           : strncmp(origin, "http://", 7) == 0 ? origin + 7
                                                                : NULL;
        if (!host || !*host || strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-:[]") != strlen(host)) {
            fprintf(stderr,
                    "CORS_ALLOWED_ORIGINS: \"%s\" is not an origin such as https://portal.example.gov.vn "
                    "(lower-case scheme and host, optional :port, no path or trailing slash); refusing to start\n",
                    origin);
            free_setting(origins, count);
            return false;
        }
    }
    config->cors_origins = (const char *const *)origins;
    config->cors_origin_count = count;
    return true;
}

/* "127.0.0.1, 172.28.0.0/16" -> the proxies whose X-Forwarded-For is believed; false after printing a bad one. */
static bool load_trusted_proxies(struct server_config *config)
{
    size_t count;
    char **items = split_setting(env_or("TRUSTED_PROXIES", ""), &count);
    struct net_prefix *proxies = xcalloc(count ? count : 1, sizeof *proxies);
    for (size_t i = 0; i < count; i++) {
        if (!net_prefix_parse(items[i], &proxies[i])) {
            fprintf(stderr,
                    "TRUSTED_PROXIES: \"%s\" is not an address or a network such as 10.0.0.0/8; refusing to start\n",
                    items[i]);
            free_setting(items, count);
            free(proxies);
            return false;
        }
    }
    free_setting(items, count);
    config->trusted_proxies = proxies;
    config->trusted_proxy_count = count;
    return true;
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
    if (argc > 1 && strcmp(argv[1], "--rehome") == 0)
        return rehome_command(database_url, argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "--create-admin") == 0)
        return users_create_admin_command(database_url, argc - 2, argv + 2);

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
    config.import_lock_wait_ms = env_long("IMPORT_LOCK_WAIT_MS", 15000, 0, 600000);
    config.openapi_path = env_or("OPENAPI_PATH", "docs/openapi.yaml");
    config.web_root = env_or("WEB_ROOT", "web");
    config.pdf_renderer = env_or("PDF_RENDERER", "weasyprint");
    config.pdf_timeout_ms = env_long("PDF_TIMEOUT_MS", 30000, 1000, 600000);
    config.pdf_max_concurrent = (int)env_long("PDF_MAX_CONCURRENT", 2, 1, 64);
    config.migrations_dir = migrations;
    if (!load_idp(&config.token) || !load_cors(&config) || !load_trusted_proxies(&config))
        return 2;
    config.signin.max_failures_per_account = (int)env_long("SIGNIN_MAX_FAILURES_PER_ACCOUNT", 5, 1, 1000);
    config.signin.max_failures_per_address = (int)env_long("SIGNIN_MAX_FAILURES_PER_ADDRESS", 30, 1, 100000);
    config.signin.window_seconds = (int)env_long("SIGNIN_WINDOW_SECONDS", 900, 1, 86400);
    principals_init(env_long("PRINCIPAL_CACHE_SECONDS", PRINCIPAL_CACHE_MAX_SECONDS, 0,
                             PRINCIPAL_CACHE_MAX_SECONDS));
    server_config = &config;

    /* Issue 11, item 2: no statement holds a pooled connection longer than STATEMENT_TIMEOUT_MS;
     * imports and CSV exports, which handle whole files, get BULK_STATEMENT_TIMEOUT_MS. */
    int pool_size = (int)env_long("DB_POOL_SIZE", 4, 1, 256);
    long statement_timeout_ms = env_long("STATEMENT_TIMEOUT_MS", 30000, 100, 3600000);
    db_pool_init(database_url, pool_size, statement_timeout_ms, env_long("BULK_STATEMENT_TIMEOUT_MS", 300000, 100, 3600000));
    /* Issue 15: the figures (ROUTE_REPLICA) from a streaming replica, when there is one. */
    const char *read_url = env_or("DATABASE_READ_URL", NULL);
    if (read_url) {
        db_read_pool_init(read_url, (int)env_long("DB_READ_POOL_SIZE", pool_size, 1, 256));
        log_event("info", NULL, "reading the figures from a replica (DATABASE_READ_URL)", NULL, NULL);
    }
    db_sequencer_start(database_url, statement_timeout_ms); /* the change feed's numbers (issue 14) */
    long roll_seconds = env_long("DEADLINE_ROLL_SECONDS", 60, 0, 86400);

    /*
     * Connections (issue 11, item 1; http/edge.h). Each connection holds a worker thread for its
     * whole life, so: a request head must arrive within REQUEST_TIMEOUT_MS of the first byte
     * awaited, however slowly it trickles in (civetweb counts from the start, not from the last
     * byte), and a body read or an answer's write that makes no progress for as long ends the
     * connection too (this is what frees a worker from a client that stops reading a CSV export);
     * a keep-alive connection may sit idle KEEP_ALIVE_TIMEOUT_MS between requests. Workers
     * (~30 KiB each, docs/performance.md §6.5) are cheap beside a stuck service: there are more of
     * them than connections served, and the spare ones answer 503 to connections over the limit.
     */
    long threads = env_long("HTTP_THREADS", 512, 2, 16384);
    long spare = threads / 8 > 0 ? threads / 8 : 1;
    long max_connections = env_long("HTTP_MAX_CONNECTIONS", threads - spare, 1, threads - 1);
    char threads_text[24], request_timeout[24], keep_alive_timeout[24];
    snprintf(threads_text, sizeof threads_text, "%ld", threads);
    snprintf(request_timeout, sizeof request_timeout, "%ld", env_long("REQUEST_TIMEOUT_MS", 10000, 1000, 600000));
    snprintf(keep_alive_timeout, sizeof keep_alive_timeout, "%ld",
             env_long("KEEP_ALIVE_TIMEOUT_MS", 5000, 500, 600000));
    edge_limit_connections((int)max_connections);

    char security_headers[1024] = "";
    for (int i = 0; SECURITY_HEADERS[i][0]; i++) {
        size_t used = strlen(security_headers);
        snprintf(security_headers + used, sizeof security_headers - used, "%s%s: %s",
                 i ? "\r\n" : "", SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
    }
    const char *options[] = {
        "listening_ports", env_or("LISTEN", "8080"),
        "num_threads", threads_text,
        "document_root", env_or("WEB_ROOT", "web"),
        "enable_directory_listing", "no",
        "static_file_max_age", "0", /* browsers revalidate (ETag), so an upgrade never mixes old modules with new */
        "tcp_nodelay", "1",
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", keep_alive_timeout,
        "request_timeout_ms", request_timeout,
        /* The request line and headers; a longer head answers 431 (http/edge.h). */
        "max_request_size", EDGE_MAX_REQUEST_HEAD_TEXT,
        "additional_header", security_headers,
        /* civetweb would answer every CORS preflight with "*" itself; the dispatcher decides. */
        "access_control_allow_origin", "",
        NULL,
    };
    struct mg_callbacks callbacks = {0};
    callbacks.log_message = log_civetweb;
    callbacks.http_error = edge_http_error; /* civetweb's own error pages as problem+json */
    callbacks.init_connection = edge_connection_opened;
    callbacks.connection_close = edge_connection_closed;

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* Blocked everywhere but in sigsuspend below (civetweb's threads inherit the mask), so the
     * signal cannot slip in between the test of `stopping` and the wait. */
    sigset_t stop_signals, waiting;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &waiting);

    /* Recurring deadlines roll forward here and in writes, never in a read (api/deadlines.c).
     * Started with the stop signals blocked, as civetweb's threads are. */
    deadlines_roller_start(roll_seconds);
    mg_init_library(0);
    struct mg_context *ctx = mg_start(&callbacks, NULL, options);
    if (!ctx) {
        log_event("fatal", NULL, "cannot start the HTTP server", "listen", env_or("LISTEN", "8080"));
        deadlines_roller_stop();
        db_sequencer_stop();
        db_pool_shutdown();
        return 1;
    }
    mg_set_request_handler(ctx, "/", edge_dispatch, NULL);
    log_event("info", NULL, "listening", "listen", env_or("LISTEN", "8080"));

    while (!stopping)
        sigsuspend(&waiting);

    log_event("info", NULL, "stopping: finishing in-flight requests", NULL, NULL);
    if (!edge_drain(25))
        log_event("warn", NULL, "stopping with requests still in flight after 25 s", NULL, NULL);
    mg_stop(ctx);
    mg_exit_library();
    deadlines_roller_stop();
    db_sequencer_stop();
    db_pool_shutdown();
    log_event("info", NULL, "stopped", NULL, NULL);
    return 0;
}
