/*
 * tests/unit/test_token_idp.c — identity-provider tokens (auth/token.c): RS256 and ES256 with the
 * configured public key, the algorithm taken from the header only when it is exactly the
 * configured one, issuer, audience (string or array), times, and the claim mapping.
 *
 * The key pairs below exist only for this test.
 */
#include <jwt.h>
#include <stdlib.h>

#include "auth/token.h"
#include "check.h"

static const char RSA_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQCXDtD8VaORp92v\n"
    "3hSIyX4hftD7iGek3b0hgTaDwOKaE9FcPQ1Eig9gCpAaNGenf5ZWl/UweNvo+3qp\n"
    "bpUzhUQXwaOrQhqrBJY9hXJpHiJR39IU8UmIbYE/UCJoa80vneUu4XbT4XbZByvU\n"
    "dAG3buRZoPp5uq2GdALUyQCm7R7gYGLp+eLQ9HLu6AWx1ZJgz+BkpiDyOBpqhGVQ\n"
    "PVfsstGjdVQ/16gyFwdvpmBEguHIZ5MevNPaS0BdACpFDv3IaC6nzQp8DoU/y+Ml\n"
    "kRsM3VHDiaIi6lf6B9XRqPLfybxZlsQHYHnWa0nZ0RHfU7qgPYFZJquZ8248axi+\n"
    "Vz6k7wxXAgMBAAECggEABWYcNiIF+0MhhXYcLvRIo7pJdwS1FoLigndGeRt7xpQT\n"
    "BV6Fx+savdiYnoffaXClFDhoDcU5JFaeEe0tpMid4C7xPIfy5FP1UoLCcL4r1nsD\n"
    "XHyHZYBIbvhzjUdpzDNKLCmifV+Dx61SEthlTmajubDlKiX7fCwgp8blsh1DMNaL\n"
    "vJKcMAHwf9m6LGHCe+ttrAIm7sahNNmbereCkeHUCi3f14QuVaDw4Cz4bub5Y0Rz\n"
    "bHdl49SjukwWjc5YSZPFG6TlxdUfsJkEClZPWiGUdUqQRfGpdZSdvxLDUvolKL+/\n"
    "p7ODnI9oZTuAD3a4yRCUeJIkTTgbjX1IngKSS3ktPQKBgQDGCoJqHXMjzTDALFvn\n"
    "YSkApYlZuyoJ1edFKkVDzlzIkTdJZaqLKBprJphanl5V6nqiN70RDKrW0HoU+ths\n"
    "nwZ/fPyip1IGGQvfyX9plQITJUH3wSQGO1h0uBJO5Dr3NTni6PQ3awbGIMRRarA7\n"
    "bZR8KKFhJxLaE5GfmZJOZf97/QKBgQDDRERS0rgnXev34Fhc7v/HeG3Bkw7r0gWy\n"
    "w8o5Ny07mUnrFatKBOeBplVrJFE3Nm0YtEG4Z8HGc0WzZPim62frJ2VEcchMRVwL\n"
    "UcHag6me3sVICCvMhPwbeCGWrBrPTEt3rQ/oNujolJUA8969z8OvGDNTIgUc1xxm\n"
    "GXToRb/34wKBgQCkJffc3tYd2ajL0LjIevcSayMCdiktB9huss/AmR68u+jYdGU8\n"
    "fJwRLmdfzR6iFf1Z0dtrc1VzQk++bgDPX6xyJXX9l7RcC4yVDB4ItJKIrfwU0Ej8\n"
    "xVnXPO8n5vKdDsgRNUefW528wVIXrdevGm/VzZOdxFZS3Z95a0AirVZrPQKBgQCA\n"
    "yQ2m8oOysydmnPiqkpbwIGWDPlKhBivr82X0xod2v2sZOXl3oDRwNhwwRguqtqLN\n"
    "oFWYIhaTpINcBkRZEvm/BoSr17+bTkOe05VfYWcF+Td0gq8gfLUqCNleXrRv9Inx\n"
    "rJrJNS3398cukale1yDg4r03H0Dv/JAmZrPMXfR2sQKBgQCrAE3P/Zdh6bpOCdYd\n"
    "Zr92GPVU1AQV/dBK5mXartxKGESkK2zg7FQ/U6Rz+698SLzkFcIkuAa1gCER+h/6\n"
    "QdPsm5DsL7yrl6XPTFAHsQPTYIbkHZHuO7NHMb7TK+1ZYqvVHdEnzLKqsFLEa5KI\n"
    "9JYyogRjeEYR5jAd30sIEMiD4Q==\n"
    "-----END PRIVATE KEY-----\n";
static const char RSA_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAlw7Q/FWjkafdr94UiMl+\n"
    "IX7Q+4hnpN29IYE2g8DimhPRXD0NRIoPYAqQGjRnp3+WVpf1MHjb6Pt6qW6VM4VE\n"
    "F8Gjq0IaqwSWPYVyaR4iUd/SFPFJiG2BP1AiaGvNL53lLuF20+F22Qcr1HQBt27k\n"
    "WaD6ebqthnQC1MkApu0e4GBi6fni0PRy7ugFsdWSYM/gZKYg8jgaaoRlUD1X7LLR\n"
    "o3VUP9eoMhcHb6ZgRILhyGeTHrzT2ktAXQAqRQ79yGgup80KfA6FP8vjJZEbDN1R\n"
    "w4miIupX+gfV0ajy38m8WZbEB2B51mtJ2dER31O6oD2BWSarmfNuPGsYvlc+pO8M\n"
    "VwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
