/*
 * test_jsonl.c — one JSON line to one document (src/jsonl.c, internal):
 * which fields are taken, what is an error, and the per-thread scratch
 * memory that the parser reuses from line to line; and the fast scanner
 * (src/jsonl_scan.c), which must give yajl's documents byte for byte on
 * every code path: on lines written for each rule (escapes, surrogates,
 * numbers, nesting, repeated keys, whitespace, invalid UTF-8, control
 * characters, truncation, long strings at every offset of the vector
 * blocks) and on 300,000 generated lines, valid and broken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "jsonl.h"
#include "jsonl_scan.h"
#include "rng.h"
#include "simd_paths.h"
#include "text_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fw_jsonl_scratch scratch;

/* ------------------------------------------- the scanner against yajl */

static const fw_simd PATHS[] = {FW_SIMD_BASELINE, FW_SIMD_AVX2, FW_SIMD_AVX512};
#define NPATHS (sizeof PATHS / sizeof *PATHS)

/* Where a document's text lies: the line, a copy or the repaired line. */
static int text_place(const fw_jsonl_doc *d, const char *line, size_t len)
{
    if (!d->text) return 0;
    if (d->text == d->owned) return 1;
    if (d->text >= line && d->text + d->len <= line + len) return 2;
    return 3;
}

static void show(const char *what, const char *line, size_t len)
{
    fprintf(stderr, "%s: ", what);
    for (size_t i = 0; i < len && i < 300; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c >= 0x20 && c < 0x7F) fputc(c, stderr);
        else fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, len > 300 ? "... (%zu bytes)\n" : " (%zu bytes)\n", len);
}

/* The fast path, on every code path this CPU runs, with the scratch and
 * without, gives yajl's document: the same text bytes (in the same kind of
 * place), id, error and repair count. Returns whether the scanner read the
 * line itself (the same on every path) rather than leaving it to yajl. */
static int same_as_yajl(const char *line, size_t len, const char *text_field, const char *id_field)
{
    fw_jsonl_doc want;
    assert_int_equal(fw_jsonl_parse_yajl(line, len, text_field, id_field, NULL, &want), FW_OK);
    int scanned = -1;
    for (size_t p = 0; p < NPATHS; p++) {
        if (fw_scanner_simd(PATHS[p]) != PATHS[p]) continue;
        char *out = malloc(len + 1);
        fw_json_value t, i;
        int s = fw_jsonl_scan(line, len, text_field, id_field, PATHS[p], out, &t, &i);
        free(out);
        if (scanned >= 0 && s != scanned) show("paths disagree on", line, len);
        if (scanned >= 0) assert_int_equal(s, scanned);
        scanned = s;
        for (int with_scratch = 0; with_scratch < 2; with_scratch++) {
            fw_jsonl_doc d;
            assert_int_equal(fw_jsonl_parse_simd(line, len, text_field, id_field,
                                                 with_scratch ? &scratch : NULL, PATHS[p], &d),
                             FW_OK);
            int same = d.len == want.len && !d.text == !want.text &&
                       (!d.text || memcmp(d.text, want.text, d.len) == 0) &&
                       text_place(&d, line, len) == text_place(&want, line, len) &&
                       !d.id == !want.id && (!d.id || strcmp(d.id, want.id) == 0) &&
                       strcmp(d.error, want.error) == 0 && d.repaired == want.repaired;
            if (!same) {
                show(fw_simd_name(PATHS[p]), line, len);
                fprintf(stderr, "  scanned %d; yajl: len %zu id %s error '%s' repaired %zu; "
                        "this: len %zu id %s error '%s' repaired %zu\n", s, want.len,
                        want.id ? want.id : "(none)", want.error, want.repaired, d.len,
                        d.id ? d.id : "(none)", d.error, d.repaired);
            }
            assert_true(same);
            fw_jsonl_done(&d);
        }
    }
    fw_jsonl_done(&want);
    return scanned;
}

static int same_fields(const char *line, const char *text_field, const char *id_field)
{
    return same_as_yajl(line, strlen(line), text_field, id_field);
}

static int same_as_yajl_str(const char *line) { return same_fields(line, "text", "id"); }

/* Parses `line` and checks text, id and error (NULL: none expected), and
 * that every path gives yajl's document; returns whether the scanner read
 * it. */
