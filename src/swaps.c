/*
 * swaps.c — learned swaps: the substitutions that aligned copies show.
 *
 * Pseudo-original (伪原创) tools swap words for synonyms (服务 → 效劳,
 * 发展 → 进展). Where the passage level aligns a copy with its source, the
 * swapped words are the short regions the alignment leaves between matched
 * text. Counted over a corpus they become a canon table for --template
 * (substitutions.csv, variant → canonical), one that includes the swaps
 * the built-in table does not know.
 *
 * Regions. Aligned runs of at least 2 characters are anchors; a shorter run
 * lies inside the gap between two anchors, because LCS breaks words: 能力
 * against 才能 aligns 能 and leaves 力 against nothing and 才 against
 * nothing. A short run cuts a gap in two only when both pieces have
 * unaligned characters on both sides (加强基础 → 增强根底: 加/增 and
 * 基础/根底, cut at 强); otherwise the pieces are one region (能力/才能). A
 * region is a candidate when both sides have an unaligned character (市委
 * → 市** is a deletion), both are 1 to 4 characters, no side has a digit
 * and not both are all numerals (years and figures change in every copy),
 * and the text around it is well aligned: at most 2 unaligned characters
 * among the 10 before and among the 10 after it, in both texts. Without
 * that last rule, the 2-character anchors LCS finds in reordered or mixed
 * text give regions of noise: aligning the generator's document pairs
 * whole gave 68 rows, 40 true, and lost 7 pairs; with it, 47 rows, all
 * true. Anchors of 3 instead of 2 lost swaps in the planted test (4 of its
 * 10 corpora fell short, against 1).
 *
 * One against one. 发展/进展 aligns 展, so the region is 发/进, half a
 * word. It is counted as a core, and widened by the aligned character on
 * its left, on its right and on both (济发/济进, 发展/进展, 济发展/济进展).
 * At the end each core keeps its most frequent widening if that holds at
 * least half of the core's occurrences: across contexts the word wins,
 * 发展 over 济发, 衡发. When the best left and right widenings are within
 * 10% of each other (the generator writes 开始 only in 开始实施, so 开始/
 * 开头 and 始实/头实 always come together), the spans cannot tell which one
 * is the word, and the corpus decides: a word turns up in more documents
 * than two characters across a word boundary (竞赛 in 3,730, 能竞 in 47), so
 * the side whose strings are in 1.5 times as many documents wins; failing
 * that, the row is the widening on both sides (开头实 → 开始实), right
 * wherever it applies. Taking the more frequent side regardless recovered
 * 4 more generator pairs exactly and put 2 half-word rows (头实 → 始实)
 * out. Cores are never rows: a rule 进 → 发 would rewrite every 进.
 *
 * Compounds. Two swaps side by side are one region (建设项目 → 建立工程
 * gives 设项目/立工程). A candidate that splits into two substitutions each
 * seen on its own (at least twice, and a quarter as often as it), or into
 * one and context the LCS took in (务服务/务效劳), is not a row. Rows have
 * sides of equal length, 2 to 4 characters: swapped words keep their
 * length (all 35 pairs read in seed 004, all 47 of the generator), unequal
 * regions are mostly two names aligned in part (疾病预防控制中心 → 数据资源
 * 管理局 gives 中心/局).
 *
 * Counting. Candidates are keyed by the pair of strings (at most 4 code
 * points each, so a fixed-size key) in an open-addressed table; each keeps
 * its count (occurrences) and the distinct document pairs it was seen in.
 * `docs` in a row is the distinct documents holding the variant; its
 * `families`, the connected components of its document pairs: copies of
 * copies of one source are one family, one act of swapping. Everything is
 * kept: 1.2 MB after the 72,483 copied passages of the generator's
 * 10,000 documents, 1.7 MB after aligning its 12,849 document pairs whole
 * (fw_swaps_bytes); the table grows with distinct substitutions and
 * document pairs, not with text. Counts and pair lists are sums and sets,
 * and every choice at the end orders by value, then by key, so rows never
 * depend on the thread count or the order of feeding.
 *
 * Which side is canonical. The source's word is the common one: the prior
 * is the log ratio of the two strings' document frequencies in the corpus
 * (tallies: one pass over the documents looking up only the candidates'
 * strings). Alone it got 4 of the generator's 47 pairs backwards, where the
 * variant is an everyday word or the swap is made often (标准 in 9,456
 * documents, 规范 in 9,459; 提升 9,719, 提高 9,098; 竞赛/比赛; 肯定/一定).
 * So each document pair also votes: a copy swaps in one direction, so the
 * other substitutions of the same two documents, judged by their priors,
 * say which of the two is the copy; each candidate takes the majority of
 * its pairs (its own prior left out), and its prior only where no pair
 * speaks. With the votes none is backwards. Only candidates that pass the
 * consistency test either way vote (place names swapped along with the
 * words would be noise). Without tallies there is no usable direction: the
 * side in more documents was right on the generator's copies and wrong on
 * all 20 planted pairs at swap rates up to 0.6, so fw_swaps_finish
 * requires tallies.
 *
 * Filters. A row needs count >= 2 and 3 families: two independent swaps of
 * the same two names happen by chance (some 400 copies of the generator
 * swap one of 62 places for another), three much less often; with 2, the
 * whole-document run gave 54 rows (47 true). Its variant must stand
 * opposite its canonical in at least 80% of the document pairs where any
 * substitution of it (or of a longer string containing it, so 湘潭县/株洲市
 * counts for 湘潭) was seen, and the canonical in at least 25% of its own
 * (a word may have a few variants). True pairs measured 0.96 to 1.00;
 * place names at most 0.63, since each place is swapped to many others.
 *
 * Measured: tests/test_swaps.c, and the generator of corpus/ through a
 * harness feeding the copied passages of its truth (passages.csv) to
 * fw_align and the miner, all documents tallied:
 *
 *   generator, 10,000 docs   all 47 pairs (the 12 the built-in table lacks
 *                            included), the right way round, 39 as the
 *                            exact pair; the other 8 in context (开头实 →
 *                            开始实) or shorter (一般 → 普通 for 一般高中,
 *                            保存 → 巩固 for 保存率). 47 rows, all true.
 *                            Pairs aligned whole: the same. With
 *                            --template's table applied first: the 12 it
 *                            lacks, exactly, 12 rows.
 *   generator, 3,000 docs    the same 47 (39 exact), 47 rows
 *   generator, 1,000 docs    35 (33 exact), 35 rows: the rest were made in
 *                            fewer than 3 families
 *   planted, rates 0.05-0.9  20 of 20, no false rows; with figures,
 *                            places, censoring, dropped characters and
 *                            page markers: the same from rate 0.1, 19 of
 *                            20 at 0.05
 *
 * The same span given the other way round (a and b exchanged) can align
 * differently where the LCS is not unique: give each pair in one order.
 */
