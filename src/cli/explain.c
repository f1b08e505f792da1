/*
 * explain.c — `fanwen explain`: why two documents are called copies.
 *
 * A row of reuse.csv is a claim; this prints its evidence: each side's
 * copy ratio (the share of its characters in runs of at least --min-run
 * characters both have), the runs with their byte offsets and text, and
 * the places template mode would call equal (years, figures, swapped
 * words). Plain text for a person on a terminal, --json for tools, --html
 * for the page with the two texts side by side.
 *
 * The pair comes from two files (scanned together here, with the passage
 * level), from a report directory, whose scan is run again to read the
 * texts (rescan.c), or from an index (--index): each side an indexed
 * document, by id, or a file, scanned together with the index's
 * parameters and passage model, as a query sees the pair.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *usage_explain =
    "usage: fanwen explain [options] FILE_A FILE_B\n"
    "       fanwen explain [options] --report DIR ID_A ID_B\n"
    "       fanwen explain [options] --index DIR ID_OR_FILE_A ID_OR_FILE_B\n"
    "\n"
    "Shows why two documents are called copies: each one's copy ratio (the\n"
    "share of its characters in runs of at least --min-run characters that\n"
    "the other has too, in the same order), the shared characters, the runs\n"
    "with their byte offsets and text, and the places template mode would\n"
    "call equal (years and figures, swapped words). Runs are aligned inside\n"
    "the reused spans the scan found (spans.csv); a pair without spans gets\n"
    "the runs of n-grams the two share.\n"
    "\n"
    "FILE_A FILE_B are scanned together (one document each). With --report,\n"
    "DIR is the --out of an earlier scan and ID_A ID_B are ids as docs.csv\n"
    "writes them: the scan is run again from what DIR/summary.json recorded\n"
    "(its inputs, read again from the directory it ran in, and its options).\n"
    "With --index, each side is the indexed document of that id (its text\n"
    "as indexed) or else a file (one document; a name that is both, with\n"
    "different texts, is refused), and the two are scanned\n"
    "with the index's parameters and passage model: the pair as `fanwen\n"
    "query --index DIR` sees it (a new document against an archived one).\n"
    "\n"
    "options:\n"
    "      --report DIR      the pair is ID_A ID_B of the scan that wrote DIR\n"
    "      --index DIR       ID_OR_FILE_A ID_OR_FILE_B: indexed ids or files\n"
    "      --min-run N       mark runs of at least N characters (default 13, as\n"
    "                        CNKI and 维普 count them)\n"
    "      --html FILE       write the pair's page to FILE: the two texts side by\n"
    "                        side, runs marked (no script, no network)\n"
    "      --json            print JSON instead of text\n"
    "  -j, --threads N       worker threads (default: all cores)\n"
    "  -h, --help            this text\n"
    "\n"
    "exit status: 0 explained; 2 explained, but with --report the inputs are not\n"
    "what the scan read; 1 usage error, an unknown id or an unreadable input.\n";

static int explain_usage(const char *fmt, const char *arg)
{
    return cli_usage_error("explain", fmt, arg);
}

/* ------------------------------------------------------------- output */

/* Up to `most` characters of text[s, e), white space collapsed, for one
 * line of a terminal. */
static void put_excerpt(FILE *f, const char *text, uint64_t s, uint64_t e, int most,
                        void (*put)(FILE *, const char *, size_t))
{
    char buf[4 * 60 + 8] = "";
    size_t n = 0;
    int chars = 0, space = 0;
    for (uint64_t i = s; i < e && chars < most;) {
        if (n > sizeof buf - 16) { /* room for a space and one character */
            put(f, buf, n);
            n = 0;
        }
        uint32_t cp;
        int invalid;
        size_t k = fw_utf8_decode((const unsigned char *)text + i, e - i, &cp, &invalid);
        if (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp == 0x3000) {
            space = 1;
        } else {
            if (space && chars) buf[n++] = ' ';
            space = 0;
            if (invalid || cp < 0x20) n += fw_utf8_encode(buf + n, 0xFFFD);
            else memcpy(buf + n, text + i, k), n += k;
            chars++;
        }
        i += k;
    }
    put(f, buf, n);
    if (chars >= most) put(f, "…", strlen("…"));
}

