/*
 * align.c — the longest common subsequence of two texts, bit-parallel.
 *
 * A reworded copy keeps most characters of its source in order: swapped
 * words, dropped 的 and 了, changed figures are gaps between runs of equal
 * characters. The longest common subsequence (LCS) counts exactly the
 * characters that survived, which is what a copy ratio should count, where
 * n-gram sets lose n grams to every edit.
 *
 * The dynamic programme L(i, j) = LCS of a[0, i) and b[0, j) is computed a
 * column at a time with one bit per character of a (Allison and Dix 1986;
 * Crochemore et al. 2001; Hyyrö 2004): after column j, bit i of V is 0
 * exactly where L(i + 1, j) = L(i, j) + 1, so L(na, j) is the number of
 * zero bits. With M the bits of a equal to b[j],
 *
 *     V' = (V + (V & M)) | (V & ~M)
 *
 * one addition with carry across ceil(na / 64) words per character of b:
 * 400 × 400 characters cost 2,800 word steps instead of 160,000 cells.
 *
 * The match masks M are kept for the distinct characters of a only,
 * numbered from 1 (0 is the zero mask, a no-op step, for characters a
 * lacks): a code point of the Basic Multilingual Plane finds its number in
 * a plain array, one load and no branch (Chinese has thousands of
 * characters, a passage a few hundred, and whether b's next one is in a
 * is a coin toss for the branch predictor); the rarer others in a small
 * open-addressed table. For the alignment itself every column is kept,
 * and the traceback reads the bits: at (i, j), equal characters are a
 * match (always optimal for LCS); otherwise a set bit i - 1 of V_j means
 * L(i - 1, j) = L(i, j) (move up), a clear one that the value came from
 * the left. No popcount, and no L value is ever materialised.
 */
#include "align.h"
#include "grow.h"

#include <string.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

void fw_aligner_free(fw_aligner *al)
{
    free(al->direct);
    free(al->direct_set);
    free(al->table);
    free(al->masks);
    free(al->columns);
    free(al->runs);
    memset(al, 0, sizeof *al);
}

static inline uint32_t table_slot(uint32_t cp, size_t cap)
{
    return (uint32_t)((cp * 0x9E3779B1u) >> 7) & (uint32_t)(cap - 1);
}

/* The mask number of `cp` outside the Basic Multilingual Plane, 0 when
 * a has no such character. */
static size_t table_number(const fw_aligner *al, uint32_t cp)
{
    const size_t cap = al->table_cap;
    if (!cap) return 0;
    const fw_align_entry *t = al->table;
    for (uint32_t h = table_slot(cp, cap); t[h].stamp == al->stamp;
         h = (h + 1) & (uint32_t)(cap - 1))
        if (t[h].key == cp) return t[h].slot;
    return 0;
}

/* The mask number of `cp`: one load for the characters texts are made of,
 * with no branch on whether a has it (a coin toss for the predictor). */
static inline size_t number_of(const fw_aligner *al, uint32_t cp)
{
    return cp < FW_ALIGN_DIRECT ? al->direct[cp] : table_number(al, cp);
}

/* Numbers a's characters outside the Basic Multilingual Plane, from
 * *distinct on. */
static fw_status number_astral(fw_aligner *al, const uint32_t *a, size_t na, size_t *distinct)
{
    size_t cap = 16;
    while (cap < 2 * na) cap *= 2;
    if (cap > al->table_cap) {
        free(al->table);
        al->table = calloc(cap, sizeof *al->table);
        al->table_cap = al->table ? cap : 0;
        if (!al->table) return FW_ERR_NOMEM;
        al->stamp = 0;
    }
    cap = al->table_cap; /* a larger table from an earlier pair serves too */
    if (++al->stamp == 0) { /* entries of earlier pairs are stale by their stamp */
        memset(al->table, 0, cap * sizeof *al->table);
        al->stamp = 1;
    }
    fw_align_entry *t = al->table;
    for (size_t i = 0; i < na; i++) {
        if (a[i] < FW_ALIGN_DIRECT) continue;
        uint32_t h = table_slot(a[i], cap);
        while (t[h].stamp == al->stamp && t[h].key != a[i]) h = (h + 1) & (uint32_t)(cap - 1);
        if (t[h].stamp != al->stamp)
            t[h] = (fw_align_entry){a[i], al->stamp, (uint32_t)++*distinct, 0};
    }
    return FW_OK;
}

/* Builds the match masks of a's distinct characters (number 1, 2, ...),
 * after clearing the numbers the last pattern left. */
