/*
 * fuzz_sketch.c — arbitrary bytes through the whole per-document stage of
 * a scan (src/sketch.c: JSON parsing, normalization, classification,
 * template, shingles, MinHash or OPH, the text and short lines kept for
 * the passage level; then, as a scan does after reading, src/passage_cut.c:
 * short lines found and left out, passages cut and sketched, excerpts), as
 * a plain document and as a JSON line, each in memory and spilling to
 * files as under --memory-limit. Every short line of the document counts
 * as boilerplate when its text's length is odd, so that leaving lines out
 * is fuzzed too.
 *
 * The first byte chooses parameters: bit 0 the template form (--template),
 * bit 1 OPH instead of MinHash, bits 2-3 the passage lengths (50/400,
 * 1/unlimited, 3/8, 10/20), bits 4-5 the n-gram size (1, 3, 5, 8), bit 6
 * --no-verify, bit 7 --no-passages. The rest is the text, or the JSON
 * line.
 *
 * Checked: the sketch succeeds (only memory or a spill file can fail it);
 * a record has a known status, a message unless it is `ok`, and shingles,
 * a signature and passages (when on) exactly when it has text (`ok` or
 * `repaired`); as many shingles as fw_shingle_count() says (without the
 * template), never kept in memory (the text is, when pairs are verified);
 * passages that tile its characters, with byte ranges in order inside the
 * text, shingle slices inside its hashes and one-line excerpts (valid
 * UTF-8, no control codes, no leading or double spaces). Spilling gives
 * the same record as memory: the hashes, signature, passage keys and
 * excerpts read back from the files are the ones kept in memory, and the
 * band keys handed back are those of the signature. A JSON line gives its
 * text field's document (the same hashes, signature and passages), its id
 * field's id (none when empty), or an error row saying why it has no text.
 * A broken check aborts (a crash); everything is released (leaks fail).
 */
#include "aligned_pack.h"
#include "jsonl.h"
#include "lsh.h"
#include "sketch.h"
#include "spill.h"
#include "stages_fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANDS 16          /* the documents' K values in 16 bands of 4 */
#define ROWS 4
#define PASSAGE_BANDS FW_PASSAGE_BANDS /* the passage level's banding */
#define PASSAGE_ROWS FW_PASSAGE_ROWS
#define PASSAGE_K (PASSAGE_BANDS * PASSAGE_ROWS)
#define NUMBER 2          /* the document's input number: its signature's
                           * place in the signatures' file */
#define ID "x.jsonl:1"    /* its id until a JSON line names it */

static fw_minhasher *passage_mh;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    make_stages();
    CHECK(fw_minhasher_new(PASSAGE_BANDS * PASSAGE_ROWS, 42, &passage_mh) == FW_OK);
    return 0;
}

/* One document sketched: the worker owns its record's memory. */
typedef struct sketched {
    fw_sketch_worker w;
    fw_sketch_doc doc;
    uint64_t keys[BANDS];
    fw_cut_scratch cut;
    char *text;           /* the kept text, read back when spilled */
    uint32_t *unpacked;   /* the aligned text kept packed, unpacked */
    uint64_t skipped;     /* characters in the lines left out */
} sketched;

static void *arena_alloc(void *arena, size_t size) { return fw_arena_alloc(arena, size); }

/* The passage level after reading: the kept text cut into passages, with
 * the document's own short lines as boilerplate when `skip_lines`. */
static void cut_passages(const fw_sketch_context *cx, sketched *out, int skip_lines)
{
    fw_doc_record *d = &out->doc.rec;
    if (!cx->passages || !(d->status == FW_DOC_OK || d->status == FW_DOC_REPAIRED)) return;
    const char *text = d->text;
    if (cx->text_file) {
        CHECK(!d->text && (out->text = malloc(d->bytes ? d->bytes : 1)) != NULL);
        CHECK(fw_spill_read(cx->text_file, d->text_at, out->text, d->bytes) == FW_OK);
        text = out->text;
    }
    for (uint32_t k = 1; k < d->nlines; k++) CHECK(d->line_hashes[k - 1] < d->line_hashes[k]);
    fw_cut_context cut = {cx->normalizer, cx->tmpl, skip_lines ? d->line_hashes : NULL,
                          skip_lines ? d->nlines : 0, cx->opt->seed};
    fw_cut_result r;
    fw_cut_input in = {text, d->bytes, NULL, NULL, 0, 0, NULL, 0};
    if (d->aligned) { /* kept while reading: the same passages either way */
        CHECK((out->unpacked = malloc((2 * (size_t)d->naligned + 1) * sizeof *out->unpacked)));
        fw_aligned_unpack(d->aligned, d->naligned, 0, d->naligned, out->unpacked,
                          out->unpacked + d->naligned);
        in.cps = out->unpacked;
        in.offsets = out->unpacked + d->naligned;
        in.ncps = d->naligned;
    }
    in.lines_known = 1;
    in.line_hashes = d->line_hashes;
    in.nline_hashes = d->nlines;
    CHECK(fw_passages_cut_text(cx->passages, &cut, &out->cut, &in, arena_alloc,
                               &out->w.arena, &out->w.arena, &r) == FW_OK);
    CHECK(skip_lines || r.nskipped == 0); /* none without boilerplate */
    d->passages = r.passages;
    d->npassages = r.npassages;
    d->naligned = (uint32_t)r.naligned;
    for (size_t k = 1; k < r.naligned; k++) /* offsets in order, inside the text */
        CHECK(r.aligned_offsets[k - 1] <= r.aligned_offsets[k]);
    CHECK(!r.naligned || r.aligned_offsets[r.naligned - 1] < d->bytes);
    uint64_t skipped = 0; /* the lines left out: in no passage */
    for (size_t k = 0; k < r.nskipped; k++) {
        skipped += r.skipped[k].cp_end - r.skipped[k].cp_start;
        for (uint32_t i = 0; i < d->npassages; i++)
            CHECK(d->passages[i].byte_end <= r.skipped[k].byte_start ||
                  d->passages[i].byte_start >= r.skipped[k].byte_end);
    }
    out->skipped = skipped;
}

