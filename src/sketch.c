/*
 * sketch.c — one document's text to its record: everything a scan does per
 * document, on one thread.
 *
 * A JSON line is parsed first (its id replaces FILE:LINE; a line without
 * text becomes an error row). The text is normalized and classified:
 * binary when it has NUL bytes or too much that is not UTF-8 text, empty
 * when nothing is left to shingle; both are rows, not failures. The rest is
 * shingled (the template form with --template) and sketched with MinHash or
 * OPH, and with the passage level cut into passages (passage_cut.c).
 *
 * What is kept per document is its id, counters, and when pairs are
 * verified its text and LSH band keys (a candidate is shingled and
 * sketched again from its text, match.c: 8 bytes a character of hashes
 * for every document would cost more than that), else its K-value
 * signature; with the passage level also the hashes of its short lines
 * (lines.c), which are counted across documents, and its aligned text, from
 * which its passages are cut after reading (passage_prep.c, once the
 * boilerplate lines are known). Everything kept comes from the thread's
 * arena (arena.h). With a memory limit they are made
 * in scratch instead and written to spill files (spill.c), the signature
 * with them, and only the document's LSH band keys are handed back, for the
 * runs the pipeline writes in input order.
 *
 * This file takes untrusted bytes and needs neither OpenMP nor threads: it
 * is in the per-document build unit, and tests/fuzz/fuzz_sketch.c drives it
 * end to end, in memory and spilling.
 */
#include "sketch.h"
#include "aligned_pack.h"
#include "grow.h"

#include <xxhash.h>
#include "lsh.h"
#include "measure.h"
#include "sort.h"
#include "spill.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fw_doc_set_message(fw_doc_record *d, const char *fmt, ...)
{
    /* whole: a message cut at a fixed byte count lost its reason behind a
     * long path, and could end inside a character (docs.csv not UTF-8) */
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg) vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    va_end(ap);
    if (!msg) return; /* out of memory: the message it had */
    free(d->message);
    d->message = msg;
}

void fw_sketch_worker_free(fw_sketch_worker *w)
{
    free(w->cps);
    free(w->hashes);
    free(w->sig);
    free(w->packed);
    free(w->tcps);
    free(w->offs);
    free(w->toffs);
    free(w->aligned);
    free(w->lines);
    fw_passage_scratch_free(&w->passage);
    fw_jsonl_scratch_free(&w->json);
    fw_arena_free(&w->arena);
    memset(w, 0, sizeof *w);
}

