/*
 * api/activities.c — /api/v1/activities: what teams did for citizens, with outcome counts.
 *
 * An activity is in scope exactly when its team is. `outcomes` holds the optional counts of
 * DESIGN §2, each a non-negative integer; the statistics sum them. An activity cannot be held
 * after today in Vietnam (activity_checks, sql/functions/55_activities.sql; imports too).
 */
#include "api/api.h"
#include "api/resource.h"
#include "resources_gen.h"

/* The rows read what the index activities_team_held holds (022_h14_activities_team_held_id.sql):
 * a district's ~30,000 activities are sorted without reading the table. Sorting by title or
 * created_at reads them per row (SORTS). */
static const char SQL_LIST[] =
    "SELECT a.id, a.held_on, a.people_reached"
    "  FROM activities a JOIN teams t ON t.id = a.team_id"
    "  WHERE " IN_SCOPE_SET("t.unit_code", "t.enterprise_id")
    ACTIVITIES_FILTER_WHERE;

/*
 * The first pages in the default order (-held_on, list_spec recent_keys), without reading every
 * activity of the scope (a district's 108,000 took 103 ms a page). N = offset + limit + 1 rows
 * are found one of three ways, from the teams in scope (s) and the units in scope (c):
 *   fenced  the N newest days of the teams of c (team_latest_activity, 029_team_latest_activity.sql),
 *           the smallest of them a fence: the activities on or after it of the teams reaching it.
 *           Exact when it finds N rows (no activity left out is as new as the fence); a deletion
 *           can leave a team's day too late and the rows too few, and then one of the others runs;
 *   wide    the country's newest activities by activities_held, keeping those of s;
 *   narrow  each team's newest by activities_team_held, merged (both indexes in this order:
 *           027_activities_recent.sql).
 * Wide reads about N × teams / |s| entries, narrow |s| × N (at most the scope's rows), fenced
 * |c| index probes (~20 entries each) and |s| entries at most: it is taken where it reads less
 * than wide, for a unit's account asking no team, no day range and no cursor (the fence holds
 * the newest days only). A district of 0.5 % of the teams: wide 9,200 entries, fenced ~850.
 * A filter on kind or title, which can make the newest rows rare, leaves the page to the generic
 * statement (RECENT_UNLESS). A national account without a unit or team filter sees every
 * activity (a team's unit is never NULL and always a unit), so it needs neither s nor its count
 * (RECENT_ALL). The bounds on held_on (the cursor's day, from, to) are index conditions; the other
 * filters are applied as the generic list applies them. It runs with one generic plan per
 * connection (list_spec), so it names no column outside the two indexes: a filter on kind or title
 * would make that plan read each row (a district's page 1,900 deep took 3× as long), and those
 * never reach it. Parameters: the generic page's, the cursor's place $11, the order $12.
 */
/* The filters on an activity's own columns that reach the recent page (not RECENT_UNLESS's);
 * the unit's applies to the teams (s) and the units (c, aliased t as the filter names it). */
#define RECENT_ROW_FILTERS ACTIVITIES_FILTER_team ACTIVITIES_FILTER_from ACTIVITIES_FILTER_to

#define RECENT_DEPTH "($3::int + 1 + $4::int)"

#define RECENT_ROWS                                                                                  \
    "   AND a.held_on <= coalesce(least(($11::jsonb->>0)::date, $9::date), 'infinity')"               \
    "   AND a.held_on >= coalesce($8::date, '-infinity')"                                             \
    "   AND (($11::jsonb->>0)::date IS NULL OR a.held_on < ($11::jsonb->>0)::date"                    \
    "        OR a.id > ($11::jsonb->>1)::uuid)"                                                        \
    RECENT_ROW_FILTERS " ORDER BY a.held_on DESC, a.id LIMIT " RECENT_DEPTH

#define RECENT_ALL "($1 = '*' AND $2::uuid IS NULL AND $5::text IS NULL AND $6::uuid IS NULL)"

