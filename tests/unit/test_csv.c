/*
 * tests/unit/test_csv.c — RFC 4180 quoting and rows from JSON documents (http/csv.c).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "check.h"
#include "http/csv.h"

static char *field(const char *text)
{
    buf b = {0};
    csv_append_field(&b, text);
    return b.data ? b.data : calloc(1, 1);
}

int main(void)
{
    char *f = field("Phú Cường");
    CHECK_STR(f, "Phú Cường");
    free(f);
    f = field("a,b");
    CHECK_STR(f, "\"a,b\"");
    free(f);
    f = field("say \"hi\"");
    CHECK_STR(f, "\"say \"\"hi\"\"\"");
    free(f);
    f = field("line1\nline2\r\n");
    CHECK_STR(f, "\"line1\nline2\r\n\"");
    free(f);

    static const char *const columns[] = {"id", "name", "count", "ok", "none", "leader.full_name",
                                          "leader.missing", "tags", NULL};
    buf b = {0};
    csv_append_header(&b, columns);
    CHECK_STR(b.data, "id,name,count,ok,none,leader.full_name,leader.missing,tags\r\n");
    b.len = 0;
    cJSON *doc = cJSON_Parse("{\"id\":\"x\",\"name\":\"Tổ 1, khu phố \\\"A\\\"\",\"count\":3,"
                             "\"ok\":true,\"none\":null,\"leader\":{\"full_name\":\"Lê Văn A\"},"
                             "\"tags\":[\"a\",\"b\"]}");
    csv_append_row(&b, doc, columns);
    CHECK_STR(b.data, "x,\"Tổ 1, khu phố \"\"A\"\"\",3,true,,Lê Văn A,,\"[\"\"a\"\",\"\"b\"\"]\"\r\n");
    cJSON_Delete(doc);
    b.len = 0;
    doc = cJSON_Parse("{\"id\":\"y\",\"leader\":null}");
    csv_append_row(&b, doc, columns);
    CHECK_STR(b.data, "y,,,,,,,\r\n");
    cJSON_Delete(doc);
    buf_free(&b);
    CHECK_SUMMARY();
}
