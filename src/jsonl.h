/* jsonl.h — one JSON line to one document (internal; see jsonl.c). */
#ifndef FW_JSONL_H
#define FW_JSONL_H

#include "fanwen.h"

typedef struct fw_jsonl_doc {
    void *root;          /* the parsed object; release with fw_jsonl_done */
    char *id;            /* malloc'ed id from the id field, or NULL */
    const char *text;    /* the text field (inside root), or NULL */
    size_t len;
    size_t repaired;     /* invalid UTF-8 sequences replaced before parsing */
    char error[200];     /* why there is no text, when text is NULL */
} fw_jsonl_doc;

/* Parses one line. Returns FW_ERR_NOMEM or FW_OK; on FW_OK either `text`
 * is set, or `error` says what is wrong with the line. */
fw_status fw_jsonl_parse(const char *line, size_t len, const char *text_field,
                         const char *id_field,
                         fw_jsonl_doc *doc);
void fw_jsonl_done(fw_jsonl_doc *doc);

#endif
