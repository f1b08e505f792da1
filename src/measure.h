/* measure.h — the clock and the memory gauge behind the stage figures of
 * summary.json (internal). */
#ifndef FW_MEASURE_H
#define FW_MEASURE_H

#include <sys/resource.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double fw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The process's peak resident memory so far, in MB (0 if unknown). */
static inline double fw_peak_rss_mb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024.0 : 0;
}

#endif
