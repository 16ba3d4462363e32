/*
 * tests/unit/test_query.c — list query parameters: counts, typed filters, ?sort= (http/query.c).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http/query.h"

static const struct sort_key KEYS[] = {
    {"name", "f.name", "text"},
    {"established_on", "f.established_on", "date"},
};

static char *order(const char *asked)
{
    buf b = {0};
    if (!query_order_by(asked, KEYS, 2, "f.id", &b)) {
        buf_free(&b);
        return NULL;
    }
    return b.data;
}

int main(void)
{
    long v = -1;
    CHECK(query_count("50", 1, 1000, &v) && v == 50);
    CHECK(!query_count("0", 1, 1000, &v) && !query_count("1001", 1, 1000, &v));
    CHECK(!query_count("", 0, 10, &v) && !query_count("5x", 0, 10, &v) && !query_count("-1", 0, 10, &v));
    CHECK(!query_count("99999999999999999999", 0, 10, &v));
    CHECK(!query_count(" 1", 0, 10, &v) && !query_count("+5", 0, 10, &v) && !query_count("-", -5, 10, &v));
    CHECK(query_count("-3", -5, 10, &v) && v == -3);

    char *o = order("name");
    CHECK_STR(o, "f.name ASC, f.id");
    free(o);
    o = order("-established_on,name");
    CHECK_STR(o, "f.established_on DESC, f.name ASC, f.id");
    free(o);
    /* Keyset (?after=): a row's place, and "comes after $7" in the same order. */
    buf place = {0}, after = {0};
    CHECK(query_keyset("-established_on,name", KEYS, 2, "f.id", "uuid", 7, &place, &after));
    CHECK_STR(place.data, "jsonb_build_array(f.established_on, f.name, f.id)");
    CHECK_STR(after.data,
              "(f.established_on IS NOT NULL AND (($7::jsonb->>0)::date IS NULL OR f.established_on < ($7::jsonb->>0)::date))"
              " OR (f.established_on IS NOT DISTINCT FROM ($7::jsonb->>0)::date AND"
              " ($7::jsonb->>1)::text IS NOT NULL AND (f.name > ($7::jsonb->>1)::text OR f.name IS NULL))"
              " OR (f.established_on IS NOT DISTINCT FROM ($7::jsonb->>0)::date AND"
              " f.name IS NOT DISTINCT FROM ($7::jsonb->>1)::text AND"
              " ($7::jsonb->>2)::uuid IS NOT NULL AND (f.id > ($7::jsonb->>2)::uuid OR f.id IS NULL))");
    buf_free(&place);
    buf_free(&after);
    CHECK(query_keyset("name", KEYS, 2, "f.id DESC", "bigint", 5, &place, &after));
    CHECK_STR(place.data, "jsonb_build_array(f.name, f.id)");
    CHECK(strstr(after.data, "f.id IS NOT NULL AND (($5::jsonb->>1)::bigint IS NULL OR f.id < ($5::jsonb->>1)::bigint)"));
    buf_free(&place);
    buf_free(&after);
    CHECK(!query_keyset("name;drop", KEYS, 2, "f.id", "uuid", 5, &place, &after));
    buf_free(&place);
    buf_free(&after);
    const char *types[4];
    CHECK(query_keyset_types("-established_on,name", KEYS, 2, "uuid", types, 4) == 3);
    CHECK_STR(types[0], "date");
    CHECK_STR(types[2], "uuid");
    CHECK(query_keyset_types("-established_on,name", KEYS, 2, "uuid", types, 2) == 0);
    CHECK(query_keyset_types("nope", KEYS, 2, "uuid", types, 4) == 0);

    buf raw = {0};
    CHECK(query_base64url_decode("eyJzIjoibmFtZSJ9", &raw)); /* {"s":"name"} */
    CHECK_STR(raw.data, "{\"s\":\"name\"}");
    buf_free(&raw);
    CHECK(query_base64url_decode("", &raw) && raw.data && raw.data[0] == '\0');
    buf_free(&raw);
    CHECK(query_base64url_decode("-_8", &raw) && raw.len == 2); /* 0xfb 0xff */
    buf_free(&raw);
    CHECK(!query_base64url_decode("eyJz+IjoibmFtZSJ9", &raw)); /* '+' is not base64url */
    buf_free(&raw);
    CHECK(!query_base64url_decode("eyJzI", &raw)); /* 6 bits left over */
    buf_free(&raw);
    CHECK(!query_base64url_decode("eR", &raw)); /* padding bits not zero */
    buf_free(&raw);

    /* At most QUERY_ORDER_KEYS_MAX keys. */
    buf many = {0};
    for (int k = 0; k < QUERY_ORDER_KEYS_MAX; k++)
        buf_puts(&many, k ? ",name" : "name");
    o = order(many.data);
    CHECK(o != NULL);
    free(o);
    buf_puts(&many, ",name");
    CHECK(order(many.data) == NULL);
    buf_free(&many);

    CHECK(order("name;drop") == NULL);
    CHECK(order("member_count") == NULL);
    CHECK(order("-") == NULL);
    CHECK(order("nam") == NULL);

    static const char *const kinds[] = {"hamlet", "commune", NULL};
    struct filter uuid = {"team", FIELD_UUID, NULL}, kind = {"kind", FIELD_ENUM, kinds};
    struct filter flag = {"compliant", FIELD_BOOL, NULL}, date = {"from", FIELD_DATE, NULL};
    struct filter text = {"q", FIELD_STRING, NULL};
    CHECK(!query_filter_problem(&uuid, "00000000-0000-4000-8000-300000000002"));
    CHECK(query_filter_problem(&uuid, "1; DROP TABLE teams"));
    CHECK(!query_filter_problem(&kind, "hamlet") && query_filter_problem(&kind, "village"));
    CHECK(!query_filter_problem(&flag, "false") && query_filter_problem(&flag, "yes"));
    CHECK(!query_filter_problem(&date, "2025-07-01") && query_filter_problem(&date, "01/07/2025"));
    CHECK(!query_filter_problem(&text, "phú cường"));
    CHECK(query_filter_problem(&text, "\xff\xfe"));
    char longer[QUERY_VALUE_MAX + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    CHECK(query_filter_problem(&text, longer));

    /* Values that decode to NUL, and the name of the first one's parameter. */
    size_t at = 99, len = 99;
    CHECK(query_nul_value("q=%00", &at, &len) && at == 0 && len == 1);
    CHECK(query_nul_value("limit=5&unit=abc%00def&q=%00", &at, &len) && at == 8 && len == 4);
    CHECK(query_nul_value("a=%%00", &at, &len) && at == 0 && len == 1);
    CHECK(query_nul_value("x=1&&y=%00&", &at, &len) && at == 5 && len == 1);
    CHECK(query_nul_value("=%00", &at, &len) && at == 0 && len == 0);
    CHECK(!query_nul_value("q=%2500", &at, &len));     /* a literal "%00" */
    CHECK(!query_nul_value("q%00=1&r=%0", &at, &len)); /* a name is not a value; a cut escape */
    CHECK(!query_nul_value("q=%01%0A%FF", &at, &len));
    CHECK(!query_nul_value("", &at, &len) && !query_nul_value("q", &at, &len) && !query_nul_value("&&", &at, &len));
    CHECK_SUMMARY();
}
