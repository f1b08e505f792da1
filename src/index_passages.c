/*
 * index_passages.c — the passage level of an index: the band keys of its
 * documents' passages, and a query's spans and reuse against them.
 *
 * The promise is the document level's: a query of batch B against an
 * index of A gives the rows of `fanwen scan A B --passage-model M` (M the
 * model the index learned from its first batch) that involve B. What a
 * scan finds about a document of B depends on three things only:
 *
 *   - its candidate passage pairs, made by LSH band by band: all pairs of
 *     a bucket up to FW_LSH_FULL_BUCKET members, else each member with the
 *     first (the passage of the smallest id, then the first passage). A
 *     bucket is known exactly from the segments' passage band files (every
 *     indexed passage with that key: document number and passage) and the
 *     batch's own passages;
 *   - each pair's verification (screen and alignment) and each passage's
 *     boilerplate decision, which with a model is the passage's and the
 *     model's alone (passage_known.c);
 *   - the spans and reuse of each pair of documents, made from that pair's
 *     matched passages, their boilerplate flags and their texts (spans.c).
 *
 * So the query screens its candidates on the segments' screen files
 * (screen_file.h: a pair turned away there fails the screen anyway), cuts
 * again the indexed documents the others name (from
 * their stored texts, with the model: the same passages, checked against
 * the number the segment recorded; an indexed copy of a batch document's
 * text takes that document's cut), puts them beside the batch's documents
 * in id order, and runs verification and spans over the candidates it
 * found (fw_passages_match_given). Groups, which need every document, are
 * not made: a query reports no passages.csv.
 */
#include "index.h"
#include "aligned_pack.h"
#include "aligned_text.h"
#include "arena.h"
#include "grow.h"
#include "lsh.h"
#include "measure.h"
#include "mix.h"
#include "passage_known.h"
#include "passage_match.h"
#include "passage_model.h"
#include "passage_prep.h"
#include "scan_internal.h"
#include "sort.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PK (FW_PASSAGE_BANDS * FW_PASSAGE_ROWS) /* values in a passage signature */

/* A passage as a query names it: document number << 32 | its position. */
#define MEMBER(number, k) ((uint64_t)(number) << 32 | (uint32_t)(k))
#define MEMBER_DOC(m) ((m) >> 32)
#define MEMBER_PASSAGE(m) ((uint32_t)(m))

/* ------------------------------------------------- the batch's passages */

fw_status fw_index_batch_passages(fw_index_result *r)
{
    const fw_scan *s = r->batch;
    if (!s->passage_minhasher) return FW_OK;
    if (!(r->bp_first = malloc((r->n + 1) * sizeof *r->bp_first))) return FW_ERR_NOMEM;
    if (s->passage_keys) { /* a batch that learned the model kept them, in its numbering */
        for (size_t i = 0; i < r->n; i++) r->bp_first[i] = s->passage.first[s->docs[i].rank];
        r->bp_total = s->passage.first[s->ndocs];
        r->bp_keys = s->passage_keys;
        r->bp_low = s->passage_low;
        r->batch->passage_keys = NULL; /* the result's now */
        r->batch->passage_low = NULL;
        return FW_OK;
    }
    /* else a batch cut with the index's model: not matched, so its
     * passages' signatures are still where the cut put them */
    if (!s->passages_cut_only) return FW_ERR_ARG; /* fw_index_batch_new() makes one or the other */
    r->bp_first[0] = 0;
    for (size_t i = 0; i < r->n; i++) r->bp_first[i + 1] = r->bp_first[i] + s->docs[i].npassages;
    const size_t np = r->bp_total = r->bp_first[r->n];
    if (!(r->bp_sigs = malloc((np ? np : 1) * PK * sizeof *r->bp_sigs)) ||
        !(r->bp_keys = malloc((np ? np : 1) * FW_PASSAGE_BANDS * sizeof *r->bp_keys)))
        return FW_ERR_NOMEM;
    #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 64)
    for (size_t i = 0; i < r->n; i++) {
        const fw_doc_record *d = &s->docs[i];
        for (uint32_t k = 0; k < d->npassages; k++) {
            const fw_passage *p = &d->passages[k];
            const size_t at = r->bp_first[i] + k;
            fw_passage_value *sig = r->bp_sigs + at * PK;
            if (!p->sig) { /* no text: no keys either (batch_band leaves it out) */
                memset(sig, 0, PK * sizeof *sig);
                continue;
            }
            memcpy(sig, p->sig, PK * sizeof *sig);
            fw_passage_band_keys(sig, FW_PASSAGE_BANDS, FW_PASSAGE_ROWS,
                                 r->bp_keys + at * FW_PASSAGE_BANDS);
        }
    }
    return FW_OK;
}

/* The screen record of batch document i's (input position) passage k. */
static void batch_screen_record(const fw_index_result *r, size_t i, uint32_t k,
                                fw_screen_record *out)
{
    const size_t at = r->bp_first[i] + k;
    const uint32_t clen = r->batch->docs[i].passages[k].clen;
    if (r->bp_sigs) {
        fw_screen_record_make(r->bp_sigs + at * PK, clen, out);
    } else {
        memcpy(out->low, r->bp_low + at * PK, PK);
        out->clen = clen;
    }
}

/* The batch's passages with text in member order (document id, then
 * position), and their band keys band by band: each band's records are
 * then made by reading two arrays in order, where the keys as kept (a
 * passage's 32 together) would be read 128 bytes apart. */
typedef struct passage_columns {
    uint64_t *member;          /* m of them, increasing */
    uint32_t *ordinal;         /* or their ordinals in the batch's segment
                                * (its passages in number order, those
                                * without text counted too), increasing */
    uint32_t *keys;            /* band b's at keys[b * m ...] */
    size_t m;
    uint64_t total;            /* the batch's passages, those without text too */
} passage_columns;

