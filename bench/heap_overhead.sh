#!/bin/bash
# Overhead of `ounce heap trace` per allocation call, with and without stacks,
# against the same program untraced and under heaptrack (Debian's package), in
# one run on one machine; the log sizes; and whether the top sites by peak agree
# with heaptrack_print --print-peaks on the benchmark program, the fixture of
# tests/fixtures/heapstacks and the tinyhttpd sample answering requests.
# Usage: bench/heap_overhead.sh [PAIRS] [REPEATS]   (after ./bootstrap; needs heaptrack)
# Prints Markdown: median wall seconds of REPEATS runs, nanoseconds per
# malloc/free call over the untraced run, log bytes, then the target checks.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
pairs=${1:-1000000}
repeats=${2:-5}
ounce=$root/build/ounce
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
gcc -O2 -g -o "$t/churn" "$t/churn.c"
gcc -O2 -g -fno-omit-frame-pointer -o "$t/churn-fp" "$t/churn.c"

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

# the runs take turns, so a slow patch of the machine falls on all of them
base=$(median "$t/churn" "$pairs")
s0=$(median "$ounce" heap trace -o "$t/s0.log" -- "$t/churn" "$pairs")
s16=$(median "$ounce" heap trace --stacks 16 -o "$t/s16.log" -- "$t/churn" "$pairs")
fp=$(median "$ounce" heap trace --stacks 16 --unwind fp -o "$t/fp.log" -- "$t/churn-fp" "$pairs")
ht=$(median heaptrack -o "$t/ht" "$t/churn" "$pairs")
calls=$((pairs * 2))
per() { echo "($1 - $base) * 1000000000 / $calls" | bc; }
htlog=$(cat "$t"/ht.* | wc -c)
echo "| run ($pairs malloc/free pairs, median of $repeats) | seconds | ns per call over untraced | log bytes |"
echo "|---|---:|---:|---:|"
echo "| untraced | $base | - | - |"
echo "| ounce heap trace | $s0 | $(per "$s0") | $(stat -c %s "$t/s0.log") |"
echo "| ounce heap trace --stacks 16 | $s16 | $(per "$s16") | $(stat -c %s "$t/s16.log") |"
echo "| ounce heap trace --stacks 16 --unwind fp (built with frame pointers) | $fp | $(per "$fp") | $(stat -c %s "$t/fp.log") |"
echo "| heaptrack $(heaptrack --version 2>/dev/null | awk '{print $2}') | $ht | $(per "$ht") | $htlog |"
echo
ratio=$(echo "scale=2; ($s16 - $base) / ($ht - $base)" | bc)
echo "- --stacks 16 costs ${ratio}x heaptrack's overhead per call (target: at most 0.5):" \
	"$(echo "$ratio <= 0.5" | bc | sed 's/1/met/;s/0/NOT met/')"
echo "- its log is $(stat -c %s "$t/s16.log") bytes, heaptrack's $htlog (target: no larger):" \
	"$([ "$(stat -c %s "$t/s16.log")" -le "$htlog" ] && echo met || echo NOT met)"

# --- the top sites by peak, against heaptrack_print --print-peaks ---

# heaptrack's way of writing bytes: B up to 1000, then K, M, G with two decimals
# (1000 based)
ht_bytes() {
	awk -v b="$1" 'BEGIN {
		u = "B"; v = b + 0
		if (v > 1000) { v /= 1000; u = "K" }
		if (v > 1000) { v /= 1000; u = "M" }
		if (v > 1000) { v /= 1000; u = "G" }
		if (u == "B") printf "%dB\n", b; else printf "%.2f%s\n", v, u
	}'
}

