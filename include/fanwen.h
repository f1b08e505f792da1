/*
 * fanwen.h — the public API of libfanwen, a library that finds near-duplicate
 * documents in large text collections.
 *
 * A document travels through these stages, each usable on its own:
 *
 *   read → normalize → shingle → MinHash → LSH → verify → cluster → report
 *
 *   fw_normalizer   UTF-8 bytes → normalized code points (NFKC, case folded,
 *                   whitespace/punctuation/control removed, bad bytes → U+FFFD)
 *   fw_shingle_*    code points → sorted set of 64-bit character n-gram hashes
 *   fw_minhasher    shingle set → K 32-bit MinHash values
 *   fw_lsh_*        signatures → candidate pairs (banding, by sorting)
 *   fw_verify_*     candidate → exact Jaccard and containment
 *   fw_scan         the whole pipeline over files, directories, JSONL
 *                   shards and WARC/WET archives, with CSV reports
 *
 * Conventions: every fallible function returns fw_status (FW_OK == 0, errors
 * negative); objects that can fail keep a message naming the file and reason,
 * read with the matching *_error() function. Opaque types are made with
 * *_new and released with *_free (free(NULL) is a no-op). The library never
 * prints and never exits, and keeps no global mutable state but the names
 * of the report files being written (for fw_report_unlink_temp()).
 */
#ifndef FANWEN_H
#define FANWEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

/* The one place the version is written: CMake reads these three lines (for
 * the library's VERSION and SOVERSION, fanwen.pc and the CLI), and
 * fw_version() returns what the linked library was built with. */
#define FW_VERSION_MAJOR 0
#define FW_VERSION_MINOR 2
#define FW_VERSION_PATCH 0
#define FW_VERSION_NUMBER \
    (FW_VERSION_MAJOR * 10000 + FW_VERSION_MINOR * 100 + FW_VERSION_PATCH)
#define FW_STRINGIFY_(x) #x
#define FW_STRINGIFY(x) FW_STRINGIFY_(x)
#define FW_VERSION_STRING                                                  \
    FW_STRINGIFY(FW_VERSION_MAJOR) "." FW_STRINGIFY(FW_VERSION_MINOR) "."  \
    FW_STRINGIFY(FW_VERSION_PATCH)

/* Every public function carries FW_API: the library is built with hidden
 * visibility, so these are the only symbols a shared libfanwen exports. */
#ifndef FW_API
#  if defined(__GNUC__) && __GNUC__ >= 4
#    define FW_API __attribute__((visibility("default")))
#  else
#    define FW_API
#  endif
#endif

/* The version of the library linked at run time, "MAJOR.MINOR.PATCH", and
 * the same as MAJOR·10000 + MINOR·100 + PATCH: compare it with
 * FW_VERSION_NUMBER to see whether a program runs with the library it was
 * compiled against. */
FW_API const char *fw_version(void);
FW_API unsigned fw_version_number(void);

/* ---------------------------------------------------------------- status */

typedef enum fw_status {
    FW_OK = 0,
    FW_ERR_NOMEM = -1,   /* an allocation failed */
    FW_ERR_ARG = -2,     /* an argument is out of range */
    FW_ERR_IO = -3,      /* a file could not be read or written */
    FW_ERR_FORMAT = -4,  /* input is not in the expected format */
    FW_ERR_STOPPED = -5  /* the caller asked to stop (progress callback) */
} fw_status;

/* A static English description of a status code. */
FW_API const char *fw_status_str(fw_status status);

/* ------------------------------------------------------------- normalize */

/* Outcome flags of fw_normalize(). */
typedef struct fw_norm_info {
    size_t invalid_sequences; /* invalid UTF-8 sequences replaced by U+FFFD */
    size_t nul_bytes;         /* NUL bytes seen (a sign of binary input) */
    size_t control_bytes;     /* C0 controls other than \t \n \v \f \r */
    size_t code_points;       /* code points decoded, before filtering */
} fw_norm_info;

typedef struct fw_normalizer fw_normalizer;

/* Builds the normalization table (NFKC + case folding + category filter for
 * the Basic Multilingual Plane) from utf8proc. Costs a few milliseconds; make
 * one and share it between threads (it is read-only after creation). */
FW_API fw_status fw_normalizer_new(fw_normalizer **out);
FW_API void fw_normalizer_free(fw_normalizer *normalizer);

/* Normalizes `len` bytes of UTF-8 into code points. `*out` is a buffer of
 * `*cap` code points that is grown with realloc as needed (pass NULL/0 to
 * start; reuse it across calls). Letters, digits, marks and symbols are
 * kept; categories Z*, P* and C* are dropped. `*out_len` receives the number
 * of code points written; `info` (may be NULL) what was repaired. */
FW_API fw_status fw_normalize(const fw_normalizer *normalizer, const char *text,
                              size_t len, uint32_t **out, size_t *cap,
                              size_t *out_len, fw_norm_info *info);

/* fw_normalize() that also says where each code point came from:
 * `(*offsets)[i]` is the byte offset in `text` of the character that gave
 * code point i (all code points of one expansion share it). `*offsets` is
 * grown like `*out`. Offsets are 32-bit: FW_ERR_ARG for len > 4 GB. */
FW_API fw_status fw_normalize_mapped(const fw_normalizer *normalizer, const char *text,
                                     size_t len, uint32_t **out, size_t *cap,
                                     size_t *out_len, fw_norm_info *info,
                                     uint32_t **offsets, size_t *offsets_cap);

/* Decodes one UTF-8 code point at `s` (n > 0 bytes available). Returns the
 * number of bytes consumed (≥ 1) and stores the code point, or U+FFFD for an
 * invalid sequence (overlong, surrogate, > U+10FFFF, truncated, stray
 * continuation byte); an invalid sequence consumes its maximal subpart, as
 * the Unicode standard recommends (§3.9, U+FFFD substitution). */
FW_API size_t fw_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp,
                             int *invalid);

/* Writes `cp` (≤ U+10FFFF, not a surrogate) as 1–4 bytes of UTF-8 at
 * `out`; returns the count. */
FW_API size_t fw_utf8_encode(char *out, uint32_t cp);

/* Length of the longest valid UTF-8 prefix of `s` (== n when all valid). */
FW_API size_t fw_utf8_valid_prefix(const char *s, size_t n);

/* Copies `s` into a new NUL-terminated buffer with every invalid sequence
 * replaced by U+FFFD. *out is malloc'ed; free it. */
FW_API fw_status fw_utf8_repair(const char *s, size_t n, char **out, size_t *out_len,
                                size_t *replaced);

/* -------------------------------------------------------------- template */

/* Template normalization, applied to normalized code points before
 * shingling (scan's --template): every run of decimal digits becomes one
 * "0" (2015年 ≡ 2024年), and strings of a canon table become their
 * canonical form, longest match first (进展 → 发展), undoing the synonym
 * swaps of doc-sharing sites. */
typedef struct fw_template fw_template;
FW_API fw_status fw_template_new(int fold_digits, fw_template **out);
FW_API void fw_template_free(fw_template *t);
/* Adds one variant → canonical entry (both normalized like documents). */
FW_API fw_status fw_template_add_canon(fw_template *t, const char *variant,
                                       const char *canonical);
/* The built-in table: substitutions read in a doc-sharing site's copy
 * (see src/template.c for each entry and where it was seen). */
