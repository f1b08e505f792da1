/*
 * staged.c — a scan cut into tasks that a scheduler runs: the plan, and
 * every task's life cycle (the stages' work is in stage_sketch.c,
 * stage_pairs.c, stage_gather.c and stage_finish.c).
 *
 * The plan is a text file, `W/plan`: every option that changes a result,
 * one per line, the version of fanwen, the working directory, the report
 * directory, the number of shards and partitions and the input paths with
 * their shard, and with --canon an XXH3 of the table's bytes; its first
 * lines carry an XXH3 of the rest. Planning again
 * with the same text keeps the plan and the work done under it; planning
 * with other options, or running a task with another version of fanwen,
 * is refused with the line that differs. Every file a task writes carries
 * the plan's hash too, so a file from another plan is never read as this
 * one's.
 *
 * A task's life: if its done marker (`W/STAGE/I.done`, holding the plan's
 * hash) is there, it has nothing to do. Otherwise it checks that the done
 * markers of everything it reads are there, and if one is missing stops
 * with a message naming it, having written nothing. Then it removes
 * whatever an earlier attempt left (every file of the stage's directory
 * named `I.*`, finished or temporary), does its work, writing each file
 * under a temporary name, flushed to disk and renamed into place, and
 * writes its done marker last, the same way. A task killed at any moment
 * leaves either its done marker (and then all its files) or no marker,
 * and then is redone from scratch: the same bytes, as the work is
 * deterministic.
 */
#include "staged.h"
#include "grow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define PLAN_MAGIC "fanwen-plan 1"

static const char *const STAGE_NAMES[FW_STAGE_COUNT] = {"sketch", "rank",   "bands",
                                                        "gather", "verify", "finish"};

const char *fw_stage_name(fw_stage stage)
{
    return (unsigned)stage < FW_STAGE_COUNT ? STAGE_NAMES[stage] : "?";
}

int fw_stage_from_name(const char *name, fw_stage *stage)
{
    for (int i = 0; i < FW_STAGE_COUNT; i++)
        if (!strcmp(name, STAGE_NAMES[i])) {
            *stage = (fw_stage)i;
            return 1;
        }
    return 0;
}

fw_status fw_plan_fail(fw_plan *p, fw_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error, sizeof p->error, fmt, ap);
    va_end(ap);
    return status;
}

const char *fw_plan_error(const fw_plan *p) { return p->error; }
const char *fw_plan_cwd(const fw_plan *p) { return p->cwd; }
const char *fw_plan_hash(const fw_plan *p) { return p->hash; }

