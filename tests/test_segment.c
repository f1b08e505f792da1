/*
 * test_segment.c — where passages begin and end.
 *
 * fw_normalize_mapped() must say, for every normalized code point, which
 * byte it came from (expansions, full-width forms, composed characters,
 * invalid bytes); fw_segment() must tile the text with passages that follow
 * its rules (src/segment.c): cuts at line breaks and sentence ends, short
 * pieces merged forward, a heading forward and a closing line back, and
 * content-defined cuts that stay put when other text comes before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fw_normalizer *nz;

typedef struct mapped {
    uint32_t *cps, *offs;
    size_t cap, ocap, n;
} mapped;

static void map_text(mapped *m, const char *text, size_t len)
{
    assert_int_equal(fw_normalize_mapped(nz, text, len, &m->cps, &m->cap, &m->n, NULL, &m->offs,
                                         &m->ocap), FW_OK);
}

static void free_mapped(mapped *m)
{
    free(m->cps);
    free(m->offs);
}

/* The spans of a text (min, max as given). */
static size_t segment(const char *text, mapped *m, unsigned min, unsigned max, fw_span **spans)
{
    size_t len = strlen(text), cap = 0, count;
    map_text(m, text, len);
    *spans = NULL;
    assert_int_equal(fw_segment(text, len, m->cps, m->offs, m->n, min, max, spans, &cap, &count),
                     FW_OK);
    return count;
}

/* The bytes of span i as a string (for messages and comparisons). */
static const char *span_text(const char *text, const fw_span *s)
{
    static char buf[4096];
    size_t n = s->byte_end - s->byte_start;
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, text + s->byte_start, n);
    buf[n] = '\0';
    return buf;
}

/* ------------------------------------------------------------ offsets */

static void test_offsets_point_at_the_source_character(void **state)
{
    (void)state;
    /* "a ＢC，中ﬁ\xFF𠀀": a at 0, Ｂ (3 bytes) at 2 → b, C at 5 → c, ， dropped,
     * 中 at 9, ﬁ at 12 → f, i (both 12), \xFF at 15 → U+FFFD, 𠀀 at 16 */
    const char *text = "a \xEF\xBC\xA2" "C\xEF\xBC\x8C\xE4\xB8\xAD\xEF\xAC\x81\xFF\xF0\xA0\x80\x80";
    mapped m = {0};
    map_text(&m, text, strlen(text));
    const uint32_t want_cps[] = {'a', 'b', 'c', 0x4E2D, 'f', 'i', 0xFFFD, 0x20000};
    const uint32_t want_offs[] = {0, 2, 5, 9, 12, 12, 15, 16};
    assert_int_equal(m.n, 8);
    assert_memory_equal(m.cps, want_cps, sizeof want_cps);
    assert_memory_equal(m.offs, want_offs, sizeof want_offs);
    free_mapped(&m);
}

static void test_offsets_of_composed_characters(void **state)
{
    (void)state;
    /* "xe\u0301ᄀ\u1161\u11A8y": é composes from e at 1; the jamo compose to
     * one syllable from the byte of ᄀ (4); y at 13 */
    const char *text = "xe\xCC\x81\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8y";
    mapped m = {0};
    map_text(&m, text, strlen(text));
    const uint32_t want_cps[] = {'x', 0xE9, 0xAC01, 'y'};
    const uint32_t want_offs[] = {0, 1, 4, 13};
    assert_int_equal(m.n, 4);
    assert_memory_equal(m.cps, want_cps, sizeof want_cps);
    assert_memory_equal(m.offs, want_offs, sizeof want_offs);
    free_mapped(&m);
}

/* Random strings of tricky characters: the same code points as
 * fw_normalize, offsets in order, each at the start of a character. */
static void test_offsets_on_random_text(void **state)
{
    (void)state;
    static const uint32_t pool[] = {'a', 'Z', ' ', 0x3002, 0xFF0C, 0x4E2D, 0x6587, 0x0301,
                                    0x0308, 0x1100, 0x1161, 0x11A8, 0xFB01, 0xFF21, 0x3099,
                                    0x304B, '7', 0x20000};
    rng_state = 11;
    mapped m = {0};
    uint32_t *plain = NULL;
    size_t pcap = 0, pn;
    for (int t = 0; t < 2000; t++) {
        char text[200];
        size_t len = 0;
        int n = 1 + (int)(rng() % 40);
        for (int i = 0; i < n; i++)
            len += fw_utf8_encode(text + len, pool[rng() % (sizeof pool / sizeof *pool)]);
        map_text(&m, text, len);
        assert_int_equal(fw_normalize(nz, text, len, &plain, &pcap, &pn, NULL), FW_OK);
        assert_int_equal(m.n, pn);
        assert_memory_equal(m.cps, plain, pn * sizeof *plain);
        for (size_t i = 0; i < m.n; i++) {
            assert_true(m.offs[i] < len);
            assert_true(((unsigned char)text[m.offs[i]] & 0xC0) != 0x80);
            if (i) assert_true(m.offs[i] >= m.offs[i - 1]);
        }
    }
    free(plain);
    free_mapped(&m);
}

