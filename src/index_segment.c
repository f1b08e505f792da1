/*
 * index_segment.c — one immutable segment of an index on disk: its table
 * of documents (NAME.docs) and their texts (NAME.text); its band keys are
 * a band file (NAME.bands, band_file.c), written by index.c.
 *
 * With the passage level also NAME.pbands (band_file.c) and NAME.pscreen
 * (screen_file.c), written by index_passages.c.
 *
 * NAME.docs is read through mmap and believed only once its XXH3 over the
 * whole file matches: a table is small (72 bytes a document, and its id),
 * so checking it all at open costs little and lets every later read trust
 * it. Little-endian:
 *
 *   header   64 bytes: "FWIDOCS\0", version, documents, pairs, string
 *            bytes, first and last document number
 *   docs     72 bytes each, by number (fw_seg_doc)
 *   by_id    u32 each: positions in docs in byte order of ids (padded to 8)
 *   pairs    16 bytes each (fw_seg_pair): verified pairs found when the
 *            segment was added (at least one of the two is in it)
 *   strings  per document "id\0message\0" (padded to 8)
 *   footer   XXH3-64 of everything before, "FWIDEND\0"
 *
 * NAME.text is a 64-byte header ("FWITEXT\0") then zstd frames, each the
 * texts of consecutive documents up to 64 KB and 64 documents (FRAME_BYTES,
 * FRAME_DOCS) compressed
 * together; a document's record names its frame (offset, length, XXH3)
 * and where its text starts in the frame's bytes. Texts are read a few at
 * a time, so each frame's XXH3 is checked before it is decompressed: a
 * flipped byte in a text is an error naming the document, never a wrong
 * answer. Compaction copies a frame whole unless it holds a removed
 * document's text; then its live texts are compressed again without it.
 *
 * Both files are written under a temporary name, flushed and renamed into
 * place; only the manifest makes them part of the index.
 */
#include "index.h"
#include "grow.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#define DOCS_MAGIC "FWIDOCS"
#define DOCS_END "FWIDEND"
#define TEXT_MAGIC "FWITEXT"
#define FORMAT_VERSION 1
#define HEADER_SIZE 64
#define FOOTER_SIZE 16
#define ZSTD_LEVEL 1 /* poetry's texts: 1.58 to 1 at twice level 3's speed
                      * (1.70 to 1); compressing was a fifth of a build */
/* Texts to a frame: at most 64 KB and 64 documents. A lookup decompresses
 * at most this much more than its text, and a query that cuts scattered
 * documents again a frame for each: poems (200 bytes) in 64 KB frames made
 * it decompress 300 times what it cut; 64 of them (13 KB) cost little room
 * (poetry: 127 bytes a poem against 124), while work reports (6 KB) still
 * share 64 KB frames, where their common paragraphs compress (16 KB
 * frames: 2,559 bytes a report, not 1,577). */
#define FRAME_BYTES (64u << 10)
#define FRAME_DOCS 64

_Static_assert(sizeof(fw_seg_doc) == 72, "the table's records are 72 bytes on disk");
_Static_assert(sizeof(fw_seg_pair) == 16, "pairs are 16 bytes on disk");

typedef struct docs_header {
    char magic[8];
    uint32_t version, reserved;
    uint64_t ndocs, npairs, strings_size, first, last;
    uint64_t mark; /* the manifest's for this segment; 0 before marks */
} docs_header;
_Static_assert(sizeof(docs_header) == HEADER_SIZE, "the header is 64 bytes");

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* ------------------------------------------------------------------ write */

/* A file written under "path.tmp.PID", flushed and renamed into place.
 * Small pieces (a table's 72-byte records, ids) gather in `buf` and are
 * written and hashed 256 KB at a time: a call of each per record was a
 * tenth of writing a segment. */
#define OUT_BUF_BYTES (256u << 10)
typedef struct out_file {
    char path[4096], tmp[4200];
    FILE *f;
    XXH3_state_t *hash;       /* of every byte written, when not NULL */
    unsigned char *buf;
    size_t len;
} out_file;