#include "swaps.h"
#include "grow.h"
#include "mix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Aligned runs of at least ANCHOR characters are anchors; shorter runs lie
 * inside the regions between anchors. A region needs at most FLANK_GAPS
 * unaligned characters among the FLANK_W before it and among the FLANK_W
 * after it, on both texts. A one-character region's widening needs at least
 * EXPANSION_SHARE of its occurrences; its left and right widenings tie
 * within TIE, and then one wins by WORD_DF times the other's document
 * frequency. A compound's parts are seen COMPOUND_PART as often as it. All
 * measured, see the head. */
#define ANCHOR 2
#define FLANK_W 10
#define FLANK_GAPS 2
#define EXPANSION_SHARE 0.5
#define TIE 0.9
#define WORD_DF 1.5
#define COMPOUND_PART 0.25

/* The tally's prefix filters: bits, and the hash of a string extended by
 * one code point (bits of it, the top ones, index the filters). */
#define PREFIX_BITS (1u << 20)
static inline uint64_t prefix_hash(uint64_t h, uint32_t c)
{
    return (h ^ c) * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
}

static inline size_t prefix_bit(uint64_t h) { return (size_t)(h >> (64 - 20)); }

static inline int bit_set(const uint8_t *bits, size_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

/* A string of 1 to FW_SWAPS_SIDE_MAX code points, unused ones zero (code
 * point 0 never survives normalization, so zero padding orders a prefix
 * first, as byte order of UTF-8 does). */
typedef struct swap_str {
    uint32_t cp[FW_SWAPS_SIDE_MAX];
    uint32_t n;
} swap_str;

/* An unordered pair of strings, stored with x before y in byte order. */
typedef struct swap_key {
    swap_str x, y;
} swap_key;

typedef struct cand {
    swap_key key;
    uint64_t count;          /* occurrences */
    uint64_t *docs;          /* (document holding x) << 32 | (holding y); */
    uint32_t ndocs, docs_cap;/* distinct once compacted (not for cores) */
    uint32_t wide[3];        /* a core: its most frequent widening on the
                              * left, right, both sides + 1 (prepare) */
    uint32_t sx, sy;         /* prepared: x's and y's string numbers + 1 */
    uint8_t ok;              /* prepared: neither core nor losing widening */
    uint8_t tied;            /* prepared: a widening of a core whose left
                              * and right tie, decided when finishing */
    uint8_t compound;        /* prepared: two more frequent swaps side by side */
    uint8_t row;             /* finishing: can be a row (ok, not compound,
                              * not a tied widening that lost) */
} cand;

struct fw_swaps {
    cand *cands;             /* every candidate and core seen */
    size_t n, cap;
    uint32_t *slots;         /* open addressing: candidate + 1, 0 free */
    size_t nslots;
    fw_swap_region *regions; /* fw_swaps_add's scratch */
    size_t regions_cap;

    int prepared, finished;
    fw_swaps_options opt;
    uint32_t *selected;      /* candidates that can become rows */
    size_t nselected;
    swap_str *strs;          /* their strings, */
    uint64_t *occ, *df;      /* occurrences in candidates, documents */
    size_t nstrs, strs_cap;
    uint32_t *str_slots;     /* open addressing: string + 1 */
    size_t nstr_slots;
    uint8_t first[0x10000 / 8]; /* BMP code points that start a string */
    /* Filters for the tally's walk (fw_swaps_tally_doc), by prefix_hash:
     * the prefixes of the strings, and the strings themselves. */
    uint8_t prefix[PREFIX_BITS / 8], whole[PREFIX_BITS / 8];
    int tallied;

    fw_swap_row *rows;
    size_t nrows;
    char *text;              /* the rows' strings */
};

/* ------------------------------------------------------------- strings */

static int is_digit(uint32_t c)
{
    if (c < 0x80) return c >= '0' && c <= '9';
    return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND;
}

static int has_digit(const uint32_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_digit(c[i])) return 1;
    return 0;
}

/* Chinese numerals: 二 against 四 is a figure changed, not a swap. */
static int is_numeral(uint32_t c)
{
    static const uint32_t NUMERALS[] = {
        0x3007, 0x4E00, 0x4E03, 0x4E07, 0x4E09, 0x4E24, 0x4E5D, 0x4E8C, 0x4E94, 0x4EBF,
        0x516B, 0x516D, 0x5341, 0x5343, 0x56DB, 0x767E, 0x96F6};
    if (is_digit(c)) return 1;
    for (size_t i = 0; i < sizeof NUMERALS / sizeof *NUMERALS; i++)
        if (c == NUMERALS[i]) return 1;
    return 0;
}

static int all_numerals(const uint32_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_numeral(c[i])) return 0;
    return 1;
}

static swap_str make_str(const uint32_t *c, size_t n)
{
    swap_str s;
    memset(&s, 0, sizeof s);
    memcpy(s.cp, c, n * sizeof *c);
    s.n = (uint32_t)n;
    return s;
}

