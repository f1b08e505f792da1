/* passage_prep.h — the passage level between reading and matching
 * (internal; see passage_prep.c): boilerplate lines counted, then every
 * document cut into passages without them. */
#ifndef FW_PASSAGE_PREP_H
#define FW_PASSAGE_PREP_H

#include "fanwen.h"
#include "passage_cut.h"

/* A short line found in enough documents to be site furniture. */
typedef struct fw_boilerplate_line {
    uint64_t hash;
    uint64_t docs;           /* documents it is in */
    uint32_t first;          /* the first of them (rank) */
    uint32_t number;         /* from 1, in order of first document */
    uint64_t chars;          /* its normalized characters there */
    char text[FW_EXCERPT_SIZE]; /* its text there */
} fw_boilerplate_line;

/* One row of boilerplate: a line or a passage group. */
typedef struct fw_boilerplate_entry {
    int line;                /* 1: s->lines[index]; 0: passage group index + 1 */
    uint32_t index;
    uint64_t docs;
} fw_boilerplate_entry;

/* Counts the documents' short lines (s->lines: those in enough documents),
 * then cuts every document into passages without them, sketches the
 * passages and keeps each document's aligned text (in memory, or with a
 * memory limit in aligned_file). Parallel over documents. */
fw_status fw_passages_prepare(fw_scan *s);

/* After matching: the boilerplate rows, lines and passage groups, most
 * documents first, then lines before groups, then by number; and each
 * document's boilerplate characters with its lines'. */
fw_status fw_passages_list_boilerplate(fw_scan *s);

/* fw_scan_use_passage_model() of a model already read (an index's, read
 * once for all its batches): the scan borrows it, which must outlive it;
 * `path` is what it is called. */
struct fw_passage_model;
fw_status fw_scan_lend_passage_model(fw_scan *s, const struct fw_passage_model *m,
                                     const char *path);

/* A text that is not one of the scan's documents, after it has run, cut
 * and sketched as the scan cut its own (its boilerplate lines: all its
 * model's; its stop-grams, template and seed): passages and signatures
 * from `alloc`, the aligned text in sc (valid until its next use). The
 * scan must hold its documents in memory (no memory limit). */
fw_status fw_scan_cut_text(const fw_scan *s, fw_cut_scratch *sc, const char *text, size_t len,
                           fw_alloc_fn alloc, void *ctx, fw_cut_result *out);

#endif
