/*
 * index_remove.c — taking documents out of an index: `index remove`.
 *
 * Nothing is deleted: the removed documents' numbers go to the next
 * generation's tombstones (index_tombstones.c), and compaction
 * (index_compact.c) leaves them out of the files it writes. What a removal
 * must still work out is what a scan of the documents left would say that
 * the index does not: the pairs that become candidates when a star loses
 * its centre, and the names that would change (id_names.c), which it
 * refuses.
 */
#include "index.h"
#include "id_names.h"
#include "grow.h"
#include "lsh.h"
#include "sort.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The bucket `key` of `band` after a removal: the candidates a scan of the
 * documents left would have that it did not have before. A bucket of up to
 * FW_LSH_FULL_BUCKET members gave all its pairs, and losing members takes
 * only pairs with them away; a larger one gave a star around its smallest
 * id, so when that centre goes, or the bucket becomes small enough for all
 * pairs, new pairs appear. (Pairs between documents left are never lost.) */
static fw_status bucket_after_removal(fw_index *ix, unsigned band, uint64_t key,
                                      const uint64_t *after, size_t nafter,
                                      fw_seg_pair_list *out)
{
    uint64_t *live = NULL;
    size_t nlive = 0, cap = 0, nold = 0;
    uint64_t centre = UINT64_MAX; /* of the bucket before */
    fw_status st = FW_OK;
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++) {
        const fw_band_record *rec;
        size_t n;
        if ((st = fw_band_file_find(ix->segs[g].bands, band, key, &rec, &n)) != FW_OK) {
            fw_index_fail(ix, st, "%s", fw_band_file_error(ix->segs[g].bands));
            break;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t x = rec[i].item;
            int was = !fw_index_is_removed(ix, x), now = !fw_contains_u64(after, nafter, x);
            if (!was) continue;
            nold++;
            if (centre == UINT64_MAX || strcmp(fw_index_id(ix, x), fw_index_id(ix, centre)) < 0)
                centre = x;
            if (!now) continue;
            if (!fw_grow(&live, &cap, nlive + 1, sizeof *live, 64)) { st = FW_ERR_NOMEM; break; }
            live[nlive++] = x;
        }
    }
    int changed = nold > FW_LSH_FULL_BUCKET && nlive >= 2 &&
                  (nlive <= FW_LSH_FULL_BUCKET || fw_contains_u64(after, nafter, centre));
    if (st == FW_OK && changed) {
        if (nlive <= FW_LSH_FULL_BUCKET) {
            for (size_t i = 0; i < nlive; i++)
                for (size_t j = i + 1; j < nlive; j++)
                    if (!fw_seg_pairs_push(out, live[i], live[j])) st = FW_ERR_NOMEM;
        } else {
            uint64_t c = live[0];
            for (size_t i = 1; i < nlive; i++)
                if (strcmp(fw_index_id(ix, live[i]), fw_index_id(ix, c)) < 0) c = live[i];
            for (size_t i = 0; i < nlive; i++)
                if (live[i] != c && !fw_seg_pairs_push(out, c, live[i])) st = FW_ERR_NOMEM;
        }
    }
    free(live);
    return st;
}

/* The pairs a removal of `gone` makes appear (bucket_after_removal()),
 * verified as a query verifies: those at or above the threshold. */
static fw_status pairs_after_removal(fw_index *ix, const uint64_t *gone, size_t ngone,
                                     const uint64_t *after, size_t nafter, fw_seg_pair_list *found)
{
    const fw_index_params *p = &ix->man.params;
    fw_scan_options o;
    fw_index_scan_options(ix, &o);
    fw_scan *s;
    fw_status st = fw_index_batch_new(ix, &o, &s);
    if (st != FW_OK) return st;
    fw_index_sketch *v = calloc(ngone ? ngone : 1, sizeof *v), *w = NULL;
    fw_seg_pair_list cand = {0};
    size_t nw = 0;
    if (!v) st = FW_ERR_NOMEM;
    for (size_t i = 0; v && i < ngone; i++) v[i].number = gone[i];
    if (st == FW_OK) st = fw_index_sketch_docs(ix, s, v, ngone);
    for (unsigned b = 0; b < p->bands && st == FW_OK; b++)
        for (size_t i = 0; i < ngone && st == FW_OK; i++) {
            size_t pos;
            const fw_seg *seg = fw_index_find_number(ix, gone[i], &pos);
            if (!seg || !seg->docs[pos].text_zlen) continue; /* no band records */
            uint64_t key = fw_lsh_band_key64(v[i].sig, b, p->rows);
            st = bucket_after_removal(ix, b, key, after, nafter, &cand);
        }
    fw_seg_pairs_sort_unique(&cand);
    /* the live pairs need no verifying again */
    if (st == FW_OK) st = fw_index_components(ix);
    size_t u = 0;
    for (size_t i = 0; i < cand.len; i++)
        if (!fw_index_live_pair(ix, cand.v[i].a << 32 | cand.v[i].b)) cand.v[u++] = cand.v[i];
    cand.len = u;
    uint64_t *nums = malloc((2 * cand.len + 1) * sizeof *nums);
    if (!nums) st = FW_ERR_NOMEM;
    for (size_t i = 0; nums && i < cand.len; i++) {
        nums[nw++] = cand.v[i].a;
        nums[nw++] = cand.v[i].b;
    }
    if (nums && nw) qsort(nums, nw, sizeof *nums, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; nums && i < nw; i++)
        if (!m || nums[m - 1] != nums[i]) nums[m++] = nums[i];
    if (st == FW_OK && !(w = calloc(m ? m : 1, sizeof *w))) st = FW_ERR_NOMEM;
    for (size_t i = 0; w && i < m; i++) w[i].number = nums[i];
    free(nums);
    if (st == FW_OK) st = fw_index_sketch_docs(ix, s, w, m);
    for (size_t i = 0; st == FW_OK && i < cand.len; i++) {
        const fw_index_sketch *x = fw_index_sketch_find(w, m, cand.v[i].a),
                              *y = fw_index_sketch_find(w, m, cand.v[i].b);
        size_t inter = fw_verify_intersection(x->set, x->nset, y->set, y->nset);
        if (fw_verify_jaccard(inter, x->nset, y->nset) >= p->threshold &&
            !fw_seg_pairs_push(found, cand.v[i].a, cand.v[i].b))
            st = FW_ERR_NOMEM;
    }
    fw_index_sketches_free(v, ngone);
    fw_index_sketches_free(w, m);
    free(cand.v);
    fw_scan_free(s);
    return st;
}

