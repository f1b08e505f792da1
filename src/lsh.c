/*
 * lsh.c — locality-sensitive hashing over MinHash signatures: which pairs
 * are worth verifying.
 *
 * The signature is cut into B bands of R values. Two documents whose
 * Jaccard similarity is j agree on a band with probability j^R, so they
 * share at least one band with P(j) = 1 - (1 - j^R)^B, an S-curve whose
 * steep part should sit just below the threshold. We choose B and R for
 * recall: P(threshold) ≥ 0.99, and among those choices the one that lets
 * the fewest dissimilar pairs through (least area under P below the
 * threshold). Pairs that pass are verified exactly, so a false candidate
 * costs time, a missed one costs a result.
 *
 * Candidates are found by sorting, not by hash tables: for each band, the
 * records (band hash, document) are radix-sorted and runs of equal hashes
 * are buckets. Sorting is cache-friendly, parallel over bands, and its
 * output order does not depend on thread timing. A bucket of m documents
 * gives all m(m-1)/2 pairs when m is small; a large one (thousands of copies
 * of one footer) gives a star, each member with the smallest, which keeps
 * the clusters exact at m-1 pairs instead of m².
 */
#include "fanwen.h"
#include "grow.h"
#include "lsh.h"
#include "sort.h"

#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define RECALL_TARGET 0.99

double fw_lsh_probability(double j, unsigned bands, unsigned rows)
{
    return 1.0 - pow(1.0 - pow(j, rows), bands);
}

/* ∫_0^t P(s) ds by Simpson's rule: the false-positive mass. */
static double false_positive_mass(double t, unsigned bands, unsigned rows)
{
    const int steps = 200;
    double h = t / steps, sum = 0;
    for (int i = 0; i <= steps; i++) {
        double w = (i == 0 || i == steps) ? 1 : (i % 2 ? 4 : 2);
        sum += w * fw_lsh_probability(i * h, bands, rows);
    }
    return sum * h / 3;
}

fw_status fw_lsh_choose(double threshold, unsigned k, unsigned *bands,
                        unsigned *rows)
{
    if (!(threshold > 0 && threshold <= 1) || k < 1) return FW_ERR_ARG;
    unsigned best_b = 1, best_r = 1;
    double best_p = -1, best_fp = INFINITY;
    int best_meets = 0;
    for (unsigned r = 1; r <= k; r++) {
        for (unsigned b = 1; b * r <= k; b++) {
            double p = fw_lsh_probability(threshold, b, r);
            int meets = p >= RECALL_TARGET;
            double fp = meets ? false_positive_mass(threshold, b, r) : 0;
            int better;
            if (meets != best_meets) better = meets;
            else if (meets) better = fp < best_fp || (fp == best_fp && p > best_p);
            else better = p > best_p;
            if (better) {
                best_b = b; best_r = r; best_p = p; best_fp = fp;
                best_meets = meets;
            }
            if (meets) break; /* more bands of this width only add mass */
        }
    }
    *bands = best_b;
    *rows = best_r;
    return FW_OK;
}

int fw_pair_list_push(fw_pair_list *l, uint32_t a, uint32_t b)
{
    if (!fw_grow(&l->v, &l->cap, l->len + 1, sizeof *l->v, 1024)) return 0;
    l->v[l->len++] = (uint64_t)a << 32 | b;
    return 1;
}

int fw_pair_list_bucket(fw_pair_list *l, const fw_keyed *rec, size_t m)
{
    if (m <= FW_LSH_FULL_BUCKET) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = i + 1; j < m; j++)
                if (!fw_pair_list_push(l, rec[i].value, rec[j].value)) return 0;
    } else {
        for (size_t j = 1; j < m; j++)
            if (!fw_pair_list_push(l, rec[0].value, rec[j].value)) return 0;
    }
    return 1;
}

/* fw_pair_list_bucket() for records key << 32 | item, with room made
 * once a bucket (the passages' bands push two million pairs on laws). */
