/*
 * report_html.c — the report a person reads: an overview and the evidence,
 * as pages of HTML in one directory.
 *
 * The CSVs say that two reports share 62% of their text; a person wants to
 * see it, the way 查重 reports show it: the two texts side by side with
 * the copied runs marked (runs of at least min_run characters, 13 as CNKI
 * and 维普 count them, from explain.c), a copy ratio for each side, a
 * document's sources ranked by how much came from each, boilerplate grey.
 *
 * A corpus of 400,000 documents cannot be one page, nor one page per
 * document: the directory holds index.html (counts, distributions as
 * inline SVG, and the top `top` of each list) and one page for each pair,
 * document, cluster and passage group those lists and the pages link to,
 * named by document ranks and group numbers (ids are file names that can
 * hold anything: they are shown, escaped, and never used in a link):
 *
 *   pair/RA-RB.html    two texts side by side (ranks in id order, RA ≤ RB)
 *   doc/R.html         a document's sources and its text coloured by them
 *   cluster/R.html     a cluster named by its representative's rank
 *   group/G.html       a passage group, boilerplate or not
 *
 * Which pages exist is decided before any is written, so that a link is
 * written only to a page that exists: the top documents by reused share
 * and, for each, its five largest sources; the top pairs by Jaccard and by
 * reuse; every document of those pairs; the top clusters by size; the top
 * passage groups and boilerplate groups by documents. Everything is sorted
 * with ties broken by rank or number, and nothing depends on time or on
 * threads: the same scan gives the same bytes.
 *
 * Complete or absent, as the CSVs: the pages are written into DIR.tmp.PID
 * beside DIR, which then replaces DIR (the old one moved aside and
 * removed). An existing DIR that is not such a report is left alone and
 * the call fails.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "explain.h"
#include "grow.h"
#include "html_page.h"
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SOURCES_LINKED 5    /* sources of a top document given a pair page */
#define SOURCES_SHOWN 20    /* sources listed on a document page */
#define MATRIX_MAX 30       /* members shown in a cluster's matrix */
#define LIST_MAX 1000       /* rows of a member list on one page */
#define PATH_SIZE 4096
#define DOC_PAGE 1          /* doc/R.html exists */
#define CLUSTER_PAGE 2      /* cluster/R.html exists: R is a representative */

typedef struct html_report {
    const fw_scan *scan;
    unsigned top;
    fw_explainer x;
    size_t ndocs;
    size_t *rank;                    /* per document */
    const fw_result_pair *pairs;
    size_t npairs;
    uint64_t *pair_keys;             /* (rank a, rank b) of each pair */
    const fw_reuse_pair *reuse;
    size_t nreuse;
    uint64_t *reuse_keys;
    const fw_reused_span *spans;
    size_t nspans;
    size_t *b_first;                 /* per document: its spans as side b */
    uint32_t *b_spans;               /* (b_first[d], b_first[d + 1]) */
    unsigned char *doc_page;         /* per document: DOC_PAGE, CLUSTER_PAGE */
    uint64_t *pair_pages;            /* keys of pairs with a page, sorted */
    size_t npair_pages, pair_pages_cap;
    unsigned char *group_page;       /* per group number: it has a page */
    size_t ngroups;
    char dir[PATH_SIZE + 32];        /* where pages are written now */
} html_report;

static uint64_t pair_key(size_t ra, size_t rb)
{
    return ra <= rb ? (uint64_t)ra << 32 | rb : (uint64_t)rb << 32 | ra;
}

static int has_key(const uint64_t *keys, size_t n, uint64_t key, size_t *at)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    if (at) *at = lo;
    return lo < n && keys[lo] == key;
}

static const char *id_of(const html_report *r, size_t doc)
{
    fw_doc_info d;
    return fw_scan_doc(r->scan, doc, &d) == FW_OK ? d.id : "";
}

static int cluster_page(const html_report *r, size_t rep)
{
    return (r->doc_page[rep] & CLUSTER_PAGE) != 0;
}

static int has_pair_page(const html_report *r, size_t a, size_t b)
{
    return has_key(r->pair_pages, r->npair_pages, pair_key(r->rank[a], r->rank[b]), NULL);
}

static void want_pair_page(html_report *r, size_t a, size_t b, int *ok)
{
    if (!fw_grow(&r->pair_pages, &r->pair_pages_cap, r->npair_pages + 1, sizeof *r->pair_pages,
                 64)) {
        *ok = 0;
        return;
    }
    r->pair_pages[r->npair_pages++] = pair_key(r->rank[a], r->rank[b]);
}

/* ------------------------------------------------------------- links */

/* A document's id, linked to its page when it has one. `up` is the way
 * from the current page to the report's root ("" or "../"). */
static void doc_link(FILE *f, const html_report *r, size_t doc, const char *up)
{
    const int page = r->doc_page[doc] & DOC_PAGE;
    if (page) fprintf(f, "<a class=\"id\" href=\"%sdoc/%zu.html\">", up, r->rank[doc]);
    else fputs("<span class=\"id\">", f);
    fw_page_str(f, id_of(r, doc));
    fputs(page ? "</a>" : "</span>", f);
}

static void pair_href(FILE *f, const html_report *r, size_t a, size_t b, const char *up)
{
    size_t ra = r->rank[a], rb = r->rank[b];
    fprintf(f, "%spair/%zu-%zu.html", up, ra < rb ? ra : rb, ra < rb ? rb : ra);
}

/* "compare" linked to the pair's page, when it has one. */
static void pair_link(FILE *f, const html_report *r, size_t a, size_t b, const char *up)
{
    if (!has_pair_page(r, a, b)) return;
    fputs("<a href=\"", f);
    pair_href(f, r, a, b, up);
    fputs("\">compare</a>", f);
}

