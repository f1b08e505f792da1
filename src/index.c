/*
 * index.c — a persistent index as a whole: opening a generation, the
 * writer's lock, committing a change, and adding a batch. Removing
 * (index_remove.c) and compacting (index_compact.c) are changes made the
 * same way; the tombstones are index_tombstones.c's.
 *
 * The shape is an LSM tree's without levels: documents arrive in batches,
 * each batch becomes an immutable segment (index_segment.c, and a band
 * file of its keys), removals are tombstones, and compaction merges every
 * segment into one. Nothing is changed in place. A change writes its new
 * files, flushes them, then replaces the MANIFEST (index_manifest.c) that
 * names the generation's files; files it no longer names are removed after.
 * So a writer killed at any moment leaves the previous generation whole,
 * and at worst files no manifest names, which the next writer removes.
 *
 * One writer at a time: flock() on DIR/LOCK, which the kernel releases
 * when the process dies, however it dies. Readers take no lock: they read
 * the manifest and map the files it names; a file removed in between (a
 * compaction finishing) makes them read the manifest again.
 *
 * Documents are numbered from 0 as they are added, a batch in id order,
 * and keep their number for life (compaction leaves gaps where removed
 * documents were), so band files, pairs and tombstones never need
 * rewriting when other segments change.
 */
#include "index.h"
#include "scan.h"
#include "scan_internal.h"
#include "grow.h"
#include "read_whole.h"
#include "lsh.h"
#include "passage_known.h"
#include "passage_model.h"
#include "passage_prep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPEN_TRIES 5

fw_status fw_index_fail(fw_index *ix, fw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ix->error, sizeof ix->error, fmt, ap);
    va_end(ap);
    return st;
}

const char *fw_index_error(const fw_index *ix) { return ix->error; }

void fw_index_path(const fw_index *ix, char *out, size_t size, const char *name, const char *ext)
{
    snprintf(out, size, "%s/%s%s%s", ix->dir, name, ext ? "." : "", ext ? ext : "");
}

/* ------------------------------------------------------------ lookups */

int fw_index_is_removed(const fw_index *ix, uint64_t x)
{
    size_t lo = 0, hi = ix->nremoved;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->removed[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < ix->nremoved && ix->removed[lo] == x;
}

const fw_seg *fw_index_find_number(const fw_index *ix, uint64_t x, size_t *pos)
{
    size_t lo = 0, hi = ix->man.nsegs;
    while (lo < hi) { /* the first segment whose last is >= x */
        size_t mid = lo + (hi - lo) / 2;
        if (ix->segs[mid].last < x) lo = mid + 1;
        else hi = mid;
    }
    if (lo == ix->man.nsegs) return NULL;
    int64_t p = fw_segment_find_number(&ix->segs[lo], x);
    if (p < 0) return NULL;
    *pos = (size_t)p;
    return &ix->segs[lo];
}

const char *fw_index_id(const fw_index *ix, uint64_t x)
{
    size_t pos;
    const fw_seg *seg = fw_index_find_number(ix, x, &pos);
    return seg ? fw_segment_id(seg, pos) : "";
}

int64_t fw_index_find_id(const fw_index *ix, const char *id)
{
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        int64_t p = fw_segment_find_id(&ix->segs[g], id);
        if (p >= 0 && !fw_index_is_removed(ix, ix->segs[g].docs[p].number))
            return (int64_t)ix->segs[g].docs[p].number;
    }
    return -1;
}

uint64_t fw_index_live(const fw_index *ix)
{
    uint64_t n = 0;
    for (size_t g = 0; g < ix->man.nsegs; g++) n += ix->segs[g].ndocs;
    return n - ix->nremoved;
}

/* ------------------------------------------------------------ open, close */

static void close_generation(fw_index *ix)
{
    for (size_t g = 0; ix->segs && g < ix->man.nsegs; g++) fw_segment_close(&ix->segs[g]);
    free(ix->segs);
    ix->segs = NULL;
    free(ix->removed);
    ix->removed = NULL;
    ix->nremoved = 0;
    free(ix->extra);
    ix->extra = NULL;
    ix->nextra = 0;
    free(ix->withdrawn);
    ix->withdrawn = NULL;
    ix->nwithdrawn = 0;
    fw_index_forget_components(ix);
    /* the model stays: batches borrow it (open_generation, free_models) */
    if (ix->known) fw_known_passages_free(ix->known);
    free(ix->known);
    ix->known = NULL;
    fw_manifest_free(&ix->man);
}

static fw_status check_canon(fw_index *ix, char *why, size_t n);
static fw_status read_passage_model(fw_index *ix, char *why, size_t n);

static void free_model(struct fw_passage_model *m)
{
    if (m) fw_passage_model_free(m);
    free(m);
}

static void free_models(fw_index *ix)
{
    free_model(ix->model);
    ix->model = NULL;
    for (size_t i = 0; i < ix->nretired; i++) free_model(ix->retired[i]);
    free(ix->retired);
    ix->retired = NULL;
    ix->nretired = 0;
}

/* The model the manifest names: the one held if the same file and sum
 * (read and checked when first named), else read; one held before is
 * retired, as a batch of an earlier generation may still use it. */
static fw_status take_passage_model(fw_index *ix, char *why, size_t n)
{
    if (ix->model && ix->model_sum == ix->man.passage_model_sum &&
        !strcmp(ix->model_name, ix->man.passage_model))
        return FW_OK;
    if (ix->model) {
        struct fw_passage_model **r =
            realloc(ix->retired, (ix->nretired + 1) * sizeof *ix->retired);
        if (!r) return FW_ERR_NOMEM;
        ix->retired = r;
        ix->retired[ix->nretired++] = ix->model;
        ix->model = NULL;
    }
    fw_status st = read_passage_model(ix, why, n);
    if (st != FW_OK) {
        free_model(ix->model);
        ix->model = NULL;
        return st;
    }
    snprintf(ix->model_name, sizeof ix->model_name, "%s", ix->man.passage_model);
    ix->model_sum = ix->man.passage_model_sum;
    return FW_OK;
}

/* Maps the generation the manifest names. A file missing under a reader
 * (a writer replaced the generation meanwhile) sends it back to the
 * manifest. */
