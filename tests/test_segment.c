/*
 * test_segment.c — where passages begin and end.
 *
 * fw_normalize_mapped() must give fw_normalize()'s code points and, for
 * each, the byte of the character it came from (ASCII, CJK, full-width
 * forms, expansions, 4-byte characters, invalid bytes, composed sequences).
 * fw_segment() must tile the normalized text with passages that follow the
 * rules at the top of src/segment.c: cuts at line breaks and sentence ends
 * (closing quotes kept, decimal points not cuts), short pieces merged
 * forward, a leftover and a closing line back, a heading forward, white
 * space trimmed, and long runs cut where the text says, so that a copy
 * with other text before it is cut alike.
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

/* fw_normalize_mapped()'s output for one text. */
typedef struct mapped {
    uint32_t *cps, *offsets;
    size_t cps_cap, offsets_cap, n;
} mapped;

static void map_text(mapped *m, const char *text, size_t len)
{
    assert_int_equal(fw_normalize_mapped(nz, text, len, &m->cps, &m->cps_cap, &m->n, NULL,
                                         &m->offsets, &m->offsets_cap),
                     FW_OK);
}

static void free_mapped(mapped *m)
{
    free(m->cps);
    free(m->offsets);
}

/* Normalizes `text` (NUL-terminated) and cuts it into passages. */
static size_t segment(const char *text, mapped *m, unsigned min_chars, unsigned max_chars,
                      fw_span **spans)
{
    size_t len = strlen(text), cap = 0, count = 99;
    map_text(m, text, len);
    *spans = NULL;
    assert_int_equal(fw_segment(text, len, m->cps, m->offsets, m->n, min_chars, max_chars,
                                spans, &cap, &count),
                     FW_OK);
    return count;
}

static size_t put_str(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + len, s, n);
    return len + n;
}

/* n random CJK ideographs (none of them a break or punctuation). */
static size_t put_ideographs(char *buf, size_t len, size_t n)
{
    for (size_t i = 0; i < n; i++) len += fw_utf8_encode(buf + len, 0x4E00 + (uint32_t)(rng() % 20000));
    return len;
}

/* ------------------------------------------------------------ offsets */

/* Checks the code points and offsets of `text`, and that they are the
 * code points fw_normalize() gives. */
static void expect_mapping(const char *text, const uint32_t *want_cps, const uint32_t *want_offsets,
                           size_t want_n)
{
    mapped m = {0};
    uint32_t *plain = NULL;
    size_t plain_cap = 0, plain_n;
    map_text(&m, text, strlen(text));
    assert_int_equal(fw_normalize(nz, text, strlen(text), &plain, &plain_cap, &plain_n, NULL), FW_OK);
    assert_int_equal(m.n, want_n);
    assert_int_equal(plain_n, want_n);
    for (size_t i = 0; i < want_n; i++) {
        if (m.cps[i] != want_cps[i] || m.offsets[i] != want_offsets[i] || plain[i] != want_cps[i])
            fail_msg("\"%s\" code point %zu: got U+%04X at %u (fw_normalize U+%04X), "
                     "want U+%04X at %u",
                     text, i, m.cps[i], m.offsets[i], plain[i], want_cps[i], want_offsets[i]);
    }
    free(plain);
    free_mapped(&m);
}

#define EXPECT_MAPPING(text, cps, offsets)                                                  \
    do {                                                                                    \
        _Static_assert(sizeof(cps) == sizeof(offsets), "one offset per code point");        \
        expect_mapping(text, cps, offsets, sizeof(cps) / sizeof *(cps));                    \
    } while (0)

static void test_offsets_ascii_cjk_and_full_width(void **state)
{
    (void)state;
    /* spaces and punctuation are dropped, their bytes skipped; case folded */
    const uint32_t ascii_cps[] = {'h', 'i', 0x4F60, 0x597D, 'w', 'o', 'r', 'l', 'd'};
    const uint32_t ascii_offsets[] = {0, 1, 4, 7, 11, 12, 13, 14, 15};
    EXPECT_MAPPING("Hi, 你好 world!", ascii_cps, ascii_offsets);

    /* ＡＢＣ are 3 bytes each and become abc; ， is dropped */
    const uint32_t wide_cps[] = {'a', 'b', 'c', 0x4E2D, 0x6587};
    const uint32_t wide_offsets[] = {0, 3, 6, 12, 15};
    EXPECT_MAPPING("ＡＢＣ，中文", wide_cps, wide_offsets);
}