static fw_status build_masks(fw_aligner *al, const uint32_t *a, size_t na, size_t words)
{
    if (!al->direct && !(al->direct = calloc(FW_ALIGN_DIRECT, sizeof *al->direct)))
        return FW_ERR_NOMEM;
    for (size_t k = 0; k < al->ndirect_set; k++) al->direct[al->direct_set[k]] = 0;
    al->ndirect_set = 0;
    if (!fw_grow(&al->direct_set, &al->direct_set_cap, na ? na : 1, sizeof *al->direct_set, 256))
        return FW_ERR_NOMEM;
    /* the characters numbered first, so that only their masks (and the
     * zero one) are cleared, in one call: na of them would be na² / 64
     * words for a long pattern of few letters */
    size_t distinct = 0, astral = 0;
    for (size_t i = 0; i < na; i++) {
        uint32_t cp = a[i];
        if (cp >= FW_ALIGN_DIRECT) {
            astral = 1;
        } else if (!al->direct[cp]) {
            al->direct[cp] = (uint32_t)++distinct;
            al->direct_set[al->ndirect_set++] = cp;
        }
    }
    if (astral) {
        fw_status st = number_astral(al, a, na, &distinct);
        if (st != FW_OK) return st;
    } else if (al->table_cap && ++al->stamp == 0) { /* earlier astral entries go stale */
        memset(al->table, 0, al->table_cap * sizeof *al->table);
        al->stamp = 1;
    }
    if (!fw_grow(&al->masks, &al->masks_cap, (distinct + 1) * words, sizeof *al->masks, 256))
        return FW_ERR_NOMEM;
    memset(al->masks, 0, (distinct + 1) * words * sizeof *al->masks);
    for (size_t i = 0; i < na; i++)
        al->masks[number_of(al, a[i]) * words + i / 64] |= (uint64_t)1 << (i % 64);
    return FW_OK;
}

/* a + b + carry_in, the carry out in *carry. */
static inline uint64_t add_carry(uint64_t a, uint64_t b, unsigned char *carry)
{
#if defined(__x86_64__)
    unsigned long long s;
    *carry = _addcarry_u64(*carry, a, b, &s);
    return s;
#else
    uint64_t s = a + b, c = s < a;
    s += *carry;
    *carry = (unsigned char)(c | (s < *carry));
    return s;
#endif
}

/* One column: V' = (V + (V & M)) | (V & ~M), the addition carried across
 * words, from v into out (which may be v). */
static inline __attribute__((always_inline)) void step_to(uint64_t *out, const uint64_t *v,
                                                           const uint64_t *m, size_t words)
{
    unsigned char carry = 0;
    for (size_t k = 0; k < words; k++) {
        uint64_t x = v[k], mk = m[k];
        out[k] = add_carry(x, x & mk, &carry) | (x & ~mk);
    }
}

/* Zero bits among the first n bits of v. */
static size_t zeros(const uint64_t *v, size_t n)
{
    size_t ones = 0, k = 0;
    for (; (k + 1) * 64 <= n; k++) ones += (size_t)__builtin_popcountll(v[k]);
    if (n % 64) ones += (size_t)__builtin_popcountll(v[k] & (((uint64_t)1 << (n % 64)) - 1));
    return n - ones;
}

/* Runs the columns; with `keep`, each column's V is stored for the
 * traceback (al->columns, nb + 1 columns, column 0 all ones). */
static fw_status run_columns(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b,
                             size_t nb, int keep, size_t *lcs)
{
    const size_t words = (na + 63) / 64;
    fw_status st = build_masks(al, a, na, words);
    if (st != FW_OK) return st;
    size_t ncols = keep ? nb + 1 : 1;
    if (words && ncols > SIZE_MAX / words / sizeof(uint64_t)) return FW_ERR_NOMEM;
    if (!fw_grow(&al->columns, &al->columns_cap, ncols * words, sizeof *al->columns, 1024))
        return FW_ERR_NOMEM;
    uint64_t *v = al->columns;
    memset(v, 0xFF, words * sizeof *v);
    for (size_t j = 0; j < nb; j++) {
        uint64_t *out = keep ? v + words : v;
        step_to(out, v, al->masks + number_of(al, b[j]) * words, words);
        v = out;
    }
    *lcs = zeros(v, na);
    return FW_OK;
}

fw_status fw_align_lcs(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b,
                       size_t nb, size_t *lcs)
{
    *lcs = 0;
    if (!na || !nb) return FW_OK;
    return run_columns(al, a, na, b, nb, 0, lcs);
}

fw_status fw_align_pattern(fw_aligner *al, const uint32_t *a, size_t na)
{
    const size_t words = (na + 63) / 64;
    al->pattern_len = 0;
    fw_status st = build_masks(al, a, na, words);
    if (st == FW_OK && !fw_grow(&al->columns, &al->columns_cap, words ? words : 1,
                                sizeof *al->columns, 1024))
        st = FW_ERR_NOMEM;
    if (st == FW_OK) al->pattern_len = na;
    return st;
}

/* How often fw_align_against() checks whether it can stop. */
#define CHECK_EVERY 32

/* The columns of fw_align_against(), in v, with `words` a constant where
 * it is small so that the column stays in registers. The bound for
 * stopping: a common subsequence splits where b's first j characters end,
 * at some i in a, so LCS ≤ max_i L(i, j) + min(na − i, nb − j), whose
 * largest term is at i = na − (nb − j) (L grows by at most one a row):
 * tighter than L(na, j) + nb − j, and the same decisions. */
