"""datasketch_peer.py — datasketch's MinHash + MinHashLSH on a prepared corpus.

    PYTHONPATH=DATASKETCH_SRC /usr/bin/python3 datasketch_peer.py DIR OUT

Reads DIR/texts.txt (fanwen-peers-prepare: fanwen's normalized texts, one a
line), and does what a datasketch user does to find near-duplicates at
Jaccard 0.8: each text's distinct 5-character shingles (a text shorter than
5 characters is one shingle, as in fanwen), encoded as UTF-8 and hashed by
datasketch's default (SHA-1, 32 bits) into a MinHash of num_perm=128
(MinHash.bulk, datasketch's fast path for many sets); every MinHash inserted
into a MinHashLSH(threshold=0.8, num_perm=128), datasketch's own banding
(9 bands of 13 rows); then every document queried. Each (a, b) with a < b
that a query returns is a candidate. Candidates are not verified:
datasketch stops there.

Writes OUT: `a,b` per candidate, line numbers of texts.txt, sorted; and
prints `seconds=S cpu_seconds=C bands=B rows=R candidates=N` on stdout. S is
the wall time of shingling, hashing, MinHash, LSH insertion and the queries,
from the texts in memory, and C the process's CPU time over the same span;
the interpreter's start, the imports and reading texts.txt are not in them
(bench/peers/run also times the whole process).
"""

import sys
import time

from datasketch import MinHash, MinHashLSH

NGRAM = 5
PERMS = 128
THRESHOLD = 0.8


def shingles(text):
    """The distinct 5-character shingles of a text, as UTF-8 bytes."""
    if len(text) < NGRAM:
        return [text.encode("utf-8")] if text else []
    return [s.encode("utf-8") for s in {text[i : i + NGRAM] for i in range(len(text) - NGRAM + 1)}]


def main():
    directory, out = sys.argv[1], sys.argv[2]
    with open(directory + "/texts.txt", encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]

    start, start_cpu = time.perf_counter(), time.process_time()
    sketches = MinHash.bulk((shingles(t) for t in texts), num_perm=PERMS)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERMS)
    with lsh.insertion_session() as session:
        for number, sketch in enumerate(sketches):
            session.insert(number, sketch)
    candidates = set()
    for number, sketch in enumerate(sketches):
        for other in lsh.query(sketch):
            if other != number:
                candidates.add((min(number, other), max(number, other)))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu

    with open(out, "w") as f:
        for a, b in sorted(candidates):
            f.write(f"{a},{b}\n")
    print(
        f"seconds={seconds:.3f} cpu_seconds={cpu_seconds:.3f} bands={lsh.b} rows={lsh.r} "
        f"candidates={len(candidates)}"
    )


if __name__ == "__main__":
    main()
