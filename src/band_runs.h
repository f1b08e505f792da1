/* band_runs.h — LSH band records in sorted runs on disk (internal; see
 * band_runs.c). */
#ifndef FW_BAND_RUNS_H
#define FW_BAND_RUNS_H

#include "fanwen.h"

typedef struct fw_band_runs fw_band_runs;

/* Records for `bands` bands, buffered in about `budget` bytes (buffers,
 * merge windows and pairs together); runs go to a temporary file in `dir`
 * (NULL: $TMPDIR or /tmp), which must outlive the object. */
fw_status fw_band_runs_new(unsigned bands, size_t budget, const char *dir,
                           fw_band_runs **out);
void fw_band_runs_free(fw_band_runs *runs);

/* Adds item `item`'s key for every band. Items are numbered by the caller,
 * any order. Writes a run when the buffers are full. */
fw_status fw_band_runs_add(fw_band_runs *runs, uint32_t item, const uint64_t *keys);

/* The candidate pairs, as fw_lsh_candidates() gives them for documents
 * numbered rank[item] (rank NULL: the items' own numbers): sorted, without
 * repeats. */
fw_status fw_band_runs_candidates(fw_band_runs *runs, const uint32_t *rank, int threads,
                                  fw_pair **pairs, size_t *npairs);

/* Runs written to disk so far (0: everything stayed in memory). */
size_t fw_band_runs_count(const fw_band_runs *runs);

/* Why the last call failed with FW_ERR_IO. */
const char *fw_band_runs_error(const fw_band_runs *runs);

#endif