/* ------------------------------------------------------------- pages */

static FILE *open_page(const html_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static FILE *open_page(const html_report *r, const char *fmt, ...)
{
    char name[256], path[PATH_SIZE + 32 + 256 + 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    else setvbuf(f, NULL, _IOFBF, 1 << 16);
    return f;
}

static fw_status close_page(const html_report *r, FILE *f, fw_status st)
{
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        if (st == FW_OK)
            st = fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot write a page: %s", r->dir,
                              strerror(errno ? errno : EIO));
    }
    return st;
}

/* ---------------------------------------------------- painting a text */

/* What each byte of a text is shown as: the run (or source) it is in, a
 * difference template mode forgives, boilerplate. Segments of equal labels
 * become one element each. */
typedef struct paint {
    int32_t *run;
    int8_t *kind;
    uint8_t *grey;
    size_t len;
} paint;

static int paint_new(paint *p, size_t len)
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

static void paint_free(paint *p)
{
    free(p->run);
    free(p->kind);
    free(p->grey);
}

/* Bytes [s, e) belong to run k, unless an earlier run has them. */
static void paint_run(paint *p, uint64_t s, uint64_t e, int32_t k)
{
    for (uint64_t i = s; i < e && i < p->len; i++)
        if (p->run[i] < 0) p->run[i] = k;
}

/* The boilerplate of a document: its passages in boilerplate groups, and
 * what lies between passages (the boilerplate lines left out of them). */
static fw_status paint_boilerplate(const html_report *r, size_t doc, paint *p)
{
    uint32_t n = fw_scan_doc_passage_count(r->scan, doc);
    uint64_t end = 0;
    for (uint32_t k = 0; k < n; k++) {
        fw_passage_info q;
        fw_status st = fw_scan_doc_passage(r->scan, doc, k, &q);
        if (st != FW_OK) return st;
        if (k > 0)
            for (uint64_t i = end; i < q.byte_start && i < p->len; i++) p->grey[i] = 1;
        if (q.group && q.group <= r->ngroups && r->group_page[q.group] == 2)
            for (uint64_t i = q.byte_start; i < q.byte_end && i < p->len; i++) p->grey[i] = 1;
        end = q.byte_end;
    }
    return FW_OK;
}

/* How a segment of a run opens: given the run, whether it is the run's
 * first segment, and the segment's bytes and labels. */
typedef void (*open_run_fn)(FILE *f, void *ctx, int32_t run, int first, size_t s, size_t e,
                            const char *extra_class);

static const char *segment_class(const paint *p, size_t i)
{
    static const char *const kinds[2][2] = {{" fig", " fig bp"}, {" word", " word bp"}};
    if (p->kind[i] >= 0) return kinds[p->kind[i] & 1][p->grey[i] ? 1 : 0];
    return p->grey[i] ? " bp" : "";
}

