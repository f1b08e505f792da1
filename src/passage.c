/*
 * passage.c — recycled passages: the same paragraph in several documents.
 *
 * Whole-document Jaccard misses a report that copies half of its text from
 * three others (J may be 0.2 with each). So each document is also cut into
 * passages of a few sentences (segment.c), and passages go through the same
 * machinery as documents, on a smaller scale:
 *
 *   while reading  each passage's shingles are a slice of its document's
 *                  hashes (no second hashing); a short MinHash (bands·rows
 *                  permutations) is made and only its LSH band keys kept;
 *   after reading  LSH candidates over the band keys; each one verified on
 *                  the exact shingle sets: a match when the Jaccard reaches
 *                  the threshold, or when the smaller passage lies almost
 *                  wholly (90%) in the larger (a teaser cut off at "...",
 *                  a paragraph that took a heading along); matches joined
 *                  into groups by union-find. Containment at the Jaccard
 *                  threshold would be too loose: a 50-character enactment
 *                  line is 60% stock phrase, and on laws.jsonl it chained
 *                  700 documents' different headers into one group.
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
#include "passage.h"
#include "cluster.h"
#include "grow.h"
#include "sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void fw_passage_scratch_free(fw_passage_scratch *sc)
{
    free(sc->spans);
    free(sc->sig);
    memset(sc, 0, sizeof *sc);
}

/* ------------------------------------------------------ while reading */

/* The first FW_PASSAGE_TEXT_CHARS characters of text[start, end), runs of
 * white space made one space, invalid bytes U+FFFD, controls dropped: a
 * one-line excerpt for the reports. */
static char *excerpt(const char *text, uint64_t start, uint64_t end, fw_alloc_fn alloc,
                     void *ctx)
{
    char buf[FW_PASSAGE_TEXT_CHARS * 4 + 1];
    size_t n = 0;
    int chars = 0, space = 0;
    const unsigned char *u = (const unsigned char *)text;
    for (uint64_t i = start; i < end && chars < FW_PASSAGE_TEXT_CHARS;) {
        uint32_t cp;
        int bad;
        i += fw_utf8_decode(u + i, end - i, &cp, &bad);
        if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x3000) {
            space = n > 0;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F) continue;
        if (space) {
            buf[n++] = ' ';
            chars++;
            space = 0;
            if (chars == FW_PASSAGE_TEXT_CHARS) break;
        }
        n += fw_utf8_encode(buf + n, cp);
        chars++;
    }
    char *out = alloc(ctx, n + 1);
    if (out) {
        memcpy(out, buf, n);
        out[n] = '\0';
    }
    return out;
}

fw_status fw_passages_cut(const fw_passage_config *cfg, fw_passage_scratch *sc,
                          const fw_passage_doc *doc, fw_alloc_fn alloc, void *ctx,
                          fw_passage **out, uint32_t *count)
{
    *out = NULL;
    *count = 0;
    size_t n;
    fw_status st = fw_segment(doc->text, doc->len, doc->cps, doc->offsets, doc->ncps,
                              cfg->min_chars, cfg->max_chars, &sc->spans, &sc->spans_cap, &n);
    if (st != FW_OK || n == 0) return st;
    unsigned k = cfg->bands * cfg->rows;
    if (!sc->sig && !(sc->sig = malloc(k * sizeof *sc->sig))) return FW_ERR_NOMEM;
    fw_passage *ps = alloc(ctx, n * sizeof *ps);
    if (!ps) return FW_ERR_NOMEM;
    size_t t = 0; /* walks the shingled code points alongside */
    for (size_t i = 0; i < n; i++) {
        const fw_span *sp = &sc->spans[i];
        fw_passage *p = &ps[i];
        memset(p, 0, sizeof *p);
        p->byte_start = sp->byte_start;
        p->byte_end = sp->byte_end;
        p->chars = sp->cp_end - sp->cp_start;
        /* its code points in the shingled (maybe template) form: those that
         * came from bytes before the next passage's first character */
        size_t ts = t;
        uint64_t next = i + 1 < n ? doc->offsets[sc->spans[i + 1].cp_start] : UINT64_MAX;
        while (t < doc->nshingled && doc->shingled_offsets[t] < next) t++;
        size_t te = t;
        if (te - ts >= cfg->ngram) {
            p->hstart = (uint32_t)ts;
            p->hlen = (uint32_t)(te - ts - cfg->ngram + 1);
        } else if (doc->nshingled < cfg->ngram && doc->nhashes) {
            p->hstart = 0; /* the whole text is one shingle */
            p->hlen = 1;
        }
        if (!(p->text = excerpt(doc->text, p->byte_start, p->byte_end, alloc, ctx)))
            return FW_ERR_NOMEM;
        if (!p->hlen) continue;
        if (!(p->keys = alloc(ctx, cfg->bands * sizeof *p->keys))) return FW_ERR_NOMEM;
        fw_minhash_compute(cfg->minhasher, doc->hashes + p->hstart, p->hlen, sc->sig);
        fw_lsh_band_keys(sc->sig, cfg->bands, cfg->rows, p->keys);
    }
    *out = ps;
    *count = (uint32_t)n;
    return FW_OK;
}

