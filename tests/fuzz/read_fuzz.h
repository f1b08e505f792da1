/*
 * read_fuzz.h — what fuzz_read.c and fuzz_warc.c share: the fuzz input
 * written to a file whose name the first byte chooses, read back with
 * fw_read_path(), and every document checked and freed as read.h says
 * (a `borrowed` text is the reader's).
 *
 * Checked for every document: an id; a known status; no length without a
 * text; a text for every document that is to be processed; a whole
 * readable text, no longer than the file unless something was
 * decompressed, and no longer than max_doc_bytes; JSONL lines numbered in
 * increasing order, with no line break inside. One file per name and per
 * process, in a directory made at start and removed at exit.
 */
#ifndef FW_READ_FUZZ_H
#define FW_READ_FUZZ_H

#include "read.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* What the sink knows and has seen of one read. */
typedef struct read_run {
    size_t size;           /* bytes in the file */
    int may_grow;          /* compressed, or content coding is undone */
    uint64_t max_doc_bytes;
    size_t docs, last_line;
    uint64_t checksum;     /* of every byte of every text: all are read */
    /* Optional: check each JSONL line against the file itself. */
    fw_status (*expect)(struct read_run *run, const fw_input_doc *doc);
    const char *data;      /* the file's bytes, for `expect` */
    size_t pos, line_no;   /* how far `expect` has come */
} read_run;

static char fuzz_dir[4096];
static char fuzz_path[4096 + 32];

static void remove_fuzz_dir(void)
{
    static const char *const names[] = {
        "x.txt", "x.jsonl", "x.txt.zst", "x.jsonl.gz",
        "x.warc", "x.warc.gz", "x.wet", "x.wet.zst"};
    char path[sizeof fuzz_path];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, names[i]);
        unlink(path);
    }
    rmdir(fuzz_dir);
}

static void make_fuzz_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/fanwen-fuzz-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(fuzz_dir) != NULL);
    atexit(remove_fuzz_dir);
}

/* Writes `size` bytes to the file `name` in the fuzz directory. */
static const char *write_input(const char *name, const uint8_t *data, size_t size)
{
    snprintf(fuzz_path, sizeof fuzz_path, "%s/%s", fuzz_dir, name);
    int fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        CHECK(n > 0);
        done += (size_t)n;
    }
    CHECK(close(fd) == 0);
    return fuzz_path;
}

/* Does a file start with gzip or zstd magic (and so get decompressed)? */
static int compressed(const uint8_t *data, size_t size)
{
    return (size >= 2 && data[0] == 0x1F && data[1] == 0x8B) ||
           (size >= 4 && data[0] == 0x28 && data[1] == 0xB5 && data[2] == 0x2F &&
            data[3] == 0xFD) ||
           (size >= 4 && (data[0] & 0xF0) == 0x50 && data[1] == 0x2A && data[2] == 0x4D &&
            data[3] == 0x18); /* a zstd skippable frame */
}

static fw_status check_and_free(void *ctx, fw_input_doc *doc)
{
    read_run *run = ctx;
    run->docs++;
    CHECK(doc->id != NULL);
    (void)strlen(doc->id);
    if (doc->message) (void)strlen(doc->message);
    CHECK((unsigned)doc->status < FW_DOC_STATUS_COUNT);
    CHECK(doc->text || doc->len == 0);
    CHECK(doc->text || doc->status != FW_DOC_OK);
    if (doc->text) {
        for (size_t i = 0; i < doc->len; i++)
            run->checksum = run->checksum * 31 + (unsigned char)doc->text[i];
        CHECK(run->may_grow || doc->len <= run->size);
        CHECK(doc->status != FW_DOC_OK || doc->len <= run->max_doc_bytes);
    }
    if (doc->jsonl) {
        CHECK(doc->line_no > run->last_line);
        run->last_line = doc->line_no;
        CHECK(!doc->text || !memchr(doc->text, '\n', doc->len));
    }
    fw_status st = run->expect ? run->expect(run, doc) : FW_OK;
    free(doc->id);
    free(doc->message);
    if (!doc->borrowed) free(doc->text);
    return st;
}

/* Reads the file at `path` holding `data`; returns what the sink saw.
 * `decodes`: the reader undoes content coding inside the file (WARC's
 * HTTP bodies), so a document may be longer than the file. */
static read_run read_input(const char *path, const uint8_t *data, size_t size,
                           uint64_t max_doc_bytes, int decodes,
                           fw_status (*expect)(read_run *, const fw_input_doc *))
{
    read_run run = {0};
    run.size = size;
    run.may_grow = decodes || compressed(data, size);
    run.max_doc_bytes = max_doc_bytes;
    run.expect = expect;
    run.data = (const char *)data;
    uint64_t stored = 0, skipped = 0;
    fw_read_options opt = {&stored, max_doc_bytes, &skipped};
    CHECK(fw_read_path(path, &opt, check_and_free, &run) == FW_OK);
    CHECK(stored <= size);
    return run;
}

#endif
