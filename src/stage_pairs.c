/*
 * stage_pairs.c — a staged scan's document pairs: the rank task, the bands
 * tasks (candidates per partition of the band key space) and the verify
 * tasks (candidates per range of ranks, verified).
 *
 * The scan pairs documents by rank (their place in id order) and its
 * buckets' pairs depend on it: all pairs of a bucket of at most
 * FW_LSH_FULL_BUCKET documents, else each with the one of lowest rank. So
 * ranks come first, from every shard's ids, by the scan's own ranking
 * (match.c, with its renaming of repeated ids). A bands task then merges
 * partition P of every shard's band files band by band (fw_band_merge):
 * a key falls in one partition, so each bucket comes whole, its items
 * become ranks and give the pairs lsh.c would give. Its pairs go to the
 * verify task of the range of ranks their first document falls in, one
 * file per verify task, and the documents in them to their shard's gather
 * task, one file per shard. The gather tasks (stage_gather.c) make the exact
 * sets of the documents in those pairs; a verify task joins its files,
 * drops the pairs found in several bands (as lsh.c does), and verifies
 * each on the gathered signatures and sets with the scan's own judgement
 * (fw_match_pair). Concatenated in partition order, the verify tasks'
 * kept pairs are in rank order: the scan's pairs, ready for the finish
 * task.
 */
#include "staged.h"
#include "band_file.h"
#include "lsh.h"
#include "match.h"
#include "scan_internal.h"
#include "shard_file.h"
#include "sort.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define RANKS_MAGIC "FWRANKS"
#define PAIRS_MAGIC "FWPAIRS"
#define VERIFIED_MAGIC "FWVERIF"
#define WANTED_MAGIC "FWWANTS"

typedef struct file_header {
    char magic[8];
    uint64_t tag, count, extra;
} file_header;

/* ------------------------------------------------------------- shards */

fw_status fw_stage_scan_new(fw_plan *p, int threads, fw_scan **out)
{
    fw_scan_options o = p->opt;
    o.threads = threads;
    char why[600];
    fw_status st = fw_scan_new(&o, out, why, sizeof why);
    return st == FW_OK ? FW_OK : fw_plan_fail(p, st, "%s", why);
}

fw_status fw_stage_open_shards(fw_plan *p, fw_shard_file ***out)
{
    fw_shard_file **files = calloc(p->shards, sizeof *files);
    if (!files) return FW_ERR_NOMEM;
    fw_status st = FW_OK;
    for (unsigned s = 0; s < p->shards && st == FW_OK; s++) {
        char path[4096], why[600];
        fw_plan_path(p, path, sizeof path, FW_STAGE_SKETCH, "%u.docs", s);
        st = fw_shard_file_open(path, p->tag, p->opt.perms, &files[s], why, sizeof why);
        if (st != FW_OK) fw_plan_fail(p, st, "%s", why);
    }
    if (st != FW_OK) {
        fw_stage_close_shards(p, files);
        return st;
    }
    *out = files;
    return FW_OK;
}

void fw_stage_close_shards(const fw_plan *p, fw_shard_file **files)
{
    for (unsigned s = 0; files && s < p->shards; s++) fw_shard_file_close(files[s]);
    free(files);
}

fw_status fw_stage_load_records(fw_plan *p, fw_scan *s, fw_shard_file **files, int with_text)
{
    size_t total = 0;
    for (unsigned k = 0; k < p->shards; k++) total += fw_shard_file_docs(files[k]);
    if (total >= UINT32_MAX - 1) return fw_plan_fail(p, FW_ERR_ARG, "too many documents");
    if (!(s->docs = calloc(total ? total : 1, sizeof *s->docs))) return FW_ERR_NOMEM;
    s->docs_cap = total ? total : 1;
    for (unsigned k = 0; k < p->shards; k++) {
        const fw_shard_counts *c = fw_shard_file_counts(files[k]);
        s->stats.inputs += c->inputs;
        s->stats.input_bytes += c->input_bytes;
        s->stats.skipped_records += c->skipped_records;
        for (size_t i = 0, n = fw_shard_file_docs(files[k]); i < n; i++) {
            fw_shard_doc d;
            if (fw_shard_file_doc(files[k], i, &d) != FW_OK)
                return fw_plan_fail(p, FW_ERR_FORMAT, "sketch/%u.docs: document %zu is damaged",
                                    k, i);
            fw_doc_record *r = &s->docs[s->ndocs];
            r->id = strdup(d.id);
            r->message = d.message ? strdup(d.message) : NULL;
            s->ndocs++; /* it owns id and message now */
            if (!r->id || (d.message && !r->message)) return FW_ERR_NOMEM;
            r->status = d.status;
            r->bytes = d.bytes;
            r->chars = d.chars;
            r->nshingles = d.nshingles;
            r->cluster = -1;
            if (with_text) { /* the mapping is private: the scan may have them */
                r->text = (char *)d.text;
                r->line_hashes = (uint64_t *)d.line_hashes;
                r->nlines = d.nlines;
            }
        }
    }
    return FW_OK;
}