static int bucket_pairs_packed(const uint64_t *rec, size_t m, fw_pair_list *l)
{
    const int full = m <= FW_LSH_FULL_BUCKET;
    const size_t add = full ? m * (m - 1) / 2 : m - 1;
    if (!fw_grow(&l->v, &l->cap, l->len + add, sizeof *l->v, 1024)) return 0;
    uint64_t *w = l->v + l->len;
    for (size_t i = 0; i < (full ? m : 1); i++)
        for (size_t j = i + 1; j < m; j++) *w++ = rec[i] << 32 | (uint32_t)rec[j];
    l->len += add;
    return 1;
}

static int bucket_pairs(const fw_keyed *rec, size_t n, fw_pair_list *out)
{
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && rec[e].key == rec[s].key) e++;
        if (!fw_pair_list_bucket(out, rec + s, e - s)) return 0;
        s = e;
    }
    return 1;
}

/* A sorted set of pairs rewritten in place as fw_pair records (8 bytes
 * each too), handed over as *pairs; the list is left empty. */
static void set_to_pairs(fw_pair_list *set, fw_pair **pairs, size_t *npairs)
{
    _Static_assert(sizeof(fw_pair) == sizeof(uint64_t), "pairs are rewritten in place");
    fw_pair *out = (fw_pair *)set->v;
    for (size_t i = 0; i < set->len; i++) {
        uint64_t v = set->v[i];
        out[i] = (fw_pair){(uint32_t)(v >> 32), (uint32_t)v};
    }
    fw_pair *shrunk = realloc(out, (set->len ? set->len : 1) * sizeof *out);
    *pairs = shrunk ? shrunk : out;
    *npairs = set->len;
    *set = (fw_pair_list){0};
}

fw_status fw_pair_list_finish(fw_pair_list *lists, size_t nlists, fw_pair **pairs,
                              size_t *npairs)
{
    /* In place, to hold the pairs at most twice (the list and the sort's
     * scratch): the lists are joined into the first, which is sorted,
     * deduplicated and rewritten as fw_pair records (8 bytes each too). */
    size_t total = 0;
    for (size_t b = 0; b < nlists; b++) total += lists[b].len;
    fw_pair_list *all = &lists[0];
    if (!fw_grow(&all->v, &all->cap, total ? total : 1, sizeof *all->v, 1)) return FW_ERR_NOMEM;
    for (size_t b = 1; b < nlists; b++) {
        if (lists[b].len) memcpy(all->v + all->len, lists[b].v, lists[b].len * sizeof *all->v);
        all->len += lists[b].len;
        free(lists[b].v);
        lists[b] = (fw_pair_list){0};
    }
    uint64_t *tmp = malloc((total ? total : 1) * sizeof *tmp);
    if (!tmp) return FW_ERR_NOMEM;
    fw_sort_u64(all->v, tmp, total);
    free(tmp);
    all->len = fw_unique_u64(all->v, total);
    set_to_pairs(all, pairs, npairs);
    return FW_OK;
}

/* Pairs sorted and without repeats (tmp: scratch, grown as needed); 0
 * when out of memory. */
static int pair_set(fw_pair_list *l, uint64_t **tmp, size_t *tmp_cap)
{
    if (!fw_grow(tmp, tmp_cap, l->len ? l->len : 1, sizeof **tmp, 1024)) return 0;
    fw_sort_u64(l->v, *tmp, l->len);
    l->len = fw_unique_u64(l->v, l->len);
    return 1;
}

/* *set ∪= add, both sorted without repeats, in place: merged from the
 * back into room at the end of *set, so that the set is never held twice;
 * 0 when out of memory. */