static fw_status open_generation(fw_index *ix, char *why, size_t n)
{
    fw_status st = FW_OK;
    for (int tries = 0; tries < OPEN_TRIES; tries++) {
        close_generation(ix);
        if ((st = fw_manifest_read(ix->dir, &ix->man, why, n)) != FW_OK) return st;
        char norm[64];
        fw_index_normalization(norm, sizeof norm);
        fw_index_params here = ix->man.params;
        snprintf(here.normalization, sizeof here.normalization, "%s", norm);
        if (fw_index_params_compare(&ix->man.params, &here, why, n) != FW_OK)
            return FW_ERR_FORMAT;
        if ((st = check_canon(ix, why, n)) != FW_OK) return st;
        for (size_t g = 1; g < ix->man.nsegs; g++)
            if (ix->man.segs[g].first <= ix->man.segs[g - 1].last) {
                snprintf(why, n, "%s/MANIFEST: segments overlap", ix->dir);
                return FW_ERR_FORMAT;
            }
        ix->segs = calloc(ix->man.nsegs ? ix->man.nsegs : 1, sizeof *ix->segs);
        if (!ix->segs) return FW_ERR_NOMEM;
        uint64_t tag = fw_index_params_tag(&ix->man.params), ptag = 0;
        if (ix->man.params.passages && ix->man.nsegs && !ix->man.passage_model[0]) {
            snprintf(why, n, "%s/MANIFEST: segments with passages but no passage model", ix->dir);
            return FW_ERR_FORMAT;
        }
        if (ix->man.params.passages && ix->man.passage_model[0]) {
            ptag = fw_index_passage_tag(&ix->man.params, ix->man.passage_model_sum);
            if ((st = take_passage_model(ix, why, n)) != FW_OK) return st;
        }
        errno = 0;
        for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++)
            st = fw_segment_open(ix->dir, &ix->man.segs[g], tag, ptag, &ix->segs[g], why, n);
        if (st == FW_OK) st = fw_index_read_tombstones(ix, why, n);
        if (st != FW_ERR_IO || errno != ENOENT) return st;
    }
    return st;
}

/* Whether `name` is a file this index's writers make, and of which kind:
 * "seg-N.docs|text|bands|pbands|pscreen", "tomb-N" or "model-N" (N six or more digits), each
 * possibly with ".tmp.PID", or "MANIFEST.tmp.PID". *stem_len: the length
 * of "seg-N" / "tomb-N"; *tmp: 1 for a temporary name; *magic the first
 * bytes a whole file of that kind starts with. */
static int writer_name(const char *name, size_t *stem_len, int *tmp, const char **magic)
{
    static const char *const ext[] = {"docs", "text", "pbands", "bands", "pscreen"};
    static const char *const ext_magic[] = {"FWIDOCS", "FWITEXT", "FWBANDS", "FWBANDS",
                                            "FWSCREN"};
    const size_t kinds = sizeof ext / sizeof *ext;
    const char *p;
    *magic = NULL;
    if (!strncmp(name, "MANIFEST.tmp.", 13)) {
        p = name + 13;
        *stem_len = 0;
        *magic = "fanwen-index 1\n";
    } else {
        int seg = !strncmp(name, "seg-", 4), tomb = !strncmp(name, "tomb-", 5),
            model = !strncmp(name, "model-", 6);
        if (!seg && !tomb && !model) return 0;
        p = name + (seg ? 4 : tomb ? 5 : 6);
        size_t digits = strspn(p, "0123456789");
        if (digits < 6) return 0;
        p += digits;
        *stem_len = (size_t)(p - name);
        if (seg) {
            if (*p++ != '.') return 0;
            size_t e = 0;
            while (e < kinds && strncmp(p, ext[e], strlen(ext[e]))) e++;
            if (e == kinds) return 0;
            p += strlen(ext[e]);
            *magic = ext_magic[e];
        } else {
            *magic = tomb ? FW_TOMB_MAGIC : "fanwen-passage-model 2\n";
        }
        if (!*p) {
            *tmp = 0;
            return 1;
        }
        if (strncmp(p, ".tmp.", 5)) return 0;
        p += 5;
    }
    *tmp = 1;
    return *p && strspn(p, "0123456789") == strlen(p);
}

/* Whether the file starts as a file of its kind does: `magic` (with its
 * NUL for the binary ones), or, for a temporary name, is still empty (a
 * writer killed before its first write). */
static int starts_with(const char *path, const char *magic, int tmp)
{
    size_t len = strlen(magic) + (magic[strlen(magic) - 1] != '\n');
    char buf[32] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t got = fread(buf, 1, len, f);
    fclose(f);
    return (got == len && !memcmp(buf, magic, len)) || (tmp && got == 0);
}

/* What killed writers left: files of segments and tombstones the manifest
 * does not name, and temporary files. Under the lock. Only files that are
 * provably a writer's: a name our writers make (writer_name) and contents
 * that begin as that kind of file does; anything else in DIR is left. */
static void remove_leftovers(fw_index *ix)
{
    DIR *d = opendir(ix->dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name, *magic;
        size_t stem;
        int tmp;
        if (!writer_name(name, &stem, &tmp, &magic)) continue;
        int named = 0;
        if (!tmp) {
            for (size_t g = 0; g < ix->man.nsegs && !named; g++)
                named = strlen(ix->man.segs[g].name) == stem &&
                        !strncmp(ix->man.segs[g].name, name, stem);
            named = named || !strcmp(name, ix->man.tombstones) ||
                    !strcmp(name, ix->man.passage_model);
        }
        if (named) continue;
        char path[4096];
        fw_index_path(ix, path, sizeof path, name, NULL);
        if (starts_with(path, magic, tmp)) unlink(path);
    }
    closedir(d);
}

static fw_index_wait_fn wait_notice;
static void *wait_arg;

void fw_index_on_wait(fw_index_wait_fn fn, void *arg)
{
    wait_notice = fn;
    wait_arg = arg;
}

/* The writer's lock: flock() on DIR/LOCK (created if missing; *created
 * says whether this call made it). Tried without waiting first, so that a
 * writer that has to wait can say so (fw_index_on_wait()), then waited
 * for. */
