/*
 * index_query.c — new documents checked against an index and among
 * themselves: the rows a scan of both together has for the new ones.
 *
 * The batch is a scan of its own (read, normalized, sketched as any scan
 * does, its texts kept). Then, band by band, each new document's key is
 * looked up in every segment's band file: the bucket a scan of index and
 * batch together would have formed is the indexed documents with that key
 * (removed ones left out) and the new ones with it. The bucket rule is
 * lsh.c's, applied to the whole bucket: up to FW_LSH_FULL_BUCKET members
 * every pair (here: every pair with a new document), above it a star
 * around the member with the smallest id (a scan numbers documents in id
 * order). So the candidates with a new document are exactly the scan's,
 * and each is verified exactly as match.c does: the indexed document's
 * text is read back from its segment, normalized, shingled and sketched
 * again, and its counts must come out as they were stored (otherwise the
 * normalization has changed under the index, and that is an error).
 *
 * Clusters are the connected components of the pairs the index stored
 * (found when each document was added) and the new ones, each named by its
 * smallest id.
 */
#include "index.h"
#include "read.h"
#include "scan_internal.h"
#include "grow.h"
#include "id_names.h"
#include "lsh.h"
#include "match.h"
#include "measure.h"
#include "sort.h"

#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- ids */

const char *fw_index_result_id(const fw_index_result *r, uint64_t x)
{
    if (x >= r->base) return r->ids[r->order[x - r->base]];
    if (r->ix_ids) { /* copied at the end of the query */
        size_t lo = 0, hi = r->nix;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (r->ix_numbers[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        if (lo < r->nix && r->ix_numbers[lo] == x) return r->ix_ids[lo];
    }
    return fw_index_id(r->index, x);
}

typedef struct id_pos {
    const char *id;
    size_t i;
} id_pos;

static int cmp_id_pos(const void *a, const void *b)
{
    const id_pos *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int taken_in_index(const void *ix, const char *name)
{
    return fw_index_find_id(ix, name) >= 0;
}

/* The batch's ids as a scan of index and batch together gives them
 * (id_names.c): the index's documents come first, so their names are
 * taken, and the batch's are given on from there, each from the id it was
 * given (its own scan may have renamed it already: the message says so).
 * And their order. */
static fw_status name_batch(fw_index *ix, fw_index_result *r)
{
    const fw_scan *s = r->batch;
    size_t n = r->n, m = n ? n : 1;
    id_pos *v = malloc(m * sizeof *v);
    r->ids = calloc(m, sizeof *r->ids);
    r->renamed = calloc(m, sizeof *r->renamed);
    r->messages = calloc(m, sizeof *r->messages);
    r->order = malloc(m * sizeof *r->order);
    fw_id_namer *namer = NULL;
    fw_status st = v && r->ids && r->renamed && r->messages && r->order
                       ? fw_id_namer_new(n, taken_in_index, ix, &namer)
                       : FW_ERR_NOMEM;
    int any_renamed = 0;
    for (size_t i = 0; i < n && st == FW_OK; i++) { /* in input order */
        const fw_doc_record *d = &s->docs[i];
        size_t given_len = strlen(d->id);
        const int batch_renamed = fw_id_renamed_from(d->id, d->message, &given_len);
        char *given = strndup(d->id, given_len);
        const char *name;
        int renamed;
        if (!given || (st = fw_id_namer_take(namer, given, &name, &renamed)) != FW_OK) {
            free(given);
            st = FW_ERR_NOMEM;
            break;
        }
        if (renamed) free(given); /* the name is its own string */
        r->ids[i] = (char *)name;
        any_renamed |= strcmp(name, d->id) != 0;
        r->renamed[i] = renamed && !batch_renamed; /* else the batch's scan said so already */
        if (r->renamed[i]) { /* as a scan of both would say it */
            r->messages[i] = d->message ? fw_format("%s; " FW_ID_RENAMED, d->message)
                                        : strdup(FW_ID_RENAMED);
            if (!r->messages[i]) st = FW_ERR_NOMEM;
        }
    }
    fw_id_namer_free(namer);
    for (size_t i = 0; i < n && st == FW_OK; i++) {
        if (!r->ids[i]) st = FW_ERR_NOMEM;
        else v[i] = (id_pos){r->ids[i], i};
    }
    if (st == FW_OK && any_renamed) {
        qsort(v, n, sizeof *v, cmp_id_pos);
        for (size_t k = 0; k < n; k++) r->order[k] = v[k].i;
    } else if (st == FW_OK) { /* the ids the scan ranked, in its order (by id, then input) */
        for (size_t k = 0; k < n; k++) r->order[k] = s->by_rank[k];
    }
    free(v);
    return st;
}

/* ---------------------------------------------------------- candidates */

/* Candidate pairs as they are found, in lsh.c's list: min << 32 | max of
 * the two numbers (all below 2^32, clusters() checks), repeats allowed;
 * sorted by radix. */
static int push_pair(fw_pair_list *p, uint64_t x, uint64_t y)
{
    return x < y ? fw_pair_list_push(p, (uint32_t)x, (uint32_t)y)
                 : fw_pair_list_push(p, (uint32_t)y, (uint32_t)x);
}

/* One bucket: `na` indexed members and `nb` new ones (numbers). */
static int bucket_pairs(const fw_index_result *r, const uint64_t *a, size_t na,
                        const fw_band_record *b, size_t nb, fw_pair_list *out)
{
    if (na + nb <= FW_LSH_FULL_BUCKET) {
        for (size_t j = 0; j < nb; j++) {
            for (size_t i = 0; i < na; i++)
                if (!push_pair(out, a[i], b[j].item)) return 0;
            for (size_t k = j + 1; k < nb; k++)
                if (!push_pair(out, b[j].item, b[k].item)) return 0;
        }
        return 1;
    }
    /* a star around the smallest id: among the new ones the first (they
     * are numbered in id order), among the indexed ones by comparing */
    uint64_t center = b[0].item;
    const char *cid = fw_index_result_id(r, center);
    for (size_t i = 0; i < na; i++) {
        const char *id = fw_index_result_id(r, a[i]);
        if (strcmp(id, cid) < 0) {
            center = a[i];
            cid = id;
        }
    }
    if (center < r->base) {
        for (size_t j = 0; j < nb; j++)
            if (!push_pair(out, center, b[j].item)) return 0;
        return 1;
    }
    for (size_t i = 0; i < na; i++)
        if (!push_pair(out, center, a[i])) return 0;
    for (size_t j = 1; j < nb; j++)
        if (!push_pair(out, center, b[j].item)) return 0;
    return 1;
}

/* Every band key of the batch's documents, made once (a query looks at
 * each band twice, an add once more): one pass over the signatures, in
 * parallel, instead of a pass per band and use. */
static fw_status batch_keys(fw_index_result *r, unsigned bands, unsigned rows)
{
    const fw_scan *s = r->batch;
    size_t m = r->n ? r->n : 1;
    r->keyed = malloc(m * sizeof *r->keyed);
    if (!r->keyed) return FW_ERR_NOMEM;
    for (size_t k = 0; k < r->n; k++)
        if (s->docs[r->order[k]].band_keys || s->docs[r->order[k]].sig)
            r->keyed[r->nkeyed++] = r->base + k;
    size_t nk = r->nkeyed;
    if (nk && (size_t)bands > SIZE_MAX / sizeof *r->band_keys / nk) return FW_ERR_NOMEM;
    r->band_keys = malloc((nk ? nk : 1) * bands * sizeof *r->band_keys);
    if (!r->band_keys) return FW_ERR_NOMEM;
    uint64_t *keys = r->band_keys;
    #pragma omp parallel for num_threads(s->threads) schedule(static)
    for (size_t j = 0; j < nk; j++) {
        const fw_doc_record *d = &s->docs[r->order[r->keyed[j] - r->base]];
        for (unsigned b = 0; b < bands; b++)
            keys[b * nk + j] = d->band_keys ? d->band_keys[b] : fw_lsh_band_key64(d->sig, b, rows);
    }
    return FW_OK;
}

size_t fw_index_batch_band(const fw_index_result *r, unsigned band, fw_band_record *rec,
                           fw_band_record *tmp)
{
    const uint64_t *keys = r->band_keys + (size_t)band * r->nkeyed;
    for (size_t j = 0; j < r->nkeyed; j++) rec[j] = (fw_band_record){keys[j], r->keyed[j]};
    fw_band_records_sort(rec, tmp, r->nkeyed);
    return r->nkeyed;
}

/* The live indexed documents with `key` in `band`, into *members: found
 * with a cursor a segment (keys in increasing order), or when cur is NULL
 * by a search of each segment from the top. */
static fw_status indexed_bucket(fw_index *ix, fw_band_cursor *cur, unsigned band, uint64_t key,
                                uint64_t **members, size_t *cap, size_t *na, size_t *failed)
{
    *na = 0;
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        const fw_band_record *found;
        size_t nf;
        fw_status st = cur ? fw_band_cursor_find(&cur[g], key, &found, &nf)
                           : fw_band_file_find(ix->segs[g].bands, band, key, &found, &nf);
        if (st != FW_OK) {
            *failed = g;
            return st;
        }
        if (!fw_grow(members, cap, *na + nf + 1, sizeof **members, 64)) return FW_ERR_NOMEM;
        for (size_t j = 0; j < nf; j++)
            if (!fw_index_is_removed(ix, found[j].item)) (*members)[(*na)++] = found[j].item;
    }
    return FW_OK;
}

/* The pairs between indexed members that the bucket gave before the new
 * documents joined it and gives no more: past FW_LSH_FULL_BUCKET members
 * its pairs become a star, and a new document with the smallest id takes
 * the star's centre. (Whether another band still gives them is
 * withdrawn_pairs()'s question.) */
static int bucket_lost(const fw_index_result *r, const uint64_t *a, size_t na,
                       const fw_band_record *b, size_t nb, fw_pair_list *out)
{
    if (na < 2 || na + nb <= FW_LSH_FULL_BUCKET) return 1;
    size_t ca = 0;
    for (size_t i = 1; i < na; i++)
        if (strcmp(fw_index_result_id(r, a[i]), fw_index_result_id(r, a[ca])) < 0) ca = i;
    int centre_new = strcmp(fw_index_result_id(r, b[0].item), fw_index_result_id(r, a[ca])) < 0;
    if (na <= FW_LSH_FULL_BUCKET) {
        for (size_t i = 0; i < na; i++)
            for (size_t j = i + 1; j < na; j++)
                if ((centre_new || (i != ca && j != ca)) && !push_pair(out, a[i], a[j])) return 0;
    } else if (centre_new) {
        for (size_t i = 0; i < na; i++)
            if (i != ca && !push_pair(out, a[ca], a[i])) return 0;
    }
    return 1;
}

static fw_status sort_pairs(fw_pair_list *v)
{
    uint64_t *scratch = malloc((v->len ? v->len : 1) * sizeof *scratch);
    if (!scratch) return FW_ERR_NOMEM;
    fw_sort_u64(v->v, scratch, v->len);
    free(scratch);
    v->len = fw_unique_u64(v->v, v->len);
    return FW_OK;
}

/* A thread's own of find_candidates(): its bands' pairs. */
typedef struct band_pairs {
    fw_pair_list out, lost;
    uint64_t *members;
    size_t members_cap;
} band_pairs;

static fw_status band_candidates(fw_index *ix, const void *ctx, unsigned band,
                                 fw_lookup_worker *w)
{
    const fw_index_result *r = ctx;
    band_pairs *p = w->own;
    size_t nr = fw_index_batch_band(r, band, w->rec, w->tmp);
    for (size_t i = 0; i < nr;) {
        size_t e = i + 1, na;
        while (e < nr && w->rec[e].key == w->rec[i].key) e++;
        fw_status st = indexed_bucket(ix, w->cur, band, w->rec[i].key, &p->members,
                                      &p->members_cap, &na, &w->failed_seg);
        if (st != FW_OK) return st;
        if (!bucket_pairs(r, p->members, na, w->rec + i, e - i, &p->out) ||
            !bucket_lost(r, p->members, na, w->rec + i, e - i, &p->lost))
            return FW_ERR_NOMEM;
        i = e;
    }
    return FW_OK;
}

/* The lists of all threads into one (`into`). */
static int join_lists(fw_pair_list *into, band_pairs *p, int nw, int lost)
{
    size_t total = 0;
    for (int t = 0; t < nw; t++) total += lost ? p[t].lost.len : p[t].out.len;
    if (!fw_grow(&into->v, &into->cap, total + 1, sizeof *into->v, 64)) return 0;
    for (int t = 0; t < nw; t++) {
        const fw_pair_list *l = lost ? &p[t].lost : &p[t].out;
        if (l->len) memcpy(into->v + into->len, l->v, l->len * sizeof *l->v);
        into->len += l->len;
    }
    return 1;
}

/* Every candidate pair with a new document, sorted, without repeats; and
 * into `lost` the pairs between indexed documents that buckets no longer
 * give. The bands are looked up in parallel, each in key order. */
static fw_status find_candidates(fw_index *ix, fw_index_result *r, fw_pair_list *out, fw_pair_list *lost)
{
    const int nw = r->batch->threads > 0 ? r->batch->threads : 1;
    band_pairs *p = calloc((size_t)nw, sizeof *p);
    void **own = calloc((size_t)nw, sizeof *own);
    fw_status st = p && own ? FW_OK : FW_ERR_NOMEM;
    for (int t = 0; own && p && t < nw; t++) own[t] = &p[t];
    if (st == FW_OK)
        st = fw_index_lookup_bands(ix, 0, ix->man.params.bands, nw, r->n, band_candidates, r,
                                   own);
    if (st == FW_OK && (!join_lists(out, p, nw, 0) || !join_lists(lost, p, nw, 1)))
        st = FW_ERR_NOMEM;
    for (int t = 0; p && t < nw; t++) {
        free(p[t].out.v);
        free(p[t].lost.v);
        free(p[t].members);
    }
    free(p);
    free(own);
    if (st == FW_OK) st = sort_pairs(out);
    if (st == FW_OK) st = sort_pairs(lost);
    return st;
}

/* ------------------------------------------------------------- verify */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* What verifying reads of one side of a pair. */
typedef struct side {
    const uint64_t *set;
    size_t nset;
    const uint32_t *sig;
} side;

static side side_of(const fw_index_result *r, const fw_index_sketch *v, size_t nv, uint64_t x)
{
    if (x >= r->base) {
        const fw_doc_record *d = &r->batch->docs[r->order[x - r->base]];
        return (side){d->shingles, d->nset, d->sig};
    }
    const fw_index_sketch *k = fw_index_sketch_find(v, nv, x);
    return (side){k->set, k->nset, k->sig};
}

/* The indexed documents of sk whose text is a batch document's (same[i]),
 * into r->copy_number and r->copy_pos. */
static fw_status keep_copies(fw_index_result *r, const fw_index_sketch *sk,
                             const fw_doc_record **same, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += same[i] != NULL;
    r->copy_number = malloc((m ? m : 1) * sizeof *r->copy_number);
    r->copy_pos = malloc((m ? m : 1) * sizeof *r->copy_pos);
    if (!r->copy_number || !r->copy_pos) return FW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (same[i]) {
            r->copy_number[r->ncopies] = sk[i].number; /* sk: increasing numbers */
            r->copy_pos[r->ncopies++] = (size_t)(same[i] - r->batch->docs);
        }
    return FW_OK;
}

/* Verifies every candidate; keeps those at or above the threshold. */
static fw_status verify(fw_index *ix, fw_index_result *r, const fw_pair_list *cand)
{
    fw_scan *s = r->batch;
    size_t nc = cand->len;
    /* the new documents' sets (match.c makes those a candidate pair names) */
    fw_pair *want = calloc((nc ? nc : 1) * 2, sizeof *want);
    uint64_t *indexed = malloc((nc ? nc : 1) * sizeof *indexed);
    if (!want || !indexed) {
        free(want);
        free(indexed);
        return FW_ERR_NOMEM;
    }
    size_t nw = 0, ni = 0;
    for (size_t i = 0; i < nc; i++) {
        uint64_t e[2] = {cand->v[i] >> 32, cand->v[i] & UINT32_MAX};
        for (int j = 0; j < 2; j++) {
            if (e[j] >= r->base) {
                uint32_t rank = s->docs[r->order[e[j] - r->base]].rank;
                want[nw++] = (fw_pair){rank, rank};
            } else {
                indexed[ni++] = e[j];
            }
        }
    }
    fw_status st = fw_match_make_sets(s, want, nw);
    uint8_t *made = calloc(s->ndocs ? s->ndocs : 1, 1);
    if (!made) st = FW_ERR_NOMEM;
    for (size_t i = 0; made && i < nw; i++) made[s->by_rank[want[i].a]] = 1;
    free(want);
    if (ni) qsort(indexed, ni, sizeof *indexed, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < ni; i++)
        if (!u || indexed[u - 1] != indexed[i]) indexed[u++] = indexed[i];
    ni = u;
    fw_index_sketch *sk = calloc(ni ? ni : 1, sizeof *sk);
    if (!sk) st = FW_ERR_NOMEM;
    r->measured.indexed_sketched = ni;
    for (size_t i = 0; sk && i < ni; i++) sk[i].number = indexed[i];
    free(indexed);
    const fw_doc_record **same = calloc(ni ? ni : 1, sizeof *same);
    if (!same) st = FW_ERR_NOMEM;
    if (st == FW_OK) st = fw_index_sketch_docs_with(ix, s, sk, ni, made, same);
    free(made);
    if (st == FW_OK && s->passages_cut_only) /* copies, for the passage level */
        st = keep_copies(r, sk, same, ni);
    free(same);
    if (st == FW_OK) {
        r->pairs = malloc((nc ? nc : 1) * sizeof *r->pairs);
        if (!r->pairs) st = FW_ERR_NOMEM;
    }
    const unsigned k = s->opt.perms;
    for (size_t i = 0; st == FW_OK && i < nc; i++) {
        uint64_t x = cand->v[i] >> 32, y = cand->v[i] & UINT32_MAX;
        if (strcmp(fw_index_result_id(r, x), fw_index_result_id(r, y)) > 0) {
            uint64_t t = x; x = y; y = t;
        }
        side a = side_of(r, sk, ni, x), b = side_of(r, sk, ni, y);
        size_t inter = fw_verify_intersection(a.set, a.nset, b.set, b.nset);
        fw_index_pair p = {x, y, fw_verify_jaccard(inter, a.nset, b.nset),
                           fw_minhash_estimate(a.sig, b.sig, k), (double)inter / (double)a.nset,
                           (double)inter / (double)b.nset};
        if (p.jaccard >= s->opt.threshold) r->pairs[r->npairs++] = p;
    }
    fw_index_sketches_free(sk, ni);
    return st;
}

/* Does band `band` of index and batch together give the pair x, y (both
 * indexed, keys equal there)? `rec` holds the batch's records of the band. */
static fw_status band_gives(fw_index *ix, const fw_index_result *r, unsigned band, uint64_t key,
                            uint64_t x, uint64_t y, const fw_band_record *rec, size_t nr,
                            uint64_t **members, size_t *cap, int *gives)
{
    size_t na, failed;
    fw_status st = indexed_bucket(ix, NULL, band, key, members, cap, &na, &failed);
    if (st == FW_ERR_FORMAT || st == FW_ERR_IO)
        return fw_index_fail(ix, st, "%s", fw_band_file_error(ix->segs[failed].bands));
    if (st != FW_OK) return st;
    size_t lo = 0, hi = nr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rec[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    size_t nb = 0;
    while (lo + nb < nr && rec[lo + nb].key == key) nb++;
    if (na + nb <= FW_LSH_FULL_BUCKET) {
        *gives = 1;
        return FW_OK;
    }
    const char *centre = nb ? fw_index_result_id(r, rec[lo].item) : NULL;
    uint64_t c = nb ? rec[lo].item : UINT64_MAX;
    for (size_t i = 0; i < na; i++) {
        const char *id = fw_index_result_id(r, (*members)[i]);
        if (!centre || strcmp(id, centre) < 0) {
            centre = id;
            c = (*members)[i];
        }
    }
    *gives = c == x || c == y;
    return FW_OK;
}

/* The live pairs between indexed documents that a scan of index and batch
 * together would not have: pairs a bucket gave and no longer gives
 * (`lost`), that no band gives any more. Into r->withdrawn. Rare: it takes
 * a bucket past FW_LSH_FULL_BUCKET members, or a new smallest id in one. */
static fw_status withdrawn_pairs(fw_index *ix, fw_index_result *r, fw_pair_list *lost)
{
    if (!lost->len) return FW_OK;
    fw_status st = fw_index_components(ix);
    if (st != FW_OK) return st;
    size_t u = 0;
    for (size_t i = 0; i < lost->len; i++)
        if (fw_index_live_pair(ix, lost->v[i])) lost->v[u++] = lost->v[i];
    lost->len = u;
    if (!u) return FW_OK;
    /* their documents' band keys, made again from their texts */
    uint64_t *nums = malloc(2 * u * sizeof *nums), *tmpn = malloc(2 * u * sizeof *tmpn);
    uint8_t *given = calloc(u, 1);
    fw_index_sketch *sk = NULL;
    size_t nk = 0;
    if (!nums || !tmpn || !given) st = FW_ERR_NOMEM;
    for (size_t i = 0; st == FW_OK && i < u; i++) {
        nums[nk++] = lost->v[i] >> 32;
        nums[nk++] = lost->v[i] & UINT32_MAX;
    }
    if (st == FW_OK) {
        fw_sort_u64(nums, tmpn, nk);
        nk = fw_unique_u64(nums, nk);
        if (!(sk = calloc(nk, sizeof *sk))) st = FW_ERR_NOMEM;
    }
    for (size_t i = 0; sk && i < nk; i++) sk[i].number = nums[i];
    if (st == FW_OK) st = fw_index_sketch_docs(ix, r->batch, sk, nk);
    const unsigned bands = ix->man.params.bands, rows = ix->man.params.rows;
    size_t m = r->n ? r->n : 1, cap = 0;
    fw_band_record *rec = malloc(m * sizeof *rec), *tmp = malloc(m * sizeof *tmp);
    uint64_t *members = NULL;
    if (!rec || !tmp) st = FW_ERR_NOMEM;
    for (unsigned band = 0; band < bands && st == FW_OK; band++) {
        size_t nr = fw_index_batch_band(r, band, rec, tmp);
        for (size_t i = 0; i < u && st == FW_OK; i++) {
            if (given[i]) continue;
            uint64_t x = lost->v[i] >> 32, y = lost->v[i] & UINT32_MAX;
            uint64_t kx = fw_lsh_band_key64(fw_index_sketch_find(sk, nk, x)->sig, band, rows),
                     ky = fw_lsh_band_key64(fw_index_sketch_find(sk, nk, y)->sig, band, rows);
            int gives = 0;
            if (kx == ky)
                st = band_gives(ix, r, band, kx, x, y, rec, nr, &members, &cap, &gives);
            given[i] = (uint8_t)gives;
        }
    }
    if (st == FW_OK && !(r->withdrawn = malloc(u * sizeof *r->withdrawn))) st = FW_ERR_NOMEM;
    for (size_t i = 0; st == FW_OK && i < u; i++)
        if (!given[i])
            r->withdrawn[r->nwithdrawn++] = (fw_seg_pair){lost->v[i] >> 32,
                                                          lost->v[i] & UINT32_MAX};
    free(nums);
    free(tmpn);
    free(given);
    free(rec);
    free(tmp);
    free(members);
    fw_index_sketches_free(sk, nk);
    return st;
}

/* An index without documents: the batch's own pairs are the answer (its
 * buckets are the whole buckets). */
static fw_status own_pairs(fw_index_result *r)
{
    const fw_scan *s = r->batch;
    size_t *number = malloc((r->n ? r->n : 1) * sizeof *number);
    r->pairs = malloc((s->npairs ? s->npairs : 1) * sizeof *r->pairs);
    if (!number || !r->pairs) {
        free(number);
        return FW_ERR_NOMEM;
    }
    for (size_t k = 0; k < r->n; k++) number[r->order[k]] = r->base + k;
    for (size_t i = 0; i < s->npairs; i++) {
        const fw_result_pair *p = &s->pairs[i];
        r->pairs[r->npairs++] = (fw_index_pair){number[p->a], number[p->b], p->jaccard,
                                                p->estimate, p->a_in_b, p->b_in_a};
    }
    free(number);
    return FW_OK;
}

static const fw_index_result *sort_ctx;

static int cmp_result_pair(const void *a, const void *b)
{
    const fw_index_pair *x = a, *y = b;
    int c = strcmp(fw_index_result_id(sort_ctx, x->a), fw_index_result_id(sort_ctx, y->a));
    return c ? c : strcmp(fw_index_result_id(sort_ctx, x->b), fw_index_result_id(sort_ctx, y->b));
}

/* ------------------------------------------------------------ clusters */

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void unite(uint32_t *parent, uint64_t a, uint64_t b)
{
    uint32_t ra = find(parent, (uint32_t)a), rb = find(parent, (uint32_t)b);
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
}

void fw_index_forget_components(fw_index *ix)
{
    free(ix->root);
    free(ix->comp_size);
    free(ix->comp_min);
    free(ix->live_pairs);
    ix->root = ix->comp_size = NULL;
    ix->comp_min = ix->live_pairs = NULL;
    ix->comp_n = 0;
    ix->nlive_pairs = 0;
}

int fw_index_live_pair(const fw_index *ix, uint64_t packed)
{
    return ix->nlive_pairs &&
           bsearch(&packed, ix->live_pairs, ix->nlive_pairs, sizeof packed, cmp_u64);
}

static int pair_in(const fw_seg_pair *v, size_t n, uint64_t a, uint64_t b)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].a < a || (v[mid].a == a && v[mid].b < b)) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo].a == a && v[lo].b == b;
}

