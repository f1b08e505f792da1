/*
 * scan_results.c — what a scan found, handed out after fw_scan_run():
 * documents, pairs, passages, passage groups, boilerplate and reuse, each
 * by a 0-based index. An accessor that takes an index checks it and the
 * call order, and fails with FW_ERR_ARG and a message (fw_scan_error())
 * rather than read out of bounds. With a memory limit, excerpts are read
 * back from their spill file into the caller's struct.
 */
#include "fanwen.h"
#include "scan.h"
#include "scan_internal.h"
#include "spill.h"

#include <stdlib.h>
#include <string.h>

/* The results phase, or FW_ERR_ARG naming the accessor that came early. */
static fw_status check_results(const fw_scan *s, const char *fn)
{
    if (s->phase == FW_SCAN_RUN) return FW_OK;
    return fw_scan_fail(s, FW_ERR_ARG, "%s: %s", fn,
                        s->phase == FW_SCAN_ADDING ? "no results before fw_scan_run()"
                                                   : "no results: fw_scan_run() failed");
}

/* An index below `n`, or FW_ERR_ARG. */
static fw_status check_index(const fw_scan *s, const char *fn, const char *what, uint64_t i,
                             uint64_t n)
{
    fw_status st = check_results(s, fn);
    if (st == FW_OK && i >= n)
        st = fw_scan_fail(s, FW_ERR_ARG, "%s: %s %llu out of range (%llu)", fn, what,
                          (unsigned long long)i, (unsigned long long)n);
    return st;
}

const char *fw_doc_status_name(fw_doc_status s)
{
    static const char *names[] = {"ok", "repaired", "empty", "binary", "error"};
    return (unsigned)s < FW_DOC_STATUS_COUNT ? names[s] : "unknown";
}

size_t fw_scan_doc_count(const fw_scan *s) { return s->ndocs; }

fw_status fw_scan_doc_by_rank(const fw_scan *s, size_t r, size_t *doc)
{
    fw_status st = check_index(s, "fw_scan_doc_by_rank", "rank", r, s->ndocs);
    if (st == FW_OK) *doc = s->by_rank[r];
    return st;
}

fw_status fw_scan_doc(const fw_scan *s, size_t i, fw_doc_info *info)
{
    fw_status st = check_index(s, "fw_scan_doc", "document", i, s->ndocs);
    if (st != FW_OK) return st;
    const fw_doc_record *d = &s->docs[i];
    info->id = d->id;
    info->rank = d->rank;
    info->status = d->status;
    info->bytes = d->bytes;
    info->chars = d->chars;
    info->shingles = d->nshingles;
    info->cluster = d->cluster;
    info->cluster_size = d->cluster_size;
    info->message = d->message ? d->message : "";
    info->passages = d->npassages;
    info->reused_share = info->boilerplate_share = 0;
    if (s->passage.spans.reused_chars) {
        info->reused_share = fw_aligned_share(s->passage.spans.reused_chars[d->rank], d->naligned);
        info->boilerplate_share =
            fw_aligned_share(s->passage.boilerplate_chars[d->rank], d->naligned);
    }
    return FW_OK;
}

size_t fw_scan_pair_count(const fw_scan *s) { return s->phase == FW_SCAN_RUN ? s->npairs : 0; }

fw_status fw_scan_pairs(const fw_scan *s, const fw_result_pair **pairs, size_t *count)
{
    fw_status st = check_results(s, "fw_scan_pairs");
    *pairs = st == FW_OK && s->npairs ? s->pairs : NULL;
    *count = st == FW_OK ? s->npairs : 0;
    return st;
}

/* A passage's excerpt, made into `out` (FW_EXCERPT_SIZE bytes) from its
 * document's text when asked for: in memory, or with a memory limit read
 * back from the spill file. Made at cutting time for every passage, they
 * took as long as cutting and 40 MB on laws.jsonl, for reports that show
 * a third of them (the grouped ones). */
