/*
 * screen_file.c — the indexed passages' screen records on disk (the format
 * and why: screen_file.h). Writing under a temporary name, mapping and the
 * blocks' checks are sealed_file.c's, as for band files.
 */
#define _GNU_SOURCE
#include "screen_file.h"
#include "passage_match.h"
#include "sealed_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define BLOCK_BYTES 4096u
#define RECORD_BYTES sizeof(fw_screen_record)
#define SUMMED_BYTES (BLOCK_BYTES - 8) /* records, zeros, then the checksum */
#define FORMAT_VERSION 1u

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
    fw_sealed_writer file;
    uint64_t tag, records, nblocks;
    uint64_t expected;  /* records, as its header says */
    _Alignas(16) unsigned char block[BLOCK_BYTES];
    size_t in_block;
};

static file_header header_of(uint64_t records, uint64_t tag)
{
    file_header h = {.version = FORMAT_VERSION, .record_bytes = (uint32_t)RECORD_BYTES,
                     .block_records = FW_SCREEN_BLOCK_RECORDS, .records = records, .tag = tag};
    memcpy(h.magic, header_magic, sizeof h.magic);
    return h;
}

fw_status fw_screen_writer_new(const char *path, uint64_t tag, uint64_t records,
                               fw_screen_writer **out, char *why, size_t why_size)
{
    *out = NULL;
    fw_screen_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(why, why_size, "out of memory");
        return FW_ERR_NOMEM;
    }
    w->file.fd = -1;
    w->tag = tag;
    w->expected = records;
    const file_header h = header_of(records, tag);
    fw_status st = fw_sealed_writer_open(&w->file, path);
    if (st == FW_OK) st = fw_sealed_writer_write(&w->file, &h, sizeof h);
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", w->file.why);
        fw_screen_writer_free(w);
        return st;
    }
    *out = w;
    return FW_OK;
}

/* The block being filled, zero after its records, with its checksum. */
static fw_status flush_block(fw_screen_writer *w)
{
    if (!w->in_block) return FW_OK;
    memset(w->block + w->in_block * RECORD_BYTES, 0, SUMMED_BYTES - w->in_block * RECORD_BYTES);
    uint64_t sum = XXH3_64bits(w->block, SUMMED_BYTES);
    memcpy(w->block + SUMMED_BYTES, &sum, sizeof sum);
    w->nblocks++;
    w->in_block = 0;
    return fw_sealed_writer_write(&w->file, w->block, BLOCK_BYTES);
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
    if (w->records != w->expected)
        return fw_sealed_writer_fail(&w->file, FW_ERR_ARG, "%s: %llu records, its header says "
                                     "%llu", w->file.path, (unsigned long long)w->records,
                                     (unsigned long long)w->expected);
    fw_status st = flush_block(w);
    if (st != FW_OK) return st;
    const file_header h = header_of(w->records, w->tag);
    file_footer f = {.version = FORMAT_VERSION, .records = w->records, .nblocks = w->nblocks,
                     .tag = w->tag,
                     .file_size = sizeof h + w->nblocks * BLOCK_BYTES + sizeof f};
    memcpy(f.magic, footer_magic, sizeof f.magic);
    f.sum = tables_sum(&h, &f);
    if ((st = fw_sealed_writer_write(&w->file, &f, sizeof f)) != FW_OK) return st;
    return fw_sealed_writer_finish(&w->file);
}

void fw_screen_writer_free(fw_screen_writer *w)
{
    if (!w) return;
    fw_sealed_writer_release(&w->file);
    free(w);
}

const char *fw_screen_writer_error(const fw_screen_writer *w) { return w->file.why; }

/* ------------------------------------------------------------------- read */

struct fw_screen_file {
    fw_sealed_file file;
    file_footer foot;
};

/* Header and footer against each other and the file's size; sizes are
 * checked before they are multiplied. */
