/*
 * auth/principals.c — the principal check behind every authenticated request (see principals.h).
 *
 * The cache is a fixed table of slots chosen by a hash of the id, under one mutex: a miss or a
 * collision only costs a query, so there is no eviction policy to get wrong and memory is
 * bounded. The mutex is never held across a query: two requests may both refresh one entry,
 * and the later write wins, which is harmless since both read committed rows.
 */
#include "auth/principals.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "http/validate.h"

/*
 * Both: $1 = id -> (blocked, password_changed_at in whole epoch seconds or 0, read_only,
 * unit key or '', enterprise id or ''); no row: gone. Blocked: disabled or revoked, or its unit (an enterprise's: the enterprise's
 * unit) closed, by unit_open(), the one definition of "open today" (sql/functions/05_units.sql).
 * read_only is read here, not taken from the token, because it can change while a token lives
 * (an hour by default) and the dispatcher's read-only check must see the change. The unit and
 * enterprise are compared with the token's: an account moved to another unit, or left on a
 * version whose code passed to a new unit, must sign in again to act for where it is now.
 */
static const char SQL_USER[] =
    "SELECT u.disabled OR NOT unit_open((SELECT valid_to FROM units WHERE code = user_unit(u))),"
    "       floor(extract(epoch FROM u.password_changed_at))::bigint, u.read_only,"
    "       coalesce(u.unit_code, ''), coalesce(u.enterprise_id::text, '')"
    "  FROM users u WHERE u.id = $1::uuid";

static const char SQL_CLIENT[] =
    "SELECT c.revoked_at IS NOT NULL"
    "       OR NOT unit_open((SELECT valid_to FROM units WHERE code = api_client_unit(c))),"
    "       0, c.read_only, coalesce(c.unit_code, ''), coalesce(c.enterprise_id::text, '')"
    "  FROM api_clients c WHERE c.id = $1::uuid";

enum { SLOTS = 4096 };

struct entry {
    char id[40];           /* UUID text; "" for a free slot */
    principal_kind kind;
    bool blocked;          /* gone, disabled, revoked, or its unit closed */
    long changed_at;       /* users: password_changed_at (epoch s); tokens older are refused */
    bool read_only;        /* the account's or client's flag now */
    char unit[24];         /* the row's unit key now, as the token's "unit" claim holds it */
    char enterprise[40];   /* the row's enterprise id now, as the token's "enterprise" claim holds it */
    struct timespec fetched;
};

static struct entry slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long ttl = PRINCIPAL_CACHE_MAX_SECONDS;

void principals_init(long ttl_seconds)
{
    ttl = ttl_seconds < 0 ? 0 : ttl_seconds > PRINCIPAL_CACHE_MAX_SECONDS ? PRINCIPAL_CACHE_MAX_SECONDS : ttl_seconds;
}

static size_t slot_of(const char *id)
{
    unsigned long h = 14695981039346656037UL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211UL;
    return (size_t)(h % SLOTS);
}

static double seconds_since(const struct timespec *then)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - then->tv_sec) + (double)(now.tv_nsec - then->tv_nsec) / 1e9;
}

/* Copies a fresh cached entry for (kind, id) into out; false on a miss or a stale entry. */
static bool cache_get(principal_kind kind, const char *id, struct entry *out)
{
    if (ttl == 0)
        return false;
    struct entry *e = &slots[slot_of(id)];
    bool hit = false;
    pthread_mutex_lock(&lock);
    if (e->kind == kind && strcmp(e->id, id) == 0 && seconds_since(&e->fetched) < (double)ttl) {
        *out = *e;
        hit = true;
    }
    pthread_mutex_unlock(&lock);
    return hit;
}

static void cache_put(const struct entry *fresh)
{
    if (ttl == 0)
        return;
    pthread_mutex_lock(&lock);
    slots[slot_of(fresh->id)] = *fresh;
    pthread_mutex_unlock(&lock);
}

void principals_forget(const char *id)
{
    if (!id)
        return;
    struct entry *e = &slots[slot_of(id)];
    pthread_mutex_lock(&lock);
    if (strcmp(e->id, id) == 0)
        memset(e, 0, sizeof *e);
    pthread_mutex_unlock(&lock);
}

void principals_forget_hook(void *arg)
{
    principals_forget(arg);
}

void principals_forget_all_hook(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    memset(slots, 0, sizeof slots);
    pthread_mutex_unlock(&lock);
}

/* Copies src into dst when it fits (with its NUL); false otherwise, leaving dst empty. */
static bool copy_if_fits(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        dst[0] = '\0';
        return false;
    }
    memcpy(dst, src, n + 1);
    return true;
}

/* Reads the principal's row into e; false after recording the database's problem on r. */
static bool fetch(request *r, principal_kind kind, const char *id, struct entry *e)
{
    const char *param = id;
    PGresult *res = db_query(r, kind == PRINCIPAL_CLIENT ? SQL_CLIENT : SQL_USER, 1, &param);
    if (!res)
        return false;
    memset(e, 0, sizeof *e);
    memcpy(e->id, id, strlen(id) + 1); /* a UUID: principals_check checked it fits */
    e->kind = kind;
    if (PQntuples(res) == 0) {
        e->blocked = true;
    } else {
        e->blocked = strcmp(db_value(res, 0), "t") == 0;
        e->changed_at = atol(db_value(res, 1));
        e->read_only = strcmp(db_value(res, 2), "t") == 0;
        /* A key too long for the token's field can never match: such a row is blocked. */
        e->blocked |= !copy_if_fits(e->unit, sizeof e->unit, db_value(res, 3)) ||
                      !copy_if_fits(e->enterprise, sizeof e->enterprise, db_value(res, 4));
    }
    clock_gettime(CLOCK_MONOTONIC, &e->fetched);
    return true;
}

principal_status principals_check(request *r, struct claims *c)
{
    if (c->kind == PRINCIPAL_IDP)
        return PRINCIPAL_OK; /* the provider answers for its people; nothing of ours to check */
    if (!text_is_uuid(c->sub))
        return PRINCIPAL_REJECTED;
    struct entry e;
    if (!cache_get(c->kind, c->sub, &e)) {
        if (!fetch(r, c->kind, c->sub, &e))
            return PRINCIPAL_ERROR;
        cache_put(&e);
    }
    if (e.blocked)
        return PRINCIPAL_REJECTED;
    /* A token issued before the password last changed belongs to the old password. */
    if (c->kind == PRINCIPAL_USER && c->issued_at < e.changed_at)
        return PRINCIPAL_REJECTED;
    /* The token acts for the unit it was issued for; the account may since have moved. */
    if (strcmp(c->unit, e.unit) != 0 || strcmp(c->enterprise, e.enterprise) != 0)
        return PRINCIPAL_REJECTED;
    c->read_only = e.read_only; /* the flag now, both ways: the token's "ro" is what it was at issue */
    return PRINCIPAL_OK;
}
