/*
 * jsonl.c — one line of a JSONL shard to one document: the fast scanner
 * when it is sure of the line, yajl otherwise.
 *
 * Runs in the parallel per-document stage. Most lines are read by the
 * scanner of jsonl_scan.c (a vector search through the strings, the text
 * decoded into the thread's scratch memory as it is read), which gives up on
 * anything unusual: invalid UTF-8, a lone surrogate escape, a syntax
 * error, a top level that is not an object, deep nesting. Those lines go
 * to yajl, as every line used to, and come out exactly as they did: the
 * scanner's results are yajl's (the tests and fuzz_jsonl compare the two).
 * On laws.jsonl the scanner reads 4.4 GB/s of line bytes at one thread
 * where yajl reads 0.56 (bench/fanwen-parse-bench).
 *
 * yajl is a streaming (SAX) parser: the callbacks below pick the text and
 * id fields of the top-level object and skip everything else without
 * building a tree, which makes it about eight times faster than building
 * one with a DOM library (jansson: 79 MB/s on laws.jsonl, yajl 673 MB/s,
 * measured in this project). yajl checks UTF-8; a line with invalid UTF-8
 * is repaired (U+FFFD) and parsed again, so one bad byte in a crawl does
 * not lose the document, and the repair is counted so the document is
 * reported as `repaired`. JSON also allows lone surrogate escapes (\ud800
 * without its pair), which yajl turns into '?', into an encoded surrogate
 * (invalid UTF-8) or, joined with the escape after it, into a wrong
 * character; they are rewritten as \ufffd before parsing and counted the
 * same way. The id field may be a string or a number (kept as written).
 */
#include "jsonl.h"
#include "jsonl_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* ------------------------------------------------- the parser's memory */

#define SCRATCH_BYTES (64u << 10) /* to start with */
#define SCRATCH_MAX (4u << 20)    /* grown up to this for long lines; longer
                                   * ones get memory of their own */

typedef struct block {      /* before every block handed to yajl */
    size_t size;
    size_t own;             /* 1: malloc'ed on its own (too big for scratch) */
} block;

static void *scratch_malloc(void *ctx, size_t n)
{
    fw_jsonl_scratch *sc = ctx;
    size_t need = (sizeof(block) + n + 15) & ~(size_t)15;
    block *b;
    if (sc->buf && sc->cap - sc->used >= need) {
        b = (block *)(sc->buf + sc->used);
        sc->used += need;
        b->own = 0;
    } else {
        if (!(b = malloc(sizeof(block) + n))) return NULL;
        b->own = 1;
    }
    b->size = n;
    return b + 1;
}

static void scratch_free(void *ctx, void *p)
{
    (void)ctx;
    if (p && ((block *)p - 1)->own) free((block *)p - 1);
}

static void *scratch_realloc(void *ctx, void *p, size_t n)
{
    if (!p) return scratch_malloc(ctx, n);
    block *b = (block *)p - 1;
    if (n <= b->size) return p;
    void *q = scratch_malloc(ctx, n);
    if (!q) return NULL;
    memcpy(q, p, b->size);
    scratch_free(ctx, p);
    return q;
}

/* At the start of each parse: the last line's blocks are all freed, and
 * the scratch grows (up to SCRATCH_MAX) to hold `want` bytes. */
static void scratch_reset(fw_jsonl_scratch *sc, size_t want)
{
    if (!sc) return;
    size_t cap = sc->cap ? sc->cap : SCRATCH_BYTES;
    while (cap < want && cap < SCRATCH_MAX) cap *= 2;
    if (cap > sc->cap) { /* nothing in it to keep */
        unsigned char *grown = malloc(cap);
        if (grown) {
            free(sc->buf);
            sc->buf = grown;
            sc->cap = cap;
        }
    }
    sc->used = 0;
}

void fw_jsonl_scratch_free(fw_jsonl_scratch *sc)
{
    free(sc->buf);
    sc->buf = NULL;
    sc->cap = sc->used = 0;
}

/* ------------------------------------------------------------ the parse */

