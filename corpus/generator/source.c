/*
 * source.c — originals recycled from real text (--source PATH).
 *
 * Any input fanwen reads (files, directories, JSONL, WARC, gzip, zstd) is
 * read with the library's own readers, and each document in turn becomes an
 * original: its first line the title when short, its lines grouped into
 * paragraphs of at least 60 characters. The copies are then made from it as
 * from a composed report; the transforms that look for the banks' place
 * names find none and change nothing. Real text has real near-duplicates of
 * its own: the exact join lists them as incidental pairs.
 */
#include "generator.h"
#include "jsonl.h"
#include "read.h"

#include <stdlib.h>
#include <string.h>

typedef struct source_list {
    char **text;
    size_t *len;
    size_t n, cap, max;
    fw_jsonl_scratch scratch;
} source_list;

static void keep(source_list *l, const char *text, size_t len)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->text = gen_grow(l->text, l->cap, sizeof *l->text);
        l->len = gen_grow(l->len, l->cap, sizeof *l->len);
    }
    l->text[l->n] = gen_alloc(len + 1, 1);
    memcpy(l->text[l->n], text, len);
    l->text[l->n][len] = '\0';
    l->len[l->n++] = len;
}

static fw_status take(void *ctx, fw_input_doc *doc)
{
    source_list *l = ctx;
    if (doc->status == FW_DOC_OK && doc->text && l->n < l->max) {
        if (doc->jsonl) {
            fw_jsonl_doc j = {0};
            if (fw_jsonl_parse(doc->text, doc->len, "text", "id", &l->scratch, &j) == FW_OK && j.text &&
                j.len)
                keep(l, j.text, j.len);
            fw_jsonl_done(&j);
        } else if (doc->len) {
            keep(l, doc->text, doc->len);
        }
    }
    if (!doc->borrowed) free(doc->text);
    free(doc->id);
    free(doc->message);
    return FW_OK;
}

source_list *source_read(char *const *paths, size_t npaths, size_t max_docs)
{
    source_list *l = gen_zalloc(1, sizeof *l);
    l->max = max_docs;
    fw_read_options ro = {.max_doc_bytes = 64u << 20};
    for (size_t i = 0; i < npaths; i++)
        if (fw_read_path(paths[i], &ro, take, l) != FW_OK) {
            fprintf(stderr, "fanwen-corpus: cannot read %s\n", paths[i]);
            exit(1);
        }
    fw_jsonl_scratch_free(&l->scratch);
    return l;
}

size_t source_count(const source_list *l) { return l->n; }

void source_free(source_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) free(l->text[i]);
    free(l->text);
    free(l->len);
    free(l);
}

gen_doc *compose_recycled(gen_state *g, uint32_t number, const source_list *l, size_t which)
{
    gen_doc *d = gen_zalloc(1, sizeof *d);
    *d = (gen_doc){.number = number, .genre = -1, .role = "original", .site = -1, .place = -1,
                   .org = -1};
    const char *p = l->text[which], *end = p + l->len[which];
    span *cur = NULL;
    int first = 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        while (p < e && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
        size_t n = (size_t)(e - p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r')) n--;
        if (n) {
            size_t chars = utf8_chars(p, n);
            if (first && chars <= 60) {
                str_put(&doc_add_span(d, SPAN_TITLE, g->next_origin++)->text, p, n);
            } else {
                if (!cur) cur = doc_add_span(d, SPAN_PARAGRAPH, g->next_origin++);
                else str_puts(&cur->text, "\n");
                str_put(&cur->text, p, n);
                if (utf8_chars(cur->text.data, cur->text.len) >= 60) cur = NULL;
            }
            first = 0;
        }
        p = nl ? nl + 1 : end;
    }
    return d;
}
