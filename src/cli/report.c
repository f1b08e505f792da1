/*
 * report.c — `fanwen report DIR`: the HTML report of an earlier scan.
 *
 * `fanwen scan --html` writes the report while the scan is in memory; this
 * writes it later from a report directory, by running the scan again from
 * what its summary.json recorded (rescan.c), since the directory does not
 * hold the texts the pages show.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_report =
    "usage: fanwen report [options] DIR\n"
    "\n"
    "Writes the HTML report of the scan whose reports are in DIR (its --out):\n"
    "an overview (documents by status, pairs, clusters, passage groups,\n"
    "boilerplate, distributions) with the top N of each list, and a page for\n"
    "each pair (the two texts side by side, shared runs marked), document (its\n"
    "sources by share, its text coloured by source), cluster (members, the\n"
    "pairs that joined them, a similarity matrix) and passage group listed.\n"
    "The pages need no network and run no script. The scan is run again from\n"
    "what DIR/summary.json recorded: its inputs, read again from the directory\n"
    "it ran in, and its options.\n"
    "\n"
    "options:\n"
    "      --html OUT        write the report into the directory OUT (default\n"
    "                        DIR/html); OUT is replaced only if it is such a\n"
    "                        report\n"
    "      --top N           list and give pages to the top N of each list\n"
    "                        (default 100)\n"
    "      --min-run N       mark runs of at least N characters (default 13)\n"
    "  -j, --threads N       worker threads (default: all cores)\n"
    "  -q, --quiet           no summary line\n"
    "  -h, --help            this text\n"
    "\n"
    "exit status: 0 written; 2 written, but the inputs are not what the scan read (the\nreport may not match its CSVs); 1 usage error, or the scan or the report failed.\n";

static int report_usage(const char *fmt, const char *arg)
{
    return cli_usage_error("report", fmt, arg);
}

int cmd_report(int argc, char **argv)
{
    const char *html = NULL;
    unsigned top = CLI_DEFAULT_TOP, min_run = CLI_DEFAULT_MIN_RUN, threads = 0;
    int quiet = 0;
    enum { OPT_HTML = 256, OPT_TOP, OPT_MIN_RUN };
    static const struct option longopts[] = {
        {"html", required_argument, 0, OPT_HTML},
        {"top", required_argument, 0, OPT_TOP},
        {"min-run", required_argument, 0, OPT_MIN_RUN},
        {"threads", required_argument, 0, 'j'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_HTML: html = optarg; break;
        case OPT_TOP:
            if (!cli_unsigned("report", "--top", optarg, 1, 1000000, &top)) return EXIT_FAILURE;
            break;
        case OPT_MIN_RUN:
            if (!cli_unsigned("report", "--min-run", optarg, 1, 100000, &min_run))
                return EXIT_FAILURE;
            break;
        case 'j':
            if (!cli_unsigned("report", "--threads", optarg, 1, 1024, &threads))
                return EXIT_FAILURE;
            break;
        case 'q': quiet = 1; break;
        case 'h': fputs(usage_report, stdout); return EXIT_SUCCESS;
        case ':': return report_usage("option '%s' needs a value", argv[optind - 1]);
        default: return report_usage("unknown option '%s'", cli_bad_option(argv, (char[3]){0}));
        }
    }
    if (argc - optind != 1) return report_usage("%s", "give one report directory DIR");
    const char *dir = argv[optind];
    char *out = NULL;
    if (html) {
        out = cli_absolute(html);
    } else {
        size_t n = strlen(dir) + sizeof "/html";
        char *rel = malloc(n);
        if (rel) snprintf(rel, n, "%s/html", dir);
        out = rel ? cli_absolute(rel) : NULL;
        free(rel);
    }
    char *abs_dir = cli_absolute(dir); /* before rescan's chdir */
    if (!out || !abs_dir) {
        fprintf(stderr, "fanwen report: out of memory\n");
        free(out);
        free(abs_dir);
        return EXIT_FAILURE;
    }
    int changed;
    fw_scan *scan = cli_rescan("report", abs_dir, (int)threads, &changed);
    int code = EXIT_FAILURE;
    if (scan) {
        if (fw_report_write_html(scan, out, top, min_run) != FW_OK) {
            fprintf(stderr, "fanwen report: %s\n", fw_scan_error(scan));
        } else {
            code = changed ? EXIT_PARTIAL : EXIT_SUCCESS;
            if (!quiet) fprintf(stderr, "fanwen: HTML report in %s/index.html\n", out);
        }
    }
    fw_scan_free(scan);
    free(out);
    free(abs_dir);
    return code;
}
