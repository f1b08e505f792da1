/* shingle.h — the two halves of fw_shingle_hash_all (internal; see
 * shingle.c), shared with bench/ so that its hash floor hashes exactly
 * what the pipeline hashes. */
#ifndef FW_SHINGLE_H
#define FW_SHINGLE_H

#include "fanwen.h"

/* Packs code points as 3-byte little-endian values. */
void fw_shingle_pack(const uint32_t *cps, size_t len, unsigned char *packed);

/* XXH3-64 of every n-gram of a packed text of `len` code points. */
size_t fw_shingle_hash_packed(const unsigned char *packed, size_t len,
                              unsigned ngram, uint64_t seed, uint64_t *out);

#endif