static void test_offsets_expansions_long_and_invalid(void **state)
{
    (void)state;
    /* ﬁ expands to two code points, both from byte 1 */
    const uint32_t fi_cps[] = {'x', 'f', 'i', 'x'};
    const uint32_t fi_offsets[] = {0, 1, 1, 4};
    EXPECT_MAPPING("xﬁx", fi_cps, fi_offsets);

    /* U+20000 is 4 bytes: what follows it is 4 bytes on */
    const uint32_t wide_cps[] = {'a', 0x20000, 'b'};
    const uint32_t wide_offsets[] = {0, 1, 5};
    EXPECT_MAPPING("a\xF0\xA0\x80\x80" "b", wide_cps, wide_offsets);

    /* a bad byte and a truncated 3-byte sequence each give one U+FFFD at
     * their first byte */
    const uint32_t bad_cps[] = {'a', 0xFFFD, 'b', 0xFFFD, 'c'};
    const uint32_t bad_offsets[] = {0, 1, 2, 3, 5};
    EXPECT_MAPPING("a\xFF" "b\xE4\xB8" "c", bad_cps, bad_offsets);
}

static void test_offsets_of_composed_characters(void **state)
{
    (void)state;
    /* e + U+0301 composes to é, from the byte of the e */
    const uint32_t acute_cps[] = {'x', 0xE9, 'y'};
    const uint32_t acute_offsets[] = {0, 1, 4};
    EXPECT_MAPPING("xe\xCC\x81y", acute_cps, acute_offsets);

    /* ᄀ + ᅡ + ᆨ compose to the syllable 각, from the byte of ᄀ */
    const uint32_t jamo_cps[] = {0x4E2D, 0xAC01, 0x6587};
    const uint32_t jamo_offsets[] = {0, 3, 12};
    EXPECT_MAPPING("中\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8文", jamo_cps, jamo_offsets);

    /* か + the voicing mark compose to が */
    const uint32_t kana_cps[] = {'x', 0x304C};
    const uint32_t kana_offsets[] = {0, 1};
    EXPECT_MAPPING("xか\xE3\x82\x99", kana_cps, kana_offsets);

    /* one combining mark sends the whole text the composing way: the
     * expansion, full-width letter and dropped punctuation around it must
     * keep their offsets there too */
    const uint32_t mixed_cps[] = {'f', 'i', 'a', 0xE9, 0x4E2D};
    const uint32_t mixed_offsets[] = {0, 0, 4, 7, 13};
    EXPECT_MAPPING("ﬁ Ａe\xCC\x81。中", mixed_cps, mixed_offsets);

    /* a mark after a line break or a space (both dropped) is traced to its
     * own bytes, not to theirs: it is on the next line */
    const uint32_t after_break_cps[] = {'a', 0x3099, 'b', 0x0301, 'c'};
    const uint32_t after_break_offsets[] = {0, 2, 5, 7, 9};
    EXPECT_MAPPING("a\n\xE3\x82\x99" "b \xCC\x81" "c", after_break_cps, after_break_offsets);
}

/* Random strings of characters that expand, compose or are dropped: the
 * same code points as fw_normalize, offsets in order, in range and each at
 * the first byte of a character. */
