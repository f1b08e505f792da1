#!/bin/bash
# test_staged.sh — the staged scan (fanwen plan / run / task) gives the
# bytes `fanwen scan` gives, whatever the shards and partitions, and its
# tasks are idempotent, redone from scratch after a SIGKILL, and refuse to
# run without their inputs.
#
#   test_staged.sh FANWEN GEN_CORPUS
#
# The corpus: bench's generated one three times over under other ids, cut
# into 9 JSONL files with 18 copies of one document spread over them (a
# bucket paired as a star), one file given twice (the same ids in two
# shards: the scan renames them id#2), the demo corpus's files, an empty file and a path that
# does not exist (an error row). For 1, 2, 3 and 7 shards and 1 and 4
# partitions, every CSV is compared with `cmp` against the scan's, and
# summary.json up to its "stages" (threads masked), and `fanwen run`
# exits 2 as the scan does (an input could not be read; 0 on the kill
# test's corpus, as the scan); the same with
# --no-passages -t 0.5 --template. Then: a finished plan run again does
# nothing and keeps the bytes; planning it with other options is refused
# naming the option; a damaged plan is refused; a damaged band file fails
# its bands task, which leaves nothing; `fanwen status` says what is done; a task run before its inputs fails, names them and
# writes nothing; --out a link to a directory fills the directory; a task
# locked by another process is refused; `fanwen run` stopped by SIGTERM
# stops its tasks; a finish task that cannot put its reports in place
# replaces none of an earlier run's; `fanwen slurm --max-array 3` writes the job arrays in
# chunks, chained on every chunk of the stage before (a fake sbatch); an input changed in place after its sketch task (same
# lengths) fails the gather task, naming it, and no reports are written; and on a larger corpus, every task killed with SIGKILL at
# random moments, and tasks of every stage killed for sure right after
# their first, second or third file is renamed into place (an LD_PRELOAD
# shim, tests/kill_at_rename.c: random kills rarely land in that window),
# then run again, give the same bytes as an undisturbed
# run, file by file (and no other file of the task left), and the reports
# the scan's; the same plan run with 4 threads a task gives the reports of
# the scan with 1.
# FANWEN_TEST_SEED replays the random delays.

