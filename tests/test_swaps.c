/*
 * test_swaps.c — learned swaps (swaps.c) and substitutions.csv as a --canon
 * table (template.c).
 *
 * The regions between aligned anchors on hand-made pairs (a word sharing a
 * character with its synonym, one whose shared character moved, one with
 * none, a deletion, changed figures); and a planted corpus: random texts
 * over 2,000 ideographs with 20 synonym pairs swapped at a rate, among
 * changed figures, place names swapped to one of 10, censored words,
 * dropped characters and page markers, each copy aligned with fw_align and
 * mined. Every pair must come back the right way round (the variant is the
 * word swapped in), with no figures or places among the rows, the same rows
 * whatever the order of feeding and the number of miners, and the CSV must
 * load as a canon table that maps every variant back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "align.h"
#include "swaps.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static fw_normalizer *nz;

/* Normalized code points of `text` in out[0, cap); their number. */
static size_t cps_of(const char *text, uint32_t *out, size_t cap)
{
    uint32_t *cps = NULL;
    size_t ccap = 0, n = 0;
    assert_int_equal(fw_normalize(nz, text, strlen(text), &cps, &ccap, &n, NULL), FW_OK);
    assert_true(n <= cap);
    memcpy(out, cps, n * sizeof *cps);
    free(cps);
    return n;
}

static char *utf8_of(const uint32_t *c, size_t n, char *buf)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) w += fw_utf8_encode(buf + w, c[i]);
    buf[w] = '\0';
    return buf;
}

/* ------------------------------------------------------------- regions */

/* The regions between x and y as "A/B A/B ...". */
static const char *regions(const char *x, const char *y, char *out)
{
    uint32_t a[256], b[256];
    size_t na = cps_of(x, a, 256), nb = cps_of(y, b, 256), lcs, nruns, cap = 0, n;
    fw_aligner al = {0};
    fw_swap_region *r = NULL;
    assert_int_equal(fw_align(&al, a, na, b, nb, &lcs, &nruns), FW_OK);
    assert_int_equal(fw_swaps_regions(a, na, b, nb, al.runs, nruns, &r, &cap, &n), FW_OK);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char p[64], q[64];
        sprintf(out + strlen(out), "%s%s/%s", i ? " " : "", utf8_of(a + r[i].a, r[i].na, p),
                utf8_of(b + r[i].b, r[i].nb, q));
    }
    free(r);
    fw_aligner_free(&al);
    return out;
}

static void test_regions(void **state)
{
    (void)state;
    char out[512];
    /* 展 aligns: one character against one, widened later by the miner */
    assert_string_equal(regions("我们要加快经济发展步伐不断前进", "我们要加快经济进展步伐不断前进", out),
                        "发/进");
    /* 能 aligns across: nothing against 才, 力 against nothing, one region */
    assert_string_equal(regions("提高干部队伍能力水平的要求", "提高干部队伍才能水平的要求", out),
                        "能力/才能");
    assert_string_equal(regions("坚持为人民服务的根本宗旨", "坚持为人民效劳的根本宗旨", out),
                        "服务/效劳");
    /* two swaps a character apart stay two */
    assert_string_equal(regions("我们今年大力加强基础设施建设工作", "我们今年大力增强根底设施建设工作",
                                out), "加/增 基础/根底");
    /* a deletion (市委 → 市**, the stars gone with punctuation) */
    assert_string_equal(regions("本月召开市委常委会议研究部署", "本月召开市**常委会议研究部署", out), "");
    /* figures and years are not swaps, in any digits */
    assert_string_equal(regions("全市在2015年投入资金631万元用于建设", "全市在２０２４年投入资金606万元用于建设",
                                out), "");
    /* a numeral changed is a figure too */
    assert_string_equal(regions("今年全市共有三所学校完成改造", "今年全市共有五所学校完成改造", out), "");
    /* a region lies between anchors */
    assert_string_equal(regions("发展经济建设", "进展经济建设", out), "");
    /* wider than FW_SWAPS_SIDE_MAX: a sentence rewritten, not a swap */
    assert_string_equal(regions("我们今年一是加强组织领导形成合力推动工作", "我们今年一是完善考核办法形成合力推动工作", out),
                        "");
}

