/*
 * http/client_address.c — the client address behind trusted proxies (see client_address.h).
 */
#include "http/client_address.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses an address of either family; len is its byte length (4 or 16), 0 when not one. */
static int parse_address(const char *text, size_t n, unsigned char bytes[16], int *family)
{
    char buf[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, bytes) == 1) {
        *family = AF_INET;
        return 4;
    }
    if (inet_pton(AF_INET6, buf, bytes) == 1) {
        *family = AF_INET6;
        return 16;
    }
    return 0;
}

bool net_prefix_parse(const char *text, struct net_prefix *out)
{
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    int len = parse_address(text, n, out->bytes, &out->family);
    if (!len)
        return false;
    out->bits = len * 8;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0 || bits > len * 8)
            return false;
        out->bits = (int)bits;
    }
    return true;
}

static bool prefix_matches(const struct net_prefix *p, int family, const unsigned char *bytes)
{
    if (p->family != family)
        return false;
    int whole = p->bits / 8, rest = p->bits % 8;
    if (memcmp(p->bytes, bytes, (size_t)whole) != 0)
        return false;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return rest == 0 || ((p->bytes[whole] ^ bytes[whole]) & mask) == 0;
}

static bool trusted_address(const char *text, size_t n, const struct net_prefix *trusted, size_t count)
{
    unsigned char bytes[16];
    int family;
    if (!parse_address(text, n, bytes, &family))
        return false;
    for (size_t i = 0; i < count; i++)
        if (prefix_matches(&trusted[i], family, bytes))
            return true;
    return false;
}

bool net_prefix_contains(const struct net_prefix *p, const char *address)
{
    return trusted_address(address, strlen(address), p, 1);
}

/* The address as limits count it: IPv4 as written by inet_ntop, IPv6 as its /64. */
static bool canonical(const char *text, size_t n, char *out, size_t cap)
{
    unsigned char bytes[16];
    int family;
    if (!parse_address(text, n, bytes, &family))
        return false;
    char buf[INET6_ADDRSTRLEN];
    if (family == AF_INET6) {
        bool v4_mapped = memcmp(bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
        if (v4_mapped) {
            inet_ntop(AF_INET, bytes + 12, buf, sizeof buf);
            snprintf(out, cap, "%s", buf);
            return true;
        }
        memset(bytes + 8, 0, 8);
        inet_ntop(AF_INET6, bytes, buf, sizeof buf);
        snprintf(out, cap, "%s/64", buf);
        return true;
    }
    inet_ntop(AF_INET, bytes, buf, sizeof buf);
    snprintf(out, cap, "%s", buf);
    return true;
}

void client_address(const char *peer, const char *forwarded_for, const struct net_prefix *trusted,
                    size_t trusted_count, char *out, size_t cap)
{
    const char *chosen = peer;
    size_t chosen_len = strlen(peer);
    if (forwarded_for && trusted_address(peer, chosen_len, trusted, trusted_count)) {
        /* Right to left: skip our own proxies; the first other entry is the client. */
        const char *end = forwarded_for + strlen(forwarded_for);
        while (end > forwarded_for) {
            const char *start = end;
            while (start > forwarded_for && start[-1] != ',')
                start--;
            const char *a = start, *b = end;
            while (a < b && (*a == ' ' || *a == '\t'))
                a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                b--;
            unsigned char bytes[16];
            int family;
            if (!parse_address(a, (size_t)(b - a), bytes, &family))
                break; /* garbage: stop at the last proxy's own peer */
            chosen = a;
            chosen_len = (size_t)(b - a);
            if (!trusted_address(a, chosen_len, trusted, trusted_count))
                break;
            end = start > forwarded_for ? start - 1 : start;
        }
    }
    if (!canonical(chosen, chosen_len, out, cap))
        snprintf(out, cap, "%.*s", (int)chosen_len, chosen);
}