static void put_raw(FILE *f, const char *s, size_t n) { fwrite(s, 1, n, f); }

static void put_json_text(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
}

/* A string exactly (an id may hold quotes and line breaks), invalid UTF-8
 * as U+FFFD. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (size_t i = 0, n = strlen(s); i < n;) {
        uint32_t cp;
        int invalid;
        size_t k = fw_utf8_decode((const unsigned char *)s + i, n - i, &cp, &invalid);
        if (invalid) fputs("\\ufffd", f);
        else put_json_text(f, s + i, k);
        i += k;
    }
    fputc('"', f);
}

static const char *kind_name(fw_difference_kind k) { return k == FW_DIFF_FIGURE ? "figure" : "word"; }

/* The scan's own figures for the pair: its Jaccard (pairs.csv) and each
 * side's share through edits (reuse.csv), negative when not listed. */
typedef struct pair_figures {
    double jaccard, a_in_b, b_in_a;
} pair_figures;

static pair_figures figures_of(const fw_scan *scan, size_t a, size_t b)
{
    pair_figures p = {-1, -1, -1};
    const fw_result_pair *pairs;
    const fw_reuse_pair *reuse;
    size_t n;
    fw_scan_pairs(scan, &pairs, &n);
    for (size_t i = 0; i < n; i++)
        if ((pairs[i].a == a && pairs[i].b == b) || (pairs[i].a == b && pairs[i].b == a))
            p.jaccard = pairs[i].jaccard >= 0 ? pairs[i].jaccard : pairs[i].estimate;
    fw_scan_reuse(scan, &reuse, &n);
    for (size_t i = 0; i < n; i++) {
        if (reuse[i].a == a && reuse[i].b == b) p.a_in_b = reuse[i].a_in_b, p.b_in_a = reuse[i].b_in_a;
        if (reuse[i].a == b && reuse[i].b == a) p.a_in_b = reuse[i].b_in_a, p.b_in_a = reuse[i].a_in_b;
    }
    return p;
}

static double ratio(uint64_t part, uint64_t whole) { return whole ? (double)part / whole : 0; }

static void print_text(const fw_explanation *e, const char *ida, const char *idb,
                       pair_figures p, unsigned min_run)
{
    fputs("A  ", stdout); /* ids from the input, shown as the error list shows them */
    cli_put_visible(stdout, ida);
    printf("  (%llu characters)\nB  ", (unsigned long long)e->a_chars);
    cli_put_visible(stdout, idb);
    printf("  (%llu characters)\n", (unsigned long long)e->b_chars);
    printf("copy ratio (复制比), runs of >= %u characters:  A %.1f%% (%llu characters)  "
           "B %.1f%% (%llu characters)\n", min_run, 100 * ratio(e->a_marked, e->a_chars),
           (unsigned long long)e->a_marked, 100 * ratio(e->b_marked, e->b_chars),
           (unsigned long long)e->b_marked);
    if (p.a_in_b >= 0)
        printf("through edits (reuse.csv):  A in B %.3f  B in A %.3f\n", p.a_in_b, p.b_in_a);
    if (p.jaccard >= 0) printf("Jaccard (pairs.csv): %.3f\n", p.jaccard);
    if (e->from_spans)
        printf("%zu reused span%s, %zu run%s:\n", e->spans, e->spans == 1 ? "" : "s", e->nruns,
               e->nruns == 1 ? "" : "s");
    else
        printf("no reused span; %zu run%s of shared %u-grams:\n", e->nruns,
               e->nruns == 1 ? "" : "s", min_run);
    for (size_t k = 0; k < e->nruns; k++) {
        const fw_matched_run *r = &e->runs[k];
        printf("  A[%llu,%llu) = B[%llu,%llu)  %llu  ", (unsigned long long)r->a_start,
               (unsigned long long)r->a_end, (unsigned long long)r->b_start,
               (unsigned long long)r->b_end, (unsigned long long)r->chars);
        put_excerpt(stdout, e->a_text, r->a_start, r->a_end, 40, put_raw);
        putchar('\n');
    }
    if (e->ndiffs) printf("template mode would call equal:\n");
    for (size_t k = 0; k < e->ndiffs; k++) {
        const fw_difference *d = &e->diffs[k];
        printf("  %-6s A[%llu,%llu) ", kind_name(d->kind), (unsigned long long)d->a_start,
               (unsigned long long)d->a_end);
        put_excerpt(stdout, e->a_text, d->a_start, d->a_end, 20, put_raw);
        printf("  B[%llu,%llu) ", (unsigned long long)d->b_start, (unsigned long long)d->b_end);
        put_excerpt(stdout, e->b_text, d->b_start, d->b_end, 20, put_raw);
        putchar('\n');
    }
}

