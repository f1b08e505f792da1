/*
 * index.c — `fanwen index build|add|info|compact|remove` and `fanwen
 * query`: a persistent index (fw_index_* in fanwen.h), scanned once and
 * then asked about new documents.
 *
 * Exit codes as scan's (0 read everything, 2 some inputs unreadable, 1 a
 * usage or fatal error), and 3 for `query --fail-on-match` when a new
 * document has a pair, for a CI job that must fail on a copy.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_MATCH 3

static const char *usage_index =
    "usage: fanwen index build DIR [options] INPUT...  a new index of INPUT\n"
    "       fanwen index add DIR [options] INPUT...    INPUT as a new segment\n"
    "       fanwen index info DIR [--check]            what it holds (--check: read\n"
    "                                                  every block and text)\n"
    "       fanwen index compact DIR                   merge its segments into one\n"
    "       fanwen index remove DIR --ids FILE         remove the documents whose\n"
    "                                                  ids FILE lists, one a line\n"
    "\n"
    "An index keeps what a scan needs of each document (its LSH band keys, id,\n"
    "counts and its text, compressed) so that new documents are checked against\n"
    "it without scanning it again: `fanwen query --index DIR INPUT...`.\n"
    "\n"
    "build options (the parameters are the index's; add and query may repeat\n"
    "them, and a different one is an error naming it):\n"
    "  -t, --threshold J   -n, --ngram N   -k, --perms K   -b, --bands B\n"
    "  -r, --rows R        -s, --seed S    --sketch KIND   --template\n"
    "  --canon FILE        (copied into the index)\n"
    "  --no-passages       documents only: no passage level (no spans or reuse\n"
    "                      in queries; a smaller index, a faster build)\n"
    "  --min-passage N  --max-passage N  --passage-threshold F  --reuse-min F\n"
    "                      as scan's; the passage model (boilerplate lines and\n"
    "                      passages, common 3-grams) is learned from the first\n"
    "                      INPUTs and kept in the index (--boilerplate-docs N\n"
    "                      and --boilerplate-share F shape it, as scan's)\n"
    "  --passage-model FILE  that model instead (scan --save-passage-model of a\n"
    "                      crawl: its boilerplate lines and passages)\n"
    "other options:\n"
    "  -j, --threads N     --text-field F  --id-field F    --max-doc-bytes N\n"
    "  --files-from FILE   more INPUTs, one path a line ('-': standard input)\n"
    "  -q, --quiet         no summary on stderr\n";

static const char *usage_query =
    "usage: fanwen query --index DIR [options] INPUT...\n"
    "\n"
    "Checks the documents of INPUT against the index DIR and among themselves,\n"
    "and writes the rows a scan of the index and INPUT together has for them\n"
    "(with the index's passage model): pairs.csv, clusters.csv, docs.csv, and\n"
    "with an index of the passage level reuse.csv and spans.csv.\n"
    "\n"
    "options:\n"
    "  -o, --out DIR       where the reports go (default: fanwen-report)\n"
    "      --add           then add them to the index (a new segment)\n"
    "      --fail-on-match exit 3 when any new document has a pair\n"
    "  -j, --threads N     --text-field F  --id-field F    --max-doc-bytes N\n"
    "  --files-from FILE   more INPUTs, one path a line ('-': standard input)\n"
    "  -q, --quiet         no summary on stderr\n"
    "      --no-passages   documents only (pairs, clusters, docs), faster\n"
    "  -t -n -k -b -r -s --sketch --template --canon and the passage options:\n"
    "                      as the index was built, or an error naming the one\n"
    "                      that differs\n"
    "\n"
    "exit status: 0 done; 2 some inputs could not be read; 3 --fail-on-match and\n"
    "a new document has a pair; 1 usage or fatal error\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The options of all index commands, parsed once. */
typedef struct index_args {
    fw_scan_options opt;
    int given_params;        /* an answer-changing parameter was given */
    int given_passage;       /* a passage option was given (its name) */
    const char *learning;    /* --boilerplate-docs/-share, if given */
    const char *model;       /* --passage-model FILE (index build) */
    const char *out, *index, *ids, *files_from;
    int add, fail_on_match, quiet, check;
    char **inputs;
    int ninputs;
} index_args;

