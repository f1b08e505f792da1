/*
 * bench.c — fanwen-bench: every stage's speed, against the hardware's limit.
 *
 * For each corpus and thread count it measures two things:
 *
 *  1. The kernels, on texts already in memory (best of --repeat runs):
 *       floor      UTF-8 decode + XXH3 of every n-gram, nothing else: the
 *                  least any shingle-based tool must do, the "hash floor"
 *       normalize  fw_normalize (NFKC, case fold, filter)
 *       shingle    fw_shingle_hash_all on normalized text
 *       minhash    fw_minhash_compute on the shingle hashes, per code path
 *       oph        one-permutation hashing with optimal densification
 *       sketch     normalize + shingle + minhash per document, as scan does
 *     Each row gives MB/s of UTF-8 text and its ratio to the floor measured
 *     in the same run at the same thread count.
 *
 *  2. The whole `fanwen scan`, run as a child process per thread count (so
 *     that its peak RSS is its own): read/decompress, JSON parse, the sketch
 *     stages, LSH, verification, clustering, CSV, and the total wall time.
 *
 * Output: CSV rows on stdout (or --csv FILE), progress on stderr.
 * --check RATIO is the CI guard: on a generated corpus, fails if MinHash
 * runs below RATIO × the hash floor, or if the code paths' signatures differ;
 * and if the passage level's break search or aligner runs below a fixed
 * fraction of the floor (guards.c).
 */
#include "fanwen.h"
#include "jsonl.h"
#include "read.h"
#include "shingle.h"

#include "generate.h"
#include "guards.h"
#include "simd_paths.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#include <yajl/yajl_tree.h>

#define NGRAM 5
#define PERMS 128

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "fanwen-bench: %s%s%s\n", what, errno ? ": " : "",
            errno ? strerror(errno) : "");
    exit(1);
}

/* ---------------------------------------------------------------- corpus */

typedef struct corpus {
    const char *name;
    const char *path;
    size_t n, cap;
    char **text;
    size_t *len;
    size_t bytes;            /* UTF-8 text bytes, what MB/s counts */
    size_t skipped;          /* documents that are not ok text */
    /* prepared once, outside the timings */
    uint32_t **cps;
    size_t *chars;
    uint64_t **hashes;
    size_t *nhashes, total_hashes, total_ngrams_raw;
} corpus;

static fw_status take(void *ctx, fw_input_doc *in)
{
    corpus *c = ctx;
    char *text = NULL;
    size_t len = 0;
    if (in->text && in->status == FW_DOC_OK) {
        if (in->jsonl) {
            fw_jsonl_doc j = {0};
            if (fw_jsonl_parse(in->text, in->len, "text", "id", NULL, &j) == FW_OK && j.text) {
                text = malloc(j.len + 1);
                if (!text) die("out of memory");
                memcpy(text, j.text, j.len);
                len = j.len;
            }
            fw_jsonl_done(&j);
            if (!in->borrowed) free(in->text);
        } else if (in->borrowed) {
            if (!(text = malloc(in->len + 1))) die("out of memory");
            memcpy(text, in->text, in->len);
            len = in->len;
        } else {
            text = in->text;
            len = in->len;
        }
    } else if (!in->borrowed) {
        free(in->text);
    }
    free(in->id);
    free(in->message);
    if (!text) {
        c->skipped++;
        return FW_OK;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096;
        c->text = realloc(c->text, c->cap * sizeof *c->text);
        c->len = realloc(c->len, c->cap * sizeof *c->len);
        if (!c->text || !c->len) die("out of memory");
    }
    c->text[c->n] = text;
    c->len[c->n] = len;
    c->bytes += len;
    c->n++;
    return FW_OK;
}

/* Normalized code points and shingle hashes of every document, made once so
 * that each kernel can be timed on its own input. */
static void prepare(corpus *c, const fw_normalizer *nz)
{
    c->cps = calloc(c->n, sizeof *c->cps);
    c->chars = calloc(c->n, sizeof *c->chars);
    c->hashes = calloc(c->n, sizeof *c->hashes);
    c->nhashes = calloc(c->n, sizeof *c->nhashes);
    if (!c->cps || !c->chars || !c->hashes || !c->nhashes) die("out of memory");
    size_t total = 0;
    #pragma omp parallel for schedule(dynamic, 64) reduction(+ : total)
    for (size_t i = 0; i < c->n; i++) {
        size_t cap = 0;
        fw_normalize(nz, c->text[i], c->len[i], &c->cps[i], &cap, &c->chars[i], NULL);
        size_t n = fw_shingle_count(c->chars[i], NGRAM);
        c->hashes[i] = malloc((n ? n : 1) * sizeof **c->hashes);
        unsigned char *packed = malloc(fw_shingle_packed_size(c->chars[i]));
        if (!c->hashes[i] || !packed) die("out of memory");
        c->nhashes[i] = fw_shingle_hash_all(c->cps[i], c->chars[i], NGRAM, 0,
                                            c->hashes[i], packed);
        free(packed);
        total += c->nhashes[i];
    }
    c->total_hashes = total;
}

