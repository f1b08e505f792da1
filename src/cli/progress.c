/*
 * progress.c — the progress line of `fanwen scan`, as pv and rsync show
 * it: while reading, the share of the input read and the time left; then
 * the stage the scan is in and how long it has run.
 *
 * The share is of input bytes on disk (compressed bytes for .zst and .gz),
 * the only size known before reading: the files given are walked as the
 * reader walks them (directories recursed, symlinks followed, a directory
 * inside itself counted once) and their sizes summed. Reading is most of a
 * scan's time on a large corpus, so its end is the estimate that matters;
 * the stages after it (passages, LSH, verification) show their names and
 * the time so far. On a terminal the line is rewritten in place five times
 * a second; written to a log (--progress without a terminal), a line a
 * second.
 */
#include "progress.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* Directories being walked, innermost first: a symlink back to one of them
 * is not walked again (the reader reports it as an error). */
typedef struct walked {
    dev_t dev;
    ino_t ino;
    const struct walked *up;
} walked;

/* Bytes of the regular files at path; -1 when something cannot be read
 * (the total is then unknown rather than wrong). */
static long long bytes_at(const char *path, const walked *up)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    if (S_ISREG(st.st_mode)) return (long long)st.st_size;
    if (!S_ISDIR(st.st_mode)) return 0;
    for (const walked *w = up; w; w = w->up)
        if (w->dev == st.st_dev && w->ino == st.st_ino) return 0;
    walked self = {st.st_dev, st.st_ino, up};
    DIR *dir = opendir(path);
    if (!dir) return -1;
    long long total = 0;
    struct dirent *e;
    char child[4096];
    while (total >= 0 && (e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child) {
            total = -1;
            break;
        }
        long long b = bytes_at(child, &self);
        total = b < 0 ? -1 : total + b;
    }
    closedir(dir);
    return total;
}

void cli_progress_count(cli_progress *p, const char *path)
{
    if (!p->show) return;
    long long b = bytes_at(path, NULL);
    if (b < 0 || p->total == UINT64_MAX) p->total = UINT64_MAX; /* unknown */
    else p->total += (uint64_t)b;
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
