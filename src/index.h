/* index.h — the persistent index's pieces (internal): the manifest
 * (index_manifest.c), segments on disk (index_segment.c), the index as a
 * whole (index.c: open, lock, add, remove, compact) and queries
 * (index_query.c, index_report.c). See fanwen.h for what it promises. */
#ifndef FW_INDEX_H
#define FW_INDEX_H

#include "fanwen.h"
#include "band_file.h"
#include "screen_file.h"
#include "sketch.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FW_INDEX_ERROR_SIZE 768
#define FW_INDEX_NAME_SIZE 48

/* Every parameter that changes answers, as the manifest records it. */
typedef struct fw_index_params {
    unsigned ngram, perms, bands, rows;
    double threshold;
    uint64_t seed;
    fw_sketch sketch;
    int template_mode;
    uint64_t canon_hash;      /* XXH3 of DIR/canon.tsv; 0: the built-in table
                               * (or none without template mode) */
    char normalization[64];   /* "fanwen-nfkc-casefold-1 utf8proc X.Y.Z" */
    /* The passage level (passages 0: a documents-only index, as every
     * index made before it had one): what changes its answers besides the
     * passage model the index learned from its first batch */
    int passages;
    unsigned min_passage, max_passage;
    double passage_threshold, reuse_min;
} fw_index_params;

/* The band files' tag: a hash of every parameter that changes keys. */
uint64_t fw_index_params_tag(const fw_index_params *p);
/* The passage band files' tag: the same, with the passage parameters and
 * the passage model's checksum. */
uint64_t fw_index_passage_tag(const fw_index_params *p, uint64_t model_sum);
/* A segment's passage band file's tag: the passage tag bound to the
 * segment (its first document number and its passage count), so that a
 * sound file of another segment is refused at open. */
uint64_t fw_index_segment_passage_tag(uint64_t passage_tag, uint64_t first, uint64_t passages);
/* A tag bound to a segment's mark (fw_manifest_segment), so that a sound
 * file made for a segment of another index or generation, with the same
 * parameters and numbers, is refused at open. Mark 0 (a segment written
 * before marks) leaves the tag as it was. */
uint64_t fw_index_mark_tag(uint64_t tag, uint64_t mark);

/* ------------------------------------------------------------ the manifest */

typedef struct fw_manifest_segment {
    char name[FW_INDEX_NAME_SIZE]; /* files NAME.docs, NAME.bands, NAME.text */
    uint64_t first, last, count;   /* document numbers, documents */
    /* What the segment holds (fw_segment_mark), in its .docs header and
     * every other file's tag: binds the files to this entry. 0: written by
     * a fanwen before marks, its files bound only to the parameters. */
    uint64_t mark;
} fw_manifest_segment;

typedef struct fw_manifest {
    fw_index_params params;
    uint64_t generation;
    uint64_t next_doc;             /* the number the next document gets */
    fw_manifest_segment *segs;     /* by first document number */
    size_t nsegs;
    char tombstones[FW_INDEX_NAME_SIZE]; /* "" when none */
    /* With the passage level: the passage model learned from the first
     * batch ("model-N", its XXH3), "" until there is one */
    char passage_model[FW_INDEX_NAME_SIZE];
    uint64_t passage_model_sum;
} fw_manifest;

/* Reads DIR/MANIFEST (FW_ERR_IO: absent or unreadable; FW_ERR_FORMAT: it
 * fails its checksum or does not parse). */
fw_status fw_manifest_read(const char *dir, fw_manifest *m, char *why, size_t why_size);
/* Writes it to a temporary name, flushes, renames it over DIR/MANIFEST and
 * flushes the directory. FW_OK once renamed (the new generation is live);
 * *durable 0 then when the directory's flush failed (`why` says so): the
 * change is made but may not survive a power loss. */
fw_status fw_manifest_write(const char *dir, const fw_manifest *m, int *durable, char *why,
                            size_t why_size);
void fw_manifest_free(fw_manifest *m);

/* FW_ERR_ARG with `why` naming the first parameter that differs. */
fw_status fw_index_params_compare(const fw_index_params *index, const fw_index_params *asked,
                                  char *why, size_t why_size);
