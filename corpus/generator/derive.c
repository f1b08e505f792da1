/*
 * derive.c — copies made the way template sites make them.
 *
 * Each transform rewrites the spans of a copy and counts, span by span, the
 * characters it substituted, deleted or inserted (`edits`), so that the
 * truth can say how hard a copied passage was edited. Intensity is the
 * share of the transform's targets it touched: years, names, figures,
 * swappable words, censorable words, characters, paragraphs.
 */
#include "generator.h"

#include <stdlib.h>
#include <string.h>

/* ---- character-level rewriting ------------------------------------------- */

static size_t char_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Characters that differ when `b` replaces `a`: position by position, plus
 * the difference in length. */
static uint32_t diff_chars(const char *a, size_t an, const char *b, size_t bn)
{
    uint32_t edits = 0;
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        size_t li = char_len((unsigned char)a[i]), lj = char_len((unsigned char)b[j]);
        edits += li != lj || memcmp(a + i, b + j, li) != 0;
        i += li;
        j += lj;
    }
    size_t rest_a = utf8_chars(a + i, an - i), rest_b = utf8_chars(b + j, bn - j);
    return edits + (uint32_t)(rest_a > rest_b ? rest_a : rest_b);
}

/* One rewriting pass over a span: `step` looks at text+i and either writes
 * a replacement to `out` and returns the bytes it consumed, or returns 0
 * (the character is copied as it is). */
typedef size_t (*step_fn)(gen_state *g, void *ctx, const char *text, size_t i, size_t n,
                          gen_str *out, uint32_t *edits);

static void rewrite(gen_state *g, span *s, int t, step_fn step, void *ctx)
{
    gen_str out = {0};
    uint32_t edits = 0;
    const char *p = s->text.data;
    size_t n = s->text.len;
    for (size_t i = 0; i < n;) {
        size_t used = step(g, ctx, p, i, n, &out, &edits);
        if (!used) {
            used = char_len((unsigned char)p[i]);
            str_put(&out, p + i, used);
        }
        i += used;
    }
    if (out.len == 0) str_put(&out, "", 0);
    if (edits || out.len != s->text.len || memcmp(out.data, p, n) != 0) s->transforms |= 1u << t;
    s->edits += edits;
    str_free(&s->text);
    s->text = out;
}

static void rewrite_all(gen_state *g, gen_doc *d, int t, step_fn step, void *ctx)
{
    for (size_t i = 0; i < d->nspans; i++)
        if (d->spans[i].kind != SPAN_BOILERPLATE && d->spans[i].kind != SPAN_TEASER)
            rewrite(g, &d->spans[i], t, step, ctx);
}

static size_t digit_run(const char *p, size_t i, size_t n)
{
    if (i > 0 && is_digit(p[i - 1])) return 0;
    size_t j = i;
    while (j < n && is_digit(p[j])) j++;
    return j - i;
}

static int is_year(const char *p, size_t len)
{
    if (len != 4) return 0;
    int v = atoi((char[5]){p[0], p[1], p[2], p[3], 0});
    return v >= 1990 && v <= 2039;
}

/* ---- the transforms ----------------------------------------------------- */

typedef struct year_ctx { double p; int shift; } year_ctx;

static size_t step_year(gen_state *g, void *ctx, const char *p, size_t i, size_t n, gen_str *out,
                        uint32_t *edits)
{
    year_ctx *c = ctx;
    size_t len = digit_run(p, i, n);
    if (!is_year(p + i, len) || !gen_chance(&g->rng, c->p)) return 0;
    char now[16];
    int v = atoi((char[5]){p[i], p[i + 1], p[i + 2], p[i + 3], 0}) + c->shift;
    snprintf(now, sizeof now, "%d", v);
    *edits += diff_chars(p + i, len, now, strlen(now));
    str_puts(out, now);
    return len;
}

static size_t step_figures(gen_state *g, void *ctx, const char *p, size_t i, size_t n,
                           gen_str *out, uint32_t *edits)
{
    double prob = *(double *)ctx;
    size_t len = digit_run(p, i, n);
    if (!len || is_year(p + i, len) || !gen_chance(&g->rng, prob)) return 0;
    if (gen_chance(&g->rng, 0.3)) { /* deleted: "占总投资额的%" */
        *edits += (uint32_t)len;
        return len;
    }
    char now[32];
    for (size_t k = 0; k < len && k < sizeof now - 1; k++)
        now[k] = (char)('0' + (k == 0 ? 1 + gen_below(&g->rng, 9) : gen_below(&g->rng, 10)));
    size_t nl = len < sizeof now - 1 ? len : sizeof now - 1;
    *edits += diff_chars(p + i, len, now, nl);
    str_put(out, now, nl);
    return len;
}

