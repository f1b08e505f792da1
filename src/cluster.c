/*
 * cluster.c — union-find over verified pairs.
 *
 * Near-duplication is not transitive, but a user cleaning a crawl wants one
 * keeper per family: connected components of the verified-pair graph, each
 * named by its smallest document number (documents are numbered in id
 * order, so that is the smallest id). Union by smaller root keeps that
 * invariant directly; path halving keeps finds near O(1).
 */
#include "cluster.h"

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

void fw_cluster_build(uint32_t *parent, size_t n, const fw_pair *pairs,
                      size_t npairs)
{
    for (size_t i = 0; i < n; i++) parent[i] = (uint32_t)i;
    for (size_t i = 0; i < npairs; i++) {
        uint32_t ra = find(parent, pairs[i].a), rb = find(parent, pairs[i].b);
        if (ra < rb) parent[rb] = ra;
        else if (rb < ra) parent[ra] = rb;
    }
    for (size_t i = 0; i < n; i++) parent[i] = find(parent, (uint32_t)i);
}