static int expect(const char *line, const char *text, const char *id, const char *error)
{
    fw_jsonl_doc d;
    assert_int_equal(fw_jsonl_parse(line, strlen(line), "text", "id", &scratch, &d), FW_OK);
    if (text) {
        assert_non_null(d.text);
        assert_int_equal(d.len, strlen(text));
        assert_memory_equal(d.text, text, d.len);
        assert_string_equal(d.error, "");
    } else {
        assert_null(d.text);
        assert_non_null(error);
        assert_non_null(strstr(d.error, error ? error : ""));
    }
    if (id) assert_string_equal(d.id, id);
    else assert_null(d.id);
    fw_jsonl_done(&d);
    return same_as_yajl_str(line);
}

static void test_fields(void **state)
{
    (void)state;
    /* plain: the text points into the line, no copy */
    const char *line = "{\"id\": \"a1\", \"text\": \"第一条\"}";
    fw_jsonl_doc d;
    assert_int_equal(fw_jsonl_parse(line, strlen(line), "text", "id", &scratch, &d), FW_OK);
    assert_true(d.text > line && d.text < line + strlen(line));
    fw_jsonl_done(&d);
    expect("{\"id\": \"a1\", \"text\": \"第一条\"}", "第一条", "a1", NULL);
    /* escapes are decoded (a copy) */
    expect("{\"text\": \"a\\nb\\u4e2d\\\"\", \"id\": 7}", "a\nb中\"", "7", NULL);
    /* a number id is kept as written; null means none */
    expect("{\"id\": 1.5e3, \"text\": \"x\"}", "x", "1.5e3", NULL);
    expect("{\"id\": null, \"text\": \"x\"}", "x", NULL, NULL);
    expect("{\"id\": [1], \"text\": \"x\"}", "x", NULL, NULL);
    /* a NUL in an id (a C string) is U+FFFD, on every path */
    expect("{\"id\": \"a\\u0000b\\u0000\", \"text\": \"x\"}", "x",
           "a\xEF\xBF\xBD" "b\xEF\xBF\xBD", NULL);
    expect("{\"id\": \"\\u0000\", \"text\": \"x\"}", "x", "\xEF\xBF\xBD", NULL);
    /* only top-level fields count */
    expect("{\"meta\": {\"text\": \"inner\", \"id\": \"no\"}, \"text\": \"outer\"}", "outer",
           NULL, NULL);
    expect("{\"meta\": {\"text\": \"inner\"}}", NULL, NULL, "no string field \"text\"");
    /* other field names */
    fw_jsonl_doc o;
    const char *body = "{\"body\": \"正文\", \"url\": \"u\"}";
    assert_int_equal(fw_jsonl_parse(body, strlen(body), "body", "url", &scratch, &o), FW_OK);
    assert_int_equal(o.len, strlen("正文"));
    assert_string_equal(o.id, "u");
    fw_jsonl_done(&o);
}

static void test_errors(void **state)
{
    (void)state;
    expect("{\"id\": \"j2\", \"text\": \"broken", NULL, NULL, "invalid JSON");
    expect("{\"text\": \"x\"} trailing", NULL, NULL, "invalid JSON");
    expect("[\"text\", \"x\"]", NULL, NULL, "not an object");
    expect("\"just a string\"", NULL, NULL, "not an object");
    expect("{\"id\": 3, \"text\": 12}", NULL, "3", "no string field");
    expect("{\"id\": 3, \"text\": {\"a\": 1}}", NULL, "3", "no string field");
    expect("", NULL, NULL, "invalid JSON");
    /* invalid UTF-8 that yajl rejects is repaired and counted, the document
     * kept (what yajl lets through, such as the overlong C0 AF, is repaired
     * by normalization instead: test_cli checks both end as `repaired`) */
    const char bad[] = "{\"id\": \"b\", \"text\": \"ab\xFF\xFE" "cd\"}";
    fw_jsonl_doc d;
    assert_int_equal(fw_jsonl_parse(bad, strlen(bad), "text", "id", &scratch, &d), FW_OK);
    assert_non_null(d.text);
    assert_int_equal(d.repaired, 2);
    assert_int_equal(d.len, strlen("ab\xEF\xBF\xBD\xEF\xBF\xBD" "cd"));
    assert_true(strncmp(d.error, "", 1) == 0);
    assert_memory_equal(d.text, "ab\xEF\xBF\xBD\xEF\xBF\xBD" "cd", d.len);
    assert_string_equal(d.id, "b");
    fw_jsonl_done(&d);
}

/* Surrogate escapes: a pair is one character; a lone one (which yajl
 * would turn into '?', invalid UTF-8 or, with the escape after it, a wrong
 * character) becomes U+FFFD and is counted as repaired. */
