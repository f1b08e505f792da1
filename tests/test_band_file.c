/*
 * test_band_file.c — band files (src/band_file.c) against plain arrays.
 *
 * Random records of several bands, with keys drawn from a small range so
 * that buckets span blocks, are written and read back: every lookup must
 * give exactly the records a linear scan of the sorted array gives, and a
 * merge of several files exactly each key's records file by file. The same
 * for narrow files (8-byte records), read through cursors, and for merges
 * of narrow and wide files together; a cursor answers as a lookup from the
 * top, keys in order or not. A byte flipped in a block, in a table or in
 * the footer, a truncated file and an unfinished writer must be errors (or
 * absences), never data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "band_file.h"
#include "rng.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BANDS 5

static char dir[64];
static int narrow; /* the files written are narrow ones (8-byte records) */

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fanwen-band-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* DIR/name, in one of a few static buffers (used in turn). */
static const char *path_of(const char *name)
{
    static char p[4][128];
    static int turn;
    turn = (turn + 1) % 4;
    snprintf(p[turn], sizeof p[turn], "%s/%s", dir, name);
    return p[turn];
}

/* Per band, n random records with keys below key_range, sorted. */
typedef struct bands_data {
    fw_band_record *rec[BANDS];
    size_t n[BANDS];
} bands_data;

