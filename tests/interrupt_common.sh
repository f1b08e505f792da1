# interrupt_common.sh — sourced by test_signals.sh and test_crash.sh, which
# stop `fanwen scan` in the middle: a generated corpus that takes about a
# second to scan, a reference run with its stage times, and the check that
# a report directory holds complete reports only.
#
# The scripts' arguments: FANWEN GEN_CORPUS NO_TMPFILE_SO. FANWEN_TEST_SEED
# replays a run's random delays (each script prints its seed).

set -u
[ $# -eq 3 ] || { echo "usage: $0 FANWEN GEN_CORPUS NO_TMPFILE_SO" >&2; exit 2; }
FANWEN=$1
GEN_CORPUS=$2
NO_TMPFILE=$3
SEED=${FANWEN_TEST_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
echo "seed $SEED (FANWEN_TEST_SEED=$SEED replays these delays)"

REPORTS="pairs.csv clusters.csv docs.csv passages.csv reuse.csv spans.csv substitutions.csv boilerplate.csv summary.json"
TEMP_NAME='^\.(pairs\.csv|clusters\.csv|docs\.csv|passages\.csv|reuse\.csv|spans\.csv|substitutions\.csv|boilerplate\.csv|summary\.json)\.tmp\.([0-9]+)$'

W=$(mktemp -d /tmp/fanwen-test-interrupt-XXXXXX)
cleanup() {
    local pids
    pids=$(jobs -p)
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Sleeps $1 seconds without starting a process (polls run every few ms):
# a read that times out on a pipe nobody writes to.
exec {NAP_FD}<> <(:)
nap() {
    read -r -t "$1" -u "$NAP_FD" _ || true
}

now_us() {
    local t=$EPOCHREALTIME
    echo "${t/./}"
}

# A random number of seconds in [lo, hi], three decimals.
random_delay() {
    awk -v lo="$1" -v hi="$2" -v r=$RANDOM 'BEGIN { printf "%.3f", lo + (hi - lo) * r / 32767 }'
}

# $W/corpus.jsonl: bench's generated corpus of MB megabytes, COPIES times
# over under different ids, so that every passage has copies and the reports
# take a good share of the run (passages.csv alone is tens of MB).
make_corpus() {
    local mb=$1 copies=$2 c
    "$GEN_CORPUS" "$W/gen.jsonl" "$mb" 2>/dev/null || fail "gen_corpus $mb"
    : >"$W/corpus.jsonl"
    for c in $(seq 1 "$copies"); do
        sed "s/^{\"id\":\"/{\"id\":\"c$c-/" "$W/gen.jsonl" >>"$W/corpus.jsonl"
    done
    rm "$W/gen.jsonl"
}

# A complete run into $W/ref with options "$@", timed on its second go
# (the first warms the page cache). Sets T_RUN (its seconds), T_REPORT (when
# report writing started), T_SKETCH and T_MATCHED (when reading and
# sketching, then the passage level ended; LSH, verification and
# clustering come between T_MATCHED and T_REPORT), and REPORT_S, the
# shorter report time of the two goes.
reference() {
    local t0 t1 round first_report=
    for round in 1 2; do
        t0=$(now_us)
        "$FANWEN" scan -q -o "$W/ref" "$@" "$W/corpus.jsonl" || fail "reference run: exit $?"
        t1=$(now_us)
        [ -n "$first_report" ] || first_report=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["stages"]["report"]["seconds"])' "$W/ref/summary.json")
    done
    read -r T_RUN T_REPORT T_SKETCH T_MATCHED REPORT_S < <(python3 - "$W/ref/summary.json" \
        $((t1 - t0)) "$first_report" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["stages"]
run = int(sys.argv[2]) / 1e6
report = run - s["report"]["seconds"]
middle = s["lsh"]["seconds"] + s["verify"]["seconds"] + s["cluster"]["seconds"]
shortest = min(s["report"]["seconds"], float(sys.argv[3]))
print("%.3f %.3f %.3f %.3f %.3f" % (run, report, s["sketch"]["seconds"], report - middle,
                                    shortest))
EOF
    )
    echo "reference run: $T_RUN s; reports written from $T_REPORT s, in $REPORT_S s at best;" \
         "$(du -sh "$W/ref" | cut -f1) of reports"
}

# Which stage a run is in after `t` seconds, by the reference's times.
stage_at() {
    awk -v t="$1" -v s="$T_SKETCH" -v m="$T_MATCHED" -v r="$T_REPORT" -v e="$T_RUN" 'BEGIN {
        stage = t < s ? "read+sketch" : t < m ? "passages" : t < r ? "lsh/verify/cluster" : "report"
        print t < e ? stage : "done" }'
}

# Starts `fanwen "${@:2}"` in the background with LD_PRELOAD=$1; its id in
# PID, its start in START_US. Every signal starts with its default action (a
# script's background jobs would ignore SIGINT, which fanwen leaves ignored).
start_fanwen() {
    touch "$W/stamp"
    START_US=$(now_us)
    env --default-signal LD_PRELOAD="$1" "$FANWEN" "${@:2}" &
    PID=$!
}

# Whether DIR or a file in it changed since the scan started.
changed() {
    local f
    for f in "$1" "$1"/* "$1"/.[!.]*; do
        [[ -e $f && $f -nt $W/stamp ]] && return 0
    done
    return 1
}

# Waits until the scan $PID starts writing its reports into DIR, then for a
# random time under half the reference's report time. Returns 1 if the scan
# ended first.
wait_for_reports() {
    while kill -0 "$PID" 2>/dev/null; do
        if changed "$1"; then
            nap "$(random_delay 0 "$(awk -v r="$REPORT_S" 'BEGIN { print r / 2 }')")"
            return 0
        fi
        nap 0.005
    done
    return 1
}

# Sends signal $1 to process $2 and waits for it; its status in STATUS, the
# seconds from its start to the signal in AT, from signal to exit in
# GONE_US microseconds. (Quietly: bash would report a signal's end, and a
# signal to a process already gone.)
signal_and_wait() {
    local t0 t1
    t0=$(now_us)
    kill -s "$1" "$2" 2>/dev/null
    { wait "$2"; STATUS=$?; } 2>/dev/null
    t1=$(now_us)
    GONE_US=$((t1 - t0))
    AT=$(awk -v us=$((t0 - START_US)) 'BEGIN { printf "%.3f", us / 1e6 }')
}

# A report as complete as the reference's: a CSV byte-identical to it,
# summary.json whole JSON ending in "}\n" and saying what the reference's
# says (the stage timings apart).
check_report() {
    local f=$1 name=${1##*/}
    if [ "$name" != summary.json ]; then
        cmp -s "$f" "$W/ref/$name" || fail "$f is not the reference's $name"
        return
    fi
    [ "$(tail -c 2 "$f" | od -An -tx1 | tr -d ' \n')" = 7d0a ] ||
        fail "$f does not end with '}' and a newline"
    python3 - "$f" "$W/ref/summary.json" <<'EOF' || fail "$f is not whole or not the reference's"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
a.pop("stages"), b.pop("stages")
a.pop("memory"), b.pop("memory")  # differs with --memory-limit, by design
sys.exit(a != b)
EOF
}

# check_dir DIR ALLOW_TEMP [KEEP...]: DIR (if it exists) holds complete
# reports, the files KEEP, and, when ALLOW_TEMP is 1, temporary report names
# .NAME.tmp.PID, which are printed; anything else fails.
check_dir() {
    local dir=$1 allow_temp=$2 name
    shift 2
    [ -d "$dir" ] || return 0
    while IFS= read -r name; do
        if [[ " $REPORTS " == *" $name "* ]]; then
            check_report "$dir/$name"
        elif [[ " $* " == *" $name "* ]]; then
            :
        elif [[ $allow_temp == 1 && $name =~ $TEMP_NAME ]]; then
            echo "$name"
        else
            fail "$dir holds $name"
        fi
    done < <(ls -A "$dir")
}

# "name:inode" of each report in DIR, to tell which ones a run replaced.
inodes() {
    local name
    for name in $REPORTS; do
        [ -e "$1/$name" ] && echo "$name:$(stat -c %i "$1/$name")"
    done
    return 0
}

# How many reports of the listing $2 are new or replaced against $1.
replaced_count() {
    comm -13 <(echo "$1" | sort) <(echo "$2" | sort) | grep -c . || true
}
