/*
 * explain.c — the evidence for two documents: the runs of characters they
 * share and, between those runs, the differences template mode forgives.
 *
 * What a person checks in a 查重 report is the marked text: runs of
 * characters that both documents have in the same order. CNKI and 维普
 * mark runs of 13 characters or more (shorter ones are set phrases) and
 * count the marked characters over the document's: its copy ratio (复制比).
 * The scan has already found where two documents share text (spans.c);
 * here each span is aligned again, character by character with the same
 * bit-parallel LCS (align.c), and its runs of at least min_run characters
 * are kept. A span is aligned in windows of 2,048 characters, so that a
 * whole copied law (50,000 characters) does not need 50,000² bits: the
 * runs that end in the first three quarters of a window are kept and the
 * next window starts after the last of them.
 *
 * Between two consecutive aligned runs the texts differ. When both sides
 * are digits (a year, a figure), or become equal in template form with the
 * equal characters around them (a swapped word), the place is a difference
 * template mode would call equal: what `fanwen explain` lists.
 *
 * A pair with no span (a document-level pair whose passages did not match,
 * or any two documents asked about) gets the runs of shared n-grams of
 * min_run characters instead, joined where they follow each other in both.
 */
#include "explain.h"
#include "grow.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define WINDOW 2048   /* characters of each side aligned at once */
#define DIFF_MAX 8    /* a longer difference is an edit, not a swap */
#define CONTEXT 3     /* equal characters read around a swapped word */

/* A document's text and its normalized code points, each with the byte
 * offset of the character it came from. */
typedef struct doc_text {
    char *text;
    size_t len;
    uint32_t *cps, *off;
    size_t n, cps_cap, off_cap;
} doc_text;

typedef struct run_list {
    fw_align_run *v;
    size_t n, cap;
} run_list;

/* A difference in code points, before it is given bytes. */
typedef struct cp_diff {
    uint32_t a0, a1, b0, b1;
    fw_difference_kind kind;
} cp_diff;

typedef struct diff_list {
    cp_diff *v;
    size_t n, cap;
} diff_list;

static int push_run(run_list *l, size_t a, size_t b, size_t len)
{
    if (!fw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, 64)) return 0;
    l->v[l->n++] = (fw_align_run){(uint32_t)a, (uint32_t)b, (uint32_t)len};
    return 1;
}

void fw_explainer_free(fw_explainer *x)
{
    fw_normalizer_free(x->normalizer);
    fw_template_free(x->tmpl);
    fw_aligner_free(&x->aligner);
    free(x->span_first);
    free(x->span_count);
    free(x->ta);
    free(x->tb);
    memset(x, 0, sizeof *x);
}

fw_status fw_explainer_init(fw_explainer *x, const fw_scan *scan, unsigned min_run)
{
    memset(x, 0, sizeof *x);
    x->scan = scan;
    x->min_run = min_run ? min_run : 1;
    const fw_reused_span *sp;
    size_t ns;
    fw_status st = fw_scan_spans(scan, &sp, &ns);
    if (st != FW_OK) return st;
    const char *canon = fw_scan_get_options(scan)->canon_path;
    size_t nd = fw_scan_doc_count(scan);
    x->span_first = calloc(nd ? nd : 1, sizeof *x->span_first);
    x->span_count = calloc(nd ? nd : 1, sizeof *x->span_count);
    if (!x->span_first || !x->span_count || fw_normalizer_new(&x->normalizer) != FW_OK ||
        fw_template_new(1, &x->tmpl) != FW_OK) {
        fw_explainer_free(x);
        return fw_scan_fail(scan, FW_ERR_NOMEM, "explain: out of memory");
    }
    st = canon ? fw_template_load_canon(x->tmpl, canon) : fw_template_add_default_canon(x->tmpl);
    if (st != FW_OK) {
        fw_scan_fail(scan, st, "explain: %s", fw_template_error(x->tmpl));
        fw_explainer_free(x);
        return st;
    }
    for (size_t i = ns; i-- > 0;) { /* a document's spans as side a follow each other */
        x->span_first[sp[i].a] = i;
        x->span_count[sp[i].a]++;
    }
    return FW_OK;
}

