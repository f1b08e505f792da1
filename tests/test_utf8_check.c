/*
 * test_utf8_check.c — the vectorized UTF-8 check (src/utf8_check.c,
 * internal) gives fw_utf8_valid_prefix()'s answer on every code path: all
 * strings of one and two bytes, every lead byte with the continuations that
 * matter, each at every offset around the 32- and 64-byte blocks and at
 * the end of the buffer or before blocks of ASCII, and random mixes of
 * valid and broken text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "rng.h"
#include "simd_paths.h"
#include "utf8_check.h"

#include <stdio.h>
#include <string.h>

static const fw_simd PATHS[] = {FW_SIMD_BASELINE, FW_SIMD_AVX2, FW_SIMD_AVX512};
#define NPATHS (sizeof PATHS / sizeof *PATHS)

/* Every path that runs here agrees with the byte-by-byte decoder. */
static void agrees(const unsigned char *s, size_t n)
{
    int want = fw_utf8_valid_prefix((const char *)s, n) == n;
    for (size_t p = 0; p < NPATHS; p++) {
        if (fw_scanner_simd(PATHS[p]) != PATHS[p]) continue;
        int got = fw_utf8_check((const char *)s, n, PATHS[p]);
        if (got != want) {
            fprintf(stderr, "%s says %d, want %d, for %zu bytes:", fw_simd_name(PATHS[p]), got,
                    want, n);
            for (size_t i = 0; i < n; i++) fprintf(stderr, " %02x", s[i]);
            fprintf(stderr, "\n");
        }
        assert_int_equal(got, want);
    }
}

/* `seq` put at `at` in `n` bytes of ASCII. */
static void agrees_at(const unsigned char *seq, size_t len, size_t at, size_t n)
{
    unsigned char buf[320];
    memset(buf, 'a', n);
    memcpy(buf + at, seq, len);
    agrees(buf, n);
}

static void test_short_strings(void **state)
{
    (void)state;
    unsigned char s[2];
    for (int a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        agrees(s, 1);
        for (int b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            agrees(s, 2);
        }
    }
    agrees(s, 0);
}

/* Each lead byte (and stray byte) with second, third and fourth bytes on
 * both sides of every boundary Table 3-7 draws, where the vector paths'
 * blocks start, cross and end. */
static void test_boundaries(void **state)
{
    (void)state;
    static const unsigned char edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                          0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF4, 0xFF};
    const size_t ne = sizeof edges;
    static const size_t places[] = {0, 1, 13, 29, 30, 31, 32, 33, 61, 62, 63, 64, 65, 95, 127};
    for (int lead = 0x80; lead < 0x100; lead++)
        for (size_t i = 0; i < ne; i++)
            for (size_t j = 0; j < ne; j++)
                for (size_t k = 0; k < ne; k += 3) {
                    unsigned char seq[4] = {(unsigned char)lead, edges[i], edges[j], edges[k]};
                    for (size_t pl = 0; pl < sizeof places / sizeof *places; pl++) {
                        size_t at = places[pl];
                        agrees_at(seq, 4, at, at + 4 + (lead + i + j) % 40);
                        /* cut short at the end, or before blocks of ASCII
                         * (which the vector paths skip) */
                        for (size_t len = 1; len <= 4; len++) {
                            agrees_at(seq, len, at, at + len);
                            agrees_at(seq, len, at, at + len + 130);
                        }
                    }
                }
}

/* Chinese, emoji and ASCII of random lengths, sometimes with one byte
 * changed: nearly every block is the non-ASCII case. */
static void test_random_text(void **state)
{
    (void)state;
    unsigned char buf[512];
    for (int round = 0; round < 300000; round++) {
        size_t n = rng() % sizeof buf, i = 0;
        while (i < n) {
            unsigned kind = (unsigned)(rng() % 10);
            if (kind < 6 && i + 3 <= n) { /* U+4E00..U+9FFF */
                uint32_t cp = 0x4E00 + (uint32_t)(rng() % 0x5200);
                i += fw_utf8_encode((char *)buf + i, cp);
            } else if (kind < 7 && i + 4 <= n) {
                i += fw_utf8_encode((char *)buf + i, 0x10000 + (uint32_t)(rng() % 0x100000));
            } else if (kind < 8 && i + 2 <= n) {
                i += fw_utf8_encode((char *)buf + i, 0x80 + (uint32_t)(rng() % 0x780));
            } else {
                buf[i++] = (unsigned char)(rng() % 128);
            }
        }
        if (n && rng() % 2) buf[rng() % n] = (unsigned char)rng();
        agrees(buf, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_strings),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_random_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
