/*
 * band_keys.c — the LSH band keys of one signature: what a document (or a
 * passage) leaves for candidate search, made while it is sketched.
 *
 * A band's key is XXH3 over its R values, seeded by the band number.
 * Finding candidates among the keys is corpus work (lsh.c in memory,
 * band_runs.c on disk, both with OpenMP); making them is per document, so
 * it is here, in the per-document build unit that the fuzzers build alone.
 */
#include "fanwen.h"
#include "lsh.h"

#include <xxhash.h>

uint64_t fw_lsh_band_key64(const uint32_t *sig, unsigned band, unsigned rows)
{
    return XXH3_64bits_withSeed(sig + (size_t)band * rows, rows * sizeof(uint32_t), band);
}

void fw_lsh_band_keys(const uint32_t *sig, unsigned bands, unsigned rows, uint32_t *keys)
{
    for (unsigned b = 0; b < bands; b++)
        keys[b] = (uint32_t)fw_lsh_band_key64(sig, b, rows);
}