static fw_status take_lock(const char *dir, int *fd, int *created, char *why, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/LOCK", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (created) *created = *fd >= 0;
    if (*fd < 0 && errno == EEXIST) *fd = open(path, O_RDWR | O_CLOEXEC);
    int rc = *fd < 0 ? -1 : flock(*fd, LOCK_EX | LOCK_NB);
    if (rc != 0 && *fd >= 0 && errno == EWOULDBLOCK) {
        if (wait_notice) wait_notice(dir, wait_arg);
        while ((rc = flock(*fd, LOCK_EX)) != 0 && errno == EINTR) {}
    }
    if (rc != 0) {
        snprintf(why, n, "%s: %s", path, strerror(errno));
        if (*fd >= 0) close(*fd);
        *fd = -1;
        return FW_ERR_IO;
    }
    return FW_OK;
}

/* Opens DIR; a writer with `lock_fd` already holding the lock (create),
 * else taking it. */
static fw_status open_index(const char *dir, int flags, int lock_fd, fw_index **out, char *why,
                            size_t n)
{
    fw_index *ix = calloc(1, sizeof *ix);
    size_t len = strlen(dir) + sizeof "/canon.tsv";
    if (!ix || !(ix->dir = strdup(dir)) || !(ix->canon_path = malloc(len))) {
        if (ix) free(ix->dir);
        free(ix);
        if (lock_fd >= 0) close(lock_fd);
        return FW_ERR_NOMEM;
    }
    snprintf(ix->canon_path, len, "%s/canon.tsv", dir);
    ix->lock_fd = lock_fd;
    fw_status st = FW_OK;
    if ((flags & FW_INDEX_WRITE) && lock_fd < 0)
        st = take_lock(dir, &ix->lock_fd, NULL, why, n);
    if (st == FW_OK) st = open_generation(ix, why, n);
    if (st == FW_OK && ix->lock_fd >= 0) remove_leftovers(ix);
    if (st != FW_OK) {
        fw_index_close(ix);
        return st;
    }
    *out = ix;
    return FW_OK;
}

fw_status fw_index_open(const char *dir, int flags, fw_index **out, char *why, size_t n)
{
    char ignored[8];
    if (!why) { why = ignored; n = sizeof ignored; }
    *out = NULL;
    return open_index(dir, flags, -1, out, why, n);
}

void fw_index_close(fw_index *ix)
{
    if (!ix) return;
    close_generation(ix);
    free_models(ix);
    fw_normalizer_free(ix->normalizer);
    if (ix->lock_fd >= 0) close(ix->lock_fd); /* releases the lock */
    free(ix->dir);
    free(ix->canon_path);
    free(ix);
}

/* For the crash test only: FANWEN_INDEX_KILL_POINT=`where` kills the
 * writer there, so that test_index_crash.sh reaches each window for sure
 * ("before-manifest": the new files renamed in and flushed, the MANIFEST
 * not yet written; "after-manifest": the MANIFEST renamed, the files it no
 * longer names not yet removed). */
static void kill_point(const char *where)
{
    const char *k = getenv("FANWEN_INDEX_KILL_POINT");
    if (k && !strcmp(k, where)) raise(SIGKILL);
}

/* The generation after a change: the directory flushed (the new files'
 * renames), the manifest written, then read again. */
fw_status fw_index_commit(fw_index *ix, fw_manifest *next)
{
    char why[FW_INDEX_ERROR_SIZE], warn[FW_INDEX_ERROR_SIZE];
    /* the renames of the new segment and tombstone files on disk before a
     * manifest names them */
    if (fw_index_sync_dir(ix->dir) != FW_OK)
        return fw_index_fail(ix, FW_ERR_IO, "%s: cannot flush the directory to disk: %s",
                             ix->dir, strerror(errno));
    kill_point("before-manifest");
    int durable;
    fw_status st = fw_manifest_write(ix->dir, next, &durable, why, sizeof why);
    if (st != FW_OK) return fw_index_fail(ix, st, "%s", why);
    kill_point("after-manifest");
    if (!durable) snprintf(warn, sizeof warn, "%s", why);
    /* the new generation is live from the rename on, durable or not */
    if ((st = open_generation(ix, why, sizeof why)) != FW_OK) return fw_index_fail(ix, st, "%s", why);
    if (!durable)
        fw_index_fail(ix, FW_OK, "committed (generation %" PRIu64 "), but maybe not durable: %.700s",
                      ix->man.generation, warn);
    return FW_OK;
}

/* ------------------------------------------------------------ parameters */


/* An index's own canon table (DIR/canon.tsv) is the one the manifest
 * names by its XXH3: a table changed or damaged since would change
 * answers silently. */
static fw_status check_canon(fw_index *ix, char *why, size_t n)
{
    if (!ix->man.params.canon_hash) return FW_OK;
    uint64_t h;
    fw_status st = fw_file_hash(ix->canon_path, &h, why, n);
    if (st == FW_ERR_IO) {
        snprintf(why, n, "%s: missing or unreadable (the MANIFEST names a canon table of its own)",
                 ix->canon_path);
        return FW_ERR_FORMAT;
    }
    if (st == FW_OK && h != ix->man.params.canon_hash) {
        snprintf(why, n, "%s: damaged (its XXH3 %016" PRIx64 " is not the MANIFEST's %016" PRIx64
                         ")",
                 ix->canon_path, h, ix->man.params.canon_hash);
        return FW_ERR_FORMAT;
    }
    return st;
}

/* ix->model: the passage model the manifest names, read once, checked
 * against the manifest's XXH3 and parsed from the same bytes (a damaged or
 * missing one is a damaged index, never a model of another). */
