/* sketch.h — one document's text to its record (internal; see sketch.c).
 * Per-document code: no OpenMP, no threads of its own; the pipeline
 * (pipeline.c) calls fw_sketch_document() from many threads, each with its
 * own fw_sketch_worker. */
#ifndef FW_SKETCH_H
#define FW_SKETCH_H

#include "fanwen.h"
#include "arena.h"
#include "jsonl.h"
#include "lines.h"
#include "passage_cut.h"

struct fw_spill;

/* What a scan keeps of one document. The read stage fills in id, message,
 * status and bytes; fw_sketch_document() what the text became; the stages
 * after reading (match.c) rank, nset, set_at and the cluster. */
typedef struct fw_doc_record {
    char *id;
    char *message;
    fw_doc_status status;
    uint32_t rank;
    uint64_t bytes, chars;
    size_t nshingles;        /* n-grams: shingle hashes, repeats included */
    uint64_t text_hash;      /* XXH3-64 of the text sketched (0: none): a
                              * staged scan checks re-read inputs with it */
    size_t nset;             /* distinct shingles, once made a set */
    uint64_t *shingles;      /* the hashes, made a sorted set if the document
                              * is a candidate; NULL with --no-verify */
    uint64_t *band_keys;     /* its LSH band keys, kept instead of the
                              * signature when the text is kept (passages,
                              * verified): the signature is made again for
                              * candidates (match.c); else NULL */
    uint32_t *sig;           /* K values; NULL without text (and with a
                              * memory limit: then they are in a file) */
    uint64_t hashes_at;      /* with a memory limit: where the hashes and */
    uint64_t set_at;         /* the exact set are in their files */
    /* The passage level: kept while reading, */
    char *text;              /* the text (NULL with a memory limit: then */
    uint64_t text_at;        /* it is in text_file, here), */
    uint64_t *line_hashes;   /* its short lines' hashes, sorted, distinct */
    uint32_t nlines;
    uint8_t owned;           /* FW_DOC_OWNS_*: shingles or sig malloc'ed after
                              * reading (match.c), not in an arena */
    /* and made after reading (passage_prep.c): */
    fw_passage *passages;    /* its passages (NULL when off) */
    uint32_t npassages;
    uint32_t naligned;       /* its aligned text: the code points that were
                              * shingled (template form with --template)
                              * and the byte offset of the character each
                              * came from; */
    unsigned char *aligned;  /* both packed (aligned_pack.h); NULL with a
                              * memory limit: */
    uint64_t aligned_at;     /* then both are in aligned_file, here */
    int64_t cluster;         /* representative's document number */
    uint64_t cluster_size;
} fw_doc_record;

#define FW_DOC_OWNS_SHINGLES 1u
#define FW_DOC_OWNS_SIG 2u

/* Sets a document's message (replacing any earlier one; left NULL when
 * out of memory). */
void fw_doc_set_message(fw_doc_record *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What sketching needs of the scan: set up once, read by all threads. */
typedef struct fw_sketch_context {
    const fw_scan_options *opt;      /* ngram, perms, seed, verify and the
                                      * JSON fields */
    const fw_normalizer *normalizer;
    const fw_minhasher *minhasher;
    const fw_oph *oph;               /* NULL: K-permutation MinHash */
    const fw_template *tmpl;         /* NULL: no template form */
    const fw_passage_config *passages; /* NULL: no passage level; else the
                                      * text and its short lines are kept */
    unsigned bands, rows;            /* the documents' LSH banding */
    /* With a memory limit (both set; else NULL): the hashes are appended to
     * hashes_file and the signature written to sigs_file at number·K
     * values, instead of being kept. */
    struct fw_spill *hashes_file, *sigs_file;
    struct fw_spill *text_file;      /* the texts (passage level) */
    int keep_text;                   /* 1: keep every text in the arena
                                      * even without the passage level (a
                                      * persistent index stores them) */
} fw_sketch_context;

/* Thread seconds by stage. */
typedef struct fw_sketch_times {
    double parse, normalize, shingle, minhash, passage_cut;
} fw_sketch_times;

/* Reading the clock costs 50-120 ns on these VMs, five reads a document:
 * 5% of a scan of 400,000 poems. So a document of FW_TIME_ALL_BYTES or
 * more is always timed, and of the smaller ones every FW_TIME_EVERY-th
 * (by input number), their bytes counted to scale them. */
#define FW_TIME_ALL_BYTES 4096
#define FW_TIME_EVERY 16
typedef struct fw_sketch_clock {
    fw_sketch_times big, sampled;
    uint64_t small_bytes, sampled_bytes;
} fw_sketch_clock;

/* One thread's memory for sketching: scratch buffers reused from one
 * document to the next (grown, never shrunk), the arena where the records'
 * hashes, signatures and passages live, and the time spent per step.
 * Zero-initialize; fw_sketch_worker_free(). */
typedef struct fw_sketch_worker {
    uint32_t *cps;           /* normalized code points */
    size_t cps_cap;
    uint64_t *hashes;        /* shingle hashes when they are not kept */
    size_t hashes_cap;       /* in bytes */
    uint32_t *sig;           /* the signature, with a memory limit */
    size_t sig_cap;          /* in bytes */
    unsigned char *packed;   /* the text packed for hashing */
    size_t packed_cap;       /* in bytes */
    uint32_t *tcps;          /* template form of cps (--template) */
    size_t tcps_cap;
    uint32_t *offs, *toffs;  /* byte offsets of cps and tcps (passages) */
    size_t offs_cap, toffs_cap;
    uint32_t *aligned;       /* an aligned text on its way to its file */
    size_t aligned_cap;      /* in bytes */
    fw_line *lines;          /* a text's short lines */
    size_t lines_cap;
    fw_passage_scratch passage;
    fw_jsonl_scratch json;
    fw_arena arena;          /* lives as long as the records */
    fw_sketch_clock clock;
} fw_sketch_worker;

/* The workers' clocks together (`add`), and the stage times they give:
 * the big documents' as timed, the small ones' sampled times scaled by
 * the small documents' bytes over the sampled ones'. */
void fw_sketch_clock_add(fw_sketch_clock *sum, const fw_sketch_clock *c);
fw_sketch_times fw_sketch_clock_times(const fw_sketch_clock *c);

/* Frees the scratch buffers and the arena: the records' hashes, signatures
 * and passages go with it. */
void fw_sketch_worker_free(fw_sketch_worker *w);

/* One document on its way through fw_sketch_document(). */
typedef struct fw_sketch_doc {
    size_t number;           /* input order: where its signature goes in
                              * sigs_file */
    fw_doc_record rec;       /* in: as read (status FW_DOC_OK); out: what
                              * sketching found. Owns id and message. */
    const char *text;        /* the document, or its JSON line (`jsonl`) */
    size_t len;
    int jsonl;
    uint64_t *keys;          /* with a memory limit: room for `bands` band
                              * keys, for the LSH runs, */
    int keyed;               /* set once they are computed */
} fw_sketch_doc;

/* Parses (a JSON line), normalizes, classifies, shingles and sketches one
 * document, and with the passage level keeps the hashes of its short
 * lines. The record gets its status and message (a binary, empty or broken
 * document is a row, not a failure), counts, and its text and band keys
 * (verified) or signature in the worker's arena, or with a memory limit
 * the places of its hashes and signature in the files.
 * Returns FW_ERR_NOMEM, FW_ERR_IO (a spill file) or FW_OK. */
fw_status fw_sketch_document(const fw_sketch_context *cx, fw_sketch_worker *w,
                             fw_sketch_doc *doc);

#endif
