/*
 * spans.c — reused spans: the stretches of text two documents share, with
 * their exact extent, from the passages that matched.
 *
 * A copied report matches its source passage by passage; what a reader
 * wants is the whole copied stretch, where it starts and ends in each
 * document and how much of it survived the rewording. So the matched
 * passage pairs of two documents (boilerplate left out) are chained
 * (seed and extend): passage i of A with j of B, then i + 1 with j + 1, and
 * so on, one unmatched passage on either side bridged (a paragraph
 * rewritten beyond recognition, an inserted sentence), never a boilerplate
 * one. Each chain's text is aligned character by character (align.c), in
 * windows of at most FW_SPAN_WINDOW characters a side that follow each
 * other, and the span is cut to its first and last run of at least
 * FW_SPAN_ANCHOR aligned characters: a passage boundary falls where the
 * sentence does, not where the copying does, and a lone equal character
 * at the edge is chance. Then the span is extended (seed and extend, as
 * the PAN text-alignment systems do): the text on after it, and before it,
 * is aligned in small windows and taken for as long as aligned runs keep
 * following each other closely. That recovers what passage matching
 * cannot see: a copy with a fifth of its characters dropped is cut into
 * passages differently from its source (lengths decide where short pieces
 * merge), so its passages may pair up with none of the source's, though
 * every sentence is there. Extension stops at boilerplate and at text in
 * no passage (a boilerplate line).
 *
 * Each span's alignment also shows which words the copy changed: the
 * short differing regions between aligned runs go to the substitution
 * miner (swaps.c), which learns the corpus's own swap table.
 *
 * The spans give document reuse: the share of A's characters aligned with
 * B (a_in_b), counted once however many spans cover them, and each
 * document's reused share, its characters aligned with any other place.
 * So an edited copy counts the characters it kept, not the passages whose
 * n-gram sets happened to pass a threshold.
 *
 * Document pairs are independent and done in parallel; everything is
 * sorted before it is used, so the result does not depend on threads.
 */
#include "spans.h"
#include "align.h"
#include "grow.h"
#include "measure.h"
#include "sort.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Characters a side that one alignment takes at most: a whole copied
 * report is aligned in windows of this size, which bounds the DP columns
 * to 4000 · 63 words (2 MB) a thread. */
#define FW_SPAN_WINDOW 4000
#define BRIDGE 1 /* unmatched passages a chain may step over, per side */
/* Extension beyond a chain's passages: windows of EXTEND_FIRST characters,
 * doubling up to EXTEND_WINDOW while they are taken to their end, taken
 * while runs of at least EXTEND_RUN aligned characters follow each other
 * with at most EXTEND_GAP characters between them on either side. Most
 * spans end where their passages do: a small first window finds that for
 * an eighth of the cost. */
#define EXTEND_FIRST 32
#define EXTEND_WINDOW 256
#define EXTEND_RUN 2
#define EXTEND_GAP 6

/* A matched pair of passages as two documents see it. */
typedef struct match {
    uint32_t da, db;      /* documents (ranks), da <= db */
    uint32_t i, j;        /* passage positions in da and db */
} match;

