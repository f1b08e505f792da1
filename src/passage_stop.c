/*
 * passage_stop.c — the 3-grams too common to tell passages apart.
 *
 * Passages are sketched over character 3-grams so that edits leave most of
 * them (passage_cut.c). But in a corpus of one genre a few thousand
 * 3-grams are everywhere (人民政府, 的规定, 应当依), and two unrelated
 * passages share enough of them for LSH to pair them: on laws.jsonl 2.4 M
 * candidate pairs for 112 k matches, each screened and many aligned. As
 * plagiarism detectors drop stop words before making their n-grams, the
 * passage sketch leaves out the 3-grams found in more than a small share of
 * passage-sized windows of a sample of the corpus. A copy keeps its rare
 * 3-grams as it keeps its common ones, so its Jaccard with its source is
 * unchanged on what remains, while chance overlap, made of the common
 * ones, falls.
 */
#include "passage_stop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Counts by filter bit: the filter cannot tell apart 3-grams that share
 * one, so neither need the counts (a rare 3-gram that shares a bit with a
 * common one is left out either way). Counting is then one increment a
 * 3-gram, where sorting the sample's hashes took 5% of a run on poems. */
struct fw_stop_counter {
    uint32_t count[1u << FW_STOP_BITS];
    uint64_t total;
};

fw_status fw_stop_counter_new(fw_stop_counter **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? FW_OK : FW_ERR_NOMEM;
}

void fw_stop_counter_free(fw_stop_counter *c) { free(c); }

fw_status fw_stop_counter_add(fw_stop_counter *c, const uint64_t *hashes, size_t n)
{
    for (size_t i = 0; i < n; i++) c->count[fw_stop_bit(hashes[i])]++;
    c->total += n;
    return FW_OK;
}

fw_status fw_stop_counter_finish(fw_stop_counter *c, double share, size_t window,
                                 fw_stop_grams *out)
{
    memset(out, 0, sizeof *out);
    out->windows = (c->total + window - 1) / window;
    uint64_t need = (uint64_t)ceil(share * (double)out->windows);
    if (need < FW_STOP_MIN_COUNT) need = FW_STOP_MIN_COUNT;
    for (size_t b = 0; b < (1u << FW_STOP_BITS); b++) {
        if (c->count[b] < need) continue;
        out->bits[b >> 3] |= (uint8_t)(1u << (b & 7));
        out->ngrams++;
    }
    return FW_OK;
}
