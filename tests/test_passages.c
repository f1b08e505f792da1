/*
 * test_passages.c — the passage level against a brute-force reference.
 *
 * Generated corpora with planted partial copies: "derived" documents made
 * of paragraphs copied from one to three "source" documents (some with a
 * few characters substituted) and fresh paragraphs of their own. Text is
 * random ideographs, so nothing matches by chance. The reference cuts every
 * document with the public fw_segment() and aligns every pair of passages
 * (the LCS of align.c, itself checked against the plain dynamic programme
 * in test_align; a match: aligned characters ≥ 0.6 of the longer passage,
 * or 90% of the shorter in runs of 4 or more) and joins matches by
 * union-find. The scan must cut the same passages, group the matching ones
 * (pair recall ≥ 0.98, and no group the reference would split), find every
 * planted copy at its byte range, report a span covering it in both
 * documents and no span outside the copies, and give each derived
 * document's share of a source (a_in_b) within 0.05 of the planted share.
 * Then: a footer in 30 of 40 documents is
 * boilerplate and makes no one a copy; template mode finds a paragraph
 * whose years, figures and words were changed; the two teasers of seed 000
 * (when ../shared is there) are one group.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"
#include "align.h"
#include "rng.h"
#include "text_buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "results.h"

#define MIN_PASSAGE 50
#define MAX_PASSAGE 400
#define THRESHOLD 0.6

/* ------------------------------------------------------------- corpus */

static uint32_t random_ideograph(void) { return 0x4E00 + (uint32_t)(rng() % 3000); }

/* A paragraph of 1–3 sentences of 55–120 random ideographs, each closed
 * by 。, the paragraph by a line break: every sentence is a passage. */
typedef struct paragraph {
    uint32_t cps[400];
    size_t n;                /* ideographs */
    size_t ends[3], nends;   /* sentence ends (in ideographs) */
} paragraph;

static void random_paragraph(paragraph *p)
{
    p->n = 0;
    p->nends = 1 + rng() % 3;
    for (size_t s = 0; s < p->nends; s++) {
        size_t len = 55 + rng() % 66;
        for (size_t i = 0; i < len; i++) p->cps[p->n++] = random_ideograph();
        p->ends[s] = p->n;
    }
}

/* Appends a paragraph; returns its byte range [start, end) without the
 * line break (where its passages begin and end). */
static void put_paragraph(text_buf *b, const paragraph *p, size_t *start, size_t *end)
{
    *start = b->len;
    size_t s = 0;
    for (size_t i = 0; i < p->n; i++) {
        put_cp(b, p->cps[i]);
        if (i + 1 == p->ends[s]) {
            put(b, "\xE3\x80\x82", 3); /* 。 */
            s++;
        }
    }
    *end = b->len;
    put(b, "\n", 1);
}

#define SOURCES 50
#define DERIVED 50
#define NDOCS (SOURCES + DERIVED)
#define MAX_PARAS 12
#define MAX_COPIES 8

typedef struct planted {
    int source;                  /* document copied from */
    size_t src_start, src_end;   /* its byte range there */
    size_t dst_start, dst_end;   /* and in the derived document */
    size_t chars;
    int edited;                  /* 0 none, 1 one character per sentence,
                                  * 2 three to six per sentence */
} planted;

typedef struct corpus {
    text_buf text[NDOCS];
    char id[NDOCS][16];
    paragraph para[SOURCES][MAX_PARAS];
    size_t para_start[SOURCES][MAX_PARAS], para_end[SOURCES][MAX_PARAS];
    int nparas[SOURCES];
    planted copy[DERIVED][MAX_COPIES];
    int ncopies[DERIVED];
} corpus;

static corpus *make_corpus(void)
{
    corpus *c = calloc(1, sizeof *c);
    rng_state = 4242;
    for (int s = 0; s < SOURCES; s++) {
        snprintf(c->id[s], sizeof c->id[s], "s%03d", s);
        c->nparas[s] = 6 + (int)(rng() % 6);
        for (int k = 0; k < c->nparas[s]; k++) {
            random_paragraph(&c->para[s][k]);
            put_paragraph(&c->text[s], &c->para[s][k], &c->para_start[s][k],
                          &c->para_end[s][k]);
        }
    }
    for (int d = 0; d < DERIVED; d++) {
        text_buf *b = &c->text[SOURCES + d];
        snprintf(c->id[SOURCES + d], sizeof c->id[0], "d%03d", d);
        int nsources = 1 + (int)(rng() % 3), src[3];
        for (int i = 0; i < nsources; i++) src[i] = (int)(rng() % SOURCES);
        int copies = 2 + (int)(rng() % 5), fresh = 1 + (int)(rng() % 5);
        while (copies + fresh > 0) {
            if (copies && (rng() % (size_t)(copies + fresh)) < (size_t)copies) {
                planted *pl = &c->copy[d][c->ncopies[d]++];
                pl->source = src[rng() % (size_t)nsources];
                int k = (int)(rng() % (size_t)c->nparas[pl->source]);
                paragraph p = c->para[pl->source][k];
                /* a third of the copies have one character substituted
                 * per sentence (Jaccard 0.82 to 0.92): planted copies to
                 * find; a sixth have 3–6 (Jaccard about 0.4 to 0.8):
                 * pairs on both sides of the threshold, for recall */
                int roll = (int)(rng() % 6);
                pl->edited = roll < 2 ? 1 : roll == 2 ? 2 : 0;
                for (size_t e = 0, from = 0; pl->edited && e < p.nends; from = p.ends[e++]) {
                    int subs = pl->edited == 1 ? 1 : 3 + (int)(rng() % 4);
                    for (int sub = 0; sub < subs; sub++)
                        p.cps[from + rng() % (p.ends[e] - from)] = random_ideograph();
                }
                pl->src_start = c->para_start[pl->source][k];
                pl->src_end = c->para_end[pl->source][k];
                pl->chars = p.n;
                put_paragraph(b, &p, &pl->dst_start, &pl->dst_end);
                copies--;
            } else {
                paragraph p;
                random_paragraph(&p);
                size_t a, e;
                put_paragraph(b, &p, &a, &e);
                fresh--;
            }
        }
    }
    return c;
}

static void free_corpus(corpus *c)
{
    for (int d = 0; d < NDOCS; d++) free(c->text[d].s);
    free(c);
}

/* ---------------------------------------------------------- reference */

typedef struct ref_passage {
    int doc;
    fw_span span;
    uint32_t *cps;           /* its normalized characters */
    size_t len;
} ref_passage;

