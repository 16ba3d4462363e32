/*
 * tests/fuzz/fuzz_token.c — access tokens: auth/token.c's token_verify, header and claims.
 *
 * The first byte picks how the rest becomes a token, so that the fuzzer reaches past the
 * signature into the header and claims parsing, which it could never do by guessing HMACs:
 *   0  the rest is the token as sent in "Authorization: Bearer ..." (base64url, dots, anything);
 *   1  the rest is the payload (claims JSON) of an HS256 token signed with our secret;
 *   2  the rest is "header JSON \n payload JSON" of a token signed HS256 with our secret, so the
 *      header's alg, typ and anything else vary (alg "none", "HS512", "ES256" included);
 *   3  the rest is the payload of an ES256 token signed by the identity provider's key.
 * The configuration is fixed: our secret, issuer and audience, and an ES256 identity provider
 * whose key pair is made at start-up. Besides the sanitizers, it checks what the router relies
 * on: a token that verifies no longer does under another secret and another provider key (the
 * signature, never the header, decides); its principal has a role and exactly the scope the role
 * calls for; our tokens name a UUID subject; it is valid at `now` and was not issued after it
 * (beyond the leeway); a refused token leaves the claims zeroed. For a payload of ours given as
 * is (mode 1), an accepted token's "ro" is absent (read-only) or a JSON boolean it matches.
 */
#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "http/validate.h"
#include "util/mem.h"

#define REQUIRE(cond)                                                                             \
    do {                                                                                          \
        if (!(cond))                                                                              \
            abort();                                                                              \
    } while (0)

static const time_t NOW = 1800000000; /* 2027-01-15 */
static const char SECRET[] = "fuzz-secret-0123456789abcdef0123456789abcdef";
static const char OTHER_SECRET[] = "another-secret-0123456789abcdef0123456789ab";

static struct idp_config idp, other_idp;
static struct token_config config, other_config;
static EVP_PKEY *idp_key, *other_key; /* kept for the process's life */

static char *public_pem(EVP_PKEY *key, size_t *len)
{
    BIO *b = BIO_new(BIO_s_mem());
    REQUIRE(b && PEM_write_bio_PUBKEY(b, key) == 1);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *out = malloc((size_t)n + 1);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(b);
    *len = (size_t)n;
    return out;
}

static void setup(struct token_config *cfg, struct idp_config *p, const char *secret, EVP_PKEY *key)
{
    p->algorithm = "ES256";
    p->public_key = (const unsigned char *)public_pem(key, &p->public_key_len);
    p->issuer = "https://idp.example.gov.vn";
    p->audience = "cdt";
    p->claims = (struct idp_claim_map){"sub", "role", "unit", "enterprise", "read_only"};
    cfg->secret = (const unsigned char *)secret;
    cfg->secret_len = strlen(secret);
    cfg->issuer = "cdt";
    cfg->audience = "cdt-api";
    cfg->ttl_seconds = 3600;
    cfg->leeway_seconds = 30;
    cfg->idp = p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    idp_key = EVP_EC_gen("P-256");
    other_key = EVP_EC_gen("P-256");
    REQUIRE(idp_key && other_key);
    setup(&config, &idp, SECRET, idp_key);
    setup(&other_config, &other_idp, OTHER_SECRET, other_key);
    return 0;
}

static void b64url(buf *out, const unsigned char *in, size_t len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            buf_append(out, &alphabet[(acc >> bits) & 63], 1);
        }
    }
    if (bits > 0)
        buf_append(out, &alphabet[(acc << (6 - bits)) & 63], 1);
}

