/*
 * test_normalize.c — the text stages: UTF-8 decoding of every ill-formed
 * kind (Unicode §3.9, U+FFFD per maximal subpart), NFKC + case folding +
 * category filtering, and shingles of short texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ----------------------------------------------------------------- UTF-8 */

/* Decodes all of `bytes` and compares with the expected code points. */
static void expect_decode(const char *bytes, size_t n, const uint32_t *want,
                          size_t nwant, size_t want_invalid)
{
    const unsigned char *s = (const unsigned char *)bytes;
    size_t i = 0, k = 0, invalid = 0;
    while (i < n) {
        uint32_t cp;
        int bad;
        size_t used = fw_utf8_decode(s + i, n - i, &cp, &bad);
        assert_true(used >= 1 && used <= 4);
        assert_true(k < nwant);
        if (cp != want[k]) fail_msg("code point %zu: U+%04X, expected U+%04X", k, cp, want[k]);
        invalid += (size_t)bad;
        i += used;
        k++;
    }
    assert_int_equal(k, nwant);
    assert_int_equal(invalid, want_invalid);
}

#define FFFD 0xFFFD
#define DECODE(bytes, ...)                                                   \
    do {                                                                     \
        const uint32_t want_[] = {__VA_ARGS__};                              \
        size_t bad_ = 0;                                                     \
        for (size_t q_ = 0; q_ < sizeof want_ / sizeof *want_; q_++)         \
            bad_ += want_[q_] == FFFD;                                       \
        expect_decode(bytes, sizeof(bytes) - 1, want_, sizeof want_ / sizeof *want_, bad_); \
    } while (0)

static void test_utf8_valid_boundaries(void **state)
{
    (void)state;
    DECODE("\x7F", 0x7F);
    DECODE("\xC2\x80", 0x80);
    DECODE("\xDF\xBF", 0x7FF);
    DECODE("\xE0\xA0\x80", 0x800);
    DECODE("\xED\x9F\xBF", 0xD7FF);
    DECODE("\xEE\x80\x80", 0xE000);
    DECODE("\xEF\xBF\xBF", 0xFFFF);
    DECODE("\xF0\x90\x80\x80", 0x10000);
    DECODE("\xF4\x8F\xBF\xBF", 0x10FFFF);
    DECODE("\xE4\xB8\xAD\xE6\x96\x87", 0x4E2D, 0x6587); /* 中文 */
}

static void test_utf8_invalid_forms(void **state)
{
    (void)state;
    /* overlong forms: C0/C1 can never start a sequence; E0 80, F0 80 are
     * not valid second bytes, so each byte is its own maximal subpart */
    DECODE("\xC0\xAF", FFFD, FFFD);
    DECODE("\xC1\xBF", FFFD, FFFD);
    DECODE("\xE0\x80\xAF", FFFD, FFFD, FFFD);
    DECODE("\xF0\x80\x80\xAF", FFFD, FFFD, FFFD, FFFD);
    /* surrogates encoded in UTF-8 (CESU-8) */
    DECODE("\xED\xA0\x80", FFFD, FFFD, FFFD);
    DECODE("\xED\xBF\xBF", FFFD, FFFD, FFFD);
    /* above U+10FFFF */
    DECODE("\xF4\x90\x80\x80", FFFD, FFFD, FFFD, FFFD);
    DECODE("\xF5\x80\x80\x80", FFFD, FFFD, FFFD, FFFD);
    DECODE("\xFE\xFF", FFFD, FFFD);
    /* truncated: the valid prefix is one maximal subpart, one U+FFFD */
    DECODE("\xE4\xB8", FFFD);
    DECODE("\xF0\x9F\x98", FFFD);
    DECODE("\xE4\xB8" "a", FFFD, 'a');
    DECODE("\xF0\x9F" "\xE4\xB8\xAD", FFFD, 0x4E2D);
    /* stray continuation bytes */
    DECODE("\x80", FFFD);
    DECODE("a\xBF" "b", 'a', FFFD, 'b');
}

