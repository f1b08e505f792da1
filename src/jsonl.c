/*
 * jsonl.c — one line of a JSONL shard to one document, with jansson.
 *
 * Runs in the parallel per-document stage: parsing JSON costs several times
 * what reading and decompressing it does. A line with invalid UTF-8, which
 * jansson rejects, is repaired (U+FFFD) and parsed again, so one bad byte in
 * a crawl does not lose the document; the repair is counted so the document
 * is reported as `repaired`. The id field may be a string or a number.
 */
#include "jsonl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *id_text(json_t *v)
{
    char buf[64];
    if (json_is_string(v)) return strdup(json_string_value(v));
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
    else
        return NULL;
    return strdup(buf);
}

fw_status fw_jsonl_parse(const char *line, size_t len, const char *text_field, const char *id_field,
                         fw_jsonl_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    if (!root && fw_utf8_valid_prefix(line, len) != len) {
        char *repaired;
        size_t rlen;
        if (fw_utf8_repair(line, len, &repaired, &rlen, &doc->repaired) != FW_OK)
            return FW_ERR_NOMEM;
        root = json_loadb(repaired, rlen, JSON_ALLOW_NUL, &jerr);
        free(repaired);
    }
    if (!root || !json_is_object(root)) {
        snprintf(doc->error, sizeof doc->error, "invalid JSON: %s",
                 root ? "not an object" : jerr.text);
        json_decref(root);
        return FW_OK;
    }
    doc->root = root;
    json_t *id = json_object_get(root, id_field);
    if (id && !json_is_null(id) && !(doc->id = id_text(id)) &&
        (json_is_string(id) || json_is_number(id)))
        return FW_ERR_NOMEM;
    json_t *text = json_object_get(root, text_field);
    if (!json_is_string(text)) {
        snprintf(doc->error, sizeof doc->error, "no string field \"%s\"", text_field);
        return FW_OK;
    }
    doc->text = json_string_value(text);
    doc->len = json_string_length(text);
    return FW_OK;
}

void fw_jsonl_done(fw_jsonl_doc *doc)
{
    json_decref(doc->root);
    free(doc->id);
    doc->root = NULL;
    doc->id = NULL;
}
