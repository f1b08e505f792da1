/* passage_match.h — the passage level of a scan, after reading (internal;
 * see passage_match.c): every document's passages (passage_cut.h) matched
 * across the corpus. */
#ifndef FW_PASSAGE_MATCH_H
#define FW_PASSAGE_MATCH_H

#include "fanwen.h"
#include "passage_cut.h"

#define FW_PASSAGE_CONTAINED 0.9 /* a passage this much inside another matches */

/* Every document's passages, in id order. */
typedef struct fw_passage_corpus {
    size_t ndocs;
    fw_passage *const *passages;   /* per document (NULL when none) */
    const uint32_t *npassages;
    uint64_t *const *hashes;       /* per document; matching sorts each
                                    * passage's slice in place */
    const uint64_t *chars;         /* normalized code points per document */
    uint64_t text_docs;            /* documents with text */
    /* With a memory limit the hashes are NULL: a document's are in
     * hashes_file at hashes_at[document], and passage sets are written to
     * sets_file and read back in pairs. */
    const struct fw_spill *hashes_file;
    const uint64_t *hashes_at;
    struct fw_spill *sets_file;
    size_t lsh_budget;             /* and LSH goes through band runs of */
    const char *tmp_dir;           /* this budget, in this directory */
    const struct fw_spill *keys_file; /* where passages' keys_at point */
} fw_passage_corpus;

typedef struct fw_passage_settings {
    double threshold;          /* Jaccard to match (or containment ≥ 0.9) */
    unsigned bands;
    uint64_t boilerplate_docs; /* a group in at least this many documents */
    double boilerplate_share;  /* and at least this share of them */
    double reuse_min;          /* reuse rows from this share on either side */
    int threads;
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
    fw_reuse_pair *reuse;      /* a, b are ranks here (id order) */
    size_t nreuse;
    uint64_t *reused_chars, *boilerplate_chars; /* per document (rank) */
    uint64_t candidates, matched;
    uint64_t boilerplate_docs_needed;
} fw_passage_result;

/* Candidates by LSH over the band keys, each verified on the exact shingle
 * sets, groups by union-find, then boilerplate and document reuse. Sets
 * each passage's `group`. */
fw_status fw_passages_match(const fw_passage_corpus *corpus, const fw_passage_settings *set,
                            fw_passage_result *res);
void fw_passage_result_free(fw_passage_result *res);

/* The document (rank) of passage number p: the last r with first[r] <= p
 * (documents without passages have first[r] == first[r + 1]). */
size_t fw_passage_doc_of(const fw_passage_result *res, size_t ndocs, uint64_t p);

#endif
