/*
 * fuzz_jsonl.c — arbitrary bytes as one JSON line through the internal
 * parser (src/jsonl.h): yajl alone against the fast scanner (jsonl_scan.c)
 * on every code path this CPU runs, each with the per-thread scratch memory
 * and without.
 *
 * Checked: the parse succeeds (only memory can fail it); a line gives
 * either a text or an error message, never both; the text lies inside the
 * line, its unescaped copy or its repaired copy; a valid UTF-8 line gives
 * a valid UTF-8 text whatever its escapes (yajl lets some invalid bytes
 * through, which normalization repairs); the id is a C string; and every
 * way of parsing gives yajl's document: the same text bytes in the same
 * kind of place, the same id, error and repair count (the differential
 * check of the scanner). Everything is released (leaks fail).
 */
#include "jsonl.h"
#include "simd_paths.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static fw_jsonl_scratch scratch;

static int inside(const char *p, size_t n, const char *buf, size_t len)
{
    return buf && p >= buf && p + n <= buf + len;
}

/* Where the text lies: 0 none, 1 its copy, 2 the repaired line, 3 the
 * line. */
static int check_doc(const fw_jsonl_doc *d, const char *line, size_t len)
{
    if (!d->text) {
        CHECK(d->len == 0 && d->error[0]);
        return 0;
    }
    CHECK(d->error[0] == '\0');
    if (fw_utf8_valid_prefix(line, len) == len)
        CHECK(fw_utf8_valid_prefix(d->text, d->len) == d->len);
    if (d->id) (void)strlen(d->id);
    if (d->owned) {
        CHECK(d->text == d->owned && d->text[d->len] == '\0');
        return 1;
    }
    if (d->repaired_line) {
        CHECK(inside(d->text, d->len, d->repaired_line, strlen(d->repaired_line)));
        return 2;
    }
    CHECK(inside(d->text, d->len, line, len));
    return 3;
}

static void check_same(const fw_jsonl_doc *a, const fw_jsonl_doc *b)
{
    CHECK(!a->text == !b->text && a->len == b->len);
    CHECK(!a->text || memcmp(a->text, b->text, a->len) == 0);
    CHECK(!a->id == !b->id && (!a->id || strcmp(a->id, b->id) == 0));
    CHECK(strcmp(a->error, b->error) == 0 && a->repaired == b->repaired);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fw_simd paths[] = {FW_SIMD_BASELINE, FW_SIMD_AVX2, FW_SIMD_AVX512};
    const char *line = (const char *)data;
    fw_jsonl_doc want;
    CHECK(fw_jsonl_parse_yajl(line, size, "text", "id", NULL, &want) == FW_OK);
    int where = check_doc(&want, line, size);
    fw_jsonl_doc yajl_scratch; /* yajl's memory from the scratch */
    CHECK(fw_jsonl_parse_yajl(line, size, "text", "id", &scratch, &yajl_scratch) == FW_OK);
    CHECK(check_doc(&yajl_scratch, line, size) == where);
    check_same(&yajl_scratch, &want);
    fw_jsonl_done(&yajl_scratch);
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        if (fw_scanner_simd(paths[p]) != paths[p]) continue;
        for (int with_scratch = 0; with_scratch < 2; with_scratch++) {
            fw_jsonl_doc d;
            CHECK(fw_jsonl_parse_simd(line, size, "text", "id", with_scratch ? &scratch : NULL,
                                      paths[p], &d) == FW_OK);
            CHECK(check_doc(&d, line, size) == where);
            check_same(&d, &want);
            fw_jsonl_done(&d);
        }
    }
    fw_jsonl_done(&want);
    return 0;
}
