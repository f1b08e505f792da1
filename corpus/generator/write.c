/*
 * write.c — the documents and the truth files.
 *
 * Documents go to DIR/docs/ as one .txt file each or as JSONL shards; the
 * truth goes to DIR/truth/ as RFC 4180 CSV (CRLF, like fanwen's reports),
 * with the ids fanwen will give the documents, so that reports and truth
 * join on them. Ids, numbers and transform names hold no comma, quote or
 * line break; the texts of boilerplate.csv are quoted when they need it
 * (a header holds the page's title, which recycled text can give).
 */
#include "generator.h"
#include "write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fanwen-corpus: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static FILE *open_out(const char *dir, const char *name, const char *header)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write", path);
    if (header) fprintf(f, "%s\r\n", header);
    return f;
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) die("cannot make", path);
}

void writer_open(writer *w, const char *dir, int jsonl, size_t shard_docs)
{
    *w = (writer){.jsonl = jsonl, .shard_docs = shard_docs ? shard_docs : 10000};
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    char sub[4200];
    make_dir(dir);
    snprintf(sub, sizeof sub, "%s/docs", dir);
    make_dir(sub);
    snprintf(sub, sizeof sub, "%s/truth", dir);
    make_dir(sub);
    w->documents = open_out(sub, "documents.csv",
                            "id,role,genre,transform,intensity,sources,site,bytes,chars,shingles");
    w->spans = open_out(sub, "spans.csv",
                        "id,span,kind,byte_start,byte_end,chars,origin,src_id,src_span,edits,"
                        "src_chars,transform");
    w->passages = open_out(sub, "passages.csv",
                           "id_a,a_start,a_end,id_b,b_start,b_end,chars,src_chars,edits,"
                           "edit_share,transform");
}

void writer_id(const writer *w, uint32_t number, char *out, size_t cap)
{
    snprintf(out, cap, w->jsonl ? "d%07u" : "d%07u.txt", number);
}

static void transforms(FILE *f, unsigned set)
{
    if (!set) {
        fputs("none", f);
        return;
    }
    int first = 1;
    for (int t = 0; t < T_COUNT; t++)
        if (set & (1u << t)) {
            fprintf(f, "%s%s", first ? "" : "+", TRANSFORM_NAMES[t]);
            first = 0;
        }
}

static const char *const KINDS[] = {"title", "heading", "paragraph", "boilerplate", "teaser"};

static void write_text(writer *w, const gen_doc *d, const char *id)
{
    char path[4400];
    if (!w->jsonl) {
        snprintf(path, sizeof path, "%s/docs/%s", w->dir, id);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(d->text.data, 1, d->text.len, f) != d->text.len || fclose(f) != 0)
            die("cannot write", path);
        return;
    }
    if (!w->shard || w->in_shard == w->shard_docs) {
        if (w->shard && fclose(w->shard) != 0) die("cannot write", "shard");
        snprintf(path, sizeof path, "%s/docs/part-%05zu.jsonl", w->dir, w->shards++);
        w->shard = fopen(path, "wb");
        if (!w->shard) die("cannot write", path);
        w->in_shard = 0;
    }
    fprintf(w->shard, "{\"id\":\"%s\",\"text\":\"", id);
    for (size_t i = 0; i < d->text.len; i++) {
        unsigned char c = (unsigned char)d->text.data[i];
        if (c == '"' || c == '\\') fprintf(w->shard, "\\%c", c);
        else if (c == '\n') fputs("\\n", w->shard);
        else if (c < 0x20) fprintf(w->shard, "\\u%04x", c);
        else fputc(c, w->shard);
    }
    fputs("\"}\n", w->shard);
    w->in_shard++;
}