/* "b64(header).b64(payload).b64(signature)", NUL-terminated in out. */
static void sign(buf *out, const char *header, size_t hlen, const char *payload, size_t plen, bool es256)
{
    b64url(out, (const unsigned char *)header, hlen);
    buf_append(out, ".", 1);
    b64url(out, (const unsigned char *)payload, plen);
    unsigned char sig[64];
    size_t siglen = 0;
    if (!es256) {
        unsigned int n = 0;
        REQUIRE(HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)out->data,
                     out->len, sig, &n));
        siglen = n;
    } else {
        unsigned char der[128];
        size_t derlen = sizeof der;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        REQUIRE(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, idp_key) == 1 &&
                EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)out->data, out->len) == 1);
        EVP_MD_CTX_free(ctx);
        const unsigned char *p = der;
        ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
        REQUIRE(s);
        REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, 32) == 32 &&
                BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + 32, 32) == 32);
        ECDSA_SIG_free(s);
        siglen = 64;
    }
    buf_append(out, ".", 1);
    b64url(out, sig, siglen);
    buf_append(out, "", 1);
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2 * TOKEN_MAX_LEN)
        return 0;
    int mode = data[0] % 4;
    const char *rest = (const char *)data + 1;
    size_t len = size - 1;
    buf token = {0};
    static const char HS256[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    static const char ES256[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
    if (mode == 0) {
        buf_append(&token, rest, len);
        buf_append(&token, "", 1);
    } else if (mode == 1) {
        sign(&token, HS256, strlen(HS256), rest, len, false);
    } else if (mode == 2) {
        const char *nl = memchr(rest, '\n', len);
        size_t hlen = nl ? (size_t)(nl - rest) : len;
        const char *payload = nl ? nl + 1 : "{}";
        size_t plen = nl ? len - hlen - 1 : 2;
        sign(&token, rest, hlen, payload, plen, false);
    } else {
        sign(&token, ES256, strlen(ES256), rest, len, true);
    }

    struct claims c;
    memset(&c, 0xAB, sizeof c); /* token_verify must set every byte it leaves meaningful */
    bool ok = token_verify(&config, token.data, NOW, &c);
    if (!ok) {
        REQUIRE(all_zero(&c, sizeof c));
    } else {
        struct claims other;
        REQUIRE(!token_verify(&other_config, token.data, NOW, &other)); /* the key decides */
        REQUIRE(c.role >= ROLE_PROVINCE && c.role <= ROLE_ENTERPRISE);
        REQUIRE(memchr(c.sub, '\0', sizeof c.sub) && memchr(c.name, '\0', sizeof c.name) &&
                memchr(c.unit, '\0', sizeof c.unit) && memchr(c.enterprise, '\0', sizeof c.enterprise));
        REQUIRE(c.sub[0] != '\0');
        if (c.role == ROLE_ENTERPRISE)
            REQUIRE(c.enterprise[0] != '\0');
        else
            REQUIRE(c.unit[0] != '\0' && c.enterprise[0] == '\0');
        REQUIRE(NOW < c.expires_at + config.leeway_seconds);
        REQUIRE(NOW + config.leeway_seconds >= c.not_before);
        REQUIRE(c.issued_at <= NOW + config.leeway_seconds);
        if (mode == 1) {
            /* cJSON reads the payload as libjwt's jansson did, unless "ro" is there twice (which
             * one wins then differs between the two parsers). */
            cJSON *payload = cJSON_ParseWithLength(rest, len);
            const cJSON *ro = NULL, *member;
            int named_ro = 0;
            cJSON_ArrayForEach(member, payload)
                if (member->string && strcmp(member->string, "ro") == 0)
                    ro = member, named_ro++;
            if (cJSON_IsObject(payload) && named_ro <= 1) {
                REQUIRE(!ro || cJSON_IsBool(ro));
                REQUIRE(c.read_only == (!ro || cJSON_IsTrue(ro)));
            }
            cJSON_Delete(payload);
        }
        if (c.kind == PRINCIPAL_IDP) {
            REQUIRE(mode == 0 || mode == 3);
            REQUIRE(c.personal_data);
        } else {
            REQUIRE(c.kind == PRINCIPAL_USER || c.kind == PRINCIPAL_CLIENT);
            REQUIRE(mode != 3);
            REQUIRE(text_is_uuid(c.sub));
        }
    }
    buf_free(&token);
    return 0;
}