static void paint_write(FILE *f, const char *text, const paint *p, open_run_fn open_run,
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

/* ------------------------------------------------------------ the pair */

typedef struct pair_side {
    char side, partner;               /* 'a' and 'b', or 'b' and 'a' */
} pair_side;

static void open_pair_run(FILE *f, void *ctx, int32_t k, int first, size_t s, size_t e,
                          const char *cls)
{
    const pair_side *ps = ctx;
    fprintf(f, "<a class=\"r%s\" href=\"#%c%d\"", cls, ps->partner, k);
    if (first) fprintf(f, " id=\"%c%d\"", ps->side, k);
    fprintf(f, " data-run=\"%d\" data-s=\"%zu\" data-e=\"%zu\">", k, s, e);
}

/* One side of a pair page: the text with its runs, differences and
 * boilerplate. */
static fw_status write_side(FILE *f, const html_report *r, const fw_explanation *e, int b_side)
{
    size_t doc = b_side ? e->b : e->a, len = b_side ? e->b_len : e->a_len;
    const char *text = b_side ? e->b_text : e->a_text;
    paint p;
    if (!paint_new(&p, len)) {
        paint_free(&p);
        return fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    }
    for (size_t k = 0; k < e->nruns; k++) {
        const fw_matched_run *m = &e->runs[k];
        paint_run(&p, b_side ? m->b_start : m->a_start, b_side ? m->b_end : m->a_end, (int32_t)k);
    }
    for (size_t k = 0; k < e->ndiffs; k++) {
        const fw_difference *d = &e->diffs[k];
        for (uint64_t i = b_side ? d->b_start : d->a_start; i < (b_side ? d->b_end : d->a_end);
             i++)
            if (i < len) p.kind[i] = (int8_t)d->kind;
    }
    fw_status st = paint_boilerplate(r, doc, &p);
    pair_side ps = {b_side ? 'b' : 'a', b_side ? 'a' : 'b'};
    fprintf(f, "<div class=\"text\" id=\"text-%c\">", ps.side);
    if (st == FW_OK) paint_write(f, text, &p, open_pair_run, &ps, (int32_t)e->nruns);
    fputs("</div>\n", f);
    paint_free(&p);
    return st;
}

static void share_row(FILE *f, const char *what, double a, double b)
{
    fprintf(f, "<tr><th>%s</th><td class=\"n\">", what);
    if (a >= 0) fw_page_percent(f, a);
    fputs("</td><td class=\"n\">", f);
    if (b >= 0) fw_page_percent(f, b);
    fputs("</td></tr>\n", f);
}

/* The body of a pair page; `up` leads to the report's root ("" for a page
 * written alone, which then links nowhere). */
static fw_status write_pair_body(FILE *f, const html_report *r, const fw_explanation *e,
                                 unsigned min_run, const char *up)
{
    size_t a = e->a, b = e->b;
    size_t at;
    const fw_result_pair *dup =
        has_key(r->pair_keys, r->npairs, pair_key(r->rank[a], r->rank[b]), &at) ? &r->pairs[at]
                                                                               : NULL;
    const fw_reuse_pair *re =
        has_key(r->reuse_keys, r->nreuse, pair_key(r->rank[a], r->rank[b]), &at) ? &r->reuse[at]
                                                                                : NULL;
    const int flip = dup && dup->a != a; /* the pair's sides are by id */
    fputs("<h1>Pair</h1>\n<table><tr><th></th><th>A</th><th>B</th></tr>\n<tr><th>id</th><td>",
          f);
    doc_link(f, r, a, up);
    fputs("</td><td>", f);
    doc_link(f, r, b, up);
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

static fw_status write_pair_page(html_report *r, size_t a, size_t b, unsigned min_run)
{
    fw_explanation *e;
    fw_status st = fw_explainer_explain(&r->x, a, b, &e);
    if (st != FW_OK) return st;
    size_t ra = r->rank[a], rb = r->rank[b];
    FILE *f = open_page(r, "pair/%zu-%zu.html", ra, rb);
    if (!f) {
        fw_explanation_free(e);
        return FW_ERR_IO;
    }
    fw_page_begin(f, "pair", "../index.html");
    st = write_pair_body(f, r, e, min_run, "../");
    fw_page_end(f);
    fw_explanation_free(e);
    return close_page(r, f, st);
}

/* ------------------------------------------------------- a document */

typedef struct source {
    size_t doc, rank;
    uint64_t chars;                  /* in spans, then in marked runs */
    double share;
} source;

static int by_doc(const void *p, const void *q)
{
    const source *x = p, *y = q;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static int by_chars_then_rank(const void *p, const void *q)
{
    const source *x = p, *y = q;
    if (x->chars != y->chars) return x->chars > y->chars ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* The documents `doc` shares spans with, by the characters of `doc` in
 * those spans, most first (ties by id); *n of them, at most `most`. */
static fw_status sources_of(const html_report *r, size_t doc, size_t most, source **out,
                            size_t *n)
{
    size_t first, count;
    fw_explainer_spans_of(&r->x, doc, &first, &count);
    size_t as_b = r->b_first[doc + 1] - r->b_first[doc];
    source *s = malloc((count + as_b + 1) * sizeof *s);
    if (!s) return fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    size_t m = 0;
    for (size_t k = first; k < first + count; k++)
        if (r->spans[k].b != doc) s[m++] = (source){r->spans[k].b, r->rank[r->spans[k].b], r->spans[k].a_chars, 0};
    for (size_t k = r->b_first[doc]; k < r->b_first[doc + 1]; k++) {
        const fw_reused_span *sp = &r->spans[r->b_spans[k]];
        if (sp->a != doc) s[m++] = (source){sp->a, r->rank[sp->a], sp->b_chars, 0};
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
    const source *x = p, *y = q;
    if (x->share != y->share) return x->share > y->share ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

typedef struct doc_paint_ctx {
    const html_report *r;
    size_t doc;
    const source *sources;
} doc_paint_ctx;

static void open_source_run(FILE *f, void *ctx, int32_t k, int first, size_t s, size_t e,
                            const char *cls)
{
    const doc_paint_ctx *c = ctx;
    (void)first;
    fprintf(f, "<a class=\"s%d%s\" data-source=\"%d\" data-s=\"%zu\" data-e=\"%zu\"",
            k < 8 ? k : 8, cls, k, s, e);
    if (has_pair_page(c->r, c->doc, c->sources[k].doc)) {
        fputs(" href=\"", f);
        pair_href(f, c->r, c->doc, c->sources[k].doc, "../");
        fputc('"', f);
    }
    fputc('>', f);
}

/* Sorts sources (and their explanations, in step) by share, most first,
 * ties by id; `chars` becomes the characters in marked runs. */
static fw_status rank_by_share(const html_report *r, source *s, fw_explanation **e, size_t n)
{
    source *sorted = malloc((n ? n : 1) * sizeof *sorted);
    fw_explanation **es = malloc((n ? n : 1) * sizeof *es);
    if (!sorted || !es) {
        free(sorted);
        free(es);
        return fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    }
    for (size_t k = 0; k < n; k++) sorted[k] = (source){s[k].doc, s[k].rank, k, s[k].share};
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

static fw_status write_doc_page(html_report *r, size_t doc)
{
    fw_doc_info d;
    fw_status st = fw_scan_doc(r->scan, doc, &d);
    source *s = NULL;
    size_t n = 0;
    if (st == FW_OK) st = sources_of(r, doc, SOURCES_SHOWN, &s, &n);
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
    paint p = {0};
    if (st == FW_OK && !paint_new(&p, len))
        st = fw_scan_fail(r->scan, FW_ERR_NOMEM, "html report: out of memory");
    for (size_t k = 0; st == FW_OK && k < n; k++)
        for (size_t j = 0; j < e[k]->nruns; j++)
            paint_run(&p, e[k]->runs[j].a_start, e[k]->runs[j].a_end, (int32_t)k);
    if (st == FW_OK) st = paint_boilerplate(r, doc, &p);
    FILE *f = st == FW_OK ? open_page(r, "doc/%zu.html", r->rank[doc]) : NULL;
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
            doc_link(f, r, (size_t)d.cluster, "../");
            if (cluster_page(r, (size_t)d.cluster))
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
                doc_link(f, r, s[k].doc, "../");
                fputs("</td><td class=\"n\">", f);
                fw_page_percent(f, s[k].share);
                fprintf(f, "</td><td class=\"n\">%llu</td><td>", (unsigned long long)s[k].chars);
                pair_link(f, r, doc, s[k].doc, "../");
                fputs("</td></tr>\n", f);
            }
            fputs("</table>\n", f);
        } else {
            fputs("<p>No text shared with another document.</p>\n", f);
        }
        fputs("<h2>Text</h2>\n<div class=\"text\">", f);
        doc_paint_ctx c = {r, doc, s};
        paint_write(f, text, &p, open_source_run, &c, (int32_t)n);
        fputs("</div></div>\n", f);
        fw_page_end(f);
        st = close_page(r, f, st);
    }
    paint_free(&p);
    free(text);
    for (size_t k = 0; e && k < n; k++) fw_explanation_free(e[k]);
    free(e);
    free(s);
    return st;
}

/* ---------------------------------------------------------- clusters */

typedef struct cluster {
    size_t rep, rank, size;          /* the representative, its rank */
    size_t *members;                 /* by id */
    size_t nmembers, cap;
} cluster;

/* A document's sorted set of n-grams, as the scan makes them. */
static fw_status shingle_set(const html_report *r, size_t doc, uint64_t **set, size_t *n)
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

static fw_status write_matrix(FILE *f, html_report *r, const cluster *c)
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
                int edge = has_key(r->pair_keys, r->npairs,
                                   pair_key(r->rank[c->members[i]], r->rank[c->members[j]]), NULL);
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

static fw_status write_cluster_page(html_report *r, const cluster *c)
{
    FILE *f = open_page(r, "cluster/%zu.html", r->rank[c->rep]);
    if (!f) return FW_ERR_IO;
    fw_page_begin(f, id_of(r, c->rep), "../index.html");
    fprintf(f, "<h1>Cluster of %zu documents</h1>\n<p>Named after ", c->size);
    doc_link(f, r, c->rep, "../");
    fputs(". Near-duplicate pairs join documents into clusters: a chain A~B~C puts A and C "
          "together even when they are far apart, which the matrix shows.</p>\n", f);
    fprintf(f, "<h2>Members</h2>\n<table id=\"members\"><tr><th></th><th>id</th>"
               "<th class=\"n\">characters</th></tr>\n");
    for (size_t i = 0; i < c->nmembers && i < LIST_MAX; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, c->members[i], &d);
        fprintf(f, "<tr><td>%zu</td><td>", i + 1);
        doc_link(f, r, c->members[i], "../");
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
        doc_link(f, r, r->pairs[i].a, "../");
        fputs("</td><td>", f);
        doc_link(f, r, r->pairs[i].b, "../");
        fputs("</td><td class=\"n\">", f);
        if (r->pairs[i].jaccard >= 0) fprintf(f, "%.3f", r->pairs[i].jaccard);
        else fprintf(f, "~%.3f", r->pairs[i].estimate);
        fputs("</td><td>", f);
        pair_link(f, r, r->pairs[i].a, r->pairs[i].b, "../");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (edges > LIST_MAX) fprintf(f, "<p>… and %zu more.</p>\n", edges - LIST_MAX);
    fw_status st = write_matrix(f, r, c);
    fw_page_end(f);
    return close_page(r, f, st);
}

/* ------------------------------------------------------------ groups */

/* The first grouped passage of group `g` (grouped passages are by group). */
static fw_status group_start(const html_report *r, uint64_t g, size_t *at)
{
    size_t lo = 0, hi = fw_scan_grouped_count(r->scan);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        fw_passage_info p;
        fw_status st = fw_scan_grouped_passage(r->scan, mid, &p);
        if (st != FW_OK) return st;
        if (p.group < g) lo = mid + 1;
        else hi = mid;
    }
    *at = lo;
    return FW_OK;
}

static fw_status write_group_page(html_report *r, uint64_t g)
{
    fw_group_info info;
    fw_status st = fw_scan_group(r->scan, (size_t)g - 1, &info);
    size_t at = 0;
    if (st == FW_OK) st = group_start(r, g, &at);
    if (st != FW_OK) return st;
    FILE *f = open_page(r, "group/%llu.html", (unsigned long long)g);
    if (!f) return FW_ERR_IO;
    fw_page_begin(f, info.text, "../index.html");
    fprintf(f, "<h1>Passage group %llu%s</h1>\n<p>%llu passages in %llu documents, %llu "
               "characters each (the first).</p>\n<p class=\"text\" style=\"height:auto\">",
            (unsigned long long)g, info.boilerplate ? " (boilerplate)" : "",
            (unsigned long long)info.passages, (unsigned long long)info.docs,
            (unsigned long long)info.chars);
    fw_page_str(f, info.text);
    fputs("…</p>\n<h2>Members</h2>\n<table id=\"members\"><tr><th>document</th><th class=\"n\">"
          "passage</th><th class=\"n\">bytes</th><th>text</th></tr>\n", f);
    size_t n = fw_scan_grouped_count(r->scan), shown = 0;
    for (size_t i = at; i < n && st == FW_OK; i++) {
        fw_passage_info p;
        if ((st = fw_scan_grouped_passage(r->scan, i, &p)) != FW_OK || p.group != g) break;
        if (shown++ >= LIST_MAX) continue;
        fputs("<tr><td>", f);
        doc_link(f, r, p.doc, "../");
        fprintf(f, "</td><td class=\"n\">%u</td><td class=\"n\">%llu–%llu</td><td>", p.index,
                (unsigned long long)p.byte_start, (unsigned long long)p.byte_end);
        fw_page_str(f, p.text);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (shown > LIST_MAX) fprintf(f, "<p>… and %zu more.</p>\n", shown - LIST_MAX);
    fw_page_end(f);
    return close_page(r, f, st);
}

/* ------------------------------------------------------ the overview */

typedef struct keyed {
    double key;
    size_t at;
} keyed;

static int by_key_desc(const void *p, const void *q)
{
    const keyed *x = p, *y = q;
    if (x->key != y->key) return x->key > y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The positions of the `top` largest positive keys, largest first, ties
 * by position (the lists are by id already); *count of them. */
static size_t *top_by(const double *key, size_t n, size_t top, size_t *count)
{
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    size_t *order = malloc((n ? n : 1) * sizeof *order), m = 0;
    if (!k || !order) {
        free(k);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (key[i] > 0) k[m++] = (keyed){key[i], i};
    qsort(k, m, sizeof *k, by_key_desc);
    *count = m < top ? m : top;
    for (size_t i = 0; i < *count; i++) order[i] = k[i].at;
    free(k);
    return order;
}

static void histogram(FILE *f, const char *title, const double *v, size_t n, double lo,
                      double hi, int bins)
{
    uint64_t counts[20] = {0};
    char text[20][16];
    const char *labels[20];
    for (size_t i = 0; i < n; i++) {
        if (v[i] < lo) continue;
        int b = hi > lo ? (int)((v[i] - lo) / (hi - lo) * bins) : 0;
        counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]++;
    }
    for (int b = 0; b < bins; b++) {
        snprintf(text[b], sizeof text[b], "%.2f", lo + (hi - lo) * b / bins);
        labels[b] = text[b];
    }
    fw_page_bar_chart(f, title, labels, counts, (size_t)bins);
}

static void cluster_histogram(FILE *f, const cluster *all, size_t n)
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

typedef struct selection {
    size_t *pairs, npairs;           /* top pairs by Jaccard */
    size_t *reuse, nreuse;           /* top reuse rows by the larger share */
    size_t *docs, ndocs;             /* top documents by reused share */
    cluster *clusters;               /* every cluster, largest first */
    size_t nclusters, ntop_clusters;
    uint64_t *groups, ngroups;       /* top passage groups by documents */
    double *doc_share;
} selection;

static void selection_free(selection *s)
{
    free(s->pairs);
    free(s->reuse);
    free(s->docs);
    for (size_t i = 0; i < s->nclusters; i++) free(s->clusters[i].members);
    free(s->clusters);
    free(s->groups);
    free(s->doc_share);
}

static int by_size_then_rank(const void *p, const void *q)
{
    const cluster *x = p, *y = q;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static fw_status select_clusters(html_report *r, selection *s)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, i, &d);
        if (d.cluster != (int64_t)i || d.cluster_size < 2) continue;
        if (!fw_grow(&s->clusters, &cap, n + 1, sizeof *s->clusters, 64)) return FW_ERR_NOMEM;
        s->clusters[n++] = (cluster){i, d.rank, d.cluster_size, NULL, 0, 0};
    }
    s->nclusters = n;
    if (n > 1) qsort(s->clusters, n, sizeof *s->clusters, by_size_then_rank);
    s->ntop_clusters = n < r->top ? n : r->top;
    /* the members of the top clusters, by id */
    int32_t *slot = malloc((r->ndocs ? r->ndocs : 1) * sizeof *slot);
    if (!slot) return FW_ERR_NOMEM;
    for (size_t i = 0; i < r->ndocs; i++) slot[i] = -1;
    for (size_t c = 0; c < s->ntop_clusters; c++) {
        slot[s->clusters[c].rep] = (int32_t)c;
        r->doc_page[s->clusters[c].rep] |= CLUSTER_PAGE;
    }
    for (size_t rk = 0; rk < r->ndocs; rk++) {
        size_t doc;
        fw_doc_info d;
        fw_scan_doc_by_rank(r->scan, rk, &doc);
        fw_scan_doc(r->scan, doc, &d);
        if (d.cluster < 0 || slot[d.cluster] < 0) continue;
        cluster *c = &s->clusters[slot[d.cluster]];
        if (!fw_grow(&c->members, &c->cap, c->nmembers + 1, sizeof *c->members, 8)) {
            free(slot);
            return FW_ERR_NOMEM;
        }
        c->members[c->nmembers++] = doc;
    }
    free(slot);
    return FW_OK;
}

typedef struct group_rank {
    uint64_t docs, group;
} group_rank;

static int by_docs_then_number(const void *p, const void *q)
{
    const group_rank *x = p, *y = q;
    if (x->docs != y->docs) return x->docs > y->docs ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

static int by_u64(const void *p, const void *q)
{
    uint64_t x = *(const uint64_t *)p, y = *(const uint64_t *)q;
    return x < y ? -1 : x > y;
}

/* What gets a page, decided before any page is written. */
static fw_status select_pages(html_report *r, selection *s)
{
    double *jac = malloc((r->npairs ? r->npairs : 1) * sizeof *jac);
    double *reuse = malloc((r->nreuse ? r->nreuse : 1) * sizeof *reuse);
    s->doc_share = malloc((r->ndocs ? r->ndocs : 1) * sizeof *s->doc_share);
    group_rank *groups = malloc((r->ngroups + 1) * sizeof *groups);
    fw_status st = jac && reuse && s->doc_share && groups ? FW_OK : FW_ERR_NOMEM;
    for (size_t i = 0; st == FW_OK && i < r->npairs; i++)
        jac[i] = r->pairs[i].jaccard >= 0 ? r->pairs[i].jaccard : r->pairs[i].estimate;
    for (size_t i = 0; st == FW_OK && i < r->nreuse; i++)
        reuse[i] = r->reuse[i].a_in_b > r->reuse[i].b_in_a ? r->reuse[i].a_in_b
                                                           : r->reuse[i].b_in_a;
    for (size_t i = 0; st == FW_OK && i < r->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, i, &d);
        s->doc_share[i] = d.reused_share;
    }
    /* documents by id first, so that ties keep id order */
    double *by_rank_share = malloc((r->ndocs ? r->ndocs : 1) * sizeof *by_rank_share);
    if (!by_rank_share) st = FW_ERR_NOMEM;
    for (size_t rk = 0; st == FW_OK && rk < r->ndocs; rk++) {
        size_t doc;
        fw_scan_doc_by_rank(r->scan, rk, &doc);
        by_rank_share[rk] = s->doc_share[doc];
    }
    if (st == FW_OK) {
        s->pairs = top_by(jac, r->npairs, r->top, &s->npairs);
        s->reuse = top_by(reuse, r->nreuse, r->top, &s->nreuse);
        s->docs = top_by(by_rank_share, r->ndocs, r->top, &s->ndocs);
        if (!s->pairs || !s->reuse || !s->docs) st = FW_ERR_NOMEM;
    }
    for (size_t i = 0; st == FW_OK && i < s->ndocs; i++) { /* ranks to documents */
        size_t doc;
        fw_scan_doc_by_rank(r->scan, s->docs[i], &doc);
        s->docs[i] = doc;
    }
    int ok = 1;
    for (size_t i = 0; st == FW_OK && i < s->npairs; i++)
        want_pair_page(r, r->pairs[s->pairs[i]].a, r->pairs[s->pairs[i]].b, &ok);
    for (size_t i = 0; st == FW_OK && i < s->nreuse; i++)
        want_pair_page(r, r->reuse[s->reuse[i]].a, r->reuse[s->reuse[i]].b, &ok);
    for (size_t i = 0; st == FW_OK && i < s->ndocs; i++) {
        source *src;
        size_t n;
        if ((st = sources_of(r, s->docs[i], SOURCES_LINKED, &src, &n)) != FW_OK) break;
        for (size_t k = 0; k < n; k++) want_pair_page(r, s->docs[i], src[k].doc, &ok);
        free(src);
    }
    if (!ok && st == FW_OK) st = FW_ERR_NOMEM;
    if (st == FW_OK) { /* sorted and distinct */
        if (r->npair_pages > 1)
            qsort(r->pair_pages, r->npair_pages, sizeof *r->pair_pages, by_u64);
        size_t u = 0;
        for (size_t i = 0; i < r->npair_pages; i++)
            if (!u || r->pair_pages[u - 1] != r->pair_pages[i]) r->pair_pages[u++] = r->pair_pages[i];
        r->npair_pages = u;
    }
    free(jac);
    free(reuse);
    free(by_rank_share);
    if (st == FW_OK) { /* documents of the top lists and of every pair page */
        for (size_t i = 0; i < s->ndocs; i++) r->doc_page[s->docs[i]] |= DOC_PAGE;
        for (size_t i = 0; i < r->npair_pages; i++) { /* both sides of every pair page */
            size_t a, b;
            fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] >> 32), &a);
            fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] & 0xffffffffu), &b);
            r->doc_page[a] |= DOC_PAGE;
            r->doc_page[b] |= DOC_PAGE;
        }
    }
    if (st == FW_OK) st = select_clusters(r, s);
    /* passage groups: the top ones that are not boilerplate, by documents */
    size_t ng = 0;
    if (st == FW_OK && !(s->groups = malloc((r->ngroups + 1) * sizeof *s->groups))) st = FW_ERR_NOMEM;
    for (uint64_t g = 1; st == FW_OK && g <= r->ngroups; g++) {
        fw_group_info info;
        if ((st = fw_scan_group(r->scan, (size_t)g - 1, &info)) != FW_OK) break;
        if (info.boilerplate) r->group_page[g] = 2;
        else groups[ng++] = (group_rank){info.docs, g};
    }
    if (st == FW_OK) {
        qsort(groups, ng, sizeof *groups, by_docs_then_number);
        s->ngroups = ng < r->top ? ng : r->top;
        for (size_t i = 0; i < s->ngroups; i++) {
            s->groups[i] = groups[i].group;
            r->group_page[groups[i].group] = 1;
        }
    }
    free(groups);
    return st;
}

