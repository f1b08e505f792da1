/*
 * stage_gather.c — a staged scan's gather task: the signatures and exact
 * shingle sets of one shard's documents that are in a candidate pair.
 *
 * Verification needs them for the candidates only, and a set weighs 8
 * bytes per distinct shingle, nearly twice the text; storing every
 * document's at sketching would write that much again for a crawl (and a
 * scan keeping texts keeps only band keys, remaking the candidates'
 * signatures: match.c). So once the bands tasks have found the
 * candidates, the gather task of shard S reads the shard again, through
 * the scan's own reader and sketcher (the same documents, in the same
 * order), checks that each document is the one the sketch task saw
 * (id, status, shingle count and the XXH3-64 of its text), and makes the candidates' sets as verification
 * does (match.c), into
 *
 *   gather/S.sets   header; per document of the shard where its set starts
 *                   (u64, in values; n + 1 of them) and which signature is
 *                   its (u64, UINT64_MAX: none); the sets; the signatures
 *                   (K u32 each)
 *
 * With --no-verify only the signatures are gathered.
 */
#include "staged.h"
#include "match.h"
#include "pipeline.h"
#include "scan_internal.h"
#include "shard_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SETS_MAGIC "FWSETS"

typedef struct sets_header {
    char magic[8];
    uint64_t tag, ndocs, values, sigs, k;
} sets_header;

#define NO_SIG UINT64_MAX

struct fw_sets_file {
    unsigned char *map;
    size_t size;
    uint64_t ndocs, nsigs;
    unsigned k;
    const uint64_t *at;      /* ndocs + 1 */
    const uint64_t *sig_of;  /* ndocs */
    const uint64_t *values;
    const uint32_t *sigs;
};

/* Which of the shard's documents are in a candidate pair: what every
 * bands task says of this shard. */
static fw_status wanted_docs(fw_plan *p, unsigned shard, uint8_t *wanted, size_t n)
{
    for (unsigned part = 0; part < p->partitions; part++) {
        char *data;
        const uint32_t *docs;
        size_t count;
        fw_status st = fw_stage_read_wanted(p, part, shard, &data, &docs, &count);
        if (st != FW_OK) return st;
        for (size_t i = 0; i < count; i++) {
            if (docs[i] >= n) {
                free(data);
                return fw_plan_fail(p, FW_ERR_FORMAT, "bands %u: shard %u has no document %u",
                                    part, shard, docs[i]);
            }
            wanted[docs[i]] = 1;
        }
        free(data);
    }
    return FW_OK;
}

/* The shard read again, its candidates' sets made; each candidate checked
 * against the sketch task's record. */
static fw_status make_sets(fw_plan *p, unsigned shard, int threads, const uint8_t *wanted,
                           size_t n, fw_scan **out)
{
    fw_scan *s;
    fw_status st = fw_stage_scan_new(p, threads, &s);
    if (st != FW_OK) return st;
    *out = s;
    /* where each input's documents end, to name the input that changed */
    const size_t first = p->shard_first[shard], npaths = p->shard_first[shard + 1] - first;
    size_t *ends = calloc(npaths ? npaths : 1, sizeof *ends);
    if (!ends) return FW_ERR_NOMEM;
    for (size_t i = 0; i < npaths && st == FW_OK; i++) {
        st = fw_scan_add_path(s, p->paths[first + i]); /* reads it through */
        ends[i] = s->ndocs;
    }
    if (st == FW_OK) st = fw_pipeline_finish(s);
    if (st != FW_OK) {
        free(ends);
        return fw_plan_fail(p, st, "gather %u: %s", shard,
                            fw_scan_error(s)[0] ? fw_scan_error(s) : fw_status_str(st));
    }
    char path[4096], why[600];
    fw_plan_path(p, path, sizeof path, FW_STAGE_SKETCH, "%u.docs", shard);
    fw_shard_file *f;
    if ((st = fw_shard_file_open(path, p->tag, p->opt.perms, &f, why, sizeof why)) != FW_OK) {
        free(ends);
        return fw_plan_fail(p, st, "%s", why);
    }
    if (s->ndocs != n || fw_shard_file_docs(f) != n)
        st = fw_plan_fail(p, FW_ERR_FORMAT, "gather %u: the shard now holds %zu documents, "
                          "the sketch task read %zu: its inputs changed", shard, s->ndocs,
                          fw_shard_file_docs(f));
    /* every document, candidate or not: the finish task reports the texts
     * the sketch task kept, which must be the inputs' */
    for (size_t i = 0, in = 0; i < n && st == FW_OK; i++) {
        fw_shard_doc d;
        while (in + 1 < npaths && ends[in] <= i) in++;
        if (fw_shard_file_doc(f, i, &d) != FW_OK || strcmp(d.id, s->docs[i].id) != 0 ||
            d.nshingles != s->docs[i].nshingles || d.text_hash != s->docs[i].text_hash ||
            d.status != s->docs[i].status ||
            (wanted[i] && !s->docs[i].sig && !s->docs[i].band_keys))
            st = fw_plan_fail(p, FW_ERR_FORMAT, "%s changed since its sketch task (document %s)",
                              p->paths[first + in], s->docs[i].id);
    }
    fw_shard_file_close(f);
    free(ends);
    if (st == FW_OK && p->opt.verify) st = fw_match_make_sets_of(s, wanted);
    for (size_t i = 0; i < n && st == FW_OK; i++) /* every candidate has its signature now */
        if (wanted[i] && !s->docs[i].sig)
            st = fw_plan_fail(p, FW_ERR_FORMAT, "gather %u: document %zu (%s) has no signature",
                              shard, i, s->docs[i].id);
    return st;
}

