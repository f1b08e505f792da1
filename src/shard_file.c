/*
 * shard_file.c — a sketched shard's documents on disk, for the tasks after
 * the sketch stage.
 *
 * The rank task reads every document's id, the gather tasks the ids and
 * counts of the candidates (to check they read the same documents again),
 * the finish task
 * everything a scan's record holds after reading (id, message, status,
 * counts, and for the passage level the text and its short lines). One
 * file per shard, read through mmap, so a verify task touches only the
 * pages of the documents it verifies.
 *
 * Layout (native byte order: the tasks of one cluster share an
 * architecture; all offsets 8-byte aligned):
 *
 *   header  64 bytes: "FWSHARD\0", format, K, the plan's hash, documents,
 *           where the table starts, and the shard's reading counts
 *   data    per document: short lines' hashes (u64 each), id, message
 *           and text, each NUL-terminated, padded to 8 (format 2: the
 *           signatures and exact sets are the gather task's)
 *   table   per document a 64-byte record: where its data is, its counts
 *           and the XXH3-64 of its text (format 3)
 *
 * The file is written under a temporary name, flushed and renamed into
 * place; the task's done marker comes after, so a reader never sees a
 * part of one.
 */
#include "shard_file.h"
#include "staged.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "FWSHARD"
#define FORMAT 3 /* 3: the text hash in the table */
#define FLAG_TEXT 2u
#define FLAG_MESSAGE 4u

typedef struct header {
    char magic[8];
    uint32_t format, k;
    uint64_t tag, ndocs, table_at;
    uint64_t inputs, input_bytes, skipped_records;
} header;

typedef struct disk_doc {
    uint64_t data_at, bytes, chars, nshingles, text_hash;
    uint32_t status, flags, nlines, id_len, message_len, pad;
} disk_doc;

_Static_assert(sizeof(header) == 64 && sizeof(disk_doc) == 64, "fixed layout");

struct fw_shard_file {
    unsigned char *map;
    size_t size;
    const header *h;
    const disk_doc *table;
    fw_shard_counts counts;
};

/* Writes n bytes and pads to 8; *at advances. */
static int put(FILE *f, const void *p, size_t n, uint64_t *at)
{
    static const char zeros[8];
    size_t pad = (8 - n % 8) % 8;
    if ((n && fwrite(p, 1, n, f) != n) || (pad && fwrite(zeros, 1, pad, f) != pad)) return 0;
    *at += n + pad;
    return 1;
}

/* A string with its NUL, padded. */
static int put_string(FILE *f, const char *s, size_t n, uint64_t *at)
{
    static const char zeros[8];
    size_t pad = (8 - (n + 1) % 8) % 8;
    if ((n && fwrite(s, 1, n, f) != n) || fwrite(zeros, 1, 1 + pad, f) != 1 + pad) return 0;
    *at += n + 1 + pad;
    return 1;
}

fw_status fw_shard_file_write(const char *path, uint64_t tag, unsigned k,
                              const fw_doc_record *docs, size_t n,
                              const fw_shard_counts *counts)
{
    disk_doc *table = calloc(n ? n : 1, sizeof *table);
    if (!table) return FW_ERR_NOMEM;
    fw_atomic_file a;
    fw_status st = fw_atomic_open(&a, path);
    if (st != FW_OK) {
        free(table);
        return st;
    }
    header h = {MAGIC, FORMAT, k, tag, n, 0, counts->inputs, counts->input_bytes,
                counts->skipped_records};
    uint64_t at = 0;
    int ok = put(a.f, &h, sizeof h, &at);
    for (size_t i = 0; ok && i < n; i++) {
        const fw_doc_record *d = &docs[i];
        disk_doc *t = &table[i];
        size_t id_len = strlen(d->id), message_len = d->message ? strlen(d->message) : 0;
        *t = (disk_doc){at, d->bytes, d->chars, d->nshingles, d->text_hash, (uint32_t)d->status,
                        0, d->nlines, (uint32_t)id_len, (uint32_t)message_len, 0};
        if (d->message) t->flags |= FLAG_MESSAGE;
        if (d->text) t->flags |= FLAG_TEXT;
        if (d->nlines) ok = put(a.f, d->line_hashes, d->nlines * sizeof *d->line_hashes, &at);
        if (ok) ok = put_string(a.f, d->id, id_len, &at);
        if (ok && d->message) ok = put_string(a.f, d->message, message_len, &at);
        if (ok && d->text) ok = put_string(a.f, d->text, d->bytes, &at);
    }
    h.table_at = at;
    ok = ok && put(a.f, table, n * sizeof *table, &at) && fseek(a.f, 0, SEEK_SET) == 0 &&
         fwrite(&h, sizeof h, 1, a.f) == 1;
    free(table);
    if (!ok) {
        fw_atomic_abandon(&a);
        return FW_ERR_IO;
    }
    return fw_atomic_commit(&a);
}

