/*
 * test_template.c — template normalization (--template): digit runs folded,
 * canon tables (longest match, TSV loading and its errors), and the whole
 * scan finding a copy with every year and figure changed, and a copy with
 * the synonym swaps of seed 004, only in template mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fanwen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "results.h"

static fw_normalizer *nz;

/* Normalizes then templates `text`; returns the result as UTF-8 in buf. */
static const char *templated(const fw_template *t, const char *text, char *buf, size_t size)
{
    uint32_t *cps = NULL, *out = NULL;
    size_t cap = 0, n = 0, ocap = 0, on = 0;
    assert_int_equal(fw_normalize(nz, text, strlen(text), &cps, &cap, &n, NULL), FW_OK);
    assert_int_equal(fw_template_apply(t, cps, n, &out, &ocap, &on), FW_OK);
    size_t w = 0;
    for (size_t i = 0; i < on; i++) {
        assert_true(w + 4 < size);
        w += fw_utf8_encode(buf + w, out[i]);
    }
    buf[w] = '\0';
    free(cps);
    free(out);
    return buf;
}

static void test_digit_runs_fold(void **state)
{
    (void)state;
    fw_template *t;
    char buf[256];
    assert_int_equal(fw_template_new(1, &t), FW_OK);
    assert_string_equal(templated(t, "2015年上半年，投入631万元。", buf, sizeof buf),
                        "0年上半年投入0万元");
    /* full-width digits (NFKC) and other scripts' digits are digits too */
    assert_string_equal(templated(t, "２０２４年", buf, sizeof buf), "0年");
    assert_string_equal(templated(t, "\xd9\xa2\xd9\xa0\xd9\xa1\xd9\xa5 x 7.5%", buf, sizeof buf),
                        "0x0");
    /* Chinese numerals are words, not digits */
    assert_string_equal(templated(t, "第二批", buf, sizeof buf), "第二批");
    fw_template_free(t);
    assert_int_equal(fw_template_new(0, &t), FW_OK);
    assert_string_equal(templated(t, "2015年", buf, sizeof buf), "2015年");
    fw_template_free(t);
}

static void test_canon_longest_match(void **state)
{
    (void)state;
    fw_template *t;
    char buf[256];
    assert_int_equal(fw_template_new(0, &t), FW_OK);
    assert_int_equal(fw_template_add_canon(t, "ab", "X"), FW_OK);
    assert_int_equal(fw_template_add_canon(t, "ＡＢＣ", "y z"), FW_OK); /* normalized: abc → yz */
    assert_int_equal(fw_template_canon_size(t), 2);
    /* canonical forms are normalized too: X → x */
    assert_string_equal(templated(t, "abcab abd", buf, sizeof buf), "yzxxd");
    assert_int_equal(fw_template_add_canon(t, "，。", "x"), FW_ERR_FORMAT); /* empty variant */
    assert_non_null(strstr(fw_template_error(t), "empty"));
    fw_template_free(t);
}

/* The default table maps the seed-004 wording back to the standard one. */
static void test_default_canon(void **state)
{
    (void)state;
    fw_template *t;
    char a[512], b[512];
    assert_int_equal(fw_template_new(1, &t), FW_OK);
    assert_int_equal(fw_template_add_default_canon(t), FW_OK);
    assert_true(fw_template_canon_size(t) >= 30);
    templated(t, "全面推动我市教育事业的科学均衡进展，为我市胜利创立先进市奠定了根底。"
                 "加大农村遥远地区学校信息化建立投入，启动优质数字资源全掩盖行动。"
                 "一般高中在校学生15653人。", a, sizeof a);
    templated(t, "全面推进我市教育事业的科学均衡发展，为我市成功创建先进市奠定了基础。"
                 "加大农村偏远地区学校信息化建设投入，启动优质数字资源全覆盖行动。"
                 "普通高中在校学生15000人。", b, sizeof b);
    assert_string_equal(a, b);
    fw_template_free(t);
}

static void test_load_canon(void **state)
{
    (void)state;
    char path[] = "/tmp/fanwen-canon-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *good = "# variant\tcanonical\r\n\r\n根底\t基础\r\n进展\t发展\n";
    assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
    close(fd);
    fw_template *t;
    char buf[128];
    assert_int_equal(fw_template_new(0, &t), FW_OK);
    assert_int_equal(fw_template_load_canon(t, path), FW_OK);
    assert_int_equal(fw_template_canon_size(t), 2);
    assert_string_equal(templated(t, "根底进展", buf, sizeof buf), "基础发展");
    fw_template_free(t);

    FILE *f = fopen(path, "w");
    fputs("根底\t基础\nno tab here\n", f);
    fclose(f);
    assert_int_equal(fw_template_new(0, &t), FW_OK);
    assert_int_equal(fw_template_load_canon(t, path), FW_ERR_FORMAT);
    assert_non_null(strstr(fw_template_error(t), ":2: expected two tab-separated fields"));
    fw_template_free(t);
    /* a table in GBK (进展 发展) matches nothing, and is refused; a variant
     * given again is nothing new, for another canonical form refused */
    static const struct { const char *text; fw_status st; const char *why; size_t n; } tables[] = {
        {"\xBD\xF8\xD5\xB9\t\xB7\xA2\xD5\xB9\n", FW_ERR_FORMAT, ":1: not UTF-8", 0},
        {"进展\t发展\n进展\t发展\n", FW_OK, NULL, 1},
        {"进展\t增长\n进展\t发展\n", FW_ERR_FORMAT,
         ":2: variant \"进展\" is given twice, for two canonical forms", 0},
    };
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        f = fopen(path, "w");
        fputs(tables[i].text, f);
        fclose(f);
        assert_int_equal(fw_template_new(0, &t), FW_OK);
        assert_int_equal(fw_template_load_canon(t, path), tables[i].st);
        if (tables[i].why && !strstr(fw_template_error(t), tables[i].why))
            fail_msg("'%s' is not '%s'", fw_template_error(t), tables[i].why);
        if (tables[i].st == FW_OK) assert_int_equal(fw_template_canon_size(t), tables[i].n);
        fw_template_free(t);
    }
    unlink(path);
    assert_int_equal(fw_template_new(0, &t), FW_OK);
    assert_int_equal(fw_template_load_canon(t, path), FW_ERR_IO);
    assert_non_null(strstr(fw_template_error(t), path));
    fw_template_free(t);
}