static void count_row(FILE *f, const char *what, uint64_t n)
{
    fprintf(f, "<tr><th>%s</th><td class=\"n\">%llu</td></tr>\n", what, (unsigned long long)n);
}

static void write_overview(FILE *f, const html_report *r, const selection *s)
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

static void write_index_lists(FILE *f, const html_report *r, const selection *s)
{
    fprintf(f, "<h2>Documents by reused share (top %zu)</h2>\n", s->ndocs);
    fputs("<table id=\"docs\"><tr><th>id</th><th class=\"n\">reused</th><th class=\"n\">"
          "boilerplate</th><th class=\"n\">characters</th></tr>\n", f);
    for (size_t i = 0; i < s->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, s->docs[i], &d);
        fputs("<tr><td>", f);
        doc_link(f, r, s->docs[i], "");
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
        doc_link(f, r, p->a, "");
        fputs("</td><td>", f);
        doc_link(f, r, p->b, "");
        if (p->jaccard >= 0)
            fprintf(f, "</td><td class=\"n\">%.3f</td><td class=\"n\">%.3f</td><td class=\"n\">"
                       "%.3f</td><td>", p->jaccard, p->a_in_b, p->b_in_a);
        else
            fprintf(f, "</td><td class=\"n\">~%.3f</td><td></td><td></td><td>", p->estimate);
        pair_link(f, r, p->a, p->b, "");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);

    fprintf(f, "<h2>Documents sharing text (top %zu by the larger share)</h2>\n", s->nreuse);
    fputs("<table id=\"reuse\"><tr><th>A</th><th>B</th><th class=\"n\">shared characters</th>"
          "<th class=\"n\">A in B</th><th class=\"n\">B in A</th><th></th></tr>\n", f);
    for (size_t i = 0; i < s->nreuse; i++) {
        const fw_reuse_pair *p = &r->reuse[s->reuse[i]];
        fputs("<tr><td>", f);
        doc_link(f, r, p->a, "");
        fputs("</td><td>", f);
        doc_link(f, r, p->b, "");
        fprintf(f, "</td><td class=\"n\">%llu</td><td class=\"n\">%.3f</td><td class=\"n\">%.3f"
                   "</td><td>", (unsigned long long)p->shared_chars, p->a_in_b, p->b_in_a);
        pair_link(f, r, p->a, p->b, "");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);

    fprintf(f, "<h2>Clusters (top %zu by size)</h2>\n", s->ntop_clusters);
    fputs("<table id=\"clusters\"><tr><th>named after</th><th class=\"n\">documents</th>"
          "<th></th></tr>\n", f);
    for (size_t i = 0; i < s->ntop_clusters; i++) {
        const cluster *c = &s->clusters[i];
        fputs("<tr><td>", f);
        doc_link(f, r, c->rep, "");
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

/* ---------------------------------------------------- into its place */

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* An existing `dir` may be replaced only when it is a report this writes:
 * index.html and the page folders, nothing else. */
static int is_html_report(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    static const char *const allowed[] = {".", "..", "index.html", "pair", "doc", "cluster",
                                          "group"};
    int index = 0, other = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int known = 0;
        for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
            known |= !strcmp(e->d_name, allowed[i]);
        index |= !strcmp(e->d_name, "index.html");
        other |= !known;
    }
    closedir(d);
    return index && !other;
}

