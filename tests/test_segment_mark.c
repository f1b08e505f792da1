/*
 * test_segment_mark.c — a segment's mark binds its files to its manifest
 * entry (src/index_segment.c, src/index_manifest.c).
 *
 * The mark changes with any document's text, id or message and with the
 * pairs, and is never 0; a segment opens when its .docs and band file
 * carry the entry's mark, and is refused, naming the file, when either was
 * made for another mark; a segment written before marks (mark 0, tags
 * unbound) still opens; the manifest keeps a mark through a round trip,
 * writes none for mark 0, and refuses a mark that is not 16 lowercase hex
 * digits (a 0x prefix, a sign, capitals) or is 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "band_file.h"
#include "index.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fanwen-segment-mark-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static const char *texts[3] = {"第一份范文的正文。", "第二份范文的正文，稍长一些。", "third"};
static const char *ids[3] = {"a", "b", "c"};

static void make_docs(fw_seg_doc_in *docs, const char *const *t)
{
    for (size_t i = 0; i < 3; i++)
        docs[i] = (fw_seg_doc_in){10 + i, ids[i], NULL, FW_DOC_OK, strlen(t[i]), 0, 0, 0, t[i],
                                  NULL, 0, 0, 0};
}

static uint64_t mark_of(const fw_seg_doc_in *docs, const fw_seg_pair *pairs, size_t np)
{
    uint64_t m = 0;
    assert_int_equal(fw_segment_mark(docs, 3, pairs, np, &m), FW_OK);
    assert_true(m != 0);
    return m;
}

static void test_mark_follows_content(void **state)
{
    (void)state;
    fw_seg_doc_in docs[3];
    fw_seg_pair pair = {10, 11};
    make_docs(docs, texts);
    const uint64_t m = mark_of(docs, NULL, 0);
    assert_true(mark_of(docs, NULL, 0) == m); /* the same input, the same mark */
    const char *other[3] = {texts[0], "第二份范文的正文，稍长一些！", texts[2]};
    make_docs(docs, other);
    assert_true(mark_of(docs, NULL, 0) != m); /* one character of one text */
    make_docs(docs, texts);
    docs[2].id = "d";
    assert_true(mark_of(docs, NULL, 0) != m); /* an id */
    make_docs(docs, texts);
    docs[1].message = "repaired";
    assert_true(mark_of(docs, NULL, 0) != m); /* a message */
    make_docs(docs, texts);
    assert_true(mark_of(docs, &pair, 1) != m); /* the pairs */
    uint64_t empty = 0;
    assert_int_equal(fw_segment_mark(NULL, 0, NULL, 0, &empty), FW_OK);
    assert_true(empty != 0);
}

/* Segment `name`: its .docs and .text with `docs_mark`, its band file
 * tagged `tag` bound to `band_mark`. */
static void write_segment(const char *name, uint64_t docs_mark, uint64_t tag, uint64_t band_mark)
{
    fw_seg_doc_in docs[3];
    make_docs(docs, texts);
    char why[256], path[256];
    assert_int_equal(fw_segment_write(dir, name, docs_mark, docs, 3, NULL, 0, 1, why, sizeof why),
                     FW_OK);
    snprintf(path, sizeof path, "%s/%s.bands", dir, name);
    fw_band_writer *w;
    assert_int_equal(fw_band_writer_new(path, 4, fw_index_mark_tag(tag, band_mark), &w, why,
                                        sizeof why),
                     FW_OK);
    for (unsigned b = 0; b < 4; b++) {
        fw_band_record rec[3];
        for (size_t i = 0; i < 3; i++) rec[i] = (fw_band_record){b * 100 + i, 10 + i};
        assert_int_equal(fw_band_writer_add(w, b, rec, 3), FW_OK);
    }
    assert_int_equal(fw_band_writer_finish(w), FW_OK);
    fw_band_writer_free(w);
}

/* Opens segment `name` as an entry with `mark`: FW_OK, or the error whose
 * message must hold `want`. */
static void expect_open(const char *name, uint64_t tag, uint64_t mark, const char *want)
{
    fw_manifest_segment ms = {{0}, 10, 12, 3, mark};
    snprintf(ms.name, sizeof ms.name, "%s", name);
    fw_seg seg;
    char why[512] = "";
    fw_status st = fw_segment_open(dir, &ms, tag, 0, &seg, why, sizeof why);
    if (!want) {
        if (st != FW_OK) fail_msg("%s: %s", name, why);
    } else {
        assert_int_equal(st, FW_ERR_FORMAT);
        if (!strstr(why, want)) fail_msg("%s: \"%s\" does not say \"%s\"", name, why, want);
    }
    fw_segment_close(&seg);
}

