/*
 * normalize.c — UTF-8 bytes to the code points that shingles are made of.
 *
 * Two texts should match when a reader would call them the same: full-width
 * ＡＢＣ１２３ and abc123, 'Straße' and 'STRASSE', text with and without
 * spaces, punctuation or line breaks (Chinese has no spaces, and scraped
 * copies differ in exactly these). So each character goes through NFKC and
 * case folding, and what remains of categories Z* (separators), P*
 * (punctuation) and C* (controls, format, unassigned, private use) is
 * dropped. Letters, marks, digits and symbols are kept; U+FFFD, the
 * replacement for invalid bytes, is a symbol and so is kept too.
 *
 * Calling utf8proc per character costs ~100 ns; a text is millions of
 * characters. So fw_normalizer_new() asks utf8proc once for each of the
 * 65,536 characters of the Basic Multilingual Plane and stores the answer:
 * a single code point, an expansion in a pool (ﬁ → fi, ㈱ → (株) → 株), or
 * "drop". Characters outside the BMP are rare and asked one by one.
 *
 * Per-character mapping is only right where NFKC does not compose across
 * characters. Characters that can join the one before them (combining
 * marks, Hangul vowel and final jamo, kana voicing marks...) are flagged in
 * the table; a text holding one goes through utf8proc_map() whole, then
 * through the table (which leaves normalized text as it is).
 */
#include "fanwen.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define ENTRY_DROP 0xFFFFFFFFu
#define ENTRY_EXPANSION 0x80000000u /* | len << 20 | pool offset */
#define ENTRY_COMPOSES 0x40000000u  /* on a single mapping: see composes */
#define BMP 0x10000

struct fw_normalizer {
    uint32_t entry[BMP];
    uint8_t composes[BMP / 8]; /* bit set: may compose with what precedes */
    uint32_t *pool;            /* expansions */
    size_t pool_len;
};

static int category_kept(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO) ||
           (c >= UTF8PROC_CATEGORY_SM && c <= UTF8PROC_CATEGORY_SO);
}

static int composes_with_previous(uint32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    if (p->combining_class != 0) return 1;
    /* utf8proc marks characters that are the second half of a canonical
     * composition with comb_index >= 0x8000. */
    if (p->comb_index != UINT16_MAX && p->comb_index >= 0x8000) return 1;
    /* Hangul syllables compose algorithmically: L+V, LV+T. U+11A7 is no T,
     * but utf8proc 2.8 joins it to an LV syllable all the same, dropping it
     * (fixed upstream since): taken as one here too, offsets stay exact. */
    return (cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A7 && cp <= 0x11C2);
}

#define MAP_FLAGS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
                   UTF8PROC_CASEFOLD)

/* NFKC + case fold of one character, filtered by category. Returns the
 * number of code points written to out (≤ cap), or -1 if utf8proc fails. */
static long map_one(uint32_t cp, uint32_t *out, size_t cap, int *composes)
{
    utf8proc_int32_t buf[32];
    /* decompose_char only applies COMPAT/CASEFOLD with DECOMPOSE set;
     * normalize_utf32 then composes back (the C of NFKC). */
    utf8proc_ssize_t n = utf8proc_decompose_char(
        (utf8proc_int32_t)cp, buf, 32,
        (MAP_FLAGS & ~UTF8PROC_COMPOSE) | UTF8PROC_DECOMPOSE, NULL);
    if (n < 0 || n > 32) return -1;
    n = utf8proc_normalize_utf32(buf, n, MAP_FLAGS);
    if (n < 0) return -1;
    long kept = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        uint32_t c = (uint32_t)buf[i];
        if (composes && composes_with_previous(c)) *composes = 1;
        if (!category_kept(utf8proc_category((utf8proc_int32_t)c))) continue;
        if ((size_t)kept < cap) out[kept] = c;
        kept++;
    }
    return kept;
}

fw_status fw_normalizer_new(fw_normalizer **out)
{
    *out = NULL;
    fw_normalizer *nz = calloc(1, sizeof *nz);
    if (!nz) return FW_ERR_NOMEM;
    size_t pool_cap = 8192;
    nz->pool = malloc(pool_cap * sizeof *nz->pool);
    if (!nz->pool) goto nomem;
    for (uint32_t cp = 0; cp < BMP; cp++) {
        uint32_t mapped[32];
        int composes = 0;
        long n = (cp >= 0xD800 && cp <= 0xDFFF)
                     ? 0 : map_one(cp, mapped, 32, &composes);
        if (n < 0 || n > 32) n = 0; /* cannot happen with Unicode data */
        if (composes) nz->composes[cp >> 3] |= (uint8_t)(1u << (cp & 7));
        if (n == 0) {
            nz->entry[cp] = ENTRY_DROP;
        } else if (n == 1) {
            /* the flag keeps composing characters off the fast path */
            nz->entry[cp] = mapped[0] | (composes ? ENTRY_COMPOSES : 0);
        } else {
            if (nz->pool_len + (size_t)n > pool_cap) {
                pool_cap *= 2;
                uint32_t *grown = realloc(nz->pool, pool_cap * sizeof *grown);
                if (!grown) goto nomem;
                nz->pool = grown;
            }
            nz->entry[cp] = ENTRY_EXPANSION | (uint32_t)n << 20 |
                            (uint32_t)nz->pool_len;
            memcpy(nz->pool + nz->pool_len, mapped, (size_t)n * sizeof *mapped);
            nz->pool_len += (size_t)n;
        }
    }
    *out = nz;
    return FW_OK;
nomem:
    fw_normalizer_free(nz);
    return FW_ERR_NOMEM;
}

