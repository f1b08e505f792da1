/*
 * test_api.c — the scan's call order and lifetimes, as fanwen.h states them.
 *
 * A scan is used in three phases: adding, one run, results. Every call made
 * out of order — adding after the run, running twice or after a failed run,
 * reading results before the run, an index out of range, a report before
 * the run — must change nothing, return FW_ERR_ARG (counts: 0) and leave a
 * message in fw_scan_error() that names the function called. A report that
 * cannot be written is FW_ERR_IO with a message naming the path. Pointers
 * handed out by results (ids, messages, the pairs and reuse arrays) stay the
 * same and unchanged through any later call; excerpts are copied into the
 * caller's struct, so two of them read back from disk under a memory limit
 * are both intact, and equal to an in-memory scan's. And fw_version() is the
 * version of the header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"
#include "rng.h"
#include "text_buf.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

/* Whether `message` names the function `fn` as a word of its own (so that
 * "fw_scan_doc" is not found in "fw_scan_doc_by_rank: ..."). */
static int names(const char *message, const char *fn)
{
    size_t n = strlen(fn);
    for (const char *at = strstr(message, fn); at; at = strstr(at + 1, fn)) {
        char before = at == message ? ' ' : at[-1], after = at[n];
        int word_before = before == '_' || (before >= 'a' && before <= 'z') ||
                          (before >= '0' && before <= '9');
        int word_after = after == '_' || (after >= 'a' && after <= 'z') ||
                         (after >= '0' && after <= '9');
        if (!word_before && !word_after) return 1;
    }
    return 0;
}

/* The call `status` came from broke the call order: FW_ERR_ARG, and the
 * scan's message names `fn` (and `also`, when not NULL). */
static void misuse(const fw_scan *s, fw_status status, const char *fn, const char *also,
                   int line)
{
    const char *m = fw_scan_error(s);
    if (status != FW_ERR_ARG)
        fail_msg("line %d: %s returned %d (%s), not FW_ERR_ARG", line, fn, (int)status,
                 fw_status_str(status));
    if (!m || !names(m, fn))
        fail_msg("line %d: after %s, fw_scan_error() is \"%s\": it does not name %s", line,
                 fn, m ? m : "(null)", fn);
    if (also && !strstr(m, also))
        fail_msg("line %d: after %s, fw_scan_error() is \"%s\": it does not mention %s",
                 line, fn, m, also);
}
#define assert_misuse(s, call, fn) misuse((s), (call), (fn), NULL, __LINE__)
#define assert_too_early(s, call, fn) misuse((s), (call), (fn), "fw_scan_run", __LINE__)

static fw_scan *new_scan(uint64_t memory_limit, const char *tmp_dir)
{
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.threads = 2;
    o.memory_limit = memory_limit;
    o.tmp_dir = tmp_dir;
    fw_scan *s = NULL;
    char why[256] = "";
    if (fw_scan_new(&o, &s, why, sizeof why) != FW_OK) fail_msg("fw_scan_new: %s", why);
    return s;
}

/* Three texts of 100 distinct ideographs: "a" and its copy "b" with one
 * character changed (Jaccard 91/101), and an unrelated "c". */
static void add_three(fw_scan *s)
{
    for (int d = 0; d < 3; d++) {
        text_buf b = {0};
        for (uint32_t i = 0; i < 100; i++)
            put_cp(&b, d == 1 && i == 50 ? 0x9FA0 : (d == 2 ? 0x6000 : 0x4E00) + i);
        const char id[2] = {(char)('a' + d), '\0'};
        assert_int_equal(fw_scan_add_text(s, id, b.s, b.len), FW_OK);
        free(b.s);
    }
}

/* A paragraph of 1–3 sentences of 60–110 random ideographs, each closed
 * by 。: every sentence is a passage. */
static void paragraph(text_buf *b, uint64_t seed)
{
    uint64_t saved = rng_state;
    rng_state = seed;
    for (int s = 0, n = 1 + (int)(rng() % 3); s < n; s++) {
        for (int i = 0, len = 60 + (int)(rng() % 51); i < len; i++)
            put_cp(b, 0x4E00 + (uint32_t)(rng() % 3000));
        put(b, "\xE3\x80\x82", 3);
    }
    put(b, "\n", 1);
    rng_state = saved;
}

