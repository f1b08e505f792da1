/*
 * html_group_page.c — group/G.html: a passage group, boilerplate or not,
 * and the passages in it.
 *
 * A passage group is a passage that recurs across documents; in too many
 * of them, it is boilerplate. The page gives the start of its first
 * passage's text, then every member passage with its document, its number
 * in that document and its bytes (at most LIST_MAX rows). The scan hands
 * grouped passages out by group, so a group's members are found by a
 * binary search for its first and read on from there: nothing is indexed
 * for this page.
 */
#include "report_html.h"
#include "html_page.h"

/* The first grouped passage of group `g` (grouped passages are by group). */
static fw_status group_start(const fw_html_report *r, uint64_t g, size_t *at)
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

fw_status fw_html_write_group_page(fw_html_report *r, uint64_t g)
{
    fw_group_info info;
    fw_status st = fw_scan_group(r->scan, (size_t)g - 1, &info);
    size_t at = 0;
    if (st == FW_OK) st = group_start(r, g, &at);
    if (st != FW_OK) return st;
    FILE *f = fw_html_open_page(r, "group/%llu.html", (unsigned long long)g);
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
        fw_html_doc_link(f, r, p.doc, "../");
        fprintf(f, "</td><td class=\"n\">%u</td><td class=\"n\">%llu–%llu</td><td>", p.index,
                (unsigned long long)p.byte_start, (unsigned long long)p.byte_end);
        fw_page_str(f, p.text);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (shown > LIST_MAX) fprintf(f, "<p>… and %zu more.</p>\n", shown - LIST_MAX);
    fw_page_end(f);
    return fw_html_close_page(r, f, st);
}