static int by_documents_then_passages(const void *x, const void *y)
{
    const match *a = x, *b = y;
    if (a->da != b->da) return a->da < b->da ? -1 : 1;
    if (a->db != b->db) return a->db < b->db ? -1 : 1;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/* Characters [start, end) of a document's aligned text. */
typedef struct interval {
    uint32_t doc;
    uint32_t start, end;
} interval;

/* What one thread builds. */
typedef struct thread_out {
    fw_reused_span *spans;
    size_t nspans, spans_cap;
    fw_reuse_pair *reuse;
    size_t nreuse, reuse_cap;
    interval *cover;      /* aligned characters, for reused_chars */
    size_t ncover, cover_cap;
    fw_aligner aligner;
    fw_aligned_reader ra, rb;
    fw_swaps *swaps;      /* this thread's substitution miner */
    fw_align_run *shifted; /* a span's runs, from its region's start */
    size_t shifted_cap;
    fw_align_run *runs;   /* a chain's runs, positions in the documents */
    size_t nruns, runs_cap;
    size_t windows;       /* how many windows gave them */
    uint32_t *chain_of;   /* a pair's points: their chain */
    uint32_t *chain_last; /* each chain's last point */
    size_t chain_cap, last_cap;
} thread_out;

static void thread_out_free(thread_out *t)
{
    free(t->spans);
    free(t->reuse);
    free(t->cover);
    fw_aligner_free(&t->aligner);
    fw_aligned_reader_free(&t->ra);
    fw_aligned_reader_free(&t->rb);
    fw_swaps_free(t->swaps);
    free(t->shifted);
    free(t->runs);
    free(t->chain_of);
    free(t->chain_last);
}

static const fw_passage *passage_of(const fw_spans_input *in, uint32_t doc, uint32_t k)
{
    return in->passage[in->first[doc] + k];
}

static uint32_t cend(const fw_passage *p) { return p->cstart + p->clen; }

/* Can a chain whose last point is `last` take `next`? Both move forward by
 * at most BRIDGE + 1 passages, over passages that are neither boilerplate
 * nor matched elsewhere in this pair (`used_a`, `used_b`: a paragraph
 * moved elsewhere is its own span, not a gap to bridge). */
static int extends(const fw_spans_input *in, const match *last, const match *next,
                   const uint8_t *used_a, const uint8_t *used_b)
{
    /* forward on both sides: a passage that matches twice is a repeated
     * paragraph, two spans (cut differences are for extension to bridge) */
    if (next->i <= last->i || next->j <= last->j) return 0;
    if (next->i - last->i > BRIDGE + 1 || next->j - last->j > BRIDGE + 1) return 0;
    for (uint32_t k = last->i + 1; k < next->i; k++)
        if (in->boilerplate[in->first[last->da] + k] || used_a[k]) return 0;
    for (uint32_t k = last->j + 1; k < next->j; k++)
        if (in->boilerplate[in->first[last->db] + k] || used_b[k]) return 0;
    return 1;
}

/* Assigns each point of one document pair (sorted by i, then j) to a
 * chain: the open chain it extends whose last point is latest, or a new
 * one. Returns the number of chains. */
static size_t build_chains(const fw_spans_input *in, const match *m, size_t n, thread_out *t,
                           const uint8_t *used_a, const uint8_t *used_b)
{
    size_t nchains = 0;
    for (size_t k = 0; k < n; k++) {
        size_t best = SIZE_MAX;
        for (size_t c = 0; c < nchains; c++) {
            const match *last = &m[t->chain_last[c]];
            if (!extends(in, last, &m[k], used_a, used_b)) continue;
            if (best == SIZE_MAX || last->i > m[t->chain_last[best]].i ||
                (last->i == m[t->chain_last[best]].i && last->j > m[t->chain_last[best]].j))
                best = c;
        }
        if (best == SIZE_MAX) best = nchains++;
        t->chain_of[k] = (uint32_t)best;
        t->chain_last[best] = (uint32_t)k;
    }
    return nchains;
}

/* Appends runs of one window, shifted to document positions, joining a run
 * that continues the previous one. */
static int append_runs(thread_out *t, const fw_align_run *r, size_t n, uint32_t a0, uint32_t b0)
{
    for (size_t k = 0; k < n; k++) {
        fw_align_run x = {r[k].a + a0, r[k].b + b0, r[k].len};
        if (t->nruns) {
            fw_align_run *p = &t->runs[t->nruns - 1];
            if (p->a + p->len == x.a && p->b + p->len == x.b) {
                p->len += x.len;
                continue;
            }
        }
        if (!fw_grow(&t->runs, &t->runs_cap, t->nruns + 1, sizeof *t->runs, 256)) return 0;
        t->runs[t->nruns++] = x;
    }
    return 1;
}

/* Aligns characters [a0, a0 + na) of document da with [b0, b0 + nb) of
 * db: the runs in t->aligner.runs[0, *nr), counted from a0 and b0. */
static fw_status align_windows(const fw_spans_input *in, thread_out *t, uint32_t da,
                               uint32_t a0, uint32_t na, uint32_t db, uint32_t b0, uint32_t nb,
                               size_t *nr)
{
    const uint32_t *ta, *tb;
    size_t lcs;
    fw_status st = fw_aligned_read(in->texts, &t->ra, da, a0, na, &ta, NULL);
    if (st == FW_OK) st = fw_aligned_read(in->texts, &t->rb, db, b0, nb, &tb, NULL);
    if (st == FW_OK) st = fw_align(&t->aligner, ta, na, tb, nb, &lcs, nr);
    return st;
}

/* Aligns the text of one chain (its points pts[0..n), in order): windows
 * of whole points, each starting where the last one ended. */
static fw_status align_chain(const fw_spans_input *in, thread_out *t, const match *m,
                             const uint32_t *pts, size_t n)
{
    const uint32_t da = m[pts[0]].da, db = m[pts[0]].db;
    uint32_t a_from = passage_of(in, da, m[pts[0]].i)->cstart;
    uint32_t b_from = passage_of(in, db, m[pts[0]].j)->cstart;
    t->nruns = 0;
    t->windows = 0;
    for (size_t k = 0; k < n;) {
        size_t e = k + 1; /* the window: points k .. e - 1 */
        while (e < n && cend(passage_of(in, da, m[pts[e]].i)) - a_from <= FW_SPAN_WINDOW &&
               cend(passage_of(in, db, m[pts[e]].j)) - b_from <= FW_SPAN_WINDOW)
            e++;
        uint32_t a_to = cend(passage_of(in, da, m[pts[e - 1]].i));
        uint32_t b_to = cend(passage_of(in, db, m[pts[e - 1]].j));
        if (a_to > a_from && b_to > b_from) {
            size_t nr;
            fw_status st = align_windows(in, t, da, a_from, a_to - a_from, db, b_from,
                                         b_to - b_from, &nr);
            if (st != FW_OK) return st;
            if (!append_runs(t, t->aligner.runs, nr, a_from, b_from)) return FW_ERR_NOMEM;
            t->windows++;
        }
        a_from = a_to > a_from ? a_to : a_from;
        b_from = b_to > b_from ? b_to : b_from;
        k = e;
    }
    return FW_OK;
}

/* The number of the last passage of `doc` starting at or before aligned
 * position `pos` (the one holding it, if any holds it), or first[doc + 1]
 * when none does. */
static uint64_t passage_holding(const fw_spans_input *in, uint32_t doc, uint32_t pos)
{
    uint64_t lo = in->first[doc], hi = in->first[doc + 1];
    if (lo == hi || in->passage[lo]->cstart > pos) return in->first[doc + 1];
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (in->passage[mid]->cstart <= pos) lo = mid; else hi = mid;
    }
    return lo;
}

/* The byte where the character at `pos` of a document's aligned text ends
 * its part of the span: the end of its passage when it is the passage's
 * last, else where the next character starts (punctuation between them
 * belongs to the copied text). */