static void columns_free(passage_columns *c)
{
    free(c->member);
    free(c->ordinal);
    free(c->keys);
    *c = (passage_columns){0};
}

/* The columns, with members or (`ordinals`) ordinals. */
static fw_status columns_make(const fw_index_result *r, int ordinals, passage_columns *c)
{
    const fw_scan *s = r->batch;
    *c = (passage_columns){0};
    /* where document `pos`'s start in the columns, and its first ordinal */
    size_t *at = malloc((r->n + 1) * sizeof *at);
    uint64_t *first = malloc((r->n + 1) * sizeof *first);
    if (!at || !first) {
        free(at);
        free(first);
        return FW_ERR_NOMEM;
    }
    at[0] = 0;
    first[0] = 0;
    for (size_t pos = 0; pos < r->n; pos++) {
        const fw_doc_record *d = &s->docs[r->order[pos]];
        size_t k = 0;
        for (uint32_t j = 0; j < d->npassages; j++) k += d->passages[j].clen != 0;
        at[pos + 1] = at[pos] + k;
        first[pos + 1] = first[pos] + d->npassages;
    }
    const size_t m = c->m = at[r->n];
    c->total = first[r->n];
    fw_status st = FW_OK;
    if (m > UINT32_MAX || first[r->n] > UINT32_MAX) { /* numbered in 32 bits */
        st = FW_ERR_ARG;
    } else {
        if (ordinals) c->ordinal = malloc((m ? m : 1) * sizeof *c->ordinal);
        else c->member = malloc((m ? m : 1) * sizeof *c->member);
        c->keys = m > SIZE_MAX / FW_PASSAGE_BANDS / sizeof *c->keys
                      ? NULL
                      : malloc((m ? m : 1) * FW_PASSAGE_BANDS * sizeof *c->keys);
        if ((!c->member && !c->ordinal) || !c->keys) st = FW_ERR_NOMEM;
    }
    if (st == FW_OK) {
        #pragma omp parallel for num_threads(s->threads) schedule(dynamic, 256)
        for (size_t pos = 0; pos < r->n; pos++) {
            size_t i = r->order[pos], o = at[pos];
            const fw_doc_record *d = &s->docs[i];
            const uint32_t *keys = r->bp_keys + r->bp_first[i] * FW_PASSAGE_BANDS;
            for (uint32_t k = 0; k < d->npassages; k++, keys += FW_PASSAGE_BANDS) {
                if (!d->passages[k].clen) continue;
                if (ordinals) c->ordinal[o] = (uint32_t)(first[pos] + k);
                else c->member[o] = MEMBER(r->base + pos, k);
                for (unsigned b = 0; b < FW_PASSAGE_BANDS; b++) c->keys[b * m + o] = keys[b];
                o++;
            }
        }
    }
    free(at);
    free(first);
    if (st != FW_OK) columns_free(c);
    return st;
}

/* One band's records (key, member), sorted by key then member, into rec
 * (tmp: as many records, scratch); returns how many (c->m). */
static size_t batch_band_into(const passage_columns *c, unsigned band, fw_band_record *rec,
                              fw_band_record *tmp)
{
    const size_t m = c->m;
    const uint32_t *keys = c->keys + band * m;
    /* key << 32 | place: a stable sort by key keeps the places, and so
     * the members, increasing within a key */
    uint64_t *v = (uint64_t *)tmp, *scratch = v + m;
    for (size_t j = 0; j < m; j++) v[j] = (uint64_t)keys[j] << 32 | j;
    fw_sort_by_high32(v, scratch, m);
    for (size_t j = 0; j < m; j++) rec[j] = (fw_band_record){v[j] >> 32, c->member[(uint32_t)v[j]]};
    return m;
}

/* The screen file of the batch's segment: a record for each passage, in
 * ordinal order (its documents in number order, then position). */
static fw_status write_screen(fw_index *ix, const fw_manifest_segment *seg,
                              const fw_index_result *r, uint64_t model_sum, uint64_t total)
{
    fw_screen_writer *w;
    fw_status st = fw_index_screen_writer(ix, seg, model_sum, total, &w);
    if (st != FW_OK) return st;
    fw_screen_record rec;
    for (size_t pos = 0; pos < r->n && st == FW_OK; pos++) {
        const size_t i = r->order[pos];
        for (uint32_t k = 0; k < r->batch->docs[i].npassages && st == FW_OK; k++) {
            batch_screen_record(r, i, k, &rec);
            st = fw_screen_writer_add(w, &rec, 1);
        }
    }
    if (st == FW_OK) st = fw_screen_writer_finish(w);
    if (st != FW_OK && !ix->error[0]) fw_index_fail(ix, st, "%s", fw_screen_writer_error(w));
    fw_screen_writer_free(w);
    return st;
}

