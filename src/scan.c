/*
 * scan.c — the whole pipeline: documents in, verified pairs and clusters
 * out. This file sets a scan up, takes its inputs and runs its stages in
 * order; the stages are elsewhere:
 *
 *   while reading  pipeline.c: the reader fills batches while a sketching
 *                  thread works on the last one with all threads, each
 *                  document through sketch.c (and passage_cut.c);
 *   after reading  match.c: documents ranked by id, the passage level
 *                  (passage_match.c), LSH candidates (lsh.c, or
 *                  band_runs.c with a memory limit), exact verification
 *                  and clusters (cluster.c);
 *   results        scan_results.c, which report.c and the CLI read.
 *
 * A scan is used in the order fanwen.h gives (add inputs, run once, read
 * results); a call out of order fails with FW_ERR_ARG and a message. Every
 * result depends only on the input, never on thread timing: the output
 * bytes are the same at any thread count.
 */
#include "fanwen.h"
#include "scan.h"
#include "scan_internal.h"
#include "passage_model.h"
#include "cluster.h"
#include "grow.h"
#include "match.h"
#include "measure.h"
#include "pipeline.h"
#include "read.h"
#include "spill.h"

#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ERROR_SIZE 512

fw_status fw_scan_fail(const fw_scan *s, fw_status status, const char *fmt, ...)
{
    /* reports are written by several threads at once (report.c) */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&lock);
    vsnprintf(s->error, ERROR_SIZE, fmt, ap);
    pthread_mutex_unlock(&lock);
    va_end(ap);
    return status;
}

void fw_scan_options_default(fw_scan_options *o)
{
    memset(o, 0, sizeof *o);
    o->ngram = 5;
    o->perms = 128;
    o->threshold = 0.8;
    o->seed = 0;
    o->verify = 1;
    o->passages = 1;
    o->min_passage = 50;
    o->max_passage = 400;
    o->passage_threshold = 0.6;
    o->boilerplate_docs = 20;
    o->boilerplate_share = 0.001;
    o->reuse_min = 0.3;
    o->text_field = "text";
    o->id_field = "id";
    o->max_doc_bytes = FW_DEFAULT_MAX_DOC_BYTES;
}

/* ---------------------------------------------------------------- set-up */

static fw_status check_options(const fw_scan_options *o, unsigned *bands,
                               unsigned *rows, char *why, size_t n)
{
    if (!(o->threshold > 0 && o->threshold <= 1)) {
        snprintf(why, n, "threshold must be in (0, 1], got %g", o->threshold);
        return FW_ERR_ARG;
    }
    if (o->ngram < 1 || o->ngram > 64) {
        snprintf(why, n, "ngram must be between 1 and 64, got %u", o->ngram);
        return FW_ERR_ARG;
    }
    if (o->perms < 1 || o->perms > 1024) {
        snprintf(why, n, "perms must be between 1 and 1024, got %u", o->perms);
        return FW_ERR_ARG;
    }
    if (o->passages) {
        if (!(o->passage_threshold > 0 && o->passage_threshold <= 1)) {
            snprintf(why, n, "passage threshold must be in (0, 1], got %g",
                     o->passage_threshold);
            return FW_ERR_ARG;
        }
        if (o->min_passage < 1) {
            snprintf(why, n, "min passage must be at least 1 character");
            return FW_ERR_ARG;
        }
        if (!(o->boilerplate_share >= 0 && o->boilerplate_share <= 1) ||
            !(o->reuse_min >= 0 && o->reuse_min <= 1)) {
            snprintf(why, n, "boilerplate share and reuse min must be in [0, 1]");
            return FW_ERR_ARG;
        }
    }
    *bands = o->bands;
    *rows = o->rows;
    if (!*bands && !*rows) return fw_lsh_choose(o->threshold, o->perms, bands, rows);
    if (*bands > o->perms || *rows > o->perms) {
        snprintf(why, n, "%s (%u) cannot exceed perms (%u)", *bands ? "bands" : "rows",
                 *bands ? *bands : *rows, o->perms);
        return FW_ERR_ARG;
    }
    if (!*rows) *rows = o->perms / *bands;
    if (!*bands) *bands = o->perms / *rows;
    if ((uint64_t)*bands * *rows > o->perms) {
        snprintf(why, n, "bands x rows (%u x %u = %u) cannot exceed perms (%u)", *bands,
                 *rows, *bands * *rows, o->perms);
        return FW_ERR_ARG;
    }
    return FW_OK;
}

