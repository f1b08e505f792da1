/*
 * test_sketch.c — MinHash estimates against exact Jaccard, the banding
 * probability formula, the choice of bands and rows, and LSH candidates on
 * signatures built to land in known buckets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* cmocka 1.1 has no double comparison; this one prints both values. */
#define assert_near(a, b, eps) \
    do { double a_ = (a), b_ = (b); \
         if (!(fabs(a_ - b_) <= (eps))) fail_msg("%.10f != %.10f", a_, b_); } while (0)


static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Over 400 random set pairs with Jaccard from 0.05 to 0.95, the estimate
 * must behave like a binomial share: ≥ 99% within 3 standard errors,
 * ≥ 90% within 2, and no bias beyond what 400 samples allow. */
static void test_estimate_within_standard_error(void **state)
{
    (void)state;
    const unsigned k = 128;
    fw_minhasher *mh;
    assert_int_equal(fw_minhasher_new(k, 7, &mh), FW_OK);
    uint64_t a[3000], b[3000];
    uint32_t sa[128], sb[128];
    int within3 = 0, within2 = 0, trials = 400;
    double bias = 0, se_sum = 0;
    for (int t = 0; t < trials; t++) {
        size_t common = 50 + rng() % 1000, only_a = rng() % 1000, only_b = rng() % 1000;
        size_t na = 0, nb = 0;
        for (size_t i = 0; i < common; i++) { uint64_t x = rng(); a[na++] = x; b[nb++] = x; }
        for (size_t i = 0; i < only_a; i++) a[na++] = rng();
        for (size_t i = 0; i < only_b; i++) b[nb++] = rng();
        qsort(a, na, sizeof *a, cmp_u64);
        qsort(b, nb, sizeof *b, cmp_u64);
        size_t inter = fw_verify_intersection(a, na, b, nb);
        assert_int_equal(inter, common);
        double j = fw_verify_jaccard(inter, na, nb);
        assert_near(j, (double)common / (common + only_a + only_b), 1e-12);
        fw_minhash_compute(mh, a, na, sa);
        fw_minhash_compute(mh, b, nb, sb);
        double est = fw_minhash_estimate(sa, sb, k);
        double se = sqrt(j * (1 - j) / k);
        within3 += fabs(est - j) <= 3 * se + 1e-12;
        within2 += fabs(est - j) <= 2 * se + 1e-12;
        bias += est - j;
        se_sum += se;
    }
    assert_true(within3 >= trials * 99 / 100);
    assert_true(within2 >= trials * 90 / 100);
    double mean_se = se_sum / trials;
    assert_true(fabs(bias / trials) <= 3 * mean_se / sqrt(trials));
    fw_minhasher_free(mh);
}

static void test_signature_is_deterministic(void **state)
{
    (void)state;
    fw_minhasher *m1, *m2, *m3;
    assert_int_equal(fw_minhasher_new(64, 1, &m1), FW_OK);
    assert_int_equal(fw_minhasher_new(64, 1, &m2), FW_OK);
    assert_int_equal(fw_minhasher_new(64, 2, &m3), FW_OK);
    uint64_t set[5] = {1, 2, 3, 1000000007ULL, 0xFFFFFFFFFFFFULL};
    uint32_t s1[64], s2[64], s3[64];
    fw_minhash_compute(m1, set, 5, s1);
    fw_minhash_compute(m2, set, 5, s2);
    fw_minhash_compute(m3, set, 5, s3);
    assert_memory_equal(s1, s2, sizeof s1);
    assert_memory_not_equal(s1, s3, sizeof s1);
    fw_minhasher_free(m3);
    fw_minhash_compute(m1, set, 0, s1); /* empty set: all maxima */
    for (int i = 0; i < 64; i++) assert_int_equal(s1[i], UINT32_MAX);
    assert_int_equal(fw_minhasher_new(0, 1, &m3), FW_ERR_ARG);
    assert_null(m3);
    assert_int_equal(fw_minhasher_new(1025, 1, &m3), FW_ERR_ARG);
    fw_minhasher_free(m1);
    fw_minhasher_free(m2);
    fw_minhasher_free(NULL);
}

