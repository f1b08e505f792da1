/*
 * band_file.c — LSH band records in an immutable, checksummed, sorted file
 * (the layout is in band_file.h).
 *
 * The shape is an SSTable's: data in fixed blocks, a small fence table of
 * each block's first key, block checksums, a footer that says where the
 * tables are. Fixed 4 KB blocks, each holding one band's records, make a
 * block's place arithmetic (header + j · 4 KB) and keep a band's records
 * contiguous, so a bucket is one pointer into the mapping however many
 * blocks it spans. Blocks are checked lazily, once each (a bitmap of
 * checked blocks), because a lookup touches one or two of millions: opening
 * an index must not read it all.
 *
 * Written with plain write(2) into "path.tmp.PID", fsync'ed, renamed: a
 * reader, or a task restarted after a kill, sees the old file or the new
 * one, never part of one (sealed_file.c, shared with the screen files).
 */
#define _GNU_SOURCE
#include "band_file.h"
#include "grow.h"
#include "sealed_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define BLOCK_BYTES 4096u
#define FORMAT_VERSION 1u /* 16-byte records */
#define FORMAT_NARROW 2u  /* 8-byte records (fw_band_writer_new_narrow) */

static const char header_magic[8] = "FWBANDS";
static const char footer_magic[8] = "FWBANDF";

typedef struct file_header {
    char magic[8];
    uint32_t version;
    uint32_t bands;
    uint32_t block_records;
    uint32_t unused;
    uint64_t tag;
    char pad[32];
} file_header;

typedef struct file_footer {
    char magic[8];
    uint32_t version;
    uint32_t bands;
    uint64_t nblocks;
    uint64_t records;
    uint64_t tables_at;  /* fences, then sums, then the band table */
    uint64_t tag;
    uint64_t file_size;
    uint64_t sum;        /* XXH3 of header, tables and the footer before it */
} file_footer;

typedef struct band_entry {
    uint64_t first_block;
    uint64_t count;
} band_entry;

_Static_assert(sizeof(file_header) == 64, "header is 64 bytes");
_Static_assert(sizeof(file_footer) == 64, "footer is 64 bytes");
_Static_assert(sizeof(fw_band_record) == 16, "records are 16 bytes");
_Static_assert(FW_BAND_BLOCK_RECORDS * sizeof(fw_band_record) == BLOCK_BYTES, "4 KB blocks");
_Static_assert(FW_BAND_NARROW_RECORDS * sizeof(uint64_t) == BLOCK_BYTES, "4 KB blocks");

/* ------------------------------------------------------------------ sort */

