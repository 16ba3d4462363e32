/*
 * api/deadlines.c — /api/v1/deadlines: deadlines issued down the hierarchy, and their targets.
 *
 * A province or district issues a deadline to every open unit of a level (or every enterprise)
 * inside a unit of its scope; creating it materializes one target row each. Targets are
 * completed by themselves (or by the issuer on their behalf) and reopened by the issuer; a
 * team_setup target also completes by itself when its commune or enterprise has a compliant
 * team (triggers in sql/migrations/004_deadlines.sql). Statuses are derived in SQL at app_now().
 *
 * Who sees what (all in SQL: deadlines_visible, deadline_targets_in_scope, deadline_issuer,
 * in_scope; sql/functions/30_deadlines.sql):
 *   - a deadline is visible when its scope_unit is in the caller's subtree or one of its targets
 *     is (a district sees the province's deadline to its communes); otherwise 404, on every
 *     method. Of its targets, the caller sees those in its scope (all of them for the issuer, a
 *     district's communes, its own for a commune or enterprise), and the deadline's counts and
 *     status are taken over those;
 *   - its issuer (a caller whose unit is issued_by_unit or above) edits, deletes, reopens and
 *     completes on a target's behalf; anyone else who sees it gets 403 for those;
 *   - a target's own account completes it; another target's account gets 404 for it.
 *
 * Recurring deadlines: reads call deadlines_roll() first, in a statement of its own, so that
 * every series holds exactly one period after its current one.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/resource.h"
#include "db/db.h"

static const char SQL_ROLL[] = "SELECT deadlines_roll()";

static const char SQL_LIST[] =
    "SELECT d.* FROM deadlines_visible($1, $2::uuid) d"
    "  WHERE ($5::text IS NULL OR d.kind = $5)"
    "    AND ($6::text IS NULL OR deadline_status($1, $2::uuid, d) = $6)"
    "    AND ($7::date IS NULL OR d.due_on >= $7::date)"
    "    AND ($8::date IS NULL OR d.due_on <= $8::date)";

/* ?mine=true: the caller's own targets, one per deadline; each item is its deadline with it. */
static const char SQL_MINE[] =
    "SELECT t.*, d.due_on, d.title, d.created_at AS deadline_created_at,"
    "       target_status(t.completed_at, d.due_on) AS status"
    "  FROM deadline_targets t JOIN deadlines d ON d.id = t.deadline_id"
    "  WHERE (t.unit_code = $1 OR t.enterprise_id = $2::uuid)"
    "    AND ($5::text IS NULL OR d.kind = $5)"
    "    AND ($6::text IS NULL OR target_status(t.completed_at, d.due_on) = $6)"
    "    AND ($7::date IS NULL OR d.due_on >= $7::date)"
    "    AND ($8::date IS NULL OR d.due_on <= $8::date)";

/* The targets of one deadline ($5) that are in the caller's scope. */
static const char SQL_TARGETS[] =
    "SELECT t.*, coalesce(u.name, e.name) AS target_name,"
    "       target_status(t.completed_at, d.due_on) AS status"
    "  FROM deadline_targets_in_scope($1, $2::uuid, $5::uuid) t JOIN deadlines d ON d.id = t.deadline_id"
    "       LEFT JOIN units u ON u.code = t.unit_code"
    "       LEFT JOIN enterprises e ON e.id = t.enterprise_id"
    "  WHERE ($6::text IS NULL OR target_status(t.completed_at, d.due_on) = $6)"
    "    AND ($7::text IS NULL OR in_subtree(coalesce(t.unit_code, e.unit_code), $7))";

static const char SQL_GET[] =
    "SELECT deadline_doc($1, $2::uuid, d)::text, d.version FROM deadlines_visible($1, $2::uuid) d"
    " WHERE d.id = $3::uuid";

/* Visible deadlines only; says whether the caller is its issuer. */
static const char SQL_ACCESS[] =
    "SELECT deadline_issuer($1, $2::uuid, d) FROM deadlines_visible($1, $2::uuid) d"
    " WHERE d.id = $3::uuid";

static const char SQL_LOCK[] =
    "SELECT d.version, d.scope_unit, NULL FROM deadlines d"
    " WHERE d.id = $3::uuid AND deadline_issuer($1, $2::uuid, d) FOR UPDATE";

