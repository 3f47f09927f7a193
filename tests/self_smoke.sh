#!/bin/bash
# The smoke test of `ounce matrix .` in ounce's own tree (ounce.ini): the cell's
# ounce measures itself (size, diff, JSON out), lists its profiles, and traces a
# program's heap with the cell's own tracer library. Usage: self_smoke.sh ARTIFACT...
set -euo pipefail

ounce="" lib=""
for a in "$@"; do
	case $(basename "$a") in
	ounce) ounce=$a ;;
	libounce-heaptrace.so) lib=$a ;;
	esac
done
if [ -z "$ounce" ]; then
	echo "self_smoke.sh: no ounce among the artifacts: $*" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# (outputs go to files first: grep -q on a pipe would end ounce with SIGPIPE)
"$ounce" --version >/dev/null
"$ounce" size "$ounce" >"$tmp/size.txt"
grep -q '^TOTAL' "$tmp/size.txt"
"$ounce" size --format json "$ounce" >"$tmp/size.json"
grep -q '"sections"' "$tmp/size.json"
"$ounce" diff "$ounce" "$ounce" >/dev/null
"$ounce" profiles >"$tmp/profiles.txt"
grep -q '^strip ' "$tmp/profiles.txt"
if [ -n "$lib" ]; then
	OUNCE_HEAPTRACE_LIB=$lib "$ounce" heap trace -o "$tmp/heap.log" -- sort "$tmp/size.json" \
		>/dev/null
	"$ounce" heap stats "$tmp/heap.log" >"$tmp/stats.txt"
	grep -q 'Block Size' "$tmp/stats.txt"
fi
