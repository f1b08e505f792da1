/*
 * passage_cut.c — recycled passages, per document: a document's text cut
 * into passages and each passage sketched, once reading is done.
 *
 * Whole-document Jaccard misses a report that copies half of its text from
 * three others (J may be 0.2 with each). So each document is also cut into
 * passages of a few sentences (segment.c), and passages go through the same
 * machinery as documents, on a smaller scale. Each passage is sketched by a
 * short MinHash (bands·rows permutations) of its character 3-grams, kept
 * with a one-line excerpt for the reports; then the passages of all
 * documents are matched (passage_match.c) and verified by aligning their
 * characters. Cutting waits for the end of reading because the short lines
 * found in many documents (lines.c) are taken out first
 * (fw_passages_cut_text), so that a site's breadcrumb does not weld onto
 * the paragraph under it.
 *
 * Why 3-grams, when documents use 5: a reworded copy edits a character in
 * ten, and each edit breaks n n-grams. At 20% of characters edited a
 * passage keeps (0.8)^5 = 33% of its 5-grams but (0.8)^3 = 51% of its
 * 3-grams, Jaccard 0.20 against 0.34, which banding can still catch without
 * drowning in chance pairs; verification is by alignment, not by the sets,
 * so the candidates may be lenient (bench/README.md has the measurements).
 *
 * This file reads the document's bytes (the cut, the excerpts) and needs no
 * OpenMP: it is per-document code, built and fuzzed with the sketch stage
 * (tests/fuzz/fuzz_sketch.c).
 */
#include "passage_cut.h"
#include "grow.h"
#include "passage_stop.h"
#include "segment.h"
#include "sort.h"
#include "spill.h"

#include <stdlib.h>
#include <string.h>

void fw_passage_scratch_free(fw_passage_scratch *sc)
{
    free(sc->spans);
    free(sc->hashes);
    free(sc->packed);
    free(sc->sigs);
    memset(sc, 0, sizeof *sc);
}

/* Is a well-formed three-byte character at u (n bytes left) that is not
 * U+3000, the ideographic space? Most of Chinese: copied as it is. */
static inline int plain_three(const unsigned char *u, uint64_t n)
{
    return n >= 3 && u[0] >= 0xE1 && u[0] <= 0xEF && u[0] != 0xED && (u[1] & 0xC0) == 0x80 &&
           (u[2] & 0xC0) == 0x80 && !(u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80);
}