/* The live pairs: the segments' less the withdrawn, with the found, between
 * documents not removed; packed and sorted. */
static fw_status live_pairs(fw_index *ix)
{
    size_t n = ix->nextra;
    for (size_t g = 0; g < ix->man.nsegs; g++) n += ix->segs[g].npairs;
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return FW_ERR_NOMEM;
    size_t m = 0;
    for (size_t g = 0; g <= ix->man.nsegs; g++) {
        const fw_seg_pair *p = g < ix->man.nsegs ? ix->segs[g].pairs : ix->extra;
        size_t np = g < ix->man.nsegs ? ix->segs[g].npairs : ix->nextra;
        for (size_t i = 0; i < np; i++) {
            uint64_t a = p[i].a < p[i].b ? p[i].a : p[i].b, b = p[i].a ^ p[i].b ^ a;
            if (b >= ix->man.next_doc || fw_index_is_removed(ix, a) ||
                fw_index_is_removed(ix, b) ||
                (g < ix->man.nsegs && pair_in(ix->withdrawn, ix->nwithdrawn, a, b)))
                continue;
            v[m++] = a << 32 | b;
        }
    }
    /* one segment (as a build or a compaction leaves the index) has its
     * pairs in order already */
    size_t sorted = 1;
    while (sorted < m && v[sorted - 1] <= v[sorted]) sorted++;
    if (sorted < m) {
        uint64_t *tmp = malloc(m * sizeof *tmp);
        if (!tmp) {
            free(v);
            return FW_ERR_NOMEM;
        }
        fw_sort_u64(v, tmp, m);
        free(tmp);
    }
    ix->nlive_pairs = fw_unique_u64(v, m);
    ix->live_pairs = v;
    return FW_OK;
}

