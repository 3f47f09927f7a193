#!/bin/bash
# A CMake project: configured out of tree per cell, Release and Debug builds with
# a baseline and a table each, and pick --emit cmake reproduces the winner.
. "$(dirname "$0")/lib.sh"

dir=$(fixture cmakeproj)
before=$(tree_digest "$dir")
"$OUNCE" matrix -q -j2 --keep-cells -p strip,gc,os,lto --builds release,dev -w "$T/work" "$dir" > table.txt \
	|| fail "matrix exited $?"
res="$T/work/results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" cmake "$(q .recipe "$res")"
check_eq "no failed cell" "" "$(q '.cells[] | select(.status != "ok") | .name' "$res")"
check_eq "baselines" '{"release":"baseline","dev":"dev:baseline"}' "$(jq -c .baselines "$res")"
check_eq "builds" "dev release" "$(q '[.cells[].build] | unique | join(" ")' "$res")"
check_eq "two tables" 2 "$(grep -c '^build ' table.txt)"
# out of tree: the artifact is in the cell's build directory, the copy of the
# source has no CMake files in it
art=$(q '.cells[] | select(.name == "baseline") | .artifact' "$res")
case "$art" in */cells/baseline/build/*) ;; *) fail "artifact $art not in the build dir" ;; esac
[ ! -e "$T/work/cells/baseline/src/CMakeCache.txt" ] || fail "CMake wrote into the source copy"
# Release really was Release, and Debug Debug
grep -q -- '-DCMAKE_BUILD_TYPE=Release' "$T/work/cells/baseline/build.log" || fail "no Release"
grep -q -- '-DCMAKE_BUILD_TYPE=Debug' "$T/work/cells-dev/baseline/build.log" || fail "no Debug"
[ "$(q '.cells[] | select(.name == "dev:baseline") | .sections[".debug_info"]' "$res")" -gt 0 ] \
	|| fail "the Debug baseline has no debug info"

# lto through CMake's own switch, which then chose the LTO flags itself
grep -q -- '-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON' "$T/work/cells/lto/build.log" \
	|| fail "lto did not use CMAKE_INTERPROCEDURAL_OPTIMIZATION"
grep -q -- '-flto=auto -fno-fat-lto-objects' "$T/work/cells/lto/wrap.log" \
	|| fail "CMake's IPO flags did not reach the compiler"
# unity exists for CMake projects only
"$OUNCE" matrix -q -p unity -s each -w "$T/w2" "$dir" > /dev/null || fail "unity matrix"
grep -q -- '-DCMAKE_UNITY_BUILD=ON' "$T/w2/cells/unity/build.log" || fail "no unity build"
"$OUNCE" matrix -q -p unity -w "$T/w3" "$FIXTURES/makeproj" > /dev/null 2> err.txt
check_eq "unity refused for make" 2 "$?"
grep -q "no \[recipe:make\] section" err.txt || fail "unity message: $(cat err.txt)"

# the cmake form: an initial cache, then the post-link step by hand
win=$("$OUNCE" pick "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
"$OUNCE" pick --emit cmake "$res" > ounce.cmake || fail "emit cmake"
"$OUNCE" pick --emit json "$res" > win.json || fail "emit json"
cmake -C ounce.cmake -S "$FIXTURES/cmakeproj" -B byhand > cmake.log 2>&1 \
	&& cmake --build byhand >> cmake.log 2>&1 || fail "applying ounce.cmake: $(cat cmake.log)"
bin=byhand/$(basename "$art")
if jq -e '.post | length > 0' win.json > /dev/null; then
	strip --strip-all "$bin"
fi
got=$(stat -c %s "$bin")
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"
echo ok