static fw_status write_sets(fw_plan *p, unsigned shard, const fw_scan *s, const uint8_t *wanted,
                            size_t n)
{
    const unsigned k = p->opt.perms;
    uint64_t *at = malloc((2 * n + 1) * sizeof *at), *sig_of = at + n + 1, nsigs = 0;
    if (!at) return FW_ERR_NOMEM;
    at[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const int has = s && wanted[i];
        at[i + 1] = at[i] + (has ? s->docs[i].nset : 0);
        sig_of[i] = has ? nsigs++ : NO_SIG;
    }
    char path[4096];
    fw_plan_path(p, path, sizeof path, FW_STAGE_GATHER, "%u.sets", shard);
    fw_atomic_file a;
    fw_status st = fw_atomic_open(&a, path);
    if (st == FW_OK) {
        sets_header h = {SETS_MAGIC, p->tag, n, at[n], nsigs, k};
        int ok = fwrite(&h, sizeof h, 1, a.f) == 1 &&
                 fwrite(at, sizeof *at, 2 * n + 1, a.f) == 2 * n + 1;
        for (size_t i = 0; ok && i < n; i++)
            if (s && wanted[i] && s->docs[i].nset)
                ok = fwrite(s->docs[i].shingles, sizeof(uint64_t), s->docs[i].nset, a.f) ==
                     s->docs[i].nset;
        for (size_t i = 0; ok && i < n; i++)
            if (s && wanted[i]) ok = fwrite(s->docs[i].sig, sizeof(uint32_t), k, a.f) == k;
        if (ok) st = fw_atomic_commit(&a);
        else {
            fw_atomic_abandon(&a);
            st = FW_ERR_IO;
        }
    }
    free(at);
    if (st != FW_OK) fw_plan_write_failed(p, st, path);
    return st;
}

fw_status fw_stage_gather(fw_plan *p, unsigned shard, int threads)
{
    fw_ranks r;
    fw_status st = fw_ranks_load(p, &r);
    if (st != FW_OK) return st;
    const size_t n = (size_t)(r.first[shard + 1] - r.first[shard]);
    uint8_t *wanted = calloc(n ? n : 1, 1);
    fw_scan *s = NULL;
    if (!wanted) st = FW_ERR_NOMEM;
    if (st == FW_OK) st = wanted_docs(p, shard, wanted, n);
    /* read again even without candidates: that checks the inputs */
    if (st == FW_OK) st = make_sets(p, shard, threads, wanted, n, &s);
    if (st == FW_OK) st = write_sets(p, shard, s, wanted, n);
    fw_scan_free(s);
    free(wanted);
    fw_ranks_free(&r);
    return st;
}

/* ----------------------------------------------------------- reading */

fw_status fw_sets_file_open(fw_plan *p, unsigned shard, fw_sets_file **out)
{
    *out = NULL;
    char path[4096];
    fw_plan_path(p, path, sizeof path, FW_STAGE_GATHER, "%u.sets", shard);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0) close(fd);
        return fw_plan_fail(p, FW_ERR_IO, "cannot read %s", path);
    }
    fw_sets_file *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return FW_ERR_NOMEM;
    }
    f->size = (size_t)sb.st_size;
    if (f->size >= sizeof(sets_header)) {
        f->map = mmap(NULL, f->size, PROT_READ, MAP_SHARED, fd, 0);
        if (f->map == MAP_FAILED) f->map = NULL;
    }
    close(fd);
    const sets_header *h = (const sets_header *)f->map;
    /* the sizes checked one by one against what the file holds */
    const uint64_t words = h ? (f->size - sizeof *h) / 8 : 0;
    if (!h || memcmp(h->magic, SETS_MAGIC, 7) != 0 || h->tag != p->tag ||
        h->k != p->opt.perms || h->ndocs > words / 2 || h->values > words - 2 * h->ndocs - 1 ||
        h->sigs > h->ndocs ||
        f->size != sizeof *h + (2 * h->ndocs + 1 + h->values) * 8 + h->sigs * h->k * 4) {
        fw_sets_file_close(f);
        return fw_plan_fail(p, FW_ERR_FORMAT, "%s: not the gathered sets of this plan", path);
    }
    f->ndocs = h->ndocs;
    f->nsigs = h->sigs;
    f->k = (unsigned)h->k;
    f->at = (const uint64_t *)(f->map + sizeof *h);
    f->sig_of = f->at + f->ndocs + 1;
    f->values = f->sig_of + f->ndocs;
    f->sigs = (const uint32_t *)(f->values + h->values);
    *out = f;
    return FW_OK;
}

void fw_sets_file_close(fw_sets_file *f)
{
    if (!f) return;
    if (f->map) munmap(f->map, f->size);
    free(f);
}

fw_status fw_sets_file_get(const fw_sets_file *f, uint64_t local, const uint32_t **sig,
                           const uint64_t **set, uint64_t *n)
{
    const sets_header *h = (const sets_header *)f->map;
    if (local >= f->ndocs || f->at[local] > f->at[local + 1] || f->at[local + 1] > h->values ||
        (f->sig_of[local] != NO_SIG && f->sig_of[local] >= f->nsigs))
        return FW_ERR_FORMAT;
    *set = f->values + f->at[local];
    *n = f->at[local + 1] - f->at[local];
    *sig = f->sig_of[local] == NO_SIG ? NULL : f->sigs + f->sig_of[local] * f->k;
    return FW_OK;
}
