/*
 * html_paint.c — a text of the HTML report with its runs marked.
 *
 * A pair page marks the runs two texts share, a document page the runs
 * each source holds; both also colour what template mode forgives and grey
 * the boilerplate. Runs, differences and boilerplate overlap freely, so
 * they are not written as they are found: each byte of the text gets its
 * labels first (a run, a kind of difference, grey or not), and then the
 * text is written once, one element for each stretch of bytes whose labels
 * are all equal. Elements therefore never nest or cross, whatever the
 * overlaps, and a byte is in at most one run: the first that claimed it.
 *
 * How a run opens is the page's business (a pair's run links to its
 * partner, a document's to the pair page of its source): the page passes
 * a function that writes the opening tag, told whether this is the run's
 * first segment, which alone may carry the run's id (ids must be unique).
 */
#include "report_html.h"
#include "html_page.h"

#include <stdlib.h>
#include <string.h>

int fw_paint_new(fw_paint *p, size_t len)
{
    size_t n = len ? len : 1;
    p->len = len;
    p->run = malloc(n * sizeof *p->run);
    p->kind = malloc(n);
    p->grey = calloc(n, 1);
    if (!p->run || !p->kind || !p->grey) return 0;
    for (size_t i = 0; i < n; i++) p->run[i] = -1;
    memset(p->kind, -1, n);
    return 1;
}

void fw_paint_free(fw_paint *p)
{
    free(p->run);
    free(p->kind);
    free(p->grey);
}

void fw_paint_run(fw_paint *p, uint64_t s, uint64_t e, int32_t k)
{
    for (uint64_t i = s; i < e && i < p->len; i++)
        if (p->run[i] < 0) p->run[i] = k;
}

/* The boilerplate, as explain leaves it out of the marked characters. */
fw_status fw_paint_boilerplate(const fw_html_report *r, size_t doc, const char *text,
                               fw_paint *p)
{
    return fw_boilerplate_mask(r->scan, doc, text, p->len, p->grey);
}

/* The classes of the segment at byte i, each after a space ("" for none). */
static const char *segment_class(const fw_paint *p, size_t i)
{
    static const char *const kinds[2][2] = {{" fig", " fig bp"}, {" word", " word bp"}};
    if (p->kind[i] >= 0) return kinds[p->kind[i] & 1][p->grey[i] ? 1 : 0];
    return p->grey[i] ? " bp" : "";
}

void fw_paint_write(FILE *f, const char *text, const fw_paint *p, fw_paint_open_run_fn open_run,
                    void *ctx, int32_t nruns)
{
    unsigned char *opened = calloc(nruns > 0 ? (size_t)nruns : 1, 1);
    for (size_t i = 0; i < p->len;) {
        size_t j = i + 1;
        while (j < p->len && p->run[j] == p->run[i] && p->kind[j] == p->kind[i] &&
               p->grey[j] == p->grey[i])
            j++;
        const char *cls = segment_class(p, i);
        const char *close = "";
        if (p->run[i] >= 0) {
            int32_t k = p->run[i];
            int first = opened && !opened[k];
            if (opened) opened[k] = 1;
            open_run(f, ctx, k, first, i, j, cls);
            close = "</a>";
        } else if (*cls) {
            fprintf(f, "<span class=\"%s\">", cls + 1);
            close = "</span>";
        }
        fw_page_text(f, text + i, j - i);
        fputs(close, f);
        i = j;
    }
    free(opened);
}
