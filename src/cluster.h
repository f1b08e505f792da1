/* cluster.h — connected components of the verified pairs (internal). */
#ifndef FW_CLUSTER_H
#define FW_CLUSTER_H

#include "fanwen.h"

/* parent[i] receives the smallest document number in i's component. */
void fw_cluster_build(uint32_t *parent, size_t n, const fw_pair *pairs,
                      size_t npairs);

#endif
