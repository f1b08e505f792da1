/* warc.h — WARC and WET archives as documents (internal; see warc.c). */
#ifndef FW_WARC_H
#define FW_WARC_H

#include "read.h"

/* Reads the records of one WARC file from `source` and hands to `sink` each
 * document (WET conversions; HTTP responses and resources of a text type,
 * HTML turned into text) and an error row for each broken record; other
 * records are counted in options->skipped_records. `file_id` names the file
 * in ids and messages. Returns the first non-OK status of the sink, or
 * FW_ERR_NOMEM, else FW_OK. */
fw_status fw_warc_read(fw_source *source, const char *file_id,
                       const fw_read_options *options, fw_doc_sink sink,
                       void *ctx);

/* The text of an HTML page: tags dropped, the contents of script, style and
 * noscript elements and comments too; block elements (p, div, br, li,
 * h1–h6, tr, title, …) end a line; runs of white space become one space;
 * character references (&amp; &#39; &#x4E2D; &nbsp; …) decoded to UTF-8.
 * `*out` is a buffer of `*cap` bytes grown with realloc as needed (pass
 * NULL/0 to start; reuse it across calls); it receives `*out_len` bytes and
 * a NUL. */
fw_status fw_html_text(const char *html, size_t len, char **out, size_t *cap,
                       size_t *out_len);

#endif