static void test_banding_probability(void **state)
{
    (void)state;
    assert_near(fw_lsh_probability(0.5, 2, 1), 0.75, 1e-15);
    assert_near(fw_lsh_probability(0.5, 1, 2), 0.25, 1e-15);
    assert_near(fw_lsh_probability(1.0, 3, 7), 1.0, 1e-15);
    assert_near(fw_lsh_probability(0.0, 30, 4), 0.0, 1e-15);
    /* 1 - (1 - 0.8^6)^16 = 1 - 0.737856^16 */
    assert_near(fw_lsh_probability(0.8, 16, 6), 0.99228127, 1e-8);
    /* datasketch's equal-weight choice for 0.8 / 128 (b=9, r=13) is ~0.4 */
    assert_near(fw_lsh_probability(0.8, 9, 13), 0.3988, 1e-3);
}

/* The chosen (B, R) for several thresholds: recall ≥ 0.99 at the threshold,
 * B·R ≤ K, and no choice with R one larger (a steeper curve, fewer false
 * candidates) still reaches 0.99 within K. */
static void test_choose_bands_rows(void **state)
{
    (void)state;
    struct { double t; unsigned k, b, r; } want[] = {
        /* expected values from an independent search (Python, midpoint
         * rule with 2000 steps) over all B·R ≤ 128 */
        {0.8, 128, 16, 6}, {0.9, 128, 11, 10}, {0.5, 128, 35, 3},
        {0.7, 128, 17, 4}, {0.95, 128, 8, 16},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        unsigned b, r;
        assert_int_equal(fw_lsh_choose(want[i].t, want[i].k, &b, &r), FW_OK);
        print_message("threshold %.2f: B=%u R=%u P=%.4f\n", want[i].t, b, r,
                      fw_lsh_probability(want[i].t, b, r));
        assert_true(b * r <= want[i].k);
        assert_true(fw_lsh_probability(want[i].t, b, r) >= 0.99);
        unsigned steeper_b = want[i].k / (r + 1);
        assert_true(fw_lsh_probability(want[i].t, steeper_b, r + 1) < 0.99 ||
                    steeper_b * (r + 1) > want[i].k);
        assert_int_equal(b, want[i].b);
        assert_int_equal(r, want[i].r);
    }
    unsigned b, r;
    assert_int_equal(fw_lsh_choose(0.0, 128, &b, &r), FW_ERR_ARG);
    assert_int_equal(fw_lsh_choose(1.5, 128, &b, &r), FW_ERR_ARG);
    /* Unreachable recall: the highest probability wins (R = 1, B = K). */
    assert_int_equal(fw_lsh_choose(0.01, 16, &b, &r), FW_OK);
    assert_int_equal(b, 16);
    assert_int_equal(r, 1);
}

/* 40 documents, 4 bands of 2 rows: docs 0..19 identical (a bucket of 20,
 * more than FW_LSH_FULL_BUCKET: a star around doc 0), docs 20..22 share only
 * band 2 (a small bucket: all 3 pairs), doc 23 has no signature, the rest
 * are unique. */
static void test_candidates_star_and_full(void **state)
{
    (void)state;
    enum { N = 40, K = 8 };
    static uint32_t sig[N][K];
    const uint32_t *sigs[N];
    for (int d = 0; d < N; d++) {
        for (int i = 0; i < K; i++) sig[d][i] = (uint32_t)rng();
        sigs[d] = sig[d];
    }
    for (int d = 1; d < 20; d++) memcpy(sig[d], sig[0], sizeof sig[0]);
    for (int d = 21; d < 23; d++) memcpy(&sig[d][4], &sig[20][4], 2 * sizeof(uint32_t));
    sigs[23] = NULL;
    fw_pair *pairs;
    size_t n;
    for (int threads = 1; threads <= 2; threads++) {
        assert_int_equal(fw_lsh_candidates(sigs, N, K, 4, 2, threads, &pairs, &n), FW_OK);
        assert_int_equal(n, 19 + 3);
        for (uint32_t j = 1; j < 20; j++) {
            assert_int_equal(pairs[j - 1].a, 0);
            assert_int_equal(pairs[j - 1].b, j);
        }
        assert_int_equal(pairs[19].a, 20); assert_int_equal(pairs[19].b, 21);
        assert_int_equal(pairs[20].a, 20); assert_int_equal(pairs[20].b, 22);
        assert_int_equal(pairs[21].a, 21); assert_int_equal(pairs[21].b, 22);
        free(pairs);
    }
    assert_int_equal(fw_lsh_candidates(sigs, N, K, 5, 2, 1, &pairs, &n), FW_ERR_ARG);
}


