/*
 * http/router.h — routes as data, and the one civetweb handler that dispatches them.
 *
 * The table (api/routes.c) is the single source for dispatch, for `cdt-server --routes`, for the
 * OpenAPI check and for the authorization matrix test.
 */
#ifndef CDT_HTTP_ROUTER_H
#define CDT_HTTP_ROUTER_H

#include <stddef.h>

#include "auth/token.h"
#include "http/client_address.h"
#include "http/request.h"

typedef enum {
    ACCESS_PUBLIC,   /* no token */
    ACCESS_USER,     /* any signed-in caller; writes refused to read-only accounts */
    ACCESS_PROVINCE, /* role province (and national, whose scope is every province) */
    ACCESS_ISSUER,   /* roles that issue deadlines: province and district (and national) */
} access_level;

enum {
    ROUTE_JSON_BODY = 1 << 0, /* requires a JSON body */
    ROUTE_NO_TX = 1 << 1,     /* a write that manages its own commits (sign-in audits failures;
                                 an import reads its file before it takes a connection) */
    ROUTE_RAW_BODY = 1 << 2,  /* a text/csv or application/json body kept as bytes (imports) */
    ROUTE_FORM_BODY = 1 << 3, /* with ROUTE_JSON_BODY: an application/x-www-form-urlencoded body
                                 is accepted too, turned into the same JSON object of strings */
    ROUTE_SMALL_BODY = 1 << 4, /* the body is at most ROUTE_SMALL_BODY_MAX bytes (413 above) */
    ROUTE_REPLICA = 1 << 5,    /* a read that may lag the primary by the replication delay: served
                                  from DATABASE_READ_URL when it is set (db/pool.c) */
};

/*
 * The body limit of ROUTE_SMALL_BODY routes, the public sign-in routes. Their bodies are a name
 * and a secret: the longest values LOGIN_FIELDS and TOKEN_FIELDS (api/auth.c) allow, 1,456
 * characters, come to under 6 KiB as plain UTF-8. Anybody may send them without a token, so they
 * get no more than they need: a body of 0.8 MB with 100,000 keys cost 16 s of CPU before the
 * duplicate check was made linear (issue 11, item 3).
 */
enum { ROUTE_SMALL_BODY_MAX = 8192 };

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/teams/{id}"; each {name} captures one path segment */
    handler_fn handler;
    access_level access;
    unsigned flags;
    /* What a generic handler serves (api/resource.h: a struct resource or struct list_spec);
     * NULL for a handler of its own. */
    const void *data;
};

extern const struct route ROUTES[];
extern const size_t ROUTE_COUNT;

struct server_config {
    struct token_config token;
    size_t max_body_bytes;
    size_t import_max_body_bytes; /* the limit for ROUTE_RAW_BODY routes */
    long import_lock_wait_ms;     /* how long an import waits for an overlapping one (api/import.c) */
    const char *openapi_path;
    const char *web_root;          /* the web client's files; the report's stylesheet is there */
    const char *pdf_renderer;      /* the program that turns the report's HTML into PDF (api/reports.c) */
    long pdf_timeout_ms;           /* how long it may take before it is killed */
    int pdf_max_concurrent;        /* how many run at once in this process; more answer 503 */
    const char *migrations_dir;
    const char *const *cors_origins; /* exact origins allowed to call from a browser */
    size_t cors_origin_count;
    const struct net_prefix *trusted_proxies; /* peers whose X-Forwarded-For names the client */
    size_t trusted_proxy_count;
    struct {
        int max_failures_per_account; /* consecutive failed sign-ins of one username or client_id */
        int max_failures_per_address; /* failed sign-ins from one client address, any account */
        int window_seconds;           /* counted from the first failure; refused until it closes */
    } signin;
};

/* Borrowed; set once at start-up before the server runs. */
extern const struct server_config *server_config;

/*
 * Matches method and path against the table. Returns the route, or NULL with *path_matched set
 * when the path exists under another method (405). Captured segments go to params.
 */
const struct route *router_match(const char *method, const char *path, const char **params,
                                 size_t max_params, arena *a, int *path_matched);
const char *access_name(access_level a);

/* The civetweb request handler for every path. */
int router_dispatch(struct mg_connection *conn, void *unused);

#endif
