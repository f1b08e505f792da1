/*
 * test_sort.c — the radix sorts (src/sort.c) order as a stable comparison
 * sort does, on both sides of their thresholds (insertion sort, bytes,
 * 11-bit digits) and for keys that differ in few, gapped or all bits: the
 * digits are laid over the bits that differ, so a wrong plan would show
 * as a wrong order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "rng.h"
#include "sort.h"

#include <stdlib.h>
#include <string.h>

static const size_t SIZES[] = {0, 1, 2, 63, 64, 65, 4095, 4096, 4097, 20000, 150000};
static const uint64_t MASKS[] = {
    UINT64_MAX, 0xFFFFFFFFu, 0x3FFFF0003FFFFull, /* pairs of 18-bit numbers */
    0xFFull, 0, 0x8000000000000001ull, 0xFFFFFFFF00000000ull, 7};

/* A record with its first position, so that the reference sort is stable. */
typedef struct ref {
    uint64_t key, item;
} ref;

static int by_key_then_item(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

static ref *reference(size_t n, uint64_t (*key)(size_t i, const void *v), const void *v)
{
    ref *r = malloc((n + 1) * sizeof *r);
    for (size_t i = 0; i < n; i++) r[i] = (ref){key(i, v), i};
    qsort(r, n, sizeof *r, by_key_then_item);
    return r;
}

static uint64_t key_self(size_t i, const void *v) { return ((const uint64_t *)v)[i]; }
static uint64_t key_high32(size_t i, const void *v) { return ((const uint64_t *)v)[i] >> 32; }
static uint64_t key_field(size_t i, const void *v) { return ((const fw_keyed *)v)[i].key; }

static void u64_sorts(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof SIZES / sizeof *SIZES; s++)
        for (size_t m = 0; m < sizeof MASKS / sizeof *MASKS; m++) {
            size_t n = SIZES[s];
            uint64_t *v = malloc((n + 1) * sizeof *v), *tmp = malloc((n + 1) * sizeof *tmp);
            for (size_t i = 0; i < n; i++) v[i] = rng() & MASKS[m];
            ref *want = reference(n, key_self, v);
            fw_sort_u64(v, tmp, n);
            for (size_t i = 0; i < n; i++) assert_true(v[i] == want[i].key);
            free(want);
            /* by the high half alone, stably: the low half, junk here, keeps its order */
            for (size_t i = 0; i < n; i++) v[i] = (rng() & MASKS[m]) ^ rng() % 1000;
            uint64_t *orig = malloc((n + 1) * sizeof *orig);
            memcpy(orig, v, n * sizeof *v);
            want = reference(n, key_high32, v);
            fw_sort_by_high32(v, tmp, n);
            for (size_t i = 0; i < n; i++) assert_true(v[i] == orig[want[i].item]);
            free(want);
            free(orig);
            free(v);
            free(tmp);
        }
}

static void keyed_sort(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof SIZES / sizeof *SIZES; s++)
        for (size_t m = 0; m < sizeof MASKS / sizeof *MASKS; m++) {
            size_t n = SIZES[s];
            fw_keyed *v = malloc((n + 1) * sizeof *v), *tmp = malloc((n + 1) * sizeof *tmp);
            for (size_t i = 0; i < n; i++) v[i] = (fw_keyed){rng() & MASKS[m], (uint32_t)i};
            ref *want = reference(n, key_field, v);
            fw_sort_keyed(v, tmp, n);
            for (size_t i = 0; i < n; i++) {
                assert_true(v[i].key == want[i].key);
                assert_true(v[i].value == want[i].item);
            }
            free(want);
            free(v);
            free(tmp);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(u64_sorts),
        cmocka_unit_test(keyed_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
