/*
 * index_remake.c — indexed documents made again from their stored texts
 * (normalized, shingled, sketched) so that a query verifies its candidate
 * pairs exactly, as a scan of index and batch together would.
 *
 * A candidate's text is read back from its segment: a zstd frame of
 * consecutive documents, checked (XXH3) and decompressed once for the
 * neighbours that follow it (documents are asked for in number order, so
 * neighbours share frames). Making a sketch costs what sketching the
 * document cost when it was indexed, so it is made once per distinct text:
 * near-duplicates come in families, and an archive that holds a text three
 * times is asked about all three copies at once. Identical texts (the same
 * bytes, compared, not only hashed) share one sketch, and a text that is
 * also a batch document's takes that document's sketch, already made.
 * A batch of 50,000 poems against an index that holds each three times
 * made 150,000 sketches and now makes none; each copy's counts are still
 * checked against its own record, so a changed normalization is caught as
 * before.
 */
#include "index.h"
#include "scan_internal.h"
#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* One document's text, read back and copied (the frame cache is reused). */
typedef struct text_copy {
    const fw_seg *seg;
    size_t pos;
    char *text;                /* a copy, unless `batch` */
    size_t len;
    uint64_t hash;             /* XXH3-64 of the text, as the scan hashes one */
    size_t same_as;            /* the first document with the same bytes
                                * (itself when none before it) */
    const fw_doc_record *batch; /* a batch document with the same bytes,
                                 * whose set is made (then no copy); or NULL */
    size_t raw_chars, shingles; /* what its text gave when sketched */
} text_copy;

typedef struct remake_scratch {
    fw_text_cache text;
    uint32_t *cps, *tcps;
    size_t cps_cap, tcps_cap;
    unsigned char *packed;
    size_t packed_cap;
    uint64_t *tmp;
    size_t tmp_cap;
} remake_scratch;

static void scratch_free(remake_scratch *w)
{
    fw_text_cache_free(&w->text);
    free(w->cps);
    free(w->tcps);
    free(w->packed);
    free(w->tmp);
}

/* Where document `number` is (t->seg, t->pos). */
static fw_status place_of(fw_index *ix, uint64_t number, text_copy *t, char *why, size_t why_size)
{
    if ((t->seg = fw_index_find_number(ix, number, &t->pos))) return FW_OK;
    snprintf(why, why_size, "document %llu is in a band file but not in its table",
             (unsigned long long)number);
    return FW_ERR_FORMAT;
}

typedef struct batch_texts batch_texts;
static const fw_doc_record *batch_find(const fw_scan *s, const batch_texts *b, uint64_t hash,
                                       const char *text, size_t len);

/* Its text: a batch document's with the same bytes when there is one
 * (`b`, NULL: none looked for), else a copy. */
static fw_status read_text(remake_scratch *w, const fw_scan *s, const batch_texts *b, text_copy *t,
                           char *why, size_t why_size)
{
    const char *text;
    fw_status st = fw_segment_text(t->seg, t->pos, &w->text, &text, &t->len, why, why_size);
    if (st != FW_OK) return st;
    t->hash = XXH3_64bits(text, t->len);
    if (b && (t->batch = batch_find(s, b, t->hash, text, t->len))) return FW_OK;
    if (!(t->text = malloc(t->len ? t->len : 1))) return FW_ERR_NOMEM;
    memcpy(t->text, text, t->len);
    return FW_OK;
}

/* Is t's text in the frame of the one before it? */
static int same_frame(const text_copy *t)
{
    return t[-1].seg == t[0].seg &&
           t[-1].seg->docs[t[-1].pos].text_at == t[0].seg->docs[t[0].pos].text_at;
}

/* Its shingle set and signature from its text (one allocation: the set,
 * then the signature). */
