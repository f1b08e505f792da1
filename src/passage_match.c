/*
 * passage_match.c — recycled passages across the corpus: the same
 * paragraph in several documents, found after reading.
 *
 * Every document comes cut into passages, each with the LSH band keys of
 * its short MinHash (passage_cut.c, which says why passages). After
 * reading: LSH candidates over the band keys; each one verified on the
 * exact shingle sets: a match when the Jaccard reaches the threshold, or
 * when the smaller passage lies almost wholly (90%) in the larger (a teaser
 * cut off at "...", a paragraph that took a heading along); matches joined
 * into groups by union-find. Containment at the Jaccard threshold would be
 * too loose: a 50-character enactment line is 60% stock phrase, and on
 * laws.jsonl it chained 700 documents' different headers into one group.
 *
 * A group found in many documents is the site's furniture (a footer, a
 * "推荐阅读" list), not a copy: it is boilerplate, reported once and left
 * out of document reuse. For every two documents that share other groups,
 * reuse is the share of each one's characters in passages shared with the
 * other: asymmetric, since a report built from a template is mostly the
 * template (a_in_b near 1) while the template is only partly in it.
 *
 * Everything is numbered in id order and sorted before it is used, so the
 * output does not depend on thread timing.
 */
#include "passage_match.h"
#include "band_runs.h"
#include "cluster.h"
#include "grow.h"
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

typedef struct passage_ref {
    const fw_passage *p;
    size_t doc;
} passage_ref;

/* Exact shingle sets of the passages in candidate pairs, made in place:
 * each passage's slice of its document's hashes is sorted and its distinct
 * values moved to the front. Slices do not overlap, and a document's set is
 * still the set of its array (what is left behind a slice's distinct values
 * are copies of them), so document verification, which sorts whole arrays
 * afterwards, is not disturbed, and nothing is copied. */
typedef struct passage_sets {
    const uint64_t **set; /* per passage: its sorted distinct hashes, or NULL */
    uint32_t *size;
    uint64_t *at;         /* with a memory limit: where each set is in */
    const fw_spill *file; /* this file (and `set` is not used) */
    uint32_t longest;     /* the largest set */
    uint64_t *pool;       /* with a memory limit, when they fit: the sets,
                           * at[i] words in (and `file` is NULL) */
} passage_sets;

/* With a memory limit: a passage's slice read from its document's hashes
 * on disk, made a set in `buf` and written to the sets file. */
static fw_status spill_set(const fw_passage_corpus *c, const passage_ref *ref, uint64_t *buf,
                           uint64_t *tmp, uint32_t *size, uint64_t *at)
{
    const fw_passage *p = ref->p;
    size_t n;
    fw_status st = fw_spill_make_set(c->hashes_file,
                                     c->hashes_at[ref->doc] + (uint64_t)p->hstart * sizeof *buf,
                                     p->hlen, c->sets_file, buf, tmp, &n, at);
    *size = (uint32_t)n;
    return st;
}

