/*
 * quality.c — fanwen-quality: scores fanwen's reports against the ground
 * truth of a corpus written by fanwen-corpus (corpus/generator/).
 *
 *   fanwen-quality --truth DIR/truth --out quality.csv \
 *       --documents RUN THRESHOLD REPORT ...   pairs.csv vs exact Jaccard
 *       --detection RUN REPORT ...             which copies are caught (in
 *                                              pairs.csv; in one passage
 *                                              group), by transform and
 *                                              intensity
 *       --passages RUN REPORT ...              passages.csv, reuse.csv and
 *                                              boilerplate.csv vs provenance
 *
 * Every number is a count over the truth, never an estimate: a reported
 * pair is right when its exact Jaccard is ≥ the threshold; a copied passage
 * is found when one passage group holds a passage overlapping its range in
 * each document (by half the shorter of the two, so a passage that only
 * touches the range's edge does not count: "within one passage boundary");
 * a group is right when all its members descend from one original span.
 *
 * quality.csv has one row per measure:
 *   section,run,metric,group,bin,threshold,count,matched,value
 * (value = matched / count, or the mean error for share_error). A summary
 * in Markdown goes to standard output.
 */
#include "csv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fanwen-quality: %s %s\n", what, path);
    exit(1);
}

/* ---- tables ---------------------------------------------------------------- */

typedef struct table {
    csv_table t;
    char path[4200];
} table;

static void load(table *tb, const char *dir, const char *name)
{
    snprintf(tb->path, sizeof tb->path, "%s/%s", dir, name);
    if (!csv_read(tb->path, &tb->t) || tb->t.rows == 0) die("cannot read", tb->path);
}

static size_t col(const table *tb, const char *name)
{
    for (size_t c = 0; c < tb->t.cols; c++)
        if (strcmp(tb->t.cell[0][c], name) == 0) return c;
    die("no column", name);
    return 0;
}

static const char *cell(const table *tb, size_t row, size_t c) { return tb->t.cell[row][c]; }

/* fanwen-corpus ids are d0000042 or d0000042.txt: the number is the index */
static uint32_t doc_number(const char *id) { return (uint32_t)strtoul(id + 1, NULL, 10); }

static uint64_t pair_key(const char *a, const char *b)
{
    uint32_t x = doc_number(a), y = doc_number(b);
    return x < y ? (uint64_t)x << 32 | y : (uint64_t)y << 32 | x;
}

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

/* ---- the truth ------------------------------------------------------------- */

typedef struct truth_pair {
    uint64_t key;
    double jaccard, copied_a, copied_b, intensity;
    char group[48];     /* what made the pair: year, combined, mix, siblings, ... */
} truth_pair;

typedef struct span_row {
    uint32_t start, end, origin, chars;
    int boilerplate;
} span_row;

