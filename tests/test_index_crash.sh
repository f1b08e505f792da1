#!/bin/bash
# test_index_crash.sh — SIGKILL during `index add` or `index compact` leaves
# the index whole: the previous generation or the next, never a mixture.
#
#   test_index_crash.sh FANWEN GEN_CORPUS
#
# An index of A (bench's generated corpus), then B added, is the starting
# point; C is the query. References: query C against the index before and
# after `index add B`. Then, FANWEN_TEST_ITERATIONS times each (default
# 10): a copy of the index, `index add B` (resp. `index compact`, on an
# index of three segments with removals) killed after a random delay
# spanning the command's run; after each kill `index info --check` must
# pass (every block, table and text checksum), and query C must give the
# reference's pairs.csv, clusters.csv and docs.csv byte for byte: before's
# or after's for add (and after at least one kill each, both seen over the
# run), the one answer for compact (it changes none). Then the next writer
# must remove what the killed one left (temporary files, segments no
# manifest names) and complete the change. Besides the random kills, each
# window for sure: FANWEN_INDEX_KILL_POINT (a test-only hook in commit())
# kills add and compact right after their new files are renamed in and
# flushed, before the MANIFEST (the answer before; the new segment left
# unnamed, removed by the next writer), and right after the MANIFEST's
# rename (the answer after; for compact the old segments left, removed by
# the next writer); and the first build killed before its MANIFEST (the
# passage model it learned and its segment left unnamed: the next add gives
# a clean build's files byte for byte). Last, readers query while a
# writer adds and compacts in a loop: every read succeeds with the answer.
set -u
FANWEN=$1
GEN=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rand() { awk -v hi="$1" -v r=$RANDOM 'BEGIN { printf "%.3f", hi * r / 32767 }'; }
iterations=${FANWEN_TEST_ITERATIONS:-10}

"$GEN" "$W/g.jsonl" 12 7 >/dev/null 2>&1 || fail "gen_corpus"
n=$(wc -l <"$W/g.jsonl")
head -n $((n / 3)) "$W/g.jsonl" >"$W/A.jsonl"
sed -n "$((n / 3 + 1)),$((2 * n / 3))p" "$W/g.jsonl" >"$W/B.jsonl"
tail -n +$((2 * n / 3 + 1)) "$W/g.jsonl" | head -n 200 >"$W/C.jsonl"
sed -n "$((n / 3 + 1)),$((n / 3 + 400))p" "$W/g.jsonl" | sed 's/"id":"gen-/"id":"more-/' >"$W/D.jsonl"
head -n 300 "$W/A.jsonl" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | awk 'NR % 3 == 0' >"$W/removed.txt"

same_as() { # QUERY_DIR REF_DIR
    for f in pairs.csv clusters.csv docs.csv; do cmp -s "$1/$f" "$2/$f" || return 1; done
}
leftovers() { ls "$1" | grep -c '\.tmp\.' ; }

"$FANWEN" index build -q "$W/base" "$W/A.jsonl" || fail "build"
"$FANWEN" query -q --index "$W/base" -o "$W/before" "$W/C.jsonl" || fail "query before"
cp -a "$W/base" "$W/done"
t0=$(date +%s%N)
"$FANWEN" index add -q "$W/done" "$W/B.jsonl" || fail "add"
t_add=$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.3f", d / 1e9 }')
"$FANWEN" query -q --index "$W/done" -o "$W/after" "$W/C.jsonl" || fail "query after"
same_as "$W/before" "$W/after" && fail "adding B changed no answer (the test tests nothing)"
echo "add takes $t_add s"

