/* utf8_check.h — is a buffer valid UTF-8, fast (internal; see
 * utf8_check.c). */
#ifndef FW_UTF8_CHECK_H
#define FW_UTF8_CHECK_H

#include "fanwen.h"

/* 1 if the `n` bytes at `s` are valid UTF-8 by Unicode's Table 3-7 (no
 * overlong forms, no surrogates, nothing above U+10FFFF, no truncated
 * sequence at the end), else 0: exactly fw_utf8_valid_prefix(s, n) == n.
 * `path` as in fw_scanner_simd(); every path gives the same answer. */
int fw_utf8_check(const char *s, size_t n, fw_simd path);

#endif