static fw_status out_open(out_file *o, const char *dir, const char *name, const char *ext,
                          int hashed, char *why, size_t n)
{
    snprintf(o->path, sizeof o->path, "%s/%s.%s", dir, name, ext);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld", o->path, (long)getpid());
    o->hash = NULL;
    o->len = 0;
    if (!(o->buf = malloc(OUT_BUF_BYTES))) return FW_ERR_NOMEM;
    if (!(o->f = fopen(o->tmp, "wbx"))) {
        snprintf(why, n, "%s: %s", o->tmp, strerror(errno));
        free(o->buf);
        return FW_ERR_IO;
    }
    if (hashed && (!(o->hash = XXH3_createState()) || XXH3_64bits_reset(o->hash) != XXH_OK)) {
        fclose(o->f);
        unlink(o->tmp);
        XXH3_freeState(o->hash);
        free(o->buf);
        return FW_ERR_NOMEM;
    }
    return FW_OK;
}

static void out_write(out_file *o, const void *p, size_t len)
{
    if (!len) return;
    fwrite(p, 1, len, o->f);
    if (o->hash) XXH3_64bits_update(o->hash, p, len);
}

/* Writes (and hashes) what `buf` holds. */
static void out_flush(out_file *o)
{
    out_write(o, o->buf, o->len);
    o->len = 0;
}

static void out_put(out_file *o, const void *p, size_t len)
{
    if (!len) return; /* p may be NULL then (no pairs), which memcpy may not take */
    if (o->len + len > OUT_BUF_BYTES) out_flush(o);
    if (len >= OUT_BUF_BYTES) {
        out_write(o, p, len);
        return;
    }
    memcpy(o->buf + o->len, p, len);
    o->len += len;
}

static void out_pad(out_file *o, size_t len)
{
    static const char zeros[8];
    out_put(o, zeros, pad8(len) - len);
}

/* Flushes to disk and renames into place (or, on failure, removes). */
static fw_status out_close(out_file *o, fw_status st, char *why, size_t n)
{
    out_flush(o);
    free(o->buf);
    fw_status done = fw_index_file_finish(o->f, st == FW_OK, o->tmp, o->path, why, n);
    if (o->hash) XXH3_freeState(o->hash);
    return st != FW_OK ? st : done;
}

/* Where each document's text went: its frame, the frame's length and
 * checksum, and where the text starts in the frame's bytes. */
typedef struct text_place {
    uint64_t at, sum;
    uint32_t zlen, in_frame;
} text_place;

/* A frame to write: documents [first, end) of new texts compressed
 * together, or one frame copied as it is. */
typedef struct frame_job {
    size_t first, end;
    const unsigned char *copy; /* NULL: compress */
    unsigned char *out;
    size_t len;
    uint64_t sum;
} frame_job;

/* The frames: consecutive new texts until FRAME_BYTES or FRAME_DOCS, each frame already
 * compressed (compaction) once. */
static size_t plan_frames(const fw_seg_doc_in *docs, size_t ndocs, frame_job *jobs)
{
    size_t n = 0;
    for (size_t i = 0; i < ndocs;) {
        const fw_seg_doc_in *d = &docs[i];
        if (!d->text && !d->frame) { i++; continue; }
        frame_job j = {i, i + 1, d->frame, NULL, d->frame_len, d->frame_sum};
        if (d->frame) {
            while (j.end < ndocs && docs[j.end].frame == d->frame) j.end++;
        } else {
            uint64_t raw = d->bytes;
            while (j.end < ndocs && j.end - j.first < FRAME_DOCS && docs[j.end].text &&
                   !docs[j.end].frame && raw + docs[j.end].bytes <= FRAME_BYTES)
                raw += docs[j.end++].bytes;
        }
        jobs[n++] = j;
        i = j.end;
    }
    return n;
}

/* Compresses one frame of new texts (into job->out, malloc'ed). */
static fw_status compress_frame(ZSTD_CCtx *cctx, const fw_seg_doc_in *docs, frame_job *job,
                                char **raw, size_t *raw_cap)
{
    size_t len = 0;
    for (size_t i = job->first; i < job->end; i++) len += docs[i].bytes;
    if (!(*raw = fw_grow_scratch(*raw, raw_cap, len ? len : 1))) return FW_ERR_NOMEM;
    len = 0;
    for (size_t i = job->first; i < job->end; i++) {
        memcpy(*raw + len, docs[i].text, docs[i].bytes);
        len += docs[i].bytes;
    }
    size_t bound = ZSTD_compressBound(len);
    if (!(job->out = malloc(bound))) return FW_ERR_NOMEM;
    job->len = ZSTD_compressCCtx(cctx, job->out, bound, *raw, len, ZSTD_LEVEL);
    if (ZSTD_isError(job->len) || job->len > UINT32_MAX) return FW_ERR_ARG;
    job->sum = XXH3_64bits(job->out, job->len);
    return FW_OK;
}