/* Byte order of the UTF-8 forms. */
static int cmp_str(const swap_str *x, const swap_str *y)
{
    for (size_t i = 0; i < FW_SWAPS_SIDE_MAX; i++)
        if (x->cp[i] != y->cp[i]) return x->cp[i] < y->cp[i] ? -1 : 1;
    return 0;
}

static int str_equal(const swap_str *x, const swap_str *y) { return cmp_str(x, y) == 0; }

static uint64_t hash_str(const swap_str *s, uint64_t h)
{
    h = fw_mix64(h + s->n);
    for (uint32_t i = 0; i < s->n; i++) h = fw_mix64(h ^ s->cp[i]);
    return h;
}

static int cmp_key(const swap_key *p, const swap_key *q)
{
    int c = cmp_str(&p->x, &q->x);
    return c ? c : cmp_str(&p->y, &q->y);
}

/* ------------------------------------------------------ the candidates */

fw_status fw_swaps_new(fw_swaps **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? FW_OK : FW_ERR_NOMEM;
}

void fw_swaps_free(fw_swaps *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) free(s->cands[i].docs);
    free(s->cands);
    free(s->slots);
    free(s->regions);
    free(s->selected);
    free(s->strs);
    free(s->occ);
    free(s->df);
    free(s->str_slots);
    free(s->rows);
    free(s->text);
    free(s);
}

static size_t key_slot(const swap_key *k, size_t nslots)
{
    return (size_t)hash_str(&k->y, hash_str(&k->x, 0)) & (nslots - 1);
}

static int rehash(fw_swaps *s)
{
    size_t nslots = s->nslots ? 2 * s->nslots : 1024;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots) return 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t h = key_slot(&s->cands[i].key, nslots);
        while (slots[h]) h = (h + 1) & (nslots - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = nslots;
    return 1;
}

/* The candidate of `k`, or SIZE_MAX. */
static size_t find(const fw_swaps *s, const swap_key *k)
{
    if (!s->nslots) return SIZE_MAX;
    for (size_t h = key_slot(k, s->nslots); s->slots[h]; h = (h + 1) & (s->nslots - 1)) {
        const cand *c = &s->cands[s->slots[h] - 1];
        if (str_equal(&c->key.x, &k->x) && str_equal(&c->key.y, &k->y)) return s->slots[h] - 1;
    }
    return SIZE_MAX;
}

/* The candidate of `k`, added with no count when new; NULL when out of
 * memory. */
static cand *find_or_add(fw_swaps *s, const swap_key *k)
{
    size_t i = find(s, k);
    if (i != SIZE_MAX) return &s->cands[i];
    if (s->n >= UINT32_MAX - 1) return NULL;
    if (2 * (s->n + 1) > s->nslots && !rehash(s)) return NULL;
    if (!fw_grow(&s->cands, &s->cap, s->n + 1, sizeof *s->cands, 1024)) return NULL;
    size_t h = key_slot(k, s->nslots);
    while (s->slots[h]) h = (h + 1) & (s->nslots - 1);
    s->slots[h] = (uint32_t)s->n + 1;
    cand *c = &s->cands[s->n++];
    memset(c, 0, sizeof *c);
    c->key = *k;
    return c;
}

static int cmp_u64(const void *p, const void *q)
{
    uint64_t x = *(const uint64_t *)p, y = *(const uint64_t *)q;
    return (x > y) - (x < y);
}

static void compact_docs(cand *c)
{
    if (c->ndocs < 2) return;
    qsort(c->docs, c->ndocs, sizeof *c->docs, cmp_u64);
    uint32_t w = 1;
    for (uint32_t r = 1; r < c->ndocs; r++)
        if (c->docs[r] != c->docs[w - 1]) c->docs[w++] = c->docs[r];
    c->ndocs = w;
}

/* Notes that the documents (x's, y's) showed c. The list holds distinct
 * pairs after compaction, so it grows only with new document pairs. */
static int push_docs(cand *c, uint64_t pair)
{
    if (c->ndocs && c->docs[c->ndocs - 1] == pair) return 1;
    if (c->ndocs == c->docs_cap) {
        compact_docs(c);
        if (c->ndocs >= c->docs_cap / 2) {
            if (c->docs_cap > UINT32_MAX / 2) return 0;
            size_t cap = c->docs_cap;
            if (!fw_grow(&c->docs, &cap, (size_t)c->docs_cap + 1, sizeof *c->docs, 4)) return 0;
            c->docs_cap = (uint32_t)cap;
        }
    }
    c->docs[c->ndocs++] = pair;
    return 1;
}

static int is_core(const swap_key *k) { return k->x.n == 1 && k->y.n == 1; }

/* One occurrence of text `p` (in document dp) standing where text `q` (in
 * dq) stands. */
static fw_status record(fw_swaps *s, const uint32_t *p, size_t np, uint32_t dp,
                        const uint32_t *q, size_t nq, uint32_t dq)
{
    swap_key k = {make_str(p, np), make_str(q, nq)};
    if (cmp_str(&k.x, &k.y) > 0) {
        swap_str t = k.x;
        k.x = k.y;
        k.y = t;
        uint32_t d = dp;
        dp = dq;
        dq = d;
    }
    cand *c = find_or_add(s, &k);
    if (!c) return FW_ERR_NOMEM;
    c->count++;
    if (!is_core(&k) && !push_docs(c, (uint64_t)dp << 32 | dq)) return FW_ERR_NOMEM;
    return FW_OK;
}

size_t fw_swaps_bytes(const fw_swaps *s)
{
    size_t bytes = sizeof *s + s->cap * sizeof *s->cands + s->nslots * sizeof *s->slots +
                   s->regions_cap * sizeof *s->regions;
    for (size_t i = 0; i < s->n; i++) bytes += s->cands[i].docs_cap * sizeof *s->cands[i].docs;
    return bytes;
}

/* ------------------------------------------------------------- regions */

/* A region being built: a[a, ae) against b[b, be), of which ua and ub
 * characters are unaligned (the rest are short runs it absorbed). */
typedef struct piece {
    uint32_t a, ae, b, be, ua, ub;
} piece;

