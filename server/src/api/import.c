/*
 * api/import.c — POST /api/v1/import/{units|enterprises|teams|members|activities}.
 *
 * The body is text/csv (header row of API field names) or a JSON array of the same objects.
 * Each row is checked here against the resource's field table (types, enums, lengths), then the
 * valid ones go into a temporary table with COPY, and SQL does the rest set-wise in the request's
 * one transaction: resolves references by natural key, checks scope and duplicates, and upserts
 * by natural key, counting inserted / updated / unchanged. By default one bad row and nothing is
 * written (422 listing every bad row: row number as the file counts it, field, message);
 * atomic=false saves the good rows and lists the bad; dry_run=true validates and counts only.
 * A CSV cell is read as csv_cell_text gives it (http/csv.h): without the ' that exports put before
 * texts a spreadsheet would run as formulas, so an exported file imports back unchanged.
 *
 * The file is read and checked row by row before a database connection is
 * taken (the route is ROUTE_NO_TX: this handler begins and commits its transaction), and a JSON
 * array is read one element at a time, so memory is the body, its COPY text and one row, not a
 * cJSON tree of the whole array (30 to 40 times the body). Imports of one resource whose scopes
 * overlap run one after the other (scope_locks_or_fail below); others, a commune's beside the
 * next commune's, run together; dry runs write nothing and take no lock. An import never waits
 * for a lock while it holds a pooled connection.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/resource.h"
#include "auth/principals.h"
#include "db/db.h"
#include "http/csv.h"
#include "http/csv_reader.h"
#include "http/metrics.h"
#include "http/router.h"
#include "resources_gen.h"

enum { MAX_COLUMNS = 32, ERRORS_LISTED = 1000 };


/* ---- units ---------------------------------------------------------------------------- */

/*
 * Units are versions in time (sql/migrations/018_unit_versions.sql). Each row speaks of the
 * version of its code valid on its day: valid_from (the column, else ?valid_from=), else the day
 * before valid_to (the column, else ?valid_to=: a list of the past, such as the 2024 one), else
 * today (UNIT_REF); what a row does (a new version, a correction,
 * nothing) is units_load_plan's (sql/functions/05_units.sql), which the final statement runs on
 * the good rows and the apply statement carries out. ?close_others=true with ?valid_from= closes
 * every other unit of the caller's scope (the whole country for a national account) valid that day:
 * the file is the whole list from then on, as the 2025 list is.
 */
static const struct field UNIT_FIELDS[] = {UNITS_IMPORT_FIELDS};

/* The day a row speaks of, and the version its code (and its parent's) names that day. */
#define UNIT_REF "coalesce(r.valid_from::date, r.valid_to::date - 1, unit_today())"
/* The row's end: its cell (or ?valid_to=), else, when the file has no such column, its version's. */
#define UNIT_END(existing) "coalesce(r.valid_to::date, CASE WHEN NOT 'valid_to' = ANY ($3) THEN " existing " END)"

static const char *const UNIT_CHECKS[] = {
    "UPDATE import_rows SET valid_from = coalesce(valid_from, (SELECT valid_from::text FROM import_options)),"
    "                       valid_to = coalesce(valid_to, (SELECT valid_to::text FROM import_options))",

    "INSERT INTO import_errors SELECT row_no, 'code',"
    " 'must have 2 digits for a province, 3 for a district, 5 for a commune'"
    " FROM import_rows WHERE length(split_part(code, '@', 1))"
    "   <> CASE level WHEN 'province' THEN 2 WHEN 'district' THEN 3 ELSE 5 END",

    "INSERT INTO import_errors SELECT r.row_no, 'parent_code',"
    " CASE WHEN r.level = 'province' THEN 'must be empty for a province'"
    "      ELSE 'is required below province level' END"
    " FROM import_rows r WHERE (r.level = 'province') <> (r.parent_code IS NULL)",

    "INSERT INTO import_errors SELECT r.row_no, 'valid_to', 'must be after valid_from'"
    " FROM import_rows r WHERE r.valid_to::date <= r.valid_from::date",

    "INSERT INTO import_errors SELECT r.row_no, 'parent_code', 'no unit with this code, in the list or in the file'"
    " FROM import_rows r WHERE r.parent_code IS NOT NULL"
    "  AND unit_key(r.parent_code, " UNIT_REF ") IS NULL"
    "  AND NOT EXISTS (SELECT 1 FROM import_rows p WHERE p.code = r.parent_code)",

    "INSERT INTO import_errors SELECT r.row_no, 'parent_code',"
    " 'must be a unit one level above: a province for a district, a district or province for a commune'"
    " FROM import_rows r LEFT JOIN import_rows p ON p.code = r.parent_code"
    "      LEFT JOIN units u ON u.code = unit_key(r.parent_code, " UNIT_REF ")"
    " WHERE coalesce(p.level, u.level) IS NOT NULL"
    "   AND NOT (r.level = 'district' AND coalesce(p.level, u.level) = 'province'"
    "            OR r.level = 'commune' AND coalesce(p.level, u.level) IN ('district', 'province'))",

    "INSERT INTO import_errors SELECT r.row_no, 'level', 'cannot change: the unit exists as ' || u.level"
    " FROM import_rows r JOIN units u ON u.code = unit_key(r.code, " UNIT_REF ") WHERE u.level <> r.level",

    /* New units may be loaded anywhere (reference data, DESIGN §3); existing ones change only in
     * scope: a new version of a unit outside it, or a correction to one, is refused. */
    "INSERT INTO import_errors SELECT r.row_no, 'code', 'the unit exists outside your scope and cannot be changed'"
    " FROM import_rows r JOIN units u ON u.code = unit_key(r.code, " UNIT_REF ")"
    " WHERE NOT unit_visible($1, $2::uuid, u.code)"
    "   AND (u.name, u.parent_code, u.valid_to) IS DISTINCT FROM"
    "       (r.name, unit_key(r.parent_code, " UNIT_REF "), " UNIT_END("u.valid_to") ")",
    NULL,
};

/* The plan for the good rows (a row without valid_to keeps its version's end). */
static const char UNIT_FINAL[] =
    "SELECT units_import_final((SELECT jsonb_agg(jsonb_build_object("
    "    'code', r.code, 'name', r.name, 'level', r.level, 'parent_code', r.parent_code,"
    "    'valid_from', r.valid_from::date,"
    "    'valid_to', " UNIT_END("(SELECT u.valid_to FROM units u WHERE u.code = unit_key(r.code, " UNIT_REF "))") "))"
    "  FROM import_rows r))";

