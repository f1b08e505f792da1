/*
 * staged.c — the staged scan's commands: plan, task, run and slurm.
 *
 * `plan` takes the scan's options and writes the plan into a work
 * directory (fw_plan_create); every other command starts from that
 * directory. `task` runs one task, the unit a scheduler runs: its index
 * from the command line or from the scheduler's environment (Slurm job
 * arrays set SLURM_ARRAY_TASK_ID, Kubernetes indexed jobs
 * JOB_COMPLETION_INDEX). `run` runs every stage here, up to --jobs tasks
 * at once, each a `fanwen task` process, as a scheduler would. `slurm`
 * writes one job array per stage, each depending on the one before
 * (afterok), and with --submit submits them. `status` says what is done.
 */
#include "cli.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const cli_usage_plan =
    "usage: fanwen plan --work W [--shards N] [--partitions P] [scan options] INPUT...\n"
    "\n"
    "Plans the scan `fanwen scan [scan options] INPUT...` as tasks a scheduler\n"
    "runs, in the work directory W (made if missing; W must be on storage every\n"
    "node sees): the options, this fanwen's version and a hash of them, the\n"
    "working directory and the INPUTs in shards. Then\n"
    "\n"
    "  fanwen run W --jobs N           every task on this machine, N at once\n"
    "  fanwen slurm W --submit         one Slurm job array per stage\n"
    "  fanwen task W STAGE I           one task (what the job arrays run)\n"
    "  fanwen status W                 the tasks done, stage by stage\n"
    "\n"
    "write the scan's reports into --out (relative to this directory), the\n"
    "same bytes as `fanwen scan` writes (summary.json apart from its timings).\n"
    "Stages: sketch (one task per shard), rank (one), bands (one per\n"
    "partition), gather (one per shard: the candidates' exact sets), verify\n"
    "(one per partition), finish (one: the passage level, clusters and the\n"
    "reports).\n"
    "\n"
    "      --work W          the work directory (required)\n"
    "      --shards N        input shards: runs of consecutive INPUTs, at most\n"
    "                        one per INPUT (default: one per INPUT)\n"
    "      --partitions P    partitions of the LSH key space and of the\n"
    "                        documents' ranks (default 1)\n"
    "\n"
    "Planning W again with the same options and INPUTs keeps the work done;\n"
    "with others it is refused, saying which. --passage-model FILE is read by\n"
    "the finish task, which refuses it if it has changed since the plan;\n"
    "--save-passage-model FILE is written by it. --memory-limit and --html\n"
    "are not taken (more shards make each task smaller; run `fanwen report`\n"
    "on the reports for the HTML).\n";

static const char *const usage_task =
    "usage: fanwen task W STAGE [I] [-j N]\n"
    "\n"
    "Runs task I of STAGE (sketch, rank, bands, gather, verify or finish) of\n"
    "the plan\n"
    "in W; I defaults to $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX. A task\n"
    "already done does nothing; one whose inputs are missing fails and writes\n"
    "nothing; otherwise it starts from scratch. -j: threads (default all\n"
    "cores). Exit status 1 when the task failed; the finish task's 2 (as\n"
    "`fanwen scan`'s) when some inputs could not be read.\n";

static const char *const usage_run =
    "usage: fanwen run W [--jobs N] [-j T]\n"
    "\n"
    "Runs every task of the plan in W on this machine, stage after stage, N\n"
    "tasks at once (default 1), each with T threads (default: the cores shared\n"
    "by the tasks running at once).\n"
    "Tasks already done are skipped, so a run stopped anywhere resumes.\n"
    "Exit status as `fanwen scan`'s: 0 all inputs read, 2 some could not be\n"
    "read (their rows in docs.csv), 1 a task failed.\n";

static const char *const usage_slurm =
    "usage: fanwen slurm W [--submit] [--cpus N] [--serial-cpus N] [--partition NAME]\n"
    "                      [--time T] [--max-array N]\n"
    "\n"
    "Writes W/slurm/STAGE.sbatch, one job array per stage (its size from the\n"
    "plan; a stage of more than --max-array tasks, default 1000, in several:\n"
    "STAGE.sbatch, STAGE.1.sbatch, ..., as Slurm refuses array indices from\n"
    "MaxArraySize, 1001 by default), and W/slurm/submit.sh, which submits them\n"
    "in order, each stage's with --dependency=afterok on every job of the stage\n"
    "before and --kill-on-invalid-dep=yes, and prints the jobs' ids, the finish\n"
    "job's last. --submit runs it. --cpus: CPUs per task (default 2); --serial-cpus: for\n"
    "the stages of one task (rank, finish: the finish task runs the passage\n"
    "level; default --cpus); --partition and --time are passed to sbatch.\n";

