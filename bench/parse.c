/*
 * parse.c — fanwen-parse-bench: how fast JSON lines become documents, yajl
 * against the fast scanner on each code path, at one thread.
 *
 *   fanwen-parse-bench [--repeat N] [--cpu-time] [--only PARSER] FILE...
 *                                         (JSONL, compressed or not)
 *
 * All lines are read into memory first; then each parser goes over all of
 * them in turn, round after round (yajl, the scanner's paths, yajl...), so
 * that a busy moment of a shared machine falls on every parser alike. Each
 * pass calls what scan calls per line, fw_jsonl_parse_simd() (or
 * fw_jsonl_parse_yajl()) with a per-thread scratch, then fw_jsonl_done().
 * Per parser it prints the best and the median pass, in MB/s of line bytes
 * (what is parsed) and of text bytes (what summary.json's parse_json
 * figure divides by its time), and the lines the scanner left to yajl.
 * Times are wall-clock, as summary.json's; with --cpu-time, the thread's
 * CPU time, which a busy machine disturbs less. --only times one parser
 * (for a profiler). Before the timed rounds, the documents of every parser
 * are hashed (text, id, error, repairs) and must equal yajl's: exit 1 if
 * not.
 */
#include "fanwen.h"
#include "jsonl.h"
#include "jsonl_scan.h"
#include "read.h"
#include "simd_paths.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

typedef struct lines {
    char **line;
    size_t *len;
    size_t n, cap, bytes;
} lines;

static void die(const char *what)
{
    fprintf(stderr, "fanwen-parse-bench: %s%s%s\n", what, errno ? ": " : "",
            errno ? strerror(errno) : "");
    exit(1);
}

static clockid_t clock_used = CLOCK_MONOTONIC; /* --cpu-time: the thread's */