/* -------------------------------------------------------------- ranks */

static fw_status write_ranks(fw_plan *p, const fw_scan *s, fw_shard_file **files)
{
    char path[4096];
    fw_plan_path(p, path, sizeof path, FW_STAGE_RANK, "0.ranks");
    const size_t n = s->ndocs;
    uint32_t *rank_of = malloc((n ? n : 1) * sizeof *rank_of);
    if (!rank_of) return FW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) rank_of[i] = s->docs[i].rank;
    fw_atomic_file a;
    fw_status st = fw_atomic_open(&a, path);
    if (st == FW_OK) {
        file_header h = {RANKS_MAGIC, p->tag, n, p->shards};
        uint64_t first = 0;
        int ok = fwrite(&h, sizeof h, 1, a.f) == 1;
        for (unsigned k = 0; ok && k <= p->shards; k++) {
            ok = fwrite(&first, sizeof first, 1, a.f) == 1;
            if (k < p->shards) first += fw_shard_file_docs(files[k]);
        }
        ok = ok && (!n || (fwrite(rank_of, sizeof *rank_of, n, a.f) == n &&
                           fwrite(s->by_rank, sizeof *s->by_rank, n, a.f) == n));
        if (ok) st = fw_atomic_commit(&a);
        else {
            fw_atomic_abandon(&a);
            st = FW_ERR_IO;
        }
    }
    free(rank_of);
    if (st != FW_OK) fw_plan_write_failed(p, st, path);
    return st;
}

fw_status fw_stage_rank(fw_plan *p, int threads)
{
    fw_scan *s;
    fw_status st = fw_stage_scan_new(p, threads, &s);
    if (st != FW_OK) return st;
    fw_shard_file **files = NULL;
    st = fw_stage_open_shards(p, &files);
    if (st == FW_OK) st = fw_stage_load_records(p, s, files, 0);
    if (st == FW_OK) st = fw_match_rank_documents(s);
    if (st == FW_OK) st = write_ranks(p, s, files);
    fw_stage_close_shards(p, files);
    fw_scan_free(s);
    return st;
}

fw_status fw_ranks_load(fw_plan *p, fw_ranks *r)
{
    memset(r, 0, sizeof *r);
    char path[4096];
    size_t len;
    fw_plan_path(p, path, sizeof path, FW_STAGE_RANK, "0.ranks");
    if (fw_read_whole(path, &r->data, &len) != FW_OK)
        return fw_plan_fail(p, FW_ERR_IO, "cannot read %s", path);
    const file_header *h = (const file_header *)r->data;
    if (len < sizeof *h || memcmp(h->magic, RANKS_MAGIC, 8) != 0 || h->tag != p->tag ||
        h->extra != p->shards ||
        len != sizeof *h + (p->shards + 1) * 8 + h->count * 2 * sizeof(uint32_t)) {
        fw_ranks_free(r);
        return fw_plan_fail(p, FW_ERR_FORMAT, "%s: not the ranks of this plan", path);
    }
    r->ndocs = h->count;
    r->nshards = p->shards;
    r->first = (uint64_t *)(r->data + sizeof *h);
    r->rank_of = (uint32_t *)(r->first + p->shards + 1);
    r->doc_of = r->rank_of + r->ndocs;
    return FW_OK;
}

void fw_ranks_free(fw_ranks *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
}

/* -------------------------------------------------------------- bands */

