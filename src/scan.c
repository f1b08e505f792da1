/*
 * scan.c — the whole pipeline: documents in, verified pairs and clusters out.
 *
 * Reading is sequential (one file at a time, in sorted order); everything
 * per document is parallel, and the two overlap. The reader gathers
 * documents into batches of ~32 MB and hands each full batch to a
 * sketching thread, then goes on filling the next one. The sketching
 * thread parses, normalizes, shingles and sketches the batch with all
 * threads at once (OpenMP, dynamic schedule, each thread with its own
 * scratch buffers and arena) and frees the raw text. What is kept per
 * document is its id, counters, its K-value signature and, unless
 * --no-verify, its shingle hashes (made a sorted set later, only if the
 * document becomes a candidate).
 *
 * Once all is read, documents are numbered in byte order of their ids
 * (repeated ids get "#2", "#3"... so every report row names one document)
 * and the later stages run on those numbers: LSH candidates, exact
 * verification (parallel over pairs), union-find clusters. Every result
 * depends only on the input, never on thread timing: the output bytes are
 * the same at any thread count.
 */
#include "fanwen.h"
#include "scan.h"
#include "measure.h"
#include "cluster.h"
#include "jsonl.h"
#include "band_runs.h"
#include "lsh.h"
#include "passage.h"
#include "read.h"
#include "spill.h"

#include <omp.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BATCH_BYTES (32u << 20)
#define BATCH_DOCS 16384
#define ARENA_CHUNK (16u << 20)
#define HUGE_PAGE (2u << 20)

typedef struct doc_rec {
    char *id;
    char *message;
    fw_doc_status status;
    uint32_t rank;
    uint64_t bytes, chars;
    size_t nshingles;        /* n-grams: shingle hashes, repeats included */
    size_t nset;             /* distinct shingles, once made a set */
    uint64_t *shingles;      /* the hashes, made a sorted set if the document
                              * is a candidate; NULL with --no-verify */
    uint32_t *sig;           /* K values; NULL without text (and with a
                              * memory limit: then they are in a file) */
    uint64_t hashes_at;      /* with a memory limit: where the hashes and */
    uint64_t set_at;         /* the exact set are in their files */
    fw_passage *passages;    /* the passage level's cut (NULL when off) */
    uint32_t npassages;
    int64_t cluster;         /* representative's document number */
    uint64_t cluster_size;
} doc_rec;

/* Bump allocator: per-document results live as long as the scan. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    alignas(16) unsigned char data[];
} arena_chunk;

typedef struct worker {
    alignas(64) uint32_t *cps;
    size_t cps_cap;
    uint64_t *hashes;        /* shingle hashes when they are not kept */
    uint64_t *tmp;           /* radix-sort scratch for candidate sets */
    uint32_t *sig;           /* the signature, with a memory limit */
    uint64_t *set_a, *set_b; /* sets read back, with a memory limit */
    size_t sig_cap, set_a_cap, set_b_cap; /* in bytes */
    size_t set_a_doc;        /* whose set is in set_a (document + 1; 0: none) */
    unsigned char *packed;   /* the text packed for hashing */
    size_t hashes_cap, tmp_cap, packed_cap; /* in bytes */
    uint32_t *tcps;          /* template form of cps (--template) */
    size_t tcps_cap;
    uint32_t *offs, *toffs;  /* byte offsets of cps and tcps (passages) */
    size_t offs_cap, toffs_cap;
    fw_passage_scratch passage;
    fw_jsonl_scratch json;
    arena_chunk *arena;
    double t_parse, t_normalize, t_shingle, t_minhash, t_passage_cut;
    char pad[64];            /* no false sharing of the timers */
} worker;

typedef struct pending {
    size_t doc;              /* index into docs */
    doc_rec rec;             /* the document's record, filled in by the
                              * sketching thread and copied back to docs
                              * (which the reader may move meanwhile) */
    char *text;
    size_t len;
    int jsonl;               /* text is a JSON line, parsed in sketch_one */
    int pooled;              /* text lives in the batch's text pool (at
                              * `offset` until the batch is handed over) */
    size_t offset;
    uint64_t *keys;          /* with a memory limit: its band keys, */
    int keyed;               /* set once computed */
} pending;

/* The raw text of a batch's JSON lines, one buffer for all of them: lines
 * are lent by the reader and copied here, not allocated one by one. */
typedef struct text_pool {
    char *data;
    size_t len, cap;
} text_pool;

struct fw_scan {
    fw_scan_options opt;
    char *text_field, *id_field;
    int threads;
    fw_normalizer *normalizer;
    fw_minhasher *minhasher;
    fw_oph *oph;             /* --sketch oph; NULL for classic MinHash */
    fw_template *tmpl;       /* --template; NULL when off */
    fw_minhasher *passage_minhasher; /* NULL when passages are off */
    fw_passage_config passage_cfg;
    fw_passage_result passage;
    char *canon_path;
    char *tmp_dir;
    doc_rec *docs;
    size_t ndocs, docs_cap;
    pending *batch;          /* being filled by the reader */
    size_t nbatch, batch_bytes;
    text_pool batch_pool;
    pending *inflight;       /* being sketched by `sketcher` */
    size_t ninflight;
    text_pool inflight_pool;
    uint64_t *batch_keys, *inflight_keys; /* the pendings' band keys */
    size_t batch_bytes_max;
    pthread_t sketcher;
    int sketching;
    fw_status sketch_status;
    double t_wait;           /* reader time spent waiting for the sketcher */
    worker *workers;
    uint32_t *by_rank;
    fw_result_pair *pairs;
    size_t npairs;
    uint64_t read_bytes;     /* for progress: bytes of documents and lines */
    fw_scan_stats stats;
    /* --memory-limit: what is not kept in memory goes to files */
    int bounded;
    fw_spill hashes_file, sigs_file, sets_file;
    fw_spill passages_file;  /* passages' band keys and excerpts */
    fw_band_runs *runs;
    enum { ADDING, RUN, FAILED } phase; /* the call order of fanwen.h */
    char *error;             /* the message of the last failed call: apart
                              * from the struct so that const accessors can
                              * set it too */
};

#define ERROR_SIZE 512

fw_status fw_scan_fail(const fw_scan *s, fw_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, ERROR_SIZE, fmt, ap);
    va_end(ap);
    return status;
}

/* The results phase, or FW_ERR_ARG naming the accessor that came early. */
static fw_status check_results(const fw_scan *s, const char *fn)
{
    if (s->phase == RUN) return FW_OK;
    return fw_scan_fail(s, FW_ERR_ARG, "%s: %s", fn,
                        s->phase == ADDING ? "no results before fw_scan_run()"
                                           : "no results: fw_scan_run() failed");
}

