#!/bin/bash
# bench/fuzz.sh [-j N] [-o DIR] [SECONDS [TARGET...]]: run each libFuzzer target of
# tests/fuzz/ for SECONDS (default 600: the README's 10-minute mark), N at a time
# (default 2), on a copy of its seed corpus. Builds build-fuzz first (clang,
# -Dfuzz=true). Everything it makes stays in DIR (default a new /tmp/ounce-fuzz.*):
# DIR/TARGET/corpus (the grown corpus), DIR/TARGET/crash-* and the like (what a
# target failed on: each becomes a unit test), DIR/TARGET/log. Prints a line per
# target: executions, executions per second, crashes (0 expected), corpus size;
# exits 1 when any target failed on some input.
#   TARGET: elf, linkmap, heaplog, results, config, cargoconf (default: all)
set -u
cd "$(dirname "$0")/.."

jobs=2 out=
while getopts 'j:o:' opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: bench/fuzz.sh [-j N] [-o DIR] [SECONDS [TARGET...]]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	targets=(elf linkmap heaplog results config cargoconf)
fi
case $secs in
'' | *[!0-9]*) echo "bench/fuzz.sh: SECONDS must be a whole number" >&2; exit 2 ;;
esac
for t in "${targets[@]}"; do
	if [ ! -f "tests/fuzz/fuzz_$t.c" ]; then
		echo "bench/fuzz.sh: no target '$t' (tests/fuzz/fuzz_$t.c)" >&2
		exit 2
	fi
done

if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang muon-meson setup -Dfuzz=true build-fuzz >&2 || exit 1
fi
ninja -C build-fuzz >&2 || exit 1

if [ -z "$out" ]; then
	out=$(mktemp -d /tmp/ounce-fuzz.XXXXXX) || exit 1
fi
mkdir -p "$out" || exit 1
echo "bench/fuzz.sh: ${#targets[@]} targets, $secs s each, $jobs at a time; output in $out" >&2

running=0
for t in "${targets[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	rm -rf "${out:?}/$t"
	bash tests/fuzz/run_target.sh "$PWD/build-fuzz/tests/fuzz/fuzz_$t" \
		"$PWD/tests/fuzz/corpus/fuzz_$t" "$secs" "$out/$t" >"$out/$t.line" 2>"$out/$t.err" &
	running=$((running + 1))
done
wait

status=0
for t in "${targets[@]}"; do
	cat "$out/$t.line"
	if [ -s "$out/$t.err" ]; then
		cat "$out/$t.err" >&2
		status=1
	fi
done
exit "$status"