/* ----------------------------------------------------- a planted corpus */

/* {original, what the rewriting tool writes}: some share a character in
 * place (发展/进展), some across (能力/才能), some none (服务/效劳). */
static const char *const PAIRS[20][2] = {
    {"发展", "进展"}, {"能力", "才能"}, {"服务", "效劳"}, {"积极", "踊跃"}, {"提供", "供给"},
    {"基础", "根底"}, {"安全", "平安"}, {"明显", "显著"}, {"加强", "增强"}, {"提高", "提升"},
    {"重要", "主要"}, {"情况", "状况"}, {"建设", "建立"}, {"管理", "治理"}, {"部分", "局部"},
    {"力量", "力气"}, {"继续", "连续"}, {"充分", "充足"}, {"保障", "保证"}, {"认真", "仔细"},
};
#define NPAIRS 20
/* Variants that are words of their own, also written natively. */
static const int NATIVE[] = {10, 6, 11};
static const char *const PLACES[10] = {
    "株洲市", "湘潭县", "长沙县", "衡阳市", "岳阳市", "常德市", "益阳市", "郴州市", "永州市", "怀化市",
};
static const char *const CENSORED[3] = {"市委", "政府", "领导"};

#define NIDEO 2000     /* random characters: U+4E00 + 7·i */
#define NFILL 300      /* random two-character words */
#define DOC_TOKENS 260

typedef struct word {
    uint32_t c[4];
    size_t n;
} word;

typedef struct planted {
    word pairs[NPAIRS][2], places[10], censored[3], fill[NFILL];
} planted;

typedef struct doc {
    uint32_t *c;
    size_t n, cap;
} doc;

typedef struct corpus {
    doc *docs;
    size_t ndocs;
    uint32_t (*pairs)[2]; /* aligned document pairs */
    size_t npairs;
} corpus;

/* The corpus's knobs. */
typedef struct recipe {
    double rate;           /* share of the pairs' words swapped in a copy */
    int distractors;       /* figures, places, censoring, dropped characters, markers */
    size_t sources;
} recipe;

static word word_of(const char *s)
{
    word w;
    w.n = cps_of(s, w.c, 4);
    return w;
}

static void planted_init(planted *p)
{
    for (int k = 0; k < NPAIRS; k++)
        for (int j = 0; j < 2; j++) p->pairs[k][j] = word_of(PAIRS[k][j]);
    for (int k = 0; k < 10; k++) p->places[k] = word_of(PLACES[k]);
    for (int k = 0; k < 3; k++) p->censored[k] = word_of(CENSORED[k]);
    for (int k = 0; k < NFILL; k++) {
        p->fill[k].n = 2;
        for (int j = 0; j < 2; j++) p->fill[k].c[j] = 0x4E00 + 7 * (uint32_t)(rng() % NIDEO);
    }
}

static void put_cps(doc *d, const uint32_t *c, size_t n)
{
    if (d->n + n > d->cap) {
        d->cap = (d->n + n) * 2;
        d->c = realloc(d->c, d->cap * sizeof *d->c);
        assert_non_null(d->c);
    }
    memcpy(d->c + d->n, c, n * sizeof *c);
    d->n += n;
}

static double chance(void) { return (double)(rng() >> 11) / 9007199254740992.0; }

/* A token of a source document. */
typedef struct token {
    enum { CHAR, FILLER, PAIR, NATIVE_VARIANT, FIGURE, PLACE, CENSORED_WORD } kind;
    uint32_t which;        /* the character, word, or figure */
} token;