/* Sorts a handful of hashes (a document's short lines). */
static void sort_few(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        for (; j && v[j - 1] > x; j--) v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Decides what a decoded text is: binary if it has NUL bytes, or if more
 * than a tenth of its characters (and at least 8) are invalid UTF-8 or
 * control codes (a GBK or Latin-1 file, an image): a short text with a
 * broken character or two is repaired, not thrown away. Empty if nothing
 * is left to shingle. */
static fw_doc_status classify(fw_doc_record *d, const fw_norm_info *info,
                              size_t chars, size_t repaired_before)
{
    size_t bad = info->invalid_sequences + info->control_bytes;
    if (info->nul_bytes) {
        fw_doc_set_message(d, "binary: %zu NUL bytes", info->nul_bytes);
        return FW_DOC_BINARY;
    }
    if (bad >= 8 && bad * 10 > info->code_points) {
        fw_doc_set_message(d, "not UTF-8 text: %zu of %zu characters invalid or control codes",
                           bad, info->code_points);
        return FW_DOC_BINARY;
    }
    if (chars == 0) {
        fw_doc_set_message(d, "%s", d->bytes ? "no letters, digits or symbols after normalization"
                                             : "no text");
        return FW_DOC_EMPTY;
    }
    size_t replaced = info->invalid_sequences + repaired_before;
    if (replaced) { /* after what the reader said (a body cut short), if anything */
        if (d->message)
            fw_doc_set_message(d, "%s; %zu invalid UTF-8 sequences replaced by U+FFFD",
                               d->message, replaced);
        else
            fw_doc_set_message(d, "%zu invalid UTF-8 sequences replaced by U+FFFD", replaced);
        return FW_DOC_REPAIRED;
    }
    return FW_DOC_OK;
}

/* A JSON line becomes its document: the id from the line (when it has one)
 * replaces FILE:LINE, and a line without text becomes an error row. */
static fw_status parse_jsonl(const fw_sketch_context *cx, fw_sketch_worker *w,
                             fw_sketch_doc *doc, fw_jsonl_doc *j)
{
    fw_doc_record *d = &doc->rec;
    fw_status st = fw_jsonl_parse(doc->text, doc->len, cx->opt->text_field, cx->opt->id_field,
                                  &w->json, j);
    if (st != FW_OK) return st;
    if (!j->text) fw_doc_set_message(d, "%s: %s", d->id, j->error);
    if (j->id && !j->id[0]) { /* an empty id names nothing: FILE:LINE stays */
        free(j->id);
        j->id = NULL;
    }
    if (j->id) {
        free(d->id);
        d->id = j->id;
        j->id = NULL;
    }
    if (!j->text) d->status = FW_DOC_ERROR;
    d->bytes = j->len;
    return FW_OK;
}

/* With a memory limit: the hashes (for exact sets) and the signature (for
 * estimates) go to their files, the band keys to the document, which the
 * pipeline hands to the LSH runs in input order. */
static fw_status spill_sketch(const fw_sketch_context *cx, fw_sketch_doc *doc,
                              const uint64_t *hashes, size_t n, const uint32_t *sig)
{
    fw_doc_record *d = &doc->rec;
    const unsigned k = cx->opt->perms;
    fw_status st = FW_OK;
    if (cx->opt->verify)
        st = fw_spill_append(cx->hashes_file, hashes, n * sizeof *hashes, &d->hashes_at);
    if (st == FW_OK)
        st = fw_spill_write_at(cx->sigs_file, sig, k * sizeof *sig,
                               (uint64_t)doc->number * k * sizeof *sig);
    for (unsigned b = 0; b < cx->bands; b++)
        doc->keys[b] = fw_lsh_band_key64(sig, b, cx->rows);
    doc->keyed = 1;
    return st;
}

/* The passage level's share of reading: the text kept (in the arena, or
 * with a memory limit appended to its file), the sorted, distinct hashes
 * of its short lines, and in memory without --template its normalized
 * code points and their offsets, which passages are cut from and aligned
 * on (passage_prep.c, which otherwise makes them again). */
static fw_status keep_for_passages(const fw_sketch_context *cx, fw_sketch_worker *w,
                                   fw_doc_record *d, const char *text, size_t len)
{
    size_t n;
    fw_status st = fw_lines_find(text, len, w->cps, w->offs, d->chars, cx->passages->min_chars,
                                 cx->opt->seed, &w->lines, &w->lines_cap, &n);
    if (st != FW_OK) return st;
    if (n) {
        uint64_t *h = fw_arena_alloc(&w->arena, n * sizeof *h);
        if (!h) return FW_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) h[i] = w->lines[i].hash;
        sort_few(h, n);
        d->nlines = (uint32_t)fw_unique_u64(h, n);
        d->line_hashes = h;
    }
    if (cx->text_file) return fw_spill_append(cx->text_file, text, len, &d->text_at);
    if (!(d->text = fw_arena_alloc(&w->arena, len ? len : 1))) return FW_ERR_NOMEM;
    memcpy(d->text, text, len);
    if (cx->tmpl || !d->chars) return FW_OK;
    uint32_t flags;
    unsigned char *mem =
        fw_arena_alloc(&w->arena, fw_aligned_packed_size(w->cps, w->offs, d->chars, &flags));
    if (!mem) return FW_ERR_NOMEM;
    fw_aligned_pack(w->cps, w->offs, d->chars, flags, mem);
    d->aligned = mem;
    d->naligned = (uint32_t)d->chars;
    return FW_OK;
}

/* The clock now; the time since `since` added to *stage. */
static double lap(double since, double *stage)
{
    double now = fw_now();
    *stage += now - since;
    return now;
}

/* Normalizes, shingles and sketches one document's text (and, with the
 * passage level, cuts it into passages); t0 is when this document's work
 * began, after JSON parsing. */
