/*
 * warc.c — WARC archives (ISO 28500; WET files are WARC too) as documents.
 *
 * A WARC file is a sequence of records: a version line ("WARC/1.0"), header
 * fields ("Name: value", names in any case) up to an empty line, exactly
 * Content-Length bytes of block, then an empty line or two. The block is
 * never searched for the end of a record: its length comes from the header,
 * so a page that quotes a WARC record stays one page. Which records are
 * documents:
 *
 *   conversion  (WET) the block is the text
 *   response    an HTTP response, a document when its Content-Type is text:
 *               text/html and XHTML turned into text (html.c),
 *               other text types as they are, but text/css and JavaScript, which
 *               are code, left out; chunked transfer coding and gzip or
 *               deflate content coding undone (a response whose record is
 *               not application/http, such as a crawler's text/dns lookup,
 *               goes by the record's Content-Type, like a resource)
 *   resource    a document when the record's own Content-Type is, as above
 *
 * Every other record (warcinfo, request, metadata, revisit, non-text
 * responses) is counted as skipped. A document's id is its WARC-Target-URI;
 * a URI already used in the file gets its WARC-Record-ID after it (so ids
 * stay unique), and a record without URI is "FILE:record N".
 *
 * Damage is reported, never passed over: a record cut short, a header that
 * does not parse, a Content-Length that is missing or wrong each become an
 * error row saying "FILE: record N at byte B: why" (B counts bytes of the
 * decompressed stream), and reading resumes at the next line that starts
 * with "WARC/". A record larger than max_doc_bytes is read past, not held.
 *
 * The file is read through a window that holds one record at most (a
 * record that is a document is handed on from the window itself); gzip with
 * one member per record, the usual .warc.gz, is undone below us, by
 * read.c's source.
 */
#include "warc.h"
#include "ascii.h"
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>
#include <zlib.h>

#define WINDOW (256 * 1024)     /* the window's first size */
#define MAX_LINE (64 * 1024)    /* longest WARC header line */
#define HTTP_PEEK (64 * 1024)   /* an HTTP head must end within this */

/* --------------------------------------------------------------- window */

typedef struct reader {
    fw_source *src;
    char *buf;
    size_t cap, pos, end;  /* unread bytes: buf[pos, end) */
    uint64_t offset;       /* stream offset of buf[pos] */
    int eof, failed, nomem;
} reader;

/* Makes `want` unread bytes available unless the stream ends or fails
 * first; returns how many are. The window grows to `want`, never past. */
static size_t fill(reader *r, size_t want)
{
    while (r->end - r->pos < want && !r->eof && !r->failed) {
        if (r->end == r->cap) {
            if (r->pos) {
                memmove(r->buf, r->buf + r->pos, r->end - r->pos);
                r->end -= r->pos;
                r->pos = 0;
            } else {
                size_t cap = r->cap <= SIZE_MAX / 2 ? r->cap * 2 : SIZE_MAX;
                if (cap > want) cap = want;
                char *grown = realloc(r->buf, cap);
                if (!grown) {
                    r->failed = r->nomem = 1;
                    break;
                }
                r->buf = grown;
                r->cap = cap;
            }
        }
        ssize_t n = fw_source_read(r->src, r->buf + r->end, r->cap - r->end);
        if (n < 0) r->failed = 1;
        else if (n == 0) r->eof = 1;
        else r->end += (size_t)n;
    }
    return r->end - r->pos;
}

static void consume(reader *r, size_t n)
{
    r->pos += n;
    r->offset += n;
}

/* Reads past `n` bytes without holding them; returns how many there were. */
static uint64_t skip(reader *r, uint64_t n)
{
    uint64_t done = 0;
    while (done < n) {
        size_t avail = r->end - r->pos;
        if (avail == 0) {
            r->pos = r->end = 0;
            if (fill(r, 1) == 0) break;
            continue;
        }
        size_t k = n - done < avail ? (size_t)(n - done) : avail;
        consume(r, k);
        done += k;
    }
    return done;
}