static void insertion_sort(fw_band_record *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        fw_band_record x = v[i];
        size_t j = i;
        while (j > 0 && (v[j - 1].key > x.key ||
                         (v[j - 1].key == x.key && v[j - 1].item > x.item))) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* LSD radix by bytes, item's first then key's, skipping the bytes on which
 * every record agrees (passage keys are 32-bit, items small). */
static void radix_sort(fw_band_record *v, fw_band_record *tmp, size_t n)
{
    if (n <= 32) {
        insertion_sort(v, n);
        return;
    }
    size_t count[16][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 8; d++) {
            count[d][(v[i].item >> (8 * d)) & 255]++;
            count[8 + d][(v[i].key >> (8 * d)) & 255]++;
        }
    fw_band_record *src = v, *dst = tmp;
    for (int d = 0; d < 16; d++) {
        size_t *c = count[d];
        int shift = 8 * (d & 7);
        uint64_t first = d < 8 ? v[0].item : v[0].key;
        if (c[(first >> shift) & 255] == n) continue; /* one value: order kept */
        size_t at = 0;
        for (int k = 0; k < 256; k++) {
            size_t x = c[k];
            c[k] = at;
            at += x;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t x = d < 8 ? src[i].item : src[i].key;
            dst[c[(x >> shift) & 255]++] = src[i];
        }
        fw_band_record *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

/* Keys are hashes, spread evenly: one pass spreads the records over about
 * n/4 buckets by the key's highest differing bits, then each bucket, a few
 * records, is sorted where it lands. Three passes over the records instead
 * of the radix sort's eleven or so (a band of a million documents: 20 bits
 * of items, 64 of keys); the radix sort stays for the rare large bucket
 * (keys that agree on their high bits, or many equal keys). */
#define BUCKET_BITS_MIN 8
#define BUCKET_BITS_MAX 16
#define BUCKET_SMALL 32

void fw_band_records_sort(fw_band_record *v, fw_band_record *tmp, size_t n)
{
    if (n <= 4 * BUCKET_SMALL) {
        radix_sort(v, tmp, n);
        return;
    }
    unsigned bits = BUCKET_BITS_MIN;
    while (bits < BUCKET_BITS_MAX && ((size_t)4 << bits) < n) bits++;
    uint64_t differ = 0;
    for (size_t i = 1; i < n; i++) differ |= v[i].key ^ v[0].key;
    size_t *count = differ ? calloc((size_t)1 << bits, sizeof *count) : NULL;
    if (!count) { /* every key equal (or no memory): the radix sort */
        radix_sort(v, tmp, n);
        return;
    }
    int high = 63 - __builtin_clzll(differ);
    int shift = high + 1 > (int)bits ? high + 1 - (int)bits : 0;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    for (size_t i = 0; i < n; i++) count[(v[i].key >> shift) & mask]++;
    size_t at = 0;
    for (size_t k = 0; k <= mask; k++) {
        size_t x = count[k];
        count[k] = at;
        at += x;
    }
    for (size_t i = 0; i < n; i++) tmp[count[(v[i].key >> shift) & mask]++] = v[i];
    /* count[k] is now where bucket k ends */
    size_t start = 0;
    for (size_t k = 0; k <= mask; k++) {
        size_t end = count[k], len = end - start;
        memcpy(v + start, tmp + start, len * sizeof *v);
        radix_sort(v + start, tmp + start, len); /* insertion sort when small */
        start = end;
    }
    free(count);
}

/* ------------------------------------------------------------------ write */

struct fw_band_writer {
    fw_sealed_writer file;     /* its path, temporary name, failure */
    unsigned bands;
    uint64_t tag;
    unsigned band;             /* the band being written */
    fw_band_record last;       /* its last record, for the order check */
    int has_last;
    int narrow;                /* 8-byte records: key << 32 | item */
    size_t per_block;          /* records a block */
    _Alignas(16) unsigned char block[BLOCK_BYTES];
    size_t in_block;
    uint64_t block_key;        /* the first key of the block being filled */
    uint64_t *fences, *sums;
    size_t nblocks, fences_cap, sums_cap;
    band_entry *table;         /* bands entries */
    uint64_t records;
};

#define writer_fail(w, ...) fw_sealed_writer_fail(&(w)->file, __VA_ARGS__)
#define write_all(w, data, n) fw_sealed_writer_write(&(w)->file, data, n)

/* The header of the file `w` writes (and, in its footer's sum, wrote). */
static file_header header_of(const fw_band_writer *w)
{
    file_header h = {.version = w->narrow ? FORMAT_NARROW : FORMAT_VERSION, .bands = w->bands,
                     .block_records = (uint32_t)w->per_block, .tag = w->tag};
    memcpy(h.magic, header_magic, sizeof h.magic);
    return h;
}

static fw_status writer_new(const char *path, unsigned bands, uint64_t tag, int narrow,
                            fw_band_writer **out, char *why, size_t why_size)
{
    *out = NULL;
    if (bands == 0) {
        snprintf(why, why_size, "%s: a band file needs at least one band", path);
        return FW_ERR_ARG;
    }
    fw_band_writer *w = calloc(1, sizeof *w);
    if (w) {
        w->file.fd = -1;
        w->table = calloc(bands, sizeof *w->table);
    }
    if (!w || !w->table) {
        fw_band_writer_free(w);
        snprintf(why, why_size, "out of memory");
        return FW_ERR_NOMEM;
    }
    w->bands = bands;
    w->tag = tag;
    w->narrow = narrow;
    w->per_block = narrow ? FW_BAND_NARROW_RECORDS : FW_BAND_BLOCK_RECORDS;
    const file_header h = header_of(w);
    fw_status st = fw_sealed_writer_open(&w->file, path);
    if (st == FW_OK) st = write_all(w, &h, sizeof h);
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", w->file.why);
        fw_band_writer_free(w);
        return st;
    }
    *out = w;
    return FW_OK;
}

fw_status fw_band_writer_new(const char *path, unsigned bands, uint64_t tag,
                             fw_band_writer **out, char *why, size_t why_size)
{
    return writer_new(path, bands, tag, 0, out, why, why_size);
}

fw_status fw_band_writer_new_narrow(const char *path, unsigned bands, uint64_t tag,
                                    fw_band_writer **out, char *why, size_t why_size)
{
    return writer_new(path, bands, tag, 1, out, why, why_size);
}


/* Finishes the block being filled, zero-padded to 4 KB, with its fence and
 * checksum. */
static fw_status flush_block(fw_band_writer *w)
{
    if (!w->in_block) return FW_OK;
    if (!fw_grow(&w->fences, &w->fences_cap, w->nblocks + 1, sizeof *w->fences, 64) ||
        !fw_grow(&w->sums, &w->sums_cap, w->nblocks + 1, sizeof *w->sums, 64))
        return writer_fail(w, FW_ERR_NOMEM, "out of memory");
    size_t used = w->in_block * (BLOCK_BYTES / w->per_block);
    memset(w->block + used, 0, BLOCK_BYTES - used);
    w->fences[w->nblocks] = w->block_key;
    w->sums[w->nblocks] = XXH3_64bits(w->block, BLOCK_BYTES);
    w->nblocks++;
    w->in_block = 0;
    return write_all(w, w->block, BLOCK_BYTES);
}

/* Starts band `band` (a new band starts a new block) or continues it. */
static fw_status writer_band(fw_band_writer *w, unsigned band)
{
    if (band >= w->bands || band < w->band)
        return writer_fail(w, FW_ERR_ARG, "%s: band %u added after band %u (of %u)",
                           w->file.path, band, w->band, w->bands);
    if (band != w->band) {
        fw_status st = flush_block(w);
        if (st != FW_OK) return st;
        w->band = band;
        w->has_last = 0;
    }
    if (w->table[band].count == 0) w->table[band].first_block = w->nblocks;
    return FW_OK;
}

/* Appends n records of the record size in bytes (`bytes`, each record's
 * key given by key_of), a block's worth at a time. */
static fw_status writer_put(fw_band_writer *w, const unsigned char *bytes, size_t n,
                            uint64_t (*key_of)(const unsigned char *))
{
    const size_t rb = BLOCK_BYTES / w->per_block;
    for (size_t i = 0; i < n;) {
        if (w->in_block == 0) w->block_key = key_of(bytes + i * rb);
        size_t take = w->per_block - w->in_block;
        if (take > n - i) take = n - i;
        memcpy(w->block + w->in_block * rb, bytes + i * rb, take * rb);
        w->in_block += take;
        i += take;
        if (w->in_block == w->per_block) {
            fw_status st = flush_block(w);
            if (st != FW_OK) return st;
        }
    }
    return FW_OK;
}

static uint64_t wide_key(const unsigned char *p)
{
    fw_band_record r;
    memcpy(&r, p, sizeof r);
    return r.key;
}

static uint64_t narrow_key(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v >> 32;
}

fw_status fw_band_writer_add(fw_band_writer *w, unsigned band,
                             const fw_band_record *rec, size_t n)
{
    fw_status st = writer_band(w, band);
    if (st != FW_OK) return st;
    for (size_t i = 0; i < n; i++) {
        const fw_band_record *p = i ? &rec[i - 1] : w->has_last ? &w->last : NULL;
        if (p && (rec[i].key < p->key || (rec[i].key == p->key && rec[i].item < p->item)))
            return writer_fail(w, FW_ERR_ARG, "%s: band %u's records are not sorted",
                               w->file.path, band);
        if (w->narrow && (rec[i].key > UINT32_MAX || rec[i].item > UINT32_MAX))
            return writer_fail(w, FW_ERR_ARG, "%s: a record of band %u does not fit in 8 bytes",
                               w->file.path, band);
    }
    if (!w->narrow) {
        st = writer_put(w, (const unsigned char *)rec, n, wide_key);
    } else { /* packed a block's worth at a time */
        uint64_t v[256];
        for (size_t i = 0; i < n && st == FW_OK;) {
            size_t k = n - i < 256 ? n - i : 256;
            for (size_t j = 0; j < k; j++) v[j] = rec[i + j].key << 32 | rec[i + j].item;
            st = writer_put(w, (const unsigned char *)v, k, narrow_key);
            i += k;
        }
    }
    if (st != FW_OK) return st;
    if (n) {
        w->last = rec[n - 1];
        w->has_last = 1;
    }
    w->table[band].count += n;
    w->records += n;
    return FW_OK;
}

fw_status fw_band_writer_add_narrow(fw_band_writer *w, unsigned band, const uint64_t *v,
                                    size_t n)
{
    if (!w->narrow)
        return writer_fail(w, FW_ERR_ARG, "%s: 8-byte records for a 16-byte band file",
                           w->file.path);
    fw_status st = writer_band(w, band);
    if (st != FW_OK) return st;
    for (size_t i = 0; i < n; i++) {
        uint64_t prev = i ? v[i - 1] : w->has_last ? w->last.key << 32 | w->last.item : 0;
        if ((i || w->has_last) && v[i] < prev)
            return writer_fail(w, FW_ERR_ARG, "%s: band %u's records are not sorted",
                               w->file.path, band);
    }
    if ((st = writer_put(w, (const unsigned char *)v, n, narrow_key)) != FW_OK) return st;
    if (n) {
        w->last = (fw_band_record){v[n - 1] >> 32, (uint32_t)v[n - 1]};
        w->has_last = 1;
    }
    w->table[band].count += n;
    w->records += n;
    return FW_OK;
}

fw_status fw_band_writer_finish(fw_band_writer *w)
{
    fw_status st = flush_block(w);
    if (st != FW_OK) return st;
    /* empty bands point where the next band starts, for a tidy table */
    for (unsigned b = 0; b < w->bands; b++)
        if (w->table[b].count == 0) {
            uint64_t next = w->nblocks;
            for (unsigned c = b + 1; c < w->bands; c++)
                if (w->table[c].count) { next = w->table[c].first_block; break; }
            w->table[b].first_block = next;
        }
    const file_header h = header_of(w);
    size_t fences_bytes = w->nblocks * sizeof(uint64_t);
    size_t table_bytes = w->bands * sizeof(band_entry);
    file_footer f = {.version = h.version, .bands = w->bands, .nblocks = w->nblocks,
                     .records = w->records,
                     .tables_at = sizeof h + w->nblocks * BLOCK_BYTES, .tag = w->tag};
    memcpy(f.magic, footer_magic, sizeof f.magic);
    f.file_size = f.tables_at + 2 * fences_bytes + table_bytes + sizeof f;
    XXH3_state_t *x = XXH3_createState();
    if (!x) return writer_fail(w, FW_ERR_NOMEM, "out of memory");
    XXH3_64bits_reset(x);
    XXH3_64bits_update(x, &h, sizeof h);
    XXH3_64bits_update(x, w->fences, fences_bytes);
    XXH3_64bits_update(x, w->sums, fences_bytes);
    XXH3_64bits_update(x, w->table, table_bytes);
    XXH3_64bits_update(x, &f, offsetof(file_footer, sum));
    f.sum = XXH3_64bits_digest(x);
    XXH3_freeState(x);
    if ((st = write_all(w, w->fences, fences_bytes)) != FW_OK ||
        (st = write_all(w, w->sums, fences_bytes)) != FW_OK ||
        (st = write_all(w, w->table, table_bytes)) != FW_OK ||
        (st = write_all(w, &f, sizeof f)) != FW_OK)
        return st;
    return fw_sealed_writer_finish(&w->file);
}

void fw_band_writer_free(fw_band_writer *w)
{
    if (!w) return;
    fw_sealed_writer_release(&w->file);
    free(w->fences);
    free(w->sums);
    free(w->table);
    free(w);
}

const char *fw_band_writer_error(const fw_band_writer *w) { return w->file.why; }

/* ------------------------------------------------------------------- read */

struct fw_band_file {
    fw_sealed_file file;         /* the map, its path, its blocks' checks */
    file_footer foot;
    const uint64_t *fences, *sums;
    const band_entry *table;
    int narrow;                  /* 8-byte records: key << 32 | item */
    uint64_t per_block;          /* records a block, 1 << block_shift */
    unsigned block_shift;        /* a lookup's block arithmetic: shifts, not
                                  * divisions by a number known at run time */
};

_Static_assert(FW_BAND_BLOCK_RECORDS == 1u << 8 && FW_BAND_NARROW_RECORDS == 1u << 9,
               "records a block: powers of two");

#define file_fail(f, ...) fw_sealed_file_fail(&(f)->file, __VA_ARGS__)

/* Checks what the footer says against the file's size, then the tables'
 * checksum. Sizes are checked before they are multiplied. */
static fw_status check_tables(fw_band_file *f)
{
    const unsigned char *const map = f->file.map;
    const size_t size = f->file.size;
    if (size < sizeof(file_header) + sizeof(file_footer))
        return file_fail(f, FW_ERR_FORMAT, "too short to be a band file (%zu bytes)", size);
    const file_header *h = (const file_header *)map;
    if (memcmp(h->magic, header_magic, sizeof h->magic) != 0)
        return file_fail(f, FW_ERR_FORMAT, "not a band file");
    memcpy(&f->foot, map + size - sizeof f->foot, sizeof f->foot);
    const file_footer *o = &f->foot;
    if (memcmp(o->magic, footer_magic, sizeof o->magic) != 0 || o->file_size != size)
        return file_fail(f, FW_ERR_FORMAT, "incomplete: no footer at its end (truncated?)");
    if ((h->version != FORMAT_VERSION && h->version != FORMAT_NARROW) ||
        o->version != h->version)
        return file_fail(f, FW_ERR_FORMAT, "format version %u, this fanwen reads %u and %u",
                         o->version, FORMAT_VERSION, FORMAT_NARROW);
    f->narrow = h->version == FORMAT_NARROW;
    f->per_block = f->narrow ? FW_BAND_NARROW_RECORDS : FW_BAND_BLOCK_RECORDS;
    f->block_shift = f->narrow ? 9 : 8;
    if (o->bands == 0 || o->bands != h->bands || h->block_records != f->per_block ||
        o->nblocks > size / BLOCK_BYTES ||
        o->tables_at != sizeof *h + o->nblocks * BLOCK_BYTES ||
        (uint64_t)o->bands > size / sizeof(band_entry) ||
        o->tables_at + 2 * o->nblocks * sizeof(uint64_t) + o->bands * sizeof(band_entry) +
                sizeof *o != size)
        return file_fail(f, FW_ERR_FORMAT, "its footer does not describe its size");
    size_t fences_bytes = o->nblocks * sizeof(uint64_t);
    const unsigned char *t = map + o->tables_at;
    XXH3_state_t *x = XXH3_createState();
    if (!x) return file_fail(f, FW_ERR_NOMEM, "out of memory");
    XXH3_64bits_reset(x);
    XXH3_64bits_update(x, h, sizeof *h);
    XXH3_64bits_update(x, t, 2 * fences_bytes + o->bands * sizeof(band_entry));
    XXH3_64bits_update(x, o, offsetof(file_footer, sum));
    uint64_t sum = XXH3_64bits_digest(x);
    XXH3_freeState(x);
    if (sum != o->sum) return file_fail(f, FW_ERR_FORMAT, "its tables fail their checksum");
    f->fences = (const uint64_t *)t;
    f->sums = (const uint64_t *)(t + fences_bytes);
    f->table = (const band_entry *)(t + 2 * fences_bytes);
    uint64_t next = 0, total = 0;
    for (unsigned b = 0; b < o->bands; b++) {
        const band_entry *e = &f->table[b];
        uint64_t blocks = (e->count + f->per_block - 1) / f->per_block;
        if (e->count > o->records || (e->count && e->first_block != next))
            return file_fail(f, FW_ERR_FORMAT, "band %u's entry is inconsistent", b);
        next += blocks;
        total += e->count;
    }
    if (next != o->nblocks || total != o->records)
        return file_fail(f, FW_ERR_FORMAT, "its band table does not add up");
    return FW_OK;
}

fw_status fw_band_file_open(const char *path, fw_band_file **out, char *why, size_t why_size)
{
    *out = NULL;
    fw_band_file *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(why, why_size, "out of memory");
        return FW_ERR_NOMEM;
    }
    fw_status st = fw_sealed_file_open(&f->file, path);
    if (st == FW_OK) st = check_tables(f);
    if (st == FW_OK) st = fw_sealed_file_blocks(&f->file, f->foot.nblocks);
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", f->file.why);
        fw_band_file_close(f);
        return st;
    }
    *out = f;
    return FW_OK;
}