/* The passage level's LSH (FW_PASSAGE_BANDS × FW_PASSAGE_ROWS over the
 * passages' 3-grams, passage_cut.h), and a minhasher with just B·R
 * permutations, on the documents' code path. Candidates are then verified
 * by alignment against the passage threshold (passage_match.c). */
static fw_status passage_setup(fw_scan *s)
{
    const unsigned bands = FW_PASSAGE_BANDS, rows = FW_PASSAGE_ROWS;
    fw_status st = fw_minhasher_new(bands * rows, s->opt.seed, &s->passage_minhasher);
    if (st == FW_OK) st = fw_minhasher_set_simd(s->passage_minhasher, s->stats.simd);
    if (st != FW_OK) return st;
    s->passage_cfg = (fw_passage_config){s->opt.min_passage, s->opt.max_passage,
                                         s->opt.seed, bands, rows, s->passage_minhasher, NULL,
                                         NULL};
    s->stats.passage_bands = bands;
    s->stats.passage_rows = rows;
    s->stats.passage_probability = fw_lsh_probability(FW_PASSAGE_CANDIDATE, bands, rows);
    return FW_OK;
}

/* --memory-limit: the files, the LSH runs and what memory is left for
 * batches and single documents. What stays in memory is O(documents): a
 * record and an id each (and the passage level's passages), about 200
 * bytes per document; the rest is bounded by the limit. */
static fw_status bounded_setup(fw_scan *s, char *why, size_t why_size)
{
    const uint64_t limit = s->opt.memory_limit;
    s->bounded = 1;
    /* A document's work holds about 20 bytes per byte of text. Its bound
     * cannot depend on the thread count, which must not change a report
     * (a larger document is an error row): limit/128, 16% of the limit
     * for its work. The threads share the rest: one at a time works on a
     * document over limit/(64 threads) (pipeline.c, passage_prep.c), so
     * that all of them together hold at most about half of the limit. */
    const uint64_t biggest = limit / 128;
    if (s->opt.max_doc_bytes > biggest) s->opt.max_doc_bytes = biggest;
    s->big_doc_bytes = limit / 64 / (uint64_t)s->threads;
    omp_init_lock(&s->big_doc_lock);
    fw_status st = fw_pipeline_bound(&s->pipe, limit, s->stats.bands);
    if (st != FW_OK) return st;
    const char *dir = s->opt.tmp_dir;
    st = fw_spill_open(&s->hashes_file, dir, why, why_size);
    if (st == FW_OK) st = fw_spill_open(&s->sigs_file, dir, why, why_size);
    if (st == FW_OK) st = fw_spill_open(&s->sets_file, dir, why, why_size);
    if (st == FW_OK && s->passage_minhasher) {
        st = fw_spill_open(&s->passages_file, dir, why, why_size);
        if (st == FW_OK) st = fw_spill_open(&s->aligned_file, dir, why, why_size);
        if (st == FW_OK) st = fw_spill_open(&s->text_file, dir, why, why_size);
        s->passage_cfg.spill = &s->passages_file;
    }
    if (st == FW_OK) st = fw_band_runs_new(s->stats.bands, (size_t)(limit / 4), dir, &s->runs);
    return st;
}

/* What sketching reads of the scan (sketch.h), once all of it is set up. */
static void sketch_setup(fw_scan *s)
{
    s->sketch = (fw_sketch_context){
        .opt = &s->opt,
        .normalizer = s->normalizer,
        .minhasher = s->minhasher,
        .oph = s->oph,
        .tmpl = s->tmpl,
        .passages = s->passage_minhasher ? &s->passage_cfg : NULL,
        .bands = s->stats.bands,
        .rows = s->stats.rows,
        .hashes_file = s->bounded ? &s->hashes_file : NULL,
        .sigs_file = s->bounded ? &s->sigs_file : NULL,
        .text_file = s->bounded && s->passage_minhasher ? &s->text_file : NULL,
    };
}