/* The issuing unit's level decides which levels it may target; the scope unit must exist. */
static const char SQL_CREATE_CHECK[] =
    "SELECT array_position(ARRAY['province', 'district', 'commune', 'enterprise'], $4)"
    "         > array_position(ARRAY['province', 'district', 'commune', 'enterprise'],"
    "                          (SELECT u.level FROM units u WHERE u.code = $1)),"
    "       EXISTS (SELECT 1 FROM units u WHERE u.code = $3),"
    "       in_scope($1, $2::uuid, $3, NULL)";

static const char SQL_INSERT[] =
    "INSERT INTO deadlines (title, description, kind, due_on, issued_by_unit, target_level,"
    "                       scope_unit, recurrence, series_anchor, series_period)"
    " SELECT x.title, x.description, x.kind, x.due_on, $1, x.target_level, x.scope_unit,"
    "        coalesce(x.recurrence, 'none'),"
    "        CASE WHEN coalesce(x.recurrence, 'none') <> 'none' THEN x.due_on END,"
    "        CASE WHEN coalesce(x.recurrence, 'none') <> 'none' THEN 0 END"
    "   FROM jsonb_populate_record(NULL::deadlines, $3::jsonb) x"
    "  WHERE in_scope($1, $2::uuid, x.scope_unit, NULL)"
    " RETURNING id, scope_unit";

static const char SQL_MATERIALIZE[] = "SELECT deadline_materialize($1::uuid)";

static const char SQL_EVALUATE[] = "SELECT team_setup_refresh(ARRAY[$1::uuid], NULL, NULL)";

static const char SQL_UPDATE[] =
    "UPDATE deadlines d SET title = x.title, description = x.description, due_on = x.due_on,"
    "       version = d.version + 1, updated_at = now()"
    "  FROM deadlines c, jsonb_populate_record(c, $3::jsonb) x"
    " WHERE c.id = $4::uuid AND d.id = c.id AND deadline_issuer($1, $2::uuid, c)"
    " RETURNING d.id, d.scope_unit, NULL";

/* This period and every later one of its series; the series then ends at the period before. */
static const char SQL_DELETE[] =
    "WITH RECURSIVE chain AS ("
    "    SELECT id FROM deadlines WHERE id = $1::uuid"
    "    UNION ALL SELECT n.id FROM deadlines n JOIN chain c ON n.previous_id = c.id),"
    " ended AS (UPDATE deadlines p SET series_ended = true FROM deadlines d"
    "            WHERE d.id = $1::uuid AND p.id = d.previous_id RETURNING p.id)"
    " DELETE FROM deadlines WHERE id IN (SELECT id FROM chain)";

/*
 * The target a complete or reopen is about, locked: $3 the deadline; $4 / $5 the unit or
 * enterprise named in the body, or (both NULL) the caller's own. Columns: id, version, done,
 * own (the caller's own target), visible (in the caller's scope), unit, enterprise.
 */
static const char SQL_TARGET[] =
    "SELECT t.id, t.version, t.completed_at IS NOT NULL,"
    "       coalesce(t.unit_code = $1, false) OR coalesce(t.enterprise_id = $2::uuid, false),"
    "       in_scope($1, $2::uuid, coalesce(t.unit_code, e.unit_code), t.enterprise_id),"
    "       coalesce(t.unit_code, e.unit_code), t.enterprise_id"
    "  FROM deadline_targets t LEFT JOIN enterprises e ON e.id = t.enterprise_id"
    " WHERE t.deadline_id = $3::uuid"
    "   AND CASE WHEN $4::text IS NULL AND $5::uuid IS NULL"
    "            THEN t.unit_code = $1 OR t.enterprise_id = $2::uuid"
    "            ELSE t.unit_code = $4 OR t.enterprise_id = $5::uuid END"
    " FOR UPDATE OF t";

/* $1 target, $2 username, $3 note, $4 link -> (doc, version, audit changes). */
static const char SQL_COMPLETE[] =
    "UPDATE deadline_targets t SET completed_at = app_now(), completed_by = $2, note = $3, link = $4,"
    "       version = t.version + 1, updated_at = now()"
    " WHERE t.id = $1::uuid"
    " RETURNING deadline_target_doc(t)::text, t.version,"
    "           json_build_object('target_id', t.id, 'unit_code', t.unit_code,"
    "                             'enterprise_id', t.enterprise_id, 'completed_at', t.completed_at,"
    "                             'note', t.note, 'link', t.link)::text";

