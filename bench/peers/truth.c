/*
 * truth.c — fanwen-peers-truth: every pair of documents whose 5-gram
 * shingle sets have exact Jaccard ≥ a threshold, the truth that each
 * tool's recall is measured against.
 *
 *   fanwen-peers-truth DIR [THRESHOLD]      (default 0.8)
 *
 * Reads DIR/texts.txt (fanwen-peers-prepare's normalized texts, one a
 * line), makes each text's shingle set as fanwen does (5-grams of code
 * points, XXH3-64 with fanwen's default seed 0, sorted and distinct:
 * fw_shingle_hash), and writes DIR/truth.csv: `a,b,jaccard` for every pair
 * of line numbers a < b (0-based) at or above the threshold, sorted.
 *
 * No sketch and no LSH: each pair's intersection is counted by merging the
 * two sets. The only pairs not merged are those whose sizes alone rule
 * them out, since J(A, B) ≤ min(|A|, |B|) / max(|A|, |B|): the documents
 * are taken in order of set size and each is compared with the larger ones
 * up to |A| / THRESHOLD. That skips no pair that could qualify, and turns
 * hours of merging on laws (6 M pairs of 17 KB texts) into seconds. With
 * the same hashes and the same test (`jaccard >= threshold` on
 * fw_verify_jaccard) as fanwen's verification, a pair fanwen reports has
 * the same Jaccard here, to the last digit.
 */
#include "fanwen.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NGRAM 5

typedef struct shingle_set {
    uint64_t *hashes;
    size_t n;
} shingle_set;

typedef struct true_pair {
    uint32_t a, b;
    double jaccard;
} true_pair;

static void die(const char *what)
{
    fprintf(stderr, "fanwen-peers-truth: %s%s%s\n", what, errno ? ": " : "",
            errno ? strerror(errno) : "");
    exit(1);
}

static void *grow(void *p, size_t *cap, size_t want, size_t size)
{
    if (want <= *cap) return p;
    size_t cap2 = *cap ? *cap : 1024;
    while (cap2 < want) cap2 *= 2;
    if (!(p = realloc(p, cap2 * size))) die("out of memory");
    *cap = cap2;
    return p;
}

/* One line of texts.txt (without its newline) to its shingle set. */
static shingle_set set_of(const char *line, size_t len, uint32_t **cps, size_t *cps_cap)
{
    *cps = grow(*cps, cps_cap, len + 1, sizeof **cps);
    size_t chars = 0;
    for (size_t i = 0; i < len;) {
        int invalid;
        i += fw_utf8_decode((const unsigned char *)line + i, len - i, &(*cps)[chars++],
                            &invalid);
    }
    size_t n = fw_shingle_count(chars, NGRAM);
    shingle_set s = {malloc((n ? n : 1) * sizeof(uint64_t)), 0};
    uint64_t *scratch = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!s.hashes || !scratch) die("out of memory");
    s.n = fw_shingle_hash(*cps, chars, NGRAM, 0, s.hashes, scratch);
    free(scratch);
    return s;
}

static shingle_set *read_sets(const char *dir, size_t *count)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/texts.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) die(path);
    shingle_set *sets = NULL;
    size_t n = 0, cap = 0, cps_cap = 0, line_cap = 0;
    uint32_t *cps = NULL;
    char *line = NULL;
    ssize_t len;
    while ((len = getline(&line, &line_cap, f)) >= 0) {
        if (len && line[len - 1] == '\n') len--;
        sets = grow(sets, &cap, n + 1, sizeof *sets);
        sets[n++] = set_of(line, (size_t)len, &cps, &cps_cap);
    }
    if (ferror(f)) die(path);
    fclose(f);
    free(line);
    free(cps);
    *count = n;
    return sets;
}

static const shingle_set *sort_sets;
static int by_size(const void *x, const void *y)
{
    size_t a = sort_sets[*(const uint32_t *)x].n, b = sort_sets[*(const uint32_t *)y].n;
    if (a != b) return a < b ? -1 : 1;
    return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

static int by_pair(const void *x, const void *y)
{
    const true_pair *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: fanwen-peers-truth DIR [THRESHOLD]\n"
                        "writes DIR/truth.csv: a,b,jaccard for every pair at >= THRESHOLD\n");
        return 2;
    }
    const double threshold = argc == 3 ? atof(argv[2]) : 0.8;
    if (!(threshold > 0 && threshold <= 1)) die("THRESHOLD must be in (0, 1]");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t n;
    shingle_set *sets = read_sets(argv[1], &n);
    if (n > UINT32_MAX) die("too many documents");

    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) die("out of memory");
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
    sort_sets = sets;
    qsort(order, n, sizeof *order, by_size);

    true_pair *pairs = NULL;
    size_t npairs = 0, pairs_cap = 0;
    unsigned long long merged = 0;
    #pragma omp parallel for schedule(dynamic, 16) reduction(+ : merged)
    for (size_t x = 0; x < n; x++) {
        const shingle_set *a = &sets[order[x]];
        if (!a->n) continue;
        for (size_t y = x + 1; y < n; y++) {
            const shingle_set *b = &sets[order[y]];
            /* J ≤ |A|/|B|, and division rounds monotonically: a computed J
             * can reach the threshold only if this quotient does */
            if ((double)a->n / (double)b->n < threshold) break; /* and all larger */
            merged++;
            size_t inter = fw_verify_intersection(a->hashes, a->n, b->hashes, b->n);
            double j = fw_verify_jaccard(inter, a->n, b->n);
            if (j < threshold) continue;
            uint32_t p = order[x], q = order[y];
            true_pair tp = {p < q ? p : q, p < q ? q : p, j};
            #pragma omp critical
            {
                pairs = grow(pairs, &pairs_cap, npairs + 1, sizeof *pairs);
                pairs[npairs++] = tp;
            }
        }
    }
    qsort(pairs, npairs, sizeof *pairs, by_pair);

    char path[4096];
    snprintf(path, sizeof path, "%s/truth.csv", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f) die(path);
    fprintf(f, "a,b,jaccard\n");
    for (size_t i = 0; i < npairs; i++)
        fprintf(f, "%u,%u,%.6f\n", pairs[i].a, pairs[i].b, pairs[i].jaccard);
    if (fclose(f)) die(path);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    unsigned long long all = (unsigned long long)n * (n ? n - 1 : 0) / 2;
    fprintf(stderr, "fanwen-peers-truth: %zu documents, %llu pairs: %llu merged, %llu ruled "
            "out by size; %zu at Jaccard >= %g (%.1f s, %d threads)\n", n, all, merged,
            all - merged, npairs, threshold,
            (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9,
            omp_get_max_threads());
    for (size_t i = 0; i < n; i++) free(sets[i].hashes);
    free(sets);
    free(order);
    free(pairs);
    return 0;
}