enum { OPT_SKETCH = 256, OPT_TEMPLATE, OPT_CANON, OPT_TEXT_FIELD, OPT_ID_FIELD, OPT_MAX_DOC,
       OPT_INDEX, OPT_ADD, OPT_FAIL, OPT_IDS, OPT_CHECK, OPT_FILES_FROM, OPT_NO_PASSAGES,
       OPT_MIN_PASSAGE, OPT_MAX_PASSAGE, OPT_PASSAGE_THRESHOLD, OPT_REUSE_MIN,
       OPT_BOILERPLATE_DOCS, OPT_BOILERPLATE_SHARE, OPT_PASSAGE_MODEL };

static int parse_args(const char *cmd, int argc, char **argv, index_args *a)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'},
        {"threshold", required_argument, 0, 't'},
        {"ngram", required_argument, 0, 'n'},
        {"perms", required_argument, 0, 'k'},
        {"bands", required_argument, 0, 'b'},
        {"rows", required_argument, 0, 'r'},
        {"seed", required_argument, 0, 's'},
        {"sketch", required_argument, 0, OPT_SKETCH},
        {"template", no_argument, 0, OPT_TEMPLATE},
        {"canon", required_argument, 0, OPT_CANON},
        {"threads", required_argument, 0, 'j'},
        {"text-field", required_argument, 0, OPT_TEXT_FIELD},
        {"id-field", required_argument, 0, OPT_ID_FIELD},
        {"max-doc-bytes", required_argument, 0, OPT_MAX_DOC},
        {"index", required_argument, 0, OPT_INDEX},
        {"add", no_argument, 0, OPT_ADD},
        {"fail-on-match", no_argument, 0, OPT_FAIL},
        {"ids", required_argument, 0, OPT_IDS},
        {"check", no_argument, 0, OPT_CHECK},
        {"files-from", required_argument, 0, OPT_FILES_FROM},
        {"no-passages", no_argument, 0, OPT_NO_PASSAGES},
        {"min-passage", required_argument, 0, OPT_MIN_PASSAGE},
        {"max-passage", required_argument, 0, OPT_MAX_PASSAGE},
        {"passage-threshold", required_argument, 0, OPT_PASSAGE_THRESHOLD},
        {"reuse-min", required_argument, 0, OPT_REUSE_MIN},
        {"passage-model", required_argument, 0, OPT_PASSAGE_MODEL},
        {"boilerplate-docs", required_argument, 0, OPT_BOILERPLATE_DOCS},
        {"boilerplate-share", required_argument, 0, OPT_BOILERPLATE_SHARE},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    opterr = 0;
    optind = 1;
    int c;
    unsigned v;
    while ((c = getopt_long(argc, argv, ":o:t:n:k:b:r:s:j:qh", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': a->out = optarg; break;
        case 't':
            a->opt.threshold = strtod(optarg, &end);
            if (*end || !(a->opt.threshold > 0 && a->opt.threshold <= 1))
                return cli_usage_error(cmd, "--threshold must be a number in (0, 1], got '%s'",
                                       optarg);
            a->given_params = 1;
            break;
        case 'n': if (!cli_unsigned(cmd, "--ngram", optarg, 1, 64, &a->opt.ngram)) return 1;
            a->given_params = 1; break;
        case 'k': if (!cli_unsigned(cmd, "--perms", optarg, 1, 1024, &a->opt.perms)) return 1;
            a->given_params = 1; break;
        case 'b': if (!cli_unsigned(cmd, "--bands", optarg, 1, 1024, &a->opt.bands)) return 1;
            a->given_params = 1; break;
        case 'r': if (!cli_unsigned(cmd, "--rows", optarg, 1, 1024, &a->opt.rows)) return 1;
            a->given_params = 1; break;
        case 's':
            a->opt.seed = strtoull(optarg, &end, 10);
            if (*end || !*optarg || *optarg == '-')
                return cli_usage_error(cmd, "--seed must be a non-negative integer, got '%s'",
                                       optarg);
            a->given_params = 1;
            break;
        case 'j': if (!cli_unsigned(cmd, "--threads", optarg, 1, 1024, &v)) return 1;
            a->opt.threads = (int)v; break;
        case OPT_SKETCH:
            if (!strcmp(optarg, "oph")) a->opt.sketch = FW_SKETCH_OPH;
            else if (!strcmp(optarg, "minhash")) a->opt.sketch = FW_SKETCH_MINHASH;
            else return cli_usage_error(cmd, "--sketch must be minhash or oph, got '%s'", optarg);
            a->given_params = 1;
            break;
        case OPT_TEMPLATE: a->opt.template_mode = 1; a->given_params = 1; break;
        case OPT_CANON: a->opt.canon_path = optarg; a->given_params = 1; break;
        case OPT_TEXT_FIELD: a->opt.text_field = optarg; break;
        case OPT_ID_FIELD: a->opt.id_field = optarg; break;
        case OPT_MAX_DOC:
            if (!cli_parse_size(optarg, &a->opt.max_doc_bytes))
                return cli_usage_error(cmd, "--max-doc-bytes must be a size such as 64M, got '%s'",
                                       optarg);
            break;
        case OPT_INDEX: a->index = optarg; break;
        case OPT_ADD: a->add = 1; break;
        case OPT_FAIL: a->fail_on_match = 1; break;
        case OPT_IDS: a->ids = optarg; break;
        case OPT_CHECK: a->check = 1; break;
        case OPT_FILES_FROM:
            if (a->files_from) /* else the first list would be dropped unsaid */
                return cli_usage_error(cmd, "--files-from given twice ('%s'): give one list",
                                       optarg);
            a->files_from = optarg;
            break;
        case OPT_NO_PASSAGES: a->opt.passages = 0; break;
        case OPT_MIN_PASSAGE:
            a->given_passage = 1;
            if (!cli_unsigned(cmd, "--min-passage", optarg, 1, 1u << 30, &a->opt.min_passage))
                return 1;
            a->given_params = 1;
            break;
        case OPT_MAX_PASSAGE:
            a->given_passage = 1;
            if (!cli_unsigned(cmd, "--max-passage", optarg, 0, 1u << 30, &a->opt.max_passage))
                return 1;
            a->given_params = 1;
            break;
        case OPT_PASSAGE_MODEL: a->model = optarg; break;
        case OPT_BOILERPLATE_DOCS: /* they only shape the model the build learns */
            a->learning = "--boilerplate-docs";
            if (!cli_unsigned(cmd, "--boilerplate-docs", optarg, 1, 1u << 31, &v)) return 1;
            a->opt.boilerplate_docs = v;
            break;
        case OPT_BOILERPLATE_SHARE: {
            a->learning = "--boilerplate-share";
            double x = strtod(optarg, &end);
            if (*end || !*optarg || !(x >= 0 && x <= 1))
                return cli_usage_error(cmd, "--boilerplate-share must be a number in [0, 1], got "
                                       "'%s'", optarg);
            a->opt.boilerplate_share = x;
            break;
        }
        case OPT_PASSAGE_THRESHOLD:
        case OPT_REUSE_MIN: {
            a->given_passage = 1;
            double x = strtod(optarg, &end);
            if (*end || !*optarg || !(x > 0 && x <= 1))
                return cli_usage_error(cmd, c == OPT_REUSE_MIN
                                                ? "--reuse-min must be a number in (0, 1], got '%s'"
                                                : "--passage-threshold must be a number in (0, 1], "
                                                  "got '%s'",
                                       optarg);
            *(c == OPT_REUSE_MIN ? &a->opt.reuse_min : &a->opt.passage_threshold) = x;
            a->given_params = 1;
            break;
        }
        case 'q': a->quiet = 1; break;
        case 'h': return -1;
        case ':': return cli_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error(cmd, "unknown option %s", cli_bad_option(argv, (char[3]){0}));
        }
    }
    a->inputs = argv + optind;
    a->ninputs = argc - optind;
    return 0;
}

