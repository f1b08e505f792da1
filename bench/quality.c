/*
 * quality.c — fanwen-quality: scores fanwen's reports against the ground
 * truth of a corpus written by fanwen-corpus (corpus/generator/).
 *
 *   fanwen-quality --truth DIR/truth --out quality.csv \
 *       --documents RUN THRESHOLD REPORT ...   pairs.csv vs exact Jaccard
 *       --detection RUN REPORT ...             which copies are caught (in
 *                                              pairs.csv; in one passage
 *                                              group; by spans.csv), by
 *                                              transform and intensity
 *       --passages RUN REPORT ...              passages.csv, spans.csv,
 *                                              reuse.csv, boilerplate.csv
 *                                              and substitutions.csv vs
 *                                              provenance
 *
 * Every number is a count over the truth, never an estimate: a reported
 * pair is right when its exact Jaccard is ≥ the threshold; a copied span is
 * found when one passage group holds a passage overlapping its range in
 * each document (by half the shorter of the two, so a passage that only
 * touches the range's edge does not count: "within one passage boundary"),
 * or, from spans.csv, when one reused span between the two documents covers
 * half of its bytes on each side; a group is right when all its members
 * descend from one original span; a reported span byte is right when the
 * truth says the other document holds the text it lies in. bench/README.md
 * defines each measure and its denominator.
 *
 * The reports of older builds lack spans.csv, substitutions.csv and the
 * kind column of boilerplate.csv: the measures that need them say so
 * ("no spans.csv") and the rest are scored as before.
 *
 * quality.csv has one row per measure:
 *   section,run,metric,group,bin,threshold,count,matched,value
 * (value = matched / count, or the error for share_error_*). A summary in
 * Markdown goes to standard output.
 */
#include "csv.h"

#include <fanwen.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOILERPLATE_DOCS 20 /* fanwen's --boilerplate-docs: fewer cannot be found */
#define REUSE_MIN 0.3       /* fanwen's --reuse-min: reuse.csv lists pairs from there */
#define TOP_SUBSTITUTIONS 100
#define TEASER_TAIL 6       /* the "……" a teaser ends with, in bytes */

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fanwen-quality: %s %s\n", what, path);
    exit(1);
}

static void *xalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) die("out of memory", "");
    return p;
}

static void *xgrow(void *p, size_t count, size_t size)
{
    p = realloc(p, (count ? count : 1) * size);
    if (!p) die("out of memory", "");
    return p;
}

/* ---- tables ---------------------------------------------------------------- */

typedef struct table {
    csv_table t;
    char path[4200];
} table;

/* Reads DIR/NAME; 0 when there is no such file (and `optional`). */
static int load_file(table *tb, const char *dir, const char *name, int optional)
{
    snprintf(tb->path, sizeof tb->path, "%s/%s", dir, name);
    if (!csv_read(tb->path, &tb->t) || tb->t.rows == 0) {
        if (optional) return 0;
        die("cannot read", tb->path);
    }
    return 1;
}

static void load(table *tb, const char *dir, const char *name) { load_file(tb, dir, name, 0); }

/* The column named `name`, or SIZE_MAX. */
static size_t col_opt(const table *tb, const char *name)
{
    for (size_t c = 0; c < tb->t.cols; c++)
        if (strcmp(tb->t.cell[0][c], name) == 0) return c;
    return SIZE_MAX;
}

static size_t col(const table *tb, const char *name)
{
    size_t c = col_opt(tb, name);
    if (c == SIZE_MAX) die("no column", name);
    return c;
}

static const char *cell(const table *tb, size_t row, size_t c) { return tb->t.cell[row][c]; }
static uint32_t cell_u32(const table *tb, size_t row, size_t c) { return (uint32_t)strtoul(cell(tb, row, c), NULL, 10); }

/* fanwen-corpus ids are d0000042 or d0000042.txt: the number is the index */
static uint32_t doc_number(const char *id) { return (uint32_t)strtoul(id + 1, NULL, 10); }

static uint64_t pair_of(uint32_t x, uint32_t y) { return x < y ? (uint64_t)x << 32 | y : (uint64_t)y << 32 | x; }
static uint64_t pair_key(const char *a, const char *b) { return pair_of(doc_number(a), doc_number(b)); }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct key_set {
    uint64_t *k;
    size_t n;
} key_set;

static void keys_sort(key_set *s) { qsort(s->k, s->n, sizeof *s->k, cmp_u64); }
static int keys_has(const key_set *s, uint64_t k) { return bsearch(&k, s->k, s->n, sizeof k, cmp_u64) != NULL; }

static uint32_t overlap(uint32_t s, uint32_t e, uint32_t rs, uint32_t re)
{
    uint32_t lo = s > rs ? s : rs, hi = e < re ? e : re;
    return hi > lo ? hi - lo : 0;
}

/* ---- texts compared as fanwen compares them -------------------------------- */

/* Normalized code points (fw_normalize: NFKC, case folded, Z, P and C
 * dropped), each run of digits folded to one 0 when `fold_digits`: the key
 * fanwen counts short lines by. */
typedef struct text_key {
    uint32_t *cp;
    size_t n;
} text_key;

static fw_normalizer *normalizer;

static text_key text_key_of(const char *s, int fold_digits)
{
    uint32_t *out = NULL;
    size_t cap = 0, n = 0;
    if (fw_normalize(normalizer, s, strlen(s), &out, &cap, &n, NULL) != FW_OK) die("cannot normalize", s);
    size_t w = 0;
    int in_run = 0;
    for (size_t i = 0; i < n; i++) {
        int digit = fold_digits && out[i] >= '0' && out[i] <= '9';
        if (!(digit && in_run)) out[w++] = digit ? '0' : out[i];
        in_run = digit;
    }
    return (text_key){out, w};
}

static int text_key_eq(text_key a, text_key b) { return a.n == b.n && memcmp(a.cp, b.cp, a.n * sizeof *a.cp) == 0; }

/* ---- the truth ------------------------------------------------------------- */

typedef struct truth_pair {
    uint64_t key;
    double jaccard, copied_a, copied_b, aligned_a, aligned_b, intensity;
    int shares;         /* shares copied text (not incidental) */
    char group[48];     /* what made the pair: year, combined, mix, siblings, ... */
} truth_pair;

enum { K_CONTENT, K_TEASER, K_BOILER };

typedef struct span_row {
    uint32_t start, end, origin, chars;
    int kind;
} span_row;

/* A row of the truth's passages.csv (a copied span), found by its pair. */
typedef struct copied_ref {
    uint64_t key;
    uint32_t row;
} copied_ref;

typedef struct site_text {  /* a row of the truth's boilerplate.csv */
    text_key key;
    int line;               /* a short line (header_line, footer_line) */
    uint32_t docs;
} site_text;

typedef struct swap {       /* a row of the truth's synonyms.csv */
    text_key canonical, variant;
    int builtin;
    uint64_t swaps;
} swap;

