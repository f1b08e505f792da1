/*
 * passage_model.c — what the passage level learns from a whole corpus,
 * kept in a file to use again.
 *
 * Two things about passages are not in any one document: which short
 * lines are the site's furniture (a line in enough documents, lines.c,
 * passage_prep.c) and which 3-grams are too common to tell passages apart
 * (passage_stop.c). A scan learns both from what it reads. A small batch
 * cannot: three pages from a site hold its breadcrumb three times, below
 * any bar, so the breadcrumb welds onto the text next to it and pages
 * match through it. With a model learned once from a large crawl (`scan
 * --save-passage-model`), every later batch is cut and sketched as that
 * crawl was (`--passage-model`).
 *
 * The file is text, one "name value" per line, readable with cat, and
 * ends with an XXH3 of everything before it: damaged or cut short, it is
 * refused, never half-read. The parameters that change what its hashes
 * mean come first, and a scan with other ones is refused naming the one
 * that differs.
 */
#include "passage_model.h"
#include "grow.h"
#include "read_whole.h"
#include "whole_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define MODEL_MAGIC "fanwen-passage-model 2" /* 2: with the boilerplate passages */
#define MODEL_MAX ((size_t)1 << 30) /* read whole: a crawl's boilerplate passages fit */

void fw_passage_model_free(fw_passage_model *m)
{
    free(m->lines);
    free(m->known_cps);
    free(m->known_start);
    m->lines = NULL;
    m->nlines = 0;
    m->known_cps = NULL;
    m->known_start = NULL;
    m->nknown = 0;
}

/* ---------------------------------------------------------------- writing */

typedef struct text {
    char *v;
    size_t len, cap;
    int failed;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...)
{
    if (t->failed) return;
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line || !fw_grow(&t->v, &t->cap, t->len + (size_t)n + 1, 1, 4096)) {
        t->failed = 1;
        return;
    }
    memcpy(t->v + t->len, line, (size_t)n + 1);
    t->len += (size_t)n;
}

/* "passage HEX": the passage's code points as UTF-8, in hex (a line of
 * any text, line breaks included, stays one line). */
static void put_passage(text *t, const uint32_t *cps, size_t n)
{
    if (t->failed) return;
    if (!fw_grow(&t->v, &t->cap, t->len + 8 + 8 * n + 2, 1, 4096)) {
        t->failed = 1;
        return;
    }
    static const char hex[] = "0123456789abcdef";
    char *o = t->v + t->len;
    memcpy(o, "passage ", 8);
    o += 8;
    for (size_t i = 0; i < n; i++) {
        unsigned char u[4];
        size_t len = fw_utf8_encode((char *)u, cps[i]);
        for (size_t j = 0; j < len; j++) {
            *o++ = hex[u[j] >> 4];
            *o++ = hex[u[j] & 15];
        }
    }
    *o++ = '\n';
    *o = '\0';
    t->len = (size_t)(o - t->v);
}

fw_status fw_passage_model_format(const fw_passage_model *m, char **out, size_t *len)
{
    const fw_passage_model_params *p = &m->params;
    text t = {0};
    put(&t, "%s\n", MODEL_MAGIC);
    put(&t, "normalization %s\n", p->normalization);
    put(&t, "seed %" PRIu64 "\n", p->seed);
    put(&t, "min_passage %u\n", p->min_passage);
    put(&t, "template %d\n", p->template_mode);
    put(&t, "canon %016" PRIx64 "\n", p->canon_hash);
    put(&t, "ngram %u\n", (unsigned)FW_PASSAGE_NGRAM);
    put(&t, "stop_bits %u\n", (unsigned)FW_STOP_BITS);
    put(&t, "stop_windows %" PRIu64 "\n", m->stop.windows);
    for (size_t b = 0; b < (1u << FW_STOP_BITS); b++)
        if ((m->stop.bits[b >> 3] >> (b & 7)) & 1) put(&t, "stop %zu\n", b);
    for (size_t i = 0; i < m->nlines; i++) put(&t, "line %016" PRIx64 "\n", m->lines[i]);
    for (size_t i = 0; i < m->nknown; i++)
        put_passage(&t, m->known_cps + m->known_start[i], m->known_start[i + 1] - m->known_start[i]);
    if (!t.failed) put(&t, "sum %016" PRIx64 "\n", XXH3_64bits(t.v, t.len));
    if (t.failed) {
        free(t.v);
        return FW_ERR_NOMEM;
    }
    *out = t.v;
    *len = t.len;
    return FW_OK;
}