/* One alignment being cut into regions. */
typedef struct cutting {
    const uint32_t *a, *b;
    size_t na, nb;
    const fw_align_run *runs;
    size_t nruns;
    fw_swap_region **regions;
    size_t *cap, *n;
} cutting;

static uint32_t run_at(const fw_align_run *r, int b) { return b ? r->b : r->a; }

/* Characters of [lo, hi) on side b (0: a, 1: b) that the runs align. */
static uint32_t aligned_in(const cutting *sp, int b, uint32_t lo, uint32_t hi)
{
    size_t l = 0, h = sp->nruns; /* the first run ending after lo */
    while (l < h) {
        size_t mid = l + (h - l) / 2;
        if (run_at(&sp->runs[mid], b) + sp->runs[mid].len <= lo) l = mid + 1; else h = mid;
    }
    uint32_t in = 0;
    for (; l < sp->nruns && run_at(&sp->runs[l], b) < hi; l++) {
        uint32_t from = run_at(&sp->runs[l], b), to = from + sp->runs[l].len;
        in += (to < hi ? to : hi) - (from > lo ? from : lo);
    }
    return in;
}

/* Whether the FLANK_W characters before [from, to) and after it on side b
 * (fewer at the ends of the text) hold at most FLANK_GAPS unaligned ones. */
static int flanked(const cutting *sp, int b, uint32_t from, uint32_t to, size_t n)
{
    uint32_t lo = from > FLANK_W ? from - FLANK_W : 0;
    uint32_t hi = to + FLANK_W < n ? to + FLANK_W : (uint32_t)n;
    return from - lo - aligned_in(sp, b, lo, from) <= FLANK_GAPS &&
           hi - to - aligned_in(sp, b, to, hi) <= FLANK_GAPS;
}

/* Keeps the region when it is a substitution: something unaligned on both
 * sides (访维稳 against 维 is two deletions around an aligned 维), both
 * sides short, not a figure (digits, or numerals on both sides), and in
 * well aligned text (see the head). */
static int push_region(const cutting *sp, const piece *p)
{
    fw_swap_region r = {p->a, p->ae - p->a, p->b, p->be - p->b};
    if (!p->ua || !p->ub || r.na > FW_SWAPS_SIDE_MAX || r.nb > FW_SWAPS_SIDE_MAX) return 1;
    if (has_digit(sp->a + r.a, r.na) || has_digit(sp->b + r.b, r.nb)) return 1;
    if (all_numerals(sp->a + r.a, r.na) && all_numerals(sp->b + r.b, r.nb)) return 1;
    if (!flanked(sp, 0, p->a, p->ae, sp->na) || !flanked(sp, 1, p->b, p->be, sp->nb)) return 1;
    if (!fw_grow(sp->regions, sp->cap, *sp->n + 1, sizeof **sp->regions, 64)) return 0;
    (*sp->regions)[(*sp->n)++] = r;
    return 1;
}

/* The regions between anchors p and q (runs[p + 1, q) are shorter runs):
 * each short run cuts the gap unless a piece on either side of it is
 * one-sided (能力/才能 aligns 能 and leaves 力 against nothing, 才 against
 * nothing: the whole gap is the substitution). */
static int gap_regions(const cutting *sp, size_t p, size_t q)
{
    const fw_align_run *runs = sp->runs;
    uint32_t a0 = runs[p].a + runs[p].len, b0 = runs[p].b + runs[p].len;
    piece cur = {0};
    for (size_t r = p + 1; r <= q; r++) { /* the piece before run r */
        piece next = {a0, runs[r].a, b0, runs[r].b, runs[r].a - a0, runs[r].b - b0};
        if (r == p + 1) {
            cur = next;
        } else if (!cur.ua || !cur.ub || !next.ua || !next.ub) {
            cur.ae = next.ae;          /* absorbs the short run between */
            cur.be = next.be;
            cur.ua += next.ua;
            cur.ub += next.ub;
        } else {
            if (!push_region(sp, &cur)) return 0;
            cur = next;
        }
        a0 = runs[r].a + runs[r].len;
        b0 = runs[r].b + runs[r].len;
    }
    return push_region(sp, &cur);
}

fw_status fw_swaps_regions(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                           const fw_align_run *runs, size_t nruns,
                           fw_swap_region **regions, size_t *cap, size_t *n)
{
    *n = 0;
    cutting sp = {a, b, na, nb, runs, nruns, regions, cap, n};
    size_t prev = SIZE_MAX;
    for (size_t r = 0; r < nruns; r++) {
        if ((size_t)runs[r].a + runs[r].len > na || (size_t)runs[r].b + runs[r].len > nb)
            return FW_ERR_ARG;
        if (runs[r].len < ANCHOR) continue;
        if (prev != SIZE_MAX && !gap_regions(&sp, prev, r)) return FW_ERR_NOMEM;
        prev = r;
    }
    return FW_OK;
}

fw_status fw_swaps_add(fw_swaps *s, uint32_t doc_a, const uint32_t *a, size_t na,
                       uint32_t doc_b, const uint32_t *b, size_t nb,
                       const fw_align_run *runs, size_t nruns)
{
    if (s->prepared) return FW_ERR_ARG;
    size_t nr;
    fw_status st = fw_swaps_regions(a, na, b, nb, runs, nruns, &s->regions, &s->regions_cap, &nr);
    for (size_t i = 0; st == FW_OK && i < nr; i++) {
        const fw_swap_region *r = &s->regions[i];
        const uint32_t *x = a + r->a, *y = b + r->b;
        if (r->na > 1 || r->nb > 1) {
            st = record(s, x, r->na, doc_a, y, r->nb, doc_b);
            continue;
        }
        /* One character against one: most likely half of a two-character
         * word whose other half aligned (发展/进展). The core is counted,
         * and the region widened by the aligned character on its left, on
         * its right, and on both; the corpus decides which one is the
         * word (see the head). */
        int left = !is_digit(x[-1]), right = !is_digit(x[1]);
        st = record(s, x, 1, doc_a, y, 1, doc_b);
        if (st == FW_OK && left) st = record(s, x - 1, 2, doc_a, y - 1, 2, doc_b);
        if (st == FW_OK && right) st = record(s, x, 2, doc_a, y, 2, doc_b);
        if (st == FW_OK && left && right) st = record(s, x - 1, 3, doc_a, y - 1, 3, doc_b);
    }
    return st;
}

