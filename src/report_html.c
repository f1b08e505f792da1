/*
 * report_html.c — the report a person reads: an overview and the evidence,
 * as pages of HTML in one directory.
 *
 * The CSVs say that two reports share 62% of their text; a person wants to
 * see it, the way 查重 reports show it: the two texts side by side with
 * the copied runs marked (runs of at least min_run characters, 13 as CNKI
 * and 维普 count them, from explain.c), a copy ratio for each side, a
 * document's sources ranked by how much came from each, boilerplate grey.
 *
 * A corpus of 400,000 documents cannot be one page, nor one page per
 * document: the directory holds index.html (counts, distributions as
 * inline SVG, and the top `top` of each list) and one page for each pair,
 * document, cluster and passage group those lists and the pages link to,
 * named by document ranks and group numbers (ids are file names that can
 * hold anything: they are shown, escaped, and never used in a link):
 *
 *   pair/RA-RB.html    two texts side by side (ranks in id order, RA ≤ RB)
 *   doc/R.html         a document's sources and its text coloured by them
 *   cluster/R.html     a cluster named by its representative's rank
 *   group/G.html       a passage group, boilerplate or not
 *
 * This file runs the report: it indexes what the pages read more than once
 * (report_init), decides which pages exist (select_pages), has each
 * written by the file of its kind (html_pair_page.c, html_doc_page.c,
 * html_cluster_page.c, html_group_page.c, html_overview.c; what they share
 * is in report_html.h) and puts the directory in place.
 *
 * Which pages exist is decided before any is written, so that a link is
 * written only to a page that exists: the top documents by reused share
 * and, for each, its five largest sources; the top pairs by Jaccard and by
 * reuse; every document of those pairs; the top clusters by size; the top
 * passage groups by documents, and every boilerplate group. Everything is
 * sorted with ties broken by rank or number, and nothing depends on time
 * or on threads: the same scan gives the same bytes.
 *
 * Complete or absent, as the CSVs: the pages are written into DIR.tmp.PID
 * beside DIR, which then replaces DIR (the old one moved aside and
 * removed). An existing DIR that is not such a report is left alone and
 * the call fails.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "report_html.h"
#include "grow.h"
#include "html_page.h"
#include "scan.h"
#include "whole_file.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SOURCES_LINKED 5    /* sources of a top document given a pair page */

/* ------------------------------------------------- what gets a page */

/* Pair a-b gets a page; the keys are sorted and made distinct once all are
 * in. *ok becomes 0 when out of memory. */
static void want_pair_page(fw_html_report *r, size_t a, size_t b, int *ok)
{
    if (!fw_grow(&r->pair_pages, &r->pair_pages_cap, r->npair_pages + 1, sizeof *r->pair_pages,
                 64)) {
        *ok = 0;
        return;
    }
    r->pair_pages[r->npair_pages++] = fw_html_pair_key(r->rank[a], r->rank[b]);
}

typedef struct keyed {
    double key;
    size_t at;
} keyed;

