/*
 * truth.c — what the copies share, measured exactly.
 *
 * The shingle sets are built here, independently of fanwen's shingle code:
 * the text is normalized by fw_normalize (the definition of "normalized" the
 * tool documents: NFKC, case folded, categories Z, P and C removed), every
 * window of `ngram` code points is hashed whole with XXH3-64 under this
 * file's own seed, and a text shorter than a window is one shingle.
 *
 * truth_join finds every pair above a floor without comparing all pairs:
 * tokens are ranked rarest first, and two sets with Jaccard ≥ t must share
 * a token among their first |x| − ⌈t·|x|⌉ + 1 (the prefix filter of
 * Bayardo, Ma & Srikant, "Scaling up all pairs similarity search", WWW
 * 2007), of which a later, no smaller set needs only the first
 * |y| − ⌈2t/(1+t)·|y|⌉ + 1 indexed; the positional filter of PPJoin (Xiao
 * et al., WWW 2008) drops a candidate as soon as what is left of both sets
 * cannot make the overlap up. Candidates are then counted exactly; nothing
 * is estimated.
 */
#include "generator.h"

#include <fanwen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define TRUTH_SEED 0x7472757468ULL /* "truth" */

struct truth_ctx {
    unsigned ngram;
    fw_normalizer *nz;
    uint32_t *cps;
    size_t cap;
};

truth_ctx *truth_new(unsigned ngram)
{
    truth_ctx *t = gen_zalloc(1, sizeof *t);
    if (fw_normalizer_new(&t->nz) != FW_OK) abort();
    t->ngram = ngram;
    return t;
}

void truth_free(truth_ctx *t)
{
    if (!t) return;
    fw_normalizer_free(t->nz);
    free(t->cps);
    free(t);
}

static size_t normalize(truth_ctx *t, const char *s, size_t n)
{
    size_t len = 0;
    if (fw_normalize(t->nz, s, n, &t->cps, &t->cap, &len, NULL) != FW_OK) abort();
    return len;
}

uint32_t truth_chars(truth_ctx *t, const char *s, size_t n) { return (uint32_t)normalize(t, s, n); }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void truth_finish_doc(truth_ctx *t, gen_doc *d)
{
    str_free(&d->text);
    d->norm_chars = 0;
    size_t nnorm = 0, norm_cap = 0;
    free(d->norm);
    d->norm = NULL;
    for (size_t i = 0; i < d->nspans; i++) {
        span *s = &d->spans[i];
        if (i) str_puts(&d->text, "\n\n");
        s->byte_start = d->text.len;
        str_put(&d->text, s->text.data, s->text.len);
        s->byte_end = d->text.len;
        s->norm_chars = (uint32_t)normalize(t, s->text.data, s->text.len);
        s->norm_start = (uint32_t)nnorm;
        if (nnorm + s->norm_chars > norm_cap) {
            norm_cap = 2 * (nnorm + s->norm_chars);
            d->norm = gen_grow(d->norm, norm_cap, sizeof *d->norm);
        }
        memcpy(d->norm + nnorm, t->cps, s->norm_chars * sizeof *d->norm);
        nnorm += s->norm_chars;
    }
    str_puts(&d->text, "\n");
    size_t len = normalize(t, d->text.data, d->text.len);
    d->norm_chars = (uint32_t)len;
    size_t w = len < t->ngram ? len : t->ngram, n = len == 0 ? 0 : len < t->ngram ? 1 : len - t->ngram + 1;
    free(d->set);
    d->set = gen_alloc(n, sizeof *d->set);
    for (size_t i = 0; i < n; i++) d->set[i] = XXH3_64bits_withSeed(t->cps + i, w * sizeof *t->cps, TRUTH_SEED);
    qsort(d->set, n, sizeof *d->set, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || d->set[i] != d->set[u - 1]) d->set[u++] = d->set[i];
    d->nset = u;
    free(d->origins);
    d->origins = gen_alloc(d->nspans, sizeof *d->origins);
    size_t o = 0;
    for (size_t i = 0; i < d->nspans; i++)
        if (d->spans[i].kind != SPAN_BOILERPLATE) d->origins[o++] = d->spans[i].origin;
    qsort(d->origins, o, sizeof *d->origins, cmp_u32);
    u = 0;
    for (size_t i = 0; i < o; i++)
        if (u == 0 || d->origins[i] != d->origins[u - 1]) d->origins[u++] = d->origins[i];
    d->norigins = u;
}

static size_t intersect_u64(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) i++;
        else if (a[i] > b[j]) j++;
        else c++, i++, j++;
    }
    return c;
}

size_t truth_intersection(const gen_doc *a, const gen_doc *b)
{
    return intersect_u64(a->set, a->nset, b->set, b->nset);
}

/* The normalized characters `d` holds of `origin` (its longest span). */
static uint32_t origin_chars(const gen_doc *d, uint32_t origin)
{
    uint32_t best = 0;
    for (size_t i = 0; i < d->nspans; i++)
        if (d->spans[i].origin == origin && d->spans[i].kind != SPAN_BOILERPLATE &&
            d->spans[i].norm_chars > best)
            best = d->spans[i].norm_chars;
    return best;
}

