/*
 * auth/password.h — password hashing with yescrypt (libxcrypt), and verification.
 */
#ifndef CDT_AUTH_PASSWORD_H
#define CDT_AUTH_PASSWORD_H

#include <stdbool.h>

/* Returns a new "$y$..." hash; caller frees with free(). NULL if libxcrypt fails. */
char *password_hash(const char *password);

/*
 * True when password matches hash. With hash NULL (unknown user) it still spends the time of a
 * real check against a fixed hash, so the answer's timing does not tell which case it was.
 */
bool password_verify(const char *password, const char *hash);

/* NULL if acceptable, else a message naming the rule it breaks. Static. */
const char *password_rule_violation(const char *password);

#endif