/* NAME.text, and where each document's text is. */
static fw_status write_texts(const char *dir, const char *name, const fw_seg_doc_in *docs,
                             size_t ndocs, text_place *place, int threads, char *why, size_t n)
{
    frame_job *jobs = calloc(ndocs ? ndocs : 1, sizeof *jobs);
    if (!jobs) return FW_ERR_NOMEM;
    size_t njobs = plan_frames(docs, ndocs, jobs);
    int failed = FW_OK;
    #pragma omp parallel num_threads(threads > 0 ? threads : 1)
    {
        ZSTD_CCtx *cctx = ZSTD_createCCtx();
        char *raw = NULL;
        size_t raw_cap = 0;
        #pragma omp for schedule(dynamic, 4)
        for (size_t j = 0; j < njobs; j++) {
            int seen;
            #pragma omp atomic read
            seen = failed;
            if (jobs[j].copy || seen != FW_OK) continue;
            fw_status st = cctx ? compress_frame(cctx, docs, &jobs[j], &raw, &raw_cap)
                                : FW_ERR_NOMEM;
            if (st != FW_OK) {
                #pragma omp atomic write
                failed = st;
            }
        }
        ZSTD_freeCCtx(cctx);
        free(raw);
    }
    out_file o;
    fw_status st = failed;
    if (st == FW_OK) st = out_open(&o, dir, name, "text", 0, why, n);
    if (st == FW_OK) {
        char header[HEADER_SIZE] = TEXT_MAGIC;
        header[8] = FORMAT_VERSION;
        out_put(&o, header, sizeof header);
        uint64_t pos = HEADER_SIZE;
        memset(place, 0, ndocs * sizeof *place);
        for (size_t j = 0; j < njobs; j++) {
            const frame_job *job = &jobs[j];
            out_put(&o, job->copy ? job->copy : job->out, job->len);
            uint32_t in_frame = 0;
            for (size_t i = job->first; i < job->end; i++) {
                place[i] = (text_place){pos, job->sum, (uint32_t)job->len,
                                        job->copy ? docs[i].in_frame : in_frame};
                in_frame += (uint32_t)docs[i].bytes;
            }
            pos += job->len;
        }
        st = out_close(&o, FW_OK, why, n);
    } else if (st == FW_ERR_ARG) {
        snprintf(why, n, "%s/%s.text: a frame of texts does not compress", dir, name);
    }
    for (size_t j = 0; j < njobs; j++) free(jobs[j].out);
    free(jobs);
    return st;
}

static int cmp_str_ptr(const void *a, const void *b, void *ids)
{
    const char *const *v = ids;
    return strcmp(v[*(const uint32_t *)a], v[*(const uint32_t *)b]);
}

/* qsort_r is a GNU extension; an index sort with the ids in a static is not
 * thread-safe, so a plain merge sort over positions instead. */
static void sort_by_id(uint32_t *v, uint32_t *tmp, size_t n, const char *const *ids)
{
    if (n < 2) return;
    size_t h = n / 2;
    sort_by_id(v, tmp, h, ids);
    sort_by_id(v + h, tmp, n - h, ids);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_str_ptr(&v[j], &v[i], (void *)ids) < 0 ? v[j++] : v[i++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

fw_status fw_segment_mark(const fw_seg_doc_in *docs, size_t ndocs, const fw_seg_pair *pairs,
                          size_t npairs, uint64_t *mark)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st || XXH3_64bits_reset(st) != XXH_OK) {
        XXH3_freeState(st);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < ndocs; i++) {
        const fw_seg_doc_in *d = &docs[i];
        uint64_t v[8] = {d->number, (uint64_t)d->status, d->bytes, d->chars, d->shingles,
                         d->passages, 0, 0};
        const char *msg = d->message ? d->message : "";
        XXH3_64bits_update(st, d->id, strlen(d->id) + 1);
        XXH3_64bits_update(st, msg, strlen(msg) + 1);
        if (d->text) {
            XXH3_64bits_update(st, v, 6 * sizeof *v);
            XXH3_64bits_update(st, d->text, d->bytes);
        } else { /* a frame copied whole: its checksum stands for its texts */
            v[6] = d->frame ? d->frame_sum : 0;
            v[7] = (uint64_t)d->frame_len << 32 | d->in_frame;
            XXH3_64bits_update(st, v, sizeof v);
        }
    }
    if (npairs) XXH3_64bits_update(st, pairs, npairs * sizeof *pairs);
    *mark = XXH3_64bits_digest(st);
    if (!*mark) *mark = 1; /* 0 means "before marks" */
    XXH3_freeState(st);
    return FW_OK;
}

