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

#endif
