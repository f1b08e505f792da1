/*
 * index.c — a persistent index as a whole: opening a generation, the
 * writer's lock, and the changes a writer makes (add, remove, compact).
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
#include "id_names.h"
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
#include <xxhash.h>

#define TOMB_MAGIC "FWTOMBS"
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

/* ------------------------------------------------------------ tombstones */

/* DIR/tomb-GEN, what changed since the segments were written: "FWTOMBS\0",
 * the count and the removed numbers (sorted); the count and the pairs
 * found since between documents already indexed (a removal can make them
 * candidates); the count and the pairs of the segments that are no longer
 * candidates (documents added later can take them out of a star); an XXH3
 * of all that. Read whole: it is small. The live pairs are the segments'
 * less the withdrawn, with the found, between documents not removed. */

static int read_u64s(FILE *f, XXH3_state_t *h, void *v, size_t n)
{
    if (!n) return 1;
    if (fread(v, 8, n, f) != n) return 0;
    XXH3_64bits_update(h, v, n * 8);
    return 1;
}

static fw_status read_tombstones(fw_index *ix, char *why, size_t n)
{
    if (!ix->man.tombstones[0]) return FW_OK;
    char path[4096];
    fw_index_path(ix, path, sizeof path, ix->man.tombstones, NULL);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, n, "%s: %s", path, strerror(errno));
        return FW_ERR_IO;
    }
    /* The layout: magic, count, count numbers, npairs, 2 npairs numbers,
     * nwithdrawn, 2 nwithdrawn numbers, checksum. The file's size must be
     * the one its three counts imply before any count sizes an allocation
     * (each count is checked against the bytes left, so nothing overflows). */
    struct stat sb;
    uint64_t size = 0, at = 16, counts[3] = {0, 0, 0};
    int fits = fstat(fileno(f), &sb) == 0 && sb.st_size >= 40;
    if (fits) size = (uint64_t)sb.st_size;
    for (int k = 0; k < 3 && fits; k++) {
        uint64_t c;
        fits = fseeko(f, (off_t)(at - 8), SEEK_SET) == 0 && fread(&c, 8, 1, f) == 1 &&
               c < (1ull << 32);
        uint64_t words = k ? 2 * c : c, left = size - at, tail = k < 2 ? 16 : 8;
        /* after the numbers: the next count (not after the last) and the sum */
        fits = fits && left >= tail && words <= (left - tail) / 8;
        if (fits) at += 8 * words + 8;
        counts[k] = c;
    }
    if (!fits || at != size || fseeko(f, 0, SEEK_SET) != 0) {
        fclose(f);
        snprintf(why, n, "%s: damaged (%" PRIu64 " bytes, not the size its counts imply)", path,
                 size);
        return FW_ERR_FORMAT;
    }
    XXH3_state_t *h = XXH3_createState();
    if (!h) {
        fclose(f);
        return FW_ERR_NOMEM;
    }
    XXH3_64bits_reset(h);
    char magic[8];
    uint64_t count = 0, npairs = 0, nwithdrawn = 0, sum = 0;
    int ok = read_u64s(f, h, magic, 1) && !memcmp(magic, TOMB_MAGIC, 8) &&
             read_u64s(f, h, &count, 1) && count < (1ull << 32) &&
             (ix->removed = malloc((count ? count : 1) * sizeof *ix->removed)) &&
             read_u64s(f, h, ix->removed, count) && read_u64s(f, h, &npairs, 1) &&
             npairs < (1ull << 32) &&
             (ix->extra = malloc((npairs ? npairs : 1) * sizeof *ix->extra)) &&
             read_u64s(f, h, ix->extra, 2 * npairs) && read_u64s(f, h, &nwithdrawn, 1) &&
             nwithdrawn < (1ull << 32) &&
             (ix->withdrawn = malloc((nwithdrawn ? nwithdrawn : 1) * sizeof *ix->withdrawn)) &&
             read_u64s(f, h, ix->withdrawn, 2 * nwithdrawn) && fread(&sum, 8, 1, f) == 1 &&
             fgetc(f) == EOF && XXH3_64bits_digest(h) == sum;
    ok = ok && count == counts[0] && npairs == counts[1] && nwithdrawn == counts[2];
    for (size_t i = 1; ok && i < count; i++) ok = ix->removed[i] > ix->removed[i - 1];
    XXH3_freeState(h);
    fclose(f);
    if (!ok) {
        snprintf(why, n, "%s: damaged or not a tombstone file", path);
        return FW_ERR_FORMAT;
    }
    ix->nremoved = (size_t)count;
    ix->nextra = (size_t)npairs;
    ix->nwithdrawn = (size_t)nwithdrawn;
    return FW_OK;
}