static const char *const UNIT_APPLY[] = {
    "SELECT units_load_apply(o.valid_from, o.close_under) FROM import_options o",
    NULL,
};

/* ---- unit lineage: which units took the place of which ----------------------------------- */

/*
 * Rows as in the shared merges file (old_code, new_code, share; its name columns are ignored),
 * for a reorganisation that took effect on ?effective_on= (required): old_code names the unit of
 * the day before, new_code the unit of that day. Loaded by unit_successors_load
 * (sql/functions/05_units.sql). A province account records where its own units came from: the new
 * unit must be in its scope; a national account anywhere.
 */
static const char *const SHARES[] = {"whole", "part", NULL};

static const struct field LINEAGE_FIELDS[] = {
    {"old_code", FIELD_STRING, FIELD_REQUIRED, 0, 0, NULL, check_unit_code},
    {"new_code", FIELD_STRING, FIELD_REQUIRED, 0, 0, NULL, check_unit_code},
    {"share", FIELD_ENUM, FIELD_REQUIRED, 0, 0, SHARES, NULL},
};

static const char *const LINEAGE_CHECKS[] = {
    "INSERT INTO import_errors SELECT r.row_no, 'old_code', 'no unit with this code on the day before effective_on'"
    " FROM import_rows r, import_options o WHERE unit_key(r.old_code, o.valid_from - 1) IS NULL",

    "INSERT INTO import_errors SELECT r.row_no, 'new_code', 'no unit with this code on effective_on'"
    " FROM import_rows r, import_options o WHERE unit_key(r.new_code, o.valid_from) IS NULL",

    "INSERT INTO import_errors SELECT r.row_no, 'new_code', 'is outside your scope'"
    " FROM import_rows r, import_options o"
    " WHERE unit_key(r.new_code, o.valid_from) IS NOT NULL"
    "   AND NOT in_scope($1, $2::uuid, unit_key(r.new_code, o.valid_from), NULL)",
    NULL,
};

static const char LINEAGE_FINAL[] =
    "CREATE TEMP TABLE import_final ON COMMIT DROP AS"
    " SELECT r.row_no, s.predecessor IS NULL AS is_new,"
    "        s.predecessor IS NOT NULL AND s.share IS DISTINCT FROM r.share AS changed"
    "   FROM import_rows r CROSS JOIN import_options o"
    "   LEFT JOIN unit_successors s ON s.predecessor = unit_key(r.old_code, o.valid_from - 1)"
    "                              AND s.successor = unit_key(r.new_code, o.valid_from)";

static const char *const LINEAGE_APPLY[] = {
    "SELECT unit_successors_load((SELECT jsonb_agg(jsonb_build_object("
    "           'old_code', r.old_code, 'new_code', r.new_code, 'share', r.share)) FROM import_rows r),"
    "       (SELECT valid_from FROM import_options))",
    NULL,
};

/* ---- enterprises ---------------------------------------------------------------------- */

static const struct field ENTERPRISE_FIELDS[] = {ENTERPRISES_IMPORT_FIELDS};

static const char *const ENTERPRISE_CHECKS[] = {
    "INSERT INTO import_errors SELECT r.row_no, 'unit_code', 'no unit with this code'"
    " FROM import_rows r WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = r.unit_code)",

    "INSERT INTO import_errors SELECT r.row_no, 'tax_code', 'the enterprise exists outside your scope'"
    " FROM import_rows r JOIN enterprises e ON e.tax_code = r.tax_code"
    " WHERE NOT in_scope($1, $2::uuid, e.unit_code, e.id)",

    "INSERT INTO import_errors SELECT r.row_no, 'unit_code', 'is outside your scope'"
    " FROM import_rows r LEFT JOIN enterprises e ON e.tax_code = r.tax_code"
    " WHERE EXISTS (SELECT 1 FROM units u WHERE u.code = r.unit_code)"
    "   AND NOT in_scope($1, $2::uuid, r.unit_code, e.id)",
    NULL,
};

static const char *const ENTERPRISE_APPLY[] = {ENTERPRISES_IMPORT_INSERT, ENTERPRISES_IMPORT_UPDATE, NULL};

/* ---- teams ---------------------------------------------------------------------------- */

static const struct field TEAM_FIELDS[] = {TEAMS_IMPORT_FIELDS};

static const char *const TEAM_CHECKS[] = {
    /* Only enterprises in scope: one outside it reads like a missing one (as teams do). */
    "UPDATE import_rows r SET enterprise = coalesce("
    " (SELECT e.id FROM enterprises e WHERE e.id = r.enterprise_id::uuid AND in_scope($1, $2::uuid, e.unit_code, e.id)),"
    " (SELECT e.id FROM enterprises e WHERE e.tax_code = r.enterprise_tax_code AND in_scope($1, $2::uuid, e.unit_code, e.id)))",

    "INSERT INTO import_errors SELECT row_no,"
    " CASE WHEN enterprise_id IS NOT NULL THEN 'enterprise_id' ELSE 'enterprise_tax_code' END,"
    " CASE WHEN enterprise_id IS NOT NULL THEN 'no enterprise with this id in your scope'"
    "      ELSE 'no enterprise with this tax code in your scope' END"
    " FROM import_rows WHERE (enterprise_tax_code IS NOT NULL OR enterprise_id IS NOT NULL) AND enterprise IS NULL",

    "INSERT INTO import_errors SELECT r.row_no, 'unit_code',"
    " CASE WHEN u.code IS NULL THEN 'no unit with this code' ELSE 'must be a commune' END"
    " FROM import_rows r LEFT JOIN units u ON u.code = r.unit_code"
    " WHERE u.code IS NULL OR u.level <> 'commune'",

    "INSERT INTO import_errors SELECT row_no, 'hamlet', 'is required for hamlet teams'"
    " FROM import_rows WHERE kind = 'hamlet' AND coalesce(hamlet, '') = ''",

    "INSERT INTO import_errors SELECT row_no, 'enterprise_tax_code',"
    " 'is required for enterprise and organization teams'"
    " FROM import_rows WHERE kind IN ('enterprise', 'organization')"
    "   AND enterprise_tax_code IS NULL AND enterprise_id IS NULL",

    "INSERT INTO import_errors SELECT r.row_no, 'external_id', 'the team exists outside your scope'"
    " FROM import_rows r JOIN teams t ON t.external_id = r.external_id"
    " WHERE NOT in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)",

    /* Where the team may be put: team_place_refusal (sql/functions/10_scope.sql) names the field. */
    "INSERT INTO import_errors SELECT x.row_no,"
    " CASE WHEN x.field = 'enterprise_id' AND x.enterprise_id IS NULL THEN 'enterprise_tax_code' ELSE x.field END,"
    " CASE WHEN x.field = 'enterprise_id' THEN 'the enterprise is outside your scope'"
    "      WHEN x.field = 'kind' THEN 'an enterprise account imports only enterprise and organization teams'"
    "      WHEN $2::uuid IS NOT NULL THEN 'must be the commune where your enterprise is located'"
    "      ELSE 'is outside your scope' END"
    " FROM (SELECT r.row_no, r.enterprise_id, team_place_refusal($1, $2::uuid, r.unit_code, r.enterprise, r.kind) AS field"
    "         FROM import_rows r JOIN units u ON u.code = r.unit_code AND u.level = 'commune') x"
    " WHERE x.field IS NOT NULL",
    NULL,
};