FW_API fw_status fw_template_add_default_canon(fw_template *t);
/* A table file, either TSV: "variant<TAB>canonical" per line, blank lines
 * and lines starting with # skipped; or CSV (RFC 4180: quoted fields, ""
 * escapes, CRLF or LF) when its first line starts with "variant,canonical":
 * the first two fields of each row after that header, so that the
 * substitutions.csv of a scan loads as it is. FW_ERR_IO / FW_ERR_FORMAT
 * with a message naming the file and line in fw_template_error(). */
FW_API fw_status fw_template_load_canon(fw_template *t, const char *path);
FW_API size_t fw_template_canon_size(const fw_template *t);
FW_API const char *fw_template_error(const fw_template *t);
/* Writes the template form of `len` code points to `*out` (grown with
 * realloc as needed, like fw_normalize). */
FW_API fw_status fw_template_apply(const fw_template *t, const uint32_t *cps, size_t len,
                                   uint32_t **out, size_t *cap, size_t *out_len);
/* fw_template_apply() carrying fw_normalize_mapped()'s offsets along: an
 * output code point gets the offset of the first input code point it came
 * from. `*out_offsets` is grown like `*out`. */
FW_API fw_status fw_template_apply_mapped(const fw_template *t, const uint32_t *cps,
                                          const uint32_t *offsets, size_t len,
                                          uint32_t **out, size_t *cap, size_t *out_len,
                                          uint32_t **out_offsets, size_t *out_offsets_cap);

/* --------------------------------------------------------------- segment */

/* A passage: code points [cp_start, cp_end) of a normalized text, which
 * came from bytes [byte_start, byte_end) of the original. */
typedef struct fw_span {
    uint64_t byte_start, byte_end;
    uint32_t cp_start, cp_end;
} fw_span;

/* Cuts a text into passages of at least `min_chars` normalized code points
 * where the text allows: at line breaks and sentence ends, short pieces
 * merged with a neighbour, pieces over `max_chars` (0: no limit) cut where
 * the text itself says (see src/segment.c). `cps`, `offsets` and `ncps` are
 * fw_normalize_mapped()'s output for `text`. Passages tile the code points
 * in order. `*spans` holds `*cap` spans and is grown with realloc; `*count`
 * receives the number of passages (0 for an empty text). */
FW_API fw_status fw_segment(const char *text, size_t len, const uint32_t *cps,
                            const uint32_t *offsets, size_t ncps, unsigned min_chars,
                            unsigned max_chars, fw_span **spans, size_t *cap,
                            size_t *count);

/* --------------------------------------------------------------- shingle */

/* Number of character n-grams of a text of `len` code points: len - n + 1,
 * or 1 for a text shorter than n but not empty (the whole text is one
 * shingle), or 0 for an empty text. */
FW_API size_t fw_shingle_count(size_t len, unsigned ngram);

/* Hashes every character n-gram of `cps`, in order and with repeats, into
 * `out` (room for fw_shingle_count() values): XXH3-64 with `seed` over the
 * n code points packed as 3-byte little-endian values. `packed` is scratch
 * of fw_shingle_packed_size(len) bytes. Returns the number of hashes. */
FW_API size_t fw_shingle_packed_size(size_t len);
FW_API size_t fw_shingle_hash_all(const uint32_t *cps, size_t len, unsigned ngram,
                                  uint64_t seed, uint64_t *out, unsigned char *packed);

/* Sorts `n` hashes and removes repeats in place, giving the shingle set;
 * returns its size. `scratch` has room for n values (radix sort). */
FW_API size_t fw_shingle_set(uint64_t *hashes, size_t n, uint64_t *scratch);

/* fw_shingle_hash_all() then fw_shingle_set(): the sorted set of a text's
 * n-gram hashes. `scratch` has room for fw_shingle_count() values. Returns
 * the number of distinct shingles. */
FW_API size_t fw_shingle_hash(const uint32_t *cps, size_t len, unsigned ngram,
                              uint64_t seed, uint64_t *out, uint64_t *scratch);

/* --------------------------------------------------------------- minhash */

typedef struct fw_minhasher fw_minhasher;

/* K permutations h_k(x) = (a_k·x + b_k) mod 2^32 of the low 32 bits x of
 * each shingle hash, with odd a_k and b_k drawn from a SplitMix64 stream
 * seeded by `seed`. 1 ≤ k ≤ 1024. The same seed gives the same signatures
 * on every machine, code path and thread count. */
FW_API fw_status fw_minhasher_new(unsigned k, uint64_t seed, fw_minhasher **out);
FW_API void fw_minhasher_free(fw_minhasher *mh);
FW_API unsigned fw_minhasher_size(const fw_minhasher *mh);

/* The vector code paths of the sketch kernels. A minhasher starts on the
 * best one the CPU supports; forcing another one gives the same bits,
 * slower (bench/ uses it to compare them). */
typedef enum fw_simd {
    FW_SIMD_AUTO = 0,    /* the best this CPU supports */
    FW_SIMD_BASELINE,    /* any x86-64 (SSE2), or plain C elsewhere */
    FW_SIMD_AVX2,        /* x86-64-v3 */
    FW_SIMD_AVX512       /* x86-64-v4 */
} fw_simd;
FW_API const char *fw_simd_name(fw_simd simd);
FW_API int fw_simd_supported(fw_simd simd);
FW_API fw_simd fw_simd_best(void);
/* FW_ERR_ARG if this CPU cannot run that path. */
FW_API fw_status fw_minhasher_set_simd(fw_minhasher *mh, fw_simd simd);
FW_API fw_simd fw_minhasher_simd(const fw_minhasher *mh);

/* Writes K minimum values over `n` shingle hashes into `sig`. With n == 0
 * every value is UINT32_MAX. */
FW_API void fw_minhash_compute(const fw_minhasher *mh, const uint64_t *shingles,
                               size_t n, uint32_t *sig);

/* One-permutation hashing with optimal densification (Shrivastava 2017):
 * each shingle hashed once into one of K bins, which keep their minimum;
 * empty bins borrow from a bin chosen by a seeded probe sequence. Same
 * estimator as MinHash (share of equal values), one pass over the shingles
 * whatever K is; best on long texts. 1 ≤ k ≤ 1024. */
typedef struct fw_oph fw_oph;
FW_API fw_status fw_oph_new(unsigned k, uint64_t seed, fw_oph **out);
FW_API void fw_oph_free(fw_oph *oph);
FW_API void fw_oph_compute(const fw_oph *oph, const uint64_t *shingles, size_t n,
                           uint32_t *sig);

/* Share of equal positions of two K-value signatures: the Jaccard estimate. */
FW_API double fw_minhash_estimate(const uint32_t *a, const uint32_t *b, unsigned k);

/* ------------------------------------------------------------------- lsh */

/* Probability that a pair of Jaccard similarity `j` shares at least one of
 * `bands` bands of `rows` rows: 1 - (1 - j^rows)^bands. */
FW_API double fw_lsh_probability(double j, unsigned bands, unsigned rows);

/* Chooses bands × rows ≤ k for a Jaccard threshold, recall first: among the
 * choices where a pair at exactly the threshold becomes a candidate with
 * probability ≥ 0.99, the one with the least false-positive mass (the
 * integral of the probability below the threshold); when none reaches 0.99,
 * the one with the highest probability at the threshold. */
FW_API fw_status fw_lsh_choose(double threshold, unsigned k, unsigned *bands,
                               unsigned *rows);

