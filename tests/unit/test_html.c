/*
 * tests/unit/test_html.c — HTML escaping and the Vietnamese number, rate and date forms of the
 * periodic report (http/html.c), and running a filter program with limits (util/subprocess.c).
 */
#include <stdlib.h>

#include "check.h"
#include "http/html.h"
#include "util/subprocess.h"

#define WITH(expr)                                                                                \
    do {                                                                                          \
        b.len = 0;                                                                                \
        if (b.data)                                                                               \
            b.data[0] = '\0';                                                                     \
        expr;                                                                                     \
    } while (0)

int main(void)
{
    buf b = {0};
    WITH(html_text(&b, "<b>Tổ \"1\" & 'A'</b>"));
    CHECK_STR(b.data, "&lt;b&gt;Tổ &quot;1&quot; &amp; &#39;A&#39;&lt;/b&gt;");
    WITH(html_number(&b, 12548));
    CHECK_STR(b.data, "12.548");
    WITH(html_number(&b, 1234567));
    CHECK_STR(b.data, "1.234.567");
    WITH(html_number(&b, 999));
    CHECK_STR(b.data, "999");
    WITH(html_number(&b, 0));
    CHECK_STR(b.data, "0");
    WITH(html_number(&b, -1000));
    CHECK_STR(b.data, "-1.000");
    WITH(html_percent(&b, 6, 11));
    CHECK_STR(b.data, "54,5%");
    WITH(html_percent(&b, 4, 4));
    CHECK_STR(b.data, "100%");
    WITH(html_percent(&b, 1, 3));
    CHECK_STR(b.data, "33,3%");
    WITH(html_percent(&b, 2, 3));
    CHECK_STR(b.data, "66,7%");
    WITH(html_percent(&b, 0, 0));
    CHECK_STR(b.data, "-");
    WITH(html_date(&b, "2026-03-05"));
    CHECK_STR(b.data, "05/03/2026");
    WITH(html_date(&b, "2026-03-05T10:00:00+07:00"));
    CHECK_STR(b.data, "05/03/2026");

    /* A filter: its output comes back; a non-zero exit, a time-out and too much output do not. */
    buf out = {0};
    const char *const env[] = {"PATH=/usr/bin:/bin", NULL};
    CHECK(subprocess_filter((const char *const[]){"cat", NULL}, env, "xin chào", 9, &out, 5000, 100) ==
          SUBPROCESS_OK);
    CHECK(out.len == 9 && memcmp(out.data, "xin chào", 9) == 0);
    buf_free(&out);
    /* Input larger than a pipe holds, while the child writes as much back. */
    size_t big = 1 << 20;
    char *input = malloc(big);
    memset(input, 'x', big);
    CHECK(subprocess_filter((const char *const[]){"cat", NULL}, env, input, big, &out, 10000, big) ==
          SUBPROCESS_OK);
    CHECK(out.len == big);
    buf_free(&out);
    CHECK(subprocess_filter((const char *const[]){"cat", NULL}, env, input, big, &out, 10000, 1000) ==
          SUBPROCESS_TOO_LARGE);
    buf_free(&out);
    free(input);
    CHECK(subprocess_filter((const char *const[]){"false", NULL}, env, "", 0, &out, 5000, 100) ==
          SUBPROCESS_FAILED);
    buf_free(&out);
    CHECK(subprocess_filter((const char *const[]){"sleep", "10", NULL}, env, "", 0, &out, 300, 100) ==
          SUBPROCESS_TIMEOUT);
    buf_free(&out);
    CHECK(subprocess_filter((const char *const[]){"/nonexistent/renderer", NULL}, env, "x", 1, &out, 1000,
                            100) == SUBPROCESS_FAILED);
    buf_free(&out);
    buf_free(&b);
    CHECK_SUMMARY();
}
