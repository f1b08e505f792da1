/*
 * fanwen.c — the command-line client of libfanwen.
 *
 * Parses options, hands paths to the library, shows progress on stderr when
 * it is a terminal, writes the reports and prints a short human summary.
 * Everything it does goes through the public API in fanwen.h.
 *
 * Exit codes: 0 every input was read; 2 some could not be (the reports are
 * still written and docs.csv says which and why); 1 usage or fatal error.
 *
 * SIGINT, SIGTERM and SIGHUP stop a scan (or any command but `run`, which
 * stops its tasks) at once, whatever stage it is in: stages run for minutes
 * inside the library with nothing to poll a flag, so the handler does the
 * clean-up itself, with async-signal-safe calls only. It removes the name
 * of the report, pair page or model being written (fw_report_unlink_temp;
 * spill files have none, being unlinked when made, and an unnamed report
 * file vanishes with the process), then ends the process by the same
 * signal, so the shell reports 128 + its number (130, 143, 129) and a
 * script running fanwen in a loop stops on Ctrl-C too.
 */
#include "cli.h"
#include "input_size.h"
#include "memory_budget.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *usage_main =
    "usage: fanwen COMMAND [options]\n"
    "\n"
    "Finds near-duplicate documents in large text collections.\n"
    "\n"
    "commands:\n"
    "  scan INPUT...   find near-duplicate documents and recycled passages,\n"
    "                  write CSV reports (and with --html a report to read in\n"
    "                  a browser)\n"
    "  explain A B     why two documents are called copies: copy ratios, the\n"
    "                  shared runs with their offsets, years, figures and\n"
    "                  words template mode would call equal\n"
    "  report DIR      the HTML report of an earlier scan's report directory\n"
    "  index CMD DIR   a persistent index: build, add, info, compact, remove\n"
    "  query --index DIR INPUT...\n"
    "                  new documents checked against an index\n"
    "\n"
    "  plan --work W [scan options] INPUT...\n"
    "                  the same scan as staged tasks (sketch, rank, bands,\n"
    "                  gather, verify, finish) in the work directory W, for a\n"
    "                  cluster\n"
    "  task W STAGE [I]  run one task (I from SLURM_ARRAY_TASK_ID or\n"
    "                  JOB_COMPLETION_INDEX when not given)\n"
    "  run W           run every task of W on this machine (--jobs N at once)\n"
    "  slurm W         write (and with --submit submit) Slurm job arrays\n"
    "  status W        the tasks of W done, stage by stage\n"
    "\n"
    "  fanwen --help          this text\n"
    "  fanwen --version       the version\n"
    "  fanwen COMMAND --help  the options of a command\n";