static fw_status remake(const fw_scan *s, remake_scratch *w, text_copy *t, fw_index_sketch *out)
{
    size_t chars;
    fw_status st = fw_normalize(s->normalizer, t->text, t->len, &w->cps, &w->cps_cap, &chars,
                                NULL);
    if (st != FW_OK) return st;
    const uint32_t *cps = w->cps;
    t->raw_chars = chars;
    if (s->tmpl) {
        if ((st = fw_template_apply(s->tmpl, w->cps, t->raw_chars, &w->tcps, &w->tcps_cap,
                                    &chars)) != FW_OK)
            return st;
        cps = w->tcps;
    }
    size_t n = fw_shingle_count(chars, s->opt.ngram), m = n ? n : 1;
    if (m > (SIZE_MAX - s->opt.perms * sizeof *out->sig) / sizeof *out->set) return FW_ERR_NOMEM;
    out->set = malloc(m * sizeof *out->set + s->opt.perms * sizeof *out->sig);
    if (!out->set ||
        !(w->packed = fw_grow_scratch(w->packed, &w->packed_cap, fw_shingle_packed_size(chars))) ||
        !(w->tmp = fw_grow_scratch(w->tmp, &w->tmp_cap, m * sizeof *w->tmp)))
        return FW_ERR_NOMEM;
    out->sig = (uint32_t *)(out->set + m);
    n = fw_shingle_hash_all(cps, chars, s->opt.ngram, s->opt.seed, out->set, w->packed);
    t->shingles = n;
    if (s->oph) fw_oph_compute(s->oph, out->set, n, out->sig);
    else fw_minhash_compute(s->minhasher, out->set, n, out->sig);
    out->nset = fw_shingle_set(out->set, n, w->tmp);
    return FW_OK;
}

/* Does the text still give what it gave when it was indexed? */
static fw_status check_counts(const text_copy *t, char *why, size_t why_size)
{
    const fw_seg_doc *d = &t->seg->docs[t->pos];
    if (t->raw_chars == d->chars && t->shingles == d->shingles) return FW_OK;
    snprintf(why, why_size, "%s: its text gives %zu characters and %zu shingles now, %llu and "
             "%llu when it was indexed: the normalization has changed",
             fw_segment_id(t->seg, t->pos), t->raw_chars, t->shingles,
             (unsigned long long)d->chars, (unsigned long long)d->shingles);
    return FW_ERR_FORMAT;
}

/* ------------------------------------------------------ identical texts */

typedef struct hash_at {
    uint64_t hash;
    size_t len, i;
} hash_at;

static int cmp_hash_at(const void *a, const void *b)
{
    const hash_at *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* t[i].same_as for every i: the first of the documents with its bytes (a
 * batch document's text is found for each that has one already). */
static fw_status find_repeats(text_copy *t, size_t n)
{
    hash_at *h = malloc((n ? n : 1) * sizeof *h);
    if (!h) return FW_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        t[i].same_as = i;
        if (!t[i].batch) h[m++] = (hash_at){t[i].hash, t[i].len, i};
    }
    n = m;
    qsort(h, n, sizeof *h, cmp_hash_at);
    for (size_t a = 0; a < n;) {
        size_t e = a + 1;
        while (e < n && h[e].hash == h[a].hash && h[e].len == h[a].len) e++;
        const text_copy *first = &t[h[a].i];
        for (size_t k = a; k < e; k++) {
            text_copy *x = &t[h[k].i];
            /* equal hashes of unequal texts: each is its own */
            x->same_as = memcmp(x->text, first->text, x->len) ? h[k].i : h[a].i;
        }
        a = e;
    }
    free(h);
    return FW_OK;
}

/* The batch documents whose sets are made (`made`, by input position),
 * by the hash of their texts, for the indexed texts to be found among. */
struct batch_texts {
    hash_at *v;
    size_t n;
};

static fw_status batch_texts_make(const fw_scan *s, const uint8_t *made, batch_texts *b)
{
    b->n = 0;
    b->v = malloc((s->ndocs ? s->ndocs : 1) * sizeof *b->v);
    if (!b->v) return FW_ERR_NOMEM;
    for (size_t i = 0; i < s->ndocs; i++) {
        const fw_doc_record *d = &s->docs[i];
        if (made[i] && d->text && d->sig && d->shingles)
            b->v[b->n++] = (hash_at){d->text_hash, d->bytes, i};
    }
    qsort(b->v, b->n, sizeof *b->v, cmp_hash_at);
    return FW_OK;
}

static const fw_doc_record *batch_find(const fw_scan *s, const batch_texts *b, uint64_t hash,
                                       const char *text, size_t len)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const hash_at *m = &b->v[mid];
        if (m->hash < hash || (m->hash == hash && m->len < len)) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < b->n && b->v[lo].hash == hash && b->v[lo].len == len; lo++) {
        const fw_doc_record *d = &s->docs[b->v[lo].i];
        if (!memcmp(d->text, text, len)) return d;
    }
    return NULL;
}

/* ---------------------------------------------------------------- all */

const fw_index_sketch *fw_index_sketch_find(const fw_index_sketch *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].number < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo].number == x ? &v[lo] : NULL;
}

/* The first failure of a parallel loop, its message kept. */
typedef struct first_failure {
    int st;
    char why[FW_INDEX_ERROR_SIZE];
} first_failure;

