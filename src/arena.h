/*
 * arena.h — the per-thread bump allocator behind what a scan keeps of each
 * document (internal; see arena.c).
 *
 * Why it exists: sketching a document leaves a few pieces of memory that
 * live exactly as long as the scan (its text and band keys, kept for exact
 * verification, or its signature; its passages with their signatures). Over millions of documents, malloc would make that millions
 * of small blocks, each with a header, asked for from every thread at once.
 * Instead each sketching thread carves them, one after the other, out of
 * large chunks of its own: no lock, no header, nothing to free one by one.
 *
 * The chunks: at least 16 MB, aligned to 2 MB and rounded up to it, so
 * that a kernel with transparent huge pages on ("always") can back them
 * with huge pages when it has some free. They are not advised
 * (MADV_HUGEPAGE): with the advice the kernel compacts memory to find huge
 * pages at the first touch, and on the development VM (which hands freed
 * memory back to its host) that doubled a scan's system time for no gain
 * (bench/README, "Huge pages").
 * Something larger than a chunk gets a chunk of its own size; when the
 * newest chunk has no room left, what it has left is not used again.
 * Every allocation is 16-byte aligned. (The fuzzers build it with 4 KB
 * chunks on normal pages: see arena.c.)
 *
 * Lifetime: nothing is freed on its own. fw_arena_free() releases every
 * chunk at once, when the scan is freed (or, for the passages'
 * signatures, once they are side by side: an arena that `returns`), so a
 * pointer from fw_arena_alloc() stays valid until then. One arena per
 * thread: it takes no lock.
 */
#ifndef FW_ARENA_H
#define FW_ARENA_H

#include <stddef.h>

/* Zero-initialized: an empty arena. */
typedef struct fw_arena {
    struct fw_arena_chunk *chunks; /* newest first; memory comes from it */
    int returns;                   /* 1: freed long before the scan ends, its
                                    * chunks go back to the system (arena.c) */
} fw_arena;

/* `size` bytes, 16-byte aligned; NULL when out of memory (the arena is left
 * as it was). */
void *fw_arena_alloc(fw_arena *arena, size_t size);

/* The same with the arena as an untyped context: what a callback taking
 * (void *ctx, size_t size) is given (passage_cut.h's fw_alloc_fn). */
void *fw_arena_alloc_in(void *arena, size_t size);

/* Releases every chunk; the arena is empty again. */
void fw_arena_free(fw_arena *arena);

#endif
