#!/bin/bash
# test_crash.sh — `fanwen scan` killed with SIGKILL at any moment leaves its
# report directory with complete reports only.
#
#   test_crash.sh FANWEN GEN_CORPUS NO_TMPFILE_SO
#
# After a reference run, scans into one directory are killed, half after a
# random delay before the report stage, half at a random moment while
# reports are written (passages.csv is tens of MB). After every kill: each CSV there
# is byte-identical to the reference's, summary.json is whole and says what
# the reference's says, and nothing else is there but the test's own files
# and temporary names .NAME.tmp.PID of killed runs, which the next run to
# write reports must remove, leaving the test's own files alone (a name of
# a live process, names that are not fanwen's). Every other run has
# no_tmpfile.so preloaded, so that reports are written under their
# temporary name and killed runs do leave such names. At least 20 kills,
# more until three have landed between two reports' renames and one has
# left a temporary name that a later run removed; then a run to completion
# must give the reference's CSVs and no temporary name.
# FANWEN_TEST_ITERATIONS sets the least number of kills (default 20).

. "$(dirname "$0")/interrupt_common.sh"

make_corpus 5 3
reference

out=$W/out
mkdir "$out"
dead=$(($(cat /proc/sys/kernel/pid_max) + 1)) # no process has this id
keep=(notes.txt ".pairs.csv.tmp.$$" ".summary.json.tmp.${dead}x" ".other.csv.tmp.$dead")
for f in "${keep[@]}"; do echo "not fanwen's to remove" >"$out/$f"; done
touch "$out/.pairs.csv.tmp.$dead" "$out/.passages.csv.tmp.$dead" "$out/.spans.csv.tmp.$dead" # a killed run's

declare -A stale # temporary name → the id of the process that left it
stale[.pairs.csv.tmp.$dead]=$dead
stale[.passages.csv.tmp.$dead]=$dead
stale[.spans.csv.tmp.$dead]=$dead
iterations=${FANWEN_TEST_ITERATIONS:-20}
i=0 mid_report=0 left=0 removed=0 completed=0
while ((i < iterations || ((mid_report < 3 || removed < 1) && i < 2 * iterations))); do
    if ((i / 2 % 2)); then preload=$NO_TMPFILE way=named; else preload= way=unnamed; fi
    before=$(inodes "$out")

    start_fanwen "$preload" scan -q -o "$out" "$W/corpus.jsonl"
    pid=$PID
    if ((i % 2)); then
        wait_for_reports "$out"
        stage=report
    else
        sleep "$(random_delay 0.05 "$T_REPORT")"
        stage=
    fi
    signal_and_wait KILL $pid
    status=$STATUS
    i=$((i + 1))
    ((status == 137 || status == 0)) || fail "kill $i: status $status"
    ((status == 0)) && completed=$((completed + 1))

    temps=$(check_dir "$out" 1 "${keep[@]}") || exit 1
    temps=${temps//$'\n'/ }
    replaced=$(replaced_count "$before" "$(inodes "$out")")
    ((status == 137 && replaced > 0 && replaced < $(wc -w <<< "$REPORTS"))) && mid_report=$((mid_report + 1))
    new=0
    for name in $temps; do
        [[ $name =~ $TEMP_NAME ]]
        owner=${BASH_REMATCH[2]}
        if [ -n "${stale[$name]:-}" ]; then
            ((replaced == 0)) || fail "kill $i: $name, left by process $owner, outlived a run that wrote reports"
        elif ((owner == pid)); then
            stale[$name]=$pid
            new=$((new + 1))
        else
            fail "kill $i: $name is not the killed run's nor an earlier killed run's"
        fi
    done
    for name in "${!stale[@]}"; do
        if ((stale[$name] != pid)) && [[ " $temps " != *" $name "* ]]; then
            ((stale[$name] == dead)) || removed=$((removed + 1))
            unset "stale[$name]"
        fi
    done
    left=$((left + new))
    [ -n "$stage" ] || stage="~$(stage_at "$AT")"
    printf 'kill %2d after %s s (%s; reports %s): %d reports replaced, %d temporary names left, %d waiting\n' \
        $i "$AT" "$stage" $way "$replaced" $new ${#stale[@]}
done
((mid_report >= 3)) || fail "only $mid_report of $i kills landed between two reports' renames"
((removed >= 1)) || fail "no run removed a temporary name a killed run of the test left"

"$FANWEN" scan -q -o "$out" "$W/corpus.jsonl" || fail "the last run: exit $?"
check_dir "$out" 0 "${keep[@]}" >/dev/null
for f in $REPORTS; do [ -f "$out/$f" ] || fail "the last run did not write $f"; done
for f in "${keep[@]}"; do [ -f "$out/$f" ] || fail "a run removed $f"; done
echo "ok: $i kills ($completed too late), $mid_report between two reports' renames;" \
     "$left temporary names left by killed runs, $removed removed by later runs (and 3 planted)"