static fw_status byte_end(const fw_spans_input *in, fw_aligned_reader *r, uint32_t doc,
                          uint32_t pos, uint64_t *out)
{
    const fw_passage *p = in->passage[passage_holding(in, doc, pos)];
    if (pos + 1 >= cend(p)) {
        *out = p->byte_end;
        return FW_OK;
    }
    const uint32_t *cps, *offs;
    fw_status st = fw_aligned_read(in->texts, r, doc, pos + 1, 1, &cps, &offs);
    if (st == FW_OK) *out = offs[0];
    return st;
}

static fw_status byte_start(const fw_spans_input *in, fw_aligned_reader *r, uint32_t doc,
                            uint32_t pos, uint64_t *out)
{
    const uint32_t *cps, *offs;
    fw_status st = fw_aligned_read(in->texts, r, doc, pos, 1, &cps, &offs);
    if (st == FW_OK) *out = offs[0];
    return st;
}

static int push_cover(thread_out *t, uint32_t doc, uint32_t start, uint32_t end)
{
    if (!fw_grow(&t->cover, &t->cover_cap, t->ncover + 1, sizeof *t->cover, 1024)) return 0;
    t->cover[t->ncover++] = (interval){doc, start, end};
    return 1;
}

/* Is position `pos` of a document's aligned text in a passage that is not
 * boilerplate (not in a boilerplate line either, which is in none)? */
static int extendable(const fw_spans_input *in, uint32_t doc, uint32_t pos)
{
    uint64_t p = passage_holding(in, doc, pos);
    return p < in->first[doc + 1] && pos < cend(in->passage[p]) && !in->boilerplate[p];
}

static int run_extendable(const fw_spans_input *in, uint32_t da, uint32_t db,
                          const fw_align_run *r)
{
    return extendable(in, da, r->a) && extendable(in, da, r->a + r->len - 1) &&
           extendable(in, db, r->b) && extendable(in, db, r->b + r->len - 1);
}

/* Characters [start, end) of a document's aligned text into the coverage,
 * but for those in no passage or in a boilerplate one: a boilerplate line
 * between two copied paragraphs is aligned with the span around it, yet
 * it is furniture, not reuse (docs.csv's reused_share and
 * boilerplate_share never count a character twice). */
static int push_reused(const fw_spans_input *in, thread_out *t, uint32_t doc, uint32_t start,
                       uint32_t end)
{
    const uint64_t last = in->first[doc + 1];
    uint64_t p = passage_holding(in, doc, start);
    if (p == last) p = in->first[doc]; /* start is before the first passage */
    for (; p < last; p++) {
        const fw_passage *q = in->passage[p];
        if (q->cstart >= end) break;
        uint32_t lo = q->cstart > start ? q->cstart : start, hi = cend(q) < end ? cend(q) : end;
        if (lo < hi && !in->boilerplate[p] && !push_cover(t, doc, lo, hi)) return 0;
    }
    return 1;
}

/* Drops the runs before the first and after the last anchor (in place);
 * returns 0 when there is no anchor. */
static int trim_to_anchors(thread_out *t)
{
    size_t f = 0, l = t->nruns;
    while (f < t->nruns && t->runs[f].len < FW_SPAN_ANCHOR) f++;
    while (l > f && t->runs[l - 1].len < FW_SPAN_ANCHOR) l--;
    if (f) memmove(t->runs, t->runs + f, (l - f) * sizeof *t->runs);
    t->nruns = l - f;
    return t->nruns > 0;
}

/* Extends the span forward: windows after its end on both sides, runs
 * taken while they follow closely. */
static fw_status extend_forward(const fw_spans_input *in, thread_out *t, uint32_t da,
                                uint32_t db)
{
    const uint32_t la = in->texts->len[da], lb = in->texts->len[db];
    for (uint32_t window = EXTEND_FIRST;; window = window < EXTEND_WINDOW ? 2 * window : window) {
        const fw_align_run *last = &t->runs[t->nruns - 1];
        uint32_t a0 = last->a + last->len, b0 = last->b + last->len;
        uint32_t na = la - a0 < window ? la - a0 : window;
        uint32_t nb = lb - b0 < window ? lb - b0 : window;
        if (!na || !nb) return FW_OK;
        size_t nr;
        fw_status st = align_windows(in, t, da, a0, na, db, b0, nb, &nr);
        if (st != FW_OK) return st;
        uint32_t pa = 0, pb = 0;
        size_t taken = 0, next = 0; /* runs [0, next) are in the span */
        for (size_t k = 0; k < nr; k++) {
            fw_align_run r = t->aligner.runs[k];
            if (r.len < EXTEND_RUN) continue;
            if (r.a - pa > EXTEND_GAP || r.b - pb > EXTEND_GAP) break;
            fw_align_run x = {r.a + a0, r.b + b0, r.len};
            if (!run_extendable(in, da, db, &x)) break;
            /* with the short runs before it: they decide nothing, but the
             * span's aligned characters are all of them (its LCS) */
            if (!append_runs(t, t->aligner.runs + next, k + 1 - next, a0, b0))
                return FW_ERR_NOMEM;
            next = k + 1;
            pa = r.a + r.len;
            pb = r.b + r.len;
            taken++;
        }
        /* on only when this window was taken to its end */
        if (!taken || (na - pa > EXTEND_GAP && nb - pb > EXTEND_GAP)) return FW_OK;
    }
}