static int set_union(fw_pair_list *set, const fw_pair_list *add)
{
    const size_t n = set->len + add->len;
    if (!fw_grow(&set->v, &set->cap, n ? n : 1, sizeof *set->v, 1024)) return 0;
    uint64_t *v = set->v;
    const uint64_t *w = add->v;
    size_t i = set->len, j = add->len, at = n; /* v[at..n): the merged tail */
    while (i && j) {
        uint64_t x = v[i - 1], y = w[j - 1];
        v[--at] = x > y ? x : y; /* at ≥ i + j: nothing unread is overwritten */
        i -= x >= y;
        j -= y >= x;
    }
    while (j) v[--at] = w[--j];
    if (at > i) memmove(v + i, v + at, (n - at) * sizeof *v); /* pairs in both */
    set->len = i + (n - at);
    return 1;
}

/* The union of the threads' sets, which are sorted already: merged, not
 * sorted again (the sort of all pairs was a tenth of the candidates' time
 * on one thread, where there is nothing to merge). The sets are emptied. */
static fw_status join_sets(fw_pair_list *sets, size_t nsets, fw_pair **pairs, size_t *npairs)
{
    for (size_t t = 1; t < nsets; t++) {
        int ok = set_union(&sets[0], &sets[t]);
        free(sets[t].v);
        sets[t] = (fw_pair_list){0};
        if (!ok) return FW_ERR_NOMEM;
    }
    set_to_pairs(&sets[0], pairs, npairs);
    return FW_OK;
}

/* A thread's bands are gathered until they hold half as many pairs as its
 * set (at least FOLD_MIN), then sorted and merged into it together: a
 * merge a band made the merges most of the cost of the candidates (on
 * laws, 32 merges into a set growing to 1.1M pairs), and a batch under
 * half the set adds no more memory than the copy of the set such a merge
 * needed before it was done in place. */
#define FOLD_MIN ((size_t)1 << 16)

static int fold(fw_pair_list *set, fw_pair_list *batch, uint64_t **tmp, size_t *tmp_cap)
{
    int ok = pair_set(batch, tmp, tmp_cap) && set_union(set, batch);
    batch->len = 0;
    return ok;
}

/* Each thread folds its bands into a set of its own as it goes, a batch
 * of bands at a time (until the batch holds half as many pairs as the
 * set), so a pair found by many bands is held a few times a thread, not
 * once a band: the lists of all bands at once were most of the passage
 * level's peak memory. */
fw_status fw_lsh_each_band(fw_band_pairs_fn band_pairs, const void *ctx, size_t scratch_bytes,
                           unsigned bands, int threads, fw_pair **pairs, size_t *npairs)
{
    *pairs = NULL;
    *npairs = 0;
    const int nt = threads > 0 ? threads : 1;
    fw_pair_list *per_thread = calloc((size_t)nt, sizeof *per_thread);
    if (!per_thread) return FW_ERR_NOMEM;
    _Atomic int failed = FW_OK; /* the first failure's status */
    #pragma omp parallel num_threads(nt)
    {
        fw_pair_list *mine = &per_thread[omp_get_thread_num()];
        fw_pair_list batch = {0};
        uint64_t *tmp = NULL;
        size_t tmp_cap = 0;
        void *scratch = calloc(1, scratch_bytes ? scratch_bytes : 1);
        if (!scratch) {
            int none = FW_OK;
            atomic_compare_exchange_strong(&failed, &none, FW_ERR_NOMEM);
        }
        #pragma omp for schedule(static) /* bands in order, a run a thread */
        for (unsigned b = 0; b < bands; b++) {
            if (atomic_load(&failed) != FW_OK || !scratch) continue; /* the rest skipped */
            fw_status bst = band_pairs(ctx, b, scratch, &batch);
            if (bst == FW_OK && batch.len >= FOLD_MIN && batch.len >= mine->len / 2 &&
                !fold(mine, &batch, &tmp, &tmp_cap))
                bst = FW_ERR_NOMEM;
            if (bst != FW_OK) {
                int none = FW_OK;
                atomic_compare_exchange_strong(&failed, &none, (int)bst);
            }
        }
        if (atomic_load(&failed) == FW_OK && batch.len && !fold(mine, &batch, &tmp, &tmp_cap)) {
            int none = FW_OK;
            atomic_compare_exchange_strong(&failed, &none, FW_ERR_NOMEM);
        }
        free(scratch);
        free(tmp);
        free(batch.v);
    }
    fw_status st = (fw_status)atomic_load(&failed);
    if (st == FW_OK) st = join_sets(per_thread, (size_t)nt, pairs, npairs);
    for (int t = 0; t < nt; t++) free(per_thread[t].v);
    free(per_thread);
    return st;
}

