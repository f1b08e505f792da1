/*
 * test_html.c — the evidence: fw_scan_explain(), `fanwen explain`, and the
 * HTML report's files (what a browser shows of them is test_browser.py's).
 *
 * Copies are planted between fillers drawn from different alphabets, so
 * that a run can only be the copy: the runs must be the copies' exact
 * bytes. A year and a swapped word planted in a copy must be the
 * differences template mode forgives, at their bytes. Hostile text and ids
 * must come out escaped; the same input must give the same bytes at one
 * and two threads, from `scan --html` and from `report`; a directory that
 * is not a report must not be replaced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csv.h"
#include "rng.h"
#include "text_buf.h"
#include "workdir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* About `chars` characters drawn from `count` code points from `first`, in
 * sentences of 18 to 30 characters ending in 。 and paragraphs of about
 * 100 (each its own passage), ending in 。. */
static void prose(text_buf *b, uint32_t first, uint32_t count, size_t chars)
{
    size_t n = 0;
    while (n < chars) {
        if (n) put(b, "\n", 1);
        for (size_t m = 0; m < 100 && n < chars;) {
            size_t k = 18 + rng() % 13;
            if (k > chars - n) k = chars - n;
            for (size_t i = 0; i < k; i++) put_cp(b, first + (uint32_t)(rng() % count));
            put(b, "。", strlen("。"));
            m += k;
            n += k;
        }
    }
}

/* Where a copy lies in a text: its first byte and the byte after its last
 * letter (a run ends on a letter, not on the 。 after it). */
static void locate(const text_buf *doc, const text_buf *copy, uint64_t *start, uint64_t *end)
{
    const char *at = strstr(doc->s, copy->s);
    assert_non_null(at);
    *start = (uint64_t)(at - doc->s);
    *end = *start + copy->len - strlen("。");
}

static fw_scan *scan_texts(const char *const *ids, text_buf *texts, size_t n, int threads)
{
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.threads = threads;
    fw_scan *scan;
    assert_int_equal(fw_scan_new(&o, &scan, NULL, 0), FW_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fw_scan_add_text(scan, ids[i], texts[i].s, texts[i].len), FW_OK);
    assert_int_equal(fw_scan_run(scan), FW_OK);
    return scan;
}

static size_t letters(const text_buf *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->len;) {
        uint32_t cp;
        int bad;
        i += fw_utf8_decode((const unsigned char *)t->s + i, t->len - i, &cp, &bad);
        n += cp != 0x3002 && cp != '\n';
    }
    return n;
}

/* A 300-character copy between fillers of other alphabets is one run, at
 * the copy's bytes on both sides; its characters are each side's marked
 * characters; a longer --min-run than the copy marks nothing. */
static void test_planted_copy_is_one_run_at_its_bytes(void **state)
{
    (void)state;
    rng_state = 15;
    text_buf copy = {0}, t[3] = {{0}};
    prose(&copy, 0x7000, 256, 300);
    prose(&t[0], 0x4E00, 128, 200);
    put(&t[0], "\n", 1);
    put(&t[0], copy.s, copy.len);
    put(&t[0], "\n", 1);
    prose(&t[0], 0x4E00, 128, 200);
    prose(&t[1], 0x4E80, 128, 500);
    put(&t[1], "\n", 1);
    put(&t[1], copy.s, copy.len);
    prose(&t[2], 0x5000, 200, 400);
    const char *ids[] = {"a", "b", "other"};
    fw_scan *scan = scan_texts(ids, t, 3, 2);
    fw_explanation *e;
    assert_int_equal(fw_scan_explain(scan, 0, 1, 13, &e), FW_OK);
    uint64_t as, ae, bs, be;
    locate(&t[0], &copy, &as, &ae);
    locate(&t[1], &copy, &bs, &be);
    assert_int_equal(e->from_spans, 1);
    assert_int_equal(e->nruns, 1);
    assert_int_equal(e->runs[0].a_start, as);
    assert_int_equal(e->runs[0].a_end, ae);
    assert_int_equal(e->runs[0].b_start, bs);
    assert_int_equal(e->runs[0].b_end, be);
    assert_int_equal(e->runs[0].chars, letters(&copy));
    assert_int_equal(e->a_marked, letters(&copy));
    assert_int_equal(e->b_marked, letters(&copy));
    assert_int_equal(e->a_chars, letters(&t[0]));
    assert_int_equal(e->ndiffs, 0);
    assert_memory_equal(e->a_text, t[0].s, t[0].len);
    fw_explanation_free(e);
    /* the other way round: sides swapped, same bytes */
    assert_int_equal(fw_scan_explain(scan, 1, 0, 13, &e), FW_OK);
    assert_int_equal(e->nruns, 1);
    assert_int_equal(e->runs[0].a_start, bs);
    assert_int_equal(e->runs[0].b_end, ae);
    fw_explanation_free(e);
    /* runs shorter than min_run are not marked */
    assert_int_equal(fw_scan_explain(scan, 0, 1, 301, &e), FW_OK);
    assert_int_equal(e->nruns, 0);
    assert_int_equal(e->a_marked, 0);
    fw_explanation_free(e);
    /* a document with nothing in common: no span, no run */
    assert_int_equal(fw_scan_explain(scan, 0, 2, 13, &e), FW_OK);
    assert_int_equal(e->spans, 0);
    assert_int_equal(e->nruns, 0);
    fw_explanation_free(e);
    assert_int_equal(fw_scan_explain(scan, 0, 3, 13, &e), FW_ERR_ARG);
    assert_null(e);
    fw_scan_free(scan);
    free(copy.s);
    for (int i = 0; i < 3; i++) free(t[i].s);
}

