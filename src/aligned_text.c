/* aligned_text.c — the documents' aligned texts read back (see
 * aligned_text.h): unpacked from memory, or one read per text from the
 * spill file. */
#include "aligned_text.h"
#include "aligned_pack.h"
#include "grow.h"
#include "spill.h"

#include <stdlib.h>

void fw_aligned_reader_free(fw_aligned_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
}

fw_status fw_aligned_read(const fw_aligned_texts *t, fw_aligned_reader *r, size_t doc,
                          uint32_t start, uint32_t n, const uint32_t **cps,
                          const uint32_t **offsets)
{
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