/* A candidate pair of document numbers, a < b. */
typedef struct fw_pair {
    uint32_t a, b;
} fw_pair;

/* Candidate pairs among `n` signatures of `k` values (signature i at
 * sigs[i], NULL for a document without one). For each band, records
 * (band hash, document) are sorted; documents that share a bucket are
 * paired: all pairs when the bucket holds at most `FW_LSH_FULL_BUCKET`
 * documents, otherwise each member with the bucket's smallest number (a
 * star). The result is sorted and free of duplicates; free(*pairs). */
#define FW_LSH_FULL_BUCKET 16
FW_API fw_status fw_lsh_candidates(const uint32_t *const *sigs, size_t n, unsigned k,
                                   unsigned bands, unsigned rows, int threads,
                                   fw_pair **pairs, size_t *npairs);

/* The keys of a signature's bands, as fw_lsh_candidates_keyed() takes
 * them: the low 32 bits of XXH3 over each band's `rows` values, seeded by
 * the band number. `keys` has room for `bands` values. Storing keys instead
 * of signatures takes bands·4 bytes per item instead of k·4. */
FW_API void fw_lsh_band_keys(const uint32_t *sig, unsigned bands, unsigned rows,
                             uint32_t *keys);

/* fw_lsh_candidates() over band keys: item i has `bands` keys at keys[i]
 * (NULL for an item without). */
FW_API fw_status fw_lsh_candidates_keyed(const uint32_t *const *keys, size_t n,
                                         unsigned bands, int threads, fw_pair **pairs,
                                         size_t *npairs);

/* ---------------------------------------------------------------- verify */

/* Size of the intersection of two sorted, duplicate-free hash arrays. */
FW_API size_t fw_verify_intersection(const uint64_t *a, size_t na, const uint64_t *b,
                                     size_t nb);

/* Exact Jaccard |A∩B| / |A∪B| (0 when both are empty). */
FW_API double fw_verify_jaccard(size_t inter, size_t na, size_t nb);

/* ------------------------------------------------------------------ scan */

/* What became of one input. */
typedef enum fw_doc_status {
    FW_DOC_OK = 0,
    FW_DOC_REPAIRED, /* invalid UTF-8 replaced by U+FFFD, then processed */
    FW_DOC_EMPTY,    /* no characters left after normalization */
    FW_DOC_BINARY,   /* skipped: NUL bytes or mostly non-text */
    FW_DOC_ERROR     /* unreadable file, broken JSON line, corrupt archive */
} fw_doc_status;
#define FW_DOC_STATUS_COUNT 5

FW_API const char *fw_doc_status_name(fw_doc_status status);

/* How signatures are made: K-permutation MinHash, or one-permutation
 * hashing with optimal densification (faster on long texts, see bench/). */
typedef enum fw_sketch { FW_SKETCH_MINHASH = 0, FW_SKETCH_OPH } fw_sketch;
FW_API const char *fw_sketch_name(fw_sketch sketch);

/* A document larger than this is rejected unless options say otherwise:
 * its processing holds about 20 bytes per byte of text. */
#define FW_DEFAULT_MAX_DOC_BYTES ((uint64_t)256 << 20)

typedef struct fw_scan_options {
    unsigned ngram;          /* characters per shingle (default 5) */
    unsigned perms;          /* MinHash permutations K (default 128) */
    unsigned bands, rows;    /* 0, 0: chosen from threshold */
    double threshold;        /* Jaccard threshold in (0, 1] (default 0.8) */
    uint64_t seed;           /* seeds shingle hashes and permutations */
    int verify;              /* 1: exact Jaccard (default); 0: estimate */
    fw_sketch sketch;        /* FW_SKETCH_MINHASH (default) or FW_SKETCH_OPH */
    fw_simd simd;            /* FW_SIMD_AUTO (default): the best code path */
    int passages;            /* 1 (default): the passage level too */
    unsigned min_passage;    /* passages of at least this many normalized
                              * characters where the text allows (50) */
    unsigned max_passage;    /* longer pieces are cut (400; 0: never) */
    double passage_threshold;/* passages match when this share of the
                              * longer one's characters is aligned with
                              * the other (0.5), or 90% of the shorter one
                              * in runs of 4 or more (a teaser) */
    uint64_t boilerplate_docs;  /* a passage group in at least this many */
    double boilerplate_share;   /* ... and this share of the documents with
                                 * text is boilerplate (20 and 0.001) */
    double reuse_min;        /* reuse rows from this share on a side (0.3) */
    int template_mode;       /* 1: fold digits and apply the canon table */
    const char *canon_path;  /* TSV canon table replacing the default one
                              * (implies template_mode); NULL: default */
    int threads;             /* 0: all cores */
    const char *text_field;  /* JSONL field with the text (default "text") */
    const char *id_field;    /* JSONL field with the id (default "id") */
    uint64_t max_doc_bytes;  /* a document (file, JSON line, WARC record)
                              * larger than this is an error row, read
                              * past without being held (default 256 MiB;
                              * 0: the default) */
    uint64_t memory_limit;   /* bytes; 0 (default): everything in memory.
                              * Otherwise signatures, shingle hashes and
                              * band records go to files in tmp_dir, and
                              * band records are sorted in runs that fit;
                              * max_doc_bytes is lowered to at most
                              * limit / (64 x threads) */
    const char *tmp_dir;     /* where those files go (default: $TMPDIR or
                              * /tmp); they are unlinked as soon as made */
    /* Called now and then with the stage name, documents and bytes so
     * far, always on the thread that called fw_scan_add_path(),
     * fw_scan_add_text() or fw_scan_run(); return non-zero to stop the
     * scan (the call then returns FW_ERR_STOPPED). */
    int (*progress)(void *ctx, const char *stage, uint64_t docs,
                    uint64_t bytes);
    void *progress_ctx;
} fw_scan_options;

/* Fills `options` with the defaults above. */
FW_API void fw_scan_options_default(fw_scan_options *options);

typedef struct fw_scan fw_scan;

/* The passage level learns three things from the whole corpus it reads:
 * which short lines are a site's furniture (in enough documents), which
 * passages are (a group in enough documents) and which 3-grams are too
 * common to sketch. A small batch cannot learn them. With a model, a
 * passage is boilerplate when it matches one of the model's (the
 * boilerplate_docs and boilerplate_share options are not used). fw_scan_use_passage_model() (adding phase, before anything is
 * added) makes the scan use those of a model file instead;
 * fw_scan_write_passage_model() (results phase) writes the ones this scan
 * used, the given model's as it was when there was one. A model made with
 * another seed, --min-passage, template mode, canon table or
 * normalization is refused (FW_ERR_ARG, the error names the parameter);
 * a damaged one FW_ERR_FORMAT; a file that cannot be read or written
 * FW_ERR_IO. Both need the passage level (FW_ERR_ARG without). */
FW_API fw_status fw_scan_use_passage_model(fw_scan *scan, const char *path);
FW_API fw_status fw_scan_write_passage_model(const fw_scan *scan, const char *path);

