/* read_whole.h — a small file read into memory at once (internal). */
#ifndef FW_READ_WHOLE_H
#define FW_READ_WHOLE_H

#include "fanwen.h"

#include <stddef.h>

/* The whole file at `path` read into memory (malloc'ed, NUL-terminated;
 * *len its size): FW_ERR_IO when it cannot be read (errno says why). */
fw_status fw_read_whole(const char *path, char **data, size_t *len);

#endif