static void test_utf8_valid_prefix_and_repair(void **state)
{
    (void)state;
    const char s[] = "abc\xE4\xB8\xAD" "d\xFF" "e\xE4\xB8";
    assert_int_equal(fw_utf8_valid_prefix(s, sizeof s - 1), 7);
    assert_int_equal(fw_utf8_valid_prefix("plain ascii text", 16), 16);
    assert_int_equal(fw_utf8_valid_prefix("", 0), 0);
    char *out;
    size_t len, replaced;
    assert_int_equal(fw_utf8_repair(s, sizeof s - 1, &out, &len, &replaced), FW_OK);
    const char want[] = "abc\xE4\xB8\xAD" "d\xEF\xBF\xBD" "e\xEF\xBF\xBD";
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(out, want, len);
    assert_int_equal(out[len], '\0');
    assert_int_equal(replaced, 2);
    free(out);
}

/* ------------------------------------------------------------- normalize */

static fw_normalizer *nz;

static int setup(void **state)
{
    (void)state;
    return fw_normalizer_new(&nz) == FW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fw_normalizer_free(nz);
    return 0;
}

/* Normalizes `in` and compares with the UTF-8 text `want`. */
static void expect_norm(const char *in, const char *want)
{
    uint32_t *got = NULL, *exp = NULL;
    size_t cap = 0, ecap = 0, n, en = 0;
    assert_int_equal(fw_normalize(nz, in, strlen(in), &got, &cap, &n, NULL), FW_OK);
    /* decode `want` by hand, not through the normalizer */
    exp = malloc((strlen(want) + 1) * sizeof *exp);
    (void)ecap;
    for (size_t i = 0; want[i];) {
        int bad;
        i += fw_utf8_decode((const unsigned char *)want + i, strlen(want) - i, &exp[en], &bad);
        en++;
    }
    if (n != en || memcmp(got, exp, n * sizeof *got) != 0)
        fail_msg("normalize(\"%s\") gave %zu code points, expected \"%s\" (%zu)", in, n, want, en);
    free(got);
    free(exp);
}

static void test_nfkc_and_case_folding(void **state)
{
    (void)state;
    expect_norm("ＡＢＣ１２３", "abc123");
    expect_norm("２０２４年", "2024年");
    expect_norm("Straße STRASSE", "strassestrasse");
    expect_norm("ﬁ①㈱", "fi1株");
    expect_norm("e\xCC\x81", "\xC3\xA9");           /* e + U+0301 → é */
    expect_norm("\xC3\xA9", "\xC3\xA9");
    expect_norm("ㅎㅏ", "하");                       /* compatibility jamo compose */
    expect_norm("Ǆ", "dž");
    expect_norm("😀", "😀");                          /* So: kept */
    expect_norm("\xF0\xA0\x80\x80", "\xF0\xA0\x80\x80"); /* U+20000, outside the BMP */
}

static void test_drops_separators_punctuation_controls(void **state)
{
    (void)state;
    expect_norm("　教育，局。工作！总结？「」《》、；：（）", "教育局工作总结");
    expect_norm(" a\tb\r\nc\x0B\x0C d ", "abcd");
    expect_norm("a\xE2\x80\x8B" "b\xC2\xAD" "c", "abc");      /* ZWSP, soft hyphen (Cf) */
    expect_norm("x\xEE\x80\x80y", "xy");                      /* private use (Co) */
    expect_norm("1+1=2 $5 ©", "1+1=2$5©");                    /* symbols kept */
    expect_norm("", "");
}

static void test_normalize_counts(void **state)
{
    (void)state;
    uint32_t *out = NULL;
    size_t cap = 0, n;
    fw_norm_info info;
    const char s[] = "a\0b\x01\xFF" "中";
    assert_int_equal(fw_normalize(nz, s, sizeof s - 1, &out, &cap, &n, &info), FW_OK);
    assert_int_equal(info.nul_bytes, 1);
    assert_int_equal(info.control_bytes, 1);
    assert_int_equal(info.invalid_sequences, 1);
    assert_int_equal(info.code_points, 6);
    assert_int_equal(n, 4); /* a b U+FFFD 中 */
    assert_int_equal(out[0], 'a');
    assert_int_equal(out[1], 'b');
    assert_int_equal(out[2], 0xFFFD);
    assert_int_equal(out[3], 0x4E2D);
    free(out);
}

/* --------------------------------------------------------------- shingle */