/* A scan goes through three phases, in this order, and each call says
 * whether it may be made in the current one:
 *
 *   1. adding    fw_scan_new(), then fw_scan_add_path() / fw_scan_add_text()
 *                any number of times;
 *   2. running   fw_scan_run(), exactly once;
 *   3. results   the accessors below and fw_report_write*(), as often as
 *                wanted, from any number of threads at once;
 *
 * then fw_scan_free(). A call out of order (adding after the run, running
 * twice, reading results before the run, an index out of range) changes
 * nothing and returns FW_ERR_ARG (or an empty count) with a message saying
 * which rule it broke in fw_scan_error(). After a failed run only
 * fw_scan_error(), fw_scan_get_stats() and fw_scan_free() are meaningful.
 *
 * Lifetimes: every pointer a result hands out (ids, messages, the pairs
 * and reuse arrays) stays valid and unchanged until fw_scan_free(); no
 * later call reuses its memory. Text that may have to be read back from
 * disk (passage excerpts under a memory limit) is copied into the caller's
 * fw_passage_info / fw_group_info instead.
 *
 * Threads: results may be read from any number of threads at once, but
 * the scan has one message; when several threads make failing calls at
 * the same time, rely on the status codes and read fw_scan_error() from
 * one thread only. */

/* Checks the options (threshold in (0,1], ngram ≥ 1, 1 ≤ perms ≤ 1024,
 * bands·rows ≤ perms) and makes an empty scan. On FW_ERR_ARG, *out is
 * NULL and `why` (if not NULL, `why_size` bytes) says what is wrong. */
FW_API fw_status fw_scan_new(const fw_scan_options *options, fw_scan **out,
                             char *why, size_t why_size);
FW_API void fw_scan_free(fw_scan *scan);

/* Reads a file or a directory (recursively, in sorted order, following
 * symlinks but not loops). Files named *.jsonl or *.ndjson (after an
 * optional .gz/.zst suffix) hold one JSON document per line; files named
 * *.warc or *.wet are WARC archives, whose WET conversions and text
 * responses and resources are documents (id: WARC-Target-URI; HTML made
 * text) and whose other records are counted in skipped_records; any other
 * file is one document. gzip and zstd are detected by their magic bytes.
 * Inputs that cannot be read, broken records and documents over
 * max_doc_bytes become FW_DOC_ERROR documents; this returns an error only
 * for allocation failure, a stop requested by the progress callback, or a
 * call after fw_scan_run() (FW_ERR_ARG). */
FW_API fw_status fw_scan_add_path(fw_scan *scan, const char *path);

/* Adds one in-memory document: `len` bytes of `text` (copied; need not be
 * NUL-terminated) under `id` (a NUL-terminated string, copied). FW_ERR_ARG
 * after fw_scan_run(), or for a NULL id or a NULL text with len > 0. */
FW_API fw_status fw_scan_add_text(fw_scan *scan, const char *id, const char *text,
                                  size_t len);

/* Runs LSH, verification and clustering over everything added. Once only:
 * a second call returns FW_ERR_ARG. */
FW_API fw_status fw_scan_run(fw_scan *scan);

/* The message of the last failed call on this scan (file and reason, or the
 * rule a call broke), or "" if none failed. Valid until the next call on
 * the scan. This is the scan's one error channel: fw_report_write() uses it
 * too, and never leaves the reason only in errno. */
FW_API const char *fw_scan_error(const fw_scan *scan);

/* Results, after fw_scan_run(). Documents are numbered from 0 in input
 * order; every accessor takes a 0-based position. Pairs and clusters are
 * sorted by id. */
typedef struct fw_doc_info {
    const char *id;
    size_t rank;          /* position in id order (byte order of ids) */
    fw_doc_status status;
    uint64_t bytes;       /* raw bytes of the text */
    uint64_t chars;       /* code points after normalization */
    uint64_t shingles;    /* character n-grams (shingles, repeats counted) */
    int64_t cluster;      /* document number of the representative, or -1 */
    uint64_t cluster_size;/* documents in that cluster (0 when none) */
    const char *message;  /* why, for anything but ok; may be "" */
    uint64_t passages;    /* passages it was cut into (0 without passages) */
    double reused_share;  /* share of its characters aligned with text
                           * elsewhere (any span), boilerplate left out */
    double boilerplate_share; /* share of its characters in boilerplate
                           * passages and in boilerplate lines no passage
                           * holds; the two shares never count a character
                           * twice */
} fw_doc_info;

typedef struct fw_result_pair {
    uint32_t a, b;        /* document numbers, id(a) < id(b) */
    double jaccard;       /* exact; negative when not verified */
    double estimate;      /* from the signatures */
    double a_in_b;        /* |A∩B| / |A|; negative when not verified */
    double b_in_a;        /* |A∩B| / |B|; negative when not verified */
} fw_result_pair;

/* Documents added so far (any time: it counts as documents are read). */
FW_API size_t fw_scan_doc_count(const fw_scan *scan);
/* Document `doc` (0 ≤ doc < fw_scan_doc_count()). */
FW_API fw_status fw_scan_doc(const fw_scan *scan, size_t doc, fw_doc_info *info);
/* The number of the document at position `rank` in id order. */
FW_API fw_status fw_scan_doc_by_rank(const fw_scan *scan, size_t rank, size_t *doc);
/* Verified pairs: `*pairs` (NULL when there are none) holds `*count`. */
FW_API fw_status fw_scan_pairs(const fw_scan *scan, const fw_result_pair **pairs,
                               size_t *count);
/* The same count; 0 before the run. */
FW_API size_t fw_scan_pair_count(const fw_scan *scan);

/* The longest excerpt of fw_passage_info and fw_group_info, in bytes with
 * its NUL: 80 characters of up to 4 bytes. */
#define FW_EXCERPT_SIZE 321

/* Passages, after fw_scan_run() with passages on. In reports (and in the
 * `index` and `group` fields) passages are numbered per document from 1
 * and groups from 1, in id order of their first passage; the accessors
 * still take 0-based positions (passage `i` has index i + 1, group
 * position `i` is group i + 1). */
typedef struct fw_passage_info {
    uint32_t doc;         /* document number */
    uint32_t index;       /* position in the document, from 1 */
    uint64_t byte_start, byte_end; /* in the document's text */
    uint64_t chars;       /* normalized characters */
    uint64_t group;       /* 0 when it matched no other passage */
    char text[FW_EXCERPT_SIZE]; /* its first 80 characters, white space
                                 * collapsed, NUL-terminated */
} fw_passage_info;

typedef struct fw_group_info {
    uint64_t group;       /* its number, from 1 (lines have their own) */
    uint64_t passages, docs; /* a line: the documents it is in, twice */
    int boilerplate;      /* found in too many documents to be a copy */
    int line;             /* 1: a boilerplate line (fw_scan_boilerplate()
                           * only): a short line (under min_passage
                           * characters) in that many documents, counted by
                           * its normalized text with digit runs folded,
                           * and left out of every passage */
    uint64_t chars;       /* of its first passage (or its line) */
    char text[FW_EXCERPT_SIZE]; /* of its first passage (or its line) */
} fw_group_info;

/* Two documents sharing text (boilerplate left out), from their reused
 * spans: the matched passage pairs in those spans, the characters aligned
 * (the smaller side's count), and the share of each one's characters that
 * is aligned with the other. */
typedef struct fw_reuse_pair {
    uint32_t a, b;        /* document numbers, id(a) < id(b) */
    uint64_t shared_passages, shared_chars;
    double a_in_b, b_in_a;
} fw_reuse_pair;

/* A reused span: the longest stretch of document a's text that document b
 * repeats, through edits. Matched passages of the two documents that follow
 * each other (one unmatched passage between them bridged) are aligned
 * character by character; the span runs from the first to the last run of
 * at least three aligned characters. Boilerplate is left out. */
