/*
 * tests/fuzz/tables/body.c — a JSON body as http/router.c takes it, for the fuzz targets (see
 * ../tables.h).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../tables.h"
#include "http/validate.h"
#include "util/utf8.h"

bool fuzz_router_body(const char *text, size_t len, char **copy, struct cJSON **parsed)
{
    /* What read_body refuses with 400 never reaches the parser; nor what nests too deep. */
    if (!utf8_valid(text, len) || memchr(text, '\0', len))
        return false;
    long deep = json_depth_exceeded_at(text, len, JSON_MAX_DEPTH);
    if (deep < -1 || deep >= (long)len)
        abort(); /* the check's promise: -1 or an offset inside the text */
    if (deep >= 0)
        return false;
    *copy = malloc(len + 1);
    memcpy(*copy, text, len);
    (*copy)[len] = '\0';
    const char *end = NULL;
    /* The NUL after the text is parsed too: trailing garbage is refused, as by the router. */
    *parsed = cJSON_ParseWithLengthOpts(*copy, len + 1, &end, 1);
    return true;
}
