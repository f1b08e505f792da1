/*
 * test_align.c — the bit-parallel LCS (align.c) against the plain dynamic
 * programme: random texts over small and large alphabets at every length
 * around the 64-bit word boundaries, planted copies with known edits, and
 * the runs of the alignment (in order, equal characters, adding up to the
 * LCS, and the very runs a traceback of the full table takes, in one order
 * of the pair whichever way it comes: mirrored when the texts are
 * swapped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "align.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

/* The textbook O(na·nb) programme, one row at a time. */
static size_t lcs_reference(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t *prev = calloc(nb + 1, sizeof *prev), *cur = calloc(nb + 1, sizeof *cur);
    assert_non_null(prev);
    assert_non_null(cur);
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            if (a[i - 1] == b[j - 1]) cur[j] = prev[j - 1] + 1;
            else cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
        size_t *t = prev; prev = cur; cur = t;
    }
    size_t r = prev[nb];
    free(prev);
    free(cur);
    return r;
}

/* Runs in order, within bounds, on equal characters, maximal (two runs
 * never touch on the same diagonal), adding up to the LCS. */
static void check_runs(const fw_aligner *al, size_t nruns, const uint32_t *a, size_t na,
                       const uint32_t *b, size_t nb, size_t lcs)
{
    size_t total = 0;
    for (size_t r = 0; r < nruns; r++) {
        const fw_align_run *x = &al->runs[r];
        assert_true(x->len > 0);
        assert_true(x->a + x->len <= na);
        assert_true(x->b + x->len <= nb);
        assert_memory_equal(a + x->a, b + x->b, x->len * sizeof *a);
        if (r) {
            const fw_align_run *p = &al->runs[r - 1];
            assert_true(p->a + p->len <= x->a);
            assert_true(p->b + p->len <= x->b);
            assert_false(p->a + p->len == x->a && p->b + p->len == x->b);
        }
        total += x->len;
    }
    assert_int_equal(total, lcs);
}

/* The runs a traceback of the full table takes from (na, nb), matching
 * equal characters and otherwise moving up when L(i - 1, j) = L(i, j),
 * left when not (align.c's rule), as (a, b, len) triples in order. */
static size_t traceback_reference(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                                  fw_align_run *out)
{
    size_t *L = calloc((na + 1) * (nb + 1), sizeof *L);
    assert_non_null(L);
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t up = L[(i - 1) * (nb + 1) + j], left = L[i * (nb + 1) + j - 1];
            L[i * (nb + 1) + j] = a[i - 1] == b[j - 1] ? L[(i - 1) * (nb + 1) + j - 1] + 1
                                                        : (up > left ? up : left);
        }
    size_t n = 0, i = na, j = nb;
    while (i && j) {
        if (a[i - 1] == b[j - 1]) {
            if (n && out[n - 1].a == i && out[n - 1].b == j) {
                out[n - 1].a--;
                out[n - 1].b--;
                out[n - 1].len++;
            } else {
                out[n++] = (fw_align_run){(uint32_t)(i - 1), (uint32_t)(j - 1), 1};
            }
            i--;
            j--;
        } else if (L[(i - 1) * (nb + 1) + j] == L[i * (nb + 1) + j]) {
            i--;
        } else {
            j--;
        }
    }
    free(L);
    for (size_t x = 0, y = n; x + 1 < y; x++, y--) {
        fw_align_run t = out[x];
        out[x] = out[y - 1];
        out[y - 1] = t;
    }
    return n;
}

/* The traceback of the pair in align.c's order (the longer text first,
 * equal lengths by their code points), turned back to (a, b). */
static size_t canonical_traceback(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                                  fw_align_run *out)
{
    int turn = nb > na;
    if (na == nb)
        for (size_t i = 0; i < na; i++)
            if (a[i] != b[i]) {
                turn = b[i] < a[i];
                break;
            }
    if (!turn) return traceback_reference(a, na, b, nb, out);
    size_t n = traceback_reference(b, nb, a, na, out);
    for (size_t k = 0; k < n; k++) out[k] = (fw_align_run){out[k].b, out[k].a, out[k].len};
    return n;
}

static void random_text(uint32_t *t, size_t n, uint32_t alphabet, uint32_t base)
{
    for (size_t i = 0; i < n; i++) t[i] = base + (uint32_t)(rng() % alphabet);
}

