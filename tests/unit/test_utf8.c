/*
 * tests/unit/test_utf8.c — util/utf8.c: validity, length, and the replacement used by the log.
 */
#include <stdlib.h>

#include "check.h"
#include "util/utf8.h"

static int replaced_is(const char *in, const char *want)
{
    char *out = utf8_replace_invalid(in);
    int same = out && strcmp(out, want) == 0;
    free(out);
    return same;
}

int main(void)
{
    CHECK(utf8_valid("Phú Cường", strlen("Phú Cường")));
    CHECK(!utf8_valid("\xC3\x28", 2));
    CHECK(!utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
    CHECK(!utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    CHECK(!utf8_valid("\xF4\x90\x80\x80", 4)); /* past U+10FFFF */
    CHECK(!utf8_valid("\xE1\xBB", 2));         /* truncated */
    CHECK(utf8_length("Đường") == 5);

    CHECK(utf8_replace_invalid("Phú Cường /api/v1") == NULL); /* valid: nothing to copy */
    CHECK(utf8_replace_invalid("") == NULL);
    CHECK(replaced_is("/teams/\xFF\xFE", "/teams/\xEF\xBF\xBD\xEF\xBF\xBD"));
    CHECK(replaced_is("a\xC0\xAF" "b", "a\xEF\xBF\xBD\xEF\xBF\xBD" "b"));
    CHECK(replaced_is("Ph\xC3\xBA\xE1\xBB", "Ph\xC3\xBA\xEF\xBF\xBD\xEF\xBF\xBD")); /* ú kept, cut ờ replaced */
    char *out = utf8_replace_invalid("\xED\xA0\x80" "x");
    CHECK(out && utf8_valid(out, strlen(out)));
    free(out);
    CHECK_SUMMARY();
}
