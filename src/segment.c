/*
 * segment.c — a document cut into passages of a few sentences.
 *
 * Copies are rarely whole: a report takes paragraphs from three others, a
 * page wraps a report in its site's text. To see that, documents are cut
 * into passages, and a copied passage must be cut the same way in the copy
 * as in the source, whatever surrounds it. So every cut is decided by the
 * text next to it, never by a count from the start of the document:
 *
 *   1. Units: the text is cut after every line break and every sentence end
 *      (。！？；｡!?; and a full stop before white space, as in ". " or
 *      '." '), closing quotes and brackets staying with their sentence. A unit longer than `max_chars` (a list with no full
 *      stops, text without punctuation) is cut where a hash of the three
 *      characters before the cut is 0 mod 128, at least `min_chars` apart
 *      (content-defined, so a copy with other text before it is cut alike),
 *      or at `max_chars` when no such place comes; never between two code
 *      points of one character (ﬁ → fi), whose bytes cannot be split.
 *   2. Passages: units shorter than `min_chars` are merged forward with the
 *      next ones until the passage is long enough. What is still short at
 *      the end of a paragraph goes back into the paragraph's last passage;
 *      a whole paragraph that is short goes back into the passage before it
 *      if it ends a sentence (a closing line), forward into the next one if
 *      it does not (a heading, a title in a list).
 *
 * Lengths are counted in normalized code points (what shingles are made
 * of: no spaces or punctuation), and passages tile them: every code point
 * of the document is in exactly one passage, but for the lines a caller
 * asks to skip (boilerplate lines, lines.c), which are taken out before
 * the passages are made and so glue onto nothing. Byte ranges come from the
 * offsets that fw_normalize_mapped() gives: a passage starts at the first
 * byte of its first character and ends after its last unit's text, its
 * closing punctuation included and trailing white space left out.
 */
#include "segment.h"
#include "break_scan.h"
#include "grow.h"
#include "mix.h"

#include <stdlib.h>
#include <string.h>

typedef struct unit {
    uint32_t cp_start, cp_end;
    uint64_t byte_start, byte_end;
    unsigned ends_sentence : 1; /* closed by a full stop (or ! ? ;) */
    unsigned ends_paragraph : 1;
} unit;

static size_t closer(const unsigned char *s, size_t n);

/* Length of the sentence-ending mark at s (0 if none). */
static size_t sentence_end(const unsigned char *s, size_t n)
{
    if (s[0] == '!' || s[0] == '?' || s[0] == ';') return 1;
    if (s[0] == '.') { /* a full stop (before white space, closing quotes
                        * allowed), not a decimal point or a domain name */
        size_t i = 1, k;
        while (i < n && (k = closer(s + i, n - i)) != 0) i += k;
        return (i == n || s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') ? 1 : 0;
    }
    if (n < 3) return 0;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x82) return 3;      /* 。 */
    if (s[0] == 0xEF && s[1] == 0xBC &&
        (s[2] == 0x81 || s[2] == 0x9F || s[2] == 0x9B)) return 3;    /* ！？； */
    if (s[0] == 0xEF && s[1] == 0xBD && s[2] == 0xA1) return 3;      /* ｡ */
    return 0;
}

/* Length of a closing quote or bracket at s that stays with the sentence
 * before it (0 if none). */
static size_t closer(const unsigned char *s, size_t n)
{
    if (s[0] == '"' || s[0] == '\'' || s[0] == ')' || s[0] == ']') return 1;
    if (n < 3) return 0;
    if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x9D || s[2] == 0x99)) return 3; /* ” ’ */
    if (s[0] == 0xE3 && s[1] == 0x80 &&
        (s[2] == 0x8D || s[2] == 0x8F || s[2] == 0x8B || s[2] == 0x89)) return 3; /* 」』》〉 */
    if (s[0] == 0xEF && s[1] == 0xBC && s[2] == 0x89) return 3;      /* ） */
    return 0;
}

/* Start of the text at `start`, leading white space left out (ASCII white
 * space and U+3000, the ideographic space). */
static uint64_t trim_start(const unsigned char *s, uint64_t start, uint64_t end)
{
    while (start < end) {
        unsigned char c = s[start];
        if (c == ' ' || (c >= '\t' && c <= '\r')) start++;
        else if (end - start >= 3 && c == 0xE3 && s[start + 1] == 0x80 &&
                 s[start + 2] == 0x80) start += 3;
        else break;
    }
    return start;
}