static const char *usage_scan =
    "usage: fanwen scan [options] INPUT...\n"
    "\n"
    "INPUT is a file or a directory (read recursively, in sorted order). Files\n"
    "named *.jsonl or *.ndjson hold one JSON document per line; files named\n"
    "*.warc or *.wet are WARC archives (Common Crawl WARC and WET), each\n"
    "text record a document named by its URI; any other file is one\n"
    "document, named by its path relative to the directory given. gzip and\n"
    "zstd files are decompressed (detected by their content).\n"
    "\n"
    "Text is normalized (NFKC, case folded, whitespace and punctuation\n"
    "removed), cut into character n-grams, sketched with MinHash, paired by\n"
    "LSH and every candidate verified by exact Jaccard similarity.\n"
    "\n"
    "Each document is also cut into passages of a few sentences; passages\n"
    "that share character 3-grams are aligned character by character, so\n"
    "copies reworded by swapped words and dropped characters still match:\n"
    "passages.csv lists the groups of matching passages, boilerplate.csv the\n"
    "groups found in many documents (site furniture, left out of reuse),\n"
    "spans.csv each stretch of text two documents share, with its byte range\n"
    "in both and how many characters survived, reuse.csv the documents that\n"
    "share text with the share of each one's characters found in the other,\n"
    "substitutions.csv the word swaps the copies show (a --canon table).\n"
    "\n"
    "options:\n"
    "  -o, --out DIR         write pairs.csv, clusters.csv, docs.csv, passages.csv,\n"
    "                        reuse.csv, spans.csv, substitutions.csv,\n"
    "                        boilerplate.csv and summary.json into DIR\n"
    "                        (default: fanwen-report); '-' prints pairs.csv to\n"
    "                        standard output only (and skips passages)\n"
    "  -t, --threshold J     report pairs with Jaccard similarity >= J, in (0,1]\n"
    "                        (default 0.8)\n"
    "  -n, --ngram N         characters per shingle (default 5)\n"
    "  -k, --perms K         MinHash permutations, 1..1024 (default 128)\n"
    "  -b, --bands B         LSH bands; with --rows, B*R <= K (default: chosen\n"
    "  -r, --rows R          from the threshold so that a pair at it becomes a\n"
    "                        candidate with probability >= 0.99)\n"
    "  -s, --seed S          seed of shingle hashes and permutations (default 0)\n"
    "      --no-verify       report pairs by their MinHash estimate, without\n"
    "                        exact verification (jaccard column left empty)\n"
    "      --no-passages     documents only: no passage level\n"
    "      --min-passage N   passages of at least N normalized characters where\n"
    "                        the text allows (default 50)\n"
    "      --max-passage N   pieces longer than N are cut (default 400; 0: never)\n"
    "      --passage-threshold J\n"
    "                        passages match when their aligned characters are >= J\n"
    "                        of the longer one's (default 0.6), or when 90% of the\n"
    "                        smaller is aligned in runs of 4 or more (a teaser cut\n"
    "                        off at \"...\")\n"
    "      --boilerplate-docs N\n"
    "      --boilerplate-share F\n"
    "                        a passage group found in at least N documents and\n"
    "                        at least a share F of them is boilerplate (default\n"
    "                        20 and 0.001)\n"
    "      --reuse-min F     reuse.csv rows where either document has a share\n"
    "                        >= F of its text in the other (default 0.3)\n"
    "      --save-passage-model FILE\n"
    "                        write what the passage level learned from the whole\n"
    "                        corpus (its boilerplate lines and passages, the\n"
    "                        3-grams too common to sketch) to FILE\n"
    "      --passage-model FILE\n"
    "                        use FILE's instead of learning them: a small batch\n"
    "                        then loses the furniture lines and footers a large\n"
    "                        crawl showed (same --seed, --min-passage, --template\n"
    "                        and --canon; --boilerplate-docs/-share not used)\n"
    "      --template        template mode: every run of digits counts as one\n"
    "                        (2015年 = 2024年) and the words that doc-sharing\n"
    "                        sites swap in are mapped back (进展 -> 发展, 根底 ->\n"
    "                        基础; the built-in table is in src/template.c)\n"
    "      --canon FILE      template mode with this table instead of the\n"
    "                        built-in one: variant<TAB>canonical per line, or a\n"
    "                        CSV with a variant,canonical header (the\n"
    "                        substitutions.csv an earlier scan wrote)\n"
    "      --sketch KIND     minhash (default): K permutations; oph: one\n"
    "                        permutation with optimal densification, faster on\n"
    "                        long texts, slower on texts of a few dozen\n"
    "                        characters (see bench/README.md)\n"
    "      --simd PATH       auto (default), avx512, avx2 or baseline: the\n"
    "                        MinHash code path (all give the same output)\n"
    "  -j, --threads N       worker threads (default: all cores)\n"
    "      --files-from FILE read more INPUTs from FILE, one path per line ('-':\n"
    "                        standard input); for millions of files\n"
    "      --max-doc-bytes N a document (file, JSON line or WARC record) larger\n"
    "                        than N bytes is an error row, skipped without being\n"
    "                        held in memory (default 256M; suffixes K, M, G, T)\n"
    "      --memory-limit N  keep memory under about N bytes (e.g. 4G): signatures,\n"
    "                        shingles and LSH band records go to temporary files,\n"
    "                        sorted in runs and merged (same reports as without);\n"
    "                        --max-doc-bytes is lowered to N/128\n"
    "                        Default: none, unless the inputs look larger than\n"
    "                        the memory available (or left in the cgroup):\n"
    "                        then 60% of it, said on stderr\n"    "      --tmp-dir DIR     where those files go (default $TMPDIR or /tmp);\n"
    "                        they are deleted as soon as they are made\n"
    "      --text-field F    JSONL field holding the text (default text)\n"
    "      --id-field F      JSONL field holding the id (default id; a line\n"
    "                        without one is named FILE:LINE)\n"
    "      --html DIR        also write a report to read in a browser into the\n"
    "                        directory DIR: an overview with the distributions and\n"
    "                        the top --top of each list, and a page per pair (the\n"
    "                        texts side by side, shared runs marked), document,\n"
    "                        cluster and passage group listed; no script, no\n"
    "                        network. DIR is replaced only if it is such a report\n"
    "      --top N           the lists and pages of --html: the top N (default 100)\n"
    "      --min-run N       --html marks shared runs of at least N characters\n"
    "                        (default 13, as CNKI and 维普 count them)\n"
    "  -q, --quiet           no progress line and no summary on stderr\n"
    "      --progress        the progress line even when stderr is no terminal\n"
    "                        (a line a second, for logs): the share of the input\n"
    "                        read and the time left, then each stage\n"
    "  -h, --help            this text\n"
    "\n"
    "exit status: 0 all inputs read; 2 some inputs could not be read (reports\n"
    "written; see the 'error' rows of docs.csv); 1 usage or fatal error.\n"
    "SIGINT (Ctrl-C), SIGTERM or SIGHUP stops a scan at any stage: its temporary\n"
    "files are removed and it ends by that signal (status 130, 143 or 129 in the\n"
    "shell). Reports already in DIR stay whole: each one is replaced only when\n"
    "the new one is complete, even if fanwen is killed.\n";

