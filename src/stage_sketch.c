/*
 * stage_sketch.c — a staged scan's sketch task: one shard of the inputs
 * read and sketched, exactly as fw_scan reads and sketches them.
 *
 * The task makes a scan with the plan's options, adds the shard's paths
 * and lets the scan's own pipeline read and sketch them (pipeline.c,
 * sketch.c): the same records, band keys and kept texts as a whole scan
 * would make for these documents, and writes:
 *
 *   sketch/S.docs       the records (shard_file.c): no exact sets, which
 *                       would weigh 8 bytes per distinct shingle, and no
 *                       signatures (512 bytes): the gather task makes
 *                       those of the candidates
 *   sketch/S.p<P>.bands one band file per partition P of the key space
 *                       (band_file.h): the band keys that fall in it, each
 *                       with item = S << 32 | the document's number in the
 *                       shard, sorted, so that the bands task of P merges
 *                       whole buckets.
 */
#include "staged.h"
#include "band_file.h"
#include "lsh.h"
#include "pipeline.h"
#include "scan_internal.h"
#include "shard_file.h"

#include <stdlib.h>
#include <string.h>

/* The shard's band records, partition by partition. */
static fw_status write_bands(fw_plan *p, unsigned shard, const fw_scan *s)
{
    const unsigned parts = p->partitions, bands = p->bands;
    const size_t n = s->ndocs;
    fw_band_writer **w = calloc(parts, sizeof *w);
    fw_band_record **rec = calloc(parts, sizeof *rec);
    size_t *len = calloc(parts, sizeof *len);
    fw_band_record *tmp = malloc((n ? n : 1) * sizeof *tmp);
    fw_status st = w && rec && len && tmp ? FW_OK : FW_ERR_NOMEM;
    char path[4096], why[512];
    for (unsigned q = 0; q < parts && st == FW_OK; q++) {
        if (!(rec[q] = malloc((n ? n : 1) * sizeof **rec))) {
            st = FW_ERR_NOMEM;
            break;
        }
        fw_plan_path(p, path, sizeof path, FW_STAGE_SKETCH, "%u.p%u.bands", shard, q);
        st = fw_band_writer_new(path, bands, p->tag, &w[q], why, sizeof why);
        if (st != FW_OK) fw_plan_fail(p, st, "%s", why);
    }
    for (unsigned b = 0; b < bands && st == FW_OK; b++) {
        memset(len, 0, parts * sizeof *len);
        for (size_t i = 0; i < n; i++) {
            const fw_doc_record *d = &s->docs[i];
            if (!d->band_keys && !d->sig) continue; /* no text */
            uint64_t key = d->band_keys ? d->band_keys[b] : fw_lsh_band_key64(d->sig, b, p->rows);
            unsigned q = fw_key_partition(key, parts);
            rec[q][len[q]++] = (fw_band_record){key, (uint64_t)shard << 32 | i};
        }
        for (unsigned q = 0; q < parts && st == FW_OK; q++) {
            fw_band_records_sort(rec[q], tmp, len[q]);
            st = fw_band_writer_add(w[q], b, rec[q], len[q]);
            if (st != FW_OK) fw_plan_fail(p, st, "%s", fw_band_writer_error(w[q]));
        }
    }
    for (unsigned q = 0; q < parts && st == FW_OK; q++) {
        st = fw_band_writer_finish(w[q]);
        if (st != FW_OK) fw_plan_fail(p, st, "%s", fw_band_writer_error(w[q]));
    }
    for (unsigned q = 0; w && rec && q < parts; q++) {
        fw_band_writer_free(w[q]);
        free(rec[q]);
    }
    free(w);
    free(rec);
    free(len);
    free(tmp);
    return st;
}

fw_status fw_stage_sketch(fw_plan *p, unsigned shard, int threads)
{
    fw_scan_options o = p->opt;
    o.threads = threads;
    fw_scan *s;
    char why[512];
    fw_status st = fw_scan_new(&o, &s, why, sizeof why);
    if (st != FW_OK) return fw_plan_fail(p, st, "%s", why);
    for (size_t i = p->shard_first[shard]; i < p->shard_first[shard + 1] && st == FW_OK; i++)
        st = fw_scan_add_path(s, p->paths[i]);
    if (st == FW_OK) st = fw_pipeline_finish(s);
    if (st != FW_OK) {
        fw_plan_fail(p, st, "sketch %u: %s", shard,
                     fw_scan_error(s)[0] ? fw_scan_error(s) : fw_status_str(st));
        fw_scan_free(s);
        return st;
    }
    char path[4096];
    fw_plan_path(p, path, sizeof path, FW_STAGE_SKETCH, "%u.docs", shard);
    fw_shard_counts counts = {s->stats.inputs, s->stats.input_bytes, s->stats.skipped_records};
    st = fw_shard_file_write(path, p->tag, o.perms, s->docs, s->ndocs, &counts);
    if (st != FW_OK) fw_plan_fail(p, st, "cannot write %s", path);
    else st = write_bands(p, shard, s);
    fw_scan_free(s);
    return st;
}
