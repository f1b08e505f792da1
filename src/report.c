/*
 * report.c — CSV reports and summary.json.
 *
 * CSV follows RFC 4180: UTF-8, a header row, CRLF line ends, and a field
 * quoted (with "" for ") when it holds a comma, quote, CR or LF — file
 * names can hold all of these. Numbers are printed with six decimals, the
 * same on every run. Each file is written to a temporary name in the output
 * directory, flushed to disk and renamed over the final name, so a reader or
 * a crash never sees half a report.
 *
 * Uses only the public API: the reports are what any embedding program
 * could write itself.
 */
#include "fanwen.h"
#include "measure.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* A number in [0, 1], or an empty field for "not computed" (negative). */
static void csv_ratio(FILE *f, double v)
{
    if (v >= 0) fprintf(f, "%.6f", v);
}

static const char *doc_id(const fw_scan *scan, size_t i)
{
    fw_doc_info info;
    fw_scan_doc(scan, i, &info);
    return info.id;
}

fw_status fw_report_write_pairs(const fw_scan *scan, void *file)
{
    FILE *f = file;
    fputs("id_a,id_b,jaccard,est_jaccard,a_in_b,b_in_a\r\n", f);
    const fw_result_pair *p = fw_scan_pairs(scan);
    for (size_t i = 0, n = fw_scan_pair_count(scan); i < n; i++) {
        csv_field(f, doc_id(scan, p[i].a));
        fputc(',', f);
        csv_field(f, doc_id(scan, p[i].b));
        fputc(',', f);
        csv_ratio(f, p[i].jaccard);
        fputc(',', f);
        csv_ratio(f, p[i].estimate);
        fputc(',', f);
        csv_ratio(f, p[i].a_in_b);
        fputc(',', f);
        csv_ratio(f, p[i].b_in_a);
        fputs("\r\n", f);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
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
        fw_scan_doc(scan, fw_scan_doc_by_rank(scan, r), &d);
        if (d.cluster < 0) continue;
        fw_scan_doc(scan, (size_t)d.cluster, &rep);
        cursor[rep.rank + 1]++;
    }
    for (size_t r = 0; r < n; r++) cursor[r + 1] += cursor[r];
    for (size_t r = 0; r < n; r++) {
        fw_scan_doc(scan, fw_scan_doc_by_rank(scan, r), &d);
        if (d.cluster < 0) continue;
        fw_scan_doc(scan, (size_t)d.cluster, &rep);
        order[cursor[rep.rank]++] = (uint32_t)r;
    }
    size_t m = n ? cursor[n - 1] : 0;
    for (size_t i = 0; i < m; i++) {
        fw_scan_doc(scan, fw_scan_doc_by_rank(scan, order[i]), &d);
        csv_field(f, doc_id(scan, (size_t)d.cluster));
        fputc(',', f);
        csv_field(f, d.id);
        fprintf(f, ",%llu\r\n", (unsigned long long)d.cluster_size);
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
        csv_field(f, d.id);
        fprintf(f, ",%s,%llu,%llu,%llu,", fw_doc_status_name(d.status),
                (unsigned long long)d.bytes, (unsigned long long)d.chars,
                (unsigned long long)d.shingles);
        if (passages) /* empty fields: the passage level was off */
            fprintf(f, "%llu,%.6f,%.6f", (unsigned long long)d.passages, d.reused_share,
                    d.boilerplate_share);
        else
            fputs(",,", f);
        fputc(',', f);
        if (d.cluster >= 0) csv_field(f, doc_id(scan, (size_t)d.cluster));
        fputc(',', f);
        csv_field(f, d.message);
        fputs("\r\n", f);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* passages.csv: every passage in a group, by group, then id, then position. */
static fw_status write_passages(const fw_scan *scan, FILE *f)
{
    fputs("group,id,passage,byte_start,byte_end,chars,text\r\n", f);
    for (size_t i = 0, n = fw_scan_grouped_count(scan); i < n; i++) {
        fw_passage_info p;
        fw_scan_grouped_passage(scan, i, &p);
        fprintf(f, "%llu,", (unsigned long long)p.group);
        csv_field(f, doc_id(scan, p.doc));
        fprintf(f, ",%u,%llu,%llu,%llu,", p.index, (unsigned long long)p.byte_start,
                (unsigned long long)p.byte_end, (unsigned long long)p.chars);
        csv_field(f, p.text);
        fputs("\r\n", f);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* reuse.csv: documents sharing passages, boilerplate left out. */
static fw_status write_reuse(const fw_scan *scan, FILE *f)
{
    fputs("id_a,id_b,shared_passages,shared_chars,a_in_b,b_in_a\r\n", f);
    const fw_reuse_pair *r = fw_scan_reuse(scan);
    for (size_t i = 0, n = fw_scan_reuse_count(scan); i < n; i++) {
        csv_field(f, doc_id(scan, r[i].a));
        fputc(',', f);
        csv_field(f, doc_id(scan, r[i].b));
        fprintf(f, ",%llu,%llu,%.6f,%.6f\r\n", (unsigned long long)r[i].shared_passages,
                (unsigned long long)r[i].shared_chars, r[i].a_in_b, r[i].b_in_a);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
}

/* boilerplate.csv: one row per boilerplate group, most documents first. */
static fw_status write_boilerplate(const fw_scan *scan, FILE *f)
{
    fputs("group,docs,chars,text\r\n", f);
    for (size_t i = 0, n = fw_scan_boilerplate_count(scan); i < n; i++) {
        fw_group_info g;
        fw_scan_group(scan, fw_scan_boilerplate_group(scan, i), &g);
        fprintf(f, "%llu,%llu,%llu,", (unsigned long long)g.group,
                (unsigned long long)g.docs, (unsigned long long)g.chars);
        csv_field(f, g.text);
        fputs("\r\n", f);
    }
    return ferror(f) ? FW_ERR_IO : FW_OK;
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
                   "\"candidate_probability_at_threshold\": %.6f, \"boilerplate_docs\": %llu, "
                   "\"boilerplate_share\": %g, \"boilerplate_docs_needed\": %llu, "
                   "\"reuse_min\": %g},\n",
                o->min_passage, o->max_passage, o->passage_threshold, st.passage_bands,
                st.passage_rows, st.passage_probability,
                (unsigned long long)o->boilerplate_docs, o->boilerplate_share,
                (unsigned long long)st.boilerplate_docs_needed, o->reuse_min);
    fprintf(f, "  \"results\": {\"shingles\": %llu, \"candidate_pairs\": %llu, "
               "\"verified_pairs\": %llu, \"reported_pairs\": %zu, \"clusters\": %llu, "
               "\"clustered_documents\": %llu},\n",
            (unsigned long long)st.shingles, (unsigned long long)st.candidates,
            (unsigned long long)st.verified, fw_scan_pair_count(scan),
            (unsigned long long)st.clusters, (unsigned long long)st.clustered_docs);
    if (o->passages)
        fprintf(f, "  \"passage_results\": {\"passages\": %llu, \"candidate_pairs\": %llu, "
                   "\"matched_pairs\": %llu, \"groups\": %llu, \"grouped_passages\": %llu, "
                   "\"boilerplate_groups\": %llu, \"reuse_pairs\": %llu},\n",
                (unsigned long long)st.passages, (unsigned long long)st.passage_candidates,
                (unsigned long long)st.passage_matches, (unsigned long long)st.passage_groups,
                (unsigned long long)st.grouped_passages,
                (unsigned long long)st.boilerplate_groups, (unsigned long long)st.reuse_pairs);
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
                   "    \"passages\": {\"seconds\": %.6f, \"peak_rss_mb\": %.1f},\n",
                st.t_passage_cut, mb_per_s(st.bytes, st.t_passage_cut), st.t_passages,
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

/* Writes one report through a temporary file renamed into place. */
static fw_status write_atomically(const fw_scan *scan, const char *dir,
                                  const char *name, double t_report,
                                  fw_status (*body)(const fw_scan *, FILE *, double))
{
    char final[4096], tmp[4200];
    snprintf(final, sizeof final, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return FW_ERR_IO;
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    fw_status st = body(scan, f, t_report);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) st = FW_ERR_IO;
    if (fclose(f) != 0) st = FW_ERR_IO;
    if (st == FW_OK && rename(tmp, final) != 0) st = FW_ERR_IO;
    if (st != FW_OK) unlink(tmp);
    return st;
}

static fw_status pairs_body(const fw_scan *s, FILE *f, double t) { (void)t; return fw_report_write_pairs(s, f); }
static fw_status clusters_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_clusters(s, f); }
static fw_status docs_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_docs(s, f); }
static fw_status passages_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_passages(s, f); }
static fw_status reuse_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_reuse(s, f); }
static fw_status boilerplate_body(const fw_scan *s, FILE *f, double t) { (void)t; return write_boilerplate(s, f); }

fw_status fw_report_write(fw_scan *scan, const char *dir, double *report_seconds)
{
    double t0 = fw_now();
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) return FW_ERR_IO;
    fw_status st = write_atomically(scan, dir, "pairs.csv", 0, pairs_body);
    if (st == FW_OK) st = write_atomically(scan, dir, "clusters.csv", 0, clusters_body);
    if (st == FW_OK) st = write_atomically(scan, dir, "docs.csv", 0, docs_body);
    if (fw_scan_get_options(scan)->passages) {
        if (st == FW_OK) st = write_atomically(scan, dir, "passages.csv", 0, passages_body);
        if (st == FW_OK) st = write_atomically(scan, dir, "reuse.csv", 0, reuse_body);
        if (st == FW_OK)
            st = write_atomically(scan, dir, "boilerplate.csv", 0, boilerplate_body);
    } else { /* not a previous run's passage reports beside this run's */
        const char *stale[] = {"passages.csv", "reuse.csv", "boilerplate.csv"};
        for (int i = 0; i < 3; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, stale[i]);
            if (unlink(path) != 0 && errno != ENOENT) st = FW_ERR_IO;
        }
    }
    double t = fw_now() - t0;
    if (st == FW_OK) st = write_atomically(scan, dir, "summary.json", t, write_summary);
    if (report_seconds) *report_seconds = fw_now() - t0;
    return st;
}
