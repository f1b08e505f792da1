/* band_file.h — LSH band records in an immutable, checksummed, sorted file
 * on disk (internal; see band_file.c). The one on-disk form of band records,
 * shared by the persistent index (its segments) and the staged scan (what a
 * sketch task hands to a bands task).
 *
 * A band file holds records (band, key, item) sorted by band, then key, then
 * item. It is written once, in order, under a temporary name and renamed
 * into place, so a reader sees the whole file or none. It is read through
 * mmap: every 4 KB block carries an XXH3 checksum that is checked the first
 * time the block is read, so a flipped byte or a truncated file is an error
 * with a message, never data. Lookups are a binary search over each block's
 * first key (the fence table, checked when the file is opened), then one
 * block, or for keys in increasing order a cursor that gallops on from the
 * last block; merging several files band by band gives every bucket of
 * equal keys whole, as band_runs.c does for a scan's own runs. A narrow
 * file (8-byte records: the index's passage keys, half the bytes) is read
 * through cursors and merges, which give its records widened.
 *
 * Layout (little-endian; all offsets in bytes from the start of the file):
 *
 *   header   64 bytes: "FWBANDS\0", format version (1: 16-byte records,
 *            2: 8-byte ones), bands, records a block
 *   blocks   each band's records in 4 KB blocks: FW_BAND_BLOCK_RECORDS
 *            16-byte records {key, item}, or FW_BAND_NARROW_RECORDS 8-byte
 *            ones (a little-endian u64 key << 32 | item); a band starts a
 *            new block, so a block belongs to one band (the last block of a
 *            band may be short)
 *   fences   per block, its first key (u64)
 *   sums     per block, XXH3-64 of its bytes (u64)
 *   bands    per band, its first block and its record count (2 × u64)
 *   footer   64 bytes: where each table starts, the counts, the caller's
 *            tag, and an XXH3 of the tables and footer (checked on open)
 *
 * The tag is the caller's: a hash of every parameter that changes keys
 * (n, K, bands, seed, normalization), so files made with other parameters
 * are refused by the caller with a message saying which.
 */
#ifndef FW_BAND_FILE_H
#define FW_BAND_FILE_H

#include "fanwen.h"

#include <stddef.h>
#include <stdint.h>

/* Records per 4 KB block: 16-byte records, and 8-byte ones (a narrow
 * file: 32-bit keys and items, each record key << 32 | item, as the
 * persistent index keeps passage band keys). */
#define FW_BAND_BLOCK_RECORDS 256
#define FW_BAND_NARROW_RECORDS 512

/* One record. Within a file the band is implied by where the record is.
 * `key` is the band key (64-bit for documents; passages' 32-bit keys are
 * stored zero-extended); `item` is the caller's: a document number, a
 * passage number, a shard's document packed with the shard's number. */
typedef struct fw_band_record {
    uint64_t key;
    uint64_t item;
} fw_band_record;

/* Sorts one band's records by key, then item (radix; tmp: n records of
 * scratch). */
void fw_band_records_sort(fw_band_record *v, fw_band_record *tmp, size_t n);

/* ------------------------------------------------------------------ write */

typedef struct fw_band_writer fw_band_writer;

/* Starts writing `path` for records of `bands` bands: the bytes go to
 * "path.tmp.PID" until fw_band_writer_finish() renames them into place.
 * On failure *out is NULL and `why` (why_size bytes) says what failed. */
fw_status fw_band_writer_new(const char *path, unsigned bands, uint64_t tag,
                             fw_band_writer **out, char *why, size_t why_size);
/* The same for a narrow file: 8-byte records, keys and items below 2^32
 * (half the bytes of 32-bit passage keys). */
fw_status fw_band_writer_new_narrow(const char *path, unsigned bands, uint64_t tag,
                                    fw_band_writer **out, char *why, size_t why_size);

/* Adds the records of band `band`, n of them, sorted by key then item
 * (fw_band_records_sort). Bands come in increasing order, each once or
 * several times (successive calls for one band continue it: their records
 * must follow in order); a band never added is empty. FW_ERR_ARG for records
 * out of order or a band out of order. */
fw_status fw_band_writer_add(fw_band_writer *w, unsigned band,
                             const fw_band_record *records, size_t n);
/* A narrow file's records as they are stored: v[i] = key << 32 | item,
 * increasing (what a sort of such values gives, no records made). */
