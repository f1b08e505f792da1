/*
 * passage_prep.c — the passage level between reading and matching: short
 * boilerplate lines found by counting, then every document cut into
 * passages without them.
 *
 * Reading kept each document's text and the hashes of its short lines
 * (sketch.c, lines.c). A line whose hash is in at least as many documents
 * as the boilerplate bar asks of a passage group (--boilerplate-docs and
 * --boilerplate-share) is a boilerplate line: a breadcrumb, a download
 * button, a counter. Only then are documents cut into passages
 * (passage_cut.c), with those lines taken out first, so they no longer weld
 * onto the paragraph next to them: the paragraph matches its copy on a
 * page without the site's furniture, and the line is reported once, in
 * boilerplate.csv, with kind `line`. Cutting after reading costs a second
 * normalization of the text (a tenth of a second per 100 MB a thread) and
 * keeps the text until then (in memory, or in a spill file).
 *
 * With a passage model (--passage-model, passage_model.c), the boilerplate
 * lines are the model's found here, and the common 3-grams the model's,
 * instead of what this corpus alone would show.
 */
#include "passage_prep.h"
#include "aligned_pack.h"
#include "aligned_text.h"
#include "scan_internal.h"
#include "grow.h"
#include "measure.h"
#include "index.h"
#include "passage_model.h"
#include "read_whole.h"
#include "passage_stop.h"
#include "sort.h"
#include "shingle.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static int by_first_then_hash(const void *x, const void *y)
{
    const fw_boilerplate_line *a = x, *b = y;
    if (a->first != b->first) return a->first < b->first ? -1 : 1;
    return (a->hash > b->hash) - (a->hash < b->hash);
}

static int by_hash(const void *x, const void *y)
{
    const fw_boilerplate_line *a = x, *b = y;
    return (a->hash > b->hash) - (a->hash < b->hash);
}

/* The boilerplate bar in documents, as for passage groups. */
static uint64_t docs_needed(const fw_scan *s)
{
    uint64_t text_docs = s->stats.docs[FW_DOC_OK] + s->stats.docs[FW_DOC_REPAIRED];
    uint64_t need = s->opt.boilerplate_docs;
    uint64_t by_share = fw_share_count(s->opt.boilerplate_share, text_docs);
    return by_share > need ? by_share : need;
}

static int in_model(const fw_passage_model *m, uint64_t hash)
{
    size_t at = fw_search_u64(m->lines, m->nlines, hash);
    return at < m->nlines && m->lines[at] == hash;
}

/* s->lines: the short lines in enough documents (each document's hashes
 * are distinct), or with a model those of its lines found here, numbered
 * in order of first document, kept by hash. */
