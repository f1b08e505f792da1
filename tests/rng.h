/* rng.h — SplitMix64, the tests' deterministic random numbers. */
#ifndef FW_TEST_RNG_H
#define FW_TEST_RNG_H

#include <stdint.h>

static uint64_t rng_state = 42;

static inline uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

#endif
