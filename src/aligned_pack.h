/* aligned_pack.h — a document's aligned text (code points and the byte
 * offset each came from) in about 3 bytes a character instead of 8
 * (internal; see aligned_pack.c). */
#ifndef FW_ALIGNED_PACK_H
#define FW_ALIGNED_PACK_H

#include <stddef.h>
#include <stdint.h>

/* The exact size of the packed form of n code points and offsets, and
 * the *flags that fw_aligned_pack() takes. */
size_t fw_aligned_packed_size(const uint32_t *cps, const uint32_t *offsets, size_t n,
                              uint32_t *flags);

/* Packs n code points and their offsets into `out` (16-byte aligned,
 * fw_aligned_packed_size() bytes, with the flags it gave). */
void fw_aligned_pack(const uint32_t *cps, const uint32_t *offsets, size_t n, uint32_t flags,
                     unsigned char *out);

/* Code points [start, start + count) of a packed text of n, into cps, and
 * when offsets is not NULL their offsets. start + count <= n. */
void fw_aligned_unpack(const unsigned char *packed, size_t n, size_t start, size_t count,
                       uint32_t *cps, uint32_t *offsets);

#endif