static void put_u64s(FILE *f, XXH3_state_t *h, const void *v, size_t n)
{
    if (!n) return;
    fwrite(v, 8, n, f);
    XXH3_64bits_update(h, v, n * 8);
}

static fw_status write_tombstones(fw_index *ix, const char *name, const uint64_t *v, size_t count,
                                  const fw_seg_pair *pairs, size_t npairs,
                                  const fw_seg_pair *withdrawn, size_t nwithdrawn)
{
    char path[4096], tmp[4200];
    fw_index_path(ix, path, sizeof path, name, NULL);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    XXH3_state_t *h = XXH3_createState();
    FILE *f = h ? fopen(tmp, "wbx") : NULL;
    if (!f) {
        XXH3_freeState(h);
        return h ? fw_index_fail(ix, FW_ERR_IO, "%s: %s", tmp, strerror(errno)) : FW_ERR_NOMEM;
    }
    XXH3_64bits_reset(h);
    uint64_t c = count, np = npairs, nw = nwithdrawn;
    put_u64s(f, h, TOMB_MAGIC, 1);
    put_u64s(f, h, &c, 1);
    put_u64s(f, h, v, count);
    put_u64s(f, h, &np, 1);
    put_u64s(f, h, pairs, 2 * npairs);
    put_u64s(f, h, &nw, 1);
    put_u64s(f, h, withdrawn, 2 * nwithdrawn);
    uint64_t sum = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    fwrite(&sum, 8, 1, f);
    char why[FW_INDEX_ERROR_SIZE];
    if (fw_index_file_finish(f, 1, tmp, path, why, sizeof why) != FW_OK)
        return fw_index_fail(ix, FW_ERR_IO, "%s", why);
    return FW_OK;
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
        if (st == FW_OK) st = read_tombstones(ix, why, n);
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
            *magic = tomb ? TOMB_MAGIC : "fanwen-passage-model 2\n";
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
static fw_status commit(fw_index *ix, fw_manifest *next)
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
    fw_scan_options o = *options;
    o.verify = 1;
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

static fw_status append_segment(fw_manifest *next, const fw_manifest *cur,
                                const fw_manifest_segment *seg);

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
    if ((st = append_segment(&next, &ix->man, NULL)) != FW_OK) {
        unlink(to);
        return st;
    }
    snprintf(next.passage_model, sizeof next.passage_model, "%s", name);
    next.passage_model_sum = sum;
    st = commit(ix, &next);
    free(next.segs);
    if (st != FW_OK) unlink(to);
    return st;
}

/* ---------------------------------------------------------------- add */

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

static fw_status append_segment(fw_manifest *next, const fw_manifest *cur,
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

static void remove_segment_files(fw_index *ix, const char *name);

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
    if (st != FW_OK) remove_segment_files(ix, job->seg->name); /* none stays without the others */
    return st;
}

static fw_status withdraw(fw_index *ix, fw_manifest *next, const fw_index_result *r);
static void remove_file(fw_index *ix, const char *name, const char *ext);

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
        remove_file(ix, name, NULL);
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
    if (st != FW_OK && model[0]) remove_file(ix, model, NULL);
    fw_manifest next;
    char old[FW_INDEX_NAME_SIZE];
    snprintf(old, sizeof old, "%s", ix->man.tombstones);
    if (st == FW_OK && (st = append_segment(&next, &ix->man, &seg)) == FW_OK) {
        next.next_doc = r->base + r->n;
        if (model[0]) {
            snprintf(next.passage_model, sizeof next.passage_model, "%s", model);
            next.passage_model_sum = model_sum;
        }
        if (r->nwithdrawn) st = withdraw(ix, &next, r);
        if (st == FW_OK) st = commit(ix, &next);
        free(next.segs);
        if (st == FW_OK && r->nwithdrawn && old[0]) remove_file(ix, old, NULL);
    }
    for (size_t k = 0; msgs && k < m; k++) free(msgs[k]);
    free(msgs);
    free(docs);
    free(pairs);
    return st;
}

/* ------------------------------------------------------------- remove */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void remove_file(fw_index *ix, const char *name, const char *ext)
{
    char path[4096];
    fw_index_path(ix, path, sizeof path, name, ext);
    unlink(path);
}

/* Every file of segment `name` (those it has). */
static void remove_segment_files(fw_index *ix, const char *name)
{
    static const char *const ext[] = {"docs", "text", "bands", "pbands", "pscreen"};
    for (size_t e = 0; e < sizeof ext / sizeof *ext; e++) remove_file(ix, name, ext[e]);
}

static int in_sorted(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo] == x;
}

typedef struct pair_list {
    fw_seg_pair *v;
    size_t len, cap;
} pair_list;