static int by_value(const void *a, const void *b)
{
    uint32_t x = ((const fw_keyed *)a)->value, y = ((const fw_keyed *)b)->value;
    return (x > y) - (x < y);
}

/* One bucket's pairs, as lsh.c makes them: items made ranks, in order. */
static int bucket(const fw_ranks *r, const fw_band_record *rec, size_t m, fw_keyed **buf,
                  size_t *cap, fw_pair_list *out)
{
    if (m < 2) return 1;
    if (m > *cap) {
        fw_keyed *grown = realloc(*buf, m * sizeof *grown);
        if (!grown) return 0;
        *buf = grown;
        *cap = m;
    }
    fw_keyed *k = *buf;
    for (size_t i = 0; i < m; i++) {
        uint64_t shard = rec[i].item >> 32, local = (uint32_t)rec[i].item;
        k[i] = (fw_keyed){rec[i].key, r->rank_of[r->first[shard] + local]};
    }
    qsort(k, m, sizeof *k, by_value);
    return fw_pair_list_bucket(out, k, m);
}

/* Band `band` of every shard's file of this partition, bucket by bucket. */
static fw_status band_pairs(fw_plan *p, fw_band_file **files, const fw_ranks *r, unsigned band,
                            fw_pair_list *out)
{
    fw_band_merge *m;
    fw_status st = fw_band_merge_new(files, p->shards, band, &m);
    if (st != FW_OK) return st;
    fw_keyed *buf = NULL;
    size_t cap = 0;
    for (;;) {
        uint64_t key;
        const fw_band_record *rec;
        size_t n;
        if ((st = fw_band_merge_next(m, &key, &rec, NULL, &n)) != FW_OK || n == 0) break;
        for (size_t i = 0; i < n; i++) /* a damaged item is not an index */
            if ((rec[i].item >> 32) >= r->nshards ||
                r->first[rec[i].item >> 32] + (uint32_t)rec[i].item >=
                    r->first[(rec[i].item >> 32) + 1])
                st = FW_ERR_FORMAT;
        if (st != FW_OK) break;
        if (!bucket(r, rec, n, &buf, &cap, out)) {
            st = FW_ERR_NOMEM;
            break;
        }
    }
    free(buf);
    fw_band_merge_free(m);
    return st;
}

/* The partition's pairs into one file per verify task. */
static fw_status write_pairs(fw_plan *p, unsigned partition, const fw_pair *pairs, size_t n,
                             uint64_t ndocs)
{
    fw_status st = FW_OK;
    size_t i = 0;
    for (unsigned q = 0; q < p->partitions && st == FW_OK; q++) {
        size_t from = i;
        while (i < n && fw_rank_partition(pairs[i].a, ndocs, p->partitions) == q) i++;
        char path[4096];
        fw_plan_path(p, path, sizeof path, FW_STAGE_BANDS, "%u.v%u.pairs", partition, q);
        fw_atomic_file a;
        if ((st = fw_atomic_open(&a, path)) != FW_OK) break;
        file_header h = {PAIRS_MAGIC, p->tag, i - from, 0};
        if (fwrite(&h, sizeof h, 1, a.f) == 1 &&
            fwrite(pairs + from, sizeof *pairs, i - from, a.f) == i - from) {
            st = fw_atomic_commit(&a);
        } else {
            fw_atomic_abandon(&a);
            st = FW_ERR_IO;
        }
        if (st != FW_OK) fw_plan_write_failed(p, st, path);
    }
    return st;
}

/* The shard holding document `doc` (input order). */
static unsigned shard_of(const fw_ranks *r, uint64_t doc)
{
    unsigned lo = 0, hi = r->nshards;
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if (r->first[mid] <= doc) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* For each shard, the documents of it in the partition's pairs (numbers
 * within the shard, sorted, once each): what its gather task reads, one
 * file per bands task, instead of every pair file. */
