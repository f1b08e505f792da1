/* test_csv_write.c — report fields against printf and RFC 4180: every
 * ratio written as "%.6f" writes it (random values, exact halves, the
 * values next to them, 0, 1, large ones), integers from 0 to UINT64_MAX,
 * and text quoted exactly when it must be. */
#include "csv_write.h"
#include "rng.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* What a writer put in a FILE, as a string (caller frees). */
typedef void (*writer)(FILE *f, const void *arg);

static char *written(writer w, const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    w(f, arg);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void write_fixed6(FILE *f, const void *arg) { fw_csv_fixed6(f, *(const double *)arg); }
static void write_u64(FILE *f, const void *arg) { fw_csv_u64(f, *(const uint64_t *)arg); }
static void write_field(FILE *f, const void *arg) { fw_csv_field(f, arg); }

static void check_fixed6(double v)
{
    char want[64];
    snprintf(want, sizeof want, "%.6f", v);
    char *got = written(write_fixed6, &v);
    if (strcmp(got, want) != 0) fail_msg("%.17g: wrote %s, printf %s", v, got, want);
    free(got);
}

static void test_fixed6_as_printf(void **state)
{
    (void)state;
    const double fixed[] = {0, 1, 0.5, 1e-7, 4.9999999e-7, 5e-7, 5.000001e-7, 0.0000015,
                            0.0000025, 0.1234565, 0.999999, 0.9999995, 0.99999949999,
                            123456.7890125, 8999999999.9999995, 1e12, DBL_MIN};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) check_fixed6(fixed[i]);
    rng_state = 7;
    for (int i = 0; i < 300000; i++) { /* uniform in [0, 1] */
        double v = (double)(rng() >> 11) / (double)(1ull << 53);
        check_fixed6(v);
    }
    for (uint64_t k = 0; k < 2000000; k += 7) { /* halves and their neighbours */
        double h = ((double)k + 0.5) / 1e6;
        check_fixed6(h);
        check_fixed6(nextafter(h, 0));
        check_fixed6(nextafter(h, 2));
        check_fixed6((double)k / 1e6);
    }
    for (int i = 0; i < 100000; i++) { /* shares a/b as the reports make them */
        uint64_t b = 1 + rng() % 100000, a = rng() % (b + 1);
        check_fixed6((double)a / (double)b);
    }
}

static void test_u64_as_printf(void **state)
{
    (void)state;
    uint64_t fixed[] = {0, 9, 10, 99, 100, UINT32_MAX, (uint64_t)UINT32_MAX + 1, UINT64_MAX};
    rng_state = 11;
    for (int i = 0; i < 100000 + 8; i++) {
        uint64_t v = i < 8 ? fixed[i] : rng() >> (rng() % 64);
        char want[32];
        snprintf(want, sizeof want, "%" PRIu64, v);
        char *got = written(write_u64, &v);
        assert_string_equal(got, want);
        free(got);
    }
}

static void test_fields_quoted_when_they_must_be(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"plain", "plain"},
        {"", ""},
        {"范文 2024", "范文 2024"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rhere", "\"cr\rhere\""},
        {"\"", "\"\"\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = written(write_field, cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed6_as_printf),
        cmocka_unit_test(test_u64_as_printf),
        cmocka_unit_test(test_fields_quoted_when_they_must_be),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