/* End of the text before `end`, trailing white space left out. */
static uint64_t trim_end(const unsigned char *s, uint64_t start, uint64_t end)
{
    while (end > start) {
        unsigned char c = s[end - 1];
        if (c == ' ' || (c >= '\t' && c <= '\r')) end--;
        else if (end - start >= 3 && s[end - 3] == 0xE3 && s[end - 2] == 0x80 &&
                 s[end - 1] == 0x80) end -= 3;
        else break;
    }
    return end;
}

typedef struct unit_list {
    unit *v;
    size_t n, cap;
} unit_list;

static int push_unit(unit_list *l, unit u)
{
    if (!fw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v, 64)) return 0;
    l->v[l->n++] = u;
    return 1;
}

/* Is there a content-defined cut after code point p? */
static int cut_after(const uint32_t *cps, size_t p)
{
    uint64_t h = fw_mix64((uint64_t)cps[p - 2] << 42 ^ (uint64_t)cps[p - 1] << 21 ^ cps[p]);
    return (h & 127) == 0;
}

/* Appends a unit of code points [a, b), bytes [byte_start, byte_end); a
 * unit longer than max_chars is cut into pieces first (see the top). */
static int add_unit(unit_list *l, const unsigned char *s, const uint32_t *cps,
                    const uint32_t *offsets, uint32_t a, uint32_t b, uint64_t byte_start,
                    uint64_t byte_end, int ends_sentence, unsigned min_chars,
                    unsigned max_chars)
{
    if (max_chars && b - a > max_chars) {
        uint32_t start = a;
        for (uint32_t p = a + 2; p + 1 < b; p++) {
            uint32_t len = p + 1 - start;
            if (b - (p + 1) < min_chars) break; /* the rest is the last piece */
            if (offsets[p + 1] == offsets[p]) continue; /* inside one character */
            if ((len >= min_chars && cut_after(cps, p)) || len >= max_chars) {
                unit piece = {start, p + 1, byte_start,
                              trim_end(s, byte_start, offsets[p + 1]), 0, 0};
                if (!push_unit(l, piece)) return 0;
                start = p + 1;
                byte_start = offsets[start];
            }
        }
        a = start;
    }
    return push_unit(l, (unit){a, b, byte_start, byte_end, (unsigned)ends_sentence, 0});
}

/* Step 1: the units of the text. */
static int find_units(const unsigned char *s, size_t len, const uint32_t *cps,
                      const uint32_t *offsets, size_t ncps, unsigned min_chars,
                      unsigned max_chars, unit_list *out)
{
    size_t cp = 0;     /* first code point not yet in a unit */
    size_t i = 0, unit_start = 0;
    fw_break_scanner breaks;
    fw_break_scanner_init(&breaks, s, len, FW_BREAK_SENTENCE, FW_SIMD_AUTO);
    while ((i = fw_break_next(&breaks, i)) < len) {
        size_t brk, k;
        int sentence = 0, paragraph = 0;
        if ((k = fw_line_break(s + i, len - i)) != 0) {
            paragraph = 1;
        } else if ((k = sentence_end(s + i, len - i)) != 0) {
            sentence = 1;
            /* more marks (！？, ……。) and closing quotes stay with it */
            size_t more;
            while (i + k < len && ((more = sentence_end(s + i + k, len - i - k)) ||
                                   (more = closer(s + i + k, len - i - k))))
                k += more;
        } else { /* a '.' that ends no sentence */
            i++;
            continue;
        }
        brk = i + k;
        size_t end_cp = fw_cp_at_byte(offsets, cp, ncps, brk);
        if (end_cp > cp) {
            if (!add_unit(out, s, cps, offsets, (uint32_t)cp, (uint32_t)end_cp,
                          trim_start(s, unit_start, offsets[cp]),
                          trim_end(s, offsets[cp], brk), sentence, min_chars, max_chars))
                return 0;
            cp = end_cp;
        }
        if (paragraph && out->n) out->v[out->n - 1].ends_paragraph = 1;
        i = unit_start = brk;
    }
    if (cp < ncps &&
        !add_unit(out, s, cps, offsets, (uint32_t)cp, (uint32_t)ncps,
                  trim_start(s, unit_start, offsets[cp]), trim_end(s, offsets[cp], len), 0,
                  min_chars, max_chars))
        return 0;
    if (out->n) out->v[out->n - 1].ends_paragraph = 1;
    return 1;
}

