/*
 * util/utf8.c — UTF-8 validity (see utf8.h).
 */
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of the valid sequence starting at p (1 to 4), or 0 when p starts none. */
static size_t sequence_length(const unsigned char *p, const unsigned char *end)
{
    unsigned c = *p;
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        n = 1, min = 0x80, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 2, min = 0x800, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 3, min = 0x10000, c &= 0x07;
    else
        return 0;
    if ((size_t)(end - p) <= n)
        return 0;
    for (size_t i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return n + 1;
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        size_t n = sequence_length(p, end);
        if (!n)
            return false;
        p += n;
    }
    return true;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

char *utf8_replace_invalid(const char *s)
{
    size_t len = strlen(s);
    if (utf8_valid(s, len))
        return NULL;
    static const char replacement[] = "\xEF\xBF\xBD";
    char *out = malloc(3 * len + 1), *o = out;
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        size_t n = sequence_length(p, end);
        if (n) {
            memcpy(o, p, n);
            o += n, p += n;
        } else {
            memcpy(o, replacement, 3);
            o += 3, p++;
        }
    }
    *o = '\0';
    return out;
}