/* ------------------------------------------------------------- tiling */

static void put_random_ideographs(char *buf, size_t *len, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *len += fw_utf8_encode(buf + *len, 0x4E00 + (uint32_t)(rng() % 3000));
}

static void test_passages_tile_the_text(void **state)
{
    (void)state;
    static const char *const ends[] = {"\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F",
                                       "\xEF\xBC\x9B", ""};
    static const char *const breaks[] = {"", "\n", "\n\n", "\n  ", "\n\xE3\x80\x80"};
    rng_state = 5;
    char *text = malloc(1 << 20);
    for (int t = 0; t < 300; t++) {
        size_t len = 0;
        int sentences = (int)(rng() % 30);
        for (int i = 0; i < sentences; i++) {
            put_random_ideographs(text, &len, 5 + rng() % 116);
            const char *e = ends[rng() % 5], *b = breaks[rng() % 5];
            memcpy(text + len, e, strlen(e));
            len += strlen(e);
            memcpy(text + len, b, strlen(b));
            len += strlen(b);
        }
        text[len] = '\0';
        mapped m = {0};
        fw_span *s;
        size_t count = segment(text, &m, 50, 400, &s);
        if (m.n == 0) {
            assert_int_equal(count, 0);
        } else {
            assert_true(count >= 1);
            assert_int_equal(s[0].cp_start, 0);
            assert_int_equal(s[count - 1].cp_end, m.n);
            for (size_t i = 0; i < count; i++) {
                assert_true(s[i].cp_end > s[i].cp_start);
                if (m.n >= 50) assert_true(s[i].cp_end - s[i].cp_start >= 50);
                if (i + 1 < count) {
                    assert_int_equal(s[i].cp_end, s[i + 1].cp_start);
                    assert_true(s[i].byte_end <= s[i + 1].byte_start);
                }
                assert_true(s[i].byte_start <= m.offs[s[i].cp_start]);
                assert_true(s[i].byte_end > m.offs[s[i].cp_end - 1]);
                assert_true(s[i].byte_end <= len);
            }
            if (m.n < 50) assert_int_equal(count, 1);
        }
        free(s);
        free_mapped(&m);
    }
    free(text);
}

/* ------------------------------------------------------------- rules */

/* min 10: a heading of 4 characters goes forward into the paragraph after
 * it; a closing line of 5 that ends a sentence goes back. */
static void test_heading_forward_closing_line_back(void **state)
{
    (void)state;
    const char *text = "第一章节\n"
                       "这是第一段的第一句话吧。这是第一段的第二句话吧。\n"
                       "以上就是了。\n"
                       "第二章节\n"
                       "这是第二段的唯一一句话。";
    mapped m = {0};
    fw_span *s;
    size_t count = segment(text, &m, 10, 400, &s);
    assert_int_equal(count, 3);
    assert_string_equal(span_text(text, &s[0]), "第一章节\n这是第一段的第一句话吧。");
    assert_string_equal(span_text(text, &s[1]), "这是第一段的第二句话吧。\n以上就是了。");
    assert_string_equal(span_text(text, &s[2]), "第二章节\n这是第二段的唯一一句话。");
    assert_int_equal(s[0].byte_start, 0);
    assert_int_equal(s[2].byte_end, strlen(text));
    free(s);
    free_mapped(&m);
}

/* Short sentences inside a paragraph merge forward until long enough; a
 * short leftover at the paragraph's end goes back into its last passage. */
static void test_short_sentences_merge(void **state)
{
    (void)state;
    const char *text = "一二三四。五六七八。九十甲乙丙丁戊己。庚辛。\n下一段落的句子够长了吧。";
    mapped m = {0};
    fw_span *s;
    size_t count = segment(text, &m, 10, 400, &s);
    assert_int_equal(count, 2);
    assert_string_equal(span_text(text, &s[0]), "一二三四。五六七八。九十甲乙丙丁戊己。庚辛。");
    assert_string_equal(span_text(text, &s[1]), "下一段落的句子够长了吧。");
    free(s);
    free_mapped(&m);
}

