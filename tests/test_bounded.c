/*
 * test_bounded.c — a scan under a memory limit gives the same results as
 * one without.
 *
 * With memory_limit set, signatures, shingle hashes, exact sets, passage
 * keys and excerpts go to temporary files, and LSH band records are
 * sorted in runs on disk and merged (spill.c, band_runs.c). A limit of
 * 1 MiB (the CLI asks for at least 64M; the library takes less, which is
 * what lets a small corpus spill) makes the LSH buffers hold 1,024
 * records, so 3,000 documents and ~10,000 passages go through several
 * runs and the pair lists through deduplication. Every result read
 * through the public API — documents, pairs, passages, groups,
 * boilerplate, reuse — must equal the unlimited scan's, at one thread and
 * at two; the temporary directory must be empty while the files are open
 * (they have no names); and a temporary directory that cannot be written
 * is an error at fw_scan_new with a message that names it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"
#include "rng.h"
#include "text_buf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "results.h"

#define BASES 1000
#define NDOCS 3000
#define FOOTER_DOCS 60

/* A paragraph of 1–3 sentences of 40–110 ideographs closed by 。 */
static void paragraph(text_buf *b, uint64_t seed)
{
    uint64_t saved = rng_state;
    rng_state = seed;
    int sentences = 1 + (int)(rng() % 3);
    for (int s = 0; s < sentences; s++) {
        int n = 40 + (int)(rng() % 71);
        for (int i = 0; i < n; i++) put_cp(b, 0x4E00 + (uint32_t)(rng() % 2500));
        put(b, "\xE3\x80\x82", 3);
    }
    put(b, "\n", 1);
    rng_state = saved;
}

/* Bases of 2–4 random paragraphs; then near-copies (characters
 * substituted), composites (paragraphs of two or three bases) and
 * unrelated documents; a footer paragraph in 60 of them (boilerplate). */
static void make_corpus(text_buf *doc, char (*id)[16])
{
    rng_state = 777;
    static uint64_t para_seed[BASES][4];
    static int nparas[BASES];
    for (int d = 0; d < NDOCS; d++) {
        snprintf(id[d], 16, "doc%04d", (d * 7919) % NDOCS); /* ids not in input order */
        text_buf *b = &doc[d];
        if (d < BASES) {
            nparas[d] = 2 + (int)(rng() % 3);
            for (int k = 0; k < nparas[d]; k++) paragraph(b, para_seed[d][k] = rng());
        } else if (d % 3 == 0) { /* near-copy */
            int src = (int)(rng() % BASES);
            for (int k = 0; k < nparas[src]; k++) paragraph(b, para_seed[src][k]);
            for (int e = (int)(rng() % 6); e > 0; e--) {
                size_t at = (rng() % (b->len / 3)) * 3; /* a whole ideograph */
                if ((unsigned char)b->s[at] == 0xE4 || (unsigned char)b->s[at] == 0xE5) {
                    char u[4];
                    fw_utf8_encode(u, 0x4E00 + (uint32_t)(rng() % 2500));
                    memcpy(b->s + at, u, 3);
                }
            }
        } else if (d % 3 == 1) { /* composite */
            for (int k = 0, parts = 2 + (int)(rng() % 2); k < parts; k++) {
                int src = (int)(rng() % BASES);
                paragraph(b, para_seed[src][rng() % (uint64_t)nparas[src]]);
            }
        } else { /* unrelated */
            for (int k = 0, parts = 1 + (int)(rng() % 3); k < parts; k++) paragraph(b, rng());
        }
        if (d % (NDOCS / FOOTER_DOCS) == 5) paragraph(b, 99); /* the footer */
    }
}

static fw_scan *scan_n(text_buf *doc, char (*id)[16], int n, uint64_t limit, const char *tmp,
                       int threads)
{
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.threads = threads;
    o.memory_limit = limit;
    o.tmp_dir = tmp;
    o.threshold = 0.7;
    fw_scan *s;
    char why[256];
    assert_int_equal(fw_scan_new(&o, &s, why, sizeof why), FW_OK);
    for (int d = 0; d < n; d++)
        assert_int_equal(fw_scan_add_text(s, id[d], doc[d].s, doc[d].len), FW_OK);
    assert_int_equal(fw_scan_run(s), FW_OK);
    return s;
}