/* Reads past the rest of the current line. */
static void discard_line(reader *r)
{
    for (;;) {
        size_t avail = r->end - r->pos;
        const char *nl = memchr(r->buf + r->pos, '\n', avail);
        if (nl) {
            consume(r, (size_t)(nl - (r->buf + r->pos)) + 1);
            return;
        }
        consume(r, avail);
        if (fill(r, 1) == 0) return;
    }
}

typedef enum { LINE_OK, LINE_END, LINE_CUT, LINE_LONG, LINE_FAILED } line_result;

/* Reads one line; `*line` (valid until the window is filled again) and
 * `*len` leave out its CRLF or LF. LINE_CUT: the stream ends inside it;
 * LINE_LONG: longer than MAX_LINE, read past; LINE_END: nothing left. */
static line_result read_line(reader *r, const char **line, size_t *len)
{
    size_t scanned = 0;
    for (;;) {
        const char *p = r->buf + r->pos;
        size_t avail = r->end - r->pos;
        const char *nl = memchr(p + scanned, '\n', avail - scanned);
        if (nl) {
            size_t n = (size_t)(nl - p);
            consume(r, n + 1);
            if (n > MAX_LINE) return LINE_LONG;
            *line = p;
            *len = n && p[n - 1] == '\r' ? n - 1 : n;
            return LINE_OK;
        }
        if (avail > MAX_LINE) {
            discard_line(r);
            return LINE_LONG;
        }
        scanned = avail;
        if (fill(r, avail + 1) > avail) continue;
        if (r->failed) return LINE_FAILED;
        if (avail == 0) return LINE_END;
        *line = r->buf + r->pos;
        *len = avail;
        consume(r, avail);
        return LINE_CUT;
    }
}

/* Reads past lines up to one that starts with "WARC/", left unread. */
static void resync(reader *r)
{
    while (fill(r, 5) > 0) {
        if (r->end - r->pos >= 5 && memcmp(r->buf + r->pos, "WARC/", 5) == 0) return;
        discard_line(r);
    }
}

/* -------------------------------------------------------------- headers */

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!fw_is_space(s[i])) return 0;
    return 1;
}

/* "WARC/" digits "." digits, then white space only. */
static int is_version(const char *s, size_t n)
{
    if (n < 8 || memcmp(s, "WARC/", 5) != 0) return 0;
    size_t i = 5, d = 0;
    while (i < n && fw_is_digit(s[i])) i++, d++;
    if (!d || i >= n || s[i++] != '.') return 0;
    for (d = 0; i < n && fw_is_digit(s[i]); i++) d++;
    return d && is_blank(s + i, n - i);
}

/* Splits "Name: value" (white space trimmed); 0 when there is no name. */
static int split_field(const char *s, size_t n, const char **name, size_t *nlen,
                       const char **value, size_t *vlen)
{
    const char *colon = memchr(s, ':', n);
    if (!colon) return 0;
    size_t k = (size_t)(colon - s), v = k + 1;
    while (k && fw_is_space(s[k - 1])) k--;
    if (k == 0) return 0;
    while (v < n && fw_is_space(s[v])) v++;
    while (n > v && fw_is_space(s[n - 1])) n--;
    *name = s;
    *nlen = k;
    *value = s + v;
    *vlen = n - v;
    return 1;
}

static int name_is(const char *name, size_t nlen, const char *want)
{
    return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

/* Copies a value, lowercased, cut at a ';' when `media` (a Content-Type's
 * parameters go) and to size - 1 bytes. */
static void copy_lower(char *dst, size_t size, const char *s, size_t n, int media)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        if (media && s[i] == ';') break;
        char c = s[i];
        dst[k++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    while (k && fw_is_space(dst[k - 1])) k--;
    dst[k] = '\0';
}

/* Up to 40 bytes of `s` for a message; anything but printable ASCII as '?'. */
static const char *quote(char *dst, size_t size, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && i < 40 && k + 4 < size; i++)
        dst[k++] = s[i] >= 0x20 && s[i] < 0x7F ? s[i] : '?';
    if (n > 40 && k + 4 < size) memcpy(dst + k, "...", 3), k += 3;
    dst[k] = '\0';
    return dst;
}

