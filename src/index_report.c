/*
 * index_report.c — a query's reports: pairs.csv, clusters.csv and docs.csv
 * with the rows a scan of the index and the batch together has for the
 * batch's documents, byte for byte as report.c writes them, and with the
 * passage level reuse.csv and spans.csv (without it, docs.csv's passage
 * columns are empty, as a scan with --no-passages leaves them).
 *
 * Each file is written under a temporary name, flushed to disk and renamed
 * over the old one, so a reader sees a whole report, old or new.
 */
#include "index.h"
#include "csv_write.h"
#include "json_write.h"
#include "measure.h"
#include "report_rows.h"
#include "scan_internal.h"
#include "whole_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void ratio(FILE *f, double v)
{
    if (v >= 0) fw_csv_fixed6(f, v);
}

static void write_pairs(const fw_index_result *r, FILE *f)
{
    fputs("id_a,id_b,jaccard,est_jaccard,a_in_b,b_in_a\r\n", f);
    for (size_t i = 0; i < r->npairs; i++) {
        const fw_index_pair *p = &r->pairs[i];
        fw_csv_field(f, fw_index_result_id(r, p->a));
        putc_unlocked(',', f);
        fw_csv_field(f, fw_index_result_id(r, p->b));
        putc_unlocked(',', f);
        ratio(f, p->jaccard);
        putc_unlocked(',', f);
        ratio(f, p->estimate);
        putc_unlocked(',', f);
        ratio(f, p->a_in_b);
        putc_unlocked(',', f);
        ratio(f, p->b_in_a);
        fputs("\r\n", f);
    }
}

static void write_docs(const fw_index_result *r, FILE *f)
{
    fputs("id,status,bytes,chars,shingles,passages,reused_share,boilerplate_share,"
          "cluster,message\r\n", f);
    for (size_t i = 0; i < r->n; i++) {
        const fw_doc_record *d = &r->batch->docs[i];
        fw_csv_field(f, r->ids[i]);
        putc_unlocked(',', f);
        fputs(fw_doc_status_name(d->status), f);
        putc_unlocked(',', f);
        fw_csv_u64(f, d->bytes);
        putc_unlocked(',', f);
        fw_csv_u64(f, d->chars);
        putc_unlocked(',', f);
        fw_csv_u64(f, d->nshingles);
        putc_unlocked(',', f);
        if (r->passages) { /* as report.c */
            fw_csv_u64(f, d->npassages);
            putc_unlocked(',', f);
            fw_csv_fixed6(f, fw_aligned_share(r->reused_chars[i], d->naligned));
            putc_unlocked(',', f);
            fw_csv_fixed6(f, fw_aligned_share(r->boilerplate_chars[i], d->naligned));
        } else {
            fputs(",,", f);
        }
        fputs(",", f);
        if (r->cluster[i]) fw_csv_field(f, r->cluster[i]);
        putc_unlocked(',', f);
        fw_csv_field(f, fw_index_result_message(r, i));
        fputs("\r\n", f);
    }
}

/* reuse.csv and spans.csv: the rows of the batch's documents, in the
 * scan's format (report_rows.c). */
static void write_reuse(const fw_index_result *r, FILE *f)
{
    fw_reuse_header(f);
    for (size_t i = 0; i < r->npreuse; i++) {
        const fw_reuse_pair *p = &r->preuse[i];
        fw_reuse_row(f, fw_index_result_id(r, r->pdocs[p->a]), fw_index_result_id(r, r->pdocs[p->b]),
                     p);
    }
}

static void write_spans(const fw_index_result *r, FILE *f)
{
    fw_spans_header(f);
    for (size_t i = 0; i < r->npspans; i++) {
        const fw_reused_span *p = &r->pspans[i];
        fw_spans_row(f, fw_index_result_id(r, r->pdocs[p->a]), fw_index_result_id(r, r->pdocs[p->b]),
                     p);
    }
}

static const fw_index_result *sort_ctx;

static int cmp_member(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_ctx->cluster[x], sort_ctx->cluster[y]);
    return c ? c : strcmp(sort_ctx->ids[x], sort_ctx->ids[y]);
}