static const char EC_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQf/2d3rl2PUz9VGo\n"
    "HQ0n/St7rB04bH4WzBCwi5YyRo2hRANCAATDBgGcFum9gvcn8FyXDZ61zMW5saVE\n"
    "L9o518lY/Gb09wcqjeMb7Wx0uOZwqOL7l8woMHqBJHW/4HLYJWhvzODT\n"
    "-----END PRIVATE KEY-----\n";
static const char EC_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwwYBnBbpvYL3J/Bclw2etczFubGl\n"
    "RC/aOdfJWPxm9PcHKo3jG+1sdLjmcKji+5fMKDB6gSR1v+By2CVob8zg0w==\n"
    "-----END PUBLIC KEY-----\n";

static const char SECRET[] = "0123456789abcdef0123456789abcdef";
static const time_t NOW = 1800000000;

/* A token over the JSON claims, signed with alg and key; caller frees with free(). */
static char *sign(jwt_alg_t alg, const char *key, const char *claims_json)
{
    jwt_t *jwt = NULL;
    char *out = NULL;
    if (jwt_new(&jwt) == 0 && jwt_add_grants_json(jwt, claims_json) == 0 &&
        jwt_set_alg(jwt, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0) == 0)
        out = jwt_encode_str(jwt);
    jwt_free(jwt);
    return out;
}

static struct idp_config idp(const char *alg, const char *public_key)
{
    struct idp_config c = {alg, (const unsigned char *)public_key, strlen(public_key),
                           "https://sso.example.gov.vn", "cdt-api",
                           {"sub", "role", "unit", "enterprise", "read_only"}};
    return c;
}

static struct token_config config(const struct idp_config *p)
{
    struct token_config c = {(const unsigned char *)SECRET, strlen(SECRET), "cdt", "cdt-api", 3600, 30, p};
    return c;
}

/* Signs claims with (alg, key) and verifies against cfg at NOW. */
static bool accepted(const struct token_config *cfg, jwt_alg_t alg, const char *key, const char *claims,
                     struct claims *out)
{
    char *t = sign(alg, key, claims);
    bool ok = t && token_verify(cfg, t, NOW, out);
    free(t);
    return ok;
}

#define GOOD "\"iss\":\"https://sso.example.gov.vn\",\"aud\":\"cdt-api\",\"exp\":1800000600,\"iat\":1800000000"

