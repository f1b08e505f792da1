/* results.h — a scan's result arrays for tests, asserting that reading
 * them succeeds (fw_scan_pairs and fw_scan_reuse hand out array and count
 * through out-parameters). */
#ifndef FW_TEST_RESULTS_H
#define FW_TEST_RESULTS_H

#include "fanwen.h"

static inline const fw_result_pair *pairs_of(const fw_scan *s)
{
    const fw_result_pair *p;
    size_t n;
    assert_int_equal(fw_scan_pairs(s, &p, &n), FW_OK);
    assert_int_equal(n, fw_scan_pair_count(s));
    return p;
}

static inline const fw_reuse_pair *reuse_of(const fw_scan *s)
{
    const fw_reuse_pair *r;
    size_t n;
    assert_int_equal(fw_scan_reuse(s, &r, &n), FW_OK);
    assert_int_equal(n, fw_scan_reuse_count(s));
    return r;
}

#endif
