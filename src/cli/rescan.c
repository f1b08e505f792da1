/*
 * rescan.c — a scan run again from its report directory.
 *
 * A report directory holds what was found, not the documents: their texts
 * stay where they were read. To show the evidence later (`fanwen explain
 * --report`, `fanwen report`), the texts are read again: summary.json
 * records the working directory, the paths as given, the JSONL fields and
 * every option that changes a result, and the scan is run again with them.
 * Document ids come from paths as given, so the process changes to the
 * directory the scan ran in rather than making the paths absolute. A scan
 * is deterministic, so the results are the report's, as long as the inputs
 * have not changed (a changed corpus is read as it is now). Texts added
 * through the API (fw_scan_add_text) are not recorded: such a report
 * cannot be scanned again, and the message says so.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

char *cli_absolute(const char *path)
{
    if (path[0] == '/') return strdup(path);
    char *cwd = getcwd(NULL, 0);
    if (!cwd) return NULL;
    size_t n = strlen(cwd) + strlen(path) + 2;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s/%s", cwd, path);
    free(cwd);
    return out;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(buf, cap);
            if (!grown) break;
            buf = grown;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* A value of summary.json: an object member by path, e.g. {"parameters",
 * "ngram"}. */
static yajl_val member(yajl_val root, const char *a, const char *b)
{
    const char *path[] = {a, b, NULL};
    return yajl_tree_get(root, path, yajl_t_any);
}

/* A string member, or NULL. */
static const char *string(yajl_val root, const char *a, const char *b)
{
    yajl_val v = member(root, a, b);
    return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

/* Numbers are read from their text: a seed can be above LLONG_MAX. */
static int number(yajl_val root, const char *a, const char *b, double *out)
{
    yajl_val v = member(root, a, b);
    if (!v || !YAJL_IS_NUMBER(v)) return 0;
    *out = strtod(v->u.number.r, NULL);
    return 1;
}

static int whole(yajl_val root, const char *a, const char *b, unsigned long long *out)
{
    yajl_val v = member(root, a, b);
    if (!v || !YAJL_IS_NUMBER(v)) return 0;
    errno = 0;
    *out = strtoull(v->u.number.r, NULL, 10);
    return errno == 0;
}

/* The options summary.json records, into `o` (its strings point into the
 * tree). Returns NULL, or what is missing. */
static const char *read_options(yajl_val root, fw_scan_options *o)
{
    double d;
    unsigned long long u;
    yajl_val v;
#define NEED(ok, what) do { if (!(ok)) return what; } while (0)
    NEED(whole(root, "parameters", "ngram", &u), "parameters.ngram");
    o->ngram = (unsigned)u;
    NEED(whole(root, "parameters", "perms", &u), "parameters.perms");
    o->perms = (unsigned)u;
    NEED(whole(root, "parameters", "bands", &u), "parameters.bands");
    o->bands = (unsigned)u;
    NEED(whole(root, "parameters", "rows", &u), "parameters.rows");
    o->rows = (unsigned)u;
    NEED(number(root, "parameters", "threshold", &o->threshold), "parameters.threshold");
    NEED(whole(root, "parameters", "seed", &u), "parameters.seed");
    o->seed = u;
    v = member(root, "parameters", "verify");
    NEED(v && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)), "parameters.verify");
    o->verify = YAJL_IS_TRUE(v);
    v = member(root, "parameters", "template");
    NEED(v && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)), "parameters.template");
    o->template_mode = YAJL_IS_TRUE(v);
    const char *sketch = string(root, "parameters", "sketch");
    NEED(sketch, "parameters.sketch");
    o->sketch = strcmp(sketch, "oph") ? FW_SKETCH_MINHASH : FW_SKETCH_OPH;
    NEED((o->text_field = string(root, "input", "text_field")), "input.text_field");
    NEED((o->id_field = string(root, "input", "id_field")), "input.id_field");
    o->canon_path = string(root, "input", "canon");
    NEED(whole(root, "memory", "max_doc_bytes", &u), "memory.max_doc_bytes");
    o->max_doc_bytes = u;
    NEED(member(root, "passage_parameters", NULL) != NULL, "passage_parameters");
    NEED(whole(root, "passage_parameters", "min_passage", &u), "passage_parameters.min_passage");
    o->min_passage = (unsigned)u;
    NEED(whole(root, "passage_parameters", "max_passage", &u), "passage_parameters.max_passage");
    o->max_passage = (unsigned)u;
    NEED(number(root, "passage_parameters", "threshold", &o->passage_threshold),
         "passage_parameters.threshold");
    NEED(whole(root, "passage_parameters", "boilerplate_docs", &u),
         "passage_parameters.boilerplate_docs");
    o->boilerplate_docs = u;
    NEED(number(root, "passage_parameters", "boilerplate_share", &d),
         "passage_parameters.boilerplate_share");
    o->boilerplate_share = d;
    NEED(number(root, "passage_parameters", "reuse_min", &o->reuse_min),
         "passage_parameters.reuse_min");