static fw_status count_lines(fw_scan *s)
{
    size_t total = 0;
    for (size_t i = 0; i < s->ndocs; i++) total += s->docs[i].nlines;
    /* every document's hashes (distinct within it) sorted: a hash's run is
     * the documents holding it. 16 bytes a line; a corpus of poems has
     * several in every document */
    uint64_t *all = malloc((total ? 2 * total : 1) * sizeof *all);
    if (!all) return FW_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < s->ndocs; i++)
        for (uint32_t k = 0; k < s->docs[i].nlines; k++) all[n++] = s->docs[i].line_hashes[k];
    fw_sort_u64(all, all + n, n);
    const uint64_t need = docs_needed(s);
    size_t cap = 0;
    fw_status st = FW_OK;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b < n && all[b] == all[a]) b++;
        const int boilerplate = s->model ? in_model(s->model, all[a]) : b - a >= need;
        if (boilerplate) {
            if (!fw_grow(&s->lines, &cap, s->nlines + 1, sizeof *s->lines, 16)) {
                st = FW_ERR_NOMEM;
                break;
            }
            fw_boilerplate_line *l = &s->lines[s->nlines++];
            memset(l, 0, sizeof *l);
            l->hash = all[a];
            l->docs = b - a;
            l->first = UINT32_MAX;
        }
        a = b;
    }
    free(all);
    if (st != FW_OK) return st;
    /* each boilerplate line's first document, in id order */
    if (s->nlines) qsort(s->lines, s->nlines, sizeof *s->lines, by_hash);
    uint64_t *hashes = malloc((s->nlines ? s->nlines : 1) * sizeof *hashes);
    if (!hashes) return FW_ERR_NOMEM;
    for (size_t i = 0; i < s->nlines; i++) hashes[i] = s->lines[i].hash;
    for (size_t r = 0, left = s->nlines; r < s->ndocs && left; r++) {
        const fw_doc_record *d = &s->docs[s->by_rank[r]];
        for (uint32_t k = 0; k < d->nlines; k++) {
            size_t at = fw_search_u64(hashes, s->nlines, d->line_hashes[k]);
            if (at == s->nlines || hashes[at] != d->line_hashes[k]) continue;
            if (s->lines[at].first == UINT32_MAX) {
                s->lines[at].first = (uint32_t)r;
                left--;
            }
        }
    }
    free(hashes);
    if (s->nlines) qsort(s->lines, s->nlines, sizeof *s->lines, by_first_then_hash);
    for (size_t i = 0; i < s->nlines; i++) s->lines[i].number = (uint32_t)(i + 1);
    if (s->nlines) qsort(s->lines, s->nlines, sizeof *s->lines, by_hash);
    s->line_hashes = malloc((s->nlines ? s->nlines : 1) * sizeof *s->line_hashes);
    s->line_chars = calloc(s->ndocs ? s->ndocs : 1, sizeof *s->line_chars);
    if (!s->line_hashes || !s->line_chars) return FW_ERR_NOMEM;
    for (size_t i = 0; i < s->nlines; i++) s->line_hashes[i] = s->lines[i].hash;
    return FW_OK;
}

static fw_boilerplate_line *line_of(fw_scan *s, uint64_t hash)
{
    return &s->lines[fw_search_u64(s->line_hashes, s->nlines, hash)];
}

/* The aligned text kept (code points and offsets): packed in the thread's
 * arena, or with a memory limit appended to its file in one block, code
 * points then offsets. */
static fw_status keep_aligned(fw_scan *s, fw_worker *w, fw_doc_record *d,
                              const fw_cut_result *cut)
{
    size_t n = cut->naligned;
    d->naligned = (uint32_t)n;
    if (!s->bounded) {
        uint32_t flags;
        unsigned char *mem = fw_arena_alloc(
            &w->sketch.arena,
            fw_aligned_packed_size(cut->aligned, cut->aligned_offsets, n, &flags));
        if (!mem) return FW_ERR_NOMEM;
        fw_aligned_pack(cut->aligned, cut->aligned_offsets, n, flags, mem);
        d->aligned = mem;
        return FW_OK;
    }
    uint32_t *mem = w->sketch.aligned =
        fw_grow_scratch(w->sketch.aligned, &w->sketch.aligned_cap, 2 * n * sizeof *mem);
    if (!mem) return FW_ERR_NOMEM;
    memcpy(mem, cut->aligned, n * sizeof *mem);
    memcpy(mem + n, cut->aligned_offsets, n * sizeof *mem);
    return fw_spill_append(&s->aligned_file, mem, 2 * n * sizeof *mem, &d->aligned_at);
}

/* The aligned text kept while reading, unpacked whole into the worker's
 * buffer (its code points, then its offsets). */
static fw_status unpack_kept(fw_worker *w, const fw_doc_record *d, const uint32_t **cps,
                             const uint32_t **offsets)
{
    size_t n = d->naligned;
    uint32_t *mem = w->sketch.aligned =
        fw_grow_scratch(w->sketch.aligned, &w->sketch.aligned_cap, (2 * n + 1) * sizeof *mem);
    if (!mem) return FW_ERR_NOMEM;
    fw_aligned_unpack(d->aligned, n, 0, n, mem, mem + n);
    *cps = mem;
    *offsets = mem + n;
    return FW_OK;
}

