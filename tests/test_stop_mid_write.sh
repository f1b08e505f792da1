#!/bin/bash
# test_stop_mid_write.sh — a signal that stops fanwen while it writes a
# file the user named leaves that file's directory as it was: no
# half-written file and no temporary name. For `explain --html FILE`,
# `scan --save-passage-model FILE` and the reports of `query`, each written
# unnamed (O_TMPFILE) and, with no_tmpfile.so preloaded, under a temporary
# name FILE.tmp.PID, which the signal handler has to remove. The signal
# comes right after the file is flushed and before it is renamed into
# place (signal_at_fsync.so). Then each runs again unstopped and writes
# its file. Last, a query removes the temporary names that killed runs
# left in its report directory, and only those.
#
#   test_stop_mid_write.sh FANWEN NO_TMPFILE_SO SIGNAL_AT_FSYNC_SO

set -u
[ $# -eq 3 ] || { echo "usage: $0 FANWEN NO_TMPFILE_SO SIGNAL_AT_FSYNC_SO" >&2; exit 2; }
FANWEN=$1
NO_TMPFILE=$2
AT_FSYNC=$3
W=$(mktemp -d /tmp/fanwen-test-stop-XXXXXX)
trap 'rm -rf "$W"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Six documents, a near copy of the first, and a query document that is the
# second.
python3 - "$W" <<'EOF'
import os, random, sys
w = sys.argv[1]
rng = random.Random(3)
chars = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起"
def para(n):
    return "".join(rng.choice(chars) for _ in range(n))
docs = [para(300) + "\n" + para(200) for _ in range(6)]
os.makedirs(f"{w}/corpus")
os.makedirs(f"{w}/new")
for i, d in enumerate(docs):
    open(f"{w}/corpus/d{i}.txt", "w").write(d)
open(f"{w}/corpus/copy0.txt", "w").write(docs[0][:250] + "发展" + docs[0][252:])
open(f"{w}/new/q.txt", "w").write(docs[1])
EOF
"$FANWEN" index build -q "$W/idx" "$W/corpus" || fail "index build: exit $?"

# run_stopped SIGNAL DIR PRELOAD ARGS...: runs fanwen ARGS with the signal
# raised at its first fsync of a file in DIR; checks the status and that
# DIR is empty.
run_stopped() {
    local sig=$1 dir=$2 preload=$3 signum status
    shift 3
    signum=$(kill -l "$sig")
    mkdir -p "$dir"
    env --default-signal LD_PRELOAD="$AT_FSYNC${preload:+ $preload}" SIGNAL_AT_FSYNC="$signum" \
        SIGNAL_AT_FSYNC_DIR="$dir" "$FANWEN" "$@" >/dev/null 2>&1
    status=$?
    ((status == 128 + signum)) || fail "fanwen $1 stopped by SIG$sig: status $status, not $((128 + signum))"
    [ -z "$(ls -A "$dir")" ] || fail "fanwen $1 stopped by SIG$sig left in $dir: $(ls -A "$dir")"
}

for way in unnamed named; do
    preload=
    [ $way = named ] && preload=$NO_TMPFILE

    run_stopped INT "$W/page" "$preload" explain --html "$W/page/pair.html" \
        "$W/corpus/d0.txt" "$W/corpus/copy0.txt"
    LD_PRELOAD=$preload "$FANWEN" explain --html "$W/page/pair.html" "$W/corpus/d0.txt" \
        "$W/corpus/copy0.txt" >/dev/null || fail "explain --html: exit $?"
    [ "$(ls -A "$W/page")" = pair.html ] || fail "explain --html wrote: $(ls -A "$W/page")"
    tail -c 8 "$W/page/pair.html" | grep -q '</html>' || fail "pair.html is not whole"

    run_stopped TERM "$W/model" "$preload" scan -q -o "$W/r" --save-passage-model \
        "$W/model/site.model" "$W/corpus"
    LD_PRELOAD=$preload "$FANWEN" scan -q -o "$W/r" --save-passage-model "$W/model/site.model" \
        "$W/corpus" || fail "scan --save-passage-model: exit $?"
    [ "$(ls -A "$W/model")" = site.model ] || fail "the model's directory: $(ls -A "$W/model")"
    "$FANWEN" scan -q -o "$W/r2" --passage-model "$W/model/site.model" "$W/corpus" ||
        fail "the saved model does not read back: exit $?"

    run_stopped HUP "$W/q" "$preload" query -q --index "$W/idx" -o "$W/q" "$W/new"
    LD_PRELOAD=$preload "$FANWEN" query -q --index "$W/idx" -o "$W/q" "$W/new" ||
        fail "query: exit $?"
    [ "$(ls -A "$W/q" | tr '\n' ' ')" = "clusters.csv docs.csv pairs.csv reuse.csv spans.csv summary.json " ] ||
        fail "query wrote: $(ls -A "$W/q")"
    grep -q '^d1.txt,q.txt,1.000000\|^q.txt,d1.txt,1.000000' "$W/q/pairs.csv" ||
        fail "query's pairs.csv: $(cat "$W/q/pairs.csv")"
    rm -rf "$W/page" "$W/model" "$W/q" "$W/r" "$W/r2"
    echo "ok: $way: explain --html, --save-passage-model and query reports stopped mid-write"
done

# Names a killed query left: those of a process gone are removed, those
# of a live one (this shell) and other files are kept.
dead=$(sh -c 'echo $$')
mkdir "$W/q"
touch "$W/q/.pairs.csv.tmp.$dead" "$W/q/.summary.json.tmp.$dead" "$W/q/.pairs.csv.tmp.$$" \
    "$W/q/notes.txt"
"$FANWEN" query -q --index "$W/idx" -o "$W/q" "$W/new" || fail "query: exit $?"
[ ! -e "$W/q/.pairs.csv.tmp.$dead" ] && [ ! -e "$W/q/.summary.json.tmp.$dead" ] ||
    fail "a dead query's temporary names stayed: $(ls -A "$W/q")"
[ -e "$W/q/.pairs.csv.tmp.$$" ] && [ -e "$W/q/notes.txt" ] ||
    fail "a live process's name or another file was removed: $(ls -A "$W/q")"
echo "ok: a query removes dead runs' temporary names only"