void fw_plan_path(const fw_plan *p, char *buf, size_t size, fw_stage stage, const char *fmt,
                  ...)
{
    int n = snprintf(buf, size, "%s/%s/", p->work, fw_stage_name(stage));
    if (n < 0 || (size_t)n >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------- files */

/* "cannot write PATH: why", errno's reason for an I/O failure (the write,
 * flush or rename that failed set it; fw_atomic_commit keeps it). */
fw_status fw_plan_write_failed(fw_plan *p, fw_status st, const char *path)
{
    int e = errno;
    if (st != FW_ERR_IO) return fw_plan_fail(p, st, "cannot write %s: %s", path, fw_status_str(st));
    return fw_plan_fail(p, st, "cannot write %s: %s", path, strerror(e ? e : EIO));
}

fw_status fw_atomic_open(fw_atomic_file *a, const char *path)
{
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    a->f = fopen(a->tmp, "wb");
    return a->f ? FW_OK : FW_ERR_IO;
}

/* Flushes the directory holding `path` to disk: the renames into it are
 * then durable, in the order they were made (outputs, then the marker). */
static int sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

fw_status fw_atomic_commit(fw_atomic_file *a)
{
    int bad = fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0;
    bad |= fclose(a->f) != 0;
    a->f = NULL;
    if (!bad && rename(a->tmp, a->path) == 0 && sync_dir(a->path) == 0) return FW_OK;
    int e = errno;
    unlink(a->tmp);
    errno = e;
    return FW_ERR_IO;
}

void fw_atomic_abandon(fw_atomic_file *a)
{
    if (a->f) fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}

/* ----------------------------------------------------------- options */

/* The options a plan records: every one that changes a result. Threads,
 * the temporary directory and progress do not; a memory limit is refused. */
typedef enum { T_UINT, T_U64, T_DOUBLE, T_BOOL, T_STRING, T_SKETCH, T_SIMD } opt_type;
typedef struct opt_row {
    const char *name;
    opt_type type;
    size_t offset;
} opt_row;

#define ROW(field, type) {#field, type, offsetof(fw_scan_options, field)}
static const opt_row OPTIONS[] = {
    ROW(ngram, T_UINT),           ROW(perms, T_UINT),
    ROW(bands, T_UINT),           ROW(rows, T_UINT),
    ROW(threshold, T_DOUBLE),     ROW(seed, T_U64),
    ROW(verify, T_BOOL),          ROW(sketch, T_SKETCH),
    ROW(simd, T_SIMD),            ROW(passages, T_BOOL),
    ROW(min_passage, T_UINT),     ROW(max_passage, T_UINT),
    ROW(passage_threshold, T_DOUBLE), ROW(boilerplate_docs, T_U64),
    ROW(boilerplate_share, T_DOUBLE), ROW(reuse_min, T_DOUBLE),
    ROW(template_mode, T_BOOL),   ROW(canon_path, T_STRING),
    ROW(text_field, T_STRING),    ROW(id_field, T_STRING),
    ROW(max_doc_bytes, T_U64),
};
#undef ROW
#define NOPTIONS (sizeof OPTIONS / sizeof *OPTIONS)

static const fw_simd SIMDS[] = {FW_SIMD_AUTO, FW_SIMD_BASELINE, FW_SIMD_AVX2, FW_SIMD_AVX512};

/* One option's line into `f` ("name value"); a NULL string is "-" and a
 * string "-" is refused by the caller (fw_plan_create). */
static void write_option(FILE *f, const fw_scan_options *o, const opt_row *row)
{
    const char *at = (const char *)o + row->offset;
    fprintf(f, "option %s ", row->name);
    switch (row->type) {
    case T_UINT: fprintf(f, "%u\n", *(const unsigned *)at); break;
    case T_U64: fprintf(f, "%llu\n", (unsigned long long)*(const uint64_t *)at); break;
    case T_DOUBLE: fprintf(f, "%.17g\n", *(const double *)at); break;
    case T_BOOL: fprintf(f, "%d\n", *(const int *)at ? 1 : 0); break;
    case T_STRING: {
        const char *s = *(const char *const *)at;
        fprintf(f, "%s\n", s ? s : "-");
        break;
    }
    case T_SKETCH: fprintf(f, "%s\n", fw_sketch_name(*(const fw_sketch *)at)); break;
    case T_SIMD: fprintf(f, "%s\n", fw_simd_name(*(const fw_simd *)at)); break;
    }
}

/* Reads one option's value (pointing into the plan's text); 0 if it does
 * not parse. */
static int read_option(fw_scan_options *o, const opt_row *row, char *value)
{
    char *at = (char *)o + row->offset, *end;
    errno = 0;
    switch (row->type) {
    case T_UINT: {
        unsigned long v = strtoul(value, &end, 10);
        if (*end || errno || v > UINT32_MAX) return 0;
        *(unsigned *)at = (unsigned)v;
        return 1;
    }
    case T_U64: {
        unsigned long long v = strtoull(value, &end, 10);
        if (*end || errno) return 0;
        *(uint64_t *)at = v;
        return 1;
    }
    case T_DOUBLE: *(double *)at = strtod(value, &end); return !*end && !errno;
    case T_BOOL: *(int *)at = value[0] == '1'; return !strcmp(value, "0") || !strcmp(value, "1");
    case T_STRING: *(const char **)at = strcmp(value, "-") ? value : NULL; return 1;
    case T_SKETCH:
        *(fw_sketch *)at = strcmp(value, "oph") ? FW_SKETCH_MINHASH : FW_SKETCH_OPH;
        return !strcmp(value, "oph") || !strcmp(value, "minhash");
    case T_SIMD:
        for (size_t i = 0; i < sizeof SIMDS / sizeof *SIMDS; i++)
            if (!strcmp(value, fw_simd_name(SIMDS[i]))) {
                *(fw_simd *)at = SIMDS[i];
                return 1;
            }
        return 0;
    }
    return 0;
}

/* ------------------------------------------------------------- plans */

/* The plan's text after its hash line. */
static char *plan_body(const fw_scan_options *o, const char *canon_hash,
                       const fw_plan_layout *layout, const char *model_hash, const char *cwd,
                       const char *const *paths, size_t npaths, unsigned shards,
                       unsigned partitions, const char *out, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) return NULL;
    fprintf(f, "version %s\ncwd %s\nout %s\nshards %u\npartitions %u\n", FW_VERSION_STRING, cwd,
            out, shards, partitions);
    for (size_t i = 0; i < NOPTIONS; i++) write_option(f, o, &OPTIONS[i]);
    if (canon_hash) fprintf(f, "canon_xxh3 %s\n", canon_hash);
    if (layout->passage_model)
        fprintf(f, "passage_model %s\npassage_model_xxh3 %s\n", layout->passage_model,
                model_hash);
    if (layout->save_passage_model)
        fprintf(f, "save_passage_model %s\n", layout->save_passage_model);
    /* shard s: paths [s·n/S, (s+1)·n/S) */
    for (unsigned s = 0; s < shards; s++)
        for (size_t i = (size_t)s * npaths / shards; i < (size_t)(s + 1) * npaths / shards; i++)
            fprintf(f, "input %u %s\n", s, paths[i]);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void hash_hex(const char *body, size_t len, char hex[17])
{
    snprintf(hex, 17, "%016llx", (unsigned long long)XXH3_64bits(body, len));
}

/* The XXH3 of a file's bytes: the plan records the canon table's and the
 * passage model's, and the tasks that read them (sketch and finish, finish)
 * refuse one that has changed. */
static fw_status bytes_hash(const char *path, char hex[17])
{
    char *data;
    size_t len;
    if (fw_read_whole(path, &data, &len) != FW_OK) return FW_ERR_IO;
    hash_hex(data, len, hex);
    free(data);
    return FW_OK;
}

/* Is the file at `path` gone, or other than the bytes whose hash the plan
 * recorded (NULL: none recorded)? */
static int changed_since_plan(const char *path, const char *recorded)
{
    char hex[17];
    return bytes_hash(path, hex) != FW_OK || strcmp(hex, recorded ? recorded : "") != 0;
}

/* The first line where two plans' bodies differ, for the message. */
static void first_difference(const char *a, const char *b, char *why, size_t n)
{
    while (*a && *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la) != 0) {
            snprintf(why, n, "'%.*s', not '%.*s'", (int)(la > 300 ? 300 : la), a,
                     (int)(lb > 300 ? 300 : lb), b);
            return;
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    snprintf(why, n, "%s", *a ? "more lines" : "fewer lines");
}

static int make_dir(const char *path)
{
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

fw_status fw_plan_create(const char *work, const fw_scan_options *o, const char *const *paths,
                         size_t npaths, const fw_plan_layout *layout, char *why,
                         size_t why_size)
{
    char ignored[8];
    if (!why) { why = ignored; why_size = sizeof ignored; }
    if (o->memory_limit) {
        snprintf(why, why_size, "a staged scan takes no --memory-limit: more shards make "
                                "each task smaller");
        return FW_ERR_ARG;
    }
    if (!npaths) {
        snprintf(why, why_size, "no input to plan");
        return FW_ERR_ARG;
    }
    if (layout->partitions < 1 || layout->partitions > 65536) {
        snprintf(why, why_size, "partitions must be from 1 to 65536, got %u", layout->partitions);
        return FW_ERR_ARG;
    }
    /* check the options as the scan will */
    fw_scan *probe;
    fw_scan_options checked = *o;
    checked.threads = 1;
    fw_status st = fw_scan_new(&checked, &probe, why, why_size);
    if (st != FW_OK) return st;
    if (layout->passage_model && fw_scan_use_passage_model(probe, layout->passage_model) != FW_OK)
        st = FW_ERR_ARG; /* another seed, --min-passage, ..., or no passage level */
    else if (layout->save_passage_model && !o->passages)
        st = FW_ERR_ARG;
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", layout->passage_model ? fw_scan_error(probe)
                                      : "a passage model is the passage level's: not with "
                                        "--no-passages");
        fw_scan_free(probe);
        return st;
    }
    fw_scan_free(probe);
    const char *strings[] = {o->text_field,           o->id_field,
                             o->canon_path,           layout->out,
                             layout->passage_model,   layout->save_passage_model};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        if (strings[i] && (strchr(strings[i], '\n') || !strcmp(strings[i], "-") || !*strings[i])) {
            snprintf(why, why_size, "'%s' cannot be written into a plan", strings[i]);
            return FW_ERR_ARG;
        }
    for (size_t i = 0; i < npaths; i++)
        if (strchr(paths[i], '\n') || !*paths[i]) {
            snprintf(why, why_size, "the path '%s' cannot be written into a plan (a line break)",
                     paths[i]);
            return FW_ERR_ARG;
        }
    unsigned shards = layout->shards && layout->shards < npaths ? layout->shards
                                                                 : (unsigned)npaths;
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        snprintf(why, why_size, "cannot tell the working directory: %s", strerror(errno));
        return FW_ERR_IO;
    }
    char canon[17], model[17] = "";
    const char *unread = o->canon_path && bytes_hash(o->canon_path, canon) != FW_OK
                             ? o->canon_path
                         : layout->passage_model && bytes_hash(layout->passage_model, model) != FW_OK
                             ? layout->passage_model
                             : NULL;
    if (unread) {
        snprintf(why, why_size, "%s: %s", unread, strerror(errno));
        free(cwd);
        return FW_ERR_IO;
    }
    size_t len;
    char *body = plan_body(o, o->canon_path ? canon : NULL, layout, model, cwd, paths, npaths,
                           shards, layout->partitions,
                           layout->out ? layout->out : "fanwen-report", &len);
    free(cwd);
    if (!body) return FW_ERR_NOMEM;
    char hex[17], path[4096];
    hash_hex(body, len, hex);
    snprintf(path, sizeof path, "%s/plan", work);
    char *old;
    size_t old_len;
    if (fw_read_whole(path, &old, &old_len) == FW_OK) { /* planned before */
        const char *old_body = strchr(old, '\n');
        old_body = old_body ? strchr(old_body + 1, '\n') : NULL;
        st = FW_OK;
        if (!old_body || strcmp(old_body + 1, body) != 0) {
            char diff[700];
            first_difference(old_body ? old_body + 1 : old, body, diff, sizeof diff);
            snprintf(why, why_size, "%s was planned otherwise: %s (plan in another work "
                                    "directory, or remove this one)", work, diff);
            st = FW_ERR_ARG;
        }
        free(old);
        free(body);
        return st;
    }
    st = FW_ERR_IO;
    if (make_dir(work) == 0) {
        st = FW_OK;
        for (int i = 0; i < FW_STAGE_COUNT && st == FW_OK; i++) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/%s", work, STAGE_NAMES[i]);
            if (make_dir(dir) != 0) st = FW_ERR_IO;
        }
    }
    fw_atomic_file a;
    if (st == FW_OK && (st = fw_atomic_open(&a, path)) == FW_OK) {
        fprintf(a.f, "%s\nhash %s\n%s", PLAN_MAGIC, hex, body);
        st = fw_atomic_commit(&a);
    }
    if (st != FW_OK) snprintf(why, why_size, "%s: %s", work, strerror(errno));
    free(body);
    return st;
}