#undef NEED
    return NULL;
}

/* The passage model the scan used, if its file is still the one it was:
 * its last line, "sum X", is its checksum (checked as it is read). */
static fw_status use_model(const char *cmd, const char *summary, fw_scan *scan,
                           const char *model, const char *want_sum)
{
    fw_status st = fw_scan_use_passage_model(scan, model);
    if (st != FW_OK) return st;
    char tail[22] = "";
    FILE *f = fopen(model, "rb");
    int same = f && fseek(f, -21, SEEK_END) == 0 && fread(tail, 1, 21, f) == 21 &&
               want_sum && !strncmp(tail, "sum ", 4) && !strncmp(tail + 4, want_sum, 16);
    if (f) fclose(f);
    if (same) return FW_OK;
    fprintf(stderr, "fanwen %s: %s: the passage model %s has changed since the scan: scan "
                    "again\n", cmd, summary, model);
    return FW_ERR_ARG;
}

/* The documents the reports counted (summary.json's "documents") against
 * those read again: 1 and a warning when they differ. */
static int documents_changed(const char *cmd, const char *dir, yajl_val root, fw_scan *scan)
{
    fw_scan_stats now;
    fw_scan_get_stats(scan, &now);
    char diff[512] = "";
    size_t at = 0;
    for (int k = 0; k < FW_DOC_STATUS_COUNT; k++) {
        const char *name = fw_doc_status_name((fw_doc_status)k); /* summary.json's keys */
        unsigned long long then = 0;
        if (!whole(root, "documents", name, &then)) continue;
        if (then != now.docs[k] && at < sizeof diff)
            at += (size_t)snprintf(diff + at, sizeof diff - at, "%s%s %llu then, %llu now",
                                   at ? ", " : "", name, then, (unsigned long long)now.docs[k]);
    }
    if (!at) return 0;
    fprintf(stderr, "fanwen %s: the inputs are not what the scan of %s read (%s): what this "
                    "shows may not match its reports\n", cmd, dir, diff);
    return 1;
}

/* The bytes a string of hex digits stands for (malloc'ed, NUL-terminated),
 * or NULL. */
static char *from_hex(const char *hex)
{
    size_t n = strlen(hex);
    char *s = n % 2 ? NULL : malloc(n / 2 + 1);
    for (size_t i = 0; s && i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !v) {
            free(s);
            return NULL;
        }
        s[i] = (char)v;
    }
    if (s) s[n / 2] = '\0';
    return s;
}

/* A path as summary.json recorded it: its bytes from the hex beside it
 * when it is not UTF-8 ("raw_paths" by place, "raw_cwd"), else the
 * string. NULL: none. malloc'ed. */
static char *recorded_path(yajl_val root, yajl_val given, const char *raw_name, size_t i)
{
    const char *raw = NULL;
    char place[32];
    snprintf(place, sizeof place, "%zu", i);
    const char *keys[] = {"input", raw_name, i == SIZE_MAX ? NULL : place, NULL};
    yajl_val v = yajl_tree_get(root, keys, yajl_t_string);
    if (v) raw = YAJL_GET_STRING(v);
    if (raw) return from_hex(raw);
    const char *str = given && YAJL_IS_STRING(given) ? YAJL_GET_STRING(given) : NULL;
    return str ? strdup(str) : NULL;
}

