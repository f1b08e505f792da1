/* staged.h — a scan as staged tasks (internal; see staged.c for the plan
 * and the tasks' life cycle, stage_sketch.c, stage_pairs.c,
 * stage_gather.c and stage_finish.c for what each stage does). */
#ifndef FW_STAGED_H
#define FW_STAGED_H

#include "fanwen.h"
#include "read_whole.h"

#include <stdint.h>
#include <stdio.h>

struct fw_plan {
    char *work;              /* absolute */
    char *cwd;               /* where the plan was made: paths are relative to it */
    char *out;               /* the report directory (relative to cwd) */
    char *version;
    char hash[17];           /* of the plan's text: 16 hex digits */
    uint64_t tag;            /* the same hash as a number: in every file */
    fw_scan_options opt;     /* its strings point into the plan's text */
    unsigned shards, partitions;
    char **paths;            /* into the plan's text */
    size_t npaths;
    size_t *shard_first;     /* shard s reads paths [shard_first[s], shard_first[s + 1]) */
    unsigned bands, rows;    /* the documents' LSH banding, as the scan chooses it */
    const char *canon_hash;  /* XXH3 of the canon table's bytes (NULL: none) */
    const char *passage_model;      /* for the finish task (NULL: none), */
    const char *passage_model_hash; /* with the XXH3 of its bytes */
    const char *save_passage_model; /* the finish task writes its model there */
    char *text;              /* the plan file, parsed in place */
    uint64_t error_docs;     /* the finish task's count of unreadable documents */
    char error[1024];
};

/* Sets the plan's message and returns `status`. */
fw_status fw_plan_fail(fw_plan *p, fw_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* fw_plan_fail with "cannot write PATH: " and the reason (errno's for an
 * I/O failure, else the status's). */
fw_status fw_plan_write_failed(fw_plan *p, fw_status st, const char *path);

/* `W/stage/NAME` into buf. */
void fw_plan_path(const fw_plan *p, char *buf, size_t size, fw_stage stage, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* Writing a file into place: opened under "path.tmp.PID", then flushed to
 * disk and renamed (commit), or removed (abandon). */
typedef struct fw_atomic_file {
    FILE *f;
    char path[4096], tmp[4200];
} fw_atomic_file;
fw_status fw_atomic_open(fw_atomic_file *a, const char *path);
fw_status fw_atomic_commit(fw_atomic_file *a);
void fw_atomic_abandon(fw_atomic_file *a);

/* Removes directory `dir` and the files in it (not below): FW_ERR_IO when
 * something stays; FW_OK when there was no such directory. */
fw_status fw_remove_dir(const char *dir);


/* The stages' bodies: the inputs are known to be there, the task's old
 * outputs gone; each writes its outputs into place (not the done marker). */
fw_status fw_stage_sketch(fw_plan *p, unsigned shard, int threads);
fw_status fw_stage_rank(fw_plan *p, int threads);
fw_status fw_stage_bands(fw_plan *p, unsigned partition, int threads);
fw_status fw_stage_gather(fw_plan *p, unsigned shard, int threads);
fw_status fw_stage_verify(fw_plan *p, unsigned partition, int threads);
fw_status fw_stage_finish(fw_plan *p, int threads);

/* The partition of a band key: partitions cut the 64-bit key space into
 * equal ranges. */
static inline unsigned fw_key_partition(uint64_t key, unsigned partitions)
{
    return (unsigned)(((unsigned __int128)key * partitions) >> 64);
}

/* The verify partition of a pair whose first document has rank `a` among
 * `n`: equal ranges of ranks, so that the partitions' pairs, concatenated
 * in order, are in rank order. */
static inline unsigned fw_rank_partition(uint32_t a, uint64_t n, unsigned partitions)
{
    return n ? (unsigned)((uint64_t)a * partitions / n) : 0;
}

/* A scan with the plan's options at `threads` threads, for a task to run
 * the scan's own stages in; a failure is the plan's error. */
fw_status fw_stage_scan_new(fw_plan *p, int threads, fw_scan **out);

/* Every shard's sketch/S.docs opened (*out: one per shard; close them with
 * fw_stage_close_shards). */
struct fw_shard_file;
fw_status fw_stage_open_shards(fw_plan *p, struct fw_shard_file ***out);
void fw_stage_close_shards(const fw_plan *p, struct fw_shard_file **files);

/* The shards' records, in input order, appended to a new scan's records as
 * reading would have left them (and its reading counts added); with
 * `with_text`, the texts and short lines of the passage level too, which
 * point into the files: keep them open while the scan lives. */
fw_status fw_stage_load_records(fw_plan *p, fw_scan *s, struct fw_shard_file **files,
                                int with_text);

/* The candidate pairs (ranks) bands task `part` made for verify task `q`:
 * *pairs points into *data (free it). */
fw_status fw_stage_read_pairs(fw_plan *p, unsigned part, unsigned q, char **data,
                              const fw_pair **pairs, size_t *n);

/* The documents of shard `shard` (numbers within it) in bands task
 * `part`'s pairs: *docs points into *data (free it). */
fw_status fw_stage_read_wanted(fw_plan *p, unsigned part, unsigned shard, char **data,
                               const uint32_t **docs, size_t *n);

/* gather/S.sets: the signatures and exact shingle sets of shard S's
 * documents that are in a candidate pair (stage_gather.c). */
typedef struct fw_sets_file fw_sets_file;
fw_status fw_sets_file_open(fw_plan *p, unsigned shard, fw_sets_file **out);
void fw_sets_file_close(fw_sets_file *f);
/* Document `local` of the shard: its signature (*sig, NULL when not
 * gathered) and *n values of its set at *set (0 when not gathered, or with
 * --no-verify); FW_ERR_FORMAT when there is no such document. */
fw_status fw_sets_file_get(const fw_sets_file *f, uint64_t local, const uint32_t **sig,
                           const uint64_t **set, uint64_t *n);

/* Verify task q's kept pairs appended to *pairs (*n of them; ranks) and
 * its candidates added to *candidates. */
fw_status fw_stage_read_verified(fw_plan *p, unsigned q, fw_result_pair **pairs, size_t *n,
                                 uint64_t *candidates);

/* rank/0.ranks: where each shard's documents start in input order, and
 * every document's rank and the reverse. */
typedef struct fw_ranks {
    uint64_t ndocs;
    uint32_t nshards;
    uint64_t *first;         /* nshards + 1 */
    uint32_t *rank_of;       /* by document number (input order) */
    uint32_t *doc_of;        /* by rank */
    char *data;
} fw_ranks;
fw_status fw_ranks_load(fw_plan *p, fw_ranks *r);
void fw_ranks_free(fw_ranks *r);

#endif
