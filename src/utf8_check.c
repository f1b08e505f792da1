/*
 * utf8_check.c — is a buffer valid UTF-8: 32 or 64 bytes at a time.
 *
 * The JSON scanner (jsonl_scan.c) accepts a line only if all of it is valid
 * UTF-8, so this runs over every byte of every line. A byte-by-byte decoder
 * (fw_utf8_valid_prefix, utf8.c) spends a few branches on each character of
 * Chinese text; the vector paths use the lookup algorithm of Keiser and
 * Lemire ("Validating UTF-8 in less than one instruction per byte",
 * Software: Practice and Experience 51(5), 2021), as simdjson and simdutf
 * do:
 *  - every byte is checked together with the byte before it: three table
 *    lookups (vpshufb) on the high nibble of the previous byte, its low
 *    nibble and the high nibble of the byte itself each give a set of
 *    errors that pair could be (too short, too long, overlong, surrogate,
 *    too large, two continuations); their AND is the set it is;
 *  - a continuation byte must follow a lead byte 2 or 3 places back
 *    exactly when one is there, which the lookups alone cannot see;
 *  - blocks of ASCII only skip both, unless the block before ended inside
 *    a sequence.
 * The last bytes go through the same check padded with zeros (ASCII), which
 * also catches a sequence cut off at the end. The portable path runs a DFA
 * whose steps are a table load and a shift (see check_portable), 16 bytes
 * between branches.
 *
 * On the lines of laws.jsonl: 9 GB/s with AVX2 or AVX-512 (this AMD EPYC
 * runs 512-bit operations in two halves; AVX-512 gains 3% on the short
 * lines of poetry.jsonl, by loading their last bytes masked), 2.8 GB/s for
 * the portable DFA, 0.6 GB/s for fw_utf8_valid_prefix (thread CPU time,
 * best of 7). The tests
 * compare every path with fw_utf8_valid_prefix on all one- and two-byte
 * strings, on the lead bytes with every interesting continuation, at every
 * offset around the block boundaries, at the end and before ASCII blocks.
 */
#include "utf8_check.h"
#include "simd_paths.h"

#include <stdint.h>
#include <string.h>

#if FW_SCAN_X86
#include <immintrin.h>

/* The error classes, one bit each: what a pair (previous byte, byte) can
 * be. TOO_LARGE_1000 and OVERLONG_4 share a bit: the previous byte tells
 * them apart (F0 or F5 and above). */
enum {
    TOO_SHORT = 1 << 0,      /* a lead byte not followed by a continuation */
    TOO_LONG = 1 << 1,       /* ASCII followed by a continuation */
    OVERLONG_3 = 1 << 2,     /* E0 80..9F */
    TOO_LARGE = 1 << 3,      /* F4 90..BF, F5..FF */
    SURROGATE = 1 << 4,      /* ED A0..BF */
    OVERLONG_2 = 1 << 5,     /* C0, C1 */
    TOO_LARGE_1000 = 1 << 6, /* F5..FF 80..8F */
    OVERLONG_4 = 1 << 6,     /* F0 80..8F */
    TWO_CONTS = 1 << 7,      /* a continuation after a continuation: an
                              * error unless a lead byte 2 or 3 back wants it */
    CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS
};

#define C(x) ((char)(x))
/* Indexed by the previous byte's high nibble. */
#define BYTE_1_HIGH                                                            \
    C(TOO_LONG), C(TOO_LONG), C(TOO_LONG), C(TOO_LONG), C(TOO_LONG),           \
    C(TOO_LONG), C(TOO_LONG), C(TOO_LONG), C(TWO_CONTS), C(TWO_CONTS),         \
    C(TWO_CONTS), C(TWO_CONTS), C(TOO_SHORT | OVERLONG_2), C(TOO_SHORT),       \
    C(TOO_SHORT | OVERLONG_3 | SURROGATE),                                     \
    C(TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4)