typedef struct fw_reused_span {
    uint32_t a, b;        /* document numbers, id(a) <= id(b); a == b for
                           * a text repeated within one document */
    uint64_t a_start, a_end; /* bytes of a's text, end exclusive */
    uint64_t b_start, b_end; /* bytes of b's text */
    uint64_t a_chars, b_chars; /* characters inside the span on each side
                                * (normalized; template form with
                                * template_mode) */
    uint64_t matched;     /* characters aligned between the two sides (their
                           * longest common subsequence) */
    double similarity;    /* matched / max(a_chars, b_chars) */
} fw_reused_span;

/* Spans sorted by id of a, a_start, id of b, b_start: `*spans` (NULL when
 * there are none) holds `*count`. */
FW_API fw_status fw_scan_spans(const fw_scan *scan, const fw_reused_span **spans,
                               size_t *count);
FW_API size_t fw_scan_span_count(const fw_scan *scan);

/* The text of document `doc` as it was read (a file's bytes after
 * decompression, a JSON string's UTF-8 bytes, a WARC record made text):
 * what the byte offsets of passages and spans point into. The scan keeps
 * texts for the passage level only: without it FW_ERR_ARG. A document
 * without text (empty, binary, error) gives `*len` 0. `*text` is malloc'ed
 * and NUL-terminated (the text itself may hold NUL bytes or invalid UTF-8);
 * free() it. With a memory limit it is read back from disk (FW_ERR_IO). */
FW_API fw_status fw_scan_doc_text(const fw_scan *scan, size_t doc, char **text, size_t *len);

/* ------------------------------------------------------------- explain */

/* The evidence that two documents share text, as a 查重 (plagiarism
 * check) report shows it: the runs of characters both have, and between
 * them the differences template mode would call equal. */

/* A run of at least `min_run` normalized characters that are the same, in
 * the same order, in both texts: bytes [a_start, a_end) of a's text and
 * [b_start, b_end) of b's. */
typedef struct fw_matched_run {
    uint64_t a_start, a_end, b_start, b_end;
    uint64_t chars;       /* normalized characters in it */
} fw_matched_run;

typedef enum fw_difference_kind {
    FW_DIFF_FIGURE = 0,   /* digits against digits: 2015 / 2024, 631 / 606 */
    FW_DIFF_WORD          /* a word the canon table maps to the other's:
                           * 进展 / 发展 */
} fw_difference_kind;

/* A place inside a span where a has bytes [a_start, a_end) and b has
 * [b_start, b_end), equal in template mode (--template). */
typedef struct fw_difference {
    uint64_t a_start, a_end, b_start, b_end;
    fw_difference_kind kind;
} fw_difference;

typedef struct fw_explanation {
    size_t a, b;                  /* the document numbers asked about */
    const char *a_text, *b_text;  /* their texts (fw_scan_doc_text()) */
    size_t a_len, b_len;
    uint64_t a_chars, b_chars;    /* normalized characters of each text */
    uint64_t a_marked, b_marked;  /* of these, those in a run (once each)
                                   * and not boilerplate: a_marked / a_chars
                                   * is a's copy ratio */
    size_t spans;                 /* the pair's reused spans (fw_scan_spans) */
    int from_spans;               /* 1: runs aligned inside those spans;
                                   * 0: the pair has none, runs of shared
                                   * n-grams of min_run characters */
    fw_matched_run *runs;         /* by a_start, then b_start */
    size_t nruns;
    fw_difference *diffs;         /* by a_start */
    size_t ndiffs;
} fw_explanation;

/* Explains documents `a` and `b` (a == b: text repeated within one). Each
 * span of the pair is aligned character by character (the longest common
 * subsequence, as the scan aligned it) and its runs of at least `min_run`
 * characters (≥ 1; 查重 services use 13) are kept; a pair without spans
 * gets the runs of n-grams of min_run characters the two share. After
 * fw_scan_run() with the passage level (it needs the texts); `*out` is
 * freed with fw_explanation_free(). */
FW_API fw_status fw_scan_explain(const fw_scan *scan, size_t a, size_t b, unsigned min_run,
                                 fw_explanation **out);
FW_API void fw_explanation_free(fw_explanation *explanation);

/* A substitution the spans show again and again: copies wrote `variant`
 * where their sources had `canonical` (the form more documents of the
 * corpus use; swaps.c says how the side is chosen). `count` is how often
 * the spans show it, `docs` the documents holding the variant opposite the
 * canonical. The rows of substitutions.csv, a canon table for
 * fw_template_load_canon() and --canon. */
typedef struct fw_substitution {
    const char *variant, *canonical; /* UTF-8, valid until fw_scan_free() */
    uint64_t count, docs;
} fw_substitution;

/* Substitutions, most frequent first (then variant, then canonical). */
FW_API size_t fw_scan_substitution_count(const fw_scan *scan);
FW_API fw_status fw_scan_substitution(const fw_scan *scan, size_t i, fw_substitution *row);

/* Passages of document `doc`; passage `i` (0-based) of it. An excerpt read
 * back from a spill file that fails gives FW_ERR_IO. */
FW_API uint32_t fw_scan_doc_passage_count(const fw_scan *scan, size_t doc);
FW_API fw_status fw_scan_doc_passage(const fw_scan *scan, size_t doc, uint32_t i,
                                     fw_passage_info *info);
/* Passages in a group, by group then document id then position. */
FW_API size_t fw_scan_grouped_count(const fw_scan *scan);
FW_API fw_status fw_scan_grouped_passage(const fw_scan *scan, size_t i,
                                         fw_passage_info *info);
/* Groups of matching passages; position `i` is group number i + 1. */
FW_API size_t fw_scan_group_count(const fw_scan *scan);
FW_API fw_status fw_scan_group(const fw_scan *scan, size_t i, fw_group_info *info);
/* Boilerplate: short lines and passage groups, most documents first (then
 * lines before groups, then by number). */
FW_API size_t fw_scan_boilerplate_count(const fw_scan *scan);
FW_API fw_status fw_scan_boilerplate(const fw_scan *scan, size_t i, fw_group_info *info);
/* Pairs at or above reuse_min on either side, sorted by id: `*pairs`
 * (NULL when there are none) holds `*count`. */
FW_API fw_status fw_scan_reuse(const fw_scan *scan, const fw_reuse_pair **pairs,
                               size_t *count);
FW_API size_t fw_scan_reuse_count(const fw_scan *scan);

/* Counters and timings of the scan: counts of what was read so far at any
 * time, the rest once fw_scan_run() has returned. */