/* The boilerplate lines left out of document `rank`: its characters in
 * them (aligned form) that no passage holds, and a line's text when this
 * is its first document. (A short piece of text merged with the next
 * across a line makes one passage whose extent holds the line: its
 * characters are that passage's then, reused when it is, so that
 * reused_share + boilerplate_share never counts one twice.) */
static void note_lines(fw_scan *s, size_t rank, const char *text, const fw_cut_result *cut)
{
    size_t t = 0, p = 0;
    for (size_t i = 0; i < cut->nskipped; i++) {
        const fw_line *ln = &cut->skipped[i];
        while (t < cut->naligned && cut->aligned_offsets[t] < ln->byte_start) t++;
        size_t from = t;
        while (t < cut->naligned && cut->aligned_offsets[t] < ln->byte_end) t++;
        size_t held = 0; /* of [from, t), in passages */
        while (p < cut->npassages && cut->passages[p].cstart + cut->passages[p].clen <= from) p++;
        for (size_t q = p; q < cut->npassages && cut->passages[q].cstart < t; q++) {
            size_t lo = cut->passages[q].cstart > from ? cut->passages[q].cstart : from;
            size_t hi = cut->passages[q].cstart + cut->passages[q].clen;
            if (hi > t) hi = t;
            if (hi > lo) held += hi - lo;
        }
        s->line_chars[rank] += t - from - held;
        fw_boilerplate_line *bl = line_of(s, ln->hash);
        if (bl->first == rank && !bl->chars) { /* only this thread sees this line's first */
            bl->chars = ln->cp_end - ln->cp_start;
            fw_excerpt(text, ln->byte_start, ln->byte_end, bl->text);
        }
    }
}

/* A document's kept text: in memory, or with a memory limit read back into
 * the worker's buffer. */
static fw_status doc_text(fw_scan *s, fw_worker *w, const fw_doc_record *d, const char **text)
{
    *text = d->text;
    if (!s->bounded) return FW_OK;
    if (!(w->text = fw_grow_scratch(w->text, &w->text_cap, d->bytes ? d->bytes : 1)))
        return FW_ERR_NOMEM;
    *text = w->text;
    return fw_spill_read(&s->text_file, d->text_at, w->text, d->bytes);
}

/* One document: its text (read back with a memory limit), cut. */
static fw_status prepare_one(fw_scan *s, fw_worker *w, const fw_cut_context *cx, size_t rank)
{
    fw_doc_record *d = &s->docs[s->by_rank[rank]];
    if (d->status != FW_DOC_OK && d->status != FW_DOC_REPAIRED) return FW_OK;
    const char *text;
    fw_status st = doc_text(s, w, d, &text);
    if (st != FW_OK) return st;
    const uint32_t *kept = NULL, *kept_offsets = NULL;
    if (d->aligned && (st = unpack_kept(w, d, &kept, &kept_offsets)) != FW_OK) return st;
    fw_cut_input in = {text, d->bytes, kept, kept_offsets, d->naligned,
                       1, d->line_hashes, d->nlines};
    fw_cut_result cut;
    st = fw_passages_cut_text(&s->passage_cfg, cx, &w->cut, &in, fw_arena_alloc_in,
                              &w->sketch.arena, &w->sigs, &cut);
    if (st != FW_OK) return st;
    d->passages = cut.passages;
    d->npassages = cut.npassages;
    note_lines(s, rank, text, &cut);
    return d->aligned ? FW_OK : keep_aligned(s, w, d, &cut); /* kept while reading */
}

