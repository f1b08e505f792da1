/*
 * html_overview.c — index.html: what a scan found, at a glance, and where
 * to look first.
 *
 * The counts (documents by status; pairs, clusters, reuse, spans, passage
 * groups, boilerplate), then three distributions as inline SVG bar charts
 * (html_page.c): pairs by Jaccard similarity in bins of 0.05 from the
 * threshold (rounded down to one), documents by reused share (those with
 * any) in tenths, clusters by size in bins that double. Then the top lists
 * report_html.c selected:
 * documents by reused share, near-duplicate pairs by Jaccard, pairs
 * sharing text by the larger share, clusters by size, passage groups by
 * documents, boilerplate; and the inputs not read, so that nothing is
 * silently missing. A list shows what it has; a row links to the pages
 * that exist (html_links.c).
 */
#include "report_html.h"
#include "html_page.h"

#include <stdlib.h>

/* `n` values as a bar chart of `bins` bins over [lo, hi); values below lo
 * are left out, those at hi or above go into the last bin. */
static void histogram(FILE *f, const char *title, const double *v, size_t n, double lo,
                      double hi, int bins)
{
    uint64_t counts[20] = {0};
    char text[20][16];
    const char *labels[20];
    for (size_t i = 0; i < n; i++) {
        if (v[i] < lo) continue;
        /* a value on a bar's lower edge (0.6 from 0.5 in steps of 0.05)
         * is that bar's, though the division falls a hair short of it */
        int b = hi > lo ? (int)((v[i] - lo) / (hi - lo) * bins + 1e-9) : 0;
        counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]++;
    }
    for (int b = 0; b < bins; b++) {
        snprintf(text[b], sizeof text[b], "%.2f", lo + (hi - lo) * b / bins);
        labels[b] = text[b];
    }
    fw_page_bar_chart(f, title, labels, counts, (size_t)bins);
}

/* Clusters by size, in bins that double from 5 on. */
static void cluster_histogram(FILE *f, const fw_html_cluster *all, size_t n)
{
    static const char *const labels[] = {"2", "3", "4", "5–8", "9–16", "17–32", "33–64",
                                         "65–128", "129+"};
    uint64_t counts[9] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t s = all[i].size;
        int b = s <= 4 ? (int)s - 2 : s <= 8 ? 3 : s <= 16 ? 4 : s <= 32 ? 5 : s <= 64 ? 6
                                                                : s <= 128 ? 7 : 8;
        counts[b < 0 ? 0 : b]++;
    }
    fw_page_bar_chart(f, "clusters by size", labels, counts, 9);
}

static void count_row(FILE *f, const char *what, uint64_t n)
{
    fprintf(f, "<tr><th>%s</th><td class=\"n\">%llu</td></tr>\n", what, (unsigned long long)n);
}

static void write_counts_and_charts(FILE *f, const fw_html_report *r,
                                    const fw_html_selection *s)
{
    fw_scan_stats st;
    fw_scan_get_stats(r->scan, &st);
    const fw_scan_options *o = fw_scan_get_options(r->scan);
    fputs("<h1>Near-duplicates and reused text</h1>\n<div class=\"stats\"><table id=\"status\">"
          "<tr><th>documents</th><th></th></tr>\n", f);
    for (int i = 0; i < FW_DOC_STATUS_COUNT; i++)
        count_row(f, fw_doc_status_name((fw_doc_status)i), st.docs[i]);
    fputs("</table><table id=\"counts\"><tr><th>found</th><th></th></tr>\n", f);
    count_row(f, "near-duplicate pairs", r->npairs);
    count_row(f, "clusters", st.clusters);
    count_row(f, "documents in clusters", st.clustered_docs);
    count_row(f, "pairs sharing text (reuse)", r->nreuse);
    count_row(f, "reused spans", r->nspans);
    count_row(f, "passage groups", st.passage_groups);
    count_row(f, "boilerplate (lines and groups)", fw_scan_boilerplate_count(r->scan));
    fprintf(f, "</table></div>\n<p class=\"note\">Pairs at Jaccard ≥ %g of %u-grams; reuse where "
               "one side has ≥ %g of its text in the other. Lists show the top %u.</p>\n",
            o->threshold, o->ngram, o->reuse_min, r->top);
    fputs("<div class=\"charts\">", f);
    double *v = malloc((r->npairs ? r->npairs : 1) * sizeof *v);
    if (v) {
        for (size_t i = 0; i < r->npairs; i++)
            v[i] = r->pairs[i].jaccard >= 0 ? r->pairs[i].jaccard : r->pairs[i].estimate;
        double lo = (int)(o->threshold * 20) / 20.0;
        histogram(f, "pairs by Jaccard similarity", v, r->npairs, lo, 1.0,
                  (int)((1.0 - lo) * 20 + 0.5) > 0 ? (int)((1.0 - lo) * 20 + 0.5) : 1);
        free(v);
    }
    histogram(f, "documents by reused share (those with any)", s->doc_share, r->ndocs, 1e-12,
              1.0, 10);
    cluster_histogram(f, s->clusters, s->nclusters);
    fputs("</div>\n", f);
}

