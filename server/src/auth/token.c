/*
 * auth/token.c — JWT: our HS256 tokens and the identity provider's RS256/ES256 tokens, with the
 * algorithm chosen by us from the header before libjwt verifies, and the claims checked here.
 */
#include "auth/token.h"

#include <cjson/cJSON.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/validate.h"

static const char *const role_names[] = {
    [ROLE_NONE] = "", [ROLE_PROVINCE] = "province", [ROLE_DISTRICT] = "district",
    [ROLE_COMMUNE] = "commune", [ROLE_ENTERPRISE] = "enterprise", [ROLE_NATIONAL] = "national",
};

role role_parse(const char *name)
{
    for (int i = ROLE_PROVINCE; name && i <= ROLE_NATIONAL; i++)
        if (strcmp(name, role_names[i]) == 0)
            return (role)i;
    return ROLE_NONE;
}

const char *role_name(role r)
{
    return (unsigned)r <= ROLE_NATIONAL ? role_names[r] : "";
}

const char *principal_kind_name(principal_kind k)
{
    switch (k) {
    case PRINCIPAL_USER:
        return "user";
    case PRINCIPAL_CLIENT:
        return "client";
    case PRINCIPAL_IDP:
        return "idp";
    }
    return "";
}

bool idp_algorithm_supported(const char *name)
{
    return name && (strcmp(name, "RS256") == 0 || strcmp(name, "ES256") == 0);
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
    if (c->kind == PRINCIPAL_CLIENT) {
        rc |= jwt_add_grant(jwt, "kind", "client");
        rc |= jwt_add_grant_bool(jwt, "pd", c->personal_data);
    }
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

/* Copies the header's "alg" into alg; false when the header is not a JSON object naming one. */
static bool header_alg(const char *token, char *alg, size_t cap)
{
    const char *dot = strchr(token, '.');
    if (!dot)
        return false;
    char *header = base64url_decode(token, (size_t)(dot - token));
    if (!header)
        return false;
    cJSON *json = cJSON_Parse(header);
    free(header);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, "alg");
    bool ok = cJSON_IsObject(json) && cJSON_IsString(v) && strlen(v->valuestring) < cap;
    if (ok)
        memcpy(alg, v->valuestring, strlen(v->valuestring) + 1);
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

/* An actor is scoped to exactly one of a unit or an enterprise, as its role says; a national
 * actor to neither (everything). */
static bool scope_matches_role(const struct claims *c)
{
    if (c->role == ROLE_NATIONAL)
        return c->unit[0] == '\0' && c->enterprise[0] == '\0';
    return c->role != ROLE_NONE && (c->role == ROLE_ENTERPRISE) == (c->enterprise[0] != '\0') &&
           (c->role == ROLE_ENTERPRISE || c->unit[0] != '\0');
}

/*
 * Claims are read from the payload's JSON with their types checked, not through libjwt's
 * getters: jwt_get_grant_bool answers 0 with no error for "ro": 1, "true" or null, which read as
 * "writable", and jwt_get_grant_int answers 0 for "nbf": "x", which reads as "valid since 1970".
 */

/* A NumericDate claim; absent is *out = fallback and fine unless required. */
static bool claim_time(const cJSON *payload, const char *name, long *out, long fallback, bool required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, name);
    if (!v) {
        *out = fallback;
        return !required;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e13)
        return false;
    *out = (long)v->valuedouble;
    return true;
}

/* A boolean claim; absent is *out = fallback; anything but true or false is refused. */
static bool claim_bool(const cJSON *payload, const char *name, bool *out, bool fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, name);
    if (!v) {
        *out = fallback;
        return true;
    }
    if (!cJSON_IsBool(v))
        return false;
    *out = cJSON_IsTrue(v);
    return true;
}

/*
 * Valid at now, give or take the leeway: not expired, not before nbf, and not issued in the
 * future. A future iat would outlive a password change (auth/principals.c refuses tokens issued
 * before it), and no honest issuer writes one.
 */
static bool times_hold(const struct token_config *cfg, time_t now, long exp, long nbf, long iat)
{
    return now < exp + cfg->leeway_seconds && now + cfg->leeway_seconds >= nbf &&
           iat <= now + cfg->leeway_seconds;
}

