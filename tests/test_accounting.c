/*
 * test_accounting.c — nothing lost: a directory of every kind of input a
 * real archive holds (good texts, an empty file, a binary, GBK bytes, a
 * dangling symlink, a FIFO, a truncated .gz, a JSONL shard with good,
 * broken, text-less and over-long lines, truncated WARC files plain and
 * gzip'ed, files over --max-doc-bytes) scanned by the CLI: docs.csv has
 * exactly one row per document or broken record put in, each with the
 * right status and a message that says why; the exit code is 2. The same
 * inputs listed with --files-from, from a file and from standard input,
 * give the same rows, and a listed path that does not exist one more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csv.h"
#include "fanwen.h"
#include "workdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static const char report[] =
    "2015年上半年，在市委、市政府的高度重视和关心指导下，全市教育系统始终围绕"
    "教育强市的总目标，坚持改革创新、提质增效、改善民生，全面推进各项工作。";
static const char plan[] =
    "下半年工作计划：加强教师队伍建设，推进义务教育均衡发展，办好人民满意的教育。";

/* A conversion record of `n` bytes of text; Content-Length says `claimed`. */
static size_t add_record(char *out, const char *uri, const char *text, size_t claimed)
{
    return (size_t)sprintf(out, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: %s\r\n"
                                "Content-Length: %zu\r\n\r\n%s\r\n\r\n",
                           uri, claimed, text);
}

static size_t cut_warc_offset; /* where the cut record starts */

static int setup(void **state)
{
    (void)state;
    if (workdir_make("test-accounting") != 0) return -1;
    mkdir(path_in_root("in/empty_dir"), 0755);

    write_text("good.txt", report);
    write_text("plan.txt", plan);
    write_file("empty.txt", "", 0);
    static const unsigned char binary[] = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    write_file("program.bin", binary, sizeof binary);
    /* "上半年教育系统工作总结：全市教育系统始终围绕教育强市的总目标。" in GBK */
    write_text("gbk.txt", "\xC9\xCF\xB0\xEB\xC4\xEA\xBD\xCC\xD3\xFD\xCF\xB5\xCD\xB3\xB9\xA4"
                          "\xD7\xF7\xD7\xDC\xBD\xE1\xA3\xBA\xC8\xAB\xCA\xD0\xBD\xCC\xD3\xFD"
                          "\xCF\xB5\xCD\xB3\xCA\xBC\xD6\xD5\xCE\xA7\xC8\xC6\xBD\xCC\xD3\xFD"
                          "\xC7\xBF\xCA\xD0\xB5\xC4\xD7\xDC\xC4\xBF\xB1\xEA\xA1\xA3");
    write_text("one_bad_byte.txt", "工作总结\xFF全面推进各项工作。");
    /* unreadable for root too: a dangling symlink and a FIFO */
    symlink("/nonexistent/fanwen", path_in_root("in/dangling.txt"));
    mkfifo(path_in_root("in/pipe"), 0644);
    /* unreadable unless root */
    write_text("secret.txt", "机密文件的内容。");
    chmod(path_in_root("in/secret.txt"), 0);
    /* a gzip file cut in the middle */
    write_gzip("cut.txt.gz", report, strlen(report));
    cut_file("cut.txt.gz", 0);
    /* over --max-doc-bytes 4K: a plain file (refused by its size) and a
     * gzip'ed one (read until it passes the limit) */
    char big[5001];
    memset(big, 'a', 5000);
    big[5000] = '\0';
    write_text("big.txt", big);
    char *many = malloc(200 * sizeof report);
    many[0] = '\0';
    for (int i = 0; i < 200; i++) strcat(many, report);
    write_gzip("big.txt.gz", many, strlen(many));
    free(many);
    /* JSONL: good, good without id, broken, without text, over-long, good */
    char *jsonl = malloc(8192);
    int n = sprintf(jsonl, "{\"id\": \"j1\", \"text\": \"%s\"}\n", report);
    n += sprintf(jsonl + n, "{\"text\": \"%s\"}\n\n", plan);
    n += sprintf(jsonl + n, "{\"id\": \"j3\", \"text\": \"broken\n");
    n += sprintf(jsonl + n, "{\"id\": \"j4\", \"body\": \"no text field\"}\n");
    n += sprintf(jsonl + n, "{\"id\": \"j5\", \"text\": \"%s\"}\n", big);
    n += sprintf(jsonl + n, "{\"id\": \"j6\", \"text\": \"最后一行。\"}");
    write_file("shard.jsonl", jsonl, (size_t)n);
    free(jsonl);
    write_file("blank.jsonl", "\n \n", 3); /* a shard of blank lines: no document */
    /* WARC: a good record, then one cut short; plain and gzip'ed */
    char warc[8192];
    size_t w = add_record(warc, "http://acc/ok", "完整的记录。", strlen("完整的记录。"));
    cut_warc_offset = w;
    w += add_record(warc + w, "http://acc/cut", "半条记录", 3000);
    write_file("crawl.warc", warc, w - 4);
    w = add_record(warc, "http://acc/ok.gz", "另一条完整的记录。",
                   strlen("另一条完整的记录。"));
    write_gzip("crawl.warc.gz", warc, w);
    w = add_record(warc, "http://acc/cut.gz", report, strlen(report));
    char path[1024];
    snprintf(path, sizeof path, "%s/in/crawl.warc.gz", root);
    gzFile gz = gzopen(path, "ab"); /* a second member, then cut */
    gzwrite(gz, warc, (unsigned)w);
    gzclose(gz);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    cut_file("crawl.warc.gz", st.st_size - 30);
    return 0;
}