typedef struct fw_scan_stats {
    uint64_t inputs;                     /* paths and texts added */
    uint64_t docs[FW_DOC_STATUS_COUNT];  /* documents per status */
    uint64_t bytes;                      /* raw text bytes read */
    uint64_t input_bytes;                /* bytes of files as stored */
    uint64_t skipped_records;            /* WARC records that are not
                                          * documents (warcinfo, request,
                                          * metadata, non-text responses) */
    uint64_t shingles;                   /* character n-grams, summed */
    unsigned bands, rows;
    double candidate_probability;        /* P(candidate | J = threshold) */
    uint64_t candidates, verified, clusters, clustered_docs;
    uint64_t band_runs;                  /* sorted LSH runs written to disk
                                          * (memory limit); 0: none */
    uint64_t passage_band_runs;          /* the same for passages */
    int threads;
    fw_simd simd;                        /* the MinHash code path used */
    uint64_t canon_entries;              /* canon table size (--template) */
    /* the passage level (zero when off) */
    uint64_t passages;                   /* passages cut */
    unsigned passage_bands, passage_rows;
    double passage_probability;          /* P(candidate | J = threshold) */
    uint64_t passage_candidates, passage_matches, passage_groups;
    uint64_t passage_screened;           /* candidates not aligned: their
                                          * MinHash estimate was too low */
    uint64_t grouped_passages, boilerplate_groups, reuse_pairs, spans;
    uint64_t boilerplate_lines;          /* short lines in that many documents */
    uint64_t boilerplate_docs_needed;    /* the boilerplate bar, in documents */
    /* seconds: wall time for read, lsh, verify, cluster; for the per-document
     * stages (JSON parse, normalize, shingle, minhash) the thread time summed
     * over threads, and t_sketch_wall the wall time they took together */
    double t_read, t_parse, t_normalize, t_shingle, t_minhash, t_sketch_wall;
    double t_lsh, t_verify, t_cluster;
    double t_passage_cut;                /* thread time: cut and sketch */
    double t_passages;                   /* wall: match, group, reuse */
    /* wall, parts of t_passages: LSH candidates, their verification by
     * alignment, the reused spans, the substitutions learnt from them */
    double t_passage_candidates, t_passage_verify, t_spans, t_swaps;
    uint64_t passage_stop_grams;         /* 3-grams too common to sketch */
    /* the process's peak resident memory (MB) at the end of reading and
     * sketching, the passage level, LSH, verification and clustering */
    double rss_sketch, rss_passages, rss_lsh, rss_verify, rss_cluster;
} fw_scan_stats;

FW_API void fw_scan_get_stats(const fw_scan *scan, fw_scan_stats *stats);
/* The options in force (defaults filled in); valid until fw_scan_free(). */
FW_API const fw_scan_options *fw_scan_get_options(const fw_scan *scan);

/* ---------------------------------------------------------------- report */

/* Writes pairs.csv, clusters.csv, docs.csv, with passages on passages.csv,
 * reuse.csv and boilerplate.csv (removed when off), and summary.json into `dir`
 * (created if missing). Each file is written in full and flushed to disk
 * before it replaces the old one, so a reader sees, and a process killed at
 * any moment (even by SIGKILL) leaves, each report complete: the old or the
 * new. Files are written unnamed (O_TMPFILE) and given the name
 * `dir/.NAME.tmp.PID` just before the rename, or for the whole write where
 * unnamed files are not supported; such names left by killed processes are
 * removed when a later call starts writing into `dir`. After fw_scan_run()
 * only (FW_ERR_ARG before); on failure fw_scan_error() names the file and
 * the reason. `report_seconds` receives the time taken (may be NULL). */
FW_API fw_status fw_report_write(fw_scan *scan, const char *dir,
                                 double *report_seconds);

/* Removes the temporary name of every report being written at this moment
 * in this process, if it has one yet: by fw_report_write(),
 * fw_report_write_pair_html(), fw_index_result_write() or a saved passage
 * model; reports already in place are kept. For a handler of a signal that then ends the process:
 * it is async-signal-safe (atomics and unlink() only, errno kept) and may
 * run on any thread at any time (a writer holds off every signal for the
 * few system calls that make or rename a name, and the handler waits for
 * them). From then on no report takes a temporary name: those being
 * written fail with FW_ERR_IO. */
FW_API void fw_report_unlink_temp(void);

/* Writes a report to read in a browser into the directory `dir`:
 * index.html (documents by status, pairs, clusters, passage groups,
 * boilerplate, the distributions as inline SVG, and the top `top` of each
 * list) and one page per pair (the two texts side by side, the runs of at
 * least `min_run` characters they share marked: fw_scan_explain()),
 * document (its sources by share, its text coloured by source), cluster
 * (members, the verified pairs that joined them, a similarity matrix) and
 * passage group the lists link to. No script, no network: the pages work
 * from file://. Every text and id is escaped. The directory is written
 * beside `dir` and renamed into place when complete; an existing `dir`
 * that is not such a report is not replaced (FW_ERR_IO). The same scan
 * gives the same bytes. After fw_scan_run() with the passage level
 * (FW_ERR_ARG without it); failures are named in fw_scan_error(). */
FW_API fw_status fw_report_write_html(const fw_scan *scan, const char *dir, unsigned top,
                                      unsigned min_run);

/* Would fw_report_write_html() put a report at `dir`? 1 when it does not
 * exist or is such a report; else 0, with why in `why` (a program asks
 * before a long scan, not after it). */
FW_API int fw_report_html_dir_ok(const char *dir, char *why, size_t why_size);

/* The page of one pair of documents alone, as the file `path` (written
 * beside it and renamed into place). */
FW_API fw_status fw_report_write_pair_html(const fw_scan *scan, size_t a, size_t b,
                                           unsigned min_run, const char *path);

/* Writes pairs.csv to an open stream (e.g. stdout); after fw_scan_run(). */
FW_API fw_status fw_report_write_pairs(const fw_scan *scan, void *file /* FILE* */);

/* ----------------------------------------------------------------- index */

/* A persistent index: documents scanned once, then new ones checked
 * against them without scanning the old ones again (src/index*.c). It is
 * a directory of immutable segments (each a band file of the documents'
 * LSH band keys, a table of ids, counts and the pairs found when it was
 * added, the documents' texts, zstd-compressed, and with the passage level
 * a band file of their passages' keys) and a MANIFEST naming them with
 * every parameter that changes answers (ngram, perms, bands, rows,
 * threshold, seed, sketch, template mode and canon table, the
 * normalization; the passage parameters and the passage model the index
 * learned from its first batch). Every file is checksummed and checked before it is
 * believed. One writer at a time (flock on DIR/LOCK, released when the
 * writer dies); a writer never changes a file in place: it writes new
 * ones and then replaces the MANIFEST atomically, so a reader, or a
 * writer killed at any moment, sees one whole generation.
 *
 * What a query promises: its pairs are exactly the rows of a scan of the
 * indexed documents and the new ones together that involve a new one
 * (same candidates, bucket for bucket, same exact verification); with the
 * passage level, its spans and reuse rows are those of such a scan with
 * the index's passage model (options.passages off: a documents-only
 * index, or a query at the document level only). */
typedef struct fw_index fw_index;

/* Creates the index directory `dir` (absent or empty) with the parameters
 * of `options` (bands and rows chosen as a scan would; passages and their
 * parameters too; memory limit and reading options are not the index's)
 * and opens it for
 * writing. It takes the writer's lock (DIR/LOCK) before it looks at the
 * directory, so of two creations of one directory at once one fails with
 * FW_ERR_ARG ("not empty"). On failure *out is NULL and `why` says why. */
FW_API fw_status fw_index_create(const char *dir, const fw_scan_options *options,
                                 fw_index **out, char *why, size_t why_size);

/* An index of the passage level, created and still empty, takes the
 * passage model file `path` (fw_scan_write_passage_model(), `scan
 * --save-passage-model`; made with the index's seed, --min-passage,
 * template mode, canon table and normalization) instead of learning one
 * from its first batch: a crawl's model for a library. The file is copied
 * into the index. FW_ERR_ARG (fw_index_error() says why) for an index with
 * documents or a model already, or without the passage level, or a model
 * of other parameters; FW_ERR_FORMAT for a damaged one. */