static void test_offsets_on_random_text(void **state)
{
    (void)state;
    enum { BAD_BYTE = 0xFFFFFFFFu };
    static const uint32_t pool[] = {
        'a', 'Q', 'z', ' ', ' ', 0x3002 /* 。 */, 0xFF0C /* ， */, 0x4E2D, 0x6587,
        0x0301, 0x0308, 0x1100, 0x1161, 0x11A8, 0x11A7 /* no T, see normalize.c */,
        0xFB01 /* ﬁ */, 0xFF21 /* Ａ */,
        0x3099 /* voicing mark */, 0x304B /* か */, 0x20000, BAD_BYTE};
    rng_state = 11;
    mapped m = {0};
    uint32_t *plain = NULL;
    size_t plain_cap = 0, plain_n;
    for (int t = 0; t < 2000; t++) {
        char text[40 * 4 + 1];
        size_t len = 0;
        int n = 1 + (int)(rng() % 40);
        for (int i = 0; i < n; i++) {
            uint32_t cp = pool[rng() % (sizeof pool / sizeof *pool)];
            if (cp == BAD_BYTE) text[len++] = (char)0xFF;
            else len += fw_utf8_encode(text + len, cp);
        }
        map_text(&m, text, len);
        assert_int_equal(fw_normalize(nz, text, len, &plain, &plain_cap, &plain_n, NULL), FW_OK);
        assert_int_equal(m.n, plain_n);
        assert_memory_equal(m.cps, plain, plain_n * sizeof *plain);
        for (size_t i = 0; i < m.n; i++) {
            uint32_t at = m.offsets[i];
            if (at >= len || ((unsigned char)text[at] & 0xC0) == 0x80 ||
                (i && at < m.offsets[i - 1])) {
                fprintf(stderr, "text %d (%zu bytes):", t, len);
                for (size_t k = 0; k < len; k++) fprintf(stderr, " %02X", (unsigned char)text[k]);
                fprintf(stderr, "\noffsets:");
                for (size_t k = 0; k < m.n; k++) fprintf(stderr, " %u", m.offsets[k]);
                fail_msg("offset %zu = %u: out of range, inside a character or out of order", i,
                         at);
            }
        }
    }
    free(plain);
    free_mapped(&m);
}

/* ------------------------------------------------------------- tiling */

/* Bytes of white space at s[i] (ASCII or U+3000), 0 if none. */
static size_t space_at(const char *s, size_t i, size_t len)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (i + 3 <= len && memcmp(s + i, "\xE3\x80\x80", 3) == 0) return 3;
    return 0;
}

/* Is s[a, b) white space only? */
static int all_space(const char *s, size_t a, size_t b)
{
    while (a < b) {
        size_t k = space_at(s, a, b);
        if (!k) return 0;
        a += k;
    }
    return 1;
}

/* The invariants every segmentation must keep (see fw_segment in
 * fanwen.h): the spans tile the code points in order, their bytes are in
 * order and cover every code point's source byte, every passage has
 * min_chars or the whole text is one short passage, and passages are
 * trimmed. The texts given here have a code point on every line, so only
 * white space may lie between passages (a line of punctuation alone would
 * be skipped). */
static void check_tiling(const char *text, size_t len, const mapped *m, const fw_span *s,
                         size_t count, unsigned min_chars)
{
    if (m->n == 0) {
        assert_int_equal(count, 0);
        return;
    }
    assert_true(count >= 1);
    if (m->n < min_chars) assert_int_equal(count, 1);
    assert_int_equal(s[0].cp_start, 0);
    assert_int_equal(s[count - 1].cp_end, m->n);
    assert_true(all_space(text, 0, s[0].byte_start));
    assert_true(all_space(text, s[count - 1].byte_end, len));
    for (size_t i = 0; i < count; i++) {
        assert_true(s[i].cp_start < s[i].cp_end);
        if (m->n >= min_chars) assert_true(s[i].cp_end - s[i].cp_start >= min_chars);
        assert_true(s[i].byte_start < s[i].byte_end);
        assert_true(s[i].byte_end <= len);
        assert_true(s[i].byte_start <= m->offsets[s[i].cp_start]);
        assert_true(s[i].byte_end > m->offsets[s[i].cp_end - 1]);
        /* trimmed: no white space at either end */
        assert_int_equal(space_at(text, s[i].byte_start, len), 0);
        assert_false(all_space(text, s[i].byte_end - 1, s[i].byte_end));
        if (s[i].byte_end >= 3)
            assert_false(memcmp(text + s[i].byte_end - 3, "\xE3\x80\x80", 3) == 0);
        if (i + 1 < count) {
            assert_int_equal(s[i].cp_end, s[i + 1].cp_start);
            assert_true(s[i].byte_end <= s[i + 1].byte_start);
            assert_true(all_space(text, s[i].byte_end, s[i + 1].byte_start));
        }
    }
}

