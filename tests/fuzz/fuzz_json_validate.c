/*
 * tests/fuzz/fuzz_json_validate.c — JSON request bodies against every field table in api/.
 *
 * The first line names the table (a name of tables.h, e.g. "teams" or "import/members", with
 * " update" after it for the update mode; an unknown name picks a table by its bytes) and the
 * rest is the body, taken the way http/router.c takes a JSON body: UTF-8 and NUL checks, the
 * nesting limit (json_depth_exceeded_at), cJSON's parse requiring the whole text, then
 * validate_object. Besides the sanitizers, it checks what the problem+json answer relies on:
 * validate_object reports as many errors as it counts, every field name and message is valid
 * UTF-8 text (they are echoed to the client), an object the validator passes has only declared,
 * writable fields whose strings fit their length limit and whose numbers and arrays are bounded,
 * and a non-object is always refused.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/validate.h"
#include "tables.h"
#include "util/utf8.h"

#define REQUIRE(cond)                                                                             \
    do {                                                                                          \
        if (!(cond))                                                                              \
            abort();                                                                              \
    } while (0)

static int reported;

static void sink(void *ctx, const char *field, const char *message)
{
    (void)ctx;
    REQUIRE(field && message && *message);
    REQUIRE(utf8_valid(field, strlen(field)) && utf8_valid(message, strlen(message)));
    reported++;
}

static const struct field *declared(const struct fuzz_fields *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t line = (size_t)(nl - data), name_len = line;
    validate_mode mode = VALIDATE_CREATE;
    if (line >= 7 && memcmp(nl - 7, " update", 7) == 0)
        mode = VALIDATE_UPDATE, name_len -= 7;
    size_t ntables;
    const struct fuzz_fields *tables = fuzz_all_fields(&ntables);
    const struct fuzz_fields *t = NULL;
    for (size_t i = 0; i < ntables && !t; i++)
        if (strlen(tables[i].name) == name_len && memcmp(tables[i].name, data, name_len) == 0)
            t = &tables[i];
    if (!t) {
        size_t sum = 0;
        for (size_t i = 0; i < line; i++)
            sum += data[i];
        t = &tables[sum % ntables];
    }
    const char *text = (const char *)nl + 1;
    size_t len = size - line - 1;

    char *copy;
    cJSON *body;
    if (!fuzz_router_body(text, len, &copy, &body))
        return 0;
    if (body) {
        reported = 0;
        int errors = validate_object(body, t->fields, t->nfields, mode, "", sink, NULL);
        REQUIRE(errors == reported);
        if (!cJSON_IsObject(body))
            REQUIRE(errors > 0);
        if (errors == 0) {
            const cJSON *member;
            cJSON_ArrayForEach(member, body)
            {
                const struct field *f = declared(t, member->string);
                REQUIRE(f && !(f->flags & FIELD_READONLY));
                REQUIRE(mode == VALIDATE_CREATE || !(f->flags & FIELD_IMMUTABLE));
                if (cJSON_IsString(member) && f->type == FIELD_STRING)
                    REQUIRE((long)utf8_length(member->valuestring) <= (f->max ? f->max : FIELD_TEXT_MAX));
                if (cJSON_IsNumber(member) && f->type == FIELD_INT)
                    REQUIRE(member->valuedouble >= (double)f->min);
                if (cJSON_IsArray(member))
                    REQUIRE(cJSON_GetArraySize(member) <= 64);
            }
        }
        cJSON_Delete(body);
    }
    free(copy);
    return 0;
}