void fw_band_file_close(fw_band_file *f)
{
    if (!f) return;
    fw_sealed_file_release(&f->file);
    free(f);
}

unsigned fw_band_file_bands(const fw_band_file *f) { return f->foot.bands; }
int fw_band_file_narrow(const fw_band_file *f) { return f->narrow; }
const char *fw_band_file_path(const fw_band_file *f) { return f->file.path; }
uint64_t fw_band_file_size(const fw_band_file *f) { return f->file.size; }
uint64_t fw_band_file_tag(const fw_band_file *f) { return f->foot.tag; }
const char *fw_band_file_error(const fw_band_file *f) { return f->file.why; }

uint64_t fw_band_file_count(const fw_band_file *f, unsigned band)
{
    return band < f->foot.bands ? f->table[band].count : 0;
}

static fw_status check_block(fw_band_file *f, uint64_t j)
{
    const unsigned char *p = f->file.map + sizeof(file_header) + j * BLOCK_BYTES;
    return fw_sealed_file_check(&f->file, j, p, BLOCK_BYTES, f->sums[j]);
}

static const unsigned char *band_records(const fw_band_file *f, unsigned band)
{
    return f->file.map + sizeof(file_header) + f->table[band].first_block * BLOCK_BYTES;
}

/* Record i of a band's records at r (the mapping is page-aligned, so both
 * record sizes are aligned). */