/* Most records are alone in their bucket (on laws, 71% of the passages'
 * records), and sorting them was the largest cost of the candidates. So
 * the records are first filtered through a bitmap of their keys' hashes,
 * a bit "seen" and a bit "seen again" a slot, at least 8 slots a record:
 * every record of a real bucket is kept, and one alone only when another
 * key falls in its slot (about one in eight). Which pairs, and in which
 * order, do not change: the records kept stay in item order. */
#define FILTER_MIN 1024 /* below, sorting them all is cheaper */
#define FILTER_SLOTS 8  /* a record at least (4 and 16 are as fast on laws) */

static size_t keep_shared_keys(uint64_t *rec, size_t m, uint64_t *bits, size_t words)
{
    /* two words for each 64 slots, "seen" then "seen again", side by side
     * in one cache line */
    const size_t slots = words / 2 * 64;
    const unsigned shift = 32 - (unsigned)__builtin_ctzll(slots);
    memset(bits, 0, words * sizeof *bits);
    for (size_t i = 0; i < m; i++) {
        uint32_t slot = (uint32_t)(rec[i] >> 32) * 0x9E3779B1u >> shift;
        uint64_t *w = bits + 2 * (slot >> 6), bit = (uint64_t)1 << (slot & 63);
        w[1] |= w[0] & bit;
        w[0] |= bit;
    }
    size_t kept = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t slot = (uint32_t)(rec[i] >> 32) * 0x9E3779B1u >> shift;
        rec[kept] = rec[i];
        kept += bits[2 * (slot >> 6) + 1] >> (slot & 63) & 1;
    }
    return kept;
}

/* The buckets of m records key << 32 | item (32-bit keys), filled in item
 * order: filtered, then sorted by key, stably, `rec + n` the scratch of
 * both. */
int fw_lsh_band_records(uint64_t *rec, size_t m, size_t n, fw_pair_list *out)
{
    if (m >= FILTER_MIN) {
        /* under 2 * FILTER_SLOTS / 32 words a record (32 slots a word): the
         * bitmap fits in the sort's scratch of n ≥ m words */
        _Static_assert(FILTER_SLOTS <= 16, "the bitmap fits in the scratch");
        size_t words = 2; /* at most 2^32 slots: a slot is a 32-bit hash's top bits */
        while (words * 32 < FILTER_SLOTS * m && words < ((size_t)1 << 27)) words *= 2;
        m = keep_shared_keys(rec, m, rec + n, words);
    }
    fw_sort_by_high32(rec, rec + n, m);
    for (size_t s = 0; s < m;) {
        size_t e = s + 1;
        while (e < m && rec[e] >> 32 == rec[s] >> 32) e++;
        if (e - s > 1 && !bucket_pairs_packed(rec + s, e - s, out)) return 0;
        s = e;
    }
    return 1;
}

/* 32-bit keys, item by item (fw_lsh_candidates_keyed). */
typedef struct item_keys {
    const uint32_t *const *keys;
    size_t n;
} item_keys;

static fw_status item_keys_band(const void *ctx, unsigned b, void *scratch, fw_pair_list *out)
{
    const item_keys *src = ctx;
    uint64_t *rec = scratch;
    size_t m = 0;
    for (size_t i = 0; i < src->n; i++)
        if (src->keys[i]) rec[m++] = (uint64_t)src->keys[i][b] << 32 | i;
    return fw_lsh_band_records(rec, m, src->n, out) ? FW_OK : FW_ERR_NOMEM;
}