fw_status fw_index_write_passage_bands(fw_index *ix, const fw_manifest_segment *seg,
                                       const fw_index_result *r, uint64_t model_sum, int threads)
{
    passage_columns c;
    fw_status st = columns_make(r, 1, &c);
    if (st != FW_OK) return st;
    fw_band_writer *w;
    if ((st = fw_index_band_writer(ix, seg, 1, model_sum, c.total, &w)) != FW_OK) {
        columns_free(&c);
        return st;
    }
    /* a band a thread made and sorted at once, written in order: each
     * record key << 32 | ordinal, which is how a narrow file stores it (a
     * stable sort by key keeps the ordinals increasing within a key) */
    const unsigned group = (unsigned)(threads > 0 ? threads : 1);
    const size_t m = c.m ? c.m : 1;
    uint64_t *v = st == FW_OK ? malloc(2 * group * m * sizeof *v) : NULL;
    if (st == FW_OK && !v) st = FW_ERR_NOMEM;
    for (unsigned b0 = 0; b0 < FW_PASSAGE_BANDS && st == FW_OK; b0 += group) {
        unsigned nb = FW_PASSAGE_BANDS - b0 < group ? FW_PASSAGE_BANDS - b0 : group;
        #pragma omp parallel for num_threads(group) schedule(static, 1)
        for (unsigned j = 0; j < nb; j++) {
            uint64_t *mine = v + 2 * j * m;
            const uint32_t *keys = c.keys + (size_t)(b0 + j) * c.m;
            for (size_t i = 0; i < c.m; i++) mine[i] = (uint64_t)keys[i] << 32 | c.ordinal[i];
            fw_sort_by_high32(mine, mine + m, c.m);
        }
        for (unsigned j = 0; j < nb && st == FW_OK; j++)
            st = fw_band_writer_add_narrow(w, b0 + j, v + 2 * j * m, c.m);
    }
    const uint64_t total = c.total;
    columns_free(&c);
    free(v);
    if (st == FW_OK) st = fw_band_writer_finish(w);
    if (st != FW_OK && !ix->error[0]) fw_index_fail(ix, st, "%s", fw_band_writer_error(w));
    fw_band_writer_free(w); /* unfinished: its temporary file removed */
    return st == FW_OK ? write_screen(ix, seg, r, model_sum, total) : st;
}

/* ------------------------------------------------------ the candidates */

/* An indexed passage, until the candidates are screened: its segment g
 * and its ordinal there, g << 32 | ordinal. g is below the batch's first
 * number (every segment holds a document), so this sorts before every
 * batch member as the member it stands for does, and among indexed
 * passages in the same order (segments hold ascending numbers, ordinals
 * follow them): pairs sorted and made distinct stay so when named. A
 * copied passage meets its source in up to 32 bands; naming it once, not
 * once a band, was 5% of a query of copies (fw_segment_passage). */
#define RAW(g, ordinal) ((uint64_t)(g) << 32 | (ordinal))

/* The member an indexed passage's RAW value stands for (its ordinal
 * checked by band_candidates). */
static uint64_t indexed_member(const fw_index *ix, uint64_t raw)
{
    uint64_t m = 0;
    fw_segment_passage(&ix->segs[raw >> 32], (uint32_t)raw, &m);
    return m;
}

/* The candidate pairs as they are found, each (member, member) with the
 * smaller first, an indexed one as its RAW value. A copied passage meets
 * its source in up to 32 bands, so the pairs are sorted (a radix sort of
 * 16-byte records) and made distinct whenever they have doubled: repeats
 * never pile up. */
typedef struct pair_vec {
    fw_band_record *v;         /* key, item: the two members */
    size_t len, cap, distinct; /* the distinct ones at the last fold */
} pair_vec;

static int fold_pairs(pair_vec *p)
{
    fw_band_record *tmp = malloc((p->len ? p->len : 1) * sizeof *tmp);
    if (!tmp) return 0;
    fw_band_records_sort(p->v, tmp, p->len);
    free(tmp);
    size_t u = 0;
    for (size_t i = 0; i < p->len; i++)
        if (!u || p->v[u - 1].key != p->v[i].key || p->v[u - 1].item != p->v[i].item)
            p->v[u++] = p->v[i];
    p->len = p->distinct = u;
    return 1;
}

static int push_pair(pair_vec *p, uint64_t x, uint64_t y)
{
    if (p->len >= 2 * p->distinct + (1u << 20) && !fold_pairs(p)) return 0;
    if (!fw_grow(&p->v, &p->cap, p->len + 1, sizeof *p->v, 1024)) return 0;
    p->v[p->len++] = x < y ? (fw_band_record){x, y} : (fw_band_record){y, x};
    return 1;
}

/* Leaves out the candidates whose screen records fail the screen, before
 * any indexed document is cut for them: they fail it with their values
 * too (screen_file.h), so the pairs aligned, and every row, are the same.
 * Chance collisions, most of the candidates, then cost 68 bytes read each
 * instead of a document's text decompressed, normalized and cut. A
 * segment without a screen file (written by an earlier fanwen) keeps its
 * candidates: they are screened once cut. */
static fw_status screen_candidates(fw_index *ix, const fw_index_result *r, pair_vec *pairs)
{
    const size_t n = pairs->len;
    uint8_t *keep = malloc(n ? n : 1);
    if (!keep) return FW_ERR_NOMEM;
    int failed = FW_OK;
    const fw_seg *bad = NULL; /* whose screen file failed, or which lacks a passage */
    #pragma omp parallel for num_threads(r->batch->threads) schedule(dynamic, 1024)
    for (size_t i = 0; i < n; i++) {
        int stop;
        #pragma omp atomic read
        stop = failed;
        keep[i] = 0;
        if (stop) continue;
        const uint64_t m[2] = {pairs->v[i].key, pairs->v[i].item};
        fw_screen_record own[2];
        const fw_screen_record *rec[2];
        int indexed = 0, unscreened = 0; /* a segment without a screen file */
        fw_status st = FW_OK;
        for (int j = 0; j < 2 && st == FW_OK; j++) {
            const uint64_t number = MEMBER_DOC(m[j]);
            const uint32_t k = MEMBER_PASSAGE(m[j]);
            if (number >= r->base) {
                batch_screen_record(r, r->order[number - r->base], k, &own[j]);
                rec[j] = &own[j];
                continue;
            }
            indexed = 1; /* RAW: segment, ordinal */
            const fw_seg *seg = &ix->segs[number];
            if (!seg->pscreen) {
                unscreened = 1;
                break;
            }
            if ((st = fw_screen_file_get(seg->pscreen, k, &rec[j])) != FW_OK) {
                #pragma omp critical
                bad = seg;
            }
        }
        keep[i] = st == FW_OK && (!indexed || unscreened || !fw_screen_fails(rec[0], rec[1]));
        if (st != FW_OK) {
            #pragma omp atomic write
            failed = st;
        }
    }
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i]) pairs->v[u++] = pairs->v[i];
    pairs->len = pairs->distinct = u;
    free(keep);
    if (failed != FW_OK && bad && fw_screen_file_error(bad->pscreen)[0])
        fw_index_fail(ix, (fw_status)failed, "%s", fw_screen_file_error(bad->pscreen));
    else if (failed != FW_OK)
        fw_index_fail(ix, (fw_status)failed, "%s: a passage's screen record cannot be read",
                      bad ? bad->name : "?");
    return (fw_status)failed;
}