/* A page the fence can serve: a unit's account, no team, no day range, no cursor. */
#define RECENT_FENCEABLE                                                                             \
    "(NOT " RECENT_ALL " AND $2::uuid IS NULL AND $6::uuid IS NULL AND $8::date IS NULL"            \
    " AND $9::date IS NULL AND $11::jsonb IS NULL)"

/* How many teams c holds, to choose the fence: the active ones of its communes, one row each
 * (unit_team_figures, 023_h14_unit_team_figures.sql), read where counting s would take longer
 * (a district's 476 teams: 0.25 ms) and s is not needed (a fenced page reads no s). */
#define RECENT_TEAMS                                                                                  \
    "(SELECT coalesce(sum(u.teams_active), 0) FROM unit_team_figures u"                              \
    "  WHERE u.unit_code = ANY (ARRAY(SELECT c.unit_code FROM c)))"

/* The rows of the wide and narrow ways run when the fenced ones are too few (or none). */
#define RECENT_UNFENCED " NOT (SELECT yes FROM enough) AND"

static const char SQL_RECENT_KEYS[] =
    "s AS MATERIALIZED (SELECT t.id FROM teams t WHERE " IN_SCOPE_SET("t.unit_code", "t.enterprise_id")
    ACTIVITIES_FILTER_unit "    AND ($6::uuid IS NULL OR t.id = $6::uuid)),"
    " c AS MATERIALIZED (SELECT t.unit_code FROM scope_unit_codes($1, $2::uuid) t (unit_code)"
    "   WHERE true" ACTIVITIES_FILTER_unit "),"
    " wide AS MATERIALIZED (SELECT (" RECENT_ALL " OR"
    "   (SELECT count(*) FROM s) ^ 2 * least(" RECENT_DEPTH ", greatest(a.reltuples, 1) / greatest(t.reltuples, 1))"
    "       >= " RECENT_DEPTH " * greatest(t.reltuples, 1)) AS yes"
    "   FROM pg_class a, pg_class t WHERE a.oid = 'activities'::regclass AND t.oid = 'teams'::regclass),"
    " fenced AS MATERIALIZED (SELECT " RECENT_FENCEABLE " AND"
    "   (SELECT n.units * 20 + n.teams < " RECENT_DEPTH " * greatest(t.reltuples, 1) / greatest(n.teams, 1)"
    "      FROM (SELECT (SELECT count(*) FROM c) AS units, " RECENT_TEAMS " AS teams OFFSET 0) n) AS yes"
    "   FROM pg_class t WHERE t.oid = 'teams'::regclass),"
    " fence AS MATERIALIZED (SELECT min(n.held_on) AS day FROM"
    "   (SELECT l.held_on FROM c CROSS JOIN LATERAL"
    "     (SELECT l.held_on FROM team_latest_activity l WHERE l.unit_code = c.unit_code"
    "       ORDER BY l.held_on DESC LIMIT " RECENT_DEPTH ") l"
    "     WHERE (SELECT yes FROM fenced) ORDER BY l.held_on DESC LIMIT " RECENT_DEPTH ") n),"
    " near AS MATERIALIZED (SELECT r.id, r.held_on FROM fence, c CROSS JOIN LATERAL"
    "     (SELECT l.team_id FROM team_latest_activity l WHERE l.unit_code = c.unit_code AND l.held_on >= fence.day"
    "       OFFSET 0) l" /* by index, unit by unit: the generic plan, not knowing the fence, hashed them all */
    "     CROSS JOIN LATERAL (SELECT a.id, a.held_on FROM activities a"
    "       WHERE a.team_id = l.team_id AND a.held_on >= fence.day"
    "       ORDER BY a.held_on DESC, a.id LIMIT " RECENT_DEPTH ") r"
    "   WHERE (SELECT yes FROM fenced)),"
    " enough AS MATERIALIZED (SELECT count(*) >= " RECENT_DEPTH " AS yes FROM near),"
    " k AS (SELECT n.id, n.held_on FROM near n WHERE (SELECT yes FROM enough)"
    "       UNION ALL"
    "       (SELECT a.id, a.held_on FROM activities a"
    "         WHERE" RECENT_UNFENCED " (SELECT yes FROM wide)"
    "           AND (" RECENT_ALL " OR (a.team_id IN (SELECT s.id FROM s)) IS TRUE)"
    RECENT_ROWS ")"
    "       UNION ALL"
    "       SELECT r.id, r.held_on FROM s CROSS JOIN LATERAL"
    "        (SELECT a.id, a.held_on FROM activities a WHERE a.team_id = s.id" RECENT_ROWS ") r"
    "        WHERE" RECENT_UNFENCED " NOT (SELECT yes FROM wide)),"
    " page AS (SELECT ARRAY(SELECT k.id FROM k ORDER BY k.held_on DESC, k.id"
    "                        LIMIT $3::int + 1 OFFSET $4::int) AS keys)";