static int by_key_item(const void *a, const void *b)
{
    const fw_band_record *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

static void make_data(bands_data *d, const size_t *n, uint64_t key_range, int high_keys)
{
    for (int b = 0; b < BANDS; b++) {
        d->n[b] = n[b];
        d->rec[b] = malloc((n[b] + 1) * sizeof *d->rec[b]);
        fw_band_record *tmp = malloc((n[b] + 1) * sizeof *tmp);
        for (size_t i = 0; i < n[b]; i++) {
            uint64_t k = rng() % key_range;
            if (high_keys) /* keys that differ in high bytes */
                k = narrow ? k << 24 | 0xcdef : k << 40 | 0xabcdef;
            d->rec[b][i] = (fw_band_record){k, rng() % 100000};
        }
        fw_band_record *copy = malloc((n[b] + 1) * sizeof *copy);
        memcpy(copy, d->rec[b], n[b] * sizeof *copy);
        qsort(copy, n[b], sizeof *copy, by_key_item);
        fw_band_records_sort(d->rec[b], tmp, n[b]);
        assert_memory_equal(copy, d->rec[b], n[b] * sizeof *copy);
        free(copy);
        free(tmp);
    }
}

static void free_data(bands_data *d)
{
    for (int b = 0; b < BANDS; b++) free(d->rec[b]);
}

/* Writes d, each band in pieces of `piece` records (calls continue a band). */
static void write_data(const char *path, const bands_data *d, uint64_t tag, size_t piece)
{
    char why[512];
    fw_band_writer *w;
    assert_int_equal((narrow ? fw_band_writer_new_narrow : fw_band_writer_new)(
                         path, BANDS, tag, &w, why, sizeof why),
                     FW_OK);
    int turn = 0;
    for (unsigned b = 0; b < BANDS; b++)
        for (size_t at = 0; at < d->n[b]; at += piece) {
            size_t k = d->n[b] - at < piece ? d->n[b] - at : piece;
            if (narrow && turn++ % 2) { /* as stored: key << 32 | item */
                uint64_t *v = malloc(k * sizeof *v);
                for (size_t i = 0; i < k; i++)
                    v[i] = d->rec[b][at + i].key << 32 | d->rec[b][at + i].item;
                assert_int_equal(fw_band_writer_add_narrow(w, b, v, k), FW_OK);
                free(v);
            } else {
                assert_int_equal(fw_band_writer_add(w, b, d->rec[b] + at, k), FW_OK);
            }
        }
    assert_int_equal(fw_band_writer_finish(w), FW_OK);
    fw_band_writer_free(w);
}

/* The records of band b with key k, by a linear scan. */
static size_t brute_find(const bands_data *d, unsigned b, uint64_t k, size_t *first)
{
    size_t n = 0;
    *first = 0;
    for (size_t i = 0; i < d->n[b]; i++)
        if (d->rec[b][i].key == k) {
            if (!n) *first = i;
            n++;
        }
    return n;
}

/* Every key of every band looked up: from the top (wide files), and with
 * a cursor, keys in increasing order with a smaller one now and then. */
static void check_lookups(fw_band_file *f, const bands_data *d, uint64_t key_range,
                          int high_keys)
{
    assert_int_equal(fw_band_file_narrow(f), narrow);
    fw_band_cursor c = {0};
    for (unsigned b = 0; b < BANDS + 1; b++) {
        assert_int_equal(fw_band_file_count(f, b), b < BANDS ? d->n[b] : 0);
        fw_band_cursor_init(&c, f, b);
        for (uint64_t step = 0; step <= key_range + key_range / 5; step++) {
            /* every fifth step goes back to a key already passed */
            uint64_t k0 = step % 5 == 4 ? (step * 7) % (step / 2 + 1) : step - step / 5;
            uint64_t k = high_keys ? (narrow ? k0 << 24 | 0xcdef : k0 << 40 | 0xabcdef) : k0;
            const fw_band_record *got;
            size_t n, first;
            size_t want = b < BANDS ? brute_find(d, b, k, &first) : 0;
            if (!narrow) {
                assert_int_equal(fw_band_file_find(f, b, k, &got, &n), FW_OK);
                assert_int_equal(n, want);
                if (want) assert_memory_equal(got, d->rec[b] + first, want * sizeof *got);
            } else { /* narrow: through a cursor only, found or not */
                assert_int_equal(fw_band_file_find(f, b, k, &got, &n), FW_ERR_ARG);
                assert_string_equal(fw_band_file_error(f), ""); /* no message left */
            }
            assert_int_equal(fw_band_cursor_find(&c, k, &got, &n), FW_OK);
            assert_int_equal(n, want);
            if (want) assert_memory_equal(got, d->rec[b] + first, want * sizeof *got);
        }
        /* sparse: keys far apart, past the window a cursor counts first */
        for (uint64_t stride = 3; stride <= 97; stride += 47) {
            fw_band_cursor_init(&c, f, b);
            for (uint64_t k0 = 1; k0 <= key_range + 2; k0 += stride) {
                uint64_t k = high_keys ? (narrow ? k0 << 24 | 0xcdef : k0 << 40 | 0xabcdef) : k0;
                const fw_band_record *got;
                size_t n, first;
                size_t want = b < BANDS ? brute_find(d, b, k, &first) : 0;
                assert_int_equal(fw_band_cursor_find(&c, k, &got, &n), FW_OK);
                assert_int_equal(n, want);
                if (want) assert_memory_equal(got, d->rec[b] + first, want * sizeof *got);
            }
        }
    }
    fw_band_cursor_free(&c);
}

/* The sort as qsort sorts, for keys as hashes spread them (one pass over
 * buckets), keys that agree on their high bits (32-bit passage keys), many
 * equal keys, and items in and out of order. */
static void sort_matches_qsort(void **state)
{
    (void)state;
    rng_state = 5;
    const size_t sizes[] = {0, 1, 33, 129, 1000, 100000};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int kind = 0; kind < 5; kind++) {
            size_t n = sizes[s];
            fw_band_record *v = malloc((n + 1) * sizeof *v), *copy = malloc((n + 1) * sizeof *v),
                           *tmp = malloc((n + 1) * sizeof *v);
            for (size_t i = 0; i < n; i++) {
                uint64_t k = rng();
                if (kind == 1) k &= 0xffffffffu;           /* 32-bit keys */
                if (kind == 2) k %= 7;                     /* few keys */
                if (kind == 3) k = 0x5555;                 /* one key */
                if (kind == 4) k = (k % 3) << 62 | (k & 0xff); /* big buckets */
                v[i] = (fw_band_record){k, kind == 0 ? i : rng() % 1000};
            }
            memcpy(copy, v, n * sizeof *v);
            qsort(copy, n, sizeof *copy, by_key_item);
            fw_band_records_sort(v, tmp, n);
            assert_memory_equal(copy, v, n * sizeof *v);
            free(v);
            free(copy);
            free(tmp);
        }
}

static void round_trip(void **state)
{
    (void)state;
    rng_state = 7;
    for (narrow = 0; narrow < 2; narrow++)
    for (int high = 0; high < 2; high++) {
        /* bands of 0, 1, exactly a block, a block and one, many blocks */
        size_t per = narrow ? FW_BAND_NARROW_RECORDS : FW_BAND_BLOCK_RECORDS;
        size_t n[BANDS] = {0, 1, per, per + 1, 5000};
        bands_data d;
        uint64_t range = 40; /* ~125 records a key in band 4: buckets span blocks */
        make_data(&d, n, range, high);
        write_data(path_of("a.bands"), &d, 0x1234 + high, 97);
        char why[512];
        fw_band_file *f;
        assert_int_equal(fw_band_file_open(path_of("a.bands"), &f, why, sizeof why), FW_OK);
        assert_int_equal(fw_band_file_bands(f), BANDS);
        assert_int_equal(fw_band_file_tag(f), 0x1234 + high);
        check_lookups(f, &d, range, high);
        assert_int_equal(fw_band_file_check(f), FW_OK);
        fw_band_file_close(f);
        free_data(&d);
    }
    narrow = 0;
    /* no temporary file is left next to it */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
}