static fw_status make_dirs(const html_report *r)
{
    static const char *const sub[] = {"pair", "doc", "cluster", "group"};
    remove_tree(r->dir); /* a directory of this process's earlier failure */
    if (mkdir(r->dir, 0777) != 0)
        return fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot create: %s", r->dir, strerror(errno));
    for (int i = 0; i < 4; i++) {
        char path[PATH_SIZE + 64];
        snprintf(path, sizeof path, "%s/%s", r->dir, sub[i]);
        if (mkdir(path, 0777) != 0) {
            fw_status st = fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot create: %s", path,
                                        strerror(errno));
            remove_tree(r->dir);
            return st;
        }
    }
    return FW_OK;
}

/* The finished directory replaces `final`: an old report is moved aside,
 * the new one renamed into place, the old one removed. */
static fw_status publish(const html_report *r, const char *final)
{
    char old[PATH_SIZE + 32];
    snprintf(old, sizeof old, "%s.old.%ld", final, (long)getpid());
    struct stat sb;
    int had = stat(final, &sb) == 0;
    if (had && rename(final, old) != 0)
        return fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot move aside: %s", final,
                            strerror(errno));
    if (rename(r->dir, final) != 0) {
        fw_status st = fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot rename to %s: %s", r->dir,
                                    final, strerror(errno));
        if (had) rename(old, final);
        return st;
    }
    if (had) remove_tree(old);
    return FW_OK;
}