/* An index below `n`, or FW_ERR_ARG. */
static fw_status check_index(const fw_scan *s, const char *fn, const char *what, uint64_t i,
                             uint64_t n)
{
    fw_status st = check_results(s, fn);
    if (st == FW_OK && i >= n)
        st = fw_scan_fail(s, FW_ERR_ARG, "%s: %s %llu out of range (%llu)", fn, what,
                          (unsigned long long)i, (unsigned long long)n);
    return st;
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

const char *fw_sketch_name(fw_sketch sketch)
{
    return sketch == FW_SKETCH_OPH ? "oph" : "minhash";
}

const char *fw_doc_status_name(fw_doc_status s)
{
    static const char *names[] = {"ok", "repaired", "empty", "binary", "error"};
    return (unsigned)s < FW_DOC_STATUS_COUNT ? names[s] : "unknown";
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

/* The passage level's LSH: B×R chosen for its threshold from at most 64
 * permutations (passages are short; 19×3 at 0.6), and a minhasher with
 * just B·R of them, on the documents' code path. */
#define PASSAGE_PERMS FW_PASSAGE_MAX_BANDS
static fw_status passage_setup(fw_scan *s)
{
    unsigned bands, rows;
    fw_status st = fw_lsh_choose(s->opt.passage_threshold, PASSAGE_PERMS, &bands, &rows);
    if (st == FW_OK) st = fw_minhasher_new(bands * rows, s->opt.seed, &s->passage_minhasher);
    if (st == FW_OK) st = fw_minhasher_set_simd(s->passage_minhasher, s->stats.simd);
    if (st != FW_OK) return st;
    s->passage_cfg = (fw_passage_config){s->opt.min_passage, s->opt.max_passage,
                                         s->opt.ngram, bands, rows, s->passage_minhasher,
                                         NULL};
    s->stats.passage_bands = bands;
    s->stats.passage_rows = rows;
    s->stats.passage_probability = fw_lsh_probability(s->opt.passage_threshold, bands, rows);
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
    if (s->batch_bytes_max > limit / 16) s->batch_bytes_max = (size_t)(limit / 16);
    /* a document's work holds about 20 bytes per byte of text, per thread */
    uint64_t biggest = limit / 64 / (uint64_t)s->threads;
    if (s->opt.max_doc_bytes > biggest) s->opt.max_doc_bytes = biggest;
    s->batch_keys = malloc(BATCH_DOCS * s->stats.bands * sizeof *s->batch_keys);
    s->inflight_keys = malloc(BATCH_DOCS * s->stats.bands * sizeof *s->inflight_keys);
    if (!s->batch_keys || !s->inflight_keys) return FW_ERR_NOMEM;
    for (size_t i = 0; i < BATCH_DOCS; i++) {
        s->batch[i].keys = s->batch_keys + i * s->stats.bands;
        s->inflight[i].keys = s->inflight_keys + i * s->stats.bands;
    }
    const char *dir = s->opt.tmp_dir;
    fw_status st = fw_spill_open(&s->hashes_file, dir, why, why_size);
    if (st == FW_OK) st = fw_spill_open(&s->sigs_file, dir, why, why_size);
    if (st == FW_OK) st = fw_spill_open(&s->sets_file, dir, why, why_size);
    if (st == FW_OK && s->passage_minhasher) {
        st = fw_spill_open(&s->passages_file, dir, why, why_size);
        s->passage_cfg.spill = &s->passages_file;
    }
    if (st == FW_OK) st = fw_band_runs_new(s->stats.bands, (size_t)(limit / 4), dir, &s->runs);
    return st;
}

fw_status fw_scan_new(const fw_scan_options *options, fw_scan **out, char *why,
                      size_t why_size)
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
    s->batch_bytes_max = BATCH_BYTES;
    s->hashes_file.fd = s->sigs_file.fd = s->sets_file.fd = s->passages_file.fd = -1;
    s->stats.bands = bands;
    s->stats.rows = rows;
    s->stats.threads = s->threads;
    s->stats.candidate_probability = fw_lsh_probability(options->threshold, bands, rows);
    s->workers = aligned_alloc(64, sizeof(worker) * (size_t)s->threads);
    s->error = calloc(1, ERROR_SIZE);
    s->batch = malloc(BATCH_DOCS * sizeof *s->batch);
    s->inflight = malloc(BATCH_DOCS * sizeof *s->inflight);
    if (!s->text_field || !s->id_field || !s->workers || !s->error || !s->batch ||
        !s->inflight)
        goto nomem;
    memset(s->workers, 0, sizeof(worker) * (size_t)s->threads);
    if ((st = fw_normalizer_new(&s->normalizer)) != FW_OK) goto fail;
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
    *out = s;
    return FW_OK;
nomem:
    st = FW_ERR_NOMEM;
fail:
    snprintf(why, why_size, "%s", fw_status_str(st));
    fw_scan_free(s);
    return st;
}

static fw_status finish_batch(fw_scan *s);

void fw_scan_free(fw_scan *s)
{
    if (!s) return;
    if (s->inflight) finish_batch(s); /* a batch may still be in flight */
    for (size_t i = 0; i < s->ndocs; i++) {
        free(s->docs[i].id);
        free(s->docs[i].message);
    }
    for (size_t i = 0; i < s->nbatch; i++)
        if (!s->batch[i].pooled) free(s->batch[i].text);
    free(s->batch_pool.data);
    free(s->inflight_pool.data);
    if (s->workers) {
        for (int t = 0; t < s->threads; t++) {
            worker *w = &s->workers[t];
            free(w->cps);
            free(w->hashes);
            free(w->tmp);
            free(w->sig);
            free(w->set_a);
            free(w->set_b);
            free(w->packed);
            free(w->tcps);
            free(w->offs);
            free(w->toffs);
            fw_passage_scratch_free(&w->passage);
            fw_jsonl_scratch_free(&w->json);
            for (arena_chunk *c = w->arena, *next; c; c = next) {
                next = c->next;
                free(c);
            }
        }
    }
    free(s->workers);
    free(s->batch_keys);
    free(s->inflight_keys);
    fw_band_runs_free(s->runs);
    fw_spill_close(&s->hashes_file);
    fw_spill_close(&s->sigs_file);
    fw_spill_close(&s->sets_file);
    fw_spill_close(&s->passages_file);
    free(s->batch);
    free(s->inflight);
    free(s->docs);
    free(s->by_rank);
    free(s->pairs);
    fw_normalizer_free(s->normalizer);
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

/* ------------------------------------------------------- per document */

static void *arena_alloc(worker *w, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    arena_chunk *c = w->arena;
    if (!c || c->size - c->used < size) {
        size_t want = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        /* 2 MB-aligned and huge-page backed where the kernel allows: the
         * arenas hold hundreds of MB, and 4 KB page faults cost more than
         * filling them. */
        size_t bytes = (sizeof *c + want + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
        c = aligned_alloc(HUGE_PAGE, bytes);
        if (!c) return NULL;
        madvise(c, bytes, MADV_HUGEPAGE);
        c->next = w->arena;
        c->used = 0;
        c->size = want;
        w->arena = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

static void *arena_alloc_fn(void *w, size_t size) { return arena_alloc(w, size); }

/* A per-thread scratch buffer of at least `bytes` (its contents are not
 * kept when it grows); NULL when out of memory. */
static void *grow_scratch(void *buf, size_t *cap, size_t bytes)
{
    if (bytes <= *cap && buf) return buf;
    size_t want = bytes + bytes / 2 + 64;
    free(buf);
    buf = malloc(want);
    *cap = buf ? want : 0;
    return buf;
}

/* Sets a document's message (replacing any earlier one). */
static void set_message(doc_rec *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_message(doc_rec *d, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(d->message);
    d->message = strdup(buf);
}

/* Decides what a decoded text is: binary if it has NUL bytes, or if more
 * than a tenth of its characters (and at least 8) are invalid UTF-8 or
 * control codes (a GBK or Latin-1 file, an image): a short text with a
 * broken character or two is repaired, not thrown away. Empty if nothing
 * is left to shingle. */
static fw_doc_status classify(doc_rec *d, const fw_norm_info *info,
                              size_t chars, size_t repaired_before)
{
    size_t bad = info->invalid_sequences + info->control_bytes;
    if (info->nul_bytes) {
        set_message(d, "binary: %zu NUL bytes", info->nul_bytes);
        return FW_DOC_BINARY;
    }
    if (bad >= 8 && bad * 10 > info->code_points) {
        set_message(d, "not UTF-8 text: %zu of %zu characters invalid or control codes",
                    bad, info->code_points);
        return FW_DOC_BINARY;
    }
    if (chars == 0) {
        set_message(d, "%s", d->bytes ? "no letters, digits or symbols after normalization"
                                      : "no text");
        return FW_DOC_EMPTY;
    }
    size_t replaced = info->invalid_sequences + repaired_before;
    if (replaced) {
        set_message(d, "%zu invalid UTF-8 sequences replaced by U+FFFD", replaced);
        return FW_DOC_REPAIRED;
    }
    return FW_DOC_OK;
}

/* A JSON line becomes its document: the id from the line (when it has one)
 * replaces FILE:LINE, and a line without text becomes an error row. */
static fw_status parse_jsonl(fw_scan *s, worker *w, doc_rec *d, pending *p,
                             fw_jsonl_doc *j)
{
    fw_status st = fw_jsonl_parse(p->text, p->len, s->text_field, s->id_field, &w->json, j);
    if (st != FW_OK) return st;
    if (!j->text) set_message(d, "%s: %s", d->id, j->error);
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
 * estimates) go to their files, the band keys to the batch, which the
 * reader hands to the LSH runs in input order. */
static fw_status spill_sketch(fw_scan *s, pending *p, const uint64_t *hashes, size_t n,
                              const uint32_t *sig)
{
    doc_rec *d = &p->rec;
    const unsigned k = s->opt.perms;
    fw_status st = FW_OK;
    if (s->opt.verify || s->passage_minhasher)
        st = fw_spill_append(&s->hashes_file, hashes, n * sizeof *hashes, &d->hashes_at);
    if (st == FW_OK)
        st = fw_spill_write_at(&s->sigs_file, sig, k * sizeof *sig,
                               (uint64_t)p->doc * k * sizeof *sig);
    for (unsigned b = 0; b < s->stats.bands; b++)
        p->keys[b] = fw_lsh_band_key64(sig, b, s->stats.rows);
    p->keyed = 1;
    return st;
}

/* Normalizes, shingles and sketches one document's text (and, with the
 * passage level, cuts it into passages); t0 is when this document's work
 * began, after JSON parsing. */
static fw_status sketch_text(fw_scan *s, worker *w, pending *p, const char *text, size_t len,
                             size_t repaired, double t0)
{
    doc_rec *d = &p->rec;
    size_t chars;
    fw_norm_info info;
    /* the passage level needs to know where each character came from */
    const int passages = s->passage_minhasher && len <= UINT32_MAX;
    fw_status st = passages ? fw_normalize_mapped(s->normalizer, text, len, &w->cps,
                                                  &w->cps_cap, &chars, &info, &w->offs,
                                                  &w->offs_cap)
                            : fw_normalize(s->normalizer, text, len, &w->cps, &w->cps_cap,
                                           &chars, &info);
    if (st != FW_OK) return st;
    double t1 = fw_now();
    w->t_normalize += t1 - t0;
    d->status = classify(d, &info, chars, repaired);
    if (d->status != FW_DOC_OK && d->status != FW_DOC_REPAIRED) return FW_OK;
    d->chars = chars;
    const uint32_t *cps = w->cps, *offs = w->offs;
    if (s->tmpl) { /* --template: shingle the template form */
        st = passages ? fw_template_apply_mapped(s->tmpl, w->cps, w->offs, d->chars, &w->tcps,
                                                 &w->tcps_cap, &chars, &w->toffs, &w->toffs_cap)
                      : fw_template_apply(s->tmpl, w->cps, d->chars, &w->tcps, &w->tcps_cap,
                                          &chars);
        if (st != FW_OK) return st;
        cps = w->tcps;
        offs = w->toffs;
    }
    /* The hashes go straight to where they are kept (the arena, for
     * verification), then MinHash reads them from there: no copy. */
    size_t n = fw_shingle_count(chars, s->opt.ngram);
    unsigned k = s->opt.perms;
    /* With a memory limit, hashes and signature are made in scratch and
     * written to their files. */
    size_t keep = (s->opt.verify || passages) && !s->bounded ? n : 0;
    size_t keep_sig = s->bounded ? 0 : k;
    unsigned char *mem = NULL;
    if (keep + keep_sig &&
        !(mem = arena_alloc(w, keep * sizeof(uint64_t) + keep_sig * sizeof(uint32_t))))
        return FW_ERR_NOMEM;
    if ((!keep && !(w->hashes = grow_scratch(w->hashes, &w->hashes_cap,
                                                     n * sizeof *w->hashes))) ||
        (!keep_sig && !(w->sig = grow_scratch(w->sig, &w->sig_cap, k * sizeof *w->sig))) ||
        !(w->packed = grow_scratch(w->packed, &w->packed_cap, fw_shingle_packed_size(chars))))
        return FW_ERR_NOMEM;
    uint64_t *hashes = keep ? (uint64_t *)mem : w->hashes;
    n = fw_shingle_hash_all(cps, chars, s->opt.ngram, s->opt.seed, hashes, w->packed);
    d->nshingles = n;
    if (keep) d->shingles = hashes;
    uint32_t *sig = keep_sig ? (uint32_t *)(mem + keep * sizeof(uint64_t)) : w->sig;
    if (keep_sig) d->sig = sig;
    double t2 = fw_now();
    w->t_shingle += t2 - t1;
    if (s->oph)
        fw_oph_compute(s->oph, hashes, n, sig);
    else
        fw_minhash_compute(s->minhasher, hashes, n, sig);
    double t3 = fw_now();
    w->t_minhash += t3 - t2;
    if (s->bounded) {
        st = spill_sketch(s, p, hashes, n, sig);
        if (st != FW_OK) return st;
    }
    if (!passages) return FW_OK;
    fw_passage_doc pd = {text, len, w->cps, w->offs, d->chars, offs, chars, hashes, n};
    st = fw_passages_cut(&s->passage_cfg, &w->passage, &pd, arena_alloc_fn, w, &d->passages,
                         &d->npassages);
    w->t_passage_cut += fw_now() - t3;
    return st;
}

static fw_status sketch_one(fw_scan *s, worker *w, pending *p)
{
    doc_rec *d = &p->rec;
    double t0 = fw_now();
    if (!p->jsonl) return sketch_text(s, w, p, p->text, p->len, 0, t0);
    fw_jsonl_doc j = {0};
    fw_status st = parse_jsonl(s, w, d, p, &j);
    if (st == FW_OK && d->status != FW_DOC_ERROR) {
        double tp = fw_now();
        w->t_parse += tp - t0;
        st = sketch_text(s, w, p, j.text, j.len, j.repaired, tp);
    }
    fw_jsonl_done(&j); /* the parsed text is used up to here */
    return st;
}

/* The sketching thread: all per-document work on one batch, in parallel,
 * while the reader goes on filling the next batch. */
static void *sketch_batch(void *arg)
{
    fw_scan *s = arg;
    double t0 = fw_now();
    int failed = FW_OK;
    #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 4)
    for (size_t i = 0; i < s->ninflight; i++) {
        worker *w = &s->workers[omp_get_thread_num()];
        fw_status st = sketch_one(s, w, &s->inflight[i]);
        if (!s->inflight[i].pooled) free(s->inflight[i].text);
        s->inflight[i].text = NULL;
        if (st != FW_OK) {
            #pragma omp atomic write
            failed = st;
        }
    }
    s->sketch_status = failed;
    s->stats.t_sketch_wall += fw_now() - t0;
    return NULL;
}

/* Waits for the batch in flight and copies its records back. */
static fw_status finish_batch(fw_scan *s)
{
    if (s->sketching) {
        double t0 = fw_now();
        pthread_join(s->sketcher, NULL);
        s->t_wait += fw_now() - t0;
        s->sketching = 0;
    }
    fw_status st = s->sketch_status;
    for (size_t i = 0; i < s->ninflight; i++) {
        const pending *p = &s->inflight[i];
        s->docs[p->doc] = p->rec;
        if (st == FW_OK && p->keyed) st = fw_band_runs_add(s->runs, (uint32_t)p->doc, p->keys);
    }
    s->ninflight = 0;
    s->inflight_pool.len = 0;
    if (s->inflight_pool.cap > 4 * s->batch_bytes_max) { /* after a huge line */
        free(s->inflight_pool.data);
        s->inflight_pool = (text_pool){0};
    }
    return st;
}

/* Hands the filled batch to the sketching thread (after the previous one
 * is done: at most two batches of text are held at once). */
static fw_status submit_batch(fw_scan *s)
{
    fw_status st = finish_batch(s);
    if (st != FW_OK || s->nbatch == 0) return st;
    for (size_t i = 0; i < s->nbatch; i++)
        if (s->batch[i].pooled) s->batch[i].text = s->batch_pool.data + s->batch[i].offset;
    pending *t = s->inflight;
    s->inflight = s->batch;
    s->batch = t;
    text_pool tp = s->inflight_pool;
    s->inflight_pool = s->batch_pool;
    s->batch_pool = tp;
    s->ninflight = s->nbatch;
    s->nbatch = 0;
    s->batch_bytes = 0;
    if (pthread_create(&s->sketcher, NULL, sketch_batch, s) == 0) {
        s->sketching = 1;
        return FW_OK;
    }
    sketch_batch(s); /* no thread to be had: do it here */
    return finish_batch(s);
}

/* Copies a lent text to the end of the pool; returns 0, or -1 when out of
 * memory. */
static int pool_append(text_pool *pool, size_t first_cap, const char *text, size_t len,
                       size_t *offset)
{
    if (pool->cap - pool->len < len + 1) {
        size_t cap = pool->cap ? pool->cap : first_cap;
        while (cap - pool->len < len + 1) {
            if (cap > SIZE_MAX / 2) return -1;
            cap *= 2;
        }
        char *grown = realloc(pool->data, cap);
        if (!grown) return -1;
        pool->data = grown;
        pool->cap = cap;
    }
    *offset = pool->len;
    memcpy(pool->data + pool->len, text, len);
    pool->data[pool->len + len] = '\0';
    pool->len += len + 1;
    return 0;
}

/* The read stage's sink: records the document and queues its text. */
static fw_status take_doc(void *ctx, fw_input_doc *in)
{
    fw_scan *s = ctx;
    if (s->ndocs == s->docs_cap) {
        size_t cap = s->docs_cap ? 2 * s->docs_cap : 1024;
        doc_rec *grown = realloc(s->docs, cap * sizeof *grown);
        if (!grown) goto nomem;
        s->docs = grown;
        s->docs_cap = cap;
    }
    if (s->ndocs >= UINT32_MAX - 1) goto nomem;
    doc_rec *d = &s->docs[s->ndocs];
    memset(d, 0, sizeof *d);
    d->id = in->id;
    d->message = in->message;
    d->status = in->status;
    d->bytes = in->len;
    d->cluster = -1;
    s->read_bytes += in->len;
    if (in->text && in->status == FW_DOC_OK) {
        pending *p = &s->batch[s->nbatch];
        p->doc = s->ndocs;
        p->rec = *d;
        p->text = in->borrowed ? NULL : in->text;
        p->len = in->len;
        p->jsonl = in->jsonl;
        p->pooled = in->borrowed;
        p->keyed = 0;
        if (in->borrowed && pool_append(&s->batch_pool,
                                          s->batch_bytes_max + (s->batch_bytes_max >> 2),
                                          in->text, in->len, &p->offset))
            goto nomem_kept;
        s->nbatch++;
        s->batch_bytes += in->len;
    } else if (!in->borrowed) {
        free(in->text);
    }
    s->ndocs++;
    fw_status st = FW_OK;
    if (s->nbatch == BATCH_DOCS || s->batch_bytes >= s->batch_bytes_max) {
        st = submit_batch(s);
        if (st == FW_OK && s->opt.progress &&
            s->opt.progress(s->opt.progress_ctx, "reading", s->ndocs, s->read_bytes))
            st = FW_ERR_STOPPED;
    }
    return st;
nomem_kept: /* the record is in docs: it owns id and message now */
    s->ndocs++;
    return FW_ERR_NOMEM;
nomem:
    free(in->id);
    if (!in->borrowed) free(in->text);
    free(in->message);
    return FW_ERR_NOMEM;
}

fw_status fw_scan_add_path(fw_scan *s, const char *path)
{
    if (s->phase != ADDING)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_path: no adding after fw_scan_run()");
    if (!path) return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_path: path is NULL");
    s->error[0] = '\0';
    double t0 = fw_now(), wait0 = s->t_wait;
    fw_read_options ro = {&s->stats.input_bytes, s->opt.max_doc_bytes,
                          &s->stats.skipped_records};
    s->stats.inputs++;
    fw_status st = fw_read_path(path, &ro, take_doc, s);
    s->stats.t_read += (fw_now() - t0) - (s->t_wait - wait0);
    if (st != FW_OK) fw_scan_fail(s, st, "%s: %s", path, fw_status_str(st));
    return st;
}

fw_status fw_scan_add_text(fw_scan *s, const char *id, const char *text, size_t len)
{
    if (s->phase != ADDING)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_text: no adding after fw_scan_run()");
    if (!id || (!text && len))
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_add_text: %s is NULL", id ? "text" : "id");
    if (!text) text = "";
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
    fw_status st = take_doc(s, &doc);
    if (st != FW_OK) fw_scan_fail(s, st, "%s: %s", id, fw_status_str(st));
    return st;
}

/* ------------------------------------------------------- after reading */

typedef struct id_ref {
    const char *id;
    uint32_t doc;
} id_ref;

static int cmp_by_id(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->doc > y->doc) - (x->doc < y->doc);
}

/* Sorts documents by id (then input order) into s->by_rank. */
static fw_status sort_by_id(fw_scan *s)
{
    size_t n = s->ndocs;
    id_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    if (!refs) return FW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) refs[i] = (id_ref){s->docs[i].id, (uint32_t)i};
    qsort(refs, n, sizeof *refs, cmp_by_id);
    for (size_t r = 0; r < n; r++) s->by_rank[r] = refs[r].doc;
    free(refs);
    return FW_OK;
}

/* Numbers documents in id order, renaming repeated ids "id#2", "id#3"...
 * in input order, so that every report row names exactly one document. */
static fw_status rank_documents(fw_scan *s)
{
    size_t n = s->ndocs;
    s->by_rank = malloc((n ? n : 1) * sizeof *s->by_rank);
    if (!s->by_rank || sort_by_id(s) != FW_OK) return FW_ERR_NOMEM;
    int renamed = 0;
    const char *run_id = n ? s->docs[s->by_rank[0]].id : NULL;
    size_t run = 1;
    for (size_t r = 1; r < n; r++) {
        doc_rec *d = &s->docs[s->by_rank[r]];
        if (strcmp(d->id, run_id) != 0) {
            run_id = d->id; /* the first of a run keeps its id */
            run = 1;
            continue;
        }
        run++;
        size_t len = strlen(d->id) + 24;
        char *id = malloc(len);
        if (!id) return FW_ERR_NOMEM;
        snprintf(id, len, "%s#%zu", d->id, run);
        if (d->message)
            set_message(d, "%.180s; duplicate id, renamed", d->message);
        else
            set_message(d, "duplicate id, renamed");
        free(d->id);
        d->id = id;
        renamed = 1;
    }
    if (renamed && sort_by_id(s) != FW_OK) return FW_ERR_NOMEM;
    for (size_t r = 0; r < n; r++) s->docs[s->by_rank[r]].rank = (uint32_t)r;
    return FW_OK;
}

/* LSH: in memory over the signatures, or, with a memory limit, from the
 * band runs written while reading (band_runs.c); the same pairs either way. */
static fw_status find_candidates(fw_scan *s, fw_pair **cand, size_t *nc)
{
    size_t n = s->ndocs;
    fw_status st;
    if (s->bounded) {
        uint32_t *rank = malloc((n ? n : 1) * sizeof *rank);
        if (!rank) return FW_ERR_NOMEM;
        for (size_t i = 0; i < n; i++) rank[i] = s->docs[i].rank;
        st = fw_band_runs_candidates(s->runs, rank, s->threads, cand, nc);
        s->stats.band_runs = fw_band_runs_count(s->runs);
        free(rank);
        return st;
    }
    const uint32_t **sigs = malloc((n ? n : 1) * sizeof *sigs);
    if (!sigs) return FW_ERR_NOMEM;
    for (size_t r = 0; r < n; r++) sigs[r] = s->docs[s->by_rank[r]].sig;
    st = fw_lsh_candidates(sigs, n, s->opt.perms, s->stats.bands, s->stats.rows, s->threads,
                           cand, nc);
    free(sigs);
    return st;
}

/* With a memory limit: a candidate's hashes read back, made a set and
 * written to the sets file. */
static fw_status spill_set(fw_scan *s, worker *w, doc_rec *d)
{
    size_t n = d->nshingles;
    if (!(w->hashes = grow_scratch(w->hashes, &w->hashes_cap, n * sizeof *w->hashes)))
        return FW_ERR_NOMEM;
    return fw_spill_make_set(&s->hashes_file, d->hashes_at, n, &s->sets_file, w->hashes, w->tmp,
                             &d->nset, &d->set_at);
}

/* Turns the shingle hashes of every document in a candidate pair into a
 * sorted set, in place (parallel over documents). Documents that are in no
 * pair never pay for sorting. */
static fw_status make_candidate_sets(fw_scan *s, const fw_pair *cand, size_t nc)
{
    size_t n = s->ndocs;
    uint8_t *wanted = calloc(n ? n : 1, 1);
    if (!wanted) return FW_ERR_NOMEM;
    for (size_t i = 0; i < nc; i++) wanted[cand[i].a] = wanted[cand[i].b] = 1;
    int failed = FW_OK;
    #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 64)
    for (size_t r = 0; r < n; r++) {
        doc_rec *d = &s->docs[s->by_rank[r]];
        if (!wanted[r] || d->nset || (!d->shingles && !s->bounded)) continue;
        worker *w = &s->workers[omp_get_thread_num()];
        fw_status st = FW_ERR_NOMEM;
        if ((w->tmp = grow_scratch(w->tmp, &w->tmp_cap, d->nshingles * sizeof *w->tmp)))
            st = s->bounded ? spill_set(s, w, d) : FW_OK;
        if (st == FW_OK && !s->bounded)
            d->nset = fw_shingle_set(d->shingles, d->nshingles, w->tmp);
        if (st != FW_OK) {
            #pragma omp atomic write
            failed = st;
        }
    }
    free(wanted);
    return failed;
}

/* What verifying a pair reads: signatures and sets, in memory or, with a
 * memory limit, read back into the thread's scratch. */
typedef struct pair_data {
    const uint32_t *sig_a, *sig_b;
    const uint64_t *set_a, *set_b;
} pair_data;

static fw_status read_pair(fw_scan *s, worker *w, size_t a, size_t b, pair_data *x)
{
    const unsigned k = s->opt.perms;
    const doc_rec *da = &s->docs[a], *db = &s->docs[b];
    if (!(w->sig = grow_scratch(w->sig, &w->sig_cap, 2 * k * sizeof *w->sig)))
        return FW_ERR_NOMEM;
    fw_status st = fw_spill_read(&s->sigs_file, (uint64_t)a * k * sizeof *w->sig, w->sig,
                                 k * sizeof *w->sig);
    if (st == FW_OK)
        st = fw_spill_read(&s->sigs_file, (uint64_t)b * k * sizeof *w->sig, w->sig + k,
                           k * sizeof *w->sig);
    x->sig_a = w->sig;
    x->sig_b = w->sig + k;
    if (st != FW_OK || !s->opt.verify) return st;
    if (da->nset * sizeof *w->set_a > w->set_a_cap) w->set_a_doc = 0; /* to be grown */
    if (!(w->set_a = grow_scratch(w->set_a, &w->set_a_cap, da->nset * sizeof *w->set_a)) ||
        !(w->set_b = grow_scratch(w->set_b, &w->set_b_cap, db->nset * sizeof *w->set_b)))
        return FW_ERR_NOMEM;
    if (w->set_a_doc != a + 1) { /* pairs come sorted by a: read it once */
        w->set_a_doc = 0;
        st = fw_spill_read(&s->sets_file, da->set_at, w->set_a, da->nset * sizeof *w->set_a);
        if (st == FW_OK) w->set_a_doc = a + 1;
    }
    if (st == FW_OK)
        st = fw_spill_read(&s->sets_file, db->set_at, w->set_b, db->nset * sizeof *w->set_b);
    x->set_a = w->set_a;
    x->set_b = w->set_b;
    return st;
}

/* Exact (or, with --no-verify, estimated) similarity of every candidate;
 * keeps those at or above the threshold, in candidate (id) order. */
static fw_status verify_candidates(fw_scan *s, const fw_pair *cand, size_t nc,
                                   fw_pair **kept_out, size_t *nkept)
{
    fw_result_pair *res = malloc((nc ? nc : 1) * sizeof *res);
    uint8_t *keep = malloc(nc ? nc : 1);
    fw_pair *kept = malloc((nc ? nc : 1) * sizeof *kept);
    if (!res || !keep || !kept) {
        free(res); free(keep); free(kept);
        return FW_ERR_NOMEM;
    }
    const double t = s->opt.threshold;
    const unsigned k = s->opt.perms;
    int failed = FW_OK;
    #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 64)
    for (size_t i = 0; i < nc; i++) {
        const doc_rec *a = &s->docs[s->by_rank[cand[i].a]];
        const doc_rec *b = &s->docs[s->by_rank[cand[i].b]];
        fw_result_pair *r = &res[i];
        r->a = s->by_rank[cand[i].a];
        r->b = s->by_rank[cand[i].b];
        pair_data x = {a->sig, b->sig, a->shingles, b->shingles};
        if (s->bounded) {
            fw_status st = read_pair(s, &s->workers[omp_get_thread_num()], r->a, r->b, &x);
            if (st != FW_OK) {
                #pragma omp atomic write
                failed = st;
                keep[i] = 0;
                continue;
            }
        }
        r->estimate = fw_minhash_estimate(x.sig_a, x.sig_b, k);
        if (s->opt.verify) {
            size_t inter = fw_verify_intersection(x.set_a, a->nset, x.set_b, b->nset);
            r->jaccard = fw_verify_jaccard(inter, a->nset, b->nset);
            r->a_in_b = (double)inter / (double)a->nset;
            r->b_in_a = (double)inter / (double)b->nset;
            keep[i] = r->jaccard >= t;
        } else {
            r->jaccard = r->a_in_b = r->b_in_a = -1;
            keep[i] = r->estimate >= t;
        }
    }
    if (failed != FW_OK) {
        free(res); free(keep); free(kept);
        return failed;
    }
    size_t m = 0;
    for (size_t i = 0; i < nc; i++) {
        if (!keep[i]) continue;
        res[m] = res[i];
        kept[m] = cand[i];
        m++;
    }
    free(keep);
    fw_result_pair *shrunk = realloc(res, (m ? m : 1) * sizeof *res);
    s->pairs = shrunk ? shrunk : res;
    s->npairs = m;
    *kept_out = kept;
    *nkept = m;
    return FW_OK;
}

static void assign_clusters(fw_scan *s, uint32_t *parent)
{
    size_t n = s->ndocs;
    uint64_t *size = calloc(n ? n : 1, sizeof *size);
    for (size_t r = 0; r < n; r++) if (size) size[parent[r]]++;
    for (size_t r = 0; r < n; r++) {
        doc_rec *d = &s->docs[s->by_rank[r]];
        uint64_t m = size ? size[parent[r]] : 0;
        if (m < 2) continue;
        d->cluster = s->by_rank[parent[r]];
        d->cluster_size = m;
        s->stats.clustered_docs++;
        if (parent[r] == r) s->stats.clusters++;
    }
    free(size);
}

static void progress(fw_scan *s, const char *stage)
{
    if (s->opt.progress)
        s->opt.progress(s->opt.progress_ctx, stage, s->ndocs, s->read_bytes);
}

/* The passage level after reading: every document's passages, in id
 * order, matched across the corpus (passage.c). */
static fw_status match_passages(fw_scan *s)
{
    double t0 = fw_now();
    size_t n = s->ndocs;
    fw_passage **passages = malloc((n ? n : 1) * sizeof *passages);
    uint32_t *count = malloc((n ? n : 1) * sizeof *count);
    uint64_t **hashes = malloc((n ? n : 1) * sizeof *hashes);
    uint64_t *chars = malloc((n ? n : 1) * sizeof *chars);
    uint64_t *hashes_at = s->bounded ? malloc((n ? n : 1) * sizeof *hashes_at) : NULL;
    fw_status st = FW_ERR_NOMEM;
    if (passages && count && hashes && chars && (hashes_at || !s->bounded)) {
        for (size_t r = 0; r < n; r++) {
            const doc_rec *d = &s->docs[s->by_rank[r]];
            passages[r] = d->passages;
            count[r] = d->npassages;
            hashes[r] = d->shingles;
            chars[r] = d->chars;
            if (hashes_at) hashes_at[r] = d->hashes_at;
        }
        fw_passage_corpus corpus = {n, passages, count, hashes, chars,
                                    s->stats.docs[FW_DOC_OK] + s->stats.docs[FW_DOC_REPAIRED],
                                    NULL, NULL, NULL, 0, NULL, NULL};
        if (s->bounded) {
            corpus.hashes_file = &s->hashes_file;
            corpus.hashes_at = hashes_at;
            corpus.sets_file = &s->sets_file;
            corpus.lsh_budget = (size_t)(s->opt.memory_limit / 4);
            corpus.tmp_dir = s->tmp_dir;
            corpus.keys_file = &s->passages_file;
        }
        fw_passage_settings set = {s->opt.passage_threshold, s->stats.passage_bands,
                                   s->opt.boilerplate_docs, s->opt.boilerplate_share,
                                   s->opt.reuse_min, s->threads};
        st = fw_passages_match(&corpus, &set, &s->passage);
    }
    free(passages);
    free(count);
    free(hashes);
    free(chars);
    free(hashes_at);
    if (st != FW_OK) return st;
    const fw_passage_result *res = &s->passage;
    s->stats.passage_candidates = res->candidates;
    s->stats.passage_band_runs = res->band_runs;
    s->stats.passage_matches = res->matched;
    s->stats.passage_groups = res->ngroups;
    s->stats.grouped_passages = res->ngrouped;
    s->stats.boilerplate_groups = res->nboilerplate;
    s->stats.reuse_pairs = res->nreuse;
    s->stats.boilerplate_docs_needed = res->boilerplate_docs_needed;
    for (size_t i = 0; i < res->nreuse; i++) { /* ranks to document numbers */
        s->passage.reuse[i].a = s->by_rank[res->reuse[i].a];
        s->passage.reuse[i].b = s->by_rank[res->reuse[i].b];
    }
    s->stats.t_passages = fw_now() - t0;
    s->stats.rss_passages = fw_peak_rss_mb();
    return FW_OK;
}

fw_status fw_scan_run(fw_scan *s)
{
    if (s->phase != ADDING)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_run: %s", s->phase == RUN
                            ? "the scan has already run (once per scan)"
                            : "the scan has already run and failed");
    s->phase = FAILED; /* until it succeeds */
    s->error[0] = '\0';
    fw_status st = submit_batch(s);
    fw_status done = finish_batch(s);
    if (st == FW_OK) st = done;
    if (st == FW_OK) st = rank_documents(s);
    if (st != FW_OK) goto out;
    for (int t = 0; t < s->threads; t++) {
        s->stats.t_parse += s->workers[t].t_parse;
        s->stats.t_normalize += s->workers[t].t_normalize;
        s->stats.t_shingle += s->workers[t].t_shingle;
        s->stats.t_minhash += s->workers[t].t_minhash;
        s->stats.t_passage_cut += s->workers[t].t_passage_cut;
    }
    for (size_t i = 0; i < s->ndocs; i++) {
        s->stats.docs[s->docs[i].status]++;
        s->stats.bytes += s->docs[i].bytes;
        s->stats.shingles += s->docs[i].nshingles;
        s->stats.passages += s->docs[i].npassages;
    }

    s->stats.rss_sketch = fw_peak_rss_mb();
    if (s->passage_minhasher) { /* before verification sorts the hashes */
        progress(s, "passages");
        if ((st = match_passages(s)) != FW_OK) goto out;
    }
    progress(s, "lsh");
    double t0 = fw_now();
    size_t n = s->ndocs;
    fw_pair *cand = NULL;
    size_t nc = 0;
    if ((st = find_candidates(s, &cand, &nc)) != FW_OK) goto out;
    s->stats.candidates = nc;
    double t1 = fw_now();
    s->stats.t_lsh = t1 - t0;
    s->stats.rss_lsh = fw_peak_rss_mb();

    progress(s, "verify");
    fw_pair *kept = NULL;
    size_t nkept = 0;
    st = s->opt.verify ? make_candidate_sets(s, cand, nc) : FW_OK;
    if (st == FW_OK) st = verify_candidates(s, cand, nc, &kept, &nkept);
    free(cand);
    if (st != FW_OK) goto out;
    s->stats.verified = s->opt.verify ? nkept : 0;
    double t2 = fw_now();
    s->stats.t_verify = t2 - t1;
    s->stats.rss_verify = fw_peak_rss_mb();

    progress(s, "cluster");
    uint32_t *parent = malloc((n ? n : 1) * sizeof *parent);
    if (!parent) { free(kept); st = FW_ERR_NOMEM; goto out; }
    fw_cluster_build(parent, n, kept, nkept);
    assign_clusters(s, parent);
    free(parent);
    free(kept);
    s->stats.t_cluster = fw_now() - t2;
    s->stats.rss_cluster = fw_peak_rss_mb();
out:
    if (st == FW_OK) s->phase = RUN;
    else if (st == FW_ERR_IO && s->bounded && !s->error[0])
        fw_scan_fail(s, st, "cannot write to or read from the temporary directory %s "
                     "(is it full?)", s->tmp_dir ? s->tmp_dir : "($TMPDIR or /tmp)");
    else if (!s->error[0])
        fw_scan_fail(s, st, "scan failed: %s", fw_status_str(st));
    return st;
}

/* --------------------------------------------------------------- results */

size_t fw_scan_doc_count(const fw_scan *s) { return s->ndocs; }

fw_status fw_scan_doc_by_rank(const fw_scan *s, size_t r, size_t *doc)
{
    fw_status st = check_index(s, "fw_scan_doc_by_rank", "rank", r, s->ndocs);
    if (st == FW_OK) *doc = s->by_rank[r];
    return st;
}

fw_status fw_scan_doc(const fw_scan *s, size_t i, fw_doc_info *info)
{
    fw_status st = check_index(s, "fw_scan_doc", "document", i, s->ndocs);
    if (st != FW_OK) return st;
    const doc_rec *d = &s->docs[i];
    info->id = d->id;
    info->rank = d->rank;
    info->status = d->status;
    info->bytes = d->bytes;
    info->chars = d->chars;
    info->shingles = d->nshingles;
    info->cluster = d->cluster;
    info->cluster_size = d->cluster_size;
    info->message = d->message ? d->message : "";
    info->passages = d->npassages;
    info->reused_share = info->boilerplate_share = 0;
    if (s->passage.reused_chars && d->chars) {
        info->reused_share = (double)s->passage.reused_chars[d->rank] / (double)d->chars;
        info->boilerplate_share = (double)s->passage.boilerplate_chars[d->rank] / (double)d->chars;
    }
    return FW_OK;
}

size_t fw_scan_pair_count(const fw_scan *s) { return s->phase == RUN ? s->npairs : 0; }

fw_status fw_scan_pairs(const fw_scan *s, const fw_result_pair **pairs, size_t *count)
{
    fw_status st = check_results(s, "fw_scan_pairs");
    *pairs = st == FW_OK && s->npairs ? s->pairs : NULL;
    *count = st == FW_OK ? s->npairs : 0;
    return st;
}

/* A passage's excerpt, copied into `out` (FW_EXCERPT_SIZE bytes): from
 * memory, or with a memory limit read back from the spill file. */
static fw_status copy_excerpt(const fw_scan *s, const fw_passage *p, char *out)
{
    const char *from = p->text;
    size_t n = from ? strlen(from) : p->text_len;
    if (n > FW_EXCERPT_SIZE - 1) n = FW_EXCERPT_SIZE - 1;
    out[0] = '\0';
    if (!from) {
        fw_status st = fw_spill_read(&s->passages_file, p->text_at, out, n);
        if (st != FW_OK)
            return fw_scan_fail(s, st, "cannot read a passage excerpt back from the temporary "
                                "directory %s", s->tmp_dir ? s->tmp_dir : "($TMPDIR or /tmp)");
    } else {
        memcpy(out, from, n);
    }
    out[n] = '\0';
    return FW_OK;
}

static fw_status passage_info(const fw_scan *s, size_t doc, uint32_t k, fw_passage_info *info)
{
    const fw_passage *p = &s->docs[doc].passages[k];
    info->doc = (uint32_t)doc;
    info->index = k + 1;
    info->byte_start = p->byte_start;
    info->byte_end = p->byte_end;
    info->chars = p->chars;
    info->group = p->group;
    return copy_excerpt(s, p, info->text);
}

uint32_t fw_scan_doc_passage_count(const fw_scan *s, size_t doc)
{
    return s->phase == RUN && doc < s->ndocs ? s->docs[doc].npassages : 0;
}

fw_status fw_scan_doc_passage(const fw_scan *s, size_t doc, uint32_t i, fw_passage_info *info)
{
    fw_status st = check_index(s, "fw_scan_doc_passage", "document", doc, s->ndocs);
    if (st == FW_OK)
        st = check_index(s, "fw_scan_doc_passage", "passage", i, s->docs[doc].npassages);
    return st == FW_OK ? passage_info(s, doc, i, info) : st;
}

size_t fw_scan_grouped_count(const fw_scan *s) { return s->phase == RUN ? s->passage.ngrouped : 0; }

fw_status fw_scan_grouped_passage(const fw_scan *s, size_t i, fw_passage_info *info)
{
    fw_status st = check_index(s, "fw_scan_grouped_passage", "grouped passage", i,
                               s->passage.ngrouped);
    if (st != FW_OK) return st;
    uint64_t p = s->passage.grouped[i];
    size_t r = fw_passage_doc_of(&s->passage, s->ndocs, p);
    return passage_info(s, s->by_rank[r], (uint32_t)(p - s->passage.first[r]), info);
}

size_t fw_scan_group_count(const fw_scan *s) { return s->phase == RUN ? s->passage.ngroups : 0; }

static fw_status group_info(const fw_scan *s, uint64_t group, fw_group_info *info)
{
    const fw_passage_group *g = &s->passage.groups[group - 1];
    size_t r = fw_passage_doc_of(&s->passage, s->ndocs, g->first);
    const fw_passage *p = &s->docs[s->by_rank[r]].passages[g->first - s->passage.first[r]];
    info->group = group;
    info->passages = g->passages;
    info->docs = g->docs;
    info->boilerplate = g->boilerplate;
    info->chars = p->chars;
    return copy_excerpt(s, p, info->text);
}

fw_status fw_scan_group(const fw_scan *s, size_t i, fw_group_info *info)
{
    fw_status st = check_index(s, "fw_scan_group", "group position", i, s->passage.ngroups);
    return st == FW_OK ? group_info(s, i + 1, info) : st;
}

size_t fw_scan_boilerplate_count(const fw_scan *s)
{
    return s->phase == RUN ? s->passage.nboilerplate : 0;
}

fw_status fw_scan_boilerplate(const fw_scan *s, size_t i, fw_group_info *info)
{
    fw_status st = check_index(s, "fw_scan_boilerplate", "boilerplate group", i,
                               s->passage.nboilerplate);
    return st == FW_OK ? group_info(s, s->passage.boilerplate[i], info) : st;
}

size_t fw_scan_reuse_count(const fw_scan *s) { return s->phase == RUN ? s->passage.nreuse : 0; }

fw_status fw_scan_reuse(const fw_scan *s, const fw_reuse_pair **pairs, size_t *count)
{
    fw_status st = check_results(s, "fw_scan_reuse");
    *pairs = st == FW_OK && s->passage.nreuse ? s->passage.reuse : NULL;
    *count = st == FW_OK ? s->passage.nreuse : 0;
    return st;
}

void fw_scan_get_stats(const fw_scan *s, fw_scan_stats *stats) { *stats = s->stats; }
