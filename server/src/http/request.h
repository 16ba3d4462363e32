/*
 * http/request.h — the request context every handler receives, and the helpers that fail it.
 *
 * One handler signature: int handler(request *r). A handler returns the HTTP status of its
 * success response, or API_FAILED after one of the *_fail / *_or_fail helpers has recorded the
 * problem; the dispatcher then writes the problem+json body. Handlers never write errors.
 */
#ifndef CDT_HTTP_REQUEST_H
#define CDT_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/token.h"
#include "http/problem.h"
#include "util/mem.h"

struct mg_connection;
struct cJSON;
typedef struct pg_conn PGconn;

enum { API_FAILED = -1, MAX_PATH_PARAMS = 4 };

typedef struct request {
    struct mg_connection *conn;
    arena *arena;
    const char *method;
    const char *path;
    const char *query;           /* raw query string or NULL */
    char request_id[72];
    const struct claims *claims; /* verified token; NULL on public routes */
    PGconn *db;                  /* borrowed from the pool for this request; NULL until needed */
    unsigned char db_pool;       /* the pool db is borrowed from (DB_PRIMARY, DB_READ: db/db.h) */
    bool replica_ok;             /* the route reads from the replica when there is one (ROUTE_REPLICA) */
    bool in_transaction;
    bool begin_pending;          /* BEGIN not sent yet: it goes with the first statement (db/db.c) */
    bool commit_with_reply;      /* the write's reply is its last statement: COMMIT goes with it */
    const void *route_data;      /* the route's data (struct route), for generic handlers */

    const char *params[MAX_PATH_PARAMS]; /* path parameters, in pattern order */
    struct cJSON *body;                  /* parsed JSON body (owned by the arena) or NULL */
    const char *raw_body;                /* ROUTE_RAW_BODY: the bytes, NUL-terminated (arena) */
    size_t raw_len;
    bool raw_is_csv;                     /* text/csv, else application/json */

    /* The If-Match field as sent (several lines joined by ", "), or NULL when absent (arena). */
    const char *if_match;

    /* The success response, set by handlers through respond_*. */
    const char *content_type;
    const char *response_body;
    size_t response_len;
    const char *location;
    long etag_version; /* 0: no ETag */
    bool streamed;     /* the handler wrote the whole response itself (CSV exports) */

    /* The failure, set by the *_fail helpers. */
    problem_kind problem;
    const char *problem_detail;
    struct cJSON *problem_errors; /* array of {[row,] field, message, code} (problem_add_field_error) */
    const char *extra_header;     /* e.g. "WWW-Authenticate: Bearer"; several lines joined by \r\n */
    const char *content_security_policy; /* NULL: the server's (SECURITY_HEADERS); the report's own */

    /* Set by the dispatcher when the request's Origin is allowed (CORS_ALLOWED_ORIGINS). */
    const char *cors_origin;
    /* Run by the dispatcher after the request's transaction commits (see request_after_commit). */
    void (*after_commit)(void *arg);
    void *after_commit_arg;
} request;

typedef int (*handler_fn)(request *r);

/* Records a failure; returns API_FAILED. detail may be NULL. */
int request_fail(request *r, problem_kind kind, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds {field, message, code} to the problem's errors array (does not set the kind). */
void request_field_error(request *r, const char *field, const char *message);
/* Records a 422 if any field errors were added; returns true when there were none. */
bool request_fields_ok_or_fail(request *r);

/*
 * Asks the dispatcher to call fn(arg) once the request's writes are committed, and never if
 * they roll back: for in-process caches of committed rows (auth/principals.h). One per request;
 * arg must live as long as the request (arena).
 */
void request_after_commit(request *r, void (*fn)(void *arg), void *arg);

/* Sets a JSON success body; text is borrowed and must outlive the request (arena or PGresult). */
int respond_json(request *r, int status, const char *text, long version);
int respond_empty(request *r, int status);

/* Query-string access. Returns NULL when absent; the value is decoded and owned by the arena. */
const char *query_get(request *r, const char *name);

/* The client's address as limits count it (http/client_address.h); owned by the arena. */
const char *request_client_address(request *r);

typedef enum { IF_MATCH_MATCHES, IF_MATCH_NO_MATCH, IF_MATCH_MALFORMED } if_match_result;

/*
 * Evaluates an If-Match field value against a resource whose ETag is "<current_version>"
 * (RFC 9110 §13.1.1): "*" matches; otherwise it must be a comma-separated list of entity-tags
 * (empty elements allowed), and matches when one of them is strongly equal to the ETag, so a
 * weak W/"3" never does. Pure; cannot fail.
 */
if_match_result if_match_evaluate(const char *field, long current_version);

/* True when the request has no If-Match or it matches the current version; else records 412. */
bool if_match_or_fail(request *r, long current_version);

#endif
