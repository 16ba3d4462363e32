/*
 * tests/unit/test_validate.c — the field-table validator and text predicates (http/validate.c).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "http/validate.h"
#include "util/utf8.h"

static const char *const KINDS[] = {"a", "b", NULL};
static const struct field FIELDS[] = {
    {"id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 5, NULL, NULL},
    {"kind", FIELD_ENUM, FIELD_REQUIRED, 0, 0, KINDS, NULL},
    {"code", FIELD_STRING, FIELD_IMMUTABLE, 0, 0, NULL, check_unit_code},
    {"year", FIELD_INT, 0, 1900, FIELD_MAX_THIS_YEAR, NULL, NULL},
    {"on", FIELD_DATE, 0, 0, 0, NULL, NULL},
    {"flag", FIELD_BOOL, 0, 0, 0, NULL, NULL},
    {"tags", FIELD_ENUM_LIST, 0, 0, 0, KINDS, NULL},
};

struct collected {
    char fields[16][64];
    int n;
};

static void collect(void *ctx, const char *field, const char *message)
{
    struct collected *c = ctx;
    (void)message;
    if (c->n < 16)
        snprintf(c->fields[c->n++], 64, "%s", field);
}

static bool named(const struct collected *c, const char *field)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->fields[i], field) == 0)
            return true;
    return false;
}

static int run(const char *json, validate_mode mode, struct collected *c)
{
    memset(c, 0, sizeof *c);
    cJSON *obj = cJSON_Parse(json);
    int n = validate_object(obj, FIELDS, sizeof FIELDS / sizeof FIELDS[0], mode, "", collect, c);
    cJSON_Delete(obj);
    return n;
}

static int invalid_names;

static void utf8_sink(void *ctx, const char *field, const char *message)
{
    (void)ctx;
    invalid_names += !utf8_valid(field, strlen(field)) || !utf8_valid(message, strlen(message));
}

/* Limits added for issue 6: nesting, default text length, enum list size, names cut whole. */
static void check_limits(void)
{
    CHECK(json_depth_exceeded_at("[[1]]", 5, 2) == -1);
    CHECK(json_depth_exceeded_at("[[[1]]]", 7, 2) == 2);
    CHECK(json_depth_exceeded_at("{\"a\":{\"b\":1}}", 15, 1) == 5);
    const char *in_string = "{\"a\":\"[[[\\\"[[{\"}";
    CHECK(json_depth_exceeded_at(in_string, strlen(in_string), 1) == -1);
    CHECK(json_depth_exceeded_at("]]][[[", 6, 2) == 5); /* closers first never lower the count */

    static const struct field TEXT[] = {{"note", FIELD_STRING, 0, 0, 0, NULL, NULL},
                                        {"tags", FIELD_ENUM_LIST, 0, 0, 0, KINDS, NULL}};
    struct collected c;
    char *json = malloc(FIELD_TEXT_MAX + 32);
    for (int extra = 0; extra <= 1; extra++) {
        int n = snprintf(json, 32, "{\"note\":\"");
        memset(json + n, 'a', FIELD_TEXT_MAX + extra);
        strcpy(json + n + FIELD_TEXT_MAX + extra, "\"}");
        memset(&c, 0, sizeof c);
        cJSON *obj = cJSON_Parse(json);
        CHECK(validate_object(obj, TEXT, 2, VALIDATE_CREATE, "", collect, &c) == extra);
        cJSON_Delete(obj);
    }
    free(json);
    cJSON *list = cJSON_Parse("{\"tags\":[\"a\",\"b\",\"a\"]}");
    memset(&c, 0, sizeof c);
    CHECK(validate_object(list, TEXT, 2, VALIDATE_CREATE, "", collect, &c) == 1 && named(&c, "tags"));
    cJSON_Delete(list);

    CHECK(check_phone("0912 345 678") == NULL);
    CHECK(check_phone("0912 345 678                              ") != NULL); /* over 32 characters */

    /* An unknown field named with 100 "ế" (300 bytes) is reported under a name cut whole. */
    char key[400] = "{\"";
    for (int i = 0; i < 100; i++)
        strcat(key, "ế");
    strcat(key, "\":1}");
    cJSON *long_key = cJSON_Parse(key);
    invalid_names = 0;
    CHECK(validate_object(long_key, TEXT, 2, VALIDATE_CREATE, "", utf8_sink, NULL) == 1);
    CHECK(invalid_names == 0);
    cJSON_Delete(long_key);
}

static int counted;

static void count_sink(void *ctx, const char *field, const char *message)
{
    (void)ctx, (void)field, (void)message;
    counted++;
}

/* {"k0":1,"k1":1,...} with n keys, or n times the same key when same is set. Caller frees. */
static char *many_keys(int n, bool same)
{
    char *json = malloc((size_t)n * 16 + 4), *p = json;
    *p++ = '{';
    for (int i = 0; i < n; i++)
        p += same ? sprintf(p, "%s\"k\":1", i ? "," : "") : sprintf(p, "%s\"k%d\":1", i ? "," : "", i);
    strcpy(p, "}");
    return json;
}

/* Issue 11, item 3: repeated names are found by sorting, in O(n log n), not by comparing every
 * pair (16 s of CPU for 100,000 keys, several minutes under the sanitizers). */
