/*
 * main.c — fanwen-corpus: writes a 范文 reuse corpus and its ground truth.
 *
 *   fanwen-corpus --docs N [--seed S] [--format txt|jsonl] [--source PATH]... --out DIR
 *
 * Documents come in families: an original written from the banks (or taken
 * from --source text, source.c), then 0–3
 * copies, each made by one transform (or a combination) at a random
 * intensity, sometimes from an earlier copy, sometimes a mix of paragraphs
 * from 2–4 recent originals of the same genre. A quarter of all pages are
 * wrapped in a site's header and footer. Everything streams: only a window
 * of recent documents is kept, so N can be millions.
 *
 * truth/pairs.csv lists every pair that shares copied text (found through
 * the spans' origins, within the window) and, when N ≤ --join-max, every
 * other pair with exact Jaccard ≥ --join-floor (the exact join of truth.c),
 * so that at thresholds from the floor up it is the complete answer.
 */
#include "generator.h"
#include "write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 8192  /* documents kept: every family member and mix source */
#define RING 64      /* recent originals that mixes and teasers draw from */
#define ORIGIN_WINDOW (1u << 20) /* recent origins indexed by their holders */
#define HOLDERS 24   /* holders kept per origin */

typedef struct holders {
    uint32_t origin, n;
    uint32_t docs[HOLDERS];
} holders;

typedef struct pair_row {
    uint32_t a, b;                 /* a < b */
    uint32_t inter, na, nb;        /* shingles */
    uint32_t copied_a, copied_b;   /* normalized characters copied */
    uint32_t aligned;              /* of them, aligned between the two */
    uint32_t chars_a, chars_b;
    const char *relation;
    unsigned transforms;
    double intensity;              /* < 0: none */
} pair_row;

typedef struct run {
    gen_state g;
    truth_ctx *truth;
    writer out;
    gen_doc *window[WINDOW];
    uint32_t ring[RING];           /* originals, by number */
    size_t nring, ndocs;
    pair_row *pairs;
    size_t npairs, pairs_cap;
    /* the exact join's input, when kept */
    int keep_sets;
    uint64_t **sets;
    size_t *sizes;
    uint32_t *seen;                /* stamps for dedup of compared docs */
    source_list *sources;          /* --source: originals recycled from these */
    size_t next_source;
    holders *held;                 /* origin → the documents holding it */
    size_t overflow;               /* holders not kept: pairs missed */
} run;

static gen_doc *lookup(void *ctx, uint32_t number)
{
    run *r = ctx;
    if (number >= r->ndocs || r->ndocs - number > WINDOW) return NULL;
    return r->window[number % WINDOW];
}

static void push_pair(run *r, pair_row p)
{
    if (r->npairs == r->pairs_cap) {
        r->pairs_cap = r->pairs_cap ? 2 * r->pairs_cap : 1024;
        r->pairs = gen_grow(r->pairs, r->pairs_cap, sizeof *r->pairs);
    }
    r->pairs[r->npairs++] = p;
}

static pair_row *add_pair(run *r, const gen_doc *x, const gen_doc *y, const char *relation,
                          unsigned transforms, double intensity)
{
    const gen_doc *a = x->number < y->number ? x : y, *b = a == x ? y : x;
    push_pair(r, (pair_row){
        .a = a->number, .b = b->number, .inter = (uint32_t)truth_intersection(a, b),
        .na = (uint32_t)a->nset, .nb = (uint32_t)b->nset,
        .copied_a = (uint32_t)truth_copied_chars(a, b), .copied_b = (uint32_t)truth_copied_chars(b, a),
        .aligned = (uint32_t)truth_aligned_chars(a, b),
        .chars_a = a->norm_chars, .chars_b = b->norm_chars, .relation = relation,
        .transforms = transforms, .intensity = intensity});
    return &r->pairs[r->npairs - 1];
}

