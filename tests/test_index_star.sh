#!/bin/bash
# test_index_star.sh — new documents that take a pair of indexed documents
# out of every bucket (the star rule's corner), and clusters that stay the
# scan's through it.
#
#   test_index_star.sh FANWEN STAR_CORPUS
#
# With one band of one row (-k 1 -b 1 -r 1 -t 0.5) all documents of
# star_corpus share one bucket. A holds x ~ y and 14 fillers: 16 members,
# all pairs, so the index stores x ~ y. B's a0 (~ x, not ~ y) has the
# smallest id and makes the bucket 17: a star around a0, in which x and y
# are no longer a candidate, so a scan of A and B clusters a0 with x only.
# Checked with cmp against scans, restricted to the new documents
# (tests/index/restrict.py):
#   1. build A, query B                   = scan A B      (cluster a0 of 2)
#   2. query --add B, query C1 (z1 = a0)  = scan A B C1   (x ~ y stays
#      withdrawn in the index's next generation: cluster of 3, not 4)
#   3. compact, query C1                  = the same
#   4. query C2 (A1, the new centre; a0 ~ x withdrawn in turn)
#                                         = scan A B C2
#   5. remove a0, query C1                = scan A C1 (x ~ y a candidate
#      again, found by the removal)
set -u
FANWEN=$1
STAR=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
HERE=$(dirname "$0")
fail() { echo "FAIL: $*" >&2; exit 1; }
P=(-k 1 -b 1 -r 1 -t 0.5 --no-passages) # the document level's star (test_index.sh has passages)

"$STAR" "$W" || fail "star_corpus"
same() { # SCAN_DIR QUERY_DIR WHAT BATCH
    python3 "$HERE/index/restrict.py" "$1" "$W/restricted" "$4" || fail "restrict"
    for f in pairs.csv clusters.csv docs.csv; do
        cmp -s "$W/restricted/$f" "$2/$f" || {
            diff "$W/restricted/$f" "$2/$f" >&2
            fail "$3: $f differs from the scan's rows"
        }
    done
}
scan() { local out=$1; shift; "$FANWEN" scan -q --no-passages "${P[@]}" -o "$out" "$@" || fail "scan"; }
query() { "$FANWEN" query -q --index "$W/ix" -o "$@" || fail "query $*"; }

scan "$W/s1" "$W/A.jsonl" "$W/B.jsonl"
grep -q '^a0,x,2' "$W/s1/clusters.csv" || fail "the corpus does not make the corner: $(cat "$W/s1/clusters.csv")"
"$FANWEN" index build -q "$W/ix" "${P[@]}" "$W/A.jsonl" || fail "build"
query "$W/q1" "$W/B.jsonl"
same "$W/s1" "$W/q1" "1 (a0 joins the bucket)" "$W/B.jsonl"

query "$W/q2b" --add "$W/B.jsonl"
scan "$W/s2" "$W/A.jsonl" "$W/B.jsonl" "$W/C1.jsonl"
query "$W/q2" "$W/C1.jsonl"
same "$W/s2" "$W/q2" "2 (after adding B)" "$W/C1.jsonl"
grep -q ',3,' <(tr -d '\r' <"$W/q2/clusters.csv" | sed 's/$/,/') || fail "2: cluster not of 3"

"$FANWEN" index compact -q "$W/ix" || fail "compact"
query "$W/q3" "$W/C1.jsonl"
same "$W/s2" "$W/q3" "3 (compacted)" "$W/C1.jsonl"

scan "$W/s4" "$W/A.jsonl" "$W/B.jsonl" "$W/C2.jsonl"
query "$W/q4" "$W/C2.jsonl"
same "$W/s4" "$W/q4" "4 (a new centre)" "$W/C2.jsonl"

echo a0 >"$W/gone"
"$FANWEN" index remove -q "$W/ix" --ids "$W/gone" || fail "remove"
scan "$W/s5" "$W/A.jsonl" "$W/C1.jsonl"
query "$W/q5" "$W/C1.jsonl"
same "$W/s5" "$W/q5" "5 (a0 removed)" "$W/C1.jsonl"
echo "test_index_star: the clusters are the scan's"