static fw_status copy_excerpt(const fw_scan *s, size_t doc, const fw_passage *p, char *out)
{
    const fw_doc_record *d = &s->docs[doc];
    out[0] = '\0';
    if (!s->bounded) {
        fw_excerpt(d->text, p->byte_start, p->byte_end, out);
        return FW_OK;
    }
    size_t n = (size_t)(p->byte_end - p->byte_start);
    char *bytes = malloc(n ? n : 1);
    if (!bytes) return fw_scan_fail(s, FW_ERR_NOMEM, "out of memory reading a passage back");
    fw_status st = fw_spill_read(&s->text_file, d->text_at + p->byte_start, bytes, n);
    if (st == FW_OK) fw_excerpt(bytes, 0, n, out);
    free(bytes);
    if (st != FW_OK)
        return fw_scan_fail(s, st, "cannot read a passage back from the temporary directory %s",
                            s->tmp_dir ? s->tmp_dir : "($TMPDIR or /tmp)");
    return FW_OK;
}

static fw_status passage_info(const fw_scan *s, size_t doc, uint32_t k, fw_passage_info *info)
{
    const fw_passage *p = &s->docs[doc].passages[k];
    info->doc = (uint32_t)doc;
    info->index = k + 1;
    info->byte_start = p->byte_start;
    info->byte_end = p->byte_end;
    info->chars = p->chars;
    info->group = p->group;
    return copy_excerpt(s, doc, p, info->text);
}

uint32_t fw_scan_doc_passage_count(const fw_scan *s, size_t doc)
{
    return s->phase == FW_SCAN_RUN && doc < s->ndocs ? s->docs[doc].npassages : 0;
}

fw_status fw_scan_doc_passage(const fw_scan *s, size_t doc, uint32_t i, fw_passage_info *info)
{
    fw_status st = check_index(s, "fw_scan_doc_passage", "document", doc, s->ndocs);
    if (st == FW_OK)
        st = check_index(s, "fw_scan_doc_passage", "passage", i, s->docs[doc].npassages);
    return st == FW_OK ? passage_info(s, doc, i, info) : st;
}

fw_status fw_scan_doc_passage_bytes(const fw_scan *s, size_t doc, uint32_t i, uint64_t *start,
                                    uint64_t *end, uint64_t *group)
{
    fw_status st = check_index(s, "fw_scan_doc_passage_bytes", "document", doc, s->ndocs);
    if (st == FW_OK)
        st = check_index(s, "fw_scan_doc_passage_bytes", "passage", i, s->docs[doc].npassages);
    if (st != FW_OK) return st;
    const fw_passage *p = &s->docs[doc].passages[i];
    *start = p->byte_start;
    *end = p->byte_end;
    *group = p->group;
    return FW_OK;
}

size_t fw_scan_grouped_count(const fw_scan *s)
{
    return s->phase == FW_SCAN_RUN ? s->passage.ngrouped : 0;
}

fw_status fw_scan_grouped_passage(const fw_scan *s, size_t i, fw_passage_info *info)
{
    fw_status st = check_index(s, "fw_scan_grouped_passage", "grouped passage", i,
                               s->passage.ngrouped);
    if (st != FW_OK) return st;
    uint64_t p = s->passage.grouped[i];
    size_t r = fw_passage_doc_of(&s->passage, s->ndocs, p);
    return passage_info(s, s->by_rank[r], (uint32_t)(p - s->passage.first[r]), info);
}

size_t fw_scan_group_count(const fw_scan *s)
{
    return s->phase == FW_SCAN_RUN ? s->passage.ngroups : 0;
}

static fw_status group_info(const fw_scan *s, uint64_t group, fw_group_info *info)
{
    const fw_passage_group *g = &s->passage.groups[group - 1];
    size_t r = fw_passage_doc_of(&s->passage, s->ndocs, g->first);
    const size_t doc = s->by_rank[r];
    const fw_passage *p = &s->docs[doc].passages[g->first - s->passage.first[r]];
    info->group = group;
    info->passages = g->passages;
    info->docs = g->docs;
    info->boilerplate = g->boilerplate;
    info->line = 0;
    info->chars = p->chars;
    return copy_excerpt(s, doc, p, info->text);
}

fw_status fw_scan_group(const fw_scan *s, size_t i, fw_group_info *info)
{
    fw_status st = check_index(s, "fw_scan_group", "group position", i, s->passage.ngroups);
    return st == FW_OK ? group_info(s, i + 1, info) : st;
}