/* The documented permutations, computed the slow way: h_k(x) = (a_k·x + b_k)
 * mod 2^32 on the low 32 bits of each hash, a_k = low half | 1 and b_k =
 * high half of the k-th SplitMix64 value from seed ^ "minhash". */
static void reference_minhash(unsigned k, uint64_t seed, const uint64_t *x, size_t n,
                              uint32_t *sig)
{
    uint64_t st = seed ^ 0x6D696E68617368ULL;
    for (unsigned j = 0; j < k; j++) {
        uint64_t z = (st += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        uint32_t a = (uint32_t)z | 1, b = (uint32_t)(z >> 32), m = UINT32_MAX;
        for (size_t i = 0; i < n; i++) {
            uint32_t h = a * (uint32_t)x[i] + b;
            if (h < m) m = h;
        }
        sig[j] = m;
    }
}

/* Every code path this CPU runs gives the reference's bits, for K that are
 * and are not multiples of the vector widths, and sets of any size. */
static void test_code_paths_match_reference(void **state)
{
    (void)state;
    static const unsigned ks[] = {1, 7, 15, 16, 17, 100, 128, 129, 1024};
    static const size_t ns[] = {0, 1, 5, 333, 4000};
    static const fw_simd paths[] = {FW_SIMD_BASELINE, FW_SIMD_AVX2, FW_SIMD_AVX512};
    uint64_t *x = malloc(4000 * sizeof *x);
    uint32_t want[1024], got[1024];
    for (size_t i = 0; i < 4000; i++) x[i] = rng();
    assert_true(fw_simd_supported(FW_SIMD_BASELINE));
    int tried = 0;
    for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
        fw_minhasher *mh;
        assert_int_equal(fw_minhasher_new(ks[ki], 99, &mh), FW_OK);
        assert_int_equal(fw_minhasher_simd(mh), fw_simd_best());
        for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++) {
            reference_minhash(ks[ki], 99, x, ns[ni], want);
            for (size_t p = 0; p < 3; p++) {
                if (!fw_simd_supported(paths[p])) {
                    assert_int_equal(fw_minhasher_set_simd(mh, paths[p]), FW_ERR_ARG);
                    continue;
                }
                assert_int_equal(fw_minhasher_set_simd(mh, paths[p]), FW_OK);
                memset(got, 0xAB, sizeof got);
                fw_minhash_compute(mh, x, ns[ni], got);
                assert_memory_equal(got, want, ks[ki] * sizeof *want);
                tried++;
            }
        }
        fw_minhasher_free(mh);
    }
    assert_true(tried >= 9 * 5); /* the baseline at least */
    free(x);
}

/* Random sets with |A ∪ B| = 1000 and |A ∩ B| = J·1000: over 600 pairs the
 * estimates must have no bias beyond 3 standard errors of the mean, and a
 * variance within [0.8, 1.25] × J(1-J)/K, which is what K independent
 * permutations give (a family whose permutations were correlated would
 * show a larger one; 20% is over 3 standard errors of a 600-sample
 * variance). OPH samples without replacement, so its variance is lower by
 * about 1 - K/|A ∪ B|: its lower bound is 0.5. */
typedef void (*sketch_fn)(const void *sketcher, const uint64_t *x, size_t n, uint32_t *sig);
static void minhash_fn(const void *m, const uint64_t *x, size_t n, uint32_t *sig)
{
    fw_minhash_compute(m, x, n, sig);
}
static void oph_fn(const void *o, const uint64_t *x, size_t n, uint32_t *sig)
{
    fw_oph_compute(o, x, n, sig);
}