/* Closing quotes stay with their sentence; "3.5" is no sentence end,
 * ". " is; leading and trailing white space is left out, leading
 * punctuation kept. */
static void test_quotes_decimals_and_white_space(void **state)
{
    (void)state;
    const char *text = "  （一）他说：“这件事已经做好了。”然后大家都高高兴兴走了回家。\n"
                       "The rate was 3.5 percent this year. Next year it is higher\xE3\x80\x80\n";
    mapped m = {0};
    fw_span *s;
    size_t count = segment(text, &m, 10, 400, &s);
    assert_int_equal(count, 4);
    assert_string_equal(span_text(text, &s[0]), "（一）他说：“这件事已经做好了。”");
    assert_string_equal(span_text(text, &s[1]), "然后大家都高高兴兴走了回家。");
    assert_string_equal(span_text(text, &s[2]), "The rate was 3.5 percent this year.");
    assert_string_equal(span_text(text, &s[3]), "Next year it is higher");
    assert_int_equal(s[0].byte_start, 2);
    free(s);
    free_mapped(&m);
}

/* A unit with no sentence end is cut where the text says: pieces between
 * min and max + min, and the same cuts when other text comes first. */
static void test_content_defined_cuts(void **state)
{
    (void)state;
    rng_state = 8;
    char *run = malloc(3000 * 3 + 1), *a = malloc(3000 * 3 + 200), *b = malloc(3000 * 3 + 200);
    size_t rlen = 0;
    put_random_ideographs(run, &rlen, 3000);
    run[rlen] = '\0';
    snprintf(a, 3000 * 3 + 200, "%s", run);
    /* the same run with other text before it in the same unit: no break
     * between them, so only the text can put the cuts back in place */
    snprintf(b, 3000 * 3 + 200, "前面另有一段不同的文字和开头%s", run);
    size_t shift = strlen(b) - strlen(a);
    mapped ma = {0}, mb = {0};
    fw_span *sa, *sb;
    size_t na = segment(a, &ma, 50, 400, &sa), nb = segment(b, &mb, 50, 400, &sb);
    assert_true(na >= 8);
    for (size_t i = 0; i < na; i++) {
        size_t chars = sa[i].cp_end - sa[i].cp_start;
        assert_true(chars >= 50);
        assert_true(chars <= 450);
    }
    /* the cuts come back in step once a content-defined one is reached
     * (the first ones may be forced at max): here the last ten are the
     * same bytes, and three quarters of all */
    size_t same = 0;
    for (size_t i = 1; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (sb[j].byte_start == sa[i].byte_start + shift) same++;
    assert_true(4 * same >= 3 * na);
    for (size_t i = 1; i <= 10; i++)
        assert_int_equal(sb[nb - i].byte_start, sa[na - i].byte_start + shift);
    /* with max 0 nothing is cut */
    fw_span *whole;
    mapped mw = {0};
    assert_int_equal(segment(a, &mw, 50, 0, &whole), 1);
    free(whole);
    free_mapped(&mw);
    free(sa);
    free(sb);
    free_mapped(&ma);
    free_mapped(&mb);
    free(run);
    free(a);
    free(b);
}

static void test_empty_text_has_no_passages(void **state)
{
    (void)state;
    mapped m = {0};
    fw_span *s;
    assert_int_equal(segment("", &m, 50, 400, &s), 0);
    assert_int_equal(segment(" 。，\n\n", &m, 50, 400, &s), 0);
    free(s);
    free_mapped(&m);
}

static int setup(void **state)
{
    (void)state;
    return fw_normalizer_new(&nz) == FW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fw_normalizer_free(nz);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_point_at_the_source_character),
        cmocka_unit_test(test_offsets_of_composed_characters),
        cmocka_unit_test(test_offsets_on_random_text),
        cmocka_unit_test(test_passages_tile_the_text),
        cmocka_unit_test(test_heading_forward_closing_line_back),
        cmocka_unit_test(test_short_sentences_merge),
        cmocka_unit_test(test_quotes_decimals_and_white_space),
        cmocka_unit_test(test_content_defined_cuts),
        cmocka_unit_test(test_empty_text_has_no_passages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
