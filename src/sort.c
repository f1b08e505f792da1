/*
 * sort.c — LSD radix sorts on 64-bit keys.
 *
 * Shingle sets, LSH band records and candidate pairs are all sorted by
 * 64-bit keys, millions at a time. An LSD radix sort on bytes is linear and
 * stable, and it skips the passes whose byte is the same in every key (small
 * document numbers, short texts). Under 64 elements insertion sort wins.
 */
#include "sort.h"

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
#define KEY_HIGH32(x) ((x) >> 32)
#define KEY_FIELD(x) ((x).key)

DEFINE_RADIX_SORT(fw_sort_u64, uint64_t, KEY_SELF)
DEFINE_RADIX_SORT(fw_sort_keyed, fw_keyed, KEY_FIELD)
DEFINE_RADIX_SORT(fw_sort_by_high32, uint64_t, KEY_HIGH32)

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