/* Extends the span backward, the same way from its start. */
static fw_status extend_backward(const fw_spans_input *in, thread_out *t, uint32_t da,
                                 uint32_t db)
{
    for (uint32_t window = EXTEND_FIRST;; window = window < EXTEND_WINDOW ? 2 * window : window) {
        uint32_t a1 = t->runs[0].a, b1 = t->runs[0].b; /* ends of the windows */
        uint32_t na = a1 < window ? a1 : window;
        uint32_t nb = b1 < window ? b1 : window;
        if (!na || !nb) return FW_OK;
        uint32_t a0 = a1 - na, b0 = b1 - nb;
        size_t nr;
        fw_status st = align_windows(in, t, da, a0, na, db, b0, nb, &nr);
        if (st != FW_OK) return st;
        uint32_t pa = na, pb = nb; /* walking left: where the taken text begins */
        size_t first = nr;
        for (size_t k = nr; k-- > 0;) {
            fw_align_run r = t->aligner.runs[k];
            if (r.len < EXTEND_RUN) continue;
            if (pa - (r.a + r.len) > EXTEND_GAP || pb - (r.b + r.len) > EXTEND_GAP) break;
            fw_align_run x = {r.a + a0, r.b + b0, r.len};
            if (!run_extendable(in, da, db, &x)) break;
            pa = r.a;
            pb = r.b;
            first = k;
        }
        if (first == nr) return FW_OK;
        /* the runs from the first taken on, the short ones between too:
         * all in the span (its LCS), though only the longer decided it */
        size_t add = nr - first;
        if (!fw_grow(&t->runs, &t->runs_cap, t->nruns + add, sizeof *t->runs, 256))
            return FW_ERR_NOMEM;
        memmove(t->runs + add, t->runs, t->nruns * sizeof *t->runs);
        for (size_t k = first; k < nr; k++) {
            fw_align_run r = t->aligner.runs[k];
            t->runs[k - first] = (fw_align_run){r.a + a0, r.b + b0, r.len};
        }
        t->nruns += add;
        if (pa > EXTEND_GAP && pb > EXTEND_GAP) return FW_OK;
    }
}

/* One span of a pair on its way out: its runs, [first, first + n) of the
 * pair's run list, and whether they are a longest common subsequence of
 * the span (one alignment, cut at anchors: the part of an optimal path
 * between two of its cells is optimal between them) rather than pieces
 * chosen on their own (windows, extension, joins). */
typedef struct pending_span {
    size_t first, n;
    int exact;
} pending_span;

/* Whether aligned positions pos and pos + 1 of `doc` came from one
 * character of its text. */
static fw_status same_char(const fw_spans_input *in, fw_aligned_reader *r, uint32_t doc,
                           uint32_t pos, int *same)
{
    const uint32_t *cps, *offs;
    fw_status st = fw_aligned_read(in->texts, r, doc, pos, 2, &cps, &offs);
    *same = st == FW_OK && offs[0] == offs[1];
    return st;
}

/* Widens aligned positions [*c0, *c1) of `doc` to whole characters of its
 * text: where one character gave several aligned ones (㎡ is m2 once
 * normalized, 建立 a longer canonical form in template mode), a span that
 * holds some of them holds all, so that its bytes hold what it counts. */
static fw_status whole_chars(const fw_spans_input *in, fw_aligned_reader *r, uint32_t doc,
                             uint32_t *c0, uint32_t *c1)
{
    const uint32_t len = in->texts->len[doc];
    int same = 1;
    fw_status st = FW_OK;
    while (st == FW_OK && *c0 > 0 && (st = same_char(in, r, doc, *c0 - 1, &same)) == FW_OK &&
           same)
        (*c0)--;
    while (st == FW_OK && *c1 < len && (st = same_char(in, r, doc, *c1 - 1, &same)) == FW_OK &&
           same)
        (*c1)++;
    return st;
}

/* The span of runs r[0, n) (in order, anchors at both ends) as a row, its
 * runs into the coverage. */
static fw_status emit_span(const fw_spans_input *in, thread_out *t, uint32_t da, uint32_t db,
                           const fw_align_run *r, size_t n, int exact)
{
    const fw_align_run *x = &r[0], *y = &r[n - 1];
    uint32_t a0 = x->a, a1 = y->a + y->len, b0 = x->b, b1 = y->b + y->len;
    fw_status st = whole_chars(in, &t->ra, da, &a0, &a1);
    if (st == FW_OK) st = whole_chars(in, &t->rb, db, &b0, &b1);
    if (st != FW_OK) return st;
    fw_reused_span sp = {da, db, 0, 0, 0, 0, a1 - a0, b1 - b0, 0, 0};
    for (size_t k = 0; k < n; k++) {
        sp.matched += r[k].len;
        if (!push_reused(in, t, da, r[k].a, r[k].a + r[k].len) ||
            !push_reused(in, t, db, r[k].b, r[k].b + r[k].len))
            return FW_ERR_NOMEM;
    }
    const int widened = a0 != x->a || a1 != y->a + y->len || b0 != x->b || b1 != y->b + y->len;
    if ((!exact || widened) && sp.matched < (sp.a_chars < sp.b_chars ? sp.a_chars : sp.b_chars)) {
        /* runs from windows, extension and joins, each chosen on its own,
         * can fall short of the span's longest common subsequence, which
         * matched_chars is (its length alone needs no traceback, so no
         * window): 183 of 105,820 spans of a generated corpus, by 33
         * characters on average */
        const uint32_t *ta, *tb;
        size_t lcs;
        st = fw_aligned_read(in->texts, &t->ra, da, a0, (uint32_t)sp.a_chars, &ta, NULL);
        if (st == FW_OK)
            st = fw_aligned_read(in->texts, &t->rb, db, b0, (uint32_t)sp.b_chars, &tb, NULL);
        if (st == FW_OK) st = fw_align_lcs(&t->aligner, ta, sp.a_chars, tb, sp.b_chars, &lcs);
        if (st != FW_OK) return st;
        sp.matched = lcs;
    }
    sp.similarity = (double)sp.matched /
                    (double)(sp.a_chars > sp.b_chars ? sp.a_chars : sp.b_chars);
    if (st == FW_OK) st = byte_start(in, &t->ra, da, a0, &sp.a_start);
    if (st == FW_OK) st = byte_end(in, &t->ra, da, a1 - 1, &sp.a_end);
    if (st == FW_OK) st = byte_start(in, &t->rb, db, b0, &sp.b_start);
    if (st == FW_OK) st = byte_end(in, &t->rb, db, b1 - 1, &sp.b_end);
    if (st != FW_OK) return st;
    if (!fw_grow(&t->spans, &t->spans_cap, t->nspans + 1, sizeof *t->spans, 256))
        return FW_ERR_NOMEM;
    t->spans[t->nspans++] = sp;
    return FW_OK;
}