typedef struct header {
    char type[32];          /* WARC-Type, lowercased */
    char record_id[256];    /* WARC-Record-ID */
    char media[128];        /* the media type of Content-Type, lowercased */
    size_t uri_len;         /* WARC-Target-URI, in warc.uri */
    uint64_t length;        /* Content-Length */
    int has_length;
    char bad_length[48];    /* a Content-Length that is not a number */
} header;

typedef struct warc {
    reader in;
    const char *file;
    const fw_read_options *opt;
    fw_doc_sink sink;
    void *ctx;
    uint64_t record, start; /* the current record's number and offset */
    int parsed;             /* its header was read whole */
    header h;
    char *uri;              /* MAX_LINE + 1 bytes */
    uint64_t *seen;         /* hashes of the ids handed on, open addressing */
    size_t seen_n, seen_cap;
    char *text, *body;      /* scratch: page text, decoded body */
    size_t text_cap, body_cap;
} warc;

static int parse_length(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 18) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fw_is_digit(s[i])) return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 1;
}

static void take_field(warc *w, const char *name, size_t nlen, const char *v,
                       size_t vlen)
{
    header *h = &w->h;
    if (name_is(name, nlen, "WARC-Type")) {
        copy_lower(h->type, sizeof h->type, v, vlen, 0);
    } else if (name_is(name, nlen, "WARC-Target-URI")) {
        if (vlen >= 2 && v[0] == '<' && v[vlen - 1] == '>') v++, vlen -= 2;
        if (vlen > MAX_LINE) vlen = MAX_LINE; /* read_line's bound already */
        memcpy(w->uri, v, vlen);
        w->uri[vlen] = '\0';
        h->uri_len = vlen;
    } else if (name_is(name, nlen, "WARC-Record-ID")) {
        snprintf(h->record_id, sizeof h->record_id, "%.*s", (int)vlen, v);
    } else if (name_is(name, nlen, "Content-Length")) {
        h->has_length = parse_length(v, vlen, &h->length);
        if (!h->has_length) quote(h->bad_length, sizeof h->bad_length, v, vlen);
    } else if (name_is(name, nlen, "Content-Type")) {
        copy_lower(h->media, sizeof h->media, v, vlen, 1);
    }
}

typedef enum { HEAD_OK, HEAD_BAD, HEAD_CUT, HEAD_FAILED } head_result;

/* Reads header fields up to the empty line; HEAD_BAD with `why`. */
static head_result read_header(warc *w, char *why, size_t why_size)
{
    memset(&w->h, 0, sizeof w->h);
    for (unsigned n = 1;; n++) {
        const char *line, *name, *value;
        size_t len, nlen, vlen;
        /* a header cut short before its empty line: the next record's
         * version line is left unread, for the record it begins (a field's
         * name never starts "WARC/") */
        reader *in = &w->in;
        if (fill(in, 5) >= 5 && memcmp(in->buf + in->pos, "WARC/", 5) == 0) {
            snprintf(why, why_size, "malformed WARC header: line %u begins the next record "
                     "(no empty line ends this header)", n);
            return HEAD_BAD;
        }
        line_result lr = read_line(&w->in, &line, &len);
        if (lr == LINE_END || lr == LINE_CUT) return HEAD_CUT;
        if (lr == LINE_FAILED) return HEAD_FAILED;
        if (lr == LINE_LONG) {
            snprintf(why, why_size, "malformed WARC header: line %u is longer than %d KiB",
                     n, MAX_LINE >> 10);
            return HEAD_BAD;
        }
        if (len == 0) return HEAD_OK;
        if (line[0] == ' ' || line[0] == '\t') continue; /* a folded line */
        if (!split_field(line, len, &name, &nlen, &value, &vlen)) {
            char q[48];
            snprintf(why, why_size, "malformed WARC header: line %u \"%s\" is not \"Name: value\"",
                     n, quote(q, sizeof q, line, len));
            return HEAD_BAD;
        }
        take_field(w, name, nlen, value, vlen);
    }
}

/* ----------------------------------------------------------------- rows */