static void load(corpus *c, const fw_normalizer *nz)
{
    double t0 = now();
    fw_read_options ro = {NULL};
    uint64_t stored = 0;
    ro.stored_bytes = &stored;
    if (fw_read_path(c->path, &ro, take, c) != FW_OK) die("cannot read corpus");
    prepare(c, nz);
    fprintf(stderr, "fanwen-bench: %s: %zu documents, %.1f MB of text, %zu shingles "
            "(%zu skipped), loaded in %.1f s\n", c->name, c->n, c->bytes / 1e6,
            c->total_hashes, c->skipped, now() - t0);
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->text[i]);
        if (c->cps) free(c->cps[i]);
        if (c->hashes) free(c->hashes[i]);
    }
    free(c->text); free(c->len); free(c->cps); free(c->chars);
    free(c->hashes); free(c->nhashes);
}

/* --------------------------------------------------------------- kernels */

/* UTF-8 to code points without normalization, what any tool must decode;
 * the same fast path for ASCII and 3-byte sequences as fw_normalize. */
static size_t decode(const char *text, size_t len, uint32_t *out)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned char c0 = u[i];
        if (c0 < 0x80) {
            out[n++] = c0;
            i++;
            continue;
        }
        if ((c0 & 0xF0) == 0xE0 && i + 2 < len && (u[i + 1] & 0xC0) == 0x80 &&
            (u[i + 2] & 0xC0) == 0x80) {
            uint32_t cp = (uint32_t)(c0 & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 |
                          (u[i + 2] & 0x3F);
            if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
                out[n++] = cp;
                i += 3;
                continue;
            }
        }
        int bad;
        i += fw_utf8_decode(u + i, len - i, &out[n++], &bad);
    }
    return n;
}

typedef enum kernel {
    K_FLOOR, K_NORMALIZE, K_SHINGLE, K_MINHASH, K_OPH, K_SKETCH
} kernel;

typedef struct scratch {
    uint32_t *cps;
    size_t cps_cap;
    uint64_t *hashes;
    size_t hash_cap;
    unsigned char *packed;
    size_t packed_cap;
    uint32_t sig[1024];
    uint64_t sink;
    char pad[64];
} scratch;

static void *grow(void *p, size_t *cap, size_t want)
{
    if (want <= *cap) return p;
    *cap = want + want / 2;
    free(p);
    p = malloc(*cap);
    if (!p) die("out of memory");
    return p;
}

typedef struct kernel_env {
    const corpus *c;
    const fw_normalizer *nz;
    const fw_minhasher *mh;
    const fw_oph *oph;
} kernel_env;

static void run_one(const kernel_env *e, kernel k, size_t i, scratch *s)
{
    const corpus *c = e->c;
    switch (k) {
    case K_FLOOR: {
        size_t len = c->len[i];
        s->cps = grow(s->cps, &s->cps_cap, (len + 1) * sizeof *s->cps);
        size_t chars = decode(c->text[i], len, s->cps);
        size_t n = fw_shingle_count(chars, NGRAM);
        s->hashes = grow(s->hashes, &s->hash_cap, (n + 1) * sizeof *s->hashes);
        s->packed = grow(s->packed, &s->packed_cap, fw_shingle_packed_size(chars));
        fw_shingle_pack(s->cps, chars, s->packed);
        n = fw_shingle_hash_packed(s->packed, chars, NGRAM, 0, s->hashes);
        if (n) s->sink += s->hashes[n - 1];
        break;
    }
    case K_NORMALIZE: {
        size_t chars;
        fw_normalize(e->nz, c->text[i], c->len[i], &s->cps, &s->cps_cap, &chars, NULL);
        s->sink += chars;
        break;
    }
    case K_SHINGLE: {
        size_t n = fw_shingle_count(c->chars[i], NGRAM);
        s->hashes = grow(s->hashes, &s->hash_cap, (n + 1) * sizeof *s->hashes);
        s->packed = grow(s->packed, &s->packed_cap, fw_shingle_packed_size(c->chars[i]));
        n = fw_shingle_hash_all(c->cps[i], c->chars[i], NGRAM, 0, s->hashes, s->packed);
        if (n) s->sink += s->hashes[n - 1];
        break;
    }
    case K_MINHASH:
        fw_minhash_compute(e->mh, c->hashes[i], c->nhashes[i], s->sig);
        s->sink += s->sig[0];
        break;
    case K_OPH:
        fw_oph_compute(e->oph, c->hashes[i], c->nhashes[i], s->sig);
        s->sink += s->sig[0];
        break;
    case K_SKETCH: {
        size_t chars;
        fw_normalize(e->nz, c->text[i], c->len[i], &s->cps, &s->cps_cap, &chars, NULL);
        size_t n = fw_shingle_count(chars, NGRAM);
        s->hashes = grow(s->hashes, &s->hash_cap, (n + 1) * sizeof *s->hashes);
        s->packed = grow(s->packed, &s->packed_cap, fw_shingle_packed_size(chars));
        n = fw_shingle_hash_all(s->cps, chars, NGRAM, 0, s->hashes, s->packed);
        fw_minhash_compute(e->mh, s->hashes, n, s->sig);
        s->sink += s->sig[0];
        break;
    }
    }
}