typedef struct replace_ctx {
    const char *from[2], *to[2];
    double p;
} replace_ctx;

static size_t step_place(gen_state *g, void *ctx, const char *p, size_t i, size_t n, gen_str *out,
                         uint32_t *edits)
{
    replace_ctx *c = ctx;
    for (int k = 0; k < 2; k++) {
        size_t fl = strlen(c->from[k]);
        if (fl <= n - i && memcmp(p + i, c->from[k], fl) == 0) {
            if (!gen_chance(&g->rng, c->p)) return 0;
            *edits += diff_chars(p + i, fl, c->to[k], strlen(c->to[k]));
            str_puts(out, c->to[k]);
            return fl;
        }
    }
    return 0;
}

typedef struct synonym_ctx { double p; uint32_t doc; } synonym_ctx;

static size_t step_synonym(gen_state *g, void *ctx, const char *p, size_t i, size_t n, gen_str *out,
                           uint32_t *edits)
{
    const synonym_ctx *c = ctx;
    size_t best = NSWAPS, best_len = 0;
    for (size_t k = 0; k < NSWAPS; k++) {
        size_t fl = strlen(SWAPS[k][0]);
        if (fl > best_len && fl <= n - i && memcmp(p + i, SWAPS[k][0], fl) == 0) {
            best = k;
            best_len = fl;
        }
    }
    if (best == NSWAPS || !gen_chance(&g->rng, c->p)) return 0;
    g->swaps[best]++;
    if (g->swap_stamp[best] != c->doc + 1) {
        g->swap_stamp[best] = c->doc + 1;
        g->swap_docs[best]++;
    }
    *edits += diff_chars(p + i, best_len, SWAPS[best][1], strlen(SWAPS[best][1]));
    str_puts(out, SWAPS[best][1]);
    return best_len;
}

/* 市委 → 市**: the characters after the first masked (the stars are
 * punctuation, gone after normalization: deletions). */
static size_t step_censor(gen_state *g, void *ctx, const char *p, size_t i, size_t n, gen_str *out,
                          uint32_t *edits)
{
    double prob = *(double *)ctx;
    for (size_t k = 0; k < B_CENSORED.n; k++) {
        const char *w = B_CENSORED.item[k];
        size_t fl = strlen(w);
        if (fl > n - i || memcmp(p + i, w, fl) != 0) continue;
        if (!gen_chance(&g->rng, prob)) return 0;
        size_t first = char_len((unsigned char)w[0]);
        str_put(out, w, first);
        str_puts(out, "**");
        *edits += (uint32_t)utf8_chars(w + first, fl - first);
        return fl;
    }
    return 0;
}

static size_t step_chardrop(gen_state *g, void *ctx, const char *p, size_t i, size_t n,
                            gen_str *out, uint32_t *edits)
{
    (void)out;
    (void)n;
    double prob = *(double *)ctx;
    size_t len = char_len((unsigned char)p[i]);
    if (len != 3 || (unsigned char)p[i] < 0xE4 || (unsigned char)p[i] > 0xE9) return 0; /* CJK */
    if (!gen_chance(&g->rng, prob)) return 0;
    *edits += 1;
    return len;
}

/* Full-width punctuation made half-width and digits made full-width, the
 * way a copy pasted through a word processor comes out. */
static size_t step_widths(gen_state *g, void *ctx, const char *p, size_t i, size_t n, gen_str *out,
                          uint32_t *edits)
{
    (void)g;
    (void)ctx;
    (void)edits;
    static const char *const PAIRS[][2] = {{"，", ","}, {"。", "."}, {"：", ":"}, {"；", ";"},
                                           {"（", "("}, {"）", ")"}};
    for (size_t k = 0; k < sizeof PAIRS / sizeof *PAIRS; k++) {
        size_t fl = strlen(PAIRS[k][0]);
        if (fl <= n - i && memcmp(p + i, PAIRS[k][0], fl) == 0) {
            str_puts(out, PAIRS[k][1]);
            return fl;
        }
    }
    if (is_digit(p[i])) {
        char fw[4] = {(char)0xEF, (char)0xBC, (char)(0x90 + (p[i] - '0')), 0};
        str_puts(out, fw);
        return 1;
    }
    return 0;
}

/* Page markers ("1、" "2、", where a scanned page broke, mid-sentence) and
 * mixed widths, in a share of the paragraphs. */
