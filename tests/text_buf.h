/* text_buf.h — a growable string for the tests that compose documents. */
#ifndef FW_TEST_TEXT_BUF_H
#define FW_TEST_TEXT_BUF_H

#include "fanwen.h"

#include <stdlib.h>
#include <string.h>

typedef struct text_buf {
    char *s;
    size_t len, cap;
} text_buf;

static inline void put(text_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static inline void put_cp(text_buf *b, uint32_t cp)
{
    char u[4];
    put(b, u, (size_t)fw_utf8_encode(u, cp));
}

#endif
