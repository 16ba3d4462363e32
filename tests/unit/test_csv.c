/*
 * tests/unit/test_csv.c — RFC 4180 quoting, rows from JSON documents with each column's kind
 * (dates, moments, rates as Vietnam writes them), and the guard against spreadsheet formulas with
 * its reading back on import (http/csv.c, http/columns.c).
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

/* Dates, moments and rates as Vietnam writes them; a value that does not fit its kind as it is. */
static void check_kinds(void)
{
    static const struct column columns[] = {
        {"d", COLUMN_DATE}, {"t", COLUMN_TIME}, {"r", COLUMN_PERCENT}, {"n", COLUMN_AUTO}, {0},
    };
    static const struct {
        const char *doc, *row;
    } cases[] = {
        {"{\"d\":\"2025-03-04\",\"t\":\"2026-01-31T07:05:09\",\"r\":0.545,\"n\":1990}",
         "04/03/2025,31/01/2026 07:05,\"54,5%\",1990\r\n"},
        {"{\"d\":null,\"t\":\"2024-02-29 23:59\",\"r\":1,\"n\":0}", ",29/02/2024 23:59,100%,0\r\n"},
        {"{\"r\":0.0625}", ",,\"6,3%\",\r\n"}, /* half away from zero, as PostgreSQL's round() */
        {"{\"r\":0.3333}", ",,\"33,3%\",\r\n"},
        {"{\"r\":0}", ",,0%,\r\n"},
        {"{\"r\":0.0004}", ",,0%,\r\n"},
        {"{\"r\":0.0005}", ",,\"0,1%\",\r\n"},
        /* Not of their kind: written as they are (text guarded as any text). */
        {"{\"d\":\"2025-02-30\",\"t\":\"=1+2\",\"r\":\"n/a\"}", "2025-02-30,'=1+2,n/a,\r\n"},
        {"{\"d\":\"04/03/2025\",\"t\":\"2026-01-31T24:00\",\"r\":true}", "04/03/2025,2026-01-31T24:00,true,\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b = {0};
        cJSON *doc = cJSON_Parse(cases[i].doc);
        csv_append_row(&b, doc, columns);
        CHECK_STR(b.data, cases[i].row);
        cJSON_Delete(doc);
        buf_free(&b);
    }
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

    static const struct column columns[] = {
        {"id", COLUMN_AUTO},   {"name", COLUMN_AUTO},         {"count", COLUMN_AUTO},
        {"ok", COLUMN_AUTO},   {"none", COLUMN_AUTO},         {"leader.full_name", COLUMN_AUTO},
        {"leader.missing", COLUMN_AUTO}, {"tags", COLUMN_AUTO}, {0},
    };
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
    csv_append_row(&b, doc, (const struct column[]){{"id", COLUMN_AUTO}, {"count", COLUMN_AUTO}, {"name", COLUMN_AUTO}, {0}});
    CHECK_STR(b.data, "'=1+2,-3,'-3\r\n");
    cJSON_Delete(doc);
    buf_free(&b);
    check_kinds();
    check_formula_guard();
    CHECK_SUMMARY();
}
