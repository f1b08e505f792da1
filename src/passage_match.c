/*
 * passage_match.c — recycled passages across the corpus: the same
 * paragraph in several documents, found after reading.
 *
 * Every document comes cut into passages, each with the LSH band keys of
 * its short MinHash over character 3-grams (passage_cut.c, which says why
 * passages and why 3-grams). After reading: LSH candidates over the band
 * keys, lenient on purpose; each one verified by aligning the two
 * passages' characters (align.c, the longest common subsequence): a match
 * when the aligned characters are at least the threshold's share of the
 * longer passage, or when 90% of the shorter passage is aligned in runs of
 * FW_PASSAGE_CONTAINED_RUN or more (a teaser cut off at "...", a paragraph
 * that took a heading along). A reworded copy keeps most characters in
 * order, so its aligned share is about one minus its edit rate, where its
 * n-gram Jaccard falls five times as fast. The runs guard containment: a
 * short passage's characters are found one by one, in order, in almost any
 * long passage of the same genre, but not in runs. Matches are joined into
 * groups by union-find.
 *
 * A group found in many documents is the site's furniture (a footer, a
 * "推荐阅读" list), not a copy: it is boilerplate, reported once and left
 * out of document reuse. The other matches become reused spans (spans.c),
 * and from them reuse: the share of each document's characters aligned
 * with the other, asymmetric, since a report built from a template is
 * mostly the template (a_in_b near 1) while the template is only partly in
 * it.
 *
 * Everything is numbered in id order and sorted before it is used, so the
 * output does not depend on thread timing.
 */
#include "passage_match.h"
#include "align.h"
#include "band_runs.h"
#include "lsh.h"
#include "cluster.h"
#include "grow.h"
#include "measure.h"
#include "passage_known.h"
#include "sort.h"
#include "spill.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t fw_passage_doc_of(const fw_passage_result *r, size_t ndocs, uint64_t p)
{
    size_t lo = 0, hi = ndocs;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (r->first[mid] <= p) lo = mid; else hi = mid;
    }
    return lo;
}

/* A passage as verification reads it: what it needs at hand, so that a
 * candidate costs one random read here and one of the signature. */
typedef struct passage_ref {
    const fw_passage *p;
    uint32_t doc, cstart, clen;
} passage_ref;

/* With a memory limit: the same candidates as fw_lsh_candidates_keyed, the
 * records going through band runs of a bounded size (band_runs.c). */
static fw_status candidates_in_runs(const fw_passage_corpus *c, unsigned bands, unsigned rows,
                                    int threads, fw_pair **cand, size_t *nc, size_t *nruns)
{
    fw_band_runs *runs;
    fw_status st = fw_band_runs_new(bands, c->lsh_budget, c->tmp_dir, &runs);
    if (st != FW_OK) return st;
    const size_t k = (size_t)bands * rows;
    fw_passage_value *sigs = NULL; /* one document's, read back at once */
    size_t sigs_cap = 0;
    uint32_t keys[FW_PASSAGE_MAX_BANDS];
    uint64_t wide[FW_PASSAGE_MAX_BANDS];
    for (size_t d = 0, i = 0; d < c->ndocs && st == FW_OK; i += c->npassages[d], d++) {
        uint32_t n = c->npassages[d];
        const fw_passage *ps = c->passages[d];
        if (!n) continue;
        if (!fw_grow(&sigs, &sigs_cap, n * k, sizeof *sigs, 256)) {
            st = FW_ERR_NOMEM;
            break;
        }
        st = fw_spill_read(c->sigs_file, ps[0].sig_at, sigs, n * k * sizeof *sigs);
        for (uint32_t p = 0; p < n && st == FW_OK; p++) {
            if (!ps[p].clen) continue;
            fw_passage_band_keys(sigs + p * k, bands, rows, keys);
            for (unsigned b = 0; b < bands; b++) wide[b] = keys[b];
            st = fw_band_runs_add(runs, (uint32_t)(i + p), wide);
        }
    }
    if (st == FW_OK) st = fw_band_runs_candidates(runs, NULL, threads, cand, nc);
    *nruns = fw_band_runs_count(runs);
    free(sigs);
    fw_band_runs_free(runs);
    return st;
}

