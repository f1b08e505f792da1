/* scan_internal.h — the scan object, shared by the files that make it up
 * (internal): scan.c sets it up and runs it, pipeline.c fills its records
 * while reading, match.c works on them after reading, scan_results.c hands
 * out the results. What the rest of the library needs of a scan is in
 * scan.h. */
#ifndef FW_SCAN_INTERNAL_H
#define FW_SCAN_INTERNAL_H

#include "fanwen.h"
#include "scan.h"
#include "band_runs.h"
#include "passage_match.h"
#include "passage_prep.h"
#include "pipeline.h"
#include "sketch.h"
#include "spill.h"

#include <omp.h>
#include <stdalign.h>

/* One thread's memory: the sketch stage's while reading; after reading,
 * match.c grows its `hashes` and `sig` buffers again (their contents are
 * not needed any more) and reads candidate sets into the rest. */
typedef struct fw_worker {
    alignas(64) fw_sketch_worker sketch;
    uint64_t *tmp;           /* radix-sort scratch for candidate sets */
    uint64_t *set_a, *set_b; /* sets read back, with a memory limit */
    size_t tmp_cap, set_a_cap, set_b_cap; /* in bytes */
    size_t set_a_doc;        /* whose set is in set_a (document + 1; 0: none) */
    fw_arena sigs;           /* the passages' signatures, freed once the
                              * passage level has them side by side (match.c) */
    fw_cut_scratch cut;      /* cutting passages after reading */
    char *text;              /* a text read back, with a memory limit */
    size_t text_cap;
    char pad[64];            /* no false sharing with the next worker */
} fw_worker;

struct fw_scan {
    fw_scan_options opt;
    char *text_field, *id_field;
    int threads;
    fw_normalizer *normalizer;
    int normalizer_borrowed; /* fw_scan_new_sharing()'s: not ours to free */
    fw_minhasher *minhasher;
    fw_oph *oph;             /* --sketch oph; NULL for classic MinHash */
    fw_template *tmpl;       /* --template; NULL when off */
    fw_minhasher *passage_minhasher; /* NULL when passages are off */
    fw_passage_config passage_cfg;
    struct fw_stop_grams *stop;    /* passage_stop.c, set by passage_prep.c */
    fw_passage_result passage;
    fw_sketch_context sketch; /* all of the above that sketching reads */
    char *canon_path;
    char *tmp_dir;
    fw_doc_record *docs;
    size_t ndocs, docs_cap;
    fw_pipeline pipe;
    fw_worker *workers;
    uint32_t *by_rank;
    fw_result_pair *pairs;
    size_t npairs;
    uint64_t read_bytes;     /* for progress: bytes of documents and lines */
    fw_scan_stats stats;
    /* --memory-limit: what is not kept in memory goes to files */
    int bounded;
    fw_spill hashes_file, sigs_file, sets_file;
    fw_spill passages_file;  /* passages' band keys and excerpts */
    fw_spill aligned_file;   /* the documents' aligned texts (passages) */
    fw_spill text_file;      /* the documents' texts (passages) */
    uint64_t big_doc_bytes;  /* a document larger is worked on by one
                              * thread at a time (bounded_setup says why) */
    omp_lock_t big_doc_lock;
    /* the boilerplate lines (passage_prep.c) */
    fw_boilerplate_line *lines;  /* by hash */
    uint64_t *line_hashes;   /* the same hashes, for lookups */
    size_t nlines;
    uint64_t *line_chars;    /* per document (rank): characters in them */
    struct fw_passage_model *model; /* --passage-model: the boilerplate lines
                              * and common 3-grams used instead of learned
                              * (passage_model.c); NULL: learned */
    char *model_path;        /* as given, for summary.json */
    int model_borrowed;      /* an index's (fw_scan_lend_passage_model) */
    int keep_passage_keys;   /* an index's first batch: every passage's */
    uint32_t *passage_keys;  /* band keys (global numbering, as
                              * s->passage.first, FW_PASSAGE_BANDS each),
                              * made before matching frees the signatures, */
    uint8_t *passage_low;    /* and the low byte of each signature value
                              * (FW_PASSAGE_PERMS each), for its screen file */
    int passages_cut_only;   /* an index's batch with its model: passages
                              * cut, not matched (index_passages.c matches
                              * them with the index's) */
    int add_only;            /* an index's batch to be added, not reported:
                              * no spans or reuse rows are made */
    fw_boilerplate_entry *boilerplate; /* lines and passage groups, most
                              * documents first (what fw_scan_boilerplate
                              * hands out) */
    size_t nboilerplate;
    fw_band_runs *runs;
    enum { FW_SCAN_ADDING, FW_SCAN_RUN, FW_SCAN_FAILED } phase; /* the call
                              * order of fanwen.h */
    /* what was added, for summary.json: a scan that can be run again */
    char *cwd;               /* the working directory paths are relative to */
    char **paths;            /* fw_scan_add_path()'s paths, as given */
    size_t npaths, paths_cap;
    uint64_t unrecorded;     /* paths past FW_RECORDED_PATHS: none kept */
    uint64_t texts_added;    /* fw_scan_add_text() calls (not recorded) */
    char *error;             /* the message of the last failed call: apart
                              * from the struct so that const accessors can
                              * set it too */
};

/* The document pairs of a staged scan (staged.h): the distinct candidates
 * its verify tasks counted, and the pairs they kept, by rank (a, b are
 * ranks here), in rank order: what fw_match_verify() would have kept. */
typedef struct fw_staged_pairs {
    uint64_t candidates;
    const fw_result_pair *pairs;
    size_t npairs;
} fw_staged_pairs;

/* fw_scan_run() for a scan whose records were loaded (a staged scan's
 * finish task) rather than read: every stage after reading, with the
 * document pairs given instead of found. */
fw_status fw_scan_run_staged(fw_scan *s, const fw_staged_pairs *staged);

/* A document's share of its aligned text (docs.csv's reused_share and
 * boilerplate_share, a scan's and a query's alike): `chars` of its
 * `naligned` aligned characters; 0 without any. */
static inline double fw_aligned_share(uint64_t chars, uint64_t naligned)
{
    return naligned ? (double)chars / (double)naligned : 0;
}

#endif
