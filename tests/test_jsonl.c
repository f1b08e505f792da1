/*
 * test_jsonl.c — one JSON line to one document (src/jsonl.c, internal):
 * which fields are taken, what is an error, and the per-thread scratch
 * memory that the parser reuses from line to line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fw_jsonl_scratch scratch;

/* Parses `line` and checks text, id and error (NULL: none expected). */
static void expect(const char *line, const char *text, const char *id, const char *error)
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
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