size_t truth_copied_chars(const gen_doc *a, const gen_doc *b)
{
    size_t total = 0, i = 0, j = 0;
    while (i < a->norigins && j < b->norigins) {
        if (a->origins[i] < b->origins[j]) i++;
        else if (a->origins[i] > b->origins[j]) j++;
        else {
            uint32_t ca = origin_chars(a, a->origins[i]), cb = origin_chars(b, a->origins[i]);
            total += ca < cb ? ca : cb;
            i++, j++;
        }
    }
    return total;
}

/* The longest common subsequence of x and y, bit-parallel (Hyyrö, "Bit-
 * parallel LCS-length computation revisited", AWOCA 2004): one bit per
 * position of x, each character of y a few word operations per 64 of x. */
static size_t lcs(const uint32_t *x, size_t nx, const uint32_t *y, size_t ny)
{
    if (nx == 0 || ny == 0) return 0;
    if (nx == ny && memcmp(x, y, nx * sizeof *x) == 0) return nx;
    size_t words = (nx + 63) / 64;
    uint32_t *alpha = gen_alloc(nx, sizeof *alpha); /* x's distinct characters, sorted */
    memcpy(alpha, x, nx * sizeof *x);
    qsort(alpha, nx, sizeof *alpha, cmp_u32);
    size_t na = 0;
    for (size_t i = 0; i < nx; i++)
        if (na == 0 || alpha[i] != alpha[na - 1]) alpha[na++] = alpha[i];
    uint64_t *match = gen_zalloc(na * words, sizeof *match), *v = gen_alloc(words, sizeof *v);
    for (size_t i = 0; i < nx; i++) {
        uint32_t *at = bsearch(&x[i], alpha, na, sizeof *alpha, cmp_u32);
        match[(size_t)(at - alpha) * words + i / 64] |= 1ULL << (i % 64);
    }
    for (size_t w = 0; w < words; w++) v[w] = ~0ULL;
    for (size_t j = 0; j < ny; j++) {
        uint32_t *at = bsearch(&y[j], alpha, na, sizeof *alpha, cmp_u32);
        if (!at) continue;
        const uint64_t *m = match + (size_t)(at - alpha) * words;
        uint64_t carry = 0;
        for (size_t w = 0; w < words; w++) { /* V' = (V + (V & M)) | (V & ~M) */
            uint64_t u = v[w] & m[w], t = v[w] + u, sum = t + carry;
            carry = (t < v[w]) | (sum < t);
            v[w] = sum | (v[w] & ~m[w]);
        }
    }
    size_t zeros = 0;
    for (size_t i = 0; i < nx; i++) zeros += !(v[i / 64] >> (i % 64) & 1);
    free(alpha);
    free(match);
    free(v);
    return zeros;
}

size_t truth_aligned_chars(const gen_doc *a, const gen_doc *b)
{
    size_t total = 0, i = 0, j = 0;
    while (i < a->norigins && j < b->norigins) {
        if (a->origins[i] < b->origins[j]) i++;
        else if (a->origins[i] > b->origins[j]) j++;
        else {
            size_t best = 0;
            for (size_t p = 0; p < a->nspans; p++) {
                const span *x = &a->spans[p];
                if (x->origin != a->origins[i] || x->kind == SPAN_BOILERPLATE) continue;
                for (size_t q = 0; q < b->nspans; q++) {
                    const span *y = &b->spans[q];
                    if (y->origin != a->origins[i] || y->kind == SPAN_BOILERPLATE) continue;
                    size_t l = lcs(a->norm + x->norm_start, x->norm_chars, b->norm + y->norm_start,
                                   y->norm_chars);
                    if (l > best) best = l;
                }
            }
            total += best;
            i++, j++;
        }
    }
    return total;
}

/* ---- the exact join ------------------------------------------------------- */

typedef struct token_count { uint64_t hash; uint32_t count; } token_count;

static int cmp_rank(const void *a, const void *b)
{
    const token_count *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? -1 : 1;
    return (x->hash > y->hash) - (x->hash < y->hash);
}

typedef struct posting { uint32_t doc, pos; } posting;

