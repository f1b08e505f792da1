/* shard_file.h — what a staged scan's sketch task keeps of its shard's
 * documents, for the rank, verify and finish tasks (internal; see
 * shard_file.c). */
#ifndef FW_SHARD_FILE_H
#define FW_SHARD_FILE_H

#include "fanwen.h"
#include "sketch.h"

/* What reading the shard counted, for summary.json. */
typedef struct fw_shard_counts {
    uint64_t inputs, input_bytes, skipped_records;
} fw_shard_counts;

/* Writes the records `docs[0..n)` of a sketched shard to `path` (under a
 * temporary name, renamed into place when complete): per document its id,
 * message, status and counts, its short lines' hashes and its text (the
 * passage level's). `tag` is the plan's hash, `k` the signatures' size
 * (checked on open). FW_ERR_IO. */
fw_status fw_shard_file_write(const char *path, uint64_t tag, unsigned k,
                              const fw_doc_record *docs, size_t n,
                              const fw_shard_counts *counts);

/* One document of a shard file: pointers into the mapping, valid until
 * fw_shard_file_close(). */
typedef struct fw_shard_doc {
    const char *id, *message;  /* message NULL when none */
    fw_doc_status status;
    uint64_t bytes, chars, nshingles;
    uint64_t text_hash;        /* XXH3-64 of the text sketched (0: none) */
    const uint32_t *sig;       /* not in the file: the gathered signature, */
    const uint64_t *set;       /* set */
    uint64_t nset;             /* and its size (stage_pairs.c fills them in) */
    const uint64_t *line_hashes;
    uint32_t nlines;
    const char *text;          /* NULL when not kept; NUL-terminated */
} fw_shard_doc;

typedef struct fw_shard_file fw_shard_file;

/* Maps `path` and checks its header: FW_ERR_IO when it cannot be read,
 * FW_ERR_FORMAT when it is not a shard file of this plan (tag) and
 * signature size, `why` saying which. The mapping is private and
 * writable, so the scan may treat the texts as its own. */
fw_status fw_shard_file_open(const char *path, uint64_t tag, unsigned k, fw_shard_file **out,
                             char *why, size_t why_size);
void fw_shard_file_close(fw_shard_file *f);
size_t fw_shard_file_docs(const fw_shard_file *f);
const fw_shard_counts *fw_shard_file_counts(const fw_shard_file *f);

/* Document `i`: FW_ERR_FORMAT when its record points outside the file. */
fw_status fw_shard_file_doc(const fw_shard_file *f, size_t i, fw_shard_doc *doc);

#endif