static void compare(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t want = lcs_reference(a, na, b, nb), got, got2, nruns;
    assert_int_equal(fw_align_lcs(al, a, na, b, nb, &got), FW_OK);
    if (got != want) fail_msg("lcs %zu, reference %zu (na %zu, nb %zu)", got, want, na, nb);
    assert_int_equal(fw_align(al, a, na, b, nb, &got2, &nruns), FW_OK);
    assert_int_equal(got2, want);
    check_runs(al, nruns, a, na, b, nb, want);
    fw_align_run *expect = malloc((na < nb ? na : nb) * sizeof *expect + 1);
    assert_non_null(expect);
    size_t nexpect = canonical_traceback(a, na, b, nb, expect);
    assert_int_equal(nruns, nexpect);
    if (nruns) assert_memory_equal(al->runs, expect, nruns * sizeof *expect);
    /* the other way round: the same alignment, mirrored */
    fw_align_run *mine = malloc((nruns ? nruns : 1) * sizeof *mine);
    assert_non_null(mine);
    if (nruns) memcpy(mine, al->runs, nruns * sizeof *mine); /* runs may be NULL when none */
    assert_int_equal(fw_align(al, b, nb, a, na, &got2, &nexpect), FW_OK);
    assert_int_equal(nexpect, nruns);
    for (size_t k = 0; k < nruns; k++) {
        assert_int_equal(al->runs[k].a, mine[k].b);
        assert_int_equal(al->runs[k].b, mine[k].a);
        assert_int_equal(al->runs[k].len, mine[k].len);
    }
    free(mine);
    free(expect);
    /* one pattern against a partner: the exact LCS when it can reach the
     * bar, and below the bar when it cannot (it may stop early) */
    fw_aligner one = {0};
    if (na) {
        assert_int_equal(fw_align_pattern(&one, a, na), FW_OK);
        size_t bars[] = {0, want, want + 1, want / 2 + 1};
        for (size_t k = 0; k < sizeof bars / sizeof *bars; k++) {
            assert_int_equal(fw_align_against(&one, b, nb, bars[k], &got), FW_OK);
            if (bars[k] <= want) assert_int_equal(got, want);
            else assert_true(got < bars[k]);
        }
    }
    fw_aligner_free(&one);
}

/* Every length from 0 to 200 (words of 64 bits: 1 to 4, each boundary
 * crossed) against random partners, over 2, 4 and 3,000 letters. */
static void test_random_against_reference(void **state)
{
    (void)state;
    fw_aligner al = {0};
    uint32_t a[300], b[300];
    const uint32_t alphabets[] = {2, 4, 3000};
    for (int k = 0; k < 3; k++) {
        for (size_t na = 0; na <= 200; na++) {
            size_t nb = (size_t)(rng() % 260);
            random_text(a, na, alphabets[k], 0x4E00);
            random_text(b, nb, alphabets[k], 0x4E00);
            compare(&al, a, na, b, nb);
        }
    }
    /* the word counts of long passages, 4 to 10, at their boundaries */
    static uint32_t la[700], lb[700];
    const size_t lengths[] = {255, 256, 257, 319, 320, 321, 383, 384, 385, 447, 448,
                              449, 511, 512, 513, 575, 576, 577, 640};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
            size_t na = lengths[i], nb = 100 + (size_t)(rng() % 600);
            random_text(la, na, alphabets[k], 0x4E00);
            random_text(lb, nb, alphabets[k], 0x4E00);
            if (k == 2) memcpy(lb + nb / 3, la + na / 4, (nb - nb / 3 < na / 2 ? nb - nb / 3 : na / 2) * 4);
            compare(&al, la, na, lb, nb);
        }
    fw_aligner_free(&al);
}

/* Long texts (1,000 characters: 16 words) with carries through many words:
 * a binary alphabet makes long carry chains. */
static void test_long_texts(void **state)
{
    (void)state;
    fw_aligner al = {0};
    static uint32_t a[1000], b[1100];
    for (int t = 0; t < 20; t++) {
        random_text(a, 1000, t % 2 ? 2 : 50, 'a');
        random_text(b, 1100, t % 2 ? 2 : 50, 'a');
        compare(&al, a, 1000, b, 1100);
    }
    fw_aligner_free(&al);
}

/* A copy with every tenth character replaced by one that is nowhere in
 * the source, and one with every tenth dropped: the LCS is exactly the
 * characters kept, and the runs are the nine-character pieces between
 * the edits. */
static void test_planted_edits(void **state)
{
    (void)state;
    fw_aligner al = {0};
    uint32_t src[400], swapped[400], dropped[400];
    for (size_t i = 0; i < 400; i++) src[i] = 0x4E00 + (uint32_t)i; /* all distinct */
    size_t nd = 0;
    for (size_t i = 0; i < 400; i++) {
        swapped[i] = i % 10 == 9 ? 0x9000 + (uint32_t)i : src[i];
        if (i % 10 != 9) dropped[nd++] = src[i];
    }
    size_t lcs, nruns;
    assert_int_equal(fw_align(&al, src, 400, swapped, 400, &lcs, &nruns), FW_OK);
    assert_int_equal(lcs, 360);
    assert_int_equal(nruns, 40);
    for (size_t r = 0; r < nruns; r++) {
        assert_int_equal(al.runs[r].a, 10 * r);
        assert_int_equal(al.runs[r].b, 10 * r);
        assert_int_equal(al.runs[r].len, 9);
    }
    assert_int_equal(fw_align(&al, src, 400, dropped, nd, &lcs, &nruns), FW_OK);
    assert_int_equal(lcs, 360);
    assert_int_equal(nruns, 40);
    for (size_t r = 0; r < nruns; r++) {
        assert_int_equal(al.runs[r].a, 10 * r);
        assert_int_equal(al.runs[r].b, 9 * r);
    }
    /* an insertion of 20 foreign characters in the middle */
    uint32_t inserted[420];
    memcpy(inserted, src, 200 * sizeof *src);
    for (int i = 0; i < 20; i++) inserted[200 + i] = 0xA000 + (uint32_t)i;
    memcpy(inserted + 220, src + 200, 200 * sizeof *src);
    assert_int_equal(fw_align(&al, src, 400, inserted, 420, &lcs, &nruns), FW_OK);
    assert_int_equal(lcs, 400);
    assert_int_equal(nruns, 2);
    assert_int_equal(al.runs[1].a, 200);
    assert_int_equal(al.runs[1].b, 220);
    fw_aligner_free(&al);
}