/* In memory: a band's records (key << 32 | passage) made from the
 * signatures side by side as the band comes (fw_lsh_each_band), so that
 * no thread holds more than its band's. The keys are read KEY_GROUP bands
 * at a time: their values lie side by side in a signature, in one cache
 * line that a band read alone fetched for 4 bytes (on laws, reading the
 * signatures band by band was a quarter of the candidates' time). A
 * thread's bands come in order (fw_lsh_each_band), so it keeps the keys of
 * its group for the next bands in its scratch. */
#define FLAT_AHEAD 16
#define KEY_GROUP 4

typedef struct flat_bands {
    const fw_passage_value *flat;
    const passage_ref *refs;
    size_t np, k;
    unsigned bands, rows;
} flat_bands;

/* A thread's scratch: this head, then the band's records and the sort's
 * (2 np), the passages with a signature (np) and their keys for each band
 * of the group (KEY_GROUP np). */
typedef struct band_scratch {
    uint64_t group; /* 1 + the group whose keys are kept; 0: none (zeroed scratch) */
    size_t m;       /* passages with a signature */
} band_scratch;

static size_t flat_scratch_bytes(size_t np)
{
    return sizeof(band_scratch) + 2 * np * sizeof(uint64_t) + (1 + KEY_GROUP) * np * sizeof(uint32_t);
}

/* The keys of group g's bands, band after band, for the passages with a
 * signature (a passage without text has none), listed in `item`. */
static void group_keys(const flat_bands *src, unsigned g, band_scratch *s, uint32_t *item,
                       uint32_t *keys)
{
    const unsigned b0 = g * KEY_GROUP;
    const unsigned nb = src->bands - b0 < KEY_GROUP ? src->bands - b0 : KEY_GROUP;
    const size_t at = (size_t)b0 * src->rows; /* the group's values in a signature */
    size_t m = 0;
    for (size_t i = 0; i < src->np; i++) {
        /* one signature's cache line a passage: asked for ahead */
        if (i + FLAT_AHEAD < src->np) __builtin_prefetch(src->flat + (i + FLAT_AHEAD) * src->k + at);
        if (!src->refs[i].clen) continue;
        const fw_passage_value *sig = src->flat + i * src->k;
        for (unsigned j = 0; j < nb; j++)
            keys[j * src->np + m] = fw_passage_band_key(sig, b0 + j, src->rows);
        item[m++] = (uint32_t)i;
    }
    s->m = m;
    s->group = (uint64_t)g + 1;
}

static fw_status flat_band_pairs(const void *ctx, unsigned b, void *scratch, fw_pair_list *out)
{
    const flat_bands *src = ctx;
    band_scratch *s = scratch;
    uint64_t *rec = (uint64_t *)(s + 1);
    uint32_t *item = (uint32_t *)(rec + 2 * src->np);
    uint32_t *keys = item + src->np;
    const unsigned g = b / KEY_GROUP;
    if (s->group != (uint64_t)g + 1) group_keys(src, g, s, item, keys);
    const uint32_t *key = keys + (size_t)(b % KEY_GROUP) * src->np;
    for (size_t t = 0; t < s->m; t++) rec[t] = (uint64_t)key[t] << 32 | item[t];
    return fw_lsh_band_records(rec, s->m, src->np, out) ? FW_OK : FW_ERR_NOMEM;
}

/* Is a candidate worth aligning? Its MinHash estimate of the 3-gram
 * Jaccard, or of how much of the smaller passage's 3-grams are in the
 * larger: |A∩B| = J(|A| + |B|) / (1 + J). */
int fw_passage_worth_aligning(const fw_passage_value *sa, const fw_passage_value *sb,
                              unsigned k, uint32_t la, uint32_t lb)
{
    unsigned same = 0;
    for (unsigned i = 0; i < k; i++) same += sa[i] == sb[i];
    return fw_passage_worth_aligning_same(same, k, la, lb);
}