fw_status fw_shard_file_open(const char *path, uint64_t tag, unsigned k, fw_shard_file **out,
                             char *why, size_t why_size)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return FW_ERR_IO;
    }
    fw_shard_file *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return FW_ERR_NOMEM;
    }
    f->size = (size_t)sb.st_size;
    if (f->size >= sizeof(header))
        f->map = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (!f->map || f->map == MAP_FAILED) {
        f->map = NULL;
        snprintf(why, why_size, "%s: %s", path,
                 f->size < sizeof(header) ? "too short for a shard file" : strerror(errno));
        fw_status st = f->size < sizeof(header) ? FW_ERR_FORMAT : FW_ERR_IO;
        fw_shard_file_close(f);
        return st;
    }
    const header *h = f->h = (const header *)f->map;
    const char *bad = NULL;
    if (memcmp(h->magic, MAGIC, 8) != 0 || h->format != FORMAT) bad = "not a shard file";
    else if (h->tag != tag) bad = "written under another plan";
    else if (h->k != k) bad = "signatures of another size";
    else if (h->table_at > f->size || h->ndocs > (f->size - h->table_at) / sizeof(disk_doc))
        bad = "cut short";
    if (bad) {
        snprintf(why, why_size, "%s: %s", path, bad);
        fw_shard_file_close(f);
        return FW_ERR_FORMAT;
    }
    f->table = (const disk_doc *)(f->map + h->table_at);
    f->counts = (fw_shard_counts){h->inputs, h->input_bytes, h->skipped_records};
    *out = f;
    return FW_OK;
}

void fw_shard_file_close(fw_shard_file *f)
{
    if (!f) return;
    if (f->map) munmap(f->map, f->size);
    free(f);
}

size_t fw_shard_file_docs(const fw_shard_file *f) { return (size_t)f->h->ndocs; }
const fw_shard_counts *fw_shard_file_counts(const fw_shard_file *f) { return &f->counts; }

static uint64_t padded(uint64_t n) { return (n + 7) & ~(uint64_t)7; }

fw_status fw_shard_file_doc(const fw_shard_file *f, size_t i, fw_shard_doc *doc)
{
    if (i >= f->h->ndocs) return FW_ERR_ARG;
    const disk_doc *t = &f->table[i];
    uint64_t at = t->data_at, end = f->h->table_at;
    /* every size is checked against what is left before adding it */
    const uint64_t left = at <= end ? end - at : 0;
    uint64_t need = 0;
    if (t->nlines > left / 8) return FW_ERR_FORMAT;
    need += (uint64_t)t->nlines * 8 + padded((uint64_t)t->id_len + 1);
    if (t->flags & FLAG_MESSAGE) need += padded((uint64_t)t->message_len + 1);
    if (t->flags & FLAG_TEXT) {
        if (t->bytes > left) return FW_ERR_FORMAT;
        need += padded(t->bytes + 1);
    }
    if (at > end || need > left) return FW_ERR_FORMAT;
    const unsigned char *p = f->map + at;
    memset(doc, 0, sizeof *doc);
    doc->status = (fw_doc_status)t->status;
    doc->bytes = t->bytes;
    doc->chars = t->chars;
    doc->nshingles = t->nshingles;
    doc->text_hash = t->text_hash;
    doc->nlines = t->nlines;
    doc->line_hashes = (const uint64_t *)p;
    p += (uint64_t)t->nlines * 8;
    doc->id = (const char *)p;
    p += padded((uint64_t)t->id_len + 1);
    if (t->flags & FLAG_MESSAGE) {
        doc->message = (const char *)p;
        p += padded((uint64_t)t->message_len + 1);
    }
    if (t->flags & FLAG_TEXT) doc->text = (const char *)p;
    return FW_OK;
}
