#!/bin/bash
# --bench: the workload runs on every cell, instructions counted (callgrind where
# perf has no hardware counter, as on most VMs); a cached run measures only (no
# build) and counts the same; pick --max-slowdown leaves out the -Os cell, whose
# hot loop is not vectorised; table --pareto lists exactly the size/speed front.
. "$(dirname "$0")/lib.sh"

dir=$(fixture hotloop)
res="$T/work/results.json"
bench=(--bench-count instructions --bench-repeat 2 --no-verify -s each -w "$T/work")

# bad values: one line, exit 2, before anything is built
for bad in "--bench-repeat 0" "--bench-count cycles" "--max-slowdown abc"; do
	# shellcheck disable=SC2086
	"$OUNCE" matrix $bad -p os -w "$T/bad" "$dir" > /dev/null 2> err.txt
	check_eq "exit status of matrix $bad" 2 $?
	check_eq "lines said for $bad" 1 "$(wc -l < err.txt)"
done
[ ! -e "$T/bad/cells" ] || fail "a bad option still built cells"
cp -a "$dir" "$T/nobench" && sed -i '/^bench = /d' "$T/nobench/ounce.ini"
"$OUNCE" matrix --bench-count instructions -p os -w "$T/bad" "$T/nobench" > /dev/null 2> err.txt
check_eq "exit status of --bench-count without a workload" 2 $?
grep -q -- "--bench-count needs a workload" err.txt || fail "no reason: $(cat err.txt)"
[ ! -e "$T/bad/cells" ] || fail "--bench-count without a workload still built cells"
"$OUNCE" matrix --max-slowdown 5% -p os -w "$T/bad" "$T/nobench" > /dev/null 2> err.txt
check_eq "exit status of --max-slowdown without a workload" 2 $?
check_eq "lines said for --max-slowdown without a workload" 1 "$(wc -l < err.txt)"

# neither perf nor valgrind: one error line, exit 2, nothing built
mkdir "$T/bin"
for t in gcc cc make sh bash true ld as strip; do
	ln -s "$(command -v "$t")" "$T/bin/$t" || fail "no $t"
done
PATH="$T/bin" "$OUNCE" matrix --bench-count instructions -p os -w "$T/bad" "$dir" \
	> /dev/null 2> err.txt
check_eq "exit status without perf or valgrind" 2 $?
check_eq "errors without perf or valgrind" 1 \
	"$(grep -c 'error: --bench-count instructions needs valgrind' err.txt)"
[ ! -e "$T/bad/cells" ] || fail "--bench-count without a counter still built cells"

# the first run builds; the workload is ounce.ini's (bench = {artifact})
"$OUNCE" matrix -q -p os,strip "${bench[@]}" "$dir" > /dev/null 2> err.txt \
	|| fail "matrix exited $?: $(cat err.txt)"
check_eq "bench record" '{"command":"{artifact}","repeat":2,"count":"instructions"}' \
	"$(jq -c '.bench | del(.counter)' "$res")"
counter=$(q .bench.counter "$res")
case $counter in perf | callgrind) ;; *) fail "counted by '$counter'" ;; esac
check_eq "cells benchmarked twice each" "2 2 2" \
	"$(jq -r '[.cells[] | .bench.cpu | length] | map(tostring) | join(" ")' "$res")"
check_eq "cells with a peak RSS and an instruction count" 3 "$(q '[.cells[] |
	select(.bench.rss_kb > 0 and .bench.instructions > 1000000)] | length' "$res")"
base_i=$(q '.cells[] | select(.name == "baseline") | .bench.instructions' "$res")
os_i=$(q '.cells[] | select(.name == "os") | .bench.instructions' "$res")
# -O2 vectorises the loop, -Os does not: far more instructions
[ "$os_i" -gt $((base_i * 13 / 10)) ] || fail "os ran $os_i instructions, the baseline $base_i"
cp "$res" first.json
# the baseline against itself: no change
check_eq "the baseline's speed" 0 "$(q '.[] | select(.cell == "baseline") | .speed_percent' \
	<("$OUNCE" table -f json first.json))"