/* The screened candidates' indexed passages named as members (number <<
 * 32 | passage) in place of their RAW values: the order stays (RAW). */
static void name_indexed(const fw_index *ix, const fw_index_result *r, pair_vec *pairs)
{
    const uint64_t batch = r->base;
    #pragma omp parallel for num_threads(r->batch->threads) schedule(static)
    for (size_t i = 0; i < pairs->len; i++) {
        fw_band_record *p = &pairs->v[i];
        if (MEMBER_DOC(p->key) < batch) p->key = indexed_member(ix, p->key);
        if (MEMBER_DOC(p->item) < batch) p->item = indexed_member(ix, p->item);
    }
}

/* Does member x come before y in the scan's order: by id, then passage? */
static int before(const fw_index_result *r, uint64_t x, uint64_t y)
{
    if (MEMBER_DOC(x) != MEMBER_DOC(y)) {
        int c = strcmp(fw_index_result_id(r, MEMBER_DOC(x)), fw_index_result_id(r, MEMBER_DOC(y)));
        return c < 0;
    }
    return MEMBER_PASSAGE(x) < MEMBER_PASSAGE(y);
}

/* One bucket: the indexed passages `a` (na, RAW) and the batch's members
 * `b` (nb), the pairs LSH makes of them that involve the batch. */
static int bucket_pairs(const fw_index *ix, const fw_index_result *r, const uint64_t *a,
                        size_t na, const uint64_t *b, size_t nb, pair_vec *out)
{
    const size_t m = na + nb;
    if (m < 2) return 1;
    if (m <= FW_LSH_FULL_BUCKET) {
        for (size_t j = 0; j < nb; j++) {
            for (size_t i = 0; i < na; i++)
                if (!push_pair(out, a[i], b[j])) return 0;
            for (size_t i = j + 1; i < nb; i++)
                if (!push_pair(out, b[j], b[i])) return 0;
        }
        return 1;
    }
    /* a star around the first member (compared as members, kept RAW) */
    uint64_t first = na ? a[0] : b[0], first_member = na ? indexed_member(ix, a[0]) : b[0];
    int first_batch = !na;
    for (size_t i = 1; i < na; i++) {
        uint64_t member = indexed_member(ix, a[i]);
        if (before(r, member, first_member)) {
            first = a[i];
            first_member = member;
        }
    }
    for (size_t j = 0; j < nb; j++)
        if (before(r, b[j], first_member)) {
            first = first_member = b[j];
            first_batch = 1;
        }
    if (first_batch)
        for (size_t i = 0; i < na; i++)
            if (!push_pair(out, first, a[i])) return 0;
    for (size_t j = 0; j < nb; j++)
        if (b[j] != first && !push_pair(out, first, b[j])) return 0;
    return 1;
}

/* A thread's own of find_candidates(): its bands' pairs, and scratch. */
typedef struct band_pairs {
    pair_vec pairs;
    uint64_t *a, *b;
    size_t acap, bcap;
} band_pairs;

typedef struct lookup_ctx {
    const fw_index_result *r;
    const passage_columns *c;
} lookup_ctx;

static fw_status band_candidates(fw_index *ix, const void *ctx, unsigned band,
                                 fw_lookup_worker *w)
{
    const lookup_ctx *x = ctx;
    band_pairs *p = w->own;
    const int removals = ix->nremoved != 0;
    size_t n = batch_band_into(x->c, band, w->rec, w->tmp);
    const fw_band_record *rec = w->rec;
    for (size_t s0 = 0; s0 < n;) {
        size_t e = s0 + 1;
        while (e < n && rec[e].key == rec[s0].key) e++;
        size_t na = 0, nb = e - s0;
        if (!fw_grow(&p->b, &p->bcap, nb, sizeof *p->b, 64)) return FW_ERR_NOMEM;
        for (size_t j = 0; j < nb; j++) p->b[j] = rec[s0 + j].item;
        for (size_t g = 0; g < ix->man.nsegs; g++) {
            const fw_band_record *found;
            size_t nf;
            fw_status st = fw_band_cursor_find(&w->cur[g], rec[s0].key, &found, &nf);
            if (st != FW_OK) {
                w->failed_seg = g;
                return st;
            }
            if (!fw_grow(&p->a, &p->acap, na + nf, sizeof *p->a, 64)) return FW_ERR_NOMEM;
            const fw_seg *seg = &ix->segs[g];
            const uint64_t held = seg->pfirst[seg->ndocs]; /* the segment's passages */
            for (size_t i = 0; i < nf; i++) { /* ordinals, kept RAW */
                if (found[i].item >= held) {
                    w->failed_seg = g;
                    return FW_ERR_FORMAT; /* reported as its file's */
                }
                if (removals && fw_index_is_removed(ix, MEMBER_DOC(indexed_member(
                                                           ix, RAW(g, found[i].item)))))
                    continue;
                p->a[na++] = RAW(g, found[i].item);
            }
        }
        if (!bucket_pairs(ix, x->r, p->a, na, p->b, nb, &p->pairs)) return FW_ERR_NOMEM;
        s0 = e;
    }
    return FW_OK;
}

/* Every candidate pair involving the batch: each distinct key of the
 * batch's passages looked up in every segment's passage band file (the
 * removed documents left out), the bands in parallel, each in key order. */