static int by_key_desc(const void *p, const void *q)
{
    const keyed *x = p, *y = q;
    if (x->key != y->key) return x->key > y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The positions of the `top` largest positive keys, largest first, ties
 * by position (the lists are by id already); *count of them. */
static size_t *top_by(const double *key, size_t n, size_t top, size_t *count)
{
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    size_t *order = malloc((n ? n : 1) * sizeof *order), m = 0;
    if (!k || !order) {
        free(k);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (key[i] > 0) k[m++] = (keyed){key[i], i};
    qsort(k, m, sizeof *k, by_key_desc);
    *count = m < top ? m : top;
    for (size_t i = 0; i < *count; i++) order[i] = k[i].at;
    free(k);
    return order;
}

static void selection_free(fw_html_selection *s)
{
    free(s->pairs);
    free(s->reuse);
    free(s->docs);
    for (size_t i = 0; i < s->nclusters; i++) free(s->clusters[i].members);
    free(s->clusters);
    free(s->groups);
    free(s->doc_share);
}

static int by_size_then_rank(const void *p, const void *q)
{
    const fw_html_cluster *x = p, *y = q;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static fw_status select_clusters(fw_html_report *r, fw_html_selection *s)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, i, &d);
        if (d.cluster != (int64_t)i || d.cluster_size < 2) continue;
        if (!fw_grow(&s->clusters, &cap, n + 1, sizeof *s->clusters, 64)) return FW_ERR_NOMEM;
        s->clusters[n++] = (fw_html_cluster){i, d.rank, d.cluster_size, NULL, 0, 0};
    }
    s->nclusters = n;
    if (n > 1) qsort(s->clusters, n, sizeof *s->clusters, by_size_then_rank);
    s->ntop_clusters = n < r->top ? n : r->top;
    /* the members of the top clusters, by id */
    int32_t *slot = malloc((r->ndocs ? r->ndocs : 1) * sizeof *slot);
    if (!slot) return FW_ERR_NOMEM;
    for (size_t i = 0; i < r->ndocs; i++) slot[i] = -1;
    for (size_t c = 0; c < s->ntop_clusters; c++) {
        slot[s->clusters[c].rep] = (int32_t)c;
        r->doc_page[s->clusters[c].rep] |= CLUSTER_PAGE;
    }
    for (size_t rk = 0; rk < r->ndocs; rk++) {
        size_t doc;
        fw_doc_info d;
        fw_scan_doc_by_rank(r->scan, rk, &doc);
        fw_scan_doc(r->scan, doc, &d);
        if (d.cluster < 0 || slot[d.cluster] < 0) continue;
        fw_html_cluster *c = &s->clusters[slot[d.cluster]];
        if (!fw_grow(&c->members, &c->cap, c->nmembers + 1, sizeof *c->members, 8)) {
            free(slot);
            return FW_ERR_NOMEM;
        }
        c->members[c->nmembers++] = doc;
    }
    free(slot);
    return FW_OK;
}

typedef struct group_rank {
    uint64_t docs, group;
} group_rank;