/* ------------------------------------------------------------- parsing */

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) return 0;
    *out = v;
    return 1;
}

static int parse_uint(const char *s, unsigned long long max,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '+' || *s == '\0') return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) return 0;
    *out = v;
    return 1;
}

/* A size in bytes: digits with an optional K, M, G or T (powers of 1024),
 * optionally followed by B or iB: 4G, 512MiB, 1048576. */
int cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9') return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return 0;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    }
    if (shift && end[0] == 'i' && end[1] == 'B') end += 2;
    else if (*end == 'B') end++;
    if (*end || (shift && v > (UINT64_MAX >> shift))) return 0;
    *out = (uint64_t)v << shift;
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "fanwen %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'fanwen %s --help'.\n", cmd);
    return EXIT_FAILURE;
}

/* The command whose options are being parsed: scan, or plan (which takes
 * the scan's options). */
static const char *command = "scan";

static int usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error(command, fmt, arg);
}

const char *cli_bad_option(char *const *argv, char buf[3])
{
    if (!optopt) return argv[optind - 1]; /* a long option: its word */
    buf[0] = '-';
    buf[1] = (char)optopt;
    buf[2] = '\0';
    return buf;
}

int cli_unsigned(const char *cmd, const char *name, const char *arg, unsigned min,
                 unsigned max, unsigned *out)
{
    unsigned long long v;
    if (!parse_uint(arg, max, &v) || v < min) {
        fprintf(stderr, "fanwen %s: %s must be an integer from %u to %u, got '%s'\n"
                        "Try 'fanwen %s --help'.\n", cmd, name, min, max, arg, cmd);
        return 0;
    }
    *out = (unsigned)v;
    return 1;
}

/* A count option: an integer from 1 to max. Says what is wrong if not. */
static int count_option(const char *name, const char *arg, unsigned max, unsigned *out)
{
    return cli_unsigned(command, name, arg, 1, max, out);
}

/* ------------------------------------------------------------- summary */

void cli_put_visible(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F) fprintf(f, "\\x%02X", c);
        else fputc(c, f);
    }
}

static void print_errors(const fw_scan *scan, int limit)
{
    int shown = 0;
    uint64_t errors = 0;
    for (size_t i = 0, n = fw_scan_doc_count(scan); i < n; i++) {
        fw_doc_info d;
        if (fw_scan_doc(scan, i, &d) != FW_OK || d.status != FW_DOC_ERROR) continue;
        if (shown++ < limit) {
            fputs("fanwen: ", stderr);
            cli_put_visible(stderr, d.id);
            fputs(": ", stderr);
            cli_put_visible(stderr, d.message);
            fputc('\n', stderr);
        }
        errors++;
    }
    if (errors > (uint64_t)limit)
        fprintf(stderr, "fanwen: ... and %llu more errors (see docs.csv)\n",
                (unsigned long long)(errors - (uint64_t)limit));
}

