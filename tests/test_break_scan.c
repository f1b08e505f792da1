/*
 * test_break_scan.c — the vectorized search for line breaks and sentence
 * ends (src/break_scan.c, internal) gives the byte-by-byte answer on every
 * code path, from every start: each mark and its near misses (、，“” and
 * the marks with one byte changed) at every offset around the 32- and
 * 64-byte blocks, cut short by the end of the text, \r\n pairs across a
 * block boundary, and random text made of the bytes that matter; and
 * asked again after each mark, as the callers ask. Lines
 * (lines.c) and units (segment.c) are cut only where the search stops, so
 * equal answers from every start give equal lines, units and passages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "break_scan.h"
#include "lines.h"
#include "rng.h"
#include "simd_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fw_simd PATHS[] = {FW_SIMD_BASELINE, FW_SIMD_AVX2, FW_SIMD_AVX512};
#define NPATHS (sizeof PATHS / sizeof *PATHS)

/* The marks, as break_scan.h lists them. */
static const char *const LINE_MARKS[] = {"\n", "\r", "\xE2\x80\xA8", "\xE2\x80\xA9"};
static const char *const SENTENCE_MARKS[] = {"!", "?", ";", ".", "。", "！", "？", "；", "｡"};
#define COUNT(a) (sizeof (a) / sizeof *(a))

static int starts_with(const unsigned char *s, size_t n, const char *mark)
{
    size_t k = strlen(mark);
    return k <= n && memcmp(s, mark, k) == 0;
}

/* Does a mark of `kind` start at s? Read from the lists, not the code. */
static int is_mark(const unsigned char *s, size_t n, fw_break_kind kind)
{
    for (size_t m = 0; m < COUNT(LINE_MARKS); m++)
        if (starts_with(s, n, LINE_MARKS[m])) return 1;
    if (kind == FW_BREAK_SENTENCE)
        for (size_t m = 0; m < COUNT(SENTENCE_MARKS); m++)
            if (starts_with(s, n, SENTENCE_MARKS[m])) return 1;
    return 0;
}

/* Every path, from every start, stops where the byte-by-byte search does;
 * for lines, exactly where fw_line_break() finds one. The text is copied
 * to a buffer of exactly n bytes (a load past it is AddressSanitizer's to
 * see), and each path is asked both by a fresh scanner and by one scanner
 * asked from the end backwards (its kept block then lies ahead). */
static void agrees(const unsigned char *text, size_t n)
{
    unsigned char *s = malloc(n ? n : 1);
    assert_non_null(s);
    memcpy(s, text, n);
    for (int kind = FW_BREAK_LINE; kind <= FW_BREAK_SENTENCE; kind++) {
        fw_break_scanner kept[NPATHS];
        for (size_t p = 0; p < NPATHS; p++)
            fw_break_scanner_init(&kept[p], s, n, (fw_break_kind)kind, PATHS[p]);
        size_t want = n;
        for (size_t from = n + 1; from-- > 0;) {
            if (from < n && is_mark(s + from, n - from, (fw_break_kind)kind)) want = from;
            if (kind == FW_BREAK_LINE && from < n)
                assert_int_equal(fw_line_break(s + from, n - from) != 0,
                                 is_mark(s + from, n - from, FW_BREAK_LINE));
            for (size_t p = 0; p < NPATHS; p++) {
                if (fw_scanner_simd(PATHS[p]) != PATHS[p]) continue;
                fw_break_scanner b;
                fw_break_scanner_init(&b, s, n, (fw_break_kind)kind, PATHS[p]);
                size_t got = fw_break_next(&b, from), again = fw_break_next(&kept[p], from);
                if (got != want || again != want)
                    fprintf(stderr, "%s, kind %d, from %zu of %zu: %zu (kept %zu), want %zu\n",
                            fw_simd_name(PATHS[p]), kind, from, n, got, again, want);
                assert_int_equal(got, want);
                assert_int_equal(again, want);
            }
        }
    }
    free(s);
}