static const char report_2015[] =
    "2015年，市教育局在市委、市政府的正确领导下，以办人民满意的教育为目标，深入实施"
    "教育强市战略，统筹推进学前教育、义务教育、高中教育和职业教育协调发展，各项工作"
    "取得了新的成绩。全年共投入教育建设资金3.6亿元，新建、改扩建中小学和幼儿园14所。";

/* The copy says 2024 for 2015 and 进展 for 发展: two differences template
 * mode would call equal, a figure and a word, at their bytes. */
static void test_year_and_swapped_word_are_differences(void **state)
{
    (void)state;
    text_buf t[2] = {{0}};
    put(&t[0], report_2015, strlen(report_2015));
    put(&t[1], report_2015, strlen(report_2015));
    memcpy(t[1].s, "2024", 4);
    char *word = strstr(t[1].s, "协调发展");
    assert_non_null(word);
    memcpy(word + strlen("协调"), "进", strlen("进")); /* 发 and 进 are 3 bytes each */
    const char *ids[] = {"2015.txt", "2024.txt"};
    fw_scan *scan = scan_texts(ids, t, 2, 1);
    fw_explanation *e;
    assert_int_equal(fw_scan_explain(scan, 0, 1, 13, &e), FW_OK);
    assert_int_equal(e->from_spans, 1);
    assert_int_equal(e->ndiffs, 2);
    assert_int_equal(e->diffs[0].kind, FW_DIFF_FIGURE);
    assert_int_equal(e->diffs[0].a_start, 0);
    assert_int_equal(e->diffs[0].a_end, 4);
    assert_int_equal(e->diffs[0].b_start, 0);
    assert_int_equal(e->diffs[0].b_end, 4);
    const uint64_t at = (uint64_t)(word - t[1].s) + strlen("协调");
    assert_int_equal(e->diffs[1].kind, FW_DIFF_WORD);
    assert_int_equal(e->diffs[1].a_start, at);
    assert_int_equal(e->diffs[1].a_end, at + 3);
    assert_int_equal(e->diffs[1].b_start, at);
    assert_int_equal(e->diffs[1].b_end, at + 3);
    /* the runs: everything but the year and the swapped character */
    assert_int_equal(e->a_marked, e->a_chars - 4 - 1);
    fw_explanation_free(e);
    fw_scan_free(scan);
    free(t[0].s);
    free(t[1].s);
}

/* Two documents that share 20 characters and nothing else have no span:
 * their runs are the shared n-grams, here one run at its bytes. */
static void test_shared_ngrams_without_spans(void **state)
{
    (void)state;
    rng_state = 7;
    static const char shared[] = "关于进一步加强和改进新时代人才工作的意见"; /* 20 characters */
    text_buf t[2] = {{0}};
    prose(&t[0], 0x4E00, 128, 150);
    put(&t[0], shared, strlen(shared));
    prose(&t[0], 0x4E00, 128, 150);
    prose(&t[1], 0x4E80, 128, 300);
    put(&t[1], shared, strlen(shared));
    prose(&t[1], 0x4E80, 128, 100);
    const char *ids[] = {"a", "b"}; /* unrelated fillers around the 20 characters */
    fw_scan *scan = scan_texts(ids, t, 2, 2);
    fw_explanation *e;
    assert_int_equal(fw_scan_explain(scan, 0, 1, 13, &e), FW_OK);
    assert_int_equal(e->spans, 0);
    assert_int_equal(e->from_spans, 0);
    assert_int_equal(e->nruns, 1);
    const uint64_t as = (uint64_t)(strstr(t[0].s, shared) - t[0].s);
    const uint64_t bs = (uint64_t)(strstr(t[1].s, shared) - t[1].s);
    assert_int_equal(e->runs[0].a_start, as);
    assert_int_equal(e->runs[0].a_end, as + strlen(shared));
    assert_int_equal(e->runs[0].b_start, bs);
    assert_int_equal(e->runs[0].b_end, bs + strlen(shared));
    assert_int_equal(e->a_marked, 20);
    fw_explanation_free(e);
    fw_scan_free(scan);
    free(t[0].s);
    free(t[1].s);
}

/* Every file of a directory tree, concatenated in name order. */
static void slurp_tree(const char *dir, text_buf *out)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.') {
            if (names[i]->d_type == DT_DIR) {
                slurp_tree(path, out);
            } else {
                size_t len = 0;
                char *data = csv_slurp(path, &len);
                assert_non_null(data);
                put(out, data, len);
                free(data);
            }
        }
        free(names[i]);
    }
    free(names);
}

/* Text and ids with markup come out as text: no tag of theirs survives,
 * the escaped forms are there. */
