/*
 * util/log.c — JSON log lines, built with cJSON so every value is escaped.
 */
#include "util/log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/utf8.h"

/*
 * Text from outside (a path decoded from %FF, a header) may be invalid UTF-8; a log line must
 * stay valid JSON text for whatever reads it, so such bytes become U+FFFD.
 */
static void add_text(cJSON *o, const char *key, const char *value)
{
    char *clean = utf8_replace_invalid(value);
    cJSON_AddStringToObject(o, key, clean ? clean : value);
    free(clean);
}

static void emit(cJSON *o)
{
    char *line = cJSON_PrintUnformatted(o);
    if (line) {
        /* One fputs per line: stdio's lock keeps lines from different threads whole. */
        flockfile(stderr);
        fputs(line, stderr);
        fputc('\n', stderr);
        funlockfile(stderr);
        free(line);
    }
    cJSON_Delete(o);
}

static cJSON *start(const char *level, const char *request_id, const char *msg)
{
    char ts[64];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ts", ts);
    cJSON_AddStringToObject(o, "level", level);
    if (request_id)
        add_text(o, "request_id", request_id);
    add_text(o, "msg", msg);
    return o;
}

void log_event(const char *level, const char *request_id, const char *msg, const char *key,
               const char *value)
{
    cJSON *o = start(level, request_id, msg);
    if (key && value)
        add_text(o, key, value);
    emit(o);
}

void log_request(const char *request_id, const char *method, const char *path, int status,
                 double ms, const char *actor)
{
    cJSON *o = start("info", request_id, "request");
    add_text(o, "method", method);
    add_text(o, "path", path);
    cJSON_AddNumberToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "ms", (double)(long)(ms * 1000) / 1000);
    if (actor)
        add_text(o, "actor", actor);
    emit(o);
}