static fw_status check_ends(fw_screen_file *sf)
{
    fw_sealed_file *f = &sf->file;
    if (f->size < sizeof(file_header) + sizeof(file_footer))
        return fw_sealed_file_fail(f, FW_ERR_FORMAT, "too short to be a screen file (%zu bytes)",
                                   f->size);
    file_header h;
    memcpy(&h, f->map, sizeof h);
    if (memcmp(h.magic, header_magic, sizeof h.magic) != 0)
        return fw_sealed_file_fail(f, FW_ERR_FORMAT, "not a screen file");
    memcpy(&sf->foot, f->map + f->size - sizeof sf->foot, sizeof sf->foot);
    const file_footer *o = &sf->foot;
    if (memcmp(o->magic, footer_magic, sizeof o->magic) != 0 || o->file_size != f->size)
        return fw_sealed_file_fail(f, FW_ERR_FORMAT,
                                   "incomplete: no footer at its end (truncated?)");
    if (h.version != FORMAT_VERSION || o->version != FORMAT_VERSION)
        return fw_sealed_file_fail(f, FW_ERR_FORMAT, "format version %u, this fanwen reads %u",
                                   h.version, FORMAT_VERSION);
    if (tables_sum(&h, o) != o->sum)
        return fw_sealed_file_fail(f, FW_ERR_FORMAT, "fails its checksum");
    /* the blocks bounded by the size before they are multiplied, the
     * records by the blocks (divided, never rounded up: no overflow) */
    if (h.record_bytes != RECORD_BYTES || h.block_records != FW_SCREEN_BLOCK_RECORDS ||
        h.records != o->records || h.tag != o->tag ||
        o->nblocks > f->size / BLOCK_BYTES ||
        sizeof h + o->nblocks * BLOCK_BYTES + sizeof *o != f->size ||
        o->records / FW_SCREEN_BLOCK_RECORDS + (o->records % FW_SCREEN_BLOCK_RECORDS != 0) !=
            o->nblocks)
        return fw_sealed_file_fail(f, FW_ERR_FORMAT,
                                   "its header and footer do not describe its size");
    return FW_OK;
}

fw_status fw_screen_file_open(const char *path, fw_screen_file **out, char *why,
                              size_t why_size)
{
    *out = NULL;
    fw_screen_file *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(why, why_size, "out of memory");
        return FW_ERR_NOMEM;
    }
    fw_status st = fw_sealed_file_open(&f->file, path);
    if (st == FW_OK) st = check_ends(f);
    if (st == FW_OK) st = fw_sealed_file_blocks(&f->file, f->foot.nblocks);
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", f->file.why);
        fw_screen_file_close(f);
        return st;
    }
    *out = f;
    return FW_OK;
}

void fw_screen_file_close(fw_screen_file *f)
{
    if (!f) return;
    fw_sealed_file_release(&f->file);
    free(f);
}

uint64_t fw_screen_file_count(const fw_screen_file *f) { return f->foot.records; }
uint64_t fw_screen_file_tag(const fw_screen_file *f) { return f->foot.tag; }
uint64_t fw_screen_file_size(const fw_screen_file *f) { return f->file.size; }
const char *fw_screen_file_error(const fw_screen_file *f) { return f->file.why; }

static fw_status check_block(fw_screen_file *f, uint64_t j)
{
    const unsigned char *p = f->file.map + sizeof(file_header) + j * BLOCK_BYTES;
    uint64_t sum;
    memcpy(&sum, p + SUMMED_BYTES, sizeof sum);
    return fw_sealed_file_check(&f->file, j, p, SUMMED_BYTES, sum);
}

fw_status fw_screen_file_get(fw_screen_file *f, uint64_t i, const fw_screen_record **rec)
{
    if (i >= f->foot.records)
        return fw_sealed_file_fail(&f->file, FW_ERR_FORMAT, "no record %llu (it has %llu)",
                                   (unsigned long long)i, (unsigned long long)f->foot.records);
    const uint64_t j = i / FW_SCREEN_BLOCK_RECORDS;
    fw_status st = check_block(f, j);
    if (st != FW_OK) return st;
    /* blocks are 4 KB apart and 68 is a multiple of 4: the record is
     * aligned for its uint32 */
    *rec = (const fw_screen_record *)(f->file.map + sizeof(file_header) + j * BLOCK_BYTES +
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