/* Parses the plan's body in place into p. */
static fw_status parse_plan(fw_plan *p, char *body, const char *path)
{
    size_t paths_cap = 0;
    fw_scan_options_default(&p->opt);
    unsigned line = 2, last_shard = 0;
    for (char *s = body; *s;) {
        char *nl = strchr(s, '\n');
        if (!nl) return fw_plan_fail(p, FW_ERR_FORMAT, "%s: line %u is cut short", path, line + 1);
        *nl = '\0';
        line++;
        char *key = s, *value = strchr(s, ' ');
        s = nl + 1;
        if (!value) return fw_plan_fail(p, FW_ERR_FORMAT, "%s: line %u has no value", path, line);
        *value++ = '\0';
        int ok = 1;
        if (!strcmp(key, "version")) p->version = value;
        else if (!strcmp(key, "cwd")) p->cwd = value;
        else if (!strcmp(key, "out")) p->out = value;
        else if (!strcmp(key, "shards")) ok = sscanf(value, "%u", &p->shards) == 1;
        else if (!strcmp(key, "partitions")) ok = sscanf(value, "%u", &p->partitions) == 1;
        else if (!strcmp(key, "canon_xxh3")) p->canon_hash = value;
        else if (!strcmp(key, "passage_model")) p->passage_model = value;
        else if (!strcmp(key, "passage_model_xxh3")) p->passage_model_hash = value;
        else if (!strcmp(key, "save_passage_model")) p->save_passage_model = value;
        else if (!strcmp(key, "option")) {
            char *v = strchr(value, ' ');
            ok = 0;
            if (v) {
                *v++ = '\0';
                for (size_t i = 0; i < NOPTIONS; i++)
                    if (!strcmp(value, OPTIONS[i].name)) ok = read_option(&p->opt, &OPTIONS[i], v);
            }
        } else if (!strcmp(key, "input")) {
            char *name = strchr(value, ' ');
            unsigned shard;
            ok = name && sscanf(value, "%u", &shard) == 1 && shard < p->shards &&
                 shard >= last_shard;
            if (ok) {
                if (!fw_grow(&p->paths, &paths_cap, p->npaths + 1, sizeof *p->paths, 64))
                    return FW_ERR_NOMEM;
                while (last_shard < shard) p->shard_first[++last_shard] = p->npaths;
                p->paths[p->npaths++] = name + 1;
            }
        } else {
            ok = 0;
        }
        if (ok && !strcmp(key, "shards")) {
            ok = p->shards >= 1;
            if (ok && !(p->shard_first = calloc((size_t)p->shards + 1, sizeof *p->shard_first)))
                return FW_ERR_NOMEM;
        }
        if (!ok) return fw_plan_fail(p, FW_ERR_FORMAT, "%s: line %u (%s) does not parse", path,
                                     line, key);
    }
    if (!p->version || !p->cwd || !p->out || !p->shard_first || !p->partitions ||
        last_shard + 1 != p->shards)
        return fw_plan_fail(p, FW_ERR_FORMAT, "%s: incomplete plan", path);
    p->shard_first[p->shards] = p->npaths;
    return FW_OK;
}