/* Adds an id's hash to the ids handed on: 1 if it was there already, 0 if
 * added, -1 out of memory. A hash shared by two different ids only adds a
 * suffix that was not needed. */
static int seen_add(warc *w, const char *id)
{
    if (w->seen_n * 2 >= w->seen_cap) {
        size_t cap = w->seen_cap ? 2 * w->seen_cap : 1024;
        uint64_t *grown = calloc(cap, sizeof *grown);
        if (!grown) return -1;
        for (size_t i = 0; i < w->seen_cap; i++) {
            if (!w->seen[i]) continue;
            size_t j = (size_t)w->seen[i] & (cap - 1);
            while (grown[j]) j = (j + 1) & (cap - 1);
            grown[j] = w->seen[i];
        }
        free(w->seen);
        w->seen = grown;
        w->seen_cap = cap;
    }
    uint64_t h = XXH3_64bits(id, strlen(id));
    if (!h) h = 1;
    size_t j = (size_t)h & (w->seen_cap - 1);
    for (; w->seen[j]; j = (j + 1) & (w->seen_cap - 1))
        if (w->seen[j] == h) return 1;
    w->seen[j] = h;
    w->seen_n++;
    return 0;
}

/* The id of the current record's row: its URI, else "URI <Record-ID>",
 * the first not handed on before in this file, else "URI <record N>" (N is
 * never repeated); "FILE:record N" when the record has no URI or its header
 * did not parse. NULL when out of memory. */
static char *row_id(warc *w)
{
    unsigned long long n = (unsigned long long)w->record;
    if (!w->parsed || !w->h.uri_len) return fw_format("%s:record %llu", w->file, n);
    const char *rid = w->h.record_id;
    char *id = strdup(w->uri);
    int seen = id ? seen_add(w, id) : -1;
    if (seen > 0 && rid[0]) {
        free(id);
        id = rid[0] == '<' ? fw_format("%s %s", w->uri, rid) : fw_format("%s <%s>", w->uri, rid);
        seen = id ? seen_add(w, id) : -1;
    }
    if (seen > 0) {
        free(id);
        id = fw_format("%s <record %llu>", w->uri, n);
        seen = id ? 0 : -1;
    }
    if (seen < 0) {
        free(id);
        return NULL;
    }
    return id;
}