/* Best wall time of `repeat` runs of a kernel over the corpus. */
static double time_kernel(const kernel_env *e, kernel k, int threads, int repeat)
{
    /* aligned_alloc takes a multiple of the alignment */
    size_t bytes = (sizeof(scratch) * (size_t)threads + 63) & ~(size_t)63;
    scratch *s = aligned_alloc(64, bytes);
    if (!s) die("out of memory");
    memset(s, 0, bytes);
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        #pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
        for (size_t i = 0; i < e->c->n; i++) run_one(e, k, i, &s[omp_get_thread_num()]);
        double t = now() - t0;
        if (t < best) best = t;
    }
    uint64_t sink = 0;
    for (int t = 0; t < threads; t++) {
        sink += s[t].sink;
        free(s[t].cps); free(s[t].hashes); free(s[t].packed);
    }
    free(s);
    if (sink == 42) fputc(' ', stderr); /* keep the work observable */
    return best;
}

/* XXH3 of all signatures of the corpus under one code path. */
static uint64_t signature_digest(const corpus *c, const fw_minhasher *mh)
{
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    uint32_t sig[PERMS];
    for (size_t i = 0; i < c->n; i++) {
        fw_minhash_compute(mh, c->hashes[i], c->nhashes[i], sig);
        XXH3_64bits_update(st, sig, sizeof sig);
    }
    uint64_t d = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return d;
}

/* -------------------------------------------------------------- accuracy */

/* Estimation error of MinHash and OPH against exact Jaccard on the same
 * pairs: the LSH candidates of a 0.5 threshold (from the MinHash
 * signatures), every one measured exactly. One row per sketch. */
static FILE *accuracy_out;

