/*
 * util/subprocess.h — running a filter program: bytes in on its stdin, bytes out of its stdout,
 * within a time limit and an output limit.
 *
 * Used to turn the periodic report's HTML into PDF (api/reports.c, WeasyPrint). The child is
 * started with posix_spawn (safe in a threaded server: no fork of the whole process), its pipes
 * are close-on-exec in this process (so another thread's child never inherits them), its stderr
 * goes to /dev/null, and on a timeout or an output over the limit it is killed (SIGKILL) and
 * reaped: the caller never hangs on it and no zombie is left.
 */
#ifndef CDT_UTIL_SUBPROCESS_H
#define CDT_UTIL_SUBPROCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/mem.h"

typedef enum {
    SUBPROCESS_OK,        /* exited 0; out holds its stdout */
    SUBPROCESS_FAILED,    /* could not start, or exited non-zero or by a signal */
    SUBPROCESS_TIMEOUT,   /* killed after timeout_ms */
    SUBPROCESS_TOO_LARGE, /* killed when its output passed max_out */
} subprocess_result;

/*
 * Runs argv[0] (a path, or a name looked up in PATH) with argv and the environment envp
 * (NULL-terminated "NAME=value" strings), writes input to its stdin and closes it, and collects
 * its stdout in out (appended; the caller frees it with buf_free, on every result).
 */
subprocess_result subprocess_filter(const char *const *argv, const char *const *envp, const char *input,
                                    size_t input_len, buf *out, long timeout_ms, size_t max_out);

#endif
