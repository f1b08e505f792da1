/*
 * index_latency.c — how long one new document takes to check against a
 * persistent index, as a service that keeps the index open would see it:
 * the index opened once, then for each document a batch of one, queried,
 * and freed (no reports written). Public API only.
 *
 *   fanwen-index-latency INDEX TEXTS [N]
 *
 * TEXTS holds documents separated by NUL bytes (the first N of them are
 * queried, default 1000). Prints the open time, p50, p90, p99 and max
 * latency, and how many queries found a pair.
 */
#include "fanwen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: fanwen-index-latency INDEX TEXTS [N]\n", stderr);
        return 1;
    }
    size_t want = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000;
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *all = malloc((size_t)size + 1);
    if (!all || fread(all, 1, (size_t)size, f) != (size_t)size) {
        perror(argv[2]);
        return 1;
    }
    all[size] = '\0';
    fclose(f);

    double t0 = now();
    char why[1024];
    fw_index *ix;
    if (fw_index_open(argv[1], 0, &ix, why, sizeof why) != FW_OK) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    double t_open = now() - t0;
    fw_scan_options o;
    fw_index_scan_options(ix, &o);
    o.threads = 1;
    double *lat = malloc(want * sizeof *lat);
    size_t n = 0, matched = 0;
    for (char *p = all; n < want && p < all + size; p += strlen(p) + 1) {
        char id[32];
        snprintf(id, sizeof id, "query-%zu", n);
        double q0 = now();
        fw_scan *batch;
        fw_index_result *r;
        if (fw_index_batch_new(ix, &o, &batch) != FW_OK ||
            fw_scan_add_text(batch, id, p, strlen(p)) != FW_OK ||
            fw_index_query(ix, batch, &r) != FW_OK) {
            fprintf(stderr, "query %zu: %s\n", n, fw_index_error(ix));
            return 1;
        }
        matched += fw_index_result_pair_count(r) > 0;
        fw_index_result_free(r);
        fw_scan_free(batch);
        lat[n++] = now() - q0;
    }
    qsort(lat, n, sizeof *lat, cmp_double);
    if (!n) return 1;
    printf("open %.1f ms; %zu queries: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; "
           "%zu with a pair\n", t_open * 1e3, n, lat[n / 2] * 1e3, lat[n * 9 / 10] * 1e3,
           lat[n * 99 / 100] * 1e3, lat[n - 1] * 1e3, matched);
    fw_index_close(ix);
    free(lat);
    free(all);
    return 0;
}
