/* align.h — character alignment of two texts (internal): the longest common
 * subsequence of their code points by bit-parallel dynamic programming,
 * and the runs of characters it aligns (see align.c). */
#ifndef FW_ALIGN_H
#define FW_ALIGN_H

#include "fanwen.h"

/* a[a, a + len) == b[b, b + len): one run of aligned characters. */
typedef struct fw_align_run {
    uint32_t a, b, len;
} fw_align_run;

/* An entry of the aligner's table of characters outside the Basic
 * Multilingual Plane: a code point and its match mask's number, live when
 * its stamp is the current pattern's. */
typedef struct fw_align_entry {
    uint32_t key, stamp, slot, unused;
} fw_align_entry;

/* Code points below this have their mask's number in a plain array. */
#define FW_ALIGN_DIRECT 0x10000

/* Scratch of one thread, reused from pair to pair; zero it to start. */
typedef struct fw_aligner {
    uint32_t *direct;        /* code point → mask number, 0: not in a */
    uint32_t *direct_set;    /* the code points set in `direct`, to clear */
    size_t direct_set_cap;
    size_t ndirect_set;
    fw_align_entry *table;   /* open-addressed, for the others; */
    uint32_t stamp;          /* stamped, never cleared between patterns */
    size_t table_cap;
    uint64_t *masks;         /* match masks, `words` each; number 0 is all
                              * zeros, the mask of characters a lacks */
    size_t masks_cap;
    uint64_t *columns;       /* the DP state after each character of b */
    size_t columns_cap;
    size_t pattern_len;      /* a, as fw_align_pattern() prepared it */
    fw_align_run *runs;      /* what fw_align() found */
    size_t runs_cap;
} fw_aligner;

void fw_aligner_free(fw_aligner *al);

/* The length of the longest common subsequence of a and b (either may be
 * empty). Costs about nb · ceil(na / 64) word operations. */
fw_status fw_align_lcs(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b,
                       size_t nb, size_t *lcs);

/* The same in two steps, for one text against many: fw_align_pattern()
 * prepares a (na ≥ 1; a need not stay valid), then each fw_align_against()
 * gives the LCS of a and b, or stops early, with *lcs below `need`, once
 * the characters left in b cannot bring it to `need` (0: never stop). */
fw_status fw_align_pattern(fw_aligner *al, const uint32_t *a, size_t na);
fw_status fw_align_against(fw_aligner *al, const uint32_t *b, size_t nb, size_t need,
                           size_t *lcs);

/* fw_align_lcs() and one longest common subsequence as maximal runs of
 * aligned characters, in order: al->runs[0, *nruns) (valid until the next
 * call). The same inputs always give the same runs. na, nb < 2^32. */
fw_status fw_align(fw_aligner *al, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                   size_t *lcs, size_t *nruns);

#endif