/* One search asked again after each mark, as lines.c and segment.c ask
 * (the block kept answers), on every path: every mark, in order. */
static void walks(const unsigned char *s, size_t n)
{
    for (int kind = FW_BREAK_LINE; kind <= FW_BREAK_SENTENCE; kind++)
        for (size_t p = 0; p < NPATHS; p++) {
            if (fw_scanner_simd(PATHS[p]) != PATHS[p]) continue;
            fw_break_scanner b;
            fw_break_scanner_init(&b, s, n, (fw_break_kind)kind, PATHS[p]);
            size_t want = 0;
            for (size_t from = 0; from <= n; from = want + 1) {
                for (want = from; want < n && !is_mark(s + want, n - want, (fw_break_kind)kind);
                     want++) {}
                assert_int_equal(fw_break_next(&b, from), want);
            }
        }
}

/* Marks and near misses: the marks, 、，“” (same lead bytes), and each
 * three-byte mark with its second or third byte changed. */
static const char *const PIECES[] = {
    "\n", "\r", "\r\n", "\xE2\x80\xA8", "\xE2\x80\xA9", "!", "?", ";", ".", "。", "！", "？",
    "；", "｡", "、", "，", "“", "”", "」", "\xE2\x80\xAA", "\xE2\x81\xA8", "\xE3\x80\x83",
    "\xE3\x81\x82", "\xEF\xBC\x82", "\xEF\xBD\x81", "\xEF\xBE\xA1", "\xEF\xBC\x9C", "中", "a"};

/* Each piece at every offset from 0 to 130 in 140 bytes of 中文 (so
 * around both block sizes), and cut short by the end of the text. */
static void test_every_offset(void **state)
{
    (void)state;
    unsigned char buf[160];
    for (size_t k = 0; k < COUNT(PIECES); k++) {
        size_t len = strlen(PIECES[k]);
        for (size_t at = 0; at <= 130; at++) {
            for (size_t i = 0; i < sizeof buf; i++) buf[i] = "\xE4\xB8\xAD"[i % 3];
            memcpy(buf + at, PIECES[k], len);
            agrees(buf, 140);
            walks(buf, 140);
            for (size_t cut = 1; cut < len; cut++) agrees(buf, at + cut); /* ends mid-mark */
        }
    }
}

/* Two marks close together, so that the search goes on after the first:
 * each pair at offsets around 64. */
static void test_pairs(void **state)
{
    (void)state;
    unsigned char buf[160];
    for (size_t a = 0; a < COUNT(PIECES); a++)
        for (size_t b = 0; b < COUNT(PIECES); b++)
            for (size_t at = 56; at <= 68; at++) {
                memset(buf, 'x', sizeof buf);
                size_t la = strlen(PIECES[a]), lb = strlen(PIECES[b]);
                memcpy(buf + at, PIECES[a], la);
                memcpy(buf + at + la, PIECES[b], lb);
                agrees(buf, 140);
                walks(buf, 140);
            }
}

/* Random texts of pieces, of random lengths, random bytes from the ones
 * the patterns are made of, and random bytes. */
static void test_random_text(void **state)
{
    (void)state;
    static const unsigned char BYTES[] = {'\n', '\r', '!', '?', ';', '.', 'a', ' ',  0x80, 0x82,
                                          0x81, 0x9F, 0x9B, 0xA1, 0xA8, 0xA9, 0xBC, 0xBD,
                                          0xE2, 0xE3, 0xEF, 0xE4};
    unsigned char buf[400];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0, want = rng() % 380;
        if (round % 3 == 2)
            for (; n < want; n++) buf[n] = (unsigned char)rng();
        else if (round % 3)
            while (n < want) {
                const char *piece = PIECES[rng() % COUNT(PIECES)];
                size_t len = strlen(piece);
                memcpy(buf + n, piece, len);
                n += len;
            }
        else
            for (; n < want; n++) buf[n] = BYTES[rng() % sizeof BYTES];
        agrees(buf, n);
        walks(buf, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_offset),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_random_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