typedef struct reference {
    ref_passage *p;
    size_t n;
    size_t first[NDOCS + 1];
    uint64_t chars[NDOCS];
    uint32_t *root;          /* union-find over matching pairs */
    size_t matches;
} reference;

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

static void unite(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = find(parent, a);
    b = find(parent, b);
    if (a < b) parent[b] = a;
    else if (b < a) parent[a] = b;
}

/* The passage test of passage_match.c, applied to every pair. */
static int passages_match(fw_aligner *al, const ref_passage *a, const ref_passage *b,
                          double threshold)
{
    size_t lcs, nruns, in_runs = 0;
    assert_int_equal(fw_align(al, a->cps, a->len, b->cps, b->len, &lcs, &nruns), FW_OK);
    size_t longer = a->len > b->len ? a->len : b->len, shorter = a->len + b->len - longer;
    if ((double)lcs >= threshold * (double)longer) return 1;
    for (size_t k = 0; k < nruns; k++)
        if (al->runs[k].len >= 4) in_runs += al->runs[k].len;
    return (double)in_runs >= 0.9 * (double)shorter;
}

/* Cuts every document the public way and aligns every pair of passages. */
static void make_reference(text_buf *text, int ndocs, reference *r, double threshold)
{
    memset(r, 0, sizeof *r);
    fw_normalizer *nz;
    assert_int_equal(fw_normalizer_new(&nz), FW_OK);
    uint32_t *cps = NULL, *offs = NULL;
    size_t cap = 0, ocap = 0, scap = 0, pcap = 0;
    fw_span *spans = NULL;
    for (int d = 0; d < ndocs; d++) {
        size_t n, count;
        assert_int_equal(fw_normalize_mapped(nz, text[d].s, text[d].len, &cps, &cap, &n, NULL,
                                             &offs, &ocap), FW_OK);
        assert_int_equal(fw_segment(text[d].s, text[d].len, cps, offs, n, MIN_PASSAGE,
                                    MAX_PASSAGE, &spans, &scap, &count), FW_OK);
        r->chars[d] = n;
        r->first[d] = r->n;
        for (size_t i = 0; i < count; i++) {
            if (r->n == pcap) {
                pcap = pcap ? 2 * pcap : 1024;
                r->p = realloc(r->p, pcap * sizeof *r->p);
            }
            ref_passage *p = &r->p[r->n++];
            p->doc = d;
            p->span = spans[i];
            p->len = spans[i].cp_end - spans[i].cp_start;
            p->cps = malloc((p->len + 1) * sizeof *p->cps);
            memcpy(p->cps, cps + spans[i].cp_start, p->len * sizeof *p->cps);
        }
    }
    r->first[ndocs] = r->n;
    r->root = malloc((r->n ? r->n : 1) * sizeof *r->root);
    for (size_t i = 0; i < r->n; i++) r->root[i] = (uint32_t)i;
    fw_aligner al = {0};
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = i + 1; j < r->n; j++) {
            const ref_passage *a = &r->p[i], *b = &r->p[j];
            if (!a->len || !b->len || !passages_match(&al, a, b, threshold)) continue;
            unite(r->root, (uint32_t)i, (uint32_t)j);
            r->matches++;
        }
    fw_aligner_free(&al);
    for (size_t i = 0; i < r->n; i++) find(r->root, (uint32_t)i);
    free(cps);
    free(offs);
    free(spans);
    fw_normalizer_free(nz);
}

static void free_reference(reference *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->p[i].cps);
    free(r->p);
    free(r->root);
}

/* ------------------------------------------------------------- helpers */

/* Scans texts added in order (so document d is number d). */
static fw_scan *scan_texts(text_buf *text, char (*id)[16], int ndocs,
                           void (*tune)(fw_scan_options *))
{
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.threads = 2;
    if (tune) tune(&o);
    fw_scan *s;
    assert_int_equal(fw_scan_new(&o, &s, NULL, 0), FW_OK);
    for (int d = 0; d < ndocs; d++)
        assert_int_equal(fw_scan_add_text(s, id[d], text[d].s, text[d].len), FW_OK);
    assert_int_equal(fw_scan_run(s), FW_OK);
    return s;
}

static const fw_reuse_pair *find_reuse(const fw_scan *s, size_t a, size_t b)
{
    const fw_reuse_pair *r = reuse_of(s);
    for (size_t i = 0, n = fw_scan_reuse_count(s); i < n; i++)
        if ((r[i].a == a && r[i].b == b) || (r[i].a == b && r[i].b == a)) return &r[i];
    return NULL;
}

/* ---------------------------------------------------------------- tests */