static fw_status read_passage_model(fw_index *ix, char *why, size_t n)
{
    char path[4096], *buf;
    size_t len;
    fw_index_path(ix, path, sizeof path, ix->man.passage_model, NULL);
    if (fw_read_whole(path, &buf, &len) != FW_OK) {
        snprintf(why, n, "%s: missing or unreadable (the MANIFEST names it)", path);
        return FW_ERR_FORMAT;
    }
    uint64_t h = fw_bytes_hash(buf, len);
    fw_status st = FW_OK;
    if (h != ix->man.passage_model_sum) {
        snprintf(why, n, "%s: damaged (its XXH3 %016" PRIx64 " is not the MANIFEST's %016" PRIx64
                         ")",
                 path, h, ix->man.passage_model_sum);
        st = FW_ERR_FORMAT;
    } else if (!(ix->model = calloc(1, sizeof *ix->model))) {
        st = FW_ERR_NOMEM;
    } else if ((st = fw_passage_model_parse(buf, len, path, NULL, ix->model, why, n)) != FW_OK) {
        st = st == FW_ERR_IO ? FW_ERR_FORMAT : st;
    }
    free(buf);
    return st;
}

/* The parameters a scan with `o` would use (bands and rows as it chooses
 * them); FW_ERR_ARG with why. */
static fw_status params_of(const fw_scan_options *o, fw_index_params *p, char *why, size_t n)
{
    /* bands and rows as fw_scan_new() chooses them (it checks the rest) */
    unsigned bands = o->bands, rows = o->rows;
    if (!(o->threshold > 0 && o->threshold <= 1) || o->perms < 1 || o->perms > 1024 ||
        bands > o->perms || rows > o->perms) {
        snprintf(why, n, "threshold, perms, bands or rows out of range");
        return FW_ERR_ARG;
    }
    if (!bands && !rows) fw_lsh_choose(o->threshold, o->perms, &bands, &rows);
    else if (!rows) rows = o->perms / bands;
    else if (!bands) bands = o->perms / rows;
    memset(p, 0, sizeof *p);
    *p = (fw_index_params){o->ngram, o->perms, bands, rows, o->threshold, o->seed,
                           o->sketch, o->template_mode || o->canon_path, 0, "", 0, 0, 0, 0, 0};
    fw_index_normalization(p->normalization, sizeof p->normalization);
    if (o->passages) {
        p->passages = 1;
        p->min_passage = o->min_passage;
        p->max_passage = o->max_passage;
        p->passage_threshold = o->passage_threshold;
        p->reuse_min = o->reuse_min;
    }
    if (o->canon_path) return fw_file_hash(o->canon_path, &p->canon_hash, why, n);
    return FW_OK;
}

void fw_index_scan_options(const fw_index *ix, fw_scan_options *o)
{
    const fw_index_params *p = &ix->man.params;
    fw_scan_options_default(o);
    o->ngram = p->ngram;
    o->perms = p->perms;
    o->bands = p->bands;
    o->rows = p->rows;
    o->threshold = p->threshold;
    o->seed = p->seed;
    o->sketch = p->sketch;
    o->template_mode = p->template_mode;
    o->passages = p->passages;
    if (p->passages) {
        o->min_passage = p->min_passage;
        o->max_passage = p->max_passage;
        o->passage_threshold = p->passage_threshold;
        o->reuse_min = p->reuse_min;
    }
    o->canon_path = NULL;
    if (p->canon_hash) o->canon_path = ix->canon_path;
}

fw_status fw_index_check_options(fw_index *ix, const fw_scan_options *o)
{
    fw_index_params p;
    char why[FW_INDEX_ERROR_SIZE];
    fw_status st = params_of(o, &p, why, sizeof why);
    if (st == FW_OK) st = fw_index_params_compare(&ix->man.params, &p, why, sizeof why);
    return st == FW_OK ? FW_OK : fw_index_fail(ix, st, "%s", why);
}

static fw_status batch_make(fw_index *ix, const fw_scan_options *options, int add_only,
                            fw_scan **batch)
{
    *batch = NULL;
    /* options that cannot change an index's answers are refused, not
     * dropped: it verifies every pair, and its passage model, learned
     * once, says what is boilerplate */
    if (!options->verify)
        return fw_index_fail(ix, FW_ERR_ARG, "an index verifies every pair: verify cannot be "
                                             "off (--no-verify) for its batches");
    fw_scan_options d;
    fw_scan_options_default(&d);
    if (ix->man.passage_model[0] && (options->boilerplate_docs != d.boilerplate_docs ||
                                     options->boilerplate_share != d.boilerplate_share))
        return fw_index_fail(ix, FW_ERR_ARG, "the index's passage model says what is "
                                             "boilerplate: boilerplate_docs and "
                                             "boilerplate_share (--boilerplate-docs, "
                                             "--boilerplate-share) are not a batch's options");
    fw_scan_options o = *options;
    o.memory_limit = 0;
    fw_status st = fw_index_check_options(ix, &o);
    if (st != FW_OK) return st;
    char why[FW_INDEX_ERROR_SIZE];
    if (!ix->normalizer && (st = fw_normalizer_new(&ix->normalizer)) != FW_OK)
        return fw_index_fail(ix, st, "cannot make the normalizer: %s", fw_status_str(st));
    if ((st = fw_scan_new_sharing(&o, ix->normalizer, batch, why, sizeof why)) != FW_OK)
        return fw_index_fail(ix, st, "%s", why);
    if ((st = fw_scan_keep_texts(*batch)) != FW_OK) {
        fw_scan_free(*batch);
        *batch = NULL;
        return fw_index_fail(ix, st, "cannot keep the batch's texts");
    }
    if (o.passages && ix->man.passage_model[0]) {
        /* cut as the index's documents were; matched against the index's
         * passages by the query, not among the batch's alone */
        char path[4096];
        fw_index_path(ix, path, sizeof path, ix->man.passage_model, NULL);
        if ((st = fw_scan_lend_passage_model(*batch, ix->model, path)) != FW_OK) {
            fw_index_fail(ix, st, "%s", fw_scan_error(*batch));
            fw_scan_free(*batch);
            *batch = NULL;
            return st;
        }
        (*batch)->passages_cut_only = 1;
    } else if (o.passages) {
        (*batch)->keep_passage_keys = 1; /* it learns the model: its keys for the band file */
    }
    (*batch)->add_only = add_only;
    return FW_OK;
}

fw_status fw_index_batch_new(fw_index *ix, const fw_scan_options *options, fw_scan **batch)
{
    return batch_make(ix, options, 0, batch);
}

