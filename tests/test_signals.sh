#!/bin/bash
# test_signals.sh — SIGINT, SIGTERM and SIGHUP stop `fanwen scan` within a
# second whatever stage it is in, with status 130, 143 and 129 (128 + the
# signal), leaving no temporary file in the report directory nor in the
# --tmp-dir directory.
#
#   test_signals.sh FANWEN GEN_CORPUS NO_TMPFILE_SO
#
# Each iteration starts a scan of a generated corpus (about a second) and
# signals it: every other time after a random delay of 0.1–1.5 s (reading,
# sketching, matching passages; one time in two with --memory-limit 64M
# and --tmp-dir, which spill to files), every other time while it writes
# its reports (a random delay after the report directory changes). Then it checks the status, the
# time from signal to exit, and the directories: nothing but complete
# reports, byte-identical to the reference's, may be in the report
# directory, nothing in --tmp-dir. Every other scan of each kind runs with
# no_tmpfile.so preloaded, so that reports are written under a temporary
# name, which the signal handler has to remove (and spill files are named,
# then unlinked at once). Every other scan writes into a directory holding
# a complete earlier run. More iterations run until two signals
# have landed between two reports' renames. Last, a SIGHUP ignored by the
# parent (nohup) stays ignored. FANWEN_TEST_ITERATIONS sets the number of
# iterations (default 8).

. "$(dirname "$0")/interrupt_common.sh"

SPILL=$W/spill
mkdir "$SPILL"

make_corpus 5 3
reference

signals=(INT TERM HUP INT TERM INT)
iterations=${FANWEN_TEST_ITERATIONS:-8}
max_us=0 in_reports=0 i=0 early=0
while ((i < iterations || (in_reports < 2 && i < 3 * iterations))); do
    sig=${signals[i % ${#signals[@]}]}
    signum=$(kill -l "$sig")
    preload= way=unnamed
    ((i % 4 == 1 || i % 4 == 2)) && preload=$NO_TMPFILE way=named
    out=$W/out$i
    ((i % 4 < 2)) && cp -a "$W/ref" "$out"
    before=$(inodes "$out")

    if ((i % 2)); then
        start_fanwen "$preload" scan -q -o "$out" "$W/corpus.jsonl"
        wait_for_reports "$out"
        stage=report
    elif ((i % 4 == 2)); then
        start_fanwen "$preload" scan -q -o "$out" --memory-limit 64M --tmp-dir "$SPILL" \
            "$W/corpus.jsonl"
        sleep "$(random_delay 0.1 1.5)"
        stage="before reports, --memory-limit"
    else
        start_fanwen "$preload" scan -q -o "$out" "$W/corpus.jsonl"
        sleep "$(random_delay 0.1 1.5)"
        stage=
    fi
    signal_and_wait "$sig" $PID
    i=$((i + 1))
    if ((STATUS == 0)); then # it ended before the signal: check, try again
        echo "SIG$sig after $AT s: the scan had ended"
        early=$((early + 1))
        ((early < 10)) || fail "10 scans ended before their signal"
        check_dir "$out" 0 >/dev/null
        rm -rf "$out"
        continue
    fi
    replaced=$(replaced_count "$before" "$(inodes "$out")")
    if ((replaced > 0 && replaced < $(wc -w <<< "$REPORTS"))); then in_reports=$((in_reports + 1)); fi
    [ -n "$stage" ] || stage="~$(stage_at "$AT")"
    printf 'SIG%-4s after %s s (%s; reports %s): status %d, gone %d ms later, %d reports replaced\n' \
        "$sig" "$AT" "$stage" $way $STATUS $((GONE_US / 1000)) "$replaced"
    ((STATUS == 128 + signum)) || fail "SIG$sig: status $STATUS, not $((128 + signum))"
    ((GONE_US < 1000000)) || fail "SIG$sig: the process took $GONE_US us to go"
    ((GONE_US < max_us)) || max_us=$GONE_US
    check_dir "$out" 0 >/dev/null
    [ -z "$(ls -A "$SPILL")" ] || fail "SIG$sig left files in --tmp-dir: $(ls -A "$SPILL")"
    rm -rf "$out"
done
((in_reports >= 2)) || fail "only $in_reports of $i signals landed between two reports' renames"

# A signal ignored when fanwen starts stays ignored (nohup).
START_US=$(now_us)
(trap '' HUP && exec "$FANWEN" scan -q -o "$W/nohup" "$W/corpus.jsonl") &
sleep 0.3
signal_and_wait HUP $!
((STATUS == 0)) || fail "an ignored SIGHUP: status $STATUS"
check_dir "$W/nohup" 0 >/dev/null
for f in $REPORTS; do [ -f "$W/nohup/$f" ] || fail "an ignored SIGHUP: no $f"; done

echo "ok: $i signals, $in_reports between two reports' renames; longest from signal to exit:" \
     "$((max_us / 1000)) ms"
