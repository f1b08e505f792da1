/*
 * match.c — a scan's stages after reading: documents ranked, candidates,
 * exact verification, clusters, and the passage level's matching.
 *
 * Once all is read, documents are numbered in byte order of their ids
 * (repeated ids get "#2", "#3"... so every report row names one document)
 * and the later stages run on those numbers: LSH candidates, exact
 * verification (parallel over pairs), union-find clusters. Only the
 * documents in a candidate pair have their shingle hashes made a sorted
 * set. With a memory limit, candidates come from the band runs written
 * while reading, and hashes, sets and signatures are read back from their
 * spill files into each thread's scratch. Every result depends only on the
 * input, never on thread timing.
 */
#include "match.h"
#include "scan_internal.h"
#include "grow.h"
#include "id_names.h"
#include "lsh.h"
#include "measure.h"
#include "passage_known.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct id_ref {
    const char *id;
    uint32_t doc;
} id_ref;

static int cmp_by_id(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->doc > y->doc) - (x->doc < y->doc);
}

/* Sorts documents by id (then input order) into s->by_rank. */
static fw_status sort_by_id(fw_scan *s)
{
    size_t n = s->ndocs;
    id_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    if (!refs) return FW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) refs[i] = (id_ref){s->docs[i].id, (uint32_t)i};
    /* inputs often come in id order (a dump by key, numbered shards) */
    size_t sorted = 1;
    while (sorted < n && cmp_by_id(&refs[sorted - 1], &refs[sorted]) < 0) sorted++;
    if (sorted < n) qsort(refs, n, sizeof *refs, cmp_by_id);
    for (size_t r = 0; r < n; r++) s->by_rank[r] = refs[r].doc;
    free(refs);
    return FW_OK;
}

/* Numbers documents in id order, with every repeated id renamed as
 * id_names.c says ("id#2", "id#3"..., in input order), so that every
 * report row names exactly one document. */
fw_status fw_match_rank_documents(fw_scan *s)
{
    size_t n = s->ndocs;
    s->by_rank = malloc((n ? n : 1) * sizeof *s->by_rank);
    if (!s->by_rank || sort_by_id(s) != FW_OK) return FW_ERR_NOMEM;
    int repeated = 0; /* only then can a name be taken: most inputs have none */
    for (size_t r = 1; r < n && !repeated; r++)
        repeated = !strcmp(s->docs[s->by_rank[r]].id, s->docs[s->by_rank[r - 1]].id);
    if (!repeated) {
        for (size_t r = 0; r < n; r++) s->docs[s->by_rank[r]].rank = (uint32_t)r;
        return FW_OK;
    }
    fw_id_namer *namer;
    fw_status st = fw_id_namer_new(n, NULL, NULL, &namer);
    for (size_t i = 0; i < n && st == FW_OK; i++) { /* in input order */
        fw_doc_record *d = &s->docs[i];
        const char *name;
        int renamed;
        if ((st = fw_id_namer_take(namer, d->id, &name, &renamed)) != FW_OK || !renamed)
            continue;
        if (d->message)
            fw_doc_set_message(d, "%s; " FW_ID_RENAMED, d->message);
        else
            fw_doc_set_message(d, FW_ID_RENAMED);
        free(d->id);
        d->id = (char *)name;
    }
    fw_id_namer_free(namer);
    if (st == FW_OK) st = sort_by_id(s);
    if (st != FW_OK) return st;
    for (size_t r = 0; r < n; r++) s->docs[s->by_rank[r]].rank = (uint32_t)r;
    return FW_OK;
}

/* In memory: every passage's signature side by side, in rank order (what
 * the screen reads at random, one cache miss a candidate), moved out of
 * the threads' signature arenas, which are freed: the passage level
 * holds them once, not twice. NULL when out of memory. */
static fw_passage_value *flatten_signatures(fw_scan *s)
{
    const size_t n = s->ndocs, k = (size_t)s->stats.passage_bands * s->stats.passage_rows;
    uint64_t *first = malloc((n + 1) * sizeof *first);
    if (!first) return NULL;
    first[0] = 0;
    for (size_t r = 0; r < n; r++) first[r + 1] = first[r] + s->docs[s->by_rank[r]].npassages;
    fw_passage_value *flat = malloc((first[n] ? first[n] : 1) * k * sizeof *flat);
    if (flat) {
        #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 256)
        for (size_t r = 0; r < n; r++) {
            fw_doc_record *d = &s->docs[s->by_rank[r]];
            fw_passage_value *to = flat + first[r] * k;
            for (uint32_t i = 0; i < d->npassages; i++, to += k) {
                fw_passage *p = &d->passages[i];
                if (p->sig) memcpy(to, p->sig, k * sizeof *to);
                else memset(to, 0, k * sizeof *to);
                p->sig = NULL; /* its arena goes next */
            }
        }
        for (int t = 0; t < s->threads; t++) fw_arena_free(&s->workers[t].sigs);
    }
    free(first);
    return flat;
}

