/*
 * header.c — fanwen.h as a user's program sees it, compiled (not linked)
 * once per language mode by CMakeLists.txt here with warnings as errors:
 * C89, C99 and C11 with -pedantic, and as C++ through header.cpp. It
 * touches every type and macro of the header, so a construct that one
 * mode rejects (a // comment, a trailing enum comma, a declaration after
 * a statement, a C++ keyword as a parameter name) stops the build.
 *
 * Written in C89 itself: declarations first, no // comments.
 */
#include "fanwen.h"

/* The version is usable by the preprocessor, as a program that needs a
 * newer fanwen would test it. */
#if !defined(FW_VERSION_MAJOR) || !defined(FW_VERSION_MINOR) || \
    !defined(FW_VERSION_PATCH) || !defined(FW_VERSION_NUMBER)
#error "fanwen.h: a version macro is missing"
#endif
#if FW_VERSION_NUMBER != FW_VERSION_MAJOR * 10000 + FW_VERSION_MINOR * 100 + FW_VERSION_PATCH
#error "fanwen.h: FW_VERSION_NUMBER disagrees with MAJOR.MINOR.PATCH"
#endif

/* Called by nobody: it only has to compile. */
int fanwen_header_check(void);

int fanwen_header_check(void)
{
    static const char version[] = FW_VERSION_STRING; /* a string literal */
    fw_status status = FW_OK;
    fw_norm_info norm;
    fw_span span;
    fw_pair pair;
    fw_simd simd = FW_SIMD_AUTO;
    fw_doc_status doc_status = FW_DOC_OK;
    fw_sketch sketch = FW_SKETCH_MINHASH;
    fw_scan_options options;
    fw_doc_info doc;
    fw_result_pair result;
    fw_passage_info passage;
    fw_group_info group;
    fw_reuse_pair reuse;
    fw_scan_stats stats;
    /* the opaque types, by pointer */
    fw_normalizer *normalizer = 0;
    fw_template *templ = 0;
    fw_minhasher *minhasher = 0;
    fw_oph *oph = 0;
    fw_scan *scan = 0;
    /* the prototypes, by address (no call: nothing is linked) */
    fw_status (*run)(fw_scan *) = fw_scan_run;
    const char *(*version_fn)(void) = fw_version;
    unsigned long total;

    total = sizeof norm + sizeof span + sizeof pair + sizeof options + sizeof doc +
            sizeof result + sizeof passage + sizeof group + sizeof reuse + sizeof stats +
            sizeof passage.text + sizeof group.text + sizeof stats.docs;
    total += (unsigned long)(FW_EXCERPT_SIZE + FW_LSH_FULL_BUCKET + FW_DOC_STATUS_COUNT);
    total += (unsigned long)(FW_DEFAULT_MAX_DOC_BYTES >> 20);
    total += (unsigned long)(status + simd + doc_status + sketch + FW_ERR_STOPPED);
    total += (unsigned long)(sizeof version + (normalizer == 0) + (templ == 0) +
                             (minhasher == 0) + (oph == 0) + (scan == 0) + (run != 0) +
                             (version_fn != 0));
    return total > 0;
}
