/* guards.h — bench/check's guards on the passage level's kernels (see
 * guards.c). */
#ifndef FW_BENCH_GUARDS_H
#define FW_BENCH_GUARDS_H

#include <stddef.h>
#include <stdint.h>

/* The texts of a corpus: UTF-8 bytes and normalized code points. */
typedef struct fw_guard_texts {
    char *const *text;
    const size_t *len;
    uint32_t *const *cps;
    const size_t *chars;
    size_t n;
} fw_guard_texts;

/* Best seconds of `repeat` searches for every line break and sentence end
 * of every text, on the machine's best path; *marks: how many. */
double fw_guard_breaks(const fw_guard_texts *t, int repeat, uint64_t *marks);

/* Best seconds of `repeat` rounds of verification-shaped alignments (two a
 * piece of 200 code points); *columns: the characters of b aligned,
 * *lcs_sum: their LCSs added (to compare runs). -1 when out of memory. */
double fw_guard_align(const fw_guard_texts *t, int repeat, uint64_t *columns,
                      uint64_t *lcs_sum);

/* Best seconds of `repeat` passes of the JSON scanner (jsonl_scan.c, the
 * machine's best path) over every text made a JSONL line ({"id", "text"},
 * its text escaped as JSON), as the scan parses each line; *line_bytes:
 * the lines' bytes. Before timing, every line must give back its text and
 * id, and yajl's document: -2 when one does not, -1 when out of memory. */
double fw_guard_json(const fw_guard_texts *t, int repeat, uint64_t *line_bytes);

#endif
