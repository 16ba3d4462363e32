/*
 * util/spool.c — in memory up to a threshold, then an unlinked temporary file (see spool.h).
 */
#include "util/spool.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void spool_init(spool *s, size_t memory_max)
{
    memset(s, 0, sizeof *s);
    s->memory_max = memory_max;
}

const char *spool_temp_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

FILE *spool_temp_file(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/cdt-spool-XXXXXX", spool_temp_dir());
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

bool spool_write(spool *s, const void *data, size_t len)
{
    if (s->failed)
        return false;
    if (!s->file && s->memory.len + len > s->memory_max) {
        s->file = spool_temp_file();
        if (!s->file || (s->memory.len && fwrite(s->memory.data, 1, s->memory.len, s->file) != s->memory.len)) {
            s->failed = true;
            return false;
        }
        buf_free(&s->memory);
    }
    if (s->file) {
        if (len && fwrite(data, 1, len, s->file) != len) {
            s->failed = true;
            return false;
        }
    } else {
        buf_append(&s->memory, data, len);
    }
    s->size += len;
    return true;
}

size_t spool_read(spool *s, void *out, size_t cap)
{
    if (s->read_at >= s->size)
        return 0;
    size_t n = s->size - s->read_at < cap ? s->size - s->read_at : cap;
    if (s->file) {
        /* Written, then read once in order: the first read goes back to the start. */
        if (s->read_at == 0 && (fflush(s->file) != 0 || fseek(s->file, 0, SEEK_SET) != 0))
            return 0;
        n = fread(out, 1, n, s->file);
    } else {
        memcpy(out, s->memory.data + s->read_at, n);
    }
    s->read_at += n;
    return n;
}

bool spool_adopt(spool *s, FILE *f)
{
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    s->file = f;
    if (size < 0) {
        s->failed = true;
        return false;
    }
    s->size = (size_t)size;
    return true;
}

void spool_free(spool *s)
{
    buf_free(&s->memory);
    if (s->file)
        fclose(s->file);
    s->file = NULL;
}