/* 30 documents, each with a paragraph of its own, two it shares with its
 * neighbour (groups, and 15 reuse pairs) and a footer all 30 share
 * (boilerplate); then a 31st, an exact copy of the first under the same
 * id (a pair, and a document whose message says it was renamed). */
#define NDOCS 31
typedef struct corpus {
    text_buf text[NDOCS];
    char id[NDOCS][16];
} corpus;

static void make_corpus(corpus *c)
{
    memset(c, 0, sizeof *c);
    for (int d = 0; d < NDOCS - 1; d++) {
        snprintf(c->id[d], sizeof c->id[d], "doc%02d", d);
        paragraph(&c->text[d], 1000 + (uint64_t)d);
        paragraph(&c->text[d], 2000 + (uint64_t)d / 2);
        paragraph(&c->text[d], 2500 + (uint64_t)d / 2);
        paragraph(&c->text[d], 3000);
    }
    snprintf(c->id[NDOCS - 1], sizeof c->id[NDOCS - 1], "%s", c->id[0]);
    put(&c->text[NDOCS - 1], c->text[0].s, c->text[0].len);
}

static void free_corpus(corpus *c)
{
    for (int d = 0; d < NDOCS; d++) free(c->text[d].s);
}

static fw_scan *scan_corpus(const corpus *c, uint64_t memory_limit, const char *tmp_dir)
{
    fw_scan *s = new_scan(memory_limit, tmp_dir);
    for (int d = 0; d < NDOCS; d++)
        assert_int_equal(fw_scan_add_text(s, c->id[d], c->text[d].s, c->text[d].len), FW_OK);
    assert_int_equal(fw_scan_run(s), FW_OK);
    return s;
}

static char tmp_root[64]; /* a scratch directory for reports and spill files */

static int setup(void **state)
{
    (void)state;
    snprintf(tmp_root, sizeof tmp_root, "/tmp/fanwen-test-api-XXXXXX");
    return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    return system(cmd) == 0 ? 0 : -1;
}

/* -------------------------------------------------------------- tests */

static void test_version_is_the_headers(void **state)
{
    (void)state;
    assert_string_equal(fw_version(), FW_VERSION_STRING);
    assert_int_equal(fw_version_number(), FW_VERSION_NUMBER);
    unsigned major, minor, patch;
    assert_int_equal(sscanf(fw_version(), "%u.%u.%u", &major, &minor, &patch), 3);
    assert_int_equal(major, FW_VERSION_MAJOR);
    assert_int_equal(minor, FW_VERSION_MINOR);
    assert_int_equal(patch, FW_VERSION_PATCH);
    assert_int_equal(fw_version_number(), major * 10000 + minor * 100 + patch);
}

static void test_no_error_on_a_new_scan(void **state)
{
    (void)state;
    fw_scan *s = new_scan(0, NULL);
    assert_string_equal(fw_scan_error(s), "");
    fw_scan_free(s);
}

/* Adding: a NULL id, or a NULL text with a length, is refused and adds
 * nothing; a NULL text of length 0 is an empty document. */
static void test_add_text_checks_its_arguments(void **state)
{
    (void)state;
    fw_scan *s = new_scan(0, NULL);
    assert_misuse(s, fw_scan_add_text(s, NULL, "text", 4), "fw_scan_add_text");
    assert_misuse(s, fw_scan_add_text(s, "x", NULL, 4), "fw_scan_add_text");
    assert_int_equal(fw_scan_doc_count(s), 0);
    fw_scan_stats st;
    fw_scan_get_stats(s, &st);
    assert_int_equal(st.inputs, 0);
    assert_int_equal(fw_scan_add_text(s, "empty", NULL, 0), FW_OK);
    assert_int_equal(fw_scan_doc_count(s), 1);
    assert_int_equal(fw_scan_run(s), FW_OK);
    fw_doc_info d;
    assert_int_equal(fw_scan_doc(s, 0, &d), FW_OK);
    assert_string_equal(d.id, "empty");
    assert_int_equal(d.status, FW_DOC_EMPTY);
    fw_scan_free(s);
}