static token source_token(int distractors)
{
    double x = chance();
    if (x < 0.12) return (token){PAIR, (uint32_t)(rng() % NPAIRS)};
    if (x < 0.125) return (token){NATIVE_VARIANT, (uint32_t)NATIVE[rng() % 3]};
    if (distractors && x < 0.155) return (token){FIGURE, (uint32_t)(rng() % 3000)};
    if (distractors && x < 0.175) return (token){PLACE, 0};
    if (distractors && x < 0.185) return (token){CENSORED_WORD, (uint32_t)(rng() % 3)};
    if (x < 0.6) return (token){FILLER, (uint32_t)(rng() % NFILL)};
    return (token){CHAR, 0x4E00 + 7 * (uint32_t)(rng() % NIDEO)};
}

/* "2015年" */
static void put_figure(doc *d, uint32_t figure)
{
    char digits[16];
    int n = snprintf(digits, sizeof digits, "%u", (unsigned)figure);
    for (int i = 0; i < n; i++) {
        uint32_t c = (uint32_t)digits[i];
        put_cps(d, &c, 1);
    }
    uint32_t year = 0x5E74;
    put_cps(d, &year, 1);
}

/* Writes a document from its tokens. A copy has the planted words swapped
 * at r->rate; with distractors also its place swapped (to `place`), half
 * its figures changed, half its censored words masked (市委 → 市**, the
 * stars gone with punctuation), 1% of its tokens losing a character, and
 * page markers ("12、" is "12" once normalized). */
static void write_doc(const planted *p, doc *d, const token *t, size_t n, int place, int copy,
                      const recipe *r)
{
    for (size_t i = 0; i < n; i++) {
        size_t before = d->n;
        const word *w = NULL;
        switch (t[i].kind) {
        case CHAR: put_cps(d, &t[i].which, 1); break;
        case FILLER: w = &p->fill[t[i].which]; break;
        case PAIR: w = &p->pairs[t[i].which][copy && chance() < r->rate]; break;
        case NATIVE_VARIANT: w = &p->pairs[t[i].which][1]; break;
        case FIGURE:
            put_figure(d, copy && chance() < 0.5 ? (uint32_t)(rng() % 3000) : t[i].which);
            break;
        case PLACE: w = &p->places[place]; break;
        case CENSORED_WORD:
            w = &p->censored[t[i].which];
            if (copy && chance() < 0.5) {
                put_cps(d, w->c, 1);
                w = NULL;
            }
            break;
        }
        if (w) put_cps(d, w->c, w->n);
        if (!copy || !r->distractors) continue;
        if (chance() < 0.01) { /* a character dropped */
            size_t at = before + (size_t)(rng() % (d->n - before));
            memmove(d->c + at, d->c + at + 1, (d->n - at - 1) * sizeof *d->c);
            d->n--;
        }
        if (chance() < 0.004) put_figure(d, 1 + (uint32_t)(rng() % 30)); /* a page marker */
    }
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->ndocs; i++) free(c->docs[i].c);
    free(c->docs);
    free(c->pairs);
    memset(c, 0, sizeof *c);
}

static void add_pair(corpus *c, size_t a, size_t b)
{
    c->pairs = realloc(c->pairs, (c->npairs + 1) * sizeof *c->pairs);
    assert_non_null(c->pairs);
    c->pairs[c->npairs][0] = (uint32_t)a;
    c->pairs[c->npairs][1] = (uint32_t)b;
    c->npairs++;
}

/* A copy of a source about `place`: with distractors, about another of
 * the ten places. */
static size_t add_copy(corpus *c, const planted *p, const token *t, size_t n, int place,
                       const recipe *r)
{
    if (r->distractors) place = (place + 1 + (int)(rng() % 9)) % 10;
    size_t me = c->ndocs++;
    write_doc(p, &c->docs[me], t, n, place, 1, r);
    return me;
}

/* Sources, then for 60% of them a copy, for a third of those a second copy
 * (a sibling: aligned with the source and with the first copy). */