static void print_summary(const fw_scan *scan, const char *out, double seconds)
{
    fw_scan_stats st;
    fw_scan_get_stats(scan, &st);
    const fw_scan_options *o = fw_scan_get_options(scan);
    uint64_t total = 0;
    for (int i = 0; i < FW_DOC_STATUS_COUNT; i++) total += st.docs[i];
    fprintf(stderr, "fanwen: %llu documents (%llu ok, %llu repaired, %llu empty, "
                    "%llu binary, %llu errors), %.1f MB of text in %.2f s (%.1f MB/s, %d thread%s).\n",
            (unsigned long long)total, (unsigned long long)st.docs[FW_DOC_OK],
            (unsigned long long)st.docs[FW_DOC_REPAIRED], (unsigned long long)st.docs[FW_DOC_EMPTY],
            (unsigned long long)st.docs[FW_DOC_BINARY], (unsigned long long)st.docs[FW_DOC_ERROR],
            st.bytes / 1e6, seconds, seconds > 0 ? st.bytes / 1e6 / seconds : 0.0, st.threads,
            st.threads == 1 ? "" : "s");
    fprintf(stderr, "fanwen: %u-grams, %s with %u values, LSH %u bands x %u rows: a pair at "
                    "Jaccard %g becomes a candidate with probability %.4f.\n",
            o->ngram, o->sketch == FW_SKETCH_OPH ? "one-permutation hashing" : "MinHash",
            o->perms, st.bands, st.rows, o->threshold, st.candidate_probability);
    fprintf(stderr, "fanwen: %llu candidate pairs, %zu pairs %s >= %g, %llu clusters "
                    "holding %llu documents. Reports in %s\n",
            (unsigned long long)st.candidates, fw_scan_pair_count(scan),
            o->verify ? "verified with Jaccard" : "estimated at Jaccard", o->threshold,
            (unsigned long long)st.clusters, (unsigned long long)st.clustered_docs,
            strcmp(out, "-") ? out : "standard output (pairs.csv only)");
    if (!o->passages) return;
    char bar[64] = "by the passage model"; /* no bar then: its passages decide */
    if (st.boilerplate_docs_needed)
        snprintf(bar, sizeof bar, "found in >= %llu documents",
                 (unsigned long long)st.boilerplate_docs_needed);
    fprintf(stderr, "fanwen: %llu passages, %llu in %llu groups of matching passages "
                    "(%llu boilerplate, %s); %llu reused spans; "
                    "%llu pairs of documents sharing >= %g of one's text.\n",
            (unsigned long long)st.passages, (unsigned long long)st.grouped_passages,
            (unsigned long long)st.passage_groups, (unsigned long long)st.boilerplate_groups,
            bar, (unsigned long long)st.spans, (unsigned long long)st.reuse_pairs, o->reuse_min);
}

/* ------------------------------------------------------------- signals */

static void on_signal(int sig)
{
    fw_report_unlink_temp();
    signal(sig, SIG_DFL);
    raise(sig); /* delivered when the handler returns: the default, an end */
}

/* A signal ignored when fanwen started (nohup, a shell's background job)
 * stays ignored. */
static void catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) sigaddset(&sa.sa_mask, sigs[i]);
    for (int i = 0; i < 3; i++)
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
}

/* ---------------------------------------------------------------- scan */