static void test_html_escapes_text_and_ids(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-escape"), 0);
    static const char evil[] =
        "<script>alert(1)</script></textarea><img src=x onerror=alert(2)>"
        "<a href=\"javascript:alert(3)\">'x'</a>\n";
    text_buf t[2] = {{0}};
    for (int i = 0; i < 2; i++) {
        put(&t[i], evil, strlen(evil));
        put(&t[i], report_2015, strlen(report_2015));
    }
    const char *ids[] = {"<xmp>\"one\",\n'x'</xmp>", "<script>two</script>"};
    fw_scan *scan = scan_texts(ids, t, 2, 2);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/html", root);
    assert_int_equal(fw_report_write_html(scan, dir, 10, 13), FW_OK);
    text_buf all = {0};
    slurp_tree(dir, &all);
    assert_true(all.len > 1000);
    for (char *p = all.s; *p; p++) *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    assert_null(strstr(all.s, "<script"));
    assert_null(strstr(all.s, "<img"));
    assert_null(strstr(all.s, "<textarea"));
    assert_null(strstr(all.s, "</textarea"));
    assert_null(strstr(all.s, "<xmp"));
    assert_null(strstr(all.s, "href=\"javascript"));
    assert_non_null(strstr(all.s, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/textarea&gt;"));
    assert_non_null(strstr(all.s, "&lt;xmp&gt;&quot;one&quot;,\n&#39;x&#39;&lt;/xmp&gt;"));
    assert_non_null(strstr(all.s, "content-security-policy"));
    free(all.s);
    fw_scan_free(scan);
    free(t[0].s);
    free(t[1].s);
    workdir_remove(NULL);
}

/* diff -r of two directories: 0 when every file is the same. */
static int same_tree(const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "diff -r '%s/%s' '%s/%s' >/dev/null", root, a, root, b);
    return system(cmd) == 0;
}

/* The demo and generated corpora at one and two threads, and `fanwen
 * report` of the same scan: the same bytes. */
static void test_html_same_bytes_at_any_thread_count(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-threads"), 0);
    char args[2048];
    for (int j = 1; j <= 2; j++) {
        snprintf(args, sizeof args, "scan -q -j %d --out out%d --html html%d '%s/docs' "
                 "'%s/generated/docs'", j, j, j, FANWEN_CORPUS, FANWEN_CORPUS);
        assert_int_equal(run(args), 0);
    }
    assert_true(same_tree("html1", "html2"));
    assert_int_equal(run("report -q -j 1 out2 --html html3"), 0);
    assert_true(same_tree("html1", "html3"));
    /* clusters, groups and documents all have pages */
    static const char *const pages[] = {"html1/index.html", "html1/cluster", "html1/group",
                                        "html1/doc", "html1/pair"};
    for (int i = 0; i < 5; i++) {
        struct stat sb;
        assert_int_equal(stat(path_in_root(pages[i]), &sb), 0);
    }
    /* --top bounds the pages */
    assert_int_equal(run("report -q out2 --top 2 --html small"), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "test $(ls '%s/small/cluster' | wc -l) -eq 2", root);
    assert_int_equal(system(cmd), 0);
    workdir_remove(NULL);
}

/* A directory that is not a report is not replaced; a report is, whole,
 * and nothing is left beside it. */
static void test_html_replaces_only_a_report(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-replace"), 0);
    char args[2048];
    snprintf(args, sizeof args, "scan -q --out out --html in '%s/docs'", FANWEN_CORPUS);
    write_text("precious.txt", "不能删除的文件。");
    assert_int_equal(run(args), 1);
    size_t len;
    char *err = csv_slurp(path_in_root("stderr.txt"), &len);
    assert_non_null(strstr(err, "exists and is not an HTML report of fanwen"));
    free(err);
    struct stat sb;
    assert_int_equal(stat(path_in_root("in/precious.txt"), &sb), 0);
    /* said before the scan: no CSV written either */
    assert_int_equal(stat(path_in_root("out"), &sb), -1);
    /* nor when the HTML report would be the CSVs' directory (the CSVs were
     * written, then the HTML refused, with a message that they were not) */
    snprintf(args, sizeof args, "scan -q --out out --html out/ '%s/docs'", FANWEN_CORPUS);
    assert_int_equal(run(args), 1);
    err = csv_slurp(path_in_root("stderr.txt"), &len);
    assert_non_null(strstr(err, "cannot be the HTML report too"));
    free(err);
    assert_int_equal(stat(path_in_root("out"), &sb), -1);
    /* a report stopped by a signal leaves html.tmp.PID (its handler can
     * unlink, not remove a tree): the next report to html removes it when
     * PID is no process; another process's, or a name that is no pid, stay */
    char live[64];
    snprintf(live, sizeof live, "html.tmp.%ld", (long)getppid());
    const char *tmps[3] = {"html.tmp.2147483646", "html.tmp.x1", live};
    for (int i = 0; i < 3; i++) {
        char dir[1200];
        snprintf(dir, sizeof dir, "%s/pair", path_in_root(tmps[i]));
        assert_int_equal(mkdir(path_in_root(tmps[i]), 0777), 0);
        assert_int_equal(mkdir(dir, 0777), 0);
    }
    snprintf(args, sizeof args, "scan -q --out out --html html '%s/docs'", FANWEN_CORPUS);
    assert_int_equal(run(args), 0);
    assert_int_equal(stat(path_in_root(tmps[0]), &sb), -1);
    assert_int_equal(stat(path_in_root(tmps[1]), &sb), 0);
    assert_int_equal(stat(path_in_root(tmps[2]), &sb), 0);
    for (int i = 1; i < 3; i++) { /* path_in_root's buffer: one at a time */
        char rm[1200];
        snprintf(rm, sizeof rm, "rm -r '%s'", path_in_root(tmps[i]));
        assert_int_equal(system(rm), 0);
    }
    FILE *f = fopen(path_in_root("html/pair/stale.html"), "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(run(args), 0);
    assert_int_equal(stat(path_in_root("html/pair/stale.html"), &sb), -1);
    assert_int_equal(stat(path_in_root("html/index.html"), &sb), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -a '%s' | grep -E 'html\\.(tmp|old)')\"", root);
    assert_int_equal(system(cmd), 0);
    workdir_remove(NULL);
}

/* Random ideographs from [base, base + 500), none of another call's. */
static void put_random(text_buf *b, uint32_t base, int n)
{
    for (int i = 0; i < n; i++) put_cp(b, base + (uint32_t)(rng() % 500));
}

/* Without spans, explain marks the characters of each text that lie in a
 * run of at least 13 characters the other also holds, wherever it holds
 * it: b.txt holds one shared string twice, and both are its copied text
 * whichever order the two are given in (b's second copy was not marked
 * when b was B: 35 characters there, 55 the other way). */
static void test_explain_without_spans_is_symmetric(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-explain-ngrams"), 0);
    rng_state = 31337;
    text_buf s1 = {0}, s2 = {0}, a = {0}, b = {0};
    put_random(&s1, 0x6000, 20);
    put_random(&s2, 0x6400, 15);
    put_random(&a, 0x4E00, 90);
    put(&a, s1.s, s1.len);
    put_random(&a, 0x5000, 90);
    put(&a, s2.s, s2.len);
    put_random(&a, 0x5200, 90);
    put_random(&b, 0x5400, 90);
    put(&b, s1.s, s1.len);
    put_random(&b, 0x5600, 90);
    put(&b, s1.s, s1.len);
    put_random(&b, 0x5800, 90);
    put(&b, s2.s, s2.len);
    put_random(&b, 0x5A00, 90);
    write_file("a.txt", a.s, a.len);
    write_file("b.txt", b.s, b.len);
    const char *orders[2] = {"explain in/a.txt in/b.txt", "explain in/b.txt in/a.txt"};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(run(orders[k]), 0);
        size_t len;
        char *out = csv_slurp(path_in_root("stdout.txt"), &len);
        assert_non_null(strstr(out, "no reused span"));
        char want[128];
        snprintf(want, sizeof want, "(%d characters)  B ", k ? 55 : 35);
        if (!strstr(out, want)) fail_msg("no '%s' in:\n%s", want, out);
        snprintf(want, sizeof want, "(%d characters)\n", k ? 35 : 55);
        if (!strstr(out, want)) fail_msg("no '%s' in:\n%s", want, out);
        /* and listed: the shared string at both of b's places, the other once */
        int listed = 0;
        for (const char *at = out; (at = strstr(at, "\n  A[")) != NULL; at++) listed++;
        if (listed != 3) fail_msg("%d runs listed, not 3:\n%s", listed, out);
        free(out);
    }
    free(s1.s);
    free(s2.s);
    free(a.s);
    free(b.s);
    workdir_remove(NULL);
}

