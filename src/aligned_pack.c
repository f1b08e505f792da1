/*
 * aligned_pack.c — the aligned texts kept for the passage level, packed.
 *
 * After reading, passages are cut from each document's aligned text and
 * aligned against each other on it, and spans map aligned characters back
 * to bytes: so it is kept for every document, 8 bytes a character as two
 * uint32 arrays. That was two thirds of a scan's memory, and memory costs
 * time as well as room: a fresh page is zeroed by the kernel when first
 * touched (0.5 to 2 ms a MB measured on a 2-core VM, as much as hashing
 * it). Packed, a character costs about 3 bytes:
 *
 *   code points  2 bytes each when all are in the Basic Multilingual Plane
 *                (Chinese is), else 4;
 *   offsets      the step from the previous one in a byte (a character is
 *                1 to 4 bytes, plus what normalization dropped before it),
 *                255 then 4 bytes for a longer step; every 256 characters a
 *                checkpoint of the absolute offset and where its steps
 *                start, so any range is reached by reading at most 255
 *                steps. Offsets that ever go back are kept whole.
 *
 * Layout: u32 flags | checkpoints (u32 offset, u32 step position; one more
 * at the end, where the steps end) | code points | steps. A range is unpacked into the reader's buffer
 * (aligned_text.c), which callers already treat as valid until the next
 * read, as for texts read back from a file under a memory limit.
 */
#include "aligned_pack.h"

#include <string.h>

#define WIDE 1u        /* code points are 4 bytes */
#define RAW_OFFSETS 2u /* offsets kept whole: they go back somewhere */
#define EVERY 256      /* characters between checkpoints */
#define LONG_STEP 255

typedef struct layout {
    uint32_t flags;
    size_t checkpoints, cps_at, steps_at;
} layout;

static size_t round16(size_t x) { return (x + 15) & ~(size_t)15; }

static layout layout_of(uint32_t flags, size_t n)
{
    layout l = {flags, (n + EVERY - 1) / EVERY + 1, 0, 0}; /* + where steps end */
    l.cps_at = round16(4 + 8 * l.checkpoints);
    l.steps_at = l.cps_at + n * (flags & WIDE ? 4 : 2);
    return l;
}

size_t fw_aligned_packed_size(const uint32_t *cps, const uint32_t *offsets, size_t n,
                              uint32_t *flags)
{
    uint32_t max = 0, back = 0;
    size_t long_steps = 0;
    for (size_t i = 0; i < n; i++) max |= cps[i];
    for (size_t i = 1; i < n; i++) {
        back |= offsets[i] < offsets[i - 1];
        long_steps += offsets[i] - offsets[i - 1] >= LONG_STEP && i % EVERY;
    }
    *flags = (max > 0xFFFF ? WIDE : 0) | (back ? RAW_OFFSETS : 0);
    size_t steps = back ? 4 * n : n - (n + EVERY - 1) / EVERY + 4 * long_steps;
    return layout_of(*flags, n).steps_at + steps;
}

void fw_aligned_pack(const uint32_t *cps, const uint32_t *offsets, size_t n, uint32_t flags,
                     unsigned char *out)
{
    layout l = layout_of(flags, n);
    memcpy(out, &flags, 4);
    if (flags & WIDE) {
        memcpy(out + l.cps_at, cps, 4 * n);
    } else {
        uint16_t *c = (uint16_t *)(out + l.cps_at);
        for (size_t i = 0; i < n; i++) c[i] = (uint16_t)cps[i];
    }
    unsigned char *steps = out + l.steps_at;
    if (flags & RAW_OFFSETS) {
        memcpy(steps, offsets, 4 * n);
        return;
    }
    uint32_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % EVERY == 0) {
            uint32_t cp[2] = {offsets[i], pos};
            memcpy(out + 4 + 8 * (i / EVERY), cp, 8);
            continue;
        }
        uint32_t step = offsets[i] - offsets[i - 1];
        if (step < LONG_STEP) {
            steps[pos++] = (unsigned char)step;
        } else {
            steps[pos] = LONG_STEP;
            memcpy(steps + pos + 1, &step, 4);
            pos += 5;
        }
    }
    uint32_t end[2] = {0, pos};
    memcpy(out + 4 + 8 * (l.checkpoints - 1), end, 8);
}

void fw_aligned_unpack(const unsigned char *packed, size_t n, size_t start, size_t count,
                       uint32_t *cps, uint32_t *offsets)
{
    uint32_t flags;
    memcpy(&flags, packed, 4);
    layout l = layout_of(flags, n);
    if (flags & WIDE) {
        memcpy(cps, packed + l.cps_at + 4 * start, 4 * count);
    } else {
        const uint16_t *c = (const uint16_t *)(packed + l.cps_at) + start;
        for (size_t i = 0; i < count; i++) cps[i] = c[i];
    }
    if (!offsets || !count) return;
    const unsigned char *steps = packed + l.steps_at;
    if (flags & RAW_OFFSETS) {
        memcpy(offsets, steps + 4 * start, 4 * count);
        return;
    }
    /* block by block from the checkpoint before start; a block whose steps
     * take one byte a character (the next checkpoint says so) has no long
     * step: a plain prefix sum */
    const size_t end = start + count;
    for (size_t block = start / EVERY; block * EVERY < end; block++) {
        const size_t first = block * EVERY;
        const size_t last = first + EVERY < n ? first + EVERY : n; /* exclusive */
        uint32_t cp[2], next_pos;
        memcpy(cp, packed + 4 + 8 * block, 8);
        memcpy(&next_pos, packed + 4 + 8 * (block + 1) + 4, 4);
        uint32_t off = cp[0];
        const unsigned char *s = steps + cp[1];
        const size_t from = start > first ? start : first, to = end < last ? end : last;
        if (next_pos - cp[1] == last - first - 1) {
            for (size_t i = first + 1; i <= from; i++) off += s[i - first - 1];
            offsets[from - start] = off;
            for (size_t i = from + 1; i < to; i++) {
                off += s[i - first - 1];
                offsets[i - start] = off;
            }
            continue;
        }
        for (size_t i = first; i < to; i++) {
            if (i > first) {
                if (*s < LONG_STEP) {
                    off += *s++;
                } else {
                    uint32_t step;
                    memcpy(&step, s + 1, 4);
                    off += step;
                    s += 5;
                }
            }
            if (i >= from) offsets[i - start] = off;
        }
    }
}