fw_status fw_scan_cut_text(const fw_scan *s, fw_cut_scratch *sc, const char *text, size_t len,
                           fw_alloc_fn alloc, void *ctx, fw_cut_result *out)
{
    /* all the model's lines: those the scan found are only its documents' */
    const uint64_t *lines = s->model ? s->model->lines : s->line_hashes;
    size_t nlines = s->model ? s->model->nlines : s->nlines;
    fw_cut_context cx = {s->normalizer, s->tmpl, lines, nlines, s->opt.seed};
    fw_cut_input in = {text, len, NULL, NULL, 0, 0, NULL, 0};
    return fw_passages_cut_text(&s->passage_cfg, &cx, sc, &in, alloc, ctx, ctx, out);
}

/* Text bytes of the documents sampled for the common 3-grams, the window
 * (characters) they are counted in, and the share of windows that makes
 * one common. Measured on laws.jsonl and the 5,000-document corpus of
 * corpus/ (bench/README.md): at 0.005, 2,657 and 4,294 filter bits set,
 * 2.1 and 4.6 times fewer candidate pairs, the same spans found within
 * 0.5% but at 20-30% edited (0.80 instead of 0.85); at 0.002 more are
 * lost, at 0.01 fewer candidates are saved. A 4 MB sample finds what 12 MB
 * did. */
#define STOP_SAMPLE_BYTES (4u << 20)
#define STOP_WINDOW 128
#define STOP_SHARE 0.005

/* s->stop: the 3-grams in more than a small share of passage-sized
 * windows of every n-th document (passage_stop.c says why). */
static fw_status learn_stop_grams(fw_scan *s, const fw_cut_context *cx)
{
    if (s->model) {
        if (!(s->stop = malloc(sizeof *s->stop))) return FW_ERR_NOMEM;
        *s->stop = s->model->stop;
        s->passage_cfg.stop = s->stop;
        s->stats.passage_stop_grams = s->stop->ngrams;
        return FW_OK;
    }
    uint64_t bytes = 0;
    for (size_t i = 0; i < s->ndocs; i++) bytes += s->docs[i].bytes;
    const size_t every = bytes > STOP_SAMPLE_BYTES ? (size_t)(bytes / STOP_SAMPLE_BYTES) + 1 : 1;
    fw_worker *w = &s->workers[0];
    fw_stop_counter *counter;
    fw_status st = fw_stop_counter_new(&counter);
    uint64_t *hashes = NULL;
    unsigned char *packed = NULL;
    size_t hashes_cap = 0, packed_cap = 0;
    for (size_t r = 0; r < s->ndocs && st == FW_OK; r += every) {
        fw_doc_record *d = &s->docs[s->by_rank[r]];
        if (d->status != FW_DOC_OK && d->status != FW_DOC_REPAIRED) continue;
        if (d->bytes > UINT32_MAX) continue;
        const char *text;
        if ((st = doc_text(s, w, d, &text)) != FW_OK) break;
        const uint32_t *aligned, *offs;
        size_t n = d->naligned, ncps;
        st = d->aligned ? unpack_kept(w, d, &aligned, &offs)
                        : fw_passage_text_aligned(cx, &w->cut, text, d->bytes, &aligned, &offs,
                                                  &n, &ncps);
        if (st != FW_OK || n < FW_PASSAGE_NGRAM) continue;
        if (!(hashes = fw_grow_scratch(hashes, &hashes_cap, n * sizeof *hashes)) ||
            !(packed = fw_grow_scratch(packed, &packed_cap, fw_shingle_packed_size(n)))) {
            st = FW_ERR_NOMEM;
            break;
        }
        size_t ng = fw_shingle_hash_all(aligned, n, FW_PASSAGE_NGRAM, s->passage_cfg.seed, hashes,
                                        packed);
        st = fw_stop_counter_add(counter, hashes, ng);
    }
    free(hashes);
    free(packed);
    if (st == FW_OK && !(s->stop = malloc(sizeof *s->stop))) st = FW_ERR_NOMEM;
    if (st == FW_OK) st = fw_stop_counter_finish(counter, STOP_SHARE, STOP_WINDOW, s->stop);
    fw_stop_counter_free(counter);
    if (st == FW_OK) {
        s->passage_cfg.stop = s->stop;
        s->stats.passage_stop_grams = s->stop->ngrams;
    }
    return st;
}

