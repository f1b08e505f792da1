/*
 * test_screen_file.c — the passages' screen files (src/screen_file.c).
 *
 * Records written in pieces read back as they went in, across blocks, for
 * counts around a block's size; the screen on low bytes never turns away
 * a pair the screen on the values passes (random signatures that share
 * 0 to 64 values, of every length), and does turn most chance pairs away;
 * a byte flipped in a block, the header or the footer, a truncated file
 * and an unfinished writer (or one short of the records it announced) are
 * errors (or no file), never records; so are
 * counts made to overflow, with header and footer agreeing and summed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "passage_match.h"
#include "screen_file.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fanwen-screen-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void random_record(fw_screen_record *r)
{
    for (unsigned v = 0; v < FW_PASSAGE_PERMS; v++) r->low[v] = (uint8_t)rng();
    r->clen = (uint32_t)(rng() % 5000);
}

/* n records written in pieces of 1 to 100 to path, tagged `tag`. */
static fw_screen_record *write_records(const char *path, size_t n, uint64_t tag)
{
    fw_screen_record *rec = malloc((n ? n : 1) * sizeof *rec);
    for (size_t i = 0; i < n; i++) random_record(&rec[i]);
    fw_screen_writer *w;
    char why[256];
    assert_int_equal(fw_screen_writer_new(path, tag, n, &w, why, sizeof why), FW_OK);
    for (size_t i = 0; i < n;) {
        size_t k = 1 + rng() % 100;
        if (k > n - i) k = n - i;
        assert_int_equal(fw_screen_writer_add(w, rec + i, k), FW_OK);
        i += k;
    }
    assert_int_equal(fw_screen_writer_finish(w), FW_OK);
    fw_screen_writer_free(w);
    return rec;
}

static void round_trip(void **state)
{
    (void)state;
    size_t counts[] = {0, 1, 59, 60, 61, 119, 120, 121, 1000};
    char path[128];
    snprintf(path, sizeof path, "%s/rt.pscreen", dir);
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        const size_t n = counts[c];
        fw_screen_record *rec = write_records(path, n, 0xABCDEF + n);
        fw_screen_file *f;
        char why[256];
        assert_int_equal(fw_screen_file_open(path, &f, why, sizeof why), FW_OK);
        assert_int_equal(fw_screen_file_count(f), n);
        assert_int_equal(fw_screen_file_tag(f), 0xABCDEF + n);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(fw_screen_file_size(f), (uint64_t)sb.st_size);
        assert_int_equal(fw_screen_file_size(f), 128 + 4096 * ((n + 59) / 60));
        for (size_t i = 0; i < n; i++) {
            const fw_screen_record *got;
            assert_int_equal(fw_screen_file_get(f, i, &got), FW_OK);
            assert_memory_equal(got, &rec[i], sizeof *got);
        }
        const fw_screen_record *none;
        assert_int_equal(fw_screen_file_get(f, n, &none), FW_ERR_FORMAT);
        assert_int_equal(fw_screen_file_check(f), FW_OK);
        fw_screen_file_close(f);
        free(rec);
    }
}

/* The low bytes' screen is one-sided: it fails only pairs the values fail. */
static void screen_is_one_sided(void **state)
{
    (void)state;
    fw_passage_value a[FW_PASSAGE_PERMS], b[FW_PASSAGE_PERMS];
    size_t chance = 0, turned_away = 0;
    for (int t = 0; t < 200000; t++) {
        unsigned share = (unsigned)(rng() % (FW_PASSAGE_PERMS + 1));
        /* half the pairs with values that differ only above the low byte
         * (the screen of low bytes must count them as equal) and lengths
         * apart; the rest as chance makes them, of one length */
        const int tricky = t % 2;
        for (unsigned v = 0; v < FW_PASSAGE_PERMS; v++) {
            a[v] = (fw_passage_value)rng();
            b[v] = v < share ? a[v]
                 : tricky && rng() % 4 == 0 ? (fw_passage_value)(a[v] ^ (1 + rng() % 255) << 8)
                                            : (fw_passage_value)rng();
        }
        uint32_t la = 3 + (uint32_t)(rng() % 400), lb = la;
        if (tricky) lb = 3 + (uint32_t)(rng() % 400);
        fw_screen_record ra, rb;
        fw_screen_record_make(a, la, &ra);
        fw_screen_record_make(b, lb, &rb);
        const int passes = fw_passage_worth_aligning(a, b, FW_PASSAGE_PERMS, la, lb);
        const int fails = fw_screen_fails(&ra, &rb);
        if (passes) assert_false(fails);
        if (!tricky && share <= 4) {
            chance++;
            turned_away += fails;
        }
    }
    /* not vacuous: pairs sharing a few values, chance's, are turned away */
    assert_true(turned_away > chance / 2);
}

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, a)) > 0) fwrite(buf, 1, k, b);
    fclose(a);
    fclose(b);
}

static void flip_byte(const char *path, long at)
{
    FILE *f = fopen(path, "r+b");
    fseek(f, at, at < 0 ? SEEK_END : SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, at < 0 ? SEEK_END : SEEK_SET);
    fputc(c ^ 0x20, f);
    fclose(f);
}

/* Open fails, or the check does, and no record of the flipped block is
 * given. */
