/* passage_model.h — what the passage level learns from a whole corpus,
 * kept in a file to use again (internal; see passage_model.c). */
#ifndef FW_PASSAGE_MODEL_H
#define FW_PASSAGE_MODEL_H

#include "fanwen.h"
#include "passage_cut.h"
#include "passage_stop.h"

#include <stddef.h>

/* Everything that changes what the model means: the short lines' hashes
 * are made from the normalized text with the scan's seed, for lines
 * shorter than min_passage; the 3-grams from the shingled form (the
 * template form with --template and its canon table). The file also
 * records FW_PASSAGE_NGRAM and FW_STOP_BITS, and its first line the
 * format: a change to how either hash is made must change that line. */
typedef struct fw_passage_model_params {
    char normalization[128];
    uint64_t seed;
    unsigned min_passage;
    int template_mode;
    uint64_t canon_hash;   /* XXH3 of the --canon file; 0: the built-in table */
} fw_passage_model_params;

typedef struct fw_passage_model {
    fw_passage_model_params params;
    uint64_t *lines;       /* the boilerplate short lines' hashes, ascending */
    size_t nlines;
    fw_stop_grams stop;    /* the 3-grams left out of passage sketches */
    /* The boilerplate passages: every distinct text (aligned form) of the
     * passages in the corpus's boilerplate groups, passage i's code points
     * at known_cps[known_start[i], known_start[i + 1]), in ascending order
     * of their UTF-8 bytes. A scan with the model takes a passage as
     * boilerplate when it matches one of them (passage_known.c). */
    uint32_t *known_cps;
    uint64_t *known_start; /* nknown + 1 values (NULL when none) */
    size_t nknown;
    uint64_t last_stop;    /* parsing: the last stop bit read */
    uint64_t sum;          /* read: the file's checksum line */
} fw_passage_model;

/* Writes `m` to `path` (temporary name, flushed, renamed: complete or
 * absent). On failure *why says which file and why. */
fw_status fw_passage_model_write(const fw_passage_model *m, const char *path, char *why,
                                 size_t why_size);

/* Reads a model written by fw_passage_model_write; FW_ERR_FORMAT for a
 * file that is not one, is damaged or cut short (its checksum), and
 * FW_ERR_ARG when it was made with other parameters than `want` (*why
 * names the first that differs). fw_passage_model_free() it either way. */
fw_status fw_passage_model_read(const char *path, const fw_passage_model_params *want,
                                fw_passage_model *m, char *why, size_t why_size);

/* fw_passage_model_read() of a file's bytes already in `buf` (len bytes,
 * buf[len] readable; lines are cut in place), named `name` in messages;
 * `want` NULL takes any parameters. */
fw_status fw_passage_model_parse(char *buf, size_t len, const char *name,
                                 const fw_passage_model_params *want, fw_passage_model *m,
                                 char *why, size_t why_size);

/* FW_ERR_ARG when `m` was made with other parameters than `want` (*why
 * names the first, and the model as `name`). */
fw_status fw_passage_model_check(const fw_passage_model *m, const char *name,
                                 const fw_passage_model_params *want, char *why,
                                 size_t why_size);

/* The file's bytes (malloc'ed), as fw_passage_model_write() writes them. */
fw_status fw_passage_model_format(const fw_passage_model *m, char **out, size_t *len);

void fw_passage_model_free(fw_passage_model *m);

#endif
