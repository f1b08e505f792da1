#!/bin/bash
# test_index.sh — the persistent index answers as a scan would.
#
#   test_index.sh FANWEN GEN_CORPUS FAIL_DIR_FSYNC
#
# A generated corpus (bench's generator: work reports, one in ten a
# near-copy) cut into A, B and C, with 30 copies of one text spread over
# them (a bucket above FW_LSH_FULL_BUCKET, so the star rule is tested with
# its centre in the batch and in the index) and ids of C repeating ids of A,
# one of them twice (renamed as a scan renames them). For the default parameters, template
# mode, threshold 0.5 and a canon table of our own (copied into the index),
# each checked with cmp against `fanwen scan
# --no-passages` of the same documents, restricted to the rows of the new
# documents (tests/index/restrict.py: the new documents are the scan's
# last docs.csv rows, as many as the batch input has, each checked to name
# the input's id or its renaming, never taken from the query's own output;
# pairs.csv rows with a new id on either side, clusters.csv and docs.csv
# rows of new ids, docs.csv one row a new document):
#   1. index build A, query B          = scan A B        restricted to B
#   2. query --add B, query C          = scan A B C      restricted to C
#   3. index compact, query C          = the same bytes as 2
#   4. index remove R (ids of A and B), query C
#                                      = scan (A B without R) C, restricted to C
#   5. index compact, query C          = the same bytes as 4
#   6. a fresh index built from A then `index add B` (two segments) gives 2
# and a family case: texts indexed three times over two segments, queried
# with exact and near copies (index_remake.c shares their sketches).
# Then: a model given to the build is kept and answered with (and refused
# with another seed, or on add); a parameter that differs is an error
# naming it (another canon
# table too); --fail-on-match
# exits 3 only when there is a pair; two writers at once both land; a
# writer (build or add) that finds the lock held says it waits; of two
# builds of one directory at once one fails with "not empty"; a writer
# removes killed writers' files but not others named like them; removing
# one of x, x#2, x#3 (one id, renamed) is refused unless the later ones go
# with it, and queries after the removals that are allowed name ids as a
# scan of what remains; a
# failed directory flush before the manifest fails the add, after its
# rename the add is committed with a warning; a
# flipped byte in each file type (MANIFEST, .docs, .text, .bands, .pbands, .pscreen,
# the passage model, tombstones, the index's canon.tsv; a tombstone count that disagrees with the file's size, a
# tombstone file cut short) is an error naming the file, never an answer;
# so is each file of a twin index's segment copied in (the same parameters,
# model, numbers and passage counts, one character changed: its mark).
set -u
FANWEN=$1
GEN=$2
FAIL_DIR_FSYNC=$3 # tests/fail_dir_fsync.c, an LD_PRELOAD shim
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
HERE=$(dirname "$0")
fail() { echo "FAIL: $*" >&2; exit 1; }

"$GEN" "$W/g.jsonl" 2 3 >/dev/null 2>&1 || fail "gen_corpus"
python3 - "$W" <<'EOF' || fail "corpus"
import json, sys
w = sys.argv[1]
lines = open(w + '/g.jsonl', encoding='utf-8').read().splitlines()
n = len(lines)
parts = {'A': lines[:n // 2], 'B': lines[n // 2:3 * n // 4], 'C': lines[3 * n // 4:]}
text = "这是一份完全相同的范文文本，用来测试大桶的星形规则，二〇二四年。" * 8
for i in range(30):  # one bucket of 30: ids interleaved over A, B, C
    part = 'ABC'[i % 3]
    parts[part].append(json.dumps({"id": "same-%02d" % i, "text": text}, ensure_ascii=False))
# C repeats two ids of A: one a copy of A's text, one new
a0 = json.loads(parts['A'][0])
parts['C'].append(json.dumps({"id": a0["id"], "text": a0["text"] + "。补充"}, ensure_ascii=False))
a1 = json.loads(parts['A'][1])
parts['C'].append(json.dumps({"id": a1["id"], "text": "完全不同的一段话。" * 5}, ensure_ascii=False))
# and the first one's id a second time in C: #2 and #3, in input order
parts['C'].append(json.dumps({"id": a0["id"], "text": a0["text"] + "。再补充一句"}, ensure_ascii=False))
for k, v in parts.items():
    open('%s/%s.jsonl' % (w, k), 'w', encoding='utf-8').write('\n'.join(v) + '\n')
# removed: documents of A and B in pairs (the generator's copies), and two
# of the 30 copies (one the centre of the star)
removed = [json.loads(parts['A'][i])["id"] for i in range(2, 60, 3)]
removed += [json.loads(parts['B'][i])["id"] for i in range(0, 40, 4)]
removed += ["same-00", "same-04"]
open(w + '/removed.txt', 'w').write('\n'.join(removed) + '\n')
rm = set(removed)
for k in 'AB':
    keep = [l for l in parts[k] if json.loads(l)["id"] not in rm]
    open('%s/%s-kept.jsonl' % (w, k), 'w', encoding='utf-8').write('\n'.join(keep) + '\n')
EOF

flip() { # FILE OFFSET: xor one byte
    python3 -c "import sys
p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, 'rb').read())
o = o if o >= 0 else len(b) + o; b[o] ^= 0x20; open(p, 'wb').write(b)" "$1" "$2"
}