static int holds(const gen_doc *d, uint32_t number)
{
    for (int k = 0; k < d->nsources; k++)
        if (d->sources[k] == number) return 1;
    return 0;
}

/* The new document against every earlier holder of one of its origins: a
 * pair for each (copies, mixes, teasers, and siblings through any of them). */
static void provenance_pairs(run *r, gen_doc *d)
{
    for (size_t i = 0; i < d->norigins; i++) {
        holders *h = &r->held[d->origins[i] % ORIGIN_WINDOW];
        if (h->origin != d->origins[i]) *h = (holders){.origin = d->origins[i]};
        for (uint32_t k = 0; k < h->n; k++) {
            gen_doc *e = lookup(r, h->docs[k]);
            if (!e || r->seen[e->number % WINDOW] == d->number + 1) continue;
            r->seen[e->number % WINDOW] = d->number + 1;
            if (holds(d, e->number)) {
                int teaser = 1;
                for (size_t s = 0; s < d->nspans; s++)
                    if (d->spans[s].src_doc == e->number && d->spans[s].kind != SPAN_TEASER) teaser = 0;
                if (teaser) add_pair(r, e, d, "teaser", 1u << T_TEASER, -1);
                else if (d->transforms & (1u << T_MIX)) { /* intensity: the mix not from e */
                    pair_row *p = add_pair(r, e, d, "mix", 1u << T_MIX, -1);
                    p->intensity = 1.0 - (double)p->copied_b / (p->chars_b ? p->chars_b : 1);
                } else add_pair(r, e, d, "copy", d->transforms, d->intensity);
            } else add_pair(r, e, d, "siblings", 0, -1);
        }
        if (h->n < HOLDERS) h->docs[h->n++] = d->number;
        else r->overflow++;
    }
}

static void emit(run *r, gen_doc *d)
{
    if (d->site < 0 && !(d->transforms & (1u << T_BOILERPLATE)) && gen_chance(&r->g.rng, 0.25))
        derive_wrap_site(&r->g, d, (int)gen_below(&r->g.rng, (size_t)derive_site_count()));
    for (size_t i = 0; i < d->nspans; i++) { /* a teaser's copied prefix, normalized */
        span *s = &d->spans[i];
        const gen_doc *src = s->src_bytes ? lookup(r, s->src_doc) : NULL;
        if (src) s->src_chars = truth_chars(r->truth, src->spans[s->src_span].text.data, s->src_bytes);
    }
    truth_finish_doc(r->truth, d);
    size_t slot = d->number % WINDOW;
    if (r->ndocs >= WINDOW) doc_free(r->window[slot]);
    r->window[slot] = d;
    r->seen[slot] = 0;
    r->ndocs++;
    provenance_pairs(r, d);
    writer_doc(&r->out, d, lookup, r);
    if (r->keep_sets) {
        r->sets[d->number] = gen_alloc(d->nset, sizeof **r->sets);
        memcpy(r->sets[d->number], d->set, d->nset * sizeof *d->set);
        r->sizes[d->number] = d->nset;
    }
}

static int pick_transform(uint64_t *rng, double *intensity)
{
    /* every single transform once, combinations twice as often */
    static const int CHOICES[] = {T_EXACT, T_YEAR, T_PLACE, T_FIGURES, T_REORDER, T_DROP,
                                  T_SYNONYM, T_CENSOR, T_CHARDROP, T_MARKERS, T_BOILERPLATE,
                                  T_TEASER, T_COMBINED, T_COMBINED};
    int t = CHOICES[gen_below(rng, sizeof CHOICES / sizeof *CHOICES)];
    double u = gen_unit(rng);
    switch (t) {
    case T_EXACT: *intensity = 0; break;
    case T_CHARDROP: *intensity = 0.005 + 0.245 * u; break;
    case T_DROP: *intensity = 0.05 + 0.65 * u; break;
    default: *intensity = 0.05 + 0.95 * u; break;
    }
    return t;
}

