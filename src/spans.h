/* spans.h — reused spans and document reuse from matched passages
 * (internal; see spans.c). */
#ifndef FW_SPANS_H
#define FW_SPANS_H

#include "fanwen.h"
#include "aligned_text.h"
#include "passage_cut.h"
#include "swaps.h"

/* Spans shorter than this many aligned characters in a run do not start
 * or end a span: a lone equal character is chance, not copying. */
#define FW_SPAN_ANCHOR 3

typedef struct fw_spans_input {
    size_t ndocs;
    const uint64_t *first;          /* document r's passages are numbered
                                     * [first[r], first[r + 1]) */
    fw_passage *const *passage;     /* by number */
    const uint8_t *boilerplate;     /* by number: in a boilerplate group */
    const fw_pair *matched;         /* matched passage pairs, a < b */
    size_t nmatched;
    const fw_aligned_texts *texts;  /* by document (rank) */
    double reuse_min;               /* reuse rows from this share */
    int threads;
} fw_spans_input;

typedef struct fw_spans_result {
    fw_reused_span *spans;          /* a, b are ranks here */
    size_t nspans;
    fw_reuse_pair *reuse;           /* a, b are ranks here */
    size_t nreuse;
    uint64_t *reused_chars;         /* per document: characters aligned with
                                     * any other place, boilerplate left out */
    fw_swaps *swaps;                /* the substitutions the spans show */
    const fw_swap_row *substitutions; /* (swaps.c), owned by `swaps` */
    size_t nsubstitutions;
    double t_spans, t_swaps;        /* seconds: aligning the chains, learning
                                     * the swaps */
} fw_spans_result;

fw_status fw_spans_build(const fw_spans_input *in, fw_spans_result *out);
void fw_spans_result_free(fw_spans_result *r);

#endif