# same SCAN_DIR QUERY_DIR WHAT BATCH: the query's three reports are the scan's rows
same() {
    rm -rf "$W/restricted"
    python3 "$HERE/index/restrict.py" "$1" "$W/restricted" "$4" || fail "restrict"
    for f in pairs.csv clusters.csv docs.csv reuse.csv spans.csv; do
        [ -f "$W/restricted/$f" ] || [ -f "$2/$f" ] || continue # no passage level
        cmp -s "$W/restricted/$f" "$2/$f" || {
            diff "$W/restricted/$f" "$2/$f" | head -5 >&2
            fail "$3: $f differs from the scan's rows"
        }
    done
    [ "$(wc -l <"$2/pairs.csv")" -gt 1 ] || fail "$3: no pairs at all (the test tests nothing)"
    # summary.json: the query's counts are its reports' rows
    python3 - "$2" <<'EOF' || fail "$3: summary.json does not count the reports"
import csv, json, os, sys
d = sys.argv[1]
j = json.load(open(d + "/summary.json"))
rows = lambda n: list(csv.reader(open(d + "/" + n, encoding="utf-8", newline="")))[1:]
docs = rows("docs.csv")
batch = {r[0] for r in docs}
pairs = rows("pairs.csv")
assert j["kind"] == "query"
assert j["batch"]["documents"]["total"] == len(docs), "documents"
assert j["results"]["pairs"] == len(pairs), "pairs"
assert j["results"]["pairs_with_indexed"] == sum(1 for r in pairs if r[0] not in batch or r[1] not in batch)
assert j["results"]["clustered_documents"] == sum(1 for r in docs if r[8]), "clustered"
if os.path.exists(d + "/spans.csv"):
    assert j["results"]["spans"] == len(rows("spans.csv")), "spans"
    assert j["results"]["reuse_pairs"] == len(rows("reuse.csv")), "reuse"
    assert j["parameters"]["passages"] is True
else:
    assert j["results"]["spans"] == 0 and j["parameters"]["passages"] is False
for k in ("sketch", "candidates", "verify", "passages", "report"):
    assert j["stages"][k]["seconds"] >= 0, k
w = j["work"]
assert 0 <= w["passage_pairs_screened_out"] <= w["passage_candidate_pairs"], "screened out"
EOF
    # how many candidates the screen files turned away: some query must
    # (checked after the cases), or the rows above never tested it
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["work"]["passage_pairs_screened_out"])' \
        "$2/summary.json" >>"$W/screened"
}

run_case() {
    local name=$1
    shift
    local P=("$@") ix=$W/$name.ix
    echo "case $name: ${P[*]}"
    "$FANWEN" index build -q "$ix" "${P[@]}" "$W/A.jsonl" || fail "$name: build"
    # the scans to compare with: with the passage model the index learned
    # from A, or documents only for an index without the passage level
    local S=(--no-passages)
    if [[ " ${P[*]} " != *" --no-passages "* ]]; then
        S=(--passage-model "$(ls "$ix"/model-*)")
        [ -f "${S[1]}" ] || fail "$name: the index has no passage model"
    fi
    local SP=() p
    for p in "${P[@]}"; do [ "$p" = --no-passages ] || SP+=("$p"); done
    "$FANWEN" scan -q "${S[@]}" "${SP[@]}" -o "$W/s1" "$W/A.jsonl" "$W/B.jsonl" || fail "scan"
    "$FANWEN" query -q --index "$ix" -o "$W/q1" "$W/B.jsonl" || fail "$name: query B"
    same "$W/s1" "$W/q1" "$name 1 (build A, query B)" "$W/B.jsonl"
    if [ "${S[0]}" != --no-passages ]; then # spans with indexed documents, not only the batch's
        python3 - "$W" <<'EOF' || fail "$name 1: too few span or reuse rows name an indexed document"
import json, sys
w = sys.argv[1]
a = {json.loads(l)["id"] for l in open(w + "/A.jsonl", encoding="utf-8")}
for name, cols in (("spans.csv", (0, 3)), ("reuse.csv", (0, 1))):
    rows = [l.split(",") for l in open(w + "/q1/" + name, encoding="utf-8", newline="").read().split("\r\n")[1:] if l]
    assert sum(1 for r in rows if r[cols[0]] in a or r[cols[1]] in a) >= 3, name
EOF
    fi

    "$FANWEN" query -q -j 1 --index "$ix" -o "$W/q1j1" "$W/B.jsonl" || fail "$name: query -j 1"
    for f in "$W"/q1/*.csv; do # the same bytes at one thread
        cmp -s "$f" "$W/q1j1/${f##*/}" || fail "$name: query -j 1 differs in ${f##*/}"
    done
    # into a scan's directory: its summary.json replaced by the query's, its
    # corpus-wide reports removed, and `fanwen report` says it reads a scan's
    rm -rf "$W/qs" && cp -r "$W/s1" "$W/qs"
    "$FANWEN" query -q --index "$ix" -o "$W/qs" "$W/B.jsonl" || fail "$name: query into a scan's"
    grep -q '"kind": "query"' "$W/qs/summary.json" || fail "$name: the scan's summary.json left"
    [ ! -e "$W/qs/passages.csv" ] || fail "$name: the scan's passages.csv left"
    if "$FANWEN" report "$W/qs" 2>"$W/err"; then fail "$name: an HTML report of a query"; fi
    grep -q "query against an index" "$W/err" || fail "$name: report does not say why"
    "$FANWEN" query -q --index "$ix" --add -o "$W/q2b" "$W/B.jsonl" || fail "$name: query --add B"
    cmp -s "$W/q1/pairs.csv" "$W/q2b/pairs.csv" || fail "$name: query --add answers otherwise"
    "$FANWEN" scan -q "${S[@]}" "${SP[@]}" -o "$W/s2" "$W/A.jsonl" "$W/B.jsonl" "$W/C.jsonl"
    "$FANWEN" query -q --index "$ix" -o "$W/q2" "$W/C.jsonl" || fail "$name: query C"
    same "$W/s2" "$W/q2" "$name 2 (add B, query C)" "$W/C.jsonl"
    grep -q '#3,' "$W/q2/docs.csv" || fail "$name: no id renamed twice against the index"

    "$FANWEN" index compact -q "$ix" || fail "$name: compact"
    "$FANWEN" query -q --index "$ix" -o "$W/q3" "$W/C.jsonl" || fail "$name: query C after compact"
    for f in pairs.csv clusters.csv docs.csv reuse.csv spans.csv; do
        [ -f "$W/q2/$f" ] || continue
        cmp -s "$W/q2/$f" "$W/q3/$f" || fail "$name 3: compact changed $f"
    done

    "$FANWEN" index remove -q "$ix" --ids "$W/removed.txt" || fail "$name: remove"
    "$FANWEN" scan -q "${S[@]}" "${SP[@]}" -o "$W/s4" "$W/A-kept.jsonl" "$W/B-kept.jsonl" \
        "$W/C.jsonl"
    "$FANWEN" query -q --index "$ix" -o "$W/q4" "$W/C.jsonl" || fail "$name: query C after remove"
    same "$W/s4" "$W/q4" "$name 4 (remove, query C)" "$W/C.jsonl"
    cmp -s "$W/q2/pairs.csv" "$W/q4/pairs.csv" && fail "$name 4: removing changed no pair"
    # index info counts the live pairs: a scan's of what the index holds
    "$FANWEN" scan -q "${S[@]}" "${SP[@]}" -o "$W/s4k" "$W/A-kept.jsonl" "$W/B-kept.jsonl"
    want=$(($(wc -l <"$W/s4k/pairs.csv") - 1))
    "$FANWEN" index info "$ix" | grep -q "segments, $want pairs$" ||
        fail "$name 4: $("$FANWEN" index info "$ix" | head -1), not $want pairs"

    "$FANWEN" index compact -q "$ix" || fail "$name: compact after remove"
    "$FANWEN" query -q --index "$ix" -o "$W/q5" "$W/C.jsonl" || fail "$name: query C"
    for f in pairs.csv clusters.csv docs.csv reuse.csv spans.csv; do
        [ -f "$W/q4/$f" ] || continue
        cmp -s "$W/q4/$f" "$W/q5/$f" || fail "$name 5: compact after remove changed $f"
    done
    [ "$(ls "$ix" | grep -c '^seg-.*\.docs$')" = 1 ] || fail "$name: compact left segments"
    ls "$ix" | grep -q '^tomb-' && fail "$name: compact left tombstones"

    local ix2=$W/$name.ix2
    "$FANWEN" index build -q "$ix2" "${P[@]}" "$W/A.jsonl" || fail "$name: build 2"
    "$FANWEN" index add -q "$ix2" "$W/B.jsonl" || fail "$name: add"
    "$FANWEN" query -q --index "$ix2" -o "$W/q6" "$W/C.jsonl" || fail "$name: query C (2)"
    for f in pairs.csv clusters.csv docs.csv reuse.csv spans.csv; do
        [ -f "$W/q2/$f" ] || continue
        cmp -s "$W/q2/$f" "$W/q6/$f" || fail "$name 6: index add differs from query --add ($f)"
    done
    rm -rf "$ix2"
}