static void test_surrogates(void **state)
{
    (void)state;
    expect("{\"text\": \"a\\ud83d\\ude00b\\uD83D\\uDE00\"}", "a\U0001F600b\U0001F600",
           NULL, NULL);
    const char *line = "{\"id\": \"\\udc00\", \"text\": \"\\ud800 \\udc00 "
                       "\\ude00\\ud83d \\ud800\\u0041 \\\\ud800\"}";
    fw_jsonl_doc d;
    assert_int_equal(fw_jsonl_parse(line, strlen(line), "text", "id", &scratch, &d), FW_OK);
    const char *want = "\uFFFD \uFFFD \uFFFD\uFFFD \uFFFDA \\ud800";
    assert_int_equal(d.len, strlen(want));
    assert_memory_equal(d.text, want, d.len);
    assert_string_equal(d.id, "\uFFFD");
    assert_int_equal(d.repaired, 6);
    fw_jsonl_done(&d);
}

/* A text with escapes larger than the scratch (64 KB) gets memory of its
 * own; many lines in a row reuse the scratch; without scratch, malloc. */
static void test_large_and_repeated(void **state)
{
    (void)state;
    size_t n = 200000;
    char *line = malloc(n * 2 + 64), *want = malloc(n + 1);
    size_t len = (size_t)sprintf(line, "{\"text\": \"");
    for (size_t i = 0; i < n; i++) {
        if (i % 100 == 99) { memcpy(line + len, "\\n", 2); len += 2; want[i] = '\n'; }
        else { line[len++] = 'a' + (char)(i % 26); want[i] = 'a' + (char)(i % 26); }
    }
    len += (size_t)sprintf(line + len, "\"}");
    for (int round = 0; round < 3; round++) {
        fw_jsonl_doc d;
        fw_jsonl_scratch *sc = round == 2 ? NULL : &scratch;
        assert_int_equal(fw_jsonl_parse(line, len, "text", "id", sc, &d), FW_OK);
        assert_int_equal(d.len, n);
        assert_memory_equal(d.text, want, n);
        fw_jsonl_done(&d);
    }
    for (int i = 0; i < 10000; i++) {
        char small[64];
        snprintf(small, sizeof small, "{\"id\": %d, \"text\": \"t\\t%d\"}", i, i);
        char id[16], text[32];
        snprintf(id, sizeof id, "%d", i);
        snprintf(text, sizeof text, "t\t%d", i);
        expect(small, text, id, NULL);
    }
    free(line);
    free(want);
}

/* --------------------------------------------- the scanner, rule by rule */