/* The passage level after reading: every document's passages, in id
 * order, matched across the corpus (passage_match.c). */
fw_status fw_match_passages(fw_scan *s)
{
    double t0 = fw_now();
    size_t n = s->ndocs, m = n ? n : 1;
    fw_passage **passages = malloc(m * sizeof *passages);
    uint32_t *count = malloc(m * sizeof *count);
    const unsigned char **packed = malloc(m * sizeof *packed);
    uint32_t *len = malloc(m * sizeof *len);
    uint64_t *at = malloc(m * sizeof *at);
    fw_status st = FW_ERR_NOMEM;
    if (passages && count && packed && len && at) {
        for (size_t r = 0; r < n; r++) {
            const fw_doc_record *d = &s->docs[s->by_rank[r]];
            passages[r] = d->passages;
            count[r] = d->npassages;
            packed[r] = d->aligned;
            len[r] = d->naligned;
            at[r] = d->aligned_at;
        }
        fw_aligned_texts texts = {n, packed, len, at,
                                  s->bounded ? &s->aligned_file : NULL};
        fw_passage_corpus corpus = {n, passages, count, &texts,
                                    s->stats.docs[FW_DOC_OK] + s->stats.docs[FW_DOC_REPAIRED],
                                    NULL, 0, NULL, NULL};
        if (s->bounded) {
            corpus.sigs_file = &s->passages_file;
            corpus.lsh_budget = (size_t)(s->opt.memory_limit / 4);
            corpus.tmp_dir = s->tmp_dir;
        } else if (!(corpus.flat = flatten_signatures(s))) {
            st = FW_ERR_NOMEM;
        } else if (s->keep_passage_keys) { /* an index's first batch: its band file's keys */
            size_t np = 0;
            for (size_t r = 0; r < n; r++) np += count[r];
            s->passage_keys = malloc((np ? np : 1) * FW_PASSAGE_BANDS * sizeof *s->passage_keys);
            s->passage_low = malloc((np ? np : 1) * FW_PASSAGE_PERMS);
            if (!s->passage_keys || !s->passage_low) {
                free(corpus.flat);
                corpus.flat = NULL;
                st = FW_ERR_NOMEM;
            } else {
                #pragma omp parallel for num_threads(s->threads) schedule(static)
                for (size_t i = 0; i < np; i++) {
                    const fw_passage_value *sig = corpus.flat + i * FW_PASSAGE_PERMS;
                    fw_passage_band_keys(sig, FW_PASSAGE_BANDS, FW_PASSAGE_ROWS,
                                         s->passage_keys + i * FW_PASSAGE_BANDS);
                    for (unsigned v = 0; v < FW_PASSAGE_PERMS; v++)
                        s->passage_low[i * FW_PASSAGE_PERMS + v] = (uint8_t)sig[v];
                }
            }
        }
        fw_passage_settings set = {s->opt.passage_threshold, s->stats.passage_bands,
                                   s->stats.passage_rows, s->opt.boilerplate_docs, s->opt.boilerplate_share,
                                   s->opt.reuse_min, s->threads, NULL, s->add_only};
        fw_known_passages known = {0};
        if (s->bounded || corpus.flat) {
            st = FW_OK;
            if (s->model) { /* its boilerplate passages decide */
                st = fw_known_passages_make(s->model, &s->passage_cfg, &known);
                set.known = &known;
            }
            if (st == FW_OK) st = fw_passages_match(&corpus, &set, &s->passage);
            else free(corpus.flat); /* fw_passages_match frees it */
        }
        fw_known_passages_free(&known);
    }
    free(passages);
    free(count);
    free(packed);
    free(len);
    free(at);
    if (st != FW_OK) return st;
    const fw_passage_result *res = &s->passage;
    s->stats.passage_candidates = res->candidates;
    s->stats.passage_band_runs = res->band_runs;
    s->stats.passage_matches = res->matched;
    s->stats.passage_screened = res->screened;
    s->stats.passage_groups = res->ngroups;
    s->stats.grouped_passages = res->ngrouped;
    s->stats.boilerplate_groups = res->nboilerplate;
    s->stats.reuse_pairs = res->spans.nreuse;
    s->stats.spans = res->spans.nspans;
    s->stats.t_passage_candidates = res->t_candidates;
    s->stats.t_passage_verify = res->t_verify;
    s->stats.t_spans = res->spans.t_spans;
    s->stats.t_swaps = res->spans.t_swaps;
    s->stats.boilerplate_docs_needed = res->boilerplate_docs_needed;
    fw_spans_result *sp = &s->passage.spans;
    for (size_t i = 0; i < sp->nreuse; i++) { /* ranks to document numbers */
        sp->reuse[i].a = s->by_rank[sp->reuse[i].a];
        sp->reuse[i].b = s->by_rank[sp->reuse[i].b];
    }
    for (size_t i = 0; i < sp->nspans; i++) {
        sp->spans[i].a = s->by_rank[sp->spans[i].a];
        sp->spans[i].b = s->by_rank[sp->spans[i].b];
    }
    s->stats.t_passages = fw_now() - t0;
    s->stats.rss_passages = fw_peak_rss_mb();
    return FW_OK;
}

