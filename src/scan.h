/* scan.h — what the rest of the library needs of a scan (internal). */
#ifndef FW_SCAN_H
#define FW_SCAN_H

#include "fanwen.h"

/* Sets the scan's message (its one error channel, read with
 * fw_scan_error()) and returns `status`, so a failure site is one line:
 * `return fw_scan_fail(s, FW_ERR_IO, "%s: %s", path, strerror(errno));`.
 * Works on a const scan: reading results may fail too (a bad index, a
 * spill file that cannot be read back). */
fw_status fw_scan_fail(const fw_scan *scan, fw_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What was added to a scan, for summary.json, so that the scan can be run
 * again from its report: the working directory the paths are relative to
 * (NULL when unknown), fw_scan_add_path()'s paths as given, and how many
 * documents came from fw_scan_add_text() instead (not recorded). A scan of
 * more than FW_RECORDED_PATHS paths (a --files-from of a million files)
 * records none: paths is NULL and `unrecorded` counts them. */
#define FW_RECORDED_PATHS 100000
typedef struct fw_scan_inputs {
    const char *cwd;
    const char *const *paths;
    size_t npaths;
    uint64_t unrecorded;
    uint64_t texts;
    const char *passage_model; /* fw_scan_use_passage_model()'s path, or NULL */
    uint64_t passage_model_sum; /* and the checksum line of that file */
} fw_scan_inputs;
void fw_scan_get_inputs(const fw_scan *scan, fw_scan_inputs *inputs);

/* fw_scan_new() with a normalizer made earlier (read-only, shared; it
 * must outlive the scan) instead of one of its own, which takes
 * milliseconds to make: for a persistent index's batches of one document. */
fw_status fw_scan_new_sharing(const fw_scan_options *options, const fw_normalizer *normalizer,
                              fw_scan **out, char *why, size_t why_size);

/* Keeps every document's text (fw_doc_record.text) even without the
 * passage level, for a persistent index to store (fw_index_add(), index.c). Before
 * anything is added; not with a memory limit (FW_ERR_ARG). */
fw_status fw_scan_keep_texts(fw_scan *scan);

/* Passage i of document `doc` as fw_scan_doc_passage() gives it, without
 * its excerpt (made from the text, and read back from disk under a memory
 * limit): its bytes [*start, *end) and its group (0: none). */
fw_status fw_scan_doc_passage_bytes(const fw_scan *scan, size_t doc, uint32_t i,
                                    uint64_t *start, uint64_t *end, uint64_t *group);

#endif