static void test_no_adding_after_the_run(void **state)
{
    (void)state;
    fw_scan *s = new_scan(0, NULL);
    add_three(s);
    assert_int_equal(fw_scan_run(s), FW_OK);
    assert_misuse(s, fw_scan_add_text(s, "late", "迟到的文字", strlen("迟到的文字")),
                  "fw_scan_add_text");
    assert_misuse(s, fw_scan_add_path(s, FANWEN_CORPUS), "fw_scan_add_path");
    /* nothing changed */
    assert_int_equal(fw_scan_doc_count(s), 3);
    fw_scan_stats st;
    fw_scan_get_stats(s, &st);
    assert_int_equal(st.inputs, 3);
    assert_int_equal(fw_scan_pair_count(s), 1);
    fw_doc_info d;
    assert_int_equal(fw_scan_doc(s, 2, &d), FW_OK);
    assert_string_equal(d.id, "c");
    fw_scan_free(s);
}

static void test_run_once_only(void **state)
{
    (void)state;
    fw_scan *s = new_scan(0, NULL);
    add_three(s);
    assert_int_equal(fw_scan_run(s), FW_OK);
    const fw_result_pair *before, *after;
    size_t n_before, n_after;
    assert_int_equal(fw_scan_pairs(s, &before, &n_before), FW_OK);
    assert_misuse(s, fw_scan_run(s), "fw_scan_run");
    /* the results are still there, the same */
    assert_int_equal(fw_scan_pairs(s, &after, &n_after), FW_OK);
    assert_ptr_equal(before, after);
    assert_int_equal(n_before, 1);
    assert_int_equal(n_after, 1);
    assert_int_equal(after[0].a, 0);
    assert_int_equal(after[0].b, 1);
    assert_true(after[0].jaccard == 91.0 / 101.0);
    fw_scan_free(s);
}

/* Before the run: every accessor refuses, naming itself and the run; the
 * counts are 0; nothing is written. Documents added are counted already. */
static void test_no_results_before_the_run(void **state)
{
    (void)state;
    fw_scan *s = new_scan(0, NULL);
    add_three(s);
    assert_int_equal(fw_scan_doc_count(s), 3);

    fw_doc_info doc;
    fw_passage_info passage;
    fw_group_info group;
    const fw_result_pair *pairs;
    const fw_reuse_pair *reuse;
    size_t rank_doc, count;
    /* index 0 is in range of the documents added: only the phase is wrong */
    assert_too_early(s, fw_scan_doc(s, 0, &doc), "fw_scan_doc");
    assert_too_early(s, fw_scan_doc_by_rank(s, 0, &rank_doc), "fw_scan_doc_by_rank");
    assert_too_early(s, fw_scan_pairs(s, &pairs, &count), "fw_scan_pairs");
    assert_too_early(s, fw_scan_reuse(s, &reuse, &count), "fw_scan_reuse");
    assert_too_early(s, fw_scan_doc_passage(s, 0, 0, &passage), "fw_scan_doc_passage");
    assert_too_early(s, fw_scan_grouped_passage(s, 0, &passage), "fw_scan_grouped_passage");
    assert_too_early(s, fw_scan_group(s, 0, &group), "fw_scan_group");
    assert_too_early(s, fw_scan_boilerplate(s, 0, &group), "fw_scan_boilerplate");

    assert_int_equal(fw_scan_pair_count(s), 0);
    assert_int_equal(fw_scan_reuse_count(s), 0);
    assert_int_equal(fw_scan_grouped_count(s), 0);
    assert_int_equal(fw_scan_group_count(s), 0);
    assert_int_equal(fw_scan_boilerplate_count(s), 0);
    assert_int_equal(fw_scan_doc_passage_count(s, 0), 0);

    char dir[128];
    snprintf(dir, sizeof dir, "%s/early-report", tmp_root);
    assert_too_early(s, fw_report_write(s, dir, NULL), "fw_report_write");
    struct stat st;
    assert_int_equal(stat(dir, &st), -1); /* not even the directory */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_too_early(s, fw_report_write_pairs(s, f), "fw_report_write_pairs");
    assert_int_equal(ftell(f), 0);
    fclose(f);

    /* and the scan still runs as if none of this had happened */
    assert_int_equal(fw_scan_run(s), FW_OK);
    assert_int_equal(fw_scan_pair_count(s), 1);
    fw_scan_free(s);
}