typedef struct expected {
    const char *id, *status, *message; /* message: a part, or exact if `exact` */
    int exact;
} expected;

static void expect_rows(const csv_table *t, const expected *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        long r = csv_find(t, 0, e[i].id);
        if (r < 0) fail_msg("no row for '%s' in docs.csv", e[i].id);
        const char *status = t->cell[r][1], *message = t->cell[r][9];
        if (strcmp(status, e[i].status) != 0)
            fail_msg("'%s': status %s, expected %s (%s)", e[i].id, status, e[i].status, message);
        if (!e[i].message) continue;
        if (e[i].exact ? strcmp(message, e[i].message) != 0 : !strstr(message, e[i].message))
            fail_msg("'%s': message\n[%s]\n%s\n[%s]", e[i].id, message,
                     e[i].exact ? "expected" : "lacks", e[i].message);
    }
}

static void test_every_input_accounted(void **state)
{
    (void)state;
    assert_int_equal(run("scan --quiet --max-doc-bytes 4K --out out in"), 2);
    csv_table t;
    assert_true(csv_read(path_in_root("out/docs.csv"), &t));
    assert_true(t.well_formed);
    assert_string_equal(t.cell[0][9], "message");
    char cut_message[256];
    snprintf(cut_message, sizeof cut_message,
             "crawl.warc: record 2 at byte %zu: truncated WARC record: Content-Length 3000, "
             "only %zu bytes", cut_warc_offset, strlen("半条记录"));
    int root_user = geteuid() == 0;
    const expected rows[] = {
        {"good.txt", "ok", "", 1},
        {"plan.txt", "ok", "", 1},
        {"empty.txt", "empty", "no text", 1},
        {"program.bin", "binary", "binary: 9 NUL bytes", 1},
        {"gbk.txt", "binary", "not UTF-8 text", 0},
        {"one_bad_byte.txt", "repaired", "1 invalid UTF-8 sequences replaced by U+FFFD", 1},
        {"dangling.txt", "error", "cannot open: No such file or directory", 1},
        {"pipe", "error", "not a regular file or directory", 1},
        {"secret.txt", root_user ? "ok" : "error",
         root_user ? "" : "cannot open: Permission denied", 1},
        {"cut.txt.gz", "error", "gzip: truncated gzip stream", 1},
        {"big.txt", "error", "file of 5000 bytes exceeds --max-doc-bytes 4096", 1},
        {"big.txt.gz", "error",
         "gzip: more than 4096 bytes decompressed, exceeds --max-doc-bytes 4096", 1},
        {"j1", "ok", "", 1},
        {"shard.jsonl:2", "ok", "", 1},
        {"shard.jsonl:4", "error", "invalid JSON", 0},
        {"j4", "error", "no string field \"text\"", 0},
        {"shard.jsonl:6", "error", "line of 5024 bytes exceeds --max-doc-bytes 4096", 1},
        {"j6", "ok", "", 1},
        {"blank.jsonl", "empty", "no JSON lines", 1},
        {"http://acc/ok", "ok", "", 1},
        {"http://acc/cut", "error", cut_message, 1},
        {"http://acc/ok.gz", "ok", "", 1},
        {"http://acc/cut.gz", "error", "(gzip: truncated gzip stream)", 0},
        {"empty_dir", "empty", "empty directory", 1},
    };
    size_t n = sizeof rows / sizeof *rows;
    expect_rows(&t, rows, n);
    /* one row each, nothing more (the blank JSONL line is no document) */
    assert_int_equal(t.rows - 1, n);
    csv_free(&t);

    size_t len;
    char *summary = csv_slurp(path_in_root("out/summary.json"), &len);
    assert_non_null(summary);
    const char *counts = root_user
        ? "\"total\": 24, \"ok\": 8, \"repaired\": 1, \"empty\": 3, \"binary\": 2, \"error\": 10"
        : "\"total\": 24, \"ok\": 7, \"repaired\": 1, \"empty\": 3, \"binary\": 2, \"error\": 11";
    if (!strstr(summary, counts)) fail_msg("summary.json lacks %s:\n%s", counts, summary);
    assert_non_null(strstr(summary, "\"skipped_records\": 0,"));
    free(summary);
}

