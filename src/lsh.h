/* lsh.h — what the two ways of finding LSH candidates share (internal):
 * in memory (lsh.c) and through sorted runs on disk (band_runs.c). */
#ifndef FW_LSH_H
#define FW_LSH_H

#include "fanwen.h"
#include "sort.h"

/* Candidate pairs as they are found: a << 32 | b, repeats allowed. */
typedef struct fw_pair_list {
    uint64_t *v;
    size_t len, cap;
} fw_pair_list;

int fw_pair_list_push(fw_pair_list *l, uint32_t a, uint32_t b);

/* The pairs of one bucket: m records whose values (document numbers) are
 * in increasing order. All pairs when m <= FW_LSH_FULL_BUCKET, else a star
 * around the first. Returns 0 when out of memory. */
int fw_pair_list_bucket(fw_pair_list *l, const fw_keyed *rec, size_t m);

/* One band's candidates appended to `out`, with this thread's `scratch`
 * (zeroed at first, then as the thread's previous band left it):
 * FW_OK, or the status that stops the search (FW_ERR_NOMEM, ...). */
typedef fw_status (*fw_band_pairs_fn)(const void *ctx, unsigned band, void *scratch,
                                      fw_pair_list *out);

/* Every band's candidates (band_pairs for bands 0 to bands - 1, in
 * parallel on `threads` threads, each taking a run of bands in increasing
 * order with `scratch_bytes` of scratch of its own), into *pairs (*npairs
 * of them: sorted, without repeats; free it). Each thread gathers its
 * bands' pairs until they hold half as many as its sorted set, then folds
 * them into the set; the threads' sets are merged at the end. The first
 * failure's status is returned (the bands not yet begun are skipped) and
 * nothing is made. */
fw_status fw_lsh_each_band(fw_band_pairs_fn band_pairs, const void *ctx, size_t scratch_bytes,
                           unsigned bands, int threads, fw_pair **pairs, size_t *npairs);

/* One band's pairs from its m records key << 32 | item (32-bit keys),
 * filled in item order, into `out`; `rec` holds n records more for the
 * filter and the sort (n ≥ m). 0 when out of memory. */
int fw_lsh_band_records(uint64_t *rec, size_t m, size_t n, fw_pair_list *out);

/* Sorts the pairs of all lists, drops repeats, and frees the lists. */
fw_status fw_pair_list_finish(fw_pair_list *lists, size_t nlists, fw_pair **pairs,
                              size_t *npairs);

/* fw_lsh_candidates() from the 64-bit band keys, band by band, `n` to a
 * band (item i's key of band b at keys[b * n + i], fw_lsh_band_key64), for
 * the items with has[i]: what a scan keeps of a document instead of its
 * signature when it can make the signature again. */
fw_status fw_lsh_candidates_keys64(const uint64_t *keys, const uint8_t *has, size_t n,
                                   unsigned bands, int threads, fw_pair **pairs,
                                   size_t *npairs);

/* The 64-bit key of one band of a signature (band_keys.c: made per
 * document, while sketching). */
uint64_t fw_lsh_band_key64(const uint32_t *sig, unsigned band, unsigned rows);

#endif
