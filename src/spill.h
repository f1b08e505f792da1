/* spill.h — temporary files for what does not fit in memory (internal;
 * see spill.c). */
#ifndef FW_SPILL_H
#define FW_SPILL_H

#include "fanwen.h"

#include <stdatomic.h>

/* An append-only temporary file without a name: it is gone when closed or
 * when the process ends, however it ends. Appends may come from several
 * threads at once. */
typedef struct fw_spill {
    int fd;                 /* -1 when not open */
    _Atomic uint64_t end;   /* bytes appended so far */
} fw_spill;

/* Opens an empty spill file in `dir` (NULL: $TMPDIR or /tmp). FW_ERR_IO
 * with `why` (why_size bytes) filled when the directory cannot take it. */
fw_status fw_spill_open(fw_spill *s, const char *dir, char *why, size_t why_size);

/* Appends n bytes; *at receives where they went. Thread-safe. */
fw_status fw_spill_append(fw_spill *s, const void *data, size_t n, uint64_t *at);

/* Writes n bytes at a given place (for records of a fixed size). */
fw_status fw_spill_write_at(fw_spill *s, const void *data, size_t n, uint64_t at);

/* Reads n bytes from `at`. Thread-safe. */
fw_status fw_spill_read(const fw_spill *s, uint64_t at, void *data, size_t n);

/* Reads n shingle hashes at `at` of `from` into buf, makes them a sorted
 * set there (fw_shingle_set, tmp: n values of scratch) and appends the set
 * to `to`: *size distinct values at *set_at. The exact sets of candidates
 * under a memory limit, documents' and passages' alike. */
fw_status fw_spill_make_set(const fw_spill *from, uint64_t at, size_t n, fw_spill *to,
                            uint64_t *buf, uint64_t *tmp, size_t *size, uint64_t *set_at);

void fw_spill_close(fw_spill *s);

#endif
