/* csv_write.h — the pieces of a report row (internal; see csv_write.c). */
#ifndef FW_CSV_WRITE_H
#define FW_CSV_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The stream must be held by the calling thread (flockfile()): characters
 * are written with putc_unlocked. */

/* A text field, quoted as RFC 4180 asks when it holds , " CR or LF. */
void fw_csv_field(FILE *f, const char *s);

/* v in decimal. */
void fw_csv_u64(FILE *f, uint64_t v);

/* Each of v[0, n), after a comma. */
void fw_csv_fields(FILE *f, const uint64_t *v, size_t n);

/* v exactly as printf's "%.6f" writes it. */
void fw_csv_fixed6(FILE *f, double v);

#endif