/* Flushes the directory holding `path`, after a rename into it. */
static fw_status sync_parent(const char *path, char *why, size_t why_size)
{
    char dir[4096];
    int fd = -1;
    if (!fw_parent_dir(path, dir, sizeof dir)) errno = ENAMETOOLONG;
    else fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        snprintf(why, why_size, "%s: %s (flushing its directory)", path, strerror(errno));
        if (fd >= 0) close(fd);
        return FW_ERR_IO;
    }
    close(fd);
    return FW_OK;
}

/* A formatted model's bytes, for fw_whole_file_write(). */
typedef struct model_bytes {
    const char *body;
    size_t len;
} model_bytes;

static fw_status write_model_bytes(void *ctx, FILE *f)
{
    const model_bytes *m = ctx;
    return fwrite(m->body, 1, m->len, f) == m->len ? FW_OK : FW_ERR_IO;
}

fw_status fw_passage_model_write(const fw_passage_model *m, const char *path, char *why,
                                 size_t why_size)
{
    char *body;
    size_t len;
    fw_status st = fw_passage_model_format(m, &body, &len);
    if (st != FW_OK) return st;
    if (len > MODEL_MAX) { /* never a file that reading refuses */
        free(body);
        snprintf(why, why_size, "%s: the model would take %zu MB, more than the %zu MB a passage "
                 "model may have (fewer boilerplate passages: a higher --boilerplate-docs or "
                 "--boilerplate-share)", path, len >> 20, MODEL_MAX >> 20);
        return FW_ERR_ARG;
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        free(body);
        snprintf(why, why_size, "%s: %s", path, strerror(ENAMETOOLONG));
        return FW_ERR_IO;
    }
    /* complete or absent (whole_file.c), and the directory flushed */
    model_bytes bytes = {body, len};
    fw_status body_status;
    st = fw_whole_file_write(path, tmp, write_model_bytes, &bytes, &body_status);
    int err = errno ? errno : EIO;
    free(body);
    if (st == FW_OK) return sync_parent(path, why, why_size);
    snprintf(why, why_size, "%s: %s", path, strerror(err));
    return FW_ERR_IO;
}

/* ---------------------------------------------------------------- reading */

/* All of `path`, NUL-terminated (malloc'ed); a file too large to be a
 * model is not read. */
static fw_status read_all(const char *path, char **out, size_t *len, char *why, size_t why_size)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && (uint64_t)sb.st_size > MODEL_MAX) {
        snprintf(why, why_size, "%s: too large to be a passage model", path);
        return FW_ERR_FORMAT;
    }
    if (fw_read_whole(path, out, len) == FW_OK) return FW_OK;
    snprintf(why, why_size, "%s: %s", path, strerror(errno ? errno : EIO));
    return FW_ERR_IO;
}

/* Digits only (no sign, space or 0x): base 10, or exactly 16 hex digits. */
static int parse_u64(const char *s, int base, uint64_t *out)
{
    size_t n = strspn(s, base == 16 ? "0123456789abcdef" : "0123456789");
    if (!n || s[n] || (base == 16 && n != 16) || (base == 10 && n > 20)) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno) return 0;
    *out = v;
    return 1;
}

/* The header's lines, each once and in this order, before any stop or
 * line: what a model's hashes mean. */
enum { H_NORMALIZATION, H_SEED, H_MIN_PASSAGE, H_TEMPLATE, H_CANON, H_NGRAM, H_STOP_BITS,
       H_STOP_WINDOWS, H_COUNT };
static const char *const HEADER[H_COUNT] = {"normalization", "seed", "min_passage", "template",
                                            "canon", "ngram", "stop_bits", "stop_windows"};

/* What the arrays being parsed hold. */
typedef struct model_caps {
    size_t lines, cps, starts;
    const char *last_hex;    /* the last passage's hex: they ascend */
} model_caps;

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "passage HEX": a non-empty text of valid UTF-8, in hex, after the one
 * before it (distinct, ascending). */