static fw_status find_candidates(fw_index *ix, const fw_index_result *r, pair_vec *out)
{
    const int nw = r->batch->threads > 0 ? r->batch->threads : 1;
    passage_columns c;
    fw_status st = columns_make(r, 0, &c);
    if (st != FW_OK) return st;
    band_pairs *p = calloc((size_t)nw, sizeof *p);
    void **own = calloc((size_t)nw, sizeof *own);
    if (!p || !own) st = FW_ERR_NOMEM;
    for (int t = 0; own && p && t < nw; t++) own[t] = &p[t];
    lookup_ctx x = {r, &c};
    if (st == FW_OK)
        st = fw_index_lookup_bands(ix, 1, FW_PASSAGE_BANDS, nw, c.m, band_candidates, &x, own);
    /* the threads' pairs into one vector */
    size_t total = 0;
    for (int t = 0; p && st == FW_OK && t < nw; t++) total += p[t].pairs.len;
    if (st == FW_OK && !fw_grow(&out->v, &out->cap, out->len + total + 1, sizeof *out->v, 1024))
        st = FW_ERR_NOMEM;
    for (int t = 0; p && st == FW_OK && t < nw; t++) {
        if (p[t].pairs.len)
            memcpy(out->v + out->len, p[t].pairs.v, p[t].pairs.len * sizeof *out->v);
        out->len += p[t].pairs.len;
    }
    for (int t = 0; p && t < nw; t++) {
        free(p[t].pairs.v);
        free(p[t].a);
        free(p[t].b);
    }
    free(p);
    free(own);
    columns_free(&c);
    return st;
}

/* ------------------------------------------- the indexed documents' side */

/* An indexed document a candidate names, cut again from its stored text. */
typedef struct cut_doc {
    uint64_t number;
    fw_passage *passages;       /* in the arena, signatures too */
    uint32_t npassages, naligned;
    unsigned char *packed;      /* its aligned text, packed (malloc'ed) */
    size_t batch;               /* 1 + the input position of a batch document
                                 * with the same text, whose passages, aligned
                                 * text and signatures these are; 0: cut */
} cut_doc;


/* One indexed document cut again into out, with this thread's buffers. */
static fw_status cut_one(fw_index *ix, const fw_scan *s, uint64_t number, fw_text_cache *cache,
                         fw_cut_scratch *sc, fw_arena *arena, cut_doc *out, char *why,
                         size_t why_size)
{
    size_t pos;
    const fw_seg *seg = fw_index_find_number(ix, number, &pos);
    const char *text;
    size_t len;
    if (!seg) {
        snprintf(why, why_size, "document %llu is in no segment", (unsigned long long)number);
        return FW_ERR_FORMAT;
    }
    fw_status st = fw_segment_text(seg, pos, cache, &text, &len, why, why_size);
    if (st != FW_OK) return st;
    fw_cut_result cut;
    if ((st = fw_scan_cut_text(s, sc, text, len, fw_arena_alloc_in, arena, &cut)) != FW_OK) {
        snprintf(why, why_size, "cutting %s again: %s", fw_segment_id(seg, pos),
                 fw_status_str(st));
        return st;
    }
    if (cut.npassages != seg->docs[pos].passages) {
        snprintf(why, why_size,
                 "%s: the text of %s gives %u passages now, %u when it was indexed (damaged, "
                 "or indexed by another version)",
                 seg->name, fw_segment_id(seg, pos), cut.npassages, seg->docs[pos].passages);
        return FW_ERR_FORMAT;
    }
    uint32_t flags;
    size_t size = fw_aligned_packed_size(cut.aligned, cut.aligned_offsets, cut.naligned, &flags);
    *out = (cut_doc){number, cut.passages, cut.npassages, (uint32_t)cut.naligned, NULL, 0};
    if (!(out->packed = aligned_alloc(16, (size + 15) & ~(size_t)15))) {
        snprintf(why, why_size, "out of memory");
        return FW_ERR_NOMEM;
    }
    fw_aligned_pack(cut.aligned, cut.aligned_offsets, cut.naligned, flags, out->packed);
    return FW_OK;
}

/* An indexed document whose text is batch document `pos`'s: that
 * document's cut (the same model, the same bytes), checked against the
 * passages the segment recorded. */
static fw_status copy_cut(fw_index *ix, const fw_scan *s, uint64_t number, size_t pos,
                          cut_doc *out, char *why, size_t why_size)
{
    size_t at;
    const fw_seg *seg = fw_index_find_number(ix, number, &at);
    const fw_doc_record *d = &s->docs[pos];
    if (!seg || d->npassages != seg->docs[at].passages) {
        snprintf(why, why_size, "document %llu: its text gives %u passages now, %u when it was "
                 "indexed (damaged, or indexed by another version)", (unsigned long long)number,
                 d->npassages, seg ? seg->docs[at].passages : 0);
        return FW_ERR_FORMAT;
    }
    *out = (cut_doc){number, d->passages, d->npassages, (uint32_t)d->naligned, d->aligned,
                     pos + 1};
    return FW_OK;
}

/* The documents of `numbers` (sorted), cut as the batch cut its own, on
 * the batch's threads, each a run of neighbours (which share frames of
 * texts) at a time; each must give the passages the segment recorded when
 * it was added. A copy of a batch document's text takes that document's
 * cut. arenas: one a thread (s->threads), freed by the caller. */