static void sketch(const fw_sketch_context *cx, const char *text, size_t len, int jsonl,
                   sketched *out)
{
    memset(out, 0, sizeof *out);
    fw_doc_record *d = &out->doc.rec;
    CHECK((d->id = strdup(ID)) != NULL);
    d->status = FW_DOC_OK;
    d->bytes = len;
    d->cluster = -1;
    out->doc.number = NUMBER;
    out->doc.text = text;
    out->doc.len = len;
    out->doc.jsonl = jsonl;
    out->doc.keys = out->keys;
    CHECK(fw_sketch_document(cx, &out->w, &out->doc) == FW_OK);
    cut_passages(cx, out, d->bytes % 2); /* the text's length: a JSON line's text alike */
}

static void release(sketched *s)
{
    free(s->doc.rec.id);
    free(s->doc.rec.message);
    fw_sketch_worker_free(&s->w);
    fw_cut_scratch_free(&s->cut);
    free(s->text);
    free(s->unpacked);
}

static int has_text(const fw_doc_record *d)
{
    return d->status == FW_DOC_OK || d->status == FW_DOC_REPAIRED;
}

static void check_excerpt(const char *text, size_t n)
{
    CHECK(n < FW_EXCERPT_SIZE && fw_utf8_valid_prefix(text, n) == n);
    CHECK(n == 0 || text[0] != ' ');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        CHECK(c >= 0x20 && c != 0x7F);
        CHECK(!(c == ' ' && i + 1 < n && text[i + 1] == ' '));
    }
}

/* What holds for every record, in memory or spilled. */
static void check_record(const fw_sketch_context *cx, const sketched *s)
{
    const fw_doc_record *d = &s->doc.rec;
    CHECK((unsigned)d->status < FW_DOC_STATUS_COUNT);
    CHECK(d->id != NULL && (d->status == FW_DOC_OK) == (d->message == NULL));
    if (d->message) (void)strlen(d->message);
    CHECK(s->doc.keyed == (has_text(d) && cx->sigs_file != NULL));
    if (!has_text(d)) {
        CHECK(d->nshingles == 0 && !d->shingles && !d->sig);
        CHECK(d->npassages == 0 && !d->passages);
        return;
    }
    CHECK(d->chars >= 1);
    if (!cx->tmpl) CHECK(d->nshingles == fw_shingle_count(d->chars, cx->opt->ngram));
    if (!cx->passages) {
        CHECK(d->npassages == 0 && !d->passages);
        return;
    }
    CHECK(s->skipped || (d->npassages >= 1 && d->passages));
    uint64_t chars = 0, byte = 0;
    for (uint32_t i = 0; i < d->npassages; i++) {
        const fw_passage *p = &d->passages[i];
        CHECK(byte <= p->byte_start && p->byte_start < p->byte_end && p->byte_end <= d->bytes);
        CHECK(p->chars >= 1 && (uint64_t)p->cstart + p->clen <= d->naligned);
        CHECK(i == 0 || p->cstart >= d->passages[i - 1].cstart + d->passages[i - 1].clen);
        CHECK(s->skipped || i == 0 ||
              p->cstart == d->passages[i - 1].cstart + d->passages[i - 1].clen);
        CHECK(p->group == 0);
        chars += p->chars;
        byte = p->byte_end;
    }
    CHECK(chars + s->skipped == d->chars); /* the passages tile what is not left out */
    if (s->skipped || !d->npassages) return;
    const fw_passage *last = &d->passages[d->npassages - 1];
    CHECK(d->passages[0].cstart == 0 && last->cstart + last->clen == d->naligned);
}