static void test_planted_copies_against_brute_force(void **state)
{
    (void)state;
    corpus *c = make_corpus();
    reference ref;
    make_reference(c->text, NDOCS, &ref, THRESHOLD);
    fw_scan *s = scan_texts(c->text, c->id, NDOCS, NULL);

    /* the same passages, at the same bytes */
    uint64_t *group = calloc(ref.n, sizeof *group);
    for (int d = 0; d < NDOCS; d++) {
        uint32_t count = fw_scan_doc_passage_count(s, (size_t)d);
        assert_int_equal(count, ref.first[d + 1] - ref.first[d]);
        for (uint32_t k = 0; k < count; k++) {
            fw_passage_info p;
            assert_int_equal(fw_scan_doc_passage(s, (size_t)d, k, &p), FW_OK);
            assert_int_equal(p.index, k + 1);
            const ref_passage *rp = &ref.p[ref.first[d] + k];
            assert_int_equal(p.byte_start, rp->span.byte_start);
            assert_int_equal(p.byte_end, rp->span.byte_end);
            assert_int_equal(p.chars, rp->span.cp_end - rp->span.cp_start);
            group[ref.first[d] + k] = p.group;
        }
    }

    /* every scan group lies inside one reference component (matches are
     * verified exactly), and matching pairs share a group (recall) */
    size_t pairs = 0, found = 0;
    for (size_t i = 0; i < ref.n; i++)
        for (size_t j = i + 1; j < ref.n; j++) {
            if (group[i] && group[i] == group[j])
                assert_int_equal(ref.root[i], ref.root[j]);
            if (ref.root[i] != ref.root[j]) continue;
            pairs++;
            found += group[i] && group[i] == group[j];
        }
    print_message("passage pairs in one reference component: %zu, in one scan group: %zu "
                  "(%zu matching pairs)\n", pairs, found, ref.matches);
    assert_true(pairs > 300);
    assert_true((double)found >= 0.98 * (double)pairs);
    /* fresh paragraphs of random text match nothing */
    for (size_t i = 0; i < ref.n; i++)
        if (ref.root[i] == i) {
            size_t members = 0;
            for (size_t j = i; j < ref.n; j++) members += ref.root[j] == i;
            if (members == 1) assert_int_equal(group[i], 0);
        }

    /* every planted copy found at its bytes: the derived document's
     * passages in the copied range are grouped with the source's passages
     * in its range, and they cover exactly that range */
    size_t copies = 0;
    for (int d = 0; d < DERIVED; d++) {
        int doc = SOURCES + d;
        for (int k = 0; k < c->ncopies[d]; k++) {
            const planted *pl = &c->copy[d][k];
            if (pl->edited == 2) continue; /* may fall below the threshold */
            size_t covered_start = SIZE_MAX, covered_end = 0;
            for (size_t i = ref.first[doc]; i < ref.first[doc + 1]; i++) {
                const fw_span *sp = &ref.p[i].span;
                if (sp->byte_start < pl->dst_start || sp->byte_end > pl->dst_end) continue;
                int with_source = 0;
                for (size_t j = ref.first[pl->source]; j < ref.first[pl->source + 1]; j++) {
                    const fw_span *ss = &ref.p[j].span;
                    if (ss->byte_start >= pl->src_start && ss->byte_end <= pl->src_end &&
                        group[j] && group[j] == group[i])
                        with_source = 1;
                }
                if (!with_source)
                    fail_msg("%s [%zu, %zu) copied from %s [%zu, %zu)%s: passage [%llu, %llu) "
                             "not grouped with the source", c->id[doc], pl->dst_start,
                             pl->dst_end, c->id[pl->source], pl->src_start, pl->src_end,
                             pl->edited ? " (edited)" : "",
                             (unsigned long long)sp->byte_start, (unsigned long long)sp->byte_end);
                if (sp->byte_start < covered_start) covered_start = sp->byte_start;
                if (sp->byte_end > covered_end) covered_end = sp->byte_end;
            }
            assert_int_equal(covered_start, pl->dst_start);
            assert_int_equal(covered_end, pl->dst_end);
            copies++;
        }
    }
    assert_true(copies >= 100);

    /* spans: every unedited copy lies inside a span of the derived
     * document and its source, on both sides; every span of a derived
     * document and a source starts and ends inside copies from it */
    const fw_reused_span *sp;
    size_t nsp;
    assert_int_equal(fw_scan_spans(s, &sp, &nsp), FW_OK);
    size_t covered = 0;
    for (int d = 0; d < DERIVED; d++) {
        size_t doc = (size_t)(SOURCES + d);
        for (int k = 0; k < c->ncopies[d]; k++) {
            const planted *pl = &c->copy[d][k];
            if (pl->edited) continue;
            int in_span = 0;
            for (size_t i = 0; i < nsp && !in_span; i++)
                in_span = sp[i].a == doc && sp[i].b == (size_t)pl->source &&
                          sp[i].a_start <= pl->dst_start && sp[i].a_end >= pl->dst_end &&
                          sp[i].b_start <= pl->src_start && sp[i].b_end >= pl->src_end;
            if (!in_span) {
                for (size_t i = 0; i < nsp; i++)
                    if (sp[i].a == doc && sp[i].b == (size_t)pl->source)
                        print_message("  span [%llu, %llu) ~ [%llu, %llu)\n",
                                      (unsigned long long)sp[i].a_start,
                                      (unsigned long long)sp[i].a_end,
                                      (unsigned long long)sp[i].b_start,
                                      (unsigned long long)sp[i].b_end);
                fail_msg("%s [%zu, %zu) copied from %s [%zu, %zu): in no span", c->id[doc],
                         pl->dst_start, pl->dst_end, c->id[pl->source], pl->src_start,
                         pl->src_end);
            }
            covered++;
        }
    }
    for (size_t i = 0; i < nsp; i++) {
        if (sp[i].a < SOURCES || sp[i].b >= SOURCES) continue; /* derived, then source */
        int d = (int)sp[i].a - SOURCES, starts = 0, ends = 0;
        for (int k = 0; k < c->ncopies[d]; k++) {
            const planted *pl = &c->copy[d][k];
            if (pl->source != (int)sp[i].b) continue;
            starts |= sp[i].a_start >= pl->dst_start && sp[i].a_start < pl->dst_end;
            ends |= sp[i].a_end > pl->dst_start && sp[i].a_end <= pl->dst_end;
        }
        if (!starts || !ends)
            fail_msg("span %s [%llu, %llu) ~ %s reaches outside the copies", c->id[sp[i].a],
                     (unsigned long long)sp[i].a_start, (unsigned long long)sp[i].a_end,
                     c->id[sp[i].b]);
        assert_true(sp[i].matched <= sp[i].a_chars && sp[i].matched <= sp[i].b_chars);
    }
    print_message("unedited copies inside a span: %zu; spans: %zu\n", covered, nsp);
    assert_true(covered >= 60);

    /* a_in_b of each derived document in each source: the planted share */
    size_t checked = 0;
    for (int d = 0; d < DERIVED; d++) {
        int doc = SOURCES + d;
        for (int src = 0; src < SOURCES; src++) {
            size_t planted_chars = 0;
            int heavy = 0;
            for (int k = 0; k < c->ncopies[d]; k++)
                if (c->copy[d][k].source == src) {
                    planted_chars += c->copy[d][k].chars;
                    heavy |= c->copy[d][k].edited == 2;
                }
            if (!planted_chars || heavy) continue;
            double share = (double)planted_chars / (double)ref.chars[doc];
            const fw_reuse_pair *r = find_reuse(s, (size_t)doc, (size_t)src);
            if (share < 0.3 + 0.05) { /* may or may not reach --reuse-min */
                if (!r) continue;
            } else if (!r) {
                fail_msg("%s takes %.3f of its text from %s: no reuse row", c->id[doc], share,
                         c->id[src]);
            }
            /* ids: "d..." < "s...", so the derived document is a */
            assert_int_equal(r->a, (size_t)doc);
            if (fabs(r->a_in_b - share) > 0.05)
                fail_msg("%s in %s: a_in_b %.4f, planted %.4f", c->id[doc], c->id[src],
                         r->a_in_b, share);
            checked++;
        }
    }
    print_message("reuse rows checked against the planted share: %zu\n", checked);
    assert_true(checked >= 15);

    free(group);
    fw_scan_free(s);
    free_reference(&ref);
    free_corpus(c);
}

/* Two threads and one give the same groups and reuse. */
static void tune_one_thread(fw_scan_options *o) { o->threads = 1; }