static int by_docs_then_number(const void *p, const void *q)
{
    const group_rank *x = p, *y = q;
    if (x->docs != y->docs) return x->docs > y->docs ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

static int by_u64(const void *p, const void *q)
{
    uint64_t x = *(const uint64_t *)p, y = *(const uint64_t *)q;
    return x < y ? -1 : x > y;
}

/* What gets a page, decided before any page is written. */
static fw_status select_pages(fw_html_report *r, fw_html_selection *s)
{
    double *jac = malloc((r->npairs ? r->npairs : 1) * sizeof *jac);
    double *reuse = malloc((r->nreuse ? r->nreuse : 1) * sizeof *reuse);
    s->doc_share = malloc((r->ndocs ? r->ndocs : 1) * sizeof *s->doc_share);
    group_rank *groups = malloc((r->ngroups + 1) * sizeof *groups);
    fw_status st = jac && reuse && s->doc_share && groups ? FW_OK : FW_ERR_NOMEM;
    for (size_t i = 0; st == FW_OK && i < r->npairs; i++)
        jac[i] = r->pairs[i].jaccard >= 0 ? r->pairs[i].jaccard : r->pairs[i].estimate;
    for (size_t i = 0; st == FW_OK && i < r->nreuse; i++)
        reuse[i] = r->reuse[i].a_in_b > r->reuse[i].b_in_a ? r->reuse[i].a_in_b
                                                           : r->reuse[i].b_in_a;
    for (size_t i = 0; st == FW_OK && i < r->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(r->scan, i, &d);
        s->doc_share[i] = d.reused_share;
    }
    /* documents by id first, so that ties keep id order */
    double *by_rank_share = malloc((r->ndocs ? r->ndocs : 1) * sizeof *by_rank_share);
    if (!by_rank_share) st = FW_ERR_NOMEM;
    for (size_t rk = 0; st == FW_OK && rk < r->ndocs; rk++) {
        size_t doc;
        fw_scan_doc_by_rank(r->scan, rk, &doc);
        by_rank_share[rk] = s->doc_share[doc];
    }
    if (st == FW_OK) {
        s->pairs = top_by(jac, r->npairs, r->top, &s->npairs);
        s->reuse = top_by(reuse, r->nreuse, r->top, &s->nreuse);
        s->docs = top_by(by_rank_share, r->ndocs, r->top, &s->ndocs);
        if (!s->pairs || !s->reuse || !s->docs) st = FW_ERR_NOMEM;
    }
    for (size_t i = 0; st == FW_OK && i < s->ndocs; i++) { /* ranks to documents */
        size_t doc;
        fw_scan_doc_by_rank(r->scan, s->docs[i], &doc);
        s->docs[i] = doc;
    }
    int ok = 1;
    for (size_t i = 0; st == FW_OK && i < s->npairs; i++)
        want_pair_page(r, r->pairs[s->pairs[i]].a, r->pairs[s->pairs[i]].b, &ok);
    for (size_t i = 0; st == FW_OK && i < s->nreuse; i++)
        want_pair_page(r, r->reuse[s->reuse[i]].a, r->reuse[s->reuse[i]].b, &ok);
    for (size_t i = 0; st == FW_OK && i < s->ndocs; i++) {
        fw_html_source *src;
        size_t n;
        if ((st = fw_html_sources_of(r, s->docs[i], SOURCES_LINKED, &src, &n)) != FW_OK) break;
        for (size_t k = 0; k < n; k++) want_pair_page(r, s->docs[i], src[k].doc, &ok);
        free(src);
    }
    if (!ok && st == FW_OK) st = FW_ERR_NOMEM;
    if (st == FW_OK) { /* sorted and distinct */
        if (r->npair_pages > 1)
            qsort(r->pair_pages, r->npair_pages, sizeof *r->pair_pages, by_u64);
        size_t u = 0;
        for (size_t i = 0; i < r->npair_pages; i++)
            if (!u || r->pair_pages[u - 1] != r->pair_pages[i]) r->pair_pages[u++] = r->pair_pages[i];
        r->npair_pages = u;
    }
    free(jac);
    free(reuse);
    free(by_rank_share);
    if (st == FW_OK) { /* documents of the top lists and of every pair page */
        for (size_t i = 0; i < s->ndocs; i++) r->doc_page[s->docs[i]] |= DOC_PAGE;
        for (size_t i = 0; i < r->npair_pages; i++) { /* both sides of every pair page */
            size_t a, b;
            fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] >> 32), &a);
            fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] & 0xffffffffu), &b);
            r->doc_page[a] |= DOC_PAGE;
            r->doc_page[b] |= DOC_PAGE;
        }
    }
    if (st == FW_OK) st = select_clusters(r, s);
    /* passage groups: the top ones that are not boilerplate, by documents */
    size_t ng = 0;
    if (st == FW_OK && !(s->groups = malloc((r->ngroups + 1) * sizeof *s->groups))) st = FW_ERR_NOMEM;
    for (uint64_t g = 1; st == FW_OK && g <= r->ngroups; g++) {
        fw_group_info info;
        if ((st = fw_scan_group(r->scan, (size_t)g - 1, &info)) != FW_OK) break;
        if (info.boilerplate) r->group_page[g] = GROUP_BOILERPLATE;
        else groups[ng++] = (group_rank){info.docs, g};
    }
    if (st == FW_OK) {
        qsort(groups, ng, sizeof *groups, by_docs_then_number);
        s->ngroups = ng < r->top ? ng : r->top;
        for (size_t i = 0; i < s->ngroups; i++) {
            s->groups[i] = groups[i].group;
            r->group_page[groups[i].group] = GROUP_PAGE;
        }
    }
    free(groups);
    return st;
}

