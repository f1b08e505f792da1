/*
 * pipeline.c — reading and sketching at once: the reader fills batches
 * while a sketching thread works on the last one.
 *
 * Reading is sequential (one file at a time, in sorted order); everything
 * per document is parallel, and the two overlap. The reader gathers
 * documents into batches of ~32 MB and hands each full batch to a
 * sketching thread, then goes on filling the next one. The sketching
 * thread parses, normalizes, shingles and sketches the batch with all
 * threads at once (sketch.c; OpenMP, dynamic schedule, each thread with its
 * own scratch buffers and arena) and frees the raw text. At most two
 * batches of text are held at once: the reader waits for the batch in
 * flight before it hands over the next.
 *
 * A document's record is made when it is read, in input order, and copied
 * to the sketching thread with its text; the sketched record is copied
 * back when the batch is done (the reader may move the records meanwhile).
 * With a memory limit, the documents' band keys go to the LSH runs then,
 * in input order, so the runs do not depend on thread timing either.
 */
#include "pipeline.h"
#include "scan_internal.h"
#include "measure.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES (32u << 20)
#define BATCH_DOCS 16384

/* One document queued for the sketching thread. */
typedef struct fw_pending {
    fw_sketch_doc doc;       /* its record, filled in by the sketching thread
                              * and copied back to the scan's records */
    char *owned;             /* its text, when the reader gave it away;
                              * NULL: the text is in the batch's pool, at
                              * `offset` until the batch is handed over */
    size_t offset;
} fw_pending;

fw_status fw_pipeline_init(fw_pipeline *pl)
{
    pl->batch_bytes_max = BATCH_BYTES;
    pl->batch = malloc(BATCH_DOCS * sizeof *pl->batch);
    pl->inflight = malloc(BATCH_DOCS * sizeof *pl->inflight);
    return pl->batch && pl->inflight ? FW_OK : FW_ERR_NOMEM;
}

fw_status fw_pipeline_bound(fw_pipeline *pl, uint64_t limit, unsigned bands)
{
    if (pl->batch_bytes_max > limit / 16) pl->batch_bytes_max = (size_t)(limit / 16);
    pl->batch_keys = malloc(BATCH_DOCS * bands * sizeof *pl->batch_keys);
    pl->inflight_keys = malloc(BATCH_DOCS * bands * sizeof *pl->inflight_keys);
    if (!pl->batch_keys || !pl->inflight_keys) return FW_ERR_NOMEM;
    for (size_t i = 0; i < BATCH_DOCS; i++) {
        pl->batch[i].doc.keys = pl->batch_keys + i * bands;
        pl->inflight[i].doc.keys = pl->inflight_keys + i * bands;
    }
    return FW_OK;
}

/* The sketching thread: all per-document work on one batch, in parallel,
 * while the reader goes on filling the next batch. */
static void *sketch_batch(void *arg)
{
    fw_scan *s = arg;
    fw_pipeline *pl = &s->pipe;
    double t0 = fw_now();
    int failed = FW_OK;
    #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 4)
    for (size_t i = 0; i < pl->ninflight; i++) {
        fw_sketch_worker *w = &s->workers[omp_get_thread_num()].sketch;
        fw_pending *p = &pl->inflight[i];
        const int big = s->bounded && p->doc.len > s->big_doc_bytes;
        if (big) omp_set_lock(&s->big_doc_lock);
        fw_status st = fw_sketch_document(&s->sketch, w, &p->doc);
        if (big) omp_unset_lock(&s->big_doc_lock);
        free(p->owned);
        p->owned = NULL;
        p->doc.text = NULL;
        if (st != FW_OK) {
            #pragma omp atomic write
            failed = st;
        }
    }
    pl->sketch_status = failed;
    s->stats.t_sketch_wall += fw_now() - t0;
    return NULL;
}

/* Waits for the batch in flight and copies its records back. */
static fw_status finish_batch(fw_scan *s)
{
    fw_pipeline *pl = &s->pipe;
    if (pl->sketching) {
        double t0 = fw_now();
        pthread_join(pl->sketcher, NULL);
        pl->t_wait += fw_now() - t0;
        pl->sketching = 0;
    }
    fw_status st = pl->sketch_status;
    for (size_t i = 0; i < pl->ninflight; i++) {
        const fw_sketch_doc *d = &pl->inflight[i].doc;
        s->docs[d->number] = d->rec;
        if (st == FW_OK && d->keyed) st = fw_band_runs_add(s->runs, (uint32_t)d->number, d->keys);
    }
    pl->ninflight = 0;
    pl->inflight_pool.len = 0;
    if (pl->inflight_pool.cap > 4 * pl->batch_bytes_max) { /* after a huge line */
        free(pl->inflight_pool.data);
        pl->inflight_pool = (fw_text_pool){0};
    }
    return st;
}

/* Hands the filled batch to the sketching thread (after the previous one
 * is done: at most two batches of text are held at once). */