/* Characters outside the Basic Multilingual Plane (emoji, CJK extension
 * B) take another path to their masks than 一 and a: mixed texts against
 * the reference, and one pattern after another on one aligner, so that
 * neither path keeps a character of the pattern before. */
static void test_planes_and_patterns(void **state)
{
    (void)state;
    const uint32_t letters[] = {'a', 0x4E00, 0x4E01, 0xFFFF, 0x10000, 0x1F600, 0x20000, 0x2A6D6};
    fw_aligner al = {0}, one = {0};
    uint32_t a[150], b[150];
    for (int t = 0; t < 300; t++) {
        size_t na = 1 + (size_t)(rng() % 149), nb = (size_t)(rng() % 150);
        uint32_t pick = 2 + (uint32_t)(rng() % 7); /* how many of the letters */
        for (size_t i = 0; i < na; i++) a[i] = letters[rng() % pick];
        for (size_t i = 0; i < nb; i++) b[i] = letters[(rng() % pick + (uint32_t)t) % 8];
        compare(&al, a, na, b, nb);
        /* the same aligner for each pattern in turn */
        size_t got;
        assert_int_equal(fw_align_pattern(&one, a, na), FW_OK);
        assert_int_equal(fw_align_against(&one, b, nb, 0, &got), FW_OK);
        assert_int_equal(got, lcs_reference(a, na, b, nb));
    }
    /* a pattern of one astral letter, then one without it: b of that
     * letter alone must match nothing */
    uint32_t astral = 0x1F600, plain = 0x4E00;
    size_t got;
    assert_int_equal(fw_align_pattern(&one, &astral, 1), FW_OK);
    assert_int_equal(fw_align_against(&one, &astral, 1, 0, &got), FW_OK);
    assert_int_equal(got, 1);
    assert_int_equal(fw_align_pattern(&one, &plain, 1), FW_OK);
    assert_int_equal(fw_align_against(&one, &astral, 1, 0, &got), FW_OK);
    assert_int_equal(got, 0);
    assert_int_equal(fw_align_pattern(&one, &astral, 1), FW_OK);
    assert_int_equal(fw_align_against(&one, &plain, 1, 0, &got), FW_OK);
    assert_int_equal(got, 0);
    fw_aligner_free(&al);
    fw_aligner_free(&one);
}

/* A long pattern of few letters keeps a mask a letter, not one a
 * character: 30,000 characters of 26 letters would be 110 MB of masks
 * (na² / 64 words) the other way. */
static void test_masks_by_letter(void **state)
{
    (void)state;
    enum { N = 30000 };
    uint32_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    random_text(a, N, 26, 'a');
    random_text(b, N, 26, 'a');
    fw_aligner al = {0};
    assert_int_equal(fw_align_pattern(&al, a, N), FW_OK);
    const size_t words = (N + 63) / 64;
    assert_true(al.masks_cap <= 2 * 27 * words + 256);
    size_t got;
    assert_int_equal(fw_align_against(&al, b, 2000, 0, &got), FW_OK);
    assert_int_equal(got, lcs_reference(a, N, b, 2000));
    fw_aligner_free(&al);
    free(a);
    free(b);
}

static void test_empty_and_identical(void **state)
{
    (void)state;
    fw_aligner al = {0};
    uint32_t a[70];
    random_text(a, 70, 5, 'a');
    size_t lcs, nruns;
    assert_int_equal(fw_align(&al, a, 0, a, 70, &lcs, &nruns), FW_OK);
    assert_int_equal(lcs, 0);
    assert_int_equal(nruns, 0);
    assert_int_equal(fw_align(&al, a, 70, a, 70, &lcs, &nruns), FW_OK);
    assert_int_equal(lcs, 70);
    assert_int_equal(nruns, 1);
    fw_aligner_free(&al);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_long_texts),
        cmocka_unit_test(test_planted_edits),
        cmocka_unit_test(test_planes_and_patterns),
        cmocka_unit_test(test_masks_by_letter),
        cmocka_unit_test(test_empty_and_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
