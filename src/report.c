/*
 * report.c — CSV reports and summary.json.
 *
 * CSV follows RFC 4180: UTF-8, a header row, CRLF line ends, and a field
 * quoted (with "" for ") when it holds a comma, quote, CR or LF — file
 * names can hold all of these. Numbers are printed with six decimals, the
 * same on every run.
 *
 * A reader, a crash or a kill never sees half a report: each is written
 * unnamed and then renamed into place (whole_file.c), and the temporary
 * names .NAME.tmp.PID that killed runs left are removed by the next run
 * that writes into the directory.
 *
 * Uses only the public API (and fw_scan_fail, to report through the
 * scan's one error channel): the reports are what any embedding program
 * could write itself.
 */
#include "fanwen.h"
#include "csv_write.h"
#include "json_write.h"
#include "report_rows.h"
#include "measure.h"
#include "scan.h"
#include "whole_file.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A number in [0, 1], or an empty field for "not computed" (negative). */
static void csv_ratio(FILE *f, double v)
{
    if (v >= 0) fw_csv_fixed6(f, v);
}

/* The id of a document number that came from the scan's own results. */
static const char *doc_id(const fw_scan *scan, size_t i)
{
    fw_doc_info info;
    return fw_scan_doc(scan, i, &info) == FW_OK ? info.id : "";
}

