/*
 * guards.c — bench/check's guards on the passage level's two hot kernels,
 * timed at one thread on texts already in memory, as ratios to the hash
 * floor of the same run (bench.c): a ratio holds on a shared machine
 * where an absolute time does not.
 *
 *   breaks   the search for line breaks and sentence ends (break_scan.c)
 *            over every text's bytes, both kinds, asked mark after mark
 *            as lines.c and segment.c ask;
 *   align    the bit-parallel LCS (align.c) as verification runs it: each
 *            piece of 200 code points as the pattern, against a copy of it
 *            with every tenth character changed (a match, all columns) and
 *            against the next piece (unrelated, stopping early), with the
 *            bar of a 0.6 passage threshold.
 *
 *   json     the JSON scanner (jsonl_scan.c) on the lines a JSONL shard
 *            of these texts would hold, parsed one by one as the scan
 *            parses them (with a thread's scratch, then fw_jsonl_done).
 *
 * What they catch is a kernel that lost its shape: the vector search
 * falling back to bytes, the aligner to a probing table, a generic word
 * loop or no early stop, the JSON scanner to yajl or to byte steps; not
 * the last few per cent.
 */
#include "guards.h"
#include "align.h"
#include "break_scan.h"
#include "jsonl.h"
#include "simd_paths.h"

#include "measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIECE 200

double fw_guard_breaks(const fw_guard_texts *t, int repeat, uint64_t *marks)
{
    const fw_simd path = fw_scanner_simd(FW_SIMD_AUTO);
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        uint64_t found = 0;
        double t0 = fw_now();
        for (size_t i = 0; i < t->n; i++)
            for (int kind = FW_BREAK_LINE; kind <= FW_BREAK_SENTENCE; kind++) {
                fw_break_scanner b;
                fw_break_scanner_init(&b, (const unsigned char *)t->text[i], t->len[i],
                                      (fw_break_kind)kind, path);
                for (size_t at = fw_break_next(&b, 0); at < t->len[i];
                     at = fw_break_next(&b, at + 1))
                    found++;
            }
        double s = fw_now() - t0;
        if (s < best) best = s;
        *marks = found;
    }
    return best;
}

double fw_guard_align(const fw_guard_texts *t, int repeat, uint64_t *columns, uint64_t *lcs_sum)
{
    fw_aligner al = {0};
    uint32_t edited[PIECE];
    const size_t need = PIECE * 6 / 10;
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        uint64_t cols = 0, sum = 0;
        double t0 = fw_now();
        for (size_t i = 0; i < t->n; i++) {
            const uint32_t *c = t->cps[i];
            for (size_t at = 0; at + 2 * PIECE <= t->chars[i]; at += PIECE) {
                size_t lcs;
                memcpy(edited, c + at, sizeof edited);
                for (size_t k = 9; k < PIECE; k += 10) edited[k] = 0x3400 + (uint32_t)k;
                if (fw_align_pattern(&al, c + at, PIECE) != FW_OK ||
                    fw_align_against(&al, edited, PIECE, need, &lcs) != FW_OK)
                    goto failed;
                sum += lcs;
                if (fw_align_against(&al, c + at + PIECE, PIECE, need, &lcs) != FW_OK)
                    goto failed;
                sum += lcs;
                cols += 2 * PIECE;
            }
        }
        double s = fw_now() - t0;
        if (s < best) best = s;
        *columns = cols;
        *lcs_sum = sum;
    }
    fw_aligner_free(&al);
    return best;
failed:
    fw_aligner_free(&al);
    return -1;
}

/* The texts as JSONL lines, as a shard would hold them. */
typedef struct json_lines {
    char **line;
    size_t *len;
    char (*id)[24];
    size_t n;
} json_lines;

static void json_lines_free(json_lines *l)
{
    for (size_t i = 0; l->line && i < l->n; i++) free(l->line[i]);
    free(l->line);
    free(l->len);
    free(l->id);
}

static int make_json_lines(const fw_guard_texts *t, json_lines *l)
{
    l->n = t->n;
    l->line = calloc(t->n ? t->n : 1, sizeof *l->line);
    l->len = calloc(t->n ? t->n : 1, sizeof *l->len);
    l->id = calloc(t->n ? t->n : 1, sizeof *l->id);
    if (!l->line || !l->len || !l->id) return 0;
    for (size_t i = 0; i < t->n; i++) {
        snprintf(l->id[i], sizeof l->id[i], "g%zu", i);
        FILE *f = open_memstream(&l->line[i], &l->len[i]);
        if (!f) return 0;
        fprintf(f, "{\"id\":\"%s\",\"text\":\"", l->id[i]);
        for (size_t k = 0; k < t->len[i]; k++) { /* the texts are valid UTF-8 */
            unsigned char ch = (unsigned char)t->text[i][k];
            if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
            else if (ch == '\n') fputs("\\n", f);
            else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
            else fputc(ch, f);
        }
        fputs("\"}", f);
        if (fclose(f) != 0) return 0;
    }
    return 1;
}

/* Does the line give back its text and id, as yajl reads it too? */
static int json_line_right(const json_lines *l, const fw_guard_texts *t, size_t i,
                           fw_jsonl_scratch *sc, fw_jsonl_scratch *yajl_sc)
{
    fw_jsonl_doc fast = {0}, slow = {0};
    int ok = fw_jsonl_parse_simd(l->line[i], l->len[i], "text", "id", sc, FW_SIMD_AUTO, &fast) ==
                 FW_OK &&
             fw_jsonl_parse_yajl(l->line[i], l->len[i], "text", "id", yajl_sc, &slow) == FW_OK &&
             fast.text && slow.text && fast.len == t->len[i] && slow.len == t->len[i] &&
             !memcmp(fast.text, t->text[i], t->len[i]) &&
             !memcmp(slow.text, t->text[i], t->len[i]) && fast.id && slow.id &&
             !strcmp(fast.id, l->id[i]) && !strcmp(slow.id, l->id[i]) && !fast.repaired;
    fw_jsonl_done(&fast);
    fw_jsonl_done(&slow);
    return ok;
}

double fw_guard_json(const fw_guard_texts *t, int repeat, uint64_t *line_bytes)
{
    json_lines l = {0};
    fw_jsonl_scratch sc = {0}, yajl_sc = {0};
    double best = -1;
    if (!make_json_lines(t, &l)) goto out;
    uint64_t bytes = 0;
    for (size_t i = 0; i < l.n; i++) {
        bytes += l.len[i];
        if (!json_line_right(&l, t, i, &sc, &yajl_sc)) {
            best = -2;
            goto out;
        }
    }
    *line_bytes = bytes;
    best = 1e30;
    for (int r = 0; r < repeat; r++) {
        size_t texts = 0;
        double t0 = fw_now();
        for (size_t i = 0; i < l.n; i++) {
            fw_jsonl_doc d = {0};
            if (fw_jsonl_parse_simd(l.line[i], l.len[i], "text", "id", &sc, FW_SIMD_AUTO, &d) !=
                FW_OK) {
                best = -1;
                goto out;
            }
            texts += d.text != NULL;
            fw_jsonl_done(&d);
        }
        double s = fw_now() - t0;
        if (texts != l.n) {
            best = -2;
            goto out;
        }
        if (s < best) best = s;
    }
out:
    fw_jsonl_scratch_free(&sc);
    fw_jsonl_scratch_free(&yajl_sc);
    json_lines_free(&l);
    return best;
}