static const char *const TEAM_APPLY[] = {TEAMS_IMPORT_INSERT, TEAMS_IMPORT_UPDATE, NULL};

/* ---- members and activities: rows of a team named by its external_id ------------------ */

/* A row names its team by team_id as exports carry it, else by team_external_id. Each team named
 * is looked up once (a file of 180,000 rows names a few thousand teams), not once per row. */
static const char RESOLVE_TEAM_BY_ID[] =
    "UPDATE import_rows r SET team = t.id"
    "  FROM (SELECT DISTINCT team_id FROM import_rows WHERE team_id IS NOT NULL) n"
    "  JOIN teams t ON t.id = n.team_id::uuid"
    " WHERE r.team_id = n.team_id";
static const char RESOLVE_TEAM_BY_EXTERNAL_ID[] =
    "UPDATE import_rows r SET team = t.id"
    "  FROM (SELECT DISTINCT team_external_id FROM import_rows WHERE team IS NULL AND team_external_id IS NOT NULL) n"
    "  JOIN teams t ON t.external_id = n.team_external_id"
    " WHERE r.team IS NULL AND r.team_external_id = n.team_external_id";

static const char TEAM_MISSING[] =
    "INSERT INTO import_errors SELECT row_no,"
    " CASE WHEN team_id IS NOT NULL THEN 'team_id' ELSE 'team_external_id' END,"
    " CASE WHEN team_id IS NOT NULL THEN 'no team with this id in your scope'"
    "      WHEN team_external_id IS NOT NULL THEN 'no team with this external_id in your scope'"
    "      ELSE 'is required (or team_id)' END"
    " FROM import_rows WHERE team IS NULL";

/* in_scope once per team named, not once per row. */
static const char TEAM_OUT_OF_SCOPE[] =
    "WITH named AS MATERIALIZED (SELECT DISTINCT team FROM import_rows WHERE team IS NOT NULL),"
    " outside AS MATERIALIZED (SELECT n.team FROM named n JOIN teams t ON t.id = n.team"
    "                           WHERE NOT in_scope($1, $2::uuid, t.unit_code, t.enterprise_id))"
    " INSERT INTO import_errors SELECT r.row_no,"
    " CASE WHEN r.team_id IS NOT NULL THEN 'team_id' ELSE 'team_external_id' END,"
    " CASE WHEN r.team_id IS NOT NULL THEN 'no team with this id in your scope'"
    "      ELSE 'no team with this external_id in your scope' END"
    " FROM import_rows r JOIN outside o ON o.team = r.team";

/* A row whose external_id names a row of table (a team's rows) in a team outside the caller's
 * scope. One index probe a row, as in import_final (server/tools/gen_resources.c says why). */
#define EXISTING_OUTSIDE_SCOPE(table, noun)                                                               \
    "INSERT INTO import_errors SELECT r.row_no, 'external_id', '" noun " exists outside your scope'"       \
    " FROM import_rows r"                                                                                 \
    " JOIN LATERAL (SELECT o.team_id FROM " table " o WHERE o.external_id = r.external_id OFFSET 0) o ON true" \
    " JOIN teams t ON t.id = o.team_id WHERE NOT in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"

static const struct field MEMBER_FIELDS[] = {MEMBERS_IMPORT_FIELDS};

static const char *const MEMBER_CHECKS[] = {
    RESOLVE_TEAM_BY_ID,
    RESOLVE_TEAM_BY_EXTERNAL_ID,
    TEAM_MISSING,
    TEAM_OUT_OF_SCOPE,
    EXISTING_OUTSIDE_SCOPE("members", "the member"),
    NULL,
};

static const char *const MEMBER_APPLY[] = {MEMBERS_IMPORT_INSERT, MEMBERS_IMPORT_UPDATE, NULL};

static const struct field ACTIVITY_FIELDS[] = {ACTIVITIES_IMPORT_FIELDS};

static const char *const ACTIVITY_CHECKS[] = {
    RESOLVE_TEAM_BY_ID,
    RESOLVE_TEAM_BY_EXTERNAL_ID,
    TEAM_MISSING,
    TEAM_OUT_OF_SCOPE,
    EXISTING_OUTSIDE_SCOPE("activities", "the activity"),
    /* today read once (OFFSET 0 keeps the subquery from being folded into every row) */
    "INSERT INTO import_errors SELECT r.row_no, 'held_on', activity_held_on_problem(r.held_on::date, t.today)"
    " FROM (SELECT unit_today() AS today OFFSET 0) t, import_rows r"
    " WHERE activity_held_on_problem(r.held_on::date, t.today) IS NOT NULL",
    NULL,
};

static const char *const ACTIVITY_APPLY[] = {ACTIVITIES_IMPORT_INSERT, ACTIVITIES_IMPORT_UPDATE, NULL};

/* ---- the machinery -------------------------------------------------------------------- */

struct import_spec {
    const char *resource;
    const char *key;              /* the natural key column: a row may appear once per file */
    bool province_only;
    const struct field *fields;
    size_t nfields;
    const char *resolved_columns; /* extra temp columns filled by the checks, e.g. ", team_id uuid" */
    const char *const *checks;    /* each: $1, $2 actor, $3 present columns; may add import_errors */
    const char *final;            /* CREATE TEMP TABLE import_final: the values each row leaves */
    const char *changed;          /* sets import_final.changed for existing rows (NULL: in final) */
    const char *const *apply;     /* the writes */
    /*
     * The day the file's rows begin, as a query parameter (NULL: none), and whether it is
     * required; with closes_others, ?close_others=true and ?valid_to= (the day they end) too. They
     * go to the temporary table import_options (valid_from, valid_to, close_under, closed) that
     * the statements read.
     */
    const char *day_param;
    bool day_required;
    bool closes_others;
};