/* ------------------------------------------------------- after reading */

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
} passage_sets;

static fw_status make_sets(const fw_passage_corpus *c, const passage_ref *refs, size_t np,
                           const fw_pair *cand, size_t nc, int threads, passage_sets *s)
{
    s->set = calloc(np ? np : 1, sizeof *s->set);
    s->size = calloc(np ? np : 1, sizeof *s->size);
    if (!s->set || !s->size) return FW_ERR_NOMEM;
    uint8_t *wanted = calloc(np ? np : 1, 1);
    if (!wanted) return FW_ERR_NOMEM;
    uint32_t longest = 0;
    for (size_t i = 0; i < nc; i++) wanted[cand[i].a] = wanted[cand[i].b] = 1;
    for (size_t i = 0; i < np; i++)
        if (wanted[i] && refs[i].p->hlen > longest) longest = refs[i].p->hlen;
    int failed = 0;
    #pragma omp parallel num_threads(threads)
    {
        uint64_t *tmp = malloc((longest ? longest : 1) * sizeof *tmp);
        if (!tmp) {
            #pragma omp atomic write
            failed = 1;
        }
        #pragma omp for schedule(dynamic, 256)
        for (size_t i = 0; i < np; i++) {
            if (!tmp || !wanted[i]) continue;
            const fw_passage *p = refs[i].p;
            uint64_t *slice = c->hashes[refs[i].doc] + p->hstart;
            s->size[i] = (uint32_t)fw_shingle_set(slice, p->hlen, tmp);
            s->set[i] = slice;
        }
        free(tmp);
    }
    free(wanted);
    return failed ? FW_ERR_NOMEM : FW_OK;
}

/* Keeps the candidates whose sets match; returns how many (in place). */
static size_t verify(const passage_sets *s, fw_pair *cand, size_t nc, double threshold,
                     int threads)
{
    uint8_t *keep = malloc(nc ? nc : 1);
    if (!keep) return SIZE_MAX;
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 256)
    for (size_t i = 0; i < nc; i++) {
        uint32_t a = cand[i].a, b = cand[i].b;
        size_t na = s->size[a], nb = s->size[b];
        size_t inter = fw_verify_intersection(s->set[a], na, s->set[b], nb);
        double j = fw_verify_jaccard(inter, na, nb);
        double contained = (double)inter / (double)(na < nb ? na : nb);
        keep[i] = j >= threshold || contained >= (threshold > FW_PASSAGE_CONTAINED
                                                       ? threshold : FW_PASSAGE_CONTAINED);
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
    const uint32_t **keys = malloc((np ? np : 1) * sizeof *keys);
    uint32_t *root = malloc((np ? np : 1) * sizeof *root);
    fw_pair *cand = NULL;
    size_t nc = 0;
    passage_sets sets = {0};
    fw_status st = FW_ERR_NOMEM;
    if (!refs || !byp || !keys || !root) goto out;
    for (size_t d = 0, i = 0; d < c->ndocs; d++)
        for (uint32_t k = 0; k < c->npassages[d]; k++, i++) {
            byp[i] = &c->passages[d][k];
            refs[i] = (passage_ref){byp[i], d};
            keys[i] = byp[i]->keys;
        }
    if ((st = fw_lsh_candidates_keyed(keys, np, set->bands, threads, &cand, &nc)) != FW_OK)
        goto out;
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