/* The documented hash input: code points as 3-byte little-endian values. */
static uint64_t ngram_hash(const uint32_t *cps, size_t n, uint64_t seed)
{
    unsigned char buf[3 * 64];
    for (size_t i = 0; i < n; i++) {
        buf[3 * i] = (unsigned char)cps[i];
        buf[3 * i + 1] = (unsigned char)(cps[i] >> 8);
        buf[3 * i + 2] = (unsigned char)(cps[i] >> 16);
    }
    return XXH3_64bits_withSeed(buf, 3 * n, seed);
}

static void test_shingles_of_short_texts(void **state)
{
    (void)state;
    const uint32_t abc[] = {'a', 'b', 'c'};
    uint64_t out[16], tmp[16];
    assert_int_equal(fw_shingle_count(0, 5), 0);
    assert_int_equal(fw_shingle_hash(abc, 0, 5, 0, out, tmp), 0);
    /* shorter than n: one shingle, the whole text */
    assert_int_equal(fw_shingle_count(3, 5), 1);
    assert_int_equal(fw_shingle_hash(abc, 3, 5, 9, out, tmp), 1);
    assert_true(out[0] == ngram_hash(abc, 3, 9));
    const uint32_t five[] = {1, 2, 3, 4, 5};
    assert_int_equal(fw_shingle_hash(five, 5, 5, 0, out, tmp), 1);
    assert_true(out[0] == ngram_hash(five, 5, 0));
    /* repeats collapse: abababab has 2 distinct bigrams */
    const uint32_t ab[] = {'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'};
    assert_int_equal(fw_shingle_count(8, 2), 7);
    assert_int_equal(fw_shingle_hash(ab, 8, 2, 0, out, tmp), 2);
    uint64_t h1 = ngram_hash(ab, 2, 0), h2 = ngram_hash(ab + 1, 2, 0);
    assert_true(out[0] == (h1 < h2 ? h1 : h2) && out[1] == (h1 < h2 ? h2 : h1));
    /* another seed, other hashes */
    uint64_t other[16];
    fw_shingle_hash(ab, 8, 2, 1, other, tmp);
    assert_true(other[0] != out[0] && other[0] != out[1]);
    /* fw_shingle_hash_all keeps order and repeats: h1 h2 h1 h2 h1 h2 h1 */
    unsigned char packed[64];
    assert_true(fw_shingle_packed_size(8) <= sizeof packed);
    assert_int_equal(fw_shingle_hash_all(ab, 8, 2, 0, other, packed), 7);
    for (int i = 0; i < 7; i++) assert_true(other[i] == (i % 2 ? h2 : h1));
    /* code points beyond the BMP keep all 21 bits */
    const uint32_t astral[] = {0x10FFFF, 0x20000};
    assert_true(ngram_hash(astral, 2, 0) != ngram_hash((const uint32_t[]){0xFFFF, 0x0}, 2, 0));
    assert_int_equal(fw_shingle_hash(astral, 2, 2, 0, out, tmp), 1);
    assert_true(out[0] == ngram_hash(astral, 2, 0));
}

static void test_shingles_sorted_and_unique(void **state)
{
    (void)state;
    enum { N = 5000 };
    uint32_t *text = malloc(N * sizeof *text);
    uint64_t *out = malloc(N * sizeof *out), *tmp = malloc(N * sizeof *tmp);
    uint32_t x = 1;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = 0x4E00 + (x >> 16) % 50; /* 50 characters: many repeats */
    }
    size_t n = fw_shingle_hash(text, N, 3, 0, out, tmp);
    assert_true(n > 100 && n < N - 2);
    for (size_t i = 1; i < n; i++) assert_true(out[i - 1] < out[i]);
    /* every trigram's hash is in the set */
    for (int i = 0; i + 3 <= N; i += 97) {
        uint64_t h = ngram_hash(text + i, 3, 0);
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (out[mid] < h) lo = mid + 1; else hi = mid;
        }
        assert_true(lo < n && out[lo] == h);
    }
    free(text);
    free(out);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_boundaries),
        cmocka_unit_test(test_utf8_invalid_forms),
        cmocka_unit_test(test_utf8_valid_prefix_and_repair),
        cmocka_unit_test(test_nfkc_and_case_folding),
        cmocka_unit_test(test_drops_separators_punctuation_controls),
        cmocka_unit_test(test_normalize_counts),
        cmocka_unit_test(test_shingles_of_short_texts),
        cmocka_unit_test(test_shingles_sorted_and_unique),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
