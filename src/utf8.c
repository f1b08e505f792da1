/*
 * utf8.c — strict UTF-8 decoding with U+FFFD substitution.
 *
 * Crawled text is full of broken bytes: truncated multi-byte characters at
 * buffer ends, Latin-1 mixed into UTF-8, CESU-8 surrogates. We decode by the
 * table of well-formed sequences in Unicode §3.9 (Table 3-7) and replace each
 * maximal subpart of an ill-formed sequence by one U+FFFD, the practice the
 * standard recommends and that browsers follow. Overlong forms, surrogates
 * (ED A0..BF) and code points above U+10FFFF are all ill-formed by that table.
 */
#include "fanwen.h"

#include <stdlib.h>
#include <string.h>

size_t fw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp,
                      int *invalid)
{
    unsigned char c = s[0];
    *invalid = 0;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /* Lead byte: sequence length and the allowed range of the 2nd byte. */
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2; v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3; v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;       /* no overlongs */
        if (c == 0xED) hi = 0x9F;       /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4; v = c & 0x07;
        if (c == 0xF0) lo = 0x90;       /* no overlongs */
        if (c == 0xF4) hi = 0x8F;       /* nothing above U+10FFFF */
    } else {
        *cp = 0xFFFD;                   /* C0, C1, F5..FF, stray continuation */
        *invalid = 1;
        return 1;
    }
    size_t i = 1;
    for (; i < need; i++) {
        if (i >= n) break;
        unsigned char b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
        v = (v << 6) | (b & 0x3F);
    }
    if (i < need) {                     /* truncated or broken: maximal subpart */
        *cp = 0xFFFD;
        *invalid = 1;
        return i;
    }
    *cp = v;
    return need;
}

size_t fw_utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* Skip ASCII eight bytes at a time: most text is mostly ASCII or
         * mostly CJK, and this keeps the common case cheap. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        uint32_t cp;
        int bad;
        size_t used = fw_utf8_decode(u + i, n - i, &cp, &bad);
        if (bad) return i;
        i += used;
    }
    return n;
}

fw_status fw_utf8_repair(const char *s, size_t n, char **out, size_t *out_len,
                         size_t *replaced)
{
    /* Each invalid byte becomes at most 3 bytes (EF BF BD). */
    if (n > (SIZE_MAX - 1) / 3) return FW_ERR_NOMEM;
    char *buf = malloc(3 * n + 1);
    if (!buf) return FW_ERR_NOMEM;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0, bad_count = 0;
    while (i < n) {
        size_t ok = fw_utf8_valid_prefix(s + i, n - i);
        memcpy(buf + o, s + i, ok);
        o += ok;
        i += ok;
        if (i >= n) break;
        uint32_t cp;
        int bad;
        i += fw_utf8_decode(u + i, n - i, &cp, &bad);
        memcpy(buf + o, "\xEF\xBF\xBD", 3);
        o += 3;
        bad_count++;
    }
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    if (replaced) *replaced = bad_count;
    return FW_OK;
}

size_t fw_utf8_encode(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}
