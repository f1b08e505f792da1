/* See multi_a.c. */
#define FW_API /* a user's own definition wins over the header's */
#include "fanwen.h"

size_t fanwen_multi_b_sizes(void);

size_t fanwen_multi_b_sizes(void)
{
    return sizeof(fw_scan_options) + sizeof(fw_passage_info) + sizeof(fw_scan_stats);
}