/* The documents given the id `removed_name[0, id_len)` and renamed past
 * `from - 1` (x#from, x#from+1..., read until a name no document has:
 * renamings leave no gap a removal could have made, as this refuses it)
 * must be in `gone` (sorted) when the document named `removed_name` is. */
static fw_status later_renamings_go(fw_index *ix, const char *removed_name, size_t id_len,
                                    uint64_t from, const uint64_t *gone, size_t ngone)
{
    size_t len = id_len + 24;
    char *name = malloc(len);
    if (!name) return FW_ERR_NOMEM;
    fw_status st = FW_OK;
    for (uint64_t j = from; st == FW_OK; j++) {
        snprintf(name, len, "%.*s#%" PRIu64, (int)id_len, removed_name, j);
        int64_t x = fw_index_find_id(ix, name);
        if (x < 0) break;
        size_t pos, given_len;
        const fw_seg *seg = fw_index_find_number(ix, (uint64_t)x, &pos);
        if (!seg || !fw_id_renamed_from(name, fw_segment_message(seg, pos), &given_len) ||
            given_len != id_len || fw_contains_u64(gone, ngone, (uint64_t)x))
            continue; /* a name taken by another, or going too */
        st = fw_index_fail(ix, FW_ERR_ARG,
                           "cannot remove %.200s without %.200s: its id is %.*s, and it was "
                           "named %.200s because %.200s had a name before it; a scan of what "
                           "remains would name it otherwise, and so would queries: remove both, "
                           "or neither", removed_name, name, (int)(id_len > 200 ? 200 : id_len),
                           removed_name, name, removed_name);
    }
    free(name);
    return st;
}

fw_status fw_index_remove(fw_index *ix, const char *const *ids, size_t n, size_t *removed)
{
    ix->error[0] = '\0';
    *removed = 0;
    if (ix->lock_fd < 0) return fw_index_fail(ix, FW_ERR_ARG, "fw_index_remove: opened to read");
    uint64_t *v = malloc((ix->nremoved + n + 1) * sizeof *v), *gone = malloc((n + 1) * sizeof *gone);
    if (!v || !gone) {
        free(v);
        free(gone);
        return FW_ERR_NOMEM;
    }
    if (ix->nremoved) memcpy(v, ix->removed, ix->nremoved * sizeof *v);
    size_t m = ix->nremoved, ngone = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t x = fw_index_find_id(ix, ids[i]);
        if (x >= 0) v[m++] = gone[ngone++] = (uint64_t)x;
    }
    qsort(v, m, sizeof *v, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (!u || v[u - 1] != v[i]) v[u++] = v[i];
    if (ngone) qsort(gone, ngone, sizeof *gone, cmp_u64);
    size_t g = 0;
    for (size_t i = 0; i < ngone; i++)
        if (!g || gone[g - 1] != gone[i]) gone[g++] = gone[i];
    ngone = g;
    /* A scan names documents in input order, each a name no earlier one
     * has (id_names.c): the later documents given the id x became x#2,
     * x#3... past the names taken. Removing the holder of a name that such
     * a later document was denied (x itself, or x#i below its number) is
     * refused unless that document goes with it, else a query would name
     * it otherwise than a scan of the documents that remain. */
    fw_status st = FW_OK;
    for (size_t i = 0; i < n && st == FW_OK; i++) {
        if (fw_index_find_id(ix, ids[i]) < 0) continue;
        size_t id_len;
        uint64_t j;
        /* the renamings of ids[i] itself from #2 on, and those of x from
         * #j+1 on when ids[i] is x#j */
        st = later_renamings_go(ix, ids[i], strlen(ids[i]), 2, gone, ngone);
        if (st == FW_OK && fw_id_numbered(ids[i], &id_len, &j))
            st = later_renamings_go(ix, ids[i], id_len, j + 1, gone, ngone);
    }
    if (st != FW_OK) {
        free(v);
        free(gone);
        return st;
    }
    *removed = ngone;
    fw_seg_pair_list found = {0}, lost = {0};
    if (ngone) st = pairs_after_removal(ix, gone, ngone, v, u, &found);
    if (ngone && st == FW_OK) {
        char old[FW_INDEX_NAME_SIZE];
        snprintf(old, sizeof old, "%s", ix->man.tombstones);
        fw_manifest next;
        if ((st = fw_index_append_segment(&next, &ix->man, NULL)) == FW_OK) {
            st = fw_index_next_tombstones(ix, &next, v, u, &found, &lost);
            if (st == FW_OK) st = fw_index_commit(ix, &next);
            free(next.segs);
        }
        if (st == FW_OK && old[0]) fw_index_remove_file(ix, old, NULL);
    }
    free(found.v);
    free(v);
    free(gone);
    return st;
}