static void test_same_results_at_one_and_two_threads(void **state)
{
    (void)state;
    corpus *c = make_corpus();
    fw_scan *one = scan_texts(c->text, c->id, NDOCS, tune_one_thread);
    fw_scan *two = scan_texts(c->text, c->id, NDOCS, NULL);
    assert_int_equal(fw_scan_grouped_count(one), fw_scan_grouped_count(two));
    for (size_t i = 0; i < fw_scan_grouped_count(one); i++) {
        fw_passage_info a, b;
        fw_scan_grouped_passage(one, i, &a);
        fw_scan_grouped_passage(two, i, &b);
        assert_int_equal(a.group, b.group);
        assert_int_equal(a.doc, b.doc);
        assert_int_equal(a.index, b.index);
    }
    assert_int_equal(fw_scan_reuse_count(one), fw_scan_reuse_count(two));
    assert_memory_equal(reuse_of(one), reuse_of(two),
                        fw_scan_reuse_count(one) * sizeof(fw_reuse_pair));
    fw_scan_free(one);
    fw_scan_free(two);
    free_corpus(c);
}

/* A site footer in 30 of 40 documents is boilerplate: one row, and no
 * reuse between the documents that share only it. Two documents that also
 * share a real paragraph are the one reuse row. */
static void test_footer_is_boilerplate_not_reuse(void **state)
{
    (void)state;
    enum { N = 40 };
    text_buf text[N] = {0};
    char id[N][16];
    rng_state = 77;
    paragraph footer, shared;
    random_paragraph(&footer);
    footer.nends = 1;
    footer.n = footer.ends[0] = 60;
    random_paragraph(&shared);
    size_t a, e;
    for (int d = 0; d < N; d++) {
        snprintf(id[d], sizeof id[d], "page%02d", d);
        int own = (d == 3 || d == 4) ? 1 : 4; /* 3 and 4: mostly the shared paragraph */
        for (int k = 0; k < own; k++) {
            paragraph p;
            random_paragraph(&p);
            put_paragraph(&text[d], &p, &a, &e);
        }
        if (d == 3 || d == 4) put_paragraph(&text[d], &shared, &a, &e);
        if (d < 30) put_paragraph(&text[d], &footer, &a, &e);
    }
    fw_scan *s = scan_texts(text, id, N, NULL);
    assert_int_equal(fw_scan_boilerplate_count(s), 1);
    fw_group_info g;
    assert_int_equal(fw_scan_boilerplate(s, 0, &g), FW_OK);
    assert_int_equal(g.docs, 30);
    assert_int_equal(g.passages, 30);
    assert_int_equal(g.chars, 60);
    assert_true(g.boilerplate);
    /* the only reuse row: pages 3 and 4, by their shared paragraph */
    assert_int_equal(fw_scan_reuse_count(s), 1);
    const fw_reuse_pair *r = reuse_of(s);
    assert_int_equal(r->a, 3);
    assert_int_equal(r->b, 4);
    assert_int_equal(r->shared_passages, shared.nends);
    assert_int_equal(r->shared_chars, shared.n);
    for (int d = 0; d < N; d++) {
        fw_doc_info info;
        fw_scan_doc(s, (size_t)d, &info);
        double footer_share = d < 30 ? 60.0 / (double)info.chars : 0;
        double reused = (d == 3 || d == 4) ? (double)shared.n / (double)info.chars : 0;
        assert_true(fabs(info.boilerplate_share - footer_share) < 1e-12);
        assert_true(fabs(info.reused_share - reused) < 1e-12);
    }
    fw_doc_info p3, p4;
    fw_scan_doc(s, 3, &p3);
    fw_scan_doc(s, 4, &p4);
    assert_true(fabs(r->a_in_b - (double)shared.n / (double)p3.chars) < 1e-12);
    assert_true(fabs(r->b_in_a - (double)shared.n / (double)p4.chars) < 1e-12);
    fw_scan_free(s);
    for (int d = 0; d < N; d++) free(text[d].s);
}

/* Short site lines: a breadcrumb and a counter (its number differing from
 * page to page) on 30 of 40 pages, each on its own line right above a
 * paragraph. They are two `line` rows of boilerplate (30 documents each,
 * their exact text), in no passage; so the paragraph under them on page 0,
 * copied onto page 35 without them, is one exact span whose bytes start
 * where the paragraph does, and the lines count as boilerplate in
 * docs.csv's share. */
static void test_short_site_lines_are_left_out(void **state)
{
    (void)state;
    enum { N = 40 };
    text_buf text[N] = {0};
    char id[N][16];
    rng_state = 1234;
    const char *crumb = "首页 > 范文大全 > 工作总结"; /* 12 normalized characters (> is kept) */
    paragraph copied;
    random_paragraph(&copied);
    size_t a, e, copy_start = 0, copy_end = 0, line_start[2] = {0};
    for (int d = 0; d < N; d++) {
        snprintf(id[d], sizeof id[d], "site%02d", d);
        paragraph p;
        random_paragraph(&p);
        put_paragraph(&text[d], &p, &a, &e);
        if (d < 30) {
            char counter[64];
            if (d == 0) line_start[0] = text[d].len;
            put(&text[d], crumb, strlen(crumb));
            put(&text[d], "\n", 1);
            if (d == 0) line_start[1] = text[d].len;
            snprintf(counter, sizeof counter, "阅读：%d次", 100 + 37 * d);
            put(&text[d], counter, strlen(counter));
            put(&text[d], "\n", 1);
        }
        if (d == 0 || d == 35) {
            put_paragraph(&text[d], &copied, &a, &e);
            if (d == 0) { copy_start = a; copy_end = e; }
        } else {
            random_paragraph(&p);
            put_paragraph(&text[d], &p, &a, &e);
        }
    }
    fw_scan *s = scan_texts(text, id, N, NULL);
    assert_int_equal(fw_scan_boilerplate_count(s), 2);
    fw_group_info g[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fw_scan_boilerplate(s, (size_t)i, &g[i]), FW_OK);
        assert_true(g[i].line && g[i].boilerplate);
        assert_int_equal(g[i].docs, 30);
        assert_int_equal(g[i].group, (uint64_t)i + 1); /* numbered in order of appearance */
    }
    assert_string_equal(g[0].text, crumb);
    assert_string_equal(g[1].text, "阅读：100次"); /* as on page 0, its first */
    assert_int_equal(g[0].chars, 12);
    assert_int_equal(g[1].chars, 6);
    /* in no passage of page 0 */
    for (uint32_t k = 0; k < fw_scan_doc_passage_count(s, 0); k++) {
        fw_passage_info p;
        assert_int_equal(fw_scan_doc_passage(s, 0, k, &p), FW_OK);
        assert_true(p.byte_end <= line_start[0] || p.byte_start >= copy_start);
    }
    (void)line_start[1];
    /* the copy: one exact span, from the paragraph's first byte */
    const fw_reused_span *sp;
    size_t nsp;
    assert_int_equal(fw_scan_spans(s, &sp, &nsp), FW_OK);
    assert_int_equal(nsp, 1);
    assert_int_equal(sp->a, 0);
    assert_int_equal(sp->b, 35);
    assert_int_equal(sp->a_start, copy_start);
    assert_int_equal(sp->a_end, copy_end);
    assert_true(sp->similarity == 1.0);
    fw_doc_info info;
    assert_int_equal(fw_scan_doc(s, 0, &info), FW_OK);
    assert_true(fabs(info.boilerplate_share - 18.0 / (double)info.chars) < 1e-12);
    fw_scan_free(s);
    for (int d = 0; d < N; d++) free(text[d].s);
}