static inline __attribute__((always_inline)) size_t against(const fw_aligner *al,
                                                           const uint32_t *b, size_t nb,
                                                           size_t need, size_t na,
                                                           const size_t words, uint64_t *v)
{
    memset(v, 0xFF, words * sizeof *v);
    for (size_t j = 0; j < nb; j++) {
        step_to(v, v, al->masks + number_of(al, b[j]) * words, words);
        if (need && (j + 1) % CHECK_EVERY == 0) {
            size_t left = nb - j - 1, i = na > left ? na - left : 0;
            if (zeros(v, i) + left < need) return zeros(v, na);
        }
    }
    return zeros(v, na);
}

#define AGAINST_WORDS(k)                                                                   \
    case k: {                                                                              \
        uint64_t v[k];                                                                     \
        *lcs = against(al, b, nb, need, na, k, v);                                         \
        break;                                                                             \
    }

fw_status fw_align_against(fw_aligner *al, const uint32_t *b, size_t nb, size_t need,
                           size_t *lcs)
{
    const size_t na = al->pattern_len, words = (na + 63) / 64;
    *lcs = 0;
    if (!na || !nb) return FW_OK;
    switch (words) { /* passages are a few hundred characters */
    AGAINST_WORDS(1)
    AGAINST_WORDS(2)
    AGAINST_WORDS(3)
    AGAINST_WORDS(4)
    AGAINST_WORDS(5)
    AGAINST_WORDS(6)
    AGAINST_WORDS(7)
    default: *lcs = against(al, b, nb, need, na, words, al->columns); break;
    }
    return FW_OK;
}

/* Adds the match (i, j) to the runs being built backwards. */
static int push_match(fw_aligner *al, size_t *n, uint32_t i, uint32_t j)
{
    if (*n) {
        fw_align_run *r = &al->runs[*n - 1];
        if (r->a == i + 1 && r->b == j + 1) {
            r->a = i;
            r->b = j;
            r->len++;
            return 1;
        }
    }
    if (!fw_grow(&al->runs, &al->runs_cap, *n + 1, sizeof *al->runs, 64)) return 0;
    al->runs[(*n)++] = (fw_align_run){i, j, 1};
    return 1;
}

/* fw_align() with a as the texts come. */
static fw_status align_as_given(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b,
                                size_t nb, size_t *lcs, size_t *nruns)
{
    *lcs = *nruns = 0;
    if (!na || !nb) return FW_OK;
    if (na >= UINT32_MAX || nb >= UINT32_MAX) return FW_ERR_ARG;
    /* A common end is where the traceback starts anyway (equal characters
     * are always matched), so it is left out of the columns and added as
     * the last run: the same runs for less work. */
    size_t tail = 0;
    while (tail < na && tail < nb && a[na - 1 - tail] == b[nb - 1 - tail]) tail++;
    size_t n = 0;
    if (tail && !fw_grow(&al->runs, &al->runs_cap, 1, sizeof *al->runs, 64)) return FW_ERR_NOMEM;
    if (tail) al->runs[n++] = (fw_align_run){(uint32_t)(na - tail), (uint32_t)(nb - tail),
                                             (uint32_t)tail};
    size_t i = na - tail, j = nb - tail, head = 0;
    if (i && j) {
        fw_status st = run_columns(al, a, i, b, j, 1, &head);
        if (st != FW_OK) return st;
    }
    const size_t words = (i + 63) / 64;
    while (i && j) {
        if (a[i - 1] == b[j - 1]) {
            if (!push_match(al, &n, (uint32_t)(i - 1), (uint32_t)(j - 1))) return FW_ERR_NOMEM;
            i--;
            j--;
        } else if (al->columns[j * words + (i - 1) / 64] >> ((i - 1) % 64) & 1) {
            i--;
        } else {
            j--;
        }
    }
    for (size_t x = 0, y = n; x + 1 < y; x++, y--) { /* built backwards */
        fw_align_run t = al->runs[x];
        al->runs[x] = al->runs[y - 1];
        al->runs[y - 1] = t;
    }
    *lcs = head + tail;
    *nruns = n;
    return FW_OK;
}

/* Whether the pair goes the other way round: the longer text first (the
 * cheaper order for a short one), equal lengths by their code points. */
static int turned(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na != nb) return nb > na;
    for (size_t i = 0; i < na; i++)
        if (a[i] != b[i]) return b[i] < a[i];
    return 0;
}

fw_status fw_align(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                   size_t *lcs, size_t *nruns)
{
    /* Where several alignments are as long, the traceback's choice depends
     * on which text is a: a pair is aligned in one order whichever way it
     * comes, and its runs turned, so that (a, b) and (b, a) give the same
     * alignment, mirrored (spans.csv differed when two documents' names
     * were swapped, 建建 against 建金 aligned at the one or the other 建). */
    if (!turned(a, na, b, nb)) return align_as_given(al, a, na, b, nb, lcs, nruns);
    fw_status st = align_as_given(al, b, nb, a, na, lcs, nruns);
    for (size_t k = 0; st == FW_OK && k < *nruns; k++) {
        fw_align_run *r = &al->runs[k];
        *r = (fw_align_run){r->b, r->a, r->len};
    }
    return st;
}
