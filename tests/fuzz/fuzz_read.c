/*
 * fuzz_read.c — arbitrary bytes as a file read by fw_read_path() (src/read.c):
 * plain, gzip (multi-member too) or zstd framing; one document, or JSONL
 * split into lines.
 *
 * The first byte chooses the file's name (x.txt, x.jsonl, x.txt.zst or
 * x.jsonl.gz: the name decides JSONL, the magic bytes decompression) and
 * whether max_doc_bytes is small; the rest is the file. Besides the checks
 * of read_fuzz.h, a file without magic bytes and under the default limit
 * must come back exactly: a .txt file as one document equal to it, a .jsonl
 * file as its non-blank lines, in order, with their numbers (the first
 * without a byte order mark, a CRLF line without its CR), or one `empty`
 * row when it has none.
 */
#include "read_fuzz.h"

#define SMALL_MAX 100

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    make_fuzz_dir();
    return 0;
}

static fw_status expect_whole(read_run *run, const fw_input_doc *doc)
{
    CHECK(run->docs == 1 && doc->status == FW_DOC_OK && !doc->jsonl);
    CHECK(doc->len == run->size && memcmp(doc->text, run->data, run->size) == 0);
    return FW_OK;
}

/* The next line of the file at run->pos (without its \n or \r\n, and the
 * first without a byte order mark); 0 at the end. */
static int next_line(read_run *run, const char **line, size_t *len)
{
    if (run->pos >= run->size) return 0;
    const char *s = run->data + run->pos;
    const char *nl = memchr(s, '\n', run->size - run->pos);
    *line = s;
    *len = nl ? (size_t)(nl - s) : run->size - run->pos;
    run->pos += *len + 1;
    if (++run->line_no == 1 && *len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
        *line += 3;
        *len -= 3;
    }
    if (*len && (*line)[*len - 1] == '\r') --*len; /* a CRLF line's CR is none of it */
    return 1;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

static fw_status expect_line(read_run *run, const fw_input_doc *doc)
{
    const char *line;
    size_t len;
    if (doc->status == FW_DOC_EMPTY && !doc->text) { /* a shard of no lines */
        CHECK(run->docs == 1);
        while (next_line(run, &line, &len)) CHECK(blank(line, len));
        return FW_OK;
    }
    do CHECK(next_line(run, &line, &len)); while (blank(line, len));
    CHECK(doc->status == FW_DOC_OK && doc->jsonl && doc->borrowed);
    CHECK(doc->line_no == run->line_no);
    CHECK(doc->len == len && memcmp(doc->text, line, len) == 0);
    return FW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"x.txt", "x.jsonl", "x.txt.zst", "x.jsonl.gz"};
    if (size == 0) return 0;
    const char *name = names[data[0] & 3];
    int jsonl = data[0] & 1;
    uint64_t max = data[0] & 4 ? SMALL_MAX : FW_DEFAULT_MAX_DOC_BYTES;
    const uint8_t *file = data + 1;
    size_t file_size = size - 1;
    const char *path = write_input(name, file, file_size);
    int exact = !(data[0] & 4) && !compressed(file, file_size);
    read_run run = read_input(path, file, file_size, max, 0,
                              !exact ? NULL : jsonl ? expect_line : expect_whole);
    if (exact && !jsonl) CHECK(run.docs == 1);
    if (exact && jsonl) {
        const char *line;
        size_t len;
        while (next_line(&run, &line, &len)) CHECK(blank(line, len));
    }
    return 0;
}