static void json_ratio(FILE *f, const char *name, double v)
{
    fprintf(f, ", \"%s\": ", name);
    if (v >= 0) fprintf(f, "%.6f", v);
    else fputs("null", f);
}

static void print_json(const fw_explanation *e, const char *ida, const char *idb,
                       pair_figures p, unsigned min_run)
{
    printf("{\"a\": {\"id\": ");
    json_str(stdout, ida);
    printf(", \"chars\": %llu, \"marked\": %llu, \"copy_ratio\": %.6f}, \"b\": {\"id\": ",
           (unsigned long long)e->a_chars, (unsigned long long)e->a_marked,
           ratio(e->a_marked, e->a_chars));
    json_str(stdout, idb);
    printf(", \"chars\": %llu, \"marked\": %llu, \"copy_ratio\": %.6f},\n",
           (unsigned long long)e->b_chars, (unsigned long long)e->b_marked,
           ratio(e->b_marked, e->b_chars));
    printf(" \"min_run\": %u, \"spans\": %zu, \"from_spans\": %s", min_run, e->spans,
           e->from_spans ? "true" : "false");
    json_ratio(stdout, "jaccard", p.jaccard);
    json_ratio(stdout, "a_in_b", p.a_in_b);
    json_ratio(stdout, "b_in_a", p.b_in_a);
    printf(",\n \"runs\": [");
    for (size_t k = 0; k < e->nruns; k++) {
        const fw_matched_run *r = &e->runs[k];
        printf("%s\n  {\"a_start\": %llu, \"a_end\": %llu, \"b_start\": %llu, \"b_end\": %llu, "
               "\"chars\": %llu, \"text\": \"", k ? "," : "", (unsigned long long)r->a_start,
               (unsigned long long)r->a_end, (unsigned long long)r->b_start,
               (unsigned long long)r->b_end, (unsigned long long)r->chars);
        put_excerpt(stdout, e->a_text, r->a_start, r->a_end, 1 << 20, put_json_text);
        printf("\"}");
    }
    printf("],\n \"differences\": [");
    for (size_t k = 0; k < e->ndiffs; k++) {
        const fw_difference *d = &e->diffs[k];
        printf("%s\n  {\"kind\": \"%s\", \"a_start\": %llu, \"a_end\": %llu, \"b_start\": %llu, "
               "\"b_end\": %llu, \"a_text\": \"", k ? "," : "", kind_name(d->kind),
               (unsigned long long)d->a_start, (unsigned long long)d->a_end,
               (unsigned long long)d->b_start, (unsigned long long)d->b_end);
        put_excerpt(stdout, e->a_text, d->a_start, d->a_end, 1 << 20, put_json_text);
        printf("\", \"b_text\": \"");
        put_excerpt(stdout, e->b_text, d->b_start, d->b_end, 1 << 20, put_json_text);
        printf("\"}");
    }
    printf("]}\n");
}

