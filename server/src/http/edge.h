/*
 * http/edge.h — the answers given outside the route table: civetweb's own errors, and the
 * methods the paths outside /api accept.
 *
 * civetweb answers some requests before the dispatcher runs (a request line it cannot parse, a
 * request head larger than max_request_size, an unsupported HTTP version, a body without a
 * length) and some after it (a static file that does not exist). Left alone it writes a
 * text/plain page carrying its own message, which can name a file path. edge_http_error, its
 * http_error callback (main.c), answers them as problem+json with the same headers as every other
 * answer, a fixed detail, and the message in the log only.
 *
 * Graceful stop: civetweb's mg_stop raises a flag after which it sends nothing more to any client,
 * so an answer made after it (to a write already committed, say) would never leave. Hence the
 * request handler main.c installs is edge_dispatch, which counts the requests in flight, and on
 * SIGTERM main.c calls edge_drain before mg_stop: from then on new requests are answered 503
 * (problem+json; /readyz too, so a load balancer takes the instance out) and edge_drain returns
 * once every request admitted before has been answered, or after the time given. mg_stop then
 * closes the listening sockets, and new connections are refused.
 *
 * Connections (issue 11, item 1): civetweb 1.15 gives each connection a worker thread of its own
 * from the moment a worker takes it off the accept queue until it closes, idle or not: while it
 * waits for a request head (at most request_timeout_ms from the first byte awaited, however slowly
 * the bytes come) and between the requests of a keep-alive connection (keep_alive_timeout_ms).
 * With every worker so held, a new connection waits in the queue unanswered. So main.c keeps the
 * waits short (REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS), starts more workers than connections
 * it serves (HTTP_THREADS above HTTP_MAX_CONNECTIONS), and edge_connection_opened (civetweb's
 * init_connection callback) counts the connections the workers hold: one that finds
 * HTTP_MAX_CONNECTIONS already held is marked, and its request is answered 503 with Retry-After
 * and Connection: close by one of the spare workers, instead of waiting for a worker that a
 * client sending nothing may hold. In front of the service, nginx holds idle and slow clients
 * without a thread each (deploy/nginx.conf).
 */
#ifndef CDT_HTTP_EDGE_H
#define CDT_HTTP_EDGE_H

#include <stdbool.h>

struct mg_connection;

/* civetweb's max_request_size (main.c): the request line and headers together, in bytes. */
enum { EDGE_MAX_REQUEST_HEAD = 16384 };
#define EDGE_MAX_REQUEST_HEAD_TEXT "16384" /* the same, as civetweb's option takes it */

/* civetweb's http_error callback: 0 when it answered, 1 to let civetweb write its own page. */
int edge_http_error(struct mg_connection *conn, int status, const char *message);

/*
 * A request outside /api: /healthz, /readyz and /metrics (response_outside_api), or a static file
 * of the web client, for which only GET and HEAD are allowed (405 with Allow otherwise, so that
 * civetweb's PUT, DELETE and WebDAV handlers never run). Returns the status sent, or 0 to let
 * civetweb serve the file.
 */
int edge_outside_api(struct mg_connection *conn, const char *method, const char *path,
                     const char *request_id);

/* The civetweb request handler for every path: router_dispatch, or 503 once edge_drain began. */
int edge_dispatch(struct mg_connection *conn, void *cbdata);

/* Refuses new requests and waits up to `seconds` for those in flight; false if some still run. */
bool edge_drain(int seconds);

/* Sets the number of connections served at once (HTTP_MAX_CONNECTIONS); before mg_start. */
void edge_limit_connections(int max);

/* civetweb's init_connection and connection_close callbacks: count the connections held. */
int edge_connection_opened(const struct mg_connection *conn, void **conn_data);
void edge_connection_closed(const struct mg_connection *conn);

/* The connections held now, and those answered 503 for the limit since start-up (/metrics). */
void edge_connection_counts(int *open, unsigned long *refused);

#endif