/* A copy longer than the aligner's window (2,048 characters) between
 * fillers of other alphabets: exact, it is one run at its bytes, every
 * character marked; with one character changed in each of three places
 * (one of them on a window's three-quarter mark), everything else is
 * marked. (A window whose only run crossed the mark kept none of it, and
 * the next window began past its start: a 2,340-character copy was marked
 * 56%.) */
static void test_long_copy_is_marked_whole(void **state)
{
    (void)state;
    static const size_t lengths[] = {2049, 2340, 5000, 9000};
    for (int edited = 0; edited <= 1; edited++)
        for (size_t li = 0; li < sizeof lengths / sizeof *lengths; li++) {
            rng_state = 40 + li;
            text_buf copy = {0}, t[2] = {{0}};
            prose(&copy, 0x7000, 256, lengths[li]);
            text_buf other = {0}; /* the copy, edited or not */
            put(&other, copy.s, copy.len);
            size_t changed = 0;
            if (edited) { /* a letter's first byte at about these characters */
                static const size_t at[] = {700, 1536, 1900};
                for (size_t k = 0; k < 3; k++) {
                    size_t byte = at[k] * 3;
                    while (byte < other.len && (unsigned char)other.s[byte] != 0xE7) byte++;
                    if (byte + 3 > other.len || !memcmp(other.s + byte, "。", 3)) continue;
                    memcpy(other.s + byte, "\xE4\xB8\x80", 3); /* 一: not in the copy's alphabet */
                    changed++;
                }
                assert_int_equal(changed, 3);
            }
            prose(&t[0], 0x4E00, 128, 200);
            put(&t[0], "\n", 1);
            put(&t[0], copy.s, copy.len);
            put(&t[0], "\n", 1);
            prose(&t[0], 0x4E00, 128, 200);
            prose(&t[1], 0x4E80, 128, 300);
            put(&t[1], "\n", 1);
            put(&t[1], other.s, other.len);
            const char *ids[] = {"a", "b"};
            fw_scan *scan = scan_texts(ids, t, 2, 2);
            for (int order = 0; order < 2; order++) {
                fw_explanation *e;
                assert_int_equal(fw_scan_explain(scan, order, 1 - order, 13, &e), FW_OK);
                assert_int_equal(e->from_spans, 1);
                const size_t want = letters(&copy) - changed;
                if (e->a_marked != want || e->b_marked != want)
                    fail_msg("%zu-character copy, %zu changed, order %d: %llu and %llu marked, "
                             "not %zu", lengths[li], changed, order,
                             (unsigned long long)e->a_marked, (unsigned long long)e->b_marked,
                             want);
                if (!edited) {
                    uint64_t as, ae;
                    locate(order ? &t[1] : &t[0], &copy, &as, &ae);
                    assert_int_equal(e->nruns, 1);
                    assert_int_equal(e->runs[0].a_start, as);
                    assert_int_equal(e->runs[0].a_end, ae);
                } else {
                    assert_int_equal(e->nruns, 4);
                }
                fw_explanation_free(e);
            }
            fw_scan_free(scan);
            free(copy.s);
            free(other.s);
            free(t[0].s);
            free(t[1].s);
        }
}