static const char *const RECENT_UNLESS[] = {"kind", "q", NULL};

/* The total of the recent page: the rollup's per-unit count (activity_unit_total, kept by the
 * same transactions as the activities, 35_rollup.sql) when a unit's account asks with no filter
 * but the unit (aliased t, as the filter names it), else a count, by activities_team_held alone.
 * Kind ($7) and title ($10) are always NULL here, and named so that the statement types them. */
static const char SQL_RECENT_TOTAL[] =
    "CASE WHEN $2::uuid IS NULL AND $6::uuid IS NULL AND $7::text IS NULL AND $8::date IS NULL"
    "          AND $9::date IS NULL AND $10::text IS NULL"
    " THEN (SELECT coalesce(sum(t.activities), 0)::bigint FROM activity_unit_total t"
    "        WHERE t.unit_code = ANY (ARRAY(SELECT c FROM scope_unit_codes($1, $2::uuid) c))"
    ACTIVITIES_FILTER_unit ")"
    " ELSE (SELECT count(*) FROM s JOIN activities a ON a.team_id = s.id"
    "        WHERE a.held_on BETWEEN coalesce($8::date, '-infinity') AND coalesce($9::date, 'infinity')"
    RECENT_ROW_FILTERS ")"
    " END";

static const char SQL_GET[] =
    "SELECT activity_doc(a)::text, a.version FROM activities a JOIN teams t ON t.id = a.team_id"
    " WHERE a.id = $3::uuid AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)";

static const char SQL_LOCK[] =
    "SELECT a.version, t.unit_code, t.enterprise_id FROM activities a JOIN teams t ON t.id = a.team_id"
    " WHERE a.id = $3::uuid AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"
    " FOR UPDATE OF a";

static const char SQL_INSERT[] =
    "INSERT INTO activities (" ACTIVITIES_COLUMNS ")"
    " SELECT " ACTIVITIES_VALUES(x) " FROM jsonb_populate_record(NULL::activities, $3::jsonb) x"
    "   JOIN teams t ON t.id = x.team_id AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"
    " RETURNING id, (SELECT unit_code FROM teams WHERE id = team_id),"
    "           (SELECT enterprise_id FROM teams WHERE id = team_id)";

static const char SQL_UPDATE[] =
    "UPDATE activities a SET " ACTIVITIES_SET(x) ", version = a.version + 1, updated_at = now()"
    "  FROM activities c, jsonb_populate_record(c, $3::jsonb) x, teams t"
    " WHERE c.id = $4::uuid AND a.id = c.id AND t.id = x.team_id"
    "   AND in_scope($1, $2::uuid, t.unit_code, t.enterprise_id)"
    " RETURNING a.id, t.unit_code, t.enterprise_id";

/* An activity held after today (Vietnam time) is refused: it cannot have happened yet. */
static const char SQL_CHECKS[] = "SELECT * FROM activity_checks($1, $2::uuid, $3::jsonb, $4::uuid)";

static const char SQL_DELETE[] = "DELETE FROM activities WHERE id = $1::uuid";