/* LSH: in memory over the band keys, or, with a memory limit, from the
 * band runs written while reading (band_runs.c); the same pairs either way. */
fw_status fw_match_find_candidates(fw_scan *s, fw_pair **cand, size_t *nc)
{
    size_t n = s->ndocs;
    fw_status st;
    if (s->bounded) {
        uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
        if (!rank) return FW_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) rank[i] = s->docs[i].rank;
        st = fw_band_runs_candidates(s->runs, rank, s->threads, cand, nc);
        s->stats.band_runs = fw_band_runs_count(s->runs);
        free(rank);
        return st;
    }
    /* every document's band keys, band by band: kept, or from its signature */
    const unsigned bands = s->stats.bands, rows = s->stats.rows;
    uint64_t *keys = malloc((n ? n : 1) * bands * sizeof *keys);
    uint8_t *has = malloc(n ? n : 1);
    st = FW_ERR_NOMEM;
    if (keys && has) {
        #pragma omp parallel for num_threads(s->threads) schedule(static)
        for (size_t r = 0; r < n; r++) {
            const fw_doc_record *d = &s->docs[s->by_rank[r]];
            has[r] = d->band_keys || d->sig;
            for (unsigned b = 0; b < bands; b++)
                keys[(size_t)b * n + r] = d->band_keys ? d->band_keys[b]
                                          : d->sig     ? fw_lsh_band_key64(d->sig, b, rows)
                                                       : 0;
        }
        st = fw_lsh_candidates_keys64(keys, has, n, bands, s->threads, cand, nc);
    }
    free(keys);
    free(has);
    return st;
}

/* With a memory limit: a candidate's hashes read back, made a set and
 * written to the sets file. */
static fw_status spill_set(fw_scan *s, fw_worker *w, fw_doc_record *d)
{
    fw_sketch_worker *sk = &w->sketch; /* its hashes buffer is free now */
    size_t n = d->nshingles;
    if (!(sk->hashes = fw_grow_scratch(sk->hashes, &sk->hashes_cap, n * sizeof *sk->hashes)))
        return FW_ERR_NOMEM;
    return fw_spill_make_set(&s->hashes_file, d->hashes_at, n, &s->sets_file, sk->hashes,
                             w->tmp, &d->nset, &d->set_at);
}

/* A candidate's hashes made again from its kept text, as sketch.c made
 * them (a scan in memory keeps the text, not the hashes), and its
 * signature when only its band keys were kept: malloc'ed and marked as
 * the document's own, freed by drop_set() (after its last pair in a scan,
 * when the scan is freed in a staged gather task). */
