/*
 * auth/token.c — JWT HS256 tokens with the algorithm pinned and the claims checked here.
 */
#include "auth/token.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
    [ROLE_NONE] = "", [ROLE_PROVINCE] = "province", [ROLE_DISTRICT] = "district",
    [ROLE_COMMUNE] = "commune", [ROLE_ENTERPRISE] = "enterprise",
};

role role_parse(const char *name)
{
    for (int i = ROLE_PROVINCE; name && i <= ROLE_ENTERPRISE; i++)
        if (strcmp(name, role_names[i]) == 0)
            return (role)i;
    return ROLE_NONE;
}

const char *role_name(role r)
{
    return (unsigned)r <= ROLE_ENTERPRISE ? role_names[r] : "";
}

char *token_issue(const struct token_config *cfg, const struct claims *c, time_t now)
{
    jwt_t *jwt = NULL;
    char *out = NULL;
    if (jwt_new(&jwt) != 0)
        return NULL;
    int rc = jwt_set_alg(jwt, JWT_ALG_HS256, cfg->secret, (int)cfg->secret_len);
    rc |= jwt_add_grant(jwt, "iss", cfg->issuer);
    rc |= jwt_add_grant(jwt, "aud", cfg->audience);
    rc |= jwt_add_grant(jwt, "sub", c->sub);
    rc |= jwt_add_grant(jwt, "name", c->name);
    rc |= jwt_add_grant(jwt, "role", role_name(c->role));
    if (c->unit[0])
        rc |= jwt_add_grant(jwt, "unit", c->unit);
    if (c->enterprise[0])
        rc |= jwt_add_grant(jwt, "enterprise", c->enterprise);
    rc |= jwt_add_grant_bool(jwt, "ro", c->read_only);
    rc |= jwt_add_grant_int(jwt, "iat", (long)now);
    rc |= jwt_add_grant_int(jwt, "nbf", (long)now);
    rc |= jwt_add_grant_int(jwt, "exp", (long)now + cfg->ttl_seconds);
    if (rc == 0)
        out = jwt_encode_str(jwt);
    jwt_free(jwt);
    return out;
}

/* Decodes base64url (no padding) into a NUL-terminated string; NULL if malformed. Caller frees. */
static char *base64url_decode(const char *in, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(len * 3 / 4 + 4);
    if (!out)
        return NULL;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = memchr(alphabet, in[i], 64);
        if (!p || in[i] == '\0') {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)(p - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    out[o] = '\0';
    if (memchr(out, '\0', o)) { /* embedded NUL: not a JSON header */
        free(out);
        return NULL;
    }
    return out;
}

/* The header must name exactly HS256 before libjwt is allowed to pick a verifier. */
static bool header_is_hs256(const char *token)
{
    const char *dot = strchr(token, '.');
    if (!dot)
        return false;
    char *header = base64url_decode(token, (size_t)(dot - token));
    if (!header)
        return false;
    cJSON *json = cJSON_Parse(header);
    free(header);
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(json, "alg");
    bool ok = cJSON_IsString(alg) && strcmp(alg->valuestring, "HS256") == 0;
    cJSON_Delete(json);
    return ok;
}

static bool copy_claim(jwt_t *jwt, const char *name, char *dst, size_t cap, bool required)
{
    const char *v = jwt_get_grant(jwt, name);
    if (!v) {
        dst[0] = '\0';
        return !required;
    }
    size_t n = strlen(v);
    if (n >= cap)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

bool token_verify(const struct token_config *cfg, const char *token, time_t now, struct claims *out)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) > TOKEN_MAX_LEN || !header_is_hs256(token))
        return false;

    jwt_t *jwt = NULL;
    bool ok = false;
    if (jwt_decode(&jwt, token, cfg->secret, (int)cfg->secret_len) != 0 || !jwt)
        goto out;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256)
        goto out;

    const char *iss = jwt_get_grant(jwt, "iss");
    const char *aud = jwt_get_grant(jwt, "aud");
    if (!iss || strcmp(iss, cfg->issuer) != 0 || !aud || strcmp(aud, cfg->audience) != 0)
        goto out;

    errno = 0;
    long exp = jwt_get_grant_int(jwt, "exp");
    if (errno)
        goto out;
    long nbf = jwt_get_grant_int(jwt, "nbf");
    if (errno)
        goto out;
    if (now >= exp + cfg->leeway_seconds || now + cfg->leeway_seconds < nbf)
        goto out;

    char role_text[16];
    if (!copy_claim(jwt, "sub", out->sub, sizeof out->sub, true) ||
        !copy_claim(jwt, "name", out->name, sizeof out->name, false) ||
        !copy_claim(jwt, "role", role_text, sizeof role_text, true) ||
        !copy_claim(jwt, "unit", out->unit, sizeof out->unit, false) ||
        !copy_claim(jwt, "enterprise", out->enterprise, sizeof out->enterprise, false))
        goto out;
    out->role = role_parse(role_text);
    if (out->role == ROLE_NONE)
        goto out;
    /* An actor is scoped to exactly one of a unit or an enterprise, as its role says. */
    if ((out->role == ROLE_ENTERPRISE) != (out->enterprise[0] != '\0') ||
        (out->role != ROLE_ENTERPRISE && out->unit[0] == '\0'))
        goto out;
    errno = 0;
    int ro = jwt_get_grant_bool(jwt, "ro");
    out->read_only = errno ? true : ro != 0; /* absent: the safer reading */
    out->expires_at = exp;
    out->not_before = nbf;
    errno = 0;
    out->issued_at = jwt_get_grant_int(jwt, "iat");
    ok = true;
out:
    jwt_free(jwt);
    if (!ok)
        memset(out, 0, sizeof *out);
    return ok;
}
