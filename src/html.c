/*
 * html.c — the text of an HTML page, for WARC responses (warc.c).
 *
 * Not a parser: one pass over the bytes that drops tags, comments and the
 * contents of script, style and noscript, ends a line at block elements,
 * collapses white space and decodes character references. Crawled pages
 * are often broken HTML, and what matters here is the prose in them, not
 * the tree: a DOM (libgumbo, say) would hold several times the page for
 * nothing the reports use. Output grows in a caller's buffer, reused from
 * page to page.
 */
#include "html.h"
#include "ascii.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Text being written: white space is held back as `space` and written as
 * one ' ' before the next visible character, never at a line's start. */
typedef struct text_out {
    char *p;
    size_t len, cap;
    int space, line_start, nomem;
} text_out;

static void put(text_out *o, const char *s, size_t n)
{
    if (o->nomem) return;
    if (o->cap - o->len < n + 2) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap - o->len < n + 2) {
            if (cap > SIZE_MAX / 2) { o->nomem = 1; return; }
            cap *= 2;
        }
        char *grown = realloc(o->p, cap);
        if (!grown) { o->nomem = 1; return; }
        o->p = grown;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_text(text_out *o, const char *s, size_t n)
{
    if (o->space && !o->line_start) put(o, " ", 1);
    o->space = o->line_start = 0;
    put(o, s, n);
}

static void put_break(text_out *o)
{
    if (!o->line_start) put(o, "\n", 1);
    o->space = 0;
    o->line_start = 1;
}

static void put_code_point(text_out *o, uint32_t cp)
{
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f') {
        o->space = 1;
        return;
    }
    char u[4];
    put_text(o, u, fw_utf8_encode(u, cp));
}

static int is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_alnum(char c) { return is_alpha(c) || fw_is_digit(c); }

static const struct { const char *name; uint32_t cp; int legacy; } entities[] = {
    /* the five of XML, then the ones common in pages; `legacy`: also
     * without the ';', as browsers read them */
    {"amp", '&', 1}, {"lt", '<', 1}, {"gt", '>', 1}, {"quot", '"', 1},
    {"apos", '\'', 0}, {"nbsp", 0xA0, 1}, {"copy", 0xA9, 1}, {"reg", 0xAE, 1},
    {"middot", 0xB7, 0}, {"laquo", 0xAB, 0}, {"raquo", 0xBB, 0}, {"deg", 0xB0, 0},
    {"plusmn", 0xB1, 0}, {"times", 0xD7, 0}, {"divide", 0xF7, 0}, {"yen", 0xA5, 0},
    {"ensp", 0x2002, 0}, {"emsp", 0x2003, 0}, {"thinsp", 0x2009, 0},
    {"ndash", 0x2013, 0}, {"mdash", 0x2014, 0}, {"lsquo", 0x2018, 0},
    {"rsquo", 0x2019, 0}, {"ldquo", 0x201C, 0}, {"rdquo", 0x201D, 0},
    {"bull", 0x2022, 0}, {"hellip", 0x2026, 0}, {"euro", 0x20AC, 0},
    {"trade", 0x2122, 0},
};

/* A character reference at s[i] == '&': writes what it stands for (or the
 * '&' itself when it is none) and returns where the text goes on. */
static size_t entity(const char *s, size_t n, size_t i, text_out *o)
{
    size_t k = i + 1;
    if (k < n && s[k] == '#') {
        int hex = ++k < n && (s[k] | 0x20) == 'x';
        if (hex) k++;
        size_t d0 = k;
        uint32_t cp = 0;
        for (int d; k < n && (d = hex ? fw_hex_value(s[k]) : fw_dec_value(s[k])) >= 0; k++)
            cp = cp > 0x10FFFF ? cp : cp * (hex ? 16 : 10) + (uint32_t)d;
        if (k == d0) {
            put_text(o, "&", 1);
            return i + 1;
        }
        if (k < n && s[k] == ';') k++;
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
        put_code_point(o, cp);
        return k;
    }
    size_t j = k;
    while (j < n && j - k < 8 && is_alnum(s[j])) j++;
    int semi = j < n && s[j] == ';';
    for (size_t e = 0; e < sizeof entities / sizeof *entities; e++) {
        const char *name = entities[e].name;
        if (strlen(name) != j - k || memcmp(name, s + k, j - k) != 0) continue;
        if (!semi && !entities[e].legacy) break;
        put_code_point(o, entities[e].cp);
        return j + semi;
    }
    put_text(o, "&", 1);
    return i + 1;
}

