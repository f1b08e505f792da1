/* write.h — the documents and the truth files (see write.c). */
#ifndef FW_CORPUS_WRITE_H
#define FW_CORPUS_WRITE_H

#include "generator.h"

typedef struct writer {
    char dir[4096];
    int jsonl;
    size_t shard_docs, shards, in_shard;
    FILE *shard, *documents, *spans, *passages;
    /* site boilerplate, per origin: the documents holding it, and its text
     * and normalized characters on the first of them */
    uint32_t boiler_docs[BOILER_ORIGINS], boiler_chars[BOILER_ORIGINS];
    gen_str boiler_text[BOILER_ORIGINS];
} writer;

void writer_open(writer *w, const char *dir, int jsonl, size_t shard_docs);
/* The id fanwen gives document `number`: d0000042.txt, or d0000042 in JSONL. */
void writer_id(const writer *w, uint32_t number, char *out, size_t cap);
/* Writes the document and its rows of documents.csv, spans.csv and
 * passages.csv; `lookup` finds the documents its spans were copied from. */
void writer_doc(writer *w, const gen_doc *d, gen_doc *(*lookup)(void *ctx, uint32_t number),
                void *ctx);
/* truth/synonyms.csv: the swaps of SWAPS and how often `g` made them. */
void writer_synonyms(const writer *w, const gen_state *g);
/* Writes truth/boilerplate.csv and closes the files. */
void writer_close(writer *w);

#endif
