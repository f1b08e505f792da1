/* cli.h — what the commands of the fanwen tool share (fanwen.c holds
 * `scan` and the dispatch; explain.c, report.c and rescan.c the rest). */
#ifndef FW_CLI_H
#define FW_CLI_H

#include "fanwen.h"

#include <stdio.h>

#define EXIT_PARTIAL 2

/* The report's defaults: the top 100 of each list, runs of 13 characters
 * (what CNKI and 维普 mark). */
#define CLI_DEFAULT_TOP 100
#define CLI_DEFAULT_MIN_RUN 13

/* Says on stderr what is wrong with the command line of `cmd` ("fanwen
 * CMD: " and fmt with arg, then where the help is); returns EXIT_FAILURE. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* The option getopt_long() did not know, as the user wrote it: "-d" of
 * "-dash.txt", or a long option's word (buf: room for a short one). */
const char *cli_bad_option(char *const *argv, char buf[3]);

/* `s` to `f` with control characters as \xNN: an id or a message comes
 * from the input, and an escape sequence in it would drive the terminal. */
void cli_put_visible(FILE *f, const char *s);

/* A size such as 4G, 512M or 64MiB (K, M, G, T: powers of 1024; B and
 * iB allowed after them) into *out; 0 if malformed or too large. */
int cli_parse_size(const char *s, uint64_t *out);

/* An integer option from `min` to `max`; says what is wrong on stderr
 * ("fanwen CMD: NAME must be ...") and returns 0 if it is not one. */
int cli_unsigned(const char *cmd, const char *name, const char *arg, unsigned min,
                 unsigned max, unsigned *out);

/* `path` made absolute against the working directory (malloc'ed; NULL when
 * out of memory), for a path that must survive cli_rescan()'s chdir. */
char *cli_absolute(const char *path);

/* Runs again the scan whose reports are in `dir`: the options, inputs and
 * working directory its summary.json recorded (the process changes to that
 * directory). `threads` 0: all cores. On failure says why on stderr
 * (prefixed "fanwen CMD: ") and returns NULL. When the documents read now
 * are not those the reports counted (an input gone, unreadable or
 * changed), says so and sets *changed to 1 (else 0). */
fw_scan *cli_rescan(const char *cmd, const char *dir, int threads, int *changed);

/* --files-from: every non-empty line of `list` ('-': standard input) is an
 * INPUT added to `scan`, read as it comes (a list of millions of paths is
 * never held). Returns 0, or -1 after saying why ("fanwen CMD: ..."). */
int cli_add_listed_paths(const char *cmd, fw_scan *scan, const char *list);

int cmd_explain(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_query(int argc, char **argv);

/* The options of `fanwen scan`, which `fanwen plan` takes too (with
 * --work, --shards and --partitions, its own). */
typedef struct cli_scan_args {
    fw_scan_options opt;
    const char *out, *files_from, *html;
    const char *passage_model, *save_passage_model; /* scan only */
    unsigned top, min_run;
    int quiet, force_progress;
    const char *work;               /* plan only */
    unsigned shards, partitions;    /* plan only */
    int first_input;                /* argv[first_input..argc) are the INPUTs */
} cli_scan_args;

/* Parses the options of `cmd` ("scan" or "plan"): -1 to go on, or the
 * exit status (help printed, or a usage error said on stderr). */
int cli_parse_scan_args(const char *cmd, int argc, char **argv, cli_scan_args *args);

extern const char *const cli_usage_plan;

/* staged.c: plan, task, run, slurm, status */
int cmd_plan(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_task(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_slurm(int argc, char **argv);

#endif
