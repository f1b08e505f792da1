/*
 * band_runs.c — LSH band records that do not fit in memory: sorted runs on
 * disk, merged band by band (--memory-limit).
 *
 * lsh.c sorts all documents' records of a band at once. Here the records
 * arrive while documents are read, one (key, item) per band per document,
 * into buffers of a fixed budget. A full buffer is sorted band by band and
 * written out as a run; at the end each band's runs are merged (a heap of
 * cursors, each reading its run through a small window), so every bucket
 * of equal keys comes out whole. A bucket's items become document numbers
 * (ranks, known only once everything is read), are sorted, and give the
 * same pairs as lsh.c's buckets: the candidates, and so the reports, are
 * the same with or without a memory limit. If nothing was ever written
 * out, the buffers are sorted in memory and nothing touches the disk.
 *
 * Memory: the budget for the buffers, a merge window per run and thread,
 * and the pairs, which are sorted and deduplicated whenever their list
 * passes a budget of its own.
 */
#include "band_runs.h"
#include "grow.h"
#include "lsh.h"
#include "spill.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
    uint64_t at;    /* band b's records start at at + b * count records */
    size_t count;
} run;

struct fw_band_runs {
    unsigned bands;
    size_t cap;           /* records per band the buffers hold */
    size_t count;         /* records per band buffered */
    fw_keyed *buf;        /* band b's records at buf[b * cap] */
    fw_keyed *tmp;        /* sort scratch, cap records */
    size_t pair_budget;   /* pairs a thread keeps before deduplicating */
    size_t merge_bytes;   /* merge windows of one band, all runs */
    fw_spill file;
    const char *dir;
    run *runs;
    size_t nruns, runs_cap;
    char why[256];
};

fw_status fw_band_runs_new(unsigned bands, size_t budget, const char *dir,
                           fw_band_runs **out)
{
    *out = NULL;
    fw_band_runs *r = calloc(1, sizeof *r);
    if (!r) return FW_ERR_NOMEM;
    r->bands = bands;
    r->dir = dir;
    r->file.fd = -1;
    /* half the budget for the buffers and their sort scratch, a quarter for
     * pairs, a quarter for merge windows */
    r->cap = budget / 2 / (sizeof(fw_keyed) * (bands + 1));
    if (r->cap < 1024) r->cap = 1024;
    r->pair_budget = budget / 4 / sizeof(uint64_t) / 2; /* and its sort scratch */
    r->merge_bytes = budget / 4;
    r->buf = malloc(r->cap * bands * sizeof *r->buf);
    r->tmp = malloc(r->cap * sizeof *r->tmp);
    if (!r->buf || !r->tmp) {
        fw_band_runs_free(r);
        return FW_ERR_NOMEM;
    }
    *out = r;
    return FW_OK;
}

void fw_band_runs_free(fw_band_runs *r)
{
    if (!r) return;
    free(r->buf);
    free(r->tmp);
    free(r->runs);
    fw_spill_close(&r->file);
    free(r);
}

const char *fw_band_runs_error(const fw_band_runs *r) { return r->why; }

size_t fw_band_runs_count(const fw_band_runs *r) { return r->nruns; }

/* Sorts the buffered records band by band and writes them out as a run. */
static fw_status spill_run(fw_band_runs *r)
{
    if (r->file.fd < 0) {
        fw_status st = fw_spill_open(&r->file, r->dir, r->why, sizeof r->why);
        if (st != FW_OK) return st;
    }
    if (!fw_grow(&r->runs, &r->runs_cap, r->nruns + 1, sizeof *r->runs, 16))
        return FW_ERR_NOMEM;
    run *u = &r->runs[r->nruns];
    u->count = r->count;
    u->at = atomic_load(&r->file.end);
    for (unsigned b = 0; b < r->bands; b++) {
        fw_keyed *rec = r->buf + (size_t)b * r->cap;
        fw_sort_keyed(rec, r->tmp, r->count);
        uint64_t at;
        if (fw_spill_append(&r->file, rec, r->count * sizeof *rec, &at) != FW_OK) {
            snprintf(r->why, sizeof r->why, "cannot write LSH runs to the temporary directory");
            return FW_ERR_IO;
        }
    }
    r->nruns++;
    r->count = 0;
    return FW_OK;
}