static void merge_equals_concatenation(void **state)
{
    (void)state;
    rng_state = 11;
    enum { FILES = 4 };
    bands_data d[FILES];
    fw_band_file *f[FILES];
    for (int i = 0; i < FILES; i++) { /* narrow and wide files in turn */
        size_t n[BANDS];
        for (int b = 0; b < BANDS; b++) n[b] = (size_t)(rng() % 900) * (i != 2);
        narrow = i % 2;
        make_data(&d[i], n, 300, 0);
        char name[32], why[512];
        snprintf(name, sizeof name, "m%d.bands", i);
        write_data(path_of(name), &d[i], 9, 1000);
        assert_int_equal(fw_band_file_open(path_of(name), &f[i], why, sizeof why), FW_OK);
        assert_int_equal(fw_band_file_narrow(f[i]), narrow);
    }
    narrow = 0;
    for (unsigned b = 0; b < BANDS; b++) {
        fw_band_merge *m;
        assert_int_equal(fw_band_merge_new(f, FILES, b, &m), FW_OK);
        uint64_t prev = 0, key;
        int first = 1;
        size_t total = 0, want_total = 0;
        for (int i = 0; i < FILES; i++) want_total += d[i].n[b];
        for (;;) {
            const fw_band_record *rec;
            const uint32_t *from;
            size_t n;
            assert_int_equal(fw_band_merge_next(m, &key, &rec, &from, &n), FW_OK);
            if (!n) break;
            assert_true(first || key > prev); /* each key once, in order */
            first = 0;
            prev = key;
            /* exactly each file's records of the key, file by file */
            size_t at = 0;
            for (uint32_t i = 0; i < FILES; i++) {
                size_t start, k = brute_find(&d[i], b, key, &start);
                for (size_t j = 0; j < k; j++, at++) {
                    assert_true(at < n);
                    assert_int_equal(from[at], i);
                    assert_memory_equal(&rec[at], &d[i].rec[b][start + j], sizeof *rec);
                }
            }
            assert_int_equal(at, n);
            total += n;
        }
        assert_int_equal(total, want_total);
        fw_band_merge_free(m);
    }
    for (int i = 0; i < FILES; i++) {
        fw_band_file_close(f[i]);
        free_data(&d[i]);
    }
}

static void copy_file(const char *from, const char *to)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    assert_int_equal(system(cmd), 0);
}