/* ------------------------------------------------------------ the pair */

static int find_id(const fw_scan *scan, const char *id, size_t *doc)
{
    for (size_t i = 0, n = fw_scan_doc_count(scan); i < n; i++) {
        fw_doc_info d;
        if (fw_scan_doc(scan, i, &d) == FW_OK && !strcmp(d.id, id)) {
            *doc = i;
            return 1;
        }
    }
    fprintf(stderr, "fanwen explain: no document has the id '%s'\n", id);
    return 0;
}

/* The two documents of a scan of two, or NULL having said why. */
static fw_scan *two_documents(fw_scan *scan, fw_status st, const char *usage)
{
    const char *problem = st != FW_OK ? fw_scan_error(scan) : NULL;
    if (!problem && fw_scan_doc_count(scan) != 2) problem = usage;
    for (size_t i = 0; !problem && i < 2; i++) {
        fw_doc_info d;
        fw_scan_doc(scan, i, &d);
        if (d.status != FW_DOC_OK && d.status != FW_DOC_REPAIRED) {
            fprintf(stderr, "fanwen explain: %s: %s (%s)\n", d.id, fw_doc_status_name(d.status),
                    d.message);
            problem = "";
        }
    }
    if (problem) {
        if (*problem) fprintf(stderr, "fanwen explain: %s\n", problem);
        fw_scan_free(scan);
        return NULL;
    }
    return scan;
}

/* Two files scanned together, with the passage level. */
static fw_scan *scan_two(const char *file_a, const char *file_b, int threads)
{
    fw_scan_options opt;
    fw_scan_options_default(&opt);
    opt.threads = threads;
    fw_scan *scan;
    char why[256];
    if (fw_scan_new(&opt, &scan, why, sizeof why) != FW_OK) {
        fprintf(stderr, "fanwen explain: %s\n", why);
        return NULL;
    }
    fw_status st = fw_scan_add_path(scan, file_a);
    if (st == FW_OK) st = fw_scan_add_path(scan, file_b);
    if (st == FW_OK) st = fw_scan_run(scan);
    return two_documents(scan, st,
                         "FILE_A and FILE_B must be one document each (for a JSONL or WARC "
                         "corpus, scan it and use --report)");
}

/* Can the page be written at `path` (absolute): its directory one to
 * write in, and the path itself no directory? Says why not. */
static int html_writable(const char *path)
{
    struct stat sb;
    const char *slash = strrchr(path, '/');
    char *dir = strndup(path, slash && slash > path ? (size_t)(slash - path) : 1);
    const char *why = NULL;
    if (!dir) why = strerror(ENOMEM);
    else if (access(dir, W_OK | X_OK) != 0) why = strerror(errno);
    else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) why = "a directory";
    if (why) fprintf(stderr, "fanwen explain: --html %s: %s\n", path, why);
    free(dir);
    return !why;
}

/* Does the file at `path` hold exactly these bytes? */
static int file_holds(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char buf[65536];
    size_t at = 0, n;
    int same = 1;
    while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        same = at + n <= len && !memcmp(buf, text + at, n);
        at += n;
    }
    same = same && !ferror(f) && at == len;
    fclose(f);
    return same;
}

/* Do paths a and b name one file? */
static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Adds one side of --index: the indexed document `arg`, or the file;
 * says why when it cannot. An argument that names both an indexed
 * document and a file with another text (a submission checked again under
 * its path, which the query named "path#2") is the indexed document when
 * `other`, the other side, names that file by another path (explain
 * ./path path); else it is refused rather than guessed. */
