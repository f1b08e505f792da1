/* whole_file.h — a file that a reader, a crash, a kill or Ctrl-C leaves
 * complete under its name or absent, with no temporary name behind
 * (internal; see whole_file.c): the reports, the pair page of `explain
 * --html`, a saved passage model. */
#ifndef FW_WHOLE_FILE_H
#define FW_WHOLE_FILE_H

#include "fanwen.h"

#include <stdio.h>

/* Writes the file's bytes to f; returns FW_OK or why it could not (a
 * failed write shows as ferror(f), not as its status). */
typedef fw_status (*fw_whole_file_body)(void *ctx, FILE *f);

/* Writes `path` through `body`: as an unnamed file of its directory
 * where the kernel and file system allow (O_TMPFILE), else under `tmp`
 * (a name of this process's in the same directory, such as PATH.tmp.PID),
 * flushed to disk and renamed over `path`. A signal handler calling
 * fw_report_unlink_temp() removes `tmp` while it exists. Returns FW_OK,
 * or FW_ERR_IO with errno saying why when the file failed (a full disk,
 * EINTR when the process is ending), or the body's own failure, which
 * *body_status then holds too (else FW_OK). */
fw_status fw_whole_file_write(const char *path, const char *tmp, fw_whole_file_body body,
                              void *ctx, fw_status *body_status);

/* Removes from `dir` the temporary names .NAME.tmp.PID, NAME one of
 * `names`, that killed runs left: those of processes that no longer
 * exist. Other files, and those of a run still writing, are left alone. */
void fw_remove_stale_temps(const char *dir, const char *const *names, size_t nnames);

/* The directory that holds `path`: "." for a bare name, "/" at the root.
 * Returns 0 when it does not fit in `size` bytes. */
int fw_parent_dir(const char *path, char *dir, size_t size);

#endif