fw_status fw_swaps_merge(fw_swaps *into, const fw_swaps *other)
{
    if (into == other || into->prepared || other->prepared) return FW_ERR_ARG;
    for (size_t i = 0; i < other->n; i++) {
        const cand *o = &other->cands[i];
        cand *c = find_or_add(into, &o->key);
        if (!c) return FW_ERR_NOMEM;
        c->count += o->count;
        for (uint32_t k = 0; k < o->ndocs; k++)
            if (!push_docs(c, o->docs[k])) return FW_ERR_NOMEM;
    }
    return FW_OK;
}

/* ------------------------------------------------------------- prepare */

void fw_swaps_options_default(fw_swaps_options *o)
{
    o->min_count = 2;
    o->min_families = 3;
    o->variant_share = 0.8;
    o->canonical_share = 0.25;
}

/* A widening of a one-character region: two characters against two,
 * equal in one place (发展/进展: widened on the right), or three against
 * three, equal at both ends (开始实/开头实). Its core is the pair that
 * differs; *side is 0 when widened on the left, 1 on the right, 2 both. */
static int core_of(const swap_key *k, swap_key *core, int *side)
{
    const swap_str *x = &k->x, *y = &k->y;
    size_t d; /* where they differ */
    if (x->n == 2 && y->n == 2 && (x->cp[0] == y->cp[0]) != (x->cp[1] == y->cp[1])) {
        d = x->cp[0] == y->cp[0];
        *side = d == 0;
    } else if (x->n == 3 && y->n == 3 && x->cp[0] == y->cp[0] && x->cp[1] != y->cp[1] &&
               x->cp[2] == y->cp[2]) {
        d = 1;
        *side = 2;
    } else {
        return 0;
    }
    *core = (swap_key){make_str(&x->cp[d], 1), make_str(&y->cp[d], 1)};
    return 1;
}

/* Whether widening c is more frequent than b, or b is none (ties: key
 * order). */
static int wider_wins(const cand *c, const cand *b)
{
    return !b || c->count > b->count || (c->count == b->count && cmp_key(&c->key, &b->key) < 0);
}

/* Marks the widenings of core k that may be rows: the more frequent of its
 * best left and best right widenings, when it holds EXPANSION_SHARE of the
 * core's occurrences and the other is not within TIE of it. When it is,
 * the spans cannot tell which one is the word (the generator writes 开始
 * only in 开始实施: 开始/开头 and 始实/头实 always together), and both wait
 * for the corpus frequencies, with the widening on both sides (tie_wins). */
static void choose_widening(fw_swaps *s, const cand *k)
{
    cand *l = k->wide[0] ? &s->cands[k->wide[0] - 1] : NULL;
    cand *r = k->wide[1] ? &s->cands[k->wide[1] - 1] : NULL;
    cand *both = k->wide[2] ? &s->cands[k->wide[2] - 1] : NULL;
    cand *top = l && wider_wins(l, r) ? l : r, *other = top == l ? r : l;
    if (!top || (double)top->count < EXPANSION_SHARE * (double)k->count) return;
    if (!other || (double)other->count < TIE * (double)top->count) {
        top->ok = 1;
        return;
    }
    top->ok = other->ok = top->tied = other->tied = 1;
    if (both) both->ok = both->tied = 1;
}

static swap_key make_key(const uint32_t *p, size_t np, const uint32_t *q, size_t nq)
{
    swap_key k = {make_str(p, np), make_str(q, nq)};
    if (cmp_str(&k.x, &k.y) > 0) {
        swap_str t = k.x;
        k.x = k.y;
        k.y = t;
    }
    return k;
}

/* How `part` of a candidate seen `count` times explains it: 2 when it is a
 * substitution seen on its own min_count times and COMPOUND_PART as often
 * (a core too: 设/立), 1 when it is the same on both sides (context), 0
 * otherwise. */
static int explains(const fw_swaps *s, const swap_key *part, uint64_t count, int *core)
{
    if (str_equal(&part->x, &part->y)) return 1;
    size_t i = find(s, part);
    if (i == SIZE_MAX || s->cands[i].count < s->opt.min_count ||
        (double)s->cands[i].count < COMPOUND_PART * (double)count)
        return 0;
    *core = is_core(part);
    return s->cands[i].ok || *core ? 2 : 0;
}

/* Whether c is two substitutions side by side, each seen on its own
 * (建设项目 → 建立工程 gives 设项目/立工程: 设/立 and 项目/工程), or one
 * and context the LCS happened to take in (务服务/务效劳). A core with
 * context is not explained: that is how a widening (发展/进展) looks. */
static int compound(const fw_swaps *s, const cand *c)
{
    const swap_str *x = &c->key.x, *y = &c->key.y;
    for (uint32_t i = 1; i < x->n; i++)
        for (uint32_t j = 1; j < y->n; j++) {
            swap_key l = make_key(x->cp, i, y->cp, j);
            swap_key r = make_key(x->cp + i, x->n - i, y->cp + j, y->n - j);
            int lcore = 0, rcore = 0;
            int el = explains(s, &l, c->count, &lcore), er = explains(s, &r, c->count, &rcore);
            if (el + er == 4) return 1;
            if (el + er == 3 && !lcore && !rcore) return 1;
        }
    return 0;
}

static size_t str_slot(const swap_str *x, size_t nslots)
{
    return (size_t)hash_str(x, 0x5eed) & (nslots - 1);
}