int cli_add_listed_paths(const char *cmd, fw_scan *scan, const char *list)
{
    FILE *f = strcmp(list, "-") ? fopen(list, "r") : stdin;
    if (!f) {
        fprintf(stderr, "fanwen %s: --files-from %s: %s\n", cmd, list, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    fw_status st = FW_OK;
    while (st == FW_OK && (n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n > 0) st = fw_scan_add_path(scan, line);
    }
    int failed = st == FW_OK && ferror(f);
    if (failed) fprintf(stderr, "fanwen %s: --files-from %s: read error\n", cmd, list);
    else if (st != FW_OK) fprintf(stderr, "fanwen %s: %s\n", cmd, fw_scan_error(scan));
    free(line);
    if (f != stdin) fclose(f);
    return failed || st != FW_OK ? -1 : 0;
}

int cli_parse_scan_args(const char *cmd, int argc, char **argv, cli_scan_args *a)
{
    command = cmd;
    const int plan = !strcmp(cmd, "plan");
    memset(a, 0, sizeof *a);
    fw_scan_options_default(&a->opt);
    a->out = "fanwen-report";
    a->top = CLI_DEFAULT_TOP;
    a->min_run = CLI_DEFAULT_MIN_RUN;
    enum { OPT_NO_VERIFY = 256, OPT_PROGRESS, OPT_TEXT_FIELD, OPT_ID_FIELD, OPT_SKETCH, OPT_SIMD,
           OPT_TEMPLATE, OPT_CANON, OPT_NO_PASSAGES, OPT_MIN_PASSAGE, OPT_MAX_PASSAGE,
           OPT_PASSAGE_THRESHOLD, OPT_BOILERPLATE_DOCS, OPT_BOILERPLATE_SHARE,
           OPT_REUSE_MIN, OPT_FILES_FROM, OPT_MAX_DOC_BYTES, OPT_MEMORY_LIMIT, OPT_TMP_DIR,
           OPT_HTML, OPT_TOP, OPT_MIN_RUN, OPT_WORK, OPT_SHARDS, OPT_PARTITIONS,
           OPT_PASSAGE_MODEL, OPT_SAVE_PASSAGE_MODEL };
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'},
        {"threshold", required_argument, 0, 't'},
        {"ngram", required_argument, 0, 'n'},
        {"perms", required_argument, 0, 'k'},
        {"bands", required_argument, 0, 'b'},
        {"rows", required_argument, 0, 'r'},
        {"seed", required_argument, 0, 's'},
        {"no-verify", no_argument, 0, OPT_NO_VERIFY},
        {"no-passages", no_argument, 0, OPT_NO_PASSAGES},
        {"min-passage", required_argument, 0, OPT_MIN_PASSAGE},
        {"max-passage", required_argument, 0, OPT_MAX_PASSAGE},
        {"passage-threshold", required_argument, 0, OPT_PASSAGE_THRESHOLD},
        {"boilerplate-docs", required_argument, 0, OPT_BOILERPLATE_DOCS},
        {"boilerplate-share", required_argument, 0, OPT_BOILERPLATE_SHARE},
        {"reuse-min", required_argument, 0, OPT_REUSE_MIN},
        {"passage-model", required_argument, 0, OPT_PASSAGE_MODEL},
        {"save-passage-model", required_argument, 0, OPT_SAVE_PASSAGE_MODEL},
        {"sketch", required_argument, 0, OPT_SKETCH},
        {"template", no_argument, 0, OPT_TEMPLATE},
        {"canon", required_argument, 0, OPT_CANON},
        {"simd", required_argument, 0, OPT_SIMD},
        {"threads", required_argument, 0, 'j'},
        {"text-field", required_argument, 0, OPT_TEXT_FIELD},
        {"id-field", required_argument, 0, OPT_ID_FIELD},
        {"files-from", required_argument, 0, OPT_FILES_FROM},
        {"max-doc-bytes", required_argument, 0, OPT_MAX_DOC_BYTES},
        {"memory-limit", required_argument, 0, OPT_MEMORY_LIMIT},
        {"tmp-dir", required_argument, 0, OPT_TMP_DIR},
        {"html", required_argument, 0, OPT_HTML},
        {"top", required_argument, 0, OPT_TOP},
        {"min-run", required_argument, 0, OPT_MIN_RUN},
        {"quiet", no_argument, 0, 'q'},
        {"progress", no_argument, 0, OPT_PROGRESS},
        {"work", required_argument, 0, OPT_WORK},
        {"shards", required_argument, 0, OPT_SHARDS},
        {"partitions", required_argument, 0, OPT_PARTITIONS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    opterr = 0;
    optind = 1;
    int c;
    unsigned long long u;
    while ((c = getopt_long(argc, argv, ":o:t:n:k:b:r:s:j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': a->out = optarg; break;
        case 't':
            if (!parse_double(optarg, &a->opt.threshold) ||
                !(a->opt.threshold > 0 && a->opt.threshold <= 1))
                return usage_error("--threshold must be a number in (0, 1], got '%s'", optarg);
            break;
        case 'n': if (!count_option("--ngram", optarg, 64, &a->opt.ngram)) return EXIT_FAILURE; break;
        case 'k': if (!count_option("--perms", optarg, 1024, &a->opt.perms)) return EXIT_FAILURE; break;
        case 'b': if (!count_option("--bands", optarg, 1024, &a->opt.bands)) return EXIT_FAILURE; break;
        case 'r': if (!count_option("--rows", optarg, 1024, &a->opt.rows)) return EXIT_FAILURE; break;
        case 'j': {
            unsigned threads;
            if (!count_option("--threads", optarg, 1024, &threads)) return EXIT_FAILURE;
            a->opt.threads = (int)threads;
            break;
        }
        case 's':
            if (!parse_uint(optarg, UINT64_MAX, &u))
                return usage_error("--seed must be a non-negative integer, got '%s'", optarg);
            a->opt.seed = u;
            break;
        case OPT_NO_VERIFY: a->opt.verify = 0; break;
        case OPT_NO_PASSAGES: a->opt.passages = 0; break;
        case OPT_MIN_PASSAGE:
            if (!count_option("--min-passage", optarg, 100000, &a->opt.min_passage))
                return EXIT_FAILURE;
            break;
        case OPT_MAX_PASSAGE:
            if (!parse_uint(optarg, 1000000, &u))
                return usage_error("--max-passage must be an integer from 0 to 1000000, "
                                   "got '%s'", optarg);
            a->opt.max_passage = (unsigned)u;
            break;
        case OPT_PASSAGE_THRESHOLD:
            if (!parse_double(optarg, &a->opt.passage_threshold) ||
                !(a->opt.passage_threshold > 0 && a->opt.passage_threshold <= 1))
                return usage_error("--passage-threshold must be a number in (0, 1], got '%s'",
                                   optarg);
            break;
        case OPT_BOILERPLATE_DOCS:
            if (!parse_uint(optarg, UINT64_MAX, &u) || u < 2)
                return usage_error("--boilerplate-docs must be an integer >= 2, got '%s'",
                                   optarg);
            a->opt.boilerplate_docs = u;
            break;
        case OPT_BOILERPLATE_SHARE:
            if (!parse_double(optarg, &a->opt.boilerplate_share) ||
                !(a->opt.boilerplate_share >= 0 && a->opt.boilerplate_share <= 1))
                return usage_error("--boilerplate-share must be a number in [0, 1], got '%s'",
                                   optarg);
            break;
        case OPT_REUSE_MIN:
            if (!parse_double(optarg, &a->opt.reuse_min) ||
                !(a->opt.reuse_min >= 0 && a->opt.reuse_min <= 1))
                return usage_error("--reuse-min must be a number in [0, 1], got '%s'", optarg);
            break;
        case OPT_PASSAGE_MODEL: case OPT_SAVE_PASSAGE_MODEL:
            if (c == OPT_PASSAGE_MODEL) a->passage_model = optarg;
            else a->save_passage_model = optarg;
            break;
        case OPT_TEMPLATE: a->opt.template_mode = 1; break;
        case OPT_CANON: a->opt.canon_path = optarg; break;
        case OPT_SKETCH:
            if (!strcmp(optarg, "minhash")) a->opt.sketch = FW_SKETCH_MINHASH;
            else if (!strcmp(optarg, "oph")) a->opt.sketch = FW_SKETCH_OPH;
            else return usage_error("--sketch must be minhash or oph, got '%s'", optarg);
            break;
        case OPT_SIMD: {
            static const fw_simd all[] = {FW_SIMD_AUTO, FW_SIMD_AVX512, FW_SIMD_AVX2,
                                          FW_SIMD_BASELINE};
            int found = 0;
            for (int i = 0; i < 4; i++)
                if (!strcmp(optarg, fw_simd_name(all[i]))) { a->opt.simd = all[i]; found = 1; }
            if (!found)
                return usage_error("--simd must be auto, avx512, avx2 or baseline, got '%s'",
                                   optarg);
            break;
        }
        case OPT_TEXT_FIELD: a->opt.text_field = optarg; break;
        case OPT_ID_FIELD: a->opt.id_field = optarg; break;
        case OPT_FILES_FROM:
            if (a->files_from) /* else the first list would be dropped unsaid */
                return usage_error("--files-from given twice ('%s'): give one list", optarg);
            a->files_from = optarg;
            break;
        case OPT_MAX_DOC_BYTES:
            if (!cli_parse_size(optarg, &a->opt.max_doc_bytes) || a->opt.max_doc_bytes == 0)
                return usage_error("--max-doc-bytes must be a size such as 64M or 2G, got "
                                   "'%s'", optarg);
            break;
        case OPT_MEMORY_LIMIT:
            if (!cli_parse_size(optarg, &a->opt.memory_limit) || a->opt.memory_limit < (64u << 20))
                return usage_error("--memory-limit must be a size of at least 64M (such "
                                   "as 4G), got '%s'", optarg);
            break;
        case OPT_TMP_DIR: a->opt.tmp_dir = optarg; break;
        case OPT_HTML: a->html = optarg; break;
        case OPT_TOP:
            if (!cli_unsigned("scan", "--top", optarg, 1, 1000000, &a->top)) return EXIT_FAILURE;
            break;
        case OPT_MIN_RUN:
            if (!cli_unsigned("scan", "--min-run", optarg, 1, 100000, &a->min_run))
                return EXIT_FAILURE;
            break;
        case 'q': a->quiet = 1; break;
        case OPT_PROGRESS: a->force_progress = 1; break;
        case OPT_WORK: case OPT_SHARDS: case OPT_PARTITIONS:
            if (!plan) return usage_error("'%s' is an option of fanwen plan", argv[optind - 1]);
            if (c == OPT_WORK) a->work = optarg;
            else if (!count_option(c == OPT_SHARDS ? "--shards" : "--partitions", optarg,
                                   65536, c == OPT_SHARDS ? &a->shards : &a->partitions))
                return EXIT_FAILURE;
            break;
        case 'h': fputs(plan ? cli_usage_plan : usage_scan, stdout); return EXIT_SUCCESS;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", cli_bad_option(argv, (char[3]){0}));
        }
    }
    if (optind >= argc && !a->files_from) return usage_error("%s", "no INPUT given");
    a->first_input = optind;
    return -1;
}


/* Do two paths name one directory: the same string but for trailing
 * slashes, or, both existing, the same file? */
static int same_path(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    while (na > 1 && a[na - 1] == '/') na--;
    while (nb > 1 && b[nb - 1] == '/') nb--;
    if (na == nb && !memcmp(a, b, na)) return 1;
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static int cmd_scan(int argc, char **argv)
{
    cli_scan_args args;
    int code = cli_parse_scan_args("scan", argc, argv, &args);
    if (code >= 0) return code;
    fw_scan_options opt = args.opt;
    const char *out = args.out, *files_from = args.files_from, *html = args.html;
    const char *model = args.passage_model, *save_model = args.save_passage_model;
    unsigned top = args.top, min_run = args.min_run;
    int quiet = args.quiet, force_progress = args.force_progress;
    optind = args.first_input;
    if (html && (!opt.passages || strcmp(out, "-") == 0))
        return usage_error("%s", "--html shows texts, which only the passage level keeps: "
                                 "not with --no-passages or --out -");
    if (html && same_path(html, out))
        return usage_error("--html %s: the directory of --out, where the CSVs go, cannot be the "
                           "HTML report too: give another (such as DIR/html)", html);
    char html_why[4200];
    if (html && !fw_report_html_dir_ok(html, html_why, sizeof html_why)) {
        fprintf(stderr, "fanwen scan: --html %s\n", html_why); /* before the scan, not after */
        return EXIT_FAILURE;
    }
    if ((model || save_model) && (!opt.passages || strcmp(out, "-") == 0))
        return usage_error("%s", "a passage model is the passage level's: not with "
                                 "--no-passages or --out -");
    if (strcmp(out, "-") == 0) opt.passages = 0; /* only pairs.csv is written */
    struct stat sb;
    if (strcmp(out, "-") != 0 && stat(out, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "fanwen scan: --out %s: exists and is not a directory\n", out);
        return EXIT_FAILURE;
    }

    cli_progress prog;
    const int terminal = isatty(STDERR_FILENO);
    cli_progress_init(&prog, force_progress || (!quiet && terminal), terminal);
    cli_input_size size = {0};
    for (int i = optind; i < argc; i++) cli_input_size_add(&size, argv[i]);
    /* listed inputs are read as they are listed: their size is not known */
    prog.total = files_from || size.unknown ? 0 : size.disk;
    if (!opt.memory_limit && !files_from && !size.unknown) {
        uint64_t avail = cli_memory_available();
        uint64_t need = cli_memory_needed(size.text, 1.0, opt.passages);
        if ((opt.memory_limit = cli_memory_budget(need, avail)) != 0 && !quiet)
            fprintf(stderr, "fanwen: the scan may need about %llu MB, %llu MB are "
                    "available: keeping under --memory-limit %lluM (temporary files in "
                    "--tmp-dir; the same reports)\n", (unsigned long long)(need >> 20),
                    (unsigned long long)(avail >> 20),
                    (unsigned long long)(opt.memory_limit >> 20));
    }
    opt.progress = cli_progress_update;
    opt.progress_ctx = &prog;
    char why[256];
    fw_scan *scan;
    fw_status st = fw_scan_new(&opt, &scan, why, sizeof why);
    if (st != FW_OK) {
        fprintf(stderr, "fanwen scan: %s\n%s", why,
                st == FW_ERR_ARG ? "Try 'fanwen scan --help'.\n" : "");
        return EXIT_FAILURE;
    }
    prog.scan = scan;
    if (model && (st = fw_scan_use_passage_model(scan, model)) != FW_OK) {
        fprintf(stderr, "fanwen scan: --passage-model: %s\n", fw_scan_error(scan));
        fw_scan_free(scan);
        return EXIT_FAILURE;
    }
    for (int i = optind; i < argc && st == FW_OK; i++) st = fw_scan_add_path(scan, argv[i]);
    if (st == FW_OK && files_from && cli_add_listed_paths("scan", scan, files_from) != 0) {
        fw_scan_free(scan);
        return EXIT_FAILURE;
    }
    if (st == FW_OK) st = fw_scan_run(scan);
    cli_progress_end(&prog);
    if (st != FW_OK) {
        fprintf(stderr, "fanwen scan: %s\n", fw_scan_error(scan));
        fw_scan_free(scan);
        return EXIT_FAILURE;
    }
    const char *io_error = NULL;
    double html_seconds = 0;
    if (strcmp(out, "-") == 0) {
        st = fw_report_write_pairs(scan, stdout);
        if (fflush(stdout) != 0 || ferror(stdout)) st = FW_ERR_IO;
        if (st == FW_ERR_IO) io_error = strerror(errno);
    } else {
        st = fw_report_write(scan, out, NULL);
        double t0 = cli_now();
        if (st == FW_OK && html && fw_report_write_html(scan, html, top, min_run) != FW_OK) {
            fprintf(stderr, "fanwen scan: cannot write the HTML report to %s: %s (the CSV "
                            "reports are in %s)\n", html, fw_scan_error(scan), out);
            fw_scan_free(scan);
            return EXIT_FAILURE;
        }
        html_seconds = cli_now() - t0;
        if (st == FW_OK && save_model &&
            fw_scan_write_passage_model(scan, save_model) != FW_OK) {
            fprintf(stderr, "fanwen scan: --save-passage-model: %s (the reports are in %s)\n",
                    fw_scan_error(scan), out);
            fw_scan_free(scan);
            return EXIT_FAILURE;
        }
    }
    if (st != FW_OK) {
        fprintf(stderr, "fanwen scan: cannot write reports to %s: %s\n",
                strcmp(out, "-") ? out : "standard output",
                io_error ? io_error : fw_scan_error(scan));
        fw_scan_free(scan);
        return EXIT_FAILURE;
    }
    fw_scan_stats stats;
    fw_scan_get_stats(scan, &stats);
    if (!quiet) {
        print_errors(scan, 10);
        print_summary(scan, out, cli_now() - prog.start);
        if (html)
            fprintf(stderr, "fanwen: HTML report in %s/index.html (written in %.2f s).\n", html,
                    html_seconds);
    }
    code = stats.docs[FW_DOC_ERROR] ? EXIT_PARTIAL : EXIT_SUCCESS;
    fw_scan_free(scan);
    return code;
}

static int run_command(int argc, char **argv);

/* What a command printed must have reached its reader: a full disk or a
 * closed pipe under --help, --version or `index info` is an error too. */
int main(int argc, char **argv)
{
    int code = run_command(argc, argv);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fanwen: cannot write to standard output: %s\n",
                strerror(errno ? errno : EIO));
        if (code == EXIT_SUCCESS) code = EXIT_FAILURE;
    }
    return code;
}

static int run_command(int argc, char **argv)
{
    /* OpenMP threads waiting for work spin by default, taking the cores
     * from the pipeline's reader and sketching threads (bench/README.md:
     * CPU time with OMP_WAIT_POLICY passive and active). libgomp reads the
     * policy once, when it is loaded, before main: so fanwen sets it and
     * starts itself again, once. A user's own setting is kept. */
    if (!getenv("OMP_WAIT_POLICY") && setenv("OMP_WAIT_POLICY", "PASSIVE", 1) == 0)
        execv("/proc/self/exe", argv); /* if that fails, go on as we are */
    /* Batches of text are allocated and freed over and over; on virtual
     * machines the page faults of memory handed back to the kernel and
     * taken again cost more than the work (bench/README.md). Keep freed
     * memory in the process instead. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_FAILURE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_main, stdout);
        return EXIT_SUCCESS;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("fanwen %s\n", fw_version()); /* the library it runs with */
        return EXIT_SUCCESS;
    }
    /* every command that writes a report, a pair's page or a model
     * removes its temporary name when stopped; `run` stops its tasks */
    catch_signals();
    if (!strcmp(cmd, "scan")) return cmd_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "explain")) return cmd_explain(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "index")) return cmd_index(argc - 1, argv + 1);
    if (!strcmp(cmd, "query")) return cmd_query(argc - 1, argv + 1);
    if (!strcmp(cmd, "plan")) return cmd_plan(argc - 1, argv + 1);
    if (!strcmp(cmd, "task")) return cmd_task(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "slurm")) return cmd_slurm(argc - 1, argv + 1);
    if (!strcmp(cmd, "status")) return cmd_status(argc - 1, argv + 1);
    fprintf(stderr, "fanwen: unknown command '%s'\n%s", cmd, usage_main);
    return EXIT_FAILURE;
}
