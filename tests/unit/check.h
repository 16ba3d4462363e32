/*
 * tests/unit/check.h — a minimal assertion harness for the C unit tests (run by ctest).
 * Each test file ends with CHECK_SUMMARY(), which prints "N passed, N failed" and sets the exit code.
 */
#ifndef CDT_TESTS_CHECK_H
#define CDT_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (cond) {                                                                               \
            check_passed++;                                                                       \
        } else {                                                                                  \
            check_failed++;                                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);              \
        }                                                                                         \
    } while (0)

#define CHECK_STR(a, b) CHECK((a) && (b) && strcmp((a), (b)) == 0)

#define CHECK_SUMMARY()                                                                           \
    do {                                                                                          \
        printf("%d passed, %d failed\n", check_passed, check_failed);                             \
        return check_failed ? 1 : 0;                                                              \
    } while (0)

#endif