typedef struct truth {
    truth_pair *pairs;  /* sorted by key */
    size_t npairs;
    size_t ndocs;
    span_row **spans;   /* per document */
    size_t *nspans;
    uint32_t *origin_docs; /* documents holding each boilerplate origin (< 64) */
    uint64_t *origin_chars; /* and their normalized characters, summed */
    table passages;
    copied_ref *copied; /* passages.csv rows by pair */
    site_text *site;    /* NULL: no boilerplate.csv (an older generator) */
    size_t nsite;
    swap *swaps;        /* NULL: no synonyms.csv */
    size_t nswaps;
} truth;

static int cmp_truth_pair(const void *a, const void *b)
{
    return cmp_u64(&((const truth_pair *)a)->key, &((const truth_pair *)b)->key);
}

static const truth_pair *truth_find(const truth *t, uint64_t key)
{
    truth_pair probe = {.key = key};
    return bsearch(&probe, t->pairs, t->npairs, sizeof probe, cmp_truth_pair);
}

static int cmp_copied_ref(const void *a, const void *b)
{
    const copied_ref *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static void truth_load_pairs(truth *t, const char *dir)
{
    table p;
    load(&p, dir, "pairs.csv");
    size_t ca = col(&p, "id_a"), cb = col(&p, "id_b"), cj = col(&p, "jaccard"),
           cca = col(&p, "copied_a"), ccb = col(&p, "copied_b"), cr = col(&p, "relation"),
           ct = col(&p, "transform"), ci = col(&p, "intensity");
    /* aligned_a/b: from a generator that measures them; else the copied shares */
    size_t cla = col_opt(&p, "aligned_a"), clb = col_opt(&p, "aligned_b");
    if (cla == SIZE_MAX || clb == SIZE_MAX) cla = cca, clb = ccb;
    t->npairs = p.t.rows - 1;
    t->pairs = xalloc(t->npairs, sizeof *t->pairs);
    for (size_t r = 1; r < p.t.rows; r++) {
        truth_pair *tp = &t->pairs[r - 1];
        tp->key = pair_key(cell(&p, r, ca), cell(&p, r, cb));
        tp->jaccard = atof(cell(&p, r, cj));
        tp->copied_a = atof(cell(&p, r, cca));
        tp->copied_b = atof(cell(&p, r, ccb));
        tp->aligned_a = atof(cell(&p, r, cla));
        tp->aligned_b = atof(cell(&p, r, clb));
        tp->intensity = *cell(&p, r, ci) ? atof(cell(&p, r, ci)) : -1;
        const char *rel = cell(&p, r, cr), *tr = cell(&p, r, ct);
        tp->shares = strcmp(rel, "incidental") != 0;
        if (strcmp(rel, "copy") != 0) snprintf(tp->group, sizeof tp->group, "%s", rel);
        else if (strstr(tr, "combined")) snprintf(tp->group, sizeof tp->group, "combined");
        else snprintf(tp->group, sizeof tp->group, "%s", tr);
    }
    qsort(t->pairs, t->npairs, sizeof *t->pairs, cmp_truth_pair);
    csv_free(&p.t);
}

static void truth_load_spans(truth *t, const char *dir)
{
    table s;
    load(&s, dir, "spans.csv");
    size_t si = col(&s, "id"), ss = col(&s, "byte_start"), se = col(&s, "byte_end"),
           so = col(&s, "origin"), sk = col(&s, "kind"), sc = col(&s, "chars");
    t->spans = xalloc(t->ndocs, sizeof *t->spans);
    t->nspans = xalloc(t->ndocs, sizeof *t->nspans);
    t->origin_docs = xalloc(64, sizeof *t->origin_docs);
    t->origin_chars = xalloc(64, sizeof *t->origin_chars);
    for (size_t r = 1; r < s.t.rows; r++) {
        uint32_t doc = doc_number(cell(&s, r, si));
        if (doc >= t->ndocs) die("unknown document in", s.path);
        t->spans[doc] = xgrow(t->spans[doc], t->nspans[doc] + 1, sizeof **t->spans);
        span_row *sp = &t->spans[doc][t->nspans[doc]++];
        const char *kind = cell(&s, r, sk);
        *sp = (span_row){cell_u32(&s, r, ss), cell_u32(&s, r, se), cell_u32(&s, r, so), cell_u32(&s, r, sc),
                         !strcmp(kind, "boilerplate") ? K_BOILER : !strcmp(kind, "teaser") ? K_TEASER : K_CONTENT};
        if (sp->origin < 64) {
            t->origin_docs[sp->origin]++;
            t->origin_chars[sp->origin] += sp->chars;
        }
    }
    csv_free(&s.t);
}

static void truth_load_copied(truth *t, const char *dir)
{
    load(&t->passages, dir, "passages.csv");
    const table *tp = &t->passages;
    size_t ca = col(tp, "id_a"), cb = col(tp, "id_b");
    t->copied = xalloc(tp->t.rows, sizeof *t->copied);
    for (size_t r = 1; r < tp->t.rows; r++)
        t->copied[r - 1] = (copied_ref){pair_key(cell(tp, r, ca), cell(tp, r, cb)), (uint32_t)r};
    qsort(t->copied, tp->t.rows - 1, sizeof *t->copied, cmp_copied_ref);
}

/* boilerplate.csv and synonyms.csv: written by newer generators only. */
static void truth_load_extras(truth *t, const char *dir)
{
    table b, s;
    if (load_file(&b, dir, "boilerplate.csv", 1)) {
        size_t cp = col(&b, "place"), cd = col(&b, "docs"), ct = col(&b, "text");
        t->site = xalloc(b.t.rows, sizeof *t->site);
        for (size_t r = 1; r < b.t.rows; r++) {
            const char *place = cell(&b, r, cp);
            t->site[t->nsite++] = (site_text){text_key_of(cell(&b, r, ct), 1), strstr(place, "_line") != NULL,
                                              cell_u32(&b, r, cd)};
        }
        csv_free(&b.t);
    }
    if (load_file(&s, dir, "synonyms.csv", 1)) {
        size_t cc = col(&s, "canonical"), cv = col(&s, "variant"), cb = col(&s, "in_template_table"),
               cs = col(&s, "swaps");
        t->swaps = xalloc(s.t.rows, sizeof *t->swaps);
        for (size_t r = 1; r < s.t.rows; r++)
            t->swaps[t->nswaps++] = (swap){text_key_of(cell(&s, r, cc), 0), text_key_of(cell(&s, r, cv), 0),
                                           atoi(cell(&s, r, cb)), strtoull(cell(&s, r, cs), NULL, 10)};
        csv_free(&s.t);
    }
}

static void truth_load(truth *t, const char *dir)
{
    table d;
    load(&d, dir, "documents.csv");
    t->ndocs = d.t.rows - 1;
    csv_free(&d.t);
    truth_load_pairs(t, dir);
    truth_load_spans(t, dir);
    truth_load_copied(t, dir);
    truth_load_extras(t, dir);
}

/* The bytes of truth span `x` (of some document) that the document `other`
 * also holds: the whole span when `other` has a span of the same origin,
 * only the quoted prefix when either of them is a teaser; `skip` is x
 * itself when `other` is x's own document. Site boilerplate is no copied
 * text, unless `boiler_ok` and `other` shows the same site text. */
static uint32_t copied_bytes(const truth *t, const span_row *x, uint32_t other, const span_row *skip,
                             int boiler_ok)
{
    uint32_t len = x->end - x->start, best = 0;
    if (x->kind == K_TEASER) len = len > TEASER_TAIL ? len - TEASER_TAIL : 0;
    for (size_t i = 0; i < t->nspans[other]; i++) {
        const span_row *y = &t->spans[other][i];
        if (y == skip || y->origin != x->origin) continue;
        if (x->kind == K_BOILER || y->kind == K_BOILER) {
            if (boiler_ok && x->kind == K_BOILER && y->kind == K_BOILER) return x->end - x->start;
            continue;
        }
        uint32_t n = len;
        if (y->kind == K_TEASER) {
            uint32_t quoted = y->end - y->start > TEASER_TAIL ? y->end - y->start - TEASER_TAIL : 0;
            if (quoted < n) n = quoted;
        }
        if (n > best) best = n;
    }
    return best;
}

/* ---- output ------------------------------------------------------------------ */

static FILE *out_csv;

static void row(const char *section, const char *run, const char *metric, const char *group,
                const char *bin, double threshold, size_t count, size_t matched, double value)
{
    fprintf(out_csv, "%s,%s,%s,%s,%s,", section, run, metric, group, bin);
    if (threshold > 0) fprintf(out_csv, "%.2f", threshold);
    fprintf(out_csv, ",%zu,%zu,", count, matched);
    if (isnan(value)) fputs("\r\n", out_csv);
    else fprintf(out_csv, "%.6f\r\n", value);
}

static double ratio(size_t a, size_t b) { return b ? (double)a / (double)b : NAN; }

/* matched / count with four decimals, or "-" for nothing counted. */
static const char *shown(char buf[32], size_t matched, size_t count)
{
    if (!count) return "-";
    snprintf(buf, 32, "%.4f", ratio(matched, count));
    return buf;
}

/* ---- documents: pairs.csv against exact Jaccard ----------------------------- */

#define MAX_GROUPS 32

typedef struct group_count {
    char name[48];
    size_t truth, found, reported, right, spans;
} group_count;

static group_count *group_of(group_count *g, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(g[i].name, name) == 0) return &g[i];
    if (*n == MAX_GROUPS) return &g[MAX_GROUPS - 1];
    g[*n] = (group_count){0};
    snprintf(g[*n].name, sizeof g[*n].name, "%s", name);
    return &g[(*n)++];
}