static fw_status sketch_text(const fw_sketch_context *cx, fw_sketch_worker *w,
                             fw_sketch_doc *doc, const char *text, size_t len, size_t repaired,
                             fw_sketch_times *timed, double t0)
{
    fw_doc_record *d = &doc->rec;
    d->text_hash = XXH3_64bits(text, len);
    const int bounded = cx->sigs_file != NULL;
    size_t chars;
    fw_norm_info info;
    /* the passage level's short lines need to know where each character
     * came from */
    const int passages = cx->passages && len <= UINT32_MAX;
    fw_status st = passages ? fw_normalize_mapped(cx->normalizer, text, len, &w->cps,
                                                  &w->cps_cap, &chars, &info, &w->offs,
                                                  &w->offs_cap)
                            : fw_normalize(cx->normalizer, text, len, &w->cps, &w->cps_cap,
                                           &chars, &info);
    if (st != FW_OK) return st;
    double t1 = timed ? lap(t0, &timed->normalize) : 0;
    d->status = classify(d, &info, chars, repaired);
    if (d->status != FW_DOC_OK && d->status != FW_DOC_REPAIRED) return FW_OK;
    d->chars = chars;
    const uint32_t *cps = w->cps;
    if (cx->tmpl) { /* --template: shingle the template form */
        st = fw_template_apply(cx->tmpl, w->cps, d->chars, &w->tcps, &w->tcps_cap, &chars);
        if (st != FW_OK) return st;
        cps = w->tcps;
    }
    size_t n = fw_shingle_count(chars, cx->opt->ngram);
    unsigned k = cx->opt->perms;
    /* The hashes are made in scratch: with a memory limit they and the
     * signature are written to their files; else, when pairs are verified,
     * the text is kept instead (the few documents that become candidates
     * are shingled again from it, match.c, instead of every document
     * keeping 8 bytes a character of hashes) with the band keys (their
     * signatures are made again too); unverified, the signature is kept. */
    const int keys_only = !bounded && cx->opt->verify;
    size_t keep_sig = bounded || keys_only ? 0 : k;
    uint64_t *band_keys = NULL;
    if (keys_only && !(band_keys = fw_arena_alloc(&w->arena, cx->bands * sizeof *band_keys)))
        return FW_ERR_NOMEM;
    uint32_t *sig = NULL;
    if (keep_sig && !(sig = fw_arena_alloc(&w->arena, keep_sig * sizeof *sig)))
        return FW_ERR_NOMEM;
    if (!(w->hashes = fw_grow_scratch(w->hashes, &w->hashes_cap, n * sizeof *w->hashes)) ||
        (!keep_sig && !(w->sig = fw_grow_scratch(w->sig, &w->sig_cap, k * sizeof *w->sig))) ||
        !(w->packed = fw_grow_scratch(w->packed, &w->packed_cap,
                                      fw_shingle_packed_size(chars))))
        return FW_ERR_NOMEM;
    uint64_t *hashes = w->hashes; /* scratch: never kept (see above) */
    n = fw_shingle_hash_all(cps, chars, cx->opt->ngram, cx->opt->seed, hashes, w->packed);
    d->nshingles = n;
    if (keep_sig) d->sig = sig;
    else sig = w->sig;
    double t2 = timed ? lap(t1, &timed->shingle) : 0;
    if (cx->oph)
        fw_oph_compute(cx->oph, hashes, n, sig);
    else
        fw_minhash_compute(cx->minhasher, hashes, n, sig);
    double t3 = timed ? lap(t2, &timed->minhash) : 0;
    if (keys_only) {
        for (unsigned b = 0; b < cx->bands; b++)
            band_keys[b] = fw_lsh_band_key64(sig, b, cx->rows);
        d->band_keys = band_keys;
    }
    if (bounded) {
        st = spill_sketch(cx, doc, hashes, n, sig);
        if (st != FW_OK) return st;
    }
    if (!passages) {
        if (!(cx->keep_text || keys_only) || bounded) return FW_OK;
        if (!(d->text = fw_arena_alloc(&w->arena, len ? len : 1))) return FW_ERR_NOMEM;
        memcpy(d->text, text, len);
        return FW_OK;
    }
    st = keep_for_passages(cx, w, d, text, len);
    if (timed) lap(t3, &timed->passage_cut);
    return st;
}

fw_status fw_sketch_document(const fw_sketch_context *cx, fw_sketch_worker *w,
                             fw_sketch_doc *doc)
{
    fw_doc_record *d = &doc->rec;
    fw_sketch_clock *c = &w->clock;
    fw_sketch_times *timed = &c->big;
    if (doc->len < FW_TIME_ALL_BYTES) {
        c->small_bytes += doc->len;
        timed = doc->number % FW_TIME_EVERY == 0 ? &c->sampled : NULL;
        if (timed) c->sampled_bytes += doc->len;
    }
    double t0 = timed ? fw_now() : 0;
    if (!doc->jsonl) return sketch_text(cx, w, doc, doc->text, doc->len, 0, timed, t0);
    fw_jsonl_doc j = {0};
    fw_status st = parse_jsonl(cx, w, doc, &j);
    if (st == FW_OK && d->status != FW_DOC_ERROR) {
        double tp = timed ? lap(t0, &timed->parse) : 0;
        st = sketch_text(cx, w, doc, j.text, j.len, j.repaired, timed, tp);
    }
    fw_jsonl_done(&j); /* the parsed text is used up to here */
    return st;
}

const char *fw_sketch_name(fw_sketch sketch)
{
    return sketch == FW_SKETCH_OPH ? "oph" : "minhash";
}

void fw_sketch_clock_add(fw_sketch_clock *sum, const fw_sketch_clock *c)
{
    const fw_sketch_times *from[2] = {&c->big, &c->sampled};
    fw_sketch_times *to[2] = {&sum->big, &sum->sampled};
    for (int i = 0; i < 2; i++) {
        to[i]->parse += from[i]->parse;
        to[i]->normalize += from[i]->normalize;
        to[i]->shingle += from[i]->shingle;
        to[i]->minhash += from[i]->minhash;
        to[i]->passage_cut += from[i]->passage_cut;
    }
    sum->small_bytes += c->small_bytes;
    sum->sampled_bytes += c->sampled_bytes;
}

fw_sketch_times fw_sketch_clock_times(const fw_sketch_clock *c)
{
    const double k = c->sampled_bytes ? (double)c->small_bytes / (double)c->sampled_bytes : 0;
    const fw_sketch_times *b = &c->big, *s = &c->sampled;
    return (fw_sketch_times){b->parse + k * s->parse, b->normalize + k * s->normalize,
                             b->shingle + k * s->shingle, b->minhash + k * s->minhash,
                             b->passage_cut + k * s->passage_cut};
}
