/*
 * break_scan.c — where the next line break or sentence end may start.
 *
 * Lines (lines.c) and units (segment.c) are cut at marks that are rare in
 * the bytes: one sentence end in some hundred bytes of Chinese. Looking at
 * every byte for them was most of the cutter's time, and a lead byte alone
 * is a poor filter there: E3 and EF also start 、「」，：（）, and E2 the
 * quotes “”, which all come more often than the marks. So the vector paths
 * match the marks' whole byte patterns, 64 positions at a time (three
 * loads, at p, p + 1 and p + 2: compared with each byte of the line
 * breaks, looked up in tables for the sentence marks), and hand back the
 * first; the caller decides what the mark is (a '.' may be a decimal
 * point) and asks again after it, which the block's marks, kept, answer
 * without looking at its bytes again.
 *
 * On laws' 3475 texts (58 MB, one thread, min of 7), fw_lines_find()
 * took 69 ms and segment.c's cutting 69 ms with byte-at-a-time loops;
 * with the AVX-512 path, the marks kept and the code points galloped to
 * (lines.h), 31 and 28 ms. The AVX2 path (two 32-byte halves a block) is
 * 1 ms slower on each than the AVX-512 one on this AMD EPYC. The portable path
 * checks byte by byte, as the code before it did (lines passing over
 * eight bytes at a time that hold no \n, \r or E2); the vector paths give
 * the same answer at every position (test_break_scan.c).
 */
#include "break_scan.h"
#include "simd_paths.h"

#include <stdint.h>
#include <string.h>

/* The first mark of `m` (the marks of the 64 bytes at i): kept for the
 * next ask. */
static size_t found(fw_break_scanner *b, size_t i, uint64_t m)
{
    b->block = i;
    b->marks = m;
    return i + (size_t)__builtin_ctzll(m);
}

/* Does a mark of `kind` start at s (n ≥ 1 bytes)? */
static inline int mark_at(const unsigned char *s, size_t n, fw_break_kind kind)
{
    unsigned char c = s[0];
    if (c == '\n' || c == '\r') return 1;
    if (kind == FW_BREAK_SENTENCE && (c == '!' || c == '?' || c == ';' || c == '.')) return 1;
    if (n < 3 || c < 0xE2) return 0;
    if (c == 0xE2) return s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9);
    if (kind == FW_BREAK_LINE) return 0;
    if (c == 0xE3) return s[1] == 0x80 && s[2] == 0x82;
    if (c == 0xEF)
        return (s[1] == 0xBC && (s[2] == 0x81 || s[2] == 0x9F || s[2] == 0x9B)) ||
               (s[1] == 0xBD && s[2] == 0xA1);
    return 0;
}

/* Bytes of x equal to b (their top bits), eight at a time. */
static inline uint64_t bytes_equal(uint64_t x, unsigned char b)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    x ^= ones * b;
    return (x - ones) & ~x & highs;
}

static size_t scan_portable(const fw_break_scanner *b, size_t i)
{
    const unsigned char *s = b->s;
    const size_t len = b->len;
    const fw_break_kind kind = b->kind;
    if (kind == FW_BREAK_LINE)
        for (; i + 8 <= len; i += 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (bytes_equal(x, '\n') | bytes_equal(x, '\r') | bytes_equal(x, 0xE2)) break;
        }
    for (; i < len; i++)
        if (mark_at(s + i, len - i, kind)) return i;
    return len;
}

#if FW_SCAN_X86
#include <immintrin.h>

/* Line breaks starting at the 64 positions whose bytes are b0, the next
 * ones b1, the ones after b2: EQ(b, c) is the mask of the bytes of b equal
 * to c, bit k for position k. */
#define LINE_MARKS(EQ, b0, b1, b2) \
    (EQ(b0, '\n') | EQ(b0, '\r') | (EQ(b0, 0xE2) & EQ(b1, 0x80) & (EQ(b2, 0xA8) | EQ(b2, 0xA9))))

