/*
 * index_compact.c — `index compact`: every segment merged into one, the
 * removed documents left out of it (their texts too, so that no removed
 * text stays on disk), band files merged band by band from the sorted
 * ones (a k-way merge, band_file.c), and the tombstones dropped. Like
 * every change, it writes its files, then replaces the manifest
 * (index.c): a compaction killed halfway leaves the previous generation.
 */
#include "index.h"
#include "grow.h"
#include "screen_file.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* One band of the segments' band files merged into w, the removed
 * documents' records left out (a record's document: item >> shift). */
static fw_status merge_band(fw_index *ix, fw_band_writer *w, fw_band_file **files, unsigned band,
                            uint32_t *const *newbase)
{
    fw_band_merge *mg;
    fw_status st = fw_band_merge_new(files, ix->man.nsegs, band, &mg);
    if (st != FW_OK) return st;
    fw_band_record *keep = NULL;
    size_t cap = 0;
    for (;;) {
        uint64_t key;
        const fw_band_record *rec;
        const uint32_t *from;
        size_t n;
        if ((st = fw_band_merge_next(mg, &key, &rec, &from, &n)) != FW_OK || !n) break;
        if (!fw_grow(&keep, &cap, n, sizeof *keep, 64)) { st = FW_ERR_NOMEM; break; }
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (!newbase) { /* documents: their numbers */
                if (!fw_index_is_removed(ix, rec[i].item)) keep[m++] = rec[i];
                continue;
            }
            size_t pos; /* passages: ordinals in the old segment, then the new */
            uint32_t k;
            if (!fw_segment_passage_at(&ix->segs[from[i]], rec[i].item, &pos, &k)) {
                st = fw_index_fail(ix, FW_ERR_FORMAT, "%s: passage %llu is not its segment's",
                                   fw_band_file_path(files[from[i]]),
                                   (unsigned long long)rec[i].item);
                break;
            }
            if (newbase[from[i]][pos] != UINT32_MAX)
                keep[m++] = (fw_band_record){rec[i].key, newbase[from[i]][pos] + k};
        }
        if (st != FW_OK) break;
        /* segments are in number order, each sorted: so is the bucket */
        if (m && (st = fw_band_writer_add(w, band, keep, m)) != FW_OK) break;
    }
    if (st == FW_ERR_FORMAT && !ix->error[0]) /* a block that failed its check */
        for (size_t g = 0; g < ix->man.nsegs; g++)
            if (fw_band_file_error(files[g])[0])
                fw_index_fail(ix, st, "%s", fw_band_file_error(files[g]));
    free(keep);
    fw_band_merge_free(mg);
    return st;
}

/* Where each live document's passages start in the compacted segment
 * (its live documents in number order): newbase[g][pos] for position pos
 * of segment g, UINT32_MAX for a removed one. */
static fw_status passage_bases(fw_index *ix, uint32_t **newbase, uint64_t *first,
                               uint64_t *total)
{
    uint64_t at = 0;
    *first = UINT64_MAX;
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        const fw_seg *seg = &ix->segs[g];
        if (!(newbase[g] = malloc((seg->ndocs ? seg->ndocs : 1) * sizeof *newbase[g])))
            return FW_ERR_NOMEM;
        for (size_t i = 0; i < seg->ndocs; i++) {
            if (fw_index_is_removed(ix, seg->docs[i].number)) {
                newbase[g][i] = UINT32_MAX;
                continue;
            }
            if (*first == UINT64_MAX) *first = seg->docs[i].number;
            newbase[g][i] = (uint32_t)at;
            if ((at += seg->docs[i].passages) > UINT32_MAX)
                return fw_index_fail(ix, FW_ERR_ARG, "a segment holds at most 2^32 - 1 passages");
        }
    }
    *total = at;
    return FW_OK;
}

/* The merged band file of the new segment `seg`: the documents' (ext
 * "bands", items their numbers) or the passages' ("pbands", narrow, items
 * their ordinals in the new segment, and in *total its passages), removed
 * documents left out. */