static void make_corpus(corpus *c, const planted *p, const recipe *r, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    rng_state = seed;
    c->docs = calloc(3 * r->sources, sizeof *c->docs);
    assert_non_null(c->docs);
    token t[DOC_TOKENS];
    for (size_t s = 0; s < r->sources; s++) {
        int place = (int)(rng() % 10);
        for (size_t i = 0; i < DOC_TOKENS; i++) t[i] = source_token(r->distractors);
        size_t me = c->ndocs++;
        write_doc(p, &c->docs[me], t, DOC_TOKENS, place, 0, r);
        if (chance() >= 0.6) continue;
        size_t first = add_copy(c, p, t, DOC_TOKENS, place, r);
        add_pair(c, me, first);
        if (chance() >= 1.0 / 3) continue;
        size_t second = add_copy(c, p, t, DOC_TOKENS, place, r);
        add_pair(c, me, second);
        add_pair(c, first, second);
    }
}

/* Aligns the corpus's pairs and feeds those numbered offset mod every to
 * miner s, backwards when asked. */
static void feed(fw_swaps *s, const corpus *c, int backwards, size_t every, size_t offset)
{
    fw_aligner al = {0};
    for (size_t k = 0; k < c->npairs; k++) {
        size_t i = backwards ? c->npairs - 1 - k : k;
        if (i % every != offset) continue;
        const doc *a = &c->docs[c->pairs[i][0]], *b = &c->docs[c->pairs[i][1]];
        size_t lcs, nruns;
        assert_int_equal(fw_align(&al, a->c, a->n, b->c, b->n, &lcs, &nruns), FW_OK);
        assert_int_equal(fw_swaps_add(s, c->pairs[i][0], a->c, a->n, c->pairs[i][1], b->c, b->n,
                                      al.runs, nruns), FW_OK);
    }
    fw_aligner_free(&al);
}

/* Tallies every document of c into s, with `ntallies` tallies taking turns,
 * backwards when asked. */
static void tally(fw_swaps *s, const corpus *c, int ntallies, int backwards)
{
    fw_swaps_tally *t[4];
    for (int k = 0; k < ntallies; k++) assert_int_equal(fw_swaps_tally_new(s, &t[k]), FW_OK);
    for (size_t k = 0; k < c->ndocs; k++) {
        size_t i = backwards ? c->ndocs - 1 - k : k;
        fw_swaps_tally_doc(t[k % (size_t)ntallies], c->docs[i].c, c->docs[i].n);
    }
    for (int k = ntallies - 1; k >= 0; k--) {
        assert_int_equal(fw_swaps_tally_add(s, t[k]), FW_OK);
        fw_swaps_tally_free(t[k]);
    }
}

/* The planted pair a row is, or -1. */
static int pair_of(const fw_swap_row *r)
{
    for (int k = 0; k < NPAIRS; k++)
        if (!strcmp(r->variant, PAIRS[k][1]) && !strcmp(r->canonical, PAIRS[k][0])) return k;
    return -1;
}

static int has_ascii_digit(const char *s)
{
    for (; *s; s++)
        if (*s >= '0' && *s <= '9') return 1;
    return 0;
}

/* Whether a side is part of a place name (株洲/湘潭 from 株洲市/湘潭县). */
static int place_part(const char *s)
{
    for (int k = 0; k < 10; k++)
        if (strstr(PLACES[k], s)) return 1;
    return 0;
}

typedef struct score {
    int found, wrong_way, rows, false_rows, false_in_top, places, digits;
    size_t last_true;      /* rank of the last planted pair found */
} score;

static score score_rows(const fw_swap_row *rows, size_t n)
{
    score sc = {0};
    int seen[NPAIRS] = {0};
    sc.rows = (int)n;
    for (size_t i = 0; i < n; i++) {
        int k = pair_of(&rows[i]);
        if (k >= 0) {
            sc.found += !seen[k];
            seen[k] = 1;
            sc.last_true = i;
            continue;
        }
        sc.false_rows++;
        for (int j = 0; j < NPAIRS; j++)
            sc.wrong_way += !strcmp(rows[i].variant, PAIRS[j][0]) &&
                            !strcmp(rows[i].canonical, PAIRS[j][1]);
        sc.places += place_part(rows[i].variant) || place_part(rows[i].canonical);
        sc.digits += has_ascii_digit(rows[i].variant) || has_ascii_digit(rows[i].canonical);
    }
    for (size_t i = 0; i <= sc.last_true && i < n; i++) sc.false_in_top += pair_of(&rows[i]) < 0;
    return sc;
}

