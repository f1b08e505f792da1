/*
 * index_tombstones.c — what changed in an index since its segments were
 * written, kept beside them: the removed documents, and the pairs between
 * indexed documents that became candidates (a removal can take the centre
 * of a star away) or stopped being ones (a batch added later can take a
 * pair out of a star). Segments are never rewritten for that; the live
 * pairs are the segments' less the withdrawn, with the found, between
 * documents not removed (index_query.c). One file a generation, tomb-GEN,
 * written whole and named by the manifest (index.c).
 */
#include "index.h"
#include "grow.h"
#include "sort.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* DIR/tomb-GEN, what changed since the segments were written: "FWTOMBS\0",
 * the count and the removed numbers (sorted); the count and the pairs
 * found since between documents already indexed (a removal can make them
 * candidates); the count and the pairs of the segments that are no longer
 * candidates (documents added later can take them out of a star); an XXH3
 * of all that. Read whole: it is small. The live pairs are the segments'
 * less the withdrawn, with the found, between documents not removed. */

static int read_u64s(FILE *f, XXH3_state_t *h, void *v, size_t n)
{
    if (!n) return 1;
    if (fread(v, 8, n, f) != n) return 0;
    XXH3_64bits_update(h, v, n * 8);
    return 1;
}

fw_status fw_index_read_tombstones(fw_index *ix, char *why, size_t n)
{
    if (!ix->man.tombstones[0]) return FW_OK;
    char path[4096];
    fw_index_path(ix, path, sizeof path, ix->man.tombstones, NULL);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, n, "%s: %s", path, strerror(errno));
        return FW_ERR_IO;
    }
    /* The layout: magic, count, count numbers, npairs, 2 npairs numbers,
     * nwithdrawn, 2 nwithdrawn numbers, checksum. The file's size must be
     * the one its three counts imply before any count sizes an allocation
     * (each count is checked against the bytes left, so nothing overflows). */
    struct stat sb;
    uint64_t size = 0, at = 16, counts[3] = {0, 0, 0};
    int fits = fstat(fileno(f), &sb) == 0 && sb.st_size >= 40;
    if (fits) size = (uint64_t)sb.st_size;
    for (int k = 0; k < 3 && fits; k++) {
        uint64_t c;
        fits = fseeko(f, (off_t)(at - 8), SEEK_SET) == 0 && fread(&c, 8, 1, f) == 1 &&
               c < (1ull << 32);
        uint64_t words = k ? 2 * c : c, left = size - at, tail = k < 2 ? 16 : 8;
        /* after the numbers: the next count (not after the last) and the sum */
        fits = fits && left >= tail && words <= (left - tail) / 8;
        if (fits) at += 8 * words + 8;
        counts[k] = c;
    }
    if (!fits || at != size || fseeko(f, 0, SEEK_SET) != 0) {
        fclose(f);
        snprintf(why, n, "%s: damaged (%" PRIu64 " bytes, not the size its counts imply)", path,
                 size);
        return FW_ERR_FORMAT;
    }
    XXH3_state_t *h = XXH3_createState();
    if (!h) {
        fclose(f);
        return FW_ERR_NOMEM;
    }
    XXH3_64bits_reset(h);
    char magic[8];
    uint64_t count = 0, npairs = 0, nwithdrawn = 0, sum = 0;
    int ok = read_u64s(f, h, magic, 1) && !memcmp(magic, FW_TOMB_MAGIC, 8) &&
             read_u64s(f, h, &count, 1) && count < (1ull << 32) &&
             (ix->removed = malloc((count ? count : 1) * sizeof *ix->removed)) &&
             read_u64s(f, h, ix->removed, count) && read_u64s(f, h, &npairs, 1) &&
             npairs < (1ull << 32) &&
             (ix->extra = malloc((npairs ? npairs : 1) * sizeof *ix->extra)) &&
             read_u64s(f, h, ix->extra, 2 * npairs) && read_u64s(f, h, &nwithdrawn, 1) &&
             nwithdrawn < (1ull << 32) &&
             (ix->withdrawn = malloc((nwithdrawn ? nwithdrawn : 1) * sizeof *ix->withdrawn)) &&
             read_u64s(f, h, ix->withdrawn, 2 * nwithdrawn) && fread(&sum, 8, 1, f) == 1 &&
             fgetc(f) == EOF && XXH3_64bits_digest(h) == sum;
    ok = ok && count == counts[0] && npairs == counts[1] && nwithdrawn == counts[2];
    for (size_t i = 1; ok && i < count; i++) ok = ix->removed[i] > ix->removed[i - 1];
    XXH3_freeState(h);
    fclose(f);
    if (!ok) {
        snprintf(why, n, "%s: damaged or not a tombstone file", path);
        return FW_ERR_FORMAT;
    }
    ix->nremoved = (size_t)count;
    ix->nextra = (size_t)npairs;
    ix->nwithdrawn = (size_t)nwithdrawn;
    return FW_OK;
}

static void put_u64s(FILE *f, XXH3_state_t *h, const void *v, size_t n)
{
    if (!n) return;
    fwrite(v, 8, n, f);
    XXH3_64bits_update(h, v, n * 8);
}