/* The token's payload as JSON; NULL when it is not an object. Caller frees with cJSON_Delete. */
static cJSON *payload_of(jwt_t *jwt)
{
    char *text = jwt_get_grants_json(jwt, NULL);
    cJSON *payload = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsObject(payload)) {
        cJSON_Delete(payload);
        return NULL;
    }
    return payload;
}

/* Our own token: HS256 with our secret, issuer and audience. */
static bool verify_ours(const struct token_config *cfg, const char *token, time_t now,
                        struct claims *out)
{
    jwt_t *jwt = NULL;
    cJSON *payload = NULL;
    bool ok = false;
    if (jwt_decode(&jwt, token, cfg->secret, (int)cfg->secret_len) != 0 || !jwt)
        goto out;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256 || !(payload = payload_of(jwt)))
        goto out;

    const char *iss = jwt_get_grant(jwt, "iss");
    const char *aud = jwt_get_grant(jwt, "aud");
    if (!iss || strcmp(iss, cfg->issuer) != 0 || !aud || strcmp(aud, cfg->audience) != 0)
        goto out;

    long exp, nbf, iat;
    if (!claim_time(payload, "exp", &exp, 0, true) || !claim_time(payload, "nbf", &nbf, 0, true) ||
        !claim_time(payload, "iat", &iat, 0, true) || !times_hold(cfg, now, exp, nbf, iat))
        goto out;

    char role_text[16];
    if (!copy_claim(jwt, "sub", out->sub, sizeof out->sub, true) ||
        !copy_claim(jwt, "name", out->name, sizeof out->name, false) ||
        !copy_claim(jwt, "role", role_text, sizeof role_text, true) ||
        !copy_claim(jwt, "unit", out->unit, sizeof out->unit, false) ||
        !copy_claim(jwt, "enterprise", out->enterprise, sizeof out->enterprise, false))
        goto out;
    out->role = role_parse(role_text);
    if (!scope_matches_role(out))
        goto out;
    if (!claim_bool(payload, "ro", &out->read_only, true)) /* absent: the safer reading */
        goto out;

    /* Tokens from before clients existed carry no "kind": they are users'. */
    const char *kind = jwt_get_grant(jwt, "kind");
    if (!kind || strcmp(kind, "user") == 0) {
        out->kind = PRINCIPAL_USER;
        out->personal_data = true;
    } else if (strcmp(kind, "client") == 0) {
        out->kind = PRINCIPAL_CLIENT;
        if (!claim_bool(payload, "pd", &out->personal_data, false)) /* absent: the safer reading */
            goto out;
    } else {
        goto out; /* "idp" and anything else never come with our signature */
    }
    if (!text_is_uuid(out->sub))
        goto out;
    out->expires_at = exp;
    out->not_before = nbf;
    out->issued_at = iat;
    ok = true;
out:
    cJSON_Delete(payload);
    jwt_free(jwt);
    return ok;
}

/* A string claim of the provider's token copied into dst; absent is "" and fine unless required. */
static bool idp_text(const cJSON *payload, const char *name, char *dst, size_t cap, bool required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, name);
    dst[0] = '\0';
    if (!v || cJSON_IsNull(v))
        return !required;
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0' || strlen(v->valuestring) >= cap)
        return false;
    memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
    return true;
}

/* "aud" is one string or an array of strings (RFC 7519 §4.1.3); ours must be among them. */
static bool idp_audience_ok(const cJSON *payload, const char *audience)
{
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(payload, "aud");
    if (cJSON_IsString(aud))
        return strcmp(aud->valuestring, audience) == 0;
    const cJSON *each;
    cJSON_ArrayForEach(each, aud)
        if (cJSON_IsString(each) && strcmp(each->valuestring, audience) == 0)
            return true;
    return false;
}

