/*
 * simd_paths.c — which vector code path the byte scanners run.
 *
 * fw_simd_supported() (minhash.c) answers for the MinHash kernels, which
 * gcc alone compiles for AVX2 and AVX-512. The scanners' kernels are
 * written with intrinsics that clang compiles as well, so that the
 * fuzzers (clang) reach them: they ask the CPU about the features they use
 * instead of the x86-64-v3/v4 levels clang 14 cannot name. Asked once;
 * the answer is kept in an atomic (the threads may all ask first).
 */
#include "simd_paths.h"

#include <stdatomic.h>

static fw_simd detect(void)
{
#if FW_SCAN_X86
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
               __builtin_cpu_supports("popcnt");
    if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        return FW_SIMD_AVX512;
    if (avx2) return FW_SIMD_AVX2;
#endif
    return FW_SIMD_BASELINE;
}

fw_simd fw_scanner_simd(fw_simd wanted)
{
    static atomic_int best = -1; /* not asked yet */
    int b = atomic_load_explicit(&best, memory_order_relaxed);
    if (b < 0) {
        b = (int)detect();
        atomic_store_explicit(&best, b, memory_order_relaxed);
    }
    if (wanted == FW_SIMD_AUTO) return (fw_simd)b;
    /* AVX-512 runs wherever the best is AVX-512; AVX2 wherever it is at
     * least AVX2 (the enum is in that order) */
    return wanted <= (fw_simd)b ? wanted : FW_SIMD_BASELINE;
}
