/*
 * stage_finish.c — a staged scan's finish task: the scan's records loaded
 * from the shards, the verify tasks' pairs taken as the scan's, and the
 * rest of a scan run as fw_scan_run() runs it (scan.c): ranking, the
 * passage level (boilerplate lines, cutting, passage candidates, their
 * alignment, groups, reuse, spans, substitutions), clusters, with the
 * plan's passage model if it names one (and written where it says, if it
 * does); then the reports, by report.c, into W/finish/0.reports, then put
 * in place in the plan's report directory as a set (publish()).
 *
 * What is serial here: the whole passage level, on one machine, from the
 * texts the sketch tasks kept (the texts are mapped, not read into
 * memory). The document level arrives done.
 */
#include "staged.h"
#include "scan_internal.h"
#include "shard_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every report a scan writes, summary.json last. */
static const char *const reports[] = {"pairs.csv", "clusters.csv", "docs.csv", "passages.csv",
                                      "reuse.csv", "spans.csv", "substitutions.csv",
                                      "boilerplate.csv", "summary.json"};
enum { NREPORTS = sizeof reports / sizeof *reports };

/* The reports written complete in `tmp` put in place in the report
 * directory `out`: the directory renamed when there is none (or it is
 * empty); else, once every report's name there is checked to be a file or
 * nothing, the old summary.json removed first (a set without it is not
 * complete), each report renamed over its old one (the reports this run
 * does not make removed) and summary.json last; `out` a link to a
 * directory is filled as that directory (rename() will not replace a
 * link with a directory). 1 with *st set when done or failed, 0 when
 * `tmp` and `out` are on different file systems (then nothing has been
 * touched). */
static int publish(fw_plan *p, const char *tmp, const char *out, fw_status *st)
{
    *st = FW_OK;
    if (rename(tmp, out) == 0) return 1;
    if (errno == EXDEV) return 0;
    struct stat sb, tb;
    if (errno == ENOTDIR && lstat(out, &sb) == 0 && S_ISLNK(sb.st_mode) && stat(out, &sb) == 0 &&
        S_ISDIR(sb.st_mode)) { /* a link to a directory: filled as the directory itself */
        if (stat(tmp, &tb) != 0 || tb.st_dev != sb.st_dev) return 0;
        errno = EEXIST;
    }
    if (errno != ENOTEMPTY && errno != EEXIST) {
        *st = fw_plan_fail(p, FW_ERR_IO, "cannot put the reports in place as %s: %s", out,
                           strerror(errno));
        return 1;
    }
    char from[4400], to[4400];
    for (int i = 0; i < NREPORTS; i++) {
        snprintf(to, sizeof to, "%s/%s", out, reports[i]);
        if (lstat(to, &sb) == 0 ? !S_ISREG(sb.st_mode) : errno != ENOENT) {
            *st = fw_plan_fail(p, FW_ERR_IO, "%s is not a report file: no report replaced", to);
            return 1;
        }
    }
    for (int i = NREPORTS - 1; i >= 0 && *st == FW_OK; i--) { /* summary.json first */
        snprintf(from, sizeof from, "%s/%s", tmp, reports[i]);
        snprintf(to, sizeof to, "%s/%s", out, reports[i]);
        if (i == NREPORTS - 1) {
            if (unlink(to) != 0 && errno != ENOENT)
                *st = fw_plan_fail(p, FW_ERR_IO, "cannot remove %s: %s", to, strerror(errno));
        } else if (rename(from, to) != 0) {
            if (errno != ENOENT) *st = fw_plan_fail(p, FW_ERR_IO, "cannot rename %s to %s: %s",
                                                    from, to, strerror(errno));
            else if (unlink(to) != 0 && errno != ENOENT) /* not made by this run */
                *st = fw_plan_fail(p, FW_ERR_IO, "cannot remove %s: %s", to, strerror(errno));
        }
    }
    snprintf(from, sizeof from, "%s/%s", tmp, reports[NREPORTS - 1]);
    snprintf(to, sizeof to, "%s/%s", out, reports[NREPORTS - 1]);
    if (*st == FW_OK && rename(from, to) != 0)
        *st = fw_plan_fail(p, FW_ERR_IO, "cannot rename %s to %s: %s", from, to,
                           strerror(errno));
    if (*st == FW_OK) rmdir(tmp);
    return 1;
}

