/*
 * test_cli.c — what a user of `fanwen scan` sees, on bad input and bad
 * options: every input accounted for in docs.csv with the right status,
 * RFC 4180 quoting of hostile file names, exit codes 0 / 1 / 2, and no
 * output at all when the options are wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csv.h"
#include "fanwen.h"
#include "workdir.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* ROOT/out/name, where the reports go. */
static const char *report(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/out/%s", root, name);
    return path;
}

static const char report_text[] =
    "2015年上半年，在市委、市政府的高度重视和关心指导下，全市教育系统始终围绕"
    "教育强市的总目标，坚持改革创新、提质增效、改善民生，全面推进各项工作。";

static int setup(void **state)
{
    (void)state;
    if (workdir_make("test-cli") != 0) return -1;
    char path[1024];
    snprintf(path, sizeof path, "%s/in/empty_dir", root);
    mkdir(path, 0755);

    write_text("good.txt", report_text);
    write_text("copy.txt", report_text);
    write_file("empty.txt", "", 0);
    write_text("punctuation.txt", "，。！？ …… \n\n");
    static const unsigned char binary[] = {0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R', 0, 1, 2};
    write_file("image.png", binary, sizeof binary);
    char bad[512];
    snprintf(bad, sizeof bad, "%s\xE4\xB8%s\xFF", "下半年工作计划：", "加强教师队伍建设。");
    write_text("bad_utf8.txt", bad);
    write_text("we,ird \"name\"\nwith newline.txt", "一个名字古怪的文件，内容很普通。");
    write_text("shard.jsonl",
               "{\"id\": \"j1\", \"text\": \"第一条记录的正文。\"}\n"
               "{\"id\": \"j2\", \"text\": \"broken line\n"
               "\n"
               "{\"text\": \"没有编号的记录。\"}\n"
               "{\"id\": 7, \"body\": \"no text field\"}\n"
               "{\"id\": \"j5\", \"text\": \"坏字节\xC0\xAF在这里。\"}\n"
               "{\"id\": \"\", \"text\": \"编号是空的记录。\"}");
    /* a gzip file cut in the middle */
    static char many[200 * sizeof report_text];
    const size_t n = strlen(report_text);
    for (int i = 0; i < 200; i++) memcpy(many + i * n, report_text, n);
    write_gzip("cut.txt.gz", many, 200 * n);
    cut_file("cut.txt.gz", 0);
    /* a file name that is not UTF-8 (GBK, from an archive) */
    write_text("gbk\xD6\xD0\xCE\xC4.txt", "文件名不是UTF-8编码的文件，内容与众不同。");
    /* a shard that begins with a byte order mark */
    write_text("bom.jsonl", "\xEF\xBB\xBF{\"id\": \"bom1\", \"text\": \"字节顺序标记之后的记录。\"}\n");
    /* a zstd file that begins with a skippable frame, as pzstd writes */
    {
        static const char line[] = "{\"id\": \"z1\", \"text\": \"跳过的帧之后的记录。\"}\n";
        unsigned char z[256] = {0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 'p', 'z', 's', 't'};
        size_t zn = ZSTD_compress(z + 12, sizeof z - 12, line, strlen(line), 3);
        assert_false(ZSTD_isError(zn));
        write_file("pz.jsonl.zst", z, 12 + zn);
    }
    /* a dangling symlink: unreadable even for root */
    snprintf(path, sizeof path, "%s/in/missing.txt", root);
    symlink("/nonexistent/fanwen", path);
    /* a file without read permission (readable all the same when root) */
    write_text("secret.txt", "机密文件的内容。");
    snprintf(path, sizeof path, "%s/in/secret.txt", root);
    chmod(path, 0);
    /* a symlink to its own directory: a loop */
    snprintf(path, sizeof path, "%s/in/loop", root);
    symlink(".", path);
    return 0;
}

static void expect_row(const csv_table *t, const char *id, const char *status,
                       const char *message_part)
{
    long r = csv_find(t, 0, id);
    if (r < 0) fail_msg("no row for '%s' in docs.csv", id);
    if (strcmp(t->cell[r][1], status) != 0)
        fail_msg("'%s': status %s, expected %s (%s)", id, t->cell[r][1], status, t->cell[r][9]);
    if (message_part && !strstr(t->cell[r][9], message_part))
        fail_msg("'%s': message '%s' lacks '%s'", id, t->cell[r][9], message_part);
}

static void test_every_input_accounted(void **state)
{
    (void)state;
    assert_int_equal(run("scan --quiet --threads 2 --out out in"), 2);
    csv_table t;
    assert_true(csv_read(report("docs.csv"), &t));
    assert_true(t.well_formed);
    assert_string_equal(t.cell[0][0], "id");
    assert_string_equal(t.cell[0][9], "message");
    expect_row(&t, "good.txt", "ok", NULL);
    expect_row(&t, "copy.txt", "ok", NULL);
    expect_row(&t, "empty.txt", "empty", "no text");
    expect_row(&t, "punctuation.txt", "empty", "no letters");
    expect_row(&t, "image.png", "binary", "NUL");
    expect_row(&t, "bad_utf8.txt", "repaired", "2 invalid UTF-8");
    expect_row(&t, "we,ird \"name\"\nwith newline.txt", "ok", NULL);
    expect_row(&t, "j1", "ok", NULL);
    expect_row(&t, "shard.jsonl:2", "error", "invalid JSON");
    expect_row(&t, "shard.jsonl:4", "ok", NULL);
    expect_row(&t, "7", "error", "no string field \"text\"");
    expect_row(&t, "j5", "repaired", "2 invalid UTF-8"); /* C0 and AF: one U+FFFD each */
    expect_row(&t, "shard.jsonl:7", "ok", NULL);          /* an empty id names nothing */
    expect_row(&t, "cut.txt.gz", "error", "truncated gzip");
    expect_row(&t, "z1", "ok", NULL);
    expect_row(&t, "bom1", "ok", NULL);
    /* its id is UTF-8, as every report is: U+FFFD for each invalid byte */
    expect_row(&t, "gbk\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.txt", "ok", NULL);
    {
        size_t n = 0;
        char *all = csv_slurp(report("docs.csv"), &n);
        assert_non_null(all);
        assert_int_equal(fw_utf8_valid_prefix(all, n), n);
        free(all);
    }
    expect_row(&t, "missing.txt", "error", "No such file");
    expect_row(&t, "loop", "error", "symlink loop");
    expect_row(&t, "empty_dir", "empty", "empty directory");
    if (geteuid() == 0) expect_row(&t, "secret.txt", "ok", NULL);
    else expect_row(&t, "secret.txt", "error", "Permission denied");
    /* 21 rows, nothing more, nothing twice (the blank JSONL line is no document) */
    assert_int_equal(t.rows - 1, 21);
    long good = csv_find(&t, 0, "good.txt");
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%zu", strlen(report_text));
    assert_string_equal(t.cell[good][2], bytes);
    assert_string_equal(t.cell[good][3], "65"); /* letters and digits left (Python unicodedata agrees) */
    csv_free(&t);

    assert_true(csv_read(report("pairs.csv"), &t));
    assert_true(t.well_formed);
    assert_int_equal(t.rows, 2);
    assert_string_equal(t.cell[1][0], "copy.txt");
    assert_string_equal(t.cell[1][1], "good.txt");
    assert_string_equal(t.cell[1][2], "1.000000");
    csv_free(&t);

    assert_true(csv_read(report("clusters.csv"), &t));
    assert_int_equal(t.rows, 3);
    assert_string_equal(t.cell[1][0], "copy.txt");
    assert_string_equal(t.cell[2][1], "good.txt");
    assert_string_equal(t.cell[2][2], "2");
    csv_free(&t);

    /* the summary agrees with docs.csv */
    size_t len;
    char *summary = csv_slurp(report("summary.json"), &len);
    assert_non_null(summary);
    const char *counts = geteuid() == 0
        ? "\"total\": 21, \"ok\": 10, \"repaired\": 2, \"empty\": 3, \"binary\": 1, \"error\": 5"
        : "\"total\": 21, \"ok\": 9, \"repaired\": 2, \"empty\": 3, \"binary\": 1, \"error\": 6";
    assert_non_null(strstr(summary, counts));
    free(summary);
    /* no temporary files left behind */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -a '%s/out' | grep -c tmp", root);
    FILE *p = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    assert_int_equal(n, 0);
}

/* The same bytes in every report but summary.json (timings) at 1 and 2
 * threads. */
static void test_same_bytes_at_one_and_two_threads(void **state)
{
    (void)state;
    assert_int_equal(run("scan -q -j 1 --out out1 in"), 2);
    assert_int_equal(run("scan -q -j 2 --out out2 in"), 2);
    const char *files[] = {"pairs.csv", "clusters.csv", "docs.csv", "passages.csv",
                           "reuse.csv", "spans.csv", "substitutions.csv", "boilerplate.csv"};
    for (int i = 0; i < 8; i++) {
        char p1[512], p2[512];
        snprintf(p1, sizeof p1, "%s/out1/%s", root, files[i]);
        snprintf(p2, sizeof p2, "%s/out2/%s", root, files[i]);
        size_t n1, n2;
        char *a = csv_slurp(p1, &n1), *b = csv_slurp(p2, &n2);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        free(a);
        free(b);
    }
}

static void test_clean_input_exits_zero_and_pipes(void **state)
{
    (void)state;
    assert_int_equal(run("scan -q --out - in/good.txt in/copy.txt"), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/stdout.txt", root);
    size_t len;
    char *out = csv_slurp(path, &len);
    assert_string_equal(out, "id_a,id_b,jaccard,est_jaccard,a_in_b,b_in_a\r\n"
                             "in/copy.txt,in/good.txt,1.000000,1.000000,1.000000,1.000000\r\n");
    free(out);
    /* what could not be printed is an error, help text included */
    int status = system("'" FANWEN_CLI "' --help >/dev/full 2>/dev/null");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    status = system("'" FANWEN_CLI "' scan --help >/dev/full 2>/dev/null");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
}

/* ROOT/dir/name created for writing (dir made if need be): an input of a
 * test of its own, apart from in/, whose rows the first test counts. */
static FILE *create_in(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    return f;
}

/* A report that cannot be written whole (a full disk; here a file size
 * limit, which fails the same writes) is an error that says why, and
 * leaves no part of the file under its name. */
static void test_write_error_says_why(void **state)
{
    (void)state;
    char path[512];
    FILE *f = create_in("in-many", "many.jsonl");
    for (int i = 0; i < 3000; i++)
        fprintf(f, "{\"id\": \"doc-%05d\", \"text\": \"第%d份文件的内容各不相同。\"}\n", i, i);
    fclose(f);
    assert_int_equal(run("scan -q --no-passages --out full in-many"), 0);
    /* docs.csv of 3,000 rows is over 100 KB: past a limit of 40 KB */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -rf full && (ulimit -f 40; trap '' XFSZ; '%s' scan -q "
             "--no-passages --out full in-many) 2>stderr.txt", root, FANWEN_CLI);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    size_t len;
    snprintf(path, sizeof path, "%s/stderr.txt", root);
    char *err = csv_slurp(path, &len);
    assert_non_null(err);
    if (!strstr(err, "docs.csv: cannot write: File too large"))
        fail_msg("no reason for the failed write in: %s", err);
    free(err);
    snprintf(path, sizeof path, "%s/full/docs.csv", root);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
}

/* An id from the input is shown on the terminal with its control
 * characters escaped: an escape sequence in it does not reach it. */
static void test_errors_shown_without_control_characters(void **state)
{
    (void)state;
    char path[512];
    FILE *f = create_in("in-esc", "esc.jsonl");
    fputs("{\"id\": \"x\\u001b[2J\\r\"}\n", f);
    fclose(f);
    assert_int_equal(run("scan --out esc in-esc"), 2);
    snprintf(path, sizeof path, "%s/stderr.txt", root);
    size_t len;
    char *err = csv_slurp(path, &len);
    assert_non_null(err);
    if (!strstr(err, "fanwen: x\\x1B[2J\\x0D: "))
        fail_msg("the id is not shown escaped in: %s", err);
    assert_null(memchr(err, 0x1B, len));
    free(err);
}

static void test_bad_options_write_nothing(void **state)
{
    (void)state;
    const char *bad[] = {
        "scan --threshold 0 --out bad in",     "scan --threshold 1.5 --out bad in",
        "scan --threshold x --out bad in",     "scan --ngram 0 --out bad in",
        "scan --bands 20 --rows 7 --out bad in", "scan --frobnicate --out bad in",
        "scan --out bad",                      "nosuchcommand",
        "scan --perms 0 --out bad in",
        "scan --files-from /dev/null --files-from /dev/null --out bad in",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(run(bad[i]), 1);
        char path[512];
        snprintf(path, sizeof path, "%s/bad", root);
        struct stat st;
        assert_int_not_equal(stat(path, &st), 0);
        snprintf(path, sizeof path, "%s/stderr.txt", root);
        size_t len;
        char *err = csv_slurp(path, &len);
        assert_true(len > 0); /* says why */
        free(err);
    }
    /* an unknown option is named as written: the letter of a cluster
     * (an id like -dash.txt taken for options), the word of a long one */
    static const char *const unknown[][2] = {
        {"scan -q -o bad -zq in", "fanwen scan: unknown option '-z'"},
        {"scan --frobnicate in", "fanwen scan: unknown option '--frobnicate'"},
        {"explain --report out -dash.txt x.txt", "fanwen explain: unknown option '-d'"},
        {"query --index lib -y in", "fanwen query: unknown option -y"},
    };
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        assert_int_equal(run(unknown[i][0]), 1);
        size_t len;
        char *err = csv_slurp(path_in_root("stderr.txt"), &len);
        if (strncmp(err, unknown[i][1], strlen(unknown[i][1])))
            fail_msg("%s: said '%s', not '%s'", unknown[i][0], err, unknown[i][1]);
        free(err);
    }
    assert_int_equal(run("--version"), 0);
    assert_int_equal(run("--help"), 0);
    assert_int_equal(run("scan --help"), 0);
}

/* --progress writes the progress line to a log (stderr is a file here):
 * reading at 100% of the input's bytes with its document count, then each
 * stage in order; without it, on no terminal, nothing but the summary. */
static void test_progress_for_logs(void **state)
{
    (void)state;
    char path[512];
    size_t len;
    assert_int_equal(run("scan --progress -q --out out-progress in/good.txt in/copy.txt"), 0);
    snprintf(path, sizeof path, "%s/stderr.txt", root);
    char *err = csv_slurp(path, &len);
    const char *stages[] = {"fanwen: reading 100%, 2 documents, 0.0 MB, ",
                            "\nfanwen: cutting passages (2 documents, ",
                            "\nfanwen: lsh (2 documents, ",
                            "\nfanwen: verify (2 documents, ",
                            "\nfanwen: matching passages (2 documents, ",
                            "\nfanwen: cluster (2 documents, 0:00 so far)\n"};
    const char *at = err;
    for (size_t i = 0; i < sizeof stages / sizeof *stages; i++) {
        const char *found = strstr(at, stages[i]);
        if (!found) fail_msg("no \"%s\" after \"%s\" in:\n%s", stages[i], at, err);
        at = found + 1;
    }
    assert_null(strstr(err, "\r")); /* no terminal: whole lines */
    free(err);
    assert_int_equal(run("scan --out out-quiet in/good.txt in/copy.txt"), 0);
    err = csv_slurp(path, &len);
    assert_null(strstr(err, "reading"));
    assert_non_null(strstr(err, "fanwen: 2 documents")); /* the summary */
    free(err);
}

/* Whether `name` is the same file in two report directories of ROOT. */
static int same_report(const char *a, const char *b, const char *name)
{
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/%s/%s", root, a, name);
    snprintf(pb, sizeof pb, "%s/%s/%s", root, b, name);
    size_t la = 0, lb = 0;
    char *x = csv_slurp(pa, &la), *y = csv_slurp(pb, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

/* With less memory available than the scan is expected to need (made
 * small here through FANWEN_MEMORY_AVAILABLE), the scan keeps under a
 * limit by itself, says so, and writes the same reports. */
static void test_scan_spills_when_memory_is_short(void **state)
{
    (void)state;
    char args[1024], path[512];
    size_t len;
    snprintf(args, sizeof args, "scan --out out-plain %s/docs", FANWEN_CORPUS);
    assert_int_equal(run(args), 0);
    snprintf(path, sizeof path, "%s/stderr.txt", root);
    char *err = csv_slurp(path, &len);
    assert_null(strstr(err, "--memory-limit")); /* this machine has room */
    free(err);
    setenv("FANWEN_MEMORY_AVAILABLE", "1M", 1);
    snprintf(args, sizeof args, "scan --out out-auto %s/docs", FANWEN_CORPUS);
    int code = run(args);
    unsetenv("FANWEN_MEMORY_AVAILABLE");
    assert_int_equal(code, 0);
    err = csv_slurp(path, &len);
    assert_non_null(strstr(err, "1 MB are available: keeping under --memory-limit 64M"));
    free(err);
    snprintf(path, sizeof path, "%s/out-auto/summary.json", root);
    char *summary = csv_slurp(path, &len);
    assert_non_null(strstr(summary, "\"limit_bytes\": 67108864"));
    free(summary);
    const char *reports[] = {"pairs.csv", "clusters.csv", "docs.csv", "passages.csv",
                             "reuse.csv", "boilerplate.csv", "spans.csv", "substitutions.csv"};
    for (size_t i = 0; i < sizeof reports / sizeof *reports; i++)
        if (!same_report("out-plain", "out-auto", reports[i]))
            fail_msg("%s differs with the memory limit", reports[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_input_accounted),
        cmocka_unit_test(test_same_bytes_at_one_and_two_threads),
        cmocka_unit_test(test_clean_input_exits_zero_and_pipes),
        cmocka_unit_test(test_write_error_says_why),
        cmocka_unit_test(test_errors_shown_without_control_characters),
        cmocka_unit_test(test_bad_options_write_nothing),
        cmocka_unit_test(test_progress_for_logs),
        cmocka_unit_test(test_scan_spills_when_memory_is_short),
    };
    return cmocka_run_group_tests(tests, setup, workdir_remove);
}
