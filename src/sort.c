/*
 * sort.c — LSD radix sorts on 64-bit keys.
 *
 * Shingle sets, LSH band records and candidate pairs are all sorted by
 * 64-bit keys, millions at a time. An LSD radix sort is linear and stable,
 * and it skips the bits that are the same in every key (small document
 * numbers, short texts): on bytes for a few thousand keys, in 11-bit digits
 * over the bits that differ for more. Under 64 elements insertion sort wins.
 */
#include "sort.h"

#include <stdlib.h>
#include <string.h>

#define SMALL 64

/* One body for every element type: KEY(x) extracts the key. */
#define DEFINE_RADIX_SORT(name, type, KEY)                                  \
    void name(type *v, type *tmp, size_t n)                                 \
    {                                                                       \
        if (n < SMALL) {                                                    \
            for (size_t i = 1; i < n; i++) {                                \
                type x = v[i];                                              \
                size_t j = i;                                               \
                for (; j > 0 && KEY(v[j - 1]) > KEY(x); j--) v[j] = v[j - 1]; \
                v[j] = x;                                                   \
            }                                                               \
            return;                                                         \
        }                                                                   \
        size_t count[8][256];                                               \
        memset(count, 0, sizeof count);                                     \
        for (size_t i = 0; i < n; i++) {                                    \
            uint64_t k = KEY(v[i]);                                         \
            for (int b = 0; b < 8; b++) count[b][(k >> (8 * b)) & 0xFF]++;  \
        }                                                                   \
        type *src = v, *dst = tmp;                                          \
        for (int b = 0; b < 8; b++) {                                       \
            if (count[b][(KEY(src[0]) >> (8 * b)) & 0xFF] == n) continue;   \
            size_t sum = 0;                                                 \
            for (int d = 0; d < 256; d++) {                                 \
                size_t c = count[b][d];                                     \
                count[b][d] = sum;                                          \
                sum += c;                                                   \
            }                                                               \
            for (size_t i = 0; i < n; i++)                                  \
                dst[count[b][(KEY(src[i]) >> (8 * b)) & 0xFF]++] = src[i];  \
            type *t = src;                                                  \
            src = dst;                                                      \
            dst = t;                                                        \
        }                                                                   \
        if (src != v) memcpy(v, src, n * sizeof *v);                        \
    }

/* Many keys are sorted in digits of 11 bits (2,048 counters a pass, which
 * stay in L1) laid over the bits in which the keys differ: candidate pairs
 * a << 32 | b of 18-bit passage numbers take 4 passes instead of 6 of a
 * byte, 32-bit band keys 3 instead of 4. Under WIDE_MIN keys, clearing
 * and summing the larger counters costs more than the passes saved; the
 * counters are 32-bit, so at most UINT32_MAX keys. */
#define DIGIT_BITS 11
#define MAX_DIGITS ((64 + DIGIT_BITS - 1) / DIGIT_BITS)
#define WIDE_MIN 4096

#define DEFINE_WIDE_SORT(name, type, KEY)                                   \
    static void name(type *v, type *tmp, size_t n)                          \
    {                                                                       \
        enum { RADIX = 1 << DIGIT_BITS, DIGIT = RADIX - 1 };                \
        const uint64_t first = KEY(v[0]);                                   \
        uint64_t differ = 0;                                                \
        for (size_t i = 0; i < n; i++) differ |= KEY(v[i]) ^ first;         \
        unsigned shift[MAX_DIGITS];                                         \
        int digits = 0;                                                     \
        for (unsigned bit = 0; bit < 64 && differ >> bit;) {                \
            bit += (unsigned)__builtin_ctzll(differ >> bit); /* differs */  \
            shift[digits++] = bit;                                          \
            bit += DIGIT_BITS;                                              \
        }                                                                   \
        uint32_t count[MAX_DIGITS][RADIX];                                  \
        memset(count, 0, (size_t)digits * sizeof count[0]);                 \
        for (size_t i = 0; i < n; i++) {                                    \
            uint64_t k = KEY(v[i]);                                         \
            for (int d = 0; d < digits; d++) count[d][(k >> shift[d]) & DIGIT]++; \
        }                                                                   \
        type *src = v, *dst = tmp;                                          \
        for (int d = 0; d < digits; d++) {                                  \
            uint32_t sum = 0;                                               \
            for (int x = 0; x < RADIX; x++) {                               \
                uint32_t c = count[d][x];                                   \
                count[d][x] = sum;                                          \
                sum += c;                                                   \
            }                                                               \
            for (size_t i = 0; i < n; i++)                                  \
                dst[count[d][(KEY(src[i]) >> shift[d]) & DIGIT]++] = src[i]; \
            type *t = src;                                                  \
            src = dst;                                                      \
            dst = t;                                                        \
        }                                                                   \
        if (src != v) memcpy(v, src, n * sizeof *v);                        \
    }

/* The public sort: bytes for few keys, wide digits for many. */
#define DEFINE_SORT(name, type, KEY)                                        \
    static DEFINE_RADIX_SORT(name##_bytes, type, KEY)                       \
    DEFINE_WIDE_SORT(name##_wide, type, KEY)                                \
    void name(type *v, type *tmp, size_t n)                                 \
    {                                                                       \
        if (n < WIDE_MIN || n > UINT32_MAX) name##_bytes(v, tmp, n);        \
        else name##_wide(v, tmp, n);                                        \
    }

#define KEY_SELF(x) (x)
#define KEY_FIELD(x) ((x).key)
#define KEY_HIGH32(x) ((x) >> 32)

DEFINE_SORT(fw_sort_u64, uint64_t, KEY_SELF)
DEFINE_SORT(fw_sort_keyed, fw_keyed, KEY_FIELD)
DEFINE_SORT(fw_sort_by_high32, uint64_t, KEY_HIGH32)

size_t fw_unique_u64(uint64_t *v, size_t n)
{
    if (n == 0) return 0;
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[w - 1]) v[w++] = v[i];
    return w;
}

int fw_sort_unique_u64(uint64_t *v, size_t *n)
{
    uint64_t *tmp = malloc((*n ? *n : 1) * sizeof *tmp);
    if (!tmp) return 0;
    fw_sort_u64(v, tmp, *n);
    free(tmp);
    *n = fw_unique_u64(v, *n);
    return 1;
}

size_t fw_search_u64(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
}

int fw_contains_u64(const uint64_t *v, size_t n, uint64_t x)
{
    size_t at = fw_search_u64(v, n, x);
    return at < n && v[at] == x;
}