/* Two identical documents that hold one paragraph twice (P1 P2 P1): one
 * span covers the whole of both, beside the crossings of the repeated
 * paragraph, and each is wholly reused in the other. (The crossing, which
 * starts where the whole does, once replaced it and left a_in_b at 0.66.) */
static void test_repeated_paragraph_keeps_the_whole_span(void **state)
{
    (void)state;
    text_buf text[2] = {0};
    char id[2][16] = {"x", "y"};
    rng_state = 4242;
    paragraph p1, p2;
    random_paragraph(&p1);
    random_paragraph(&p2);
    size_t a, e = 0;
    for (int d = 0; d < 2; d++) {
        put_paragraph(&text[d], &p1, &a, &e);
        put_paragraph(&text[d], &p2, &a, &e);
        put_paragraph(&text[d], &p1, &a, &e);
    }
    fw_scan *s = scan_texts(text, id, 2, NULL);
    const fw_reused_span *sp;
    size_t nsp, whole = 0;
    assert_int_equal(fw_scan_spans(s, &sp, &nsp), FW_OK);
    for (size_t i = 0; i < nsp; i++)
        whole += sp[i].a == 0 && sp[i].b == 1 && sp[i].a_start == 0 && sp[i].a_end == e &&
                 sp[i].b_start == 0 && sp[i].b_end == e && sp[i].similarity == 1.0;
    assert_int_equal(whole, 1);
    assert_int_equal(fw_scan_reuse_count(s), 1);
    const fw_reuse_pair *r = reuse_of(s);
    assert_true(r->a_in_b == 1.0 && r->b_in_a == 1.0);
    for (size_t d = 0; d < 2; d++) {
        fw_doc_info info;
        assert_int_equal(fw_scan_doc(s, d, &info), FW_OK);
        assert_true(info.reused_share == 1.0);
    }
    fw_scan_free(s);
    for (int d = 0; d < 2; d++) free(text[d].s);
}

/* Two section headings on 26 pages are boilerplate lines; on the two
 * pages that are copies of each other they lie inside copied text: the
 * first under a title too short to be a passage of its own (the passage
 * that title joins holds the line, which is then that passage's text),
 * the second between two paragraphs (in no passage). Every character of
 * either copy is reused or boilerplate, and none is both: the shares add
 * up to 1 exactly, and on every page to at most 1. (The second heading
 * was counted in both, as it is aligned with the span around it.) */
static void test_boilerplate_lines_inside_a_copy_are_not_reused(void **state)
{
    (void)state;
    enum { N = 26 };
    text_buf text[N] = {0};
    char id[N][16];
    rng_state = 99;
    const char *heading[2] = {"一、工作回顾", "三、基本情况"};
    paragraph title, body[2];
    for (int d = 0; d < N; d++) {
        snprintf(id[d], sizeof id[d], "page%02d", d);
        if (d < N - 1) { /* the last page: a copy of the one before */
            title.n = title.ends[0] = 20;
            title.nends = 1;
            for (size_t i = 0; i < title.n; i++) title.cps[i] = random_ideograph();
            random_paragraph(&body[0]);
            random_paragraph(&body[1]);
        }
        size_t a, e;
        put_paragraph(&text[d], &title, &a, &e);
        for (int k = 0; k < 2; k++) {
            put(&text[d], heading[k], strlen(heading[k]));
            put(&text[d], "\n", 1);
            put_paragraph(&text[d], &body[k], &a, &e);
        }
    }
    fw_scan *s = scan_texts(text, id, N, NULL);
    assert_int_equal(fw_scan_boilerplate_count(s), 2);
    for (size_t i = 0; i < 2; i++) {
        fw_group_info g;
        assert_int_equal(fw_scan_boilerplate(s, i, &g), FW_OK);
        assert_true(g.line);
        assert_int_equal(g.docs, N);
    }
    assert_int_equal(fw_scan_reuse_count(s), 1);
    const fw_reuse_pair *r = reuse_of(s);
    assert_int_equal(r->a, N - 2);
    assert_int_equal(r->b, N - 1);
    for (int d = 0; d < N; d++) {
        fw_doc_info info;
        assert_int_equal(fw_scan_doc(s, (size_t)d, &info), FW_OK);
        double sum = info.reused_share + info.boilerplate_share;
        assert_true(info.boilerplate_share > 0); /* the second heading at least */
        if (d >= N - 2) {
            assert_true(fabs(sum - 1.0) < 1e-12);
            assert_true(fabs(info.reused_share - (d == N - 2 ? r->a_in_b : r->b_in_a)) < 1e-12);
        } else {
            assert_true(sum <= 1.0 + 1e-12);
        }
    }
    fw_scan_free(s);
    for (int d = 0; d < N; d++) free(text[d].s);
}

/* The code points of bytes [from, to) of a text made of 3-byte ideographs,
 * 。 and line breaks, without the last two (what normalization keeps). */
static size_t ideographs(const char *s, size_t from, size_t to, uint32_t *out)
{
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = from; i < to;) {
        if (u[i] < 0x80) { i++; continue; }
        uint32_t cp = (uint32_t)(u[i] & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 |
                      (uint32_t)(u[i + 2] & 0x3F);
        if (cp != 0x3002) out[n++] = cp;
        i += 3;
    }
    return n;
}

static size_t lcs_length(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t *row = calloc(nb + 1, sizeof *row);
    assert_non_null(row);
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1, diag = 0; j <= nb; j++) {
            size_t up = row[j];
            row[j] = a[i - 1] == b[j - 1] ? diag + 1 : (row[j - 1] > up ? row[j - 1] : up);
            diag = up;
        }
    size_t r = row[nb];
    free(row);
    return r;
}