/* Every row of `a` is in `b`, cell for cell; `b` has `extra` rows more. */
static void expect_same_rows(const csv_table *a, const csv_table *b, size_t extra)
{
    assert_int_equal(b->rows, a->rows + extra);
    assert_int_equal(b->cols, a->cols);
    for (size_t r = 1; r < a->rows; r++) {
        long s = csv_find(b, 0, a->cell[r][0]);
        if (s < 0) fail_msg("'%s' missing", a->cell[r][0]);
        for (size_t c = 0; c < a->cols; c++)
            if (strcmp(a->cell[r][c], b->cell[s][c]) != 0)
                fail_msg("'%s', column %s: '%s' against '%s'", a->cell[r][0], a->cell[0][c],
                         a->cell[r][c], b->cell[s][c]);
    }
}

static void test_files_from(void **state)
{
    (void)state;
    FILE *f = fopen(path_in_root("list.txt"), "w");
    assert_non_null(f);
    fputs("in\n\nnope/missing.txt\n", f);
    fclose(f);
    assert_int_equal(run("scan -q --max-doc-bytes 4K --out out_dir in"), 2);
    assert_int_equal(run("scan -q --max-doc-bytes 4K --out out_list --files-from list.txt"), 2);
    assert_int_equal(run("scan -q --max-doc-bytes 4K --out out_stdin --files-from - <list.txt"), 2);
    csv_table dir, list;
    assert_true(csv_read(path_in_root("out_dir/docs.csv"), &dir));
    assert_true(csv_read(path_in_root("out_list/docs.csv"), &list));
    assert_true(list.well_formed);
    expect_same_rows(&dir, &list, 1);
    const expected missing[] = {
        {"nope/missing.txt", "error", "cannot open: No such file or directory", 1}};
    expect_rows(&list, missing, 1);
    csv_free(&dir);
    csv_free(&list);
    /* from standard input: the very same bytes */
    size_t n1, n2;
    char *a = csv_slurp(path_in_root("out_list/docs.csv"), &n1);
    char *b = csv_slurp(path_in_root("out_stdin/docs.csv"), &n2);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
}

/* Messages are whole, in UTF-8, however long the path: a JSONL shard under
 * 80 中 and 80 文 (messages were cut at 255 bytes, inside a character, and
 * lost their line and reason; a renamed duplicate's at 180). A gzip shard
 * whose checksum is bad gives every line it decoded and the error after
 * them (lines decoded by the call that found it were dropped). A CRLF line
 * of exactly --max-doc-bytes is read, as the same line with LF is. */
