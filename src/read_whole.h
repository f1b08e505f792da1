/* read_whole.h — a small file read into memory at once (internal). */
#ifndef FW_READ_WHOLE_H
#define FW_READ_WHOLE_H

#include "fanwen.h"

#include <stddef.h>
#include <stdint.h>

/* The whole file at `path` read into memory (malloc'ed, NUL-terminated;
 * *len its size): FW_ERR_IO when it cannot be read (errno says why). */
fw_status fw_read_whole(const char *path, char **data, size_t *len);

/* The XXH3 of a file's bytes, never 0 (0 stands for "none": the built-in
 * canon table), read a piece at a time; FW_ERR_IO with `why` naming the
 * file when it cannot be read. */
fw_status fw_file_hash(const char *path, uint64_t *out, char *why, size_t why_size);

/* The same hash of bytes already in memory. */
uint64_t fw_bytes_hash(const void *data, size_t len);

#endif
