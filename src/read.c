/*
 * read.c — from paths to documents: directory walk, decompression, JSONL.
 *
 * A path is a file or a directory. Directories are walked recursively in
 * byte order of names, so two runs see documents in the same order; symlinks
 * are followed, and a directory already on the current path (a loop) is
 * reported, not entered. A file whose name ends in .jsonl or .ndjson (before
 * an optional .gz/.zst) holds one JSON object per line; one ending in .warc or
 * .wet is a WARC archive of many records (warc.c reads it from this file's
 * byte stream); any other file is one document whose id is its path relative
 * to the argument it was found under. gzip (multi-member too) and zstd are
 * recognized by their magic bytes, whatever the name.
 *
 * Nothing is dropped silently: an unreadable file, a truncated archive or
 * an empty directory each becomes a row with a status and a message.
 *
 * Whole files are read into memory (one document at a time); JSONL is split
 * into lines through a 256 KiB window, so a shard never sits in memory. The
 * lines are handed on unparsed: parsing JSON costs more than reading it, so
 * it happens in the parallel per-document stage (jsonl.c), not here.
 *
 * Memory stays bounded by max_doc_bytes: a larger plain file is refused by
 * its size, before it is read; a compressed file is read until it passes the
 * limit; a longer JSON line is read past, never held. Each becomes an error
 * row.
 */
#include "read.h"
#include "warc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define CHUNK (256 * 1024)

/* ------------------------------------------------------------- messages */

char *fw_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Hands an account of a failure (or an empty directory) to the sink. */
static fw_status report_row(fw_doc_sink sink, void *ctx, const char *id,
                            fw_doc_status status, const char *fmt, ...)
{
    fw_input_doc doc = {0};
    doc.status = status;
    doc.id = strdup(id);
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    doc.message = strdup(buf);
    if (!doc.id || !doc.message) {
        free(doc.id);
        free(doc.message);
        return FW_ERR_NOMEM;
    }
    return sink(ctx, &doc);
}

/* --------------------------------------------------------------- source */

/* A file's bytes, decompressed if they start with gzip or zstd magic. */
typedef enum { SRC_PLAIN, SRC_GZIP, SRC_ZSTD } source_kind;

static source_kind sniff(const unsigned char *m, size_t n)
{
    if (n >= 2 && m[0] == 0x1F && m[1] == 0x8B) return SRC_GZIP;
    if (n >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD)
        return SRC_ZSTD;
    /* a skippable frame first (pzstd writes one), which zstd passes over */
    if (n >= 4 && (m[0] & 0xF0) == 0x50 && m[1] == 0x2A && m[2] == 0x4D && m[3] == 0x18)
        return SRC_ZSTD;
    return SRC_PLAIN;
}

typedef struct fw_source {
    int fd;
    source_kind kind;
    unsigned char *in;
    size_t in_len, in_pos;
    int in_eof;
    z_stream z;
    int z_ready, member_done;
    ZSTD_DCtx *zd;
    size_t zstd_hint;      /* 0 when the last frame ended */
    uint64_t *stored_bytes;
    int failed;            /* err says why: the next read returns -1 */
    char err[256];
} source;

static const char *kind_name(source_kind k)
{
    return k == SRC_GZIP ? "gzip" : k == SRC_ZSTD ? "zstd" : "file";
}

static int fill_input(source *s)
{
    if (s->in_pos < s->in_len || s->in_eof) return 1;
    ssize_t n;
    do n = read(s->fd, s->in, CHUNK); while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
        return 0;
    }
    if (s->stored_bytes) *s->stored_bytes += (uint64_t)n;
    s->in_len = (size_t)n;
    s->in_pos = 0;
    if (n == 0) s->in_eof = 1;
    return 1;
}

static int source_open(source *s, int fd, uint64_t *stored_bytes)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->stored_bytes = stored_bytes;
    s->in = malloc(CHUNK);
    if (!s->in) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return 0;
    }
    if (!fill_input(s)) return 0;
    s->kind = sniff(s->in, s->in_len);
    if (s->kind == SRC_GZIP) {
        if (inflateInit2(&s->z, 15 + 32) != Z_OK) {
            snprintf(s->err, sizeof s->err, "zlib initialization failed");
            return 0;
        }
        s->z_ready = 1;
    } else if (s->kind == SRC_ZSTD) {
        s->zd = ZSTD_createDCtx();
        if (!s->zd) {
            snprintf(s->err, sizeof s->err, "out of memory");
            return 0;
        }
    }
    return 1;
}

static void source_close(source *s)
{
    if (s->z_ready) inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    free(s->in);
}

const char *fw_source_kind(const fw_source *s) { return kind_name(s->kind); }
const char *fw_source_error(const fw_source *s) { return s->err; }

