/*
 * gen_corpus.c — writes bench/'s generated corpus to a file, for tests that
 * need a collection big enough to take seconds to scan (test_signals.sh,
 * test_crash.sh) without keeping one in the repository.
 *
 *   gen_corpus FILE MB [SEED]
 *
 * Same MB and seed, same bytes (generate.c is deterministic).
 */
#include "generate.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fputs("usage: gen_corpus FILE MB [SEED]\n", stderr);
        return 1;
    }
    double mb = atof(argv[2]);
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    FILE *f = fopen(argv[1], "wb");
    if (!f || mb <= 0) {
        perror(argv[1]);
        return 1;
    }
    size_t docs = fw_bench_generate(f, seed, (size_t)(mb * 1e6));
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    fprintf(stderr, "gen_corpus: %zu documents, about %g MB of text in %s\n", docs, mb,
            argv[1]);
    return 0;
}