static void documents(const truth *t, const char *run, double threshold, const char *report)
{
    table p;
    load(&p, report, "pairs.csv");
    size_t ca = col(&p, "id_a"), cb = col(&p, "id_b");
    key_set rep = {xalloc(p.t.rows, sizeof(uint64_t)), 0};
    group_count g[MAX_GROUPS] = {{"all", 0, 0, 0, 0, 0}};
    size_t ng = 1;
    for (size_t r = 1; r < p.t.rows; r++) {
        uint64_t k = pair_key(cell(&p, r, ca), cell(&p, r, cb));
        rep.k[rep.n++] = k;
        const truth_pair *tp = truth_find(t, k);
        group_count *gr = group_of(g, &ng, tp ? tp->group : "unrelated");
        int right = tp && tp->jaccard >= threshold;
        gr->reported++, g[0].reported++;
        gr->right += right, g[0].right += right;
    }
    keys_sort(&rep);
    for (size_t i = 0; i < t->npairs; i++) {
        const truth_pair *tp = &t->pairs[i];
        if (tp->jaccard < threshold) continue;
        group_count *gr = group_of(g, &ng, tp->group);
        int found = keys_has(&rep, tp->key);
        gr->truth++, g[0].truth++;
        gr->found += found, g[0].found += found;
    }
    for (size_t i = 0; i < ng; i++) {
        row("documents", run, "recall", g[i].name, "", threshold, g[i].truth, g[i].found,
            ratio(g[i].found, g[i].truth));
        row("documents", run, "precision", g[i].name, "", threshold, g[i].reported, g[i].right,
            ratio(g[i].right, g[i].reported));
    }
    printf("| %s | %.1f | %zu | %zu | %.4f | %.4f |\n", run, threshold, g[0].truth, g[0].reported,
           ratio(g[0].found, g[0].truth), ratio(g[0].right, g[0].reported));
    free(rep.k);
    csv_free(&p.t);
}

/* ---- what a report says about passages, spans and boilerplate --------------- */

typedef struct passage_row {
    uint32_t start, end, group;
} passage_row;

typedef struct reused_span {  /* a row of spans.csv */
    uint64_t key;
    uint32_t a, b, as, ae, bs, be;
} reused_span;

typedef struct line_row {     /* a kind=line row of boilerplate.csv */
    text_key key;
    uint32_t docs;
    char text[256];     /* 80 characters at most */
} line_row;

typedef struct reported {
    passage_row **by_doc;
    size_t *n;
    size_t ndocs, groups;
    key_set boiler;     /* the passage groups boilerplate.csv names */
    int has_kind;       /* boilerplate.csv has the kind column */
    line_row *lines;
    size_t nlines;
    reused_span *spans; /* sorted by key; NULL: no spans.csv */
    size_t nspans;
} reported;

static int cmp_reused_span(const void *a, const void *b)
{
    return cmp_u64(&((const reused_span *)a)->key, &((const reused_span *)b)->key);
}

static void reported_load_spans(reported *rp, const char *report)
{
    table s;
    if (!load_file(&s, report, "spans.csv", 1)) return;
    size_t ca = col(&s, "id_a"), cas = col(&s, "a_start"), cae = col(&s, "a_end"), cb = col(&s, "id_b"),
           cbs = col(&s, "b_start"), cbe = col(&s, "b_end");
    rp->spans = xalloc(s.t.rows, sizeof *rp->spans);
    for (size_t r = 1; r < s.t.rows; r++) {
        reused_span *x = &rp->spans[rp->nspans++];
        x->a = doc_number(cell(&s, r, ca));
        x->b = doc_number(cell(&s, r, cb));
        if (x->a >= rp->ndocs || x->b >= rp->ndocs) die("unknown document in", s.path);
        x->key = pair_of(x->a, x->b);
        x->as = cell_u32(&s, r, cas), x->ae = cell_u32(&s, r, cae);
        x->bs = cell_u32(&s, r, cbs), x->be = cell_u32(&s, r, cbe);
    }
    qsort(rp->spans, rp->nspans, sizeof *rp->spans, cmp_reused_span);
    csv_free(&s.t);
}

/* boilerplate.csv: `group,docs,chars,text`, or `kind,group,docs,chars,text`
 * with kind `line` or `passage` (line groups are numbered apart). */
static void reported_load_boilerplate(reported *rp, const char *report)
{
    table p;
    load(&p, report, "boilerplate.csv");
    size_t ck = col_opt(&p, "kind"), cg = col(&p, "group"), cd = col(&p, "docs"), ct = col(&p, "text");
    rp->has_kind = ck != SIZE_MAX;
    rp->boiler = (key_set){xalloc(p.t.rows, sizeof(uint64_t)), 0};
    rp->lines = xalloc(p.t.rows, sizeof *rp->lines);
    for (size_t r = 1; r < p.t.rows; r++) {
        if (!rp->has_kind || strcmp(cell(&p, r, ck), "line") != 0) {
            rp->boiler.k[rp->boiler.n++] = (uint64_t)atol(cell(&p, r, cg));
            continue;
        }
        line_row *l = &rp->lines[rp->nlines++];
        l->key = text_key_of(cell(&p, r, ct), 1);
        l->docs = cell_u32(&p, r, cd);
        snprintf(l->text, sizeof l->text, "%s", cell(&p, r, ct));
    }
    keys_sort(&rp->boiler);
    csv_free(&p.t);
}