/* $1 target, $2 note (NULL keeps it) -> (doc, version, audit changes). */
static const char SQL_REOPEN[] =
    "UPDATE deadline_targets t SET completed_at = NULL, completed_by = NULL,"
    "       note = coalesce($2, t.note), version = t.version + 1, updated_at = now()"
    "  FROM deadline_targets o"
    " WHERE t.id = $1::uuid AND o.id = t.id"
    " RETURNING deadline_target_doc(t)::text, t.version,"
    "           json_build_object('target_id', t.id, 'unit_code', t.unit_code,"
    "                             'enterprise_id', t.enterprise_id, 'was_completed_at', o.completed_at,"
    "                             'was_completed_by', o.completed_by, 'note', $2::text)::text";

static const char *const KINDS[] = {"team_setup", "report", "other", NULL};
static const char *const LEVELS[] = {"district", "commune", "enterprise", NULL};
static const char *const RECURRENCES[] = {"none", "monthly", "quarterly", NULL};
static const char *const STATUSES[] = {"pending", "overdue", "done", NULL};

/* An absolute http(s) URL with a host and no spaces or control characters. */
static const char *check_link(const char *v)
{
    size_t scheme = strncasecmp(v, "https://", 8) == 0 ? 8 : strncasecmp(v, "http://", 7) == 0 ? 7 : 0;
    if (scheme == 0 || v[scheme] == '\0' || v[scheme] == '/')
        return "must be an http:// or https:// address";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "must not contain spaces or control characters";
    return NULL;
}