static const struct field FIELDS[] = {ACTIVITIES_FIELDS};

static const struct reference REFS[] = {
    {"team_id", "SELECT 1 FROM teams WHERE id = $1::uuid"},
};

static const struct filter FILTERS[] = {ACTIVITIES_FILTERS};
/* SQL_RECENT_KEYS applies each filter by name and numbers the cursor's parameter after them. */
_Static_assert(COUNT_OF(FILTERS) == 6, "SQL_RECENT_KEYS and SQL_RECENT_TOTAL name every filter");

static const struct sort_key SORTS[] = {
    {"held_on", "f.held_on", "date"},
    {"title", "(SELECT x.title FROM activities x WHERE x.id = f.id)", "text"},
    {"people_reached", "f.people_reached", "integer"},
    {"created_at", "(SELECT x.created_at FROM activities x WHERE x.id = f.id)", "timestamptz"},
};

static const char *const CSV_COLUMNS[] = {ACTIVITIES_CSV_COLUMNS};

/* The export a person reads (columns=labels): activity_labels(), sql/functions/45_exports.sql. */
static const struct column LABEL_COLUMNS[] = {
    {"Ngày", COLUMN_DATE}, {"Loại hoạt động", COLUMN_AUTO}, {"Nội dung", COLUMN_AUTO},
    {"Địa điểm", COLUMN_AUTO}, {"Tên tổ", COLUMN_AUTO}, {"Mã xã", COLUMN_AUTO},
    {"Xã, phường, thị trấn", COLUMN_AUTO}, {"Quận, huyện", COLUMN_AUTO},
    {"Số người được hỗ trợ", COLUMN_AUTO},
    {"Tài khoản định danh điện tử được kích hoạt", COLUMN_AUTO},
    {"Hồ sơ dịch vụ công trực tuyến", COLUMN_AUTO}, {"Tài khoản thanh toán được mở", COLUMN_AUTO},
    {"Gian hàng thương mại điện tử", COLUMN_AUTO}, {"Lượt cài đặt ứng dụng", COLUMN_AUTO},
    {"Người được tập huấn kỹ năng số", COLUMN_AUTO}, {"Ghi chú", COLUMN_AUTO},
    {"Mã trong hệ thống khác", COLUMN_AUTO}, {0},
};

const struct list_spec ACTIVITIES_LIST = {
    .filtered = SQL_LIST,
    .table = "activities",
    .key = "id",
    .doc = "activity_doc(x)",
    .csv_columns = CSV_COLUMNS,
    .labels_doc = "activity_labels(x)",
    .label_columns = LABEL_COLUMNS,
    .sheet = "Hoạt động",
    .filters = FILTERS,
    .nfilters = COUNT_OF(FILTERS),
    .sorts = SORTS,
    .nsorts = COUNT_OF(SORTS),
    .default_sort = "-held_on",
    .tiebreak = "f.id",
    .tiebreak_type = "uuid",
    .recent_keys = SQL_RECENT_KEYS,
    .recent_total = SQL_RECENT_TOTAL,
    .recent_unless = RECENT_UNLESS,
    .recent_doc = "activity_item(x, dt.name, du.name)", /* activity_doc's, as a row: 55_activities.sql */
    .recent_doc_join = " JOIN teams dt ON dt.id = x.team_id LEFT JOIN units du ON du.code = dt.unit_code",
};

const struct resource ACTIVITIES = {
    .name = "activities",
    .fields = FIELDS,
    .nfields = COUNT_OF(FIELDS),
    .refs = REFS,
    .nrefs = COUNT_OF(REFS),
    .sql_get = SQL_GET,
    .sql_lock = SQL_LOCK,
    .sql_insert = SQL_INSERT,
    .sql_update = SQL_UPDATE,
    .sql_delete = SQL_DELETE,
    .location = "/api/v1/activities/%s",
    .sql_checks = SQL_CHECKS,
    .reply_in_scope = true,
};