/* The paths as the scan records them for summary.json (fw_scan_add_path). */
static fw_status record_paths(fw_plan *p, fw_scan *s)
{
    if (p->npaths > FW_RECORDED_PATHS) {
        s->unrecorded = p->npaths;
        return FW_OK;
    }
    if (!(s->paths = calloc(p->npaths ? p->npaths : 1, sizeof *s->paths))) return FW_ERR_NOMEM;
    s->paths_cap = p->npaths ? p->npaths : 1;
    for (size_t i = 0; i < p->npaths; i++) {
        if (!(s->paths[i] = strdup(p->paths[i]))) return FW_ERR_NOMEM;
        s->npaths++;
    }
    return FW_OK;
}

fw_status fw_stage_finish(fw_plan *p, int threads)
{
    fw_scan *s;
    fw_status st = fw_stage_scan_new(p, threads, &s);
    if (st != FW_OK) return st;
    fw_shard_file **files = NULL;
    fw_result_pair *pairs = NULL;
    size_t npairs = 0;
    uint64_t candidates = 0;
    if (p->passage_model && (st = fw_scan_use_passage_model(s, p->passage_model)) != FW_OK)
        fw_plan_fail(p, st, "finish: --passage-model: %s", fw_scan_error(s));
    if (st == FW_OK) st = fw_stage_open_shards(p, &files);
    if (st == FW_OK) st = record_paths(p, s);
    if (st == FW_OK) st = fw_stage_load_records(p, s, files, p->opt.passages);
    for (unsigned q = 0; q < p->partitions && st == FW_OK; q++)
        st = fw_stage_read_verified(p, q, &pairs, &npairs, &candidates);
    if (st == FW_OK) {
        fw_staged_pairs staged = {candidates, pairs, npairs};
        st = fw_scan_run_staged(s, &staged);
        if (st != FW_OK) fw_plan_fail(p, st, "finish: %s", fw_scan_error(s));
        p->error_docs = 0; /* into the done marker */
        for (size_t i = 0; i < s->ndocs; i++) p->error_docs += s->docs[i].status == FW_DOC_ERROR;
    }
    /* the reports written where no one looks, then put in place as a set:
     * a finish that fails leaves the report directory as it was */
    char tmp[4096], out[4096];
    fw_plan_path(p, tmp, sizeof tmp, FW_STAGE_FINISH, "%s", "0.reports");
    if (p->out[0] == '/') snprintf(out, sizeof out, "%s", p->out);
    else snprintf(out, sizeof out, "%s/%s", p->cwd, p->out);
    if (st == FW_OK && fw_remove_dir(tmp) != FW_OK)
        st = fw_plan_fail(p, FW_ERR_IO, "cannot remove %s", tmp);
    /* the model before the reports: a finish whose reports are in place
     * has written it too */
    if (st == FW_OK && p->save_passage_model &&
        (st = fw_scan_write_passage_model(s, p->save_passage_model)) != FW_OK)
        fw_plan_fail(p, st, "finish: --save-passage-model: %s", fw_scan_error(s));
    if (st == FW_OK) {
        st = fw_report_write(s, tmp, NULL);
        if (st != FW_OK)
            fw_plan_fail(p, st, "cannot write reports to %s: %s", tmp, fw_scan_error(s));
    }
    if (st == FW_OK && !publish(p, tmp, out, &st)) {
        /* another file system: each report put in place on its own */
        fw_remove_dir(tmp);
        st = fw_report_write(s, out, NULL);
        if (st != FW_OK)
            fw_plan_fail(p, st, "cannot write reports to %s: %s", out, fw_scan_error(s));
    }
    free(pairs);
    fw_scan_free(s); /* before the files its texts point into */
    fw_stage_close_shards(p, files);
    return st;
}