typedef struct by_size { size_t size, doc; } by_size;
static int cmp_size(const void *a, const void *b)
{
    const by_size *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

static size_t prefix_len(size_t n, double t)
{
    size_t need = (size_t)ceil(t * (double)n - 1e-9); /* rounded down when in doubt: longer prefix */
    return n - (need ? need : 1) + 1;
}

void truth_join(const uint64_t *const *sets, const size_t *sizes, size_t n, double floor,
                void (*emit)(void *ctx, size_t i, size_t j, size_t inter), void *ctx)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += sizes[i];
    /* token frequencies, then each token's rank: rarest first */
    uint64_t *all = gen_alloc(total, sizeof *all);
    for (size_t i = 0, at = 0; i < n; i++, at += sizes[i - 1]) memcpy(all + at, sets[i], sizes[i] * sizeof *all);
    qsort(all, total, sizeof *all, cmp_u64);
    size_t distinct = 0;
    token_count *tok = gen_alloc(total, sizeof *tok);
    for (size_t i = 0; i < total; i++) {
        if (distinct && tok[distinct - 1].hash == all[i]) tok[distinct - 1].count++;
        else tok[distinct++] = (token_count){all[i], 1};
    }
    free(all);
    token_count *by_hash = gen_alloc(distinct, sizeof *by_hash);
    memcpy(by_hash, tok, distinct * sizeof *tok);
    qsort(tok, distinct, sizeof *tok, cmp_rank);
    uint32_t *rank_of = gen_alloc(distinct, sizeof *rank_of); /* by hash order */
    for (size_t r = 0; r < distinct; r++) {
        token_count key = tok[r];
        token_count *hit = bsearch(&key.hash, by_hash, distinct, sizeof *by_hash, cmp_u64);
        rank_of[hit - by_hash] = (uint32_t)r;
    }
    free(tok);
    /* each set as sorted ranks */
    uint32_t **ranked = gen_alloc(n, sizeof *ranked);
    for (size_t i = 0; i < n; i++) {
        ranked[i] = gen_alloc(sizes[i], sizeof **ranked);
        for (size_t k = 0; k < sizes[i]; k++) {
            token_count *hit = bsearch(&sets[i][k], by_hash, distinct, sizeof *by_hash, cmp_u64);
            ranked[i][k] = rank_of[hit - by_hash];
        }
        qsort(ranked[i], sizes[i], sizeof **ranked, cmp_u32);
    }
    free(by_hash);
    free(rank_of);
    /* probe and index in order of size: every earlier set is no larger */
    by_size *order = gen_alloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) order[i] = (by_size){sizes[i], i};
    qsort(order, n, sizeof *order, cmp_size);
    posting **postings = gen_zalloc(distinct, sizeof *postings);
    uint32_t *plen = gen_zalloc(distinct, sizeof *plen), *pcap = gen_zalloc(distinct, sizeof *pcap);
    size_t *stamp = gen_alloc(n, sizeof *stamp), *cand = gen_alloc(n, sizeof *cand);
    long *overlap = gen_alloc(n, sizeof *overlap);
    for (size_t i = 0; i < n; i++) stamp[i] = SIZE_MAX;
    for (size_t oi = 0; oi < n; oi++) {
        size_t x = order[oi].doc, nx = sizes[x], ncand = 0;
        if (nx == 0) continue;
        size_t px = prefix_len(nx, floor);
        for (size_t i = 0; i < px; i++) {
            uint32_t r = ranked[x][i];
            for (uint32_t p = 0; p < plen[r]; p++) {
                size_t y = postings[r][p].doc, ny = sizes[y], j = postings[r][p].pos;
                if ((double)ny < floor * (double)nx - 1e-9) continue;
                if (stamp[y] != x) {
                    stamp[y] = x;
                    overlap[y] = 0;
                    cand[ncand++] = y;
                }
                if (overlap[y] < 0) continue; /* pruned */
                /* positional filter (PPJoin, Xiao et al., WWW 2008): the
                 * overlap so far plus all that is left must reach α */
                size_t alpha = (size_t)ceil(floor / (1 + floor) * (double)(nx + ny) - 1e-9);
                size_t rest = nx - i - 1 < ny - j - 1 ? nx - i - 1 : ny - j - 1;
                if ((size_t)overlap[y] + 1 + rest >= alpha) overlap[y]++;
                else overlap[y] = -1;
            }
        }
        for (size_t c = 0; c < ncand; c++) {
            size_t y = cand[c], ny = sizes[y], inter = 0, a = 0, b = 0;
            if (overlap[y] <= 0) continue;
            size_t alpha = (size_t)ceil(floor / (1 + floor) * (double)(nx + ny) - 1e-9);
            while (a < nx && b < ny) {
                if (inter + (nx - a < ny - b ? nx - a : ny - b) < alpha) break; /* cannot make it */
                if (ranked[x][a] < ranked[y][b]) a++;
                else if (ranked[x][a] > ranked[y][b]) b++;
                else inter++, a++, b++;
            }
            double j = (double)inter / (double)(nx + ny - inter);
            if (j >= floor) emit(ctx, x < y ? x : y, x < y ? y : x, inter);
        }
        /* indexed: the shorter prefix that any later, larger set needs */
        size_t need = (size_t)ceil(2 * floor / (1 + floor) * (double)nx - 1e-9);
        size_t ix = nx - (need ? need : 1) + 1;
        for (size_t k = 0; k < ix; k++) {
            uint32_t r = ranked[x][k];
            if (plen[r] == pcap[r]) {
                pcap[r] = pcap[r] ? 2 * pcap[r] : 4;
                postings[r] = gen_grow(postings[r], pcap[r], sizeof **postings);
            }
            postings[r][plen[r]++] = (posting){(uint32_t)x, (uint32_t)k};
        }
    }
    for (size_t r = 0; r < distinct; r++) free(postings[r]);
    free(postings);
    free(plen);
    free(pcap);
    free(stamp);
    free(cand);
    free(overlap);
    free(order);
    for (size_t i = 0; i < n; i++) free(ranked[i]);
    free(ranked);
}