/* The components of the live pairs, once per generation: O(documents +
 * pairs), then each query costs only its own pairs. */
fw_status fw_index_components(fw_index *ix)
{
    if (ix->root) return FW_OK;
    uint64_t total = ix->man.next_doc;
    if (total > UINT32_MAX) return fw_index_fail(ix, FW_ERR_ARG, "too many documents");
    fw_status st = live_pairs(ix);
    if (st != FW_OK) return st;
    size_t m = total ? (size_t)total : 1;
    uint32_t *parent = malloc(m * sizeof *parent), *size = calloc(m, sizeof *size);
    uint64_t *best = malloc(m * sizeof *best);
    if (!parent || !size || !best) {
        free(parent); free(size); free(best);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < total; i++) parent[i] = (uint32_t)i;
    for (size_t i = 0; i < ix->nlive_pairs; i++)
        unite(parent, ix->live_pairs[i] >> 32, ix->live_pairs[i] & UINT32_MAX);
    /* Each component's smallest id: a segment's documents taken in id order
     * (by_id), the first of a component in a segment is its smallest there,
     * and only that one is compared with an earlier segment's. `seen` holds
     * 1 + the last segment a component was met in (a component's root
     * counts its members meanwhile, in `size`). */
    uint32_t *seen = ix->man.nsegs > 1 ? calloc(m, sizeof *seen) : NULL;
    if (ix->man.nsegs > 1 && !seen) {
        free(parent); free(size); free(best);
        return FW_ERR_NOMEM;
    }
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        const fw_seg *seg = &ix->segs[g];
        /* numbered without gaps: no read of the record (a random one) */
        const int dense = seg->ndocs == seg->last - seg->first + 1;
        for (size_t j = 0; j < seg->ndocs; j++) {
            size_t i = seg->by_id[j];
            uint64_t x = dense ? seg->first + i : seg->docs[i].number;
            if (x >= total || fw_index_is_removed(ix, x)) continue;
            uint32_t root = find(parent, (uint32_t)x);
            if (!size[root]++) best[root] = x;
            else if (seen && seen[root] != g + 1 &&
                     strcmp(fw_segment_id(seg, i), fw_index_id(ix, best[root])) < 0)
                best[root] = x;
            if (seen) seen[root] = (uint32_t)g + 1;
        }
    }
    free(seen);
    for (size_t i = 0; i < total; i++) parent[i] = find(parent, (uint32_t)i);
    ix->root = parent;
    ix->comp_size = size;
    ix->comp_min = best;
    ix->comp_n = total;
    return FW_OK;
}