/* Indexed by the previous byte's low nibble. */
#define BYTE_1_LOW                                                             \
    C(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4), C(CARRY | OVERLONG_2),    \
    C(CARRY), C(CARRY), C(CARRY | TOO_LARGE),                                  \
    C(CARRY | TOO_LARGE | TOO_LARGE_1000), C(CARRY | TOO_LARGE | TOO_LARGE_1000), \
    C(CARRY | TOO_LARGE | TOO_LARGE_1000), C(CARRY | TOO_LARGE | TOO_LARGE_1000), \
    C(CARRY | TOO_LARGE | TOO_LARGE_1000), C(CARRY | TOO_LARGE | TOO_LARGE_1000), \
    C(CARRY | TOO_LARGE | TOO_LARGE_1000), C(CARRY | TOO_LARGE | TOO_LARGE_1000), \
    C(CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE),                         \
    C(CARRY | TOO_LARGE | TOO_LARGE_1000), C(CARRY | TOO_LARGE | TOO_LARGE_1000)
/* Indexed by the byte's own high nibble. */
#define BYTE_2_HIGH                                                            \
    C(TOO_SHORT), C(TOO_SHORT), C(TOO_SHORT), C(TOO_SHORT), C(TOO_SHORT),      \
    C(TOO_SHORT), C(TOO_SHORT), C(TOO_SHORT),                                  \
    C(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4), \
    C(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),             \
    C(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),              \
    C(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),              \
    C(TOO_SHORT), C(TOO_SHORT), C(TOO_SHORT), C(TOO_SHORT)

/* Subtracted (saturating) from the last bytes of a block, leaves nonzero
 * where a sequence is still open at the end: a lead byte last, a 3- or
 * 4-byte lead second to last, a 4-byte lead third to last. The AVX2 path
 * uses the last 32 bytes. */
#define FF8 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
static const uint8_t OPEN_AT_END[64] = {FF8, FF8, FF8, FF8, FF8, FF8, FF8,
                                        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0xDF, 0xBF};

/* ------------------------------------------------------------------ AVX2 */

/* The block `in` shifted to start N bytes back, into `prev`. */
#define PREV_AVX2(in, prev, n) \
    _mm256_alignr_epi8((in), _mm256_permute2x128_si256((prev), (in), 0x21), 16 - (n))

FW_TARGET_AVX2 static __m256i errors_avx2(__m256i in, __m256i prev)
{
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i b1h = _mm256_setr_epi8(BYTE_1_HIGH, BYTE_1_HIGH);
    const __m256i b1l = _mm256_setr_epi8(BYTE_1_LOW, BYTE_1_LOW);
    const __m256i b2h = _mm256_setr_epi8(BYTE_2_HIGH, BYTE_2_HIGH);
    __m256i prev1 = PREV_AVX2(in, prev, 1);
    __m256i e = _mm256_shuffle_epi8(b1h, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble));
    e = _mm256_and_si256(e, _mm256_shuffle_epi8(b1l, _mm256_and_si256(prev1, nibble)));
    e = _mm256_and_si256(e, _mm256_shuffle_epi8(b2h, _mm256_and_si256(_mm256_srli_epi16(in, 4),
                                                                      nibble)));
    /* a continuation is wanted where a 3- or 4-byte lead is 2 back or a
     * 4-byte lead 3 back: bit 7 there, which TWO_CONTS must match */
    __m256i third = _mm256_subs_epu8(PREV_AVX2(in, prev, 2), _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(PREV_AVX2(in, prev, 3), _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i wanted = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(wanted, e);
}

FW_TARGET_AVX2 static int check_avx2(const uint8_t *s, size_t n)
{
    const __m256i open_at_end = _mm256_loadu_si256((const __m256i *)(OPEN_AT_END + 32));
    __m256i prev = _mm256_setzero_si256(), open = prev, err = prev;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(s + i));
        if (_mm256_movemask_epi8(in) == 0) {
            err = _mm256_or_si256(err, open);
            open = _mm256_setzero_si256();
        } else {
            err = _mm256_or_si256(err, errors_avx2(in, prev));
            open = _mm256_subs_epu8(in, open_at_end);
        }
        prev = in;
    }
    uint8_t last[32] = {0};
    memcpy(last, s + i, n - i);
    err = _mm256_or_si256(err, errors_avx2(_mm256_loadu_si256((const __m256i *)last), prev));
    return _mm256_testz_si256(err, err);
}

