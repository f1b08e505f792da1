/* memory_budget.h — whether a scan fits in memory, and the limit to scan
 * with when it does not (see memory_budget.c). */
#ifndef FW_CLI_MEMORY_BUDGET_H
#define FW_CLI_MEMORY_BUDGET_H

#include <stdint.h>

/* Bytes this process may still use: the smaller of MemAvailable and what
 * its cgroup (v2 or v1) has left; the environment variable
 * FANWEN_MEMORY_AVAILABLE (a size such as 512M) replaces the reading, for
 * tests. 0 when nothing can be read. */
uint64_t cli_memory_available(void);

/* The memory a scan of `input_bytes` on disk is expected to take (a
 * compressed input counted at its text size, passages or not). */
uint64_t cli_memory_needed(uint64_t input_bytes, double text_per_input_byte, int passages);

/* The --memory-limit to scan with when `needed` does not fit in
 * `available` (0: it fits, no limit). */
uint64_t cli_memory_budget(uint64_t needed, uint64_t available);

#endif