fw_status fw_segment_write(const char *dir, const char *name, uint64_t mark,
                           const fw_seg_doc_in *docs, size_t ndocs, const fw_seg_pair *pairs,
                           size_t npairs, int threads, char *why, size_t n)
{
    if (ndocs > UINT32_MAX) return FW_ERR_ARG;
    size_t m = ndocs ? ndocs : 1;
    text_place *place = malloc(m * sizeof *place);
    uint32_t *by_id = malloc(m * sizeof *by_id), *tmp = malloc(m * sizeof *tmp);
    const char **ids = malloc(m * sizeof *ids);
    fw_status st = FW_ERR_NOMEM;
    if (!place || !by_id || !tmp || !ids) goto out;
    if ((st = write_texts(dir, name, docs, ndocs, place, threads, why, n)) != FW_OK) goto out;
    int in_id_order = 1; /* a new batch is numbered in id order */
    for (size_t i = 0; i < ndocs; i++) {
        ids[i] = docs[i].id;
        by_id[i] = (uint32_t)i;
        if (i && in_id_order && strcmp(ids[i - 1], ids[i]) > 0) in_id_order = 0;
    }
    if (!in_id_order) sort_by_id(by_id, tmp, ndocs, ids);

    uint64_t strings = 0;
    for (size_t i = 0; i < ndocs; i++)
        strings += strlen(docs[i].id) + 1 + (docs[i].message ? strlen(docs[i].message) : 0) + 1;
    out_file o;
    if ((st = out_open(&o, dir, name, "docs", 1, why, n)) != FW_OK) goto out;
    docs_header h = {DOCS_MAGIC, FORMAT_VERSION, 0, ndocs, npairs, strings,
                     ndocs ? docs[0].number : 0, ndocs ? docs[ndocs - 1].number : 0, mark};
    out_put(&o, &h, sizeof h);
    uint64_t str_at = 0;
    for (size_t i = 0; i < ndocs; i++) {
        const fw_seg_doc_in *d = &docs[i];
        fw_seg_doc r = {d->number, d->bytes, d->chars, d->shingles, place[i].at, place[i].sum,
                        str_at, place[i].zlen, (uint32_t)d->status, place[i].in_frame,
                        d->passages};
        out_put(&o, &r, sizeof r);
        str_at += strlen(d->id) + 1 + (d->message ? strlen(d->message) : 0) + 1;
    }
    out_put(&o, by_id, ndocs * sizeof *by_id);
    out_pad(&o, ndocs * sizeof *by_id);
    out_put(&o, pairs, npairs * sizeof *pairs);
    for (size_t i = 0; i < ndocs; i++) {
        out_put(&o, docs[i].id, strlen(docs[i].id) + 1);
        const char *msg = docs[i].message ? docs[i].message : "";
        out_put(&o, msg, strlen(msg) + 1);
    }
    out_pad(&o, strings);
    out_flush(&o); /* all of it hashed */
    uint64_t footer[2] = {XXH3_64bits_digest(o.hash), 0};
    memcpy(&footer[1], DOCS_END, 8);
    fwrite(footer, 1, sizeof footer, o.f);
    st = out_close(&o, FW_OK, why, n);
out:
    free(place); free(by_id); free(tmp); free(ids);
    return st;
}

/* ------------------------------------------------------------------- read */

static fw_status map_file(const char *path, void **map, size_t *size, char *why, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(why, n, "%s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return FW_ERR_IO;
    }
    *size = (size_t)sb.st_size;
    *map = NULL;
    if (*size) {
        void *p = mmap(NULL, *size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            snprintf(why, n, "%s: %s", path, strerror(errno));
            close(fd);
            return FW_ERR_IO;
        }
        *map = p;
    }
    close(fd);
    return FW_OK;
}

