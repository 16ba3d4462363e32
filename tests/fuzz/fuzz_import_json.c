/*
 * tests/fuzz/fuzz_import_json.c — the import's JSON reader against cJSON's parse of the whole body.
 *
 * Since issue 11 (item 8) an import reads a JSON array one element at a time (read_json in
 * api/import.c: json_value_end finds an element's extent, cJSON parses it alone) instead of
 * parsing the whole body, which took 30 to 40 times its size. The input is a body as the router
 * lets it through (UTF-8, no NUL, nested at most JSON_MAX_DEPTH deep), and the reader must answer
 * as the whole parse did: a body cJSON refuses is a 400; an array gives exactly its elements as
 * rows; any other JSON value is one error (422). Besides the sanitizers, that is the check.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "tables.h"

#define REQUIRE(cond)                                                                             \
    do {                                                                                          \
        if (!(cond))                                                                              \
            abort();                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Every element within a row's limit, so that only the JSON decides. */
    static struct server_config config = {.max_body_bytes = 1 << 30};
    server_config = &config;
    char *copy;
    cJSON *whole;
    if (size == 0 || !fuzz_router_body((const char *)data, size, &copy, &whole))
        return 0;
    long rows, errors;
    bool bad_request;
    bool ok = fuzz_import_read_json(copy, size, &rows, &errors, &bad_request);
    if (!whole) {
        REQUIRE(!ok && bad_request);
    } else if (cJSON_IsArray(whole)) {
        REQUIRE(ok && !bad_request && rows == cJSON_GetArraySize(whole));
    } else {
        REQUIRE(!ok && !bad_request && rows == 0 && errors == 1);
    }
    cJSON_Delete(whole);
    free(copy);
    return 0;
}
