/* aligned_text.c — the documents' aligned texts read back (see
 * aligned_text.h): unpacked from memory, or from the spill file, a short
 * document read whole into the reader's slots, a long one a piece a read. */
#include "aligned_text.h"
#include "aligned_pack.h"
#include "grow.h"
#include "spill.h"

#include <stdlib.h>
#include <string.h>

void fw_aligned_reader_free(fw_aligned_reader *r)
{
    free(r->buf);
    for (int i = 0; i < FW_ALIGNED_SLOTS; i++) free(r->slot[i].words);
    memset(r, 0, sizeof *r);
}

/* Document `doc` whole from the file in its slot (with its offsets when
 * asked), unless it is there already: the slot, or NULL with *st set. */
static const fw_aligned_slot *cached(const fw_aligned_texts *t, fw_aligned_reader *r,
                                     size_t doc, int offsets, fw_status *st)
{
    fw_aligned_slot *s = &r->slot[doc % FW_ALIGNED_SLOTS];
    if (s->used && s->doc == doc && (s->with_offsets || !offsets)) return s;
    const size_t n = t->len[doc], words = offsets ? 2 * n : n; /* offsets follow: one read */
    s->used = 0;
    if (!(s->words = fw_grow_scratch(s->words, &s->cap, (words ? words : 1) * sizeof *s->words))) {
        *st = FW_ERR_NOMEM;
        return NULL;
    }
    if ((*st = fw_spill_read(t->file, t->at[doc], s->words, words * sizeof *s->words)) != FW_OK)
        return NULL;
    s->doc = doc;
    s->with_offsets = offsets;
    s->used = 1;
    return s;
}

fw_status fw_aligned_read(const fw_aligned_texts *t, fw_aligned_reader *r, size_t doc,
                          uint32_t start, uint32_t n, const uint32_t **cps,
                          const uint32_t **offsets)
{
    if (t->file && t->len[doc] <= FW_ALIGNED_CACHED) {
        fw_status st;
        const fw_aligned_slot *s = cached(t, r, doc, offsets != NULL, &st);
        if (!s) return st;
        *cps = s->words + start;
        if (offsets) *offsets = s->words + t->len[doc] + start;
        return FW_OK;
    }
    size_t words = offsets ? 2 * (size_t)n : n;
    if (!(r->buf = fw_grow_scratch(r->buf, &r->cap, (words ? words : 1) * sizeof *r->buf)))
        return FW_ERR_NOMEM;
    if (!t->file) {
        fw_aligned_unpack(t->packed[doc], t->len[doc], start, n, r->buf,
                          offsets ? r->buf + n : NULL);
        *cps = r->buf;
        if (offsets) *offsets = r->buf + n;
        return FW_OK;
    }
    const uint64_t at = t->at[doc];
    fw_status st = fw_spill_read(t->file, at + (uint64_t)start * sizeof *r->buf, r->buf,
                                 (size_t)n * sizeof *r->buf);
    if (st == FW_OK && offsets)
        st = fw_spill_read(t->file,
                           at + ((uint64_t)t->len[doc] + start) * sizeof *r->buf,
                           r->buf + n, (size_t)n * sizeof *r->buf);
    *cps = r->buf;
    if (offsets) *offsets = r->buf + n;
    return st;
}