static fw_status reshingle(fw_scan *s, fw_worker *w, fw_doc_record *d)
{
    fw_sketch_worker *sk = &w->sketch;
    size_t chars, n;
    fw_status st = fw_normalize(s->normalizer, d->text, d->bytes, &sk->cps, &sk->cps_cap,
                                &chars, NULL);
    const uint32_t *cps = sk->cps;
    if (st == FW_OK && s->tmpl) {
        st = fw_template_apply(s->tmpl, sk->cps, chars, &sk->tcps, &sk->tcps_cap, &chars);
        cps = sk->tcps;
    }
    if (st != FW_OK) return st;
    n = fw_shingle_count(chars, s->opt.ngram);
    uint64_t *hashes = malloc((n ? n : 1) * sizeof *hashes);
    if (!hashes || !(sk->packed = fw_grow_scratch(sk->packed, &sk->packed_cap,
                                                  fw_shingle_packed_size(chars)))) {
        free(hashes);
        return FW_ERR_NOMEM;
    }
    d->nshingles = fw_shingle_hash_all(cps, chars, s->opt.ngram, s->opt.seed, hashes,
                                       sk->packed);
    d->shingles = hashes;
    d->owned |= FW_DOC_OWNS_SHINGLES;
    if (d->sig) return FW_OK;
    /* only its band keys were kept: the signature, for the estimate */
    uint32_t *sig = malloc(s->opt.perms * sizeof *sig);
    if (!sig) return FW_ERR_NOMEM;
    if (s->oph) fw_oph_compute(s->oph, hashes, d->nshingles, sig);
    else fw_minhash_compute(s->minhasher, hashes, d->nshingles, sig);
    d->sig = sig;
    d->owned |= FW_DOC_OWNS_SIG;
    return FW_OK;
}

/* One document's shingle hashes made a sorted set, in place (or with a
 * memory limit, written to the sets file), on worker w's thread: made from
 * its kept text first when it keeps no hashes. Documents that are in no
 * pair never pay for sorting. */
static fw_status make_set(fw_scan *s, fw_worker *w, fw_doc_record *d)
{
    if (d->nset || (!d->shingles && !d->text && !s->bounded)) return FW_OK;
    if (!d->shingles && d->text && !s->bounded) {
        fw_status st = reshingle(s, w, d);
        if (st != FW_OK) return st;
    }
    if (!(w->tmp = fw_grow_scratch(w->tmp, &w->tmp_cap, d->nshingles * sizeof *w->tmp)))
        return FW_ERR_NOMEM;
    if (s->bounded) return spill_set(s, w, d);
    d->nset = fw_shingle_set(d->shingles, d->nshingles, w->tmp);
    return FW_OK;
}

static fw_status make_sets_listed(fw_scan *s, const uint32_t *docs, size_t nd);

/* make_sets_listed() for the documents i with wanted[i]. */
static fw_status make_sets(fw_scan *s, const uint8_t *wanted)
{
    size_t nd = 0;
    for (size_t i = 0; i < s->ndocs; i++) nd += wanted[i];
    uint32_t *docs = malloc((nd ? nd : 1) * sizeof *docs);
    if (!docs) return FW_ERR_NOMEM;
    for (size_t i = 0, j = 0; i < s->ndocs; i++)
        if (wanted[i]) docs[j++] = (uint32_t)i;
    fw_status st = make_sets_listed(s, docs, nd);
    free(docs);
    return st;
}

/* make_set() for the documents listed (each once), in parallel. */
static fw_status make_sets_listed(fw_scan *s, const uint32_t *docs, size_t nd)
{
    int failed = FW_OK;
    #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 16)
    for (size_t j = 0; j < nd; j++) {
        fw_status st = make_set(s, &s->workers[omp_get_thread_num()], &s->docs[docs[j]]);
        if (st != FW_OK) {
            #pragma omp atomic write
            failed = st;
        }
    }
    return (fw_status)failed;
}

fw_status fw_match_make_sets(fw_scan *s, const fw_pair *cand, size_t nc)
{
    uint8_t *wanted = calloc(s->ndocs ? s->ndocs : 1, 1);
    if (!wanted) return FW_ERR_NOMEM;
    for (size_t i = 0; i < nc; i++)
        wanted[s->by_rank[cand[i].a]] = wanted[s->by_rank[cand[i].b]] = 1;
    fw_status st = make_sets(s, wanted);
    free(wanted);
    return st;
}

/* Frees what reshingle() made for a document (its own; hashes and
 * signatures kept while reading are in the arenas). */
static void drop_set(fw_doc_record *d)
{
    if (d->owned & FW_DOC_OWNS_SHINGLES) {
        free(d->shingles);
        d->shingles = NULL;
        d->nset = 0;
    }
    if (d->owned & FW_DOC_OWNS_SIG) {
        free(d->sig);
        d->sig = NULL;
    }
    d->owned = 0;
}

void fw_match_drop_sets(fw_scan *s)
{
    for (size_t i = 0; i < s->ndocs; i++) drop_set(&s->docs[i]);
}

