/*
 * http/html.c — HTML text, numbers and dates (see html.h).
 */
#include "http/html.h"

#include <stdio.h>
#include <string.h>

void html_text(buf *out, const char *text)
{
    if (!text)
        return;
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_append(out, p, 1);
        }
    }
}

void html_number(buf *out, long long n)
{
    char digits[32];
    unsigned long long v = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    int len = snprintf(digits, sizeof digits, "%llu", v);
    if (n < 0)
        buf_puts(out, "-");
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf_puts(out, ".");
        buf_append(out, digits + i, 1);
    }
}

void html_percent(buf *out, long long part, long long whole)
{
    if (whole == 0) {
        buf_puts(out, "-");
        return;
    }
    /* Tenths of a percent, rounded half away from zero. */
    long long tenths = (part * 2000 / whole + (part >= 0 ? 1 : -1)) / 2;
    html_number(out, tenths / 10);
    if (tenths % 10)
        buf_printf(out, ",%lld", (tenths < 0 ? -tenths : tenths) % 10);
    buf_puts(out, "%");
}

void html_date(buf *out, const char *iso)
{
    if (!iso)
        return;
    if (strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-') {
        buf_printf(out, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
        return;
    }
    html_text(out, iso);
}
