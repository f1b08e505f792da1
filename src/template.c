/*
 * template.c — template normalization: what a 范文 copier changes, undone.
 *
 * A report copied from a template keeps its wording and changes its
 * figures: 2015年 becomes 2024年, 631万元 becomes 606万元. Doc-sharing
 * sites also run "pseudo-original" tools that swap words for odd synonyms
 * (发展 → 进展, 基础 → 根底) so that plagiarism checkers miss the copy.
 * Template mode undoes both on normalized text, before shingling:
 *
 *   - every run of decimal digits (Unicode Nd) becomes one "0", so any
 *     year or figure matches any other (runs, not digits: 99 ≡ 100);
 *   - strings of a canon table become their canonical form, longest match
 *     first, left to right; both sides of a comparison go through it, so a
 *     swapped word matches the original.
 *
 * The default table (DEFAULT_CANON below) was built by reading seed 004, a
 * docx dump from a doc-sharing site, against standard usage: each entry is
 * a substitution that site made (its text says 进展 where the bureau wrote
 * 发展, 掩盖率 for 覆盖率, 其次批 for 第二批), not a list of synonyms.
 */
#include "fanwen.h"
#include "grow.h"
#include "utf8_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* variant → canonical, as read in seed 004 (variant) against the standard
 * wording of education-bureau reports (canonical). */
static const char *const DEFAULT_CANON[][2] = {
    {"进展", "发展"},     /* 科学均衡进展, 教育进展规划 */
    {"根底", "基础"},     /* 奠定了根底, 根底教育信息化 */
    {"建立", "建设"},     /* 信息化建立, 队伍建立, 师德建立 */
    {"掩盖", "覆盖"},     /* 全掩盖, 掩盖率 */
    {"安康", "健康"},     /* 稳步安康进展 */
    {"催促", "督促"},     /* 指导催促各镇 */
    {"胜利", "成功"},     /* 胜利创立, 胜利举办 */
    {"创立", "创建"},     /* 创立广东省推进教育现代化先进市 */
    {"推动", "推进"},     /* 推动教育现代化先进市 */
    {"顺当", "顺利"},     /* 顺当通过, 顺当完成 */
    {"根本", "基本"},     /* 根本实现, 根本均衡县 */
    {"到达", "达到"},     /* 接入率到达100% */
    {"遥远", "偏远"},     /* 农村遥远地区 */
    {"其次", "第二"},     /* 其次期三年行动规划, 其次批 */
    {"发觉", "发现"},     /* 年检中发觉的问题 */
    {"治理", "管理"},     /* 认定治理扶持, 活动治理 */
    {"连续", "继续"},     /* 连续实施, 连续抓好 */
    {"消退", "消除"},     /* 消退义务教育大班额 */
    {"开头", "开始"},     /* 开头招生 */
    {"局部", "部分"},     /* 重要组成局部, 局部学校 */
    {"一般高中", "普通高中"}, /* 一般高中在校学生 */
    {"标准", "规范"},     /* 标准进展, 标准社会力气 */
    {"力气", "力量"},     /* 社会力气 */
    {"试验", "实验"},     /* 德恒试验学校, 试验中学 */
    {"肯定", "一定"},     /* 取得肯定成效 */
    {"仔细", "认真"},     /* 仔细落实一岗双责 */
    {"冲突", "矛盾"},     /* 化解冲突 */
    {"估计", "预计"},     /* 估计2023年秋季 */
    {"录用", "录取"},     /* 被清华大学录用 */
    {"竞赛", "比赛"},     /* 校园足球竞赛 */
    {"聘请", "招聘"},     /* 公开聘请 */
    {"面对", "面向"},     /* 面对社会 */
    {"素养", "素质"},     /* 整体素养 */
    {"保存率", "巩固率"}, /* 六年保存率 */
    {"工程", "项目"},     /* 该工程正按规划有序推进 */
};

typedef struct canon_entry {
    uint32_t *variant, *canonical;
    size_t vlen, clen;
} canon_entry;

struct fw_template {
    int fold_digits;
    canon_entry *entries;    /* sorted by first code point, longest first */
    size_t n, cap;
    uint8_t first[0x10000 / 8]; /* BMP code points that start a variant */
    fw_normalizer *nz;
    char error[256];
};