/* The index's parameters, with those given on the command line over them
 * (so that fw_index_batch_new() names a difference). */
static void batch_options(fw_index *ix, const index_args *a, int argc, char **argv,
                          fw_scan_options *o)
{
    fw_index_scan_options(ix, o);
    index_args again = {0};
    again.opt = *o;
    parse_args("index", argc, argv, &again); /* the same line, over the index's values */
    *o = again.opt;
    o->threads = a->opt.threads;
}

/* Reads the inputs into the batch and queries: the result, or NULL after
 * saying why on stderr. */
static fw_index_result *run_query(const char *cmd, fw_index *ix, const index_args *a, int argc,
                                  char **argv, fw_scan **batch, int adding, int reports)
{
    fw_scan_options o, kept;
    batch_options(ix, a, argc, argv, &o);
    fw_index_scan_options(ix, &kept);
    fw_index_info info;
    fw_index_get_info(ix, &info);
    if (a->model && strcmp(cmd, "index build")) {
        fprintf(stderr, "fanwen %s: --passage-model is index build's: the index keeps the model "
                "it was built with\n", cmd);
        return NULL;
    }
    if (a->learning && (a->model || info.documents || info.removed || info.segments)) {
        fprintf(stderr, "fanwen %s: %s shapes the passage model an index learns from its "
                "first batch; this index has its model already\n", cmd, a->learning);
        return NULL;
    }
    if (a->given_passage && !kept.passages) {
        fprintf(stderr, "fanwen %s: the index was built without the passage level "
                "(--no-passages): the passage options do not apply\n", cmd);
        return NULL;
    }
    if (adding && kept.passages && !o.passages) {
        fprintf(stderr, "fanwen %s: --no-passages cannot add to an index of the passage level: "
                "its documents keep their passages (query without --add, or leave it out)\n", cmd);
        return NULL;
    }
    if ((reports ? fw_index_batch_new : fw_index_batch_to_add)(ix, &o, batch) != FW_OK) {
        fprintf(stderr, "fanwen %s: %s\n", cmd, fw_index_error(ix));
        return NULL;
    }
    for (int i = 0; i < a->ninputs; i++)
        if (fw_scan_add_path(*batch, a->inputs[i]) != FW_OK) {
            fprintf(stderr, "fanwen %s: %s\n", cmd, fw_scan_error(*batch));
            return NULL;
        }
    if (a->files_from && cli_add_listed_paths(cmd, *batch, a->files_from) != 0) return NULL;
    fw_index_result *r;
    if (fw_index_query(ix, *batch, &r) != FW_OK) {
        fprintf(stderr, "fanwen %s: %s\n", cmd, fw_index_error(ix));
        return NULL;
    }
    return r;
}