fw_status fw_index_batch_to_add(fw_index *ix, const fw_scan_options *options, fw_scan **batch)
{
    return batch_make(ix, options, 1, batch);
}

static fw_status copy_file(const char *from, const char *to, char *why, size_t n)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t got;
    int ok = in && out;
    while (ok && (got = fread(buf, 1, sizeof buf, in))) ok = fwrite(buf, 1, got, out) == got;
    if (ok && (ferror(in) || fflush(out) != 0 || fsync(fileno(out)) != 0)) ok = 0;
    if (out && fclose(out) != 0) ok = 0;
    if (in) fclose(in);
    if (!ok) snprintf(why, n, "cannot copy %s to %s: %s", from, to, strerror(errno));
    return ok ? FW_OK : FW_ERR_IO;
}

fw_status fw_index_create(const char *dir, const fw_scan_options *options, fw_index **out,
                          char *why, size_t n)
{
    char ignored[8];
    if (!why) { why = ignored; n = sizeof ignored; }
    *out = NULL;
    fw_manifest m = {0};
    fw_status st = params_of(options, &m.params, why, n);
    if (st != FW_OK) return st;
    int made_dir = mkdir(dir, 0755) == 0;
    if (!made_dir && errno != EEXIST) {
        snprintf(why, n, "%s: %s", dir, strerror(errno));
        return FW_ERR_IO;
    }
    if (made_dir) { /* the new directory's entry on disk too */
        char parent[4096];
        snprintf(parent, sizeof parent, "%s", dir);
        size_t len = strlen(parent);
        while (len > 1 && parent[len - 1] == '/') parent[--len] = '\0';
        char *slash = strrchr(parent, '/');
        if (!slash) snprintf(parent, sizeof parent, ".");
        else if (slash == parent) parent[1] = '\0';
        else *slash = '\0';
        if (fw_index_sync_dir(parent) != FW_OK) {
            snprintf(why, n, "%s: cannot flush the directory to disk: %s", parent, strerror(errno));
            return FW_ERR_IO;
        }
    }
    /* the lock first: of two builds of one directory at once, one makes
     * the index and the other finds it not empty */
    int lock_fd, made_lock;
    if ((st = take_lock(dir, &lock_fd, &made_lock, why, n)) != FW_OK) return st;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(why, n, "%s: %s", dir, strerror(errno));
        close(lock_fd);
        return FW_ERR_IO;
    }
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "LOCK"))
            empty = 0;
    closedir(d);
    char path[4096];
    if (!empty) {
        snprintf(why, n, "%s: not empty (an index is made in a new or empty directory)", dir);
        if (made_lock) { /* leave a directory that is not ours as it was */
            snprintf(path, sizeof path, "%s/LOCK", dir);
            struct stat sb;
            if (stat(path, &sb) == 0 && sb.st_size == 0) unlink(path);
        }
        close(lock_fd);
        return FW_ERR_ARG;
    }
    if (options->canon_path) {
        snprintf(path, sizeof path, "%s/canon.tsv", dir);
        st = copy_file(options->canon_path, path, why, n);
    }
    int durable;
    if (st == FW_OK && fw_index_sync_dir(dir) != FW_OK) {
        snprintf(why, n, "%s: cannot flush the directory to disk: %s", dir, strerror(errno));
        st = FW_ERR_IO;
    }
    if (st == FW_OK) st = fw_manifest_write(dir, &m, &durable, why, n);
    (void)durable; /* a new index: nothing older to fall back to either way */
    if (st != FW_OK) {
        close(lock_fd);
        return st;
    }
    return open_index(dir, FW_INDEX_WRITE, lock_fd, out, why, n);
}

/* An empty index of the passage level takes the passage model at `path`
 * (made with its parameters) instead of learning one from its first batch:
 * a copy, DIR/model-N, named by a new generation. */
fw_status fw_index_use_passage_model(fw_index *ix, const char *path)
{
    ix->error[0] = '\0';
    if (ix->lock_fd < 0)
        return fw_index_fail(ix, FW_ERR_ARG, "fw_index_use_passage_model: opened to read");
    const fw_index_params *p = &ix->man.params;
    if (!p->passages)
        return fw_index_fail(ix, FW_ERR_ARG, "a passage model is for the passage level, which "
                             "this index does not have (--no-passages)");
    if (ix->man.passage_model[0] || ix->man.nsegs || ix->man.next_doc)
        return fw_index_fail(ix, FW_ERR_ARG, "a passage model is given to an index before its "
                             "first documents (this one has its model: %s)",
                             ix->man.passage_model[0] ? ix->man.passage_model : "learned");
    fw_passage_model_params want;
    memset(&want, 0, sizeof want);
    fw_index_normalization(want.normalization, sizeof want.normalization);
    want.seed = p->seed;
    want.min_passage = p->min_passage;
    want.template_mode = p->template_mode;
    want.canon_hash = p->canon_hash;
    char why[FW_INDEX_ERROR_SIZE], name[FW_INDEX_NAME_SIZE], to[4096];
    fw_passage_model m;
    fw_status st = fw_passage_model_read(path, &want, &m, why, sizeof why);
    fw_passage_model_free(&m);
    if (st != FW_OK) return fw_index_fail(ix, st, "%s", why);
    snprintf(name, sizeof name, "model-%06" PRIu64, ix->man.generation + 1);
    fw_index_path(ix, to, sizeof to, name, NULL);
    uint64_t sum;
    if ((st = copy_file(path, to, why, sizeof why)) != FW_OK ||
        (st = fw_file_hash(to, &sum, why, sizeof why)) != FW_OK) {
        unlink(to);
        return fw_index_fail(ix, st, "%s", why);
    }
    fw_manifest next;
    if ((st = fw_index_append_segment(&next, &ix->man, NULL)) != FW_OK) {
        unlink(to);
        return st;
    }
    snprintf(next.passage_model, sizeof next.passage_model, "%s", name);
    next.passage_model_sum = sum;
    st = fw_index_commit(ix, &next);
    free(next.segs);
    if (st != FW_OK) unlink(to);
    return st;
}

/* ---------------------------------------------------------------- add */

void fw_index_remove_file(fw_index *ix, const char *name, const char *ext)
{
    char path[4096];
    fw_index_path(ix, path, sizeof path, name, ext);
    unlink(path);
}