/* Hands an error row for the current record to the sink. */
static fw_status error_row(warc *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static fw_status error_row(warc *w, const char *fmt, ...)
{
    if (w->in.nomem) return FW_ERR_NOMEM;
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    fw_input_doc doc = {0};
    doc.status = FW_DOC_ERROR;
    doc.id = row_id(w);
    doc.message = fw_format("%s: record %llu at byte %llu: %s", w->file,
                         (unsigned long long)w->record,
                         (unsigned long long)w->start, why);
    if (!doc.id || !doc.message) {
        free(doc.id);
        free(doc.message);
        return FW_ERR_NOMEM;
    }
    return w->sink(w->ctx, &doc);
}

/* Hands a document to the sink, lent: the sink copies it; `message` (or
 * NULL) says what the reader noticed. */
static fw_status doc_row(warc *w, const char *text, size_t len, const char *message)
{
    fw_input_doc doc = {0};
    if (!(doc.id = row_id(w))) return FW_ERR_NOMEM;
    if (message && !(doc.message = strdup(message))) {
        free(doc.id);
        return FW_ERR_NOMEM;
    }
    doc.text = (char *)(text ? text : "");
    doc.len = len;
    doc.status = FW_DOC_OK;
    doc.borrowed = 1;
    return w->sink(w->ctx, &doc);
}

/* A record that ends before its Content-Length: the last one read. */
static fw_status cut_short(warc *w, uint64_t got, int *go)
{
    *go = 0;
    unsigned long long want = (unsigned long long)w->h.length;
    if (w->in.failed)
        return error_row(w, "truncated WARC record: Content-Length %llu, only %llu "
                            "bytes (%s: %s)", want, (unsigned long long)got,
                         fw_source_kind(w->in.src), fw_source_error(w->in.src));
    return error_row(w, "truncated WARC record: Content-Length %llu, only %llu bytes",
                     want, (unsigned long long)got);
}

/* ----------------------------------------------------------------- HTTP */

typedef enum { BODY_SKIP, BODY_TEXT, BODY_HTML, BODY_HTTP } body_kind;

static body_kind kind_of_media(const char *media)
{
    if (!strcmp(media, "text/html") || !strcmp(media, "application/xhtml+xml"))
        return BODY_HTML;
    if (strncmp(media, "text/", 5) != 0 || !strcmp(media, "text/css") ||
        !strcmp(media, "text/javascript") || !strcmp(media, "text/ecmascript") ||
        !strcmp(media, "text/dns"))
        return BODY_SKIP;
    return BODY_TEXT;
}

typedef struct http_head {
    size_t size;            /* status line and fields, with the empty line */
    char media[128];        /* Content-Type's media type, lowercased */
    char encoding[32];      /* Content-Encoding, lowercased ("" for none) */
    int chunked;            /* Transfer-Encoding: chunked */
} http_head;

static void http_field(const char *line, size_t len, http_head *hh)
{
    const char *name, *v;
    size_t nlen, vlen;
    if (!split_field(line, len, &name, &nlen, &v, &vlen)) return;
    if (name_is(name, nlen, "Content-Type") && !hh->media[0]) {
        copy_lower(hh->media, sizeof hh->media, v, vlen, 1);
    } else if (name_is(name, nlen, "Content-Encoding")) {
        copy_lower(hh->encoding, sizeof hh->encoding, v, vlen, 0);
    } else if (name_is(name, nlen, "Transfer-Encoding")) {
        char te[64];
        copy_lower(te, sizeof te, v, vlen, 0);
        hh->chunked = strstr(te, "chunked") != NULL;
    }
}

/* Reads the head of an HTTP response at the start of p[0, n). `whole`: p
 * is the whole block, so the head may end with it. 0 and `why` when it is
 * not a response or its head does not end within n bytes. */
static int parse_http(const char *p, size_t n, int whole, http_head *hh,
                      char *why, size_t why_size)
{
    memset(hh, 0, sizeof *hh);
    if (n < 5 || memcmp(p, "HTTP/", 5) != 0) {
        const char *nl = memchr(p, '\n', n);
        char q[48];
        snprintf(why, why_size, "not an HTTP response: the block starts \"%s\"",
                 quote(q, sizeof q, p, nl ? (size_t)(nl - p) : n));
        return 0;
    }
    for (size_t i = 0, line = 0; i < n; line++) {
        const char *nl = memchr(p + i, '\n', n - i);
        if (!nl && !whole) break;
        size_t end = nl ? (size_t)(nl - p) : n, len = end - i;
        if (len && p[end - 1] == '\r') len--;
        if (line && len == 0) {
            hh->size = nl ? end + 1 : n;
            return 1;
        }
        if (line) http_field(p + i, len, hh);
        i = nl ? end + 1 : n;
    }
    if (whole) { /* a head without body or empty line */
        hh->size = n;
        return 1;
    }
    snprintf(why, why_size, "HTTP head longer than %d KiB", HTTP_PEEK >> 10);
    return 0;
}

/* Undoes chunked transfer coding in place; returns the new length, or
 * (size_t)-1 when a chunk size is not a number. A body cut short (the
 * crawler's size limit) keeps what arrived, and sets *cut. */
static size_t dechunk(char *p, size_t n, int *cut)
{
    size_t in = 0, out = 0;
    for (;;) {
        uint64_t size = 0;
        while (in < n && fw_is_space(p[in])) in++;
        size_t k = in;
        for (int d; k < n && (d = fw_hex_value(p[k])) >= 0; k++) {
            if (size >> 56) return (size_t)-1;
            size = size << 4 | (uint64_t)d;
        }
        if (k == in) {
            *cut = in >= n; /* no last chunk */
            return in >= n ? out : (size_t)-1;
        }
        const char *nl = memchr(p + k, '\n', n - k); /* after extensions */
        if (!nl || size == 0) {
            *cut = !nl;
            return out;
        }
        in = (size_t)(nl - p) + 1;
        size_t take = size < n - in ? (size_t)size : n - in;
        if (take < size) *cut = 1;
        memmove(p + out, p + in, take);
        out += take;
        in += take;
        if (in < n && p[in] == '\r') in++;
        if (in < n && p[in] == '\n') in++;
    }
}

/* Inflates a gzip or zlib body, or with `raw_too` a raw deflate one (as
 * some servers send "deflate"), into w->body, up to `limit` bytes (0:
 * none). Returns 1, 0 when it is not such data, -1 past the limit, -2 out
 * of memory. A stream cut short keeps what inflated, and sets *cut. */
static int inflate_body(warc *w, const char *p, size_t n, int raw_too,
                        uint64_t limit, size_t *out_len, int *cut)
{
    for (int raw = 0; raw <= raw_too; raw++) {
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK) return -2;
        z.next_in = (Bytef *)p;
        size_t len = 0, left = n;
        int rc = Z_OK;
        while (rc == Z_OK) {
            if (w->body_cap - len < 4096) {
                size_t cap = w->body_cap ? 2 * w->body_cap
                           : n < SIZE_MAX / 8 ? 4 * n + 65536 : n;
                char *grown = cap > w->body_cap ? realloc(w->body, cap) : NULL;
                if (!grown) { inflateEnd(&z); return -2; }
                w->body = grown;
                w->body_cap = cap;
            }
            uInt step = left < (1u << 30) ? (uInt)left : 1u << 30;
            uInt room = w->body_cap - len < (1u << 30) ? (uInt)(w->body_cap - len) : 1u << 30;
            z.avail_in = step;
            z.next_out = (Bytef *)w->body + len;
            z.avail_out = room;
            rc = inflate(&z, Z_NO_FLUSH);
            left -= step - z.avail_in;
            len += room - z.avail_out;
            if (limit && len > limit) { inflateEnd(&z); return -1; }
            if (rc == Z_BUF_ERROR && z.avail_in == 0 && left == 0) break; /* cut short */
            if (rc == Z_BUF_ERROR && z.avail_out == 0) rc = Z_OK;
            /* another gzip member follows (gzip(1) reads them all): on */
            const unsigned char *next = z.next_in;
            if (rc == Z_STREAM_END && !raw && z.avail_in + left >= 2 && next[0] == 0x1f &&
                next[1] == 0x8b && inflateReset(&z) == Z_OK)
                rc = Z_OK;
        }
        inflateEnd(&z);
        if (rc == Z_STREAM_END || (rc == Z_BUF_ERROR && len)) {
            *out_len = len;
            *cut |= rc != Z_STREAM_END;
            return 1;
        }
    }
    return 0;
}