int fw_passage_worth_aligning_same(unsigned same, unsigned k, uint32_t la, uint32_t lb)
{
    double j = (double)same / (double)k;
    if (j >= FW_PASSAGE_SCREEN_JACCARD) return 1;
    double na = la > 2 ? la - 2 : 1, nb = lb > 2 ? lb - 2 : 1;
    double inter = j * (na + nb) / (1 + j);
    return inter >= FW_PASSAGE_SCREEN_CONTAINED * (na < nb ? na : nb);
}

/* Does the pair pass? `al` holds passage a as its pattern; the LCS stops
 * early once it cannot reach either bar (the decision is the same).
 * Containment is checked on the runs, by `full`, only when the count
 * allows it. */
fw_status fw_passage_passes(fw_aligner *al, fw_aligner *full, const uint32_t *ta, size_t la,
                            const uint32_t *tb, size_t lb, double threshold, int *match)
{
    size_t longer = la > lb ? la : lb, shorter = la < lb ? la : lb, lcs;
    size_t need_sim = (size_t)fw_share_count(threshold, longer);
    size_t need_in = (size_t)fw_share_count(FW_PASSAGE_CONTAINED, shorter);
    fw_status st = fw_align_against(al, tb, lb, need_sim < need_in ? need_sim : need_in, &lcs);
    *match = st == FW_OK && lcs >= need_sim;
    if (st != FW_OK || *match || lcs < need_in) return st;
    size_t nruns, in_runs = 0;
    if ((st = fw_align(full, ta, la, tb, lb, &lcs, &nruns)) != FW_OK) return st;
    for (size_t k = 0; k < nruns; k++)
        if (full->runs[k].len >= FW_PASSAGE_CONTAINED_RUN) in_runs += full->runs[k].len;
    *match = in_runs >= need_in;
    return FW_OK;
}

/* With a memory limit: the signatures of documents [d0, d1) side by side
 * in `flat` (passage first[d0]'s first), one read a document (a
 * document's signatures were written in one block, passage_cut.c). */
static fw_status read_signatures(const fw_passage_corpus *c, const uint64_t *first, size_t d0,
                                 size_t d1, unsigned k, int threads, fw_passage_value *flat)
{
    int failed = FW_OK;
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
    for (size_t d = d0; d < d1; d++) {
        uint32_t n = c->npassages[d];
        if (!n) continue;
        fw_status st = fw_spill_read(c->sigs_file, c->passages[d][0].sig_at,
                                     flat + (first[d] - first[d0]) * k,
                                     (size_t)n * k * sizeof *flat);
        if (st != FW_OK) {
            #pragma omp atomic write
            failed = st;
        }
    }
    return (fw_status)failed;
}

/* The passages whose signatures the screen has side by side: [lo, hi),
 * passage p's at flat[(p - lo) * k]. In memory all of them; with a memory
 * limit as many documents' as the LSH's share of it holds (it is free by
 * now), the screen then going over the candidates once per window. */
typedef struct sig_window {
    const fw_passage_value *flat;
    uint64_t lo, hi;
} sig_window;

/* How far ahead the screen asks for a signature. */
#define PREFETCH_AHEAD 8

/* Screens and aligns the candidates whose passage b is in the window,
 * setting keep[i] for those that match; *aligned counts the ones aligned.
 * Candidates come sorted by a, so a's text (and, outside the window, its
 * signature) is read once per run. */