static void print_rows(const fw_swap_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        print_message("    %3zu %s %s -> %s  count %llu docs %llu families %llu\n", i,
                      pair_of(&rows[i]) >= 0 ? "  " : "XX", rows[i].variant, rows[i].canonical,
                      (unsigned long long)rows[i].count, (unsigned long long)rows[i].docs,
                      (unsigned long long)rows[i].families);
}

/* Mines corpus c on one miner in order, with one tally. */
static fw_swaps *mine(const corpus *c)
{
    fw_swaps *s;
    const fw_swap_row *rows;
    size_t n;
    assert_int_equal(fw_swaps_new(&s), FW_OK);
    feed(s, c, 0, 1, 0);
    assert_int_equal(fw_swaps_prepare(s, NULL), FW_OK);
    assert_int_equal(fw_swaps_finish(s, &rows, &n), FW_ERR_ARG); /* no tally yet */
    tally(s, c, 1, 0);
    return s;
}

/* Recall and precision over swap rates, with and without distractors:
 * printed for the record (swaps.c quotes them). */
static void test_rates(void **state)
{
    (void)state;
    planted p;
    rng_state = 7;
    planted_init(&p);
    const double rates[] = {0.05, 0.1, 0.3, 0.6, 0.9};
    for (int distractors = 0; distractors < 2; distractors++)
        for (size_t k = 0; k < sizeof rates / sizeof *rates; k++) {
            recipe r = {rates[k], distractors, 300};
            corpus c;
            make_corpus(&c, &p, &r, 1000 + k);
            fw_swaps *s = mine(&c);
            const fw_swap_row *rows;
            size_t n;
            assert_int_equal(fw_swaps_finish(s, &rows, &n), FW_OK);
            score sc = score_rows(rows, n);
            print_message("    rate %.2f, %s: %d/20 pairs (%d the wrong way), %d rows, %d false "
                          "(%d above the last pair; %d places, %d figures)\n",
                          r.rate, distractors ? "distractors" : "clean", sc.found, sc.wrong_way,
                          sc.rows, sc.false_rows, sc.false_in_top, sc.places, sc.digits);
            if (getenv("SWAPS_ROWS")) print_rows(rows, n);
            assert_int_equal(sc.digits, 0);
            assert_int_equal(sc.places, 0);
            if (r.rate >= 0.1) {
                assert_int_equal(sc.found, NPAIRS);
                assert_int_equal(sc.false_in_top, 0);
            }
            fw_swaps_free(s);
            corpus_free(&c);
        }
}

static int same_rows(const fw_swap_row *x, size_t nx, const fw_swap_row *y, size_t ny)
{
    if (nx != ny) return 0;
    for (size_t i = 0; i < nx; i++)
        if (strcmp(x[i].variant, y[i].variant) || strcmp(x[i].canonical, y[i].canonical) ||
            x[i].count != y[i].count || x[i].docs != y[i].docs ||
            x[i].families != y[i].families)
            return 0;
    return 1;
}

/* Writes rows as substitutions.csv (RFC 4180, CRLF). */
static void write_csv(const char *path, const fw_swap_row *rows, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("variant,canonical,count,docs\r\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s,%s,%llu,%llu\r\n", rows[i].variant, rows[i].canonical,
                (unsigned long long)rows[i].count, (unsigned long long)rows[i].docs);
    assert_int_equal(fclose(f), 0);
}

/* The same rows in reverse order of feeding, over three miners merged, with
 * the tallies split; and the CSV loads as a canon table. */
