/*
 * passage_cut.c — recycled passages, per document: each document cut into
 * passages and each passage sketched, while reading.
 *
 * Whole-document Jaccard misses a report that copies half of its text from
 * three others (J may be 0.2 with each). So each document is also cut into
 * passages of a few sentences (segment.c), and passages go through the same
 * machinery as documents, on a smaller scale. While reading, each passage's
 * shingles are a slice of its document's hashes (no second hashing); a
 * short MinHash (bands·rows permutations) is made and only its LSH band
 * keys kept, with a one-line excerpt for the reports. After reading, the
 * passages of all documents are matched (passage_match.c).
 *
 * This half reads the document's bytes (the excerpts) and needs no OpenMP:
 * it is per-document code, built and fuzzed with the rest of the sketch
 * stage (tests/fuzz/fuzz_sketch.c).
 */
#include "passage_cut.h"
#include "grow.h"
#include "spill.h"

#include <stdlib.h>
#include <string.h>

void fw_passage_scratch_free(fw_passage_scratch *sc)
{
    free(sc->spans);
    free(sc->sig);
    free(sc->keys);
    free(sc->texts);
    memset(sc, 0, sizeof *sc);
}

/* The first FW_PASSAGE_TEXT_CHARS characters of text[start, end), runs of
 * white space made one space, invalid bytes U+FFFD, controls dropped: a
 * one-line excerpt for the reports. */
static fw_status excerpt(const char *text, fw_passage *p, fw_passage_scratch *sc, int spill,
                         fw_alloc_fn alloc, void *ctx)
{
    const uint64_t start = p->byte_start, end = p->byte_end;
    char buf[FW_PASSAGE_TEXT_CHARS * 4 + 1];
    size_t n = 0;
    int chars = 0, space = 0;
    const unsigned char *u = (const unsigned char *)text;
    for (uint64_t i = start; i < end && chars < FW_PASSAGE_TEXT_CHARS;) {
        uint32_t cp;
        int bad;
        i += fw_utf8_decode(u + i, end - i, &cp, &bad);
        if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x3000) {
            space = n > 0;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F) continue;
        if (space) {
            buf[n++] = ' ';
            chars++;
            space = 0;
            if (chars == FW_PASSAGE_TEXT_CHARS) break;
        }
        n += fw_utf8_encode(buf + n, cp);
        chars++;
    }
    p->text_len = (uint32_t)n;
    if (spill) { /* gathered, written with the document's other excerpts */
        if (!fw_grow(&sc->texts, &sc->texts_cap, sc->texts_len + n, 1, 4096))
            return FW_ERR_NOMEM;
        memcpy(sc->texts + sc->texts_len, buf, n);
        p->text_at = sc->texts_len;
        sc->texts_len += n;
        return FW_OK;
    }
    if (!(p->text = alloc(ctx, n + 1))) return FW_ERR_NOMEM;
    memcpy(p->text, buf, n);
    p->text[n] = '\0';
    return FW_OK;
}

fw_status fw_passages_cut(const fw_passage_config *cfg, fw_passage_scratch *sc,
                          const fw_passage_doc *doc, fw_alloc_fn alloc, void *ctx,
                          fw_passage **out, uint32_t *count)
{
    *out = NULL;
    *count = 0;
    size_t n;
    fw_status st = fw_segment(doc->text, doc->len, doc->cps, doc->offsets, doc->ncps,
                              cfg->min_chars, cfg->max_chars, &sc->spans, &sc->spans_cap, &n);
    if (st != FW_OK || n == 0) return st;
    unsigned k = cfg->bands * cfg->rows;
    if (!sc->sig && !(sc->sig = malloc(k * sizeof *sc->sig))) return FW_ERR_NOMEM;
    fw_passage *ps = alloc(ctx, n * sizeof *ps);
    if (!ps) return FW_ERR_NOMEM;
    /* with a spill file, the keys of all passages are written at once */
    if (cfg->spill && !fw_grow(&sc->keys, &sc->keys_cap, n * cfg->bands, sizeof *sc->keys, 256))
        return FW_ERR_NOMEM;
    sc->texts_len = 0;
    size_t t = 0; /* walks the shingled code points alongside */
    for (size_t i = 0; i < n; i++) {
        const fw_span *sp = &sc->spans[i];
        fw_passage *p = &ps[i];
        memset(p, 0, sizeof *p);
        p->byte_start = sp->byte_start;
        p->byte_end = sp->byte_end;
        p->chars = sp->cp_end - sp->cp_start;
        /* its code points in the shingled (maybe template) form: those that
         * came from bytes before the next passage's first character */
        size_t ts = t;
        uint64_t next = i + 1 < n ? doc->offsets[sc->spans[i + 1].cp_start] : UINT64_MAX;
        while (t < doc->nshingled && doc->shingled_offsets[t] < next) t++;
        size_t te = t;
        if (te - ts >= cfg->ngram) {
            p->hstart = (uint32_t)ts;
            p->hlen = (uint32_t)(te - ts - cfg->ngram + 1);
        } else if (doc->nshingled < cfg->ngram && doc->nhashes) {
            p->hstart = 0; /* the whole text is one shingle */
            p->hlen = 1;
        }
        if ((st = excerpt(doc->text, p, sc, cfg->spill != NULL, alloc, ctx)) != FW_OK)
            return st;
        if (!p->hlen) {
            if (cfg->spill) memset(sc->keys + i * cfg->bands, 0, cfg->bands * sizeof *sc->keys);
            continue;
        }
        uint32_t *keys = cfg->spill ? sc->keys + i * cfg->bands
                                    : alloc(ctx, cfg->bands * sizeof *p->keys);
        if (!keys) return FW_ERR_NOMEM;
        if (!cfg->spill) p->keys = keys;
        fw_minhash_compute(cfg->minhasher, doc->hashes + p->hstart, p->hlen, sc->sig);
        fw_lsh_band_keys(sc->sig, cfg->bands, cfg->rows, keys);
    }
    if (cfg->spill) {
        uint64_t at, text_at;
        size_t block = (size_t)cfg->bands * sizeof *sc->keys;
        if ((st = fw_spill_append(cfg->spill, sc->keys, n * block, &at)) != FW_OK ||
            (st = fw_spill_append(cfg->spill, sc->texts, sc->texts_len, &text_at)) != FW_OK)
            return st;
        for (size_t i = 0; i < n; i++) {
            ps[i].keys_at = at + i * block;
            ps[i].text_at += text_at;
        }
    }
    *out = ps;
    *count = (uint32_t)n;
    return FW_OK;
}
