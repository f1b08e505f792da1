/*
 * stages_fuzz.h — what fuzz_normalize.c and fuzz_sketch.c share: the
 * objects of the text stages, made once when the harness starts (a
 * normalizer, a template with the built-in canon table, MinHash and OPH of
 * K values). The process ends with them: they are not freed.
 */
#ifndef FW_STAGES_FUZZ_H
#define FW_STAGES_FUZZ_H

#include "fanwen.h"

#include <stdlib.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define K 64

static fw_normalizer *nz;
static fw_template *tpl;
static fw_minhasher *mh;
static fw_oph *oph;

static void make_stages(void)
{
    CHECK(fw_normalizer_new(&nz) == FW_OK);
    CHECK(fw_template_new(1, &tpl) == FW_OK);
    CHECK(fw_template_add_default_canon(tpl) == FW_OK);
    CHECK(fw_minhasher_new(K, 42, &mh) == FW_OK);
    CHECK(fw_oph_new(K, 42, &oph) == FW_OK);
}

#endif