static void write_clusters(const fw_index_result *r, FILE *f, size_t *members)
{
    fputs("cluster,id,size\r\n", f);
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->cluster[i]) members[m++] = i;
    sort_ctx = r; /* under the caller's lock */
    qsort(members, m, sizeof *members, cmp_member);
    for (size_t k = 0; k < m; k++) {
        size_t i = members[k];
        fw_csv_field(f, r->cluster[i]);
        putc_unlocked(',', f);
        fw_csv_field(f, r->ids[i]);
        putc_unlocked(',', f);
        fw_csv_u64(f, r->cluster_size[i]);
        fputs("\r\n", f);
    }
}

/* summary.json: what the query read, found and did, and how long each of
 * its steps took ("kind": "query": `fanwen report` and `explain --report`
 * read a scan's). */
static void write_summary(const fw_index *ix, const fw_index_result *r, FILE *f, double t_report)
{
    fw_scan_stats st;
    fw_scan_get_stats(r->batch, &st);
    fw_scan_options o;
    fw_index_scan_options(ix, &o);
    const fw_query_measures *m = &r->measured;
    uint64_t total = 0, with_indexed = 0, clustered = 0;
    for (int i = 0; i < FW_DOC_STATUS_COUNT; i++) total += st.docs[i];
    for (size_t i = 0; i < r->npairs; i++)
        with_indexed += r->pairs[i].a < r->base || r->pairs[i].b < r->base;
    for (size_t i = 0; i < r->n; i++) clustered += r->cluster[i] != NULL;
    fprintf(f, "{\n  \"version\": \"%s\",\n  \"kind\": \"query\",\n  \"index\": {\"dir\": ",
            FW_VERSION_STRING);
    fw_json_string(f, ix->dir);
    fprintf(f, ", \"generation\": %llu, \"documents\": %llu, \"segments\": %llu, "
               "\"passage_model\": ",
            (unsigned long long)r->generation, (unsigned long long)m->live,
            (unsigned long long)m->segments);
    if (r->passages && ix->man.passage_model[0]) fw_json_string(f, ix->man.passage_model);
    else fputs("null", f);
    fprintf(f, "},\n  \"parameters\": {\"ngram\": %u, \"perms\": %u, \"bands\": %u, "
               "\"rows\": %u, \"threshold\": %g, \"seed\": %llu, \"sketch\": \"%s\", "
               "\"template\": %s, \"passages\": %s, \"threads\": %d},\n",
            o.ngram, o.perms, o.bands, o.rows, o.threshold, (unsigned long long)o.seed,
            fw_sketch_name(o.sketch), o.template_mode ? "true" : "false",
            r->passages ? "true" : "false", st.threads);
    fprintf(f, "  \"batch\": {\"inputs\": %llu, \"input_bytes\": %llu, \"text_bytes\": %llu, "
               "\"documents\": {\"total\": %llu",
            (unsigned long long)st.inputs, (unsigned long long)st.input_bytes,
            (unsigned long long)st.bytes, (unsigned long long)total);
    for (int i = 0; i < FW_DOC_STATUS_COUNT; i++)
        fprintf(f, ", \"%s\": %llu", fw_doc_status_name((fw_doc_status)i),
                (unsigned long long)st.docs[i]);
    fprintf(f, "}},\n  \"results\": {\"pairs\": %zu, \"pairs_with_indexed\": %llu, "
               "\"clustered_documents\": %llu, \"reuse_pairs\": %zu, \"spans\": %zu},\n",
            r->npairs, (unsigned long long)with_indexed, (unsigned long long)clustered,
            r->npreuse, r->npspans);
    fprintf(f, "  \"work\": {\"candidate_pairs\": %llu, \"indexed_documents_sketched\": %llu, "
               "\"passage_candidate_pairs\": %llu, \"passage_pairs_screened_out\": %llu, "
               "\"indexed_documents_cut\": %llu, \"indexed_copies_taken\": %llu},\n",
            (unsigned long long)m->candidates_n, (unsigned long long)m->indexed_sketched,
            (unsigned long long)m->passage_candidates_n,
            (unsigned long long)m->passage_screened_out, (unsigned long long)m->indexed_cut,
            (unsigned long long)m->indexed_copies);
    /* wall seconds; sketch: reading and sketching the batch, as a scan's */
    fprintf(f, "  \"stages\": {\n"
               "    \"sketch\": {\"seconds\": %.6f, \"mb_per_s\": %.3f},\n"
               "    \"batch\": {\"seconds\": %.6f},\n"
               "    \"candidates\": {\"seconds\": %.6f},\n"
               "    \"verify\": {\"seconds\": %.6f},\n"
               "    \"withdrawn\": {\"seconds\": %.6f},\n"
               "    \"passages\": {\"seconds\": %.6f, \"candidates_seconds\": %.6f, "
               "\"cut_seconds\": %.6f, \"match_seconds\": %.6f},\n"
               "    \"clusters\": {\"seconds\": %.6f},\n"
               "    \"report\": {\"seconds\": %.6f, \"peak_rss_mb\": %.1f}\n  }\n}\n",
            st.t_sketch_wall,
            st.t_sketch_wall > 0 ? (double)st.bytes / 1e6 / st.t_sketch_wall : 0, m->batch,
            m->candidates, m->verify, m->withdrawn, m->passages, m->passage_candidates,
            m->passage_cut, m->passage_match, m->clusters, t_report, fw_peak_rss_mb());
}

