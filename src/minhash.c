/*
 * minhash.c — K-permutation MinHash signatures (Broder 1997).
 *
 * For a set S and a random permutation h, P[min h(A) = min h(B)] = J(A, B),
 * so the share of equal values among K independent minima estimates the
 * Jaccard similarity with standard error sqrt(J(1-J)/K).
 *
 * The permutations are h_k(x) = ((a_k·x + b_k) mod 2^64) >> 32 on the low 32
 * bits x of each shingle hash, a and b 64-bit from SplitMix64(seed):
 * Dietzfelbinger's multiply-add-shift scheme, strongly universal from 32 to
 * 32 bits, and one multiply-add per value. The inner loop runs over the K
 * permutations for one shingle, which the compiler turns into vector code;
 * target_clones builds it for AVX-512, AVX2 and baseline x86-64 and the
 * loader picks the best one for the CPU, so a generic package is fast too.
 * All three produce the same bits (integer arithmetic only).
 */
#include "fanwen.h"

#include <stdlib.h>
#include <string.h>

#define FW_MAX_PERMS 1024

struct fw_minhasher {
    unsigned k;
    uint64_t *a, *b;
};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

fw_status fw_minhasher_new(unsigned k, uint64_t seed, fw_minhasher **out)
{
    *out = NULL;
    if (k < 1 || k > FW_MAX_PERMS) return FW_ERR_ARG;
    fw_minhasher *mh = calloc(1, sizeof *mh);
    if (!mh) return FW_ERR_NOMEM;
    mh->k = k;
    mh->a = aligned_alloc(64, FW_MAX_PERMS * sizeof *mh->a);
    mh->b = aligned_alloc(64, FW_MAX_PERMS * sizeof *mh->b);
    if (!mh->a || !mh->b) {
        fw_minhasher_free(mh);
        return FW_ERR_NOMEM;
    }
    uint64_t state = seed ^ 0x6D696E68617368ULL; /* "minhash" */
    for (unsigned i = 0; i < k; i++) {
        mh->a[i] = splitmix64(&state) | 1;
        mh->b[i] = splitmix64(&state);
    }
    *out = mh;
    return FW_OK;
}

void fw_minhasher_free(fw_minhasher *mh)
{
    if (!mh) return;
    free(mh->a);
    free(mh->b);
    free(mh);
}

unsigned fw_minhasher_size(const fw_minhasher *mh) { return mh->k; }

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FW_TARGET_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FW_TARGET_CLONES
#endif

/* Minimum over n shingles of each permutation, for K values. Permutations
 * are taken 32 at a time, as four vectors of eight 64-bit lanes (GCC vector
 * extensions, so each target clone gets its own instructions), so that the
 * running minima stay in registers while all shingles stream past. */
typedef uint64_t u64x8 __attribute__((vector_size(64)));
#define BLOCK 32

FW_TARGET_CLONES
static void minhash_kernel(const uint64_t *restrict a, const uint64_t *restrict b,
                           unsigned k, const uint64_t *restrict shingles,
                           size_t n, uint32_t *restrict sig)
{
    unsigned j0 = 0;
    for (; j0 + BLOCK <= k; j0 += BLOCK) {
        u64x8 va[4], vb[4], m[4];
        for (int v = 0; v < 4; v++) {
            memcpy(&va[v], a + j0 + 8 * v, sizeof va[v]);
            memcpy(&vb[v], b + j0 + 8 * v, sizeof vb[v]);
            m[v] = (u64x8){0} + UINT32_MAX;
        }
        for (size_t i = 0; i < n; i++) {
            u64x8 x = (u64x8){0} + (uint32_t)shingles[i];
            for (int v = 0; v < 4; v++) {
                u64x8 h = (va[v] * x + vb[v]) >> 32;
                u64x8 lower = (u64x8)(h < m[v]); /* all ones where h wins */
                m[v] = (h & lower) | (m[v] & ~lower);
            }
        }
        for (int v = 0; v < 4; v++)
            for (int l = 0; l < 8; l++) sig[j0 + 8 * v + l] = (uint32_t)m[v][l];
    }
    for (unsigned j = j0; j < k; j++) {
        uint32_t m = UINT32_MAX;
        for (size_t i = 0; i < n; i++) {
            uint32_t h = (uint32_t)((a[j] * (uint64_t)(uint32_t)shingles[i] + b[j]) >> 32);
            m = h < m ? h : m;
        }
        sig[j] = m;
    }
}

void fw_minhash_compute(const fw_minhasher *mh, const uint64_t *shingles,
                        size_t n, uint32_t *sig)
{
    minhash_kernel(mh->a, mh->b, mh->k, shingles, n, sig);
}

double fw_minhash_estimate(const uint32_t *a, const uint32_t *b, unsigned k)
{
    unsigned same = 0;
    for (unsigned i = 0; i < k; i++) same += a[i] == b[i];
    return k ? (double)same / k : 0.0;
}