static void test_passages_tile_random_text(void **state)
{
    (void)state;
    static const char *const ends[] = {"。", "！", "？", "；", ""};
    static const char *const after[] = {"", "", "\n", "\n\n", "\n  ", "\n\xE3\x80\x80\xE3\x80\x80",
                                        "  ", "\xE3\x80\x80", "\n \n\t"};
    enum { MIN = 50, MAX = 400 };
    rng_state = 5;
    char *text = malloc(1 << 16);
    size_t passages = 0, long_units = 0;
    for (int t = 0; t < 600; t++) {
        size_t len = 0;
        if (rng() % 4 == 0) len = put_str(text, len, rng() % 2 ? "  " : "\xE3\x80\x80\xE3\x80\x80");
        int sentences = (int)(rng() % 30);
        /* a quarter of the texts are lists without full stops or line
         * breaks, whose long units must be cut by content */
        int sparse = rng() % 4 == 0;
        size_t run = 0; /* characters since the last break */
        for (int i = 0; i < sentences; i++) {
            size_t n = 5 + rng() % 116;
            len = put_ideographs(text, len, n);
            const char *end = ends[rng() % 5], *sep = after[rng() % 9];
            if (sparse && rng() % 8) end = "", sep = "";
            len = put_str(text, len, end);
            len = put_str(text, len, sep);
            run += n;
            if (run > MAX) long_units++;
            if (*end || strchr(sep, '\n')) run = 0;
        }
        text[len] = '\0';
        mapped m = {0};
        fw_span *s;
        size_t count = segment(text, &m, MIN, MAX, &s);
        check_tiling(text, len, &m, s, count, MIN);
        passages += count;
        free(s);
        free_mapped(&m);
    }
    /* the texts must have exercised many passages and the long-unit cuts */
    assert_true(passages > 1000);
    assert_true(long_units > 20);
    free(text);
}

static void test_empty_text_has_no_passages(void **state)
{
    (void)state;
    const char *const texts[] = {"", " \n\n\t", "。，！\n——\n", "\xE3\x80\x80\xE3\x80\x80"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        mapped m = {0};
        fw_span *s;
        assert_int_equal(segment(texts[i], &m, 50, 400, &s), 0);
        assert_int_equal(m.n, 0);
        free(s);
        free_mapped(&m);
    }
}

/* ------------------------------------------------------------- rules */

/* Byte offset of the first `needle` in text at or after `from`. */
static uint64_t find(const char *text, size_t from, const char *needle)
{
    const char *p = strstr(text + from, needle);
    if (!p) fail_msg("\"%s\" not in the text", needle);
    return (uint64_t)(p - text);
}

/* Span s must start at `first` (found at or after `from`) and end just
 * after the next `last`, with code points [cp_start, cp_end). Returns
 * where it ends, to find the next span from there. */
static uint64_t expect_span(const char *text, const fw_span *s, uint64_t from, const char *first,
                            const char *last, uint32_t cp_start, uint32_t cp_end)
{
    uint64_t start = find(text, from, first);
    uint64_t end = find(text, start, last) + strlen(last);
    if (s->byte_start != start || s->byte_end != end || s->cp_start != cp_start ||
        s->cp_end != cp_end)
        fail_msg("got bytes [%llu, %llu) \"%.*s\", code points [%u, %u);\n"
                 "want bytes [%llu, %llu) \"%.*s\", code points [%u, %u)",
                 (unsigned long long)s->byte_start, (unsigned long long)s->byte_end,
                 (int)(s->byte_end - s->byte_start), text + s->byte_start, s->cp_start,
                 s->cp_end, (unsigned long long)start, (unsigned long long)end,
                 (int)(end - start), text + start, cp_start, cp_end);
    return end;
}

/* Segments with min 10, max 400 and checks the count and the invariants. */
static fw_span *segment_small(const char *text, mapped *m, size_t want_count, size_t want_cps)
{
    fw_span *s;
    size_t count = segment(text, m, 10, 400, &s);
    assert_int_equal(m->n, want_cps);
    if (count != want_count) {
        for (size_t i = 0; i < count; i++)
            print_message("  span %zu: \"%.*s\"\n", i, (int)(s[i].byte_end - s[i].byte_start),
                          text + s[i].byte_start);
        fail_msg("%zu passages, want %zu", count, want_count);
    }
    check_tiling(text, strlen(text), m, s, count, 10);
    return s;
}

