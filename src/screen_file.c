/*
 * screen_file.c — the indexed passages' screen records on disk (the format
 * and why: screen_file.h). Written as band_file.c writes its files (a
 * temporary name, blocks gathered and written 256 KB at a time, flushed,
 * renamed), read as it reads them (mmap, a block's checksum checked once,
 * a bit a block).
 */
#define _GNU_SOURCE
#include "screen_file.h"
#include "passage_match.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define BLOCK_BYTES 4096u
#define RECORD_BYTES sizeof(fw_screen_record)
#define SUMMED_BYTES (BLOCK_BYTES - 8) /* records, zeros, then the checksum */
#define OUT_BLOCKS 64
#define FORMAT_VERSION 1u
#define WHY_SIZE 320

_Static_assert(sizeof(fw_screen_record) == FW_PASSAGE_PERMS + 4, "68-byte records");
_Static_assert(FW_SCREEN_BLOCK_RECORDS * sizeof(fw_screen_record) <= SUMMED_BYTES,
               "a block's records and checksum fit 4 KB");

static const char header_magic[8] = "FWSCREN";
static const char footer_magic[8] = "FWSCEND";

typedef struct file_header {
    char magic[8];
    uint32_t version, record_bytes, block_records, unused;
    uint64_t records, tag;
    char pad[24];
} file_header;

typedef struct file_footer {
    char magic[8];
    uint32_t version, unused;
    uint64_t records, nblocks, tag, file_size;
    char pad[8];
    uint64_t sum; /* XXH3 of the header and the footer before it */
} file_footer;

_Static_assert(sizeof(file_header) == 64, "header is 64 bytes");
_Static_assert(sizeof(file_footer) == 64, "footer is 64 bytes");

void fw_screen_record_make(const fw_passage_value *sig, uint32_t clen, fw_screen_record *out)
{
    for (unsigned v = 0; v < FW_PASSAGE_PERMS; v++) out->low[v] = (uint8_t)sig[v];
    out->clen = clen;
}

int fw_screen_fails(const fw_screen_record *a, const fw_screen_record *b)
{
    unsigned same = 0;
    for (unsigned v = 0; v < FW_PASSAGE_PERMS; v++) same += a->low[v] == b->low[v];
    return !fw_passage_worth_aligning_same(same, FW_PASSAGE_PERMS, a->clen, b->clen);
}

/* XXH3 of the header and the footer before its sum, side by side. */
static uint64_t tables_sum(const file_header *h, const file_footer *f)
{
    unsigned char both[sizeof *h + offsetof(file_footer, sum)];
    memcpy(both, h, sizeof *h);
    memcpy(both + sizeof *h, f, offsetof(file_footer, sum));
    return XXH3_64bits(both, sizeof both);
}

/* ------------------------------------------------------------------ write */

struct fw_screen_writer {
    int fd;
    char *path, *tmp_path;
    uint64_t tag, records, nblocks;
    _Alignas(16) unsigned char block[BLOCK_BYTES];
    size_t in_block;
    unsigned char *out; /* finished blocks not yet written */
    size_t out_len;
    int finished;
    char why[WHY_SIZE];
};

static fw_status writer_fail(fw_screen_writer *w, fw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, sizeof w->why, fmt, ap);
    va_end(ap);
    return st;
}

static fw_status write_all(fw_screen_writer *w, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0)
            return writer_fail(w, FW_ERR_IO, "cannot write %s: %s", w->tmp_path,
                               k < 0 ? strerror(errno) : "short write");
        p += k;
        n -= (size_t)k;
    }
    return FW_OK;
}

static file_header header_of(uint64_t records, uint64_t tag)
{
    file_header h = {.version = FORMAT_VERSION, .record_bytes = (uint32_t)RECORD_BYTES,
                     .block_records = FW_SCREEN_BLOCK_RECORDS, .records = records, .tag = tag};
    memcpy(h.magic, header_magic, sizeof h.magic);
    return h;
}

fw_status fw_screen_writer_new(const char *path, uint64_t tag, fw_screen_writer **out,
                               char *why, size_t why_size)
{
    *out = NULL;
    fw_screen_writer *w = calloc(1, sizeof *w);
    size_t tmp_len = strlen(path) + 32;
    if (w) {
        w->fd = -1;
        w->path = strdup(path);
        w->tmp_path = malloc(tmp_len);
        w->out = malloc(OUT_BLOCKS * BLOCK_BYTES);
    }
    if (!w || !w->path || !w->tmp_path || !w->out) {
        fw_screen_writer_free(w);
        snprintf(why, why_size, "out of memory");
        return FW_ERR_NOMEM;
    }
    w->tag = tag;
    snprintf(w->tmp_path, tmp_len, "%s.tmp.%ld", path, (long)getpid());
    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        snprintf(why, why_size, "cannot create %s: %s", w->tmp_path, strerror(errno));
        fw_screen_writer_free(w);
        return FW_ERR_IO;
    }
    /* the header again at the end, with the count: its place now */
    file_header h = header_of(0, tag);
    fw_status st = write_all(w, &h, sizeof h);
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", w->why);
        fw_screen_writer_free(w);
        return st;
    }
    *out = w;
    return FW_OK;
}

