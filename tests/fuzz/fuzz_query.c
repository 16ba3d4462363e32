/*
 * tests/fuzz/fuzz_query.c — list query strings, as every list route reads them.
 *
 * The input is a raw query string (what civetweb hands the dispatcher after '?'). For every list
 * declared in api/ (tables.h), it goes the way api/resource.c's list_run takes it: mg_get_var
 * decoding through query_get, limit and offset through query_count, each declared filter through
 * query_filter_problem, ?sort= through query_order_by and query_keyset, ?after= through
 * query_base64url_decode. Besides the sanitizers, it checks what
 * the server relies on: an accepted filter value has its declared form, an accepted count is in
 * range, and an ORDER BY clause is made only of the declared SQL expressions (no request text
 * ever reaches the SQL). And query_nul_value, which the dispatcher asks before any handler,
 * finds a parameter exactly when civetweb's decoding of some value holds NUL.
 */
#include <civetweb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/query.h"
#include "http/request.h"
#include "tables.h"
#include "util/utf8.h"

#define REQUIRE(cond)                                                                             \
    do {                                                                                          \
        if (!(cond))                                                                              \
            abort();                                                                              \
    } while (0)

/* True when out is "k1 ASC|DESC, k2 ASC|DESC, ..., tiebreak" over the declared keys only. */
static bool only_declared_sql(const char *out, const struct list_spec *spec)
{
    while (strcmp(out, spec->tiebreak) != 0) {
        bool matched = false;
        for (size_t i = 0; i < spec->nsorts && !matched; i++) {
            size_t n = strlen(spec->sorts[i].sql);
            if (strncmp(out, spec->sorts[i].sql, n) != 0)
                continue;
            if (strncmp(out + n, " ASC, ", 6) == 0)
                out += n + 6, matched = true;
            else if (strncmp(out + n, " DESC, ", 7) == 0)
                out += n + 7, matched = true;
        }
        if (!matched)
            return false;
    }
    return true;
}

static bool in_choices(const char *v, const char *const *choices)
{
    for (; *choices; choices++)
        if (strcmp(v, *choices) == 0)
            return true;
    return false;
}

static void check_list(request *r, const struct list_spec *spec)
{
    long n;
    const char *v = query_get(r, "limit");
    if (v && query_count(v, 1, 1000, &n))
        REQUIRE(n >= 1 && n <= 1000);
    v = query_get(r, "offset");
    if (v && query_count(v, 0, 1000000000L, &n))
        REQUIRE(n >= 0 && n <= 1000000000L);

    for (size_t i = 0; i < spec->nfilters; i++) {
        const struct filter *f = &spec->filters[i];
        v = query_get(r, f->name);
        if (!v || query_filter_problem(f, v))
            continue;
        REQUIRE(utf8_valid(v, strlen(v)) && utf8_length(v) <= QUERY_VALUE_MAX);
        switch (f->type) {
        case FIELD_UUID:
            REQUIRE(text_is_uuid(v));
            break;
        case FIELD_DATE:
            REQUIRE(text_is_date(v));
            break;
        case FIELD_BOOL:
            REQUIRE(strcmp(v, "true") == 0 || strcmp(v, "false") == 0);
            break;
        case FIELD_ENUM:
            REQUIRE(in_choices(v, f->choices));
            break;
        default:
            break;
        }
    }

    /* ?after=: any text decodes to bytes or is refused, never past what it holds. */
    v = query_get(r, "after");
    if (v) {
        buf raw = {0};
        if (query_base64url_decode(v, &raw))
            REQUIRE(raw.data && raw.len <= strlen(v) * 3 / 4 + 1);
        buf_free(&raw);
    }

    if (!spec->sorts)
        return;
    const char *asked = query_get(r, "sort");
    const char *sort = asked && *asked ? asked : spec->default_sort;
    buf order = {0}, place = {0}, after = {0};
    bool ordered = query_order_by(sort, spec->sorts, spec->nsorts, spec->tiebreak, &order);
    if (ordered)
        REQUIRE(order.data && only_declared_sql(order.data, spec));
    /* The keyset's SQL is made from the same keys: it exists exactly when the order does. */
    REQUIRE(query_keyset(sort, spec->sorts, spec->nsorts, spec->tiebreak, spec->tiebreak_type, 5, &place, &after) ==
            ordered);
    buf_free(&order);
    buf_free(&place);
    buf_free(&after);
}

/* True when civetweb's decoder turns some value of the query into text holding NUL. */
static bool some_value_decodes_to_nul(const char *query)
{
    for (const char *p = query; *p;) {
        size_t pair = strcspn(p, "&"), name = strcspn(p, "=&");
        if (name < pair) {
            size_t n = pair - name - 1;
            char *v = malloc(n + 1);
            int got = mg_url_decode(p + name + 1, (int)n, v, (int)n + 1, 1);
            bool nul = got > 0 && memchr(v, '\0', (size_t)got);
            free(v);
            if (nul)
                return true;
        }
        p += pair;
        if (*p == '&')
            p++;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > QUERY_MAX_BYTES)
        return 0; /* the dispatcher answers 414 before any handler sees it */
    char *query = malloc(size + 1);
    memcpy(query, data, size);
    query[size] = '\0'; /* civetweb's query_string is a C string: it ends at the first NUL */

    size_t at, len;
    bool found = query_nul_value(query, &at, &len);
    REQUIRE(found == some_value_decodes_to_nul(query));
    REQUIRE(!found || (at + len <= size && (query[at + len] == '=')));

    size_t nlists;
    const struct fuzz_list *lists = fuzz_all_lists(&nlists);
    request r = {0};
    r.query = query;
    r.arena = arena_create();
    for (size_t i = 0; i < nlists; i++)
        check_list(&r, lists[i].spec);
    arena_destroy(r.arena);
    free(query);
    return 0;
}