fw_status fw_scan_new(const fw_scan_options *options, fw_scan **out, char *why,
                      size_t why_size)
{
    return fw_scan_new_sharing(options, NULL, out, why, why_size);
}

fw_status fw_scan_new_sharing(const fw_scan_options *options, const fw_normalizer *normalizer,
                              fw_scan **out, char *why, size_t why_size)
{
    char ignored[8];
    if (!why) { why = ignored; why_size = sizeof ignored; }
    *out = NULL;
    unsigned bands, rows;
    fw_status st = check_options(options, &bands, &rows, why, why_size);
    if (st != FW_OK) return st;
    fw_scan *s = calloc(1, sizeof *s);
    if (!s) return FW_ERR_NOMEM;
    s->opt = *options;
    s->text_field = strdup(options->text_field ? options->text_field : "text");
    s->id_field = strdup(options->id_field ? options->id_field : "id");
    s->opt.text_field = s->text_field;
    s->opt.id_field = s->id_field;
    s->threads = options->threads > 0 ? options->threads : omp_get_max_threads();
    if (!s->opt.max_doc_bytes) s->opt.max_doc_bytes = FW_DEFAULT_MAX_DOC_BYTES;
    s->hashes_file.fd = s->sigs_file.fd = s->sets_file.fd = s->passages_file.fd = -1;
    s->aligned_file.fd = s->text_file.fd = -1;
    s->stats.bands = bands;
    s->stats.rows = rows;
    s->stats.threads = s->threads;
    s->stats.candidate_probability = fw_lsh_probability(options->threshold, bands, rows);
    s->workers = aligned_alloc(64, sizeof(fw_worker) * (size_t)s->threads);
    if (s->workers) { /* zeroed before any failure: fw_scan_free() frees its fields */
        memset(s->workers, 0, sizeof(fw_worker) * (size_t)s->threads);
        for (int t = 0; t < s->threads; t++) s->workers[t].sigs.returns = 1;
    }
    s->error = calloc(1, ERROR_SIZE);
    s->cwd = getcwd(NULL, 0); /* NULL when it cannot be had: then not recorded */
    st = fw_pipeline_init(&s->pipe);
    if (!s->text_field || !s->id_field || !s->workers || !s->error || st != FW_OK)
        goto nomem;
    if (normalizer) {
        s->normalizer = (fw_normalizer *)normalizer;
        s->normalizer_borrowed = 1;
    } else if ((st = fw_normalizer_new(&s->normalizer)) != FW_OK) {
        goto fail;
    }
    if ((st = fw_minhasher_new(options->perms, options->seed, &s->minhasher)) != FW_OK)
        goto fail;
    if (options->sketch == FW_SKETCH_OPH &&
        (st = fw_oph_new(options->perms, options->seed, &s->oph)) != FW_OK)
        goto fail;
    if ((st = fw_minhasher_set_simd(s->minhasher, options->simd)) != FW_OK) {
        snprintf(why, why_size, "this CPU cannot run the %s code path",
                 fw_simd_name(options->simd));
        fw_scan_free(s);
        return st;
    }
    s->stats.simd = fw_minhasher_simd(s->minhasher);
    if (options->passages && (st = passage_setup(s)) != FW_OK) goto fail;
    if (options->memory_limit) {
        if (options->tmp_dir && !(s->tmp_dir = strdup(options->tmp_dir))) goto nomem;
        s->opt.tmp_dir = s->tmp_dir;
        st = bounded_setup(s, why, why_size);
        if (st == FW_ERR_IO) {
            fw_scan_free(s);
            return st;
        }
        if (st != FW_OK) goto fail;
    }
    if (options->template_mode || options->canon_path) {
        s->opt.template_mode = 1;
        if ((st = fw_template_new(1, &s->tmpl)) != FW_OK) goto fail;
        if (options->canon_path) {
            if (!(s->canon_path = strdup(options->canon_path))) goto nomem;
            s->opt.canon_path = s->canon_path;
            st = fw_template_load_canon(s->tmpl, options->canon_path);
        } else {
            st = fw_template_add_default_canon(s->tmpl);
        }
        if (st != FW_OK) {
            snprintf(why, why_size, "%s", st == FW_ERR_NOMEM ? fw_status_str(st)
                                                              : fw_template_error(s->tmpl));
            fw_scan_free(s);
            return st;
        }
        s->stats.canon_entries = fw_template_canon_size(s->tmpl);
    }
    sketch_setup(s);
    *out = s;
    return FW_OK;
nomem:
    st = FW_ERR_NOMEM;
fail:
    snprintf(why, why_size, "%s", fw_status_str(st));
    fw_scan_free(s);
    return st;
}