fw_status fw_template_new(int fold_digits, fw_template **out)
{
    *out = NULL;
    fw_template *t = calloc(1, sizeof *t);
    if (!t) return FW_ERR_NOMEM;
    t->fold_digits = fold_digits;
    fw_status st = fw_normalizer_new(&t->nz);
    if (st != FW_OK) {
        free(t);
        return st;
    }
    *out = t;
    return FW_OK;
}

void fw_template_free(fw_template *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->entries[i].variant);
        free(t->entries[i].canonical);
    }
    free(t->entries);
    fw_normalizer_free(t->nz);
    free(t);
}

const char *fw_template_error(const fw_template *t) { return t->error; }
size_t fw_template_canon_size(const fw_template *t) { return t->n; }

static int cmp_entry(const void *a, const void *b)
{
    const canon_entry *x = a, *y = b;
    if (x->variant[0] != y->variant[0]) return x->variant[0] < y->variant[0] ? -1 : 1;
    return (x->vlen < y->vlen) - (x->vlen > y->vlen); /* longest first */
}

/* Normalizes one side of an entry the way documents are normalized. */
static fw_status normalized(fw_template *t, const char *s, uint32_t **out, size_t *len)
{
    size_t cap = 0;
    *out = NULL;
    return fw_normalize(t->nz, s, strlen(s), out, &cap, len, NULL);
}

fw_status fw_template_add_canon(fw_template *t, const char *variant, const char *canonical)
{
    canon_entry e = {0};
    /* a table in another encoding would match nothing, or U+FFFD runs */
    if (!fw_utf8_check(variant, strlen(variant), FW_SIMD_BASELINE) ||
        !fw_utf8_check(canonical, strlen(canonical), FW_SIMD_BASELINE)) {
        snprintf(t->error, sizeof t->error, "not UTF-8 (a canon table is UTF-8 text)");
        return FW_ERR_FORMAT;
    }
    fw_status st = normalized(t, variant, &e.variant, &e.vlen);
    if (st == FW_OK) st = normalized(t, canonical, &e.canonical, &e.clen);
    if (st == FW_OK && e.vlen == 0) {
        snprintf(t->error, sizeof t->error, "variant \"%s\" is empty after normalization",
                 variant);
        st = FW_ERR_FORMAT;
    }
    /* a variant given again: the same entry is nothing new; another
     * canonical form for it would leave which one applies to the order */
    for (size_t i = 0; st == FW_OK && i < t->n; i++) {
        const canon_entry *o = &t->entries[i];
        if (o->vlen != e.vlen || memcmp(o->variant, e.variant, e.vlen * sizeof *e.variant))
            continue;
        if (o->clen == e.clen && !memcmp(o->canonical, e.canonical, e.clen * sizeof *e.canonical)) {
            free(e.variant);
            free(e.canonical);
            return FW_OK;
        }
        snprintf(t->error, sizeof t->error, "variant \"%s\" is given twice, for two canonical "
                 "forms (this one \"%s\")", variant, canonical);
        st = FW_ERR_FORMAT;
    }
    if (st == FW_OK && t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        canon_entry *grown = realloc(t->entries, cap * sizeof *grown);
        if (!grown) st = FW_ERR_NOMEM;
        else { t->entries = grown; t->cap = cap; }
    }
    if (st != FW_OK) {
        free(e.variant);
        free(e.canonical);
        return st;
    }
    t->entries[t->n++] = e;
    qsort(t->entries, t->n, sizeof *t->entries, cmp_entry);
    if (e.variant[0] < 0x10000) t->first[e.variant[0] >> 3] |= (uint8_t)(1u << (e.variant[0] & 7));
    return FW_OK;
}

fw_status fw_template_add_default_canon(fw_template *t)
{
    for (size_t i = 0; i < sizeof DEFAULT_CANON / sizeof *DEFAULT_CANON; i++) {
        fw_status st = fw_template_add_canon(t, DEFAULT_CANON[i][0], DEFAULT_CANON[i][1]);
        if (st != FW_OK) return st;
    }
    return FW_OK;
}

