/*
 * test_warc.c — WARC and WET archives read record by record: which records
 * become documents and with which id and text, plain, gzip with one member
 * per record and zstd alike; damaged archives (a record cut short, a header
 * that does not parse, a missing Content-Length, a corrupt gzip member, a
 * record over --max-doc-bytes) each give one error row and reading goes on;
 * and the HTML of responses turned into text, checked byte for byte. The
 * archives are built here, byte by byte. The reader is called directly
 * (src/read.h) to see the exact texts; the CLI run checks summary.json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "csv.h"
#include "read.h"
#include "warc.h"
#include "html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char root[256];

/* ------------------------------------------------------------ building */

typedef struct bytes {
    char *p;
    size_t len, cap;
} bytes;

static void add(bytes *b, const void *s, size_t n)
{
    if (n > (1u << 30)) fail_msg("add: %zu bytes", n);
    if (b->cap - b->len < n + 1) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void adds(bytes *b, const char *s) { add(b, s, strlen(s)); }

static void addf(bytes *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    adds(b, buf);
}

/* One record: version line, WARC-Type, the URI and Record-ID when given,
 * `extra` header lines, Content-Length, the block and CRLF CRLF. */
static bytes record(const char *type, const char *uri, const char *rid,
                    const char *extra, const void *block, size_t n)
{
    bytes b = {0};
    addf(&b, "WARC/1.0\r\nWARC-Type: %s\r\n", type);
    if (uri) addf(&b, "WARC-Target-URI: %s\r\n", uri);
    if (rid) addf(&b, "WARC-Record-ID: %s\r\n", rid);
    adds(&b, "WARC-Date: 2024-05-01T00:00:00Z\r\n");
    if (extra) adds(&b, extra);
    addf(&b, "Content-Length: %zu\r\n\r\n", n);
    add(&b, block, n);
    adds(&b, "\r\n\r\n");
    return b;
}

static bytes record_s(const char *type, const char *uri, const char *rid,
                      const char *extra, const char *block)
{
    return record(type, uri, rid, extra, block, strlen(block));
}

/* Deflate data: a gzip member (window_bits 15 + 16) or raw (-15). */
static bytes deflated(const void *p, size_t n, int window_bits)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    bytes b = {0};
    b.cap = deflateBound(&z, n) + 64;
    b.p = malloc(b.cap);
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)b.p;
    z.avail_out = (uInt)b.cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    b.len = b.cap - z.avail_out;
    deflateEnd(&z);
    return b;
}

static bytes gzip_member(const void *p, size_t n) { return deflated(p, n, 15 + 16); }

typedef enum { PLAIN, GZIP, ZSTD } packing;

/* Writes the records to root/name: as they are, one gzip member or one
 * zstd frame per record. */
static void write_archive(const char *name, bytes *recs, size_t n, packing how)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        bytes out = {0};
        if (how == PLAIN) {
            add(&out, recs[i].p, recs[i].len);
        } else if (how == GZIP) {
            out = gzip_member(recs[i].p, recs[i].len);
        } else {
            out.cap = ZSTD_compressBound(recs[i].len);
            out.p = malloc(out.cap);
            out.len = ZSTD_compress(out.p, out.cap, recs[i].p, recs[i].len, 3);
            assert_false(ZSTD_isError(out.len));
        }
        assert_int_equal(fwrite(out.p, 1, out.len, f), out.len);
        free(out.p);
    }
    fclose(f);
}

static void free_records(bytes *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) free(recs[i].p);
}

/* ------------------------------------------------------------- reading */

typedef struct row {
    char *id, *text, *message;
    size_t len;
    fw_doc_status status;
} row;

typedef struct table {
    row r[64];
    size_t n;
    uint64_t skipped;
} table;

static fw_status collect(void *ctx, fw_input_doc *doc)
{
    table *t = ctx;
    assert_true(t->n < 64);
    row *r = &t->r[t->n++];
    r->id = doc->id;
    r->message = doc->message;
    r->status = doc->status;
    r->len = doc->len;
    r->text = NULL;
    if (doc->text) {
        r->text = malloc(doc->len + 1);
        memcpy(r->text, doc->text, doc->len);
        r->text[doc->len] = '\0';
        if (!doc->borrowed) free(doc->text);
    }
    return FW_OK;
}

