/*
 * tests/unit/test_client_address.c — http/client_address.c: trusted-proxy prefixes and the
 * client address taken from X-Forwarded-For only behind them.
 */
#include "check.h"
#include "http/client_address.h"

static const char *addr(const char *peer, const char *xff, const struct net_prefix *trusted, size_t n)
{
    static char out[64];
    client_address(peer, xff, trusted, n, out, sizeof out);
    return out;
}

int main(void)
{
    struct net_prefix p;
    CHECK(net_prefix_parse("10.0.0.0/8", &p) && p.bits == 8);
    CHECK(net_prefix_contains(&p, "10.200.3.4"));
    CHECK(!net_prefix_contains(&p, "11.0.0.1"));
    CHECK(!net_prefix_contains(&p, "::ffff:10.0.0.1")); /* another family: not the same prefix */
    CHECK(net_prefix_parse("172.28.0.0/12", &p) && net_prefix_contains(&p, "172.31.255.1") &&
          !net_prefix_contains(&p, "172.32.0.1"));
    CHECK(net_prefix_parse("192.0.2.7", &p) && p.bits == 32 && net_prefix_contains(&p, "192.0.2.7") &&
          !net_prefix_contains(&p, "192.0.2.8"));
    CHECK(net_prefix_parse("fd00::/8", &p) && net_prefix_contains(&p, "fd12:3456::1"));
    CHECK(net_prefix_parse("::1", &p) && p.bits == 128);
    CHECK(net_prefix_parse("0.0.0.0/0", &p) && net_prefix_contains(&p, "8.8.8.8"));
    CHECK(!net_prefix_parse("10.0.0.0/33", &p));
    CHECK(!net_prefix_parse("10.0.0.0/", &p));
    CHECK(!net_prefix_parse("10.0.0.0/8x", &p));
    CHECK(!net_prefix_parse("proxy.local", &p));
    CHECK(!net_prefix_parse("", &p));

    struct net_prefix trusted[2];
    net_prefix_parse("127.0.0.1", &trusted[0]);
    net_prefix_parse("172.28.0.0/16", &trusted[1]);

    /* No trusted proxies, or an untrusted peer: the header is ignored. */
    CHECK_STR(addr("198.51.100.1", "203.0.113.5", NULL, 0), "198.51.100.1");
    CHECK_STR(addr("198.51.100.1", "203.0.113.5", trusted, 2), "198.51.100.1");
    /* A trusted peer without the header is the client. */
    CHECK_STR(addr("127.0.0.1", NULL, trusted, 2), "127.0.0.1");
    /* Behind the proxy: the right-most entry, whatever the client put on the left. */
    CHECK_STR(addr("127.0.0.1", "203.0.113.5", trusted, 2), "203.0.113.5");
    CHECK_STR(addr("127.0.0.1", "1.2.3.4, 203.0.113.5", trusted, 2), "203.0.113.5");
    CHECK_STR(addr("127.0.0.1", " evil ,203.0.113.5 ", trusted, 2), "203.0.113.5");
    /* Two proxies of ours in a row are skipped. */
    CHECK_STR(addr("172.28.0.4", "203.0.113.5, 172.28.0.9", trusted, 2), "203.0.113.5");
    /* Garbage where the client should be: counted as the last proxy of ours that spoke. */
    CHECK_STR(addr("127.0.0.1", "203.0.113.5, not-an-address", trusted, 2), "127.0.0.1");
    CHECK_STR(addr("172.28.0.4", "", trusted, 2), "172.28.0.4");
    CHECK_STR(addr("172.28.0.4", "172.28.0.9", trusted, 2), "172.28.0.9"); /* only proxies: the first */
    /* IPv6 clients by their /64; IPv4-mapped IPv6 as IPv4. */
    CHECK_STR(addr("2001:db8:1:2:3:4:5:6", NULL, NULL, 0), "2001:db8:1:2::/64");
    CHECK_STR(addr("2001:db8:1:2:ffff::1", NULL, NULL, 0), "2001:db8:1:2::/64");
    CHECK_STR(addr("::ffff:198.51.100.7", NULL, NULL, 0), "198.51.100.7");
    CHECK_STR(addr("127.0.0.1", "2001:db8::1", trusted, 2), "2001:db8::/64");
    CHECK_SUMMARY();
}
