/* jsonl_scan.h — the fast path of fw_jsonl_parse() (internal; see
 * jsonl_scan.c). */
#ifndef FW_JSONL_SCAN_H
#define FW_JSONL_SCAN_H

#include "fanwen.h"

typedef enum fw_json_kind {
    FW_JSON_ABSENT = 0,      /* the field is not in the top-level object */
    FW_JSON_STRING,
    FW_JSON_NUMBER,
    FW_JSON_OTHER            /* null, true, false, an object or an array */
} fw_json_kind;

/* A field's value: the last one the top-level object gives it, as yajl's
 * callbacks in jsonl.c keep the last. `at` and `len` are its bytes in the
 * line (between the quotes of a string, escapes still in; a number as
 * written), except for the text when it holds escapes: then they are its
 * decoded bytes in `text_out` (see fw_jsonl_scan()). */
typedef struct fw_json_value {
    fw_json_kind kind;
    int escaped;             /* a string with at least one backslash */
    const char *at;
    size_t len;
} fw_json_value;

/* Reads `line` when it is a line the scanner is sure about: all of it valid
 * UTF-8; one JSON object, nested at most 64 deep, with only whitespace
 * around it; every string without control characters, every escape valid
 * and every surrogate escape half of a pair; a key of the top-level object
 * with escapes at most 256 bytes long. Returns 1 and sets `text` and `id`
 * to the values of the fields named `text_field` and `id_field` (a key
 * naming both is the text's, as in jsonl.c); returns 0 for any other line,
 * which yajl then parses, with `text` and `id` left meaningless. The text,
 * when a string, is decoded into `text_out` (room for `len` bytes) as it is
 * read; its bytes there mean something only if it holds escapes. `path` as
 * in fw_scanner_simd(); every path gives the same result. */
int fw_jsonl_scan(const char *line, size_t len, const char *text_field, const char *id_field,
                  fw_simd path, char *text_out, fw_json_value *text, fw_json_value *id);

/* Writes the `len` bytes of a string that fw_jsonl_scan() accepted,
 * escapes decoded (UTF-8 for \uXXXX and surrogate pairs), to `out`, which
 * has room for `len` bytes (decoding never lengthens); returns the length
 * written. */
size_t fw_json_unescape(const char *raw, size_t len, char *out);

#endif