static void reported_load(reported *rp, size_t ndocs, const char *report)
{
    table p;
    load(&p, report, "passages.csv");
    size_t cg = col(&p, "group"), ci = col(&p, "id"), cs = col(&p, "byte_start"), ce = col(&p, "byte_end");
    *rp = (reported){.by_doc = xalloc(ndocs, sizeof *rp->by_doc), .n = xalloc(ndocs, sizeof *rp->n), .ndocs = ndocs};
    for (size_t r = 1; r < p.t.rows; r++) {
        uint32_t doc = doc_number(cell(&p, r, ci)), group = cell_u32(&p, r, cg);
        if (doc >= ndocs) die("unknown document in", p.path);
        rp->by_doc[doc] = xgrow(rp->by_doc[doc], rp->n[doc] + 1, sizeof **rp->by_doc);
        rp->by_doc[doc][rp->n[doc]++] = (passage_row){cell_u32(&p, r, cs), cell_u32(&p, r, ce), group};
        if (group > rp->groups) rp->groups = group;
    }
    csv_free(&p.t);
    reported_load_boilerplate(rp, report);
    reported_load_spans(rp, report);
}

static void reported_free(reported *rp)
{
    for (size_t d = 0; d < rp->ndocs; d++) free(rp->by_doc[d]);
    free(rp->by_doc);
    free(rp->n);
    free(rp->boiler.k);
    for (size_t i = 0; i < rp->nlines; i++) free(rp->lines[i].key.cp);
    free(rp->lines);
    free(rp->spans);
}

/* Do two documents have passages in one group (boilerplate left out, as
 * reuse.csv leaves it out)? */
static int share_group(const reported *rp, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < rp->n[a]; i++) {
        uint32_t g = rp->by_doc[a][i].group;
        if (keys_has(&rp->boiler, g)) continue;
        for (size_t j = 0; j < rp->n[b]; j++)
            if (rp->by_doc[b][j].group == g) return 1;
    }
    return 0;
}

/* A reported passage covers a range when they overlap by at least half the
 * shorter of the two. */
static int covers(uint32_t s, uint32_t e, uint32_t rs, uint32_t re)
{
    uint32_t shorter = e - s < re - rs ? e - s : re - rs;
    uint32_t o = overlap(s, e, rs, re);
    return o > 0 && 2 * o >= shorter;
}

static int found_together(const reported *rp, uint32_t a, uint32_t as, uint32_t ae, uint32_t b,
                          uint32_t bs, uint32_t be)
{
    for (size_t i = 0; i < rp->n[a]; i++) {
        const passage_row *x = &rp->by_doc[a][i];
        if (!covers(as, ae, x->start, x->end)) continue;
        for (size_t j = 0; j < rp->n[b]; j++) {
            const passage_row *y = &rp->by_doc[b][j];
            if (y->group == x->group && covers(bs, be, y->start, y->end)) return 1;
        }
    }
    return 0;
}

