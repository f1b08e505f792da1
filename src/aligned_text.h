/* aligned_text.h — the documents' aligned texts, read back after reading
 * (internal): the code points each document was shingled as (the template
 * form with --template) and the byte offset each came from, kept by
 * sketch.c in memory or, with a memory limit, in a spill file. Passage
 * matching and spans align them. */
#ifndef FW_ALIGNED_TEXT_H
#define FW_ALIGNED_TEXT_H

#include "fanwen.h"

struct fw_spill;

/* Per document (in id order): its aligned code points and offsets packed
 * in memory (aligned_pack.h), or where they are in `file` (code points,
 * then offsets). */
typedef struct fw_aligned_texts {
    size_t ndocs;
    const unsigned char *const *packed; /* NULL with a file */
    const uint32_t *len;            /* code points per document */
    const uint64_t *at;             /* with a file */
    const struct fw_spill *file;    /* NULL: in memory */
} fw_aligned_texts;

/* From a file, a document of at most FW_ALIGNED_CACHED code points is read
 * whole and kept in one of FW_ALIGNED_SLOTS slots (its number modulo the
 * count), so that its next passages cost no read: passage verification
 * reads a passage a candidate, a few hundred bytes, and a document's
 * passages follow each other there (millions of reads of a file without
 * it). At most 8 slots of 16K code points and their offsets: 1 MB a
 * reader. */
#define FW_ALIGNED_SLOTS 8
#define FW_ALIGNED_CACHED (16u << 10)

typedef struct fw_aligned_slot {
    uint32_t *words;                /* code points, then (with_offsets) offsets */
    size_t cap;                     /* in bytes */
    size_t doc;                     /* whose, when `used` */
    int used, with_offsets;
} fw_aligned_slot;

/* A thread's buffers for reading texts back from the file; zero-initialized. */
typedef struct fw_aligned_reader {
    uint32_t *buf;
    size_t cap;                     /* in bytes */
    fw_aligned_slot slot[FW_ALIGNED_SLOTS];
} fw_aligned_reader;

void fw_aligned_reader_free(fw_aligned_reader *r);

/* Code points [start, start + n) of document `doc` (n ≤ its length minus
 * start); with `offsets` also their byte offsets. They are unpacked, or
 * read from the file, into the reader's buffer, valid until its next read.
 * FW_ERR_IO when the file cannot be read. */
fw_status fw_aligned_read(const fw_aligned_texts *t, fw_aligned_reader *r, size_t doc,
                          uint32_t start, uint32_t n, const uint32_t **cps,
                          const uint32_t **offsets);

#endif
