/*
 * tests/unit/test_csv.c — RFC 4180 quoting, rows from JSON documents, and the guard against
 * spreadsheet formulas with its reading back on import (http/csv.c).
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

static char *text_cell(const char *text)
{
    buf b = {0};
    csv_append_text(&b, text);
    return b.data ? b.data : calloc(1, 1);
}

/* OWASP's rule on export, and csv_cell_text taking exactly the guard away again on import. */
static void check_formula_guard(void)
{
    static const struct {
        const char *value, *cell;
    } cases[] = {
        {"=1+2", "'=1+2"},
        {"+84 274 3822 111", "'+84 274 3822 111"},
        {"-2+3", "'-2+3"},
        {"@SUM(A1:A2)", "'@SUM(A1:A2)"},
        {"\t=1+2", "'\t=1+2"},
        {"\r=1+2", "\"'\r=1+2\""},
        {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
        {"'already", "''already"},
        {"'", "''"},
        {"x=1", "x=1"},
        {" =1", " =1"},
        {"", ""},
        {"Phú Cường", "Phú Cường"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *c = text_cell(cases[i].value);
        CHECK_STR(c, cases[i].cell);
        free(c);
    }
    /* Every value comes back from the cell the CSV reader hands the import (quotes undone). */
    static const char *const values[] = {"=1", "+84", "-", "@", "\t", "\r", "'", "''", "'x", "'=1", "x", ""};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char cell[16];
        snprintf(cell, sizeof cell, "%s%s", values[i][0] && strchr("=+-@\t\r'", values[i][0]) ? "'" : "",
                 values[i]);
        CHECK_STR(csv_cell_text(cell), values[i]);
    }
    /* A hand-typed quote before anything else is the person's text, kept. */
    CHECK_STR(csv_cell_text("'x"), "'x");
    CHECK_STR(csv_cell_text("'"), "'");
    CHECK_STR(csv_cell_text("'0274"), "'0274");
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
    b.len = 0;
    /* Text is guarded; a number is not a formula, even a negative one. */
    doc = cJSON_Parse("{\"id\":\"=1+2\",\"count\":-3,\"name\":\"-3\"}");
    csv_append_row(&b, doc, (const char *const[]){"id", "count", "name", NULL});
    CHECK_STR(b.data, "'=1+2,-3,'-3\r\n");
    cJSON_Delete(doc);
    buf_free(&b);
    check_formula_guard();
    CHECK_SUMMARY();
}