static void say_waiting(const char *dir, void *arg)
{
    (void)arg;
    fprintf(stderr, "fanwen: waiting for another writer of %s\n", dir);
}

/* After a change that succeeded: its warning, if any (committed, but
 * maybe not durable), even under -q. */
static void warn_committed(const char *cmd, const fw_index *ix)
{
    if (fw_index_error(ix)[0]) fprintf(stderr, "fanwen %s: warning: %s\n", cmd, fw_index_error(ix));
}

static int unreadable(const fw_scan *batch)
{
    fw_scan_stats st;
    fw_scan_get_stats(batch, &st);
    return st.docs[FW_DOC_ERROR] ? EXIT_PARTIAL : EXIT_SUCCESS;
}

/* index build DIR / index add DIR: the inputs become a segment. */
static int build_or_add(int build, int argc, char **argv)
{
    const char *cmd = build ? "index build" : "index add";
    index_args a = {0};
    fw_scan_options_default(&a.opt);
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc < 0) { fputs(usage_index, stdout); return EXIT_SUCCESS; }
    if (rc) return rc;
    if (a.ninputs < 1 || (a.ninputs < 2 && !a.files_from))
        return cli_usage_error(cmd, "needs DIR and at least one INPUT (or --files-from)%s", "");
    const char *dir = a.inputs[0];
    a.inputs++;
    a.ninputs--;
    char why[1024];
    fw_index *ix;
    double t0 = now();
    fw_status st = build ? fw_index_create(dir, &a.opt, &ix, why, sizeof why)
                         : fw_index_open(dir, FW_INDEX_WRITE, &ix, why, sizeof why);
    if (st != FW_OK) {
        fprintf(stderr, "fanwen %s: %s\n", cmd, why);
        return EXIT_FAILURE;
    }
    if (build && a.model && fw_index_use_passage_model(ix, a.model) != FW_OK) {
        fprintf(stderr, "fanwen %s: --passage-model: %s\n", cmd, fw_index_error(ix));
        fw_index_close(ix);
        return EXIT_FAILURE;
    }
    fw_scan *batch = NULL;
    fw_index_result *r = run_query(cmd, ix, &a, argc, argv, &batch, 1, 0);
    rc = EXIT_FAILURE;
    if (r && fw_index_add(ix, r) != FW_OK) {
        fprintf(stderr, "fanwen %s: %s\n", cmd, fw_index_error(ix));
    } else if (r) {
        warn_committed(cmd, ix);
        rc = unreadable(batch);
        if (!a.quiet) {
            fw_index_info info;
            fw_index_get_info(ix, &info);
            fprintf(stderr, "fanwen: %zu documents added to %s (%zu pairs with them), %llu in "
                    "%llu segments, in %.2f s.\n", fw_scan_doc_count(batch), dir,
                    fw_index_result_pair_count(r), (unsigned long long)info.documents,
                    (unsigned long long)info.segments, now() - t0);
        }
    }
    fw_index_result_free(r);
    fw_scan_free(batch);
    fw_index_close(ix);
    return rc;
}

