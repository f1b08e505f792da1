/*
 * test_plan.c — the staged scan through the library (fw_plan_*): every task
 * run in this process gives the reports fw_scan gives; plans with other
 * options, of another version, damaged, or with a memory limit are refused
 * with a message saying why; a task without its inputs, or out of range,
 * fails. (tests/test_staged.sh drives the CLI on larger corpora.)
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
#include <xxhash.h>

static char dir[256];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fanwen-test-plan-XXXXXX");
    if (!mkdtemp(dir) || chdir(dir) != 0) return -1;
    static const char *texts[] = {
        "关于二〇二三年上半年工作总结。今年以来，在县委县政府的正确领导下，我局认真贯彻落实各项决策部署，"
        "扎实推进重点工作，群众满意度明显提升，各项任务圆满完成。",
        "关于二〇二四年上半年工作总结。今年以来，在县委县政府的正确领导下，我局认真贯彻落实各项决策部署，"
        "扎实推进重点工作，群众满意度明显提升，各项任务圆满完成。",
        "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",
        "关于二〇二三年上半年工作总结。今年以来，在县委县政府的正确领导下，我局认真贯彻落实各项决策部署，"
        "扎实推进重点工作，群众满意度明显提升，各项任务圆满完成。"};
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "in%d.txt", i);
        FILE *f = fopen(name, "w");
        if (!f) return -1;
        fputs(texts[i], f);
        fclose(f);
    }
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static const char *const paths[] = {"in0.txt", "in1.txt", "in2.txt", "in3.txt", "missing.txt"};
#define NPATHS 5

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(la, lb);
    assert_memory_equal(x, y, la);
    free(x);
    free(y);
}

static void test_tasks_give_the_scans_reports(void **state)
{
    (void)state;
    fw_scan_options o;
    fw_scan_options_default(&o);
    o.threads = 1;
    fw_scan *scan;
    assert_int_equal(fw_scan_new(&o, &scan, NULL, 0), FW_OK);
    for (int i = 0; i < NPATHS; i++) assert_int_equal(fw_scan_add_path(scan, paths[i]), FW_OK);
    assert_int_equal(fw_scan_run(scan), FW_OK);
    assert_int_equal(fw_report_write(scan, "ref", NULL), FW_OK);
    fw_scan_free(scan);

    fw_plan_layout layout = {3, 2, "out", NULL, NULL};
    char why[1024];
    assert_int_equal(fw_plan_create("w", &o, paths, NPATHS, &layout, why, sizeof why), FW_OK);
    fw_plan *plan;
    assert_int_equal(fw_plan_open("w", &plan, why, sizeof why), FW_OK);
    assert_int_equal(fw_plan_tasks(plan, FW_STAGE_SKETCH), 3);
    assert_int_equal(fw_plan_tasks(plan, FW_STAGE_BANDS), 2);
    assert_int_equal(fw_plan_tasks(plan, FW_STAGE_FINISH), 1);
    for (int s = 0; s < FW_STAGE_COUNT; s++)
        for (unsigned i = 0; i < fw_plan_tasks(plan, (fw_stage)s); i++) {
            assert_false(fw_plan_task_done(plan, (fw_stage)s, i));
            fw_status st = fw_plan_run_task(plan, (fw_stage)s, i, 1);
            if (st != FW_OK) fail_msg("%s %u: %s", fw_stage_name((fw_stage)s), i, fw_plan_error(plan));
            assert_true(fw_plan_task_done(plan, (fw_stage)s, i));
        }
    fw_plan_free(plan);
    static const char *const csvs[] = {"pairs.csv", "clusters.csv", "docs.csv", "passages.csv",
                                       "reuse.csv", "spans.csv", "boilerplate.csv",
                                       "substitutions.csv"};
    for (size_t i = 0; i < sizeof csvs / sizeof *csvs; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "ref/%s", csvs[i]);
        snprintf(b, sizeof b, "out/%s", csvs[i]);
        assert_same_file(a, b);
    }
    size_t len;
    char *pairs = slurp("out/pairs.csv", &len);
    assert_non_null(strstr(pairs, "in0.txt,in3.txt,")); /* the copy was found */
    free(pairs);
}

static void test_other_options_are_refused(void **state)
{
    (void)state;
    fw_scan_options o;
    fw_scan_options_default(&o);
    fw_plan_layout layout = {2, 1, "out", NULL, NULL};
    char why[1024];
    assert_int_equal(fw_plan_create("w2", &o, paths, NPATHS, &layout, why, sizeof why), FW_OK);
    assert_int_equal(fw_plan_create("w2", &o, paths, NPATHS, &layout, why, sizeof why), FW_OK);
    o.ngram = 4;
    assert_int_equal(fw_plan_create("w2", &o, paths, NPATHS, &layout, why, sizeof why),
                     FW_ERR_ARG);
    assert_non_null(strstr(why, "'option ngram 5', not 'option ngram 4'"));
    o.ngram = 5;
    layout.partitions = 3;
    assert_int_equal(fw_plan_create("w2", &o, paths, NPATHS, &layout, why, sizeof why),
                     FW_ERR_ARG);
    assert_non_null(strstr(why, "'partitions 1', not 'partitions 3'"));
    layout.partitions = 1;
    o.memory_limit = 1 << 30;
    assert_int_equal(fw_plan_create("w3", &o, paths, NPATHS, &layout, why, sizeof why),
                     FW_ERR_ARG);
    assert_non_null(strstr(why, "--memory-limit"));
    assert_int_equal(access("w3", F_OK), -1); /* nothing made */
}