void fw_explainer_spans_of(const fw_explainer *x, size_t doc, size_t *first, size_t *count)
{
    *first = x->span_first[doc];
    *count = x->span_count[doc];
}

static void doc_text_free(doc_text *d)
{
    free(d->text);
    free(d->cps);
    free(d->off);
    memset(d, 0, sizeof *d);
}

static fw_status doc_text_load(const fw_explainer *x, size_t doc, doc_text *d)
{
    fw_status st = fw_scan_doc_text(x->scan, doc, &d->text, &d->len);
    if (st != FW_OK) return st;
    st = fw_normalize_mapped(x->normalizer, d->text, d->len, &d->cps, &d->cps_cap, &d->n, NULL,
                             &d->off, &d->off_cap);
    return st == FW_OK ? st : fw_scan_fail(x->scan, st, "explain: cannot normalize a text");
}

/* The first code point whose character starts at or after byte `at`. */
static size_t cp_at(const doc_text *d, uint64_t at)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->off[mid] < at) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Whether source code point c joins the character before it: a combining
 * mark, or a Hangul vowel or final jamo (decomposed 윑 is U+110B U+1171
 * U+11B4, which normalizing composes into one character). */
static int joins_previous(uint32_t c)
{
    utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    return k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC ||
           k == UTF8PROC_CATEGORY_ME || (c >= 0x1160 && c <= 0x11FF) ||
           (c >= 0xD7B0 && c <= 0xD7FF);
}

/* The byte just after the character that gave code point i, with the
 * marks composed into it (not the punctuation after it, which is no part
 * of a run). */
static uint64_t byte_after(const doc_text *d, size_t i)
{
    const unsigned char *t = (const unsigned char *)d->text;
    size_t limit = i + 1 < d->n ? d->off[i + 1] : d->len;
    uint32_t cp;
    int invalid;
    size_t at = d->off[i];
    at += fw_utf8_decode(t + at, d->len - at, &cp, &invalid);
    while (at < limit) {
        size_t step = fw_utf8_decode(t + at, d->len - at, &cp, &invalid);
        if (invalid || !joins_previous(cp)) break;
        at += step;
    }
    return at;
}

/* A run that continues the last one on both sides (a window's edge cut
 * it) is that run, longer. */
static int push_run_joined(run_list *l, size_t a, size_t b, size_t len)
{
    fw_align_run *last = l->n ? &l->v[l->n - 1] : NULL;
    if (last && last->a + last->len == a && last->b + last->len == b) {
        last->len += (uint32_t)len;
        return 1;
    }
    return push_run(l, a, b, len);
}

/* Aligns a[a0, a1) with b[b0, b1) window by window; every run found, of
 * any length, in order. What a window aligns in its first three quarters
 * is kept, a run that crosses that mark up to it, and the next window
 * starts after the last character kept: a run dropped whole there would
 * lose its start for good (a window of a 2,340-character copy kept none of
 * its only run, and the copy ratio said 56%). */
static fw_status align_range(fw_explainer *x, const doc_text *a, size_t a0, size_t a1,
                             const doc_text *b, size_t b0, size_t b1, run_list *out)
{
    size_t i = a0, j = b0;
    while (i < a1 && j < b1) {
        size_t na = a1 - i < WINDOW ? a1 - i : WINDOW, nb = b1 - j < WINDOW ? b1 - j : WINDOW;
        int a_last = i + na == a1, b_last = j + nb == b1;
        /* how far a run may reach on each side: the whole of a last window */
        size_t reach_a = a_last ? na : na * 3 / 4, reach_b = b_last ? nb : nb * 3 / 4;
        size_t lcs, nr;
        fw_status st = fw_align(&x->aligner, a->cps + i, na, b->cps + j, nb, &lcs, &nr);
        if (st != FW_OK) return st;
        const fw_align_run *r = x->aligner.runs;
        size_t kept_a = 0, kept_b = 0; /* characters of this window done with */
        for (size_t k = 0; k < nr && r[k].a < reach_a && r[k].b < reach_b; k++) {
            size_t len = r[k].len;
            if (r[k].a + len > reach_a) len = reach_a - r[k].a;
            if (r[k].b + len > reach_b) len = reach_b - r[k].b;
            if (!push_run_joined(out, i + r[k].a, j + r[k].b, len)) return FW_ERR_NOMEM;
            kept_a = r[k].a + len;
            kept_b = r[k].b + len;
        }
        if (a_last && b_last) break;
        if (kept_a || kept_b) {
            i += kept_a;
            j += kept_b;
        } else {
            /* nothing before the mark: go on to the first run on a side
             * that starts past the mark, or by half a window */
            size_t first_a = nr ? r[0].a : na, first_b = nr ? r[0].b : nb;
            if (!a_last) i += first_a < na / 2 ? first_a : (na / 2 ? na / 2 : 1);
            if (!b_last) j += first_b < nb / 2 ? first_b : (nb / 2 ? nb / 2 : 1);
        }
    }
    return FW_OK;
}

