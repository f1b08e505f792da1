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

/* The shard's band records into one band file per partition, written one
 * after the other (one file open at a time, however many partitions):
 * every record made once and counted into place by (partition, band), each
 * run then sorted by key and item. About 36 bytes per record at once. */
static fw_status write_bands(fw_plan *p, unsigned shard, const fw_scan *s)
{
    const unsigned parts = p->partitions, bands = p->bands;
    const size_t n = s->ndocs, cells = (size_t)parts * bands;
    size_t m = 0; /* records: bands for every document with keys */
    for (size_t i = 0; i < n; i++) m += s->docs[i].band_keys || s->docs[i].sig ? bands : 0;
    fw_band_record *made = malloc((m ? m : 1) * sizeof *made);
    fw_band_record *rec = malloc((m ? m : 1) * sizeof *rec);
    uint32_t *cell = malloc((m ? m : 1) * sizeof *cell);
    size_t *at = calloc(cells + 1, sizeof *at);
    fw_status st = made && rec && cell && at ? FW_OK : FW_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; st == FW_OK && i < n; i++) {
        const fw_doc_record *d = &s->docs[i];
        if (!d->band_keys && !d->sig) continue; /* no text */
        for (unsigned b = 0; b < bands; b++, k++) {
            uint64_t key = d->band_keys ? d->band_keys[b] : fw_lsh_band_key64(d->sig, b, p->rows);
            made[k] = (fw_band_record){key, (uint64_t)shard << 32 | i};
            cell[k] = (uint32_t)(fw_key_partition(key, parts) * bands + b);
            at[cell[k] + 1]++;
        }
    }
    for (size_t c = 0; st == FW_OK && c < cells; c++) at[c + 1] += at[c];
    for (size_t j = 0; st == FW_OK && j < m; j++) rec[at[cell[j]]++] = made[j];
    for (size_t c = cells; st == FW_OK && c > 0; c--) at[c] = at[c - 1]; /* back to starts */
    if (st == FW_OK) at[0] = 0;
    for (unsigned q = 0; q < parts && st == FW_OK; q++) {
        char path[4096], why[512];
        fw_plan_path(p, path, sizeof path, FW_STAGE_SKETCH, "%u.p%u.bands", shard, q);
        fw_band_writer *w;
        if ((st = fw_band_writer_new(path, bands, p->tag, &w, why, sizeof why)) != FW_OK) {
            fw_plan_fail(p, st, "%s", why);
            break;
        }
        for (unsigned b = 0; b < bands && st == FW_OK; b++) {
            const size_t c = (size_t)q * bands + b, len = at[c + 1] - at[c];
            fw_band_records_sort(rec + at[c], made, len);
            st = fw_band_writer_add(w, b, rec + at[c], len);
        }
        if (st == FW_OK) st = fw_band_writer_finish(w);
        if (st != FW_OK) fw_plan_fail(p, st, "%s", fw_band_writer_error(w));
        fw_band_writer_free(w);
    }
    free(made);
    free(rec);
    free(cell);
    free(at);
    return st;
}

fw_status fw_stage_sketch(fw_plan *p, unsigned shard, int threads)
{
    fw_scan_options o = p->opt;
    o.threads = threads;
    /* the records are the same without verification, which only keeps
     * every document's shingle hashes (8 bytes a character) for its set:
     * the gather task makes the candidates' */
    o.verify = 0;
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
    if (st != FW_OK) fw_plan_write_failed(p, st, path);
    else st = write_bands(p, shard, s);
    fw_scan_free(s);
    return st;
}