void fw_scan_free(fw_scan *s)
{
    if (!s) return;
    fw_pipeline_free(s); /* first: a batch may still be in flight */
    if (s->bounded) omp_destroy_lock(&s->big_doc_lock);
    fw_match_drop_sets(s); /* sets made from texts and not yet freed */
    for (size_t i = 0; i < s->ndocs; i++) {
        free(s->docs[i].id);
        free(s->docs[i].message);
    }
    if (s->workers) {
        for (int t = 0; t < s->threads; t++) {
            fw_worker *w = &s->workers[t];
            fw_sketch_worker_free(&w->sketch);
            fw_cut_scratch_free(&w->cut);
            fw_arena_free(&w->sigs);
            free(w->text);
            free(w->tmp);
            free(w->set_a);
            free(w->set_b);
        }
    }
    free(s->workers);
    for (size_t i = 0; i < s->npaths; i++) free(s->paths[i]);
    free(s->paths);
    free(s->cwd);
    fw_band_runs_free(s->runs);
    fw_spill_close(&s->hashes_file);
    fw_spill_close(&s->sigs_file);
    fw_spill_close(&s->sets_file);
    fw_spill_close(&s->passages_file);
    fw_spill_close(&s->aligned_file);
    fw_spill_close(&s->text_file);
    free(s->lines);
    free(s->line_hashes);
    free(s->stop);
    free(s->passage_keys);
    free(s->passage_low);
    if (s->model && !s->model_borrowed) {
        fw_passage_model_free(s->model);
        free(s->model);
    }
    free(s->model_path);
    free(s->line_chars);
    free(s->boilerplate);
    free(s->docs);
    free(s->by_rank);
    free(s->pairs);
    if (!s->normalizer_borrowed) fw_normalizer_free(s->normalizer);
    fw_minhasher_free(s->minhasher);
    fw_oph_free(s->oph);
    fw_template_free(s->tmpl);
    fw_minhasher_free(s->passage_minhasher);
    fw_passage_result_free(&s->passage);
    free(s->canon_path);
    free(s->tmp_dir);
    free(s->text_field);
    free(s->id_field);
    free(s->error);
    free(s);
}

const char *fw_scan_error(const fw_scan *s) { return s->error; }
const fw_scan_options *fw_scan_get_options(const fw_scan *s) { return &s->opt; }

fw_status fw_scan_add_path(fw_scan *s, const char *path)
{
    if (s->phase != FW_SCAN_ADDING)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_path: no adding after fw_scan_run()");
    if (!path) return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_path: path is NULL");
    s->error[0] = '\0';
    if (s->npaths + s->unrecorded >= FW_RECORDED_PATHS) { /* too many to record */
        s->unrecorded += s->npaths + 1;
        for (size_t i = 0; i < s->npaths; i++) free(s->paths[i]);
        s->npaths = 0;
    } else {
        char *copy = strdup(path);
        if (!copy || !fw_grow(&s->paths, &s->paths_cap, s->npaths + 1, sizeof *s->paths, 16)) {
            free(copy);
            return fw_scan_fail(s, FW_ERR_NOMEM, "%s: %s", path, fw_status_str(FW_ERR_NOMEM));
        }
        s->paths[s->npaths++] = copy;
    }
    double t0 = fw_now(), wait0 = s->pipe.t_wait;
    fw_read_options ro = {&s->stats.input_bytes, s->opt.max_doc_bytes,
                          &s->stats.skipped_records};
    s->stats.inputs++;
    fw_status st = fw_read_path(path, &ro, fw_pipeline_take, s);
    s->stats.t_read += (fw_now() - t0) - (s->pipe.t_wait - wait0);
    if (st != FW_OK) fw_scan_fail(s, st, "%s: %s", path, fw_status_str(st));
    return st;
}

