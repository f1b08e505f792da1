/*
 * html_links.c — the pages of the HTML report by name, and the links
 * between them.
 *
 * A page is named by numbers only: a document's rank (its place in id
 * order), a pair's two ranks, a group's number. Ids are file names that can
 * hold anything, so they are shown, escaped, and never put in a path or a
 * link. A link is written only to a page that exists: report_html.c
 * decides which pages exist before any is written (doc_page, pair_pages,
 * group_page), and every link asks it here first, so a report has no dead
 * link even when its lists were cut to the top N.
 *
 * A pair is looked up by the key of its two ranks, the smaller first, in a
 * sorted array: one binary search, whichever side the caller holds first.
 */
#include "report_html.h"
#include "html_page.h"
#include "scan.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

uint64_t fw_html_pair_key(size_t ra, size_t rb)
{
    return ra <= rb ? (uint64_t)ra << 32 | rb : (uint64_t)rb << 32 | ra;
}

int fw_html_has_key(const uint64_t *keys, size_t n, uint64_t key, size_t *at)
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

const char *fw_html_doc_id(const fw_html_report *r, size_t doc)
{
    fw_doc_info d;
    return fw_scan_doc(r->scan, doc, &d) == FW_OK ? d.id : "";
}

int fw_html_has_cluster_page(const fw_html_report *r, size_t rep)
{
    return (r->doc_page[rep] & CLUSTER_PAGE) != 0;
}

int fw_html_has_pair_page(const fw_html_report *r, size_t a, size_t b)
{
    return fw_html_has_key(r->pair_pages, r->npair_pages,
                           fw_html_pair_key(r->rank[a], r->rank[b]), NULL);
}

/* ------------------------------------------------------------- links */

void fw_html_doc_link(FILE *f, const fw_html_report *r, size_t doc, const char *up)
{
    const int page = r->doc_page[doc] & DOC_PAGE;
    if (page) fprintf(f, "<a class=\"id\" href=\"%sdoc/%zu.html\">", up, r->rank[doc]);
    else fputs("<span class=\"id\">", f);
    fw_page_str(f, fw_html_doc_id(r, doc));
    fputs(page ? "</a>" : "</span>", f);
}

void fw_html_pair_href(FILE *f, const fw_html_report *r, size_t a, size_t b, const char *up)
{
    size_t ra = r->rank[a], rb = r->rank[b];
    fprintf(f, "%spair/%zu-%zu.html", up, ra < rb ? ra : rb, ra < rb ? rb : ra);
}

void fw_html_pair_link(FILE *f, const fw_html_report *r, size_t a, size_t b, const char *up)
{
    if (!fw_html_has_pair_page(r, a, b)) return;
    fputs("<a href=\"", f);
    fw_html_pair_href(f, r, a, b, up);
    fputs("\">compare</a>", f);
}

/* ------------------------------------------------------------- pages */

FILE *fw_html_open_page(const fw_html_report *r, const char *fmt, ...)
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

fw_status fw_html_close_page(const fw_html_report *r, FILE *f, fw_status st)
{
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        if (st == FW_OK)
            st = fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot write a page: %s", r->dir,
                              strerror(errno ? errno : EIO));
    }
    return st;
}
