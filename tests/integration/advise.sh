#!/bin/bash
# ounce advise on a binary the test builds with gcc -g (the debug bytes checked
# against readelf), on the results.json of a real matrix run (the measured
# changes added), and on a garbage file (one line, exit 2).
. "$(dirname "$0")/lib.sh"

cat > prog.c <<'C'
#include <stdio.h>
static int table[256];
__attribute__((noinline)) int twice(int x) { return 2 * x + table[x & 255]; }
int main(int argc, char **argv) { (void)argv; printf("%d\n", twice(argc)); return 0; }
C
gcc -O2 -g -o prog prog.c || fail "gcc -g"

"$OUNCE" advise prog > out.txt 2> err.txt
check_eq "advise exit status" 0 "$?"
[ ! -s err.txt ] || fail "advise wrote to stderr: $(cat err.txt)"
debug=0
while read -r name _ _ _ size _; do
	case "$name" in .debug_* | .zdebug_*) debug=$((debug + 16#$size)) ;; esac
done < <(sections prog)
[ "$debug" -gt 0 ] || fail "gcc -g made no .debug_* sections"
grep -q "^Debug info takes $debug bytes (" out.txt ||
	fail "debug bytes: want $debug in: $(cat out.txt)"
grep "^Debug info" out.txt | grep -q "Profile strip removes it (trade-off: debuggability" ||
	fail "debug info advice does not name strip and its trade-off"
n=$(grep -c 'Profile' out.txt)
last=$(tail -n 1 out.txt)
check_eq "summary line" "$n suggestions; run \`ounce matrix\` to measure them" "$last"

# a results.json: advice on its baseline, with each profile's measured change
proj=$(fixture makeproj)
"$OUNCE" matrix -q -j2 -p strip,gc -w "$T/work" "$proj" > matrix.txt 2> matrix.err ||
	fail "matrix exited $?: $(cat matrix.err)"
"$OUNCE" advise "$T/work/results.json" > res.txt 2> err.txt
check_eq "advise results.json exit status" 0 "$?"
grep -q "measured" res.txt || fail "no measured change in: $(cat res.txt)"
base=$(q '.baseline' "$T/work/results.json")
artifact=$(jq -r --arg n "$base" '.cells[] | select(.name == $n) | .artifact' \
	"$T/work/results.json")
head -n 1 res.txt | grep -qF "$artifact: " ||
	fail "not about the baseline's artifact: $(head -n 1 res.txt)"
for p in strip gc; do
	bytes=$(jq -r --arg p "$p" '.cells[] | select(.name == $p) | .bytes' "$T/work/results.json")
	grep -q "^  $p measured [-+0-9.]*% here ($bytes bytes)\.$" res.txt ||
		fail "$p's measured change ($bytes bytes) missing from: $(cat res.txt)"
done
tail -n 1 res.txt | grep -q "suggestion" || fail "no summary line at the end of: $(cat res.txt)"

# bad input: one line, exit 2, nothing on stdout. The garbage starts with a byte
# that is not '{' (which would make it a results.json, tested below), so the
# test does not depend on what the random bytes begin with.
{
	printf 'X'
	head -c 4096 /dev/urandom
} > garbage
"$OUNCE" advise garbage > out.txt 2> err.txt
check_eq "garbage: exit status" 2 "$?"
check_eq "garbage: one line" 1 "$(wc -l < err.txt)"
grep -q '^ounce: error: ' err.txt || fail "garbage: not an error line: $(cat err.txt)"
[ ! -s out.txt ] || fail "garbage: printed advice"
printf '{\n  "tool": "ounce",\n  "cells": [\n' > broken.json
"$OUNCE" advise broken.json > out.txt 2> err.txt
check_eq "broken.json: exit status" 2 "$?"
check_eq "broken.json: one line" 1 "$(wc -l < err.txt)"
grep -q '^broken.json:[0-9][0-9]*: error: invalid JSON' err.txt ||
	fail "broken.json: not a file:line error: $(cat err.txt)"
echo '{"not": "results"}' > bad.json
"$OUNCE" advise bad.json > out.txt 2> err.txt
check_eq "bad.json: exit status" 2 "$?"
check_eq "bad.json: one line" 1 "$(wc -l < err.txt)"
"$OUNCE" advise > out.txt 2> err.txt
check_eq "no operand: exit status" 2 "$?"
echo ok