/* ---------------------------------------------------- into its place */

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path) { nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* An existing `dir` may be replaced only when it is a report this writes:
 * index.html and the page folders, nothing else. */
static int is_html_report(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    static const char *const allowed[] = {".", "..", "index.html", "pair", "doc", "cluster",
                                          "group"};
    int index = 0, other = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        int known = 0;
        for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
            known |= !strcmp(e->d_name, allowed[i]);
        index |= !strcmp(e->d_name, "index.html");
        other |= !known;
    }
    closedir(d);
    return index && !other;
}

int fw_report_html_dir_ok(const char *dir, char *why, size_t why_size)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || is_html_report(dir)) return 1;
    snprintf(why, why_size, "%s: exists and is not an HTML report of fanwen (index.html and "
             "pair/, doc/, cluster/, group/ only): not replaced", dir);
    return 0;
}

/* A report being written is FINAL.tmp.PID until it is complete. A process
 * stopped by a signal cannot remove a tree from its handler (only unlink
 * is safe there), so such a directory outlives it: removed here, by the
 * next report written to FINAL, when PID is no process and the directory
 * has the page folders this writes (nothing else of that name is touched). */
static void remove_stale(const char *final)
{
    char parent[PATH_SIZE];
    const char *slash = strrchr(final, '/');
    const char *base = slash ? slash + 1 : final;
    if (!slash) snprintf(parent, sizeof parent, ".");
    else if (slash == final) snprintf(parent, sizeof parent, "/");
    else snprintf(parent, sizeof parent, "%.*s", (int)(slash - final), final);
    DIR *d = opendir(parent);
    if (!d) return;
    const size_t nb = strlen(base);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (strncmp(name, base, nb) || strncmp(name + nb, ".tmp.", 5)) continue;
        char *end;
        long pid = strtol(name + nb + 5, &end, 10);
        if (end == name + nb + 5 || *end || pid <= 0 || (kill((pid_t)pid, 0) != 0 ? errno != ESRCH
                                                         : pid != (long)getpid()))
            continue; /* not a pid, or a live process's (this one's: make_dirs) */
        char path[2 * PATH_SIZE + 8], pages[2 * PATH_SIZE + 16];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", parent, name);
        snprintf(pages, sizeof pages, "%s/pair", path);
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && stat(pages, &sb) == 0 &&
            S_ISDIR(sb.st_mode))
            remove_tree(path);
    }
    closedir(d);
}

static fw_status make_dirs(const fw_html_report *r)
{
    static const char *const sub[] = {"pair", "doc", "cluster", "group"};
    remove_tree(r->dir); /* a directory of this process's earlier failure */
    if (mkdir(r->dir, 0777) != 0)
        return fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot create: %s", r->dir, strerror(errno));
    for (int i = 0; i < 4; i++) {
        char path[PATH_SIZE + 64];
        snprintf(path, sizeof path, "%s/%s", r->dir, sub[i]);
        if (mkdir(path, 0777) != 0) {
            fw_status st = fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot create: %s", path,
                                        strerror(errno));
            remove_tree(r->dir);
            return st;
        }
    }
    return FW_OK;
}

/* The finished directory replaces `final`: an old report is moved aside,
 * the new one renamed into place, the old one removed. */
static fw_status publish(const fw_html_report *r, const char *final)
{
    char old[PATH_SIZE + 32];
    snprintf(old, sizeof old, "%s.old.%ld", final, (long)getpid());
    struct stat sb;
    int had = stat(final, &sb) == 0;
    if (had && rename(final, old) != 0)
        return fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot move aside: %s", final,
                            strerror(errno));
    if (rename(r->dir, final) != 0) {
        fw_status st = fw_scan_fail(r->scan, FW_ERR_IO, "%s: cannot rename to %s: %s", r->dir,
                                    final, strerror(errno));
        if (had) rename(old, final);
        return st;
    }
    if (had) remove_tree(old);
    return FW_OK;
}

/* ------------------------------------------------------- the report */