fw_status fw_passages_prepare(fw_scan *s)
{
    fw_status st = count_lines(s);
    if (st != FW_OK) return st;
    s->stats.boilerplate_lines = s->nlines;
    fw_cut_context cx = {s->normalizer, s->tmpl, s->line_hashes, s->nlines, s->opt.seed};
    if ((st = learn_stop_grams(s, &cx)) != FW_OK) return st;
    int failed = FW_OK;
    double thread_seconds = 0;
    #pragma omp parallel num_threads(s->threads) reduction(+ : thread_seconds)
    {
        fw_worker *w = &s->workers[omp_get_thread_num()];
        double t0 = fw_now();
        #pragma omp for schedule(dynamic, 16)
        for (size_t r = 0; r < s->ndocs; r++) {
            int stop;
            #pragma omp atomic read
            stop = failed;
            if (stop) continue;
            const fw_doc_record *d = &s->docs[s->by_rank[r]];
            const int big = s->bounded && d->bytes > s->big_doc_bytes;
            if (big) omp_set_lock(&s->big_doc_lock); /* scan.c's bounded_setup */
            fw_status one = prepare_one(s, w, &cx, r);
            if (big) omp_unset_lock(&s->big_doc_lock);
            if (one != FW_OK) {
                #pragma omp atomic write
                failed = one;
            }
        }
        thread_seconds += fw_now() - t0;
    }
    s->stats.t_passage_cut += thread_seconds;
    return (fw_status)failed;
}

static int most_docs_first(const void *x, const void *y)
{
    const fw_boilerplate_entry *a = x, *b = y;
    if (a->docs != b->docs) return a->docs < b->docs ? 1 : -1;
    if (a->line != b->line) return a->line ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

fw_status fw_passages_list_boilerplate(fw_scan *s)
{
    const fw_passage_result *r = &s->passage;
    size_t n = s->nlines + r->nboilerplate;
    s->boilerplate = malloc((n ? n : 1) * sizeof *s->boilerplate);
    if (!s->boilerplate) return FW_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < s->nlines; i++) /* index: by number */
        s->boilerplate[k++] = (fw_boilerplate_entry){1, s->lines[i].number, s->lines[i].docs};
    for (size_t i = 0; i < r->nboilerplate; i++) {
        uint32_t g = r->boilerplate[i];
        s->boilerplate[k++] = (fw_boilerplate_entry){0, g, r->groups[g - 1].docs};
    }
    qsort(s->boilerplate, k, sizeof *s->boilerplate, most_docs_first);
    s->nboilerplate = k;
    /* lines by number, for the accessor */
    if (s->nlines) qsort(s->lines, s->nlines, sizeof *s->lines, by_first_then_hash);
    for (size_t d = 0; d < s->ndocs && s->line_chars; d++)
        s->passage.boilerplate_chars[d] += s->line_chars[d];
    return FW_OK;
}

/* ------------------------------------------------------- passage models */

/* The parameters a model made by this scan has, or must have to be used. */
static fw_status model_params(const fw_scan *s, fw_passage_model_params *p, char *why,
                              size_t why_size)
{
    memset(p, 0, sizeof *p);
    fw_index_normalization(p->normalization, sizeof p->normalization);
    p->seed = s->opt.seed;
    p->min_passage = s->opt.min_passage;
    p->template_mode = s->tmpl != NULL;
    return s->opt.canon_path ? fw_file_hash(s->opt.canon_path, &p->canon_hash, why, why_size)
                             : FW_OK;
}

