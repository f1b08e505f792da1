/*
 * html_doc_page.c — doc/R.html: a document's sources and its text coloured
 * by them, in the manner of CNKI's report.
 *
 * A source is a document this one shares reused spans with, on either
 * side of the span (spans are listed by side a; report_html.c indexes them
 * by side b as well). The spans rank the candidates, and the top
 * SOURCES_SHOWN are each explained against this document: the explanation's
 * marked runs, not the spans, give a source's characters and its share of
 * this document, and the sources are listed by that share, most first, ties
 * by id. The same number leads a source's row and colours its runs in the
 * text (nine colours: sources beyond the eighth share the last), and a run
 * links to the pair page when the pair has one. A byte two sources hold is
 * coloured by the one listed first.
 *
 * report_html.c uses fw_html_sources_of() too: the top documents' largest
 * sources get pair pages.
 */
#include "report_html.h"
#include "html_page.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#define SOURCES_SHOWN 20    /* sources listed on a document page */

static int by_doc(const void *p, const void *q)
{
    const fw_html_source *x = p, *y = q;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static int by_chars_then_rank(const void *p, const void *q)
{
    const fw_html_source *x = p, *y = q;
    if (x->chars != y->chars) return x->chars > y->chars ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

fw_status fw_html_sources_of(const fw_html_report *r, size_t doc, size_t most,
                             fw_html_source **out, size_t *n)
{
    size_t first, count;
    fw_explainer_spans_of(&r->x, doc, &first, &count);
    size_t as_b = r->b_first[doc + 1] - r->b_first[doc];
    fw_html_source *s = malloc((count + as_b + 1) * sizeof *s);
    if (!s) return fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    size_t m = 0;
    for (size_t k = first; k < first + count; k++)
        if (r->spans[k].b != doc)
            s[m++] = (fw_html_source){r->spans[k].b, r->rank[r->spans[k].b],
                                      r->spans[k].a_chars, 0};
    for (size_t k = r->b_first[doc]; k < r->b_first[doc + 1]; k++) {
        const fw_reused_span *sp = &r->spans[r->b_spans[k]];
        if (sp->a != doc) s[m++] = (fw_html_source){sp->a, r->rank[sp->a], sp->b_chars, 0};
    }
    qsort(s, m, sizeof *s, by_doc);
    size_t u = 0;
    for (size_t k = 0; k < m; k++) {
        if (u && s[u - 1].doc == s[k].doc) s[u - 1].chars += s[k].chars;
        else s[u++] = s[k];
    }
    qsort(s, u, sizeof *s, by_chars_then_rank);
    *out = s;
    *n = u < most ? u : most;
    return FW_OK;
}

static int by_share_then_rank(const void *p, const void *q)
{
    const fw_html_source *x = p, *y = q;
    if (x->share != y->share) return x->share > y->share ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

typedef struct doc_paint_ctx {
    const fw_html_report *r;
    size_t doc;
    const fw_html_source *sources;
} doc_paint_ctx;

static void open_source_run(FILE *f, void *ctx, int32_t k, int first, size_t s, size_t e,
                            const char *cls)
{
    const doc_paint_ctx *c = ctx;
    (void)first;
    fprintf(f, "<a class=\"s%d%s\" data-source=\"%d\" data-s=\"%zu\" data-e=\"%zu\"",
            k < 8 ? k : 8, cls, k, s, e);
    if (fw_html_has_pair_page(c->r, c->doc, c->sources[k].doc)) {
        fputs(" href=\"", f);
        fw_html_pair_href(f, c->r, c->doc, c->sources[k].doc, "../");
        fputc('"', f);
    }
    fputc('>', f);
}

/* Sorts sources (and their explanations, in step) by share, most first,
 * ties by id; `chars` becomes the characters in marked runs. */
static fw_status rank_by_share(const fw_html_report *r, fw_html_source *s, fw_explanation **e,
                               size_t n)
{
    fw_html_source *sorted = malloc((n ? n : 1) * sizeof *sorted);
    fw_explanation **es = malloc((n ? n : 1) * sizeof *es);
    if (!sorted || !es) {
        free(sorted);
        free(es);
        return fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    }
    /* `chars` carries each source's place before the sort */
    for (size_t k = 0; k < n; k++)
        sorted[k] = (fw_html_source){s[k].doc, s[k].rank, k, s[k].share};
    qsort(sorted, n, sizeof *sorted, by_share_then_rank);
    for (size_t k = 0; k < n; k++) {
        es[k] = e[sorted[k].chars];
        sorted[k].chars = es[k]->a_marked;
    }
    memcpy(s, sorted, n * sizeof *s);
    memcpy(e, es, n * sizeof *e);
    free(sorted);
    free(es);
    return FW_OK;
}

fw_status fw_html_write_doc_page(fw_html_report *r, size_t doc)
{
    fw_doc_info d;
    fw_status st = fw_scan_doc(r->scan, doc, &d);
    fw_html_source *s = NULL;
    size_t n = 0;
    if (st == FW_OK) st = fw_html_sources_of(r, doc, SOURCES_SHOWN, &s, &n);
    if (st != FW_OK) return st;
    /* each source explained: the runs of this document it holds */
    fw_explanation **e = calloc(n ? n : 1, sizeof *e);
    if (!e) st = fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    for (size_t k = 0; st == FW_OK && k < n; k++) {
        st = fw_explainer_explain(&r->x, doc, s[k].doc, &e[k]);
        if (st == FW_OK) {
            s[k].chars = e[k]->a_marked;
            s[k].share = e[k]->a_chars ? (double)e[k]->a_marked / e[k]->a_chars : 0;
        }
    }
    /* sources ranked by share; each explanation follows its source */
    if (st == FW_OK) st = rank_by_share(r, s, e, n);
    char *text = NULL;
    size_t len = 0;
    if (st == FW_OK) st = fw_scan_doc_text(r->scan, doc, &text, &len);
    fw_paint p = {0};
    if (st == FW_OK && !fw_paint_new(&p, len))
        st = fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    for (size_t k = 0; st == FW_OK && k < n; k++)
        for (size_t j = 0; j < e[k]->nruns; j++)
            fw_paint_run(&p, e[k]->runs[j].a_start, e[k]->runs[j].a_end, (int32_t)k);
    if (st == FW_OK) st = fw_paint_boilerplate(r, doc, text, &p);
    FILE *f = st == FW_OK ? fw_html_open_page(r, "doc/%zu.html", r->rank[doc]) : NULL;
    if (st == FW_OK && !f) st = FW_ERR_IO;
    if (f) {
        fw_page_begin(f, d.id, "../index.html");
        fputs("<div class=\"doc\"><h1 class=\"id\">", f);
        fw_page_str(f, d.id);
        fprintf(f, "</h1>\n<div class=\"stats\"><div><div class=\"big\" id=\"reused\">");
        fw_page_percent(f, d.reused_share);
        fputs("</div>reused from other documents</div><div><div class=\"big\">", f);
        fw_page_percent(f, n ? s[0].share : 0);
        fputs("</div>largest single source</div><div><div class=\"big\">", f);
        fw_page_percent(f, d.boilerplate_share);
        fprintf(f, "</div>boilerplate (left out)</div><div><div class=\"big\">%llu</div>"
                   "characters</div></div>\n",
                (unsigned long long)d.chars);
        if (d.cluster >= 0 && d.cluster_size > 1) {
            fprintf(f, "<p>In a cluster of %llu near-duplicates", (unsigned long long)d.cluster_size);
            fputs(" named ", f);
            fw_html_doc_link(f, r, (size_t)d.cluster, "../");
            if (fw_html_has_cluster_page(r, (size_t)d.cluster))
                fprintf(f, " (<a href=\"../cluster/%zu.html\">the cluster</a>)",
                        r->rank[(size_t)d.cluster]);
            fputs(".</p>\n", f);
        }
        fprintf(f, "<h2>Sources (%zu)</h2>\n", n);
        if (n) {
            fputs("<table id=\"sources\"><tr><th></th><th>source</th><th class=\"n\">share of this "
                  "document</th><th class=\"n\">characters</th><th></th></tr>\n", f);
            for (size_t k = 0; k < n; k++) {
                fprintf(f, "<tr><td><span class=\"key s%zu\"></span>%zu</td><td>", k < 8 ? k : 8,
                        k + 1);
                fw_html_doc_link(f, r, s[k].doc, "../");
                fputs("</td><td class=\"n\">", f);
                fw_page_percent(f, s[k].share);
                fprintf(f, "</td><td class=\"n\">%llu</td><td>", (unsigned long long)s[k].chars);
                fw_html_pair_link(f, r, doc, s[k].doc, "../");
                fputs("</td></tr>\n", f);
            }
            fputs("</table>\n", f);
        } else {
            fputs("<p>No text shared with another document.</p>\n", f);
        }
        fputs("<h2>Text</h2>\n<div class=\"text\">", f);
        doc_paint_ctx c = {r, doc, s};
        fw_paint_write(f, text, &p, open_source_run, &c, (int32_t)n);
        fputs("</div></div>\n", f);
        fw_page_end(f);
        st = fw_html_close_page(r, f, st);
    }
    fw_paint_free(&p);
    free(text);
    for (size_t k = 0; e && k < n; k++) fw_explanation_free(e[k]);
    free(e);
    free(s);
    return st;
}
