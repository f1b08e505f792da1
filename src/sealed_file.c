/*
 * sealed_file.c — writing an immutable file under a temporary name and
 * renaming it into place; mapping it and checking its blocks once (see
 * sealed_file.h).
 */
#define _GNU_SOURCE
#include "sealed_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* ------------------------------------------------------------------ write */

fw_status fw_sealed_writer_fail(fw_sealed_writer *w, fw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, sizeof w->why, fmt, ap);
    va_end(ap);
    return st;
}

fw_status fw_sealed_writer_open(fw_sealed_writer *w, const char *path)
{
    w->fd = -1;
    size_t tmp_len = strlen(path) + 32;
    w->path = strdup(path);
    w->tmp_path = malloc(tmp_len);
    w->buf = malloc(FW_SEALED_BUFFER);
    if (!w->path || !w->tmp_path || !w->buf)
        return fw_sealed_writer_fail(w, FW_ERR_NOMEM, "out of memory");
    snprintf(w->tmp_path, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0)
        return fw_sealed_writer_fail(w, FW_ERR_IO, "cannot create %s: %s", w->tmp_path,
                                     strerror(errno));
    return FW_OK;
}

static fw_status write_through(fw_sealed_writer *w, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0)
            return fw_sealed_writer_fail(w, FW_ERR_IO, "cannot write %s: %s", w->tmp_path,
                                         k < 0 ? strerror(errno) : "short write");
        p += k;
        n -= (size_t)k;
    }
    return FW_OK;
}

static fw_status write_gathered(fw_sealed_writer *w)
{
    fw_status st = write_through(w, w->buf, w->buf_len);
    w->buf_len = 0;
    return st;
}

fw_status fw_sealed_writer_write(fw_sealed_writer *w, const void *data, size_t n)
{
    if (!n) return FW_OK; /* data may be NULL then (an empty table) */
    if (w->buf_len + n > FW_SEALED_BUFFER) {
        fw_status st = write_gathered(w);
        if (st != FW_OK) return st;
        if (n >= FW_SEALED_BUFFER) return write_through(w, data, n);
    }
    memcpy(w->buf + w->buf_len, data, n);
    w->buf_len += n;
    return FW_OK;
}

fw_status fw_sealed_writer_finish(fw_sealed_writer *w)
{
    fw_status st = write_gathered(w);
    if (st != FW_OK) return st;
    if (fsync(w->fd) != 0)
        return fw_sealed_writer_fail(w, FW_ERR_IO, "cannot flush %s: %s", w->tmp_path,
                                     strerror(errno));
    int closed = close(w->fd);
    w->fd = -1;
    if (closed != 0)
        return fw_sealed_writer_fail(w, FW_ERR_IO, "cannot close %s: %s", w->tmp_path,
                                     strerror(errno));
    if (rename(w->tmp_path, w->path) != 0)
        return fw_sealed_writer_fail(w, FW_ERR_IO, "cannot rename %s to %s: %s", w->tmp_path,
                                     w->path, strerror(errno));
    w->finished = 1;
    return FW_OK;
}

void fw_sealed_writer_release(fw_sealed_writer *w)
{
    if (w->fd >= 0) close(w->fd);
    if (!w->finished && w->tmp_path && w->tmp_path[0]) unlink(w->tmp_path);
    free(w->path);
    free(w->tmp_path);
    free(w->buf);
    w->fd = -1;
    w->path = w->tmp_path = NULL;
    w->buf = NULL;
    w->buf_len = 0;
}

/* ------------------------------------------------------------------- read */

fw_status fw_sealed_file_fail(fw_sealed_file *f, fw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&f->why_lock);
    int k = snprintf(f->why, sizeof f->why, "%s: ", f->path ? f->path : "");
    if (k > 0 && (size_t)k < sizeof f->why) vsnprintf(f->why + k, sizeof f->why - (size_t)k, fmt, ap);
    pthread_mutex_unlock(&f->why_lock);
    va_end(ap);
    return st;
}

fw_status fw_sealed_file_open(fw_sealed_file *f, const char *path)
{
    pthread_mutex_init(&f->why_lock, NULL);
    if (!(f->path = strdup(path))) {
        snprintf(f->why, sizeof f->why, "out of memory");
        return FW_ERR_NOMEM;
    }
    fw_status st = FW_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        st = fw_sealed_file_fail(f, FW_ERR_IO, "cannot open: %s", strerror(errno));
    } else {
        f->size = (size_t)sb.st_size;
        if (f->size > 0) {
            void *m = mmap(NULL, f->size, PROT_READ, MAP_SHARED, fd, 0);
            if (m == MAP_FAILED)
                st = fw_sealed_file_fail(f, FW_ERR_IO, "cannot map: %s", strerror(errno));
            else
                f->map = m;
        }
    }
    if (fd >= 0) close(fd);
    return st;
}

fw_status fw_sealed_file_blocks(fw_sealed_file *f, uint64_t blocks)
{
    if (!(f->checked = calloc(blocks / 64 + 1, sizeof *f->checked)))
        return fw_sealed_file_fail(f, FW_ERR_NOMEM, "out of memory");
    return FW_OK;
}

fw_status fw_sealed_file_check(fw_sealed_file *f, uint64_t j, const unsigned char *p,
                               size_t bytes, uint64_t sum)
{
    const uint64_t bit = UINT64_C(1) << (j & 63);
    if (atomic_load_explicit(&f->checked[j / 64], memory_order_acquire) & bit) return FW_OK;
    if (XXH3_64bits(p, bytes) != sum)
        return fw_sealed_file_fail(f, FW_ERR_FORMAT, "block %llu fails its checksum",
                                   (unsigned long long)j);
    atomic_fetch_or_explicit(&f->checked[j / 64], bit, memory_order_release);
    return FW_OK;
}

void fw_sealed_file_release(fw_sealed_file *f)
{
    if (f->map) munmap((void *)f->map, f->size);
    pthread_mutex_destroy(&f->why_lock);
    free((void *)f->checked);
    free(f->path);
    f->map = NULL;
    f->checked = NULL;
    f->path = NULL;
}
