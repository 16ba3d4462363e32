/*
 * util/utf8.h — UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing past
 * U+10FFFF.
 */
#ifndef CDT_UTIL_UTF8_H
#define CDT_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t len);
/* Code points in a NUL-terminated string that is valid UTF-8. */
size_t utf8_length(const char *s);
/*
 * A copy of s with every byte that does not belong to a valid sequence replaced by U+FFFD, for
 * text that came from outside and is written where invalid UTF-8 would break a reader (log
 * lines). NULL when s is already valid (nothing to copy); otherwise free() the result.
 */
char *utf8_replace_invalid(const char *s);

#endif