/* --------------------------------------------------------------- plan */

/* --files-from: its paths appended to *paths. */
static int read_list(const char *list, char ***paths, size_t *n, size_t *cap)
{
    FILE *f = strcmp(list, "-") ? fopen(list, "r") : stdin;
    if (!f) {
        fprintf(stderr, "fanwen plan: --files-from %s: %s\n", list, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int failed = 0;
    while (!failed && (len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len) continue;
        if (*n == *cap) {
            size_t c = *cap ? 2 * *cap : 1024;
            char **grown = realloc(*paths, c * sizeof *grown);
            if (!grown) { failed = 1; break; }
            *paths = grown;
            *cap = c;
        }
        if (!((*paths)[*n] = strdup(line))) failed = 1;
        else (*n)++;
    }
    free(line);
    if (!failed && ferror(f)) {
        fprintf(stderr, "fanwen plan: --files-from %s: %s\n", list, strerror(errno));
        failed = -1; /* said */
    }
    if (f != stdin) fclose(f);
    if (failed > 0) fprintf(stderr, "fanwen plan: --files-from %s: out of memory\n", list);
    return failed ? -1 : 0;
}

int cmd_plan(int argc, char **argv)
{
    cli_scan_args a;
    int code = cli_parse_scan_args("plan", argc, argv, &a);
    if (code >= 0) return code;
    if (!a.work) return cli_usage_error("plan", "%s", "--work W is required");
    if (a.html)
        return cli_usage_error("plan", "%s", "--html is not planned: run `fanwen report` on "
                                             "the reports the plan writes");
    if (!strcmp(a.out, "-"))
        return cli_usage_error("plan", "%s", "--out - is not planned: the finish task writes "
                                             "a report directory");
    char **paths = NULL;
    size_t n = 0, cap = 0;
    int failed = 0;
    for (int i = a.first_input; i < argc && !failed; i++) {
        if (n == cap) {
            size_t c = cap ? 2 * cap : 64;
            char **grown = realloc(paths, c * sizeof *grown);
            if (!grown) { failed = 1; break; }
            paths = grown;
            cap = c;
        }
        if (!(paths[n] = strdup(argv[i]))) failed = 1;
        else n++;
    }
    if (failed) fprintf(stderr, "fanwen plan: out of memory\n");
    if (!failed) failed = a.files_from && read_list(a.files_from, &paths, &n, &cap) != 0;
    fw_plan_layout layout = {a.shards, a.partitions ? a.partitions : 1, a.out,
                             a.passage_model, a.save_passage_model};
    char why[1024];
    fw_status st = FW_OK;
    if (!failed)
        st = fw_plan_create(a.work, &a.opt, (const char *const *)paths, n, &layout, why,
                            sizeof why);
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    if (failed) return EXIT_FAILURE;
    if (st != FW_OK) {
        fprintf(stderr, "fanwen plan: %s\n", why);
        return EXIT_FAILURE;
    }
    fw_plan *plan;
    if ((st = fw_plan_open(a.work, &plan, why, sizeof why)) != FW_OK) {
        fprintf(stderr, "fanwen plan: %s\n", why);
        return EXIT_FAILURE;
    }
    if (!a.quiet)
        fprintf(stderr, "fanwen plan: %s: %u shards, %u partitions (plan %s). Run it with "
                        "`fanwen run %s --jobs N` or `fanwen slurm %s --submit`.\n",
                a.work, fw_plan_tasks(plan, FW_STAGE_SKETCH), fw_plan_tasks(plan, FW_STAGE_BANDS),
                fw_plan_hash(plan), a.work, a.work);
    fw_plan_free(plan);
    return EXIT_SUCCESS;
}

/* --------------------------------------------------------------- task */

static fw_plan *open_plan(const char *cmd, const char *work)
{
    fw_plan *plan;
    char why[1024];
    if (fw_plan_open(work, &plan, why, sizeof why) != FW_OK) {
        fprintf(stderr, "fanwen %s: %s\n", cmd, why);
        return NULL;
    }
    return plan;
}

int cmd_task(int argc, char **argv)
{
    int threads = 0, c;
    unsigned u;
    opterr = 0;
    optind = 1;
    static const struct option longopts[] = {{"threads", required_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            if (!cli_unsigned("task", "--threads", optarg, 1, 1024, &u)) return EXIT_FAILURE;
            threads = (int)u;
            break;
        case 'h': fputs(usage_task, stdout); return EXIT_SUCCESS;
        default: return cli_usage_error("task", "bad option '%s'", cli_bad_option(argv, (char[3]){0}));
        }
    }
    if (argc - optind < 2 || argc - optind > 3)
        return cli_usage_error("task", "%s", "W and STAGE, and I unless the scheduler sets it");
    const char *work = argv[optind], *name = argv[optind + 1];
    fw_stage stage;
    if (!fw_stage_from_name(name, &stage))
        return cli_usage_error("task", "no stage '%s' (sketch, rank, bands, gather, verify, "
                                       "finish)", name);
    const char *index = argc - optind == 3 ? argv[optind + 2] : getenv("SLURM_ARRAY_TASK_ID");
    if (!index) index = getenv("JOB_COMPLETION_INDEX");
    if (!index) index = "0"; /* a stage of one task */
    fw_plan *plan = open_plan("task", work);
    if (!plan) return EXIT_FAILURE;
    if (argc - optind < 3 && !getenv("SLURM_ARRAY_TASK_ID") && !getenv("JOB_COMPLETION_INDEX") &&
        fw_plan_tasks(plan, stage) > 1) {
        fw_plan_free(plan);
        return cli_usage_error("task", "%s has several tasks: give I (or run under a job "
                                       "array)", name);
    }
    if (!cli_unsigned("task", "I", index, 0, UINT_MAX - 1, &u)) {
        fw_plan_free(plan);
        return EXIT_FAILURE;
    }
    double t0 = cli_now();
    int was_done = fw_plan_task_done(plan, stage, u);
    fw_status st = fw_plan_run_task(plan, stage, u, threads);
    if (st != FW_OK) fprintf(stderr, "fanwen task: %s\n", fw_plan_error(plan));
    else if (was_done) fprintf(stderr, "fanwen task: %s %u was done already\n", name, u);
    else fprintf(stderr, "fanwen task: %s %u done in %.2f s\n", name, u, cli_now() - t0);
    /* as `fanwen scan`: 2 when some inputs could not be read */
    int code = st == FW_OK ? EXIT_SUCCESS : EXIT_FAILURE;
    uint64_t errors;
    if (st == FW_OK && stage == FW_STAGE_FINISH && fw_plan_error_docs(plan, &errors) == FW_OK &&
        errors) {
        fprintf(stderr, "fanwen task: %llu document%s could not be read (see docs.csv)\n",
                (unsigned long long)errors, errors == 1 ? "" : "s");
        code = EXIT_PARTIAL;
    }
    fw_plan_free(plan);
    return code;
}

/* ------------------------------------------------------------- status */

int cmd_status(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs("usage: fanwen status W\n\nThe tasks of each stage of the plan in W that are "
              "done, and the first that is not.\nExit status 0 when every task is done.\n",
              stdout);
        return EXIT_SUCCESS;
    }
    if (argc != 2) return cli_usage_error("status", "%s", "one work directory W");
    fw_plan *plan = open_plan("status", argv[1]);
    if (!plan) return EXIT_FAILURE;
    int all = 1;
    printf("plan %s\n", fw_plan_hash(plan));
    for (int s = 0; s < FW_STAGE_COUNT; s++) {
        unsigned n = fw_plan_tasks(plan, (fw_stage)s), done = 0, first = n;
        for (unsigned i = 0; i < n; i++) {
            if (fw_plan_task_done(plan, (fw_stage)s, i)) done++;
            else if (first == n) first = i;
        }
        printf("%-7s %u/%u done", fw_stage_name((fw_stage)s), done, n);
        if (first < n) printf(" (first to do: %u)", first);
        putchar('\n');
        all &= done == n;
    }
    fw_plan_free(plan);
    return all ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---------------------------------------------------------------- run */

/* This program, to run tasks with (absolute: the tasks change directory). */
static char *self_path(void)
{
    return realpath("/proc/self/exe", NULL);
}

static pid_t start_task(const char *self, const char *work, fw_stage stage, unsigned i,
                        int threads)
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    char index[16], th[16];
    snprintf(index, sizeof index, "%u", i);
    snprintf(th, sizeof th, "%d", threads);
    execl(self, self, "task", work, fw_stage_name(stage), index, "-j", th, (char *)NULL);
    fprintf(stderr, "fanwen run: %s: %s\n", self, strerror(errno));
    _exit(127);
}

/* A signal that stops `fanwen run` (SIGINT, SIGTERM, SIGHUP), 0 until one
 * comes. Its tasks get it too, and the run waits for them before it ends
 * by it: tasks left running would go on writing beside a run started
 * again (each task is also locked, staged.c). */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

static void catch_stops(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop; /* no SA_RESTART: wait() returns to look */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Forwards the stop to the running tasks, waits for them, and ends the
 * process by the same signal. */
static void stop_run(const pid_t *pids, unsigned n)
{
    int sig = stop_signal;
    for (unsigned i = 0; i < n; i++)
        if (pids[i] > 0) kill(pids[i], sig);
    for (unsigned i = 0; i < n; i++)
        if (pids[i] > 0) while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR) {}
    fprintf(stderr, "fanwen run: stopped by signal %d; its tasks stopped too\n", sig);
    signal(sig, SIG_DFL);
    raise(sig);
    _exit(128 + sig);
}

int cmd_run(int argc, char **argv)
{
    unsigned jobs = 1, threads = 0;
    int c;
    opterr = 0;
    optind = 1;
    static const struct option longopts[] = {{"jobs", required_argument, 0, 'J'},
                                             {"threads", required_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, ":J:j:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'J': if (!cli_unsigned("run", "--jobs", optarg, 1, 4096, &jobs)) return EXIT_FAILURE; break;
        case 'j': if (!cli_unsigned("run", "--threads", optarg, 1, 1024, &threads)) return EXIT_FAILURE; break;
        case 'h': fputs(usage_run, stdout); return EXIT_SUCCESS;
        default: return cli_usage_error("run", "bad option '%s'", cli_bad_option(argv, (char[3]){0}));
        }
    }
    if (argc - optind != 1) return cli_usage_error("run", "%s", "one work directory W");
    const char *work = argv[optind];
    fw_plan *plan = open_plan("run", work);
    char *self = self_path();
    if (!plan || !self) {
        fw_plan_free(plan);
        free(self);
        return EXIT_FAILURE;
    }
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int failed = 0;
    double start = cli_now();
    pid_t *pids = calloc(jobs, sizeof *pids); /* the tasks running, 0 in a free slot */
    if (!pids) {
        fw_plan_free(plan);
        free(self);
        return EXIT_FAILURE;
    }
    catch_stops();
    for (int s = 0; s < FW_STAGE_COUNT && !failed; s++) {
        const fw_stage stage = (fw_stage)s;
        const unsigned n = fw_plan_tasks(plan, stage);
        unsigned next = 0, running = 0;
        /* the cores shared by the tasks that run at once */
        const unsigned together = n < jobs ? n : jobs;
        const unsigned th = threads ? threads
                                    : cores > (long)together ? (unsigned)(cores / (long)together) : 1;
        double t0 = cli_now();
        while (next < n || running) {
            if (stop_signal) stop_run(pids, jobs);
            if (!failed && next < n && running < jobs) {
                pid_t pid = start_task(self, work, stage, next, (int)th);
                if (pid < 0) {
                    fprintf(stderr, "fanwen run: fork: %s\n", strerror(errno));
                    failed = 1;
                } else {
                    for (unsigned k = 0; k < jobs; k++)
                        if (!pids[k]) { pids[k] = pid; break; }
                    running++;
                }
                next++;
                continue;
            }
            if (failed && !running) break;
            int status;
            pid_t done = wait(&status);
            if (done < 0) {
                if (errno == EINTR) continue; /* a stop: seen above */
                break;
            }
            for (unsigned k = 0; k < jobs; k++)
                if (pids[k] == done) pids[k] = 0;
            running--;
            /* the finish task's 2: some inputs could not be read */
            if (!WIFEXITED(status) ||
                (WEXITSTATUS(status) != 0 &&
                 !(stage == FW_STAGE_FINISH && WEXITSTATUS(status) == EXIT_PARTIAL)))
                failed = 1;
        }
        fprintf(stderr, "fanwen run: %s: %u task%s in %.2f s%s\n", fw_stage_name(stage), n,
                n == 1 ? "" : "s", cli_now() - t0, failed ? ", failed" : "");
    }
    if (!failed) fprintf(stderr, "fanwen run: done in %.2f s\n", cli_now() - start);
    uint64_t errors = 0; /* as `fanwen scan`: 2 when some inputs could not be read */
    const int partial = !failed && fw_plan_error_docs(plan, &errors) == FW_OK && errors;
    fw_plan_free(plan);
    free(self);
    free(pids);
    return failed ? EXIT_FAILURE : partial ? EXIT_PARTIAL : EXIT_SUCCESS;
}

/* -------------------------------------------------------------- slurm */

/* The number of job arrays of a stage of n tasks, at most `max` each:
 * Slurm refuses array indices of MaxArraySize (default 1001) and more. */
static unsigned sbatch_chunks(unsigned n, unsigned max) { return (n + max - 1) / max; }

/* The name of chunk c of a stage's job arrays: STAGE for the first,
 * STAGE.C for the others. */
static void chunk_name(char *buf, size_t size, fw_stage stage, unsigned c)
{
    if (c == 0) snprintf(buf, size, "%s", fw_stage_name(stage));
    else snprintf(buf, size, "%s.%u", fw_stage_name(stage), c);
}

/* W/slurm/STAGE[.C].sbatch: chunk c of the stage's tasks as a job array,
 * its indices from 0 (task c * max + the index). */
static int write_sbatch(const char *dir, const char *self, const char *work, const fw_plan *plan,
                        fw_stage stage, unsigned c, unsigned max, unsigned cpus,
                        const char *partition, const char *time)
{
    char path[4400], chunk[64];
    const char *name = fw_stage_name(stage);
    chunk_name(chunk, sizeof chunk, stage, c);
    snprintf(path, sizeof path, "%s/%s.sbatch", dir, chunk);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "fanwen slurm: %s: %s\n", path, strerror(errno));
        return -1;
    }
    const unsigned n = fw_plan_tasks(plan, stage), first = c * max,
                   size = n - first < max ? n - first : max;
    fprintf(f, "#!/bin/sh\n#SBATCH --job-name=fanwen-%s\n#SBATCH --array=0-%u\n", name,
            size - 1);
    fprintf(f, "#SBATCH --cpus-per-task=%u\n#SBATCH --chdir=%s\n", cpus, fw_plan_cwd(plan));
    if (first == 0) fprintf(f, "#SBATCH --output=%s/%s-%%a.log\n", dir, name);
    else fprintf(f, "#SBATCH --output=%s/%s-%u+%%a.log\n", dir, name, first);
    if (partition) fprintf(f, "#SBATCH --partition=%s\n", partition);
    if (time) fprintf(f, "#SBATCH --time=%s\n", time);
    fprintf(f, "# plan %s: task %u + $SLURM_ARRAY_TASK_ID of %u\n", fw_plan_hash(plan), first,
            n);
    fprintf(f, "exec '%s' task '%s' %s \"$((%u + SLURM_ARRAY_TASK_ID))\" "
               "-j \"${SLURM_CPUS_PER_TASK:-%u}\"\n", self, work, name, first, cpus);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) fprintf(stderr, "fanwen slurm: %s: %s\n", path, strerror(errno));
    return bad ? -1 : 0;
}