/* A short line that ends no sentence is a heading: it goes forward into the
 * first passage of the paragraph after it. */
static void test_heading_goes_forward(void **state)
{
    (void)state;
    /* 第一章 3, 这是第一段的第一句话写得够长 14, 这是第二句话也写得够长了 12 */
    const char *text = "第一章\n"
                       "这是第一段的第一句话，写得够长。这是第二句话，也写得够长了。\n";
    mapped m = {0};
    fw_span *s = segment_small(text, &m, 2, 29);
    uint64_t at = expect_span(text, &s[0], 0, "第一章", "。", 0, 17);
    expect_span(text, &s[1], at, "这是第二句话", "。", 17, 29);
    free(s);
    free_mapped(&m);
}

/* A short paragraph that ends a sentence is a closing line: it goes back
 * into the passage before it. The same line without its full stop is a
 * heading and goes forward. */
static void test_closing_line_goes_back(void **state)
{
    (void)state;
    /* 14 + 14 + 就这样吧 4 + 14 */
    const char *closing = "第一段的这一句话写得足够长了。\n"
                          "第二段的这一句话也写得足够长。\n"
                          "就这样吧。\n"
                          "第三段的这一句话同样写得够长。\n";
    mapped m = {0};
    fw_span *s = segment_small(closing, &m, 3, 46);
    uint64_t at = expect_span(closing, &s[0], 0, "第一段", "。", 0, 14);
    at = expect_span(closing, &s[1], at, "第二段", "就这样吧。", 14, 32);
    expect_span(closing, &s[2], at, "第三段", "。", 32, 46);
    free(s);
    free_mapped(&m);
    m = (mapped){0};

    const char *heading = "第一段的这一句话写得足够长了。\n"
                          "第二段的这一句话也写得足够长。\n"
                          "就这样吧\n"
                          "第三段的这一句话同样写得够长。\n";
    s = segment_small(heading, &m, 3, 46);
    at = expect_span(heading, &s[0], 0, "第一段", "。", 0, 14);
    at = expect_span(heading, &s[1], at, "第二段", "。", 14, 28);
    expect_span(heading, &s[2], at, "就这样吧", "第三段的这一句话同样写得够长。", 28, 46);
    free(s);
    free_mapped(&m);
}

/* In a paragraph of several sentences: a cut at each sentence end when
 * sentences are long enough, a short one merged forward with the next, a
 * short leftover at the paragraph's end back into its last passage (not
 * forward into the next paragraph), whether or not it ends a sentence. */
static void test_sentences_of_a_paragraph(void **state)
{
    (void)state;
    /* 13, 14, 大家同意 4 + 13 + 散会 2; 12 + 以上 2; 14 */
    const char *text = "今天上午我们召开了全体会议。会议讨论了明年的工作计划安排。大家同意。"
                       "会后还进行了分组讨论和总结。散会。\n"
                       "第二段落的句子也很长很长。以上\n"
                       "第三段的这一句话同样写得够长。";
    mapped m = {0};
    fw_span *s = segment_small(text, &m, 5, 74);
    uint64_t at = expect_span(text, &s[0], 0, "今天上午", "。", 0, 13);
    at = expect_span(text, &s[1], at, "会议讨论", "。", 13, 27);
    at = expect_span(text, &s[2], at, "大家同意", "散会。", 27, 46);
    at = expect_span(text, &s[3], at, "第二段落", "以上", 46, 60);
    expect_span(text, &s[4], at, "第三段", "。", 60, 74);
    free(s);
    free_mapped(&m);
}

/* Closing quotes (and more sentence marks) stay with their sentence: the
 * cut comes after ” and after ！？”, not before. */
static void test_closing_quotes_stay_with_their_sentence(void **state)
{
    (void)state;
    /* 他说 2 + 11, 14, 她问 2 + 12, 10 */
    const char *text = "他说：“这件事情已经全部办好了。”然后大家都高高兴兴地回家去了。"
                       "她问：“你真的已经全部都做完了吗？！”他还没有全部都做完呢。";
    mapped m = {0};
    fw_span *s = segment_small(text, &m, 4, 51);
    uint64_t at = expect_span(text, &s[0], 0, "他说", "了。”", 0, 13);
    at = expect_span(text, &s[1], at, "然后", "。", 13, 27);
    at = expect_span(text, &s[2], at, "她问", "吗？！”", 27, 41);
    expect_span(text, &s[3], at, "他还没有", "。", 41, 51);
    free(s);
    free_mapped(&m);
}

