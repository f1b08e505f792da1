/*
 * fuzz_passage_model.c — arbitrary bytes as a passage model file
 * (fw_passage_model_parse): as they are, and with the header and the
 * checksum line that make the parser read every line (random bytes never
 * carry a right XXH3). Checked: no crash, no leak; a model that parses is
 * formatted (fw_passage_model_format) and parses again to the same model.
 */
#include "passage_model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define MAGIC "fanwen-passage-model 2\n"

static void same(const fw_passage_model *a, const fw_passage_model *b)
{
    CHECK(!strcmp(a->params.normalization, b->params.normalization));
    CHECK(a->params.seed == b->params.seed);
    CHECK(a->params.min_passage == b->params.min_passage);
    CHECK(a->params.template_mode == b->params.template_mode);
    CHECK(a->params.canon_hash == b->params.canon_hash);
    CHECK(a->nlines == b->nlines);
    CHECK(!a->nlines || !memcmp(a->lines, b->lines, a->nlines * sizeof *a->lines));
    CHECK(!memcmp(&a->stop, &b->stop, sizeof a->stop));
    CHECK(a->nknown == b->nknown);
    CHECK(!a->nknown || !memcmp(a->known_start, b->known_start,
                                (a->nknown + 1) * sizeof *a->known_start));
    CHECK(!a->nknown || !memcmp(a->known_cps, b->known_cps,
                                a->known_start[a->nknown] * sizeof *a->known_cps));
}

static void parse_and_again(char *buf, size_t len)
{
    fw_passage_model m, again;
    char why[512];
    if (fw_passage_model_parse(buf, len, "fuzz", NULL, &m, why, sizeof why) == FW_OK) {
        char *text;
        size_t n;
        CHECK(fw_passage_model_format(&m, &text, &n) == FW_OK);
        char *copy = malloc(n + 1);
        CHECK(copy);
        memcpy(copy, text, n + 1);
        CHECK(fw_passage_model_parse(copy, n, "again", &m.params, &again, why, sizeof why) ==
              FW_OK);
        same(&m, &again);
        fw_passage_model_free(&again);
        free(copy);
        free(text);
    }
    fw_passage_model_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* as they are */
    char *buf = malloc(size + 1);
    CHECK(buf);
    memcpy(buf, data, size);
    buf[size] = '\0';
    parse_and_again(buf, size);
    free(buf);
    /* as the body of a model whose checksum is right */
    size_t body = sizeof MAGIC - 1 + size + 1;
    buf = malloc(body + 22);
    CHECK(buf);
    memcpy(buf, MAGIC, sizeof MAGIC - 1);
    memcpy(buf + sizeof MAGIC - 1, data, size);
    buf[body - 1] = '\n';
    int n = snprintf(buf + body, 22, "sum %016llx\n",
                     (unsigned long long)XXH3_64bits(buf, body));
    CHECK(n == 21);
    parse_and_again(buf, body + 21);
    free(buf);
    return 0;
}
