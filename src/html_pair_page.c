/*
 * html_pair_page.c — pair/RA-RB.html: two texts side by side, the runs
 * they share marked, as 查重 reports show them.
 *
 * Above the texts, each side's characters, its shared characters in runs
 * of at least min_run characters and its copy ratio (explain.c's), then
 * the scan's own shares for the pair (reuse.csv, pairs.csv) when it has a
 * row there, so that a reader can set the marked text against the numbers
 * the lists gave. Each text scrolls on its own. A marked run is a link to
 * its partner in the other text (#b3 from a3 and back): a click scrolls
 * there with no script. (Where a text holds a string twice, both of its
 * runs link to the one place in the other, under the id of the run that
 * marks it there.) Runs are numbered as the explanation numbers them,
 * so run k is the same on both sides; a run broken into segments by a
 * difference or by boilerplate carries its id on its first segment only.
 *
 * The same body serves `fanwen explain --html`, a page written alone: it
 * then links nowhere (no document has a page) and its way up is "".
 */
#include "report_html.h"
#include "html_page.h"
#include "scan.h"

#include <stdlib.h>

typedef struct pair_side {
    char side, partner;               /* 'a' and 'b', or 'b' and 'a' */
    const int32_t *target;            /* for run k, the run whose id is on the
                                       * partner's first byte (-1: none) */
} pair_side;

static void open_pair_run(FILE *f, void *ctx, int32_t k, int first, size_t s, size_t e,
                          const char *cls)
{
    const pair_side *ps = ctx;
    fprintf(f, "<a class=\"r%s\"", cls);
    if (ps->target[k] >= 0) fprintf(f, " href=\"#%c%d\"", ps->partner, ps->target[k]);
    if (first) fprintf(f, " id=\"%c%d\"", ps->side, k);
    fprintf(f, " data-run=\"%d\" data-s=\"%zu\" data-e=\"%zu\">", k, s, e);
}

/* The runs of one side of the explanation, each byte to the first run
 * that has it. */
static void paint_runs(fw_paint *p, const fw_explanation *e, int b_side)
{
    for (size_t k = 0; k < e->nruns; k++) {
        const fw_matched_run *m = &e->runs[k];
        fw_paint_run(p, b_side ? m->b_start : m->a_start, b_side ? m->b_end : m->a_end,
                     (int32_t)k);
    }
}

/* One side of a pair page: the text with its runs, differences and
 * boilerplate. */
static fw_status write_side(FILE *f, const fw_html_report *r, const fw_explanation *e,
                            int b_side)
{
    size_t doc = b_side ? e->b : e->a, len = b_side ? e->b_len : e->a_len;
    const char *text = b_side ? e->b_text : e->a_text;
    fw_paint p;
    if (!fw_paint_new(&p, len)) {
        fw_paint_free(&p);
        return fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    }
    paint_runs(&p, e, b_side);
    for (size_t k = 0; k < e->ndiffs; k++) {
        const fw_difference *d = &e->diffs[k];
        for (uint64_t i = b_side ? d->b_start : d->a_start; i < (b_side ? d->b_end : d->a_end);
             i++)
            if (i < len) p.kind[i] = (int8_t)d->kind;
    }
    /* A text that holds a string twice has two runs to the other's one
     * place, which the first of them claims: the second links there too,
     * not to an id that no element has. */
    fw_paint other = {0};
    int32_t *target = malloc((e->nruns ? e->nruns : 1) * sizeof *target);
    size_t other_len = b_side ? e->a_len : e->b_len;
    if (!target || !fw_paint_new(&other, other_len)) {
        free(target);
        fw_paint_free(&other);
        fw_paint_free(&p);
        return fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    }
    paint_runs(&other, e, !b_side);
    for (size_t k = 0; k < e->nruns; k++) {
        uint64_t at = b_side ? e->runs[k].a_start : e->runs[k].b_start;
        target[k] = at < other_len ? other.run[at] : -1;
    }
    fw_paint_free(&other);
    fw_status st = fw_paint_boilerplate(r, doc, text, &p);
    pair_side ps = {b_side ? 'b' : 'a', b_side ? 'a' : 'b', target};
    fprintf(f, "<div class=\"text\" id=\"text-%c\">", ps.side);
    if (st == FW_OK) fw_paint_write(f, text, &p, open_pair_run, &ps, (int32_t)e->nruns);
    fputs("</div>\n", f);
    fw_paint_free(&p);
    free(target);
    return st;
}

/* A row of the table above the texts: A's share and B's (none when < 0). */
static void share_row(FILE *f, const char *what, double a, double b)
{
    fprintf(f, "<tr><th>%s</th><td class=\"n\">", what);
    if (a >= 0) fw_page_percent(f, a);
    fputs("</td><td class=\"n\">", f);
    if (b >= 0) fw_page_percent(f, b);
    fputs("</td></tr>\n", f);
}