static int push(pair_list *l, uint64_t x, uint64_t y)
{
    if (!fw_grow(&l->v, &l->cap, l->len + 1, sizeof *l->v, 64)) return 0;
    l->v[l->len++] = x < y ? (fw_seg_pair){x, y} : (fw_seg_pair){y, x};
    return 1;
}

static int cmp_seg_pair(const void *a, const void *b)
{
    const fw_seg_pair *x = a, *y = b;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

static void sort_unique(pair_list *l)
{
    if (l->len) qsort(l->v, l->len, sizeof *l->v, cmp_seg_pair);
    size_t u = 0;
    for (size_t i = 0; i < l->len; i++)
        if (!u || cmp_seg_pair(&l->v[u - 1], &l->v[i])) l->v[u++] = l->v[i];
    l->len = u;
}

/* The bucket `key` of `band` after a removal: the candidates a scan of the
 * documents left would have that it did not have before. A bucket of up to
 * FW_LSH_FULL_BUCKET members gave all its pairs, and losing members takes
 * only pairs with them away; a larger one gave a star around its smallest
 * id, so when that centre goes, or the bucket becomes small enough for all
 * pairs, new pairs appear. (Pairs between documents left are never lost.) */
static fw_status bucket_after_removal(fw_index *ix, unsigned band, uint64_t key,
                                      const uint64_t *after, size_t nafter, pair_list *out)
{
    uint64_t *live = NULL;
    size_t nlive = 0, cap = 0, nold = 0;
    uint64_t centre = UINT64_MAX; /* of the bucket before */
    fw_status st = FW_OK;
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++) {
        const fw_band_record *rec;
        size_t n;
        if ((st = fw_band_file_find(ix->segs[g].bands, band, key, &rec, &n)) != FW_OK) {
            fw_index_fail(ix, st, "%s", fw_band_file_error(ix->segs[g].bands));
            break;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t x = rec[i].item;
            int was = !fw_index_is_removed(ix, x), now = !in_sorted(after, nafter, x);
            if (!was) continue;
            nold++;
            if (centre == UINT64_MAX || strcmp(fw_index_id(ix, x), fw_index_id(ix, centre)) < 0)
                centre = x;
            if (!now) continue;
            if (!fw_grow(&live, &cap, nlive + 1, sizeof *live, 64)) { st = FW_ERR_NOMEM; break; }
            live[nlive++] = x;
        }
    }
    int changed = nold > FW_LSH_FULL_BUCKET && nlive >= 2 &&
                  (nlive <= FW_LSH_FULL_BUCKET || in_sorted(after, nafter, centre));
    if (st == FW_OK && changed) {
        if (nlive <= FW_LSH_FULL_BUCKET) {
            for (size_t i = 0; i < nlive; i++)
                for (size_t j = i + 1; j < nlive; j++)
                    if (!push(out, live[i], live[j])) st = FW_ERR_NOMEM;
        } else {
            uint64_t c = live[0];
            for (size_t i = 1; i < nlive; i++)
                if (strcmp(fw_index_id(ix, live[i]), fw_index_id(ix, c)) < 0) c = live[i];
            for (size_t i = 0; i < nlive; i++)
                if (live[i] != c && !push(out, c, live[i])) st = FW_ERR_NOMEM;
        }
    }
    free(live);
    return st;
}

/* The pairs a removal of `gone` makes appear (bucket_after_removal()),
 * verified as a query verifies: those at or above the threshold. */