static int is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

static int all_digits(const uint32_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(c[i])) return 0;
    return n > 0;
}

/* Whether a[a0, a1) and b[b0, b1) are equal in template form. */
static fw_status template_equal(fw_explainer *x, const uint32_t *a, size_t na,
                                const uint32_t *b, size_t nb, int *equal)
{
    size_t ma, mb;
    fw_status st = fw_template_apply(x->tmpl, a, na, &x->ta, &x->ta_cap, &ma);
    if (st == FW_OK) st = fw_template_apply(x->tmpl, b, nb, &x->tb, &x->tb_cap, &mb);
    *equal = st == FW_OK && ma == mb && !memcmp(x->ta, x->tb, ma * sizeof *x->ta);
    return st;
}

/* The gap between aligned runs p and q, when template mode forgives it. */
static fw_status classify_gap(fw_explainer *x, const doc_text *a, const doc_text *b,
                              const fw_align_run *p, const fw_align_run *q, diff_list *out)
{
    size_t a0 = p->a + p->len, a1 = q->a, b0 = p->b + p->len, b1 = q->b;
    if (a1 <= a0 || b1 <= b0 || a1 - a0 > DIFF_MAX || b1 - b0 > DIFF_MAX) return FW_OK;
    cp_diff d = {0};
    if (all_digits(a->cps + a0, a1 - a0) && all_digits(b->cps + b0, b1 - b0)) {
        /* the whole number on each side: 2015 / 2024 aligns its 20, and
         * 2014 / 2023 may align 2014's 2 with 2023's second 2 */
        while (a0 > 0 && is_digit(a->cps[a0 - 1])) a0--;
        while (b0 > 0 && is_digit(b->cps[b0 - 1])) b0--;
        while (a1 < a->n && is_digit(a->cps[a1])) a1++;
        while (b1 < b->n && is_digit(b->cps[b1])) b1++;
        d = (cp_diff){(uint32_t)a0, (uint32_t)a1, (uint32_t)b0, (uint32_t)b1, FW_DIFF_FIGURE};
    } else {
        size_t left = p->len < CONTEXT ? p->len : CONTEXT, right = q->len < CONTEXT ? q->len : CONTEXT;
        int equal;
        fw_status st = template_equal(x, a->cps + a0 - left, a1 - a0 + left + right,
                                      b->cps + b0 - left, b1 - b0 + left + right, &equal);
        if (st != FW_OK) return st;
        if (!equal) return FW_OK;
        d = (cp_diff){(uint32_t)a0, (uint32_t)a1, (uint32_t)b0, (uint32_t)b1, FW_DIFF_WORD};
    }
    if (!fw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v, 16)) return FW_ERR_NOMEM;
    out->v[out->n++] = d;
    return FW_OK;
}

/* One span: its runs of at least min_run characters, and its differences. */
static fw_status explain_span(fw_explainer *x, const doc_text *a, size_t a0, size_t a1,
                              const doc_text *b, size_t b0, size_t b1, run_list *aligned,
                              run_list *runs, diff_list *diffs)
{
    aligned->n = 0;
    fw_status st = align_range(x, a, a0, a1, b, b0, b1, aligned);
    for (size_t k = 0; st == FW_OK && k < aligned->n; k++) {
        const fw_align_run *r = &aligned->v[k];
        if (r->len >= x->min_run && !push_run(runs, r->a, r->b, r->len)) st = FW_ERR_NOMEM;
        if (st == FW_OK && k + 1 < aligned->n)
            st = classify_gap(x, a, b, r, &aligned->v[k + 1], diffs);
    }
    return st;
}

