/*
 * spill.c — temporary files for what does not fit in memory.
 *
 * With --memory-limit, shingle hashes, signatures, exact sets and sorted
 * runs of LSH band records are written to files instead of being kept.
 * Each file is made without a name (O_TMPFILE), or named and unlinked at
 * once where the file system cannot do that, so nothing is left behind by
 * a crash, a kill or a signal. Appends reserve their place with an atomic
 * counter and write with pwrite, so threads append at once without a lock;
 * reads are pread, and what was written recently is served from the page
 * cache, which the kernel may drop under pressure (it is not counted in
 * the process's resident memory).
 */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp */
#include "spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

fw_status fw_spill_open(fw_spill *s, const char *dir, char *why, size_t why_size)
{
    s->fd = -1;
    atomic_store(&s->end, 0);
    if (!dir || !*dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (fd < 0) { /* the file system cannot make nameless files */
        char path[4096];
        snprintf(path, sizeof path, "%s/.fanwen-spill-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0) unlink(path);
    }
    if (fd < 0) {
        snprintf(why, why_size, "cannot make a temporary file in %s: %s", dir,
                 strerror(errno));
        return FW_ERR_IO;
    }
    s->fd = fd;
    return FW_OK;
}

fw_status fw_spill_write_at(fw_spill *s, const void *data, size_t n, uint64_t at)
{
    const char *p = data;
    while (n) {
        ssize_t w = pwrite(s->fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return FW_ERR_IO;
        p += w;
        n -= (size_t)w;
        at += (uint64_t)w;
    }
    return FW_OK;
}

fw_status fw_spill_append(fw_spill *s, const void *data, size_t n, uint64_t *at)
{
    *at = atomic_fetch_add(&s->end, (uint64_t)n);
    return fw_spill_write_at(s, data, n, *at);
}

fw_status fw_spill_read(const fw_spill *s, uint64_t at, void *data, size_t n)
{
    char *p = data;
    while (n) {
        ssize_t r = pread(s->fd, p, n, (off_t)at);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return FW_ERR_IO;
        p += r;
        n -= (size_t)r;
        at += (uint64_t)r;
    }
    return FW_OK;
}

fw_status fw_spill_make_set(const fw_spill *from, uint64_t at, size_t n, fw_spill *to,
                            uint64_t *buf, uint64_t *tmp, size_t *size, uint64_t *set_at)
{
    fw_status st = fw_spill_read(from, at, buf, n * sizeof *buf);
    if (st != FW_OK) return st;
    *size = fw_shingle_set(buf, n, tmp);
    return fw_spill_append(to, buf, *size * sizeof *buf, set_at);
}

void fw_spill_close(fw_spill *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}