/* Every escape JSON has, decoded as yajl decodes it, by the scanner. */
static void test_scan_escapes(void **state)
{
    (void)state;
    assert_true(expect("{\"text\": \"a\\nb\\\"c\\\\d\\/e\\bf\\fg\\rh\\ti\"}",
                       "a\nb\"c\\d/e\bf\fg\rh\ti", NULL, NULL));
    assert_true(expect("{\"text\": \"\\u4e2d\\u6587\\u00E9\\u0041\\u007f\\u0080\\u07ff\\u0800"
                       "\\uffff\\uFFFD\\ud7ff\\ue000\"}",
                       "中文éA\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\uffff\ufffd\ud7ff\ue000", NULL, NULL));
    /* surrogate pairs, upper and lower case, the first and the last */
    assert_true(expect("{\"text\": \"\\ud83d\\ude00\\uD834\\uDD1E\\ud800\\udc00\\udbff\\udfff\"}",
                       "\U0001F600\U0001D11E\U00010000\U0010FFFF", NULL, NULL));
    /* an escape right at the start and the end; only escapes */
    assert_true(expect("{\"text\": \"\\n\"}", "\n", NULL, NULL));
    assert_true(expect("{\"text\": \"\\\\\\\\\"}", "\\\\", NULL, NULL));
    assert_true(expect("{\"text\": \"\\\"\"}", "\"", NULL, NULL));
    /* \u0000 is a NUL byte inside the text, U+FFFD in the id (a C string) */
    const char *nul = "{\"text\": \"a\\u0000b\", \"id\": \"x\\u0000y\"}";
    fw_jsonl_doc d;
    assert_int_equal(fw_jsonl_parse(nul, strlen(nul), "text", "id", &scratch, &d), FW_OK);
    assert_int_equal(d.len, 3);
    assert_memory_equal(d.text, "a\0b", 3);
    assert_string_equal(d.id, "x\xEF\xBF\xBDy");
    fw_jsonl_done(&d);
    assert_true(same_as_yajl_str(nul));
    /* escapes in the id and in other strings, nested or not */
    assert_true(expect("{\"id\": \"\\u4e00\\n\\ud83d\\ude00\", \"x\": [\"\\t\\u0001\"], "
                       "\"text\": \"t\"}", "t", "一\n\U0001F600", NULL));
    /* keys with escapes name fields as their decoded selves */
    assert_true(expect("{\"te\\u0078t\": \"k\", \"\\u0069d\": 5}", "k", "5", NULL));
    assert_true(expect("{\"te\\\\xt\": \"k\", \"text\": \"t\"}", "t", NULL, NULL));
    /* lone surrogates anywhere: left to jsonl.c and yajl (repaired) */
    const char *lone[] = {
        "{\"text\": \"a\\ud800\"}", "{\"text\": \"\\udc00b\"}", "{\"text\": \"\\ud800\\u0041\"}",
        "{\"text\": \"\\ud800\\ud800\\udc00\"}", "{\"text\": \"\\ud800\\n\"}",
        "{\"text\": \"x\", \"id\": \"\\udfff\"}", "{\"k\": [\"\\ud9ff\"], \"text\": \"x\"}",
        "{\"\\ud800\": 1, \"text\": \"x\"}", "{\"text\": \"x\\ud800\\\"\"}"};
    for (size_t i = 0; i < sizeof lone / sizeof *lone; i++) assert_false(same_as_yajl_str(lone[i]));
    /* invalid escapes: yajl's error */
    const char *bad[] = {"{\"text\": \"\\x\"}", "{\"text\": \"\\u12\"}", "{\"text\": \"\\u12g4\"}",
                         "{\"text\": \"\\U0041\"}", "{\"text\": \"\\'\"}", "{\"text\": \"\\",
                         "{\"text\": \"\\u00", "{\"text\": \"a\\ud83d\\ude0\"}",
                         "{\"text\": \"\\ud83d\\uzzzz\"}", "{\"k\": \"\\a\", \"text\": \"x\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(same_as_yajl_str(bad[i]));
        expect(bad[i], NULL, NULL, "invalid JSON");
    }
    /* a top-level key with escapes too long for the scanner to decode */
    text_buf b = {0};
    put(&b, "{\"", 2);
    for (int i = 0; i < 100; i++) put(&b, "\\u0061", 6);
    put(&b, "\": 1, \"text\": \"x\"}", 18);
    assert_false(same_as_yajl(b.s, b.len, "text", "id"));
    free(b.s);
}

/* Ids as numbers are kept as written, in every form JSON allows; what yajl
 * does not lex as a number is its error. */
static void test_scan_numbers(void **state)
{
    (void)state;
    const char *ok[] = {"0", "-0", "7", "-12", "12.5", "-0.25", "1e5", "1E+5", "2.5e-3",
                        "-1.0E-0", "123456789012345678901234567890", "1e999", "0.000"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char line[128];
        snprintf(line, sizeof line, "{\"id\": %s, \"text\": \"x\"}", ok[i]);
        assert_true(expect(line, "x", ok[i], NULL));
        snprintf(line, sizeof line, "{\"text\": \"x\",\"id\":%s}", ok[i]);
        assert_true(expect(line, "x", ok[i], NULL));
        snprintf(line, sizeof line, "{\"a\": [%s,%s], \"text\": \"x\"}", ok[i], ok[i]);
        assert_true(expect(line, "x", NULL, NULL));
    }
    const char *bad[] = {"01", "1.", ".5", "-", "+1", "1e", "1e+", "0x1", "-a", "1.5.5",
                         "1e5e5", "--1", "1-", "00", "1.e5", "Infinity", "NaN", "-.5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[128];
        snprintf(line, sizeof line, "{\"id\": %s, \"text\": \"x\"}", bad[i]);
        assert_false(same_as_yajl_str(line));
        expect(line, NULL, NULL, "invalid JSON");
        snprintf(line, sizeof line, "{\"text\": \"x\", \"id\": %s}", bad[i]);
        assert_false(same_as_yajl_str(line));
    }
    /* literals: no id; misspelled ones are errors */
    assert_true(expect("{\"id\": true, \"text\": \"x\"}", "x", NULL, NULL));
    assert_true(expect("{\"id\": false, \"text\": \"x\"}", "x", NULL, NULL));
    assert_true(expect("{\"id\": {}, \"text\": \"x\"}", "x", NULL, NULL));
    assert_true(expect("{\"id\": \"\", \"text\": \"x\"}", "x", "", NULL));
    const char *words[] = {"tru", "truex", "nul", "nulll", "False", "none", "t"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        char line[128];
        snprintf(line, sizeof line, "{\"id\": %s, \"text\": \"x\"}", words[i]);
        assert_false(same_as_yajl_str(line));
    }
}