/* The body of an HTTP response, its transfer and content codings undone:
 * points *body at it, or hands an error row and sets *body to NULL. *cut:
 * the body ended early (a chunk or the compressed stream cut short). */
static fw_status http_body(warc *w, const http_head *hh, char *block, size_t n,
                           const char **body, size_t *len, int *cut)
{
    char *p = block + hh->size;
    size_t m = n - hh->size;
    *body = NULL;
    if (hh->chunked && (m = dechunk(p, m, cut)) == (size_t)-1)
        return error_row(w, "malformed HTTP chunked transfer coding");
    const char *enc = hh->encoding;
    if (!enc[0] || !strcmp(enc, "identity")) {
        *body = p;
        *len = m;
        return FW_OK;
    }
    if (strcmp(enc, "gzip") && strcmp(enc, "x-gzip") && strcmp(enc, "deflate"))
        return error_row(w, "HTTP Content-Encoding \"%s\" is not supported", enc);
    uint64_t limit = w->opt->max_doc_bytes;
    int rc = inflate_body(w, p, m, !strcmp(enc, "deflate"), limit, len, cut);
    if (rc == -2) return FW_ERR_NOMEM;
    if (rc == -1)
        return error_row(w, "HTTP body (Content-Encoding %s) inflates to more than "
                            "%llu bytes, exceeds --max-doc-bytes %llu", enc,
                         (unsigned long long)limit, (unsigned long long)limit);
    if (rc == 0) return error_row(w, "HTTP body is not valid %s data", enc);
    *body = w->body;
    return FW_OK;
}

