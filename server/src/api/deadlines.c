/*
 * api/deadlines.c — /api/v1/deadlines: deadlines issued down the hierarchy, and their targets.
 *
 * A province or district issues a deadline to every open unit of a level (or every enterprise)
 * inside a unit of its scope; creating it materializes one target row each. Targets are
 * completed by themselves (or by the issuer on their behalf) and reopened by the issuer; a
 * team_setup target also completes by itself when its commune or enterprise has a compliant
 * team (triggers in sql/migrations/004_deadlines.sql, their functions in
 * sql/functions/30_deadlines.sql). Statuses are derived in SQL at app_now().
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
 * Recurring deadlines: every series holds exactly one period after its current one. No read makes
 * one (a GET writes nothing, db/pool.c): deadlines_roll() is called by the writes that can make a
 * period due (create, update), by a change of app_clock (sql/functions/30_deadlines.sql), and by
 * the roller below, a thread of every server process that rolls at start, just after each
 * midnight in Vietnam (when a period ends) and every DEADLINE_ROLL_SECONDS besides.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "api/reports.h"
#include "api/resource.h"
#include "db/db.h"
#include "http/metrics.h"
#include "util/log.h"

static const char SQL_ROLL[] = "SELECT deadlines_roll()";

/*
 * ?unit= ($9, a unit in the caller's scope): the deadlines as that unit sees them, its targets
 * counted (the dashboard drilled into a unit). The deadlines a unit of the caller's subtree sees
 * are all visible to the caller. VIEWER is the unit and enterprise the list is seen as.
 */
#define VIEWER "coalesce($9, $1), CASE WHEN $9::text IS NULL THEN $2::uuid END"

static const char SQL_LIST[] =
    "SELECT d.* FROM deadlines_visible(" VIEWER ") d"
    "  WHERE ($5::text IS NULL OR d.kind = $5)"
    "    AND ($6::text IS NULL OR deadline_status(" VIEWER ", d) = $6)"
    "    AND ($7::date IS NULL OR d.due_on >= $7::date)"
    "    AND ($8::date IS NULL OR d.due_on <= $8::date)"
    "    AND ($9::text IS NULL OR in_scope($1, $2::uuid, $9, NULL))";

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

/* $1 the issuing unit, $2 the body -> (due date ended, an exact duplicate's id or NULL). */
static const char SQL_DOUBTS[] =
    "SELECT d.past, d.duplicate FROM deadline_issue_doubts($1, jsonb_populate_record(NULL::deadlines, $2::jsonb)) d";

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

/* $1 deadline -> its kind. */
static const char SQL_KIND[] = "SELECT d.kind FROM deadlines d WHERE d.id = $1::uuid";

/*
 * The attached report's snapshot: $1 target, $2 deadline, $3 the arguments, $4 the figures, $5
 * the HTML, $6 username -> the audit row's changes (what was sent, without the document).
 */
static const char SQL_REPORT_SAVE[] =
    "INSERT INTO deadline_reports (target_id, deadline_id, params, figures, html, created_by)"
    " VALUES ($1::uuid, $2::uuid, $3::jsonb, $4::json, $5, $6)"
    " ON CONFLICT (target_id) DO UPDATE SET params = excluded.params, figures = excluded.figures,"
    "     html = excluded.html, created_at = now(), created_by = excluded.created_by"
    " RETURNING json_build_object('target_id', target_id, 'params', params, 'as_of', figures -> 'as_of',"
    "                             'unit', figures -> 'unit' -> 'code',"
    "                             'totals', figures -> 'overview' -> 'totals')::text";

/*
 * The report attached by a target of deadline $3 that the caller sees: $4 the target's id, or
 * (NULL) the caller's own -> (html, figures, unit or enterprise for the file's name).
 */
static const char SQL_REPORT_READ[] =
    "SELECT r.html, r.figures::text, coalesce(t.unit_code, t.enterprise_id::text)"
    "  FROM deadline_targets_in_scope($1, $2::uuid, $3::uuid) t JOIN deadline_reports r ON r.target_id = t.id"
    " WHERE CASE WHEN $4::uuid IS NULL THEN t.unit_code = $1 OR t.enterprise_id = $2::uuid"
    "            ELSE t.id = $4::uuid END";

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