/* The number of string x + 1, or 0. */
static uint32_t find_str(const fw_swaps *s, const swap_str *x)
{
    if (!s->nstr_slots) return 0;
    for (size_t h = str_slot(x, s->nstr_slots); s->str_slots[h];
         h = (h + 1) & (s->nstr_slots - 1))
        if (str_equal(&s->strs[s->str_slots[h] - 1], x)) return s->str_slots[h];
    return 0;
}

static uint32_t add_str(fw_swaps *s, const swap_str *x)
{
    uint32_t id = find_str(s, x);
    if (id) return id;
    if (!fw_grow(&s->strs, &s->strs_cap, s->nstrs + 1, sizeof *s->strs, 256)) return 0;
    if (2 * (s->nstrs + 1) > s->nstr_slots) {
        size_t nslots = s->nstr_slots ? 2 * s->nstr_slots : 512;
        uint32_t *slots = calloc(nslots, sizeof *slots);
        if (!slots) return 0;
        for (size_t i = 0; i < s->nstrs; i++) {
            size_t h = str_slot(&s->strs[i], nslots);
            while (slots[h]) h = (h + 1) & (nslots - 1);
            slots[h] = (uint32_t)i + 1;
        }
        free(s->str_slots);
        s->str_slots = slots;
        s->nstr_slots = nslots;
    }
    size_t h = str_slot(x, s->nstr_slots);
    while (s->str_slots[h]) h = (h + 1) & (s->nstr_slots - 1);
    s->strs[s->nstrs] = *x;
    s->str_slots[h] = (uint32_t)++s->nstrs;
    if (x->cp[0] < 0x10000) s->first[x->cp[0] >> 3] |= (uint8_t)(1u << (x->cp[0] & 7));
    uint64_t ph = 0;
    for (uint32_t i = 0; i < x->n; i++) {
        size_t b = prefix_bit(ph = prefix_hash(ph, x->cp[i]));
        s->prefix[b >> 3] |= (uint8_t)(1u << (b & 7));
        if (i + 1 == x->n) s->whole[b >> 3] |= (uint8_t)(1u << (b & 7));
    }
    return (uint32_t)s->nstrs;
}

/* Adds c's document pairs to the substitutions of every prepared string
 * either of its sides contains, once each: 湘潭/长沙 (from 湘潭县/长沙县)
 * and 湘潭县/株洲市 are both substitutions of 湘潭. */
static void add_occurrences(fw_swaps *s, const cand *c)
{
    uint32_t seen[2 * FW_SWAPS_SIDE_MAX * (FW_SWAPS_SIDE_MAX + 1) / 2];
    size_t nseen = 0;
    for (int side = 0; side < 2; side++) {
        const swap_str *x = side ? &c->key.y : &c->key.x;
        for (uint32_t from = 0; from < x->n; from++)
            for (uint32_t len = 1; from + len <= x->n; len++) {
                swap_str sub = make_str(x->cp + from, len);
                uint32_t id = find_str(s, &sub);
                size_t k = 0;
                while (k < nseen && seen[k] != id) k++;
                if (!id || k < nseen) continue;
                seen[nseen++] = id;
                s->occ[id - 1] += c->ndocs;
            }
    }
}

fw_status fw_swaps_prepare(fw_swaps *s, const fw_swaps_options *o)
{
    if (s->prepared) return FW_ERR_ARG;
    if (o) s->opt = *o;
    else fw_swaps_options_default(&s->opt);
    s->prepared = 1;
    /* each core's most frequent widening on each side, then the ones that
     * may be rows */
    for (size_t i = 0; i < s->n; i++) {
        swap_key ck;
        int side;
        cand *c = &s->cands[i];
        c->ok = !is_core(&c->key);
        if (!core_of(&c->key, &ck, &side)) continue;
        size_t core = find(s, &ck);
        if (core == SIZE_MAX) continue; /* not a widening after all */
        c->ok = 0;
        cand *k = &s->cands[core];
        if (wider_wins(c, k->wide[side] ? &s->cands[k->wide[side] - 1] : NULL))
            k->wide[side] = (uint32_t)i + 1;
    }
    for (size_t i = 0; i < s->n; i++)
        if (is_core(&s->cands[i].key)) choose_widening(s, &s->cands[i]);
    for (size_t i = 0; i < s->n; i++) /* (a tie's widenings explain each other) */
        s->cands[i].compound =
            (uint8_t)(s->cands[i].ok && !s->cands[i].tied && compound(s, &s->cands[i]));
    s->selected = malloc((s->n ? s->n : 1) * sizeof *s->selected);
    if (!s->selected) return FW_ERR_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        cand *c = &s->cands[i];
        compact_docs(c);
        int selected = c->ok && !c->compound && c->count >= s->opt.min_count &&
                       c->ndocs >= s->opt.min_families && c->key.x.n == c->key.y.n &&
                       c->key.x.n >= 2;
        if (!selected && !c->tied) continue; /* a tie is broken by its strings */
        if (!(c->sx = add_str(s, &c->key.x)) || !(c->sy = add_str(s, &c->key.y)))
            return FW_ERR_NOMEM;
        if (selected) s->selected[s->nselected++] = (uint32_t)i;
    }
    s->occ = calloc(s->nstrs ? s->nstrs : 1, sizeof *s->occ);
    s->df = calloc(s->nstrs ? s->nstrs : 1, sizeof *s->df);
    return s->occ && s->df ? FW_OK : FW_ERR_NOMEM;
}

/* -------------------------------------------------------------- tallies */

struct fw_swaps_tally {
    const fw_swaps *s;
    uint64_t *df;
    uint32_t *stamp;         /* the document that last counted a string */
    uint32_t now;
};

fw_status fw_swaps_tally_new(const fw_swaps *s, fw_swaps_tally **out)
{
    *out = NULL;
    if (!s->prepared || s->finished) return FW_ERR_ARG;
    fw_swaps_tally *t = calloc(1, sizeof *t);
    if (!t) return FW_ERR_NOMEM;
    t->s = s;
    t->df = calloc(s->nstrs ? s->nstrs : 1, sizeof *t->df);
    t->stamp = calloc(s->nstrs ? s->nstrs : 1, sizeof *t->stamp);
    if (!t->df || !t->stamp) {
        fw_swaps_tally_free(t);
        return FW_ERR_NOMEM;
    }
    *out = t;
    return FW_OK;
}