typedef struct gram_at {
    uint64_t hash;
    uint32_t at;
} gram_at;

static int by_hash_then_at(const void *p, const void *q)
{
    const gram_at *x = p, *y = q;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Without spans: runs of shared n-grams of min_run characters. For each
 * n-gram of a, in order, the first place b has it; consecutive n-grams that
 * follow each other in b too make one run. */
static fw_status shared_ngrams(const fw_explainer *x, const doc_text *a, const doc_text *b,
                               run_list *runs)
{
    const unsigned g = x->min_run;
    if (a->n < g || b->n < g) return FW_OK;
    size_t na = a->n - g + 1, nb = b->n - g + 1;
    size_t most = a->n > b->n ? a->n : b->n;
    uint64_t *ha = malloc(na * sizeof *ha), *hb = malloc(nb * sizeof *hb);
    gram_at *index = malloc(nb * sizeof *index);
    unsigned char *packed = malloc(fw_shingle_packed_size(most));
    fw_status st = FW_ERR_NOMEM;
    if (ha && hb && index && packed) {
        fw_shingle_hash_all(a->cps, a->n, g, 0, ha, packed);
        fw_shingle_hash_all(b->cps, b->n, g, 0, hb, packed);
        for (size_t j = 0; j < nb; j++) index[j] = (gram_at){hb[j], (uint32_t)j};
        qsort(index, nb, sizeof *index, by_hash_then_at);
        st = FW_OK;
        size_t covered = 0; /* a's characters before this are in a run */
        for (size_t i = 0; i < na && st == FW_OK;) {
            size_t lo = 0, hi = nb;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (index[mid].hash < ha[i]) lo = mid + 1;
                else hi = mid;
            }
            size_t j = lo < nb && index[lo].hash == ha[i] ? index[lo].at : SIZE_MAX;
            if (j == SIZE_MAX || memcmp(a->cps + i, b->cps + j, g * sizeof *a->cps)) {
                i++;
                continue;
            }
            size_t k = 1;
            while (i + k < na && j + k < nb && ha[i + k] == hb[j + k]) k++;
            size_t start = i > covered ? i : covered, len = i + k + g - 1 - start;
            if (!push_run(runs, start, j + (start - i), len)) st = FW_ERR_NOMEM;
            covered = i + k + g - 1;
            i += k;
        }
    }
    free(ha);
    free(hb);
    free(index);
    free(packed);
    return st;
}