static int info(int argc, char **argv)
{
    index_args a = {0};
    int rc = parse_args("index info", argc, argv, &a);
    if (rc < 0) { fputs(usage_index, stdout); return EXIT_SUCCESS; }
    if (rc) return rc;
    if (a.ninputs != 1) return cli_usage_error("index info", "needs DIR%s", "");
    char why[1024];
    fw_index *ix;
    if (fw_index_open(a.inputs[0], 0, &ix, why, sizeof why) != FW_OK) {
        fprintf(stderr, "fanwen index info: %s\n", why);
        return EXIT_FAILURE;
    }
    fw_index_info in;
    fw_index_get_info(ix, &in);
    fw_scan_options o;
    fw_index_scan_options(ix, &o);
    printf("index %s: generation %llu, %llu documents (%llu removed), %llu segments, %llu "
           "pairs\n", a.inputs[0], (unsigned long long)in.generation,
           (unsigned long long)in.documents, (unsigned long long)in.removed,
           (unsigned long long)in.segments, (unsigned long long)in.pairs);
    printf("parameters: ngram %u, perms %u, bands %u x rows %u, threshold %g, seed %llu, "
           "sketch %s%s\n", o.ngram, o.perms, o.bands, o.rows, o.threshold,
           (unsigned long long)o.seed, fw_sketch_name(o.sketch),
           o.template_mode ? (o.canon_path ? ", template (canon.tsv)" : ", template") : "");
    double docs = in.documents + in.removed ? (double)(in.documents + in.removed) : 1;
    if (o.passages)
        printf("passage level: min %u, max %u characters, threshold %g, reuse-min %g\n",
               o.min_passage, o.max_passage, o.passage_threshold, o.reuse_min);
    printf("bytes: tables %llu, band files %llu, texts %llu (of %llu raw); per document "
           "%.0f, %.0f, %.0f\n", (unsigned long long)in.docs_bytes,
           (unsigned long long)in.band_bytes, (unsigned long long)in.text_bytes,
           (unsigned long long)in.text_raw_bytes, in.docs_bytes / docs, in.band_bytes / docs,
           in.text_bytes / docs);
    if (o.passages)
        printf("passage band files %llu bytes, %.0f per document; passage model %s, %llu "
               "bytes\n", (unsigned long long)in.passage_band_bytes, in.passage_band_bytes / docs,
               in.passage_model[0] ? in.passage_model : "(none yet)",
               (unsigned long long)in.passage_model_bytes);
    if (o.passages)
        printf("passage screen files %llu bytes, %.0f per document\n",
               (unsigned long long)in.passage_screen_bytes, in.passage_screen_bytes / docs);
    if (in.unscreened_segments)
        printf("%llu segments without a screen file (written by an earlier fanwen): their "
               "candidates' documents are all cut again; build the index again to have them\n",
               (unsigned long long)in.unscreened_segments);
    for (size_t i = 0; i < in.segments; i++) {
        const char *name;
        uint64_t n, first, last;
        fw_index_segment(ix, i, &name, &n, &first, &last);
        printf("segment %s: %llu documents, numbers %llu-%llu\n", name, (unsigned long long)n,
               (unsigned long long)first, (unsigned long long)last);
    }
    rc = EXIT_SUCCESS;
    if (a.check) {
        if (fw_index_check(ix) != FW_OK) {
            fprintf(stderr, "fanwen index info: %s\n", fw_index_error(ix));
            rc = EXIT_FAILURE;
        } else {
            printf("check: every block and text is sound\n");
        }
    }
    fw_index_close(ix);
    return rc;
}