/* A paragraph reworded too much to match as a passage (3 characters of
 * every 6 kept, one of them alone) just before a copied one: the span of
 * the copy is extended over it, and its matched_chars is the LCS of its
 * two sides, as README says (the extension left out the runs of one
 * character: 179 where the LCS is 189), similarity and reuse with it. */
static void test_extended_span_counts_its_lcs(void **state)
{
    (void)state;
    text_buf text[2] = {0};
    char id[2][16] = {"a", "b"};
    rng_state = 2718;
    paragraph x, t_orig, t_edit, other[5];
    for (int k = 0; k < 5; k++) random_paragraph(&other[k]);
    random_paragraph(&x);
    t_orig.n = t_orig.ends[0] = 60;
    t_orig.nends = 1;
    for (size_t i = 0; i < 60; i++) t_orig.cps[i] = random_ideograph();
    t_edit = t_orig;
    for (size_t i = 0; i < 60; i++)
        if (i % 6 != 0 && i % 6 != 1 && i % 6 != 3) t_edit.cps[i] = 0x9000 + (uint32_t)(rng() % 500);
    size_t a, e, ta = 0, tb = 0;
    put_paragraph(&text[0], &other[0], &a, &e);
    put_paragraph(&text[0], &t_orig, &ta, &e);
    put_paragraph(&text[0], &x, &a, &e);
    put_paragraph(&text[0], &other[1], &a, &e);
    put_paragraph(&text[1], &other[2], &a, &e);
    put_paragraph(&text[1], &other[3], &a, &e);
    put_paragraph(&text[1], &t_edit, &tb, &e);
    put_paragraph(&text[1], &x, &a, &e);
    put_paragraph(&text[1], &other[4], &a, &e);
    fw_scan *s = scan_texts(text, id, 2, NULL);
    const fw_reused_span *sp;
    size_t nsp;
    assert_int_equal(fw_scan_spans(s, &sp, &nsp), FW_OK);
    assert_int_equal(nsp, 1);
    assert_int_equal(sp->a_start, ta); /* extended over the reworded paragraph */
    assert_int_equal(sp->b_start, tb);
    uint32_t *ca = malloc(text[0].len * sizeof *ca), *cb = malloc(text[1].len * sizeof *cb);
    assert_true(ca && cb);
    size_t na = ideographs(text[0].s, sp->a_start, sp->a_end, ca);
    size_t nb = ideographs(text[1].s, sp->b_start, sp->b_end, cb);
    size_t lcs = lcs_length(ca, na, cb, nb);
    print_message("span [%llu, %llu) ~ [%llu, %llu): %llu matched, LCS %zu\n",
                  (unsigned long long)sp->a_start, (unsigned long long)sp->a_end,
                  (unsigned long long)sp->b_start, (unsigned long long)sp->b_end,
                  (unsigned long long)sp->matched, lcs);
    assert_int_equal(sp->a_chars, na);
    assert_int_equal(sp->b_chars, nb);
    assert_int_equal(sp->matched, lcs);
    assert_true(fabs(sp->similarity - (double)lcs / (double)(na > nb ? na : nb)) < 1e-12);
    fw_doc_info info;
    assert_int_equal(fw_scan_doc(s, 0, &info), FW_OK);
    assert_true(fabs(info.reused_share - (double)lcs / (double)info.chars) < 1e-12);
    free(ca);
    free(cb);
    fw_scan_free(s);
    for (int d = 0; d < 2; d++) free(text[d].s);
}

/* The normalized characters of text[from, to) into *cps (grown). */
static size_t normalized(const char *text, size_t from, size_t to, uint32_t **cps, size_t *cap)
{
    fw_normalizer *nz;
    size_t n;
    assert_int_equal(fw_normalizer_new(&nz), FW_OK);
    assert_int_equal(fw_normalize(nz, text + from, to - from, cps, cap, &n, NULL), FW_OK);
    fw_normalizer_free(nz);
    return n;
}

/* Every span against its slices of the texts: each side's slice holds
 * a_chars (b_chars) normalized characters, and matched_chars is their
 * longest common subsequence. */
static void check_spans_against_slices(const fw_scan *s, const text_buf *text)
{
    const fw_reused_span *sp;
    size_t nsp;
    uint32_t *ca = NULL, *cb = NULL;
    size_t cap_a = 0, cap_b = 0;
    assert_int_equal(fw_scan_spans(s, &sp, &nsp), FW_OK);
    assert_true(nsp >= 1);
    for (size_t k = 0; k < nsp; k++) {
        size_t na = normalized(text[sp[k].a].s, sp[k].a_start, sp[k].a_end, &ca, &cap_a);
        size_t nb = normalized(text[sp[k].b].s, sp[k].b_start, sp[k].b_end, &cb, &cap_b);
        print_message("span %zu: [%llu, %llu) ~ [%llu, %llu): %llu and %llu characters, %llu "
                      "matched; slices %zu and %zu, LCS %zu\n", k,
                      (unsigned long long)sp[k].a_start, (unsigned long long)sp[k].a_end,
                      (unsigned long long)sp[k].b_start, (unsigned long long)sp[k].b_end,
                      (unsigned long long)sp[k].a_chars, (unsigned long long)sp[k].b_chars,
                      (unsigned long long)sp[k].matched, na, nb, lcs_length(ca, na, cb, nb));
        assert_int_equal(sp[k].a_chars, na);
        assert_int_equal(sp[k].b_chars, nb);
        assert_int_equal(sp[k].matched, lcs_length(ca, na, cb, nb));
    }
    free(ca);
    free(cb);
}

/* One character of the text can become several once normalized (㎡ is
 * m2, ﬁ is fi): a span that aligns some of them holds the whole
 * character, so that its bytes hold the characters it counts (it ended
 * inside ㎡, at the byte of its start, and counted one character more than
 * its bytes held). At its start too. And a span whose runs came from
 * windows and extension (an edited copy) counts the longest common
 * subsequence of its slices, which the runs fell 1 short of here. */
