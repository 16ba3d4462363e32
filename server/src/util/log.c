/*
 * util/log.c — JSON log lines, built with cJSON so every value is escaped.
 */
#include "util/log.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
        cJSON_AddStringToObject(o, "request_id", request_id);
    cJSON_AddStringToObject(o, "msg", msg);
    return o;
}

void log_event(const char *level, const char *request_id, const char *msg, const char *key,
               const char *value)
{
    cJSON *o = start(level, request_id, msg);
    if (key && value)
        cJSON_AddStringToObject(o, key, value);
    emit(o);
}

void log_request(const char *request_id, const char *method, const char *path, int status,
                 double ms, const char *actor)
{
    cJSON *o = start("info", request_id, "request");
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddNumberToObject(o, "status", status);
    cJSON_AddNumberToObject(o, "ms", (double)(long)(ms * 1000) / 1000);
    if (actor)
        cJSON_AddStringToObject(o, "actor", actor);
    emit(o);
}