fw_status fw_plan_open(const char *work, fw_plan **out, char *why, size_t why_size)
{
    char ignored[8];
    if (!why) { why = ignored; why_size = sizeof ignored; }
    *out = NULL;
    fw_plan *p = calloc(1, sizeof *p);
    if (!p) return FW_ERR_NOMEM;
    char path[4096];
    snprintf(path, sizeof path, "%s/plan", work);
    size_t len;
    fw_status st = fw_read_whole(path, &p->text, &len);
    if (st != FW_OK) {
        snprintf(why, why_size, "%s: %s (is %s a work directory of `fanwen plan`?)", path,
                 strerror(errno), work);
        fw_plan_free(p);
        return st;
    }
    char *hash_line = strchr(p->text, '\n');
    char *body = hash_line ? strchr(hash_line + 1, '\n') : NULL;
    if (!body || strncmp(p->text, PLAN_MAGIC "\n", sizeof PLAN_MAGIC) != 0 ||
        strncmp(hash_line + 1, "hash ", 5) != 0) {
        snprintf(why, why_size, "%s: not a plan of fanwen", path);
        fw_plan_free(p);
        return FW_ERR_FORMAT;
    }
    body++;
    char hex[17];
    hash_hex(body, len - (size_t)(body - p->text), hex);
    if (strncmp(hash_line + 6, hex, 16) != 0) {
        snprintf(why, why_size, "%s: damaged (its hash does not match its text)", path);
        fw_plan_free(p);
        return FW_ERR_FORMAT;
    }
    memcpy(p->hash, hex, sizeof hex);
    p->tag = strtoull(hex, NULL, 16);
    p->work = realpath(work, NULL);
    if (!p->work)
        st = errno == ENOMEM ? FW_ERR_NOMEM
                             : fw_plan_fail(p, FW_ERR_IO, "%s: %s", work, strerror(errno));
    else st = parse_plan(p, body, path);
    if (st == FW_OK && strcmp(p->version, FW_VERSION_STRING) != 0) {
        fw_plan_fail(p, FW_ERR_ARG, "%s was planned by fanwen %s; this is fanwen %s: plan "
                     "again in a new work directory", work, p->version, FW_VERSION_STRING);
        st = FW_ERR_ARG;
    }
    if (st == FW_OK) {
        char ignored_why[8];
        st = fw_lsh_choose(p->opt.threshold, p->opt.perms, &p->bands, &p->rows);
        if (p->opt.bands || p->opt.rows) { /* as fw_scan_new() resolves them */
            fw_scan *probe;
            fw_scan_options o = p->opt;
            o.threads = 1;
            st = fw_scan_new(&o, &probe, ignored_why, sizeof ignored_why);
            if (st == FW_OK) {
                fw_scan_stats stats;
                fw_scan_get_stats(probe, &stats);
                p->bands = stats.bands;
                p->rows = stats.rows;
                fw_scan_free(probe);
            }
        }
    }
    if (st != FW_OK) {
        snprintf(why, why_size, "%s", p->error[0] ? p->error : fw_status_str(st));
        fw_plan_free(p);
        return st;
    }
    *out = p;
    return FW_OK;
}