static void fail_once(first_failure *f, fw_status st, const char *why)
{
    #pragma omp critical
    {
        if (f->st == FW_OK) {
            snprintf(f->why, sizeof f->why, "%s", why);
            __atomic_store_n(&f->st, (int)st, __ATOMIC_RELAXED); /* read below, unlocked */
        }
    }
}

static int failed(const first_failure *f)
{
    return __atomic_load_n(&f->st, __ATOMIC_RELAXED) != FW_OK;
}

fw_status fw_index_sketch_docs_with(fw_index *ix, const fw_scan *s, fw_index_sketch *v, size_t n,
                                    const uint8_t *made, const fw_doc_record **same)
{
    text_copy *t = calloc(n ? n : 1, sizeof *t);
    size_t *run = malloc((n + 1) * sizeof *run), nruns = 0;
    batch_texts b = {0};
    first_failure f = {FW_OK, ""};
    if (!t || !run || (made && batch_texts_make(s, made, &b) != FW_OK)) f.st = FW_ERR_NOMEM;
    /* the documents of one frame (consecutive numbers) are one task, so
     * that each frame is checked and decompressed once */
    for (size_t i = 0; f.st == FW_OK && i < n; i++) {
        if ((f.st = place_of(ix, v[i].number, &t[i], f.why, sizeof f.why)) != FW_OK) break;
        if (!i || !same_frame(&t[i])) run[nruns++] = i;
    }
    if (run) run[nruns] = n;
    #pragma omp parallel num_threads(s->threads) if (f.st == FW_OK)
    {
        remake_scratch w = {0};
        char mine[FW_INDEX_ERROR_SIZE] = "";
        #pragma omp for schedule(dynamic, 1)
        for (size_t r = 0; r < nruns; r++)
            for (size_t i = run[r]; i < run[r + 1] && !failed(&f); i++) {
                fw_status e = read_text(&w, s, made ? &b : NULL, &t[i], mine, sizeof mine);
                if (e != FW_OK) fail_once(&f, e, mine);
            }
        scratch_free(&w);
    }
    if (f.st == FW_OK && find_repeats(t, n) != FW_OK) f.st = FW_ERR_NOMEM;
    /* one sketch per distinct text, a batch document's when it has one */
    #pragma omp parallel num_threads(s->threads) if (f.st == FW_OK)
    {
        remake_scratch w = {0};
        char mine[FW_INDEX_ERROR_SIZE] = "";
        #pragma omp for schedule(dynamic, 64)
        for (size_t i = 0; i < n; i++) {
            if (failed(&f) || t[i].same_as != i) continue;
            const fw_doc_record *d = t[i].batch;
            fw_status e = FW_OK;
            if (d) {
                t[i].raw_chars = d->chars;
                t[i].shingles = d->nshingles;
                v[i] = (fw_index_sketch){v[i].number, d->shingles, d->nset, d->sig, 1};
            } else {
                e = remake(s, &w, &t[i], &v[i]);
            }
            if (e == FW_OK) e = check_counts(&t[i], mine, sizeof mine);
            if (e != FW_OK) fail_once(&f, e, mine[0] ? mine : "");
        }
        scratch_free(&w);
    }
    for (size_t i = 0; f.st == FW_OK && i < n; i++) {
        const text_copy *first = &t[t[i].same_as];
        if (t[i].same_as == i) continue;
        const fw_index_sketch *k = &v[t[i].same_as];
        v[i] = (fw_index_sketch){v[i].number, k->set, k->nset, k->sig, 1};
        t[i].raw_chars = first->raw_chars;
        t[i].shingles = first->shingles;
        char why[FW_INDEX_ERROR_SIZE];
        fw_status e = check_counts(&t[i], why, sizeof why);
        if (e != FW_OK) fail_once(&f, e, why);
    }
    for (size_t i = 0; same && i < n; i++) same[i] = f.st == FW_OK ? t[i].batch : NULL;
    for (size_t i = 0; t && i < n; i++) free(t[i].text);
    free(t);
    free(run);
    free(b.v);
    if (f.st != FW_OK && f.why[0]) return fw_index_fail(ix, f.st, "%s", f.why);
    return f.st;
}

fw_status fw_index_sketch_docs(fw_index *ix, const fw_scan *s, fw_index_sketch *v, size_t n)
{
    return fw_index_sketch_docs_with(ix, s, v, n, NULL, NULL);
}

void fw_index_sketches_free(fw_index_sketch *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (!v[i].shared) free(v[i].set); /* the signature is in the same block */
    free(v);
}