void fw_swaps_tally_free(fw_swaps_tally *t)
{
    if (!t) return;
    free(t->df);
    free(t->stamp);
    free(t);
}

void fw_swaps_tally_doc(fw_swaps_tally *t, const uint32_t *cps, size_t n)
{
    const fw_swaps *s = t->s;
    if (!s->nstrs) return;
    if (++t->now == 0) {
        memset(t->stamp, 0, s->nstrs * sizeof *t->stamp);
        t->now = 1;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cps[i];
        if (c < 0x10000 && !((s->first[c >> 3] >> (c & 7)) & 1)) continue;
        size_t max = n - i < FW_SWAPS_SIDE_MAX ? n - i : FW_SWAPS_SIDE_MAX;
        uint64_t h = 0;
        for (size_t len = 1; len <= max; len++) {
            size_t b = prefix_bit(h = prefix_hash(h, cps[i + len - 1]));
            if (!bit_set(s->prefix, b)) break; /* no string goes on this way */
            if (!bit_set(s->whole, b)) continue;
            swap_str x = make_str(cps + i, len);
            uint32_t id = find_str(s, &x);
            if (id && t->stamp[id - 1] != t->now) {
                t->stamp[id - 1] = t->now;
                t->df[id - 1]++;
            }
        }
    }
}

fw_status fw_swaps_tally_add(fw_swaps *s, const fw_swaps_tally *t)
{
    if (t->s != s || s->finished) return FW_ERR_ARG;
    for (size_t i = 0; i < s->nstrs; i++) s->df[i] += t->df[i];
    s->tallied = 1;
    return FW_OK;
}

/* -------------------------------------------------------------- finish */

static int cmp_u32(const void *p, const void *q)
{
    uint32_t x = *(const uint32_t *)p, y = *(const uint32_t *)q;
    return (x > y) - (x < y);
}

/* Distinct documents on one side of c's pairs (x's: the high halves, which
 * are sorted already since the pairs are). */
static uint64_t side_docs(const cand *c, int y, uint32_t *scratch)
{
    for (uint32_t i = 0; i < c->ndocs; i++)
        scratch[i] = (uint32_t)(y ? c->docs[i] : c->docs[i] >> 32);
    if (y) qsort(scratch, c->ndocs, sizeof *scratch, cmp_u32);
    uint64_t d = c->ndocs ? 1 : 0;
    for (uint32_t i = 1; i < c->ndocs; i++) d += scratch[i] != scratch[i - 1];
    return d;
}

/* One document pair of a selected candidate: pair = u << 32 | v with
 * u < v, t = +1 when u holds x, -1 when it holds y. */
typedef struct vote_rec {
    uint64_t pair;
    uint32_t k;
    int32_t t;
} vote_rec;