void fw_plan_free(fw_plan *p)
{
    if (!p) return;
    free(p->work);
    free(p->paths);
    free(p->shard_first);
    free(p->text);
    free(p);
}

unsigned fw_plan_tasks(const fw_plan *p, fw_stage stage)
{
    switch (stage) {
    case FW_STAGE_SKETCH:
    case FW_STAGE_GATHER: return p->shards;
    case FW_STAGE_BANDS:
    case FW_STAGE_VERIFY: return p->partitions;
    case FW_STAGE_RANK:
    case FW_STAGE_FINISH: return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- tasks */

/* 1: the marker is there and holds this plan's hash; 0: none; -1: another
 * plan's. */
static int marker(const fw_plan *p, fw_stage stage, unsigned index)
{
    char path[4096], *data;
    size_t len;
    fw_plan_path(p, path, sizeof path, stage, "%u.done", index);
    if (fw_read_whole(path, &data, &len) != FW_OK) return 0;
    int ok = len >= 16 && memcmp(data, p->hash, 16) == 0;
    free(data);
    return ok ? 1 : -1;
}

int fw_plan_task_done(const fw_plan *p, fw_stage stage, unsigned index)
{
    return marker(p, stage, index) == 1;
}

fw_status fw_plan_error_docs(const fw_plan *p, uint64_t *count)
{
    *count = 0;
    if (marker(p, FW_STAGE_FINISH, 0) != 1) return FW_ERR_ARG;
    char path[4096], *data;
    size_t len;
    fw_plan_path(p, path, sizeof path, FW_STAGE_FINISH, "%s", "0.done");
    if (fw_read_whole(path, &data, &len) != FW_OK) return FW_ERR_ARG;
    unsigned long long n = 0; /* "HASH\nerror_docs N\n" (data ends in a NUL) */
    const int ok = len > 17 && sscanf(data + 17, "error_docs %llu", &n) == 1;
    free(data);
    *count = n;
    return ok ? FW_OK : FW_ERR_FORMAT;
}

/* Every task of `stage` done; else fails naming the first that is not. */
static fw_status need_stage(fw_plan *p, fw_stage self, unsigned index, fw_stage stage)
{
    for (unsigned i = 0; i < fw_plan_tasks(p, stage); i++) {
        int m = marker(p, stage, i);
        if (m == 1) continue;
        char path[4096];
        fw_plan_path(p, path, sizeof path, stage, "%u.done", i);
        return fw_plan_fail(p, FW_ERR_ARG, "task %s %u needs %s task %u, which %s (%s %s): "
                            "run that first", fw_stage_name(self), index, fw_stage_name(stage),
                            i, m ? "was done under another plan" : "has not finished", path,
                            m ? "holds another hash" : "is missing");
    }
    return FW_OK;
}

fw_status fw_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? FW_OK : FW_ERR_IO;
    struct dirent *e;
    fw_status st = FW_OK;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0 && errno != ENOENT) st = FW_ERR_IO;
    }
    closedir(d);
    if (rmdir(dir) != 0 && errno != ENOENT) st = FW_ERR_IO;
    return st;
}

