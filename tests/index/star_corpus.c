/*
 * star_corpus.c — documents that all fall into one LSH bucket, for
 * test_index_star.sh: with one permutation, one band of one row (-k 1 -b 1
 * -r 1), a document's only key is its smallest permuted shingle hash, so
 * texts that start with one core C and whose other shingles all hash
 * higher share it. Built with the public API (normalize, shingle, MinHash
 * as the scan does them), searched at random until each text qualifies.
 *
 *   star_corpus DIR
 *
 * writes DIR/A.jsonl (x, y and 14 fillers: 16, all pairs; x ~ y),
 * DIR/B.jsonl (a0 ~ x, not ~ y, the smallest id: 17, a star around it that
 * no longer pairs x with y), DIR/C1.jsonl (z1, a copy of a0) and
 * DIR/C2.jsonl (A1, like y and x, an even smaller id: the star moves to it
 * and a0 ~ x is no longer a candidate). Threshold 0.5.
 */
#include "fanwen.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 1;

static uint64_t next(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static fw_normalizer *norm;
static fw_minhasher *mh;

/* n random CJK characters appended to s (room assumed). */
static void random_text(char *s, size_t n)
{
    s += strlen(s);
    for (size_t i = 0; i < n; i++) s += fw_utf8_encode(s, 0x4e00 + (uint32_t)(next() % 3000));
    *s = '\0';
}

/* The one MinHash value of a text (ngram 5, seed 0). */
static uint32_t key(const char *text)
{
    uint32_t *cps = NULL, sig;
    size_t cap = 0, len;
    fw_normalize(norm, text, strlen(text), &cps, &cap, &len, NULL);
    size_t n = fw_shingle_count(len, 5);
    uint64_t *h = malloc((n + 1) * sizeof *h), *tmp = malloc((n + 1) * sizeof *tmp);
    n = fw_shingle_hash(cps, len, 5, 0, h, tmp);
    fw_minhash_compute(mh, h, n, &sig);
    free(cps);
    free(h);
    free(tmp);
    return sig;
}

/* prefix + n random characters, tried until its key is `want`. */
static void extend(char *out, const char *prefix, size_t n, uint32_t want)
{
    for (int tries = 0; tries < 100000; tries++) {
        strcpy(out, prefix);
        random_text(out, n);
        if (key(out) == want) return;
    }
    fprintf(stderr, "star_corpus: no text found\n");
    exit(1);
}

static void line(FILE *f, const char *id, const char *text)
{
    fprintf(f, "{\"id\":\"%s\",\"text\":\"%s\"}\n", id, text);
}

int main(int argc, char **argv)
{
    if (argc != 2) return 1;
    if (fw_normalizer_new(&norm) != FW_OK || fw_minhasher_new(1, 0, &mh) != FW_OK) return 1;
    static char c[1024], x[4096], y[4096], t1[4096], t2[4096], a0[4096], a1[4096], tmp[8192];
    c[0] = '\0';
    random_text(c, 40);
    uint32_t k = key(c);
    /* x = C T1 T2, y = C T1 T3, a0 = C T2 T4, A1 = C T1 T3' */
    extend(t1, c, 40, k);                 /* C T1 */
    extend(x, t1, 40, k);                 /* C T1 T2 */
    strcpy(t2, x + strlen(t1));           /* T2 */
    extend(y, t1, 10, k);                 /* C T1 T3 */
    snprintf(tmp, sizeof tmp, "%s%s", c, t2);
    if (key(tmp) != k) {
        fprintf(stderr, "star_corpus: C T2 has another key, try another seed\n");
        return 1;
    }
    extend(a0, tmp, 10, k);               /* C T2 T4 */
    extend(a1, t1, 12, k);                /* C T1 T3' */
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/A.jsonl", argv[1]);
    if (!(f = fopen(path, "w"))) return 1;
    for (int i = 1; i <= 14; i++) {
        char id[16];
        snprintf(id, sizeof id, "f%02d", i);
        extend(tmp, c, 100, k);
        line(f, id, tmp);
    }
    line(f, "x", x);
    line(f, "y", y);
    fclose(f);
    snprintf(path, sizeof path, "%s/B.jsonl", argv[1]);
    if (!(f = fopen(path, "w"))) return 1;
    line(f, "a0", a0);
    fclose(f);
    snprintf(path, sizeof path, "%s/C1.jsonl", argv[1]);
    if (!(f = fopen(path, "w"))) return 1;
    line(f, "z1", a0);
    fclose(f);
    snprintf(path, sizeof path, "%s/C2.jsonl", argv[1]);
    if (!(f = fopen(path, "w"))) return 1;
    line(f, "A1", a1);
    fclose(f);
    fw_minhasher_free(mh);
    fw_normalizer_free(norm);
    return 0;
}