fw_scan *cli_rescan(const char *cmd, const char *dir, int threads, int *changed)
{
    *changed = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *json = slurp(path);
    if (!json) {
        fprintf(stderr, "fanwen %s: %s: %s (is %s the --out of a scan?)\n", cmd, path,
                strerror(errno ? errno : EIO), dir);
        return NULL;
    }
    char err[256];
    yajl_val root = yajl_tree_parse(json, err, sizeof err);
    free(json);
    if (!root) {
        fprintf(stderr, "fanwen %s: %s: not JSON: %s\n", cmd, path, err);
        return NULL;
    }
    const char *kind = string(root, "kind", NULL);
    if (kind && !strcmp(kind, "query")) {
        const char *index_keys[] = {"index", "dir", NULL};
        yajl_val index = yajl_tree_get(root, index_keys, yajl_t_string);
        fprintf(stderr, "fanwen %s: %s holds the reports of a query against an index (fanwen "
                        "query --index): this reads a scan's", cmd, dir);
        if (!strcmp(cmd, "explain"))
            fprintf(stderr, "; for a pair of it, fanwen explain --index %s NEW_FILE INDEXED_ID",
                    index ? YAJL_GET_STRING(index) : "INDEX_DIR");
        fputc('\n', stderr);
        yajl_tree_free(root);
        return NULL;
    }
    if (member(root, "parameters", NULL) && !member(root, "passage_parameters", NULL)) {
        fprintf(stderr, "fanwen %s: %s: the scan ran with --no-passages, so it has no passages "
                        "or spans to show: scan again without --no-passages\n", cmd, dir);
        yajl_tree_free(root);
        return NULL;
    }
    fw_scan_options opt;
    fw_scan_options_default(&opt);
    opt.threads = threads;
    const char *missing = read_options(root, &opt);
    char *cwd = recorded_path(root, member(root, "input", "cwd"), "raw_cwd", SIZE_MAX);
    yajl_val paths = member(root, "input", "paths");
    unsigned long long texts = 0;
    whole(root, "input", "texts_added", &texts);
    fw_scan *scan = NULL;
    unsigned long long unrecorded = 0;
    whole(root, "input", "paths_not_recorded", &unrecorded);
    if (unrecorded) {
        fprintf(stderr, "fanwen %s: %s: the scan read %llu paths, too many to record: scan them "
                        "again with --html\n", cmd, path, unrecorded);
    } else if (missing || !cwd || !paths || !YAJL_IS_ARRAY(paths)) {
        fprintf(stderr, "fanwen %s: %s does not say %s; it was written by an older fanwen: "
                        "scan again with this one\n", cmd, path, missing ? missing : "input");
    } else if (texts) {
        fprintf(stderr, "fanwen %s: %s: %llu documents were added as texts through the "
                        "library, which the report does not record\n", cmd, path, texts);
    } else if (chdir(cwd) != 0) {
        fprintf(stderr, "fanwen %s: %s: the scan ran in %s: %s\n", cmd, path, cwd,
                strerror(errno));
    } else {
        char why[256];
        fw_status st = fw_scan_new(&opt, &scan, why, sizeof why);
        if (st != FW_OK) fprintf(stderr, "fanwen %s: %s: %s\n", cmd, path, why);
        const char *model = string(root, "input", "passage_model");
        if (st == FW_OK && model) st = use_model(cmd, path, scan, model,
                                                 string(root, "input", "passage_model_sum"));
        for (size_t i = 0; st == FW_OK && i < paths->u.array.len; i++) {
            char *given = recorded_path(root, paths->u.array.values[i], "raw_paths", i);
            if (given) st = fw_scan_add_path(scan, given);
            free(given);
        }
        if (st == FW_OK) st = fw_scan_run(scan);
        if (st == FW_OK) *changed = documents_changed(cmd, dir, root, scan);
        if (scan && st != FW_OK) {
            if (fw_scan_error(scan)[0]) /* else said already */
                fprintf(stderr, "fanwen %s: %s\n", cmd, fw_scan_error(scan));
            fw_scan_free(scan);
            scan = NULL;
        }
    }
    free(cwd);
    yajl_tree_free(root);
    return scan;
}
