/* The tables of api/import.c for the fuzz targets (see ../tables.h). */
#include "api/import.c"
#include "../tables.h"

const struct fuzz_fields fuzz_fields_import[] = {
    {"import/units", UNIT_FIELDS, COUNT_OF(UNIT_FIELDS)},
    {"import/enterprises", ENTERPRISE_FIELDS, COUNT_OF(ENTERPRISE_FIELDS)},
    {"import/teams", TEAM_FIELDS, COUNT_OF(TEAM_FIELDS)},
    {"import/members", MEMBER_FIELDS, COUNT_OF(MEMBER_FIELDS)},
    {"import/activities", ACTIVITY_FIELDS, COUNT_OF(ACTIVITY_FIELDS)},
    {NULL, NULL, 0},
};

const struct fuzz_list fuzz_lists_import[] = {
    {NULL, NULL},
};

/*
 * For fuzz_import_json: reads text (NUL-terminated after len) as the import reads a JSON body,
 * with the members import's fields, and reports the data rows read, the errors found and whether
 * it answered 400. Returns read_json's result.
 */
bool fuzz_import_read_json(const char *text, size_t len, long *rows, long *errors, bool *bad_request)
{
    request r = {0};
    r.arena = arena_create();
    r.raw_body = text;
    r.raw_len = len;
    struct run run = {.r = &r, .spec = spec_named("members"), .errors = cJSON_CreateArray()};
    bool ok = read_json(&run);
    *rows = run.rows;
    *errors = run.error_count;
    *bad_request = r.problem == PROBLEM_BAD_REQUEST;
    cJSON_Delete(run.errors);
    buf_free(&run.copy);
    arena_destroy(r.arena);
    return ok;
}