static fw_status make_sets(const fw_passage_corpus *c, const passage_ref *refs, size_t np,
                           const fw_pair *cand, size_t nc, int threads, passage_sets *s)
{
    s->set = calloc(np ? np : 1, sizeof *s->set);
    s->size = calloc(np ? np : 1, sizeof *s->size);
    if (c->hashes_file) {
        s->at = calloc(np ? np : 1, sizeof *s->at);
        s->file = c->sets_file;
    }
    if (!s->set || !s->size || (c->hashes_file && !s->at)) return FW_ERR_NOMEM;
    uint8_t *wanted = calloc(np ? np : 1, 1);
    if (!wanted) return FW_ERR_NOMEM;
    uint32_t longest = 0;
    for (size_t i = 0; i < nc; i++) wanted[cand[i].a] = wanted[cand[i].b] = 1;
    for (size_t i = 0; i < np; i++)
        if (wanted[i] && refs[i].p->hlen > longest) longest = refs[i].p->hlen;
    s->longest = longest;
    if (c->hashes_file) { /* memory limit: keep the sets in memory if they fit */
        uint64_t words = 0;
        for (size_t i = 0; i < np; i++)
            if (wanted[i]) {
                s->at[i] = words;
                words += refs[i].p->hlen;
            }
        if (words * sizeof *s->pool <= c->lsh_budget &&
            (s->pool = malloc((words ? words : 1) * sizeof *s->pool)))
            s->file = NULL;
    }
    int failed = FW_OK;
    #pragma omp parallel num_threads(threads)
    {
        uint64_t *tmp = malloc((longest ? longest : 1) * sizeof *tmp);
        uint64_t *buf = s->file ? malloc((longest ? longest : 1) * sizeof *buf) : NULL;
        if (!tmp || (s->file && !buf)) {
            #pragma omp atomic write
            failed = FW_ERR_NOMEM;
        }
        #pragma omp for schedule(dynamic, 256)
        for (size_t i = 0; i < np; i++) {
            if (failed || !wanted[i]) continue;
            const fw_passage *p = refs[i].p;
            fw_status st = FW_OK;
            uint64_t *slice = NULL;
            if (s->file) {
                st = spill_set(c, &refs[i], buf, tmp, &s->size[i], &s->at[i]);
            } else if (s->pool) {
                slice = s->pool + s->at[i];
                st = fw_spill_read(c->hashes_file,
                                   c->hashes_at[refs[i].doc] + (uint64_t)p->hstart * sizeof *slice,
                                   slice, (size_t)p->hlen * sizeof *slice);
            } else {
                slice = c->hashes[refs[i].doc] + p->hstart;
            }
            if (st != FW_OK) {
                #pragma omp atomic write
                failed = st;
            }
            if (st != FW_OK || s->file) continue;
            s->size[i] = (uint32_t)fw_shingle_set(slice, p->hlen, tmp);
            s->set[i] = slice;
        }
        free(tmp);
        free(buf);
    }
    free(wanted);
    return failed;
}

/* With a memory limit: the same candidates as fw_lsh_candidates_keyed, the
 * records going through band runs of a bounded size (band_runs.c). */
static fw_status candidates_in_runs(const fw_passage_corpus *c, unsigned bands, int threads,
                                    fw_pair **cand, size_t *nc, size_t *nruns)
{
    fw_band_runs *runs;
    fw_status st = fw_band_runs_new(bands, c->lsh_budget, c->tmp_dir, &runs);
    if (st != FW_OK) return st;
    uint32_t *keys = NULL; /* one document's, read back at once */
    size_t keys_cap = 0;
    uint64_t wide[FW_PASSAGE_MAX_BANDS];
    for (size_t d = 0, i = 0; d < c->ndocs && st == FW_OK; i += c->npassages[d], d++) {
        uint32_t n = c->npassages[d];
        const fw_passage *ps = c->passages[d];
        if (!n) continue;
        if (!fw_grow(&keys, &keys_cap, (size_t)n * bands, sizeof *keys, 256)) {
            st = FW_ERR_NOMEM;
            break;
        }
        st = fw_spill_read(c->keys_file, ps[0].keys_at, keys, (size_t)n * bands * sizeof *keys);
        for (uint32_t k = 0; k < n && st == FW_OK; k++) {
            if (!ps[k].hlen) continue;
            for (unsigned b = 0; b < bands; b++) wide[b] = keys[(size_t)k * bands + b];
            st = fw_band_runs_add(runs, (uint32_t)(i + k), wide);
        }
    }
    if (st == FW_OK) st = fw_band_runs_candidates(runs, NULL, threads, cand, nc);
    *nruns = fw_band_runs_count(runs);
    free(keys);
    fw_band_runs_free(runs);
    return st;
}

