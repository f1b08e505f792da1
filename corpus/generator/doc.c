/*
 * doc.c — strings and documents of the generator: spans that remember where
 * they came from, and copies that start as the source's spans.
 */
#include "generator.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const TRANSFORM_NAMES[T_COUNT] = {
    "exact", "year", "place", "figures", "reorder", "drop", "mix", "synonym",
    "censor", "chardrop", "markers", "boilerplate", "teaser", "combined",
};

/* The generator is a command, not a library: running out of memory ends it
 * with a message. Zero counts get a valid pointer, so callers need no
 * special case for an empty document or set. */
static void *checked(void *q)
{
    if (!q) {
        fputs("fanwen-corpus: out of memory\n", stderr);
        exit(1);
    }
    return q;
}

void *gen_grow(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) checked(NULL);
    size_t bytes = count * size;
    return checked(realloc(p, bytes ? bytes : 1));
}

void *gen_alloc(size_t count, size_t size) { return gen_grow(NULL, count, size); }

void *gen_zalloc(size_t count, size_t size) { return checked(calloc(count ? count : 1, size ? size : 1)); }

void str_put(gen_str *s, const char *p, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        s->cap = (s->len + n + 1) * 2;
        s->data = gen_grow(s->data, s->cap, 1);
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void str_puts(gen_str *s, const char *p) { str_put(s, p, strlen(p)); }

void str_printf(gen_str *s, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        str_put(s, small, (size_t)n);
        return;
    }
    char *big = gen_alloc((size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    str_put(s, big, (size_t)n);
    free(big);
}

void str_free(gen_str *s)
{
    free(s->data);
    *s = (gen_str){0};
}

size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

span *doc_add_span(gen_doc *d, int kind, uint32_t origin)
{
    if (d->nspans == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->spans = gen_grow(d->spans, d->cap, sizeof *d->spans);
    }
    span *s = &d->spans[d->nspans++];
    *s = (span){.kind = kind, .origin = origin, .src_doc = NO_DOC, .src_span = 0};
    return s;
}

/* The copy a site makes: the source's text without its site furniture
 * (header, footer, teaser lists belong to the page, not to the report). */
gen_doc *doc_copy(const gen_doc *src, uint32_t number)
{
    gen_doc *d = gen_alloc(1, sizeof *d);
    *d = (gen_doc){.number = number, .genre = src->genre, .place = src->place,
                   .org = src->org, .year = src->year, .role = "copy", .site = -1,
                   .nsources = 1, .sources = {src->number}};
    for (size_t i = 0; i < src->nspans; i++) {
        const span *s = &src->spans[i];
        if (s->kind == SPAN_BOILERPLATE || s->kind == SPAN_TEASER) continue;
        span *c = doc_add_span(d, s->kind, s->origin);
        str_put(&c->text, s->text.data, s->text.len);
        c->src_doc = src->number;
        c->src_span = (uint32_t)i;
        c->src_chars = s->norm_chars ? s->norm_chars : (uint32_t)utf8_chars(s->text.data, s->text.len);
    }
    return d;
}

void doc_free(gen_doc *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->nspans; i++) str_free(&d->spans[i].text);
    free(d->spans);
    str_free(&d->text);
    free(d->norm);
    free(d->set);
    free(d->origins);
    free(d);
}
