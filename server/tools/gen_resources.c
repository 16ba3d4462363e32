/*
 * tools/gen_resources.c — writes resources_gen.h and resources_gen.c from api/resources.def.
 *
 * Run by the build (CMakeLists.txt) whenever resources.def changes: `gen_resources OUTDIR`.
 * The header holds, for each resource R, string and initializer macros that the resource files
 * and api/import.c put into their constants, so that the SQL stays a constant beside its
 * handler while each column list comes from the one declaration:
 *
 *   R_FIELDS            the API's field table (struct field initializers)
 *   R_IMPORT_FIELDS     the import's field table
 *   R_CSV_COLUMNS       the columns=api export's columns, NULL-terminated
 *   R_COLUMNS           the columns create and update write: "a, b, c"
 *   R_VALUES(x)         their values from row x, fallbacks applied: "x.a, coalesce(x.b, 0), x.c"
 *   R_SET(x)            "a = x.a, b = x.b, c = x.c"
 *   R_IMPORT_FINAL, R_IMPORT_CHANGED, R_IMPORT_INSERT, R_IMPORT_UPDATE
 *                       the import's statements (api/import.c, struct import_spec)
 *   R_FILTERS, R_FILTER_WHERE  the list's filters and their conditions (R_FILTER_<name>: one alone)
 *   NAME_SQL            an ENUM's codes as SQL: "ARRAY['a', 'b']"
 *
 * and the source defines the ENUM arrays. Declarations go in resources.def, never here.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { API = 1, WRITE = 2, IMPORT = 4, CSV = 8, KEY = 16, IMPORT_OPTIONAL = 32 };

struct enum_decl {
    const char *name;
    const char *codes[32];
};

struct resource_decl {
    const char *name, *table, *key;
    bool upsert; /* the import upserts by key with the statements made here */
};

struct field_decl {
    const char *resource, *name, *type, *flags, *min, *max, *choices, *check;
    unsigned uses;
    const char *fallback, *import_value, *parts;
};

struct filter_decl {
    const char *resource, *name, *type, *choices, *condition;
};

