/* grow.h — growable arrays (internal): one way to make room, for every
 * list that is filled one item at a time. */
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

#endif