# heaptrack's peak consumers as "BYTES FUNCTION" lines, largest first; its own
# libstdc++ (heaptrack loads it into a C program) left out. A site is its
# function, an "  at FILE:LINE" line when it is known, and an "  in OBJECT" line.
# glibc's internal aliases (__GI_name) are written as their public names.
ht_peaks() { # PROGRAM-DATA-FILE
	heaptrack_print --print-peaks 1 --print-allocators 0 --print-temporary 0 \
		--print-leaks 0 --peak-limit 20 -f "$1" 2> /dev/null |
		awk '/^PEAK MEMORY CONSUMERS/ {on = 1; next}
			on && / peak memory consumed over / {bytes = $1; getline; fn = $0
				getline; if ($0 ~ /^  at /) getline; obj = $0
				sub(/^__GI_/, "", fn)
				if (obj !~ /libstdc\+\+/) print bytes, fn}
			on && /^(MEMORY LEAKS|MOST TEMPORARY|total runtime)/ {exit}' | head -n 10
}

# ounce's, the same way: heaptrack names an allocation by its innermost frame
# (the function that called malloc), so the stacks are summed by that frame
ounce_peaks() { # LOG
	"$ounce" heap sites -n 0 --stack --format json "$1" 2> /dev/null |
		jq -r '[.sites[].stacks[] | select(.peak_bytes > 0) |
			{fn: (.frames[0].function // "?" | sub("^__GI_"; "")), b: .peak_bytes}] |
			group_by(.fn) | map({fn: .[0].fn, b: (map(.b) | add)}) |
			sort_by(-.b) | .[:10][] | "\(.b) \(.fn)"' |
		while read -r b fn; do echo "$(ht_bytes "$b") $fn"; done
}

compare() { # NAME OUNCE-LOG HEAPTRACK-FILE
	ht_peaks "$3" | sort > "$t/ht.peaks"
	ounce_peaks "$2" | sort > "$t/ounce.peaks"
	echo
	echo "Top sites by peak of $1 (bytes as heaptrack_print writes them):"
	echo
	echo '```'
	paste -d '|' <(sed 's/^/ounce: /' "$t/ounce.peaks") <(sed 's/^/heaptrack: /' "$t/ht.peaks") |
		sed 's/|/    /'
	echo '```'
	if cmp -s "$t/ht.peaks" "$t/ounce.peaks"; then
		echo "- $1: the same $(wc -l < "$t/ounce.peaks") sites with the same bytes"
	else
		echo "- $1: the sites DIFFER"
	fi
}

compare "the benchmark program" "$t/s16.log" "$(ls "$t"/ht.*)"

fx=$root/tests/fixtures/heapstacks
gcc -O1 -g -shared -fPIC -o "$t/libsites.so" "$fx/libsites.c"
gcc -O1 -g -o "$t/sites" "$fx/sites.c" -L"$t" -lsites -Wl,-rpath,"$t"
"$ounce" heap trace --stacks 16 -o "$t/sites.log" -- "$t/sites" > /dev/null 2>&1
heaptrack -o "$t/hts" "$t/sites" > /dev/null 2>&1
compare "tests/fixtures/heapstacks/sites.c" "$t/sites.log" "$(ls "$t"/hts.*)"

# the sample server, built with system malloc and debug info, answering 20
# requests for its index page
cp -a samples/tinyhttpd "$t/httpd"
make -s -C "$t/httpd" CFLAGS="-O2 -g" > /dev/null
serve() { # LOG-WRITING COMMAND PREFIX...
	(
		cd "$t/httpd"
		"$@" ./tinyhttpd -p 0 -n 20 -r www > "$t/httpd.out" 2>&1 &
		pid=$!
		port=
		for _ in $(seq 200); do
			port=$(sed -n 's/^listening on [0-9.]*:\([0-9]*\)$/\1/p' "$t/httpd.out")
			[ -n "$port" ] && break
			sleep 0.05
		done
		for _ in $(seq 20); do
			exec 3<> "/dev/tcp/127.0.0.1/$port"
			printf 'GET / HTTP/1.0\r\n\r\n' >&3
			cat <&3 > /dev/null
			exec 3<&-
		done
		wait "$pid"
	)
}
serve "$ounce" heap trace --stacks 16 -o "$t/httpd.log" --
serve heaptrack -o "$t/hth"
compare "samples/tinyhttpd answering 20 requests" "$t/httpd.log" "$(ls "$t"/hth.*)"
