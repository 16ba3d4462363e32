/*
 * util/mem.h — allocation that never returns NULL, and the per-request arena.
 *
 * Allocation failure is decided once: the x* wrappers abort, so callers carry no NULL checks.
 * An arena owns everything a request allocates and every cleanup registered with it; the
 * dispatcher destroys it on every path, so handlers never free by hand.
 */
#ifndef CDT_UTIL_MEM_H
#define CDT_UTIL_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);

typedef struct arena arena;
typedef void (*cleanup_fn)(void *ptr);

/* Caller frees with arena_destroy. Cannot fail. */
arena *arena_create(void);
/* Runs every registered cleanup (last registered first), then frees all memory. */
void arena_destroy(arena *a);
/* Memory lives until arena_destroy; zero-filled. */
void *arena_alloc(arena *a, size_t size);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* fn(ptr) runs at arena_destroy. */
void arena_defer(arena *a, cleanup_fn fn, void *ptr);

/* A growable byte buffer; owned by its arena or freed with buf_free when standalone. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} buf;

void buf_append(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(buf *b);

#endif