/* Objects and arrays around, between and inside the fields; only the top
 * level's fields count; nesting up to 64 is the scanner's, deeper yajl's. */
static void test_scan_nesting(void **state)
{
    (void)state;
    assert_true(expect("{\"a\": {\"text\": \"no\", \"id\": \"no\", \"b\": [1, {\"c\": []}]}, "
                       "\"text\": \"yes\", \"d\": [[], {}, [{}], \"s\", 1, null], \"id\": 3, "
                       "\"e\": {\"f\": {\"g\": {\"text\": 1}}}}", "yes", "3", NULL));
    assert_true(expect("{\"list\": [{\"text\": \"inner\"}], \"id\": \"i\"}", NULL, "i",
                       "no string field \"text\""));
    assert_true(expect("{}", NULL, NULL, "no string field"));
    assert_true(expect("{\"text\": [\"x\"]}", NULL, NULL, "no string field"));
    assert_true(expect("{\"text\": {\"text\": \"x\"}}", NULL, NULL, "no string field"));
    assert_true(expect("{\"text\": null}", NULL, NULL, "no string field"));
    for (int depth = 60; depth <= 70; depth++) {
        text_buf b = {0};
        put(&b, "{\"text\": \"x\", \"n\": ", 19);
        for (int i = 1; i < depth; i++) put(&b, i % 2 ? "[" : "{\"k\":", i % 2 ? 1 : 5);
        put(&b, "0", 1);
        for (int i = depth - 1; i >= 1; i--) put(&b, i % 2 ? "]" : "}", 1);
        put(&b, "}", 1);
        assert_int_equal(same_as_yajl(b.s, b.len, "text", "id"), depth <= 64);
        free(b.s);
    }
    const char *bad[] = {"{\"a\": [1}, \"text\": \"x\"}", "{\"a\": {1: 2}, \"text\": \"x\"}",
                         "{\"a\": [1,], \"text\": \"x\"}", "{\"a\": {\"b\": 1,}, \"text\": \"x\"}",
                         "{\"text\": \"x\",}", "{\"text\" \"x\"}", "{\"text\": \"x\" \"id\": 1}",
                         "{\"a\": [1 2], \"text\": \"x\"}", "{,\"text\": \"x\"}", "{\"text\": }",
                         "{\"a\": ], \"text\": \"x\"}", "{\"text\": \"x\"]", "[{\"text\": \"x\"}]",
                         "\"text\"", "12", "null", "{\"text\": \"x\"}}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(same_as_yajl_str(bad[i]));
        expect(bad[i], NULL, NULL, "invalid JSON");
    }
}

/* A repeated key: the last value counts, as with yajl's callbacks. */
static void test_scan_repeated_keys(void **state)
{
    (void)state;
    assert_true(expect("{\"text\": \"a\", \"text\": \"b\"}", "b", NULL, NULL));
    assert_true(expect("{\"text\": \"a\\n\", \"text\": \"b\"}", "b", NULL, NULL));
    assert_true(expect("{\"text\": \"a\", \"text\": \"b\\n\"}", "b\n", NULL, NULL));
    assert_true(expect("{\"text\": \"long\\nfirst\", \"text\": \"\\t\"}", "\t", NULL, NULL));
    assert_true(expect("{\"text\": 1, \"text\": \"b\"}", "b", NULL, NULL));
    assert_true(expect("{\"text\": \"a\", \"text\": 1}", NULL, NULL, "no string field"));
    assert_true(expect("{\"text\": \"a\", \"text\": {}}", NULL, NULL, "no string field"));
    assert_true(expect("{\"text\": \"a\", \"text\": null}", NULL, NULL, "no string field"));
    assert_true(expect("{\"id\": 1, \"text\": \"a\", \"id\": \"two\"}", "a", "two", NULL));
    assert_true(expect("{\"id\": 1, \"text\": \"a\", \"id\": null}", "a", NULL, NULL));
    assert_true(expect("{\"id\": \"x\", \"id\": [], \"text\": \"a\"}", "a", NULL, NULL));
    assert_true(expect("{\"id\": [], \"id\": -3, \"text\": \"a\"}", "a", "-3", NULL));
    /* a key naming both fields is the text's */
    assert_true(same_fields("{\"x\": \"v\", \"id\": 1}", "x", "x"));
    assert_true(same_fields("{\"x\": 5}", "x", "x"));
    /* other field names, empty ones too */
    assert_true(same_fields("{\"\": \"e\", \"body\": \"b\"}", "", "body"));
    assert_true(same_fields("{\"content\": \"c\\n\", \"url\": \"u\"}", "content", "url"));
}