# each window for sure: FANWEN_INDEX_KILL_POINT kills the writer right
# after its new files are renamed in (before the MANIFEST) and right after
# the MANIFEST's rename (before the files it no longer names are removed)
point() { # POINT BASE EXPECT_REF LEFT WHAT CMD...: killed there, then checked
    # (LEFT 1: segment files the manifest does not name must be there)
    local pt=$1 base=$2 ref=$3 left_=$4 what=$5
    shift 5
    rm -rf "$W/ix"
    cp -a "$base" "$W/ix"
    { FANWEN_INDEX_KILL_POINT=$pt "$FANWEN" "$@"; } 2>/dev/null # (and bash's "Killed")
    [ $? = 137 ] || fail "$what at $pt: not killed there"
    "$FANWEN" index info --check "$W/ix" >/dev/null || fail "$what at $pt: the index does not check"
    "$FANWEN" query -q --index "$W/ix" -o "$W/q" "$W/C.jsonl" || fail "$what at $pt: query"
    same_as "$W/q" "$ref" || fail "$what at $pt: not the answer of the generation it should be"
    local files named
    files=$(ls "$W/ix" | grep -c '^seg-.*\.docs$')
    named=$(grep -c '^segment ' "$W/ix/MANIFEST")
    if [ "$left_" = 1 ]; then
        [ "$files" -gt "$named" ] || fail "$what at $pt: no file left that no manifest names"
    else
        [ "$files" = "$named" ] || fail "$what at $pt: $files segments, the manifest names $named"
    fi
    "$FANWEN" index remove -q "$W/ix" --ids /dev/null || fail "$what at $pt: the next writer"
    files=$(ls "$W/ix" | grep -c '^seg-')
    # docs, text, bands, pbands, pscreen
    [ "$files" = $((5 * named)) ] || fail "$what at $pt: the next writer left $(ls "$W/ix")"
    [ "$(leftovers "$W/ix")" = 0 ] || fail "$what at $pt: temporary files left"
}
point before-manifest "$W/base" "$W/before" 1 add index add -q "$W/ix" "$W/B.jsonl"
point after-manifest "$W/base" "$W/after" 0 add index add -q "$W/ix" "$W/B.jsonl"

