/* passage_stop.h — the 3-grams too common to tell passages apart
 * (internal; see passage_stop.c). */
#ifndef FW_PASSAGE_STOP_H
#define FW_PASSAGE_STOP_H

#include "fanwen.h"

/* Bits of the filter: a 3-gram hash's top FW_STOP_BITS bits index it. */
#define FW_STOP_BITS 20

typedef struct fw_stop_counter fw_stop_counter;

/* The common 3-grams, as a bit filter (false positives drop a few rare
 * ones too). */
typedef struct fw_stop_grams {
    uint8_t bits[(1u << FW_STOP_BITS) / 8];
    size_t ngrams;         /* filter bits set: about the 3-grams found common */
    uint64_t windows;      /* windows counted */
} fw_stop_grams;

/* The filter bit of a 3-gram hash: its top FW_STOP_BITS bits. */
static inline size_t fw_stop_bit(uint64_t hash) { return (size_t)(hash >> (64 - FW_STOP_BITS)); }

static inline int fw_stop_gram(const fw_stop_grams *s, uint64_t hash)
{
    size_t b = fw_stop_bit(hash);
    return (s->bits[b >> 3] >> (b & 7)) & 1;
}

/* A 3-gram seen fewer times than this in the sample is never common: in a
 * small corpus, a paragraph copied a few times is what is looked for, not
 * noise to leave out. */
#define FW_STOP_MIN_COUNT 50

/* Counts 3-gram hashes (of a sample of texts). */
fw_status fw_stop_counter_new(fw_stop_counter **out);
fw_status fw_stop_counter_add(fw_stop_counter *c, const uint64_t *hashes, size_t n);
/* The common ones: seen at least `share` times per `window` hashes counted
 * (and FW_STOP_MIN_COUNT times or more); about the share of passage-sized windows holding
 * them, since a 3-gram seldom comes twice in a passage. */
fw_status fw_stop_counter_finish(fw_stop_counter *c, double share, size_t window,
                                 fw_stop_grams *out);
void fw_stop_counter_free(fw_stop_counter *c);

#endif