static fw_status write_wanted(fw_plan *p, unsigned partition, const fw_pair *pairs, size_t n,
                              const fw_ranks *r)
{
    uint64_t *docs = malloc((2 * n + 1) * sizeof *docs), *tmp = malloc((2 * n + 1) * sizeof *tmp);
    uint32_t *local = malloc((2 * n + 1) * sizeof *local);
    fw_status st = docs && tmp && local ? FW_OK : FW_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; st == FW_OK && i < n; i++) {
        docs[m++] = r->doc_of[pairs[i].a];
        docs[m++] = r->doc_of[pairs[i].b];
    }
    if (st == FW_OK) {
        fw_sort_u64(docs, tmp, m);
        m = fw_unique_u64(docs, m);
    }
    size_t i = 0;
    for (unsigned k = 0; k < p->shards && st == FW_OK; k++) {
        size_t count = 0;
        for (; i < m && shard_of(r, docs[i]) == k; i++)
            local[count++] = (uint32_t)(docs[i] - r->first[k]);
        char path[4096];
        fw_plan_path(p, path, sizeof path, FW_STAGE_BANDS, "%u.w%u.docs", partition, k);
        fw_atomic_file a;
        if ((st = fw_atomic_open(&a, path)) != FW_OK) {
            fw_plan_write_failed(p, st, path);
            break;
        }
        file_header h = {WANTED_MAGIC, p->tag, count, k};
        if (fwrite(&h, sizeof h, 1, a.f) == 1 && fwrite(local, sizeof *local, count, a.f) == count) {
            st = fw_atomic_commit(&a);
        } else {
            fw_atomic_abandon(&a);
            st = FW_ERR_IO;
        }
        if (st != FW_OK) fw_plan_write_failed(p, st, path);
    }
    free(docs);
    free(tmp);
    free(local);
    return st;
}

fw_status fw_stage_read_wanted(fw_plan *p, unsigned part, unsigned shard, char **data,
                               const uint32_t **docs, size_t *n)
{
    char path[4096];
    size_t len;
    fw_plan_path(p, path, sizeof path, FW_STAGE_BANDS, "%u.w%u.docs", part, shard);
    if (fw_read_whole(path, data, &len) != FW_OK)
        return fw_plan_fail(p, FW_ERR_IO, "cannot read %s", path);
    const file_header *h = (const file_header *)*data;
    if (len < sizeof *h || memcmp(h->magic, WANTED_MAGIC, 8) != 0 || h->tag != p->tag ||
        h->extra != shard || len != sizeof *h + h->count * sizeof(uint32_t)) {
        free(*data);
        *data = NULL;
        return fw_plan_fail(p, FW_ERR_FORMAT, "%s: not candidates of this plan", path);
    }
    *docs = (const uint32_t *)(*data + sizeof *h);
    *n = (size_t)h->count;
    return FW_OK;
}

typedef struct bands_ctx {
    fw_plan *p;
    fw_band_file **files;
    const fw_ranks *r;
} bands_ctx;

static fw_status bands_ctx_band(const void *ctx, unsigned band, void *scratch, fw_pair_list *out)
{
    (void)scratch;
    const bands_ctx *c = ctx;
    return band_pairs(c->p, c->files, c->r, band, out);
}

fw_status fw_stage_bands(fw_plan *p, unsigned partition, int threads)
{
    if (threads < 1) threads = omp_get_max_threads();
    fw_ranks r;
    fw_status st = fw_ranks_load(p, &r);
    if (st != FW_OK) return st;
    fw_band_file **files = calloc(p->shards, sizeof *files);
    if (!files) st = FW_ERR_NOMEM;
    for (unsigned s = 0; s < p->shards && st == FW_OK; s++) {
        char path[4096], why[600];
        fw_plan_path(p, path, sizeof path, FW_STAGE_SKETCH, "%u.p%u.bands", s, partition);
        st = fw_band_file_open(path, &files[s], why, sizeof why);
        if (st != FW_OK) fw_plan_fail(p, st, "%s", why);
        else if (fw_band_file_tag(files[s]) != p->tag || fw_band_file_bands(files[s]) != p->bands)
            st = fw_plan_fail(p, FW_ERR_FORMAT, "%s: made under another plan", path);
    }
    fw_pair *pairs = NULL;
    size_t n = 0;
    if (st == FW_OK) {
        /* lsh.c's band loop, each band's pairs folded into a set per
         * thread as they come */
        bands_ctx ctx = {p, files, &r};
        st = fw_lsh_each_band(bands_ctx_band, &ctx, 0, p->bands, threads, &pairs, &n);
        const char *why = "";
        for (unsigned k = 0; st == FW_ERR_FORMAT && k < p->shards && !why[0]; k++)
            why = fw_band_file_error(files[k]);
        if (st == FW_ERR_FORMAT)
            fw_plan_fail(p, st, "bands %u: a band file failed its check or names no document%s%s",
                         partition, why[0] ? ": " : "", why);
    }
    if (st == FW_OK) st = write_pairs(p, partition, pairs, n, r.ndocs);
    if (st == FW_OK) st = write_wanted(p, partition, pairs, n, &r);
    free(pairs);
    for (unsigned s = 0; files && s < p->shards; s++) fw_band_file_close(files[s]);
    free(files);
    fw_ranks_free(&r);
    return st;
}