/* The normalization this library does (fw_index_params.normalization). */
void fw_index_normalization(char *out, size_t size);

/* Flushes directory `dir` (after a rename into it). */
fw_status fw_index_sync_dir(const char *dir);

/* The end of every file the index writes under a temporary name: `f`
 * (written to `tmp`; `ok` 0 when a write already failed) flushed, checked,
 * fsync'ed, closed and renamed to `path`; on any failure `tmp` is removed
 * and FW_ERR_IO returned (`why` set unless `ok` was 0). The directory is
 * the caller's to flush. */
fw_status fw_index_file_finish(FILE *f, int ok, const char *tmp, const char *path, char *why,
                               size_t why_size);

/* ------------------------------------------------------------- segments */

/* One document of a segment's table (72 bytes on disk, little-endian).
 * Texts are compressed a few consecutive documents to a zstd frame. */
typedef struct fw_seg_doc {
    uint64_t number, bytes, chars, shingles;
    uint64_t text_at;          /* the zstd frame holding its text, in NAME.text */
    uint64_t text_sum;         /* XXH3-64 of that frame */
    uint64_t str_at;           /* id NUL message NUL in the strings */
    uint32_t text_zlen;        /* the frame's bytes (0: no text) */
    uint32_t status;           /* fw_doc_status */
    uint32_t in_frame;         /* where its text starts in the frame's bytes */
    uint32_t passages;         /* its passages, with the passage level (0
                                * in an index without one) */
} fw_seg_doc;

/* A pair of document numbers, verified when one of them was added. */
typedef struct fw_seg_pair {
    uint64_t a, b;
} fw_seg_pair;

typedef struct fw_seg {
    char name[FW_INDEX_NAME_SIZE];
    uint64_t first, last;
    const fw_seg_doc *docs;    /* by number, in the mapped NAME.docs */
    size_t ndocs;
    const uint32_t *by_id;     /* positions in docs, in id order */
    const fw_seg_pair *pairs;
    size_t npairs;
    const char *strings;
    uint64_t strings_size;
    uint64_t text_raw_bytes;   /* its texts before compression (fw_index_info) */
    void *docs_map;
    size_t docs_size;
    fw_band_file *bands;
    const unsigned char *text; /* the mapped NAME.text */
    size_t text_size;
    fw_band_file *pbands;      /* NAME.pbands: the passages' band keys, a
                                * narrow band file whose items are passage
                                * ordinals (NULL without the passage level) */
    fw_screen_file *pscreen;   /* NAME.pscreen: what the screen needs of
                                * each passage, by ordinal; NULL without
                                * the passage level, or for a segment an
                                * earlier fanwen wrote (its candidates are
                                * then cut to be screened) */
    uint32_t *pfirst;          /* ndocs + 1: the ordinal of each document's
                                * first passage (its passages in number
                                * order, then position, counted from 0) */
    uint32_t *phint;           /* per FW_SEG_HINT ordinals, the document
                                * holding the first: a lookup searches a few
                                * neighbours, not all of pfirst */
    size_t nhint;
} fw_seg;

#define FW_SEG_HINT_SHIFT 4

/* A passage ordinal of `seg` as a query names a passage, into *member: its
 * document's number << 32 | its position there. 0 when the segment has no
 * such passage (a band file that is not its own): FW_ERR_FORMAT for the
 * caller, naming the file. */
int fw_segment_passage(const fw_seg *seg, uint64_t ordinal, uint64_t *member);
/* The same as its document's position in the segment and its own. */
int fw_segment_passage_at(const fw_seg *seg, uint64_t ordinal, size_t *pos, uint32_t *k);

/* Opens and checks a segment's files (the band files' blocks are checked
 * as they are read, the texts' frames as they are decompressed): its
 * .docs must carry the entry's mark, its band file's tag must be `tag`
 * bound to the mark; with ptag (not 0) its passage band and screen files
 * too, tagged with ptag bound to the segment (fw_index_segment_passage_tag)
 * and its mark. */
fw_status fw_segment_open(const char *dir, const fw_manifest_segment *ms, uint64_t tag,
                          uint64_t ptag, fw_seg *seg, char *why, size_t why_size);