/* The components the withdrawn pairs split: their members again, joined by
 * the live pairs less the withdrawn. A node of an indexed document is its
 * stored root, or (high bit set) its new root here. */
typedef struct split {
    uint64_t *roots;           /* the stored roots split, sorted */
    size_t nroots;
    uint64_t *members;         /* their live documents, sorted */
    size_t nmembers;
    uint32_t *parent;          /* by position in members */
    uint64_t *size, *best;     /* by new root: documents, smallest id's number */
} split;

#define SPLIT_NODE (1ull << 63)

static void split_free(split *sp)
{
    free(sp->roots);
    free(sp->members);
    free(sp->parent);
    free(sp->size);
    free(sp->best);
}

static size_t position(const uint64_t *v, size_t n, uint64_t x)
{
    const uint64_t *at = bsearch(&x, v, n, sizeof x, cmp_u64);
    return at ? (size_t)(at - v) : SIZE_MAX;
}

static fw_status split_components(fw_index *ix, const fw_index_result *r, split *sp)
{
    size_t nw = r->nwithdrawn;
    uint64_t *w = malloc((nw ? nw : 1) * sizeof *w);
    sp->roots = malloc((nw ? nw : 1) * sizeof *sp->roots);
    if (!w || !sp->roots) {
        free(w);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < nw; i++) {
        w[i] = r->withdrawn[i].a << 32 | r->withdrawn[i].b;
        sp->roots[i] = ix->root[r->withdrawn[i].a];
    }
    qsort(w, nw, sizeof *w, cmp_u64);
    qsort(sp->roots, nw, sizeof *sp->roots, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < nw; i++)
        if (!u || sp->roots[u - 1] != sp->roots[i]) sp->roots[u++] = sp->roots[i];
    sp->nroots = u;
    size_t cap = 0;
    fw_status st = FW_OK;
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++)
        for (size_t i = 0; i < ix->segs[g].ndocs; i++) {
            uint64_t x = ix->segs[g].docs[i].number;
            if (fw_index_is_removed(ix, x) ||
                position(sp->roots, sp->nroots, ix->root[x]) == SIZE_MAX)
                continue;
            if (!fw_grow(&sp->members, &cap, sp->nmembers + 1, sizeof *sp->members, 64)) {
                st = FW_ERR_NOMEM;
                break;
            }
            sp->members[sp->nmembers++] = x;
        }
    size_t m = sp->nmembers ? sp->nmembers : 1;
    sp->parent = malloc(m * sizeof *sp->parent);
    sp->size = calloc(m, sizeof *sp->size);
    sp->best = malloc(m * sizeof *sp->best);
    if (st == FW_OK && (!sp->parent || !sp->size || !sp->best)) st = FW_ERR_NOMEM;
    if (st == FW_OK) {
        for (size_t i = 0; i < sp->nmembers; i++) sp->parent[i] = (uint32_t)i;
        for (size_t i = 0; i < ix->nlive_pairs; i++) {
            uint64_t p = ix->live_pairs[i], a = p >> 32, b = p & UINT32_MAX;
            if (position(sp->roots, sp->nroots, ix->root[a]) == SIZE_MAX ||
                position(w, nw, p) != SIZE_MAX)
                continue;
            unite(sp->parent, position(sp->members, sp->nmembers, a),
                  position(sp->members, sp->nmembers, b));
        }
        for (size_t i = 0; i < sp->nmembers; i++) {
            uint32_t c = find(sp->parent, (uint32_t)i);
            if (!sp->size[c]++ || strcmp(fw_index_id(ix, sp->members[i]),
                                         fw_index_id(ix, sp->best[c])) < 0)
                sp->best[c] = sp->members[i];
        }
    }
    free(w);
    return st;
}

