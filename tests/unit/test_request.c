/*
 * tests/unit/test_request.c — If-Match as RFC 9110 §13.1.1 reads it (http/request.c).
 */
#include "check.h"
#include "http/request.h"

int main(void)
{
    /* The resource is at version 3: its ETag is "3". */
    static const char *const matches[] = {
        "\"3\"", "*", " * ", "\"1\", \"3\"", "\"3\",\"1\"", "  \"3\"  ", "\"x\", , \"3\"", ",\"3\",",
        "W/\"3\", \"3\"", "\"\", \"3\"", "\"é\", \"3\"", /* obs-text in another tag */
    };
    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++)
        CHECK(if_match_evaluate(matches[i], 3) == IF_MATCH_MATCHES);

    static const char *const no_match[] = {
        "\"abc\"", "\"\"", "\"1\", \"2\"", "W/\"3\"", "\"03\"", "", " ", ",", "\"33\"",
        "\"-3\"",
    };
    for (size_t i = 0; i < sizeof no_match / sizeof no_match[0]; i++)
        CHECK(if_match_evaluate(no_match[i], 3) == IF_MATCH_NO_MATCH);

    static const char *const malformed[] = {
        "3", "\"3", "3\"", "\"3\" \"4\"", "*, \"3\"", "\"3\", *", "\"3\", x", "w/\"3\"", "W/3",
        "W/ \"3\"", "**", "\"3\"x", "\"a\tb\"", "\"3\";", "\"3\" ,, x", "\"3 \"",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        CHECK(if_match_evaluate(malformed[i], 3) == IF_MATCH_MALFORMED);

    /* Large versions compare as text, whole. */
    CHECK(if_match_evaluate("\"1234567890123\"", 1234567890123L) == IF_MATCH_MATCHES);
    CHECK(if_match_evaluate("\"123456789012\"", 1234567890123L) == IF_MATCH_NO_MATCH);
    CHECK_SUMMARY();
}
