/*
 * http/client_address.h — who is on the other end, for limits counted per client address.
 *
 * Behind a reverse proxy every request comes from the proxy. When the peer is one of the
 * TRUSTED_PROXIES, the client is the right-most X-Forwarded-For entry that is not itself a
 * trusted proxy (each proxy appends the address it saw; entries further left are the client's
 * own claim and could be anything). IPv6 clients are counted by their /64, the block one
 * subscriber usually holds whole.
 */
#ifndef CDT_HTTP_CLIENT_ADDRESS_H
#define CDT_HTTP_CLIENT_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Room enough for any client_address answer ("2001:db8:1:2::/64" at its longest). */
enum { CLIENT_ADDRESS_MAX = 64 };

struct net_prefix {
    int family; /* AF_INET or AF_INET6 */
    unsigned char bytes[16];
    int bits;
};

/* "10.0.0.0/8", "192.0.2.7", "fd00::/8", "::1". False when the text is not one of those. */
bool net_prefix_parse(const char *text, struct net_prefix *out);
bool net_prefix_contains(const struct net_prefix *p, const char *address);

/*
 * Writes the client address of a request from peer to out: the peer itself, or as described
 * above when the peer is trusted. Always writes something (the peer when nothing else fits).
 */
void client_address(const char *peer, const char *forwarded_for, const struct net_prefix *proxies,
                    size_t proxy_count, char *out, size_t cap);

#endif