/* An indexed document's node, and the documents and smallest id's number
 * of the component it stands for. */
static uint64_t node_of(const fw_index *ix, split *sp, uint64_t x)
{
    if (sp->nroots && position(sp->roots, sp->nroots, ix->root[x]) != SIZE_MAX)
        return SPLIT_NODE | find(sp->parent, (uint32_t)position(sp->members, sp->nmembers, x));
    return ix->root[x];
}

static void node_component(const fw_index *ix, const split *sp, uint64_t node, uint64_t *size,
                           uint64_t *best)
{
    if (node & SPLIT_NODE) {
        *size = sp->size[node & ~SPLIT_NODE];
        *best = sp->best[node & ~SPLIT_NODE];
    } else {
        *size = ix->comp_size[node];
        *best = ix->comp_min[node];
    }
}

/* Each new document's cluster: its component in the graph of the live
 * pairs (less those withdrawn) and the new ones, named by its smallest id.
 * The new pairs join stored components (each taken whole, by its node) and
 * new documents. */
static fw_status clusters(fw_index *ix, fw_index_result *r)
{
    fw_status st = FW_OK;
    int indexed = 0; /* only then the stored components are needed */
    for (size_t i = 0; i < r->npairs && !indexed; i++)
        indexed = r->pairs[i].a < r->base || r->pairs[i].b < r->base;
    if (indexed && (st = fw_index_components(ix)) != FW_OK) return st;
    split sp = {0};
    if (r->nwithdrawn && (st = split_components(ix, r, &sp)) != FW_OK) {
        split_free(&sp);
        return st;
    }
    /* the nodes: the new documents (0..n-1), then each indexed node a new
     * pair touches */
    size_t n = r->n, cap = n + 2 * r->npairs + 1;
    uint32_t *parent = malloc(cap * sizeof *parent);
    uint64_t *node_key = malloc(cap * sizeof *node_key); /* by node - n */
    uint64_t *size = calloc(cap, sizeof *size);
    const char **best = calloc(cap, sizeof *best);
    r->cluster = calloc(n ? n : 1, sizeof *r->cluster);
    r->cluster_owned = calloc(n ? n : 1, sizeof *r->cluster_owned);
    r->cluster_size = calloc(n ? n : 1, sizeof *r->cluster_size);
    if (!parent || !node_key || !size || !best || !r->cluster || !r->cluster_owned ||
        !r->cluster_size) {
        st = FW_ERR_NOMEM;
        goto out;
    }
    size_t nkeys = 0;
    for (size_t i = 0; i < r->npairs; i++) {
        if (r->pairs[i].a < r->base) node_key[nkeys++] = node_of(ix, &sp, r->pairs[i].a);
        if (r->pairs[i].b < r->base) node_key[nkeys++] = node_of(ix, &sp, r->pairs[i].b);
    }
    if (nkeys) qsort(node_key, nkeys, sizeof *node_key, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < nkeys; i++)
        if (!u || node_key[u - 1] != node_key[i]) node_key[u++] = node_key[i];
    nkeys = u;
    size_t nodes = n + nkeys;
    for (size_t i = 0; i < nodes; i++) parent[i] = (uint32_t)i;
    for (size_t i = 0; i < r->npairs; i++) {
        uint64_t e[2] = {r->pairs[i].a, r->pairs[i].b};
        uint32_t v[2];
        for (int j = 0; j < 2; j++)
            v[j] = e[j] >= r->base
                       ? (uint32_t)(e[j] - r->base)
                       : (uint32_t)(n + position(node_key, nkeys, node_of(ix, &sp, e[j])));
        unite(parent, v[0], v[1]);
    }
    for (size_t k = 0; k < nodes; k++) {
        uint32_t c = find(parent, (uint32_t)k);
        const char *id;
        if (k < n) {
            id = r->ids[r->order[k]];
            size[c]++;
        } else {
            uint64_t csize, cbest;
            node_component(ix, &sp, node_key[k - n], &csize, &cbest);
            id = fw_index_id(ix, cbest);
            size[c] += csize;
        }
        if (!best[c] || strcmp(id, best[c]) < 0) best[c] = id;
    }
    for (size_t k = 0; k < n; k++) {
        uint32_t c = find(parent, (uint32_t)k);
        size_t i = r->order[k];
        if (size[c] >= 2) {
            /* best[c] may point into the mapped segment, which a later
             * add, remove or compact unmaps: the result keeps a copy */
            if (!(r->cluster_owned[i] = strdup(best[c]))) {
                st = FW_ERR_NOMEM;
                goto out;
            }
            r->cluster[i] = r->cluster_owned[i];
            r->cluster_size[i] = size[c];
        }
    }
out:
    free(parent);
    free(node_key);
    free(size);
    free(best);
    split_free(&sp);
    return st;
}