static void test_indexes_out_of_range(void **state)
{
    (void)state;
    corpus *c = malloc(sizeof *c);
    make_corpus(c);
    fw_scan *s = scan_corpus(c, 0, NULL);
    size_t n = fw_scan_doc_count(s);
    assert_int_equal(n, NDOCS);
    assert_true(fw_scan_grouped_count(s) > 0);
    assert_true(fw_scan_group_count(s) > 0);
    assert_true(fw_scan_boilerplate_count(s) > 0);

    fw_doc_info doc;
    fw_passage_info passage;
    fw_group_info group;
    size_t rank_doc;
    uint32_t np = fw_scan_doc_passage_count(s, 0);
    assert_true(np > 0);
    for (int k = 0; k < 3; k++) { /* the count, one past it, the largest index */
#define PAST(count) (k == 2 ? SIZE_MAX : (size_t)(count) + (size_t)k)
        assert_misuse(s, fw_scan_doc(s, PAST(n), &doc), "fw_scan_doc");
        assert_misuse(s, fw_scan_doc_by_rank(s, PAST(n), &rank_doc), "fw_scan_doc_by_rank");
        assert_misuse(s, fw_scan_doc_passage(s, PAST(n), 0, &passage), "fw_scan_doc_passage");
        assert_misuse(s, fw_scan_doc_passage(s, 0, k == 2 ? UINT32_MAX : np + (uint32_t)k,
                                             &passage),
                      "fw_scan_doc_passage");
        assert_misuse(s, fw_scan_grouped_passage(s, PAST(fw_scan_grouped_count(s)), &passage),
                      "fw_scan_grouped_passage");
        assert_misuse(s, fw_scan_group(s, PAST(fw_scan_group_count(s)), &group),
                      "fw_scan_group");
        assert_misuse(s, fw_scan_boilerplate(s, PAST(fw_scan_boilerplate_count(s)), &group),
                      "fw_scan_boilerplate");
#undef PAST
    }
    assert_int_equal(fw_scan_doc_passage_count(s, n), 0);
    /* the last position of each is in range */
    assert_int_equal(fw_scan_doc(s, n - 1, &doc), FW_OK);
    assert_int_equal(fw_scan_doc_by_rank(s, n - 1, &rank_doc), FW_OK);
    assert_true(rank_doc < n);
    assert_int_equal(fw_scan_doc_passage(s, 0, fw_scan_doc_passage_count(s, 0) - 1, &passage),
                     FW_OK);
    assert_int_equal(passage.index, fw_scan_doc_passage_count(s, 0));
    assert_int_equal(fw_scan_grouped_passage(s, fw_scan_grouped_count(s) - 1, &passage), FW_OK);
    assert_int_equal(fw_scan_group(s, fw_scan_group_count(s) - 1, &group), FW_OK);
    assert_int_equal(group.group, fw_scan_group_count(s));
    assert_int_equal(fw_scan_boilerplate(s, fw_scan_boilerplate_count(s) - 1, &group), FW_OK);
    assert_true(group.boilerplate);
    fw_scan_free(s);
    free_corpus(c);
    free(c);
}

/* A report directory that cannot be made (its parent is a regular file):
 * FW_ERR_IO, the path in the message, and the scan's results untouched. */
