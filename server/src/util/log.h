/*
 * util/log.h — one JSON object per line on stderr.
 */
#ifndef CDT_UTIL_LOG_H
#define CDT_UTIL_LOG_H

/* An event with an optional key/value pair; request_id may be NULL. Thread-safe. */
void log_event(const char *level, const char *request_id, const char *msg, const char *key,
               const char *value);

/* The access line written once per request. */
void log_request(const char *request_id, const char *method, const char *path, int status,
                 double ms, const char *actor);

#endif