/* Every file of segment `name` (those it has). */
void fw_index_remove_segment_files(fw_index *ix, const char *name)
{
    static const char *const ext[] = {"docs", "text", "bands", "pbands", "pscreen"};
    for (size_t e = 0; e < sizeof ext / sizeof *ext; e++) fw_index_remove_file(ix, name, ext[e]);
}


/* The tag of a new segment's passage band and screen files: the
 * parameters, the passage model, its first document number, its passage
 * count and its mark. */
static uint64_t segment_passage_tag(const fw_index *ix, const fw_manifest_segment *seg,
                                    uint64_t model_sum, uint64_t npassages)
{
    uint64_t t = fw_index_segment_passage_tag(fw_index_passage_tag(&ix->man.params, model_sum),
                                              seg->first, npassages);
    return fw_index_mark_tag(t, seg->mark);
}

fw_status fw_index_band_writer(fw_index *ix, const fw_manifest_segment *seg, int passages,
                               uint64_t model_sum, uint64_t npassages, fw_band_writer **w)
{
    const fw_index_params *p = &ix->man.params;
    char path[4096], why[FW_INDEX_ERROR_SIZE];
    fw_index_path(ix, path, sizeof path, seg->name, passages ? "pbands" : "bands");
    fw_status st =
        passages ? fw_band_writer_new_narrow(path, FW_PASSAGE_BANDS,
                                             segment_passage_tag(ix, seg, model_sum, npassages),
                                             w, why, sizeof why)
                 : fw_band_writer_new(path, p->bands,
                                      fw_index_mark_tag(fw_index_params_tag(p), seg->mark), w,
                                      why, sizeof why);
    return st == FW_OK ? FW_OK : fw_index_fail(ix, st, "%s", why);
}

fw_status fw_index_screen_writer(fw_index *ix, const fw_manifest_segment *seg, uint64_t model_sum,
                                 uint64_t npassages, fw_screen_writer **w)
{
    char path[4096], why[FW_INDEX_ERROR_SIZE];
    fw_index_path(ix, path, sizeof path, seg->name, "pscreen");
    fw_status st = fw_screen_writer_new(path, segment_passage_tag(ix, seg, model_sum, npassages),
                                        npassages, w, why, sizeof why);
    return st == FW_OK ? FW_OK : fw_index_fail(ix, st, "%s", why);
}

/* The band file of a new segment: every band's (key, number) records,
 * made and sorted a few bands at a time in parallel, written in order. */
static fw_status write_bands(fw_index *ix, const fw_manifest_segment *seg,
                             const fw_index_result *r, int threads)
{
    const fw_index_params *p = &ix->man.params;
    fw_band_writer *w;
    fw_status st = fw_index_band_writer(ix, seg, 0, 0, 0, &w);
    if (st != FW_OK) return st;
    const unsigned group = (unsigned)(threads > 0 ? threads : 1);
    size_t m = r->n ? r->n : 1;
    fw_band_record *rec = malloc(group * m * sizeof *rec), *tmp = malloc(group * m * sizeof *tmp);
    size_t *nr = calloc(group, sizeof *nr);
    if (!rec || !tmp || !nr) st = FW_ERR_NOMEM;
    for (unsigned b0 = 0; b0 < p->bands && st == FW_OK; b0 += group) {
        unsigned nb = p->bands - b0 < group ? p->bands - b0 : group;
        #pragma omp parallel for num_threads(group) schedule(static, 1)
        for (unsigned j = 0; j < nb; j++)
            nr[j] = fw_index_batch_band(r, b0 + j, rec + j * m, tmp + j * m);
        for (unsigned j = 0; j < nb && st == FW_OK; j++)
            st = fw_band_writer_add(w, b0 + j, rec + j * m, nr[j]);
    }
    if (st == FW_OK) st = fw_band_writer_finish(w);
    if (st != FW_OK && !ix->error[0]) fw_index_fail(ix, st, "%s", fw_band_writer_error(w));
    fw_band_writer_free(w);
    free(rec);
    free(tmp);
    free(nr);
    return st;
}

fw_status fw_index_append_segment(fw_manifest *next, const fw_manifest *cur,
                                 const fw_manifest_segment *seg)
{
    *next = *cur;
    next->segs = malloc((cur->nsegs + 1) * sizeof *next->segs);
    if (!next->segs) return FW_ERR_NOMEM;
    if (cur->nsegs) memcpy(next->segs, cur->segs, cur->nsegs * sizeof *cur->segs);
    next->nsegs = cur->nsegs;
    if (seg) next->segs[next->nsegs++] = *seg;
    next->generation = cur->generation + 1;
    return FW_OK;
}

/* NAME.docs and NAME.text of a new segment, written on a thread of their
 * own (segment_thread) while the band file is made. */
typedef struct segment_job {
    const char *dir;
    const fw_manifest_segment *seg;
    const fw_seg_doc_in *docs;
    size_t ndocs;
    const fw_seg_pair *pairs;
    size_t npairs;
    int threads;
    fw_status st;
    char why[FW_INDEX_ERROR_SIZE];
} segment_job;

static void *segment_thread(void *arg)
{
    segment_job *j = arg;
    j->st = fw_segment_write(j->dir, j->seg->name, j->seg->mark, j->docs, j->ndocs, j->pairs,
                             j->npairs, j->threads, j->why, sizeof j->why);
    return NULL;
}

/* The new segment's files at once, the batch's threads shared between
 * the texts and the band files: compressing the texts is about as much
 * work as making the document and passage band files, and each file's
 * flush to disk is one thread's wait, which the other fills. One thread
 * writes them one after the other. `model_sum`: the passage model's (with
 * the passage level). */