static fw_status pairs_after_removal(fw_index *ix, const uint64_t *gone, size_t ngone,
                                     const uint64_t *after, size_t nafter, pair_list *found)
{
    const fw_index_params *p = &ix->man.params;
    fw_scan_options o;
    fw_index_scan_options(ix, &o);
    fw_scan *s;
    fw_status st = fw_index_batch_new(ix, &o, &s);
    if (st != FW_OK) return st;
    fw_index_sketch *v = calloc(ngone ? ngone : 1, sizeof *v), *w = NULL;
    pair_list cand = {0};
    size_t nw = 0;
    if (!v) st = FW_ERR_NOMEM;
    for (size_t i = 0; v && i < ngone; i++) v[i].number = gone[i];
    if (st == FW_OK) st = fw_index_sketch_docs(ix, s, v, ngone);
    for (unsigned b = 0; b < p->bands && st == FW_OK; b++)
        for (size_t i = 0; i < ngone && st == FW_OK; i++) {
            size_t pos;
            const fw_seg *seg = fw_index_find_number(ix, gone[i], &pos);
            if (!seg || !seg->docs[pos].text_zlen) continue; /* no band records */
            uint64_t key = fw_lsh_band_key64(v[i].sig, b, p->rows);
            st = bucket_after_removal(ix, b, key, after, nafter, &cand);
        }
    sort_unique(&cand);
    /* the live pairs need no verifying again */
    if (st == FW_OK) st = fw_index_components(ix);
    size_t u = 0;
    for (size_t i = 0; i < cand.len; i++)
        if (!fw_index_live_pair(ix, cand.v[i].a << 32 | cand.v[i].b)) cand.v[u++] = cand.v[i];
    cand.len = u;
    uint64_t *nums = malloc((2 * cand.len + 1) * sizeof *nums);
    if (!nums) st = FW_ERR_NOMEM;
    for (size_t i = 0; nums && i < cand.len; i++) {
        nums[nw++] = cand.v[i].a;
        nums[nw++] = cand.v[i].b;
    }
    if (nums && nw) qsort(nums, nw, sizeof *nums, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; nums && i < nw; i++)
        if (!m || nums[m - 1] != nums[i]) nums[m++] = nums[i];
    if (st == FW_OK && !(w = calloc(m ? m : 1, sizeof *w))) st = FW_ERR_NOMEM;
    for (size_t i = 0; w && i < m; i++) w[i].number = nums[i];
    free(nums);
    if (st == FW_OK) st = fw_index_sketch_docs(ix, s, w, m);
    for (size_t i = 0; st == FW_OK && i < cand.len; i++) {
        const fw_index_sketch *x = fw_index_sketch_find(w, m, cand.v[i].a),
                              *y = fw_index_sketch_find(w, m, cand.v[i].b);
        size_t inter = fw_verify_intersection(x->set, x->nset, y->set, y->nset);
        if (fw_verify_jaccard(inter, x->nset, y->nset) >= p->threshold &&
            !push(found, cand.v[i].a, cand.v[i].b))
            st = FW_ERR_NOMEM;
    }
    fw_index_sketches_free(v, ngone);
    fw_index_sketches_free(w, m);
    free(cand.v);
    fw_scan_free(s);
    return st;
}

static int has_pair(const pair_list *l, const fw_seg_pair *p)
{
    return l->len && bsearch(p, l->v, l->len, sizeof *l->v, cmp_seg_pair);
}

static int in_pairs(const fw_seg_pair *v, size_t n, const fw_seg_pair *p)
{
    return n && bsearch(p, v, n, sizeof *v, cmp_seg_pair);
}

/* The tombstones of the generation after `next` - 1: `removed` (sorted),
 * the pairs `found` live since (a removal made them candidates) and those
 * `lost` (no longer candidates), on top of the current ones. Writes
 * tomb-GEN and names it in `next` (none when there is nothing to say). */
static fw_status next_tombstones(fw_index *ix, fw_manifest *next, const uint64_t *removed,
                                 size_t nremoved, pair_list *found, pair_list *lost)
{
    sort_unique(found);
    sort_unique(lost);
    pair_list extra = {0}, withdrawn = {0};
    int ok = 1;
    for (size_t i = 0; i < ix->nextra; i++) {
        const fw_seg_pair *e = &ix->extra[i];
        if (!in_sorted(removed, nremoved, e->a) && !in_sorted(removed, nremoved, e->b) &&
            !has_pair(lost, e))
            ok &= push(&extra, e->a, e->b);
    }
    for (size_t i = 0; i < ix->nwithdrawn; i++) {
        const fw_seg_pair *w = &ix->withdrawn[i];
        if (!in_sorted(removed, nremoved, w->a) && !in_sorted(removed, nremoved, w->b) &&
            !has_pair(found, w))
            ok &= push(&withdrawn, w->a, w->b);
    }
    for (size_t i = 0; i < found->len; i++) /* a segment's pair again, or a new one */
        if (!in_pairs(ix->withdrawn, ix->nwithdrawn, &found->v[i]))
            ok &= push(&extra, found->v[i].a, found->v[i].b);
    for (size_t i = 0; i < lost->len; i++) /* a found one lost again, or a segment's */
        if (!in_pairs(ix->extra, ix->nextra, &lost->v[i]))
            ok &= push(&withdrawn, lost->v[i].a, lost->v[i].b);
    sort_unique(&extra);
    sort_unique(&withdrawn);
    fw_status st = ok ? FW_OK : FW_ERR_NOMEM;
    next->tombstones[0] = '\0';
    if (st == FW_OK && (nremoved || extra.len || withdrawn.len)) {
        snprintf(next->tombstones, sizeof next->tombstones, "tomb-%06" PRIu64, next->generation);
        st = write_tombstones(ix, next->tombstones, removed, nremoved, extra.v, extra.len,
                              withdrawn.v, withdrawn.len);
    }
    free(extra.v);
    free(withdrawn.v);
    return st;
}

