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

/* A search through one text. It keeps the marks of the last 64 bytes it
 * looked at: marks come every fifty bytes or so, and each ask would
 * otherwise look at the same bytes again. */
typedef struct fw_break_scanner {
    const unsigned char *s;
    size_t len;
    fw_break_kind kind;
    fw_simd path;   /* as fw_scanner_simd() answered */
    size_t block;   /* marks of bytes [block, block + 64), bit k for block + k; */
    uint64_t marks; /* block is SIZE_MAX while there are none */
} fw_break_scanner;

/* Starts a search through the `len` bytes at s (which must stay there)
 * for marks of `kind`; `path` as in fw_scanner_simd(), every path giving
 * the same answers. */
void fw_break_scanner_init(fw_break_scanner *b, const unsigned char *s, size_t len,
                           fw_break_kind kind, fw_simd path);

/* The first position p in [from, len) where a mark starts (a multi-byte
 * one whole before len), or len if none. Any `from` may be asked, fastest
 * in increasing order. */
size_t fw_break_next(fw_break_scanner *b, size_t from);

#endif