static void test_files_bound_to_the_entry(void **state)
{
    (void)state;
    const uint64_t tag = 0x1234, m = 0xabcdef0102030405u, other = 0x5555;
    assert_true(fw_index_mark_tag(tag, 0) == tag);
    assert_true(fw_index_mark_tag(tag, m) != tag && fw_index_mark_tag(tag, m) != fw_index_mark_tag(tag, other));
    write_segment("seg-good", m, tag, m);
    expect_open("seg-good", tag, m, NULL);
    /* the same files under an entry of another mark: the .docs refuses */
    expect_open("seg-good", tag, other, "seg-good.docs: not the segment the manifest names");
    /* or with no mark (an entry written before marks) */
    expect_open("seg-good", tag, 0, "seg-good.docs: not the segment the manifest names");
    /* a band file made for another segment's mark */
    write_segment("seg-mixed", m, tag, other);
    expect_open("seg-mixed", tag, m, "seg-mixed.bands: made with other parameters");
    /* the parameters still count */
    expect_open("seg-good", tag + 1, m, "seg-good.bands: made with other parameters");
    /* written before marks: nothing bound but the parameters, as then */
    write_segment("seg-old", 0, tag, 0);
    expect_open("seg-old", tag, 0, NULL);
    expect_open("seg-old", tag, m, "seg-old.docs: not the segment the manifest names");
}

/* DIR/MANIFEST made of `body` and its checksum line. */
static void write_manifest_text(const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "%schecksum %016" PRIx64 "\n", body, XXH3_64bits(body, strlen(body)));
    fclose(f);
}

static void test_manifest_keeps_marks(void **state)
{
    (void)state;
    fw_manifest m = {0};
    m.params.ngram = 5;
    m.params.perms = 128;
    m.params.bands = 16;
    m.params.rows = 6;
    m.params.threshold = 0.8;
    snprintf(m.params.normalization, sizeof m.params.normalization, "test");
    fw_manifest_segment segs[2] = {{"seg-000001", 0, 9, 10, 0},
                                   {"seg-000002", 10, 12, 3, 0x00ab00cd00ef0012u}};
    m.segs = segs;
    m.nsegs = 2;
    m.generation = 2;
    m.next_doc = 13;
    int durable;
    char why[512];
    assert_int_equal(fw_manifest_write(dir, &m, &durable, why, sizeof why), FW_OK);
    char path[256], text[4096];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    assert_non_null(strstr(text, "\nsegment seg-000001 0 9 10\n"));
    assert_non_null(strstr(text, "\nsegment seg-000002 10 12 3 00ab00cd00ef0012\n"));
    fw_manifest back;
    assert_int_equal(fw_manifest_read(dir, &back, why, sizeof why), FW_OK);
    assert_int_equal(back.nsegs, 2);
    assert_true(back.segs[0].mark == 0);
    assert_true(back.segs[1].mark == 0x00ab00cd00ef0012u);
    assert_true(back.segs[1].first == 10 && back.segs[1].last == 12 && back.segs[1].count == 3);
    fw_manifest_free(&back);
    /* the segment line with each bad mark, the rest of the text as written */
    char *seg2 = strstr(text, "segment seg-000002");
    char *sum = strstr(text, "checksum ");
    assert_non_null(seg2);
    assert_non_null(sum);
    static const char *const bad[] = {" 0000000000000000", " 00ab00cd00ef001",  " 00ab00cd00ef0012x",
                                      " zzab00cd00ef0012", "  00ab00cd00ef001", " -0ab00cd00ef0012",
                                      " 00ab00cd00ef0012 1", " 0x00ab00cd00ef00", " 00AB00CD00EF0012",
                                      " +0ab00cd00ef0012"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char body[4096];
        int n = snprintf(body, sizeof body, "%.*ssegment seg-000002 10 12 3%s\n",
                         (int)(seg2 - text), text, bad[k]);
        assert_true(n > 0 && (size_t)n < sizeof body);
        write_manifest_text(body);
        fw_status st = fw_manifest_read(dir, &back, why, sizeof why);
        if (st != FW_ERR_FORMAT) fail_msg("mark \"%s\" read", bad[k]);
        assert_non_null(strstr(why, "does not parse"));
    }
    /* and the line as written, through the same path, reads */
    char body[4096];
    snprintf(body, sizeof body, "%.*s", (int)(sum - text), text);
    write_manifest_text(body);
    assert_int_equal(fw_manifest_read(dir, &back, why, sizeof why), FW_OK);
    assert_true(back.segs[1].mark == 0x00ab00cd00ef0012u);
    fw_manifest_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mark_follows_content),
        cmocka_unit_test(test_files_bound_to_the_entry),
        cmocka_unit_test(test_manifest_keeps_marks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