static fw_status verify_window(const fw_passage_corpus *c, const passage_ref *refs,
                               const sig_window *win, const fw_pair *cand, size_t nc,
                               double threshold, unsigned k, int threads, uint8_t *keep,
                               uint64_t *aligned_out)
{
    uint64_t aligned = 0;
    int failed = FW_OK;
    #pragma omp parallel num_threads(threads)
    {
        fw_aligner al = {0}, full = {0};
        fw_aligned_reader ra = {0}, rb = {0};
        uint32_t in_a = UINT32_MAX, sig_of = UINT32_MAX;
        const uint32_t *ta = NULL, *tb;
        fw_passage_value *sig_a = malloc(k * sizeof *sig_a);
        if (!sig_a) {
            #pragma omp atomic write
            failed = FW_ERR_NOMEM;
        }
        #pragma omp for schedule(dynamic, 256) reduction(+ : aligned)
        for (size_t i = 0; i < nc; i++) {
            int stop;
            #pragma omp atomic read
            stop = failed;
            if (stop || cand[i].b < win->lo || cand[i].b >= win->hi) continue;
            const passage_ref *a = &refs[cand[i].a], *b = &refs[cand[i].b];
            fw_status st = FW_OK;
            if (i + PREFETCH_AHEAD < nc && cand[i + PREFETCH_AHEAD].b >= win->lo &&
                cand[i + PREFETCH_AHEAD].b < win->hi) {
                const char *ahead =
                    (const char *)(win->flat + (cand[i + PREFETCH_AHEAD].b - win->lo) * k);
                __builtin_prefetch(ahead);
                __builtin_prefetch(ahead + k * sizeof *win->flat - 1);
                __builtin_prefetch(&refs[cand[i + PREFETCH_AHEAD].b]);
            }
            const fw_passage_value *sa = sig_a, *sb = win->flat + (cand[i].b - win->lo) * k;
            if (cand[i].a >= win->lo) { /* a < b < hi */
                sa = win->flat + (cand[i].a - win->lo) * k;
            } else if (sig_of != cand[i].a) {
                sig_of = UINT32_MAX;
                st = fw_spill_read(c->sigs_file, a->p->sig_at, sig_a, k * sizeof *sig_a);
                if (st == FW_OK) sig_of = cand[i].a;
            }
            if (st == FW_OK && !fw_passage_worth_aligning(sa, sb, k, a->clen, b->clen)) continue;
            aligned++;
            if (st == FW_OK && in_a != cand[i].a) {
                in_a = UINT32_MAX;
                st = fw_aligned_read(c->texts, &ra, a->doc, a->cstart, a->clen, &ta, NULL);
                if (st == FW_OK) st = fw_align_pattern(&al, ta, a->clen);
                if (st == FW_OK) in_a = cand[i].a;
            }
            int match = 0;
            if (st == FW_OK)
                st = fw_aligned_read(c->texts, &rb, b->doc, b->cstart, b->clen, &tb, NULL);
            if (st == FW_OK)
                st = fw_passage_passes(&al, &full, ta, a->clen, tb, b->clen, threshold, &match);
            keep[i] = (uint8_t)match;
            if (st != FW_OK) {
                #pragma omp atomic write
                failed = st;
            }
        }
        fw_aligner_free(&al);
        fw_aligner_free(&full);
        fw_aligned_reader_free(&ra);
        fw_aligned_reader_free(&rb);
        free(sig_a);
    }
    *aligned_out += aligned;
    return (fw_status)failed;
}

/* Keeps the candidates whose characters align (in place); *m receives how
 * many. `flat` holds every signature in memory; NULL with a memory limit,
 * where they are read back a window of documents at a time. */
static fw_status verify(const fw_passage_corpus *c, const passage_ref *refs,
                        const uint64_t *first, const fw_passage_value *flat, fw_pair *cand,
                        size_t nc, double threshold, unsigned k, int threads, size_t *m,
                        uint64_t *screened)
{
    uint64_t aligned = 0, np = first[c->ndocs];
    uint8_t *keep = calloc(nc ? nc : 1, 1);
    if (!keep) return FW_ERR_NOMEM;
    fw_status st = FW_OK;
    if (flat) {
        sig_window all = {flat, 0, np};
        st = verify_window(c, refs, &all, cand, nc, threshold, k, threads, keep, &aligned);
    } else {
        /* windows of as many documents as the budget holds (one at least) */
        const size_t per_passage = (size_t)k * sizeof(fw_passage_value);
        size_t cap = c->lsh_budget / per_passage;
        fw_passage_value *buf = NULL;
        for (size_t d0 = 0; d0 < c->ndocs && st == FW_OK;) {
            size_t d1 = d0 + 1;
            while (d1 < c->ndocs && first[d1 + 1] - first[d0] <= cap) d1++;
            size_t n = first[d1] - first[d0];
            fw_passage_value *grown = realloc(buf, (n ? n : 1) * per_passage);
            if (!grown) {
                st = FW_ERR_NOMEM;
                break;
            }
            buf = grown;
            st = read_signatures(c, first, d0, d1, k, threads, buf);
            sig_window win = {buf, first[d0], first[d1]};
            if (st == FW_OK && n)
                st = verify_window(c, refs, &win, cand, nc, threshold, k, threads, keep,
                                   &aligned);
            d0 = d1;
        }
        free(buf);
    }
    size_t kept = 0;
    for (size_t i = 0; i < nc && st == FW_OK; i++)
        if (keep[i]) cand[kept++] = cand[i];
    free(keep);
    *m = kept;
    *screened = nc - aligned;
    return st;
}

