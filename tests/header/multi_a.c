/*
 * multi_a.c, multi_b.c — fanwen.h included twice in one translation unit
 * and once more in another, the two linked into one program without the
 * library: the include guard works, and the header defines nothing (no
 * object, no function body) that would be defined twice or need
 * libfanwen. multi_b.c also sets FW_API itself, as a user may.
 */
#include "fanwen.h"
#include "fanwen.h"

size_t fanwen_multi_b_sizes(void);

int main(void)
{
    size_t here = sizeof(fw_scan_options) + sizeof(fw_passage_info) + sizeof(fw_scan_stats);
    return fanwen_multi_b_sizes() == here ? 0 : 1;
}