fw_status fw_band_runs_add(fw_band_runs *r, uint32_t item, const uint64_t *keys)
{
    if (r->count == r->cap) {
        fw_status st = spill_run(r);
        if (st != FW_OK) return st;
    }
    for (unsigned b = 0; b < r->bands; b++)
        r->buf[(size_t)b * r->cap + r->count] = (fw_keyed){keys[b], item};
    r->count++;
    return FW_OK;
}

/* ------------------------------------------------------------- buckets */

static int by_value(const void *a, const void *b)
{
    uint32_t x = ((const fw_keyed *)a)->value, y = ((const fw_keyed *)b)->value;
    return (x > y) - (x < y);
}

/* One bucket: items to ranks, in increasing order, then lsh.c's pairs. The
 * pair list is deduplicated when it passes the budget. */
static int emit_bucket(fw_keyed *rec, size_t m, const uint32_t *rank, fw_pair_list *out,
                       size_t *pair_budget)
{
    if (m < 2) return 1;
    if (rank)
        for (size_t i = 0; i < m; i++) rec[i].value = rank[rec[i].value];
    if (m <= 32) { /* insertion sort: buckets are nearly always tiny */
        for (size_t i = 1; i < m; i++) {
            fw_keyed x = rec[i];
            size_t j = i;
            while (j > 0 && rec[j - 1].value > x.value) { rec[j] = rec[j - 1]; j--; }
            rec[j] = x;
        }
    } else {
        qsort(rec, m, sizeof *rec, by_value);
    }
    if (!fw_pair_list_bucket(out, rec, m)) return 0;
    if (out->len > *pair_budget) {
        uint64_t *tmp = malloc(out->len * sizeof *tmp);
        if (!tmp) return 0;
        fw_sort_u64(out->v, tmp, out->len);
        out->len = fw_unique_u64(out->v, out->len);
        free(tmp);
        if (out->len > *pair_budget / 2) *pair_budget *= 2; /* mostly distinct pairs */
    }
    return 1;
}

/* A growable bucket: the records of one key, copied out of the stream. */
typedef struct bucket {
    fw_keyed *rec;
    size_t len, cap;
} bucket;

static int bucket_add(bucket *k, fw_keyed x)
{
    if (!fw_grow(&k->rec, &k->cap, k->len + 1, sizeof *k->rec, 64)) return 0;
    k->rec[k->len++] = x;
    return 1;
}

/* One band, all in memory: sort its buffer and walk the buckets. */
static fw_status band_in_memory(fw_band_runs *r, unsigned b, fw_keyed *tmp,
                                const uint32_t *rank, fw_pair_list *out, size_t *pair_budget)
{
    fw_keyed *rec = r->buf + (size_t)b * r->cap;
    size_t n = r->count;
    fw_sort_keyed(rec, tmp, n);
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && rec[e].key == rec[s].key) e++;
        if (!emit_bucket(rec + s, e - s, rank, out, pair_budget)) return FW_ERR_NOMEM;
        s = e;
    }
    return FW_OK;
}

/* A cursor over one run of one band, read through a window. */
typedef struct cursor {
    uint64_t at, left;    /* next record on disk, records after the window */
    fw_keyed *win;
    size_t pos, len, cap;
} cursor;

static fw_status cursor_fill(const fw_band_runs *r, cursor *c)
{
    size_t n = c->left < c->cap ? (size_t)c->left : c->cap;
    fw_status st = n ? fw_spill_read(&r->file, c->at, c->win, n * sizeof *c->win) : FW_OK;
    if (st != FW_OK) return st;
    c->at += n * sizeof *c->win;
    c->left -= n;
    c->pos = 0;
    c->len = n;
    return FW_OK;
}

/* A min-heap of cursors by their current key. */
static void sift_down(cursor **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && h[l]->win[h[l]->pos].key < h[m]->win[h[m]->pos].key) m = l;
        if (l + 1 < n && h[l + 1]->win[h[l + 1]->pos].key < h[m]->win[h[m]->pos].key) m = l + 1;
        if (m == i) return;
        cursor *t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