/* What an earlier attempt of the task left: every file of the stage's
 * directory named "INDEX." something (a directory with its files: the
 * finish task's reports before they are put in place). */
static fw_status clear_task(fw_plan *p, fw_stage stage, unsigned index)
{
    char dir[4096], prefix[32];
    fw_plan_path(p, dir, sizeof dir, stage, "%s", "");
    snprintf(prefix, sizeof prefix, "%u.", index);
    DIR *d = opendir(dir);
    if (!d) return fw_plan_fail(p, FW_ERR_IO, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    fw_status st = FW_OK;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s%s", dir, e->d_name);
        if (unlink(path) != 0 && errno != ENOENT &&
            (errno != EISDIR || fw_remove_dir(path) != FW_OK))
            st = fw_plan_fail(p, FW_ERR_IO, "%s: %s", path, strerror(errno));
    }
    closedir(d);
    return st;
}

/* The task, in the plan's working directory: the inputs' paths, which
 * make the documents' ids, are relative to it, and the scan records it. */
static fw_status run_unlocked(fw_plan *p, fw_stage stage, unsigned index, int threads)
{
    if (marker(p, stage, index) == 1) return FW_OK;
    /* what each stage reads (FW_STAGE_COUNT: nothing more) */
    static const fw_stage needs[FW_STAGE_COUNT][4] = {
        [FW_STAGE_SKETCH] = {FW_STAGE_COUNT, FW_STAGE_COUNT, FW_STAGE_COUNT, FW_STAGE_COUNT},
        [FW_STAGE_RANK] = {FW_STAGE_SKETCH, FW_STAGE_COUNT, FW_STAGE_COUNT, FW_STAGE_COUNT},
        [FW_STAGE_BANDS] = {FW_STAGE_SKETCH, FW_STAGE_RANK, FW_STAGE_COUNT, FW_STAGE_COUNT},
        [FW_STAGE_GATHER] = {FW_STAGE_SKETCH, FW_STAGE_RANK, FW_STAGE_BANDS, FW_STAGE_COUNT},
        [FW_STAGE_VERIFY] = {FW_STAGE_SKETCH, FW_STAGE_RANK, FW_STAGE_BANDS, FW_STAGE_GATHER},
        [FW_STAGE_FINISH] = {FW_STAGE_SKETCH, FW_STAGE_RANK, FW_STAGE_VERIFY, FW_STAGE_COUNT},
    };
    fw_status st = FW_OK;
    for (int i = 0; i < 4 && st == FW_OK; i++)
        if (needs[stage][i] != FW_STAGE_COUNT) st = need_stage(p, stage, index, needs[stage][i]);
    if (st == FW_OK && p->opt.canon_path && stage != FW_STAGE_RANK && stage != FW_STAGE_BANDS &&
        stage != FW_STAGE_VERIFY && changed_since_plan(p->opt.canon_path, p->canon_hash))
        st = fw_plan_fail(p, FW_ERR_ARG, "the canon table %s has changed (or gone) since the plan "
                          "was made: plan again in a new work directory", p->opt.canon_path);
    if (st == FW_OK && p->passage_model && stage == FW_STAGE_FINISH &&
        changed_since_plan(p->passage_model, p->passage_model_hash))
        st = fw_plan_fail(p, FW_ERR_ARG, "the passage model %s has changed (or gone) since the "
                          "plan was made: plan again in a new work directory", p->passage_model);
    if (st == FW_OK) st = clear_task(p, stage, index);
    if (st != FW_OK) return st;
    switch (stage) {
    case FW_STAGE_SKETCH: st = fw_stage_sketch(p, index, threads); break;
    case FW_STAGE_RANK: st = fw_stage_rank(p, threads); break;
    case FW_STAGE_BANDS: st = fw_stage_bands(p, index, threads); break;
    case FW_STAGE_GATHER: st = fw_stage_gather(p, index, threads); break;
    case FW_STAGE_VERIFY: st = fw_stage_verify(p, index, threads); break;
    case FW_STAGE_FINISH: st = fw_stage_finish(p, threads); break;
    }
    if (st != FW_OK) {
        if (!p->error[0]) fw_plan_fail(p, st, "%s", fw_status_str(st));
        char keep[sizeof p->error];
        memcpy(keep, p->error, sizeof keep);
        clear_task(p, stage, index); /* nothing half done stays */
        memcpy(p->error, keep, sizeof keep);
        return st;
    }
    char path[4096];
    fw_plan_path(p, path, sizeof path, stage, "%u.done", index);
    fw_atomic_file a;
    if ((st = fw_atomic_open(&a, path)) == FW_OK) {
        fprintf(a.f, "%s\n", p->hash);
        if (stage == FW_STAGE_FINISH)
            fprintf(a.f, "error_docs %llu\n", (unsigned long long)p->error_docs);
        st = fw_atomic_commit(&a);
    }
    if (st != FW_OK) return fw_plan_fail(p, st, "%s: %s", path, strerror(errno));
    return FW_OK;
}

