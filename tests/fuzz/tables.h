/*
 * tests/fuzz/tables.h — the field tables and list declarations of every api/ file, for the fuzz
 * targets, without touching the api/ files themselves.
 *
 * The tables are `static` in their resource files (STYLE.md: one file per resource). Each
 * tables/<file>.c includes api/<file>.c whole, so it compiles the real tables, and publishes them
 * here. It defines every external symbol of that api file too, so the linker takes those from it
 * and never from libcdt.a: the fuzz binaries hold one copy of each. A table renamed in api/
 * breaks the fuzz build, which is the point: the fuzzers always see the tables the server uses.
 */
#ifndef CDT_TESTS_FUZZ_TABLES_H
#define CDT_TESTS_FUZZ_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "api/resource.h"

struct fuzz_fields {
    const char *name; /* "teams", "import/members", ... */
    const struct field *fields;
    size_t nfields;
};

struct fuzz_list {
    const char *name;
    const struct list_spec *spec; /* filters, sort keys, default sort and tiebreak */
};

/* X(file) for every api/<file>.c that declares a field table or list parameters. */
#define FUZZ_TABLE_FILES(X)                                                                       \
    X(activities) X(audit) X(auth) X(clients) X(deadlines) X(enterprises) X(import) X(members)    \
    X(reports) X(rules) X(stats) X(teams) X(units) X(users)

/* Per file: NULL-name-terminated arrays (either may be just the terminator). */
#define FUZZ_DECLARE(file)                                                                        \
    extern const struct fuzz_fields fuzz_fields_##file[];                                         \
    extern const struct fuzz_list fuzz_lists_##file[];
FUZZ_TABLE_FILES(FUZZ_DECLARE)
#undef FUZZ_DECLARE

/*
 * A JSON body as http/router.c takes it: false when it would never reach the parser (invalid
 * UTF-8, a NUL byte, nesting deeper than JSON_MAX_DEPTH); else true with a NUL-terminated copy in
 * *copy (caller frees with free) and cJSON's parse of the whole of it in *parsed (NULL when cJSON
 * refuses it; caller frees with cJSON_Delete).
 */
struct cJSON;
bool fuzz_router_body(const char *text, size_t len, char **copy, struct cJSON **parsed);

/* The import's JSON reader (api/import.c, read_json) over text, for fuzz_import_json. */
bool fuzz_import_read_json(const char *text, size_t len, long *rows, long *errors, bool *bad_request);

/* Every table of every file, flattened on first use. Borrowed; static. */
const struct fuzz_fields *fuzz_all_fields(size_t *count);
const struct fuzz_list *fuzz_all_lists(size_t *count);

#endif