static void report_free(html_report *r)
{
    fw_explainer_free(&r->x);
    free(r->rank);
    free(r->pair_keys);
    free(r->reuse_keys);
    free(r->b_first);
    free(r->b_spans);
    free(r->doc_page);
    free(r->pair_pages);
    free(r->group_page);
}

/* Everything a report reads more than once, indexed. */
static fw_status report_init(html_report *r, const fw_scan *scan, unsigned top, unsigned min_run)
{
    memset(r, 0, sizeof *r);
    r->scan = scan;
    r->top = top;
    if (!fw_scan_get_options(scan)->passages)
        return fw_scan_fail(scan, FW_ERR_ARG, "the HTML report shows texts, which a scan keeps "
                            "only with the passage level (options.passages)");
    fw_status st = fw_scan_pairs(scan, &r->pairs, &r->npairs);
    if (st == FW_OK) st = fw_scan_reuse(scan, &r->reuse, &r->nreuse);
    if (st == FW_OK) st = fw_scan_spans(scan, &r->spans, &r->nspans);
    if (st == FW_OK) st = fw_explainer_init(&r->x, scan, min_run);
    if (st != FW_OK) return st;
    r->ndocs = fw_scan_doc_count(scan);
    r->ngroups = fw_scan_group_count(scan);
    size_t nd = r->ndocs ? r->ndocs : 1;
    r->rank = malloc(nd * sizeof *r->rank);
    r->pair_keys = malloc((r->npairs ? r->npairs : 1) * sizeof *r->pair_keys);
    r->reuse_keys = malloc((r->nreuse ? r->nreuse : 1) * sizeof *r->reuse_keys);
    r->b_first = calloc(nd + 1, sizeof *r->b_first);
    r->b_spans = malloc((r->nspans ? r->nspans : 1) * sizeof *r->b_spans);
    r->doc_page = calloc(nd, 1);
    r->group_page = calloc(r->ngroups + 1, 1);
    if (!r->rank || !r->pair_keys || !r->reuse_keys || !r->b_first || !r->b_spans ||
        !r->doc_page || !r->group_page)
        return fw_scan_fail(scan, FW_ERR_NOMEM, "html report: out of memory");
    for (size_t i = 0; i < r->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(scan, i, &d);
        r->rank[i] = d.rank;
    }
    for (size_t i = 0; i < r->npairs; i++)
        r->pair_keys[i] = pair_key(r->rank[r->pairs[i].a], r->rank[r->pairs[i].b]);
    for (size_t i = 0; i < r->nreuse; i++)
        r->reuse_keys[i] = pair_key(r->rank[r->reuse[i].a], r->rank[r->reuse[i].b]);
    /* spans by side b: a counting sort, spans in order within a document */
    for (size_t i = 0; i < r->nspans; i++) r->b_first[r->spans[i].b + 1]++;
    for (size_t d = 0; d < r->ndocs; d++) r->b_first[d + 1] += r->b_first[d];
    size_t *fill = malloc(nd * sizeof *fill);
    if (!fill) return fw_scan_fail(scan, FW_ERR_NOMEM, "html report: out of memory");
    memcpy(fill, r->b_first, r->ndocs * sizeof *fill);
    for (size_t i = 0; i < r->nspans; i++) r->b_spans[fill[r->spans[i].b]++] = (uint32_t)i;
    free(fill);
    return FW_OK;
}