static int name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(name, *list)) return 1;
    return 0;
}

/* Elements that begin and end a line. */
static const char *const block_tags[] = {
    "address", "article", "aside", "blockquote", "body", "br", "caption",
    "center", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "head", "header", "hr", "html", "legend", "li", "main", "menu",
    "nav", "ol", "option", "p", "pre", "section", "summary", "table",
    "tbody", "tfoot", "thead", "title", "tr", "ul", NULL};
/* Elements whose contents are not text. */
static const char *const hidden_tags[] = {"script", "style", "noscript", NULL};

/* Where a tag starting at s[k] (its attributes) ends: after its '>'. */
static size_t tag_end(const char *s, size_t n, size_t k)
{
    char prev = 0;
    while (k < n && s[k] != '>') {
        if ((s[k] == '"' || s[k] == '\'') && prev == '=') {
            const char *q = memchr(s + k + 1, s[k], n - k - 1);
            if (!q) return n;
            k = (size_t)(q - s) + 1;
            prev = '"';
            continue;
        }
        if (!fw_is_space(s[k])) prev = s[k];
        k++;
    }
    return k < n ? k + 1 : n;
}

/* Where the contents of a hidden element end: after its end tag. */
static size_t hidden_end(const char *s, size_t n, size_t k, const char *name)
{
    size_t m = strlen(name);
    for (const char *lt; (lt = memchr(s + k, '<', n - k)) != NULL;) {
        k = (size_t)(lt - s) + 1;
        if (k + 1 + m <= n && s[k] == '/' && strncasecmp(s + k + 1, name, m) == 0 &&
            (k + 1 + m == n || !is_alnum(s[k + 1 + m])))
            return tag_end(s, n, k + 1 + m);
    }
    return n;
}

/* A markup construct at s[i] == '<': comments, declarations and tags are
 * left out, with a line break for block elements; a '<' that starts none
 * is text. Returns where the text goes on. */
static size_t markup(const char *s, size_t n, size_t i, text_out *o)
{
    if (i + 1 < n && s[i + 1] == '!') {
        if (i + 3 < n && s[i + 2] == '-' && s[i + 3] == '-') {
            /* <!--> and <!---> are empty comments (HTML5): they end there */
            if (i + 4 < n && s[i + 4] == '>') return i + 5;
            if (i + 5 < n && s[i + 4] == '-' && s[i + 5] == '>') return i + 6;
            for (size_t k = i + 4; k + 2 < n; k++)
                if (s[k] == '-' && s[k + 1] == '-' && s[k + 2] == '>') return k + 3;
            return n;
        }
        return tag_end(s, n, i + 2);
    }
    if (i + 1 < n && s[i + 1] == '?') return tag_end(s, n, i + 2);
    int closing = i + 1 < n && s[i + 1] == '/';
    size_t k = i + 1 + (size_t)closing;
    if (k >= n || !is_alpha(s[k])) {
        put_text(o, "<", 1);
        return i + 1;
    }
    char name[16];
    size_t len = 0;
    for (; k < n && (is_alnum(s[k]) || s[k] == '-' || s[k] == ':'); k++)
        if (len < sizeof name - 1) name[len++] = (char)(s[k] | 0x20);
    name[len] = '\0';
    size_t end = tag_end(s, n, k);
    if (!closing && name_in(name, hidden_tags)) return hidden_end(s, n, end, name);
    if (name_in(name, block_tags)) put_break(o);
    else if (!strcmp(name, "td") || !strcmp(name, "th")) o->space = 1;
    return end;
}

fw_status fw_html_text(const char *html, size_t len, char **out, size_t *cap,
                       size_t *out_len)
{
    text_out o = {*out, 0, *cap, 0, 1, 0};
    for (size_t i = 0; i < len && !o.nomem;) {
        char c = html[i];
        if (c == '<') {
            i = markup(html, len, i, &o);
        } else if (c == '&') {
            i = entity(html, len, i, &o);
        } else if (fw_is_space(c)) {
            o.space = 1;
            i++;
        } else {
            size_t j = i + 1;
            while (j < len && html[j] != '<' && html[j] != '&' && !fw_is_space(html[j])) j++;
            put_text(&o, html + i, j - i);
            i = j;
        }
    }
    put(&o, "", 0); /* room for the NUL, even for an empty text */
    *out = o.p;
    *cap = o.cap;
    if (o.nomem) return FW_ERR_NOMEM;
    while (o.len && o.p[o.len - 1] == '\n') o.len--;
    o.p[o.len] = '\0';
    *out_len = o.len;
    return FW_OK;
}
