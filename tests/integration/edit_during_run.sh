#!/bin/bash
# A source file edited while a run builds: the run took one snapshot of the tree
# before its first cell, so every cell builds the old content, under the old
# content's key. The next run builds the new content (no old answer served for
# it), and with the old content back every cell comes from the cache with the
# first run's numbers; pick --verify after another edit rebuilds what the run
# measured.
. "$(dirname "$0")/lib.sh"

mkdir proj
old='volatile char big[16] = {1};'
new='volatile char big[60000] = {1};'
printf '%s\nint\nmain(void)\n{\n\treturn big[0];\n}\n' "$old" > proj/main.c
# a slow build: the test edits main.c while the baseline sleeps, before the os
# cell (-j 1: after the baseline) copies its tree
printf 'prog: main.c\n\tsleep 1\n\t$(CC) $(CFLAGS) -o prog main.c\n' > proj/Makefile

run() {
	"$OUNCE" matrix -q -j 1 -p os --no-verify -w "$T/w" -f json "$T/proj" > /dev/null 2> err.txt
}
r="$T/w/results.json"
sizes() { q '[.cells[] | {name, bytes, cached}] | sort_by(.name) | .[] | "\(.name) \(.bytes)"' "$r"; }

run &
pid=$!
for _ in $(seq 100); do
	[ -e "$T/w/cells/baseline/src/main.c" ] && break
	sleep 0.05
done
[ -e "$T/w/cells/baseline/src/main.c" ] || fail "the baseline never started: $(cat err.txt)"
printf '%s\nint\nmain(void)\n{\n\treturn big[0];\n}\n' "$new" > proj/main.c
wait $pid
st=$?
# the check after the run sees the edit and says so (exit 1): the results, of
# the snapshot, are saved
[ $st = 0 ] || grep -q "the project tree changed during the run: main.c" err.txt ||
	fail "the run during the edit exited $st: $(cat err.txt)"
check_eq "cells built during the edit" 2 "$(q .builds_run "$r")"
for b in $(q '.cells[] | .bytes' "$r"); do
	[ "$b" -lt 40000 ] || fail "a cell built the edited main.c: $(sizes)"
done
sizes > first.txt

# the edited tree: built, not the first run's answers
run || fail "the run after the edit exited $?: $(cat err.txt)"
check_eq "hits after the edit" 0 "$(q .cache_hits "$r")"
for b in $(q '.cells[] | .bytes' "$r"); do
	[ "$b" -ge 60000 ] || fail "a cell did not build the edited main.c: $(sizes)"
done

# the old content back: the first run's cells, from the cache
printf '%s\nint\nmain(void)\n{\n\treturn big[0];\n}\n' "$old" > proj/main.c
run || fail "the run with the old content exited $?: $(cat err.txt)"
check_eq "hits with the old content" 2 "$(q .cache_hits "$r")"
sizes > third.txt
cmp -s first.txt third.txt || fail "cached cells differ from the first run's: $(diff first.txt third.txt)"

# edited again after the run: pick --verify rebuilds the winner from the run's
# snapshot, the sources it measured, not from the edited tree
printf '%s\nint\nmain(void)\n{\n\treturn big[0];\n}\n' "$new" > proj/main.c
"$OUNCE" pick --verify "$r" > out.txt 2> err.txt || fail "verify exited $?: $(cat out.txt err.txt)"
check_eq "verified from the snapshot" "verified: identical (make form)" "$(sed -n 2p out.txt)"
echo ok
