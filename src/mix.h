/* mix.h — SplitMix64 (Steele, Lea & Flood 2014), the project's one source
 * of seeded pseudo-random 64-bit values: permutation parameters, OPH's
 * remix and probes, bench's generated corpus (internal). */
#ifndef FW_MIX_H
#define FW_MIX_H

#include <stdint.h>

/* The SplitMix64 finalizer: a bijective mix of all 64 bits. */
static inline uint64_t fw_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The next value of the SplitMix64 stream at *state. */
static inline uint64_t fw_splitmix64(uint64_t *state)
{
    return fw_mix64(*state += 0x9E3779B97F4A7C15ULL);
}

#endif