/* ---------------------------------------------------------------- query */

void fw_index_result_free(fw_index_result *r)
{
    if (!r) return;
    for (size_t i = 0; r->ids && i < r->n; i++) free(r->ids[i]);
    free(r->ids);
    free(r->renamed);
    for (size_t i = 0; r->messages && i < r->n; i++) free(r->messages[i]);
    free(r->messages);
    free(r->order);
    free(r->pairs);
    for (size_t i = 0; r->cluster_owned && i < r->n; i++) free(r->cluster_owned[i]);
    free(r->cluster_owned);
    free(r->cluster);
    free(r->cluster_size);
    for (size_t i = 0; r->ix_ids && i < r->nix; i++) free(r->ix_ids[i]);
    free(r->ix_ids);
    free(r->ix_numbers);
    free(r->keyed);
    free(r->band_keys);
    free(r->withdrawn);
    free(r->bp_first);
    free(r->bp_sigs);
    free(r->bp_low);
    free(r->bp_keys);
    free(r->copy_number);
    free(r->copy_pos);
    free(r->pdocs);
    free(r->pspans);
    free(r->preuse);
    free(r->reused_chars);
    free(r->boilerplate_chars);
    free(r);
}

/* Copies the ids of the indexed documents the pairs name, so the result
 * does not depend on the mapping of the generation it was made against
 * (a later add, remove or compact unmaps it). */