static fw_status cut_indexed(fw_index *ix, const fw_index_result *r, const uint64_t *numbers,
                             size_t n, fw_arena *arenas, cut_doc *out)
{
    const fw_scan *s = r->batch;
    int failed = FW_OK;
    char first_why[FW_INDEX_ERROR_SIZE] = "";
    #pragma omp parallel num_threads(s->threads)
    {
        fw_text_cache cache = {0};
        fw_cut_scratch sc = {0};
        fw_arena *arena = &arenas[omp_get_thread_num()];
        char why[FW_INDEX_ERROR_SIZE];
        #pragma omp for schedule(dynamic, 32)
        for (size_t i = 0; i < n; i++) {
            int stop;
            #pragma omp atomic read
            stop = failed;
            if (stop) continue;
            size_t c = fw_search_u64(r->copy_number, r->ncopies, numbers[i]);
            fw_status st = c < r->ncopies && r->copy_number[c] == numbers[i]
                               ? copy_cut(ix, s, numbers[i], r->copy_pos[c], &out[i], why,
                                          sizeof why)
                               : cut_one(ix, s, numbers[i], &cache, &sc, arena, &out[i], why,
                                         sizeof why);
            if (st != FW_OK) {
                #pragma omp critical
                if (!failed) {
                    failed = st;
                    snprintf(first_why, sizeof first_why, "%s", why);
                }
            }
        }
        fw_text_cache_free(&cache);
        fw_cut_scratch_free(&sc);
    }
    if (failed) fw_index_fail(ix, (fw_status)failed, "%s", first_why);
    return (fw_status)failed;
}

/* ------------------------------------------------------------ the query */

/* A document of the query's corpus: the batch's (input position) or an
 * indexed one (in cut_doc). */
typedef struct local_doc {
    uint64_t number;
    const char *id;
    int batch;
    size_t at;          /* input position, or index in the cut documents */
} local_doc;

static int by_id(const void *x, const void *y)
{
    return strcmp(((const local_doc *)x)->id, ((const local_doc *)y)->id);
}

/* The query's corpus: the batch's documents and the indexed ones its
 * candidates name, in id order (local numbers), as a fw_passage_corpus
 * takes them. */
typedef struct query_corpus {
    size_t nd;
    local_doc *docs;
    size_t *loc_batch, *loc_cut;   /* input position / cut index -> local */
    fw_passage **pass;
    uint32_t *npass, *len;
    const unsigned char **packed;
    uint64_t *first;               /* nd + 1: local passage numbers */
    fw_passage_value *flat;        /* every passage's signature, side by side */
} query_corpus;

static void query_corpus_free(query_corpus *q)
{
    free(q->docs);
    free(q->loc_batch);
    free(q->loc_cut);
    free(q->pass);
    free(q->npass);
    free(q->len);
    free(q->packed);
    free(q->first);
    free(q->flat);
    memset(q, 0, sizeof *q);
}

/* The indexed documents the (folded) pairs name, sorted, distinct. */
static fw_status indexed_numbers(const fw_index_result *r, const pair_vec *pairs, uint64_t **out,
                                 size_t *n)
{
    uint64_t *v = malloc((2 * pairs->len + 1) * sizeof *v);
    size_t m = 0;
    if (!v) return FW_ERR_NOMEM;
    for (size_t i = 0; i < pairs->len; i++) {
        if (MEMBER_DOC(pairs->v[i].key) < r->base) v[m++] = MEMBER_DOC(pairs->v[i].key);
        if (MEMBER_DOC(pairs->v[i].item) < r->base) v[m++] = MEMBER_DOC(pairs->v[i].item);
    }
    if (!fw_sort_unique_u64(v, &m)) {
        free(v);
        return FW_ERR_NOMEM;
    }
    *out = v;
    *n = m;
    return FW_OK;
}

/* The corpus of the batch's documents and the cut ones (anum[i] cut[i]):
 * the batch's are in id order already (numbered so), the indexed ones are
 * sorted and both merged. */
static fw_status gather_corpus(const fw_index_result *r, const uint64_t *anum, const cut_doc *cut,
                               size_t na, query_corpus *q)
{
    const fw_scan *s = r->batch;
    const size_t nd = q->nd = r->n + na, m = nd ? nd : 1;
    local_doc *ixd = malloc((na ? na : 1) * sizeof *ixd);
    q->docs = malloc(m * sizeof *q->docs);
    q->loc_batch = malloc((r->n ? r->n : 1) * sizeof *q->loc_batch);
    q->loc_cut = malloc((na ? na : 1) * sizeof *q->loc_cut);
    q->pass = malloc(m * sizeof *q->pass);
    q->npass = malloc(m * sizeof *q->npass);
    q->len = malloc(m * sizeof *q->len);
    q->packed = malloc(m * sizeof *q->packed);
    q->first = malloc((nd + 1) * sizeof *q->first);
    if (!ixd || !q->docs || !q->loc_batch || !q->loc_cut || !q->pass || !q->npass || !q->len ||
        !q->packed || !q->first) {
        free(ixd);
        return FW_ERR_NOMEM;
    }
    for (size_t i = 0; i < na; i++)
        ixd[i] = (local_doc){anum[i], fw_index_result_id(r, anum[i]), 0, i};
    qsort(ixd, na, sizeof *ixd, by_id);
    for (size_t pos = 0, i = 0, l = 0; l < nd; l++) {
        local_doc b = {0};
        if (pos < r->n)
            b = (local_doc){r->base + pos, fw_index_result_id(r, r->base + pos), 1,
                            r->order[pos]};
        if (pos < r->n && (i == na || strcmp(b.id, ixd[i].id) < 0)) {
            q->docs[l] = b;
            pos++;
        } else {
            q->docs[l] = ixd[i++];
        }
    }
    free(ixd);
    q->first[0] = 0;
    for (size_t l = 0; l < nd; l++) {
        if (q->docs[l].batch) {
            const fw_doc_record *d = &s->docs[q->docs[l].at];
            q->loc_batch[q->docs[l].at] = l;
            q->pass[l] = d->passages;
            q->npass[l] = d->npassages;
            q->len[l] = d->naligned;
            q->packed[l] = d->aligned;
        } else {
            const cut_doc *c = &cut[q->docs[l].at];
            q->loc_cut[q->docs[l].at] = l;
            q->pass[l] = c->passages;
            q->npass[l] = c->npassages;
            q->len[l] = c->naligned;
            q->packed[l] = c->packed;
        }
        q->first[l + 1] = q->first[l] + q->npass[l];
    }
    const size_t np = q->first[nd];
    if (np > UINT32_MAX) return FW_ERR_ARG;
    if (!(q->flat = malloc((np ? np : 1) * PK * sizeof *q->flat))) return FW_ERR_NOMEM;
    for (size_t l = 0; l < nd; l++) {
        fw_passage_value *to = q->flat + q->first[l] * PK;
        if (q->docs[l].batch) {
            if (q->npass[l])
                memcpy(to, r->bp_sigs + r->bp_first[q->docs[l].at] * PK,
                       (size_t)q->npass[l] * PK * sizeof *to);
            continue;
        }
        const cut_doc *c = &cut[q->docs[l].at];
        if (c->batch) { /* a batch document's cut: its signatures */
            if (q->npass[l])
                memcpy(to, r->bp_sigs + r->bp_first[c->batch - 1] * PK,
                       (size_t)q->npass[l] * PK * sizeof *to);
            continue;
        }
        for (uint32_t k = 0; k < q->npass[l]; k++, to += PK) {
            if (q->pass[l][k].sig) memcpy(to, q->pass[l][k].sig, PK * sizeof *to);
            else memset(to, 0, PK * sizeof *to);
        }
    }
    return FW_OK;
}

