/*
 * fuzz_normalize.c — arbitrary bytes through the text stages of one
 * document: normalization, template, segmentation, shingles, sketches.
 *
 * The first byte chooses parameters (n-gram size, passage lengths); the
 * rest is the text. Checked: fw_normalize() and fw_normalize_mapped() give
 * the same code points, all ≤ U+10FFFF, with offsets in the text and never
 * going back; the template's plain and mapped forms agree and keep offsets
 * in order; passages tile the code points in order, with byte ranges in
 * order that hold their characters; there are fw_shingle_count() shingle
 * hashes, the set is sorted and free of repeats, and MinHash and OPH give
 * the same signature for the hashes with repeats as for the set. A broken
 * check aborts (a crash).
 */
#include "stages_fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    make_stages();
    return 0;
}

static void check_offsets(const uint32_t *offs, size_t n, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        CHECK(offs[i] < len);
        CHECK(i == 0 || offs[i - 1] <= offs[i]);
    }
}

static void check_template(const uint32_t *cps, const uint32_t *offs, size_t n,
                           size_t len)
{
    uint32_t *a = NULL, *b = NULL, *boffs = NULL;
    size_t acap = 0, bcap = 0, ocap = 0, na, nb;
    CHECK(fw_template_apply(tpl, cps, n, &a, &acap, &na) == FW_OK);
    CHECK(fw_template_apply_mapped(tpl, cps, offs, n, &b, &bcap, &nb, &boffs,
                                   &ocap) == FW_OK);
    CHECK(na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0));
    check_offsets(boffs, nb, len);
    free(a);
    free(b);
    free(boffs);
}

static void check_segments(const char *text, size_t len, const uint32_t *cps,
                           const uint32_t *offs, size_t n, unsigned min_chars,
                           unsigned max_chars)
{
    fw_span *spans = NULL;
    size_t cap = 0, count;
    CHECK(fw_segment(text, len, cps, offs, n, min_chars, max_chars, &spans, &cap,
                     &count) == FW_OK);
    CHECK((count == 0) == (n == 0));
    uint32_t cp = 0;
    uint64_t byte = 0;
    for (size_t i = 0; i < count; i++) {
        const fw_span *s = &spans[i];
        CHECK(s->cp_start == cp && s->cp_end > s->cp_start);
        CHECK(byte <= s->byte_start && s->byte_end <= len);
        /* its bytes hold its characters */
        CHECK(s->byte_start <= offs[s->cp_start] && offs[s->cp_end - 1] < s->byte_end);
        cp = s->cp_end;
        byte = s->byte_end;
    }
    CHECK(cp == n);
    free(spans);
}

static void check_sketches(const uint32_t *cps, size_t n, unsigned ngram)
{
    size_t count = fw_shingle_count(n, ngram);
    size_t room = count ? count : 1;
    uint64_t *all = malloc(room * sizeof *all), *set = malloc(room * sizeof *set);
    uint64_t *scratch = malloc(room * sizeof *scratch);
    unsigned char *packed = malloc(fw_shingle_packed_size(n));
    CHECK(all && set && scratch && packed);
    CHECK(fw_shingle_hash_all(cps, n, ngram, 7, all, packed) == count);
    size_t m = fw_shingle_hash(cps, n, ngram, 7, set, scratch);
    CHECK(m <= count && (m == 0) == (count == 0));
    for (size_t i = 1; i < m; i++) CHECK(set[i - 1] < set[i]);
    uint32_t sig_all[K], sig_set[K];
    fw_minhash_compute(mh, all, count, sig_all);
    fw_minhash_compute(mh, set, m, sig_set);
    CHECK(memcmp(sig_all, sig_set, sizeof sig_all) == 0);
    fw_oph_compute(oph, all, count, sig_all);
    fw_oph_compute(oph, set, m, sig_set);
    CHECK(memcmp(sig_all, sig_set, sizeof sig_all) == 0);
    free(all);
    free(set);
    free(scratch);
    free(packed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    static const unsigned lengths[4][2] = {{50, 400}, {1, 0}, {3, 8}, {10, 20}};
    unsigned ngram = 1 + (data[0] & 63);
    unsigned min_chars = lengths[data[0] >> 6][0], max_chars = lengths[data[0] >> 6][1];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    uint32_t *cps = NULL, *mapped = NULL, *offs = NULL;
    size_t cap = 0, mcap = 0, ocap = 0, n, nm;
    fw_norm_info info, minfo;
    CHECK(fw_normalize(nz, text, len, &cps, &cap, &n, &info) == FW_OK);
    CHECK(fw_normalize_mapped(nz, text, len, &mapped, &mcap, &nm, &minfo, &offs,
                              &ocap) == FW_OK);
    CHECK(n == nm && (n == 0 || memcmp(cps, mapped, n * sizeof *cps) == 0));
    CHECK(memcmp(&info, &minfo, sizeof info) == 0);
    CHECK(info.code_points <= len && info.invalid_sequences <= info.code_points);
    for (size_t i = 0; i < n; i++) CHECK(cps[i] <= 0x10FFFF);
    check_offsets(offs, n, len);

    check_template(cps, offs, n, len);
    check_segments(text, len, cps, offs, n, min_chars, max_chars);
    check_sketches(cps, n, ngram);
    free(cps);
    free(mapped);
    free(offs);
    return 0;
}
