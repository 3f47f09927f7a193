#!/bin/bash
# ounce profile: time flame graphs of tests/fixtures/hotprof (hot_loop about four
# fifths of the time, cold_loop the rest), built by a matrix whose 'slowhot' cell
# gives hot_loop four times the work (and 'broken' fails to build). Under perf and under callgrind (asked for,
# and chosen when perf is missing), the widest box standing on main is hot_loop;
# the differential graph from the baseline to slowhot colours hot_loop red and
# cold_loop blue; the workload comes from --bench or from results.json's bench;
# a cell that is not there, failed, gone or without a workload: one line, exit 2;
# a workload that fails or times out: exit 1.
. "$(dirname "$0")/lib.sh"

dir=$(fixture hotprof)
"$OUNCE" matrix -q -j2 -p slowhot,broken -w "$T/work" "$dir" > table.txt || fail "matrix exited $?"
res="$T/work/results.json"
check_eq "cells ok" "ok ok" "$(q '[.cells[] | select(.name == "baseline" or .name == "slowhot") |
	.status] | join(" ")' "$res")"

# the boxes of an SVG, a line each: NAME Y WIDTH FILL (the name up to the title's
# first ':'), after xmllint has read it as well-formed XML
boxes() {
	xmllint --noout "$1" || fail "$1 is not XML"
	sed -n 's|^<g class="box"><title>\([^:]*\): .*<rect x="[0-9.]*" y="\([0-9]*\)" width="\([0-9.]*\)" .*fill="#\([0-9a-f]*\)".*|\1 \2 \3 \4|p' "$1"
}
# the widest box standing on main (in a row above it)
widest_on_main() {
	boxes "$1" > boxes.txt
	local y
	y=$(awk '$1 == "main" {print $2; exit}' boxes.txt)
	[ -n "$y" ] || fail "$1 has no box for main: $(cat boxes.txt)"
	awk -v y="$y" '$2 < y && $3 > w {w = $3; n = $1} END {print n}' boxes.txt
}

# perf: the baseline cell of the run, the workload from --bench
"$OUNCE" profile -w "$T/work" --bench '{artifact} 60000000' baseline > base.svg 2> err ||
	fail "profile baseline exited $?: $(cat err)"
check_eq "widest on main (perf)" hot_loop "$(widest_on_main base.svg)"
grep -q 'Time flame graph of baseline' base.svg || fail "title of base.svg"
grep -q '<title>hot_loop: [0-9]* samples' base.svg || fail "hot_loop's title in samples"
grep -q 'cpu-clock samples by perf' base.svg || fail "base.svg does not say perf measured it"

# callgrind, asked for; {artifacts} filled as the smoke test's are; two runs; -o
"$OUNCE" profile -w "$T/work" --via callgrind --repeat 2 --bench '{artifacts} 1000000' \
	-o cg.svg baseline 2> err || fail "profile --via callgrind exited $?: $(cat err)"
check_eq "widest on main (callgrind)" hot_loop "$(widest_on_main cg.svg)"
grep -q '<title>hot_loop: [0-9]* instructions' cg.svg || fail "hot_loop's title in instructions"
grep -q '2 runs of .*/hot 1000000' cg.svg || fail "cg.svg does not say it ran twice"

# callgrind where perf is missing: a PATH with valgrind alone (Debian's is a script
# that runs valgrind.bin beside it)
mkdir bin && ln -s "$(command -v valgrind)" bin/valgrind &&
	ln -s "$(command -v valgrind.bin)" bin/valgrind.bin || fail "no valgrind"
PATH="$T/bin" "$OUNCE" profile -w "$T/work" --bench '{artifact} 2000000' baseline \
	> noperf.svg 2> err || fail "profile without perf exited $?: $(cat err)"
grep -q "perf is not installed: profiling under callgrind instead" err ||
	fail "no word of the fallback: $(cat err)"
check_eq "widest on main (no perf)" hot_loop "$(widest_on_main noperf.svg)"

# the differential graph: hot_loop has more of slowhot's time, cold_loop less
# (counted by callgrind: the same on every run)
"$OUNCE" profile -w "$T/work" --via callgrind --bench '{artifact} 1000000' baseline slowhot \
	> diff.svg 2> err || fail "profile baseline slowhot exited $?: $(cat err)"