fw_status fw_html_write_pair_body(FILE *f, const fw_html_report *r, const fw_explanation *e,
                                  unsigned min_run, const char *up)
{
    size_t a = e->a, b = e->b;
    size_t at;
    const uint64_t key = fw_html_pair_key(r->rank[a], r->rank[b]);
    const fw_result_pair *dup =
        fw_html_has_key(r->pair_keys, r->npairs, key, &at) ? &r->pairs[at] : NULL;
    const fw_reuse_pair *re =
        fw_html_has_key(r->reuse_keys, r->nreuse, key, &at) ? &r->reuse[at] : NULL;
    const int flip = dup && dup->a != a; /* the pair's sides are by id */
    fputs("<h1>Pair</h1>\n<table><tr><th></th><th>A</th><th>B</th></tr>\n<tr><th>id</th><td>",
          f);
    fw_html_doc_link(f, r, a, up);
    fputs("</td><td>", f);
    fw_html_doc_link(f, r, b, up);
    fprintf(f, "</td></tr>\n<tr><th>characters</th><td class=\"n\">%llu</td><td class=\"n\">%llu"
               "</td></tr>\n<tr><th>shared characters (重合字数) in runs ≥ %u</th>"
               "<td class=\"n\" id=\"marked-a\">%llu</td><td class=\"n\" id=\"marked-b\">%llu</td></tr>\n",
            (unsigned long long)e->a_chars, (unsigned long long)e->b_chars, min_run,
            (unsigned long long)e->a_marked, (unsigned long long)e->b_marked);
    share_row(f, "copy ratio (复制比)", e->a_chars ? (double)e->a_marked / e->a_chars : 0,
              e->b_chars ? (double)e->b_marked / e->b_chars : 0);
    if (re) {
        int rf = re->a != a;
        share_row(f, "in the other, through edits (reuse.csv)", rf ? re->b_in_a : re->a_in_b,
                  rf ? re->a_in_b : re->b_in_a);
    }
    if (dup && dup->a_in_b >= 0)
        share_row(f, "n-grams in the other (pairs.csv)", flip ? dup->b_in_a : dup->a_in_b,
                  flip ? dup->a_in_b : dup->b_in_a);
    fputs("</table>\n<p>", f);
    if (dup && dup->jaccard >= 0) fprintf(f, "Jaccard similarity %.3f. ", dup->jaccard);
    fprintf(f, "%zu marked runs of at least %u characters, ", e->nruns, min_run);
    if (e->from_spans)
        fprintf(f, "aligned inside the %zu reused span%s the scan found. ", e->spans,
                e->spans == 1 ? "" : "s");
    else
        fputs("from the n-grams the two share (the scan found no reused span). ", f);
    fputs("Click a marked run to see its partner. "
          "<span class=\"fig\">Figures</span> and <span class=\"word\">swapped words</span> "
          "are what template mode would call equal; <span class=\"bp\">grey</span> is "
          "boilerplate, left out of the ratios.</p>\n",
          f);
    if (e->ndiffs) {
        size_t figures = 0;
        for (size_t k = 0; k < e->ndiffs; k++) figures += e->diffs[k].kind == FW_DIFF_FIGURE;
        fprintf(f, "<p>Template mode would call equal: %zu figure%s, %zu swapped word%s.</p>\n",
                figures, figures == 1 ? "" : "s", e->ndiffs - figures,
                e->ndiffs - figures == 1 ? "" : "s");
    }
    fputs("<div class=\"cols\"><div class=\"col\"><h2>A</h2>", f);
    fw_status st = write_side(f, r, e, 0);
    fputs("</div><div class=\"col\"><h2>B</h2>", f);
    if (st == FW_OK) st = write_side(f, r, e, 1);
    fputs("</div></div>\n", f);
    return st;
}

fw_status fw_html_write_pair_page(fw_html_report *r, size_t a, size_t b, unsigned min_run)
{
    fw_explanation *e;
    fw_status st = fw_explainer_explain(&r->x, a, b, &e);
    if (st != FW_OK) return st;
    size_t ra = r->rank[a], rb = r->rank[b];
    FILE *f = fw_html_open_page(r, "pair/%zu-%zu.html", ra, rb);
    if (!f) {
        fw_explanation_free(e);
        return FW_ERR_IO;
    }
    fw_page_begin(f, "pair", "../index.html");
    st = fw_html_write_pair_body(f, r, e, min_run, "../");
    fw_page_end(f);
    fw_explanation_free(e);
    return fw_html_close_page(r, f, st);
}