static void accuracy(const corpus *c, const fw_minhasher *mh, const fw_oph *oph)
{
    size_t n = c->n;
    uint32_t *sig_mh = malloc(n * PERMS * sizeof *sig_mh);
    uint32_t *sig_oph = malloc(n * PERMS * sizeof *sig_oph);
    const uint32_t **sigs = malloc(n * sizeof *sigs);
    uint64_t **sets = malloc(n * sizeof *sets);
    size_t *nset = malloc(n * sizeof *nset);
    if (!sig_mh || !sig_oph || !sigs || !sets || !nset) die("out of memory");
    #pragma omp parallel for schedule(dynamic, 64)
    for (size_t i = 0; i < n; i++) {
        fw_minhash_compute(mh, c->hashes[i], c->nhashes[i], sig_mh + i * PERMS);
        fw_oph_compute(oph, c->hashes[i], c->nhashes[i], sig_oph + i * PERMS);
        size_t m = c->nhashes[i];
        sets[i] = malloc((m ? m : 1) * sizeof **sets);
        uint64_t *tmp = malloc((m ? m : 1) * sizeof *tmp);
        if (!sets[i] || !tmp) die("out of memory");
        memcpy(sets[i], c->hashes[i], m * sizeof *tmp);
        nset[i] = fw_shingle_set(sets[i], m, tmp);
        free(tmp);
    }
    for (size_t i = 0; i < n; i++) sigs[i] = c->nhashes[i] ? sig_mh + i * PERMS : NULL;
    unsigned bands, rows;
    fw_lsh_choose(0.5, PERMS, &bands, &rows);
    fw_pair *pairs;
    size_t np;
    if (fw_lsh_candidates(sigs, n, PERMS, bands, rows, 2, &pairs, &np) != FW_OK)
        die("lsh");
    double sum[2] = {0}, sum2[2] = {0}, worst[2] = {0};
    size_t used = 0;
    for (size_t p = 0; p < np; p++) {
        size_t a = pairs[p].a, b = pairs[p].b;
        size_t inter = fw_verify_intersection(sets[a], nset[a], sets[b], nset[b]);
        double j = fw_verify_jaccard(inter, nset[a], nset[b]);
        if (j < 0.3) continue; /* candidates far below: not what users look at */
        used++;
        double e[2] = {fw_minhash_estimate(sig_mh + a * PERMS, sig_mh + b * PERMS, PERMS) - j,
                       fw_minhash_estimate(sig_oph + a * PERMS, sig_oph + b * PERMS, PERMS) - j};
        for (int k = 0; k < 2; k++) {
            sum[k] += e[k];
            sum2[k] += e[k] * e[k];
            if (fabs(e[k]) > worst[k]) worst[k] = fabs(e[k]);
        }
    }
    static const char *names[] = {"minhash", "oph"};
    for (int k = 0; k < 2; k++) {
        double bias = used ? sum[k] / used : 0, rmse = used ? sqrt(sum2[k] / used) : 0;
        fprintf(accuracy_out, "%s,%s,%d,%zu,%.5f,%.5f,%.4f\n", c->name, names[k], PERMS, used,
                bias, rmse, worst[k]);
        fprintf(stderr, "  accuracy %-8s on %zu pairs with J >= 0.3: bias %+.5f, RMSE %.5f "
                "(binomial at J=0.5: %.5f), worst %.4f\n", names[k], used, bias, rmse,
                sqrt(0.25 / PERMS), worst[k]);
    }
    fflush(accuracy_out);
    for (size_t i = 0; i < n; i++) free(sets[i]);
    free(pairs); free(sets); free(nset); free(sigs); free(sig_mh); free(sig_oph);
}

/* ------------------------------------------------------------------- rows */

static FILE *out;

static void header(void)
{
    fputs("corpus,part,stage,threads,seconds,text_mb,mb_per_s,docs_per_s,"
          "shingles_per_s,ratio_to_floor,peak_rss_mb\n", out);
}

static void row(const corpus *c, const char *part, const char *stage, int threads,
                double seconds, size_t docs, size_t shingles, double floor_mbps,
                double rss_mb)
{
    double mbps = seconds > 0 ? c->bytes / 1e6 / seconds : 0;
    fprintf(out, "%s,%s,%s,%d,%.4f,%.2f,%.1f,%.0f,%.0f,", c->name, part, stage, threads,
            seconds, c->bytes / 1e6, mbps, seconds > 0 ? docs / seconds : 0,
            seconds > 0 ? shingles / seconds : 0);
    if (floor_mbps > 0) fprintf(out, "%.3f", mbps / floor_mbps);
    fputc(',', out);
    if (rss_mb > 0) fprintf(out, "%.0f", rss_mb);
    fputc('\n', out);
    fflush(out);
    fprintf(stderr, "  %-10s %-18s T=%d %8.3f s %9.1f MB/s  x%.3f of floor\n", part, stage,
            threads, seconds, mbps, floor_mbps > 0 ? mbps / floor_mbps : 0);
}

static const fw_simd PATHS[] = {FW_SIMD_AVX512, FW_SIMD_AVX2, FW_SIMD_BASELINE};