/* explain(A, B) is explain(B, A) with the sides exchanged, runs and
 * differences alike, for reworded copies over a small alphabet, where many
 * alignments are as long and the aligner's choice followed the order the
 * two were given in (two pages of one report disagreed by a few
 * characters). */
static void test_explain_with_spans_is_symmetric(void **state)
{
    (void)state;
    rng_state = 77;
    int asymmetric_before = 0;
    for (int round = 0; round < 30; round++) {
        text_buf t[2] = {{0}};
        for (int i = 0; i < 400; i++) {
            uint32_t cp = 0x4E00 + (uint32_t)(rng() % 40);
            put_cp(&t[0], cp);
            /* the copy: a few characters changed, dropped or doubled */
            unsigned r = (unsigned)(rng() % 100);
            if (r >= 6) put_cp(&t[1], r < 8 ? 0x4E00 + (uint32_t)(rng() % 40) : cp);
            if (r >= 6 && r < 9) put_cp(&t[1], cp);
            if (i % 60 == 59) {
                put(&t[0], "2015年", strlen("2015年"));
                put(&t[1], "2024年", strlen("2024年"));
            }
        }
        const char *ids[] = {"a", "b"};
        fw_scan *scan = scan_texts(ids, t, 2, 1);
        fw_explanation *x, *y;
        assert_int_equal(fw_scan_explain(scan, 0, 1, 5, &x), FW_OK);
        assert_int_equal(fw_scan_explain(scan, 1, 0, 5, &y), FW_OK);
        assert_int_equal(x->from_spans, 1);
        assert_int_equal(x->a_marked, y->b_marked);
        assert_int_equal(x->b_marked, y->a_marked);
        assert_int_equal(x->nruns, y->nruns);
        assert_int_equal(x->ndiffs, y->ndiffs);
        for (size_t k = 0; k < x->nruns; k++) { /* y's runs are in B's order */
            const fw_matched_run *m = &x->runs[k];
            size_t found = 0;
            for (size_t j = 0; j < y->nruns; j++)
                found += y->runs[j].a_start == m->b_start && y->runs[j].a_end == m->b_end &&
                         y->runs[j].b_start == m->a_start && y->runs[j].b_end == m->a_end &&
                         y->runs[j].chars == m->chars;
            assert_int_equal(found, 1);
        }
        for (size_t k = 0; k < x->ndiffs; k++) {
            const fw_difference *d = &x->diffs[k];
            size_t found = 0;
            for (size_t j = 0; j < y->ndiffs; j++)
                found += y->diffs[j].a_start == d->b_start && y->diffs[j].a_end == d->b_end &&
                         y->diffs[j].b_start == d->a_start && y->diffs[j].b_end == d->a_end &&
                         y->diffs[j].kind == d->kind;
            assert_int_equal(found, 1);
        }
        /* a figure is listed once, however many gaps it held */
        for (size_t k = 1; k < x->ndiffs; k++)
            assert_true(x->diffs[k].a_start != x->diffs[k - 1].a_start ||
                        x->diffs[k].b_start != x->diffs[k - 1].b_start);
        asymmetric_before += x->nruns > 1;
        fw_explanation_free(x);
        fw_explanation_free(y);
        fw_scan_free(scan);
        free(t[0].s);
        free(t[1].s);
    }
    assert_true(asymmetric_before > 20); /* the rounds had runs to choose among */
}

/* Two gaps inside one date-and-time (one run of digits once normalized)
 * are one figure difference, listed once. */
static void test_figure_listed_once(void **state)
{
    (void)state;
    static const char a[] = "《邵东市林业局2022年工作总结》由本站会员上传分享，支持在线预览，"
                            "更多同类文档请在笔杆范文网站内搜索。　发布时间：2018-10-15 00:46 "
                            "阅读 3746\n";
    static const char b[] = "《衡阳县档案馆2016年工作计划》由本站会员上传分享，支持在线预览，"
                            "更多同类文档请在笔杆范文网站内搜索。　发布时间：2022-03-17 17:46 "
                            "阅读 4880\n";
    text_buf t[2] = {{0}};
    put(&t[0], a, strlen(a));
    put(&t[1], b, strlen(b));
    const char *ids[] = {"a.txt", "b.txt"};
    fw_scan *scan = scan_texts(ids, t, 2, 1);
    fw_explanation *e;
    assert_int_equal(fw_scan_explain(scan, 0, 1, 13, &e), FW_OK);
    const uint64_t at = (uint64_t)(strstr(a, "2018") - a);
    size_t listed = 0;
    for (size_t k = 0; k < e->ndiffs; k++)
        if (e->diffs[k].a_start == at) {
            listed++;
            assert_int_equal(e->diffs[k].kind, FW_DIFF_FIGURE);
            assert_int_equal(e->diffs[k].a_end, at + strlen("2018-10-15 00:46"));
        }
    assert_int_equal(listed, 1);
    fw_explanation_free(e);
    fw_scan_free(scan);
    free(t[0].s);
    free(t[1].s);
}

/* Hangul written decomposed (as macOS files are): a run ends after the
 * last jamo of its last syllable, not inside it. */
