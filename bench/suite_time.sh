#!/bin/bash
# Is one checkout's test suite slower than another's? Runs the integration tests
# of two built checkouts (OLD and NEW: each a clone where tests/run, or
# ./bootstrap and the build-asan setup of tests/run, has been run) in turn,
# REPEAT times each (default 2), the way tests/run runs them (muon-meson test -j 2;
# the ASan/UBSan build with its options), and prints the wall seconds of each run
# and the median per checkout. Only the integration suites are timed: the unit
# tests, valgrind's run and the fuzz targets take the same time by construction
# (fixed-length fuzzing) or are too short to matter. Alternating spreads a noisy
# machine's slow minutes over both. Used for issue 17 ("the suite's wall time on
# 2 cores is no longer than before").
# Usage: bench/suite_time.sh OLD_CHECKOUT NEW_CHECKOUT [asan|gcc|both]
#   (default: both). Exits 2 on bad usage, 1 when a suite has a failure.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 OLD_CHECKOUT NEW_CHECKOUT [asan|gcc|both]" >&2
	exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
which=${3:-both}
case $which in
asan | gcc | both) ;;
*)
	echo "usage: $0 OLD_CHECKOUT NEW_CHECKOUT [asan|gcc|both]" >&2
	exit 2
	;;
esac
repeat=${REPEAT:-2}
for tree in "$old" "$new"; do
	for b in build build-asan; do
		if [ ! -x "$tree/$b/ounce" ]; then
			echo "$0: '$tree/$b/ounce' is missing: build the checkout first" >&2
			exit 2
		fi
	done
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# seconds of one integration run of checkout $1, build dir $2
suite() {
	local t0 t1 rc=0
	t0=$(date +%s.%N)
	if [ "$2" = build-asan ]; then
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			muon-meson -C "$1/$2" test -s integration -j 2 >"$tmp/log" 2>&1 || rc=$?
	else
		muon-meson -C "$1/$2" test -s integration -j 2 >"$tmp/log" 2>&1 || rc=$?
	fi
	t1=$(date +%s.%N)
	if [ $rc -ne 0 ]; then
		echo "$0: $1/$2: the integration suite failed:" >&2
		grep -E '^\[fail' "$tmp/log" >&2 || tail -5 "$tmp/log" >&2
		exit 1
	fi
	echo "$t1 - $t0" | bc -l
}

median() {
	sort -g | awk '{ v[NR] = $1 } END {
		printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

case $which in
asan) dirs=(build-asan) ;;
gcc) dirs=(build) ;;
both) dirs=(build build-asan) ;;
esac
for i in $(seq "$repeat"); do
	for tree in old new; do
		total=0
		for d in "${dirs[@]}"; do
			s=$(suite "${!tree}" "$d")
			echo "run $i $tree $d: $(printf '%.1f' "$s") s"
			total=$(echo "$total + $s" | bc -l)
		done
		echo "$total" >>"$tmp/$tree"
	done
done
echo "median of $repeat runs, integration suites ($which): old $(median <"$tmp/old") s," \
	"new $(median <"$tmp/new") s"
