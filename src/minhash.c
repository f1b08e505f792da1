/*
 * minhash.c — K-permutation MinHash signatures (Broder 1997).
 *
 * For a set S and a random permutation h, P[min h(A) = min h(B)] = J(A, B),
 * so the share of equal values among K independent minima estimates the
 * Jaccard similarity with standard error sqrt(J(1-J)/K).
 *
 * The permutations are h_k(x) = (a_k·x + b_k) mod 2^32 on the low 32 bits x
 * of each shingle hash, a_k odd and b_k drawn from SplitMix64(seed). Each is
 * a bijection of the 32-bit values, and the x are already XXH3 outputs
 * (uniform and independent for distinct shingles), so each minimum falls on
 * a uniformly chosen element of A ∪ B, which is all the estimate needs;
 * tests/test_sketch.c checks that the K estimates also vary as independent
 * ones would (variance J(1-J)/K). In exchange the inner loop is three
 * 32-bit vector operations per 16 permutations (multiply, add, minimum)
 * instead of a 64-bit multiply per 8: the 32-bit multiply is what AVX2 and
 * AVX-512 do fast.
 *
 * The kernel is compiled three times, for x86-64-v4 (AVX-512), x86-64-v3
 * (AVX2) and baseline x86-64, and the best one the CPU supports is picked
 * when the minhasher is made (fw_minhasher_set_simd() can force one, which
 * is how bench/ compares them). All three compute the same bits: integer
 * arithmetic only.
 */
#include "fanwen.h"
#include "mix.h"

#include <stdlib.h>
#include <string.h>

#define FW_MAX_PERMS 1024

struct fw_minhasher {
    unsigned k;
    fw_simd simd;
    uint32_t *a, *b;         /* FW_MAX_PERMS each, 64-byte aligned */
};

/* ------------------------------------------------------------ code paths */

