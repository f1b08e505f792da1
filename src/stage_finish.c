/*
 * stage_finish.c — a staged scan's finish task: the scan's records loaded
 * from the shards, the verify tasks' pairs taken as the scan's, and the
 * rest of a scan run as fw_scan_run() runs it (scan.c): ranking, the
 * passage level (boilerplate lines, cutting, passage candidates, their
 * alignment, groups, reuse, spans, substitutions), clusters; then the
 * reports, by report.c, into the plan's report directory.
 *
 * What is serial here: the whole passage level, on one machine, from the
 * texts the sketch tasks kept (the texts are mapped, not read into
 * memory). The document level arrives done.
 */
#include "staged.h"
#include "scan_internal.h"
#include "shard_file.h"

#include <stdlib.h>
#include <string.h>

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
    fw_scan_options o = p->opt;
    o.threads = threads;
    fw_scan *s;
    char why[512];
    fw_status st = fw_scan_new(&o, &s, why, sizeof why);
    if (st != FW_OK) return fw_plan_fail(p, st, "%s", why);
    fw_shard_file **files = NULL;
    fw_result_pair *pairs = NULL;
    size_t npairs = 0;
    uint64_t candidates = 0;
    st = fw_stage_open_shards(p, &files);
    if (st == FW_OK) st = record_paths(p, s);
    if (st == FW_OK) st = fw_stage_load_records(p, s, files, o.passages);
    for (unsigned q = 0; q < p->partitions && st == FW_OK; q++)
        st = fw_stage_read_verified(p, q, &pairs, &npairs, &candidates);
    if (st == FW_OK) {
        fw_staged_pairs staged = {candidates, pairs, npairs};
        st = fw_scan_run_staged(s, &staged);
        if (st != FW_OK) fw_plan_fail(p, st, "finish: %s", fw_scan_error(s));
    }
    if (st == FW_OK) {
        st = fw_report_write(s, p->out, NULL);
        if (st != FW_OK)
            fw_plan_fail(p, st, "cannot write reports to %s: %s", p->out, fw_scan_error(s));
    }
    free(pairs);
    fw_scan_free(s); /* before the files its texts point into */
    fw_stage_close_shards(p, files);
    return st;
}
