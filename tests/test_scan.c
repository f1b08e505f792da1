/*
 * test_scan.c — the whole pipeline against a brute-force reference.
 *
 * A generated corpus of families (a random Chinese text and variants with a
 * few characters substituted) puts hundreds of pairs just above and just
 * below the threshold. The reference computes the exact Jaccard of every
 * pair of documents, all n²/2 of them, by merging their shingle sets; the
 * scan must report exactly the pairs at or above the threshold that it
 * finds (precision 1), with the same Jaccard and containment values, and
 * miss at most 2% of them (recall ≥ 0.98; LSH is chosen for P ≥ 0.99 at the
 * threshold). Two threads must give the same results as one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "results.h"

#define FAMILIES 700
#define VARIANTS 3 /* a base and 2 variants */
#define NDOCS (FAMILIES * VARIANTS)


typedef struct corpus {
    char *text[NDOCS];
    size_t len[NDOCS];
    char id[NDOCS][32];
} corpus;

/* Bases of 150–600 characters from 2,000 CJK ideographs, with a full-width
 * comma now and then (dropped by normalization); variants substitute a
 * random 0.6–2.4% of the characters, which puts their Jaccard with the
 * base around 0.8–0.95 and with each other around 0.7–0.9. */
static void make_corpus(corpus *c)
{
    rng_state = 2024;
    uint32_t base[600], var[600];
    for (int f = 0; f < FAMILIES; f++) {
        size_t L = 150 + rng() % 451;
        for (size_t i = 0; i < L; i++) base[i] = 0x4E00 + (uint32_t)(rng() % 2000);
        for (int v = 0; v < VARIANTS; v++) {
            memcpy(var, base, L * sizeof *var);
            if (v > 0) {
                size_t subs = 1 + (size_t)(L * (0.006 + (rng() % 1000) / 1000.0 * 0.018));
                for (size_t s = 0; s < subs; s++)
                    var[rng() % L] = 0x4E00 + (uint32_t)(rng() % 2000);
            }
            int d = f * VARIANTS + v;
            c->text[d] = malloc(L * 6 + 1);
            size_t n = 0;
            for (size_t i = 0; i < L; i++) {
                n += fw_utf8_encode(c->text[d] + n, var[i]);
                if (i % 37 == 36) n += fw_utf8_encode(c->text[d] + n, 0xFF0C);
            }
            c->len[d] = n;
            snprintf(c->id[d], sizeof c->id[d], "doc%05d", d);
        }
    }
}

/* The reference: every document's shingle set, then all pairs. */
typedef struct ref_pair {
    uint32_t a, b;
    double j, a_in_b, b_in_a;
} ref_pair;

static size_t brute_force(const corpus *c, double t, ref_pair **out)
{
    fw_normalizer *nz;
    assert_int_equal(fw_normalizer_new(&nz), FW_OK);
    uint64_t *set[NDOCS];
    size_t n[NDOCS];
    uint32_t *cps = NULL;
    size_t cap = 0, len;
    for (int d = 0; d < NDOCS; d++) {
        assert_int_equal(fw_normalize(nz, c->text[d], c->len[d], &cps, &cap, &len, NULL), FW_OK);
        size_t m = fw_shingle_count(len, 5);
        set[d] = malloc(m * sizeof(uint64_t));
        uint64_t *tmp = malloc(m * sizeof(uint64_t));
        n[d] = fw_shingle_hash(cps, len, 5, 0, set[d], tmp);
        free(tmp);
    }
    size_t cnt = 0, cap_pairs = 4096;
    ref_pair *pairs = malloc(cap_pairs * sizeof *pairs);
    for (int a = 0; a < NDOCS; a++) {
        for (int b = a + 1; b < NDOCS; b++) {
            /* merge, written out here rather than calling fw_verify_* */
            size_t i = 0, j = 0, inter = 0;
            while (i < n[a] && j < n[b]) {
                if (set[a][i] < set[b][j]) i++;
                else if (set[a][i] > set[b][j]) j++;
                else inter++, i++, j++;
            }
            double jac = (double)inter / (double)(n[a] + n[b] - inter);
            if (jac < t) continue;
            if (cnt == cap_pairs) pairs = realloc(pairs, (cap_pairs *= 2) * sizeof *pairs);
            pairs[cnt++] = (ref_pair){(uint32_t)a, (uint32_t)b, jac,
                                      (double)inter / n[a], (double)inter / n[b]};
        }
    }
    for (int d = 0; d < NDOCS; d++) free(set[d]);
    free(cps);
    fw_normalizer_free(nz);
    *out = pairs;
    return cnt;
}