/* yajl's six whitespace characters, anywhere between tokens or none; what
 * follows the object must be whitespace (yajl's other answers are its). */
static void test_scan_whitespace(void **state)
{
    (void)state;
    const char *ws[] = {"", " ", "\t", "\n", "\r", "\v", "\f", " \r\n\t\v\f  "};
    for (size_t i = 0; i < sizeof ws / sizeof *ws; i++) {
        const char *w = ws[i];
        char line[512];
        snprintf(line, sizeof line,
                 "%s{%s\"id\"%s:%s1%s,%s\"a\"%s:%s[%s1%s,%s{%s}%s,%s[%s]%s]%s,%s\"text\"%s:%s"
                 "\"t\"%s}%s", w, w, w, w, w, w, w, w, w, w, w, w, w, w, w, w, w, w, w, w, w, w);
        assert_true(expect(line, "t", "1", NULL));
    }
    assert_true(expect("{\"text\": \"x\"}\r", "x", NULL, NULL)); /* a CRLF file */
    /* after the object: yajl accepts an unterminated string (it waits for
     * more), and rejects the rest; the scanner leaves all of it to yajl */
    const char *after[] = {"{\"text\": \"x\"} \"abc", "{\"text\": \"x\"}x", "{\"text\": \"x\"},",
                           "{\"text\": \"x\"} {}", "{\"text\": \"x\"} 1", "{\"text\": \"x\"}\x01",
                           "{\"text\": \"x\"} tru", "{\"text\": \"x\"} /", "{\"text\": \"x\"}\xe4"};
    for (size_t i = 0; i < sizeof after / sizeof *after; i++) assert_false(same_as_yajl_str(after[i]));
    /* no other whitespace: a no-break space, a NUL */
    assert_false(same_as_yajl_str("{\"text\":\xc2\xa0\"x\"}"));
    assert_false(same_as_yajl("{\"text\":\0\"x\"}", 13, "text", "id"));
}

/* Invalid UTF-8, control characters and truncated lines go to yajl and
 * come out as before (repaired, or an error). */
static void test_scan_broken(void **state)
{
    (void)state;
    const char *bad_utf8[] = {"{\"text\": \"ab\xff\"}", "{\"text\": \"\xc0\xaf\"}",
                              "{\"text\": \"\xed\xa0\x80\"}", "{\"text\": \"\xe4\xb8\"}",
                              "{\"text\": \"x\", \"id\": \"\xf5\x80\x80\x80\"}",
                              "{\"k\xfe\": 1, \"text\": \"x\"}", "{\"text\": \"x\"}\xff",
                              "\xef\xbb\xbf{\"text\": \"bom\"}", "{\"text\": \"\xf4\x90\x80\x80\"}"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof *bad_utf8; i++)
        assert_false(same_as_yajl_str(bad_utf8[i]));
    for (int c = 0; c < 0x20; c++) {
        char line[64];
        int n = snprintf(line, sizeof line, "{\"text\": \"a%cb\"}", c);
        assert_false(same_as_yajl(line, (size_t)n, "text", "id"));
        n = snprintf(line, sizeof line, "{\"k\": \"%c\", \"text\": \"x\"}", c);
        assert_false(same_as_yajl(line, (size_t)n, "text", "id"));
    }
    assert_true(expect("{\"text\": \"a\x7f\"}", "a\x7f", NULL, NULL)); /* DEL is allowed */
    /* every prefix of a line with all kinds of tokens */
    const char *full = "{\"id\": -1.5e+3, \"a\": [true, false, null, {\"b\": \"\\u4e2d\"}], "
                       "\"text\": \"中\\n\\ud83d\\ude00\\\"x\"}";
    size_t n = strlen(full);
    for (size_t len = 0; len < n; len++) assert_false(same_as_yajl(full, len, "text", "id"));
    assert_true(same_as_yajl(full, n, "text", "id"));
}