static void test_planted(void **state)
{
    (void)state;
    planted p;
    rng_state = 11;
    planted_init(&p);
    recipe r = {0.3, 1, 300};
    corpus c;
    make_corpus(&c, &p, &r, 2024);

    fw_swaps *one = mine(&c);
    const fw_swap_row *rows, *again;
    size_t n, nagain;
    assert_int_equal(fw_swaps_finish(one, &rows, &n), FW_OK);
    score sc = score_rows(rows, n);
    print_message("    %zu pairs aligned, %d/20 found, %d rows, %d false\n", c.npairs, sc.found,
                  sc.rows, sc.false_rows);
    if (sc.found != NPAIRS || sc.false_rows) print_rows(rows, n);
    assert_int_equal(sc.found, NPAIRS);
    assert_int_equal(sc.false_rows, 0);
    assert_int_equal(fw_swaps_finish(one, &again, &nagain), FW_OK); /* the same rows again */
    assert_ptr_equal(again, rows);
    assert_int_equal(nagain, n);
    assert_int_equal(fw_swaps_add(one, 0, c.docs[0].c, c.docs[0].n, 1, c.docs[1].c,
                                  c.docs[1].n, NULL, 0), FW_ERR_ARG); /* frozen */

    fw_swaps *rev;
    assert_int_equal(fw_swaps_new(&rev), FW_OK);
    feed(rev, &c, 1, 1, 0);
    assert_int_equal(fw_swaps_prepare(rev, NULL), FW_OK);
    tally(rev, &c, 2, 1);
    assert_int_equal(fw_swaps_finish(rev, &again, &nagain), FW_OK);
    assert_true(same_rows(rows, n, again, nagain));

    fw_swaps *part[3];
    for (int k = 0; k < 3; k++) {
        assert_int_equal(fw_swaps_new(&part[k]), FW_OK);
        feed(part[k], &c, k == 1, 3, (size_t)k);
    }
    assert_int_equal(fw_swaps_merge(part[2], part[0]), FW_OK);
    assert_int_equal(fw_swaps_merge(part[2], part[1]), FW_OK);
    assert_int_equal(fw_swaps_prepare(part[2], NULL), FW_OK);
    tally(part[2], &c, 3, 0);
    fw_swaps_tally *foreign;
    assert_int_equal(fw_swaps_prepare(part[0], NULL), FW_OK);
    assert_int_equal(fw_swaps_tally_new(part[0], &foreign), FW_OK);
    assert_int_equal(fw_swaps_tally_add(part[2], foreign), FW_ERR_ARG); /* another miner's */
    fw_swaps_tally_free(foreign);
    assert_int_equal(fw_swaps_finish(part[2], &again, &nagain), FW_OK);
    assert_true(same_rows(rows, n, again, nagain));

    /* substitutions.csv as a canon table: every variant maps back */
    char path[] = "/tmp/fanwen-swaps-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_csv(path, rows, n);
    fw_template *t;
    assert_int_equal(fw_template_new(0, &t), FW_OK);
    assert_int_equal(fw_template_load_canon(t, path), FW_OK);
    assert_int_equal(fw_template_canon_size(t), n);
    for (size_t i = 0; i < n; i++) {
        uint32_t v[8], *out = NULL;
        size_t nv = cps_of(rows[i].variant, v, 8), cap = 0, nout;
        char buf[64];
        assert_int_equal(fw_template_apply(t, v, nv, &out, &cap, &nout), FW_OK);
        assert_string_equal(utf8_of(out, nout, buf), rows[i].canonical);
        free(out);
    }
    fw_template_free(t);
    unlink(path);

    fw_swaps_free(one);
    fw_swaps_free(rev);
    for (int k = 0; k < 3; k++) fw_swaps_free(part[k]);
    corpus_free(&c);
}

/* Hand-made spans: a one-character region becomes the word around it
 * (发展, not 快发), two swaps side by side are two rows, not their
 * compound, and a place name swapped to many others is no row. */
