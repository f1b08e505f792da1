/*
 * index_manifest.c — the index's MANIFEST: which segments make the current
 * generation, and every parameter that changes answers.
 *
 * It is a small text file, one "name value" per line, so that a person can
 * read it with cat, and it ends with an XXH3 of everything before it: a
 * manifest cut short or with a flipped byte is refused, never half-read.
 * It is the one file of the index that is ever replaced: written to a
 * temporary name, flushed, renamed over the old one and the directory
 * flushed, so the index changes from one generation to the next at that
 * rename and at no other moment. Segment files are written before it
 * names them and removed only after it stops naming them.
 */
#include "index.h"
#include "grow.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>
#include <xxhash.h>

#define MANIFEST_MAGIC "fanwen-index 1"
#define MANIFEST_MAX (64u << 20)

/* Raise when normalize.c changes what a text becomes. */
#define NORMALIZATION_VERSION "fanwen-nfkc-casefold-1"

void fw_index_normalization(char *out, size_t size)
{
    snprintf(out, size, "%s utf8proc-%s", NORMALIZATION_VERSION, utf8proc_version());
}

uint64_t fw_index_params_tag(const fw_index_params *p)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%u %u %u %u %" PRIu64 " %d %d %016" PRIx64 " %s",
                     p->ngram, p->perms, p->bands, p->rows, p->seed, (int)p->sketch,
                     p->template_mode, p->canon_hash, p->normalization);
    return XXH3_64bits(buf, (size_t)n);
}

uint64_t fw_index_passage_tag(const fw_index_params *p, uint64_t model_sum)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%016" PRIx64 " passages %u %u %.17g %016" PRIx64,
                     fw_index_params_tag(p), p->min_passage, p->max_passage,
                     p->passage_threshold, model_sum);
    return XXH3_64bits(buf, (size_t)n);
}

uint64_t fw_index_segment_passage_tag(uint64_t passage_tag, uint64_t first, uint64_t passages)
{
    uint64_t v[3] = {passage_tag, first, passages};
    return XXH3_64bits(v, sizeof v);
}

uint64_t fw_index_mark_tag(uint64_t tag, uint64_t mark)
{
    if (!mark) return tag;
    uint64_t v[2] = {tag, mark};
    return XXH3_64bits(v, sizeof v);
}

fw_status fw_index_params_compare(const fw_index_params *x, const fw_index_params *y,
                                  char *why, size_t n)
{
/* a value that differs past %g's digits is shown with all of them (not
 * "threshold 0.8, not 0.8") */
#define DIFF_REAL(name, a, b)                                                        \
    if ((a) != (b)) {                                                                \
        char sa[32], sb[32];                                                         \
        for (int digits = 6;; digits = digits + 3 < 17 ? digits + 3 : 17) {          \
            snprintf(sa, sizeof sa, "%.*g", digits, (a));                            \
            snprintf(sb, sizeof sb, "%.*g", digits, (b));                            \
            if (strcmp(sa, sb) || digits == 17) break;                               \
        }                                                                            \
        snprintf(why, n, "the index was built with %s %s, not %s", name, sa, sb);    \
        return FW_ERR_ARG;                                                           \
    }
#define DIFF(name, fmt, a, b)                                                        \
    if ((a) != (b)) {                                                                \
        snprintf(why, n, "the index was built with %s " fmt ", not " fmt, name, a, b); \
        return FW_ERR_ARG;                                                           \
    }
    DIFF("ngram", "%u", x->ngram, y->ngram);
    DIFF("perms", "%u", x->perms, y->perms);
    DIFF("bands", "%u", x->bands, y->bands);
    DIFF("rows", "%u", x->rows, y->rows);
    DIFF_REAL("threshold", x->threshold, y->threshold);
    DIFF("seed", "%" PRIu64, x->seed, y->seed);
    if (x->sketch != y->sketch) {
        snprintf(why, n, "the index was built with sketch %s, not %s", fw_sketch_name(x->sketch),
                 fw_sketch_name(y->sketch));
        return FW_ERR_ARG;
    }
    if (x->template_mode != y->template_mode) {
        snprintf(why, n, "the index was built %s template mode", x->template_mode ? "in" : "without");
        return FW_ERR_ARG;
    }
    if (x->canon_hash != y->canon_hash) {
        snprintf(why, n, "the index was built with another canon table (%s)",
                 x->canon_hash ? "its own, DIR/canon.tsv" : "the built-in one");
        return FW_ERR_ARG;
    }
    if (strcmp(x->normalization, y->normalization) != 0) {
        snprintf(why, n, "the index was built with normalization %s, this is %s",
                 x->normalization, y->normalization);
        return FW_ERR_ARG;
    }
    if (!x->passages && y->passages) {
        snprintf(why, n, "the index was built without the passage level (--no-passages)");
        return FW_ERR_ARG;
    }
    if (!y->passages) return FW_OK; /* asked for documents only: the index has them */
    DIFF("--min-passage", "%u", x->min_passage, y->min_passage);
    DIFF("--max-passage", "%u", x->max_passage, y->max_passage);
    DIFF_REAL("--passage-threshold", x->passage_threshold, y->passage_threshold);
    DIFF_REAL("--reuse-min", x->reuse_min, y->reuse_min);
    return FW_OK;
#undef DIFF
#undef DIFF_REAL
}

