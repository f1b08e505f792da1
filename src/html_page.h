/* html_page.h — writing the pages of the HTML report (internal; see
 * html_page.c): escaped text, the page frame, bar charts as inline SVG. */
#ifndef FW_HTML_PAGE_H
#define FW_HTML_PAGE_H

#include <stdint.h>
#include <stdio.h>

/* `n` bytes of document text as HTML text: & < > " ' escaped, invalid
 * UTF-8 and control characters shown as U+FFFD, CR dropped (a CRLF text
 * keeps one line break). Safe in element content and in quoted
 * attributes. */
void fw_page_text(FILE *f, const char *s, size_t n);
/* The same for a NUL-terminated string (an id, a message), but a CR is
 * shown as U+FFFD: "a\rb" and "ab" are two ids. */
void fw_page_str(FILE *f, const char *s);

/* The start of a page: doctype, a Content-Security-Policy that allows no
 * script, no request and no frame (a second wall behind the escaping), the
 * style sheet, the title (escaped) and a link to the overview at `home`
 * (NULL on the overview itself). Then the page's body; fw_page_end()
 * closes it. */
void fw_page_begin(FILE *f, const char *title, const char *home);
void fw_page_end(FILE *f);

/* A bar chart: `n` bars labelled `labels[i]` of height counts[i] on a
 * logarithmic scale (a distribution where one bar holds 90% stays
 * readable), each with its count above it. */
void fw_page_bar_chart(FILE *f, const char *title, const char *const *labels,
                       const uint64_t *counts, size_t n);

/* A share in [0, 1] as a percentage with one decimal ("62.5%"). */
void fw_page_percent(FILE *f, double share);

#endif