/* --------------------------------------------------------------- AVX-512 */

/* Within each 128-bit lane vpalignr reaches into the lane before it: the
 * permutation lines up each lane's predecessor (lane 3 of `prev` for
 * lane 0). */
#define PREV_AVX512(in, prev, n)                                                       \
    _mm512_alignr_epi8((in),                                                           \
                       _mm512_permutex2var_epi64((prev), _mm512_set_epi64(13, 12, 11, 10, 9, 8, 7, 6), \
                                                 (in)),                                \
                       16 - (n))

FW_TARGET_AVX512 static __m512i errors_avx512(__m512i in, __m512i prev)
{
    const __m512i nibble = _mm512_set1_epi8(0x0F);
    const __m512i b1h = _mm512_broadcast_i32x4(_mm_setr_epi8(BYTE_1_HIGH));
    const __m512i b1l = _mm512_broadcast_i32x4(_mm_setr_epi8(BYTE_1_LOW));
    const __m512i b2h = _mm512_broadcast_i32x4(_mm_setr_epi8(BYTE_2_HIGH));
    __m512i prev1 = PREV_AVX512(in, prev, 1);
    __m512i e = _mm512_shuffle_epi8(b1h, _mm512_and_si512(_mm512_srli_epi16(prev1, 4), nibble));
    e = _mm512_and_si512(e, _mm512_shuffle_epi8(b1l, _mm512_and_si512(prev1, nibble)));
    e = _mm512_and_si512(e, _mm512_shuffle_epi8(b2h, _mm512_and_si512(_mm512_srli_epi16(in, 4),
                                                                      nibble)));
    __m512i third = _mm512_subs_epu8(PREV_AVX512(in, prev, 2), _mm512_set1_epi8((char)(0xE0 - 0x80)));
    __m512i fourth = _mm512_subs_epu8(PREV_AVX512(in, prev, 3), _mm512_set1_epi8((char)(0xF0 - 0x80)));
    __m512i wanted = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8((char)0x80));
    return _mm512_xor_si512(wanted, e);
}

FW_TARGET_AVX512 static int check_avx512(const uint8_t *s, size_t n)
{
    const __m512i open_at_end = _mm512_loadu_si512((const void *)OPEN_AT_END);
    __m512i prev = _mm512_setzero_si512(), open = prev, err = prev;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i in = _mm512_loadu_si512((const void *)(s + i));
        if (_mm512_movepi8_mask(in) == 0) {
            err = _mm512_or_si512(err, open);
            open = _mm512_setzero_si512();
        } else {
            err = _mm512_or_si512(err, errors_avx512(in, prev));
            open = _mm512_subs_epu8(in, open_at_end);
        }
        prev = in;
    }
    /* the masked load reads only the bytes there are, zeros after them */
    __mmask64 rest = n - i ? ~(__mmask64)0 >> (64 - (n - i)) : 0;
    err = _mm512_or_si512(err, errors_avx512(_mm512_maskz_loadu_epi8(rest, s + i), prev));
    return _mm512_test_epi8_mask(err, err) == 0;
}
#endif /* FW_SCAN_X86 */

/* -------------------------------------------------------------- portable */

/* A DFA over Table 3-7 whose transitions are shifts (Per Vognsen's
 * "shift-based DFA"): a state is a bit offset, 6 bits apart, and each
 * byte's row holds at each state's offset the state it leads to, so a
 * step is one load (which depends only on the byte) and one shift. The
 * states: */