static fw_status write_files(fw_index *ix, segment_job *job, const fw_index_result *r,
                             uint64_t model_sum)
{
    int threads = job->threads > 0 ? job->threads : 1;
    pthread_t th;
    int apart = threads > 1;
    if (apart) {
        job->threads = threads / 2;
        threads -= job->threads;
        apart = pthread_create(&th, NULL, segment_thread, job) == 0;
    }
    if (!apart) segment_thread(job);
    fw_status st = write_bands(ix, job->seg, r, threads);
    if (st == FW_OK && ix->man.params.passages)
        st = fw_index_write_passage_bands(ix, job->seg, r, model_sum, threads);
    if (apart) pthread_join(th, NULL);
    if (job->st != FW_OK) st = fw_index_fail(ix, job->st, "%s", job->why);
    if (st != FW_OK) /* none stays without the others */
        fw_index_remove_segment_files(ix, job->seg->name);
    return st;
}

/* The first batch's passage model, learned from it, as DIR/model-N (N the
 * generation the add makes): *name and *sum for the manifest. */
static fw_status write_model(fw_index *ix, const fw_index_result *r, char *name, uint64_t *sum)
{
    char path[4096], why[FW_INDEX_ERROR_SIZE];
    snprintf(name, FW_INDEX_NAME_SIZE, "model-%06" PRIu64, ix->man.generation + 1);
    fw_index_path(ix, path, sizeof path, name, NULL);
    fw_status st = fw_scan_write_passage_model(r->batch, path);
    if (st != FW_OK) {
        name[0] = '\0';
        return fw_index_fail(ix, st, "%s", fw_scan_error(r->batch));
    }
    if ((st = fw_file_hash(path, sum, why, sizeof why)) != FW_OK) {
        fw_index_remove_file(ix, name, NULL);
        name[0] = '\0';
        return fw_index_fail(ix, st, "%s", why);
    }
    return FW_OK;
}

fw_status fw_index_add(fw_index *ix, const fw_index_result *r)
{
    ix->error[0] = '\0';
    if (ix->lock_fd < 0) return fw_index_fail(ix, FW_ERR_ARG, "fw_index_add: opened to read");
    if (r->generation != ix->man.generation || r->index != ix)
        return fw_index_fail(ix, FW_ERR_ARG, "fw_index_add: the index changed since the query");
    if (!r->n) return FW_OK;
    fw_manifest_segment seg = {{0}, r->base, r->base + r->n - 1, r->n, 0};
    snprintf(seg.name, sizeof seg.name, "seg-%06" PRIu64, ix->man.generation + 1);
    size_t m = r->n;
    fw_seg_doc_in *docs = calloc(m, sizeof *docs);
    char **msgs = calloc(m, sizeof *msgs);
    fw_seg_pair *pairs = malloc((r->npairs ? r->npairs : 1) * sizeof *pairs);
    fw_status st = docs && msgs && pairs ? FW_OK : FW_ERR_NOMEM;
    for (size_t k = 0; k < r->n && st == FW_OK; k++) {
        size_t i = r->order[k];
        const fw_doc_record *d = &r->batch->docs[i];
        const char *msg = d->message;
        if (r->renamed[i]) {
            size_t len = (msg ? strlen(msg) : 0) + 32;
            if (!(msgs[k] = malloc(len))) { st = FW_ERR_NOMEM; break; }
            snprintf(msgs[k], len, "%s%sduplicate id, renamed", msg ? msg : "", msg ? "; " : "");
            msg = msgs[k];
        }
        int text = d->status == FW_DOC_OK || d->status == FW_DOC_REPAIRED;
        docs[k] = (fw_seg_doc_in){r->base + k, r->ids[i], msg, d->status, d->bytes, d->chars,
                                  d->nshingles, d->npassages, text ? d->text : NULL,
                                  NULL, 0, 0, 0};
    }
    for (size_t i = 0; i < r->npairs; i++) pairs[i] = (fw_seg_pair){r->pairs[i].a, r->pairs[i].b};
    if (st == FW_OK) st = fw_segment_mark(docs, m, pairs, r->npairs, &seg.mark);
    segment_job job = {ix->dir, &seg, docs, m, pairs, r->npairs, r->batch->threads, FW_OK, ""};
    /* the passage level: the model, learned from the first batch, then the
     * segment's passage band keys (tagged with the model) */
    char model[FW_INDEX_NAME_SIZE] = "";
    uint64_t model_sum = ix->man.passage_model_sum;
    const int passages = ix->man.params.passages;
    if (st == FW_OK && passages && !r->bp_first)
        st = fw_index_fail(ix, FW_ERR_ARG, "fw_index_add: the batch has no passage level, the "
                           "index has");
    if (st == FW_OK && passages && !ix->man.passage_model[0])
        st = write_model(ix, r, model, &model_sum);
    if (st == FW_OK) st = write_files(ix, &job, r, model_sum);
    if (st != FW_OK && model[0]) fw_index_remove_file(ix, model, NULL);
    fw_manifest next;
    char old[FW_INDEX_NAME_SIZE];
    snprintf(old, sizeof old, "%s", ix->man.tombstones);
    if (st == FW_OK && (st = fw_index_append_segment(&next, &ix->man, &seg)) == FW_OK) {
        next.next_doc = r->base + r->n;
        if (model[0]) {
            snprintf(next.passage_model, sizeof next.passage_model, "%s", model);
            next.passage_model_sum = model_sum;
        }
        if (r->nwithdrawn) st = fw_index_withdraw(ix, &next, r);
        if (st == FW_OK) st = fw_index_commit(ix, &next);
        free(next.segs);
        if (st == FW_OK && r->nwithdrawn && old[0]) fw_index_remove_file(ix, old, NULL);
    }
    for (size_t k = 0; msgs && k < m; k++) free(msgs[k]);
    free(msgs);
    free(docs);
    free(pairs);
    return st;
}

/* ---------------------------------------------------------------- text */