/* One band from its runs on disk: a k-way merge, bucket by bucket. */
static fw_status band_merged(const fw_band_runs *r, unsigned b, size_t window,
                             const uint32_t *rank, fw_pair_list *out, size_t *pair_budget)
{
    size_t k = r->nruns;
    cursor *cur = calloc(k, sizeof *cur);
    cursor **heap = malloc(k * sizeof *heap);
    bucket bk = {0};
    fw_status st = cur && heap ? FW_OK : FW_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; st == FW_OK && i < k; i++) {
        const run *u = &r->runs[i];
        cur[i].at = u->at + (uint64_t)b * u->count * sizeof(fw_keyed);
        cur[i].left = u->count;
        cur[i].cap = window;
        if (!(cur[i].win = malloc(window * sizeof *cur[i].win))) st = FW_ERR_NOMEM;
        else st = cursor_fill(r, &cur[i]);
        if (st == FW_OK && cur[i].len) heap[n++] = &cur[i];
    }
    for (size_t i = n / 2; st == FW_OK && i-- > 0;) sift_down(heap, n, i);
    while (st == FW_OK && n) {
        cursor *c = heap[0];
        fw_keyed x = c->win[c->pos++];
        if (bk.len && bk.rec[0].key != x.key) {
            if (!emit_bucket(bk.rec, bk.len, rank, out, pair_budget)) st = FW_ERR_NOMEM;
            bk.len = 0;
        }
        if (st == FW_OK && !bucket_add(&bk, x)) st = FW_ERR_NOMEM;
        if (st == FW_OK && c->pos == c->len) st = cursor_fill(r, c);
        if (st != FW_OK) break;
        if (c->len == 0) heap[0] = heap[--n];
        sift_down(heap, n, 0);
    }
    if (st == FW_OK && bk.len && !emit_bucket(bk.rec, bk.len, rank, out, pair_budget))
        st = FW_ERR_NOMEM;
    for (size_t i = 0; cur && i < k; i++) free(cur[i].win);
    free(cur);
    free(heap);
    free(bk.rec);
    return st;
}

fw_status fw_band_runs_candidates(fw_band_runs *r, const uint32_t *rank, int threads,
                                  fw_pair **pairs, size_t *npairs)
{
    *pairs = NULL;
    *npairs = 0;
    if (threads < 1) threads = 1;
    int on_disk = r->nruns > 0;
    if (on_disk && r->count) {
        fw_status st = spill_run(r);
        if (st != FW_OK) return st;
    }
    if (on_disk) { /* the buffers are not needed any more */
        free(r->buf);
        free(r->tmp);
        r->buf = r->tmp = NULL;
    }
    size_t window = on_disk ? r->merge_bytes / (size_t)threads / r->nruns / sizeof(fw_keyed) : 0;
    if (on_disk && window < 256) window = 256;
    fw_pair_list *per_thread = calloc((size_t)threads, sizeof *per_thread);
    if (!per_thread) return FW_ERR_NOMEM;
    int failed = FW_OK; /* a failed read of the runs is FW_ERR_IO, not memory */
    #pragma omp parallel num_threads(threads)
    {
        fw_pair_list *out = &per_thread[omp_get_thread_num()];
        size_t pair_budget = r->pair_budget / (size_t)threads + 1024;
        fw_keyed *tmp = on_disk ? NULL : malloc((r->count ? r->count : 1) * sizeof *tmp);
        if (!on_disk && !tmp) {
            #pragma omp atomic write
            failed = FW_ERR_NOMEM;
        }
        #pragma omp for schedule(dynamic, 1)
        for (unsigned b = 0; b < r->bands; b++) {
            int read_failed;
            #pragma omp atomic read
            read_failed = failed;
            if (read_failed) continue;
            fw_status st = on_disk ? band_merged(r, b, window, rank, out, &pair_budget)
                                   : band_in_memory(r, b, tmp, rank, out, &pair_budget);
            if (st != FW_OK) {
                #pragma omp atomic write
                failed = st;
            }
        }
        free(tmp);
    }
    fw_status st = failed ? (fw_status)failed
                          : fw_pair_list_finish(per_thread, (size_t)threads, pairs, npairs);
    for (int t = 0; t < threads; t++) free(per_thread[t].v);
    free(per_thread);
    return st;
}
