/*
 * arena.c — the per-thread bump allocator: a list of large chunks, each
 * filled from the front. Why it exists, why huge pages and how long its
 * memory lives: arena.h.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define CHUNK (16u << 20)
#define PAGE (2u << 20)   /* a huge page */
#else
/* The fuzzers' build (tests/fuzz): small chunks on normal pages, so that
 * every input crosses chunk boundaries and takes the path of an allocation
 * larger than a chunk, and no input pays for mapping 16 MB. */
#define CHUNK (4u << 10)
#define PAGE (4u << 10)
#endif

typedef struct fw_arena_chunk {
    struct fw_arena_chunk *next;
    size_t used, size;
    alignas(16) unsigned char data[];
} fw_arena_chunk;

void *fw_arena_alloc(fw_arena *arena, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    fw_arena_chunk *c = arena->chunks;
    if (!c || c->size - c->used < size) {
        size_t want = size > CHUNK ? size : CHUNK;
        size_t bytes = (sizeof *c + want + PAGE - 1) & ~(size_t)(PAGE - 1);
        c = aligned_alloc(PAGE, bytes);
        if (!c) return NULL;
        madvise(c, bytes, MADV_HUGEPAGE);
        c->next = arena->chunks;
        c->used = 0;
        c->size = want;
        arena->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

void fw_arena_free(fw_arena *arena)
{
    for (fw_arena_chunk *c = arena->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    arena->chunks = NULL;
}