static void markers(gen_state *g, gen_doc *d, double p)
{
    int page = 1;
    for (size_t i = 0; i < d->nspans; i++) {
        span *s = &d->spans[i];
        if (s->kind != SPAN_PARAGRAPH || !gen_chance(&g->rng, p)) continue;
        rewrite(g, s, T_MARKERS, step_widths, NULL);
        size_t chars = utf8_chars(s->text.data, s->text.len), at = gen_below(&g->rng, chars + 1);
        size_t byte = 0;
        for (size_t c = 0; c < at; c++) byte += char_len((unsigned char)s->text.data[byte]);
        gen_str out = {0};
        str_put(&out, s->text.data, byte);
        str_printf(&out, " %d、", page);
        str_put(&out, s->text.data + byte, s->text.len - byte);
        s->edits += page < 10 ? 1 : 2;
        page++;
        str_free(&s->text);
        s->text = out;
        s->transforms |= 1u << T_MARKERS;
    }
}

static size_t content_spans(const gen_doc *d, size_t *at)
{
    size_t m = 0;
    for (size_t i = 0; i < d->nspans; i++)
        if (d->spans[i].kind == SPAN_PARAGRAPH || d->spans[i].kind == SPAN_HEADING) at[m++] = i;
    return m;
}

/* Moves k of the m entries of `at`, chosen at random, to its front: a
 * partial Fisher–Yates shuffle. */
static void choose(gen_state *g, size_t *at, size_t m, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        size_t j = i + gen_below(&g->rng, m - i), tmp = at[i];
        at[i] = at[j];
        at[j] = tmp;
    }
}

static void reorder(gen_state *g, gen_doc *d, double p)
{
    size_t *at = gen_alloc(d->nspans, sizeof *at), m = content_spans(d, at);
    size_t k = (size_t)(p * (double)m + 0.5);
    if (k < 2) k = 2;
    if (k > m) k = m;
    choose(g, at, m, k);
    span *moved = gen_alloc(k, sizeof *moved);
    for (size_t i = 0; i < k; i++) moved[i] = d->spans[at[(i + 1) % k]]; /* a rotation: all move */
    for (size_t i = 0; i < k; i++) {
        d->spans[at[i]] = moved[i];
        d->spans[at[i]].transforms |= 1u << T_REORDER;
    }
    free(moved);
    free(at);
}

static void drop(gen_state *g, gen_doc *d, double p)
{
    size_t *at = gen_alloc(d->nspans, sizeof *at), m = content_spans(d, at);
    size_t k = (size_t)(p * (double)m + 0.5);
    if (k + 2 > m) k = m > 2 ? m - 2 : 0;
    if (k == 0 && m > 2) k = 1;
    char *gone = gen_zalloc(d->nspans, 1);
    choose(g, at, m, k);
    for (size_t i = 0; i < k; i++) gone[at[i]] = 1;
    size_t w = 0;
    for (size_t i = 0; i < d->nspans; i++) {
        if (gone[i]) str_free(&d->spans[i].text);
        else d->spans[w++] = d->spans[i];
    }
    d->nspans = w;
    free(gone);
    free(at);
}

static size_t doc_chars(const gen_doc *d, int kind)
{
    size_t c = 0;
    for (size_t i = 0; i < d->nspans; i++)
        if (kind < 0 || d->spans[i].kind == kind) c += utf8_chars(d->spans[i].text.data, d->spans[i].text.len);
    return c;
}

int derive_site_count(void) { return (int)B_SITES.n; }

const char *derive_boilerplate_place(uint32_t origin, int *site)
{
    uint32_t sites = (uint32_t)B_SITES.n;
    *site = -1;
    if (origin < 2 * sites) {
        *site = (int)(origin / 2);
        return origin % 2 ? "footer" : "header";
    }
    if (origin >= LINE_ORIGINS && origin < LINE_ORIGINS + 2 * sites) {
        *site = (int)((origin - LINE_ORIGINS) / 2);
        return (origin - LINE_ORIGINS) % 2 ? "footer_line" : "header_line";
    }
    if (origin < BOILER_ORIGINS && origin >= BOILER_ORIGINS - B_TEASER_HEADINGS.n) return "teaser_heading";
    return NULL;
}

/* A short site line: each '#' of the bank's line a random digit, the first
 * of a run not 0. */
static span site_line(gen_state *g, const char *pattern, uint32_t origin)
{
    span s = {.kind = SPAN_BOILERPLATE, .origin = origin, .src_doc = NO_DOC};
    for (const char *p = pattern; *p; p++) {
        char c = *p;
        if (c == '#') {
            int first = p == pattern || p[-1] != '#';
            c = (char)('0' + (first ? 1 + gen_below(&g->rng, 9) : gen_below(&g->rng, 10)));
        }
        str_put(&s.text, &c, 1);
    }
    return s;
}

