/*
 * generator.h — fanwen-corpus: a 范文 reuse corpus with exact ground truth.
 *
 * A document is a list of spans (title, headings, paragraphs, site
 * boilerplate, teaser snippets). Every span carries its provenance: the
 * original paragraph it descends from (`origin`), the document and span it
 * was copied from directly, and the characters edited on the way. Copies
 * are made from originals the way template sites make them (derive.c), so
 * the truth is known by construction; the Jaccard similarities are then
 * computed exactly on the normalized shingle sets (truth.c).
 *
 * Files in pipeline order: compose.c writes originals from the banks,
 * derive.c makes copies, truth.c measures them, write.c writes documents
 * and truth, main.c drives the families.
 */
#ifndef FW_CORPUS_GENERATOR_H
#define FW_CORPUS_GENERATOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- random numbers: SplitMix64, one stream per generator run ---------- */

static inline uint64_t gen_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline size_t gen_below(uint64_t *s, size_t n) { return n ? (size_t)(gen_next(s) % n) : 0; }
static inline double gen_unit(uint64_t *s) { return (double)(gen_next(s) >> 11) / 9007199254740992.0; }
static inline int gen_chance(uint64_t *s, double p) { return gen_unit(s) < p; }

/* ---- memory: checked, ending the run with a message when it runs out ---- */

void *gen_alloc(size_t count, size_t size);           /* malloc */
void *gen_zalloc(size_t count, size_t size);          /* calloc */
void *gen_grow(void *p, size_t count, size_t size);   /* realloc */

/* ---- a growable string -------------------------------------------------- */

typedef struct gen_str {
    char *data;
    size_t len, cap;
} gen_str;