/* Keeps the candidates whose sets match; returns how many (in place). */
static size_t verify(const passage_sets *s, fw_pair *cand, size_t nc, double threshold,
                     int threads)
{
    uint8_t *keep = malloc(nc ? nc : 1);
    if (!keep) return SIZE_MAX;
    int failed = 0;
    #pragma omp parallel num_threads(threads)
    {
        /* with a memory limit, the two sets are read into these */
        size_t words = s->file ? (s->longest ? s->longest : 1) : 0;
        uint64_t *buf_a = words ? malloc(words * sizeof *buf_a) : NULL;
        uint64_t *buf_b = words ? malloc(words * sizeof *buf_b) : NULL;
        if (words && (!buf_a || !buf_b)) {
            #pragma omp atomic write
            failed = 1;
        }
        size_t in_a = SIZE_MAX; /* whose set buf_a holds: pairs come sorted by a */
        #pragma omp for schedule(dynamic, 256)
        for (size_t i = 0; i < nc; i++) {
            if (failed) continue;
            uint32_t a = cand[i].a, b = cand[i].b;
            size_t na = s->size[a], nb = s->size[b];
            const uint64_t *set_a = s->set[a], *set_b = s->set[b];
            if (s->file) {
                if ((in_a != a &&
                     fw_spill_read(s->file, s->at[a], buf_a, na * sizeof *buf_a) != FW_OK) ||
                    fw_spill_read(s->file, s->at[b], buf_b, nb * sizeof *buf_b) != FW_OK) {
                    #pragma omp atomic write
                    failed = 1;
                    continue;
                }
                in_a = a;
                set_a = buf_a;
                set_b = buf_b;
            }
            size_t inter = fw_verify_intersection(set_a, na, set_b, nb);
            double j = fw_verify_jaccard(inter, na, nb);
            double contained = (double)inter / (double)(na < nb ? na : nb);
            keep[i] = j >= threshold || contained >= (threshold > FW_PASSAGE_CONTAINED
                                                           ? threshold : FW_PASSAGE_CONTAINED);
        }
        free(buf_a);
        free(buf_b);
    }
    if (failed) {
        free(keep);
        return SIZE_MAX;
    }
    size_t m = 0;
    for (size_t i = 0; i < nc; i++)
        if (keep[i]) cand[m++] = cand[i];
    free(keep);
    return m;
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

/* Marks the groups found in enough documents as boilerplate and lists them,
 * most documents first. */
static fw_status find_boilerplate(const fw_passage_corpus *c, const fw_passage_settings *set,
                                  fw_passage_result *r)
{
    uint64_t need = set->boilerplate_docs;
    uint64_t by_share = (uint64_t)ceil(set->boilerplate_share * (double)c->text_docs);
    if (by_share > need) need = by_share;
    r->boilerplate_docs_needed = need;
    size_t n = 0;
    for (size_t g = 0; g < r->ngroups; g++) {
        r->groups[g].boilerplate = r->groups[g].docs >= need;
        n += (size_t)r->groups[g].boilerplate;
    }
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

/* One document's characters in one group. */
typedef struct doc_share {
    uint32_t doc;
    uint64_t chars;
} doc_share;

/* One group seen by two documents: each one's characters in it. */
typedef struct shared {
    uint32_t a, b;
    uint64_t a_chars, b_chars;
} shared;

typedef struct shared_list {
    shared *v;
    size_t n, cap;
} shared_list;

static int push_shared(shared_list *l, shared s)
{
    if (!fw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, 1024)) return 0;
    l->v[l->n++] = s;
    return 1;
}

static int by_docs_pair(const void *x, const void *y)
{
    const shared *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* Per document: characters in boilerplate and in groups shared with other
 * documents; per pair of documents: what they share, outside boilerplate. */
static fw_status measure_reuse(const fw_passage_corpus *c, const fw_passage_settings *set,
                               fw_passage *const *byp, const passage_ref *refs,
                               fw_passage_result *r)
{
    r->reused_chars = calloc(c->ndocs ? c->ndocs : 1, sizeof *r->reused_chars);
    r->boilerplate_chars = calloc(c->ndocs ? c->ndocs : 1, sizeof *r->boilerplate_chars);
    doc_share *in_group = malloc((r->ngrouped ? r->ngrouped : 1) * sizeof *in_group);
    shared_list pairs = {0};
    if (!r->reused_chars || !r->boilerplate_chars || !in_group) goto nomem;
    for (size_t s = 0; s < r->ngrouped;) { /* one group at a time */
        uint32_t g = byp[r->grouped[s]]->group;
        const fw_passage_group *grp = &r->groups[g - 1];
        size_t e = s + grp->passages, m = 0;
        for (size_t i = s; i < e; i++) {
            const passage_ref *ref = &refs[r->grouped[i]];
            if (grp->boilerplate) {
                r->boilerplate_chars[ref->doc] += ref->p->chars;
                continue;
            }
            if (grp->docs >= 2) r->reused_chars[ref->doc] += ref->p->chars;
            if (m && in_group[m - 1].doc == ref->doc) in_group[m - 1].chars += ref->p->chars;
            else in_group[m++] = (doc_share){(uint32_t)ref->doc, ref->p->chars};
        }
        for (size_t x = 0; x < m; x++)
            for (size_t y = x + 1; y < m; y++)
                if (!push_shared(&pairs, (shared){in_group[x].doc, in_group[y].doc,
                                                  in_group[x].chars, in_group[y].chars}))
                    goto nomem;
        s = e;
    }
    if (pairs.n) qsort(pairs.v, pairs.n, sizeof *pairs.v, by_docs_pair);
    size_t n = 0, cap = 0;
    for (size_t s = 0; s < pairs.n;) { /* runs of one pair of documents */
        size_t e = s;
        fw_reuse_pair rp = {pairs.v[s].a, pairs.v[s].b, 0, 0, 0, 0};
        uint64_t ca = 0, cb = 0;
        for (; e < pairs.n && pairs.v[e].a == rp.a && pairs.v[e].b == rp.b; e++) {
            ca += pairs.v[e].a_chars;
            cb += pairs.v[e].b_chars;
            rp.shared_passages++;
        }
        rp.shared_chars = ca < cb ? ca : cb;
        rp.a_in_b = (double)ca / (double)c->chars[rp.a];
        rp.b_in_a = (double)cb / (double)c->chars[rp.b];
        if (rp.a_in_b >= set->reuse_min || rp.b_in_a >= set->reuse_min) {
            if (!fw_grow(&r->reuse, &cap, n + 1, sizeof *r->reuse, 1024)) goto nomem;
            r->reuse[n++] = rp;
        }
        s = e;
    }
    r->nreuse = n;
    free(in_group);
    free(pairs.v);
    return FW_OK;
nomem:
    free(in_group);
    free(pairs.v);
    return FW_ERR_NOMEM;
}

fw_status fw_passages_match(const fw_passage_corpus *c, const fw_passage_settings *set,
                            fw_passage_result *r)
{
    memset(r, 0, sizeof *r);
    int threads = set->threads > 0 ? set->threads : 1;
    if (!(r->first = malloc((c->ndocs + 1) * sizeof *r->first))) return FW_ERR_NOMEM;
    r->first[0] = 0;
    for (size_t d = 0; d < c->ndocs; d++) r->first[d + 1] = r->first[d] + c->npassages[d];
    size_t np = r->first[c->ndocs];
    if (np > UINT32_MAX) return FW_ERR_ARG;
    r->npassages = np;
    passage_ref *refs = malloc((np ? np : 1) * sizeof *refs);
    fw_passage **byp = malloc((np ? np : 1) * sizeof *byp);
    /* band keys in memory; with a memory limit they are read from the
     * spill file by candidates_in_runs instead */
    const uint32_t **keys = c->hashes_file ? NULL : malloc((np ? np : 1) * sizeof *keys);
    uint32_t *root = malloc((np ? np : 1) * sizeof *root);
    fw_pair *cand = NULL;
    size_t nc = 0;
    passage_sets sets = {0};
    fw_status st = FW_ERR_NOMEM;
    if (!refs || !byp || (!keys && !c->hashes_file) || !root) goto out;
    for (size_t d = 0, i = 0; d < c->ndocs; d++)
        for (uint32_t k = 0; k < c->npassages[d]; k++, i++) {
            byp[i] = &c->passages[d][k];
            refs[i] = (passage_ref){byp[i], d};
            if (keys) keys[i] = byp[i]->keys;
        }
    st = c->hashes_file ? candidates_in_runs(c, set->bands, threads, &cand, &nc,
                                             &r->band_runs)
                        : fw_lsh_candidates_keyed(keys, np, set->bands, threads, &cand, &nc);
    if (st != FW_OK) goto out;
    r->candidates = nc;
    if ((st = make_sets(c, refs, np, cand, nc, threads, &sets)) != FW_OK) goto out;
    size_t m = verify(&sets, cand, nc, set->threshold, threads);
    if (m == SIZE_MAX) { st = FW_ERR_NOMEM; goto out; }
    r->matched = m;
    fw_cluster_build(root, np, cand, m);
    if ((st = number_groups(byp, refs, np, root, r)) != FW_OK ||
        (st = list_grouped(byp, np, r)) != FW_OK ||
        (st = find_boilerplate(c, set, r)) != FW_OK)
        goto out;
    st = measure_reuse(c, set, byp, refs, r);
out:
    free(refs);
    free(byp);
    free(keys);
    free(root);
    free(cand);
    free(sets.set);
    free(sets.size);
    free(sets.at);
    free(sets.pool);
    return st;
}

void fw_passage_result_free(fw_passage_result *r)
{
    free(r->first);
    free(r->groups);
    free(r->grouped);
    free(r->boilerplate);
    free(r->reuse);
    free(r->reused_chars);
    free(r->boilerplate_chars);
    memset(r, 0, sizeof *r);
}