fw_status fw_index_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return FW_ERR_IO;
    int rc = fsync(fd);
    close(fd);
    return rc ? FW_ERR_IO : FW_OK;
}

fw_status fw_index_file_finish(FILE *f, int ok, const char *tmp, const char *path, char *why,
                               size_t n)
{
    int err = 0;
    errno = 0;
    if (ok && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) err = errno ? errno : EIO;
    if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    if (ok && !err && rename(tmp, path) != 0) err = errno;
    if (ok && !err) return FW_OK;
    unlink(tmp);
    if (ok) snprintf(why, n, "%s: %s", path, strerror(err));
    return FW_ERR_IO;
}

void fw_manifest_free(fw_manifest *m)
{
    free(m->segs);
    m->segs = NULL;
    m->nsegs = 0;
}

/* Reads all of `path` into a malloc'ed, NUL-terminated buffer. */
static fw_status slurp(const char *path, char **out, size_t *len, char *why, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, n, "%s: %s", path, strerror(errno));
        return FW_ERR_IO;
    }
    char *buf = NULL;
    size_t cap = 0, m = 0;
    fw_status st = FW_OK;
    for (;;) {
        if (!fw_grow(&buf, &cap, m + 4097, 1, 8192)) { st = FW_ERR_NOMEM; break; }
        size_t got = fread(buf + m, 1, 4096, f);
        m += got;
        if (got < 4096) break;
        if (m > MANIFEST_MAX) { st = FW_ERR_FORMAT; break; }
    }
    if (st == FW_OK && ferror(f)) st = FW_ERR_IO;
    fclose(f);
    if (st != FW_OK) {
        free(buf);
        snprintf(why, n, "%s: %s", path, fw_status_str(st));
        return st;
    }
    buf[m] = '\0';
    *out = buf;
    *len = m;
    return FW_OK;
}

static int parse_sketch(const char *v, fw_sketch *out)
{
    if (!strcmp(v, "minhash")) *out = FW_SKETCH_MINHASH;
    else if (!strcmp(v, "oph")) *out = FW_SKETCH_OPH;
    else return 0;
    return 1;
}

/* "0" or "1", as they are written. */
static int parse_flag(const char *v, int *out)
{
    if ((v[0] != '0' && v[0] != '1') || v[1]) return 0;
    *out = v[0] == '1';
    return 1;
}