/* The candidates in the corpus's passage numbers, a < b, sorted, distinct
 * (*cand malloc'ed, *nc of them). */
static fw_status map_candidates(const fw_index_result *r, const pair_vec *pairs,
                                const uint64_t *anum, size_t na, const query_corpus *q,
                                fw_pair **cand, size_t *nc)
{
    /* an indexed document's place: a hash of its number (a binary search,
     * a cache miss a step, was most of a large batch's time here) */
    size_t slots = 16;
    while (slots < 2 * na) slots *= 2;
    uint64_t *slot_key = malloc(slots * sizeof *slot_key);
    uint32_t *slot_loc = malloc(slots * sizeof *slot_loc);
    /* packed a << 32 | b to be sorted by radix, then rewritten in place */
    uint64_t *packed = malloc((pairs->len ? pairs->len : 1) * sizeof *packed);
    size_t n = 0;
    fw_status st = slot_key && slot_loc && packed ? FW_OK : FW_ERR_NOMEM;
    for (size_t i = 0; st == FW_OK && i < slots; i++) slot_key[i] = UINT64_MAX;
    for (size_t i = 0; st == FW_OK && i < na; i++) {
        size_t h = fw_mix64(anum[i]) & (slots - 1);
        while (slot_key[h] != UINT64_MAX) h = (h + 1) & (slots - 1);
        slot_key[h] = anum[i];
        slot_loc[h] = (uint32_t)q->loc_cut[i];
    }
    for (size_t i = 0; st == FW_OK && i < pairs->len; i++) {
        uint64_t m[2] = {pairs->v[i].key, pairs->v[i].item};
        uint32_t p[2];
        for (int j = 0; j < 2; j++) {
            uint64_t number = MEMBER_DOC(m[j]);
            size_t l;
            if (number >= r->base) {
                l = q->loc_batch[r->order[number - r->base]];
            } else {
                size_t h = fw_mix64(number) & (slots - 1);
                while (slot_key[h] != number) h = (h + 1) & (slots - 1);
                l = slot_loc[h];
            }
            p[j] = (uint32_t)(q->first[l] + MEMBER_PASSAGE(m[j]));
        }
        if (p[0] == p[1]) continue;
        packed[n++] = p[0] < p[1] ? (uint64_t)p[0] << 32 | p[1] : (uint64_t)p[1] << 32 | p[0];
    }
    if (st == FW_OK && !fw_sort_unique_u64(packed, &n)) st = FW_ERR_NOMEM;
    free(slot_key);
    free(slot_loc);
    if (st != FW_OK) {
        free(packed);
        return st;
    }
    _Static_assert(sizeof(fw_pair) == sizeof(uint64_t), "pairs are rewritten in place");
    fw_pair *out = (fw_pair *)packed;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = packed[i];
        out[i] = (fw_pair){(uint32_t)(v >> 32), (uint32_t)v};
    }
    *cand = out;
    *nc = n;
    return FW_OK;
}

/* The index's boilerplate passages sketched, once a generation (every
 * batch's are the same: the index's model, parameters and seed). */
static fw_status known_passages(fw_index *ix, const fw_scan *s)
{
    if (ix->known) return FW_OK;
    fw_known_passages *k = calloc(1, sizeof *k);
    if (!k) return FW_ERR_NOMEM;
    fw_status st = fw_known_passages_make(s->model, &s->passage_cfg, k);
    if (st != FW_OK) {
        free(k);
        return st;
    }
    ix->known = k;
    return FW_OK;
}

/* The rows of the matching that involve the batch, into r; the batch's
 * documents' characters aligned elsewhere and in boilerplate (passages
 * that matched the model, and lines). */