static void check_repeated_names(void)
{
    cJSON *obj = cJSON_Parse("{\"a\":1,\"b\":2,\"a\":3,\"c\":4,\"b\":5,\"a\":6}");
    bool repeated[6];
    CHECK(json_repeated_names(obj, repeated, 6) == 3);
    CHECK(!repeated[0] && !repeated[1] && repeated[2] && !repeated[3] && repeated[4] && repeated[5]);
    cJSON_Delete(obj);
    obj = cJSON_Parse("{}");
    CHECK(json_repeated_names(obj, repeated, 0) == 0);
    cJSON_Delete(obj);

    static const struct field TEXT[] = {{"k", FIELD_INT, 0, 0, 10, NULL, NULL}};
    for (int same = 0; same <= 1; same++) {
        char *json = many_keys(100000, same);
        obj = cJSON_Parse(json);
        free(json);
        counted = 0;
        clock_t started = clock();
        int errors = validate_object(obj, TEXT, 1, VALIDATE_CREATE, "", count_sink, NULL);
        double seconds = (double)(clock() - started) / CLOCKS_PER_SEC;
        /* Distinct names: every one unknown; the same declared name: 99,999 repeats. */
        CHECK(errors == counted && errors == (same ? 99999 : 100000));
        CHECK(seconds < 2.0);
        if (seconds >= 2.0)
            fprintf(stderr, "validate_object took %.1f s for 100,000 keys\n", seconds);
        cJSON_Delete(obj);
    }
}

/* Issue 11, item 8: the import reads a JSON array one element at a time. */
static void check_value_end(void)
{
    const char *t = "[{\"a\":\"}]\\\"{\",\"b\":[1,{}]}, 42 ,\"x,]\",true]";
    size_t len = strlen(t);
    /* The bracket, brace and escaped quote inside "}]\\\"{" do not count. */
    size_t obj = json_value_end(t, len, 1);
    CHECK(obj == (size_t)(strstr(t, "}, 42") - t) + 1);
    CHECK(json_value_end(t, len, obj + 2) == obj + 4);                   /* 42 ends at the space */
    size_t str = obj + 6;
    CHECK(t[str] == '"' && json_value_end(t, len, str) == str + 5);      /* "x,]" */
    CHECK(json_value_end(t, len, str + 6) == len - 1);                   /* true ends at ] */
    CHECK(json_value_end(t, len, 0) == len);                             /* the whole array */
    CHECK(json_value_end("[1,2", 4, 0) == 4);                            /* never closed */
    CHECK(json_value_end("\"ab", 3, 0) == 3);
    CHECK(json_value_end("", 0, 0) == 0);
}

int main(void)
{
    check_limits();
    check_repeated_names();
    check_value_end();
    struct collected c;
    CHECK(run("{\"name\":\"Tổ 1\",\"kind\":\"a\"}", VALIDATE_CREATE, &c) == 0);
    /* Every bad field is named at once. */
    CHECK(run("{\"name\":\"\",\"kind\":\"z\",\"year\":1800,\"on\":\"2023-02-30\",\"flag\":1,"
              "\"extra\":true,\"id\":\"x\"}",
              VALIDATE_CREATE, &c) == 7);
    CHECK(named(&c, "name") && named(&c, "kind") && named(&c, "year") && named(&c, "on"));
    CHECK(named(&c, "flag") && named(&c, "extra") && named(&c, "id"));
    CHECK(run("{}", VALIDATE_CREATE, &c) == 2 && named(&c, "name") && named(&c, "kind"));
    CHECK(run("{}", VALIDATE_UPDATE, &c) == 0);
    CHECK(run("{\"code\":\"718\"}", VALIDATE_UPDATE, &c) == 1 && named(&c, "code"));
    CHECK(run("{\"name\":null}", VALIDATE_UPDATE, &c) == 1);
    CHECK(run("{\"name\":\"Đường\"}", VALIDATE_UPDATE, &c) == 0); /* 5 characters, 9 bytes */
    CHECK(run("{\"name\":\"Đường1\"}", VALIDATE_UPDATE, &c) == 1);
    CHECK(run("{\"year\":2000.5}", VALIDATE_UPDATE, &c) == 1);
    CHECK(run("{\"year\":3000}", VALIDATE_UPDATE, &c) == 1);
    CHECK(run("{\"tags\":[\"a\",\"a\"]}", VALIDATE_UPDATE, &c) == 1);
    CHECK(run("{\"tags\":[\"a\",\"b\"]}", VALIDATE_UPDATE, &c) == 0);
    CHECK(run("{\"name\":\"a\",\"name\":\"b\"}", VALIDATE_UPDATE, &c) == 1);
    CHECK(run("[1]", VALIDATE_UPDATE, &c) == 1);

    CHECK(text_is_uuid("00000000-0000-4000-8000-100000000003"));
    CHECK(!text_is_uuid("00000000-0000-4000-8000-10000000000"));
    CHECK(!text_is_uuid("00000000x0000-4000-8000-100000000003"));
    CHECK(text_is_date("2024-02-29") && !text_is_date("2023-02-29") && !text_is_date("2024-13-01"));
    CHECK(!text_is_date("2024-1-01") && !text_is_date("2024-01-01x"));

    CHECK(!check_tax_code("3700123456") && !check_tax_code("3700123456-001"));
    CHECK(check_tax_code("370012345") && check_tax_code("3700123456-01") && check_tax_code("37001-3456"));
    CHECK(!check_unit_code("74") && !check_unit_code("718") && !check_unit_code("25747"));
    CHECK(check_unit_code("7") && check_unit_code("2574") && check_unit_code("7a"));
    CHECK(!check_phone("0912 345 678") && check_phone("12") && check_phone("09x2345678"));
    CHECK(!check_email("a@b.vn") && check_email("a@b") && check_email("@b.vn") && check_email("a b@c.vn"));
    CHECK_SUMMARY();
}