static void test_expansions_and_compounds(void **state)
{
    (void)state;
    static const char *const SPANS[][2] = {
        {"我们要加快经济发展步伐不断前进", "我们要加快经济进展步伐不断前进"},
        {"推动文化事业繁荣发展取得成效", "推动文化事业繁荣进展取得成效"},
        {"促进全县教育均衡发展的目标任务", "促进全县教育均衡进展的目标任务"},
        {"今年重点抓好建设项目落地见效", "今年重点抓好建立工程落地见效"},
        {"全力推进交通建设项目开工建设", "全力推进交通建立工程开工建设"},
        {"水利建设方面取得突破性进展", "水利建立方面取得突破性进展"},
        {"城乡基础设施建设步伐加快推进", "城乡基础设施建立步伐加快推进"},
        {"这个项目的前期工作已经完成", "这个工程的前期工作已经完成"},
        {"认真做好重点项目的跟踪服务", "认真做好重点工程的跟踪服务"},
        {"今天上午在株洲市召开全市工作会议", "今天上午在湘潭市召开全市工作会议"},
        {"昨天下午在株洲市召开全市工作会议", "昨天下午在湘潭市召开全市工作会议"},
        {"今天上午在湘潭市召开全市工作会议", "今天上午在常德市召开全市工作会议"},
        {"昨天下午在湘潭市召开全市工作会议", "昨天下午在常德市召开全市工作会议"},
        {"今天上午在常德市召开全市工作会议", "今天上午在怀化市召开全市工作会议"},
        {"昨天下午在常德市召开全市工作会议", "昨天下午在怀化市召开全市工作会议"},
        {"今天上午在怀化市召开全市工作会议", "今天上午在株洲市召开全市工作会议"},
        {"昨天下午在怀化市召开全市工作会议", "昨天下午在株洲市召开全市工作会议"},
    };
    const size_t nspans = sizeof SPANS / sizeof *SPANS;
    fw_swaps *s;
    fw_aligner al = {0};
    assert_int_equal(fw_swaps_new(&s), FW_OK);
    for (size_t i = 0; i < nspans; i++) {
        uint32_t a[64], b[64];
        size_t na = cps_of(SPANS[i][0], a, 64), nb = cps_of(SPANS[i][1], b, 64), lcs, nruns;
        assert_int_equal(fw_align(&al, a, na, b, nb, &lcs, &nruns), FW_OK);
        assert_int_equal(fw_swaps_add(s, (uint32_t)(2 * i), a, na, (uint32_t)(2 * i + 1), b, nb,
                                      al.runs, nruns), FW_OK);
    }
    fw_aligner_free(&al);
    fw_swaps_options o;
    fw_swaps_options_default(&o);
    o.min_families = 2; /* a toy corpus */
    assert_int_equal(fw_swaps_prepare(s, &o), FW_OK);
    /* a corpus where the originals are the common words */
    fw_swaps_tally *t;
    assert_int_equal(fw_swaps_tally_new(s, &t), FW_OK);
    for (size_t i = 0; i < nspans; i++) {
        uint32_t a[64];
        size_t na = cps_of(SPANS[i][0], a, 64);
        fw_swaps_tally_doc(t, a, na);
    }
    assert_int_equal(fw_swaps_tally_add(s, t), FW_OK);
    fw_swaps_tally_free(t);
    const fw_swap_row *rows;
    size_t n;
    assert_int_equal(fw_swaps_finish(s, &rows, &n), FW_OK);
    if (n != 3) print_rows(rows, n);
    /* 进展 → 发展 three times, never 快进 or 荣进; 建设项目 → 建立工程 is
     * 建立 → 建设 and 工程 → 项目, not 立工程; each place is swapped with
     * two others, as often with one as with the other: no rows */
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].variant, "进展");
    assert_string_equal(rows[0].canonical, "发展");
    assert_int_equal(rows[0].count, 3);
    assert_int_equal(rows[0].docs, 3);
    assert_int_equal(rows[0].families, 3);
    assert_string_equal(rows[1].variant, "工程");
    assert_string_equal(rows[1].canonical, "项目");
    assert_int_equal(rows[1].count, 2);
    assert_string_equal(rows[2].variant, "建立");
    assert_string_equal(rows[2].canonical, "建设");
    assert_int_equal(rows[2].count, 2);
    fw_swaps_free(s);
}

