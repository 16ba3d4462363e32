/*
 * auth/token.h — issuing and verifying our access tokens (JWT, HS256 only).
 *
 * libjwt 1.10 verifies with whatever algorithm the token's header names and checks no claim, so
 * token_verify pins the algorithm before libjwt sees the token and checks exp, nbf, iss and aud
 * itself. Pure apart from libjwt: unit-tested in tests/unit/test_token.c.
 */
#ifndef CDT_AUTH_TOKEN_H
#define CDT_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef enum { ROLE_NONE = 0, ROLE_PROVINCE, ROLE_DISTRICT, ROLE_COMMUNE, ROLE_ENTERPRISE } role;

struct claims {
    char sub[64];        /* user id (UUID) */
    char name[128];      /* username, for audit lines */
    role role;
    char unit[16];       /* GSO code, empty for enterprise actors */
    char enterprise[40]; /* enterprise id (UUID), empty for unit actors */
    bool read_only;
    long issued_at, not_before, expires_at;
};

struct token_config {
    const unsigned char *secret;
    size_t secret_len;
    const char *issuer;
    const char *audience;
    long ttl_seconds;
    long leeway_seconds; /* clock skew tolerated on exp and nbf */
};

enum { TOKEN_MAX_LEN = 4096 };

role role_parse(const char *name);
const char *role_name(role r);

/* Returns a new token; caller frees with free(). NULL only if libjwt fails. */
char *token_issue(const struct token_config *cfg, const struct claims *c, time_t now);

/* True when the token is well formed, HS256, correctly signed and its claims hold at `now`. */
bool token_verify(const struct token_config *cfg, const char *token, time_t now, struct claims *out);

#endif