FW_API fw_status fw_index_use_passage_model(fw_index *index, const char *path);

/* Opens an index: to read (flags 0), or to write (FW_INDEX_WRITE: waits
 * for the lock, then removes what killed writers left: files with a name
 * and first bytes of its writers' that the MANIFEST does not name, nothing
 * else). FW_ERR_FORMAT for a manifest, segment or canon.tsv that fails its
 * checks, with `why` naming the file. */
#define FW_INDEX_WRITE 1
FW_API fw_status fw_index_open(const char *dir, int flags, fw_index **out, char *why,
                               size_t why_size);
FW_API void fw_index_close(fw_index *index);

/* A writer (fw_index_open() with FW_INDEX_WRITE, fw_index_create(), which
 * takes the lock before it looks at the directory) that finds the lock
 * held calls `fn` (once, with the directory) before it waits for it: a
 * CLI can say what it waits for. Process-wide; NULL (the default) says
 * nothing. */
typedef void (*fw_index_wait_fn)(const char *dir, void *arg);
FW_API void fw_index_on_wait(fw_index_wait_fn fn, void *arg);

/* The message of the last failed call on the index, or "". After an add,
 * remove or compact that succeeded: "" or a warning (the change was
 * committed, but flushing the directory to disk failed, so it may not
 * survive a power loss). */
FW_API const char *fw_index_error(const fw_index *index);

/* Fills `options` with the defaults and the index's parameters (its
 * canon_path, for an index in template mode with its own table, points
 * into the index: valid until fw_index_close()). */
FW_API void fw_index_scan_options(const fw_index *index, fw_scan_options *options);

/* FW_ERR_ARG when `options` differ from the index in a parameter that
 * changes answers; fw_index_error() names the first one and both values. */
FW_API fw_status fw_index_check_options(fw_index *index, const fw_scan_options *options);

/* A batch of new documents for fw_index_query(): a scan with the index's
 * parameters (`options` gives the rest: threads, JSONL fields, progress,
 * max_doc_bytes; its answer-changing parameters must be the index's) that
 * keeps their texts. Add inputs to it as to any scan, then query; free it
 * with fw_scan_free() after the result. */
FW_API fw_status fw_index_batch_new(fw_index *index, const fw_scan_options *options,
                                    fw_scan **batch);

/* A batch only to be added (what `index build` and `index add` make): as
 * fw_index_batch_new(), but its query finds the pairs alone, not the spans
 * and reuse rows of the passage level, which only reports show (a first
 * batch still learns the index's passage model). Its result cannot be
 * written as reports (fw_index_result_write() refuses it) and has no span
 * or reuse rows. */
FW_API fw_status fw_index_batch_to_add(fw_index *index, const fw_scan_options *options,
                                       fw_scan **batch);

/* What a query found. */
typedef struct fw_index_result fw_index_result;

/* Runs the batch (fw_scan_run()) and checks its documents against the
 * index and among themselves. An id the index already holds is renamed as
 * a scan renames repeated ids ("id#2", ...). The result refers to the
 * batch: free it first. Every id the result gives (pairs, clusters) is its
 * own copy, valid until fw_index_result_free() whatever the index does
 * meanwhile: a result written after fw_index_add(), _remove() or
 * _compact() (which unmap the generation it was made against) still names
 * the documents as the query found them. */
FW_API fw_status fw_index_query(fw_index *index, fw_scan *batch, fw_index_result **out);
FW_API void fw_index_result_free(fw_index_result *result);

/* A pair with a new document, as pairs.csv has it: id(a) < id(b). */
typedef struct fw_index_match {
    const char *id_a, *id_b;  /* valid until fw_index_result_free() */
    int a_indexed, b_indexed; /* 1: that one is in the index */
    double jaccard, estimate, a_in_b, b_in_a;
} fw_index_match;
FW_API size_t fw_index_result_pair_count(const fw_index_result *result);
FW_API fw_status fw_index_result_pair(const fw_index_result *result, size_t i,
                                      fw_index_match *match);

/* With the passage level (an index of it, a batch with it): a reused span
 * with a new document, as spans.csv has it (id(a) <= id(b), byte offsets
 * in each document's text, end exclusive), and a reuse row, as reuse.csv
 * has it. Ids valid until fw_index_result_free(). Counts 0 without. */
typedef struct fw_index_span {
    const char *id_a, *id_b;
    int a_indexed, b_indexed;   /* 1: that one is in the index */
    uint64_t a_start, a_end, b_start, b_end;
    uint64_t a_chars, b_chars, matched;
    double similarity;
} fw_index_span;
FW_API size_t fw_index_result_span_count(const fw_index_result *result);
FW_API fw_status fw_index_result_span(const fw_index_result *result, size_t i,
                                      fw_index_span *span);
typedef struct fw_index_reuse {
    const char *id_a, *id_b;
    int a_indexed, b_indexed;
    uint64_t shared_passages, shared_chars;
    double a_in_b, b_in_a;
} fw_index_reuse;
FW_API size_t fw_index_result_reuse_count(const fw_index_result *result);
FW_API fw_status fw_index_result_reuse(const fw_index_result *result, size_t i,
                                       fw_index_reuse *reuse);

/* A new document as the query's docs.csv has it, in input order: its id
 * as the query named it (renamed: 1 when the index held the id already,
 * "id#2"), the cluster named by its smallest id (NULL when in none), and
 * with the passage level the shares of its characters reused from other
 * documents, archived or new, and in boilerplate (negative without it).
 * Strings valid until fw_index_result_free(). */
typedef struct fw_index_doc {
    const char *id;
    fw_doc_status status;
    uint64_t bytes, chars, shingles;
    uint64_t passages;
    double reused_share, boilerplate_share;
    const char *cluster;
    uint64_t cluster_size;
    const char *message;      /* docs.csv's: the scan's, and the renaming;
                               * "" when none */
    int renamed;
} fw_index_doc;
FW_API size_t fw_index_result_doc_count(const fw_index_result *result);
FW_API fw_status fw_index_result_doc(const fw_index_result *result, size_t i,
                                     fw_index_doc *doc);

/* Writes pairs.csv, clusters.csv and docs.csv into `dir` (created if
 * missing): the rows a scan of index and batch together has for the
 * batch's documents (docs.csv: the batch's documents in input order;
 * clusters.csv: the rows of the batch's documents); with the passage level
 * reuse.csv and spans.csv too, and docs.csv's passage columns (a scan with
 * the index's passage model). Each file is flushed to disk and renamed
 * into place. */
FW_API fw_status fw_index_result_write(fw_index *index, const fw_index_result *result,
                                       const char *dir);

/* Adds the batch of `result` to the index as a new segment (a writer's
 * index, the result of a query on it since its last change). */
FW_API fw_status fw_index_add(fw_index *index, const fw_index_result *result);

/* Marks the documents with these ids removed (tombstones): no query finds
 * them after. *removed receives how many were found and removed. Of the
 * documents given one id (named x, x#2, x#3... as a scan names them), one
 * goes only with those after it (the last ones may go alone): else
 * FW_ERR_ARG, nothing removed, and fw_index_error() says which stays. */
FW_API fw_status fw_index_remove(fw_index *index, const char *const *ids, size_t n,
                                 size_t *removed);

/* Merges every segment into one, leaving removed documents out. Changes
 * no answer. */
FW_API fw_status fw_index_compact(fw_index *index);

