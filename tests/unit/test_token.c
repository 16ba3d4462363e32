/*
 * tests/unit/test_token.c — tokens: the algorithm is pinned and every claim is checked (auth/token.c).
 */
#include <stdlib.h>

#include "auth/token.h"
#include "check.h"

static const char SECRET[] = "0123456789abcdef0123456789abcdef";
static const char OTHER[] = "fedcba9876543210fedcba9876543210";

static struct token_config config(const char *secret, const char *iss, const char *aud)
{
    struct token_config c = {(const unsigned char *)secret, strlen(secret), iss, aud, 3600, 30, NULL};
    return c;
}

static char *issue(const struct token_config *cfg, role r, const char *unit, const char *ent, time_t at)
{
    struct claims c = {0};
    snprintf(c.sub, sizeof c.sub, "00000000-0000-4000-8000-100000000003");
    snprintf(c.name, sizeof c.name, "demo.commune");
    c.role = r;
    snprintf(c.unit, sizeof c.unit, "%s", unit);
    snprintf(c.enterprise, sizeof c.enterprise, "%s", ent);
    return token_issue(cfg, &c, at);
}

int main(void)
{
    struct token_config cfg = config(SECRET, "cdt", "cdt-api");
    time_t now = 1800000000;
    struct claims out;

    char *t = issue(&cfg, ROLE_COMMUNE, "25747", "", now);
    CHECK(t && token_verify(&cfg, t, now + 10, &out));
    CHECK(out.role == ROLE_COMMUNE && strcmp(out.unit, "25747") == 0 && !out.read_only);
    CHECK_STR(out.name, "demo.commune");
    CHECK(!token_verify(&cfg, t, now + 3600 + 31, &out)); /* expired past the leeway */
    CHECK(!token_verify(&cfg, t, now - 60, &out));        /* not yet valid */
    struct token_config wrong_key = config(OTHER, "cdt", "cdt-api");
    CHECK(!token_verify(&wrong_key, t, now, &out));
    struct token_config wrong_iss = config(SECRET, "other", "cdt-api");
    CHECK(!token_verify(&wrong_iss, t, now, &out));
    struct token_config wrong_aud = config(SECRET, "cdt", "other");
    CHECK(!token_verify(&wrong_aud, t, now, &out));

    /* Tampering with the payload breaks the signature. */
    char *tampered = strdup(t);
    char *dot = strchr(tampered, '.');
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    CHECK(!token_verify(&cfg, tampered, now, &out));
    free(tampered);

    /* alg none: header {"alg":"none","typ":"JWT"} with the same payload and no signature. */
    const char *payload = strchr(t, '.') + 1;
    size_t payload_len = (size_t)(strrchr(t, '.') - payload);
    char none[4096];
    snprintf(none, sizeof none, "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.%.*s.", (int)payload_len, payload);
    CHECK(!token_verify(&cfg, none, now, &out));
    /* HS512 header with the real signature. */
    snprintf(none, sizeof none, "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.%s", payload);
    CHECK(!token_verify(&cfg, none, now, &out));
    free(t);

    CHECK(!token_verify(&cfg, "", now, &out));
    CHECK(!token_verify(&cfg, "a.b.c", now, &out));
    CHECK(!token_verify(&cfg, "not a token", now, &out));
    char big[TOKEN_MAX_LEN + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(!token_verify(&cfg, big, now, &out));

    /* Scope claims must match the role. */
    t = issue(&cfg, ROLE_ENTERPRISE, "", "", now);
    CHECK(!token_verify(&cfg, t, now, &out));
    free(t);
    t = issue(&cfg, ROLE_ENTERPRISE, "", "00000000-0000-4000-8000-200000000001", now);
    CHECK(token_verify(&cfg, t, now, &out) && out.role == ROLE_ENTERPRISE);
    free(t);
    t = issue(&cfg, ROLE_PROVINCE, "", "", now);
    CHECK(!token_verify(&cfg, t, now, &out));
    free(t);

    CHECK(role_parse("district") == ROLE_DISTRICT && role_parse("admin") == ROLE_NONE);
    CHECK(role_parse(NULL) == ROLE_NONE);
    CHECK_SUMMARY();
}
