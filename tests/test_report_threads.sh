#!/bin/bash
# test_report_threads.sh — passages.csv made by several threads is the
# one-thread file.
#
#   test_report_threads.sh FANWEN FANWEN_CORPUS
#
# With threads, passages.csv's rows are made a block of 8,192 at a time,
# one block a thread, into memory, and written in order (report.c). On a
# generated corpus with several blocks' worth of rows, every CSV at -j 2
# and -j 3 is the -j 1 file byte for byte, and so it is when the threads
# asked for do not all come (OMP_THREAD_LIMIT=1: a team of one, as inside a
# caller's parallel region, must still make every block).
set -u
FANWEN=$1
CORPUS=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$CORPUS" --docs 3000 --seed 3 --out "$W/c" >/dev/null 2>&1 || fail "fanwen-corpus"
"$FANWEN" scan -q -j 1 --out "$W/j1" "$W/c/docs" || fail "scan -j 1"
rows=$(($(wc -l <"$W/j1/passages.csv") - 1))
((rows > 3 * 8192)) || fail "only $rows passages.csv rows: fewer than four blocks"
"$FANWEN" scan -q -j 2 --out "$W/j2" "$W/c/docs" || fail "scan -j 2"
"$FANWEN" scan -q -j 3 --out "$W/j3" "$W/c/docs" || fail "scan -j 3"
OMP_THREAD_LIMIT=1 "$FANWEN" scan -q -j 2 --out "$W/one" "$W/c/docs" || fail "scan, one thread let"
for run in j2 j3 one; do
    for f in "$W/j1"/*.csv; do
        cmp -s "$f" "$W/$run/$(basename "$f")" || fail "$run: $(basename "$f") differs from -j 1's"
    done
done
echo "passages.csv: $rows rows, the same bytes at -j 1, 2, 3 and with one thread let"