static void test_unwritable_report_names_the_path(void **state)
{
    (void)state;
    fw_scan *s = new_scan(0, NULL);
    add_three(s);
    assert_int_equal(fw_scan_run(s), FW_OK);
    char file[128], dir[160];
    snprintf(file, sizeof file, "%s/not-a-directory", tmp_root);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/report", file);
    assert_int_equal(fw_report_write(s, dir, NULL), FW_ERR_IO);
    const char *m = fw_scan_error(s);
    if (!strstr(m, file))
        fail_msg("fw_scan_error() is \"%s\": it does not name %s", m, file);
    assert_int_equal(fw_scan_pair_count(s), 1);
    /* a directory that can be made works after the failure */
    snprintf(dir, sizeof dir, "%s/report-ok", tmp_root);
    assert_int_equal(fw_report_write(s, dir, NULL), FW_OK);
    fw_scan_free(s);
}

/* Every pointer a result hands out stays the same, and what it points to
 * unchanged, through any number of later calls: accessors, reports, and
 * calls that fail. */
static void test_results_outlive_later_calls(void **state)
{
    (void)state;
    corpus *c = malloc(sizeof *c);
    make_corpus(c);
    fw_scan *s = scan_corpus(c, 0, NULL);
    size_t n = fw_scan_doc_count(s);

    const fw_result_pair *pairs;
    const fw_reuse_pair *reuse;
    size_t npairs, nreuse;
    assert_int_equal(fw_scan_pairs(s, &pairs, &npairs), FW_OK);
    assert_int_equal(fw_scan_reuse(s, &reuse, &nreuse), FW_OK);
    assert_true(npairs >= 1); /* the copy of doc00 */
    assert_true(nreuse >= 15);
    fw_result_pair *pairs_copy = malloc(npairs * sizeof *pairs_copy);
    fw_reuse_pair *reuse_copy = malloc(nreuse * sizeof *reuse_copy);
    memcpy(pairs_copy, pairs, npairs * sizeof *pairs);
    memcpy(reuse_copy, reuse, nreuse * sizeof *reuse);
    const char *id[NDOCS], *message[NDOCS];
    char id_copy[NDOCS][32], message_copy[NDOCS][128];
    for (size_t d = 0; d < n; d++) {
        fw_doc_info info;
        assert_int_equal(fw_scan_doc(s, d, &info), FW_OK);
        id[d] = info.id;
        message[d] = info.message;
        snprintf(id_copy[d], sizeof id_copy[d], "%s", info.id);
        snprintf(message_copy[d], sizeof message_copy[d], "%s", info.message);
    }
    assert_string_equal(id_copy[NDOCS - 1], "doc00#2");
    assert_true(message_copy[NDOCS - 1][0] != '\0'); /* renamed, and says so */

    /* everything else a program might do with the results */
    for (int round = 0; round < 2; round++) {
        for (size_t d = 0; d < n; d++) {
            fw_doc_info info;
            size_t by_rank;
            assert_int_equal(fw_scan_doc(s, d, &info), FW_OK);
            assert_int_equal(fw_scan_doc_by_rank(s, d, &by_rank), FW_OK);
            for (uint32_t i = 0; i < fw_scan_doc_passage_count(s, d); i++) {
                fw_passage_info p;
                assert_int_equal(fw_scan_doc_passage(s, d, i, &p), FW_OK);
            }
        }
        for (size_t i = 0; i < fw_scan_grouped_count(s); i++) {
            fw_passage_info p;
            assert_int_equal(fw_scan_grouped_passage(s, i, &p), FW_OK);
        }
        for (size_t i = 0; i < fw_scan_group_count(s); i++) {
            fw_group_info g;
            assert_int_equal(fw_scan_group(s, i, &g), FW_OK);
        }
        for (size_t i = 0; i < fw_scan_boilerplate_count(s); i++) {
            fw_group_info g;
            assert_int_equal(fw_scan_boilerplate(s, i, &g), FW_OK);
        }
        char dir[128];
        snprintf(dir, sizeof dir, "%s/lifetime-%d", tmp_root, round);
        assert_int_equal(fw_report_write(s, dir, NULL), FW_OK);
        FILE *f = tmpfile();
        assert_non_null(f);
        assert_int_equal(fw_report_write_pairs(s, f), FW_OK);
        fclose(f);
        fw_doc_info info;
        assert_misuse(s, fw_scan_doc(s, n, &info), "fw_scan_doc");
        assert_misuse(s, fw_scan_run(s), "fw_scan_run");
        fw_scan_stats st;
        fw_scan_get_stats(s, &st);
    }

    const fw_result_pair *pairs_again;
    const fw_reuse_pair *reuse_again;
    size_t npairs_again, nreuse_again;
    assert_int_equal(fw_scan_pairs(s, &pairs_again, &npairs_again), FW_OK);
    assert_int_equal(fw_scan_reuse(s, &reuse_again, &nreuse_again), FW_OK);
    assert_ptr_equal(pairs_again, pairs);
    assert_ptr_equal(reuse_again, reuse);
    assert_int_equal(npairs_again, npairs);
    assert_int_equal(nreuse_again, nreuse);
    assert_memory_equal(pairs, pairs_copy, npairs * sizeof *pairs);
    assert_memory_equal(reuse, reuse_copy, nreuse * sizeof *reuse);
    for (size_t d = 0; d < n; d++) {
        fw_doc_info info;
        assert_int_equal(fw_scan_doc(s, d, &info), FW_OK);
        assert_ptr_equal(info.id, id[d]);
        assert_ptr_equal(info.message, message[d]);
        assert_string_equal(id[d], id_copy[d]);
        assert_string_equal(message[d], message_copy[d]);
    }
    fw_scan_free(s);
    free(pairs_copy);
    free(reuse_copy);
    free_corpus(c);
    free(c);
}

