/*
 * passage_known.c — the boilerplate passages a passage model brings.
 *
 * A scan learns its boilerplate passages from its own groups: a group in
 * enough documents. That needs the whole corpus, which a small batch is
 * not, and which a query against an index does not read. A passage model
 * (passage_model.c) therefore keeps the texts of the boilerplate groups'
 * passages, and with a model a passage is boilerplate when it matches one
 * of them: a decision about one passage and the model, the same whichever
 * documents come with it.
 *
 * Each known passage is sketched as a corpus passage is and its band keys
 * sorted; a passage is looked up band by band and each known passage it
 * meets is screened and aligned with the corpus's own test.
 */
#include "passage_known.h"
#include "passage_match.h"
#include "passage_model.h"
#include "grow.h"
#include "lsh.h"
#include "mix.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static int cmp_key(const void *x, const void *y)
{
    const fw_known_key *a = x, *b = y;
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    return (a->passage > b->passage) - (a->passage < b->passage);
}

fw_status fw_known_passages_make(const fw_passage_model *m, const fw_passage_config *cfg,
                                 fw_known_passages *kp)
{
    memset(kp, 0, sizeof *kp);
    kp->n = m->nknown;
    kp->cps = m->known_cps;
    kp->start = m->known_start;
    kp->bands = cfg->bands;
    kp->rows = cfg->rows;
    const size_t k = (size_t)cfg->bands * cfg->rows, n = kp->n;
    if (!n) return FW_OK;
    kp->sigs = malloc(n * k * sizeof *kp->sigs);
    kp->keys = malloc(n * cfg->bands * sizeof *kp->keys);
    kp->hashes = malloc(n * sizeof *kp->hashes);
    if (!kp->sigs || !kp->keys || !kp->hashes) {
        fw_known_passages_free(kp);
        return FW_ERR_NOMEM;
    }
    fw_passage_scratch sc = {0};
    fw_status st = FW_OK;
    for (size_t i = 0; i < n && st == FW_OK; i++) {
        fw_passage_value *sig = kp->sigs + i * k;
        kp->hashes[i] = (fw_known_key){XXH3_64bits(kp->cps + kp->start[i],
                                                   (kp->start[i + 1] - kp->start[i]) *
                                                       sizeof *kp->cps),
                                       (uint32_t)i};
        st = fw_passage_sketch(cfg, &sc, kp->cps + kp->start[i], kp->start[i + 1] - kp->start[i],
                               sig);
        for (unsigned b = 0; st == FW_OK && b < cfg->bands; b++)
            kp->keys[i * cfg->bands + b] =
                (fw_known_key){(uint64_t)b << 32 | fw_passage_band_key(sig, b, cfg->rows),
                               (uint32_t)i};
    }
    fw_passage_scratch_free(&sc);
    if (st != FW_OK) {
        fw_known_passages_free(kp);
        return st;
    }
    qsort(kp->keys, n * cfg->bands, sizeof *kp->keys, cmp_key);
    for (kp->filter_bits = 16; ((size_t)1 << kp->filter_bits) < 32 * n * cfg->bands;)
        kp->filter_bits++;
    if (!(kp->filter = calloc(((size_t)1 << kp->filter_bits) / 64, sizeof *kp->filter))) {
        fw_known_passages_free(kp);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < n * cfg->bands; i++) {
        uint64_t bit = fw_mix64(kp->keys[i].value) >> (64 - kp->filter_bits);
        kp->filter[bit >> 6] |= (uint64_t)1 << (bit & 63);
    }
    qsort(kp->hashes, n, sizeof *kp->hashes, cmp_key);
    return FW_OK;
}

void fw_known_passages_free(fw_known_passages *kp)
{
    free(kp->sigs);
    free(kp->keys);
    free(kp->hashes);
    free(kp->filter);
    memset(kp, 0, sizeof *kp);
}

void fw_known_scratch_free(fw_known_scratch *ks)
{
    fw_aligner_free(&ks->al);
    fw_aligner_free(&ks->full);
    free(ks->tried);
    memset(ks, 0, sizeof *ks);
}

/* The first of v[0, n) whose value is >= x. */
static size_t lower_bound(const fw_known_key *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].value < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Is this exactly a known passage? The ones whose hash is h, from `at`,
 * compared. */
static int verbatim(const fw_known_passages *kp, size_t at, uint64_t h, const uint32_t *cps,
                    size_t n)
{
    for (; at < kp->n && kp->hashes[at].value == h; at++) {
        uint32_t j = kp->hashes[at].passage;
        if (kp->start[j + 1] - kp->start[j] == n &&
            !memcmp(kp->cps + kp->start[j], cps, n * sizeof *cps))
            return 1;
    }
    return 0;
}

fw_status fw_known_passages_match(const fw_known_passages *kp, fw_known_scratch *ks,
                                  const fw_passage_value *sig, const uint32_t *cps, size_t n,
                                  double threshold, int *match)
{
    *match = 0;
    if (!kp->n || !n) return FW_OK;
    if (!ks->tried && !(ks->tried = calloc(kp->n, sizeof *ks->tried))) return FW_ERR_NOMEM;
    if (++ks->call == 0) { /* the stamps wrapped: start again */
        memset(ks->tried, 0, kp->n * sizeof *ks->tried);
        ks->call = 1;
    }
    /* verbatim: the same code points are a match (it aligns whole) */
    const uint64_t h = XXH3_64bits(cps, n * sizeof *cps);
    if (verbatim(kp, lower_bound(kp->hashes, kp->n, h), h, cps, n)) {
        *match = 1;
        return FW_OK;
    }
    const unsigned k = kp->bands * kp->rows;
    int pattern = 0; /* the passage is the aligner's pattern once set */
    fw_status st = FW_OK;
    const size_t nkeys = kp->n * kp->bands;
    for (unsigned b = 0; b < kp->bands && st == FW_OK && !*match; b++) {
        uint64_t want = (uint64_t)b << 32 | fw_passage_band_key(sig, b, kp->rows);
        uint64_t bit = fw_mix64(want) >> (64 - kp->filter_bits);
        if (!((kp->filter[bit >> 6] >> (bit & 63)) & 1)) continue;
        /* the first ones of a bucket only, as LSH pairs a big bucket's
         * members with its first alone: a footer in a thousand variants
         * costs a passage 16 tries a band, not a thousand */
        const size_t first = lower_bound(kp->keys, nkeys, want);
        for (size_t i = first; i < nkeys && i - first < FW_LSH_FULL_BUCKET &&
                               kp->keys[i].value == want && st == FW_OK && !*match;
             i++) {
            uint32_t j = kp->keys[i].passage;
            if (ks->tried[j] == ks->call) continue;
            ks->tried[j] = ks->call;
            const size_t lj = kp->start[j + 1] - kp->start[j];
            if (!fw_passage_worth_aligning(sig, kp->sigs + (size_t)j * k, k, (uint32_t)n,
                                           (uint32_t)lj))
                continue;
            if (!pattern && (st = fw_align_pattern(&ks->al, cps, n)) != FW_OK) break;
            pattern = 1;
            st = fw_passage_passes(&ks->al, &ks->full, cps, n, kp->cps + kp->start[j], lj,
                                   threshold, match);
        }
    }
    return st;
}
