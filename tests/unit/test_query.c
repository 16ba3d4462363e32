/*
 * tests/unit/test_query.c — list query parameters: counts, typed filters, ?sort= (http/query.c).
 */
#include <stdlib.h>

#include "check.h"
#include "http/query.h"

static const struct sort_key KEYS[] = {
    {"name", "f.name"},
    {"established_on", "f.established_on"},
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