/* Prefixes the message of a failed entry with where it was read. */
static void at_line(fw_template *t, const char *path, size_t line_no)
{
    char why[sizeof t->error];
    memcpy(why, t->error, sizeof why);
    snprintf(t->error, sizeof t->error, "%.120s:%zu: %.120s", path, line_no, why);
}

/* One line of a TSV table, without its line end. */
static fw_status tsv_line(fw_template *t, char *line, const char *path, size_t line_no)
{
    if (line[0] == '\0' || line[0] == '#') return FW_OK; /* blank lines and comments */
    char *tab = strchr(line, '\t');
    if (!tab || strchr(tab + 1, '\t')) {
        snprintf(t->error, sizeof t->error,
                 "%s:%zu: expected two tab-separated fields: variant, canonical", path, line_no);
        return FW_ERR_FORMAT;
    }
    *tab = '\0';
    fw_status st = fw_template_add_canon(t, line, tab + 1);
    if (st == FW_ERR_FORMAT) at_line(t, path, line_no);
    return st;
}

/* A CSV field being read (only the first two of a row are kept). */
typedef struct csv_field {
    char *s;
    size_t len, cap;
} csv_field;

static int csv_put(csv_field *f, int c)
{
    if (!fw_grow(&f->s, &f->cap, f->len + 2, 1, 64)) return 0;
    f->s[f->len++] = (char)c;
    f->s[f->len] = '\0';
    return 1;
}

/* Reads one RFC 4180 record: quoted fields may hold commas, line breaks
 * and "" for a quote; records end with CRLF or LF. Fields 0 and 1 go to
 * f[0], f[1]; *nfields counts them all; *line_no advances past the record.
 * Returns 1 with a record, 0 at the end of the file, or an error. */
static int csv_record(fw_template *t, FILE *in, const char *path, size_t *line_no,
                      csv_field f[2], size_t *nfields)
{
    size_t start = *line_no, flen = 0; /* characters in the current field */
    int quoted = 0, closed = 0, any = 0;
    f[0].len = f[1].len = 0;
    *nfields = 1;
    for (;;) {
        int c = getc(in);
        if (c == EOF) {
            if (!quoted) return any;
            snprintf(t->error, sizeof t->error, "%s:%zu: quoted field not closed", path, start);
            return FW_ERR_FORMAT;
        }
        any = 1;
        if (c == '\n') ++*line_no;
        if (quoted) {
            if (c == '"') {
                int next = getc(in);
                if (next != '"') { /* the closing quote; "" is a quote */
                    if (next != EOF) ungetc(next, in);
                    quoted = 0;
                    closed = 1;
                    continue;
                }
            }
        } else if (c == ',') {
            ++*nfields;
            flen = 0;
            closed = 0;
            continue;
        } else if (c == '\n') {
            return 1;
        } else if (c == '\r') {
            int next = getc(in);
            if (next == '\n') ++*line_no;
            else if (next != EOF) ungetc(next, in);
            return 1;
        } else if (c == '"' && flen == 0 && !closed) {
            quoted = 1;
            continue;
        } else if (closed || c == '"') {
            snprintf(t->error, sizeof t->error, "%s:%zu: %s", path, *line_no,
                     closed ? "text after a closing quote" : "quote inside an unquoted field");
            return FW_ERR_FORMAT;
        }
        flen++;
        if (*nfields <= 2 && !csv_put(&f[*nfields - 1], c)) return FW_ERR_NOMEM;
    }
}

/* The rows of a CSV table after its header: the first two fields of each
 * (variant, canonical); more fields (substitutions.csv's count, docs) are
 * read past, blank lines skipped. */
static fw_status csv_rows(fw_template *t, FILE *in, const char *path)
{
    csv_field f[2] = {{0}};
    size_t line_no = 2, nfields;
    fw_status st = FW_OK;
    for (;;) {
        size_t start = line_no;
        int got = csv_record(t, in, path, &line_no, f, &nfields);
        if (got <= 0) {
            st = got;
            break;
        }
        if (nfields == 1 && f[0].len == 0) continue; /* a blank line */
        if (nfields < 2) {
            snprintf(t->error, sizeof t->error,
                     "%s:%zu: expected comma-separated fields: variant, canonical", path, start);
            st = FW_ERR_FORMAT;
            break;
        }
        st = fw_template_add_canon(t, f[0].len ? f[0].s : "", f[1].len ? f[1].s : "");
        if (st == FW_ERR_FORMAT) at_line(t, path, start);
        if (st != FW_OK) break;
    }
    free(f[0].s);
    free(f[1].s);
    return st;
}

