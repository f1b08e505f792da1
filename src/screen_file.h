/* screen_file.h — what the passage screen needs of each indexed passage,
 * on disk, so that a query screens its candidate pairs before it cuts any
 * indexed document again (internal; see screen_file.c).
 *
 * A record per passage of a segment, by ordinal: its aligned length and
 * the low byte of each of its FW_PASSAGE_PERMS signature values. Two
 * values that are equal have equal low bytes, so the share of equal low
 * bytes is at least the share of equal values, and a pair whose low bytes
 * fail the screen fails it with the values too (fw_screen_fails).
 * Candidates that chance put in a bucket (most of them) are rejected for
 * 68 bytes read each, not a document decompressed, normalized and cut.
 *
 * Layout (little-endian):
 *
 *   header   64 bytes: "FWSCREN\0", format version, record bytes, records
 *            a block, records, the caller's tag
 *   blocks   4 KB each: FW_SCREEN_BLOCK_RECORDS records, zeros, and in
 *            the last 8 bytes the XXH3-64 of the rest (checked the first
 *            time the block is read)
 *   footer   64 bytes: "FWSCEND\0", the records, blocks, tag and file size
 *            again, and an XXH3 of header and footer (checked on open)
 *
 * Written once under a temporary name and renamed into place, read
 * through mmap; a flipped byte or a truncated file is an error with a
 * message, never data. The tag is the caller's (the index binds the file
 * to its segment and parameters, as its passage band file).
 */
#ifndef FW_SCREEN_FILE_H
#define FW_SCREEN_FILE_H

#include "fanwen.h"
#include "passage_cut.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fw_screen_record {
    uint8_t low[FW_PASSAGE_PERMS]; /* each signature value's low byte */
    uint32_t clen;                 /* its aligned characters */
} fw_screen_record;

#define FW_SCREEN_BLOCK_RECORDS 60 /* 60 × 68 bytes and a checksum: 4 KB */

/* The record of a passage of clen aligned characters and signature sig. */
void fw_screen_record_make(const fw_passage_value *sig, uint32_t clen, fw_screen_record *out);

/* 1 when a pair of passages surely fails the screen (their signatures'
 * fw_passage_worth_aligning() is 0): it fails with their low bytes. 0
 * says nothing. */
int fw_screen_fails(const fw_screen_record *a, const fw_screen_record *b);

/* ------------------------------------------------------------------ write */

typedef struct fw_screen_writer fw_screen_writer;

/* Starts writing `path`, of `records` records: the bytes go to
 * "path.tmp.PID" until fw_screen_writer_finish() renames them into place.
 * On failure *out is NULL and `why` (why_size bytes) says what failed. */
fw_status fw_screen_writer_new(const char *path, uint64_t tag, uint64_t records,
                               fw_screen_writer **out, char *why, size_t why_size);
/* Appends n records, the next ordinals. */
fw_status fw_screen_writer_add(fw_screen_writer *w, const fw_screen_record *rec, size_t n);
/* Writes the last block and the footer, flushes, renames into place;
 * FW_ERR_ARG when other than the records announced were added. */
fw_status fw_screen_writer_finish(fw_screen_writer *w);
/* Frees it; an unfinished file's temporary file is removed. */
void fw_screen_writer_free(fw_screen_writer *w);
/* What the last failure was. */
const char *fw_screen_writer_error(const fw_screen_writer *w);

/* ------------------------------------------------------------------- read */

typedef struct fw_screen_file fw_screen_file;

/* Maps `path` and checks its header and footer. */
fw_status fw_screen_file_open(const char *path, fw_screen_file **out, char *why,
                              size_t why_size);
void fw_screen_file_close(fw_screen_file *f);

uint64_t fw_screen_file_count(const fw_screen_file *f);
uint64_t fw_screen_file_tag(const fw_screen_file *f);
uint64_t fw_screen_file_size(const fw_screen_file *f);
const char *fw_screen_file_error(const fw_screen_file *f);

/* Record i (< count), its block checked the first time (safe from many
 * threads): FW_ERR_FORMAT when it fails, fw_screen_file_error() says so. */
fw_status fw_screen_file_get(fw_screen_file *f, uint64_t i, const fw_screen_record **rec);
/* Checks every block. */
fw_status fw_screen_file_check(fw_screen_file *f);

#endif