/* Numbers the components of two or more passages 1, 2, ... in order of
 * their first passage, and counts their passages and documents. */
static fw_status number_groups(fw_passage *const *byp, const passage_ref *refs, size_t np,
                               const uint32_t *root, fw_passage_result *r)
{
    uint32_t *members = calloc(np ? np : 1, sizeof *members);
    if (!members) return FW_ERR_NOMEM;
    for (size_t i = 0; i < np; i++) members[root[i]]++;
    size_t ng = 0;
    for (size_t i = 0; i < np; i++)
        if (root[i] == i && members[i] >= 2) ng++;
    r->groups = calloc(ng ? ng : 1, sizeof *r->groups);
    uint64_t *last_doc = malloc((ng ? ng : 1) * sizeof *last_doc);
    if (!r->groups || !last_doc) {
        free(members);
        free(last_doc);
        return FW_ERR_NOMEM;
    }
    uint32_t g = 0;
    for (size_t i = 0; i < np; i++) {
        fw_passage *p = byp[i];
        if (root[i] == i && members[i] >= 2) {
            r->groups[g].first = (uint32_t)i;
            last_doc[g] = UINT64_MAX;
            p->group = ++g;
        } else {
            p->group = members[root[i]] >= 2 ? byp[root[i]]->group : 0;
        }
        if (!p->group) continue;
        fw_passage_group *grp = &r->groups[p->group - 1];
        grp->passages++;
        if (last_doc[p->group - 1] != refs[i].doc) { /* passages come in document order */
            grp->docs++;
            last_doc[p->group - 1] = refs[i].doc;
        }
    }
    r->ngroups = ng;
    free(members);
    free(last_doc);
    return FW_OK;
}

/* The grouped passages, by group then number (a counting sort). */
static fw_status list_grouped(fw_passage *const *byp, size_t np, fw_passage_result *r)
{
    uint64_t *start = calloc(r->ngroups + 1, sizeof *start);
    size_t n = 0;
    for (size_t i = 0; i < np; i++) if (byp[i]->group) n++;
    r->grouped = malloc((n ? n : 1) * sizeof *r->grouped);
    if (!start || !r->grouped) {
        free(start);
        return FW_ERR_NOMEM;
    }
    for (size_t g = 0; g < r->ngroups; g++) start[g + 1] = start[g] + r->groups[g].passages;
    for (size_t i = 0; i < np; i++)
        if (byp[i]->group) r->grouped[start[byp[i]->group - 1]++] = (uint32_t)i;
    r->ngrouped = n;
    free(start);
    return FW_OK;
}

typedef struct ranked_group {
    uint64_t docs;
    uint32_t group;
} ranked_group;

static int most_docs_first(const void *x, const void *y)
{
    const ranked_group *a = x, *b = y;
    if (a->docs != b->docs) return a->docs < b->docs ? 1 : -1;
    return (a->group > b->group) - (a->group < b->group);
}