void writer_doc(writer *w, const gen_doc *d, gen_doc *(*lookup)(void *ctx, uint32_t number),
                void *ctx)
{
    char id[32], src_id[32];
    writer_id(w, d->number, id, sizeof id);
    write_text(w, d, id);
    fprintf(w->documents, "%s,%s,%s,", id, d->role, d->genre >= 0 ? B_GENRES.item[d->genre] : "recycled");
    transforms(w->documents, d->transforms);
    fprintf(w->documents, ",%.6f,", d->intensity);
    for (int k = 0; k < d->nsources; k++) {
        writer_id(w, d->sources[k], src_id, sizeof src_id);
        fprintf(w->documents, "%s%s", k ? " " : "", src_id);
    }
    fprintf(w->documents, ",%s,%zu,%u,%zu\r\n", d->site >= 0 ? B_SITES.item[d->site] : "",
            d->text.len, d->norm_chars, d->nset);
    for (size_t i = 0; i < d->nspans; i++) {
        const span *s = &d->spans[i];
        if (s->kind == SPAN_BOILERPLATE && s->origin < BOILER_ORIGINS && !w->boiler_docs[s->origin]++) {
            str_put(&w->boiler_text[s->origin], s->text.data, s->text.len);
            w->boiler_chars[s->origin] = s->norm_chars;
        }
        if (s->src_doc != NO_DOC) writer_id(w, s->src_doc, src_id, sizeof src_id);
        else src_id[0] = '\0';
        fprintf(w->spans, "%s,%zu,%s,%zu,%zu,%u,%u,%s,", id, i, KINDS[s->kind], s->byte_start,
                s->byte_end, s->norm_chars, s->origin, src_id);
        if (s->src_doc != NO_DOC) fprintf(w->spans, "%u", s->src_span);
        fprintf(w->spans, ",%u,%u,", s->edits, s->src_chars);
        transforms(w->spans, s->transforms);
        fputs("\r\n", w->spans);
        if (s->src_doc == NO_DOC || s->kind == SPAN_BOILERPLATE) continue;
        const gen_doc *src = lookup(ctx, s->src_doc);
        if (!src) continue; /* out of the window: cannot happen with the sizes main.c uses */
        const span *from = &src->spans[s->src_span];
        size_t a_end = s->src_bytes ? from->byte_start + s->src_bytes : from->byte_end;
        fprintf(w->passages, "%s,%zu,%zu,%s,%zu,%zu,%u,%u,%u,%.6f,", src_id, from->byte_start, a_end,
                id, s->byte_start, s->byte_end, s->norm_chars, s->src_chars, s->edits,
                s->src_chars ? (double)s->edits / s->src_chars : 0.0);
        transforms(w->passages, s->transforms ? s->transforms : 1u << T_EXACT);
        fputs("\r\n", w->passages);
    }
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *f, const char *s, size_t n)
{
    if (strcspn(s, ",\"\r\n") >= n) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

void writer_synonyms(const writer *w, const gen_state *g)
{
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/truth", w->dir);
    FILE *f = open_out(sub, "synonyms.csv", "canonical,variant,in_template_table,swaps,docs");
    for (size_t k = 0; k < NSWAPS; k++)
        fprintf(f, "%s,%s,%d,%llu,%u\r\n", SWAPS[k][0], SWAPS[k][1], k < NSWAPS_SEEN,
                (unsigned long long)g->swaps[k], g->swap_docs[k]);
    if (fclose(f) != 0) die("cannot write", sub);
}

/* truth/boilerplate.csv: every piece of site boilerplate the documents hold. */
static void write_boilerplate(writer *w)
{
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/truth", w->dir);
    FILE *f = open_out(sub, "boilerplate.csv", "origin,place,site,docs,chars,text");
    for (uint32_t o = 0; o < BOILER_ORIGINS; o++) {
        int site;
        const char *place = derive_boilerplate_place(o, &site);
        if (!w->boiler_docs[o] || !place) continue;
        fprintf(f, "%u,%s,%s,%u,%u,", o, place, site >= 0 ? B_SITES.item[site] : "", w->boiler_docs[o],
                w->boiler_chars[o]);
        csv_field(f, w->boiler_text[o].data, w->boiler_text[o].len);
        fputs("\r\n", f);
        str_free(&w->boiler_text[o]);
    }
    if (fclose(f) != 0) die("cannot write", sub);
}

void writer_close(writer *w)
{
    write_boilerplate(w);
    FILE *files[] = {w->documents, w->spans, w->passages, w->shard};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (files[i] && fclose(files[i]) != 0) die("cannot write", w->dir);
}