static const struct import_spec SPECS[] = {
    {"units", "code", true, UNIT_FIELDS, COUNT_OF(UNIT_FIELDS), "", UNIT_CHECKS, UNIT_FINAL, NULL, UNIT_APPLY,
     "valid_from", false, true},
    {"unit_successors", "old_code, new_code", true, LINEAGE_FIELDS, COUNT_OF(LINEAGE_FIELDS), "", LINEAGE_CHECKS,
     LINEAGE_FINAL, NULL, LINEAGE_APPLY, "effective_on", true, false},
    {"enterprises", "tax_code", false, ENTERPRISE_FIELDS, COUNT_OF(ENTERPRISE_FIELDS), "", ENTERPRISE_CHECKS,
     ENTERPRISES_IMPORT_FINAL, ENTERPRISES_IMPORT_CHANGED, ENTERPRISE_APPLY, NULL, false, false},
    {"teams", "external_id", false, TEAM_FIELDS, COUNT_OF(TEAM_FIELDS), ", enterprise uuid", TEAM_CHECKS,
     TEAMS_IMPORT_FINAL, TEAMS_IMPORT_CHANGED, TEAM_APPLY, NULL, false, false},
    {"members", "external_id", false, MEMBER_FIELDS, COUNT_OF(MEMBER_FIELDS), ", team uuid", MEMBER_CHECKS,
     MEMBERS_IMPORT_FINAL, MEMBERS_IMPORT_CHANGED, MEMBER_APPLY, NULL, false, false},
    {"activities", "external_id", false, ACTIVITY_FIELDS, COUNT_OF(ACTIVITY_FIELDS), ", team uuid",
     ACTIVITY_CHECKS, ACTIVITIES_IMPORT_FINAL, ACTIVITIES_IMPORT_CHANGED, ACTIVITY_APPLY, NULL, false, false},
};

/* Columns an export carries that an import accepts and ignores, so an export can go back in. */
static const char *const IGNORED_COLUMNS[] = {
    "id", "version", "created_at", "updated_at", "member_count", "leader.id", "leader.full_name",
    "compliance.ok", "compliance.problems", "leader", "compliance",
    /* activities' exports: the names beside team_id */
    "team_name", "unit_name",
    /* units' exports; the shared merges file's names beside the codes */
    "gso_code", "predecessors", "successors", "old_name", "new_name", "new_province_code", NULL,
};

/*
 * Imports of one resource whose scopes overlap run one after the other: a second import of the
 * same file then finds every row unchanged instead of racing the first to the same natural keys.
 * One lock for the whole country made one commune's import wait for any other's (or answer 503),
 * holding a pooled connection while it waited. Now the locks follow the unit tree, as intention
 * locks do: an import takes its own scope's key exclusively and the keys of the units above it
 * shared, so it excludes imports of its scope, of the scopes inside it (which hold its key shared)
 * and of those above it (which hold one of its shared keys exclusively), and runs beside every
 * other; an enterprise account's key is its enterprise, below its unit's chain. Units are loaded
 * anywhere in the country (reference data), so units imports take one key for the whole country.
 * The locks are tried, never waited for: $1 resource, $2 the caller's unit, $3 its enterprise
 * (both NULL: the country); the answer counts the keys another import holds (0: all taken, kept
 * until the transaction ends). A key is hashtext(resource || ' ' || unit code, 'e' || enterprise
 * id, or 'country'); a collision between two keys only makes two imports wait for each other.
 */
static const char SQL_SCOPE_LOCKS[] =
    "WITH path AS (SELECT u.ancestors FROM units u"
    "               WHERE u.code = coalesce($2, (SELECT e.unit_code FROM enterprises e WHERE e.id = $3::uuid))),"
    " keys AS (SELECT a AS key, a = $2 AS exclusive FROM path, unnest(path.ancestors) a"
    "          UNION ALL SELECT 'e' || $3, true WHERE $3 IS NOT NULL"
    "          UNION ALL SELECT 'country', true WHERE $2 IS NULL AND $3 IS NULL)"
    " SELECT count(*) FILTER (WHERE NOT CASE WHEN exclusive"
    "        THEN pg_try_advisory_xact_lock(727276, hashtext($1 || ' ' || key))"
    "        ELSE pg_try_advisory_xact_lock_shared(727276, hashtext($1 || ' ' || key)) END)"
    " FROM keys";

/* Seconds a client is told to wait (Retry-After) when another import kept the locks too long. */
enum { LOCK_RETRY_AFTER = 5 };

/* %s: the spec's key column (a name from the tables above, never input). */
static const char SQL_DUPLICATE_KEYS[] =
    "INSERT INTO import_errors SELECT row_no, '%s',"
    " format('appears more than once in the file (first on row %%s)', first)"
    " FROM (SELECT row_no, min(row_no) OVER (PARTITION BY %s) AS first FROM import_rows) d"
    " WHERE row_no <> first";

/* $1 the day the rows begin, $2 the day they end, $3 the scope whose other units close (struct import_spec). */
static const char SQL_OPTIONS[] =
    "CREATE TEMP TABLE import_options ON COMMIT DROP AS"
    " SELECT $1::date AS valid_from, $2::date AS valid_to, $3::text[] AS close_under, 0::bigint AS closed";
static const char SQL_CLOSED[] = "SELECT closed FROM import_options";

static const char SQL_ERRORS[] =
    "SELECT row_no, field, message FROM import_errors ORDER BY row_no, field LIMIT 1000";
static const char SQL_ERROR_ROWS[] = "SELECT count(DISTINCT row_no), count(*) FROM import_errors";
static const char SQL_DROP_BAD[] =
    "DELETE FROM import_rows WHERE row_no IN (SELECT row_no FROM import_errors)";
static const char SQL_COUNTS[] =
    "SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE changed),"
    "       count(*) FILTER (WHERE NOT is_new AND NOT changed) FROM import_final";

static void delete_json(void *p)
{
    cJSON_Delete(p);
}

/* The import being run: its rows' errors found in C, and what goes to COPY. */
struct run {
    request *r;
    const struct import_spec *spec;
    bool dry_run;
    long rows;           /* data rows read */
    long error_count;    /* errors found here (the database adds its own) */
    cJSON *errors;       /* the first ERRORS_LISTED of all errors, as {row, field, message, code} */
    long listed;         /* how many errors holds (counting them walked the list: 1000 steps a row) */
    buf copy;            /* COPY text-format lines */
    bool present[MAX_COLUMNS];
    long current_row;
};

static void add_error(struct run *run, long row, const char *field, const char *message)
{
    run->error_count++;
    if (run->listed >= ERRORS_LISTED)
        return;
    run->listed++;
    problem_add_field_error(run->errors, row, field, message);
}

