/* ascii.h — byte classes and digit values for the text formats read as
 * bytes (warc.c, html.c): locale-free, unlike <ctype.h>. */
#ifndef FW_ASCII_H
#define FW_ASCII_H

static inline int fw_is_digit(char c) { return c >= '0' && c <= '9'; }

static inline int fw_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* The value of a decimal or hexadecimal digit, -1 for anything else. */
static inline int fw_dec_value(char c) { return fw_is_digit(c) ? c - '0' : -1; }

static inline int fw_hex_value(char c)
{
    if (fw_is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

#endif