static void report_free(fw_html_report *r)
{
    fw_explainer_free(&r->x);
    free(r->rank);
    free(r->pair_keys);
    free(r->reuse_keys);
    free(r->b_first);
    free(r->b_spans);
    free(r->doc_page);
    free(r->pair_pages);
    free(r->group_page);
}

/* Everything a report reads more than once, indexed. */
static fw_status report_init(fw_html_report *r, const fw_scan *scan, unsigned top,
                             unsigned min_run)
{
    memset(r, 0, sizeof *r);
    r->scan = scan;
    r->top = top;
    if (!fw_scan_get_options(scan)->passages)
        return fw_scan_fail(scan, FW_ERR_ARG, "the HTML report shows texts, which a scan keeps "
                            "only with the passage level (options.passages)");
    fw_status st = fw_scan_pairs(scan, &r->pairs, &r->npairs);
    if (st == FW_OK) st = fw_scan_reuse(scan, &r->reuse, &r->nreuse);
    if (st == FW_OK) st = fw_scan_spans(scan, &r->spans, &r->nspans);
    if (st == FW_OK) st = fw_explainer_init(&r->x, scan, min_run);
    if (st != FW_OK) return st;
    r->ndocs = fw_scan_doc_count(scan);
    r->ngroups = fw_scan_group_count(scan);
    size_t nd = r->ndocs ? r->ndocs : 1;
    r->rank = malloc(nd * sizeof *r->rank);
    r->pair_keys = malloc((r->npairs ? r->npairs : 1) * sizeof *r->pair_keys);
    r->reuse_keys = malloc((r->nreuse ? r->nreuse : 1) * sizeof *r->reuse_keys);
    r->b_first = calloc(nd + 1, sizeof *r->b_first);
    r->b_spans = malloc((r->nspans ? r->nspans : 1) * sizeof *r->b_spans);
    r->doc_page = calloc(nd, 1);
    r->group_page = calloc(r->ngroups + 1, 1);
    if (!r->rank || !r->pair_keys || !r->reuse_keys || !r->b_first || !r->b_spans ||
        !r->doc_page || !r->group_page)
        return fw_scan_fail(scan, FW_ERR_NOMEM, "html report: out of memory");
    for (size_t i = 0; i < r->ndocs; i++) {
        fw_doc_info d;
        fw_scan_doc(scan, i, &d);
        r->rank[i] = d.rank;
    }
    for (size_t i = 0; i < r->npairs; i++)
        r->pair_keys[i] = fw_html_pair_key(r->rank[r->pairs[i].a], r->rank[r->pairs[i].b]);
    for (size_t i = 0; i < r->nreuse; i++)
        r->reuse_keys[i] = fw_html_pair_key(r->rank[r->reuse[i].a], r->rank[r->reuse[i].b]);
    /* spans by side b: a counting sort, spans in order within a document */
    for (size_t i = 0; i < r->nspans; i++) r->b_first[r->spans[i].b + 1]++;
    for (size_t d = 0; d < r->ndocs; d++) r->b_first[d + 1] += r->b_first[d];
    size_t *fill = malloc(nd * sizeof *fill);
    if (!fill) return fw_scan_fail(scan, FW_ERR_NOMEM, "html report: out of memory");
    memcpy(fill, r->b_first, r->ndocs * sizeof *fill);
    for (size_t i = 0; i < r->nspans; i++) r->b_spans[fill[r->spans[i].b]++] = (uint32_t)i;
    free(fill);
    return FW_OK;
}