/* A full stop ends a sentence only before white space or the end: "3.5" and
 * "example.com" are not cut, "year. Next" is. */
static void test_decimal_point_is_no_sentence_end(void **state)
{
    (void)state;
    /* The rate was 3 5 percent this year: 27; Next year see examplecom: 21 */
    const char *text = "The rate was 3.5 percent this year. Next year see example.com.";
    mapped m = {0};
    fw_span *s = segment_small(text, &m, 2, 48);
    uint64_t at = expect_span(text, &s[0], 0, "The", "year.", 0, 27);
    expect_span(text, &s[1], at, "Next", "com.", 27, 48);
    free(s);
    free_mapped(&m);
}

/* ASCII closing quotes stay with their sentence too: after ? ... */
static void test_ascii_quote_after_question_mark(void **state)
{
    (void)state;
    /* She asked are you really done: 24; Then we went home: 14 */
    const char *text = "She asked \"are you really done?\" Then we went home.";
    mapped m = {0};
    fw_span *s = segment_small(text, &m, 2, 38);
    uint64_t at = expect_span(text, &s[0], 0, "She", "done?\"", 0, 24);
    expect_span(text, &s[1], at, "Then", "home.", 24, 38);
    free(s);
    free_mapped(&m);
}

/* ... and after a full stop, where English puts it: the quote between the
 * stop and the space must not hide the sentence end. */
static void test_ascii_quote_after_full_stop(void **state)
{
    (void)state;
    /* He said the work is all done: 22; Then we went home: 14 */
    const char *text = "He said \"the work is all done.\" Then we went home.";
    mapped m = {0};
    fw_span *s = segment_small(text, &m, 2, 36);
    uint64_t at = expect_span(text, &s[0], 0, "He", "done.\"", 0, 22);
    expect_span(text, &s[1], at, "Then", "home.", 22, 36);
    free(s);
    free_mapped(&m);
}

/* Passages leave out white space (ASCII and U+3000) at both ends but keep
 * leading punctuation such as （ and the closing 。. */
static void test_white_space_trimmed_punctuation_kept(void **state)
{
    (void)state;
    /* 一 1 + 总则部分的第一条规定内容 12; 注 1 + 本条的解释另行发布说明 11;
     * 第二条规定的内容也很长很长 13 */
    const char *text = "  \xE3\x80\x80（一）总则部分的第一条规定内容。 \xE3\x80\x80（注）本条的解释另行发布说明。"
                       "\xE3\x80\x80 \n"
                       "\t第二条规定的内容也很长很长。  ";
    mapped m = {0};
    fw_span *s = segment_small(text, &m, 3, 38);
    uint64_t at = expect_span(text, &s[0], 0, "（一）", "。", 0, 13);
    at = expect_span(text, &s[1], at, "（注）", "。", 13, 25);
    expect_span(text, &s[2], at, "第二条", "。", 25, 38);
    free(s);
    free_mapped(&m);
}

/* ------------------------------------------------- content-defined cuts */

enum { RUN_CHARS = 3000, CUT_MIN = 50, CUT_MAX = 400 };

/* Where the passages of `text` start inside the run at byte `run_at`,
 * relative to the run's start (the run's own start left out). */
static size_t cuts_in_run(const char *text, size_t run_at, unsigned max_chars, uint64_t *cuts,
                          size_t room, fw_span **spans_out, size_t *count_out)
{
    mapped m = {0};
    fw_span *s;
    size_t count = segment(text, &m, CUT_MIN, max_chars, &s), n = 0;
    check_tiling(text, strlen(text), &m, s, count, CUT_MIN);
    for (size_t i = 0; i < count; i++)
        if (s[i].byte_start > run_at) {
            assert_true(n < room);
            cuts[n++] = s[i].byte_start - run_at;
        }
    free_mapped(&m);
    if (spans_out) {
        *spans_out = s;
        *count_out = count;
    } else {
        free(s);
    }
    return n;
}