static void check_estimator(sketch_fn f, const void *sketcher, unsigned k, size_t uni,
                            double j, double min_var_ratio, double max_var_ratio)
{
    enum { TRIALS = 600 };
    uint64_t *a = malloc(uni * sizeof *a), *b = malloc(uni * sizeof *b);
    uint32_t sa[1024], sb[1024];
    size_t common = (size_t)(j * uni + 0.5), rest = uni - common;
    double exact = (double)common / uni, sum = 0, sum2 = 0;
    for (int t = 0; t < TRIALS; t++) {
        size_t na = 0, nb = 0;
        for (size_t i = 0; i < common; i++) { uint64_t x = rng(); a[na++] = x; b[nb++] = x; }
        for (size_t i = 0; i < rest; i++) {
            if (i % 2) a[na++] = rng(); else b[nb++] = rng();
        }
        f(sketcher, a, na, sa);
        f(sketcher, b, nb, sb);
        double e = fw_minhash_estimate(sa, sb, k) - exact;
        sum += e;
        sum2 += e * e;
    }
    double mean = sum / TRIALS, var = sum2 / TRIALS - mean * mean;
    double expected = exact * (1 - exact) / k;
    print_message("    |A u B| = %zu, J = %.2f: bias %+.4f, variance %.3f x J(1-J)/K\n", uni,
                  exact, mean, var / expected);
    if (fabs(mean) > 3 * sqrt(expected / TRIALS) + 1e-9)
        fail_msg("bias %.5f at J %.2f", mean, exact);
    if (var > max_var_ratio * expected || var < min_var_ratio * expected)
        fail_msg("variance %.6f, expected %.6f at J %.2f", var, expected, exact);
    free(a);
    free(b);
}

static void test_minhash_estimates_are_independent(void **state)
{
    (void)state;
    fw_minhasher *mh;
    assert_int_equal(fw_minhasher_new(128, 3, &mh), FW_OK);
    check_estimator(minhash_fn, mh, 128, 1000, 0.2, 0.8, 1.25);
    check_estimator(minhash_fn, mh, 128, 1000, 0.5, 0.8, 1.25);
    check_estimator(minhash_fn, mh, 128, 1000, 0.8, 0.8, 1.25);
    fw_minhasher_free(mh);
}

/* OPH with optimal densification: unbiased and MinHash-like variance when
 * sets are much larger than K; still unbiased on sets smaller than K,
 * where most bins are borrowed (Shrivastava 2017 bounds the variance there
 * by about twice MinHash's). */
static void test_oph_estimates(void **state)
{
    (void)state;
    fw_oph *o;
    assert_int_equal(fw_oph_new(128, 3, &o), FW_OK);
    check_estimator(oph_fn, o, 128, 1000, 0.5, 0.5, 1.25);
    check_estimator(oph_fn, o, 128, 1000, 0.8, 0.5, 1.25);
    check_estimator(oph_fn, o, 128, 60, 0.5, 0.5, 2.0);
    /* deterministic, seeded, and the empty set gives all maxima */
    uint64_t x[40];
    uint32_t s1[128], s2[128], s3[128];
    for (int i = 0; i < 40; i++) x[i] = rng();
    fw_oph *o2, *o3;
    assert_int_equal(fw_oph_new(128, 3, &o2), FW_OK);
    assert_int_equal(fw_oph_new(128, 4, &o3), FW_OK);
    fw_oph_compute(o, x, 40, s1);
    fw_oph_compute(o2, x, 40, s2);
    fw_oph_compute(o3, x, 40, s3);
    assert_memory_equal(s1, s2, sizeof s1);
    assert_true(memcmp(s1, s3, sizeof s1) != 0);
    /* with one shingle every bin borrows its value */
    fw_oph_compute(o, x, 1, s1);
    for (int i = 0; i < 128; i++) assert_int_equal(s1[i], s1[0]);
    fw_oph_compute(o, x, 0, s1);
    for (int i = 0; i < 128; i++) assert_int_equal(s1[i], UINT32_MAX);
    fw_oph_free(o3);
    assert_int_equal(fw_oph_new(0, 1, &o3), FW_ERR_ARG);
    assert_null(o3);
    fw_oph_free(o);
    fw_oph_free(o2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_estimate_within_standard_error),
        cmocka_unit_test(test_signature_is_deterministic),
        cmocka_unit_test(test_banding_probability),
        cmocka_unit_test(test_choose_bands_rows),
        cmocka_unit_test(test_candidates_star_and_full),
        cmocka_unit_test(test_code_paths_match_reference),
        cmocka_unit_test(test_minhash_estimates_are_independent),
        cmocka_unit_test(test_oph_estimates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