static double bench_kernels(const corpus *c, int threads, int repeat,
                            const fw_normalizer *nz, fw_minhasher *mh, const fw_oph *oph)
{
    kernel_env e = {c, nz, mh, oph};
    double floor_s = time_kernel(&e, K_FLOOR, threads, repeat);
    double floor_mbps = c->bytes / 1e6 / floor_s;
    size_t nd = c->n, ns = c->total_hashes;
    row(c, "kernel", "floor", threads, floor_s, nd, ns, floor_mbps, 0);
    row(c, "kernel", "normalize", threads, time_kernel(&e, K_NORMALIZE, threads, repeat),
        nd, ns, floor_mbps, 0);
    row(c, "kernel", "shingle", threads, time_kernel(&e, K_SHINGLE, threads, repeat), nd,
        ns, floor_mbps, 0);
    fw_minhasher_set_simd(mh, FW_SIMD_AUTO);
    row(c, "kernel", "minhash", threads, time_kernel(&e, K_MINHASH, threads, repeat), nd,
        ns, floor_mbps, 0);
    for (size_t p = 0; p < sizeof PATHS / sizeof *PATHS; p++) {
        if (fw_minhasher_set_simd(mh, PATHS[p]) != FW_OK) continue;
        char name[32];
        snprintf(name, sizeof name, "minhash-%s", fw_simd_name(PATHS[p]));
        row(c, "kernel", name, threads, time_kernel(&e, K_MINHASH, threads, repeat), nd,
            ns, floor_mbps, 0);
    }
    fw_minhasher_set_simd(mh, FW_SIMD_AUTO);
    row(c, "kernel", "oph", threads, time_kernel(&e, K_OPH, threads, repeat), nd, ns,
        floor_mbps, 0);
    row(c, "kernel", "sketch", threads, time_kernel(&e, K_SKETCH, threads, repeat), nd, ns,
        floor_mbps, 0);
    return floor_mbps;
}

/* Checks that every code path gives the same signatures; prints them. */
static int same_signatures(const corpus *c, fw_minhasher *mh)
{
    uint64_t first = 0;
    int same = 1, have = 0;
    for (size_t p = 0; p < sizeof PATHS / sizeof *PATHS; p++) {
        if (fw_minhasher_set_simd(mh, PATHS[p]) != FW_OK) {
            fprintf(stderr, "  signatures %-8s not supported by this CPU\n",
                    fw_simd_name(PATHS[p]));
            continue;
        }
        uint64_t d = signature_digest(c, mh);
        fprintf(stderr, "  signatures %-8s digest %016llx\n", fw_simd_name(PATHS[p]),
                (unsigned long long)d);
        if (have && d != first) same = 0;
        first = d;
        have = 1;
    }
    fw_minhasher_set_simd(mh, FW_SIMD_AUTO);
    return same;
}

/* ------------------------------------------------------------ whole scan */

/* The CLI, run as a user runs it: a child process per scan (so that its
 * peak RSS is its own, and because an OpenMP process must not fork and go
 * on), timed from outside; the stage times come from its summary.json. */
static const char *fanwen_cli = FANWEN_CLI;

static double number_at(yajl_val root, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_number);
    return v ? YAJL_GET_DOUBLE(v) : 0;
}

static double stage_time(yajl_val sum, const char *stage, const char *field)
{
    const char *path[] = {"stages", stage, field, NULL};
    yajl_val v = yajl_tree_get(sum, path, yajl_t_number);
    return v ? YAJL_GET_DOUBLE(v) : 0;
}

static yajl_val load_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char err[128];
    return yajl_tree_parse(text, err, sizeof err);
}

/* What one `fanwen scan` run measured. */
typedef struct scan_run {
    int ok, threads;
    int passages;            /* 0: run with --no-passages */
    double wall, rss_mb, read, per_doc[5], walls[6], rss[6];
    double docs, shingles, candidates, pairs, clusters;
} scan_run;

static const char *PER_DOC[] = {"parse_json", "normalize", "shingle", "minhash", "passage_cut"};
static const char *WALLS[] = {"sketch", "passages", "lsh", "verify", "cluster", "report"};
#define NPER_DOC (int)(sizeof PER_DOC / sizeof *PER_DOC)
#define NWALLS (int)(sizeof WALLS / sizeof *WALLS)

static scan_run run_scan(const char *path, int threads, int passages)
{
    scan_run r = {0};
    r.threads = threads;
    r.passages = passages;
    char dir[] = "/tmp/fanwen-bench-XXXXXX";
    if (!mkdtemp(dir)) die("mkdtemp");
    char targ[16];
    snprintf(targ, sizeof targ, "%d", threads);
    fflush(NULL);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        char *args[] = {"fanwen", "scan", "--quiet", "--threads", targ, "--out", dir,
                        (char *)path, "--no-passages", NULL};
        if (passages) args[8] = NULL;
        execv(fanwen_cli, args);
        _exit(127);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    r.wall = now() - t0;
    r.rss_mb = ru.ru_maxrss / 1024.0;
    char file[256];
    snprintf(file, sizeof file, "%s/summary.json", dir);
    yajl_val sum = load_json(file);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "fanwen-bench: could not remove %s\n", dir);
    if (!sum || !WIFEXITED(status) || WEXITSTATUS(status) == 1) {
        fprintf(stderr, "fanwen-bench: %s scan %s failed (status %d)\n", fanwen_cli, path,
                status);
        yajl_tree_free(sum);
        return r;
    }
    r.ok = 1;
    r.docs = number_at(sum, "documents", "total");
    r.shingles = number_at(sum, "results", "shingles");
    r.candidates = number_at(sum, "results", "candidate_pairs");
    r.pairs = number_at(sum, "results", "verified_pairs");
    r.clusters = number_at(sum, "results", "clusters");
    r.read = stage_time(sum, "read", "seconds");
    for (int i = 0; i < NPER_DOC; i++)
        r.per_doc[i] = stage_time(sum, PER_DOC[i], "thread_seconds");
    for (int i = 0; i < NWALLS; i++) {
        r.walls[i] = stage_time(sum, WALLS[i], "seconds");
        r.rss[i] = stage_time(sum, WALLS[i], "peak_rss_mb");
    }
    yajl_tree_free(sum);
    fprintf(stderr, "fanwen-bench: scan %s at %d thread%s%s: %.2f s, peak RSS %.0f MB\n", path,
            threads, threads > 1 ? "s" : "", passages ? "" : ", --no-passages", r.wall,
            r.rss_mb);
    return r;
}