static void test_run_ends_after_composed_marks(void **state)
{
    (void)state;
    rng_state = 2;
    text_buf t[2] = {{0}};
    for (int side = 0; side < 2; side++) {
        for (int i = 0; i < 42; i++) /* each side its own start */
            put_cp(&t[side], 0xAC00 + (uint32_t)(side ? 41 - i : i) * 28 * 21);
    }
    uint32_t shared[120];
    for (int i = 0; i < 120; i++) shared[i] = (uint32_t)(rng() % 11172);
    shared[119] = 27 + 28 * 5; /* the last syllable has a final jamo */
    for (int side = 0; side < 2; side++) {
        for (int i = 0; i < 120; i++) { /* decomposed: L V (T) */
            uint32_t s = shared[i];
            put_cp(&t[side], 0x1100 + s / 588);
            put_cp(&t[side], 0x1161 + s % 588 / 28);
            if (s % 28) put_cp(&t[side], 0x11A7 + s % 28);
        }
        put(&t[side], "。\n", strlen("。\n"));
    }
    const char *ids[] = {"a", "b"};
    fw_scan *scan = scan_texts(ids, t, 2, 1);
    fw_explanation *e;
    assert_int_equal(fw_scan_explain(scan, 0, 1, 13, &e), FW_OK);
    assert_true(e->nruns >= 1);
    const uint64_t end = (uint64_t)(strstr(t[0].s, "。") - t[0].s);
    assert_int_equal(e->runs[e->nruns - 1].a_end, end);
    assert_int_equal(e->runs[e->nruns - 1].b_end, end);
    fw_explanation_free(e);
    fw_scan_free(scan);
    free(t[0].s);
    free(t[1].s);
}

/* Every link of a pair page to a run in the other text has its target:
 * where a text holds a string twice, both runs link to the one place in
 * the other. And an id with a CR is not shown as the id without it. */
static void test_pair_page_links_resolve(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-links"), 0);
    static const char x[] = "推动全面从严治党向纵深发展，组织实施农产品执法检查，健全完善体制机制，"
                            "二零二零年是承上启下的重要一年。阳春市供销合作社建筑施工竣工验收指导能力"
                            "建设，城乡客运配套设施不断完善。";
    static const char y[] = "我们将以习近平新时代中国特色社会主义思想为指导，坚持稳中求进工作总基调，"
                            "完整准确全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展，奋力"
                            "谱写新篇章。";
    static const char z[] = "回顾过去一年，全县上下团结一心，攻坚克难，经济社会发展取得了新的成效，"
                            "人民群众获得感幸福感安全感持续增强，各项事业呈现出良好的发展态势，值得充"
                            "分肯定。";
    text_buf t[2] = {{0}};
    put(&t[0], x, strlen(x));
    put(&t[0], "\n\n", 2);
    put(&t[0], y, strlen(y));
    put(&t[0], "\n\n", 2);
    put(&t[0], x, strlen(x));
    put(&t[0], "\n", 1);
    put(&t[1], x, strlen(x));
    put(&t[1], "\n\n", 2);
    put(&t[1], z, strlen(z));
    put(&t[1], "\n", 1);
    const char *ids[] = {"cr\rname", "crname"};
    fw_scan *scan = scan_texts(ids, t, 2, 1);
    for (int order = 0; order < 2; order++) {
        const char *page = path_in_root(order ? "ba.html" : "ab.html");
        assert_int_equal(fw_report_write_pair_html(scan, order, 1 - order, 13, page), FW_OK);
        size_t len;
        char *html = csv_slurp(page, &len);
        assert_non_null(html);
        int links = 0;
        for (const char *at = html; (at = strstr(at, "href=\"#")) != NULL; at++) {
            char target[32], want[48];
            assert_int_equal(sscanf(at + strlen("href=\"#"), "%31[ab0-9]", target), 1);
            snprintf(want, sizeof want, "id=\"%s\"", target);
            if (!strstr(html, want)) fail_msg("a link to #%s, which no element is", target);
            links++;
        }
        assert_int_equal(links, 3); /* a's two runs to b's one place, and it back */
        assert_non_null(strstr(html, "cr\xEF\xBF\xBDname"));
        free(html);
    }
    fw_scan_free(scan);
    free(t[0].s);
    free(t[1].s);
    workdir_remove(NULL);
}

/* Boilerplate lines between copied paragraphs are no copied text: two
 * copies with 推荐阅读 and 相关文章 between their paragraphs (lines 30 other
 * pages hold) have every character marked but those 8, which are grey on
 * the pair page. (They were counted: copy ratio 100% where docs.csv's
 * reused_share said 0.968.) */