/* In memory: hashes, signature and passage keys are in the record, and
 * the text that excerpts are made from. */
static void check_in_memory(const fw_sketch_context *cx, const sketched *s)
{
    const fw_doc_record *d = &s->doc.rec;
    if (!has_text(d)) return;
    /* the hashes are never kept in memory: when pairs are verified the
     * text is, and candidates are shingled again from it; then only the
     * band keys are kept, not the signature, which is made again too */
    const int keys_only = cx->opt->verify;
    CHECK(keys_only ? !d->sig && d->band_keys : d->sig && !d->band_keys);
    CHECK(!d->shingles);
    CHECK(!(cx->passages || keys_only) || d->text); /* kept for the passage level or the sets */
    for (uint32_t i = 0; i < d->npassages; i++) {
        const fw_passage *p = &d->passages[i];
        CHECK((p->sig != NULL) == (p->clen > 0));
        CHECK(p->byte_start <= p->byte_end && p->byte_end <= d->bytes);
        char excerpt[FW_EXCERPT_SIZE]; /* as the accessors make it */
        check_excerpt(excerpt, fw_excerpt(d->text, p->byte_start, p->byte_end, excerpt));
    }
}

/* Spilled: the same record, with what memory kept read back from the
 * files instead. */
static void check_spilled(const fw_sketch_context *cx, const sketched *mem,
                          const sketched *spilled)
{
    const fw_doc_record *a = &mem->doc.rec, *b = &spilled->doc.rec;
    CHECK(a->status == b->status && a->bytes == b->bytes && a->chars == b->chars);
    CHECK(strcmp(a->id, b->id) == 0);
    CHECK(!a->message == !b->message && (!a->message || strcmp(a->message, b->message) == 0));
    CHECK(a->nshingles == b->nshingles && a->npassages == b->npassages);
    if (!has_text(b)) return;
    CHECK(!b->shingles && !b->sig && !b->band_keys);
    uint32_t sig[K];
    CHECK(fw_spill_read(cx->sigs_file, (uint64_t)NUMBER * K * sizeof *sig, sig,
                        sizeof sig) == FW_OK);
    CHECK(!a->sig || memcmp(sig, a->sig, sizeof sig) == 0);
    for (unsigned band = 0; band < BANDS; band++) { /* in memory: kept, or the signature's */
        CHECK(spilled->keys[band] == fw_lsh_band_key64(sig, band, ROWS));
        CHECK(!a->band_keys || a->band_keys[band] == spilled->keys[band]);
    }
    if (a->shingles) { /* kept: then they are in the hashes' file */
        uint64_t *hashes = malloc((b->nshingles ? b->nshingles : 1) * sizeof *hashes);
        CHECK(hashes != NULL);
        CHECK(fw_spill_read(cx->hashes_file, b->hashes_at, hashes,
                            b->nshingles * sizeof *hashes) == FW_OK);
        CHECK(memcmp(hashes, a->shingles, b->nshingles * sizeof *hashes) == 0);
        free(hashes);
    }
    CHECK(a->naligned == b->naligned && a->nlines == b->nlines);
    CHECK(!a->nlines || memcmp(a->line_hashes, b->line_hashes, a->nlines * 8) == 0);
    if (cx->text_file) /* the text read back is the text kept */
        CHECK(spilled->text && memcmp(spilled->text, a->text, a->bytes) == 0);
    for (uint32_t i = 0; i < b->npassages; i++) {
        const fw_passage *p = &a->passages[i], *q = &b->passages[i];
        CHECK(p->byte_start == q->byte_start && p->byte_end == q->byte_end);
        CHECK(p->chars == q->chars && p->cstart == q->cstart && p->clen == q->clen);
        CHECK(!q->sig);
        fw_passage_value psig[PASSAGE_K], none[PASSAGE_K] = {0};
        CHECK(fw_spill_read(cx->passages->spill, q->sig_at, psig, sizeof psig) == FW_OK);
        CHECK(memcmp(psig, p->sig ? p->sig : none, sizeof psig) == 0);
    }
}

/* A JSON line's record against the line parsed on its own, and, when it
 * has text, against that text sketched as a plain document. */