/* ---------------------------------------------------------------- records */

/* Whether the n bytes at the window's start end their record: a line
 * break follows (the CRLF CRLF that ISO 28500 puts there), or the next
 * record's "WARC/" (a writer that leaves them out), or nothing (the end of
 * the stream, or damage the next record reports). A Content-Length that
 * parses but is wrong would otherwise cut its record short, the rest read
 * as a broken record of its own, or run into the next record, whose start
 * became this one's text. */
static int ends_record(reader *r, size_t n)
{
    size_t got = fill(r, n + 5);
    if (got == n) return 1;
    const char *p = r->buf + r->pos + n;
    return p[0] == '\r' || p[0] == '\n' || (got - n >= 5 && memcmp(p, "WARC/", 5) == 0);
}

/* The error row of a record whose Content-Length does not end it, its
 * block's first `held` bytes still in the window (0: read past). Reading
 * resumes at the next line that starts with "WARC/" from there: a length
 * too long has the next record inside the block. */
static fw_status wrong_length(warc *w, size_t held)
{
    reader *r = &w->in;
    char q[48];
    const char *p = r->buf + r->pos;
    size_t avail = r->end - r->pos, k = held;
    while (k < avail && (p[k] == '\r' || p[k] == '\n')) k++;
    fw_status st = error_row(w, "Content-Length %llu does not end the record: \"%s\" follows "
                                "its block instead of the next record",
                             (unsigned long long)w->h.length,
                             quote(q, sizeof q, p + k, avail - k < 24 ? avail - k : 24));
    resync(r);
    return st;
}

/* The block of a record whose header was read: a document, an account of
 * why not, or a skipped record. Clears *go when the stream has ended. */
static fw_status read_block(warc *w, int *go)
{
    reader *r = &w->in;
    uint64_t cl = w->h.length, limit = w->opt->max_doc_bytes;
    const char *type = w->h.type;
    const char *media = w->h.media;
    int http_media = !media[0] || !strcmp(media, "application/http");
    body_kind kind = !strcmp(type, "conversion") ? BODY_TEXT
                   : !strcmp(type, "resource")   ? kind_of_media(media)
                   : !strcmp(type, "response")   ? (http_media ? BODY_HTTP
                                                               : kind_of_media(media))
                                                 : BODY_SKIP;
    http_head hh = {0};
    char why[160];
    int http = kind == BODY_HTTP;
    if (http) {
        size_t peek = cl < HTTP_PEEK ? (size_t)cl : HTTP_PEEK;
        size_t got = fill(r, peek);
        if (got < peek) return cut_short(w, got, go);
        if (!parse_http(r->buf + r->pos, peek, peek == cl, &hh, why, sizeof why)) {
            fw_status st = error_row(w, "%s", why);
            if (skip(r, cl) < cl) *go = 0;
            return st;
        }
        kind = kind_of_media(hh.media);
    }
    if (kind == BODY_SKIP) {
        uint64_t got = skip(r, cl);
        if (got < cl) return cut_short(w, got, go);
        if (!ends_record(r, 0)) return wrong_length(w, 0);
        if (w->opt->skipped_records) ++*w->opt->skipped_records;
        return FW_OK;
    }
    if ((limit && cl > limit) || cl > SIZE_MAX / 2) {
        uint64_t got = skip(r, cl);
        if (got < cl) *go = 0;
        return error_row(w, "record of %llu bytes exceeds --max-doc-bytes %llu%s",
                         (unsigned long long)cl, (unsigned long long)limit,
                         got < cl ? " (and is cut short)" : "");
    }
    size_t n = (size_t)cl, got = fill(r, n);
    if (got < n) return cut_short(w, got, go);
    if (!ends_record(r, n)) return wrong_length(w, n);
    char *block = r->buf + r->pos;
    const char *text = block;
    size_t len = n;
    fw_status st = FW_OK;
    int cut = 0;
    if (http) st = http_body(w, &hh, block, n, &text, &len, &cut);
    if (st == FW_OK && text && kind == BODY_HTML) {
        st = fw_html_text(text, len, &w->text, &w->text_cap, &len);
        text = w->text;
    }
    if (st == FW_OK && text)
        st = doc_row(w, text, len, cut ? "HTTP body cut short: the text is what arrived" : NULL);
    consume(r, n);
    return st;
}