fw_status fw_report_write_pairs(const fw_scan *scan, void *file)
{
    FILE *f = file;
    const fw_result_pair *p;
    size_t n;
    fw_status st = fw_scan_pairs(scan, &p, &n);
    if (st != FW_OK)
        return fw_scan_fail(scan, st, "fw_report_write_pairs: no results before fw_scan_run()");
    fputs("id_a,id_b,jaccard,est_jaccard,a_in_b,b_in_a\r\n", f);
    flockfile(f); /* csv_write.c writes unlocked; the caller's stream may be shared */
    for (size_t i = 0; i < n; i++) {
        fw_csv_field(f, doc_id(scan, p[i].a));
        putc_unlocked(',', f);
        fw_csv_field(f, doc_id(scan, p[i].b));
        putc_unlocked(',', f);
        csv_ratio(f, p[i].jaccard);
        putc_unlocked(',', f);
        csv_ratio(f, p[i].estimate);
        putc_unlocked(',', f);
        csv_ratio(f, p[i].a_in_b);
        putc_unlocked(',', f);
        csv_ratio(f, p[i].b_in_a);
        fputs("\r\n", f);
    }
    funlockfile(f);
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

static void doc_by_rank(const fw_scan *scan, size_t r, fw_doc_info *d)
{
    size_t doc = 0;
    fw_scan_doc_by_rank(scan, r, &doc);
    fw_scan_doc(scan, doc, d);
}

static fw_status write_clusters(const fw_scan *scan, FILE *f)
{
    fputs("cluster,id,size\r\n", f);
    size_t n = fw_scan_doc_count(scan);
    /* Members grouped by representative, both in id order: a counting sort
     * on the representative's rank, filled by walking ranks upwards. */
    size_t *cursor = calloc(n + 1, sizeof *cursor);
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!cursor || !order) {
        free(cursor);
        free(order);
        return FW_ERR_NOMEM;
    }
    fw_doc_info d, rep;
    for (size_t r = 0; r < n; r++) {
        doc_by_rank(scan, r, &d);
        if (d.cluster < 0) continue;
        fw_scan_doc(scan, (size_t)d.cluster, &rep);
        cursor[rep.rank + 1]++;
    }
    for (size_t r = 0; r < n; r++) cursor[r + 1] += cursor[r];
    for (size_t r = 0; r < n; r++) {
        doc_by_rank(scan, r, &d);
        if (d.cluster < 0) continue;
        fw_scan_doc(scan, (size_t)d.cluster, &rep);
        order[cursor[rep.rank]++] = (uint32_t)r;
    }
    size_t m = n ? cursor[n - 1] : 0;
    for (size_t i = 0; i < m; i++) {
        doc_by_rank(scan, order[i], &d);
        fw_csv_field(f, doc_id(scan, (size_t)d.cluster));
        putc_unlocked(',', f);
        fw_csv_field(f, d.id);
        putc_unlocked(',', f);
        fw_csv_u64(f, d.cluster_size);
        fputs("\r\n", f);
    }
    free(cursor);
    free(order);
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

static fw_status write_docs(const fw_scan *scan, FILE *f)
{
    fputs("id,status,bytes,chars,shingles,passages,reused_share,boilerplate_share,"
          "cluster,message\r\n", f);
    const int passages = fw_scan_get_options(scan)->passages;
    for (size_t i = 0, n = fw_scan_doc_count(scan); i < n; i++) {
        fw_doc_info d;
        fw_scan_doc(scan, i, &d);
        fw_csv_field(f, d.id);
        putc_unlocked(',', f);
        fputs(fw_doc_status_name(d.status), f);
        putc_unlocked(',', f);
        fw_csv_u64(f, d.bytes);
        putc_unlocked(',', f);
        fw_csv_u64(f, d.chars);
        putc_unlocked(',', f);
        fw_csv_u64(f, d.shingles);
        putc_unlocked(',', f);
        if (passages) { /* empty fields: the passage level was off */
            fw_csv_u64(f, d.passages);
            putc_unlocked(',', f);
            fw_csv_fixed6(f, d.reused_share);
            putc_unlocked(',', f);
            fw_csv_fixed6(f, d.boilerplate_share);
        } else {
            fputs(",,", f);
        }
        putc_unlocked(',', f);
        if (d.cluster >= 0) fw_csv_field(f, doc_id(scan, (size_t)d.cluster));
        putc_unlocked(',', f);
        fw_csv_field(f, d.message);
        fputs("\r\n", f);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* Rows [from, to) of passages.csv. */
static fw_status passage_rows(const fw_scan *scan, size_t from, size_t to, FILE *f)
{
    for (size_t i = from; i < to; i++) {
        fw_passage_info p;
        fw_status st = fw_scan_grouped_passage(scan, i, &p);
        if (st != FW_OK) return st; /* an excerpt not read back */
        fw_csv_u64(f, p.group); /* no fprintf: millions of rows on a large crawl */
        putc_unlocked(',', f);
        fw_csv_field(f, doc_id(scan, p.doc));
        const uint64_t numbers[] = {p.index, p.byte_start, p.byte_end, p.chars};
        fw_csv_fields(f, numbers, 4);
        putc_unlocked(',', f);
        fw_csv_field(f, p.text);
        fputs("\r\n", f);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* Rows a thread makes at a time into a buffer of its own. */
#define PASSAGE_BLOCK 8192

/* passages.csv: every passage in a group, by group, then id, then position.
 * A large crawl has millions, and making their excerpts costs far more than
 * writing them: with threads, each makes a block of rows into memory and the
 * blocks are written in order (fw_report_write() runs it after the other
 * reports, with every thread). */
static fw_status write_passages(const fw_scan *scan, FILE *f, int threads)
{
    fputs("group,id,passage,byte_start,byte_end,chars,text\r\n", f);
    const size_t n = fw_scan_grouped_count(scan);
    if (threads <= 1 || n <= PASSAGE_BLOCK) return passage_rows(scan, 0, n, f);
    char **buf = calloc((size_t)threads, sizeof *buf);
    size_t *len = calloc((size_t)threads, sizeof *len);
    fw_status *done = calloc((size_t)threads, sizeof *done);
    fw_status st = buf && len && done ? FW_OK : FW_ERR_NOMEM;
    for (size_t at = 0; at < n && st == FW_OK; at += (size_t)threads * PASSAGE_BLOCK) {
        /* a loop, not one block a thread: a team may come smaller than
         * asked (called from inside a parallel region) */
        #pragma omp parallel for schedule(static, 1) num_threads(threads)
        for (int t = 0; t < threads; t++) {
            const size_t from = at + (size_t)t * PASSAGE_BLOCK;
            const size_t to = from + PASSAGE_BLOCK < n ? from + PASSAGE_BLOCK : n;
            FILE *m = from < to ? open_memstream(&buf[t], &len[t]) : NULL;
            done[t] = from < to && !m ? FW_ERR_NOMEM : FW_OK;
            if (m) {
                flockfile(m);
                done[t] = passage_rows(scan, from, to, m);
                funlockfile(m);
                if (fclose(m) != 0 && done[t] == FW_OK) done[t] = FW_ERR_NOMEM;
            }
        }
        for (int t = 0; t < threads; t++) {
            if (st == FW_OK) st = done[t];
            if (st == FW_OK && len[t]) fwrite(buf[t], 1, len[t], f);
            free(buf[t]);
            buf[t] = NULL;
            len[t] = 0;
        }
    }
    free(buf);
    free(len);
    free(done);
    if (st != FW_OK) return st;
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* reuse.csv: documents sharing passages, boilerplate left out. */
static fw_status write_reuse(const fw_scan *scan, FILE *f)
{
    fw_reuse_header(f);
    const fw_reuse_pair *r;
    size_t n;
    fw_status st = fw_scan_reuse(scan, &r, &n);
    if (st != FW_OK) return st;
    for (size_t i = 0; i < n; i++)
        fw_reuse_row(f, doc_id(scan, r[i].a), doc_id(scan, r[i].b), &r[i]);
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* spans.csv: reused spans, by id of a, a_start, id of b, b_start. */
static fw_status write_spans(const fw_scan *scan, FILE *f)
{
    fw_spans_header(f);
    const fw_reused_span *r;
    size_t n;
    fw_status st = fw_scan_spans(scan, &r, &n);
    if (st != FW_OK) return st;
    for (size_t i = 0; i < n; i++)
        fw_spans_row(f, doc_id(scan, r[i].a), doc_id(scan, r[i].b), &r[i]);
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* substitutions.csv: the swaps learned from the spans, a --canon table. */
static fw_status write_substitutions(const fw_scan *scan, FILE *f)
{
    fputs("variant,canonical,count,docs\r\n", f);
    for (size_t i = 0, n = fw_scan_substitution_count(scan); i < n; i++) {
        fw_substitution r;
        fw_status st = fw_scan_substitution(scan, i, &r);
        if (st != FW_OK) return st;
        fw_csv_field(f, r.variant);
        putc_unlocked(',', f);
        fw_csv_field(f, r.canonical);
        fprintf(f, ",%llu,%llu\r\n", (unsigned long long)r.count, (unsigned long long)r.docs);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* boilerplate.csv: one row per boilerplate group, most documents first. */
static fw_status write_boilerplate(const fw_scan *scan, FILE *f)
{
    fputs("kind,group,docs,chars,text\r\n", f);
    for (size_t i = 0, n = fw_scan_boilerplate_count(scan); i < n; i++) {
        fw_group_info g;
        fw_status st = fw_scan_boilerplate(scan, i, &g);
        if (st != FW_OK) return st;
        fprintf(f, "%s,%llu,%llu,%llu,", g.line ? "line" : "passage", (unsigned long long)g.group,
                (unsigned long long)g.docs, (unsigned long long)g.chars);
        fw_csv_field(f, g.text);
        fputs("\r\n", f);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

static int is_utf8(const char *s) { return fw_utf8_valid_prefix(s, strlen(s)) == strlen(s); }

/* `s`'s bytes as a JSON string of hex digits. */
static void write_hex(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) fprintf(f, "%02x", (unsigned char)*s);
    fputc('"', f);
}

/* "input": what was read, so that `fanwen explain --report` and `fanwen
 * report` can read the same texts again. */
static void write_inputs(const fw_scan *scan, FILE *f)
{
    fw_scan_inputs in;
    fw_scan_get_inputs(scan, &in);
    const fw_scan_options *o = fw_scan_get_options(scan);
    fputs("  \"input\": {\"cwd\": ", f);
    if (in.cwd) fw_json_string(f, in.cwd);
    else fputs("null", f);
    if (in.unrecorded) { /* too many: none */
        fprintf(f, ", \"paths\": null, \"paths_not_recorded\": %llu",
                (unsigned long long)in.unrecorded);
    } else {
        fputs(", \"paths\": [", f);
        for (size_t i = 0; i < in.npaths; i++) {
            if (i) fputs(", ", f);
            fw_json_string(f, in.paths[i]);
        }
        fputc(']', f);
        /* a path that is not UTF-8 (JSON holds U+FFFD for its bytes) also
         * as its bytes in hex, by its place in "paths": read again as it is */
        int any = 0;
        for (size_t i = 0; i < in.npaths; i++) {
            if (is_utf8(in.paths[i])) continue;
            fprintf(f, "%s\"%zu\": ", any++ ? ", " : ", \"raw_paths\": {", i);
            write_hex(f, in.paths[i]);
        }
        if (any) fputc('}', f);
    }
    if (in.cwd && !is_utf8(in.cwd)) {
        fputs(", \"raw_cwd\": ", f);
        write_hex(f, in.cwd);
    }
    fprintf(f, ", \"texts_added\": %llu, \"text_field\": ", (unsigned long long)in.texts);
    fw_json_string(f, o->text_field);
    fputs(", \"id_field\": ", f);
    fw_json_string(f, o->id_field);
    fputs(", \"canon\": ", f);
    if (o->canon_path) fw_json_string(f, o->canon_path);
    else fputs("null", f);
    if (in.passage_model) { /* only then: summaries stay as they were without */
        fputs(", \"passage_model\": ", f);
        fw_json_string(f, in.passage_model);
        fprintf(f, ", \"passage_model_sum\": \"%016llx\"",
                (unsigned long long)in.passage_model_sum);
    }
    fputs("},\n", f);
}

static double mb_per_s(uint64_t bytes, double seconds)
{
    return seconds > 0 ? bytes / 1e6 / seconds : 0;
}

static fw_status write_summary(const fw_scan *scan, FILE *f, double t_report)
{
    fw_scan_stats st;
    fw_scan_get_stats(scan, &st);
    const fw_scan_options *o = fw_scan_get_options(scan);
    uint64_t total = 0;
    for (int i = 0; i < FW_DOC_STATUS_COUNT; i++) total += st.docs[i];
    fprintf(f, "{\n  \"version\": \"%s\",\n", FW_VERSION_STRING);
    fprintf(f, "  \"skipped_records\": %llu,\n", (unsigned long long)st.skipped_records);
    write_inputs(scan, f);
    fprintf(f, "  \"inputs\": %llu,\n  \"input_bytes\": %llu,\n  \"text_bytes\": %llu,\n",
            (unsigned long long)st.inputs, (unsigned long long)st.input_bytes,
            (unsigned long long)st.bytes);
    fprintf(f, "  \"documents\": {\"total\": %llu", (unsigned long long)total);
    for (int i = 0; i < FW_DOC_STATUS_COUNT; i++)
        fprintf(f, ", \"%s\": %llu", fw_doc_status_name((fw_doc_status)i),
                (unsigned long long)st.docs[i]);
    fprintf(f, "},\n  \"parameters\": {\"ngram\": %u, \"perms\": %u, \"bands\": %u, "
               "\"rows\": %u, \"threshold\": %g, \"seed\": %llu, \"verify\": %s, "
               "\"sketch\": \"%s\", \"simd\": \"%s\", \"template\": %s, "
               "\"canon_entries\": %llu, \"threads\": %d, "
               "\"candidate_probability_at_threshold\": %.6f},\n",
            o->ngram, o->perms, st.bands, st.rows, o->threshold,
            (unsigned long long)o->seed, o->verify ? "true" : "false",
            fw_sketch_name(o->sketch), fw_simd_name(st.simd),
            o->template_mode ? "true" : "false", (unsigned long long)st.canon_entries,
            st.threads, st.candidate_probability);
    if (o->passages)
        fprintf(f, "  \"passage_parameters\": {\"min_passage\": %u, \"max_passage\": %u, "
                   "\"threshold\": %g, \"bands\": %u, \"rows\": %u, "
                   "\"shingle\": 3, \"stop_grams\": %llu, "
                   "\"candidate_probability_at_jaccard_0.3\": %.6f, "
                   "\"boilerplate_docs\": %llu, "
                   "\"boilerplate_share\": %g, \"boilerplate_docs_needed\": %llu, "
                   "\"reuse_min\": %g},\n",
                o->min_passage, o->max_passage, o->passage_threshold, st.passage_bands,
                st.passage_rows, (unsigned long long)st.passage_stop_grams,
                st.passage_probability, (unsigned long long)o->boilerplate_docs, o->boilerplate_share,
                (unsigned long long)st.boilerplate_docs_needed, o->reuse_min);
    /* --memory-limit (null: none) and what it did */
    fprintf(f, "  \"memory\": {\"limit_bytes\": ");
    if (o->memory_limit) fprintf(f, "%llu", (unsigned long long)o->memory_limit);
    else fputs("null", f);
    fprintf(f, ", \"max_doc_bytes\": %llu, \"band_runs_on_disk\": %llu, "
               "\"passage_band_runs_on_disk\": %llu},\n",
            (unsigned long long)o->max_doc_bytes, (unsigned long long)st.band_runs,
            (unsigned long long)st.passage_band_runs);
    fprintf(f, "  \"results\": {\"shingles\": %llu, \"candidate_pairs\": %llu, "
               "\"verified_pairs\": %llu, \"reported_pairs\": %zu, \"clusters\": %llu, "
               "\"clustered_documents\": %llu},\n",
            (unsigned long long)st.shingles, (unsigned long long)st.candidates,
            (unsigned long long)st.verified, fw_scan_pair_count(scan),
            (unsigned long long)st.clusters, (unsigned long long)st.clustered_docs);
    if (o->passages)
        fprintf(f, "  \"passage_results\": {\"passages\": %llu, \"candidate_pairs\": %llu, "
                   "\"screened_pairs\": %llu, \"matched_pairs\": %llu, \"groups\": %llu, \"grouped_passages\": %llu, "
                   "\"boilerplate_groups\": %llu, \"reuse_pairs\": %llu, \"spans\": %llu},\n",
                (unsigned long long)st.passages, (unsigned long long)st.passage_candidates,
                (unsigned long long)st.passage_screened, (unsigned long long)st.passage_matches, (unsigned long long)st.passage_groups,
                (unsigned long long)st.grouped_passages,
                (unsigned long long)st.boilerplate_groups, (unsigned long long)st.reuse_pairs,
                (unsigned long long)st.spans);
    fprintf(f, "  \"stages\": {\n");
    fprintf(f, "    \"read\": {\"seconds\": %.6f, \"mb_per_s\": %.3f},\n", st.t_read,
            mb_per_s(st.bytes, st.t_read));
    const char *names[] = {"parse_json", "normalize", "shingle", "minhash"};
    double ts[] = {st.t_parse, st.t_normalize, st.t_shingle, st.t_minhash};
    for (int i = 0; i < 4; i++)
        fprintf(f, "    \"%s\": {\"thread_seconds\": %.6f, \"mb_per_s_per_thread\": %.3f},\n",
                names[i], ts[i], mb_per_s(st.bytes, ts[i]));
    /* peak_rss_mb: the process's peak resident memory at the end of the
     * stage (reading and sketching together) */
    fprintf(f, "    \"sketch\": {\"seconds\": %.6f, \"mb_per_s\": %.3f, "
               "\"peak_rss_mb\": %.1f},\n",
            st.t_sketch_wall, mb_per_s(st.bytes, st.t_sketch_wall), st.rss_sketch);
    if (o->passages)
        fprintf(f, "    \"passage_cut\": {\"thread_seconds\": %.6f, "
                   "\"mb_per_s_per_thread\": %.3f},\n"
                   "    \"passages\": {\"seconds\": %.6f, \"candidates_seconds\": %.6f, "
                   "\"verify_seconds\": %.6f, \"spans_seconds\": %.6f, "
                   "\"swaps_seconds\": %.6f, \"peak_rss_mb\": %.1f},\n",
                st.t_passage_cut, mb_per_s(st.bytes, st.t_passage_cut), st.t_passages,
                st.t_passage_candidates, st.t_passage_verify, st.t_spans, st.t_swaps,
                st.rss_passages);
    fprintf(f, "    \"lsh\": {\"seconds\": %.6f, \"peak_rss_mb\": %.1f},\n"
               "    \"verify\": {\"seconds\": %.6f, \"peak_rss_mb\": %.1f},\n"
               "    \"cluster\": {\"seconds\": %.6f, \"peak_rss_mb\": %.1f},\n"
               "    \"report\": {\"seconds\": %.6f, \"peak_rss_mb\": %.1f}\n",
            st.t_lsh, st.rss_lsh, st.t_verify, st.rss_verify, st.t_cluster, st.rss_cluster,
            t_report, fw_peak_rss_mb());
    fprintf(f, "  }\n}\n");
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* ------------------------------------------------- writing into place */

typedef fw_status (*report_body)(const fw_scan *, FILE *, double);

static const char *const REPORT_NAMES[] = {"pairs.csv", "clusters.csv", "docs.csv",
                                           "passages.csv", "reuse.csv", "spans.csv",
                                           "substitutions.csv", "boilerplate.csv",
                                           "summary.json"};
#define NREPORTS (sizeof REPORT_NAMES / sizeof *REPORT_NAMES)
#define REPORT_PATH_MAX 4096

/* One report's body, for fw_whole_file_write(). */
typedef struct report_job {
    const fw_scan *scan;
    double t_report;
    report_body body;
} report_job;

static fw_status report_job_body(void *ctx, FILE *f)
{
    const report_job *job = ctx;
    return job->body(job->scan, f, job->t_report);
}

/* Writes one report into place (whole_file.c). */
static fw_status write_atomically(const fw_scan *scan, const char *dir, const char *name,
                                  double t_report, report_body body)
{
    char final[REPORT_PATH_MAX], tmp[REPORT_PATH_MAX];
    if ((size_t)snprintf(final, sizeof final, "%s/%s", dir, name) >= sizeof final ||
        (size_t)snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid()) >=
            sizeof tmp) {
        return fw_scan_fail(scan, FW_ERR_IO, "%s/%s: %s", dir, name, strerror(ENAMETOOLONG));
    }
    report_job job = {scan, t_report, body};
    fw_status body_status;
    fw_status st = fw_whole_file_write(final, tmp, report_job_body, &job, &body_status);
    if (st != FW_OK && body_status == FW_OK) /* the file, not the results */
        fw_scan_fail(scan, st, "%s: cannot write: %s", final,
                     errno ? strerror(errno) : fw_status_str(st));
    return st;
}

static fw_status pairs_body(const fw_scan *s, FILE *f, double t) { (void)t; return fw_report_write_pairs(s, f); }
static fw_status clusters_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_clusters(s, f); }
static fw_status docs_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_docs(s, f); }
static fw_status passages_body(const fw_scan *s, FILE *f, double t)
{
    (void)t;
    fw_scan_stats stats;
    fw_scan_get_stats(s, &stats);
    return write_passages(s, f, stats.threads > 0 ? stats.threads : 1);
}
static fw_status reuse_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_reuse(s, f); }
static fw_status spans_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_spans(s, f); }
static fw_status substitutions_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_substitutions(s, f); }
static fw_status boilerplate_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_boilerplate(s, f); }

fw_status fw_report_write(fw_scan *scan, const char *dir, double *report_seconds)
{
    double t0 = fw_now();
    size_t npairs;
    const fw_result_pair *pairs;
    if (fw_scan_pairs(scan, &pairs, &npairs) != FW_OK)
        return fw_scan_fail(scan, FW_ERR_ARG, "fw_report_write: no results before fw_scan_run()"
                            " (or after it failed)");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fw_scan_fail(scan, FW_ERR_IO, "%s: cannot create the report directory: %s", dir,
                            strerror(errno));
    fw_remove_stale_temps(dir, REPORT_NAMES, NREPORTS);
    /* The reports are independent files: written at once, one a thread
     * (poetry's docs.csv, passages.csv and spans.csv take a tenth of a
     * second each), but for passages.csv with threads, whose rows every
     * thread then makes (a crawl's is hundreds of MB); summary.json last,
     * with the time they took. */
    static const struct {
        const char *name;
        report_body body;
    } reports[] = {{"pairs.csv", pairs_body}, {"clusters.csv", clusters_body},
                   {"docs.csv", docs_body}, {"passages.csv", passages_body},
                   {"reuse.csv", reuse_body}, {"spans.csv", spans_body},
                   {"substitutions.csv", substitutions_body},
                   {"boilerplate.csv", boilerplate_body}};
    const int passages = fw_scan_get_options(scan)->passages;
    const int n = passages ? 8 : 3;
    fw_scan_stats stats;
    fw_scan_get_stats(scan, &stats);
    fw_status done[8];
    /* passages.csv, much the largest on a crawl, last, with every thread */
    const int alone = passages && stats.threads > 1 ? 3 : -1;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(stats.threads > 0 ? stats.threads : 1)
    for (int i = 0; i < n; i++)
        if (i != alone) done[i] = write_atomically(scan, dir, reports[i].name, 0, reports[i].body);
    if (alone >= 0)
        done[alone] = write_atomically(scan, dir, reports[alone].name, 0, reports[alone].body);
    fw_status st = FW_OK;
    for (int i = 0; i < n && st == FW_OK; i++) st = done[i];
    if (!passages) { /* not a previous run's passage reports beside this run's */
        const char *stale[] = {"passages.csv", "reuse.csv", "spans.csv", "substitutions.csv",
                               "boilerplate.csv"};
        for (int i = 0; i < 5; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, stale[i]);
            if (unlink(path) != 0 && errno != ENOENT)
                st = fw_scan_fail(scan, FW_ERR_IO, "%s: cannot remove: %s", path,
                                  strerror(errno));
        }
    }
    double t = fw_now() - t0;
    if (st == FW_OK) st = write_atomically(scan, dir, "summary.json", t, write_summary);
    if (report_seconds) *report_seconds = fw_now() - t0;
    return st;
}
