/*
 * prepare.c — fanwen-peers-prepare: a corpus as fanwen's document level
 * sees it, for the peers to read.
 *
 *   fanwen-peers-prepare CORPUS DIR
 *
 * Writes DIR/texts.txt, one document per line: its text after fanwen's
 * normalization (NFKC, case folding, whitespace, punctuation and controls
 * removed, so no line break is left inside a text), as UTF-8; and
 * DIR/ids.txt, the document's id on the same line number, as pairs.csv
 * names it. A peer that cuts these texts into 5-character shingles gets
 * exactly the shingles fanwen hashes (src/shingle.c), so all tools compare
 * the same sets; only how each one hashes them differs.
 *
 * Documents are read as `fanwen scan` reads them (files, directories,
 * JSONL with the fields "text" and "id", WARC, gzip and zstd), in the same
 * order. Those that scan would set aside (binary, empty after
 * normalization, unreadable) are left out, as scan leaves them out of its
 * pairs: the rule is sketch.c's classify(). Normalizing is not timed for
 * any tool here; fanwen's own time (bench/peers/run) includes it.
 */
#include "fanwen.h"
#include "jsonl.h"
#include "read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct export_state {
    const fw_normalizer *normalizer;
    FILE *texts, *ids;
    uint32_t *cps;           /* normalized code points, reused */
    size_t cps_cap;
    char *utf8;              /* the same, encoded again, reused */
    size_t utf8_cap;
    size_t written, left_out;
} export_state;

static void die(const char *what)
{
    fprintf(stderr, "fanwen-peers-prepare: %s%s%s\n", what, errno ? ": " : "",
            errno ? strerror(errno) : "");
    exit(1);
}

/* sketch.c's classify(): what scan sketches, and so may pair. */
static int scan_would_pair(const fw_norm_info *info, size_t chars)
{
    size_t bad = info->invalid_sequences + info->control_bytes;
    if (info->nul_bytes) return 0;
    if (bad >= 8 && bad * 10 > info->code_points) return 0;
    return chars > 0;
}

static void write_document(export_state *st, const char *id, const char *text, size_t len)
{
    size_t chars;
    fw_norm_info info;
    if (fw_normalize(st->normalizer, text, len, &st->cps, &st->cps_cap, &chars, &info) != FW_OK)
        die("out of memory");
    if (!scan_would_pair(&info, chars)) {
        st->left_out++;
        return;
    }
    if (chars > (SIZE_MAX - 1) / 4) die("document too large");
    if (st->utf8_cap < 4 * chars + 1) {
        st->utf8_cap = 4 * chars + 1;
        if (!(st->utf8 = realloc(st->utf8, st->utf8_cap))) die("out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < chars; i++) n += fw_utf8_encode(st->utf8 + n, st->cps[i]);
    st->utf8[n++] = '\n';
    if (fwrite(st->utf8, 1, n, st->texts) != n || fprintf(st->ids, "%s\n", id) < 0)
        die("cannot write");
    st->written++;
}

/* The reader's sink: a JSON line gives its "text" field and its "id" (or
 * FILE:LINE without one), as scan's sketch.c parse_jsonl() does. */
static fw_status take(void *ctx, fw_input_doc *in)
{
    export_state *st = ctx;
    if (!in->text || in->status != FW_DOC_OK) {
        st->left_out++;
    } else if (in->jsonl) {
        fw_jsonl_doc j = {0};
        if (fw_jsonl_parse(in->text, in->len, "text", "id", NULL, &j) != FW_OK)
            die("out of memory");
        if (j.text)
            write_document(st, j.id ? j.id : in->id, j.text, j.len);
        else
            st->left_out++;
        fw_jsonl_done(&j);
    } else {
        write_document(st, in->id, in->text, in->len);
    }
    if (!in->borrowed) free(in->text);
    free(in->id);
    free(in->message);
    return FW_OK;
}

static FILE *open_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path) die("out of memory");
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) die(path);
    free(path);
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fanwen-peers-prepare CORPUS DIR\n"
                        "writes DIR/texts.txt (normalized texts, one a line) and DIR/ids.txt\n");
        return 2;
    }
    fw_normalizer *normalizer;
    if (fw_normalizer_new(&normalizer) != FW_OK) die("cannot build the normalizer");
    export_state st = {.normalizer = normalizer};
    st.texts = open_in(argv[2], "texts.txt");
    st.ids = open_in(argv[2], "ids.txt");
    fw_read_options ro = {.max_doc_bytes = FW_DEFAULT_MAX_DOC_BYTES};
    errno = 0;
    if (fw_read_path(argv[1], &ro, take, &st) != FW_OK) die("cannot read the corpus");
    if (fclose(st.texts) || fclose(st.ids)) die("cannot write");
    fprintf(stderr, "fanwen-peers-prepare: %zu documents written, %zu left out\n", st.written,
            st.left_out);
    free(st.cps);
    free(st.utf8);
    fw_normalizer_free(normalizer);
    return 0;
}