fw_status fw_match_make_sets_of(fw_scan *s, const uint8_t *wanted)
{
    return make_sets(s, wanted);
}

/* What verifying a pair reads: signatures and sets, in memory or, with a
 * memory limit, read back into the thread's scratch. */
typedef struct pair_data {
    const uint32_t *sig_a, *sig_b;
    const uint64_t *set_a, *set_b;
} pair_data;

static fw_status read_pair(fw_scan *s, fw_worker *w, size_t a, size_t b, pair_data *x)
{
    const unsigned k = s->opt.perms;
    fw_sketch_worker *sk = &w->sketch; /* its sig buffer is free now */
    const fw_doc_record *da = &s->docs[a], *db = &s->docs[b];
    if (!(sk->sig = fw_grow_scratch(sk->sig, &sk->sig_cap, 2 * k * sizeof *sk->sig)))
        return FW_ERR_NOMEM;
    fw_status st = fw_spill_read(&s->sigs_file, (uint64_t)a * k * sizeof *sk->sig, sk->sig,
                                 k * sizeof *sk->sig);
    if (st == FW_OK)
        st = fw_spill_read(&s->sigs_file, (uint64_t)b * k * sizeof *sk->sig, sk->sig + k,
                           k * sizeof *sk->sig);
    x->sig_a = sk->sig;
    x->sig_b = sk->sig + k;
    if (st != FW_OK || !s->opt.verify) return st;
    if (da->nset * sizeof *w->set_a > w->set_a_cap) w->set_a_doc = 0; /* to be grown */
    if (!(w->set_a = fw_grow_scratch(w->set_a, &w->set_a_cap, da->nset * sizeof *w->set_a)) ||
        !(w->set_b = fw_grow_scratch(w->set_b, &w->set_b_cap, db->nset * sizeof *w->set_b)))
        return FW_ERR_NOMEM;
    if (w->set_a_doc != a + 1) { /* pairs come sorted by a: read it once */
        w->set_a_doc = 0;
        st = fw_spill_read(&s->sets_file, da->set_at, w->set_a, da->nset * sizeof *w->set_a);
        if (st == FW_OK) w->set_a_doc = a + 1;
    }
    if (st == FW_OK)
        st = fw_spill_read(&s->sets_file, db->set_at, w->set_b, db->nset * sizeof *w->set_b);
    x->set_a = w->set_a;
    x->set_b = w->set_b;
    return st;
}

int fw_match_pair(const fw_match_sides *x, unsigned k, int verify, double threshold,
                  fw_result_pair *r)
{
    r->estimate = fw_minhash_estimate(x->sig_a, x->sig_b, k);
    if (!verify) {
        r->jaccard = r->a_in_b = r->b_in_a = -1;
        return r->estimate >= threshold;
    }
    size_t inter = fw_verify_intersection(x->set_a, x->nset_a, x->set_b, x->nset_b);
    r->jaccard = fw_verify_jaccard(inter, x->nset_a, x->nset_b);
    r->a_in_b = (double)inter / (double)x->nset_a;
    r->b_in_a = (double)inter / (double)x->nset_b;
    return r->jaccard >= threshold;
}

/* Pairs [i0, i1): their similarity into res[i], keep[i] when kept. */
static fw_status verify_range(fw_scan *s, const fw_pair *cand, size_t i0, size_t i1,
                              fw_result_pair *res, uint8_t *keep)
{
    const double t = s->opt.threshold;
    const unsigned k = s->opt.perms;
    int failed = FW_OK;
    #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 64)
    for (size_t i = i0; i < i1; i++) {
        const fw_doc_record *a = &s->docs[s->by_rank[cand[i].a]];
        const fw_doc_record *b = &s->docs[s->by_rank[cand[i].b]];
        fw_result_pair *r = &res[i];
        r->a = s->by_rank[cand[i].a];
        r->b = s->by_rank[cand[i].b];
        pair_data x = {a->sig, b->sig, a->shingles, b->shingles};
        if (s->bounded) {
            fw_status st = read_pair(s, &s->workers[omp_get_thread_num()], r->a, r->b, &x);
            if (st != FW_OK) {
                #pragma omp atomic write
                failed = st;
                keep[i] = 0;
                continue;
            }
        }
        fw_match_sides sides = {x.sig_a, x.sig_b, x.set_a, x.set_b, a->nset, b->nset};
        keep[i] = (uint8_t)fw_match_pair(&sides, k, s->opt.verify, t, r);
    }
    return (fw_status)failed;
}