/* The tombstones after adding a batch whose query withdrew pairs. */
static fw_status withdraw(fw_index *ix, fw_manifest *next, const fw_index_result *r)
{
    pair_list found = {0}, lost = {0};
    for (size_t i = 0; i < r->nwithdrawn; i++)
        if (!push(&lost, r->withdrawn[i].a, r->withdrawn[i].b)) {
            free(lost.v);
            return FW_ERR_NOMEM;
        }
    fw_status st = next_tombstones(ix, next, ix->removed, ix->nremoved, &found, &lost);
    free(lost.v);
    return st;
}

/* The documents given the id `removed_name[0, id_len)` and renamed past
 * `from - 1` (x#from, x#from+1..., read until a name no document has:
 * renamings leave no gap a removal could have made, as this refuses it)
 * must be in `gone` (sorted) when the document named `removed_name` is. */
static fw_status later_renamings_go(fw_index *ix, const char *removed_name, size_t id_len,
                                    uint64_t from, const uint64_t *gone, size_t ngone)
{
    size_t len = id_len + 24;
    char *name = malloc(len);
    if (!name) return FW_ERR_NOMEM;
    fw_status st = FW_OK;
    for (uint64_t j = from; st == FW_OK; j++) {
        snprintf(name, len, "%.*s#%" PRIu64, (int)id_len, removed_name, j);
        int64_t x = fw_index_find_id(ix, name);
        if (x < 0) break;
        size_t pos, given_len;
        const fw_seg *seg = fw_index_find_number(ix, (uint64_t)x, &pos);
        if (!seg || !fw_id_renamed_from(name, fw_segment_message(seg, pos), &given_len) ||
            given_len != id_len || in_sorted(gone, ngone, (uint64_t)x))
            continue; /* a name taken by another, or going too */
        st = fw_index_fail(ix, FW_ERR_ARG,
                           "cannot remove %.200s without %.200s: its id is %.*s, and it was "
                           "named %.200s because %.200s had a name before it; a scan of what "
                           "remains would name it otherwise, and so would queries: remove both, "
                           "or neither", removed_name, name, (int)(id_len > 200 ? 200 : id_len),
                           removed_name, name, removed_name);
    }
    free(name);
    return st;
}

fw_status fw_index_remove(fw_index *ix, const char *const *ids, size_t n, size_t *removed)
{
    ix->error[0] = '\0';
    *removed = 0;
    if (ix->lock_fd < 0) return fw_index_fail(ix, FW_ERR_ARG, "fw_index_remove: opened to read");
    uint64_t *v = malloc((ix->nremoved + n + 1) * sizeof *v), *gone = malloc((n + 1) * sizeof *gone);
    if (!v || !gone) {
        free(v);
        free(gone);
        return FW_ERR_NOMEM;
    }
    if (ix->nremoved) memcpy(v, ix->removed, ix->nremoved * sizeof *v);
    size_t m = ix->nremoved, ngone = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t x = fw_index_find_id(ix, ids[i]);
        if (x >= 0) v[m++] = gone[ngone++] = (uint64_t)x;
    }
    qsort(v, m, sizeof *v, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (!u || v[u - 1] != v[i]) v[u++] = v[i];
    if (ngone) qsort(gone, ngone, sizeof *gone, cmp_u64);
    size_t g = 0;
    for (size_t i = 0; i < ngone; i++)
        if (!g || gone[g - 1] != gone[i]) gone[g++] = gone[i];
    ngone = g;
    /* A scan names documents in input order, each a name no earlier one
     * has (id_names.c): the later documents given the id x became x#2,
     * x#3... past the names taken. Removing the holder of a name that such
     * a later document was denied (x itself, or x#i below its number) is
     * refused unless that document goes with it, else a query would name
     * it otherwise than a scan of the documents that remain. */
    fw_status st = FW_OK;
    for (size_t i = 0; i < n && st == FW_OK; i++) {
        if (fw_index_find_id(ix, ids[i]) < 0) continue;
        size_t id_len;
        uint64_t j;
        /* the renamings of ids[i] itself from #2 on, and those of x from
         * #j+1 on when ids[i] is x#j */
        st = later_renamings_go(ix, ids[i], strlen(ids[i]), 2, gone, ngone);
        if (st == FW_OK && fw_id_numbered(ids[i], &id_len, &j))
            st = later_renamings_go(ix, ids[i], id_len, j + 1, gone, ngone);
    }
    if (st != FW_OK) {
        free(v);
        free(gone);
        return st;
    }
    *removed = ngone;
    pair_list found = {0}, lost = {0};
    if (ngone) st = pairs_after_removal(ix, gone, ngone, v, u, &found);
    if (ngone && st == FW_OK) {
        char old[FW_INDEX_NAME_SIZE];
        snprintf(old, sizeof old, "%s", ix->man.tombstones);
        fw_manifest next;
        if ((st = append_segment(&next, &ix->man, NULL)) == FW_OK) {
            st = next_tombstones(ix, &next, v, u, &found, &lost);
            if (st == FW_OK) st = commit(ix, &next);
            free(next.segs);
        }
        if (st == FW_OK && old[0]) remove_file(ix, old, NULL);
    }
    free(found.v);
    free(v);
    free(gone);
    return st;
}