/* Long texts (over 64 KB: more than the first scratch) whose escapes,
 * multi-byte characters and closing quote fall at every offset of the
 * 32- and 64-byte vector steps; and the same with one bad byte near the
 * end, where the steps run out. */
static void test_scan_long_strings(void **state)
{
    (void)state;
    static const char *const pieces[] = {"中", "\\n", "a", "\\u4e2d", "\\\\", "\\ud83d\\ude00",
                                         "é", "\\\"", "\U0001F600", "bc", "\\/"};
    text_buf body = {0};
    for (size_t i = 0; body.len < 70000; i++) {
        const char *p = pieces[(i * 7 + i / 13) % (sizeof pieces / sizeof *pieces)];
        put(&body, p, strlen(p));
    }
    for (size_t shift = 0; shift < 64; shift++) {
        for (size_t cut = 0; cut < 3; cut++) {
            text_buf b = {0};
            put(&b, "{\"id\": \"", 8);
            for (size_t i = 0; i < shift; i++) put(&b, "x", 1);
            put(&b, "\", \"text\": \"", 12);
            /* end the text at a different offset too (not inside an escape) */
            size_t len = body.len - cut * 7;
            while (len && (body.s[len - 1] == '\\' || (body.s[len - 1] & 0xC0) == 0x80 ||
                           (unsigned char)body.s[len - 1] >= 0xC0))
                len--;
            put(&b, body.s, len);
            put(&b, "\"}", 2);
            int scanned = same_as_yajl(b.s, b.len, "text", "id");
            /* uncut, the scanner reads it; a cut may leave a lone \ud83d or
             * half an escape, which are yajl's */
            if (cut == 0) assert_true(scanned);
            size_t at = b.len - 2 - shift % 40;
            char keep = b.s[at];
            b.s[at] = (char)0xFF;
            assert_false(same_as_yajl(b.s, b.len, "text", "id"));
            b.s[at] = 0x01;
            assert_false(same_as_yajl(b.s, b.len, "text", "id"));
            b.s[at] = keep;
            free(b.s);
        }
    }
    /* the whole body, scanned */
    text_buf b = {0};
    put(&b, "{\"text\": \"", 10);
    put(&b, body.s, body.len);
    put(&b, "\"}", 2);
    assert_true(same_as_yajl(b.s, b.len, "text", "id"));
    free(b.s);
    free(body.s);
}

/* A line longer than the scratch ever grows (4 MB): its text gets memory
 * of its own, with the scratch and without. */
static void test_scan_huge_line(void **state)
{
    (void)state;
    text_buf b = {0};
    put(&b, "{\"id\": 1, \"text\": \"", 19);
    while (b.len < (5u << 20)) put(&b, "第一条\\n", 11);
    put(&b, "\"}", 2);
    assert_true(same_as_yajl(b.s, b.len, "text", "id"));
    fw_jsonl_doc d;
    assert_int_equal(fw_jsonl_parse(b.s, b.len, "text", "id", &scratch, &d), FW_OK);
    assert_non_null(d.owned);
    assert_int_equal(d.len, (b.len - 21) / 11 * 10);
    fw_jsonl_done(&d);
    free(b.s);
}

/* ------------------------------------------------- generated lines */

static const char *const KEYS[] = {"text", "id", "te\\u0078t", "\\u0069d", "meta", "a", "",
                                   "title", "t\\\"x"};

static void gen_space(text_buf *b)
{
    static const char ws[] = " \t\n\r\v\f";
    unsigned k = (unsigned)(rng() % 16);
    if (k < 8) return;
    if (k < 14) put(b, " ", 1);
    else
        for (unsigned i = (unsigned)(rng() % 4); i > 0; i--) put(b, ws + rng() % 6, 1);
}