/* Pairs verified a block at a time when their sets are made from kept
 * texts: a document's set is made for the first block that needs it and
 * freed after the last (candidates come sorted by a, then b), so what is
 * held at once is the sets of one block and of the later documents its
 * pairs reach, not every candidate's. */
#define VERIFY_BLOCK 4096

static fw_status verify_in_blocks(fw_scan *s, const fw_pair *cand, size_t nc,
                                  fw_result_pair *res, uint8_t *keep)
{
    size_t n = s->ndocs;
    size_t *last = malloc((n ? n : 1) * sizeof *last);     /* by document */
    uint8_t *wanted = calloc(n ? n : 1, 1);
    uint32_t *docs = malloc(2 * VERIFY_BLOCK * sizeof *docs); /* a block's */
    fw_status st = last && wanted && docs ? FW_OK : FW_ERR_NOMEM;
    for (size_t i = 0; st == FW_OK && i < nc; i++)
        last[s->by_rank[cand[i].a]] = last[s->by_rank[cand[i].b]] = i;
    for (size_t i0 = 0; st == FW_OK && i0 < nc; i0 += VERIFY_BLOCK) {
        size_t i1 = nc - i0 < VERIFY_BLOCK ? nc : i0 + VERIFY_BLOCK, nd = 0;
        for (size_t i = i0; i < i1; i++) {
            uint32_t ab[2] = {s->by_rank[cand[i].a], s->by_rank[cand[i].b]};
            for (int side = 0; side < 2; side++)
                if (!wanted[ab[side]]) {
                    wanted[ab[side]] = 1;
                    docs[nd++] = ab[side];
                }
        }
        st = make_sets_listed(s, docs, nd);
        if (st == FW_OK) st = verify_range(s, cand, i0, i1, res, keep);
        for (size_t j = 0; j < nd; j++) {
            wanted[docs[j]] = 0;
            if (last[docs[j]] < i1) drop_set(&s->docs[docs[j]]);
        }
    }
    free(last);
    free(wanted);
    free(docs);
    return st;
}

/* Exact (or, with --no-verify, estimated) similarity of every candidate;
 * keeps those at or above the threshold, in candidate (id) order. */
fw_status fw_match_verify(fw_scan *s, const fw_pair *cand, size_t nc, fw_pair **kept_out,
                          size_t *nkept)
{
    fw_result_pair *res = malloc((nc ? nc : 1) * sizeof *res);
    uint8_t *keep = malloc(nc ? nc : 1);
    fw_pair *kept = malloc((nc ? nc : 1) * sizeof *kept);
    if (!res || !keep || !kept) {
        free(res); free(keep); free(kept);
        return FW_ERR_NOMEM;
    }
    /* sets from kept texts: made and freed block by block */
    const int from_texts = s->opt.verify && !s->bounded && s->passage_minhasher;
    fw_status failed = FW_OK;
    if (from_texts) {
        failed = verify_in_blocks(s, cand, nc, res, keep);
    } else {
        if (s->opt.verify) failed = fw_match_make_sets(s, cand, nc);
        if (failed == FW_OK) failed = verify_range(s, cand, 0, nc, res, keep);
    }
    if (failed != FW_OK) {
        free(res); free(keep); free(kept);
        return failed;
    }
    size_t m = 0;
    for (size_t i = 0; i < nc; i++) {
        if (!keep[i]) continue;
        res[m] = res[i];
        kept[m] = cand[i];
        m++;
    }
    free(keep);
    fw_result_pair *shrunk = realloc(res, (m ? m : 1) * sizeof *res);
    s->pairs = shrunk ? shrunk : res;
    s->npairs = m;
    *kept_out = kept;
    *nkept = m;
    return FW_OK;
}

/* Cluster and cluster size of every document in a cluster of two or more. */
void fw_match_assign_clusters(fw_scan *s, const uint32_t *parent)
{
    size_t n = s->ndocs;
    uint64_t *size = calloc(n ? n : 1, sizeof *size);
    for (size_t r = 0; r < n; r++) if (size) size[parent[r]]++;
    for (size_t r = 0; r < n; r++) {
        fw_doc_record *d = &s->docs[s->by_rank[r]];
        uint64_t m = size ? size[parent[r]] : 0;
        if (m < 2) continue;
        d->cluster = s->by_rank[parent[r]];
        d->cluster_size = m;
        s->stats.clustered_docs++;
        if (parent[r] == r) s->stats.clusters++;
    }
    free(size);
}
