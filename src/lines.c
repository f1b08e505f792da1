/*
 * lines.c — short lines, counted across documents as crawl cleaners count
 * them (CCNet hashes every normalized line of a shard).
 *
 * A template site puts the same short lines on every page: a breadcrumb,
 * a download button, a counter. Shorter than a passage, they are glued to
 * the text next to them when passages are cut (segment.c merges short
 * pieces), so no passage group ever sees them alone. Counted on their own,
 * by a hash of their normalized text with digit runs folded ("阅读：1234次"
 * and "阅读：88次" are one line), they are found in as many documents as
 * they are; those found in enough documents are boilerplate, and are taken
 * out before the passages are cut (passage_prep.c).
 *
 * A line is the text between two line breaks (\n, \r\n, \r, U+2028,
 * U+2029). Per-document code: it reads untrusted bytes, and is fuzzed with
 * the sketch stage.
 */
#include "lines.h"
#include "break_scan.h"
#include "grow.h"

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t, for streaming a line */
#include <xxhash.h>

/* The hash of code points [a, b) with digit runs folded to one '0'. Short
 * lines (the usual case) are folded into a buffer and hashed at once;
 * longer ones streamed, to the same hash. */
#define LINE_BUF 256
static uint64_t line_hash(const uint32_t *cps, uint32_t a, uint32_t b, uint64_t seed)
{
    uint32_t buf[LINE_BUF];
    size_t n = 0;
    XXH3_state_t st;
    int streaming = b - a > LINE_BUF;
    if (streaming) XXH3_64bits_reset_withSeed(&st, seed);
    for (uint32_t i = a; i < b; i++) {
        uint32_t c = cps[i];
        int digit = c >= '0' && c <= '9';
        if (digit && i > a && cps[i - 1] >= '0' && cps[i - 1] <= '9') continue;
        buf[n++] = digit ? '0' : c;
        if (n == LINE_BUF && streaming) {
            XXH3_64bits_update(&st, buf, sizeof buf);
            n = 0;
        }
    }
    if (!streaming) return XXH3_64bits_withSeed(buf, n * sizeof *buf, seed);
    XXH3_64bits_update(&st, buf, n * sizeof *buf);
    return XXH3_64bits_digest(&st);
}

/* Where the next line break at or after i starts (len: none), its length
 * in *k. */
static size_t next_break(fw_break_scanner *b, size_t i, size_t *k)
{
    i = fw_break_next(b, i);
    *k = i < b->len ? fw_line_break(b->s + i, b->len - i) : 1;
    return i;
}

fw_status fw_lines_find(const char *text, size_t len, const uint32_t *cps,
                        const uint32_t *offsets, size_t ncps, unsigned max_chars,
                        uint64_t seed, fw_line **lines, size_t *cap, size_t *count)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t cp = 0, start = 0;
    *count = 0;
    if (ncps > UINT32_MAX) return FW_ERR_ARG;
    fw_break_scanner breaks;
    fw_break_scanner_init(&breaks, s, len, FW_BREAK_LINE, FW_SIMD_AUTO);
    for (size_t i = 0; i <= len;) {
        size_t k;
        i = next_break(&breaks, i, &k);
        size_t end_cp = fw_cp_at_byte(offsets, cp, ncps, i); /* its code points' end */
        size_t n = end_cp - cp;
        if (n >= 1 && n < max_chars) {
            if (!fw_grow(lines, cap, *count + 1, sizeof **lines, 16)) return FW_ERR_NOMEM;
            (*lines)[(*count)++] = (fw_line){line_hash(cps, (uint32_t)cp, (uint32_t)end_cp, seed),
                                             start, i, (uint32_t)cp, (uint32_t)end_cp};
        }
        cp = end_cp;
        i += k;
        start = i;
    }
    return FW_OK;
}
