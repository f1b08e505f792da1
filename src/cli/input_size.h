/* input_size.h — the size of a scan's inputs before reading them (see
 * input_size.c). */
#ifndef FW_CLI_INPUT_SIZE_H
#define FW_CLI_INPUT_SIZE_H

#include <stdint.h>

typedef struct cli_input_size {
    uint64_t disk;      /* bytes of the regular files */
    uint64_t text;      /* their text, estimated: compressed files × 5 */
    int unknown;        /* something could not be read: sizes too low */
} cli_input_size;

/* Adds the files at `path` (a file, or a directory walked as the reader
 * walks it) to *size. */
void cli_input_size_add(cli_input_size *size, const char *path);

#endif