static void read_archive(const char *name, uint64_t max_doc_bytes, table *t)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, name);
    memset(t, 0, sizeof *t);
    uint64_t stored = 0;
    fw_read_options opt = {&stored, max_doc_bytes, &t->skipped};
    assert_int_equal(fw_read_path(path, &opt, collect, t), FW_OK);
}

static void free_table(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->r[i].id);
        free(t->r[i].text);
        free(t->r[i].message);
    }
}

/* Row i is a document with this id and text. */
static void expect_doc(const table *t, size_t i, const char *id, const char *text)
{
    if (i >= t->n) fail_msg("row %zu missing (%zu rows), expected '%s'", i, t->n, id);
    const row *r = &t->r[i];
    if (strcmp(r->id, id) != 0) fail_msg("row %zu: id '%s', expected '%s'", i, r->id, id);
    if (r->status != FW_DOC_OK)
        fail_msg("row %zu (%s): status %d (%s)", i, id, r->status, r->message);
    assert_non_null(r->text);
    if (r->len != strlen(text) || memcmp(r->text, text, r->len) != 0)
        fail_msg("row %zu (%s): text\n[%s]\nexpected\n[%s]", i, id, r->text, text);
}

/* Row i is an error with this id and message. */
static void expect_error(const table *t, size_t i, const char *id, const char *message)
{
    if (i >= t->n) fail_msg("row %zu missing (%zu rows), expected '%s'", i, t->n, id);
    const row *r = &t->r[i];
    if (strcmp(r->id, id) != 0) fail_msg("row %zu: id '%s', expected '%s'", i, r->id, id);
    if (r->status != FW_DOC_ERROR) fail_msg("row %zu (%s): status %d, not error", i, id, r->status);
    assert_null(r->text);
    if (strcmp(r->message, message) != 0)
        fail_msg("row %zu (%s): message\n[%s]\nexpected\n[%s]", i, id, r->message, message);
}

/* ------------------------------------------------------------- archive */

static const char page[] =
    "<!DOCTYPE html>\n<html><head><title>Report &amp; Plan</title>\n"
    "<style>body { color: red; }</style>\n"
    "<script type=\"text/javascript\">var s = \"<p>not text</p>\";</script>\n"
    "</head>\n<body>\n<h1>第一章</h1>\n"
    "<p>Hello,&nbsp;<b>wor</b>ld &lt;tag&gt; &quot;q&quot; &#39;s&#39; &#20013;&#x6587; &copy;</p>\n"
    "<!-- a comment <p>hidden</p> -->\n<noscript>enable JS</noscript>\n"
    "<ul><li>one</li><li>two</li></ul>\n"
    "<div>spaced     out\ntext</div><br>end &unknown; &amp\n</body></html>\n";
static const char page_text[] =
    "Report & Plan\n第一章\nHello,\xC2\xA0world <tag> \"q\" 's' 中文 \xC2\xA9\n"
    "one\ntwo\nspaced out text\nend &unknown; &";

static const char wet_text[] =
    "正文第一段。\r\n\r\nWARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 5\r\n\r\n第二段。\r\n";

#define NRECORDS 14

/* warcinfo, request, three responses that are documents (HTML, plain text,
 * gzip'ed and chunked HTML), two that are not (PNG, CSS), metadata, a WET
 * conversion whose text quotes a record, a revisit, a text resource without
 * URI, the same URI twice more, a DNS lookup as Heritrix stores it. */