static void assert_excerpt(const char *text, const char *expected)
{
    assert_non_null(memchr(text, '\0', FW_EXCERPT_SIZE));
    assert_true(text[0] != '\0');
    assert_string_equal(text, expected);
}

/* Under a memory limit excerpts are read back from a spill file. Two of
 * them fetched one after the other into two structs are both intact (each
 * call fills the caller's struct, no shared buffer), and both equal the
 * excerpts of the same scan made in memory. */
static void test_excerpts_are_copied_under_a_memory_limit(void **state)
{
    (void)state;
    corpus *c = malloc(sizeof *c);
    make_corpus(c);
    char spill[128];
    snprintf(spill, sizeof spill, "%s/spill", tmp_root);
    assert_int_equal(mkdir(spill, 0700), 0);
    fw_scan *mem = scan_corpus(c, 0, NULL);
    fw_scan *disk = scan_corpus(c, 1u << 20, spill);

    size_t ngrouped = fw_scan_grouped_count(mem);
    assert_true(ngrouped >= 2);
    assert_int_equal(fw_scan_grouped_count(disk), ngrouped);
    for (size_t i = 0; i + 1 < ngrouped; i++) {
        fw_passage_info want0, want1, got0, got1;
        assert_int_equal(fw_scan_grouped_passage(mem, i, &want0), FW_OK);
        assert_int_equal(fw_scan_grouped_passage(mem, i + 1, &want1), FW_OK);
        assert_int_equal(fw_scan_grouped_passage(disk, i, &got0), FW_OK);
        assert_int_equal(fw_scan_grouped_passage(disk, i + 1, &got1), FW_OK);
        assert_excerpt(got0.text, want0.text);
        assert_excerpt(got1.text, want1.text);
        assert_int_equal(got0.doc, want0.doc);
        assert_int_equal(got0.index, want0.index);
        assert_int_equal(got0.group, want0.group);
    }

    size_t ngroups = fw_scan_group_count(mem);
    assert_true(ngroups >= 16); /* 15 shared paragraphs' sentences and the footer's */
    assert_int_equal(fw_scan_group_count(disk), ngroups);
    for (size_t i = 0; i + 1 < ngroups; i++) {
        fw_group_info want0, want1, got0, got1;
        assert_int_equal(fw_scan_group(mem, i, &want0), FW_OK);
        assert_int_equal(fw_scan_group(mem, i + 1, &want1), FW_OK);
        assert_int_equal(fw_scan_group(disk, i, &got0), FW_OK);
        assert_int_equal(fw_scan_group(disk, i + 1, &got1), FW_OK);
        assert_excerpt(got0.text, want0.text);
        assert_excerpt(got1.text, want1.text);
    }

    size_t nboiler = fw_scan_boilerplate_count(mem);
    assert_true(nboiler >= 1);
    assert_int_equal(fw_scan_boilerplate_count(disk), nboiler);
    fw_group_info b0, b1;
    assert_int_equal(fw_scan_boilerplate(disk, 0, &b0), FW_OK);
    assert_int_equal(fw_scan_boilerplate(disk, nboiler - 1, &b1), FW_OK);
    fw_group_info want;
    assert_int_equal(fw_scan_boilerplate(mem, 0, &want), FW_OK);
    assert_excerpt(b0.text, want.text);
    assert_int_equal(fw_scan_boilerplate(mem, nboiler - 1, &want), FW_OK);
    assert_excerpt(b1.text, want.text);

    /* a document's passages, each followed by another document's */
    for (uint32_t i = 0; i < fw_scan_doc_passage_count(mem, 0); i++) {
        fw_passage_info want0, want1, got0, got1;
        assert_int_equal(fw_scan_doc_passage(mem, 0, i, &want0), FW_OK);
        assert_int_equal(fw_scan_doc_passage(mem, 1, 0, &want1), FW_OK);
        assert_int_equal(fw_scan_doc_passage(disk, 0, i, &got0), FW_OK);
        assert_int_equal(fw_scan_doc_passage(disk, 1, 0, &got1), FW_OK);
        assert_excerpt(got0.text, want0.text);
        assert_excerpt(got1.text, want1.text);
    }
    fw_scan_free(disk);
    fw_scan_free(mem);
    free_corpus(c);
    free(c);
}

