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

#endif