void str_put(gen_str *s, const char *p, size_t n);
void str_puts(gen_str *s, const char *p);
void str_printf(gen_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void str_free(gen_str *s);
/* Characters of `s` (UTF-8 code points). */
size_t utf8_chars(const char *s, size_t n);

/* ---- banks.c: the phrase banks of banks.h, counted ------------------- */

typedef struct bank {
    const char *const *item;
    size_t n;
} bank;
extern const bank B_GENRES, B_PLACES, B_ORGS, B_HEADINGS[3], B_STOCK[3], B_STOCK_COMMON,
    B_SUBJECTS, B_ACTIONS, B_OBJECTS, B_RESULTS, B_FIGURES, B_YEAR_CLAUSES, B_CENSORED,
    B_SITES, B_HEADERS, B_FOOTERS, B_HEADER_LINES, B_FOOTER_LINES, B_TEASER_HEADINGS;
extern const char *const (*SWAPS)[2]; /* {original, swapped} */
extern const size_t NSWAPS;
extern const size_t NSWAPS_SEEN;      /* the first ones: in fanwen's template table */
#define MAX_SWAPS 64u

static inline const char *bank_pick(const bank *b, uint64_t *rng) { return b->item[gen_below(rng, b->n)]; }

/* ---- documents ------------------------------------------------------------ */

enum span_kind { SPAN_TITLE, SPAN_HEADING, SPAN_PARAGRAPH, SPAN_BOILERPLATE, SPAN_TEASER };

/* The edits a copy can carry; a span and a document keep the set applied. */
enum transform {
    T_EXACT, T_YEAR, T_PLACE, T_FIGURES, T_REORDER, T_DROP, T_MIX, T_SYNONYM,
    T_CENSOR, T_CHARDROP, T_MARKERS, T_BOILERPLATE, T_TEASER, T_COMBINED,
    T_COUNT
};
extern const char *const TRANSFORM_NAMES[T_COUNT];

#define NO_DOC UINT32_MAX

typedef struct span {
    gen_str text;           /* UTF-8; no blank line (spans are joined by one) */
    int kind;               /* enum span_kind */
    uint32_t origin;        /* the original span it descends from */
    uint32_t src_doc;       /* document copied from directly, or NO_DOC */
    uint32_t src_span;      /* its span number there */
    uint32_t edits;         /* characters substituted, deleted or inserted */
    uint32_t src_chars;     /* characters of the span copied */
    uint32_t src_bytes;     /* a teaser: bytes copied from the source span's
                               start; 0: the whole span */
    unsigned transforms;    /* bit set of enum transform */
    /* filled when the document is finished: */
    size_t byte_start, byte_end;
    uint32_t norm_chars;    /* characters after normalization */
    uint32_t norm_start;    /* where they start in the document's `norm` */
} span;

typedef struct gen_doc {
    uint32_t number;        /* generation order, 0.. */
    int genre;              /* index in GENRES; -1: recycled text */
    int place, org, year;   /* what the original was written for */
    const char *role;       /* original, copy, mix */
    unsigned transforms;    /* bit set of enum transform (copies and mixes) */
    double intensity;       /* how hard the main transform was applied, 0..1 */
    uint32_t sources[8];    /* documents copied from: a mix's 2–4 sources, or
                               a copy's source and the reports it teases */
    int nsources;
    int site;               /* boilerplate site wrapped around it, or -1 */
    span *spans;
    size_t nspans, cap;
    /* filled when the document is finished: */
    gen_str text;
    uint32_t norm_chars;
    uint32_t *norm;         /* the spans' normalized code points, in order */
    uint64_t *set;          /* sorted distinct shingle hashes */
    size_t nset;
    uint32_t *origins;      /* sorted distinct content origins */
    size_t norigins;
} gen_doc;

span *doc_add_span(gen_doc *d, int kind, uint32_t origin);
gen_doc *doc_copy(const gen_doc *src, uint32_t number);
void doc_free(gen_doc *d);

/* ---- compose.c: originals ---------------------------------------------- */

typedef struct gen_state {
    uint64_t rng;
    uint32_t next_origin;   /* origins 0..BOILER_ORIGINS-1 are site boilerplate */
    /* the synonym swaps made, per entry of SWAPS: for truth/synonyms.csv */
    uint64_t swaps[MAX_SWAPS];
    uint32_t swap_docs[MAX_SWAPS];  /* documents it was made in */
    uint32_t swap_stamp[MAX_SWAPS]; /* the last of them, + 1 */
} gen_state;

/* Site boilerplate: site s's header is origin 2s, its footer 2s + 1, the
 * short line above the header LINE_ORIGINS + 2s, the one under the footer
 * LINE_ORIGINS + 2s + 1; teaser-list headings count down from
 * BOILER_ORIGINS - 1. Content origins start at BOILER_ORIGINS. */
#define BOILER_ORIGINS 64u
#define LINE_ORIGINS 32u

/* A new report of `genre` from the banks, every span a fresh origin. */
gen_doc *compose_original(gen_state *g, uint32_t number, int genre);

/* ---- source.c: originals recycled from real text ------------------------ */

typedef struct source_list source_list;
/* Reads up to `max_docs` documents from the paths, with fanwen's readers. */
source_list *source_read(char *const *paths, size_t npaths, size_t max_docs);
size_t source_count(const source_list *l);
void source_free(source_list *l);
/* Document `which` of the list as an original (genre, place, org: -1). */
gen_doc *compose_recycled(gen_state *g, uint32_t number, const source_list *l, size_t which);

/* ---- derive.c: copies ---------------------------------------------------- */

/* Applies transform `t` at `intensity` to the copy `d` (spans copied from a
 * source); `others` are recent documents to draw teasers from. */
void derive_apply(gen_state *g, gen_doc *d, int t, double intensity,
                  gen_doc *const *others, size_t nothers);
/* A mix of paragraphs from 2–4 sources. */
gen_doc *derive_mix(gen_state *g, uint32_t number, gen_doc *const *src, int nsrc);
/* Wraps `d` in site `site`'s header and footer, each with its short line. */
void derive_wrap_site(gen_state *g, gen_doc *d, int site);
/* The number of sites in the banks. */
int derive_site_count(void);
/* What site boilerplate `origin` is (header, footer, header_line,
 * footer_line, teaser_heading) and the site's number (-1: any site), or
 * NULL for an origin no boilerplate has. */
const char *derive_boilerplate_place(uint32_t origin, int *site);

/* ---- truth.c: exact similarity ---------------------------------------- */

typedef struct truth_ctx truth_ctx;
truth_ctx *truth_new(unsigned ngram);
void truth_free(truth_ctx *t);
/* Assembles d->text (spans joined by blank lines), the span offsets, the
 * normalized character counts and the shingle set. */
void truth_finish_doc(truth_ctx *t, gen_doc *d);
/* Normalized characters of `n` bytes of text. */
uint32_t truth_chars(truth_ctx *t, const char *s, size_t n);
/* |A ∩ B| of two finished documents. */
size_t truth_intersection(const gen_doc *a, const gen_doc *b);
/* Characters of `a` whose origin `b` also holds, each origin counted at
 * most as long as its shorter span (a teaser holds only a prefix). */
size_t truth_copied_chars(const gen_doc *a, const gen_doc *b);
/* Characters aligned between `a` and `b`: for each origin both hold, the
 * longest common subsequence of the two spans' normalized text (the
 * largest, when a document holds the origin twice). The same for a, b and
 * b, a. */
size_t truth_aligned_chars(const gen_doc *a, const gen_doc *b);

/* Every pair of sets with Jaccard ≥ floor, exactly (prefix filtering with
 * rare-first token order; Bayardo, Ma & Srikant, WWW 2007). `sets[i]` is
 * sorted, `sizes[i]` long. Calls `emit` once per pair, i < j. */
void truth_join(const uint64_t *const *sets, const size_t *sizes, size_t n,
                double floor, void (*emit)(void *ctx, size_t i, size_t j, size_t inter),
                void *ctx);

#endif