/* A run that fails — here its spill files cannot grow (RLIMIT_FSIZE 0,
 * SIGXFSZ ignored: writes fail with EFBIG) — leaves a message; then
 * running again, reading results and writing reports are refused. */
static void test_nothing_after_a_failed_run(void **state)
{
    (void)state;
    corpus *c = malloc(sizeof *c);
    make_corpus(c);
    char spill[128];
    snprintf(spill, sizeof spill, "%s/spill-full", tmp_root);
    assert_int_equal(mkdir(spill, 0700), 0);
    fw_scan *s = new_scan(1u << 20, spill);
    for (int d = 0; d < NDOCS; d++)
        assert_int_equal(fw_scan_add_text(s, c->id[d], c->text[d].s, c->text[d].len), FW_OK);

    struct rlimit saved, none;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    none = saved;
    none.rlim_cur = 0;
    void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &none), 0);
    fw_status st = fw_scan_run(s);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old);

    assert_true(st != FW_OK);
    assert_true(fw_scan_error(s)[0] != '\0');
    fw_scan_stats stats;
    fw_scan_get_stats(s, &stats);
    assert_int_equal(stats.inputs, NDOCS);

    assert_misuse(s, fw_scan_run(s), "fw_scan_run");
    const fw_result_pair *pairs;
    size_t count;
    fw_doc_info doc;
    assert_misuse(s, fw_scan_pairs(s, &pairs, &count), "fw_scan_pairs");
    assert_misuse(s, fw_scan_doc(s, 0, &doc), "fw_scan_doc");
    assert_int_equal(fw_scan_pair_count(s), 0);
    assert_int_equal(fw_scan_group_count(s), 0);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/after-failure", tmp_root);
    assert_misuse(s, fw_report_write(s, dir, NULL), "fw_report_write");
    fw_scan_free(s);
    free_corpus(c);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_is_the_headers),
        cmocka_unit_test(test_no_error_on_a_new_scan),
        cmocka_unit_test(test_add_text_checks_its_arguments),
        cmocka_unit_test(test_no_adding_after_the_run),
        cmocka_unit_test(test_run_once_only),
        cmocka_unit_test(test_no_results_before_the_run),
        cmocka_unit_test(test_indexes_out_of_range),
        cmocka_unit_test(test_unwritable_report_names_the_path),
        cmocka_unit_test(test_results_outlive_later_calls),
        cmocka_unit_test(test_excerpts_are_copied_under_a_memory_limit),
        cmocka_unit_test(test_nothing_after_a_failed_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