enum field { NONE, TEXT, ID };

static void release_owned(fw_jsonl_doc *d)
{
    if (d->scratch) scratch_free(d->scratch, d->owned);
    else free(d->owned);
    d->owned = NULL;
}

typedef struct parse {
    const char *text_field, *id_field;
    size_t text_len, id_len;
    const unsigned char *line;
    size_t line_len;
    int depth;               /* 1 inside the top-level object */
    int root_is_object;
    enum field pending;      /* the key just read names this field */
    int text_seen, text_not_string, nomem;
    fw_jsonl_doc *doc;
} parse;

static int on_key(void *ctx, const unsigned char *key, size_t len)
{
    parse *p = ctx;
    p->pending = NONE;
    if (p->depth != 1) return 1;
    if (len == p->text_len && memcmp(key, p->text_field, len) == 0) p->pending = TEXT;
    else if (len == p->id_len && memcmp(key, p->id_field, len) == 0) p->pending = ID;
    return 1;
}

/* An id's n bytes at `id` (room for `cap`) with each NUL (an escaped
 * \u0000) made U+FFFD: an id is a C string, which a NUL would cut short.
 * Each NUL came from six bytes of the line, so the three of U+FFFD fit
 * in an id sized by its escaped length. */
static void id_without_nuls(char *id, size_t n, size_t cap)
{
    size_t nuls = 0;
    for (size_t i = 0; i < n; i++) nuls += id[i] == '\0';
    if (!nuls || n + 2 * nuls + 1 > cap) {
        id[n] = '\0';
        return;
    }
    id[n + 2 * nuls] = '\0';
    for (size_t i = n, o = n + 2 * nuls; i-- > 0;) {
        if (id[i]) {
            id[--o] = id[i];
        } else {
            id[--o] = (char)0xBD;
            id[--o] = (char)0xBF;
            id[--o] = (char)0xEF;
        }
    }
}

/* A copy of an id yajl decoded (NULs as in id_without_nuls). */
static char *copy_id(const void *s, size_t len)
{
    char *c = malloc(3 * len + 1);
    if (c) {
        memcpy(c, s, len);
        id_without_nuls(c, len, 3 * len + 1);
    }
    return c;
}

/* A scalar value: kept if it is the text (a string) or the id (a string
 * or a number), in the top-level object. */
static int on_value(parse *p, const unsigned char *s, size_t len, int is_string)
{
    enum field f = p->pending;
    p->pending = NONE;
    if (f == TEXT) {
        fw_jsonl_doc *d = p->doc;
        release_owned(d);
        p->text_seen = 1;
        p->text_not_string = !is_string;
        if (!is_string) return 1;
        /* strings without escapes point into the line, which outlives the
         * document's processing; others are in yajl's buffer: copied */
        if (s >= p->line && s + len <= p->line + p->line_len) {
            d->text = (const char *)s;
        } else {
            /* from the thread's scratch: it lives until the next line */
            char *c = d->scratch ? scratch_malloc(d->scratch, len + 1) : malloc(len + 1);
            if (!c) { p->nomem = 1; return 0; }
            memcpy(c, s, len);
            c[len] = '\0';
            d->owned = c;
            d->text = c;
        }
        d->len = len;
    } else if (f == ID && s) {
        free(p->doc->id);
        if (!(p->doc->id = copy_id(s, len))) { p->nomem = 1; return 0; }
    } else if (f == ID) {
        free(p->doc->id); /* null, true, false: no id */
        p->doc->id = NULL;
    }
    return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    return on_value(ctx, s, len, 1);
}
static int on_number(void *ctx, const char *s, size_t len)
{
    return on_value(ctx, (const unsigned char *)s, len, 0);
}
static int on_null(void *ctx) { return on_value(ctx, NULL, 0, 0); }
static int on_boolean(void *ctx, int b) { (void)b; return on_value(ctx, NULL, 0, 0); }