enum { PAIRS, CLUSTERS, DOCS, REUSE, SPANS, SUMMARY }; /* REPORT_NAMES' order */

/* One report's body, for fw_whole_file_write(). */
typedef struct report_job {
    fw_index *ix;
    const fw_index_result *r;
    int which;
    size_t *members;
    double t0;
} report_job;

static fw_status report_job_body(void *ctx, FILE *f)
{
    const report_job *job = ctx;
    const fw_index_result *r = job->r;
    if (job->which == PAIRS) write_pairs(r, f);
    else if (job->which == DOCS) write_docs(r, f);
    else if (job->which == REUSE) write_reuse(r, f);
    else if (job->which == SPANS) write_spans(r, f);
    else if (job->which == SUMMARY) write_summary(job->ix, r, f, fw_now() - job->t0);
    else write_clusters(r, f, job->members);
    return FW_OK;
}

static const char *const REPORT_NAMES[] = {"pairs.csv", "clusters.csv", "docs.csv",
                                           "reuse.csv", "spans.csv", "summary.json"};

static fw_status write_one(fw_index *ix, const fw_index_result *r, const char *dir, int which,
                           size_t *members, double t0)
{
    const char *name = REPORT_NAMES[which];
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    report_job job = {ix, r, which, members, t0};
    fw_status body_status;
    if (fw_whole_file_write(path, tmp, report_job_body, &job, &body_status) != FW_OK)
        return fw_index_fail(ix, FW_ERR_IO, "%s: %s", path, strerror(errno ? errno : EIO));
    return FW_OK;
}

fw_status fw_index_result_write(fw_index *ix, const fw_index_result *r, const char *dir)
{
    if (r->batch->add_only)
        return fw_index_fail(ix, FW_ERR_ARG, "fw_index_result_write: the batch was made to be "
                             "added only (fw_index_batch_to_add): it has no reports");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return fw_index_fail(ix, FW_ERR_IO, "%s: %s", dir, strerror(errno));
    size_t *members = malloc((r->n ? r->n : 1) * sizeof *members);
    if (!members) return FW_ERR_NOMEM;
    fw_remove_stale_temps(dir, REPORT_NAMES, sizeof REPORT_NAMES / sizeof *REPORT_NAMES);
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock); /* sort_ctx */
    double t0 = fw_now();
    fw_status st = write_one(ix, r, dir, PAIRS, members, t0);
    if (st == FW_OK) st = write_one(ix, r, dir, CLUSTERS, members, t0);
    if (st == FW_OK) st = write_one(ix, r, dir, DOCS, members, t0);
    if (st == FW_OK && r->passages) st = write_one(ix, r, dir, REUSE, members, t0);
    if (st == FW_OK && r->passages) st = write_one(ix, r, dir, SPANS, members, t0);
    if (st == FW_OK) st = write_one(ix, r, dir, SUMMARY, members, t0);
    pthread_mutex_unlock(&lock);
    /* not an earlier run's passage reports beside this one's (a query
     * writes no passages.csv, boilerplate.csv or substitutions.csv: they
     * are the whole corpus's) */
    const char *stale[] = {"passages.csv", "boilerplate.csv", "substitutions.csv", "reuse.csv",
                           "spans.csv"};
    for (int i = 0; st == FW_OK && i < (r->passages ? 3 : 5); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, stale[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            st = fw_index_fail(ix, FW_ERR_IO, "%s: cannot remove: %s", path, strerror(errno));
    }
    free(members);
    return st;
}