static void test_copy_ratio_leaves_out_boilerplate(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-boilerplate"), 0);
    rng_state = 5;
    enum { PAGES = 30 };
    text_buf t[PAGES + 2] = {{0}}, body[3] = {{0}};
    char ids[PAGES + 2][16];
    const char *idp[PAGES + 2];
    for (int i = 0; i < PAGES; i++) {
        prose(&t[i], 0x4E00 + 300 * (uint32_t)(i % 10), 200, 60);
        put(&t[i], "\n推荐阅读\n", strlen("\n推荐阅读\n"));
        prose(&t[i], 0x5E00 + 300 * (uint32_t)(i % 10), 200, 70);
        put(&t[i], "\n相关文章\n", strlen("\n相关文章\n"));
        snprintf(ids[i], sizeof ids[i], "x%02d", i);
    }
    for (int k = 0; k < 3; k++) prose(&body[k], 0x7000 + 300 * (uint32_t)k, 250, 80);
    text_buf *a = &t[PAGES], *b = &t[PAGES + 1];
    put(a, body[0].s, body[0].len);
    put(a, "\n推荐阅读\n", strlen("\n推荐阅读\n"));
    put(a, body[1].s, body[1].len);
    put(a, "\n相关文章\n", strlen("\n相关文章\n"));
    put(a, body[2].s, body[2].len);
    put(b, a->s, a->len); /* the copy keeps the lines: they are aligned too */
    put(b, "\n", 1);
    snprintf(ids[PAGES], sizeof ids[PAGES], "copy");
    snprintf(ids[PAGES + 1], sizeof ids[PAGES + 1], "source");
    for (int i = 0; i < PAGES + 2; i++) idp[i] = ids[i];
    fw_scan *scan = scan_texts(idp, t, PAGES + 2, 2);
    fw_explanation *e;
    assert_int_equal(fw_scan_explain(scan, PAGES, PAGES + 1, 13, &e), FW_OK);
    assert_int_equal(e->a_chars, letters(a));
    assert_int_equal(e->a_marked, letters(a) - 8);
    assert_int_equal(e->b_marked, letters(b) - 8);
    fw_explanation_free(e);
    const char *page = path_in_root("pair.html");
    assert_int_equal(fw_report_write_pair_html(scan, PAGES, PAGES + 1, 13, page), FW_OK);
    size_t len;
    char *html = csv_slurp(page, &len);
    char *line = strstr(html, "推荐阅读</a>"); /* a run's segment, grey */
    assert_non_null(line);
    while (line > html && *line != '<') line--;
    assert_int_equal(strncmp(line, "<a class=\"r bp\"", strlen("<a class=\"r bp\"")), 0);
    free(html);
    fw_scan_free(scan);
    for (int i = 0; i < PAGES + 2; i++) free(t[i].s);
    for (int k = 0; k < 3; k++) free(body[k].s);
    workdir_remove(NULL);
}

/* The overview's histogram counts a value on a bar's lower edge in that
 * bar: a pair at Jaccard 0.6 (60 of 100 5-grams) is in the bar labelled
 * 0.60, not 0.55. */
static void test_histogram_bar_edges(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-histogram"), 0);
    text_buf t[2] = {{0}};
    for (int side = 0; side < 2; side++) {
        for (uint32_t i = 0; i < 64; i++) put_cp(&t[side], 0x4E00 + i);
        for (uint32_t i = 0; i < 20; i++) put_cp(&t[side], 0x4E00 + 100 * (1 + side) + i);
        put(&t[side], "\n", 1);
    }
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.threshold = 0.5;
    fw_scan *scan;
    assert_int_equal(fw_scan_new(&o, &scan, NULL, 0), FW_OK);
    assert_int_equal(fw_scan_add_text(scan, "a", t[0].s, t[0].len), FW_OK);
    assert_int_equal(fw_scan_add_text(scan, "b", t[1].s, t[1].len), FW_OK);
    assert_int_equal(fw_scan_run(scan), FW_OK);
    const fw_result_pair *pairs;
    size_t n;
    assert_int_equal(fw_scan_pairs(scan, &pairs, &n), FW_OK);
    assert_int_equal(n, 1);
    assert_true(pairs[0].jaccard == 0.6); /* 60 of 100 5-grams */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/html", root);
    assert_int_equal(fw_report_write_html(scan, dir, 10, 13), FW_OK);
    size_t len;
    char *html = csv_slurp(path_in_root("html/index.html"), &len);
    assert_non_null(html);
    /* the third bar (0.50, 0.55, 0.60) holds the pair */
    assert_non_null(strstr(html, ">1</text><text x=\"103\" y=\"162\" text-anchor=\"middle\">"
                                 "0.60</text>"));
    free(html);
    fw_scan_free(scan);
    free(t[0].s);
    free(t[1].s);
    workdir_remove(NULL);
}

/* `fanwen explain` on two files and on a report directory: the runs at the
 * bytes the library gives, in text and JSON; bad calls exit 1. */
