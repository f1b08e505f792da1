/*
 * fuzz_manifest.c — arbitrary bytes as an index's MANIFEST
 * (fw_manifest_read, src/index_manifest.c): as they are, and after the
 * magic line with the checksum line that makes the parser read every line
 * (random bytes never carry a right XXH3). Checked: no crash, no leak, and
 * a manifest that reads is written (fw_manifest_write) and reads again to
 * the same one: parameters, segments with their marks, tombstones, model.
 */
#include "index.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define MAGIC "fanwen-index 1\n"

static char dir[64], again_dir[64];

static void same(const fw_manifest *a, const fw_manifest *b)
{
    const fw_index_params *p = &a->params, *q = &b->params;
    CHECK(p->ngram == q->ngram && p->perms == q->perms && p->bands == q->bands &&
          p->rows == q->rows && p->seed == q->seed && p->sketch == q->sketch &&
          p->template_mode == q->template_mode && p->canon_hash == q->canon_hash &&
          !strcmp(p->normalization, q->normalization) && p->passages == q->passages);
    CHECK(!memcmp(&p->threshold, &q->threshold, sizeof p->threshold) || p->threshold != p->threshold);
    if (p->passages)
        CHECK(p->min_passage == q->min_passage && p->max_passage == q->max_passage &&
              !strcmp(a->passage_model, b->passage_model) &&
              (!a->passage_model[0] || a->passage_model_sum == b->passage_model_sum));
    CHECK(a->generation == b->generation && a->next_doc == b->next_doc);
    CHECK(!strcmp(a->tombstones, b->tombstones));
    CHECK(a->nsegs == b->nsegs);
    for (size_t i = 0; i < a->nsegs; i++)
        CHECK(!strcmp(a->segs[i].name, b->segs[i].name) && a->segs[i].first == b->segs[i].first &&
              a->segs[i].last == b->segs[i].last && a->segs[i].count == b->segs[i].count &&
              a->segs[i].mark == b->segs[i].mark);
}

static void read_and_again(const uint8_t *data, size_t size)
{
    char path[128], why[512];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f);
    CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);
    fw_manifest m, back;
    if (fw_manifest_read(dir, &m, why, sizeof why) != FW_OK) return;
    int durable;
    CHECK(fw_manifest_write(again_dir, &m, &durable, why, sizeof why) == FW_OK);
    CHECK(fw_manifest_read(again_dir, &back, why, sizeof why) == FW_OK);
    same(&m, &back);
    fw_manifest_free(&back);
    fw_manifest_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz-manifest-%d", (int)getpid());
        snprintf(again_dir, sizeof again_dir, "%s-again", dir);
        CHECK(mkdir(dir, 0700) == 0 || access(dir, W_OK) == 0);
        CHECK(mkdir(again_dir, 0700) == 0 || access(again_dir, W_OK) == 0);
    }
    read_and_again(data, size); /* as they are */
    /* the magic, the bytes, then the checksum line over both */
    size_t n = strlen(MAGIC) + size;
    char *buf = malloc(n + 40);
    CHECK(buf);
    memcpy(buf, MAGIC, strlen(MAGIC));
    memcpy(buf + strlen(MAGIC), data, size);
    if (size && buf[n - 1] != '\n') buf[n++] = '\n';
    n += (size_t)snprintf(buf + n, 40, "checksum %016llx\n",
                          (unsigned long long)XXH3_64bits(buf, n));
    read_and_again((const uint8_t *)buf, n);
    free(buf);
    return 0;
}
