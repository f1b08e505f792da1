/*
 * progress.c — the progress line of `fanwen scan`, as pv and rsync show
 * it: while reading, the share of the input read and the time left; then
 * the stage the scan is in and how long it has run.
 *
 * The share is of input bytes on disk (compressed bytes for .zst and .gz),
 * the only size known before reading (input_size.c). Reading is most of a
 * scan's time on a large corpus, so its end is the estimate that matters;
 * the stages after it (passages, LSH, verification) show their names and
 * the time so far. On a terminal the line is rewritten in place five times
 * a second; written to a log (--progress without a terminal), a line a
 * second.
 */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, int show, int terminal)
{
    memset(p, 0, sizeof *p);
    p->show = show;
    p->terminal = terminal;
    p->start = cli_now();
    p->last = -1e9;
}

/* h:mm:ss or m:ss */
static void clock_text(double seconds, char *buf, size_t size)
{
    unsigned long s = seconds > 0 ? (unsigned long)(seconds + 0.5) : 0;
    if (s >= 3600) snprintf(buf, size, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else snprintf(buf, size, "%lu:%02lu", s / 60, s % 60);
}

int cli_progress_update(void *ctx, const char *stage, uint64_t docs, uint64_t bytes)
{
    cli_progress *p = ctx;
    double t = cli_now();
    int new_stage = strncmp(p->stage, stage, sizeof p->stage) != 0;
    if (!p->show || (!new_stage && t - p->last < (p->terminal ? 0.2 : 1.0))) return 0;
    p->last = t;
    snprintf(p->stage, sizeof p->stage, "%s", stage);
    double el = t - p->start, mb = (double)bytes / 1e6;
    char line[256], when[32];
    int n;
    if (!strcmp(stage, "reading")) {
        n = snprintf(line, sizeof line, "fanwen: reading");
        fw_scan_stats st;
        uint64_t done = 0;
        if (p->scan) {
            fw_scan_get_stats(p->scan, &st);
            done = st.input_bytes;
        }
        int known = p->total && p->total != UINT64_MAX && done;
        if (known) {
            double share = (double)done / (double)p->total;
            if (share > 1) share = 1;
            n += snprintf(line + n, sizeof line - (size_t)n, " %3.0f%%", 100 * share);
        }
        n += snprintf(line + n, sizeof line - (size_t)n, ", %llu documents, %.1f MB, %.1f MB/s",
                      (unsigned long long)docs, mb, el > 0 ? mb / el : 0.0);
        if (known && el >= 1 && done < p->total) {
            clock_text(el * (double)(p->total - done) / (double)done, when, sizeof when);
            n += snprintf(line + n, sizeof line - (size_t)n, ", %s left", when);
        }
    } else {
        clock_text(el, when, sizeof when);
        n = snprintf(line, sizeof line, "fanwen: %s (%llu documents, %s so far)", stage,
                     (unsigned long long)docs, when);
    }
    (void)n;
    if (p->terminal) fprintf(stderr, "\r\033[K%s", line);
    else fprintf(stderr, "%s\n", line);
    fflush(stderr);
    return 0;
}

void cli_progress_end(cli_progress *p)
{
    if (p->show && p->terminal) fputs("\r\033[K", stderr);
}
