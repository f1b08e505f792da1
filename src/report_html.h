/* report_html.h — the HTML report's state, shared by the files that write
 * it (internal): report_html.c decides which pages exist, has them written
 * and puts the directory in place; html_links.c names the pages and writes
 * the links between them; html_paint.c paints a text with its runs; each
 * kind of page has its own file (html_pair_page.c, html_doc_page.c,
 * html_cluster_page.c, html_group_page.c, html_overview.c). The pieces
 * every page is made of, whatever it shows, are in html_page.h. */
#ifndef FW_REPORT_HTML_H
#define FW_REPORT_HTML_H

#include "explain.h"
#include "fanwen.h"

#include <stdint.h>
#include <stdio.h>

#define PATH_SIZE 4096
#define LIST_MAX 1000       /* rows of a member list on one page */

/* What a document has (fw_html_report.doc_page), as bits. */
#define DOC_PAGE 1          /* doc/R.html exists */
#define CLUSTER_PAGE 2      /* cluster/R.html exists: R is a representative */

/* What a passage group is (fw_html_report.group_page); either has a page. */
#define GROUP_PAGE 1        /* one of the top groups */
#define GROUP_BOILERPLATE 2 /* boilerplate: grey wherever a text shows it */

/* Everything a report reads more than once, indexed by report_html.c
 * before any page is written; then which pages exist. Documents are
 * numbered as the scan numbers them; ranks are their places in id order,
 * which name the pages. */
typedef struct fw_html_report {
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
    unsigned char *group_page;       /* per group number: GROUP_PAGE, GROUP_BOILERPLATE */
    size_t ngroups;
    char dir[PATH_SIZE + 32];        /* where pages are written now */
} fw_html_report;

/* ------------------------------------------- pages and links (html_links.c) */

/* The key of a pair of ranks, the smaller in the high half: keys sort as
 * the pairs do, whichever side came first. */
uint64_t fw_html_pair_key(size_t ra, size_t rb);
/* Whether `key` is in the sorted `keys`; *at (when `at` is not NULL) is
 * where it is, or where it would go. */
int fw_html_has_key(const uint64_t *keys, size_t n, uint64_t key, size_t *at);
/* A document's id ("" when the scan cannot say). */
const char *fw_html_doc_id(const fw_html_report *r, size_t doc);
int fw_html_has_cluster_page(const fw_html_report *r, size_t rep);
int fw_html_has_pair_page(const fw_html_report *r, size_t a, size_t b);

/* Links from a page to others. `up` is the way from the current page to
 * the report's root ("" or "../"). A document's id, linked to its page
 * when it has one; the address of a pair's page; "compare" linked to the
 * pair's page, or nothing when it has none. */
void fw_html_doc_link(FILE *f, const fw_html_report *r, size_t doc, const char *up);
void fw_html_pair_href(FILE *f, const fw_html_report *r, size_t a, size_t b, const char *up);
void fw_html_pair_link(FILE *f, const fw_html_report *r, size_t a, size_t b, const char *up);

/* The page `fmt` names under the report's directory, open for writing
 * (NULL, with the scan's message set, when it cannot be); closed by
 * fw_html_close_page(), which returns `st`, or the write error when `st`
 * was FW_OK. */
FILE *fw_html_open_page(const fw_html_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
fw_status fw_html_close_page(const fw_html_report *r, FILE *f, fw_status st);

/* ------------------------------------------------ a text (html_paint.c) */

/* What each byte of a text is shown as: the run (or source) it is in, a
 * difference template mode forgives, boilerplate. Segments of equal labels
 * become one element each. */
typedef struct fw_paint {
    int32_t *run;                    /* -1: in no run */
    int8_t *kind;                    /* an fw_difference_kind, -1: none */
    uint8_t *grey;                   /* 1: boilerplate */
    size_t len;
} fw_paint;

/* Room for a text of `len` bytes, nothing painted yet; 0 when out of
 * memory. fw_paint_free() either way. */
int fw_paint_new(fw_paint *p, size_t len);
void fw_paint_free(fw_paint *p);
/* Bytes [s, e) belong to run k, unless an earlier run has them. */
void fw_paint_run(fw_paint *p, uint64_t s, uint64_t e, int32_t k);
/* Greys the boilerplate of document `doc` (fw_boilerplate_mask()). */
fw_status fw_paint_boilerplate(const fw_html_report *r, size_t doc, const char *text,
                               fw_paint *p);

/* How a segment of a run opens: given the run, whether it is the run's
 * first segment, the segment's bytes [s, e) and its classes (" fig",
 * " bp", …, each after a space). The segment is closed with </a>. */
typedef void (*fw_paint_open_run_fn)(FILE *f, void *ctx, int32_t run, int first, size_t s,
                                     size_t e, const char *extra_class);
/* The painted text, escaped; `nruns` runs can be painted in it. */
void fw_paint_write(FILE *f, const char *text, const fw_paint *p, fw_paint_open_run_fn open_run,
                    void *ctx, int32_t nruns);

/* ------------------------------------------------------------- the pages */

/* html_pair_page.c: the body of a pair page, `up` leading to the report's
 * root ("" for a page written alone, which then links nowhere); and
 * pair/RA-RB.html. */
fw_status fw_html_write_pair_body(FILE *f, const fw_html_report *r, const fw_explanation *e,
                                  unsigned min_run, const char *up);
fw_status fw_html_write_pair_page(fw_html_report *r, size_t a, size_t b, unsigned min_run);

/* html_doc_page.c: a document that shares spans with another. */
typedef struct fw_html_source {
    size_t doc, rank;
    uint64_t chars;                  /* in spans, then in marked runs */
    double share;
} fw_html_source;

/* The documents `doc` shares spans with, by the characters of `doc` in
 * those spans, most first (ties by id); *n of them, at most `most`. The
 * caller frees *out. */
fw_status fw_html_sources_of(const fw_html_report *r, size_t doc, size_t most,
                             fw_html_source **out, size_t *n);
/* doc/R.html: a document's sources and its text coloured by them. */
fw_status fw_html_write_doc_page(fw_html_report *r, size_t doc);

/* html_cluster_page.c: a cluster of near-duplicates. */
typedef struct fw_html_cluster {
    size_t rep, rank, size;          /* the representative, its rank */
    size_t *members;                 /* by id */
    size_t nmembers, cap;
} fw_html_cluster;

/* cluster/R.html: the members, the pairs that joined them, the matrix. */
fw_status fw_html_write_cluster_page(fw_html_report *r, const fw_html_cluster *c);

/* html_group_page.c: group/G.html, a passage group and its members. */
fw_status fw_html_write_group_page(fw_html_report *r, uint64_t g);

/* html_overview.c: what the overview lists, chosen by report_html.c. */
typedef struct fw_html_selection {
    size_t *pairs, npairs;           /* top pairs by Jaccard */
    size_t *reuse, nreuse;           /* top reuse rows by the larger share */
    size_t *docs, ndocs;             /* top documents by reused share */
    fw_html_cluster *clusters;       /* every cluster, largest first */
    size_t nclusters, ntop_clusters;
    uint64_t *groups, ngroups;       /* top passage groups by documents */
    double *doc_share;
} fw_html_selection;

/* index.html: the counts, the distributions and the top lists. */
fw_status fw_html_write_overview(const fw_html_report *r, const fw_html_selection *s);

#endif