static fw_status write_pages(html_report *r, const selection *s, unsigned min_run)
{
    fw_status st = FW_OK;
    for (size_t i = 0; st == FW_OK && i < r->npair_pages; i++) {
        size_t a, b;
        fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] >> 32), &a);
        fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] & 0xffffffffu), &b);
        st = write_pair_page(r, a, b, min_run);
    }
    for (size_t rk = 0; st == FW_OK && rk < r->ndocs; rk++) {
        size_t doc;
        fw_scan_doc_by_rank(r->scan, rk, &doc);
        if (r->doc_page[doc] & DOC_PAGE) st = write_doc_page(r, doc);
    }
    for (size_t i = 0; st == FW_OK && i < s->ntop_clusters; i++)
        st = write_cluster_page(r, &s->clusters[i]);
    for (uint64_t g = 1; st == FW_OK && g <= r->ngroups; g++)
        if (r->group_page[g]) st = write_group_page(r, g);
    if (st != FW_OK) return st;
    FILE *f = open_page(r, "index.html");
    if (!f) return FW_ERR_IO;
    fw_page_begin(f, "overview", NULL);
    write_overview(f, r, s);
    write_index_lists(f, r, s);
    fw_page_end(f);
    return close_page(r, f, FW_OK);
}

fw_status fw_report_write_html(const fw_scan *scan, const char *dir, unsigned top,
                               unsigned min_run)
{
    if (!top || !min_run)
        return fw_scan_fail(scan, FW_ERR_ARG, "fw_report_write_html: top and min_run must be >= 1");
    char final[PATH_SIZE];
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--; /* "out/" names the directory out */
    if (n + 32 >= sizeof final)
        return fw_scan_fail(scan, FW_ERR_IO, "%s: %s", dir, strerror(ENAMETOOLONG));
    memcpy(final, dir, n);
    final[n] = '\0';
    struct stat sb;
    if (stat(final, &sb) == 0 && !is_html_report(final))
        return fw_scan_fail(scan, FW_ERR_IO, "%s: exists and is not an HTML report of fanwen "
                            "(index.html and pair/, doc/, cluster/, group/ only): not replaced",
                            final);
    html_report r;
    selection s = {0};
    fw_status st = report_init(&r, scan, top, min_run);
    if (st == FW_OK) {
        snprintf(r.dir, sizeof r.dir, "%s.tmp.%ld", final, (long)getpid());
        st = select_pages(&r, &s);
        if (st == FW_ERR_NOMEM) fw_scan_fail(scan, st, "html report: out of memory");
    }
    if (st == FW_OK) st = make_dirs(&r);
    if (st == FW_OK) {
        st = write_pages(&r, &s, min_run);
        if (st == FW_OK) st = publish(&r, final);
        if (st != FW_OK) remove_tree(r.dir);
    }
    selection_free(&s);
    report_free(&r);
    return st;
}