static void scan_rows(const corpus *c, const scan_run *r, double floor_mbps)
{
    if (!r->ok) return;
    size_t nd = (size_t)r->docs, ns = (size_t)r->shingles;
    int t = r->threads;
    /* "scan" is the default run; "scan-docs" the same with --no-passages */
    const char *part = r->passages ? "scan" : "scan-docs";
    row(c, part, "read", t, r->read, nd, ns, floor_mbps, 0);
    /* per-document stages are thread time: divided by the threads, their
     * share of the wall time when the threads are busy */
    for (int i = 0; i < NPER_DOC; i++)
        if (r->passages || i < NPER_DOC - 1)
            row(c, part, PER_DOC[i], t, r->per_doc[i] / t, nd, ns, floor_mbps, 0);
    for (int i = 0; i < NWALLS; i++)
        if (r->passages || strcmp(WALLS[i], "passages") != 0)
            row(c, part, WALLS[i], t, r->walls[i], nd, ns, floor_mbps, r->rss[i]);
    row(c, part, "total", t, r->wall, nd, ns, floor_mbps, r->rss_mb);
    fprintf(stderr, "  scan: %.0f candidates, %.0f pairs, %.0f clusters, peak RSS %.0f MB\n",
            r->candidates, r->pairs, r->clusters, r->rss_mb);
}

/* ------------------------------------------------------------------ main */

/* About half of what the passage kernels measured against the floor here
 * (bench/README.md, "bench/check"), on a loaded host: the break search
 * 3.4–5.3 with AVX-512 and 0.80 on its byte path (the best a CPU without
 * AVX2 has), the aligner 0.30–0.44 (efb8a06's, with a probing table and a
 * generic word loop, 0.22–0.28). Wide margins: these catch a kernel that
 * lost its shape (the vector search falling back to bytes, the aligner to
 * a plain dynamic programme), not the last few per cent. */
#define BREAKS_REQUIRED 1.6
#define BREAKS_REQUIRED_BYTES 0.4
#define ALIGN_REQUIRED 0.2
/* The JSON scanner, in line bytes: about half of what it measured here on
 * bench/check's corpus (bench/README.md, "bench/check"): 8.4–8.8 with
 * AVX-512 or AVX2, 2.7–2.8 on its portable path. yajl, which it replaced,
 * would be near 1. */