size_t fw_scan_boilerplate_count(const fw_scan *s)
{
    return s->phase == FW_SCAN_RUN ? s->nboilerplate : 0;
}

fw_status fw_scan_boilerplate(const fw_scan *s, size_t i, fw_group_info *info)
{
    fw_status st = check_index(s, "fw_scan_boilerplate", "boilerplate row", i, s->nboilerplate);
    if (st != FW_OK) return st;
    const fw_boilerplate_entry *e = &s->boilerplate[i];
    if (!e->line) return group_info(s, e->index, info);
    const fw_boilerplate_line *l = &s->lines[e->index - 1]; /* lines are by number */
    memset(info, 0, sizeof *info);
    info->group = l->number;
    info->passages = info->docs = l->docs;
    info->boilerplate = info->line = 1;
    info->chars = l->chars;
    memcpy(info->text, l->text, sizeof info->text);
    return FW_OK;
}

size_t fw_scan_reuse_count(const fw_scan *s)
{
    return s->phase == FW_SCAN_RUN ? s->passage.spans.nreuse : 0;
}

fw_status fw_scan_reuse(const fw_scan *s, const fw_reuse_pair **pairs, size_t *count)
{
    fw_status st = check_results(s, "fw_scan_reuse");
    *pairs = st == FW_OK && s->passage.spans.nreuse ? s->passage.spans.reuse : NULL;
    *count = st == FW_OK ? s->passage.spans.nreuse : 0;
    return st;
}

void fw_scan_get_stats(const fw_scan *s, fw_scan_stats *stats) { *stats = s->stats; }

size_t fw_scan_span_count(const fw_scan *s)
{
    return s->phase == FW_SCAN_RUN ? s->passage.spans.nspans : 0;
}

fw_status fw_scan_spans(const fw_scan *s, const fw_reused_span **spans, size_t *count)
{
    fw_status st = check_results(s, "fw_scan_spans");
    *spans = st == FW_OK && s->passage.spans.nspans ? s->passage.spans.spans : NULL;
    *count = st == FW_OK ? s->passage.spans.nspans : 0;
    return st;
}

size_t fw_scan_substitution_count(const fw_scan *s)
{
    return s->phase == FW_SCAN_RUN ? s->passage.spans.nsubstitutions : 0;
}

fw_status fw_scan_substitution(const fw_scan *s, size_t i, fw_substitution *row)
{
    fw_status st = check_index(s, "fw_scan_substitution", "substitution", i,
                               s->passage.spans.nsubstitutions);
    if (st != FW_OK) return st;
    const fw_swap_row *r = &s->passage.spans.substitutions[i];
    *row = (fw_substitution){r->variant, r->canonical, r->count, r->docs};
    return FW_OK;
}

fw_status fw_scan_doc_text(const fw_scan *s, size_t doc, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    fw_status st = check_index(s, "fw_scan_doc_text", "document", doc, s->ndocs);
    if (st != FW_OK) return st;
    if (!s->passage_minhasher)
        return fw_scan_fail(s, FW_ERR_ARG, "fw_scan_doc_text: texts are kept only with the "
                            "passage level (options.passages)");
    const fw_doc_record *d = &s->docs[doc];
    /* sketch.c keeps the text of every document it sketched, but for one
     * over 4 GB (whose passages are not cut) */
    const int kept = (d->status == FW_DOC_OK || d->status == FW_DOC_REPAIRED) &&
                     d->bytes <= UINT32_MAX && (d->text || s->bounded);
    size_t n = kept ? d->bytes : 0;
    char *out = malloc(n + 1);
    if (!out) return fw_scan_fail(s, FW_ERR_NOMEM, "fw_scan_doc_text: out of memory");
    if (n && d->text) {
        memcpy(out, d->text, n);
    } else if (n && (st = fw_spill_read(&s->text_file, d->text_at, out, n)) != FW_OK) {
        free(out);
        return fw_scan_fail(s, st, "cannot read the text of %s back from the temporary "
                            "directory %s", d->id, s->tmp_dir ? s->tmp_dir : "($TMPDIR or /tmp)");
    }
    out[n] = '\0';
    *text = out;
    *len = n;
    return FW_OK;
}