static fw_status write_out(fw_screen_writer *w)
{
    fw_status st = write_all(w, w->out, w->out_len);
    w->out_len = 0;
    return st;
}

/* The block being filled, zero after its records, with its checksum. */
static fw_status flush_block(fw_screen_writer *w)
{
    if (!w->in_block) return FW_OK;
    memset(w->block + w->in_block * RECORD_BYTES, 0, SUMMED_BYTES - w->in_block * RECORD_BYTES);
    uint64_t sum = XXH3_64bits(w->block, SUMMED_BYTES);
    memcpy(w->block + SUMMED_BYTES, &sum, sizeof sum);
    memcpy(w->out + w->out_len, w->block, BLOCK_BYTES);
    w->out_len += BLOCK_BYTES;
    w->nblocks++;
    w->in_block = 0;
    return w->out_len == OUT_BLOCKS * BLOCK_BYTES ? write_out(w) : FW_OK;
}

fw_status fw_screen_writer_add(fw_screen_writer *w, const fw_screen_record *rec, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t take = FW_SCREEN_BLOCK_RECORDS - w->in_block;
        if (take > n - i) take = n - i;
        memcpy(w->block + w->in_block * RECORD_BYTES, rec + i, take * RECORD_BYTES);
        w->in_block += take;
        i += take;
        if (w->in_block == FW_SCREEN_BLOCK_RECORDS) {
            fw_status st = flush_block(w);
            if (st != FW_OK) return st;
        }
    }
    w->records += n;
    return FW_OK;
}

fw_status fw_screen_writer_finish(fw_screen_writer *w)
{
    fw_status st = flush_block(w);
    if (st == FW_OK) st = write_out(w);
    if (st != FW_OK) return st;
    file_header h = header_of(w->records, w->tag);
    file_footer f = {.version = FORMAT_VERSION, .records = w->records, .nblocks = w->nblocks,
                     .tag = w->tag,
                     .file_size = sizeof h + w->nblocks * BLOCK_BYTES + sizeof f};
    memcpy(f.magic, footer_magic, sizeof f.magic);
    f.sum = tables_sum(&h, &f);
    if ((st = write_all(w, &f, sizeof f)) != FW_OK) return st;
    if (pwrite(w->fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        return writer_fail(w, FW_ERR_IO, "cannot write %s: %s", w->tmp_path, strerror(errno));
    if (fsync(w->fd) != 0)
        return writer_fail(w, FW_ERR_IO, "cannot flush %s: %s", w->tmp_path, strerror(errno));
    if (close(w->fd) != 0) {
        w->fd = -1;
        return writer_fail(w, FW_ERR_IO, "cannot close %s: %s", w->tmp_path, strerror(errno));
    }
    w->fd = -1;
    if (rename(w->tmp_path, w->path) != 0)
        return writer_fail(w, FW_ERR_IO, "cannot rename %s to %s: %s", w->tmp_path, w->path,
                           strerror(errno));
    w->finished = 1;
    return FW_OK;
}

void fw_screen_writer_free(fw_screen_writer *w)
{
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    if (!w->finished && w->tmp_path && w->tmp_path[0]) unlink(w->tmp_path);
    free(w->path);
    free(w->tmp_path);
    free(w->out);
    free(w);
}

const char *fw_screen_writer_error(const fw_screen_writer *w) { return w->why; }

/* ------------------------------------------------------------------- read */

struct fw_screen_file {
    const unsigned char *map;
    size_t size;
    char *path;
    file_footer foot;
    _Atomic uint64_t *checked; /* a bit per block, set once it passed */
    pthread_mutex_t why_lock;
    char why[WHY_SIZE];
};

static fw_status file_fail(fw_screen_file *f, fw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&f->why_lock);
    int k = snprintf(f->why, sizeof f->why, "%s: ", f->path);
    if (k > 0 && (size_t)k < sizeof f->why) vsnprintf(f->why + k, sizeof f->why - (size_t)k, fmt, ap);
    pthread_mutex_unlock(&f->why_lock);
    va_end(ap);
    return st;
}

/* Header and footer against each other and the file's size; sizes are
 * checked before they are multiplied. */
static fw_status check_ends(fw_screen_file *f)
{
    if (f->size < sizeof(file_header) + sizeof(file_footer))
        return file_fail(f, FW_ERR_FORMAT, "too short to be a screen file (%zu bytes)", f->size);
    file_header h;
    memcpy(&h, f->map, sizeof h);
    if (memcmp(h.magic, header_magic, sizeof h.magic) != 0)
        return file_fail(f, FW_ERR_FORMAT, "not a screen file");
    memcpy(&f->foot, f->map + f->size - sizeof f->foot, sizeof f->foot);
    const file_footer *o = &f->foot;
    if (memcmp(o->magic, footer_magic, sizeof o->magic) != 0 || o->file_size != f->size)
        return file_fail(f, FW_ERR_FORMAT, "incomplete: no footer at its end (truncated?)");
    if (h.version != FORMAT_VERSION || o->version != FORMAT_VERSION)
        return file_fail(f, FW_ERR_FORMAT, "format version %u, this fanwen reads %u", h.version,
                         FORMAT_VERSION);
    if (tables_sum(&h, o) != o->sum) return file_fail(f, FW_ERR_FORMAT, "fails its checksum");
    /* the blocks bounded by the size before they are multiplied, the
     * records by the blocks (divided, never rounded up: no overflow) */
    if (h.record_bytes != RECORD_BYTES || h.block_records != FW_SCREEN_BLOCK_RECORDS ||
        h.records != o->records || h.tag != o->tag ||
        o->nblocks > f->size / BLOCK_BYTES ||
        sizeof h + o->nblocks * BLOCK_BYTES + sizeof *o != f->size ||
        o->records / FW_SCREEN_BLOCK_RECORDS + (o->records % FW_SCREEN_BLOCK_RECORDS != 0) !=
            o->nblocks)
        return file_fail(f, FW_ERR_FORMAT, "its header and footer do not describe its size");
    return FW_OK;
}

fw_status fw_screen_file_open(const char *path, fw_screen_file **out, char *why,
                              size_t why_size)
{
    *out = NULL;
    fw_screen_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        snprintf(why, why_size, "out of memory");
        return FW_ERR_NOMEM;
    }
    pthread_mutex_init(&f->why_lock, NULL);
    fw_status st = FW_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        st = file_fail(f, FW_ERR_IO, "cannot open: %s", strerror(errno));
    } else {
        f->size = (size_t)sb.st_size;
        if (f->size > 0) {
            void *m = mmap(NULL, f->size, PROT_READ, MAP_SHARED, fd, 0);
            if (m == MAP_FAILED) st = file_fail(f, FW_ERR_IO, "cannot map: %s", strerror(errno));
            else f->map = m;
        }
        if (st == FW_OK) st = check_ends(f);
    }
    if (fd >= 0) close(fd);
    if (st == FW_OK && !(f->checked = calloc(f->foot.nblocks / 64 + 1, sizeof *f->checked)))
        st = file_fail(f, FW_ERR_NOMEM, "out of memory");
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", f->why);
        fw_screen_file_close(f);
        return st;
    }
    *out = f;
    return FW_OK;
}