static void test_long_run_cut_by_content(void **state)
{
    (void)state;
    rng_state = 8;
    size_t size = RUN_CHARS * 3 + 1024;
    char *run = malloc(size), *text = malloc(size);
    run[put_ideographs(run, 0, RUN_CHARS)] = '\0';

    /* alone: pieces of min to max + min characters */
    uint64_t alone[64], other[64];
    fw_span *s;
    size_t count;
    size_t n_alone = cuts_in_run(run, 0, CUT_MAX, alone, 64, &s, &count);
    assert_true(count >= RUN_CHARS / CUT_MAX);
    assert_int_equal(n_alone, count - 1);
    for (size_t i = 0; i < count; i++) {
        uint32_t chars = s[i].cp_end - s[i].cp_start;
        assert_true(chars >= CUT_MIN);
        assert_true(chars < CUT_MAX + CUT_MIN);
    }
    free(s);

    /* after a short prefix paragraph (carried into the first passage) and
     * after a long one (a passage of its own): the same cuts */
    static const char *const prefixes[] = {
        "前言一段。\n",
        "这是一段很长的前言，它自己就足够成为一个段落了，所以它单独成为一个段落，"
        "后面才是真正的正文内容，正文非常长而且没有任何标点符号。\n\n"};
    for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
        snprintf(text, size, "%s%s", prefixes[p], run);
        size_t n = cuts_in_run(text, strlen(prefixes[p]), CUT_MAX, other, 64, NULL, NULL);
        assert_int_equal(n, n_alone);
        assert_memory_equal(other, alone, n * sizeof *alone);
    }

    /* other text in the same unit (no break before the run): the cuts fall
     * back in step with the run's own once the text decides them, and stay
     * so; within the first 1000 characters here */
    const char *joined = "前面另有一段不同的文字和开头";
    snprintf(text, size, "%s%s", joined, run);
    size_t n = cuts_in_run(text, strlen(joined), CUT_MAX, other, 64, NULL, NULL);
    size_t first_same = n;
    for (size_t i = 0; i < n && first_same == n; i++)
        for (size_t j = 0; j < n_alone; j++)
            if (other[i] == alone[j]) {
                first_same = i;
                assert_int_equal(n - i, n_alone - j);
                assert_memory_equal(other + i, alone + j, (n - i) * sizeof *alone);
                break;
            }
    assert_true(first_same < n);
    assert_true(other[first_same] < 1000 * 3);
    free(run);
    free(text);
}

/* A cut inside a long unit that falls before white space leaves the white
 * space out of the passage before it, like every other passage end. */
static void test_cut_inside_a_line_leaves_out_white_space(void **state)
{
    (void)state;
    /* smallest case: "abc def" is one unit of 6, max 3 cuts it after c */
    const char *text = "abc def";
    mapped m = {0};
    fw_span *s;
    assert_int_equal(segment(text, &m, 1, 3, &s), 2);
    uint64_t at = expect_span(text, &s[0], 0, "abc", "c", 0, 3);
    expect_span(text, &s[1], at, "def", "f", 3, 6);
    free(s);
    free_mapped(&m);

    /* a list of names on one line, no punctuation: long enough to be cut
     * by content, and some cuts must fall between two names */
    rng_state = 21;
    char *list = malloc(400 * 13 + 1);
    size_t len = 0;
    for (int i = 0; i < 400; i++) {
        len = put_ideographs(list, len, 2 + rng() % 3);
        len = put_str(list, len, rng() % 2 ? " " : "\xE3\x80\x80");
    }
    list[len] = '\0';
    m = (mapped){0};
    size_t count = segment(list, &m, CUT_MIN, CUT_MAX, &s), between = 0;
    for (size_t i = 0; i + 1 < count; i++)
        between += s[i + 1].byte_start > 0 && list[s[i + 1].byte_start - 1] == ' ';
    assert_true(between > 0);
    check_tiling(list, len, &m, s, count, CUT_MIN);
    free(s);
    free_mapped(&m);
    free(list);
}

/* A cut never falls between two code points of one character: ﬁ (f, i)
 * stays whole in the passage before, whose bytes hold it. */