/* r->boilerplate: the groups marked boilerplate, most documents first. */
static fw_status list_boilerplate(fw_passage_result *r)
{
    size_t n = 0;
    for (size_t g = 0; g < r->ngroups; g++) n += (size_t)r->groups[g].boilerplate;
    r->boilerplate = malloc((n ? n : 1) * sizeof *r->boilerplate);
    ranked_group *ranked = malloc((n ? n : 1) * sizeof *ranked);
    if (!r->boilerplate || !ranked) {
        free(ranked);
        return FW_ERR_NOMEM;
    }
    n = 0;
    for (size_t g = 0; g < r->ngroups; g++)
        if (r->groups[g].boilerplate)
            ranked[n++] = (ranked_group){r->groups[g].docs, (uint32_t)(g + 1)};
    qsort(ranked, n, sizeof *ranked, most_docs_first);
    for (size_t i = 0; i < n; i++) r->boilerplate[i] = ranked[i].group;
    r->nboilerplate = n;
    free(ranked);
    return FW_OK;
}

/* Marks the groups found in enough documents as boilerplate and lists them,
 * most documents first. */
static fw_status find_boilerplate(const fw_passage_corpus *c, const fw_passage_settings *set,
                                  fw_passage_result *r)
{
    uint64_t need = set->boilerplate_docs;
    uint64_t by_share = fw_share_count(set->boilerplate_share, c->text_docs);
    if (by_share > need) need = by_share;
    r->boilerplate_docs_needed = need;
    for (size_t g = 0; g < r->ngroups; g++) r->groups[g].boilerplate = r->groups[g].docs >= need;
    return list_boilerplate(r);
}

/* With a passage model: flag[i] when passage i matches one of the
 * model's boilerplate passages, documents in parallel (with a memory
 * limit each document's signatures read back in one block). */
static fw_status flag_known(const fw_passage_corpus *c, const fw_passage_settings *set,
                            const uint64_t *first, const fw_passage_value *flat, uint8_t *flag)
{
    const unsigned k = set->bands * set->rows;
    int failed = FW_OK;
    #pragma omp parallel num_threads(set->threads > 0 ? set->threads : 1)
    {
        fw_known_scratch ks = {0};
        fw_aligned_reader rd = {0};
        fw_passage_value *own = NULL;
        size_t own_cap = 0;
        #pragma omp for schedule(dynamic, 64)
        for (size_t d = 0; d < c->ndocs; d++) {
            int stop;
            #pragma omp atomic read
            stop = failed;
            const uint32_t n = c->npassages[d];
            if (stop || !n) continue;
            const fw_passage_value *sigs = flat ? flat + first[d] * k : NULL;
            fw_status st = FW_OK;
            if (!flat) {
                if (!fw_grow(&own, &own_cap, (size_t)n * k, sizeof *own, 256))
                    st = FW_ERR_NOMEM;
                else
                    st = fw_spill_read(c->sigs_file, c->passages[d][0].sig_at, own,
                                       (size_t)n * k * sizeof *own);
                sigs = own;
            }
            for (uint32_t i = 0; i < n && st == FW_OK; i++) {
                const fw_passage *p = &c->passages[d][i];
                if (!p->clen) continue;
                const uint32_t *cps;
                int match = 0;
                st = fw_aligned_read(c->texts, &rd, d, p->cstart, p->clen, &cps, NULL);
                if (st == FW_OK)
                    st = fw_known_passages_match(set->known, &ks, sigs + (size_t)i * k, cps,
                                                 p->clen, set->threshold, &match);
                flag[first[d] + i] = (uint8_t)match;
            }
            if (st != FW_OK) {
                #pragma omp atomic write
                failed = st;
            }
        }
        fw_known_scratch_free(&ks);
        fw_aligned_reader_free(&rd);
        free(own);
    }
    return (fw_status)failed;
}

/* With a passage model: each document's characters in the passages that
 * matched one of its boilerplate passages counted, and the groups whose
 * passages all matched listed, most documents first (a group some of
 * whose passages did not match is not boilerplate as a whole: those stay
 * in its spans and reuse). */