ssize_t fw_source_read(fw_source *s, char *buf, size_t cap)
{
    if (s->failed) return -1;
    if (cap > CHUNK) cap = CHUNK;
    for (;;) {
        if (!fill_input(s)) return -1;
        size_t avail = s->in_len - s->in_pos;
        if (s->kind == SRC_PLAIN) {
            if (avail == 0) return 0;
            size_t n = avail < cap ? avail : cap;
            memcpy(buf, s->in + s->in_pos, n);
            s->in_pos += n;
            return (ssize_t)n;
        }
        if (s->kind == SRC_GZIP) {
            if (avail == 0) {
                if (s->member_done) return 0;
                snprintf(s->err, sizeof s->err, "truncated gzip stream");
                return -1;
            }
            if (s->member_done) { /* another member follows */
                inflateReset(&s->z);
                s->member_done = 0;
            }
            s->z.next_in = s->in + s->in_pos;
            s->z.avail_in = (uInt)avail;
            s->z.next_out = (Bytef *)buf;
            s->z.avail_out = (uInt)cap;
            int rc = inflate(&s->z, Z_NO_FLUSH);
            s->in_pos = s->in_len - s->z.avail_in;
            size_t got = cap - s->z.avail_out;
            if (rc == Z_STREAM_END) s->member_done = 1;
            else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                snprintf(s->err, sizeof s->err, "corrupt gzip data: %s",
                         s->z.msg ? s->z.msg : "inflate failed");
                s->failed = 1; /* after what this call decoded (a bad checksum
                                * at the end of good data loses none of it) */
                return got ? (ssize_t)got : -1;
            }
            if (got) return (ssize_t)got;
            continue;
        }
        /* zstd */
        if (avail == 0) {
            if (s->zstd_hint == 0) return 0;
            snprintf(s->err, sizeof s->err, "truncated zstd stream");
            return -1;
        }
        ZSTD_inBuffer in = {s->in + s->in_pos, avail, 0};
        ZSTD_outBuffer out = {buf, cap, 0};
        size_t rc = ZSTD_decompressStream(s->zd, &out, &in);
        s->in_pos += in.pos;
        if (ZSTD_isError(rc)) {
            snprintf(s->err, sizeof s->err, "corrupt zstd data: %s",
                     ZSTD_getErrorName(rc));
            s->failed = 1;
            return out.pos ? (ssize_t)out.pos : -1;
        }
        s->zstd_hint = rc;
        if (out.pos) return (ssize_t)out.pos;
    }
}

/* ---------------------------------------------------------- plain files */

/* Reads a whole file as one document; past `limit` bytes (0: none) it
 * stops and reports the file instead. */
static fw_status read_whole(source *s, const char *id, fw_doc_sink sink,
                            void *ctx, size_t size_hint, uint64_t limit)
{
    size_t cap = size_hint + 1 > 4096 ? size_hint + 1 : 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) return FW_ERR_NOMEM;
    for (;;) {
        if (cap - len < 4096) {
            if (cap > SIZE_MAX / 2) { free(buf); return FW_ERR_NOMEM; }
            char *grown = realloc(buf, cap * 2);
            if (!grown) { free(buf); return FW_ERR_NOMEM; }
            buf = grown;
            cap *= 2;
        }
        size_t room = cap - len - 1;
        if (limit && limit - len < room) room = (size_t)(limit - len) + 1;
        ssize_t n = fw_source_read(s, buf + len, room);
        if (n < 0) {
            free(buf);
            return report_row(sink, ctx, id, FW_DOC_ERROR, "%s: %s",
                              kind_name(s->kind), s->err);
        }
        if (n == 0) break;
        len += (size_t)n;
        if (limit && len > limit) {
            free(buf);
            unsigned long long m = (unsigned long long)limit;
            if (s->kind == SRC_PLAIN)
                return report_row(sink, ctx, id, FW_DOC_ERROR,
                                  "file of more than %llu bytes exceeds "
                                  "--max-doc-bytes %llu", m, m);
            return report_row(sink, ctx, id, FW_DOC_ERROR,
                              "%s: more than %llu bytes decompressed, exceeds "
                              "--max-doc-bytes %llu", kind_name(s->kind), m, m);
        }
    }
    buf[len] = '\0';
    fw_input_doc doc = {0};
    doc.id = strdup(id);
    if (!doc.id) { free(buf); return FW_ERR_NOMEM; }
    doc.text = buf;
    doc.len = len;
    doc.status = FW_DOC_OK;
    return sink(ctx, &doc);
}

/* ---------------------------------------------------------------- JSONL */

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