static int compact(int argc, char **argv)
{
    index_args a = {0};
    int rc = parse_args("index compact", argc, argv, &a);
    if (rc < 0) { fputs(usage_index, stdout); return EXIT_SUCCESS; }
    if (rc) return rc;
    if (a.ninputs != 1) return cli_usage_error("index compact", "needs DIR%s", "");
    char why[1024];
    fw_index *ix;
    if (fw_index_open(a.inputs[0], FW_INDEX_WRITE, &ix, why, sizeof why) != FW_OK) {
        fprintf(stderr, "fanwen index compact: %s\n", why);
        return EXIT_FAILURE;
    }
    double t0 = now();
    rc = EXIT_SUCCESS;
    if (fw_index_compact(ix) != FW_OK) {
        fprintf(stderr, "fanwen index compact: %s\n", fw_index_error(ix));
        rc = EXIT_FAILURE;
    } else if (warn_committed("index compact", ix), !a.quiet) {
        fw_index_info in;
        fw_index_get_info(ix, &in);
        fprintf(stderr, "fanwen: %s compacted: %llu documents in %llu segment(s), in %.2f s.\n",
                a.inputs[0], (unsigned long long)in.documents, (unsigned long long)in.segments,
                now() - t0);
    }
    fw_index_close(ix);
    return rc;
}

static int remove_ids(int argc, char **argv)
{
    index_args a = {0};
    int rc = parse_args("index remove", argc, argv, &a);
    if (rc < 0) { fputs(usage_index, stdout); return EXIT_SUCCESS; }
    if (rc) return rc;
    if (a.ninputs != 1 || !a.ids) return cli_usage_error("index remove", "needs DIR and --ids FILE%s", "");
    FILE *f = strcmp(a.ids, "-") ? fopen(a.ids, "r") : stdin;
    if (!f) {
        perror(a.ids);
        return EXIT_FAILURE;
    }
    char **ids = NULL, *line = NULL;
    size_t n = 0, cap = 0, lcap = 0;
    ssize_t len;
    int ok = 1;
    errno = 0;
    while (ok && (len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len) continue;
        if (n == cap) {
            size_t grown_cap = cap ? 2 * cap : 64;
            char **grown = realloc(ids, grown_cap * sizeof *ids);
            if (!grown) {
                ok = 0;
                break;
            }
            ids = grown;
            cap = grown_cap;
        }
        if (!(ids[n] = strdup(line))) ok = 0;
        else n++;
    }
    if (ok && ferror(f)) ok = 0; /* getline's error, not the end */
    int err = errno;
    free(line);
    if (f != stdin) fclose(f);
    char why[1024];
    fw_index *ix;
    rc = EXIT_FAILURE;
    size_t removed = 0;
    if (!ok) {
        fprintf(stderr, "fanwen index remove: %s: %s\n", a.ids, strerror(err ? err : ENOMEM));
    } else if (fw_index_open(a.inputs[0], FW_INDEX_WRITE, &ix, why, sizeof why) != FW_OK) {
        fprintf(stderr, "fanwen index remove: %s\n", why);
    } else {
        if (fw_index_remove(ix, (const char *const *)ids, n, &removed) != FW_OK) {
            fprintf(stderr, "fanwen index remove: %s\n", fw_index_error(ix));
        } else {
            rc = EXIT_SUCCESS;
            warn_committed("index remove", ix);
            if (!a.quiet && removed == n)
                fprintf(stderr, "fanwen: %zu id%s removed.\n", removed, removed == 1 ? "" : "s");
            else if (!a.quiet)
                fprintf(stderr, "fanwen: %zu of %zu ids removed (the others are not in the "
                        "index, or named twice).\n", removed, n);
        }
        fw_index_close(ix);
    }
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
    return rc;
}

