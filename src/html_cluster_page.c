/*
 * html_cluster_page.c — cluster/R.html: a cluster of near-duplicates, named
 * by its representative's rank.
 *
 * Near-duplicate pairs join documents into clusters transitively, so a
 * chain A~B~C puts A and C together even when they are far apart. The page
 * shows why each member is there, and how far apart they are: the members
 * (by id), the pairs inside the cluster (the edges that joined it) and a
 * similarity matrix of the first MATRIX_MAX members, each cell the exact
 * Jaccard similarity of the two n-gram sets, shaded white to red, bold
 * where the pair is an edge. The sets are made again here as the scan made
 * them (normalized, in template form when the scan was, hashed with its n
 * and seed): the scan has a similarity only for the pairs it found, and the
 * matrix wants every pair of members.
 */
#include "report_html.h"
#include "html_page.h"
#include "scan.h"

#include <stdlib.h>

#define MATRIX_MAX 30       /* members shown in a cluster's matrix */

/* A document's sorted set of n-grams, as the scan makes them. */
static fw_status shingle_set(const fw_html_report *r, size_t doc, uint64_t **set, size_t *n)
{
    const fw_scan_options *o = fw_scan_get_options(r->scan);
    char *text;
    size_t len, ncps = 0, cap = 0, tcap = 0, nt;
    uint32_t *cps = NULL, *tcps = NULL;
    *set = NULL;
    *n = 0;
    fw_status st = fw_scan_doc_text(r->scan, doc, &text, &len);
    if (st != FW_OK) return st;
    st = fw_normalize(r->x.normalizer, text, len, &cps, &cap, &ncps, NULL);
    const uint32_t *use = cps;
    if (st == FW_OK && o->template_mode) {
        st = fw_template_apply(r->x.tmpl, cps, ncps, &tcps, &tcap, &nt);
        use = tcps;
        ncps = nt;
    }
    size_t count = fw_shingle_count(ncps, o->ngram);
    uint64_t *h = malloc((count ? count : 1) * sizeof *h), *tmp = malloc((count ? count : 1) * 8);
    if (st == FW_OK && h && tmp) {
        *n = fw_shingle_hash(use, ncps, o->ngram, o->seed, h, tmp);
        *set = h;
        h = NULL;
    } else if (st == FW_OK) {
        st = FW_ERR_NOMEM;
    }
    free(h);
    free(tmp);
    free(cps);
    free(tcps);
    free(text);
    return st;
}

static fw_status write_matrix(FILE *f, fw_html_report *r, const fw_html_cluster *c)
{
    size_t m = c->nmembers < MATRIX_MAX ? c->nmembers : MATRIX_MAX;
    uint64_t **sets = calloc(m ? m : 1, sizeof *sets);
    size_t *sizes = calloc(m ? m : 1, sizeof *sizes);
    fw_status st = sets && sizes ? FW_OK : FW_ERR_NOMEM;
    for (size_t i = 0; st == FW_OK && i < m; i++)
        st = shingle_set(r, c->members[i], &sets[i], &sizes[i]);
    if (st == FW_OK) {
        fprintf(f, "<h2>Similarity matrix%s</h2>\n<p class=\"note\">Jaccard similarity of the "
                   "n-gram sets; <b>bold</b>: a verified pair that joined the cluster.</p>\n"
                   "<table class=\"m\" id=\"matrix\"><tr><th></th>",
                m < c->nmembers ? " (the first 30 members by id)" : "");
        for (size_t j = 0; j < m; j++) fprintf(f, "<th>%zu</th>", j + 1);
        fputs("</tr>\n", f);
        for (size_t i = 0; i < m; i++) {
            fprintf(f, "<tr><th>%zu</th>", i + 1);
            for (size_t j = 0; j < m; j++) {
                if (i == j) {
                    fputs("<td>—</td>", f);
                    continue;
                }
                double jac = fw_verify_jaccard(
                    fw_verify_intersection(sets[i], sizes[i], sets[j], sizes[j]), sizes[i],
                    sizes[j]);
                int edge = fw_html_has_key(
                    r->pair_keys, r->npairs,
                    fw_html_pair_key(r->rank[c->members[i]], r->rank[c->members[j]]), NULL);
                /* white to red with the similarity */
                int shade = (int)(255 - 120 * jac);
                fprintf(f, "<td%s style=\"background:rgb(255,%d,%d)\">%.2f</td>",
                        edge ? " class=\"e\"" : "", shade, shade, jac);
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    for (size_t i = 0; sets && i < m; i++) free(sets[i]);
    free(sets);
    free(sizes);
    return st == FW_ERR_NOMEM ? fw_scan_fail(r->scan, st, "html report: out of memory") : st;
}

fw_status fw_html_write_cluster_page(fw_html_report *r, const fw_html_cluster *c)
{
    FILE *f = fw_html_open_page(r, "cluster/%zu.html", r->rank[c->rep]);
    if (!f) return FW_ERR_IO;
    fw_page_begin(f, fw_html_doc_id(r, c->rep), "../index.html");
    fprintf(f, "<h1>Cluster of %zu documents</h1>\n<p>Named after ", c->size);
    fw_html_doc_link(f, r, c->rep, "../");
    fputs(". Near-duplicate pairs join documents into clusters: a chain A~B~C puts A and C "
          "together even when they are far apart, which the matrix shows.</p>\n", f);
    fprintf(f, "<h2>Members</h2>\n<table id=\"members\"><tr><th></th><th>id</th>"
               "<th class=\"n\">characters</th></tr>\n");
    for (size_t i = 0; i < c->nmembers && i < LIST_MAX; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, c->members[i], &d);
        fprintf(f, "<tr><td>%zu</td><td>", i + 1);
        fw_html_doc_link(f, r, c->members[i], "../");
        fprintf(f, "</td><td class=\"n\">%llu</td></tr>\n", (unsigned long long)d.chars);
    }
    fputs("</table>\n", f);
    if (c->nmembers > LIST_MAX) fprintf(f, "<p>… and %zu more.</p>\n", c->nmembers - LIST_MAX);
    /* the verified pairs inside the cluster: the edges that joined it */
    fputs("<h2>Verified pairs that joined it</h2>\n<table id=\"edges\"><tr><th>A</th><th>B</th>"
          "<th class=\"n\">Jaccard</th><th></th></tr>\n", f);
    size_t shown = 0, edges = 0;
    for (size_t i = 0; i < r->npairs; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, r->pairs[i].a, &d);
        if (d.cluster != (int64_t)c->rep) continue;
        edges++;
        if (shown++ >= LIST_MAX) continue;
        fputs("<tr><td>", f);
        fw_html_doc_link(f, r, r->pairs[i].a, "../");
        fputs("</td><td>", f);
        fw_html_doc_link(f, r, r->pairs[i].b, "../");
        fputs("</td><td class=\"n\">", f);
        if (r->pairs[i].jaccard >= 0) fprintf(f, "%.3f", r->pairs[i].jaccard);
        else fprintf(f, "~%.3f", r->pairs[i].estimate);
        fputs("</td><td>", f);
        fw_html_pair_link(f, r, r->pairs[i].a, r->pairs[i].b, "../");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (edges > LIST_MAX) fprintf(f, "<p>… and %zu more.</p>\n", edges - LIST_MAX);
    fw_status st = write_matrix(f, r, c);
    fw_page_end(f);
    return fw_html_close_page(r, f, st);
}
