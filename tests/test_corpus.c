/*
 * test_corpus.c — the demo corpus in corpus/ gives exactly the pairs listed
 * in corpus/expected_pairs.csv: the planted copies (a year changed, a place
 * name changed, paragraphs reordered, full-width digits and punctuation,
 * with the Jaccard values an independent Python computation gives)
 * are found, and the teaser page and the unrelated reports are not paired.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_corpus_pairs_are_the_expected_ones(void **state)
{
    (void)state;
    char out[] = "/tmp/fanwen-test-corpus-XXXXXX";
    assert_non_null(mkdtemp(out));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' scan --quiet --out '%s/report' '%s/docs'", FANWEN_CLI,
             out, FANWEN_CORPUS);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    csv_table want, got, docs;
    assert_true(csv_read(FANWEN_CORPUS "/expected_pairs.csv", &want));
    char path[1024];
    snprintf(path, sizeof path, "%s/report/pairs.csv", out);
    assert_true(csv_read(path, &got));
    assert_true(got.well_formed);
    print_message("%zu expected pairs, %zu reported\n", want.rows - 1, got.rows - 1);
    for (size_t r = 1; r < got.rows; r++)
        print_message("  %s ~ %s  J=%s\n", got.cell[r][0], got.cell[r][1], got.cell[r][2]);
    assert_true(want.rows >= 4);
    assert_int_equal(got.rows, want.rows);
    for (size_t r = 1; r < want.rows; r++) {
        assert_string_equal(got.cell[r][0], want.cell[r][0]);
        assert_string_equal(got.cell[r][1], want.cell[r][1]);
        assert_true(atof(got.cell[r][2]) >= 0.8);
    }
    /* exact values, as computed independently (corpus/README.md) */
    assert_string_equal(got.cell[1][2], "1.000000");
    assert_string_equal(got.cell[2][2], "0.925850");
    assert_string_equal(got.cell[3][2], "0.930339");
    assert_string_equal(got.cell[4][2], "0.872476");

    snprintf(path, sizeof path, "%s/report/docs.csv", out);
    assert_true(csv_read(path, &docs));
    assert_int_equal(docs.rows - 1, 15);
    for (size_t r = 1; r < docs.rows; r++) assert_string_equal(docs.cell[r][1], "ok");
    csv_free(&want);
    csv_free(&got);
    csv_free(&docs);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_pairs_are_the_expected_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