static void row_error_sink(void *ctx, const char *field, const char *message)
{
    struct run *run = ctx;
    add_error(run, run->current_row, field, message);
}

static int field_index(const struct import_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->nfields; i++)
        if (strcmp(spec->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool ignored_column(const char *name)
{
    for (const char *const *c = IGNORED_COLUMNS; *c; c++)
        if (strcmp(*c, name) == 0)
            return true;
    return false;
}

/* Appends text escaped for COPY's text format, the runs between escapes whole (a byte at a time
 * was a fifth of a 182,000-row import's time in C). */
static void copy_escape(buf *out, const char *s)
{
    for (;;) {
        size_t run = strcspn(s, "\\\t\n\r");
        buf_append(out, s, run);
        s += run;
        switch (*s) {
        case '\\': buf_append(out, "\\\\", 2); break;
        case '\t': buf_append(out, "\\t", 2); break;
        case '\n': buf_append(out, "\\n", 2); break;
        case '\r': buf_append(out, "\\r", 2); break;
        default: return; /* the end */
        }
        s++;
    }
}

/* Checks one row (an object of the spec's fields) and, when valid, queues it for COPY. */
static void take_row(struct run *run, long row_no, const cJSON *row)
{
    run->rows++;
    run->current_row = row_no;
    if (validate_object(row, run->spec->fields, run->spec->nfields, VALIDATE_CREATE, "",
                        row_error_sink, run) > 0)
        return;
    buf_printf(&run->copy, "%ld", row_no);
    for (size_t i = 0; i < run->spec->nfields; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, run->spec->fields[i].name);
        buf_append(&run->copy, "\t", 1);
        if (!v || cJSON_IsNull(v)) {
            buf_append(&run->copy, "\\N", 2);
        } else if (cJSON_IsString(v)) {
            copy_escape(&run->copy, v->valuestring);
        } else if (cJSON_IsBool(v)) {
            buf_puts(&run->copy, cJSON_IsTrue(v) ? "true" : "false");
        } else {
            buf_printf(&run->copy, "%.0f", v->valuedouble);
        }
    }
    buf_append(&run->copy, "\n", 1);
}

/* A CSV cell as the JSON value its field expects; NULL for an empty cell. */
static cJSON *cell_value(const struct field *f, const char *text)
{
    if (!*text)
        return NULL;
    if (f->type == FIELD_INT) {
        /* Plain decimal digits only ("1.000" or "0x10" are not counts); a string fails the type check. */
        size_t sign = text[0] == '-';
        size_t digits = strspn(text + sign, "0123456789");
        if (digits == 0 || digits > 9 || text[sign + digits] != '\0')
            return cJSON_CreateString(text);
        return cJSON_CreateNumber((double)strtol(text, NULL, 10));
    }
    if (f->type == FIELD_BOOL) {
        if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "TRUE"))
            return cJSON_CreateTrue();
        if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "FALSE"))
            return cJSON_CreateFalse();
    }
    return cJSON_CreateString(text);
}

static bool read_csv(struct run *run)
{
    csv_reader reader;
    csv_reader_init(&reader, run->r->raw_body, run->r->raw_len);
    buf cells = {0};
    size_t offsets[MAX_COLUMNS], count;
    int column_field[MAX_COLUMNS];
    size_t ncolumns = 0;
    bool ok = true;

    csv_result res = csv_read_record(&reader, &cells, offsets, MAX_COLUMNS, &count);
    if (res != CSV_ROW) {
        add_error(run, 1, "", res == CSV_END ? "the file is empty: a header row is required"
                                             : "the header row has an unclosed quote");
        buf_free(&cells);
        return false;
    }
    if (count > MAX_COLUMNS) {
        add_error(run, 1, "", "the header row has too many columns");
        buf_free(&cells);
        return false;
    }
    ncolumns = count;
    for (size_t i = 0; i < ncolumns; i++) {
        const char *name = cells.data + offsets[i];
        column_field[i] = field_index(run->spec, name);
        if (column_field[i] >= 0) {
            if (run->present[column_field[i]]) {
                add_error(run, 1, name, "the column appears twice in the header");
                ok = false;
            }
            run->present[column_field[i]] = true;
        } else if (!ignored_column(name)) {
            add_error(run, 1, name, "is not a column of this import; see the CSV template");
            ok = false;
        }
    }
    for (size_t i = 0; i < run->spec->nfields; i++)
        if ((run->spec->fields[i].flags & FIELD_REQUIRED) && !run->present[i]) {
            add_error(run, 1, run->spec->fields[i].name, "the required column is missing from the header");
            ok = false;
        }
    if (!ok) {
        buf_free(&cells);
        return false;
    }
    while ((res = csv_read_record(&reader, &cells, offsets, MAX_COLUMNS, &count)) == CSV_ROW) {
        if (count != ncolumns) {
            run->rows++;
            add_error(run, reader.record, "",
                      count > ncolumns ? "the row has more cells than the header" : "the row has fewer cells than the header");
            continue;
        }
        cJSON *row = cJSON_CreateObject();
        for (size_t i = 0; i < ncolumns; i++) {
            if (column_field[i] < 0)
                continue;
            const struct field *f = &run->spec->fields[column_field[i]];
            /* A cell the export guarded against spreadsheet formulas ('=...) means the text without the quote. */
            cJSON *v = cell_value(f, csv_cell_text(cells.data + offsets[i]));
            if (v) /* the field's name is the spec's, kept for the run: not copied for each cell */
                cJSON_AddItemToObjectCS(row, f->name, v);
        }
        take_row(run, reader.record, row);
        cJSON_Delete(row);
    }
    if (res == CSV_BAD_QUOTE) {
        add_error(run, reader.record, "", "unclosed quote: the rest of the file cannot be read");
        ok = false;
    }
    buf_free(&cells);
    return ok;
}

/* One JSON row: nested objects (outcomes) flatten to dotted names; export-only keys are dropped. */
static void take_json_row(struct run *run, long row_no, const cJSON *item)
{
    if (!cJSON_IsObject(item)) {
        run->rows++;
        add_error(run, row_no, "", "must be a JSON object");
        return;
    }
    cJSON *row = cJSON_CreateObject();
    const cJSON *member;
    cJSON_ArrayForEach(member, item)
    {
        if (ignored_column(member->string) ||
            (cJSON_IsNull(member) && field_index(run->spec, member->string) < 0)) {
            continue; /* export-only, or a null group such as "outcomes": null */
        } else if (cJSON_IsObject(member) && field_index(run->spec, member->string) < 0) {
            const cJSON *inner;
            cJSON_ArrayForEach(inner, member)
            {
                char name[128];
                snprintf(name, sizeof name, "%s.%s", member->string, inner->string);
                cJSON_AddItemToObject(row, name, cJSON_Duplicate(inner, 1));
            }
        } else {
            cJSON_AddItemToObject(row, member->string, cJSON_Duplicate(member, 1));
        }
    }
    for (size_t i = 0; i < run->spec->nfields; i++)
        if (cJSON_GetObjectItemCaseSensitive(row, run->spec->fields[i].name))
            run->present[i] = true;
    take_row(run, row_no, row);
    cJSON_Delete(row);
}