# the first build killed before its MANIFEST: the passage model it learned
# and its segment are files no manifest names; the index is the empty one
# it was created as, and the next writer removes them and learns the model
# again: the same files, byte for byte, as a build that was not killed
rm -rf "$W/k"
{ FANWEN_INDEX_KILL_POINT=before-manifest "$FANWEN" index build -q "$W/k" "$W/A.jsonl"; } 2>/dev/null
[ $? = 137 ] || fail "build: not killed before the manifest"
ls "$W/k" | grep -q '^model-' || fail "killed build: no model file left (the test tests nothing)"
"$FANWEN" index info --check "$W/k" | grep -q ", 0 documents" || fail "killed build: not empty"
"$FANWEN" index add -q "$W/k" "$W/A.jsonl" || fail "add after a killed build"
for f in "$W/base"/*; do
    cmp -s "$f" "$W/k/${f##*/}" || fail "killed build, then add: ${f##*/} is not a clean build's"
done
[ "$(ls "$W/k")" = "$(ls "$W/base")" ] || fail "killed build, then add: files $(ls "$W/k")"

# A copy of BASE as $W/ix, fanwen ARGS... run on it and SIGKILLed after a
# random share of SECONDS; the index must still check, and `left` counts
# the kills that left a writer's files behind (the next writer removes them).
killed_copy() {
    local base=$1 seconds=$2 what=$3
    shift 3
    rm -rf "$W/ix"
    cp -a "$base" "$W/ix"
    "$FANWEN" "$@" &
    local pid=$!
    sleep "$(rand "$seconds")"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    "$FANWEN" index info --check "$W/ix" >/dev/null || fail "$what: the index does not check"
    [ "$(ls "$W/ix" | grep -c '^seg-')" -gt "$(( 4 * $(grep -c '^segment ' "$W/ix/MANIFEST") ))" ] &&
        left=$((left + 1))
    return 0
}

seen_before=0 seen_after=0 left=0
for ((i = 0; i < iterations; i++)); do
    killed_copy "$W/base" "$t_add" "add kill $i" index add -q "$W/ix" "$W/B.jsonl"
    "$FANWEN" query -q --index "$W/ix" -o "$W/q" "$W/C.jsonl" || fail "add kill $i: query"
    if same_as "$W/q" "$W/before"; then
        seen_before=$((seen_before + 1))
        # the next writer clears what the killed one left and adds B
        "$FANWEN" index add -q "$W/ix" "$W/B.jsonl" || fail "add kill $i: add again"
        "$FANWEN" query -q --index "$W/ix" -o "$W/q" "$W/C.jsonl" || fail "add kill $i: query 2"
        same_as "$W/q" "$W/after" || fail "add kill $i: add after the kill answers otherwise"
    elif same_as "$W/q" "$W/after"; then
        seen_after=$((seen_after + 1))
        "$FANWEN" index remove -q "$W/ix" --ids /dev/null || fail "cleaning writer" # any writer cleans up
    else
        fail "add kill $i: the answer is neither the one before nor the one after"
    fi
    [ "$(leftovers "$W/ix")" = 0 ] || fail "add kill $i: temporary files left: $(ls "$W/ix")"
    segs=$(ls "$W/ix" | grep -c '\.docs$')
    named=$(grep -c '^segment ' "$W/ix/MANIFEST")
    [ "$segs" = "$named" ] || fail "add kill $i: $segs segment files, the manifest names $named"
done
echo "add: $seen_before kills before the new generation, $seen_after after"

# compact: three segments and removals, killed while merging
cp -a "$W/done" "$W/cbase"
"$FANWEN" index add -q "$W/cbase" "$W/D.jsonl" || fail "add D"
"$FANWEN" index remove -q "$W/cbase" --ids "$W/removed.txt" || fail "remove"
"$FANWEN" query -q --index "$W/cbase" -o "$W/cref" "$W/C.jsonl" || fail "query cbase"
cp -a "$W/cbase" "$W/ctime"
t0=$(date +%s%N)
"$FANWEN" index compact -q "$W/ctime" || fail "compact"
t_compact=$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.3f", d / 1e9 }')
echo "compact takes $t_compact s"
point before-manifest "$W/cbase" "$W/cref" 1 compact index compact -q "$W/ix"
grep -c '^segment ' "$W/ix/MANIFEST" | grep -qx 3 || fail "compact before the manifest: not 3 segments"
point after-manifest "$W/cbase" "$W/cref" 1 compact index compact -q "$W/ix"
grep -c '^segment ' "$W/ix/MANIFEST" | grep -qx 1 || fail "compact after the manifest: not compacted"
echo "kill points: add and compact killed before and after the MANIFEST, each as it should be"
compacted=0
for ((i = 0; i < iterations; i++)); do
    killed_copy "$W/cbase" "$t_compact" "compact kill $i" index compact -q "$W/ix"
    "$FANWEN" query -q --index "$W/ix" -o "$W/q" "$W/C.jsonl" || fail "compact kill $i: query"
    same_as "$W/q" "$W/cref" || fail "compact kill $i: the answer changed"
    grep -c '^segment ' "$W/ix/MANIFEST" | grep -qx 1 && compacted=$((compacted + 1))
    "$FANWEN" index compact -q "$W/ix" || fail "compact kill $i: compact again"
    [ "$(leftovers "$W/ix")" = 0 ] || fail "compact kill $i: temporary files left"
    [ "$(ls "$W/ix" | grep -c '\.docs$')" = 1 ] || fail "compact kill $i: old segments left"
    "$FANWEN" query -q --index "$W/ix" -o "$W/q" "$W/C.jsonl" || fail "compact kill $i: query 2"
    same_as "$W/q" "$W/cref" || fail "compact kill $i: compact after the kill changed the answer"
done
echo "compact: $compacted of $iterations kills after the new generation"

# readers while a writer adds and compacts: no lock, never a failure, and
# always the one answer (the documents added pair with nothing in C)
rm -rf "$W/ix"
cp -a "$W/cbase" "$W/ix"
(
    for ((k = 0; k < 12; k++)); do
        printf '{"id":"lone-%d","text":"第%d段谁也没有写过的全新文字，和这里的任何文档都不一样，编号%d。"}\n' \
            $k $k $k >"$W/lone.jsonl"
        "$FANWEN" index add -q "$W/ix" "$W/lone.jsonl" || exit 1
        "$FANWEN" index compact -q "$W/ix" || exit 1
    done
) &
writer=$!
reads=0
while kill -0 $writer 2>/dev/null; do
    "$FANWEN" query -q --index "$W/ix" -o "$W/qr" "$W/C.jsonl" || fail "a reader failed during a change"
    same_as "$W/qr" "$W/cref" || fail "a reader saw another answer during a change"
    reads=$((reads + 1))
done
wait $writer || fail "the writer failed"
((reads >= 3)) || fail "only $reads reads during the changes"
echo "$reads reads during 24 changes, all the same answer"
echo "$left kills left files no manifest names (all removed by the next writer)"
echo "test_index_crash: every kill left a whole generation"