typedef struct fw_index_info {
    uint64_t generation;      /* manifest replacements since creation */
    uint64_t documents;       /* live documents */
    uint64_t removed;         /* tombstones */
    uint64_t segments;
    uint64_t pairs;           /* verified pairs live: stored, less those of a
                               * removed document or withdrawn since, with those
                               * found since */
    uint64_t docs_bytes, band_bytes, text_bytes; /* the files, summed */
    uint64_t text_raw_bytes;  /* the texts before compression */
    uint64_t passage_band_bytes; /* the passages' band files (0 without the
                               * passage level) */
    char passage_model[48];   /* its passage model's file name ("" if none) */
    uint64_t passage_model_bytes;
    uint64_t passage_screen_bytes; /* the passages' screen files: what a
                               * query screens candidates with before it
                               * cuts an indexed document again */
    uint64_t unscreened_segments; /* segments of the passage level without
                               * one (written by a fanwen before them):
                               * their candidates' documents are all cut */
} fw_index_info;
FW_API void fw_index_get_info(const fw_index *index, fw_index_info *info);
/* Segment `i`: its name, documents and first and last document numbers. */
FW_API fw_status fw_index_segment(const fw_index *index, size_t i, const char **name,
                                  uint64_t *documents, uint64_t *first, uint64_t *last);
/* Checks every block and text of every segment (slow; what `index info
 * --check` does). */
FW_API fw_status fw_index_check(fw_index *index);

/* The text of the live document `id` as it was indexed (the bytes spans'
 * offsets count in), a malloc'ed copy in *text (NUL-terminated, free() it)
 * of *len bytes, and its status (a document without text, empty or
 * unreadable when added, gives ""). FW_ERR_ARG (*status FW_DOC_ERROR,
 * *text NULL) when no live document has the id; FW_ERR_FORMAT for a
 * damaged text (fw_index_error() names its file). */
FW_API fw_status fw_index_text(fw_index *index, const char *id, char **text, size_t *len,
                               fw_doc_status *status);

/* ---------------------------------------------------------------- staged */

/* A scan cut into tasks that a scheduler (Slurm job arrays, Kubernetes
 * indexed jobs, or fw_plan_run_task() in a loop) runs anywhere that sees
 * the same work directory, with results byte-identical to fw_scan_run()
 * and fw_report_write() over the same inputs. Stages, in order:
 *
 *   sketch  per shard (a run of consecutive inputs): read, normalize,
 *           shingle, sketch; the shard's documents, and its LSH band
 *           records in band files, one per partition of the key space
 *   rank    one task: every document's rank in id order
 *   bands   per partition: partition p of every shard's band files merged,
 *           the candidate pairs of its buckets
 *   gather  per shard: the shard read again, the exact shingle sets of its
 *           documents that are in a candidate pair
 *   verify  per partition (a range of ranks): the candidates whose first
 *           document falls in it, verified on the gathered sets
 *   finish  one task: the passage level, clusters and the reports
 *
 * Tasks hand files to each other in the work directory; each task writes
 * its files under temporary names, renames them into place and then
 * writes its done marker. A finished task run again does nothing; a task
 * killed or failed is redone from scratch; a task whose inputs are not all
 * there fails with a message naming what is missing and writes nothing
 * (staged.c says more). */
typedef enum fw_stage {
    FW_STAGE_SKETCH = 0,
    FW_STAGE_RANK,
    FW_STAGE_BANDS,
    FW_STAGE_GATHER,
    FW_STAGE_VERIFY,
    FW_STAGE_FINISH
} fw_stage;
#define FW_STAGE_COUNT 6

/* "sketch", "rank", "bands", "gather", "verify", "finish"; the stage named `name`
 * into *stage (returns 0 for no such name). */
FW_API const char *fw_stage_name(fw_stage stage);
FW_API int fw_stage_from_name(const char *name, fw_stage *stage);

typedef struct fw_plan fw_plan;

/* What a plan is made of besides the scan's options. */
typedef struct fw_plan_layout {
    unsigned shards;      /* input shards: runs of consecutive paths, at most
                           * one per path (0: one per path) */
    unsigned partitions;  /* of the band key space and of the ranks (>= 1) */
    const char *out;      /* the report directory the finish task writes
                           * (relative to the working directory) */
    const char *passage_model;      /* a passage model the finish task uses
                                     * (fw_scan_use_passage_model), NULL: none */
    const char *save_passage_model; /* where the finish task writes the one it
                                     * used (fw_scan_write_passage_model), NULL:
                                     * nowhere */
} fw_plan_layout;

/* Writes the plan of a scan of `paths` with `options` into the directory
 * `work` (made if missing): the options that change results (and a hash
 * of the canon table's bytes, which the tasks reading it check again),
 * this library's version, a hash of all that, the working directory (paths and
 * ids are relative to it, as fw_scan_add_path() takes them) and the paths
 * in shards; with a passage model, its path and a hash of its bytes (the
 * finish task refuses a model changed since), checked against the options
 * now. An existing plan with the same hash is kept (and the work
 * already done with it); one with other options or another version is
 * refused (FW_ERR_ARG), `why` saying which. A memory limit is refused:
 * shards bound a task's memory instead. */
FW_API fw_status fw_plan_create(const char *work, const fw_scan_options *options,
                                const char *const *paths, size_t npaths,
                                const fw_plan_layout *layout, char *why, size_t why_size);

/* Opens the plan in `work`: FW_ERR_IO when there is none, FW_ERR_FORMAT
 * when it is damaged, FW_ERR_ARG when another version of fanwen made it;
 * `why` says which. */
FW_API fw_status fw_plan_open(const char *work, fw_plan **out, char *why, size_t why_size);
FW_API void fw_plan_free(fw_plan *plan);

/* Tasks in a stage (shards, partitions, or 1). */
FW_API unsigned fw_plan_tasks(const fw_plan *plan, fw_stage stage);
/* 1 when task `index` of `stage` has its done marker. */
FW_API int fw_plan_task_done(const fw_plan *plan, fw_stage stage, unsigned index);
/* The working directory the plan was made in, and its plan's hash (16 hex
 * digits). */
FW_API const char *fw_plan_cwd(const fw_plan *plan);
FW_API const char *fw_plan_hash(const fw_plan *plan);

/* Runs task `index` of `stage` with `threads` threads (0: all cores).
 * Not thread-safe with the rest of the process: the task chdir()s the
 * whole process to the plan's working directory (fw_plan_cwd: the inputs'
 * relative paths, and so the documents' ids, are relative to it) and back
 * to the directory it was called in when it returns (it stays in the
 * plan's when that one cannot be opened, O_RDONLY). No other thread of the
 * process may use relative paths meanwhile; a program that needs that runs
 * tasks in a child process, as `fanwen run` does. FW_ERR_ARG when the
 * index is out of range or an input of the task is missing (nothing is
 * written then); FW_OK at once when the task is already done. Messages in
 * fw_plan_error(). */
FW_API fw_status fw_plan_run_task(fw_plan *plan, fw_stage stage, unsigned index, int threads);
FW_API const char *fw_plan_error(const fw_plan *plan);

/* The documents that could not be read (status FW_DOC_ERROR, as a scan
 * counts them: `fanwen scan` exits 2 when there are any), as the finish
 * task counted them into its done marker: FW_ERR_ARG when the finish task
 * is not done. */
FW_API fw_status fw_plan_error_docs(const fw_plan *plan, uint64_t *count);

#ifdef __cplusplus
}
#endif
#endif
