/*
 * oph.c — one-permutation hashing with optimal densification.
 *
 * Classic MinHash hashes every shingle K times. One-permutation hashing
 * (Li, Owen & Zhang 2012) hashes it once: the hash picks one of K bins and
 * the bin keeps its minimum, so a signature costs one pass whatever K is.
 * A bin that no shingle fell into borrows the value of another bin;
 * Shrivastava's optimal densification (ICML 2017) picks the donor for empty
 * bin i by probing bins H(i, 1), H(i, 2), ... until one is not empty. Two
 * documents share a donor whenever they share the probe sequence's first
 * non-empty bin, which keeps P[sig_A[i] = sig_B[i]] = J and the variance
 * close to classic MinHash's.
 *
 * Each shingle hash x (already XXH3) is remixed with the seed; the high 32
 * bits choose the bin (multiply-shift onto [0, K)), the low 32 bits are the
 * value. The cost of densification grows as K²/n for a text of n shingles,
 * so OPH pays off on long texts and loses on very short ones (bench/).
 */
#include "fanwen.h"
#include "mix.h"

#include <stdlib.h>
#include <string.h>

struct fw_oph {
    unsigned k;
    uint64_t seed;
};

fw_status fw_oph_new(unsigned k, uint64_t seed, fw_oph **out)
{
    *out = NULL;
    if (k < 1 || k > 1024) return FW_ERR_ARG;
    fw_oph *o = malloc(sizeof *o);
    if (!o) return FW_ERR_NOMEM;
    o->k = k;
    o->seed = fw_mix64(seed ^ 0x6F7068ULL); /* "oph" */
    *out = o;
    return FW_OK;
}

void fw_oph_free(fw_oph *o) { free(o); }

void fw_oph_compute(const fw_oph *o, const uint64_t *shingles, size_t n,
                    uint32_t *sig)
{
    const unsigned k = o->k;
    uint32_t bins[1024];
    uint8_t filled[1024];
    for (unsigned i = 0; i < k; i++) bins[i] = UINT32_MAX;
    memset(filled, 0, k);
    for (size_t i = 0; i < n; i++) {
        uint64_t h = fw_mix64(shingles[i] ^ o->seed);
        unsigned bin = (unsigned)(((h >> 32) * k) >> 32);
        uint32_t v = (uint32_t)h;
        if (v < bins[bin]) bins[bin] = v;
        filled[bin] = 1;
    }
    if (n == 0) {
        for (unsigned i = 0; i < k; i++) sig[i] = UINT32_MAX;
        return;
    }
    for (unsigned i = 0; i < k; i++) {
        if (filled[i]) {
            sig[i] = bins[i];
            continue;
        }
        /* probe H(i, 1), H(i, 2), ... until a bin that is not empty */
        uint64_t probe = o->seed + (uint64_t)i * 0x9E3779B97F4A7C15ULL;
        unsigned donor;
        do {
            probe += 0xD1B54A32D192ED03ULL;
            donor = (unsigned)(((fw_mix64(probe) >> 32) * k) >> 32);
        } while (!filled[donor]);
        sig[i] = bins[donor];
    }
}
