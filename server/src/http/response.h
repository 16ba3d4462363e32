/*
 * http/response.h — writing success bodies, problem+json bodies, and the routes outside /api.
 */
#ifndef CDT_HTTP_RESPONSE_H
#define CDT_HTTP_RESPONSE_H

#include "http/request.h"

struct mg_connection;

/* Each returns the status it sent. */
int response_send(request *r, int status);
int response_send_problem(request *r);
/* /healthz, /readyz, and 0 for anything else so that civetweb serves the web client's files. */
int response_outside_api(struct mg_connection *conn, const char *path, const char *request_id);

/* Starts a 200 response of unknown length (chunked); write with mg_send_chunk, end with an empty one. */
void response_stream_begin(request *r, const char *content_type, const char *filename);

/* The headers every response carries (also given to civetweb for static files). */
extern const char *const SECURITY_HEADERS[][2];

#endif