int cmd_index(int argc, char **argv)
{
    fw_index_on_wait(say_waiting, NULL);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_index, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_FAILURE : EXIT_SUCCESS;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "build")) return build_or_add(1, argc - 1, argv + 1);
    if (!strcmp(sub, "add")) return build_or_add(0, argc - 1, argv + 1);
    if (!strcmp(sub, "info")) return info(argc - 1, argv + 1);
    if (!strcmp(sub, "compact")) return compact(argc - 1, argv + 1);
    if (!strcmp(sub, "remove")) return remove_ids(argc - 1, argv + 1);
    fprintf(stderr, "fanwen index: unknown command '%s'\n%s", sub, usage_index);
    return EXIT_FAILURE;
}

int cmd_query(int argc, char **argv)
{
    fw_index_on_wait(say_waiting, NULL);
    index_args a = {0};
    fw_scan_options_default(&a.opt);
    a.out = "fanwen-report";
    int rc = parse_args("query", argc, argv, &a);
    if (rc < 0) { fputs(usage_query, stdout); return EXIT_SUCCESS; }
    if (rc) return rc;
    if (!a.index) return cli_usage_error("query", "needs --index DIR%s", "");
    if (a.ninputs < 1 && !a.files_from)
        return cli_usage_error("query", "needs at least one INPUT (or --files-from)%s", "");
    char why[1024];
    fw_index *ix;
    double t0 = now();
    if (fw_index_open(a.index, a.add ? FW_INDEX_WRITE : 0, &ix, why, sizeof why) != FW_OK) {
        fprintf(stderr, "fanwen query: %s\n", why);
        return EXIT_FAILURE;
    }
    fw_scan *batch = NULL;
    fw_index_result *r = run_query("query", ix, &a, argc, argv, &batch, a.add, 1);
    rc = EXIT_FAILURE;
    if (r) {
        fw_status st = fw_index_result_write(ix, r, a.out);
        if (st == FW_OK && a.add) st = fw_index_add(ix, r);
        if (st != FW_OK) {
            fprintf(stderr, "fanwen query: %s\n", fw_index_error(ix));
        } else {
            if (a.add) warn_committed("query", ix);
            size_t pairs = fw_index_result_pair_count(r), indexed = 0;
            for (size_t i = 0; i < pairs; i++) {
                fw_index_match m;
                fw_index_result_pair(r, i, &m);
                indexed += m.a_indexed || m.b_indexed;
            }
            rc = a.fail_on_match && pairs ? EXIT_MATCH : unreadable(batch);
            if (!a.quiet)
                fprintf(stderr, "fanwen: %zu new documents, %zu pairs (%zu with indexed "
                        "documents)%s, in %.3f s.\n", fw_scan_doc_count(batch), pairs, indexed,
                        a.add ? ", added to the index" : "", now() - t0);
        }
    }
    fw_index_result_free(r);
    fw_scan_free(batch);
    fw_index_close(ix);
    return rc;
}