/* spans.csv's rows pairing a and b, as [*first, *end). */
static void spans_of_pair(const reported *rp, uint32_t a, uint32_t b, size_t *first, size_t *end)
{
    uint64_t key = pair_of(a, b);
    size_t lo = 0, hi = rp->nspans;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rp->spans[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    *first = lo;
    while (lo < rp->nspans && rp->spans[lo].key == key) lo++;
    *end = lo;
}

/* The spans.csv rule: a copied span (bytes [as, ae) of a, [bs, be) of b,
 * a != b) is found when one reused span between a and b covers at least
 * half of its bytes on a's side and half on b's side. */
static int found_in_spans(const reported *rp, uint32_t a, uint32_t as, uint32_t ae, uint32_t b,
                          uint32_t bs, uint32_t be)
{
    size_t i, end;
    spans_of_pair(rp, a, b, &i, &end);
    for (; i < end; i++) {
        const reused_span *x = &rp->spans[i];
        if (x->a == x->b) continue;
        int straight = x->a == a;
        uint32_t xas = straight ? x->as : x->bs, xae = straight ? x->ae : x->be;
        uint32_t xbs = straight ? x->bs : x->as, xbe = straight ? x->be : x->ae;
        if (2 * overlap(as, ae, xas, xae) >= ae - as && 2 * overlap(bs, be, xbs, xbe) >= be - bs) return 1;
    }
    return 0;
}

/* The truth's copied spans between two documents: is one found in spans.csv? */
static int pair_found_in_spans(const truth *t, const reported *rp, uint64_t key)
{
    const table *tp = &t->passages;
    size_t ca = col(tp, "id_a"), cas = col(tp, "a_start"), cae = col(tp, "a_end"), cb = col(tp, "id_b"),
           cbs = col(tp, "b_start"), cbe = col(tp, "b_end");
    size_t n = tp->t.rows - 1, lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->copied[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < n && t->copied[lo].key == key; lo++) {
        size_t r = t->copied[lo].row;
        if (found_in_spans(rp, doc_number(cell(tp, r, ca)), cell_u32(tp, r, cas), cell_u32(tp, r, cae),
                           doc_number(cell(tp, r, cb)), cell_u32(tp, r, cbs), cell_u32(tp, r, cbe)))
            return 1;
    }
    return 0;
}

/* ---- detection: is each copy caught, by transform and intensity ------------ */

#define BINS 10

static void detection(const truth *t, const char *run, const char *report)
{
    table p;
    load(&p, report, "pairs.csv");
    key_set pairs = {xalloc(p.t.rows, sizeof(uint64_t)), 0};
    for (size_t r = 1; r < p.t.rows; r++) pairs.k[pairs.n++] = pair_key(cell(&p, r, 0), cell(&p, r, 1));
    keys_sort(&pairs);
    reported rp;
    reported_load(&rp, t->ndocs, report);
    group_count g[MAX_GROUPS];
    size_t ng = 0, bins[MAX_GROUPS][BINS][4] = {{{0}}}; /* pairs, doc, passage, span */
    for (size_t i = 0; i < t->npairs; i++) {
        const truth_pair *tp = &t->pairs[i];
        if (tp->intensity < 0) continue; /* copies and mixes only */
        size_t gi = (size_t)(group_of(g, &ng, tp->group) - g);
        size_t b = (size_t)(tp->intensity * BINS);
        if (b >= BINS) b = BINS - 1;
        bins[gi][b][0]++;
        bins[gi][b][1] += keys_has(&pairs, tp->key);
        bins[gi][b][2] += share_group(&rp, (uint32_t)(tp->key >> 32), (uint32_t)tp->key);
        if (rp.spans) bins[gi][b][3] += pair_found_in_spans(t, &rp, tp->key);
    }
    static const char *const METRICS[] = {"document", "passage", "span"};
    for (size_t gi = 0; gi < ng; gi++) {
        size_t all[4] = {0};
        for (size_t b = 0; b < BINS; b++) {
            char bin[32];
            snprintf(bin, sizeof bin, "%.1f-%.1f", (double)b / BINS, (double)(b + 1) / BINS);
            for (int k = 0; k < 4; k++) all[k] += bins[gi][b][k];
            if (!bins[gi][b][0]) continue;
            for (int k = 1; k < (rp.spans ? 4 : 3); k++)
                row("detection", run, METRICS[k - 1], g[gi].name, bin, 0, bins[gi][b][0], bins[gi][b][k],
                    ratio(bins[gi][b][k], bins[gi][b][0]));
        }
        for (int k = 1; k < (rp.spans ? 4 : 3); k++)
            row("detection", run, METRICS[k - 1], g[gi].name, "all", 0, all[0], all[k], ratio(all[k], all[0]));
        printf("| %s | %s | %zu | %.3f | %.3f | ", run, g[gi].name, all[0], ratio(all[1], all[0]),
               ratio(all[2], all[0]));
        if (rp.spans) printf("%.3f |\n", ratio(all[3], all[0]));
        else puts("no spans.csv |");
    }
    free(pairs.k);
    reported_free(&rp);
    csv_free(&p.t);
}

/* ---- passages ---------------------------------------------------------------- */

#define NBINS 7
static const char *const EDIT_BINS[NBINS] = {"0", "0-2%", "2-5%", "5-10%", "10-20%", "20-30%", ">30%"};
static size_t edit_bin(double share)
{
    static const double UPPER[NBINS - 1] = {0, 0.02, 0.05, 0.10, 0.20, 0.30};
    size_t b = 0;
    while (b < NBINS - 1 && share > UPPER[b]) b++;
    return b;
}

/* A line of the recall table: spans, found by a passage group, found by spans.csv. */
static void recall_line(const reported *rp, const char *run, const char *group, const char *bin,
                        const char *label, const size_t c[3])
{
    row("passages", run, "recall", group, bin, 0, c[0], c[1], ratio(c[1], c[0]));
    if (rp->spans) row("passages", run, "span_recall", group, bin, 0, c[0], c[2], ratio(c[2], c[0]));
    char buf[2][32];
    printf("| %s | %zu | %s | %s |\n", label, c[0], shown(buf[0], c[1], c[0]),
           rp->spans ? shown(buf[1], c[2], c[0]) : "no spans.csv");
}

static void passage_recall(const truth *t, const reported *rp, const char *run)
{
    const table *tp = &t->passages;
    size_t ca = col(tp, "id_a"), cas = col(tp, "a_start"), cae = col(tp, "a_end"), cb = col(tp, "id_b"),
           cbs = col(tp, "b_start"), cbe = col(tp, "b_end"), csrc = col(tp, "src_chars"),
           ces = col(tp, "edit_share"), ct = col(tp, "transform");
    size_t by_bin[NBINS][3] = {{0}}, target[3] = {0}, shorter[3] = {0}, synonym[3] = {0}, synonym_more[3] = {0};
    group_count g[MAX_GROUPS];
    size_t ng = 0;
    for (size_t r = 1; r < tp->t.rows; r++) {
        uint32_t a = doc_number(cell(tp, r, ca)), b = doc_number(cell(tp, r, cb));
        uint32_t as = cell_u32(tp, r, cas), ae = cell_u32(tp, r, cae), bs = cell_u32(tp, r, cbs), be = cell_u32(tp, r, cbe);
        double share = atof(cell(tp, r, ces));
        int found[2] = {found_together(rp, a, as, ae, b, bs, be), rp->spans && found_in_spans(rp, a, as, ae, b, bs, be)};
        size_t *into[4] = {NULL};
        const char *tr = cell(tp, r, ct);
        if (cell_u32(tp, r, csrc) < 100) {
            into[0] = shorter;
        } else {
            into[0] = by_bin[edit_bin(share)];
            if (share <= 0.10) into[1] = target;
            if (strcmp(tr, "synonym") == 0) into[2] = synonym;
            if (strstr(tr, "synonym")) into[3] = synonym_more;
            group_count *gr = group_of(g, &ng, strchr(tr, '+') ? "several" : tr);
            gr->truth++, gr->found += (size_t)found[0], gr->spans += (size_t)found[1];
        }
        for (int k = 0; k < 4; k++)
            if (into[k]) into[k][0]++, into[k][1] += (size_t)found[0], into[k][2] += (size_t)found[1];
    }
    for (size_t i = 0; i < ng; i++) { /* quality.csv only: by transform */
        row("passages", run, "recall", g[i].name, "all", 0, g[i].truth, g[i].found, ratio(g[i].found, g[i].truth));
        if (rp->spans)
            row("passages", run, "span_recall", g[i].name, "all", 0, g[i].truth, g[i].spans,
                ratio(g[i].spans, g[i].truth));
    }
    printf("\n| copied spans of >= 100 chars, edited | spans | found: a passage group | found: spans.csv |\n"
           "|---|---|---|---|\n");
    for (size_t b = 0; b < NBINS; b++) recall_line(rp, run, "all", EDIT_BINS[b], EDIT_BINS[b], by_bin[b]);
    recall_line(rp, run, "all", "<=10%", "<= 10% (all of the above up to 10%)", target);
    recall_line(rp, run, "synonym", "all", "synonyms swapped, no other edit", synonym);
    recall_line(rp, run, "synonym+others", "all", "synonyms swapped, other edits or not", synonym_more);
    recall_line(rp, run, "under 100 chars", "all", "spans under 100 chars, any edit", shorter);
}

/* Origins of the truth spans a reported passage covers (half of either). */
static size_t passage_origins(const truth *t, uint32_t doc, const passage_row *x, uint32_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nspans[doc] && n < cap; i++) {
        const span_row *s = &t->spans[doc][i];
        if (covers(s->start, s->end, x->start, x->end)) out[n++] = s->origin;
    }
    return n;
}

static void measure_line(const char *label, size_t count, const char *value)
{
    printf("| %s | %zu | %s |\n", label, count, value);
}

static void measure_ratio(const char *label, size_t count, size_t matched)
{
    char v[32];
    measure_line(label, count, shown(v, matched, count));
}

/* A group is right when one origin is under every member. */
static void group_precision(const truth *t, const reported *rp, const char *run, size_t *boiler_right)
{
    size_t ngroups = rp->groups + 1;
    uint32_t (*common)[8] = xalloc(ngroups, sizeof *common);
    uint8_t *ncommon = xalloc(ngroups, 1), *seen = xalloc(ngroups, 1);
    for (uint32_t d = 0; d < rp->ndocs; d++)
        for (size_t i = 0; i < rp->n[d]; i++) {
            const passage_row *x = &rp->by_doc[d][i];
            uint32_t o[32];
            size_t no = passage_origins(t, d, x, o, 32);
            if (!seen[x->group]) {
                seen[x->group] = 1;
                ncommon[x->group] = (uint8_t)(no < 8 ? no : 8);
                memcpy(common[x->group], o, ncommon[x->group] * sizeof *o);
                continue;
            }
            size_t w = 0; /* keep the common origins this member also has */
            for (size_t a = 0; a < ncommon[x->group]; a++)
                for (size_t k = 0; k < no; k++)
                    if (o[k] == common[x->group][a]) {
                        common[x->group][w++] = o[k];
                        break;
                    }
            ncommon[x->group] = (uint8_t)w;
        }
    size_t groups = 0, right = 0;
    for (size_t gi = 0; gi < ngroups; gi++) {
        if (!seen[gi]) continue;
        groups++;
        right += ncommon[gi] > 0;
        int site = 0;
        for (size_t k = 0; k < ncommon[gi]; k++) site |= common[gi][k] < 64;
        if (keys_has(&rp->boiler, gi)) *boiler_right += site;
    }
    row("passages", run, "group_precision", "all", "all", 0, groups, right, ratio(right, groups));
    measure_ratio("passage group precision (one original span under every member)", groups, right);
    free(common);
    free(ncommon);
    free(seen);
}