static fw_status bad(char *why, size_t n, const char *path, const char *what)
{
    snprintf(why, n, "%s: damaged or not a segment file (%s)", path, what);
    return FW_ERR_FORMAT;
}

/* Checks NAME.docs whole and points the segment into it. */
static fw_status open_docs(fw_seg *seg, const char *path, const fw_manifest_segment *ms,
                           char *why, size_t n)
{
    fw_status st = map_file(path, &seg->docs_map, &seg->docs_size, why, n);
    if (st != FW_OK) return st;
    const unsigned char *p = seg->docs_map;
    size_t size = seg->docs_size;
    docs_header h;
    if (size < HEADER_SIZE + FOOTER_SIZE) return bad(why, n, path, "cut short");
    memcpy(&h, p, sizeof h);
    if (memcmp(h.magic, DOCS_MAGIC, 8) != 0 || memcmp(p + size - 8, DOCS_END, 8) != 0)
        return bad(why, n, path, "no header or footer");
    uint64_t sum;
    memcpy(&sum, p + size - FOOTER_SIZE, 8);
    if (XXH3_64bits(p, size - FOOTER_SIZE) != sum) return bad(why, n, path, "checksum");
    if (h.version != FORMAT_VERSION) return bad(why, n, path, "format version");
    if (h.ndocs > UINT32_MAX || h.npairs > size / 16 || h.strings_size > size)
        return bad(why, n, path, "counts");
    size_t docs_at = HEADER_SIZE, by_id_at = docs_at + h.ndocs * sizeof(fw_seg_doc),
           pairs_at = by_id_at + pad8(h.ndocs * 4), str_at = pairs_at + h.npairs * 16;
    if (str_at + pad8(h.strings_size) + FOOTER_SIZE != size) return bad(why, n, path, "size");
    if (h.ndocs != ms->count || (h.ndocs && (h.first != ms->first || h.last != ms->last)))
        return bad(why, n, path, "not the segment the manifest names");
    if (h.mark != ms->mark) {
        snprintf(why, n, "%s: not the segment the manifest names (another index's, or another "
                 "generation's)", path);
        return FW_ERR_FORMAT;
    }
    seg->docs = (const fw_seg_doc *)(p + docs_at);
    seg->ndocs = h.ndocs;
    seg->by_id = (const uint32_t *)(p + by_id_at);
    seg->pairs = (const fw_seg_pair *)(p + pairs_at);
    seg->npairs = h.npairs;
    seg->strings = (const char *)(p + str_at);
    seg->strings_size = h.strings_size;
    /* everything later reads without checking again */
    for (size_t i = 0; i < seg->ndocs; i++) {
        const fw_seg_doc *d = &seg->docs[i];
        const char *s = seg->strings + d->str_at;
        size_t left = d->str_at < h.strings_size ? h.strings_size - d->str_at : 0;
        const char *nul = left ? memchr(s, '\0', left) : NULL;
        if (!nul || !memchr(nul + 1, '\0', left - (size_t)(nul + 1 - s)) ||
            d->status >= FW_DOC_STATUS_COUNT || seg->by_id[i] >= seg->ndocs ||
            d->number < h.first || d->number > h.last || (i && d->number <= d[-1].number))
            return bad(why, n, path, "a document's record");
        if (d->text_zlen) seg->text_raw_bytes += d->bytes;
    }
    return FW_OK;
}

