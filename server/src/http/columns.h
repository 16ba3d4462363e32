/*
 * http/columns.h — an export's columns: each a name and the kind of value it holds, and the
 * value of a column in one row's JSON document.
 *
 * Shared by the two writers of an export, CSV (http/csv.c) and Excel (http/xlsx.c): PostgreSQL
 * builds each row as one JSON document (the row source, api/resource.c), whose values are typed
 * (numbers as numbers, dates as YYYY-MM-DD, rates as fractions); a column's kind says how a writer
 * renders them. Pure functions, unit-tested in tests/unit/test_csv.c and tests/unit/test_xlsx.c.
 */
#ifndef CDT_HTTP_COLUMNS_H
#define CDT_HTTP_COLUMNS_H

#include <stdbool.h>

#include "util/mem.h"

struct cJSON;

typedef enum {
    /* The value as JSON types it: text, a number, true/false; an object or array as its JSON text. */
    COLUMN_AUTO = 0,
    /* A day, "YYYY-MM-DD": CSV writes dd/mm/yyyy, Excel a date shown dd/mm/yyyy. */
    COLUMN_DATE,
    /* A moment in Vietnam's time, "YYYY-MM-DDTHH:MM[:SS]" (no offset): dd/mm/yyyy HH:MM. */
    COLUMN_TIME,
    /* A rate, a number (0.545): CSV writes "54,5%", Excel the number shown as a percentage. */
    COLUMN_PERCENT,
} column_kind;

/* One column: its header and, by name, the value in a row's document (see column_value). */
struct column {
    const char *name;
    column_kind kind;
};

/*
 * The value of the column in doc, or NULL for a missing or null one (an empty cell). The name is
 * the key; "a.b" takes member b of the object a (for the API's columns: "leader.full_name").
 * Borrowed from doc. Cannot fail.
 */
const struct cJSON *column_value(const struct cJSON *doc, const struct column *column);

/* Columns of kind COLUMN_AUTO named by a NULL-terminated list (the API's field names), ending in
 * a NULL name. Lives in the arena. */
const struct column *columns_named(arena *a, const char *const *names);

/* A date or moment read from "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]" (a space for the T too). */
struct column_moment {
    int year, month, day, hour, minute, second;
};
/* False, *m untouched, when text is neither form or names no real day or time. */
bool column_moment_parse(const char *text, struct column_moment *m);

#endif
