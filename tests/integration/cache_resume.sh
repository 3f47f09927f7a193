#!/bin/bash
# Stage-aware reuse and the result cache: strip starts from a copy of a linked
# artifact, a second run builds nothing, a changed source file rebuilds every cell,
# --fresh ignores the cache, --cache-size removes the entries used least recently,
# and an interrupted run --resume'd ends with the same
# results as a run that was never interrupted.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
p=strip,gc,os
"$OUNCE" matrix -q -p $p -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "first run exited $?: $(cat err.txt)"
r="$T/w/results.json"
check_eq "strip from a copy" baseline "$(q '.cells[] | select(.name == "strip") | .reused_from' "$r")"
check_eq "strip not built" false "$(q '.cells[] | select(.name == "strip") | .built' "$r")"
# strip from a copy measures what a full build with strip gives
strip --strip-all -o stripped.ref "$(q '.cells[] | select(.name == "baseline") | .artifact' "$r")"
check_eq "strip bytes" "$(stat -c %s stripped.ref)" \
	"$(q '.cells[] | select(.name == "strip") | .bytes' "$r")"
cells=$(q .cells_total "$r")
built=$(q .builds_run "$r")
check_eq "builds counted" "$(q '[.cells[] | select(.built)] | length' "$r")" "$built"
[ "$built" -lt "$cells" ] || fail "every one of $cells cells was built"
q '[.cells[] | {name, bytes}] | sort_by(.name)' "$r" > first.json

# nothing changed: every cell from the cache, the same numbers
"$OUNCE" matrix -q -p $p -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "second run exited $?: $(cat err.txt)"
check_eq "second run builds" 0 "$(q .builds_run "$r")"
check_eq "second run cache hits" "$cells" "$(q .cache_hits "$r")"
check_eq "cached flags" "$cells" "$(q '[.cells[] | select(.cached)] | length' "$r")"
q '[.cells[] | {name, bytes}] | sort_by(.name)' "$r" > second.json
cmp -s first.json second.json || fail "cached results differ: $(diff first.json second.json)"
# a cached cell's artifact is still there to diff
"$OUNCE" diff -w "$T/w" baseline gc > /dev/null 2>&1 || "$OUNCE" diff \
	"$(q '.cells[] | select(.name == "baseline") | .artifact' "$r")" \
	"$(q '.cells[] | select(.name == "gc") | .artifact' "$r")" > /dev/null \
	|| fail "cannot diff cached artifacts"

# a changed source file invalidates every cell
printf 'int counter_extra(int x)\n{\n\treturn x * 3 + 1;\n}\n' >> "$dir/util.c"
"$OUNCE" matrix -q -p $p -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "run after the change exited $?: $(cat err.txt)"
check_eq "hits after a source change" 0 "$(q .cache_hits "$r")"
check_eq "builds after a source change" "$built" "$(q .builds_run "$r")"

# --fresh reads nothing from the cache
"$OUNCE" matrix -q --fresh -p $p -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "--fresh run exited $?: $(cat err.txt)"
check_eq "hits with --fresh" 0 "$(q .cache_hits "$r")"
check_eq "builds with --fresh" "$built" "$(q .builds_run "$r")"

# --cache-size: the entries of the tree before the change, used least recently,
# go first; this run's stay whatever the limit
keys() { ls "$T/w/cache" | grep '^[0-9a-f]\{32\}$'; }
check_eq "entries of both trees" $((2 * cells)) "$(keys | wc -l)"
sleep 1
"$OUNCE" matrix -p $p -w "$T/w" --cache-size 1 -f json "$dir" > /dev/null 2> err.txt \
	|| fail "--cache-size run exited $?: $(cat err.txt)"
check_eq "hits with --cache-size 1" "$cells" "$(q .cache_hits "$r")"
grep -q "^ounce: cache: $cells entries used least recently removed" err.txt ||
	fail "no prune line: $(cat err.txt)"
check_eq "entries left" "$cells" "$(keys | wc -l)"
for a in $(q '.cells[] | .artifact' "$r"); do
	[ -f "$a" ] || fail "a pruned artifact is still in results.json: $a"
done
"$OUNCE" matrix -p $p -w "$T/w" --cache-size lots "$dir" > /dev/null 2> err.txt
check_eq "--cache-size lots" 2 "$?"
grep -q "^ounce: error: --cache-size needs a size" err.txt || fail "bad size: $(cat err.txt)"