/* White space as cJSON reads it, so that an array reads as it did whole: any byte up to 32. */
static size_t skip_space(const char *text, size_t len, size_t at)
{
    while (at < len && (unsigned char)text[at] <= 32)
        at++;
    return at;
}

/* Records 400 for JSON that is not well formed at byte `at`; returns false. */
static bool malformed(struct run *run, size_t at)
{
    request_fail(run->r, PROBLEM_BAD_REQUEST, "Malformed JSON at byte %zu", at);
    return false;
}

/*
 * The JSON value at text[at..end): NULL after recording 400 when it is not well formed, or when
 * it is larger than a row may be (a write's body, MAX_BODY_BYTES: *too_large is set, nothing is
 * parsed). Caller frees with cJSON_Delete.
 */
static cJSON *parse_value(struct run *run, size_t at, size_t end, bool *too_large)
{
    const char *text = run->r->raw_body;
    *too_large = end - at > server_config->max_body_bytes;
    if (*too_large)
        return NULL;
    /* cJSON skips a byte order mark at the start of what it is given: only the body may have one. */
    if (end - at >= 3 && memcmp(text + at, "\xEF\xBB\xBF", 3) == 0) {
        malformed(run, at);
        return NULL;
    }
    const char *parsed_to = NULL;
    cJSON *value = cJSON_ParseWithLengthOpts(text + at, end - at, &parsed_to, 0);
    if (value && parsed_to == text + end)
        return value;
    cJSON_Delete(value); /* a value followed by more within the element's extent: "42abc" */
    malformed(run, parsed_to && parsed_to >= text ? (size_t)(parsed_to - text) : at);
    return NULL;
}

/*
 * JSON rows: a top-level array read one element at a time (json_value_end finds each element's
 * extent, cJSON parses that element alone), so that memory is one row, not the whole array's
 * tree. Rows are numbered from 1 in array order; an element that is not an object is an error on
 * its row, one larger than MAX_BODY_BYTES too (unparsed).
 */
static bool read_json(struct run *run)
{
    const char *text = run->r->raw_body;
    size_t len = run->r->raw_len, at = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        at = 3; /* a byte order mark, as cJSON allows one */
    at = skip_space(text, len, at);
    if (at >= len)
        return malformed(run, at);
    bool too_large;
    if (text[at] != '[') {
        /* A well-formed document that is not an array is the client's misunderstanding (422). */
        size_t end = json_value_end(text, len, at);
        cJSON *value = parse_value(run, at, end, &too_large);
        bool parsed = value != NULL;
        cJSON_Delete(value);
        if (!parsed && !too_large)
            return false;
        if (!too_large && skip_space(text, len, end) != len)
            return malformed(run, skip_space(text, len, end));
        add_error(run, 0, "", "the body must be a JSON array of objects");
        return false;
    }
    at = skip_space(text, len, at + 1);
    long row_no = 0;
    if (at < len && text[at] == ']') {
        at++;
    } else {
        for (;;) {
            if (at >= len)
                return malformed(run, len ? len - 1 : 0);
            size_t end = json_value_end(text, len, at);
            cJSON *item = parse_value(run, at, end, &too_large);
            row_no++;
            if (too_large) {
                run->rows++;
                add_error(run, row_no, "", arena_printf(run->r->arena, "the row is larger than %zu bytes",
                                                        server_config->max_body_bytes));
            } else if (!item) {
                return false;
            } else {
                take_json_row(run, row_no, item);
                cJSON_Delete(item);
            }
            at = skip_space(text, len, end);
            if (at < len && text[at] == ',') {
                at = skip_space(text, len, at + 1);
            } else if (at < len && text[at] == ']') {
                at++;
                break;
            } else {
                return malformed(run, at < len ? at : len - 1);
            }
        }
    }
    at = skip_space(text, len, at);
    return at == len ? true : malformed(run, at);
}

/* COPY the checked rows into the temporary table. It has no index: row numbers are ours, unique
 * already, and no statement looks one row up; a primary key made the COPY and every UPDATE of all
 * rows (the team each names) keep an index too, 0.3-0.4 s of 182,000 rows. */
static bool copy_rows(struct run *run)
{
    request *r = run->r;
    buf ddl = {0};
    buf_puts(&ddl, "CREATE TEMP TABLE import_rows (row_no int");
    buf cols = {0};
    buf_puts(&cols, "COPY import_rows (row_no");
    for (size_t i = 0; i < run->spec->nfields; i++) {
        char column[96];
        snprintf(column, sizeof column, "%s", run->spec->fields[i].name);
        for (char *c = column; *c; c++)
            if (*c == '.')
                *c = '_';
        buf_printf(&ddl, ", %s text", column);
        buf_printf(&cols, ", %s", column);
    }
    buf_printf(&ddl, "%s) ON COMMIT DROP", run->spec->resolved_columns);
    buf_puts(&cols, ") FROM STDIN");
    bool ok = db_query(r, ddl.data, 0, NULL) &&
              db_query(r, "CREATE TEMP TABLE import_errors (row_no int, field text, message text)"
                          " ON COMMIT DROP", 0, NULL);
    if (ok) {
        PGresult *res = PQexec(r->db, cols.data);
        ok = PQresultStatus(res) == PGRES_COPY_IN;
        PQclear(res);
        for (size_t at = 0; ok && at < run->copy.len; at += 1 << 16) {
            size_t n = run->copy.len - at < (1 << 16) ? run->copy.len - at : (1 << 16);
            ok = PQputCopyData(r->db, run->copy.data + at, (int)n) == 1;
        }
        ok = PQputCopyEnd(r->db, ok ? NULL : "import aborted") == 1 && ok;
        while ((res = PQgetResult(r->db))) {
            if (PQresultStatus(res) != PGRES_COMMAND_OK && ok) {
                db_record_error(r, res);
                ok = false;
            }
            PQclear(res);
        }
        if (!ok && !r->problem)
            request_fail(r, PROBLEM_UNAVAILABLE, "The database is unavailable; try again shortly");
    }
    buf_free(&ddl);
    buf_free(&cols);
    return ok;
}

