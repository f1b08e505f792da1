/*
 * memory_budget.c — a default --memory-limit: a scan that would not fit in
 * this machine's (or its cgroup's) memory spills to --tmp-dir by itself
 * instead of being killed by the kernel, with the same reports.
 *
 * The decision is made before reading, from the inputs' sizes on disk, as
 * the scan's memory cannot be bounded after it has started keeping things:
 * the text is estimated from the bytes on disk (× 5 for .zst and .gz,
 * whose ratio on Chinese text is 3 to 7), and the memory from the text, by
 * what scans measured (bench/README.md "Memory of a whole scan", "Growth"):
 * peak RSS above 200 MB at most 4.1 times the text with passages (poetry's
 * 400,000 short poems; 3.8 on 1.1 GB of generated reports), 4.1 documents
 * only (poetry; 2.7 on 4 GB generated); shorter documents cost more a
 * byte (a record each), so 8 times both, plus 200 MB. A scan is bounded
 * when that is more than 80% of what is available, and then to 60% of it
 * (what the bounded scan keeps outside its budget, about 270 bytes a
 * document, needs the rest). Spilling costs about twice the time, being
 * killed the whole run: the estimate errs towards spilling.
 */
#include "memory_budget.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_BYTES (200ull << 20)
#define MIN_LIMIT (64ull << 20) /* the smallest --memory-limit accepted */

/* The first number in a file, or 0 (also for "max": no limit). */
static uint64_t read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    unsigned long long v = 0;
    int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    return ok ? (uint64_t)v : 0;
}

/* MemAvailable of /proc/meminfo, in bytes. */
static uint64_t meminfo_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return 0;
    char line[256];
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
    fclose(f);
    return (uint64_t)kb << 10;
}

/* What the cgroup this process is in has left (v2, then v1); 0: no limit
 * found. Limits past the machine's memory ("max", or v1's 2^63) are none. */
static uint64_t cgroup_left(void)
{
    static const char *const pairs[][2] = {
        {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
        {"/sys/fs/cgroup/memory/memory.limit_in_bytes",
         "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        uint64_t limit = read_number(pairs[i][0]);
        if (!limit || limit >= (1ull << 60)) continue;
        uint64_t used = read_number(pairs[i][1]);
        return limit > used ? limit - used : 1;
    }
    return 0;
}

uint64_t cli_memory_available(void)
{
    const char *env = getenv("FANWEN_MEMORY_AVAILABLE");
    uint64_t given;
    if (env && *env) return cli_parse_size(env, &given) ? given : 0;
    uint64_t avail = meminfo_available(), left = cgroup_left();
    if (left && (!avail || left < avail)) avail = left;
    return avail;
}

uint64_t cli_memory_needed(uint64_t input_bytes, double text_per_input_byte, int passages)
{
    double text = (double)input_bytes * text_per_input_byte;
    (void)passages; /* the same bound for both levels now (see above) */
    return BASE_BYTES + (uint64_t)(text * 8.0);
}

uint64_t cli_memory_budget(uint64_t needed, uint64_t available)
{
    if (!available || needed <= available / 5 * 4) return 0;
    uint64_t limit = available / 5 * 3;
    return limit < MIN_LIMIT ? MIN_LIMIT : limit;
}