static void standard_records(bytes *r)
{
    size_t n = 0;
    r[n++] = record_s("warcinfo", NULL, "<urn:uuid:0>", "Content-Type: application/warc-fields\r\n",
                      "software: test\r\nformat: WARC File Format 1.0\r\n");
    r[n++] = record_s("request", "http://example.com/", "<urn:uuid:1>",
                      "Content-Type: application/http; msgtype=request\r\n",
                      "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    bytes http = {0};
    adds(&http, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n"
                "Content-Length: 999\r\n\r\n");
    adds(&http, page);
    r[n++] = record("response", "http://example.com/", "<urn:uuid:2>",
                    "Content-Type: application/http; msgtype=response\r\n", http.p, http.len);
    free(http.p);
    r[n++] = record_s("response", "http://example.com/a.txt", "<urn:uuid:3>", NULL,
                      "HTTP/1.0 200 OK\r\ncontent-type: TEXT/PLAIN\r\n\r\n纯文本。\nline two");
    static const char png[] =
        "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\0\0";
    r[n++] = record("response", "http://example.com/logo.png", "<urn:uuid:4>", NULL, png,
                    sizeof png - 1);
    r[n++] = record_s("response", "http://example.com/s.css", "<urn:uuid:5>", NULL,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/css\r\n\r\nbody { margin: 0 }");
    /* gzip content coding, then chunked transfer coding in two chunks */
    static const char zpage[] = "<p>压缩的页面</p><p>second</p>";
    bytes z = gzip_member(zpage, strlen(zpage));
    bytes chunked = {0};
    adds(&chunked, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n");
    size_t half = z.len / 2;
    addf(&chunked, "%zx\r\n", half);
    add(&chunked, z.p, half);
    addf(&chunked, "\r\n%zX;ext=1\r\n", z.len - half);
    add(&chunked, z.p + half, z.len - half);
    adds(&chunked, "\r\n0\r\n\r\n");
    r[n++] = record("response", "http://example.com/z", "<urn:uuid:6>", NULL, chunked.p,
                    chunked.len);
    free(z.p);
    free(chunked.p);
    r[n++] = record_s("metadata", "http://example.com/", "<urn:uuid:7>", NULL,
                      "fetchTimeMs: 12\r\n");
    r[n++] = record_s("conversion", "http://example.com/", "<urn:uuid:8>",
                      "Content-Type: text/plain\r\n", wet_text);
    r[n++] = record_s("revisit", "http://example.com/a.txt", "<urn:uuid:9>", NULL,
                      "HTTP/1.1 304 Not Modified\r\n\r\n");
    r[n++] = record_s("resource", NULL, "<urn:uuid:10>", "Content-Type: text/plain\r\n",
                      "资源记录的正文。");
    r[n++] = record_s("conversion", "http://example.com/", NULL, NULL, "第三次。");
    r[n++] = record_s("conversion", "http://example.com/", "urn:uuid:12", NULL, "第四次。");
    r[n++] = record_s("response", "dns:example.com", "<urn:uuid:13>", "Content-Type: text/dns\r\n",
                      "20240501000000\nexample.com.\t300\tIN\tA\t93.184.216.34\n");
    assert_int_equal(n, NRECORDS);
}

static void expect_standard(const table *t, const char *file)
{
    char id[600];
    expect_doc(t, 0, "http://example.com/", page_text);
    expect_doc(t, 1, "http://example.com/a.txt", "纯文本。\nline two");
    expect_doc(t, 2, "http://example.com/z", "压缩的页面\nsecond");
    expect_doc(t, 3, "http://example.com/ <urn:uuid:8>", wet_text);
    snprintf(id, sizeof id, "%s:record 11", file);
    expect_doc(t, 4, id, "资源记录的正文。");
    expect_doc(t, 5, "http://example.com/ <record 12>", "第三次。");
    expect_doc(t, 6, "http://example.com/ <urn:uuid:12>", "第四次。");
    assert_int_equal(t->n, 7);
    /* warcinfo, request, PNG, CSS, metadata, revisit, DNS */
    assert_int_equal(t->skipped, 7);
}

static void test_records(void **state)
{
    (void)state;
    bytes r[NRECORDS];
    standard_records(r);
    static const struct { const char *name; packing how; } files[] = {
        {"crawl.warc", PLAIN}, {"crawl.warc.gz", GZIP}, {"crawl.warc.zst", ZSTD},
        {"crawl.warc.wet.gz", GZIP}, {"crawl.wet", PLAIN},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        write_archive(files[i].name, r, NRECORDS, files[i].how);
        table t;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", root, files[i].name);
        read_archive(files[i].name, 0, &t);
        expect_standard(&t, path);
        free_table(&t);
    }
    free_records(r, NRECORDS);
}

/* Other version numbers, bare LF line ends, names in any case, no blank
 * lines between records. */
static void test_tolerated_variants(void **state)
{
    (void)state;
    bytes b = {0};
    adds(&b, "WARC/1.1\nwarc-type: conversion\nWARC-TARGET-URI: <http://a/>\n"
             "content-length: 4\n\nabcd\n\n");
    adds(&b, "WARC/0.18\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://b/\r\n"
             "Content-Length: 3\r\n\r\nxyz");
    adds(&b, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://c/\r\n"
             "Content-Length: 2\r\n\r\nok");
    write_archive("variants.warc", &b, 1, PLAIN);
    free(b.p);
    table t;
    read_archive("variants.warc", 0, &t);
    expect_doc(&t, 0, "http://a/", "abcd");
    expect_doc(&t, 1, "http://b/", "xyz");
    expect_doc(&t, 2, "http://c/", "ok");
    assert_int_equal(t.n, 3);
    assert_int_equal(t.skipped, 0);
    free_table(&t);
}

static void test_truncated_last_record(void **state)
{
    (void)state;
    char big[5001];
    memset(big, 'x', 5000);
    big[5000] = '\0';
    bytes r[2] = {record_s("conversion", "http://a/", NULL, NULL, "完整的记录。"),
                  record_s("conversion", "http://cut/", NULL, NULL, big)};
    size_t header = r[1].len - 5004; /* the record less block and CRLF CRLF */
    r[1].len = header + 1234;
    char want[1024];
    snprintf(want, sizeof want, "%s/cut.warc: record 2 at byte %zu: truncated WARC record: "
             "Content-Length 5000, only 1234 bytes", root, r[0].len);
    char path[512];
    snprintf(path, sizeof path, "%s/cut.warc", root);

    write_archive("cut.warc", r, 2, PLAIN);
    table t;
    read_archive("cut.warc", 0, &t);
    expect_doc(&t, 0, "http://a/", "完整的记录。");
    expect_error(&t, 1, "http://cut/", want);
    assert_int_equal(t.n, 2);
    free_table(&t);

    /* the stream ends inside the header */
    r[1].len = 30;
    write_archive("cut.warc", r, 2, PLAIN);
    read_archive("cut.warc", 0, &t);
    expect_doc(&t, 0, "http://a/", "完整的记录。");
    snprintf(want, sizeof want, "%s: record 2 at byte %zu: truncated WARC record: "
             "the stream ends inside its header", path, r[0].len);
    char id[600];
    snprintf(id, sizeof id, "%s:record 2", path);
    expect_error(&t, 1, id, want);
    assert_int_equal(t.n, 2);
    free_table(&t);

    /* a record that is no document, cut short, is no skipped record */
    bytes req = record_s("request", "http://req/", NULL, NULL, "GET / HTTP/1.1\r\n\r\n");
    req.len -= 10;
    bytes both[2] = {r[0], req};
    write_archive("cut.warc", both, 2, PLAIN);
    read_archive("cut.warc", 0, &t);
    expect_doc(&t, 0, "http://a/", "完整的记录。");
    snprintf(want, sizeof want, "%s: record 2 at byte %zu: truncated WARC record: "
             "Content-Length 18, only 12 bytes", path, r[0].len);
    expect_error(&t, 1, "http://req/", want);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.skipped, 0);
    free_table(&t);
    free(req.p);

    /* a .warc.gz cut in its last member */
    r[1].len = header + 5004;
    write_archive("cut.warc.gz", r, 2, GZIP);
    snprintf(path, sizeof path, "%s/cut.warc.gz", root);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 20), 0);
    read_archive("cut.warc.gz", 0, &t);
    expect_doc(&t, 0, "http://a/", "完整的记录。");
    assert_int_equal(t.n, 2);
    assert_int_equal(t.r[1].status, FW_DOC_ERROR);
    assert_string_equal(t.r[1].id, "http://cut/");
    assert_non_null(strstr(t.r[1].message, "truncated WARC record: Content-Length 5000, only "));
    assert_non_null(strstr(t.r[1].message, "(gzip: truncated gzip stream)"));
    free_table(&t);
    free_records(r, 2);
}

