/* match.h — a scan's stages after reading, on the documents' records
 * (internal; see match.c). In the order fw_scan_run() calls them. */
#ifndef FW_MATCH_H
#define FW_MATCH_H

#include "fanwen.h"

/* Numbers the documents in id order (s->by_rank, each record's rank),
 * renaming repeated ids "id#2", "id#3"... in input order. */
fw_status fw_match_rank_documents(fw_scan *s);

/* The passage level: every document's passages matched across the corpus
 * (passage_match.c); its figures into the stats. Before verification,
 * which sorts the documents' hashes. */
fw_status fw_match_passages(fw_scan *s);

/* LSH candidate pairs of ranks, sorted, without repeats; free(*cand). */
fw_status fw_match_find_candidates(fw_scan *s, fw_pair **cand, size_t *nc);

/* The exact shingle sets of the documents in candidate pairs. */
fw_status fw_match_make_sets(fw_scan *s, const fw_pair *cand, size_t nc);

/* Frees every set and signature still made from a kept text (its
 * document's own): what fw_match_verify() has not freed after a failure,
 * or a staged gather task's sets (fw_scan_free() calls it). */
void fw_match_drop_sets(fw_scan *s);

/* fw_match_make_sets() for the documents i with wanted[i] (by document
 * number, not rank): a staged scan's gather task, which knows the
 * candidates of its shard but not yet the ranks' pairs. */
fw_status fw_match_make_sets_of(fw_scan *s, const uint8_t *wanted);

/* What verifying one pair reads: both signatures and both exact sets. */
typedef struct fw_match_sides {
    const uint32_t *sig_a, *sig_b;
    const uint64_t *set_a, *set_b;
    size_t nset_a, nset_b;
} fw_match_sides;

/* One candidate's estimate and, with `verify`, its exact Jaccard and
 * containments into r (a and b untouched); returns 1 when it is kept (at or
 * above the threshold). The one place a pair is judged: the scan and a
 * staged scan's verify tasks both call it. */
int fw_match_pair(const fw_match_sides *x, unsigned k, int verify, double threshold,
                  fw_result_pair *r);

/* Every candidate's exact (or, with --no-verify, estimated) similarity:
 * the pairs at or above the threshold become the scan's result pairs, and
 * *kept (free it) the same pairs as ranks. */
fw_status fw_match_verify(fw_scan *s, const fw_pair *cand, size_t nc, fw_pair **kept,
                          size_t *nkept);

/* Each record's cluster from the union-find roots `parent` (by rank). */
void fw_match_assign_clusters(fw_scan *s, const uint32_t *parent);

#endif