# --no-reuse: every cell built from scratch, nothing from copies
"$OUNCE" matrix -q --no-reuse -p $p -w "$T/nr" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "--no-reuse run exited $?: $(cat err.txt)"
check_eq "builds with --no-reuse" "$(q .cells_total "$T/nr/results.json")" \
	"$(q .builds_run "$T/nr/results.json")"
check_eq "copies with --no-reuse" 0 \
	"$(q '[.cells[] | select(.reused_from)] | length' "$T/nr/results.json")"

# --resume: interrupt while the 'wait' cell waits at its gate
g=$(fixture gate)
# not $T/gate: that is the fixture copy, which would open the gate at once
export GATE="$T/gate-open"
"$OUNCE" matrix -j1 -w "$T/g" -f json "$g" > /dev/null 2> err.txt &
pid=$!
for _ in $(seq 300); do
	[ -e "$GATE.waiting" ] && break
	sleep 0.1
done
[ -e "$GATE.waiting" ] || fail "the gated build never started: $(cat err.txt)"
kill -INT "$pid"
wait "$pid"
check_eq "exit status after SIGINT" 130 "$?"
gr="$T/g/results.json"
check_eq "interrupted run incomplete" false "$(q .complete "$gr")"
check_eq "wait interrupted" interrupted "$(q '.cells[] | select(.name == "wait") | .status' "$gr")"
done_before=$(q '[.cells[] | select(.status == "ok")] | length' "$gr")
[ "$done_before" -ge 2 ] || fail "too few cells finished before the interrupt: $done_before"
builds_before=$(q .builds_run "$gr")
wall_before=$(q .wall_seconds "$gr")
# the interrupted run's table: what it measured, and how far it got
"$OUNCE" table "$gr" > partial.txt || fail "table of the interrupted run"
grep -q "^incomplete: $done_before of [0-9]* cells measured" partial.txt \
	|| fail "no incomplete line: $(cat partial.txt)"
"$OUNCE" pick "$gr" > /dev/null 2> pick_err.txt
grep -q "this run was interrupted ($done_before of" pick_err.txt || fail "pick: $(cat pick_err.txt)"
touch "$GATE"
# from another directory, with nothing but the work directory
(cd / && "$OUNCE" matrix --resume -w "$T/g" > "$T/resumed.txt" 2> "$T/err.txt") \
	|| fail "--resume exited $?: $(cat "$T/err.txt")"
grep -q "resuming: ounce matrix" "$T/err.txt" || fail "no resume line: $(cat "$T/err.txt")"
check_eq "resumed run complete" true "$(q .complete "$gr")"
# the totals are both parts': the finished cells came back from the cache, but they
# were built by the interrupted part, not found in it
check_eq "no cache hit but the run's own cells" 0 "$(q .cache_hits "$gr")"
check_eq "builds of both parts" "$((builds_before + $(q '[.cells[] | select(.built)] | length' "$gr")))" \
	"$(q .builds_run "$gr")"
awk -v a="$(q .wall_seconds "$gr")" -v b="$wall_before" 'BEGIN { exit !(a > b) }' \
	|| fail "wall seconds of both parts: $(q .wall_seconds "$gr") after $wall_before"
check_eq "interrupted cells left" 0 "$(q '[.cells[] | select(.status != "ok")] | length' "$gr")"
# the same results as a run never interrupted
"$OUNCE" matrix -q -j1 -w "$T/g2" -f json "$g" > /dev/null 2> err.txt \
	|| fail "uninterrupted run exited $?: $(cat err.txt)"
q '[.cells[] | {name, bytes, status}] | sort_by(.name)' "$gr" > resumed.json
q '[.cells[] | {name, bytes, status}] | sort_by(.name)' "$T/g2/results.json" > straight.json
cmp -s resumed.json straight.json || fail "resumed results differ: $(diff resumed.json straight.json)"
q '[.rows[] | {cell, group, l: .label}]' "$gr" > resumed_rows.json
q '[.rows[] | {cell, group, l: .label}]' "$T/g2/results.json" > straight_rows.json
cmp -s resumed_rows.json straight_rows.json || fail "resumed rows differ"

# nothing to resume
"$OUNCE" matrix --resume -w "$T/none" > /dev/null 2> err.txt
check_eq "resume without results" 1 "$?"
grep -q "nothing to resume" err.txt || fail "resume error: $(cat err.txt)"
echo ok
