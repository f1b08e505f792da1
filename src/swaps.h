/* swaps.h — learned swaps (internal): the word substitutions that aligned
 * copies show, counted over the corpus and turned into a canon table
 * (substitutions.csv, which --canon loads). The design and its
 * measurements are at the head of swaps.c.
 *
 * Call order, on one miner or on per-thread miners merged into one:
 *
 *   fw_swaps_new
 *   fw_swaps_add ...            one call per aligned span
 *   fw_swaps_merge ...          the other threads' miners into one
 *   fw_swaps_prepare            freezes the candidates; add and merge
 *                               return FW_ERR_ARG after it
 *   fw_swaps_tally_new          per thread; fw_swaps_tally_doc for every
 *   fw_swaps_tally_doc ...      document of the corpus, each once; then
 *   fw_swaps_tally_add          each tally added, and freed
 *   fw_swaps_finish             the rows
 *   fw_swaps_free
 *
 * The rows depend only on the spans added and the documents tallied, never
 * on the thread count or the order of feeding. Errors are FW_ERR_NOMEM
 * (the miner can then only be freed) and FW_ERR_ARG for a call out of
 * order, so there is no message. */
#ifndef FW_SWAPS_H
#define FW_SWAPS_H

#include "fanwen.h"
#include "align.h"

/* The longest side of a substitution, in code points. */
#define FW_SWAPS_SIDE_MAX 4

typedef struct fw_swaps fw_swaps;

fw_status fw_swaps_new(fw_swaps **out);
void fw_swaps_free(fw_swaps *s);

/* One aligned span between documents doc_a and doc_b (different or not),
 * their code points a[0, na) and b[0, nb) as the documents were shingled,
 * and the runs fw_align(a, b) gave, in order. Records the candidate
 * substitutions between the runs. Give each pair of documents the same
 * way round (say the lower number as a): where the LCS is not unique,
 * fw_align(b, a) can align differently. FW_ERR_ARG if a run is out of
 * bounds. */
fw_status fw_swaps_add(fw_swaps *s, uint32_t doc_a, const uint32_t *a, size_t na,
                       uint32_t doc_b, const uint32_t *b, size_t nb,
                       const fw_align_run *runs, size_t nruns);

/* Folds `other` into `into` (other is unchanged, and freed by the caller). */
fw_status fw_swaps_merge(fw_swaps *into, const fw_swaps *other);

/* Bytes held by the candidates (for memory accounting). */
size_t fw_swaps_bytes(const fw_swaps *s);

typedef struct fw_swaps_options {
    uint64_t min_count;      /* a row occurs at least this often (2), */
    uint64_t min_families;   /* in this many unconnected groups of
                              * document pairs (3), */
    double variant_share;    /* in this share of the document pairs that
                              * show a substitution of the variant (0.8) */
    double canonical_share;  /* and of the canonical's (0.25) */
} fw_swaps_options;

void fw_swaps_options_default(fw_swaps_options *o);

/* Freezes the candidates that can become rows under `o` (NULL: the
 * defaults) and numbers their strings for the tallies. */
fw_status fw_swaps_prepare(fw_swaps *s, const fw_swaps_options *o);

/* The canonical side of a row is the one more documents of the corpus
 * contain (with the document pairs' votes, see swaps.c), so the rows need
 * the corpus's document frequencies of the prepared strings. A tally
 * counts them over the documents shown to it: one tally per thread, every
 * document of the corpus shown to one tally once, in the form the spans
 * had, then each tally added to the miner. A tally reads `s`, which must
 * stay prepared and unfinished while the tally lives. */
typedef struct fw_swaps_tally fw_swaps_tally;
fw_status fw_swaps_tally_new(const fw_swaps *s, fw_swaps_tally **out);
void fw_swaps_tally_doc(fw_swaps_tally *t, const uint32_t *cps, size_t n);
/* Adds the tally's counts to `s`; FW_ERR_ARG if it is another miner's. */
fw_status fw_swaps_tally_add(fw_swaps *s, const fw_swaps_tally *t);
void fw_swaps_tally_free(fw_swaps_tally *t);

/* One row of substitutions.csv: copies wrote `variant` where their sources
 * had `canonical`. `count` is its occurrences in the spans added, `docs`
 * the distinct documents holding the variant opposite the canonical,
 * `families` the connected components of the document pairs it was seen
 * in (independent acts of swapping). Strings are UTF-8, 2 to
 * FW_SWAPS_SIDE_MAX code points, both sides the same length. */
typedef struct fw_swap_row {
    const char *variant, *canonical;
    uint64_t count, docs, families;
} fw_swap_row;

/* The rows, sorted by count (descending), then variant, then canonical
 * (byte order). FW_ERR_ARG unless prepared and at least one tally was
 * added. rows[0, *nrows) and their strings are owned by `s` and valid until
 * fw_swaps_free; a second call returns the same rows. */
fw_status fw_swaps_finish(fw_swaps *s, const fw_swap_row **rows, size_t *nrows);

/* A differing region between aligned anchors: a[a, a + na) stands where
 * b[b, b + nb) stands in the other text. */
typedef struct fw_swap_region {
    uint32_t a, na, b, nb;
} fw_swap_region;

/* The candidate regions of one alignment, what fw_swaps_add records before
 * widening one-character regions (exposed for the tests): between anchors,
 * both sides 1 to FW_SWAPS_SIDE_MAX code points with something unaligned,
 * no figures, well aligned text around. Written to *regions (grown with
 * realloc, capacity *cap), *n of them, in order. */
fw_status fw_swaps_regions(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                           const fw_align_run *runs, size_t nruns,
                           fw_swap_region **regions, size_t *cap, size_t *n);

#endif
