/*
 * guards.c — bench/check's guards on the passage level's two hot kernels,
 * timed at one thread on texts already in memory, as ratios to the hash
 * floor of the same run (bench.c): a ratio holds on a shared machine
 * where an absolute time does not.
 *
 *   breaks   the search for line breaks and sentence ends (break_scan.c)
 *            over every text's bytes, both kinds, asked mark after mark
 *            as lines.c and segment.c ask;
 *   align    the bit-parallel LCS (align.c) as verification runs it: each
 *            piece of 200 code points as the pattern, against a copy of it
 *            with every tenth character changed (a match, all columns) and
 *            against the next piece (unrelated, stopping early), with the
 *            bar of a 0.6 passage threshold.
 *
 * What they catch is a kernel that lost its shape: the vector search
 * falling back to bytes, or the aligner to a probing table, a generic word
 * loop or no early stop; not the last few per cent.
 */
#include "guards.h"
#include "align.h"
#include "break_scan.h"
#include "simd_paths.h"

#include "measure.h"

#include <stdlib.h>
#include <string.h>

#define PIECE 200

double fw_guard_breaks(const fw_guard_texts *t, int repeat, uint64_t *marks)
{
    const fw_simd path = fw_scanner_simd(FW_SIMD_AUTO);
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        uint64_t found = 0;
        double t0 = fw_now();
        for (size_t i = 0; i < t->n; i++)
            for (int kind = FW_BREAK_LINE; kind <= FW_BREAK_SENTENCE; kind++) {
                fw_break_scanner b;
                fw_break_scanner_init(&b, (const unsigned char *)t->text[i], t->len[i],
                                      (fw_break_kind)kind, path);
                for (size_t at = fw_break_next(&b, 0); at < t->len[i];
                     at = fw_break_next(&b, at + 1))
                    found++;
            }
        double s = fw_now() - t0;
        if (s < best) best = s;
        *marks = found;
    }
    return best;
}

double fw_guard_align(const fw_guard_texts *t, int repeat, uint64_t *columns, uint64_t *lcs_sum)
{
    fw_aligner al = {0};
    uint32_t edited[PIECE];
    const size_t need = PIECE * 6 / 10;
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        uint64_t cols = 0, sum = 0;
        double t0 = fw_now();
        for (size_t i = 0; i < t->n; i++) {
            const uint32_t *c = t->cps[i];
            for (size_t at = 0; at + 2 * PIECE <= t->chars[i]; at += PIECE) {
                size_t lcs;
                memcpy(edited, c + at, sizeof edited);
                for (size_t k = 9; k < PIECE; k += 10) edited[k] = 0x3400 + (uint32_t)k;
                if (fw_align_pattern(&al, c + at, PIECE) != FW_OK ||
                    fw_align_against(&al, edited, PIECE, need, &lcs) != FW_OK)
                    goto failed;
                sum += lcs;
                if (fw_align_against(&al, c + at + PIECE, PIECE, need, &lcs) != FW_OK)
                    goto failed;
                sum += lcs;
                cols += 2 * PIECE;
            }
        }
        double s = fw_now() - t0;
        if (s < best) best = s;
        *columns = cols;
        *lcs_sum = sum;
    }
    fw_aligner_free(&al);
    return best;
failed:
    fw_aligner_free(&al);
    return -1;
}
