/* break_scan.h — where the next line break or sentence end may start, fast
 * (internal; see break_scan.c): the byte scan under lines.c and segment.c. */
#ifndef FW_BREAK_SCAN_H
#define FW_BREAK_SCAN_H

#include "fanwen.h"

typedef enum fw_break_kind {
    /* exactly where fw_line_break() (lines.h) finds a break: \n, \r, and
     * U+2028, U+2029 (E2 80 A8, E2 80 A9) */
    FW_BREAK_LINE,
    /* those, and where a sentence end (segment.c) may start: ! ? ; . and
     * 。！？；｡ (E3 80 82, EF BC 81, EF BC 9F, EF BC 9B, EF BD A1); whether
     * a '.' ends a sentence is for the caller to decide */
    FW_BREAK_SENTENCE
} fw_break_kind;

/* The first position p in [from, len) of the `len` bytes at s where a mark
 * of `kind` starts (a multi-byte one whole before len), or len if none.
 * `path` as in fw_scanner_simd(); every path gives the same answer. */
size_t fw_break_scan(const unsigned char *s, size_t from, size_t len, fw_break_kind kind,
                     fw_simd path);

#endif