int main(void)
{
    struct idp_config rs = idp("RS256", RSA_PUBLIC), es = idp("ES256", EC_PUBLIC);
    struct token_config with_rs = config(&rs), with_es = config(&es), without = config(NULL);
    struct claims out;
    const char *commune = "{" GOOD ",\"sub\":\"nguyen.van.a\",\"role\":\"commune\",\"unit\":\"25747\"}";

    /* RS256 with the configured key: the principal is mapped from the claims. */
    CHECK(accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, commune, &out));
    CHECK(out.kind == PRINCIPAL_IDP && out.role == ROLE_COMMUNE && !out.read_only);
    CHECK_STR(out.unit, "25747");
    CHECK_STR(out.sub, "nguyen.van.a");
    CHECK_STR(out.name, "idp:nguyen.van.a");
    /* Not configured: refused. Configured for ES256: an RS256 token is refused. */
    CHECK(!accepted(&without, JWT_ALG_RS256, RSA_PRIVATE, commune, &out));
    CHECK(!accepted(&with_es, JWT_ALG_RS256, RSA_PRIVATE, commune, &out));
    /* ES256 with its key; the RS256 server refuses it; another RSA key's signature is refused. */
    CHECK(accepted(&with_es, JWT_ALG_ES256, EC_PRIVATE, commune, &out) && out.role == ROLE_COMMUNE);
    CHECK(!accepted(&with_rs, JWT_ALG_ES256, EC_PRIVATE, commune, &out));
    /* Algorithm confusion: HS256 "signed" with the public key PEM as the secret; other algs. */
    CHECK(!accepted(&with_rs, JWT_ALG_HS256, RSA_PUBLIC, commune, &out));
    CHECK(!accepted(&with_es, JWT_ALG_HS256, EC_PUBLIC, commune, &out));
    CHECK(!accepted(&with_rs, JWT_ALG_HS512, RSA_PUBLIC, commune, &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS512, RSA_PRIVATE, commune, &out));
    CHECK(!accepted(&with_rs, JWT_ALG_NONE, NULL, commune, &out));
    /* Our own HS256 tokens keep working beside the provider. */
    struct claims ours = {.kind = PRINCIPAL_USER, .role = ROLE_DISTRICT};
    snprintf(ours.sub, sizeof ours.sub, "00000000-0000-4000-8000-100000000002");
    snprintf(ours.unit, sizeof ours.unit, "718");
    char *t = token_issue(&with_rs, &ours, NOW);
    CHECK(t && token_verify(&with_rs, t, NOW, &out) && out.kind == PRINCIPAL_USER && out.role == ROLE_DISTRICT);
    free(t);
    /* An HS256 token with our secret cannot claim to be a provider's principal or a stranger. */
    CHECK(!accepted(&with_rs, JWT_ALG_HS256, SECRET,
                    "{\"iss\":\"cdt\",\"aud\":\"cdt-api\",\"exp\":1800000600,\"nbf\":1800000000,\"iat\":1800000000,"
                    "\"sub\":\"00000000-0000-4000-8000-100000000002\",\"role\":\"district\",\"unit\":\"718\",\"kind\":\"idp\"}",
                    &out));

    /* Issuer, audience (a string or an array holding ours), expiry, not-before. */
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{\"iss\":\"https://evil.example\",\"aud\":\"cdt-api\",\"exp\":1800000600,\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{\"iss\":\"https://sso.example.gov.vn\",\"aud\":\"other\",\"exp\":1800000600,\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));
    CHECK(accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                   "{\"iss\":\"https://sso.example.gov.vn\",\"aud\":[\"portal\",\"cdt-api\"],\"exp\":1800000600,\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{\"iss\":\"https://sso.example.gov.vn\",\"aud\":[\"portal\"],\"exp\":1800000600,\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{\"iss\":\"https://sso.example.gov.vn\",\"aud\":\"cdt-api\",\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out)); /* no exp */
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{\"iss\":\"https://sso.example.gov.vn\",\"aud\":\"cdt-api\",\"exp\":1799999000,\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{" GOOD ",\"nbf\":1800003600,\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));
    /* Issued in the future: refused beyond the leeway (30 s), accepted within it. */
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{\"iss\":\"https://sso.example.gov.vn\",\"aud\":\"cdt-api\",\"exp\":1800000600,\"iat\":1800000031,"
                    "\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));
    CHECK(accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                   "{\"iss\":\"https://sso.example.gov.vn\",\"aud\":\"cdt-api\",\"exp\":1800000600,\"iat\":1800000030,"
                   "\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\"}", &out));

    /* The mapping: role must be ours and the unit or enterprise must fit it. */
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"sub\":\"a\",\"role\":\"admin\",\"unit\":\"74\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"sub\":\"a\",\"role\":\"province\",\"unit\":\"25747\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"sub\":\"a\",\"role\":\"commune\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"role\":\"commune\",\"unit\":\"25747\"}", &out)); /* no sub */
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"sub\":\"a\",\"role\":\"commune\",\"unit\":25747}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{" GOOD ",\"sub\":\"a\",\"role\":\"enterprise\",\"enterprise\":\"not-a-uuid\"}", &out));
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                    "{" GOOD ",\"sub\":\"a\",\"role\":\"commune\",\"unit\":\"25747\",\"enterprise\":\"00000000-0000-4000-8000-200000000001\"}", &out));
    CHECK(accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE,
                   "{" GOOD ",\"sub\":\"a\",\"role\":\"enterprise\",\"enterprise\":\"00000000-0000-4000-8000-200000000001\"}", &out));
    CHECK(out.role == ROLE_ENTERPRISE && out.unit[0] == '\0');
    CHECK(accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"sub\":\"a\",\"role\":\"province\",\"unit\":\"74\",\"read_only\":true}", &out));
    CHECK(out.read_only && out.role == ROLE_PROVINCE);
    CHECK(accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"sub\":\"a\",\"role\":\"district\",\"unit\":\"718\",\"read_only\":\"true\"}", &out));
    CHECK(out.read_only);
    CHECK(!accepted(&with_rs, JWT_ALG_RS256, RSA_PRIVATE, "{" GOOD ",\"sub\":\"a\",\"role\":\"district\",\"unit\":\"718\",\"read_only\":1}", &out));

    /* Claim names are configurable. */
    struct idp_config mapped = rs;
    mapped.claims = (struct idp_claim_map){"uid", "cdt_role", "ma_dvhc", "enterprise", "ro"};
    struct token_config with_mapped = config(&mapped);
    CHECK(accepted(&with_mapped, JWT_ALG_RS256, RSA_PRIVATE,
                   "{" GOOD ",\"uid\":\"u-1\",\"cdt_role\":\"commune\",\"ma_dvhc\":\"25942\",\"ro\":true}", &out));
    CHECK(out.role == ROLE_COMMUNE && out.read_only);
    CHECK_STR(out.unit, "25942");
    CHECK_STR(out.sub, "u-1");
    CHECK(!accepted(&with_mapped, JWT_ALG_RS256, RSA_PRIVATE, commune, &out));

    CHECK(idp_algorithm_supported("RS256") && idp_algorithm_supported("ES256"));
    CHECK(!idp_algorithm_supported("HS256") && !idp_algorithm_supported("RS512") && !idp_algorithm_supported(NULL));
    CHECK_SUMMARY();
}