typedef struct span_list {
    fw_span **v;
    size_t *cap, n;
} span_list;

static int emit(span_list *l, uint32_t a, uint32_t b, uint64_t byte_start, uint64_t byte_end)
{
    if (!fw_grow(l->v, l->cap, l->n + 1, sizeof **l->v, 64)) return 0;
    (*l->v)[l->n++] = (fw_span){byte_start, byte_end, a, b};
    return 1;
}

/* Grows the last passage to take in code points up to b. */
static void extend_last(span_list *l, uint32_t b, uint64_t byte_end)
{
    fw_span *last = &(*l->v)[l->n - 1];
    last->cp_end = b;
    last->byte_end = byte_end;
}

/* Drops the units inside skipped lines (sorted, whole lines: units never
 * cross a line break, so a unit is inside one or outside all). */
static void drop_skipped(unit_list *units, const fw_line *skip, size_t nskip)
{
    size_t k = 0, s = 0;
    for (size_t i = 0; i < units->n; i++) {
        const unit *u = &units->v[i];
        while (s < nskip && skip[s].cp_end <= u->cp_start) s++;
        if (s < nskip && skip[s].cp_start <= u->cp_start && u->cp_end <= skip[s].cp_end)
            continue;
        units->v[k++] = *u;
    }
    units->n = k;
}

fw_status fw_segment(const char *text, size_t len, const uint32_t *cps,
                     const uint32_t *offsets, size_t ncps, unsigned min_chars,
                     unsigned max_chars, fw_span **spans, size_t *cap, size_t *count)
{
    return fw_segment_skipping(text, len, cps, offsets, ncps, min_chars, max_chars, NULL, 0,
                               spans, cap, count);
}

fw_status fw_segment_skipping(const char *text, size_t len, const uint32_t *cps,
                              const uint32_t *offsets, size_t ncps, unsigned min_chars,
                              unsigned max_chars, const fw_line *skip, size_t nskip,
                              fw_span **spans, size_t *cap, size_t *count)
{
    *count = 0;
    if (ncps > UINT32_MAX) return FW_ERR_ARG;
    if (max_chars && max_chars < min_chars) max_chars = min_chars;
    unit_list units = {0};
    if (!find_units((const unsigned char *)text, len, cps, offsets, ncps, min_chars,
                    max_chars, &units)) {
        free(units.v);
        return FW_ERR_NOMEM;
    }
    if (nskip) drop_skipped(&units, skip, nskip);
    span_list out = {spans, cap, 0};
    int carrying = 0, emitted_in_paragraph = 0, ok = 1;
    uint32_t carry_start = 0;
    uint64_t carry_byte = 0;
    for (size_t i = 0; i < units.n && ok; i++) {
        const unit *u = &units.v[i];
        uint32_t start = carrying ? carry_start : u->cp_start;
        if (u->cp_end - start >= min_chars) {
            ok = emit(&out, start, u->cp_end, carrying ? carry_byte : u->byte_start,
                      u->byte_end);
            carrying = 0;
            emitted_in_paragraph = 1;
        } else if (!carrying) {
            carrying = 1;
            carry_start = u->cp_start;
            carry_byte = u->byte_start;
        }
        if (!u->ends_paragraph || !carrying || !ok) {
            if (u->ends_paragraph) emitted_in_paragraph = 0;
            continue;
        }
        /* a short end of a paragraph: back into the paragraph's last
         * passage, or (a whole short paragraph) back if it closes a
         * sentence and forward if it is a heading */
        if (out.n && (emitted_in_paragraph || u->ends_sentence)) {
            extend_last(&out, u->cp_end, u->byte_end);
            carrying = 0;
        }
        emitted_in_paragraph = 0;
    }
    if (ok && carrying) {
        const unit *last = &units.v[units.n - 1];
        if (out.n) extend_last(&out, last->cp_end, last->byte_end);
        else ok = emit(&out, carry_start, last->cp_end, carry_byte, last->byte_end);
    }
    free(units.v);
    *count = out.n;
    return ok ? FW_OK : FW_ERR_NOMEM;
}
