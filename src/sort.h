/* sort.h — radix sorts shared by the stages (internal). */
#ifndef FW_SORT_H
#define FW_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Sorts v[0..n) ascending, using tmp[0..n) as scratch. */
void fw_sort_u64(uint64_t *v, uint64_t *tmp, size_t n);

/* Stable sort of v[0..n) by the high 32 bits alone (records key << 32 |
 * item: items with equal keys keep their order), tmp[0..n) as scratch. */
void fw_sort_by_high32(uint64_t *v, uint64_t *tmp, size_t n);

/* Removes adjacent duplicates of a sorted array; returns the new length. */
size_t fw_unique_u64(uint64_t *v, size_t n);

/* Sorts v[0..n) and removes its repeats (scratch of its own): *n becomes
 * the distinct count. 0 when out of memory (v untouched). */
int fw_sort_unique_u64(uint64_t *v, size_t *n);

/* The first position of sorted v[0..n) whose value is not below x (n when
 * none is). */
size_t fw_search_u64(const uint64_t *v, size_t n, uint64_t x);

/* Whether sorted v[0..n) holds x. */
int fw_contains_u64(const uint64_t *v, size_t n, uint64_t x);

/* A record keyed by a 64-bit hash, carrying a 32-bit value. */
typedef struct fw_keyed {
    uint64_t key;
    uint32_t value;
} fw_keyed;

/* Stable sort of records by key (records with equal keys keep their order). */
void fw_sort_keyed(fw_keyed *v, fw_keyed *tmp, size_t n);

#endif