int cmd_slurm(int argc, char **argv)
{
    unsigned cpus = 2, serial_cpus = 0, max_array = 1000;
    int submit = 0, c;
    const char *partition = NULL, *time = NULL;
    opterr = 0;
    optind = 1;
    static const struct option longopts[] = {{"submit", no_argument, 0, 'S'},
                                             {"cpus", required_argument, 0, 'c'},
                                             {"serial-cpus", required_argument, 0, 's'},
                                             {"partition", required_argument, 0, 'p'},
                                             {"time", required_argument, 0, 't'},
                                             {"max-array", required_argument, 0, 'm'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': submit = 1; break;
        case 'c': if (!cli_unsigned("slurm", "--cpus", optarg, 1, 1024, &cpus)) return EXIT_FAILURE; break;
        case 's':
            if (!cli_unsigned("slurm", "--serial-cpus", optarg, 1, 1024, &serial_cpus))
                return EXIT_FAILURE;
            break;
        case 'm':
            if (!cli_unsigned("slurm", "--max-array", optarg, 1, 1u << 30, &max_array))
                return EXIT_FAILURE;
            break;
        case 'p': partition = optarg; break;
        case 't': time = optarg; break;
        case 'h': fputs(usage_slurm, stdout); return EXIT_SUCCESS;
        default: return cli_usage_error("slurm", "bad option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) return cli_usage_error("slurm", "%s", "one work directory W");
    const char *names[] = {partition, time};
    for (int i = 0; i < 2; i++)
        if (names[i] && strpbrk(names[i], "'\n \\\"$`"))
            return cli_usage_error("slurm", "'%s' does not go into a script", names[i]);
    fw_plan *plan = open_plan("slurm", argv[optind]);
    char *self = self_path(), *work = realpath(argv[optind], NULL);
    int failed = !plan || !self || !work;
    char dir[4200];
    if (!failed && (strchr(work, '\'') || strchr(self, '\''))) {
        fprintf(stderr, "fanwen slurm: a path with a quote does not go into a script\n");
        failed = 1;
    }
    if (!failed) {
        snprintf(dir, sizeof dir, "%s/slurm", work);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "fanwen slurm: %s: %s\n", dir, strerror(errno));
            failed = 1;
        }
    }
    for (int s = 0; s < FW_STAGE_COUNT && !failed; s++) {
        const unsigned n = fw_plan_tasks(plan, (fw_stage)s);
        const int serial = n == 1 && serial_cpus;
        for (unsigned k = 0; k < sbatch_chunks(n, max_array) && !failed; k++)
            failed = write_sbatch(dir, self, work, plan, (fw_stage)s, k, max_array,
                                  serial ? serial_cpus : cpus, partition, time) != 0;
    }
    char script[4400];
    if (!failed) {
        snprintf(script, sizeof script, "%s/submit.sh", dir);
        FILE *f = fopen(script, "w");
        failed = !f;
        if (f) {
            fputs("#!/bin/sh\n# Submits the plan's stages as job arrays (a stage of more than "
                  "--max-array tasks\n# in several), each stage's after all of the stage "
                  "before succeeded, and\n# cancelled by Slurm if one of those failed; prints "
                  "every job's id, the\n# finish job's last.\nset -e\ndep=\nall=\n", f);
            for (int s = 0; s < FW_STAGE_COUNT; s++) {
                const unsigned n = fw_plan_tasks(plan, (fw_stage)s);
                fputs("ids=\n", f);
                for (unsigned k = 0; k < sbatch_chunks(n, max_array); k++) {
                    char chunk[64];
                    chunk_name(chunk, sizeof chunk, (fw_stage)s, k);
                    fprintf(f, "job=$(sbatch --parsable ${dep:+--dependency=afterok$dep "
                               "--kill-on-invalid-dep=yes} '%s/%s.sbatch')\n"
                               "job=${job%%%%;*}\necho \"%s $job\" >&2\nids=$ids:$job\n"
                               "all=\"$all${all:+ }$job\"\n",
                            dir, chunk, chunk);
                }
                fputs("dep=$ids\n", f);
            }
            fputs("echo \"$all\"\n", f);
            failed = ferror(f) != 0;
            failed |= fclose(f) != 0;
        }
        if (failed) fprintf(stderr, "fanwen slurm: %s: %s\n", script, strerror(errno));
    }
    if (!failed && !submit)
        fprintf(stderr, "fanwen slurm: job arrays in %s; submit them with `sh %s`\n", dir, script);
    if (!failed && submit) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            execl("/bin/sh", "sh", script, (char *)NULL);
            _exit(127);
        }
        int status;
        failed = pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
                 WEXITSTATUS(status) != 0;
        if (failed) fprintf(stderr, "fanwen slurm: %s failed (is sbatch there?)\n", script);
    }
    fw_plan_free(plan);
    free(self);
    free(work);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
