#!/bin/bash
# What ounce itself costs per matrix run, old binary against new: runs
# `ounce matrix --no-verify` of a sample with OLD and NEW in turn, REPEAT times
# each (default 5), every run in a fresh work directory (so every cell is built
# and measured, nothing comes from ounce's cache; ccache and Cargo's own caches
# are warmed by one untimed run of each first), and prints, per binary, the
# median and the range of ounce's own CPU seconds (user + system of the ounce
# process, its builds not counted: results.json's self_seconds) and of the run's
# wall seconds (timed here, so work done after results.json's own clock counts).
# Alternating the two binaries spreads a noisy machine's slow minutes over both.
# Used for issue 17 (an ASan build of ounce, as the test suite runs it, spent
# more of its own CPU per run once every run stored its --explain data).
# Usage: bench/matrix_cpu.sh OLD_OUNCE NEW_OUNCE [SAMPLE_DIR]
#   (default sample: samples/tinyrocket when cargo is installed, else
#   samples/tinyhttpd; needs jq). Exits 2 on bad usage, 1 when a run fails.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 OLD_OUNCE NEW_OUNCE [SAMPLE_DIR]" >&2
	exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 3 ]; then
	sample=$(realpath "$3")
elif command -v cargo >/dev/null; then
	sample=$root/samples/tinyrocket
else
	sample=$root/samples/tinyhttpd
fi
repeat=${REPEAT:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one run of binary $1 into a fresh work directory; prints "SELF WALL"
run() {
	local w=$tmp/w t0 t1
	rm -rf "$w"
	t0=$(date +%s.%N)
	if ! "$1" matrix --no-verify -w "$w" "$sample" >"$tmp/out" 2>&1; then
		echo "$0: '$1 matrix $sample' failed:" >&2
		tail -5 "$tmp/out" >&2
		exit 1
	fi
	t1=$(date +%s.%N)
	printf '%s %s\n' "$(jq -r .self_seconds "$w/results.json")" "$(echo "$t1 - $t0" | bc -l)"
}

# "median (min-max)" of the numbers on stdin
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'
}

run "$old" >/dev/null
run "$new" >/dev/null
for i in $(seq "$repeat"); do
	run "$old" >>"$tmp/old"
	run "$new" >>"$tmp/new"
done
echo "sample: $sample, $repeat runs each, alternating; median (min-max) seconds"
printf '%-5s %-22s %s\n' "" "ounce's own CPU" "wall"
for b in old new; do
	printf '%-5s %-22s %s\n' "$b" "$(cut -d' ' -f1 "$tmp/$b" | stats)" \
		"$(cut -d' ' -f2 "$tmp/$b" | stats)"
done
