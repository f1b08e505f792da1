/*
 * arena.c — the per-thread bump allocator: a list of large chunks, each
 * filled from the front. Why it exists, why 2 MB chunks and how long its
 * memory lives: arena.h.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
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
    size_t bytes;         /* allocated, from the chunk's start */
    alignas(16) unsigned char data[];
} fw_arena_chunk;

/* An arena freed before the scan ends (arena.h: `returns`) maps its
 * chunks and unmaps them: the CLI raises malloc's mmap threshold to 256
 * MB (fewer page faults for transient buffers), under which freed chunks
 * would stay in the process, out of reach of other threads' malloc. The
 * others take theirs from malloc, which hands back memory freed earlier
 * (reading's buffers) instead of fresh pages the kernel must zero: mapping
 * all of them cost 5% of a laws scan. Sanitizer and fuzzing builds always
 * use malloc, which they watch. */
#if defined(__has_feature) /* clang says so this way, gcc by __SANITIZE_ADDRESS__ */
#if __has_feature(address_sanitizer) || __has_feature(hwaddress_sanitizer)
#define ARENA_WATCHED 1
#endif
#endif
#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) || defined(__SANITIZE_ADDRESS__) || \
    defined(__SANITIZE_HWADDRESS__) || defined(ARENA_WATCHED)
#define CAN_MAP 0
#else
#define CAN_MAP 1
#endif

/* `bytes` (a multiple of PAGE) at an address aligned to PAGE, as huge
 * pages need: mapped (a mapping PAGE larger, its ends cut off), or
 * malloc'ed. */
static void *chunk_get(int map, size_t bytes)
{
    if (!CAN_MAP || !map) return aligned_alloc(PAGE, bytes);
    unsigned char *m = mmap(NULL, bytes + PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    size_t head = (PAGE - (uintptr_t)m % PAGE) % PAGE;
    if (head) munmap(m, head);
    if (PAGE - head) munmap(m + head + bytes, PAGE - head);
    return m + head;
}

static void chunk_put(int map, void *c, size_t bytes)
{
    if (CAN_MAP && map) munmap(c, bytes);
    else free(c);
}

void *fw_arena_alloc(fw_arena *arena, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    fw_arena_chunk *c = arena->chunks;
    if (!c || c->size - c->used < size) {
        size_t want = size > CHUNK ? size : CHUNK;
        size_t bytes = (sizeof *c + want + PAGE - 1) & ~(size_t)(PAGE - 1);
        c = chunk_get(arena->returns, bytes);
        if (!c) return NULL;
        c->next = arena->chunks;
        c->used = 0;
        c->size = want;
        c->bytes = bytes;
        arena->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

void *fw_arena_alloc_in(void *arena, size_t size) { return fw_arena_alloc(arena, size); }

void fw_arena_free(fw_arena *arena)
{
    for (fw_arena_chunk *c = arena->chunks, *next; c; c = next) {
        next = c->next;
        chunk_put(arena->returns, c, c->bytes);
    }
    arena->chunks = NULL;
}
