/*
 * tests/unit/test_xlsx.c — the Excel writer (http/xlsx.c): a text as a cell holds it (Excel's
 * character limit, "_xHHHH_" kept as written), a workbook made in files nobody can open by name
 * and nothing left behind, a sheet that is full at Excel's last row, a bad sheet name refused.
 * What the cells hold is read back from real exports by tests/api/xlsx.test.mjs.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "http/xlsx.h"
#include "util/utf8.h"

static char *cell(const char *text)
{
    buf b = {0};
    xlsx_cell_text(&b, text);
    return b.data ? b.data : calloc(1, 1);
}

static void check_cell_text(void)
{
    static const struct {
        const char *text, *cell;
    } cases[] = {
        {"Phú Cường", "Phú Cường"},
        {"=HYPERLINK(\"http://x\",\"y\")", "=HYPERLINK(\"http://x\",\"y\")"}, /* text, as it is */
        {"_x0041_", "_x005F_x0041_"},
        {"a_x00e9_b_X0041_", "a_x005F_x00e9_b_X0041_"},
        {"_x004_ _x00411_ _x0041", "_x004_ _x00411_ _x0041"}, /* not escapes */
        {"__x0041_", "__x005F_x0041_"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *c = cell(cases[i].text);
        CHECK_STR(c, cases[i].cell);
        free(c);
    }

    /* Excel's limit counts characters: up to it a text is whole; past it, cut with "…". */
    size_t n = XLSX_TEXT_MAX + 10;
    char *long_text = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(long_text + 2 * i, "\xC3\xA1", 2); /* á */
    long_text[2 * XLSX_TEXT_MAX] = '\0';
    char *c = cell(long_text);
    CHECK_STR(c, long_text);
    free(c);
    long_text[2 * XLSX_TEXT_MAX] = '\xC3';
    long_text[2 * n] = '\0';
    c = cell(long_text);
    CHECK(utf8_length(c) == XLSX_TEXT_MAX);
    CHECK(strncmp(c, long_text, 2 * (XLSX_TEXT_MAX - 1)) == 0);
    CHECK_STR(c + 2 * (XLSX_TEXT_MAX - 1), "…");
    free(c);
    /* An escape counts as the seven characters it is written with. */
    memset(long_text, 'a', XLSX_TEXT_MAX);
    memcpy(long_text, "_x0041_", 7);
    long_text[XLSX_TEXT_MAX] = '\0';
    c = cell(long_text);
    CHECK(utf8_length(c) == XLSX_TEXT_MAX);
    CHECK(strncmp(c, "_x005F_x0041_aaa", 16) == 0);
    CHECK_STR(c + strlen(c) - 4, "a…");
    free(c);
    free(long_text);
}

/* Entries of dir other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void check_workbook(const char *tmpdir)
{
    static const struct column columns[] = {
        {"Tên tổ", COLUMN_AUTO}, {"Ngày thành lập", COLUMN_DATE}, {"Ngày cập nhật", COLUMN_TIME},
        {"Tỷ lệ đúng hạn", COLUMN_PERCENT}, {"Đạt", COLUMN_AUTO}, {0},
    };
    xlsx_sheet *x = xlsx_open("Tổ CNSCĐ", columns);
    CHECK(x != NULL);
    cJSON *doc = cJSON_Parse("{\"Tên tổ\":\"=1+2\",\"Ngày thành lập\":\"2025-03-04\",\"Ngày cập nhật\":"
                             "\"2026-01-31T07:05:09\",\"Tỷ lệ đúng hạn\":0.545,\"Đạt\":true}");
    CHECK(xlsx_append_row(x, doc));
    cJSON_Delete(doc);
    CHECK(!xlsx_full(x));
    FILE *f = xlsx_finish(x);
    CHECK(f != NULL);
    char head[4] = {0};
    CHECK(f && fseek(f, 0, SEEK_SET) == 0 && fread(head, 1, 4, f) == 4 && memcmp(head, "PK\3\4", 4) == 0);
    CHECK(entries(tmpdir) == 0); /* the workbook's file is unlinked, libxlsxwriter's are gone */
    if (f)
        fclose(f);

    /* A bad sheet name is refused, and nothing is left behind. */
    CHECK(xlsx_open("Tổ [CNSCĐ]", columns) == NULL);
    CHECK(xlsx_open("Doanh nghiệp, cơ quan, tổ chức năm 2026", columns) == NULL);
    xlsx_free(NULL);
    CHECK(entries(tmpdir) == 0);
}

/* Excel's last row is the sheet's last: one more is refused, and the sheet still finishes. */
static void check_full(void)
{
    static const struct column one[] = {{"Số", COLUMN_AUTO}, {0}};
    xlsx_sheet *x = xlsx_open("Số", one);
    cJSON *doc = cJSON_Parse("{\"Số\":1}");
    bool all = true;
    for (long i = 0; i < XLSX_ROWS_MAX; i++)
        all = xlsx_append_row(x, doc) && all;
    CHECK(all && !xlsx_full(x));
    CHECK(!xlsx_append_row(x, doc));
    CHECK(xlsx_full(x));
    cJSON_Delete(doc);
    FILE *f = xlsx_finish(x);
    CHECK(f != NULL);
    if (f)
        fclose(f);
}

int main(void)
{
    char tmpdir[] = "/tmp/cdt-test-xlsx-XXXXXX";
    if (!mkdtemp(tmpdir))
        return 2;
    setenv("TMPDIR", tmpdir, 1);
    check_cell_text();
    check_workbook(tmpdir);
    check_full();
    CHECK(entries(tmpdir) == 0);
    rmdir(tmpdir);
    CHECK_SUMMARY();
}