fw_status fw_input_doc_copy(fw_input_doc *doc, const char *id, const char *text,
                            size_t len)
{
    memset(doc, 0, sizeof *doc);
    doc->id = strdup(id);
    doc->text = malloc(len + 1);
    if (!doc->id || !doc->text) {
        free(doc->id);
        free(doc->text);
        return FW_ERR_NOMEM;
    }
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->len = len;
    return FW_OK;
}

/* Hands one raw line to the sink, lent (the sink copies it into its batch:
 * no allocation per line); it is parsed later, in parallel. */
static fw_status emit_line(const char *file_id, size_t line_no, char *line,
                           size_t len, fw_doc_sink sink, void *ctx)
{
    char id[4200];
    snprintf(id, sizeof id, "%s:%zu", file_id, line_no);
    fw_input_doc doc = {0};
    if (!(doc.id = strdup(id))) return FW_ERR_NOMEM;
    doc.text = line;
    doc.len = len;
    doc.status = FW_DOC_OK;
    doc.line_no = line_no;
    doc.jsonl = 1;
    doc.borrowed = 1;
    return sink(ctx, &doc);
}

/* Reads a JSONL file line by line. A line longer than `limit` (0: none) is
 * read past as it comes, counted but not held, and reported as FILE:LINE. */
static fw_status read_jsonl(source *s, const char *id, fw_doc_sink sink,
                            void *ctx, uint64_t limit)
{
    size_t cap = 2 * CHUNK, len = 0, line_no = 0;
    uint64_t long_len = 0; /* bytes of an over-long line already read past */
    size_t rows = 0;       /* lines handed on, as documents or error rows */
    char *buf = malloc(cap);
    if (!buf) return FW_ERR_NOMEM;
    fw_status st = FW_OK;
    int eof = 0;
    while (st == FW_OK && !eof) {
        if (cap - len < CHUNK) {
            char *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!grown) { st = FW_ERR_NOMEM; break; }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = fw_source_read(s, buf + len, cap - len);
        if (n < 0) {
            st = report_row(sink, ctx, id, FW_DOC_ERROR,
                            "%s: %s after line %zu", kind_name(s->kind),
                            s->err, line_no);
            rows++;
            break;
        }
        if (n == 0) {
            eof = 1;
            if (len || long_len) buf[len++] = '\n'; /* what is left has none */
        }
        len += (size_t)n;
        size_t start = 0;
        char *nl;
        while (st == FW_OK &&
               (nl = memchr(buf + start, '\n', len - start)) != NULL) {
            size_t end = (size_t)(nl - buf);
            line_no++;
            /* a byte order mark before the first line (Windows tools write
             * one) is no part of its JSON */
            if (line_no == 1 && !long_len && end - start >= 3 &&
                !memcmp(buf + start, "\xEF\xBB\xBF", 3))
                start += 3;
            size_t stop = end; /* a CRLF line's CR is no part of it: not counted, not handed on */
            if (stop > start && buf[stop - 1] == '\r') stop--;
            uint64_t line_len = long_len + (stop - start);
            if (limit && line_len > limit) {
                char line_id[4200];
                snprintf(line_id, sizeof line_id, "%s:%zu", id, line_no);
                st = report_row(sink, ctx, line_id, FW_DOC_ERROR,
                                "line of %llu bytes exceeds --max-doc-bytes %llu",
                                (unsigned long long)line_len,
                                (unsigned long long)limit);
                rows++;
            } else if (!is_blank(buf + start, stop - start)) {
                st = emit_line(id, line_no, buf + start, stop - start, sink, ctx);
                rows++;
            }
            long_len = 0;
            start = end + 1;
        }
        if (limit && long_len + (len - start) > limit) { /* too long: read past */
            long_len += len - start;
            start = len;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    free(buf);
    if (st == FW_OK && rows == 0) /* an empty shard is accounted for too */
        st = report_row(sink, ctx, id, FW_DOC_EMPTY, "no JSON lines");
    return st;
}

/* ----------------------------------------------------------------- files */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

typedef enum { NAME_DOC, NAME_JSONL, NAME_WARC } name_kind;

/* What a file holds, told by its name less a .gz/.zst suffix. */
static name_kind kind_of_name(const char *path)
{
    char name[4096];
    snprintf(name, sizeof name, "%s", path);
    size_t n = strlen(name);
    for (int i = 0; i < 2; i++) {
        if (ends_with(name, ".gz")) name[n -= 3] = '\0';
        else if (ends_with(name, ".zst")) name[n -= 4] = '\0';
    }
    if (ends_with(name, ".jsonl") || ends_with(name, ".ndjson")) return NAME_JSONL;
    if (ends_with(name, ".warc") || ends_with(name, ".wet")) return NAME_WARC;
    return NAME_DOC;
}

/* A plain file larger than the limit is refused by its size, unread; a
 * compressed one (by its magic bytes) is read until it passes the limit. */
static int too_big_to_read(int fd, off_t size, uint64_t limit)
{
    if (!limit || size <= 0 || (uint64_t)size <= limit) return 0;
    unsigned char m[4];
    ssize_t n = pread(fd, m, sizeof m, 0);
    return n >= 0 && sniff(m, (size_t)n) == SRC_PLAIN;
}

static fw_status read_file(const char *path, const char *id, off_t size,
                           const fw_read_options *opt, fw_doc_sink sink,
                           void *ctx)
{
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC); while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return report_row(sink, ctx, id, FW_DOC_ERROR, "cannot open: %s",
                          strerror(errno));
    name_kind nk = kind_of_name(path);
    if (nk == NAME_DOC && too_big_to_read(fd, size, opt->max_doc_bytes)) {
        close(fd);
        return report_row(sink, ctx, id, FW_DOC_ERROR,
                          "file of %llu bytes exceeds --max-doc-bytes %llu",
                          (unsigned long long)size,
                          (unsigned long long)opt->max_doc_bytes);
    }
    source s;
    fw_status st;
    if (!source_open(&s, fd, opt->stored_bytes)) {
        st = report_row(sink, ctx, id, FW_DOC_ERROR, "%s", s.err);
    } else if (nk == NAME_JSONL) {
        st = read_jsonl(&s, id, sink, ctx, opt->max_doc_bytes);
    } else if (nk == NAME_WARC) {
        st = fw_warc_read(&s, id, opt, sink, ctx);
    } else {
        st = read_whole(&s, id, sink, ctx,
                        s.kind == SRC_PLAIN && size > 0 ? (size_t)size : 0,
                        opt->max_doc_bytes);
    }
    source_close(&s);
    close(fd);
    return st;
}

/* ------------------------------------------------------------ directories */

typedef struct ancestor {
    dev_t dev;
    ino_t ino;
    const struct ancestor *up;
} ancestor;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static fw_status read_any(const char *path, const char *id,
                          const ancestor *up, const fw_read_options *opt,
                          fw_doc_sink sink, void *ctx);

static fw_status read_dir(const char *path, const char *id,
                          const ancestor *self, const fw_read_options *opt,
                          fw_doc_sink sink, void *ctx)
{
    DIR *dir = opendir(path);
    if (!dir)
        return report_row(sink, ctx, id, FW_DOC_ERROR,
                          "cannot open directory: %s", strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    fw_status st = FW_OK;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) { st = FW_ERR_NOMEM; break; }
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name))) { st = FW_ERR_NOMEM; break; }
        n++;
    }
    closedir(dir);
    if (st == FW_OK && n == 0)
        st = report_row(sink, ctx, id, FW_DOC_EMPTY, "empty directory");
    if (st == FW_OK && n) qsort(names, n, sizeof *names, cmp_names); /* no qsort(NULL) */
    for (size_t i = 0; i < n && st == FW_OK; i++) {
        int slash = path[strlen(path) - 1] != '/';
        char *child = fw_format("%s%s%s", path, slash ? "/" : "", names[i]);
        char *child_id = *id && self->up ? fw_format("%s/%s", id, names[i])
                                         : strdup(names[i]);
        if (!child || !child_id) st = FW_ERR_NOMEM;
        else st = read_any(child, child_id, self, opt, sink, ctx);
        free(child);
        free(child_id);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return st;
}

static fw_status read_any(const char *path, const char *id,
                          const ancestor *up, const fw_read_options *opt,
                          fw_doc_sink sink, void *ctx)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return report_row(sink, ctx, id, FW_DOC_ERROR, "cannot open: %s",
                          strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        for (const ancestor *a = up; a; a = a->up)
            if (a->dev == st.st_dev && a->ino == st.st_ino)
                return report_row(sink, ctx, id, FW_DOC_ERROR,
                                  "symlink loop: directory already being read");
        ancestor self = {st.st_dev, st.st_ino, up};
        return read_dir(path, id, &self, opt, sink, ctx);
    }
    if (!S_ISREG(st.st_mode))
        return report_row(sink, ctx, id, FW_DOC_ERROR,
                          "not a regular file or directory");
    return read_file(path, id, st.st_size, opt, sink, ctx);
}

fw_status fw_read_path(const char *path, const fw_read_options *opt,
                       fw_doc_sink sink, void *ctx)
{
    /* A file argument keeps its path as id; files under a directory
     * argument are named relative to it. */
    return read_any(path, path, NULL, opt, sink, ctx);
}