/* Rewrites w2/plan with another version line and its hash made again. */
static void replan_version(const char *version)
{
    size_t len;
    char *text = slurp("w2/plan", &len);
    assert_non_null(text);
    char *body = strchr(strchr(text, '\n') + 1, '\n') + 1;
    char *rest = strchr(body, '\n'); /* after "version X" */
    char fresh[65536];
    int n = snprintf(fresh, sizeof fresh, "version %s%s", version, rest);
    FILE *f = fopen("w2/plan", "w");
    fprintf(f, "fanwen-plan 1\nhash %016llx\n%s",
            (unsigned long long)XXH3_64bits(fresh, (size_t)n), fresh);
    fclose(f);
    free(text);
}

static void test_another_version_or_damage_is_refused(void **state)
{
    (void)state;
    char why[1024];
    fw_plan *plan;
    replan_version("0.0.1");
    assert_int_equal(fw_plan_open("w2", &plan, why, sizeof why), FW_ERR_ARG);
    assert_null(plan);
    assert_non_null(strstr(why, "planned by fanwen 0.0.1; this is fanwen " FW_VERSION_STRING));
    replan_version(FW_VERSION_STRING);
    assert_int_equal(fw_plan_open("w2", &plan, why, sizeof why), FW_OK);
    fw_plan_free(plan);
    FILE *f = fopen("w2/plan", "r+"); /* a flipped byte in the body */
    fseek(f, -3, SEEK_END);
    fputc('X', f);
    fclose(f);
    assert_int_equal(fw_plan_open("w2", &plan, why, sizeof why), FW_ERR_FORMAT);
    assert_non_null(strstr(why, "damaged"));
    assert_int_equal(fw_plan_open("nowhere", &plan, why, sizeof why), FW_ERR_IO);
}

static void test_tasks_without_inputs_fail(void **state)
{
    (void)state;
    fw_scan_options o;
    fw_scan_options_default(&o);
    fw_plan_layout layout = {2, 2, "out4", NULL, NULL};
    char why[1024];
    fw_plan *plan;
    assert_int_equal(fw_plan_create("w4", &o, paths, NPATHS, &layout, why, sizeof why), FW_OK);
    assert_int_equal(fw_plan_open("w4", &plan, why, sizeof why), FW_OK);
    assert_int_equal(fw_plan_run_task(plan, FW_STAGE_BANDS, 1, 1), FW_ERR_ARG);
    assert_non_null(strstr(fw_plan_error(plan), "task bands 1 needs sketch task 0, which has "
                                                "not finished"));
    assert_int_equal(fw_plan_run_task(plan, FW_STAGE_SKETCH, 2, 1), FW_ERR_ARG);
    assert_non_null(strstr(fw_plan_error(plan), "stage sketch has tasks 0 to 1, not 2"));
    assert_int_equal(fw_plan_run_task(plan, FW_STAGE_SKETCH, 0, 1), FW_OK);
    assert_int_equal(fw_plan_run_task(plan, FW_STAGE_SKETCH, 1, 1), FW_OK);
    assert_int_equal(fw_plan_run_task(plan, FW_STAGE_FINISH, 0, 1), FW_ERR_ARG);
    assert_non_null(strstr(fw_plan_error(plan), "needs rank task 0"));
    assert_int_equal(access("out4", F_OK), -1);
    fw_plan_free(plan);
    fw_stage st;
    assert_true(fw_stage_from_name("verify", &st));
    assert_int_equal(st, FW_STAGE_VERIFY);
    assert_true(fw_stage_from_name("gather", &st));
    assert_int_equal(st, FW_STAGE_GATHER);
    assert_false(fw_stage_from_name("lsh", &st));
}

/* A task run from another directory (W absolute) reads the plan's inputs
 * from the plan's directory, and the process is back where it was after:
 * the chdir() a task makes does not outlive it. */
static void test_task_returns_to_the_callers_directory(void **state)
{
    (void)state;
    fw_scan_options o;
    fw_scan_options_default(&o);
    fw_plan_layout layout = {1, 1, "out5", NULL, NULL};
    char why[1024];
    fw_plan *plan;
    assert_int_equal(fw_plan_create("w5", &o, paths, NPATHS, &layout, why, sizeof why), FW_OK);
    char *home = getcwd(NULL, 0), w5[4200];
    assert_non_null(home);
    snprintf(w5, sizeof w5, "%s/w5", home);
    assert_int_equal(chdir("/"), 0);
    assert_int_equal(fw_plan_open(w5, &plan, why, sizeof why), FW_OK);
    assert_int_equal(fw_plan_run_task(plan, FW_STAGE_SKETCH, 0, 1), FW_OK);
    char *now = getcwd(NULL, 0);
    assert_string_equal(now, "/");
    free(now);
    /* and after a task that fails */
    assert_int_equal(fw_plan_run_task(plan, FW_STAGE_BANDS, 0, 1), FW_ERR_ARG);
    now = getcwd(NULL, 0);
    assert_string_equal(now, "/");
    free(now);
    fw_plan_free(plan);
    assert_int_equal(chdir(home), 0);
    free(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tasks_give_the_scans_reports),
        cmocka_unit_test(test_other_options_are_refused),
        cmocka_unit_test(test_another_version_or_damage_is_refused),
        cmocka_unit_test(test_tasks_without_inputs_fail),
        cmocka_unit_test(test_task_returns_to_the_callers_directory),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