/* Copies with dropped characters (transform chardrop alone) caught at the
 * passage level: by a shared passage group, by a copied span in spans.csv. */
static void chardrop_caught(const truth *t, const reported *rp, const char *run)
{
    size_t copies = 0, group = 0, spans = 0;
    for (size_t i = 0; i < t->npairs; i++) {
        const truth_pair *tp = &t->pairs[i];
        if (tp->intensity < 0 || strcmp(tp->group, "chardrop") != 0) continue;
        copies++;
        group += share_group(rp, (uint32_t)(tp->key >> 32), (uint32_t)tp->key);
        if (rp->spans) spans += pair_found_in_spans(t, rp, tp->key);
    }
    row("passages", run, "chardrop_caught", "passage group", "all", 0, copies, group, ratio(group, copies));
    measure_ratio("copies with dropped characters caught: a shared passage group", copies, group);
    if (rp->spans) {
        row("passages", run, "chardrop_caught", "spans.csv", "all", 0, copies, spans, ratio(spans, copies));
        measure_ratio("copies with dropped characters caught: a copied span found in spans.csv", copies, spans);
    } else {
        measure_line("copies with dropped characters caught: a copied span found in spans.csv", copies, "no spans.csv");
    }
}

/* The bytes of [s, e) of document `doc` inside truth spans (all) and inside
 * text that document `other` also holds (copied; boilerplate counted too
 * in `lenient`). */
static void span_side(const truth *t, uint32_t doc, uint32_t s, uint32_t e, uint32_t other, int self,
                      uint64_t *all, uint64_t *copied, uint64_t *lenient)
{
    for (size_t i = 0; i < t->nspans[doc]; i++) {
        const span_row *x = &t->spans[doc][i];
        uint32_t o = overlap(s, e, x->start, x->end);
        if (!o) continue;
        *all += o;
        const span_row *skip = self ? x : NULL;
        uint32_t c = copied_bytes(t, x, other, skip, 0), l = copied_bytes(t, x, other, skip, 1);
        *copied += overlap(s, e, x->start, x->start + c);
        *lenient += overlap(s, e, x->start, x->start + l);
    }
}

static void span_precision(const truth *t, const reported *rp, const char *run)
{
    static const char *const STRICT = "span precision: reported span bytes in text the two documents share",
                             *LENIENT = "span precision, site boilerplate both show counted as shared";
    if (!rp->spans) {
        measure_line(STRICT, 0, "no spans.csv");
        return;
    }
    uint64_t all = 0, copied = 0, lenient = 0;
    size_t self = 0;
    for (size_t i = 0; i < rp->nspans; i++) {
        const reused_span *x = &rp->spans[i];
        self += x->a == x->b;
        span_side(t, x->a, x->as, x->ae, x->b, x->a == x->b, &all, &copied, &lenient);
        span_side(t, x->b, x->bs, x->be, x->a, x->a == x->b, &all, &copied, &lenient);
    }
    row("passages", run, "span_precision", "all", "all", 0, all, copied, ratio(copied, all));
    row("passages", run, "span_precision", "boilerplate shared", "all", 0, all, lenient, ratio(lenient, all));
    row("passages", run, "spans", "within one document", "all", 0, rp->nspans, self, ratio(self, rp->nspans));
    measure_ratio(STRICT, all, copied);
    measure_ratio(LENIENT, all, lenient);
    char v[64];
    snprintf(v, sizeof v, "%zu within one document", self);
    measure_line("spans.csv rows", rp->nspans, v);
}

/* reuse.csv's shares against the truth's: over the pairs reuse.csv should
 * list (an aligned share >= REUSE_MIN on either side) and those it lists;
 * a pair it leaves out is reported as 0, a pair the truth does not know
 * shares 0. */
static void share_error(const truth *t, const char *run, const char *report)
{
    table u;
    load(&u, report, "reuse.csv");
    size_t ca = col(&u, "id_a"), cb = col(&u, "id_b"), cia = col(&u, "a_in_b"), cib = col(&u, "b_in_a");
    size_t rows = u.t.rows - 1, known = 0, should = 0, listed = 0, n = 0;
    char *in_reuse = xalloc(t->npairs, 1);
    double *err[2] = {xalloc(2 * (rows + t->npairs), sizeof(double)), xalloc(2 * (rows + t->npairs), sizeof(double))};
    double sum[2] = {0, 0};
    for (size_t r = 1; r < u.t.rows; r++) {
        const truth_pair *tp = truth_find(t, pair_key(cell(&u, r, ca), cell(&u, r, cb)));
        int swapped = doc_number(cell(&u, r, ca)) > doc_number(cell(&u, r, cb));
        double got[2] = {atof(cell(&u, r, swapped ? cib : cia)), atof(cell(&u, r, swapped ? cia : cib))};
        double aligned[2] = {0, 0}, copied[2] = {0, 0};
        if (tp && tp->shares) {
            known++;
            in_reuse[tp - t->pairs] = 1;
            aligned[0] = tp->aligned_a, aligned[1] = tp->aligned_b;
            copied[0] = tp->copied_a, copied[1] = tp->copied_b;
        }
        for (int s = 0; s < 2; s++) {
            err[0][n] = fabs(got[s] - aligned[s]), err[1][n] = fabs(got[s] - copied[s]);
            sum[0] += err[0][n], sum[1] += err[1][n];
            n++;
        }
    }
    for (size_t i = 0; i < t->npairs; i++) {
        const truth_pair *tp = &t->pairs[i];
        if (!tp->shares || (tp->aligned_a < REUSE_MIN && tp->aligned_b < REUSE_MIN)) continue;
        should++;
        if (in_reuse[i]) {
            listed++;
            continue;
        }
        double aligned[2] = {tp->aligned_a, tp->aligned_b}, copied[2] = {tp->copied_a, tp->copied_b};
        for (int s = 0; s < 2; s++) {
            err[0][n] = aligned[s], err[1][n] = copied[s];
            sum[0] += err[0][n], sum[1] += err[1][n];
            n++;
        }
    }
    static const char *const NAMES[2] = {"share_error", "share_error_copied"};
    static const char *const LABELS[2] = {
        "reuse.csv a_in_b, b_in_a against the aligned share: mean, 90th percentile (pairs)",
        "... against the copied share (whole spans, edits and all): mean, 90th percentile"};
    for (int k = 0; k < 2; k++) {
        qsort(err[k], n, sizeof *err[k], cmp_double);
        double mean = n ? sum[k] / (double)n : NAN, p90 = n ? err[k][(size_t)(0.9 * (double)(n - 1))] : NAN;
        char name[64], v[64];
        snprintf(name, sizeof name, "%s_mean", NAMES[k]);
        row("passages", run, name, "all", "all", 0, n / 2, 0, mean);
        snprintf(name, sizeof name, "%s_p90", NAMES[k]);
        row("passages", run, name, "all", "all", 0, n / 2, 0, p90);
        snprintf(v, sizeof v, "%.4f, %.4f", mean, p90);
        measure_line(LABELS[k], n / 2, v);
    }
    row("passages", run, "reuse_precision", "all", "all", 0, rows, known, ratio(known, rows));
    row("passages", run, "reuse_recall", "all", "all", 0, should, listed, ratio(listed, should));
    measure_ratio("reuse.csv rows that share copied text", rows, known);
    measure_ratio("pairs with an aligned share >= 0.3 listed in reuse.csv", should, listed);
    free(in_reuse);
    free(err[0]);
    free(err[1]);
    csv_free(&u.t);
}

