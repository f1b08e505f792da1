/* passage_known.h — the boilerplate passages a passage model brings
 * (internal; see passage_known.c): a passage of the corpus that matches
 * one of them is boilerplate, whatever else the corpus holds. */
#ifndef FW_PASSAGE_KNOWN_H
#define FW_PASSAGE_KNOWN_H

#include "fanwen.h"
#include "align.h"
#include "passage_cut.h"

struct fw_passage_model;

/* A value of a known passage, to look it up by: one of its band keys
 * (band << 32 | key), or the XXH3 of its code points. */
typedef struct fw_known_key {
    uint64_t value;
    uint32_t passage;
} fw_known_key;

typedef struct fw_known_passages {
    size_t n;
    const uint32_t *cps;       /* the model's, borrowed */
    const uint64_t *start;
    unsigned bands, rows;
    fw_passage_value *sigs;    /* n · bands · rows */
    fw_known_key *keys;        /* n · bands, ascending */
    uint64_t *filter;          /* a bit per mixed band key: most of a
                                * corpus's keys are in no known passage, and
                                * the bitmap (1/32 full) says so in one load */
    unsigned filter_bits;      /* log2 of its bits */
    fw_known_key *hashes;      /* XXH3 of each one's code points,
                                * ascending: a passage found verbatim is
                                * not aligned */
} fw_known_passages;

/* The model's boilerplate passages sketched as the corpus's passages are
 * (cfg: seed, stop-grams, banding), their band keys sorted. */
fw_status fw_known_passages_make(const struct fw_passage_model *m, const fw_passage_config *cfg,
                                 fw_known_passages *kp);
void fw_known_passages_free(fw_known_passages *kp);

/* A thread's buffers for fw_known_passages_match(); zero it to start. */
typedef struct fw_known_scratch {
    fw_aligner al, full;
    uint32_t *tried;           /* per known passage: the call that tried it */
    uint32_t call;
} fw_known_scratch;
void fw_known_scratch_free(fw_known_scratch *ks);

/* Does the passage (its signature and n aligned code points) match a
 * known one? Every known passage sharing a band key with it, in order,
 * screened and aligned as two passages of a corpus are (passage_match.c),
 * until one matches: the answer depends on the passage and the model
 * alone. */
fw_status fw_known_passages_match(const fw_known_passages *kp, fw_known_scratch *ks,
                                  const fw_passage_value *sig, const uint32_t *cps, size_t n,
                                  double threshold, int *match);

#endif
