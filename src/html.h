/* html.h — the text of an HTML page (internal; see html.c). */
#ifndef FW_HTML_H
#define FW_HTML_H

#include "fanwen.h"

/* The text of an HTML page: tags dropped, the contents of script, style and
 * noscript elements and comments too; block elements (p, div, br, li,
 * h1–h6, tr, title, …) end a line; runs of white space become one space;
 * character references (&amp; &#39; &#x4E2D; &nbsp; …) decoded to UTF-8.
 * `*out` is a buffer of `*cap` bytes grown with realloc as needed (pass
 * NULL/0 to start; reuse it across calls); it receives `*out_len` bytes and
 * a NUL. */
fw_status fw_html_text(const char *html, size_t len, char **out, size_t *cap,
                       size_t *out_len);

#endif
