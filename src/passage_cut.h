/* passage_cut.h — the passage level of a scan, per document (internal; see
 * passage_cut.c): a document cut into passages and each one sketched while
 * reading. What the corpus does with them after reading: passage_match.h. */
#ifndef FW_PASSAGE_CUT_H
#define FW_PASSAGE_CUT_H

#include "fanwen.h"
#include "lines.h"
#include "mix.h"

/* characters of a passage kept for reports: what fits FW_EXCERPT_SIZE */
#define FW_PASSAGE_TEXT_CHARS ((FW_EXCERPT_SIZE - 1) / 4)
#define FW_PASSAGE_MAX_BANDS 64  /* passage LSH uses at most 64 permutations */
#define FW_PASSAGE_NGRAM 3       /* characters per passage shingle (passage_cut.c) */
/* The passages' LSH: 32 bands of 2 rows of a 64-value MinHash of their
 * 3-grams. A pair at 3-gram Jaccard 0.3 (a copy with about a quarter of
 * its characters edited) becomes a candidate with probability 0.95, at 0.4
 * (15% edited) 0.995; pairs at 0.05 (the stock phrases of one genre) with
 * 0.08. Lower rows flood the alignment with chance pairs, higher ones need
 * more permutations than a passage's sketch can afford (bench/README.md). */
#define FW_PASSAGE_BANDS 32
#define FW_PASSAGE_ROWS 2
#define FW_PASSAGE_PERMS (FW_PASSAGE_BANDS * FW_PASSAGE_ROWS)

/* A passage's MinHash value kept in 16 bits (b-bit MinHash, Li and König
 * 2010): two different minima agree in their low 16 bits once in 65,536,
 * which moves a Jaccard estimate by 0.00002 and adds as few LSH
 * collisions, for half the memory and half the cache lines the screen
 * reads at random (passage_match.c). */
typedef uint16_t fw_passage_value;

/* The LSH key of band b of a passage signature (`rows` values a band).
 * Two 16-bit values are their own key, with no collisions to add: no
 * hash. */
static inline uint32_t fw_passage_band_key(const fw_passage_value *sig, unsigned b,
                                           unsigned rows)
{
    if (rows == 2) return (uint32_t)sig[2 * b] << 16 | sig[2 * b + 1];
    uint64_t x = (uint64_t)b << 48;
    for (unsigned r = 0; r < rows; r++) x = fw_mix64(x ^ sig[b * rows + r]);
    return (uint32_t)x;
}

/* The keys of every band. */
static inline void fw_passage_band_keys(const fw_passage_value *sig, unsigned bands,
                                        unsigned rows, uint32_t *keys)
{
    for (unsigned b = 0; b < bands; b++) keys[b] = fw_passage_band_key(sig, b, rows);
}

/* Share of equal values of two signatures of k values: the Jaccard
 * estimate. */
static inline double fw_passage_estimate(const fw_passage_value *a, const fw_passage_value *b,
                                         unsigned k)
{
    unsigned same = 0;
    for (unsigned i = 0; i < k; i++) same += a[i] == b[i];
    return (double)same / (double)k;
}
#define FW_PASSAGE_CANDIDATE 0.3 /* reported as the candidate probability */

/* One passage: made by fw_passages_cut(), numbered into a group by
 * fw_passages_match(). */
typedef struct fw_passage {
    uint32_t byte_start, byte_end; /* in the document's text (documents with
                                    * passages are under 4 GB); its excerpt
                                    * is made from there when asked for */
    uint32_t chars;                /* normalized code points */
    uint32_t cstart, clen;         /* its code points in the document's
                                    * aligned text (the shingled form:
                                    * template form with --template) */
    uint32_t group;                /* 0: in no group; else its group number */
    fw_passage_value *sig;         /* its MinHash (bands·rows values), for
                                    * LSH and the estimate that screens
                                    * candidates; NULL when clen is 0, and */
    uint64_t sig_at;               /* with a memory limit: in the spill file */
} fw_passage;

/* What cutting and sketching need, shared by all threads. */
typedef struct fw_passage_config {
    unsigned min_chars, max_chars;
    uint64_t seed;                 /* of the passages' 3-gram hashes */
    unsigned bands, rows;
    const fw_minhasher *minhasher; /* bands·rows permutations */
    struct fw_spill *spill;        /* memory limit: the sigs go here */
    const struct fw_stop_grams *stop; /* 3-grams left out of the sketches
                                    * (passage_stop.c); NULL: none */
} fw_passage_config;

/* Per-thread scratch buffers of fw_passages_cut. */
typedef struct fw_passage_scratch {
    fw_span *spans;
    size_t spans_cap;
    uint64_t *hashes;              /* one passage's 3-gram hashes */
    unsigned char *packed;         /* and its code points packed for them */
    size_t hashes_cap, packed_cap; /* in bytes */
    fw_passage_value *sigs;        /* with a spill file: a document's sigs */
    uint32_t full[FW_PASSAGE_PERMS]; /* one signature, 32 bits */
    size_t sigs_cap;
} fw_passage_scratch;
void fw_passage_scratch_free(fw_passage_scratch *sc);