static const struct field FIELDS[] = {
    {"id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"title", FIELD_STRING, FIELD_REQUIRED, 1, 200, NULL, NULL},
    {"description", FIELD_STRING, 0, 0, 4000, NULL, NULL},
    {"kind", FIELD_ENUM, FIELD_REQUIRED | FIELD_IMMUTABLE, 0, 0, KINDS, NULL},
    {"due_on", FIELD_DATE, FIELD_REQUIRED, 0, 0, NULL, NULL},
    {"issued_by_unit", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"target_level", FIELD_ENUM, FIELD_REQUIRED | FIELD_IMMUTABLE, 0, 0, LEVELS, NULL},
    {"scope_unit", FIELD_STRING, FIELD_REQUIRED | FIELD_IMMUTABLE, 0, 0, NULL, check_unit_code},
    {"recurrence", FIELD_ENUM, FIELD_IMMUTABLE, 0, 0, RECURRENCES, NULL},
    {"previous_id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"next_id", FIELD_UUID, FIELD_READONLY, 0, 0, NULL, NULL},
    {"targets", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"version", FIELD_INT, FIELD_READONLY, 0, 0, NULL, NULL},
    {"created_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
    {"updated_at", FIELD_STRING, FIELD_READONLY, 0, 0, NULL, NULL},
};

static const struct field COMPLETE_FIELDS[] = {
    {"note", FIELD_STRING, 0, 0, 2000, NULL, NULL},
    {"link", FIELD_STRING, 0, 0, 500, NULL, check_link},
    {"unit_code", FIELD_STRING, 0, 0, 0, NULL, check_unit_code},
    {"enterprise_id", FIELD_UUID, 0, 0, 0, NULL, NULL},
};

static const struct field REOPEN_FIELDS[] = {
    {"unit_code", FIELD_STRING, 0, 0, 0, NULL, check_unit_code},
    {"enterprise_id", FIELD_UUID, 0, 0, 0, NULL, NULL},
    {"note", FIELD_STRING, 0, 0, 2000, NULL, NULL},
};

static const struct filter FILTER_LEVEL = {"target_level", FIELD_ENUM, LEVELS};

static const struct filter FILTERS[] = {
    {"kind", FIELD_ENUM, KINDS},
    {"status", FIELD_ENUM, STATUSES},
    {"from", FIELD_DATE, NULL},
    {"to", FIELD_DATE, NULL},
};

static const struct filter TARGET_FILTERS[] = {
    {"deadline", FIELD_UUID, NULL}, /* always the one in the path */
    {"status", FIELD_ENUM, STATUSES},
    {"unit", FIELD_STRING, NULL},
};

static const struct sort_key SORTS[] = {
    {"due_on", "f.due_on", "date"},
    {"title", "f.title", "text"},
    {"created_at", "f.created_at", "timestamptz"},
};

/* Overdue first, then pending, then done: what is most urgent comes first. */
#define STATUS_ORDER "array_position(ARRAY['overdue', 'pending', 'done'], f.status)"

static const struct sort_key MINE_SORTS[] = {
    {"due_on", "f.due_on", "date"},
    {"title", "f.title", "text"},
    {"created_at", "f.deadline_created_at", "timestamptz"},
    {"status", STATUS_ORDER, "integer"},
};

static const struct sort_key TARGET_SORTS[] = {
    {"unit_code", "f.unit_code", "text"},
    {"name", "f.target_name", "text"},
    {"status", STATUS_ORDER, "integer"},
    {"completed_at", "f.completed_at", "timestamptz"},
};

#define DEADLINE_CSV_COLUMNS                                                                       \
    "id", "title", "description", "kind", "due_on", "issued_by_unit", "target_level", "scope_unit", \
        "recurrence", "previous_id", "next_id", "targets.total", "targets.pending",                \
        "targets.overdue", "targets.done_on_time", "targets.done_late", "version", "created_at",   \
        "updated_at"

static const char *const CSV_COLUMNS[] = {DEADLINE_CSV_COLUMNS, NULL};

static const char *const MINE_CSV_COLUMNS[] = {
    DEADLINE_CSV_COLUMNS, "my_target.id", "my_target.status", "my_target.completed_at",
    "my_target.on_time", "my_target.completed_by", "my_target.note", "my_target.link", NULL,
};

static const char *const TARGET_CSV_COLUMNS[] = {
    "id", "deadline_id", "unit_code", "unit_name", "enterprise_id", "enterprise_name", "status",
    "completed_at", "on_time", "completed_by", "note", "link", "version", NULL,
};

static const struct list_spec LIST = {
    .filtered = SQL_LIST,
    .table = "deadlines",
    .key = "id",
    .doc = "deadline_doc($1, $2::uuid, x)",
    .csv_columns = CSV_COLUMNS,
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "due_on",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
};

static const struct list_spec MINE = {
    .filtered = SQL_MINE,
    .table = "deadline_targets",
    .key = "id",
    .doc = "deadline_mine_doc($1, $2::uuid, x)",
    .csv_columns = MINE_CSV_COLUMNS,
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = MINE_SORTS,
    .nsorts = COUNT_OF(MINE_SORTS),
    .default_sort = "status,due_on",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
};

static const struct list_spec TARGETS = {
    .filtered = SQL_TARGETS,
    .table = "deadline_targets",
    .key = "id",
    .doc = "deadline_target_doc(x)",
    .csv_columns = TARGET_CSV_COLUMNS,
    .filters = TARGET_FILTERS,
    .nfilters = COUNT_OF(TARGET_FILTERS),
    .sorts = TARGET_SORTS,
    .nsorts = COUNT_OF(TARGET_SORTS),
    .default_sort = "unit_code,name",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
};

static const struct reference REFS[] = {
    {"scope_unit", "SELECT 1 FROM units WHERE code = $1"},
};

/* Create, complete and reopen are focused handlers below; PATCH, GET and DELETE are generic. */
static const struct resource DEADLINES = {
    .name = "deadlines",
    .fields = FIELDS,
    .nfields = COUNT_OF(FIELDS),
    .refs = REFS,
    .nrefs = COUNT_OF(REFS),
    .sql_get = SQL_GET,
    .sql_lock = SQL_LOCK,
    .sql_update = SQL_UPDATE,
    .sql_delete = SQL_DELETE,
    .location = "/api/v1/deadlines/%s",
};

static const char *body_string(const request *r, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->body, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is_true(const PGresult *res, int col)
{
    const char *v = db_value(res, col);
    return v && strcmp(v, "t") == 0;
}

/* Records a 422 naming one field; returns API_FAILED. */
static int field_fail(request *r, const char *field, const char *message)
{
    request_field_error(r, field, message);
    request_fields_ok_or_fail(r);
    return API_FAILED;
}

static char *body_text(request *r)
{
    char *printed = cJSON_PrintUnformatted(r->body);
    if (!printed)
        abort(); /* cJSON fails only on allocation */
    char *text = arena_strdup(r->arena, printed);
    cJSON_free(printed);
    return text;
}

/* Every series gets its next period before a read; its own statement on GET (no transaction). */
static bool rolled_or_fail(request *r)
{
    return db_query(r, SQL_ROLL, 0, NULL) != NULL;
}

/* 404 unless the deadline in the path is visible to the caller; *issuer says if it issued it. */
static bool visible_or_fail(request *r, bool *issuer)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return false;
    const char *params[3];
    actor_params(r, params);
    params[2] = r->params[0];
    PGresult *res = db_query(r, SQL_ACCESS, 3, params);
    if (!res)
        return false;
    if (PQntuples(res) == 0) {
        request_fail(r, PROBLEM_NOT_FOUND, "No deadline with this id in your scope");
        return false;
    }
    *issuer = is_true(res, 0);
    return true;
}

/* As visible_or_fail, then 403 unless the caller is the deadline's issuer (or above it). */
static bool issuer_or_fail(request *r, const char *what)
{
    bool issuer = false;
    if (!visible_or_fail(r, &issuer))
        return false;
    if (!issuer) {
        request_fail(r, PROBLEM_FORBIDDEN, "Only the unit that issued this deadline (or one above it) may %s", what);
        return false;
    }
    return true;
}

int deadlines_list(request *r)
{
    const char *mine = query_get(r, "mine");
    if (mine && *mine && strcmp(mine, "true") != 0 && strcmp(mine, "false") != 0)
        return field_fail(r, "mine", "must be true or false");
    if (!rolled_or_fail(r))
        return API_FAILED;
    return list_run(r, mine && strcmp(mine, "true") == 0 ? &MINE : &LIST, NULL, NULL);
}

int deadlines_get(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]) || !rolled_or_fail(r))
        return API_FAILED;
    return resource_get(r, &DEADLINES, r->params[0]);
}