/* The substitutions of one span (runs r[0, n)): its two regions, the runs
 * counted from their starts, to this thread's miner. */
static fw_status mine_swaps(const fw_spans_input *in, thread_out *t, uint32_t da, uint32_t db,
                            const fw_align_run *r, size_t n)
{
    if (n < 2) return FW_OK; /* a substitution lies between two runs */
    uint32_t a0 = r[0].a, b0 = r[0].b;
    uint32_t na = r[n - 1].a + r[n - 1].len - a0, nb = r[n - 1].b + r[n - 1].len - b0;
    if (!fw_grow(&t->shifted, &t->shifted_cap, n, sizeof *t->shifted, 256)) return FW_ERR_NOMEM;
    for (size_t k = 0; k < n; k++)
        t->shifted[k] = (fw_align_run){r[k].a - a0, r[k].b - b0, r[k].len};
    const uint32_t *ta, *tb;
    fw_status st = fw_aligned_read(in->texts, &t->ra, da, a0, na, &ta, NULL);
    if (st == FW_OK) st = fw_aligned_read(in->texts, &t->rb, db, b0, nb, &tb, NULL);
    if (st == FW_OK) st = fw_swaps_add(t->swaps, da, ta, na, db, tb, nb, t->shifted, n);
    return st;
}

/* Sorts intervals by document, then start (radix: a corpus of copies
 * gives millions of them), through `keyed` scratch of 2n records. The
 * order among equal starts does not matter to union_length(). */
static int sort_intervals(interval *v, size_t n)
{
    fw_keyed *rec = malloc((n ? 2 * n : 1) * sizeof *rec);
    if (!rec) return 0;
    for (size_t i = 0; i < n; i++)
        rec[i] = (fw_keyed){(uint64_t)v[i].doc << 32 | v[i].start, v[i].end};
    fw_sort_keyed(rec, rec + n, n);
    for (size_t i = 0; i < n; i++)
        v[i] = (interval){(uint32_t)(rec[i].key >> 32), (uint32_t)rec[i].key, rec[i].value};
    free(rec);
    return 1;
}

/* Characters covered by a list of intervals of one document, sorted. */
static uint64_t union_length(const interval *v, size_t n)
{
    if (!n) return 0;
    uint64_t total = 0;
    uint32_t s = v[0].start, e = v[0].end;
    for (size_t k = 1; k < n; k++) {
        if (v[k].start > e) {
            total += e - s;
            s = v[k].start;
            e = v[k].end;
        } else if (v[k].end > e) {
            e = v[k].end;
        }
    }
    return total + (e - s);
}

/* One pair of documents: its points m[0..n) become chains, spans, and (two
 * different documents) a reuse row. */
/* Where a pending span ends, on side a or b. */
static uint32_t end_a(const fw_align_run *r, const pending_span *p)
{
    return r[p->first + p->n - 1].a + r[p->first + p->n - 1].len;
}

static uint32_t end_b(const fw_align_run *r, const pending_span *p)
{
    return r[p->first + p->n - 1].b + r[p->first + p->n - 1].len;
}

/* Sorts a pair's pending spans by where they start in a (then b). */
static void sort_pending(pending_span *p, size_t n, const fw_align_run *r)
{
    for (size_t i = 1; i < n; i++) {
        pending_span x = p[i];
        size_t j = i;
        for (; j && (r[p[j - 1].first].a > r[x.first].a ||
                     (r[p[j - 1].first].a == r[x.first].a &&
                      r[p[j - 1].first].b > r[x.first].b));
             j--)
            p[j] = p[j - 1];
        p[j] = x;
    }
}

/* Characters of span y aligned as span x aligns them (the same character
 * of a with the same of b), and those of y inside x's extent on both
 * sides. Runs are in order on both sides. */
static void on_path(const fw_align_run *r, const pending_span *x, const pending_span *y,
                    uint64_t *same, uint64_t *within)
{
    const fw_align_run *xr = r + x->first, *yr = r + y->first;
    const uint32_t xa0 = xr[0].a, xb0 = xr[0].b, xa1 = end_a(r, x), xb1 = end_b(r, x);
    size_t i = 0;
    *same = *within = 0;
    for (size_t k = 0; k < y->n; k++) {
        const fw_align_run *q = &yr[k];
        if (q->a >= xa0 && q->a + q->len <= xa1 && q->b >= xb0 && q->b + q->len <= xb1)
            *within += q->len;
        while (i < x->n && xr[i].a + xr[i].len <= q->a) i++;
        for (size_t j = i; j < x->n && xr[j].a < q->a + q->len; j++) {
            if (xr[j].b - xr[j].a != q->b - q->a) continue; /* another diagonal */
            uint32_t lo = xr[j].a > q->a ? xr[j].a : q->a;
            uint32_t hi = xr[j].a + xr[j].len < q->a + q->len ? xr[j].a + xr[j].len
                                                                : q->a + q->len;
            *same += hi - lo;
        }
    }
}