static int on_start(void *ctx, int is_map)
{
    parse *p = ctx;
    if (p->depth == 0) p->root_is_object = is_map;
    else if (p->pending != NONE) on_value(p, NULL, 0, 0); /* an object or array value */
    p->depth++;
    return 1;
}
static int on_start_map(void *ctx) { return on_start(ctx, 1); }
static int on_start_array(void *ctx) { return on_start(ctx, 0); }
static int on_end(void *ctx) { ((parse *)ctx)->depth--; return 1; }

static const yajl_callbacks CALLBACKS = {
    on_null, on_boolean, NULL, NULL, on_number, on_string,
    on_start_map, on_key, on_end, on_start_array, on_end};

/* Parses one buffer; returns 1 if it is well-formed JSON, else 0 with the
 * parser's message in doc->error. */
static int parse_once(parse *p, const unsigned char *line, size_t len,
                      fw_jsonl_scratch *sc)
{
    fw_jsonl_doc *d = p->doc;
    p->line = line;
    p->line_len = len;
    yajl_alloc_funcs funcs = {scratch_malloc, scratch_realloc, scratch_free, sc};
    scratch_reset(sc, 0);
    yajl_handle h = yajl_alloc(&CALLBACKS, sc ? &funcs : NULL, p);
    if (!h) { p->nomem = 1; return 0; }
    yajl_status st = yajl_parse(h, line, len);
    if (st == yajl_status_ok) st = yajl_complete_parse(h);
    if (st != yajl_status_ok && !p->nomem) {
        unsigned char *msg = yajl_get_error(h, 0, line, len);
        char *m = (char *)msg;
        size_t ml = m ? strcspn(m, "\n") : 0;
        snprintf(d->error, sizeof d->error, "invalid JSON: %.*s", (int)ml, m ? m : "");
        if (msg) yajl_free_error(h, msg);
    }
    yajl_free(h);
    return st == yajl_status_ok;
}

/* The value of 4 hex digits at s, or 0x10000 if they are not hex. */
static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
        if (d == 16) return 0x10000;
        v = v << 4 | d;
    }
    return v;
}

/* Counts the lone surrogate escapes of a line (\ud800–\udbff not followed
 * by \udc00–\udfff, or one of those alone); with `out` (a copy of the
 * line), rewrites each there as \ufffd, which has the same length. */
static size_t lone_surrogates(const char *s, size_t len, char *out)
{
    const char *end = s + len, *p = s;
    size_t count = 0;
    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL && end - p >= 2) {
        unsigned u = p[1] == 'u' && end - p >= 6 ? hex4(p + 2) : 0x10000;
        if (u < 0xD800 || u > 0xDFFF) {
            p += 2; /* \\ and \" too: what follows is not an escape */
            continue;
        }
        unsigned low = u <= 0xDBFF && end - p >= 12 && p[6] == '\\' && p[7] == 'u'
                           ? hex4(p + 8) : 0x10000;
        if (low >= 0xDC00 && low <= 0xDFFF) {
            p += 12;
            continue;
        }
        if (out) memcpy(out + (p - s), "\\ufffd", 6);
        count++;
        p += 6;
    }
    return count;
}