/* The list's filters; ?mine=true has all but the last (unit). */
static const struct filter FILTERS[] = {
    {"kind", FIELD_ENUM, KINDS},
    {"status", FIELD_ENUM, STATUSES},
    {"from", FIELD_DATE, NULL},
    {"to", FIELD_DATE, NULL},
    {"unit", FIELD_STRING, NULL},
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

/* The export a person reads (columns=labels): deadline_labels(), sql/functions/45_exports.sql;
 * the caller's own list (mine=true, deadline_mine_labels()) adds its target's columns. */
#define DEADLINE_LABEL_COLUMNS                                                                       \
    {"Tên nhiệm vụ", COLUMN_AUTO}, {"Loại", COLUMN_AUTO}, {"Hạn hoàn thành", COLUMN_DATE},          \
        {"Đơn vị giao", COLUMN_AUTO}, {"Mã đơn vị giao", COLUMN_AUTO}, {"Giao cho", COLUMN_AUTO},  \
        {"Phạm vi", COLUMN_AUTO}, {"Lặp lại", COLUMN_AUTO}, {"Số đơn vị", COLUMN_AUTO},            \
        {"Chưa đến hạn", COLUMN_AUTO}, {"Quá hạn", COLUMN_AUTO}, {"Đúng hạn", COLUMN_AUTO},        \
        {"Trễ hạn", COLUMN_AUTO}, {"Mô tả", COLUMN_AUTO}

static const struct column LABEL_COLUMNS[] = {DEADLINE_LABEL_COLUMNS, {0}};

static const struct column MINE_LABEL_COLUMNS[] = {
    DEADLINE_LABEL_COLUMNS, {"Kết quả của đơn vị", COLUMN_AUTO},
    {"Thời điểm hoàn thành", COLUMN_TIME}, {"Ghi chú của đơn vị", COLUMN_AUTO}, {0},
};

/* The export a person reads (columns=labels): deadline_target_labels(), sql/functions/45_exports.sql. */
static const struct column TARGET_LABEL_COLUMNS[] = {
    {"Mã đơn vị", COLUMN_AUTO}, {"Tên đơn vị", COLUMN_AUTO}, {"Quận, huyện", COLUMN_AUTO},
    {"Doanh nghiệp, cơ quan, tổ chức", COLUMN_AUTO}, {"Mã số thuế", COLUMN_AUTO},
    {"Hạn hoàn thành", COLUMN_DATE}, {"Kết quả", COLUMN_AUTO}, {"Trạng thái", COLUMN_AUTO},
    {"Thời điểm hoàn thành", COLUMN_TIME}, {"Người hoàn thành", COLUMN_AUTO},
    {"Báo cáo đính kèm", COLUMN_AUTO}, {"Ghi chú", COLUMN_AUTO}, {"Liên kết", COLUMN_AUTO}, {0},
};

static const struct list_spec LIST = {
    .filtered = SQL_LIST,
    .table = "deadlines",
    .key = "id",
    .doc = "deadline_doc(" VIEWER ", x)",
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "deadline_labels($1, $2::uuid, x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Nhiệm vụ có thời hạn",
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
    .labels_doc = "deadline_mine_labels($1, $2::uuid, x)",
    .label_columns = MINE_LABEL_COLUMNS,
    .sheet = "Nhiệm vụ của đơn vị",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS) - 1,
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
    .labels_doc = "deadline_target_labels(x)",
    .label_columns = TARGET_LABEL_COLUMNS,
    .sheet = "Tình hình thực hiện",
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

/* Every series gets its next period, inside the write's transaction. */
static bool rolled_or_fail(request *r)
{
    return db_query(r, SQL_ROLL, 0, NULL) != NULL;
}

/* 404 unless the deadline in the path is visible to the caller; *issuer says if it issued it. */
static bool visible_or_fail(request *r, bool *issuer)
{
    PGresult *res = path_row_or_fail(r, SQL_ACCESS, "No deadline with this id in your scope");
    if (!res)
        return false;
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
    return list_run(r, mine && strcmp(mine, "true") == 0 ? &MINE : &LIST, NULL, NULL);
}

int deadlines_get(request *r)
{
    if (!path_uuid_or_fail(r, r->params[0]))
        return API_FAILED;
    return resource_get(r, &DEADLINES, r->params[0]);
}

/*
 * Issuing a deadline whose due date has ended, or one exactly like a deadline the unit already
 * issued, must be confirmed (?confirm=true): otherwise 409 naming due_on and title.
 */
static bool issue_doubts_cleared_or_fail(request *r, const char *issuer, const char *body)
{
    const char *params[2] = {issuer, body};
    PGresult *res = db_query(r, SQL_DOUBTS, 2, params);
    if (!res)
        return false;
    if (is_true(res, 0))
        request_field_error(r, "due_on", "has already ended (Vietnam time): every target would be overdue at once");
    if (db_value(res, 1))
        request_field_error(r, "title", arena_printf(r->arena, "the same deadline was already issued (id %s: same "
                                                     "title, kind, due date, target level and scope)",
                                                     db_value(res, 1)));
    return doubts_cleared_or_fail(r, "This deadline needs confirming");
}

int deadlines_create(request *r)
{
    if (r->claims->role == ROLE_NATIONAL)
        return request_fail(r, PROBLEM_FORBIDDEN, "Deadlines are issued by a province or a district account");
    bool confirmed = query_flag(r, "confirm", false);
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
    if (!confirmed && !issue_doubts_cleared_or_fail(r, params[0], text))
        return API_FAILED;
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
    /* A period whose date moved into the past makes its series' next one due at once. */
    int status = resource_update(r, &DEADLINES, r->params[0]);
    return status == API_FAILED || !rolled_or_fail(r) ? API_FAILED : status;
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

/*
 * POST /deadlines/{id}/report: a target answers a deadline of kind report with the periodic
 * report of its own unit (or enterprise), made now: the figures and the rendered document are
 * stored (deadline_reports, 024_deadline_reports.sql) and the target is completed, as
 * POST /complete would, with the body's note. Two audit rows: `report` (the period and the
 * figures' totals as sent) and `complete`.
 */
int deadlines_report_attach(request *r)
{
    bool issuer = false;
    if (!visible_or_fail(r, &issuer))
        return API_FAILED;
    struct report_args a;
    if (!body_valid_or_fail(r, r->body, REPORT_BODY_FIELDS, REPORT_BODY_FIELD_COUNT, VALIDATE_CREATE) ||
        !report_args_from_body_or_fail(r, r->body, &a))
        return API_FAILED;
    const char *id = r->params[0];
    PGresult *kind = db_query(r, SQL_KIND, 1, &id);
    if (!kind)
        return API_FAILED;
    if (strcmp(db_value(kind, 0), "report") != 0)
        return request_fail(r, PROBLEM_CONFLICT,
                            "Only a deadline of kind report takes a report; complete this one with a note or a link");
    PGresult *target = target_row(r);
    if (!target)
        return API_FAILED;
    if (PQntuples(target) == 0)
        return request_fail(r, PROBLEM_NOT_FOUND, "You are not a target of this deadline");
    if (is_true(target, 2))
        return request_fail(r, PROBLEM_CONFLICT, "This target is already done; its issuer may reopen it");
    if (!if_match_or_fail(r, atol(db_value(target, 1))))
        return API_FAILED;

    const char *figures;
    buf html = {0};
    if (!report_make_or_fail(r, &a, &figures, &html)) {
        buf_free(&html);
        return API_FAILED;
    }
    const char *save[6] = {db_value(target, 0), id, report_args_json(r, &a), figures,
                           arena_strdup(r->arena, html.data), r->claims->name};
    buf_free(&html);
    PGresult *saved = db_query(r, SQL_REPORT_SAVE, 6, save);
    if (!saved || !audit_record(r, "report", DEADLINES.name, id, db_value(target, 5), db_value(target, 6),
                                db_value(saved, 0)))
        return API_FAILED;
    const char *note = body_string(r, "note");
    const char *params[4] = {db_value(target, 0), r->claims->name,
                             note ? note : "Đã gửi báo cáo định kỳ (đính kèm)", NULL};
    PGresult *written = db_query(r, SQL_COMPLETE, 4, params);
    if (!written)
        return API_FAILED;
    return target_written(r, "complete", target, written);
}

/*
 * GET /deadlines/{id}/report?target=: the report a target attached, as it was sent (HTML, PDF
 * rendered from that HTML, or its figures as JSON): the caller's own, or with target= the one of a
 * target it sees (the issuer sees them all). 404 when there is none.
 */
int deadlines_report_get(request *r)
{
    bool issuer = false;
    if (!visible_or_fail(r, &issuer))
        return API_FAILED;
    const char *format = report_format_or_fail(r);
    if (!format)
        return API_FAILED;
    const char *target = query_get(r, "target");
    if (target && !*target)
        target = NULL;
    if (target && !text_is_uuid(target))
        return field_fail(r, "target", "must be a target's id (GET /deadlines/{id}/targets)");
    const char *params[4];
    actor_params(r, params);
    params[2] = r->params[0];
    params[3] = target;
    PGresult *res = db_query(r, SQL_REPORT_READ, 4, params);
    if (!res)
        return API_FAILED;
    if (PQntuples(res) == 0)
        return request_fail(r, PROBLEM_NOT_FOUND, "No report attached by this target in your scope");
    char *name = arena_printf(r->arena, "bao-cao-%s", db_value(res, 2));
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '-';
    return report_answer(r, format, db_value(res, 0), db_value(res, 1), name);
}

/*
 * The roller: one thread per process. Each run is one statement on a connection of its own
 * (db_query_within), not a pooled one, so requests never wait for it. Runs of several processes
 * at once are serialized by deadlines_roll()'s own advisory lock: the first makes the periods,
 * the others find none to make.
 */
static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool running, stopping;
    long interval_seconds;
} roller = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Seconds until one second after the next midnight in Vietnam (UTC+7, no daylight saving). */
static long seconds_past_next_midnight(time_t now)
{
    const long day = 86400, offset = 7 * 3600;
    return day - (long)((now + offset) % day) + 1;
}

static void roll_once(void)
{
    char sql[96];
    long timeout_ms = db_bulk_timeout_ms();
    snprintf(sql, sizeof sql, "SET statement_timeout = %ld; SELECT deadlines_roll()", timeout_ms);
    PGresult *res = db_query_within(sql, (int)timeout_ms + 5000);
    const char *made = db_value(res, 0);
    long n = made ? atol(made) : 0;
    metrics_count_deadline_roll(n, !res);
    if (!res)
        log_event("warn", NULL, "deadline roller: the database did not answer; trying again later", NULL, NULL);
    else if (n > 0)
        log_event("info", NULL, "deadline roller: periods made", "periods", made);
    PQclear(res);
}

static void *roller_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&roller.lock);
    while (!roller.stopping) {
        pthread_mutex_unlock(&roller.lock);
        roll_once();
        pthread_mutex_lock(&roller.lock);
        long wait = seconds_past_next_midnight(time(NULL));
        if (wait > roller.interval_seconds)
            wait = roller.interval_seconds;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += wait;
        while (!roller.stopping && pthread_cond_timedwait(&roller.wake, &roller.lock, &until) == 0)
            ; /* woken early by deadlines_roller_stop, or spuriously */
    }
    pthread_mutex_unlock(&roller.lock);
    return NULL;
}

void deadlines_roller_start(long interval_seconds)
{
    if (interval_seconds <= 0)
        return;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&roller.wake, &attr);
    pthread_condattr_destroy(&attr);
    roller.interval_seconds = interval_seconds;
    roller.stopping = false;
    roller.running = pthread_create(&roller.thread, NULL, roller_main, NULL) == 0;
    if (!roller.running)
        log_event("error", NULL, "deadline roller: cannot start its thread", NULL, NULL);
}

void deadlines_roller_stop(void)
{
    if (!roller.running)
        return;
    pthread_mutex_lock(&roller.lock);
    roller.stopping = true;
    pthread_cond_signal(&roller.wake);
    pthread_mutex_unlock(&roller.lock);
    pthread_join(roller.thread, NULL);
    pthread_cond_destroy(&roller.wake);
    roller.running = false;
}