run_case default
run_case docs-only --no-passages
run_case template --template
run_case t05 -t 0.5
printf '# variant\tcanonical\n进展\t发展\n根底\t基础\n效劳\t服务\n' >"$W/canon.tsv"
run_case canon --canon "$W/canon.tsv"
# the screen files turned candidates away, and the rows were still the scan's
[ "$(sort -n "$W/screened" | tail -1)" -gt 0 ] ||
    fail "no query screened a candidate out (the cases test nothing of it)"
out=$("$FANWEN" query -q --index "$W/canon.ix" --canon "$W/A.jsonl" -o "$W/qx" "$W/C.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"canon table"* ]] || fail "another canon table: $out"
# the index's own canon table damaged: named as damaged, not as another table
cp "$W/canon.ix/canon.tsv" "$W/canon.good"
flip "$W/canon.ix/canon.tsv" 20
out=$("$FANWEN" index info --check "$W/canon.ix" 2>&1)
[ $? = 1 ] && [[ $out == *"canon.tsv: damaged"* ]] || fail "damaged canon.tsv, info --check: $out"
out=$("$FANWEN" query -q --index "$W/canon.ix" -o "$W/qx" "$W/C.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"canon.tsv: damaged"* ]] || fail "damaged canon.tsv, query: $out"
cp "$W/canon.good" "$W/canon.ix/canon.tsv"
"$FANWEN" query -q --index "$W/canon.ix" -o "$W/qx" "$W/C.jsonl" || fail "canon.tsv restored"

# Families of texts (index_remake.c): each of 40 texts indexed three times,
# in two segments (two copies in the first, one in the second, so copies sit
# in different frames and segments); the batch holds exact copies of half
# of them (their sketches are the batch's), near copies of the others (one
# sketch made for the three indexed copies) and a text of its own. The
# query's rows are the scan's.
python3 - "$W" <<'EOF2' || fail "families corpus"
import json, sys
w = sys.argv[1]
def text(i):
    return ("第%d篇：" % i) + "".join(chr(0x4e00 + (i * 97 + k * 31) % 2000) for k in range(120))
with open(w + '/F1.jsonl', 'w', encoding='utf-8') as f1, \
     open(w + '/F2.jsonl', 'w', encoding='utf-8') as f2, \
     open(w + '/Fq.jsonl', 'w', encoding='utf-8') as fq:
    for i in range(40):
        for copy, out in (('a', f1), ('b', f1), ('c', f2)):
            out.write(json.dumps({"id": "f%s-%02d" % (copy, i), "text": text(i)}, ensure_ascii=False) + "\n")
        t = text(i) if i % 2 else text(i)[:-3] + "变了一点"
        fq.write(json.dumps({"id": "fq-%02d" % i, "text": t}, ensure_ascii=False) + "\n")
    fq.write(json.dumps({"id": "fq-own", "text": "只属于这一批的一段文字，索引里没有。" * 4}, ensure_ascii=False) + "\n")
EOF2
fx=$W/families.ix
"$FANWEN" index build -q "$fx" "$W/F1.jsonl" || fail "families: build"
"$FANWEN" index add -q "$fx" "$W/F2.jsonl" || fail "families: add"
"$FANWEN" scan -q --passage-model "$(ls "$fx"/model-*)" -o "$W/sf" "$W/F1.jsonl" "$W/F2.jsonl" \
    "$W/Fq.jsonl" || fail "scan"
"$FANWEN" query -q --index "$fx" -o "$W/qf" "$W/Fq.jsonl" || fail "families: query"
same "$W/sf" "$W/qf" "families (copies in frames and segments)" "$W/Fq.jsonl"
[ "$(grep -c ',fq-' "$W/qf/pairs.csv")" -ge 120 ] || fail "families: the copies are not all paired"

# a model given to the build (a crawl's) instead of learned: the index keeps
# a copy, and answers as a scan with that model
"$FANWEN" scan -q -o "$W/sm" --save-passage-model "$W/crawl.model" "$W/g.jsonl" ||
    fail "scan for a model"
"$FANWEN" index build -q --passage-model "$W/crawl.model" "$W/given.ix" "$W/A.jsonl" ||
    fail "build --passage-model"
cmp -s "$W/crawl.model" "$W/given.ix/$(ls "$W/given.ix" | grep '^model-')" ||
    fail "the given model is not the index's"
"$FANWEN" scan -q --passage-model "$W/crawl.model" -o "$W/sg" "$W/A.jsonl" "$W/B.jsonl" ||
    fail "scan with the given model"
"$FANWEN" query -q --index "$W/given.ix" -o "$W/qg" "$W/B.jsonl" || fail "query, given model"
same "$W/sg" "$W/qg" "a given model" "$W/B.jsonl"
out=$("$FANWEN" index build -q --passage-model "$W/crawl.model" --seed 3 "$W/bad.ix" "$W/A.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"--seed 0, not 3"* ]] || fail "a model of another seed: $out"
out=$("$FANWEN" index add -q --passage-model "$W/crawl.model" "$W/given.ix" "$W/C.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"is index build's"* ]] || fail "--passage-model on add: $out"

ix=$W/default.ix
# a parameter that differs is named
out=$("$FANWEN" query -q --index "$ix" -n 4 -o "$W/qx" "$W/C.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"ngram 5, not 4"* ]] || fail "ngram mismatch: $out"
out=$("$FANWEN" index add -q "$ix" --template "$W/C.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"template mode"* ]] || fail "template mismatch: $out"
# documents only: a query may ask for it, an add may not (refused before reading)
"$FANWEN" query -q --no-passages --index "$ix" -o "$W/qd" "$W/C.jsonl" || fail "query --no-passages"
[ -e "$W/qd/spans.csv" ] && fail "query --no-passages wrote spans.csv"
for cmd in "query -q --no-passages --add --index $ix -o $W/qd2" "index add -q --no-passages $ix"; do
    out=$("$FANWEN" $cmd "$W/C.jsonl" 2>&1)
    [ $? = 1 ] && [[ $out == *"--no-passages cannot add"* ]] || fail "$cmd: $out"
    [ -e "$W/qd2" ] && fail "$cmd wrote reports"
done
out=$("$FANWEN" query -q --index "$ix" --boilerplate-docs 5 -o "$W/qd3" "$W/C.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"has its model already"* ]] || fail "--boilerplate-docs on a query: $out"
out=$("$FANWEN" query -q --index "$W/docs-only.ix" --min-passage 40 -o "$W/qd3" "$W/C.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"do not apply"* ]] || fail "--min-passage, documents-only index: $out"
[ -e "$W/qd3" ] && fail "a refused query wrote reports"
"$FANWEN" index info "$ix" | grep -q "passage model model-0*1, [0-9]* bytes" ||
    fail "index info names no passage model: $("$FANWEN" index info "$ix")"
out=$("$FANWEN" query -q --index "$W/docs-only.ix" -o "$W/qd" "$W/C.jsonl" 2>&1) ||
    fail "a documents-only index queried: $out"
[ -e "$W/qd/spans.csv" ] && fail "a documents-only index's query left spans.csv"
"$FANWEN" query -q --index "$ix" -n 5 -t 0.8 -o "$W/qx" "$W/C.jsonl" || fail "same values refused"

# --fail-on-match: 3 with a pair, 0 without
"$FANWEN" query -q --index "$ix" --fail-on-match -o "$W/qx" "$W/C.jsonl"
[ $? = 3 ] || fail "--fail-on-match with pairs did not exit 3"
printf '{"id":"alone","text":"一段谁也没有写过的全新文字，和索引里的任何文档都不一样。"}\n' >"$W/alone.jsonl"
"$FANWEN" query -q --index "$ix" --fail-on-match -o "$W/qx" "$W/alone.jsonl" ||
    fail "--fail-on-match without pairs did not exit 0"

# two writers at once: the lock serializes them, both batches land
lk=$W/lock.ix
"$FANWEN" index build -q "$lk" "$W/A.jsonl" || fail "build lk"
"$FANWEN" index add -q "$lk" "$W/B.jsonl" & p1=$!
"$FANWEN" index add -q "$lk" "$W/alone.jsonl" & p2=$!
wait $p1 || fail "writer 1"
wait $p2 || fail "writer 2"
want=$(( $(wc -l <"$W/A.jsonl") + $(wc -l <"$W/B.jsonl") + 1 ))
"$FANWEN" index info "$lk" | grep -q "generation 3, $want documents" ||
    fail "two writers: $("$FANWEN" index info "$lk" | head -1), want $want documents"

# the writer's lock: a writer that finds it held says so, then waits (build
# too: it takes the lock before it looks at the directory)
mkdir "$W/wait.ix"
flock "$W/wait.ix/LOCK" -c "touch '$W/held'; sleep 2" & holder=$!
for _ in $(seq 100); do [ -e "$W/held" ] && break; sleep 0.05; done
[ -e "$W/held" ] || fail "the lock holder did not start"
out=$("$FANWEN" index build -q "$W/wait.ix" "$W/alone.jsonl" 2>&1) || fail "build after waiting: $out"
[[ $out == *"waiting for another writer of $W/wait.ix"* ]] || fail "build did not say it waits: $out"
wait $holder
rm -f "$W/held"
flock "$W/wait.ix/LOCK" -c "touch '$W/held'; sleep 2" & holder=$!
for _ in $(seq 100); do [ -e "$W/held" ] && break; sleep 0.05; done
out=$("$FANWEN" index add -q "$W/wait.ix" "$W/alone.jsonl" 2>&1) || fail "add after waiting: $out"
[[ $out == *"waiting for another writer of $W/wait.ix"* ]] || fail "add did not say it waits: $out"
wait $holder
# two builds of one directory at once: one makes the index, the other
# finds it not empty
"$FANWEN" index build -q "$W/race.ix" "$W/A.jsonl" 2>"$W/race1" & p1=$!
"$FANWEN" index build -q "$W/race.ix" "$W/B.jsonl" 2>"$W/race2" & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ $((r1 + r2)) = 1 ] || fail "two builds at once: exits $r1 and $r2: $(cat "$W/race1" "$W/race2")"
grep -q "not empty" "$W/race1" "$W/race2" || fail "the losing build: $(cat "$W/race1" "$W/race2")"
"$FANWEN" index info --check "$W/race.ix" | grep -q "generation 1," || fail "raced index"
# a writer removes what killed writers left, and nothing else: files named
# like the index's but not its writers' stay
printf 'my notes\n' >"$W/race.ix/seg-notes.txt"
printf 'not a segment\n' >"$W/race.ix/seg-000099.docs"
printf 'not tombstones\n' >"$W/race.ix/tomb-000099"
: >"$W/race.ix/seg-000099.text.tmp.12345"           # a killed writer's, empty
printf 'FWIDOCS\0rest' >"$W/race.ix/seg-000098.docs" # a killed writer's
printf 'FWBANDS\0rest' >"$W/race.ix/seg-000098.pbands" # a killed writer's
printf 'FWSCREN\0rest' >"$W/race.ix/seg-000098.pscreen" # a killed writer's
printf 'fanwen-passage-model 2\nrest' >"$W/race.ix/model-000097" # a killed first add's
: >"$W/race.ix/model-000096.tmp.12345"
printf 'my model\n' >"$W/race.ix/model-000095"
"$FANWEN" index add -q "$W/race.ix" "$W/alone.jsonl" || fail "add beside foreign files"
for f in seg-notes.txt seg-000099.docs tomb-000099 model-000095; do
    [ -e "$W/race.ix/$f" ] || fail "a writer removed $f, which is not the index's"
done
for f in seg-000099.text.tmp.12345 seg-000098.docs seg-000098.pbands seg-000098.pscreen \
    model-000097 model-000096.tmp.12345; do
    [ -e "$W/race.ix/$f" ] && fail "a writer left $f"
done
[ -e "$W/race.ix/model-000001" ] || fail "a writer removed the index's own passage model"

# remove_refused IX ID WANT: removing ID alone from IX fails, saying WANT
remove_refused() {
    echo "$2" >"$W/gone-one"
    local out
    out=$("$FANWEN" index remove -q "$1" --ids "$W/gone-one" 2>&1)
    [ $? = 1 ] && [[ $out == *"$3"* ]] || fail "remove $2 from $1: $out"
}
# against_scan IX KEPT NEW OUT WHAT: query NEW against IX (into OUT) gives
# the rows of a scan of KEPT and NEW (with IX's passage model) for NEW
against_scan() {
    "$FANWEN" scan -q --passage-model "$(ls "$1"/model-*)" -o "$4.scan" "$2" "$3" ||
        fail "scan: $5"
    "$FANWEN" query -q --index "$1" -o "$4" "$3" || fail "query: $5"
    same "$4.scan" "$4" "$5" "$3"
}

# one id given to three indexed documents (x, x#2, x#3 as a scan names
# them): removing x or x#2 alone is refused (a query would then name them
# otherwise than a scan of what remains); x#3 alone, then x with x#2, go,
# and a query names a new x as a scan of what remains does
python3 - "$W" <<'PYEOF'
import json, sys
w = sys.argv[1]
t = ["第%d篇：这是一份关于重复编号的测试文本，内容各不相同，用来检查删除以后的命名方式，编号%d。" % (i, i) * 4
     for i in range(4)]
docs = [("x", t[0]), ("x", t[1]), ("x", t[2]), ("y", t[3])]
def write(name, rows):
    with open(w + "/" + name, "w", encoding="utf-8") as f:
        for i, x in rows:
            f.write(json.dumps({"id": i, "text": x}, ensure_ascii=False) + "\n")
write("dup.jsonl", docs)
write("dup-kept1.jsonl", docs[:2] + docs[3:])          # x#3 removed
write("dup-kept2.jsonl", docs[3:])                     # all x removed
write("dup-new.jsonl", [("x", t[1] + "补充一句。"), ("x", t[3] + "再补一句。")])
PYEOF
"$FANWEN" index build -q "$W/dup.ix" "$W/dup.jsonl" || fail "build dup"
remove_refused "$W/dup.ix" x "cannot remove x without x#"
remove_refused "$W/dup.ix" 'x#2' "cannot remove x#2 without x#"
"$FANWEN" index info "$W/dup.ix" | grep -q "4 documents (0 removed)" || fail "a refused remove removed"
echo 'x#3' >"$W/dup-gone"
"$FANWEN" index remove -q "$W/dup.ix" --ids "$W/dup-gone" || fail "remove x#3"
against_scan "$W/dup.ix" "$W/dup-kept1.jsonl" "$W/dup-new.jsonl" "$W/dq1" "x#3 removed"
grep -q '^x#3,' "$W/dq1/docs.csv" || fail "x#3 removed: the new x is not x#3"
printf 'x\nx#2\n' >"$W/dup-gone"
"$FANWEN" index remove -q "$W/dup.ix" --ids "$W/dup-gone" || fail "remove x with x#2"
against_scan "$W/dup.ix" "$W/dup-kept2.jsonl" "$W/dup-new.jsonl" "$W/dq2" "x, x#2 removed"

# ids that clash with renamings: [a, a, a#2] is a, a#2, a#2#2 (every name
# once), and new documents a#2 and a are a#2#3 and a#3 in a scan and in a
# query alike; an index of [a#2, a, a] (a#2, a, a#3) refuses to remove a#2
# or a alone (a#3 was denied both names), removes a#2 with a#3, and then
# names a new a as a scan of what remains does
python3 - "$W" <<'PYEOF'
import json, sys
w = sys.argv[1]
t = ["第%d篇：这段文字的编号和别的文字的改名撞在一起，用来检查每个名字只用一次，编号%d。" % (i, i) * 4
     for i in range(3)]
def write(name, rows):
    with open(w + "/" + name, "w", encoding="utf-8") as f:
        for i, x in rows:
            f.write(json.dumps({"id": i, "text": x}, ensure_ascii=False) + "\n")
write("clash.jsonl", [("a", t[0]), ("a", t[1]), ("a#2", t[2])])
write("clash-new.jsonl", [("a#2", t[0]), ("a", t[2] + "补一句。")])
write("clash2.jsonl", [("a#2", t[0]), ("a", t[1]), ("a", t[2])])
write("clash2-kept.jsonl", [("a", t[1])])
write("clash2-new.jsonl", [("a", t[1] + "补一句。")])
PYEOF
"$FANWEN" scan -q -o "$W/cs0" "$W/clash.jsonl" || fail "scan clash"
[ "$(cut -d, -f1 "$W/cs0/docs.csv" | sort | tr '\n' ' ')" = "a a#2 a#2#2 id " ] ||
    fail "clashing ids not named once each: $(cut -d, -f1 "$W/cs0/docs.csv" | tr '\n' ' ')"
"$FANWEN" index build -q "$W/clash.ix" "$W/clash.jsonl" || fail "build clash"
against_scan "$W/clash.ix" "$W/clash.jsonl" "$W/clash-new.jsonl" "$W/cq1" "ids clashing with renamings"
[ "$(cut -d, -f1 "$W/cq1/docs.csv" | sort | tr '\n' ' ')" = "a#2#3 a#3 id " ] ||
    fail "clashing new ids: $(cut -d, -f1 "$W/cq1/docs.csv" | tr '\n' ' ')"
"$FANWEN" index build -q "$W/clash2.ix" "$W/clash2.jsonl" || fail "build clash2"
remove_refused "$W/clash2.ix" 'a#2' "cannot remove a#2 without a#3"
remove_refused "$W/clash2.ix" a "cannot remove a without a#3"
printf 'a#2\na#3\n' >"$W/clash-gone"
"$FANWEN" index remove -q "$W/clash2.ix" --ids "$W/clash-gone" || fail "remove a#2 with a#3"
against_scan "$W/clash2.ix" "$W/clash2-kept.jsonl" "$W/clash2-new.jsonl" "$W/cq2" "a#2, a#3 removed"
grep -q '^a#2,' "$W/cq2/docs.csv" || fail "a#2, a#3 removed: the new a is not a#2"

# a directory flush that fails: before the manifest is written (the new
# files' renames not surely on disk) the add fails and the index keeps its
# generation; after the manifest's rename the add is committed, said with a
# warning, not a failure
cp -r "$lk" "$W/dur"
out=$(LD_PRELOAD=$FAIL_DIR_FSYNC FAIL_DIR_FSYNC_AT=1 "$FANWEN" index add -q "$W/dur" "$W/alone.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"cannot flush the directory"* ]] || fail "dir fsync before manifest: $out"
"$FANWEN" index info "$W/dur" | grep -q "generation 3," || fail "failed add changed the generation"
out=$(LD_PRELOAD=$FAIL_DIR_FSYNC FAIL_DIR_FSYNC_AT=2 "$FANWEN" index add -q "$W/dur" "$W/alone.jsonl" 2>&1)
[ $? = 0 ] && [[ $out == *"warning: committed (generation 4), but maybe not durable"* ]] ||
    fail "dir fsync after manifest: $out"
"$FANWEN" index info "$W/dur" | grep -q "generation 4, $((want + 1)) documents" ||
    fail "committed add not there: $("$FANWEN" index info "$W/dur" | head -1)"
rm -rf "$W/dur"

# a flipped byte in each file type is caught and named
expect_caught() { # WHAT FILE-PATTERN: query and info --check fail naming the file
    local out
    out=$("$FANWEN" index info --check "$fx" 2>&1)
    [ $? = 1 ] && [[ $out == *"$2"* ]] || fail "$1: info --check: $out"
}
fresh() {
    rm -rf "$W/fx"
    cp -r "$lk" "$W/fx"
    fx=$W/fx
    seg=$(ls "$fx" | grep '\.docs$' | head -1)
    seg=${seg%.docs}
}
fresh
"$FANWEN" index remove -q "$fx" --ids "$W/removed.txt" || fail "remove fx"
cp -r "$fx" "$W/fx-tomb"
fresh; flip "$fx/MANIFEST" 40; expect_caught MANIFEST MANIFEST
fresh; flip "$fx/$seg.docs" 200; expect_caught docs "$seg.docs"
fresh; flip "$fx/$seg.docs" -20; expect_caught "docs footer" "$seg.docs"
fresh; flip "$fx/$seg.text" 300; expect_caught text "$seg.text"
fresh; flip "$fx/$seg.bands" 5000; expect_caught bands "$seg.bands"
fresh; truncate -s -100 "$fx/$seg.bands"; expect_caught "bands cut short" "$seg.bands"
fresh; flip "$fx/$seg.pbands" 5000; expect_caught "passage bands" "$seg.pbands"
fresh; truncate -s -100 "$fx/$seg.pbands"; expect_caught "passage bands cut short" "$seg.pbands"
fresh; flip "$fx/$seg.pscreen" 200; expect_caught "passage screen" "$seg.pscreen: block 0 fails"
fresh; flip "$fx/$seg.pscreen" 20; expect_caught "passage screen header" "$seg.pscreen: fails its checksum"
fresh; truncate -s -100 "$fx/$seg.pscreen"; expect_caught "passage screen cut short" "$seg.pscreen: incomplete"
# a segment without a screen file (as an earlier fanwen writes them): its
# candidates' documents are all cut again, the answer is the same; compaction
# then makes no screen file (not every part has one), the answer the same
fresh; rm "$fx/$seg.pscreen"
"$FANWEN" index info --check "$fx" | grep -q "^1 segments without a screen file" ||
    fail "a segment without a screen file: info says $("$FANWEN" index info "$fx" | grep screen)"
"$FANWEN" query -q --index "$lk" -o "$W/qs-all" "$W/B.jsonl" || fail "query, every screen file"
"$FANWEN" query -q --index "$fx" -o "$W/qs-none" "$W/B.jsonl" || fail "query, a screen file gone"
for f in pairs.csv docs.csv reuse.csv spans.csv; do
    cmp -s "$W/qs-all/$f" "$W/qs-none/$f" || fail "a screen file gone: $f differs"
done
"$FANWEN" index compact -q "$fx" || fail "compact without a screen file"
[ -z "$(ls "$fx" | grep '\.pscreen$')" ] || fail "compaction made a screen file from parts without one"
rm -rf "$W/qs-none"
"$FANWEN" query -q --index "$fx" -o "$W/qs-none" "$W/B.jsonl" || fail "query after compaction"
for f in pairs.csv docs.csv reuse.csv spans.csv; do
    cmp -s "$W/qs-all/$f" "$W/qs-none/$f" || fail "compacted without screen files: $f differs"
done
fresh; big=$(ls -S "$fx"/*.pscreen | head -1); small=$(ls -S "$fx"/*.pscreen | tail -1)
[ "$big" != "$small" ] || fail "the test needs segments of different sizes"
cp "$big" "$small"; expect_caught "another segment's passage screen" "${small##*/}: made with other parameters or another passage model than the manifest's, or for another segment"
# a damaged screen record where a query reads it: an error naming the
# file, not a pair turned away (every block of every screen file flipped)
fresh
for f in "$fx"/*.pscreen; do
    python3 -c "import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
for o in range(64 + 100, len(b) - 64, 4096): b[o] ^= 0x20
open(p, 'wb').write(b)" "$f"
done
out=$("$FANWEN" query -q --index "$fx" -o "$W/qs-bad" "$W/B.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *".pscreen: block "*" fails its checksum"* ]] || fail "query over damaged screen records: $out"
# a sound passage band file of another segment (the same parameters and
# model): its tag binds it to its segment
fresh; big=$(ls -S "$fx"/*.pbands | head -1); small=$(ls -S "$fx"/*.pbands | tail -1)
[ "$big" != "$small" ] || fail "the test needs segments of different sizes"
cp "$big" "$small"; expect_caught "another segment's passage bands" "${small##*/}: made with other parameters or another passage model than the manifest's, or for another segment"
# a sound file of the same segment of another index: twins built from A,
# then B added to one and B with one Han character changed to another to
# the other (the same parameters, passage model, numbers, byte counts and
# passage counts); each file of
# the twin's second segment is refused, named, by its mark
python3 - "$W/B.jsonl" "$W/B2.jsonl" <<'EOF' || fail "B2"
import json, sys
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
d = json.loads(lines[5]); t = d["text"]; i = len(t) // 2
while not ('\u4e00' <= t[i] <= '\u9fff'): i += 1  # a Han character: the same bytes
d["text"] = t[:i] + ("乙" if t[i] != "乙" else "丙") + t[i + 1:]
assert len(d["text"].encode()) == len(t.encode())
lines[5] = json.dumps(d, ensure_ascii=False)
open(sys.argv[2], 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
EOF
for tw in tw1 tw2; do
    "$FANWEN" index build -q "$W/$tw.ix" "$W/A.jsonl" || fail "build $tw"
done
"$FANWEN" index add -q "$W/tw1.ix" "$W/B.jsonl" || fail "add tw1"
"$FANWEN" index add -q "$W/tw2.ix" "$W/B2.jsonl" || fail "add tw2"
cmp -s "$W/tw1.ix/seg-000001.bands" "$W/tw2.ix/seg-000001.bands" || fail "twins' first segments differ"
twins() { # SEG: each file of tw2's SEG copied into a copy of tw1 is refused, named
    local seg=$1 ext why out
    [ "$(grep "^segment $seg" "$W/tw1.ix/MANIFEST" | cut -d' ' -f3-5)" = \
      "$(grep "^segment $seg" "$W/tw2.ix/MANIFEST" | cut -d' ' -f3-5)" ] || fail "twins' numbers differ"
    # the same passage count (the screen files' sizes), else the tags differ without marks
    [ "$(stat -c %s "$W/tw1.ix/$seg.pscreen")" = "$(stat -c %s "$W/tw2.ix/$seg.pscreen")" ] ||
        fail "twins' passage counts differ"
    for ext in bands pbands pscreen docs; do
        rm -rf "$W/fx"; cp -r "$W/tw1.ix" "$W/fx"; fx=$W/fx
        "$FANWEN" index info --check "$fx" >/dev/null || fail "twin sound before $ext"
        cp "$W/tw2.ix/$seg.$ext" "$fx/"
        [ "$ext" = docs ] && cp "$W/tw2.ix/$seg.text" "$fx/"
        case $ext in
            docs) why="not the segment the manifest names" ;;
            bands) why="made with other parameters than the manifest's, or for another segment" ;;
            *) why="made with other parameters or another passage model than the manifest's, or for another segment" ;;
        esac
        expect_caught "the twin's $seg.$ext" "$seg.$ext: $why"
        out=$("$FANWEN" query -q --index "$fx" -o "$W/qtw" "$W/C.jsonl" 2>&1)
        [ $? = 1 ] && [[ $out == *"$seg.$ext: $why"* ]] || fail "query with the twin's $seg.$ext: $out"
    done
}
twins seg-000002
# compacted, the changed text is in a frame copied whole: its checksum marks it
"$FANWEN" index compact -q "$W/tw1.ix" || fail "compact tw1"
"$FANWEN" index compact -q "$W/tw2.ix" || fail "compact tw2"
twins seg-000003
rm -rf "$W/tw1.ix" "$W/tw2.ix"
# explain --index: a pair of a query, the new document as a file and the
# indexed one by id, gives the query's reuse shares and Jaccard; two
# indexed ids give what files of their texts give (the texts read back
# byte for byte); an argument that is neither says so
"$FANWEN" index build -q "$W/ex.ix" "$W/A.jsonl" || fail "build ex"
"$FANWEN" query -q --index "$W/ex.ix" -o "$W/exq" "$W/B.jsonl" || fail "query ex"
python3 - "$W" "$FANWEN" <<'EOF' || fail "explain --index"
import csv, json, subprocess, sys
w, fanwen = sys.argv[1], sys.argv[2]
texts = {}
for part in "AB":
    for line in open("%s/%s.jsonl" % (w, part), encoding="utf-8"):
        d = json.loads(line)
        texts[d["id"]] = (part, d["text"])
table = lambda name: list(csv.reader(open("%s/exq/%s" % (w, name), encoding="utf-8", newline="")))[1:]
jaccard = {(r[0], r[1]): r[2] for r in table("pairs.csv")}
def explain(*args):
    out = subprocess.run([fanwen, "explain", "--json", "--index", w + "/ex.ix", *args],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
checked = 0
for row in table("reuse.csv"):
    x, y = row[0], row[1]
    if {texts[x][0], texts[y][0]} != {"A", "B"}:
        continue
    new, old = (x, y) if texts[x][0] == "B" else (y, x)
    path = "%s/new-%d.txt" % (w, checked)
    open(path, "w", encoding="utf-8").write(texts[new][1])
    e = explain(path, old)  # a: the new document, b: the indexed one
    assert e["b"]["id"] == old and e["from_spans"], e
    new_in_old, old_in_new = (row[4], row[5]) if new == x else (row[5], row[4])
    assert ("%.6f" % e["a_in_b"], "%.6f" % e["b_in_a"]) == (new_in_old, old_in_new), (row, e)
    if (x, y) in jaccard:
        assert "%.6f" % e["jaccard"] == jaccard[(x, y)], (row, e)
    checked += 1
    if checked == 3:
        break
assert checked, "no reuse row of a new and an indexed document"
a, b = "same-00", "same-03"  # two of the 30 copies, both in A
for k, i in enumerate((a, b)):
    open("%s/old-%d.txt" % (w, k), "w", encoding="utf-8").write(texts[i][1])
by_id, by_file = explain(a, b), explain(w + "/old-0.txt", w + "/old-1.txt")
for side in "ab":
    by_file[side]["id"] = by_id[side]["id"]
assert by_id == by_file and by_id["runs"], (by_id, by_file)
out = subprocess.run([fanwen, "explain", "--index", w + "/ex.ix", "nowhere-id", a],
                     capture_output=True, text=True)
assert out.returncode == 1 and "'nowhere-id' is neither an id of the index nor a file" in out.stderr, out.stderr
# a name that is an indexed id and a file: the same text is either; another
# text is refused, not guessed; a query's renaming (id#2) is pointed at ./id
def explain_in(cwd, *args):
    return subprocess.run([fanwen, "explain", "--json", "--index", w + "/ex.ix", *args],
                          capture_output=True, text=True, cwd=cwd)
import os
os.makedirs(w + "/cwd", exist_ok=True)
open(w + "/cwd/" + a, "w", encoding="utf-8").write(texts[a][1])
out = explain_in(w + "/cwd", a, b)
assert out.returncode == 0 and json.loads(out.stdout)["runs"] == by_id["runs"], out.stderr
open(w + "/cwd/" + a, "w", encoding="utf-8").write(texts[a][1][:len(texts[a][1]) // 2])
out = explain_in(w + "/cwd", a, b)
assert out.returncode == 1 and "names an indexed document and a file with another text" in out.stderr, out.stderr
out = explain_in(w + "/cwd", "./" + a, b)
assert out.returncode == 0 and json.loads(out.stdout)["a"]["chars"] < by_id["a"]["chars"], out.stderr
out = explain_in(w + "/cwd", a + "#2", b)
assert out.returncode == 1 and "give the file as ./" + a in out.stderr, out.stderr
# the submission checked again under its path: the file as ./id, the
# indexed document as id (the query's id#2 and id)
out = explain_in(w + "/cwd", "./" + a, a)
assert out.returncode == 0, out.stderr
e = json.loads(out.stdout)
assert e["a"]["chars"] < by_id["a"]["chars"] and e["b"]["chars"] == by_id["a"]["chars"], e
# a FIFO named like an indexed id is not opened (it would block): the id is read
os.remove(w + "/cwd/" + a)
os.mkfifo(w + "/cwd/" + a)
out = subprocess.run([fanwen, "explain", "--json", "--index", w + "/ex.ix", a, b],
                     capture_output=True, text=True, cwd=w + "/cwd", timeout=60)
assert out.returncode == 0 and json.loads(out.stdout)["runs"] == by_id["runs"], out.stderr
EOF
fresh; model=$(ls "$fx" | grep '^model-')
flip "$fx/$model" 40; expect_caught "passage model" "$model: damaged"
fresh; rm "$fx/$model"; expect_caught "passage model gone" "$model: missing"
rm -rf "$W/fx"; mv "$W/fx-tomb" "$W/fx"; fx=$W/fx
tomb=$(ls "$fx" | grep '^tomb-')
cp "$fx/$tomb" "$W/tomb.good"
flip "$fx/$tomb" 20; expect_caught tombstones "$tomb"
# a count made huge: refused by the file's size, before it sizes anything
cp "$W/tomb.good" "$fx/$tomb"
python3 -c "import sys, struct
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
b[8:16] = struct.pack('<Q', 0x7fffffff); open(p, 'wb').write(b)" "$fx/$tomb"
expect_caught "tombstone count" "$tomb: damaged ("
cp "$W/tomb.good" "$fx/$tomb"
truncate -s -8 "$fx/$tomb"; expect_caught "tombstones cut short" "$tomb: damaged ("
cp "$W/tomb.good" "$fx/$tomb"
"$FANWEN" index info --check "$fx" >/dev/null || fail "tombstones restored"
# a text damaged where a query reads it: an error naming it, not a pair
fresh
"$FANWEN" query -q --index "$fx" -o "$W/qy" "$W/B.jsonl" || fail "query before damage"
python3 - "$fx/$seg.text" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
for o in range(64, len(b), 97): b[o] ^= 0x20  # every frame
open(p, 'wb').write(b)
EOF
out=$("$FANWEN" query -q --index "$fx" -o "$W/qy2" "$W/B.jsonl" 2>&1)
[ $? = 1 ] && [[ $out == *"$seg.text"*damaged* ]] || fail "damaged text in a query: $out"
echo "test_index: all invariants hold"
