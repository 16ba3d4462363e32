/*
 * util/spool.h — bytes written once, then read back in order: in memory up to a threshold, past
 * it in an unlinked temporary file.
 *
 * For an answer that must be complete before it is sent (a CSV export: the database connection is
 * given back before a client at its own pace reads it, issue 11, item 2), with memory bounded
 * whatever its size; or the finished file of a writer that writes files (an .xlsx export). The file is created in $TMPDIR (or /tmp) and unlinked at once, so it goes
 * away with the process whatever happens; its size is the answer's.
 */
#ifndef CDT_UTIL_SPOOL_H
#define CDT_UTIL_SPOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "util/mem.h"

typedef struct {
    size_t memory_max; /* bytes kept in memory before moving to the file */
    buf memory;
    FILE *file;        /* NULL while the bytes fit in memory */
    size_t size;       /* bytes written */
    size_t read_at;    /* bytes read back */
    bool failed;       /* the file could not be created or written (disk full, ...) */
} spool;

/* An empty spool; caller frees with spool_free. Cannot fail. */
void spool_init(spool *s, size_t memory_max);
/* Appends len bytes; false once the file could not be written (the spool is then failed). */
bool spool_write(spool *s, const void *data, size_t len);
/* The next bytes written, up to cap, into out: their count, 0 at the end (or on a read error). */
size_t spool_read(spool *s, void *out, size_t cap);
/* Frees the memory and closes the file. */
void spool_free(spool *s);

/*
 * Makes the empty spool s (spool_init) the bytes that a writer needing a file of its own
 * (libxlsxwriter, http/xlsx.c) put in f, a spool_temp_file: spool_read reads them from the start,
 * spool_free closes f. False, the spool failed, when f's size cannot be read.
 */
bool spool_adopt(spool *s, FILE *f);

/* The directory of temporary files: $TMPDIR, else /tmp. Borrowed; static. Cannot fail. */
const char *spool_temp_dir(void);
/* A temporary file nobody can open by name: mode 0600, in spool_temp_dir(), unlinked at once.
 * NULL when it cannot be made. Caller closes. */
FILE *spool_temp_file(void);

#endif