static fw_status add_side(fw_index *index, fw_scan *scan, const char *arg, const char *other)
{
    char *text;
    size_t len;
    fw_doc_status status;
    fw_status st = fw_index_text(index, arg, &text, &len, &status);
    /* only a regular file is read to compare: a FIFO would block */
    struct stat sb;
    const int exists = stat(arg, &sb) == 0;
    const int is_file = exists && S_ISREG(sb.st_mode);
    if (st == FW_ERR_ARG) { /* not an indexed id: a file */
        if (!exists) {
            const char *hash = strrchr(arg, '#');
            if (hash && hash > arg && hash[1] && strspn(hash + 1, "0123456789") == strlen(hash + 1))
                fprintf(stderr, "fanwen explain: '%s' is neither an id of the index nor a file; "
                                "if it is a query's name for the file '%.*s' (whose id the "
                                "index held), give the file as ./%.*s\n",
                        arg, (int)(hash - arg), arg, (int)(hash - arg), arg);
            else
                fprintf(stderr, "fanwen explain: '%s' is neither an id of the index nor a file\n",
                        arg);
            return FW_ERR_ARG;
        }
        if ((st = fw_scan_add_path(scan, arg)) != FW_OK)
            fprintf(stderr, "fanwen explain: %s\n", fw_scan_error(scan));
        return st;
    }
    if (st != FW_OK) {
        fprintf(stderr, "fanwen explain: %s\n", fw_index_error(index));
        return st;
    }
    if (is_file && !file_holds(arg, text, len) && !(strcmp(arg, other) && same_file(arg, other))) {
        fprintf(stderr, "fanwen explain: '%s' names an indexed document and a file with another "
                        "text: to compare the file with the indexed one, give the file by another "
                        "path and the indexed one by its id (explain --index DIR ./%s %s)\n",
                arg, arg, arg);
        st = FW_ERR_ARG;
    } else if (status != FW_DOC_OK && status != FW_DOC_REPAIRED) {
        fprintf(stderr, "fanwen explain: %s: indexed with status %s, without a text\n", arg,
                fw_doc_status_name(status));
        st = FW_ERR_ARG;
    } else if ((st = fw_scan_add_text(scan, arg, text, len)) != FW_OK) {
        fprintf(stderr, "fanwen explain: %s\n", fw_scan_error(scan));
    }
    free(text);
    return st;
}

/* The pair as a query against the index DIR sees it: each side an indexed
 * document or a file, scanned together with the index's parameters and
 * passage model. */
static fw_scan *scan_indexed(const char *dir, const char *a, const char *b, int threads)
{
    fw_index *index;
    char why[1024];
    if (fw_index_open(dir, 0, &index, why, sizeof why) != FW_OK) {
        fprintf(stderr, "fanwen explain: %s\n", why);
        return NULL;
    }
    fw_scan_options opt;
    fw_index_scan_options(index, &opt);
    opt.threads = threads;
    fw_index_info info;
    fw_index_get_info(index, &info);
    fw_scan *scan = NULL;
    fw_status st = fw_scan_new(&opt, &scan, why, sizeof why);
    if (st != FW_OK) fprintf(stderr, "fanwen explain: %s\n", why);
    if (st == FW_OK && info.passage_model[0]) { /* the model the query used */
        size_t n = strlen(dir) + strlen(info.passage_model) + 2;
        char *model = malloc(n);
        if (!model) {
            st = FW_ERR_NOMEM;
            fprintf(stderr, "fanwen explain: out of memory\n");
        } else {
            snprintf(model, n, "%s/%s", dir, info.passage_model);
            if ((st = fw_scan_use_passage_model(scan, model)) != FW_OK)
                fprintf(stderr, "fanwen explain: %s\n", fw_scan_error(scan));
            free(model);
        }
    }
    if (st == FW_OK) st = add_side(index, scan, a, b);
    if (st == FW_OK) st = add_side(index, scan, b, a);
    fw_index_close(index); /* the texts are the scan's own copies now */
    if (st != FW_OK) {
        fw_scan_free(scan);
        return NULL;
    }
    return two_documents(scan, fw_scan_run(scan),
                         "each side must be one document (an indexed id, or a file holding one)");
}

