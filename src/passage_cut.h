/* passage_cut.h — the passage level of a scan, per document (internal; see
 * passage_cut.c): a document cut into passages and each one sketched while
 * reading. What the corpus does with them after reading: passage_match.h. */
#ifndef FW_PASSAGE_CUT_H
#define FW_PASSAGE_CUT_H

#include "fanwen.h"

/* characters of a passage kept for reports: what fits FW_EXCERPT_SIZE */
#define FW_PASSAGE_TEXT_CHARS ((FW_EXCERPT_SIZE - 1) / 4)
#define FW_PASSAGE_MAX_BANDS 64  /* passage LSH uses at most 64 permutations */

/* One passage: made by fw_passages_cut(), numbered into a group by
 * fw_passages_match(). */
typedef struct fw_passage {
    uint64_t byte_start, byte_end; /* in the document's text */
    uint32_t chars;                /* normalized code points */
    uint32_t hstart, hlen;         /* its shingles: the document's hashes
                                    * [hstart, hstart + hlen) */
    uint32_t *keys;                /* LSH band keys; NULL without shingles */
    char *text;                    /* first characters, white space collapsed */
    uint32_t group;                /* 0: in no group; else its group number */
    uint32_t text_len;             /* with a memory limit, keys and text are */
    uint64_t keys_at, text_at;     /* NULL and in the spill file, here */
} fw_passage;

/* What cutting and sketching need, shared by all threads. */
typedef struct fw_passage_config {
    unsigned min_chars, max_chars, ngram;
    unsigned bands, rows;
    const fw_minhasher *minhasher; /* bands·rows permutations */
    struct fw_spill *spill;        /* memory limit: keys and texts go here */
} fw_passage_config;

/* Per-thread scratch buffers of fw_passages_cut. */
typedef struct fw_passage_scratch {
    fw_span *spans;
    size_t spans_cap;
    uint32_t *sig;
    uint32_t *keys;                /* with a spill file: a document's keys */
    size_t keys_cap;
    char *texts;                   /* and its excerpts, end to end */
    size_t texts_len, texts_cap;
} fw_passage_scratch;
void fw_passage_scratch_free(fw_passage_scratch *sc);

/* Memory that lives as long as the scan (the caller's arena). */
typedef void *(*fw_alloc_fn)(void *ctx, size_t size);

/* The document as the sketch stage has it: its text, its normalized code
 * points with their byte offsets, the offsets of the code points that were
 * shingled (the template form's, or `offsets` again) and their hashes. */
typedef struct fw_passage_doc {
    const char *text;
    size_t len;
    const uint32_t *cps, *offsets;
    size_t ncps;
    const uint32_t *shingled_offsets;
    size_t nshingled;
    const uint64_t *hashes;
    size_t nhashes;
} fw_passage_doc;

/* Cuts a document into passages and sketches each one: `*out` (from
 * `alloc`) receives `*count` passages. */
fw_status fw_passages_cut(const fw_passage_config *cfg, fw_passage_scratch *sc,
                          const fw_passage_doc *doc, fw_alloc_fn alloc, void *alloc_ctx,
                          fw_passage **out, uint32_t *count);

#endif
