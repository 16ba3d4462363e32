/*
 * api/openapi.c — GET /api/v1/openapi.yaml: the contract, served from docs/openapi.yaml.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "http/router.h"

static void free_buf(void *p)
{
    buf_free(p);
}

int openapi_get(request *r)
{
    FILE *f = fopen(server_config->openapi_path, "rb");
    if (!f)
        return request_fail(r, PROBLEM_NOT_FOUND, "The API description is not installed");
    buf *text = arena_alloc(r->arena, sizeof *text);
    arena_defer(r->arena, free_buf, text);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(text, chunk, n);
    fclose(f);
    r->content_type = "application/yaml";
    r->response_body = text->data ? text->data : "";
    r->response_len = text->len;
    return 200;
}