static void write_top_lists(FILE *f, const fw_html_report *r, const fw_html_selection *s)
{
    fprintf(f, "<h2>Documents by reused share (top %zu)</h2>\n", s->ndocs);
    fputs("<table id=\"docs\"><tr><th>id</th><th class=\"n\">reused</th><th class=\"n\">"
          "boilerplate</th><th class=\"n\">characters</th></tr>\n", f);
    for (size_t i = 0; i < s->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, s->docs[i], &d);
        fputs("<tr><td>", f);
        fw_html_doc_link(f, r, s->docs[i], "");
        fputs("</td><td class=\"n\">", f);
        fw_page_percent(f, d.reused_share);
        fputs("</td><td class=\"n\">", f);
        fw_page_percent(f, d.boilerplate_share);
        fprintf(f, "</td><td class=\"n\">%llu</td></tr>\n", (unsigned long long)d.chars);
    }
    fputs("</table>\n", f);

    fprintf(f, "<h2>Near-duplicate pairs (top %zu by Jaccard)</h2>\n", s->npairs);
    fputs("<table id=\"pairs\"><tr><th>A</th><th>B</th><th class=\"n\">Jaccard</th>"
          "<th class=\"n\">A in B</th><th class=\"n\">B in A</th><th></th></tr>\n", f);
    for (size_t i = 0; i < s->npairs; i++) {
        const fw_result_pair *p = &r->pairs[s->pairs[i]];
        fputs("<tr><td>", f);
        fw_html_doc_link(f, r, p->a, "");
        fputs("</td><td>", f);
        fw_html_doc_link(f, r, p->b, "");
        if (p->jaccard >= 0)
            fprintf(f, "</td><td class=\"n\">%.3f</td><td class=\"n\">%.3f</td><td class=\"n\">"
                       "%.3f</td><td>", p->jaccard, p->a_in_b, p->b_in_a);
        else
            fprintf(f, "</td><td class=\"n\">~%.3f</td><td></td><td></td><td>", p->estimate);
        fw_html_pair_link(f, r, p->a, p->b, "");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);

    fprintf(f, "<h2>Documents sharing text (top %zu by the larger share)</h2>\n", s->nreuse);
    fputs("<table id=\"reuse\"><tr><th>A</th><th>B</th><th class=\"n\">shared characters</th>"
          "<th class=\"n\">A in B</th><th class=\"n\">B in A</th><th></th></tr>\n", f);
    for (size_t i = 0; i < s->nreuse; i++) {
        const fw_reuse_pair *p = &r->reuse[s->reuse[i]];
        fputs("<tr><td>", f);
        fw_html_doc_link(f, r, p->a, "");
        fputs("</td><td>", f);
        fw_html_doc_link(f, r, p->b, "");
        fprintf(f, "</td><td class=\"n\">%llu</td><td class=\"n\">%.3f</td><td class=\"n\">%.3f"
                   "</td><td>", (unsigned long long)p->shared_chars, p->a_in_b, p->b_in_a);
        fw_html_pair_link(f, r, p->a, p->b, "");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);

    fprintf(f, "<h2>Clusters (top %zu by size)</h2>\n", s->ntop_clusters);
    fputs("<table id=\"clusters\"><tr><th>named after</th><th class=\"n\">documents</th>"
          "<th></th></tr>\n", f);
    for (size_t i = 0; i < s->ntop_clusters; i++) {
        const fw_html_cluster *c = &s->clusters[i];
        fputs("<tr><td>", f);
        fw_html_doc_link(f, r, c->rep, "");
        fprintf(f, "</td><td class=\"n\">%zu</td><td><a href=\"cluster/%zu.html\">members, "
                   "edges, matrix</a></td></tr>\n", c->size, r->rank[c->rep]);
    }
    fputs("</table>\n", f);

    fprintf(f, "<h2>Passage groups (top %llu by documents)</h2>\n",
            (unsigned long long)s->ngroups);
    fputs("<table id=\"groups\"><tr><th class=\"n\">group</th><th class=\"n\">documents</th>"
          "<th class=\"n\">passages</th><th>text</th></tr>\n", f);
    for (size_t i = 0; i < s->ngroups; i++) {
        fw_group_info g;
        if (fw_scan_group(r->scan, (size_t)s->groups[i] - 1, &g) != FW_OK) continue;
        fprintf(f, "<tr><td class=\"n\"><a href=\"group/%llu.html\">%llu</a></td><td class=\"n\">"
                   "%llu</td><td class=\"n\">%llu</td><td>", (unsigned long long)g.group,
                (unsigned long long)g.group, (unsigned long long)g.docs,
                (unsigned long long)g.passages);
        fw_page_str(f, g.text);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);

    size_t nb = fw_scan_boilerplate_count(r->scan);
    fprintf(f, "<h2>Boilerplate (%zu; left out of every share)</h2>\n", nb);
    fputs("<table id=\"boilerplate\"><tr><th>kind</th><th class=\"n\">documents</th>"
          "<th>text</th></tr>\n", f);
    for (size_t i = 0; i < nb && i < r->top; i++) {
        fw_group_info g;
        if (fw_scan_boilerplate(r->scan, i, &g) != FW_OK) continue;
        if (g.line)
            fprintf(f, "<tr><td>line</td><td class=\"n\">%llu</td><td class=\"bp\">",
                    (unsigned long long)g.docs);
        else
            fprintf(f, "<tr><td><a href=\"group/%llu.html\">passage group %llu</a></td>"
                       "<td class=\"n\">%llu</td><td class=\"bp\">",
                    (unsigned long long)g.group, (unsigned long long)g.group,
                    (unsigned long long)g.docs);
        fw_page_str(f, g.text);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);

    /* what could not be read, so that nothing is silently missing */
    size_t shown = 0;
    for (size_t i = 0; i < r->ndocs && shown < r->top; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, i, &d);
        if (d.status != FW_DOC_ERROR && d.status != FW_DOC_BINARY) continue;
        if (!shown++)
            fputs("<h2>Not read</h2>\n<table id=\"errors\"><tr><th>id</th><th>status</th>"
                  "<th>why</th></tr>\n", f);
        fputs("<tr><td class=\"id\">", f);
        fw_page_str(f, d.id);
        fprintf(f, "</td><td>%s</td><td>", fw_doc_status_name(d.status));
        fw_page_str(f, d.message);
        fputs("</td></tr>\n", f);
    }
    if (shown) fputs("</table>\n", f);
}

fw_status fw_html_write_overview(const fw_html_report *r, const fw_html_selection *s)
{
    FILE *f = fw_html_open_page(r, "index.html");
    if (!f) return FW_ERR_IO;
    fw_page_begin(f, "overview", NULL);
    write_counts_and_charts(f, r, s);
    write_top_lists(f, r, s);
    fw_page_end(f);
    return fw_html_close_page(r, f, FW_OK);
}