static fw_status known_boilerplate(const fw_passage_corpus *c, fw_passage *const *byp,
                                   const passage_ref *refs, size_t np, const uint8_t *flag,
                                   fw_passage_result *r)
{
    r->boilerplate_docs_needed = 0; /* no bar: the model decides */
    r->boilerplate_chars = calloc(c->ndocs ? c->ndocs : 1, sizeof *r->boilerplate_chars);
    if (!r->boilerplate_chars) return FW_ERR_NOMEM;
    for (size_t g = 0; g < r->ngroups; g++) r->groups[g].boilerplate = 1;
    for (size_t i = 0; i < np; i++) {
        uint32_t g = byp[i]->group;
        if (flag[i]) r->boilerplate_chars[refs[i].doc] += byp[i]->clen;
        else if (g) r->groups[g - 1].boilerplate = 0;
    }
    return list_boilerplate(r);
}

/* Per document: characters in boilerplate (aligned form); and the
 * passages in boilerplate groups, for spans to leave out. */
static fw_status measure_boilerplate(const fw_passage_corpus *c, fw_passage *const *byp,
                                     const passage_ref *refs, size_t np, fw_passage_result *r,
                                     uint8_t **in_boilerplate)
{
    r->boilerplate_chars = calloc(c->ndocs ? c->ndocs : 1, sizeof *r->boilerplate_chars);
    uint8_t *flag = calloc(np ? np : 1, 1);
    if (!r->boilerplate_chars || !flag) {
        free(flag);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < np; i++) {
        uint32_t g = byp[i]->group;
        if (!g || !r->groups[g - 1].boilerplate) continue;
        flag[i] = 1;
        r->boilerplate_chars[refs[i].doc] += byp[i]->clen;
    }
    *in_boilerplate = flag;
    return FW_OK;
}

/* Every passage of the corpus, in order: byp[i] and its reference. */
static void list_passages(const fw_passage_corpus *c, fw_passage **byp, passage_ref *refs)
{
    for (size_t d = 0, i = 0; d < c->ndocs; d++)
        for (uint32_t k = 0; k < c->npassages[d]; k++, i++) {
            byp[i] = &c->passages[d][k];
            refs[i] = (passage_ref){byp[i], (uint32_t)d, byp[i]->cstart, byp[i]->clen};
        }
}

fw_status fw_passages_match(const fw_passage_corpus *c, const fw_passage_settings *set,
                            fw_passage_result *r)
{
    memset(r, 0, sizeof *r);
    fw_passage_value *flat = c->flat; /* ours to free */
    int threads = set->threads > 0 ? set->threads : 1;
    if (!(r->first = malloc((c->ndocs + 1) * sizeof *r->first))) {
        free(flat);
        return FW_ERR_NOMEM;
    }
    r->first[0] = 0;
    for (size_t d = 0; d < c->ndocs; d++) r->first[d + 1] = r->first[d] + c->npassages[d];
    size_t np = r->first[c->ndocs];
    r->npassages = np;
    if (np > UINT32_MAX || (!c->sigs_file && !flat)) {
        free(flat);
        return FW_ERR_ARG;
    }
    passage_ref *refs = malloc((np ? np : 1) * sizeof *refs);
    fw_passage **byp = malloc((np ? np : 1) * sizeof *byp);
    uint32_t *root = malloc((np ? np : 1) * sizeof *root);
    uint8_t *in_boilerplate = NULL;
    fw_pair *cand = NULL;
    size_t nc = 0;
    fw_status st = FW_ERR_NOMEM;
    if (!refs || !byp || !root) goto out;
    list_passages(c, byp, refs);
    double t0 = fw_now();
    if (c->sigs_file) {
        st = candidates_in_runs(c, set->bands, set->rows, threads, &cand, &nc, &r->band_runs);
    } else {
        flat_bands src = {flat, refs, np, (size_t)set->bands * set->rows, set->bands, set->rows};
        st = fw_lsh_each_band(flat_band_pairs, &src, flat_scratch_bytes(np), set->bands,
                              threads, &cand, &nc);
    }
    if (st != FW_OK) goto out;
    r->candidates = nc;
    r->t_candidates = fw_now() - t0;
    t0 = fw_now();
    size_t m;
    const unsigned k = set->bands * set->rows;
    st = verify(c, refs, r->first, flat, cand, nc, set->threshold, k, threads, &m,
                &r->screened);
    if (st == FW_OK && set->known) {
        if (!(in_boilerplate = calloc(np ? np : 1, 1))) st = FW_ERR_NOMEM;
        else st = flag_known(c, set, r->first, flat, in_boilerplate);
    }
    free(flat); /* the spans need the memory more */
    flat = NULL;
    if (st != FW_OK) goto out;
    r->t_verify = fw_now() - t0;
    r->matched = m;
    fw_cluster_build(root, np, cand, m);
    if ((st = number_groups(byp, refs, np, root, r)) != FW_OK ||
        (st = list_grouped(byp, np, r)) != FW_OK)
        goto out;
    if (set->known)
        st = known_boilerplate(c, byp, refs, np, in_boilerplate, r);
    else if ((st = find_boilerplate(c, set, r)) == FW_OK)
        st = measure_boilerplate(c, byp, refs, np, r, &in_boilerplate);
    if (st != FW_OK) goto out;
    if (!set->no_spans) {
        fw_spans_input si = {c->ndocs, r->first, byp, in_boilerplate, cand, m, c->texts,
                             set->reuse_min, threads};
        st = fw_spans_build(&si, &r->spans);
    }
out:
    free(flat);
    free(refs);
    free(byp);
    free(root);
    free(in_boilerplate);
    free(cand);
    return st;
}