static fw_status compact_band_file(fw_index *ix, const fw_manifest_segment *seg, int passages,
                                   uint64_t *total_out)
{
    const unsigned bands = passages ? FW_PASSAGE_BANDS : ix->man.params.bands;
    const size_t ns = ix->man.nsegs ? ix->man.nsegs : 1;
    fw_band_file **files = malloc(ns * sizeof *files);
    uint32_t **newbase = passages ? calloc(ns, sizeof *newbase) : NULL;
    uint64_t first = 0, total = 0;
    fw_status st = !files || (passages && !newbase) ? FW_ERR_NOMEM : FW_OK;
    if (st == FW_OK && passages) st = passage_bases(ix, newbase, &first, &total);
    fw_band_writer *w = NULL;
    if (st == FW_OK)
        st = passages && first != seg->first /* the first live document, as the caller's */
                 ? FW_ERR_ARG
                 : fw_index_band_writer(ix, seg, passages, ix->man.passage_model_sum, total, &w);
    for (size_t g = 0; files && g < ix->man.nsegs; g++)
        files[g] = passages ? ix->segs[g].pbands : ix->segs[g].bands;
    for (unsigned b = 0; b < bands && st == FW_OK; b++)
        st = merge_band(ix, w, files, b, newbase);
    if (st == FW_OK) st = fw_band_writer_finish(w);
    if (st != FW_OK && !ix->error[0])
        fw_index_fail(ix, st, "%s", w ? fw_band_writer_error(w) : fw_status_str(st));
    fw_band_writer_free(w);
    *total_out = total;
    for (size_t g = 0; newbase && g < ix->man.nsegs; g++) free(newbase[g]);
    free(newbase);
    free(files);
    return st;
}

/* The screen file of the new segment `into` (its passages as its passage
 * band file's): the live documents' records, segment by segment, in number
 * order (the ordinals passage_bases gives). */
static fw_status compact_screen_file(fw_index *ix, const fw_manifest_segment *into,
                                     uint64_t total)
{
    fw_screen_writer *w;
    fw_status st = fw_index_screen_writer(ix, into, ix->man.passage_model_sum, total, &w);
    if (st != FW_OK) return st;
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++) {
        fw_seg *seg = &ix->segs[g];
        for (size_t i = 0; i < seg->ndocs && st == FW_OK; i++) {
            if (fw_index_is_removed(ix, seg->docs[i].number)) continue;
            for (uint32_t k = 0; k < seg->docs[i].passages && st == FW_OK; k++) {
                const fw_screen_record *rec;
                if ((st = fw_screen_file_get(seg->pscreen, seg->pfirst[i] + k, &rec)) != FW_OK)
                    fw_index_fail(ix, st, "%s", fw_screen_file_error(seg->pscreen));
                else st = fw_screen_writer_add(w, rec, 1);
            }
        }
    }
    if (st == FW_OK) st = fw_screen_writer_finish(w);
    if (st != FW_OK && !ix->error[0]) fw_index_fail(ix, st, "%s", fw_screen_writer_error(w));
    fw_screen_writer_free(w);
    return st;
}