void fw_screen_file_close(fw_screen_file *f)
{
    if (!f) return;
    if (f->map) munmap((void *)f->map, f->size);
    pthread_mutex_destroy(&f->why_lock);
    free((void *)f->checked);
    free(f->path);
    free(f);
}

uint64_t fw_screen_file_count(const fw_screen_file *f) { return f->foot.records; }
uint64_t fw_screen_file_tag(const fw_screen_file *f) { return f->foot.tag; }
uint64_t fw_screen_file_size(const fw_screen_file *f) { return f->size; }
const char *fw_screen_file_error(const fw_screen_file *f) { return f->why; }

static fw_status check_block(fw_screen_file *f, uint64_t j)
{
    uint64_t bit = UINT64_C(1) << (j & 63);
    if (atomic_load_explicit(&f->checked[j / 64], memory_order_acquire) & bit) return FW_OK;
    const unsigned char *p = f->map + sizeof(file_header) + j * BLOCK_BYTES;
    uint64_t sum;
    memcpy(&sum, p + SUMMED_BYTES, sizeof sum);
    if (XXH3_64bits(p, SUMMED_BYTES) != sum)
        return file_fail(f, FW_ERR_FORMAT, "block %llu fails its checksum",
                         (unsigned long long)j);
    atomic_fetch_or_explicit(&f->checked[j / 64], bit, memory_order_release);
    return FW_OK;
}

fw_status fw_screen_file_get(fw_screen_file *f, uint64_t i, const fw_screen_record **rec)
{
    if (i >= f->foot.records)
        return file_fail(f, FW_ERR_FORMAT, "no record %llu (it has %llu)",
                         (unsigned long long)i, (unsigned long long)f->foot.records);
    const uint64_t j = i / FW_SCREEN_BLOCK_RECORDS;
    fw_status st = check_block(f, j);
    if (st != FW_OK) return st;
    /* blocks are 4 KB apart and 68 is a multiple of 4: the record is
     * aligned for its uint32 */
    *rec = (const fw_screen_record *)(f->map + sizeof(file_header) + j * BLOCK_BYTES +
                                      (i % FW_SCREEN_BLOCK_RECORDS) * RECORD_BYTES);
    return FW_OK;
}

fw_status fw_screen_file_check(fw_screen_file *f)
{
    for (uint64_t j = 0; j < f->foot.nblocks; j++) {
        fw_status st = check_block(f, j);
        if (st != FW_OK) return st;
    }
    return FW_OK;
}
