#!/bin/bash
# An autotools release tarball: configure, Makefile.in and aclocal.m4 made by an
# automake that is not installed (1.14), newer than their sources as tar x leaves
# them. Each cell's copy keeps those times, so the baseline builds without running
# aclocal or automake; the cache key does not see the times.
. "$(dirname "$0")/lib.sh"

dir=$(fixture autotarball)
# git keeps no times: make them those of a fresh extraction, sources oldest and
# each generated file newer than what it is made from
touch -d '2020-01-01 00:00:00' "$dir"/*
touch -d '2020-01-01 00:00:01' "$dir/aclocal.m4"
touch -d '2020-01-01 00:00:02' "$dir/configure" "$dir/Makefile.in"
times() {
	(cd "$1" && find . -printf '%p %T@\n' | LC_ALL=C sort)
}
before=$(tree_digest "$dir")
before_times=$(times "$dir")
"$OUNCE" matrix -q -j2 --keep-cells -p strip,gc -w "$T/work" "$dir" > table.txt 2> err.txt \
	|| fail "matrix exited $?: $(cat err.txt)"
res="$T/work/results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "times untouched" "$before_times" "$(times "$dir")"
check_eq "recipe" autotools "$(q .recipe "$res")"
check_eq "no failed cell" "" "$(q '.cells[] | select(.status != "ok") | .name' "$res")"
# the run's snapshot is there, never prepared
[ -d "$T/work/prep/src" ] || fail "no snapshot of the tree"
[ ! -e "$T/work/prep/prepare.log" ] || fail "a tree with a configure script was prepared"
# the copy has the tree's times (without them, make finds configure as old as
# configure.ac whenever the copy crosses a clock tick, and runs aclocal-1.14)
for f in configure.ac aclocal.m4 configure Makefile.in main.c; do
	check_eq "time of $f in the cell" "$(stat -c %Y "$dir/$f")" \
		"$(stat -c %Y "$T/work/cells/baseline/src/$f")"
done
log="$T/work/cells/baseline/build.log"
! grep -E 'aclocal|automake|autoconf|missing' "$log" > /dev/null \
	|| fail "the build regenerated the tarball's files: $(grep -E 'aclocal|automake|missing' "$log")"

# new times (a second extraction) change no key: every cell from the cache
touch "$dir"/*
"$OUNCE" matrix -q -j2 -p strip,gc -w "$T/work" "$dir" > table2.txt 2> err.txt \
	|| fail "second matrix exited $?: $(cat err.txt)"
check_eq "cache hits after touch" "$(q .cells_total "$res")" "$(q .cache_hits "$res")"
echo ok
