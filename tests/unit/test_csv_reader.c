/*
 * tests/unit/test_csv_reader.c — the import CSV reader (http/csv_reader.c).
 */
#include "check.h"
#include "http/csv_reader.h"

static const char *field(const buf *b, const size_t *offsets, size_t i)
{
    return b->data + offsets[i];
}

int main(void)
{
    buf b = {0};
    size_t off[8], n;
    csv_reader r;

    const char plain[] = "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,,\"line\nbreak\"\r\n";
    csv_reader_init(&r, plain, sizeof plain - 1);
    CHECK(r.separator == ',');
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_ROW && n == 3 && r.record == 1);
    CHECK_STR(field(&b, off, 0), "a");
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_ROW && n == 3);
    CHECK_STR(field(&b, off, 1), "x, y");
    CHECK_STR(field(&b, off, 2), "say \"hi\"");
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_ROW && n == 3 && r.record == 3);
    CHECK_STR(field(&b, off, 1), "");
    CHECK_STR(field(&b, off, 2), "line\nbreak");
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_END);

    /* Excel in a Vietnamese locale: BOM, ';' separated, CRLF, decimal commas inside fields. */
    const char excel[] = "\xEF\xBB\xBFm\xC3\xA3;t\xC3\xAAn\r\n25747;Ph\xC3\xBA C\xC6\xB0\xE1\xBB\x9Dng, TDM\r\n";
    csv_reader_init(&r, excel, sizeof excel - 1);
    CHECK(r.separator == ';');
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_ROW && n == 2);
    CHECK_STR(field(&b, off, 0), "mã");
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_ROW && n == 2);
    CHECK_STR(field(&b, off, 1), "Phú Cường, TDM");

    const char bad[] = "a,b\n\"open,2\n";
    csv_reader_init(&r, bad, sizeof bad - 1);
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_ROW);
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_BAD_QUOTE);
    const char junk[] = "\"a\"x,b\n";
    csv_reader_init(&r, junk, sizeof junk - 1);
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_BAD_QUOTE);

    /* More fields than room: counted, not stored. */
    const char wide[] = "1,2,3,4\n";
    csv_reader_init(&r, wide, sizeof wide - 1);
    CHECK(csv_read_record(&r, &b, off, 2, &n) == CSV_ROW && n == 4);
    CHECK_STR(field(&b, off, 1), "2");

    const char trailing[] = "x";
    csv_reader_init(&r, trailing, 1);
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_ROW && n == 1);
    CHECK_STR(field(&b, off, 0), "x");
    csv_reader_init(&r, "", 0);
    CHECK(csv_read_record(&r, &b, off, 8, &n) == CSV_END);
    buf_free(&b);
    CHECK_SUMMARY();
}