static fw_scan *scan(text_buf *doc, char (*id)[16], uint64_t limit, const char *tmp,
                     int threads)
{
    return scan_n(doc, id, NDOCS, limit, tmp, threads);
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void same_passage(const fw_passage_info *x, const fw_passage_info *y)
{
    assert_int_equal(x->doc, y->doc);
    assert_int_equal(x->index, y->index);
    assert_int_equal(x->byte_start, y->byte_start);
    assert_int_equal(x->byte_end, y->byte_end);
    assert_int_equal(x->chars, y->chars);
    assert_int_equal(x->group, y->group);
    assert_string_equal(x->text, y->text);
}

/* Everything the reports are made of, compared field by field. */
static void assert_same_results(const fw_scan *x, const fw_scan *y)
{
    size_t n = fw_scan_doc_count(x);
    assert_int_equal(n, fw_scan_doc_count(y));
    for (size_t i = 0; i < n; i++) {
        fw_doc_info a, b;
        fw_scan_doc(x, i, &a);
        fw_scan_doc(y, i, &b);
        assert_string_equal(a.id, b.id);
        assert_int_equal(a.status, b.status);
        assert_int_equal(a.chars, b.chars);
        assert_int_equal(a.shingles, b.shingles);
        assert_int_equal(a.cluster, b.cluster);
        assert_int_equal(a.cluster_size, b.cluster_size);
        assert_int_equal(a.passages, b.passages);
        assert_true(a.reused_share == b.reused_share);
        assert_true(a.boilerplate_share == b.boilerplate_share);
        assert_string_equal(a.message, b.message);
        assert_int_equal(fw_scan_doc_passage_count(x, i), fw_scan_doc_passage_count(y, i));
        for (uint32_t k = 0; k < fw_scan_doc_passage_count(x, i); k++) {
            fw_passage_info p, q;
            assert_int_equal(fw_scan_doc_passage(x, i, k, &p), FW_OK);
            assert_int_equal(fw_scan_doc_passage(y, i, k, &q), FW_OK);
            same_passage(&p, &q);
        }
    }
    size_t np = fw_scan_pair_count(x);
    assert_int_equal(np, fw_scan_pair_count(y));
    const fw_result_pair *pa = pairs_of(x), *pb = pairs_of(y);
    for (size_t i = 0; i < np; i++) {
        assert_int_equal(pa[i].a, pb[i].a);
        assert_int_equal(pa[i].b, pb[i].b);
        assert_true(pa[i].jaccard == pb[i].jaccard);
        assert_true(pa[i].estimate == pb[i].estimate);
        assert_true(pa[i].a_in_b == pb[i].a_in_b);
        assert_true(pa[i].b_in_a == pb[i].b_in_a);
    }
    assert_int_equal(fw_scan_group_count(x), fw_scan_group_count(y));
    for (size_t g = 0; g < fw_scan_group_count(x); g++) {
        fw_group_info a, b;
        assert_int_equal(fw_scan_group(x, g, &a), FW_OK);
        assert_int_equal(fw_scan_group(y, g, &b), FW_OK);
        assert_int_equal(a.group, g + 1);
        assert_int_equal(b.group, g + 1);
        assert_int_equal(a.passages, b.passages);
        assert_int_equal(a.docs, b.docs);
        assert_int_equal(a.boilerplate, b.boilerplate);
        assert_int_equal(a.chars, b.chars);
        assert_string_equal(a.text, b.text);
    }
    assert_int_equal(fw_scan_grouped_count(x), fw_scan_grouped_count(y));
    assert_int_equal(fw_scan_boilerplate_count(x), fw_scan_boilerplate_count(y));
    for (size_t i = 0; i < fw_scan_boilerplate_count(x); i++) {
        fw_group_info a, b;
        assert_int_equal(fw_scan_boilerplate(x, i, &a), FW_OK);
        assert_int_equal(fw_scan_boilerplate(y, i, &b), FW_OK);
        assert_int_equal(a.group, b.group);
        assert_string_equal(a.text, b.text);
    }
    const fw_reused_span *spx, *spy;
    size_t nsx, nsy;
    assert_int_equal(fw_scan_spans(x, &spx, &nsx), FW_OK);
    assert_int_equal(fw_scan_spans(y, &spy, &nsy), FW_OK);
    assert_int_equal(nsx, nsy);
    assert_true(nsx > 0);
    for (size_t i = 0; i < nsx; i++) { /* field by field: doubles compared exactly */
        assert_int_equal(spx[i].a, spy[i].a);
        assert_int_equal(spx[i].b, spy[i].b);
        assert_int_equal(spx[i].a_start, spy[i].a_start);
        assert_int_equal(spx[i].a_end, spy[i].a_end);
        assert_int_equal(spx[i].b_start, spy[i].b_start);
        assert_int_equal(spx[i].b_end, spy[i].b_end);
        assert_int_equal(spx[i].matched, spy[i].matched);
        assert_true(spx[i].similarity == spy[i].similarity);
    }
    size_t nr = fw_scan_reuse_count(x);
    assert_int_equal(nr, fw_scan_reuse_count(y));
    const fw_reuse_pair *ra = reuse_of(x), *rb = reuse_of(y);
    for (size_t i = 0; i < nr; i++) {
        assert_int_equal(ra[i].a, rb[i].a);
        assert_int_equal(ra[i].b, rb[i].b);
        assert_int_equal(ra[i].shared_passages, rb[i].shared_passages);
        assert_int_equal(ra[i].shared_chars, rb[i].shared_chars);
        assert_true(ra[i].a_in_b == rb[i].a_in_b);
        assert_true(ra[i].b_in_a == rb[i].b_in_a);
    }
    fw_scan_stats sx, sy;
    fw_scan_get_stats(x, &sx);
    fw_scan_get_stats(y, &sy);
    assert_int_equal(sx.candidates, sy.candidates);
    assert_int_equal(sx.passage_candidates, sy.passage_candidates);
    assert_int_equal(sx.passage_matches, sy.passage_matches);
}

static void test_limit_gives_the_same_results(void **state)
{
    (void)state;
    text_buf *doc = calloc(NDOCS, sizeof *doc);
    char (*id)[16] = calloc(NDOCS, sizeof *id);
    make_corpus(doc, id);
    char tmp[] = "/tmp/fanwen-test-bounded-XXXXXX";
    assert_non_null(mkdtemp(tmp));

    fw_scan *free_run = scan(doc, id, 0, NULL, 2);
    fw_scan_stats st;
    fw_scan_get_stats(free_run, &st);
    /* the corpus is what it was meant to be: pairs, groups, boilerplate */
    assert_true(fw_scan_pair_count(free_run) > 300);
    assert_true(fw_scan_group_count(free_run) > 1000);
    assert_true(fw_scan_reuse_count(free_run) > 300);
    assert_true(fw_scan_boilerplate_count(free_run) >= 1); /* the footer */
    assert_int_equal(st.band_runs, 0);

    for (int threads = 1; threads <= 2; threads++) {
        fw_scan *bounded = scan(doc, id, 1u << 20, tmp, threads);
        fw_scan_get_stats(bounded, &st);
        assert_true(st.band_runs >= 3); /* the documents' LSH went through runs */
        assert_true(st.passage_band_runs >= 3); /* and the passages' */
        assert_int_equal(entries(tmp), 0); /* the spill files have no names */
        assert_same_results(free_run, bounded);
        fw_scan_free(bounded);
    }
    /* a limit under which the passages' signatures are read back all at once
     * for the screen (at 1 MB they are read two a candidate) */
    fw_scan *roomier = scan(doc, id, 16u << 20, tmp, 2);
    assert_same_results(free_run, roomier);
    fw_scan_free(roomier);
    fw_scan_free(free_run);
    rmdir(tmp);
    for (int d = 0; d < NDOCS; d++) free(doc[d].s);
    free(doc);
    free(id);
}

/* Under a limit the largest document is limit/128 (its work holds about 20
 * bytes a byte), whatever the thread count: it used to be limit/(64
 * threads), so that a document of 600 KB under 64 MiB was read at one
 * thread and an error row at two, and one of 400 KB was read at two and an
 * error at three. Now the 600 KB pair is two error rows and the 400 KB
 * pair one pair at every thread count (at three, one thread at a time
 * works on a document over limit/192). */
static void test_largest_document_does_not_depend_on_threads(void **state)
{
    (void)state;
    enum { N = 6 };
    const size_t sizes[N] = {200, 400 << 10, 400 << 10, 600 << 10, 600 << 10, 300};
    text_buf doc[N] = {0};
    char id[N][16];
    for (int d = 0; d < N; d++) {
        snprintf(id[d], sizeof id[d], "doc%d", d);
        rng_state = 1000 + (uint64_t)(d == 2 ? 1 : d == 4 ? 3 : d); /* 1 = 2, 3 = 4 */
        while (doc[d].len + 4 <= sizes[d]) put_cp(&doc[d], 0x4E00 + (uint32_t)(rng() % 2500));
    }
    char tmp[] = "/tmp/fanwen-test-bounded-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    for (int threads = 1; threads <= 3; threads++) {
        fw_scan *s = scan_n(doc, id, N, 64u << 20, tmp, threads);
        for (int d = 0; d < N; d++) {
            fw_doc_info info;
            assert_int_equal(fw_scan_doc(s, (size_t)d, &info), FW_OK);
            assert_int_equal(info.status, d == 3 || d == 4 ? FW_DOC_ERROR : FW_DOC_OK);
        }
        assert_int_equal(fw_scan_pair_count(s), 1);
        const fw_result_pair *pairs;
        size_t np;
        assert_int_equal(fw_scan_pairs(s, &pairs, &np), FW_OK);
        assert_int_equal(pairs[0].a, 1);
        assert_int_equal(pairs[0].b, 2);
        fw_scan_free(s);
    }
    rmdir(tmp);
    for (int d = 0; d < N; d++) free(doc[d].s);
}

static void test_unusable_tmp_dir_is_an_error(void **state)
{
    (void)state;
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.memory_limit = 64u << 20;
    o.tmp_dir = "/nonexistent/fanwen-tmp";
    fw_scan *s = (fw_scan *)&o;
    char why[256] = "";
    assert_int_equal(fw_scan_new(&o, &s, why, sizeof why), FW_ERR_IO);
    assert_null(s);
    assert_non_null(strstr(why, "/nonexistent/fanwen-tmp"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_gives_the_same_results),
        cmocka_unit_test(test_largest_document_does_not_depend_on_threads),
        cmocka_unit_test(test_unusable_tmp_dir_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