/* ------------------------------------------------------------- verify */

fw_status fw_stage_read_pairs(fw_plan *p, unsigned part, unsigned q, char **data,
                              const fw_pair **pairs, size_t *n)
{
    char path[4096];
    size_t len;
    fw_plan_path(p, path, sizeof path, FW_STAGE_BANDS, "%u.v%u.pairs", part, q);
    if (fw_read_whole(path, data, &len) != FW_OK)
        return fw_plan_fail(p, FW_ERR_IO, "cannot read %s", path);
    const file_header *h = (const file_header *)*data;
    if (len < sizeof *h || memcmp(h->magic, PAIRS_MAGIC, 8) != 0 || h->tag != p->tag ||
        len != sizeof *h + h->count * sizeof(fw_pair)) {
        free(*data);
        *data = NULL;
        return fw_plan_fail(p, FW_ERR_FORMAT, "%s: not candidates of this plan", path);
    }
    *pairs = (const fw_pair *)(*data + sizeof *h);
    *n = (size_t)h->count;
    return FW_OK;
}

/* Verify task `q`'s candidates: every bands task's file for it, joined,
 * sorted, without repeats. */
static fw_status read_candidates(fw_plan *p, unsigned q, uint64_t **out, size_t *nout)
{
    uint64_t *all = NULL;
    size_t n = 0;
    fw_status st = FW_OK;
    for (unsigned part = 0; part < p->partitions && st == FW_OK; part++) {
        char *data;
        const fw_pair *pairs;
        size_t count;
        if ((st = fw_stage_read_pairs(p, part, q, &data, &pairs, &count)) != FW_OK) break;
        uint64_t *grown = realloc(all, (n + count + 1) * sizeof *all);
        if (!grown) {
            free(data);
            st = FW_ERR_NOMEM;
            break;
        }
        all = grown;
        for (size_t i = 0; i < count; i++) all[n++] = (uint64_t)pairs[i].a << 32 | pairs[i].b;
        free(data);
    }
    uint64_t *tmp = st == FW_OK ? malloc((n ? n : 1) * sizeof *tmp) : NULL;
    if (st == FW_OK && !tmp) st = FW_ERR_NOMEM;
    if (st != FW_OK) {
        free(all);
        return st;
    }
    fw_sort_u64(all, tmp, n);
    free(tmp);
    *out = all;
    *nout = fw_unique_u64(all, n);
    return FW_OK;
}

/* The shard record of the document of rank `rank`, with its gathered
 * signature and set. */
static fw_status doc_of_rank(fw_shard_file **files, fw_sets_file **sets, const fw_ranks *r,
                             uint32_t rank, fw_shard_doc *d)
{
    if (rank >= r->ndocs) return FW_ERR_FORMAT;
    uint64_t doc = r->doc_of[rank];
    unsigned lo = shard_of(r, doc);
    fw_status st = fw_shard_file_doc(files[lo], (size_t)(doc - r->first[lo]), d);
    if (st == FW_OK)
        st = fw_sets_file_get(sets[lo], doc - r->first[lo], &d->sig, &d->set, &d->nset);
    return st;
}