static void test_span_bytes_hold_what_it_counts(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"全市教育系统认真贯彻落实上级部署，扎实推进各项重点工作，新建校舍面积达到一千二百㎡甲乙丙丁戊己庚辛壬癸。\n",
         "全市教育系统认真贯彻落实上级部署，扎实推进各项重点工作，新建校舍面积达到一千二百m³子丑寅卯辰巳午未申酉。\n"},
        {"子丑寅卯辰巳午未申酉ﬁx全市教育系统认真贯彻落实上级部署，扎实推进各项重点工作，新建校舍面积达到一千二百。\n",
         "甲乙丙丁戊己庚辛壬癸ix全市教育系统认真贯彻落实上级部署，扎实推进各项重点工作，新建校舍面积达到一千二百。\n"},
        {"educationSystèmeschoolserviceworkschool素质成效784队伍全市\n下载本文档学校顺利学校积极1566素质学生基础体系推进Cafécaféacherslityquali",
         "ｈｏoｌｓｒｖｉｃｅwｏｒｋchｏoｌ素质成效７８４队伍全市校顺56６体系éｆéｈｅ"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        text_buf text[2] = {0};
        char id[2][16] = {"a", "b"};
        for (int d = 0; d < 2; d++) put(&text[d], pairs[i][d], strlen(pairs[i][d]));
        fw_scan *s = scan_texts(text, id, 2, NULL);
        check_spans_against_slices(s, text);
        const fw_reused_span *sp;
        size_t nsp;
        assert_int_equal(fw_scan_spans(s, &sp, &nsp), FW_OK);
        if (i == 0) /* through ㎡ on a's side */
            assert_int_equal(sp[0].a_end, (uint64_t)(strstr(pairs[0][0], "甲") - pairs[0][0]));
        if (i == 1) /* from ﬁ on a's side */
            assert_int_equal(sp[0].a_start, (uint64_t)(strstr(pairs[1][0], "ﬁ") - pairs[1][0]));
        fw_scan_free(s);
        for (int d = 0; d < 2; d++) free(text[d].s);
    }
}

/* Two documents give the same spans and reuse whichever is named first:
 * reworded copies over few characters (many alignments as long), scanned
 * as a, b and again with the names swapped. (The aligner broke ties by
 * which text came first, and that was the one whose id sorted first: 建建
 * against 建金 gave a span of 86 characters one way and 85 the other.) */
static void test_spans_do_not_depend_on_names(void **state)
{
    (void)state;
    enum { ALPHABET = 60 };
    rng_state = 99;
    int differed_sides = 0;
    static const char fixed[] = "天心区水利局打造宅基地年度计划；天心区水质监测绩效考核引导信用监管，"
                                "天心区认真落实干部培训综合执法。有效化解了一批矛盾纠纷，电子商务业务"
                                "指导治理奖惩机制，大力实施噪声治理综合活动目建";
    for (int round = 0; round < 41; round++) {
        text_buf x = {0}, y = {0};
        if (round == 40) { /* the pair a hunt found */
            put(&x, fixed, strlen(fixed));
            put(&x, "建", strlen("建"));
            put(&y, fixed, strlen(fixed));
            put(&y, "金", strlen("金"));
        }
        for (int i = 0; i < (round < 40 ? 300 : 0); i++) {
            uint32_t cp = 0x4E00 + (uint32_t)(rng() % ALPHABET);
            put_cp(&x, cp);
            unsigned r = (unsigned)(rng() % 100);
            if (r >= 5) put_cp(&y, r < 9 ? 0x4E00 + (uint32_t)(rng() % ALPHABET) : cp);
            if (r >= 5 && r < 7) put_cp(&y, cp);
            if (i % 50 == 49) {
                put(&x, "。\n", strlen("。\n"));
                put(&y, "。\n", strlen("。\n"));
            }
        }
        const fw_reused_span *sp[2];
        size_t nsp[2];
        fw_scan *s[2];
        for (int k = 0; k < 2; k++) {
            text_buf text[2] = {0};
            char id[2][16] = {"a", "b"};
            const text_buf *first = k ? &y : &x, *second = k ? &x : &y;
            put(&text[0], first->s, first->len);
            put(&text[1], second->s, second->len);
            s[k] = scan_texts(text, id, 2, NULL);
            assert_int_equal(fw_scan_spans(s[k], &sp[k], &nsp[k]), FW_OK);
            for (int d = 0; d < 2; d++) free(text[d].s);
        }
        assert_int_equal(nsp[0], nsp[1]);
        for (size_t i = 0; i < nsp[0]; i++) { /* the same span with a and b exchanged */
            size_t found = 0;
            for (size_t j = 0; j < nsp[1]; j++) {
                const fw_reused_span *p = &sp[0][i], *q = &sp[1][j];
                found += p->a_start == q->b_start && p->a_end == q->b_end &&
                         p->b_start == q->a_start && p->b_end == q->a_end &&
                         p->a_chars == q->b_chars && p->b_chars == q->a_chars &&
                         p->matched == q->matched;
            }
            if (found != 1) fail_msg("round %d: span %zu of the scan named a, b is not in the "
                                     "scan named b, a", round, i);
        }
        const fw_reuse_pair *r0 = find_reuse(s[0], 0, 1), *r1 = find_reuse(s[1], 0, 1);
        assert_true((r0 == NULL) == (r1 == NULL));
        if (r0) {
            assert_true(r0->a_in_b == r1->b_in_a && r0->b_in_a == r1->a_in_b);
            assert_int_equal(r0->shared_chars, r1->shared_chars);
        }
        differed_sides += nsp[0] > 0;
        fw_scan_free(s[0]);
        fw_scan_free(s[1]);
        free(x.s);
        free(y.s);
    }
    print_message("%d of 41 rounds with spans\n", differed_sides);
    assert_true(differed_sides >= 30); /* the rounds had spans to compare */
}

/* The bars a user sets are met at equality, whatever binary rounding does
 * to them: two passages of 100 characters whose longest common
 * subsequence is 56 match at --passage-threshold 0.56 (0.56 · 100 is
 * 56.00000000000001 in doubles, which they missed) and not at 0.57; a
 * footer in 7 of 100 documents is boilerplate at --boilerplate-share 0.07
 * (ceil(0.07 · 100) was 8) and not at 0.071. */
static double bar;
static void tune_passage_threshold(fw_scan_options *o) { o->passage_threshold = bar; }
static void tune_boilerplate_share(fw_scan_options *o)
{
    o->boilerplate_docs = 2;
    o->boilerplate_share = bar;
}

