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
 * The match masks M are kept for the distinct characters of a only, in a
 * small open-addressed table (Chinese has thousands of characters, a
 * passage a few hundred). For the alignment itself every column is kept,
 * and the traceback reads the bits: at (i, j), equal characters are a
 * match (always optimal for LCS); otherwise a set bit i - 1 of V_j means
 * L(i - 1, j) = L(i, j) (move up), a clear one that the value came from
 * the left. No popcount, and no L value is ever materialised.
 */
#include "align.h"
#include "grow.h"

#include <string.h>

void fw_aligner_free(fw_aligner *al)
{
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

/* Builds the match masks of a's distinct characters. */
static fw_status build_masks(fw_aligner *al, const uint32_t *a, size_t na, size_t words)
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
    /* room for a mask per character: at most na distinct */
    if (!fw_grow(&al->masks, &al->masks_cap, (na ? na : 1) * words, sizeof *al->masks, 256))
        return FW_ERR_NOMEM;
    fw_align_entry *t = al->table;
    const uint32_t stamp = al->stamp;
    size_t distinct = 0;
    for (size_t i = 0; i < na; i++) {
        uint32_t h = table_slot(a[i], cap);
        while (t[h].stamp == stamp && t[h].key != a[i]) h = (h + 1) & (uint32_t)(cap - 1);
        if (t[h].stamp != stamp) {
            memset(al->masks + distinct * words, 0, words * sizeof *al->masks);
            t[h] = (fw_align_entry){a[i], stamp, (uint32_t)distinct++, 0};
        }
        al->masks[t[h].slot * words + i / 64] |= (uint64_t)1 << (i % 64);
    }
    return FW_OK;
}

/* The match mask of `cp`, or NULL when a has no such character. */
static inline const uint64_t *mask_of(const fw_aligner *al, uint32_t cp, size_t cap,
                                      size_t words)
{
    uint32_t h = table_slot(cp, cap);
    const fw_align_entry *t = al->table;
    while (t[h].stamp == al->stamp) {
        if (t[h].key == cp) return al->masks + (size_t)t[h].slot * words;
        h = (h + 1) & (uint32_t)(cap - 1);
    }
    return NULL;
}

/* One column: V' = (V + (V & M)) | (V & ~M), the addition carried across
 * words. */
static inline void step(uint64_t *v, const uint64_t *m, size_t words)
{
    uint64_t carry = 0;
    for (size_t k = 0; k < words; k++) {
        uint64_t x = v[k], u = x & m[k];
        uint64_t s = x + u;
        uint64_t c = s < x;
        s += carry;
        c |= s < carry;
        carry = c;
        v[k] = s | (x & ~m[k]);
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
        if (keep) {
            memcpy(v + words, v, words * sizeof *v);
            v += words;
        }
        const uint64_t *m = mask_of(al, b[j], al->table_cap, words);
        if (m) step(v, m, words);
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

fw_status fw_align_against(fw_aligner *al, const uint32_t *b, size_t nb, size_t need,
                           size_t *lcs)
{
    const size_t na = al->pattern_len, words = (na + 63) / 64;
    *lcs = 0;
    if (!na || !nb) return FW_OK;
    uint64_t *v = al->columns;
    memset(v, 0xFF, words * sizeof *v);
    for (size_t j = 0; j < nb; j++) {
        const uint64_t *m = mask_of(al, b[j], al->table_cap, words);
        if (m) step(v, m, words);
        if (need && (j + 1) % CHECK_EVERY == 0 && zeros(v, na) + (nb - j - 1) < need) {
            *lcs = zeros(v, na); /* below need: it cannot get there */
            return FW_OK;
        }
    }
    *lcs = zeros(v, na);
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

fw_status fw_align(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                   size_t *lcs, size_t *nruns)
{
    *lcs = *nruns = 0;
    if (!na || !nb) return FW_OK;
    if (na >= UINT32_MAX || nb >= UINT32_MAX) return FW_ERR_ARG;
    if (na == nb && memcmp(a, b, na * sizeof *a) == 0) { /* a copy: what traceback finds */
        if (!fw_grow(&al->runs, &al->runs_cap, 1, sizeof *al->runs, 64)) return FW_ERR_NOMEM;
        al->runs[0] = (fw_align_run){0, 0, (uint32_t)na};
        *lcs = na;
        *nruns = 1;
        return FW_OK;
    }
    fw_status st = run_columns(al, a, na, b, nb, 1, lcs);
    if (st != FW_OK) return st;
    const size_t words = (na + 63) / 64;
    size_t n = 0, i = na, j = nb;
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
    *nruns = n;
    return FW_OK;
}