set -u
[ $# -eq 3 ] || { echo "usage: $0 FANWEN GEN_CORPUS KILL_AT_RENAME" >&2; exit 2; }
FANWEN=$(realpath "$1")
GEN_CORPUS=$(realpath "$2")
KILL_AT_RENAME=$(realpath "$3") # tests/kill_at_rename.c, an LD_PRELOAD shim
SEED=${FANWEN_TEST_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
echo "seed $SEED (FANWEN_TEST_SEED=$SEED replays these delays)"

W=$(mktemp -d /tmp/fanwen-test-staged-XXXXXX)
trap 'kill -KILL $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

CSVS="pairs.csv clusters.csv docs.csv passages.csv reuse.csv spans.csv substitutions.csv boilerplate.csv"
ROOT=$(cd "$(dirname "$0")/.." && pwd)

cd "$W" || exit 1
"$GEN_CORPUS" gen.jsonl 1 2>/dev/null || fail "gen_corpus"
mkdir in
for c in 1 2 3; do sed "s/^{\"id\":\"/{\"id\":\"c$c-/" gen.jsonl; done >copies.jsonl
split -n l/9 -d --additional-suffix=.jsonl copies.jsonl in/part- || fail split
# 18 more copies of one document across the files: a bucket of more than
# FW_LSH_FULL_BUCKET documents, paired as a star
for k in 0 1 2 3 4 5 6 7 8; do
    head -1 gen.jsonl | sed "s/^{\"id\":\"[^\"]*\"/{\"id\":\"star-$k-a\"/;p;s/-a\"/-b\"/" \
        >>in/part-0$k.jsonl
done
rm gen.jsonl copies.jsonl
cp "$ROOT"/corpus/docs/reports/*.txt in/
: >in/empty.txt
INPUTS=(in/part-0*.jsonl in/part-03.jsonl in/*.txt in/missing.txt)
echo "${#INPUTS[@]} inputs"

# summary.json without its timings and thread count
summary() {
    sed -e '/"stages"/,$d' -e 's/"threads": [0-9]*/"threads": T/' "$1"
}

same_as() { # REF OUT: every report of OUT is REF's
    local f
    for f in $CSVS; do
        [ -f "$1/$f" ] || continue
        cmp "$1/$f" "$2/$f" || fail "$2/$f differs from $1/$f"
    done
    cmp <(summary "$1/summary.json") <(summary "$2/summary.json") ||
        fail "$2/summary.json differs from $1/summary.json"
}

check_options() { # NAME OPTIONS...: scan once, then every layout
    local name=$1 shards parts
    shift
    "$FANWEN" scan -q -j 2 -o "ref-$name" "$@" "${INPUTS[@]}"
    [ $? -eq 2 ] || fail "scan $name: not 2 with a missing input"
    for shards in 1 2 3 7; do
        for parts in 1 4; do
            local work=work-$name-$shards-$parts
            "$FANWEN" plan -q --work $work --shards $shards --partitions $parts \
                -o out-$name-$shards-$parts "$@" "${INPUTS[@]}" || fail "plan $work"
            # 2, as the scan: an input could not be read
            "$FANWEN" run $work --jobs 2 -j 1 2>$work.log
            [ $? -eq 2 ] || { cat $work.log; fail "run $work: not 2 as the scan"; }
            same_as "ref-$name" "out-$name-$shards-$parts"
            echo "ok: $name, $shards shards, $parts partitions"
        done
    done
}

check_options default
[ "$(wc -l <ref-default/pairs.csv)" -gt 20 ] || fail "too few pairs to test with"
grep -q '#2,' ref-default/docs.csv || fail "no renamed id in the corpus"
[ "$(grep -c ',star-' ref-default/clusters.csv)" -ge 17 ] || fail "no large bucket in the corpus"
check_options other --no-passages -t 0.5 --template

# --out a symbolic link to a directory: the reports go into the directory,
# as the scan's do (the finish task's rename() refused to replace a link)
mkdir linked
ln -s linked link
"$FANWEN" plan -q --work work-link --shards 2 --partitions 2 -o link "${INPUTS[@]}" ||
    fail "plan with --out a link"
"$FANWEN" run work-link --jobs 2 2>/dev/null
[ $? -eq 2 ] || fail "run with --out a link: not 2 as the scan"
[ -L link ] || fail "the link was replaced"
for f in $CSVS; do cmp ref-default/$f linked/$f || fail "linked/$f differs"; done
# a task being run by another process is not run again beside it (its
# start would clear the other's files): refused, and nothing touched
files=$(find work-link/sketch -type f -printf '%p %s %T@\n' | sort)
if flock work-link/locks/sketch.0 "$FANWEN" task work-link sketch 0 2>locked.log; then
    fail "a task ran beside another copy of it"
fi
grep -q "task sketch 0 is being run by another process" locked.log || { cat locked.log; fail "lock"; }
[ "$files" = "$(find work-link/sketch -type f -printf '%p %s %T@\n' | sort)" ] ||
    fail "a refused task touched the other's files"

# -------------------------------------------------- idempotence, refusals
before=$(find work-default-3-4 out-default-3-4 -type f -printf '%p %T@\n' | sort)
"$FANWEN" run work-default-3-4 --jobs 2 2>again.log
[ $? -eq 2 ] || fail "second run: not 2 as the first"
"$FANWEN" task work-default-3-4 finish 2>/dev/null
[ $? -eq 2 ] || fail "a finish task done already: not 2 as the scan"
[ "$(grep -c 'was done already' again.log)" -eq 16 ] || { cat again.log; fail "tasks redone"; }
after=$(find work-default-3-4 out-default-3-4 -type f -printf '%p %T@\n' | sort)
[ "$before" = "$after" ] || fail "a finished run touched files"
"$FANWEN" plan -q --work work-default-3-4 --shards 3 --partitions 4 -o out-default-3-4 \
    "${INPUTS[@]}" || fail "planning again with the same options"
if "$FANWEN" plan -q --work work-default-3-4 --shards 3 --partitions 4 -o out-default-3-4 \
    -t 0.7 "${INPUTS[@]}" 2>replan.log; then fail "replanned with other options"; fi
grep -q "option threshold 0.80000000000000004', not 'option threshold 0.69999999999999996" \
    replan.log || { cat replan.log; fail "the refusal does not say which option"; }
cp -r work-default-3-4 damaged
sed -i 's/^version .*/version 0.0.1/' damaged/plan
if "$FANWEN" task damaged rank 2>damaged.log; then fail "ran a damaged plan"; fi
grep -q "damaged" damaged.log || { cat damaged.log; fail "a damaged plan not said so"; }

"$FANWEN" status work-default-3-4 >status.log || { cat status.log; fail "status: not all done"; }
grep -q "^gather  3/3 done$" status.log || { cat status.log; fail "status"; }

# the finish task puts its reports in place as a set: with a report
# directory holding an earlier run's files and, where docs.csv goes, a
# directory, it fails before replacing any (every old file as it was, no
# finish file left in W); with that directory gone it replaces them all
cp -r work-default-3-4 refin
rm refin/finish/0.done
for f in $CSVS summary.json; do echo "an earlier run" >out-default-3-4/$f; done
rm out-default-3-4/docs.csv
mkdir out-default-3-4/docs.csv && : >out-default-3-4/docs.csv/x
if "$FANWEN" task refin finish 2>refin.log; then fail "finish replaced a directory"; fi
grep -q "out-default-3-4/docs.csv is not a report file: no report replaced" refin.log ||
    { cat refin.log; fail "finish: no reason"; }
for f in $CSVS summary.json; do
    [ "$f" = docs.csv ] || [ "$(cat out-default-3-4/$f)" = "an earlier run" ] ||
        fail "a failed finish replaced $f"
done
[ -z "$(ls refin/finish)" ] || fail "a failed finish left $(ls refin/finish)"
rm -r out-default-3-4/docs.csv
"$FANWEN" task refin finish 2>refin.log
[ $? -eq 2 ] || { cat refin.log; fail "finish over earlier reports"; }
same_as ref-default out-default-3-4
[ -z "$(ls -A out-default-3-4 | grep -v '\.csv$\|^summary\.json$')" ] ||
    fail "finish left $(ls -A out-default-3-4)"

# a band file with a flipped byte: the bands task fails, saying so, and
# leaves nothing; `fanwen run` stops there
cp -r work-default-3-4 flipped
rm flipped/bands/0.done flipped/bands/0.v*.pairs
f=flipped/sketch/1.p0.bands
printf 'X' | dd of=$f bs=1 seek=100 conv=notrunc status=none
if "$FANWEN" run flipped 2>flipped.log; then fail "run with a damaged band file"; fi
grep -q "bands 0: a band file failed its check" flipped.log || { cat flipped.log; fail "no reason"; }
[ -z "$(ls flipped/bands | grep '^0\.')" ] || fail "the failed bands task left files"
"$FANWEN" status flipped >status.log && fail "status: all done with a failed task"
grep -q "^bands   3/4 done (first to do: 0)$" status.log || { cat status.log; fail "status"; }

# ---------------------------------------------------------- missing inputs
"$FANWEN" plan -q --work fresh --shards 3 --partitions 4 -o out-fresh "${INPUTS[@]}" || fail plan
for task in "rank 0" "bands 2" "verify 1" "finish 0"; do
    if "$FANWEN" task fresh $task 2>missing.log; then fail "task $task ran without inputs"; fi
    grep -q "needs sketch task 0, which has not finished" missing.log ||
        { cat missing.log; fail "task $task: no clear message"; }
done
"$FANWEN" task fresh sketch 0 2>/dev/null && "$FANWEN" task fresh sketch 1 2>/dev/null &&
    "$FANWEN" task fresh sketch 2 2>/dev/null || fail "sketch tasks"
if "$FANWEN" task fresh verify 1 2>missing.log; then fail "verify ran without ranks"; fi
grep -q "needs rank task 0, which has not finished" missing.log || { cat missing.log; fail "verify"; }
left=$(find fresh/rank fresh/bands fresh/verify fresh/finish -type f)
[ -z "$left" ] || fail "a task without its inputs left files: $left"
[ ! -e out-fresh ] || fail "finish without inputs wrote reports"
if "$FANWEN" task fresh bands 2>/dev/null; then fail "bands without an index ran"; fi
if "$FANWEN" task fresh bands 4 2>/dev/null; then fail "bands 4 of 4 ran"; fi
SLURM_ARRAY_TASK_ID=1 "$FANWEN" task fresh sketch 2>env.log || fail "index from Slurm"
grep -q "sketch 1 was done already" env.log || { cat env.log; fail "SLURM_ARRAY_TASK_ID"; }

# ------------------------------------------------------ the Slurm scripts
# (no Slurm needed) 3 shards and 4 partitions in arrays of at most 3: each
# stage's chunks' ranges, the task each index runs, and submit.sh run with
# a fake sbatch that notes its arguments and answers job ids 101, 102...:
# every job after the first stage depends (afterok) on every chunk of the
# stage before, with --kill-on-invalid-dep=yes
"$FANWEN" slurm fresh --max-array 3 2>/dev/null || fail "fanwen slurm"
arrays=$(cd fresh/slurm && grep -H '^#SBATCH --array=' *.sbatch | sed 's/:#SBATCH --array=/ /' |
    sort | tr '\n' ' ')
[ "$arrays" = "bands.1.sbatch 0-0 bands.sbatch 0-2 finish.sbatch 0-0 gather.sbatch 0-2 rank.sbatch 0-0 sketch.sbatch 0-2 verify.1.sbatch 0-0 verify.sbatch 0-2 " ] ||
    fail "slurm arrays: $arrays"
grep -qF 'bands "$((3 + SLURM_ARRAY_TASK_ID))"' fresh/slurm/bands.1.sbatch ||
    { cat fresh/slurm/bands.1.sbatch; fail "bands.1.sbatch does not run from task 3"; }
grep -qF 'bands "$((0 + SLURM_ARRAY_TASK_ID))"' fresh/slurm/bands.sbatch ||
    { cat fresh/slurm/bands.sbatch; fail "bands.sbatch does not run from task 0"; }
grep -q '^#SBATCH --output=.*/bands-3+%a\.log$' fresh/slurm/bands.1.sbatch || fail "chunk log name"
mkdir fakebin
printf '%s\n' '#!/bin/sh' \
    'n=$(( $(cat "$SBATCH_NOTES" 2>/dev/null | wc -l) + 101 ))' \
    'echo "$n $*" >>"$SBATCH_NOTES"' 'echo "$n;cluster"' >fakebin/sbatch
chmod +x fakebin/sbatch
ids=$(PATH=$PWD/fakebin:$PATH SBATCH_NOTES=$PWD/sbatch.notes sh fresh/slurm/submit.sh 2>/dev/null) ||
    fail "submit.sh with a fake sbatch"
[ "$ids" = "101 102 103 104 105 106 107 108" ] || fail "submit.sh printed '$ids'"
sed "s|$PWD/fresh/slurm/||" sbatch.notes >sbatch.got
printf '%s\n' \
    '101 --parsable sketch.sbatch' \
    '102 --parsable --dependency=afterok:101 --kill-on-invalid-dep=yes rank.sbatch' \
    '103 --parsable --dependency=afterok:102 --kill-on-invalid-dep=yes bands.sbatch' \
    '104 --parsable --dependency=afterok:102 --kill-on-invalid-dep=yes bands.1.sbatch' \
    '105 --parsable --dependency=afterok:103:104 --kill-on-invalid-dep=yes gather.sbatch' \
    '106 --parsable --dependency=afterok:105 --kill-on-invalid-dep=yes verify.sbatch' \
    '107 --parsable --dependency=afterok:105 --kill-on-invalid-dep=yes verify.1.sbatch' \
    '108 --parsable --dependency=afterok:106:107 --kill-on-invalid-dep=yes finish.sbatch' \
    >sbatch.want
diff sbatch.want sbatch.got || fail "submit.sh's sbatch calls"

# ------------------------------------------------------ a changed input
# sketched, then the first document's text reversed in place (the same id,
# bytes and characters): the run fails at gather naming the input and the
# document, and writes no reports
mkdir chg
cp in/part-01.jsonl chg/
"$FANWEN" plan -q --work changed --shards 1 --partitions 1 -o out-changed chg/part-01.jsonl ||
    fail "plan changed"
"$FANWEN" task changed sketch 0 2>/dev/null || fail "sketch changed"
first_id=$(head -1 chg/part-01.jsonl | sed 's/^{"id":"\([^"]*\)".*/\1/')
size=$(stat -c %s chg/part-01.jsonl)
perl -CSD -i -pe 's/("text":")([^"\\]*)/$1.reverse($2)/e if $. == 1' chg/part-01.jsonl
[ "$(stat -c %s chg/part-01.jsonl)" = "$size" ] || fail "the change altered the length"
if "$FANWEN" run changed -j 1 2>changed.log; then fail "ran with a changed input"; fi
grep -qF "chg/part-01.jsonl changed since its sketch task (document $first_id)" changed.log ||
    { cat changed.log; fail "a changed input not said so"; }
[ ! -e out-changed ] || fail "a run with a changed input wrote reports"
[ -z "$(find changed/gather changed/verify changed/finish -type f 2>/dev/null)" ] ||
    fail "a gather task of a changed input left files"

# ------------------------------------------------------------------ kills
# A larger corpus in 3 shards and 4 partitions, run undisturbed once (each
# task's time noted); then the same plan text in another work directory
# (so the same hash in every file), every task killed twice at a random
# moment within its time and run again: its files must be the undisturbed
# ones byte for byte, with no temporary file left.
"$GEN_CORPUS" big.jsonl 24 2>/dev/null || fail "gen_corpus 24"
for c in 1 2; do sed "s/^{\"id\":\"/{\"id\":\"c$c-/" big.jsonl; done >big2.jsonl
split -n l/3 -d --additional-suffix=.jsonl big2.jsonl big- || fail split
rm big.jsonl big2.jsonl
"$FANWEN" scan -q -j 1 -o ref-big big-*.jsonl || fail "scan big" # 0: every input read
for w in undisturbed killed; do
    "$FANWEN" plan -q --work $w --shards 3 --partitions 4 -o out-big big-*.jsonl || fail plan
done
"$FANWEN" run undisturbed -j 1 2>undisturbed.log || fail "run undisturbed: not 0 as the scan"
# the tasks with 4 threads each (2 at once) against the scan's 1 thread
"$FANWEN" plan -q --work threads4 --shards 3 --partitions 4 -o out-threads4 big-*.jsonl ||
    fail "plan threads4"
"$FANWEN" run threads4 --jobs 2 -j 4 2>threads4.log || { cat threads4.log; fail "run -j 4"; }
same_as ref-big out-threads4
# `fanwen run` stopped by SIGTERM stops its tasks and waits for them (they
# went on writing, orphaned, beside a run started again): none is left,
# and a run started again finishes with the scan's bytes
"$FANWEN" plan -q --work stopped --shards 3 --partitions 4 -o out-stopped big-*.jsonl ||
    fail "plan stopped"
"$FANWEN" run stopped --jobs 2 -j 1 2>stopped.log &
run_pid=$!
sleep 0.3
kill -TERM $run_pid
wait $run_pid
status=$?
if ((status == 143)); then
    pgrep -f "task stopped (sketch|rank|bands|gather|verify|finish) " >/dev/null &&
        fail "tasks left running after their run stopped"
    grep -q "stopped by signal 15; its tasks stopped too" stopped.log || { cat stopped.log; fail "stop"; }
else
    echo "note: the run ended ($status) before the signal"
fi
"$FANWEN" run stopped --jobs 2 -j 1 2>/dev/null || fail "run again after a stop"
same_as ref-big out-stopped
kills=0 landed=0 partial=0
for stage in sketch rank bands gather verify finish; do
    case $stage in sketch|gather) n=3 ;; bands|verify) n=4 ;; *) n=1 ;; esac
    for i in $(seq 0 $((n - 1))); do
        t=$(sed -n "s/^fanwen task: $stage $i done in \([0-9.]*\) s/\1/p" undisturbed.log)
        for round in 1 2; do
            "$FANWEN" task killed $stage $i -j 1 2>/dev/null &
            pid=$!
            sleep "$(awk -v r=$RANDOM -v t="$t" 'BEGIN { printf "%.3f", t * r / 32767 }')"
            kill -KILL $pid 2>/dev/null
            wait $pid 2>/dev/null
            status=$?
            ((status == 137 || status == 0)) || fail "$stage $i: status $status"
            if ((status == 137)); then
                landed=$((landed + 1))
                # files of the task there but no done marker: killed mid-work
                [ -e killed/$stage/$i.done ] || [ -z "$(ls killed/$stage/ | grep "^$i\.")" ] ||
                    partial=$((partial + 1))
            fi
            kills=$((kills + 1))
        done
        "$FANWEN" task killed $stage $i -j 1 2>/dev/null || fail "$stage $i after kills"
        for f in undisturbed/$stage/$i.*; do
            cmp "$f" "killed/$stage/$(basename "$f")" || fail "$stage $i: $(basename "$f") differs"
        done
        # and no file of the task beyond the undisturbed run's
        [ "$(ls undisturbed/$stage | grep "^$i\.")" = "$(ls killed/$stage | grep "^$i\.")" ] ||
            fail "$stage $i: files beyond the undisturbed run's: $(ls killed/$stage)"
        [ -z "$(find killed -name '*.tmp.*')" ] || fail "left: $(find killed -name '*.tmp.*')"
    done