static void check_jsonl(const fw_sketch_context *cx, const sketched *line, const char *data,
                        size_t size)
{
    const fw_doc_record *d = &line->doc.rec;
    fw_jsonl_doc j;
    CHECK(fw_jsonl_parse(data, size, "text", "id", NULL, &j) == FW_OK);
    CHECK(strcmp(d->id, j.id && j.id[0] ? j.id : ID) == 0); /* an empty id names nothing */
    if (!j.text) {
        char why[256];
        snprintf(why, sizeof why, "%s: %s", ID, j.error);
        CHECK(d->status == FW_DOC_ERROR && strcmp(d->message, why) == 0);
        fw_jsonl_done(&j);
        return;
    }
    sketched plain;
    sketch(cx, j.text, j.len, 0, &plain);
    const fw_doc_record *e = &plain.doc.rec;
    /* invalid bytes repaired before parsing make an `ok` text `repaired` */
    CHECK(d->status == e->status ||
          (j.repaired && e->status == FW_DOC_OK && d->status == FW_DOC_REPAIRED));
    CHECK(d->bytes == j.len && d->chars == e->chars && d->nshingles == e->nshingles);
    CHECK(d->npassages == e->npassages);
    if (has_text(d)) {
        CHECK(!d->shingles ||
              memcmp(d->shingles, e->shingles, d->nshingles * sizeof *d->shingles) == 0);
        CHECK(!d->sig == !e->sig && (!d->sig || memcmp(d->sig, e->sig, K * sizeof *d->sig) == 0));
        CHECK(!d->band_keys == !e->band_keys &&
              (!d->band_keys || memcmp(d->band_keys, e->band_keys, BANDS * 8) == 0));
        for (uint32_t i = 0; i < d->npassages; i++) {
            const fw_passage *p = &d->passages[i], *q = &e->passages[i];
            CHECK(p->byte_start == q->byte_start && p->byte_end == q->byte_end);
            CHECK(p->cstart == q->cstart && p->clen == q->clen);
            if (!d->text || !e->text) continue; /* spilled: compared there */
            char x[FW_EXCERPT_SIZE], y[FW_EXCERPT_SIZE];
            fw_excerpt(d->text, p->byte_start, p->byte_end, x);
            fw_excerpt(e->text, q->byte_start, q->byte_end, y);
            CHECK(strcmp(x, y) == 0);
        }
    }
    release(&plain);
    fw_jsonl_done(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    static const unsigned lengths[4][2] = {{50, 400}, {1, 0}, {3, 8}, {10, 20}};
    static const unsigned ngrams[4] = {1, 3, 5, 8};
    const unsigned flags = data[0];
    const char *text = (const char *)data + 1;
    const size_t len = size - 1;

    fw_scan_options opt;
    memset(&opt, 0, sizeof opt);
    opt.ngram = ngrams[(flags >> 4) & 3];
    opt.perms = K;
    opt.seed = 7;
    opt.verify = !(flags & 0x40);
    opt.text_field = "text";
    opt.id_field = "id";
    fw_passage_config passages = {lengths[(flags >> 2) & 3][0], lengths[(flags >> 2) & 3][1],
                                  opt.seed, PASSAGE_BANDS, PASSAGE_ROWS, passage_mh, NULL,
                                  NULL};
    fw_sketch_context mem = {
        .opt = &opt,
        .normalizer = nz,
        .minhasher = mh,
        .oph = flags & 2 ? oph : NULL,
        .tmpl = flags & 1 ? tpl : NULL,
        .passages = flags & 0x80 ? NULL : &passages,
        .bands = BANDS,
        .rows = ROWS,
    };
    /* --memory-limit: new files for every input, so they do not grow */
    fw_spill hashes_file, sigs_file, passages_file, text_file;
    char why[256];
    CHECK(fw_spill_open(&hashes_file, NULL, why, sizeof why) == FW_OK);
    CHECK(fw_spill_open(&sigs_file, NULL, why, sizeof why) == FW_OK);
    CHECK(fw_spill_open(&passages_file, NULL, why, sizeof why) == FW_OK);
    CHECK(fw_spill_open(&text_file, NULL, why, sizeof why) == FW_OK);
    fw_passage_config spilled_passages = passages;
    spilled_passages.spill = &passages_file;
    fw_sketch_context spilling = mem;
    spilling.passages = mem.passages ? &spilled_passages : NULL;
    spilling.hashes_file = &hashes_file;
    spilling.sigs_file = &sigs_file;
    spilling.text_file = mem.passages ? &text_file : NULL;

    for (int jsonl = 0; jsonl <= 1; jsonl++) {
        sketched in_memory, spilled;
        sketch(&mem, text, len, jsonl, &in_memory);
        sketch(&spilling, text, len, jsonl, &spilled);
        check_record(&mem, &in_memory);
        check_record(&spilling, &spilled);
        check_in_memory(&mem, &in_memory);
        check_spilled(&spilling, &in_memory, &spilled);
        if (jsonl) check_jsonl(&mem, &in_memory, text, len);
        release(&in_memory);
        release(&spilled);
    }
    fw_spill_close(&hashes_file);
    fw_spill_close(&sigs_file);
    fw_spill_close(&passages_file);
    fw_spill_close(&text_file);
    return 0;
}
