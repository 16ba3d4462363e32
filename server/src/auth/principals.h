/*
 * auth/principals.h — is the user or client behind a verified token still allowed in?
 *
 * A token stays valid until it expires, but its principal may be stopped sooner: a client
 * revoked, a user disabled, a user's password changed after the token was issued, the account
 * moved to another unit (the token names the old one), the unit of
 * an account or client closed (units.valid_to); and an account or client may be made read-only
 * (or writable) while its token lives. The dispatcher
 * asks here on every authenticated request, after token_verify. The answer comes from a small
 * in-process cache keyed by principal id, refreshed from PostgreSQL when an entry is older than
 * the TTL (at most 30 s), so a change made through any server process takes effect everywhere
 * within 60 s, and at once in the process that made it when the writer calls principals_forget
 * after its commit. Identity-provider principals have no row here and are not checked.
 */
#ifndef CDT_AUTH_PRINCIPALS_H
#define CDT_AUTH_PRINCIPALS_H

#include "auth/token.h"
#include "http/request.h"

enum { PRINCIPAL_CACHE_MAX_SECONDS = 30 };

typedef enum {
    PRINCIPAL_OK,       /* still allowed in */
    PRINCIPAL_REJECTED, /* revoked, disabled, unit closed or changed, password changed since iat, or gone */
    PRINCIPAL_ERROR,    /* the database could not answer; the problem is recorded on r */
} principal_status;

/* Sets the cache's TTL (0 to PRINCIPAL_CACHE_MAX_SECONDS; 0 asks the database every time). */
void principals_init(long ttl_seconds);

/*
 * Checks c (already verified) against its row, through the cache. On PRINCIPAL_OK, sets
 * c->read_only to the row's flag now, which the dispatcher's read-only check then uses.
 * Cannot fail otherwise.
 */
principal_status principals_check(request *r, struct claims *c);

/* Drops what the cache knows about id (a user or client id), so the next check reads the row. */
void principals_forget(const char *id);

/* principals_forget as a request_after_commit hook: arg is the id (arena-owned). */
void principals_forget_hook(void *arg);

/*
 * Forgets every entry, as a request_after_commit hook (arg unused): for a change that may stop
 * principals without naming them, such as a unit closed. Costs one query per principal after.
 */
void principals_forget_all_hook(void *unused);

#endif
