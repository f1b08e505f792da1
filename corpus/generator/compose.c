/*
 * compose.c — original reports written from the banks.
 *
 * A report is a title ("株洲市教育局2015年工作总结"), an opening paragraph,
 * three to five numbered sections of one to three paragraphs, and sometimes
 * a closing paragraph. Sentences join two to four clauses: the genre's
 * stock phrases (what makes unrelated reports of one genre share text),
 * content clauses built word by word from large banks (what makes each
 * report its own), figures, years, and the report's own place and office,
 * so that the copies of derive.c have something to change.
 */
#include "generator.h"

#include <stdlib.h>

static const char *const NUMERALS[] = {"一", "二", "三", "四", "五", "六", "七", "八"};

static void clause(gen_state *g, const gen_doc *d, gen_str *out)
{
    uint64_t *r = &g->rng;
    double x = gen_unit(r);
    if (x < 0.12)
        str_puts(out, bank_pick(&B_STOCK[d->genre], r));
    else if (x < 0.22)
        str_puts(out, bank_pick(&B_STOCK_COMMON, r));
    else if (x < 0.34)
        str_printf(out, bank_pick(&B_FIGURES, r), (int)(10 + gen_below(r, gen_chance(r, 0.5) ? 990 : 99990)));
    else if (x < 0.41)
        str_printf(out, bank_pick(&B_YEAR_CLAUSES, r), d->year - 1 + (int)gen_below(r, 3));
    else if (x < 0.49)
        str_puts(out, bank_pick(&B_RESULTS, r));
    else {
        double who = gen_unit(r);
        if (who < 0.10) str_puts(out, B_PLACES.item[d->place]);
        else if (who < 0.16) str_printf(out, "%s%s", B_PLACES.item[d->place], B_ORGS.item[d->org]);
        if (gen_chance(r, 0.5)) {
            str_printf(out, "%s%s%s", bank_pick(&B_ACTIONS, r), bank_pick(&B_SUBJECTS, r),
                       bank_pick(&B_OBJECTS, r));
        } else {
            str_printf(out, "%s%s%s%s", bank_pick(&B_SUBJECTS, r), bank_pick(&B_OBJECTS, r),
                       bank_pick(&B_ACTIONS, r), bank_pick(&B_OBJECTS, r));
        }
    }
}

static void sentence(gen_state *g, const gen_doc *d, gen_str *out)
{
    size_t parts = 2 + gen_below(&g->rng, 3);
    for (size_t i = 0; i < parts; i++) {
        if (i) str_puts(out, gen_chance(&g->rng, 0.85) ? "，" : "；");
        clause(g, d, out);
    }
    str_puts(out, "。");
}

static void paragraph(gen_state *g, gen_doc *d, size_t min_chars)
{
    span *s = doc_add_span(d, SPAN_PARAGRAPH, g->next_origin++);
    while (utf8_chars(s->text.data, s->text.len) < min_chars) sentence(g, d, &s->text);
}

gen_doc *compose_original(gen_state *g, uint32_t number, int genre)
{
    uint64_t *r = &g->rng;
    gen_doc *d = gen_zalloc(1, sizeof *d);
    *d = (gen_doc){.number = number, .genre = genre, .role = "original", .site = -1,
                   .place = (int)gen_below(r, B_PLACES.n), .org = (int)gen_below(r, B_ORGS.n),
                   .year = 2010 + (int)gen_below(r, 15)};
    span *title = doc_add_span(d, SPAN_TITLE, g->next_origin++);
    str_printf(&title->text, "%s%s%d年%s", B_PLACES.item[d->place], B_ORGS.item[d->org], d->year,
               B_GENRES.item[genre]);
    paragraph(g, d, 80 + gen_below(r, 120));
    size_t sections = 3 + gen_below(r, 3);
    for (size_t k = 0; k < sections; k++) {
        span *h = doc_add_span(d, SPAN_HEADING, g->next_origin++);
        str_printf(&h->text, "%s、%s", NUMERALS[k], bank_pick(&B_HEADINGS[genre], r));
        size_t paras = 1 + gen_below(r, 3);
        for (size_t p = 0; p < paras; p++) paragraph(g, d, 90 + gen_below(r, 260));
    }
    if (gen_chance(r, 0.5)) paragraph(g, d, 60 + gen_below(r, 60));
    return d;
}
