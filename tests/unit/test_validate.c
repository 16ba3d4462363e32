/*
 * tests/unit/test_validate.c — the field-table validator and text predicates (http/validate.c).
 */
#include <cjson/cJSON.h>

#include "check.h"
#include "http/validate.h"

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

int main(void)
{
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

    CHECK(utf8_valid("Phú Cường", strlen("Phú Cường")));
    CHECK(!utf8_valid("\xC3\x28", 2));
    CHECK(!utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
    CHECK(!utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    CHECK(!utf8_valid("\xF4\x90\x80\x80", 4)); /* past U+10FFFF */
    CHECK(!utf8_valid("\xE1\xBB", 2));         /* truncated */
    CHECK(utf8_length("Đường") == 5);

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
