/* generate.h — a synthetic corpus for benchmarks, deterministic from a seed. */
#ifndef FW_BENCH_GENERATE_H
#define FW_BENCH_GENERATE_H

#include <stdint.h>
#include <stdio.h>

/* Writes JSONL lines {"id": "gen-NNNNNNN", "text": "..."} to `out` until
 * about `target_bytes` bytes of text are written. Returns documents made. */
size_t fw_bench_generate(FILE *out, uint64_t seed, size_t target_bytes);

#endif