fw_status fw_segment_open(const char *dir, const fw_manifest_segment *ms, uint64_t tag,
                          uint64_t ptag, fw_seg *seg, char *why, size_t n)
{
    memset(seg, 0, sizeof *seg);
    snprintf(seg->name, sizeof seg->name, "%s", ms->name);
    seg->first = ms->first;
    seg->last = ms->last;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.docs", dir, ms->name);
    fw_status st = open_docs(seg, path, ms, why, n);
    if (st != FW_OK) return st;
    snprintf(path, sizeof path, "%s/%s.text", dir, ms->name);
    void *map;
    if ((st = map_file(path, &map, &seg->text_size, why, n)) != FW_OK) return st;
    seg->text = map;
    if (seg->text_size < HEADER_SIZE || memcmp(seg->text, TEXT_MAGIC, 8) != 0 ||
        seg->text[8] != FORMAT_VERSION)
        return bad(why, n, path, "header");
    snprintf(path, sizeof path, "%s/%s.bands", dir, ms->name);
    if ((st = fw_band_file_open(path, &seg->bands, why, n)) != FW_OK) return st;
    if (fw_band_file_tag(seg->bands) != fw_index_mark_tag(tag, ms->mark)) {
        snprintf(why, n, "%s: made with other parameters than the manifest's, or for another "
                 "segment", path);
        return FW_ERR_FORMAT;
    }
    if (!ptag) return FW_OK;
    snprintf(path, sizeof path, "%s/%s.pbands", dir, ms->name);
    if ((st = fw_band_file_open(path, &seg->pbands, why, n)) != FW_OK) return st;
    if (!fw_band_file_narrow(seg->pbands)) {
        snprintf(why, n, "%s: 16-byte passage records, from an earlier fanwen: build the "
                 "index again", path);
        return FW_ERR_FORMAT;
    }
    if (!(seg->pfirst = malloc((seg->ndocs + 1) * sizeof *seg->pfirst))) {
        snprintf(why, n, "out of memory");
        return FW_ERR_NOMEM;
    }
    uint64_t at = 0;
    for (size_t i = 0; i < seg->ndocs; i++) {
        seg->pfirst[i] = (uint32_t)at;
        at += seg->docs[i].passages;
        if (at > UINT32_MAX) return bad(why, n, path, "passage count");
    }
    seg->pfirst[seg->ndocs] = (uint32_t)at;
    if (fw_band_file_tag(seg->pbands) !=
        fw_index_mark_tag(fw_index_segment_passage_tag(ptag, ms->first, at), ms->mark)) {
        snprintf(why, n, "%s: made with other parameters or another passage model than the "
                 "manifest's, or for another segment", path);
        return FW_ERR_FORMAT;
    }
    /* the screen file: a speed-up a segment may lack (written by a fanwen
     * before 2ecbc2c): its candidates are then all cut and screened */
    snprintf(path, sizeof path, "%s/%s.pscreen", dir, ms->name);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        seg->pscreen = NULL;
    } else if ((st = fw_screen_file_open(path, &seg->pscreen, why, n)) != FW_OK) {
        return st;
    } else if (fw_screen_file_tag(seg->pscreen) != fw_band_file_tag(seg->pbands) ||
               fw_screen_file_count(seg->pscreen) != at) {
        snprintf(why, n, "%s: made with other parameters or another passage model than the "
                 "manifest's, or for another segment", path);
        return FW_ERR_FORMAT;
    }
    seg->nhint = (size_t)(at >> FW_SEG_HINT_SHIFT) + 1;
    if (!(seg->phint = malloc(seg->nhint * sizeof *seg->phint))) {
        snprintf(why, n, "out of memory");
        return FW_ERR_NOMEM;
    }
    size_t pos = 0; /* the last document whose first is <= the hint's ordinal */
    for (size_t h = 0; h < seg->nhint; h++) {
        uint64_t o = (uint64_t)h << FW_SEG_HINT_SHIFT;
        while (pos + 1 < seg->ndocs && seg->pfirst[pos + 1] <= o) pos++;
        seg->phint[h] = (uint32_t)pos;
    }
    return FW_OK;
}

int fw_segment_passage_at(const fw_seg *seg, uint64_t ordinal, size_t *pos, uint32_t *k)
{
    if (ordinal >= seg->pfirst[seg->ndocs]) return 0;
    /* the last document whose first is <= ordinal: between the hints */
    size_t h = ordinal >> FW_SEG_HINT_SHIFT;
    size_t lo = seg->phint[h], hi = h + 1 < seg->nhint ? seg->phint[h + 1] + 1 : seg->ndocs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (seg->pfirst[mid] <= ordinal) lo = mid;
        else hi = mid;
    }
    /* documents without passages share their first with the next: the last
     * of equal firsts holds the ordinal */
    *pos = lo;
    *k = (uint32_t)(ordinal - seg->pfirst[lo]);
    return 1;
}