static fw_status write_pages(fw_html_report *r, const fw_html_selection *s, unsigned min_run)
{
    fw_status st = FW_OK;
    for (size_t i = 0; st == FW_OK && i < r->npair_pages; i++) {
        size_t a, b;
        fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] >> 32), &a);
        fw_scan_doc_by_rank(r->scan, (size_t)(r->pair_pages[i] & 0xffffffffu), &b);
        st = fw_html_write_pair_page(r, a, b, min_run);
    }
    for (size_t rk = 0; st == FW_OK && rk < r->ndocs; rk++) {
        size_t doc;
        fw_scan_doc_by_rank(r->scan, rk, &doc);
        if (r->doc_page[doc] & DOC_PAGE) st = fw_html_write_doc_page(r, doc);
    }
    for (size_t i = 0; st == FW_OK && i < s->ntop_clusters; i++)
        st = fw_html_write_cluster_page(r, &s->clusters[i]);
    for (uint64_t g = 1; st == FW_OK && g <= r->ngroups; g++)
        if (r->group_page[g]) st = fw_html_write_group_page(r, g);
    if (st != FW_OK) return st;
    return fw_html_write_overview(r, s);
}

fw_status fw_report_write_html(const fw_scan *scan, const char *dir, unsigned top,
                               unsigned min_run)
{
    if (!top || !min_run)
        return fw_scan_fail(scan, FW_ERR_ARG, "fw_report_write_html: top and min_run must be >= 1");
    char final[PATH_SIZE];
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--; /* "out/" names the directory out */
    if (n + 32 >= sizeof final)
        return fw_scan_fail(scan, FW_ERR_IO, "%s: %s", dir, strerror(ENAMETOOLONG));
    memcpy(final, dir, n);
    final[n] = '\0';
    char why[PATH_SIZE + 128];
    if (!fw_report_html_dir_ok(final, why, sizeof why))
        return fw_scan_fail(scan, FW_ERR_IO, "%s", why);
    fw_html_report r;
    fw_html_selection s = {0};
    fw_status st = report_init(&r, scan, top, min_run);
    if (st == FW_OK) {
        snprintf(r.dir, sizeof r.dir, "%s.tmp.%ld", final, (long)getpid());
        st = select_pages(&r, &s);
        if (st == FW_ERR_NOMEM) fw_scan_fail(scan, st, "html report: out of memory");
    }
    if (st == FW_OK) {
        remove_stale(final);
        st = make_dirs(&r);
    }
    if (st == FW_OK) {
        st = write_pages(&r, &s, min_run);
        if (st == FW_OK) st = publish(&r, final);
        if (st != FW_OK) remove_tree(r.dir);
    }
    selection_free(&s);
    report_free(&r);
    return st;
}

/* The page of one pair, for fw_whole_file_write(). */
typedef struct pair_page {
    fw_html_report *r;
    const fw_explanation *e;
    const char *title;
    unsigned min_run;
} pair_page;

static fw_status write_pair_page(void *ctx, FILE *f)
{
    const pair_page *p = ctx;
    fw_page_begin(f, p->title, NULL);
    fw_status st = fw_html_write_pair_body(f, p->r, p->e, p->min_run, "");
    fw_page_end(f);
    return st;
}

fw_status fw_report_write_pair_html(const fw_scan *scan, size_t a, size_t b, unsigned min_run,
                                    const char *path)
{
    if (!min_run)
        return fw_scan_fail(scan, FW_ERR_ARG, "fw_report_write_pair_html: min_run must be >= 1");
    fw_html_report r;
    fw_status st = report_init(&r, scan, 1, min_run);
    fw_explanation *e = NULL;
    if (st == FW_OK) st = fw_explainer_explain(&r.x, a, b, &e);
    if (st == FW_OK) {
        pair_page page = {&r, e, fw_html_doc_id(&r, a), min_run};
        char tmp[PATH_SIZE + 32];
        fw_status body_status = FW_OK;
        if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
            errno = ENAMETOOLONG;
            st = FW_ERR_IO;
        } else {
            st = fw_whole_file_write(path, tmp, write_pair_page, &page, &body_status);
        }
        if (st != FW_OK && body_status == FW_OK) /* the file, not the page */
            st = fw_scan_fail(scan, st, "%s: cannot write: %s", path,
                              errno ? strerror(errno) : fw_status_str(st));
    }
    fw_explanation_free(e);
    report_free(&r);
    return st;
}
