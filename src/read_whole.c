/*
 * read_whole.c — small files read into memory at once (plans, task
 * outputs, passage models: sized by fstat, one read and one allocation),
 * or hashed (canon tables).
 */
#include "read_whole.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

fw_status fw_read_whole(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FW_ERR_IO;
    struct stat sb;
    char *buf = NULL;
    fw_status st = FW_ERR_IO;
    if (fstat(fd, &sb) == 0 && (buf = malloc((size_t)sb.st_size + 1))) {
        size_t got = 0;
        while (got < (size_t)sb.st_size) {
            ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got == (size_t)sb.st_size) {
            buf[got] = '\0';
            *data = buf;
            *len = got;
            st = FW_OK;
        }
    }
    if (st != FW_OK) free(buf);
    close(fd);
    return st;
}

uint64_t fw_bytes_hash(const void *data, size_t len) { return XXH3_64bits(data, len) | 1; }

fw_status fw_file_hash(const char *path, uint64_t *out, char *why, size_t why_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        return FW_ERR_IO;
    }
    XXH3_state_t *h = XXH3_createState();
    if (!h) {
        fclose(f);
        return FW_ERR_NOMEM;
    }
    char buf[65536];
    size_t got;
    XXH3_64bits_reset(h);
    while ((got = fread(buf, 1, sizeof buf, f))) XXH3_64bits_update(h, buf, got);
    int bad = ferror(f);
    *out = XXH3_64bits_digest(h) | 1;
    XXH3_freeState(h);
    fclose(f);
    if (bad) {
        snprintf(why, why_size, "%s: read error", path);
        return FW_ERR_IO;
    }
    return FW_OK;
}