static uint64_t key_at(const fw_band_file *f, const unsigned char *r, uint64_t i)
{
    return f->narrow ? ((const uint64_t *)r)[i] >> 32 : ((const fw_band_record *)r)[i].key;
}

static fw_band_record record_at(const fw_band_file *f, const unsigned char *r, uint64_t i)
{
    if (!f->narrow) return ((const fw_band_record *)r)[i];
    uint64_t v = ((const uint64_t *)r)[i];
    return (fw_band_record){v >> 32, (uint32_t)v};
}

/* Checks the blocks of `band` that records [from, to) lie in. */
static fw_status check_range(fw_band_file *f, unsigned band, uint64_t from, uint64_t to)
{
    if (from >= to) return FW_OK;
    uint64_t first = f->table[band].first_block;
    for (uint64_t j = from >> f->block_shift; j <= (to - 1) >> f->block_shift; j++) {
        fw_status st = check_block(f, first + j);
        if (st != FW_OK) return st;
    }
    return FW_OK;
}

/* How many records a cursor's search counts from where the last one ended
 * before it searches the fences: a batch's keys looked up in order against
 * a band some 20 times its size find their next key a few records on (the
 * gaps are about exponential: four in five within 32 records), and
 * counting the smaller keys of a window beats galloping the fences and
 * halving a block with branches (find_from was a quarter of a resident
 * query's CPU). Measured and not kept: a branch-free halving of 128
 * records (slower: each step waits for the last one's load) and counting
 * 64 8-byte records four at a time (no faster: what is left is memory). */