/* Reads the next record; clears *go at the end of the stream. */
static fw_status next_record(warc *w, int *go)
{
    reader *r = &w->in;
    const char *line;
    size_t len;
    line_result lr;
    uint64_t at;
    do {
        at = r->offset;
        lr = read_line(r, &line, &len);
    } while (lr == LINE_OK && is_blank(line, len));
    if (lr == LINE_END || (lr == LINE_CUT && is_blank(line, len))) {
        *go = 0;
        return FW_OK;
    }
    w->record++;
    w->start = at;
    w->parsed = 0;
    if (lr == LINE_FAILED) {
        *go = 0;
        return error_row(w, "%s: %s; the rest of the file cannot be read",
                         fw_source_kind(r->src), fw_source_error(r->src));
    }
    if (lr == LINE_CUT && is_version(line, len)) {
        *go = 0;
        return error_row(w, "truncated WARC record: the stream ends inside its header");
    }
    if (lr != LINE_OK || !is_version(line, len)) {
        char q[48];
        fw_status st = error_row(w, "not a WARC record: expected a version line "
                                    "such as WARC/1.0, found \"%s\"",
                                 lr == LINE_LONG ? "(a line over 64 KiB)"
                                                 : quote(q, sizeof q, line, len));
        resync(r);
        return st;
    }
    char why[200];
    switch (read_header(w, why, sizeof why)) {
    case HEAD_CUT:
        *go = 0;
        return error_row(w, "truncated WARC record: the stream ends inside its header");
    case HEAD_FAILED:
        *go = 0;
        return error_row(w, "%s: %s in the WARC header; the rest of the file cannot be read",
                         fw_source_kind(r->src), fw_source_error(r->src));
    case HEAD_BAD: {
        fw_status st = error_row(w, "%s", why);
        resync(r);
        return st;
    }
    case HEAD_OK: break;
    }
    w->parsed = 1;
    if (!w->h.has_length) {
        fw_status st = w->h.bad_length[0]
            ? error_row(w, "malformed WARC header: invalid Content-Length \"%s\"", w->h.bad_length)
            : error_row(w, "malformed WARC header: no Content-Length");
        resync(r);
        return st;
    }
    if (!w->h.type[0]) {
        fw_status st = error_row(w, "malformed WARC header: no WARC-Type");
        if (skip(r, w->h.length) < w->h.length) *go = 0;
        return st;
    }
    return read_block(w, go);
}

fw_status fw_warc_read(fw_source *source, const char *file_id,
                       const fw_read_options *opt, fw_doc_sink sink, void *ctx)
{
    warc w = {0};
    w.in.src = source;
    w.in.buf = malloc(WINDOW);
    w.in.cap = WINDOW;
    w.uri = malloc(MAX_LINE + 1);
    w.file = file_id;
    w.opt = opt;
    w.sink = sink;
    w.ctx = ctx;
    fw_status st = w.in.buf && w.uri ? FW_OK : FW_ERR_NOMEM;
    for (int go = 1; st == FW_OK && go;) st = next_record(&w, &go);
    if (st == FW_OK && w.in.nomem) st = FW_ERR_NOMEM;
    if (st == FW_OK && w.record == 0) { /* not even a broken one */
        fw_input_doc doc = {0};
        doc.status = FW_DOC_EMPTY;
        doc.id = strdup(file_id);
        doc.message = strdup("no WARC records");
        if (doc.id && doc.message) st = sink(ctx, &doc);
        else {
            free(doc.id);
            free(doc.message);
            st = FW_ERR_NOMEM;
        }
    }
    free(w.in.buf);
    free(w.uri);
    free(w.seen);
    free(w.text);
    free(w.body);
    return st;
}