static void flip_byte(const char *path, long at)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, at), 1);
    c ^= 0x40;
    assert_int_equal(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

/* `d` written (tag, piece) to the file good_name, whose path goes to
 * `good` (128 bytes), and copied to bad_name with block 1 of band 0
 * damaged: the copy, opened (its blocks are checked when read). */
static fw_band_file *open_damaged_copy(const bands_data *d, uint64_t tag, size_t piece,
                                       const char *good_name, const char *bad_name, char *good)
{
    char bad[128], why[512];
    snprintf(good, 128, "%s", path_of(good_name));
    snprintf(bad, sizeof bad, "%s", path_of(bad_name));
    write_data(good, d, tag, piece);
    copy_file(good, bad);
    flip_byte(bad, 64 + 4096 + 8); /* block 1 of band 0 */
    fw_band_file *f;
    assert_int_equal(fw_band_file_open(bad, &f, why, sizeof why), FW_OK);
    return f;
}

/* Flips one byte at `at` of a copy of `good`: opening, or reading every
 * block, must fail with FW_ERR_FORMAT. */
static void assert_flip_caught(const char *good, long at)
{
    char bad[128];
    snprintf(bad, sizeof bad, "%s", path_of("bad.bands"));
    copy_file(good, bad);
    flip_byte(bad, at);
    char why[512] = "";
    fw_band_file *f;
    fw_status st = fw_band_file_open(bad, &f, why, sizeof why);
    if (st == FW_OK) {
        st = fw_band_file_check(f);
        assert_non_null(strstr(fw_band_file_error(f), "checksum"));
        fw_band_file_close(f);
    } else {
        assert_non_null(strstr(why, "bad.bands"));
    }
    assert_int_equal(st, FW_ERR_FORMAT);
}

static void damage_is_caught(void **state)
{
    (void)state;
    rng_state = 3;
    size_t n[BANDS] = {600, 0, 3, 300, 1};
    bands_data d;
    make_data(&d, n, 50, 0);
    char good[128], bad[128];
    snprintf(good, sizeof good, "%s", path_of("good.bands"));
    snprintf(bad, sizeof bad, "%s", path_of("bad.bands"));
    write_data(good, &d, 5, 600);
    struct stat sb;
    assert_int_equal(stat(good, &sb), 0);
    long size = (long)sb.st_size;
    /* every part: header, first and a later block (and its padding), the
     * fences, the sums, the band table, the footer */
    long places[] = {0, 12, 64 + 5, 64 + 4096 + 100, 64 + 3 * 4096 - 1,
                     size - 64 - 5 * 16 - 1, size - 64 - 5 * 16 - 30, size - 64 - 8,
                     size - 64 + 3, size - 1, size - 30};
    for (size_t i = 0; i < sizeof places / sizeof *places; i++) assert_flip_caught(good, places[i]);

    /* a lookup that reaches a damaged block fails instead of answering */
    copy_file(good, bad);
    flip_byte(bad, 64 + 4096 + 8); /* block 1 of band 0 */
    char why[512];
    fw_band_file *f;
    assert_int_equal(fw_band_file_open(bad, &f, why, sizeof why), FW_OK);
    int failed = 0;
    for (uint64_t k = 0; k < 50; k++) {
        const fw_band_record *r;
        size_t m;
        failed |= fw_band_file_find(f, 0, k, &r, &m) == FW_ERR_FORMAT;
    }
    assert_true(failed);
    fw_band_file_close(f);

    /* truncated anywhere: not a complete band file */
    for (long cut = 0; cut < size; cut += size / 7 + 1) {
        copy_file(good, bad);
        assert_int_equal(truncate(bad, cut), 0);
        assert_int_equal(fw_band_file_open(bad, &f, why, sizeof why), FW_ERR_FORMAT);
    }
    assert_int_equal(fw_band_file_open(path_of("missing"), &f, why, sizeof why), FW_ERR_IO);
    free_data(&d);
}

static void writer_refuses_disorder_and_leaves_nothing(void **state)
{
    (void)state;
    char why[512];
    fw_band_writer *w;
    const char *p = path_of("w.bands");
    fw_band_record r[3] = {{5, 1}, {5, 0}, {9, 9}};
    assert_int_equal(fw_band_writer_new(p, 3, 0, &w, why, sizeof why), FW_OK);
    assert_int_equal(fw_band_writer_add(w, 1, r, 1), FW_OK);
    assert_int_equal(fw_band_writer_add(w, 1, r + 1, 1), FW_ERR_ARG); /* item below */
    assert_int_equal(fw_band_writer_add(w, 0, r + 2, 1), FW_ERR_ARG); /* band below */
    assert_int_equal(fw_band_writer_add(w, 3, r + 2, 1), FW_ERR_ARG); /* no such band */
    assert_non_null(strstr(fw_band_writer_error(w), "w.bands"));
    fw_band_writer_free(w); /* abandoned */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s' | grep '^w.bands')\"", dir);
    assert_int_equal(system(cmd), 0);
    /* an empty file is a valid one */
    assert_int_equal(fw_band_writer_new(p, 3, 0, &w, why, sizeof why), FW_OK);
    assert_int_equal(fw_band_writer_finish(w), FW_OK);
    fw_band_writer_free(w);
    fw_band_file *f;
    assert_int_equal(fw_band_file_open(p, &f, why, sizeof why), FW_OK);
    const fw_band_record *got;
    size_t n;
    assert_int_equal(fw_band_file_find(f, 2, 5, &got, &n), FW_OK);
    assert_int_equal(n, 0);
    fw_band_file_close(f);
    /* a narrow file takes keys and items below 2^32 only, and 8-byte
     * records only in order; a wide one no 8-byte records */
    fw_band_record big[2] = {{UINT32_MAX, 1}, {(uint64_t)1 << 32, 0}};
    assert_int_equal(fw_band_writer_new_narrow(p, 2, 0, &w, why, sizeof why), FW_OK);
    assert_int_equal(fw_band_writer_add(w, 0, big, 1), FW_OK);
    assert_int_equal(fw_band_writer_add(w, 0, big + 1, 1), FW_ERR_ARG); /* key too big */
    fw_band_record item[1] = {{UINT32_MAX, (uint64_t)1 << 32}};
    assert_int_equal(fw_band_writer_add(w, 1, item, 1), FW_ERR_ARG); /* item too big */
    uint64_t v[2] = {7, 5};
    assert_int_equal(fw_band_writer_add_narrow(w, 1, v, 2), FW_ERR_ARG); /* not in order */
    fw_band_writer_free(w);
    assert_int_equal(fw_band_writer_new(p, 2, 0, &w, why, sizeof why), FW_OK);
    assert_int_equal(fw_band_writer_add_narrow(w, 0, v + 1, 1), FW_ERR_ARG);
    fw_band_writer_free(w);
    snprintf(cmd, sizeof cmd, "test -z \"$(ls '%s' | grep '^w.bands.tmp')\"", dir);
    assert_int_equal(system(cmd), 0); /* abandoned: no temporary file left */
}

/* A narrow file's damaged block fails a cursor's lookup that reaches it. */
static void narrow_damage_is_caught(void **state)
{
    (void)state;
    rng_state = 13;
    narrow = 1;
    size_t n[BANDS] = {1200, 0, 3, 300, 1};
    bands_data d;
    make_data(&d, n, 50, 0);
    char good[128], why[512];
    fw_band_file *f = open_damaged_copy(&d, 5, 600, "ngood.bands", "nbad.bands", good);
    fw_band_cursor c = {0};
    fw_band_cursor_init(&c, f, 0);
    int failed = 0;
    for (uint64_t k = 0; k < 50; k++) {
        const fw_band_record *r;
        size_t m;
        failed |= fw_band_cursor_find(&c, k, &r, &m) == FW_ERR_FORMAT;
    }
    assert_true(failed);
    assert_non_null(strstr(fw_band_file_error(f), "checksum"));
    fw_band_cursor_free(&c);
    fw_band_file_close(f);
    assert_int_equal(fw_band_file_open(good, &f, why, sizeof why), FW_OK);
    assert_int_equal(fw_band_file_check(f), FW_OK);
    fw_band_file_close(f);
    free_data(&d);
    narrow = 0;
}

/* A damaged block a lookup does not need fails no cursor's lookup: a
 * cursor reads the blocks fw_band_file_find reads (its window stays in the
 * block it is in), so the two answer alike on a damaged file. */
static void cursor_reads_no_more_blocks(void **state)
{
    (void)state;
    for (int nar = 0; nar < 2; nar++) {
        narrow = nar;
        const uint64_t per = nar ? FW_BAND_NARROW_RECORDS : FW_BAND_BLOCK_RECORDS;
        size_t n[BANDS] = {per + 44, 0, 0, 0, 0};
        bands_data d = {0};
        for (unsigned b = 0; b < BANDS; b++) {
            d.n[b] = n[b];
            d.rec[b] = malloc((n[b] ? n[b] : 1) * sizeof *d.rec[b]);
        }
        for (size_t i = 0; i < n[0]; i++) d.rec[0][i] = (fw_band_record){i, i}; /* key i */
        char good[128];
        fw_band_file *f = open_damaged_copy(&d, 7, 1000, "egood.bands", "ebad.bands", good);
        fw_band_cursor c = {0};
        fw_band_cursor_init(&c, f, 0);
        for (uint64_t k = per - 40; k < per; k += 5) { /* the last keys of block 0 */
            const fw_band_record *r;
            size_t m;
            assert_int_equal(fw_band_cursor_find(&c, k, &r, &m), FW_OK);
            assert_int_equal(m, 1);
            assert_int_equal(r[0].key, k);
        }
        const fw_band_record *r;
        size_t m;
        assert_int_equal(fw_band_cursor_find(&c, per + 3, &r, &m), FW_ERR_FORMAT); /* block 1 */
        fw_band_cursor_free(&c);
        fw_band_file_close(f);
        free_data(&d);
    }
    narrow = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sort_matches_qsort),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(merge_equals_concatenation),
        cmocka_unit_test(damage_is_caught),
        cmocka_unit_test(writer_refuses_disorder_and_leaves_nothing),
        cmocka_unit_test(narrow_damage_is_caught),
        cmocka_unit_test(cursor_reads_no_more_blocks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