fw_status fw_index_text(fw_index *ix, const char *id, char **text, size_t *len,
                        fw_doc_status *status)
{
    ix->error[0] = '\0';
    *text = NULL;
    *len = 0;
    int64_t number = fw_index_find_id(ix, id);
    size_t pos;
    const fw_seg *seg = number >= 0 ? fw_index_find_number(ix, (uint64_t)number, &pos) : NULL;
    *status = FW_DOC_ERROR;
    if (!seg) return fw_index_fail(ix, FW_ERR_ARG, "no document of the index has the id '%s'", id);
    *status = (fw_doc_status)seg->docs[pos].status;
    fw_text_cache cache = {0};
    const char *t = "";
    size_t n = 0;
    char why[FW_INDEX_ERROR_SIZE];
    fw_status st = seg->docs[pos].text_zlen
                       ? fw_segment_text(seg, pos, &cache, &t, &n, why, sizeof why)
                       : FW_OK;
    if (st == FW_OK && !(*text = malloc(n + 1))) st = FW_ERR_NOMEM;
    if (st == FW_OK) {
        memcpy(*text, t, n);
        (*text)[n] = '\0';
        *len = n;
    } else if (st == FW_ERR_NOMEM) {
        fw_index_fail(ix, st, "out of memory");
    } else {
        fw_index_fail(ix, st, "%s/%s", ix->dir, why); /* why names the segment's file */
    }
    fw_text_cache_free(&cache);
    return st;
}

/* ---------------------------------------------------------------- info */

static uint64_t file_size(const fw_index *ix, const char *name, const char *ext)
{
    char path[4096];
    struct stat sb;
    fw_index_path(ix, path, sizeof path, name, ext);
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* The live pairs, counted without making them (index_tombstones.c says
 * which): the segments' less the withdrawn, with the found, between
 * documents not removed. */
static uint64_t live_pairs(const fw_index *ix)
{
    uint64_t n = 0;
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        const fw_seg *seg = &ix->segs[g];
        for (size_t i = 0; i < seg->npairs; i++) {
            const fw_seg_pair *q = &seg->pairs[i];
            n += !fw_index_is_removed(ix, q->a) && !fw_index_is_removed(ix, q->b) &&
                 !(ix->nwithdrawn && bsearch(q, ix->withdrawn, ix->nwithdrawn, sizeof *q,
                                             fw_seg_pair_cmp));
        }
    }
    for (size_t i = 0; i < ix->nextra; i++)
        n += !fw_index_is_removed(ix, ix->extra[i].a) && !fw_index_is_removed(ix, ix->extra[i].b);
    return n;
}

void fw_index_get_info(const fw_index *ix, fw_index_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->passage_model, sizeof info->passage_model, "%s", ix->man.passage_model);
    if (ix->man.passage_model[0])
        info->passage_model_bytes = file_size(ix, ix->man.passage_model, NULL);
    info->generation = ix->man.generation;
    info->documents = fw_index_live(ix);
    info->removed = ix->nremoved;
    info->segments = ix->man.nsegs;
    info->pairs = live_pairs(ix);
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        const fw_seg *seg = &ix->segs[g];
        info->docs_bytes += seg->docs_size;
        info->text_bytes += seg->text_size;
        info->band_bytes += fw_band_file_size(seg->bands);
        if (seg->pbands) info->passage_band_bytes += fw_band_file_size(seg->pbands);
        if (seg->pscreen) info->passage_screen_bytes += fw_screen_file_size(seg->pscreen);
        else if (seg->pbands) info->unscreened_segments++;
        info->text_raw_bytes += seg->text_raw_bytes;
    }
}

fw_status fw_index_segment(const fw_index *ix, size_t i, const char **name, uint64_t *documents,
                           uint64_t *first, uint64_t *last)
{
    if (i >= ix->man.nsegs) return FW_ERR_ARG;
    *name = ix->segs[i].name;
    *documents = ix->segs[i].ndocs;
    *first = ix->segs[i].first;
    *last = ix->segs[i].last;
    return FW_OK;
}

/* Every record of a segment's passage band file names one of its
 * passages (an ordinal below its count): a sound file of another segment
 * is caught here, not by its checksums. */
static fw_status check_ordinals(fw_index *ix, fw_seg *seg)
{
    fw_status st = FW_OK;
    for (unsigned b = 0; b < fw_band_file_bands(seg->pbands) && st == FW_OK; b++) {
        fw_band_merge *m;
        if ((st = fw_band_merge_new(&seg->pbands, 1, b, &m)) != FW_OK) break;
        for (;;) {
            uint64_t key;
            const fw_band_record *rec;
            size_t n;
            if ((st = fw_band_merge_next(m, &key, &rec, NULL, &n)) != FW_OK || !n) break;
            for (size_t i = 0; i < n && st == FW_OK; i++)
                if (rec[i].item >= seg->pfirst[seg->ndocs])
                    st = fw_index_fail(ix, FW_ERR_FORMAT, "%s: band %u names passage %llu, of "
                                       "%llu in %s", fw_band_file_path(seg->pbands), b,
                                       (unsigned long long)rec[i].item,
                                       (unsigned long long)seg->pfirst[seg->ndocs], seg->name);
            if (st != FW_OK) break;
        }
        fw_band_merge_free(m);
    }
    if (st != FW_OK && !ix->error[0]) fw_index_fail(ix, st, "%s", fw_band_file_error(seg->pbands));
    return st;
}

fw_status fw_index_check(fw_index *ix)
{
    ix->error[0] = '\0';
    fw_text_cache cache = {0};
    const char *text;
    size_t len;
    char why[FW_INDEX_ERROR_SIZE];
    fw_status st = check_canon(ix, why, sizeof why);
    if (st != FW_OK) fw_index_fail(ix, st, "%s", why);
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++) {
        fw_seg *seg = &ix->segs[g];
        if ((st = fw_band_file_check(seg->bands)) != FW_OK) {
            fw_index_fail(ix, st, "%s", fw_band_file_error(seg->bands));
            break;
        }
        if (seg->pbands && (st = fw_band_file_check(seg->pbands)) != FW_OK) {
            fw_index_fail(ix, st, "%s", fw_band_file_error(seg->pbands));
            break;
        }
        if (seg->pbands && (st = check_ordinals(ix, seg)) != FW_OK) break;
        if (seg->pscreen && (st = fw_screen_file_check(seg->pscreen)) != FW_OK) {
            fw_index_fail(ix, st, "%s", fw_screen_file_error(seg->pscreen));
            break;
        }
        for (size_t i = 0; i < seg->ndocs && st == FW_OK; i++)
            if ((st = fw_segment_text(seg, i, &cache, &text, &len, why, sizeof why)) != FW_OK)
                fw_index_fail(ix, st, "%s", why);
    }
    fw_text_cache_free(&cache);
    return st;
}