static void test_explain_command(void **state)
{
    (void)state;
    assert_int_equal(workdir_make("test-html-explain"), 0);
    text_buf t[2] = {{0}};
    put(&t[0], report_2015, strlen(report_2015));
    put(&t[1], report_2015, strlen(report_2015));
    memcpy(t[1].s, "2024", 4);
    write_file("2015.txt", t[0].s, t[0].len);
    write_file("2024.txt", t[1].s, t[1].len);
    assert_int_equal(run("explain in/2015.txt in/2024.txt"), 0);
    size_t len;
    char *out = csv_slurp(path_in_root("stdout.txt"), &len);
    const size_t end = strlen(report_2015) - strlen("。");
    char want[256];
    snprintf(want, sizeof want, "  A[4,%zu) = B[4,%zu)  ", end, end);
    if (!strstr(out, want)) fail_msg("no '%s' in:\n%s", want, out);
    assert_non_null(strstr(out, "  figure A[0,4) 2015  B[0,4) 2024\n"));
    free(out);
    /* a file name holding an escape sequence is shown, not obeyed */
    write_file("2024\x1b]0;x\x07.txt", t[1].s, t[1].len);
    assert_int_equal(run("explain in/2015.txt \"in/2024$(printf '\\033')]0;x$(printf '\\007')"
                         ".txt\""), 0);
    out = csv_slurp(path_in_root("stdout.txt"), &len);
    assert_non_null(strstr(out, "\nB  in/2024\\x1B]0;x\\x07.txt  ("));
    assert_null(strchr(out, '\x1b'));
    free(out);
    assert_int_equal(unlink(path_in_root("in/2024\x1b]0;x\x07.txt")), 0);
    assert_int_equal(run("explain --json --html pair.html in/2015.txt in/2024.txt"), 0);
    out = csv_slurp(path_in_root("stdout.txt"), &len);
    snprintf(want, sizeof want, "{\"a_start\": 4, \"a_end\": %zu, \"b_start\": 4, \"b_end\": %zu,",
             end, end);
    if (!strstr(out, want)) fail_msg("no '%s' in:\n%s", want, out);
    assert_non_null(strstr(out, "{\"kind\": \"figure\", \"a_start\": 0, \"a_end\": 4, "
                                "\"b_start\": 0, \"b_end\": 4, \"a_text\": \"2015\", "
                                "\"b_text\": \"2024\"}"));
    free(out);
    char *page = csv_slurp(path_in_root("pair.html"), &len);
    assert_non_null(page);
    assert_non_null(strstr(page, "<a class=\"r\" href=\"#b0\" id=\"a0\" data-run=\"0\" data-s=\"4\""));
    free(page);
    /* from a report directory, run from elsewhere: the same runs */
    assert_int_equal(run("scan -q --out out in"), 0);
    assert_int_equal(run("explain --report out 2015.txt 2024.txt >/dev/null && (cd / && '"
                         FANWEN_CLI "' explain --report \"$OLDPWD/out\" 2015.txt 2024.txt)"), 0);
    out = csv_slurp(path_in_root("stdout.txt"), &len);
    snprintf(want, sizeof want, "  A[4,%zu) = B[4,%zu)  ", end, end);
    if (!strstr(out, want)) fail_msg("no '%s' in:\n%s", want, out);
    free(out);
    assert_int_equal(run("explain --report out 2015.txt nothing.txt"), 1);
    /* a page that cannot be written is said before any explanation */
    assert_int_equal(run("explain --html nowhere/pair.html in/2015.txt in/2024.txt"), 1);
    out = csv_slurp(path_in_root("stdout.txt"), &len);
    assert_int_equal(len, 0);
    free(out);
    assert_int_equal(run("explain in/2015.txt"), 1);
    assert_int_equal(run("explain --min-run 0 in/2015.txt in/2024.txt"), 1);
    assert_int_equal(run("report"), 1);
    assert_int_equal(run("report nowhere"), 1);
    /* a scan without passages has nothing to show, and says so (not that
     * an older fanwen wrote it) */
    assert_int_equal(run("scan -q --no-passages --out np in"), 0);
    assert_int_equal(run("report np"), 1);
    out = csv_slurp(path_in_root("stderr.txt"), &len);
    assert_non_null(strstr(out, "the scan ran with --no-passages, so it has no passages or spans "
                                "to show"));
    assert_null(strstr(out, "older"));
    free(out);
    /* an input gone since the scan: written, but exit 2 and a warning */
    write_text("gone.txt", "扫描之后被删除的文件，它的内容并不重要。");
    assert_int_equal(run("scan -q --out out3 in"), 0);
    assert_int_equal(run("report -q out3 --html h3"), 0);
    assert_int_equal(unlink(path_in_root("in/gone.txt")), 0);
    assert_int_equal(run("report -q out3 --html h4"), 2);
    assert_int_equal(stat(path_in_root("h4/index.html"), &(struct stat){0}), 0);
    out = csv_slurp(path_in_root("stderr.txt"), &len);
    assert_non_null(strstr(out, "fanwen report: the inputs are not what the scan of "));
    assert_non_null(strstr(out, "(ok 3 then, 2 now)"));
    free(out);
    assert_int_equal(run("explain --report out3 2015.txt 2024.txt"), 2);
    out = csv_slurp(path_in_root("stderr.txt"), &len);
    assert_non_null(strstr(out, "fanwen explain: the inputs are not what the scan of "));
    free(out);
    /* an input named by a path that is not UTF-8: summary.json keeps its
     * bytes too, and the report reads it again */
    write_file("\xD6\xD0.txt", t[1].s, t[1].len);
    assert_int_equal(run("scan -q --out out5 in/2015.txt 'in/\xD6\xD0.txt'"), 0);
    assert_int_equal(run("report -q out5 --html h5"), 0);
    assert_int_equal(run("explain --report out5 in/2015.txt 'in/\xEF\xBF\xBD\xEF\xBF\xBD.txt'"), 0);
    out = csv_slurp(path_in_root("stdout.txt"), &len);
    if (!strstr(out, want)) fail_msg("no '%s' in:\n%s", want, out);
    free(out);
    assert_int_equal(run("scan --no-passages --html h in"), 1);
    assert_int_equal(run("scan --out - --html h in"), 1);
    struct stat sb;
    assert_int_equal(stat(path_in_root("h"), &sb), -1);
    free(t[0].s);
    free(t[1].s);
    workdir_remove(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_copy_is_one_run_at_its_bytes),
        cmocka_unit_test(test_year_and_swapped_word_are_differences),
        cmocka_unit_test(test_shared_ngrams_without_spans),
        cmocka_unit_test(test_html_escapes_text_and_ids),
        cmocka_unit_test(test_html_same_bytes_at_any_thread_count),
        cmocka_unit_test(test_html_replaces_only_a_report),
        cmocka_unit_test(test_explain_command),
        cmocka_unit_test(test_explain_without_spans_is_symmetric),
        cmocka_unit_test(test_long_copy_is_marked_whole),
        cmocka_unit_test(test_explain_with_spans_is_symmetric),
        cmocka_unit_test(test_figure_listed_once),
        cmocka_unit_test(test_run_ends_after_composed_marks),
        cmocka_unit_test(test_pair_page_links_resolve),
        cmocka_unit_test(test_histogram_bar_edges),
        cmocka_unit_test(test_copy_ratio_leaves_out_boilerplate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