static void test_bars_are_met_at_equality(void **state)
{
    (void)state;
    /* two passages: 28 characters, 44 that differ (from a range the other
     * never uses, so the LCS is exactly the 56 kept), 28 characters */
    text_buf two[2] = {0};
    char id2[2][16] = {"kept", "edited"};
    rng_state = 5656;
    uint32_t cps[100];
    for (int i = 0; i < 100; i++) cps[i] = random_ideograph();
    for (int d = 0; d < 2; d++) {
        for (int i = 0; i < 100; i++)
            put_cp(&two[d], d && i >= 28 && i < 72 ? 0x9000 + (uint32_t)(rng() % 500) : cps[i]);
        put(&two[d], "\n", 1);
    }
    const double thresholds[3] = {0.4, 0.56, 0.57}; /* 0.4: they are a candidate */
    for (int k = 0; k < 3; k++) {
        bar = thresholds[k];
        fw_scan *s = scan_texts(two, id2, 2, tune_passage_threshold);
        print_message("--passage-threshold %.2f: %zu groups\n", bar, fw_scan_group_count(s));
        assert_int_equal(fw_scan_group_count(s), k < 2 ? 1 : 0);
        fw_scan_free(s);
    }
    for (int d = 0; d < 2; d++) free(two[d].s);

    enum { N = 100 };
    text_buf text[N] = {0};
    char id[N][16];
    paragraph footer;
    random_paragraph(&footer);
    size_t a, e;
    for (int d = 0; d < N; d++) {
        snprintf(id[d], sizeof id[d], "page%03d", d);
        paragraph p;
        random_paragraph(&p);
        put_paragraph(&text[d], &p, &a, &e);
        if (d % 14 == 0 && d < 98) put_paragraph(&text[d], &footer, &a, &e); /* 0, 14, ... 84 */
    }
    const double shares[2] = {0.07, 0.071};
    for (int k = 0; k < 2; k++) {
        bar = shares[k];
        fw_scan *s = scan_texts(text, id, N, tune_boilerplate_share);
        size_t found = 0;
        for (size_t i = 0; i < fw_scan_boilerplate_count(s); i++) {
            fw_group_info g;
            assert_int_equal(fw_scan_boilerplate(s, i, &g), FW_OK);
            found += !g.line && g.docs == 7;
        }
        print_message("--boilerplate-share %.3f: %zu boilerplate groups of 7 documents\n", bar,
                      found);
        assert_int_equal(found, k == 0 ? footer.nends : 0);
        fw_scan_free(s);
    }
    for (int d = 0; d < N; d++) free(text[d].s);
}

/* A paragraph copied with its years and figures changed and words swapped
 * the way doc-sharing sites swap them: the alignment finds it as it is
 * (a fifth of its characters differ), and template mode, which folds the
 * figures and maps the swaps back, makes the two sides equal. */
static void tune_template(fw_scan_options *o) { o->template_mode = 1; }

static void test_template_mode_finds_edited_paragraph(void **state)
{
    (void)state;
    text_buf text[2] = {0};
    char id[2][16] = {"original", "resold"};
    static const char *const swaps[][2] = {
        {"发展", "进展"}, {"基础", "根底"}, {"建设", "建立"}, {"覆盖", "掩盖"}};
    rng_state = 99;
    for (int d = 0; d < 2; d++) {
        /* some other text first, different in each */
        paragraph p;
        random_paragraph(&p);
        size_t a, e;
        put_paragraph(&text[d], &p, &a, &e);
    }
    uint64_t seed = rng_state;
    for (int d = 0; d < 2; d++) {
        rng_state = seed; /* the same paragraph in both, but for the edits */
        for (int i = 0; i < 12; i++) {
            for (int k = 0; k < 6; k++) put_cp(&text[d], random_ideograph());
            char num[32];
            if (i % 2) { /* a year, a figure */
                snprintf(num, sizeof num, "%d年%d万元", d ? 2024 : 2015, d ? 606 : 631);
                put(&text[d], num, strlen(num));
            } else {
                const char *w = swaps[(i / 2) % 4][d];
                put(&text[d], w, strlen(w));
            }
        }
        put(&text[d], "\xE3\x80\x82\n", 4);
    }
    fw_scan *plain = scan_texts(text, id, 2, NULL);
    fw_scan *tmpl = scan_texts(text, id, 2, tune_template);
    assert_int_equal(fw_scan_group_count(plain), 1);
    assert_int_equal(fw_scan_group_count(tmpl), 1);
    assert_int_equal(fw_scan_reuse_count(tmpl), 1);
    const fw_reused_span *sp, *st;
    size_t n_plain, n_tmpl;
    assert_int_equal(fw_scan_spans(plain, &sp, &n_plain), FW_OK);
    assert_int_equal(fw_scan_spans(tmpl, &st, &n_tmpl), FW_OK);
    assert_int_equal(n_plain, 1);
    assert_int_equal(n_tmpl, 1);
    print_message("edited paragraph: similarity %.3f as it is, %.3f in template mode\n",
                  sp->similarity, st->similarity);
    assert_true(sp->similarity >= 0.6 && sp->similarity < 0.9);
    assert_true(st->similarity == 1.0);
    fw_scan_free(plain);
    fw_scan_free(tmpl);
    free(text[0].s);
    free(text[1].s);
}

/* Seed 000 ends in two teasers of the same 范文 under the same heading:
 * one group. Skipped without ../shared. */
static void test_seed_000_teasers_are_one_group(void **state)
{
    (void)state;
    const char *path = FANWEN_SHARED "/seeds/000_8088773ffad2292a.txt";
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_message("skipped: %s not found\n", path);
        skip();
    }
    text_buf text[1] = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) put(&text[0], buf, n);
    fclose(f);
    char id[1][16] = {"000"};
    fw_scan *s = scan_texts(text, id, 1, NULL);
    uint64_t groups[4];
    int found = 0;
    for (uint32_t k = 0; k < fw_scan_doc_passage_count(s, 0); k++) {
        fw_passage_info p;
        assert_int_equal(fw_scan_doc_passage(s, 0, k, &p), FW_OK);
        if (strncmp(p.text, "教育局上半年教育工作总结", strlen("教育局上半年教育工作总结")) == 0) {
            assert_true(found < 4);
            groups[found++] = p.group;
        }
    }
    assert_int_equal(found, 2);
    assert_true(groups[0] != 0);
    assert_int_equal(groups[0], groups[1]);
    fw_scan_free(s);
    free(text[0].s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_copies_against_brute_force),
        cmocka_unit_test(test_same_results_at_one_and_two_threads),
        cmocka_unit_test(test_footer_is_boilerplate_not_reuse),
        cmocka_unit_test(test_short_site_lines_are_left_out),
        cmocka_unit_test(test_repeated_paragraph_keeps_the_whole_span),
        cmocka_unit_test(test_boilerplate_lines_inside_a_copy_are_not_reused),
        cmocka_unit_test(test_bars_are_met_at_equality),
        cmocka_unit_test(test_extended_span_counts_its_lcs),
        cmocka_unit_test(test_span_bytes_hold_what_it_counts),
        cmocka_unit_test(test_spans_do_not_depend_on_names),
        cmocka_unit_test(test_template_mode_finds_edited_paragraph),
        cmocka_unit_test(test_seed_000_teasers_are_one_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