#define WINDOW 32

/* The records of `key` in `band`: the first not below it found by
 * galloping the blocks' first keys, then halving a block. With `at`
 * (every record before *at is below `key`: a cursor's keys come in
 * increasing order), a window of records from *at is counted first and the
 * gallop starts past it, so that the band is read once, in order; *at:
 * where the key's records begin (or would). 8-byte records are given
 * widened, in *buf (*cap records, grown). */
static fw_status find_from(fw_band_file *f, unsigned band, uint64_t key, uint64_t *at,
                           const fw_band_record **first, size_t *n, fw_band_record **buf,
                           size_t *cap)
{
    *first = NULL;
    *n = 0;
    if (band >= f->foot.bands || f->table[band].count == 0) return FW_OK;
    uint64_t count = f->table[band].count;
    if (at && *at >= count) return FW_OK; /* every record is below key */
    const unsigned char *r = band_records(f, band);
    fw_status st;
    uint64_t begin, from = 0; /* every block before `from` starts below key */
    if (at) {
        /* within the block of *at, which the last search checked: a window
         * reads no block a lookup from the fences would not */
        const uint64_t a = *at, in_block = f->per_block - (a & (f->per_block - 1));
        uint64_t w = count - a < WINDOW ? count - a : WINDOW;
        if (w > in_block) w = in_block;
        if ((st = check_range(f, band, a, a + w)) != FW_OK) return st;
        uint64_t below = 0; /* sorted: the offset of the first not below key */
        for (uint64_t i = 0; i < w; i++) below += key_at(f, r, a + i) < key;
        if (below < w || a + w == count) {
            begin = a + below;
            goto run;
        }
        from = (a + w) >> f->block_shift;
    }
    uint64_t nb = (count + f->per_block - 1) >> f->block_shift;
    const uint64_t *fence = f->fences + f->table[band].first_block;
    /* the first block whose first key is not below `key`; the key's records
     * may start at the end of the block before it */
    uint64_t lo = from < nb ? from : nb, hi = lo, step = 1;
    while (hi < nb && fence[hi] < key) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > nb) hi = nb;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (fence[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    uint64_t blk = lo ? lo - 1 : 0;
    begin = blk * f->per_block;
    uint64_t end = begin + f->per_block < count ? begin + f->per_block : count;
    if ((st = check_range(f, band, begin, end)) != FW_OK) return st;
    while (begin < end) {
        uint64_t mid = begin + (end - begin) / 2;
        if (key_at(f, r, mid) < key) begin = mid + 1;
        else end = mid;
    }
run:
    /* begin: the first record not below key (possibly the next block's first) */
    if (at) *at = begin;
    uint64_t stop = begin;
    for (;;) {
        if (stop < count && (stop & (f->per_block - 1)) == 0 &&
            (st = check_range(f, band, stop, stop + 1)) != FW_OK)
            return st;
        if (stop >= count || key_at(f, r, stop) != key) break;
        stop++;
    }
    if (stop == begin) return FW_OK;
    *n = (size_t)(stop - begin);
    if (!f->narrow) {
        *first = (const fw_band_record *)r + begin;
        return FW_OK;
    }
    if (!buf) return FW_ERR_ARG; /* fw_band_file_find refuses narrow files first */
    if (!fw_grow(buf, cap, *n, sizeof **buf, 64)) return FW_ERR_NOMEM;
    for (size_t i = 0; i < *n; i++) (*buf)[i] = record_at(f, r, begin + i);
    *first = *buf;
    return FW_OK;
}

fw_status fw_band_file_find(fw_band_file *f, unsigned band, uint64_t key,
                            const fw_band_record **first, size_t *n)
{
    *first = NULL;
    *n = 0;
    if (f->narrow) return FW_ERR_ARG; /* a caller's mistake, not the file's: no message */
    return find_from(f, band, key, NULL, first, n, NULL, NULL);
}

void fw_band_cursor_init(fw_band_cursor *c, fw_band_file *f, unsigned band)
{
    c->file = f;
    c->band = band;
    c->at = 0;
    c->last = 0;
}

void fw_band_cursor_free(fw_band_cursor *c)
{
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
}

fw_status fw_band_cursor_find(fw_band_cursor *c, uint64_t key, const fw_band_record **first,
                              size_t *n)
{
    /* a key below the last one starts from the band's first block again */
    if (key < c->last) c->at = 0;
    c->last = key;
    return find_from(c->file, c->band, key, &c->at, first, n, &c->buf, &c->cap);
}

fw_status fw_band_file_check(fw_band_file *f)
{
    for (uint64_t j = 0; j < f->foot.nblocks; j++) {
        fw_status st = check_block(f, j);
        if (st != FW_OK) return st;
    }
    return FW_OK;
}

/* ------------------------------------------------------------------ merge */

/* A file's band being read; the block of rec[at] is always checked, so the
 * heap never orders by bytes that failed their checksum. */
typedef struct cursor {
    fw_band_file *file;
    const unsigned char *rec;
    uint64_t at, count;
    uint32_t index;       /* the file's place in the list given */
} cursor;

/* Moves a cursor to record `at`, checking the block it enters. */
static fw_status cursor_move(cursor *c, unsigned band, uint64_t at)
{
    const unsigned shift = c->file->block_shift;
    int new_block = at >> shift != c->at >> shift || at == 0;
    c->at = at;
    if (at < c->count && new_block) return check_range(c->file, band, at, at + 1);
    return FW_OK;
}

struct fw_band_merge {
    cursor *heap;         /* by (current key, index): a min-heap */
    size_t nheap;
    unsigned band;
    fw_band_record *out;
    uint32_t *from;
    size_t out_cap, from_cap;
};

static int cursor_before(const cursor *a, const cursor *b)
{
    uint64_t x = key_at(a->file, a->rec, a->at), y = key_at(b->file, b->rec, b->at);
    return x < y || (x == y && a->index < b->index);
}

static void sift_down(cursor *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && cursor_before(&h[l], &h[m])) m = l;
        if (l + 1 < n && cursor_before(&h[l + 1], &h[m])) m = l + 1;
        if (m == i) return;
        cursor t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

fw_status fw_band_merge_new(fw_band_file *const *files, size_t nfiles, unsigned band,
                            fw_band_merge **out)
{
    *out = NULL;
    fw_band_merge *m = calloc(1, sizeof *m);
    if (!m || !(m->heap = calloc(nfiles ? nfiles : 1, sizeof *m->heap))) {
        free(m);
        return FW_ERR_NOMEM;
    }
    m->band = band;
    for (size_t i = 0; i < nfiles; i++) {
        uint64_t c = fw_band_file_count(files[i], band);
        if (!c) continue;
        cursor *u = &m->heap[m->nheap++];
        *u = (cursor){files[i], band_records(files[i], band), 0, c, (uint32_t)i};
        fw_status st = cursor_move(u, band, 0);
        if (st != FW_OK) {
            fw_band_merge_free(m);
            return st;
        }
    }
    for (size_t i = m->nheap; i-- > 0;) sift_down(m->heap, m->nheap, i);
    *out = m;
    return FW_OK;
}

void fw_band_merge_free(fw_band_merge *m)
{
    if (!m) return;
    free(m->heap);
    free(m->out);
    free(m->from);
    free(m);
}

fw_status fw_band_merge_next(fw_band_merge *m, uint64_t *key, const fw_band_record **records,
                             const uint32_t **from, size_t *n)
{
    *n = 0;
    *records = NULL;
    if (from) *from = NULL;
    if (m->nheap == 0) return FW_OK;
    cursor *top = &m->heap[0];
    uint64_t k = key_at(top->file, top->rec, top->at);
    size_t len = 0;
    /* pops come in file order: the heap orders equal keys by file */
    while (m->nheap && key_at(m->heap[0].file, m->heap[0].rec, m->heap[0].at) == k) {
        cursor *c = &m->heap[0];
        while (c->at < c->count && key_at(c->file, c->rec, c->at) == k) {
            if (!fw_grow(&m->out, &m->out_cap, len + 1, sizeof *m->out, 256) ||
                !fw_grow(&m->from, &m->from_cap, len + 1, sizeof *m->from, 256))
                return FW_ERR_NOMEM;
            m->out[len] = record_at(c->file, c->rec, c->at);
            m->from[len++] = c->index;
            fw_status st = cursor_move(c, m->band, c->at + 1);
            if (st != FW_OK) return st;
        }
        if (c->at == c->count) m->heap[0] = m->heap[--m->nheap];
        sift_down(m->heap, m->nheap, 0);
    }
    *key = k;
    *records = m->out;
    if (from) *from = m->from;
    *n = len;
    return FW_OK;
}