const char *fw_simd_name(fw_simd simd)
{
    switch (simd) {
    case FW_SIMD_AUTO: return "auto";
    case FW_SIMD_BASELINE: return "baseline";
    case FW_SIMD_AVX2: return "avx2";
    case FW_SIMD_AVX512: return "avx512";
    }
    return "unknown";
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FW_X86_PATHS 1
#define TARGET(arch) __attribute__((target("arch=" arch)))
#else
#define FW_X86_PATHS 0
#endif

int fw_simd_supported(fw_simd simd)
{
    switch (simd) {
    case FW_SIMD_AUTO:
    case FW_SIMD_BASELINE: return 1;
#if FW_X86_PATHS
    case FW_SIMD_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("x86-64-v3") != 0;
    case FW_SIMD_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("x86-64-v4") != 0;
#else
    default: return 0;
#endif
    }
    return 0;
}

fw_simd fw_simd_best(void)
{
    if (fw_simd_supported(FW_SIMD_AVX512)) return FW_SIMD_AVX512;
    if (fw_simd_supported(FW_SIMD_AVX2)) return FW_SIMD_AVX2;
    return FW_SIMD_BASELINE;
}

/* ---------------------------------------------------------------- kernel */

/* One vector type per code path, as wide as its registers: a 512-bit type
 * in an AVX2 function would be split by the compiler into scalar code. */
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef uint32_t u32x16 __attribute__((vector_size(64)));

/* Minima of NV vectors of permutations starting at permutation j0, over all
 * n shingles: the running minima stay in registers while the shingles
 * stream past. One function per (code path, NV), made by macros so that
 * every array below has a constant size and becomes registers. */
#define DEFINE_GROUP(name, VEC, NV, ...)                                      \
    __VA_ARGS__ static inline void name(const uint32_t *restrict a,           \
                                        const uint32_t *restrict b, unsigned j0, \
                                        const uint64_t *restrict x, size_t n, \
                                        uint32_t *restrict out)               \
    {                                                                         \
        enum { L = sizeof(VEC) / sizeof(uint32_t) };                          \
        VEC va[NV], vb[NV], m[NV];                                            \
        for (int v = 0; v < NV; v++) {                                        \
            memcpy(&va[v], a + j0 + L * v, sizeof(VEC));                      \
            memcpy(&vb[v], b + j0 + L * v, sizeof(VEC));                      \
            m[v] = (VEC){0} + UINT32_MAX;                                     \
        }                                                                     \
        for (size_t i = 0; i < n; i++) {                                      \
            VEC xi = (VEC){0} + (uint32_t)x[i];                               \
            for (int v = 0; v < NV; v++) {                                    \
                VEC h = va[v] * xi + vb[v];                                   \
                VEC lower = (VEC)(h < m[v]); /* all ones where h wins */      \
                m[v] = (h & lower) | (m[v] & ~lower);                         \
            }                                                                 \
        }                                                                     \
        for (int v = 0; v < NV; v++) memcpy(out + j0 + L * v, &m[v], sizeof(VEC)); \
    }

/* K values in groups of NV vectors (as many as the registers hold), then
 * a group of NV/2 if that many are left (the passage level's 57 values are
 * one pass over the shingles, not four), the rest one vector at a time;
 * `out` has room for K rounded up to 16. */
#define DEFINE_KERNEL(name, VEC, NV, ...)                                     \
    DEFINE_GROUP(name##_group, VEC, NV, __VA_ARGS__)                          \
    DEFINE_GROUP(name##_half, VEC, NV / 2, __VA_ARGS__)                       \
    DEFINE_GROUP(name##_one, VEC, 1, __VA_ARGS__)                             \
    __VA_ARGS__ static void name(const uint32_t *restrict a,                 \
                                 const uint32_t *restrict b, unsigned k,     \
                                 const uint64_t *restrict x, size_t n,       \
                                 uint32_t *restrict out)                     \
    {                                                                        \
        enum { L = sizeof(VEC) / sizeof(uint32_t) };                         \
        unsigned vecs = (k + L - 1) / L, v = 0;                              \
        for (; v + NV <= vecs; v += NV) name##_group(a, b, v * L, x, n, out); \
        if (v + NV / 2 <= vecs) {                                            \
            name##_half(a, b, v * L, x, n, out);                             \
            v += NV / 2;                                                     \
        }                                                                    \
        for (; v < vecs; v++) name##_one(a, b, v * L, x, n, out);            \
    }

/* Registers: 16 XMM (baseline), 16 YMM (AVX2), 32 ZMM (AVX-512); each
 * vector of permutations needs three (a, b, minimum). */
DEFINE_KERNEL(kernel_baseline, u32x4, 4)
#if FW_X86_PATHS
DEFINE_KERNEL(kernel_avx2, u32x8, 4, TARGET("x86-64-v3"))
DEFINE_KERNEL(kernel_avx512, u32x16, 8, TARGET("x86-64-v4"))
#endif

typedef void (*kernel_fn)(const uint32_t *, const uint32_t *, unsigned,
                          const uint64_t *, size_t, uint32_t *);

static kernel_fn kernel_for(fw_simd simd)
{
#if FW_X86_PATHS
    if (simd == FW_SIMD_AVX512) return kernel_avx512;
    if (simd == FW_SIMD_AVX2) return kernel_avx2;
#endif
    (void)simd;
    return kernel_baseline;
}

/* ------------------------------------------------------------ minhasher */

fw_status fw_minhasher_new(unsigned k, uint64_t seed, fw_minhasher **out)
{
    *out = NULL;
    if (k < 1 || k > FW_MAX_PERMS) return FW_ERR_ARG;
    fw_minhasher *mh = calloc(1, sizeof *mh);
    if (!mh) return FW_ERR_NOMEM;
    mh->k = k;
    mh->simd = fw_simd_best();
    mh->a = aligned_alloc(64, FW_MAX_PERMS * sizeof *mh->a);
    mh->b = aligned_alloc(64, FW_MAX_PERMS * sizeof *mh->b);
    if (!mh->a || !mh->b) {
        fw_minhasher_free(mh);
        return FW_ERR_NOMEM;
    }
    memset(mh->a, 0, FW_MAX_PERMS * sizeof *mh->a);
    memset(mh->b, 0, FW_MAX_PERMS * sizeof *mh->b);
    uint64_t state = seed ^ 0x6D696E68617368ULL; /* "minhash" */
    for (unsigned i = 0; i < k; i++) {
        uint64_t r = fw_splitmix64(&state);
        mh->a[i] = (uint32_t)r | 1;
        mh->b[i] = (uint32_t)(r >> 32);
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

fw_status fw_minhasher_set_simd(fw_minhasher *mh, fw_simd simd)
{
    if (!fw_simd_supported(simd)) return FW_ERR_ARG;
    mh->simd = simd == FW_SIMD_AUTO ? fw_simd_best() : simd;
    return FW_OK;
}

fw_simd fw_minhasher_simd(const fw_minhasher *mh) { return mh->simd; }

void fw_minhash_compute(const fw_minhasher *mh, const uint64_t *shingles,
                        size_t n, uint32_t *sig)
{
    _Alignas(64) uint32_t out[FW_MAX_PERMS];
    kernel_for(mh->simd)(mh->a, mh->b, mh->k, shingles, n, out);
    memcpy(sig, out, mh->k * sizeof *sig);
}

double fw_minhash_estimate(const uint32_t *a, const uint32_t *b, unsigned k)
{
    unsigned same = 0;
    for (unsigned i = 0; i < k; i++) same += a[i] == b[i];
    return k ? (double)same / k : 0.0;
}