fw_status fw_band_writer_add_narrow(fw_band_writer *w, unsigned band, const uint64_t *v,
                                    size_t n);

/* Writes the tables, flushes the file to disk (fsync) and renames it into
 * place: after FW_OK the file is complete at `path`. Free the writer after,
 * whatever the result. */
fw_status fw_band_writer_finish(fw_band_writer *w);

/* Frees a writer; one not finished is abandoned: its temporary file is
 * removed and `path` is untouched. */
void fw_band_writer_free(fw_band_writer *w);

/* Why the last call on `w` failed. */
const char *fw_band_writer_error(const fw_band_writer *w);

/* ------------------------------------------------------------------- read */

typedef struct fw_band_file fw_band_file;

/* Opens and maps `path`, checks its header, footer and tables (not yet the
 * blocks: each is checked when first read). FW_ERR_IO when it cannot be
 * read, FW_ERR_FORMAT when it is not a complete band file; `why` says which
 * and where. A file is safe to read from several threads at once. */
fw_status fw_band_file_open(const char *path, fw_band_file **out, char *why,
                            size_t why_size);
void fw_band_file_close(fw_band_file *f);

unsigned fw_band_file_bands(const fw_band_file *f);
const char *fw_band_file_path(const fw_band_file *f);
/* Its size in bytes. */
uint64_t fw_band_file_size(const fw_band_file *f);
/* 1: a narrow file (8-byte records). */
int fw_band_file_narrow(const fw_band_file *f);
uint64_t fw_band_file_tag(const fw_band_file *f);
/* Records of band `band` (0 for a band past the last). */
uint64_t fw_band_file_count(const fw_band_file *f, unsigned band);

/* The records of band `band` whose key is `key`: *first points into the
 * mapping (valid until fw_band_file_close), *n of them (0: none), sorted by
 * item. They may span several blocks; every block they touch is checked.
 * A narrow file's records are read through a cursor (FW_ERR_ARG here). */
fw_status fw_band_file_find(fw_band_file *f, unsigned band, uint64_t key,
                            const fw_band_record **first, size_t *n);

/* Lookups of one band in increasing key order (a batch's sorted keys):
 * each search starts where the last one ended, so the band is read once,
 * in order, instead of a binary search from the top per key. Same answers
 * as fw_band_file_find; a smaller key than the last is searched from the
 * start. A narrow file's records are given widened, in the cursor's
 * buffer (valid until the next search). One cursor a thread; free it with
 * fw_band_cursor_free (once, after any number of inits). */
typedef struct fw_band_cursor {
    fw_band_file *file;
    unsigned band;
    uint64_t last;             /* the last key searched */
    uint64_t at;               /* the first record not below it */
    fw_band_record *buf;       /* a narrow file's records, widened */
    size_t cap;
} fw_band_cursor;

void fw_band_cursor_init(fw_band_cursor *c, fw_band_file *f, unsigned band);
void fw_band_cursor_free(fw_band_cursor *c);
fw_status fw_band_cursor_find(fw_band_cursor *c, uint64_t key, const fw_band_record **first,
                              size_t *n);

/* Checks every block (what a careful reader or `index verify` does). */
fw_status fw_band_file_check(fw_band_file *f);

/* Why the last call on `f` failed: the file, the block, the reason. */
const char *fw_band_file_error(const fw_band_file *f);

/* ------------------------------------------------------------------ merge */

/* Band `band` of several files read in key order at once: each call gives
 * the next key present in any of them and all its records, file by file in
 * the order given (each file's items sorted). What a bands task does with
 * the partitions that every sketch task wrote, and what compacting an
 * index's segments does. */
typedef struct fw_band_merge fw_band_merge;

fw_status fw_band_merge_new(fw_band_file *const *files, size_t nfiles, unsigned band,
                            fw_band_merge **out);
void fw_band_merge_free(fw_band_merge *m);

/* The next bucket: FW_OK with *key, and *n records at *records (with
 * from[i], when from is not NULL, the index of the file record i came from),
 * valid until the next call; *n == 0 at the end. FW_ERR_FORMAT when a block
 * fails its check (fw_band_file_error of that file says which). */
fw_status fw_band_merge_next(fw_band_merge *m, uint64_t *key,
                             const fw_band_record **records, const uint32_t **from,
                             size_t *n);

#endif