done
# and killed for sure half-way through writing: right after its Nth file
# is renamed into place (the shim; the done marker is a task's last
# rename), so some of its files are there and no done marker; run again,
# the same bytes
for kill_at in "sketch 0 1" "sketch 0 3" "sketch 2 2" "bands 1 1" "bands 1 2" "gather 0 1" \
    "verify 0 1" "finish 0 1"; do
    set -- $kill_at
    at=$3
    {
        rm -f killed/$1/$2.done
        LD_PRELOAD=$KILL_AT_RENAME KILL_AT_RENAME=$at "$FANWEN" task killed $1 $2 -j 1 2>/dev/null &
        wait $! 2>/dev/null
        status=$?
        ((status == 137)) || fail "$1 $2: not killed at rename $at (status $status)"
        [ ! -e killed/$1/$2.done ] || fail "$1 $2: a done marker after a kill"
        if [ -n "$(ls killed/$1 | grep "^$2\.")" ] || [ $1 = finish ]; then
            partial=$((partial + 1))
        fi
        kills=$((kills + 1))
        "$FANWEN" task killed $1 $2 -j 1 2>/dev/null || fail "$1 $2 after a kill at rename $at"
        for f in undisturbed/$1/$2.*; do
            cmp "$f" "killed/$1/$(basename "$f")" || fail "$1 $2: $(basename "$f") differs"
        done
        [ "$(ls undisturbed/$1 | grep "^$2\.")" = "$(ls killed/$1 | grep "^$2\.")" ] ||
            fail "$1 $2: files beyond the undisturbed run's: $(ls killed/$1)"
        [ -z "$(find killed -name '*.tmp.*')" ] || fail "left: $(find killed -name '*.tmp.*')"
    }
done
same_as ref-big out-big

echo "ok: $kills kills, $landed before the task ended, $partial leaving part of its files; every task's files the same"
((partial >= 8)) || fail "too few kills cut a task short ($partial)"
echo PASS
