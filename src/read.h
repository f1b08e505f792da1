/* read.h — turning paths into documents (internal; see read.c). */
#ifndef FW_READ_H
#define FW_READ_H

#include "fanwen.h"

#include <sys/types.h>

/* One document as read. All pointers are malloc'ed and owned by the sink
 * once handed over, except a `borrowed` text. `text` is NULL for rows that are only an account of a
 * failure (status FW_DOC_ERROR) or of an empty directory (FW_DOC_EMPTY).
 * For a JSONL line (`jsonl` set), `text` is the raw line, still to be
 * parsed, and `id` is FILE:LINE, used when the line has no id of its own. */
typedef struct fw_input_doc {
    char *id;
    char *text;
    size_t len;
    fw_doc_status status;  /* FW_DOC_OK: to be processed */
    char *message;         /* NULL or why */
    int jsonl;             /* text is an unparsed JSON line */
    int borrowed;          /* text is the reader's, valid only during the sink
                            * call: copy it, do not free it */
    size_t line_no;
} fw_input_doc;

/* A message or path printed into a new malloc'ed string (NULL when out of
 * memory), for the readers' ids and messages. */
char *fw_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fills `doc` with copies of `id` and of `len` bytes of `text` (NUL
 * added); everything else zero. */
fw_status fw_input_doc_copy(fw_input_doc *doc, const char *id, const char *text,
                            size_t len);

/* Receives each document; returns FW_OK to go on. */
typedef fw_status (*fw_doc_sink)(void *ctx, fw_input_doc *doc);

typedef struct fw_read_options {
    uint64_t *stored_bytes; /* incremented by bytes read from disk */
    uint64_t max_doc_bytes; /* larger documents become error rows */
    uint64_t *skipped_records; /* incremented per WARC record that is not a
                                * document */
} fw_read_options;

/* Reads a file or directory tree and hands every document, and an account
 * of every input that could not be read, to `sink`. Returns the first
 * non-OK status of the sink, else FW_OK. */
fw_status fw_read_path(const char *path, const fw_read_options *options,
                       fw_doc_sink sink, void *ctx);

/* The bytes of one open file, decompressed when they start with gzip or
 * zstd magic: what the readers of file formats (warc.c) read from. */
typedef struct fw_source fw_source;

/* Reads up to `cap` (> 0) bytes into `buf`: returns the count (> 0), 0 at
 * the end, or -1 on error, for good (a corrupt or truncated archive, a read
 * error). */
ssize_t fw_source_read(fw_source *source, char *buf, size_t cap);
/* "file", "gzip" or "zstd"; and after a -1, why (e.g. "truncated gzip
 * stream"). */
const char *fw_source_kind(const fw_source *source);
const char *fw_source_error(const fw_source *source);

#endif