fw_status fw_scan_add_text(fw_scan *s, const char *id, const char *text, size_t len)
{
    if (s->phase != FW_SCAN_ADDING)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_text: no adding after fw_scan_run()");
    if (!id || (!text && len))
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_text: %s is NULL", id ? "text" : "id");
    if (!text) text = "";
    s->texts_added++;
    fw_input_doc doc;
    const int too_big = len > s->opt.max_doc_bytes; /* an error row, as from a file */
    if (fw_input_doc_copy(&doc, id, text, too_big ? 0 : len) != FW_OK)
        return fw_scan_fail(s, FW_ERR_NOMEM, "%s: %s", id, fw_status_str(FW_ERR_NOMEM));
    if (too_big) {
        char why[160];
        snprintf(why, sizeof why, "document of %zu bytes exceeds --max-doc-bytes %llu", len,
                 (unsigned long long)s->opt.max_doc_bytes);
        free(doc.text);
        doc.text = NULL;
        doc.len = len;
        doc.status = FW_DOC_ERROR;
        if (!(doc.message = strdup(why))) {
            free(doc.id);
            return fw_scan_fail(s, FW_ERR_NOMEM, "%s: %s", id, fw_status_str(FW_ERR_NOMEM));
        }
    }
    s->stats.inputs++;
    s->stats.input_bytes += len;
    fw_status st = fw_pipeline_take(s, &doc);
    if (st != FW_OK) fw_scan_fail(s, st, "%s: %s", id, fw_status_str(st));
    return st;
}

static void progress(fw_scan *s, const char *stage)
{
    if (s->opt.progress)
        s->opt.progress(s->opt.progress_ctx, stage, s->ndocs, s->read_bytes);
}

/* The document pairs a staged scan's verify tasks found (staged.h) taken as
 * this scan's: what LSH and verification would have given, rank pairs in
 * candidate order made document pairs as fw_match_verify() makes them. */
static fw_status take_staged(fw_scan *s, const fw_staged_pairs *staged, fw_pair **kept_out,
                             size_t *nkept)
{
    size_t m = staged->npairs;
    fw_result_pair *res = malloc((m ? m : 1) * sizeof *res);
    fw_pair *kept = malloc((m ? m : 1) * sizeof *kept);
    if (!res || !kept) {
        free(res);
        free(kept);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        const fw_result_pair *p = &staged->pairs[i];
        if (p->a >= s->ndocs || p->b >= s->ndocs) {
            free(res);
            free(kept);
            return fw_scan_fail(s, FW_ERR_FORMAT, "a verified pair names rank %u of %zu",
                                p->a > p->b ? p->a : p->b, s->ndocs);
        }
        kept[i] = (fw_pair){p->a, p->b};
        res[i] = *p;
        res[i].a = s->by_rank[p->a];
        res[i].b = s->by_rank[p->b];
    }
    s->pairs = res;
    s->npairs = m;
    s->stats.candidates = staged->candidates;
    *kept_out = kept;
    *nkept = m;
    return FW_OK;
}

/* fw_scan_run(), or with `staged` the run of a staged scan's finish task:
 * the records were loaded, not read, and the document pairs are given. */