static void ring_originals(const run *r, int genre, gen_doc **out, size_t *n, size_t max, uint32_t except)
{
    *n = 0;
    for (size_t i = 0; i < r->nring && *n < max; i++) {
        gen_doc *o = lookup((void *)r, r->ring[(r->nring - 1 - i) % RING]);
        if (o && o->number != except && (genre < 0 || o->genre == genre)) out[(*n)++] = o;
    }
}

static void family(run *r, size_t limit)
{
    gen_state *g = &r->g;
    uint32_t root = (uint32_t)r->ndocs;
    gen_doc *o = r->sources ? compose_recycled(g, root, r->sources, r->next_source++)
                            : compose_original(g, root, (int)gen_below(&g->rng, 3));
    emit(r, o);
    r->ring[r->nring++ % RING] = root;
    double u = gen_unit(&g->rng);
    size_t copies = u < 0.45 ? 0 : u < 0.70 ? 1 : u < 0.88 ? 2 : 3;
    gen_doc *recent[RING];
    size_t nrecent;
    uint32_t members[4] = {root};
    size_t nmembers = 1;
    for (size_t c = 0; c < copies && r->ndocs < limit; c++) {
        uint32_t from = nmembers > 1 && gen_chance(&g->rng, 0.2) ? members[1 + gen_below(&g->rng, nmembers - 1)] : root;
        double intensity;
        int t = pick_transform(&g->rng, &intensity);
        gen_doc *d = doc_copy(lookup(r, from), (uint32_t)r->ndocs);
        ring_originals(r, -1, recent, &nrecent, 16, root);
        derive_apply(g, d, t, intensity, recent, nrecent);
        emit(r, d);
        members[nmembers++] = d->number;
    }
    if (r->ndocs < limit && gen_chance(&g->rng, 0.12)) {
        ring_originals(r, o->genre, recent, &nrecent, 8, root);
        if (nrecent >= 1) {
            gen_doc *src[4] = {o};
            int nsrc = 1 + (int)(nrecent < 3 ? nrecent : 1 + gen_below(&g->rng, 3));
            for (int k = 1; k < nsrc; k++) src[k] = recent[k - 1];
            emit(r, derive_mix(g, (uint32_t)r->ndocs, src, nsrc));
        }
    }
}

static int cmp_pair(const void *x, const void *y)
{
    const pair_row *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

typedef struct join_ctx { run *r; size_t found; } join_ctx;

static void join_emit(void *ctx, size_t i, size_t j, size_t inter)
{
    join_ctx *c = ctx;
    run *r = c->r;
    push_pair(r, (pair_row){.a = (uint32_t)i, .b = (uint32_t)j, .inter = (uint32_t)inter,
                            .na = (uint32_t)r->sizes[i], .nb = (uint32_t)r->sizes[j],
                            .relation = "incidental", .intensity = -1});
    c->found++;
}

static void write_pairs(run *r)
{
    /* join pairs already known by provenance are dropped: provenance first */
    qsort(r->pairs, r->npairs, sizeof *r->pairs, cmp_pair);
    char path[4200];
    snprintf(path, sizeof path, "%s/truth/pairs.csv", r->out.dir);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror("fanwen-corpus: truth/pairs.csv");
        exit(1);
    }
    fputs("id_a,id_b,jaccard,a_in_b,b_in_a,copied_a,copied_b,aligned_a,aligned_b,relation,transform,"
          "intensity\r\n", f);
    for (size_t i = 0; i < r->npairs; i++) {
        pair_row *p = &r->pairs[i];
        if (i + 1 < r->npairs && p->a == p[1].a && p->b == p[1].b) { /* keep the provenance row */
            if (strcmp(p->relation, "incidental") == 0) continue;
            p[1] = *p;
            continue;
        }
        char ida[32], idb[32];
        writer_id(&r->out, p->a, ida, sizeof ida);
        writer_id(&r->out, p->b, idb, sizeof idb);
        double uni = (double)p->na + p->nb - p->inter;
        fprintf(f, "%s,%s,%.6f,%.6f,%.6f,", ida, idb, uni > 0 ? p->inter / uni : 0.0,
                p->na ? (double)p->inter / p->na : 0.0, p->nb ? (double)p->inter / p->nb : 0.0);
        if (p->chars_a && p->chars_b)
            fprintf(f, "%.6f,%.6f,%.6f,%.6f,", (double)p->copied_a / p->chars_a, (double)p->copied_b / p->chars_b,
                    (double)p->aligned / p->chars_a, (double)p->aligned / p->chars_b);
        else fputs("0.000000,0.000000,0.000000,0.000000,", f);
        fprintf(f, "%s,", p->relation);
        int first = 1;
        for (int t = 0; t < T_COUNT; t++)
            if (p->transforms & (1u << t)) {
                fprintf(f, "%s%s", first ? "" : "+", TRANSFORM_NAMES[t]);
                first = 0;
            }
        if (p->intensity >= 0) fprintf(f, ",%.6f\r\n", p->intensity);
        else fputs(",\r\n", f);
    }
    if (fclose(f) != 0) {
        perror("fanwen-corpus: truth/pairs.csv");
        exit(1);
    }
}