/* Site headers and footers in enough documents found in a boilerplate
 * passage group; blocks shorter than a passage (a bare "推荐阅读" heading,
 * the short lines) cannot be a group of their own. */
static void boilerplate_blocks(const truth *t, const reported *rp, const char *run, size_t boiler_right)
{
    size_t planted = 0, found = 0;
    for (uint32_t o = 0; o < 64; o++) {
        if (t->origin_docs[o] < BOILERPLATE_DOCS || t->origin_chars[o] < 50u * t->origin_docs[o]) continue;
        planted++;
        int hit = 0;
        for (uint32_t d = 0; d < t->ndocs && !hit; d++)
            for (size_t i = 0; i < t->nspans[d] && !hit; i++) {
                const span_row *s = &t->spans[d][i];
                if (s->origin != o) continue;
                for (size_t k = 0; k < rp->n[d] && !hit; k++)
                    hit = keys_has(&rp->boiler, rp->by_doc[d][k].group) &&
                          covers(s->start, s->end, rp->by_doc[d][k].start, rp->by_doc[d][k].end);
            }
        found += hit;
    }
    row("passages", run, "boilerplate_recall", "all", "all", 0, planted, found, ratio(found, planted));
    row("passages", run, "boilerplate_precision", "all", "all", 0, rp->boiler.n, boiler_right,
        ratio(boiler_right, rp->boiler.n));
    measure_ratio("site headers and footers (>= 50 chars, in >= 20 documents) found in a boilerplate group",
                  planted, found);
    measure_ratio("boilerplate passage groups that are site boilerplate", rp->boiler.n, boiler_right);
}

/* The short site lines (under 50 characters, in >= 20 documents) among the
 * kind=line rows of boilerplate.csv, matched by normalized text with digit
 * runs folded; and the line rows that are no site text at all. */
static void boilerplate_lines(const truth *t, const reported *rp, const char *run)
{
    static const char *const FOUND = "short site lines (in >= 20 documents) found as line boilerplate",
                             *FALSE = "line boilerplate rows that are no site text";
    if (!t->site) {
        measure_line(FOUND, 0, "n/a (truth without boilerplate.csv)");
        return;
    }
    size_t planted = 0, found = 0, false_rows = 0;
    for (size_t i = 0; i < t->nsite; i++) {
        if (!t->site[i].line || t->site[i].docs < BOILERPLATE_DOCS) continue;
        planted++;
        for (size_t k = 0; k < rp->nlines; k++)
            if (text_key_eq(t->site[i].key, rp->lines[k].key)) {
                found++;
                break;
            }
    }
    const line_row *wrong[3];
    size_t nwrong = 0;
    for (size_t k = 0; k < rp->nlines; k++) {
        int site = 0;
        for (size_t i = 0; i < t->nsite && !site; i++) site = text_key_eq(t->site[i].key, rp->lines[k].key);
        if (site) continue;
        false_rows++;
        if (nwrong < 3) wrong[nwrong++] = &rp->lines[k];
    }
    row("passages", run, "line_recall", "all", "all", 0, planted, found, ratio(found, planted));
    row("passages", run, "line_false", "all", "all", 0, rp->nlines, false_rows, ratio(false_rows, rp->nlines));
    char v[1024];       /* three texts of <= 240 bytes */
    snprintf(v, sizeof v, "%zu of %zu%s", found, planted, rp->has_kind ? "" : " (boilerplate.csv has no kind column)");
    measure_line(FOUND, planted, v);
    int at = snprintf(v, sizeof v, "%zu%s", false_rows, nwrong ? ", the most common:" : "");
    for (size_t i = 0; i < nwrong; i++) { /* texts of a few dozen bytes: they fit */
        at += snprintf(v + at, sizeof v - (size_t)at, "%s \"", i ? ";" : "");
        for (const char *c = wrong[i]->text; *c && (size_t)at + 2 < sizeof v; c++) v[at++] = *c == '|' ? '/' : *c;
        at += snprintf(v + at, sizeof v - (size_t)at, "\" (%u docs)", wrong[i]->docs);
    }
    measure_line(FALSE, rp->nlines, v);
}

/* Where a generator swap (variant → canonical, or back when `back`) that
 * covers position i of `from` → `to` ends, or 0. A swap may start before
 * i, where the two words agree (发展 → 进展 differs only in its first
 * character, 普通高中 → 一般高中 in its first two). */
static size_t swap_covering(const truth *t, text_key from, text_key to, size_t i, int back)
{
    for (size_t k = 0; k < t->nswaps; k++) {
        text_key v = back ? t->swaps[k].canonical : t->swaps[k].variant;
        text_key c = back ? t->swaps[k].variant : t->swaps[k].canonical;
        for (size_t at = i + 1 > v.n ? i + 1 - v.n : 0; at <= i; at++)
            if (at + v.n <= from.n && v.n == c.n && !memcmp(from.cp + at, v.cp, v.n * sizeof *v.cp) &&
                !memcmp(to.cp + at, c.cp, c.n * sizeof *c.cp))
                return at + v.n;
    }
    return 0;
}

/* Is `from` → `to` made of the generator's swaps (variant → canonical, or
 * back when `back`), at least one, with the same text around them? Every
 * swap keeps the length, so the two line up character by character. */
static int made_of_swaps(const truth *t, text_key from, text_key to, int back)
{
    if (from.n != to.n) return 0;
    size_t swaps = 0;
    for (size_t i = 0; i < from.n;) {
        if (from.cp[i] == to.cp[i]) {
            i++;
            continue;
        }
        size_t end = swap_covering(t, from, to, i, back);
        if (!end) return 0;
        i = end;
        swaps++;
    }
    return swaps > 0;
}

typedef struct subst_row {
    text_key variant, canonical;
    uint64_t count;
    size_t order;
} subst_row;