static fw_status run(fw_scan *s, const fw_staged_pairs *staged)
{
    if (s->phase != FW_SCAN_ADDING)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_run: %s", s->phase == FW_SCAN_RUN
                            ? "the scan has already run (once per scan)"
                            : "the scan has already run and failed");
    s->phase = FW_SCAN_FAILED; /* until it succeeds */
    s->error[0] = '\0';
    fw_status st = fw_pipeline_finish(s);
    progress(s, "reading"); /* all of it */
    if (st == FW_OK) st = fw_match_rank_documents(s);
    for (size_t i = 0; i < s->ndocs; i++) s->stats.docs[s->docs[i].status]++;
    if (st == FW_OK && s->passage_minhasher) { /* cut once the boilerplate lines are known */
        progress(s, "cutting passages");
        st = fw_passages_prepare(s);
    }
    if (st != FW_OK) goto out;
    fw_sketch_clock clock = {0};
    for (int t = 0; t < s->threads; t++) fw_sketch_clock_add(&clock, &s->workers[t].sketch.clock);
    const fw_sketch_times times = fw_sketch_clock_times(&clock);
    s->stats.t_parse += times.parse;
    s->stats.t_normalize += times.normalize;
    s->stats.t_shingle += times.shingle;
    s->stats.t_minhash += times.minhash;
    s->stats.t_passage_cut += times.passage_cut;
    for (size_t i = 0; i < s->ndocs; i++) {
        s->stats.bytes += s->docs[i].bytes;
        s->stats.shingles += s->docs[i].nshingles;
        s->stats.passages += s->docs[i].npassages;
    }

    s->stats.rss_sketch = fw_peak_rss_mb();
    progress(s, "lsh");
    double t0 = fw_now(), t1 = t0;
    size_t n = s->ndocs;
    fw_pair *kept = NULL;
    size_t nkept = 0;
    if (staged) {
        if ((st = take_staged(s, staged, &kept, &nkept)) != FW_OK) goto out;
    } else {
        fw_pair *cand = NULL;
        size_t nc = 0;
        if ((st = fw_match_find_candidates(s, &cand, &nc)) != FW_OK) goto out;
        s->stats.candidates = nc;
        t1 = fw_now();
        s->stats.t_lsh = t1 - t0;
        s->stats.rss_lsh = fw_peak_rss_mb();

        progress(s, "verify");
        st = fw_match_verify(s, cand, nc, &kept, &nkept);
        free(cand); /* the sets made from texts are freed by now (match.c) */
        if (st != FW_OK) goto out;
    }
    s->stats.verified = s->opt.verify ? nkept : 0;
    double t2 = fw_now();
    s->stats.t_verify = t2 - t1;
    s->stats.rss_verify = fw_peak_rss_mb();
    /* after the document pairs, whose sets are freed by now: the two
     * levels' working memory is not held at once */
    if (s->passage_minhasher && !s->passages_cut_only) {
        progress(s, "matching passages");
        if ((st = fw_match_passages(s)) != FW_OK) {
            free(kept);
            goto out;
        }
        if ((st = fw_passages_list_boilerplate(s)) != FW_OK) {
            free(kept);
            goto out;
        }
        t2 = fw_now();
    }

    progress(s, "cluster");
    uint32_t *parent = malloc((n ? n : 1) * sizeof *parent);
    if (!parent) { free(kept); st = FW_ERR_NOMEM; goto out; }
    fw_cluster_build(parent, n, kept, nkept);
    fw_match_assign_clusters(s, parent);
    free(parent);
    free(kept);
    s->stats.t_cluster = fw_now() - t2;
    s->stats.rss_cluster = fw_peak_rss_mb();
out:
    if (st == FW_OK) s->phase = FW_SCAN_RUN;
    else if (st == FW_ERR_IO && s->bounded && !s->error[0])
        fw_scan_fail(s, st, "cannot write to or read from the temporary directory %s "
                     "(is it full?)", s->tmp_dir ? s->tmp_dir : "($TMPDIR or /tmp)");
    else if (!s->error[0])
        fw_scan_fail(s, st, "scan failed: %s", fw_status_str(st));
    return st;
}

fw_status fw_scan_run(fw_scan *s) { return run(s, NULL); }

fw_status fw_scan_run_staged(fw_scan *s, const fw_staged_pairs *staged)
{
    return run(s, staged);
}

fw_status fw_scan_keep_texts(fw_scan *s)
{
    if (s->phase != FW_SCAN_ADDING || s->ndocs || s->bounded)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_keep_texts: before adding, without a "
                            "memory limit");
    s->sketch.keep_text = 1;
    return FW_OK;
}

void fw_scan_get_inputs(const fw_scan *s, fw_scan_inputs *in)
{
    in->cwd = s->cwd;
    in->paths = (const char *const *)s->paths;
    in->npaths = s->npaths;
    in->unrecorded = s->unrecorded;
    in->texts = s->texts_added;
    in->passage_model = s->model_path;
    in->passage_model_sum = s->model ? s->model->sum : 0;
}