/* What span y is to x, a span before it (sorted by start): the rest of it
 * (x's extension ran into y's chain, and y goes on past x's end on both
 * sides), a part of it (inside x's extent, aligned as x aligns it), or a
 * span of its own (another alignment of the same text: the crossing of a
 * paragraph that both documents hold twice). */
enum { OWN_SPAN, CONTINUES, PART_OF };

static int relation(const fw_align_run *r, const pending_span *x, const pending_span *y)
{
    const fw_align_run *x0 = &r[x->first], *y0 = &r[y->first];
    if (y0->a < x0->a || y0->b < x0->b || y0->a >= end_a(r, x) || y0->b >= end_b(r, x))
        return OWN_SPAN; /* not overlapping x on both sides from within */
    uint64_t same, within;
    on_path(r, x, y, &same, &within);
    if (2 * same < within) return OWN_SPAN; /* y aligns that text otherwise */
    if (end_a(r, y) > end_a(r, x) && end_b(r, y) > end_b(r, x)) return CONTINUES;
    if (end_a(r, y) <= end_a(r, x) && end_b(r, y) <= end_b(r, x)) return PART_OF;
    return OWN_SPAN;
}

/* Joins spans that continue one another (extension runs one chain's span
 * into the next one's): the first one's runs up to where the second's
 * begin on both sides, then the second's; drops a span that is part of
 * another. In place; returns how many are left. */
static size_t merge_overlapping(pending_span *p, size_t n, fw_align_run **runs, size_t *nr,
                                size_t *runs_cap, int *nomem)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        fw_align_run *r = *runs;
        const pending_span *y = &p[i];
        size_t with = k;
        int rel = OWN_SPAN;
        for (size_t c = k; c-- > 0 && rel == OWN_SPAN;) /* the latest first */
            if ((rel = relation(r, &p[c], y)) != OWN_SPAN) with = c;
        if (rel == PART_OF) continue;
        if (rel == CONTINUES) {
            pending_span *x = &p[with];
            const fw_align_run *y0 = &r[y->first];
            /* x's runs that end before y's first, then y's: appended */
            size_t keep = 0;
            while (keep < x->n && r[x->first + keep].a + r[x->first + keep].len <= y0->a &&
                   r[x->first + keep].b + r[x->first + keep].len <= y0->b)
                keep++;
            size_t need = *nr + keep + y->n;
            if (!fw_grow(runs, runs_cap, need, sizeof *r, 256)) {
                *nomem = 1;
                return k;
            }
            r = *runs;
            size_t at = *nr;
            memmove(r + at, r + x->first, keep * sizeof *r);
            memmove(r + at + keep, r + y->first, y->n * sizeof *r);
            *nr = need;
            x->first = at;
            x->n = keep + y->n;
            x->exact = 0;
            continue;
        }
        p[k++] = p[i];
    }
    return k;
}

/* One pair of documents: its points m[0..n) become chains, each chain a
 * span (aligned, cut to anchors, extended), spans that continue one
 * another are joined (merge_overlapping), and (two different documents) a
 * reuse row is made. */