/* Memory that lives as long as the scan (the caller's arena). */
typedef void *(*fw_alloc_fn)(void *ctx, size_t size);

/* The document as the sketch stage has it: its text, its normalized code
 * points with their byte offsets, and its aligned text: the code points
 * that were shingled (the template form's, or `cps` again) with theirs. */
typedef struct fw_passage_doc {
    const char *text;
    size_t len;
    const uint32_t *cps, *offsets;
    size_t ncps;
    const uint32_t *aligned, *aligned_offsets;
    size_t naligned;
    const fw_line *skip;           /* boilerplate lines, left out of the */
    size_t nskip;                  /* passages (in order) */
} fw_passage_doc;

/* Cuts a document into passages and sketches each one: `*out` (from
 * `alloc` with alloc_ctx) receives `*count` passages, their signatures
 * (from `alloc` with sig_ctx, which may be alloc_ctx: a scan keeps them
 * apart, to free them once it has them side by side). */
fw_status fw_passages_cut(const fw_passage_config *cfg, fw_passage_scratch *sc,
                          const fw_passage_doc *doc, fw_alloc_fn alloc, void *alloc_ctx,
                          void *sig_ctx, fw_passage **out, uint32_t *count);

/* One passage's signature (bands·rows values) from its n aligned code
 * points: their 3-gram hashes, the common ones (cfg->stop) left out unless
 * all are, MinHashed. The same code points always give the same values. */
fw_status fw_passage_sketch(const fw_passage_config *cfg, fw_passage_scratch *sc,
                            const uint32_t *cps, size_t n, fw_passage_value *sig);

/* The first 80 characters of text[start, end), runs of white space made
 * one space, invalid bytes U+FFFD, controls dropped: a one-line excerpt,
 * NUL-terminated in buf (FW_EXCERPT_SIZE bytes). Returns its length. */
size_t fw_excerpt(const char *text, uint64_t start, uint64_t end, char *buf);

/* What cutting a document after reading needs besides fw_passage_config:
 * how to normalize it, and which short lines are boilerplate. */
typedef struct fw_cut_context {
    const fw_normalizer *normalizer;
    const fw_template *tmpl;       /* NULL: the aligned text is the
                                    * normalized one */
    const uint64_t *boilerplate;   /* hashes of boilerplate lines, sorted */
    size_t nboilerplate;
    uint64_t seed;                 /* of the line hashes */
} fw_cut_context;

/* A text's aligned form (normalized, then templated with cx->tmpl), in
 * sc's buffers, with each code point's byte offset; *ncps: normalized code
 * points before the template. */
struct fw_cut_scratch;
fw_status fw_passage_text_aligned(const fw_cut_context *cx, struct fw_cut_scratch *sc,
                                  const char *text, size_t len, const uint32_t **aligned,
                                  const uint32_t **aligned_offs, size_t *naligned, size_t *ncps);

/* One thread's buffers for fw_passages_cut_text(); zero it to start. */
typedef struct fw_cut_scratch {
    uint32_t *cps, *offs, *tcps, *toffs;
    size_t cps_cap, offs_cap, tcps_cap, toffs_cap;
    fw_line *lines;
    size_t lines_cap;
    fw_passage_scratch passage;
} fw_cut_scratch;
void fw_cut_scratch_free(fw_cut_scratch *sc);

/* What fw_passages_cut_text() made of a text: its passages (from the
 * caller's `alloc`), and in the scratch (valid until its next use) the
 * aligned text and the boilerplate lines that were left out. */
typedef struct fw_cut_result {
    fw_passage *passages;
    uint32_t npassages;
    const uint32_t *aligned, *aligned_offsets;
    size_t naligned;
    const fw_line *skipped;
    size_t nskipped;
} fw_cut_result;

/* A document as fw_passages_cut_text() takes it: its text, and what
 * reading may have kept of it already. */
typedef struct fw_cut_input {
    const char *text;
    size_t len;
    /* its normalized code points and their byte offsets (without
     * --template), or NULL: normalized again */
    const uint32_t *cps, *offsets;
    size_t ncps;
    /* its short lines' hashes, sorted (lines_known): when none is a
     * boilerplate line, its lines are not looked for again */
    int lines_known;
    const uint64_t *line_hashes;
    size_t nline_hashes;
} fw_cut_input;

/* A document's text, after reading: normalized (and put in template form),
 * its boilerplate lines found and left out, cut into passages and each
 * sketched. The same text always gives the same passages, whatever of it
 * `in` brings already made. */
fw_status fw_passages_cut_text(const fw_passage_config *cfg, const fw_cut_context *cx,
                               fw_cut_scratch *sc, const fw_cut_input *in,
                               fw_alloc_fn alloc, void *alloc_ctx, void *sig_ctx,
                               fw_cut_result *out);

#endif
