/*
 * consumer.c — a program built against an installed fanwen, the way a
 * user builds one: only <fanwen.h>, compiled and linked with the flags
 * of `pkg-config fanwen` (.ci/install-check does it for the static and
 * the shared library).
 *
 * It scans three texts, two of them near copies, and checks the one pair
 * and its exact Jaccard; writes the reports and checks pairs.csv is
 * there; and checks that the library it runs with is the version of the
 * header it was compiled with. Exit status 0 when all holds, 1 otherwise.
 *
 *   consumer [DIR]   the reports go to DIR (default: a temporary
 *                    directory, removed afterwards)
 */
#define _POSIX_C_SOURCE 200809L

#include <fanwen.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 100 distinct ideographs from `first`, so every 5-gram is distinct:
 * L - 4 = 96 shingles. `changed` (if < 100) is replaced by U+9FA0, which
 * no text here otherwise holds. */
#define CHARS 100
static size_t make_text(char *out, uint32_t first, size_t changed)
{
    size_t n = 0, i;
    for (i = 0; i < CHARS; i++)
        n += fw_utf8_encode(out + n, i == changed ? 0x9FA0 : first + (uint32_t)i);
    return n;
}

static int failures;

static int near(double x, double y) { return x - y < 1e-12 && y - x < 1e-12; }

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        failures++;
    }
}

/* Removes the files in `dir`, then `dir`. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    char text[3][CHARS * 4];
    size_t len[3];
    const char *ids[3] = {"a-original", "b-copy", "c-other"};
    /* One substitution in the middle touches 5 of the 96 shingles of
     * each side: |A∩B| = 91, |A∪B| = 101. */
    const double expected = 91.0 / 101.0, contained = 91.0 / 96.0;
    fw_scan_options options;
    fw_scan *scan = NULL;
    char why[256] = "";
    const fw_result_pair *pairs = NULL;
    size_t npairs = 0, i;
    char tmp[] = "/tmp/fanwen-consumer-XXXXXX";
    char dir[4096], pairs_csv[4200];
    struct stat st;
    int made_dir = 0;

    printf("fanwen %s (header %s)\n", fw_version(), FW_VERSION_STRING);
    check(strcmp(fw_version(), FW_VERSION_STRING) == 0,
          "fw_version() is the version of the installed header");
    check(fw_version_number() == FW_VERSION_NUMBER, "fw_version_number()");

    len[0] = make_text(text[0], 0x4E00, CHARS);
    len[1] = make_text(text[1], 0x4E00, CHARS / 2);
    len[2] = make_text(text[2], 0x6000, CHARS);

    fw_scan_options_default(&options);
    options.threads = 2;
    if (fw_scan_new(&options, &scan, why, sizeof why) != FW_OK) {
        fprintf(stderr, "consumer: fw_scan_new: %s\n", why);
        return 1;
    }
    for (i = 0; i < 3; i++)
        check(fw_scan_add_text(scan, ids[i], text[i], len[i]) == FW_OK, "fw_scan_add_text");
    check(fw_scan_run(scan) == FW_OK, "fw_scan_run");
    check(fw_scan_pairs(scan, &pairs, &npairs) == FW_OK, "fw_scan_pairs");
    check(npairs == 1, "exactly one pair");
    if (npairs == 1) {
        printf("pair %u-%u: Jaccard %.6f (expected %.6f)\n", pairs[0].a, pairs[0].b,
               pairs[0].jaccard, expected);
        check(pairs[0].a == 0 && pairs[0].b == 1, "the pair is the original and its copy");
        check(near(pairs[0].jaccard, expected), "the pair's Jaccard is 91/101");
        check(near(pairs[0].a_in_b, contained), "containment is 91/96");
    }

    if (argc > 1) {
        snprintf(dir, sizeof dir, "%s", argv[1]);
    } else {
        if (!mkdtemp(tmp)) {
            perror("consumer: mkdtemp");
            return 1;
        }
        snprintf(dir, sizeof dir, "%s/report", tmp);
        made_dir = 1;
    }
    if (fw_report_write(scan, dir, NULL) != FW_OK)
        fprintf(stderr, "consumer: fw_report_write: %s\n", fw_scan_error(scan));
    snprintf(pairs_csv, sizeof pairs_csv, "%s/pairs.csv", dir);
    check(stat(pairs_csv, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0,
          "the report has a pairs.csv");
    fw_scan_free(scan);
    if (made_dir) {
        remove_dir(dir);
        rmdir(tmp);
    }

    if (failures) {
        fprintf(stderr, "consumer: %d checks failed\n", failures);
        return 1;
    }
    printf("consumer: all checks passed\n");
    return 0;
}