fw_status fw_passages_match_given(const fw_passage_corpus *c, const fw_passage_settings *set,
                                  fw_pair *cand, size_t nc, fw_passage_result *r)
{
    memset(r, 0, sizeof *r);
    fw_passage_value *flat = c->flat; /* ours to free */
    const int threads = set->threads > 0 ? set->threads : 1;
    size_t np = 0;
    for (size_t d = 0; d < c->ndocs; d++) np += c->npassages[d];
    passage_ref *refs = malloc((np ? np : 1) * sizeof *refs);
    fw_passage **byp = malloc((np ? np : 1) * sizeof *byp);
    uint8_t *flag = calloc(np ? np : 1, 1);
    r->first = malloc((c->ndocs + 1) * sizeof *r->first);
    r->boilerplate_chars = calloc(c->ndocs ? c->ndocs : 1, sizeof *r->boilerplate_chars);
    fw_status st = FW_ERR_NOMEM;
    if (!refs || !byp || !flag || !r->first || !r->boilerplate_chars || !flat || np > UINT32_MAX)
        goto out;
    r->first[0] = 0;
    for (size_t d = 0; d < c->ndocs; d++) r->first[d + 1] = r->first[d] + c->npassages[d];
    list_passages(c, byp, refs);
    r->npassages = np;
    r->candidates = nc;
    size_t m;
    const unsigned k = set->bands * set->rows;
    double t0 = fw_now();
    st = verify(c, refs, r->first, flat, cand, nc, set->threshold, k, threads, &m, &r->screened);
    if (st == FW_OK && set->known) st = flag_known(c, set, r->first, flat, flag);
    r->t_verify = fw_now() - t0;
    free(flat);
    flat = NULL;
    if (st != FW_OK) goto out;
    r->matched = m;
    for (size_t i = 0; i < np; i++)
        if (flag[i]) r->boilerplate_chars[refs[i].doc] += byp[i]->clen;
    fw_spans_input si = {c->ndocs, r->first, byp, flag, cand, m, c->texts, set->reuse_min,
                         threads};
    st = fw_spans_build(&si, &r->spans);
out:
    free(flat);
    free(refs);
    free(byp);
    free(flag);
    return st;
}

void fw_passage_result_free(fw_passage_result *r)
{
    free(r->first);
    free(r->groups);
    free(r->grouped);
    free(r->boilerplate);
    fw_spans_result_free(&r->spans);
    free(r->boilerplate_chars);
    memset(r, 0, sizeof *r);
}
