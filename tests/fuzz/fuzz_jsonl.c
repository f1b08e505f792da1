/*
 * fuzz_jsonl.c — arbitrary bytes as one JSON line through the internal
 * parser (src/jsonl.h), with the per-thread scratch memory and without.
 *
 * Checked: the parse succeeds (only memory can fail it); a line gives
 * either a text or an error message, never both; the text lies inside the
 * line, its unescaped copy or its repaired copy; a valid UTF-8 line gives
 * a valid UTF-8 text whatever its escapes (yajl lets some invalid bytes
 * through, which normalization repairs); the id is a C string; both ways of
 * parsing give the same result. Everything is released (leaks fail).
 */
#include "jsonl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static fw_jsonl_scratch scratch;

static int inside(const char *p, size_t n, const char *buf, size_t len)
{
    return buf && p >= buf && p + n <= buf + len;
}

static void check_doc(const fw_jsonl_doc *d, const char *line, size_t len)
{
    if (!d->text) {
        CHECK(d->len == 0 && d->error[0]);
        return;
    }
    CHECK(d->error[0] == '\0');
    if (d->owned) CHECK(d->text == d->owned && d->text[d->len] == '\0');
    else if (d->repaired_line)
        CHECK(inside(d->text, d->len, d->repaired_line, strlen(d->repaired_line)));
    else CHECK(inside(d->text, d->len, line, len));
    if (fw_utf8_valid_prefix(line, len) == len)
        CHECK(fw_utf8_valid_prefix(d->text, d->len) == d->len);
    if (d->id) (void)strlen(d->id);
}

static void check_same(const fw_jsonl_doc *a, const fw_jsonl_doc *b)
{
    CHECK(!a->text == !b->text && a->len == b->len);
    CHECK(!a->text || memcmp(a->text, b->text, a->len) == 0);
    CHECK(!a->id == !b->id && (!a->id || strcmp(a->id, b->id) == 0));
    CHECK(strcmp(a->error, b->error) == 0 && a->repaired == b->repaired);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    fw_jsonl_doc with, without;
    CHECK(fw_jsonl_parse(line, size, "text", "id", &scratch, &with) == FW_OK);
    check_doc(&with, line, size);
    CHECK(fw_jsonl_parse(line, size, "text", "id", NULL, &without) == FW_OK);
    check_doc(&without, line, size);
    check_same(&with, &without);
    fw_jsonl_done(&with);
    fw_jsonl_done(&without);
    return 0;
}