/* ------------------------------------------------------------- end to end */

static const char *const SENTENCES[] = {
    "%d年上半年，全市教育系统坚持发展为先，新建校舍%d所，投入资金%d万元。",
    "夯实基础教育，建设标准化学校%d所，覆盖率达到%d%%，学生健康体检%d人次。",
    "督促各镇街做好迎检工作，成功创建教育强镇%d个，推进教育现代化取得实效。",
    "全年培训教师%d人次，其中骨干教师%d名，教师队伍建设成效显著。",
    "%d年秋季学期，全市小学在校学生%d人，初中在校学生%d人，巩固率保持在%d%%以上。",
    "扎实推进校园安全工作，排查隐患%d处，整改%d处，确保师生健康平安。",
};

/* A report of `n` sentences whose figures come from `seed`. */
static char *report(int n, int seed)
{
    size_t cap = 16384, len = 0;
    char *out = malloc(cap);
    for (int i = 0; i < n; i++) {
        int a = 2010 + (i * 7 + seed) % 15, b = 10 + (i * 37 + seed * 11) % 900,
            c = 100 + (i * 53 + seed * 7) % 9000, d = 50 + (i * 3 + seed) % 50;
        len += (size_t)snprintf(out + len, cap - len, SENTENCES[i % 6], a, b, c, d);
        if (i % 3 == 2) len += (size_t)snprintf(out + len, cap - len, "\n");
    }
    return out;
}

/* Every occurrence of the standard words replaced as seed 004 does. */
static char *swap_synonyms(const char *text)
{
    static const char *const swaps[][2] = {
        {"发展", "进展"}, {"基础", "根底"}, {"建设", "建立"}, {"覆盖", "掩盖"},
        {"健康", "安康"}, {"督促", "催促"}, {"成功", "胜利"}, {"创建", "创立"},
        {"推进", "推动"}, {"达到", "到达"}, {"巩固率", "保存率"}};
    char *s = strdup(text);
    for (size_t k = 0; k < sizeof swaps / sizeof *swaps; k++) {
        /* same byte length: replace in place */
        assert_int_equal(strlen(swaps[k][0]), strlen(swaps[k][1]));
        for (char *p = strstr(s, swaps[k][0]); p; p = strstr(p, swaps[k][0]))
            memcpy(p, swaps[k][1], strlen(swaps[k][1]));
    }
    return s;
}

/* Exact Jaccard reported for the pair (base, copy), or -1 if not reported. */
static double scan_pair(const char *base, const char *copy, int template_mode)
{
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.template_mode = template_mode;
    o.threads = 2;
    fw_scan *s;
    assert_int_equal(fw_scan_new(&o, &s, NULL, 0), FW_OK);
    assert_int_equal(fw_scan_add_text(s, "a-base", base, strlen(base)), FW_OK);
    assert_int_equal(fw_scan_add_text(s, "b-copy", copy, strlen(copy)), FW_OK);
    const char *unrelated = "完全不同的另一篇文章，讲的是春天的花和秋天的果。";
    assert_int_equal(fw_scan_add_text(s, "c-unrelated", unrelated, strlen(unrelated)), FW_OK);
    assert_int_equal(fw_scan_run(s), FW_OK);
    double j = -1;
    for (size_t i = 0; i < fw_scan_pair_count(s); i++) {
        const fw_result_pair *p = &pairs_of(s)[i];
        if ((p->a == 0 && p->b == 1) || (p->a == 1 && p->b == 0)) j = p->jaccard;
        else fail_msg("unexpected pair %u-%u", p->a, p->b);
    }
    fw_scan_free(s);
    return j;
}

static void test_scan_finds_template_copies(void **state)
{
    (void)state;
    char *base = report(24, 1);
    char *figures = report(24, 5); /* every year and figure changed */
    double without = scan_pair(base, figures, 0), with = scan_pair(base, figures, 1);
    print_message("    figures changed: J %.3f without --template, %.3f with\n", without, with);
    assert_true(without < 0); /* not reported without */
    assert_true(with >= 0.99);
    char *swapped = swap_synonyms(base);
    assert_true(strcmp(swapped, base) != 0);
    without = scan_pair(base, swapped, 0);
    with = scan_pair(base, swapped, 1);
    print_message("    synonyms swapped: J %.3f without --template, %.3f with\n", without, with);
    assert_true(without < 0);
    assert_true(with >= 0.99);
    free(base);
    free(figures);
    free(swapped);
}

static int setup(void **state) { (void)state; return fw_normalizer_new(&nz) == FW_OK ? 0 : -1; }
static int teardown(void **state) { (void)state; fw_normalizer_free(nz); return 0; }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digit_runs_fold),
        cmocka_unit_test(test_canon_longest_match),
        cmocka_unit_test(test_default_canon),
        cmocka_unit_test(test_load_canon),
        cmocka_unit_test(test_scan_finds_template_copies),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
