/*
 * test_index_api.c — the persistent index through its public API
 * (fw_index_* in fanwen.h), with documents given as texts.
 *
 * A query's pairs are the pairs a scan of the indexed and the new texts
 * together has with a new one, with the same values; they name which side
 * is indexed. A reader cannot write; a result is only added to the index
 * it was made against, before that index changes; an answer-changing
 * option that differs is refused with the parameter named; remove takes
 * documents out of later answers; compact changes no answer; a directory
 * that is not empty does not become an index. With the passage level, a
 * query's spans and reuse rows through the API are the rows its spans.csv
 * and reuse.csv get, naming which side is indexed. Batches made only to be
 * added give the same index files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"
#include "rng.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define NDOCS 60

static char dir[256];
static char *texts[NDOCS];
static char ids[NDOCS][16];
static size_t with_indexed; /* pairs of the last query with an indexed side */

/* Texts of random characters from a small alphabet; every fifth one an
 * edited copy of an earlier one (of the one before among the first 30,
 * of one of those after), the last 20 copies of text 10 (a bucket of 21,
 * paired as a star). The first 30 are indexed, the rest queried. */
static int setup(void **state)
{
    (void)state;
    rng_state = 17;
    for (int i = 0; i < NDOCS; i++) {
        snprintf(ids[i], sizeof ids[i], "doc-%02d", i);
        size_t len = 300;
        char *t = malloc(len * 3 + 1);
        if (i % 5 == 4 || i >= NDOCS - 20) {
            int from = i >= NDOCS - 20 ? 10 : i >= 30 ? i - 25 : i - 1;
            memcpy(t, texts[from], len * 3 + 1);
            t[3 * (i % 7 + 1)] = t[3 * (i % 7 + 1)] == '\xe4' ? '\xe5' : '\xe4'; /* one character */
        } else {
            for (size_t k = 0; k < len; k++) { /* CJK U+4E00.. + a few hundred */
                unsigned cp = 0x4e00 + (unsigned)(rng() % 400);
                t[3 * k] = (char)(0xe0 | cp >> 12);
                t[3 * k + 1] = (char)(0x80 | (cp >> 6 & 0x3f));
                t[3 * k + 2] = (char)(0x80 | (cp & 0x3f));
            }
            t[len * 3] = '\0';
        }
        texts[i] = t;
    }
    snprintf(dir, sizeof dir, "/tmp/fanwen-index-api-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NDOCS; i++) free(texts[i]);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* A scan of texts [0, n): its pairs as "id_a id_b jaccard" lines. */
static char *scan_pairs(size_t n, const size_t *skip, size_t nskip)
{
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.passages = 0;
    fw_scan *s;
    assert_int_equal(fw_scan_new(&o, &s, NULL, 0), FW_OK);
    for (size_t i = 0; i < n; i++) {
        int skipped = 0;
        for (size_t k = 0; k < nskip; k++) skipped |= skip[k] == i;
        if (!skipped) assert_int_equal(fw_scan_add_text(s, ids[i], texts[i], strlen(texts[i])), FW_OK);
    }
    assert_int_equal(fw_scan_run(s), FW_OK);
    const fw_result_pair *p;
    size_t np;
    fw_scan_pairs(s, &p, &np);
    char *out = calloc(np + 1, 64);
    for (size_t i = 0; i < np; i++) {
        fw_doc_info a, b;
        fw_scan_doc(s, p[i].a, &a);
        fw_scan_doc(s, p[i].b, &b);
        sprintf(out + strlen(out), "%s %s %.6f %.6f\n", a.id, b.id, p[i].jaccard, p[i].estimate);
    }
    fw_scan_free(s);
    return out;
}

/* The lines of `all` that name an id of [from, n). */
static char *restrict_to(const char *all, size_t from, size_t n)
{
    char *out = calloc(strlen(all) + 1, 1);
    for (const char *line = all; *line;) {
        const char *end = strchr(line, '\n');
        int keep = 0;
        for (size_t i = from; i < n; i++) {
            char a[20], b[20];
            sscanf(line, "%19s %19s", a, b);
            keep |= !strcmp(a, ids[i]) || !strcmp(b, ids[i]);
        }
        if (keep) strncat(out, line, (size_t)(end - line + 1));
        line = end + 1;
    }
    return out;
}

/* Texts [from, n) queried against the index: the pairs as scan_pairs
 * writes them, and each pair's sides checked against `indexed_below`. */
static char *query(fw_index *ix, size_t from, size_t n, size_t indexed_below, fw_index_result **keep,
                   fw_scan **batch_out)
{
    fw_scan_options o;
    fw_index_scan_options(ix, &o);
    fw_scan *batch;
    assert_int_equal(fw_index_batch_new(ix, &o, &batch), FW_OK);
    for (size_t i = from; i < n; i++)
        assert_int_equal(fw_scan_add_text(batch, ids[i], texts[i], strlen(texts[i])), FW_OK);
    fw_index_result *r;
    assert_int_equal(fw_index_query(ix, batch, &r), FW_OK);
    size_t np = fw_index_result_pair_count(r);
    char *out = calloc(np + 1, 64);
    with_indexed = 0;
    for (size_t i = 0; i < np; i++) {
        fw_index_match m;
        assert_int_equal(fw_index_result_pair(r, i, &m), FW_OK);
        assert_int_equal(m.a_indexed, atoi(m.id_a + 4) < (int)indexed_below);
        assert_int_equal(m.b_indexed, atoi(m.id_b + 4) < (int)indexed_below);
        sprintf(out + strlen(out), "%s %s %.6f %.6f\n", m.id_a, m.id_b, m.jaccard, m.estimate);
        with_indexed += m.a_indexed || m.b_indexed;
    }
    assert_int_equal(fw_index_result_pair(r, np, &(fw_index_match){0}), FW_ERR_ARG);
    if (keep) {
        *keep = r;
        *batch_out = batch;
    } else {
        fw_index_result_free(r);
        fw_scan_free(batch);
    }
    return out;
}

/* A new index DIR/name holding the first n texts, added through a query. */
static fw_index *index_first(const char *name, size_t n)
{
    char path[512], why[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fw_scan_options o;
    fw_scan_options_default(&o);
    fw_index *ix;
    assert_int_equal(fw_index_create(path, &o, &ix, why, sizeof why), FW_OK);
    fw_index_result *r;
    fw_scan *batch;
    free(query(ix, 0, n, 0, &r, &batch));
    assert_int_equal(fw_index_add(ix, r), FW_OK);
    fw_index_result_free(r);
    fw_scan_free(batch);
    return ix;
}

static void test_index_answers_as_a_scan(void **state)
{
    (void)state;
    char path[512], why[512];
    snprintf(path, sizeof path, "%s/ix", dir);
    fw_scan_options o;
    fw_scan_options_default(&o);
    fw_index *ix;
    assert_int_equal(fw_index_create(path, &o, &ix, why, sizeof why), FW_OK);
    /* the first 30 indexed */
    fw_index_result *r;
    fw_scan *batch;
    free(query(ix, 0, 30, 0, &r, &batch));
    assert_int_equal(fw_index_add(ix, r), FW_OK);
    /* a result is added once: the index has changed since */
    assert_int_equal(fw_index_add(ix, r), FW_ERR_ARG);
    assert_non_null(strstr(fw_index_error(ix), "changed"));
    fw_index_result_free(r);
    fw_scan_free(batch);

    char *all = scan_pairs(NDOCS, NULL, 0), *want = restrict_to(all, 30, NDOCS);
    char *got = query(ix, 30, NDOCS, 30, NULL, NULL);
    assert_true(with_indexed >= 20); /* the star's 20 and the edited copies */
    assert_string_equal(got, want);
    free(got);

    /* compact: the same answer */
    assert_int_equal(fw_index_compact(ix), FW_OK);
    got = query(ix, 30, NDOCS, 30, NULL, NULL);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(all);

    /* remove two: the answer of a scan without them */
    const char *gone[] = {ids[3], ids[10], "not-there"}; /* 10: the star's centre */
    size_t removed;
    assert_int_equal(fw_index_remove(ix, gone, 3, &removed), FW_OK);
    assert_int_equal(removed, 2);
    fw_index_info info;
    fw_index_get_info(ix, &info);
    assert_int_equal(info.documents, 28);
    assert_int_equal(info.removed, 2);
    size_t skip[] = {3, 10};
    all = scan_pairs(NDOCS, skip, 2);
    want = restrict_to(all, 30, NDOCS);
    got = query(ix, 30, NDOCS, 30, NULL, NULL);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(all);
    fw_index_close(ix);

    /* a reader: answers, but neither adds, removes nor compacts */
    assert_int_equal(fw_index_open(path, 0, &ix, why, sizeof why), FW_OK);
    free(query(ix, 30, 40, 30, &r, &batch));
    assert_int_equal(fw_index_add(ix, r), FW_ERR_ARG);
    assert_int_equal(fw_index_remove(ix, gone, 1, &removed), FW_ERR_ARG);
    assert_int_equal(fw_index_compact(ix), FW_ERR_ARG);
    assert_int_equal(fw_index_check(ix), FW_OK);
    fw_index_result_free(r);
    fw_scan_free(batch);

    /* an answer-changing option that differs is named */
    fw_index_scan_options(ix, &o);
    o.seed = 7;
    assert_int_equal(fw_index_batch_new(ix, &o, &batch), FW_ERR_ARG);
    assert_null(batch);
    assert_non_null(strstr(fw_index_error(ix), "seed 0, not 7"));
    fw_index_scan_options(ix, &o);
    o.threads = 1; /* not the index's business */
    o.max_doc_bytes = 1 << 20;
    assert_int_equal(fw_index_batch_new(ix, &o, &batch), FW_OK);
    fw_scan_free(batch);
    fw_index_close(ix);

    /* not over a directory that holds something */
    fw_scan_options_default(&o);
    assert_int_equal(fw_index_create(path, &o, &ix, why, sizeof why), FW_ERR_ARG);
    assert_null(ix);
    assert_non_null(strstr(why, "not empty"));
    /* nor is a directory without a manifest an index */
    snprintf(path, sizeof path, "%s", dir);
    assert_int_equal(fw_index_open(path, 0, &ix, why, sizeof why), FW_ERR_IO);
    assert_non_null(strstr(why, "MANIFEST"));
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1 << 20, 1);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A result written after its batch was added and the index compacted
 * (both unmap the generation the query ran against) names the same
 * documents and clusters as written before: its ids are its own. */
static void test_result_outlives_generation(void **state)
{
    (void)state;
    char out1[512], out2[512];
    snprintf(out1, sizeof out1, "%s/out-before", dir);
    snprintf(out2, sizeof out2, "%s/out-after", dir);
    fw_index *ix = index_first("ix-lifetime", 30);
    fw_index_result *r;
    fw_scan *batch;
    free(query(ix, 30, NDOCS, 30, &r, &batch));
    assert_int_equal(fw_index_result_write(ix, r, out1), FW_OK);
    /* the batch borrows the index's passage model: it must outlive the
     * generations the add and the compaction replace (ASan in CI) */
    char model1[600], model2[600];
    snprintf(model1, sizeof model1, "%s/model-before", dir);
    snprintf(model2, sizeof model2, "%s/model-after", dir);
    assert_int_equal(fw_scan_write_passage_model(batch, model1), FW_OK);
    /* the batch's documents, in input order, as docs.csv has them */
    assert_int_equal(fw_index_result_doc_count(r), NDOCS - 30);
    for (size_t i = 0; i < NDOCS - 30; i++) {
        fw_index_doc d;
        assert_int_equal(fw_index_result_doc(r, i, &d), FW_OK);
        assert_string_equal(d.id, ids[30 + i]);
        assert_int_equal(d.status, FW_DOC_OK);
        assert_int_equal(d.bytes, strlen(texts[30 + i]));
        assert_false(d.renamed);
        assert_true(d.reused_share >= 0 && d.reused_share <= 1);
    }
    fw_index_doc none;
    assert_int_equal(fw_index_result_doc(r, NDOCS - 30, &none), FW_ERR_ARG);
    assert_int_equal(fw_index_add(ix, r), FW_OK);
    assert_int_equal(fw_index_compact(ix), FW_OK);
    assert_int_equal(fw_index_result_write(ix, r, out2), FW_OK);
    assert_int_equal(fw_scan_write_passage_model(batch, model2), FW_OK);
    char *m1 = slurp(model1), *m2 = slurp(model2);
    assert_non_null(m1);
    assert_string_equal(m1, m2);
    free(m1);
    free(m2);
    const char *files[] = {"pairs.csv", "clusters.csv", "docs.csv"};
    for (int k = 0; k < 3; k++) {
        char a[1024], b[1024];
        snprintf(a, sizeof a, "%s/%s", out1, files[k]);
        snprintf(b, sizeof b, "%s/%s", out2, files[k]);
        char *x = slurp(a), *y = slurp(b);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    /* the clusters name the indexed centre of the star, doc-10 */
    char cl[600];
    snprintf(cl, sizeof cl, "%s/clusters.csv", out2);
    char *c = slurp(cl);
    assert_non_null(strstr(c, "\r\ndoc-10,doc-59,"));
    free(c);
    /* and the pairs' ids are still those of the query */
    fw_index_match m;
    int seen_indexed = 0;
    for (size_t i = 0; i < fw_index_result_pair_count(r); i++) {
        assert_int_equal(fw_index_result_pair(r, i, &m), FW_OK);
        assert_int_equal(strncmp(m.id_a, "doc-", 4), 0);
        assert_int_equal(strncmp(m.id_b, "doc-", 4), 0);
        seen_indexed |= m.a_indexed;
    }
    assert_true(seen_indexed);
    fw_index_result_free(r);
    fw_scan_free(batch);
    fw_index_close(ix);
}

/* Every text an index's segment files hold: each NAME.text (after its
 * 64-byte header, a run of zstd frames) decompressed, concatenated. */
static char *all_texts(const char *ix_dir)
{
    size_t cap = 1 << 22, len = 0;
    char *out = calloc(cap, 1);
    DIR *d = opendir(ix_dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 5, ".text")) continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", ix_dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static unsigned char buf[1 << 22];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        for (size_t at = 64; at < n;) {
            size_t z = ZSTD_findFrameCompressedSize(buf + at, n - at);
            assert_false(ZSTD_isError(z));
            size_t got = ZSTD_decompress(out + len, cap - 1 - len, buf + at, z);
            assert_false(ZSTD_isError(got));
            len += got;
            at += z;
        }
    }
    closedir(d);
    out[len] = '\0';
    return out;
}

/* compact leaves no removed text on disk, though texts share frames */
/* The whole of a file, NUL-terminated (malloc'ed). */
static char *slurp_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The passage level through the API: a query's spans and reuse rows are
 * the rows spans.csv and reuse.csv get, name which side is indexed, and
 * some name an indexed document (the edited copies and the star's). */
static void test_spans_and_reuse(void **state)
{
    (void)state;
    fw_index *ix = index_first("ixp", 30);
    fw_index_result *r;
    fw_scan *batch;
    free(query(ix, 30, NDOCS, 30, &r, &batch));
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/reports", dir);
    assert_int_equal(fw_index_result_write(ix, r, out), FW_OK);
    size_t ns = fw_index_result_span_count(r), nr = fw_index_result_reuse_count(r);
    char *want = calloc(ns + 2, 160), *have;
    strcpy(want, "id_a,a_start,a_end,id_b,b_start,b_end,a_chars,b_chars,matched_chars,"
                 "similarity\r\n");
    size_t indexed = 0;
    for (size_t i = 0; i < ns; i++) {
        fw_index_span sp;
        assert_int_equal(fw_index_result_span(r, i, &sp), FW_OK);
        assert_int_equal(sp.a_indexed, atoi(sp.id_a + 4) < 30);
        assert_int_equal(sp.b_indexed, atoi(sp.id_b + 4) < 30);
        indexed += sp.a_indexed || sp.b_indexed;
        sprintf(want + strlen(want), "%s,%llu,%llu,%s,%llu,%llu,%llu,%llu,%llu,%.6f\r\n",
                sp.id_a, (unsigned long long)sp.a_start, (unsigned long long)sp.a_end, sp.id_b,
                (unsigned long long)sp.b_start, (unsigned long long)sp.b_end,
                (unsigned long long)sp.a_chars, (unsigned long long)sp.b_chars,
                (unsigned long long)sp.matched, sp.similarity);
    }
    assert_int_equal(fw_index_result_span(r, ns, &(fw_index_span){0}), FW_ERR_ARG);
    assert_true(indexed >= 10);
    snprintf(path, sizeof path, "%s/spans.csv", out);
    have = slurp_file(path);
    assert_string_equal(have, want);
    free(have);
    strcpy(want, "id_a,id_b,shared_passages,shared_chars,a_in_b,b_in_a\r\n");
    for (size_t i = 0; i < nr; i++) {
        fw_index_reuse ru;
        assert_int_equal(fw_index_result_reuse(r, i, &ru), FW_OK);
        assert_int_equal(ru.a_indexed, atoi(ru.id_a + 4) < 30);
        sprintf(want + strlen(want), "%s,%s,%llu,%llu,%.6f,%.6f\r\n", ru.id_a, ru.id_b,
                (unsigned long long)ru.shared_passages, (unsigned long long)ru.shared_chars,
                ru.a_in_b, ru.b_in_a);
    }
    assert_true(nr >= 10);
    snprintf(path, sizeof path, "%s/reuse.csv", out);
    have = slurp_file(path);
    assert_string_equal(have, want);
    free(have);
    free(want);
    fw_index_result_free(r);
    fw_scan_free(batch);
    fw_index_close(ix);
}

static void test_compact_drops_removed_texts(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ix-frames", dir);
    fw_index *ix = index_first("ix-frames", 30);
    /* texts 2 and 3 are random (4 is a copy of 3, none of 2): 90 bytes
     * from the middle of each identify it */
    char gone[91], kept[91];
    memcpy(gone, texts[2] + 300, 90);
    memcpy(kept, texts[3] + 300, 90);
    gone[90] = kept[90] = '\0';
    char *all = all_texts(path);
    assert_non_null(strstr(all, gone)); /* the test finds texts */
    assert_non_null(strstr(all, kept));
    free(all);
    const char *ids_gone[] = {ids[2]};
    size_t removed;
    assert_int_equal(fw_index_remove(ix, ids_gone, 1, &removed), FW_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(fw_index_compact(ix), FW_OK);
    all = all_texts(path);
    assert_null(strstr(all, gone));
    assert_non_null(strstr(all, kept));
    free(all);
    assert_int_equal(fw_index_check(ix), FW_OK);
    /* and the index answers as a scan without text 2 */
    size_t skip[] = {2};
    char *scan = scan_pairs(NDOCS, skip, 1), *want = restrict_to(scan, 30, NDOCS);
    char *got = query(ix, 30, NDOCS, 30, NULL, NULL);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(scan);
    fw_index_close(ix);
}

/* Texts [from, n) added to `ix` by a batch of either kind; returns the
 * result's pair count (the result and batch freed). */
static size_t add_batch(fw_index *ix, size_t from, size_t n, int add_only, int check_only)
{
    fw_scan_options o;
    fw_index_scan_options(ix, &o);
    fw_scan *batch;
    assert_int_equal((add_only ? fw_index_batch_to_add : fw_index_batch_new)(ix, &o, &batch),
                     FW_OK);
    for (size_t i = from; i < n; i++)
        assert_int_equal(fw_scan_add_text(batch, ids[i], texts[i], strlen(texts[i])), FW_OK);
    fw_index_result *r;
    assert_int_equal(fw_index_query(ix, batch, &r), FW_OK);
    size_t np = fw_index_result_pair_count(r);
    if (check_only) { /* no rows of the passage level, and no reports */
        assert_int_equal(fw_index_result_span_count(r), 0);
        assert_int_equal(fw_index_result_reuse_count(r), 0);
        char out[512];
        snprintf(out, sizeof out, "%s/add-only-reports", dir);
        assert_int_equal(fw_index_result_write(ix, r, out), FW_ERR_ARG);
        assert_non_null(strstr(fw_index_error(ix), "added only"));
        assert_int_equal(access(out, F_OK), -1);
    } else if (!add_only && from > 0) {
        assert_true(fw_index_result_span_count(r) > 0); /* what the other kind leaves out */
    }
    assert_int_equal(fw_index_add(ix, r), FW_OK);
    fw_index_result_free(r);
    fw_scan_free(batch);
    return np;
}

/* An index made from batches only to be added (what `index build` and
 * `index add` make: no spans or reuse rows) is the same, file for file and
 * byte for byte, as one made from batches that were queried in full: the
 * first batch learns the same model, the second (cut with it) gives the
 * same passage band file. */
static void test_add_only_batches(void **state)
{
    (void)state;
    char path[2][512], why[512];
    size_t pairs[2][2];
    for (int k = 0; k < 2; k++) {
        snprintf(path[k], sizeof path[k], "%s/ix-add-%d", dir, k);
        fw_scan_options o;
        fw_scan_options_default(&o);
        fw_index *ix;
        assert_int_equal(fw_index_create(path[k], &o, &ix, why, sizeof why), FW_OK);
        pairs[k][0] = add_batch(ix, 0, 30, k, k);
        pairs[k][1] = add_batch(ix, 30, NDOCS, k, k);
        fw_index_close(ix);
    }
    assert_int_equal(pairs[0][0], pairs[1][0]);
    assert_int_equal(pairs[0][1], pairs[1][1]);
    assert_true(pairs[1][1] >= 20);
    DIR *d = opendir(path[0]);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "LOCK")) continue;
        char a[1024], b[1024];
        snprintf(a, sizeof a, "%s/%s", path[0], e->d_name);
        snprintf(b, sizeof b, "%s/%s", path[1], e->d_name);
        char *x = NULL, *y = NULL;
        size_t nx = 0, ny = 0;
        FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
        assert_non_null(fa);
        assert_non_null(fb); /* the same files */
        fseek(fa, 0, SEEK_END);
        fseek(fb, 0, SEEK_END);
        nx = (size_t)ftell(fa);
        ny = (size_t)ftell(fb);
        assert_int_equal(nx, ny);
        rewind(fa);
        rewind(fb);
        x = malloc(nx + 1);
        y = malloc(ny + 1);
        assert_int_equal(fread(x, 1, nx, fa), nx);
        assert_int_equal(fread(y, 1, ny, fb), ny);
        assert_memory_equal(x, y, nx);
        free(x);
        free(y);
        fclose(fa);
        fclose(fb);
        files++;
    }
    closedir(d);
    assert_true(files >= 10); /* MANIFEST, model, two segments of four files */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_answers_as_a_scan),
        cmocka_unit_test(test_result_outlives_generation),
        cmocka_unit_test(test_compact_drops_removed_texts),
        cmocka_unit_test(test_spans_and_reuse),
        cmocka_unit_test(test_add_only_batches),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
