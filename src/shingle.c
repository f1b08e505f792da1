/*
 * shingle.c — a text's character n-grams, as 64-bit hashes.
 *
 * Character n-grams work for every script, need no word segmentation
 * (Chinese has no spaces) and are what Jaccard similarity is measured on.
 * Each n-gram of normalized code points is hashed once with XXH3-64, seeded.
 * The code points are first packed as 3-byte little-endian values (every
 * code point fits in 21 bits), so a 5-gram is 15 bytes: XXH3's 9–16-byte
 * path, one 128-bit multiply, about twice as fast as hashing 20 bytes.
 *
 * The sketching stage hashes every position and keeps duplicates (a minimum
 * does not care); only documents that become candidates are turned into a
 * sorted, duplicate-free set (fw_shingle_set), which verify.c intersects by
 * merging. At 64 bits the chance that two of a text's million shingles
 * collide is about 10^-8.
 */
#include "fanwen.h"

#include "shingle.h"
#include "sort.h"

#include <string.h>
/* Inlined: a call per 15-byte n-gram would cost as much as the hash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

size_t fw_shingle_count(size_t len, unsigned ngram)
{
    if (len == 0) return 0;
    return len < ngram ? 1 : len - ngram + 1;
}

size_t fw_shingle_packed_size(size_t len) { return 3 * len + 8; }

void fw_shingle_pack(const uint32_t *cps, size_t len, unsigned char *packed)
{
    for (size_t i = 0; i < len; i++) {
        uint32_t c = cps[i];
        packed[3 * i] = (unsigned char)c;
        packed[3 * i + 1] = (unsigned char)(c >> 8);
        packed[3 * i + 2] = (unsigned char)(c >> 16);
    }
}

size_t fw_shingle_hash_packed(const unsigned char *packed, size_t len,
                              unsigned ngram, uint64_t seed, uint64_t *out)
{
    size_t n = fw_shingle_count(len, ngram);
    size_t width = 3 * (len < ngram ? len : ngram);
    for (size_t i = 0; i < n; i++)
        out[i] = XXH3_64bits_withSeed(packed + 3 * i, width, seed);
    return n;
}

size_t fw_shingle_hash_all(const uint32_t *cps, size_t len, unsigned ngram,
                           uint64_t seed, uint64_t *out, unsigned char *packed)
{
    fw_shingle_pack(cps, len, packed);
    return fw_shingle_hash_packed(packed, len, ngram, seed, out);
}

size_t fw_shingle_set(uint64_t *hashes, size_t n, uint64_t *scratch)
{
    fw_sort_u64(hashes, scratch, n);
    return fw_unique_u64(hashes, n);
}

size_t fw_shingle_hash(const uint32_t *cps, size_t len, unsigned ngram,
                       uint64_t seed, uint64_t *out, uint64_t *scratch)
{
    /* scratch holds fw_shingle_count(len) ≥ len - 64 values, which is
     * enough room for the packed text once len > 128 (ngram ≤ 64). */
    unsigned char local[3 * 128 + 8];
    unsigned char *packed = len <= 128 ? local : (unsigned char *)scratch;
    size_t n = fw_shingle_hash_all(cps, len, ngram, seed, out, packed);
    return fw_shingle_set(out, n, scratch);
}