/* Sentence marks are too many to compare for one by one (nineteen
 * compares a block): each byte is given classes instead, the patterns
 * its value may be part of there, by two table lookups (its low and its
 * high nibble; a class is in both lookups only for the values that have
 * it), and a mark starts where the classes of b0, b1 and b2 meet: on
 * laws' texts, cutting units took 33.0 ms with the compares, 28.4 with
 * the classes. Line breaks, three patterns, are cheaper compared. The
 * classes: */
enum {
    C_STOP = 1,    /* E3 80 82  。 */
    C_BANG = 2,    /* EF BC 81  ！ */
    C_QUEST = 4,   /* EF BC 9F, EF BC 9B  ？； (their third bytes' high nibble is 9) */
    C_HALF = 8,    /* EF BD A1  ｡ */
    C_LINE = 16,   /* E2 80 A8, E2 80 A9  U+2028 U+2029 */
    C_ASCII = 32,  /* \n \r as the first byte */
    C_ASCII2 = 64, /* ! . */
    C_ASCII3 = 128 /* ? ; */
};
#define C_WIDE (C_STOP | C_BANG | C_QUEST | C_HALF | C_LINE)
#define C_ONE (C_ASCII | C_ASCII2 | C_ASCII3)
/* [0] first byte by low nibble, [1] by high nibble, [2] [3] the second
 * byte, [4] [5] the third */
static const unsigned char CLASSES[6][16] = {
    {[0x1] = C_ASCII2, [0x2] = C_LINE, [0x3] = C_STOP, [0xA] = C_ASCII, [0xB] = C_ASCII3,
     [0xD] = C_ASCII, [0xE] = C_ASCII2, [0xF] = C_BANG | C_QUEST | C_HALF | C_ASCII3},
    {[0x0] = C_ASCII, [0x2] = C_ASCII2, [0x3] = C_ASCII3, [0xE] = C_WIDE},
    {[0x0] = C_STOP | C_LINE, [0xC] = C_BANG | C_QUEST, [0xD] = C_HALF},
    {[0x8] = C_STOP | C_LINE, [0xB] = C_BANG | C_QUEST | C_HALF},
    {[0x1] = C_BANG | C_HALF, [0x2] = C_STOP, [0x8] = C_LINE, [0x9] = C_LINE, [0xB] = C_QUEST,
     [0xF] = C_QUEST},
    {[0x8] = C_STOP | C_BANG, [0x9] = C_QUEST, [0xA] = C_HALF | C_LINE}};

/* Two 32-byte halves make one 64-position block. */
typedef struct { __m256i lo, hi; } block_avx2;

FW_TARGET_AVX2 static inline block_avx2 load_avx2(const unsigned char *p)
{
    return (block_avx2){_mm256_loadu_si256((const __m256i *)p),
                        _mm256_loadu_si256((const __m256i *)(p + 32))};
}

FW_TARGET_AVX2 static inline uint64_t equal_avx2(block_avx2 b, unsigned char c)
{
    __m256i v = _mm256_set1_epi8((char)c);
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b.lo, v)) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b.hi, v)) << 32;
}

/* The classes of the 32 bytes v, from tables t (low nibble) and t + 1. */
FW_TARGET_AVX2 static inline __m256i classes_avx2(__m256i v, const unsigned char (*t)[16])
{
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t[0]));
    __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t[1]));
    return _mm256_and_si256(
        _mm256_shuffle_epi8(lo, _mm256_and_si256(v, nibble)),
        _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble)));
}

/* Sentence marks at the 32 positions at p (any class of the ones wanted). */
FW_TARGET_AVX2 static inline uint32_t sentence_marks_avx2(const unsigned char *p)
{
    __m256i c0 = classes_avx2(_mm256_loadu_si256((const __m256i *)p), CLASSES);
    __m256i wide = _mm256_and_si256(
        c0, _mm256_and_si256(classes_avx2(_mm256_loadu_si256((const __m256i *)(p + 1)), CLASSES + 2),
                             classes_avx2(_mm256_loadu_si256((const __m256i *)(p + 2)), CLASSES + 4)));
    __m256i any = _mm256_or_si256(_mm256_and_si256(wide, _mm256_set1_epi8(C_WIDE)),
                                  _mm256_and_si256(c0, _mm256_set1_epi8((char)C_ONE)));
    return ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(any, _mm256_setzero_si256()));
}