/* Each kind of broken header gives one error row; the next record is read. */
static void test_broken_headers_resync(void **state)
{
    (void)state;
    bytes b = {0};
    bytes good = record_s("conversion", "http://good/", NULL, NULL, "好的。");
    size_t at[8];
    at[0] = b.len;
    adds(&b, "WARC/1.0\r\nWARC-Type conversion\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n");
    at[1] = b.len;
    add(&b, good.p, good.len);
    at[2] = b.len;
    adds(&b, "this is not a record\r\nnor this\r\n");
    at[3] = b.len;
    adds(&b, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://nolength/\r\n\r\n"
             "body without length\r\n\r\n");
    at[4] = b.len;
    adds(&b, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://badlength/\r\n"
             "Content-Length: 12abc\r\n\r\nbody\r\n\r\n");
    at[5] = b.len;
    add(&b, good.p, good.len);
    at[6] = b.len; /* a URI longer than a header line may be */
    adds(&b, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://long/");
    for (int i = 0; i < 7000; i++) adds(&b, "0123456789");
    adds(&b, "\r\nContent-Length: 4\r\n\r\nlong\r\n\r\n");
    add(&b, good.p, good.len);
    at[7] = b.len; /* a header without its empty line: the next record begins */
    adds(&b, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://cut/\r\n");
    add(&b, good.p, good.len);
    write_archive("broken.warc", &b, 1, PLAIN);
    free(b.p);
    free(good.p);

    table t;
    read_archive("broken.warc", 0, &t);
    char path[512], id[600], want[1024];
    snprintf(path, sizeof path, "%s/broken.warc", root);
    snprintf(id, sizeof id, "%s:record 1", path);
    snprintf(want, sizeof want, "%s: record 1 at byte %zu: malformed WARC header: line 1 "
             "\"WARC-Type conversion\" is not \"Name: value\"", path, at[0]);
    expect_error(&t, 0, id, want);
    expect_doc(&t, 1, "http://good/", "好的。");
    snprintf(id, sizeof id, "%s:record 3", path);
    snprintf(want, sizeof want, "%s: record 3 at byte %zu: not a WARC record: expected a "
             "version line such as WARC/1.0, found \"this is not a record\"", path, at[2]);
    expect_error(&t, 2, id, want);
    snprintf(want, sizeof want, "%s: record 4 at byte %zu: malformed WARC header: "
             "no Content-Length", path, at[3]);
    expect_error(&t, 3, "http://nolength/", want);
    snprintf(want, sizeof want, "%s: record 5 at byte %zu: malformed WARC header: "
             "invalid Content-Length \"12abc\"", path, at[4]);
    expect_error(&t, 4, "http://badlength/", want);
    expect_doc(&t, 5, "http://good/ <record 6>", "好的。");
    snprintf(id, sizeof id, "%s:record 7", path);
    snprintf(want, sizeof want, "%s: record 7 at byte %zu: malformed WARC header: line 2 "
             "is longer than 64 KiB", path, at[6]);
    expect_error(&t, 6, id, want);
    expect_doc(&t, 7, "http://good/ <record 8>", "好的。");
    snprintf(id, sizeof id, "%s:record 9", path);
    snprintf(want, sizeof want, "%s: record 9 at byte %zu: malformed WARC header: line 3 "
             "begins the next record (no empty line ends this header)", path, at[7]);
    expect_error(&t, 8, id, want);
    expect_doc(&t, 9, "http://good/ <record 10>", "好的。");
    assert_int_equal(t.n, 10);
    free_table(&t);
}

static void test_body_quoting_a_record_stays_whole(void **state)
{
    (void)state;
    /* blank-line guessing would cut this block at its quoted record */
    static const char quoted[] =
        "before\r\n\r\nWARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://fake/\r\n"
        "Content-Length: 4\r\n\r\nfake\r\n\r\nafter";
    bytes r[2] = {record_s("conversion", "http://real/", NULL, NULL, quoted),
                  record_s("conversion", "http://next/", NULL, NULL, "next")};
    write_archive("quote.warc.gz", r, 2, GZIP);
    free_records(r, 2);
    table t;
    read_archive("quote.warc.gz", 0, &t);
    expect_doc(&t, 0, "http://real/", quoted);
    expect_doc(&t, 1, "http://next/", "next");
    assert_int_equal(t.n, 2);
    free_table(&t);
}

/* Over the limit: a text record is an error row and read past; a non-text
 * one is skipped as any other. */
static void test_oversized_record(void **state)
{
    (void)state;
    char big[3001];
    memset(big, 'y', 3000);
    big[3000] = '\0';
    bytes http = {0};
    adds(&http, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n");
    adds(&http, big);
    bytes r[4] = {record_s("conversion", "http://small/", NULL, NULL, "小。"),
                  record_s("conversion", "http://big/", NULL, NULL, big),
                  record("response", "http://blob/", NULL, NULL, http.p, http.len),
                  record_s("conversion", "http://after/", NULL, NULL, "后。")};
    free(http.p);
    for (int how = PLAIN; how <= ZSTD; how++) {
        write_archive("big.warc", r, 4, (packing)how);
        table t;
        read_archive("big.warc", 1000, &t);
        char want[1024];
        snprintf(want, sizeof want, "%s/big.warc: record 2 at byte %zu: record of 3000 bytes "
                 "exceeds --max-doc-bytes 1000", root, r[0].len);
        expect_doc(&t, 0, "http://small/", "小。");
        expect_error(&t, 1, "http://big/", want);
        expect_doc(&t, 2, "http://after/", "后。");
        assert_int_equal(t.n, 3);
        assert_int_equal(t.skipped, 1);
        free_table(&t);
    }
    free_records(r, 4);
}

static void test_corrupt_gzip_member(void **state)
{
    (void)state;
    bytes r[3] = {record_s("conversion", "http://1/", NULL, NULL, "一。"),
                  record_s("conversion", "http://2/", NULL, NULL, "二。二。二。二。二。"),
                  record_s("conversion", "http://3/", NULL, NULL, "三。")};
    write_archive("corrupt.warc.gz", r, 3, GZIP);
    char path[512];
    snprintf(path, sizeof path, "%s/corrupt.warc.gz", root);
    bytes m1 = gzip_member(r[0].p, r[0].len);
    FILE *f = fopen(path, "r+b");
    /* the second member's first deflate byte, after its 10-byte header: a
     * reserved block type */
    fseek(f, (long)m1.len + 10, SEEK_SET);
    fputs("\xFF\xFF\xFF\xFF", f);
    fclose(f);
    free(m1.p);
    table t;
    read_archive("corrupt.warc.gz", 0, &t);
    expect_doc(&t, 0, "http://1/", "一。");
    assert_int_equal(t.n, 2);
    assert_int_equal(t.r[1].status, FW_DOC_ERROR);
    if (!strstr(t.r[1].message, ": record 2 at byte ") ||
        !strstr(t.r[1].message, "corrupt gzip data"))
        fail_msg("message: %s", t.r[1].message);
    free_table(&t);
    free_records(r, 3);
}

/* HTTP bodies a crawler may store: chunks cut short by its size limit
 * (kept), raw deflate content coding (undone); a chunk size that is no
 * number, a content coding not supported, a block that is no HTTP
 * response (error rows). */
static void test_http_bodies(void **state)
{
    (void)state;
    const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n";
    char cut[256], bad[256];
    snprintf(cut, sizeof cut, "%s5\r\nfirst\r\nA\r\nsecond cut", head);
    snprintf(bad, sizeof bad, "%s5\r\nfirst\r\nzz\r\nsecond\r\n0\r\n\r\n", head);
    static const char raw_page[] = "<title>raw deflate</title>";
    bytes raw = deflated(raw_page, strlen(raw_page), -15);
    bytes deflate = {0};
    adds(&deflate, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: deflate\r\n\r\n");
    add(&deflate, raw.p, raw.len);
    free(raw.p);
    /* a gzip body cut short (the crawler's size limit): what arrived */
    char lines[4096] = "";
    for (int i = 0; i < 100; i++)
        snprintf(lines + strlen(lines), sizeof lines - strlen(lines), "第%d行的内容。", i);
    bytes gz = gzip_member(lines, strlen(lines));
    bytes gzcut = {0};
    adds(&gzcut, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n\r\n");
    add(&gzcut, gz.p, gz.len / 2);
    free(gz.p);
    bytes r[7] = {
        record_s("response", "http://cut/", NULL, NULL, cut),
        record_s("response", "http://bad/", NULL, NULL, bad),
        record_s("response", "http://br/", NULL, NULL,
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n"
                 "\r\n\x1b\x03"),
        record_s("response", "http://nohttp/", NULL, NULL, "<html>no status line</html>"),
        record_s("response", "http://notype/", NULL, NULL, "HTTP/1.1 200 OK\r\n\r\ntext"),
        record("response", "http://deflate/", NULL, NULL, deflate.p, deflate.len),
        record("response", "http://gzcut/", NULL, NULL, gzcut.p, gzcut.len),
    };
    free(deflate.p);
    free(gzcut.p);
    write_archive("http.warc", r, 7, PLAIN);
    table t;
    read_archive("http.warc", 0, &t);
    char want[1024];
    size_t at = r[0].len;
    expect_doc(&t, 0, "http://cut/", "firstsecond cut");
    assert_string_equal(t.r[0].message, "HTTP body cut short: the text is what arrived");
    snprintf(want, sizeof want, "%s/http.warc: record 2 at byte %zu: malformed HTTP chunked "
             "transfer coding", root, at);
    expect_error(&t, 1, "http://bad/", want);
    at += r[1].len;
    snprintf(want, sizeof want, "%s/http.warc: record 3 at byte %zu: HTTP Content-Encoding "
             "\"br\" is not supported", root, at);
    expect_error(&t, 2, "http://br/", want);
    at += r[2].len;
    snprintf(want, sizeof want, "%s/http.warc: record 4 at byte %zu: not an HTTP response: "
             "the block starts \"<html>no status line</html>\"", root, at);
    expect_error(&t, 3, "http://nohttp/", want);
    expect_doc(&t, 4, "http://deflate/", "raw deflate");
    assert_null(t.r[4].message);
    assert_string_equal(t.r[5].id, "http://gzcut/");
    assert_int_equal(t.r[5].status, FW_DOC_OK);
    assert_true(t.r[5].len > 0 && t.r[5].len < strlen(lines));
    assert_memory_equal(t.r[5].text, lines, t.r[5].len);
    assert_string_equal(t.r[5].message, "HTTP body cut short: the text is what arrived");
    assert_int_equal(t.n, 6);
    assert_int_equal(t.skipped, 1); /* no Content-Type: not known to be text */
    free_table(&t);
    free_records(r, 7);
}

/* A Content-Length that parses but is wrong: counted in characters (too
 * short: the record's text goes on after its block) or too long (its block
 * runs into the next record's header). The record is an error row saying
 * so, and the next records are read as they are, under their own numbers
 * and URIs. (The rest of a short record was read as a broken record of its
 * own; a long one took the next record's start as its text, and that
 * record was lost under "FILE:record 3".) An HTTP body of two gzip members
 * is read whole. */
static void test_wrong_content_length(void **state)
{
    (void)state;
    static const char text[] = "第一段文字。第二段文字。第三段文字。";
    for (int too_long = 0; too_long <= 1; too_long++) {
        bytes b = {0};
        bytes one = record_s("conversion", "http://x/1", NULL, NULL, text);
        add(&b, one.p, one.len);
        size_t at = b.len;
        size_t claimed = too_long ? strlen(text) + 40 : strlen(text) / 3;
        addf(&b, "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://x/2\r\n"
                 "Content-Length: %zu\r\n\r\n%s\r\n\r\n", claimed, text);
        bytes three = record_s("conversion", "http://x/3", NULL, NULL, text);
        bytes four = record_s("conversion", "http://x/4", NULL, NULL, text);
        add(&b, three.p, three.len);
        add(&b, four.p, four.len);
        write_archive("length.warc", &b, 1, PLAIN);
        table t;
        read_archive("length.warc", 0, &t);
        assert_int_equal(t.n, 4);
        expect_doc(&t, 0, "http://x/1", text);
        char want[1024];
        snprintf(want, sizeof want, "%s/length.warc: record 2 at byte %zu: Content-Length %zu "
                 "does not end the record: \"%s\" follows its block instead of the next record",
                 root, at, claimed, too_long ? "C-Target-URI: http://x/3" : "????????????????????????");
        expect_error(&t, 1, "http://x/2", want);
        expect_doc(&t, 2, "http://x/3", text);
        expect_doc(&t, 3, "http://x/4", text);
        free_table(&t);
        free(b.p);
        free(one.p);
        free(three.p);
        free(four.p);
    }
    bytes m1 = gzip_member("第一个成员。", strlen("第一个成员。"));
    bytes m2 = gzip_member("第二个成员。", strlen("第二个成员。"));
    bytes body = {0};
    adds(&body, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n\r\n");
    add(&body, m1.p, m1.len);
    add(&body, m2.p, m2.len);
    bytes r = record("response", "http://members/", NULL, NULL, body.p, body.len);
    write_archive("members.warc", &r, 1, PLAIN);
    table t;
    read_archive("members.warc", 0, &t);
    expect_doc(&t, 0, "http://members/", "第一个成员。第二个成员。");
    assert_null(t.r[0].message);
    free_table(&t);
    free(m1.p);
    free(m2.p);
    free(body.p);
    free(r.p);
}

static void test_empty_archive(void **state)
{
    (void)state;
    write_archive("empty.warc", NULL, 0, PLAIN);
    table t;
    read_archive("empty.warc", 0, &t);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.r[0].status, FW_DOC_EMPTY);
    assert_string_equal(t.r[0].message, "no WARC records");
    free_table(&t);
}

/* ---------------------------------------------------------------- HTML */

static void expect_html(const char *html, const char *text)
{
    char *out = NULL;
    size_t cap = 0, len = 99;
    assert_int_equal(fw_html_text(html, strlen(html), &out, &cap, &len), FW_OK);
    if (len != strlen(text) || strcmp(out, text) != 0)
        fail_msg("html [%s]\ngave [%s]\nexpected [%s]", html, out, text);
    free(out);
}

static void test_html_text(void **state)
{
    (void)state;
    expect_html(page, page_text);
    expect_html("", "");
    expect_html("   \n\t ", "");
    expect_html("<p></p><br><div> </div>", "");
    expect_html("1 < 2 and 3 > 2", "1 < 2 and 3 > 2");
    expect_html("a &#0; b &#xD800; c &#1114112; d &#x10FFFF;",
                "a \xEF\xBF\xBD b \xEF\xBF\xBD c \xEF\xBF\xBD d \xF4\x8F\xBF\xBF");
    expect_html("&#65&#x42;&#; &#x; &", "AB&#; &#x; &");
    expect_html("&ldquo;引号&rdquo;&hellip;&mdash;&apos;&apos", "\xE2\x80\x9C引号\xE2\x80\x9D"
                "\xE2\x80\xA6\xE2\x80\x94'&apos");
    expect_html("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", "a b\nc");
    expect_html("<TITLE>x</TITLE><SCRIPT>y</SCRIPT >z<StYlE>w</sTyLe>", "x\nz");
    expect_html("<script>if (a</scripts) {}</script>after", "after");
    expect_html("before<script>never closed", "before");
    expect_html("before<!-- never closed", "before");
    expect_html("<a title=\"x>y\" href='p>q'>link</a> text", "link text");
    expect_html("x<?php echo 1 ?>y<!DOCTYPE html>z<![CDATA[w]]>v", "xyzv");
    expect_html("wo<b>r</b>d <span> spaced </span> out", "word spaced out");
    expect_html("<p>one<p>two</p>\n\n<p>three", "one\ntwo\nthree");
    expect_html("a&#10;b&#32;&#32;c", "a b c");
    expect_html("<b", "");
    /* empty comments (HTML5) end where they stand */
    expect_html("a<!-->b<!--->c<!---->d", "abcd");
}

/* ------------------------------------------------------------------ CLI */

static void test_cli_counts(void **state)
{
    (void)state;
    char dir[512], cmd[2048];
    snprintf(dir, sizeof dir, "%s/cli", root);
    mkdir(dir, 0755);
    bytes r[NRECORDS];
    standard_records(r);
    write_archive("cli/crawl.warc.gz", r, NRECORDS, GZIP);
    free_records(r, NRECORDS);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' scan -q --out out cli 2>err.txt", root, FANWEN_CLI);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    snprintf(cmd, sizeof cmd, "%s/out/summary.json", root);
    size_t len;
    char *summary = csv_slurp(cmd, &len);
    assert_non_null(summary);
    assert_non_null(strstr(summary, "\"skipped_records\": 7,"));
    assert_non_null(strstr(summary, "\"total\": 7, \"ok\": 7,"));
    free(summary);
    snprintf(cmd, sizeof cmd, "%s/out/docs.csv", root);
    csv_table t;
    assert_true(csv_read(cmd, &t));
    assert_true(t.well_formed);
    assert_int_equal(t.rows, 8);
    static const char *const ids[] = {
        "crawl.warc.gz:record 11", "http://example.com/", "http://example.com/ <record 12>",
        "http://example.com/ <urn:uuid:12>", "http://example.com/ <urn:uuid:8>",
        "http://example.com/a.txt", "http://example.com/z"};
    for (size_t i = 0; i < 7; i++) {
        long at = csv_find(&t, 0, ids[i]);
        if (at < 0) fail_msg("no row for '%s' in docs.csv", ids[i]);
        assert_string_equal(t.cell[at][1], "ok");
    }
    csv_free(&t);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/fanwen-test-warc-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_tolerated_variants),
        cmocka_unit_test(test_truncated_last_record),
        cmocka_unit_test(test_broken_headers_resync),
        cmocka_unit_test(test_body_quoting_a_record_stays_whole),
        cmocka_unit_test(test_oversized_record),
        cmocka_unit_test(test_corrupt_gzip_member),
        cmocka_unit_test(test_http_bodies),
        cmocka_unit_test(test_empty_archive),
        cmocka_unit_test(test_wrong_content_length),
        cmocka_unit_test(test_html_text),
        cmocka_unit_test(test_cli_counts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
