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
#include "sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fw_stop_counter {
    uint64_t *hashes;    /* all of them, as they came */
    size_t n, cap;
};

fw_status fw_stop_counter_new(fw_stop_counter **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? FW_OK : FW_ERR_NOMEM;
}

void fw_stop_counter_free(fw_stop_counter *c)
{
    if (!c) return;
    free(c->hashes);
    free(c);
}

fw_status fw_stop_counter_add(fw_stop_counter *c, const uint64_t *hashes, size_t n)
{
    if (c->n + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->n + n) cap *= 2;
        uint64_t *h = realloc(c->hashes, cap * sizeof *h);
        if (!h) return FW_ERR_NOMEM;
        c->hashes = h;
        c->cap = cap;
    }
    memcpy(c->hashes + c->n, hashes, n * sizeof *hashes);
    c->n += n;
    return FW_OK;
}

fw_status fw_stop_counter_finish(fw_stop_counter *c, double share, size_t window,
                                 fw_stop_grams *out)
{
    memset(out, 0, sizeof *out);
    out->windows = (c->n + window - 1) / window;
    uint64_t need = (uint64_t)ceil(share * (double)out->windows);
    if (need < FW_STOP_MIN_COUNT) need = FW_STOP_MIN_COUNT;
    uint64_t *tmp = malloc((c->n ? c->n : 1) * sizeof *tmp);
    if (!tmp) return FW_ERR_NOMEM;
    fw_sort_u64(c->hashes, tmp, c->n);
    free(tmp);
    for (size_t a = 0; a < c->n;) {
        size_t b = a;
        while (b < c->n && c->hashes[b] == c->hashes[a]) b++;
        if (b - a >= need) {
            size_t bit = (size_t)(c->hashes[a] >> (64 - FW_STOP_BITS));
            out->bits[bit >> 3] |= (uint8_t)(1u << (bit & 7));
            out->ngrams++;
        }
        a = b;
    }
    return FW_OK;
}