void derive_wrap_site(gen_state *g, gen_doc *d, int site)
{
    uint64_t *r = &g->rng;
    uint32_t s = (uint32_t)site;
    const char *title = d->nspans && d->spans[0].kind == SPAN_TITLE ? d->spans[0].text.data : "";
    span top[2] = {site_line(g, B_HEADER_LINES.item[s], LINE_ORIGINS + 2 * s),
                   {.kind = SPAN_BOILERPLATE, .origin = 2 * s, .src_doc = NO_DOC}};
    str_printf(&top[1].text, B_HEADERS.item[site % B_HEADERS.n], title);
    str_printf(&top[1].text, "　发布时间：20%02d-%02d-%02d %02d:%02d 阅读 %d", 15 + (int)gen_below(r, 11),
               1 + (int)gen_below(r, 12), 1 + (int)gen_below(r, 28), (int)gen_below(r, 24),
               (int)gen_below(r, 60), 100 + (int)gen_below(r, 9900));
    doc_add_span(d, SPAN_BOILERPLATE, 0); /* make room */
    doc_add_span(d, SPAN_BOILERPLATE, 0);
    memmove(d->spans + 2, d->spans, (d->nspans - 2) * sizeof *d->spans);
    d->spans[0] = top[0];
    d->spans[1] = top[1];
    span *footer = doc_add_span(d, SPAN_BOILERPLATE, 2 * s + 1);
    str_printf(&footer->text, "%s　%s", B_FOOTERS.item[site % B_FOOTERS.n],
               B_FOOTERS.item[(site + 1) % B_FOOTERS.n]);
    span bottom = site_line(g, B_FOOTER_LINES.item[s], LINE_ORIGINS + 2 * s + 1);
    *doc_add_span(d, SPAN_BOILERPLATE, 0) = bottom;
    d->site = site;
}

/* A "推荐阅读" list: the titles and openings of other reports, cut off. */
static void teasers(gen_state *g, gen_doc *d, gen_doc *const *others, size_t nothers)
{
    if (!nothers) return;
    size_t h = gen_below(&g->rng, B_TEASER_HEADINGS.n);
    span *head = doc_add_span(d, SPAN_BOILERPLATE, BOILER_ORIGINS - 1 - (uint32_t)h);
    str_puts(&head->text, B_TEASER_HEADINGS.item[h]);
    size_t count = 2 + gen_below(&g->rng, 4); /* with the copy's source: ≤ 6 sources */
    for (size_t c = 0; c < count; c++) {
        const gen_doc *x = others[gen_below(&g->rng, nothers)];
        int known = x->number == d->number;
        for (int k = 0; k < d->nsources; k++) known |= x->number == d->sources[k];
        if (known) continue; /* the copy's own source, or teased already */
        const span *first = NULL;
        size_t fi = 0;
        for (size_t i = 0; i < x->nspans && !first; i++)
            if (x->spans[i].kind == SPAN_PARAGRAPH) first = &x->spans[fi = i];
        if (!first) continue;
        size_t want = 40 + gen_below(&g->rng, 80), bytes = 0, chars = 0;
        while (bytes < first->text.len && chars < want) {
            bytes += char_len((unsigned char)first->text.data[bytes]);
            chars++;
        }
        span *t = doc_add_span(d, SPAN_TEASER, first->origin);
        str_put(&t->text, first->text.data, bytes);
        str_puts(&t->text, "……");
        t->src_doc = x->number;
        t->src_span = (uint32_t)fi;
        t->src_bytes = (uint32_t)bytes;
        t->src_chars = (uint32_t)chars; /* made normalized by main.c's emit() */
        t->transforms = 1u << T_TEASER;
        d->sources[d->nsources++] = x->number;
    }
}

