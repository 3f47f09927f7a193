#!/bin/bash
# Overhead of `ounce heap trace` per allocation call, against the same program
# untraced and under heaptrack (Debian's package), in one run on one machine.
# Usage: bench/heap_overhead.sh [PAIRS] [REPEATS]   (after ./bootstrap; needs heaptrack)
# Prints a Markdown table: median wall seconds of REPEATS runs, and nanoseconds
# per malloc/free call over the untraced run.
set -eu
cd "$(dirname "$0")/.."
pairs=${1:-1000000}
repeats=${2:-5}
ounce=build/ounce
command -v heaptrack > /dev/null || { echo "bench: heaptrack is not installed (apt-get install heaptrack)" >&2; exit 1; }
[ -x "$ounce" ] || { echo "bench: build ounce first (./bootstrap)" >&2; exit 1; }

t=$(mktemp -d /tmp/ounce-bench.XXXXXX)
trap 'rm -rf "$t"' EXIT
cat > "$t/churn.c" <<'C'
/* allocation-heavy: PAIRS malloc/free pairs of varied sizes, a few alive at once */
#include <stdlib.h>
int
main(int argc, char **argv)
{
	long pairs = argc > 1 ? atol(argv[1]) : 1000000;
	void *live[16] = {0};
	unsigned x = 12345;

	for (long i = 0; i < pairs; i++) {
		x = x * 1103515245 + 12345;
		unsigned slot = (x >> 8) & 15;
		free(live[slot]);
		live[slot] = malloc(8 + ((x >> 16) & 255));
	}
	for (int i = 0; i < 16; i++) {
		free(live[i]);
	}
	return 0;
}
C
gcc -O2 -o "$t/churn" "$t/churn.c"

# median wall time of REPEATS runs of a command
median() {
	local times=()
	for _ in $(seq "$repeats"); do
		local s e
		s=$(date +%s.%N)
		"$@" > /dev/null 2>&1
		e=$(date +%s.%N)
		times+=("$(echo "$e - $s" | bc)")
	done
	printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

base=$(median "$t/churn" "$pairs")
ours=$(median "$ounce" heap trace -o "$t/heap.log" -- "$t/churn" "$pairs")
ht=$(median heaptrack -o "$t/ht" "$t/churn" "$pairs")
calls=$((pairs * 2))
per() { echo "($1 - $base) * 1000000000 / $calls" | bc; }
echo "| run ($pairs malloc/free pairs, median of $repeats) | seconds | ns per call over untraced | log bytes |"
echo "|---|---:|---:|---:|"
echo "| untraced | $base | - | - |"
echo "| ounce heap trace | $ours | $(per "$ours") | $(stat -c %s "$t/heap.log") |"
echo "| heaptrack $(heaptrack --version 2>/dev/null | awk '{print $2}') | $ht | $(per "$ht") | $(cat "$t"/ht* 2>/dev/null | wc -c) |"