static int cmp_subst(const void *a, const void *b)
{
    const subst_row *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* substitutions.csv against the generator's swaps: recall of the swaps the
 * corpus holds (a row mapping the variant to its canonical), split by
 * whether fanwen's built-in table has them; the top rows by count that are
 * true swaps. */
static void substitutions(const truth *t, const char *run, const char *report)
{
    static const char *const RECALL = "substitutions.csv: generator swaps recovered (a row variant -> canonical)";
    table s;
    if (!t->swaps) {
        measure_line(RECALL, 0, "n/a (truth without synonyms.csv)");
        return;
    }
    if (!load_file(&s, report, "substitutions.csv", 1)) {
        measure_line(RECALL, 0, "no substitutions.csv");
        return;
    }
    size_t cv = col(&s, "variant"), cc = col(&s, "canonical"), cn = col(&s, "count");
    size_t n = s.t.rows - 1;
    subst_row *rows = xalloc(n, sizeof *rows);
    for (size_t r = 1; r < s.t.rows; r++)
        rows[r - 1] = (subst_row){text_key_of(cell(&s, r, cv), 0), text_key_of(cell(&s, r, cc), 0),
                                  strtoull(cell(&s, r, cn), NULL, 10), r};
    size_t want[3] = {0}, got[3] = {0}, either[3] = {0}; /* all, built-in, not built-in */
    for (size_t k = 0; k < t->nswaps; k++) {
        const swap *w = &t->swaps[k];
        if (!w->swaps) continue; /* never made: nothing to learn from */
        int exact = 0, any = 0;
        for (size_t i = 0; i < n && !exact; i++) {
            int fwd = text_key_eq(rows[i].variant, w->variant) && text_key_eq(rows[i].canonical, w->canonical);
            int rev = text_key_eq(rows[i].variant, w->canonical) && text_key_eq(rows[i].canonical, w->variant);
            exact |= fwd, any |= fwd || rev;
        }
        for (int g = 0; g < 3; g++) {
            if (g == 1 && !w->builtin) continue;
            if (g == 2 && w->builtin) continue;
            want[g]++, got[g] += (size_t)exact, either[g] += (size_t)any;
        }
    }
    qsort(rows, n, sizeof *rows, cmp_subst);
    size_t top = n < TOP_SUBSTITUTIONS ? n : TOP_SUBSTITUTIONS, right = 0, right_exact = 0;
    for (size_t i = 0; i < top; i++) {
        right += made_of_swaps(t, rows[i].variant, rows[i].canonical, 0) ||
                 made_of_swaps(t, rows[i].variant, rows[i].canonical, 1);
        for (size_t k = 0; k < t->nswaps; k++) {
            const swap *w = &t->swaps[k];
            if ((text_key_eq(rows[i].variant, w->variant) && text_key_eq(rows[i].canonical, w->canonical)) ||
                (text_key_eq(rows[i].variant, w->canonical) && text_key_eq(rows[i].canonical, w->variant))) {
                right_exact++;
                break;
            }
        }
    }
    static const char *const GROUPS[3] = {"all", "in the built-in table", "not in the built-in table"};
    for (int g = 0; g < 3; g++) {
        row("passages", run, "substitution_recall", GROUPS[g], "all", 0, want[g], got[g], ratio(got[g], want[g]));
        row("passages", run, "substitution_recall_either", GROUPS[g], "all", 0, want[g], either[g],
            ratio(either[g], want[g]));
    }
    row("passages", run, "substitution_precision", "top 100", "all", 0, top, right, ratio(right, top));
    row("passages", run, "substitution_precision", "top 100, exact pairs", "all", 0, top, right_exact,
        ratio(right_exact, top));
    char v[64];
    snprintf(v, sizeof v, "%.4f (%zu of %zu)", ratio(got[0], want[0]), got[0], want[0]);
    measure_line(RECALL, want[0], v);
    for (int g = 1; g < 3; g++) {
        char label[96];
        snprintf(label, sizeof label, "... %s", GROUPS[g]);
        snprintf(v, sizeof v, "%.4f (%zu of %zu)", ratio(got[g], want[g]), got[g], want[g]);
        measure_line(label, want[g], v);
    }
    snprintf(v, sizeof v, "%.4f (%zu of %zu)", ratio(either[0], want[0]), either[0], want[0]);
    measure_line("... a row in either orientation", want[0], v);
    measure_ratio("substitutions.csv: top 100 rows by count made of generator swaps", top, right);
    measure_ratio("... of them exactly a generator pair (either orientation)", top, right_exact);
    for (size_t i = 0; i < n; i++) {
        free(rows[i].variant.cp);
        free(rows[i].canonical.cp);
    }
    free(rows);
    csv_free(&s.t);
}

static void passages(const truth *t, const char *run, const char *report)
{
    reported rp;
    reported_load(&rp, t->ndocs, report);
    printf("\n### %s\n", run);
    passage_recall(t, &rp, run);
    printf("\n| measure | count | value |\n|---|---|---|\n");
    chardrop_caught(t, &rp, run);
    size_t boiler_right = 0;
    group_precision(t, &rp, run, &boiler_right);
    span_precision(t, &rp, run);
    share_error(t, run, report);
    boilerplate_blocks(t, &rp, run, boiler_right);
    boilerplate_lines(t, &rp, run);
    substitutions(t, run, report);
    reported_free(&rp);
}

int main(int argc, char **argv)
{
    const char *truth_dir = NULL, *out = NULL;
    for (int i = 1; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--truth")) truth_dir = argv[++i];
        else if (!strcmp(argv[i], "--out")) out = argv[++i];
    }
    if (!truth_dir || !out) {
        fputs("usage: fanwen-quality --truth DIR --out CSV [--documents RUN THRESHOLD REPORT]...\n"
              "       [--detection RUN REPORT]... [--passages RUN REPORT]...\n", stderr);
        return 2;
    }
    if (fw_normalizer_new(&normalizer) != FW_OK) die("cannot make", "the normalizer");
    truth t = {0};
    truth_load(&t, truth_dir);
    out_csv = fopen(out, "wb");
    if (!out_csv) die("cannot write", out);
    fputs("section,run,metric,group,bin,threshold,count,matched,value\r\n", out_csv);
    int header = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--truth") || !strcmp(a, "--out")) {
            i++;
        } else if (!strcmp(a, "--documents") && i + 3 < argc) {
            if (header != 1) puts("\n| run | threshold | truth pairs | reported | recall | precision |\n|---|---|---|---|---|---|");
            header = 1;
            documents(&t, argv[i + 1], atof(argv[i + 2]), argv[i + 3]);
            i += 3;
        } else if (!strcmp(a, "--detection") && i + 2 < argc) {
            if (header != 2)
                puts("\n| run | transform | copies | caught in pairs.csv | sharing a passage group | "
                     "a copied span in spans.csv |\n|---|---|---|---|---|---|");
            header = 2;
            detection(&t, argv[i + 1], argv[i + 2]);
            i += 2;
        } else if (!strcmp(a, "--passages") && i + 2 < argc) {
            header = 3;
            passages(&t, argv[i + 1], argv[i + 2]);
            i += 2;
        } else {
            fprintf(stderr, "fanwen-quality: bad argument %s\n", a);
            return 2;
        }
    }
    if (fclose(out_csv) != 0) die("cannot write", out);
    fw_normalizer_free(normalizer);
    return 0;
}