static void apply_one(gen_state *g, gen_doc *d, int t, double p, gen_doc *const *others,
                      size_t nothers)
{
    switch (t) {
    case T_YEAR: {
        year_ctx c = {p, 1 + (int)gen_below(&g->rng, 10)};
        rewrite_all(g, d, t, step_year, &c);
        break;
    }
    case T_PLACE: {
        if (d->place < 0) break; /* recycled text: no known place to swap */
        int np = (int)gen_below(&g->rng, B_PLACES.n - 1), no = (int)gen_below(&g->rng, B_ORGS.n - 1);
        np += np >= d->place;
        no += no >= d->org;
        replace_ctx c = {{B_PLACES.item[d->place], B_ORGS.item[d->org]},
                         {B_PLACES.item[np], B_ORGS.item[no]}, p};
        rewrite_all(g, d, t, step_place, &c);
        break;
    }
    case T_FIGURES: rewrite_all(g, d, t, step_figures, &p); break;
    case T_SYNONYM: {
        synonym_ctx c = {p, d->number};
        rewrite_all(g, d, t, step_synonym, &c);
        break;
    }
    case T_CENSOR: rewrite_all(g, d, t, step_censor, &p); break;
    case T_CHARDROP: rewrite_all(g, d, t, step_chardrop, &p); break;
    case T_MARKERS: markers(g, d, p); break;
    case T_REORDER: reorder(g, d, p); break;
    case T_DROP: drop(g, d, p); break;
    case T_BOILERPLATE: derive_wrap_site(g, d, (int)gen_below(&g->rng, B_SITES.n)); break;
    case T_TEASER: teasers(g, d, others, nothers); break;
    default: break;
    }
}

void derive_apply(gen_state *g, gen_doc *d, int t, double intensity, gen_doc *const *others,
                  size_t nothers)
{
    d->transforms |= 1u << t;
    d->intensity = intensity;
    if (t == T_COMBINED) {
        static const int PARTS[] = {T_YEAR, T_PLACE, T_FIGURES, T_SYNONYM, T_CENSOR,
                                    T_CHARDROP, T_REORDER, T_DROP, T_MARKERS};
        const size_t np = sizeof PARTS / sizeof *PARTS;
        unsigned chosen = 0;
        size_t count = 2 + gen_below(&g->rng, 2);
        while ((size_t)__builtin_popcount(chosen) < count) chosen |= 1u << gen_below(&g->rng, np);
        for (size_t k = 0; k < np; k++) { /* in PARTS order: markers last */
            if (!(chosen & (1u << k))) continue;
            double p = intensity * (0.3 + 0.7 * gen_unit(&g->rng));
            if (PARTS[k] == T_CHARDROP) p *= 0.25;
            apply_one(g, d, PARTS[k], p, others, nothers);
            d->transforms |= 1u << PARTS[k];
        }
        return;
    }
    apply_one(g, d, t, intensity, others, nothers);
    if (t == T_BOILERPLATE) d->intensity = (double)doc_chars(d, SPAN_BOILERPLATE) / (double)doc_chars(d, -1);
    if (t == T_TEASER) d->intensity = (double)doc_chars(d, SPAN_TEASER) / (double)doc_chars(d, -1);
}

gen_doc *derive_mix(gen_state *g, uint32_t number, gen_doc *const *src, int nsrc)
{
    gen_doc *d = doc_copy(src[0], number); /* for the title and the fields */
    for (size_t i = 1; i < d->nspans; i++) str_free(&d->spans[i].text);
    d->nspans = 1;
    d->role = "mix";
    d->transforms = 1u << T_MIX;
    d->nsources = nsrc;
    for (int k = 0; k < nsrc; k++) {
        d->sources[k] = src[k]->number;
        size_t *at = gen_alloc(src[k]->nspans, sizeof *at), m = 0;
        for (size_t i = 0; i < src[k]->nspans; i++)
            if (src[k]->spans[i].kind == SPAN_PARAGRAPH) at[m++] = i;
        double share = k == 0 ? 0.3 + 0.4 * gen_unit(&g->rng) : 0.15 + 0.25 * gen_unit(&g->rng);
        size_t take = (size_t)(share * (double)m + 0.5);
        if (take < 1) take = 1;
        if (take > m) take = m;
        size_t from = gen_below(&g->rng, m - take + 1);
        for (size_t i = from; i < from + take; i++) {
            const span *s = &src[k]->spans[at[i]];
            span *c = doc_add_span(d, SPAN_PARAGRAPH, s->origin);
            str_put(&c->text, s->text.data, s->text.len);
            c->src_doc = src[k]->number;
            c->src_span = (uint32_t)at[i];
            c->src_chars = s->norm_chars ? s->norm_chars : (uint32_t)utf8_chars(s->text.data, s->text.len);
            c->transforms = 1u << T_MIX;
        }
        free(at);
    }
    /* the blocks interleaved: paragraphs shuffled, the title kept first */
    for (size_t i = d->nspans - 1; i > 1; i--) {
        size_t j = 1 + gen_below(&g->rng, i);
        span tmp = d->spans[i];
        d->spans[i] = d->spans[j];
        d->spans[j] = tmp;
    }
    return d;
}