/* $1 the caller's unit, $2 its enterprise, $3 the columns the file carries; typed, so that a
 * statement may leave some of them unused. */
static const Oid PARAM_TYPES[3] = {25 /* text */, 2950 /* uuid */, 1009 /* text[] */};

static PGresult *run_one(request *r, const char *sql, const char *const *params)
{
    return db_query_typed(r, sql, 3, PARAM_TYPES, params);
}

/* Runs a NULL-terminated list of statements with the actor and the present columns. */
static bool run_all(request *r, const char *const *sql, const char *const *params)
{
    for (; sql && *sql; sql++)
        if (!run_one(r, *sql, params))
            return false;
    return true;
}

static const char NO_SUCH_IMPORT[] =
    "Imports exist for units, unit_successors, enterprises, teams, members and activities";

static const struct import_spec *spec_named(const char *name)
{
    for (size_t i = 0; i < COUNT_OF(SPECS); i++)
        if (name && strcmp(SPECS[i].resource, name) == 0)
            return &SPECS[i];
    return NULL;
}

/* A true/false query flag; a bad value is recorded as a field error. */
static int by_row(const void *a, const void *b)
{
    double ra = cJSON_GetObjectItemCaseSensitive(*(cJSON *const *)a, "row")->valuedouble;
    double rb = cJSON_GetObjectItemCaseSensitive(*(cJSON *const *)b, "row")->valuedouble;
    return (ra > rb) - (ra < rb);
}

/* Puts the errors in file order, whichever check found them (stable for one row's fields). */
static void sort_errors(cJSON *errors)
{
    int n = cJSON_GetArraySize(errors);
    cJSON **items = xcalloc((size_t)n, sizeof *items);
    for (int i = 0; i < n; i++)
        items[i] = cJSON_DetachItemFromArray(errors, 0);
    qsort(items, (size_t)n, sizeof *items, by_row);
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(errors, items[i]);
    free(items);
}

/* Answers 422 with every bad row (the first 1000 listed). */
static int rows_rejected(struct run *run, long total)
{
    request *r = run->r;
    if (!run->dry_run)
        metrics_count_import_rows(run->spec->resource, 0, 0, 0, total);
    sort_errors(run->errors);
    r->problem_errors = run->errors;
    arena_defer(r->arena, delete_json, run->errors);
    run->errors = NULL;
    return request_fail(r, PROBLEM_VALIDATION,
                        "%ld error(s) in the file; nothing was written%s", total,
                        total > ERRORS_LISTED ? " (the first 1000 are listed)" : "");
}

/*
 * The spec's own query parameters (struct import_spec): options[0] the day the rows begin,
 * options[1] the day they end, options[2] the scope whose other units close (a national account's
 * is the whole country). False after recording the problem.
 */
static bool import_options_or_fail(request *r, const struct import_spec *spec, const char **options)
{
    static const struct filter DAY = {"day", FIELD_DATE, NULL};
    const char *names[2] = {spec->day_param, spec->closes_others ? "valid_to" : NULL};
    for (int i = 0; i < 2; i++) {
        options[i] = names[i] ? query_get(r, names[i]) : NULL;
        const char *problem = options[i] ? query_filter_problem(&DAY, options[i]) : NULL;
        if (problem)
            request_field_error(r, names[i], problem);
    }
    if (!options[0] && spec->day_required)
        request_field_error(r, spec->day_param, "is required: the day the change took effect (YYYY-MM-DD)");
    bool close = spec->closes_others && query_flag(r, "close_others", false);
    if (close && !options[0])
        request_field_error(r, "close_others", "needs valid_from: the day the other units close");
    options[2] = !close                              ? NULL
                 : r->claims->role == ROLE_NATIONAL ? "{*}"
                                                     : arena_printf(r->arena, "{%s}", r->claims->unit);
    return request_fields_ok_or_fail(r);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Takes a pooled connection and begins the import's transaction (under the bulk statement
 * timeout); unless it is a dry run, takes the scope's locks (SQL_SCOPE_LOCKS). When another
 * import holds one, the connection goes back to the pool (the rollback drops what was taken)
 * before waiting, 50 ms at first and doubling up to 1 s, and the locks are tried again until
 * IMPORT_LOCK_WAIT_MS have passed; then 409 with Retry-After. False after recording the problem.
 */
static bool scope_locks_or_fail(request *r, const struct import_spec *spec, bool dry_run)
{
    const char *params[3] = {spec->resource};
    if (!spec->province_only) /* units: the whole country, $2 and $3 NULL */
        actor_params(r, params + 1);
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    for (long pause_ms = 50;; pause_ms = pause_ms < 500 ? pause_ms * 2 : 1000) {
        if (!db_begin_bulk_or_fail(r))
            return false;
        if (dry_run)
            return true; /* writes nothing: races no one */
        PGresult *busy = db_query(r, SQL_SCOPE_LOCKS, 3, params);
        if (!busy)
            return false;
        if (atol(db_value(busy, 0)) == 0)
            return true;
        db_release(r);
        long left_ms = server_config->import_lock_wait_ms - (long)(seconds_since(&started) * 1000);
        if (left_ms <= 0) {
            r->extra_header = arena_printf(r->arena, "Retry-After: %d", LOCK_RETRY_AFTER);
            request_fail(r, PROBLEM_CONFLICT,
                         "Another import of %s in your scope, or in a unit above or below it, is still running; "
                         "send the file again when it has finished",
                         spec->resource);
            return false;
        }
        long ms = pause_ms < left_ms ? pause_ms : left_ms; /* the last try at the end of the wait */
        struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
    }
}

