/* progress.h — the progress line of `fanwen scan` on stderr (see
 * progress.c). */
#ifndef FW_CLI_PROGRESS_H
#define FW_CLI_PROGRESS_H

#include "fanwen.h"

typedef struct cli_progress {
    int show;              /* 0: nothing is written */
    int terminal;          /* one line rewritten in place; else a line per
                            * update, for logs */
    double start, last;    /* monotonic seconds */
    uint64_t total;        /* input bytes on disk, 0 when unknown
                            * (input_size.c) */
    const fw_scan *scan;   /* for the input bytes read so far */
    char stage[40];        /* the stage shown last */
} cli_progress;

/* Monotonic seconds. */
double cli_now(void);

/* Starts the clock; `show` and `terminal` as above. */
void cli_progress_init(cli_progress *p, int show, int terminal);

/* fw_scan_options.progress: the line for a stage; while reading, with the
 * share of the input read and the time left when the total is known. */
int cli_progress_update(void *ctx, const char *stage, uint64_t docs, uint64_t bytes);

/* Clears the line (on a terminal) once the scan is over. */
void cli_progress_end(cli_progress *p);

#endif
