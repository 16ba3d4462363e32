/*
 * auth/password.c — yescrypt through libxcrypt's crypt_gensalt_rn and crypt_rn.
 */
#include "auth/password.h"

#include <crypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A hash made once per process, checked against when the user does not exist. */
static char *decoy_hash;
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void make_decoy(void)
{
    decoy_hash = password_hash("decoy password never accepted");
}

char *password_hash(const char *password)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt))
        return NULL;
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return NULL;
    char *out = NULL;
    const char *h = crypt_rn(password, salt, data, sizeof *data);
    if (h && h[0] != '*')
        out = strdup(h);
    free(data);
    return out;
}

static bool equal_constant_time(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0;
}

bool password_verify(const char *password, const char *hash)
{
    bool known = hash && hash[0] == '$';
    pthread_once(&decoy_once, make_decoy);
    struct crypt_data *data = calloc(1, sizeof *data);
    if (!data)
        return false;
    const char *h = crypt_rn(password ? password : "", known ? hash : (decoy_hash ? decoy_hash : "$y$"), data, sizeof *data);
    bool ok = known && h && h[0] != '*' && equal_constant_time(h, hash);
    free(data);
    return ok;
}

const char *password_rule_violation(const char *password)
{
    size_t n = strlen(password);
    if (n < 8)
        return "must be at least 8 characters";
    if (n > 256)
        return "must be at most 256 characters";
    return NULL;
}