static void usage(FILE *f)
{
    fputs("usage: fanwen-corpus --docs N --out DIR [options]\n"
          "\n"
          "Writes a corpus of Chinese work reports with planted template reuse\n"
          "(DIR/docs/) and its exact ground truth (DIR/truth/: documents.csv,\n"
          "pairs.csv, spans.csv, passages.csv, boilerplate.csv, synonyms.csv,\n"
          "about.txt). Same seed, same bytes.\n"
          "\n"
          "  --docs N          documents to write (default 100)\n"
          "  --seed S          seed (default 1)\n"
          "  --format F        txt: one file per document (ids d0000042.txt);\n"
          "                    jsonl: shards of --shard-docs lines (ids d0000042)\n"
          "                    (default jsonl)\n"
          "  --shard-docs N    documents per JSONL shard (default 10000)\n"
          "  --ngram N         shingle size of the truth's Jaccard (default 5)\n"
          "  --join-floor J    list every pair with Jaccard >= J (default 0.5)\n"
          "  --source PATH     make the originals from this text instead of the\n"
          "                    banks (repeatable; any input fanwen reads: files,\n"
          "                    directories, JSONL, WARC, .gz, .zst), one original\n"
          "                    per document, until they run out\n"
          "  --source-max-docs N  read at most N source documents (default 1000000)\n"
          "  --join-max N      skip that exact join above N documents (default\n"
          "                    200000); pairs.csv then lists the pairs that share\n"
          "                    copied text only\n"
          "  -h, --help        this text\n", f);
}

