/* explain.h — the evidence for a pair of documents (internal; see
 * explain.c). fw_scan_explain() makes one explainer per call; the HTML
 * report explains thousands of pairs and keeps one. */
#ifndef FW_EXPLAIN_H
#define FW_EXPLAIN_H

#include "fanwen.h"
#include "align.h"

typedef struct fw_explainer {
    const fw_scan *scan;
    unsigned min_run;
    fw_normalizer *normalizer;
    fw_template *tmpl;       /* digits folded and the scan's canon table:
                              * what template mode calls equal */
    fw_aligner aligner;
    size_t *span_first;      /* per document: its first span as side a, */
    uint32_t *span_count;    /* and how many follow */
    uint32_t *ta, *tb;       /* the template forms of two short strings */
    size_t ta_cap, tb_cap;
} fw_explainer;

/* Ready to explain pairs of `scan` (after fw_scan_run(), with passages);
 * errors go to the scan's message. */
fw_status fw_explainer_init(fw_explainer *x, const fw_scan *scan, unsigned min_run);
void fw_explainer_free(fw_explainer *x);
fw_status fw_explainer_explain(fw_explainer *x, size_t a, size_t b, fw_explanation **out);

/* Which bytes of document `doc`'s text (`len` bytes) are boilerplate, 1
 * each in mask[0, len): with the passage level, every byte outside its
 * passages (the boilerplate lines left out of them) but line breaks, and
 * those of its passages in boilerplate groups; without it, none. Explain's
 * marked characters leave them out, and the HTML pages grey them. */
fw_status fw_boilerplate_mask(const fw_scan *scan, size_t doc, const char *text, size_t len,
                              unsigned char *mask);

/* The number of the span of document `doc` as side a, and their count
 * (spans are by a's id, so a document's are together). */
void fw_explainer_spans_of(const fw_explainer *x, size_t doc, size_t *first, size_t *count);

#endif
