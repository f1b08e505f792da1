/* passage_match.h — the passage level of a scan, after reading (internal;
 * see passage_match.c): every document's passages (passage_cut.h) matched
 * across the corpus. */
#ifndef FW_PASSAGE_MATCH_H
#define FW_PASSAGE_MATCH_H

#include "fanwen.h"
#include "align.h"
#include "aligned_text.h"
#include "passage_cut.h"
#include "spans.h"

#include <math.h>

#define FW_PASSAGE_CONTAINED 0.9 /* a passage this much inside another matches */
#define FW_PASSAGE_CONTAINED_RUN 4 /* ... in aligned runs of this length */
/* A candidate is aligned only when its MinHash estimate of the 3-gram
 * Jaccard, or of the containment of the smaller passage, reaches these:
 * chance collisions in one band are most candidates, and cost an
 * alignment each (passage_match.c). A pair at the passage threshold (40%
 * of its characters edited) keeps about a fifth of its 3-grams, Jaccard
 * 0.12, so pairs there are lost either way; on laws 0.15 instead of 0.1
 * aligns 0.65 M pairs instead of 1.03 M and loses 113 of 112,103 matches
 * (0.1%), with the generated corpus's spans found as before. */
#define FW_PASSAGE_SCREEN_JACCARD 0.15
#define FW_PASSAGE_SCREEN_CONTAINED 0.4

/* The least count that is at least `share` of `n`: ceil(share · n), but
 * for the last bit of binary rounding (0.07 · 100 is 7.000000000000001,
 * and 7 of 100 documents are 7%). The bars a user sets (--boilerplate-share,
 * --passage-threshold) are compared as counts through it. */
static inline uint64_t fw_share_count(double share, uint64_t n)
{
    double x = share * (double)n, k = ceil(x - x * 1e-12);
    return k > 0 ? (uint64_t)k : 0;
}

/* Is a candidate worth aligning? Its MinHash estimate of the 3-gram
 * Jaccard, or of how much of the smaller passage is in the larger, reaches
 * the screen's bars above (k values, la and lb aligned characters). */
int fw_passage_worth_aligning(const fw_passage_value *sa, const fw_passage_value *sb,
                              unsigned k, uint32_t la, uint32_t lb);
/* The same from `same`, how many of the k values are equal. It never
 * falls as `same` grows (the screen of low bytes, screen_file.h, relies on
 * it: more equal values never turn a pair away). */
int fw_passage_worth_aligning_same(unsigned same, unsigned k, uint32_t la, uint32_t lb);

/* Do two passages match? `al` holds passage a (ta, la) as its pattern;
 * `full` is scratch for the containment test on aligned runs. */
fw_status fw_passage_passes(fw_aligner *al, fw_aligner *full, const uint32_t *ta, size_t la,
                            const uint32_t *tb, size_t lb, double threshold, int *match);

/* Every document's passages, in id order. */
typedef struct fw_passage_corpus {
    size_t ndocs;
    fw_passage *const *passages;   /* per document (NULL when none) */
    const uint32_t *npassages;
    const fw_aligned_texts *texts; /* per document: what passages align */
    uint64_t text_docs;            /* documents with text */
    /* With a memory limit (sigs_file set), passages' signatures are in
     * sigs_file and LSH goes through band runs of lsh_budget bytes in
     * tmp_dir. */
    const struct fw_spill *sigs_file;
    size_t lsh_budget;
    const char *tmp_dir;
    /* In memory: every passage's signature side by side (passage i's at
     * i·bands·rows, zeros for one without text), malloc'ed; the passages'
     * own `sig` are not read. fw_passages_match() frees it once it has
     * screened the candidates. */
    fw_passage_value *flat;
} fw_passage_corpus;

typedef struct fw_passage_settings {
    double threshold;          /* aligned share of the longer passage to
                                * match (or 90% of the shorter in runs) */
    unsigned bands, rows;      /* of the passages' LSH */
    uint64_t boilerplate_docs; /* a group in at least this many documents */
    double boilerplate_share;  /* and at least this share of them */
    double reuse_min;          /* reuse rows from this share on either side */
    int threads;
    /* With a passage model: its boilerplate passages (passage_known.h),
     * which then decide alone which passages are boilerplate (the bars
     * above are not used); NULL: groups in enough documents are. */
    const struct fw_known_passages *known;
    int no_spans;              /* 1: groups and boilerplate only (nothing
                                * reports the spans and reuse rows) */
} fw_passage_settings;

typedef struct fw_passage_group {
    uint64_t passages, docs;
    uint32_t first;            /* its first passage (global number) */
    int boilerplate;
} fw_passage_group;

/* What matching found. Passages are numbered globally in id order of their
 * documents, then in document order: document r's start at first[r]. */
typedef struct fw_passage_result {
    size_t npassages;
    size_t band_runs;          /* LSH runs written to disk (memory limit) */
    uint64_t *first;           /* ndocs + 1 values */
    fw_passage_group *groups;  /* groups[g - 1] is group g */
    size_t ngroups;
    uint32_t *grouped;         /* passages in a group, by group then number */
    size_t ngrouped;
    uint32_t *boilerplate;     /* boilerplate group numbers, most documents first */
    size_t nboilerplate;
    fw_spans_result spans;     /* spans, reuse rows and each document's
                                * reused characters; ranks (id order) */
    uint64_t *boilerplate_chars; /* per document (rank), aligned form */
    uint64_t candidates, matched;
    uint64_t screened;         /* candidates not aligned: their MinHash
                                * estimate was too low */
    uint64_t boilerplate_docs_needed;
    double t_candidates, t_verify; /* seconds */
} fw_passage_result;

/* Candidates by LSH over the band keys, each verified by aligning the two
 * passages' characters, groups by union-find, then boilerplate, and the
 * reused spans and document reuse (spans.c). Sets each passage's `group`. */
fw_status fw_passages_match(const fw_passage_corpus *corpus, const fw_passage_settings *set,
                            fw_passage_result *res);
void fw_passage_result_free(fw_passage_result *res);

/* The same over candidates found elsewhere (a query against an index:
 * index_passages.c), `cand` sorted and without repeats (the matched ones
 * are moved to its front): verified, boilerplate by set->known, spans and
 * reuse; no groups. Frees corpus->flat, which it needs. */
fw_status fw_passages_match_given(const fw_passage_corpus *corpus, const fw_passage_settings *set,
                                  fw_pair *cand, size_t nc, fw_passage_result *res);

/* The document (rank) of passage number p: the last r with first[r] <= p
 * (documents without passages have first[r] == first[r + 1]). */
size_t fw_passage_doc_of(const fw_passage_result *res, size_t ndocs, uint64_t p);

#endif