int main(int argc, char **argv)
{
    size_t docs = 100, shard_docs = 10000, join_max = 200000;
    unsigned long long seed = 1;
    unsigned ngram = 5;
    double floor = 0.5;
    const char *out = NULL, *format = "jsonl";
    char **source_paths = gen_zalloc((size_t)argc, sizeof *source_paths);
    size_t nsources = 0, source_max = 1000000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "fanwen-corpus: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        }
        char *end;
        errno = 0;
        if (!strcmp(a, "--docs")) docs = strtoull(v, &end, 10);
        else if (!strcmp(a, "--seed")) seed = strtoull(v, &end, 10);
        else if (!strcmp(a, "--shard-docs")) shard_docs = strtoull(v, &end, 10);
        else if (!strcmp(a, "--join-max")) join_max = strtoull(v, &end, 10);
        else if (!strcmp(a, "--ngram")) ngram = (unsigned)strtoul(v, &end, 10);
        else if (!strcmp(a, "--join-floor")) floor = strtod(v, &end);
        else if (!strcmp(a, "--source-max-docs")) source_max = strtoull(v, &end, 10);
        else if (!strcmp(a, "--source")) {
            source_paths[nsources++] = (char *)v;
            end = (char *)v + strlen(v);
        }
        else if (!strcmp(a, "--format") || !strcmp(a, "--out")) {
            *(!strcmp(a, "--out") ? &out : &format) = v;
            end = (char *)v + strlen(v);
        } else {
            fprintf(stderr, "fanwen-corpus: unknown option %s\n", a);
            return 2;
        }
        if (errno || *end || (!strcmp(a, "--format") && strcmp(v, "txt") && strcmp(v, "jsonl")) ||
            ngram == 0 || ngram > 64 || !(floor > 0 && floor <= 1) || docs > UINT32_MAX - 1) {
            fprintf(stderr, "fanwen-corpus: bad value for %s: %s\n", a, v);
            return 2;
        }
        i++;
    }
    if (!out) {
        usage(stderr);
        return 2;
    }
    run *r = gen_zalloc(1, sizeof *r);
    r->g = (gen_state){.rng = seed * 0x9E3779B97F4A7C15ULL + 1, .next_origin = BOILER_ORIGINS};
    r->truth = truth_new(ngram);
    r->seen = gen_zalloc(WINDOW, sizeof *r->seen);
    r->held = gen_zalloc(ORIGIN_WINDOW, sizeof *r->held);
    r->keep_sets = docs <= join_max;
    if (r->keep_sets) {
        r->sets = gen_zalloc(docs, sizeof *r->sets);
        r->sizes = gen_zalloc(docs, sizeof *r->sizes);
    }
    if (nsources) {
        r->sources = source_read(source_paths, nsources, source_max);
        if (!source_count(r->sources)) {
            fputs("fanwen-corpus: no text in the --source inputs\n", stderr);
            return 1;
        }
    }
    writer_open(&r->out, out, !strcmp(format, "jsonl"), shard_docs);
    while (r->ndocs < docs && (!r->sources || r->next_source < source_count(r->sources)))
        family(r, docs);
    if (r->ndocs < docs)
        fprintf(stderr, "fanwen-corpus: the sources ran out after %zu originals: %zu documents written\n",
                r->next_source, r->ndocs);
    size_t provenance = r->npairs, joined = 0;
    if (r->keep_sets) {
        join_ctx c = {r, 0};
        truth_join((const uint64_t *const *)r->sets, r->sizes, r->ndocs, floor, join_emit, &c);
        joined = c.found;
    }
    write_pairs(r);
    writer_synonyms(&r->out, &r->g);
    writer_close(&r->out);
    char about[4300];
    snprintf(about, sizeof about, "%s/truth/about.txt", out);
    FILE *f = fopen(about, "wb");
    if (f) {
        fprintf(f, "generator: fanwen-corpus --docs %zu --seed %llu --format %s --ngram %u --join-floor %g\n",
                docs, seed, format, ngram, floor);
        fprintf(f, "documents: %zu\npairs sharing copied text: %zu\n", r->ndocs, provenance);
        if (r->overflow) fprintf(f, "warning: %zu holders of popular passages not followed\n", r->overflow);
        if (r->keep_sets)
            fprintf(f, "exact join: done; every pair with jaccard >= %g is in pairs.csv (%zu found by the join)\n",
                    floor, joined);
        else
            fprintf(f, "exact join: skipped (more than --join-max %zu documents); pairs.csv lists the pairs that share copied text only\n",
                    join_max);
        fclose(f);
    }
    for (size_t i = 0; i < WINDOW && i < r->ndocs; i++) doc_free(r->window[i]);
    if (r->keep_sets)
        for (size_t i = 0; i < r->ndocs; i++) free(r->sets[i]);
    free(r->sets);
    free(r->sizes);
    free(r->seen);
    free(r->held);
    free(r->pairs);
    truth_free(r->truth);
    source_free(r->sources);
    free(source_paths);
    free(r);
    return 0;
}