/* Whether a first line (without its end) is the header of a CSV table:
 * it starts with "variant,canonical", after a UTF-8 byte order mark. */
static int csv_header(const char *line)
{
    if (strncmp(line, "\xEF\xBB\xBF", 3) == 0) line += 3;
    return strncmp(line, "variant,canonical", 17) == 0 &&
           (line[17] == '\0' || line[17] == ',');
}

fw_status fw_template_load_canon(fw_template *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(t->error, sizeof t->error, "%s: %s", path, strerror(errno));
        return FW_ERR_IO;
    }
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t got;
    fw_status st = FW_OK;
    while (st == FW_OK && (got = getline(&line, &cap, f)) != -1) {
        line_no++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        if (line_no == 1 && csv_header(line)) {
            st = csv_rows(t, f, path);
            break;
        }
        st = tsv_line(t, line, path, line_no);
    }
    if (st == FW_OK && ferror(f)) {
        snprintf(t->error, sizeof t->error, "%s: %s", path, strerror(errno));
        st = FW_ERR_IO;
    }
    free(line);
    fclose(f);
    return st;
}

static int is_digit(uint32_t c)
{
    if (c < 0x80) return c >= '0' && c <= '9';
    return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND;
}

/* The longest variant starting at cps[i], or NULL. */
static const canon_entry *match(const fw_template *t, const uint32_t *cps, size_t len, size_t i)
{
    uint32_t c = cps[i];
    if (c < 0x10000 && !((t->first[c >> 3] >> (c & 7)) & 1)) return NULL;
    size_t lo = 0, hi = t->n;
    while (lo < hi) { /* first entry starting with c */
        size_t mid = (lo + hi) / 2;
        if (t->entries[mid].variant[0] < c) lo = mid + 1; else hi = mid;
    }
    for (; lo < t->n && t->entries[lo].variant[0] == c; lo++) {
        const canon_entry *e = &t->entries[lo];
        if (e->vlen <= len - i && memcmp(e->variant, cps + i, e->vlen * sizeof *cps) == 0)
            return e;
    }
    return NULL;
}

static inline __attribute__((always_inline)) fw_status
apply(const fw_template *t, const uint32_t *cps, const uint32_t *offs, size_t len,
      uint32_t **out, size_t *cap, size_t *out_len, uint32_t **out_offs, size_t *ocap)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        const uint32_t *add = cps + i;
        size_t take = 1, put = 1;
        uint32_t zero = '0';
        const canon_entry *e = t->n ? match(t, cps, len, i) : NULL;
        if (e) {
            take = e->vlen;
            add = e->canonical;
            put = e->clen;
        } else if (t->fold_digits && is_digit(cps[i])) {
            while (i + take < len && is_digit(cps[i + take])) take++;
            add = &zero;
        }
        if (!fw_grow(out, cap, n + put, sizeof **out, 256)) return FW_ERR_NOMEM;
        memcpy(*out + n, add, put * sizeof *add);
        if (offs) {
            if (!fw_grow(out_offs, ocap, n + put, sizeof **out_offs, 256)) return FW_ERR_NOMEM;
            for (size_t k = 0; k < put; k++) (*out_offs)[n + k] = offs[i];
        }
        n += put;
        i += take;
    }
    *out_len = n;
    return FW_OK;
}

fw_status fw_template_apply(const fw_template *t, const uint32_t *cps, size_t len,
                            uint32_t **out, size_t *cap, size_t *out_len)
{
    return apply(t, cps, NULL, len, out, cap, out_len, NULL, NULL);
}

fw_status fw_template_apply_mapped(const fw_template *t, const uint32_t *cps,
                                   const uint32_t *offsets, size_t len,
                                   uint32_t **out, size_t *cap, size_t *out_len,
                                   uint32_t **out_offsets, size_t *out_offsets_cap)
{
    return apply(t, cps, offsets, len, out, cap, out_len, out_offsets, out_offsets_cap);
}