static fw_status copy_indexed_ids(fw_index_result *r)
{
    size_t m = 0;
    uint64_t *v = malloc((2 * r->npairs + r->npdocs + 1) * sizeof *v);
    if (!v) return FW_ERR_NOMEM;
    for (size_t i = 0; i < r->npairs; i++) {
        if (r->pairs[i].a < r->base) v[m++] = r->pairs[i].a;
        if (r->pairs[i].b < r->base) v[m++] = r->pairs[i].b;
    }
    for (size_t i = 0; i < r->npdocs; i++) /* the spans' and reuse rows' */
        if (r->pdocs[i] < r->base) v[m++] = r->pdocs[i];
    if (m) qsort(v, m, sizeof *v, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (!u || v[u - 1] != v[i]) v[u++] = v[i];
    char **ids = calloc(u ? u : 1, sizeof *ids);
    if (!ids) {
        free(v);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < u; i++)
        if (!(ids[i] = strdup(fw_index_id(r->index, v[i])))) {
            for (size_t j = 0; j < i; j++) free(ids[j]);
            free(ids);
            free(v);
            return FW_ERR_NOMEM;
        }
    r->ix_numbers = v;
    r->nix = u;
    r->ix_ids = ids;
    return FW_OK;
}

fw_status fw_index_query(fw_index *ix, fw_scan *s, fw_index_result **out)
{
    *out = NULL;
    ix->error[0] = '\0';
    double t = fw_now();
    fw_status st = fw_scan_run(s);
    if (st != FW_OK) return fw_index_fail(ix, st, "%s", fw_scan_error(s));
    fw_index_result *r = calloc(1, sizeof *r);
    if (!r) return FW_ERR_NOMEM;
    r->measured.batch = fw_now() - t;
    r->measured.live = fw_index_live(ix);
    r->measured.segments = ix->man.nsegs;
    r->batch = s;
    r->index = ix;
    r->generation = ix->man.generation;
    r->base = ix->man.next_doc;
    r->n = s->ndocs;
    fw_pair_list cand = {0}, lost = {0};
    st = r->base + r->n > UINT32_MAX
             ? fw_index_fail(ix, FW_ERR_ARG, "an index holds at most 2^32 documents")
             : name_batch(ix, r);
    if (st == FW_OK) st = batch_keys(r, ix->man.params.bands, ix->man.params.rows);
    if (st == FW_OK) st = fw_index_batch_passages(r);
    if (st == FW_OK && fw_index_live(ix) == 0) {
        st = own_pairs(r);
    } else if (st == FW_OK) {
        t = fw_now();
        st = find_candidates(ix, r, &cand, &lost);
        r->measured.candidates = fw_now() - t;
        r->measured.candidates_n = cand.len;
        t = fw_now();
        if (st == FW_OK) st = verify(ix, r, &cand);
        r->measured.verify = fw_now() - t;
        t = fw_now();
        if (st == FW_OK) st = withdrawn_pairs(ix, r, &lost);
        r->measured.withdrawn = fw_now() - t;
    }
    free(cand.v);
    free(lost.v);
    if (st == FW_OK && r->npairs) {
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        pthread_mutex_lock(&lock); /* qsort has no context argument */
        sort_ctx = r;
        /* an empty index's are the scan's pairs, in its (id) order already */
        size_t i = 1;
        while (i < r->npairs && cmp_result_pair(&r->pairs[i - 1], &r->pairs[i]) <= 0) i++;
        if (i < r->npairs) qsort(r->pairs, r->npairs, sizeof *r->pairs, cmp_result_pair);
        pthread_mutex_unlock(&lock);
    }
    t = fw_now();
    if (st == FW_OK && s->passage_minhasher && !s->add_only)
        st = s->passages_cut_only ? fw_index_query_passages(ix, r) : fw_index_own_passages(r);
    r->measured.passages = fw_now() - t;
    t = fw_now();
    if (st == FW_OK) st = clusters(ix, r);
    r->measured.clusters = fw_now() - t;
    if (st == FW_OK) st = copy_indexed_ids(r);
    if (st != FW_OK) {
        fw_index_result_free(r);
        if (!ix->error[0]) fw_index_fail(ix, st, "query failed: %s", fw_status_str(st));
        return st;
    }
    *out = r;
    return FW_OK;
}

size_t fw_index_result_pair_count(const fw_index_result *r) { return r->npairs; }

fw_status fw_index_result_pair(const fw_index_result *r, size_t i, fw_index_match *m)
{
    if (i >= r->npairs) return FW_ERR_ARG;
    const fw_index_pair *p = &r->pairs[i];
    *m = (fw_index_match){fw_index_result_id(r, p->a), fw_index_result_id(r, p->b),
                          p->a < r->base, p->b < r->base, p->jaccard, p->estimate, p->a_in_b,
                          p->b_in_a};
    return FW_OK;
}

const char *fw_index_result_message(const fw_index_result *r, size_t i)
{
    const char *msg = r->messages[i] ? r->messages[i] : r->batch->docs[i].message;
    return msg ? msg : "";
}

size_t fw_index_result_doc_count(const fw_index_result *r) { return r->n; }

fw_status fw_index_result_doc(const fw_index_result *r, size_t i, fw_index_doc *out)
{
    if (i >= r->n) return FW_ERR_ARG;
    const fw_doc_record *d = &r->batch->docs[i];
    const int shares = r->passages != 0; /* as docs.csv (index_report.c) */
    *out = (fw_index_doc){r->ids[i], d->status, d->bytes, d->chars, d->nshingles,
                          shares ? d->npassages : 0,
                          shares ? fw_aligned_share(r->reused_chars[i], d->naligned) : -1,
                          shares ? fw_aligned_share(r->boilerplate_chars[i], d->naligned) : -1,
                          r->cluster[i], r->cluster_size[i], fw_index_result_message(r, i),
                          r->renamed[i] != 0};
    return FW_OK;
}

size_t fw_index_result_span_count(const fw_index_result *r) { return r->npspans; }

fw_status fw_index_result_span(const fw_index_result *r, size_t i, fw_index_span *out)
{
    if (i >= r->npspans) return FW_ERR_ARG;
    const fw_reused_span *p = &r->pspans[i];
    const uint64_t a = r->pdocs[p->a], b = r->pdocs[p->b];
    *out = (fw_index_span){fw_index_result_id(r, a), fw_index_result_id(r, b), a < r->base,
                           b < r->base, p->a_start, p->a_end, p->b_start, p->b_end, p->a_chars,
                           p->b_chars, p->matched, p->similarity};
    return FW_OK;
}

size_t fw_index_result_reuse_count(const fw_index_result *r) { return r->npreuse; }

fw_status fw_index_result_reuse(const fw_index_result *r, size_t i, fw_index_reuse *out)
{
    if (i >= r->npreuse) return FW_ERR_ARG;
    const fw_reuse_pair *p = &r->preuse[i];
    const uint64_t a = r->pdocs[p->a], b = r->pdocs[p->b];
    *out = (fw_index_reuse){fw_index_result_id(r, a), fw_index_result_id(r, b), a < r->base,
                            b < r->base, p->shared_passages, p->shared_chars, p->a_in_b,
                            p->b_in_a};
    return FW_OK;
}