int deadlines_create(request *r)
{
    if (r->claims->role == ROLE_NATIONAL)
        return request_fail(r, PROBLEM_FORBIDDEN, "Deadlines are issued by a province or a district account");
    /* Every bad field in one answer: the table's checks, then those that need the database. */
    body_valid_or_fail(r, r->body, FIELDS, COUNT_OF(FIELDS), VALIDATE_CREATE); /* errors stay recorded */
    const char *params[4];
    actor_params(r, params);
    params[2] = body_string(r, "scope_unit");
    params[3] = body_string(r, "target_level");
    bool scope_formed = params[2] && !check_unit_code(params[2]);
    bool level_known = params[3] && !query_filter_problem(&FILTER_LEVEL, params[3]);
    PGresult *check = NULL;
    if (scope_formed || level_known) {
        if (!(check = db_query(r, SQL_CREATE_CHECK, 4, params)))
            return API_FAILED;
        if (level_known && !is_true(check, 0))
            request_field_error(r, "target_level",
                                "must be a level below the issuing unit's (a district issues to "
                                "communes and enterprises)");
        if (scope_formed && !is_true(check, 1))
            request_field_error(r, "scope_unit", "refers to a unit that does not exist");
    }
    if (!request_fields_ok_or_fail(r))
        return API_FAILED;
    if (!is_true(check, 2))
        return request_fail(r, PROBLEM_FORBIDDEN, "The scope unit is outside your scope");

    const char *text = body_text(r);
    params[2] = text;
    PGresult *row = db_query(r, SQL_INSERT, 3, params);
    if (!row)
        return API_FAILED;
    if (PQntuples(row) == 0)
        return request_fail(r, PROBLEM_FORBIDDEN, "The scope unit is outside your scope");
    const char *id = arena_strdup(r->arena, db_value(row, 0));
    const char *scope = arena_strdup(r->arena, db_value(row, 1));

    PGresult *made = db_query(r, SQL_MATERIALIZE, 1, &id);
    if (!made)
        return API_FAILED;
    if (atol(db_value(made, 0)) == 0)
        return field_fail(r, "scope_unit",
                          arena_printf(r->arena, "has no open %s inside it to target", params[3]));
    if (!db_query(r, SQL_EVALUATE, 1, &id) || !rolled_or_fail(r))
        return API_FAILED;
    if (!audit_record(r, "create", DEADLINES.name, id, scope, NULL, text))
        return API_FAILED;
    if (resource_get(r, &DEADLINES, id) == API_FAILED)
        return API_FAILED;
    r->location = arena_printf(r->arena, DEADLINES.location, id);
    return 201;
}

int deadlines_update(request *r)
{
    if (!issuer_or_fail(r, "change it"))
        return API_FAILED;
    return resource_update(r, &DEADLINES, r->params[0]);
}

