/* lines.h — a document's short lines (internal; see lines.c): the site
 * furniture ("下载本文档", "首页 > 范文大全 > 工作总结", "阅读：1234次")
 * that recurs across pages whatever its length. */
#ifndef FW_LINES_H
#define FW_LINES_H

#include "fanwen.h"

/* Length of a line break at s (n ≥ 1 bytes): \n, \r\n, \r, U+2028 or
 * U+2029; 0 if none. Lines (here) and passages (segment.c) break alike. */
static inline size_t fw_line_break(const unsigned char *s, size_t n)
{
    if (s[0] == '\n') return 1;
    if (s[0] == '\r') return n > 1 && s[1] == '\n' ? 2 : 1;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9)) return 3;
    return 0;
}

/* The first code point at or after cp whose character starts at or after
 * byte `at` (ncps if none): where a line or a unit ending before `at` ends.
 * Offsets never go down (fw_normalize_mapped()), so it is galloped to
 * from cp, then searched for: lines and units are tens to thousands of
 * code points, which a walk paid one by one. */
static inline size_t fw_cp_at_byte(const uint32_t *offsets, size_t cp, size_t ncps, uint64_t at)
{
    size_t lo = cp, step = 8; /* those before lo start before `at` */
    while (lo + step < ncps && offsets[lo + step] < at) {
        lo += step + 1;
        step *= 2;
    }
    /* in [lo, lo + n]: halved without branches, which the loads decide
     * at random */
    size_t n = (lo + step < ncps ? lo + step : ncps) - lo;
    while (n > 1) {
        size_t half = n / 2;
        lo = offsets[lo + half - 1] < at ? lo + half : lo;
        n -= half;
    }
    return lo + (n == 1 && offsets[lo] < at);
}

/* One short line: normalized code points [cp_start, cp_end) from bytes
 * [byte_start, byte_end) of the text, and the hash of its normalized text
 * with every run of digits folded to one. */
typedef struct fw_line {
    uint64_t hash;
    uint64_t byte_start, byte_end;
    uint32_t cp_start, cp_end;
} fw_line;

/* The lines of a text (fw_normalize_mapped()'s cps and offsets) that have
 * at least one and fewer than `max_chars` normalized characters, in order,
 * into *lines (grown with realloc; *cap items). */
fw_status fw_lines_find(const char *text, size_t len, const uint32_t *cps,
                        const uint32_t *offsets, size_t ncps, unsigned max_chars,
                        uint64_t seed, fw_line **lines, size_t *cap, size_t *count);

#endif