static void gen_string(text_buf *b)
{
    static const char *const escapes[] = {"\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r",
                                          "\\t", "\\u4e2d", "\\u0000", "\\u00e9", "\\uFFFF",
                                          "\\ud83d\\ude00", "\\uDBFF\\uDFFF"};
    static const char *const rare[] = {"\\ud800", "\\udc00", "\\x", "\\u12", "\x01", "\x1f",
                                       "\n", "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe4\xb8",
                                       "\"", "\\"};
    put(b, "\"", 1);
    size_t n = rng() % 8 == 0 ? rng() % 300 : rng() % 12;
    for (size_t i = 0; i < n; i++) {
        unsigned k = (unsigned)(rng() % 100);
        if (k < 40) put_cp(b, 'a' + (uint32_t)(rng() % 26));
        else if (k < 70) put_cp(b, 0x4E00 + (uint32_t)(rng() % 0x5200));
        else if (k < 73) put_cp(b, 0x10000 + (uint32_t)(rng() % 0x1000));
        else if (k < 97) {
            const char *e = escapes[rng() % (sizeof escapes / sizeof *escapes)];
            put(b, e, strlen(e));
        } else if (rng() % 4 == 0) {
            const char *e = rare[rng() % (sizeof rare / sizeof *rare)];
            put(b, e, strlen(e));
        }
    }
    put(b, "\"", 1);
}

static void gen_value(text_buf *b, int depth);

static void gen_members(text_buf *b, int depth, int top)
{
    put(b, "{", 1);
    unsigned n = (unsigned)(rng() % (top ? 7 : 4));
    for (unsigned i = 0; i < n; i++) {
        if (i) put(b, ",", 1);
        gen_space(b);
        const char *k = KEYS[rng() % (sizeof KEYS / sizeof *KEYS)];
        if (rng() % 16 == 0) gen_string(b);
        else {
            put(b, "\"", 1);
            put(b, k, strlen(k));
            put(b, "\"", 1);
        }
        gen_space(b);
        put(b, ":", 1);
        gen_space(b);
        gen_value(b, depth + 1);
        gen_space(b);
    }
    put(b, "}", 1);
}

static void gen_value(text_buf *b, int depth)
{
    static const char *const scalars[] = {"0", "-1", "12.5", "1e3", "-0.5E-7", "true", "false",
                                          "null", "01", "1.", "-", "tru", "nul"};
    unsigned k = (unsigned)(rng() % 10);
    if (depth > 4) k %= 6;
    if (k < 4) gen_string(b);
    else if (k < 6) {
        const char *s = scalars[rng() % (rng() % 8 ? 8 : sizeof scalars / sizeof *scalars)];
        put(b, s, strlen(s));
    } else if (k < 8) gen_members(b, depth, 0);
    else {
        put(b, "[", 1);
        for (unsigned i = (unsigned)(rng() % 4); i > 0; i--) {
            gen_space(b);
            gen_value(b, depth + 1);
            gen_space(b);
            if (i > 1) put(b, ",", 1);
        }
        put(b, "]", 1);
    }
}

/* 300,000 lines: objects of random members (the fields among them, under
 * plain and escaped names, repeated or not), values of every kind, strings
 * with every escape and now and then something yajl rejects or jsonl.c
 * repairs; one line in five then cut, changed or extended at random. */
static void test_scan_generated(void **state)
{
    (void)state;
    rng_state = 16;
    size_t scanned = 0, total = 300000;
    for (size_t i = 0; i < total; i++) {
        text_buf b = {0};
        put(&b, "", 0);
        gen_space(&b);
        if (rng() % 50 == 0) gen_value(&b, 0);
        else gen_members(&b, 0, 1);
        gen_space(&b);
        switch (rng() % 20) {
        case 0: b.len = rng() % (b.len + 1); break;
        case 1: b.s[rng() % b.len] = (char)rng(); break;
        case 2: put(&b, "x", 1); break;
        case 3: {
            size_t at = rng() % b.len;
            b.s[at] = "{}[]\",:\\ "[rng() % 9];
            break;
        }
        default: break;
        }
        scanned += (size_t)same_as_yajl(b.s, b.len, "text", "id");
        free(b.s);
    }
    /* the test means something only if the scanner read most lines itself
     * and left a fair share to yajl */
    fprintf(stderr, "scanner read %zu of %zu generated lines\n", scanned, total);
    assert_true(scanned > total / 3);
    assert_true(total - scanned > total / 20);
}

static int teardown(void **state)
{
    (void)state;
    fw_jsonl_scratch_free(&scratch);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_large_and_repeated),
        cmocka_unit_test(test_scan_escapes),
        cmocka_unit_test(test_scan_numbers),
        cmocka_unit_test(test_scan_nesting),
        cmocka_unit_test(test_scan_repeated_keys),
        cmocka_unit_test(test_scan_whitespace),
        cmocka_unit_test(test_scan_broken),
        cmocka_unit_test(test_scan_long_strings),
        cmocka_unit_test(test_scan_huge_line),
        cmocka_unit_test(test_scan_generated),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