int imports_post(request *r)
{
    const struct import_spec *spec = spec_named(r->params[0]);
    if (!spec)
        return request_fail(r, PROBLEM_NOT_FOUND, NO_SUCH_IMPORT);
    if (spec->province_only && r->claims->role != ROLE_PROVINCE && r->claims->role != ROLE_NATIONAL)
        return request_fail(r, PROBLEM_FORBIDDEN, "Only province accounts may import units and their lineage");
    bool atomic = query_flag(r, "atomic", true);
    bool dry_run = query_flag(r, "dry_run", false);
    const char *options[3];
    if (!import_options_or_fail(r, spec, options))
        return API_FAILED;

    struct run run = {.r = r, .spec = spec, .dry_run = dry_run, .errors = cJSON_CreateArray()};
    int status = API_FAILED;
    bool readable = r->raw_is_csv ? read_csv(&run) : read_json(&run);
    if (!readable) {
        status = r->problem ? API_FAILED : rows_rejected(&run, run.error_count);
        goto out;
    }
    if (run.rows == 0) {
        status = request_fail(r, PROBLEM_VALIDATION, "The file has no rows to import");
        goto out;
    }

    buf present = {0};
    buf_puts(&present, "{");
    for (size_t i = 0, n = 0; i < spec->nfields; i++)
        if (run.present[i])
            buf_printf(&present, "%s\"%s\"", n++ ? "," : "", spec->fields[i].name);
    buf_puts(&present, "}");
    const char *params[3];
    actor_params(r, params);
    params[2] = arena_strdup(r->arena, present.data);
    buf_free(&present);

    if (!scope_locks_or_fail(r, spec, dry_run) || !copy_rows(&run) ||
        !db_query(r, SQL_OPTIONS, 3, options) ||
        !db_query(r, arena_printf(r->arena, SQL_DUPLICATE_KEYS, spec->key, spec->key), 0, NULL) ||
        !run_all(r, spec->checks, params))
        goto out;
    PGresult *counted = db_query(r, SQL_ERROR_ROWS, 0, NULL);
    PGresult *listed = counted ? db_query(r, SQL_ERRORS, 0, NULL) : NULL;
    if (!listed)
        goto out;
    for (int i = 0; i < PQntuples(listed); i++)
        add_error(&run, atol(PQgetvalue(listed, i, 0)), PQgetvalue(listed, i, 1), PQgetvalue(listed, i, 2));
    long total_errors = run.error_count + atol(PQgetvalue(counted, 0, 1)) - PQntuples(listed);
    if (total_errors > 0 && atomic) {
        status = rows_rejected(&run, total_errors);
        goto out;
    }
    if (!db_query(r, SQL_DROP_BAD, 0, NULL) || !run_one(r, spec->final, params) ||
        (spec->changed && !db_query(r, spec->changed, 0, NULL)))
        goto out;
    PGresult *counts = db_query(r, SQL_COUNTS, 0, NULL);
    if (!counts || (!dry_run && !run_all(r, spec->apply, params)))
        goto out;

    cJSON *result = cJSON_CreateObject();
    arena_defer(r->arena, delete_json, result);
    cJSON_AddNumberToObject(result, "rows", (double)run.rows);
    cJSON_AddNumberToObject(result, "inserted", atof(PQgetvalue(counts, 0, 0)));
    cJSON_AddNumberToObject(result, "updated", atof(PQgetvalue(counts, 0, 1)));
    cJSON_AddNumberToObject(result, "unchanged", atof(PQgetvalue(counts, 0, 2)));
    cJSON_AddNumberToObject(result, "rejected", (double)(run.rows - atol(PQgetvalue(counts, 0, 0)) -
                                                        atol(PQgetvalue(counts, 0, 1)) -
                                                        atol(PQgetvalue(counts, 0, 2))));
    if (spec->closes_others) {
        PGresult *closed = db_query(r, SQL_CLOSED, 0, NULL);
        if (!closed)
            goto out;
        cJSON_AddNumberToObject(result, "closed", atof(db_value(closed, 0)));
    }
    cJSON_AddBoolToObject(result, "dry_run", dry_run);
    cJSON_AddNumberToObject(result, "error_count", (double)total_errors);
    sort_errors(run.errors);
    cJSON_AddItemToObject(result, "errors", run.errors);
    run.errors = NULL;
    char *text = cJSON_PrintUnformatted(result);
    const char *body = arena_strdup(r->arena, text);
    cJSON_free(text);
    if (!dry_run) {
        char summary[160];
        snprintf(summary, sizeof summary, "{\"rows\":%ld,\"inserted\":%s,\"updated\":%s,\"unchanged\":%s}",
                 run.rows, PQgetvalue(counts, 0, 0), PQgetvalue(counts, 0, 1), PQgetvalue(counts, 0, 2));
        if (!audit_record(r, "import", spec->resource, NULL, r->claims->unit[0] ? r->claims->unit : NULL,
                          r->claims->enterprise[0] ? r->claims->enterprise : NULL, summary) ||
            !db_commit_or_fail(r))
            goto out;
        metrics_count_import_rows(spec->resource, atol(PQgetvalue(counts, 0, 0)), atol(PQgetvalue(counts, 0, 1)),
                                  atol(PQgetvalue(counts, 0, 2)), total_errors);
    }
    /* A file of units may close some: their accounts' tokens stop at once in this process. */
    if (!dry_run && strcmp(spec->resource, "units") == 0)
        request_after_commit(r, principals_forget_all_hook, NULL);
    /* A dry run's transaction, or a failed import's, is rolled back by the dispatcher (db_release). */
    status = respond_json(r, 200, body, 0);
out:
    cJSON_Delete(run.errors);
    buf_free(&run.copy);
    return status;
}

/* The JSON type name of a field's values, as the import's columns document (openapi ImportColumn). */
static const char *column_type(field_type type)
{
    switch (type) {
    case FIELD_INT: return "integer";
    case FIELD_BOOL: return "boolean";
    case FIELD_DATE: return "date";
    case FIELD_UUID: return "uuid";
    case FIELD_ENUM: return "code";
    default: return "string";
    }
}

/*
 * GET /api/v1/import/{resource}: the columns an import takes, from its field table, in order:
 * each one's name, type, whether it is required and, for codes, the codes it accepts. The web
 * client's import page shows them; a program may build its file from them.
 */
int imports_columns(request *r)
{
    const struct import_spec *spec = spec_named(r->params[0]);
    if (!spec)
        return request_fail(r, PROBLEM_NOT_FOUND, NO_SUCH_IMPORT);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "resource", spec->resource);
    cJSON_AddStringToObject(doc, "key", spec->key);
    cJSON_AddBoolToObject(doc, "province_only", spec->province_only);
    cJSON *columns = cJSON_AddArrayToObject(doc, "columns");
    for (size_t i = 0; i < spec->nfields; i++) {
        const struct field *f = &spec->fields[i];
        cJSON *column = cJSON_CreateObject();
        cJSON_AddStringToObject(column, "name", f->name);
        cJSON_AddStringToObject(column, "type", column_type(f->type));
        cJSON_AddBoolToObject(column, "required", (f->flags & FIELD_REQUIRED) != 0);
        if (f->choices) {
            cJSON *choices = cJSON_AddArrayToObject(column, "choices");
            for (const char *const *c = f->choices; *c; c++)
                cJSON_AddItemToArray(choices, cJSON_CreateString(*c));
        }
        cJSON_AddItemToArray(columns, column);
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    const char *body = arena_strdup(r->arena, text);
    cJSON_free(text);
    return respond_json(r, 200, body, 0);
}