static fw_status one_pair(const fw_spans_input *in, thread_out *t, const match *m, size_t n)
{
    const uint32_t da = m[0].da, db = m[0].db;
    if (!fw_grow(&t->chain_of, &t->chain_cap, n, sizeof *t->chain_of, 64) ||
        !fw_grow(&t->chain_last, &t->last_cap, n, sizeof *t->chain_last, 64))
        return FW_ERR_NOMEM;
    size_t pa = in->first[da + 1] - in->first[da], pb = in->first[db + 1] - in->first[db];
    uint8_t *used_a = calloc(pa + pb, 1), *used_b = used_a + pa;
    if (!used_a) return FW_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) used_a[m[k].i] = used_b[m[k].j] = 1;
    size_t nchains = build_chains(in, m, n, t, used_a, used_b);
    free(used_a);
    uint32_t *pts = malloc(n * sizeof *pts);
    pending_span *pend = malloc((nchains ? nchains : 1) * sizeof *pend);
    fw_align_run *runs = NULL; /* every span's runs, end to end */
    size_t nruns = 0, runs_cap = 0, npend = 0;
    fw_status st = pts && pend ? FW_OK : FW_ERR_NOMEM;
    for (size_t c = 0; c < nchains && st == FW_OK; c++) {
        size_t np = 0;
        for (size_t k = 0; k < n; k++)
            if (t->chain_of[k] == c) pts[np++] = (uint32_t)k;
        st = align_chain(in, t, m, pts, np);
        if (st != FW_OK || !trim_to_anchors(t)) continue;
        const size_t before = t->nruns;
        const fw_align_run first = t->runs[0], last = t->runs[t->nruns - 1];
        st = extend_forward(in, t, da, db);
        if (st == FW_OK) st = extend_backward(in, t, da, db);
        if (st != FW_OK) break;
        const int extended = t->nruns != before || memcmp(&first, &t->runs[0], sizeof first) ||
                             memcmp(&last, &t->runs[t->nruns - 1], sizeof last);
        if (!fw_grow(&runs, &runs_cap, nruns + t->nruns, sizeof *runs, 256)) {
            st = FW_ERR_NOMEM;
            break;
        }
        memcpy(runs + nruns, t->runs, t->nruns * sizeof *runs);
        pend[npend++] = (pending_span){nruns, t->nruns, t->windows == 1 && !extended};
        nruns += t->nruns;
    }
    int nomem = 0;
    if (st == FW_OK && npend > 1) {
        sort_pending(pend, npend, runs);
        npend = merge_overlapping(pend, npend, &runs, &nruns, &runs_cap, &nomem);
        if (nomem) st = FW_ERR_NOMEM;
    }
    const size_t c0 = t->ncover; /* the pair's coverage: t->cover[c0, ...) */
    for (size_t k = 0; k < npend && st == FW_OK; k++) {
        const fw_align_run *r = runs + pend[k].first;
        st = emit_span(in, t, da, db, r, pend[k].n, pend[k].exact);
        if (st == FW_OK) st = mine_swaps(in, t, da, db, r, pend[k].n);
    }
    interval *side = NULL; /* that coverage sorted: da's, then db's */
    const size_t nc = t->ncover - c0;
    if (st == FW_OK && da != db && nc) {
        if (!(side = malloc(nc * sizeof *side))) st = FW_ERR_NOMEM;
        else memcpy(side, t->cover + c0, nc * sizeof *side);
        if (st == FW_OK && !sort_intervals(side, nc)) st = FW_ERR_NOMEM;
    }
    if (st == FW_OK && da != db && nc) {
        size_t na = 0; /* da < db: its intervals come first */
        while (na < nc && side[na].doc == da) na++;
        uint64_t ca = union_length(side, na), cb = union_length(side + na, nc - na);
        uint32_t la = in->texts->len[da], lb = in->texts->len[db];
        fw_reuse_pair rp = {da, db, n, ca < cb ? ca : cb, la ? (double)ca / la : 0,
                            lb ? (double)cb / lb : 0};
        if (rp.a_in_b >= in->reuse_min || rp.b_in_a >= in->reuse_min) {
            if (!fw_grow(&t->reuse, &t->reuse_cap, t->nreuse + 1, sizeof *t->reuse, 256))
                st = FW_ERR_NOMEM;
            else
                t->reuse[t->nreuse++] = rp;
        }
    }
    free(side);
    free(pts);
    free(pend);
    free(runs);
    return st;
}

static int span_order(const void *x, const void *y)
{
    const fw_reused_span *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->a_start != b->a_start) return a->a_start < b->a_start ? -1 : 1;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    if (a->b_start != b->b_start) return a->b_start < b->b_start ? -1 : 1;
    if (a->a_end != b->a_end) return a->a_end < b->a_end ? -1 : 1;
    return (a->b_end > b->b_end) - (a->b_end < b->b_end);
}