static void test_cut_keeps_an_expansion_whole(void **state)
{
    (void)state;
    const char *text = "abcdefgﬁxyz"; /* one unit of 12, cut at max 8 */
    mapped m = {0};
    fw_span *s;
    assert_int_equal(segment(text, &m, 3, 8, &s), 2);
    uint64_t at = expect_span(text, &s[0], 0, "abc", "ﬁ", 0, 9);
    expect_span(text, &s[1], at, "xyz", "z", 9, 12);
    check_tiling(text, strlen(text), &m, s, 2, 3);
    free(s);
    free_mapped(&m);
}

/* Lengths of the passages of `text` (min 50, max 400), 0-terminated. */
static void passage_lengths(const char *text, uint32_t *lengths, size_t room)
{
    mapped m = {0};
    fw_span *s;
    size_t count = segment(text, &m, CUT_MIN, CUT_MAX, &s);
    check_tiling(text, strlen(text), &m, s, count, CUT_MIN);
    assert_true(count < room);
    for (size_t i = 0; i < count; i++) lengths[i] = s[i].cp_end - s[i].cp_start;
    lengths[count] = 0;
    free(s);
    free_mapped(&m);
}

/* One character repeated has the same three characters before every place:
 * either every place is a cut (passages of min) or none is and the run is
 * cut at max. Most characters are of the second kind (127 in 128). */
static void test_run_without_cut_places_cut_at_max(void **state)
{
    (void)state;
    static const uint32_t every_min[] = {50, 50, 50, 50, 50, 50, 50, 50, 50, 50,
                                         50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 0};
    static const uint32_t at_max[] = {400, 400, 200, 0};
    static const uint32_t chars[] = {0x4E00, 0x4E8C, 0x4E09, 0x4E2D, 0x6587, 0x5B57};
    char *text = malloc(1000 * 3 + 1);
    size_t forced = 0;
    for (size_t c = 0; c < sizeof chars / sizeof *chars; c++) {
        size_t len = 0;
        for (int i = 0; i < 1000; i++) len += fw_utf8_encode(text + len, chars[c]);
        text[len] = '\0';
        uint32_t lengths[32];
        passage_lengths(text, lengths, 32);
        if (memcmp(lengths, at_max, sizeof at_max) == 0) forced++;
        else assert_memory_equal(lengths, every_min, sizeof every_min);
    }
    assert_true(forced >= 3);
    free(text);
}

/* max_chars 0: no limit, the long run is one passage. */
static void test_max_zero_does_not_cut(void **state)
{
    (void)state;
    rng_state = 8;
    char *run = malloc(RUN_CHARS * 3 + 1);
    size_t len = put_ideographs(run, 0, RUN_CHARS);
    run[len] = '\0';
    mapped m = {0};
    fw_span *s;
    assert_int_equal(segment(run, &m, CUT_MIN, 0, &s), 1);
    assert_int_equal(s[0].cp_start, 0);
    assert_int_equal(s[0].cp_end, RUN_CHARS);
    assert_int_equal(s[0].byte_start, 0);
    assert_int_equal(s[0].byte_end, len);
    free(s);
    free_mapped(&m);
    free(run);
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
        cmocka_unit_test(test_offsets_ascii_cjk_and_full_width),
        cmocka_unit_test(test_offsets_expansions_long_and_invalid),
        cmocka_unit_test(test_offsets_of_composed_characters),
        cmocka_unit_test(test_offsets_on_random_text),
        cmocka_unit_test(test_passages_tile_random_text),
        cmocka_unit_test(test_empty_text_has_no_passages),
        cmocka_unit_test(test_heading_goes_forward),
        cmocka_unit_test(test_closing_line_goes_back),
        cmocka_unit_test(test_sentences_of_a_paragraph),
        cmocka_unit_test(test_closing_quotes_stay_with_their_sentence),
        cmocka_unit_test(test_decimal_point_is_no_sentence_end),
        cmocka_unit_test(test_ascii_quote_after_question_mark),
        cmocka_unit_test(test_ascii_quote_after_full_stop),
        cmocka_unit_test(test_white_space_trimmed_punctuation_kept),
        cmocka_unit_test(test_long_run_cut_by_content),
        cmocka_unit_test(test_cut_inside_a_line_leaves_out_white_space),
        cmocka_unit_test(test_cut_keeps_an_expansion_whole),
        cmocka_unit_test(test_run_without_cut_places_cut_at_max),
        cmocka_unit_test(test_max_zero_does_not_cut),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
