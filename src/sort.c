/*
 * sort.c — LSD radix sorts on 64-bit keys.
 *
 * Shingle sets, LSH band records and candidate pairs are all sorted by
 * 64-bit keys, millions at a time. An LSD radix sort on bytes is linear and
 * stable, and it skips the passes whose byte is the same in every key (small
 * document numbers, short texts). Under 64 elements insertion sort wins.
 */
#include "sort.h"

#include <assert.h>
#include <string.h>

#define SMALL 64

/* One body for both element types: KEY(x) extracts the key. */
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

#define KEY_SELF(x) (x)
#define KEY_FIELD(x) ((x).key)

DEFINE_RADIX_SORT(fw_sort_u64, uint64_t, KEY_SELF)
DEFINE_RADIX_SORT(fw_sort_keyed, fw_keyed, KEY_FIELD)

/* Stable insertion sort by the high 32 bits, for a few records. */
static void sort_small_by_high32(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] >> 32 > x >> 32; j--) v[j] = v[j - 1];
        v[j] = x;
    }
}

/* The LSH band records: 32-bit keys in three passes of 11 bits, not four
 * of 8 (a pass's 2,048 counters still fit in L1), counted in one read. */
#define HIGH32_DIGIT 11
#define HIGH32_PASSES 3

void fw_sort_by_high32(uint64_t *v, uint64_t *tmp, size_t n)
{
    if (n < SMALL) {
        sort_small_by_high32(v, n);
        return;
    }
    enum { RADIX = 1 << HIGH32_DIGIT, MASK = RADIX - 1 };
    static_assert(HIGH32_DIGIT * HIGH32_PASSES >= 32, "the passes cover the key");
    size_t count[HIGH32_PASSES][RADIX];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(v[i] >> 32);
        for (int p = 0; p < HIGH32_PASSES; p++) count[p][(k >> (HIGH32_DIGIT * p)) & MASK]++;
    }
    uint64_t *src = v, *dst = tmp;
    for (int p = 0; p < HIGH32_PASSES; p++) {
        const int shift = 32 + HIGH32_DIGIT * p;
        if (count[p][(src[0] >> shift) & MASK] == n) continue; /* one digit for all */
        size_t sum = 0;
        for (int d = 0; d < RADIX; d++) {
            size_t c = count[p][d];
            count[p][d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[p][(src[i] >> shift) & MASK]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

size_t fw_unique_u64(uint64_t *v, size_t n)
{
    if (n == 0) return 0;
    size_t w = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[w - 1]) v[w++] = v[i];
    return w;
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