static void test_long_paths_and_damaged_streams(void **state)
{
    (void)state;
    char dir[1024], path[2048];
    int n = snprintf(dir, sizeof dir, "%s/long/x", root);
    for (int i = 0; i < 80; i++) n += snprintf(dir + n, sizeof dir - (size_t)n, "中");
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    n = snprintf(path, sizeof path, "%s/", dir);
    for (int i = 0; i < 80; i++) n += snprintf(path + n, sizeof path - (size_t)n, "文");
    snprintf(path + n, sizeof path - (size_t)n, ".jsonl");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("not json\n{\"id\":\"same\",\"text\":5}\n{\"id\":\"same\",\"nottext\":\"y\"}\n", f);
    fclose(f);
    /* 2,000 lines, gzip'ed, the CRC of the trailer flipped */
    char *lines = malloc(2000 * 64);
    size_t len = 0;
    for (int i = 0; i < 2000; i++)
        len += (size_t)sprintf(lines + len, "{\"id\":\"g%d\",\"text\":\"第%d行。\"}\n", i, i);
    char gz[2048];
    snprintf(gz, sizeof gz, "%s/long/crc.jsonl.gz", root);
    gzFile g = gzopen(gz, "wb");
    assert_int_equal(gzwrite(g, lines, (unsigned)len), (int)len);
    gzclose(g);
    free(lines);
    f = fopen(gz, "r+b");
    fseek(f, -8, SEEK_END);
    int c = fgetc(f);
    fseek(f, -8, SEEK_END);
    fputc(c ^ 1, f);
    fclose(f);
    /* a line of 100 bytes with CRLF */
    char crlf[2048], line[128], xs[78];
    memset(xs, 'x', 77);
    xs[77] = '\0';
    snprintf(crlf, sizeof crlf, "%s/long/crlf.jsonl", root);
    snprintf(line, sizeof line, "{\"id\":\"crlf\",\"text\":\"%s\"}", xs);
    assert_int_equal(strlen(line), 100);
    f = fopen(crlf, "wb");
    fprintf(f, "%s\r\n", line);
    fclose(f);
    assert_int_equal(run("scan -q --no-passages --max-doc-bytes 100 --out out_long long"), 2);
    size_t size = 0;
    char *docs = csv_slurp(path_in_root("out_long/docs.csv"), &size);
    assert_non_null(docs);
    for (size_t i = 0; i < size;) { /* valid UTF-8 throughout */
        uint32_t cp;
        int bad;
        i += fw_utf8_decode((const unsigned char *)docs + i, size - i, &cp, &bad);
        if (bad) fail_msg("docs.csv: invalid UTF-8 at byte %zu", i);
    }
    free(docs);
    csv_table t;
    assert_true(csv_read(path_in_root("out_long/docs.csv"), &t));
    assert_int_equal(t.rows, 1 + 3 + 2000 + 1 + 1);
    const char *shard = path + strlen(root) + strlen("/long/"); /* ids are under the directory */
    char id[2100], want[3][2200];
    snprintf(id, sizeof id, "%s:1", shard);
    snprintf(want[0], sizeof want[0], "%s:1: invalid JSON", shard);
    snprintf(want[1], sizeof want[1], "%s:2: no string field \"text\"", shard);
    snprintf(want[2], sizeof want[2], "%s:3: no string field \"text\"; duplicate id, renamed",
             shard);
    const expected rows[] = {
        {id, "error", want[0], 0},
        {"same", "error", want[1], 1},
        {"same#2", "error", want[2], 1},
        {"g0", "ok", NULL, 0},
        {"g1999", "ok", NULL, 0},
        {"crc.jsonl.gz", "error", "incorrect data check after line 2000", 0},
        {"crlf", "ok", NULL, 0},
    };
    expect_rows(&t, rows, sizeof rows / sizeof *rows);
    csv_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_input_accounted),
        cmocka_unit_test(test_files_from),
        cmocka_unit_test(test_long_paths_and_damaged_streams),
    };
    return cmocka_run_group_tests(tests, setup, workdir_remove);
}
