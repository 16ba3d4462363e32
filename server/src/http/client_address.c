/*
 * http/client_address.c — the client address behind trusted proxies (see client_address.h).
 */
#include "http/client_address.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address as its bytes: 4 of them for IPv4, 16 for IPv6. */
struct address {
    int family; /* AF_INET or AF_INET6 */
    unsigned char bytes[16];
};

static bool parse_address(const char *text, size_t n, struct address *out)
{
    char buf[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, out->bytes) == 1)
        out->family = AF_INET;
    else if (inet_pton(AF_INET6, buf, out->bytes) == 1)
        out->family = AF_INET6;
    else
        return false;
    return true;
}

bool net_prefix_parse(const char *text, struct net_prefix *out)
{
    const char *slash = strchr(text, '/');
    struct address a;
    if (!parse_address(text, slash ? (size_t)(slash - text) : strlen(text), &a))
        return false;
    int max_bits = a.family == AF_INET ? 32 : 128;
    out->family = a.family;
    memcpy(out->bytes, a.bytes, sizeof out->bytes);
    out->bits = max_bits;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0 || bits > max_bits)
            return false;
        out->bits = (int)bits;
    }
    return true;
}

static bool prefix_matches(const struct net_prefix *p, const struct address *a)
{
    if (p->family != a->family)
        return false;
    int whole = p->bits / 8, rest = p->bits % 8;
    if (memcmp(p->bytes, a->bytes, (size_t)whole) != 0)
        return false;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return rest == 0 || ((p->bytes[whole] ^ a->bytes[whole]) & mask) == 0;
}

static bool trusted(const struct address *a, const struct net_prefix *proxies, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (prefix_matches(&proxies[i], a))
            return true;
    return false;
}

bool net_prefix_contains(const struct net_prefix *p, const char *address)
{
    struct address a;
    return parse_address(address, strlen(address), &a) && prefix_matches(p, &a);
}

/* The address as limits count it: IPv4 as written by inet_ntop, IPv6 as its /64. */
static void write_canonical(const struct address *a, char *out, size_t cap)
{
    char buf[INET6_ADDRSTRLEN];
    if (a->family == AF_INET) {
        inet_ntop(AF_INET, a->bytes, buf, sizeof buf);
        snprintf(out, cap, "%s", buf);
    } else if (memcmp(a->bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) { /* IPv4-mapped */
        inet_ntop(AF_INET, a->bytes + 12, buf, sizeof buf);
        snprintf(out, cap, "%s", buf);
    } else {
        unsigned char prefix[16] = {0};
        memcpy(prefix, a->bytes, 8);
        inet_ntop(AF_INET6, prefix, buf, sizeof buf);
        snprintf(out, cap, "%s/64", buf);
    }
}

void client_address(const char *peer, const char *forwarded_for, const struct net_prefix *proxies,
                    size_t proxy_count, char *out, size_t cap)
{
    struct address chosen;
    if (!parse_address(peer, strlen(peer), &chosen)) {
        snprintf(out, cap, "%s", peer);
        return;
    }
    if (forwarded_for && trusted(&chosen, proxies, proxy_count)) {
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
            struct address entry;
            if (!parse_address(a, (size_t)(b - a), &entry))
                break; /* garbage: stop at the last proxy's own peer */
            chosen = entry;
            if (!trusted(&entry, proxies, proxy_count))
                break;
            end = start > forwarded_for ? start - 1 : start;
        }
    }
    write_canonical(&chosen, out, cap);
}