/* ------------------------------------------------ CSV canon tables */

static fw_status load(const char *text, fw_template **t)
{
    char path[] = "/tmp/fanwen-canon-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(fw_template_new(0, t), FW_OK);
    fw_status st = fw_template_load_canon(*t, path);
    unlink(path);
    return st;
}

static const char *templated(const fw_template *t, const char *text, char *buf)
{
    uint32_t c[256], *out = NULL;
    size_t n = cps_of(text, c, 256), cap = 0, nout;
    assert_int_equal(fw_template_apply(t, c, n, &out, &cap, &nout), FW_OK);
    utf8_of(out, nout, buf);
    free(out);
    return buf;
}

static void test_canon_csv(void **state)
{
    (void)state;
    fw_template *t;
    char buf[256];
    /* quoted fields, "" escapes, a line break inside quotes, LF and CRLF,
     * a blank line, a byte order mark, more than two fields */
    assert_int_equal(load("\xEF\xBB\xBFvariant,canonical,count,docs\r\n"
                          "进展,发展,10,3\r\n"
                          "\"根底\",\"基础\",5,2\n"
                          "\r\n"
                          "\"效,劳\",\"服\"\"务\",1,1\r\n"
                          "\"踊\r\n跃\",积极\n"
                          "仔细,认真",
                          &t), FW_OK);
    assert_int_equal(fw_template_canon_size(t), 5);
    assert_string_equal(templated(t, "根底进展效劳踊跃仔细", buf), "基础发展服务积极认真");
    fw_template_free(t);

    assert_int_equal(load("variant,canonical\n进展,发展\n根\"底,基础\n", &t), FW_ERR_FORMAT);
    assert_non_null(strstr(fw_template_error(t), ":3: quote inside an unquoted field"));
    fw_template_free(t);
    assert_int_equal(load("variant,canonical\n\"进展\"x,发展\n", &t), FW_ERR_FORMAT);
    assert_non_null(strstr(fw_template_error(t), ":2: text after a closing quote"));
    fw_template_free(t);
    assert_int_equal(load("variant,canonical\n进展,发展\n\"根底,基础\n", &t), FW_ERR_FORMAT);
    assert_non_null(strstr(fw_template_error(t), ":3: quoted field not closed"));
    fw_template_free(t);
    assert_int_equal(load("variant,canonical\r\n进展\r\n", &t), FW_ERR_FORMAT);
    assert_non_null(strstr(fw_template_error(t), ":2: expected comma-separated fields"));
    fw_template_free(t);
    assert_int_equal(load("variant,canonical\n，,发展\n", &t), FW_ERR_FORMAT); /* empty variant */
    assert_non_null(strstr(fw_template_error(t), ":2: variant"));
    fw_template_free(t);
    /* without the header it is TSV, as before */
    assert_int_equal(load("进展,发展\n", &t), FW_ERR_FORMAT);
    assert_non_null(strstr(fw_template_error(t), ":1: expected two tab-separated fields"));
    fw_template_free(t);
    assert_int_equal(load("# variant\tcanonical\n进展\t发展\n", &t), FW_OK);
    assert_string_equal(templated(t, "进展", buf), "发展");
    fw_template_free(t);
}

static int setup(void **state) { (void)state; return fw_normalizer_new(&nz) == FW_OK ? 0 : -1; }
static int teardown(void **state) { (void)state; fw_normalizer_free(nz); return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_expansions_and_compounds),
        cmocka_unit_test(test_planted),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_canon_csv),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
