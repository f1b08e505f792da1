/*
 * shingle.c — a text's set of character n-grams, as sorted 64-bit hashes.
 *
 * Character n-grams work for every script, need no word segmentation
 * (Chinese has no spaces) and are what Jaccard similarity is measured on.
 * Each n-gram of normalized code points is hashed once with XXH3-64 (seeded,
 * over the code points as little-endian 32-bit values); the set is the
 * sorted, deduplicated array of those hashes. Sorted arrays give exact
 * intersections by merging (verify.c), and at 64 bits the chance that two of
 * a text's million shingles collide is about 10^-8.
 */
#include "fanwen.h"

#include "sort.h"

#include <xxhash.h>

size_t fw_shingle_count(size_t len, unsigned ngram)
{
    if (len == 0) return 0;
    return len < ngram ? 1 : len - ngram + 1;
}

size_t fw_shingle_hash(const uint32_t *cps, size_t len, unsigned ngram,
                       uint64_t seed, uint64_t *out, uint64_t *scratch)
{
    size_t n = fw_shingle_count(len, ngram);
    if (n == 0) return 0;
    size_t width = len < ngram ? len : ngram;
    for (size_t i = 0; i < n; i++)
        out[i] = XXH3_64bits_withSeed(cps + i, width * sizeof *cps, seed);
    fw_sort_u64(out, scratch, n);
    return fw_unique_u64(out, n);
}