/* ------------------------------------------------------------- compact */

/* One band of the segments' band files merged into w, the removed
 * documents' records left out (a record's document: item >> shift). */
static fw_status merge_band(fw_index *ix, fw_band_writer *w, fw_band_file **files, unsigned band,
                            uint32_t *const *newbase)
{
    fw_band_merge *mg;
    fw_status st = fw_band_merge_new(files, ix->man.nsegs, band, &mg);
    if (st != FW_OK) return st;
    fw_band_record *keep = NULL;
    size_t cap = 0;
    for (;;) {
        uint64_t key;
        const fw_band_record *rec;
        const uint32_t *from;
        size_t n;
        if ((st = fw_band_merge_next(mg, &key, &rec, &from, &n)) != FW_OK || !n) break;
        if (!fw_grow(&keep, &cap, n, sizeof *keep, 64)) { st = FW_ERR_NOMEM; break; }
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (!newbase) { /* documents: their numbers */
                if (!fw_index_is_removed(ix, rec[i].item)) keep[m++] = rec[i];
                continue;
            }
            size_t pos; /* passages: ordinals in the old segment, then the new */
            uint32_t k;
            if (!fw_segment_passage_at(&ix->segs[from[i]], rec[i].item, &pos, &k)) {
                st = fw_index_fail(ix, FW_ERR_FORMAT, "%s: passage %llu is not its segment's",
                                   fw_band_file_path(files[from[i]]),
                                   (unsigned long long)rec[i].item);
                break;
            }
            if (newbase[from[i]][pos] != UINT32_MAX)
                keep[m++] = (fw_band_record){rec[i].key, newbase[from[i]][pos] + k};
        }
        if (st != FW_OK) break;
        /* segments are in number order, each sorted: so is the bucket */
        if (m && (st = fw_band_writer_add(w, band, keep, m)) != FW_OK) break;
    }
    if (st == FW_ERR_FORMAT && !ix->error[0]) /* a block that failed its check */
        for (size_t g = 0; g < ix->man.nsegs; g++)
            if (fw_band_file_error(files[g])[0])
                fw_index_fail(ix, st, "%s", fw_band_file_error(files[g]));
    free(keep);
    fw_band_merge_free(mg);
    return st;
}

/* Where each live document's passages start in the compacted segment
 * (its live documents in number order): newbase[g][pos] for position pos
 * of segment g, UINT32_MAX for a removed one. */
static fw_status passage_bases(fw_index *ix, uint32_t **newbase, uint64_t *first,
                               uint64_t *total)
{
    uint64_t at = 0;
    *first = UINT64_MAX;
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        const fw_seg *seg = &ix->segs[g];
        if (!(newbase[g] = malloc((seg->ndocs ? seg->ndocs : 1) * sizeof *newbase[g])))
            return FW_ERR_NOMEM;
        for (size_t i = 0; i < seg->ndocs; i++) {
            if (fw_index_is_removed(ix, seg->docs[i].number)) {
                newbase[g][i] = UINT32_MAX;
                continue;
            }
            if (*first == UINT64_MAX) *first = seg->docs[i].number;
            newbase[g][i] = (uint32_t)at;
            if ((at += seg->docs[i].passages) > UINT32_MAX)
                return fw_index_fail(ix, FW_ERR_ARG, "a segment holds at most 2^32 - 1 passages");
        }
    }
    *total = at;
    return FW_OK;
}

/* The merged band file of the new segment `seg`: the documents' (ext
 * "bands", items their numbers) or the passages' ("pbands", narrow, items
 * their ordinals in the new segment, and in *total its passages), removed
 * documents left out. */
