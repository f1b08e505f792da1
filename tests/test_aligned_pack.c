/*
 * test_aligned_pack.c — packed aligned texts (src/aligned_pack.c) give back
 * exactly the code points and offsets they were made from, for every range:
 * narrow and wide code points, steps of 0 to 300 bytes (one byte, or 255
 * and four), offsets that go back (kept whole), ranges across checkpoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "aligned_pack.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

enum { WIDE_TEXT = 1, BACKWARDS = 2, SHORT_STEPS = 4 };

static void round_trip_one(size_t n, int kind)
{
    uint32_t *cps = malloc((n + 1) * 4), *offs = malloc((n + 1) * 4);
    uint32_t off = (uint32_t)(rng() % 1000);
    for (size_t i = 0; i < n; i++) {
        cps[i] = 0x4E00 + (uint32_t)(rng() % 3000);
        if ((kind & WIDE_TEXT) && i == n / 2) cps[i] = 0x20000 + (uint32_t)(rng() % 100);
        uint64_t r = rng() % 100;
        /* long steps too, in most blocks; or none, the fast path's blocks */
        off += r < 90 || (kind & SHORT_STEPS) ? (uint32_t)(r % 4) : (uint32_t)(rng() % 300);
        offs[i] = off;
    }
    if ((kind & BACKWARDS) && n > 3) offs[n - 2] = offs[1];
    uint32_t flags;
    size_t size = fw_aligned_packed_size(cps, offs, n, &flags);
    unsigned char *packed = aligned_alloc(16, (size + 15) & ~(size_t)15);
    memset(packed, 0xAB, size); /* nothing read that was not written */
    fw_aligned_pack(cps, offs, n, flags, packed);
    uint32_t *c = malloc((n + 1) * 4), *o = malloc((n + 1) * 4);
    /* every range starting at, around and between checkpoints, and random ones */
    size_t starts[] = {0, 1, 255, 256, 257, 511, 512, n / 2, n ? n - 1 : 0, n};
    for (size_t s = 0; s < sizeof starts / sizeof *starts; s++) {
        size_t start = starts[s] <= n ? starts[s] : n;
        for (size_t count = 0; start + count <= n && count < 700; count += 1 + count / 2) {
            fw_aligned_unpack(packed, n, start, count, c, o);
            assert_memory_equal(c, cps + start, count * 4);
            assert_memory_equal(o, offs + start, count * 4);
            fw_aligned_unpack(packed, n, start, count, c, NULL); /* code points alone */
            assert_memory_equal(c, cps + start, count * 4);
        }
    }
    for (int t = 0; t < 50 && n; t++) {
        size_t start = rng() % n, count = rng() % (n - start + 1);
        fw_aligned_unpack(packed, n, start, count, c, o);
        assert_memory_equal(c, cps + start, count * 4);
        assert_memory_equal(o, offs + start, count * 4);
    }
    if (!(kind & (WIDE_TEXT | BACKWARDS)) && n > 1000)
        assert_true(size < 4 * n); /* the point of it: under half of 8 bytes */
    free(cps);
    free(offs);
    free(c);
    free(o);
    free(packed);
}

static void round_trip(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 2, 255, 256, 257, 1000, 5000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int kind = 0; kind < 8; kind++) round_trip_one(sizes[i], kind);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(round_trip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