/* The unit's GSO code has the length of the role's level: 2 province, 3 district, 5 commune. */
static bool unit_fits_role(const char *unit, role r)
{
    size_t want = r == ROLE_PROVINCE ? 2 : r == ROLE_DISTRICT ? 3 : r == ROLE_COMMUNE ? 5 : 0;
    if (strlen(unit) != want)
        return false;
    for (const char *p = unit; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/*
 * The identity provider's token: its public key, issuer and audience; the principal mapped
 * from its claims (idp_config.claims). Role must be ours, and the unit or enterprise must fit it.
 */
static bool verify_idp(const struct token_config *cfg, const char *token, time_t now,
                       struct claims *out)
{
    const struct idp_config *idp = cfg->idp;
    jwt_alg_t want = strcmp(idp->algorithm, "ES256") == 0 ? JWT_ALG_ES256 : JWT_ALG_RS256;
    jwt_t *jwt = NULL;
    cJSON *payload = NULL;
    bool ok = false;
    if (jwt_decode(&jwt, token, idp->public_key, (int)idp->public_key_len) != 0 || !jwt ||
        jwt_get_alg(jwt) != want || !(payload = payload_of(jwt)))
        goto out;

    const cJSON *iss = cJSON_GetObjectItemCaseSensitive(payload, "iss");
    if (!cJSON_IsString(iss) || strcmp(iss->valuestring, idp->issuer) != 0 ||
        !idp_audience_ok(payload, idp->audience))
        goto out;
    long exp, nbf, iat;
    if (!claim_time(payload, "exp", &exp, 0, true) || !claim_time(payload, "nbf", &nbf, 0, false) ||
        !claim_time(payload, "iat", &iat, 0, false) || !times_hold(cfg, now, exp, nbf, iat))
        goto out;

    char role_text[16], sub[sizeof out->sub];
    const struct idp_claim_map *map = &idp->claims;
    if (!idp_text(payload, map->sub, sub, sizeof sub, true) ||
        !idp_text(payload, map->role, role_text, sizeof role_text, true) ||
        !idp_text(payload, map->unit, out->unit, sizeof out->unit, false) ||
        !idp_text(payload, map->enterprise, out->enterprise, sizeof out->enterprise, false))
        goto out;
    out->role = role_parse(role_text);
    /* The provider speaks for the province's people: never for the whole country. */
    if (!scope_matches_role(out) || out->role == ROLE_NATIONAL)
        goto out;
    if (out->role == ROLE_ENTERPRISE ? out->unit[0] != '\0' || !text_is_uuid(out->enterprise)
                                     : !unit_fits_role(out->unit, out->role))
        goto out;

    /* read_only: a JSON boolean or "true"/"false"; absent means a writing account. */
    const cJSON *ro = cJSON_GetObjectItemCaseSensitive(payload, map->read_only);
    if (cJSON_IsBool(ro))
        out->read_only = cJSON_IsTrue(ro);
    else if (cJSON_IsString(ro) && (strcmp(ro->valuestring, "true") == 0 || strcmp(ro->valuestring, "false") == 0))
        out->read_only = ro->valuestring[0] == 't';
    else if (ro && !cJSON_IsNull(ro))
        goto out;

    out->kind = PRINCIPAL_IDP;
    out->personal_data = true; /* a person of the province's administration, like our users */
    memcpy(out->sub, sub, sizeof sub);
    snprintf(out->name, sizeof out->name, "idp:%s", sub);
    out->expires_at = exp;
    out->not_before = nbf;
    out->issued_at = iat;
    ok = true;
out:
    cJSON_Delete(payload);
    jwt_free(jwt);
    return ok;
}

bool token_verify(const struct token_config *cfg, const char *token, time_t now, struct claims *out)
{
    memset(out, 0, sizeof *out);
    char alg[16];
    if (!token || strlen(token) > TOKEN_MAX_LEN || !header_alg(token, alg, sizeof alg))
        return false;
    bool ok = false;
    if (strcmp(alg, "HS256") == 0)
        ok = verify_ours(cfg, token, now, out);
    else if (cfg->idp && strcmp(alg, cfg->idp->algorithm) == 0)
        ok = verify_idp(cfg, token, now, out);
    /* any other alg ("none", HS384, RS512, or RS256 without a provider) is refused here */
    if (!ok)
        memset(out, 0, sizeof *out);
    return ok;
}