static fw_scan *run_scan(const corpus *c, double t, int threads)
{
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.threshold = t;
    o.threads = threads;
    fw_scan *s;
    assert_int_equal(fw_scan_new(&o, &s, NULL, 0), FW_OK);
    for (int d = 0; d < NDOCS; d++)
        assert_int_equal(fw_scan_add_text(s, c->id[d], c->text[d], c->len[d]), FW_OK);
    assert_int_equal(fw_scan_run(s), FW_OK);
    return s;
}

static ref_pair *all_ref; /* every pair with J >= 0.7, from setup */
static size_t all_nref;

static void check_against_reference(const corpus *c, double t)
{
    ref_pair *ref = malloc((all_nref + 1) * sizeof *ref);
    size_t nref = 0;
    for (size_t i = 0; i < all_nref; i++)
        if (all_ref[i].j >= t) ref[nref++] = all_ref[i];
    fw_scan *s = run_scan(c, t, 2);
    const fw_result_pair *got = pairs_of(s);
    size_t ngot = fw_scan_pair_count(s);
    /* documents were added in id order, so numbers and ids agree */
    size_t found = 0, band_total = 0, band_found = 0;
    size_t g = 0;
    for (size_t r = 0; r < nref; r++) {
        while (g < ngot && (got[g].a < ref[r].a || (got[g].a == ref[r].a && got[g].b < ref[r].b))) {
            fail_msg("reported pair %u-%u is not above the threshold", got[g].a, got[g].b);
        }
        int hit = g < ngot && got[g].a == ref[r].a && got[g].b == ref[r].b;
        if (hit) {
            assert_true(got[g].jaccard == ref[r].j);
            assert_true(got[g].a_in_b == ref[r].a_in_b);
            assert_true(got[g].b_in_a == ref[r].b_in_a);
            assert_true(got[g].estimate >= 0 && got[g].estimate <= 1);
            g++;
            found++;
        }
        if (ref[r].j < t + 0.1) {
            band_total++;
            band_found += hit;
        }
    }
    assert_int_equal(g, ngot); /* nothing reported beyond the reference */
    double recall = nref ? (double)found / nref : 1;
    print_message("threshold %.2f: %zu reference pairs, %zu found, recall %.4f; "
                  "%zu pairs in [%.2f, %.2f): recall %.4f\n",
                  t, nref, found, recall, band_total, t, t + 0.1,
                  band_total ? (double)band_found / band_total : 1.0);
    assert_true(nref > 0);
    assert_true(recall >= 0.98);
    if (t == 0.8) assert_true(band_total >= 1000);
    fw_scan_stats st;
    fw_scan_get_stats(s, &st);
    assert_int_equal(st.verified, ngot);
    assert_int_equal(st.docs[FW_DOC_OK], NDOCS);
    fw_scan_free(s);
    free(ref);
}

static corpus the_corpus;

static int setup(void **state)
{
    make_corpus(&the_corpus);
    all_nref = brute_force(&the_corpus, 0.7, &all_ref);
    *state = &the_corpus;
    return 0;
}

static int teardown(void **state)
{
    corpus *c = *state;
    for (int d = 0; d < NDOCS; d++) free(c->text[d]);
    free(all_ref);
    return 0;
}

static void test_matches_brute_force_at_0_8(void **state) { check_against_reference(*state, 0.8); }
static void test_matches_brute_force_at_0_7(void **state) { check_against_reference(*state, 0.7); }
static void test_matches_brute_force_at_0_9(void **state) { check_against_reference(*state, 0.9); }