static double now(void)
{
    struct timespec ts;
    clock_gettime(clock_used, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static fw_status take(void *ctx, fw_input_doc *in)
{
    lines *l = ctx;
    if (in->text && in->jsonl) {
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 4096;
            l->line = realloc(l->line, l->cap * sizeof *l->line);
            l->len = realloc(l->len, l->cap * sizeof *l->len);
            if (!l->line || !l->len) die("out of memory");
        }
        char *c = malloc(in->len + 1);
        if (!c) die("out of memory");
        memcpy(c, in->text, in->len);
        c[in->len] = '\0';
        l->line[l->n] = c;
        l->len[l->n++] = in->len;
        l->bytes += in->len;
    }
    if (!in->borrowed) free(in->text);
    free(in->id);
    free(in->message);
    return FW_OK;
}

typedef struct parser {
    const char *name;
    int yajl;                /* 1: fw_jsonl_parse_yajl */
    fw_simd path;
    double *secs;
    size_t text_bytes;
    XXH64_hash_t digest;
} parser;

/* One pass over all lines; returns the seconds. With `check`, also hashes
 * the documents into p->digest (a pass not timed). */
static double pass(parser *p, const lines *l, fw_jsonl_scratch *sc, int check)
{
    XXH3_state_t *h = XXH3_createState();
    if (!h) die("out of memory");
    XXH3_64bits_reset(h);
    size_t text = 0;
    double t0 = now();
    for (size_t i = 0; i < l->n; i++) {
        fw_jsonl_doc d;
        fw_status st = p->yajl
            ? fw_jsonl_parse_yajl(l->line[i], l->len[i], "text", "id", sc, &d)
            : fw_jsonl_parse_simd(l->line[i], l->len[i], "text", "id", sc, p->path, &d);
        if (st != FW_OK) die("out of memory");
        text += d.len;
        if (check) {
            XXH3_64bits_update(h, d.text ? d.text : "", d.len);
            XXH3_64bits_update(h, d.id ? d.id : "", d.id ? strlen(d.id) + 1 : 0);
            XXH3_64bits_update(h, d.error, strlen(d.error) + 1);
            XXH3_64bits_update(h, &d.repaired, sizeof d.repaired);
        }
        fw_jsonl_done(&d);
    }
    double t = now() - t0;
    p->text_bytes = text;
    if (check) p->digest = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    return t;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"repeat", required_argument, 0, 'r'},
                                          {"only", required_argument, 0, 'o'},
                                          {"cpu-time", no_argument, 0, 'c'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    int repeat = 7, opt;
    const char *only = NULL; /* time one parser (for a profiler) */
    while ((opt = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        if (opt == 'r') repeat = atoi(optarg) > 0 ? atoi(optarg) : 1;
        else if (opt == 'o') only = optarg;
        else if (opt == 'c') clock_used = CLOCK_THREAD_CPUTIME_ID;
        else {
            fputs("usage: fanwen-parse-bench [--repeat N] [--only yajl|avx512|avx2|baseline] "
                  "[--cpu-time] FILE...\n", opt == 'h' ? stdout : stderr);
            return opt != 'h';
        }
    }
    int failed = 0;
    for (int f = optind; f < argc; f++) {
        lines l = {0};
        fw_read_options ro = {0};
        if (fw_read_path(argv[f], &ro, take, &l) != FW_OK) die(argv[f]);
        size_t to_yajl = 0;
        for (size_t i = 0; i < l.n; i++) {
            fw_json_value text, id;
            char *out = malloc(l.len[i] + 1);
            if (!out) die("out of memory");
            to_yajl += !fw_jsonl_scan(l.line[i], l.len[i], "text", "id", FW_SIMD_AUTO, out, &text,
                                      &id);
            free(out);
        }
        printf("%s: %zu lines, %.1f MB; the scanner leaves %zu lines to yajl\n", argv[f], l.n,
               l.bytes / 1e6, to_yajl);
        parser ps[4] = {{"yajl", 1, FW_SIMD_BASELINE, NULL, 0, 0}};
        int np = 1;
        const fw_simd paths[] = {FW_SIMD_AVX512, FW_SIMD_AVX2, FW_SIMD_BASELINE};
        for (int i = 0; i < 3; i++)
            if (fw_scanner_simd(paths[i]) == paths[i])
                ps[np++] = (parser){fw_simd_name(paths[i]), 0, paths[i], NULL, 0, 0};
        fw_jsonl_scratch sc = {0};
        for (int i = 0; i < np; i++)
            if (!(ps[i].secs = calloc((size_t)repeat, sizeof(double)))) die("out of memory");
        for (int i = 0; i < np; i++) pass(&ps[i], &l, &sc, 1);
        for (int r = 0; r < repeat; r++)
            for (int i = 0; i < np; i++)
                if (!only || !strcmp(only, ps[i].name)) ps[i].secs[r] = pass(&ps[i], &l, &sc, 0);
        printf("  %-9s %9s %9s %12s %12s %12s %12s\n", "parser", "best s", "median s",
               "line MB/s", "(median)", "text MB/s", "(median)");
        for (int i = 0; i < np; i++) {
            parser *p = &ps[i];
            failed |= p->digest != ps[0].digest;
            if (only && strcmp(only, p->name)) {
                free(p->secs);
                continue;
            }
            qsort(p->secs, (size_t)repeat, sizeof(double), by_value);
            double best = p->secs[0], med = p->secs[repeat / 2];
            printf("  %-9s %9.4f %9.4f %12.0f %12.0f %12.0f %12.0f%s\n", p->name, best, med,
                   l.bytes / 1e6 / best, l.bytes / 1e6 / med, p->text_bytes / 1e6 / best,
                   p->text_bytes / 1e6 / med,
                   p->digest == ps[0].digest ? "" : "  DIFFERENT DOCUMENTS FROM YAJL");
            free(p->secs);
        }
        fw_jsonl_scratch_free(&sc);
        for (size_t i = 0; i < l.n; i++) free(l.line[i]);
        free(l.line);
        free(l.len);
    }
    return failed;
}