void fw_normalizer_free(fw_normalizer *nz)
{
    if (!nz) return;
    free(nz->pool);
    free(nz);
}

/* Growable output: ensure room for `extra` more code points. */
static int reserve(uint32_t **out, size_t *cap, size_t len, size_t extra)
{
    return fw_grow(out, cap, len + extra, sizeof **out, 256);
}

/* Appends the normalized form of one code point. */
static int emit(const fw_normalizer *nz, uint32_t cp, uint32_t **out,
                size_t *cap, size_t *len)
{
    if (cp < BMP) {
        uint32_t e = nz->entry[cp];
        if (e == ENTRY_DROP) return 1;
        if (!(e & ENTRY_EXPANSION)) {
            if (*len == *cap && !reserve(out, cap, *len, 1)) return 0;
            (*out)[(*len)++] = e & ~ENTRY_COMPOSES;
            return 1;
        }
        size_t n = (e >> 20) & 0x7FF, off = e & 0xFFFFF;
        if (!reserve(out, cap, *len, n)) return 0;
        memcpy(*out + *len, nz->pool + off, n * sizeof **out);
        *len += n;
        return 1;
    }
    uint32_t mapped[32];
    long n = map_one(cp, mapped, 32, NULL);
    if (n <= 0) return 1;
    if (n > 32) n = 32;
    if (!reserve(out, cap, *len, (size_t)n)) return 0;
    memcpy(*out + *len, mapped, (size_t)n * sizeof *mapped);
    *len += (size_t)n;
    return 1;
}

static int is_composing(const fw_normalizer *nz, uint32_t cp)
{
    return cp < BMP ? (nz->composes[cp >> 3] >> (cp & 7)) & 1
                    : composes_with_previous(cp);
}

/* The whole-text path for text with combining sequences: repair, let
 * utf8proc compose across characters, then filter through the table. */
static fw_status normalize_composed(const fw_normalizer *nz, const char *text,
                                    size_t len, uint32_t **out, size_t *cap,
                                    size_t *out_len)
{
    char *valid;
    size_t valid_len;
    fw_status st = fw_utf8_repair(text, len, &valid, &valid_len, NULL);
    if (st != FW_OK) return st;
    /* utf8proc treats NUL as end of string; NULs are dropped anyway. */
    for (size_t i = 0; i < valid_len; i++)
        if (valid[i] == '\0') valid[i] = ' ';
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)valid,
                                      (utf8proc_ssize_t)valid_len, &mapped,
                                      MAP_FLAGS);
    free(valid);
    if (n < 0) return n == UTF8PROC_ERROR_NOMEM ? FW_ERR_NOMEM : FW_ERR_FORMAT;
    size_t i = 0;
    *out_len = 0;
    while (i < (size_t)n) {
        uint32_t cp;
        int bad;
        i += fw_utf8_decode(mapped + i, (size_t)n - i, &cp, &bad);
        if (!emit(nz, cp, out, cap, out_len)) {
            free(mapped);
            return FW_ERR_NOMEM;
        }
    }
    free(mapped);
    return FW_OK;
}

/* Decodes a 3-byte UTF-8 sequence (most CJK text) if it is valid, without
 * a function call; 0 otherwise. */
