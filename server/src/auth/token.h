/*
 * auth/token.h — issuing and verifying access tokens (JWT): ours (HS256), and optionally those of
 * the province's identity provider (RS256 or ES256 with a configured public key).
 *
 * libjwt 1.10 verifies with whatever algorithm the token's header names and checks no claim, so
 * token_verify reads the header's alg first and dispatches: "HS256" is verified with our secret
 * against our issuer and audience; exactly the configured identity-provider algorithm with its
 * public key against its issuer and audience; anything else is refused before libjwt sees it.
 * A token whose header says HS256 but that was signed with the provider's public key as an HMAC
 * secret therefore fails: it is checked with our secret. exp, nbf, iat, iss and aud are checked
 * here, each with its type: a non-boolean "ro", or a time that is not a number, makes the token
 * invalid rather than read as a default; so does an iat in the future beyond the leeway.
 * Pure apart from libjwt: unit-tested in tests/unit/test_token.c.
 */
#ifndef CDT_AUTH_TOKEN_H
#define CDT_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* ROLE_NATIONAL: every unit in scope, no unit of its own (loading the national list, re-homing). */
typedef enum { ROLE_NONE = 0, ROLE_PROVINCE, ROLE_DISTRICT, ROLE_COMMUNE, ROLE_ENTERPRISE, ROLE_NATIONAL } role;

/* Who stands behind a token. Users and clients are rows we can re-check (auth/principals.h). */
typedef enum {
    PRINCIPAL_USER = 0, /* a row of users: our HS256 token, claim "kind" absent or "user" */
    PRINCIPAL_CLIENT,   /* a row of api_clients: our HS256 token, claim "kind": "client" */
    PRINCIPAL_IDP,      /* a person signed in at the identity provider: no row of ours */
} principal_kind;

struct claims {
    principal_kind kind;
    char sub[128];       /* user or client id (UUID); the provider's subject for PRINCIPAL_IDP */
    char name[160];      /* for audit lines: username, client_id, or "idp:" + subject */
    role role;
    char unit[24];       /* the unit's key (its GSO code), empty for enterprise and national actors */
    char enterprise[40]; /* enterprise id (UUID), empty for unit actors */
    bool read_only;
    bool personal_data;  /* may read members' phone and email (false only for clients without it) */
    long issued_at, not_before, expires_at;
};

/* Which claims of an identity-provider token carry what (top-level claim names). */
struct idp_claim_map {
    const char *sub, *role, *unit, *enterprise, *read_only;
};

/* The province's identity provider; token_config.idp is NULL when it is not configured. */
struct idp_config {
    const char *algorithm;           /* "RS256" or "ES256" (idp_algorithm_supported) */
    const unsigned char *public_key; /* PEM text ("BEGIN PUBLIC KEY"), borrowed */
    size_t public_key_len;
    const char *issuer;
    const char *audience;
    struct idp_claim_map claims;
};

struct token_config {
    const unsigned char *secret;
    size_t secret_len;
    const char *issuer;
    const char *audience;
    long ttl_seconds;
    long leeway_seconds; /* clock skew tolerated on exp, nbf and iat, ours and the provider's */
    const struct idp_config *idp; /* NULL: only our own tokens are accepted */
};

enum { TOKEN_MAX_LEN = 4096 };

role role_parse(const char *name);
const char *role_name(role r);
const char *principal_kind_name(principal_kind k);

/* True for the algorithms an identity provider may use: "RS256" and "ES256". */
bool idp_algorithm_supported(const char *name);

/* Returns a new token; caller frees with free(). NULL only if libjwt fails. */
char *token_issue(const struct token_config *cfg, const struct claims *c, time_t now);

/*
 * True when the token is well formed, signed with an accepted algorithm and key (see above) and
 * its claims hold at `now`; out then describes the principal. Says nothing about whether a user
 * or client is still allowed in: that is auth/principals.h.
 */
bool token_verify(const struct token_config *cfg, const char *token, time_t now, struct claims *out);

#endif