static fw_status compact_band_file(fw_index *ix, const fw_manifest_segment *seg, int passages,
                                   uint64_t *total_out)
{
    const unsigned bands = passages ? FW_PASSAGE_BANDS : ix->man.params.bands;
    const size_t ns = ix->man.nsegs ? ix->man.nsegs : 1;
    fw_band_file **files = malloc(ns * sizeof *files);
    uint32_t **newbase = passages ? calloc(ns, sizeof *newbase) : NULL;
    uint64_t first = 0, total = 0;
    fw_status st = !files || (passages && !newbase) ? FW_ERR_NOMEM : FW_OK;
    if (st == FW_OK && passages) st = passage_bases(ix, newbase, &first, &total);
    fw_band_writer *w = NULL;
    if (st == FW_OK)
        st = passages && first != seg->first /* the first live document, as the caller's */
                 ? FW_ERR_ARG
                 : fw_index_band_writer(ix, seg, passages, ix->man.passage_model_sum, total, &w);
    for (size_t g = 0; files && g < ix->man.nsegs; g++)
        files[g] = passages ? ix->segs[g].pbands : ix->segs[g].bands;
    for (unsigned b = 0; b < bands && st == FW_OK; b++)
        st = merge_band(ix, w, files, b, newbase);
    if (st == FW_OK) st = fw_band_writer_finish(w);
    if (st != FW_OK && !ix->error[0])
        fw_index_fail(ix, st, "%s", w ? fw_band_writer_error(w) : fw_status_str(st));
    fw_band_writer_free(w);
    *total_out = total;
    for (size_t g = 0; newbase && g < ix->man.nsegs; g++) free(newbase[g]);
    free(newbase);
    free(files);
    return st;
}

/* The screen file of the new segment `into` (its passages as its passage
 * band file's): the live documents' records, segment by segment, in number
 * order (the ordinals passage_bases gives). */
static fw_status compact_screen_file(fw_index *ix, const fw_manifest_segment *into,
                                     uint64_t total)
{
    fw_screen_writer *w;
    fw_status st = fw_index_screen_writer(ix, into, ix->man.passage_model_sum, total, &w);
    if (st != FW_OK) return st;
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++) {
        fw_seg *seg = &ix->segs[g];
        for (size_t i = 0; i < seg->ndocs && st == FW_OK; i++) {
            if (fw_index_is_removed(ix, seg->docs[i].number)) continue;
            for (uint32_t k = 0; k < seg->docs[i].passages && st == FW_OK; k++) {
                const fw_screen_record *rec;
                if ((st = fw_screen_file_get(seg->pscreen, seg->pfirst[i] + k, &rec)) != FW_OK)
                    fw_index_fail(ix, st, "%s", fw_screen_file_error(seg->pscreen));
                else st = fw_screen_writer_add(w, rec, 1);
            }
        }
    }
    if (st == FW_OK) st = fw_screen_writer_finish(w);
    if (st != FW_OK && !ix->error[0]) fw_index_fail(ix, st, "%s", fw_screen_writer_error(w));
    fw_screen_writer_free(w);
    return st;
}