static int by_a_then_b(const void *p, const void *q)
{
    const fw_align_run *x = p, *y = q;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

static int diff_by_a(const void *p, const void *q)
{
    const cp_diff *x = p, *y = q;
    if (x->a0 != y->a0) return x->a0 < y->a0 ? -1 : 1;
    if (x->b0 != y->b0) return x->b0 < y->b0 ? -1 : 1;
    if (x->a1 != y->a1) return x->a1 < y->a1 ? -1 : 1;
    if (x->b1 != y->b1) return x->b1 < y->b1 ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

fw_status fw_boilerplate_mask(const fw_scan *scan, size_t doc, const char *text, size_t len,
                              unsigned char *mask)
{
    const int passages = fw_scan_get_options(scan)->passages;
    memset(mask, passages ? 1 : 0, len);
    uint32_t n = passages ? fw_scan_doc_passage_count(scan, doc) : 0;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t start, end, group;
        fw_status st = fw_scan_doc_passage_bytes(scan, doc, k, &start, &end, &group);
        if (st != FW_OK) return st;
        fw_group_info g;
        int boilerplate = group && fw_scan_group(scan, (size_t)group - 1, &g) == FW_OK &&
                          g.boilerplate;
        if (!boilerplate && start < len) memset(mask + start, 0, (end < len ? end : len) - start);
    }
    for (size_t i = 0; n && i < len; i++) /* the line breaks between them are none */
        if (text[i] == '\n' || text[i] == '\r') mask[i] = 0;
    return FW_OK;
}

/* Characters of a text inside any of the runs, each once, but for those
 * from boilerplate bytes (`grey`): a footer copied is no copied text. */
static uint64_t marked_chars(const fw_align_run *runs, size_t n, const doc_text *d,
                             const unsigned char *grey, int side_b)
{
    unsigned char *in = calloc(d->n ? d->n : 1, 1);
    if (!in) return 0;
    for (size_t k = 0; k < n; k++) {
        size_t s = side_b ? runs[k].b : runs[k].a;
        memset(in + s, 1, runs[k].len);
    }
    uint64_t count = 0;
    for (size_t i = 0; i < d->n; i++) count += in[i] && !grey[d->off[i]];
    free(in);
    return count;
}

/* The explanation handed out: runs and differences in bytes. */
static fw_status finish(const fw_explainer *x, fw_explanation *e, doc_text *a, doc_text *b,
                        run_list *runs, diff_list *diffs)
{
    if (runs->n > 1) qsort(runs->v, runs->n, sizeof *runs->v, by_a_then_b);
    size_t u = 0; /* a run found both ways is listed once */
    for (size_t k = 0; k < runs->n; k++)
        if (!u || memcmp(&runs->v[u - 1], &runs->v[k], sizeof *runs->v)) runs->v[u++] = runs->v[k];
    runs->n = u;
    if (diffs->n > 1) qsort(diffs->v, diffs->n, sizeof *diffs->v, diff_by_a);
    /* two gaps inside one number (2018-10-15 00:46 is one run of digits
     * once normalized) both widen to the whole number: one difference */
    u = 0;
    for (size_t k = 0; k < diffs->n; k++)
        if (!u || diff_by_a(&diffs->v[u - 1], &diffs->v[k])) diffs->v[u++] = diffs->v[k];
    diffs->n = u;
    e->a_chars = a->n;
    e->b_chars = b->n;
    unsigned char *grey_a = malloc(a->len ? a->len : 1), *grey_b = malloc(b->len ? b->len : 1);
    fw_status st = grey_a && grey_b ? FW_OK : FW_ERR_NOMEM;
    if (st == FW_OK) st = fw_boilerplate_mask(x->scan, e->a, a->text, a->len, grey_a);
    if (st == FW_OK) st = fw_boilerplate_mask(x->scan, e->b, b->text, b->len, grey_b);
    if (st == FW_OK) {
        e->a_marked = marked_chars(runs->v, runs->n, a, grey_a, 0);
        e->b_marked = marked_chars(runs->v, runs->n, b, grey_b, 1);
    }
    free(grey_a);
    free(grey_b);
    if (st != FW_OK) return st;
    e->runs = malloc((runs->n ? runs->n : 1) * sizeof *e->runs);
    e->diffs = malloc((diffs->n ? diffs->n : 1) * sizeof *e->diffs);
    if (!e->runs || !e->diffs) return FW_ERR_NOMEM;
    for (size_t k = 0; k < runs->n; k++) {
        const fw_align_run *r = &runs->v[k];
        e->runs[k] = (fw_matched_run){a->off[r->a], byte_after(a, r->a + r->len - 1),
                                      b->off[r->b], byte_after(b, r->b + r->len - 1), r->len};
    }
    for (size_t k = 0; k < diffs->n; k++) {
        const cp_diff *d = &diffs->v[k];
        e->diffs[k] = (fw_difference){a->off[d->a0], byte_after(a, d->a1 - 1), b->off[d->b0],
                                      byte_after(b, d->b1 - 1), d->kind};
    }
    e->nruns = runs->n;
    e->ndiffs = diffs->n;
    e->a_text = a->text;
    e->b_text = b->text;
    e->a_len = a->len;
    e->b_len = b->len;
    a->text = b->text = NULL; /* now the explanation's */
    return FW_OK;
}

void fw_explanation_free(fw_explanation *e)
{
    if (!e) return;
    free((char *)e->a_text);
    free((char *)e->b_text);
    free(e->runs);
    free(e->diffs);
    free(e);
}

/* Runs and differences with their sides exchanged. */
static void turn(run_list *runs, diff_list *diffs)
{
    for (size_t k = 0; k < runs->n; k++) {
        fw_align_run *r = &runs->v[k];
        *r = (fw_align_run){r->b, r->a, r->len};
    }
    for (size_t k = 0; k < diffs->n; k++) {
        cp_diff *d = &diffs->v[k];
        *d = (cp_diff){d->b0, d->b1, d->a0, d->a1, d->kind};
    }
}

fw_status fw_explainer_explain(fw_explainer *x, size_t a, size_t b, fw_explanation **out)
{
    *out = NULL;
    fw_doc_info da, db;
    fw_status st = fw_scan_doc(x->scan, a, &da);
    if (st == FW_OK) st = fw_scan_doc(x->scan, b, &db);
    if (st != FW_OK) return st;
    fw_explanation *e = calloc(1, sizeof *e);
    doc_text ta = {0}, tb = {0};
    run_list aligned = {0}, runs = {0};
    diff_list diffs = {0};
    if (!e) return fw_scan_fail(x->scan, FW_ERR_NOMEM, "explain: out of memory");
    e->a = a;
    e->b = b;
    st = doc_text_load(x, a, &ta);
    if (st == FW_OK) st = doc_text_load(x, b, &tb);
    /* the pair's spans are listed under the document with the smaller id,
     * and aligned that way round whichever is asked about first (where two
     * alignments are as long, which one the aligner takes depends on the
     * order: `explain A B` and `explain B A` would differ), then turned */
    const int swapped = da.rank > db.rank;
    const doc_text *first_doc = swapped ? &tb : &ta, *second_doc = swapped ? &ta : &tb;
    const fw_reused_span *sp;
    size_t ns, first, count;
    if (st == FW_OK) st = fw_scan_spans(x->scan, &sp, &ns);
    if (st == FW_OK) fw_explainer_spans_of(x, swapped ? b : a, &first, &count);
    for (size_t k = first; st == FW_OK && k < first + count; k++) {
        const fw_reused_span *s = &sp[k];
        if (s->b != (swapped ? a : b)) continue;
        e->spans++;
        st = explain_span(x, first_doc, cp_at(first_doc, s->a_start), cp_at(first_doc, s->a_end),
                          second_doc, cp_at(second_doc, s->b_start),
                          cp_at(second_doc, s->b_end), &aligned, &runs, &diffs);
    }
    if (swapped) turn(&runs, &diffs);
    e->from_spans = e->spans > 0;
    /* without spans, the shared n-grams both ways: each n-gram of A is
     * run to the first place B has it, so a string B holds twice would be
     * marked (and painted) once, and the copy ratio would depend on which
     * document is given first; B's runs to A add its other places */
    run_list back = {0};
    if (st == FW_OK && !e->spans) st = shared_ngrams(x, &ta, &tb, &runs);
    if (st == FW_OK && !e->spans) st = shared_ngrams(x, &tb, &ta, &back);
    for (size_t k = 0; st == FW_OK && k < back.n; k++)
        if (!push_run(&runs, back.v[k].b, back.v[k].a, back.v[k].len)) st = FW_ERR_NOMEM;
    free(back.v);
    if (st == FW_OK) st = finish(x, e, &ta, &tb, &runs, &diffs);
    doc_text_free(&ta);
    doc_text_free(&tb);
    free(aligned.v);
    free(runs.v);
    free(diffs.v);
    if (st != FW_OK) {
        fw_explanation_free(e);
        if (st == FW_ERR_NOMEM) fw_scan_fail(x->scan, st, "explain: out of memory");
        return st;
    }
    *out = e;
    return FW_OK;
}

fw_status fw_scan_explain(const fw_scan *scan, size_t a, size_t b, unsigned min_run,
                          fw_explanation **out)
{
    fw_explainer x;
    *out = NULL;
    if (!min_run) return fw_scan_fail(scan, FW_ERR_ARG, "fw_scan_explain: min_run must be >= 1");
    fw_status st = fw_explainer_init(&x, scan, min_run);
    if (st != FW_OK) return st;
    st = fw_explainer_explain(&x, a, b, out);
    fw_explainer_free(&x);
    return st;
}