fw_status fw_jsonl_parse_yajl(const char *line, size_t len, const char *text_field,
                              const char *id_field, fw_jsonl_scratch *scratch,
                              fw_jsonl_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    doc->scratch = scratch;
    size_t lone = lone_surrogates(line, len, NULL);
    if (lone) { /* parse a rewritten copy, which the text may point into */
        char *fixed = malloc(len + 1);
        if (!fixed) return FW_ERR_NOMEM;
        memcpy(fixed, line, len);
        fixed[len] = '\0';
        lone_surrogates(line, len, fixed);
        line = doc->repaired_line = fixed;
    }
    parse p = {text_field, id_field, strlen(text_field), strlen(id_field),
               NULL, 0, 0, 0, NONE, 0, 0, 0, doc};
    int ok = parse_once(&p, (const unsigned char *)line, len, scratch);
    if (!ok && !p.nomem && fw_utf8_valid_prefix(line, len) != len) {
        char *repaired;
        size_t rlen;
        if (fw_utf8_repair(line, len, &repaired, &rlen, &doc->repaired) != FW_OK)
            return FW_ERR_NOMEM;
        fw_jsonl_done(doc);
        size_t keep = doc->repaired;
        memset(doc, 0, sizeof *doc);
        doc->repaired = keep;
        doc->scratch = scratch;
        p = (parse){text_field, id_field, strlen(text_field), strlen(id_field),
                    NULL, 0, 0, 0, NONE, 0, 0, 0, doc};
        ok = parse_once(&p, (const unsigned char *)repaired, rlen, scratch);
        /* the text may point into `repaired`: own it */
        doc->repaired_line = repaired;
    }
    if (p.nomem) return FW_ERR_NOMEM;
    if (ok && !p.root_is_object)
        snprintf(doc->error, sizeof doc->error, "invalid JSON: not an object");
    else if (ok && (!p.text_seen || p.text_not_string))
        snprintf(doc->error, sizeof doc->error, "no string field \"%s\"", text_field);
    if (!ok) { /* an id read before the error is not to be trusted */
        free(doc->id);
        doc->id = NULL;
    }
    if (!ok || doc->error[0]) {
        doc->text = NULL;
        doc->len = 0;
    }
    doc->repaired += lone;
    return FW_OK;
}

/* ------------------------------------------------------ the fast path */

/* The document of a line fw_jsonl_scan() read, its text decoded into
 * `out` if it has escapes: what the callbacks above make of the same
 * line. */
static fw_status take_scanned(const fw_json_value *text, const fw_json_value *id,
                              const char *text_field, char *out, fw_jsonl_doc *doc)
{
    doc->owned = out; /* as on_value() copies yajl's decoded strings */
    if (text->kind == FW_JSON_STRING && text->escaped) out[text->len] = '\0';
    else release_owned(doc); /* the text is in the line, or there is none */
    if (id->kind == FW_JSON_STRING || id->kind == FW_JSON_NUMBER) {
        if (!(doc->id = malloc(id->len + 1))) return FW_ERR_NOMEM;
        size_t n = id->len;
        if (id->escaped) n = fw_json_unescape(id->at, id->len, doc->id);
        else memcpy(doc->id, id->at, n);
        id_without_nuls(doc->id, n, id->len + 1);
    }
    if (text->kind != FW_JSON_STRING) {
        snprintf(doc->error, sizeof doc->error, "no string field \"%s\"", text_field);
        return FW_OK;
    }
    doc->text = text->at; /* into the line, or `out` */
    doc->len = text->len;
    return FW_OK;
}

fw_status fw_jsonl_parse_simd(const char *line, size_t len, const char *text_field,
                              const char *id_field, fw_jsonl_scratch *scratch, fw_simd path,
                              fw_jsonl_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    doc->scratch = scratch;
    /* the scanner decodes the text as it reads it, into room for the line */
    scratch_reset(scratch, sizeof(block) + len + 16);
    char *out = scratch ? scratch_malloc(scratch, len + 1) : malloc(len + 1);
    if (!out) return FW_ERR_NOMEM;
    fw_json_value text, id;
    if (!fw_jsonl_scan(line, len, text_field, id_field, path, out, &text, &id)) {
        doc->owned = out;
        release_owned(doc);
        return fw_jsonl_parse_yajl(line, len, text_field, id_field, scratch, doc);
    }
    return take_scanned(&text, &id, text_field, out, doc);
}

fw_status fw_jsonl_parse(const char *line, size_t len, const char *text_field,
                         const char *id_field, fw_jsonl_scratch *scratch, fw_jsonl_doc *doc)
{
    return fw_jsonl_parse_simd(line, len, text_field, id_field, scratch, FW_SIMD_AUTO, doc);
}

void fw_jsonl_done(fw_jsonl_doc *doc)
{
    release_owned(doc);
    free(doc->repaired_line);
    free(doc->id);
    doc->owned = doc->repaired_line = doc->id = NULL;
    doc->text = NULL;
}
