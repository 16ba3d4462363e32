/*
 * tests/unit/test_token.c — tokens: the algorithm is pinned and every claim is checked (auth/token.c).
 */
#include <jwt.h>
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

/*
 * Verifies at NOW a token of ours (HS256, SECRET) over a commune user's claims with `extra` added
 * (JSON members, leading comma); times default to NOW unless `extra` gives its own.
 */
static const time_t NOW = 1800000000;

static bool verifies(const char *times, const char *extra, struct claims *out)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"iss\":\"cdt\",\"aud\":\"cdt-api\",\"sub\":\"00000000-0000-4000-8000-100000000003\","
             "\"role\":\"commune\",\"unit\":\"25747\"%s%s}",
             times, extra);
    jwt_t *jwt = NULL;
    char *token = NULL;
    if (jwt_new(&jwt) == 0 && jwt_add_grants_json(jwt, json) == 0 &&
        jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)SECRET, (int)strlen(SECRET)) == 0)
        token = jwt_encode_str(jwt);
    jwt_free(jwt);
    bool ok = token && token_verify(&(struct token_config){(const unsigned char *)SECRET, strlen(SECRET), "cdt",
                                                          "cdt-api", 3600, 30, NULL},
                                    token, NOW, out);
    free(token);
    return ok;
}

#define TIMES ",\"iat\":1800000000,\"nbf\":1800000000,\"exp\":1800003600"

/* Every claim has its type; a wrong one makes the token invalid, never a default. */
static void check_claim_types(void)
{
    struct claims out;
    CHECK(verifies(TIMES, ",\"ro\":false", &out) && !out.read_only);
    CHECK(verifies(TIMES, ",\"ro\":true", &out) && out.read_only);
    CHECK(verifies(TIMES, "", &out) && out.read_only); /* absent: the safer reading */
    /* libjwt reads each of these as false: a read-only token would have become writable. */
    static const char *const not_boolean[] = {",\"ro\":1", ",\"ro\":0", ",\"ro\":\"true\"", ",\"ro\":\"false\"",
                                              ",\"ro\":null", ",\"ro\":[]", ",\"ro\":{}"};
    for (size_t i = 0; i < sizeof not_boolean / sizeof not_boolean[0]; i++)
        CHECK(!verifies(TIMES, not_boolean[i], &out));
    /* A client's personal-data grant likewise. */
    CHECK(verifies(TIMES, ",\"ro\":true,\"kind\":\"client\",\"pd\":true", &out) && out.personal_data);
    CHECK(verifies(TIMES, ",\"ro\":true,\"kind\":\"client\"", &out) && !out.personal_data);
    CHECK(!verifies(TIMES, ",\"ro\":true,\"kind\":\"client\",\"pd\":1", &out));

    /* Times: numbers, all three present; iat not in the future beyond the leeway (30 s). */
    CHECK(verifies(",\"iat\":1800000030,\"nbf\":1800000000,\"exp\":1800003600", ",\"ro\":false", &out));
    CHECK(!verifies(",\"iat\":1800000031,\"nbf\":1800000000,\"exp\":1800003600", ",\"ro\":false", &out));
    CHECK(!verifies(",\"iat\":1900000000,\"nbf\":1800000000,\"exp\":1900003600", ",\"ro\":false", &out));
    CHECK(!verifies(",\"nbf\":1800000000,\"exp\":1800003600", ",\"ro\":false", &out)); /* no iat */
    CHECK(!verifies(",\"iat\":\"1800000000\",\"nbf\":1800000000,\"exp\":1800003600", ",\"ro\":false", &out));
    CHECK(!verifies(",\"iat\":1800000000,\"nbf\":\"x\",\"exp\":1800003600", ",\"ro\":false", &out));
    CHECK(!verifies(",\"iat\":1800000000,\"nbf\":1800000000,\"exp\":\"1800003600\"", ",\"ro\":false", &out));
    CHECK(!verifies(",\"iat\":1800000000,\"nbf\":null,\"exp\":1800003600", ",\"ro\":false", &out));
    CHECK(!verifies(",\"iat\":-1,\"nbf\":1800000000,\"exp\":1800003600", ",\"ro\":false", &out));
}

int main(void)
{
    struct token_config cfg = config(SECRET, "cdt", "cdt-api");
    time_t now = NOW;
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
    check_claim_types();
    CHECK_SUMMARY();
}