static int cmp_vote(const void *p, const void *q)
{
    const vote_rec *x = p, *y = q;
    if (x->pair != y->pair) return x->pair < y->pair ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

static int sign64(int64_t v) { return (v > 0) - (v < 0); }

/* Whether selected candidate c passes the consistency test with y (or x)
 * as the variant: its document pairs are at least variant_share of all the
 * pairs showing a substitution of the variant, and canonical_share of the
 * canonical's. */
static int consistent(const fw_swaps *s, const cand *c, int y_variant)
{
    double mine = (double)c->ndocs;
    double vocc = (double)s->occ[(y_variant ? c->sy : c->sx) - 1];
    double cocc = (double)s->occ[(y_variant ? c->sx : c->sy) - 1];
    return mine >= s->opt.variant_share * vocc && mine >= s->opt.canonical_share * cocc;
}

/* Which side of each selected candidate is canonical: orient[k] > 0 for x,
 * < 0 for y (see the head). The prior is the log ratio of the strings'
 * document frequencies; the votes come from the document pairs, where only
 * candidates consistent either way take part (a place name swapped along
 * with the words says nothing about them). Integer sums only, so the order
 * of the records does not matter. */
static fw_status orient(const fw_swaps *s, int64_t *orient_k)
{
    size_t nrec = 0;
    for (size_t k = 0; k < s->nselected; k++) nrec += s->cands[s->selected[k]].ndocs;
    vote_rec *rec = malloc((nrec ? nrec : 1) * sizeof *rec);
    int64_t *prior = malloc((s->nselected ? s->nselected : 1) * sizeof *prior);
    if (!rec || !prior) {
        free(rec);
        free(prior);
        return FW_ERR_NOMEM;
    }
    nrec = 0;
    for (size_t k = 0; k < s->nselected; k++) {
        const cand *c = &s->cands[s->selected[k]];
        double fx = (double)s->df[c->sx - 1], fy = (double)s->df[c->sy - 1];
        prior[k] = (int64_t)llround(1000.0 * log((fx + 1.0) / (fy + 1.0)));
        orient_k[k] = 0;
        if (!c->row || (!consistent(s, c, 0) && !consistent(s, c, 1))) continue;
        for (uint32_t i = 0; i < c->ndocs; i++) {
            uint32_t dx = (uint32_t)(c->docs[i] >> 32), dy = (uint32_t)c->docs[i];
            if (dx == dy) continue; /* one document: no direction */
            uint64_t u = dx < dy ? dx : dy, v = dx < dy ? dy : dx;
            rec[nrec++] = (vote_rec){u << 32 | v, (uint32_t)k, dx < dy ? 1 : -1};
        }
    }
    qsort(rec, nrec, sizeof *rec, cmp_vote);
    for (size_t i = 0, j; i < nrec; i = j) {
        int64_t score = 0; /* > 0: u holds the canonical sides */
        for (j = i; j < nrec && rec[j].pair == rec[i].pair; j++) score += rec[j].t * prior[rec[j].k];
        for (size_t r = i; r < j; r++) /* each judged by the others */
            orient_k[rec[r].k] += rec[r].t * sign64(score - rec[r].t * prior[rec[r].k]);
    }
    for (size_t k = 0; k < s->nselected; k++)
        if (!orient_k[k]) orient_k[k] = prior[k];
    free(rec);
    free(prior);
    return FW_OK;
}

static uint32_t uf_find(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

static uint32_t doc_index(const uint32_t *ids, uint32_t n, uint32_t doc)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < doc) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* The connected components of c's document pairs: copies of copies of one
 * source are one component, however many documents it has, so this counts
 * the independent times the substitution was made. scratch: 4·ndocs. */
static uint64_t families(const cand *c, uint32_t *scratch)
{
    uint32_t *ids = scratch, *parent = scratch + 2 * (size_t)c->ndocs, m = 0;
    for (uint32_t i = 0; i < c->ndocs; i++) {
        ids[2 * i] = (uint32_t)(c->docs[i] >> 32);
        ids[2 * i + 1] = (uint32_t)c->docs[i];
    }
    qsort(ids, 2 * (size_t)c->ndocs, sizeof *ids, cmp_u32);
    for (uint32_t i = 0; i < 2 * c->ndocs; i++)
        if (!m || ids[i] != ids[m - 1]) ids[m++] = ids[i];
    for (uint32_t i = 0; i < m; i++) parent[i] = i;
    uint64_t comps = m;
    for (uint32_t i = 0; i < c->ndocs; i++) {
        uint32_t p = uf_find(parent, doc_index(ids, m, (uint32_t)(c->docs[i] >> 32)));
        uint32_t q = uf_find(parent, doc_index(ids, m, (uint32_t)c->docs[i]));
        if (p != q) {
            parent[p > q ? p : q] = p < q ? p : q;
            comps--;
        }
    }
    return comps;
}

/* Documents holding either string of c. */
static uint64_t df_of(const fw_swaps *s, const cand *c)
{
    return s->df[c->sx - 1] + s->df[c->sy - 1];
}

/* Whether tied widening c wins its core: the left or the right one when
 * its strings are in WORD_DF times as many documents as the other's (a
 * word turns up in more places than two characters across a word
 * boundary: 竞赛 in 3,730 documents, 能竞 in 47), else the one on both
 * sides. */
static int tie_wins(const fw_swaps *s, const cand *c)
{
    swap_key ck;
    int side;
    core_of(&c->key, &ck, &side);
    const cand *k = &s->cands[find(s, &ck)];
    const cand *l = &s->cands[k->wide[0] - 1], *r = &s->cands[k->wide[1] - 1];
    double fl = (double)df_of(s, l), fr = (double)df_of(s, r);
    if (fl >= WORD_DF * fr) return c == l;
    if (fr >= WORD_DF * fl) return c == r;
    return side == 2;
}

/* Marks the candidates that can be rows, and counts the substitutions of
 * each prepared string among them. */
static void rows_and_occurrences(fw_swaps *s)
{
    for (size_t i = 0; i < s->n; i++) {
        cand *c = &s->cands[i];
        c->row = c->ok && !c->compound && (!c->tied || tie_wins(s, c));
        if (c->row) add_occurrences(s, c);
    }
}

static int cmp_row(const void *p, const void *q)
{
    const fw_swap_row *x = p, *y = q;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    int c = strcmp(x->variant, y->variant);
    return c ? c : strcmp(x->canonical, y->canonical);
}

static char *put_utf8(char *w, const swap_str *x)
{
    for (uint32_t i = 0; i < x->n; i++) w += fw_utf8_encode(w, x->cp[i]);
    *w++ = '\0';
    return w;
}

fw_status fw_swaps_finish(fw_swaps *s, const fw_swap_row **rows, size_t *nrows)
{
    *rows = NULL;
    *nrows = 0;
    if (s->finished) {
        *rows = s->rows;
        *nrows = s->nrows;
        return FW_OK;
    }
    if (!s->tallied) return FW_ERR_ARG;
    rows_and_occurrences(s);
    size_t most = 1, nsel = s->nselected ? s->nselected : 1;
    for (size_t k = 0; k < s->nselected; k++)
        if (s->cands[s->selected[k]].ndocs > most) most = s->cands[s->selected[k]].ndocs;
    uint32_t *scratch = malloc(4 * most * sizeof *scratch);
    int64_t *ori = malloc(nsel * sizeof *ori);
    fw_status st = scratch && ori ? orient(s, ori) : FW_ERR_NOMEM;
    s->rows = malloc(nsel * sizeof *s->rows);
    s->text = malloc(nsel * 2 * (4 * FW_SWAPS_SIDE_MAX + 1));
    if (st == FW_OK && (!s->rows || !s->text)) st = FW_ERR_NOMEM;
    char *w = s->text;
    s->nrows = 0;
    for (size_t k = 0; st == FW_OK && k < s->nselected; k++) {
        const cand *c = &s->cands[s->selected[k]];
        int y_var = ori[k] >= 0; /* no evidence either way: the later string */
        if (!c->row || !consistent(s, c, y_var)) continue;
        uint64_t fams = families(c, scratch);
        if (fams < s->opt.min_families) continue;
        fw_swap_row *r = &s->rows[s->nrows++];
        r->variant = w;
        w = put_utf8(w, y_var ? &c->key.y : &c->key.x);
        r->canonical = w;
        w = put_utf8(w, y_var ? &c->key.x : &c->key.y);
        r->count = c->count;
        r->docs = side_docs(c, y_var, scratch);
        r->families = fams;
    }
    free(scratch);
    free(ori);
    if (st != FW_OK) {
        free(s->rows);
        free(s->text);
        s->rows = NULL;
        s->text = NULL;
        return st;
    }
    qsort(s->rows, s->nrows, sizeof *s->rows, cmp_row);
    s->finished = 1;
    *rows = s->rows;
    *nrows = s->nrows;
    return FW_OK;
}