static void test_same_output_at_one_and_two_threads(void **state)
{
    const corpus *c = *state;
    fw_scan *s1 = run_scan(c, 0.8, 1), *s2 = run_scan(c, 0.8, 2);
    assert_int_equal(fw_scan_pair_count(s1), fw_scan_pair_count(s2));
    assert_memory_equal(pairs_of(s1), pairs_of(s2),
                        fw_scan_pair_count(s1) * sizeof(fw_result_pair));
    for (size_t i = 0; i < fw_scan_doc_count(s1); i++) {
        fw_doc_info a, b;
        fw_scan_doc(s1, i, &a);
        fw_scan_doc(s2, i, &b);
        assert_string_equal(a.id, b.id);
        assert_int_equal(a.cluster, b.cluster);
        assert_int_equal(a.shingles, b.shingles);
    }
    fw_scan_free(s1);
    fw_scan_free(s2);
}

static void test_repeated_ids_are_renamed(void **state)
{
    (void)state;
    fw_scan_options o;
    fw_scan_options_default(&o);
    fw_scan *s;
    assert_int_equal(fw_scan_new(&o, &s, NULL, 0), FW_OK);
    const char *text = "教育局二〇一五年上半年工作总结及下半年工作计划";
    assert_int_equal(fw_scan_add_text(s, "x", text, strlen(text)), FW_OK);
    assert_int_equal(fw_scan_add_text(s, "x", text, strlen(text)), FW_OK);
    assert_int_equal(fw_scan_add_text(s, "a", "", 0), FW_OK);
    assert_int_equal(fw_scan_run(s), FW_OK);
    fw_doc_info d;
    fw_scan_doc(s, 0, &d);
    assert_string_equal(d.id, "x");
    assert_int_equal(d.rank, 1);
    fw_scan_doc(s, 1, &d);
    assert_string_equal(d.id, "x#2");
    assert_string_equal(d.message, "duplicate id, renamed");
    assert_int_equal(d.cluster, 0);
    assert_int_equal(d.cluster_size, 2);
    fw_scan_doc(s, 2, &d);
    assert_int_equal(d.status, FW_DOC_EMPTY);
    assert_int_equal(d.rank, 0);
    assert_int_equal(fw_scan_pair_count(s), 1);
    assert_true(pairs_of(s)[0].jaccard == 1.0);
    fw_scan_free(s);
}

static void test_rejects_bad_options(void **state)
{
    (void)state;
    fw_scan_options o;
    fw_scan *s = (fw_scan *)1;
    char why[128];
    double bad_t[] = {0.0, -0.1, 1.01, NAN};
    for (size_t i = 0; i < 4; i++) {
        fw_scan_options_default(&o);
        o.threshold = bad_t[i];
        assert_int_equal(fw_scan_new(&o, &s, why, sizeof why), FW_ERR_ARG);
        assert_null(s);
        assert_non_null(strstr(why, "threshold"));
    }
    fw_scan_options_default(&o);
    o.ngram = 0;
    assert_int_equal(fw_scan_new(&o, &s, why, sizeof why), FW_ERR_ARG);
    fw_scan_options_default(&o);
    o.bands = 20;
    o.rows = 7; /* 140 > 128 */
    assert_int_equal(fw_scan_new(&o, &s, why, sizeof why), FW_ERR_ARG);
    assert_non_null(strstr(why, "bands"));
    o.bands = 16;
    o.rows = 8; /* exactly 128 */
    assert_int_equal(fw_scan_new(&o, &s, why, sizeof why), FW_OK);
    fw_scan_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_brute_force_at_0_8),
        cmocka_unit_test(test_matches_brute_force_at_0_7),
        cmocka_unit_test(test_matches_brute_force_at_0_9),
        cmocka_unit_test(test_same_output_at_one_and_two_threads),
        cmocka_unit_test(test_repeated_ids_are_renamed),
        cmocka_unit_test(test_rejects_bad_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
