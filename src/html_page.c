/*
 * html_page.c — the pieces every page of the HTML report is made of.
 *
 * Documents are untrusted: a crawled page can hold <script>, </textarea>,
 * quotes and javascript: URLs, and ids are file names that can hold
 * anything. So every byte of text and every id goes through fw_page_text(),
 * which escapes the five characters that matter in content and in quoted
 * attributes; links are built from document ranks and group numbers only,
 * never from ids. The pages carry no script at all (a click on a marked
 * run is a plain #fragment link) and a Content-Security-Policy that would
 * refuse one anyway, and they load nothing: the style is inline, the
 * charts are inline SVG, so a report works from file:// with no network.
 */
#include "html_page.h"
#include "fanwen.h"

#include <math.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Escaped text; a CR is dropped from a document's text (its CRLF line
 * ends) and shown as U+FFFD in a string such as an id, where "a\rb" and
 * "ab" are two names. */
static void page_text(FILE *f, const char *s, size_t n, int in_text)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            int invalid;
            size_t k = fw_utf8_decode((const unsigned char *)s + i, n - i, &cp, &invalid);
            if (invalid) fputs(REPLACEMENT, f);
            else fwrite(s + i, 1, k, f);
            i += k;
            continue;
        }
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\n': case '\t': fputc(c, f); break;
        case '\r':
            if (!in_text) fputs(REPLACEMENT, f);
            break;
        default:
            if (c < 0x20 || c == 0x7f) fputs(REPLACEMENT, f);
            else fputc(c, f);
        }
        i++;
    }
}

void fw_page_text(FILE *f, const char *s, size_t n) { page_text(f, s, n, 1); }

void fw_page_str(FILE *f, const char *s) { page_text(f, s, strlen(s), 0); }

void fw_page_percent(FILE *f, double share) { fprintf(f, "%.1f%%", share * 100); }

/* One style for every page: two text columns that scroll on their own,
 * marked runs in the colour of their source, boilerplate grey. */
static const char STYLE[] =
    "body{font:14px/1.6 system-ui,'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:0 1.5em 2em;color:#222}"
    "h1{font-size:1.4em;margin:.6em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}"
    "nav{padding:.5em 0;border-bottom:1px solid #ddd}nav a{margin-right:1em}"
    "table{border-collapse:collapse;margin:.3em 0}td,th{padding:.15em .6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".id{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}"
    ".stats{display:flex;gap:2em;flex-wrap:wrap}.big{font-size:1.6em;font-weight:600}"
    ".cols{display:flex;gap:1em}.col{flex:1;min-width:0}"
    ".text{white-space:pre-wrap;word-break:break-all;border:1px solid #ddd;padding:.6em;height:70vh;overflow:auto;background:#fcfcfc}"
    ".doc .text{height:auto;max-height:none}"
    ".text a{color:inherit;text-decoration:none}"
    "a.r{background:#ffd5cc;color:#a00;text-decoration:none;border-radius:2px}a.r:target{outline:2px solid #a00;background:#ffb3a3}"
    ".fig{background:#d7ebff;color:#036}.word{background:#e6dcff;color:#409}a.r.fig{background:#d7ebff;color:#036}a.r.word{background:#e6dcff;color:#409}"
    ".bp{color:#999;background:#f0f0f0}"
    ".s0{background:#ffd5cc}.s1{background:#cfe9ff}.s2{background:#d9f5c9}.s3{background:#fff0b3}.s4{background:#ecd9ff}"
    ".s5{background:#ffd9ef}.s6{background:#cff5f0}.s7{background:#ffe3c7}.s8{background:#e0e0e0}"
    ".key{display:inline-block;width:.9em;height:.9em;vertical-align:middle;margin-right:.3em;border:1px solid #ccc}"
    ".charts{display:flex;gap:1.5em;flex-wrap:wrap}svg text{font:11px system-ui,sans-serif}"
    ".m td{text-align:center;min-width:2.6em;font-size:12px}.m td.e{font-weight:700}"
    ".note{color:#666;font-size:.9em}";

void fw_page_begin(FILE *f, const char *title, const char *home)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    fw_page_str(f, title);
    fprintf(f, " — fanwen</title>\n<style>%s</style></head>\n<body>\n", STYLE);
    if (home) fprintf(f, "<nav><a href=\"%s\">← overview</a></nav>\n", home);
}

void fw_page_end(FILE *f)
{
    fprintf(f, "<p class=\"note\">fanwen %s</p>\n</body></html>\n", fw_version());
}

void fw_page_bar_chart(FILE *f, const char *title, const char *const *labels,
                       const uint64_t *counts, size_t n)
{
    const int bar = 34, gap = 6, height = 120, top = 28, bottom = 34;
    const int width = (int)n * (bar + gap) + gap;
    uint64_t most = 1;
    for (size_t i = 0; i < n; i++)
        if (counts[i] > most) most = counts[i];
    fprintf(f, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "role=\"img\"><title>", width, top + height + bottom);
    fw_page_str(f, title);
    fputs("</title>\n", f);
    for (size_t i = 0; i < n; i++) {
        /* log scale: 1 is a sliver, the largest count the full height */
        int h = counts[i] ? (int)lround(height * (log1p((double)counts[i]) / log1p((double)most)))
                          : 0;
        if (counts[i] && h < 2) h = 2;
        int x = gap + (int)i * (bar + gap), y = top + height - h;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#c0504d\"></rect>",
                x, y, bar, h);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%llu</text>", x + bar / 2,
                y - 4, (unsigned long long)counts[i]);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x + bar / 2,
                top + height + 14);
        fw_page_str(f, labels[i]);
        fputs("</text>\n", f);
    }
    fprintf(f, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"></line>",
            top + height, width, top + height);
    fputs("</svg><figcaption>", f);
    fw_page_str(f, title);
    fputs(" (log scale)</figcaption></figure>\n", f);
}