/* Insertion sort of a few keyed records by key, then value. */
static void sort_run(fw_keyed *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        fw_keyed x = r[i];
        size_t j = i;
        for (; j && (r[j - 1].key > x.key || (r[j - 1].key == x.key && r[j - 1].value > x.value));
             j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
}

/* 64-bit keys band by band, from signatures (fw_lsh_candidates): sorted by
 * their high half as 8-byte records, 4 passes where 16-byte records by the
 * whole key took 8; a run of equal high halves, most often one item, is
 * then ordered by the whole key, so the buckets are exactly those of the
 * 64-bit keys. Scratch: 2n records, then n keyed ones. */
typedef struct sig_keys {
    const uint64_t *keys;
    const uint8_t *has;
    size_t n;
} sig_keys;

static fw_status sig_keys_band(const void *ctx, unsigned b, void *scratch, fw_pair_list *out)
{
    const sig_keys *src = ctx;
    const size_t n = src->n;
    const uint64_t *key = src->keys + (size_t)b * n;
    uint64_t *rec = scratch;
    fw_keyed *run = (fw_keyed *)(rec + 2 * n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (src->has[i]) rec[m++] = (key[i] >> 32) << 32 | i;
    fw_sort_by_high32(rec, rec + n, m);
    for (size_t s = 0; s < m;) {
        size_t e = s + 1;
        while (e < m && rec[e] >> 32 == rec[s] >> 32) e++;
        if (e - s > 1) {
            for (size_t i = s; i < e; i++) {
                uint32_t item = (uint32_t)rec[i];
                run[i - s] = (fw_keyed){key[item], item};
            }
            sort_run(run, e - s);
            if (!bucket_pairs(run, e - s, out)) return FW_ERR_NOMEM;
        }
        s = e;
    }
    return FW_OK;
}

fw_status fw_lsh_candidates(const uint32_t *const *sigs, size_t n, unsigned k,
                            unsigned bands, unsigned rows, int threads,
                            fw_pair **pairs, size_t *npairs)
{
    *pairs = NULL;
    *npairs = 0;
    if (bands < 1 || rows < 1 || (size_t)bands * rows > k || n > UINT32_MAX)
        return FW_ERR_ARG;
    /* every item's band keys first, band by band (0 for an item without a
     * signature, which no band takes) */
    uint64_t *keys = malloc((n ? n : 1) * bands * sizeof *keys);
    uint8_t *has = malloc(n ? n : 1);
    fw_status st = FW_ERR_NOMEM;
    if (keys && has) {
        #pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(static)
        for (size_t i = 0; i < n; i++) {
            has[i] = sigs[i] != NULL;
            for (unsigned b = 0; b < bands; b++)
                keys[(size_t)b * n + i] = sigs[i] ? fw_lsh_band_key64(sigs[i], b, rows) : 0;
        }
        st = fw_lsh_candidates_keys64(keys, has, n, bands, threads, pairs, npairs);
    }
    free(keys);
    free(has);
    return st;
}

fw_status fw_lsh_candidates_keys64(const uint64_t *keys, const uint8_t *has, size_t n,
                                   unsigned bands, int threads, fw_pair **pairs,
                                   size_t *npairs)
{
    *pairs = NULL;
    *npairs = 0;
    if (bands < 1 || n > UINT32_MAX) return FW_ERR_ARG;
    sig_keys src = {keys, has, n};
    return fw_lsh_each_band(sig_keys_band, &src, 2 * n * sizeof(uint64_t) + n * sizeof(fw_keyed),
                     bands, threads, pairs, npairs);
}

fw_status fw_lsh_candidates_keyed(const uint32_t *const *keys, size_t n, unsigned bands,
                                  int threads, fw_pair **pairs, size_t *npairs)
{
    *pairs = NULL;
    *npairs = 0;
    if (bands < 1 || n > UINT32_MAX) return FW_ERR_ARG;
    item_keys src = {keys, n};
    return fw_lsh_each_band(item_keys_band, &src, 2 * n * sizeof(uint64_t), bands, threads, pairs,
                     npairs);
}