#define JSON_REQUIRED 4.0
#define JSON_REQUIRED_PORTABLE 1.3
/* bench/check's guards on the passage kernels (guards.c); 1 if one fails. */
static int guard_passage_kernels(const corpus *c, double floor_s, int repeat)
{
    fw_guard_texts t = {c->text, c->len, c->cps, c->chars, c->n};
    uint64_t marks, columns, lcs;
    double breaks_s = fw_guard_breaks(&t, repeat, &marks);
    double align_s = fw_guard_align(&t, repeat, &columns, &lcs);
    if (align_s < 0) die("out of memory");
    uint64_t json_bytes = 0;
    double json_s = fw_guard_json(&t, repeat, &json_bytes);
    if (json_s == -1) die("out of memory");
    double breaks = floor_s / breaks_s, align = floor_s / align_s;
    const double breaks_required = fw_scanner_simd(FW_SIMD_AUTO) == FW_SIMD_BASELINE
                                       ? BREAKS_REQUIRED_BYTES
                                       : BREAKS_REQUIRED;
    fprintf(stderr, "fanwen-bench: break search at %.3f of the hash floor (%llu marks; at "
            "least %.3f required): %s\n", breaks, (unsigned long long)marks, breaks_required,
            breaks >= breaks_required ? "ok" : "FAIL");
    fprintf(stderr, "fanwen-bench: aligner at %.3f of the hash floor (%llu columns, LCS sum "
            "%llu; at least %.3f required): %s\n", align, (unsigned long long)columns,
            (unsigned long long)lcs, ALIGN_REQUIRED, align >= ALIGN_REQUIRED ? "ok" : "FAIL");
    if (json_s < 0) {
        fprintf(stderr, "fanwen-bench: FAIL: the JSON scanner does not give back the texts "
                "and ids it was given, as yajl does\n");
        return 1;
    }
    /* the floor's speed is of text bytes, the scanner's of line bytes */
    double json = floor_s / json_s * (double)json_bytes / (double)c->bytes;
    const double json_required = fw_scanner_simd(FW_SIMD_AUTO) == FW_SIMD_BASELINE
                                     ? JSON_REQUIRED_PORTABLE
                                     : JSON_REQUIRED;
    fprintf(stderr, "fanwen-bench: JSON scanner at %.3f of the hash floor (%.0f MB/s of lines; "
            "at least %.3f required): %s\n", json, (double)json_bytes / 1e6 / json_s,
            json_required, json >= json_required ? "ok" : "FAIL");
    return breaks < breaks_required || align < ALIGN_REQUIRED || json < json_required;
}

/* Half of what each code path measured on a generated corpus on the
 * reference machine (bench/results/): MinHash/floor = 1.13–1.44 with AVX-512,
 * 0.38–0.48 with AVX2, 0.12–0.18 baseline. Half leaves room for a noisy shared
 * machine and still catches a kernel that lost its vector code. */
static double auto_check_ratio(void)
{
    switch (fw_simd_best()) {
    case FW_SIMD_AVX512: return 0.6;
    case FW_SIMD_AVX2: return 0.2;
    default: return 0.06;
    }
}