typedef struct truth {
    truth_pair *pairs;  /* sorted by key */
    size_t npairs;
    size_t ndocs;
    span_row **spans;   /* per document */
    size_t *nspans;
    uint32_t *origin_docs; /* documents holding each boilerplate origin (< 64) */
    uint64_t *origin_chars; /* and their normalized characters, summed */
    table passages;
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

static void truth_load(truth *t, const char *dir)
{
    table p, s, d;
    load(&d, dir, "documents.csv");
    t->ndocs = d.t.rows - 1;
    csv_free(&d.t);
    load(&p, dir, "pairs.csv");
    size_t ca = col(&p, "id_a"), cb = col(&p, "id_b"), cj = col(&p, "jaccard"),
           cca = col(&p, "copied_a"), ccb = col(&p, "copied_b"), cr = col(&p, "relation"),
           ct = col(&p, "transform"), ci = col(&p, "intensity");
    t->npairs = p.t.rows - 1;
    t->pairs = calloc(t->npairs ? t->npairs : 1, sizeof *t->pairs);
    for (size_t r = 1; r < p.t.rows; r++) {
        truth_pair *tp = &t->pairs[r - 1];
        tp->key = pair_key(cell(&p, r, ca), cell(&p, r, cb));
        tp->jaccard = atof(cell(&p, r, cj));
        tp->copied_a = atof(cell(&p, r, cca));
        tp->copied_b = atof(cell(&p, r, ccb));
        tp->intensity = *cell(&p, r, ci) ? atof(cell(&p, r, ci)) : -1;
        const char *rel = cell(&p, r, cr), *tr = cell(&p, r, ct);
        if (strcmp(rel, "copy") != 0) snprintf(tp->group, sizeof tp->group, "%s", rel);
        else if (strstr(tr, "combined")) snprintf(tp->group, sizeof tp->group, "combined");
        else snprintf(tp->group, sizeof tp->group, "%s", tr);
    }
    qsort(t->pairs, t->npairs, sizeof *t->pairs, cmp_truth_pair);
    csv_free(&p.t);
    load(&s, dir, "spans.csv");
    size_t si = col(&s, "id"), ss = col(&s, "byte_start"), se = col(&s, "byte_end"),
           so = col(&s, "origin"), sk = col(&s, "kind"), sc = col(&s, "chars");
    t->spans = calloc(t->ndocs, sizeof *t->spans);
    t->nspans = calloc(t->ndocs, sizeof *t->nspans);
    t->origin_docs = calloc(64, sizeof *t->origin_docs);
    t->origin_chars = calloc(64, sizeof *t->origin_chars);
    for (size_t r = 1; r < s.t.rows; r++) {
        uint32_t doc = doc_number(cell(&s, r, si));
        if (doc >= t->ndocs) die("unknown document in", s.path);
        t->spans[doc] = realloc(t->spans[doc], (t->nspans[doc] + 1) * sizeof **t->spans);
        span_row *sp = &t->spans[doc][t->nspans[doc]++];
        *sp = (span_row){(uint32_t)atol(cell(&s, r, ss)), (uint32_t)atol(cell(&s, r, se)),
                         (uint32_t)atol(cell(&s, r, so)), (uint32_t)atol(cell(&s, r, sc)),
                         strcmp(cell(&s, r, sk), "boilerplate") == 0};
        if (sp->origin < 64) {
            t->origin_docs[sp->origin]++;
            t->origin_chars[sp->origin] += sp->chars;
        }
    }
    csv_free(&s.t);
    load(&t->passages, dir, "passages.csv");
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

/* ---- documents: pairs.csv against exact Jaccard ----------------------------- */

#define MAX_GROUPS 32

typedef struct group_count {
    char name[48];
    size_t truth, found, reported, right;
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
    key_set rep = {malloc(p.t.rows * sizeof(uint64_t)), 0};
    group_count g[MAX_GROUPS] = {{"all", 0, 0, 0, 0}};
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

/* ---- passages ---------------------------------------------------------------- */

typedef struct passage_row {
    uint32_t start, end, group;
} passage_row;

typedef struct reported {
    passage_row **by_doc;
    size_t *n;
    size_t ndocs, groups;
    key_set boiler;     /* the groups boilerplate.csv names */
} reported;

static void reported_load(reported *rp, size_t ndocs, const char *report)
{
    table p;
    load(&p, report, "passages.csv");
    size_t cg = col(&p, "group"), ci = col(&p, "id"), cs = col(&p, "byte_start"), ce = col(&p, "byte_end");
    *rp = (reported){.by_doc = calloc(ndocs, sizeof *rp->by_doc), .n = calloc(ndocs, sizeof *rp->n), .ndocs = ndocs};
    for (size_t r = 1; r < p.t.rows; r++) {
        uint32_t doc = doc_number(cell(&p, r, ci)), group = (uint32_t)atol(cell(&p, r, cg));
        if (doc >= ndocs) die("unknown document in", p.path);
        rp->by_doc[doc] = realloc(rp->by_doc[doc], (rp->n[doc] + 1) * sizeof **rp->by_doc);
        rp->by_doc[doc][rp->n[doc]++] = (passage_row){(uint32_t)atol(cell(&p, r, cs)),
                                                      (uint32_t)atol(cell(&p, r, ce)), group};
        if (group > rp->groups) rp->groups = group;
    }
    csv_free(&p.t);
    load(&p, report, "boilerplate.csv");
    rp->boiler = (key_set){malloc(p.t.rows * sizeof(uint64_t)), 0};
    for (size_t r = 1; r < p.t.rows; r++) rp->boiler.k[rp->boiler.n++] = (uint64_t)atol(cell(&p, r, 0));
    keys_sort(&rp->boiler);
    csv_free(&p.t);
}

static void reported_free(reported *rp)
{
    for (size_t d = 0; d < rp->ndocs; d++) free(rp->by_doc[d]);
    free(rp->by_doc);
    free(rp->n);
    free(rp->boiler.k);
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



/* ---- detection: is each copy caught, by transform and intensity ------------ */

#define BINS 10

static void detection(const truth *t, const char *run, const char *report)
{
    table p;
    load(&p, report, "pairs.csv");
    key_set pairs = {malloc(p.t.rows * sizeof(uint64_t)), 0};
    for (size_t r = 1; r < p.t.rows; r++) pairs.k[pairs.n++] = pair_key(cell(&p, r, 0), cell(&p, r, 1));
    keys_sort(&pairs);
    reported rp;
    reported_load(&rp, t->ndocs, report);
    group_count g[MAX_GROUPS];
    size_t ng = 0, bins[MAX_GROUPS][BINS][3] = {{{0}}}; /* pairs, doc, passage */
    for (size_t i = 0; i < t->npairs; i++) {
        const truth_pair *tp = &t->pairs[i];
        if (tp->intensity < 0) continue; /* copies and mixes only */
        size_t gi = (size_t)(group_of(g, &ng, tp->group) - g);
        size_t b = (size_t)(tp->intensity * BINS);
        if (b >= BINS) b = BINS - 1;
        bins[gi][b][0]++;
        bins[gi][b][1] += keys_has(&pairs, tp->key);
        bins[gi][b][2] += share_group(&rp, (uint32_t)(tp->key >> 32), (uint32_t)tp->key);
    }
    for (size_t gi = 0; gi < ng; gi++) {
        size_t all[3] = {0};
        for (size_t b = 0; b < BINS; b++) {
            char bin[32];
            snprintf(bin, sizeof bin, "%.1f-%.1f", (double)b / BINS, (double)(b + 1) / BINS);
            for (int k = 0; k < 3; k++) all[k] += bins[gi][b][k];
            if (!bins[gi][b][0]) continue;
            row("detection", run, "document", g[gi].name, bin, 0, bins[gi][b][0], bins[gi][b][1],
                ratio(bins[gi][b][1], bins[gi][b][0]));
            row("detection", run, "passage", g[gi].name, bin, 0, bins[gi][b][0], bins[gi][b][2],
                ratio(bins[gi][b][2], bins[gi][b][0]));
        }
        row("detection", run, "document", g[gi].name, "all", 0, all[0], all[1], ratio(all[1], all[0]));
        row("detection", run, "passage", g[gi].name, "all", 0, all[0], all[2], ratio(all[2], all[0]));
        printf("| %s | %s | %zu | %.3f | %.3f |\n", run, g[gi].name, all[0], ratio(all[1], all[0]),
               ratio(all[2], all[0]));
    }
    free(pairs.k);
    reported_free(&rp);
    csv_free(&p.t);
}

/* A reported passage covers a range when they overlap by at least half the
 * shorter of the two. */
static int covers(uint32_t s, uint32_t e, uint32_t rs, uint32_t re)
{
    uint32_t lo = s > rs ? s : rs, hi = e < re ? e : re;
    uint32_t shorter = e - s < re - rs ? e - s : re - rs;
    return hi > lo && 2 * (hi - lo) >= shorter;
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

static const char *const EDIT_BINS[] = {"0", "0-2%", "2-5%", "5-10%", "10-20%", ">20%"};
static size_t edit_bin(double share)
{
    return share <= 0 ? 0 : share <= 0.02 ? 1 : share <= 0.05 ? 2 : share <= 0.10 ? 3 : share <= 0.20 ? 4 : 5;
}

static void passage_recall(const truth *t, const reported *rp, const char *run)
{
    const table *tp = &t->passages;
    size_t ca = col(tp, "id_a"), cas = col(tp, "a_start"), cae = col(tp, "a_end"), cb = col(tp, "id_b"),
           cbs = col(tp, "b_start"), cbe = col(tp, "b_end"), csrc = col(tp, "src_chars"),
           ces = col(tp, "edit_share"), ct = col(tp, "transform");
    group_count g[MAX_GROUPS];
    size_t ng = 0, by_bin[6][2] = {{0}}, target[2] = {0}, shorter[2] = {0};
    for (size_t r = 1; r < tp->t.rows; r++) {
        size_t chars = (size_t)atol(cell(tp, r, csrc));
        double share = atof(cell(tp, r, ces));
        int found = found_together(rp, doc_number(cell(tp, r, ca)), (uint32_t)atol(cell(tp, r, cas)),
                                   (uint32_t)atol(cell(tp, r, cae)), doc_number(cell(tp, r, cb)),
                                   (uint32_t)atol(cell(tp, r, cbs)), (uint32_t)atol(cell(tp, r, cbe)));
        if (chars < 100) {
            shorter[0]++, shorter[1] += found;
            continue;
        }
        size_t b = edit_bin(share);
        by_bin[b][0]++, by_bin[b][1] += found;
        if (share <= 0.10) target[0]++, target[1] += found;
        const char *tr = cell(tp, r, ct);
        group_count *gr = group_of(g, &ng, strchr(tr, '+') ? "several" : tr);
        gr->truth++, gr->found += found;
        if (strstr(tr, "synonym")) {
            group_count *sy = group_of(g, &ng, "synonym+others");
            sy->truth++, sy->found += found;
        }
    }
    row("passages", run, "recall", "all", "<=10%", 0, target[0], target[1], ratio(target[1], target[0]));
    row("passages", run, "recall", "under 100 chars", "all", 0, shorter[0], shorter[1], ratio(shorter[1], shorter[0]));
    for (size_t b = 0; b < 6; b++)
        row("passages", run, "recall", "all", EDIT_BINS[b], 0, by_bin[b][0], by_bin[b][1],
            ratio(by_bin[b][1], by_bin[b][0]));
    for (size_t i = 0; i < ng; i++)
        row("passages", run, "recall", g[i].name, "all", 0, g[i].truth, g[i].found, ratio(g[i].found, g[i].truth));
    printf("| %s | recall, >= 100 chars, <= 10%% edited | %zu | %.4f |\n", run, target[0], ratio(target[1], target[0]));
    for (size_t b = 0; b < 6; b++)
        printf("| %s | recall, >= 100 chars, %s edited | %zu | %.4f |\n", run, EDIT_BINS[b], by_bin[b][0],
               ratio(by_bin[b][1], by_bin[b][0]));
    for (size_t i = 0; i < ng; i++)
        if (strncmp(g[i].name, "synonym", 7) == 0)
            printf("| %s | recall, >= 100 chars, %s | %zu | %.4f |\n", run, g[i].name, g[i].truth,
                   ratio(g[i].found, g[i].truth));
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

/* A group is right when one origin is under every member. */
static void group_precision(const truth *t, const reported *rp, const char *run, const key_set *boiler,
                            size_t *boiler_right)
{
    size_t ngroups = rp->groups + 1;
    uint32_t (*common)[8] = calloc(ngroups, sizeof *common);
    uint8_t *ncommon = calloc(ngroups, 1), *seen = calloc(ngroups, 1);
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
        if (keys_has(boiler, gi)) *boiler_right += site;
    }
    row("passages", run, "group_precision", "all", "all", 0, groups, right, ratio(right, groups));
    printf("| %s | group precision | %zu | %.4f |\n", run, groups, ratio(right, groups));
    free(common);
    free(ncommon);
    free(seen);
}

/* reuse.csv's shares against the copied shares of the truth. */
static void share_error(const truth *t, const char *run, const char *report)
{
    table u;
    load(&u, report, "reuse.csv");
    size_t ca = col(&u, "id_a"), cb = col(&u, "id_b"), cia = col(&u, "a_in_b"), cib = col(&u, "b_in_a");
    double sum = 0;
    size_t n = 0, unknown = 0;
    double *errors = malloc(2 * u.t.rows * sizeof *errors);
    for (size_t r = 1; r < u.t.rows; r++) {
        const truth_pair *tp = truth_find(t, pair_key(cell(&u, r, ca), cell(&u, r, cb)));
        if (!tp) {
            unknown++;
            continue;
        }
        int swapped = doc_number(cell(&u, r, ca)) > doc_number(cell(&u, r, cb));
        double ea = fabs(atof(cell(&u, r, cia)) - (swapped ? tp->copied_b : tp->copied_a));
        double eb = fabs(atof(cell(&u, r, cib)) - (swapped ? tp->copied_a : tp->copied_b));
        errors[n++] = ea, errors[n++] = eb;
        sum += ea + eb;
    }
    qsort(errors, n, sizeof *errors, cmp_double);
    double p90 = n ? errors[(size_t)(0.9 * (double)(n - 1))] : NAN;
    row("passages", run, "share_error_mean", "all", "all", 0, n, 0, n ? sum / (double)n : NAN);
    row("passages", run, "share_error_p90", "all", "all", 0, n, 0, p90);
    row("passages", run, "reuse_precision", "all", "all", 0, u.t.rows - 1, u.t.rows - 1 - unknown,
        ratio(u.t.rows - 1 - unknown, u.t.rows - 1));
    printf("| %s | a_in_b / b_in_a error: mean, 90th percentile | %zu | %.4f, %.4f |\n", run, n,
           n ? sum / (double)n : NAN, p90);
    printf("| %s | reuse.csv rows that share copied text | %zu | %.4f |\n", run, u.t.rows - 1,
           ratio(u.t.rows - 1 - unknown, u.t.rows - 1));
    free(errors);
    csv_free(&u.t);
}

static void passages(const truth *t, const char *run, const char *report, size_t boilerplate_docs)
{
    reported rp;
    reported_load(&rp, t->ndocs, report);
    passage_recall(t, &rp, run);
    const key_set boiler = rp.boiler;
    size_t boiler_right = 0;
    group_precision(t, &rp, run, &boiler, &boiler_right);
    share_error(t, run, report);
    /* boilerplate: each site header and footer in enough documents is found
     * when a boilerplate group covers it somewhere; blocks shorter than a
     * passage (a bare "推荐阅读" heading) cannot be a group of their own */
    size_t planted = 0, found = 0;
    for (uint32_t o = 0; o < 64; o++) {
        if (t->origin_docs[o] < boilerplate_docs || t->origin_chars[o] < 50u * t->origin_docs[o]) continue;
        planted++;
        int hit = 0;
        for (uint32_t d = 0; d < t->ndocs && !hit; d++)
            for (size_t i = 0; i < t->nspans[d] && !hit; i++) {
                const span_row *s = &t->spans[d][i];
                if (s->origin != o) continue;
                for (size_t k = 0; k < rp.n[d] && !hit; k++)
                    hit = keys_has(&boiler, rp.by_doc[d][k].group) &&
                          covers(s->start, s->end, rp.by_doc[d][k].start, rp.by_doc[d][k].end);
            }
        found += hit;
    }
    row("passages", run, "boilerplate_recall", "all", "all", 0, planted, found, ratio(found, planted));
    row("passages", run, "boilerplate_precision", "all", "all", 0, boiler.n, boiler_right, ratio(boiler_right, boiler.n));
    printf("| %s | boilerplate blocks (>= 50 chars) in >= %zu documents found | %zu | %.4f |\n", run, boilerplate_docs,
           planted, ratio(found, planted));
    printf("| %s | boilerplate groups that are site boilerplate | %zu | %.4f |\n", run, boiler.n,
           ratio(boiler_right, boiler.n));
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
            if (header != 2) puts("\n| run | transform | copies | caught in pairs.csv | sharing a passage group |\n|---|---|---|---|---|");
            header = 2;
            detection(&t, argv[i + 1], argv[i + 2]);
            i += 2;
        } else if (!strcmp(a, "--passages") && i + 2 < argc) {
            if (header != 3) puts("\n| run | measure | count | value |\n|---|---|---|---|");
            header = 3;
            passages(&t, argv[i + 1], argv[i + 2], 20);
            i += 2;
        } else {
            fprintf(stderr, "fanwen-quality: bad argument %s\n", a);
            return 2;
        }
    }
    if (fclose(out_csv) != 0) die("cannot write", out);
    return 0;
}
