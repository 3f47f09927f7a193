#!/bin/bash
# Do two ounce binaries give the same answer? Runs `ounce matrix` of each sample
# with the OLD binary and then with the NEW one, each time in the same fresh work
# directory (paths end up inside artifacts: a Rust panic message names its source
# file), and compares the two results.json files with the timings taken out
# (wall, self, measure and build seconds, a build's peak RSS) and without the cells'
# "explain" (which older versions did not store), and compares what each binary's
# `ounce table --explain` prints of its run, in text and Markdown (older versions
# read the ELF files for it, newer ones read results.json). Used to show that a
# change of structure (issue 17) changed no behaviour.
# Usage: bench/same_results.sh OLD_OUNCE NEW_OUNCE [SAMPLE_DIR...]
#   (default samples: samples/tinyhttpd, and samples/tinyrocket when cargo is
#   installed; needs jq). Prints one line per sample: same / DIFFERENT (with the
#   diff); exits 1 when any differs, 2 on bad usage or a failed run.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 OLD_OUNCE NEW_OUNCE [SAMPLE_DIR...]" >&2
	exit 2
fi
old=$(realpath "$1")
new=$(realpath "$2")
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	set -- "$root/samples/tinyhttpd"
	if command -v cargo >/dev/null; then
		set -- "$@" "$root/samples/tinyrocket"
	fi
fi

tmp=$(mktemp -d /tmp/ounce-same.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the timings, and nothing else, vary from one run to the next
untimed() {
	jq 'del(.wall_seconds, .self_seconds, .measure_seconds)
		| .cells |= map(del(.build_seconds, .measure_seconds, .peak_rss_kb))' "$1"
}

run() { # BINARY SAMPLE OUT
	rm -rf "$tmp/work"
	if ! "$1" matrix "$2" -w "$tmp/work" -o "$tmp/results.json" >"$tmp/log" 2>&1; then
		echo "$0: $1 matrix $2 failed:" >&2
		tail -20 "$tmp/log" >&2
		exit 2
	fi
	untimed "$tmp/results.json" >"$tmp/untimed.json"
	jq -S '.cells |= map(del(.explain))' "$tmp/untimed.json" >"$3"
	# the explanations, while the artifacts are there for a version that reads them
	"$1" table --explain "$tmp/untimed.json" >>"$3"
	"$1" table --explain -f md "$tmp/untimed.json" >>"$3"
}

status=0
for sample in "$@"; do
	sample=$(realpath "$sample")
	run "$old" "$sample" "$tmp/old.json"
	run "$new" "$sample" "$tmp/new.json"
	if diff -u "$tmp/old.json" "$tmp/new.json" >"$tmp/diff"; then
		echo "$(basename "$sample"): same ($(jq '.cells | length' "$tmp/untimed.json") cells, table --explain identical)"
	else
		echo "$(basename "$sample"): DIFFERENT"
		cat "$tmp/diff"
		status=1
	fi
done
exit $status
