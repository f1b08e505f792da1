/*
 * index_lookup.c — a query's band lookups, band by band on every thread.
 *
 * Both levels of a query look each band's sorted batch keys up in every
 * segment's band file (index_query.c for documents, index_passages.c for
 * passages): the bands are shared out among the threads, each thread
 * with its own scratch records and a cursor a segment, so that a band's
 * keys are searched in increasing order from where the last search ended.
 */
#include "index.h"

#include <omp.h>
#include <stdlib.h>

fw_status fw_index_lookup_bands(fw_index *ix, int passages, unsigned bands, int threads, size_t m,
                                fw_lookup_band_fn fn, const void *ctx, void *const *own)
{
    const int nw = threads > 0 ? threads : 1;
    const size_t nsegs = ix->man.nsegs;
    fw_lookup_worker *w = calloc((size_t)nw, sizeof *w);
    fw_status *st = calloc((size_t)nw, sizeof *st);
    fw_status result = w && st ? FW_OK : FW_ERR_NOMEM;
    for (int t = 0; t < nw && result == FW_OK; t++) {
        w[t].rec = malloc((m ? m : 1) * sizeof *w[t].rec);
        w[t].tmp = malloc((m ? m : 1) * sizeof *w[t].tmp);
        w[t].cur = calloc(nsegs ? nsegs : 1, sizeof *w[t].cur);
        w[t].own = own[t];
        if (!w[t].rec || !w[t].tmp || !w[t].cur) result = FW_ERR_NOMEM;
    }
    if (result == FW_OK) {
        #pragma omp parallel for num_threads(nw) schedule(dynamic, 1)
        for (unsigned band = 0; band < bands; band++) {
            int t = omp_get_thread_num();
            if (st[t] != FW_OK) continue;
            for (size_t g = 0; g < nsegs; g++)
                fw_band_cursor_init(&w[t].cur[g],
                                    passages ? ix->segs[g].pbands : ix->segs[g].bands, band);
            st[t] = fn(ix, ctx, band, &w[t]);
        }
        for (int t = 0; t < nw && result == FW_OK; t++)
            if ((result = st[t]) == FW_ERR_FORMAT || result == FW_ERR_IO) { /* which file */
                const fw_seg *seg = &ix->segs[w[t].failed_seg];
                const fw_band_file *f = passages ? seg->pbands : seg->bands;
                if (fw_band_file_error(f)[0]) fw_index_fail(ix, result, "%s", fw_band_file_error(f));
                else /* sound blocks, an item that is not the segment's */
                    fw_index_fail(ix, result, "%s: a record names no passage of %s (the file of "
                                  "another segment?)", fw_band_file_path(f), seg->name);
            }
    }
    for (int t = 0; w && t < nw; t++) {
        free(w[t].rec);
        free(w[t].tmp);
        for (size_t g = 0; w[t].cur && g < nsegs; g++) fw_band_cursor_free(&w[t].cur[g]);
        free(w[t].cur);
    }
    free(w);
    free(st);
    return result;
}