size_t fw_excerpt(const char *text, uint64_t start, uint64_t end, char *buf)
{
    size_t n = 0;
    int chars = 0, space = 0;
    const unsigned char *u = (const unsigned char *)text;
    for (uint64_t i = start; i < end && chars < FW_PASSAGE_TEXT_CHARS;) {
        if (!space && plain_three(u + i, end - i)) { /* what decoding and encoding give */
            memcpy(buf + n, u + i, 3);
            n += 3;
            i += 3;
            chars++;
            continue;
        }
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
    buf[n] = '\0';
    return n;
}

fw_status fw_passage_sketch(const fw_passage_config *cfg, fw_passage_scratch *sc,
                            const uint32_t *cps, size_t n, fw_passage_value *sig)
{
    const unsigned k = cfg->bands * cfg->rows;
    size_t ng = fw_shingle_count(n, FW_PASSAGE_NGRAM);
    if (!(sc->hashes = fw_grow_scratch(sc->hashes, &sc->hashes_cap, ng * sizeof *sc->hashes)) ||
        !(sc->packed = fw_grow_scratch(sc->packed, &sc->packed_cap, fw_shingle_packed_size(n))))
        return FW_ERR_NOMEM;
    ng = fw_shingle_hash_all(cps, n, FW_PASSAGE_NGRAM, cfg->seed, sc->hashes, sc->packed);
    if (cfg->stop) { /* the common ones left out, unless all are */
        size_t kept = 0;
        for (size_t g = 0; g < ng; g++)
            if (!fw_stop_gram(cfg->stop, sc->hashes[g])) sc->hashes[kept++] = sc->hashes[g];
        if (kept) ng = kept;
    }
    fw_minhash_compute(cfg->minhasher, sc->hashes, ng, sc->full);
    for (unsigned v = 0; v < k; v++) sig[v] = (fw_passage_value)sc->full[v];
    return FW_OK;
}

fw_status fw_passages_cut(const fw_passage_config *cfg, fw_passage_scratch *sc,
                          const fw_passage_doc *doc, fw_alloc_fn alloc, void *ctx,
                          void *sig_ctx, fw_passage **out, uint32_t *count)
{
    *out = NULL;
    *count = 0;
    size_t n;
    fw_status st = fw_segment_skipping(doc->text, doc->len, doc->cps, doc->offsets, doc->ncps,
                                       cfg->min_chars, cfg->max_chars, doc->skip, doc->nskip,
                                       &sc->spans, &sc->spans_cap, &n);
    if (st != FW_OK || n == 0) return st;
    unsigned k = cfg->bands * cfg->rows;
    fw_passage *ps = alloc(ctx, n * sizeof *ps);
    if (!ps) return FW_ERR_NOMEM;
    /* with a spill file, the sigs of all passages are written at once */
    if (cfg->spill && !fw_grow(&sc->sigs, &sc->sigs_cap, n * k, sizeof *sc->sigs, 256))
        return FW_ERR_NOMEM;
    size_t t = 0; /* walks the aligned code points alongside */
    for (size_t i = 0; i < n; i++) {
        const fw_span *sp = &sc->spans[i];
        fw_passage *p = &ps[i];
        memset(p, 0, sizeof *p);
        p->byte_start = (uint32_t)sp->byte_start; /* the text is under 4 GB */
        p->byte_end = (uint32_t)sp->byte_end;
        p->chars = sp->cp_end - sp->cp_start;
        /* its code points in the aligned (maybe template) form: those that
         * came from its bytes (skipped lines between passages belong to
         * none) */
        while (t < doc->naligned && doc->aligned_offsets[t] < p->byte_start) t++;
        size_t ts = t;
        while (t < doc->naligned && doc->aligned_offsets[t] < p->byte_end) t++;
        p->cstart = (uint32_t)ts;
        p->clen = (uint32_t)(t - ts);
        if (!p->clen) {
            if (cfg->spill) memset(sc->sigs + i * k, 0, k * sizeof *sc->sigs);
            continue;
        }
        fw_passage_value *sig = cfg->spill ? sc->sigs + i * k
                                           : alloc(sig_ctx, k * sizeof *p->sig);
        if (!sig) return FW_ERR_NOMEM;
        if (!cfg->spill) p->sig = sig;
        if ((st = fw_passage_sketch(cfg, sc, doc->aligned + p->cstart, p->clen, sig)) != FW_OK)
            return st;
    }
    if (cfg->spill) {
        uint64_t at;
        size_t block = (size_t)k * sizeof *sc->sigs;
        if ((st = fw_spill_append(cfg->spill, sc->sigs, n * block, &at)) != FW_OK) return st;
        for (size_t i = 0; i < n; i++) ps[i].sig_at = at + i * block;
    }
    *out = ps;
    *count = (uint32_t)n;
    return FW_OK;
}

void fw_cut_scratch_free(fw_cut_scratch *sc)
{
    free(sc->cps);
    free(sc->offs);
    free(sc->tcps);
    free(sc->toffs);
    free(sc->lines);
    fw_passage_scratch_free(&sc->passage);
    memset(sc, 0, sizeof *sc);
}

static int is_boilerplate(const fw_cut_context *cx, uint64_t hash)
{
    size_t i = fw_search_u64(cx->boilerplate, cx->nboilerplate, hash);
    return i < cx->nboilerplate && cx->boilerplate[i] == hash;
}

fw_status fw_passage_text_aligned(const fw_cut_context *cx, fw_cut_scratch *sc,
                                  const char *text, size_t len, const uint32_t **aligned,
                                  const uint32_t **aligned_offs, size_t *naligned, size_t *ncps)
{
    *naligned = *ncps = 0;
    fw_status st = fw_normalize_mapped(cx->normalizer, text, len, &sc->cps, &sc->cps_cap, ncps,
                                       NULL, &sc->offs, &sc->offs_cap);
    if (st != FW_OK || !*ncps) return st;
    *aligned = sc->cps;
    *aligned_offs = sc->offs;
    *naligned = *ncps;
    if (cx->tmpl) {
        st = fw_template_apply_mapped(cx->tmpl, sc->cps, sc->offs, *ncps, &sc->tcps,
                                      &sc->tcps_cap, naligned, &sc->toffs, &sc->toffs_cap);
        *aligned = sc->tcps;
        *aligned_offs = sc->toffs;
    }
    return st;
}

/* Has the document a boilerplate line? Unknown counts as yes. */
static int any_boilerplate_line(const fw_cut_context *cx, const fw_cut_input *in)
{
    if (!in->lines_known) return 1;
    for (size_t i = 0; i < in->nline_hashes; i++)
        if (is_boilerplate(cx, in->line_hashes[i])) return 1;
    return 0;
}

fw_status fw_passages_cut_text(const fw_passage_config *cfg, const fw_cut_context *cx,
                               fw_cut_scratch *sc, const fw_cut_input *in,
                               fw_alloc_fn alloc, void *ctx, void *sig_ctx,
                               fw_cut_result *out)
{
    memset(out, 0, sizeof *out);
    const char *text = in->text;
    const size_t len = in->len;
    if (len > UINT32_MAX) return FW_OK; /* offsets are 32-bit: no passages */
    size_t ncps, naligned, nlines = 0;
    const uint32_t *aligned = NULL, *aligned_offs = NULL, *cps, *offs;
    fw_status st = FW_OK;
    if (in->cps && !cx->tmpl) { /* normalized while reading */
        cps = aligned = in->cps;
        offs = aligned_offs = in->offsets;
        ncps = naligned = in->ncps;
    } else {
        st = fw_passage_text_aligned(cx, sc, text, len, &aligned, &aligned_offs, &naligned,
                                     &ncps);
        cps = sc->cps;
        offs = sc->offs;
    }
    if (st != FW_OK || !ncps) return st;
    if (any_boilerplate_line(cx, in))
        st = fw_lines_find(text, len, cps, offs, ncps, cfg->min_chars, cx->seed, &sc->lines,
                           &sc->lines_cap, &nlines);
    if (st != FW_OK) return st;
    size_t nskip = 0; /* the boilerplate ones, in place */
    for (size_t i = 0; i < nlines; i++)
        if (is_boilerplate(cx, sc->lines[i].hash)) sc->lines[nskip++] = sc->lines[i];
    fw_passage_doc pd = {text, len, cps, offs, ncps, aligned, aligned_offs, naligned,
                         sc->lines, nskip};
    st = fw_passages_cut(cfg, &sc->passage, &pd, alloc, ctx, sig_ctx, &out->passages,
                         &out->npassages);
    out->aligned = aligned;
    out->aligned_offsets = aligned_offs;
    out->naligned = naligned;
    out->skipped = sc->lines;
    out->nskipped = nskip;
    return st;
}