int fw_segment_passage(const fw_seg *seg, uint64_t ordinal, uint64_t *member)
{
    size_t pos;
    uint32_t k;
    if (!fw_segment_passage_at(seg, ordinal, &pos, &k)) return 0;
    /* numbered without gaps (a batch's segment): no read of its record */
    uint64_t number = seg->ndocs == seg->last - seg->first + 1 ? seg->first + pos
                                                               : seg->docs[pos].number;
    *member = number << 32 | k;
    return 1;
}

void fw_segment_close(fw_seg *seg)
{
    if (seg->docs_map) munmap(seg->docs_map, seg->docs_size);
    if (seg->text) munmap((void *)seg->text, seg->text_size);
    fw_band_file_close(seg->bands);
    fw_band_file_close(seg->pbands);
    fw_screen_file_close(seg->pscreen);
    free(seg->pfirst);
    free(seg->phint);
    memset(seg, 0, sizeof *seg);
}

const char *fw_segment_id(const fw_seg *seg, size_t i)
{
    return seg->strings + seg->docs[i].str_at;
}

const char *fw_segment_message(const fw_seg *seg, size_t i)
{
    const char *id = fw_segment_id(seg, i);
    return id + strlen(id) + 1;
}

int64_t fw_segment_find_number(const fw_seg *seg, uint64_t number)
{
    if (number < seg->first || number > seg->last || !seg->ndocs) return -1;
    if (seg->ndocs == seg->last - seg->first + 1) return (int64_t)(number - seg->first);
    size_t lo = 0, hi = seg->ndocs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seg->docs[mid].number < number) lo = mid + 1;
        else hi = mid;
    }
    return lo < seg->ndocs && seg->docs[lo].number == number ? (int64_t)lo : -1;
}

int64_t fw_segment_find_id(const fw_seg *seg, const char *id)
{
    size_t lo = 0, hi = seg->ndocs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(fw_segment_id(seg, seg->by_id[mid]), id);
        if (c == 0) return seg->by_id[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

void fw_text_cache_free(fw_text_cache *c)
{
    ZSTD_freeDCtx(c->dctx);
    free(c->buf);
    *c = (fw_text_cache){0};
}

fw_status fw_segment_text(const fw_seg *seg, size_t i, fw_text_cache *c, const char **text,
                          size_t *len, char *why, size_t n)
{
    const fw_seg_doc *d = &seg->docs[i];
    *text = "";
    *len = 0;
    if (!d->text_zlen) return FW_OK;
    const unsigned char *frame = seg->text + d->text_at;
    if (c->frame != frame) {
        c->frame = NULL;
        if (d->text_at < HEADER_SIZE || d->text_at > seg->text_size ||
            d->text_zlen > seg->text_size - d->text_at ||
            XXH3_64bits(frame, d->text_zlen) != d->text_sum) {
            snprintf(why, n, "%s.text: the text of %s is damaged (checksum)", seg->name,
                     fw_segment_id(seg, i));
            return FW_ERR_FORMAT;
        }
        unsigned long long raw = ZSTD_getFrameContentSize(frame, d->text_zlen);
        if (raw == ZSTD_CONTENTSIZE_UNKNOWN || raw == ZSTD_CONTENTSIZE_ERROR ||
            raw > SIZE_MAX - 1) {
            snprintf(why, n, "%s.text: the frame of %s is not a zstd frame", seg->name,
                     fw_segment_id(seg, i));
            return FW_ERR_FORMAT;
        }
        if (!(c->buf = fw_grow_scratch(c->buf, &c->cap, (size_t)raw + 1)) ||
            (!c->dctx && !(c->dctx = ZSTD_createDCtx())))
            return FW_ERR_NOMEM;
        size_t got = ZSTD_decompressDCtx(c->dctx, c->buf, c->cap, frame, d->text_zlen);
        if (ZSTD_isError(got) || got != raw) {
            snprintf(why, n, "%s.text: the text of %s does not decompress", seg->name,
                     fw_segment_id(seg, i));
            return FW_ERR_FORMAT;
        }
        c->len = got;
        c->frame = frame;
    }
    if ((uint64_t)d->in_frame + d->bytes > c->len) {
        snprintf(why, n, "%s.text: the frame of %s does not hold its text", seg->name,
                 fw_segment_id(seg, i));
        return FW_ERR_FORMAT;
    }
    *text = c->buf + d->in_frame;
    *len = d->bytes;
    return FW_OK;
}