/* One "name value" line into the manifest; 0 if it does not parse. */
static int parse_line(fw_manifest *m, char *line)
{
    char *sp = strchr(line, ' ');
    if (!sp) return 0;
    *sp = '\0';
    const char *k = line, *v = sp + 1;
    fw_index_params *p = &m->params;
    char extra;
    if (!strcmp(k, "generation")) return sscanf(v, "%" SCNu64 "%c", &m->generation, &extra) == 1;
    if (!strcmp(k, "next_doc")) return sscanf(v, "%" SCNu64 "%c", &m->next_doc, &extra) == 1;
    if (!strcmp(k, "ngram")) return sscanf(v, "%u%c", &p->ngram, &extra) == 1;
    if (!strcmp(k, "perms")) return sscanf(v, "%u%c", &p->perms, &extra) == 1;
    if (!strcmp(k, "bands")) return sscanf(v, "%u%c", &p->bands, &extra) == 1;
    if (!strcmp(k, "rows")) return sscanf(v, "%u%c", &p->rows, &extra) == 1;
    if (!strcmp(k, "threshold")) return sscanf(v, "%lf%c", &p->threshold, &extra) == 1;
    if (!strcmp(k, "seed")) return sscanf(v, "%" SCNu64 "%c", &p->seed, &extra) == 1;
    if (!strcmp(k, "sketch")) return parse_sketch(v, &p->sketch);
    if (!strcmp(k, "template")) return parse_flag(v, &p->template_mode);
    if (!strcmp(k, "canon")) return sscanf(v, "%" SCNx64 "%c", &p->canon_hash, &extra) == 1;
    if (!strcmp(k, "normalization")) {
        if (strlen(v) >= sizeof p->normalization) return 0;
        strcpy(p->normalization, v);
        return 1;
    }
    if (!strcmp(k, "passages")) return parse_flag(v, &p->passages);
    if (!strcmp(k, "min_passage")) return sscanf(v, "%u%c", &p->min_passage, &extra) == 1;
    if (!strcmp(k, "max_passage")) return sscanf(v, "%u%c", &p->max_passage, &extra) == 1;
    if (!strcmp(k, "passage_threshold"))
        return sscanf(v, "%lf%c", &p->passage_threshold, &extra) == 1;
    if (!strcmp(k, "reuse_min")) return sscanf(v, "%lf%c", &p->reuse_min, &extra) == 1;
    if (!strcmp(k, "passage_model")) {
        char name[FW_INDEX_NAME_SIZE + 1];
        if (!strcmp(v, "-")) return 1;
        if (sscanf(v, "%48s %" SCNx64 "%c", name, &m->passage_model_sum, &extra) != 2 ||
            strlen(name) >= FW_INDEX_NAME_SIZE || strchr(name, '/'))
            return 0;
        strcpy(m->passage_model, name);
        return 1;
    }
    if (!strcmp(k, "tombstones")) {
        if (strlen(v) >= sizeof m->tombstones || strchr(v, '/')) return 0;
        strcpy(m->tombstones, strcmp(v, "-") ? v : "");
        return 1;
    }
    if (!strcmp(k, "segment")) {
        fw_manifest_segment s = {{0}, 0, 0, 0, 0};
        char name[FW_INDEX_NAME_SIZE + 1];
        int end = -1;
        if (sscanf(v, "%48s %" SCNu64 " %" SCNu64 " %" SCNu64 "%n", name, &s.first, &s.last,
                   &s.count, &end) != 4 || end < 0 ||
            strlen(name) >= FW_INDEX_NAME_SIZE || strchr(name, '/') || s.first > s.last)
            return 0;
        /* then " MARK", 16 hex digits, but for a segment written before marks */
        const char *rest = v + end;
        if (*rest) {
            if (strlen(rest) != 17 || rest[0] != ' ' || strspn(rest + 1, "0123456789abcdef") != 16)
                return 0;
            s.mark = strtoull(rest + 1, NULL, 16);
            if (!s.mark) return 0;
        }
        strcpy(s.name, name);
        size_t cap = m->nsegs;
        if (!fw_grow(&m->segs, &cap, m->nsegs + 1, sizeof *m->segs, 1)) return 0;
        m->segs[m->nsegs++] = s;
        return 1;
    }
    return 0;
}

