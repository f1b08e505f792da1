/* grow.h — growable arrays (internal): one way to make room, for every
 * list that is filled one item at a time, and for scratch buffers. */
#ifndef FW_GROW_H
#define FW_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Makes room for `need` items of `size` bytes in *array (capacity *cap,
 * doubled from `first` as needed, contents kept). Returns 0 when out of
 * memory, leaving the array as it was. */
static inline int fw_grow(void *array, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap) return 1;
    size_t want = *cap ? *cap : first;
    while (want < need) {
        if (want > SIZE_MAX / 2 / size) return 0;
        want *= 2;
    }
    void **a = array;
    void *grown = realloc(*a, want * size);
    if (!grown) return 0;
    *a = grown;
    *cap = want;
    return 1;
}

/* A per-thread scratch buffer of at least `bytes` bytes (capacity *cap, in
 * bytes), reused from one document to the next: its contents are not kept
 * when it grows. NULL when out of memory (the old buffer is freed). */
static inline void *fw_grow_scratch(void *buf, size_t *cap, size_t bytes)
{
    if (bytes <= *cap && buf) return buf;
    size_t want = bytes + bytes / 2 + 64;
    free(buf);
    buf = malloc(want);
    *cap = buf ? want : 0;
    return buf;
}

#endif