void fw_segment_close(fw_seg *seg);

const char *fw_segment_id(const fw_seg *seg, size_t i);
const char *fw_segment_message(const fw_seg *seg, size_t i);
/* The position of document `number`, or -1. */
int64_t fw_segment_find_number(const fw_seg *seg, uint64_t number);
/* The position of the document with this id, or -1. */
int64_t fw_segment_find_id(const fw_seg *seg, const char *id);
/* The last frame of texts decompressed, kept for the next document of
 * the same frame (documents are read in number order: neighbours share
 * frames). Zero-initialize; fw_text_cache_free(). */
typedef struct fw_text_cache {
    const unsigned char *frame;  /* which (NULL: none) */
    char *buf;
    size_t cap, len;
    void *dctx;                  /* a ZSTD_DCtx, made at the first frame and
                                  * reused (ZSTD_decompress makes one a call) */
} fw_text_cache;
void fw_text_cache_free(fw_text_cache *c);

/* Document i's text: *text points into the cache (valid until its next
 * use), *len bytes. Its frame is checked (XXH3) before it is decompressed;
 * FW_ERR_FORMAT when it fails. */
fw_status fw_segment_text(const fw_seg *seg, size_t i, fw_text_cache *cache, const char **text,
                          size_t *len, char *why, size_t why_size);

/* A segment being written: documents in number order. */
typedef struct fw_seg_doc_in {
    uint64_t number;
    const char *id, *message;      /* message may be NULL */
    fw_doc_status status;
    uint64_t bytes, chars, shingles;
    uint32_t passages;
    const char *text;              /* `bytes` of it; NULL: none kept */
    const unsigned char *frame;    /* or an already compressed frame holding
                                    * it at in_frame (checked by the caller;
                                    * consecutive documents of one frame
                                    * pass the same pointer) */
    uint32_t frame_len, in_frame;
    uint64_t frame_sum;
} fw_seg_doc_in;

/* The mark of a segment made of these documents and pairs: an XXH3 of
 * what each document is (number, id, message, status, counts, and its text
 * or, copied by compaction, its frame's checksum and place) and of the
 * pairs, into *mark, never 0. Two segments with the same mark hold the
 * same answers. */
fw_status fw_segment_mark(const fw_seg_doc_in *docs, size_t ndocs, const fw_seg_pair *pairs,
                          size_t npairs, uint64_t *mark);
/* Writes NAME.docs, `mark` in its header, and NAME.text (the band file is
 * the caller's: it writes NAME.bands with fw_band_writer), the texts
 * compressed on `threads` threads. Both under temporary names, flushed,
 * then renamed into place. */
fw_status fw_segment_write(const char *dir, const char *name, uint64_t mark,
                           const fw_seg_doc_in *docs, size_t ndocs, const fw_seg_pair *pairs,
                           size_t npairs, int threads, char *why, size_t why_size);

/* ----------------------------------------------------------- the index */

struct fw_index {
    char *dir;
    char *canon_path;          /* DIR/canon.tsv, the template table's copy */
    int lock_fd;               /* -1 for a reader */
    fw_manifest man;
    fw_seg *segs;          /* as man.segs */
    uint64_t *removed;         /* tombstones: document numbers, sorted */
    size_t nremoved;
    fw_seg_pair *extra;        /* pairs found when documents were removed
                                * (kept with the tombstones) */
    size_t nextra;
    fw_seg_pair *withdrawn;    /* segments' pairs no longer candidates */
    size_t nwithdrawn;
    fw_normalizer *normalizer; /* made once, lent to every batch */
    /* the components of the stored pairs (index_query.c), made at the
     * first query of a generation: per document number its root, and per
     * root the live documents in it and its smallest id's number */
    uint32_t *root, *comp_size;
    uint64_t *comp_min;
    uint64_t comp_n;           /* numbers covered (next_doc) */
    uint64_t *live_pairs;      /* the live pairs, a << 32 | b with a < b, sorted */
    size_t nlive_pairs;
    /* the passage level: the model, read when a generation naming it is
     * opened and lent to every batch, and its boilerplate passages
     * sketched, made at the first query (index_passages.c). Batches
     * outlive generations (a query, then an add), so the model is kept
     * while later generations name the same file and sum, and one they
     * do not name is retired, not freed, until fw_index_close(). */
    struct fw_passage_model *model;
    char model_name[FW_INDEX_NAME_SIZE];
    uint64_t model_sum;
    struct fw_passage_model **retired;
    size_t nretired;
    struct fw_known_passages *known;
    char error[FW_INDEX_ERROR_SIZE];
};