static void assert_caught(const char *path, const char *what)
{
    fw_screen_file *f;
    char why[256];
    if (fw_screen_file_open(path, &f, why, sizeof why) != FW_OK) {
        assert_non_null(strstr(why, what));
        return;
    }
    assert_int_equal(fw_screen_file_check(f), FW_ERR_FORMAT);
    assert_non_null(strstr(fw_screen_file_error(f), what));
    fw_screen_file_close(f);
}

static void damage_is_caught(void **state)
{
    (void)state;
    char good[128], bad[128];
    snprintf(good, sizeof good, "%s/good.pscreen", dir);
    snprintf(bad, sizeof bad, "%s/bad.pscreen", dir);
    free(write_records(good, 150, 7)); /* three blocks */
    /* a record, the zeros after the records, the checksum, later blocks */
    long places[] = {64, 64 + 4000, 64 + 4090, 64 + 4096 + 68 * 30, 64 + 2 * 4096 + 7};
    for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
        copy_file(good, bad);
        flip_byte(bad, places[i]);
        assert_caught(bad, "fails its checksum");
        /* the records of the other blocks still read */
        fw_screen_file *f;
        char why[256];
        assert_int_equal(fw_screen_file_open(bad, &f, why, sizeof why), FW_OK);
        const size_t hit = (size_t)(places[i] - 64) / 4096;
        const fw_screen_record *r;
        assert_int_equal(fw_screen_file_get(f, hit * 60, &r), FW_ERR_FORMAT);
        assert_int_equal(fw_screen_file_get(f, (hit + 1) % 3 * 60, &r), FW_OK);
        fw_screen_file_close(f);
    }
    copy_file(good, bad);
    flip_byte(bad, 20); /* the header: its count */
    assert_caught(bad, "fails its checksum");
    copy_file(good, bad);
    flip_byte(bad, -30); /* the footer: its tag */
    assert_caught(bad, "fails its checksum");
    copy_file(good, bad);
    flip_byte(bad, -20); /* the footer: the size it says the file has */
    assert_caught(bad, "incomplete");
    copy_file(good, bad);
    assert_int_equal(truncate(bad, 4096), 0);
    assert_caught(bad, "incomplete");
    /* a writer given fewer records than it announced does not finish, and
     * an unfinished writer leaves no file and no temporary one */
    char path[128];
    snprintf(path, sizeof path, "%s/unfinished.pscreen", dir);
    fw_screen_writer *w;
    char why[256];
    assert_int_equal(fw_screen_writer_new(path, 1, 2, &w, why, sizeof why), FW_OK);
    fw_screen_record r;
    random_record(&r);
    assert_int_equal(fw_screen_writer_add(w, &r, 1), FW_OK);
    assert_int_equal(fw_screen_writer_finish(w), FW_ERR_ARG);
    assert_non_null(strstr(fw_screen_writer_error(w), "1 records, its header says 2"));
    fw_screen_writer_free(w);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q unfinished", dir);
    assert_int_not_equal(system(cmd), 0);
}

/* A file of no blocks whose header and footer, checksum and all, claim
 * almost 2^64 records: a count rounded up to blocks would wrap to none. */
static void crafted_counts_refused(void **state)
{
    (void)state;
    unsigned char file[128] = {0};
    const uint64_t records = UINT64_MAX - 10, tag = 5, size = sizeof file;
    const uint32_t version = 1, record_bytes = 68, block_records = 60;
    memcpy(file, "FWSCREN", 8);
    memcpy(file + 8, &version, 4);
    memcpy(file + 12, &record_bytes, 4);
    memcpy(file + 16, &block_records, 4);
    memcpy(file + 24, &records, 8);
    memcpy(file + 32, &tag, 8);
    unsigned char *foot = file + 64; /* magic, version, unused, records,
                                       * blocks (0), tag, size, pad, sum */
    memcpy(foot, "FWSCEND", 8);
    memcpy(foot + 8, &version, 4);
    memcpy(foot + 16, &records, 8);
    memcpy(foot + 32, &tag, 8);
    memcpy(foot + 40, &size, 8);
    uint64_t sum = XXH3_64bits(file, 64 + 56);
    memcpy(foot + 56, &sum, 8);
    char path[128];
    snprintf(path, sizeof path, "%s/crafted.pscreen", dir);
    FILE *f = fopen(path, "wb");
    fwrite(file, 1, sizeof file, f);
    fclose(f);
    assert_caught(path, "do not describe its size");
    /* the same with its count true (0 records): a sound, empty file */
    const uint64_t none = 0;
    memcpy(file + 24, &none, 8);
    memcpy(foot + 16, &none, 8);
    sum = XXH3_64bits(file, 64 + 56);
    memcpy(foot + 56, &sum, 8);
    f = fopen(path, "wb");
    fwrite(file, 1, sizeof file, f);
    fclose(f);
    fw_screen_file *sf;
    char why[256];
    assert_int_equal(fw_screen_file_open(path, &sf, why, sizeof why), FW_OK);
    assert_int_equal(fw_screen_file_count(sf), 0);
    fw_screen_file_close(sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(screen_is_one_sided),
        cmocka_unit_test(damage_is_caught),
        cmocka_unit_test(crafted_counts_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