fw_status fw_stage_verify(fw_plan *p, unsigned q, int threads)
{
    if (threads < 1) threads = omp_get_max_threads();
    fw_ranks r;
    fw_status st = fw_ranks_load(p, &r);
    if (st != FW_OK) return st;
    fw_shard_file **files = NULL;
    fw_sets_file **sets = calloc(p->shards, sizeof *sets);
    uint64_t *cand = NULL;
    size_t nc = 0;
    st = sets ? fw_stage_open_shards(p, &files) : FW_ERR_NOMEM;
    for (unsigned k = 0; k < p->shards && st == FW_OK; k++) st = fw_sets_file_open(p, k, &sets[k]);
    if (st == FW_OK) st = read_candidates(p, q, &cand, &nc);
    fw_result_pair *res = st == FW_OK ? malloc((nc ? nc : 1) * sizeof *res) : NULL;
    uint8_t *keep = st == FW_OK ? malloc(nc ? nc : 1) : NULL;
    if (st == FW_OK && (!res || !keep)) st = FW_ERR_NOMEM;
    int failed = st;
    if (st == FW_OK) {
        const unsigned k = p->opt.perms;
        #pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
        for (size_t i = 0; i < nc; i++) {
            fw_shard_doc a, b;
            uint32_t ra = (uint32_t)(cand[i] >> 32), rb = (uint32_t)cand[i];
            keep[i] = 0;
            if (doc_of_rank(files, sets, &r, ra, &a) != FW_OK ||
                doc_of_rank(files, sets, &r, rb, &b) != FW_OK ||
                !a.sig || !b.sig || (p->opt.verify && (!a.nset || !b.nset))) {
                #pragma omp atomic write
                failed = FW_ERR_FORMAT;
                continue;
            }
            fw_match_sides sides = {a.sig, b.sig, a.set, b.set, a.nset, b.nset};
            res[i].a = ra;
            res[i].b = rb;
            keep[i] = (uint8_t)fw_match_pair(&sides, k, p->opt.verify, p->opt.threshold, &res[i]);
        }
        st = (fw_status)failed;
        if (st != FW_OK)
            fw_plan_fail(p, st, "verify %u: a candidate names a document without a gathered "
                         "signature or set", q);
    }
    size_t m = 0;
    for (size_t i = 0; st == FW_OK && i < nc; i++)
        if (keep[i]) res[m++] = res[i];
    if (st == FW_OK) {
        char path[4096];
        fw_plan_path(p, path, sizeof path, FW_STAGE_VERIFY, "%u.pairs", q);
        fw_atomic_file a;
        if ((st = fw_atomic_open(&a, path)) == FW_OK) {
            file_header h = {VERIFIED_MAGIC, p->tag, m, nc};
            if (fwrite(&h, sizeof h, 1, a.f) == 1 && fwrite(res, sizeof *res, m, a.f) == m) {
                st = fw_atomic_commit(&a);
            } else {
                fw_atomic_abandon(&a);
                st = FW_ERR_IO;
            }
        }
        if (st != FW_OK) fw_plan_write_failed(p, st, path);
    }
    free(res);
    free(keep);
    free(cand);
    for (unsigned k = 0; sets && k < p->shards; k++) fw_sets_file_close(sets[k]);
    free(sets);
    fw_stage_close_shards(p, files);
    fw_ranks_free(&r);
    return st;
}

fw_status fw_stage_read_verified(fw_plan *p, unsigned q, fw_result_pair **pairs, size_t *n,
                                 uint64_t *candidates)
{
    char path[4096], *data;
    size_t len;
    fw_plan_path(p, path, sizeof path, FW_STAGE_VERIFY, "%u.pairs", q);
    if (fw_read_whole(path, &data, &len) != FW_OK)
        return fw_plan_fail(p, FW_ERR_IO, "cannot read %s", path);
    const file_header *h = (const file_header *)data;
    if (len < sizeof *h || memcmp(h->magic, VERIFIED_MAGIC, 8) != 0 || h->tag != p->tag ||
        len != sizeof *h + h->count * sizeof(fw_result_pair)) {
        free(data);
        return fw_plan_fail(p, FW_ERR_FORMAT, "%s: not verified pairs of this plan", path);
    }
    fw_result_pair *grown = realloc(*pairs, (*n + h->count + 1) * sizeof *grown);
    if (!grown) {
        free(data);
        return FW_ERR_NOMEM;
    }
    *pairs = grown;
    if (h->count) memcpy(grown + *n, data + sizeof *h, h->count * sizeof *grown);
    *n += h->count;
    *candidates += h->extra;
    free(data);
    return FW_OK;
}