static fw_status keep_batch_rows(fw_index_result *r, const query_corpus *q,
                                 fw_passage_result *res)
{
    const fw_scan *s = r->batch;
    const local_doc *docs = q->docs;
    if (!(r->pdocs = malloc((q->nd ? q->nd : 1) * sizeof *r->pdocs)) ||
        !(r->reused_chars = calloc(r->n ? r->n : 1, sizeof *r->reused_chars)) ||
        !(r->boilerplate_chars = calloc(r->n ? r->n : 1, sizeof *r->boilerplate_chars)))
        return FW_ERR_NOMEM;
    r->npdocs = q->nd;
    for (size_t l = 0; l < q->nd; l++) r->pdocs[l] = docs[l].number;
    fw_spans_result *sp = &res->spans;
    size_t k = 0;
    for (size_t i = 0; i < sp->nspans; i++)
        if (docs[sp->spans[i].a].batch || docs[sp->spans[i].b].batch) sp->spans[k++] = sp->spans[i];
    r->pspans = sp->spans;
    r->npspans = k;
    sp->spans = NULL;
    k = 0;
    for (size_t i = 0; i < sp->nreuse; i++)
        if (docs[sp->reuse[i].a].batch || docs[sp->reuse[i].b].batch) sp->reuse[k++] = sp->reuse[i];
    r->preuse = sp->reuse;
    r->npreuse = k;
    sp->reuse = NULL;
    for (size_t i = 0; i < r->n; i++) {
        size_t l = q->loc_batch[i];
        r->reused_chars[i] = sp->reused_chars[l];
        r->boilerplate_chars[i] = res->boilerplate_chars[l] +
                                  (s->line_chars ? s->line_chars[s->docs[i].rank] : 0);
    }
    r->passages = 1;
    return FW_OK;
}

fw_status fw_index_query_passages(fw_index *ix, fw_index_result *r)
{
    const fw_scan *s = r->batch;
    pair_vec pairs = {0};
    fw_arena *arenas = calloc((size_t)s->threads, sizeof *arenas);
    uint64_t *anum = NULL;
    size_t na = 0, nc = 0;
    cut_doc *cut = NULL;
    query_corpus q = {0};
    fw_pair *cand = NULL;
    fw_passage_result res = {0};
    double t0 = fw_now();
    fw_status st = arenas ? find_candidates(ix, r, &pairs) : FW_ERR_NOMEM;
    if (st == FW_OK && !fold_pairs(&pairs)) st = FW_ERR_NOMEM;
    r->measured.passage_candidates_n = pairs.len;
    if (st == FW_OK) st = screen_candidates(ix, r, &pairs);
    if (st == FW_OK) name_indexed(ix, r, &pairs);
    r->measured.passage_screened_out = r->measured.passage_candidates_n - pairs.len;
    r->measured.passage_candidates = fw_now() - t0;
    t0 = fw_now();
    if (st == FW_OK) st = indexed_numbers(r, &pairs, &anum, &na);
    if (st == FW_OK && !(cut = calloc(na ? na : 1, sizeof *cut))) st = FW_ERR_NOMEM;
    if (st == FW_OK) st = cut_indexed(ix, r, anum, na, arenas, cut);
    for (size_t i = 0; st == FW_OK && i < na; i++) r->measured.indexed_copies += cut[i].batch != 0;
    r->measured.indexed_cut = st == FW_OK ? na - r->measured.indexed_copies : 0;
    r->measured.passage_cut = fw_now() - t0;
    t0 = fw_now();
    if (st == FW_OK) st = gather_corpus(r, anum, cut, na, &q);
    if (st == FW_OK) st = map_candidates(r, &pairs, anum, na, &q, &cand, &nc);
    free(pairs.v);
    pairs.v = NULL;
    if (st == FW_OK) st = known_passages(ix, s);
    if (st == FW_OK) { /* verified, boilerplate by the model, spans and reuse */
        fw_aligned_texts texts = {q.nd, q.packed, q.len, NULL, NULL};
        fw_passage_corpus corpus = {q.nd, q.pass, q.npass, &texts, 0, NULL, 0, NULL, q.flat};
        fw_passage_settings set = {ix->man.params.passage_threshold, FW_PASSAGE_BANDS,
                                   FW_PASSAGE_ROWS, 0, 0, ix->man.params.reuse_min,
                                   s->threads, ix->known, 0};
        q.flat = NULL; /* fw_passages_match_given frees it */
        st = fw_passages_match_given(&corpus, &set, cand, nc, &res);
    }
    if (st == FW_OK) st = keep_batch_rows(r, &q, &res);
    r->measured.passage_match = fw_now() - t0;
    fw_passage_result_free(&res);
    query_corpus_free(&q);
    for (size_t i = 0; cut && i < na; i++)
        if (!cut[i].batch) free(cut[i].packed);
    for (int t = 0; arenas && t < s->threads; t++) fw_arena_free(&arenas[t]);
    free(arenas);
    free(pairs.v);
    free(anum);
    free(cut);
    free(cand);
    return st;
}

fw_status fw_index_own_passages(fw_index_result *r)
{
    const fw_scan *s = r->batch;
    const fw_spans_result *sp = &s->passage.spans;
    r->npdocs = r->n;
    r->pdocs = malloc((r->n ? r->n : 1) * sizeof *r->pdocs);
    r->pspans = malloc((sp->nspans ? sp->nspans : 1) * sizeof *r->pspans);
    r->preuse = malloc((sp->nreuse ? sp->nreuse : 1) * sizeof *r->preuse);
    r->reused_chars = calloc(r->n ? r->n : 1, sizeof *r->reused_chars);
    r->boilerplate_chars = calloc(r->n ? r->n : 1, sizeof *r->boilerplate_chars);
    if (!r->pdocs || !r->pspans || !r->preuse || !r->reused_chars || !r->boilerplate_chars)
        return FW_ERR_NOMEM;
    /* the scan's rows name its documents (input positions): as numbers */
    for (size_t pos = 0; pos < r->n; pos++) r->pdocs[r->order[pos]] = r->base + pos;
    if (sp->nspans) memcpy(r->pspans, sp->spans, sp->nspans * sizeof *r->pspans);
    if (sp->nreuse) memcpy(r->preuse, sp->reuse, sp->nreuse * sizeof *r->preuse);
    r->npspans = sp->nspans;
    r->npreuse = sp->nreuse;
    for (size_t i = 0; i < r->n && sp->reused_chars; i++) {
        r->reused_chars[i] = sp->reused_chars[s->docs[i].rank];
        r->boilerplate_chars[i] = s->passage.boilerplate_chars[s->docs[i].rank];
    }
    r->passages = 1;
    return FW_OK;
}