/* One process at a time runs a task: a second copy (a run started twice,
 * a task requeued while the first still runs) would clear the first one's
 * files as it starts, and either could then leave a done marker over files
 * the other removed. A flock() on W/locks/STAGE.INDEX, which the kernel
 * releases however the process ends (the file stays: removing a lock file
 * would let two processes lock two files of one name). Its descriptor in
 * *fd, -1 when not taken. */
static fw_status lock_task(fw_plan *p, fw_stage stage, unsigned index, int *fd)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/locks", p->work);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return fw_plan_fail(p, FW_ERR_IO, "%s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/locks/%s.%u", p->work, fw_stage_name(stage), index);
    if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
        return fw_plan_fail(p, FW_ERR_IO, "%s: %s", path, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0) return FW_OK;
    int busy = errno == EWOULDBLOCK;
    fw_status st = busy ? fw_plan_fail(p, FW_ERR_ARG, "task %s %u is being run by another "
                                       "process now (%s is locked): not run twice at once",
                                       fw_stage_name(stage), index, path)
                        : fw_plan_fail(p, FW_ERR_IO, "%s: %s", path, strerror(errno));
    close(*fd);
    *fd = -1;
    return st;
}

/* The task, one process at a time (lock_task). */
static fw_status run_task_here(fw_plan *p, fw_stage stage, unsigned index, int threads)
{
    int fd;
    fw_status st = lock_task(p, stage, index, &fd);
    if (st != FW_OK) return st;
    st = run_unlocked(p, stage, index, threads);
    close(fd);
    return st;
}

fw_status fw_plan_run_task(fw_plan *p, fw_stage stage, unsigned index, int threads)
{
    p->error[0] = '\0';
    if ((unsigned)stage >= FW_STAGE_COUNT || index >= fw_plan_tasks(p, stage))
        return fw_plan_fail(p, FW_ERR_ARG, "stage %s has tasks 0 to %u, not %u",
                            fw_stage_name(stage), fw_plan_tasks(p, stage) - 1, index);
    /* the process's directory changed for the task and changed back after
     * (when the old one can be opened): see fanwen.h */
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (chdir(p->cwd) != 0) {
        if (here >= 0) close(here);
        return fw_plan_fail(p, FW_ERR_IO, "the plan was made in %s: %s", p->cwd, strerror(errno));
    }
    fw_status st = run_task_here(p, stage, index, threads);
    if (here >= 0) {
        if (fchdir(here) != 0 && st == FW_OK)
            st = fw_plan_fail(p, FW_ERR_IO, "cannot go back to the directory the task was "
                              "started in: %s", strerror(errno));
        close(here);
    }
    return st;
}