boxes diff.svg > boxes.txt
read -r _ _ _ hot < <(awk '$1 == "hot_loop"' boxes.txt)
read -r _ _ _ cold < <(awk '$1 == "cold_loop"' boxes.txt)
[[ $hot == ff* && ${hot:2:2} == "${hot:4:2}" && $hot != ffffff ]] || fail "hot_loop is not red: $hot"
[[ $cold == *ff && ${cold:0:2} == "${cold:2:2}" && $cold != ffffff ]] ||
	fail "cold_loop is not blue: $cold"
grep -q '<title>hot_loop: [0-9]* instructions ([0-9.]*%); A: [0-9]* of [0-9]* instructions ([0-9.]*%), B: [0-9]* of [0-9]* ([0-9.]*%): +[0-9.]*%; its own +' diff.svg ||
	fail "hot_loop's title lacks both runs and its growth: $(grep -o '<title>hot_loop[^<]*' diff.svg)"

# a cell's workload runs in a fresh copy of the project (its files there, the
# project itself untouched)
"$OUNCE" profile -w "$T/work" --bench "sh -c 'test -f hot.c && touch written'" baseline \
	> /dev/null 2> err || fail "the workload did not run in a copy of the project: $(cat err)"
[ -e "$dir/written" ] && fail "the workload wrote into the project"

# a file instead of a cell (a '/' in its name), run where ounce was started
cp "$(q '.cells[] | select(.name == "baseline") | .artifact' "$res")" prog || fail "cp"
"$OUNCE" profile --via callgrind --bench '{artifact} 1000000' ./prog > file.svg 2> err ||
	fail "profile ./prog exited $?: $(cat err)"
check_eq "widest on main (a file)" hot_loop "$(widest_on_main file.svg)"
grep -q 'Time flame graph of ./prog' file.svg || fail "title of file.svg"

# the workload of the run, from results.json's bench
jq '.bench = {"command": "{artifact} 1000", "repeat": 3}' "$res" > r.json &&
	mv r.json "$res" || fail "cannot add a bench to results.json"
"$OUNCE" profile -w "$T/work" baseline > bench.svg 2> err ||
	fail "profile with the run's bench exited $?: $(cat err)"
grep -q '1 run of .*/hot 1000' bench.svg || fail "bench.svg does not name the run's workload"

# one line and exit status 2: no such cell, no workload, an artifact gone
expect2() { # WHAT PATTERN ARGS...
	local what=$1 pattern=$2
	shift 2
	"$OUNCE" profile -w "$T/work" "$@" > out 2> err
	check_eq "$what: exit status" 2 "$?"
	check_eq "$what: lines" 1 "$(wc -l < err)"
	grep -q -e "$pattern" err || fail "$what: $(cat err)"
	[ -s out ] && fail "$what: wrote to stdout"
}
expect2 "unknown cell" "no cell 'nosuch' in '$T/work/results.json'" --bench x nosuch
jq 'del(.bench)' "$res" > r.json && mv r.json "$res" || fail "cannot drop the bench"
expect2 "no workload" "no workload: give --bench CMD" baseline
rm "$(q '.cells[] | select(.name == "slowhot") | .artifact' "$res")"
expect2 "artifact gone" "the artifact of cell 'slowhot' is gone" --bench '{artifact}' slowhot
expect2 "bad --via" "--via takes perf or callgrind" --via gprof baseline
expect2 "no such program" "cannot run the workload: 'nosuchprog' is not an executable file in PATH" \
	--bench 'nosuchprog {artifact}' baseline
expect2 "a failed cell" "cell 'broken' did not build and pass: build-failed: .*#error" \
	--bench '{artifact}' broken

# the workload fails, or takes too long: one line, exit 1
"$OUNCE" profile -w "$T/work" --bench 'sh -c "echo boom >&2; exit 3"' baseline > out 2> err
check_eq "failing workload: exit status" 1 "$?"
check_eq "failing workload" "ounce: error: the workload failed under perf: exit status 3: boom" \
	"$(cat err)"
"$OUNCE" profile -w "$T/work" --timeout 0.3 --bench 'sleep 20' baseline > out 2> err
check_eq "slow workload: exit status" 1 "$?"
grep -q "the workload failed under perf: timed out after 0.3 s" err || fail "timeout: $(cat err)"
exit 0