static int parse_passage(fw_passage_model *m, model_caps *caps, const char *v)
{
    size_t n = strlen(v);
    if (!n || n % 2 || (caps->last_hex && strcmp(v, caps->last_hex) <= 0)) return 0;
    unsigned char *bytes = malloc(n / 2);
    if (!bytes) return 0;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(bytes);
            return 0;
        }
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    size_t at = m->nknown ? m->known_start[m->nknown] : 0;
    int ok = fw_utf8_valid_prefix((const char *)bytes, n / 2) == n / 2 &&
             fw_grow(&m->known_cps, &caps->cps, at + n / 2, sizeof *m->known_cps, 1024) &&
             fw_grow(&m->known_start, &caps->starts, m->nknown + 2, sizeof *m->known_start, 256);
    for (size_t i = 0; ok && i < n / 2;) {
        uint32_t cp;
        int invalid;
        i += fw_utf8_decode(bytes + i, n / 2 - i, &cp, &invalid);
        m->known_cps[at++] = cp;
    }
    free(bytes);
    if (!ok) return 0;
    if (!m->nknown) m->known_start[0] = 0;
    m->known_start[++m->nknown] = at;
    caps->last_hex = v;
    return 1;
}

/* One "name value" line into `m`, the header's `*at`-th line while the
 * header lasts; 0 if it does not belong there. */
static int parse_line(fw_passage_model *m, model_caps *caps, unsigned *at, char *line)
{
    char *sp = strchr(line, ' ');
    if (!sp) return 0;
    *sp = '\0';
    const char *k = line, *v = sp + 1;
    fw_passage_model_params *p = &m->params;
    uint64_t u;
    if (*at < H_COUNT) {
        if (strcmp(k, HEADER[*at])) return 0;
        switch ((*at)++) {
        case H_NORMALIZATION:
            if (!*v || strlen(v) >= sizeof p->normalization) return 0;
            strcpy(p->normalization, v);
            return 1;
        case H_CANON: return parse_u64(v, 16, &p->canon_hash);
        case H_SEED: return parse_u64(v, 10, &p->seed);
        case H_MIN_PASSAGE:
            if (!parse_u64(v, 10, &u) || u > UINT32_MAX) return 0;
            p->min_passage = (unsigned)u;
            return 1;
        case H_TEMPLATE:
            if (!parse_u64(v, 10, &u) || u > 1) return 0;
            p->template_mode = (int)u;
            return 1;
        case H_NGRAM: return parse_u64(v, 10, &u) && u == FW_PASSAGE_NGRAM;
        case H_STOP_BITS: return parse_u64(v, 10, &u) && u == FW_STOP_BITS;
        default: return parse_u64(v, 10, &m->stop.windows);
        }
    }
    if (!strcmp(k, "stop") && !m->nlines && !m->nknown) { /* stops first, ascending */
        if (!parse_u64(v, 10, &u) || u >= (1u << FW_STOP_BITS)) return 0;
        if (m->stop.ngrams && u <= m->last_stop) return 0;
        m->stop.bits[u >> 3] |= (uint8_t)(1u << (u & 7));
        m->stop.ngrams++;
        m->last_stop = u;
        return 1;
    }
    if (!strcmp(k, "passage")) return parse_passage(m, caps, v);
    if (!strcmp(k, "line") && !m->nknown) {
        if (!parse_u64(v, 16, &u) || (m->nlines && u <= m->lines[m->nlines - 1])) return 0;
        if (!fw_grow(&m->lines, &caps->lines, m->nlines + 1, sizeof *m->lines, 1024)) return 0;
        m->lines[m->nlines++] = u;
        return 1;
    }
    return 0;
}

/* The first parameter of `have` that differs from `want`, said in *why
 * with the option that sets it. */
