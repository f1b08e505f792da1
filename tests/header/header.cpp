/*
 * header.cpp — fanwen.h in a C++ translation unit (CMakeLists.txt
 * compiles it as C++11 and C++17, -pedantic, warnings as errors): the
 * extern "C" block, no C++ keywords as names, no C-only constructs. The
 * C checks of header.c are not repeated; this is what differs in C++.
 */
#include "fanwen.h"
#include "fanwen.h" /* twice: the include guard */

namespace {

// Brace-initializable like any aggregate, and usable as a value type.
struct holder {
    fw_scan_options options;
    fw_passage_info passage;
    fw_group_info group;
    fw_scan_stats stats;
};

}  // namespace

int fanwen_header_check_cxx();

int fanwen_header_check_cxx()
{
    holder h = holder();
    fw_status (*run)(fw_scan *) = &fw_scan_run;
    const char *(*version)() = &fw_version;
    static const char expected[] = FW_VERSION_STRING;
    static_assert(FW_VERSION_NUMBER ==
                      FW_VERSION_MAJOR * 10000 + FW_VERSION_MINOR * 100 + FW_VERSION_PATCH,
                  "FW_VERSION_NUMBER disagrees with MAJOR.MINOR.PATCH");
    static_assert(sizeof h.passage.text == FW_EXCERPT_SIZE, "excerpt size");
    return (run != nullptr) + (version != nullptr) + static_cast<int>(sizeof expected) +
           static_cast<int>(h.options.ngram);
}