int deadlines_delete(request *r)
{
    if (!issuer_or_fail(r, "delete it"))
        return API_FAILED;
    return resource_delete(r, &DEADLINES, r->params[0]);
}

int deadlines_targets(request *r)
{
    bool issuer;
    if (!visible_or_fail(r, &issuer))
        return API_FAILED;
    return list_run(r, &TARGETS, "deadline", r->params[0]);
}

/* 422 unless the body names at most one target (exactly one when `required`). */
static bool named_target_ok_or_fail(request *r, bool required)
{
    const char *unit = body_string(r, "unit_code"), *ent = body_string(r, "enterprise_id");
    if (unit && ent)
        request_field_error(r, "enterprise_id", "give either unit_code or enterprise_id, not both");
    else if (required && !unit && !ent)
        request_field_error(r, "unit_code", "is required: name the target by unit_code or enterprise_id");
    return request_fields_ok_or_fail(r);
}

/* Locks the target a complete or reopen is about; NULL with no row. */
static PGresult *target_row(request *r)
{
    const char *params[5];
    actor_params(r, params);
    params[2] = r->params[0];
    params[3] = body_string(r, "unit_code");
    params[4] = body_string(r, "enterprise_id");
    return db_query(r, SQL_TARGET, 5, params);
}

/* Answers with the written target and records the audit row for it. */
static int target_written(request *r, const char *action, const PGresult *target, const PGresult *written)
{
    if (!audit_record(r, action, DEADLINES.name, r->params[0], db_value(target, 5),
                      db_value(target, 6), db_value(written, 2)))
        return API_FAILED;
    return respond_json(r, 200, db_value(written, 0), atol(db_value(written, 1)));
}

int deadlines_complete(request *r)
{
    bool issuer = false;
    if (!visible_or_fail(r, &issuer))
        return API_FAILED;
    if (!body_valid_or_fail(r, r->body, COMPLETE_FIELDS, COUNT_OF(COMPLETE_FIELDS), VALIDATE_CREATE) ||
        !named_target_ok_or_fail(r, false))
        return API_FAILED;
    bool named = body_string(r, "unit_code") || body_string(r, "enterprise_id");
    PGresult *target = target_row(r);
    if (!target)
        return API_FAILED;
    if (PQntuples(target) == 0) {
        if (!named && issuer)
            return field_fail(r, "unit_code", "is required: name the target you complete on its behalf");
        return request_fail(r, PROBLEM_NOT_FOUND, named ? "No such target of this deadline in your scope"
                                                        : "You are not a target of this deadline");
    }
    if (!is_true(target, 3) && !issuer) {
        if (!is_true(target, 4))
            return request_fail(r, PROBLEM_NOT_FOUND, "No such target of this deadline in your scope");
        return request_fail(r, PROBLEM_FORBIDDEN, "Only the issuer may complete a target on its behalf");
    }
    if (is_true(target, 2))
        return request_fail(r, PROBLEM_CONFLICT, "This target is already done");
    if (!if_match_or_fail(r, atol(db_value(target, 1))))
        return API_FAILED;
    const char *params[4] = {db_value(target, 0), r->claims->name, body_string(r, "note"),
                             body_string(r, "link")};
    PGresult *written = db_query(r, SQL_COMPLETE, 4, params);
    if (!written)
        return API_FAILED;
    return target_written(r, "complete", target, written);
}

int deadlines_reopen(request *r)
{
    if (!issuer_or_fail(r, "reopen its targets"))
        return API_FAILED;
    if (!body_valid_or_fail(r, r->body, REOPEN_FIELDS, COUNT_OF(REOPEN_FIELDS), VALIDATE_CREATE) ||
        !named_target_ok_or_fail(r, true))
        return API_FAILED;
    PGresult *target = target_row(r);
    if (!target)
        return API_FAILED;
    if (PQntuples(target) == 0)
        return request_fail(r, PROBLEM_NOT_FOUND, "No such target of this deadline");
    if (!is_true(target, 2))
        return request_fail(r, PROBLEM_CONFLICT, "This target is not done");
    if (!if_match_or_fail(r, atol(db_value(target, 1))))
        return API_FAILED;
    const char *params[2] = {db_value(target, 0), body_string(r, "note")};
    PGresult *written = db_query(r, SQL_REOPEN, 2, params);
    if (!written)
        return API_FAILED;
    return target_written(r, "reopen", target, written);
}