fw_status fw_index_compact(fw_index *ix)
{
    ix->error[0] = '\0';
    if (ix->lock_fd < 0) return fw_index_fail(ix, FW_ERR_ARG, "fw_index_compact: opened to read");
    if (ix->man.nsegs <= 1 && !ix->man.tombstones[0]) return FW_OK; /* nothing to merge */
    fw_status st = fw_index_components(ix);
    if (st != FW_OK) return st;
    uint64_t live = fw_index_live(ix), npairs = ix->nlive_pairs;
    fw_seg_doc_in *docs = calloc(live ? live : 1, sizeof *docs);
    fw_seg_pair *pairs = malloc((npairs ? npairs : 1) * sizeof *pairs);
    if (!docs || !pairs) {
        free(docs);
        free(pairs);
        return FW_ERR_NOMEM;
    }
    /* A frame that holds the text of a removed document is not copied: its
     * live texts are decompressed and compressed again without it, so that
     * compaction leaves no removed text on disk. `own` keeps those texts. */
    char **own = calloc(live ? live : 1, sizeof *own);
    if (!own) {
        free(docs);
        free(pairs);
        return FW_ERR_NOMEM;
    }
    fw_text_cache cache = {0};
    char why[FW_INDEX_ERROR_SIZE];
    size_t nd = 0, np = 0;
    const unsigned char *checked = NULL;
    for (size_t g = 0; g < ix->man.nsegs && st == FW_OK; g++) {
        const fw_seg *seg = &ix->segs[g];
        size_t run_end = 0; /* documents [.., run_end) share the frame of the last */
        int dirty = 0;      /* that frame holds a removed text */
        for (size_t i = 0; i < seg->ndocs && st == FW_OK; i++) {
            const fw_seg_doc *d = &seg->docs[i];
            if (i >= run_end) { /* the documents of d's frame: consecutive */
                run_end = i + 1;
                dirty = d->text_zlen && fw_index_is_removed(ix, d->number);
                while (d->text_zlen && run_end < seg->ndocs &&
                       seg->docs[run_end].text_zlen &&
                       seg->docs[run_end].text_at == d->text_at) {
                    dirty |= fw_index_is_removed(ix, seg->docs[run_end].number);
                    run_end++;
                }
            }
            if (fw_index_is_removed(ix, d->number)) continue;
            if (dirty) {
                const char *text;
                size_t len;
                if ((st = fw_segment_text(seg, i, &cache, &text, &len, why, sizeof why)) !=
                    FW_OK) {
                    fw_index_fail(ix, st, "%s", why);
                    break;
                }
                if (!(own[nd] = malloc(len ? len : 1))) {
                    st = FW_ERR_NOMEM;
                    break;
                }
                memcpy(own[nd], text, len);
                docs[nd] = (fw_seg_doc_in){d->number, fw_segment_id(seg, i),
                                           fw_segment_message(seg, i), (fw_doc_status)d->status,
                                           d->bytes, d->chars, d->shingles, d->passages, own[nd],
                                           NULL, 0, 0, 0};
                nd++;
                continue;
            }
            const unsigned char *frame = seg->text + d->text_at;
            if (d->text_zlen && frame != checked && /* each frame once */
                (d->text_at > seg->text_size || d->text_zlen > seg->text_size - d->text_at ||
                 XXH3_64bits(frame, d->text_zlen) != d->text_sum)) {
                st = fw_index_fail(ix, FW_ERR_FORMAT, "%s.text: the text of %s is damaged "
                                   "(checksum)", seg->name, fw_segment_id(seg, i));
                break;
            }
            if (d->text_zlen) checked = frame;
            docs[nd++] = (fw_seg_doc_in){d->number, fw_segment_id(seg, i),
                                         fw_segment_message(seg, i), (fw_doc_status)d->status,
                                         d->bytes, d->chars, d->shingles, d->passages, NULL,
                                         d->text_zlen ? frame : NULL, d->text_zlen, d->in_frame,
                                         d->text_sum};
        }
    }
    for (size_t i = 0; i < ix->nlive_pairs; i++) /* the live ones, and only them */
        pairs[np++] = (fw_seg_pair){ix->live_pairs[i] >> 32, ix->live_pairs[i] & UINT32_MAX};
    fw_manifest_segment seg = {{0}, nd ? docs[0].number : 0, nd ? docs[nd - 1].number : 0, nd, 0};
    snprintf(seg.name, sizeof seg.name, "seg-%06" PRIu64, ix->man.generation + 1);
    if (st == FW_OK) st = fw_segment_mark(docs, nd, pairs, np, &seg.mark);
    if (st == FW_OK && nd &&
        (st = fw_segment_write(ix->dir, seg.name, seg.mark, docs, nd, pairs, np, 1, why,
                               sizeof why)) != FW_OK)
        fw_index_fail(ix, st, "%s", why);
    uint64_t ptotal = 0;
    if (st == FW_OK && nd) st = compact_band_file(ix, &seg, 0, &ptotal);
    if (st == FW_OK && nd && ix->man.params.passages && ix->man.passage_model[0]) {
        st = compact_band_file(ix, &seg, 1, &ptotal);
        int screened = 1; /* a screen file for the whole only from every part's */
        for (size_t g = 0; g < ix->man.nsegs; g++) screened &= ix->segs[g].pscreen != NULL;
        if (st == FW_OK && screened) st = compact_screen_file(ix, &seg, ptotal);
    }
    if (st != FW_OK && nd) remove_segment_files(ix, seg.name); /* none of them stays */
    for (size_t i = 0; i < nd; i++) free(own[i]);
    free(own);
    fw_text_cache_free(&cache);
    free(docs);
    free(pairs);
    if (st != FW_OK) return st;
    /* the old generation's names, to remove once the new one is in place */
    size_t nold = ix->man.nsegs;
    char (*old)[FW_INDEX_NAME_SIZE] = malloc((nold + 1) * sizeof *old);
    if (!old) return FW_ERR_NOMEM;
    for (size_t g = 0; g < nold; g++) memcpy(old[g], ix->man.segs[g].name, sizeof old[g]);
    memcpy(old[nold], ix->man.tombstones, sizeof old[nold]);
    fw_manifest next = ix->man;
    next.segs = &seg;
    next.nsegs = nd ? 1 : 0;
    next.generation = ix->man.generation + 1;
    next.tombstones[0] = '\0';
    fw_manifest copy = next;
    copy.segs = malloc(sizeof seg);
    if (!copy.segs) st = FW_ERR_NOMEM;
    else {
        copy.segs[0] = seg;
        st = commit(ix, &copy);
        free(copy.segs);
    }
    if (st == FW_OK) {
        for (size_t g = 0; g < nold; g++) remove_segment_files(ix, old[g]);
        if (old[nold][0]) remove_file(ix, old[nold], NULL);
    }
    free(old);
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
    for (size_t g = 0; g < ix->man.nsegs; g++) {
        const fw_seg *seg = &ix->segs[g];
        info->pairs += seg->npairs;
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