/* Each kind of row of resources.def read into its own array: the other kinds expand to nothing. */
#define ENUM(name, ...) {#name, {__VA_ARGS__, NULL}},
#define RESOURCE(...)
#define FIELD(...)
#define FILTER(...)
static const struct enum_decl ENUMS[] = {
#include "api/resources.def"
};
#undef ENUM
#undef RESOURCE
#define ENUM(...)
#define RESOURCE(name, table, key, upsert) {#name, #table, #key, upsert},
static const struct resource_decl RESOURCES[] = {
#include "api/resources.def"
};
#undef RESOURCE
#undef FIELD
#define RESOURCE(...)
#define FIELD(resource, name, type, flags, min, max, choices, check, uses, fallback, import_value, parts) \
    {#resource, #name, #type, #flags, #min, #max, #choices, #check, uses, fallback, import_value, parts},
static const struct field_decl FIELDS[] = {
#include "api/resources.def"
};
#undef FIELD
#undef FILTER
#define FIELD(...)
#define FILTER(resource, name, type, choices, condition) {#resource, #name, #type, #choices, condition},
static const struct filter_decl FILTERS[] = {
#include "api/resources.def"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static FILE *out;

static void emit(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vfprintf(out, format, ap);
    va_end(ap);
}

static const struct enum_decl *enum_named(const char *name)
{
    for (size_t i = 0; i < COUNT(ENUMS); i++)
        if (strcmp(ENUMS[i].name, name) == 0)
            return &ENUMS[i];
    fprintf(stderr, "gen_resources: no ENUM %s in resources.def\n", name);
    exit(1);
}

static bool counts(const struct field_decl *f)
{
    return strcmp(f->type, "COUNTS") == 0;
}

static const char *or_null(const char *name)
{
    return strcmp(name, "NONE") == 0 ? "NULL" : name;
}

/* The declaration's flags ("REQUIRED | IMMUTABLE", or 0) as C: FIELD_REQUIRED | FIELD_IMMUTABLE. */
static const char *flag_name(const char *flags)
{
    static char out[128];
    if (strcmp(flags, "0") == 0)
        return "0";
    out[0] = 0;
    char copy[128];
    snprintf(copy, sizeof copy, "%s", flags);
    for (char *flag = strtok(copy, " |"); flag; flag = strtok(NULL, " |")) {
        size_t used = strlen(out);
        snprintf(out + used, sizeof out - used, "%sFIELD_%s", used ? " | " : "", flag);
    }
    return out;
}

static bool has_flag(const struct field_decl *f, const char *flag)
{
    return strstr(f->flags, flag) != NULL;
}

/* One struct field initializer. */
static void emit_field(const char *name, const char *type, const char *flags, const char *min,
                       const char *max, const char *choices, const char *check)
{
    emit(" \\\n    {\"%s\", FIELD_%s, %s, %s, %s, %s, %s},", name, type, flags, min, max, or_null(choices),
         or_null(check));
}

/* The SQL cast from the import's text cell to the column's type. */
static const char *cast(const struct field_decl *f)
{
    if (strcmp(f->type, "INT") == 0)
        return "::int";
    if (strcmp(f->type, "BOOL") == 0)
        return "::boolean";
    if (strcmp(f->type, "DATE") == 0)
        return "::date";
    if (strcmp(f->type, "UUID") == 0)
        return "::uuid";
    return "";
}

/* The SQL type of a filter's parameter. */
static const char *filter_type(const char *type)
{
    if (strcmp(type, "BOOL") == 0)
        return "boolean";
    if (strcmp(type, "UUID") == 0)
        return "uuid";
    if (strcmp(type, "DATE") == 0)
        return "date";
    return "text";
}

static bool is_key(const struct resource_decl *res, const struct field_decl *f)
{
    return strcmp(res->key, f->name) == 0;
}

/* Each field of res with any bit of uses, in declared order. */
#define EACH_FIELD(res, f, bits)                                                                   \
    for (const struct field_decl *f = FIELDS; f < FIELDS + COUNT(FIELDS); f++)                     \
        if (strcmp(f->resource, (res)->name) == 0 && (f->uses & (bits)) != 0)

static void upper(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
    dst[i] = 0;
}

/* "sep" between items of a list being written: nothing before the first. */
static const char *next_sep(bool *first, const char *sep)
{
    const char *s = *first ? "" : sep;
    *first = false;
    return s;
}

static void emit_resource(const struct resource_decl *res)
{
    char R[64];
    upper(R, res->name, sizeof R);
    bool first;

    emit("\n/* ---- %s ---- */\n\n#define %s_FIELDS", res->name, R);
    EACH_FIELD(res, f, API)
    emit_field(f->name, f->type, flag_name(f->flags), f->min, f->max, f->choices, f->check);
    emit("\n\n#define %s_IMPORT_FIELDS", R);
    EACH_FIELD(res, f, IMPORT | KEY)
    {
        const char *flags = (f->uses & KEY) || has_flag(f, "REQUIRED") ? "FIELD_REQUIRED" : "0";
        if (f->uses & IMPORT_OPTIONAL)
            flags = "0";
        if (counts(f)) {
            for (const char *const *c = enum_named(f->choices)->codes; *c; c++) {
                char part[128];
                snprintf(part, sizeof part, "%s.%s", f->name, *c);
                emit_field(part, "INT", "0", f->min, f->max, "NONE", "NONE");
            }
        } else {
            emit_field(f->name, f->type, flags, f->min, f->max, f->choices, f->check);
        }
    }

    emit("\n\n#define %s_CSV_COLUMNS", R);
    EACH_FIELD(res, f, CSV)
    {
        if (counts(f)) {
            for (const char *const *c = enum_named(f->choices)->codes; *c; c++)
                emit(" \"%s.%s\",", f->name, *c);
        } else if (*f->parts) {
            char parts[256];
            snprintf(parts, sizeof parts, "%s", f->parts);
            for (char *p = strtok(parts, ","); p; p = strtok(NULL, ","))
                emit(" \"%s.%s\",", f->name, p);
        } else {
            emit(" \"%s\",", f->name);
        }
    }
    emit(" NULL\n");

    emit("\n#define %s_COLUMNS \"", R);
    first = true;
    EACH_FIELD(res, f, WRITE)
    emit("%s%s", next_sep(&first, ", "), f->name);
    emit("\"\n#define %s_VALUES(x) ", R);
    first = true;
    EACH_FIELD(res, f, WRITE)
    {
        emit("%s", next_sep(&first, " \", \" "));
        if (*f->fallback)
            emit("\"coalesce(\" #x \".%s, %s)\"", f->name, f->fallback);
        else
            emit("#x \".%s\"", f->name);
    }
    emit("\n#define %s_SET(x) ", R); /* an update writes what create wrote, but the immutable */
    first = true;
    EACH_FIELD(res, f, WRITE)
    if (!has_flag(f, "IMMUTABLE"))
        emit("%s\"%s = \" #x \".%s\"", next_sep(&first, " \", \" "), f->name, f->name);

    /* The list's filters: their table, and each one's condition with its parameter, $5 on. */
    emit("\n\n#define %s_FILTERS", R);
    for (const struct filter_decl *q = FILTERS; q < FILTERS + COUNT(FILTERS); q++)
        if (strcmp(q->resource, res->name) == 0)
            emit(" \\\n    {\"%s\", FIELD_%s, %s},", q->name, q->type, or_null(q->choices));
    /* Each filter's condition alone (R_FILTER_<name>), for a statement that applies them in two
     * places (the recent page of activities), then all of them. */
    int param = 5;
    for (const struct filter_decl *q = FILTERS; q < FILTERS + COUNT(FILTERS); q++) {
        if (strcmp(q->resource, res->name) != 0)
            continue;
        char typed[32];
        snprintf(typed, sizeof typed, "$%d::%s", param++, filter_type(q->type));
        emit("\n#define %s_FILTER_%s \"    AND (%s IS NULL OR ", R, q->name, typed);
        for (const char *c = q->condition; *c; c++) {
            if (*c == '$')
                emit("%s", typed);
            else
                emit("%c", *c);
        }
        emit(")\"");
    }
    emit("\n\n#define %s_FILTER_WHERE", R);
    for (const struct filter_decl *q = FILTERS; q < FILTERS + COUNT(FILTERS); q++)
        if (strcmp(q->resource, res->name) == 0)
            emit(" \\\n    %s_FILTER_%s", R, q->name);
    emit("\n");
    if (!res->upsert)
        return;

    /* The import: each row's values (import_final), whether they change the row, the upserts. */
    emit("\n\n#define %s_IMPORT_FINAL \\\n    \"CREATE TEMP TABLE import_final ON COMMIT DROP AS\" \\\n"
         "    \" SELECT r.row_no, o.id, r.%s, o.id IS NULL AS is_new,\" \\\n",
         R, res->key);
    EACH_FIELD(res, f, WRITE)
    {
        if (is_key(res, f))
            continue;
        emit("    \"  ");
        if (*f->fallback)
            emit("coalesce(");
        if (*f->import_value) {
            for (const char *s = f->import_value; *s; s++) {
                if (strncmp(s, "{old}", 5) == 0) {
                    emit("o");
                    s += 4;
                } else {
                    emit("%c", *s);
                }
            }
        } else if (counts(f)) {
            emit("CASE WHEN $3 && ARRAY[");
            first = true;
            for (const char *const *c = enum_named(f->choices)->codes; *c; c++)
                emit("%s'%s.%s'", next_sep(&first, ", "), f->name, *c);
            emit("] THEN jsonb_strip_nulls(jsonb_build_object(");
            first = true;
            for (const char *const *c = enum_named(f->choices)->codes; *c; c++)
                emit("%s'%s', r.%s_%s::int", next_sep(&first, ", "), *c, f->name, *c);
            emit(")) ELSE o.%s END", f->name);
        } else {
            emit("import_pick($3, '%s', r.%s%s, o.%s)", f->name, f->name, cast(f), f->name);
        }
        if (*f->fallback)
            emit(", %s)", f->fallback);
        emit(" AS %s,\" \\\n", f->name);
    }
    /* Each row's existing row by its key, one index probe a row: a join left to the planner read
     * the whole table into a hash (0.7-1.1 s against 5.8 million activities for 182,000 rows). */
    emit("    \"  false AS changed\" \\\n    \" FROM import_rows r\" \\\n"
         "    \" LEFT JOIN LATERAL (SELECT * FROM %s o WHERE o.%s = r.%s OFFSET 0) o ON true\"\n",
         res->table, res->key, res->key);

    emit("\n#define %s_IMPORT_CHANGED \\\n    \"UPDATE import_final f SET changed = (", R);
    for (int side = 0; side < 2; side++) {
        first = true;
        EACH_FIELD(res, f, WRITE)
        if (!is_key(res, f))
            emit("%s%s.%s", next_sep(&first, ", "), side ? "f" : "o", f->name);
        emit(side ? ")\" \\\n" : ") IS DISTINCT FROM (");
    }
    emit("    \" FROM %s o WHERE o.id = f.id\"\n", res->table);

    emit("\n#define %s_IMPORT_INSERT \\\n    \"INSERT INTO %s (\" %s_COLUMNS \") SELECT \" %s_COLUMNS "
         "\" FROM import_final WHERE is_new\"\n",
         R, res->table, R, R);
    emit("\n#define %s_IMPORT_UPDATE \\\n    \"UPDATE %s o SET ", R, res->table);
    first = true;
    EACH_FIELD(res, f, WRITE)
    if (!is_key(res, f))
        emit("%s%s = f.%s", next_sep(&first, ", "), f->name, f->name);
    emit(", version = o.version + 1, updated_at = now()\" \\\n"
         "    \" FROM import_final f WHERE o.id = f.id AND f.changed\"\n");
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_resources OUTDIR\n");
        return 2;
    }
    out = open_out(argv[1], "resources_gen.h");
    emit("/* resources_gen.h — made by server/tools/gen_resources.c from api/resources.def; do not edit. */\n"
         "#ifndef CDT_RESOURCES_GEN_H\n#define CDT_RESOURCES_GEN_H\n\n");
    for (size_t i = 0; i < COUNT(ENUMS); i++) {
        /* The codes as a C array, and as SQL's array in the same order (sort keys by position). */
        emit("extern const char *const %s[];\n#define %s_SQL \"ARRAY[", ENUMS[i].name, ENUMS[i].name);
        for (const char *const *c = ENUMS[i].codes; *c; c++)
            emit("%s'%s'", c == ENUMS[i].codes ? "" : ", ", *c);
        emit("]\"\n");
    }
    for (size_t i = 0; i < COUNT(RESOURCES); i++)
        emit_resource(&RESOURCES[i]);
    emit("\n#endif\n");
    if (fclose(out) != 0)
        return 1;

    out = open_out(argv[1], "resources_gen.c");
    emit("/* resources_gen.c — made by server/tools/gen_resources.c from api/resources.def; do not edit. */\n"
         "#include <stddef.h>\n\n#include \"resources_gen.h\"\n");
    for (size_t i = 0; i < COUNT(ENUMS); i++) {
        emit("\nconst char *const %s[] = {", ENUMS[i].name);
        for (const char *const *c = ENUMS[i].codes; *c; c++)
            emit("\"%s\", ", *c);
        emit("NULL};\n");
    }
    return fclose(out) == 0 ? 0 : 1;
}