enum {
    S_OK = 0,        /* between characters */
    S_BAD = 6,       /* an error, for good */
    S_1 = 12,        /* one continuation byte (80..BF) to go */
    S_2 = 18,        /* two */
    S_E0 = 24,       /* after E0: A0..BF, then one */
    S_ED = 30,       /* after ED: 80..9F, then one */
    S_F0 = 36,       /* after F0: 90..BF, then two */
    S_F1 = 42,       /* after F1..F3: 80..BF, then two */
    S_F4 = 48        /* after F4: 80..8F, then two */
};
#define ROW(ok, s1, s2, e0, ed, f0, f1, f4)                                        \
    ((uint64_t)(ok) << S_OK | (uint64_t)S_BAD << S_BAD | (uint64_t)(s1) << S_1 |  \
     (uint64_t)(s2) << S_2 | (uint64_t)(e0) << S_E0 | (uint64_t)(ed) << S_ED |     \
     (uint64_t)(f0) << S_F0 | (uint64_t)(f1) << S_F1 | (uint64_t)(f4) << S_F4)
#define B S_BAD
#define ASCII ROW(S_OK, B, B, B, B, B, B, B)
#define CONT_80 ROW(B, S_OK, S_1, B, S_1, B, S_2, S_2)   /* 80..8F */
#define CONT_90 ROW(B, S_OK, S_1, B, S_1, S_2, S_2, B)   /* 90..9F */
#define CONT_A0 ROW(B, S_OK, S_1, S_1, B, S_2, S_2, B)   /* A0..BF */
#define NEVER ROW(B, B, B, B, B, B, B, B)                 /* C0, C1, F5..FF */
#define LEAD(s) ROW(s, B, B, B, B, B, B, B)
#define X2(r) r, r
#define X4(r) X2(r), X2(r)
#define X8(r) X4(r), X4(r)
#define X16(r) X8(r), X8(r)
#define X32(r) X16(r), X16(r)
#define X128(r) X32(r), X32(r), X32(r), X32(r)
static const uint64_t DFA[256] = {
    X128(ASCII),                                                  /* 00..7F */
    X16(CONT_80), X16(CONT_90), X32(CONT_A0),                     /* 80..BF */
    X2(NEVER), X16(LEAD(S_1)), X8(LEAD(S_1)), X4(LEAD(S_1)), X2(LEAD(S_1)), /* C0..DF */
    LEAD(S_E0), X8(LEAD(S_2)), X4(LEAD(S_2)), LEAD(S_ED), X2(LEAD(S_2)),     /* E0..EF */
    LEAD(S_F0), X2(LEAD(S_F1)), LEAD(S_F1), LEAD(S_F4), X8(NEVER), X2(NEVER), NEVER};

/* 16 bytes a step: skipped when they are ASCII between characters, else
 * sixteen DFA steps (the branch is per block, not per byte). */
static int check_portable(const uint8_t *s, size_t n)
{
    const uint64_t highs = 0x8080808080808080ULL;
    uint64_t state = S_OK;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint64_t a, b;
        memcpy(&a, s + i, 8);
        memcpy(&b, s + i + 8, 8);
        if (!((a | b) & highs) && (state & 63) == S_OK) continue;
        for (int k = 0; k < 16; k++) state = DFA[s[i + k]] >> (state & 63);
        if ((state & 63) == S_BAD) return 0;
    }
    for (; i < n; i++) state = DFA[s[i]] >> (state & 63);
    return (state & 63) == S_OK;
}

int fw_utf8_check(const char *s, size_t n, fw_simd path)
{
    if (n == 0) return 1; /* s may be NULL */
    switch (fw_scanner_simd(path)) {
#if FW_SCAN_X86
    case FW_SIMD_AVX512: return check_avx512((const uint8_t *)s, n);
    case FW_SIMD_AVX2: return check_avx2((const uint8_t *)s, n);
#endif
    default: return check_portable((const uint8_t *)s, n);
    }
}