/* Whole blocks while their last position's pattern fits before len (it
 * reads two bytes on), then the rest byte by byte. */
FW_TARGET_AVX2 static size_t scan_avx2(fw_break_scanner *b, size_t i)
{
    const unsigned char *s = b->s;
    const fw_break_kind kind = b->kind;
    for (; i + 66 <= b->len; i += 64) {
        uint64_t m;
        if (kind == FW_BREAK_LINE) {
            block_avx2 b0 = load_avx2(s + i), b1 = load_avx2(s + i + 1), b2 = load_avx2(s + i + 2);
            m = LINE_MARKS(equal_avx2, b0, b1, b2);
        } else {
            m = sentence_marks_avx2(s + i) | (uint64_t)sentence_marks_avx2(s + i + 32) << 32;
        }
        if (m) return found(b, i, m);
    }
    return scan_portable(b, i);
}

#define EQUAL_AVX512(b, c) _mm512_cmpeq_epi8_mask((b), _mm512_set1_epi8((char)(c)))

FW_TARGET_AVX512 static inline __m512i classes_avx512(__m512i v, const unsigned char (*t)[16])
{
    const __m512i nibble = _mm512_set1_epi8(0x0F);
    __m512i lo = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t[0]));
    __m512i hi = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t[1]));
    return _mm512_and_si512(
        _mm512_shuffle_epi8(lo, _mm512_and_si512(v, nibble)),
        _mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble)));
}

FW_TARGET_AVX512 static size_t scan_avx512(fw_break_scanner *b, size_t i)
{
    const unsigned char *s = b->s;
    const fw_break_kind kind = b->kind;
    for (; i + 66 <= b->len; i += 64) {
        __m512i b0 = _mm512_loadu_si512(s + i), b1 = _mm512_loadu_si512(s + i + 1),
                b2 = _mm512_loadu_si512(s + i + 2);
        uint64_t m;
        if (kind == FW_BREAK_LINE) {
            m = LINE_MARKS(EQUAL_AVX512, b0, b1, b2);
        } else {
            __m512i c0 = classes_avx512(b0, CLASSES);
            __m512i wide = _mm512_and_si512(c0, _mm512_and_si512(classes_avx512(b1, CLASSES + 2),
                                                                 classes_avx512(b2, CLASSES + 4)));
            m = _mm512_test_epi8_mask(wide, _mm512_set1_epi8(C_WIDE)) |
                _mm512_test_epi8_mask(c0, _mm512_set1_epi8((char)C_ONE));
        }
        if (m) return found(b, i, m);
    }
    return scan_portable(b, i);
}
#endif /* FW_SCAN_X86 */

void fw_break_scanner_init(fw_break_scanner *b, const unsigned char *s, size_t len,
                           fw_break_kind kind, fw_simd path)
{
    *b = (fw_break_scanner){s, len, kind, fw_scanner_simd(path), SIZE_MAX, 0};
}

size_t fw_break_next(fw_break_scanner *b, size_t from)
{
    if (from >= b->block && from - b->block < 64) { /* in the block kept */
        uint64_t m = b->marks & (~(uint64_t)0 << (from - b->block));
        if (m) return b->block + (size_t)__builtin_ctzll(m);
        from = b->block + 64;
    }
    switch (b->path) {
#if FW_SCAN_X86
    case FW_SIMD_AVX512: return scan_avx512(b, from);
    case FW_SIMD_AVX2: return scan_avx2(b, from);
#endif
    default: return scan_portable(b, from);
    }
}