static inline uint32_t decode3(const unsigned char *u, size_t left)
{
    if (left < 3 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80) return 0;
    uint32_t cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 |
                  (u[2] & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0; /* overlong, surrogate */
    return cp;
}

/* Grows the offsets array to the output's capacity. */
static int match_capacity(uint32_t **offs, size_t *ocap, size_t cap)
{
    if (*ocap >= cap) return 1;
    uint32_t *grown = realloc(*offs, cap * sizeof *grown);
    if (!grown) return 0;
    *offs = grown;
    *ocap = cap;
    return 1;
}

/* Offsets of a text that went the whole-text way: each cluster (a
 * character and the composing ones after it, unless it is dropped) is
 * normalized alone, so its output can be traced to its first byte.
 * Composition never crosses a cluster, so this gives the same code points
 * as the whole text did; if it ever does not, the offsets are spread
 * evenly over the text instead (still in order, still in range). */
static fw_status composed_offsets(const fw_normalizer *nz, const char *text, size_t len,
                                  size_t out_len, uint32_t **offs, size_t *ocap)
{
    if (!match_capacity(offs, ocap, out_len + 1)) return FW_ERR_NOMEM;
    const unsigned char *u = (const unsigned char *)text;
    uint32_t *cps = NULL;
    size_t ccap = 0, n = 0;
    fw_status st = FW_OK;
    for (size_t i = 0; i < len;) {
        size_t start = i, end;
        uint32_t cp;
        int bad;
        i += fw_utf8_decode(u + i, len - i, &cp, &bad);
        /* a base that gives nothing (a line break, a space, punctuation)
         * takes no marks: they are traced to their own bytes */
        int dropped = !bad && cp < BMP && nz->entry[cp] == ENTRY_DROP;
        for (end = i; end < len && !dropped;) {
            size_t step = fw_utf8_decode(u + end, len - end, &cp, &bad);
            if (bad || !is_composing(nz, cp)) break;
            end += step;
        }
        size_t got;
        if ((st = normalize_composed(nz, text + start, end - start, &cps, &ccap, &got)) != FW_OK)
            break;
        for (size_t k = 0; k < got && n + k < out_len; k++) (*offs)[n + k] = (uint32_t)start;
        n += got;
        i = end;
    }
    free(cps);
    if (st == FW_OK && n != out_len)
        for (size_t k = 0; k < out_len; k++) (*offs)[k] = (uint32_t)(k * len / out_len);
    return st;
}

/* fw_normalize and fw_normalize_mapped: one loop, inlined twice, so the
 * plain version pays nothing for offsets. */
static inline __attribute__((always_inline)) fw_status
normalize(const fw_normalizer *nz, const char *text, size_t len, uint32_t **out,
          size_t *cap, size_t *out_len, fw_norm_info *info, uint32_t **offs, size_t *ocap)
{
    fw_norm_info local;
    if (!info) info = &local;
    memset(info, 0, sizeof *info);
    *out_len = 0;
    /* Each byte gives at most one code point except through an expansion,
     * after which the room is topped up again: so the fast path below can
     * store without checking. */
    if (!reserve(out, cap, 0, len + 1)) return FW_ERR_NOMEM;
    if (offs && !match_capacity(offs, ocap, *cap)) return FW_ERR_NOMEM;
    const unsigned char *u = (const unsigned char *)text;
    uint32_t *o = *out, *off = offs ? *offs : NULL;
    size_t n = 0, i = 0, points = 0;
    int composing = 0;
    while (i < len) {
        uint32_t cp;
        int bad = 0;
        size_t at = i;
        unsigned char c0 = u[i];
        if (c0 < 0x80) {
            cp = c0;
            i++;
            if (cp < 0x20 && (cp < 0x09 || cp > 0x0D)) {
                if (cp == 0) info->nul_bytes++;
                else info->control_bytes++;
            }
        } else if ((c0 & 0xF0) == 0xE0 && (cp = decode3(u + i, len - i)) != 0) {
            i += 3;
        } else {
            i += fw_utf8_decode(u + i, len - i, &cp, &bad);
            info->invalid_sequences += (size_t)bad;
        }
        points++;
        uint32_t e = cp < BMP ? nz->entry[cp] : ENTRY_DROP;
        if (e < 0x110000) { /* one code point, composes with nothing */
            if (offs) off[n] = (uint32_t)at;
            o[n++] = e;
            continue;
        }
        if (cp < BMP && e == ENTRY_DROP && !is_composing(nz, cp)) continue;
        if (!composing && cp >= 0x80 && is_composing(nz, cp)) composing = 1;
        size_t before = n;
        if (!emit(nz, cp, out, cap, &n) || !reserve(out, cap, n, len - i + 1))
            return FW_ERR_NOMEM;
        o = *out;
        if (offs) {
            if (!match_capacity(offs, ocap, *cap)) return FW_ERR_NOMEM;
            off = *offs;
            for (size_t k = before; k < n; k++) off[k] = (uint32_t)at;
        }
    }
    info->code_points = points;
    *out_len = n;
    if (!composing) return FW_OK;
    fw_status st = normalize_composed(nz, text, len, out, cap, out_len);
    if (st == FW_OK && offs) st = composed_offsets(nz, text, len, *out_len, offs, ocap);
    return st;
}

fw_status fw_normalize(const fw_normalizer *nz, const char *text, size_t len,
                       uint32_t **out, size_t *cap, size_t *out_len,
                       fw_norm_info *info)
{
    return normalize(nz, text, len, out, cap, out_len, info, NULL, NULL);
}

fw_status fw_normalize_mapped(const fw_normalizer *nz, const char *text, size_t len,
                              uint32_t **out, size_t *cap, size_t *out_len,
                              fw_norm_info *info, uint32_t **offsets, size_t *offsets_cap)
{
    if (len > UINT32_MAX) return FW_ERR_ARG;
    return normalize(nz, text, len, out, cap, out_len, info, offsets, offsets_cap);
}