static fw_status write_tombstones(fw_index *ix, const char *name, const uint64_t *v, size_t count,
                                  const fw_seg_pair *pairs, size_t npairs,
                                  const fw_seg_pair *withdrawn, size_t nwithdrawn)
{
    char path[4096], tmp[4200];
    fw_index_path(ix, path, sizeof path, name, NULL);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    XXH3_state_t *h = XXH3_createState();
    FILE *f = h ? fopen(tmp, "wbx") : NULL;
    if (!f) {
        XXH3_freeState(h);
        return h ? fw_index_fail(ix, FW_ERR_IO, "%s: %s", tmp, strerror(errno)) : FW_ERR_NOMEM;
    }
    XXH3_64bits_reset(h);
    uint64_t c = count, np = npairs, nw = nwithdrawn;
    put_u64s(f, h, FW_TOMB_MAGIC, 1);
    put_u64s(f, h, &c, 1);
    put_u64s(f, h, v, count);
    put_u64s(f, h, &np, 1);
    put_u64s(f, h, pairs, 2 * npairs);
    put_u64s(f, h, &nw, 1);
    put_u64s(f, h, withdrawn, 2 * nwithdrawn);
    uint64_t sum = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    fwrite(&sum, 8, 1, f);
    char why[FW_INDEX_ERROR_SIZE];
    if (fw_index_file_finish(f, 1, tmp, path, why, sizeof why) != FW_OK)
        return fw_index_fail(ix, FW_ERR_IO, "%s", why);
    return FW_OK;
}

/* ------------------------------------------------ the next generation's */

int fw_seg_pairs_push(fw_seg_pair_list *l, uint64_t x, uint64_t y)
{
    if (!fw_grow(&l->v, &l->cap, l->len + 1, sizeof *l->v, 64)) return 0;
    l->v[l->len++] = x < y ? (fw_seg_pair){x, y} : (fw_seg_pair){y, x};
    return 1;
}

int fw_seg_pair_cmp(const void *a, const void *b)
{
    const fw_seg_pair *x = a, *y = b;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

void fw_seg_pairs_sort_unique(fw_seg_pair_list *l)
{
    if (l->len) qsort(l->v, l->len, sizeof *l->v, fw_seg_pair_cmp);
    size_t u = 0;
    for (size_t i = 0; i < l->len; i++)
        if (!u || fw_seg_pair_cmp(&l->v[u - 1], &l->v[i])) l->v[u++] = l->v[i];
    l->len = u;
}

static int has_pair(const fw_seg_pair_list *l, const fw_seg_pair *p)
{
    return l->len && bsearch(p, l->v, l->len, sizeof *l->v, fw_seg_pair_cmp);
}

static int in_pairs(const fw_seg_pair *v, size_t n, const fw_seg_pair *p)
{
    return n && bsearch(p, v, n, sizeof *v, fw_seg_pair_cmp);
}

/* The tombstones of the generation after `next` - 1: `removed` (sorted),
 * the pairs `found` live since (a removal made them candidates) and those
 * `lost` (no longer candidates), on top of the current ones. Writes
 * tomb-GEN and names it in `next` (none when there is nothing to say). */
fw_status fw_index_next_tombstones(fw_index *ix, fw_manifest *next, const uint64_t *removed,
                                  size_t nremoved, fw_seg_pair_list *found,
                                  fw_seg_pair_list *lost)
{
    fw_seg_pairs_sort_unique(found);
    fw_seg_pairs_sort_unique(lost);
    fw_seg_pair_list extra = {0}, withdrawn = {0};
    int ok = 1;
    for (size_t i = 0; i < ix->nextra; i++) {
        const fw_seg_pair *e = &ix->extra[i];
        if (!fw_contains_u64(removed, nremoved, e->a) &&
            !fw_contains_u64(removed, nremoved, e->b) &&
            !has_pair(lost, e))
            ok &= fw_seg_pairs_push(&extra, e->a, e->b);
    }
    for (size_t i = 0; i < ix->nwithdrawn; i++) {
        const fw_seg_pair *w = &ix->withdrawn[i];
        if (!fw_contains_u64(removed, nremoved, w->a) &&
            !fw_contains_u64(removed, nremoved, w->b) &&
            !has_pair(found, w))
            ok &= fw_seg_pairs_push(&withdrawn, w->a, w->b);
    }
    for (size_t i = 0; i < found->len; i++) /* a segment's pair again, or a new one */
        if (!in_pairs(ix->withdrawn, ix->nwithdrawn, &found->v[i]))
            ok &= fw_seg_pairs_push(&extra, found->v[i].a, found->v[i].b);
    for (size_t i = 0; i < lost->len; i++) /* a found one lost again, or a segment's */
        if (!in_pairs(ix->extra, ix->nextra, &lost->v[i]))
            ok &= fw_seg_pairs_push(&withdrawn, lost->v[i].a, lost->v[i].b);
    fw_seg_pairs_sort_unique(&extra);
    fw_seg_pairs_sort_unique(&withdrawn);
    fw_status st = ok ? FW_OK : FW_ERR_NOMEM;
    next->tombstones[0] = '\0';
    if (st == FW_OK && (nremoved || extra.len || withdrawn.len)) {
        snprintf(next->tombstones, sizeof next->tombstones, "tomb-%06" PRIu64, next->generation);
        st = write_tombstones(ix, next->tombstones, removed, nremoved, extra.v, extra.len,
                              withdrawn.v, withdrawn.len);
    }
    free(extra.v);
    free(withdrawn.v);
    return st;
}

/* The tombstones after adding a batch whose query withdrew pairs. */
fw_status fw_index_withdraw(fw_index *ix, fw_manifest *next, const fw_index_result *r)
{
    fw_seg_pair_list found = {0}, lost = {0};
    for (size_t i = 0; i < r->nwithdrawn; i++)
        if (!fw_seg_pairs_push(&lost, r->withdrawn[i].a, r->withdrawn[i].b)) {
            free(lost.v);
            return FW_ERR_NOMEM;
        }
    fw_status st = fw_index_next_tombstones(ix, next, ix->removed, ix->nremoved, &found, &lost);
    free(lost.v);
    return st;
}
