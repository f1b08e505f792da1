/* segment.h — fw_segment() with lines left out (internal; see segment.c). */
#ifndef FW_SEGMENT_H
#define FW_SEGMENT_H

#include "fanwen.h"
#include "lines.h"

/* fw_segment() without the code points of `skip` (nskip whole lines of the
 * text, in order, from fw_lines_find()): their units are dropped before
 * passages are made, so the passages tile the rest. */
fw_status fw_segment_skipping(const char *text, size_t len, const uint32_t *cps,
                              const uint32_t *offsets, size_t ncps, unsigned min_chars,
                              unsigned max_chars, const fw_line *skip, size_t nskip,
                              fw_span **spans, size_t *cap, size_t *count);

#endif