fw_status fw_report_write_pair_html(const fw_scan *scan, size_t a, size_t b, unsigned min_run,
                                    const char *path)
{
    if (!min_run)
        return fw_scan_fail(scan, FW_ERR_ARG, "fw_report_write_pair_html: min_run must be >= 1");
    html_report r;
    fw_status st = report_init(&r, scan, 1, min_run);
    fw_explanation *e = NULL;
    if (st == FW_OK) st = fw_explainer_explain(&r.x, a, b, &e);
    if (st == FW_OK) {
        for (uint64_t g = 1; g <= r.ngroups; g++) { /* boilerplate is greyed */
            fw_group_info info;
            if (fw_scan_group(scan, (size_t)g - 1, &info) == FW_OK && info.boilerplate)
                r.group_page[g] = 2;
        }
        char tmp[PATH_SIZE + 32];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        FILE *f = fopen(tmp, "wb");
        if (!f) {
            st = fw_scan_fail(scan, FW_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
        } else {
            fw_page_begin(f, id_of(&r, a), NULL);
            st = write_pair_body(f, &r, e, min_run, "");
            fw_page_end(f);
            int failed = ferror(f);
            if (fclose(f) != 0 || failed) {
                if (st == FW_OK)
                    st = fw_scan_fail(scan, FW_ERR_IO, "%s: cannot write: %s", tmp,
                                      strerror(errno ? errno : EIO));
            }
            if (st == FW_OK && rename(tmp, path) != 0)
                st = fw_scan_fail(scan, FW_ERR_IO, "%s: cannot rename to %s: %s", tmp, path,
                                  strerror(errno));
            if (st != FW_OK) unlink(tmp);
        }
    }
    fw_explanation_free(e);
    report_free(&r);
    return st;
}
