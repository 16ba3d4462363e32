/*
 * http/validate.h — inputs declared as data.
 *
 * Each resource declares a table of its JSON fields (name, type, flags, limits). validate_object
 * checks a body against it and reports every bad field, unknown fields included, through a sink;
 * nothing here touches the network or the database, so it is unit-tested directly.
 */
#ifndef CDT_HTTP_VALIDATE_H
#define CDT_HTTP_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

typedef enum {
    FIELD_STRING,
    FIELD_INT,
    FIELD_BOOL,
    FIELD_DATE,      /* YYYY-MM-DD, a real calendar date */
    FIELD_UUID,
    FIELD_ENUM,      /* a string from `choices` */
    FIELD_ENUM_LIST, /* an array of distinct strings from `choices` (so no longer than they are) */
    FIELD_COUNTS,    /* an object whose keys are from `choices`, each an integer in [min, max] */
    FIELD_TEXT_LIST, /* an array of at most `max` distinct strings, each passing `check` */
    FIELD_UUID_MAP,  /* an object of at most `max` entries: UUID keys, string values passing `check` */
} field_type;

enum {
    FIELD_REQUIRED = 1 << 0, /* must be present (and not null) on create */
    FIELD_READONLY = 1 << 1, /* server-computed: present in output, refused in input */
    FIELD_IMMUTABLE = 1 << 2, /* accepted on create, refused on update */
};

/* A pattern check beyond type and length; returns NULL or the message for a bad value. */
typedef const char *(*field_check_fn)(const char *value);

struct field {
    const char *name;
    field_type type;
    unsigned flags;
    long min, max;                /* string: length in characters (0: FIELD_TEXT_MAX); int: value range */
    const char *const *choices;   /* NULL-terminated, for FIELD_ENUM and FIELD_ENUM_LIST */
    field_check_fn check;
};

/* The length of a string field whose table gives no max: no text is unbounded. */
enum { FIELD_TEXT_MAX = 10000 /* characters */ };

/* As an int field's max: the current calendar year. */
#define FIELD_MAX_THIS_YEAR (-1L)

typedef enum { VALIDATE_CREATE, VALIDATE_UPDATE } validate_mode;

typedef void (*field_error_sink)(void *ctx, const char *field, const char *message);

/* Returns the number of errors reported. prefix (may be "") is put before field names. */
int validate_object(const struct cJSON *obj, const struct field *fields, size_t nfields,
                    validate_mode mode, const char *prefix, field_error_sink sink, void *ctx);

/*
 * Sets repeated[i] for each member i of obj (in order) whose name an earlier member already has,
 * and returns how many are set; repeated has one entry per member (cJSON_GetArraySize), n of them.
 * The names are sorted, so the cost is O(n log n) whatever they are: comparing each name with
 * every later one cost 16 s of CPU for a 0.8 MB body of 100,000 keys (issue 11, item 3), and a
 * hash set would let chosen colliding names bring that back. Cannot fail.
 */
size_t json_repeated_names(const struct cJSON *obj, bool *repeated, size_t n);

/* Objects and arrays inside one another that a request body may open (JSON_MAX_DEPTH levels). */
enum { JSON_MAX_DEPTH = 32 };

/*
 * The byte offset of the bracket that opens level max + 1 of the JSON text, or -1 when the text
 * never nests deeper than max. Brackets inside strings do not count (escapes honoured); the text
 * need not be valid JSON, so this runs before the parser. Cannot fail.
 */
long json_depth_exceeded_at(const char *text, size_t len, int max);

/*
 * Where the JSON value that starts at text[at] (not whitespace) ends: the offset after its
 * closing bracket or quote, or, for a number or a literal, of the first ',', ']', '}' or byte up
 * to 32 (white space as cJSON reads it) after it. Brackets inside strings do not count (escapes honoured); the value need not be valid
 * JSON, the parser judges that. len when it does not end within the text. Lets the import read a
 * JSON array one element at a time (api/import.c). Cannot fail.
 */
size_t json_value_end(const char *text, size_t len, size_t at);

bool text_is_uuid(const char *s);
bool text_is_date(const char *s);

/* Checks shared by several resources. */
const char *check_phone(const char *value);
const char *check_email(const char *value);
const char *check_tax_code(const char *value);
const char *check_unit_code(const char *value);


#endif