# the table has its speed and instr columns; the CSV their numbers
"$OUNCE" table first.json > table.txt || fail "table exited $?"
head -3 table.txt | grep -q ' speed  *instr ' || fail "no speed/instr columns: $(head -3 table.txt)"
"$OUNCE" table -f csv first.json > table.csv || fail "table -f csv exited $?"
os_csv=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) h[$i] = i; next}
	$NF == "os" {print $h["instr_percent"]}' table.csv)
want=$(awk -v a="$os_i" -v b="$base_i" 'BEGIN {printf "%.1f", (a / b - 1) * 100}')
check_eq "instr_percent of os" "$want" "$os_csv"

# --pareto: the cells no other cell beats in both bytes and instructions
front=$(jq -r '[.cells[] | {n: .name, s: .bytes, i: .bench.instructions}] as $c |
	[$c[] | . as $x | select([$c[] | select(.n != $x.n and .s <= $x.s and .i <= $x.i
		and (.s < $x.s or .i < $x.i))] | length == 0) | .n] | sort | join(" ")' first.json)
got=$("$OUNCE" table --pareto -f csv first.json | awk -F, 'NR > 1 {print $NF}' | sort | xargs)
check_eq "the front" "$front" "$got"
case " $got " in *" os "*) fail "os is on the front: $got" ;; esac

# the second run is the cache's: nothing built, every cell measured, the same counts
"$OUNCE" matrix -q -p os "${bench[@]}" "$dir" > /dev/null 2> err.txt \
	|| fail "cached matrix exited $?: $(cat err.txt)"
check_eq "builds in the cached run" 0 "$(q .builds_run "$res")"
check_eq "cells from the cache" 2 "$(q .cache_hits "$res")"
# (callgrind counts exactly; perf's hardware counter, where there is one, to a
# few instructions in ten million: the loader's work moves with ASLR)
for c in baseline os; do
	a=$(jq -r --arg c "$c" '.cells[] | select(.name == $c) | .bench.instructions' first.json)
	b=$(jq -r --arg c "$c" '.cells[] | select(.name == $c) | .bench.instructions' "$res")
	if [ "$counter" = callgrind ]; then
		check_eq "instructions of $c on the second run" "$a" "$b"
	else
		d=$((a > b ? a - b : b - a))
		[ $((d * 10000)) -le "$a" ] || fail "$c: $a instructions, then $b"
	fi
done

# pick: os is smaller, so it wins without a budget; 5% leaves it out
check_eq "pick without a budget" os "$("$OUNCE" pick "$res" | cut -f1)"
"$OUNCE" pick --max-slowdown 5% "$res" > pick.txt 2> pick.err || fail "pick exited $?"
check_eq "pick within 5%" baseline "$(cut -f1 pick.txt)"
grep -q "'os' .*left out: +[0-9.]*% instructions, over the 5% --max-slowdown" pick.err \
	|| fail "pick did not say why os is left out: $(cat pick.err)"
"$OUNCE" pick --max-slowdown abc "$res" > /dev/null 2> err.txt
check_eq "exit status of pick --max-slowdown abc" 2 $?
check_eq "lines said for --max-slowdown abc" 1 "$(wc -l < err.txt)"

# a workload that fails in one cell (strip's program has no symbols for nm) leaves
# that cell out of the pick, budget or not: what the smaller build broke
"$OUNCE" matrix -q -p strip --bench "sh -c 'nm \"\$0\" | grep -q main' {artifact}" \
	--bench-repeat 1 --no-verify -s each -w "$T/work" "$dir" > /dev/null 2> err.txt \
	|| fail "matrix with a failing workload exited $?: $(cat err.txt)"
check_eq "builds with another workload" 0 "$(q .builds_run "$res")"
q '.cells[] | select(.name == "strip") | .bench.error' "$res" | grep -q '^the workload failed' \
	|| fail "strip's workload did not fail: $(cell "$res" strip)"
check_eq "pick without the cell whose workload failed" baseline \
	"$("$OUNCE" pick "$res" 2> pick.err | cut -f1)"
grep -q "'strip' .*left out: the workload failed" pick.err || fail "pick: $(cat pick.err)"
"$OUNCE" table "$res" | grep -q ' strip .*(not picked: the workload failed' \
	|| fail "the table does not say why strip is not picked: $("$OUNCE" table "$res")"
echo ok