static int reuse_order(const void *x, const void *y)
{
    const fw_reuse_pair *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* The matched pairs of passages outside boilerplate, by documents then
 * positions. */
static match *gather(const fw_spans_input *in, const uint32_t *doc_of, size_t *n)
{
    match *m = malloc((in->nmatched ? in->nmatched : 1) * sizeof *m);
    if (!m) return NULL;
    size_t k = 0;
    for (size_t x = 0; x < in->nmatched; x++) {
        uint32_t a = in->matched[x].a, b = in->matched[x].b;
        if (in->boilerplate[a] || in->boilerplate[b]) continue;
        uint32_t da = doc_of[a], db = doc_of[b];
        m[k++] = (match){da, db, (uint32_t)(a - in->first[da]), (uint32_t)(b - in->first[db])};
    }
    qsort(m, k, sizeof *m, by_documents_then_passages);
    *n = k;
    return m;
}

/* Joins the threads' lists into the result, sorted. */
static fw_status collect(const fw_spans_input *in, thread_out *t, int threads,
                         fw_spans_result *out)
{
    size_t ns = 0, nr = 0, nc = 0;
    for (int x = 0; x < threads; x++) {
        ns += t[x].nspans;
        nr += t[x].nreuse;
        nc += t[x].ncover;
    }
    out->spans = malloc((ns ? ns : 1) * sizeof *out->spans);
    out->reuse = malloc((nr ? nr : 1) * sizeof *out->reuse);
    out->reused_chars = calloc(in->ndocs ? in->ndocs : 1, sizeof *out->reused_chars);
    interval *cover = malloc((nc ? nc : 1) * sizeof *cover);
    if (!out->spans || !out->reuse || !out->reused_chars || !cover) {
        free(cover);
        return FW_ERR_NOMEM;
    }
    ns = nr = nc = 0;
    for (int x = 0; x < threads; x++) {
        if (t[x].nspans) memcpy(out->spans + ns, t[x].spans, t[x].nspans * sizeof *t[x].spans);
        if (t[x].nreuse) memcpy(out->reuse + nr, t[x].reuse, t[x].nreuse * sizeof *t[x].reuse);
        if (t[x].ncover) memcpy(cover + nc, t[x].cover, t[x].ncover * sizeof *cover);
        ns += t[x].nspans;
        nr += t[x].nreuse;
        nc += t[x].ncover;
    }
    if (ns) qsort(out->spans, ns, sizeof *out->spans, span_order);
    if (nr) qsort(out->reuse, nr, sizeof *out->reuse, reuse_order);
    out->nspans = ns;
    out->nreuse = nr;
    if (!sort_intervals(cover, nc)) {
        free(cover);
        return FW_ERR_NOMEM;
    }
    for (size_t s = 0; s < nc;) { /* one document at a time */
        size_t e = s;
        while (e < nc && cover[e].doc == cover[s].doc) e++;
        out->reused_chars[cover[s].doc] = union_length(cover + s, e - s);
        s = e;
    }
    free(cover);
    return FW_OK;
}

/* Characters of aligned text the substitution miner's document
 * frequencies are counted over, at most: they only compare two words'
 * frequencies (which side is canonical), and a sample of every s-th
 * document tells that as well as the whole corpus for a fraction of the
 * cost (counting all of laws.jsonl's 19 M characters took longer than
 * aligning its passages). */
#define SWAPS_TALLY_CHARS 4000000

/* The rows of substitutions.csv: the threads' miners in one, frozen, the
 * documents' frequencies of its strings tallied over every s-th document's
 * aligned text (they decide which side is canonical), then the rows. */
static fw_status learn_swaps(const fw_spans_input *in, thread_out *t, int threads,
                             fw_spans_result *out)
{
    fw_status st = FW_OK;
    for (int x = 1; x < threads && st == FW_OK; x++) st = fw_swaps_merge(t[0].swaps, t[x].swaps);
    if (st == FW_OK) st = fw_swaps_prepare(t[0].swaps, NULL);
    if (st != FW_OK) return st;
    out->swaps = t[0].swaps;
    t[0].swaps = NULL;
    fw_swaps_tally **tally = calloc((size_t)threads, sizeof *tally);
    if (!tally) return FW_ERR_NOMEM;
    for (int x = 0; x < threads && st == FW_OK; x++) st = fw_swaps_tally_new(out->swaps, &tally[x]);
    uint64_t chars = 0;
    for (size_t d = 0; d < in->ndocs; d++) chars += in->texts->len[d];
    const size_t every = chars > SWAPS_TALLY_CHARS ? (size_t)(chars / SWAPS_TALLY_CHARS) + 1 : 1;
    int failed = st;
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
    for (size_t d = 0; d < in->ndocs; d += every) {
        int stop;
        #pragma omp atomic read
        stop = failed;
        if (stop || !in->texts->len[d]) continue;
        thread_out *me = &t[omp_get_thread_num()];
        const uint32_t *cps;
        fw_status s = fw_aligned_read(in->texts, &me->ra, d, 0, in->texts->len[d], &cps, NULL);
        if (s == FW_OK) fw_swaps_tally_doc(tally[omp_get_thread_num()], cps, in->texts->len[d]);
        else {
            #pragma omp atomic write
            failed = s;
        }
    }
    st = (fw_status)failed;
    for (int x = 0; x < threads && st == FW_OK; x++) st = fw_swaps_tally_add(out->swaps, tally[x]);
    for (int x = 0; x < threads; x++) fw_swaps_tally_free(tally[x]);
    free(tally);
    if (st == FW_OK) st = fw_swaps_finish(out->swaps, &out->substitutions, &out->nsubstitutions);
    return st;
}

fw_status fw_spans_build(const fw_spans_input *in, fw_spans_result *out)
{
    memset(out, 0, sizeof *out);
    double t0 = fw_now();
    const int threads = in->threads > 0 ? in->threads : 1;
    size_t np = in->first[in->ndocs];
    uint32_t *doc_of = malloc((np ? np : 1) * sizeof *doc_of);
    thread_out *t = calloc((size_t)threads, sizeof *t);
    if (!doc_of || !t) {
        free(doc_of);
        free(t);
        return FW_ERR_NOMEM;
    }
    for (size_t d = 0; d < in->ndocs; d++)
        for (uint64_t p = in->first[d]; p < in->first[d + 1]; p++) doc_of[p] = (uint32_t)d;
    int made = 1;
    for (int x = 0; x < threads; x++) made &= fw_swaps_new(&t[x].swaps) == FW_OK;
    size_t n = 0, npairs = 0;
    match *m = gather(in, doc_of, &n);
    size_t *starts = m ? malloc((n + 1) * sizeof *starts) : NULL;
    fw_status st = starts && made ? FW_OK : FW_ERR_NOMEM;
    for (size_t k = 0; st == FW_OK && k < n; k++) /* where each document pair begins */
        if (!k || m[k].da != m[k - 1].da || m[k].db != m[k - 1].db) starts[npairs++] = k;
    if (starts) starts[npairs] = n;
    int failed = st;
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
    for (size_t x = 0; x < npairs; x++) {
        int stop;
        #pragma omp atomic read
        stop = failed;
        if (stop) continue;
        fw_status s = one_pair(in, &t[omp_get_thread_num()], m + starts[x],
                               starts[x + 1] - starts[x]);
        if (s != FW_OK) {
            #pragma omp atomic write
            failed = s;
        }
    }
    st = failed ? (fw_status)failed : collect(in, t, threads, out);
    out->t_spans = fw_now() - t0;
    t0 = fw_now();
    if (st == FW_OK) st = learn_swaps(in, t, threads, out);
    out->t_swaps = fw_now() - t0;
    for (int x = 0; x < threads; x++) thread_out_free(&t[x]);
    free(t);
    free(m);
    free(starts);
    free(doc_of);
    return st;
}

void fw_spans_result_free(fw_spans_result *r)
{
    fw_swaps_free(r->swaps);
    free(r->spans);
    free(r->reuse);
    free(r->reused_chars);
    memset(r, 0, sizeof *r);
}