/* Batch document i's message as docs.csv has it ("" for none). */
const char *fw_index_result_message(const fw_index_result *r, size_t i);

/* Forgets the components (a new generation). */
void fw_index_forget_components(fw_index *ix);
/* Makes ix->live_pairs and the components if not made yet. */
fw_status fw_index_components(fw_index *ix);
/* Is x << 32 | y (x < y) a live pair? After fw_index_components(). */
int fw_index_live_pair(const fw_index *ix, uint64_t packed);

fw_status fw_index_fail(fw_index *ix, fw_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int fw_index_is_removed(const fw_index *ix, uint64_t number);
/* The segment holding document `number` and its position there; NULL. */
const fw_seg *fw_index_find_number(const fw_index *ix, uint64_t number, size_t *pos);
/* The id of document `number` ("" if none). */
const char *fw_index_id(const fw_index *ix, uint64_t number);
/* A live document with this id: its number, or -1. */
int64_t fw_index_find_id(const fw_index *ix, const char *id);
/* Live documents. */
uint64_t fw_index_live(const fw_index *ix);
/* "DIR/NAME.EXT" into out. */
void fw_index_path(const fw_index *ix, char *out, size_t size, const char *name,
                   const char *ext);

/* A writer's steps (index.c): the generation after a change made live
 * (the directory flushed, the manifest replaced, the generation opened
 * again); the manifest after `cur` with one more segment (none when `seg`
 * is NULL), next->segs to be freed; a file of the index, or every file of
 * segment `name`, removed (those it has). */
fw_status fw_index_commit(fw_index *ix, fw_manifest *next);
fw_status fw_index_append_segment(fw_manifest *next, const fw_manifest *cur,
                                  const fw_manifest_segment *seg);
void fw_index_remove_file(fw_index *ix, const char *name, const char *ext);
void fw_index_remove_segment_files(fw_index *ix, const char *name);

/* ---------------------------------------------- tombstones (index_tombstones.c) */

/* The first 8 bytes of a tombstone file. */
#define FW_TOMB_MAGIC "FWTOMBS"

/* A growing list of pairs, each stored a < b. */
typedef struct fw_seg_pair_list {
    fw_seg_pair *v;
    size_t len, cap;
} fw_seg_pair_list;

/* Appends {x, y} in order (0 when out of memory). */
int fw_seg_pairs_push(fw_seg_pair_list *l, uint64_t x, uint64_t y);
/* The order of pairs lists and tombstones keep: by a, then b (qsort's). */
int fw_seg_pair_cmp(const void *a, const void *b);
/* Sorts the list by (a, b) and drops repeats. */
void fw_seg_pairs_sort_unique(fw_seg_pair_list *l);

/* The generation's tombstone file (ix->man.tombstones, if any) read into
 * ix->removed, ix->extra and ix->withdrawn; FW_ERR_FORMAT when damaged. */
fw_status fw_index_read_tombstones(fw_index *ix, char *why, size_t n);

/* What a query found (index_query.c), read by index_report.c and index.c. */
typedef struct fw_index_pair {
    uint64_t a, b;             /* numbers, id(a) < id(b); the batch's
                                * documents are numbered from next_doc in
                                * id order */
    double jaccard, estimate, a_in_b, b_in_a;
} fw_index_pair;

/* What a query did, for its summary.json: wall seconds of its steps and
 * what they handled. */
typedef struct fw_query_measures {
    double batch, candidates, verify, withdrawn, passages, passage_candidates, passage_cut,
        passage_match, clusters;
    uint64_t candidates_n, indexed_sketched, passage_candidates_n, passage_screened_out,
        indexed_cut, indexed_copies;
    uint64_t live, segments;   /* the index's, then */
} fw_query_measures;

struct fw_index_result {
    fw_scan *batch;
    uint64_t generation;       /* of the index it was made against */
    uint64_t base;             /* next_doc then: the batch's first number */
    size_t n;                  /* the batch's documents */
    char **ids;                /* by input order: the id as reported */
    int *renamed;              /* 1: renamed against the index */
    char **messages;           /* by input order: docs.csv's message of a
                                * renamed one (the scan's and the renaming),
                                * else NULL (fw_index_result_message) */
    size_t *order;             /* input positions in id order (number - base) */
    fw_index_pair *pairs;      /* sorted by id of a, then of b */
    size_t npairs;
    fw_seg_pair *withdrawn;    /* live pairs between indexed documents that
                                * index and batch together no longer give
                                * (a < b, sorted) */
    size_t nwithdrawn;
    const char **cluster;      /* by input order: the cluster's id or NULL
                                * (points into cluster_owned) */
    char **cluster_owned;      /* by input order: the cluster ids, copied so
                                * they outlive the mapping of the generation
                                * the query ran against */
    uint64_t *cluster_size;
    uint64_t *keyed;           /* the numbers of the batch's documents with a
                                * signature, ascending */
    size_t nkeyed;
    uint64_t *band_keys;       /* their band keys, band by band: band b's
                                * key of keyed[j] at [b * nkeyed + j] */
    uint64_t *ix_numbers;      /* the indexed documents the pairs name, sorted */
    char **ix_ids;             /* their ids, copied (by ix_numbers) */
    size_t nix;
    fw_index *index;
    fw_query_measures measured;
    /* The passage level (index_passages.c), with one: every batch
     * document's passages' band keys (document i's from bp_first[i]; a
     * first batch's kept from matching, in its numbering) and for a query
     * their signatures (copied from the cut) */
    uint64_t *bp_first;        /* n of them */
    size_t bp_total;
    uint16_t *bp_sigs;         /* fw_passage_value, PASSAGE_BANDS·ROWS each */
    uint8_t *bp_low;           /* or, for a batch that learned the model,
                                * only their low bytes (screen_file.h) */
    uint32_t *bp_keys;         /* FW_PASSAGE_BANDS each */
    /* indexed documents whose text is a batch document's, the same bytes
     * (verification found them): numbers, increasing, and that document's
     * input position. The passage level takes its passages, cut by the
     * same model from the same text, instead of cutting the text again. */
    uint64_t *copy_number;
    size_t *copy_pos, ncopies;
    /* and what the query found: spans and reuse rows involving the batch,
     * their documents numbered pdocs[a] (id order), and per batch document
     * (input order) its characters aligned elsewhere and in boilerplate */
    int passages;              /* 1: these are made */
    uint64_t *pdocs;
    size_t npdocs;
    fw_reused_span *pspans;
    size_t npspans;
    fw_reuse_pair *preuse;
    size_t npreuse;
    uint64_t *reused_chars, *boilerplate_chars;
};

/* A thread's share of a query's band lookups (index_lookup.c): scratch
 * records, a cursor a segment (on the band at hand), the caller's state. */
typedef struct fw_lookup_worker {
    fw_band_record *rec, *tmp; /* m records each */
    fw_band_cursor *cur;
    size_t failed_seg;         /* set by the caller: the segment whose file failed */
    void *own;
} fw_lookup_worker;

/* One band's lookups: FW_OK, or the status that stops them. */
typedef fw_status (*fw_lookup_band_fn)(fw_index *ix, const void *ctx, unsigned band,
                                       fw_lookup_worker *w);

/* fn for every band of [0, bands), on `threads` threads (own[t]: thread
 * t's state), with the cursors on each segment's document band file, or
 * passage band file (`passages`). The first failure is returned (the
 * bands not begun are skipped); a block that fails its check is reported
 * with its file. */
fw_status fw_index_lookup_bands(fw_index *ix, int passages, unsigned bands, int threads, size_t m,
                                fw_lookup_band_fn fn, const void *ctx, void *const *own);

/* The batch's passages' signatures and band keys (r->bp_*); nothing
 * without the passage level. */
fw_status fw_index_batch_passages(fw_index_result *r);

/* The tombstones of the generation `next` makes (index_tombstones.c):
 * `removed` (sorted, every removed document), with the pairs `found` live
 * since and those `lost`, on top of the current ones; writes tomb-GEN and
 * names it in `next`, or names none when there is nothing to say. */
fw_status fw_index_next_tombstones(fw_index *ix, fw_manifest *next, const uint64_t *removed,
                                  size_t nremoved, fw_seg_pair_list *found,
                                  fw_seg_pair_list *lost);
/* The same after adding batch `r`, whose query withdrew pairs. */
fw_status fw_index_withdraw(fw_index *ix, fw_manifest *next, const fw_index_result *r);
/* The writer of new segment `seg`'s band file: the documents' ("bands":
 * the index's bands, tagged with its parameters and the segment's mark) or
 * with `passages` the passages' ("pbands": narrow, FW_PASSAGE_BANDS bands,
 * tagged with the parameters, the passage model `model_sum`, the segment's
 * first document number, its `npassages` passages and its mark). A
 * failure is the index's error. */
fw_status fw_index_band_writer(fw_index *ix, const fw_manifest_segment *seg, int passages,
                               uint64_t model_sum, uint64_t npassages, fw_band_writer **w);
/* The writer of new segment `seg`'s screen file ("pscreen"), tagged as its
 * passage band file. A failure is the index's error. */
fw_status fw_index_screen_writer(fw_index *ix, const fw_manifest_segment *seg, uint64_t model_sum,
                                 uint64_t npassages, fw_screen_writer **w);
/* New segment `seg`'s passage band file: the batch's passage band keys in
 * a narrow band file, items the passages' ordinals in the segment (fw_seg's
 * pfirst), tagged with the passage model model_sum; on `threads` threads;
 * then its screen file, a record for each of those passages. */
fw_status fw_index_write_passage_bands(fw_index *ix, const fw_manifest_segment *seg,
                                       const fw_index_result *r, uint64_t model_sum, int threads);
/* The passage level of a query against an index with a passage model:
 * r->passages and the rows (index_passages.c says how). */
fw_status fw_index_query_passages(fw_index *ix, fw_index_result *r);
/* The same from the batch's own passage level, when the index had no model
 * yet (the batch learned one: its reports are a scan's of it alone). */
fw_status fw_index_own_passages(fw_index_result *r);

/* An indexed document made again from its stored text: its shingle set
 * and signature (index_remake.c). */
typedef struct fw_index_sketch {
    uint64_t number;
    uint64_t *set;
    size_t nset;
    uint32_t *sig;
    int shared;                /* set and sig are another's (a document with
                                * the same text), not freed with this one */
} fw_index_sketch;

/* Makes v[i] for each v[i].number (sorted), with the batch scan `s`'s
 * normalizer, template and sketch, in parallel; documents with the same
 * text share one sketch. */
fw_status fw_index_sketch_docs(fw_index *ix, const fw_scan *s, fw_index_sketch *v, size_t n);
/* The same, and an indexed text that is also the text of a batch document
 * whose set is made (made[i] for s->docs[i]) takes that document's set and
 * signature; same[i] (when `same` is not NULL) is that document, or NULL. */
fw_status fw_index_sketch_docs_with(fw_index *ix, const fw_scan *s, fw_index_sketch *v, size_t n,
                                    const uint8_t *made, const fw_doc_record **same);
const fw_index_sketch *fw_index_sketch_find(const fw_index_sketch *v, size_t n, uint64_t x);
void fw_index_sketches_free(fw_index_sketch *v, size_t n);


/* The id of number x in a result (the batch's or the index's). */
const char *fw_index_result_id(const fw_index_result *r, uint64_t x);

/* The batch's records of one band (documents with a signature: key, number),
 * sorted by key then number, into rec (r->nkeyed of them; tmp: as many of
 * scratch); returns how many (index_query.c; index.c writes them). */
size_t fw_index_batch_band(const fw_index_result *r, unsigned band, fw_band_record *rec,
                           fw_band_record *tmp);

#endif