static const char USAGE[] =
    "usage: fanwen-bench [options] [CORPUS...]\n"
    "Measures every stage of fanwen against the hash floor (UTF-8 decode +\n"
    "XXH3 of every 5-gram) on each CORPUS (file or directory) and on a\n"
    "generated one; CSV rows on stdout.\n"
    "  --generate MB      add a generated corpus of MB megabytes of text (default 64;\n"
    "                     0: none)\n"
    "  --threads LIST     thread counts, e.g. 1,2 (default: 1 and all cores)\n"
    "  --repeat N         best of N runs per kernel (default 3)\n"
    "  --no-scan          kernels only, no whole-scan runs\n"
    "  --csv FILE         write the CSV to FILE instead of stdout\n"
    "  --accuracy FILE    also write MinHash and OPH estimation errors against\n"
    "                     exact Jaccard on the same pairs (CSV)\n"
    "  --check RATIO      CI guard: on the generated corpus (default 8 MB), exit 1 if\n"
    "                     MinHash is slower than RATIO x the hash floor at one thread\n"
    "                     or if the code paths' signatures differ; 'auto': half of\n"
    "                     the ratio measured for the CPU's code path (bench/README.md)\n";

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"generate", required_argument, 0, 'g'}, {"threads", required_argument, 0, 't'},
        {"repeat", required_argument, 0, 'r'},   {"no-scan", no_argument, 0, 'n'},
        {"csv", required_argument, 0, 'o'},      {"check", required_argument, 0, 'c'},
        {"accuracy", required_argument, 0, 'a'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    double gen_mb = -1, check = 0;
    int repeat = 3, do_scan = 1, threads[8], nthreads = 0;
    const char *csv = NULL, *accuracy_csv = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (opt) {
        case 'g': gen_mb = atof(optarg); break;
        case 't':
            for (char *p = optarg; *p && nthreads < 8;) {
                threads[nthreads++] = (int)strtol(p, &p, 10);
                if (*p == ',') p++;
            }
            break;
        case 'r': repeat = atoi(optarg); break;
        case 'n': do_scan = 0; break;
        case 'a': accuracy_csv = optarg; break;
        case 'o': csv = optarg; break;
        case 'c': check = strcmp(optarg, "auto") ? atof(optarg) : -1; break;
        case 'h': fputs(USAGE, stdout); return 0;
        default: fputs(USAGE, stderr); return 1;
        }
    }
    if (repeat < 1) repeat = 1;
    if (!nthreads) {
        threads[nthreads++] = 1;
        if (omp_get_num_procs() > 1) threads[nthreads++] = omp_get_num_procs();
    }
    if (check < 0) check = auto_check_ratio();
    if (gen_mb < 0) gen_mb = check > 0 ? 8 : 64;
    out = csv ? fopen(csv, "w") : stdout;
    if (!out) die(csv);

    fw_normalizer *nz;
    fw_minhasher *mh;
    fw_oph *oph;
    if (fw_normalizer_new(&nz) != FW_OK || fw_minhasher_new(PERMS, 0, &mh) != FW_OK ||
        fw_oph_new(PERMS, 0, &oph) != FW_OK)
        die("cannot set up");
    fprintf(stderr, "fanwen-bench: MinHash code path %s (avx512 %s, avx2 %s)\n",
            fw_simd_name(fw_minhasher_simd(mh)),
            fw_simd_supported(FW_SIMD_AVX512) ? "yes" : "no",
            fw_simd_supported(FW_SIMD_AVX2) ? "yes" : "no");

    int ncorpora = 0, failed = 0;
    corpus corpora[16];
    char gen_path[] = "/tmp/fanwen-bench-gen-XXXXXX.jsonl";
    char gen_name[32];
    if (gen_mb > 0) {
        int fd = mkstemps(gen_path, 6);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) die("cannot write the generated corpus");
        fw_bench_generate(f, 1, (size_t)(gen_mb * 1e6));
        fclose(f);
        snprintf(gen_name, sizeof gen_name, "generated-%gMB", gen_mb);
        corpora[ncorpora++] = (corpus){.name = gen_name, .path = gen_path};
    }
    for (int i = optind; i < argc && ncorpora < 16 && !check; i++) {
        const char *base = strrchr(argv[i], '/');
        base = base && base[1] ? base + 1 : argv[i];
        corpora[ncorpora++] = (corpus){.name = strdup(base), .path = argv[i]};
    }
    /* The whole scans first, while this process is small: a child's peak
     * RSS includes what it shared with its parent before exec. */
    static scan_run scans[16][8][2];
    for (int ci = 0; ci < ncorpora && check == 0 && do_scan; ci++)
        for (int t = 0; t < nthreads; t++)
            for (int passages = 0; passages < 2; passages++)
                scans[ci][t][passages] = run_scan(corpora[ci].path, threads[t], passages);
    header();
    if (accuracy_csv) {
        if (!(accuracy_out = fopen(accuracy_csv, "w"))) die(accuracy_csv);
        fputs("corpus,sketch,k,pairs,bias,rmse,max_abs_error\n", accuracy_out);
    }
    for (int ci = 0; ci < ncorpora; ci++) {
        corpus *c = &corpora[ci];
        load(c, nz);
        int same = same_signatures(c, mh);
        if (!same) {
            fprintf(stderr, "fanwen-bench: FAIL: the code paths give different signatures\n");
            failed = 1;
        }
        if (check > 0) {
            kernel_env e = {c, nz, mh, oph};
            double floor_s = time_kernel(&e, K_FLOOR, 1, repeat);
            double mh_s = time_kernel(&e, K_MINHASH, 1, repeat);
            double floor_mbps = c->bytes / 1e6 / floor_s;
            row(c, "kernel", "floor", 1, floor_s, c->n, c->total_hashes, floor_mbps, 0);
            row(c, "kernel", "minhash", 1, mh_s, c->n, c->total_hashes, floor_mbps, 0);
            double ratio = floor_s / mh_s;
            fprintf(stderr, "fanwen-bench: MinHash at %.3f of the hash floor (at least %.3f "
                    "required): %s\n", ratio, check, ratio >= check ? "ok" : "FAIL");
            if (ratio < check) failed = 1;
            failed |= guard_passage_kernels(c, floor_s, repeat);
        } else {
            for (int t = 0; t < nthreads; t++) {
                double floor_mbps = bench_kernels(c, threads[t], repeat, nz, mh, oph);
                if (do_scan) {
                    scan_rows(c, &scans[ci][t][1], floor_mbps);
                    scan_rows(c, &scans[ci][t][0], floor_mbps);
                }
            }
        }
        if (accuracy_out) accuracy(c, mh, oph);
        corpus_free(c);
    }
    if (accuracy_out) fclose(accuracy_out);
    if (gen_mb > 0) unlink(gen_path);
    fw_oph_free(oph);
    fw_minhasher_free(mh);
    fw_normalizer_free(nz);
    if (csv) fclose(out);
    return failed;
}