int cmd_explain(int argc, char **argv)
{
    const char *report = NULL, *html = NULL;
    int json = 0;
    unsigned min_run = CLI_DEFAULT_MIN_RUN, threads = 0;
    const char *index = NULL;
    enum { OPT_REPORT = 256, OPT_INDEX, OPT_MIN_RUN, OPT_HTML, OPT_JSON };
    static const struct option longopts[] = {
        {"report", required_argument, 0, OPT_REPORT},
        {"index", required_argument, 0, OPT_INDEX},
        {"min-run", required_argument, 0, OPT_MIN_RUN},
        {"html", required_argument, 0, OPT_HTML},
        {"json", no_argument, 0, OPT_JSON},
        {"threads", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":j:h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_REPORT: report = optarg; break;
        case OPT_INDEX: index = optarg; break;
        case OPT_MIN_RUN:
            if (!cli_unsigned("explain", "--min-run", optarg, 1, 100000, &min_run))
                return EXIT_FAILURE;
            break;
        case OPT_HTML: html = optarg; break;
        case OPT_JSON: json = 1; break;
        case 'j':
            if (!cli_unsigned("explain", "--threads", optarg, 1, 1024, &threads))
                return EXIT_FAILURE;
            break;
        case 'h': fputs(usage_explain, stdout); return EXIT_SUCCESS;
        case ':': return explain_usage("option '%s' needs a value", argv[optind - 1]);
        default: return explain_usage("unknown option '%s'", cli_bad_option(argv, (char[3]){0}));
        }
    }
    if (report && index) return explain_usage("%s", "give --report or --index, not both");
    if (argc - optind != 2)
        return explain_usage("%s", report  ? "give ID_A and ID_B"
                                   : index ? "give ID_OR_FILE_A and ID_OR_FILE_B"
                                           : "give FILE_A and FILE_B");
    char *html_path = html ? cli_absolute(html) : NULL; /* before rescan's chdir */
    if (html_path && !html_writable(html_path)) {
        free(html_path);
        return EXIT_FAILURE; /* said; before the explanation, not after it */
    }
    int changed = 0;
    fw_scan *scan = report ? cli_rescan("explain", report, (int)threads, &changed)
                    : index ? scan_indexed(index, argv[optind], argv[optind + 1], (int)threads)
                            : scan_two(argv[optind], argv[optind + 1], (int)threads);
    size_t a = 0, b = 1;
    int code = EXIT_FAILURE;
    if (scan && (!report || (find_id(scan, argv[optind], &a) && find_id(scan, argv[optind + 1], &b)))) {
        fw_explanation *e;
        if (fw_scan_explain(scan, a, b, min_run, &e) != FW_OK) {
            fprintf(stderr, "fanwen explain: %s\n", fw_scan_error(scan));
        } else {
            fw_doc_info da, db;
            fw_scan_doc(scan, a, &da);
            fw_scan_doc(scan, b, &db);
            pair_figures p = figures_of(scan, a, b);
            if (json) print_json(e, da.id, db.id, p, min_run);
            else print_text(e, da.id, db.id, p, min_run);
            fw_explanation_free(e);
            code = changed ? EXIT_PARTIAL : EXIT_SUCCESS;
            if (fflush(stdout) != 0) code = EXIT_FAILURE;
            if (html_path && fw_report_write_pair_html(scan, a, b, min_run, html_path) != FW_OK) {
                fprintf(stderr, "fanwen explain: %s\n", fw_scan_error(scan));
                code = EXIT_FAILURE;
            }
        }
    }
    free(html_path);
    fw_scan_free(scan);
    return code;
}
