/* jsonl.h — one JSON line to one document (internal; see jsonl.c). */
#ifndef FW_JSONL_H
#define FW_JSONL_H

#include "fanwen.h"

/* Memory for the parser, one per thread: the unescaped text and what yajl
 * allocates while parsing one line come from here and are dropped at the
 * next line, so parsing does not call malloc per line. Zero-initialize;
 * fw_jsonl_scratch_free(). */
typedef struct fw_jsonl_scratch {
    unsigned char *buf;
    size_t cap, used;
} fw_jsonl_scratch;
void fw_jsonl_scratch_free(fw_jsonl_scratch *scratch);

typedef struct fw_jsonl_doc {
    char *id;            /* malloc'ed id from the id field, or NULL */
    const char *text;    /* the text field's value, or NULL: points into the
                          * line, or into `owned` or `repaired_line` */
    char *owned;         /* the unescaped text, when it had escapes */
    fw_jsonl_scratch *scratch; /* where `owned` lives, or NULL: malloc */
    char *repaired_line; /* the line with U+FFFD for invalid bytes and
                          * \ufffd for lone surrogate escapes */
    size_t len;
    size_t repaired;     /* invalid UTF-8 sequences and lone surrogate
                          * escapes replaced before parsing */
    char error[200];     /* why there is no text, when text is NULL */
} fw_jsonl_doc;

/* Parses one line. Returns FW_ERR_NOMEM or FW_OK; on FW_OK either `text`
 * is set, or `error` says what is wrong with the line. `text` may point
 * into `line`: keep the line until fw_jsonl_done(). */
fw_status fw_jsonl_parse(const char *line, size_t len, const char *text_field,
                         const char *id_field, fw_jsonl_scratch *scratch,
                         fw_jsonl_doc *doc);
/* The same with the fast scanner on code path `path` (FW_SIMD_AUTO: the
 * best; see fw_scanner_simd()), for the tests and bench: every path gives the
 * same documents. */
fw_status fw_jsonl_parse_simd(const char *line, size_t len, const char *text_field,
                              const char *id_field, fw_jsonl_scratch *scratch, fw_simd path,
                              fw_jsonl_doc *doc);
/* The same with yajl alone: the reference the fast scanner must agree
 * with, byte for byte. */
fw_status fw_jsonl_parse_yajl(const char *line, size_t len, const char *text_field,
                              const char *id_field, fw_jsonl_scratch *scratch,
                              fw_jsonl_doc *doc);
void fw_jsonl_done(fw_jsonl_doc *doc);

#endif