static fw_status compare(const char *path, const fw_passage_model_params *have,
                         const fw_passage_model_params *want, char *why, size_t why_size)
{
    if (strcmp(have->normalization, want->normalization))
        snprintf(why, why_size, "%s was made with normalization %s, this is %s", path,
                 have->normalization, want->normalization);
    else if (have->seed != want->seed)
        snprintf(why, why_size, "%s was made with --seed %" PRIu64 ", not %" PRIu64, path,
                 have->seed, want->seed);
    else if (have->min_passage != want->min_passage)
        snprintf(why, why_size, "%s was made with --min-passage %u, not %u", path,
                 have->min_passage, want->min_passage);
    else if (have->template_mode != want->template_mode)
        snprintf(why, why_size, "%s was made %s template mode (--template)", path,
                 have->template_mode ? "in" : "without");
    else if (have->canon_hash != want->canon_hash)
        snprintf(why, why_size, "%s was made with %s canon table (--canon)", path,
                 have->canon_hash ? "another" : "the built-in");
    else return FW_OK;
    return FW_ERR_ARG;
}

fw_status fw_passage_model_check(const fw_passage_model *m, const char *name,
                                 const fw_passage_model_params *want, char *why, size_t why_size)
{
    return compare(name, &m->params, want, why, why_size);
}

fw_status fw_passage_model_parse(char *buf, size_t len, const char *name,
                                 const fw_passage_model_params *want, fw_passage_model *m,
                                 char *why, size_t why_size)
{
    memset(m, 0, sizeof *m);
    size_t magic_len = sizeof MODEL_MAGIC - 2; /* "fanwen-passage-model " */
    if (len > magic_len && !memcmp(buf, MODEL_MAGIC, magic_len) &&
        strncmp(buf, MODEL_MAGIC "\n", sizeof MODEL_MAGIC)) {
        size_t n = strcspn(buf + magic_len, "\n");
        snprintf(why, why_size, "%s: a passage model of another format (%.*s), not %s: made by "
                 "another version of fanwen", name, (int)(n > 20 ? 20 : n), buf + magic_len,
                 MODEL_MAGIC);
        return FW_ERR_FORMAT;
    }
    /* the last line is "sum X", the XXH3 of everything before it */
    const char *sum = len >= 21 && buf[len - 1] == '\n' ? buf + len - 21 : NULL;
    uint64_t want_sum;
    char digits[17];
    if (sum && (sum == buf || sum[-1] == '\n') && !strncmp(sum, "sum ", 4)) {
        memcpy(digits, sum + 4, 16);
        digits[16] = '\0';
    } else sum = NULL;
    if (!sum || !parse_u64(digits, 16, &want_sum) ||
        XXH3_64bits(buf, (size_t)(sum - buf)) != want_sum ||
        (size_t)(sum - buf) < sizeof MODEL_MAGIC ||
        strncmp(buf, MODEL_MAGIC "\n", sizeof MODEL_MAGIC)) {
        snprintf(why, why_size, "%s: not a passage model, or damaged or cut short (its "
                 "checksum does not match)", name);
        return FW_ERR_FORMAT;
    }
    m->sum = want_sum;
    model_caps caps = {0};
    unsigned at = 0;
    char *line = buf + sizeof MODEL_MAGIC;
    for (size_t number = 2; line < sum; number++) {
        char *nl = memchr(line, '\n', (size_t)(sum - line));
        *nl = '\0';
        if (memchr(line, '\0', (size_t)(nl - line)) || !parse_line(m, &caps, &at, line)) {
            snprintf(why, why_size, "%s:%zu: not a line of a passage model%s%s", name, number,
                     at < H_COUNT ? " (expected " : "", at < H_COUNT ? HEADER[at] : "");
            if (at < H_COUNT) strncat(why, ")", why_size - strlen(why) - 1);
            return FW_ERR_FORMAT;
        }
        line = nl + 1;
    }
    if (at < H_COUNT) {
        snprintf(why, why_size, "%s: a passage model without its %s line", name, HEADER[at]);
        return FW_ERR_FORMAT;
    }
    return want ? compare(name, &m->params, want, why, why_size) : FW_OK;
}

fw_status fw_passage_model_read(const char *path, const fw_passage_model_params *want,
                                fw_passage_model *m, char *why, size_t why_size)
{
    memset(m, 0, sizeof *m);
    char *buf;
    size_t len;
    fw_status st = read_all(path, &buf, &len, why, why_size);
    if (st != FW_OK) return st;
    st = fw_passage_model_parse(buf, len, path, want, m, why, why_size);
    free(buf);
    return st;
}