/* Whether the scan may take a model now (once, before adding, with the
 * passage level); else its error. */
static fw_status may_take_model(fw_scan *s, const char *call)
{
    if (s->phase != FW_SCAN_ADDING || s->ndocs || s->model)
        return fw_scan_fail(s, FW_ERR_ARG, "%s: once, before adding", call);
    if (!s->passage_minhasher)
        return fw_scan_fail(s, FW_ERR_ARG, "a passage model is for the passage level, which "
                            "this scan does not have (--no-passages)");
    return FW_OK;
}

fw_status fw_scan_use_passage_model(fw_scan *s, const char *path)
{
    if (may_take_model(s, "fw_scan_use_passage_model") != FW_OK) return FW_ERR_ARG;
    char why[512];
    fw_passage_model_params want;
    fw_passage_model *m = calloc(1, sizeof *m);
    fw_status st = m ? model_params(s, &want, why, sizeof why) : FW_ERR_NOMEM;
    if (st == FW_OK) st = fw_passage_model_read(path, &want, m, why, sizeof why);
    if (st == FW_OK && !(s->model_path = strdup(path))) st = FW_ERR_NOMEM;
    if (st != FW_OK) {
        if (m) fw_passage_model_free(m);
        free(m);
        return st == FW_ERR_NOMEM ? fw_scan_fail(s, st, "out of memory")
                                  : fw_scan_fail(s, st, "%s", why);
    }
    s->model = m;
    return FW_OK;
}

fw_status fw_scan_lend_passage_model(fw_scan *s, const struct fw_passage_model *m,
                                     const char *path)
{
    if (may_take_model(s, "fw_scan_lend_passage_model") != FW_OK) return FW_ERR_ARG;
    char why[512];
    fw_passage_model_params want;
    fw_status st = model_params(s, &want, why, sizeof why);
    if (st == FW_OK) st = fw_passage_model_check(m, path, &want, why, sizeof why);
    if (st == FW_OK && !(s->model_path = strdup(path))) st = FW_ERR_NOMEM;
    if (st != FW_OK)
        return st == FW_ERR_NOMEM ? fw_scan_fail(s, st, "out of memory")
                                  : fw_scan_fail(s, st, "%s", why);
    s->model = (struct fw_passage_model *)m;
    s->model_borrowed = 1;
    return FW_OK;
}

/* A passage's aligned text in a list being gathered. */
typedef struct known_text {
    uint64_t at, len;
    const uint32_t *cps;   /* set once all are gathered */
} known_text;

static int by_code_points(const void *x, const void *y)
{
    const known_text *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    for (size_t i = 0; i < n; i++)
        if (a->cps[i] != b->cps[i]) return a->cps[i] < b->cps[i] ? -1 : 1;
    return (a->len > b->len) - (a->len < b->len);
}

/* The model's boilerplate passages, learned: every distinct aligned text
 * of a passage in a boilerplate group, in ascending order of code points
 * (which is that of their UTF-8 bytes). */
