/* simd_paths.h — the vector code paths of the byte scanners (internal; see
 * simd_paths.c): the JSON scanner (jsonl_scan.c) and the UTF-8 check
 * (utf8_check.c). */
#ifndef FW_SIMD_PATHS_H
#define FW_SIMD_PATHS_H

#include "fanwen.h"

/* On x86-64, gcc and clang alike compile the AVX2 and AVX-512 functions
 * (the fuzzers, built with clang, run them too); elsewhere only the
 * portable path exists. The features named are the ones the functions
 * use, all part of x86-64-v3 and x86-64-v4 respectively. */
#if defined(__x86_64__) && defined(__GNUC__)
#define FW_SCAN_X86 1
#define FW_TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt")))
#define FW_TARGET_AVX512 \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx2,bmi,bmi2,popcnt")))
#else
#define FW_SCAN_X86 0
#endif

/* The path the scanners run for `wanted`: FW_SIMD_AUTO gives the best this
 * CPU runs, a path it cannot run gives FW_SIMD_BASELINE. Cheap enough to
 * call per line (the CPU is asked once). */
fw_simd fw_scanner_simd(fw_simd wanted);

#endif