fw_status fw_index_compact(fw_index *ix)
{
    ix->error[0] = '\0';
    if (ix->lock_fd < 0) return fw_index_fail(ix, FW_ERR_ARG, "fw_index_compact: opened to read");
    if (ix->man.nsegs <= 1 && !ix->man.tombstones[0]) return FW_OK; /* nothing to merge */
    fw_status st = fw_index_components(ix);
    if (st != FW_OK) return st;
    uint64_t live = fw_index_live(ix), npairs = ix->nlive_pairs;
    fw_seg_doc_in *docs = calloc(live ? live : 1, sizeof *docs);
    fw_seg_pair *pairs = malloc((npairs ? npairs : 1) * sizeof *pairs);
    if (!docs || !pairs) {
        free(docs);
        free(pairs);
        return FW_ERR_NOMEM;
    }
    /* A frame that holds the text of a removed document is not copied: its
     * live texts are decompressed and compressed again without it, so that
     * compaction leaves no removed text on disk. `own` keeps those texts. */
    char **own = calloc(live ? live : 1, sizeof *own);
    if (!own) {
        free(docs);
        free(pairs);
        return FW_ERR_NOMEM;
    }
    fw_text_cache cache = {0};
    char why[FW_INDEX_ERROR_SIZE];
    size_t nd = 0, np = 0;
    const unsigned char *checked = NULL;
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++) {
        const fw_seg *seg = &ix->segs[g];
        size_t run_end = 0; /* documents [.., run_end) share the frame of the last */
        int dirty = 0;      /* that frame holds a removed text */
        for (size_t i = 0; i < seg->ndocs && st == FW_OK; i++) {
            const fw_seg_doc *d = &seg->docs[i];
            if (i >= run_end) { /* the documents of d's frame: consecutive */
                run_end = i + 1;
                dirty = d->text_zlen && fw_index_is_removed(ix, d->number);
                while (d->text_zlen && run_end < seg->ndocs &&
                       seg->docs[run_end].text_zlen &&
                       seg->docs[run_end].text_at == d->text_at) {
                    dirty |= fw_index_is_removed(ix, seg->docs[run_end].number);
                    run_end++;
                }
            }
            if (fw_index_is_removed(ix, d->number)) continue;
            if (dirty) {
                const char *text;
                size_t len;
                if ((st = fw_segment_text(seg, i, &cache, &text, &len, why, sizeof why)) !=
                    FW_OK) {
                    fw_index_fail(ix, st, "%s", why);
                    break;
                }
                if (!(own[nd] = malloc(len ? len : 1))) {
                    st = FW_ERR_NOMEM;
                    break;
                }
                memcpy(own[nd], text, len);
                docs[nd] = (fw_seg_doc_in){d->number, fw_segment_id(seg, i),
                                           fw_segment_message(seg, i), (fw_doc_status)d->status,
                                           d->bytes, d->chars, d->shingles, d->passages, own[nd],
                                           NULL, 0, 0, 0};
                nd++;
                continue;
            }
            const unsigned char *frame = seg->text + d->text_at;
            if (d->text_zlen && frame != checked && /* each frame once */
                (d->text_at > seg->text_size || d->text_zlen > seg->text_size - d->text_at ||
                 XXH3_64bits(frame, d->text_zlen) != d->text_sum)) {
                st = fw_index_fail(ix, FW_ERR_FORMAT, "%s.text: the text of %s is damaged "
                                   "(checksum)", seg->name, fw_segment_id(seg, i));
                break;
            }
            if (d->text_zlen) checked = frame;
            docs[nd++] = (fw_seg_doc_in){d->number, fw_segment_id(seg, i),
                                         fw_segment_message(seg, i), (fw_doc_status)d->status,
                                         d->bytes, d->chars, d->shingles, d->passages, NULL,
                                         d->text_zlen ? frame : NULL, d->text_zlen, d->in_frame,
                                         d->text_sum};
        }
    }
    for (size_t i = 0; i < ix->nlive_pairs; i++) /* the live ones, and only them */
        pairs[np++] = (fw_seg_pair){ix->live_pairs[i] >> 32, ix->live_pairs[i] & UINT32_MAX};
    fw_manifest_segment seg = {{0}, nd ? docs[0].number : 0, nd ? docs[nd - 1].number : 0, nd, 0};
    snprintf(seg.name, sizeof seg.name, "seg-%06" PRIu64, ix->man.generation + 1);
    if (st == FW_OK) st = fw_segment_mark(docs, nd, pairs, np, &seg.mark);
    if (st == FW_OK && nd &&
        (st = fw_segment_write(ix->dir, seg.name, seg.mark, docs, nd, pairs, np, 1, why,
                               sizeof why)) != FW_OK)
        fw_index_fail(ix, st, "%s", why);
    uint64_t ptotal = 0;
    if (st == FW_OK && nd) st = compact_band_file(ix, &seg, 0, &ptotal);
    if (st == FW_OK && nd && ix->man.params.passages && ix->man.passage_model[0]) {
        st = compact_band_file(ix, &seg, 1, &ptotal);
        int screened = 1; /* a screen file for the whole only from every part's */
        for (size_t g = 0; g < ix->man.nsegs; g++) screened &= ix->segs[g].pscreen != NULL;
        if (st == FW_OK && screened) st = compact_screen_file(ix, &seg, ptotal);
    }
    if (st != FW_OK && nd) fw_index_remove_segment_files(ix, seg.name); /* none of them stays */
    for (size_t i = 0; i < nd; i++) free(own[i]);
    free(own);
    fw_text_cache_free(&cache);
    free(docs);
    free(pairs);
    if (st != FW_OK) return st;
    /* the old generation's names, to remove once the new one is in place */
    size_t nold = ix->man.nsegs;
    char (*old)[FW_INDEX_NAME_SIZE] = malloc((nold + 1) * sizeof *old);
    if (!old) return FW_ERR_NOMEM;
    for (size_t g = 0; g < nold; g++) memcpy(old[g], ix->man.segs[g].name, sizeof old[g]);
    memcpy(old[nold], ix->man.tombstones, sizeof old[nold]);
    fw_manifest next = ix->man;
    next.segs = &seg;
    next.nsegs = nd ? 1 : 0;
    next.generation = ix->man.generation + 1;
    next.tombstones[0] = '\0';
    fw_manifest copy = next;
    copy.segs = malloc(sizeof seg);
    if (!copy.segs) st = FW_ERR_NOMEM;
    else {
        copy.segs[0] = seg;
        st = fw_index_commit(ix, &copy);
        free(copy.segs);
    }
    if (st == FW_OK) {
        for (size_t g = 0; g < nold; g++) fw_index_remove_segment_files(ix, old[g]);
        if (old[nold][0]) fw_index_remove_file(ix, old[nold], NULL);
    }
    free(old);
    return st;
}