static fw_status known_of_scan(const fw_scan *s, fw_passage_model *m)
{
    const fw_passage_result *r = &s->passage;
    size_t n = s->ndocs, total = 0, cap = 0, nt = 0, list_cap = 0;
    uint64_t *start = calloc(r->ngroups + 1, sizeof *start);
    const unsigned char **packed = malloc((n ? n : 1) * sizeof *packed);
    uint32_t *len = malloc((n ? n : 1) * sizeof *len);
    uint64_t *at = malloc((n ? n : 1) * sizeof *at);
    known_text *list = NULL;
    uint32_t *cps = NULL;
    fw_aligned_reader rd = {0};
    fw_status st = start && packed && len && at ? FW_OK : FW_ERR_NOMEM;
    for (size_t g = 0; st == FW_OK && g < r->ngroups; g++)
        start[g + 1] = start[g] + r->groups[g].passages;
    for (size_t i = 0; st == FW_OK && i < n; i++) {
        const fw_doc_record *d = &s->docs[s->by_rank[i]];
        packed[i] = d->aligned;
        len[i] = d->naligned;
        at[i] = d->aligned_at;
    }
    fw_aligned_texts texts = {n, packed, len, at, s->bounded ? &s->aligned_file : NULL};
    for (size_t b = 0; st == FW_OK && b < r->nboilerplate; b++) {
        const uint32_t g = r->boilerplate[b] - 1;
        for (uint64_t j = start[g]; st == FW_OK && j < start[g + 1]; j++) {
            const uint64_t p = r->grouped[j];
            const size_t rank = fw_passage_doc_of(r, n, p);
            const fw_passage *ps = &s->docs[s->by_rank[rank]].passages[p - r->first[rank]];
            const uint32_t *text;
            if (!ps->clen) continue;
            if ((st = fw_aligned_read(&texts, &rd, rank, ps->cstart, ps->clen, &text, NULL)) !=
                FW_OK)
                break;
            if (!fw_grow(&cps, &cap, total + ps->clen, sizeof *cps, 4096) ||
                !fw_grow(&list, &list_cap, nt + 1, sizeof *list, 256)) {
                st = FW_ERR_NOMEM;
                break;
            }
            memcpy(cps + total, text, ps->clen * sizeof *cps);
            list[nt++] = (known_text){total, ps->clen, NULL};
            total += ps->clen;
        }
    }
    if (st == FW_OK && nt) {
        for (size_t i = 0; i < nt; i++) list[i].cps = cps + list[i].at;
        qsort(list, nt, sizeof *list, by_code_points);
        size_t u = 0, kept = 0;
        m->known_start = malloc((nt + 1) * sizeof *m->known_start);
        m->known_cps = malloc((total ? total : 1) * sizeof *m->known_cps);
        if (!m->known_start || !m->known_cps) st = FW_ERR_NOMEM;
        for (size_t i = 0; st == FW_OK && i < nt; i++) {
            if (u && !by_code_points(&list[i], &list[i - 1])) continue;
            m->known_start[u++] = kept;
            memcpy(m->known_cps + kept, cps + list[i].at, list[i].len * sizeof *cps);
            kept += list[i].len;
        }
        if (st == FW_OK) {
            m->known_start[u] = kept;
            m->nknown = u;
        }
    }
    free(start);
    free(packed);
    free(len);
    free(at);
    free(list);
    free(cps);
    fw_aligned_reader_free(&rd);
    return st;
}

fw_status fw_scan_write_passage_model(const fw_scan *s, const char *path)
{
    if (s->phase != FW_SCAN_RUN)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_write_passage_model: after fw_scan_run");
    if (!s->passage_minhasher || !s->stop)
        return fw_scan_fail(s, FW_ERR_ARG, "a passage model comes from the passage level, "
                            "which this scan did not have (--no-passages)");
    if (s->model) { /* the one given, whole: lines absent here included */
        char why[512];
        fw_status st = fw_passage_model_write(s->model, path, why, sizeof why);
        return st == FW_OK ? FW_OK : fw_scan_fail(s, st, "%s", why);
    }
    fw_passage_model m = {.lines = s->line_hashes, .nlines = s->nlines, .stop = *s->stop};
    char why[512];
    fw_status st = known_of_scan(s, &m);
    if (st != FW_OK)
        snprintf(why, sizeof why, "%s: cannot gather the boilerplate passages: %s", path,
                 st == FW_ERR_IO ? "the temporary directory cannot be read" : fw_status_str(st));
    if (st == FW_OK) st = model_params(s, &m.params, why, sizeof why);
    if (st == FW_OK) st = fw_passage_model_write(&m, path, why, sizeof why);
    free(m.known_cps);
    free(m.known_start);
    return st == FW_OK ? FW_OK : fw_scan_fail(s, st, "%s", why);
}