fw_status fw_manifest_read(const char *dir, fw_manifest *m, char *why, size_t n)
{
    memset(m, 0, sizeof *m);
    char path[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    char *buf;
    size_t len;
    fw_status st = slurp(path, &buf, &len, why, n);
    if (st != FW_OK) return st;
    /* the last line is "checksum HEX\n" over every byte before it */
    char *sum = NULL;
    if (len > 1 && buf[len - 1] == '\n') {
        buf[len - 1] = '\0';
        sum = strrchr(buf, '\n');
    }
    uint64_t want;
    char extra;
    if (!sum || strncmp(sum + 1, "checksum ", 9) != 0 ||
        sscanf(sum + 10, "%" SCNx64 "%c", &want, &extra) != 1 ||
        XXH3_64bits(buf, (size_t)(sum + 1 - buf)) != want) {
        free(buf);
        snprintf(why, n, "%s: damaged (its checksum does not match)", path);
        return FW_ERR_FORMAT;
    }
    *sum = '\0';
    char *save = NULL;
    char *line = strtok_r(buf, "\n", &save);
    int ok = line && !strcmp(line, MANIFEST_MAGIC);
    size_t lineno = 1;
    while (ok && (line = strtok_r(NULL, "\n", &save))) {
        lineno++;
        ok = parse_line(m, line);
    }
    free(buf);
    if (!ok) {
        fw_manifest_free(m);
        snprintf(why, n, "%s: line %zu does not parse", path, lineno);
        return FW_ERR_FORMAT;
    }
    return FW_OK;
}

fw_status fw_manifest_write(const char *dir, const fw_manifest *m, int *durable, char *why,
                            size_t n)
{
    *durable = 0;
    const fw_index_params *p = &m->params;
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    if (!mem) return FW_ERR_NOMEM;
    fprintf(mem, "%s\ngeneration %" PRIu64 "\nnext_doc %" PRIu64 "\n", MANIFEST_MAGIC,
            m->generation, m->next_doc);
    fprintf(mem, "ngram %u\nperms %u\nbands %u\nrows %u\nthreshold %.17g\nseed %" PRIu64 "\n",
            p->ngram, p->perms, p->bands, p->rows, p->threshold, p->seed);
    fprintf(mem, "sketch %s\ntemplate %d\ncanon %016" PRIx64 "\nnormalization %s\n",
            fw_sketch_name(p->sketch), p->template_mode, p->canon_hash, p->normalization);
    if (p->passages) {
        fprintf(mem, "passages 1\nmin_passage %u\nmax_passage %u\npassage_threshold %.17g\n"
                     "reuse_min %.17g\n",
                p->min_passage, p->max_passage, p->passage_threshold, p->reuse_min);
        if (m->passage_model[0])
            fprintf(mem, "passage_model %s %016" PRIx64 "\n", m->passage_model,
                    m->passage_model_sum);
        else
            fprintf(mem, "passage_model -\n");
    }
    fprintf(mem, "tombstones %s\n", m->tombstones[0] ? m->tombstones : "-");
    for (size_t i = 0; i < m->nsegs; i++) {
        const fw_manifest_segment *g = &m->segs[i];
        fprintf(mem, "segment %s %" PRIu64 " %" PRIu64 " %" PRIu64, g->name, g->first, g->last,
                g->count);
        if (g->mark) fprintf(mem, " %016" PRIx64, g->mark);
        fputc('\n', mem);
    }
    if (fflush(mem) != 0) {
        fclose(mem);
        free(text);
        return FW_ERR_NOMEM;
    }
    fprintf(mem, "checksum %016" PRIx64 "\n", XXH3_64bits(text, size));
    fclose(mem);

    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    fw_status st = FW_ERR_IO;
    FILE *f = fopen(tmp, "wbe");
    int wrote = f && fwrite(text, 1, size, f) == size, e = errno;
    if (!f) snprintf(why, n, "%s: %s", tmp, strerror(errno));
    else st = fw_index_file_finish(f, wrote, tmp, path, why, n);
    if (st != FW_OK) {
        if (f && !wrote) snprintf(why, n, "%s: %s", path, strerror(e ? e : EIO));
    } else if (fw_index_sync_dir(dir) != FW_OK) {
        /* renamed: the new generation is live, only not surely on disk */
        snprintf(why, n, "%s: written, but flushing %s failed: %s", path, dir, strerror(errno));
    } else {
        *durable = 1;
    }
    free(text);
    return st;
}