static fw_status submit_batch(fw_scan *s)
{
    fw_pipeline *pl = &s->pipe;
    fw_status st = finish_batch(s);
    if (st != FW_OK || pl->nbatch == 0) return st;
    for (size_t i = 0; i < pl->nbatch; i++)
        if (!pl->batch[i].owned) pl->batch[i].doc.text = pl->batch_pool.data + pl->batch[i].offset;
    fw_pending *t = pl->inflight;
    pl->inflight = pl->batch;
    pl->batch = t;
    fw_text_pool tp = pl->inflight_pool;
    pl->inflight_pool = pl->batch_pool;
    pl->batch_pool = tp;
    pl->ninflight = pl->nbatch;
    pl->nbatch = 0;
    pl->batch_bytes = 0;
    if (pthread_create(&pl->sketcher, NULL, sketch_batch, s) == 0) {
        pl->sketching = 1;
        return FW_OK;
    }
    sketch_batch(s); /* no thread to be had: do it here */
    return finish_batch(s);
}

fw_status fw_pipeline_finish(fw_scan *s)
{
    fw_status st = submit_batch(s);
    fw_status done = finish_batch(s);
    /* the two batches' text pools (40 MB each): what is made after reading
     * reuses their memory instead of new pages */
    fw_pipeline *pl = &s->pipe;
    free(pl->batch_pool.data);
    free(pl->inflight_pool.data);
    pl->batch_pool = pl->inflight_pool = (fw_text_pool){0};
    return st == FW_OK ? done : st;
}

void fw_pipeline_free(fw_scan *s)
{
    fw_pipeline *pl = &s->pipe;
    if (pl->inflight) finish_batch(s); /* a batch may still be in flight */
    for (size_t i = 0; i < pl->nbatch; i++) free(pl->batch[i].owned);
    free(pl->batch_pool.data);
    free(pl->inflight_pool.data);
    free(pl->batch_keys);
    free(pl->inflight_keys);
    free(pl->batch);
    free(pl->inflight);
}

/* Copies a lent text to the end of the pool; returns 0, or -1 when out of
 * memory. */
static int pool_append(fw_text_pool *pool, size_t first_cap, const char *text, size_t len,
                       size_t *offset)
{
    if (pool->cap - pool->len < len + 1) {
        size_t cap = pool->cap ? pool->cap : first_cap;
        while (cap - pool->len < len + 1) {
            if (cap > SIZE_MAX / 2) return -1;
            cap *= 2;
        }
        char *grown = realloc(pool->data, cap);
        if (!grown) return -1;
        pool->data = grown;
        pool->cap = cap;
    }
    *offset = pool->len;
    memcpy(pool->data + pool->len, text, len);
    pool->data[pool->len + len] = '\0';
    pool->len += len + 1;
    return 0;
}

/* `*s` made valid UTF-8 (U+FFFD for invalid bytes) in place of itself: a
 * file name can hold any bytes, and the reports are UTF-8. 0: no memory. */
static int valid_utf8(char **s)
{
    size_t n = *s ? strlen(*s) : 0;
    if (!*s || fw_utf8_valid_prefix(*s, n) == n) return 1;
    char *fixed;
    size_t len;
    if (fw_utf8_repair(*s, n, &fixed, &len, NULL) != FW_OK) return 0;
    free(*s);
    *s = fixed;
    return 1;
}

fw_status fw_pipeline_take(void *ctx, fw_input_doc *in)
{
    fw_scan *s = ctx;
    fw_pipeline *pl = &s->pipe;
    if (!valid_utf8(&in->id) || !valid_utf8(&in->message)) goto nomem;
    if (s->ndocs == s->docs_cap) {
        size_t cap = s->docs_cap ? 2 * s->docs_cap : 1024;
        fw_doc_record *grown = realloc(s->docs, cap * sizeof *grown);
        if (!grown) goto nomem;
        s->docs = grown;
        s->docs_cap = cap;
    }
    if (s->ndocs >= UINT32_MAX - 1) goto nomem;
    fw_doc_record *d = &s->docs[s->ndocs];
    memset(d, 0, sizeof *d);
    d->id = in->id;
    d->message = in->message;
    d->status = in->status;
    d->bytes = in->len;
    d->cluster = -1;
    s->read_bytes += in->len;
    if (in->text && in->status == FW_DOC_OK) {
        fw_pending *p = &pl->batch[pl->nbatch];
        p->doc.number = s->ndocs;
        p->doc.rec = *d;
        p->owned = in->borrowed ? NULL : in->text;
        p->doc.text = p->owned;
        p->doc.len = in->len;
        p->doc.jsonl = in->jsonl;
        p->doc.keyed = 0;
        if (in->borrowed && pool_append(&pl->batch_pool,
                                          pl->batch_bytes_max + (pl->batch_bytes_max >> 2),
                                          in->text, in->len, &p->offset))
            goto nomem_kept;
        pl->nbatch++;
        pl->batch_bytes += in->len;
    } else if (!in->borrowed) {
        free(in->text);
    }
    s->ndocs++;
    fw_status st = FW_OK;
    if (pl->nbatch == BATCH_DOCS || pl->batch_bytes >= pl->batch_bytes_max) {
        st = submit_batch(s);
        if (st == FW_OK && s->opt.progress &&
            s->opt.progress(s->opt.progress_ctx, "reading", s->ndocs, s->read_bytes))
            st = FW_ERR_STOPPED;
    }
    return st;
nomem_kept: /* the record is in docs: it owns id and message now */
    s->ndocs++;
    return FW_ERR_NOMEM;
nomem:
    free(in->id);
    if (!in->borrowed) free(in->text);
    free(in->message);
    return FW_ERR_NOMEM;
}
