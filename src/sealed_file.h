/* sealed_file.h — what every immutable checksummed file fanwen keeps on
 * disk does alike (internal; see sealed_file.c): band files (band_file.c)
 * and screen files (screen_file.c) are written once under a temporary
 * name, flushed and renamed into place, so that a reader sees the whole
 * file or none, and read through mmap, each block's checksum checked the
 * first time the block is read. The formats are their own; this is the
 * writing, the mapping, the checks' bookkeeping and the messages. */
#ifndef FW_SEALED_FILE_H
#define FW_SEALED_FILE_H

#include "fanwen.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define FW_SEALED_WHY_SIZE 320

/* A file being written: "path.tmp.PID" until fw_sealed_writer_finish().
 * Its bytes are gathered and written FW_SEALED_BUFFER at a time (a
 * write(2) a 4 KB block was a cost of its own). */
#define FW_SEALED_BUFFER (256u << 10)

typedef struct fw_sealed_writer {
    int fd;                        /* -1: closed */
    char *path, *tmp_path;
    unsigned char *buf;            /* bytes not yet written */
    size_t buf_len;
    int finished;                  /* renamed into place */
    char why[FW_SEALED_WHY_SIZE];  /* the last failure */
} fw_sealed_writer;

/* Creates path's temporary file (w zero-initialized or released). On
 * failure w->why says what failed. */
fw_status fw_sealed_writer_open(fw_sealed_writer *w, const char *path);
/* Appends n bytes. */
fw_status fw_sealed_writer_write(fw_sealed_writer *w, const void *data, size_t n);
/* Says why in w->why; returns st. */
fw_status fw_sealed_writer_fail(fw_sealed_writer *w, fw_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes what is gathered, flushes, closes and renames it into place. */
fw_status fw_sealed_writer_finish(fw_sealed_writer *w);
/* Closes it and frees its names; an unfinished file's temporary file is
 * removed. */
void fw_sealed_writer_release(fw_sealed_writer *w);

/* A file mapped to be read, its blocks checked once each. */
typedef struct fw_sealed_file {
    const unsigned char *map;
    size_t size;
    char *path;
    _Atomic uint64_t *checked;     /* a bit a block, set once it passed */
    pthread_mutex_t why_lock;      /* failures may come from many threads */
    char why[FW_SEALED_WHY_SIZE];  /* "path: the last failure" */
} fw_sealed_file;

/* Maps path (f zero-initialized). On failure f->why says what failed; in
 * every case fw_sealed_file_release() follows. */
fw_status fw_sealed_file_open(fw_sealed_file *f, const char *path);
/* Room for the checked bits of `blocks` blocks, once the format has
 * bounded their count by the file's size. */
fw_status fw_sealed_file_blocks(fw_sealed_file *f, uint64_t blocks);
/* Says "path: why" in f->why (from any thread); returns st. */
fw_status fw_sealed_file_fail(fw_sealed_file *f, fw_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Block j, `bytes` at `p` in the map: FW_OK once their XXH3 is `sum`,
 * checked the first time only (safe from many threads). */
fw_status fw_sealed_file_check(fw_sealed_file *f, uint64_t j, const unsigned char *p,
                               size_t bytes, uint64_t sum);
void fw_sealed_file_release(fw_sealed_file *f);

#endif
